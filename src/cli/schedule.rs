//! Backups on a schedule inside `insats serve`, on a thread of their own: one every
//! `--backup-every` into `--backup-dir`, the newest `--backup-keep` kept (and none older than 35
//! days). The recipients given here also encrypt the backups administrators take over SSH exec.
//! Log lines name files, sizes and times, never personal data.

use super::CliError;
use crate::service::backup::{self, Recipients};
use crate::service::{Service, ServiceError};
use clap::Args;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Backups")]
pub struct ServeBackupArgs {
    /// Take backups on a schedule into this folder (insats-YYYYMMDDTHHMMSSZ.age)
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How often: a number and s, m, h or d
    #[arg(long, value_name = "INTERVAL", default_value = "1d")]
    pub backup_every: String,
    /// How many scheduled backups to keep (none older than 35 days is kept in any case)
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub backup_keep: usize,
    /// Encrypt backups to this age public key (age1…; repeatable); its private key is kept off
    /// the server. Also used by `ssh … backup`
    #[arg(long = "backup-recipient", value_name = "AGE1…")]
    pub recipients: Vec<String>,
    /// Encrypt backups to the age public keys in FILE (one a line)
    #[arg(long = "backup-recipients", value_name = "FILE")]
    pub recipient_files: Vec<PathBuf>,
}

/// Checks the options, hands the recipients to the service and starts the schedule, if any.
pub fn start(service: &Service, a: &ServeBackupArgs) -> Result<(), CliError> {
    let every = backup::parse_interval(&a.backup_every).map_err(ServiceError::from)?;
    if a.backup_keep == 0 {
        return Err(ServiceError::from(backup::BackupError::BadKeep).into());
    }
    let given = !a.recipients.is_empty() || !a.recipient_files.is_empty();
    if given {
        let recipients =
            Recipients::load(&a.recipients, &a.recipient_files).map_err(ServiceError::from)?;
        service.set_backup_recipients(recipients);
    } else if a.backup_dir.is_some() {
        // The file beside the database: refused now, not at the first scheduled run.
        service.backup_recipients()?;
    }
    let Some(dir) = a.backup_dir.clone() else {
        return Ok(());
    };
    let service = service.clone();
    let keep = a.backup_keep;
    std::thread::Builder::new()
        .name("insats-backups".into())
        .spawn(move || run(&service, &dir, every, keep))
        .map_err(|e| CliError::Io(format!("cannot start the backup schedule: {e}")))?;
    Ok(())
}

/// A failed run is tried again after this long (or the interval, if shorter).
const RETRY: Duration = Duration::from_mins(10);

fn run(service: &Service, dir: &std::path::Path, every: Duration, keep: usize) {
    // The first backup is due one interval after the newest one already there (at once when
    // there is none), so a restart neither skips one nor piles them up.
    let mut due = backup::backups_in(dir)
        .first()
        .map_or(SystemTime::now(), |(at, _)| *at + every);
    loop {
        if let Ok(wait) = due.duration_since(SystemTime::now()) {
            std::thread::sleep(wait);
        }
        match service.scheduled_backup(dir, keep) {
            Ok(done) => {
                tracing::info!(
                    file = %done.path.display(),
                    bytes = done.report.bytes,
                    audit_seq = done.report.header.audit_seq,
                    took_ms = done.report.took.as_millis(),
                    removed = done.removed.len(),
                    "scheduled backup written"
                );
                due = SystemTime::now() + every;
            }
            Err(e) => {
                tracing::error!(error = %e.message(crate::service::Lang::En), "scheduled backup failed");
                due = SystemTime::now() + every.min(RETRY);
            }
        }
    }
}

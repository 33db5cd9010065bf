//! Scheduled backups inside `insats serve`: one file per run in the backup folder, named by
//! the time it was taken (`insats-20261102T031500Z.age`), the oldest removed beyond the number
//! to keep and whatever is older than 35 days (domain.md §10: erased people age out of
//! backups).

use super::take::{note, write_atomically};
use super::{BackupError, BackupReport};
use crate::ServiceError;
use crate::core::Service;
use chrono::{DateTime, NaiveDateTime, Utc};
use insats_domain::audit::{Action, Draft};
use insats_domain::user::Role;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Backups are kept at most this long.
pub const MAX_AGE: Duration = Duration::from_hours(35 * 24);

const PREFIX: &str = "insats-";
const SUFFIX: &str = ".age";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// What one scheduled run did.
#[derive(Debug, Clone)]
pub struct ScheduledBackup {
    pub path: PathBuf,
    pub report: BackupReport,
    /// Older backups removed.
    pub removed: Vec<PathBuf>,
}

/// `--backup-every`: a whole number and a unit, s, m, h or d (`90m`, `6h`, `1d`), from one
/// second to 35 days.
pub fn parse_interval(text: &str) -> Result<Duration, BackupError> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number.parse().map_err(|_| BackupError::BadInterval)?;
    let seconds = match unit.trim() {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => None,
    }
    .ok_or(BackupError::BadInterval)?;
    let every = Duration::from_secs(seconds);
    if seconds == 0 || every > MAX_AGE {
        return Err(BackupError::BadInterval);
    }
    Ok(every)
}

/// The backups in `dir` made by the schedule, newest first, with the time each was taken.
pub fn backups_in(dir: &Path) -> Vec<(SystemTime, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
            let stamp = stamp.split('-').next()?;
            let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
            Some((SystemTime::from(at), e.path()))
        })
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found
}

impl Service {
    /// One scheduled backup into `dir` (made if missing), audited as the server's own (no
    /// user); then removes the oldest beyond `keep` and any older than [`MAX_AGE`], and the
    /// temporary files of runs a crash cut short.
    pub fn scheduled_backup(
        &self,
        dir: &Path,
        keep: usize,
    ) -> Result<ScheduledBackup, ServiceError> {
        if keep == 0 {
            return Err(BackupError::BadKeep.into());
        }
        let recipients = self.recipients(None)?;
        // Only the service user may enter the folder (as the database's own, 0700).
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
        folder
            .create(dir)
            .map_err(BackupError::io("cannot create", dir))?;
        let now: DateTime<Utc> = SystemTime::now().into();
        let stamp = now.format(STAMP).to_string();
        let mut path = dir.join(format!("{PREFIX}{stamp}{SUFFIX}"));
        let mut k = 2;
        while path.exists() {
            path = dir.join(format!("{PREFIX}{stamp}-{k}{SUFFIX}"));
            k += 1;
        }
        remove_partials(dir);
        let report = write_atomically(&path, |out| {
            self.write_backup(&recipients, out, &mut |_| {})
        })?;
        self.audit_backup(Draft {
            user: None,
            role: Some(Role::SystemAdmin),
            session: 0,
            association: None,
            intervention: None,
            subject: None,
            action: Action::Backup,
            fields: Vec::new(),
            note: note(&report, "scheduled; "),
        })?;
        let removed = prune(dir, keep, SystemTime::now());
        Ok(ScheduledBackup {
            path,
            report,
            removed,
        })
    }
}

/// Removes the backups beyond the newest `keep`, and those older than [`MAX_AGE`].
fn prune(dir: &Path, keep: usize, now: SystemTime) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for (k, (at, path)) in backups_in(dir).into_iter().enumerate() {
        let too_old = now.duration_since(at).is_ok_and(|age| age > MAX_AGE);
        if (k >= keep || too_old) && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    if !removed.is_empty() {
        let _ = insats_store::journal::sync_dir(&dir.join("x"));
    }
    removed
}

/// Removes the temporary files of scheduled runs a crash cut short (encrypted, but useless).
fn remove_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&format!(".{PREFIX}")) && name.ends_with(".partial") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_a_number_and_a_unit_up_to_35_days() {
        assert_eq!(parse_interval("90m").unwrap(), Duration::from_mins(90));
        assert_eq!(parse_interval("6h").unwrap(), Duration::from_hours(6));
        assert_eq!(parse_interval("1d").unwrap(), Duration::from_hours(24));
        assert_eq!(parse_interval("2s").unwrap(), Duration::from_secs(2));
        for bad in [
            "",
            "6",
            "h",
            "0h",
            "36d",
            "1w",
            "-1h",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_and_nothing_older_than_35_days() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let day = Duration::from_hours(24);
        for days in [0u64, 1, 2, 3, 40] {
            let at: DateTime<Utc> = (now - day * u32::try_from(days).unwrap()).into();
            let name = format!("{PREFIX}{}{SUFFIX}", at.format(STAMP));
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"kept").unwrap();
        let removed = prune(dir.path(), 3, now);
        assert_eq!(removed.len(), 2, "{removed:?}");
        let left = backups_in(dir.path());
        assert_eq!(left.len(), 3);
        assert!(
            left.iter()
                .all(|(at, _)| now.duration_since(*at).unwrap() < day * 3)
        );
        assert!(dir.path().join("notes.txt").exists());
        // Forty days old goes even when fewer than `keep` remain.
        let removed = prune(dir.path(), 10, now + day * 37);
        assert_eq!(removed.len(), 3);
    }
}

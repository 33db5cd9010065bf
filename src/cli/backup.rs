//! `insats backup`, `insats backup drill` and `insats restore`: the commands around the
//! service's backups. A backup is taken by a signed-in system administrator (locally when no
//! server runs, over SSH exec while one does); a restore and a drill open no live database, so
//! they need the backup's identity file and the register's key file, not a user.

use super::admin::{Files, db_path};
use super::{CliError, Global, paths};
use crate::domain::checkpoint::Checkpoint;
use crate::service::backup::{self, BackupError, Progress, Recipients, RestoreOptions};
use crate::service::{Lang, Session};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// Write the backup to FILE (under a temporary name until it is complete) instead of
    /// standard output
    #[arg(long, value_name = "FILE")]
    pub to: Option<PathBuf>,
    /// Encrypt to this age public key (age1…; repeatable); its private key stays off the server
    #[arg(long = "recipient", value_name = "AGE1…")]
    pub recipients: Vec<String>,
    /// Encrypt to the age public keys in FILE (one a line, as age -R reads them)
    #[arg(long = "recipients-file", value_name = "FILE")]
    pub recipient_files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Restore a backup into a temporary place, check it and print the time it took; nothing
    /// live is opened or changed
    Drill(DrillArgs),
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The backup file
    pub file: PathBuf,
    /// The age identity file (age-keygen's AGE-SECRET-KEY-1…) that opens the backup
    #[arg(long, value_name = "FILE")]
    pub identity: PathBuf,
    /// Restore without an erasure journal (it is lost): people erased since the backup was
    /// taken come back, until backups older than them age out
    #[arg(long)]
    pub without_erasure_journal: bool,
    /// A checkpoint of the audit chain as `audit checkpoint` printed it (quote it), or SEQ:MAC;
    /// the restored log must hold each one taken before the backup (repeatable)
    #[arg(long, value_name = "CHECKPOINT")]
    pub checkpoint: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    #[command(flatten)]
    pub open: OpenArgs,
    /// Where the temporary folder goes [default: the backup's folder]
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub open: OpenArgs,
    /// The new database file (never an existing one)
    #[arg(long, value_name = "PATH")]
    pub to: PathBuf,
}

/// `backup …` for a signed-in user: the service checks the role. Locally to `--to FILE` or
/// standard output; over SSH exec to the connection, encrypted to the server's recipients.
pub(super) fn backup_in(
    s: &Session,
    a: &BackupArgs,
    lang: Lang,
    files: Files,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if files == Files::Refused {
        if a.to.is_some()
            || !a.recipients.is_empty()
            || !a.recipient_files.is_empty()
            || a.command.is_some()
        {
            return Err(CliError::Usage(
                sv_en(
                    lang,
                    "över SSH strömmar säkerhetskopian till dig (ssh … backup > fil), krypterad till serverns mottagare: --to, --recipient, --recipients-file och drill tas inte emot",
                    "over SSH the backup streams to you (ssh … backup > file), encrypted to the server's recipients: --to, --recipient, --recipients-file and drill are not taken",
                )
                .into(),
            ));
        }
        s.backup(None, out, &mut |_| {})?;
        return Ok(());
    }
    // Without --recipient or --recipients-file: the file beside the database.
    let recipients = if a.recipients.is_empty() && a.recipient_files.is_empty() {
        None
    } else {
        Some(
            Recipients::load(&a.recipients, &a.recipient_files)
                .map_err(crate::service::ServiceError::from)?,
        )
    };
    let mut progress = Meter::new(lang);
    let report = if let Some(path) = &a.to {
        s.backup_to_file(recipients.as_ref(), path, &mut |p| progress.show(p))?
    } else {
        if std::io::stdout().is_terminal() {
            return Err(crate::service::ServiceError::from(BackupError::Terminal).into());
        }
        s.backup(recipients.as_ref(), out, &mut |p| progress.show(p))?
    };
    progress.done();
    let h = &report.header;
    let summary = format!(
        "{} {}: {} {}, {} {}, {} {}; {} MB, {:.1} s",
        sv_en(
            lang,
            "säkerhetskopia vid granskningspost",
            "backup at audit entry"
        ),
        h.audit_seq,
        h.participations,
        sv_en(lang, "deltaganden", "participations"),
        h.persons,
        sv_en(lang, "personer", "persons"),
        h.consents,
        sv_en(lang, "samtycken", "consents"),
        mb(report.bytes),
        report.took.as_secs_f64()
    );
    // The bytes may be on standard output: the summary goes to the terminal's other stream.
    // A closed standard error (a server whose supervisor went away) must not cost the backup.
    let _ = writeln!(std::io::stderr(), "insats: {summary}");
    Ok(())
}

/// `insats backup drill FILE --identity KEY`.
pub(super) fn drill(g: &Global, a: &DrillArgs) -> Result<(), CliError> {
    let lang = paths::lang(g.lang.as_deref());
    let (key, journal) = live_files(g, &a.open);
    let checkpoints = checkpoints(&a.open)?;
    let opts = options(&a.open, &key, journal.as_deref(), &checkpoints);
    let mut progress = Meter::new(lang);
    let report = backup::drill(&opts, a.work_dir.as_deref(), &mut |p| progress.show(p))?;
    progress.done();
    print_report(&report, lang, None);
    Ok(())
}

/// `insats restore FILE --to PATH --identity KEY`.
pub(super) fn restore(g: &Global, a: &RestoreArgs) -> Result<(), CliError> {
    let lang = paths::lang(g.lang.as_deref());
    let (key, journal) = live_files(g, &a.open);
    let checkpoints = checkpoints(&a.open)?;
    let opts = options(&a.open, &key, journal.as_deref(), &checkpoints);
    let mut progress = Meter::new(lang);
    let report = backup::restore(&opts, &a.to, &mut |p| progress.show(p))?;
    progress.done();
    print_report(&report, lang, Some((&a.to, &key)));
    Ok(())
}

/// The register's key file and erasure journal: `--key` and `--erasure-journal`, else those
/// of the database `--db` names (read, never changed).
fn live_files(g: &Global, a: &OpenArgs) -> (PathBuf, Option<PathBuf>) {
    let db = db_path(g);
    let key = g
        .key
        .clone()
        .unwrap_or_else(|| crate::service::default_key_path(&db));
    let journal = (!a.without_erasure_journal).then(|| {
        g.erasure_journal
            .clone()
            .unwrap_or_else(|| crate::service::default_journal_path(&db))
    });
    (key, journal)
}

fn checkpoints(a: &OpenArgs) -> Result<Vec<Checkpoint>, CliError> {
    Ok(a.checkpoint
        .iter()
        .map(|c| Checkpoint::parse(c).map_err(crate::service::ServiceError::from))
        .collect::<Result<Vec<_>, _>>()?)
}

fn options<'a>(
    a: &'a OpenArgs,
    key: &'a Path,
    journal: Option<&'a Path>,
    checkpoints: &'a [Checkpoint],
) -> RestoreOptions<'a> {
    RestoreOptions {
        backup: &a.file,
        identity: &a.identity,
        key,
        journal,
        checkpoints,
    }
}

fn print_report(
    r: &crate::service::backup::RestoreReport,
    lang: Lang,
    restored: Option<(&Path, &Path)>,
) {
    let h = &r.header;
    let taken = chrono::DateTime::from_timestamp_millis(h.taken_ms).map_or_else(String::new, |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    });
    let sv = lang == Lang::Sv;
    if sv {
        println!(
            "säkerhetskopia tagen {taken} (granskningspost {})",
            h.audit_seq
        );
    } else {
        println!("backup taken {taken} (audit entry {})", h.audit_seq);
    }
    let x = &r.reapplied;
    match (r.journal_used, sv) {
        (true, true) => println!(
            "raderingsjournalen: {} raderingar efter säkerhetskopian; {} gjordes om ({} deltaganden, {} samtycken, {} personer)",
            r.journal_after, x.erasures, x.participations, x.consents, x.persons
        ),
        (true, false) => println!(
            "erasure journal: {} erasures after the backup; {} applied again ({} participations, {} consents, {} persons)",
            r.journal_after, x.erasures, x.participations, x.consents, x.persons
        ),
        (false, true) => {
            println!("UTAN raderingsjournal: raderingar efter säkerhetskopian är inte gjorda");
        }
        (false, false) => {
            println!("WITHOUT an erasure journal: erasures after the backup are not applied");
        }
    }
    if sv {
        println!(
            "ok: index och räknare stämmer, granskningskedjan är hel ({} poster); {} deltaganden, {} personer, {} samtycken",
            r.audit_entries, r.participations, r.persons, r.consents
        );
    } else {
        println!(
            "ok: indexes and counters consistent, audit chain intact ({} entries); {} participations, {} persons, {} consents",
            r.audit_entries, r.participations, r.persons, r.consents
        );
    }
    if r.checkpoints_held + r.checkpoints_after > 0 {
        if sv {
            println!(
                "kontrollpunkter: {} finns i den återställda loggen; {} togs efter säkerhetskopian",
                r.checkpoints_held, r.checkpoints_after
            );
        } else {
            println!(
                "checkpoints: {} held by the restored log; {} taken after the backup",
                r.checkpoints_held, r.checkpoints_after
            );
        }
    }
    match restored {
        Some((to, key)) if sv => println!(
            "återställd till {} på {:.1} s; öppna den med nyckelfilen {} (--key, eller kopiera den till databasens sökväg + .key)",
            to.display(),
            r.took.as_secs_f64(),
            key.display()
        ),
        Some((to, key)) => println!(
            "restored to {} in {:.1} s; open it with the key file {} (--key, or copy it to the database path + .key)",
            to.display(),
            r.took.as_secs_f64(),
            key.display()
        ),
        None if sv => println!("övningen tog {:.1} s", r.took.as_secs_f64()),
        None => println!("the drill took {:.1} s", r.took.as_secs_f64()),
    }
}

fn sv_en(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Sv { sv } else { en }
}

#[allow(clippy::cast_precision_loss)]
fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

/// A progress line on standard error, when it is a terminal, rewritten at most a few times a
/// second.
struct Meter {
    on: bool,
    lang: Lang,
    last: Option<std::time::Instant>,
    phase: Option<std::mem::Discriminant<Progress>>,
    shown: bool,
}

impl Meter {
    fn new(lang: Lang) -> Self {
        Meter {
            on: std::io::stderr().is_terminal(),
            lang,
            last: None,
            phase: None,
            shown: false,
        }
    }

    fn show(&mut self, p: Progress) {
        let phase = Some(std::mem::discriminant(&p));
        if !self.on
            || (self.phase == phase && self.last.is_some_and(|t| t.elapsed().as_millis() < 200))
        {
            return;
        }
        self.phase = phase;
        self.last = Some(std::time::Instant::now());
        let pct = |n: u64, of: u64| n.saturating_mul(100).checked_div(of).unwrap_or(100);
        let l = self.lang;
        let line = match p {
            Progress::Copying { rows, of } => format!(
                "{} {}%",
                sv_en(l, "kopierar tabellerna", "copying the tables"),
                pct(rows, of)
            ),
            Progress::Writing { bytes, of } => format!(
                "{} {}% ({} MB)",
                sv_en(l, "krypterar och skriver", "encrypting and writing"),
                pct(bytes, of),
                mb(bytes)
            ),
            Progress::Decrypting { bytes, of } => format!(
                "{} {}% ({} MB)",
                sv_en(l, "dekrypterar", "decrypting"),
                pct(bytes, of),
                mb(bytes)
            ),
            Progress::Reapplying => sv_en(
                l,
                "gör om raderingarna i raderingsjournalen",
                "applying the erasure journal again",
            )
            .to_owned(),
            Progress::Checking => sv_en(l, "kontrollerar", "checking").to_owned(),
        };
        eprint!("\r\x1b[2K{line}");
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    fn done(&mut self) {
        if self.shown {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

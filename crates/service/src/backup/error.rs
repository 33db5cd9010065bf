//! What can go wrong with a backup, a restore or the erasure journal, in Swedish and English.
//! No message carries personal data; paths are the administrator's own files.

use crate::Lang;
use insats_store::journal::JournalError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "no backup recipient: name the public key of the backup key pair kept off the server (--backup-recipient age1…, --backup-recipients FILE, or the file DATABASE.backup-recipients beside the database; make a pair with age-keygen or rage-keygen)"
    )]
    NoRecipient,
    #[error("{what} is not an age X25519 recipient (age1…): {detail}")]
    BadRecipient { what: String, detail: &'static str },
    #[error("identity file {path}: {detail}")]
    BadIdentity { path: PathBuf, detail: String },
    #[error("the identity file does not open this backup (another key pair?)")]
    WrongIdentity,
    #[error("{path} is not an insats backup, or it is damaged or cut short ({detail})")]
    NotABackup { path: PathBuf, detail: String },
    #[error(
        "the backup was taken of another register than the erasure journal's (other key file); name the register's own journal with --erasure-journal"
    )]
    OtherRegister,
    #[error("{path} exists already; a restore never overwrites a file: name a new path with --to")]
    TargetExists { path: PathBuf },
    #[error("{what} {path}: {detail}")]
    Io {
        what: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error(
        "the erasure journal {path} is missing: without it, people erased since the backup was taken would come back; name it with --erasure-journal, or, if it is lost, pass --without-erasure-journal (backups are kept at most 35 days, so erased people age out of them)"
    )]
    JournalMissing { path: PathBuf },
    #[error(
        "an erasure journal {path} exists already, but no database beside it: it belongs to a register that is gone; move it away first"
    )]
    JournalExists { path: PathBuf },
    #[error("no erasure journal is open: nothing was erased")]
    NoJournal,
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "the restored register does not pass its check ({detail}); nothing was written to --to"
    )]
    CheckFailed { detail: String },
    #[error(
        "--backup-every: a number with s, m, h or d (e.g. 6h or 1d), from 1 s to 35 days (backups are kept at most 35 days)"
    )]
    BadInterval,
    #[error("--backup-keep: at least 1")]
    BadKeep,
    #[error(
        "refusing to write a backup to a terminal: name a file with --to FILE, or redirect the output"
    )]
    Terminal,
}

impl BackupError {
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            BackupError::NoRecipient => "ingen mottagare för säkerhetskopior: ange den publika nyckeln till nyckelparet som förvaras utanför servern (--backup-recipient age1…, --backup-recipients FIL, eller filen DATABAS.backup-recipients bredvid databasen; skapa ett par med age-keygen eller rage-keygen)".into(),
            BackupError::BadRecipient { what, detail } => {
                format!("{what} är ingen age X25519-mottagare (age1…): {detail}")
            }
            BackupError::BadIdentity { path, detail } => {
                format!("identitetsfilen {}: {detail}", path.display())
            }
            BackupError::WrongIdentity => {
                "identitetsfilen öppnar inte den här säkerhetskopian (ett annat nyckelpar?)".into()
            }
            BackupError::NotABackup { path, detail } => format!(
                "{} är ingen säkerhetskopia av insats, eller så är den skadad eller avkortad ({detail})",
                path.display()
            ),
            BackupError::OtherRegister => "säkerhetskopian är tagen av ett annat register än raderingsjournalens (annan nyckelfil); ange registrets egen journal med --erasure-journal".into(),
            BackupError::TargetExists { path } => format!(
                "{} finns redan; en återställning skriver aldrig över en fil: ange en ny sökväg med --to",
                path.display()
            ),
            BackupError::Io { what, path, detail } => {
                format!("{} {}: {detail}", what_sv(what), path.display())
            }
            BackupError::JournalMissing { path } => format!(
                "raderingsjournalen {} saknas: utan den skulle personer som raderats sedan säkerhetskopian togs komma tillbaka; ange den med --erasure-journal, eller, om den har gått förlorad, ange --without-erasure-journal (säkerhetskopior sparas högst 35 dagar, så raderade personer försvinner ur dem)",
                path.display()
            ),
            BackupError::JournalExists { path } => format!(
                "det finns redan en raderingsjournal {} men ingen databas bredvid den: den hör till ett register som inte längre finns; flytta undan den först",
                path.display()
            ),
            BackupError::NoJournal => "ingen raderingsjournal är öppen: inget raderades".into(),
            BackupError::Journal(e) => journal_sv(e),
            BackupError::CheckFailed { detail } => format!(
                "det återställda registret klarar inte kontrollen ({detail}); inget skrevs till --to"
            ),
            BackupError::BadInterval => "--backup-every: ett tal med s, m, h eller d (t.ex. 6h eller 1d), från 1 s till 35 dagar (säkerhetskopior sparas högst 35 dagar)".into(),
            BackupError::BadKeep => "--backup-keep: minst 1".into(),
            BackupError::Terminal => "skriver inte en säkerhetskopia till en terminal: ange en fil med --to FIL, eller styr om utdata".into(),
        }
    }

    pub(crate) fn io(
        what: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> BackupError + use<> {
        let path = path.to_owned();
        move |e| BackupError::Io {
            what,
            path,
            detail: e.to_string(),
        }
    }
}

fn what_sv(what: &str) -> &str {
    match what {
        "cannot write" => "kan inte skriva",
        "cannot read" => "kan inte läsa",
        "cannot create" => "kan inte skapa",
        "cannot rename" => "kan inte byta namn på",
        "cannot remove" => "kan inte ta bort",
        other => other,
    }
}

fn journal_sv(e: &JournalError) -> String {
    match e {
        JournalError::Io { path, detail } => {
            format!("raderingsjournalen {}: {detail}", path.display())
        }
        JournalError::Damaged { path, line } => format!(
            "raderingsjournalen {} är skadad på rad {line}; återställ den från en kopia eller flytta undan den (de raderingar den höll skulle då inte göras om vid en återställning)",
            path.display()
        ),
        JournalError::OtherRegister { path } => format!(
            "raderingsjournalen {} hör till ett annat register (den gjordes för en annan nyckelfil)",
            path.display()
        ),
        JournalError::Missing { path } => {
            format!("raderingsjournalen {} finns inte", path.display())
        }
    }
}

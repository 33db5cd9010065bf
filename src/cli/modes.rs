//! Who else on the machine may read the register's files. The database holds questionnaire
//! answers in clear, the key file unseals names and personnummer, and the host key proves the
//! server to its clients: all three are the service user's alone. `init` and `demo` make the
//! data folder 0700 and every file 0600; `serve` refuses to start on a file another local user
//! could read or a folder another could write to, and says how to fix it.

use super::CliError;
use crate::service::Lang;
use std::path::Path;

/// Creates `dir` and any missing parents as folders only their owner may enter (0700). A folder
/// that exists already is left as it is.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// What a file is, in the refusal.
#[derive(Debug, Clone, Copy)]
pub enum Private {
    Database,
    KeyFile,
    HostKey,
}

impl Private {
    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Private::Database, Lang::En) => "the database",
            (Private::Database, Lang::Sv) => "databasen",
            (Private::KeyFile, Lang::En) => "the key file",
            (Private::KeyFile, Lang::Sv) => "nyckelfilen",
            (Private::HostKey, Lang::En) => "the host key",
            (Private::HostKey, Lang::Sv) => "värdnyckeln",
        }
    }
}

/// Refuses `path` when a group or other user may read or write it. A missing file passes (the
/// caller creates it privately, or says it is missing).
#[cfg(unix)]
pub fn require_private(path: &Path, what: Private, lang: Lang) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = meta.permissions().mode() & 0o7777;
    // Any bit for group or others (the low six bits) is refused.
    let open_to_others = mode & 0o077 != 0;
    if !open_to_others {
        return Ok(());
    }
    let (name, p) = (what.name(lang), path.display());
    Err(CliError::Usage(match lang {
        Lang::En => format!(
            "{name} {p} can be read by other users of this machine (mode {mode:04o}); make it the service user's alone with: chmod 600 {p}"
        ),
        Lang::Sv => format!(
            "{name} {p} kan läsas av andra användare på datorn (läge {mode:04o}); gör den till tjänsteanvändarens ensam med: chmod 600 {p}"
        ),
    }))
}

#[cfg(not(unix))]
pub fn require_private(_path: &Path, _what: Private, _lang: Lang) -> Result<(), CliError> {
    Ok(())
}

/// Refuses a folder holding the register that a group or other user may write to: they could
/// replace the database or its keys.
#[cfg(unix)]
pub fn require_closed_dir(dir: &Path, lang: Lang) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(());
    };
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 == 0 {
        return Ok(());
    }
    let d = dir.display();
    Err(CliError::Usage(match lang {
        Lang::En => format!(
            "the folder {d} can be written by other users of this machine (mode {mode:04o}), who could replace the database or its keys; close it with: chmod 700 {d}"
        ),
        Lang::Sv => format!(
            "mappen {d} kan skrivas av andra användare på datorn (läge {mode:04o}), som kan byta ut databasen eller dess nycklar; stäng den med: chmod 700 {d}"
        ),
    }))
}

#[cfg(not(unix))]
pub fn require_closed_dir(_dir: &Path, _lang: Lang) -> Result<(), CliError> {
    Ok(())
}

//! The age keys of backups: the public recipients a backup is encrypted to (configured on the
//! server), and the private identity that opens it (kept off the server, given to a restore).

use super::BackupError;
use std::path::Path;
use std::str::FromStr;

/// The X25519 recipients (`age1…`) backups are encrypted to. Any one of their identities
/// opens a backup.
#[derive(Clone)]
pub struct Recipients(Vec<age::x25519::Recipient>);

impl std::fmt::Debug for Recipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipients({})", self.0.len())
    }
}

impl Recipients {
    /// Recipients given one by one (`--backup-recipient age1…`) and in files of recipients
    /// (one a line, `#` comments and blank lines skipped, as age's `-R` reads them). Refuses
    /// an empty list.
    pub fn load(given: &[String], files: &[std::path::PathBuf]) -> Result<Self, BackupError> {
        let mut out = Vec::new();
        for (k, text) in given.iter().enumerate() {
            out.push(parse(text, || {
                format!("--backup-recipient number {}", k + 1)
            })?);
        }
        for file in files {
            let text =
                std::fs::read_to_string(file).map_err(BackupError::io("cannot read", file))?;
            for (k, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                out.push(parse(line, || {
                    format!("line {} of {}", k + 1, file.display())
                })?);
            }
        }
        if out.is_empty() {
            return Err(BackupError::NoRecipient);
        }
        Ok(Self(out))
    }

    pub(crate) fn encryptor(&self) -> Result<age::Encryptor, BackupError> {
        age::Encryptor::with_recipients(self.0.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| BackupError::NoRecipient)
    }
}

fn parse(text: &str, what: impl FnOnce() -> String) -> Result<age::x25519::Recipient, BackupError> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|detail| BackupError::BadRecipient {
        what: what(),
        detail,
    })
}

/// The private identities in an age identity file (as `age-keygen` or `rage-keygen` writes
/// it: `AGE-SECRET-KEY-1…` lines, `#` comments).
pub(crate) fn identities(path: &Path) -> Result<Vec<Box<dyn age::Identity>>, BackupError> {
    let bad = |detail: String| BackupError::BadIdentity {
        path: path.to_owned(),
        detail,
    };
    let file = age::IdentityFile::from_file(path.to_string_lossy().into_owned())
        .map_err(|e| bad(e.to_string()))?;
    let identities = file
        .into_identities()
        .map_err(|_| bad("it holds no age X25519 identity (AGE-SECRET-KEY-1…)".into()))?;
    if identities.is_empty() {
        return Err(bad(
            "it holds no age X25519 identity (AGE-SECRET-KEY-1…)".into()
        ));
    }
    Ok(identities)
}

//! What can stop the SSH server from starting or running: each says what to do, in Swedish and
//! English. Never carries personal data.

use crate::service::Lang;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("{}", self.message(Lang::En))]
    HostKeyUnreadable { path: PathBuf, detail: String },
    #[error("{}", self.message(Lang::En))]
    HostKeyMalformed { path: PathBuf, detail: String },
    #[error("{}", self.message(Lang::En))]
    HostKeyEncrypted { path: PathBuf },
    #[error("{}", self.message(Lang::En))]
    HostKeyCreate { path: PathBuf, detail: String },
    #[error("{}", self.message(Lang::En))]
    Listen { addr: String, detail: String },
    #[error("{}", self.message(Lang::En))]
    Storage(String),
    #[error("SSH server: {0}")]
    Io(#[from] std::io::Error),
}

impl SshError {
    pub fn message(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        match self {
            SshError::HostKeyUnreadable { path, detail } => {
                let path = path.display();
                if sv {
                    format!(
                        "kan inte läsa värdnyckeln {path}: {detail}; kör insats serve som \
                         användaren som äger filen (tjänsteanvändaren), eller rätta filens ägare"
                    )
                } else {
                    format!(
                        "cannot read the host key {path}: {detail}; run insats serve as the user \
                         who owns the file (the service user), or correct the file's owner"
                    )
                }
            }
            SshError::HostKeyMalformed { path, detail } => {
                let path = path.display();
                if sv {
                    format!(
                        "värdnyckeln {path} är ingen privat OpenSSH-nyckel ({detail}); återställ \
                         den från säkerhetskopian, eller flytta undan filen så görs en ny vid nästa \
                         start (användarnas ssh varnar då att värdnyckeln har bytts)"
                    )
                } else {
                    format!(
                        "the host key {path} is not an OpenSSH private key ({detail}); restore it \
                         from the backup, or move the file away to have a new one made on the next \
                         start (users' ssh will then warn that the host key changed)"
                    )
                }
            }
            SshError::HostKeyEncrypted { path } => {
                let path = path.display();
                if sv {
                    format!(
                        "värdnyckeln {path} är skyddad med en lösenfras, som servern inte kan fråga \
                         efter; ta bort den med ssh-keygen -p -f {path}"
                    )
                } else {
                    format!(
                        "the host key {path} is protected by a passphrase, which the server cannot \
                         ask for; remove it with ssh-keygen -p -f {path}"
                    )
                }
            }
            SshError::HostKeyCreate { path, detail } => {
                let path = path.display();
                if sv {
                    format!(
                        "kan inte skapa värdnyckeln {path}: {detail}; mappen måste vara skrivbar \
                         för användaren som kör insats serve"
                    )
                } else {
                    format!(
                        "cannot make the host key {path}: {detail}; the folder must be writable by \
                         the user running insats serve"
                    )
                }
            }
            SshError::Listen { addr, detail } => {
                if sv {
                    format!("kan inte lyssna på {addr}: {detail}")
                } else {
                    format!("cannot listen on {addr}: {detail}")
                }
            }
            SshError::Storage(cause) => {
                if sv {
                    format!(
                        "databasfilen kan inte användas ({cause}); stoppad så att tjänstehanteraren \
                         startar insats igen när disken har plats"
                    )
                } else {
                    format!(
                        "the database file cannot be used ({cause}); stopped so that the service \
                         manager starts insats again once the disk has room"
                    )
                }
            }
            SshError::Io(e) => {
                if sv {
                    format!("SSH-servern: {e}")
                } else {
                    format!("SSH server: {e}")
                }
            }
        }
    }
}

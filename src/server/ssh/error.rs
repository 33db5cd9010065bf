//! What can stop the SSH server from starting or running. Never carries personal data.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("host key {}: {detail}", path.display())]
    HostKey { path: PathBuf, detail: String },
    #[error("cannot listen on {addr}: {detail}")]
    Listen { addr: String, detail: String },
    #[error(
        "the database file cannot be used ({0}); stopped so that the service manager starts insats again once the disk has room"
    )]
    Storage(String),
    #[error("SSH server: {0}")]
    Io(#[from] std::io::Error),
}

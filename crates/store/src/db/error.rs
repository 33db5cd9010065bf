//! Everything that can go wrong below the service, and how redb's errors become it.

use crate::codec::CodecError;
use crate::crypto::CryptoError;
use std::path::PathBuf;

/// Everything that can go wrong below the service. Messages name files and what to do, never
/// personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path} not found; create it with `insats init` or pass --db PATH")]
    NotFound { path: PathBuf },
    #[error("database {path} already exists; refusing to overwrite it")]
    AlreadyExists { path: PathBuf },
    #[error(
        "database {path} is in use by another process (is `insats serve` running? then run the command through it: ssh -p PORT HOST …)"
    )]
    Locked { path: PathBuf },
    #[error("{path} is damaged or is not an insats database ({detail})")]
    Damaged { path: PathBuf, detail: String },
    #[error("{path} is not an insats database (no schema version in it)")]
    NotInsats { path: PathBuf },
    #[error(
        "database {path} has schema version {found}, newer than this program ({supported}); upgrade insats"
    )]
    SchemaTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("the key file does not belong to this database (wrong key file?)")]
    WrongKey,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Pseudonym(#[from] crate::pseudonym::PseudonymError),
    #[error("database error: {0}")]
    Db(redb::Error),
    #[error("{what} not found")]
    Missing { what: &'static str },
    #[error(
        "the database holds a table this version of insats does not know ({name}); a backup would miss it, so none is made"
    )]
    UnknownTable { name: String },
    #[error("a worker holding the database stopped unexpectedly")]
    Poisoned,
    #[error(
        "an id the import took is in use already (an id sequence is behind the stored records; \
         run `insats check`); nothing was imported"
    )]
    DuplicateId,
}

/// The first failure of the database file's storage in this process (one process owns one
/// register file). After an I/O error, redb fails every later read and write of that file
/// ("previous I/O error") until it is closed and opened again; the server watches this to stop
/// with the real cause in its log rather than go on refusing everyone.
static STORAGE_FAILURE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The first storage failure seen in this process: the operating system's words (e.g. "No space
/// left on device (os error 28)"), never data.
pub fn storage_failure() -> Option<&'static str> {
    STORAGE_FAILURE.get().map(String::as_str)
}

fn latch(e: &redb::Error) {
    match e {
        redb::Error::Io(io) => {
            let _ = STORAGE_FAILURE.set(io.to_string());
        }
        redb::Error::PreviousIo => {
            let _ = STORAGE_FAILURE.set("an earlier write to the database file failed".into());
        }
        _ => {}
    }
}

impl From<redb::Error> for StoreError {
    fn from(e: redb::Error) -> Self {
        latch(&e);
        StoreError::Db(e)
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                let e: redb::Error = e.into();
                latch(&e);
                StoreError::Db(e)
            }
        }
    )*};
}
from_redb!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

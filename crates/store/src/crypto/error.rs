//! What can go wrong with the key file, the random number generator or a sealed value.

use std::io;
use std::path::PathBuf;

use super::key_file::HEADER;

/// Errors from key handling and from sealing/opening stored data.
///
/// No variant carries key bytes or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "key file {} not found: the database's names and personnummer cannot be read without it; \
         pass --key PATH or restore it from backup",
        path.display()
    )]
    KeyMissing { path: PathBuf },

    #[error(
        "key file {} already exists; refusing to overwrite it, since a database encrypted with \
         the old key would become unreadable; choose another path",
        path.display()
    )]
    KeyExists { path: PathBuf },

    #[error(
        "key file {} could not be read; check that it is a regular file and that the user \
         running insats may read it",
        path.display()
    )]
    KeyUnreadable { path: PathBuf, source: io::Error },

    #[error(
        "key file {} is malformed at line {line}: expected the `{HEADER}` format; \
         restore the key file from backup",
        path.display()
    )]
    KeyMalformed { path: PathBuf, line: usize },

    #[error(
        "key file {} is readable by others (mode {mode:o}); run chmod 600 {}",
        path.display(),
        path.display()
    )]
    KeyPermissions { path: PathBuf, mode: u32 },

    #[error(
        "key file {} could not be written; check that its folder exists and is writable and \
         that the disk is not full",
        path.display()
    )]
    KeyWrite { path: PathBuf, source: io::Error },

    #[error(
        "the operating system's random number generator failed; try again, and check the \
         system's entropy source if it keeps failing"
    )]
    Random,

    #[error("stored data could not be decrypted: wrong key file or damaged database")]
    Decrypt,
}

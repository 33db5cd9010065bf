//! What a backup holds, inside its age encryption: a magic line, a header (when it was taken,
//! of which register, the counts), then the copied database file. age's STREAM encryption
//! authenticates every chunk and marks the last one, so a backup cut short or changed fails to
//! decrypt rather than restoring part of a register.

use super::BackupError;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

/// The first bytes of every backup's plaintext.
pub(crate) const MAGIC: &[u8; 16] = b"insats-backup-1\n";

/// The largest header accepted (it is a few dozen bytes).
const MAX_HEADER: u32 = 64 * 1024;

/// Where and what a backup was taken of. Counts and times only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The register's public name (see `Store::register_id`).
    pub register: String,
    /// When the snapshot was taken, milliseconds since the Unix epoch.
    pub taken_ms: i64,
    /// The last audit entry in the snapshot: the point it was taken at.
    pub audit_seq: u64,
    /// The schema version of the copied database.
    pub schema: u32,
    pub participations: u64,
    pub persons: u64,
    pub consents: u64,
    /// Rows of every table.
    pub rows: u64,
    /// Bytes of the database file that follows.
    pub db_len: u64,
    pub demo: bool,
}

pub(crate) fn write_header(out: &mut dyn Write, header: &Header) -> std::io::Result<()> {
    let bytes = postcard::to_stdvec(header).map_err(std::io::Error::other)?;
    let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
    out.write_all(MAGIC)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(&bytes)
}

/// Reads the magic line and the header from a decrypted backup.
pub(crate) fn read_header(input: &mut dyn Read, path: &Path) -> Result<Header, BackupError> {
    let damaged = |detail: &str| BackupError::NotABackup {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let mut magic = [0u8; 16];
    input
        .read_exact(&mut magic)
        .map_err(|_| damaged("too short"))?;
    if &magic != MAGIC {
        return Err(damaged("no insats backup inside the encryption"));
    }
    let mut len = [0u8; 4];
    input
        .read_exact(&mut len)
        .map_err(|_| damaged("too short"))?;
    let len = u32::from_le_bytes(len);
    if len > MAX_HEADER {
        return Err(damaged("header too long"));
    }
    let mut bytes = vec![0u8; len as usize];
    input
        .read_exact(&mut bytes)
        .map_err(|_| damaged("too short"))?;
    postcard::from_bytes(&bytes).map_err(|_| damaged("unreadable header"))
}

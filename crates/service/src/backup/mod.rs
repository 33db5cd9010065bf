//! Backups while the register runs, encrypted to a key kept off the server; restores and
//! drills that apply the erasure journal before anyone can open the restored register.

mod error;
mod format;
mod keys;
mod reapply;
mod restore;
mod schedule;
mod take;

pub use error::BackupError;
pub use format::Header;
pub use keys::Recipients;
pub use reapply::Reapplied;
pub use restore::{RestoreOptions, RestoreReport, drill, restore};
pub use schedule::{MAX_AGE, ScheduledBackup, backups_in, parse_interval};
pub use take::{BackupReport, recipients_path};

/// How far a long backup or restore is, for a progress line on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Rows of the snapshot copied, of all.
    Copying { rows: u64, of: u64 },
    /// Bytes of the copy encrypted and written, of all.
    Writing { bytes: u64, of: u64 },
    /// Bytes of the backup decrypted, of all.
    Decrypting { bytes: u64, of: u64 },
    /// Applying the erasure journal.
    Reapplying,
    /// Checking the restored register.
    Checking,
}

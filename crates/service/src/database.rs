//! Opening and creating the register's file: the only way the application reaches a database.
//! The store and its error type stay below the service; what the application sees is a
//! [`Service`] and, when the file or its key cannot be used, a [`DatabaseError`].

use crate::{Clock, Service, ServiceError};
use insats_store::{Store, StoreError, audit, org, people};
use std::path::{Path, PathBuf};

/// The database file or its key file could not be used (locked by a running server, damaged,
/// missing, of a newer version, the wrong key…), or the database failed. The message says what
/// to do and never carries personal data.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DatabaseError(StoreError);

impl DatabaseError {
    /// Whether the system failed (redb itself, a poisoned lock, a stored value that cannot be
    /// read), as opposed to a file or key the user named.
    pub fn is_system_failure(&self) -> bool {
        matches!(
            self.0,
            StoreError::Db(_) | StoreError::Poisoned | StoreError::Codec(_)
        )
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        ServiceError::Store(DatabaseError(e))
    }
}

/// The key file that belongs to a database when none is named: `<db>.key` beside it.
pub fn default_key_path(db: &Path) -> PathBuf {
    insats_store::default_key_path(db)
}

/// The erasure journal that belongs to a database when none is named: `<db>.erasures` beside
/// it.
pub fn default_journal_path(db: &Path) -> PathBuf {
    insats_store::journal::default_path(db)
}

/// The first failure of the database file's storage in this process (e.g. "No space left on
/// device (os error 28)"), after which every read and write of the file fails until the process
/// opens it again. Never personal data.
pub fn storage_failure() -> Option<&'static str> {
    insats_store::storage_failure()
}

/// Sets the most memory each database this process opens from now on may keep for its pages
/// (redb's cache; 1 GiB unless set): see [`insats_store::set_cache_limit`].
pub fn set_cache_limit(bytes: usize) {
    insats_store::set_cache_limit(bytes);
}

/// Wraps the process's panic hook so that a panic deep inside redb while it opens a damaged
/// file (caught, and reported as a damaged database) prints no crash report.
pub fn quiet_panic_hook() {
    insats_store::quiet_panic_hook();
}

impl Service {
    /// Opens an existing register. `clock` picks the clock from whether the file is a demo
    /// database (a demo may run on a fixed day; a real register never does).
    pub fn open(
        path: &Path,
        key: Option<&Path>,
        clock: impl FnOnce(bool) -> Box<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        Self::open_with(path, key, None, clock)
    }

    /// [`Service::open`] with the erasure journal at `journal` instead of the one beside the
    /// database ([`default_journal_path`]); a journal that does not exist yet is made.
    pub fn open_with(
        path: &Path,
        key: Option<&Path>,
        journal: Option<&Path>,
        clock: impl FnOnce(bool) -> Box<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        let store = Store::open(path, key)?;
        let clock = clock(store.is_demo());
        let journal = journal.map_or_else(|| default_journal_path(path), Path::to_path_buf);
        Self::with_journal(store, clock, &journal)
    }

    /// Creates a new register file and its key file (`<path>.key` unless `key` names one), and
    /// its erasure journal beside it; refuses to touch an existing file.
    pub fn create(
        path: &Path,
        key: Option<&Path>,
        demo: bool,
        clock: Box<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        Self::create_with(path, key, None, demo, clock)
    }

    /// [`Service::create`] with the erasure journal at `journal` (when given).
    pub fn create_with(
        path: &Path,
        key: Option<&Path>,
        journal: Option<&Path>,
        demo: bool,
        clock: Box<dyn Clock>,
    ) -> Result<Self, ServiceError> {
        let journal = journal.map_or_else(|| default_journal_path(path), Path::to_path_buf);
        // Checked before anything is made: a journal without its database belongs to a
        // register that is gone, and the new one cannot take it over.
        if journal.exists() && !path.exists() {
            return Err(crate::backup::BackupError::JournalExists { path: journal }.into());
        }
        let store = Store::create(path, key, demo)?;
        Self::with_journal(store, clock, &journal)
    }

    /// Whether this is a demo database (fictitious people; user switching allowed).
    pub fn is_demo(&self) -> bool {
        self.store().is_demo()
    }

    /// Bulk mode: commits skip their fsync until [`Service::flush`] (for building a demo
    /// database, where nothing needs to survive a crash half-way).
    pub fn set_bulk(&self, on: bool) {
        self.store().set_bulk(on);
    }

    /// Makes everything committed so far durable.
    pub fn flush(&self) -> Result<(), ServiceError> {
        Ok(self.store().flush()?)
    }
}

/// What a register holds, in counts only (no personal data): for the demo's summary and an
/// operator's first look at a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    pub associations: usize,
    pub interventions: usize,
    pub users: usize,
    pub participations: u64,
    pub anonymous: u64,
    pub audit_entries: u64,
}

impl Service {
    /// Counts what the register holds, from the stored counters (no participation is read).
    pub fn holdings(&self) -> Result<Holdings, ServiceError> {
        let tx = self.store().read()?;
        let mut s = Holdings::default();
        for a in org::associations(&*tx)? {
            s.associations += 1;
            for i in org::interventions_of(&*tx, a.id)? {
                s.interventions += 1;
                let c = people::counters(&*tx, i.id)?;
                s.participations += c.identified();
                s.anonymous += u64::from(c.anonymous.total());
            }
        }
        s.users = org::users(&*tx)?.len();
        s.audit_entries = audit::head(&*tx)?.0;
        Ok(s)
    }
}

//! Creating and opening the database file: its key file, the schema and key checks, and a damaged
//! or locked file reported clearly; the open store and what it holds.

use super::StoreError;
use crate::crypto::{Crypto, KeyFile};
use crate::pseudonym::Pseudonyms;
use crate::schema::{self, META, META_DEMO, META_KEY_CHECK, META_SCHEMA, SCHEMA_VERSION};
use redb::{Database, DatabaseError, ReadableDatabase};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The open database and its key. One per process.
pub struct Store {
    pub(super) db: Database,
    /// While set, commits are not flushed (building a demo database); see [`Store::set_bulk`].
    pub(super) bulk: std::sync::atomic::AtomicBool,
    /// An erasure happened in bulk mode: scrub at the next flush.
    pub(super) scrub_pending: std::sync::atomic::AtomicBool,
    crypto: Crypto,
    pub(super) pseudonyms: Pseudonyms,
    pub(super) gate: RwLock<()>,
    pub(super) path: PathBuf,
    demo: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

fn map_open_error(path: &Path, e: DatabaseError) -> StoreError {
    match e {
        DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => {
            StoreError::Locked {
                path: path.to_owned(),
            }
        }
        DatabaseError::Storage(redb::StorageError::Io(io))
            if io.kind() == std::io::ErrorKind::WouldBlock =>
        {
            StoreError::Locked {
                path: path.to_owned(),
            }
        }
        other => StoreError::Damaged {
            path: path.to_owned(),
            detail: other.to_string(),
        },
    }
}

thread_local! {
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current thread asked for panics to be kept quiet (see [`quiet_panic_hook`]).
pub fn panics_are_quiet() -> bool {
    QUIET_PANICS.with(std::cell::Cell::get)
}

/// Wraps the process's panic hook so that a panic deep inside redb while it opens a damaged
/// file (caught, and reported as [`StoreError::Damaged`]) prints no crash report.
pub fn quiet_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !panics_are_quiet() {
            previous(info);
        }
    }));
}

/// The most memory redb keeps by default for pages read and pages written but not yet committed:
/// redb's own default, 1 GiB. At 1,000,000 participations the register's file is about 570 MB, so
/// the hot part of the register stays in memory; what a long scan reads (a log review over a
/// year, `audit verify`) stays there too until the limit is reached.
pub const CACHE_BYTES: usize = 1024 * 1024 * 1024;

/// The limit set for this process by [`set_cache_limit`] (0: [`CACHE_BYTES`]).
static CACHE_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Sets the most memory redb may keep for each database this process opens from now on (the
/// CLI's `--cache-mib`): a server with little memory trades speed for it. At least 1 MiB.
pub fn set_cache_limit(bytes: usize) {
    CACHE_LIMIT.store(bytes.max(1024 * 1024), Ordering::Relaxed);
}

/// The cache limit databases are opened with.
pub fn cache_limit() -> usize {
    match CACHE_LIMIT.load(Ordering::Relaxed) {
        0 => CACHE_BYTES,
        n => n,
    }
}

/// Opens the redb file. redb can panic on a file whose pages are garbage rather than return an
/// error; that panic is caught here and becomes a clear "damaged" error.
fn open_guarded(path: &Path) -> Result<Database, StoreError> {
    QUIET_PANICS.with(|q| q.set(true));
    let result =
        std::panic::catch_unwind(|| Database::builder().set_cache_size(cache_limit()).open(path));
    QUIET_PANICS.with(|q| q.set(false));
    match result {
        Ok(opened) => opened.map_err(|e| map_open_error(path, e)),
        Err(_) => Err(StoreError::Damaged {
            path: path.to_owned(),
            detail: "its pages cannot be read".into(),
        }),
    }
}

/// Creates an empty file at `path` that only its owner may read or write (0600).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// The key file that belongs to a database when none is named: `<db>.key` beside it.
pub fn default_key_path(db: &Path) -> PathBuf {
    let mut name = db
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".key");
    db.with_file_name(name)
}

impl Store {
    /// Creates a new database and its key file. Refuses to touch an existing file.
    pub fn create(path: &Path, key_path: Option<&Path>, demo: bool) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        let key_path = key_path.map_or_else(|| default_key_path(path), Path::to_path_buf);
        let key = KeyFile::create(&key_path)?;
        let crypto = key.crypto();
        // The file holds answers in clear: made readable by its owner only before redb fills
        // it (redb takes an empty file as a new database).
        create_private_file(path).map_err(|e| map_open_error(path, e.into()))?;
        let db = Database::builder()
            .set_cache_size(cache_limit())
            .create(path)
            .map_err(|e| map_open_error(path, e))?;
        let tx = db.begin_write()?;
        schema::create_all(&tx)?;
        {
            let mut meta = tx.open_table(META)?;
            meta.insert(META_SCHEMA, SCHEMA_VERSION.to_le_bytes().as_slice())?;
            meta.insert(META_KEY_CHECK, crypto.key_check().as_slice())?;
            meta.insert(META_DEMO, [u8::from(demo)].as_slice())?;
        }
        tx.commit()?;
        Ok(Store {
            db,
            pseudonyms: Pseudonyms::new(&crypto, demo)?,
            crypto,
            bulk: false.into(),
            scrub_pending: false.into(),
            gate: RwLock::new(()),
            path: path.to_owned(),
            demo,
        })
    }

    /// Opens an existing database with its key file, migrating an older schema.
    pub fn open(path: &Path, key_path: Option<&Path>) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotFound {
                path: path.to_owned(),
            });
        }
        let key_path = key_path.map_or_else(|| default_key_path(path), Path::to_path_buf);
        let db = open_guarded(path)?;
        Self::opened(db, path, &key_path)
    }

    /// Opens a database that a restore unpacked into `file` (an unnamed temporary file, named
    /// `label` in messages), with the register's key file, migrating an older schema.
    pub fn open_copy(
        file: std::fs::File,
        label: &Path,
        key_path: &Path,
    ) -> Result<Store, StoreError> {
        QUIET_PANICS.with(|q| q.set(true));
        let result = std::panic::catch_unwind(|| crate::backup::open_copy(file));
        QUIET_PANICS.with(|q| q.set(false));
        let db = result.map_err(|_| StoreError::Damaged {
            path: label.to_owned(),
            detail: "its pages cannot be read".into(),
        })??;
        Self::opened(db, label, key_path)
    }

    fn opened(db: Database, path: &Path, key_path: &Path) -> Result<Store, StoreError> {
        let crypto = KeyFile::load(key_path)?.crypto();
        let mut store = Store {
            db,
            pseudonyms: Pseudonyms::new(&crypto, false)?,
            crypto,
            bulk: false.into(),
            scrub_pending: false.into(),
            gate: RwLock::new(()),
            path: path.to_owned(),
            demo: false,
        };
        // The key is checked before any migration writes to the file (a file without insats
        // metadata is refused by the migration's own check).
        if crate::migrate::stored_version(&store)?.is_some() {
            let tx = store.db.begin_read()?;
            let check = tx
                .open_table(META)?
                .get(META_KEY_CHECK)?
                .map(|v| v.value().to_vec());
            if check.as_deref() != Some(store.crypto.key_check().as_slice()) {
                return Err(StoreError::WrongKey);
            }
        }
        crate::migrate::bring_up_to_date(&store)?;
        let tx = store.db.begin_read()?;
        let meta = tx.open_table(META)?;
        store.demo = meta
            .get(META_DEMO)?
            .is_some_and(|v| v.value().first() == Some(&1));
        if store.demo {
            store.pseudonyms = Pseudonyms::new(&store.crypto, true)?;
        }
        drop(meta);
        drop(tx);
        Ok(store)
    }

    /// A short public name of the register: the first bytes of its key check, in hex. The
    /// erasure journal and backups carry it, so neither is mixed up with another register's.
    pub fn register_id(&self) -> String {
        self.crypto
            .key_check()
            .iter()
            .take(8)
            .fold(String::with_capacity(16), |mut s, b| {
                use std::fmt::Write as _;
                let _ = write!(s, "{b:02x}");
                s
            })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this database holds demo data (shown wherever the database is shown).
    pub fn is_demo(&self) -> bool {
        self.demo
    }

    pub fn crypto(&self) -> &Crypto {
        &self.crypto
    }

    /// The keyed permutation that makes this database's pseudonyms.
    pub fn pseudonyms(&self) -> &Pseudonyms {
        &self.pseudonyms
    }

    /// The raw database, for migrations, the check and the service's bulk import.
    pub fn db(&self) -> &Database {
        &self.db
    }
}

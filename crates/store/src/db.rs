//! Opening the file, transactions, and the reader gate that lets erasure scrub freed pages.

use super::codec::{CodecError, Stored, decode, encode};
use super::crypto::{Crypto, CryptoError, KeyFile};
use super::pseudonym::Pseudonyms;
use super::schema::{
    self, META, META_DEMO, META_KEY_CHECK, META_SCHEMA, META_SCRUB, SCHEMA_VERSION,
};
use redb::{
    Database, DatabaseError, Durability, ReadOnlyTable, ReadTransaction, ReadableDatabase,
    ReadableTable, Table, TableDefinition, WriteTransaction,
};
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

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
    Pseudonym(#[from] super::pseudonym::PseudonymError),
    #[error("database error: {0}")]
    Db(#[from] redb::Error),
    #[error("{what} not found")]
    Missing { what: &'static str },
    #[error("a worker holding the database stopped unexpectedly")]
    Poisoned,
    #[error(
        "an id the import took is in use already (an id sequence is behind the stored records; \
         run `insats check`); nothing was imported"
    )]
    DuplicateId,
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.into())
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

/// Read access to tables, for both read and write transactions.
pub trait Tx {
    type Table<'a, K: redb::Key + 'static, V: redb::Value + 'static>: ReadableTable<K, V>
    where
        Self: 'a;

    fn table<'a, K: redb::Key + 'static, V: redb::Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Self::Table<'a, K, V>, StoreError>;
}

impl Tx for ReadTransaction {
    type Table<'a, K: redb::Key + 'static, V: redb::Value + 'static> = ReadOnlyTable<K, V>;

    fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
    ) -> Result<ReadOnlyTable<K, V>, StoreError> {
        Ok(self.open_table(def)?)
    }
}

impl Tx for WriteTransaction {
    type Table<'a, K: redb::Key + 'static, V: redb::Value + 'static> = Table<'a, K, V>;

    fn table<'a, K: redb::Key + 'static, V: redb::Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Table<'a, K, V>, StoreError> {
        Ok(self.open_table(def)?)
    }
}

/// A read transaction that holds the reader gate: while it lives, erasure waits before it
/// scrubs freed pages (a reader pins the old snapshot, and its pages cannot be reclaimed).
pub struct Reader<'s> {
    tx: ReadTransaction,
    pseudonyms: &'s Pseudonyms,
    _gate: RwLockReadGuard<'s, ()>,
}

impl Reader<'_> {
    /// The permutation that makes the pseudonyms of the database read.
    pub fn pseudonyms(&self) -> &Pseudonyms {
        self.pseudonyms
    }
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reader")
    }
}

impl std::ops::Deref for Reader<'_> {
    type Target = ReadTransaction;
    fn deref(&self) -> &ReadTransaction {
        &self.tx
    }
}

/// The open database and its key. One per process.
pub struct Store {
    db: Database,
    /// While set, commits are not flushed (building a demo database); see [`Store::set_bulk`].
    bulk: std::sync::atomic::AtomicBool,
    /// An erasure happened in bulk mode: scrub at the next flush.
    scrub_pending: std::sync::atomic::AtomicBool,
    crypto: Crypto,
    pseudonyms: Pseudonyms,
    gate: RwLock<()>,
    path: PathBuf,
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

/// Opens the redb file. redb can panic on a file whose pages are garbage rather than return an
/// error; that panic is caught here and becomes a clear "damaged" error.
fn open_guarded(path: &Path) -> Result<Database, StoreError> {
    QUIET_PANICS.with(|q| q.set(true));
    let result = std::panic::catch_unwind(|| Database::builder().open(path));
    QUIET_PANICS.with(|q| q.set(false));
    match result {
        Ok(opened) => opened.map_err(|e| map_open_error(path, e)),
        Err(_) => Err(StoreError::Damaged {
            path: path.to_owned(),
            detail: "its pages cannot be read".into(),
        }),
    }
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
        let db = Database::builder()
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
        let crypto = KeyFile::load(&key_path)?.crypto();
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
        if super::migrate::stored_version(&store)?.is_some() {
            let tx = store.db.begin_read()?;
            let check = tx
                .open_table(META)?
                .get(META_KEY_CHECK)?
                .map(|v| v.value().to_vec());
            if check.as_deref() != Some(store.crypto.key_check().as_slice()) {
                return Err(StoreError::WrongKey);
            }
        }
        super::migrate::bring_up_to_date(&store)?;
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

    /// Begins a read transaction that holds the reader gate.
    pub fn read(&self) -> Result<Reader<'_>, StoreError> {
        let gate = self.gate.read().map_err(|_| StoreError::Poisoned)?;
        let tx = self.db.begin_read()?;
        Ok(Reader {
            tx,
            pseudonyms: &self.pseudonyms,
            _gate: gate,
        })
    }

    /// Begins a durable write transaction: one fsync per commit (redb's checksummed 1-phase
    /// commit), without quick repair. Quick repair would save the allocator state with every
    /// commit and commit in two phases, about 0.25 ms more per registration; without it,
    /// reopening after a crash repairs the file first (about 0.5 s for a million
    /// participations), which a crash can afford and every commit need not pay for.
    pub fn write(&self) -> Result<WriteTransaction, StoreError> {
        if self.bulk.load(std::sync::atomic::Ordering::Relaxed) {
            return self.write_fast();
        }
        Ok(self.db.begin_write()?)
    }

    /// Bulk mode: commits are not flushed to disk until [`Store::flush`] (or the next commit
    /// after bulk mode ends). For building a database that is thrown away if the build fails.
    pub fn set_bulk(&self, on: bool) {
        self.bulk.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Makes everything committed so far durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(META)?
            .insert(META_SCRUB, 0u64.to_le_bytes().as_slice())?;
        tx.commit()?;
        if !self.bulk.load(std::sync::atomic::Ordering::Relaxed)
            && self
                .scrub_pending
                .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            self.scrub()?;
        }
        Ok(())
    }

    /// Begins a write transaction that is not flushed on commit (bulk import batches; the last
    /// batch of an import is committed durably).
    pub fn write_fast(&self) -> Result<WriteTransaction, StoreError> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(Durability::None)
            .map_err(|e| StoreError::Damaged {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
        Ok(tx)
    }

    /// Makes the bytes of erased records unreadable in the file.
    ///
    /// redb never overwrites a page when it frees it; a freed page is zeroed only when it is
    /// allocated again. So after an erasure commit this waits until no reader holds an older
    /// snapshot (new readers wait meanwhile), lets two commits move the freed pages onto the free
    /// list, then allocates every free page of the file to a zero-filled scratch table and drops
    /// it again. Every page that held erased bytes now holds zeros.
    pub fn scrub(&self) -> Result<(), StoreError> {
        if self.bulk.load(std::sync::atomic::Ordering::Relaxed) {
            // Unflushed commits free no pages yet: scrub once when the build is flushed.
            self.scrub_pending
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        let _exclusive = self.gate.write().map_err(|_| StoreError::Poisoned)?;
        self.touch()?;
        self.touch()?;
        for _ in 0..3 {
            let tx = self.write()?;
            let stats = tx.stats()?;
            let page = stats.page_size().max(512) as u64;
            let file_pages = std::fs::metadata(&self.path).map_or(0, |m| m.len()) / page;
            let free = file_pages.saturating_sub(stats.allocated_pages());
            if free == 0 {
                tx.abort()?;
                break;
            }
            {
                // One value per leaf page: three quarters of a page cannot share it.
                let filler = vec![0u8; (page as usize) * 3 / 4];
                let mut table = tx.open_table(SCRUB_FILL)?;
                for k in 0..free {
                    table.insert(k, filler.as_slice())?;
                }
            }
            tx.commit()?;
            let tx = self.write()?;
            tx.delete_table(SCRUB_FILL)?;
            tx.commit()?;
            self.touch()?;
            self.touch()?;
        }
        Ok(())
    }

    /// A small durable commit (a counter in META).
    fn touch(&self) -> Result<(), StoreError> {
        let tx = self.write()?;
        {
            let mut meta = tx.open_table(META)?;
            let n = meta
                .get(META_SCRUB)?
                .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
                .map_or(0, u64::from_le_bytes);
            meta.insert(META_SCRUB, n.wrapping_add(1).to_le_bytes().as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Scratch table that [`Store::scrub`] fills with zeros and drops.
const SCRUB_FILL: TableDefinition<u64, &[u8]> = TableDefinition::new("scrub_fill");

/// Reads and decodes a value by `u64` key.
pub fn get<T: Stored>(
    table: &impl ReadableTable<u64, &'static [u8]>,
    id: u64,
) -> Result<Option<T>, StoreError> {
    match table.get(id)? {
        None => Ok(None),
        Some(v) => Ok(Some(decode(v.value())?)),
    }
}

/// Encodes and writes a value by `u64` key.
pub fn put<T: Stored>(
    table: &mut Table<'_, u64, &'static [u8]>,
    id: u64,
    value: &T,
) -> Result<(), StoreError> {
    let bytes = encode(value)?;
    table.insert(id, bytes.as_slice())?;
    Ok(())
}

/// Takes the next id of a sequence kept in META.
pub fn next_id(tx: &WriteTransaction, sequence: &str) -> Result<u64, StoreError> {
    let key = format!("seq:{sequence}");
    let mut meta = tx.open_table(META)?;
    let current = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    let next = current + 1;
    meta.insert(key.as_str(), next.to_le_bytes().as_slice())?;
    Ok(next)
}

/// Reserves `n` ids of a sequence at once; returns the first.
pub fn reserve_ids(tx: &WriteTransaction, sequence: &str, n: u64) -> Result<u64, StoreError> {
    let key = format!("seq:{sequence}");
    let mut meta = tx.open_table(META)?;
    let current = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    meta.insert(key.as_str(), (current + n).to_le_bytes().as_slice())?;
    Ok(current + 1)
}

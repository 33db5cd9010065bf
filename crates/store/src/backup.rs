//! Online backup: every table of one read snapshot copied into a fresh redb database (redb has
//! no backup API, and copying a file that is being written is unsafe). The read transaction
//! does not block writers: they commit meanwhile, and the copy holds exactly the state of the
//! last commit before the snapshot.

use crate::db::{Reader, Store, StoreError};
use crate::schema::{self, TableVisitor};
use redb::backends::FileBackend;
use redb::{
    Database, ReadTransaction, ReadableTable, StorageBackend, TableDefinition, TableHandle,
};
use std::fs::File;
use std::ops::Bound;

/// How far a copy is: rows copied so far (of [`Counts::rows`] in all, when known).
pub type Progress<'a> = &'a mut dyn FnMut(u64);

/// What a snapshot holds, in counts (no personal data).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows of every table.
    pub rows: u64,
    pub participations: u64,
    pub persons: u64,
    pub consents: u64,
    /// The audit log's last sequence number.
    pub audit_seq: u64,
}

impl Store {
    /// A read snapshot for a backup. It holds the reader gate, so an erasure's scrub waits until
    /// the copy is done (the scrub needs every older snapshot gone); writers do not wait.
    pub fn snapshot(&self) -> Result<Reader<'_>, StoreError> {
        self.read()
    }
}

/// Counts what the snapshot `tx` holds, from the tables' lengths (no row is read).
pub fn counts(tx: &ReadTransaction) -> Result<Counts, StoreError> {
    use redb::ReadableTableMetadata;
    let mut rows = RowCount { tx, rows: 0 };
    schema::for_each_table(&mut rows)?;
    Ok(Counts {
        rows: rows.rows,
        participations: tx.open_table(schema::PARTICIPATIONS)?.len()?,
        persons: tx.open_table(schema::PERSONS)?.len()?,
        consents: tx.open_table(schema::CONSENTS)?.len()?,
        audit_seq: crate::audit::head(tx)?.0,
    })
}

/// Copies every table of `src` into `dst` (a new, empty database) in one write transaction,
/// and commits it. Refuses a snapshot that holds a table this version does not know: it would
/// be missing from the copy. `progress` is told the rows copied so far, now and then.
pub fn copy_all(
    src: &ReadTransaction,
    dst: &Database,
    progress: Progress<'_>,
) -> Result<u64, StoreError> {
    let known = schema::table_names();
    for table in src.list_tables()? {
        if !known.iter().any(|k| k == table.name()) {
            return Err(StoreError::UnknownTable {
                name: table.name().to_owned(),
            });
        }
    }
    let tx = dst.begin_write()?;
    let rows = {
        let mut copy = Copy {
            src,
            dst: &tx,
            rows: 0,
            progress,
        };
        schema::for_each_table(&mut copy)?;
        copy.rows
    };
    tx.commit()?;
    Ok(rows)
}

/// A new database in `file` (empty, typically an unnamed temporary file) whose commits skip
/// the fsync: for a copy that is read back at once and thrown away, durability only costs time
/// and takes the disk from the writers of the live database.
pub fn scratch_database(file: File) -> Result<Database, StoreError> {
    Database::builder()
        .create_with_backend(NoSync(FileBackend::new(file).map_err(redb_error)?))
        .map_err(redb_error)
}

/// Opens a copy made by [`copy_all`] in `file` (a backup being restored), with every commit
/// made durable as usual.
pub fn open_copy(file: File) -> Result<Database, StoreError> {
    Database::builder()
        .create_with_backend(FileBackend::new(file).map_err(redb_error)?)
        .map_err(redb_error)
}

fn redb_error(e: redb::DatabaseError) -> StoreError {
    StoreError::Db(e.into())
}

struct RowCount<'a> {
    tx: &'a ReadTransaction,
    rows: u64,
}

impl TableVisitor for RowCount<'_> {
    type Error = StoreError;
    fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<'static, K, V>,
    ) -> Result<(), StoreError> {
        use redb::ReadableTableMetadata;
        match self.tx.open_table(def) {
            Ok(t) => self.rows += t.len()?,
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }
}

/// Copies one table, row by row in key order.
struct Copy<'a, 'p> {
    src: &'a ReadTransaction,
    dst: &'a redb::WriteTransaction,
    rows: u64,
    progress: Progress<'p>,
}

/// Rows between two reports of progress.
const PROGRESS_EVERY: u64 = 65_536;

impl TableVisitor for Copy<'_, '_> {
    type Error = StoreError;
    fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<'static, K, V>,
    ) -> Result<(), StoreError> {
        let mut to = self.dst.open_table(def)?;
        let from = match self.src.open_table(def) {
            Ok(t) => t,
            // A table an older file never made: empty in the copy too.
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        for row in from.iter()? {
            let (k, v) = row?;
            to.insert(k.value(), v.value())?;
            self.rows += 1;
            if self.rows.is_multiple_of(PROGRESS_EVERY) {
                (self.progress)(self.rows);
            }
        }
        (self.progress)(self.rows);
        Ok(())
    }
}

/// A file backend whose `sync_data` does nothing (see [`scratch_database`]).
#[derive(Debug)]
struct NoSync(FileBackend);

type IoResult<T> = Result<T, std::io::Error>;
type LockResult<T> = Result<T, redb::BackendError>;

impl StorageBackend for NoSync {
    fn len(&self) -> IoResult<u64> {
        self.0.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> IoResult<()> {
        self.0.read(offset, out)
    }
    fn set_len(&self, len: u64) -> IoResult<()> {
        self.0.set_len(len)
    }
    fn sync_data(&self) -> IoResult<()> {
        Ok(())
    }
    fn write(&self, offset: u64, data: &[u8]) -> IoResult<()> {
        self.0.write(offset, data)
    }
    fn close(&self) -> IoResult<()> {
        self.0.close()
    }
    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> LockResult<bool> {
        self.0.try_lock_range(start, end)
    }
    fn try_lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> LockResult<bool> {
        self.0.try_lock_shared_range(start, end)
    }
    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> LockResult<()> {
        self.0.lock_range(start, end)
    }
    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> LockResult<()> {
        self.0.lock_shared_range(start, end)
    }
    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> LockResult<()> {
        self.0.unlock_range(start, end)
    }
    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> LockResult<bool> {
        self.0.query_lock_range(start, end)
    }
}

//! Transactions: read access to tables, reads that hold the reader gate, durable and bulk
//! writes, and scrubbing the pages that erasure freed.

use super::{Store, StoreError};
use crate::pseudonym::Pseudonyms;
use crate::schema::{META, META_SCRUB};
use redb::{
    Durability, ReadOnlyTable, ReadTransaction, ReadableDatabase, ReadableTable, Table,
    TableDefinition, WriteTransaction,
};
use std::sync::RwLockReadGuard;

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

impl Store {
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

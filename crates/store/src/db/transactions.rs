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
    /// redb never overwrites a page when it frees it; and when it allocates the page again, it
    /// starts from zeros only if the page is not in its read cache — a page read a moment ago
    /// (the one an erasure changed) keeps its old bytes wherever the new content does not reach.
    /// So after an erasure commit this waits until no reader holds an older snapshot (new readers
    /// wait meanwhile), lets two commits move the freed pages onto the free list, then allocates
    /// every free page of the file to a scratch table of zeros whose every leaf fills its page to
    /// the last few bytes, and drops it again. The scratch table's branch pages do not fill
    /// theirs, and redb gives a freed page back to its allocator only some commits later, so
    /// this runs five rounds, each inserting in a different order: a page that was a branch, or
    /// not yet free, in one round is a leaf of zeros in a later one.
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
        self.touch()?;
        self.touch()?;
        for round in 0..5u64 {
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
                // One value per leaf, filling it all but a few bytes: a leaf of one pair is a
                // 4-byte header, the value's 4-byte end offset, the 8-byte key and the value,
                // and must stay within one page.
                let filler = vec![0u8; usize::try_from(page).unwrap_or(4096) - 24];
                let mut table = tx.open_table(SCRUB_FILL)?;
                // The allocator's count of its pages is not the file's: some free pages are not
                // in it. A margin reaches them too (the file may grow by as much, once).
                let free = free + free / 8 + 64;
                for k in 0..free {
                    let key = match round {
                        0 => k,
                        1 => free - 1 - k,
                        // Evens, then odds (and the other way round).
                        r => {
                            let half = free.div_ceil(2);
                            let (first, second) = if r % 2 == 0 { (0, 1) } else { (1, 0) };
                            if k < half {
                                k * 2 + first
                            } else {
                                (k - half) * 2 + second
                            }
                        }
                    };
                    table.insert(key, filler.as_slice())?;
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

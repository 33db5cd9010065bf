//! Every erasure recorded in the erasure journal (domain.md §10) before it commits, so that a
//! restore can apply it again: misregistration, protected identity, retention purges and the
//! removal of unused consents. The record holds ids and times only.

use crate::backup::BackupError;
use crate::core::{Notice, Service};
use crate::{Clock, ServiceError};
use insats_store::journal::{Erasure, Journal, Kind, Step};
use insats_store::{Store, Tx, people};
use redb::WriteTransaction;
use std::path::Path;

/// What an erasure did, for the journal: its kind and its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Erased {
    pub kind: Kind,
    pub steps: Vec<Step>,
}

impl Erased {
    pub fn new(kind: Kind) -> Self {
        Self {
            kind,
            steps: Vec::new(),
        }
    }
}

/// Opens the journal of `store` at `path` (making it when missing). If its last erasure's
/// commit was cut off by a crash — its records are all still in the database — it is voided:
/// it never happened.
pub(crate) fn open(store: &Store, clock: &dyn Clock, path: &Path) -> Result<Journal, ServiceError> {
    let mut journal =
        Journal::open(path, &store.register_id(), clock.now_ms()).map_err(BackupError::from)?;
    if let Some(last) = journal.last_open().cloned() {
        let tx = store.read()?;
        if still_present(&*tx, &last)? {
            drop(tx);
            journal
                .void(last.n, clock.now_ms())
                .map_err(BackupError::from)?;
        }
    }
    Ok(journal)
}

/// Whether every record an erasure deleted is still in the database (so it did not commit).
/// An erasure whose steps name no record of its own (none do) counts as committed.
fn still_present(tx: &impl Tx, e: &Erasure) -> Result<bool, ServiceError> {
    let mut checked = false;
    for step in &e.steps {
        let present = match *step {
            Step::Erase(p) | Step::Anonymise(p) => people::participation(tx, p)?.is_some(),
            Step::DeleteConsent(c) => people::consent(tx, c)?.is_some(),
            Step::ProtectPerson(x) => people::person(tx, x)?.is_some(),
            Step::PersonIfUnreferenced(_) => continue,
        };
        if !present {
            return Ok(false);
        }
        checked = true;
    }
    Ok(checked)
}

impl Service {
    /// Commits `tx` holding the erasure `erased`: the journal record is appended (and fsync'd)
    /// first, and voided if the commit then fails. Without steps it is an ordinary commit.
    pub(crate) fn commit_erasure(
        &self,
        tx: WriteTransaction,
        notices: &[Notice],
        erased: Erased,
    ) -> Result<(), ServiceError> {
        if erased.steps.is_empty() {
            return self.commit(tx, notices);
        }
        let journal = self.inner.journal.as_ref().ok_or(BackupError::NoJournal)?;
        let mut journal = journal.lock().map_err(|_| BackupError::NoJournal)?;
        let n = journal
            .append(self.clock().now_ms(), erased.kind, erased.steps)
            .map_err(BackupError::from)?;
        let committed = self.commit(tx, notices);
        if committed.is_err() {
            // Best effort: were the void lost too, a restore would apply the erasure to
            // records that are still there — erring on the side of the person erased.
            let _ = journal.void(n, self.clock().now_ms());
        }
        committed
    }
}

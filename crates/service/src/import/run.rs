//! The import as a whole: its rows and report, the checking and writing threads, the audit
//! entries per intervention and batch, and the single commit.

use super::check::{Checker, Place};
use crate::core::Notice;
use crate::error::{DENIED_ADMIN, ServiceError};
use crate::session::Session;
use chrono::NaiveDate;
use insats_domain::audit::Action;
use insats_domain::consent::ConsentEvidence;
use insats_domain::ids::InterventionId;
use insats_domain::person::{Gender, Identity};
use insats_domain::questionnaire::{Answers, EndReason};
use insats_domain::user::Role;
use insats_store::StoreError;
use redb::{ReadableDatabase, WriteTransaction};
use std::collections::HashMap;

use insats_store::bulk as write;

/// One participation to import.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub identity: Identity,
    /// `None`: from the personnummer.
    pub gender: Option<Gender>,
    pub intervention: InterventionId,
    pub consent: ConsentEvidence,
    pub in_date: NaiveDate,
    pub answers_in: Answers,
    pub out: Option<ImportOut>,
}

/// The registration out of an imported participation.
#[derive(Debug, Clone)]
pub struct ImportOut {
    pub date: NaiveDate,
    pub reason: EndReason,
    pub answers: Option<Answers>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub participations: u64,
    pub persons_created: u64,
}

/// Rows per audit entry.
const BATCH: u64 = 50_000;

impl Session {
    /// Imports participations (system administrator). Refuses the whole import at the first
    /// row a rule refuses, naming the row (counted from 1) and the rule.
    pub fn import(
        &self,
        rows: impl IntoIterator<Item = ImportRow>,
    ) -> Result<ImportReport, ServiceError> {
        self.import_in_batches(rows, BATCH)
    }

    /// [`Session::import`] with one audit entry per intervention and `batch` rows.
    pub(super) fn import_in_batches(
        &self,
        rows: impl IntoIterator<Item = ImportRow>,
        batch: u64,
    ) -> Result<ImportReport, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let store = self.service.store();
        let tx = store.write()?;
        // The database as this import found it, for looking up people already in it while the
        // writer thread holds the tables open. Begun after the write transaction, so no other
        // commit comes between them, and dropped before it commits. It bypasses the reader
        // gate: `scrub` holds that gate exclusively while it waits for the write lock this
        // import holds, and by the time scrub gets the lock this snapshot is gone.
        let snapshot = store.db().begin_read().map_err(StoreError::from)?;
        let (checked, written) = std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel(2);
            let (give_back, spent) = std::sync::mpsc::channel();
            let tx = &tx;
            let crypto = store.crypto();
            let writer = scope.spawn(move || write::records(tx, crypto, &receive, &give_back));
            let checked = Checker::new(self, tx, &snapshot, batch)
                .and_then(|checker| checker.run(rows, &send, &spent));
            drop(send);
            let written = writer.join().map_err(|_| StoreError::Poisoned)?;
            // A writer that failed stops the checking early: its error is the one to report.
            let written = written?;
            Ok::<_, ServiceError>((checked?, written))
        })?;
        drop(snapshot);
        write::indexes(&tx, written)?;
        let checked = {
            let mut checked = checked;
            let tally = std::mem::take(&mut checked.tally);
            write::follow_up(&tx, tally)?;
            checked
        };
        for batch in &checked.batches {
            self.audit_batch(&tx, &checked.places, batch)?;
        }
        let notices: Vec<Notice> = checked
            .places
            .keys()
            .map(|i| Notice::new(self.id, Action::ImportBatch, None, Some(*i)))
            .collect();
        self.service.commit(tx, &notices)?;
        Ok(checked.report)
    }

    /// One audit entry per intervention for one batch of rows.
    fn audit_batch(
        &self,
        tx: &WriteTransaction,
        places: &HashMap<InterventionId, Place>,
        batch: &[(InterventionId, u64)],
    ) -> Result<(), ServiceError> {
        for (i, n) in batch {
            let association = places.get(i).map(|p| p.association.id);
            let draft = self.draft(
                Action::ImportBatch,
                association,
                Some(*i),
                None,
                &["participations"],
                format!("{n} participations"),
            );
            self.service.audit(tx, draft)?;
        }
        Ok(())
    }
}

//! Bulk import of participations (moving a register over from another system): every row is
//! checked by the same rules as a registration by hand, the whole import is one write
//! transaction (all or nothing), and the audit log gets one entry per intervention and batch.
//!
//! A million rows take seconds, not minutes, because of how the work is laid out, not because
//! any of it is skipped:
//! - Two threads. This one checks each row against the rules, gives out ids and draws
//!   pseudonyms; a writer thread ([`write`]) seals new identities, encodes the records and puts
//!   them in their tables (tables of one redb write transaction may be used from several
//!   threads). Chunks of rows go back and forth, so the rows' memory is freed on the thread
//!   that allocated it.
//! - Records go into redb through a cursor, which packs runs of ascending keys into full leaves
//!   instead of descending the tree once per key. Ids are ascending by construction; the
//!   indexes and pseudonyms are collected and go in sorted at the end.
//! - Everything the rules need about the import's own rows is kept in memory (people met, their
//!   earlier participations without answers), so no row reads back what an earlier one wrote.
//!
//! One transaction, not batches: with cursor inserts and nothing read back its cost grows
//! linearly (measured to a million rows; the file's data, ~0.5 GB then, is written and flushed
//! once, at the commit), and it keeps every guarantee without extra machinery. A refused row or any
//! error drops the transaction, so nothing of the import remains; a crash before the single
//! durable commit leaves the database as it was (redb recovers to the last durable commit);
//! other sessions never see half an import, and their writes wait for it instead of
//! interleaving with it.

use super::core::Notice;
use super::error::{DENIED_ADMIN, ServiceError};
use super::session::Session;
use chrono::NaiveDate;
use insats_domain::audit::Action;
use insats_domain::consent::{Consent, ConsentEvidence};
use insats_domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use insats_domain::intervention::Intervention;
use insats_domain::organisation::Association;
use insats_domain::participation::{
    self, Command, Facts, Outcome, ParticipationSummary, RegisterIn,
};
use insats_domain::person::{Gender, Identity};
use insats_domain::questionnaire::{Answers, Catalogue, EndReason};
use insats_domain::user::Role;
use insats_store::crypto::Crypto;
use insats_store::people::{self, PersonRow, Subject};
use insats_store::pseudonym::Pseudonyms;
use insats_store::schema::{PERSONS, PERSONS_BY_PNR};
use insats_store::{StoreError, Tx, org, reserve_ids};
use redb::{ReadOnlyTable, ReadTransaction, ReadableDatabase, WriteTransaction};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;
use std::sync::mpsc::{Receiver, SyncSender};

use insats_store::bulk as write;

#[cfg(test)]
mod tests;

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
/// Rows handed to the writer thread at a time.
const CHUNK: usize = 4_096;

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
    fn import_in_batches(
        &self,
        rows: impl IntoIterator<Item = ImportRow>,
        batch: u64,
    ) -> Result<ImportReport, ServiceError> {
        if self.role != Role::SystemAdmin {
            return Err(ServiceError::Denied(DENIED_ADMIN));
        }
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

/// An intervention rows go to, and what the import adds to it.
struct Place {
    intervention: Intervention,
    association: Association,
    catalogue: Catalogue,
    /// Participations in the current batch of rows.
    in_batch: u64,
}

/// A person met in this import: created by it or already in the database.
struct Known {
    id: PersonId,
    withdrawn_on: Option<NaiveDate>,
    /// Their latest participation in [`History`].
    last: usize,
}

/// The participations of the people met, without answers (what the rules on overlaps look
/// at): one list per person, linked backwards through one buffer, so that a million people
/// need no million small buffers.
#[derive(Default)]
struct History {
    /// For each participation: its intervention and the position of the same person's
    /// previous one. Kept apart from the participations, so that walking a list touches little
    /// memory.
    links: Vec<(InterventionId, usize)>,
    entries: Vec<ParticipationSummary>,
    /// A person's participations in one intervention, oldest first (reused buffer).
    others: Vec<ParticipationSummary>,
}

impl History {
    /// Marks the end of a person's list.
    const NONE: usize = usize::MAX;

    fn add(&mut self, last: &mut usize, p: ParticipationSummary) {
        self.links.push((p.intervention, *last));
        self.entries.push(p);
        *last = self.entries.len() - 1;
    }

    /// The participations in intervention `i` of the person whose latest is `last`.
    fn of(&mut self, last: usize, i: InterventionId) -> &[ParticipationSummary] {
        self.others.clear();
        let mut at = last;
        while let Some((intervention, previous)) = self.links.get(at) {
            if *intervention == i
                && let Some(p) = self.entries.get(at)
            {
                self.others.push(*p);
            }
            at = *previous;
        }
        self.others.reverse();
        &self.others
    }
}

/// What checking the rows leaves for the end of the import.
struct Checked {
    places: HashMap<InterventionId, Place>,
    /// Participations per intervention in each batch of rows, in order.
    batches: Vec<Vec<(InterventionId, u64)>>,
    report: ImportReport,
}

/// Checks rows one by one against the rules, the database as it was and the rows before them,
/// and hands what is to be written to the writer thread.
struct Checker<'a> {
    session: &'a Session,
    tx: &'a WriteTransaction,
    snapshot: &'a ReadTransaction,
    crypto: &'a Crypto,
    today: NaiveDate,
    pnr_index: ReadOnlyTable<&'static [u8], u64>,
    persons: ReadOnlyTable<u64, &'static [u8]>,
    places: HashMap<InterventionId, Place>,
    people: HashMap<[u8; 32], Known, BuildHasherDefault<KeyedHashHasher>>,
    history: History,
    person_ids: IdBlock,
    consent_ids: IdBlock,
    participation_ids: IdBlock,
    pseudonyms: &'a Pseudonyms,
    /// Rows per audit entry.
    batch: u64,
    batches: Vec<Vec<(InterventionId, u64)>>,
    report: ImportReport,
}

impl<'a> Checker<'a> {
    fn new(
        session: &'a Session,
        tx: &'a WriteTransaction,
        snapshot: &'a ReadTransaction,
        batch: u64,
    ) -> Result<Self, ServiceError> {
        let service = &session.service;
        Ok(Checker {
            session,
            tx,
            snapshot,
            crypto: service.store().crypto(),
            today: service.clock().today(),
            pnr_index: snapshot.table(PERSONS_BY_PNR)?,
            persons: snapshot.table(PERSONS)?,
            places: HashMap::new(),
            people: HashMap::default(),
            history: History::default(),
            person_ids: IdBlock::new("person"),
            consent_ids: IdBlock::new("consent"),
            participation_ids: IdBlock::new("participation"),
            pseudonyms: service.store().pseudonyms(),
            batch,
            batches: Vec::new(),
            report: ImportReport::default(),
        })
    }

    fn run(
        mut self,
        rows: impl IntoIterator<Item = ImportRow>,
        send: &SyncSender<write::Chunk>,
        spent: &Receiver<write::Chunk>,
    ) -> Result<Checked, ServiceError> {
        let mut chunk = write::Chunk::with_capacity(CHUNK);
        let rows = rows.into_iter();
        // Room for as many people as rows, up to a million, to save growing the table.
        self.people.reserve(rows.size_hint().0.min(1 << 20));
        for (index, row) in rows.enumerate() {
            self.row(index + 1, row, &mut chunk)?;
            if chunk.participations.len() == CHUNK {
                // The rows' answers are freed on this thread, which allocated them.
                let mut next = spent
                    .try_recv()
                    .unwrap_or_else(|_| write::Chunk::with_capacity(CHUNK));
                next.clear();
                let full = std::mem::replace(&mut chunk, next);
                // The writer hangs up only when it failed; the caller reports its error.
                send.send(full).map_err(|_| StoreError::Poisoned)?;
            }
        }
        send.send(chunk).map_err(|_| StoreError::Poisoned)?;
        self.close_batch();
        Ok(Checked {
            places: self.places,
            batches: self.batches,
            report: self.report,
        })
    }

    /// Checks one row (numbered from 1) and adds its records to `chunk`.
    fn row(
        &mut self,
        number: usize,
        row: ImportRow,
        chunk: &mut write::Chunk,
    ) -> Result<(), ServiceError> {
        let fail = |error: ServiceError| ServiceError::Import {
            row: number,
            message: error.to_string(),
        };
        if let Entry::Vacant(slot) = self.places.entry(row.intervention) {
            let intervention =
                org::intervention(self.snapshot, row.intervention)?.ok_or_else(|| {
                    fail(ServiceError::NotFound {
                        what: "intervention",
                        id: row.intervention.to_string(),
                    })
                })?;
            let association = Session::association_of(self.snapshot, &intervention)?;
            let catalogue = association.catalogue(self.session.service.catalogue());
            slot.insert(Place {
                intervention,
                association,
                catalogue,
                in_batch: 0,
            });
        }
        // The person: met earlier in this import, already in the database, or new.
        let hash = people::pnr_hash(self.crypto, &row.identity.pnr);
        let created;
        let known = match self.people.entry(hash) {
            Entry::Occupied(slot) => {
                created = false;
                slot.into_mut()
            }
            Entry::Vacant(slot) => {
                let existing = self
                    .pnr_index
                    .get(hash.as_slice())?
                    .map(|v| PersonId(v.value()));
                created = existing.is_none();
                let known = if let Some(id) = existing {
                    already_stored(self.snapshot, &self.persons, &mut self.history, id)?
                } else {
                    Known {
                        id: PersonId(self.person_ids.take(self.tx)?),
                        withdrawn_on: None,
                        last: History::NONE,
                    }
                };
                slot.insert(known)
            }
        };
        let Some(place) = self.places.get_mut(&row.intervention) else {
            return Err(StoreError::Missing {
                what: "intervention",
            }
            .into());
        };
        let facts = Facts {
            today: self.today,
            association_start: place.association.start,
            association_end: place.association.end,
            intervention: &place.intervention,
            catalogue: &place.catalogue,
        };
        let consent = Consent {
            id: ConsentId(self.consent_ids.take(self.tx)?),
            intervention: row.intervention,
            person: known.id,
            pseudonym: Pseudonym(0),
            evidence: row.consent,
            recorded_on: self.today,
            used_by: None,
        };
        let (mut p, _) = participation::register_in(
            &facts,
            RegisterIn {
                id: ParticipationId(0),
                pseudonym: Pseudonym(0),
                person: known.id,
                age: row.identity.pnr.age_on(row.in_date),
                gender: row.gender.unwrap_or_else(|| row.identity.pnr.gender()),
                consent: &consent,
                withdrawn_on: known.withdrawn_on,
                others: self.history.of(known.last, row.intervention),
                in_date: row.in_date,
                answers: row.answers_in,
            },
        )
        .map_err(|e| fail(e.into()))?;
        if let Some(out) = row.out {
            if out.reason.is_misregistration() {
                return Err(fail(ServiceError::Conflict(
                    "a misregistered participation is not imported",
                )));
            }
            let cmd = Command::RegisterOut {
                date: out.date,
                reason: out.reason,
                answers: out.answers,
            };
            // `apply` answers with an updated copy. The answers given at registration in play
            // no part in the rules of registering out (`register_out_ignores_answers_in` below
            // holds them to that), so it gets the participation without them, which spares a
            // deep copy per row, and they move over to the copy.
            let answers_in = std::mem::replace(&mut p.answers_in, Answers::new(0));
            let (outcome, _) = participation::apply(&facts, &p, cmd).map_err(|e| fail(e.into()))?;
            p.answers_in = answers_in;
            if let Outcome::Updated(mut next) = outcome {
                next.answers_in = std::mem::replace(&mut p.answers_in, Answers::new(0));
                p = next;
            }
        }
        // Checked: hand over for writing.
        p.id = ParticipationId(self.participation_ids.take(self.tx)?);
        p.pseudonym = self.pseudonyms.of(Subject::Participation(p.id))?;
        if created {
            let pseudonym = self.pseudonyms.of(Subject::Person(known.id))?;
            chunk.persons.push(write::NewPerson {
                id: known.id,
                identity: row.identity,
                pseudonym,
            });
            self.report.persons_created += 1;
        }
        chunk.consents.push(Consent {
            pseudonym: self.pseudonyms.of(Subject::Consent(consent.id))?,
            used_by: Some(p.id),
            ..consent
        });
        self.history
            .add(&mut known.last, ParticipationSummary::from(&p));
        place.in_batch += 1;
        chunk.participations.push(p);
        self.report.participations += 1;
        if self.report.participations.is_multiple_of(self.batch) {
            self.close_batch();
        }
        Ok(())
    }

    /// Ends a batch of rows: its audit entries are written at the end, in order.
    fn close_batch(&mut self) {
        let mut counts: Vec<_> = self
            .places
            .iter_mut()
            .filter(|(_, p)| p.in_batch > 0)
            .map(|(i, p)| (*i, std::mem::take(&mut p.in_batch)))
            .collect();
        if !counts.is_empty() {
            counts.sort_unstable();
            self.batches.push(counts);
        }
    }
}

/// Hashes the keyed hash of a personnummer by its first eight bytes. An HMAC output is
/// uniformly distributed, and nobody without the key can steer it, so this is as good as a
/// keyed hasher (as the standard one is) at a fraction of the cost.
#[derive(Default)]
struct KeyedHashHasher(u64);

impl std::hash::Hasher for KeyedHashHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut first = [0; 8];
        let n = bytes.len().min(8);
        first[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(first);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A person already in the database, with their participations there.
fn already_stored(
    snapshot: &ReadTransaction,
    persons: &ReadOnlyTable<u64, &'static [u8]>,
    history: &mut History,
    id: PersonId,
) -> Result<Known, ServiceError> {
    let row: Option<PersonRow> = insats_store::get(persons, id.0)?;
    let mut last = History::NONE;
    for p in insats_store::summary::summaries_of_person(snapshot, id)? {
        history.add(&mut last, p);
    }
    Ok(Known {
        id,
        withdrawn_on: row.and_then(|r| r.withdrawn_on),
        last,
    })
}

/// Ids taken from a sequence in blocks, so a large import does not touch the sequence per row.
/// Unused ids of the last block are left as a gap, which is harmless.
struct IdBlock {
    sequence: &'static str,
    next: u64,
    end: u64,
}

impl IdBlock {
    const SIZE: u64 = 4096;

    fn new(sequence: &'static str) -> Self {
        Self {
            sequence,
            next: 0,
            end: 0,
        }
    }

    fn take(&mut self, tx: &WriteTransaction) -> Result<u64, ServiceError> {
        if self.next == self.end {
            self.next = reserve_ids(tx, self.sequence, Self::SIZE)?;
            self.end = self.next + Self::SIZE;
        }
        let id = self.next;
        self.next += 1;
        Ok(id)
    }
}

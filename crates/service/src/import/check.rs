//! Checking the rows: each against the same rules as a registration by hand, the database as
//! the import found it and the rows before it; ids and pseudonyms given out in blocks, and the
//! records handed to the writer thread.

use super::history::{History, KeyedHashHasher, Known, already_stored};
use super::run::{ImportReport, ImportRow};
use crate::error::ServiceError;
use crate::session::Session;
use chrono::NaiveDate;
use insats_domain::consent::Consent;
use insats_domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use insats_domain::intervention::Intervention;
use insats_domain::organisation::Association;
use insats_domain::participation::{
    self, Command, Facts, Outcome, ParticipationSummary, RegisterIn,
};
use insats_domain::questionnaire::{Answers, Catalogue};
use insats_store::crypto::Crypto;
use insats_store::people::{self, Subject};
use insats_store::pseudonym::Pseudonyms;
use insats_store::schema::{PERSONS, PERSONS_BY_PNR};
use insats_store::{StoreError, Tx, org, reserve_ids};
use redb::{ReadOnlyTable, ReadTransaction, WriteTransaction};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;
use std::sync::mpsc::{Receiver, SyncSender};

use insats_store::bulk as write;

/// Rows handed to the writer thread at a time.
const CHUNK: usize = 4_096;

/// An intervention rows go to, and what the import adds to it.
pub(super) struct Place {
    intervention: Intervention,
    pub(super) association: Association,
    catalogue: Catalogue,
    /// Participations in the current batch of rows.
    in_batch: u64,
}

/// What checking the rows leaves for the end of the import.
pub(super) struct Checked {
    pub(super) places: HashMap<InterventionId, Place>,
    /// The follow-up aggregates of the participations written.
    pub(super) tally: insats_domain::follow_up::Tally,
    /// Participations per intervention in each batch of rows, in order.
    pub(super) batches: Vec<Vec<(InterventionId, u64)>>,
    pub(super) report: ImportReport,
}

/// Checks rows one by one against the rules, the database as it was and the rows before them,
/// and hands what is to be written to the writer thread.
pub(super) struct Checker<'a> {
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
    tally: insats_domain::follow_up::Tally,
}

impl<'a> Checker<'a> {
    pub(super) fn new(
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
            tally: insats_domain::follow_up::Tally::default(),
            report: ImportReport::default(),
        })
    }

    pub(super) fn run(
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
            tally: self.tally,
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
        self.tally.add(&p);
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

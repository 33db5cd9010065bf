//! Bulk import of participations (moving a register over from another system): every row is
//! checked by the same rules as a registration by hand, the whole import is one write
//! transaction (all or nothing), and the audit log gets one entry per intervention and batch.

use super::core::Notice;
use super::error::{DENIED_ADMIN, ServiceError};
use super::session::Session;
use crate::domain::audit::Action;
use crate::domain::consent::{Consent, ConsentEvidence};
use crate::domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use crate::domain::intervention::Intervention;
use crate::domain::organisation::Association;
use crate::domain::participation::{self, Command, Facts, Outcome, Participation, RegisterIn};
use crate::domain::person::{Gender, Identity};
use crate::domain::questionnaire::{Answers, Catalogue, EndReason};
use crate::domain::report::Counters;
use crate::domain::user::Role;
use crate::store::codec::encode;
use crate::store::people::{self, PersonRow, Subject};
use crate::store::schema::{
    CONSENTS, CONSENTS_BY_PERSON, COUNTERS, PARTICIPATIONS, PARTICIPATIONS_BY_INTERVENTION,
    PARTICIPATIONS_BY_PERSON, PERSONS, PERSONS_BY_PNR, PSEUDONYMS,
};
use crate::store::{StoreError, org, reserve_ids};
use chrono::NaiveDate;
use redb::ReadableTable;
use std::collections::HashMap;

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
const BATCH: usize = 50_000;

struct Place {
    intervention: Intervention,
    association: Association,
    catalogue: Catalogue,
}

impl Session {
    /// Imports participations (system administrator). Refuses the whole import at the first
    /// row a rule refuses, naming the row (counted from 1) and the rule.
    pub fn import(
        &self,
        rows: impl IntoIterator<Item = ImportRow>,
    ) -> Result<ImportReport, ServiceError> {
        if self.role != Role::SystemAdmin {
            return Err(ServiceError::Denied(DENIED_ADMIN));
        }
        let store = self.service.store();
        let crypto = store.crypto();
        let today = self.service.clock().today();
        let tx = store.write()?;
        let mut places: HashMap<InterventionId, Place> = HashMap::new();
        let mut known: HashMap<[u8; 32], PersonId> = HashMap::new();
        let mut history: HashMap<(PersonId, InterventionId), Vec<Participation>> = HashMap::new();
        let mut counters: HashMap<InterventionId, Counters> = HashMap::new();
        let mut pnr_pairs: Vec<([u8; 32], u64)> = Vec::new();
        let mut pseudonyms: Vec<(u64, Subject)> = Vec::new();
        let mut batch_counts: HashMap<InterventionId, u64> = HashMap::new();
        let mut report = ImportReport::default();
        let mut random = RandomPool::default();
        {
            let mut t_persons = tx.open_table(PERSONS)?;
            let t_pnr = tx.open_table(PERSONS_BY_PNR)?;
            let mut t_consents = tx.open_table(CONSENTS)?;
            let mut t_consents_by_person = tx.open_table(CONSENTS_BY_PERSON)?;
            let mut t_parts = tx.open_table(PARTICIPATIONS)?;
            let mut t_by_intervention = tx.open_table(PARTICIPATIONS_BY_INTERVENTION)?;
            let mut t_by_person = tx.open_table(PARTICIPATIONS_BY_PERSON)?;
            let mut person_ids = IdBlock::new("person");
            let mut consent_ids = IdBlock::new("consent");
            let mut participation_ids = IdBlock::new("participation");
            for (index, row) in rows.into_iter().enumerate() {
                let fail = |error: ServiceError| ServiceError::Import {
                    row: index + 1,
                    message: error.to_string(),
                };
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    places.entry(row.intervention)
                {
                    let intervention =
                        org::intervention(&tx, row.intervention)?.ok_or_else(|| {
                            fail(ServiceError::NotFound {
                                what: "intervention",
                                id: row.intervention.to_string(),
                            })
                        })?;
                    let association = Self::association_of(&tx, &intervention)?;
                    let catalogue = association.catalogue(self.service.catalogue());
                    slot.insert(Place {
                        intervention,
                        association,
                        catalogue,
                    });
                }
                let Some(place) = places.get(&row.intervention) else {
                    continue;
                };
                let facts = Facts {
                    today,
                    association_start: place.association.start,
                    association_end: place.association.end,
                    intervention: &place.intervention,
                    catalogue: &place.catalogue,
                };
                // The person: created in this import, already in the database, or new.
                let hash = people::pnr_hash(crypto, &row.identity.pnr);
                let existing = match known.get(&hash) {
                    Some(p) => Some(*p),
                    None => t_pnr.get(&hash)?.map(|v| PersonId(v.value())),
                };
                let (person, withdrawn_on, created) = match existing {
                    Some(p) => {
                        let row: Option<PersonRow> = crate::store::get(&t_persons, p.0)?;
                        (p, row.and_then(|r| r.withdrawn_on), false)
                    }
                    None => (PersonId(person_ids.take(&tx)?), None, true),
                };
                let consent = Consent {
                    id: ConsentId(consent_ids.take(&tx)?),
                    intervention: row.intervention,
                    person,
                    pseudonym: Pseudonym(0),
                    evidence: row.consent,
                    recorded_on: today,
                    used_by: None,
                };
                let key = (person, row.intervention);
                if !created && !history.contains_key(&key) {
                    // The tables are open for writing here, so read through them.
                    let mut earlier: Vec<Participation> = Vec::new();
                    for entry in t_by_person.range((person.0, 0)..=(person.0, u64::MAX))? {
                        let id = entry?.0.value().1;
                        let p: Option<Participation> = crate::store::get(&t_parts, id)?;
                        earlier.extend(p.filter(|p| p.intervention == row.intervention));
                    }
                    history.insert(key, earlier);
                }
                let others = history.get(&key).map_or(&[][..], Vec::as_slice);
                let (mut p, _) = participation::register_in(
                    &facts,
                    RegisterIn {
                        id: ParticipationId(0),
                        pseudonym: Pseudonym(0),
                        person,
                        age: row.identity.pnr.age_on(row.in_date),
                        gender: row.gender.unwrap_or_else(|| row.identity.pnr.gender()),
                        consent: &consent,
                        withdrawn_on,
                        others,
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
                    if let (Outcome::Updated(next), _) =
                        participation::apply(&facts, &p, cmd).map_err(|e| fail(e.into()))?
                    {
                        p = next;
                    }
                }
                // Checked: write.
                p.id = ParticipationId(participation_ids.take(&tx)?);
                p.pseudonym = Pseudonym(random.next()?);
                pseudonyms.push((p.pseudonym.0, Subject::Participation(p.id)));
                if created {
                    let pseudonym = Pseudonym(random.next()?);
                    pseudonyms.push((pseudonym.0, Subject::Person(person)));
                    let sealed = people::seal_person(crypto, person, &row.identity, pseudonym)?;
                    t_persons.insert(person.0, encode(&sealed)?.as_slice())?;
                    pnr_pairs.push((hash, person.0));
                    known.insert(hash, person);
                    report.persons_created += 1;
                }
                let consent_pseudonym = Pseudonym(random.next()?);
                pseudonyms.push((consent_pseudonym.0, Subject::Consent(consent.id)));
                let consent = Consent {
                    pseudonym: consent_pseudonym,
                    used_by: Some(p.id),
                    ..consent
                };
                t_consents.insert(consent.id.0, encode(&consent)?.as_slice())?;
                t_consents_by_person.insert((person.0, consent.id.0), ())?;
                t_parts.insert(p.id.0, encode(&p)?.as_slice())?;
                t_by_intervention.insert((p.intervention.0, p.id.0), ())?;
                t_by_person.insert((person.0, p.id.0), ())?;
                let c = counters.entry(p.intervention).or_default();
                if p.out_date.is_some() {
                    c.ended += 1;
                } else {
                    c.open += 1;
                }
                match p.gender {
                    Gender::Woman => c.women += 1,
                    Gender::Man => c.men += 1,
                }
                if history.contains_key(&key) || !created {
                    let mut lite = p.clone();
                    lite.answers_in = Answers::new(0);
                    lite.answers_out = None;
                    history.entry(key).or_default().push(lite);
                } else {
                    // Remember only the dates of a new person's participation, for overlaps.
                    let mut lite = p;
                    lite.answers_in = Answers::new(0);
                    lite.answers_out = None;
                    history.insert(key, vec![lite]);
                }
                report.participations += 1;
                *batch_counts.entry(row.intervention).or_default() += 1;
                if report.participations % BATCH as u64 == 0 {
                    self.audit_batches(&tx, &places, &mut batch_counts)?;
                }
            }
            // Hand unused reserved ids back is not needed: gaps in ids are harmless.
        }
        self.audit_batches(&tx, &places, &mut batch_counts)?;
        // The keyed-hash index and the pseudonyms go in sorted, which is far faster in a B-tree.
        pnr_pairs.sort_unstable();
        {
            let mut t_pnr = tx.open_table(PERSONS_BY_PNR)?;
            for (hash, id) in &pnr_pairs {
                t_pnr.insert(hash, *id)?;
            }
        }
        pseudonyms.sort_unstable_by_key(|(k, _)| *k);
        {
            let mut t = tx.open_table(PSEUDONYMS)?;
            for (k, subject) in &pseudonyms {
                if t.insert(*k, encode(subject)?.as_slice())?.is_some() {
                    return Err(ServiceError::Conflict(
                        "two records drew the same pseudonym; run the import again",
                    ));
                }
            }
        }
        {
            let mut t = tx.open_table(COUNTERS)?;
            for (i, add) in &counters {
                let mut c: Counters = crate::store::get(&t, i.0)?.unwrap_or_default();
                c.open += add.open;
                c.ended += add.ended;
                c.women += add.women;
                c.men += add.men;
                t.insert(i.0, encode(&c)?.as_slice())?;
            }
        }
        let notices: Vec<Notice> = places
            .keys()
            .map(|i| Notice {
                intervention: Some(*i),
                action: Action::ImportBatch,
            })
            .collect();
        self.service.commit(tx, &notices)?;
        Ok(report)
    }

    fn audit_batches(
        &self,
        tx: &redb::WriteTransaction,
        places: &HashMap<InterventionId, Place>,
        counts: &mut HashMap<InterventionId, u64>,
    ) -> Result<(), ServiceError> {
        let mut ids: Vec<_> = counts.drain().collect();
        ids.sort_unstable();
        for (i, n) in ids {
            let association = places.get(&i).map(|p| p.association.id);
            let draft = self.draft(
                Action::ImportBatch,
                association,
                Some(i),
                None,
                &["participations"],
                format!("{n} participations"),
            );
            self.service.audit(tx, draft)?;
        }
        Ok(())
    }
}

/// Random 64-bit pseudonyms drawn from the system generator in blocks.
#[derive(Default)]
struct RandomPool {
    buf: Vec<u8>,
}

impl RandomPool {
    fn next(&mut self) -> Result<u64, ServiceError> {
        use ring::rand::SecureRandom;
        if self.buf.len() < 8 {
            let mut block = vec![0u8; 8 * 4096];
            ring::rand::SystemRandom::new()
                .fill(&mut block)
                .map_err(|_| StoreError::Crypto(crate::store::crypto::CryptoError::Random))?;
            self.buf = block;
        }
        let tail = self.buf.split_off(self.buf.len() - 8);
        let v = <[u8; 8]>::try_from(tail.as_slice()).map_or(0, u64::from_le_bytes);
        Ok(if v == 0 { 1 } else { v })
    }
}

/// Ids taken from a sequence in blocks, so a large import does not touch the sequence per row.
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

    fn take(&mut self, tx: &redb::WriteTransaction) -> Result<u64, ServiceError> {
        if self.next == self.end {
            self.next = reserve_ids(tx, self.sequence, Self::SIZE)?;
            self.end = self.next + Self::SIZE;
        }
        let id = self.next;
        self.next += 1;
        Ok(id)
    }
}

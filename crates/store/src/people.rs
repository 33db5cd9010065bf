//! Persons (encrypted), consents, participations, pseudonyms, counters and anonymous counts.

use super::codec::{Stored, decode};
use super::crypto::Crypto;
use super::db::{StoreError, Tx, get, put};
use super::pseudonym::Pseudonyms;
use super::schema::{
    ANONYMOUS, CONSENTS, CONSENTS_BY_PERSON, COUNTERS, PARTICIPATIONS,
    PARTICIPATIONS_BY_INTERVENTION, PARTICIPATIONS_BY_PERSON, PERSONS, PERSONS_BY_PNR, PSEUDONYMS,
    VOLUMES,
};
use chrono::NaiveDate;
use insats_domain::anonymous::AnonymousCount;
use insats_domain::consent::Consent;
use insats_domain::date::{Year, days_opt};
use insats_domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use insats_domain::participation::Participation;
use insats_domain::person::{Identity, MunicipalityCode};
use insats_domain::personnummer::Personnummer;
use insats_domain::report::Counters;
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

/// A person at rest: every identifying field sealed with the database key, the personnummer
/// also as a keyed hash for look-ups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub pseudonym: Pseudonym,
    pub pnr_hash: [u8; 32],
    pub pnr: Vec<u8>,
    pub name: Vec<u8>,
    pub municipality: Vec<u8>,
    /// When the person last withdrew consent.
    #[serde(with = "days_opt")]
    pub withdrawn_on: Option<NaiveDate>,
}

pub use insats_domain::ids::Subject;

impl Stored for PersonRow {
    const WHAT: &'static str = "person";
}
impl Stored for Consent {
    const WHAT: &'static str = "consent";
}
impl Stored for Participation {
    const WHAT: &'static str = "participation";
}
impl Stored for Subject {
    const WHAT: &'static str = "pseudonym";
}
impl Stored for Counters {
    const WHAT: &'static str = "counters";
}
impl Stored for AnonymousCount {
    const WHAT: &'static str = "anonymous count";
}

fn aad(id: PersonId, field: &str) -> Vec<u8> {
    let mut out = b"insats:person:".to_vec();
    out.extend_from_slice(&id.0.to_be_bytes());
    out.extend_from_slice(field.as_bytes());
    out
}

/// The keyed hash a personnummer is found by.
pub fn pnr_hash(crypto: &Crypto, pnr: &Personnummer) -> [u8; 32] {
    crypto.blind_index(pnr.digits12().as_bytes())
}

/// Seals an identity for storage as person `id`.
pub fn seal_person(
    crypto: &Crypto,
    id: PersonId,
    identity: &Identity,
    pseudonym: Pseudonym,
) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        pseudonym,
        pnr_hash: pnr_hash(crypto, &identity.pnr),
        pnr: crypto.seal(identity.pnr.digits12().as_bytes(), &aad(id, "pnr"))?,
        name: crypto.seal(identity.name.as_bytes(), &aad(id, "name"))?,
        municipality: crypto.seal(
            &identity.municipality.0.to_be_bytes(),
            &aad(id, "municipality"),
        )?,
        withdrawn_on: None,
    })
}

/// Opens a sealed person.
pub fn unseal_person(
    crypto: &Crypto,
    id: PersonId,
    row: &PersonRow,
) -> Result<Identity, StoreError> {
    let damaged = || StoreError::Codec(super::codec::CodecError::Damaged { what: "person" });
    let pnr = crypto.open(&row.pnr, &aad(id, "pnr"))?;
    let pnr = std::str::from_utf8(&pnr)
        .ok()
        .and_then(|s| Personnummer::from_digits12(s).ok())
        .ok_or_else(damaged)?;
    let name =
        String::from_utf8(crypto.open(&row.name, &aad(id, "name"))?).map_err(|_| damaged())?;
    let m = crypto.open(&row.municipality, &aad(id, "municipality"))?;
    let m = <[u8; 2]>::try_from(m.as_slice()).map_err(|_| damaged())?;
    Ok(Identity {
        pnr,
        name,
        municipality: MunicipalityCode(u16::from_be_bytes(m)),
    })
}

/// Opens only the name of a sealed person.
pub fn unseal_name(crypto: &Crypto, id: PersonId, row: &PersonRow) -> Result<String, StoreError> {
    String::from_utf8(crypto.open(&row.name, &aad(id, "name"))?)
        .map_err(|_| StoreError::Codec(super::codec::CodecError::Damaged { what: "person" }))
}

/// Opens only the personnummer of a sealed person, as its 12 digits.
pub fn unseal_pnr_digits(
    crypto: &Crypto,
    id: PersonId,
    row: &PersonRow,
) -> Result<String, StoreError> {
    String::from_utf8(crypto.open(&row.pnr, &aad(id, "pnr"))?)
        .map_err(|_| StoreError::Codec(super::codec::CodecError::Damaged { what: "person" }))
}

pub fn person_by_pnr(
    tx: &impl Tx,
    crypto: &Crypto,
    pnr: &Personnummer,
) -> Result<Option<PersonId>, StoreError> {
    let hash = pnr_hash(crypto, pnr);
    Ok(tx
        .table(PERSONS_BY_PNR)?
        .get(hash.as_slice())?
        .map(|v| PersonId(v.value())))
}

pub fn person(tx: &impl Tx, id: PersonId) -> Result<Option<PersonRow>, StoreError> {
    get(&tx.table(PERSONS)?, id.0)
}

pub fn put_person(tx: &WriteTransaction, id: PersonId, row: &PersonRow) -> Result<(), StoreError> {
    put(&mut tx.open_table(PERSONS)?, id.0, row)?;
    tx.open_table(PERSONS_BY_PNR)?
        .insert(row.pnr_hash.as_slice(), id.0)?;
    Ok(())
}

/// Deletes a person, their index entry and their pseudonym.
pub fn delete_person(tx: &WriteTransaction, id: PersonId) -> Result<(), StoreError> {
    let row: Option<PersonRow> = get(&tx.open_table(PERSONS)?, id.0)?;
    if let Some(row) = row {
        tx.open_table(PERSONS_BY_PNR)?
            .remove(row.pnr_hash.as_slice())?;
        tx.open_table(PSEUDONYMS)?.remove(row.pseudonym.0)?;
        tx.open_table(PERSONS)?.remove(id.0)?;
    }
    Ok(())
}

/// What a pseudonym stands for: one drawn before schema 3 is looked up in [`PSEUDONYMS`], any
/// other is turned back through the database's permutation. Whether the record still exists is
/// for the caller to see.
pub fn resolve_pseudonym(
    tx: &impl Tx,
    pseudonyms: &Pseudonyms,
    p: Pseudonym,
) -> Result<Option<Subject>, StoreError> {
    if let Some(s) = get(&tx.table(PSEUDONYMS)?, p.0)? {
        return Ok(Some(s));
    }
    Ok(pseudonyms.subject(p))
}

pub fn consent(tx: &impl Tx, id: ConsentId) -> Result<Option<Consent>, StoreError> {
    get(&tx.table(CONSENTS)?, id.0)
}

pub fn put_consent(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    put(&mut tx.open_table(CONSENTS)?, c.id.0, c)?;
    tx.open_table(CONSENTS_BY_PERSON)?
        .insert((c.person.0, c.id.0), ())?;
    Ok(())
}

/// Rewrites a stored consent whose person and id are unchanged (marking it used): the value
/// only, so the commit does not also rewrite a path of the index for an identical key.
pub fn update_consent(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    put(&mut tx.open_table(CONSENTS)?, c.id.0, c)
}

pub fn delete_consent(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    tx.open_table(PSEUDONYMS)?.remove(c.pseudonym.0)?;
    tx.open_table(CONSENTS)?.remove(c.id.0)?;
    tx.open_table(CONSENTS_BY_PERSON)?
        .remove((c.person.0, c.id.0))?;
    Ok(())
}

pub fn consents_of(tx: &impl Tx, person: PersonId) -> Result<Vec<Consent>, StoreError> {
    let index = tx.table(CONSENTS_BY_PERSON)?;
    let table = tx.table(CONSENTS)?;
    let mut out = Vec::new();
    for row in index.range((person.0, 0)..=(person.0, u64::MAX))? {
        if let Some(c) = get(&table, row?.0.value().1)? {
            out.push(c);
        }
    }
    Ok(out)
}

pub fn participation(
    tx: &impl Tx,
    id: ParticipationId,
) -> Result<Option<Participation>, StoreError> {
    get(&tx.table(PARTICIPATIONS)?, id.0)
}

/// Writes a new participation, its index entries and its place in the intervention's counters.
pub fn put_participation(tx: &WriteTransaction, p: &Participation) -> Result<(), StoreError> {
    tx.open_table(PARTICIPATIONS_BY_INTERVENTION)?
        .insert((p.intervention.0, p.id.0), ())?;
    update_participation(tx, p)
}

/// Rewrites a stored participation (same id, person and intervention), the summary its
/// person's index entry keeps, and the intervention's counters when its state or gender
/// changed (the summary it replaces says what was counted before). The intervention's index
/// entry, unchanged, is left alone, so the commit does not rewrite a path of that index for an
/// identical key.
pub fn update_participation(tx: &WriteTransaction, p: &Participation) -> Result<(), StoreError> {
    put(&mut tx.open_table(PARTICIPATIONS)?, p.id.0, p)?;
    let before = {
        let mut index = tx.open_table(PARTICIPATIONS_BY_PERSON)?;
        let old = index.insert((p.person.0, p.id.0), super::summary::pack(p)?.as_slice())?;
        old.map(|v| super::summary::unpack(p.id, v.value()))
            .transpose()?
            .map(|s| (s.state(), s.gender))
    };
    let after = (p.state(), p.gender);
    if before != Some(after) {
        adjust_counters(tx, p.intervention, |c| {
            if let Some((state, gender)) = before {
                c.count_out(state, gender);
            }
            c.count_in(after.0, after.1);
        })?;
    }
    Ok(())
}

/// Deletes a participation, its index entries and its pseudonym, and takes it off the
/// intervention's counters.
pub fn delete_participation(tx: &WriteTransaction, p: &Participation) -> Result<(), StoreError> {
    adjust_counters(tx, p.intervention, |c| c.count_out(p.state(), p.gender))?;
    tx.open_table(PARTICIPATIONS)?.remove(p.id.0)?;
    tx.open_table(PARTICIPATIONS_BY_INTERVENTION)?
        .remove((p.intervention.0, p.id.0))?;
    tx.open_table(PARTICIPATIONS_BY_PERSON)?
        .remove((p.person.0, p.id.0))?;
    tx.open_table(PSEUDONYMS)?.remove(p.pseudonym.0)?;
    Ok(())
}

pub fn participations_of_person(
    tx: &impl Tx,
    person: PersonId,
) -> Result<Vec<Participation>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_PERSON)?;
    let table = tx.table(PARTICIPATIONS)?;
    let mut out = Vec::new();
    for row in index.range((person.0, 0)..=(person.0, u64::MAX))? {
        if let Some(p) = get(&table, row?.0.value().1)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// One window of an intervention's participations, newest first: at most `limit` rows with ids
/// below `before` (all when `None`). Reads only the rows it returns.
pub fn participations_page(
    tx: &impl Tx,
    intervention: InterventionId,
    before: Option<ParticipationId>,
    limit: usize,
) -> Result<Vec<Participation>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_INTERVENTION)?;
    let table = tx.table(PARTICIPATIONS)?;
    let upper = before.map_or(u64::MAX, |b| b.0);
    let mut out = Vec::with_capacity(limit.min(1024));
    for row in index
        .range((intervention.0, 0)..(intervention.0, upper))?
        .rev()
        .take(limit)
    {
        if let Some(p) = get(&table, row?.0.value().1)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The participations of an intervention, newest first, whose person `matches` (given the
/// person's id and sealed row), at most `limit`. Only a hit's row is decoded whole; of every
/// other row only the ids at its front are read.
pub fn participations_matching(
    tx: &impl Tx,
    intervention: InterventionId,
    limit: usize,
    mut matches: impl FnMut(PersonId, &PersonRow) -> Result<bool, StoreError>,
) -> Result<Vec<Participation>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_INTERVENTION)?;
    let table = tx.table(PARTICIPATIONS)?;
    let persons = tx.table(PERSONS)?;
    let mut out = Vec::new();
    for row in index
        .range((intervention.0, 0)..(intervention.0, u64::MAX))?
        .rev()
    {
        let Some(stored) = table.get(row?.0.value().1)? else {
            continue;
        };
        let person = person_of_participation(stored.value())?;
        let Some(sealed) = get::<PersonRow>(&persons, person.0)? else {
            continue;
        };
        if matches(person, &sealed)? {
            out.push(decode(stored.value())?);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// The person of a stored participation, read from the front of its encoding (postcard writes
/// fields in order: id, intervention, person, …) without the rest.
fn person_of_participation(bytes: &[u8]) -> Result<PersonId, StoreError> {
    let damaged = || {
        StoreError::Codec(super::codec::CodecError::Damaged {
            what: "participation",
        })
    };
    match bytes.split_first() {
        Some((&v, body)) if v == Participation::VERSION => {
            let ((_, _, person), _): ((ParticipationId, InterventionId, PersonId), _) =
                postcard::take_from_bytes(body).map_err(|_| damaged())?;
            Ok(person)
        }
        _ => Err(damaged()),
    }
}

pub fn counters(tx: &impl Tx, intervention: InterventionId) -> Result<Counters, StoreError> {
    Ok(get(&tx.table(COUNTERS)?, intervention.0)?.unwrap_or_default())
}

fn adjust_counters(
    tx: &WriteTransaction,
    intervention: InterventionId,
    f: impl FnOnce(&mut Counters),
) -> Result<(), StoreError> {
    let mut table = tx.open_table(COUNTERS)?;
    let mut c: Counters = get(&table, intervention.0)?.unwrap_or_default();
    f(&mut c);
    put(&mut table, intervention.0, &c)
}

/// Adds anonymous participants who started in `year`, and the intervention's counters.
pub fn add_anonymous(
    tx: &WriteTransaction,
    intervention: InterventionId,
    year: Year,
    women: u32,
    men: u32,
) -> Result<AnonymousCount, StoreError> {
    let mut table = tx.open_table(ANONYMOUS)?;
    let current = match table.get((intervention.0, year))? {
        Some(v) => decode(v.value())?,
        None => AnonymousCount::default(),
    };
    let next = current.add(women, men);
    let bytes = super::codec::encode(&next)?;
    table.insert((intervention.0, year), bytes.as_slice())?;
    drop(table);
    adjust_counters(tx, intervention, |c| {
        c.anonymous = c.anonymous.add(women, men);
    })?;
    Ok(next)
}

/// The anonymous participants of an intervention per start year, oldest year first.
pub fn anonymous_by_year(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Vec<(Year, AnonymousCount)>, StoreError> {
    let table = tx.table(ANONYMOUS)?;
    let mut out = Vec::new();
    for row in table.range((intervention.0, i32::MIN)..=(intervention.0, i32::MAX))? {
        let (k, v) = row?;
        out.push((k.value().1, decode(v.value())?));
    }
    Ok(out)
}

/// Sets the number of participants of a count-only intervention for one month.
pub fn set_volume(
    tx: &WriteTransaction,
    intervention: InterventionId,
    year: Year,
    month: u8,
    count: u32,
) -> Result<(), StoreError> {
    tx.open_table(VOLUMES)?
        .insert((intervention.0, year, month), count)?;
    Ok(())
}

/// The monthly figures of a count-only intervention: (year, month, count).
pub fn volumes(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Vec<(Year, u8, u32)>, StoreError> {
    let table = tx.table(VOLUMES)?;
    let mut out = Vec::new();
    for row in table.range((intervention.0, i32::MIN, 0)..=(intervention.0, i32::MAX, u8::MAX))? {
        let (k, v) = row?;
        let (_, y, m) = k.value();
        out.push((y, m, v.value()));
    }
    Ok(out)
}

/// Deletes a consent by id (a no-op when it is gone already).
pub fn delete_consent_of(tx: &WriteTransaction, id: ConsentId) -> Result<(), StoreError> {
    if let Some(c) = consent(tx, id)? {
        delete_consent(tx, &c)?;
    }
    Ok(())
}

/// Every participation registered out before `cutoff`, as (participation, intervention), by id.
/// A full scan of the table (there is no index by out-date): meant for rare runs such as
/// retention, about a second per million participations.
pub fn ended_before(
    tx: &impl Tx,
    cutoff: NaiveDate,
) -> Result<Vec<(ParticipationId, InterventionId)>, StoreError> {
    let mut out = Vec::new();
    for row in tx.table(PARTICIPATIONS)?.range(0..)? {
        let p: Participation = decode(row?.1.value())?;
        if p.out_date.is_some_and(|d| d < cutoff) {
            out.push((p.id, p.intervention));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::codec::encode;
    use insats_domain::person::Gender;
    use insats_domain::questionnaire::{AnswerValue, Answers};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_person_is_read_from_the_front_of_a_stored_participation(
            id in any::<u64>(),
            intervention in any::<u64>(),
            person in any::<u64>(),
            answers in proptest::collection::vec(("[a-z_]{1,12}", "[a-z_]{0,12}"), 0..8),
        ) {
            let mut a = Answers::new(3);
            for (k, v) in &answers {
                a.set(k, AnswerValue::One(v.clone()));
            }
            let p = Participation {
                id: ParticipationId(id),
                intervention: InterventionId(intervention),
                person: PersonId(person),
                consent: insats_domain::ids::ConsentId(1),
                pseudonym: Pseudonym(2),
                gender: Gender::Woman,
                in_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
                answers_in: a,
                out_date: None,
                end_reason: None,
                answers_out: None,
                consent_withdrawn: false,
            };
            prop_assert_eq!(person_of_participation(&encode(&p).unwrap()).unwrap(), p.person);
        }
    }

    #[test]
    fn a_damaged_or_newer_participation_is_refused() {
        assert!(person_of_participation(&[]).is_err());
        assert!(person_of_participation(&[Participation::VERSION, 0xff]).is_err());
        assert!(person_of_participation(&[Participation::VERSION + 1, 1, 1, 1]).is_err());
    }

    /// Writing, changing and deleting participations keeps the counters by themselves: no
    /// caller adjusts them, and after each step they equal a recount.
    #[test]
    fn the_store_keeps_the_counters_beside_the_participations() {
        use insats_domain::questionnaire::EndReason;
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::create(&dir.path().join("c.redb"), None, false).unwrap();
        let i = InterventionId(7);
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let participation = |id, gender| Participation {
            id: ParticipationId(id),
            intervention: i,
            person: PersonId(id),
            consent: insats_domain::ids::ConsentId(id),
            pseudonym: Pseudonym(id),
            gender,
            in_date: day(1),
            answers_in: Answers::new(1),
            out_date: None,
            end_reason: None,
            answers_out: None,
            consent_withdrawn: false,
        };
        let counted = |open, ended, women, men| {
            let tx = store.read().unwrap();
            let c = counters(&*tx, i).unwrap();
            assert_eq!((c.open, c.ended, c.women, c.men), (open, ended, women, men));
            // The check's recount agrees (its other findings are about the persons and
            // consents these bare rows point to, which this test does not write).
            let problems = crate::check::check(&tx).unwrap();
            assert!(
                !problems.iter().any(|p| p.contains("counters")),
                "{problems:?}"
            );
        };
        let (anna, bo) = (
            participation(1, Gender::Woman),
            participation(2, Gender::Man),
        );
        let tx = store.write().unwrap();
        put_participation(&tx, &anna).unwrap();
        put_participation(&tx, &bo).unwrap();
        tx.commit().unwrap();
        counted(2, 0, 1, 1);
        // Registered out: open → ended. A change that moves no count (withdrawn consent)
        // leaves them as they are.
        let out = Participation {
            out_date: Some(day(20)),
            end_reason: Some(EndReason::Moved),
            answers_out: Some(Answers::new(1)),
            ..anna.clone()
        };
        let tx = store.write().unwrap();
        update_participation(&tx, &out).unwrap();
        update_participation(
            &tx,
            &Participation {
                consent_withdrawn: true,
                ..bo.clone()
            },
        )
        .unwrap();
        tx.commit().unwrap();
        counted(1, 1, 1, 1);
        let tx = store.write().unwrap();
        delete_participation(&tx, &out).unwrap();
        tx.commit().unwrap();
        counted(1, 0, 0, 1);
    }
}

//! The index-consistency check: every secondary index matches the rows it indexes, and the
//! stored counters match the rows they count. Usable from tests and from `insats check`.

use super::codec::decode;
use super::db::{Reader, StoreError, Tx};
use super::people::{PersonRow, Subject};
use super::pseudonym::Pseudonyms;
use super::schema::{
    ASSIGNMENTS, ASSIGNMENTS_BY_USER, CONSENTS, CONSENTS_BY_PERSON, COUNTERS, INTERVENTIONS,
    INTERVENTIONS_BY_ASSOCIATION, PARTICIPATIONS, PARTICIPATIONS_BY_INTERVENTION,
    PARTICIPATIONS_BY_PERSON, PERSONS, PERSONS_BY_PNR, PSEUDONYMS, REVIEW_ITEMS_BY_ASSOCIATION,
    REVIEW_QUEUE, UNUSED_CONSENTS, USERS, USERS_BY_NAME,
};
use insats_domain::consent::Consent;
use insats_domain::ids::Pseudonym;
use insats_domain::intervention::Intervention;
use insats_domain::participation::{Participation, State};
use insats_domain::person::Gender;
use insats_domain::report::Counters;
use insats_domain::user::{Assignment, User};
use redb::ReadableTable;
use std::collections::{BTreeMap, BTreeSet};

/// Problems found; empty when the database is consistent. Each names tables and ids only.
pub fn check(reader: &Reader<'_>) -> Result<Vec<String>, StoreError> {
    let tx = &**reader;
    let perm = reader.pseudonyms();
    let mut problems = Vec::new();

    // Participations: both indexes, counters, pseudonyms, persons and consents they point to.
    let mut by_intervention = BTreeSet::new();
    let mut by_person = BTreeSet::new();
    let mut counted: BTreeMap<u64, Counters> = BTreeMap::new();
    let persons = tx.table(PERSONS)?;
    let consents = tx.table(CONSENTS)?;
    let pseudonyms = tx.table(PSEUDONYMS)?;
    let person_index = tx.table(PARTICIPATIONS_BY_PERSON)?;
    let mut stale_summaries = 0usize;
    let mut years: BTreeMap<(u64, i32), insats_domain::report::YearCounts> = BTreeMap::new();
    let mut tally = insats_domain::follow_up::Tally::default();
    for row in tx.table(PARTICIPATIONS)?.range(0..)? {
        let (k, v) = row?;
        let p: Participation = decode(v.value())?;
        if p.id.0 != k.value() {
            problems.push(format!(
                "participation {} is stored under key {}",
                p.id,
                k.value()
            ));
        }
        by_intervention.insert((p.intervention.0, p.id.0));
        super::migrate::add_to_years(&mut years, &p);
        tally.add(&p);
        by_person.insert((p.person.0, p.id.0));
        if let Some(v) = person_index.get((p.person.0, p.id.0))?
            && super::summary::unpack(p.id, v.value()).ok() != Some((&p).into())
        {
            stale_summaries += 1;
        }
        let c = counted.entry(p.intervention.0).or_default();
        match p.state() {
            State::RegisteredIn => c.open += 1,
            State::RegisteredOut => c.ended += 1,
        }
        match p.gender {
            Gender::Woman => c.women += 1,
            Gender::Man => c.men += 1,
        }
        if persons.get(p.person.0)?.is_none() {
            problems.push(format!(
                "participation {} refers to missing person {}",
                p.id, p.person
            ));
        }
        match consents.get(p.consent.0)? {
            None => problems.push(format!(
                "participation {} refers to missing consent {}",
                p.id, p.consent
            )),
            Some(cv) => {
                let consent: Consent = decode(cv.value())?;
                if consent.used_by != Some(p.id) {
                    problems.push(format!(
                        "consent {} is not marked as used by participation {}",
                        consent.id, p.id
                    ));
                }
            }
        }
        if !pseudonym_fits(&pseudonyms, perm, p.pseudonym, Subject::Participation(p.id))? {
            problems.push(format!("participation {} has no pseudonym mapping", p.id));
        }
    }
    compare_index(
        &mut problems,
        "participations_by_intervention",
        &by_intervention,
        &tx.table(PARTICIPATIONS_BY_INTERVENTION)?,
    )?;
    compare_index(
        &mut problems,
        "participations_by_person",
        &by_person,
        &person_index,
    )?;
    if stale_summaries > 0 {
        problems.push(format!(
            "participations_by_person: {stale_summaries} summaries differ from their participations"
        ));
    }

    for row in tx.table(COUNTERS)?.range(0..)? {
        let (k, v) = row?;
        let stored: Counters = decode(v.value())?;
        let mut expected = counted.remove(&k.value()).unwrap_or_default();
        expected.anonymous = stored.anonymous;
        if stored != expected {
            problems.push(format!(
                "counters of intervention I{} do not match its participations",
                k.value()
            ));
        }
    }
    for (i, c) in counted {
        if c != Counters::default() {
            problems.push(format!(
                "intervention I{i} has participations but no counters"
            ));
        }
    }

    // Persons and the personnummer index.
    let mut pnr_expected = BTreeSet::new();
    for row in persons.range(0..)? {
        let (k, v) = row?;
        let p: PersonRow = decode(v.value())?;
        pnr_expected.insert((p.pnr_hash, k.value()));
        let subject = Subject::Person(insats_domain::ids::PersonId(k.value()));
        if !pseudonym_fits(&pseudonyms, perm, p.pseudonym, subject)? {
            problems.push(format!("person P{} has no pseudonym mapping", k.value()));
        }
    }
    let mut pnr_found = BTreeSet::new();
    for row in tx.table(PERSONS_BY_PNR)?.range::<&[u8]>(..)? {
        let (k, v) = row?;
        match <[u8; 32]>::try_from(k.value()) {
            Ok(hash) => {
                pnr_found.insert((hash, v.value()));
            }
            Err(_) => problems.push(format!(
                "persons_by_pnr has a key that is not 32 bytes (person P{})",
                v.value()
            )),
        }
    }
    if pnr_expected != pnr_found {
        problems.push(format!(
            "persons_by_pnr has {} entries not matching persons ({} expected)",
            pnr_found.symmetric_difference(&pnr_expected).count(),
            pnr_expected.len()
        ));
    }

    // The per-year counts.
    let mut stored_years = BTreeMap::new();
    for row in tx.table(super::schema::YEARLY)?.range::<(u64, i32)>(..)? {
        let (k, v) = row?;
        let (sw, sm, ew, em) = v.value();
        stored_years.insert(
            k.value(),
            insats_domain::report::YearCounts {
                started_women: sw,
                started_men: sm,
                ended_women: ew,
                ended_men: em,
            },
        );
    }
    if stored_years != years {
        let differ = years
            .keys()
            .chain(stored_years.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|k| years.get(k) != stored_years.get(k))
            .count();
        problems.push(format!(
            "yearly: {differ} (intervention, year) counts differ from the participations"
        ));
    }

    // The follow-up aggregates, against a recount.
    let (stored_outcomes, stored_years, stored_starts) = super::people::all_cells(tx)?;
    let (outcomes, years_rolled, starts) = tally.cells();
    for (name, differ) in [
        ("outcomes", cells_differ(&outcomes, &stored_outcomes)),
        (
            "outcomes_by_year",
            cells_differ(&years_rolled, &stored_years),
        ),
        ("starts", cells_differ(&starts, &stored_starts)),
    ] {
        if differ > 0 {
            problems.push(format!(
                "{name}: {differ} cells differ from a recount of the participations"
            ));
        }
    }

    // Consents by person, and the unused ones by intervention.
    let mut consent_expected = BTreeSet::new();
    let mut unused_expected = BTreeSet::new();
    for row in consents.range(0..)? {
        let (_, v) = row?;
        let c: Consent = decode(v.value())?;
        consent_expected.insert((c.person.0, c.id.0));
        if c.used_by.is_none() {
            unused_expected.insert((c.intervention.0, c.id.0));
        }
        if !pseudonym_fits(&pseudonyms, perm, c.pseudonym, Subject::Consent(c.id))? {
            problems.push(format!("consent {} has no pseudonym mapping", c.id));
        }
        if persons.get(c.person.0)?.is_none() {
            problems.push(format!(
                "consent {} refers to missing person {}",
                c.id, c.person
            ));
        }
    }
    compare_index(
        &mut problems,
        "consents_by_person",
        &consent_expected,
        &tx.table(CONSENTS_BY_PERSON)?,
    )?;
    compare_index(
        &mut problems,
        "unused_consents",
        &unused_expected,
        &tx.table(UNUSED_CONSENTS)?,
    )?;

    // Pseudonyms drawn before schema 3 point at something that exists.
    for row in pseudonyms.range(0..)? {
        let (k, v) = row?;
        let exists = match decode::<Subject>(v.value())? {
            Subject::Person(p) => persons.get(p.0)?.is_some(),
            Subject::Participation(p) => tx.table(PARTICIPATIONS)?.get(p.0)?.is_some(),
            Subject::Consent(c) => consents.get(c.0)?.is_some(),
        };
        if !exists {
            problems.push(format!(
                "pseudonym {} points at a deleted record",
                insats_domain::ids::Pseudonym(k.value())
            ));
        }
    }

    // Interventions by association, users by name, assignments by user.
    let mut expected = BTreeSet::new();
    for row in tx.table(INTERVENTIONS)?.range(0..)? {
        let i: Intervention = decode(row?.1.value())?;
        expected.insert((i.association.0, i.id.0));
    }
    compare_index(
        &mut problems,
        "interventions_by_association",
        &expected,
        &tx.table(INTERVENTIONS_BY_ASSOCIATION)?,
    )?;
    let mut names = BTreeSet::new();
    for row in tx.table(USERS)?.range(0..)? {
        let u: User = decode(row?.1.value())?;
        names.insert((u.username.clone(), u.id.0));
    }
    let mut found = BTreeSet::new();
    for row in tx.table(USERS_BY_NAME)?.range::<&str>(..)? {
        let (k, v) = row?;
        found.insert((k.value().to_owned(), v.value()));
    }
    if names != found {
        problems.push("users_by_name does not match users".to_owned());
    }
    let mut expected = BTreeSet::new();
    for row in tx.table(ASSIGNMENTS)?.range(0..)? {
        let a: Assignment = decode(row?.1.value())?;
        expected.insert((a.user.0, a.id.0));
    }
    compare_index(
        &mut problems,
        "assignments_by_user",
        &expected,
        &tx.table(ASSIGNMENTS_BY_USER)?,
    )?;
    // The review queue's indexes.
    let (by_association, queue) = crate::review::expected_indexes(tx)?;
    compare_index(
        &mut problems,
        "review_items_by_association",
        &by_association,
        &tx.table(REVIEW_ITEMS_BY_ASSOCIATION)?,
    )?;
    let mut found = BTreeSet::new();
    for row in tx.table(REVIEW_QUEUE)?.range::<(u64, u8, u64)>(..)? {
        found.insert(row?.0.value());
    }
    if found != queue {
        problems.push(format!(
            "review_queue: {} entries missing, {} entries wrong or pointing at nothing",
            queue.difference(&found).count(),
            found.difference(&queue).count()
        ));
    }
    Ok(problems)
}

/// Whether a stored pseudonym stands for `subject`: one drawn before schema 3 through the
/// legacy table, any other through the permutation.
fn pseudonym_fits(
    legacy: &impl ReadableTable<u64, &'static [u8]>,
    perm: &Pseudonyms,
    p: Pseudonym,
    subject: Subject,
) -> Result<bool, StoreError> {
    Ok(match legacy.get(p.0)? {
        Some(s) => decode::<Subject>(s.value())? == subject,
        None => perm.of(subject)? == p,
    })
}

fn compare_index<V: redb::Value + 'static>(
    problems: &mut Vec<String>,
    name: &str,
    expected: &BTreeSet<(u64, u64)>,
    index: &impl ReadableTable<(u64, u64), V>,
) -> Result<(), StoreError> {
    let mut found = BTreeSet::new();
    for row in index.range::<(u64, u64)>(..)? {
        found.insert(row?.0.value());
    }
    let missing = expected.difference(&found).count();
    let extra = found.difference(expected).count();
    if missing + extra > 0 {
        problems.push(format!(
            "{name}: {missing} entries missing, {extra} entries pointing at nothing"
        ));
    }
    Ok(())
}

/// How many keys of two maps hold different values (or are in one only).
fn cells_differ<K: Ord, V: PartialEq>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> usize {
    a.keys()
        .chain(b.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| a.get(k) != b.get(k))
        .count()
}

//! Schema versions: an older file is brought up to date in explicit steps, a newer one refused.

use super::codec::decode;
use super::db::{Store, StoreError};
use super::schema::{
    self, CONSENTS, META, META_SCHEMA, PARTICIPATIONS, PARTICIPATIONS_BY_PERSON, PERSONS_BY_PNR,
    SCHEMA_VERSION, UNUSED_CONSENTS,
};
use insats_domain::consent::Consent;
use insats_domain::participation::Participation;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// Reads the stored schema version (None when the file has no insats metadata).
pub fn stored_version(store: &Store) -> Result<Option<u32>, StoreError> {
    let tx = store.db().begin_read()?;
    let meta = match tx.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let version = meta
        .get(META_SCHEMA)?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_le_bytes);
    Ok(version)
}

/// Checks the version and runs the steps from the stored version up to [`SCHEMA_VERSION`].
pub fn bring_up_to_date(store: &Store) -> Result<(), StoreError> {
    let path = store.path().to_owned();
    let Some(found) = stored_version(store)? else {
        return Err(StoreError::NotInsats { path });
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path,
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mut version = found;
    while version < SCHEMA_VERSION {
        let tx = store.write()?;
        step(store, &tx, version)?;
        version += 1;
        tx.open_table(META)?
            .insert(META_SCHEMA, version.to_le_bytes().as_slice())?;
        tx.commit()?;
    }
    // Tables added without a version bump (none so far) are created here, so readers find them.
    let tx = store.write()?;
    schema::create_all(&tx)?;
    tx.commit()?;
    if found < SCHEMA_VERSION {
        // The pages a step freed still hold what it rewrote (keyed hashes of erased people
        // among them, for the step to version 2): zero them, as after an erasure.
        store.scrub()?;
    }
    Ok(())
}

/// [`PERSONS_BY_PNR`] as version 1 stored it: a fixed-width key.
const PERSONS_BY_PNR_V1: TableDefinition<&[u8; 32], u64> = TableDefinition::new("persons_by_pnr");

/// One migration step, from `from` to `from + 1`, in one transaction.
fn step(store: &Store, tx: &redb::WriteTransaction, from: u32) -> Result<(), StoreError> {
    match from {
        1 => rebuild_pnr_index(tx),
        2 => summarise_person_index(tx),
        3 => index_unused_consents(tx),
        4 => plans_settings_and_split_volumes(tx),
        5 => participation_ages(store, tx),
        6..=8 => follow_up_aggregates(tx),
        // 9 → 10: the unlock codes' table; 10 → 11: the processing records' table; 11 → 12:
        // the log review's tables. All start empty (`schema::create_all` makes them).
        9..=11 => Ok(()),
        12 => crate::review::build_queue(tx),
        _ => Err(StoreError::Missing {
            what: "migration step",
        }),
    }
}

/// 1 → 2: the personnummer index gets a variable-length key. Its entries are read, the table
/// is dropped (with the branch pages whose separators were whole keyed hashes) and built anew
/// in key order.
fn rebuild_pnr_index(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    {
        let old = tx.open_table(PERSONS_BY_PNR_V1)?;
        for row in old.range::<&[u8; 32]>(..)? {
            let (k, v) = row?;
            entries.push((*k.value(), v.value()));
        }
    }
    tx.delete_table(PERSONS_BY_PNR_V1)?;
    entries.sort_unstable();
    let mut new = tx.open_table(PERSONS_BY_PNR)?;
    for (hash, person) in &entries {
        new.insert(hash.as_slice(), *person)?;
    }
    Ok(())
}

/// [`PARTICIPATIONS_BY_PERSON`] as versions 1 and 2 stored it: keys only.
const PARTICIPATIONS_BY_PERSON_V2: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("participations_by_person");

/// 2 → 3: each entry of the person index gets its participation's summary. The old table is
/// dropped and built anew from the participations, in key order.
fn summarise_person_index(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    for row in tx.open_table(PARTICIPATIONS)?.range::<u64>(..)? {
        let (_, v) = row?;
        let p: Participation = decode(v.value())?;
        entries.push(((p.person.0, p.id.0), super::summary::pack(&p)?));
    }
    tx.delete_table(PARTICIPATIONS_BY_PERSON_V2)?;
    entries.sort_unstable_by_key(|(k, _)| *k);
    let mut new = tx.open_table(PARTICIPATIONS_BY_PERSON)?;
    for (key, summary) in &entries {
        new.insert(*key, summary.as_slice())?;
    }
    Ok(())
}

/// 3 → 4: the consents no registration uses get their index, per intervention.
fn index_unused_consents(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    for row in tx.open_table(CONSENTS)?.range::<u64>(..)? {
        let (_, v) = row?;
        let c: Consent = decode(v.value())?;
        if c.used_by.is_none() {
            entries.push((c.intervention.0, c.id.0));
        }
    }
    entries.sort_unstable();
    let mut index = tx.open_table(UNUSED_CONSENTS)?;
    for key in entries {
        index.insert(key, ())?;
    }
    Ok(())
}

/// The shapes of version 1 of associations and interventions, kept to read files from before
/// schema 5.
mod v1 {
    use insats_domain::date::Year;
    use insats_domain::ids::{AssociationId, InterventionId};
    use insats_domain::intervention::{Direction, Measurement};
    use insats_domain::organisation::OrgNumber;
    use insats_domain::person::MunicipalityCode;
    use insats_domain::questionnaire::Question;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    pub struct Association {
        pub id: AssociationId,
        pub name: String,
        pub org_number: OrgNumber,
        pub description: String,
        pub municipalities: Vec<MunicipalityCode>,
        #[serde(with = "insats_domain::date::days")]
        pub start: chrono::NaiveDate,
        #[serde(with = "insats_domain::date::days_opt")]
        pub end: Option<chrono::NaiveDate>,
        pub supplementary: Vec<Question>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct YearPlan {
        pub year: Year,
        pub planned_participants: u32,
        pub cost: u64,
        pub esf_cost: u64,
    }

    #[derive(Serialize, Deserialize)]
    pub struct Intervention {
        pub id: InterventionId,
        pub association: AssociationId,
        pub name: String,
        pub description: String,
        #[serde(with = "insats_domain::date::days")]
        pub start: chrono::NaiveDate,
        #[serde(with = "insats_domain::date::days_opt")]
        pub end: Option<chrono::NaiveDate>,
        pub direction: Direction,
        pub target_groups: Vec<String>,
        pub measurement: Measurement,
        pub plans: Vec<YearPlan>,
    }
}

/// Reads a value stored in a version-1 shape (the version byte, then postcard).
fn decode_v1<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &'static str,
) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((1, body)) => postcard::from_bytes(body)
            .map_err(|_| super::codec::CodecError::Damaged { what }.into()),
        _ => Err(super::codec::CodecError::Damaged { what }.into()),
    }
}

/// The volumes table as versions 1–4 stored it: one unsplit count per month.
const VOLUMES_V4: TableDefinition<(u64, i32, u8), u32> = TableDefinition::new("volumes");

/// 4 → 5: associations get their settings (defaults: no focus list, contacts empty, 5 years'
/// retention, small-cell threshold 3); interventions a detailed focus (none) and budget lines
/// with an outcome (not entered yet); volumes a split by gender (what was counted before it
/// stays whole, as unsplit).
fn plans_settings_and_split_volumes(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    use insats_domain::intervention::{BudgetLine, Intervention, YearPlan};
    use insats_domain::organisation::Association;
    use insats_domain::planning::{DEFAULT_RETENTION_YEARS, DEFAULT_SMALL_CELL};
    let mut associations = Vec::new();
    for row in tx.open_table(schema::ASSOCIATIONS)?.range::<u64>(..)? {
        let (k, v) = row?;
        // A row already in the current shape (a step interrupted and run again) stays.
        if v.value().first() != Some(&1) {
            continue;
        }
        let old: v1::Association = decode_v1(v.value(), "association")?;
        associations.push((
            k.value(),
            Association {
                id: old.id,
                name: old.name,
                org_number: old.org_number,
                description: old.description,
                municipalities: old.municipalities,
                start: old.start,
                end: old.end,
                supplementary: old.supplementary,
                focus_options: Vec::new(),
                controller: String::new(),
                dpo: String::new(),
                retention_years: DEFAULT_RETENTION_YEARS,
                small_cell_threshold: DEFAULT_SMALL_CELL,
            },
        ));
    }
    {
        let mut table = tx.open_table(schema::ASSOCIATIONS)?;
        for (k, a) in &associations {
            super::db::put(&mut table, *k, a)?;
        }
    }
    let mut interventions = Vec::new();
    for row in tx.open_table(schema::INTERVENTIONS)?.range::<u64>(..)? {
        let (k, v) = row?;
        if v.value().first() != Some(&1) {
            continue;
        }
        let old: v1::Intervention = decode_v1(v.value(), "intervention")?;
        interventions.push((
            k.value(),
            Intervention {
                id: old.id,
                association: old.association,
                name: old.name,
                description: old.description,
                start: old.start,
                end: old.end,
                direction: old.direction,
                target_groups: old.target_groups,
                measurement: old.measurement,
                plans: old
                    .plans
                    .into_iter()
                    .map(|p| YearPlan {
                        year: p.year,
                        planned_participants: p.planned_participants,
                        cost: BudgetLine {
                            budget: p.cost,
                            outcome: None,
                        },
                        esf: BudgetLine {
                            budget: p.esf_cost,
                            outcome: None,
                        },
                    })
                    .collect(),
                focus: String::new(),
            },
        ));
    }
    {
        let mut table = tx.open_table(schema::INTERVENTIONS)?;
        for (k, i) in &interventions {
            super::db::put(&mut table, *k, i)?;
        }
    }
    // The volumes, unless they are in the new shape already.
    let old = match tx.open_table(VOLUMES_V4) {
        Ok(t) => Some(t),
        Err(redb::TableError::TableTypeMismatch { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(old) = old {
        let mut volumes = Vec::new();
        for row in old.range::<(u64, i32, u8)>(..)? {
            let (k, v) = row?;
            volumes.push((k.value(), v.value()));
        }
        drop(old);
        tx.delete_table(VOLUMES_V4)?;
        let mut table = tx.open_table(schema::VOLUMES)?;
        for (k, count) in volumes {
            table.insert(k, (0, 0, count))?;
        }
    }
    // The per-year counts, from the participations.
    let mut yearly: std::collections::BTreeMap<(u64, i32), insats_domain::report::YearCounts> =
        std::collections::BTreeMap::new();
    for row in tx.open_table(PARTICIPATIONS)?.range::<u64>(..)? {
        let (_, v) = row?;
        let p: Participation = decode(v.value())?;
        add_to_years(&mut yearly, &p);
    }
    let mut table = tx.open_table(schema::YEARLY)?;
    for (k, c) in yearly {
        table.insert(k, super::people::pack_year(c))?;
    }
    Ok(())
}

/// Counts `p`'s start and (if registered out) end in `yearly`.
pub(crate) fn add_to_years(
    yearly: &mut std::collections::BTreeMap<(u64, i32), insats_domain::report::YearCounts>,
    p: &Participation,
) {
    use chrono::Datelike;
    yearly
        .entry((p.intervention.0, p.in_date.year()))
        .or_default()
        .count(false, p.gender, 1);
    if let Some(out) = p.out_date {
        yearly
            .entry((p.intervention.0, out.year()))
            .or_default()
            .count(true, p.gender, 1);
    }
}

/// A participation as versions 1 of its shape stored it: without the age.
#[derive(serde::Deserialize)]
struct ParticipationV1 {
    id: insats_domain::ids::ParticipationId,
    intervention: insats_domain::ids::InterventionId,
    person: insats_domain::ids::PersonId,
    consent: insats_domain::ids::ConsentId,
    pseudonym: insats_domain::ids::Pseudonym,
    gender: insats_domain::person::Gender,
    #[serde(with = "insats_domain::date::days")]
    in_date: chrono::NaiveDate,
    answers_in: insats_domain::questionnaire::Answers,
    #[serde(with = "insats_domain::date::days_opt")]
    out_date: Option<chrono::NaiveDate>,
    end_reason: Option<insats_domain::questionnaire::EndReason>,
    answers_out: Option<insats_domain::questionnaire::Answers>,
    consent_withdrawn: bool,
}

/// 5 → 6: each participation gets the age of its person on its in-date, read from the sealed
/// personnummer (each person opened once). Rows already in the current shape stay.
fn participation_ages(store: &Store, tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    use insats_domain::participation::Participation;
    let mut births: std::collections::HashMap<u64, chrono::NaiveDate> =
        std::collections::HashMap::new();
    let mut rewritten = Vec::new();
    {
        let table = tx.open_table(PARTICIPATIONS)?;
        let persons = tx.open_table(schema::PERSONS)?;
        for row in table.range::<u64>(..)? {
            let (k, v) = row?;
            if v.value().first() != Some(&1) {
                continue;
            }
            let old: ParticipationV1 = decode_v1(v.value(), "participation")?;
            let birth = if let Some(b) = births.get(&old.person.0) {
                *b
            } else {
                let Some(row) = persons.get(old.person.0)? else {
                    return Err(StoreError::Missing { what: "person" });
                };
                let row: super::people::PersonRow = decode(row.value())?;
                let who = super::people::unseal_person(store.crypto(), old.person, &row)?;
                let b = who.pnr.birth_date();
                births.insert(old.person.0, b);
                b
            };
            let age = old.in_date.years_since(birth).unwrap_or(0);
            rewritten.push((
                k.value(),
                Participation {
                    id: old.id,
                    intervention: old.intervention,
                    person: old.person,
                    consent: old.consent,
                    pseudonym: old.pseudonym,
                    gender: old.gender,
                    in_date: old.in_date,
                    answers_in: old.answers_in,
                    out_date: old.out_date,
                    end_reason: old.end_reason,
                    answers_out: old.answers_out,
                    consent_withdrawn: old.consent_withdrawn,
                    age: u8::try_from(age).unwrap_or(u8::MAX),
                },
            ));
        }
    }
    let mut table = tx.open_table(PARTICIPATIONS)?;
    for (k, p) in &rewritten {
        super::db::put(&mut table, *k, p)?;
    }
    Ok(())
}

/// 6 → 7 (and 7 → 8, when options got their codes): the follow-up aggregates, counted from the
/// participations (one at a time, gathered in memory per cell).
fn follow_up_aggregates(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut tally = insats_domain::follow_up::Tally::default();
    for row in tx.open_table(PARTICIPATIONS)?.range::<u64>(..)? {
        let (_, v) = row?;
        let p: Participation = decode(v.value())?;
        tally.add(&p);
    }
    let cells = tally.cells();
    // A step run again starts from empty tables.
    tx.delete_table(schema::OUTCOMES)?;
    tx.delete_table(schema::OUTCOMES_BY_YEAR)?;
    tx.delete_table(schema::STARTS)?;
    super::people::add_cells(tx, &cells)
}

//! The store on its own: schema versions, stored values, the reader gate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use insats_store::codec::{CodecError, Stored, decode, encode};
use insats_store::schema::{META, META_SCHEMA, SCHEMA_VERSION};
use insats_store::{Store, StoreError, Tx, audit, check, org, people};
use redb::ReadableTable;

fn round_trip<T: Stored + PartialEq + std::fmt::Debug>(value: &T) {
    let bytes = encode(value).unwrap();
    assert_eq!(bytes[0], T::VERSION, "{} starts with its version", T::WHAT);
    assert_eq!(
        &decode::<T>(&bytes).unwrap(),
        value,
        "{} round-trips",
        T::WHAT
    );
    let mut newer = bytes.clone();
    newer[0] = T::VERSION + 1;
    assert!(
        matches!(decode::<T>(&newer), Err(CodecError::TooNew { .. })),
        "{}: a newer shape is refused",
        T::WHAT
    );
    assert!(matches!(decode::<T>(&[]), Err(CodecError::Damaged { .. })));
    assert!(
        matches!(decode::<T>(&bytes[..1]), Err(CodecError::Damaged { .. })),
        "{}: a cut value is damaged",
        T::WHAT
    );
}

#[test]
fn every_stored_type_round_trips_with_its_version() {
    let f = Fixture::new();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1985, 3, 3), 981),
        "Test Person",
        "2026-06-01",
    );
    f.handler
        .register_anonymous(f.intervention, 2026, 2, 1)
        .unwrap();
    let tx = f.service.store().read().unwrap();
    let part = people::participation(&*tx, p).unwrap().unwrap();
    round_trip(&part);
    round_trip(&people::consent(&*tx, part.consent).unwrap().unwrap());
    round_trip(&people::person(&*tx, part.person).unwrap().unwrap());
    round_trip(
        &people::resolve_pseudonym(&*tx, tx.pseudonyms(), part.pseudonym)
            .unwrap()
            .unwrap(),
    );
    round_trip(&people::counters(&*tx, f.intervention).unwrap());
    round_trip(&people::anonymous_by_year(&*tx, f.intervention).unwrap()[0].1);
    round_trip(&org::association(&*tx, f.association).unwrap().unwrap());
    round_trip(&org::intervention(&*tx, f.intervention).unwrap().unwrap());
    round_trip(&org::user(&*tx, f.handler.user().id).unwrap().unwrap());
    round_trip(&org::assignments_of(&*tx, f.handler.user().id).unwrap()[0]);
    let entry = audit::page(&*tx, audit::Scope::All, None, 1, 1, |_| true)
        .unwrap()
        .remove(0);
    round_trip(&entry.draft);
    round_trip(&entry);
}

#[test]
fn a_newer_schema_is_refused_with_a_message_and_the_file_is_left_alone() {
    let f = Fixture::new();
    let path = f.db_path.clone();
    {
        let tx = f.service.store().write().unwrap();
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, (SCHEMA_VERSION + 1).to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    drop(f.handler);
    drop(f.other_handler);
    drop(f.manager);
    drop(f.report_reader);
    drop(f.log_reviewer);
    drop(f.admin);
    drop(f.service);
    let err = Store::open(&path, None).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found, supported, .. } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
    );
    assert!(err.to_string().contains("upgrade insats"), "{err}");
    // Refused again: nothing was migrated or rewritten by the first attempt.
    assert!(matches!(
        Store::open(&path, None),
        Err(StoreError::SchemaTooNew { .. })
    ));
}

#[test]
fn a_redb_file_that_is_not_an_insats_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(redb::TableDefinition::<u64, u64>::new("something"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        tx.commit().unwrap();
    }
    // A key file is present, so the refusal is about the file itself.
    insats_store::crypto::KeyFile::create(&insats_store::default_key_path(&path)).unwrap();
    let err = Store::open(&path, None).unwrap_err();
    assert!(matches!(err, StoreError::NotInsats { .. }), "{err}");
}

#[test]
fn the_current_schema_opens_and_every_table_exists() {
    let f = Fixture::new();
    let tx = f.service.store().read().unwrap();
    assert_eq!(
        insats_store::migrate::stored_version(f.service.store()).unwrap(),
        Some(SCHEMA_VERSION)
    );
    // Every table can be opened by a reader (created at init).
    assert!(
        tx.table(insats_store::schema::AUDIT_BY_INTERVENTION)
            .is_ok()
    );
    assert!(tx.table(insats_store::schema::VOLUMES).is_ok());
}

#[test]
fn a_version_1_file_is_migrated_and_still_finds_people_by_personnummer_with_their_summaries() {
    let f = Fixture::new();
    let kept = pnr(date(1985, 3, 3), 981);
    let p = register(
        &f.handler,
        f.intervention,
        &kept,
        "Test Person",
        "2026-06-01",
    );
    for k in 0..40u16 {
        register(
            &f.handler,
            f.intervention,
            &pnr(date(1970, 1, 1 + u32::from(k % 28)), 100 + k),
            "Bakgrund Person",
            "2026-06-01",
        );
    }
    let username = f.handler.user().username.clone();
    let path = f.db_path.clone();
    drop(f.handler);
    drop(f.other_handler);
    drop(f.manager);
    drop(f.report_reader);
    drop(f.log_reviewer);
    drop(f.admin);
    drop(f.service);

    // Turn the file back into version 1: the personnummer index keyed by `&[u8; 32]`, the
    // person index with keys only (as versions 1 and 2 had it), and the kept person with a
    // random pseudonym in the pseudonym table (as versions 1 and 2 drew them).
    let legacy = insats::domain::ids::Pseudonym(0x5EED_1E6A_C7F0_0D42);
    let v1: redb::TableDefinition<&[u8; 32], u64> = redb::TableDefinition::new("persons_by_pnr");
    let by_person_v2: redb::TableDefinition<(u64, u64), ()> =
        redb::TableDefinition::new("participations_by_person");
    let entries: Vec<([u8; 32], u64)> = {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        let entries: Vec<([u8; 32], u64)> = tx
            .open_table(insats_store::schema::PERSONS_BY_PNR)
            .unwrap()
            .range::<&[u8]>(..)
            .unwrap()
            .map(|r| {
                let (k, v) = r.unwrap();
                (<[u8; 32]>::try_from(k.value()).unwrap(), v.value())
            })
            .collect();
        tx.delete_table(insats_store::schema::PERSONS_BY_PNR)
            .unwrap();
        let keys: Vec<(u64, u64)> = tx
            .open_table(insats_store::schema::PARTICIPATIONS_BY_PERSON)
            .unwrap()
            .range::<(u64, u64)>(..)
            .unwrap()
            .map(|r| r.unwrap().0.value())
            .collect();
        assert_eq!(keys.len(), 41);
        tx.delete_table(insats_store::schema::PARTICIPATIONS_BY_PERSON)
            .unwrap();
        {
            let key = insats_store::crypto::KeyFile::load(&insats_store::default_key_path(&path))
                .unwrap()
                .crypto();
            let hash = people::pnr_hash(&key, &parsed(&kept));
            let id = entries.iter().find(|(h, _)| *h == hash).unwrap().1;
            let id = insats::domain::ids::PersonId(id);
            let mut persons = tx.open_table(insats_store::schema::PERSONS).unwrap();
            let mut row: people::PersonRow =
                decode(persons.get(id.0).unwrap().unwrap().value()).unwrap();
            row.pseudonym = legacy;
            persons
                .insert(id.0, encode(&row).unwrap().as_slice())
                .unwrap();
            tx.open_table(insats_store::schema::PSEUDONYMS)
                .unwrap()
                .insert(
                    legacy.0,
                    encode(&people::Subject::Person(id)).unwrap().as_slice(),
                )
                .unwrap();
        }
        {
            let mut old = tx.open_table(by_person_v2).unwrap();
            for k in keys {
                old.insert(k, ()).unwrap();
            }
        }
        {
            let mut old = tx.open_table(v1).unwrap();
            for (k, v) in &entries {
                old.insert(k, *v).unwrap();
            }
            tx.open_table(META)
                .unwrap()
                .insert(META_SCHEMA, 1u32.to_le_bytes().as_slice())
                .unwrap();
        }
        tx.commit().unwrap();
        entries
    };
    assert_eq!(entries.len(), 41);

    let store = Store::open(&path, None).unwrap();
    assert_eq!(
        insats_store::migrate::stored_version(&store).unwrap(),
        Some(SCHEMA_VERSION)
    );
    {
        let tx = store.read().unwrap();
        assert_eq!(
            insats_store::check::check(&tx).unwrap(),
            Vec::<String>::new()
        );
        // The same entries, under the new key type; the old one no longer opens.
        let migrated: Vec<([u8; 32], u64)> = tx
            .open_table(insats_store::schema::PERSONS_BY_PNR)
            .unwrap()
            .range::<&[u8]>(..)
            .unwrap()
            .map(|r| {
                let (k, v) = r.unwrap();
                (<[u8; 32]>::try_from(k.value()).unwrap(), v.value())
            })
            .collect();
        assert_eq!(migrated, entries);
        assert!(tx.open_table(v1).is_err());
        // The pseudonym drawn before schema 3 still leads to its person.
        assert!(matches!(
            people::resolve_pseudonym(&*tx, tx.pseudonyms(), legacy).unwrap(),
            Some(people::Subject::Person(_))
        ));
    }
    let service =
        insats::service::Service::new(store, Box::new(insats::service::FixedClock::on(today())));
    let handler = insats::service::Session::sign_in(
        &service,
        &username,
        Some(insats::domain::user::Role::ParticipantHandler),
    )
    .unwrap();
    let hits = handler.lookup(&kept).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].participation.id, p);
    assert_eq!(
        hits[0].participation.in_date,
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    );
    assert_eq!(hits[0].participation.out_date, None);
    drop(handler);
    drop(service);
    // Opening again migrates nothing more.
    let store = Store::open(&path, None).unwrap();
    assert_eq!(
        insats_store::migrate::stored_version(&store).unwrap(),
        Some(SCHEMA_VERSION)
    );
}

#[test]
fn a_look_up_shows_the_registration_out_and_the_check_finds_a_summary_that_differs_from_its_row() {
    let f = Fixture::new();
    let who = pnr(date(1988, 8, 8), 512);
    let p = register(
        &f.handler,
        f.intervention,
        &who,
        "Test Person",
        "2026-06-01",
    );
    f.handler
        .register_out(
            p,
            "2026-06-12",
            insats::domain::questionnaire::EndReason::Employment,
            Some(other_answers(f.service.catalogue())),
        )
        .unwrap();
    let hits = f.handler.lookup(&who).unwrap();
    assert_eq!(hits[0].participation.out_date, Some(date(2026, 6, 12)));
    assert_eq!(
        hits[0].participation.end_reason,
        Some(insats::domain::questionnaire::EndReason::Employment)
    );
    {
        let tx = f.service.store().read().unwrap();
        assert_eq!(check::check(&tx).unwrap(), Vec::<String>::new());
    }

    // Put back the summary the entry had before the registration out: the check says so.
    let tx = f.service.store().write().unwrap();
    let mut row = people::participation(&tx, p).unwrap().unwrap();
    row.out_date = None;
    row.end_reason = None;
    let stale = insats_store::summary::pack(&row).unwrap();
    tx.open_table(insats_store::schema::PARTICIPATIONS_BY_PERSON)
        .unwrap()
        .insert((row.person.0, p.0), stale.as_slice())
        .unwrap();
    tx.commit().unwrap();
    let tx = f.service.store().read().unwrap();
    assert_eq!(
        check::check(&tx).unwrap(),
        ["participations_by_person: 1 summaries differ from their participations"]
    );
}

/// A version 3 file has no index of unused consents: opening it builds one from the consents
/// (the unused ones only), and the handler's list and the check agree.
#[test]
fn a_version_3_file_gets_its_unused_consents_indexed() {
    let f = Fixture::new();
    let used = register(
        &f.handler,
        f.intervention,
        &pnr(date(1980, 2, 2), 312),
        "Använd Person",
        "2026-06-01",
    );
    let waiting = record(
        &f.handler,
        f.intervention,
        &pnr(date(1981, 3, 3), 413),
        "Väntande Person",
    );
    let username = f.handler.user().username.clone();
    let path = f.db_path.clone();
    drop(f.handler);
    drop(f.other_handler);
    drop(f.manager);
    drop(f.report_reader);
    drop(f.log_reviewer);
    drop(f.admin);
    drop(f.service);
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        tx.delete_table(insats_store::schema::UNUSED_CONSENTS)
            .unwrap();
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 3u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path, None).unwrap();
    assert_eq!(
        insats_store::migrate::stored_version(&store).unwrap(),
        Some(SCHEMA_VERSION)
    );
    {
        let tx = store.read().unwrap();
        assert_eq!(
            insats_store::check::check(&tx).unwrap(),
            Vec::<String>::new()
        );
        let unused = people::unused_in(&*tx, f.intervention).unwrap();
        assert_eq!(
            unused.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![waiting]
        );
        assert!(people::unused_until(&*tx, today()).unwrap().len() == 1);
    }
    let service =
        insats::service::Service::new(store, Box::new(insats::service::FixedClock::on(today())));
    let handler = insats::service::Session::sign_in(
        &service,
        &username,
        Some(insats::domain::user::Role::ParticipantHandler),
    )
    .unwrap();
    let list = handler.unused_consents_in(f.intervention).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].identity.name, "Väntande Person");
    assert!(
        handler.lookup(&pnr(date(1980, 2, 2), 312)).unwrap()[0]
            .participation
            .id
            == used
    );
}

/// The check notices an unused consent missing from its index.
#[test]
fn the_check_finds_an_unused_consent_missing_from_its_index() {
    let f = Fixture::new();
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1981, 3, 3), 413),
        "Väntande Person",
    );
    {
        let tx = f.service.store().write().unwrap();
        tx.open_table(insats_store::schema::UNUSED_CONSENTS)
            .unwrap()
            .remove((f.intervention.0, c.0))
            .unwrap();
        tx.commit().unwrap();
    }
    let tx = f.service.store().read().unwrap();
    let problems = insats_store::check::check(&tx).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("unused_consents: 1 entries missing")),
        "{problems:?}"
    );
}

/// The shapes of associations and interventions before schema 5, as such a file holds them.
mod v4 {
    use insats::domain::date::Year;
    use insats::domain::ids::{AssociationId, InterventionId};
    use insats::domain::intervention::{Direction, Measurement};
    use insats::domain::organisation::OrgNumber;
    use insats::domain::person::MunicipalityCode;
    use insats::domain::questionnaire::Question;
    use serde::Serialize;

    #[derive(Serialize)]
    pub struct Association {
        pub id: AssociationId,
        pub name: String,
        pub org_number: OrgNumber,
        pub description: String,
        pub municipalities: Vec<MunicipalityCode>,
        #[serde(with = "insats::domain::date::days")]
        pub start: chrono::NaiveDate,
        #[serde(with = "insats::domain::date::days_opt")]
        pub end: Option<chrono::NaiveDate>,
        pub supplementary: Vec<Question>,
    }

    #[derive(Serialize)]
    pub struct YearPlan {
        pub year: Year,
        pub planned_participants: u32,
        pub cost: u64,
        pub esf_cost: u64,
    }

    #[derive(Serialize)]
    pub struct Intervention {
        pub id: InterventionId,
        pub association: AssociationId,
        pub name: String,
        pub description: String,
        #[serde(with = "insats::domain::date::days")]
        pub start: chrono::NaiveDate,
        #[serde(with = "insats::domain::date::days_opt")]
        pub end: Option<chrono::NaiveDate>,
        pub direction: Direction,
        pub target_groups: Vec<String>,
        pub measurement: Measurement,
        pub plans: Vec<YearPlan>,
    }

    pub fn encode(value: &impl Serialize) -> Vec<u8> {
        let mut out = vec![1u8];
        out.extend(postcard::to_allocvec(value).unwrap());
        out
    }
}

/// A version 4 file: associations and interventions in their first shape (a plan with one
/// cost per line), unsplit monthly counts and no per-year counts. Opening it gives the
/// settings their defaults, keeps the plan's budgets with no outcome, keeps each month's count
/// as "not split" and counts the participations per year; the check finds it consistent.
#[test]
fn a_version_4_file_gets_plans_settings_split_volumes_and_yearly_counts() {
    let f = Fixture::new();
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1980, 2, 2), 312),
        "Använd Person",
        "2026-03-01",
    );
    let path = f.db_path.clone();
    let (association, intervention, count_only) = (f.association, f.intervention, f.count_only);
    let (stored_a, stored_i): (Vec<_>, Vec<_>) = {
        let tx = f.service.store().read().unwrap();
        (
            org::associations(&*tx).unwrap(),
            [f.intervention, f.other_intervention, f.count_only]
                .iter()
                .map(|i| org::intervention(&*tx, *i).unwrap().unwrap())
                .collect(),
        )
    };
    // Everything but the folder goes: the file is closed.
    let _dir = close(f);
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(insats_store::schema::ASSOCIATIONS).unwrap();
            for a in &stored_a {
                let old = v4::Association {
                    id: a.id,
                    name: a.name.clone(),
                    org_number: a.org_number,
                    description: a.description.clone(),
                    municipalities: a.municipalities.clone(),
                    start: a.start,
                    end: a.end,
                    supplementary: a.supplementary.clone(),
                };
                t.insert(a.id.0, v4::encode(&old).as_slice()).unwrap();
            }
            let mut t = tx.open_table(insats_store::schema::INTERVENTIONS).unwrap();
            for i in &stored_i {
                let plans = if i.id == intervention {
                    vec![v4::YearPlan {
                        year: 2026,
                        planned_participants: 40,
                        cost: 900_000,
                        esf_cost: 100_000,
                    }]
                } else {
                    vec![]
                };
                let old = v4::Intervention {
                    id: i.id,
                    association: i.association,
                    name: i.name.clone(),
                    description: i.description.clone(),
                    start: i.start,
                    end: i.end,
                    direction: i.direction,
                    target_groups: i.target_groups.clone(),
                    measurement: i.measurement,
                    plans,
                };
                t.insert(i.id.0, v4::encode(&old).as_slice()).unwrap();
            }
        }
        tx.delete_table(insats_store::schema::VOLUMES).unwrap();
        tx.delete_table(insats_store::schema::YEARLY).unwrap();
        let old_volumes: redb::TableDefinition<(u64, i32, u8), u32> =
            redb::TableDefinition::new("volumes");
        tx.open_table(old_volumes)
            .unwrap()
            .insert((count_only.0, 2026, 3), 17)
            .unwrap();
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 4u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path, None).unwrap();
    assert_eq!(
        insats_store::migrate::stored_version(&store).unwrap(),
        Some(SCHEMA_VERSION)
    );
    let tx = store.read().unwrap();
    assert_eq!(
        insats_store::check::check(&tx).unwrap(),
        Vec::<String>::new()
    );
    let a = org::association(&*tx, association).unwrap().unwrap();
    assert_eq!((a.retention_years, a.small_cell_threshold), (5, 3));
    assert!(a.focus_options.is_empty() && a.controller.is_empty());
    let i = org::intervention(&*tx, intervention).unwrap().unwrap();
    let p = i.plan(2026).unwrap();
    assert_eq!(
        (p.planned_participants, p.cost.budget, p.esf.budget),
        (40, 900_000, 100_000)
    );
    assert_eq!((p.cost.outcome, p.esf.outcome), (None, None));
    assert_eq!(i.focus, "");
    let v = people::volumes(&*tx, count_only).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].2.women, v[0].2.men, v[0].2.unsplit), (0, 0, 17));
    let years = people::yearly(&*tx, intervention).unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].0, 2026);
    assert_eq!(years[0].1.started_women + years[0].1.started_men, 1);
}

/// A participation as schema 5 and earlier stored it: no age.
#[derive(serde::Serialize)]
struct ParticipationV1 {
    id: insats::domain::ids::ParticipationId,
    intervention: insats::domain::ids::InterventionId,
    person: insats::domain::ids::PersonId,
    consent: insats::domain::ids::ConsentId,
    pseudonym: insats::domain::ids::Pseudonym,
    gender: insats::domain::person::Gender,
    #[serde(with = "insats::domain::date::days")]
    in_date: chrono::NaiveDate,
    answers_in: insats::domain::questionnaire::Answers,
    #[serde(with = "insats::domain::date::days_opt")]
    out_date: Option<chrono::NaiveDate>,
    end_reason: Option<insats::domain::questionnaire::EndReason>,
    answers_out: Option<insats::domain::questionnaire::Answers>,
    consent_withdrawn: bool,
}

/// A version 5 file: participations without the age. Opening it reads each person's
/// personnummer once and stores the age on the in-date; everything else is as it was.
#[test]
fn a_version_5_file_gets_the_age_of_each_participation_on_its_in_date() {
    let f = Fixture::new();
    // Born 1980-02-02, in on 2026-03-01: 46. Born 1990-06-20, in on 2026-06-01: 35.
    let a = register(
        &f.handler,
        f.intervention,
        &pnr(date(1980, 2, 2), 312),
        "Första Person",
        "2026-03-01",
    );
    let b = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 6, 20), 413),
        "Andra Person",
        "2026-06-01",
    );
    let path = f.db_path.clone();
    let stored: Vec<_> = {
        let tx = f.service.store().read().unwrap();
        [a, b]
            .iter()
            .map(|id| people::participation(&*tx, *id).unwrap().unwrap())
            .collect()
    };
    // A registration stores the age itself.
    assert_eq!((stored[0].age, stored[1].age), (46, 35));
    let _dir = close(f);
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(insats_store::schema::PARTICIPATIONS).unwrap();
            for p in &stored {
                let old = ParticipationV1 {
                    id: p.id,
                    intervention: p.intervention,
                    person: p.person,
                    consent: p.consent,
                    pseudonym: p.pseudonym,
                    gender: p.gender,
                    in_date: p.in_date,
                    answers_in: p.answers_in.clone(),
                    out_date: p.out_date,
                    end_reason: p.end_reason,
                    answers_out: p.answers_out.clone(),
                    consent_withdrawn: p.consent_withdrawn,
                };
                t.insert(p.id.0, v4::encode(&old).as_slice()).unwrap();
            }
        }
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 5u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path, None).unwrap();
    let tx = store.read().unwrap();
    assert_eq!(
        insats_store::check::check(&tx).unwrap(),
        Vec::<String>::new()
    );
    let ages: Vec<u8> = [a, b]
        .iter()
        .map(|id| people::participation(&*tx, *id).unwrap().unwrap().age)
        .collect();
    assert_eq!(ages, vec![46, 35]);
    let again = people::participation(&*tx, a).unwrap().unwrap();
    assert_eq!(
        insats::domain::participation::Participation { age: 0, ..again },
        insats::domain::participation::Participation {
            age: 0,
            ..stored[0].clone()
        }
    );
}

/// Closes the fixture's database (every session and the service go) and keeps its folder.
fn close(f: Fixture) -> tempfile::TempDir {
    let Fixture {
        dir,
        service,
        admin,
        handler,
        other_handler,
        manager,
        report_reader,
        log_reviewer,
        ..
    } = f;
    drop((
        admin,
        handler,
        other_handler,
        manager,
        report_reader,
        log_reviewer,
    ));
    drop(service);
    dir
}

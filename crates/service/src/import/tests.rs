//! The import's promises: the same rules as by hand, all or nothing, consistent indexes and
//! pseudonyms, one audit entry per intervention and batch, people found across imports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{ImportOut, ImportRow};
use crate::synth::{self, Target};
use crate::{AssociationInput, FixedClock, InitInput, InterventionInput, Service};
use crate::{ServiceError, Session};
use chrono::NaiveDate;
use insats_domain::audit::Action;
use insats_domain::ids::{InterventionId, ParticipationId, PersonId, Pseudonym};
use insats_domain::intervention::{Direction, Measurement};
use insats_domain::participation::{self, Command, Facts, Outcome, Participation, Refusal};
use insats_domain::questionnaire::{Answers, EndReason};
use insats_domain::user::Role;
use insats_store::people::Subject;
use insats_store::schema::{
    AUDIT, AUDIT_BY_INTERVENTION, CONSENTS, CONSENTS_BY_PERSON, COUNTERS, META, PARTICIPATIONS,
    PARTICIPATIONS_BY_INTERVENTION, PARTICIPATIONS_BY_PERSON, PERSONS, PERSONS_BY_PNR, PSEUDONYMS,
};
use insats_store::{Store, Tx, check, org, people};
use redb::ReadableTableMetadata;
use std::collections::{BTreeSet, HashSet};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    service: Service,
    targets: Vec<Target>,
}

impl Setup {
    /// A database with three individual interventions open since 2016.
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("import.redb"), None, false).unwrap();
        let service = Service::new(store, Box::new(FixedClock::on(today())));
        let (association, _) = service
            .init(&InitInput {
                association: AssociationInput {
                    name: "Import".into(),
                    org_number: "222000-1230".into(),
                    description: String::new(),
                    municipalities: "0180".into(),
                    start: "2015-01-01".into(),
                    end: String::new(),
                },
                admin_username: "admin".into(),
                admin_display_name: "Admin".into(),
            })
            .unwrap();
        let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
        let targets = (0..3)
            .map(|k| Target {
                intervention: admin
                    .create_intervention(&InterventionInput {
                        association,
                        name: format!("Insats {k}"),
                        description: String::new(),
                        start: "2016-01-01".into(),
                        end: String::new(),
                        direction: Direction::Individual,
                        target_groups: vec![],
                        measurement: Measurement::Individual,
                    })
                    .unwrap(),
                from: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap(),
                until: None,
            })
            .collect();
        Setup {
            _dir: dir,
            service,
            targets,
        }
    }

    fn sys(&self) -> Session {
        Session::sign_in(&self.service, "admin", Some(Role::SystemAdmin)).unwrap()
    }

    fn rows(&self, seed: u64, n: usize) -> Vec<ImportRow> {
        synth::rows(seed, n, &self.targets, self.service.catalogue(), today()).collect()
    }

    fn check(&self) {
        let tx = self.service.store().read().unwrap();
        assert_eq!(check::check(&tx).unwrap(), Vec::<String>::new());
    }

    /// Everything an import writes to: the size of each table and all of META (sequences,
    /// audit head).
    fn state(&self) -> (Vec<u64>, Vec<(String, Vec<u8>)>) {
        let tx = self.service.store().read().unwrap();
        let sizes = vec![
            tx.table(PERSONS).unwrap().len().unwrap(),
            tx.table(PERSONS_BY_PNR).unwrap().len().unwrap(),
            tx.table(CONSENTS).unwrap().len().unwrap(),
            tx.table(CONSENTS_BY_PERSON).unwrap().len().unwrap(),
            tx.table(PARTICIPATIONS).unwrap().len().unwrap(),
            tx.table(PARTICIPATIONS_BY_INTERVENTION)
                .unwrap()
                .len()
                .unwrap(),
            tx.table(PARTICIPATIONS_BY_PERSON).unwrap().len().unwrap(),
            tx.table(PSEUDONYMS).unwrap().len().unwrap(),
            tx.table(COUNTERS).unwrap().len().unwrap(),
            tx.table(AUDIT).unwrap().len().unwrap(),
            tx.table(AUDIT_BY_INTERVENTION).unwrap().len().unwrap(),
        ];
        let meta = tx
            .table(META)
            .unwrap()
            .range::<&str>(..)
            .unwrap()
            .map(|r| {
                let (k, v) = r.unwrap();
                (k.value().to_owned(), v.value().to_vec())
            })
            .collect();
        (sizes, meta)
    }

    /// The import's audit entries: (intervention, participations), in order.
    fn import_entries(&self) -> Vec<(InterventionId, u64)> {
        let tx = self.service.store().read().unwrap();
        insats_store::audit::scan(&*tx, 0, |e| e.draft.action == Action::ImportBatch)
            .unwrap()
            .into_iter()
            .map(|e| {
                let n = e.draft.note.trim_end_matches(" participations");
                (e.draft.intervention.unwrap(), n.parse().unwrap())
            })
            .collect()
    }
}

fn refusal(result: Result<super::ImportReport, ServiceError>) -> (usize, String) {
    match result {
        Err(ServiceError::Import { row, message }) => (row, message),
        other => panic!("expected a refused row, got {other:?}"),
    }
}

#[test]
fn import_writes_consistent_records_and_one_audit_entry_per_intervention_and_batch() {
    let s = Setup::new();
    // More rows than a chunk handed to the writer (4,096) and an id block (4,096).
    let rows = s.rows(1, 9_000);
    let before = s.state();
    let report = s.sys().import_in_batches(rows.clone(), 1_000).unwrap();
    let people: HashSet<_> = rows.iter().map(|r| r.identity.pnr).collect();
    assert_eq!(report.participations, 9_000);
    assert_eq!(report.persons_created, people.len() as u64);
    assert!(
        people.len() < 9_000,
        "some people are in several interventions"
    );
    s.check();

    let after = s.state();
    let grew = |k: usize| after.0[k] - before.0[k];
    assert_eq!(grew(0), people.len() as u64, "persons");
    assert_eq!(grew(1), people.len() as u64, "persons_by_pnr");
    assert_eq!(grew(2), 9_000, "consents");
    assert_eq!(grew(4), 9_000, "participations");
    assert_eq!(grew(7), 0, "pseudonyms are derived, not stored");

    // One entry per intervention and 1,000 rows, counting that intervention's rows.
    let mut expected = Vec::new();
    for batch in rows.chunks(1_000) {
        let mut counts = std::collections::BTreeMap::new();
        for r in batch {
            *counts.entry(r.intervention).or_insert(0u64) += 1;
        }
        expected.extend(counts);
    }
    assert_eq!(s.import_entries(), expected);

    // Every person can be found by personnummer and opened with the key.
    let store = s.service.store();
    let tx = store.read().unwrap();
    for r in rows.iter().step_by(97) {
        let id = people::person_by_pnr(&*tx, store.crypto(), &r.identity.pnr)
            .unwrap()
            .unwrap();
        let row = people::person(&*tx, id).unwrap().unwrap();
        let identity = people::unseal_person(store.crypto(), id, &row).unwrap();
        assert!(identity == r.identity);
        // Its pseudonym leads back to the person.
        assert_eq!(
            people::resolve_pseudonym(&*tx, tx.pseudonyms(), row.pseudonym).unwrap(),
            Some(Subject::Person(id))
        );
        assert!(
            people::participations_of_person(&*tx, id)
                .unwrap()
                .iter()
                .any(|p| p.intervention == r.intervention && p.in_date == r.in_date)
        );
    }
}

#[test]
fn a_refused_row_refuses_the_import_and_leaves_nothing() {
    let s = Setup::new();
    s.sys().import(s.rows(7, 50)).unwrap();
    let before = s.state();
    // The refused row comes after the writer has put a chunk of records in the transaction.
    let mut rows = s.rows(8, 5_000);
    rows[4_320].answers_in = Answers::new(s.service.catalogue().version);
    let (row, message) = refusal(s.sys().import(rows));
    assert_eq!(row, 4_321);
    assert!(message.contains("answer"), "{message}");
    assert_eq!(s.state(), before, "nothing of the import remains");
    s.check();

    let mut rows = s.rows(8, 300);
    rows[299].out.as_mut().unwrap().reason = EndReason::ALL
        .iter()
        .copied()
        .find(|r| r.is_misregistration())
        .unwrap();
    assert_eq!(refusal(s.sys().import(rows)).0, 300);
    assert_eq!(s.state(), before);
}

#[test]
fn an_unknown_intervention_is_refused_with_its_row() {
    let s = Setup::new();
    let mut rows = s.rows(3, 20);
    rows[11].intervention = InterventionId(999_999);
    assert_eq!(refusal(s.sys().import(rows)).0, 12);
    s.check();
}

#[test]
fn only_a_system_administrator_imports() {
    let s = Setup::new();
    let admin = Session::sign_in(&s.service, "admin", Some(Role::AssociationAdmin)).unwrap();
    assert!(matches!(
        admin.import(s.rows(1, 3)),
        Err(ServiceError::Denied(_))
    ));
}

/// Two rows for one person in one intervention: the second needs the first to be over.
fn twice(s: &Setup, first_out: Option<NaiveDate>, second_in: NaiveDate) -> Vec<ImportRow> {
    let mut first = s.rows(11, 1).remove(0);
    let catalogue = s.service.catalogue();
    let mut rng = synth::Rng::new(5);
    first.in_date = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
    first.consent.signed_on = first.in_date;
    first.consent.original_sent_on = None;
    first.answers_in = synth::answers(&mut rng, catalogue, first.in_date);
    first.out = first_out.map(|date| ImportOut {
        date,
        reason: EndReason::ALL[0],
        answers: Some(synth::answers(&mut rng, catalogue, date)),
    });
    let mut second = first.clone();
    second.in_date = second_in;
    second.consent.signed_on = second_in;
    second.answers_in = synth::answers(&mut rng, catalogue, second_in);
    second.out = None;
    vec![first, second]
}

#[test]
fn the_rules_see_earlier_rows_of_the_same_import() {
    let s = Setup::new();
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let (row, message) = refusal(s.sys().import(twice(&s, None, d(2021, 1, 1))));
    assert_eq!(row, 2);
    assert_eq!(message, Refusal::AlreadyRegisteredIn.to_string());
    let (row, message) = refusal(
        s.sys()
            .import(twice(&s, Some(d(2021, 1, 1)), d(2020, 6, 1))),
    );
    assert_eq!(row, 2);
    assert_eq!(message, Refusal::OverlapsEarlier.to_string());
    let report = s
        .sys()
        .import(twice(&s, Some(d(2021, 1, 1)), d(2022, 1, 1)))
        .unwrap();
    assert_eq!(report.participations, 2);
    assert_eq!(report.persons_created, 1);
    s.check();
}

#[test]
fn people_already_stored_count_for_the_rules_and_are_not_created_again() {
    let s = Setup::new();
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let rows = twice(&s, Some(d(2021, 1, 1)), d(2022, 1, 1));
    s.sys().import(rows[..1].to_vec()).unwrap();
    // The second row overlaps the stored first one; then, moved past it, it is accepted.
    let mut overlapping = rows[1].clone();
    overlapping.in_date = d(2020, 12, 1);
    overlapping.consent.signed_on = overlapping.in_date;
    overlapping.answers_in = rows[0].answers_in.clone();
    let (row, message) = refusal(s.sys().import(vec![overlapping]));
    assert_eq!((row, message), (1, Refusal::OverlapsEarlier.to_string()));
    let report = s.sys().import(rows[1..].to_vec()).unwrap();
    assert_eq!(report.persons_created, 0);
    // And in another intervention, the same person again.
    let mut elsewhere = rows[1].clone();
    elsewhere.intervention = s
        .targets
        .iter()
        .map(|t| t.intervention)
        .find(|i| *i != rows[1].intervention)
        .unwrap();
    let report = s.sys().import(vec![elsewhere]).unwrap();
    assert_eq!(report.persons_created, 0);
    s.check();
    let store = s.service.store();
    let tx = store.read().unwrap();
    let id = people::person_by_pnr(&*tx, store.crypto(), &rows[0].identity.pnr)
        .unwrap()
        .unwrap();
    let theirs = people::participations_of_person(&*tx, id).unwrap();
    let places: BTreeSet<_> = theirs.iter().map(|p| p.intervention).collect();
    assert_eq!((theirs.len(), places.len()), (3, 2));
}

/// The import hands `apply` a participation without its answers at registration in (see
/// `Checker::row`): registering out must not depend on them.
#[test]
fn register_out_ignores_answers_in() {
    let s = Setup::new();
    let tx = s.service.store().read().unwrap();
    let intervention = org::intervention(&*tx, s.targets[0].intervention)
        .unwrap()
        .unwrap();
    let association = Session::association_of(&*tx, &intervention).unwrap();
    let catalogue = association.catalogue(s.service.catalogue());
    let facts = Facts {
        today: today(),
        association_start: association.start,
        association_end: association.end,
        intervention: &intervention,
        catalogue: &catalogue,
    };
    let mut rng = synth::Rng::new(3);
    let in_date = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
    let full = Participation {
        id: ParticipationId(1),
        intervention: intervention.id,
        person: PersonId(1),
        consent: insats_domain::ids::ConsentId(1),
        pseudonym: Pseudonym(1),
        gender: insats_domain::person::Gender::Woman,
        in_date,
        answers_in: synth::answers(&mut rng, &catalogue, in_date),
        out_date: None,
        end_reason: None,
        answers_out: None,
        consent_withdrawn: false,
        age: 30,
    };
    let mut stripped = full.clone();
    stripped.answers_in = Answers::new(0);
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let good = synth::answers(&mut rng, &catalogue, d(2025, 5, 5));
    for (date, reason, answers) in [
        (d(2025, 5, 5), EndReason::ALL[0], Some(good.clone())),
        (d(2023, 5, 5), EndReason::ALL[1], Some(good.clone())),
        (d(2027, 5, 5), EndReason::ALL[0], Some(good.clone())),
        (d(2025, 5, 5), EndReason::ALL[0], None),
        (d(2025, 5, 5), EndReason::ALL[0], Some(Answers::new(0))),
        (
            d(2025, 5, 5),
            EndReason::ALL[0],
            Some(full.answers_in.clone()),
        ),
    ] {
        let cmd = || Command::RegisterOut {
            date,
            reason,
            answers: answers.clone(),
        };
        let with = participation::apply(&facts, &full, cmd());
        let without = participation::apply(&facts, &stripped, cmd()).map(|(o, c)| {
            let o = match o {
                Outcome::Updated(mut p) => {
                    p.answers_in = full.answers_in.clone();
                    Outcome::Updated(p)
                }
                other => other,
            };
            (o, c)
        });
        assert_eq!(with, without, "out on {date}");
    }
}

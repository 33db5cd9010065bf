#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Data-subject rights and retention (domain.md §5) and the log reviewer's reveal (§2), through
//! the real service and store.
//!
//! "Today" is 2026-06-15. The fixture's association started 2020-01-01; `other_intervention`
//! started 2024-03-01. Participations ended more than five years ago need an intervention of
//! 2020, which the tests make.

mod common;
use common::*;

use insats::domain::anonymous::AnonymousCount;
use insats::domain::audit::{Action, Entry};
use insats::domain::ids::{AssociationId, InterventionId, ParticipationId, PersonId, Pseudonym};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::person::{MunicipalityCode, TextError};
use insats::domain::questionnaire::{AnswerValue, EndReason};
use insats::domain::user::{Role, Scope};
use insats::service::{
    AssociationInput, AuditFilter, FixedClock, InterventionInput, RightsError, ServiceError,
    Session,
};
use insats_store::people::{self, Subject};
use insats_store::{audit, check, codec, schema};

const NAME: &str = "Åsa Öberg-Testsson";
const REASON: &str = "begäran 2026-06-10, dnr 2026/17";

fn entries(f: &Fixture) -> Vec<Entry> {
    let tx = f.service.store().read().unwrap();
    let table = tx.open_table(schema::AUDIT).unwrap();
    table
        .range(0..)
        .unwrap()
        .map(|row| codec::decode::<Entry>(row.unwrap().1.value()).unwrap())
        .collect()
}

fn head(f: &Fixture) -> (u64, [u8; 32]) {
    let tx = f.service.store().read().unwrap();
    audit::head(&*tx).unwrap()
}

fn consistent(f: &Fixture) {
    let tx = f.service.store().read().unwrap();
    assert_eq!(check::check(&tx).unwrap(), Vec::<String>::new());
    assert!(
        audit::verify(&*tx, f.service.store().crypto())
            .unwrap()
            .is_ok()
    );
}

fn participation(
    f: &Fixture,
    id: ParticipationId,
) -> Option<insats::domain::participation::Participation> {
    let tx = f.service.store().read().unwrap();
    people::participation(&*tx, id).unwrap()
}

fn person_row(f: &Fixture, id: PersonId) -> Option<people::PersonRow> {
    let tx = f.service.store().read().unwrap();
    people::person(&*tx, id).unwrap()
}

fn now_ms() -> i64 {
    FixedClock::on(today()).now_ms
}

/// The digits of a personnummer in the 12- and 10-digit forms.
fn digit_forms(pnr_text: &str) -> (String, String) {
    let twelve: String = pnr_text.chars().filter(char::is_ascii_digit).collect();
    let ten = twelve[2..].to_owned();
    (twelve, ten)
}

fn out(s: &Session, p: ParticipationId, date: &str) {
    let cat = s.service().catalogue().clone();
    s.register_out(p, date, EndReason::Employment, Some(other_answers(&cat)))
        .unwrap();
}

/// An intervention started 2020-01-01 that the fixture's handler is assigned to.
fn old_intervention(f: &Fixture) -> InterventionId {
    let aa = Session::sign_in(&f.service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let id = aa
        .create_intervention(&InterventionInput {
            association: f.association,
            name: "Tidiga steg".into(),
            description: String::new(),
            start: "2020-01-01".into(),
            end: String::new(),
            direction: Direction::Individual,
            target_groups: vec![],
            measurement: Measurement::Individual,
        })
        .unwrap();
    f.admin
        .assign(
            user_id(&f.handler),
            Role::ParticipantHandler,
            Scope::Intervention(id),
            "2020-01-01",
            "",
        )
        .unwrap();
    id
}

fn denied<T: std::fmt::Debug>(r: &Result<T, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::Denied(_))), "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// Extract (registerutdrag)

#[test]
fn an_extract_holds_identity_participations_consents_and_who_viewed_them() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    let p = register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    out(&f.handler, p, "2026-03-01");
    f.handler.open_participant(p).unwrap();
    f.handler.lookup(&pnr_text).unwrap();
    // An unused consent in another intervention is held too.
    record(&f.other_handler, f.other_intervention, &pnr_text, NAME);

    let x = f.admin.extract(&pnr_text, REASON).unwrap();
    let id = x.identity.as_ref().unwrap();
    assert_eq!(id.name, NAME);
    assert_eq!(id.pnr, parsed(&pnr_text));
    assert_eq!(id.municipality, MunicipalityCode(180));
    assert_eq!(x.withdrawn_on, None);

    assert_eq!(x.participations.len(), 1);
    let e = &x.participations[0];
    assert_eq!(e.participation.id, p);
    assert_eq!(e.intervention_name, "Steg till arbete");
    assert_eq!(e.participation.out_date, Some(date(2026, 3, 1)));
    assert_eq!(e.participation.end_reason, Some(EndReason::Employment));
    let cat = &x.catalogues[&e.association];
    assert_eq!(e.participation.answers_in, answers(cat));
    assert_eq!(e.participation.answers_out, Some(other_answers(cat)));
    // Every answer resolves to a catalogue label.
    for (q, v) in &e.participation.answers_in.values {
        let options = match v {
            AnswerValue::One(o) => vec![o.clone()],
            AnswerValue::Many(os) => os.clone(),
        };
        assert!(cat.question(q).is_some(), "question {q}");
        for o in options {
            assert!(cat.option_label(q, &o, true).is_some(), "{q}/{o}");
        }
    }

    assert_eq!(x.consents.len(), 2);
    assert!(x.consents.iter().any(|c| c.consent.used_by == Some(p)));
    let unused = x
        .consents
        .iter()
        .find(|c| c.consent.used_by.is_none())
        .unwrap();
    assert_eq!(unused.intervention_name, "Hälsa först");
    assert_eq!(unused.consent.evidence.received_by, "Hanna Handläggare");

    let seen = |action: Action, user: &str| {
        x.history.iter().any(|h| {
            h.action == action
                && h.username.as_deref() == Some(user)
                && h.role == Some(Role::ParticipantHandler)
                && h.at_ms == now_ms()
        })
    };
    assert!(seen(Action::RecordConsent, "hanna"));
    assert!(seen(Action::RegisterIn, "hanna"));
    assert!(seen(Action::RegisterOut, "hanna"));
    assert!(seen(Action::ViewParticipant, "hanna"));
    assert!(seen(Action::LookupPersonnummer, "hanna"));
    assert!(seen(Action::RecordConsent, "olle"));
    assert!(x.history.windows(2).all(|w| w[0].seq < w[1].seq));

    // A second extract shows the first among who viewed the data.
    let again = f.admin.extract(&pnr_text, REASON).unwrap();
    assert!(
        again
            .history
            .iter()
            .any(|h| h.action == Action::DataSubjectExtract
                && h.username.as_deref() == Some("admin")
                && h.role == Some(Role::SystemAdmin))
    );
}

#[test]
fn an_extract_is_audited_without_name_or_personnummer() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    let p = register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    let person = person_row(&f, participation(&f, p).unwrap().person).unwrap();
    f.admin.extract(&pnr_text, REASON).unwrap();

    let all = entries(&f);
    let e = all.last().unwrap();
    assert_eq!(e.draft.action, Action::DataSubjectExtract);
    assert_eq!(e.draft.subject, Some(person.pseudonym));
    assert_eq!(e.draft.user, Some(user_id(&f.admin)));
    assert_eq!(e.draft.role, Some(Role::SystemAdmin));
    assert_eq!(e.draft.association, Some(f.association));
    assert_eq!(e.draft.note, REASON);
    let (twelve, ten) = digit_forms(&pnr_text);
    for e in &all {
        let bytes = codec::encode(e).unwrap();
        let text = format!("{e:?}");
        assert_eq!(count(&bytes, NAME.as_bytes()), 0, "entry {}", e.seq);
        assert_eq!(count(&bytes, twelve.as_bytes()), 0, "entry {}", e.seq);
        assert_eq!(count(&bytes, ten.as_bytes()), 0, "entry {}", e.seq);
        assert!(
            !text.contains(NAME) && !text.contains(&ten),
            "entry {}",
            e.seq
        );
    }
    assert!(!format!("{:?}", f.admin.extract(&pnr_text, REASON).unwrap()).contains(NAME));
    consistent(&f);
}

#[test]
fn an_extract_of_an_unknown_personnummer_is_empty_and_still_audited() {
    let f = Fixture::new();
    let before = head(&f).0;
    let x = f.admin.extract(&pnr(date(1990, 5, 5), 3), REASON).unwrap();
    assert!(x.identity.is_none() && x.participations.is_empty() && x.history.is_empty());
    let all = entries(&f);
    assert_eq!(all.len() as u64, before + 1);
    let e = all.last().unwrap();
    assert_eq!(e.draft.action, Action::DataSubjectExtract);
    assert_eq!(e.draft.subject, None);
}

#[test]
fn only_the_system_administrator_may_run_an_extract() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    let before = head(&f);
    let aa = Session::sign_in(&f.service, "admin", Some(Role::AssociationAdmin)).unwrap();
    for s in [
        &f.handler,
        &f.manager,
        &f.report_reader,
        &f.log_reviewer,
        &aa,
    ] {
        denied(&s.extract(&pnr_text, REASON));
    }
    assert_eq!(head(&f), before, "a refused request writes nothing");
}

#[test]
fn a_request_needs_a_reason_without_the_persons_name_or_personnummer() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    let before = head(&f);
    let reason_is = |r: Result<_, ServiceError>, want: RightsError| {
        assert!(matches!(r, Err(ServiceError::Rights(e)) if e == want));
    };
    reason_is(
        f.admin.extract(&pnr_text, "  "),
        RightsError::Reason(TextError::Empty),
    );
    reason_is(
        f.admin.extract(&pnr_text, &"x".repeat(201)),
        RightsError::Reason(TextError::TooLong { max: 200 }),
    );
    reason_is(
        f.admin.extract(&pnr_text, "brev från Åsa"),
        RightsError::ReasonHasPersonalData,
    );
    reason_is(
        f.admin.extract(&pnr_text, &format!("gäller {pnr_text}")),
        RightsError::ReasonHasPersonalData,
    );
    let e = f.admin.extract(&pnr_text, "brev från Åsa").unwrap_err();
    assert!(
        e.message(insats::service::Lang::Sv)
            .contains("personnummer")
    );
    assert!(!e.message(insats::service::Lang::Sv).contains("Åsa"));
    assert_eq!(head(&f), before);
}

// ---------------------------------------------------------------------------------------------
// Correction on request

#[test]
fn an_identity_correction_reseals_the_fields_and_is_audited() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    let p = register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    let person = participation(&f, p).unwrap().person;
    let old = person_row(&f, person).unwrap();

    let fields = f
        .admin
        .correct_identity(&pnr_text, Some("Åsa Rättad"), Some("0114"), REASON)
        .unwrap();
    assert_eq!(fields, vec!["name", "municipality"]);
    let row = person_row(&f, person).unwrap();
    assert_ne!(row.name, old.name);
    assert_eq!(row.pnr_hash, old.pnr_hash);
    assert_eq!(row.pseudonym, old.pseudonym);
    let detail = f.handler.open_participant(p).unwrap();
    assert_eq!(detail.row.identity.name, "Åsa Rättad");
    assert_eq!(detail.row.identity.municipality, MunicipalityCode(114));
    assert_eq!(f.handler.lookup(&pnr_text).unwrap().len(), 1);

    let e = entries(&f)
        .into_iter()
        .find(|e| e.draft.action == Action::CorrectIdentity)
        .unwrap();
    assert_eq!(e.draft.subject, Some(old.pseudonym));
    assert_eq!(e.draft.fields, vec!["name", "municipality"]);
    assert_eq!(e.draft.note, REASON);
    assert_eq!(e.draft.role, Some(Role::SystemAdmin));
    let bytes = codec::encode(&e).unwrap();
    assert_eq!(count(&bytes, "Rättad".as_bytes()), 0);
    // Correcting to what is already there changes nothing, but the request is logged.
    let again = f
        .admin
        .correct_identity(&pnr_text, Some("Åsa Rättad"), None, REASON)
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        entries(&f).last().unwrap().draft.action,
        Action::CorrectIdentity
    );
    consistent(&f);
}

#[test]
fn an_identity_can_be_corrected_after_consent_was_withdrawn() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    let p = register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    f.handler.withdraw_consent(p).unwrap();
    f.admin
        .correct_identity(&pnr_text, Some("Åsa Rättad"), None, REASON)
        .unwrap();
    let x = f.admin.extract(&pnr_text, REASON).unwrap();
    assert_eq!(x.identity.unwrap().name, "Åsa Rättad");
    assert_eq!(x.withdrawn_on, Some(today()));
}

#[test]
fn a_correction_needs_an_administrator_a_known_person_and_something_to_correct() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    let before = head(&f);
    denied(
        &f.handler
            .correct_identity(&pnr_text, Some("X Y"), None, REASON),
    );
    denied(
        &f.log_reviewer
            .correct_identity(&pnr_text, Some("X Y"), None, REASON),
    );
    assert!(matches!(
        f.admin.correct_identity(&pnr_text, None, None, REASON),
        Err(ServiceError::Rights(RightsError::NothingToCorrect))
    ));
    assert!(matches!(
        f.admin
            .correct_identity(&pnr(date(1990, 5, 5), 3), Some("X Y"), None, REASON),
        Err(ServiceError::Rights(RightsError::NoSuchPerson))
    ));
    assert!(matches!(
        f.admin
            .correct_identity(&pnr_text, None, Some("18"), REASON),
        Err(ServiceError::Text {
            field: "municipality",
            ..
        })
    ));
    assert_eq!(head(&f), before);
}

// ---------------------------------------------------------------------------------------------
// Retention (gallring)

struct Aged {
    old: InterventionId,
    /// Ended 2021-01-31; the person has nothing else.
    gone: ParticipationId,
    gone_pnr: String,
    /// Ended 2021-03-01; the same person is still open in `intervention`.
    shared: ParticipationId,
    shared_open: ParticipationId,
    /// Ended 2023-05-01.
    recent: ParticipationId,
    /// Registered in 2020-05-01, never out.
    open: ParticipationId,
    /// In `other_intervention`, ended 2024-12-01.
    other: ParticipationId,
}

const GONE: &str = "Gamla Gallringsdotter";

fn aged(f: &Fixture) -> Aged {
    let old = old_intervention(f);
    let h = &f.handler;
    let gone_pnr = pnr(date(1970, 2, 2), 2);
    let gone = register(h, old, &gone_pnr, GONE, "2020-02-01");
    out(h, gone, "2021-01-31");
    let shared_pnr = pnr(date(1971, 3, 3), 1);
    let shared = register(h, old, &shared_pnr, "Bo Båda", "2020-03-01");
    out(h, shared, "2021-03-01");
    let shared_open = register(h, f.intervention, &shared_pnr, "Bo Båda", "2025-02-01");
    let recent = register(h, old, &pnr(date(1972, 4, 4), 2), "Cilla Sen", "2020-04-01");
    out(h, recent, "2023-05-01");
    let open = register(h, old, &pnr(date(1973, 5, 5), 1), "Dan Kvar", "2020-05-01");
    let other = register(
        &f.other_handler,
        f.other_intervention,
        &pnr(date(1974, 6, 6), 2),
        "Eva Annan",
        "2024-04-01",
    );
    out(&f.other_handler, other, "2024-12-01");
    Aged {
        old,
        gone,
        gone_pnr,
        shared,
        shared_open,
        recent,
        open,
        other,
    }
}

#[test]
fn a_retention_dry_run_changes_nothing_and_reports_counts() {
    let f = Fixture::new();
    let a = aged(&f);
    let before = head(&f);
    let r = f.admin.retention(5, false).unwrap();
    assert!(!r.applied);
    assert_eq!(r.rules[0].cutoff, date(2021, 6, 15));
    assert_eq!(r.interventions.len(), 1);
    assert_eq!(r.interventions[0].intervention, a.old);
    assert_eq!(r.interventions[0].name, "Tidiga steg");
    assert_eq!(r.interventions[0].participations, 2);
    assert_eq!(r.persons_deleted, 0);
    // With one year, more would go, in two interventions.
    let r1 = f.admin.retention(1, false).unwrap();
    let per: Vec<_> = r1
        .interventions
        .iter()
        .map(|c| (c.intervention, c.participations))
        .collect();
    let mut want = vec![(f.other_intervention, 1), (a.old, 3)];
    want.sort();
    assert_eq!(per, want);
    assert_eq!(r1.total(), 4);
    assert_eq!(
        head(&f),
        before,
        "a dry run writes nothing, not even an audit entry"
    );
    for p in [a.gone, a.shared, a.recent, a.open, a.other] {
        assert!(participation(&f, p).is_some());
    }
}

#[test]
fn retention_purges_only_participations_ended_more_than_the_given_years_ago() {
    let f = Fixture::new();
    let a = aged(&f);
    let gone = participation(&f, a.gone).unwrap();
    let gone_row = person_row(&f, gone.person).unwrap();
    let shared_person = participation(&f, a.shared).unwrap().person;
    let (counters_before, _) = f.handler.aggregates(a.old).unwrap();

    let r = f.admin.retention(5, true).unwrap();
    assert!(r.applied);
    assert_eq!(r.total(), 2);
    assert_eq!(r.persons_deleted, 1);

    assert!(participation(&f, a.gone).is_none());
    assert!(participation(&f, a.shared).is_none());
    for p in [a.shared_open, a.recent, a.open, a.other] {
        assert!(participation(&f, p).is_some());
    }
    assert!(person_row(&f, gone.person).is_none());
    assert!(person_row(&f, shared_person).is_some());
    {
        let tx = f.service.store().read().unwrap();
        assert_eq!(people::consent(&*tx, gone.consent).unwrap(), None);
        // Its pseudonym now points at a record that no longer exists.
        match people::resolve_pseudonym(&*tx, tx.pseudonyms(), gone.pseudonym).unwrap() {
            Some(people::Subject::Participation(id)) => {
                assert_eq!(people::participation(&*tx, id).unwrap(), None);
            }
            other => panic!("{other:?}"),
        }
    }
    // Both count as anonymous participants of their start year; the rest are unchanged.
    let (counters, anonymous) = f.handler.aggregates(a.old).unwrap();
    assert_eq!(anonymous, vec![(2020, AnonymousCount { women: 1, men: 1 })]);
    assert_eq!(counters.anonymous.total(), 2);
    assert_eq!(counters.open, counters_before.open);
    assert_eq!(counters.ended, counters_before.ended - 2);
    assert_eq!(f.handler.lookup(&a.gone_pnr).unwrap().len(), 0);

    let purges: Vec<_> = entries(&f)
        .into_iter()
        .filter(|e| e.draft.action == Action::RetentionPurge)
        .collect();
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0].draft.intervention, Some(a.old));
    assert_eq!(purges[0].draft.association, Some(f.association));
    assert!(
        purges[0].draft.note.starts_with("2 participations"),
        "{}",
        purges[0].draft.note
    );

    consistent(&f);
    let raw = f.raw_file();
    assert_eq!(count(&raw, GONE.as_bytes()), 0);
    assert_eq!(
        count(&raw, &gone_row.name),
        0,
        "the sealed name is scrubbed from the file"
    );
    assert_eq!(
        count(&raw, &gone_row.pnr_hash),
        0,
        "the personnummer hash is gone"
    );
    // A second run finds nothing more.
    assert_eq!(f.admin.retention(5, true).unwrap().total(), 0);
}

#[test]
fn retention_is_for_the_system_administrator_and_keeps_at_least_a_year() {
    let f = Fixture::new();
    for s in [&f.handler, &f.manager, &f.log_reviewer, &f.report_reader] {
        denied(&s.retention(5, false));
    }
    assert!(matches!(
        f.admin.retention(0, true),
        Err(ServiceError::Rights(RightsError::RetentionTooShort {
            min: 1
        }))
    ));
}

/// Without `--years`, each association's own retention setting (the one its participants are
/// told) decides; years given apply to every association.
#[test]
fn retention_follows_the_associations_own_setting_unless_years_are_given() {
    let f = Fixture::new();
    let a = aged(&f);
    let assoc_admin =
        insats::service::Session::sign_in(&f.service, "admin", Some(Role::AssociationAdmin))
            .unwrap();
    let set = |years: &str| {
        assoc_admin
            .edit_association(
                f.association,
                &insats::service::AssociationEdit {
                    retention_years: Some(years.into()),
                    ..Default::default()
                },
            )
            .unwrap();
    };
    // Seven years: nothing ended before 2019-06-15, so nothing goes; five given: two go.
    set("7");
    let r = f.admin.retention_with(None, 30, false).unwrap();
    assert_eq!(r.years, None);
    let rule = r
        .rules
        .iter()
        .find(|x| x.association == f.association)
        .unwrap();
    assert_eq!((rule.years, rule.cutoff), (7, date(2019, 6, 15)));
    assert_eq!(r.total(), 0);
    let r = f.admin.retention_with(Some(5), 30, false).unwrap();
    assert!(r.rules.iter().all(|x| x.years == 5));
    assert_eq!(r.total(), 2);
    // Two years: also the one ended 2023-05-01, not the one ended 2024-12-01.
    set("2");
    let r = f.admin.retention_with(None, 30, true).unwrap();
    assert_eq!(r.total(), 3);
    for p in [a.gone, a.shared, a.recent] {
        assert!(participation(&f, p).is_none());
    }
    for p in [a.shared_open, a.open, a.other] {
        assert!(participation(&f, p).is_some());
    }
    // Each purge's audit entry names the limit it applied.
    let notes: Vec<String> = entries(&f)
        .into_iter()
        .filter(|e| e.draft.action == Action::RetentionPurge)
        .map(|e| e.draft.note)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("registered out before 2024-06-15")),
        "{notes:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Reveal (log reviewer)

#[test]
fn a_log_reviewer_reveals_an_identity_with_a_reason_and_it_is_audited() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    let p = register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    f.handler.lookup(&pnr_text).unwrap();
    let part = participation(&f, p).unwrap();
    let person = person_row(&f, part.person).unwrap();
    let consent_pseudonym = {
        let tx = f.service.store().read().unwrap();
        people::consent(&*tx, part.consent)
            .unwrap()
            .unwrap()
            .pseudonym
    };

    let r = f.log_reviewer.reveal(part.pseudonym, REASON).unwrap();
    assert_eq!(r.name, NAME);
    assert_eq!(r.pnr, parsed(&pnr_text));
    assert_eq!(r.subject, Subject::Participation(p));
    assert_eq!(r.person_pseudonym, person.pseudonym);
    assert!(!format!("{r:?}").contains(NAME));

    let e = entries(&f).pop().unwrap();
    assert_eq!(e.draft.action, Action::RevealIdentity);
    assert_eq!(e.draft.subject, Some(part.pseudonym));
    assert_eq!(e.draft.user, Some(user_id(&f.log_reviewer)));
    assert_eq!(e.draft.association, Some(f.association));
    assert_eq!(e.draft.intervention, Some(f.intervention));
    assert_eq!(e.draft.note, REASON);
    assert_eq!(count(&codec::encode(&e).unwrap(), NAME.as_bytes()), 0);

    // The person's pseudonym (from a personnummer search) and the consent's work too.
    assert_eq!(
        f.log_reviewer
            .reveal(person.pseudonym, REASON)
            .unwrap()
            .subject,
        Subject::Person(part.person)
    );
    assert_eq!(
        f.log_reviewer
            .reveal(consent_pseudonym, REASON)
            .unwrap()
            .name,
        NAME
    );
    // A reason is required.
    assert!(matches!(
        f.log_reviewer.reveal(part.pseudonym, ""),
        Err(ServiceError::Rights(RightsError::Reason(TextError::Empty)))
    ));
    consistent(&f);
}

#[test]
fn only_a_log_reviewer_of_the_association_may_reveal() {
    let f = Fixture::new();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1985, 1, 1), 2),
        NAME,
        "2026-01-10",
    );
    let pseudonym = participation(&f, p).unwrap().pseudonym;
    for s in [&f.admin, &f.handler, &f.manager, &f.report_reader] {
        denied(&s.reveal(pseudonym, REASON));
    }
    // A reviewer of another association may not.
    let other = second_association(&f);
    let lena = f
        .admin
        .create_user("lena", "Lena", &[Role::LogReviewer])
        .unwrap();
    f.admin
        .assign(
            lena,
            Role::LogReviewer,
            Scope::Association(other),
            "2021-01-01",
            "",
        )
        .unwrap();
    let lena = Session::sign_in(&f.service, "lena", Some(Role::LogReviewer)).unwrap();
    let before = head(&f);
    denied(&lena.reveal(pseudonym, REASON));
    assert_eq!(head(&f), before);
}

#[test]
fn a_reveal_after_misregistration_finds_nothing() {
    let f = Fixture::new();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1985, 1, 1), 2),
        NAME,
        "2026-01-10",
    );
    let pseudonym = participation(&f, p).unwrap().pseudonym;
    f.handler.misregister(p).unwrap();
    assert!(matches!(
        f.log_reviewer.reveal(pseudonym, REASON),
        Err(ServiceError::NotFound {
            what: "pseudonym",
            ..
        })
    ));
    // Numbers no record was given: whatever kind and id they turn back into, nothing is found
    // (never a "not in your scope", which would hint that something is there).
    for n in 0..200u64 {
        let made_up = Pseudonym(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x3039);
        assert!(
            matches!(
                f.log_reviewer.reveal(made_up, REASON),
                Err(ServiceError::NotFound {
                    what: "pseudonym",
                    ..
                })
            ),
            "{made_up}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The command line

fn insats(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_insats"))
        .arg("--db")
        .arg(db)
        .args(["--lang", "en"])
        .args(args)
        .env_remove("INSATS_USER")
        .env_remove("INSATS_DB")
        .output()
        .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_command_line_runs_extracts_corrections_retention_and_reveals() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 1, 1), 2);
    let p = register(&f.handler, f.intervention, &pnr_text, NAME, "2026-01-10");
    let pseudonym = participation(&f, p).unwrap().pseudonym.to_string();
    // The CLI opens the file itself: close every handle of the fixture's, keep the folder.
    let Fixture {
        dir,
        db_path,
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
        service,
        admin,
        handler,
        other_handler,
        manager,
        report_reader,
        log_reviewer,
    ));

    let x = stdout(&insats(
        &db_path,
        &["--as", "admin", "extract", &pnr_text, "--reason", REASON],
    ));
    assert!(x.contains(NAME) && x.contains(&pnr_text), "{x}");
    assert!(
        x.contains("Steg till arbete") && x.contains("register-in") && x.contains("hanna"),
        "{x}"
    );
    let c = stdout(&insats(
        &db_path,
        &[
            "--as",
            "admin",
            "correct-identity",
            &pnr_text,
            "--name",
            "Åsa Rättad",
            "--reason",
            REASON,
        ],
    ));
    assert!(c.contains("name"), "{c}");
    let r = stdout(&insats(&db_path, &["--as", "admin", "retention"]));
    assert!(r.contains("Dry run"), "{r}");
    let v = stdout(&insats(
        &db_path,
        &["--as", "lars", "reveal", &pseudonym, "--reason", REASON],
    ));
    assert!(v.contains("Åsa Rättad") && v.contains(&pnr_text), "{v}");
    let bad = insats(
        &db_path,
        &["--as", "lars", "reveal", "ps-nonsense", "--reason", REASON],
    );
    assert_eq!(bad.status.code(), Some(1));
    let denied = insats(
        &db_path,
        &["--as", "hanna", "extract", &pnr_text, "--reason", REASON],
    );
    assert_eq!(denied.status.code(), Some(1));
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(!err.contains(NAME) && !err.contains(&pnr_text), "{err}");
    drop(dir);
}

#[test]
fn a_log_reviewer_sees_the_sign_ins_of_their_associations_users_and_of_no_one_else() {
    let f = Fixture::new();
    let other = second_association(&f);
    let add = |name: &str, role: Role, scope: Scope| {
        let id = f.admin.create_user(name, name, &[role]).unwrap();
        f.admin.assign(id, role, scope, "2021-01-01", "").unwrap();
        Session::sign_in(&f.service, name, Some(role)).unwrap()
    };
    let lena = add("lena", Role::LogReviewer, Scope::Association(other));
    let rolf = add("rolf", Role::ReportReader, Scope::Association(other));

    // hanna works in an intervention of the fixture's association, rolf in the other one.
    f.handler.record_login("SHA256:hanna-key", None).unwrap();
    rolf.record_login("SHA256:rolf-key", None).unwrap();
    f.service
        .record_login_failed(Some(f.handler.user().id), "key not on file SHA256:x", None)
        .unwrap();
    f.service
        .record_login_failed(None, "unknown key SHA256:y", None)
        .unwrap();

    let sign_ins = |s: &Session| -> Vec<(Action, String)> {
        s.audit_page(&AuditFilter::default(), None, 100)
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e.draft.action, Action::Login | Action::LoginFailed))
            .map(|e| (e.draft.action, e.draft.note))
            .collect()
    };
    assert_eq!(
        sign_ins(&f.log_reviewer),
        [
            (Action::LoginFailed, "key not on file SHA256:x".to_string()),
            (Action::Login, "SHA256:hanna-key".to_string()),
        ]
    );
    assert_eq!(
        sign_ins(&lena),
        [(Action::Login, "SHA256:rolf-key".to_string())]
    );
    // The system administrator sees every one, the unknown key's too.
    let sys = Session::sign_in(&f.service, "admin", Some(Role::SystemAdmin)).unwrap();
    assert_eq!(sign_ins(&sys).len(), 4);
    assert!(
        audit::verify(
            &*f.service.store().read().unwrap(),
            f.service.store().crypto()
        )
        .unwrap()
        .is_ok()
    );
}

/// A second association, beside the fixture's.
fn second_association(f: &Fixture) -> AssociationId {
    f.admin
        .create_association(&AssociationInput {
            name: "Samordningsförbundet Två".into(),
            org_number: "212000-0142".into(),
            description: String::new(),
            municipalities: "0180".into(),
            start: "2021-01-01".into(),
            end: String::new(),
        })
        .unwrap()
}

/// A consent no registration uses is personal data without a purpose: retention deletes it
/// (with its person, when nothing else refers to them) once it is old enough; a dry run shows it.
#[test]
fn retention_deletes_unused_consents_once_they_are_old_enough() {
    let f = Fixture::new();
    let who = pnr(date(1966, 6, 6), 981);
    let orphan = record(&f.handler, f.intervention, &who, "Oanvänd Samtycke");
    let consents = |f: &Fixture| {
        use redb::ReadableTableMetadata;
        let tx = f.service.store().read().unwrap();
        tx.open_table(insats_store::schema::CONSENTS)
            .unwrap()
            .len()
            .unwrap()
    };
    let before = consents(&f);
    // Recorded today: the default 30 days keep it.
    let r = f.admin.retention(5, true).unwrap();
    assert_eq!(r.unused_consents.total(), 0);
    assert_eq!(r.unused_consents.days, insats::service::UNUSED_CONSENT_DAYS);
    assert_eq!(consents(&f), before);
    // Zero days: a dry run shows it, changing nothing.
    let r = f.admin.retention_with(Some(5), 0, false).unwrap();
    assert_eq!(r.unused_consents.total(), 1);
    assert_eq!(
        r.unused_consents.interventions[0].intervention,
        f.intervention
    );
    assert_eq!(consents(&f), before);
    // Applied: the consent and its person are gone, with an audit entry for the intervention.
    let head_before = head(&f);
    let r = f.admin.retention_with(Some(5), 0, true).unwrap();
    assert_eq!(r.unused_consents.total(), 1);
    assert_eq!(r.unused_consents.persons_deleted, 1);
    assert_eq!(consents(&f), before - 1);
    {
        let tx = f.service.store().read().unwrap();
        assert!(people::consent(&*tx, orphan).unwrap().is_none());
    }
    assert!(head(&f).0 > head_before.0);
    // A handler's look-up no longer finds the person.
    assert!(f.handler.lookup(&who).unwrap().is_empty());
}

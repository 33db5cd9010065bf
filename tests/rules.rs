#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! One test per rule of domain.md §1–§8, through the real service and the redb store.
//!
//! "Today" is 2026-06-15 (see `common::today`). The fixture's association started 2020-01-01;
//! `intervention` started 2025-01-01, `other_intervention` 2024-03-01, `count_only` 2024-01-01.

mod common;
use common::*;

use insats::domain::anonymous::AnonymousCount;
use insats::domain::audit::{Action, ChainBreak, Entry};
use insats::domain::consent::Signer;
use insats::domain::ids::{
    AssignmentId, ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym,
};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::participation::{Occasion, Refusal};
use insats::domain::person::Gender;
use insats::domain::personnummer::{PnrError, luhn_check_digit};
use insats::domain::planning::PlanRefusal;
use insats::domain::questionnaire::{
    AnswerError, AnswerValue, Answers, Choice, EndReason, Question, QuestionKind, compare,
};
use insats::domain::user::{Access, Role, Scope, UserError};
use insats::service::{
    AssociationEdit, AssociationInput, AuditFilter, ConsentInput, InterventionEdit,
    InterventionInput, PlanInput, RegisterInInput, ServiceError, Session,
};
use insats_store::people::{self, Subject};
use insats_store::{audit, check, codec, org, schema};
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};

// ---------------------------------------------------------------------------------------------
// Helpers local to these tests.

const NAME: &str = "Åsa Öberg-Testsson";

/// Every audit entry, oldest first.
fn entries(f: &Fixture) -> Vec<Entry> {
    let tx = f.service.store().read().unwrap();
    let table = tx.open_table(schema::AUDIT).unwrap();
    table
        .range(0..)
        .unwrap()
        .map(|row| codec::decode::<Entry>(row.unwrap().1.value()).unwrap())
        .collect()
}

fn table_len<K: redb::Key + 'static, V: redb::Value + 'static>(
    f: &Fixture,
    def: TableDefinition<K, V>,
) -> u64 {
    let tx = f.service.store().read().unwrap();
    tx.open_table(def).unwrap().len().unwrap()
}

/// The subject a pseudonym leads to, if its record still exists.
fn resolve(f: &Fixture, p: Pseudonym) -> Option<Subject> {
    let tx = f.service.store().read().unwrap();
    let subject = people::resolve_pseudonym(&*tx, tx.pseudonyms(), p).unwrap()?;
    let exists = match subject {
        Subject::Person(id) => people::person(&*tx, id).unwrap().is_some(),
        Subject::Participation(id) => people::participation(&*tx, id).unwrap().is_some(),
        Subject::Consent(id) => people::consent(&*tx, id).unwrap().is_some(),
    };
    exists.then_some(subject)
}

fn consistency_problems(f: &Fixture) -> Vec<String> {
    let tx = f.service.store().read().unwrap();
    check::check(&tx).unwrap()
}

fn verify_chain(f: &Fixture) -> Result<u64, ChainBreak> {
    let tx = f.service.store().read().unwrap();
    audit::verify(&*tx, f.service.store().crypto()).unwrap()
}

fn person_of(f: &Fixture, p: ParticipationId) -> PersonId {
    let tx = f.service.store().read().unwrap();
    people::participation(&*tx, p).unwrap().unwrap().person
}

fn pseudonym_of(f: &Fixture, p: ParticipationId) -> Pseudonym {
    let tx = f.service.store().read().unwrap();
    people::participation(&*tx, p).unwrap().unwrap().pseudonym
}

/// The digits of a personnummer made by [`pnr`], in the 12- and 10-digit forms.
fn digit_forms(pnr_text: &str) -> (String, String) {
    let twelve: String = pnr_text.chars().filter(char::is_ascii_digit).collect();
    let ten = twelve[2..].to_owned();
    (twelve, ten)
}

/// A valid samordningsnummer (day + 60) in the form `YYYYMMDD-NNNC`.
fn samordningsnummer(birth: chrono::NaiveDate, serial: u16) -> String {
    use chrono::Datelike;
    let yymmdd = format!(
        "{:02}{:02}{:02}",
        birth.year() % 100,
        birth.month(),
        birth.day() + 60
    );
    let nine = format!("{yymmdd}{:03}", serial % 1000);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let check = luhn_check_digit(&digits);
    format!("{}{yymmdd}-{:03}{check}", birth.year() / 100, serial % 1000)
}

/// The same number with its check digit changed.
fn with_wrong_check_digit(pnr_text: &str) -> String {
    let mut chars: Vec<char> = pnr_text.chars().collect();
    let last = chars.len() - 1;
    let d = chars[last].to_digit(10).unwrap();
    chars[last] = char::from_digit((d + 1) % 10, 10).unwrap();
    chars.into_iter().collect()
}

/// A new user with `role`, assigned (by the system administrator) to each scope from 2020.
fn new_user(f: &Fixture, name: &str, role: Role, scopes: &[Scope]) -> (Session, Vec<AssignmentId>) {
    let id = f.admin.create_user(name, name, &[role]).unwrap();
    let assignments = scopes
        .iter()
        .map(|s| f.admin.assign(id, role, *s, "2020-01-01", "").unwrap())
        .collect();
    (
        Session::sign_in(&f.service, name, Some(role)).unwrap(),
        assignments,
    )
}

fn association_admin(f: &Fixture) -> Session {
    Session::sign_in(&f.service, "admin", Some(Role::AssociationAdmin)).unwrap()
}

fn intervention_input(f: &Fixture, name: &str, start: &str, end: &str) -> InterventionInput {
    InterventionInput {
        association: f.association,
        name: name.into(),
        description: String::new(),
        start: start.into(),
        end: end.into(),
        direction: Direction::Individual,
        target_groups: vec![],
        measurement: Measurement::Individual,
    }
}

fn consent_input(signed_on: &str, by: Signer, judged_mature: bool) -> ConsentInput {
    ConsentInput {
        signed_on: signed_on.into(),
        signed_by: by,
        received_by: "Hanna Handläggare".into(),
        original_sent_on: String::new(),
        judged_mature,
    }
}

fn register_with_gender(
    s: &Session,
    consent: ConsentId,
    in_date: &str,
    gender: Option<Gender>,
) -> Result<ParticipationId, ServiceError> {
    s.register_in(&RegisterInInput {
        consent,
        in_date: in_date.into(),
        gender,
        answers: answers(s.service().catalogue()),
    })
}

fn out(s: &Session, p: ParticipationId, date: &str) {
    let cat = s.service().catalogue().clone();
    s.register_out(
        p,
        date,
        EndReason::CompletedAsPlanned,
        Some(other_answers(&cat)),
    )
    .unwrap();
}

/// Whether a personnummer error is the expected one.
type PnrCheck = fn(&PnrError) -> bool;

fn is_refused<T>(r: &Result<T, ServiceError>, what: fn(&Refusal) -> bool) -> bool {
    matches!(r, Err(ServiceError::Refused(x)) if what(x))
}

// ---------------------------------------------------------------------------------------------
// §1 Organisation and interventions

#[test]
fn an_association_needs_a_valid_organisation_number() {
    let f = Fixture::new();
    let input = |org: &str| AssociationInput {
        name: "Samordningsförbundet Två".into(),
        org_number: org.into(),
        description: String::new(),
        municipalities: "0180".into(),
        start: "2021-01-01".into(),
        end: String::new(),
    };
    let bad_check = f.admin.create_association(&input("222000-1231"));
    assert!(matches!(bad_check, Err(ServiceError::OrgNumber(_))));
    let short = f.admin.create_association(&input("222000-123"));
    assert!(matches!(short, Err(ServiceError::OrgNumber(_))));
    assert!(f.admin.create_association(&input("222000-1230")).is_ok());
    // Only the system administrator adds associations.
    assert!(matches!(
        f.handler.create_association(&input("222000-1230")),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn registration_before_the_associations_start_is_refused() {
    let f = Fixture::new();
    // An intervention cannot start before its association (2020-01-01).
    let early = association_admin(&f).create_intervention(&intervention_input(
        &f,
        "För tidig",
        "2019-12-31",
        "",
    ));
    assert!(matches!(
        early,
        Err(ServiceError::Refused(Refusal::BeforeAssociationStart { start }))
            if start == date(2020, 1, 1)
    ));
    // Registration in, and anonymous participants, before the association's start.
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
    );
    let r = f
        .handler
        .register_in(&register_input(c, "2019-12-31", &f.handler));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::BeforeAssociationStart { .. }
    )));
    let r = f.handler.register_anonymous(f.intervention, 2019, 1, 0);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::YearBeforeAssociationStart { .. }
    )));
}

#[test]
fn registration_after_the_associations_end_is_refused() {
    let f = Fixture::new();
    let ended = f
        .admin
        .create_association(&AssociationInput {
            name: "Nedlagda förbundet".into(),
            org_number: "222000-1230".into(),
            description: String::new(),
            municipalities: "0114".into(),
            start: "2021-01-01".into(),
            end: "2025-12-31".into(),
        })
        .unwrap();
    let admin_id = f.admin.user().id;
    f.admin
        .assign(
            admin_id,
            Role::AssociationAdmin,
            Scope::Association(ended),
            "2020-01-01",
            "",
        )
        .unwrap();
    let i = association_admin(&f)
        .create_intervention(&InterventionInput {
            association: ended,
            ..intervention_input(&f, "Gammal insats", "2021-01-01", "")
        })
        .unwrap();
    let (h, _) = new_user(
        &f,
        "henrik",
        Role::ParticipantHandler,
        &[Scope::Intervention(i)],
    );
    let c = record(&h, i, &pnr(date(1990, 5, 17), 123), NAME);
    let r = h.register_in(&register_input(c, "2026-01-02", &h));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::AfterAssociationEnd
    )));
    assert!(h.register_in(&register_input(c, "2025-12-31", &h)).is_ok());
}

#[test]
fn registration_before_the_interventions_start_or_after_its_end_is_refused() {
    let f = Fixture::new();
    // `intervention` starts 2025-01-01.
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
    );
    let r = f
        .handler
        .register_in(&register_input(c, "2024-12-31", &f.handler));
    assert!(matches!(
        r,
        Err(ServiceError::Refused(Refusal::BeforeInterventionStart { start }))
            if start == date(2025, 1, 1)
    ));
    assert!(
        f.handler
            .register_in(&register_input(c, "2025-01-01", &f.handler))
            .is_ok()
    );

    // An intervention that ended 2026-03-31.
    let ended = association_admin(&f)
        .create_intervention(&intervention_input(
            &f,
            "Sommarjobb",
            "2025-06-01",
            "2026-03-31",
        ))
        .unwrap();
    f.admin
        .assign(
            user_id(&f.handler),
            Role::ParticipantHandler,
            Scope::Intervention(ended),
            "2020-01-01",
            "",
        )
        .unwrap();
    let c = record(
        &f.handler,
        ended,
        &pnr(date(1991, 2, 3), 456),
        "Bo Bengtsson",
    );
    let r = f
        .handler
        .register_in(&register_input(c, "2026-04-01", &f.handler));
    assert!(matches!(
        r,
        Err(ServiceError::Refused(Refusal::AfterInterventionEnd { end })) if end == date(2026, 3, 31)
    ));
    let p = f
        .handler
        .register_in(&register_input(c, "2026-03-31", &f.handler))
        .unwrap();
    // Registration out after the end is refused too.
    let cat = f.service.catalogue().clone();
    let r = f.handler.register_out(
        p,
        "2026-04-01",
        EndReason::CompletedAsPlanned,
        Some(other_answers(&cat)),
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::AfterInterventionEnd { .. }
    )));
}

#[test]
fn registration_in_the_future_is_refused() {
    let f = Fixture::new();
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
    );
    let r = f
        .handler
        .register_in(&register_input(c, "2026-06-16", &f.handler));
    assert!(is_refused(&r, |x| matches!(x, Refusal::DateInFuture)));
    let p = f
        .handler
        .register_in(&register_input(c, "2026-06-15", &f.handler))
        .unwrap();
    let cat = f.service.catalogue().clone();
    let r = f.handler.register_out(
        p,
        "2026-06-16",
        EndReason::Employment,
        Some(other_answers(&cat)),
    );
    assert!(is_refused(&r, |x| matches!(x, Refusal::DateInFuture)));
    // A consent cannot be signed in the future either.
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&pnr(date(1985, 1, 1), 111), "Cilla Carlsson"),
        &consent_by_participant("2026-06-16"),
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::ConsentSignedInFuture
    )));
}

#[test]
fn a_person_may_be_in_several_interventions_and_in_the_same_one_several_times() {
    let f = Fixture::new();
    f.admin
        .assign(
            user_id(&f.handler),
            Role::ParticipantHandler,
            Scope::Intervention(f.other_intervention),
            "2020-01-01",
            "",
        )
        .unwrap();
    let number = pnr(date(1990, 5, 17), 123);
    let a = register(&f.handler, f.intervention, &number, NAME, "2026-01-10");
    // At the same time in another intervention.
    let b = register(
        &f.handler,
        f.other_intervention,
        &number,
        NAME,
        "2026-02-01",
    );
    assert_ne!(a, b);
    // Not twice at once in the same intervention.
    let c = record(&f.handler, f.intervention, &number, NAME);
    let r = f
        .handler
        .register_in(&register_input(c, "2026-02-01", &f.handler));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::AlreadyRegisteredIn
    )));
    out(&f.handler, a, "2026-03-01");
    // Not overlapping the earlier participation.
    let r = f
        .handler
        .register_in(&register_input(c, "2026-02-28", &f.handler));
    assert!(is_refused(&r, |x| matches!(x, Refusal::OverlapsEarlier)));
    let r = f
        .handler
        .register_in(&register_input(c, "2025-06-01", &f.handler));
    assert!(is_refused(&r, |x| matches!(x, Refusal::OverlapsEarlier)));
    // Again in the same intervention, from the day the first ended: its own record.
    let again = f
        .handler
        .register_in(&register_input(c, "2026-03-01", &f.handler))
        .unwrap();
    assert_ne!(again, a);
    assert_eq!(person_of(&f, again), person_of(&f, a));
    assert_ne!(pseudonym_of(&f, again), pseudonym_of(&f, a));
    let hits = f.handler.lookup(&number).unwrap();
    let mut ids: Vec<_> = hits.iter().map(|h| h.participation.id).collect();
    ids.sort();
    assert_eq!(ids, vec![a, b, again]);
    let page = f
        .handler
        .participants_page(f.intervention, None, 10)
        .unwrap();
    assert_eq!(page.len(), 2);
    let detail_a = f.handler.open_participant(a).unwrap();
    let detail_again = f.handler.open_participant(again).unwrap();
    assert_ne!(
        detail_a.row.participation.consent,
        detail_again.row.participation.consent
    );
    assert_eq!(detail_a.row.participation.out_date, Some(date(2026, 3, 1)));
    assert_eq!(detail_again.row.participation.out_date, None);
    let (counters, _) = f.handler.aggregates(f.intervention).unwrap();
    assert_eq!((counters.open, counters.ended), (1, 1));
    assert!(consistency_problems(&f).is_empty());
}

// ---------------------------------------------------------------------------------------------
// §2 Users, roles, assignments

#[test]
fn a_participant_handler_cannot_also_be_an_association_administrator() {
    let f = Fixture::new();
    let users_before = f.admin.users().unwrap().len();
    let r = f.admin.create_user(
        "dubbel",
        "Dubbel Roll",
        &[Role::ParticipantHandler, Role::AssociationAdmin],
    );
    assert!(matches!(
        r,
        Err(ServiceError::User(UserError::HandlerAndAssociationAdmin))
    ));
    assert_eq!(f.admin.users().unwrap().len(), users_before);
    // Nor by adding the role later.
    let hanna = user_id(&f.handler);
    let r = f.admin.update_user(
        hanna,
        Some(&[Role::ParticipantHandler, Role::AssociationAdmin]),
        None,
    );
    assert!(matches!(
        r,
        Err(ServiceError::User(UserError::HandlerAndAssociationAdmin))
    ));
    assert!(matches!(
        Session::sign_in(&f.service, "hanna", Some(Role::AssociationAdmin)),
        Err(ServiceError::Denied(_))
    ));
    // An association administrator cannot be made a handler either.
    let aa = f
        .admin
        .create_user("anna", "Anna Admin", &[Role::AssociationAdmin])
        .unwrap();
    let r = f.admin.update_user(
        aa,
        Some(&[Role::AssociationAdmin, Role::ParticipantHandler]),
        None,
    );
    assert!(matches!(
        r,
        Err(ServiceError::User(UserError::HandlerAndAssociationAdmin))
    ));
}

#[test]
fn a_participant_handler_cannot_also_be_a_system_administrator() {
    let f = Fixture::new();
    let r = f.admin.create_user(
        "dubbel",
        "Dubbel Roll",
        &[Role::ParticipantHandler, Role::SystemAdmin],
    );
    assert!(matches!(
        r,
        Err(ServiceError::User(UserError::HandlerAndSystemAdmin))
    ));
    let r = f.admin.update_user(
        user_id(&f.handler),
        Some(&[Role::ParticipantHandler, Role::SystemAdmin]),
        None,
    );
    assert!(matches!(
        r,
        Err(ServiceError::User(UserError::HandlerAndSystemAdmin))
    ));
    // The first administrator (system + association administrator) cannot become a handler.
    let r = f.admin.update_user(
        f.admin.user().id,
        Some(&[Role::SystemAdmin, Role::ParticipantHandler]),
        None,
    );
    assert!(matches!(
        r,
        Err(ServiceError::User(UserError::HandlerAndSystemAdmin))
    ));
    assert!(matches!(
        Session::sign_in(&f.service, "hanna", Some(Role::SystemAdmin)),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn a_role_acts_only_where_the_user_has_an_assignment() {
    let f = Fixture::new();
    // A handler with the role but no assignment reaches nothing.
    f.admin
        .create_user("ingen", "Ingen Uppdrag", &[Role::ParticipantHandler])
        .unwrap();
    let idle = Session::sign_in(&f.service, "ingen", Some(Role::ParticipantHandler)).unwrap();
    assert!(idle.interventions().unwrap().is_empty());
    let r = idle.record_consent(
        f.intervention,
        &identity(&pnr(date(1990, 5, 17), 123), NAME),
        &consent_by_participant("2026-06-01"),
    );
    assert!(matches!(r, Err(ServiceError::Denied(_))));
    assert!(matches!(
        idle.register_anonymous(f.intervention, 2026, 1, 0),
        Err(ServiceError::Denied(_))
    ));
    // The fixture's handler reaches exactly their one intervention.
    let reached: Vec<InterventionId> = f
        .handler
        .interventions()
        .unwrap()
        .iter()
        .map(|v| v.intervention.id)
        .collect();
    assert_eq!(reached, vec![f.intervention]);
}

#[test]
fn assignments_are_made_by_the_roles_the_table_names() {
    let f = Fixture::new();
    let new_handler = f
        .admin
        .create_user("henrik", "Henrik", &[Role::ParticipantHandler])
        .unwrap();
    let new_manager = f
        .admin
        .create_user("mats", "Mats", &[Role::InterventionManager])
        .unwrap();
    let to = Scope::Intervention;
    // The intervention manager assigns handlers to their own intervention only.
    assert!(
        f.manager
            .assign(
                new_handler,
                Role::ParticipantHandler,
                to(f.intervention),
                "2026-01-01",
                ""
            )
            .is_ok()
    );
    assert!(matches!(
        f.manager.assign(
            new_handler,
            Role::ParticipantHandler,
            to(f.other_intervention),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        f.manager.assign(
            new_manager,
            Role::InterventionManager,
            to(f.intervention),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::Denied(_))
    ));
    // The association administrator assigns managers, not handlers.
    let aa = association_admin(&f);
    assert!(
        aa.assign(
            new_manager,
            Role::InterventionManager,
            to(f.intervention),
            "2026-01-01",
            ""
        )
        .is_ok()
    );
    assert!(matches!(
        aa.assign(
            new_handler,
            Role::ParticipantHandler,
            to(f.other_intervention),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::Denied(_))
    ));
    // A handler assigns nobody.
    assert!(matches!(
        f.handler.assign(
            new_handler,
            Role::ParticipantHandler,
            to(f.intervention),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::Denied(_))
    ));
    // Only to a role the user has, and a handler only to an intervention.
    assert!(matches!(
        f.admin.assign(
            new_handler,
            Role::InterventionManager,
            to(f.intervention),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::User(UserError::RoleMissing { .. }))
    ));
    assert!(matches!(
        f.admin.assign(
            new_handler,
            Role::ParticipantHandler,
            Scope::Association(f.association),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::User(UserError::WrongScope { .. }))
    ));
}

#[test]
fn an_intervention_manager_can_never_read_a_name() {
    let f = Fixture::new();
    let number = pnr(date(1990, 5, 17), 123);
    let p = register(&f.handler, f.intervention, &number, NAME, "2026-06-01");
    let m = &f.manager;
    assert!(matches!(
        m.participants_page(f.intervention, None, 10),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        m.open_participant(p),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(m.lookup(&number), Err(ServiceError::Denied(_))));
    assert!(matches!(
        m.record_consent(
            f.intervention,
            &identity(&pnr(date(1980, 1, 1), 222), "Dan Dahl"),
            &consent_by_participant("2026-06-01")
        ),
        Err(ServiceError::Denied(_))
    ));
    // Aggregates work.
    let views = m.interventions().unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].intervention.id, f.intervention);
    assert_eq!(views[0].access, Access::Aggregate);
    assert_eq!(views[0].counters.open, 1);
    let (counters, _) = m.aggregates(f.intervention).unwrap();
    assert_eq!((counters.open, counters.men), (1, 1));
    // The association administrator and the system administrator see no names either.
    for s in [association_admin(&f), f.admin.clone()] {
        assert!(matches!(
            s.participants_page(f.intervention, None, 10),
            Err(ServiceError::Denied(_))
        ));
        assert!(matches!(
            s.open_participant(p),
            Err(ServiceError::Denied(_))
        ));
        assert!(matches!(s.lookup(&number), Err(ServiceError::Denied(_))));
        assert!(s.aggregates(f.intervention).is_ok());
    }
}

#[test]
fn a_report_reader_and_log_reviewer_see_only_aggregates() {
    let f = Fixture::new();
    let number = pnr(date(1990, 5, 17), 123);
    let p = register(&f.handler, f.intervention, &number, NAME, "2026-06-01");
    f.handler
        .register_anonymous(f.intervention, 2026, 2, 1)
        .unwrap();
    for s in [&f.report_reader, &f.log_reviewer] {
        assert!(matches!(
            s.participants_page(f.intervention, None, 10),
            Err(ServiceError::Denied(_))
        ));
        assert!(matches!(
            s.open_participant(p),
            Err(ServiceError::Denied(_))
        ));
        assert!(matches!(s.lookup(&number), Err(ServiceError::Denied(_))));
        // Every intervention of their association, as aggregates.
        let views = s.interventions().unwrap();
        assert_eq!(views.len(), 3);
        assert!(views.iter().all(|v| v.access == Access::Aggregate));
        let (counters, years) = s.aggregates(f.intervention).unwrap();
        assert_eq!(counters.total(), 4);
        assert_eq!(years, vec![(2026, AnonymousCount { women: 2, men: 1 })]);
    }
    // The log reviewer sees the log, with pseudonyms and no names.
    let log = f
        .log_reviewer
        .audit_page(&AuditFilter::default(), None, 1000)
        .unwrap();
    assert!(
        log.iter().any(|e| e.draft.action == Action::RegisterIn
            && e.draft.subject == Some(pseudonym_of(&f, p)))
    );
    let (twelve, ten) = digit_forms(&number);
    for e in &log {
        let text = format!("{e:?}");
        assert!(!text.contains("Öberg") && !text.contains(&twelve) && !text.contains(&ten));
    }
}

#[test]
fn a_report_reader_and_an_intervention_manager_get_no_pseudonymous_ids_from_the_log() {
    let f = Fixture::new();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-06-01",
    );
    f.handler.open_participant(p).unwrap();
    for s in [&f.report_reader, &f.manager] {
        if let Ok(log) = s.audit_page(&AuditFilter::default(), None, 1000) {
            assert!(
                log.iter().all(|e| e.draft.subject.is_none()),
                "{:?} sees entries about individual participants",
                s.role()
            );
        }
    }
}

#[test]
fn a_handler_sees_all_participants_of_an_assigned_intervention_and_none_of_another() {
    let f = Fixture::new();
    let (henrik, _) = new_user(
        &f,
        "henrik",
        Role::ParticipantHandler,
        &[Scope::Intervention(f.intervention)],
    );
    let by_henrik_pnr = pnr(date(1988, 8, 8), 222);
    let by_henrik = register(
        &henrik,
        f.intervention,
        &by_henrik_pnr,
        "Hugo Henriksson",
        "2026-05-01",
    );
    let by_hanna = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-05-02",
    );
    out(&f.handler, by_hanna, "2026-06-01");
    // Hanna sees both, also the one Henrik registered and the one already registered out.
    let page = f
        .handler
        .participants_page(f.intervention, None, 10)
        .unwrap();
    let mut ids: Vec<_> = page.iter().map(|r| r.participation.id).collect();
    ids.sort();
    assert_eq!(ids, vec![by_henrik, by_hanna]);
    let detail = f.handler.open_participant(by_henrik).unwrap();
    assert_eq!(detail.row.identity.name, "Hugo Henriksson");
    assert_eq!(f.handler.lookup(&by_henrik_pnr).unwrap().len(), 1);
    // ...and may register Henrik's participant out.
    out(&f.handler, by_henrik, "2026-06-02");

    // A person in both interventions: Olle (other intervention) sees only his part.
    let both = pnr(date(1975, 3, 3), 333);
    let in_mine = register(&f.handler, f.intervention, &both, "Bea Båda", "2026-05-03");
    let in_other = register(
        &f.other_handler,
        f.other_intervention,
        &both,
        "Bea Båda",
        "2026-05-04",
    );
    let o = &f.other_handler;
    assert!(matches!(
        o.participants_page(f.intervention, None, 10),
        Err(ServiceError::Denied(_))
    ));
    // Searching by name or personnummer covers the whole intervention, for its handlers only.
    let found = |s: &Session, needle: &str| -> Result<Vec<_>, ServiceError> {
        Ok(s.search_participants(f.intervention, needle, 10)?
            .iter()
            .map(|r| r.participation.id)
            .collect())
    };
    assert_eq!(found(&f.handler, "henriks").unwrap(), [by_henrik]);
    assert_eq!(found(&f.handler, "19880808-").unwrap(), [by_henrik]);
    assert_eq!(found(&f.handler, "BÅDA").unwrap(), [in_mine]);
    assert!(found(&f.handler, "nobody").unwrap().is_empty());
    assert!(matches!(found(o, "henriks"), Err(ServiceError::Denied(_))));
    assert!(matches!(
        found(&f.manager, "henriks"),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        o.open_participant(in_mine),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        o.open_participant(by_henrik),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        o.register_out(in_mine, "2026-06-10", EndReason::Moved, None),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        o.misregister(in_mine),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        o.correct_answers(in_mine, Occasion::In, answers(f.service.catalogue())),
        Err(ServiceError::Denied(_))
    ));
    assert!(o.lookup(&by_henrik_pnr).unwrap().is_empty());
    let hits = o.lookup(&both).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].participation.id, in_other);
    assert_eq!(hits[0].intervention, f.other_intervention);
    let hits = f.handler.lookup(&both).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].participation.id, in_mine);
}

#[test]
fn access_ends_when_the_assignment_ends() {
    let f = Fixture::new();
    let (henrik, assignments) = new_user(
        &f,
        "henrik",
        Role::ParticipantHandler,
        &[Scope::Intervention(f.intervention)],
    );
    let number = pnr(date(1990, 5, 17), 123);
    let p = register(&henrik, f.intervention, &number, NAME, "2026-06-01");
    // Ending today: still active today (to-date inclusive).
    f.admin
        .end_assignment(assignments[0], "2026-06-15")
        .unwrap();
    assert!(henrik.open_participant(p).is_ok());
    // Ended yesterday: no access at once, in the same session.
    f.admin
        .end_assignment(assignments[0], "2026-06-14")
        .unwrap();
    assert!(henrik.interventions().unwrap().is_empty());
    assert!(matches!(
        henrik.participants_page(f.intervention, None, 10),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        henrik.open_participant(p),
        Err(ServiceError::Denied(_))
    ));
    assert!(henrik.lookup(&number).unwrap().is_empty());
    let cat = f.service.catalogue().clone();
    assert!(matches!(
        henrik.register_out(p, "2026-06-14", EndReason::Moved, Some(other_answers(&cat))),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        henrik.register_anonymous(f.intervention, 2026, 1, 0),
        Err(ServiceError::Denied(_))
    ));
    // An assignment that starts tomorrow gives no access yet.
    let (later, _) = {
        let id = f
            .admin
            .create_user("lisa", "Lisa", &[Role::ParticipantHandler])
            .unwrap();
        let a = f
            .admin
            .assign(
                id,
                Role::ParticipantHandler,
                Scope::Intervention(f.intervention),
                "2026-06-16",
                "",
            )
            .unwrap();
        (
            Session::sign_in(&f.service, "lisa", Some(Role::ParticipantHandler)).unwrap(),
            a,
        )
    };
    assert!(matches!(
        later.open_participant(p),
        Err(ServiceError::Denied(_))
    ));
    // A deactivated user loses access too.
    f.admin
        .update_user(user_id(&f.handler), None, Some(false))
        .unwrap();
    assert!(matches!(
        f.handler.open_participant(p),
        Err(ServiceError::Denied(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// §3 Consent, minors, identity, registration in and out

#[test]
fn consent_is_required_and_never_reused() {
    let f = Fixture::new();
    // No consent recorded: no registration.
    let r = f
        .handler
        .register_in(&register_input(ConsentId(999), "2026-06-01", &f.handler));
    assert!(is_refused(&r, |x| matches!(x, Refusal::ConsentMissing)));
    assert_eq!(table_len(&f, schema::PARTICIPATIONS), 0);
    // A refused consent stores no personal data.
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&pnr(date(1990, 5, 17), 123), NAME),
        &ConsentInput {
            received_by: "  ".into(),
            ..consent_by_participant("2026-06-01")
        },
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::ConsentReceiverInvalid
    )));
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&pnr(date(1990, 5, 17), 123), NAME),
        &ConsentInput {
            original_sent_on: "2026-05-31".into(),
            ..consent_by_participant("2026-06-01")
        },
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::ConsentSentBeforeSigned
    )));
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&pnr(date(1990, 5, 17), 123), NAME),
        &ConsentInput {
            original_sent_on: "2026-06-16".into(),
            ..consent_by_participant("2026-06-01")
        },
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::ConsentSentInFuture
    )));
    assert_eq!(table_len(&f, schema::PERSONS), 0);
    assert_eq!(table_len(&f, schema::CONSENTS), 0);

    // Consent first, then registration; the consent is then used up.
    let number = pnr(date(1990, 5, 17), 123);
    let c = record(&f.handler, f.intervention, &number, NAME);
    assert_eq!(table_len(&f, schema::PERSONS), 1);
    let p = f
        .handler
        .register_in(&register_input(c, "2026-06-01", &f.handler))
        .unwrap();
    let detail = f.handler.open_participant(p).unwrap();
    let consent = detail.consent.unwrap();
    assert_eq!(consent.id, c);
    assert_eq!(consent.used_by, Some(p));
    assert_eq!(consent.evidence.signed_on, date(2026, 6, 1));
    assert_eq!(consent.evidence.received_by, "Hanna Handläggare");
    out(&f.handler, p, "2026-06-10");
    let r = f
        .handler
        .register_in(&register_input(c, "2026-06-12", &f.handler));
    assert!(is_refused(&r, |x| matches!(x, Refusal::ConsentAlreadyUsed)));
    // A new consent for the new registration.
    let c2 = record(&f.handler, f.intervention, &number, NAME);
    assert_ne!(c2, c);
    let p2 = f
        .handler
        .register_in(&register_input(c2, "2026-06-12", &f.handler))
        .unwrap();
    assert_eq!(
        f.handler.open_participant(p2).unwrap().consent.unwrap().id,
        c2
    );
    // A consent is bound to its intervention: one recorded for another intervention is not
    // reachable by this handler.
    let other = record(&f.other_handler, f.other_intervention, &number, NAME);
    assert!(matches!(
        f.handler
            .register_in(&register_input(other, "2026-06-12", &f.handler)),
        Err(ServiceError::Denied(_))
    ));
    assert!(consistency_problems(&f).is_empty());
}

#[test]
fn a_14_year_old_needs_a_guardians_signature() {
    let f = Fixture::new();
    let number = pnr(date(2012, 1, 10), 124);
    let who = identity(&number, "Kim Kvist");
    for mature in [false, true] {
        let r = f.handler.record_consent(
            f.intervention,
            &who,
            &consent_input("2026-06-01", Signer::Participant, mature),
        );
        assert!(
            is_refused(&r, |x| matches!(x, Refusal::GuardianMustSign { age: 14 })),
            "judged mature: {mature}"
        );
    }
    assert_eq!(table_len(&f, schema::PERSONS), 0);
    let c = f
        .handler
        .record_consent(
            f.intervention,
            &who,
            &consent_input("2026-06-01", Signer::Guardian, false),
        )
        .unwrap();
    let p = f
        .handler
        .register_in(&register_input(c, "2026-06-01", &f.handler))
        .unwrap();
    let detail = f.handler.open_participant(p).unwrap();
    assert_eq!(detail.consent.unwrap().evidence.signed_by, Signer::Guardian);
}

#[test]
fn a_16_year_old_judged_mature_may_sign_themselves() {
    let f = Fixture::new();
    let who = identity(&pnr(date(2010, 1, 10), 124), "Sam Svensson");
    let r = f.handler.record_consent(
        f.intervention,
        &who,
        &consent_input("2026-06-01", Signer::Participant, false),
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::GuardianMustSign { age: 16 }
    )));
    let c = f
        .handler
        .record_consent(
            f.intervention,
            &who,
            &consent_input("2026-06-01", Signer::Participant, true),
        )
        .unwrap();
    let p = f
        .handler
        .register_in(&register_input(c, "2026-06-01", &f.handler))
        .unwrap();
    let consent = f.handler.open_participant(p).unwrap().consent.unwrap();
    assert!(consent.evidence.judged_mature);
    assert_eq!(consent.evidence.signed_by, Signer::Participant);
    // A guardian may sign for a 16-year-old too.
    let who2 = identity(&pnr(date(2010, 2, 2), 222), "Tove Tall");
    assert!(
        f.handler
            .record_consent(
                f.intervention,
                &who2,
                &consent_input("2026-06-01", Signer::Guardian, false),
            )
            .is_ok()
    );
}

#[test]
fn an_adult_signs_the_consent_themselves() {
    let f = Fixture::new();
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&pnr(date(1990, 5, 17), 123), NAME),
        &consent_input("2026-06-01", Signer::Guardian, false),
    );
    assert!(is_refused(&r, |x| matches!(x, Refusal::GuardianForAdult)));
    // 18 on the day: an adult.
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&pnr(date(2008, 6, 1), 123), "Ung Vuxen"),
        &consent_input("2026-06-01", Signer::Participant, false),
    );
    assert!(r.is_ok());
}

#[test]
fn a_minor_gets_age_from_the_registration_date() {
    let f = Fixture::new();
    // Born 2011-06-10: 15 from 2026-06-10.
    let who = identity(&pnr(date(2011, 6, 10), 124), "Mio Mogen");
    let c = f
        .handler
        .record_consent(
            f.intervention,
            &who,
            &consent_input("2026-06-12", Signer::Participant, true),
        )
        .unwrap();
    // Registered in on a day they were still 14: the guardian must sign.
    let r = f
        .handler
        .register_in(&register_input(c, "2026-06-09", &f.handler));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::GuardianMustSign { age: 14 }
    )));
    // On their 15th birthday, judged mature, they sign themselves.
    assert!(
        f.handler
            .register_in(&register_input(c, "2026-06-10", &f.handler))
            .is_ok()
    );
    // The other way: a guardian signed while 17, registered in as an adult.
    let who = identity(&pnr(date(2008, 6, 5), 222), "Vera Vuxen");
    let c = f
        .handler
        .record_consent(
            f.intervention,
            &who,
            &consent_input("2026-06-01", Signer::Guardian, false),
        )
        .unwrap();
    let r = f
        .handler
        .register_in(&register_input(c, "2026-06-05", &f.handler));
    assert!(is_refused(&r, |x| matches!(x, Refusal::GuardianForAdult)));
    assert!(
        f.handler
            .register_in(&register_input(c, "2026-06-04", &f.handler))
            .is_ok()
    );
}

#[test]
fn gender_defaults_from_the_personnummer_and_can_be_overridden() {
    let f = Fixture::new();
    // Serial 123: second-to-last digit 3, odd: a man. Serial 124: even: a woman.
    let man = record(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        "Adam",
    );
    let woman = record(
        &f.handler,
        f.intervention,
        &pnr(date(1991, 5, 17), 124),
        "Eva",
    );
    let overridden = record(
        &f.handler,
        f.intervention,
        &pnr(date(1992, 5, 17), 125),
        "Alex",
    );
    let samordning = record(
        &f.handler,
        f.intervention,
        &samordningsnummer(date(1993, 5, 17), 128),
        "Sara",
    );
    let man = register_with_gender(&f.handler, man, "2026-06-01", None).unwrap();
    let woman = register_with_gender(&f.handler, woman, "2026-06-01", None).unwrap();
    let overridden =
        register_with_gender(&f.handler, overridden, "2026-06-01", Some(Gender::Woman)).unwrap();
    let samordning = register_with_gender(&f.handler, samordning, "2026-06-01", None).unwrap();
    let gender = |p| {
        f.handler
            .open_participant(p)
            .unwrap()
            .row
            .participation
            .gender
    };
    assert_eq!(gender(man), Gender::Man);
    assert_eq!(gender(woman), Gender::Woman);
    assert_eq!(gender(overridden), Gender::Woman);
    assert_eq!(gender(samordning), Gender::Woman);
    let (c, _) = f.handler.aggregates(f.intervention).unwrap();
    assert_eq!((c.women, c.men), (3, 1));
    assert!(consistency_problems(&f).is_empty());
}

#[test]
fn out_date_before_in_date_is_refused() {
    let f = Fixture::new();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-06-10",
    );
    let cat = f.service.catalogue().clone();
    let r = f.handler.register_out(
        p,
        "2026-06-09",
        EndReason::Employment,
        Some(other_answers(&cat)),
    );
    assert!(matches!(
        r,
        Err(ServiceError::Refused(Refusal::OutBeforeIn { in_date })) if in_date == date(2026, 6, 10)
    ));
    // Answers are required at registration out.
    let r = f
        .handler
        .register_out(p, "2026-06-10", EndReason::Employment, None);
    assert!(is_refused(&r, |x| matches!(x, Refusal::AnswersRequired)));
    // Out on the in-date is fine; once out, not again.
    f.handler
        .register_out(
            p,
            "2026-06-10",
            EndReason::Employment,
            Some(other_answers(&cat)),
        )
        .unwrap();
    let detail = f.handler.open_participant(p).unwrap();
    assert_eq!(detail.row.participation.out_date, Some(date(2026, 6, 10)));
    assert_eq!(
        detail.row.participation.end_reason,
        Some(EndReason::Employment)
    );
    let r = f
        .handler
        .register_out(p, "2026-06-11", EndReason::Other, Some(other_answers(&cat)));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::AlreadyRegisteredOut
    )));
    let (c, _) = f.handler.aggregates(f.intervention).unwrap();
    assert_eq!((c.open, c.ended), (0, 1));
}

#[test]
fn the_result_of_a_participation_is_the_difference_between_the_answer_sets() {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-06-01",
    );
    f.handler
        .register_out(
            p,
            "2026-06-10",
            EndReason::Studies,
            Some(other_answers(&cat)),
        )
        .unwrap();
    let part = f.handler.open_participant(p).unwrap().row.participation;
    assert_eq!(part.answers_in, answers(&cat));
    assert_eq!(part.answers_out.as_ref(), Some(&other_answers(&cat)));
    assert_eq!(part.answers_in.catalogue_version, cat.version);
    let diff = compare(&part.answers_in, part.answers_out.as_ref().unwrap());
    assert!(!diff.is_empty());
    assert!(diff.iter().any(|c| c.changed));
    // Incomplete or unknown answers are refused.
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1980, 1, 1), 222),
        "Dan",
    );
    let mut partial = answers(&cat);
    partial.values.remove("occupation");
    let r = register_with_answers(&f.handler, c, partial);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::Answers(AnswerError::Missing { .. })
    )));
    let mut stale = answers(&cat);
    stale.catalogue_version += 1;
    let r = register_with_answers(&f.handler, c, stale);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::Answers(AnswerError::VersionMismatch { .. })
    )));
}

fn register_with_answers(
    s: &Session,
    consent: ConsentId,
    a: Answers,
) -> Result<ParticipationId, ServiceError> {
    s.register_in(&RegisterInInput {
        consent,
        in_date: "2026-06-01".into(),
        gender: None,
        answers: a,
    })
}

#[test]
fn answers_can_be_corrected_and_each_correction_is_audited() {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let p = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-06-01",
    );
    // The out answers cannot be corrected before registration out.
    let r = f
        .handler
        .correct_answers(p, Occasion::Out, other_answers(&cat));
    assert!(is_refused(&r, |x| matches!(x, Refusal::NotRegisteredOut)));
    let before = entries(&f).len();
    f.handler
        .correct_answers(p, Occasion::In, other_answers(&cat))
        .unwrap();
    let log = entries(&f);
    assert_eq!(log.len(), before + 1);
    let e = log.last().unwrap();
    assert_eq!(e.draft.action, Action::CorrectAnswers);
    assert_eq!(e.draft.fields, vec!["answers_in".to_owned()]);
    assert_eq!(e.draft.subject, Some(pseudonym_of(&f, p)));
    assert_eq!(e.draft.user, Some(user_id(&f.handler)));
    assert_eq!(
        f.handler
            .open_participant(p)
            .unwrap()
            .row
            .participation
            .answers_in,
        other_answers(&cat)
    );
    f.handler
        .register_out(p, "2026-06-10", EndReason::Illness, Some(answers(&cat)))
        .unwrap();
    f.handler
        .correct_answers(p, Occasion::Out, other_answers(&cat))
        .unwrap();
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.action, Action::CorrectAnswers);
    assert_eq!(e.draft.fields, vec!["answers_out".to_owned()]);
    let part = f.handler.open_participant(p).unwrap().row.participation;
    assert_eq!(part.answers_out, Some(other_answers(&cat)));
    // An invalid correction is refused and not audited.
    let before = entries(&f).len();
    let mut bad = answers(&cat);
    bad.set("occupation", AnswerValue::One("astronaut".into()));
    let r = f.handler.correct_answers(p, Occasion::In, bad);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::Answers(AnswerError::UnknownOption { .. })
    )));
    assert_eq!(entries(&f).len(), before);
    let corrections = entries(&f)
        .iter()
        .filter(|e| e.draft.action == Action::CorrectAnswers)
        .count();
    assert_eq!(corrections, 2);
}

#[test]
fn misregistration_erases_the_participation_its_answers_and_consent() {
    let f = Fixture::new();
    // A person with one participation: everything goes, the person too.
    let number = pnr(date(1990, 5, 17), 123);
    let p = register(&f.handler, f.intervention, &number, NAME, "2026-06-01");
    let person = person_of(&f, p);
    let ps = pseudonym_of(&f, p);
    let person_ps = {
        let tx = f.service.store().read().unwrap();
        people::person(&*tx, person).unwrap().unwrap().pseudonym
    };
    // The out-date is ignored for a misregistration; no answers needed.
    f.handler
        .register_out(p, "", EndReason::Misregistration, None)
        .unwrap();
    assert!(matches!(
        f.handler.open_participant(p),
        Err(ServiceError::NotFound { .. })
    ));
    assert!(f.handler.lookup(&number).unwrap().is_empty());
    for (name, n) in [
        ("participations", table_len(&f, schema::PARTICIPATIONS)),
        (
            "by intervention",
            table_len(&f, schema::PARTICIPATIONS_BY_INTERVENTION),
        ),
        ("by person", table_len(&f, schema::PARTICIPATIONS_BY_PERSON)),
        ("consents", table_len(&f, schema::CONSENTS)),
        (
            "consents by person",
            table_len(&f, schema::CONSENTS_BY_PERSON),
        ),
        ("persons", table_len(&f, schema::PERSONS)),
        ("persons by pnr", table_len(&f, schema::PERSONS_BY_PNR)),
        ("pseudonyms", table_len(&f, schema::PSEUDONYMS)),
    ] {
        assert_eq!(n, 0, "{name}");
    }
    assert_eq!(resolve(&f, ps), None);
    assert_eq!(resolve(&f, person_ps), None);
    let (c, years) = f.handler.aggregates(f.intervention).unwrap();
    assert_eq!(c.total(), 0);
    assert!(years.is_empty());
    assert!(consistency_problems(&f).is_empty());
    // The misregistration itself is audited, under the participation's (now dangling) pseudonym.
    assert!(
        entries(&f)
            .iter()
            .any(|e| e.draft.action == Action::Misregistration && e.draft.subject == Some(ps))
    );

    // A person with another participation is kept, with that participation and its consent.
    let number = pnr(date(1985, 2, 2), 222);
    let first = register(&f.handler, f.intervention, &number, "Berit", "2026-01-10");
    out(&f.handler, first, "2026-02-01");
    let second = register(&f.handler, f.intervention, &number, "Berit", "2026-03-01");
    let second_consent = f
        .handler
        .open_participant(second)
        .unwrap()
        .row
        .participation
        .consent;
    f.handler.misregister(second).unwrap();
    let hits = f.handler.lookup(&number).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].participation.id, first);
    assert_eq!(table_len(&f, schema::PERSONS), 1);
    assert_eq!(table_len(&f, schema::CONSENTS), 1);
    {
        let tx = f.service.store().read().unwrap();
        assert!(people::consent(&*tx, second_consent).unwrap().is_none());
    }
    let (c, _) = f.handler.aggregates(f.intervention).unwrap();
    assert_eq!((c.open, c.ended), (0, 1));
    assert!(consistency_problems(&f).is_empty());
    // A registered-out participation can be misregistered too; then the person goes.
    f.handler.misregister(first).unwrap();
    assert_eq!(table_len(&f, schema::PERSONS), 0);
    assert_eq!(table_len(&f, schema::CONSENTS), 0);
    assert!(consistency_problems(&f).is_empty());
    assert!(verify_chain(&f).is_ok());
}

#[test]
fn misregistration_leaves_no_audit_entry_that_still_points_at_the_person() {
    let f = Fixture::new();
    let number = pnr(date(1985, 2, 2), 222);
    let first = register(&f.handler, f.intervention, &number, "Berit", "2026-01-10");
    out(&f.handler, first, "2026-02-01");
    // The second consent and registration, later misregistered.
    let start = entries(&f).len();
    let second = register(&f.handler, f.intervention, &number, "Berit", "2026-03-01");
    let written: Vec<u64> = entries(&f)[start..].iter().map(|e| e.seq).collect();
    assert_eq!(written.len(), 2, "consent + registration in");
    f.handler.misregister(second).unwrap();
    // No entry written for the erased participation may still lead to a record.
    for e in entries(&f).iter().filter(|e| written.contains(&e.seq)) {
        if let Some(s) = e.draft.subject {
            assert_eq!(
                resolve(&f, s),
                None,
                "audit entry {} ({:?}) of the erased participation still resolves",
                e.seq,
                e.draft.action
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// §4 Anonymous participants

#[test]
fn anonymous_participants_count_only_gender_and_start_year() {
    let f = Fixture::new();
    let h = &f.handler;
    h.register_anonymous(f.intervention, 2026, 3, 2).unwrap();
    h.register_anonymous(f.intervention, 2026, 1, 0).unwrap();
    h.register_anonymous(f.intervention, 2025, 0, 4).unwrap();
    let (c, years) = h.aggregates(f.intervention).unwrap();
    assert_eq!(
        years,
        vec![
            (2025, AnonymousCount { women: 0, men: 4 }),
            (2026, AnonymousCount { women: 4, men: 2 }),
        ]
    );
    assert_eq!(c.anonymous, AnonymousCount { women: 4, men: 6 });
    assert_eq!((c.open, c.ended, c.women, c.men), (0, 0, 0, 0));
    // No link to a person: nothing to list, open, look up or register out.
    assert!(
        h.participants_page(f.intervention, None, 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(table_len(&f, schema::PARTICIPATIONS), 0);
    assert_eq!(table_len(&f, schema::PERSONS), 0);
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.action, Action::RegisterAnonymous);
    assert_eq!(e.draft.subject, None);
    // Refused: the year before the intervention's (2025) or the association's start, the future,
    // nobody at all.
    let r = h.register_anonymous(f.intervention, 2024, 1, 0);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::YearBeforeInterventionStart { .. }
    )));
    // The message speaks of the start year, not a date, in both languages.
    let Err(ServiceError::Refused(why)) = &r else {
        panic!("{r:?}")
    };
    assert!(
        why.to_string().starts_with("the start year is before"),
        "{why}"
    );
    assert!(why.message_sv().starts_with("startåret är före"), "{why}");
    let r = h.register_anonymous(f.intervention, 2019, 1, 0);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::YearBeforeAssociationStart { .. }
    )));
    let r = h.register_anonymous(f.intervention, 2027, 1, 0);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::YearInFuture { this_year: 2026 }
    )));
    let r = h.register_anonymous(f.intervention, 2026, 0, 0);
    assert!(is_refused(&r, |x| matches!(x, Refusal::NoneToCount)));
    let r = h.register_anonymous(f.intervention, 2026, 10_000, 1);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::TooManyAtOnce { max: 10_000 }
    )));
    // Only a handler of the intervention enters them.
    assert!(matches!(
        f.manager.register_anonymous(f.intervention, 2026, 1, 0),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        f.other_handler
            .register_anonymous(f.intervention, 2026, 1, 0),
        Err(ServiceError::Denied(_))
    ));
    let (c2, _) = h.aggregates(f.intervention).unwrap();
    assert_eq!(c2, c);
}

#[test]
fn a_count_only_intervention_refuses_individual_registration() {
    let f = Fixture::new();
    let (cora, _) = new_user(
        &f,
        "cora",
        Role::ParticipantHandler,
        &[Scope::Intervention(f.count_only)],
    );
    let r = cora.record_consent(
        f.count_only,
        &identity(&pnr(date(1990, 5, 17), 123), NAME),
        &consent_by_participant("2026-06-01"),
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::CountOnlyIntervention
    )));
    assert_eq!(table_len(&f, schema::PERSONS), 0);
    let r = cora.register_anonymous(f.count_only, 2026, 1, 1);
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::CountOnlyIntervention
    )));
    // The intervention manager enters figures per period instead.
    let (vera, _) = new_user(
        &f,
        "vera",
        Role::InterventionManager,
        &[Scope::Intervention(f.count_only)],
    );
    vera.set_volume(f.count_only, &volume(2026, 5, 22, 20))
        .unwrap();
    // A correction replaces the month's figures, and the audit note keeps both.
    vera.set_volume(f.count_only, &volume(2026, 5, 21, 19))
        .unwrap();
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.action, Action::SetVolume);
    assert_eq!(e.draft.fields, vec!["women", "men"]);
    assert_eq!(
        e.draft.note,
        "2026-05: 21 women, 19 men (was 22 women, 20 men)"
    );
    vera.set_volume(f.count_only, &volume(2025, 12, 4, 3))
        .unwrap();
    {
        let tx = f.service.store().read().unwrap();
        let v = |women, men| insats::domain::planning::Volume {
            women,
            men,
            unsplit: 0,
        };
        assert_eq!(
            people::volumes(&*tx, f.count_only).unwrap(),
            vec![(2025, 12, v(4, 3)), (2026, 5, v(21, 19))]
        );
    }
    // The same figures again change nothing and are not logged.
    let before = entries(&f).len();
    assert!(matches!(
        vera.set_volume(f.count_only, &volume(2025, 12, 4, 3)),
        Err(ServiceError::Plan(PlanRefusal::NothingChanged))
    ));
    assert_eq!(entries(&f).len(), before);
    assert!(is_refused(
        &vera.set_volume(f.count_only, &volume(2027, 1, 1, 1)),
        |x| matches!(x, Refusal::DateInFuture)
    ));
    assert!(matches!(
        vera.set_volume(f.count_only, &volume(2026, 13, 1, 1)),
        Err(ServiceError::Plan(PlanRefusal::Month))
    ));
    // Not for an individual intervention, and not outside one's assignments or role.
    assert!(matches!(
        f.manager.set_volume(f.intervention, &volume(2026, 5, 1, 0)),
        Err(ServiceError::Plan(PlanRefusal::NotCountOnly))
    ));
    assert!(matches!(
        f.manager.set_volume(f.count_only, &volume(2026, 5, 1, 0)),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        cora.set_volume(f.count_only, &volume(2026, 5, 1, 0)),
        Err(ServiceError::Denied(_))
    ));
}

fn volume(year: i32, month: u32, women: u32, men: u32) -> insats::service::VolumeInput {
    insats::service::VolumeInput {
        year: year.to_string(),
        month: month.to_string(),
        women: women.to_string(),
        men: men.to_string(),
    }
}

#[test]
fn count_only_figures_before_the_start_are_refused() {
    let f = Fixture::new();
    let (vera, _) = new_user(
        &f,
        "vera",
        Role::InterventionManager,
        &[Scope::Intervention(f.count_only)],
    );
    // The association started 2020-01-01, the count-only intervention 2024-01-01.
    for year in [2019, 2023] {
        let r = vera.set_volume(f.count_only, &volume(year, 12, 5, 0));
        assert!(
            matches!(
                r,
                Err(ServiceError::Plan(PlanRefusal::YearOutside {
                    first: 2024,
                    ..
                }))
            ),
            "{r:?}"
        );
    }
    let tx = f.service.store().read().unwrap();
    assert!(people::volumes(&*tx, f.count_only).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// §5 Events that override the normal flow

#[test]
fn protected_identity_turns_a_participation_into_exactly_one_anonymous_count() {
    let f = Fixture::new();
    let number = pnr(date(1990, 5, 17), 125); // a man by the personnummer
    // Ended participation that started on the last day of 2025 (budget year 2025).
    let ended = register(&f.handler, f.intervention, &number, NAME, "2025-12-31");
    out(&f.handler, ended, "2026-02-01");
    // The open one, gender overridden to woman.
    let c = record(&f.handler, f.intervention, &number, NAME);
    let open = register_with_gender(&f.handler, c, "2026-03-01", Some(Gender::Woman)).unwrap();
    // In another intervention too, registered by another handler.
    let elsewhere = register(
        &f.other_handler,
        f.other_intervention,
        &number,
        NAME,
        "2026-04-01",
    );
    // Someone else, unaffected.
    let bystander_pnr = pnr(date(1970, 7, 7), 224);
    let bystander = register(
        &f.handler,
        f.intervention,
        &bystander_pnr,
        "Bo Bredvid",
        "2026-05-01",
    );
    let pseudonyms = [ended, open, elsewhere].map(|p| pseudonym_of(&f, p));
    let person = person_of(&f, open);

    f.handler.mark_protected(open).unwrap();

    // Exactly one anonymous participant per participation: gender and start year.
    let (c, years) = f.handler.aggregates(f.intervention).unwrap();
    assert_eq!(
        years,
        vec![
            (2025, AnonymousCount { women: 0, men: 1 }),
            (2026, AnonymousCount { women: 1, men: 0 }),
        ]
    );
    assert_eq!(c.anonymous, AnonymousCount { women: 1, men: 1 });
    assert_eq!((c.open, c.ended, c.women, c.men), (1, 0, 1, 0));
    let (c, years) = f.other_handler.aggregates(f.other_intervention).unwrap();
    assert_eq!(years, vec![(2026, AnonymousCount { women: 0, men: 1 })]);
    assert_eq!((c.open, c.ended, c.women, c.men), (0, 0, 0, 0));
    // Identity, answers and consents are gone; nothing leads to the person.
    for p in [ended, open] {
        assert!(matches!(
            f.handler.open_participant(p),
            Err(ServiceError::NotFound { .. })
        ));
    }
    assert!(matches!(
        f.other_handler.open_participant(elsewhere),
        Err(ServiceError::NotFound { .. })
    ));
    assert!(f.handler.lookup(&number).unwrap().is_empty());
    assert!(f.other_handler.lookup(&number).unwrap().is_empty());
    let page = f
        .handler
        .participants_page(f.intervention, None, 10)
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].participation.id, bystander);
    for ps in pseudonyms {
        assert_eq!(resolve(&f, ps), None);
    }
    {
        let tx = f.service.store().read().unwrap();
        assert!(people::person(&*tx, person).unwrap().is_none());
        assert!(people::consents_of(&*tx, person).unwrap().is_empty());
        assert!(
            people::participations_of_person(&*tx, person)
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(table_len(&f, schema::PERSONS), 1);
    assert_eq!(table_len(&f, schema::CONSENTS), 1);
    assert_eq!(table_len(&f, schema::PARTICIPATIONS), 1);
    assert!(consistency_problems(&f).is_empty());
    assert!(verify_chain(&f).is_ok());
    // The bystander is untouched.
    assert_eq!(f.handler.lookup(&bystander_pnr).unwrap().len(), 1);
}

#[test]
fn withdrawal_blocks_corrections_and_new_answers() {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let number = pnr(date(1990, 5, 17), 123);
    let earlier = register(&f.handler, f.intervention, &number, NAME, "2026-01-10");
    out(&f.handler, earlier, "2026-02-01");
    let p = register(&f.handler, f.intervention, &number, NAME, "2026-03-01");
    // A consent recorded before the withdrawal, not yet used.
    let old_consent = record(&f.handler, f.intervention, &number, NAME);

    f.handler.withdraw_consent(p).unwrap();
    assert!(is_refused(&f.handler.withdraw_consent(p), |x| matches!(
        x,
        Refusal::ConsentAlreadyWithdrawn
    )));
    let detail = f.handler.open_participant(p).unwrap();
    assert_eq!(detail.withdrawn_on, Some(today()));
    assert!(detail.row.participation.consent_withdrawn);
    // Data already recorded is kept.
    assert_eq!(detail.row.participation.answers_in, answers(&cat));
    assert_eq!(detail.row.identity.name, NAME);

    // No corrections, on this or the person's earlier participation.
    for (id, occasion) in [
        (p, Occasion::In),
        (earlier, Occasion::In),
        (earlier, Occasion::Out),
    ] {
        let r = f.handler.correct_answers(id, occasion, other_answers(&cat));
        assert!(is_refused(&r, |x| matches!(x, Refusal::ConsentWithdrawn)));
    }
    // Registration out: with answers refused, without answers allowed.
    let r = f.handler.register_out(
        p,
        "2026-06-10",
        EndReason::OwnChoice,
        Some(other_answers(&cat)),
    );
    assert!(is_refused(&r, |x| matches!(x, Refusal::ConsentWithdrawn)));
    f.handler
        .register_out(p, "2026-06-10", EndReason::OwnChoice, None)
        .unwrap();
    let part = f.handler.open_participant(p).unwrap().row.participation;
    assert_eq!(part.out_date, Some(date(2026, 6, 10)));
    assert_eq!(part.end_reason, Some(EndReason::OwnChoice));
    assert_eq!(part.answers_out, None);

    // A new registration needs a consent signed after the withdrawal.
    let r = f
        .handler
        .register_in(&register_input(old_consent, "2026-06-12", &f.handler));
    // The unused consent was voided by the withdrawal.
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::NewConsentNeeded | Refusal::ConsentMissing
    )));
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&number, NAME),
        &consent_by_participant("2026-06-14"),
    );
    assert!(is_refused(&r, |x| matches!(x, Refusal::NewConsentNeeded)));
    let fresh = f
        .handler
        .record_consent(
            f.intervention,
            &identity(&number, NAME),
            &consent_by_participant("2026-06-15"),
        )
        .unwrap();
    let again = f
        .handler
        .register_in(&register_input(fresh, "2026-06-15", &f.handler))
        .unwrap();
    // The new participation takes answers again.
    f.handler
        .correct_answers(again, Occasion::In, other_answers(&cat))
        .unwrap();
    assert!(consistency_problems(&f).is_empty());
}

#[test]
fn a_consent_recorded_before_the_withdrawal_cannot_be_used_after_it() {
    let f = Fixture::new();
    let number = pnr(date(1990, 5, 17), 123);
    let p = register(&f.handler, f.intervention, &number, NAME, "2026-06-01");
    out(&f.handler, p, "2026-06-10");
    // Signed and recorded today, before the person withdraws consent today.
    let before = f
        .handler
        .record_consent(
            f.intervention,
            &identity(&number, NAME),
            &consent_by_participant("2026-06-15"),
        )
        .unwrap();
    f.handler.withdraw_consent(p).unwrap();
    let r = f
        .handler
        .register_in(&register_input(before, "2026-06-15", &f.handler));
    // The withdrawal voided the unused consent.
    assert!(
        is_refused(&r, |x| matches!(
            x,
            Refusal::NewConsentNeeded | Refusal::ConsentMissing
        )),
        "{r:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// §6 Questionnaire

#[test]
fn supplementary_questions_are_required_in_their_validity_period() {
    // The service has no command to add supplementary questions yet, so the question is put on
    // the association through the store; the registration that must honour it goes through the
    // service.
    let f = Fixture::new();
    {
        let tx = f.service.store().write().unwrap();
        let mut a = org::association(&tx, f.association).unwrap().unwrap();
        a.supplementary.push(Question {
            key: "driving_licence".into(),
            label_sv: "Körkort".into(),
            label_en: "Driving licence".into(),
            kind: QuestionKind::Single,
            options: vec![
                Choice {
                    key: "yes".into(),
                    label_sv: "Ja".into(),
                    label_en: "Yes".into(),
                },
                Choice {
                    key: "no".into(),
                    label_sv: "Nej".into(),
                    label_en: "No".into(),
                },
            ],
            exclusive: vec![],
            order: 100,
            supplementary: true,
            valid_from: Some(date(2026, 6, 1)),
            valid_to: None,
        });
        org::put_association(&tx, &a).unwrap();
        tx.commit().unwrap();
    }
    let cat = f.service.catalogue().clone();
    let with_licence = || {
        let mut a = answers(&cat);
        a.set("driving_licence", AnswerValue::One("yes".into()));
        a
    };
    let input = |c, in_date: &str, a: Answers| RegisterInInput {
        consent: c,
        in_date: in_date.into(),
        gender: None,
        answers: a,
    };
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
    );
    // Inside the period: required.
    let r = f
        .handler
        .register_in(&input(c, "2026-06-10", answers(&cat)));
    assert!(matches!(
        r,
        Err(ServiceError::Refused(Refusal::Answers(AnswerError::Missing { question })))
            if question == "driving_licence"
    ));
    // Before the period: not asked, and an answer to it is refused.
    let r = f
        .handler
        .register_in(&input(c, "2026-05-10", with_licence()));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::Answers(AnswerError::NotValidOn { .. })
    )));
    let early = f
        .handler
        .register_in(&input(c, "2026-05-10", answers(&cat)))
        .unwrap();
    out(&f.handler, early, "2026-05-20");
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
    );
    let p = f
        .handler
        .register_in(&input(c, "2026-06-10", with_licence()))
        .unwrap();
    let part = f.handler.open_participant(p).unwrap().row.participation;
    assert_eq!(
        part.answers_in.values.get("driving_licence"),
        Some(&AnswerValue::One("yes".into()))
    );
    // Registration out inside the period needs it too.
    let r = f.handler.register_out(
        p,
        "2026-06-12",
        EndReason::Employment,
        Some(other_answers(&cat)),
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::Answers(AnswerError::Missing { .. })
    )));
}

// ---------------------------------------------------------------------------------------------
// §7 Personnummer and samordningsnummer

#[test]
fn personnummer_accepts_every_form_and_rejects_bad_check_digits() {
    let f = Fixture::new();
    let number = pnr(date(1990, 5, 17), 123);
    let (twelve, ten) = digit_forms(&number);
    let p = register(&f.handler, f.intervention, &number, NAME, "2026-06-01");
    // Every accepted form finds the same person.
    for form in [
        format!("{}-{}", &ten[..6], &ten[6..]),
        ten.clone(),
        twelve.clone(),
        format!("{}-{}", &twelve[..8], &twelve[8..]),
        format!("  {twelve} "),
    ] {
        let hits = f.handler.lookup(&form).unwrap();
        assert_eq!(hits.len(), 1, "form {form:?}");
        assert_eq!(hits[0].participation.id, p);
    }
    // Recording consent in another form reuses the same person record.
    let c = record(&f.handler, f.intervention, &ten, NAME);
    assert_eq!(table_len(&f, schema::PERSONS), 1);
    let person = person_of(&f, p);
    let tx = f.service.store().read().unwrap();
    assert_eq!(people::consent(&*tx, c).unwrap().unwrap().person, person);
    drop(tx);

    // `+`: 100 years or older; the century follows.
    let old = pnr(date(1920, 3, 4), 123);
    let (old12, old10) = digit_forms(&old);
    let plus = format!("{}+{}", &old10[..6], &old10[6..]);
    let p_old = register(
        &f.handler,
        f.intervention,
        &plus,
        "Gamle Gustav",
        "2026-06-01",
    );
    let hits = f.handler.lookup(&old12).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].participation.id, p_old);
    // With `-` the same ten digits are a child born 2020: a different person, and too young.
    let r = f.handler.record_consent(
        f.intervention,
        &identity(&format!("{}-{}", &old10[..6], &old10[6..]), "Lilla Gustav"),
        &consent_by_participant("2026-06-01"),
    );
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::GuardianMustSign { age: 6 }
    )));

    // A samordningsnummer (day + 60) is accepted.
    let samordning = samordningsnummer(date(1993, 5, 17), 128);
    let p_s = register(
        &f.handler,
        f.intervention,
        &samordning,
        "Sara Samordning",
        "2026-06-01",
    );
    assert_eq!(
        f.handler.lookup(&samordning).unwrap()[0].participation.id,
        p_s
    );

    // Refusals say what is wrong and never carry the digits.
    let persons = table_len(&f, schema::PERSONS);
    let cases: [(String, PnrCheck); 9] = [
        (with_wrong_check_digit(&number), |e| {
            matches!(e, PnrError::CheckDigit)
        }),
        (with_wrong_check_digit(&samordning), |e| {
            matches!(e, PnrError::CheckDigit)
        }),
        (ten[..9].to_owned(), |e| {
            matches!(e, PnrError::Length { digits: 9 })
        }),
        ("19900231-1234".to_owned(), |e| matches!(e, PnrError::Day)),
        ("19901317-1234".to_owned(), |e| matches!(e, PnrError::Month)),
        ("1990O517-1234".to_owned(), |e| {
            matches!(e, PnrError::InvalidCharacter)
        }),
        ("199005-171238".to_owned(), |e| {
            matches!(e, PnrError::Separator)
        }),
        (String::new(), |e| matches!(e, PnrError::Empty)),
        (pnr(date(2026, 6, 20), 123), |e| {
            matches!(e, PnrError::InFuture)
        }),
    ];
    for (input, expected) in cases {
        let r = f.handler.record_consent(
            f.intervention,
            &identity(&input, "Fel Felsson"),
            &consent_by_participant("2026-06-01"),
        );
        match &r {
            Err(ServiceError::Pnr(e)) => assert!(expected(e), "{input:?}: {e:?}"),
            other => panic!("{input:?}: expected a personnummer error, got {other:?}"),
        }
        let message = r.unwrap_err().to_string();
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        assert!(digits.len() < 4 || !message.contains(&digits[digits.len() - 4..]));
        assert!(matches!(
            f.handler.lookup(&input),
            Err(ServiceError::Pnr(_))
        ));
    }
    assert_eq!(table_len(&f, schema::PERSONS), persons);
}

// ---------------------------------------------------------------------------------------------
// §8 Audit and access logging

#[test]
fn every_change_and_every_view_is_an_audit_entry_without_personal_data() {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let number = pnr(date(1990, 5, 17), 123);
    let (twelve, ten) = digit_forms(&number);
    let h = &f.handler;
    let mut seen = entries(&f).len();
    let mut step = |what: &str, action: Action| -> Entry {
        let log = entries(&f);
        assert_eq!(log.len(), seen + 1, "{what}: exactly one entry");
        seen = log.len();
        let e = log.last().unwrap().clone();
        assert_eq!(e.draft.action, action, "{what}");
        assert_eq!(e.draft.user, Some(user_id(h)), "{what}");
        assert_eq!(e.draft.role, Some(Role::ParticipantHandler), "{what}");
        assert_eq!(e.draft.session, h.session_id(), "{what}");
        assert_eq!(e.at_ms, f.service.clock().now_ms(), "{what}");
        e
    };
    let c = record(h, f.intervention, &number, NAME);
    let e = step("consent", Action::RecordConsent);
    assert!(e.draft.fields.contains(&"consent".to_owned()));
    let p = h.register_in(&register_input(c, "2026-06-01", h)).unwrap();
    let ps = pseudonym_of(&f, p);
    let e = step("register in", Action::RegisterIn);
    assert_eq!(e.draft.subject, Some(ps));
    assert_eq!(e.draft.intervention, Some(f.intervention));
    assert_eq!(e.draft.association, Some(f.association));
    assert!(e.draft.fields.contains(&"answers_in".to_owned()));
    h.open_participant(p).unwrap();
    let e = step("open", Action::ViewParticipant);
    assert_eq!(e.draft.subject, Some(ps));
    assert_eq!(e.draft.intervention, Some(f.intervention));
    assert!(e.draft.fields.is_empty());
    h.open_participant(p).unwrap();
    step("open again", Action::ViewParticipant);
    h.lookup(&number).unwrap();
    let e = step("lookup", Action::LookupPersonnummer);
    assert!(e.draft.subject.is_some());
    h.lookup(&pnr(date(1950, 1, 1), 999)).unwrap();
    let e = step("lookup, not found", Action::LookupPersonnummer);
    assert_eq!(e.draft.subject, None);
    h.participants_page(f.intervention, None, 10).unwrap();
    h.correct_answers(p, Occasion::In, other_answers(&cat))
        .unwrap();
    let e = step("correct", Action::CorrectAnswers);
    assert_eq!(e.draft.subject, Some(ps));
    h.withdraw_consent(p).unwrap();
    step("withdraw", Action::WithdrawConsent);
    h.register_out(p, "2026-06-10", EndReason::Moved, None)
        .unwrap();
    let e = step("register out", Action::RegisterOut);
    assert_eq!(
        e.draft.fields,
        vec!["out_date".to_owned(), "end_reason".to_owned()]
    );
    h.register_anonymous(f.intervention, 2026, 2, 3).unwrap();
    step("anonymous", Action::RegisterAnonymous);
    // A refused command writes no entry.
    assert!(
        h.register_out(p, "2026-06-11", EndReason::Moved, None)
            .is_err()
    );
    assert_eq!(entries(&f).len(), seen);

    // No entry carries the name or the personnummer.
    let log = entries(&f);
    for e in &log {
        let text = format!("{e:?}");
        for needle in [NAME, "Öberg", twelve.as_str(), ten.as_str()] {
            assert!(!text.contains(needle), "entry {} names the person", e.seq);
        }
        assert!(!e.draft.note.contains(&twelve[8..]));
        for field in &e.draft.fields {
            assert!(!field.contains("Öberg") && !field.contains(&ten));
        }
    }
    let tx = f.service.store().read().unwrap();
    let table = tx.open_table(schema::AUDIT).unwrap();
    for row in table.range(0..).unwrap() {
        let (k, v) = row.unwrap();
        let bytes = v.value();
        for needle in [
            NAME.as_bytes(),
            "Öberg".as_bytes(),
            twelve.as_bytes(),
            ten.as_bytes(),
        ] {
            assert_eq!(count(bytes, needle), 0, "raw entry {}", k.value());
        }
    }
    drop(table);
    drop(tx);
    assert!(verify_chain(&f).is_ok());
}

#[test]
fn a_log_reviewer_sees_the_personnummer_searches_in_their_association() {
    let f = Fixture::new();
    let number = pnr(date(1990, 5, 17), 123);
    register(&f.handler, f.intervention, &number, NAME, "2026-06-01");
    f.handler.lookup(&number).unwrap();
    let filter = AuditFilter {
        action: Some(Action::LookupPersonnummer),
        ..AuditFilter::default()
    };
    let seen = f.log_reviewer.audit_page(&filter, None, 100).unwrap();
    assert_eq!(
        seen.len(),
        1,
        "the handler's search is in the reviewer's log"
    );
    assert_eq!(seen[0].draft.user, Some(user_id(&f.handler)));
}

#[test]
fn the_audit_chain_detects_an_edited_entry() {
    fn edit(f: &Fixture, seq: u64, change: impl FnOnce(&mut Entry)) {
        let tx = f.service.store().write().unwrap();
        {
            let mut table = tx.open_table(schema::AUDIT).unwrap();
            let bytes = table.get(seq).unwrap().unwrap().value().to_vec();
            let mut e: Entry = codec::decode(&bytes).unwrap();
            change(&mut e);
            table
                .insert(seq, codec::encode(&e).unwrap().as_slice())
                .unwrap();
        }
        tx.commit().unwrap();
    }
    fn remove(f: &Fixture, seq: u64) {
        let tx = f.service.store().write().unwrap();
        tx.open_table(schema::AUDIT).unwrap().remove(seq).unwrap();
        tx.commit().unwrap();
    }
    let setup = || {
        let f = Fixture::new();
        let p = register(
            &f.handler,
            f.intervention,
            &pnr(date(1990, 5, 17), 123),
            NAME,
            "2026-06-01",
        );
        f.handler.open_participant(p).unwrap();
        let n = verify_chain(&f).unwrap();
        (f, n)
    };
    let (f, n) = setup();
    let target = entries(&f)
        .iter()
        .find(|e| e.draft.action == Action::RegisterIn)
        .unwrap()
        .seq;
    // Editing the content (e.g. hiding who did it).
    edit(&f, target, |e| e.draft.user = None);
    assert_eq!(verify_chain(&f), Err(ChainBreak::BadMac { seq: target }));

    let (f, _) = setup();
    edit(&f, target, |e| e.at_ms -= 3_600_000);
    assert_eq!(verify_chain(&f), Err(ChainBreak::BadMac { seq: target }));

    let (f, _) = setup();
    edit(&f, target, |e| e.draft.action = Action::Login);
    assert_eq!(verify_chain(&f), Err(ChainBreak::BadMac { seq: target }));

    // Editing the link.
    let (f, _) = setup();
    edit(&f, target, |e| e.prev[0] ^= 1);
    assert_eq!(verify_chain(&f), Err(ChainBreak::BadLink { seq: target }));

    // Deleting the last entry: truncated.
    let (f, n2) = setup();
    assert_eq!(n2, n);
    remove(&f, n);
    assert_eq!(
        verify_chain(&f),
        Err(ChainBreak::Truncated {
            expected: n,
            found: n - 1
        })
    );

    // Deleting one in the middle: a gap.
    let (f, _) = setup();
    remove(&f, target);
    assert_eq!(
        verify_chain(&f),
        Err(ChainBreak::Gap {
            expected: target,
            found: target + 1
        })
    );
}

#[test]
fn supplementary_questions_of_the_association_are_asked_at_registration() {
    let f = Fixture::new();
    let assoc_admin = Session::sign_in(
        &f.service,
        "admin",
        Some(insats::domain::user::Role::AssociationAdmin),
    )
    .unwrap();
    let questions = insats::service::parse_questions(
        "[[questions]]\nkey = \"housing\"\nlabel_sv = \"Boende\"\nlabel_en = \"Housing\"\nkind = \"single\"\norder = 100\n\
         [[questions.options]]\nkey = \"own\"\nlabel_sv = \"Eget\"\nlabel_en = \"Own\"\n\
         [[questions.options]]\nkey = \"none\"\nlabel_sv = \"Inget\"\nlabel_en = \"None\"\n",
    )
    .unwrap();
    // Only the association's administrator may set them; a handler may not.
    assert!(
        f.handler
            .set_supplementary(f.association, &questions)
            .is_err()
    );
    assoc_admin
        .set_supplementary(f.association, &questions)
        .unwrap();
    let catalogue = f.handler.questionnaire(f.intervention).unwrap();
    assert!(
        catalogue
            .question("housing")
            .is_some_and(|q| q.supplementary)
    );
    // The default answers lack it: refused, naming the question.
    let consent = common::record(
        &f.handler,
        f.intervention,
        &common::pnr(common::date(1990, 1, 2), 981),
        "Ada Lind",
    );
    let err = f
        .handler
        .register_in(&common::register_input(consent, "2026-06-10", &f.handler))
        .unwrap_err();
    assert!(err.to_string().contains("housing"), "{err}");
    // Answered, it goes through.
    let mut input = common::register_input(consent, "2026-06-10", &f.handler);
    input.answers = common::answers(&catalogue);
    f.handler.register_in(&input).unwrap();
    // A question that clashes with the default catalogue is refused before anything is written.
    let clash = insats::service::parse_questions(
        "[[questions]]\nkey = \"occupation\"\nlabel_sv = \"X\"\nlabel_en = \"X\"\nkind = \"single\"\norder = 1\n[[questions.options]]\nkey = \"a\"\nlabel_sv = \"A\"\nlabel_en = \"A\"\n",
    )
    .unwrap();
    assert!(
        assoc_admin
            .set_supplementary(f.association, &clash)
            .is_err()
    );
    assert!(
        f.handler
            .questionnaire(f.intervention)
            .unwrap()
            .question("housing")
            .is_some()
    );
}

/// Unused consents hold personal data with no purpose: the consent form is checked without
/// saving, and a consent is saved together with its registration in, or not at all.
#[test]
fn a_new_consent_is_saved_with_its_registration_in_or_not_at_all() {
    let f = Fixture::new();
    let consents = |f: &Fixture| {
        let tx = f.service.store().read().unwrap();
        tx.open_table(schema::CONSENTS).unwrap().len().unwrap()
    };
    let persons = |f: &Fixture| {
        let tx = f.service.store().read().unwrap();
        tx.open_table(schema::PERSONS).unwrap().len().unwrap()
    };
    let (c0, p0) = (consents(&f), persons(&f));
    let who = identity(&pnr(date(1990, 4, 4), 981), "Ingen Kvar");
    let signed = consent_by_participant("2026-06-01");
    // The check refuses what recording would refuse, and keeps nothing either way.
    f.handler
        .check_consent(f.intervention, &who, &signed)
        .unwrap();
    let bad = consent_by_participant("2099-01-01");
    assert!(f.handler.check_consent(f.intervention, &who, &bad).is_err());
    assert_eq!((consents(&f), persons(&f)), (c0, p0));
    // A registration in the rules refuse (before the intervention's start) takes its consent
    // and its person with it.
    let refused = insats::service::NewRegistration {
        in_date: "2024-01-01".into(),
        gender: None,
        answers: answers(f.service.catalogue()),
    };
    assert!(
        f.handler
            .register_new(f.intervention, &who, &signed, &refused)
            .is_err()
    );
    assert_eq!((consents(&f), persons(&f)), (c0, p0));
    // Accepted: the consent, the person and the registration, in one go.
    let ok = insats::service::NewRegistration {
        in_date: "2026-06-10".into(),
        ..refused
    };
    let id = f
        .handler
        .register_new(f.intervention, &who, &signed, &ok)
        .unwrap();
    assert_eq!((consents(&f), persons(&f)), (c0 + 1, p0 + 1));
    let detail = f.handler.open_participant(id).unwrap();
    assert!(detail.consent.is_some());
}

/// A correction (rättelse) that changes nothing is neither saved nor logged.
#[test]
fn a_correction_that_changes_nothing_is_not_saved_or_logged() {
    let f = Fixture::new();
    let id = register(
        &f.handler,
        f.intervention,
        &pnr(date(1987, 7, 7), 982),
        "Samma Svar",
        "2026-06-10",
    );
    let head = |f: &Fixture| {
        let tx = f.service.store().read().unwrap();
        audit::head(&*tx).unwrap().0
    };
    let before = head(&f);
    let same = answers(f.service.catalogue());
    let r = f.handler.correct_answers(id, Occasion::In, same);
    assert!(is_refused(&r, |x| matches!(x, Refusal::NothingChanged)));
    assert_eq!(head(&f), before, "no audit entry");
    // A real change is saved and logged.
    let other = other_answers(f.service.catalogue());
    f.handler.correct_answers(id, Occasion::In, other).unwrap();
    assert_eq!(head(&f), before + 1);
}

// ---------------------------------------------------------------------------------------------
// §1 and §9: keeping interventions — edits, ends, year plans, settings

fn plan(year: &str, planned: &str, cost: (&str, &str), esf: (&str, &str)) -> PlanInput {
    PlanInput {
        year: year.into(),
        planned_participants: planned.into(),
        cost_budget: cost.0.into(),
        cost_outcome: cost.1.into(),
        esf_budget: esf.0.into(),
        esf_outcome: esf.1.into(),
    }
}

fn rename(name: &str) -> InterventionEdit {
    InterventionEdit {
        name: Some(name.into()),
        ..InterventionEdit::default()
    }
}

fn end_on(date: &str) -> InterventionEdit {
    InterventionEdit {
        end: Some(date.into()),
        ..InterventionEdit::default()
    }
}

#[test]
fn a_manager_edits_only_their_own_interventions() {
    let f = Fixture::new();
    let fields = f
        .manager
        .edit_intervention(
            f.intervention,
            &InterventionEdit {
                name: Some("Steg till arbete 2.0".into()),
                description: Some("Ny beskrivning".into()),
                target_groups: Some(vec!["Unga vuxna".into(), " ".into()]),
                ..InterventionEdit::default()
            },
        )
        .unwrap();
    assert_eq!(fields, vec!["name", "description", "target_groups"]);
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.action, Action::UpdateIntervention);
    assert_eq!(e.draft.fields, vec!["name", "description", "target_groups"]);
    assert_eq!(e.draft.intervention, Some(f.intervention));
    let v = f.manager.interventions().unwrap();
    assert_eq!(v[0].intervention.name, "Steg till arbete 2.0");
    assert_eq!(v[0].intervention.target_groups, vec!["Unga vuxna"]);
    // Not an intervention outside the manager's assignments.
    let before = entries(&f).len();
    assert!(matches!(
        f.manager
            .edit_intervention(f.other_intervention, &rename("X")),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        f.manager.set_plan(
            f.other_intervention,
            &plan("2026", "10", ("1", ""), ("0", ""))
        ),
        Err(ServiceError::Denied(_))
    ));
    // The same name again changes nothing and is not logged.
    assert!(matches!(
        f.manager
            .edit_intervention(f.intervention, &rename("Steg till arbete 2.0")),
        Err(ServiceError::Plan(PlanRefusal::NothingChanged))
    ));
    assert_eq!(entries(&f).len(), before);
    // The association's administrator keeps every intervention of it.
    association_admin(&f)
        .edit_intervention(f.other_intervention, &rename("Hälsa först igen"))
        .unwrap();
}

#[test]
fn the_method_is_fixed_after_the_first_registration() {
    let f = Fixture::new();
    let admin = association_admin(&f);
    // Nothing registered yet: the direction and the method may still change.
    let change = InterventionEdit {
        direction: Some(Direction::Structural),
        measurement: Some(Measurement::CountOnly),
        ..InterventionEdit::default()
    };
    admin
        .edit_intervention(f.other_intervention, &change)
        .unwrap();
    let back = InterventionEdit {
        direction: Some(Direction::Individual),
        measurement: Some(Measurement::Individual),
        ..InterventionEdit::default()
    };
    admin
        .edit_intervention(f.other_intervention, &back)
        .unwrap();
    // One anonymous participant is a registration too.
    f.other_handler
        .register_anonymous(f.other_intervention, 2026, 1, 0)
        .unwrap();
    let r = admin.edit_intervention(
        f.other_intervention,
        &InterventionEdit {
            measurement: Some(Measurement::CountOnly),
            ..InterventionEdit::default()
        },
    );
    assert!(
        matches!(
            &r,
            Err(ServiceError::Plan(PlanRefusal::Fixed {
                field: "measurement method",
                registered: 1
            }))
        ),
        "{r:?}"
    );
    // In words, in both languages.
    let e = r.unwrap_err();
    assert!(
        e.message(insats::service::Lang::En)
            .contains("is fixed once")
    );
    assert!(
        e.message(insats::service::Lang::Sv)
            .contains("går inte att ändra")
    );
    // An identified participant too.
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-06-01",
    );
    assert!(matches!(
        admin.edit_intervention(
            f.intervention,
            &InterventionEdit {
                direction: Some(Direction::Structural),
                ..InterventionEdit::default()
            },
        ),
        Err(ServiceError::Plan(PlanRefusal::Fixed {
            field: "direction",
            registered: 1
        }))
    ));
}

#[test]
fn an_end_date_while_participations_are_open_is_refused_with_the_count() {
    let f = Fixture::new();
    let cat = f.service.catalogue().clone();
    let a = register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-03-01",
    );
    let b = register(
        &f.handler,
        f.intervention,
        &pnr(date(1991, 6, 18), 234),
        NAME,
        "2026-04-01",
    );
    let r = f
        .manager
        .edit_intervention(f.intervention, &end_on("2026-06-30"));
    assert!(
        matches!(
            r,
            Err(ServiceError::Plan(PlanRefusal::OpenParticipations {
                open: 2
            }))
        ),
        "{r:?}"
    );
    for (p, out) in [(a, "2026-05-01"), (b, "2026-06-10")] {
        f.handler
            .register_out(
                p,
                out,
                EndReason::CompletedAsPlanned,
                Some(other_answers(&cat)),
            )
            .unwrap();
    }
    // Not before the last registration out.
    let r = f
        .manager
        .edit_intervention(f.intervention, &end_on("2026-06-01"));
    assert!(
        matches!(
            r,
            Err(ServiceError::Plan(PlanRefusal::EndBeforeLastRegistration { last }))
                if last == date(2026, 6, 10)
        ),
        "{r:?}"
    );
    // Nor before the start.
    assert!(matches!(
        f.manager
            .edit_intervention(f.intervention, &end_on("2024-12-31")),
        Err(ServiceError::Plan(PlanRefusal::EndBeforeStart { .. }))
    ));
    f.manager
        .edit_intervention(f.intervention, &end_on("2026-06-14"))
        .unwrap();
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.fields, vec!["end"]);
    assert_eq!(e.draft.note, "ends 2026-06-14");
    // Ended: nobody can be registered in any more.
    let c = record(
        &f.handler,
        f.intervention,
        &pnr(date(1992, 7, 19), 345),
        NAME,
    );
    let r = f
        .handler
        .register_in(&register_input(c, "2026-06-15", &f.handler));
    assert!(is_refused(&r, |x| matches!(
        x,
        Refusal::AfterInterventionEnd { .. }
    )));
    // Reopened with an empty end date.
    f.manager
        .edit_intervention(f.intervention, &end_on(""))
        .unwrap();
    assert_eq!(entries(&f).last().unwrap().draft.note, "reopened");
}

#[test]
fn a_plan_for_a_year_outside_the_periods_is_refused() {
    let f = Fixture::new();
    // The intervention started 2025-01-01, the association 2020-01-01.
    for year in ["2024", "0", "1"] {
        let r = f
            .manager
            .set_plan(f.intervention, &plan(year, "10", ("100", ""), ("0", "")));
        assert!(
            matches!(
                r,
                Err(ServiceError::Plan(PlanRefusal::YearOutside {
                    first: 2025,
                    ..
                }))
            ),
            "{year}: {r:?}"
        );
    }
    assert!(matches!(
        f.manager
            .set_plan(f.intervention, &plan("99999", "10", ("100", ""), ("0", ""))),
        Err(ServiceError::Plan(PlanRefusal::Amount {
            field: "year",
            ..
        }))
    ));
    // After an end date, not past its year either.
    association_admin(&f)
        .edit_intervention(f.other_intervention, &end_on("2025-12-31"))
        .unwrap();
    assert!(matches!(
        association_admin(&f).set_plan(
            f.other_intervention,
            &plan("2026", "10", ("100", ""), ("0", ""))
        ),
        Err(ServiceError::Plan(PlanRefusal::YearOutside {
            last: Some(2025),
            ..
        }))
    ));
    let tx = f.service.store().read().unwrap();
    assert!(
        org::intervention(&*tx, f.intervention)
            .unwrap()
            .unwrap()
            .plans
            .is_empty()
    );
}

#[test]
fn a_plan_keeps_budget_and_outcome_and_the_pane_figures_show_planned_against_actual() {
    let f = Fixture::new();
    let fields = f
        .manager
        .set_plan(
            f.intervention,
            &plan("2026", "10", ("1 200 000", ""), ("300000", "")),
        )
        .unwrap();
    assert_eq!(fields, vec!["plan"]);
    // The ESF-funded part cannot exceed the cost.
    assert!(matches!(
        f.manager.set_plan(
            f.intervention,
            &plan("2026", "10", ("100", ""), ("200", ""))
        ),
        Err(ServiceError::Plan(PlanRefusal::EsfAboveCost {
            line: "budget"
        }))
    ));
    // The outcome is entered later: only that field is logged.
    let fields = f
        .manager
        .set_plan(
            f.intervention,
            &plan("2026", "10", ("1 200 000", "1150000"), ("300000", "290000")),
        )
        .unwrap();
    assert_eq!(fields, vec!["cost_outcome", "esf_outcome"]);
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.action, Action::SetPlan);
    assert_eq!(e.draft.note, "2026");
    // Two participants this year, one of them anonymous, one identified.
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1990, 5, 17), 123),
        NAME,
        "2026-03-01",
    );
    f.handler
        .register_anonymous(f.intervention, 2026, 0, 1)
        .unwrap();
    for s in [&f.manager, &f.handler, &f.report_reader, &f.log_reviewer] {
        let v = s
            .interventions()
            .unwrap()
            .into_iter()
            .find(|v| v.intervention.id == f.intervention)
            .unwrap();
        assert_eq!(v.year.year, 2026);
        assert_eq!(v.year.planned, Some(10));
        assert_eq!(v.year.actual(), 2);
        assert_eq!(v.year.percent_of_plan(), Some(20));
        let p = v.intervention.plan(2026).unwrap();
        assert_eq!(p.cost.budget, 1_200_000);
        assert_eq!(p.cost.outcome, Some(1_150_000));
    }
    // A year without a plan has no percentage.
    let v = f.manager.interventions_in(2025).unwrap();
    let v = v
        .iter()
        .find(|v| v.intervention.id == f.intervention)
        .unwrap();
    assert_eq!((v.year.planned, v.year.percent_of_plan()), (None, None));
    // Removing a plan is logged too.
    f.manager.remove_plan(f.intervention, 2026).unwrap();
    assert_eq!(entries(&f).last().unwrap().draft.note, "2026 removed");
    let tx = f.service.store().read().unwrap();
    assert!(check::check(&tx).unwrap().is_empty());
}

#[test]
fn a_handler_report_reader_or_log_reviewer_cannot_change_any_of_it() {
    let f = Fixture::new();
    let before = entries(&f).len();
    for s in [&f.handler, &f.report_reader, &f.log_reviewer, &f.admin] {
        let role = s.role();
        assert!(
            matches!(
                s.edit_intervention(f.intervention, &rename("X")),
                Err(ServiceError::Denied(_))
            ),
            "{role:?} edited"
        );
        assert!(
            matches!(
                s.set_plan(f.intervention, &plan("2026", "1", ("1", ""), ("0", ""))),
                Err(ServiceError::Denied(_))
            ),
            "{role:?} planned"
        );
        assert!(
            matches!(
                s.set_volume(f.count_only, &volume(2026, 5, 1, 1)),
                Err(ServiceError::Denied(_))
            ),
            "{role:?} counted"
        );
        assert!(
            matches!(
                s.edit_association(
                    f.association,
                    &AssociationEdit {
                        name: Some("X".into()),
                        ..AssociationEdit::default()
                    }
                ),
                Err(ServiceError::Denied(_))
            ),
            "{role:?} edited the association"
        );
    }
    // Nor may an intervention manager change the association.
    assert!(matches!(
        f.manager.edit_association(
            f.association,
            &AssociationEdit {
                name: Some("X".into()),
                ..AssociationEdit::default()
            }
        ),
        Err(ServiceError::Denied(_))
    ));
    assert_eq!(entries(&f).len(), before);
}

#[test]
fn association_settings_are_kept_by_its_administrator_and_checked() {
    let f = Fixture::new();
    let admin = association_admin(&f);
    let fields = admin
        .edit_association(
            f.association,
            &AssociationEdit {
                controller: Some("Samordningsförbundet Test, 010-100 00 00".into()),
                dpo: Some("dso@example.se".into()),
                retention_years: Some("7".into()),
                small_cell_threshold: Some("5".into()),
                focus_options: Some(vec!["Arbetsförberedande".into(), "Hälsa".into()]),
                municipalities: Some("0180 0114 0115".into()),
                ..AssociationEdit::default()
            },
        )
        .unwrap();
    assert_eq!(
        fields,
        vec![
            "municipalities",
            "controller",
            "dpo",
            "retention_years",
            "small_cell_threshold",
            "focus_options"
        ]
    );
    let e = entries(&f).last().unwrap().clone();
    assert_eq!(e.draft.action, Action::UpdateAssociation);
    assert_eq!(e.draft.fields, fields);
    {
        let tx = f.service.store().read().unwrap();
        let a = org::association(&*tx, f.association).unwrap().unwrap();
        assert_eq!((a.retention_years, a.small_cell_threshold), (7, 5));
        assert_eq!(a.municipalities.len(), 3);
    }
    let refused = |edit: AssociationEdit| admin.edit_association(f.association, &edit);
    assert!(matches!(
        refused(AssociationEdit {
            small_cell_threshold: Some("11".into()),
            ..AssociationEdit::default()
        }),
        Err(ServiceError::Plan(PlanRefusal::Amount { .. }))
    ));
    assert!(matches!(
        refused(AssociationEdit {
            retention_years: Some("0".into()),
            ..AssociationEdit::default()
        }),
        Err(ServiceError::Plan(PlanRefusal::RetentionYears { .. }))
    ));
    // An end date while interventions go on names how many.
    assert!(matches!(
        refused(AssociationEdit {
            end: Some("2026-12-31".into()),
            ..AssociationEdit::default()
        }),
        Err(ServiceError::Plan(PlanRefusal::InterventionsContinue {
            count: 3,
            last: None
        }))
    ));
    // The detailed focus of an intervention comes from the association's list.
    let focus = |f_: &str| InterventionEdit {
        focus: Some(f_.into()),
        ..InterventionEdit::default()
    };
    assert!(matches!(
        f.manager
            .edit_intervention(f.intervention, &focus("Något annat")),
        Err(ServiceError::Plan(PlanRefusal::FocusNotListed))
    ));
    f.manager
        .edit_intervention(f.intervention, &focus("Hälsa"))
        .unwrap();
}

//! A session's kept policy is used only while it is valid: the same organisation stamp (and so
//! the same users, assignments, interventions and associations), the same day and the same role.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::{
    AssociationInput, Clock, InitInput, InterventionInput, Service, ServiceError, Session,
};
use chrono::NaiveDate;
use insats_domain::ids::{AssignmentId, InterventionId};
use insats_domain::intervention::{Direction, Measurement};
use insats_domain::user::{Access, Role, Scope};
use insats_store::{Store, org};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

/// A clock whose day can be moved on (days from the common era).
#[derive(Debug, Clone)]
struct MovableClock(Arc<AtomicI32>);

impl MovableClock {
    fn on(day: NaiveDate) -> Self {
        MovableClock(Arc::new(AtomicI32::new(
            chrono::Datelike::num_days_from_ce(&day),
        )))
    }
    fn next_day(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Clock for MovableClock {
    fn today(&self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0.load(Ordering::SeqCst)).unwrap()
    }
    fn now_ms(&self) -> i64 {
        0
    }
}

fn day(s: &str) -> NaiveDate {
    insats_domain::date::parse_iso(s).unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    service: Service,
    clock: MovableClock,
    intervention: InterventionId,
    sys: Session,
    /// A participant handler (and intervention manager) of `intervention` until 2026-06-15.
    handler: Session,
    assignment: AssignmentId,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("policy.redb"), None, false).unwrap();
    let clock = MovableClock::on(day("2026-06-15"));
    let service = Service::new(store, Box::new(clock.clone()));
    let (association, _) = service
        .init(&InitInput {
            association: AssociationInput {
                name: "Policy".into(),
                org_number: "222000-1230".into(),
                description: String::new(),
                municipalities: "0180".into(),
                start: "2020-01-01".into(),
                end: String::new(),
            },
            admin_username: "admin".into(),
            admin_display_name: "Admin".into(),
        })
        .unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let intervention = admin
        .create_intervention(&InterventionInput {
            association,
            name: "Steg".into(),
            description: String::new(),
            start: "2021-01-01".into(),
            end: String::new(),
            direction: Direction::Individual,
            target_groups: vec![],
            measurement: Measurement::Individual,
        })
        .unwrap();
    let user = sys
        .create_user(
            "hanna",
            "Hanna",
            &[Role::ParticipantHandler, Role::InterventionManager],
        )
        .unwrap();
    let assignment = sys
        .assign(
            user,
            Role::ParticipantHandler,
            Scope::Intervention(intervention),
            "2021-01-01",
            "2026-06-15",
        )
        .unwrap();
    sys.assign(
        user,
        Role::InterventionManager,
        Scope::Intervention(intervention),
        "2021-01-01",
        "",
    )
    .unwrap();
    let handler = Session::sign_in(&service, "hanna", Some(Role::ParticipantHandler)).unwrap();
    Setup {
        _dir: dir,
        service,
        clock,
        intervention,
        sys,
        handler,
        assignment,
    }
}

fn access(s: &Session, i: InterventionId) -> Access {
    let tx = s.service.store().read().unwrap();
    match s.policy(&*tx).unwrap().intervention(&*tx, i).unwrap() {
        Some((_, access)) => access,
        None => Access::None,
    }
}

#[test]
fn the_kept_policy_is_reused_while_nothing_it_depends_on_changes() {
    let s = setup();
    let tx = s.service.store().read().unwrap();
    let first = s.handler.policy(&*tx).unwrap();
    drop(tx);
    // Changes to participants do not touch the organisation tables.
    s.handler
        .register_anonymous(s.intervention, 2026, 1, 0)
        .unwrap();
    let tx = s.service.store().read().unwrap();
    assert!(Arc::ptr_eq(&first, &s.handler.policy(&*tx).unwrap()));
}

#[test]
fn every_change_to_the_organisation_tables_draws_a_new_stamp() {
    let s = setup();
    let stamp = || org::stamp(&*s.service.store().read().unwrap()).unwrap();
    let mut seen = vec![stamp()];
    let tx = s.service.store().write().unwrap();
    let user = org::user(&tx, s.handler.user().id).unwrap().unwrap();
    let assignment = org::assignment(&tx, s.assignment).unwrap().unwrap();
    let intervention = org::intervention(&tx, s.intervention).unwrap().unwrap();
    let association = org::association(&tx, intervention.association)
        .unwrap()
        .unwrap();
    drop(tx);
    let changes: [&dyn Fn(&redb::WriteTransaction); 4] = [
        &|tx| org::put_user(tx, &user).unwrap(),
        &|tx| org::put_assignment(tx, &assignment).unwrap(),
        &|tx| org::put_intervention(tx, &intervention).unwrap(),
        &|tx| org::put_association(tx, &association).unwrap(),
    ];
    for change in changes {
        let tx = s.service.store().write().unwrap();
        change(&tx);
        tx.commit().unwrap();
        let now = stamp();
        assert!(!seen.contains(&now), "a new stamp after each change");
        seen.push(now);
    }
}

#[test]
fn a_change_in_a_transaction_that_is_dropped_is_not_kept() {
    let s = setup();
    assert_eq!(access(&s.handler, s.intervention), Access::Individual);
    let tx = s.service.store().write().unwrap();
    let mut a = org::assignment(&tx, s.assignment).unwrap().unwrap();
    a.to = Some(day("2026-06-14"));
    org::put_assignment(&tx, &a).unwrap();
    // The transaction sees its own change...
    let inside = s.handler.policy(&tx).unwrap();
    assert!(inside.assignments().unwrap().is_empty());
    drop(inside);
    tx.abort().unwrap();
    // Another change is committed (a counted stamp would now repeat the dropped one), and the
    // session sees the stored assignment again, not what the dropped transaction held.
    let tx = s.service.store().write().unwrap();
    let user = org::user(&tx, s.handler.user().id).unwrap().unwrap();
    org::put_user(&tx, &user).unwrap();
    tx.commit().unwrap();
    assert_eq!(access(&s.handler, s.intervention), Access::Individual);
}

#[test]
fn an_assignment_ending_today_ends_access_tomorrow_in_the_same_session() {
    let s = setup();
    assert_eq!(access(&s.handler, s.intervention), Access::Individual);
    assert!(s.handler.participants_page(s.intervention, None, 5).is_ok());
    s.clock.next_day();
    assert_eq!(access(&s.handler, s.intervention), Access::None);
    assert!(matches!(
        s.handler.participants_page(s.intervention, None, 5),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn a_clone_that_switches_role_keeps_its_own_policy() {
    let s = setup();
    assert_eq!(access(&s.handler, s.intervention), Access::Individual);
    let mut manager = s.handler.clone();
    manager.switch_role(Role::InterventionManager).unwrap();
    assert_eq!(access(&manager, s.intervention), Access::Aggregate);
    assert_eq!(access(&s.handler, s.intervention), Access::Individual);
    assert!(matches!(
        manager.participants_page(s.intervention, None, 5),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn a_deactivated_user_is_refused_at_the_next_command() {
    let s = setup();
    assert!(s.handler.participants_page(s.intervention, None, 5).is_ok());
    s.sys
        .update_user(s.handler.user().id, None, Some(false))
        .unwrap();
    assert!(matches!(
        s.handler.participants_page(s.intervention, None, 5),
        Err(ServiceError::Denied(_))
    ));
}

//! What the benchmarks share: the day they run on, and a database with one association, ten
//! interventions and a handler assigned to all of them, ready for generated rows.
#![allow(clippy::unwrap_used, dead_code)]

use chrono::NaiveDate;
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::user::{Role, Scope};
use insats::service::synth::Target;
use insats::service::{
    AssociationInput, FixedClock, InitInput, InterventionInput, Service, Session,
};
use insats_store::Store;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
}

/// A fresh benchmark database and the interventions generated rows go to.
pub struct Setup {
    pub service: Service,
    pub targets: Vec<Target>,
}

pub fn setup(path: &std::path::Path) -> Setup {
    let store = Store::create(path, None, false).unwrap();
    let service = Service::new(store, Box::new(FixedClock::on(today())));
    let (f, _) = service
        .init(&InitInput {
            association: AssociationInput {
                name: "Bench".into(),
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
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let handler = sys
        .create_user("hanna", "Hanna", &[Role::ParticipantHandler])
        .unwrap();
    let mut targets = Vec::new();
    for k in 0..10 {
        let i = admin
            .create_intervention(&InterventionInput {
                association: f,
                name: format!("Insats {k}"),
                description: String::new(),
                start: "2016-01-01".into(),
                end: String::new(),
                direction: Direction::Individual,
                target_groups: vec![],
                measurement: Measurement::Individual,
            })
            .unwrap();
        sys.assign(
            handler,
            Role::ParticipantHandler,
            Scope::Intervention(i),
            "2015-01-01",
            "",
        )
        .unwrap();
        targets.push(Target {
            intervention: i,
            from: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap(),
            until: None,
        });
    }
    // hanna has set her unlock code, so her screen opens on the panes (not on the question).
    Session::sign_in(&service, "hanna", None)
        .unwrap()
        .set_unlock_code(None, "bench-kod-1")
        .unwrap();
    Setup { service, targets }
}

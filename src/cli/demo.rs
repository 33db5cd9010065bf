//! The demo database: two associations, twelve interventions, users of every role and about
//! 3,000 participations in every state, all fictitious and the same every time.

use crate::domain::ids::InterventionId;
use crate::domain::intervention::Measurement;
use crate::domain::user::{Role, Scope};
use crate::service::synth::{self, Target};
use crate::service::{
    AssociationInput, FixedClock, InitInput, InterventionInput, Service, ServiceError, Session,
};
use chrono::{Days, NaiveDate};
use std::path::Path;

/// The day the demo data was made on: its fixed "today" (a Monday).
pub fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default()
}

/// The clock a demo database runs on once made: the real one, so that what a user types as
/// today is today. Tests and screenshots fix the day with `INSATS_DEMO_TODAY=YYYY-MM-DD`, which
/// only demo databases honour.
pub fn clock() -> Box<dyn crate::service::Clock> {
    let fixed = std::env::var("INSATS_DEMO_TODAY")
        .ok()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    match fixed {
        Some(day) => Box::new(FixedClock::on(day)),
        None => Box::new(crate::service::SystemClock),
    }
}

/// The handler a demo session signs in as.
pub const DEMO_HANDLER: &str = "hanna";
/// Every demo user's unlock code for the idle lock (fictitious, like everything in the demo).
pub const DEMO_UNLOCK_CODE: &str = "demo1234";

mod activity;
mod cast;
mod follow_up;
mod review;

use activity::live_activity;
use cast::{INTERVENTIONS, Place, SUPPLEMENTARY, USERS};
use follow_up::follow_up;

/// What the demo database holds.
pub type Summary = crate::service::Holdings;

fn input(name: &str, org: &str, municipalities: &str, start: &str) -> AssociationInput {
    AssociationInput {
        name: name.into(),
        org_number: org.into(),
        description: "Demo data: every person in it is fictitious.".into(),
        municipalities: municipalities.into(),
        start: start.into(),
        end: String::new(),
    }
}

/// Creates the demo database at `path` (with its key file beside it).
/// It is built beside `path` and renamed into place when complete, so an interrupted build never
/// leaves a half-made demo database to be reused.
pub fn create(path: &Path) -> Result<Summary, ServiceError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        super::modes::create_private_dir(parent)
            .map_err(|_| ServiceError::Conflict("cannot create the data directory"))?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let partial_key = crate::service::default_key_path(&partial);
    let partial_journal = crate::service::default_journal_path(&partial);
    let _ = std::fs::remove_file(&partial);
    let _ = std::fs::remove_file(&partial_key);
    let _ = std::fs::remove_file(&partial_journal);
    let summary = build(&partial)?;
    let moved = std::fs::rename(&partial_key, crate::service::default_key_path(path))
        .and_then(|()| {
            std::fs::rename(&partial_journal, crate::service::default_journal_path(path))
        })
        .and_then(|()| std::fs::rename(&partial, path));
    moved
        .map_err(|_| ServiceError::Conflict("cannot move the finished demo database into place"))?;
    Ok(summary)
}

fn build(path: &Path) -> Result<Summary, ServiceError> {
    let today = demo_today();
    let service = Service::create(path, None, true, Box::new(FixedClock::on(today)))?;
    // Nothing of a demo build needs to survive a crash: flush once at the end.
    service.set_bulk(true);
    let (f1, _) = service.init(&InitInput {
        association: input(
            "Samordningsförbundet Norrvik",
            "222000-1230",
            "0180, 0114, 0115",
            "2018-01-01",
        ),
        admin_username: "admin".into(),
        admin_display_name: "Administratör".into(),
    })?;
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin))?;
    let f2 = sys.create_association(&input(
        "Samordningsförbundet Söderås",
        "222000-2360",
        "0126, 0127, 0128",
        "2019-01-01",
    ))?;
    let admin_user = sys.user().id;
    sys.assign(
        admin_user,
        Role::AssociationAdmin,
        Scope::Association(f2),
        "2019-01-01",
        "",
    )?;
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin))?;
    let associations = [f1, f2];
    let mut interventions: Vec<InterventionId> = Vec::new();
    for (k, (name, start, end, measurement, direction)) in INTERVENTIONS.iter().enumerate() {
        interventions.push(admin.create_intervention(&InterventionInput {
            association: associations[k / 6],
            name: (*name).into(),
            description: format!("{name}: en samverkansinsats (demo)."),
            start: (*start).into(),
            end: (*end).into(),
            direction: *direction,
            target_groups: vec!["Unga vuxna 16–29".into(), "Långtidssjukskrivna".into()],
            measurement: *measurement,
        })?);
    }
    for (username, name, role, places) in USERS {
        let id = sys.create_user(username, name, &[role])?;
        for place in places {
            let scope = match place {
                Place::F(i) => Scope::Association(associations[*i]),
                Place::I(i) => Scope::Intervention(interventions[*i]),
            };
            sys.assign(id, role, scope, "2018-01-01", "")?;
        }
    }
    // Every demo user has set an unlock code, so the idle lock can be tried at once.
    sys.set_unlock_code(None, DEMO_UNLOCK_CODE)?;
    for (username, ..) in USERS {
        Session::sign_in(&service, username, None)?.set_unlock_code(None, DEMO_UNLOCK_CODE)?;
    }
    // The bulk of the history, imported as a migration from an earlier system would be.
    let catalogue = service.catalogue().clone();
    let targets: Vec<Target> = INTERVENTIONS
        .iter()
        .enumerate()
        .filter(|(_, i)| i.3 == Measurement::Individual)
        .filter_map(|(k, i)| {
            Some(Target {
                intervention: interventions[k],
                from: crate::domain::date::parse_iso(i.1).ok()?,
                until: crate::domain::date::parse_iso(i.2)
                    .ok()
                    .or_else(|| today.checked_sub_days(Days::new(45))),
            })
        })
        .collect();
    sys.import(synth::rows(2026, 2_700, &targets, &catalogue, today))?;
    live_activity(&service, &interventions, associations, today)?;
    follow_up(&service, &interventions, associations, today)?;
    review::review(&service, &interventions, associations, today)?;
    // From now on Norrvik also asks one supplementary question (kompletterande fråga).
    let agnes = Session::sign_in(&service, "agnes", Some(Role::AssociationAdmin))?;
    agnes.set_supplementary(
        associations[0],
        &crate::service::parse_questions(SUPPLEMENTARY)?,
    )?;
    service.set_bulk(false);
    service.flush()?;
    summary(&service)
}

/// Counts what the database holds, as an administrator sees it (aggregates only).
pub fn summary(service: &Service) -> Result<Summary, ServiceError> {
    service.holdings()
}

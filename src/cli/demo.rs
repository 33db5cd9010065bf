//! The demo database: two associations, twelve interventions, users of every role and about
//! 3,000 participations in every state, all fictitious and the same every time.

use crate::domain::consent::Signer;
use crate::domain::ids::{AssociationId, InterventionId, ParticipationId};
use crate::domain::intervention::{Direction, Measurement};
use crate::domain::participation::Occasion;
use crate::domain::questionnaire::EndReason;
use crate::domain::user::{Role, Scope};
use crate::service::synth::{self, Rng, Target};
use crate::service::{
    AssociationInput, ConsentInput, FixedClock, IdentityInput, InitInput, InterventionInput,
    RegisterInInput, Service, ServiceError, Session,
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

/// Demo users: (username, display name, role, scopes by index: associations 0–1, interventions 0–11).
const USERS: [(&str, &str, Role, &[Place]); 12] = [
    (
        "hanna",
        "Hanna Berg",
        Role::ParticipantHandler,
        &[Place::I(0), Place::I(1), Place::I(2)],
    ),
    (
        "omar",
        "Omar Said",
        Role::ParticipantHandler,
        &[Place::I(1), Place::I(3)],
    ),
    (
        "lisa",
        "Lisa Ek",
        Role::ParticipantHandler,
        &[Place::I(6), Place::I(7), Place::I(8)],
    ),
    (
        "per",
        "Per Holm",
        Role::ParticipantHandler,
        &[Place::I(9), Place::I(10)],
    ),
    (
        "maja",
        "Maja Lund",
        Role::InterventionManager,
        &[Place::I(0), Place::I(1), Place::I(2), Place::I(5)],
    ),
    (
        "sven",
        "Sven Åberg",
        Role::InterventionManager,
        &[Place::I(6), Place::I(7), Place::I(11)],
    ),
    (
        "agnes",
        "Agnes Holmqvist",
        Role::AssociationAdmin,
        &[Place::F(0)],
    ),
    ("bo", "Bo Nyström", Role::AssociationAdmin, &[Place::F(1)]),
    ("rut", "Rut Söder", Role::ReportReader, &[Place::F(0)]),
    ("ronja", "Ronja Ek", Role::ReportReader, &[Place::F(1)]),
    (
        "lars",
        "Lars Granath",
        Role::LogReviewer,
        &[Place::F(0), Place::F(1)],
    ),
    ("siv", "Siv Sandberg", Role::SystemAdmin, &[]),
];

#[derive(Clone, Copy)]
enum Place {
    F(usize),
    I(usize),
}

/// (name, start, end, measurement, direction)
const INTERVENTIONS: [(&str, &str, &str, Measurement, Direction); 12] = [
    (
        "Steg till arbete",
        "2019-02-01",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Hälsa först",
        "2020-08-15",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Unga vuxna i rörelse",
        "2021-01-01",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Språkstöd och praktik",
        "2018-09-01",
        "2024-06-30",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Samverkansforum",
        "2019-01-01",
        "",
        Measurement::CountOnly,
        Direction::Structural,
    ),
    (
        "Öppen mötesplats",
        "2022-03-01",
        "",
        Measurement::CountOnly,
        Direction::Individual,
    ),
    (
        "Vägen vidare",
        "2019-06-01",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Arbetsträning Söderås",
        "2020-01-15",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Rehabkoordinering",
        "2021-09-01",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Studiecoachning",
        "2022-01-10",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Föräldrastöd",
        "2023-02-01",
        "",
        Measurement::Individual,
        Direction::Individual,
    ),
    (
        "Kompetensnätverk",
        "2020-01-01",
        "",
        Measurement::CountOnly,
        Direction::Structural,
    ),
];

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
        std::fs::create_dir_all(parent)
            .map_err(|_| ServiceError::Conflict("cannot create the data directory"))?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let partial_key = crate::service::default_key_path(&partial);
    let _ = std::fs::remove_file(&partial);
    let _ = std::fs::remove_file(&partial_key);
    let summary = build(&partial)?;
    let moved = std::fs::rename(&partial_key, crate::service::default_key_path(path))
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

/// Norrvik's supplementary question in the demo.
const SUPPLEMENTARY: &str = r#"
[[questions]]
key = "psychiatric_contact"
label_sv = "Kontakt med psykiatrin"
label_en = "In contact with psychiatric care"
kind = "single"
order = 100

[[questions.options]]
key = "yes"
label_sv = "Ja"
label_en = "Yes"

[[questions.options]]
key = "no"
label_sv = "Nej"
label_en = "No"

[[questions.options]]
key = "unknown"
label_sv = "Vet inte"
label_en = "Not known"
"#;

/// Recent work done by hand through the service, so the audit log looks like a real office's.
fn live_activity(
    service: &Service,
    interventions: &[InterventionId],
    _associations: [AssociationId; 2],
    today: NaiveDate,
) -> Result<(), ServiceError> {
    let mut rng = Rng::new(7);
    let catalogue = service.catalogue().clone();
    let handlers = [("hanna", [0usize, 1, 2]), ("lisa", [6, 7, 8])];
    let mut registered: Vec<(Session, ParticipationId)> = Vec::new();
    for k in 0..300u64 {
        let (who, places) = handlers[(k % 2) as usize];
        let session = Session::sign_in(service, who, Some(Role::ParticipantHandler))?;
        let intervention = interventions[*rng.pick(&places)];
        let in_date = today
            .checked_sub_days(Days::new(rng.below(44)))
            .unwrap_or(today);
        let birth = in_date
            .checked_sub_days(Days::new(19 * 366 + rng.below(40 * 365)))
            .unwrap_or(today);
        let Some(identity) = synth::person(&mut rng, birth) else {
            continue;
        };
        let consent = session.record_consent(
            intervention,
            &IdentityInput {
                pnr: identity.pnr.formatted(),
                name: identity.name.clone(),
                municipality: identity.municipality.to_string(),
            },
            &ConsentInput {
                signed_on: in_date.to_string(),
                signed_by: Signer::Participant,
                received_by: "Hanna Berg".into(),
                original_sent_on: String::new(),
                judged_mature: false,
            },
        );
        // A number can repeat one already registered: that refusal is part of real life too.
        let Ok(consent) = consent else { continue };
        let answers = synth::answers(&mut rng, &catalogue, in_date);
        match session.register_in(&RegisterInInput {
            consent,
            in_date: in_date.to_string(),
            gender: None,
            answers,
        }) {
            Ok(p) => registered.push((session, p)),
            Err(ServiceError::Refused(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for (k, (session, p)) in registered.iter().enumerate() {
        match k % 20 {
            0..=5 => {
                let detail = session.open_participant(*p)?;
                let out = detail
                    .row
                    .participation
                    .in_date
                    .max(today.checked_sub_days(Days::new(3)).unwrap_or(today));
                let reason = *rng.pick(&EndReason::ALL[..9]);
                session.register_out(
                    *p,
                    &out.to_string(),
                    reason,
                    Some(synth::answers(&mut rng, &catalogue, out)),
                )?;
            }
            6 => {
                let detail = session.open_participant(*p)?;
                session.correct_answers(
                    *p,
                    Occasion::In,
                    synth::answers(&mut rng, &catalogue, detail.row.participation.in_date),
                )?;
            }
            7 if k % 40 == 7 => session.withdraw_consent(*p)?,
            8 if k % 60 == 8 => session.mark_protected(*p)?,
            9 if k % 60 == 9 => session.misregister(*p)?,
            10 => {
                let detail = session.open_participant(*p)?;
                session.lookup(&detail.row.identity.pnr.formatted())?;
            }
            _ => {}
        }
    }
    // Anonymous participants per year, and figures of the count-only interventions.
    for (who, places) in handlers {
        let session = Session::sign_in(service, who, Some(Role::ParticipantHandler))?;
        for k in places {
            for year in 2022..=2026 {
                session.register_anonymous(
                    interventions[k],
                    year,
                    1 + rng.below(6) as u32,
                    rng.below(6) as u32,
                )?;
            }
        }
    }
    let maja = Session::sign_in(service, "maja", Some(Role::InterventionManager))?;
    let sven = Session::sign_in(service, "sven", Some(Role::InterventionManager))?;
    for (session, k) in [(&maja, 5usize), (&sven, 11)] {
        for month in 1..=10u8 {
            session.set_volume(interventions[k], 2026, month, 10 + rng.below(40) as u32)?;
        }
    }
    Ok(())
}

/// Counts what the database holds, as an administrator sees it (aggregates only).
pub fn summary(service: &Service) -> Result<Summary, ServiceError> {
    service.holdings()
}

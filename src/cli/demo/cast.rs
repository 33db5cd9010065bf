//! The demo's fictitious cast: its users with their roles and places, its interventions, and
//! the supplementary question one association asks. Data, not logic.

use crate::domain::intervention::{Direction, Measurement};
use crate::domain::user::Role;

/// Demo users: (username, display name, role, scopes by index: associations 0–1, interventions 0–11).
pub(super) const USERS: [(&str, &str, Role, &[Place]); 12] = [
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
pub(super) enum Place {
    F(usize),
    I(usize),
}

/// (name, start, end, measurement, direction)
pub(super) const INTERVENTIONS: [(&str, &str, &str, Measurement, Direction); 12] = [
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

/// Norrvik's supplementary question in the demo.
pub(super) const SUPPLEMENTARY: &str = r#"
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

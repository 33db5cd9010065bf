//! What the supervisors' follow-up reads, entered as the office would: the associations'
//! settings, each intervention's year plans with budget and outcome, and the monthly figures of
//! the count-only interventions.

use super::cast::INTERVENTIONS;
use crate::domain::date::{Year, budget_year};
use crate::domain::ids::{AssociationId, InterventionId};
use crate::domain::intervention::Measurement;
use crate::domain::user::Role;
use crate::service::synth::Rng;
use crate::service::{
    AssociationEdit, InterventionEdit, PlanInput, Service, ServiceError, Session, VolumeInput,
};
use chrono::{Datelike, NaiveDate};

/// Detailed focuses (preciserade inriktningar) both associations keep.
const FOCUSES: [&str; 4] = [
    "Arbetsförberedande insats",
    "Hälsofrämjande insats",
    "Kartläggning och vägledning",
    "Studieförberedande insats",
];

pub(super) fn follow_up(
    service: &Service,
    interventions: &[InterventionId],
    associations: [AssociationId; 2],
    today: NaiveDate,
) -> Result<(), ServiceError> {
    let mut rng = Rng::new(11);
    let admins = [
        Session::sign_in(service, "agnes", Some(Role::AssociationAdmin))?,
        Session::sign_in(service, "bo", Some(Role::AssociationAdmin))?,
    ];
    for (admin, (association, name)) in admins.iter().zip(associations.iter().zip([
        "Samordningsförbundet Norrvik",
        "Samordningsförbundet Söderås",
    ])) {
        admin.edit_association(
            *association,
            &AssociationEdit {
                controller: Some(format!("{name}, förbundschefen, 010-123 45 00")),
                dpo: Some("Dataskyddsombudet, dso@example.se".into()),
                focus_options: Some(FOCUSES.iter().map(|f| (*f).to_owned()).collect()),
                ..AssociationEdit::default()
            },
        )?;
    }
    let this_year = budget_year(today);
    // The count-only interventions' managers enter each month's participants.
    let managers = [("maja", 5usize), ("sven", 11)];
    for (who, k) in managers {
        let manager = Session::sign_in(service, who, Some(Role::InterventionManager))?;
        let (_, start, _, _, _) = INTERVENTIONS[k];
        let started = crate::domain::date::parse_iso(start).unwrap_or(today);
        let first = started.year().max(this_year - 2);
        for year in first..=this_year {
            for month in 1..=12u32 {
                let Some(day) = NaiveDate::from_ymd_opt(year, month, 1) else {
                    continue;
                };
                // Months that have begun, from the intervention's first.
                let begun = (day.year(), day.month()) >= (started.year(), started.month());
                if day > today || !begun {
                    continue;
                }
                manager.set_volume(
                    interventions[k],
                    &VolumeInput {
                        year: year.to_string(),
                        month: month.to_string(),
                        women: (5 + rng.below(25)).to_string(),
                        men: (3 + rng.below(20)).to_string(),
                    },
                )?;
            }
        }
    }
    for (k, (_, start, end, measurement, _)) in INTERVENTIONS.iter().enumerate() {
        let admin = &admins[k / 6];
        let id = interventions[k];
        if *measurement == Measurement::Individual {
            admin.edit_intervention(
                id,
                &InterventionEdit {
                    focus: Some(FOCUSES[k % FOCUSES.len()].to_owned()),
                    ..InterventionEdit::default()
                },
            )?;
        }
        let first = year_of(start).unwrap_or(this_year).max(this_year - 3);
        let last = year_of(end).unwrap_or(this_year).min(this_year);
        for year in first..=last {
            // Plans near what the year turned out to have, some above and some below it.
            let actual = admin
                .interventions_in(year)?
                .into_iter()
                .find(|v| v.intervention.id == id)
                .map_or(0, |v| v.year.actual());
            let planned = (actual * (80 + rng.below(45)) / 100).max(10);
            let budget = planned * (18_000 + rng.below(12_000));
            let esf = if k % 3 == 0 { budget * 3 / 10 } else { 0 };
            // Past years have their outcome; the current year's is not known yet.
            let outcome = |b: u64, rng: &mut Rng| {
                (year < this_year).then(|| (b * (85 + rng.below(25)) / 100).to_string())
            };
            let cost_outcome = outcome(budget, &mut rng);
            let esf_outcome = if esf > 0 {
                outcome(esf, &mut rng)
            } else {
                cost_outcome.as_ref().map(|_| "0".to_owned())
            };
            let (cost_outcome, esf_outcome) = match (cost_outcome, esf_outcome) {
                // The ESF-funded part never exceeds the cost.
                (Some(c), Some(e)) if e.parse::<u64>().ok() > c.parse::<u64>().ok() => {
                    (Some(c.clone()), Some(c))
                }
                other => other,
            };
            admin.set_plan(
                id,
                &PlanInput {
                    year: year.to_string(),
                    planned_participants: planned.to_string(),
                    cost_budget: budget.to_string(),
                    cost_outcome: cost_outcome.unwrap_or_default(),
                    esf_budget: esf.to_string(),
                    esf_outcome: esf_outcome.unwrap_or_default(),
                },
            )?;
        }
    }
    Ok(())
}

fn year_of(date: &str) -> Option<Year> {
    crate::domain::date::parse_iso(date).ok().map(|d| d.year())
}

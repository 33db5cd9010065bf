//! The log review in the demo: a few accesses worth a look (look-ups that match no one, an
//! opening refused outside the handler's interventions), then Lars, the log reviewer, runs the
//! rules and draws the month's sample from a fixed seed, and judges two items — so the queue,
//! a finding and the record have something to show.

use crate::domain::ids::{AssociationId, InterventionId};
use crate::domain::review::{Period, VerdictKind};
use crate::domain::user::Role;
use crate::service::synth::{self, Rng};
use crate::service::{Service, ServiceError, Session};
use chrono::{Days, NaiveDate};

/// The seed the demo's sample is drawn from (recorded with the run, like any seed).
pub const DEMO_SEED: u64 = 20_261_102;

pub(super) fn review(
    service: &Service,
    interventions: &[InterventionId],
    associations: [AssociationId; 2],
    today: NaiveDate,
) -> Result<(), ServiceError> {
    let mut rng = Rng::new(14);
    let hanna = Session::sign_in(service, "hanna", Some(Role::ParticipantHandler))?;
    // Three look-ups of numbers nobody in the register has.
    let mut tried = 0;
    while tried < 3 {
        let birth = today
            .checked_sub_days(Days::new(25 * 366 + rng.below(20 * 365)))
            .unwrap_or(today);
        let Some(person) = synth::person(&mut rng, birth) else {
            continue;
        };
        if hanna.lookup(&person.pnr.formatted())?.is_empty() {
            tried += 1;
        }
    }
    // An opening outside Hanna's interventions: refused, and logged as refused.
    let lisa = Session::sign_in(service, "lisa", Some(Role::ParticipantHandler))?;
    if let Some(row) = lisa.participants_page(interventions[6], None, 1)?.first() {
        let _ = hanna.open_participant(row.participation.id);
    }
    let lars = Session::sign_in(service, "lars", Some(Role::LogReviewer))?;
    let month = Period::new(
        today.checked_sub_days(Days::new(30)).unwrap_or(today),
        today,
    )?;
    // Söderås first: the refused opening is logged under its association.
    lars.run_review_rules(Some(associations[1]), month)?;
    let rules = lars.run_review_rules(Some(associations[0]), month)?;
    let sample = lars.draw_review_sample(Some(associations[0]), month, Some(2), Some(DEMO_SEED))?;
    if let Some(item) = sample.items.first() {
        lars.judge(item.id, VerdictKind::Justified, "registrering i uppdraget")?;
    }
    if let Some(item) = rules.items.first() {
        lars.judge(
            item.id,
            VerdictKind::FollowUp,
            "fråga handläggaren om arbetsdagen, dnr 2026/41",
        )?;
    }
    Ok(())
}

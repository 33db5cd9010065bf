//! Recent work done by hand through the service, so the demo's audit log looks like a real
//! office's.

use crate::domain::consent::Signer;
use crate::domain::ids::{AssociationId, InterventionId, ParticipationId};
use crate::domain::participation::Occasion;
use crate::domain::questionnaire::EndReason;
use crate::domain::user::Role;
use crate::service::synth::{self, Rng};
use crate::service::{
    ConsentInput, IdentityInput, NewRegistration, Service, ServiceError, Session,
};
use chrono::{Days, NaiveDate};

/// Recent work done by hand through the service, so the audit log looks like a real office's.
pub(super) fn live_activity(
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
        let answers = synth::answers(&mut rng, &catalogue, in_date);
        // Consent and registration in together, as the screen saves them.
        match session.register_new(
            intervention,
            &identity_input(&identity),
            &consent_input(in_date),
            &NewRegistration {
                in_date: in_date.to_string(),
                gender: None,
                answers,
            },
        ) {
            Ok(p) => registered.push((session, p)),
            // A number can repeat one already registered: that refusal is part of real life
            // too, and leaves nothing behind.
            Err(ServiceError::Refused(_) | ServiceError::Pnr(_)) => {}
            Err(e) => return Err(e),
        }
    }
    // Two consents Hanna received today and has not registered yet: the list of unused
    // consents has something to show.
    let hanna = Session::sign_in(service, "hanna", Some(Role::ParticipantHandler))?;
    let mut waiting = 0;
    for _ in 0..20 {
        if waiting == 2 {
            break;
        }
        let birth = today
            .checked_sub_days(Days::new(22 * 366 + rng.below(30 * 365)))
            .unwrap_or(today);
        let Some(identity) = synth::person(&mut rng, birth) else {
            continue;
        };
        if hanna
            .record_consent(
                interventions[0],
                &identity_input(&identity),
                &consent_input(today),
            )
            .is_ok()
        {
            waiting += 1;
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
    Ok(())
}

fn identity_input(identity: &crate::domain::person::Identity) -> IdentityInput {
    IdentityInput {
        pnr: identity.pnr.formatted(),
        name: identity.name.clone(),
        municipality: identity.municipality.to_string(),
    }
}

/// Form 9443 as the demo's participants sign it.
fn consent_input(signed_on: NaiveDate) -> ConsentInput {
    ConsentInput {
        signed_on: signed_on.to_string(),
        signed_by: Signer::Participant,
        received_by: "Hanna Berg".into(),
        original_sent_on: String::new(),
        judged_mature: false,
    }
}

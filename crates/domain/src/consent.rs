//! Consent (samtycke) on Försäkringskassan's form 9443, one record per participation.

use super::date::{days, days_opt};
use super::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use super::participation::Refusal;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who signed the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Signer {
    Participant,
    /// vårdnadshavare
    Guardian,
}

/// Age from which a person can normally consent on their own (when judged mature).
pub const CONSENT_AGE: u32 = 15;
/// Age of majority.
pub const ADULT_AGE: u32 = 18;
/// Longest "received by" text.
pub const MAX_RECEIVER_CHARS: usize = 120;

/// The evidence of written consent the handler records from form 9443.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvidence {
    #[serde(with = "days")]
    pub signed_on: NaiveDate,
    pub signed_by: Signer,
    /// Who at the office received the signed form (a staff name, not participant data).
    pub received_by: String,
    /// When the original was sent on to Försäkringskassan, if it has been.
    #[serde(with = "days_opt")]
    pub original_sent_on: Option<NaiveDate>,
    /// For a person of 15–17: the handler judged them mature enough to consent themselves.
    pub judged_mature: bool,
}

/// A recorded consent. It is bound to one intervention and one person, and is used by at most one
/// participation: a new registration always needs a new consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub id: ConsentId,
    pub intervention: InterventionId,
    pub person: PersonId,
    /// The consent's own pseudonym in the audit log (deleted with the consent).
    pub pseudonym: Pseudonym,
    pub evidence: ConsentEvidence,
    #[serde(with = "days")]
    pub recorded_on: NaiveDate,
    pub used_by: Option<ParticipationId>,
}

/// Checks the evidence on its own and against the person's age on `on` (the registration date,
/// or the signing date when the consent is first recorded).
///
/// Under 15 the guardian must sign; from 15 to 17 the participant may sign only when judged
/// mature, otherwise the guardian signs; an adult signs themselves.
pub fn check_evidence(
    evidence: &ConsentEvidence,
    age: u32,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if evidence.signed_on > today {
        return Err(Refusal::ConsentSignedInFuture);
    }
    if let Some(sent) = evidence.original_sent_on {
        if sent < evidence.signed_on {
            return Err(Refusal::ConsentSentBeforeSigned);
        }
        if sent > today {
            return Err(Refusal::ConsentSentInFuture);
        }
    }
    let receiver = evidence.received_by.trim();
    if receiver.is_empty()
        || receiver.chars().any(char::is_control)
        || receiver.chars().count() > MAX_RECEIVER_CHARS
    {
        return Err(Refusal::ConsentReceiverInvalid);
    }
    match evidence.signed_by {
        Signer::Participant if age < CONSENT_AGE => Err(Refusal::GuardianMustSign { age }),
        Signer::Participant if age < ADULT_AGE && !evidence.judged_mature => {
            Err(Refusal::GuardianMustSign { age })
        }
        Signer::Guardian if age >= ADULT_AGE => Err(Refusal::GuardianForAdult),
        _ => Ok(()),
    }
}

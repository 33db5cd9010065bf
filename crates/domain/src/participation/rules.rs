//! The rules: registration in, the commands on an existing participation, and registrations of
//! anonymous participants, with the facts they need and the audit change they produce.

use super::{Occasion, Participation, ParticipationSummary, Refusal, State};
use crate::audit::Action;
use crate::consent::{Consent, check_evidence};
use crate::date::{Year, budget_year};
use crate::ids::{ParticipationId, PersonId, Pseudonym};
use crate::intervention::{Intervention, Measurement};
use crate::person::Gender;
use crate::questionnaire::{Answers, Catalogue, EndReason};
use chrono::NaiveDate;

/// The facts about the intervention and its association that every rule needs.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub today: NaiveDate,
    pub association_start: NaiveDate,
    pub association_end: Option<NaiveDate>,
    pub intervention: &'a Intervention,
    pub catalogue: &'a Catalogue,
}

/// What the audit entry for an accepted change says (never any personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    pub fields: Vec<&'static str>,
}

impl Change {
    fn new(action: Action, fields: &[&'static str]) -> Self {
        Self {
            action,
            fields: fields.to_vec(),
        }
    }
}

/// A request to register a person in.
#[derive(Debug, Clone)]
pub struct RegisterIn<'a> {
    pub id: ParticipationId,
    pub pseudonym: Pseudonym,
    pub person: PersonId,
    /// The person's age on `in_date` (from the personnummer).
    pub age: u32,
    pub gender: Gender,
    pub consent: &'a Consent,
    /// When the person last withdrew consent, if ever.
    pub withdrawn_on: Option<NaiveDate>,
    /// The person's earlier participations in the same intervention.
    pub others: &'a [ParticipationSummary],
    pub in_date: NaiveDate,
    pub answers: Answers,
}

/// Checks a date against the periods of the association and the intervention, and today.
fn check_in_period(facts: &Facts<'_>, date: NaiveDate) -> Result<(), Refusal> {
    if date > facts.today {
        return Err(Refusal::DateInFuture);
    }
    if date < facts.association_start {
        return Err(Refusal::BeforeAssociationStart {
            start: facts.association_start,
        });
    }
    if facts.association_end.is_some_and(|end| date > end) {
        return Err(Refusal::AfterAssociationEnd);
    }
    if date < facts.intervention.start {
        return Err(Refusal::BeforeInterventionStart {
            start: facts.intervention.start,
        });
    }
    if let Some(end) = facts.intervention.end.filter(|end| date > *end) {
        return Err(Refusal::AfterInterventionEnd { end });
    }
    Ok(())
}

fn check_individual(facts: &Facts<'_>) -> Result<(), Refusal> {
    if facts.intervention.measurement == Measurement::CountOnly {
        return Err(Refusal::CountOnlyIntervention);
    }
    Ok(())
}

/// Registration in (inregistrering): consent first, a new one for every participation.
pub fn register_in(
    facts: &Facts<'_>,
    cmd: RegisterIn<'_>,
) -> Result<(Participation, Change), Refusal> {
    check_individual(facts)?;
    check_in_period(facts, cmd.in_date)?;
    let consent = cmd.consent;
    if consent.intervention != facts.intervention.id || consent.person != cmd.person {
        return Err(Refusal::ConsentForOther);
    }
    if consent.used_by.is_some() {
        return Err(Refusal::ConsentAlreadyUsed);
    }
    if cmd
        .withdrawn_on
        .is_some_and(|w| consent.evidence.signed_on < w)
    {
        return Err(Refusal::NewConsentNeeded);
    }
    check_evidence(&consent.evidence, cmd.age, facts.today)?;
    for other in cmd.others {
        match other.out_date {
            None => return Err(Refusal::AlreadyRegisteredIn),
            Some(out) if cmd.in_date < out => return Err(Refusal::OverlapsEarlier),
            Some(_) => {}
        }
    }
    facts
        .catalogue
        .validate(&cmd.answers, cmd.in_date)
        .map_err(Refusal::Answers)?;
    let p = Participation {
        id: cmd.id,
        intervention: facts.intervention.id,
        person: cmd.person,
        consent: consent.id,
        pseudonym: cmd.pseudonym,
        gender: cmd.gender,
        in_date: cmd.in_date,
        answers_in: cmd.answers,
        out_date: None,
        end_reason: None,
        answers_out: None,
        consent_withdrawn: false,
        age: u8::try_from(cmd.age).unwrap_or(u8::MAX),
    };
    Ok((
        p,
        Change::new(
            Action::RegisterIn,
            &["consent", "in_date", "gender", "answers_in"],
        ),
    ))
}

/// A command on an existing participation.
#[derive(Debug, Clone)]
pub enum Command {
    /// Registration out with an end reason; answers are required unless consent was withdrawn,
    /// and then they are refused. The end reason misregistration erases instead.
    RegisterOut {
        date: NaiveDate,
        reason: EndReason,
        answers: Option<Answers>,
    },
    /// Correct (rättelse) the answers given at one occasion.
    Correct {
        occasion: Occasion,
        answers: Answers,
    },
    /// The person withdrew consent: no new personal data from now on.
    WithdrawConsent,
    /// Protected identity appeared: the participation becomes one anonymous participant.
    ProtectedIdentity,
    /// Misregistration (felregistrering): everything about the participation is erased.
    Misregister,
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Updated(Participation),
    /// The participation, its answers and its consent must be deleted completely.
    Erased,
    /// The participation must be deleted and counted as one anonymous participant.
    Anonymised {
        year: Year,
        gender: Gender,
    },
}

/// Applies a command to a participation.
pub fn apply(
    facts: &Facts<'_>,
    current: &Participation,
    cmd: Command,
) -> Result<(Outcome, Change), Refusal> {
    match cmd {
        Command::RegisterOut { reason, .. } if reason.is_misregistration() => Ok((
            Outcome::Erased,
            Change::new(Action::Misregistration, &["*"]),
        )),
        Command::Misregister => Ok((
            Outcome::Erased,
            Change::new(Action::Misregistration, &["*"]),
        )),
        Command::ProtectedIdentity => Ok((
            Outcome::Anonymised {
                year: current.start_year(),
                gender: current.gender,
            },
            Change::new(Action::ProtectedIdentity, &["*"]),
        )),
        Command::WithdrawConsent => {
            if current.consent_withdrawn {
                return Err(Refusal::ConsentAlreadyWithdrawn);
            }
            let mut next = current.clone();
            next.consent_withdrawn = true;
            Ok((
                Outcome::Updated(next),
                Change::new(Action::WithdrawConsent, &["consent_withdrawn"]),
            ))
        }
        Command::RegisterOut {
            date,
            reason,
            answers,
        } => {
            if current.state() == State::RegisteredOut {
                return Err(Refusal::AlreadyRegisteredOut);
            }
            if date < current.in_date {
                return Err(Refusal::OutBeforeIn {
                    in_date: current.in_date,
                });
            }
            if date > facts.today {
                return Err(Refusal::DateInFuture);
            }
            if let Some(end) = facts.intervention.end.filter(|end| date > *end) {
                return Err(Refusal::AfterInterventionEnd { end });
            }
            let answers = match (current.consent_withdrawn, answers) {
                (true, Some(_)) => return Err(Refusal::ConsentWithdrawn),
                (true, None) => None,
                (false, None) => return Err(Refusal::AnswersRequired),
                (false, Some(a)) => {
                    facts
                        .catalogue
                        .validate(&a, date)
                        .map_err(Refusal::Answers)?;
                    Some(a)
                }
            };
            let mut next = current.clone();
            next.out_date = Some(date);
            next.end_reason = Some(reason);
            let fields: &[&'static str] = if answers.is_some() {
                &["out_date", "end_reason", "answers_out"]
            } else {
                &["out_date", "end_reason"]
            };
            next.answers_out = answers;
            Ok((
                Outcome::Updated(next),
                Change::new(Action::RegisterOut, fields),
            ))
        }
        Command::Correct { occasion, answers } => {
            if current.consent_withdrawn {
                return Err(Refusal::ConsentWithdrawn);
            }
            let mut next = current.clone();
            match occasion {
                Occasion::In => {
                    if answers == current.answers_in {
                        return Err(Refusal::NothingChanged);
                    }
                    facts
                        .catalogue
                        .validate(&answers, current.in_date)
                        .map_err(Refusal::Answers)?;
                    next.answers_in = answers;
                    Ok((
                        Outcome::Updated(next),
                        Change::new(Action::CorrectAnswers, &["answers_in"]),
                    ))
                }
                Occasion::Out => {
                    let Some(out) = current.out_date else {
                        return Err(Refusal::NotRegisteredOut);
                    };
                    if current.answers_out.as_ref() == Some(&answers) {
                        return Err(Refusal::NothingChanged);
                    }
                    facts
                        .catalogue
                        .validate(&answers, out)
                        .map_err(Refusal::Answers)?;
                    next.answers_out = Some(answers);
                    Ok((
                        Outcome::Updated(next),
                        Change::new(Action::CorrectAnswers, &["answers_out"]),
                    ))
                }
            }
        }
    }
}

/// Checks a registration of anonymous participants: `women` and `men` who started in `year`.
pub fn check_anonymous(facts: &Facts<'_>, year: Year, women: u32, men: u32) -> Result<(), Refusal> {
    check_individual(facts)?;
    if women == 0 && men == 0 {
        return Err(Refusal::NoneToCount);
    }
    if women.saturating_add(men) > MAX_ANONYMOUS_AT_ONCE {
        return Err(Refusal::TooManyAtOnce {
            max: MAX_ANONYMOUS_AT_ONCE,
        });
    }
    if year > budget_year(facts.today) {
        return Err(Refusal::YearInFuture {
            this_year: budget_year(facts.today),
        });
    }
    if year < budget_year(facts.association_start) {
        return Err(Refusal::YearBeforeAssociationStart {
            start: facts.association_start,
        });
    }
    if year < budget_year(facts.intervention.start) {
        return Err(Refusal::YearBeforeInterventionStart {
            start: facts.intervention.start,
        });
    }
    if let Some(end) = facts
        .intervention
        .end
        .filter(|end| year > budget_year(*end))
    {
        return Err(Refusal::YearAfterInterventionEnd { end });
    }
    Ok(())
}

/// Largest number of anonymous participants entered in one go (a typo guard).
pub const MAX_ANONYMOUS_AT_ONCE: u32 = 10_000;

//! The participation state machine: registered in → registered out; misregistration → erased;
//! protected identity → one anonymous participant; consent withdrawn → no new personal data.
//!
//! Every transition is a pure function of the current record, the command and the facts the
//! service gathered; it returns the new state and what the audit entry must say, or a typed
//! [`Refusal`].

use super::audit::Action;
use super::consent::{Consent, check_evidence};
use super::date::{Year, budget_year, days, days_opt};
use super::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use super::intervention::{Intervention, Measurement};
use super::person::Gender;
use super::questionnaire::{AnswerError, Answers, Catalogue, EndReason};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a participation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    RegisteredIn,
    RegisteredOut,
}

impl State {
    /// A participation is registered out once it has an out-date.
    pub fn of(out_date: Option<NaiveDate>) -> State {
        if out_date.is_some() {
            State::RegisteredOut
        } else {
            State::RegisteredIn
        }
    }

    pub fn label(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (State::RegisteredIn, true) => "inskriven",
            (State::RegisteredIn, false) => "registered in",
            (State::RegisteredOut, true) => "utskriven",
            (State::RegisteredOut, false) => "registered out",
        }
    }
}

/// Which answer set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Occasion {
    /// At registration in: the situation before.
    In,
    /// At registration out: the situation after.
    Out,
}

/// One participation of a person in an intervention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub id: ParticipationId,
    pub intervention: InterventionId,
    pub person: PersonId,
    pub consent: ConsentId,
    pub pseudonym: Pseudonym,
    pub gender: Gender,
    #[serde(with = "days")]
    pub in_date: NaiveDate,
    pub answers_in: Answers,
    #[serde(with = "days_opt")]
    pub out_date: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub answers_out: Option<Answers>,
    pub consent_withdrawn: bool,
}

impl Participation {
    pub fn state(&self) -> State {
        State::of(self.out_date)
    }

    pub fn start_year(&self) -> Year {
        budget_year(self.in_date)
    }
}

/// A participation without its answers: what a list of search hits shows. The answers are
/// shown when the participation is opened (which is audited as a view of its own).
///
/// Stored beside each key of the person index (`store::summary`), without its id, which is in
/// the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationSummary {
    #[serde(skip, default = "no_id")]
    pub id: ParticipationId,
    pub intervention: InterventionId,
    pub gender: Gender,
    #[serde(with = "days")]
    pub in_date: NaiveDate,
    #[serde(with = "days_opt")]
    pub out_date: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub consent_withdrawn: bool,
}

/// The id of a summary read without its key (set from the key right after).
fn no_id() -> ParticipationId {
    ParticipationId(0)
}

impl ParticipationSummary {
    pub fn state(&self) -> State {
        State::of(self.out_date)
    }

    pub fn start_year(&self) -> Year {
        budget_year(self.in_date)
    }
}

impl From<&Participation> for ParticipationSummary {
    fn from(p: &Participation) -> Self {
        ParticipationSummary {
            id: p.id,
            intervention: p.intervention,
            gender: p.gender,
            in_date: p.in_date,
            out_date: p.out_date,
            end_reason: p.end_reason,
            consent_withdrawn: p.consent_withdrawn,
        }
    }
}

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
        return Err(Refusal::DateInFuture);
    }
    if year < budget_year(facts.association_start) {
        return Err(Refusal::BeforeAssociationStart {
            start: facts.association_start,
        });
    }
    if year < budget_year(facts.intervention.start) {
        return Err(Refusal::BeforeInterventionStart {
            start: facts.intervention.start,
        });
    }
    if let Some(end) = facts
        .intervention
        .end
        .filter(|end| year > budget_year(*end))
    {
        return Err(Refusal::AfterInterventionEnd { end });
    }
    Ok(())
}

/// Largest number of anonymous participants entered in one go (a typo guard).
pub const MAX_ANONYMOUS_AT_ONCE: u32 = 10_000;

/// Why the rules refused a command. Messages say what to do; none carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the date is in the future")]
    DateInFuture,
    #[error("the date is before the association's start ({start})")]
    BeforeAssociationStart { start: NaiveDate },
    #[error("the date is after the association's end")]
    AfterAssociationEnd,
    #[error("the date is before the intervention's start ({start})")]
    BeforeInterventionStart { start: NaiveDate },
    #[error("the date is after the intervention's end ({end})")]
    AfterInterventionEnd { end: NaiveDate },
    #[error(
        "this intervention counts participants only (volyminsats); enter figures per period instead"
    )]
    CountOnlyIntervention,
    #[error("the consent is for another person or intervention")]
    ConsentForOther,
    #[error(
        "this consent has already been used; a new registration needs a new consent (form 9443)"
    )]
    ConsentAlreadyUsed,
    #[error("no consent is recorded for this registration; record the signed form 9443 first")]
    ConsentMissing,
    #[error(
        "the person withdrew consent; a new registration needs a consent signed after the withdrawal"
    )]
    NewConsentNeeded,
    #[error("the consent cannot be signed in the future")]
    ConsentSignedInFuture,
    #[error("the original cannot have been sent on before it was signed")]
    ConsentSentBeforeSigned,
    #[error("the original cannot have been sent on in the future")]
    ConsentSentInFuture,
    #[error("say who received the signed form (a name, at most 120 characters)")]
    ConsentReceiverInvalid,
    #[error(
        "the participant is {age}: a guardian must sign (under 15, or 15–17 and not judged mature)"
    )]
    GuardianMustSign { age: u32 },
    #[error("the participant is an adult and signs the consent themselves")]
    GuardianForAdult,
    #[error("the person is already registered in to this intervention; register them out first")]
    AlreadyRegisteredIn,
    #[error("the in-date falls within an earlier participation of the person in this intervention")]
    OverlapsEarlier,
    #[error("the participation is already registered out")]
    AlreadyRegisteredOut,
    #[error("the participation is not registered out yet")]
    NotRegisteredOut,
    #[error("the out-date is before the in-date ({in_date})")]
    OutBeforeIn { in_date: NaiveDate },
    #[error("answer the questionnaire to register out")]
    AnswersRequired,
    #[error(
        "the person has withdrawn consent: no new personal data may be recorded (register out without answers)"
    )]
    ConsentWithdrawn,
    #[error("consent has already been withdrawn")]
    ConsentAlreadyWithdrawn,
    #[error("enter at least one woman or man")]
    NoneToCount,
    #[error("at most {max} anonymous participants can be entered at once")]
    TooManyAtOnce { max: u32 },
    #[error("{0}")]
    Answers(AnswerError),
}

impl Refusal {
    /// The message in Swedish.
    pub fn message_sv(&self) -> String {
        match self {
            Refusal::DateInFuture => "datumet ligger i framtiden".into(),
            Refusal::BeforeAssociationStart { start } => {
                format!("datumet är före samordningsförbundets start ({start})")
            }
            Refusal::AfterAssociationEnd => "datumet är efter samordningsförbundets slut".into(),
            Refusal::BeforeInterventionStart { start } => {
                format!("datumet är före insatsens start ({start})")
            }
            Refusal::AfterInterventionEnd { end } => format!("datumet är efter insatsens slut ({end})"),
            Refusal::CountOnlyIntervention => {
                "insatsen räknar bara antal deltagare (volyminsats); ange antal per period i stället"
                    .into()
            }
            Refusal::ConsentForOther => "samtycket gäller en annan person eller insats".into(),
            Refusal::ConsentAlreadyUsed => {
                "samtycket är redan använt; en ny registrering kräver ett nytt samtycke (blankett 9443)"
                    .into()
            }
            Refusal::ConsentMissing => {
                "inget samtycke är registrerat; registrera den undertecknade blankett 9443 först".into()
            }
            Refusal::NewConsentNeeded => {
                "personen har återkallat sitt samtycke; en ny registrering kräver ett samtycke undertecknat efter återkallelsen".into()
            }
            Refusal::ConsentSignedInFuture => "samtycket kan inte vara undertecknat i framtiden".into(),
            Refusal::ConsentSentBeforeSigned => {
                "originalet kan inte ha skickats innan det undertecknades".into()
            }
            Refusal::ConsentSentInFuture => "originalet kan inte ha skickats i framtiden".into(),
            Refusal::ConsentReceiverInvalid => {
                "ange vem som tog emot blanketten (ett namn, högst 120 tecken)".into()
            }
            Refusal::GuardianMustSign { age } => format!(
                "deltagaren är {age} år: vårdnadshavare ska underteckna (under 15, eller 15–17 och inte bedömd mogen)"
            ),
            Refusal::GuardianForAdult => "deltagaren är myndig och undertecknar själv".into(),
            Refusal::AlreadyRegisteredIn => {
                "personen är redan inskriven i insatsen; skriv ut först".into()
            }
            Refusal::OverlapsEarlier => {
                "startdatumet ligger inom ett tidigare deltagande i samma insats".into()
            }
            Refusal::AlreadyRegisteredOut => "deltagandet är redan utskrivet".into(),
            Refusal::NotRegisteredOut => "deltagandet är inte utskrivet ännu".into(),
            Refusal::OutBeforeIn { in_date } => {
                format!("slutdatumet är före startdatumet ({in_date})")
            }
            Refusal::AnswersRequired => "besvara frågorna för att skriva ut".into(),
            Refusal::ConsentWithdrawn => {
                "personen har återkallat samtycket: inga nya personuppgifter får registreras (skriv ut utan svar)".into()
            }
            Refusal::ConsentAlreadyWithdrawn => "samtycket är redan återkallat".into(),
            Refusal::NoneToCount => "ange minst en kvinna eller man".into(),
            Refusal::TooManyAtOnce { max } => {
                format!("högst {max} anonyma deltagare kan registreras på en gång")
            }
            Refusal::Answers(e) => e.message_sv(),
        }
    }
}

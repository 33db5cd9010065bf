//! Why the rules refused a command, in English and Swedish.

use crate::questionnaire::AnswerError;
use chrono::NaiveDate;

/// Why the rules refused a command. Messages say what to do; none carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the date is in the future")]
    DateInFuture,
    /// A correction that would change nothing: nothing is saved and nothing is logged.
    #[error("nothing changed: the answers are as they were, so nothing is saved")]
    NothingChanged,
    /// Anonymous participants counted for a budget year that has not begun.
    #[error("the start year is in the future (this year is {this_year})")]
    YearInFuture { this_year: crate::date::Year },
    #[error("the date is before the association's start ({start})")]
    BeforeAssociationStart { start: NaiveDate },
    /// Anonymous participants counted for a budget year before the association began.
    #[error("the start year is before the association's start ({start})")]
    YearBeforeAssociationStart { start: NaiveDate },
    /// Anonymous participants counted for a budget year before the intervention began.
    #[error("the start year is before the intervention's start ({start})")]
    YearBeforeInterventionStart { start: NaiveDate },
    /// Anonymous participants counted for a budget year after the intervention ended.
    #[error("the start year is after the intervention's end ({end})")]
    YearAfterInterventionEnd { end: NaiveDate },
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
            Refusal::NothingChanged => {
                "inget ändrades: svaren är som förut, så inget sparas".into()
            }
            Refusal::YearInFuture { this_year } => {
                format!("startåret ligger i framtiden (i år är {this_year})")
            }
            Refusal::BeforeAssociationStart { start } => {
                format!("datumet är före samordningsförbundets start ({start})")
            }
            Refusal::YearBeforeAssociationStart { start } => {
                format!("startåret är före samordningsförbundets start ({start})")
            }
            Refusal::YearBeforeInterventionStart { start } => {
                format!("startåret är före insatsens start ({start})")
            }
            Refusal::YearAfterInterventionEnd { end } => {
                format!("startåret är efter insatsens slut ({end})")
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

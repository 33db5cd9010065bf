//! Errors a user of the service can meet, each with a message in Swedish and English.

use crate::database::DatabaseError;
use insats_domain::date::DateError;
use insats_domain::organisation::OrgNumberError;
use insats_domain::participation::Refusal;
use insats_domain::person::TextError;
use insats_domain::personnummer::PnrError;
use insats_domain::questionnaire::AnswerError;
use insats_domain::sshkey::SshKeyError;
use insats_domain::unlock::UnlockCodeError;
use insats_domain::user::UserError;
use insats_store::StoreError;

/// The language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    Sv,
    #[default]
    En,
}

/// Why a command or query did not go through. None of these carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A rule of the register refused it.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The user's role or assignments do not allow it.
    #[error("not allowed: {0}")]
    Denied(&'static str),
    #[error("personnummer: {0}")]
    Pnr(#[from] PnrError),
    #[error("organisation number: {0}")]
    OrgNumber(#[from] OrgNumberError),
    #[error("{field}: {error}")]
    Date {
        field: &'static str,
        error: DateError,
    },
    #[error("{field}: {error}")]
    Text {
        field: &'static str,
        error: TextError,
    },
    #[error("{0}")]
    Answers(#[from] AnswerError),
    #[error("questionnaire: {0}")]
    Catalogue(#[from] insats_domain::questionnaire::CatalogueError),
    #[error("{0}")]
    User(#[from] UserError),
    #[error("SSH key: {0}")]
    SshKey(#[from] SshKeyError),
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(&'static str),
    #[error("row {row}: {message}")]
    Import { row: usize, message: String },
    /// A data-subject request, a retention run or a reveal was refused.
    #[error("{0}")]
    Rights(#[from] RightsError),
    /// A change to an intervention, its plan or volumes, or an association's settings.
    #[error("{0}")]
    Plan(#[from] insats_domain::planning::PlanRefusal),
    /// A backup, a restore or the erasure journal.
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    /// A checkpoint of the audit chain that could not be read.
    #[error("{0}")]
    Checkpoint(#[from] insats_domain::checkpoint::CheckpointError),
    /// A new unlock code was refused, or one could not be checked.
    #[error("{0}")]
    UnlockCode(#[from] UnlockCodeError),
    /// A record of processing activities that was refused (its field named).
    #[error("processing record: {0}")]
    Record(#[from] insats_domain::record::RecordError),
    /// A review setting, verdict or period that could not be taken.
    #[error("{0}")]
    Review(#[from] insats_domain::review::ReviewError),
    /// The temporary file a long review run keeps its findings in could not be written or read.
    #[error("the review run's temporary file: {0}")]
    Scratch(std::io::Error),
    #[error(transparent)]
    Store(#[from] DatabaseError),
}

impl ServiceError {
    /// The message in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ServiceError::Refused(r) => r.message_sv(),
            ServiceError::Denied(what) => format!("inte tillåtet: {}", denied_sv(what)),
            ServiceError::Pnr(e) => format!("personnummer: {}", e.message_sv()),
            ServiceError::OrgNumber(e) => format!("organisationsnummer: {}", e.message_sv()),
            ServiceError::Date { field, error } => {
                format!("{}: {}", field_sv(field), date_sv(*error))
            }
            ServiceError::Text { field, error } => {
                format!("{}: {}", field_sv(field), text_sv(*error))
            }
            ServiceError::Answers(e) => e.message_sv(),
            ServiceError::Catalogue(e) => format!("frågeformulär: {}", e.message_sv()),
            ServiceError::User(e) => e.message_sv(),
            ServiceError::SshKey(e) => format!("SSH-nyckel: {e}"),
            ServiceError::NotFound { what, id } => format!("{} {id} finns inte", what_sv(what)),
            ServiceError::Conflict(what) => what.to_string(),
            ServiceError::Import { row, message } => format!("rad {row}: {message}"),
            ServiceError::Rights(e) => e.message_sv(),
            ServiceError::Plan(e) => e.message_sv(),
            ServiceError::Backup(e) => e.message(lang),
            ServiceError::Checkpoint(e) => e.message_sv(),
            ServiceError::UnlockCode(e) => e.message_sv(),
            ServiceError::Record(e) => format!("registerförteckning: {}", e.message_sv()),
            ServiceError::Review(e) => review_sv(*e),
            ServiceError::Scratch(e) => format!("granskningskörningens tillfälliga fil: {e}"),
            ServiceError::Store(e) => e.to_string(),
        }
    }

    /// Whether this is the user's mistake or a rule (as opposed to a failure of the system).
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            ServiceError::Store(e) if e.is_system_failure()
        ) && !matches!(self, ServiceError::Scratch(_))
            && !matches!(self, ServiceError::UnlockCode(UnlockCodeError::Hashing))
    }

    /// A date the user typed into `field` could not be read (forms check as they are typed).
    pub fn date(field: &'static str) -> impl FnOnce(DateError) -> ServiceError {
        move |error| ServiceError::Date { field, error }
    }

    /// A text the user typed into `field` was refused.
    pub fn text(field: &'static str) -> impl FnOnce(TextError) -> ServiceError {
        move |error| ServiceError::Text { field, error }
    }
}

/// What was not found, in Swedish.
fn what_sv(what: &str) -> &str {
    match what {
        "SSH key" => "SSH-nyckeln",
        "assignment" => "uppdraget",
        "association" => "förbundet",
        "consent" => "samtycket",
        "intervention" => "insatsen",
        "participation" => "deltagandet",
        "person" => "personen",
        "plan for the year" => "årsplanen för",
        "pseudonym" => "pseudonymen",
        "scope" => "omfattningen",
        "user" => "användaren",
        "unlock code" => "upplåsningskoden",
        "review item" => "granskningsposten",
        other => other,
    }
}

/// A field's name in Swedish (the English name is the one the code uses).
fn field_sv(field: &str) -> &str {
    match field {
        "from" => "från",
        "to" => "till",
        "start" => "start",
        "in-date" => "inskrivningsdatum",
        "out-date" => "utskrivningsdatum",
        "municipalities" => "kommuner",
        "municipality" => "kommun",
        "name" => "namn",
        "original sent on" => "original skickat",
        "signed on" => "undertecknad",
        "target group" => "målgrupp",
        "description" => "beskrivning",
        "focus" | "focus option" => "preciserad inriktning",
        "controller" => "personuppgiftsansvarig",
        "data-protection officer" => "dataskyddsombud",
        "end" => "slutdatum",
        "comment" => "kommentar",
        other => other,
    }
}

fn denied_sv(what: &str) -> &'static str {
    match what {
        DENIED_INDIVIDUAL => "bara deltagaransvariga med uppdrag i insatsen ser enskilda deltagare",
        DENIED_HANDLER => {
            "bara en deltagaransvarig med uppdrag i insatsen får registrera deltagare"
        }
        DENIED_SCOPE => "insatsen ligger utanför dina uppdrag",
        DENIED_ADMIN => "kräver rollen systemadministratör",
        DENIED_ASSOCIATION_ADMIN => "kräver samverkansadministratör med uppdrag i förbundet",
        DENIED_MANAGER => "kräver insatsansvarig med uppdrag i insatsen",
        DENIED_KEEPER => {
            "kräver insatsens insatsansvarige eller en samverkansadministratör i dess förbund"
        }
        DENIED_ROLE => "användaren har inte den rollen",
        DENIED_VERIFY => "att verifiera loggkedjan kräver systemadministratör eller logggranskare",
        DENIED_INACTIVE => "användaren är avstängd",
        DENIED_KEY_REMOVED => "SSH-nyckeln sessionen loggade in med har tagits bort",
        DENIED_ROLE_WITHDRAWN => "rollen sessionen agerar i har dragits in",
        DENIED_SESSION_ENDED => "sessionen är avslutad; logga in igen",
        DENIED_UNLOCK_CODE => "fel upplåsningskod",
        DENIED_NO_UNLOCK_CODE => "ingen upplåsningskod är satt",
        DENIED_LOG_REVIEWER => "kräver logggranskare med uppdrag i förbundet",
        DENIED_REVIEW_SCOPE => "pseudonymen hör inte till något förbund du granskar",
        DENIED_ASSOCIATION_SCOPE => "förbundet ligger utanför dina uppdrag",
        DENIED_OWN_ACCESS => {
            "en granskare får inte bedöma poster om sina egna åtkomster; låt en annan logggranskare göra det"
        }
        _ => "saknar behörighet",
    }
}

pub(crate) const DENIED_INDIVIDUAL: &str =
    "only participant handlers assigned to the intervention see individual participants";
pub(crate) const DENIED_HANDLER: &str =
    "only a participant handler assigned to the intervention may register participants";
pub(crate) const DENIED_SCOPE: &str = "the intervention is outside your assignments";
pub(crate) const DENIED_ADMIN: &str = "requires the system administrator role";
pub(crate) const DENIED_ASSOCIATION_ADMIN: &str =
    "requires an association administrator assigned to the association";
pub(crate) const DENIED_MANAGER: &str =
    "requires an intervention manager assigned to the intervention";
pub(crate) const DENIED_VERIFY: &str =
    "verifying the audit chain takes a system administrator or a log reviewer";
/// Only intervention managers (of the intervention) and association administrators (of its
/// association) keep an intervention.
pub(crate) const DENIED_KEEPER: &str =
    "requires the intervention's manager or an association administrator of its association";
pub(crate) const DENIED_ROLE: &str = "the user does not have that role";
pub(crate) const DENIED_INACTIVE: &str = "the user is deactivated";
pub(crate) const DENIED_KEY_REMOVED: &str = "the SSH key this session signed in with was removed";
pub(crate) const DENIED_ROLE_WITHDRAWN: &str = "the role this session acts in was withdrawn";
pub(crate) const DENIED_SESSION_ENDED: &str = "the session has ended; sign in again";
pub(crate) const DENIED_UNLOCK_CODE: &str = "wrong unlock code";
pub(crate) const DENIED_NO_UNLOCK_CODE: &str = "no unlock code is set";
pub(crate) const DENIED_LOG_REVIEWER: &str = "requires a log reviewer assigned to the association";
pub(crate) const DENIED_ASSOCIATION_SCOPE: &str = "the association is outside your assignments";
pub(crate) const DENIED_OWN_ACCESS: &str =
    "a reviewer may not judge entries of their own accesses; another log reviewer must";
pub(crate) const DENIED_REVIEW_SCOPE: &str = "the pseudonym belongs to no association you review";

/// Why a data-subject request, a retention run or a reveal was refused. Never carries the
/// personal data it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RightsError {
    #[error("reason: {0}")]
    Reason(TextError),
    #[error(
        "the reason contains the person's name or a personnummer; it is kept in the audit log for good, so describe the request without personal data (e.g. its date and case number)"
    )]
    ReasonHasPersonalData,
    #[error("no person with that personnummer is in the register")]
    NoSuchPerson,
    #[error("say what to correct: a new name, a new municipality or both")]
    NothingToCorrect,
    #[error("personal data must be kept at least {min} year(s) after registration out")]
    RetentionTooShort { min: u32 },
}

impl RightsError {
    /// The message in Swedish.
    pub fn message_sv(self) -> String {
        match self {
            RightsError::Reason(e) => format!("skäl: {}", text_sv(e)),
            RightsError::ReasonHasPersonalData => "skälet innehåller personens namn eller ett \
                personnummer; det sparas i granskningsloggen för alltid, så beskriv begäran utan \
                personuppgifter (t.ex. datum och diarienummer)"
                .into(),
            RightsError::NoSuchPerson => {
                "ingen person med det personnumret finns i registret".into()
            }
            RightsError::NothingToCorrect => {
                "ange vad som ska rättas: nytt namn, ny kommun eller båda".into()
            }
            RightsError::RetentionTooShort { min } => {
                format!("personuppgifterna måste sparas minst {min} år efter utskrivning")
            }
        }
    }
}

fn review_sv(e: insats_domain::review::ReviewError) -> String {
    use insats_domain::review::ReviewError as R;
    match e {
        R::BadSetting => "skriv en inställning som NYCKEL=VÄRDE: office-hours, weekends, max-participants, lookups-per-day, refused-per-day, old-after-days, sample, eller en regels nyckel med on/off".into(),
        R::BadValue { lo, hi } => format!("värdet ska vara ett heltal från {lo} till {hi}"),
        R::BadOfficeHours => "kontorstid skrivs FRÅN-TILL i hela timmar, t.ex. 7-18".into(),
        R::BadWeekends => "weekends är off (utanför kontorstid) eller office".into(),
        R::BadOnOff => "en regel slås på eller av: REGEL=on eller REGEL=off".into(),
        R::BadVerdict => "bedömningen är en av: befogad (justified), uppföljning (follow-up), obehörig (unauthorised)".into(),
        R::BadPeriod => "perioden måste börja senast på sin sista dag".into(),
    }
}

fn date_sv(e: DateError) -> &'static str {
    match e {
        DateError::Empty => "datumet saknas; skriv det som ÅÅÅÅ-MM-DD",
        DateError::Format => "datumet ska skrivas som ÅÅÅÅ-MM-DD",
        DateError::NoSuchDate => "det datumet finns inte i kalendern",
    }
}

fn text_sv(e: TextError) -> String {
    match e {
        TextError::Empty => "fältet är tomt".into(),
        TextError::TooLong { max } => format!("texten är för lång (högst {max} tecken)"),
        TextError::ControlCharacter => "texten innehåller kontrolltecken".into(),
        TextError::NotMunicipalityCode => "en kommunkod är fyra siffror, t.ex. 0180".into(),
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for ServiceError {
            fn from(e: $t) -> Self {
                ServiceError::from(StoreError::from(e))
            }
        }
    )*};
}
from_redb!(
    redb::TableError,
    redb::StorageError,
    redb::TransactionError,
    redb::CommitError,
    insats_store::pseudonym::PseudonymError
);
impl From<insats_store::codec::CodecError> for ServiceError {
    fn from(e: insats_store::codec::CodecError) -> Self {
        ServiceError::from(StoreError::from(e))
    }
}

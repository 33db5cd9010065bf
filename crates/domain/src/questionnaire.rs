//! The SUS questionnaire: a versioned catalogue of questions (data, not code), the answers a
//! handler gives at registration in (situation *before*) and out (situation *after*), and the
//! result of a participation as the difference between the two answer sets.
//!
//! The default catalogue lives in `catalogue/default.toml` and is embedded at build time. An
//! association may adjust labels and add supplementary questions (*kompletterande frågor*) with a
//! validity period; answers keep the catalogue version they were given under.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The default catalogue, embedded at build time.
const DEFAULT_TOML: &str = include_str!("../../../catalogue/default.toml");

/// Why a participation ended (*avslutningsanledning*). The keys are fixed by the program; the
/// catalogue only supplies their labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    CompletedAsPlanned,
    Employment,
    Studies,
    Referred,
    Moved,
    Illness,
    OwnChoice,
    NoContact,
    Other,
    Misregistration,
}

impl EndReason {
    /// Every end reason, in the order they are offered.
    pub const ALL: [EndReason; 10] = [
        EndReason::CompletedAsPlanned,
        EndReason::Employment,
        EndReason::Studies,
        EndReason::Referred,
        EndReason::Moved,
        EndReason::Illness,
        EndReason::OwnChoice,
        EndReason::NoContact,
        EndReason::Other,
        EndReason::Misregistration,
    ];

    /// The stable key, the same as the serde name and the catalogue's `end_reasons.key`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            EndReason::CompletedAsPlanned => "completed_as_planned",
            EndReason::Employment => "employment",
            EndReason::Studies => "studies",
            EndReason::Referred => "referred",
            EndReason::Moved => "moved",
            EndReason::Illness => "illness",
            EndReason::OwnChoice => "own_choice",
            EndReason::NoContact => "no_contact",
            EndReason::Other => "other",
            EndReason::Misregistration => "misregistration",
        }
    }

    /// The end reason with this key, if any.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        EndReason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// A misregistration (*felregistrering*): the participation should not have existed.
    #[must_use]
    pub fn is_misregistration(self) -> bool {
        self == EndReason::Misregistration
    }
}

/// Whether a question takes one option or several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Exactly one option.
    Single,
    /// One or more distinct options.
    Multi,
}

/// An option of a question, or an end reason: a stable key and its labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub label_sv: String,
    pub label_en: String,
}

impl Choice {
    /// The label in Swedish or English.
    #[must_use]
    pub fn label(&self, swedish: bool) -> &str {
        if swedish {
            &self.label_sv
        } else {
            &self.label_en
        }
    }
}

/// A question of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable ASCII key (lowercase letters, digits, underscores).
    pub key: String,
    pub label_sv: String,
    pub label_en: String,
    pub kind: QuestionKind,
    pub options: Vec<Choice>,
    /// Option keys of a multi question that cannot be combined with any other option.
    #[serde(default)]
    pub exclusive: Vec<String>,
    /// Display order; ties are broken by key.
    pub order: u32,
    /// An association's supplementary question (*kompletterande fråga*).
    #[serde(default)]
    pub supplementary: bool,
    /// First day the question is asked (inclusive); `None` means always.
    #[serde(default, with = "iso_date_opt")]
    pub valid_from: Option<NaiveDate>,
    /// Last day the question is asked (inclusive); `None` means open-ended.
    #[serde(default, with = "iso_date_opt")]
    pub valid_to: Option<NaiveDate>,
}

impl Question {
    /// The label in Swedish or English.
    #[must_use]
    pub fn label(&self, swedish: bool) -> &str {
        if swedish {
            &self.label_sv
        } else {
            &self.label_en
        }
    }

    /// Whether the question is asked on `date` (both ends of the period inclusive).
    #[must_use]
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| from <= date) && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The option with this key, if any.
    #[must_use]
    pub fn option(&self, key: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.key == key)
    }

    fn is_exclusive(&self, option: &str) -> bool {
        self.exclusive.iter().any(|e| e == option)
    }
}

/// The versioned questionnaire catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub version: u32,
    pub questions: Vec<Question>,
    pub end_reasons: Vec<Choice>,
}

/// One answer: a single option key, or several.
///
/// Externally tagged on purpose: the store keeps answers with postcard, which cannot read
/// untagged enums.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    One(String),
    Many(Vec<String>),
}

impl AnswerValue {
    /// The same answer with a `Many` list sorted and without repeats, so that two answers
    /// naming the same options compare equal.
    #[must_use]
    pub fn normalized(&self) -> AnswerValue {
        match self {
            AnswerValue::One(key) => AnswerValue::One(key.clone()),
            AnswerValue::Many(keys) => {
                let set: BTreeSet<&String> = keys.iter().collect();
                AnswerValue::Many(set.into_iter().cloned().collect())
            }
        }
    }
}

/// A set of answers, keyed by question key, stamped with the catalogue version they were
/// given under.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Answers {
    pub catalogue_version: u32,
    pub values: BTreeMap<String, AnswerValue>,
}

impl Answers {
    /// An empty answer set for the given catalogue version.
    #[must_use]
    pub fn new(catalogue_version: u32) -> Self {
        Answers {
            catalogue_version,
            values: BTreeMap::new(),
        }
    }

    /// Sets the answer to `question`, replacing any earlier one.
    pub fn set(&mut self, question: &str, value: AnswerValue) {
        self.values.insert(question.to_owned(), value);
    }
}

/// The before and after answers to one question, and whether they differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerChange {
    pub question: String,
    pub before: Option<AnswerValue>,
    pub after: Option<AnswerValue>,
    pub changed: bool,
}

/// The result of a participation: per question (in key order, every question answered in either
/// set), the before and after answers and whether they differ. The order of options in a
/// multi answer does not count as a change. Use [`Catalogue::sort_changes`] for display order.
#[must_use]
pub fn compare(before: &Answers, after: &Answers) -> Vec<AnswerChange> {
    let keys: BTreeSet<&String> = before.values.keys().chain(after.values.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let b = before.values.get(key);
            let a = after.values.get(key);
            let changed = b.map(AnswerValue::normalized) != a.map(AnswerValue::normalized);
            AnswerChange {
                question: key.clone(),
                before: b.cloned(),
                after: a.cloned(),
                changed,
            }
        })
        .collect()
}

impl Catalogue {
    /// A catalogue with no questions and no end reason labels (version 0).
    #[must_use]
    pub fn empty() -> Catalogue {
        Catalogue {
            version: 0,
            questions: Vec::new(),
            end_reasons: Vec::new(),
        }
    }

    /// Reads and checks the embedded default catalogue.
    ///
    /// # Errors
    ///
    /// Fails only if the embedded TOML is broken, which a unit test rules out.
    pub fn load_default() -> Result<Catalogue, CatalogueError> {
        Catalogue::from_toml(DEFAULT_TOML)
    }

    /// The embedded default catalogue. It is a build-time constant that a unit test proves
    /// valid, so the empty fallback is unreachable in a tested build.
    #[must_use]
    pub fn default_catalogue() -> Catalogue {
        Catalogue::load_default().unwrap_or_else(|_| Catalogue::empty())
    }

    /// Reads a catalogue from TOML and checks it (see [`Catalogue::check`]).
    ///
    /// # Errors
    ///
    /// Refuses text that is not TOML of the catalogue's shape, and any catalogue that
    /// [`Catalogue::check`] refuses.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let catalogue: Catalogue = toml::from_str(text).map_err(|e| CatalogueError::Parse {
            line: e.span().map(|span| line_of(text, span.start)),
            message: e.message().trim().to_owned(),
        })?;
        catalogue.check()?;
        Ok(catalogue)
    }

    /// Checks the catalogue: keys well formed and unique (question keys, option keys per
    /// question), labels present, at least one option per question, exclusive keys exist and
    /// only on multi questions, `valid_from <= valid_to`, and exactly one label entry for every
    /// [`EndReason`].
    ///
    /// # Errors
    ///
    /// The first rule the catalogue breaks, as a [`CatalogueError`].
    pub fn check(&self) -> Result<(), CatalogueError> {
        let mut question_keys = HashSet::new();
        for question in &self.questions {
            check_key(&question.key)?;
            if !question_keys.insert(question.key.as_str()) {
                return Err(CatalogueError::DuplicateQuestion {
                    question: question.key.clone(),
                });
            }
            check_labels(&question.key, &question.label_sv, &question.label_en)?;
            check_question(question)?;
        }
        let mut reasons = HashSet::new();
        for choice in &self.end_reasons {
            let Some(reason) = EndReason::from_key(&choice.key) else {
                return Err(CatalogueError::UnknownEndReason {
                    reason: choice.key.clone(),
                });
            };
            if !reasons.insert(reason) {
                return Err(CatalogueError::DuplicateEndReason {
                    reason: choice.key.clone(),
                });
            }
            check_labels(&choice.key, &choice.label_sv, &choice.label_en)?;
        }
        if let Some(missing) = EndReason::ALL.into_iter().find(|r| !reasons.contains(r)) {
            return Err(CatalogueError::MissingEndReason {
                reason: missing.key().to_owned(),
            });
        }
        Ok(())
    }

    /// This catalogue plus an association's supplementary questions. They are marked
    /// supplementary, their keys must not clash with existing ones (or each other), and the
    /// catalogue version is kept.
    ///
    /// # Errors
    ///
    /// [`CatalogueError::KeyClash`] for a clashing key, or any error of [`Catalogue::check`]
    /// for the result.
    pub fn with_supplementary(&self, extra: &[Question]) -> Result<Catalogue, CatalogueError> {
        let mut out = self.clone();
        for question in extra {
            if out.questions.iter().any(|q| q.key == question.key) {
                return Err(CatalogueError::KeyClash {
                    question: question.key.clone(),
                });
            }
            let mut question = question.clone();
            question.supplementary = true;
            out.questions.push(question);
        }
        out.check()?;
        Ok(out)
    }

    /// The question with this key, whatever its validity period.
    #[must_use]
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }

    /// The questions asked on `date`, sorted by display order, then key.
    #[must_use]
    pub fn questions_on(&self, date: NaiveDate) -> Vec<&Question> {
        let mut questions: Vec<&Question> = self
            .questions
            .iter()
            .filter(|q| q.is_valid_on(date))
            .collect();
        questions.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.key.cmp(&b.key)));
        questions
    }

    /// Checks a full answer set given on `date`: stamped with this catalogue's version, every
    /// question asked on that date answered, no unknown question or question not asked on that
    /// date, only existing option keys, one option for a single question, and for a multi
    /// question at least one option, none repeated, and no exclusive option combined with another.
    ///
    /// # Errors
    ///
    /// The first rule the answers break, as an [`AnswerError`].
    pub fn validate(&self, answers: &Answers, date: NaiveDate) -> Result<(), AnswerError> {
        if answers.catalogue_version != self.version {
            return Err(AnswerError::VersionMismatch {
                expected: self.version,
                found: answers.catalogue_version,
            });
        }
        for (key, value) in &answers.values {
            let Some(question) = self.question(key) else {
                return Err(AnswerError::UnknownQuestion {
                    question: key.clone(),
                });
            };
            if !question.is_valid_on(date) {
                return Err(AnswerError::NotValidOn {
                    question: key.clone(),
                });
            }
            validate_value(question, value)?;
        }
        if let Some(missing) = self
            .questions_on(date)
            .into_iter()
            .find(|q| !answers.values.contains_key(&q.key))
        {
            return Err(AnswerError::Missing {
                question: missing.key.clone(),
            });
        }
        Ok(())
    }

    /// The label of an end reason; its key if the catalogue lacks it (only the empty fallback).
    #[must_use]
    pub fn end_reason_label(&self, r: EndReason, swedish: bool) -> &str {
        self.end_reasons
            .iter()
            .find(|c| c.key == r.key())
            .map_or(r.key(), |c| c.label(swedish))
    }

    /// The label of an option of a question, if both exist.
    #[must_use]
    pub fn option_label(&self, question: &str, option: &str, swedish: bool) -> Option<&str> {
        self.question(question)?
            .option(option)
            .map(|c| c.label(swedish))
    }

    /// Sorts the result of [`compare`] into display order (order, then key); questions no
    /// longer in the catalogue go last, by key.
    pub fn sort_changes(&self, changes: &mut [AnswerChange]) {
        changes.sort_by_cached_key(|c| {
            (
                self.question(&c.question).map_or(u32::MAX, |q| q.order),
                c.question.clone(),
            )
        });
    }
}

fn validate_value(question: &Question, value: &AnswerValue) -> Result<(), AnswerError> {
    let unknown = |option: &str| AnswerError::UnknownOption {
        question: question.key.clone(),
        option: option.to_owned(),
    };
    match (question.kind, value) {
        (QuestionKind::Single, AnswerValue::One(option)) => question
            .option(option)
            .map(|_| ())
            .ok_or_else(|| unknown(option)),
        (QuestionKind::Multi, AnswerValue::Many(options)) => {
            if options.is_empty() {
                return Err(AnswerError::Empty {
                    question: question.key.clone(),
                });
            }
            let mut seen = HashSet::new();
            for option in options {
                if question.option(option).is_none() {
                    return Err(unknown(option));
                }
                if !seen.insert(option.as_str()) {
                    return Err(AnswerError::Duplicate {
                        question: question.key.clone(),
                        option: option.clone(),
                    });
                }
            }
            if options.len() > 1
                && let Some(option) = options.iter().find(|o| question.is_exclusive(o))
            {
                return Err(AnswerError::ExclusiveCombined {
                    question: question.key.clone(),
                    option: option.clone(),
                });
            }
            Ok(())
        }
        _ => Err(AnswerError::WrongKind {
            question: question.key.clone(),
        }),
    }
}

fn check_question(question: &Question) -> Result<(), CatalogueError> {
    if question.options.is_empty() {
        return Err(CatalogueError::NoOptions {
            question: question.key.clone(),
        });
    }
    let mut option_keys = HashSet::new();
    for option in &question.options {
        check_key(&option.key)?;
        if !option_keys.insert(option.key.as_str()) {
            return Err(CatalogueError::DuplicateOption {
                question: question.key.clone(),
                option: option.key.clone(),
            });
        }
        check_labels(
            &format!("{}.{}", question.key, option.key),
            &option.label_sv,
            &option.label_en,
        )?;
    }
    if question.kind == QuestionKind::Single && !question.exclusive.is_empty() {
        return Err(CatalogueError::ExclusiveOnSingle {
            question: question.key.clone(),
        });
    }
    if let Some(option) = question
        .exclusive
        .iter()
        .find(|e| !option_keys.contains(e.as_str()))
    {
        return Err(CatalogueError::UnknownExclusive {
            question: question.key.clone(),
            option: option.clone(),
        });
    }
    if let (Some(from), Some(to)) = (question.valid_from, question.valid_to)
        && from > to
    {
        return Err(CatalogueError::InvalidPeriod {
            question: question.key.clone(),
        });
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), CatalogueError> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(CatalogueError::BadKey {
            key: key.to_owned(),
        })
    }
}

fn check_labels(key: &str, sv: &str, en: &str) -> Result<(), CatalogueError> {
    if sv.trim().is_empty() || en.trim().is_empty() {
        return Err(CatalogueError::EmptyLabel {
            key: key.to_owned(),
        });
    }
    Ok(())
}

/// The 1-based line of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|&b| b == b'\n').count() + 1
}

fn at_line(line: Option<usize>) -> String {
    line.map_or_else(String::new, |n| format!(" (line {n})"))
}

fn on_line_sv(line: Option<usize>) -> String {
    line.map_or_else(String::new, |n| format!(" (rad {n})"))
}

/// Why a catalogue was refused. Keys named are catalogue keys, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue could not be read{}: {message}", at_line(*.line))]
    Parse {
        line: Option<usize>,
        message: String,
    },
    #[error("`{key}` is not a valid key: use lowercase ASCII letters, digits and underscores")]
    BadKey { key: String },
    #[error("`{key}` needs both a Swedish and an English label")]
    EmptyLabel { key: String },
    #[error("the question key `{question}` is used more than once")]
    DuplicateQuestion { question: String },
    #[error("the option key `{option}` is used more than once in question `{question}`")]
    DuplicateOption { question: String, option: String },
    #[error("question `{question}` has no options")]
    NoOptions { question: String },
    #[error("question `{question}` lists `{option}` as exclusive but has no such option")]
    UnknownExclusive { question: String, option: String },
    #[error("single-choice question `{question}` cannot have exclusive options")]
    ExclusiveOnSingle { question: String },
    #[error("question `{question}` has valid_from after valid_to")]
    InvalidPeriod { question: String },
    #[error("`{reason}` is not a known end reason")]
    UnknownEndReason { reason: String },
    #[error("the end reason `{reason}` is listed more than once")]
    DuplicateEndReason { reason: String },
    #[error("the end reason `{reason}` has no labels in the catalogue")]
    MissingEndReason { reason: String },
    #[error("supplementary question `{question}` clashes with an existing question key")]
    KeyClash { question: String },
}

impl CatalogueError {
    /// The message in Swedish.
    #[must_use]
    pub fn message_sv(&self) -> String {
        match self {
            CatalogueError::Parse { line, message } => {
                format!("katalogen kunde inte läsas{}: {message}", on_line_sv(*line))
            }
            CatalogueError::BadKey { key } => format!(
                "`{key}` är ingen giltig nyckel: använd små bokstäver a–z, siffror och understreck"
            ),
            CatalogueError::EmptyLabel { key } => {
                format!("`{key}` behöver både en svensk och en engelsk benämning")
            }
            CatalogueError::DuplicateQuestion { question } => {
                format!("frågenyckeln `{question}` förekommer mer än en gång")
            }
            CatalogueError::DuplicateOption { question, option } => {
                format!("svarsnyckeln `{option}` förekommer mer än en gång i frågan `{question}`")
            }
            CatalogueError::NoOptions { question } => {
                format!("frågan `{question}` saknar svarsalternativ")
            }
            CatalogueError::UnknownExclusive { question, option } => format!(
                "frågan `{question}` anger `{option}` som uteslutande men har inget sådant alternativ"
            ),
            CatalogueError::ExclusiveOnSingle { question } => {
                format!(
                    "frågan `{question}` har ett enda svar och kan inte ha uteslutande alternativ"
                )
            }
            CatalogueError::InvalidPeriod { question } => {
                format!(
                    "frågan `{question}` har ett startdatum (valid_from) efter slutdatumet (valid_to)"
                )
            }
            CatalogueError::UnknownEndReason { reason } => {
                format!("`{reason}` är ingen känd avslutningsanledning")
            }
            CatalogueError::DuplicateEndReason { reason } => {
                format!("avslutningsanledningen `{reason}` förekommer mer än en gång")
            }
            CatalogueError::MissingEndReason { reason } => {
                format!("avslutningsanledningen `{reason}` saknar benämning i katalogen")
            }
            CatalogueError::KeyClash { question } => format!(
                "den kompletterande frågan `{question}` har samma nyckel som en befintlig fråga"
            ),
        }
    }
}

/// Why an answer set was refused. Keys named are catalogue keys, never personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error(
        "the answers were given under catalogue version {found}, not the current version {expected}"
    )]
    VersionMismatch { expected: u32, found: u32 },
    #[error("question `{question}` must be answered")]
    Missing { question: String },
    #[error("`{question}` is not a question in the catalogue")]
    UnknownQuestion { question: String },
    #[error("`{option}` is not an option of question `{question}`")]
    UnknownOption { question: String, option: String },
    #[error(
        "question `{question}` got the wrong kind of answer: a single-choice question takes one option, a multiple-choice question a list"
    )]
    WrongKind { question: String },
    #[error("choose at least one option for question `{question}`")]
    Empty { question: String },
    #[error("option `{option}` of question `{question}` cannot be combined with other options")]
    ExclusiveCombined { question: String, option: String },
    #[error("option `{option}` is chosen more than once for question `{question}`")]
    Duplicate { question: String, option: String },
    #[error("question `{question}` is not asked on that date")]
    NotValidOn { question: String },
}

impl AnswerError {
    /// The question the error is about, if any (for moving the cursor to it).
    #[must_use]
    pub fn question(&self) -> Option<&str> {
        match self {
            AnswerError::VersionMismatch { .. } => None,
            AnswerError::Missing { question }
            | AnswerError::UnknownQuestion { question }
            | AnswerError::UnknownOption { question, .. }
            | AnswerError::WrongKind { question }
            | AnswerError::Empty { question }
            | AnswerError::ExclusiveCombined { question, .. }
            | AnswerError::Duplicate { question, .. }
            | AnswerError::NotValidOn { question } => Some(question),
        }
    }

    /// The message in Swedish.
    #[must_use]
    pub fn message_sv(&self) -> String {
        match self {
            AnswerError::VersionMismatch { expected, found } => format!(
                "svaren gavs enligt katalogversion {found}, inte den aktuella versionen {expected}"
            ),
            AnswerError::Missing { question } => format!("frågan `{question}` måste besvaras"),
            AnswerError::UnknownQuestion { question } => {
                format!("`{question}` är ingen fråga i katalogen")
            }
            AnswerError::UnknownOption { question, option } => {
                format!("`{option}` är inget svarsalternativ för frågan `{question}`")
            }
            AnswerError::WrongKind { question } => format!(
                "frågan `{question}` fick fel sorts svar: en fråga med ett svar tar ett alternativ, en flervalsfråga en lista"
            ),
            AnswerError::Empty { question } => {
                format!("välj minst ett alternativ för frågan `{question}`")
            }
            AnswerError::ExclusiveCombined { question, option } => format!(
                "alternativet `{option}` i frågan `{question}` kan inte kombineras med andra alternativ"
            ),
            AnswerError::Duplicate { question, option } => {
                format!("alternativet `{option}` är valt mer än en gång i frågan `{question}`")
            }
            AnswerError::NotValidOn { question } => {
                format!("frågan `{question}` ställs inte det datumet")
            }
        }
    }
}

/// Serde helpers that write an optional date as an ISO string (`"2026-01-01"`), as the
/// catalogue TOML does. A missing field needs `#[serde(default)]` beside `with`.
pub mod iso_date_opt {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Writes `Some(date)` as `"YYYY-MM-DD"` and `None` as none (TOML leaves the field out).
    ///
    /// # Errors
    ///
    /// Only the serializer's own errors.
    #[allow(clippy::ref_option)] // serde's `with` hands us `&Option<T>`
    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_some(&d.format("%Y-%m-%d").to_string()),
            None => s.serialize_none(),
        }
    }

    /// Reads an optional `"YYYY-MM-DD"` string.
    ///
    /// # Errors
    ///
    /// A string that is not exactly `YYYY-MM-DD` or names no calendar date.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).ok_or_else(|| {
                D::Error::custom(format!("`{text}` is not a date written as \"YYYY-MM-DD\""))
            }),
        }
    }

    /// Reads exactly `YYYY-MM-DD`.
    fn parse(text: &str) -> Option<NaiveDate> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shaped {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2026, 3, 1)
    }

    fn one(option: &str) -> AnswerValue {
        AnswerValue::One(option.to_owned())
    }

    fn many(options: &[&str]) -> AnswerValue {
        AnswerValue::Many(options.iter().map(|o| (*o).to_owned()).collect())
    }

    fn full_answers() -> Answers {
        let mut answers = Answers::new(1);
        answers.set("occupation", one("job_seeking"));
        answers.set(
            "income_sources",
            many(&["social_assistance", "activity_grant"]),
        );
        answers.set("education", one("upper_secondary"));
        answers.set("public_support_time", one("years_3_5"));
        answers.set("activity_ability", one("partial"));
        answers
    }

    /// The `[[end_reasons]]` part of the default catalogue, to complete small fixtures.
    fn end_reasons_toml() -> &'static str {
        &DEFAULT_TOML[DEFAULT_TOML.find("[[end_reasons]]").unwrap()..]
    }

    fn fixture(questions: &str) -> String {
        format!("version = 3\n{questions}\n{}", end_reasons_toml())
    }

    fn supplementary(key: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Question {
        Question {
            key: key.to_owned(),
            label_sv: "Har du körkort?".to_owned(),
            label_en: "Do you have a driving licence?".to_owned(),
            kind: QuestionKind::Single,
            options: vec![
                Choice {
                    key: "yes".to_owned(),
                    label_sv: "Ja".to_owned(),
                    label_en: "Yes".to_owned(),
                },
                Choice {
                    key: "no".to_owned(),
                    label_sv: "Nej".to_owned(),
                    label_en: "No".to_owned(),
                },
            ],
            exclusive: Vec::new(),
            order: 15,
            supplementary: false,
            valid_from: from,
            valid_to: to,
        }
    }

    #[test]
    fn default_catalogue_parses_with_five_questions_and_ten_end_reasons() {
        let catalogue = Catalogue::load_default().expect("the embedded default catalogue is valid");
        assert_eq!(catalogue, Catalogue::default_catalogue());
        assert_eq!(catalogue.version, 1);
        let keys: Vec<&str> = catalogue
            .questions_on(today())
            .iter()
            .map(|q| q.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "occupation",
                "income_sources",
                "education",
                "public_support_time",
                "activity_ability"
            ]
        );
        assert_eq!(catalogue.end_reasons.len(), 10);
        for question in &catalogue.questions {
            assert!(!question.supplementary);
            assert!(question.valid_from.is_none() && question.valid_to.is_none());
            assert!(!question.label_sv.is_empty() && !question.label_en.is_empty());
            for option in &question.options {
                assert!(!option.label_sv.is_empty() && !option.label_en.is_empty());
            }
        }
    }

    #[test]
    fn default_catalogue_has_the_specified_options_and_swedish_labels() {
        let catalogue = Catalogue::default_catalogue();
        let counts: Vec<(&str, QuestionKind, usize)> = catalogue
            .questions
            .iter()
            .map(|q| (q.key.as_str(), q.kind, q.options.len()))
            .collect();
        assert_eq!(
            counts,
            [
                ("occupation", QuestionKind::Single, 4),
                ("income_sources", QuestionKind::Multi, 9),
                ("education", QuestionKind::Single, 5),
                ("public_support_time", QuestionKind::Single, 5),
                ("activity_ability", QuestionKind::Single, 5),
            ]
        );
        assert_eq!(
            catalogue.question("income_sources").unwrap().exclusive,
            ["none"]
        );
        assert_eq!(
            catalogue.question("occupation").unwrap().label(true),
            "Sysselsättning"
        );
        assert_eq!(
            catalogue.question("income_sources").unwrap().label(true),
            "Försörjningskällor"
        );
        assert_eq!(
            catalogue.option_label("occupation", "employed", true),
            Some("Förvärvsarbete")
        );
        assert_eq!(
            catalogue.option_label("occupation", "other", true),
            Some("Övrigt")
        );
        assert_eq!(
            catalogue.option_label("income_sources", "social_assistance", true),
            Some("Ekonomiskt bistånd")
        );
        assert_eq!(
            catalogue.option_label("activity_ability", "low", true),
            Some("Låg")
        );
        assert_eq!(
            catalogue.option_label("activity_ability", "low", false),
            Some("Low")
        );
        assert_eq!(
            catalogue.option_label("activity_ability", "nope", false),
            None
        );
        assert_eq!(catalogue.option_label("nope", "low", false), None);
    }

    #[test]
    fn every_end_reason_has_a_label_in_both_languages() {
        let catalogue = Catalogue::default_catalogue();
        for reason in EndReason::ALL {
            let sv = catalogue.end_reason_label(reason, true);
            let en = catalogue.end_reason_label(reason, false);
            assert_ne!(sv, reason.key(), "{reason:?} lacks a Swedish label");
            assert_ne!(en, reason.key(), "{reason:?} lacks an English label");
        }
        assert_eq!(
            catalogue.end_reason_label(EndReason::Misregistration, true),
            "Felregistrering"
        );
        assert_eq!(
            catalogue.end_reason_label(EndReason::Referred, true),
            "Hänvisad till annan aktör"
        );
        assert_eq!(
            Catalogue::empty().end_reason_label(EndReason::Moved, true),
            "moved"
        );
    }

    #[derive(Serialize, Deserialize)]
    struct Wrap {
        reason: EndReason,
    }

    #[test]
    fn end_reason_keys_match_serde_names_and_round_trip() {
        for reason in EndReason::ALL {
            assert_eq!(EndReason::from_key(reason.key()), Some(reason));
            let value = toml::Value::try_from(Wrap { reason }).unwrap();
            assert_eq!(
                value.get("reason").and_then(toml::Value::as_str),
                Some(reason.key())
            );
            assert_eq!(value.try_into::<Wrap>().unwrap().reason, reason);
            assert_eq!(
                reason.is_misregistration(),
                reason == EndReason::Misregistration
            );
        }
        assert_eq!(EndReason::from_key("unknown"), None);
        let distinct: HashSet<&str> = EndReason::ALL.iter().map(|r| r.key()).collect();
        assert_eq!(distinct.len(), 10);
    }

    #[test]
    fn full_valid_answer_set_passes() {
        let catalogue = Catalogue::default_catalogue();
        assert_eq!(catalogue.validate(&full_answers(), today()), Ok(()));
        let mut alone = full_answers();
        alone.set("income_sources", many(&["none"]));
        assert_eq!(catalogue.validate(&alone, today()), Ok(()));
    }

    #[test]
    fn missing_answer_is_refused() {
        let mut answers = full_answers();
        answers.values.remove("education");
        assert_eq!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::Missing {
                question: "education".to_owned()
            })
        );
    }

    #[test]
    fn unknown_question_is_refused() {
        let mut answers = full_answers();
        answers.set("shoe_size", one("42"));
        assert_eq!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::UnknownQuestion {
                question: "shoe_size".to_owned()
            })
        );
    }

    #[test]
    fn unknown_option_is_refused_in_single_and_multi() {
        let catalogue = Catalogue::default_catalogue();
        let mut answers = full_answers();
        answers.set("occupation", one("astronaut"));
        assert_eq!(
            catalogue.validate(&answers, today()),
            Err(AnswerError::UnknownOption {
                question: "occupation".to_owned(),
                option: "astronaut".to_owned()
            })
        );
        let mut answers = full_answers();
        answers.set("income_sources", many(&["salary", "lottery"]));
        assert_eq!(
            catalogue.validate(&answers, today()),
            Err(AnswerError::UnknownOption {
                question: "income_sources".to_owned(),
                option: "lottery".to_owned()
            })
        );
    }

    #[test]
    fn wrong_kind_is_refused() {
        let catalogue = Catalogue::default_catalogue();
        let mut answers = full_answers();
        answers.set("occupation", many(&["employed"]));
        assert_eq!(
            catalogue.validate(&answers, today()),
            Err(AnswerError::WrongKind {
                question: "occupation".to_owned()
            })
        );
        let mut answers = full_answers();
        answers.set("income_sources", one("salary"));
        assert_eq!(
            catalogue.validate(&answers, today()),
            Err(AnswerError::WrongKind {
                question: "income_sources".to_owned()
            })
        );
    }

    #[test]
    fn empty_multi_answer_is_refused() {
        let mut answers = full_answers();
        answers.set("income_sources", many(&[]));
        assert_eq!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::Empty {
                question: "income_sources".to_owned()
            })
        );
    }

    #[test]
    fn exclusive_option_cannot_be_combined() {
        let mut answers = full_answers();
        answers.set("income_sources", many(&["salary", "none"]));
        assert_eq!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::ExclusiveCombined {
                question: "income_sources".to_owned(),
                option: "none".to_owned()
            })
        );
    }

    #[test]
    fn repeated_option_is_refused() {
        let mut answers = full_answers();
        answers.set("income_sources", many(&["salary", "salary"]));
        assert_eq!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::Duplicate {
                question: "income_sources".to_owned(),
                option: "salary".to_owned()
            })
        );
        // "none" twice is a repeat, not a combination.
        answers.set("income_sources", many(&["none", "none"]));
        assert!(matches!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::Duplicate { .. })
        ));
    }

    #[test]
    fn answer_to_question_not_asked_on_the_date_is_refused() {
        let catalogue = Catalogue::default_catalogue()
            .with_supplementary(&[supplementary("licence", Some(date(2026, 1, 1)), None)])
            .unwrap();
        let mut answers = full_answers();
        answers.set("licence", one("yes"));
        assert_eq!(
            catalogue.validate(&answers, date(2025, 12, 31)),
            Err(AnswerError::NotValidOn {
                question: "licence".to_owned()
            })
        );
    }

    #[test]
    fn answers_under_another_catalogue_version_are_refused() {
        let mut answers = full_answers();
        answers.catalogue_version = 2;
        assert_eq!(
            Catalogue::default_catalogue().validate(&answers, today()),
            Err(AnswerError::VersionMismatch {
                expected: 1,
                found: 2
            })
        );
    }

    #[test]
    fn supplementary_question_is_required_only_inside_its_validity_period() {
        let base = Catalogue::default_catalogue();
        let catalogue = base
            .with_supplementary(&[supplementary(
                "licence",
                Some(date(2026, 1, 1)),
                Some(date(2026, 6, 30)),
            )])
            .unwrap();
        assert_eq!(catalogue.version, base.version);
        let added = catalogue.question("licence").unwrap();
        assert!(added.supplementary);

        let without = full_answers();
        let mut with = full_answers();
        with.set("licence", one("no"));
        for outside in [date(2025, 12, 31), date(2026, 7, 1)] {
            assert!(
                catalogue
                    .questions_on(outside)
                    .iter()
                    .all(|q| q.key != "licence")
            );
            assert_eq!(catalogue.validate(&without, outside), Ok(()));
        }
        for inside in [date(2026, 1, 1), date(2026, 3, 15), date(2026, 6, 30)] {
            let keys: Vec<&str> = catalogue
                .questions_on(inside)
                .iter()
                .map(|q| q.key.as_str())
                .collect();
            assert_eq!(keys[1], "licence", "order 15 sorts between 10 and 20");
            assert_eq!(
                catalogue.validate(&without, inside),
                Err(AnswerError::Missing {
                    question: "licence".to_owned()
                })
            );
            assert_eq!(catalogue.validate(&with, inside), Ok(()));
        }
    }

    #[test]
    fn supplementary_key_clash_is_refused() {
        let base = Catalogue::default_catalogue();
        assert_eq!(
            base.with_supplementary(&[supplementary("occupation", None, None)]),
            Err(CatalogueError::KeyClash {
                question: "occupation".to_owned()
            })
        );
        assert_eq!(
            base.with_supplementary(&[
                supplementary("licence", None, None),
                supplementary("licence", None, None)
            ]),
            Err(CatalogueError::KeyClash {
                question: "licence".to_owned()
            })
        );
        let mut broken = supplementary("licence", Some(date(2026, 2, 1)), Some(date(2026, 1, 1)));
        assert_eq!(
            base.with_supplementary(std::slice::from_ref(&broken)),
            Err(CatalogueError::InvalidPeriod {
                question: "licence".to_owned()
            })
        );
        broken.valid_from = None;
        broken.key = "Körkort".to_owned();
        assert!(matches!(
            base.with_supplementary(&[broken]),
            Err(CatalogueError::BadKey { .. })
        ));
    }

    #[test]
    fn questions_on_sorts_by_order_then_key() {
        let mut b = supplementary("b_extra", None, None);
        b.order = 10;
        let mut a = supplementary("a_extra", None, None);
        a.order = 10;
        let catalogue = Catalogue::default_catalogue()
            .with_supplementary(&[b, a])
            .unwrap();
        let keys: Vec<&str> = catalogue
            .questions_on(today())
            .iter()
            .map(|q| q.key.as_str())
            .collect();
        assert_eq!(&keys[..3], ["a_extra", "b_extra", "occupation"]);
    }

    const SINGLE_OK: &str = r#"
[[questions]]
key = "occupation"
label_sv = "Sysselsättning"
label_en = "Occupation"
kind = "single"
order = 1
options = [{ key = "employed", label_sv = "Förvärvsarbete", label_en = "Employed" }]
"#;

    #[test]
    fn small_fixture_parses() {
        let catalogue = Catalogue::from_toml(&fixture(SINGLE_OK)).unwrap();
        assert_eq!(catalogue.version, 3);
        assert_eq!(catalogue.questions.len(), 1);
    }

    #[test]
    fn duplicate_question_key_is_refused() {
        let text = fixture(&format!("{SINGLE_OK}{SINGLE_OK}"));
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::DuplicateQuestion {
                question: "occupation".to_owned()
            })
        );
    }

    #[test]
    fn duplicate_option_key_is_refused() {
        let text = fixture(
            r#"
[[questions]]
key = "income_sources"
label_sv = "Försörjningskällor"
label_en = "Sources of income"
kind = "multi"
order = 1
options = [
  { key = "salary", label_sv = "Lön", label_en = "Salary" },
  { key = "salary", label_sv = "Lön igen", label_en = "Salary again" },
]
"#,
        );
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::DuplicateOption {
                question: "income_sources".to_owned(),
                option: "salary".to_owned()
            })
        );
    }

    #[test]
    fn unknown_exclusive_option_is_refused() {
        let text = fixture(
            r#"
[[questions]]
key = "income_sources"
label_sv = "Försörjningskällor"
label_en = "Sources of income"
kind = "multi"
order = 1
exclusive = ["nothing"]
options = [{ key = "salary", label_sv = "Lön", label_en = "Salary" }]
"#,
        );
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::UnknownExclusive {
                question: "income_sources".to_owned(),
                option: "nothing".to_owned()
            })
        );
    }

    #[test]
    fn exclusive_on_single_question_is_refused() {
        let text =
            fixture(&SINGLE_OK.replace("order = 1", "order = 1\nexclusive = [\"employed\"]"));
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::ExclusiveOnSingle {
                question: "occupation".to_owned()
            })
        );
    }

    #[test]
    fn valid_from_after_valid_to_is_refused() {
        let text = fixture(&SINGLE_OK.replace(
            "order = 1",
            "order = 1\nvalid_from = \"2026-07-01\"\nvalid_to = \"2026-06-30\"",
        ));
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::InvalidPeriod {
                question: "occupation".to_owned()
            })
        );
        let same_day = fixture(&SINGLE_OK.replace(
            "order = 1",
            "order = 1\nvalid_from = \"2026-06-30\"\nvalid_to = \"2026-06-30\"",
        ));
        let catalogue = Catalogue::from_toml(&same_day).unwrap();
        assert_eq!(catalogue.questions[0].valid_from, Some(date(2026, 6, 30)));
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "\"2026-02-30\"",
            "\"2026-1-1\"",
            "\"1 januari\"",
            "2026-01-01",
        ] {
            let text =
                fixture(&SINGLE_OK.replace("order = 1", &format!("order = 1\nvalid_from = {bad}")));
            assert!(
                matches!(
                    Catalogue::from_toml(&text),
                    Err(CatalogueError::Parse { .. })
                ),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn question_without_options_is_refused() {
        let text = fixture(
            "[[questions]]\nkey = \"empty\"\nlabel_sv = \"Tom\"\nlabel_en = \"Empty\"\nkind = \"single\"\norder = 1\noptions = []\n",
        );
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::NoOptions {
                question: "empty".to_owned()
            })
        );
    }

    #[test]
    fn end_reasons_must_be_complete_known_and_unique() {
        let missing = DEFAULT_TOML.replace("key = \"misregistration\"", "key = \"moved\"");
        assert_eq!(
            Catalogue::from_toml(&missing),
            Err(CatalogueError::DuplicateEndReason {
                reason: "moved".to_owned()
            })
        );
        let cut = &DEFAULT_TOML[..DEFAULT_TOML.rfind("[[end_reasons]]").unwrap()];
        assert_eq!(
            Catalogue::from_toml(cut),
            Err(CatalogueError::MissingEndReason {
                reason: "misregistration".to_owned()
            })
        );
        let unknown = DEFAULT_TOML.replace("key = \"illness\"", "key = \"weather\"");
        assert_eq!(
            Catalogue::from_toml(&unknown),
            Err(CatalogueError::UnknownEndReason {
                reason: "weather".to_owned()
            })
        );
    }

    #[test]
    fn bad_keys_empty_labels_and_unknown_fields_are_refused() {
        let text = fixture(&SINGLE_OK.replace("key = \"employed\"", "key = \"Förvärv\""));
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::BadKey {
                key: "Förvärv".to_owned()
            })
        );
        let text = fixture(&SINGLE_OK.replace("label_en = \"Occupation\"", "label_en = \" \""));
        assert_eq!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::EmptyLabel {
                key: "occupation".to_owned()
            })
        );
        let text = fixture(&SINGLE_OK.replace("order = 1", "order = 1\nexlusive = []"));
        assert!(matches!(
            Catalogue::from_toml(&text),
            Err(CatalogueError::Parse { .. })
        ));
    }

    #[test]
    fn broken_toml_reports_its_line() {
        let err = Catalogue::from_toml("version = 1\nquestions = [\n").unwrap_err();
        let CatalogueError::Parse { line, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(line.is_some());
        assert!(err.to_string().contains("line"));
        assert!(err.message_sv().contains("rad"));
        let err = Catalogue::from_toml("version = 1\nkind = \"sometimes\"\n").unwrap_err();
        assert!(
            matches!(err, CatalogueError::Parse { line: Some(2), .. }),
            "{err:?}"
        );
    }

    /// Serde round trip through a TOML value tree (the project builds `toml` without the
    /// `display` feature, so there is no TOML text writer).
    fn toml_round_trip<T: Serialize + serde::de::DeserializeOwned>(value: &T) -> (toml::Value, T) {
        let tree = toml::Value::try_from(value).unwrap();
        (tree.clone(), tree.try_into::<T>().unwrap())
    }

    #[test]
    fn catalogue_round_trips_through_toml() {
        let catalogue = Catalogue::default_catalogue()
            .with_supplementary(&[supplementary(
                "licence",
                Some(date(2026, 1, 1)),
                Some(date(2026, 12, 31)),
            )])
            .unwrap();
        let (tree, back) = toml_round_trip(&catalogue);
        assert_eq!(back, catalogue);
        let licence = tree["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["key"].as_str() == Some("licence"))
            .unwrap();
        assert_eq!(licence["valid_from"].as_str(), Some("2026-01-01"));
        assert_eq!(licence["supplementary"].as_bool(), Some(true));
        let plain = Catalogue::default_catalogue();
        let (tree, back) = toml_round_trip(&plain);
        assert_eq!(back, plain);
        assert!(tree["questions"][0].get("valid_from").is_none());
    }

    #[test]
    fn answers_round_trip_through_toml() {
        let answers = full_answers();
        assert_eq!(toml_round_trip(&answers).1, answers);
        let change = compare(&answers, &Answers::new(1));
        let wrapper = Wrapper {
            change: change[0].clone(),
        };
        assert_eq!(toml_round_trip(&wrapper).1.change, change[0]);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wrapper {
        change: AnswerChange,
    }

    #[test]
    fn compare_marks_changes() {
        let before = full_answers();
        let mut after = full_answers();
        after.set("occupation", one("employed"));
        after.set(
            "income_sources",
            many(&["activity_grant", "social_assistance"]),
        ); // reordered only
        after.set("public_support_time", one("years_3_5"));
        after.values.remove("activity_ability");
        after.set("licence", one("yes"));
        let changes = compare(&before, &after);
        let flags: Vec<(&str, bool)> = changes
            .iter()
            .map(|c| (c.question.as_str(), c.changed))
            .collect();
        assert_eq!(
            flags,
            [
                ("activity_ability", true),
                ("education", false),
                ("income_sources", false),
                ("licence", true),
                ("occupation", true),
                ("public_support_time", false),
            ]
        );
        let occupation = changes.iter().find(|c| c.question == "occupation").unwrap();
        assert_eq!(occupation.before, Some(one("job_seeking")));
        assert_eq!(occupation.after, Some(one("employed")));
        let ability = changes
            .iter()
            .find(|c| c.question == "activity_ability")
            .unwrap();
        assert_eq!(ability.after, None);

        let mut sorted = changes.clone();
        Catalogue::default_catalogue().sort_changes(&mut sorted);
        let order: Vec<&str> = sorted.iter().map(|c| c.question.as_str()).collect();
        assert_eq!(
            order,
            [
                "occupation",
                "income_sources",
                "education",
                "public_support_time",
                "activity_ability",
                "licence"
            ]
        );
    }

    #[test]
    fn error_messages_name_keys_in_both_languages() {
        let err = AnswerError::UnknownOption {
            question: "occupation".to_owned(),
            option: "x".to_owned(),
        };
        assert!(err.to_string().contains("`occupation`") && err.to_string().contains("`x`"));
        assert!(err.message_sv().contains("`occupation`") && err.message_sv().contains("frågan"));
        assert_eq!(err.question(), Some("occupation"));
        let err = CatalogueError::KeyClash {
            question: "licence".to_owned(),
        };
        assert!(err.to_string().contains("`licence`"));
        assert!(err.message_sv().contains("kompletterande"));
    }

    fn valid_answers_strategy() -> impl Strategy<Value = Answers> {
        (
            0..4usize,
            prop::collection::btree_set(0..8usize, 1..=8),
            any::<bool>(),
            0..5usize,
            0..5usize,
            0..5usize,
        )
            .prop_map(|(occ, incomes, none, edu, time, ability)| {
                let catalogue = Catalogue::default_catalogue();
                let opt = |q: &str, i: usize| catalogue.question(q).unwrap().options[i].key.clone();
                let mut answers = Answers::new(1);
                answers.set("occupation", AnswerValue::One(opt("occupation", occ)));
                let incomes = if none {
                    vec!["none".to_owned()]
                } else {
                    incomes
                        .into_iter()
                        .map(|i| opt("income_sources", i))
                        .collect()
                };
                answers.set("income_sources", AnswerValue::Many(incomes));
                answers.set("education", AnswerValue::One(opt("education", edu)));
                answers.set(
                    "public_support_time",
                    AnswerValue::One(opt("public_support_time", time)),
                );
                answers.set(
                    "activity_ability",
                    AnswerValue::One(opt("activity_ability", ability)),
                );
                answers
            })
    }

    proptest! {
        #[test]
        fn generated_valid_answers_pass(answers in valid_answers_strategy()) {
            prop_assert_eq!(Catalogue::default_catalogue().validate(&answers, today()), Ok(()));
        }

        #[test]
        fn compare_with_itself_or_reordered_marks_nothing(answers in valid_answers_strategy()) {
            let mut reordered = answers.clone();
            for value in reordered.values.values_mut() {
                if let AnswerValue::Many(options) = value {
                    options.reverse();
                }
            }
            prop_assert!(compare(&answers, &answers).iter().all(|c| !c.changed));
            prop_assert!(compare(&answers, &reordered).iter().all(|c| !c.changed));
            prop_assert_eq!(compare(&answers, &Answers::new(1)).len(), 5);
        }

        #[test]
        fn arbitrary_answers_never_panic(
            values in prop::collection::btree_map(
                "[a-z_]{1,20}",
                prop_oneof![
                    "[a-z_]{0,12}".prop_map(AnswerValue::One),
                    prop::collection::vec("[a-z_]{0,12}", 0..4).prop_map(AnswerValue::Many),
                ],
                0..8,
            ),
            day in 0i64..4000,
        ) {
            let answers = Answers { catalogue_version: 1, values };
            let on = date(2020, 1, 1) + chrono::Days::new(day.unsigned_abs());
            let _ = Catalogue::default_catalogue().validate(&answers, on);
        }
    }
}

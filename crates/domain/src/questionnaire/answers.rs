//! Answers: one answer and an answer set, checking a set against the catalogue, and why a set
//! was refused.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Catalogue, Question, QuestionKind};

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

impl Catalogue {
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

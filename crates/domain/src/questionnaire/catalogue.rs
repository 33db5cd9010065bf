//! The catalogue's data: end reasons, questions and their options, and the lookups the screens
//! use (questions asked on a date, labels in either language).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::iso_date_opt;

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

    pub(super) fn is_exclusive(&self, option: &str) -> bool {
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
}

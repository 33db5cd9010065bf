//! The record of processing activities (GDPR Art. 30; domain §10), one per association, in the
//! form of Socialstyrelsen's published list of processing purposes: each purpose with its legal
//! basis; the categories of people and of data; recipients; retention; security measures;
//! transfers to third countries.
//!
//! It is data, kept per association and edited by its administrator. Until they do, the
//! [`default`](ProcessingRecord::default_for_this_register) describes what this register really
//! does. The legal bases are the association's to decide: they start empty and are shown as
//! "to be filled in by the association". How long data is kept is not stored here: it is
//! rendered from the association's settings and the retention rules of the program, so the
//! record cannot promise a period the register does not keep; the association may add notes.
//!
//! Every text is kept in Swedish and English ([`Text`]); one left empty is shown in the other.

mod default;
mod form;
mod render;
#[cfg(test)]
mod tests;

pub use form::{from_toml, to_toml};
pub use render::{RetentionFacts, sections, title};

use crate::person::TextError;
use serde::{Deserialize, Serialize};

/// The longest text of one entry, in characters.
pub const MAX_TEXT: usize = 1_000;
/// The most entries in one list (purposes, categories, measures, …).
pub const MAX_ENTRIES: usize = 30;

/// A text in Swedish and English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub sv: String,
    pub en: String,
}

impl Text {
    pub fn new(sv: &str, en: &str) -> Text {
        Text {
            sv: sv.to_owned(),
            en: en.to_owned(),
        }
    }

    /// Whether neither language has any text.
    pub fn is_empty(&self) -> bool {
        self.sv.trim().is_empty() && self.en.trim().is_empty()
    }

    /// The text in one language, or in the other where that one is empty.
    pub fn get(&self, swedish: bool) -> &str {
        let (first, other) = if swedish {
            (&self.sv, &self.en)
        } else {
            (&self.en, &self.sv)
        };
        if first.trim().is_empty() {
            other.trim()
        } else {
            first.trim()
        }
    }
}

/// One purpose of processing and its legal basis (empty: the association has not filled it in).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    pub purpose: Text,
    pub legal_basis: Text,
}

/// An association's record of processing activities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingRecord {
    pub purposes: Vec<Purpose>,
    /// Categories of people the data is about.
    pub people: Vec<Text>,
    /// Categories of personal data.
    pub data: Vec<Text>,
    pub recipients: Vec<Text>,
    /// The association's own notes on retention, shown after the rules the register applies.
    pub retention: Vec<Text>,
    pub security: Vec<Text>,
    /// Transfers to third countries or international organisations.
    pub transfers: Text,
}

/// Why a record was refused. Names the field; never repeats the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("{field}: {error}")]
    Text { field: String, error: TextError },
    #[error("{field}: empty in both Swedish (sv) and English (en)")]
    Empty { field: String },
    #[error("{section}: at least one entry is needed")]
    NoEntries { section: &'static str },
    #[error("{section}: at most {max} entries")]
    TooMany { section: &'static str, max: usize },
    #[error("line {line}{}: not a valid record ({problem})", key_part(.key.as_deref()))]
    Toml {
        line: usize,
        key: Option<String>,
        problem: TomlProblem,
    },
    #[error("nothing changed: the record is the same as the one kept")]
    NothingChanged,
}

/// What was wrong with a record file, without repeating any of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TomlProblem {
    /// Not TOML at all (a quote not closed, a line that is neither key = value nor a header).
    Syntax,
    /// A key the record does not have.
    UnknownKey,
    /// A key the record needs is missing.
    MissingKey,
    /// A value of the wrong kind (a number where a text belongs, …).
    WrongKind,
}

impl std::fmt::Display for TomlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TomlProblem::Syntax => "not TOML: check quotes and = signs",
            TomlProblem::UnknownKey => "a key the record does not have",
            TomlProblem::MissingKey => "a key is missing",
            TomlProblem::WrongKind => "a value of the wrong kind: texts are in quotes",
        })
    }
}

fn key_part(key: Option<&str>) -> String {
    key.map(|k| format!(" ({k})")).unwrap_or_default()
}

impl RecordError {
    pub fn message_sv(&self) -> String {
        match self {
            RecordError::Text { field, error } => format!("{field}: {}", text_sv(*error)),
            RecordError::Empty { field } => {
                format!("{field}: tom både på svenska (sv) och engelska (en)")
            }
            RecordError::NoEntries { section } => {
                format!("{section}: minst en uppgift behövs")
            }
            RecordError::TooMany { section, max } => {
                format!("{section}: högst {max} uppgifter")
            }
            RecordError::Toml { line, key, problem } => format!(
                "rad {line}{}: inte en giltig förteckning ({})",
                key_part(key.as_deref()),
                match problem {
                    TomlProblem::Syntax => "inte TOML: kontrollera citattecken och likhetstecken",
                    TomlProblem::UnknownKey => "en nyckel som förteckningen inte har",
                    TomlProblem::MissingKey => "en nyckel saknas",
                    TomlProblem::WrongKind => "ett värde av fel slag: texter står inom citattecken",
                }
            ),
            RecordError::NothingChanged => {
                "inget ändrades: förteckningen är densamma som den sparade".to_owned()
            }
        }
    }
}

fn text_sv(e: TextError) -> String {
    match e {
        TextError::Empty => "fältet är tomt".to_owned(),
        TextError::TooLong { max } => format!("texten är för lång (högst {max} tecken)"),
        TextError::ControlCharacter => "texten innehåller styrtecken".to_owned(),
        TextError::NotMunicipalityCode => "en kommunkod är fyra siffror, t.ex. 0180".to_owned(),
    }
}

/// A text of one language: trimmed, bounded, one line (no control characters); may be empty.
fn check_one(text: &str, field: String) -> Result<String, RecordError> {
    let t = text.trim();
    if t.chars().any(char::is_control) {
        return Err(RecordError::Text {
            field,
            error: TextError::ControlCharacter,
        });
    }
    if t.chars().count() > MAX_TEXT {
        return Err(RecordError::Text {
            field,
            error: TextError::TooLong { max: MAX_TEXT },
        });
    }
    Ok(t.to_owned())
}

/// Both languages of `text`, named `field` in errors; `required`: one of them must have text.
fn check_text(text: &Text, field: &str, required: bool) -> Result<Text, RecordError> {
    let out = Text {
        sv: check_one(&text.sv, format!("{field}.sv"))?,
        en: check_one(&text.en, format!("{field}.en"))?,
    };
    if required && out.is_empty() {
        return Err(RecordError::Empty {
            field: field.to_owned(),
        });
    }
    Ok(out)
}

/// A list of texts, each required; `at_least_one`: the list itself may not be empty.
fn check_list(
    list: &[Text],
    section: &'static str,
    at_least_one: bool,
) -> Result<Vec<Text>, RecordError> {
    if at_least_one && list.is_empty() {
        return Err(RecordError::NoEntries { section });
    }
    if list.len() > MAX_ENTRIES {
        return Err(RecordError::TooMany {
            section,
            max: MAX_ENTRIES,
        });
    }
    list.iter()
        .enumerate()
        .map(|(n, t)| check_text(t, &format!("{section} {}", n + 1), true))
        .collect()
}

impl ProcessingRecord {
    /// The record checked and tidied (texts trimmed): every section that Art. 30 asks for has
    /// at least one entry, each with text in one language at least; the legal bases and the
    /// retention notes may be empty.
    pub fn checked(&self) -> Result<ProcessingRecord, RecordError> {
        if self.purposes.is_empty() {
            return Err(RecordError::NoEntries { section: "purpose" });
        }
        if self.purposes.len() > MAX_ENTRIES {
            return Err(RecordError::TooMany {
                section: "purpose",
                max: MAX_ENTRIES,
            });
        }
        let purposes = self
            .purposes
            .iter()
            .enumerate()
            .map(|(n, p)| {
                Ok(Purpose {
                    purpose: check_text(&p.purpose, &format!("purpose {}", n + 1), true)?,
                    legal_basis: check_text(
                        &p.legal_basis,
                        &format!("purpose {} legal_basis", n + 1),
                        false,
                    )?,
                })
            })
            .collect::<Result<Vec<_>, RecordError>>()?;
        Ok(ProcessingRecord {
            purposes,
            people: check_list(&self.people, "people", true)?,
            data: check_list(&self.data, "data", true)?,
            recipients: check_list(&self.recipients, "recipients", true)?,
            retention: check_list(&self.retention, "retention", false)?,
            security: check_list(&self.security, "security", true)?,
            transfers: check_text(&self.transfers, "transfers", true)?,
        })
    }

    /// The purposes whose legal basis the association has not filled in (1-based).
    pub fn missing_legal_bases(&self) -> Vec<usize> {
        self.purposes
            .iter()
            .enumerate()
            .filter(|(_, p)| p.legal_basis.is_empty())
            .map(|(n, _)| n + 1)
            .collect()
    }

    /// The legal basis of the first purpose (the follow-up the register is for), if filled in:
    /// what the information to a participant names.
    pub fn follow_up_legal_basis(&self, swedish: bool) -> Option<&str> {
        self.purposes
            .first()
            .map(|p| p.legal_basis.get(swedish))
            .filter(|b| !b.is_empty())
    }

    /// The sections that differ from `other`, by their keys in the record file.
    pub fn changed_sections(&self, other: &ProcessingRecord) -> Vec<&'static str> {
        let purposes = |r: &ProcessingRecord| -> Vec<Text> {
            r.purposes.iter().map(|p| p.purpose.clone()).collect()
        };
        let bases = |r: &ProcessingRecord| -> Vec<Text> {
            r.purposes.iter().map(|p| p.legal_basis.clone()).collect()
        };
        let mut out = Vec::new();
        for (changed, key) in [
            (purposes(self) != purposes(other), "purpose"),
            (bases(self) != bases(other), "legal_basis"),
            (self.people != other.people, "people"),
            (self.data != other.data, "data"),
            (self.recipients != other.recipients, "recipients"),
            (self.retention != other.retention, "retention"),
            (self.security != other.security, "security"),
            (self.transfers != other.transfers, "transfers"),
        ] {
            if changed {
                out.push(key);
            }
        }
        out
    }
}

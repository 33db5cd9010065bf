//! Loading a catalogue: the embedded default, reading TOML, the catalogue's rules, adding an
//! association's supplementary questions, and why a catalogue was refused.

use std::collections::HashSet;

use super::{Catalogue, EndReason, Question, QuestionKind};

/// The default catalogue, embedded at build time.
pub(super) const DEFAULT_TOML: &str = include_str!("../../../../catalogue/default.toml");

impl Catalogue {
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

//! A person's identity as the handler enters it: personnummer, name, home municipality, gender.

use serde::{Deserialize, Serialize};

/// Gender as the national statistics count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    Woman,
    Man,
}

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Why a name or municipality was refused. Never carries the text itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the field is empty")]
    Empty,
    #[error("the text is too long (at most {max} characters)")]
    TooLong { max: usize },
    #[error("the text contains control characters")]
    ControlCharacter,
    #[error("a municipality code is four digits, e.g. 0180")]
    NotMunicipalityCode,
}

/// Checks a free-text field: trimmed, not empty, no control characters, bounded length.
pub fn clean_text(input: &str, max: usize) -> Result<String, TextError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(TextError::Empty);
    }
    if t.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    Ok(t.to_owned())
}

/// A Swedish municipality code (kommunkod): four digits, e.g. `0180` for Stockholm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MunicipalityCode(pub u16);

impl MunicipalityCode {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(TextError::Empty);
        }
        if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TextError::NotMunicipalityCode);
        }
        t.parse::<u16>()
            .map(Self)
            .map_err(|_| TextError::NotMunicipalityCode)
    }
}

impl std::fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// Who a person is, as entered by the handler. Personal data: encrypted at rest, and its `Debug`
/// prints nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    pub pnr: super::personnummer::Personnummer,
    pub name: String,
    pub municipality: MunicipalityCode,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(<redacted>)")
    }
}

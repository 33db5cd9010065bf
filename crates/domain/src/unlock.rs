//! The personal unlock code that opens a session's idle lock: what a code must look like, and
//! how it is kept (only as a slow salted hash, never in clear).

use serde::{Deserialize, Serialize};

/// The shortest unlock code accepted, in characters.
pub const MIN_UNLOCK_CODE: usize = 6;
/// The longest unlock code accepted, in characters.
pub const MAX_UNLOCK_CODE: usize = 64;
/// Wrong codes in a row that end the session.
pub const UNLOCK_TRIES: u8 = 3;

/// A user's unlock code as stored: an argon2 hash in PHC string form (`$argon2id$v=19$…`, the
/// salt and parameters inside it), and when it was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockCode {
    pub phc: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub set_at_ms: i64,
}

/// Why an unlock code was not accepted. None of these carries the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnlockCodeError {
    #[error("the unlock code must be at least {min} characters")]
    TooShort { min: usize },
    #[error("the unlock code may be at most {max} characters")]
    TooLong { max: usize },
    #[error("the unlock code may not contain control characters")]
    ControlCharacter,
    #[error("the unlock code may not be one character repeated")]
    OneCharacter,
    #[error("the two codes differ; type the same code twice")]
    Differs,
    #[error("the unlock code could not be checked (a fault of the system; tell the administrator)")]
    Hashing,
}

impl UnlockCodeError {
    pub fn message_sv(self) -> String {
        match self {
            UnlockCodeError::TooShort { min } => {
                format!("upplåsningskoden måste vara minst {min} tecken")
            }
            UnlockCodeError::TooLong { max } => {
                format!("upplåsningskoden får vara högst {max} tecken")
            }
            UnlockCodeError::ControlCharacter => {
                "upplåsningskoden får inte innehålla kontrolltecken".into()
            }
            UnlockCodeError::OneCharacter => {
                "upplåsningskoden får inte vara ett och samma tecken upprepat".into()
            }
            UnlockCodeError::Differs => "koderna skiljer sig åt; skriv samma kod två gånger".into(),
            UnlockCodeError::Hashing => {
                "upplåsningskoden kunde inte kontrolleras (ett fel i systemet; kontakta \
                 administratören)"
                    .into()
            }
        }
    }
}

/// Checks a new unlock code: long enough, not too long, no control characters, not one
/// character repeated.
pub fn check_unlock_code(code: &str) -> Result<(), UnlockCodeError> {
    let n = code.chars().count();
    if n < MIN_UNLOCK_CODE {
        return Err(UnlockCodeError::TooShort {
            min: MIN_UNLOCK_CODE,
        });
    }
    if n > MAX_UNLOCK_CODE {
        return Err(UnlockCodeError::TooLong {
            max: MAX_UNLOCK_CODE,
        });
    }
    if code.chars().any(char::is_control) {
        return Err(UnlockCodeError::ControlCharacter);
    }
    let mut chars = code.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(UnlockCodeError::OneCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlock_code_is_six_to_sixty_four_characters_without_control_characters() {
        assert_eq!(
            check_unlock_code("abc12"),
            Err(UnlockCodeError::TooShort { min: 6 })
        );
        assert_eq!(check_unlock_code("abc123"), Ok(()));
        // Characters, not bytes: six letters of Swedish are six.
        assert_eq!(check_unlock_code("åäöÅÄÖ"), Ok(()));
        assert_eq!(
            check_unlock_code(&"ab".repeat(33)),
            Err(UnlockCodeError::TooLong { max: 64 })
        );
        assert_eq!(
            check_unlock_code("abc\u{1b}123"),
            Err(UnlockCodeError::ControlCharacter)
        );
        assert_eq!(
            check_unlock_code("111111"),
            Err(UnlockCodeError::OneCharacter)
        );
    }

    #[test]
    fn every_refusal_has_a_swedish_message_without_the_code() {
        for e in [
            UnlockCodeError::TooShort { min: 6 },
            UnlockCodeError::TooLong { max: 64 },
            UnlockCodeError::ControlCharacter,
            UnlockCodeError::OneCharacter,
            UnlockCodeError::Differs,
            UnlockCodeError::Hashing,
        ] {
            assert!(!e.message_sv().is_empty());
            assert_ne!(e.message_sv(), e.to_string());
        }
    }
}

//! Organisation numbers of the legal entities that take part in an intervention.
//!
//! Accepted input (surrounding whitespace is trimmed): `NNNNNN-NNNN` or `NNNNNNNNNN`. The last
//! digit is a Luhn check digit over the first nine, and the third digit is 2 or higher for legal
//! entities (a sole trader uses a personnummer, whose third digit is a month's first digit).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::AssociationId;
use crate::person::MunicipalityCode;
use crate::personnummer::luhn_check_digit;
use crate::questionnaire::{Catalogue, Question};
use chrono::NaiveDate;

/// Why an organisation number was refused. Never carries the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrgNumberError {
    /// Nothing was entered.
    #[error("the organisation number is empty")]
    Empty,
    /// Something other than digits and one `-` after the sixth digit.
    #[error("an organisation number may contain only digits and one - after the sixth digit")]
    InvalidCharacter,
    /// Wrong number of digits.
    #[error("the organisation number has {digits} digits; an organisation number has 10")]
    Length {
        /// How many digits the input had.
        digits: usize,
    },
    /// The third digit is below 2, so it is not a legal entity's number.
    #[error(
        "the third digit must be 2 or higher; this is not the organisation number \
         of a legal entity"
    )]
    NotLegalEntity,
    /// The Luhn check digit does not match.
    #[error("the check digit is wrong; check for a typo")]
    CheckDigit,
}

impl OrgNumberError {
    /// The message in Swedish, for the user interface.
    #[must_use]
    pub fn message_sv(&self) -> &'static str {
        match self {
            Self::Empty => "organisationsnumret saknas",
            Self::InvalidCharacter => {
                "organisationsnumret får bara innehålla siffror och ett - efter den sjätte siffran"
            }
            Self::Length { .. } => "organisationsnumret ska ha 10 siffror",
            Self::NotLegalEntity => {
                "den tredje siffran måste vara 2 eller högre; \
                 det är inte en juridisk persons organisationsnummer"
            }
            Self::CheckDigit => "kontrollsiffran stämmer inte; kontrollera om något är felskrivet",
        }
    }
}

/// A validated organisation number of a legal entity, stored as 10 ASCII digits.
///
/// `Display` prints `NNNNNN-NNNN`; `Debug` prints `OrgNumber(NNNNNN-NNNN)`.
/// Serialized as the 10-digit string; deserialized through [`OrgNumber::parse`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct OrgNumber {
    /// `NNNNNNNNNN` as ASCII digits.
    digits: [u8; 10],
}

impl OrgNumber {
    /// Parses `NNNNNN-NNNN` or 10 digits.
    ///
    /// # Errors
    ///
    /// [`OrgNumberError`] says what is wrong: empty input, a character other than digits and one
    /// `-` after the sixth digit, not 10 digits, a third digit below 2, or a wrong check digit.
    pub fn parse(input: &str) -> Result<Self, OrgNumberError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(OrgNumberError::Empty);
        }
        let mut values = [0u8; 10];
        let mut len = 0usize;
        let mut hyphen_after: Option<usize> = None;
        for c in input.chars() {
            if let Some(v) = c.to_digit(10) {
                if let Some(slot) = values.get_mut(len) {
                    *slot = u8::try_from(v).unwrap_or(0);
                }
                len = len.saturating_add(1);
            } else if c == '-' && hyphen_after.is_none() {
                hyphen_after = Some(len);
            } else {
                return Err(OrgNumberError::InvalidCharacter);
            }
        }
        if len != 10 {
            return Err(OrgNumberError::Length { digits: len });
        }
        if hyphen_after.is_some_and(|n| n != 6) {
            return Err(OrgNumberError::InvalidCharacter);
        }
        let [d0, d1, third, d3, d4, d5, d6, d7, d8, check] = values;
        if third < 2 {
            return Err(OrgNumberError::NotLegalEntity);
        }
        if luhn_check_digit(&[d0, d1, third, d3, d4, d5, d6, d7, d8]) != check {
            return Err(OrgNumberError::CheckDigit);
        }
        Ok(Self {
            digits: values.map(|v| b'0' + v % 10),
        })
    }

    /// The 10 digits without hyphen.
    #[must_use]
    pub fn digits(&self) -> &str {
        // Always ASCII digits by construction, so the fallback is never taken.
        std::str::from_utf8(&self.digits).unwrap_or("")
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(
            f,
            "{}-{}",
            d.get(..6).unwrap_or_default(),
            d.get(6..).unwrap_or_default()
        )
    }
}

impl fmt::Debug for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgNumber({self})")
    }
}

impl From<OrgNumber> for String {
    fn from(o: OrgNumber) -> Self {
        o.digits().to_owned()
    }
}

impl TryFrom<String> for OrgNumber {
    type Error = OrgNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

/// A coordination association (samordningsförbund). Nothing may be registered before its start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Association {
    pub id: AssociationId,
    pub name: String,
    pub org_number: OrgNumber,
    pub description: String,
    /// The municipalities it serves.
    pub municipalities: Vec<MunicipalityCode>,
    #[serde(with = "crate::date::days")]
    pub start: NaiveDate,
    #[serde(with = "crate::date::days_opt")]
    pub end: Option<NaiveDate>,
    /// Supplementary questions (kompletterande frågor) added to the default catalogue.
    pub supplementary: Vec<Question>,
    /// The detailed focuses (preciserade inriktningar) its interventions choose from.
    pub focus_options: Vec<String>,
    /// Contact of the controller (personuppgiftsansvarig), for the information to participants.
    pub controller: String,
    /// Contact of the data-protection officer (dataskyddsombud).
    pub dpo: String,
    /// Years personal data is kept after registration out.
    pub retention_years: u32,
    /// Reports show counts from 1 to this − 1 as "<threshold" to roles without personal-data
    /// access (0: off).
    pub small_cell_threshold: u32,
}

impl Association {
    /// The questionnaire of this association: the default catalogue plus its supplementary
    /// questions. Falls back to the default catalogue if a stored question clashes (it was
    /// checked when it was added).
    pub fn catalogue(&self, base: &Catalogue) -> Catalogue {
        base.with_supplementary(&self.supplementary)
            .unwrap_or_else(|_| base.clone())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    /// Appends the correct check digit to 9 digits written as text.
    fn with_check(nine: &str) -> String {
        let values: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
        format!("{nine}{}", luhn_check_digit(&values))
    }

    #[test]
    fn accepts_valid_numbers() {
        // 2 2 2 0 0 0 1 2 3 → 4+2+4+0+0+0+2+2+6 = 20 → check digit 0.
        let o = OrgNumber::parse("222000-1230").unwrap();
        assert_eq!(o.digits(), "2220001230");
        assert_eq!(o.to_string(), "222000-1230");
        assert_eq!(OrgNumber::parse("2220001230").unwrap(), o);
        assert_eq!(OrgNumber::parse("  222000-1230\n").unwrap(), o);
        // A real-form aktiebolag number.
        let ab = OrgNumber::parse("556016-0680").unwrap();
        assert_eq!(ab.digits(), "5560160680");
        assert_eq!(format!("{ab:?}"), "OrgNumber(556016-0680)");
        // Computed with the shared helper.
        let n = with_check("212000014");
        assert!(OrgNumber::parse(&n).is_ok());
    }

    #[test]
    fn error_empty() {
        assert_eq!(OrgNumber::parse(""), Err(OrgNumberError::Empty));
        assert_eq!(OrgNumber::parse("  "), Err(OrgNumberError::Empty));
    }

    #[test]
    fn error_invalid_character() {
        for input in [
            "222000+1230",
            "222000 1230",
            "222000--1230",
            "22200a-1230",
            "2220-001230",
            "2220001230-",
        ] {
            assert_eq!(
                OrgNumber::parse(input),
                Err(OrgNumberError::InvalidCharacter),
                "{input:?}"
            );
        }
    }

    #[test]
    fn error_length() {
        assert_eq!(
            OrgNumber::parse("222000-123"),
            Err(OrgNumberError::Length { digits: 9 })
        );
        assert_eq!(
            OrgNumber::parse("162220001230"),
            Err(OrgNumberError::Length { digits: 12 })
        );
        assert_eq!(
            OrgNumber::parse("-"),
            Err(OrgNumberError::Length { digits: 0 })
        );
    }

    #[test]
    fn error_not_legal_entity() {
        // A personnummer has a valid check digit but a month in third and fourth place.
        assert_eq!(
            OrgNumber::parse("811218-9876"),
            Err(OrgNumberError::NotLegalEntity)
        );
        assert_eq!(
            OrgNumber::parse(&with_check("220000123")),
            Err(OrgNumberError::NotLegalEntity)
        );
    }

    #[test]
    fn error_check_digit() {
        assert_eq!(
            OrgNumber::parse("222000-1231"),
            Err(OrgNumberError::CheckDigit)
        );
        assert_eq!(
            OrgNumber::parse("5560160681"),
            Err(OrgNumberError::CheckDigit)
        );
    }

    #[test]
    fn messages_are_clear_and_translated() {
        for e in [
            OrgNumberError::Empty,
            OrgNumberError::InvalidCharacter,
            OrgNumberError::Length { digits: 9 },
            OrgNumberError::NotLegalEntity,
            OrgNumberError::CheckDigit,
        ] {
            assert!(!e.to_string().is_empty());
            assert!(!e.message_sv().is_empty());
        }
        assert_eq!(
            OrgNumberError::Length { digits: 9 }.to_string(),
            "the organisation number has 9 digits; an organisation number has 10"
        );
        assert_eq!(
            OrgNumberError::CheckDigit.message_sv(),
            "kontrollsiffran stämmer inte; kontrollera om något är felskrivet"
        );
    }

    #[test]
    fn serde_as_ten_digit_string() {
        let o = OrgNumber::parse("556016-0680").unwrap();
        assert_eq!(String::from(o), "5560160680");
        let de: StrDeserializer<'_, DeError> = "5560160680".into_deserializer();
        assert_eq!(OrgNumber::deserialize(de).unwrap(), o);
        let de: StrDeserializer<'_, DeError> = "5560160681".into_deserializer();
        assert!(OrgNumber::deserialize(de).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in any::<String>()) {
            let _ = OrgNumber::parse(&s);
        }

        #[test]
        fn valid_numbers_round_trip(first in 0u32..=99, third in 2u32..=9, rest in 0u32..=999_999) {
            let nine = format!("{first:02}{third}{rest:06}");
            let n = with_check(&nine);
            let o = OrgNumber::parse(&n).unwrap();
            prop_assert_eq!(o.digits(), n.as_str());
            prop_assert_eq!(OrgNumber::parse(&o.to_string()).unwrap(), o);
        }
    }
}

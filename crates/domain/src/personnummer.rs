//! Swedish personnummer and samordningsnummer: parsing, validation and privacy-safe display.
//!
//! Accepted input (surrounding whitespace is trimmed):
//!
//! * `YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC` — the century follows from the separator and a
//!   reference date (the registration date): with `-` or no separator the person is under 100 and
//!   born on or before the reference date; with `+` the person is 100 or older.
//! * `YYYYMMDDNNNC`, `YYYYMMDD-NNNC` (and `YYYYMMDD+NNNC` if the person is 100 or older).
//!
//! The number is always stored as 12 digits. A day of 61–91 marks a samordningsnummer (the real
//! day is the day minus 60). The last digit is a Luhn check digit over the 10-digit form.
//!
//! Privacy: `Debug` never prints the digits, and no error ever carries the input text.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::person::Gender;

/// Why a personnummer was refused. Never carries the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PnrError {
    /// Nothing was entered.
    #[error("the personnummer is empty")]
    Empty,
    /// Something other than digits and a single `-` or `+`.
    #[error("a personnummer may contain only digits and one - or +")]
    InvalidCharacter,
    /// Wrong number of digits.
    #[error(
        "the personnummer has {digits} digit{}; a personnummer has 10 or 12",
        if *digits == 1 { "" } else { "s" }
    )]
    Length {
        /// How many digits the input had.
        digits: usize,
    },
    /// The separator stands in the wrong place, or a `+` (100 years or older) contradicts the
    /// birth date.
    #[error(
        "the - or + is misplaced: it must stand just before the last four digits, \
         and + is only for a person aged 100 or older"
    )]
    Separator,
    /// The month is not 01–12.
    #[error("the month must be between 01 and 12")]
    Month,
    /// No such date (for example 31 April, or 29 February outside a leap year).
    #[error(
        "no such date: the day does not exist in that month \
         (a samordningsnummer has day 61–91)"
    )]
    Day,
    /// The birth number (the three digits before the check digit) is 000, which is never
    /// issued.
    #[error(
        "the birth number (the three digits before the check digit) is 000, which is never issued"
    )]
    BirthNumber,
    /// The Luhn check digit does not match.
    #[error("the check digit is wrong; check for a typo")]
    CheckDigit,
    /// The birth date lies after the reference (registration) date.
    #[error("the birth date is after the registration date")]
    InFuture,
}

impl PnrError {
    /// The message in Swedish, for the user interface.
    #[must_use]
    pub fn message_sv(&self) -> &'static str {
        match self {
            Self::Empty => "personnumret saknas",
            Self::InvalidCharacter => "personnumret får bara innehålla siffror och ett - eller +",
            Self::Length { .. } => "personnumret ska ha 10 eller 12 siffror",
            Self::Separator => {
                "skiljetecknet står fel: - eller + ska stå före de fyra sista siffrorna, \
                 och + används bara för den som fyllt 100 år"
            }
            Self::Month => "månaden måste vara mellan 01 och 12",
            Self::Day => {
                "datumet finns inte: dagen finns inte i den månaden \
                 (ett samordningsnummer har dag 61–91)"
            }
            Self::BirthNumber => {
                "födelsenumret (de tre siffrorna före kontrollsiffran) är 000, som aldrig delas ut"
            }
            Self::CheckDigit => "kontrollsiffran stämmer inte; kontrollera om något är felskrivet",
            Self::InFuture => "födelsedatumet ligger efter registreringsdatumet",
        }
    }
}

/// Whether the number is an ordinary personnummer or a samordningsnummer (day + 60).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PnrKind {
    Personnummer,
    Samordningsnummer,
}

/// A validated Swedish personnummer or samordningsnummer, stored as 12 ASCII digits.
///
/// `Debug` prints `Personnummer(<redacted>)`; `Display` prints `YYYYMMDD-NNNC`.
/// Serialized as the 12-digit string; deserialized through [`Personnummer::from_digits12`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Personnummer {
    /// `YYYYMMDDNNNC` as ASCII digits. Compared first, so ordering follows the digits.
    digits: [u8; 12],
    /// The real birth date (day − 60 for a samordningsnummer); derived from `digits`.
    birth: NaiveDate,
}

/// Luhn check digit over digits given as values `0..=9`, weights 2, 1, 2, 1, … from the left.
///
/// For the 9 leading digits of a personnummer (`YYMMDDNNN`) or an organisation number this
/// gives the 10th digit. Values above 9 give a meaningless result but never panic.
#[must_use]
pub fn luhn_check_digit(nine_digits: &[u8]) -> u8 {
    let sum = nine_digits.iter().enumerate().fold(0u32, |acc, (i, &d)| {
        let weight = if i % 2 == 0 { 2 } else { 1 };
        let product = u32::from(d) * weight;
        (acc + product / 10 + product % 10) % 10
    });
    u8::try_from((10 - sum) % 10).unwrap_or(0)
}

/// The separator found in the input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    None,
    Minus,
    Plus,
}

/// Digits (as values 0..=9) and separator read from the input.
struct Scanned {
    /// The first 12 digits; only `len.min(12)` are filled.
    digits: [u8; 12],
    /// Number of digits seen (may exceed 12).
    len: usize,
    sep: Sep,
    /// Number of digits before the separator, if any.
    digits_before_sep: usize,
}

/// Reads digits and at most one separator. `allow_sep` false accepts digits only.
fn scan(input: &str, allow_sep: bool) -> Result<Scanned, PnrError> {
    if input.is_empty() {
        return Err(PnrError::Empty);
    }
    let mut out = Scanned {
        digits: [0; 12],
        len: 0,
        sep: Sep::None,
        digits_before_sep: 0,
    };
    for c in input.chars() {
        if let Some(value) = c.to_digit(10) {
            if let Some(slot) = out.digits.get_mut(out.len) {
                *slot = u8::try_from(value).unwrap_or(0);
            }
            out.len = out.len.saturating_add(1);
        } else if allow_sep && (c == '-' || c == '+') && out.sep == Sep::None {
            out.sep = if c == '-' { Sep::Minus } else { Sep::Plus };
            out.digits_before_sep = out.len;
        } else {
            return Err(PnrError::InvalidCharacter);
        }
    }
    Ok(out)
}

/// Folds digit values (0..=9) into an integer; used for at most four digits.
fn number(ds: &[u8]) -> u32 {
    ds.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d))
}

/// Checks the month and the raw day (1–31 or 61–91); returns (month, real day, kind).
fn month_day(ds: [u8; 4]) -> Result<(u32, u32, PnrKind), PnrError> {
    let [m1, m2, d1, d2] = ds;
    let month = number(&[m1, m2]);
    if !(1..=12).contains(&month) {
        return Err(PnrError::Month);
    }
    let day = number(&[d1, d2]);
    match day {
        1..=31 => Ok((month, day, PnrKind::Personnummer)),
        61..=91 => Ok((month, day - 60, PnrKind::Samordningsnummer)),
        _ => Err(PnrError::Day),
    }
}

/// The birth year for a 10-digit number: the latest year ending in `yy` such that the birth date
/// is not after `reference`; 100 years earlier with `+`.
fn resolve_year(
    yy: u32,
    month: u32,
    day: u32,
    plus: bool,
    reference: NaiveDate,
) -> Result<i32, PnrError> {
    let ref_year = reference.year();
    let yy = i32::try_from(yy).map_err(|_| PnrError::Day)?;
    let mut year = ref_year - (ref_year - yy).rem_euclid(100);
    if year == ref_year && (month, day) > (reference.month(), reference.day()) {
        year -= 100;
    }
    if plus {
        year -= 100;
    }
    // Only years that fit in four digits can be stored; an extreme reference date gives none.
    if (0..=9999).contains(&year) {
        Ok(year)
    } else {
        Err(PnrError::Day)
    }
}

/// Splits a non-negative year below 10 000 into its four digit values.
fn year_digits(year: i32) -> Result<[u8; 4], PnrError> {
    let y = u32::try_from(year).map_err(|_| PnrError::Day)?;
    let digit = |v: u32| u8::try_from(v % 10).unwrap_or(0);
    Ok([digit(y / 1000), digit(y / 100), digit(y / 10), digit(y)])
}

/// Validates 12 digit values (date and check digit) and builds the number.
fn validate12(d: [u8; 12]) -> Result<Personnummer, PnrError> {
    let [c1, c2, y1, y2, m1, m2, d1, d2, s1, s2, s3, check] = d;
    let (month, day, _) = month_day([m1, m2, d1, d2])?;
    let year = i32::try_from(number(&[c1, c2, y1, y2])).map_err(|_| PnrError::Day)?;
    let birth = NaiveDate::from_ymd_opt(year, month, day).ok_or(PnrError::Day)?;
    if [s1, s2, s3] == [0, 0, 0] {
        return Err(PnrError::BirthNumber);
    }
    if luhn_check_digit(&[y1, y2, m1, m2, d1, d2, s1, s2, s3]) != check {
        return Err(PnrError::CheckDigit);
    }
    Ok(Personnummer {
        digits: d.map(|v| b'0' + v % 10),
        birth,
    })
}

impl Personnummer {
    /// Parses a personnummer or samordningsnummer as a handler types it.
    ///
    /// `reference` is the registration date: it decides the century of a 10-digit number and
    /// the birth date may not be after it.
    ///
    /// # Errors
    ///
    /// [`PnrError`] says what is wrong, checked in this order: empty input, a character other
    /// than digits and one `-` or `+`, not 10 or 12 digits, a misplaced separator, the month,
    /// the day (no such date), the check digit, a birth date after `reference`, and a `+` on a
    /// 12-digit number for a person under 100 at `reference`.
    pub fn parse(input: &str, reference: NaiveDate) -> Result<Self, PnrError> {
        let s = scan(input.trim(), true)?;
        if s.len != 10 && s.len != 12 {
            return Err(PnrError::Length { digits: s.len });
        }
        if s.sep != Sep::None && s.digits_before_sep != s.len - 4 {
            return Err(PnrError::Separator);
        }
        let digits = if s.len == 10 {
            let [y1, y2, m1, m2, d1, d2, s1, s2, s3, check, _, _] = s.digits;
            let (month, day, _) = month_day([m1, m2, d1, d2])?;
            let year = resolve_year(number(&[y1, y2]), month, day, s.sep == Sep::Plus, reference)?;
            let [c1, c2, _, _] = year_digits(year)?;
            [c1, c2, y1, y2, m1, m2, d1, d2, s1, s2, s3, check]
        } else {
            s.digits
        };
        let pnr = validate12(digits)?;
        if pnr.birth > reference {
            return Err(PnrError::InFuture);
        }
        if s.sep == Sep::Plus && pnr.age_on(reference) < 100 {
            return Err(PnrError::Separator);
        }
        Ok(pnr)
    }

    /// Builds from exactly 12 digits (`YYYYMMDDNNNC`), as stored. Checks the date and the check
    /// digit only; there is no reference date.
    ///
    /// # Errors
    ///
    /// [`PnrError`]: empty input, any character that is not a digit, not exactly 12 digits,
    /// the month, the day (no such date), or the check digit.
    pub fn from_digits12(digits: &str) -> Result<Self, PnrError> {
        let s = scan(digits, false)?;
        if s.len != 12 {
            return Err(PnrError::Length { digits: s.len });
        }
        validate12(s.digits)
    }

    /// The 12 digits, `YYYYMMDDNNNC`.
    #[must_use]
    pub fn digits12(&self) -> &str {
        // Always ASCII digits by construction, so the fallback is never taken.
        std::str::from_utf8(&self.digits).unwrap_or("")
    }

    /// The real birth date (day − 60 for a samordningsnummer).
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }

    /// Personnummer or samordningsnummer.
    #[must_use]
    pub fn kind(&self) -> PnrKind {
        let [_, _, _, _, _, _, d1, _, _, _, _, _] = self.digits;
        if d1 >= b'6' {
            PnrKind::Samordningsnummer
        } else {
            PnrKind::Personnummer
        }
    }

    /// Gender from the second-to-last digit: odd for men, even for women.
    #[must_use]
    pub fn gender(&self) -> Gender {
        let [_, _, _, _, _, _, _, _, _, _, g, _] = self.digits;
        // ASCII '0' is even, so the parity of the byte is the parity of the digit.
        if g % 2 == 1 {
            Gender::Man
        } else {
            Gender::Woman
        }
    }

    /// Age in whole years on `date`; 0 if `date` is before the birth date.
    #[must_use]
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        date.years_since(self.birth).unwrap_or(0)
    }

    /// `YYYYMMDD-NNNC`.
    #[must_use]
    pub fn formatted(&self) -> String {
        let d = self.digits12();
        format!(
            "{}-{}",
            d.get(..8).unwrap_or_default(),
            d.get(8..).unwrap_or_default()
        )
    }

    /// `YYYYMMDD-****`, for privacy-masked screens.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("{}-****", self.digits12().get(..8).unwrap_or_default())
    }
}

impl fmt::Debug for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Personnummer(<redacted>)")
    }
}

impl fmt::Display for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl From<Personnummer> for String {
    fn from(p: Personnummer) -> Self {
        p.digits12().to_owned()
    }
}

impl TryFrom<String> for Personnummer {
    type Error = PnrError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_digits12(&value)
    }
}

#[cfg(test)]
mod tests;

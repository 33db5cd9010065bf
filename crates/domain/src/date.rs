//! Dates as the register stores them: ISO text at the edges, day numbers at rest.

use chrono::{Datelike, NaiveDate};

/// A calendar (budget) year.
pub type Year = i32;

/// The budget year a date falls in (budget year = calendar year).
pub fn budget_year(date: NaiveDate) -> Year {
    date.year()
}

/// Parses an ISO date (`YYYY-MM-DD`), the only form the UI and the CLI accept.
pub fn parse_iso(input: &str) -> Result<NaiveDate, DateError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(DateError::Format);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| DateError::NoSuchDate)
}

/// Why a date could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("the date is empty; write it as YYYY-MM-DD")]
    Empty,
    #[error("the date must be written as YYYY-MM-DD")]
    Format,
    #[error("there is no such date in the calendar")]
    NoSuchDate,
}

/// Serde helpers that store a date as its day number (an `i32`), not as text.
pub mod days {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        date.num_days_from_ce().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let n = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(n).ok_or_else(|| D::Error::custom("day out of range"))
    }
}

/// [`days`] for optional dates.
pub mod days_opt {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    #[allow(clippy::ref_option)] // serde's `with` hands us `&Option<T>`
    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        date.map(|d| d.num_days_from_ce()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<i32>::deserialize(d)? {
            None => Ok(None),
            Some(n) => NaiveDate::from_num_days_from_ce_opt(n)
                .map(Some)
                .ok_or_else(|| D::Error::custom("day out of range")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_parse_and_impossible_dates_are_refused() {
        assert_eq!(
            parse_iso("2026-02-28"),
            Ok(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap_or_default())
        );
        assert_eq!(parse_iso("2026-02-30"), Err(DateError::NoSuchDate));
        assert_eq!(parse_iso("2026-13-01"), Err(DateError::NoSuchDate));
        assert_eq!(parse_iso("26-02-01"), Err(DateError::Format));
        assert_eq!(parse_iso("2026/02/01"), Err(DateError::Format));
        assert_eq!(parse_iso(""), Err(DateError::Empty));
        assert_eq!(
            budget_year(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()),
            2025
        );
    }
}

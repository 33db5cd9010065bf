//! Serde helpers that write an optional date as an ISO string (`"2026-01-01"`), as the
//! catalogue TOML does. A missing field needs `#[serde(default)]` beside `with`.

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

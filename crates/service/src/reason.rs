//! The reason staff state for a logged request (an extract, a correction, a reveal). It goes
//! into the audit entry's note whole — it is what a log reviewer judges the request by — and the
//! audit log is never purged, so a reason that holds the person's name or a personnummer is
//! refused. Other personal data in free text cannot be recognised; the CLI help tells staff not
//! to type it.

use super::error::{RightsError, ServiceError};
use chrono::NaiveDate;
use insats_domain::person::clean_text;
use insats_domain::personnummer::Personnummer;

/// Longest reason accepted, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// A reason trimmed, not empty, without control characters, at most [`MAX_REASON_CHARS`].
pub(super) fn clean_reason(reason: &str) -> Result<String, ServiceError> {
    clean_text(reason, MAX_REASON_CHARS).map_err(|e| RightsError::Reason(e).into())
}

/// Refuses a reason that holds one of `names` (whole, or any part of three letters or more) or a
/// personnummer: the typed one in any separation, or any word that reads as one.
pub(super) fn check_reason(
    reason: &str,
    pnr: &Personnummer,
    names: &[&str],
    today: NaiveDate,
) -> Result<(), RightsError> {
    let lower = reason.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for name in names {
        let name = name.to_lowercase();
        let mut parts = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| p.chars().count() >= 3);
        if lower.contains(&name) || parts.any(|p| words.contains(&p)) {
            return Err(RightsError::ReasonHasPersonalData);
        }
    }
    let digits: String = reason.chars().filter(char::is_ascii_digit).collect();
    let own = pnr.digits12();
    if digits.contains(own.get(2..).unwrap_or(own)) {
        return Err(RightsError::ReasonHasPersonalData);
    }
    let reads_as_pnr = reason.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_ascii_digit());
        w.len() >= 10 && Personnummer::parse(w, today).is_ok()
    });
    if reads_as_pnr {
        return Err(RightsError::ReasonHasPersonalData);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
    }

    #[test]
    fn a_reason_may_not_name_the_person_or_hold_a_personnummer() {
        let pnr = Personnummer::parse("19850101-0014", today()).unwrap();
        let ok = |r: &str| check_reason(r, &pnr, &["Åsa Öberg-Testsson"], today()).is_ok();
        assert!(ok("begäran 2026-06-10, dnr 2026/123"));
        assert!(!ok("begäran från Åsa"));
        assert!(!ok("brev från öberg"));
        assert!(!ok("ÅSA ÖBERG-TESTSSON ringde"));
        assert!(!ok("gäller 850101-0014"));
        assert!(!ok("gäller 8501 0100 14"));
        // Another person's number is refused too.
        assert!(!ok("jfr 19900101-0017"));
    }
}

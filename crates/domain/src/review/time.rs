//! Swedish local time for the office-hours rule: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC
//! on the last Sunday of March to 01:00 UTC on the last Sunday of October (the EU rule Sweden
//! follows).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

/// The last Sunday of `month` in `year`, at 01:00 UTC, as milliseconds.
fn last_sunday_0100_utc_ms(year: i32, month: u32) -> i64 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let Some(mut day) = next.and_then(|d| d.pred_opt()) else {
        return i64::MIN;
    };
    while day.weekday() != Weekday::Sun {
        match day.pred_opt() {
            Some(d) => day = d,
            None => return i64::MIN,
        }
    }
    day.and_hms_opt(1, 0, 0)
        .map_or(i64::MIN, |t| t.and_utc().timestamp_millis())
}

/// The Swedish local date and time of a UTC instant in milliseconds.
pub fn swedish_local(at_ms: i64) -> NaiveDateTime {
    let utc = DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
    let year = utc.year();
    let summer =
        last_sunday_0100_utc_ms(year, 3) <= at_ms && at_ms < last_sunday_0100_utc_ms(year, 10);
    let offset = if summer { 2 } else { 1 };
    utc.naive_utc() + Duration::hours(offset)
}

/// The Swedish calendar day of an instant.
pub fn swedish_day(at_ms: i64) -> NaiveDate {
    swedish_local(at_ms).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .map_or(0, |t| t.and_utc().timestamp_millis())
    }

    #[test]
    fn winter_is_utc_plus_one_and_summer_utc_plus_two() {
        assert_eq!(swedish_local(ms(2026, 1, 15, 6, 30)).hour(), 7);
        assert_eq!(swedish_local(ms(2026, 7, 15, 6, 30)).hour(), 8);
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(swedish_local(ms(2026, 3, 29, 0, 59)).hour(), 1);
        assert_eq!(swedish_local(ms(2026, 3, 29, 1, 0)).hour(), 3);
        assert_eq!(swedish_local(ms(2026, 10, 25, 0, 59)).hour(), 2);
        assert_eq!(swedish_local(ms(2026, 10, 25, 1, 0)).hour(), 2);
        assert_eq!(
            swedish_day(ms(2026, 12, 31, 23, 30)),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default()
        );
    }
}

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

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Where an instant falls in Swedish time: its day, hour and weekday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalAt {
    pub day: NaiveDate,
    pub hour: u32,
    pub weekday: Weekday,
}

/// [`swedish_local`] for a stream of instants in (mostly) increasing order, as the audit log is
/// read: the summer-time bounds of the current UTC year and the current day are remembered, so
/// an instant costs a few integer operations instead of a calendar computation.
#[derive(Clone, Debug, Default)]
pub struct SwedishClock {
    /// The UTC year's bounds: `[year_start, year_end)` and summer time `[summer_from, summer_to)`.
    year: Option<(i64, i64, i64, i64)>,
    /// The last local day seen, as days since the epoch, with its date and weekday.
    day: Option<(i64, NaiveDate, Weekday)>,
}

impl SwedishClock {
    pub fn at(&mut self, at_ms: i64) -> LocalAt {
        let bounds = match self.year {
            Some(b) if b.0 <= at_ms && at_ms < b.1 => b,
            _ => {
                let Some(b) = year_bounds(at_ms) else {
                    let t = swedish_local(at_ms);
                    return LocalAt {
                        day: t.date(),
                        hour: chrono::Timelike::hour(&t),
                        weekday: t.weekday(),
                    };
                };
                self.year = Some(b);
                b
            }
        };
        let offset = if bounds.2 <= at_ms && at_ms < bounds.3 {
            2 * HOUR_MS
        } else {
            HOUR_MS
        };
        let local = at_ms.saturating_add(offset);
        let days = local.div_euclid(DAY_MS);
        let hour = u32::try_from(local.rem_euclid(DAY_MS) / HOUR_MS).unwrap_or(0);
        let (day, weekday) = match self.day {
            Some((d, date, wd)) if d == days => (date, wd),
            _ => {
                let date = swedish_local(at_ms).date();
                self.day = Some((days, date, date.weekday()));
                (date, date.weekday())
            }
        };
        LocalAt { day, hour, weekday }
    }
}

/// The bounds of the UTC year holding `at_ms` and of its summer time, in milliseconds.
fn year_bounds(at_ms: i64) -> Option<(i64, i64, i64, i64)> {
    let year = DateTime::from_timestamp_millis(at_ms)?.year();
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis())
    };
    Some((
        start(year)?,
        start(year + 1)?,
        last_sunday_0100_utc_ms(year, 3),
        last_sunday_0100_utc_ms(year, 10),
    ))
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
    fn the_clock_agrees_with_the_calendar_over_years_and_summer_time() {
        let mut clock = SwedishClock::default();
        // Every 7 minutes and 13 seconds from 2024 to 2027, and a few steps back in time.
        let mut at = ms(2024, 1, 1, 0, 0) - 3 * HOUR_MS;
        let end = ms(2027, 1, 2, 0, 0);
        let mut n = 0u64;
        while at < end {
            let t = swedish_local(at);
            let got = clock.at(at);
            assert_eq!(got.day, t.date(), "{at}");
            assert_eq!(got.hour, t.hour(), "{at}");
            assert_eq!(got.weekday, t.weekday(), "{at}");
            n += 1;
            at += if n.is_multiple_of(1000) {
                -DAY_MS
            } else {
                433_000
            };
        }
        for at in [i64::MIN, i64::MAX, 0, -1] {
            let t = swedish_local(at);
            assert_eq!(clock.at(at).day, t.date());
        }
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

//! The only place the service reads the time: a real clock, or a fixed one for tests and
//! screenshots.

use chrono::{NaiveDate, Utc};

/// Today's date and the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn today(&self) -> NaiveDate;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The system clock (dates in the local time zone of the server).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that always says the same day and time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock {
    pub today: NaiveDate,
    pub now_ms: i64,
}

impl FixedClock {
    /// Noon UTC on `today`.
    pub fn on(today: NaiveDate) -> Self {
        let now_ms = today
            .and_hms_opt(12, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis());
        Self { today, now_ms }
    }
}

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        self.today
    }
    fn now_ms(&self) -> i64 {
        self.now_ms
    }
}

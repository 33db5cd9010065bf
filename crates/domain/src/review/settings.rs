//! The association's review rules as data: which rules run and their parameters, with
//! defaults, changed one `KEY=VALUE` at a time by the association administrator.

use super::{ReviewError, RuleKind};
use serde::{Deserialize, Serialize};

/// The association's review rules: which run, and their parameters. Kept per association; the
/// defaults are a starting point a data-protection officer would recognise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSettings {
    /// Office hours, Swedish time: from this hour…
    pub office_start_hour: u8,
    /// …to this hour (exclusive).
    pub office_end_hour: u8,
    /// Whether Saturdays and Sundays are outside office hours.
    pub weekends_off: bool,
    pub max_participants_per_day: u32,
    pub unmatched_lookups_per_day: u32,
    pub refused_per_day: u32,
    pub old_after_days: u32,
    /// The random sample: entries per user per month.
    pub sample_per_user_month: u32,
    /// Rules turned off.
    pub disabled: Vec<RuleKind>,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            office_start_hour: 7,
            office_end_hour: 18,
            weekends_off: true,
            max_participants_per_day: 20,
            unmatched_lookups_per_day: 3,
            refused_per_day: 1,
            old_after_days: 365,
            sample_per_user_month: 5,
            disabled: Vec::new(),
        }
    }
}

/// The settings' keys, as `set` takes them.
pub const SETTING_KEYS: [&str; 7] = [
    "office-hours",
    "weekends",
    "max-participants",
    "lookups-per-day",
    "refused-per-day",
    "old-after-days",
    "sample",
];

impl ReviewSettings {
    pub fn enabled(&self, rule: RuleKind) -> bool {
        !self.disabled.contains(&rule)
    }

    /// The rule's parameters as `key=value` (what the review record shows).
    pub fn parameters(&self, rule: RuleKind) -> String {
        match rule {
            RuleKind::OffHours => format!(
                "office-hours={}-{} weekends={}",
                self.office_start_hour,
                self.office_end_hour,
                if self.weekends_off { "off" } else { "office" }
            ),
            RuleKind::ManyParticipants => {
                format!("max-participants={}", self.max_participants_per_day)
            }
            RuleKind::SharedSurname => String::new(),
            RuleKind::UnmatchedLookups => {
                format!("lookups-per-day={}", self.unmatched_lookups_per_day)
            }
            RuleKind::Refused => format!("refused-per-day={}", self.refused_per_day),
            RuleKind::OldParticipation => format!("old-after-days={}", self.old_after_days),
        }
    }

    /// Sets one parameter (`office-hours=7-18`, `weekends=off|office`, `max-participants=20`,
    /// `lookups-per-day=3`, `refused-per-day=1`, `old-after-days=365`, `sample=5`), or turns a rule
    /// on or off (`RULE=on|off`, e.g. `shared-surname=off`).
    pub fn set(&mut self, assignment: &str) -> Result<(), ReviewError> {
        let (key, value) = assignment
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .ok_or(ReviewError::BadSetting)?;
        let number = |lo: u32, hi: u32| -> Result<u32, ReviewError> {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| (lo..=hi).contains(n))
                .ok_or(ReviewError::BadValue { lo, hi })
        };
        match key {
            "office-hours" => {
                let (a, b) = value
                    .split_once('-')
                    .and_then(|(a, b)| {
                        Some((a.trim().parse::<u8>().ok()?, b.trim().parse::<u8>().ok()?))
                    })
                    .filter(|(a, b)| a < b && *b <= 24)
                    .ok_or(ReviewError::BadOfficeHours)?;
                self.office_start_hour = a;
                self.office_end_hour = b;
            }
            "weekends" => {
                self.weekends_off = match value {
                    "off" => true,
                    "office" => false,
                    _ => return Err(ReviewError::BadWeekends),
                };
            }
            "max-participants" => self.max_participants_per_day = number(1, 10_000)?,
            "lookups-per-day" => self.unmatched_lookups_per_day = number(1, 10_000)?,
            "refused-per-day" => self.refused_per_day = number(1, 10_000)?,
            "old-after-days" => self.old_after_days = number(1, 36_500)?,
            "sample" => self.sample_per_user_month = number(0, 1_000)?,
            other => {
                let rule = RuleKind::from_key(other).ok_or(ReviewError::BadSetting)?;
                let on = match value {
                    "on" => true,
                    "off" => false,
                    _ => return Err(ReviewError::BadOnOff),
                };
                self.disabled.retain(|r| *r != rule);
                if !on {
                    self.disabled.push(rule);
                    self.disabled.sort_unstable();
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_take_each_key_and_refuse_bad_values() {
        let mut s = ReviewSettings::default();
        assert_eq!(s.set("office-hours=8-17"), Ok(()));
        assert_eq!((s.office_start_hour, s.office_end_hour), (8, 17));
        assert_eq!(s.set("office-hours=17-8"), Err(ReviewError::BadOfficeHours));
        assert_eq!(
            s.set("max-participants=0"),
            Err(ReviewError::BadValue { lo: 1, hi: 10_000 })
        );
        assert_eq!(s.set("nonsense"), Err(ReviewError::BadSetting));
        assert_eq!(s.set("shared-surname=off"), Ok(()));
        assert!(!s.enabled(RuleKind::SharedSurname));
        assert_eq!(s.set("shared-surname=on"), Ok(()));
        assert!(s.enabled(RuleKind::SharedSurname));
        assert_eq!(s.set("weekends=office"), Ok(()));
        assert!(!s.weekends_off);
        // A rule's key turns it on or off; its parameter has a key of its own.
        assert_eq!(s.set("refused=off"), Ok(()));
        assert!(!s.enabled(RuleKind::Refused));
        assert_eq!(s.set("refused-per-day=2"), Ok(()));
        assert_eq!(s.refused_per_day, 2);
        assert_eq!(s.set("refused=maybe"), Err(ReviewError::BadOnOff));
        assert_eq!(s.set("sample=12"), Ok(()));
        assert_eq!(s.sample_per_user_month, 12);
    }
}

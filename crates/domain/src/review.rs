//! The log review (HSLF-FS 2016:40 4 kap. 9 §, IMY's guidance on systematic log follow-up):
//! rules the association sets, a random sample drawn from a recorded seed, and a verdict per
//! finding or sampled entry. Pure: the service streams the audit log through [`engine`] and
//! [`sample`], and keeps what they find.

pub mod engine;
pub mod sample;
mod settings;
pub mod time;

pub use settings::{ReviewSettings, SETTING_KEYS};

use super::date::days;
use super::ids::{AssociationId, ReviewItemId, ReviewRunId, UserId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A review rule. Each finds entries a reviewer should look at; none says an access was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RuleKind {
    /// Personal data viewed or changed outside office hours (Swedish time) or on a weekend.
    OffHours,
    /// One user opening more than N participants in a day.
    ManyParticipants,
    /// A user opening a participant who shares the user's surname.
    SharedSurname,
    /// Look-ups by personnummer that matched no one, N or more by one user in a day.
    UnmatchedLookups,
    /// Refused accesses and refused sign-ins (N or more by one user in a day).
    Refused,
    /// Opening a participation that ended more than N days before.
    OldParticipation,
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::OffHours,
        RuleKind::ManyParticipants,
        RuleKind::SharedSurname,
        RuleKind::UnmatchedLookups,
        RuleKind::Refused,
        RuleKind::OldParticipation,
    ];

    /// Stable key for the command line and exports.
    pub fn key(self) -> &'static str {
        match self {
            RuleKind::OffHours => "off-hours",
            RuleKind::ManyParticipants => "many-participants",
            RuleKind::SharedSurname => "shared-surname",
            RuleKind::UnmatchedLookups => "unmatched-lookups",
            RuleKind::Refused => "refused",
            RuleKind::OldParticipation => "old-participation",
        }
    }

    pub fn from_key(key: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|r| r.key() == key.trim())
    }

    /// A short name.
    pub fn name(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (RuleKind::OffHours, false) => "Outside office hours",
            (RuleKind::OffHours, true) => "Utanför kontorstid",
            (RuleKind::ManyParticipants, false) => "Many participants in a day",
            (RuleKind::ManyParticipants, true) => "Många deltagare på en dag",
            (RuleKind::SharedSurname, false) => "Shared surname",
            (RuleKind::SharedSurname, true) => "Samma efternamn",
            (RuleKind::UnmatchedLookups, false) => "Look-ups without a match",
            (RuleKind::UnmatchedLookups, true) => "Sökningar utan träff",
            (RuleKind::Refused, false) => "Refused access or sign-in",
            (RuleKind::Refused, true) => "Nekad åtkomst eller inloggning",
            (RuleKind::OldParticipation, false) => "Long-ended participation opened",
            (RuleKind::OldParticipation, true) => "Sedan länge avslutat deltagande öppnat",
        }
    }

    /// What the rule looks for, with the association's parameters filled in.
    pub fn description(self, s: &ReviewSettings, swedish: bool) -> String {
        match (self, swedish) {
            (RuleKind::OffHours, false) => format!(
                "personal data viewed or changed before {:02}:00 or from {:02}:00 Swedish time{}",
                s.office_start_hour,
                s.office_end_hour,
                if s.weekends_off { ", or on a weekend" } else { "" }
            ),
            (RuleKind::OffHours, true) => format!(
                "personuppgifter visade eller ändrade före {:02}.00 eller från {:02}.00 svensk tid{}",
                s.office_start_hour,
                s.office_end_hour,
                if s.weekends_off { ", eller en helgdag" } else { "" }
            ),
            (RuleKind::ManyParticipants, false) => format!(
                "one user opened more than {} different participants in a day",
                s.max_participants_per_day
            ),
            (RuleKind::ManyParticipants, true) => format!(
                "en användare öppnade fler än {} olika deltagare på en dag",
                s.max_participants_per_day
            ),
            (RuleKind::SharedSurname, false) => {
                "a user opened a participant with the user's own surname (compared inside the register; shown only as pseudonyms)".to_owned()
            }
            (RuleKind::SharedSurname, true) => {
                "en användare öppnade en deltagare med samma efternamn som användaren (jämförs inne i registret; visas bara som pseudonymer)".to_owned()
            }
            (RuleKind::UnmatchedLookups, false) => format!(
                "{} or more personnummer look-ups without a match by one user in a day",
                s.unmatched_lookups_per_day
            ),
            (RuleKind::UnmatchedLookups, true) => format!(
                "{} eller fler personnummersökningar utan träff av en användare på en dag",
                s.unmatched_lookups_per_day
            ),
            (RuleKind::Refused, false) => format!(
                "{} or more refused accesses, sign-ins or unlock codes by one user in a day",
                s.refused_per_day
            ),
            (RuleKind::Refused, true) => format!(
                "{} eller fler nekade åtkomster, inloggningar eller upplåsningskoder av en användare på en dag",
                s.refused_per_day
            ),
            (RuleKind::OldParticipation, false) => format!(
                "a participation opened more than {} days after it ended",
                s.old_after_days
            ),
            (RuleKind::OldParticipation, true) => format!(
                "ett deltagande öppnat mer än {} dagar efter att det avslutades",
                s.old_after_days
            ),
        }
    }
}

/// Why a review setting or verdict could not be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error(
        "write a setting as KEY=VALUE: office-hours, weekends, max-participants, lookups-per-day, refused-per-day, old-after-days, sample, or a rule's key with on/off"
    )]
    BadSetting,
    #[error("the value must be a whole number from {lo} to {hi}")]
    BadValue { lo: u32, hi: u32 },
    #[error("office hours are written as FROM-TO in whole hours, e.g. 7-18")]
    BadOfficeHours,
    #[error("weekends is off (outside office hours) or office")]
    BadWeekends,
    #[error("a rule is turned on or off: RULE=on or RULE=off")]
    BadOnOff,
    #[error("the verdict is one of: justified, follow-up, unauthorised")]
    BadVerdict,
    #[error("the period must start on or before its last day")]
    BadPeriod,
}

/// A reviewer's judgement of a finding or a sampled entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VerdictKind {
    /// The access had a reason in the user's work.
    Justified,
    /// Not yet settled: stays open in the queue until a later verdict closes it.
    FollowUp,
    /// The access was not authorised.
    Unauthorised,
}

impl VerdictKind {
    pub const ALL: [VerdictKind; 3] = [
        VerdictKind::Justified,
        VerdictKind::FollowUp,
        VerdictKind::Unauthorised,
    ];

    pub fn key(self) -> &'static str {
        match self {
            VerdictKind::Justified => "justified",
            VerdictKind::FollowUp => "follow-up",
            VerdictKind::Unauthorised => "unauthorised",
        }
    }

    pub fn parse(text: &str) -> Result<VerdictKind, ReviewError> {
        let t = text.trim().to_lowercase();
        match t.as_str() {
            "justified" | "befogad" => Ok(VerdictKind::Justified),
            "follow-up" | "uppföljning" => Ok(VerdictKind::FollowUp),
            "unauthorised" | "unauthorized" | "obehörig" => Ok(VerdictKind::Unauthorised),
            _ => Err(ReviewError::BadVerdict),
        }
    }

    pub fn label(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (VerdictKind::Justified, false) => "justified",
            (VerdictKind::Justified, true) => "befogad",
            (VerdictKind::FollowUp, false) => "needs follow-up",
            (VerdictKind::FollowUp, true) => "kräver uppföljning",
            (VerdictKind::Unauthorised, false) => "unauthorised",
            (VerdictKind::Unauthorised, true) => "obehörig",
        }
    }

    /// Whether the item stays in the queue after this verdict.
    pub fn keeps_open(self) -> bool {
        self == VerdictKind::FollowUp
    }
}

/// A period of whole days, both inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    #[serde(with = "days")]
    pub from: NaiveDate,
    #[serde(with = "days")]
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, ReviewError> {
        if from > to {
            return Err(ReviewError::BadPeriod);
        }
        Ok(Period { from, to })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// Whether the two periods share a day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} – {}", self.from, self.to)
    }
}

/// What a run did: the rules (with the settings they ran with) or a sample (with its seed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunKind {
    Rules { settings: ReviewSettings },
    Sample { seed: u64, per_user_month: u32 },
}

/// One run of the rules or one sample, as kept for the review record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub id: ReviewRunId,
    pub association: AssociationId,
    pub period: Period,
    pub kind: RunKind,
    pub by: UserId,
    pub at_ms: i64,
    /// The entries of the association in the period that the run looked at.
    pub entries_checked: u64,
    /// The items it put in the queue.
    pub items: u32,
    /// The audit entry that records the run.
    pub audit_seq: u64,
}

/// Where a queue item came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemSource {
    Rule(RuleKind),
    Sample,
}

impl ItemSource {
    pub fn label(self, swedish: bool) -> &'static str {
        match self {
            ItemSource::Rule(r) => r.name(swedish),
            ItemSource::Sample if swedish => "Stickprov",
            ItemSource::Sample => "Random sample",
        }
    }
}

/// A finding of a rule, or one sampled entry: what the reviewer judges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ReviewItemId,
    pub run: ReviewRunId,
    pub association: AssociationId,
    pub source: ItemSource,
    /// The user whose entries these are (`None`: a refused sign-in of nobody known).
    pub user: Option<UserId>,
    #[serde(with = "days")]
    pub day: NaiveDate,
    /// The audit entries it links to (at most [`engine::MAX_LINKED`]).
    pub entries: Vec<u64>,
    /// How many entries matched (more than `entries` holds when the finding was large).
    pub matched: u32,
}

/// A verdict on an item. A changed verdict is a new one; the older ones are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub item: ReviewItemId,
    pub kind: VerdictKind,
    pub comment: String,
    pub reviewer: UserId,
    pub at_ms: i64,
    /// The audit entry that records it.
    pub audit_seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_parse_in_both_languages() {
        for v in VerdictKind::ALL {
            assert_eq!(VerdictKind::parse(v.key()), Ok(v));
        }
        assert_eq!(
            VerdictKind::parse("obehörig"),
            Ok(VerdictKind::Unauthorised)
        );
        assert_eq!(VerdictKind::parse("Uppföljning"), Ok(VerdictKind::FollowUp));
        assert_eq!(VerdictKind::parse("maybe"), Err(ReviewError::BadVerdict));
    }
}

#[cfg(test)]
#[path = "review/engine_tests.rs"]
mod engine_tests;

//! The review rules over a stream of audit entries, oldest first. The state is per user and
//! day and is emptied as the days pass, so a run's memory does not grow with the log's length:
//! only with one day's activity (and with what it finds).

use super::time::{swedish_day, swedish_local};
use super::{Period, ReviewSettings, RuleKind};
use crate::audit::{Action, Entry, lookup_matched_none};
use crate::ids::{Pseudonym, UserId};
use chrono::{Datelike, NaiveDate, Timelike, Weekday};
use std::collections::{HashMap, HashSet};

/// The most entries a finding links to; `matched` counts them all.
pub const MAX_LINKED: usize = 200;

/// What the service found about the participant an entry opened, compared inside the service:
/// whether they share the opening user's surname, and when their participation ended. Never a
/// name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubjectFacts {
    pub shares_surname: bool,
    pub ended_on: Option<NaiveDate>,
}

/// What a rule found: one user's matching entries on one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleKind,
    pub user: Option<UserId>,
    pub day: NaiveDate,
    pub entries: Vec<u64>,
    pub matched: u32,
}

#[derive(Debug, Default)]
struct Group {
    entries: Vec<u64>,
    matched: u32,
    /// The different participants opened (for the many-participants rule only).
    distinct: HashSet<Pseudonym>,
}

type GroupKey = (RuleKind, Option<UserId>, NaiveDate);

/// One run of the rules over a period.
#[derive(Debug)]
pub struct RuleRun {
    settings: ReviewSettings,
    period: Period,
    groups: HashMap<GroupKey, Group>,
    /// The latest day seen: groups of earlier days are settled when a later day begins.
    day: Option<NaiveDate>,
    findings: Vec<Finding>,
    checked: u64,
}

impl RuleRun {
    pub fn new(settings: &ReviewSettings, period: Period) -> RuleRun {
        RuleRun {
            settings: settings.clone(),
            period,
            groups: HashMap::new(),
            day: None,
            findings: Vec::new(),
            checked: 0,
        }
    }

    /// Whether [`Self::feed`] needs the [`SubjectFacts`] of this entry (the service looks them
    /// up only then).
    pub fn needs_facts(&self, e: &Entry) -> bool {
        e.draft.action == Action::ViewParticipant
            && e.draft.subject.is_some()
            && e.draft.user.is_some()
            && (self.settings.enabled(RuleKind::SharedSurname)
                || self.settings.enabled(RuleKind::OldParticipation))
            && self.period.contains(swedish_day(e.at_ms))
    }

    /// Looks at one entry (oldest first; entries outside the period are passed over).
    pub fn feed(&mut self, e: &Entry, facts: Option<SubjectFacts>) {
        let day = swedish_day(e.at_ms);
        if !self.period.contains(day) {
            return;
        }
        self.checked += 1;
        if self.day.is_none_or(|d| day > d) {
            self.settle(Some(day));
            self.day = Some(day);
        }
        let d = &e.draft;
        let on = |r: RuleKind| self.settings.enabled(r);
        let mut hits: Vec<RuleKind> = Vec::new();
        if d.user.is_some() && d.action.touches_personal_data() && on(RuleKind::OffHours) {
            let local = swedish_local(e.at_ms);
            let weekend = matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
            let hour = local.hour();
            if (weekend && self.settings.weekends_off)
                || hour < u32::from(self.settings.office_start_hour)
                || hour >= u32::from(self.settings.office_end_hour)
            {
                hits.push(RuleKind::OffHours);
            }
        }
        if d.action == Action::ViewParticipant && d.user.is_some() {
            if on(RuleKind::ManyParticipants) {
                hits.push(RuleKind::ManyParticipants);
            }
            let facts = facts.unwrap_or_default();
            if facts.shares_surname && on(RuleKind::SharedSurname) {
                hits.push(RuleKind::SharedSurname);
            }
            if let Some(end) = facts.ended_on
                && on(RuleKind::OldParticipation)
                && (day - end).num_days() > i64::from(self.settings.old_after_days)
            {
                hits.push(RuleKind::OldParticipation);
            }
        }
        if d.action == Action::LookupPersonnummer
            && d.user.is_some()
            && lookup_matched_none(&d.note)
            && on(RuleKind::UnmatchedLookups)
        {
            hits.push(RuleKind::UnmatchedLookups);
        }
        if matches!(
            d.action,
            Action::LoginFailed | Action::UnlockFailed | Action::AccessRefused
        ) && on(RuleKind::Refused)
        {
            hits.push(RuleKind::Refused);
        }
        for rule in hits {
            let g = self.groups.entry((rule, d.user, day)).or_default();
            g.matched = g.matched.saturating_add(1);
            if g.entries.len() < MAX_LINKED {
                g.entries.push(e.seq);
            }
            if rule == RuleKind::ManyParticipants
                && let Some(s) = d.subject
            {
                g.distinct.insert(s);
            }
        }
    }

    /// Settles the groups of days before `before` (all when `None`) into findings.
    fn settle(&mut self, before: Option<NaiveDate>) {
        let done: Vec<GroupKey> = self
            .groups
            .keys()
            .filter(|k| before.is_none_or(|b| k.2 < b))
            .copied()
            .collect();
        for key in done {
            let Some(g) = self.groups.remove(&key) else {
                continue;
            };
            let s = &self.settings;
            let found = match key.0 {
                RuleKind::ManyParticipants => {
                    g.distinct.len() > s.max_participants_per_day as usize
                }
                RuleKind::UnmatchedLookups => g.matched >= s.unmatched_lookups_per_day,
                RuleKind::Refused => g.matched >= s.refused_per_day,
                RuleKind::OffHours | RuleKind::SharedSurname | RuleKind::OldParticipation => {
                    g.matched >= 1
                }
            };
            if found {
                self.findings.push(Finding {
                    rule: key.0,
                    user: key.1,
                    day: key.2,
                    entries: g.entries,
                    matched: g.matched,
                });
            }
        }
    }

    /// The findings, by day, rule and user, and how many entries of the period were looked at.
    pub fn finish(mut self) -> (Vec<Finding>, u64) {
        self.settle(None);
        self.findings.sort_by_key(|f| (f.day, f.rule, f.user));
        (self.findings, self.checked)
    }

    /// How many user-day groups are open (for the benchmark's and tests' bound on memory).
    pub fn open_groups(&self) -> usize {
        self.groups.len()
    }
}

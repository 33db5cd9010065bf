//! The review rules over a stream of audit entries, oldest first. The state is per user and
//! day and is emptied as the days pass, so a run's memory does not grow with the log's length:
//! only with one day's activity. What it finds is handed out as the days settle
//! ([`RuleRun::take_settled`]), so a caller can keep it elsewhere than in memory.

use super::time::SwedishClock;
use super::{Period, ReviewSettings, RuleKind};
use crate::audit::{Action, Entry, lookup_matched_none};
use crate::ids::{Pseudonym, UserId};
use chrono::{NaiveDate, Weekday};
use rustc_hash::{FxHashMap, FxHashSet};

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
    distinct: FxHashSet<Pseudonym>,
}

type GroupKey = (RuleKind, Option<UserId>, NaiveDate);

/// One run of the rules over a period.
#[derive(Debug)]
pub struct RuleRun {
    settings: ReviewSettings,
    period: Period,
    groups: FxHashMap<GroupKey, Group>,
    /// The day of the last entry: when it changes, groups of days further away are settled.
    day: Option<NaiveDate>,
    /// Findings settled and not yet taken, by day, rule and user.
    findings: Vec<Finding>,
    checked: u64,
    clock: SwedishClock,
}

impl RuleRun {
    pub fn new(settings: &ReviewSettings, period: Period) -> RuleRun {
        RuleRun {
            settings: settings.clone(),
            period,
            groups: FxHashMap::default(),
            day: None,
            findings: Vec::new(),
            checked: 0,
            clock: SwedishClock::default(),
        }
    }

    /// Whether [`Self::feed`] needs the [`SubjectFacts`] of this entry (the service looks them
    /// up only then).
    pub fn needs_facts(&mut self, e: &Entry) -> bool {
        e.draft.action == Action::ViewParticipant
            && e.draft.subject.is_some()
            && e.draft.user.is_some()
            && (self.settings.enabled(RuleKind::SharedSurname)
                || self.settings.enabled(RuleKind::OldParticipation))
            && self.period.contains(self.clock.at(e.at_ms).day)
    }

    /// Looks at one entry (oldest first; entries outside the period are passed over).
    pub fn feed(&mut self, e: &Entry, facts: Option<SubjectFacts>) {
        let local = self.clock.at(e.at_ms);
        let day = local.day;
        if !self.period.contains(day) {
            return;
        }
        self.checked += 1;
        if self.day != Some(day) {
            self.settle(Some(day));
            self.day = Some(day);
        }
        let d = &e.draft;
        let on = |r: RuleKind| self.settings.enabled(r);
        let mut hits: Vec<RuleKind> = Vec::new();
        if d.user.is_some() && d.action.touches_personal_data() && on(RuleKind::OffHours) {
            let weekend = matches!(local.weekday, Weekday::Sat | Weekday::Sun);
            let hour = local.hour;
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

    /// Settles into findings, in the order of day, rule and user, the groups of days more than
    /// a day away from `near` (all when `None`). The log's times only grow, but a clock set back
    /// a little around midnight may still add to yesterday, and one set wrong for a while (a
    /// day in the future) must not keep every later group open: at most three days' groups are
    /// open at a time.
    fn settle(&mut self, near: Option<NaiveDate>) {
        let mut done: Vec<GroupKey> = self
            .groups
            .keys()
            .filter(|k| near.is_none_or(|d| (k.2 - d).num_days().abs() > 1))
            .copied()
            .collect();
        done.sort_by_key(|k| (k.2, k.0, k.1));
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

    /// The findings settled since the last call (days that are over), by day, rule and user.
    pub fn take_settled(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// How many settled findings wait to be taken.
    pub fn settled(&self) -> usize {
        self.findings.len()
    }

    /// The findings not yet taken, by day, rule and user, and how many entries of the period
    /// were looked at.
    pub fn finish(mut self) -> (Vec<Finding>, u64) {
        self.settle(None);
        (self.findings, self.checked)
    }

    /// How many user-day groups are open (for the benchmark's and tests' bound on memory).
    pub fn open_groups(&self) -> usize {
        self.groups.len()
    }
}

//! Follow-up aggregates (domain §9): what one participation adds to the figures the reports
//! read, so the store can keep them in the same write transaction as every change and a report
//! never reads a participation.
//!
//! Two kinds, each per cell = (intervention, month, gender, age group):
//! - [`Outcomes`] of participations registered **out** in the month: end reasons, days in the
//!   intervention, and — for those with answers both in and out — every answer before and after
//!   and the transitions between them (results use the period in which participations *ended*).
//! - [`Starts`] of participations registered **in** in the month: their answers at registration
//!   in (the background uses the period in which participations *started*).
//!
//! Misregistered and protected participations are deleted, so they leave every aggregate with
//! their rows. Anonymous participants and count-only volumes are kept per budget year elsewhere.

use crate::date::Year;
use crate::ids::InterventionId;
use crate::participation::Participation;
use crate::person::Gender;
use crate::questionnaire::{AnswerValue, Answers};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Age groups at registration in (our choice, domain §9): lower bounds in years.
pub const AGE_GROUPS: [u8; 7] = [0, 20, 25, 30, 40, 50, 60];

/// The age group (index into [`AGE_GROUPS`]) of an age in years.
pub fn age_group(age: u8) -> u8 {
    let at = AGE_GROUPS.iter().rposition(|low| age >= *low).unwrap_or(0);
    u8::try_from(at).unwrap_or(0)
}

/// An age group's label: "under 20", "20–24", …, "60 and over".
pub fn age_group_label(group: u8, swedish: bool) -> String {
    let g = usize::from(group);
    let low = AGE_GROUPS.get(g).copied().unwrap_or(0);
    match (g, AGE_GROUPS.get(g + 1)) {
        (0, Some(next)) => format!("under {next}"),
        (_, Some(next)) => format!("{low}–{}", next - 1),
        (_, None) => {
            if swedish {
                format!("{low} och äldre")
            } else {
                format!("{low} and over")
            }
        }
    }
}

/// A month as one number: `year * 12 + (month - 1)`, so ranges of months are ranges of keys.
pub fn month_index(date: NaiveDate) -> i32 {
    date.year() * 12 + i32::try_from(date.month0()).unwrap_or(0)
}

/// The first and last month index of budget year `year`.
pub fn year_months(year: Year) -> (i32, i32) {
    (year * 12, year * 12 + 11)
}

/// Where a participation's contribution is kept: (intervention, month index, gender, age group).
pub type CellKey = (u64, i32, u8, u8);

pub fn gender_code(g: Gender) -> u8 {
    match g {
        Gender::Woman => 0,
        Gender::Man => 1,
    }
}

pub fn gender_of(code: u8) -> Gender {
    if code == 0 {
        Gender::Woman
    } else {
        Gender::Man
    }
}

/// The options an answer names.
fn options(a: &AnswerValue) -> Vec<&str> {
    match a {
        AnswerValue::One(k) => vec![k.as_str()],
        AnswerValue::Many(ks) => ks.iter().map(String::as_str).collect(),
    }
}

/// Participations registered out in one cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    pub ended: u32,
    /// Of those, the ones with answers both in and out (after withdrawn consent there are none
    /// out: they count in `ended` and the end reasons, not before/after).
    pub compared: u32,
    /// End reason key → participations.
    pub end_reasons: BTreeMap<String, u32>,
    /// Days from in to out → participations.
    pub days: BTreeMap<u32, u32>,
    /// (question, option) → (before, after), over the compared participations.
    pub answers: BTreeMap<(String, String), (u32, u32)>,
    /// (question, option before, option after) → participations, over the compared ones.
    pub transitions: BTreeMap<(String, String, String), u32>,
}

/// Participations registered in in one cell, with their answers at registration in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Starts {
    pub started: u32,
    /// (question, option) → participations.
    pub answers: BTreeMap<(String, String), u32>,
}

fn bump<K: Ord>(map: &mut BTreeMap<K, u32>, key: K, delta: i64) {
    let v = map.entry(key).or_default();
    *v = u32::try_from((i64::from(*v) + delta).max(0)).unwrap_or(u32::MAX);
}

fn step(v: &mut u32, delta: i64) {
    *v = u32::try_from((i64::from(*v) + delta).max(0)).unwrap_or(u32::MAX);
}

impl Outcomes {
    /// The contribution of one participation registered out (none while it is registered in).
    pub fn of(p: &Participation) -> Option<(CellKey, Outcomes)> {
        let out = p.out_date?;
        let mut o = Outcomes {
            ended: 1,
            ..Outcomes::default()
        };
        if let Some(r) = p.end_reason {
            o.end_reasons.insert(r.key().to_owned(), 1);
        }
        let days = u32::try_from((out - p.in_date).num_days().max(0)).unwrap_or(u32::MAX);
        o.days.insert(days, 1);
        if let Some(after) = &p.answers_out {
            o.compared = 1;
            o.add_answers(&p.answers_in, after);
        }
        Some((
            (
                p.intervention.0,
                month_index(out),
                gender_code(p.gender),
                age_group(p.age),
            ),
            o,
        ))
    }

    fn add_answers(&mut self, before: &Answers, after: &Answers) {
        for (q, a) in &before.values {
            for opt in options(a) {
                self.answers
                    .entry((q.clone(), opt.to_owned()))
                    .or_default()
                    .0 += 1;
            }
        }
        for (q, a) in &after.values {
            for opt in options(a) {
                self.answers
                    .entry((q.clone(), opt.to_owned()))
                    .or_default()
                    .1 += 1;
            }
            if let Some(b) = before.values.get(q) {
                for from in options(b) {
                    for to in options(a) {
                        *self
                            .transitions
                            .entry((q.clone(), from.to_owned(), to.to_owned()))
                            .or_default() += 1;
                    }
                }
            }
        }
    }

    /// Adds (`sign` 1) or takes off (`sign` -1) another cell's figures; entries that reach zero
    /// go.
    pub fn merge(&mut self, other: &Outcomes, sign: i64) {
        step(&mut self.ended, sign * i64::from(other.ended));
        step(&mut self.compared, sign * i64::from(other.compared));
        for (k, v) in &other.end_reasons {
            bump(&mut self.end_reasons, k.clone(), sign * i64::from(*v));
        }
        for (k, v) in &other.days {
            bump(&mut self.days, *k, sign * i64::from(*v));
        }
        for (k, (b, a)) in &other.answers {
            let e = self.answers.entry(k.clone()).or_default();
            step(&mut e.0, sign * i64::from(*b));
            step(&mut e.1, sign * i64::from(*a));
        }
        for (k, v) in &other.transitions {
            bump(&mut self.transitions, k.clone(), sign * i64::from(*v));
        }
        self.end_reasons.retain(|_, v| *v > 0);
        self.days.retain(|_, v| *v > 0);
        self.answers.retain(|_, (b, a)| *b > 0 || *a > 0);
        self.transitions.retain(|_, v| *v > 0);
    }

    pub fn is_empty(&self) -> bool {
        self.ended == 0 && self.compared == 0 && self.end_reasons.is_empty()
    }
}

impl Starts {
    /// The contribution of one participation at its registration in.
    pub fn of(p: &Participation) -> (CellKey, Starts) {
        let mut s = Starts {
            started: 1,
            answers: BTreeMap::new(),
        };
        for (q, a) in &p.answers_in.values {
            for opt in options(a) {
                s.answers.insert((q.clone(), opt.to_owned()), 1);
            }
        }
        (
            (
                p.intervention.0,
                month_index(p.in_date),
                gender_code(p.gender),
                age_group(p.age),
            ),
            s,
        )
    }

    pub fn merge(&mut self, other: &Starts, sign: i64) {
        step(&mut self.started, sign * i64::from(other.started));
        for (k, v) in &other.answers {
            bump(&mut self.answers, k.clone(), sign * i64::from(*v));
        }
        self.answers.retain(|_, v| *v > 0);
    }

    pub fn is_empty(&self) -> bool {
        self.started == 0
    }
}

/// Every cell of `participations`, summed: what the stored aggregates must equal (the check
/// and the tests recount with it).
pub fn recount<'a>(
    participations: impl IntoIterator<Item = &'a Participation>,
) -> (BTreeMap<CellKey, Outcomes>, BTreeMap<CellKey, Starts>) {
    let mut outcomes: BTreeMap<CellKey, Outcomes> = BTreeMap::new();
    let mut starts: BTreeMap<CellKey, Starts> = BTreeMap::new();
    for p in participations {
        if let Some((k, o)) = Outcomes::of(p) {
            outcomes.entry(k).or_default().merge(&o, 1);
        }
        let (k, s) = Starts::of(p);
        starts.entry(k).or_default().merge(&s, 1);
    }
    (outcomes, starts)
}

/// The cells of intervention `i` as key bounds, for range reads over months `from..=to`.
pub fn cell_range(i: InterventionId, from: i32, to: i32) -> (CellKey, CellKey) {
    ((i.0, from, 0, 0), (i.0, to, u8::MAX, u8::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_cover_every_age_with_their_labels() {
        assert_eq!(age_group(0), 0);
        assert_eq!(age_group(19), 0);
        assert_eq!(age_group(20), 1);
        assert_eq!(age_group(24), 1);
        assert_eq!(age_group(25), 2);
        assert_eq!(age_group(39), 3);
        assert_eq!(age_group(59), 5);
        assert_eq!(age_group(60), 6);
        assert_eq!(age_group(255), 6);
        assert_eq!(age_group_label(0, false), "under 20");
        assert_eq!(age_group_label(3, false), "30–39");
        assert_eq!(age_group_label(6, true), "60 och äldre");
    }

    #[test]
    fn a_month_index_orders_months_across_years() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 15).unwrap_or_default();
        assert!(month_index(d(2025, 12)) + 1 == month_index(d(2026, 1)));
        assert_eq!(
            year_months(2026),
            (month_index(d(2026, 1)), month_index(d(2026, 12)))
        );
    }
}

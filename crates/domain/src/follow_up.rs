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

/// A month written `YYYY-MM` (years 1900–9999), as a month index; `None` when it is not one.
pub fn parse_month(text: &str) -> Option<i32> {
    let (y, m) = text.trim().split_once('-')?;
    let y: i32 = y.trim().parse().ok()?;
    let m: i32 = m.trim().parse().ok()?;
    ((1..=12).contains(&m) && (1900..=9999).contains(&y)).then_some(y * 12 + m - 1)
}

/// A month index written `YYYY-MM`.
pub fn month_text(m: i32) -> String {
    format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
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
fn options(a: &AnswerValue) -> impl Iterator<Item = &str> {
    let (one, many) = match a {
        AnswerValue::One(k) => (Some(k.as_str()), &[][..]),
        AnswerValue::Many(ks) => (None, ks.as_slice()),
    };
    one.into_iter().chain(many.iter().map(String::as_str))
}

/// The code of one option of one question in the aggregates: a 64-bit FNV-1a hash of
/// `question`, a zero byte and `option` — stable across builds and machines, so a cell written
/// today is read the same way later, whatever the catalogue then holds. A report looks its
/// options up by the same code.
pub fn code(question: &str, option: &str) -> u64 {
    code_after(question_hash(question), option)
}

const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// The FNV-1a state after a question's key and the zero byte: [`code`] goes on from it.
fn question_hash(question: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in question.as_bytes().iter().chain(std::iter::once(&0u8)) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

fn code_after(mut h: u64, option: &str) -> u64 {
    for b in option.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Appends (question hash, option code) for every option of an answer set, in question order
/// (the answers are kept sorted by question).
fn push_codes(a: &Answers, out: &mut Vec<(u64, u64)>) {
    for (q, v) in &a.values {
        let qh = question_hash(q);
        for o in options(v) {
            out.push((qh, code_after(qh, o)));
        }
    }
}

/// Participations registered out in one cell. Every list is sorted by its key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    pub ended: u32,
    /// Of those, the ones with answers both in and out (after withdrawn consent there are none
    /// out: they count in `ended` and the end reasons, not before/after).
    pub compared: u32,
    /// (end reason's index in `EndReason::ALL`, participations).
    pub end_reasons: Vec<(u8, u32)>,
    /// (days from in to out, participations).
    pub days: Vec<(u32, u32)>,
    /// (option code, [before, after]) over the compared participations.
    pub answers: Vec<(u64, [u32; 2])>,
    /// ((option code before, option code after) of one question, participations), over the
    /// compared ones.
    pub transitions: Vec<((u64, u64), u32)>,
}

/// Participations registered in in one cell, with their answers at registration in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Starts {
    pub started: u32,
    /// (option code, participations), sorted by code.
    pub answers: Vec<(u64, u32)>,
}

fn step(v: &mut u32, delta: i64) {
    *v = u32::try_from((i64::from(*v) + delta).max(0)).unwrap_or(u32::MAX);
}

/// Merges `from` (times `sign`) into the sorted list `into`, dropping entries that reach zero.
fn merge_sorted<K: Ord + Copy, V: Copy>(
    into: &mut Vec<(K, V)>,
    from: &[(K, V)],
    sign: i64,
    add: impl Fn(&mut V, V, i64),
    zero: impl Fn(&V) -> bool,
    empty: V,
) {
    if from.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(into.len() + from.len());
    let (mut i, mut j) = (0, 0);
    while i < into.len() || j < from.len() {
        let next = match (into.get(i), from.get(j)) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                let mut v = a.1;
                add(&mut v, b.1, sign);
                i += 1;
                j += 1;
                (a.0, v)
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                i += 1;
                *a
            }
            (Some(a), None) => {
                i += 1;
                *a
            }
            (_, Some(b)) => {
                let mut v = empty;
                add(&mut v, b.1, sign);
                j += 1;
                (b.0, v)
            }
            (None, None) => break,
        };
        if !zero(&next.1) {
            out.push(next);
        }
    }
    *into = out;
}

fn add_count(v: &mut u32, by: u32, sign: i64) {
    step(v, sign * i64::from(by));
}

fn add_pair(v: &mut [u32; 2], by: [u32; 2], sign: i64) {
    step(&mut v[0], sign * i64::from(by[0]));
    step(&mut v[1], sign * i64::from(by[1]));
}

/// Sorts `(key, value)` pairs by key and sums the values of equal keys.
fn collect_sorted<K: Ord + Copy, V: Copy>(
    mut v: Vec<(K, V)>,
    add: impl Fn(&mut V, V),
) -> Vec<(K, V)> {
    v.sort_unstable_by_key(|(k, _)| *k);
    let mut out: Vec<(K, V)> = Vec::with_capacity(v.len());
    for (k, val) in v {
        match out.last_mut() {
            Some(last) if last.0 == k => add(&mut last.1, val),
            _ => out.push((k, val)),
        }
    }
    out
}

/// The key of a participation's cell in a month.
fn key_of(p: &Participation, month: NaiveDate) -> CellKey {
    (
        p.intervention.0,
        month_index(month),
        gender_code(p.gender),
        age_group(p.age),
    )
}

impl Outcomes {
    /// The contribution of one participation registered out (none while it is registered in).
    pub fn of(p: &Participation) -> Option<(CellKey, Outcomes)> {
        let out = p.out_date?;
        let mut o = Outcomes {
            ended: 1,
            ..Outcomes::default()
        };
        if let Some(r) = p.end_reason
            && let Some(i) = crate::questionnaire::EndReason::ALL
                .iter()
                .position(|x| *x == r)
        {
            o.end_reasons.push((u8::try_from(i).unwrap_or(u8::MAX), 1));
        }
        let days = u32::try_from((out - p.in_date).num_days().max(0)).unwrap_or(u32::MAX);
        o.days.push((days, 1));
        if let Some(after) = &p.answers_out {
            o.compared = 1;
            o.add_answers(&p.answers_in, after);
        }
        Some((key_of(p, out), o))
    }

    fn add_answers(&mut self, before: &Answers, after: &Answers) {
        let mut answers = Vec::new();
        for (q, a) in &before.values {
            for opt in options(a) {
                answers.push((code(q, opt), [1, 0]));
            }
        }
        let mut transitions = Vec::new();
        for (q, a) in &after.values {
            for opt in options(a) {
                answers.push((code(q, opt), [0, 1]));
            }
            if let Some(b) = before.values.get(q) {
                for from in options(b) {
                    for to in options(a) {
                        transitions.push(((code(q, from), code(q, to)), 1));
                    }
                }
            }
        }
        self.answers = collect_sorted(answers, |v, by| add_pair(v, by, 1));
        self.transitions = collect_sorted(transitions, |v, by| add_count(v, by, 1));
    }

    /// Adds (`sign` 1) or takes off (`sign` -1) another cell's figures; entries that reach zero
    /// go.
    pub fn merge(&mut self, other: &Outcomes, sign: i64) {
        step(&mut self.ended, sign * i64::from(other.ended));
        step(&mut self.compared, sign * i64::from(other.compared));
        merge_sorted(
            &mut self.end_reasons,
            &other.end_reasons,
            sign,
            add_count,
            |v| *v == 0,
            0,
        );
        merge_sorted(&mut self.days, &other.days, sign, add_count, |v| *v == 0, 0);
        merge_sorted(
            &mut self.answers,
            &other.answers,
            sign,
            add_pair,
            |v| *v == [0, 0],
            [0, 0],
        );
        merge_sorted(
            &mut self.transitions,
            &other.transitions,
            sign,
            add_count,
            |v| *v == 0,
            0,
        );
    }

    pub fn is_empty(&self) -> bool {
        self.ended == 0 && self.compared == 0 && self.end_reasons.is_empty()
    }
}

impl Starts {
    /// The contribution of one participation at its registration in.
    pub fn of(p: &Participation) -> (CellKey, Starts) {
        let mut answers = Vec::new();
        for (q, a) in &p.answers_in.values {
            for opt in options(a) {
                answers.push((code(q, opt), 1));
            }
        }
        (
            key_of(p, p.in_date),
            Starts {
                started: 1,
                answers: collect_sorted(answers, |v, by| add_count(v, by, 1)),
            },
        )
    }

    pub fn merge(&mut self, other: &Starts, sign: i64) {
        step(&mut self.started, sign * i64::from(other.started));
        merge_sorted(
            &mut self.answers,
            &other.answers,
            sign,
            add_count,
            |v| *v == 0,
            0,
        );
    }

    pub fn is_empty(&self) -> bool {
        self.started == 0
    }
}

mod tally;

pub use tally::{Cells, CodeMap, MixHasher, Sums, Tally, recount, year_key};

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
    fn a_month_is_written_yyyy_mm_and_read_back() {
        assert_eq!(parse_month("2026-03"), Some(2026 * 12 + 2));
        assert_eq!(parse_month(" 2025-12 "), Some(2025 * 12 + 11));
        for bad in [
            "2026-13",
            "2026-0",
            "2026",
            "26-03",
            "2026-03-01",
            "",
            "abcd-ef",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(month_text(2026 * 12 + 2), "2026-03");
        assert_eq!(
            parse_month(&month_text(2024 * 12 + 11)),
            Some(2024 * 12 + 11)
        );
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

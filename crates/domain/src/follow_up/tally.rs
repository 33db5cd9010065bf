//! Summing many participations at once (an import, a migration, the check): hash maps per
//! cell, sorted once at the end, and the per-year roll-ups of the outcomes.

use super::{CellKey, Outcomes, Starts, key_of, push_codes};
use crate::participation::Participation;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A hasher for keys that are already well mixed (option codes are FNV hashes; days and
/// reason indexes are small): one multiply per word instead of SipHash.
#[derive(Debug, Default, Clone, Copy)]
pub struct MixHasher(u64);

impl std::hash::Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(29) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A hash map keyed by codes, days or small numbers.
pub type CodeMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<MixHasher>>;

/// Sums many participations' contributions per cell (an import, a migration, the check), in
/// hash maps, and sorts each cell once at the end. Besides the monthly cells it rolls the
/// outcomes up per budget year ([`year_key`]).
#[derive(Debug, Default)]
pub struct Tally {
    outcomes: CodeMap<CellKey, Sums>,
    starts: CodeMap<CellKey, (u32, CodeMap<u64, u32>)>,
    /// Scratch: the codes of one participation's answers in and out.
    before: Vec<(u64, u64)>,
    after: Vec<(u64, u64)>,
}

/// One cell's outcomes while they are summed.
#[derive(Debug, Default)]
pub struct Sums {
    pub ended: u32,
    pub compared: u32,
    pub end_reasons: CodeMap<u8, u32>,
    pub days: CodeMap<u32, u32>,
    pub answers: CodeMap<u64, [u32; 2]>,
    pub transitions: CodeMap<(u64, u64), u32>,
}

impl Sums {
    /// Adds a stored cell.
    pub fn add(&mut self, o: &Outcomes) {
        self.ended += o.ended;
        self.compared += o.compared;
        for (k, v) in &o.end_reasons {
            *self.end_reasons.entry(*k).or_default() += v;
        }
        for (k, v) in &o.days {
            *self.days.entry(*k).or_default() += v;
        }
        for (k, [b, a]) in &o.answers {
            let e = self.answers.entry(*k).or_default();
            e[0] += b;
            e[1] += a;
        }
        for (k, v) in &o.transitions {
            *self.transitions.entry(*k).or_default() += v;
        }
    }

    /// Adds one participation registered out, with the codes of its answers in (`before`)
    /// and a buffer for those out.
    fn add_participation(
        &mut self,
        p: &Participation,
        out: NaiveDate,
        before: &[(u64, u64)],
        after: &mut Vec<(u64, u64)>,
    ) {
        self.ended += 1;
        if let Some(r) = p.end_reason
            && let Some(i) = crate::questionnaire::EndReason::ALL
                .iter()
                .position(|x| *x == r)
        {
            *self
                .end_reasons
                .entry(u8::try_from(i).unwrap_or(u8::MAX))
                .or_default() += 1;
        }
        let days = u32::try_from((out - p.in_date).num_days().max(0)).unwrap_or(u32::MAX);
        *self.days.entry(days).or_default() += 1;
        let Some(answers_out) = &p.answers_out else {
            return;
        };
        self.compared += 1;
        after.clear();
        push_codes(answers_out, after);
        for (_, c) in before {
            self.answers.entry(*c).or_default()[0] += 1;
        }
        for (_, c) in after.iter() {
            self.answers.entry(*c).or_default()[1] += 1;
        }
        // Pair each question's options after with its options before (each question's
        // options are adjacent in both lists).
        let mut j = 0;
        while j < after.len() {
            let q = after[j].0;
            let j_end = j + after[j..].iter().take_while(|(x, _)| *x == q).count();
            if let Some(i) = before.iter().position(|(x, _)| *x == q) {
                let i_end = i + before[i..].iter().take_while(|(x, _)| *x == q).count();
                for (_, f) in &before[i..i_end] {
                    for (_, t) in &after[j..j_end] {
                        *self.transitions.entry((*f, *t)).or_default() += 1;
                    }
                }
            }
            j = j_end;
        }
    }

    /// The summed cell, its lists sorted.
    pub fn into_outcomes(self) -> Outcomes {
        fn sorted<K: Ord + Copy, V: Copy>(m: CodeMap<K, V>) -> Vec<(K, V)> {
            let mut v: Vec<(K, V)> = m.into_iter().collect();
            v.sort_unstable_by_key(|(k, _)| *k);
            v
        }
        let mut answers = sorted(self.answers);
        answers.retain(|(_, v)| *v != [0, 0]);
        let mut transitions = sorted(self.transitions);
        transitions.retain(|(_, v)| *v != 0);
        Outcomes {
            ended: self.ended,
            compared: self.compared,
            end_reasons: sorted(self.end_reasons),
            days: sorted(self.days),
            answers,
            transitions,
        }
    }
}

/// The key of the budget-year roll-up of a monthly cell: the month index replaced by the year.
pub fn year_key(k: CellKey) -> CellKey {
    (k.0, k.1.div_euclid(12), k.2, k.3)
}

/// Summed cells: the monthly outcomes, their budget-year roll-ups, and the monthly starts.
pub type Cells = (
    BTreeMap<CellKey, Outcomes>,
    BTreeMap<CellKey, Outcomes>,
    BTreeMap<CellKey, Starts>,
);

impl Tally {
    pub fn add(&mut self, p: &Participation) {
        self.before.clear();
        push_codes(&p.answers_in, &mut self.before);
        if let Some(out) = p.out_date {
            self.outcomes
                .entry(key_of(p, out))
                .or_default()
                .add_participation(p, out, &self.before, &mut self.after);
        }
        let e = self.starts.entry(key_of(p, p.in_date)).or_default();
        e.0 += 1;
        for (_, c) in &self.before {
            *e.1.entry(*c).or_default() += 1;
        }
    }

    /// The cells, each summed and sorted, and the outcomes' budget-year roll-ups.
    pub fn cells(self) -> Cells {
        let mut years: CodeMap<CellKey, Sums> = CodeMap::default();
        let mut outcomes = BTreeMap::new();
        for (k, sums) in self.outcomes {
            let o = sums.into_outcomes();
            years.entry(year_key(k)).or_default().add(&o);
            outcomes.insert(k, o);
        }
        let years = years
            .into_iter()
            .map(|(k, s)| (k, s.into_outcomes()))
            .collect();
        let starts = self
            .starts
            .into_iter()
            .map(|(k, (started, answers))| {
                let mut answers: Vec<(u64, u32)> = answers.into_iter().collect();
                answers.sort_unstable_by_key(|(c, _)| *c);
                (k, Starts { started, answers })
            })
            .collect();
        (outcomes, years, starts)
    }
}

/// Every cell of `participations`, summed: what the stored aggregates must equal (the check
/// and the tests recount with it).
pub fn recount<'a>(participations: impl IntoIterator<Item = &'a Participation>) -> Cells {
    let mut t = Tally::default();
    for p in participations {
        t.add(p);
    }
    t.cells()
}

//! The random sample of a log review: for each user and month, the `per` entries (views or
//! changes of personal data) whose score is lowest, the score a mix of the seed and the entry's
//! sequence number. The same seed draws the same entries; anyone holding the seed can redraw
//! the sample and see that it was not picked by hand. Memory: `per` entries per user and month.

use super::Period;
use super::time::SwedishClock;
use crate::audit::Entry;
use crate::ids::UserId;
use chrono::{Datelike, NaiveDate};
use std::collections::{BinaryHeap, HashMap};

/// One sampled entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sampled {
    pub user: UserId,
    pub day: NaiveDate,
    pub seq: u64,
}

/// SplitMix64's finaliser: a fixed, well-mixed permutation of 64-bit values.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The score of entry `seq` under `seed`.
pub fn score(seed: u64, seq: u64) -> u64 {
    mix(seed ^ mix(seq))
}

/// Whether an entry can be sampled: a view or change of personal data by a user.
pub fn eligible(e: &Entry) -> bool {
    e.draft.user.is_some() && e.draft.action.touches_personal_data()
}

/// The lowest scores kept for one user and month: (score, sequence number, day), highest on top.
type Kept = BinaryHeap<(u64, u64, NaiveDate)>;

/// A sample being drawn.
#[derive(Debug)]
pub struct SampleDraw {
    seed: u64,
    per: usize,
    period: Period,
    /// (user, year, month) → the lowest scores so far.
    kept: HashMap<(UserId, i32, u32), Kept>,
    checked: u64,
    clock: SwedishClock,
}

impl SampleDraw {
    pub fn new(seed: u64, per_user_month: u32, period: Period) -> SampleDraw {
        SampleDraw {
            seed,
            per: per_user_month as usize,
            period,
            kept: HashMap::new(),
            checked: 0,
            clock: SwedishClock::default(),
        }
    }

    pub fn feed(&mut self, e: &Entry) {
        let day = self.clock.at(e.at_ms).day;
        if !self.period.contains(day) {
            return;
        }
        self.checked += 1;
        let Some(user) = e.draft.user.filter(|_| eligible(e)) else {
            return;
        };
        if self.per == 0 {
            return;
        }
        let heap = self
            .kept
            .entry((user, day.year(), day.month()))
            .or_default();
        heap.push((score(self.seed, e.seq), e.seq, day));
        if heap.len() > self.per {
            heap.pop();
        }
    }

    /// The sampled entries in log order, and how many entries of the period were looked at.
    pub fn finish(self) -> (Vec<Sampled>, u64) {
        let mut out: Vec<Sampled> = self
            .kept
            .into_iter()
            .flat_map(|((user, _, _), heap)| {
                heap.into_iter()
                    .map(move |(_, seq, day)| Sampled { user, day, seq })
            })
            .collect();
        out.sort_by_key(|s| s.seq);
        (out, self.checked)
    }
}

//! Aggregates: what every role may see about an intervention.

use super::anonymous::AnonymousCount;
use super::participation::State;
use super::person::Gender;
use serde::{Deserialize, Serialize};

/// Stored counters of one intervention, kept up to date in the same transaction as every change,
/// so that lists show counts without scanning participations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Identified participations currently registered in.
    pub open: u64,
    /// Identified participations registered out.
    pub ended: u64,
    /// Identified participations, women (open or ended).
    pub women: u64,
    /// Identified participations, men (open or ended).
    pub men: u64,
    /// Anonymous participants, all years.
    pub anonymous: AnonymousCount,
}

impl Counters {
    /// Counts a participation in `state` of a `gender` in.
    pub fn count_in(&mut self, state: State, gender: Gender) {
        match state {
            State::RegisteredIn => self.open += 1,
            State::RegisteredOut => self.ended += 1,
        }
        match gender {
            Gender::Woman => self.women += 1,
            Gender::Man => self.men += 1,
        }
    }

    /// Takes a participation counted in by [`Counters::count_in`] off again.
    pub fn count_out(&mut self, state: State, gender: Gender) {
        match state {
            State::RegisteredIn => self.open = self.open.saturating_sub(1),
            State::RegisteredOut => self.ended = self.ended.saturating_sub(1),
        }
        match gender {
            Gender::Woman => self.women = self.women.saturating_sub(1),
            Gender::Man => self.men = self.men.saturating_sub(1),
        }
    }

    pub fn identified(self) -> u64 {
        self.open + self.ended
    }

    pub fn total(self) -> u64 {
        self.identified() + u64::from(self.anonymous.total())
    }
}

/// Identified participations of an intervention that started (in-date) or ended (out-date) in
/// one budget year, women and men: kept by the store with every change, so follow-up never
/// reads the participations themselves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct YearCounts {
    pub started_women: u32,
    pub started_men: u32,
    pub ended_women: u32,
    pub ended_men: u32,
}

impl YearCounts {
    /// Adds (`+1`) or takes off (`-1`) one participation's start or end.
    pub fn count(&mut self, ended: bool, gender: crate::person::Gender, delta: i32) {
        use crate::person::Gender;
        let cell = match (ended, gender) {
            (false, Gender::Woman) => &mut self.started_women,
            (false, Gender::Man) => &mut self.started_men,
            (true, Gender::Woman) => &mut self.ended_women,
            (true, Gender::Man) => &mut self.ended_men,
        };
        *cell = cell.saturating_add_signed(delta);
    }

    pub fn is_empty(&self) -> bool {
        *self == YearCounts::default()
    }
}

/// Identified participations active in `year` (in-date on or before its end, not registered
/// out before its start), women and men, from the per-year counts in year order.
pub fn active_in(years: &[(crate::date::Year, YearCounts)], year: crate::date::Year) -> (u64, u64) {
    let (mut women, mut men) = (0i64, 0i64);
    for (y, c) in years {
        if *y <= year {
            women += i64::from(c.started_women);
            men += i64::from(c.started_men);
        }
        if *y < year {
            women -= i64::from(c.ended_women);
            men -= i64::from(c.ended_men);
        }
    }
    (
        u64::try_from(women).unwrap_or(0),
        u64::try_from(men).unwrap_or(0),
    )
}

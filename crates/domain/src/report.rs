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

//! Aggregates: what every role may see about an intervention.

use super::anonymous::AnonymousCount;
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
    pub fn identified(self) -> u64 {
        self.open + self.ended
    }

    pub fn total(self) -> u64 {
        self.identified() + u64::from(self.anonymous.total())
    }
}

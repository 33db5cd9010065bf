//! Anonymous participants: an intervention, a gender and a start year — nothing else.

use super::person::Gender;
use serde::{Deserialize, Serialize};

/// The anonymous participants of one intervention who started in one year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymousCount {
    pub women: u32,
    pub men: u32,
}

impl AnonymousCount {
    pub fn total(self) -> u32 {
        self.women.saturating_add(self.men)
    }

    /// Adds participants; saturates rather than wrapping.
    #[must_use]
    pub fn add(self, women: u32, men: u32) -> Self {
        Self {
            women: self.women.saturating_add(women),
            men: self.men.saturating_add(men),
        }
    }

    /// One more participant of the given gender (protected identity turning a participation anonymous).
    #[must_use]
    pub fn add_one(self, gender: Gender) -> Self {
        match gender {
            Gender::Woman => self.add(1, 0),
            Gender::Man => self.add(0, 1),
        }
    }
}

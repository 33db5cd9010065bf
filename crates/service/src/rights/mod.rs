//! Data-subject rights (domain.md §5) and the log reviewer's reveal (§2): the extract
//! (registerutdrag), the correction of an identity, and revealing who is behind a pseudonym.
//! Retention (gallring) is in [`super::retention`].
//!
//! Each is a logged request: its audit entry is written in the write transaction that reads or
//! changes the data, and names the person by pseudonym only. The stated reason goes into the
//! entry's note (see [`super::reason`] for why that is safe enough).
//!
//! The extract is in `extract`, with where a person's records are (which every request about
//! them is logged under); the correction in `correction`; the reveal in `reveal`.

mod correction;
mod extract;
mod reveal;

pub use extract::{Extract, ExtractConsent, ExtractEvent, ExtractParticipation};
pub use reveal::Revealed;

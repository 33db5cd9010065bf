//! Administration: setting up, associations and interventions (`setup`); users and their SSH
//! keys (`users`); assignments and monthly volumes (`assignments`).

mod assignments;
mod setup;
mod users;

pub(crate) use setup::system_draft;
pub use setup::{AssociationInput, InitInput, InterventionInput};

//! Administration: setting up, associations and interventions (`setup`); users and their SSH
//! keys (`users`); assignments (`assignments`); keeping interventions: edits, ends, year plans
//! and count-only volumes (`interventions`); an association's own settings (`association`).

mod assignments;
mod association;
mod interventions;
mod setup;
mod users;

pub use association::AssociationEdit;
pub use interventions::{InterventionEdit, PlanInput, VolumeInput, parse_year};
pub(crate) use setup::system_draft;
pub use setup::{AssociationInput, InitInput, InterventionInput};

//! The flows' forms: which fields each has, how each field is checked as it is typed, and how
//! the filled form becomes the service's input. The service checks everything again: the form
//! only spares the user a round trip.

mod anonymous;
mod association;
mod checks;
mod consent;
mod keeping;
mod registration;
mod report;
mod verdict;

pub use anonymous::{anonymous, anonymous_input};
pub use association::{association, association_edit};
pub use consent::{consent, consent_inputs};
pub use keeping::{edit_intervention, intervention_edit, plan, plan_input, volume, volume_input};
pub use registration::{
    correct, corrected_answers, register_in, register_in_input, register_out, register_out_input,
    registration_input,
};
pub use report::{report_filter, report_filter_input};
pub use verdict::{verdict, verdict_input};

//! The participation state machine: registered in → registered out; misregistration → erased;
//! protected identity → one anonymous participant; consent withdrawn → no new personal data.
//!
//! Every transition is a pure function of the current record, the command and the facts the
//! service gathered; it returns the new state and what the audit entry must say, or a typed
//! [`Refusal`].

mod record;
mod refusal;
mod rules;

pub use record::{Occasion, Participation, ParticipationSummary, State};
pub use refusal::Refusal;
pub use rules::{
    Change, Command, Facts, MAX_ANONYMOUS_AT_ONCE, Outcome, RegisterIn, apply, check_anonymous,
    register_in,
};

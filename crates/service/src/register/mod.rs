//! Commands of a participant handler: consent, registration in and out, corrections,
//! withdrawal, protected identity, misregistration, anonymous participants.
//!
//! Each command first reads and checks everything (a refusal writes nothing), then writes the
//! change and its audit entry. The `*_in` variants work inside a caller's write transaction, so
//! several commands can be committed together and each keeps its own refusal.
//!
//! Consent and the person record are in `consent`, registration in and anonymous participants
//! in `entry`, the commands on a registered participation in `changes`, and the erasure they
//! (and retention) end in in `erasure`.

mod changes;
mod consent;
mod entry;
mod erasure;

pub use consent::{ConsentInput, IdentityInput};
pub use entry::{NewRegistration, RegisterInInput};
pub(crate) use erasure::{anonymise, delete_person_if_unreferenced};

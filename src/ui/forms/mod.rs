//! Forms for the register's flows.

pub mod build;
mod field;
mod form;

pub use field::{Check, Choice, Field, Kind};
pub use form::{Form, Purpose, dialog_area};

use super::action::Action;

/// The keys a form's hint line shows (from the `form` context of the keymap).
pub const FOOTER: &[Action] = &[
    Action::Advance,
    Action::Submit,
    Action::NextField,
    Action::Toggle,
    Action::Cancel,
];

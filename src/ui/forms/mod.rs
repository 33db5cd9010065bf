//! Forms for the register's flows.

pub mod build;
mod field;
mod form;

pub use field::{Check, Choice, Field, Kind};
pub use form::{Form, Purpose, dialog_area};

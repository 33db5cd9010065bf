//! The terminal UI: a model of one session's screen (`app`), keys to actions (`keymap`,
//! `update`), the register's flows (`flows`, `forms`), and drawing (`view`, `panes`,
//! `overlays`). It calls the service for everything; a rule enforced only here is a bug.

pub mod action;
pub mod app;
pub mod commands;
mod consents;
mod dialogs;
mod flows;
pub mod forms;
pub mod i18n;
mod information;
mod keeping;
pub mod keymap;
mod lists;
mod overlays;
mod panes;
mod reports;
mod review;
mod revoke;
pub mod screenshot;
pub mod theme;
pub mod unlock;
mod update;
pub mod view;
mod window;

pub use app::{App, Options, Pane};

/// `Debug` for screen state that may hold personal data or closures: the type name only, so
/// nothing personal can reach a log or a panic message through it.
macro_rules! opaque_debug {
    ($($t:ty),* $(,)?) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { .. }"))
            }
        }
    )*};
}

opaque_debug!(
    app::Confirm,
    app::Consents,
    app::ReportView,
    app::Lookup,
    app::Overlay,
    app::Participants,
    unlock::LockState,
    unlock::CodeForm,
    app::App,
    forms::Kind,
    forms::Field,
    forms::Form,
);

impl<T> std::fmt::Debug for app::Window<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Window")
            .field("rows", &self.rows.len())
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

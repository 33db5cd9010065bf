//! Dialogs over the panes, one file each: help (from the keymap and the commands of where the
//! user is), confirmations, the personnummer look-up, one participant's record, the role switch
//! and the lock screen. Each names the keymap context its keys are read in ([`context`]); the
//! participant record offers the participant commands (see `commands.rs`).

mod confirm;
mod consents;
mod detail;
mod help;
mod information;
mod lock;
mod lookup;
mod report;
mod review;
mod roles;

pub use confirm::confirm;
pub use consents::consents;
pub use detail::detail;
pub use help::help;
pub use information::information;
pub use lock::{code_form, lock};
pub use lookup::lookup;
pub use report::report;
pub use review::review;
pub use roles::roles;

use crate::ui::app::{App, Overlay};
use crate::ui::forms::dialog_area;
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Clear;

/// The keymap context in which `overlay` reads its keys.
pub fn context(overlay: &Overlay) -> Context {
    match overlay {
        Overlay::Help { .. } => Context::Help,
        Overlay::Form(_) | Overlay::UnlockCode(_) => Context::Form,
        Overlay::Confirm(_) | Overlay::Lookup(_) | Overlay::Roles { .. } => Context::Confirm,
        Overlay::Consents(_) => Context::Consents,
        Overlay::Report(_) => Context::Report,
        Overlay::Information(v) => match v.shown {
            crate::ui::app::Shown::Participant => Context::Information,
            crate::ui::app::Shown::Record(_) => Context::Record,
        },
        Overlay::Review(_) => Context::Review,
        // The record offers the participant commands.
        Overlay::Detail(..) => Context::Participants,
    }
}

pub(super) fn frame(f: &mut Frame, area: Rect, app: &App, title: &str, max_w: u16) -> Rect {
    let area = dialog_area(area, max_w);
    f.render_widget(Clear, area);
    let block = app.opts.theme.dialog(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word stands on a
/// line of its own), so a reason is never cut off.
pub(super) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

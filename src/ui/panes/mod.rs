//! The panes, each a component in a file of its own: it names its keymap context, declares its
//! commands with whether this user can run them here and now (role, state, selection), and
//! draws itself from the window of rows the model holds. The footer and help are made from the
//! declarations, so they show what this user can do. To add a pane: a file here, one line in
//! [`PANES`], a variant of [`Pane`], and its keymap section.

mod audit;
mod interventions;
mod participants;

pub use participants::participant_commands;

use crate::ui::action::Action;
use crate::ui::app::{App, Pane};
use crate::ui::commands::CommandInfo;
use crate::ui::i18n::{Lang, sv};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;

/// A pane of the main screen.
pub trait PaneView: Sync {
    /// Which pane it is (the model's focus names it).
    fn pane(&self) -> Pane;
    /// The keymap context its keys are bound in.
    fn context(&self) -> Context;
    /// Its commands, each enabled or with the reason it is not.
    fn commands(&self, app: &App) -> Vec<CommandInfo>;
    /// The commands its footer shows (when enabled), most used first.
    fn footer(&self) -> &'static [Action];
    /// Whether the footer keeps `action` in its place, greyed, while the chosen row does not
    /// allow it (though the user's role would): moving the selection then does not shift the
    /// rest of the footer, and a remote terminal is sent a few cells instead of the whole line.
    fn keeps_slot(&self, _action: Action, _app: &App) -> bool {
        false
    }
    fn draw(&self, f: &mut Frame, area: Rect, app: &App);
}

/// Every pane, in the order Tab visits them.
pub const PANES: [&dyn PaneView; 3] = [
    &interventions::Interventions,
    &participants::Participants,
    &audit::Audit,
];

/// The component of `pane`.
pub fn of(pane: Pane) -> &'static dyn PaneView {
    PANES
        .iter()
        .copied()
        .find(|p| p.pane() == pane)
        .unwrap_or(PANES[0])
}

/// The pane after (or before) `pane` in Tab order, wrapping round.
pub fn step(pane: Pane, forward: bool) -> Pane {
    let n = PANES.len();
    let at = PANES.iter().position(|p| p.pane() == pane).unwrap_or(0);
    let to = if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    };
    PANES[to].pane()
}

/// The first row to show so that `selected` (a position among `len`) stays in view.
pub(super) fn scroll_start(selected: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    selected.saturating_sub(height / 2).min(len - height)
}

/// A key for "the same list and window": a scroll only happens within one.
pub(super) fn list_key(parts: &[u64], filter: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    filter.hash(&mut h);
    h.finish()
}

pub(super) fn marker(selected: bool) -> &'static str {
    if selected { ">" } else { " " }
}

/// The status line's left part: who, in which role, where.
pub fn identity_line(app: &App, association: bool) -> String {
    let lang: Lang = app.lang();
    let user = app.session.user();
    let mut s = format!(
        "{} ({})",
        user.display_name,
        app.session.role().label(sv(lang))
    );
    if let Some(a) = app.association.as_ref().filter(|_| association) {
        s.push_str(" · ");
        s.push_str(a);
    }
    s
}

/// `text` in at most `width` characters: cut, it ends in "…" so a reader knows there is more.
pub(crate) fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

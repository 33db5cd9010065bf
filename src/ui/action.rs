//! What a key can do: every action of the terminal UI, named as keymap files name them.

use serde::Deserialize;

/// An action a key runs. Keymap files name them in snake_case (`run = "register_in"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    Lookup,
    RecordConsent,
    RegisterOut,
    Misregister,
    MarkProtected,
    WithdrawConsent,
    CorrectAnswers,
    RegisterAnonymous,
    ToggleMask,
    Lock,
    SwitchRole,
    Refresh,
    Submit,
    Cancel,
    NextField,
    PrevField,
    Toggle,
    Advance,
}

impl Action {
    pub const ALL: [Action; 31] = [
        Action::Quit,
        Action::Help,
        Action::NextPane,
        Action::PrevPane,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Back,
        Action::Filter,
        Action::Lookup,
        Action::RecordConsent,
        Action::RegisterOut,
        Action::Misregister,
        Action::MarkProtected,
        Action::WithdrawConsent,
        Action::CorrectAnswers,
        Action::RegisterAnonymous,
        Action::ToggleMask,
        Action::Lock,
        Action::SwitchRole,
        Action::Refresh,
        Action::Submit,
        Action::Cancel,
        Action::NextField,
        Action::PrevField,
        Action::Toggle,
        Action::Advance,
    ];

    /// The name keymap files use.
    pub fn key(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Back => "back",
            Action::Filter => "filter",
            Action::Lookup => "lookup",
            Action::RecordConsent => "record_consent",
            Action::RegisterOut => "register_out",
            Action::Misregister => "misregister",
            Action::MarkProtected => "mark_protected",
            Action::WithdrawConsent => "withdraw_consent",
            Action::CorrectAnswers => "correct_answers",
            Action::RegisterAnonymous => "register_anonymous",
            Action::ToggleMask => "toggle_mask",
            Action::Lock => "lock",
            Action::SwitchRole => "switch_role",
            Action::Refresh => "refresh",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Toggle => "toggle",
            Action::Advance => "advance",
        }
    }

    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }
}

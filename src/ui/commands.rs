//! What a user can do where they are: each pane declares its commands (in `panes/`), this file
//! the ones that work everywhere, and [`App::commands`] puts them together with whether each can
//! run now — from the user's role (as the service decides it), the state of the selected row and
//! the selection itself. The footer and help show the enabled ones; a key whose command is
//! disabled answers with the reason.

use super::action::Action;
use super::app::{App, Overlay};
use super::i18n::{Lang, tr};
use super::panes;

/// A command offered here, and why it cannot run now (`None`: it can).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandInfo {
    pub action: Action,
    pub disabled: Option<String>,
}

impl CommandInfo {
    /// A command that can always run here.
    pub fn on(action: Action) -> Self {
        Self {
            action,
            disabled: None,
        }
    }

    /// A command that can run when `check` says so; otherwise its reason.
    pub fn when(action: Action, check: Result<(), String>) -> Self {
        Self {
            action,
            disabled: check.err(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.disabled.is_none()
    }
}

/// Moving in a list: always possible.
pub fn moving(actions: &[Action]) -> impl Iterator<Item = CommandInfo> + '_ {
    actions.iter().copied().map(CommandInfo::on)
}

/// The commands of every pane and the participant record.
fn global(app: &App) -> Vec<CommandInfo> {
    let lang = app.lang();
    let s = &app.session;
    let switch = if s.is_demo() || s.user().roles.len() > 1 {
        Ok(())
    } else {
        Err(tr(lang, "You have only one role", "Du har bara en roll").to_owned())
    };
    vec![
        CommandInfo::on(Action::Help),
        CommandInfo::on(Action::NextPane),
        CommandInfo::on(Action::PrevPane),
        CommandInfo::when(
            Action::Lookup,
            s.require_individuals().map_err(|e| e.message(lang)),
        ),
        CommandInfo::on(Action::Report),
        CommandInfo::on(Action::ToggleMask),
        CommandInfo::on(Action::Lock),
        CommandInfo::on(Action::SetUnlockCode),
        CommandInfo::when(Action::SwitchRole, switch),
        CommandInfo::on(Action::Refresh),
        CommandInfo::on(Action::Quit),
    ]
}

/// Why a key does nothing here: it is bound to nothing in this place.
pub fn unbound(lang: Lang, key: &str) -> String {
    match lang {
        Lang::En => format!("{key} does nothing here; ? shows the keys you can use"),
        Lang::Sv => format!("{key} gör inget här; ? visar de tangenter du kan använda"),
    }
}

impl App {
    /// The commands where the user is — the pane in focus (or the participant record open
    /// over it), then those that work everywhere — each enabled or with its reason.
    pub fn commands(&self) -> Vec<CommandInfo> {
        let mut out = match &self.overlay {
            Some(Overlay::Detail(..)) => panes::participant_commands(self),
            _ => panes::of(self.focus).commands(self),
        };
        out.extend(global(self));
        out
    }

    /// The command `action` runs here, if it is one of this place's.
    pub fn command(&self, action: Action) -> Option<CommandInfo> {
        self.commands().into_iter().find(|c| c.action == action)
    }

    /// The commands the footer shows for the pane in focus, in its order: the enabled ones
    /// (`true`), and those the pane keeps in place, greyed, while the chosen row does not
    /// allow them (`false`).
    pub fn footer_actions(&self) -> Vec<(Action, bool)> {
        let commands = self.commands();
        let pane = panes::of(self.focus);
        pane.footer()
            .iter()
            .filter_map(|&a| {
                let enabled = commands.iter().any(|c| c.action == a && c.enabled());
                (enabled || pane.keeps_slot(a, self)).then_some((a, enabled))
            })
            .collect()
    }
}

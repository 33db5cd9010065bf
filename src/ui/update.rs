//! Keys to actions to changes of the model. The keymap decides what a key means in the focused
//! context; forms and dialogs take typed characters first, so a name can contain any letter.

use super::action::Action;
use super::app::{App, Confirm, ConfirmKind, Lookup, Overlay, Pane, Target};
use super::forms::build;
use super::i18n::tr;
use super::keymap::{Context, Key, When};
use crate::domain::participation::State;
use crate::service::ServiceError;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;
use std::time::Instant;

/// A plain typed character (no Ctrl or Alt).
fn is_typing(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// Keys a one-line text input edits itself.
pub(super) fn is_editing(key: &KeyEvent) -> bool {
    is_typing(key)
        || matches!(
            key.code,
            KeyCode::Backspace
                | KeyCode::Delete
                | KeyCode::Left
                | KeyCode::Right
                | KeyCode::Home
                | KeyCode::End
        )
}

impl App {
    /// The context whose bindings apply now.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(o) => super::overlays::context(o),
            None => super::panes::of(self.focus).context(),
        }
    }

    fn holds(&self) -> impl Fn(When) -> bool + use<> {
        let state = self.selected_state();
        move |w| match w {
            When::RegisteredIn => state == Some(State::RegisteredIn),
            When::RegisteredOut => state == Some(State::RegisteredOut),
        }
    }

    /// Pasted text (bracketed paste) goes to whatever text input is open.
    pub fn on_paste(&mut self, text: &str, now: Instant) {
        self.last_input = now;
        let line = text.lines().next().unwrap_or("");
        if self.locked {
            self.lock_paste(line);
            return;
        }
        match &mut self.overlay {
            Some(Overlay::UnlockCode(_)) => self.code_paste(line),
            Some(Overlay::Form(f)) => f.paste(line),
            Some(Overlay::Lookup(l)) => {
                l.input.insert_str(line);
            }
            Some(Overlay::Confirm(c)) => {
                c.typed.insert_str(line);
            }
            _ => {
                if let Some(t) = &mut self.filtering {
                    t.insert_str(line);
                    self.apply_filter();
                }
            }
        }
    }

    /// One key press.
    pub fn on_key(&mut self, key: KeyEvent, now: Instant) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.last_input = now;
        if self.locked {
            self.lock_key(key);
            return;
        }
        if self.filtering.is_some() {
            self.filter_key(key);
            return;
        }
        let Some(k) = Key::from_event(&key) else {
            // A key no keymap can name (e.g. a media key): only text inputs may use it.
            if let Some(Overlay::Form(f)) = &mut self.overlay {
                f.input(key);
            }
            return;
        };
        match &self.overlay {
            Some(Overlay::Form(_)) => self.form_key(key, k),
            Some(Overlay::Confirm(_)) => self.confirm_key(key, k),
            Some(Overlay::Lookup(_)) => self.lookup_key(key, k),
            Some(Overlay::Consents(_)) => self.consents_key(k),
            Some(Overlay::Report(_)) => self.report_key(k),
            Some(Overlay::Information(_)) => self.information_key(k),
            Some(Overlay::Review(_)) => self.review_key(k),
            Some(Overlay::Roles { .. }) => self.roles_key(k),
            Some(Overlay::UnlockCode(_)) => self.code_key(key, k),
            Some(Overlay::Help { .. }) => {
                let action = self.opts.keymap.resolve(Context::Help, k, |_| false);
                if let Some(Overlay::Help { scroll }) = &mut self.overlay {
                    match action {
                        Some(Action::Back | Action::Help | Action::Cancel) => self.overlay = None,
                        Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                        Some(Action::Down) => *scroll = scroll.saturating_add(1),
                        Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                        Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                        Some(Action::Quit) => self.quit = true,
                        _ => {}
                    }
                }
            }
            Some(Overlay::Detail(..)) | None => self.command_key(k),
        }
    }

    /// A key on a pane or the participant record: runs its command, or says why it cannot
    /// (the command is not for this role, state or selection; or the key is bound to nothing
    /// here). A binding whose `when` does not hold still names its command's reason.
    fn command_key(&mut self, k: Key) {
        let context = self.context();
        let action = self
            .opts
            .keymap
            .resolve(context, k, self.holds())
            .or_else(|| self.opts.keymap.resolve(context, k, |_| true));
        let Some(action) = action else {
            let text = super::commands::unbound(self.lang(), &k.to_string());
            self.refuse(text);
            return;
        };
        match self.command(action).and_then(|c| c.disabled) {
            Some(reason) => self.refuse(reason),
            None => self.run(action),
        }
    }

    /// Runs an action from the panes (or the participant detail).
    pub fn run(&mut self, action: Action) {
        self.status = None;
        let result = match action {
            Action::Quit => {
                self.quit = true;
                Ok(())
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Ok(())
            }
            Action::NextPane | Action::PrevPane => {
                self.focus = super::panes::step(self.focus, action == Action::NextPane);
                Ok(())
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.navigate(action),
            Action::Open => self.open(),
            Action::Back | Action::Cancel => {
                if self.overlay.is_some() {
                    self.overlay = None;
                } else if self.focus != Pane::Interventions {
                    self.focus = Pane::Interventions;
                }
                Ok(())
            }
            Action::Filter => {
                // A new filter starts empty; the one in force stays until the first key.
                self.filtering = Some(TextArea::default());
                Ok(())
            }
            Action::Lookup => {
                self.overlay = Some(Overlay::Lookup(Box::new(Lookup {
                    input: TextArea::default(),
                    hits: None,
                    selected: 0,
                    error: None,
                })));
                Ok(())
            }
            Action::ToggleMask => {
                self.mask = !self.mask;
                let lang = self.lang();
                self.say(if self.mask {
                    tr(
                        lang,
                        "Privacy mask on: names and personnummer hidden",
                        "Integritetsskydd på: namn och personnummer dolda",
                    )
                } else {
                    tr(lang, "Privacy mask off", "Integritetsskydd av")
                });
                Ok(())
            }
            Action::Lock => {
                self.lock_now();
                Ok(())
            }
            Action::SetUnlockCode => {
                self.open_code_form(false);
                Ok(())
            }
            Action::SwitchRole => self.session.switch_targets().map(|targets| {
                let selected = targets
                    .iter()
                    .position(|t| {
                        t.username == self.session.user().username && t.role == self.session.role()
                    })
                    .unwrap_or(0);
                self.overlay = Some(Overlay::Roles { targets, selected });
            }),
            Action::Refresh => self.reload_all(),
            Action::UnusedConsents => self.open_consents(),
            Action::ParticipantInformation => self.open_information(),
            Action::ProcessingRecord => self.open_record(),
            Action::ReviewQueue => self.open_review(),
            Action::Report => self.open_report(),
            Action::EditIntervention
            | Action::SetPlan
            | Action::SetVolume
            | Action::EditAssociation => self.start_keeping(action),
            Action::PrevYear | Action::NextYear => {
                self.year += if action == Action::NextYear { 1 } else { -1 };
                self.load_interventions()
            }
            Action::RecordConsent
            | Action::RegisterOut
            | Action::Misregister
            | Action::MarkProtected
            | Action::WithdrawConsent
            | Action::CorrectAnswers
            | Action::RegisterAnonymous => self.start_flow(action),
            Action::Submit
            | Action::NextField
            | Action::PrevField
            | Action::Toggle
            | Action::Advance
            | Action::UseConsent
            | Action::RemoveConsent
            | Action::NextReport
            | Action::PrevReport
            | Action::ReportGender
            | Action::ReportIntervention
            | Action::ReportAge
            | Action::ReportFilter
            | Action::InformationLanguage
            | Action::JudgeItem
            | Action::ExportInformation
            | Action::ExportReport => Ok(()),
        };
        if let Err(e) = result {
            self.fail(&e);
        }
    }

    fn navigate(&mut self, action: Action) -> Result<(), ServiceError> {
        let page = self.page_rows.get().max(1);
        match self.focus {
            Pane::Interventions => {
                let vis = self.visible_interventions();
                let at = vis
                    .iter()
                    .position(|i| *i == self.int_selected)
                    .unwrap_or(0);
                let to = moved(at, vis.len(), action, page);
                let new = vis.get(to).copied().unwrap_or(0);
                if new != self.int_selected || self.participants.intervention.is_none() {
                    self.int_selected = new;
                    self.participants.list = super::app::Window::default();
                    self.load_participants(None)?;
                }
            }
            Pane::Participants => {
                let vis = self.visible_participants();
                let plan = self
                    .participants
                    .list
                    .plan(&vis, action, page, |r| r.participation.id.0);
                if let Some(before) = self.participants.list.follow(plan) {
                    return self.load_participants(before);
                }
            }
            Pane::Audit => {
                let vis = self.visible_audit();
                let plan = self.audit.plan(&vis, action, page, |e| e.seq);
                if let Some(before) = self.audit.follow(plan) {
                    return self.load_audit(before);
                }
            }
        }
        Ok(())
    }

    /// Enter on a list: an intervention shows its participants; a participant opens (logged).
    fn open(&mut self) -> Result<(), ServiceError> {
        match self.focus {
            Pane::Interventions => {
                self.focus = Pane::Participants;
                Ok(())
            }
            Pane::Participants => {
                let Some(id) = self.selected_participant().map(|r| r.participation.id) else {
                    return Ok(());
                };
                let detail = self.session.open_participant(id)?;
                let questions = self
                    .session
                    .questionnaire(detail.row.participation.intervention)?;
                self.overlay = Some(Overlay::Detail(Box::new(detail), Box::new(questions)));
                self.load_audit(self.audit.this)
            }
            Pane::Audit => Ok(()),
        }
    }

    /// Opens the confirm dialog for a destructive or far-reaching change.
    pub(super) fn ask(
        &mut self,
        kind: ConfirmKind,
        row: &crate::domain::participation::Participation,
        who: crate::domain::person::Identity,
    ) {
        let intervention_name = self
            .selected_intervention()
            .map_or_else(String::new, |v| v.intervention.name.clone());
        let when = match row.out_date {
            Some(out) => format!("{} – {out}", row.in_date),
            None => format!("{} –", row.in_date),
        };
        self.ask_about(
            kind,
            Target::Participation(row.id),
            who,
            intervention_name,
            when,
        );
    }

    /// Opens the confirm dialog for a change to `target`, naming whom it is about.
    pub(super) fn ask_about(
        &mut self,
        kind: ConfirmKind,
        target: Target,
        who: crate::domain::person::Identity,
        intervention_name: String,
        when: String,
    ) {
        // The erasing changes need the word typed; withdrawal erases nothing.
        let word = matches!(
            kind,
            ConfirmKind::Misregister | ConfirmKind::Protected | ConfirmKind::RemoveConsent
        )
        .then(|| tr(self.lang(), "ERASE", "RADERA"));
        self.overlay = Some(Overlay::Confirm(Box::new(Confirm {
            kind,
            target,
            who,
            intervention_name,
            when,
            word,
            typed: TextArea::default(),
            refusal: None,
        })));
    }

    /// Form fields for registering someone in need the questionnaire of the association.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        self.session.service().clock().today()
    }

    pub(super) fn new_consent_form(&mut self) {
        let Some(view) = self.selected_intervention() else {
            return;
        };
        let form = build::consent(
            view.intervention.id,
            &view.intervention.name,
            &self.session.user().display_name,
            self.today(),
            self.lang(),
        );
        self.overlay = Some(Overlay::Form(Box::new(form)));
    }
}

/// Moves a selection within `len` rows.
fn moved(at: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => at.saturating_sub(1),
        Action::Down => (at + 1).min(last),
        Action::PageUp => at.saturating_sub(page),
        Action::PageDown => (at + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => at,
    }
}

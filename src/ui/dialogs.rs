//! Keys in dialogs and the filter line: forms, confirmations, look-up and the role switch.
//! Typed characters go to the text being edited before any binding.

use super::action::Action;
use super::app::{App, Overlay, Pane};
use super::forms::{Kind, Purpose};
use super::keymap::{Context, Key};
use super::update::is_editing;
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    pub(super) fn filter_key(&mut self, key: KeyEvent) {
        let Some(t) = &mut self.filtering else { return };
        match key.code {
            KeyCode::Esc => {
                self.filtering = None;
                self.set_filter(String::new());
            }
            KeyCode::Enter => {
                self.filtering = None;
                if self.focus == Pane::Participants {
                    self.search_participants();
                }
            }
            _ => {
                if is_editing(&key) {
                    t.input(key);
                    self.apply_filter();
                }
            }
        }
    }

    pub(super) fn apply_filter(&mut self) {
        let text = self
            .filtering
            .as_ref()
            .map(|t| t.lines().join(""))
            .unwrap_or_default();
        self.set_filter(text);
    }

    fn set_filter(&mut self, text: String) {
        match self.focus {
            Pane::Interventions => {
                self.int_filter = text;
                if let Some(first) = self.visible_interventions().first()
                    && !self.visible_interventions().contains(&self.int_selected)
                {
                    self.int_selected = *first;
                    self.participants.list = super::app::Window::default();
                    if let Err(e) = self.load_participants(None) {
                        self.fail(&e);
                    }
                }
            }
            Pane::Participants => {
                if text.is_empty() {
                    self.end_participant_search();
                }
                self.participants.list.filter = text;
                if let Some(first) = self.visible_participants().first() {
                    self.participants.list.selected = *first;
                }
            }
            Pane::Audit => {
                self.audit.filter = text;
                if let Some(first) = self.visible_audit().first() {
                    self.audit.selected = *first;
                }
            }
        }
    }

    pub(super) fn form_key(&mut self, key: KeyEvent, k: Key) {
        let Some(Overlay::Form(form)) = &mut self.overlay else {
            return;
        };
        let text_focused = matches!(
            form.fields.get(form.focus).map(|f| &f.kind),
            Some(Kind::Text { .. })
        );
        // Typing into a text field comes before any binding, so every letter can be typed.
        if text_focused && is_editing(&key) && form.input(key) {
            return;
        }
        match self.opts.keymap.resolve_only(Context::Form, k) {
            Some(Action::NextField) => form.next(),
            Some(Action::PrevField) => form.prev(),
            Some(Action::Toggle) => form.toggle(),
            Some(Action::Cancel) if form.purpose == Purpose::ReportFilter => {
                self.cancel_report_filter();
            }
            Some(Action::Cancel) if matches!(form.purpose, Purpose::Verdict { .. }) => {
                self.cancel_verdict();
            }
            Some(Action::Cancel) => self.overlay = None,
            Some(Action::Advance) if !form.is_last() => form.next(),
            Some(Action::Advance | Action::Submit) => self.submit_form(),
            Some(_) => {}
            None => {
                if !form.input(key) {
                    // Lock and mask work everywhere.
                    if let Some(a @ (Action::Lock | Action::ToggleMask)) =
                        self.opts.keymap.resolve(Context::Global, k, |_| false)
                    {
                        self.run(a);
                    }
                }
            }
        }
    }

    pub(super) fn confirm_key(&mut self, key: KeyEvent, k: Key) {
        let Some(Overlay::Confirm(c)) = &mut self.overlay else {
            return;
        };
        if c.word.is_some() && is_editing(&key) {
            c.typed.input(key);
            return;
        }
        match self.opts.keymap.resolve_only(Context::Confirm, k) {
            Some(Action::Submit | Action::Advance) => self.confirm(),
            Some(Action::Cancel | Action::Back) => self.overlay = None,
            _ => {}
        }
    }

    pub(super) fn lookup_key(&mut self, key: KeyEvent, k: Key) {
        let Some(Overlay::Lookup(l)) = &mut self.overlay else {
            return;
        };
        if is_editing(&key) {
            l.input.input(key);
            l.hits = None;
            l.error = None;
            return;
        }
        match (key.code, self.opts.keymap.resolve_only(Context::Confirm, k)) {
            (KeyCode::Up, _) => l.selected = l.selected.saturating_sub(1),
            (KeyCode::Down, _) => {
                let n = l.hits.as_ref().map_or(0, Vec::len);
                l.selected = (l.selected + 1).min(n.saturating_sub(1));
            }
            (_, Some(Action::Submit | Action::Advance)) => self.lookup_enter(),
            (_, Some(Action::Cancel | Action::Back)) => self.overlay = None,
            _ => {}
        }
    }

    pub(super) fn roles_key(&mut self, k: Key) {
        let Some(Overlay::Roles { targets, selected }) = &mut self.overlay else {
            return;
        };
        match (k.code, self.opts.keymap.resolve_only(Context::Confirm, k)) {
            (super::keymap::KeyName::Up, _) => *selected = selected.saturating_sub(1),
            (super::keymap::KeyName::Down, _) => {
                *selected = (*selected + 1).min(targets.len().saturating_sub(1));
            }
            (_, Some(Action::Submit | Action::Advance)) => {
                let Some(target) = targets.get(*selected).cloned() else {
                    return;
                };
                match self.session.switch_to(&target) {
                    Ok(s) => {
                        self.session = s;
                        self.overlay = None;
                        self.participants = super::app::Participants::default();
                        self.audit = super::app::Window::default();
                        self.focus = Pane::Interventions;
                        if let Err(e) = self.reload_all() {
                            self.fail(&e);
                        }
                    }
                    Err(e) => self.fail(&e),
                }
            }
            (_, Some(Action::Cancel | Action::Back)) => self.overlay = None,
            _ => {}
        }
    }
}

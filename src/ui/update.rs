//! Keys to actions to changes of the model. The keymap decides what a key means in the focused
//! context; forms and dialogs take typed characters first, so a name can contain any letter.

use super::action::Action;
use super::app::{App, Confirm, ConfirmKind, Lookup, Overlay, Pane, WINDOW};
use super::forms::{Kind, build};
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
fn is_editing(key: &KeyEvent) -> bool {
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
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Form(_)) => Context::Form,
            Some(Overlay::Confirm(_) | Overlay::Lookup(_) | Overlay::Roles { .. }) => {
                Context::Confirm
            }
            Some(Overlay::Detail(_)) => Context::Participants,
            None => match self.focus {
                Pane::Interventions => Context::Interventions,
                Pane::Participants => Context::Participants,
                Pane::Audit => Context::Audit,
            },
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
        if self.locked {
            return;
        }
        let line = text.lines().next().unwrap_or("");
        match &mut self.overlay {
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
            if key.code == KeyCode::Enter {
                self.locked = false;
            }
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
            Some(Overlay::Roles { .. }) => self.roles_key(k),
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
            Some(Overlay::Detail(_)) | None => {
                let holds = self.holds();
                if let Some(action) = self.opts.keymap.resolve(self.context(), k, holds) {
                    self.run(action);
                }
            }
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
                let order = [Pane::Interventions, Pane::Participants, Pane::Audit];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let step = if action == Action::NextPane { 1 } else { 2 };
                self.focus = order[(i + step) % 3];
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
                let current = match self.focus {
                    Pane::Interventions => self.int_filter.clone(),
                    Pane::Participants => self.participants.list.filter.clone(),
                    Pane::Audit => self.audit.filter.clone(),
                };
                let mut t = TextArea::new(vec![current]);
                t.move_cursor(ratatui_textarea::CursorMove::End);
                self.filtering = Some(t);
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
                self.locked = true;
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
            | Action::Advance => Ok(()),
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
                let list = &self.participants.list;
                let at = vis.iter().position(|i| *i == list.selected).unwrap_or(0);
                // Past the end of the window: the next window from the store.
                if matches!(action, Action::Down | Action::PageDown)
                    && at + 1 >= vis.len()
                    && list.more
                {
                    let next = list.rows.last().map(|r| r.participation.id.0);
                    let this = list.this;
                    self.participants.list.anchors.push(this);
                    self.participants.list.selected = 0;
                    return self.load_participants(next);
                }
                if matches!(action, Action::Up | Action::PageUp)
                    && at == 0
                    && !list.anchors.is_empty()
                {
                    let back = self.participants.list.anchors.pop().flatten();
                    self.participants.list.selected = WINDOW - 1;
                    return self.load_participants(back);
                }
                if action == Action::Top && list.this.is_some() {
                    self.participants.list.anchors.clear();
                    self.participants.list.selected = 0;
                    return self.load_participants(None);
                }
                let to = moved(at, vis.len(), action, page);
                self.participants.list.selected = vis.get(to).copied().unwrap_or(0);
            }
            Pane::Audit => {
                let vis = self.visible_audit();
                let at = vis
                    .iter()
                    .position(|i| *i == self.audit.selected)
                    .unwrap_or(0);
                if matches!(action, Action::Down | Action::PageDown)
                    && at + 1 >= vis.len()
                    && self.audit.more
                {
                    let next = self.audit.rows.last().map(|e| e.seq);
                    self.audit.anchors.push(self.audit.this);
                    self.audit.selected = 0;
                    return self.load_audit(next);
                }
                if matches!(action, Action::Up | Action::PageUp)
                    && at == 0
                    && !self.audit.anchors.is_empty()
                {
                    let back = self.audit.anchors.pop().flatten();
                    self.audit.selected = WINDOW - 1;
                    return self.load_audit(back);
                }
                if action == Action::Top && self.audit.this.is_some() {
                    self.audit.anchors.clear();
                    self.audit.selected = 0;
                    return self.load_audit(None);
                }
                let to = moved(at, vis.len(), action, page);
                self.audit.selected = vis.get(to).copied().unwrap_or(0);
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
                self.overlay = Some(Overlay::Detail(Box::new(detail)));
                self.load_audit(self.audit.this)
            }
            Pane::Audit => Ok(()),
        }
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let Some(t) = &mut self.filtering else { return };
        match key.code {
            KeyCode::Esc => {
                self.filtering = None;
                self.set_filter(String::new());
            }
            KeyCode::Enter => self.filtering = None,
            _ => {
                if is_editing(&key) {
                    t.input(key);
                    self.apply_filter();
                }
            }
        }
    }

    fn apply_filter(&mut self) {
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

    fn form_key(&mut self, key: KeyEvent, k: Key) {
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

    fn confirm_key(&mut self, key: KeyEvent, k: Key) {
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

    fn lookup_key(&mut self, key: KeyEvent, k: Key) {
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

    fn roles_key(&mut self, k: Key) {
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

    /// Opens the confirm dialog for a destructive or far-reaching change.
    pub(super) fn ask(
        &mut self,
        kind: ConfirmKind,
        participation: crate::domain::ids::ParticipationId,
    ) {
        let Some(intervention) = self.participants.intervention else {
            return;
        };
        let word = (kind == ConfirmKind::Misregister).then(|| tr(self.lang(), "ERASE", "RADERA"));
        self.overlay = Some(Overlay::Confirm(Box::new(Confirm {
            kind,
            participation,
            intervention,
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

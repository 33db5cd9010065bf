//! The idle lock and the user's unlock code: the lock opens only with the code (typed masked,
//! checked by the service), three wrong ones in a row end the session, and whatever was open
//! under the lock (an unsaved form) is there as it was. The code is set or changed in a small
//! form of its own; a user without one is asked for one when the screen opens.

use super::action::Action;
use super::app::{App, Overlay};
use super::i18n::Lang;
use super::keymap::{Context, Key};
use crate::domain::unlock::{MAX_UNLOCK_CODE, UnlockCodeError};
use crate::service::{CodeCheck, ServiceError};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What is typed at the lock (never drawn, only counted), and what the last try said.
#[derive(Default)]
pub struct LockState {
    pub typed: String,
    pub message: Option<String>,
    /// Whether the user has an unlock code (read when the screen locked); without one the
    /// lock cannot be opened.
    pub has_code: bool,
}

/// The form that sets or changes the unlock code. Nothing typed here is ever drawn.
#[derive(Default)]
pub struct CodeForm {
    /// The code in force, when one is set (needed to change it).
    pub current: Option<String>,
    pub new: String,
    pub again: String,
    /// The field being typed in: 0 the current code (when asked), then the new one, then again.
    pub focus: usize,
    /// Opened by the screen because the user has no code yet: Esc puts it off.
    pub asked: bool,
    pub refusal: Option<String>,
}

impl CodeForm {
    /// The fields in order.
    pub fn fields(&self) -> Vec<&String> {
        self.current
            .iter()
            .chain([&self.new, &self.again])
            .collect()
    }

    fn focused(&mut self) -> &mut String {
        let skip = usize::from(self.current.is_none());
        match (self.focus + skip, self.current.as_mut()) {
            (0, Some(current)) => current,
            (1, _) => &mut self.new,
            _ => &mut self.again,
        }
    }
}

/// Adds typed text to a code, up to one character past the longest code (so a code that is too
/// long is refused for being too long, never cut short without a word).
fn type_into(code: &mut String, text: &str) {
    for c in text.chars().filter(|c| !c.is_control()) {
        if code.chars().count() > MAX_UNLOCK_CODE {
            break;
        }
        code.push(c);
    }
}

fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

impl App {
    /// Locks the screen: personal data is hidden until the unlock code is typed.
    pub fn lock_now(&mut self) {
        self.locked = true;
        // A failure to read it leaves the lock to be tried; the try says what is wrong.
        let has_code = self.session.has_unlock_code().unwrap_or(true);
        self.lock = super::unlock::LockState {
            has_code,
            ..Default::default()
        };
    }

    /// The key that opens the unlock-code form, as the keymap binds it (for messages).
    pub(super) fn code_key_name(&self) -> String {
        self.opts
            .keymap
            .key_for(Context::Global, Action::SetUnlockCode)
            .map_or_else(|| "set_unlock_code".to_owned(), |k| k.to_string())
    }

    /// A key while the screen is locked.
    pub(super) fn lock_key(&mut self, key: KeyEvent) {
        if let Some(c) = typed_char(&key) {
            type_into(&mut self.lock.typed, &c.to_string());
            return;
        }
        if key.code == KeyCode::Backspace {
            self.lock.typed.pop();
            return;
        }
        let action = Key::from_event(&key)
            .and_then(|k| self.opts.keymap.resolve(Context::Confirm, k, |_| true));
        match action {
            // Enter on nothing typed is no try (and no wrong code), unless there is no code.
            Some(Action::Submit) if self.lock.typed.is_empty() && self.lock.has_code => {}
            Some(Action::Submit) => self.try_unlock(),
            Some(Action::Cancel) => self.lock.typed.clear(),
            _ => {}
        }
    }

    /// Pasted text while locked goes into the code.
    pub(super) fn lock_paste(&mut self, text: &str) {
        type_into(&mut self.lock.typed, text);
    }

    fn try_unlock(&mut self) {
        let lang = self.lang();
        if !self.lock.has_code {
            let key = self.code_key_name();
            self.end_session("no-unlock-code", match lang {
                Lang::En => format!(
                    "The lock cannot be opened without an unlock code, so the session ends. Sign \
                     in again and set your code with {key}."
                ),
                Lang::Sv => format!(
                    "Låset kan inte öppnas utan upplåsningskod, så sessionen avslutas. Logga in \
                     igen och ange din kod med {key}."
                ),
            });
            return;
        }
        let typed = std::mem::take(&mut self.lock.typed);
        match self.session.unlock(&typed) {
            Ok(CodeCheck::Right) => {
                self.locked = false;
                self.lock = super::unlock::LockState::default();
            }
            Ok(CodeCheck::Wrong { left }) => {
                self.lock.message = Some(wrong_code(lang, left));
            }
            Ok(CodeCheck::Ended) => self.end_after_wrong_codes(),
            Err(e) => self.refused_code(&e, false),
        }
    }

    /// A refusal while checking or setting a code: a session that has ended closes; anything
    /// else is said where the code is typed.
    fn refused_code(&mut self, e: &ServiceError, in_form: bool) {
        // Revoked meanwhile (or ended): it ends, saying why, as every revoked session does.
        if matches!(e, ServiceError::Denied(_)) && self.check_standing() {
            return;
        }
        let text = e.message(self.lang());
        match (&mut self.overlay, in_form) {
            (Some(Overlay::UnlockCode(f)), true) => f.refusal = Some(text),
            _ => self.lock.message = Some(text),
        }
    }

    /// Opens the form that sets (or changes) the unlock code; `asked`: the screen asks because
    /// the user has none.
    pub fn open_code_form(&mut self, asked: bool) {
        let has_code = match self.session.has_unlock_code() {
            Ok(b) => b,
            Err(e) => {
                self.fail(&e);
                return;
            }
        };
        self.overlay = Some(Overlay::UnlockCode(Box::new(CodeForm {
            current: has_code.then(String::new),
            asked,
            ..CodeForm::default()
        })));
    }

    /// A key in the unlock-code form: typed characters go into the focused code; the form
    /// context of the keymap moves between the fields, saves and cancels.
    pub(super) fn code_key(&mut self, key: KeyEvent, k: Key) {
        let Some(Overlay::UnlockCode(form)) = &mut self.overlay else {
            return;
        };
        if let Some(c) = typed_char(&key) {
            type_into(form.focused(), &c.to_string());
            return;
        }
        if key.code == KeyCode::Backspace {
            form.focused().pop();
            return;
        }
        let last = form.fields().len() - 1;
        match self.opts.keymap.resolve(Context::Form, k, |_| true) {
            Some(Action::NextField) => form.focus = (form.focus + 1).min(last),
            Some(Action::PrevField) => form.focus = form.focus.saturating_sub(1),
            Some(Action::Advance) if form.focus < last => form.focus += 1,
            Some(Action::Advance | Action::Submit) => self.submit_code(),
            Some(Action::Cancel) => {
                let asked = form.asked;
                self.overlay = None;
                if asked {
                    let key = self.code_key_name();
                    self.say(match self.lang() {
                        Lang::En => format!(
                            "No unlock code yet: until you set one ({key}), the idle lock ends \
                             the session."
                        ),
                        Lang::Sv => format!(
                            "Ingen upplåsningskod än: tills du anger en ({key}) avslutar \
                             skärmlåset sessionen."
                        ),
                    });
                }
            }
            _ => {}
        }
    }

    /// Pasted text goes into the focused code.
    pub(super) fn code_paste(&mut self, text: &str) {
        if let Some(Overlay::UnlockCode(form)) = &mut self.overlay {
            type_into(form.focused(), text);
        }
    }

    fn submit_code(&mut self) {
        let lang = self.lang();
        let Some(Overlay::UnlockCode(form)) = &mut self.overlay else {
            return;
        };
        if form.new != form.again {
            form.refusal = Some(ServiceError::from(UnlockCodeError::Differs).message(lang));
            form.again.clear();
            form.focus = form.fields().len() - 1;
            return;
        }
        let current = form.current.clone();
        let new = std::mem::take(&mut form.new);
        form.again.clear();
        match self.session.set_unlock_code(current.as_deref(), &new) {
            Ok(CodeCheck::Right) => {
                self.overlay = None;
                self.lock.has_code = true;
                self.say(match lang {
                    Lang::En => "Unlock code saved: the idle lock opens with it.",
                    Lang::Sv => "Upplåsningskoden är sparad: skärmlåset öppnas med den.",
                });
            }
            Ok(CodeCheck::Wrong { left }) => {
                if let Some(Overlay::UnlockCode(form)) = &mut self.overlay {
                    form.current = Some(String::new());
                    form.focus = 0;
                    form.refusal = Some(wrong_code(lang, left));
                }
            }
            Ok(CodeCheck::Ended) => self.end_after_wrong_codes(),
            Err(e) => {
                if let Some(Overlay::UnlockCode(form)) = &mut self.overlay {
                    form.focus = usize::from(form.current.is_some());
                }
                self.refused_code(&e, true);
            }
        }
    }
}

/// "Wrong code", with the tries left.
fn wrong_code(lang: Lang, left: u8) -> String {
    match lang {
        Lang::En => format!("Wrong unlock code; {left} more before the session ends."),
        Lang::Sv => format!("Fel upplåsningskod; {left} försök till innan sessionen avslutas."),
    }
}

//! Keys as keymap files write them (`ctrl-r`, `shift-tab`, `pagedown`, `?`) and as terminals send
//! them (crossterm key events, which the SSH input parser produces too).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// One key with its modifiers, normalised so that a file's `G` and a terminal's shift-G match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyName,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

/// The key itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// Why a key could not be read from a keymap file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("empty key")]
    Empty,
    #[error("unknown key name '{0}'")]
    Unknown(String),
    #[error("unknown modifier '{0}' (use ctrl, alt or shift)")]
    Modifier(String),
    #[error("'{0}' does not survive SSH and tmux; choose another key")]
    NotPortable(String),
}

impl Key {
    pub const fn plain(code: KeyName) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    /// Parses `ctrl-r`, `alt-x`, `shift-tab`, `enter`, `?`, `G`, `f5`, `space`, `-` …
    pub fn parse(text: &str) -> Result<Key, KeyError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(KeyError::Empty);
        }
        // A lone character, including '-' itself, is that key.
        let (mods, name) = match t.rfind('-') {
            Some(i) if i + 1 < t.len() => (&t[..i], &t[i + 1..]),
            _ => ("", t),
        };
        let mut key = Key::plain(KeyName::Char(' '));
        for m in mods.split('-').filter(|m| !m.is_empty()) {
            match m.to_ascii_lowercase().as_str() {
                "ctrl" | "c" => key.ctrl = true,
                "alt" | "a" | "meta" | "m" => key.alt = true,
                "shift" | "s" => key.shift = true,
                other => return Err(KeyError::Modifier(other.to_owned())),
            }
        }
        let lower = name.to_ascii_lowercase();
        key.code = match lower.as_str() {
            "enter" | "return" | "cr" => KeyName::Enter,
            "esc" | "escape" => KeyName::Esc,
            "tab" => KeyName::Tab,
            "backtab" => {
                key.shift = true;
                KeyName::Tab
            }
            "backspace" | "bs" => KeyName::Backspace,
            "delete" | "del" => KeyName::Delete,
            "insert" | "ins" => KeyName::Insert,
            "up" => KeyName::Up,
            "down" => KeyName::Down,
            "left" => KeyName::Left,
            "right" => KeyName::Right,
            "home" => KeyName::Home,
            "end" => KeyName::End,
            "pageup" | "pgup" => KeyName::PageUp,
            "pagedown" | "pgdn" => KeyName::PageDown,
            "space" => KeyName::Char(' '),
            "minus" => KeyName::Char('-'),
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyName::F(f[1..].parse::<u8>().unwrap_or(1))
            }
            _ => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyName::Char(c),
                    _ => return Err(KeyError::Unknown(name.to_owned())),
                }
            }
        };
        key.normalise_and_check(t)
    }

    /// Upper-case letters carry shift; ctrl only goes with letters (what terminals can send).
    fn normalise_and_check(mut self, text: &str) -> Result<Key, KeyError> {
        if let KeyName::Char(c) = self.code {
            if c.is_ascii_uppercase() {
                self.shift = true;
            } else if self.shift && c.is_ascii_lowercase() {
                self.code = KeyName::Char(c.to_ascii_uppercase());
            } else if !c.is_alphabetic() {
                // '?' and '/' arrive without a meaningful shift flag across terminals.
                self.shift = false;
            }
            if self.ctrl && !c.is_ascii_alphabetic() && c != ' ' {
                return Err(KeyError::NotPortable(text.to_owned()));
            }
            if self.ctrl && c.is_ascii_alphabetic() {
                // Ctrl-letter is one byte on the wire: case and shift are lost.
                self.code = KeyName::Char(c.to_ascii_lowercase());
                self.shift = false;
                if matches!(c.to_ascii_lowercase(), 'i' | 'm' | '[') {
                    return Err(KeyError::NotPortable(text.to_owned()));
                }
            }
        }
        if self.ctrl
            && matches!(
                self.code,
                KeyName::Enter | KeyName::Tab | KeyName::Backspace | KeyName::Esc
            )
        {
            return Err(KeyError::NotPortable(text.to_owned()));
        }
        Ok(self)
    }

    /// The key a terminal event means, normalised like [`Key::parse`].
    /// The key event a terminal sends for this key (for scripted sessions and tests).
    #[must_use]
    pub fn to_event(self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.alt {
            m |= KeyModifiers::ALT;
        }
        if self.shift {
            m |= KeyModifiers::SHIFT;
        }
        let code = match self.code {
            KeyName::Char(c) => KeyCode::Char(c),
            KeyName::Enter => KeyCode::Enter,
            KeyName::Esc => KeyCode::Esc,
            KeyName::Tab if self.shift => KeyCode::BackTab,
            KeyName::Tab => KeyCode::Tab,
            KeyName::Backspace => KeyCode::Backspace,
            KeyName::Delete => KeyCode::Delete,
            KeyName::Insert => KeyCode::Insert,
            KeyName::Up => KeyCode::Up,
            KeyName::Down => KeyCode::Down,
            KeyName::Left => KeyCode::Left,
            KeyName::Right => KeyCode::Right,
            KeyName::Home => KeyCode::Home,
            KeyName::End => KeyCode::End,
            KeyName::PageUp => KeyCode::PageUp,
            KeyName::PageDown => KeyCode::PageDown,
            KeyName::F(n) => KeyCode::F(n),
        };
        KeyEvent::new(code, m)
    }

    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let alt = e.modifiers.contains(KeyModifiers::ALT);
        let mut shift = e.modifiers.contains(KeyModifiers::SHIFT);
        let code = match e.code {
            KeyCode::Char(c) => {
                if ctrl && c.is_ascii_alphabetic() {
                    shift = false;
                    KeyName::Char(c.to_ascii_lowercase())
                } else {
                    if c.is_ascii_uppercase() {
                        shift = true;
                    } else if !c.is_alphabetic() {
                        shift = false;
                    }
                    KeyName::Char(c)
                }
            }
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => {
                shift = true;
                KeyName::Tab
            }
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::Insert => KeyName::Insert,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        let letter_shift = matches!(self.code, KeyName::Char(c) if c.is_alphabetic());
        if self.shift && !letter_shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyName::Char(' ') => f.write_str("Space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::Enter => f.write_str("Enter"),
            KeyName::Esc => f.write_str("Esc"),
            KeyName::Tab => f.write_str("Tab"),
            KeyName::Backspace => f.write_str("Backspace"),
            KeyName::Delete => f.write_str("Del"),
            KeyName::Insert => f.write_str("Ins"),
            KeyName::Up => f.write_str("↑"),
            KeyName::Down => f.write_str("↓"),
            KeyName::Left => f.write_str("←"),
            KeyName::Right => f.write_str("→"),
            KeyName::Home => f.write_str("Home"),
            KeyName::End => f.write_str("End"),
            KeyName::PageUp => f.write_str("PgUp"),
            KeyName::PageDown => f.write_str("PgDn"),
            KeyName::F(n) => write!(f, "F{n}"),
        }
    }
}

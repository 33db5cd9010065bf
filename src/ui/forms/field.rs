//! Form fields: a line of text (ratatui-textarea), one choice, several choices, or a yes/no box.
//! Text is checked as it is typed; choices cannot be wrong, only missing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

/// Checks a text field as it is typed; the error is in the user's language.
pub type Check = Box<dyn Fn(&str) -> Result<(), String> + Send>;

/// One option: a stable key and the label shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

impl Choice {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Choice {
        Choice {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// What a field holds.
pub enum Kind {
    Text {
        area: Box<TextArea<'static>>,
        check: Option<Check>,
        required: bool,
        /// Personal data: hidden under the privacy mask and on the lock screen.
        personal: bool,
    },
    One {
        options: Vec<Choice>,
        cursor: usize,
        chosen: Option<usize>,
    },
    Many {
        options: Vec<Choice>,
        cursor: usize,
        chosen: Vec<bool>,
        /// Options that cannot be combined with any other.
        exclusive: Vec<bool>,
    },
    Yes(bool),
}

/// A labelled field with its current error.
pub struct Field {
    pub key: String,
    pub label: String,
    pub kind: Kind,
    pub error: Option<String>,
    /// A short explanation under the label.
    pub note: Option<String>,
}

impl Field {
    /// A one-line text field.
    pub fn text(
        key: &str,
        label: &str,
        value: &str,
        check: Option<Check>,
        required: bool,
    ) -> Field {
        let mut area = TextArea::new(vec![value.to_owned()]);
        area.set_cursor_line_style(ratatui::style::Style::new());
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Field {
            key: key.to_owned(),
            label: label.to_owned(),
            kind: Kind::Text {
                area: Box::new(area),
                check,
                required,
                personal: false,
            },
            error: None,
            note: None,
        }
    }

    /// Marks a text field as holding personal data.
    #[must_use]
    pub fn personal(mut self) -> Field {
        if let Kind::Text { personal, .. } = &mut self.kind {
            *personal = true;
        }
        self
    }

    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Field {
        self.note = Some(note.into());
        self
    }

    /// Exactly one of `options`; `chosen` preselects one.
    pub fn one(key: &str, label: &str, options: Vec<Choice>, chosen: Option<usize>) -> Field {
        Field {
            key: key.to_owned(),
            label: label.to_owned(),
            kind: Kind::One {
                cursor: chosen.unwrap_or(0),
                options,
                chosen,
            },
            error: None,
            note: None,
        }
    }

    /// One or more of `options`.
    pub fn many(
        key: &str,
        label: &str,
        options: Vec<Choice>,
        chosen: &[String],
        exclusive: &[String],
    ) -> Field {
        let chosen = options.iter().map(|o| chosen.contains(&o.key)).collect();
        let exclusive = options.iter().map(|o| exclusive.contains(&o.key)).collect();
        Field {
            key: key.to_owned(),
            label: label.to_owned(),
            kind: Kind::Many {
                options,
                cursor: 0,
                chosen,
                exclusive,
            },
            error: None,
            note: None,
        }
    }

    pub fn yes(key: &str, label: &str, on: bool) -> Field {
        Field {
            key: key.to_owned(),
            label: label.to_owned(),
            kind: Kind::Yes(on),
            error: None,
            note: None,
        }
    }

    /// The text of a text field (trimmed), or "".
    pub fn text_value(&self) -> String {
        match &self.kind {
            Kind::Text { area, .. } => area.lines().join(" ").trim().to_owned(),
            _ => String::new(),
        }
    }

    /// The key of the chosen option of a one-choice field.
    pub fn one_value(&self) -> Option<&str> {
        match &self.kind {
            Kind::One {
                options, chosen, ..
            } => chosen.and_then(|i| options.get(i)).map(|o| o.key.as_str()),
            _ => None,
        }
    }

    /// The keys chosen in a many-choice field.
    pub fn many_value(&self) -> Vec<String> {
        match &self.kind {
            Kind::Many {
                options, chosen, ..
            } => options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(o, _)| o.key.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn yes_value(&self) -> bool {
        matches!(self.kind, Kind::Yes(true))
    }

    /// A key the focused field handles itself (typing, moving in a list, choosing). Returns
    /// whether the field used it.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let used = match &mut self.kind {
            Kind::Text { area, .. } => {
                if matches!(key.code, KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab) {
                    return false;
                }
                area.input(key)
            }
            Kind::One {
                options,
                cursor,
                chosen,
            } => match key.code {
                KeyCode::Left | KeyCode::Right => {
                    *cursor = step(*cursor, options.len(), key.code == KeyCode::Right);
                    *chosen = Some(*cursor);
                    true
                }
                KeyCode::Char(c) if key.modifiers.difference(KeyModifiers::SHIFT).is_empty() => {
                    match digit(c, options.len()) {
                        Some(i) => {
                            *cursor = i;
                            *chosen = Some(i);
                            true
                        }
                        None => false,
                    }
                }
                _ => false,
            },
            Kind::Many {
                options, cursor, ..
            } => match key.code {
                KeyCode::Left | KeyCode::Right => {
                    *cursor = step(*cursor, options.len(), key.code == KeyCode::Right);
                    true
                }
                KeyCode::Char(c) if key.modifiers.difference(KeyModifiers::SHIFT).is_empty() => {
                    match digit(c, options.len()) {
                        Some(i) => {
                            *cursor = i;
                            self.toggle();
                            return true;
                        }
                        None => false,
                    }
                }
                _ => false,
            },
            Kind::Yes(on) => match key.code {
                KeyCode::Left | KeyCode::Right => {
                    *on = !*on;
                    true
                }
                KeyCode::Char('y' | 'j') => {
                    *on = true;
                    true
                }
                KeyCode::Char('n') => {
                    *on = false;
                    true
                }
                _ => false,
            },
        };
        if used {
            self.check();
        }
        used
    }

    /// Pasted text goes into a text field (first line only).
    pub fn paste(&mut self, text: &str) {
        if let Kind::Text { area, .. } = &mut self.kind {
            let line = text.lines().next().unwrap_or("");
            area.insert_str(line);
            self.check();
        }
    }

    /// Space: chooses the option under the cursor (or flips a yes/no box).
    pub fn toggle(&mut self) {
        match &mut self.kind {
            Kind::One { cursor, chosen, .. } => *chosen = Some(*cursor),
            Kind::Many {
                cursor,
                chosen,
                exclusive,
                ..
            } => {
                let i = *cursor;
                let on = !chosen.get(i).copied().unwrap_or(false);
                if on {
                    // An exclusive option ("none") clears the others, and the others clear it.
                    let this_exclusive = exclusive.get(i).copied().unwrap_or(false);
                    for (j, c) in chosen.iter_mut().enumerate() {
                        if j != i && (this_exclusive || exclusive.get(j).copied().unwrap_or(false))
                        {
                            *c = false;
                        }
                    }
                }
                if let Some(c) = chosen.get_mut(i) {
                    *c = on;
                }
            }
            Kind::Yes(on) => *on = !*on,
            Kind::Text { .. } => {}
        }
        self.check();
    }

    /// Re-checks the field; returns whether it is acceptable. `strict` also demands a value in
    /// required fields (on saving; while typing an empty field is not yet an error).
    pub fn check_with(&mut self, strict: bool, missing: &str) -> bool {
        self.error = match &self.kind {
            Kind::Text {
                area,
                check,
                required,
                ..
            } => {
                let text = area.lines().join(" ");
                let text = text.trim();
                if text.is_empty() {
                    (strict && *required).then(|| missing.to_owned())
                } else {
                    check.as_ref().and_then(|c| c(text).err())
                }
            }
            Kind::One { chosen, .. } => (strict && chosen.is_none()).then(|| missing.to_owned()),
            Kind::Many { chosen, .. } => {
                (strict && !chosen.iter().any(|c| *c)).then(|| missing.to_owned())
            }
            Kind::Yes(_) => None,
        };
        self.error.is_none()
    }

    fn check(&mut self) {
        self.check_with(false, "");
    }
}

fn step(at: usize, len: usize, forward: bool) -> usize {
    if len == 0 {
        0
    } else if forward {
        (at + 1) % len
    } else {
        (at + len - 1) % len
    }
}

/// `1`–`9` pick the first nine options.
fn digit(c: char, len: usize) -> Option<usize> {
    let d = c.to_digit(10)? as usize;
    (1..=len.min(9)).contains(&d).then(|| d - 1)
}

//! Drawing a form: the dialog, its fields scrolled so the focused one is in view, each field's
//! label, value, note and error wrapped so the reason is never cut off.

use super::Form;
use crate::ui::forms::field::{Field, Kind};
use crate::ui::i18n::{Lang, tr};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

impl Form {
    /// Draws the form over `area`, with `hints` (from the keymap) on its last line.
    pub fn draw(
        &self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        lang: Lang,
        mask: bool,
        hints: Line,
    ) {
        let area = dialog_area(area, 96);
        f.render_widget(Clear, area);
        let block = theme.dialog(&self.title);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height < 4 || inner.width < 10 {
            return;
        }
        let mut top = inner.y;
        let intro = Paragraph::new(self.intro.as_str()).wrap(Wrap { trim: true });
        let intro_h = wrapped_height(&self.intro, inner.width).min(3);
        f.render_widget(
            intro.style(theme.dim()),
            Rect {
                height: intro_h,
                ..inner
            },
        );
        top += intro_h;
        if let Some(r) = &self.refusal {
            let text = format!("! {r}");
            let h = wrapped_height(&text, inner.width).min(3);
            let p = Paragraph::new(text).wrap(Wrap { trim: true });
            f.render_widget(
                p.style(theme.error()),
                Rect {
                    y: top,
                    height: h,
                    ..inner
                },
            );
            top += h;
        }
        let bottom = inner.y + inner.height - 1;
        f.render_widget(
            Paragraph::new(hints),
            Rect {
                y: bottom,
                height: 1,
                ..inner
            },
        );
        let body = Rect {
            y: top,
            height: bottom.saturating_sub(top),
            ..inner
        };
        self.draw_fields(f, body, *theme, lang, mask);
    }

    fn draw_fields(&self, f: &mut Frame, body: Rect, theme: Theme, lang: Lang, mask: bool) {
        let heights: Vec<u16> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, x)| field_height(x, i == self.focus, body.width.saturating_sub(4)))
            .collect();
        // Scroll so the focused field is fully visible.
        let mut first = 0;
        loop {
            let used: u16 = heights
                .get(first..=self.focus)
                .map_or(0, |h| h.iter().sum());
            if used <= body.height || first >= self.focus {
                break;
            }
            first += 1;
        }
        let mut y = body.y;
        for (i, field) in self.fields.iter().enumerate().skip(first) {
            let h = heights.get(i).copied().unwrap_or(1);
            if y + h > body.y + body.height {
                break;
            }
            let rect = Rect {
                y,
                height: h,
                ..body
            };
            draw_field(f, rect, field, i == self.focus, theme, lang, mask);
            y += h;
        }
    }
}

/// The lines a field takes: its label, its value (every option when focused), its note when
/// focused, and its error wrapped at `value_w` so the reason is never cut off.
fn field_height(field: &Field, focused: bool, value_w: u16) -> u16 {
    let value = match &field.kind {
        Kind::One { options, .. } | Kind::Many { options, .. } if focused => {
            u16::try_from(options.len()).unwrap_or(u16::MAX)
        }
        _ => 1,
    };
    let error = field.error.as_ref().map_or(0, |e| error_height(e, value_w));
    1 + value + error + u16::from(focused && field.note.is_some())
}

/// Lines an error takes when word-wrapped at `width`.
fn error_height(e: &str, width: u16) -> u16 {
    let w = usize::from(width.max(1));
    let mut lines = 1usize;
    let mut used = 0usize;
    for word in format!("! {e}").split_whitespace() {
        let n = word.chars().count();
        if used > 0 && used + 1 + n > w {
            lines += 1;
            used = n;
        } else {
            used += n + usize::from(used > 0);
        }
    }
    u16::try_from(lines).unwrap_or(u16::MAX)
}

fn draw_field(
    f: &mut Frame,
    r: Rect,
    field: &Field,
    focused: bool,
    theme: Theme,
    lang: Lang,
    mask: bool,
) {
    let marker = if focused { "> " } else { "  " };
    let label_style = theme.heading(focused);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(marker, label_style),
            Span::styled(field.label.as_str(), label_style),
        ])),
        Rect { height: 1, ..r },
    );
    let mut y = r.y + 1;
    let value_x = r.x + 4;
    let value_w = r.width.saturating_sub(4);
    let line = |y: u16| Rect {
        x: value_x,
        y,
        width: value_w,
        height: 1,
    };
    match &field.kind {
        Kind::Text { area, personal, .. } => {
            if focused && !(mask && *personal) {
                // The field's own text area: its scroll state must follow what is typed.
                f.render_widget(&**area, line(y));
            } else {
                let text = if mask && *personal {
                    "••••••••".to_owned()
                } else {
                    field.text_value()
                };
                f.render_widget(Paragraph::new(text), line(y));
            }
            y += 1;
        }
        Kind::One {
            options,
            cursor,
            chosen,
        } => {
            if focused {
                for (i, o) in options.iter().enumerate() {
                    let dot = if *chosen == Some(i) { "(•)" } else { "( )" };
                    let style = if i == *cursor {
                        theme.selected(true)
                    } else {
                        Style::new()
                    };
                    let text = format!("{dot} {} {}", number(i), o.label);
                    f.render_widget(Paragraph::new(text).style(style), line(y));
                    y += 1;
                }
            } else {
                let text = chosen.and_then(|i| options.get(i)).map_or_else(
                    || tr(lang, "(not chosen)", "(inte valt)").to_owned(),
                    |o| o.label.clone(),
                );
                f.render_widget(Paragraph::new(text), line(y));
                y += 1;
            }
        }
        Kind::Many {
            options,
            cursor,
            chosen,
            ..
        } => {
            if focused {
                for (i, o) in options.iter().enumerate() {
                    let on = chosen.get(i).copied().unwrap_or(false);
                    let b = if on { "[x]" } else { "[ ]" };
                    let style = if i == *cursor {
                        theme.selected(true)
                    } else {
                        Style::new()
                    };
                    f.render_widget(
                        Paragraph::new(format!("{b} {} {}", number(i), o.label)).style(style),
                        line(y),
                    );
                    y += 1;
                }
            } else {
                let names: Vec<&str> = options
                    .iter()
                    .zip(chosen)
                    .filter(|(_, c)| **c)
                    .map(|(o, _)| o.label.as_str())
                    .collect();
                let text = if names.is_empty() {
                    tr(lang, "(none chosen)", "(inget valt)").to_owned()
                } else {
                    names.join(", ")
                };
                f.render_widget(Paragraph::new(text), line(y));
                y += 1;
            }
        }
        Kind::Yes(on) => {
            let text = if *on {
                tr(lang, "[x] yes", "[x] ja")
            } else {
                tr(lang, "[ ] no", "[ ] nej")
            };
            let style = if focused {
                theme.selected(true)
            } else {
                Style::new()
            };
            f.render_widget(
                Paragraph::new(text).style(style),
                Rect {
                    width: 10.min(value_w),
                    ..line(y)
                },
            );
            y += 1;
        }
    }
    if focused && let Some(note) = &field.note {
        f.render_widget(Paragraph::new(note.as_str()).style(theme.dim()), line(y));
        y += 1;
    }
    if let Some(e) = &field.error {
        f.render_widget(
            Paragraph::new(format!("! {e}"))
                .style(theme.error())
                .wrap(Wrap { trim: true }),
            Rect {
                height: error_height(e, value_w),
                ..line(y)
            },
        );
    }
}

/// About how many lines `text` takes when wrapped at `width` (word wrapping may need one more,
/// which the caller's cap absorbs).
pub fn wrapped_height(text: &str, width: u16) -> u16 {
    let w = usize::from(width.max(1));
    let n: usize = text
        .lines()
        .map(|l| l.chars().count().div_ceil(w).max(1))
        .sum();
    u16::try_from(n + usize::from(n > 1))
        .unwrap_or(u16::MAX)
        .max(1)
}

fn number(i: usize) -> String {
    if i < 9 {
        format!("{}", i + 1)
    } else {
        " ".to_owned()
    }
}

/// A centred rectangle at most `max_w` wide, leaving a margin around it.
pub fn dialog_area(area: Rect, max_w: u16) -> Rect {
    let w = area.width.saturating_sub(2).min(max_w);
    let h = area.height.saturating_sub(2);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

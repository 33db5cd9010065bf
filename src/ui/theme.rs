//! The look: colours when the terminal may have them (`NO_COLOR` honoured), borders unless plain
//! mode asks for none (screen readers). State is always written out in words, never shown by
//! colour alone; the selected row carries a `>` marker as well as its highlight.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType, Borders};

/// How screens are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// No box-drawing characters: panes are separated by headings only.
    pub plain: bool,
    /// Colours allowed (false under `NO_COLOR`).
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            plain: false,
            color: true,
        }
    }
}

impl Theme {
    /// The theme for this environment: colour unless `NO_COLOR` is set (to anything non-empty).
    #[must_use]
    pub fn from_env(plain: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            plain,
            color: !no_color,
        }
    }

    /// A pane's frame with its title; the focused one stands out by its border and a `*`.
    #[must_use]
    pub fn pane<'a>(&self, title: &str, focused: bool) -> Block<'a> {
        let title = if focused {
            format!(" *{title}* ")
        } else {
            format!(" {title} ")
        };
        if self.plain {
            return Block::new()
                .borders(Borders::TOP)
                .border_set(ascii_set())
                .title(title)
                .title_style(self.heading(focused));
        }
        Block::bordered()
            .border_type(if focused {
                BorderType::Thick
            } else {
                BorderType::Plain
            })
            .border_style(if focused && self.color {
                Style::new().fg(Color::Cyan)
            } else {
                Style::new()
            })
            .title(title)
            .title_style(self.heading(focused))
    }

    /// A dialog's frame.
    #[must_use]
    pub fn dialog<'a>(&self, title: &str) -> Block<'a> {
        let b = Block::bordered().title(format!(" {title} "));
        if self.plain {
            b.border_set(ascii_set())
        } else {
            b.border_type(BorderType::Double)
        }
        .title_style(self.heading(true))
    }

    #[must_use]
    pub fn heading(&self, strong: bool) -> Style {
        if strong {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// The selected row: reversed (colour or not), with the marker drawn separately.
    #[must_use]
    pub fn selected(&self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::new().bg(Color::DarkGray).fg(Color::White),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, false) => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    #[must_use]
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    #[must_use]
    pub fn error(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    #[must_use]
    pub fn ok(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Green)
        } else {
            Style::new()
        }
    }

    /// The demo-data banner and other warnings.
    #[must_use]
    pub fn warning(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// The key names in hints.
    #[must_use]
    pub fn key(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }
}

/// Plain ASCII borders for plain mode.
fn ascii_set() -> ratatui::symbols::border::Set<'static> {
    ratatui::symbols::border::Set {
        top_left: "-",
        top_right: "-",
        bottom_left: "-",
        bottom_right: "-",
        vertical_left: " ",
        vertical_right: " ",
        horizontal_top: "-",
        horizontal_bottom: "-",
    }
}

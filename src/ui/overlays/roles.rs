//! The role switch (and, on demo databases, the user switch).

use super::frame;
use crate::service::SwitchTarget;
use crate::ui::app::App;
use crate::ui::i18n::{sv, tr};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn roles(f: &mut Frame, area: Rect, app: &App, targets: &[SwitchTarget], selected: usize) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let title = if app.session.is_demo() {
        tr(
            lang,
            "Switch user and role (demo only)",
            "Byt användare och roll (bara demo)",
        )
    } else {
        tr(lang, "Switch role", "Byt roll")
    };
    let inner = frame(f, area, app, title, 70);
    let height = usize::from(inner.height);
    let start = selected.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = targets
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, t)| {
            let style = if i == selected {
                theme.selected(true)
            } else {
                Style::new()
            };
            Line::styled(
                format!(
                    "{}{:<8} {:<22} {}",
                    if i == selected { ">" } else { " " },
                    t.username,
                    t.display_name,
                    t.role.label(sv(lang))
                ),
                style,
            )
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

//! The personnummer look-up (logged by the service, found or not).

use super::frame;
use crate::ui::app::{App, Lookup};
use crate::ui::i18n::{sv, tr};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn lookup(f: &mut Frame, area: Rect, app: &App, l: &Lookup) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let inner = frame(
        f,
        area,
        app,
        tr(lang, "Look up a personnummer", "Sök personnummer"),
        72,
    );
    let typed = l.input.lines().join("");
    let shown = if app.mask {
        "•".repeat(typed.chars().count())
    } else {
        typed
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw(tr(lang, "Personnummer: ", "Personnummer: ")),
            Span::styled(shown, theme.heading(true)),
            Span::styled("_", theme.key()),
        ]),
        Line::styled(
            tr(
                lang,
                "Enter searches (the search is logged). Esc closes.",
                "Enter söker (sökningen loggas). Esc stänger.",
            ),
            theme.dim(),
        ),
        Line::raw(""),
    ];
    if let Some(e) = &l.error {
        lines.push(Line::styled(format!("! {e}"), theme.error()));
    }
    if let Some(hits) = &l.hits {
        for (i, h) in hits.iter().enumerate() {
            let style = if i == l.selected {
                theme.selected(true)
            } else {
                Style::new()
            };
            let p = &h.participation;
            lines.push(Line::styled(
                format!(
                    "{}{} · {} {} · {}",
                    if i == l.selected { ">" } else { " " },
                    h.intervention_name,
                    p.state().label(sv(lang)),
                    p.in_date,
                    p.out_date.map(|d| d.to_string()).unwrap_or_default()
                ),
                style,
            ));
        }
        lines.push(Line::styled(
            tr(
                lang,
                "Enter opens the chosen participation.",
                "Enter öppnar det valda deltagandet.",
            ),
            theme.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

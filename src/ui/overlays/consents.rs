//! The intervention's consents that no registration uses yet, for the handler to use or remove.

use super::{frame, wrap_words};
use crate::service::UNUSED_CONSENT_DAYS;
use crate::ui::action::Action;
use crate::ui::app::{App, Consents};
use crate::ui::i18n::{Lang, tr};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn consents(f: &mut Frame, area: Rect, app: &App, c: &Consents) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let inner = frame(
        f,
        area,
        app,
        tr(lang, "Consents not yet used", "Samtycken som inte använts"),
        84,
    );
    let width = usize::from(inner.width.max(1));
    let intro = match lang {
        Lang::En => format!(
            "Recorded, but no registration uses them. Register the person in with one, or remove it. Unused consents are deleted {UNUSED_CONSENT_DAYS} days after they were recorded."
        ),
        Lang::Sv => format!(
            "Registrerade, men ingen registrering använder dem. Skriv in personen med ett av dem, eller ta bort det. Oanvända samtycken raderas {UNUSED_CONSENT_DAYS} dagar efter att de registrerades."
        ),
    };
    let mut lines: Vec<Line> = wrap_words(&intro, width)
        .into_iter()
        .map(|l| Line::styled(l, theme.dim()))
        .collect();
    lines.push(Line::raw(""));
    if c.rows.is_empty() {
        lines.push(Line::raw(tr(
            lang,
            "No unused consents in this intervention.",
            "Inga oanvända samtycken i insatsen.",
        )));
    }
    for (i, row) in c.rows.iter().enumerate() {
        let (name, pnr) = if app.mask {
            ("••••••".to_owned(), "••••••••-••••".to_owned())
        } else {
            (row.identity.name.clone(), row.identity.pnr.to_string())
        };
        let selected = i == c.selected;
        let style = if selected {
            theme.selected(true)
        } else {
            Style::new()
        };
        let text = format!(
            "{}{name} · {pnr} · {} {}",
            if selected { ">" } else { " " },
            tr(lang, "signed", "undertecknat"),
            row.consent.evidence.signed_on,
        );
        lines.push(Line::styled(text, style));
    }
    lines.push(Line::raw(""));
    let key = |a: Action| {
        app.opts
            .keymap
            .key_for(Context::Consents, a)
            .map_or_else(|| "—".to_owned(), |k| k.to_string())
    };
    let hint = match lang {
        Lang::En => format!(
            "{} register in with the chosen consent · {} remove it (erased) · {} close",
            key(Action::UseConsent),
            key(Action::RemoveConsent),
            key(Action::Back)
        ),
        Lang::Sv => format!(
            "{} skriv in med det valda samtycket · {} ta bort det (raderas) · {} stäng",
            key(Action::UseConsent),
            key(Action::RemoveConsent),
            key(Action::Back)
        ),
    };
    lines.extend(
        wrap_words(&hint, width)
            .into_iter()
            .map(|l| Line::styled(l, theme.dim())),
    );
    f.render_widget(Paragraph::new(lines), inner);
}

//! The information to a participant, as they would read it: the title, each heading and its
//! paragraph wrapped to the width, scrolled; the keys (and which language it is in) on the last
//! lines.

use super::{frame, wrap_words};
use crate::ui::action::Action;
use crate::ui::app::{App, InformationView};
use crate::ui::i18n::{Lang, tr};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn information(f: &mut Frame, area: Rect, app: &App, v: &InformationView) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let inner = frame(
        f,
        area,
        app,
        tr(
            lang,
            "Information to the participant",
            "Information till deltagaren",
        ),
        90,
    );
    let width = usize::from(inner.width.max(1));
    let key = |a: Action| {
        app.opts
            .keymap
            .key_for(Context::Information, a)
            .map_or_else(|| "—".to_owned(), |k| k.to_string())
    };
    let (now, other) = match (lang, v.swedish) {
        (Lang::En, true) => ("in Swedish", "English"),
        (Lang::En, false) => ("in English", "Swedish"),
        (Lang::Sv, true) => ("på svenska", "engelska"),
        (Lang::Sv, false) => ("på engelska", "svenska"),
    };
    let hint = match lang {
        Lang::En => format!(
            "Shown {now} · {} in {other} · {} save to print · ↑↓ scroll · {} close",
            key(Action::InformationLanguage),
            key(Action::ExportInformation),
            key(Action::Back)
        ),
        Lang::Sv => format!(
            "Visas {now} · {} på {other} · {} spara för utskrift · ↑↓ rulla · {} stäng",
            key(Action::InformationLanguage),
            key(Action::ExportInformation),
            key(Action::Back)
        ),
    };
    let hint: Vec<Line> = wrap_words(&hint, width)
        .into_iter()
        .map(|l| Line::styled(l, theme.dim()))
        .collect();
    let hint_h = u16::try_from(hint.len()).unwrap_or(2);
    let [body, keys] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(hint_h)]).areas(inner);
    let mut lines = vec![Line::styled(v.info.title.clone(), theme.heading(true))];
    for s in &v.info.sections {
        lines.push(Line::raw(""));
        lines.push(Line::styled(s.heading.clone(), theme.heading(true)));
        lines.extend(wrap_words(&s.text, width).into_iter().map(Line::raw));
    }
    app.page_rows.set(usize::from(body.height.max(1)));
    let max = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(body.height);
    f.render_widget(Paragraph::new(lines).scroll((v.scroll.min(max), 0)), body);
    f.render_widget(Paragraph::new(hint), keys);
}

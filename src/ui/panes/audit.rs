//! The audit log in this user's scope, newest first.

use super::{PaneView, list_key, marker, scroll_start};
use crate::ui::action::Action;
use crate::ui::app::{App, Pane};
use crate::ui::commands::{CommandInfo, moving};
use crate::ui::i18n::{audit_action, tr};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The audit log in this user's scope, newest first.
#[derive(Debug)]
pub struct Audit;

impl PaneView for Audit {
    fn pane(&self) -> Pane {
        Pane::Audit
    }

    fn context(&self) -> Context {
        Context::Audit
    }

    fn commands(&self, app: &App) -> Vec<CommandInfo> {
        let review = if app.session.role() == crate::domain::user::Role::LogReviewer {
            Ok(())
        } else {
            Err(tr(app.lang(), "For log reviewers", "För logggranskare").to_owned())
        };
        moving(&[
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::Top,
            Action::Bottom,
            Action::Filter,
            Action::Back,
        ])
        .chain(std::iter::once(CommandInfo::when(
            Action::ReviewQueue,
            review,
        )))
        .collect()
    }

    fn footer(&self) -> &'static [Action] {
        &[
            Action::Help,
            Action::Filter,
            Action::NextPane,
            Action::Back,
            Action::Quit,
        ]
    }

    fn draw(&self, f: &mut Frame, area: Rect, app: &App) {
        draw_pane(f, area, app);
    }
}

fn draw_pane(f: &mut Frame, area: Rect, app: &App) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let focused = app.focus == Pane::Audit && app.overlay.is_none();
    let mut title = tr(lang, "Audit log (newest first)", "Logg (nyast först)").to_owned();
    if !app.audit.filter.is_empty() {
        title = format!("{title} /{}", app.audit.filter);
    }
    let block = theme.pane(&title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let vis = app.visible_audit();
    let height = usize::from(inner.height);
    if focused {
        app.page_rows.set(height.max(1));
    }
    if vis.is_empty() {
        f.render_widget(
            Paragraph::new(tr(lang, "No entries", "Inga poster")).style(theme.dim()),
            inner,
        );
        return;
    }
    let at = vis
        .iter()
        .position(|i| *i == app.audit.selected)
        .unwrap_or(0);
    let start = scroll_start(at, vis.len(), height);
    let width = usize::from(inner.width);
    // Narrow (an 80-column terminal): the day without its year, the pseudonym before the field
    // list, and a row too long for the pane ends in "…" rather than mid-word.
    let narrow = width < 70;
    let key = list_key(&[u64::from(inner.width)], &app.audit.filter);
    app.mark_scroll(
        1,
        crate::ui::app::ScrollMark {
            key,
            top: inner.y,
            height: inner.height,
            start: app.audit.base + start,
        },
    );
    let lines: Vec<Line> = vis
        .iter()
        .skip(start)
        .take(height)
        .filter_map(|&i| app.audit.rows.get(i).map(|e| (i, e)))
        .map(|(i, e)| {
            let selected = i == app.audit.selected;
            let format = if narrow {
                "%m-%d %H:%M"
            } else {
                "%Y-%m-%d %H:%M"
            };
            // Swedish time, as the office reads its clocks (and as the review screens show it).
            let when = crate::domain::review::time::swedish_local(e.at_ms)
                .format(format)
                .to_string();
            let who = e
                .draft
                .user
                .and_then(|u| app.user_names.get(&u))
                .map_or("-", String::as_str);
            let subject = e.draft.subject.map(|s| s.to_string()).unwrap_or_default();
            let fields = if e.draft.fields.is_empty() {
                String::new()
            } else {
                let words: Vec<&str> = e
                    .draft
                    .fields
                    .iter()
                    .map(|f| crate::ui::i18n::audit_field(f, lang))
                    .collect();
                format!(" [{}]", words.join(", "))
            };
            let text = if narrow {
                let subject = if subject.is_empty() {
                    subject
                } else {
                    format!(" {subject}")
                };
                super::fit(
                    &format!(
                        "{}{when} {who:<6} {}{subject}{fields}",
                        marker(selected),
                        audit_action(e.draft.action, lang),
                    ),
                    width,
                )
            } else {
                format!(
                    "{}{when} {who:<8} {}{} {subject}",
                    marker(selected),
                    audit_action(e.draft.action, lang),
                    fields,
                )
            };
            let style = if selected {
                theme.selected(focused)
            } else {
                Style::new()
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

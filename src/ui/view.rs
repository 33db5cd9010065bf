//! Draws the whole screen from the model: a header, the three panes, the footer with the keys
//! that matter now (from the keymap), and whatever dialog is open.

use super::action::Action;
use super::app::{App, Overlay, Pane};
use super::i18n::tr;
use super::keymap::Context;
use super::{overlays, panes};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Draws one frame.
pub fn draw(f: &mut Frame, app: &App) {
    app.scroll_marks.set([None, None]);
    let area = f.area();
    if app.locked {
        overlays::lock(f, area, app);
        return;
    }
    // A status message longer than the width wraps onto more lines (three at most) rather
    // than losing its reason.
    let footer_h = app.status.as_ref().map_or(1, |s| {
        let lines = overlays::wrap_words(&status_text(s), usize::from(area.width.max(1))).len();
        u16::try_from(lines.clamp(1, 3)).unwrap_or(1)
    });
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(footer_h),
    ])
    .areas(area);
    draw_header(f, header, app);
    let left_w = (area.width / 3).clamp(24, 44);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(right);
    panes::of(Pane::Interventions).draw(f, left, app);
    panes::of(Pane::Participants).draw(f, top, app);
    panes::of(Pane::Audit).draw(f, bottom, app);
    draw_footer(f, footer, app);
    match &app.overlay {
        None => {}
        Some(Overlay::Form(form)) => {
            let hints = hint_line(app, Context::Form, super::forms::FOOTER);
            form.draw(f, body, &app.opts.theme, app.lang(), app.mask, hints);
        }
        Some(Overlay::Help { scroll }) => overlays::help(f, body, app, *scroll),
        Some(Overlay::Confirm(c)) => overlays::confirm(f, body, app, c),
        Some(Overlay::Lookup(l)) => overlays::lookup(f, body, app, l),
        Some(Overlay::Consents(c)) => overlays::consents(f, body, app, c),
        Some(Overlay::Report(r)) => overlays::report(f, body, app, r),
        Some(Overlay::Detail(d, questions)) => overlays::detail(f, body, app, d, questions),
        Some(Overlay::Roles { targets, selected }) => {
            overlays::roles(f, body, app, targets, *selected);
        }
        Some(Overlay::UnlockCode(form)) => overlays::code_form(f, body, app, form),
        Some(Overlay::Information(i)) => overlays::information(f, body, app, i),
        Some(Overlay::Review(r)) => overlays::review(f, body, app, r),
    }
}

/// The header: the demo banner, the mask and who is signed in, where. When it does not fit the
/// width, the banner gets shorter, then the program's name goes, then the association, so
/// nothing is cut mid-word.
fn draw_header(f: &mut Frame, area: Rect, app: &App) {
    let theme = &app.opts.theme;
    let lang = app.lang();
    let line = |brand: bool, short: bool, association: bool| {
        let mut spans = Vec::new();
        if brand {
            spans.push(Span::styled(" insats ", theme.heading(true)));
        }
        if let Some(demo) = app.demo_banner() {
            let demo = if short {
                tr(lang, "DEMO DATA", "DEMODATA")
            } else {
                demo
            };
            spans.push(Span::styled(format!(" {demo} "), theme.warning()));
        }
        if app.mask {
            spans.push(Span::styled(
                format!(" {} ", tr(lang, "MASKED", "DOLT")),
                theme.warning(),
            ));
        }
        spans.push(Span::raw(" "));
        spans.push(Span::raw(panes::identity_line(app, association)));
        Line::from(spans)
    };
    let width = usize::from(area.width);
    let chosen = [
        (true, false, true),
        (true, true, true),
        (false, true, true),
        (false, true, false),
    ]
    .into_iter()
    .map(|(brand, short, association)| line(brand, short, association))
    .find(|l| l.width() <= width)
    .unwrap_or_else(|| line(false, true, false));
    f.render_widget(Paragraph::new(chosen), area);
}

/// Key hints for `context`, generated from the keymap so they never go stale.
pub fn hint_line(app: &App, context: Context, actions: &[Action]) -> Line<'static> {
    let shown: Vec<(Action, bool)> = actions.iter().map(|&a| (a, true)).collect();
    fitting_hints(app, context, &shown, usize::MAX)
}

/// As [`hint_line`], with only the hints that fit whole in `width` characters (the first ones
/// are the most used).
fn fitting_hints(
    app: &App,
    context: Context,
    actions: &[(Action, bool)],
    width: usize,
) -> Line<'static> {
    let theme = &app.opts.theme;
    let mut spans = Vec::new();
    let mut used = 0;
    for (a, enabled) in actions {
        if let Some(k) = app.opts.keymap.key_for(context, *a) {
            let (key, hint) = (k.to_string(), format!(" {}", a.hint(app.lang())));
            let gap = if spans.is_empty() { 0 } else { 2 };
            let w = gap + key.chars().count() + hint.chars().count();
            if used + w > width {
                break;
            }
            used += w;
            if gap > 0 {
                spans.push(Span::raw("  "));
            }
            if *enabled {
                spans.push(Span::styled(key, theme.key()));
                spans.push(Span::raw(hint));
            } else {
                // Kept in its place, greyed: the chosen row does not allow it (the key says
                // why when pressed).
                spans.push(Span::styled(format!("{key}{hint}"), theme.dim()));
            }
        }
    }
    Line::from(spans)
}

/// A status message as the footer shows it.
fn status_text(s: &super::app::Status) -> String {
    let prefix = if s.error { "! " } else { "" };
    format!("{prefix}{}", s.text)
}

fn draw_footer(f: &mut Frame, area: Rect, app: &App) {
    f.render_widget(Clear, area);
    let theme = &app.opts.theme;
    if let Some(t) = &app.filtering {
        let text = format!("/{}", t.lines().join(""));
        // Only a handler's list has more to search than its window.
        let searchable = app.focus == Pane::Participants
            && app.participants.access == Some(crate::domain::user::Access::Individual);
        let hint = if searchable {
            tr(
                app.lang(),
                "  (Enter searches the whole intervention, Esc clears)",
                "  (Enter söker i hela insatsen, Esc rensar)",
            )
        } else {
            tr(
                app.lang(),
                "  (Enter keeps, Esc clears)",
                "  (Enter behåller, Esc rensar)",
            )
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(text, theme.key()),
                Span::raw(hint),
            ])),
            area,
        );
        return;
    }
    if let Some(s) = &app.status {
        let style = if s.error { theme.error() } else { theme.ok() };
        let lines: Vec<Line> =
            overlays::wrap_words(&status_text(s), usize::from(area.width.max(1)))
                .into_iter()
                .map(Line::from)
                .collect();
        f.render_widget(Paragraph::new(lines).style(style), area);
        return;
    }
    // The enabled commands of the pane in focus: a role is not offered what it cannot do.
    let context = panes::of(app.focus).context();
    let actions = app.footer_actions();
    let line = fitting_hints(app, context, &actions, usize::from(area.width));
    f.render_widget(Paragraph::new(line), area);
}

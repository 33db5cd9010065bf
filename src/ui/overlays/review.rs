//! The log reviewer's queue (open items first, each with its status, source, user, day and
//! size) and one finding (its entries — pseudonyms only — and its verdicts), with the keys on
//! the last lines. Times are Swedish time, as the office-hours rule reads them.

use super::{frame, wrap_words};
use crate::domain::review::time::swedish_local;
use crate::service::QueueRow;
use crate::ui::action::Action;
use crate::ui::app::{App, ReviewView};
use crate::ui::i18n::{Lang, audit_action, sv, tr};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// Cuts `text` to `width` characters, ending in "…" when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn name(app: &App, user: Option<crate::domain::ids::UserId>) -> String {
    user.and_then(|u| app.user_names.get(&u))
        .map_or_else(|| "-".to_owned(), Clone::clone)
}

fn status(row: &QueueRow, lang: Lang) -> String {
    match &row.latest {
        None => tr(lang, "not judged", "ej bedömd").to_owned(),
        Some(v) => v.kind.label(sv(lang)).to_owned(),
    }
}

pub fn review(f: &mut Frame, area: Rect, app: &App, v: &ReviewView) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let title = match (&v.detail, lang) {
        (Some(d), Lang::En) => format!("Log review: finding {}", d.item.id),
        (Some(d), Lang::Sv) => format!("Logggranskning: fynd {}", d.item.id),
        (None, _) => tr(lang, "Log review: the queue", "Logggranskning: kön").to_owned(),
    };
    let inner = frame(f, area, app, &title, 110);
    let width = usize::from(inner.width.max(1));
    let key = |a: Action| {
        app.opts
            .keymap
            .key_for(Context::Review, a)
            .map_or_else(|| "—".to_owned(), |k| k.to_string())
    };
    let hint = match (lang, v.detail.is_some()) {
        (Lang::En, false) => format!(
            "{} show the finding · {} judge · {} back to the log",
            key(Action::Open),
            key(Action::JudgeItem),
            key(Action::Back)
        ),
        (Lang::Sv, false) => format!(
            "{} visa fyndet · {} bedöm · {} tillbaka till loggen",
            key(Action::Open),
            key(Action::JudgeItem),
            key(Action::Back)
        ),
        (Lang::En, true) => format!(
            "{} judge · ↑↓ scroll · {} back to the queue",
            key(Action::JudgeItem),
            key(Action::Back)
        ),
        (Lang::Sv, true) => format!(
            "{} bedöm · ↑↓ rulla · {} tillbaka till kön",
            key(Action::JudgeItem),
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
    app.page_rows.set(usize::from(body.height.max(1)));
    match &v.detail {
        None => queue(f, body, app, v),
        Some(_) => finding(f, body, app, v),
    }
    f.render_widget(Paragraph::new(hint), keys);
}

fn queue(f: &mut Frame, body: Rect, app: &App, v: &ReviewView) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let width = usize::from(body.width.max(1));
    let open = v.page.open;
    let intro = match lang {
        Lang::En => format!(
            "{open} open of {}: findings of the review rules and sampled entries. Rules run and samples are drawn with insats audit review run / sample.",
            v.page.total
        ),
        Lang::Sv => format!(
            "{open} öppna av {}: fynd från granskningsreglerna och stickprov. Regler körs och stickprov dras med insats audit review run / sample.",
            v.page.total
        ),
    };
    let mut lines: Vec<Line> = wrap_words(&intro, width)
        .into_iter()
        .map(|l| Line::styled(l, theme.dim()))
        .collect();
    lines.push(Line::raw(""));
    if v.page.total == 0 {
        lines.push(Line::raw(tr(lang, "The queue is empty.", "Kön är tom.")));
    }
    let head = lines.len();
    let room = usize::from(body.height).saturating_sub(head).max(1);
    let start = v.selected.saturating_sub(room.saturating_sub(1));
    // Narrow (80 columns): the source cut shorter, the day without its year.
    let narrow = width < 90;
    let rows = v
        .page
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (v.page.start + i, r));
    for (i, row) in rows.skip_while(|(i, _)| *i < start).take(room) {
        let selected = i == v.selected;
        let day = if narrow {
            row.item.day.format("%m-%d").to_string()
        } else {
            row.item.day.to_string()
        };
        let entries = match lang {
            Lang::En => format!("{} entr.", row.item.matched),
            Lang::Sv => format!("{} post.", row.item.matched),
        };
        let text = format!(
            "{}{:<5} {:<18} {:<src$} {:<8} {day} {entries}",
            if selected { ">" } else { " " },
            row.item.id.to_string(),
            cut(&status(row, lang), 18),
            cut(
                row.item.source.label(sv(lang)),
                if narrow { 22 } else { 36 }
            ),
            cut(&name(app, row.item.user), 8),
            src = if narrow { 22 } else { 36 },
        );
        let style = if selected {
            theme.selected(true)
        } else if row.is_open() {
            Style::new()
        } else {
            theme.dim()
        };
        lines.push(Line::styled(cut(&text, width), style));
    }
    f.render_widget(Paragraph::new(lines), body);
}

fn finding(f: &mut Frame, body: Rect, app: &App, v: &ReviewView) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let width = usize::from(body.width.max(1));
    let Some(d) = &v.detail else {
        return;
    };
    let mut lines = vec![Line::styled(
        d.item.source.label(sv(lang)).to_owned(),
        theme.heading(true),
    )];
    let about = match lang {
        Lang::En => format!(
            "User {} · {} · matched: {} · {}",
            name(app, d.item.user),
            d.item.day,
            d.item.matched,
            d.verdicts
                .last()
                .map_or("not judged", |x| x.kind.label(false))
        ),
        Lang::Sv => format!(
            "Användare {} · {} · träffar: {} · {}",
            name(app, d.item.user),
            d.item.day,
            d.item.matched,
            d.verdicts
                .last()
                .map_or("ej bedömd", |x| x.kind.label(true))
        ),
    };
    lines.extend(wrap_words(&about, width).into_iter().map(Line::raw));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        tr(
            lang,
            "Entries (Swedish time; participants as pseudonyms)",
            "Poster (svensk tid; deltagare som pseudonymer)",
        ),
        theme.heading(true),
    ));
    for e in &d.entries {
        let at = swedish_local(e.at_ms).format("%Y-%m-%d %H:%M");
        let text = format!(
            "{:>7} {at} {:<8} {} {} {}",
            e.seq,
            cut(&name(app, e.draft.user), 8),
            audit_action(e.draft.action, lang),
            e.draft
                .intervention
                .map_or_else(String::new, |i| i.to_string()),
            e.draft.subject.map_or_else(String::new, |p| p.to_string()),
        );
        lines.push(Line::raw(cut(text.trim_end(), width)));
    }
    let more = (d.item.matched as usize).saturating_sub(d.entries.len());
    if more > 0 {
        lines.push(Line::styled(
            match lang {
                Lang::En => format!("… and {more} more entries"),
                Lang::Sv => format!("… och {more} poster till"),
            },
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        tr(lang, "Verdicts", "Bedömningar"),
        theme.heading(true),
    ));
    if d.verdicts.is_empty() {
        lines.push(Line::styled(tr(lang, "None yet.", "Inga än."), theme.dim()));
    }
    for x in &d.verdicts {
        let at = swedish_local(x.at_ms).format("%Y-%m-%d %H:%M");
        let text = format!(
            "{at} {}: {}{}",
            name(app, Some(x.reviewer)),
            x.kind.label(sv(lang)),
            if x.comment.is_empty() {
                String::new()
            } else {
                format!(" — {}", x.comment)
            }
        );
        lines.extend(wrap_words(&text, width).into_iter().map(Line::raw));
    }
    let max = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(body.height);
    f.render_widget(Paragraph::new(lines).scroll((v.scroll.min(max), 0)), body);
}

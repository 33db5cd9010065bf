//! The three panes. Each draws only the rows that fit, from the window the model holds.

use super::app::{App, Pane};
use super::i18n::{Lang, audit_action, sv, tr};
use crate::domain::user::Access;
use chrono::DateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

/// The first row to show so that `selected` (a position among `len`) stays in view.
fn scroll_start(selected: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    selected.saturating_sub(height / 2).min(len - height)
}

/// A key for "the same list and window": a scroll only happens within one.
fn list_key(parts: &[u64], filter: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    filter.hash(&mut h);
    h.finish()
}

fn marker(selected: bool) -> &'static str {
    if selected { ">" } else { " " }
}

pub fn interventions(f: &mut Frame, area: Rect, app: &App) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let focused = app.focus == Pane::Interventions && app.overlay.is_none();
    let mut title = tr(lang, "Interventions", "Insatser").to_owned();
    if !app.int_filter.is_empty() {
        title = format!("{title} /{}", app.int_filter);
    }
    let block = theme.pane(&title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let vis = app.visible_interventions();
    if vis.is_empty() {
        let text = if app.interventions.is_empty() {
            tr(
                lang,
                "No interventions in your assignments",
                "Inga insatser i dina uppdrag",
            )
        } else {
            tr(lang, "Nothing matches the filter", "Inget matchar filtret")
        };
        f.render_widget(Paragraph::new(text).style(theme.dim()), inner);
        return;
    }
    // Two lines per intervention: name, then status, period and count.
    let per = 2usize;
    let height = usize::from(inner.height) / per;
    if focused {
        app.page_rows.set(height.max(1));
    }
    let at = vis.iter().position(|i| *i == app.int_selected).unwrap_or(0);
    let start = scroll_start(at, vis.len(), height);
    let mut lines = Vec::new();
    for &i in vis.iter().skip(start).take(height) {
        let Some(v) = app.interventions.get(i) else {
            continue;
        };
        let selected = i == app.int_selected;
        let style = if selected {
            theme.selected(focused)
        } else {
            Style::new()
        };
        let end = v
            .intervention
            .end
            .map_or_else(|| "…".to_owned(), |d| d.to_string());
        lines.push(Line::styled(
            format!("{}{}", marker(selected), v.intervention.name),
            style,
        ));
        let detail = format!(
            "  {} · {}–{} · {}",
            v.status.label(sv(lang)),
            v.intervention.start.format("%Y-%m"),
            end.get(..7).unwrap_or(&end),
            v.counters.total(),
        );
        lines.push(Line::styled(
            detail,
            if selected { style } else { theme.dim() },
        ));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn participants(f: &mut Frame, area: Rect, app: &App) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let focused = app.focus == Pane::Participants && app.overlay.is_none();
    let p = &app.participants;
    let name = app
        .selected_intervention()
        .map_or("", |v| v.intervention.name.as_str());
    let mut title = format!("{} · {name}", tr(lang, "Participants", "Deltagare"));
    if !p.list.filter.is_empty() {
        title = format!("{title} /{}", p.list.filter);
    }
    if p.search.is_some() {
        let n = p.list.rows.len();
        let hits = match (lang, p.search_capped) {
            (Lang::En, true) => format!("the newest {n} hits in the whole intervention"),
            (Lang::En, false) => format!("{n} hits in the whole intervention"),
            (Lang::Sv, true) => format!("de {n} senaste träffarna i hela insatsen"),
            (Lang::Sv, false) => format!("{n} träffar i hela insatsen"),
        };
        title = format!("{title} · {hits}");
    }
    let block = theme.pane(&title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let c = p.counters;
    let anon: Vec<String> = p
        .anonymous
        .iter()
        .map(|(y, a)| {
            format!(
                "{y}: {} {} {} {}",
                a.women,
                tr(lang, "w", "k"),
                a.men,
                tr(lang, "m", "m")
            )
        })
        .collect();
    let anonymous_total: u32 = p.anonymous.iter().map(|(_, a)| a.total()).sum();
    let summary = format!(
        "{} {} · {} {} · {} {} {} · {} {anonymous_total} ({})",
        c.open,
        tr(lang, "in", "inskrivna"),
        c.ended,
        tr(lang, "out", "utskrivna"),
        c.women,
        tr(lang, "women,", "kvinnor,"),
        format_args!("{} {}", c.men, tr(lang, "men", "män")),
        tr(lang, "anonymous", "anonyma"),
        anon.join(", "),
    );
    let summary_h = 1u16;
    f.render_widget(
        Paragraph::new(summary).style(theme.dim()),
        Rect {
            height: summary_h,
            ..inner
        },
    );
    let body = Rect {
        y: inner.y + summary_h,
        height: inner.height.saturating_sub(summary_h),
        ..inner
    };
    if p.access != Some(Access::Individual) {
        let text = tr(
            lang,
            "Aggregates only: individual participants are shown only to participant handlers assigned to this intervention.",
            "Bara summor: enskilda deltagare visas bara för deltagaransvariga med uppdrag i insatsen.",
        );
        f.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            body,
        );
        return;
    }
    let vis = app.visible_participants();
    if vis.is_empty() {
        let text = if p.list.rows.is_empty() {
            tr(
                lang,
                "No participants yet. Press n to register one.",
                "Inga deltagare ännu. Tryck n för att registrera.",
            )
        } else {
            tr(lang, "Nothing matches the filter", "Inget matchar filtret")
        };
        f.render_widget(Paragraph::new(text).style(theme.dim()), body);
        return;
    }
    let height = usize::from(body.height.saturating_sub(1));
    if focused {
        app.page_rows.set(height.max(1));
    }
    let at = vis.iter().position(|i| *i == p.list.selected).unwrap_or(0);
    let start = scroll_start(at, vis.len(), height);
    let key = list_key(
        &[
            p.intervention.map_or(0, |i| i.0),
            u64::from(app.mask),
            u64::from(body.width),
            u64::from(p.search.is_some()),
        ],
        &p.list.filter,
    );
    app.mark_scroll(
        0,
        super::app::ScrollMark {
            key,
            top: body.y + 1,
            height: u16::try_from(height).unwrap_or(0),
            start: p.list.base + start,
        },
    );
    let wide = body.width >= 70;
    let rows: Vec<Row> = vis
        .iter()
        .skip(start)
        .take(height)
        .filter_map(|&i| p.list.rows.get(i).map(|r| (i, r)))
        .map(|(i, r)| {
            let selected = i == p.list.selected;
            let part = &r.participation;
            let (name, pnr) = if app.mask {
                ("••••••".to_owned(), "••••••••-••••".to_owned())
            } else {
                (r.identity.name.clone(), r.identity.pnr.to_string())
            };
            let state = part.state().label(sv(lang)).to_owned();
            let mut cells = vec![
                format!("{}{name}", marker(selected)),
                pnr,
                if part.consent_withdrawn {
                    format!("{state} ⊘")
                } else {
                    state
                },
                part.in_date.to_string(),
            ];
            if wide {
                cells.push(part.out_date.map(|d| d.to_string()).unwrap_or_default());
                let catalogue = app.session.service().catalogue();
                cells.push(
                    part.end_reason
                        .map(|e| catalogue.end_reason_label(e, sv(lang)).to_owned())
                        .unwrap_or_default(),
                );
            }
            let style = if selected {
                theme.selected(focused)
            } else {
                Style::new()
            };
            Row::new(cells).style(style)
        })
        .collect();
    let mut header = vec![
        tr(lang, " Name", " Namn"),
        tr(lang, "Personnummer", "Personnummer"),
        tr(lang, "State", "Status"),
        tr(lang, "In", "In"),
    ];
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Length(13),
        Constraint::Length(14),
        Constraint::Length(10),
    ];
    if wide {
        header.extend([tr(lang, "Out", "Ut"), tr(lang, "End reason", "Orsak")]);
        widths.extend([Constraint::Length(10), Constraint::Fill(2)]);
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.heading(true)))
        .column_spacing(1);
    f.render_widget(table, body);
}

pub fn audit(f: &mut Frame, area: Rect, app: &App) {
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
    let key = list_key(&[u64::from(inner.width)], &app.audit.filter);
    app.mark_scroll(
        1,
        super::app::ScrollMark {
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
            let when = DateTime::from_timestamp_millis(e.at_ms)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string());
            let who = e
                .draft
                .user
                .and_then(|u| app.user_names.get(&u))
                .map_or("-", String::as_str);
            let subject = e.draft.subject.map(|s| s.to_string()).unwrap_or_default();
            let fields = if e.draft.fields.is_empty() {
                String::new()
            } else {
                format!(" [{}]", e.draft.fields.join(","))
            };
            let text = format!(
                "{}{when} {who:<8} {}{} {subject}",
                marker(selected),
                audit_action(e.draft.action, lang),
                fields,
            );
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

/// The status line's left part: who, in which role, where.
pub fn identity_line(app: &App) -> String {
    let lang: Lang = app.lang();
    let user = app.session.user();
    let mut s = format!(
        "{} ({})",
        user.display_name,
        app.session.role().label(sv(lang))
    );
    if let Some(a) = &app.association {
        s.push_str(" · ");
        s.push_str(a);
    }
    s
}

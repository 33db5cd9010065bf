//! The report screen: the four reports as tabs, the year and gender shown, a bar chart of the
//! report's headline comparison, and its tables, scrolled. A hidden small cell stays hidden in
//! the chart too (an empty bar labelled "<3").

use super::frame;
use crate::service::reports::{Cell, Report, ReportKind, Table};
use crate::ui::action::Action;
use crate::ui::app::{App, ReportView};
use crate::ui::i18n::{Lang, tr};
use crate::ui::keymap::Context;
use crate::ui::reports::kind_label;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

pub fn report(f: &mut Frame, area: Rect, app: &App, r: &ReportView) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let inner = frame(
        f,
        area,
        app,
        tr(lang, "Follow-up reports", "Uppföljningsrapporter"),
        area.width,
    );
    if inner.height < 4 {
        return;
    }
    // The tabs.
    let mut spans = Vec::new();
    for k in ReportKind::ALL {
        if !spans.is_empty() {
            let bar = if theme.plain { " | " } else { " │ " };
            spans.push(Span::styled(bar, theme.dim()));
        }
        let style = if k == r.kind {
            theme.selected(true)
        } else {
            Style::new()
        };
        spans.push(Span::styled(format!(" {} ", kind_label(k, lang)), style));
    }
    let tabs_line = Line::from(spans);
    // The period and filters, and the keys.
    let who = match (r.filter.gender, lang) {
        (None, Lang::En) => "everyone",
        (None, Lang::Sv) => "alla",
        (Some(crate::domain::person::Gender::Woman), Lang::En) => "women",
        (Some(crate::domain::person::Gender::Woman), Lang::Sv) => "kvinnor",
        (Some(crate::domain::person::Gender::Man), Lang::En) => "men",
        (Some(crate::domain::person::Gender::Man), Lang::Sv) => "män",
    };
    let key = |a: Action| {
        app.opts
            .keymap
            .key_for(Context::Report, a)
            .map_or_else(|| "—".to_owned(), |k| k.to_string())
    };
    // The filters name a gender when one is chosen; otherwise say it is everyone.
    let mut first = if r.filter.gender.is_some() {
        r.report.filters.clone()
    } else {
        format!("{} · {who}", r.report.filters)
    };
    // One intervention by name (several are named by their codes in the filters).
    if let [one] = r.filter.interventions.as_slice()
        && let Some(v) = app.interventions.iter().find(|v| v.intervention.id == *one)
    {
        first.push_str(" · ");
        first.push_str(&v.intervention.name);
    }
    if let Some(below) = r.report.protected_below {
        let note = match lang {
            Lang::En => format!(
                " · counts under {below} shown as <{below} (.. hides one that would give them away)"
            ),
            Lang::Sv => format!(
                " · tal under {below} visas som <{below} (.. döljer ett tal som skulle avslöja dem)"
            ),
        };
        first.push_str(&note);
    }
    // Each hint: its keys (from the keymap), then its word in the user's language.
    let hints: [(&[Action], &str, &str); 9] = [
        (
            &[Action::NextReport, Action::PrevReport],
            "report",
            "rapport",
        ),
        (&[Action::PrevYear, Action::NextYear], "year", "år"),
        (
            &[Action::ReportFilter],
            "period & filters",
            "period & urval",
        ),
        (&[Action::ReportGender], "women/men", "kvinnor/män"),
        (&[Action::ReportIntervention], "intervention", "insats"),
        (&[Action::ReportAge], "age", "ålder"),
        (&[], "←→ wide tables", "←→ breda tabeller"),
        (&[Action::ExportReport], "export", "exportera"),
        (&[Action::Back], "close", "stäng"),
    ];
    let keys = hints
        .iter()
        .map(|(actions, en, sv)| {
            let word = tr(lang, en, sv);
            if actions.is_empty() {
                word.to_owned()
            } else {
                let keys: Vec<String> = actions.iter().map(|a| key(*a)).collect();
                format!("{} {word}", keys.join("/"))
            }
        })
        .collect::<Vec<_>>()
        .join(" · ");
    // The keys wrap rather than lose their end at 80 columns.
    let width = usize::from(inner.width.max(1));
    let mut head_lines: Vec<Line> = super::wrap_words(&first, width)
        .into_iter()
        .map(|l| Line::styled(l, theme.heading(true)))
        .collect();
    for l in super::wrap_words(&keys, width) {
        head_lines.push(Line::styled(l, theme.dim()));
    }
    let head_h = u16::try_from(head_lines.len()).unwrap_or(2);
    let chart_h = if inner.height >= 18 { 8 } else { 0 };
    let [tabs, head, chart, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(head_h),
        Constraint::Length(chart_h),
        Constraint::Fill(1),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(tabs_line), tabs);
    f.render_widget(Paragraph::new(head_lines), head);
    if chart_h > 0 {
        draw_chart(f, chart, app, &r.report);
    }
    // The tables, as the command line prints them (without the head shown above).
    let sv = lang == Lang::Sv;
    let text = crate::cli::report::text(&r.report, sv);
    let skip = 2 + usize::from(r.report.protected_below.is_some());
    let body_width = usize::from(body.width.max(1));
    let mut lines: Vec<Line> = Vec::new();
    for l in text.lines().skip(skip) {
        if r.report.tables.iter().any(|t| t.title == l) {
            lines.push(Line::styled(l.to_owned(), theme.heading(true)));
        } else if r.report.notes.iter().any(|n| n == l) {
            // Notes wrap (and do not scroll sideways with the tables).
            let pad = " ".repeat(usize::from(r.hscroll));
            for w in super::wrap_words(l, body_width) {
                lines.push(Line::styled(format!("{pad}{w}"), theme.dim()));
            }
        } else {
            lines.push(Line::raw(l.to_owned()));
        }
    }
    app.page_rows.set(usize::from(body.height.max(1)));
    let max = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let scroll = r.scroll.min(max.saturating_sub(body.height));
    f.render_widget(Paragraph::new(lines).scroll((scroll, r.hscroll)), body);
}

/// Groups of bars: (group label, [(bar label, cell)]).
type Groups = Vec<(String, Vec<(String, Cell)>)>;

/// The chart of a report: its title and its groups of bars.
fn chart_data(report: &Report, lang: Lang) -> (String, Groups) {
    let find = |prefix: &str| report.tables.iter().find(|t| t.title.starts_with(prefix));
    let pick = |t: &Table, cols: &[(usize, &str)]| -> Groups {
        t.rows
            .iter()
            .map(|r| {
                (
                    r.label.clone(),
                    cols.iter()
                        .map(|(c, name)| {
                            (
                                (*name).to_owned(),
                                r.cells.get(*c).cloned().unwrap_or(Cell::Count(0)),
                            )
                        })
                        .collect(),
                )
            })
            .collect()
    };
    let (before, after) = (tr(lang, "before", "före"), tr(lang, "after", "efter"));
    match report.kind {
        ReportKind::Results => report.tables.get(1).map_or_else(
            || (String::new(), Vec::new()),
            |t| (t.title.clone(), pick(t, &[(2, before), (5, after)])),
        ),
        ReportKind::Background => find(tr(lang, "Age at", "Ålder vid")).map_or_else(
            || (String::new(), Vec::new()),
            |t| (t.title.clone(), pick(t, &[(2, "")])),
        ),
        ReportKind::Interventions => report.tables.first().map_or_else(
            || (String::new(), Vec::new()),
            |t| {
                (
                    tr(lang, "Participants against plan", "Deltagare mot plan").to_owned(),
                    pick(
                        t,
                        &[
                            (11, tr(lang, "actual", "utfall")),
                            (12, tr(lang, "planned", "plan")),
                        ],
                    ),
                )
            },
        ),
        ReportKind::Costs => report.tables.first().map_or_else(
            || (String::new(), Vec::new()),
            |t| {
                (
                    tr(lang, "Budget and outcome (kr)", "Budget och utfall (kr)").to_owned(),
                    pick(
                        t,
                        &[
                            (1, tr(lang, "budget", "budget")),
                            (2, tr(lang, "outcome", "utfall")),
                        ],
                    ),
                )
            },
        ),
    }
}

fn draw_chart(f: &mut Frame, area: Rect, app: &App, report: &Report) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let (title, groups) = chart_data(report, lang);
    if groups.is_empty() {
        return;
    }
    let [head, bars] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    f.render_widget(Paragraph::new(title).style(theme.dim()), head);
    let per_group: u16 = groups
        .first()
        .map_or(1, |(_, b)| u16::try_from(b.len()).unwrap_or(1));
    // Bars as wide as the groups let them be, at least 3 columns for a number.
    let n = u16::try_from(groups.len()).unwrap_or(u16::MAX).max(1);
    let width = (bars.width / n).saturating_sub(1) / per_group.max(1);
    let width = width.clamp(3, 9);
    let mut chart = BarChart::default()
        .bar_width(width)
        .bar_gap(0)
        .group_gap(1)
        .bar_style(theme.key())
        .value_style(theme.heading(true));
    for (label, values) in &groups {
        let label: String = label.chars().take(usize::from(width * per_group)).collect();
        let bars_of: Vec<Bar> = values
            .iter()
            .map(|(name, cell)| {
                let (value, text) = match cell {
                    Cell::Count(n) => (*n, n.to_string()),
                    Cell::Kronor(Some(n)) => (*n, short_kronor(*n)),
                    Cell::Hidden { below } => (0, format!("<{below}")),
                    Cell::Suppressed => (0, "..".to_owned()),
                    other => (0, other.text(lang == Lang::Sv)),
                };
                Bar::default()
                    .value(value)
                    .text_value(text)
                    .label(Line::from(name.clone()))
            })
            .collect();
        chart = chart.data(BarGroup::default().label(Line::from(label)).bars(&bars_of));
    }
    f.render_widget(chart, bars);
}

/// Kronor in a bar's few columns: 1 250 000 → "1.3M", 95 000 → "95k".
fn short_kronor(n: u64) -> String {
    if n >= 1_000_000 {
        #[allow(clippy::cast_precision_loss)]
        let m = n as f64 / 1e6;
        format!("{m:.1}M")
    } else if n >= 1_000 {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

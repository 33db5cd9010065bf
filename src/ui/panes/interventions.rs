//! The interventions this user reaches: status, period and counts.

use super::{PaneView, marker, scroll_start};
use crate::ui::action::Action;
use crate::ui::app::{App, Pane};
use crate::ui::commands::{CommandInfo, moving};
use crate::ui::i18n::{sv, tr};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// The interventions this user reaches: status, period and counts.
#[derive(Debug)]
pub struct Interventions;

impl PaneView for Interventions {
    fn pane(&self) -> Pane {
        Pane::Interventions
    }

    fn context(&self) -> Context {
        Context::Interventions
    }

    fn commands(&self, app: &App) -> Vec<CommandInfo> {
        let lang = app.lang();
        let mut out: Vec<CommandInfo> = moving(&[
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::Top,
            Action::Bottom,
            Action::Filter,
        ])
        .collect();
        let any = if app.visible_interventions().is_empty() {
            Err(tr(lang, "No intervention to open", "Ingen insats att öppna").to_owned())
        } else {
            Ok(())
        };
        out.push(CommandInfo::when(Action::Open, any));
        for a in [
            Action::EditIntervention,
            Action::SetPlan,
            Action::SetVolume,
            Action::EditAssociation,
        ] {
            out.push(CommandInfo::when(a, app.keeping_check(a)));
        }
        // No personal data in it: every role that reaches the intervention may read it.
        out.push(CommandInfo::when(
            Action::ProcessingRecord,
            app.selected_intervention().map(|_| ()).ok_or_else(|| {
                tr(lang, "Choose an intervention first", "Välj en insats först").to_owned()
            }),
        ));
        out.extend(moving(&[Action::PrevYear, Action::NextYear]));
        out
    }

    fn footer(&self) -> &'static [Action] {
        &[
            Action::Help,
            Action::Open,
            Action::EditIntervention,
            Action::SetPlan,
            Action::SetVolume,
            Action::Filter,
            Action::NextPane,
            Action::Lookup,
            Action::SwitchRole,
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
    let focused = app.focus == Pane::Interventions && app.overlay.is_none();
    // The budget year whose planned and actual participants are shown ([ and ] change it).
    let mut title = format!("{} · {}", tr(lang, "Interventions", "Insatser"), app.year);
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
    // Three lines per intervention: name; status, count and period; the year's participants
    // against its plan.
    let per = 3usize;
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
        // The count before the period, so a narrow pane cuts the dates, not the number.
        let detail = super::fit(
            &format!(
                "  {} · {} · {}–{}",
                v.status.label(sv(lang)),
                v.counters.total(),
                v.intervention.start.format("%Y-%m"),
                end.get(..7).unwrap_or(&end),
            ),
            usize::from(inner.width),
        );
        lines.push(Line::styled(
            detail,
            if selected { style } else { theme.dim() },
        ));
        lines.push(Line::styled(
            super::fit(
                &year_line(lang, v, inner.width >= 34),
                usize::from(inner.width),
            ),
            if selected { style } else { theme.dim() },
        ));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// "  2026: 155 of 200 planned (78 %)", or narrow "  2026: 155/200 (78%)"; "no plan" without
/// one.
fn year_line(
    lang: crate::ui::i18n::Lang,
    v: &crate::service::InterventionView,
    wide: bool,
) -> String {
    let y = &v.year;
    let actual = y.actual();
    match (y.planned, y.percent_of_plan(), wide) {
        (Some(p), Some(pct), true) => match lang {
            crate::ui::i18n::Lang::En => format!("  {}: {actual} of {p} planned ({pct} %)", y.year),
            crate::ui::i18n::Lang::Sv => {
                format!("  {}: {actual} av {p} planerade ({pct} %)", y.year)
            }
        },
        (Some(p), Some(pct), false) => format!("  {}: {actual}/{p} ({pct}%)", y.year),
        (Some(p), None, _) => format!("  {}: {actual}/{p}", y.year),
        (None, _, _) => format!(
            "  {}: {actual}, {}",
            y.year,
            tr(lang, "no plan", "ingen plan")
        ),
    }
}

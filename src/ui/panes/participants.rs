//! The selected intervention's participants (handlers) or its aggregates (every other role).

use super::{PaneView, list_key, marker, scroll_start};
use crate::domain::participation::State;
use crate::domain::user::Access;
use crate::ui::action::Action;
use crate::ui::app::{App, Pane};
use crate::ui::commands::{CommandInfo, moving};
use crate::ui::i18n::{Lang, sv, tr};
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Paragraph, Row, Table};

/// The selected intervention's participants (handlers) or its aggregates (every other role).
#[derive(Debug)]
pub struct Participants;

impl PaneView for Participants {
    fn pane(&self) -> Pane {
        Pane::Participants
    }

    fn context(&self) -> Context {
        Context::Participants
    }

    fn commands(&self, app: &App) -> Vec<CommandInfo> {
        participant_commands(app)
    }

    fn footer(&self) -> &'static [Action] {
        &[
            Action::Help,
            Action::Open,
            Action::RecordConsent,
            Action::RegisterOut,
            Action::RegisterAnonymous,
            Action::Filter,
            Action::Lookup,
            Action::Back,
        ]
    }

    fn keeps_slot(&self, action: Action, app: &App) -> bool {
        action == Action::RegisterOut
            && app
                .selected_intervention()
                .is_some_and(|v| v.require_handler().is_ok())
    }

    fn draw(&self, f: &mut Frame, area: Rect, app: &App) {
        draw_pane(f, area, app);
    }
}

fn draw_pane(f: &mut Frame, area: Rect, app: &App) {
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
            (Lang::En, false) if n == 1 => "1 hit in the whole intervention".to_owned(),
            (Lang::En, false) => format!("{n} hits in the whole intervention"),
            (Lang::Sv, false) if n == 1 => "1 träff i hela insatsen".to_owned(),
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
    let summary = summary_line(lang, &c, &p.anonymous);
    // The summary wraps onto a second line rather than losing its end (this year's anonymous
    // count comes first there).
    let width = usize::from(inner.width.max(1));
    let summary_h: u16 = if summary.chars().count() > width {
        2
    } else {
        1
    };
    f.render_widget(
        Paragraph::new(summary)
            .style(theme.dim())
            .wrap(ratatui::widgets::Wrap { trim: true }),
        Rect {
            height: summary_h.min(inner.height),
            ..inner
        },
    );
    let mut body = Rect {
        y: inner.y + summary_h,
        height: inner.height.saturating_sub(summary_h),
        ..inner
    };
    // Consents recorded but not used: a reminder with the key that shows them.
    if p.access == Some(Access::Individual) && p.unused > 0 && body.height > 2 {
        let key = app
            .opts
            .keymap
            .key_for(Context::Participants, Action::UnusedConsents)
            .map_or_else(String::new, |k| k.to_string());
        let text = match (lang, p.unused) {
            (Lang::En, 1) => format!("1 consent not yet used: {key} shows it"),
            (Lang::En, n) => format!("{n} consents not yet used: {key} shows them"),
            (Lang::Sv, 1) => format!("1 samtycke som inte använts: {key} visar det"),
            (Lang::Sv, n) => format!("{n} samtycken som inte använts: {key} visar dem"),
        };
        f.render_widget(
            Paragraph::new(text).style(theme.warning()),
            Rect { height: 1, ..body },
        );
        body.y += 1;
        body.height -= 1;
    }
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
        let new_key = app
            .opts
            .keymap
            .key_for(Context::Participants, Action::RecordConsent)
            .map_or_else(String::new, |k| k.to_string());
        let text = if p.search.is_some() {
            tr(
                lang,
                "No one in the whole intervention matches the search",
                "Ingen i hela insatsen matchar sökningen",
            )
            .to_owned()
        } else if !p.list.rows.is_empty() {
            tr(lang, "Nothing matches the filter", "Inget matchar filtret").to_owned()
        } else if c.identified() > 0 {
            tr(lang, "No participants here", "Inga deltagare här").to_owned()
        } else {
            match lang {
                Lang::En => format!("No participants yet. Press {new_key} to register one."),
                Lang::Sv => format!("Inga deltagare ännu. Tryck {new_key} för att registrera."),
            }
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
        crate::ui::app::ScrollMark {
            key,
            top: body.y + 1,
            height: u16::try_from(height).unwrap_or(0),
            start: p.list.base + start,
        },
    );
    let wide = body.width >= 70;
    // Narrow (an 80-column terminal): the state in one short word, so names get the room.
    let narrow = body.width < 60;
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
            let state = if narrow {
                match part.state() {
                    crate::domain::participation::State::RegisteredIn => tr(lang, "in", "in"),
                    crate::domain::participation::State::RegisteredOut => tr(lang, "out", "ut"),
                }
                .to_owned()
            } else {
                part.state().label(sv(lang)).to_owned()
            };
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
        if narrow {
            tr(lang, "State", "Läge")
        } else {
            tr(lang, "State", "Status")
        },
        tr(lang, "In", "In"),
    ];
    let mut widths = vec![
        Constraint::Fill(3),
        Constraint::Length(13),
        Constraint::Length(if narrow { 5 } else { 14 }),
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

/// The participant commands, for the participants pane and the participant record: only a
/// participant handler assigned to the intervention acts on individuals (the service's rule and
/// words); most commands also need a participant chosen, and registering out one still in.
pub fn participant_commands(app: &App) -> Vec<CommandInfo> {
    let lang = app.lang();
    let handler = match app.selected_intervention() {
        None => Err(tr(lang, "Choose an intervention first", "Välj en insats först").to_owned()),
        Some(v) => v.require_handler().map_err(|e| e.message(lang)),
    };
    let state = app.selected_state();
    let chosen = || {
        handler.clone().and_then(|()| {
            state.map(|_| ()).ok_or_else(|| {
                tr(
                    lang,
                    "Choose a participant first",
                    "Välj en deltagare först",
                )
                .to_owned()
            })
        })
    };
    let still_in = chosen().and_then(|()| {
        if state == Some(State::RegisteredIn) {
            Ok(())
        } else {
            Err(tr(lang, "Already registered out", "Redan utskriven").to_owned())
        }
    });
    let mut out: Vec<CommandInfo> = moving(&[
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Filter,
        Action::Back,
    ])
    .collect();
    out.extend([
        CommandInfo::when(Action::Open, chosen()),
        CommandInfo::when(Action::RecordConsent, handler.clone()),
        CommandInfo::when(Action::RegisterAnonymous, handler.clone()),
        CommandInfo::when(Action::UnusedConsents, handler.clone()),
        // No personal data in it: every role that reaches the intervention may show it.
        CommandInfo::when(
            Action::ParticipantInformation,
            app.selected_intervention().map(|_| ()).ok_or_else(|| {
                tr(lang, "Choose an intervention first", "Välj en insats först").to_owned()
            }),
        ),
        CommandInfo::when(Action::RegisterOut, still_in),
        CommandInfo::when(Action::CorrectAnswers, chosen()),
        CommandInfo::when(Action::WithdrawConsent, chosen()),
        CommandInfo::when(Action::MarkProtected, chosen()),
        CommandInfo::when(Action::Misregister, chosen()),
    ]);
    out
}

/// "155 in · 212 out · 182 women, 185 men · anonymous 30 (2026: 2 w 1 m, 2025: …)", the newest
/// budget year first, with singulars where a count is one.
fn summary_line(
    lang: Lang,
    c: &crate::domain::report::Counters,
    anonymous: &[(
        crate::domain::date::Year,
        crate::domain::anonymous::AnonymousCount,
    )],
) -> String {
    let women = match (lang, c.women) {
        (Lang::En, 1) => "1 woman".to_owned(),
        (Lang::En, n) => format!("{n} women"),
        (Lang::Sv, 1) => "1 kvinna".to_owned(),
        (Lang::Sv, n) => format!("{n} kvinnor"),
    };
    let men = match (lang, c.men) {
        (_, 1) => "1 man".to_owned(),
        (Lang::En, n) => format!("{n} men"),
        (Lang::Sv, n) => format!("{n} män"),
    };
    let total: u32 = anonymous.iter().map(|(_, a)| a.total()).sum();
    let anon = if total == 0 {
        tr(lang, "no anonymous", "inga anonyma").to_owned()
    } else {
        let years: Vec<String> = anonymous
            .iter()
            .rev()
            .filter(|(_, a)| a.total() > 0)
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
        format!(
            "{} {total} ({})",
            tr(lang, "anonymous", "anonyma"),
            years.join(", ")
        )
    };
    format!(
        "{} {} · {} {} · {women}, {men} · {anon}",
        c.open,
        tr(lang, "in", "inskrivna"),
        c.ended,
        tr(lang, "out", "utskrivna"),
    )
}

//! Dialogs over the panes: help (from the keymap), confirmations, personnummer look-up, one
//! participant's record, the role switch, and the lock screen.

use super::app::{App, Confirm, ConfirmKind, Lookup};
use super::forms::dialog_area;
use super::i18n::{sv, tr};
use super::keymap::Context;
use crate::domain::consent::Signer;
use crate::domain::questionnaire::{AnswerValue, compare};
use crate::service::{ParticipantDetail, SwitchTarget};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

fn frame(f: &mut Frame, area: Rect, app: &App, title: &str, max_w: u16) -> Rect {
    let area = dialog_area(area, max_w);
    f.render_widget(Clear, area);
    let block = app.opts.theme.dialog(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// The keys of the active keymap this user can use where they are — the pane in focus, then
/// everywhere, then in forms and dialogs — in the user's language; what cannot be done here is
/// named with its reason at the end.
pub fn help(f: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let keymap_name = match app.opts.keymap.name.as_str() {
        "default" => tr(lang, "default keymap", "standardtangenter"),
        "vim" => tr(lang, "vim keymap", "vim-tangenter"),
        _ => tr(lang, "your keymap", "din tangentfil"),
    };
    let title = format!("{} · {keymap_name}", tr(lang, "Help", "Hjälp"));
    let inner = frame(f, area, app, &title, 90);
    let commands = app.commands();
    let here = super::panes::of(app.focus).context();
    let mut lines = Vec::new();
    let order = std::iter::once(here).chain(Context::ALL.into_iter().filter(|c| {
        !matches!(
            c,
            Context::Interventions | Context::Participants | Context::Audit
        )
    }));
    for context in order {
        let pane_or_global = context == here || context == Context::Global;
        let bindings: Vec<_> = app
            .opts
            .keymap
            .bindings(context)
            .iter()
            .filter(|b| {
                !pane_or_global || commands.iter().any(|c| c.action == b.action && c.enabled())
            })
            .collect();
        if bindings.is_empty() {
            continue;
        }
        let heading = match context {
            Context::Global => tr(lang, "Everywhere", "Överallt"),
            Context::Interventions => tr(lang, "Interventions", "Insatser"),
            Context::Participants => tr(lang, "Participants", "Deltagare"),
            Context::Audit => tr(lang, "Audit log", "Logg"),
            Context::Form => tr(lang, "Forms", "Formulär"),
            Context::Help => tr(lang, "Help", "Hjälp"),
            Context::Confirm => tr(lang, "Dialogs", "Dialoger"),
        };
        lines.push(Line::styled(heading.to_owned(), theme.heading(true)));
        for b in bindings {
            // Shipped keymaps carry English descriptions; Swedish comes from the action.
            let text = if lang == crate::service::Lang::En && !b.desc.is_empty() {
                b.desc.clone()
            } else {
                b.action.label(lang).to_owned()
            };
            let cond = match b.when {
                Some(super::keymap::When::RegisteredIn) => {
                    tr(lang, " (when registered in)", " (när inskriven)")
                }
                Some(super::keymap::When::RegisteredOut) => {
                    tr(lang, " (when registered out)", " (när utskriven)")
                }
                None => "",
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12}", b.key.to_string()), theme.key()),
                Span::raw(format!("{text}{cond}")),
            ]));
        }
        lines.push(Line::raw(""));
    }
    let mut reasons: Vec<&str> = Vec::new();
    for c in &commands {
        if let Some(r) = &c.disabled
            && !reasons.contains(&r.as_str())
        {
            reasons.push(r);
        }
    }
    if !reasons.is_empty() {
        lines.push(Line::styled(
            tr(lang, "Not here, and why", "Inte här, och varför").to_owned(),
            theme.heading(true),
        ));
        let width = usize::from(inner.width.saturating_sub(2)).max(20);
        for r in reasons {
            for part in wrap_words(r, width) {
                lines.push(Line::styled(format!("  {part}"), theme.dim()));
            }
        }
    }
    let max = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_sub(inner.height);
    f.render_widget(Paragraph::new(lines).scroll((scroll.min(max), 0)), inner);
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word stands on a
/// line of its own), so a reason is never cut off.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

pub fn confirm(f: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let (title, text) = match c.kind {
        ConfirmKind::Misregister => (
            tr(
                lang,
                "Misregistration: erase everything",
                "Felregistrering: radera allt",
            ),
            tr(
                lang,
                "The participation should never have been registered. Everything about it is erased: the registration, the answers, the consent and, if nothing else refers to them, the person. Only a pseudonymous log entry remains. This cannot be undone.",
                "Deltagandet skulle aldrig ha registrerats. Allt om det raderas: registreringen, svaren, samtycket och, om inget annat hänvisar till personen, personen. Bara en pseudonym loggpost finns kvar. Det går inte att ångra.",
            ),
        ),
        ConfirmKind::Protected => (
            tr(lang, "Protected identity", "Skyddad identitet"),
            tr(
                lang,
                "The person has protected identity. Every participation of theirs becomes one anonymous participant (gender and start year only); name, personnummer and answers are erased. This cannot be undone.",
                "Personen har skyddad identitet. Varje deltagande blir en anonym deltagare (bara kön och startår); namn, personnummer och svar raderas. Det går inte att ångra.",
            ),
        ),
        ConfirmKind::Withdraw => (
            tr(lang, "Consent withdrawn", "Samtycke återkallat"),
            tr(
                lang,
                "The person has withdrawn consent. From now on no new personal data about them may be recorded: no corrections, no new answers. What is registered stays for the statistics.",
                "Personen har återkallat sitt samtycke. Från nu får inga nya personuppgifter registreras: inga rättelser, inga nya svar. Det som är registrerat finns kvar för statistiken.",
            ),
        ),
    };
    let inner = frame(f, area, app, title, 72);
    let mut lines = vec![Line::raw(text.to_owned()), Line::raw("")];
    if let Some(word) = c.word {
        lines.push(Line::from(vec![
            Span::raw(tr(lang, "Type ", "Skriv ")),
            Span::styled(word, theme.key()),
            Span::raw(tr(
                lang,
                " and press Enter to erase: ",
                " och tryck Enter för att radera: ",
            )),
            Span::styled(c.typed.lines().join(""), theme.heading(true)),
            Span::styled("_", theme.key()),
        ]));
    } else {
        lines.push(Line::raw(tr(
            lang,
            "Enter confirms, Esc cancels.",
            "Enter bekräftar, Esc avbryter.",
        )));
    }
    if let Some(r) = &c.refusal {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("! {r}"), theme.error()));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

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

fn answer_text(app: &App, catalogue_q: &str, v: Option<&AnswerValue>) -> String {
    let Some(v) = v else { return "-".to_owned() };
    let cat = app.session.service().catalogue();
    let label = |k: &str| {
        cat.option_label(catalogue_q, k, sv(app.lang()))
            .unwrap_or(k)
            .to_owned()
    };
    match v {
        AnswerValue::One(k) => label(k),
        AnswerValue::Many(ks) => ks.iter().map(|k| label(k)).collect::<Vec<_>>().join(", "),
    }
}

/// One participant's record (opening it was logged by the service).
pub fn detail(f: &mut Frame, area: Rect, app: &App, d: &ParticipantDetail) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let p = &d.row.participation;
    let (name, pnr) = if app.mask {
        ("••••••".to_owned(), "••••••••-••••".to_owned())
    } else {
        (d.row.identity.name.clone(), d.row.identity.pnr.to_string())
    };
    let inner = frame(
        f,
        area,
        app,
        &format!("{} · {}", tr(lang, "Participant", "Deltagare"), p.pseudonym),
        100,
    );
    let kv = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<22}"), theme.heading(true)),
            Span::raw(v),
        ])
    };
    let mut lines = vec![
        kv(tr(lang, "Name", "Namn"), name),
        kv(tr(lang, "Personnummer", "Personnummer"), pnr),
        kv(
            tr(lang, "Municipality", "Kommun"),
            format!("{:04}", d.row.identity.municipality.0),
        ),
        kv(tr(lang, "State", "Status"), {
            let mut s = p.state().label(sv(lang)).to_owned();
            if p.consent_withdrawn {
                s.push_str(tr(lang, " · consent withdrawn", " · samtycke återkallat"));
            }
            s
        }),
        kv(
            tr(lang, "In / out", "In / ut"),
            format!(
                "{} / {}",
                p.in_date,
                p.out_date.map_or_else(|| "-".into(), |d| d.to_string())
            ),
        ),
    ];
    if let Some(r) = p.end_reason {
        lines.push(kv(
            tr(lang, "End reason", "Avslutningsorsak"),
            app.session
                .service()
                .catalogue()
                .end_reason_label(r, sv(lang))
                .to_owned(),
        ));
    }
    if let Some(c) = &d.consent {
        let by = match c.evidence.signed_by {
            Signer::Participant => tr(lang, "participant", "deltagaren"),
            Signer::Guardian => tr(lang, "guardian", "vårdnadshavare"),
        };
        lines.push(kv(
            tr(lang, "Consent (9443)", "Samtycke (9443)"),
            format!(
                "{} · {by} · {}",
                c.evidence.signed_on, c.evidence.received_by
            ),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{:<30} {:<24} {}",
            tr(lang, "Question", "Fråga"),
            tr(lang, "Before", "Före"),
            tr(lang, "After", "Efter")
        ),
        theme.heading(true),
    ));
    let after = p.answers_out.clone().unwrap_or_default();
    let cat = app.session.service().catalogue();
    for ch in compare(&p.answers_in, &after) {
        let q = cat
            .question(&ch.question)
            .map_or(ch.question.clone(), |q| q.label(sv(lang)).to_owned());
        let mark = if ch.changed && p.answers_out.is_some() {
            "*"
        } else {
            " "
        };
        lines.push(Line::raw(format!(
            "{mark}{:<29} {:<24} {}",
            q.chars().take(29).collect::<String>(),
            answer_text(app, &ch.question, ch.before.as_ref())
                .chars()
                .take(24)
                .collect::<String>(),
            if p.answers_out.is_some() {
                answer_text(app, &ch.question, ch.after.as_ref())
            } else {
                String::new()
            },
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(tr(lang, "Opening this record was logged. Esc closes; o register out, c correct, w consent withdrawn, p protected identity, x misregistration.", "Att öppna uppgifterna loggades. Esc stänger; o skriv ut, c rätta, w återkallat samtycke, p skyddad identitet, x felregistrering."), theme.dim()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub fn roles(f: &mut Frame, area: Rect, app: &App, targets: &[SwitchTarget], selected: usize) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let title = if app.session.is_demo() {
        tr(
            lang,
            "Switch user and role (demo only)",
            "Byt användare och roll (bara demo)",
        )
    } else {
        tr(lang, "Switch role", "Byt roll")
    };
    let inner = frame(f, area, app, title, 70);
    let height = usize::from(inner.height);
    let start = selected.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = targets
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, t)| {
            let style = if i == selected {
                theme.selected(true)
            } else {
                Style::new()
            };
            Line::styled(
                format!(
                    "{}{:<8} {:<22} {}",
                    if i == selected { ">" } else { " " },
                    t.username,
                    t.display_name,
                    t.role.label(sv(lang))
                ),
                style,
            )
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// The lock screen: no personal data, no lists; the unsaved form stays behind it.
pub fn lock(f: &mut Frame, area: Rect, app: &App) {
    let lang = app.lang();
    f.render_widget(Clear, area);
    let inner = frame(f, area, app, tr(lang, "Locked", "Låst"), 60);
    let mut lines = vec![
        Line::raw(""),
        Line::raw(tr(
            lang,
            "The screen is locked and personal data is hidden.",
            "Skärmen är låst och personuppgifter är dolda.",
        )),
        Line::raw(""),
        Line::raw(format!(
            "{}: {}",
            tr(lang, "Signed in", "Inloggad"),
            app.session.user().username
        )),
        Line::raw(tr(
            lang,
            "Press Enter to continue.",
            "Tryck Enter för att fortsätta.",
        )),
    ];
    if app
        .overlay
        .as_ref()
        .is_some_and(|o| matches!(o, super::app::Overlay::Form(_)))
    {
        lines.push(Line::raw(""));
        lines.push(Line::raw(tr(
            lang,
            "Your unsaved form is kept.",
            "Ditt osparade formulär finns kvar.",
        )));
    }
    f.render_widget(Paragraph::new(lines).centered(), inner);
}

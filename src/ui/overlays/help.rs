//! Help: the keys the user can use where they are, and what is not possible there and why.

use super::frame;
use super::wrap_words;
use crate::ui::app::App;
use crate::ui::i18n::tr;
use crate::ui::keymap::Context;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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
    let here = crate::ui::panes::of(app.focus).context();
    let mut lines = Vec::new();
    let order = std::iter::once(here).chain(Context::ALL.iter().copied().filter(|c| {
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
        // The unused-consent list is only for those who can open it.
        let reachable = context != Context::Consents
            || commands
                .iter()
                .any(|c| c.action == crate::ui::action::Action::UnusedConsents && c.enabled());
        // So is the review queue (log reviewers, from the audit pane).
        let reachable = reachable
            && (context != Context::Review
                || commands
                    .iter()
                    .any(|c| c.action == crate::ui::action::Action::ReviewQueue && c.enabled()));
        if bindings.is_empty() || !reachable {
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
            Context::Consents => tr(lang, "Unused consents", "Oanvända samtycken"),
            Context::Report => tr(lang, "Reports", "Rapporter"),
            Context::Information => tr(
                lang,
                "Information to the participant",
                "Information till deltagaren",
            ),
            Context::Record => tr(
                lang,
                "Record of processing activities",
                "Register över behandling",
            ),
            Context::Review => tr(lang, "Log review", "Logggranskning"),
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
                Some(crate::ui::keymap::When::RegisteredIn) => {
                    tr(lang, " (when registered in)", " (när inskriven)")
                }
                Some(crate::ui::keymap::When::RegisteredOut) => {
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

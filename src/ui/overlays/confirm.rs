//! The confirmation of a far-reaching change; erasing ones need a typed word.

use super::frame;
use crate::ui::app::{App, Confirm, ConfirmKind};
use crate::ui::i18n::tr;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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
        ConfirmKind::RemoveConsent => (
            tr(
                lang,
                "Remove an unused consent",
                "Ta bort ett oanvänt samtycke",
            ),
            tr(
                lang,
                "No registration uses this consent. It is erased, and so is the person if nothing else refers to them. Only a pseudonymous log entry remains. This cannot be undone; a new registration needs a new consent.",
                "Ingen registrering använder samtycket. Det raderas, och personen med om inget annat hänvisar till hen. Bara en pseudonym loggpost finns kvar. Det går inte att ångra; en ny registrering kräver ett nytt samtycke.",
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
    // Whom it is about, before anything is decided (masked names stay masked).
    let (name, pnr) = if app.mask {
        ("••••••".to_owned(), "••••••••-••••".to_owned())
    } else {
        (c.who.name.clone(), c.who.pnr.to_string())
    };
    let mut lines = vec![
        Line::styled(format!("{name} · {pnr}"), theme.heading(true)),
        Line::raw(format!("{} · {}", c.intervention_name, c.when)),
        Line::raw(""),
        Line::raw(text.to_owned()),
        Line::raw(""),
    ];
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

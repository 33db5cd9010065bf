//! The lock screen and the unlock-code form. A code is never drawn: each typed character shows
//! as one mask sign.

use super::{frame, wrap_words};
use crate::ui::action::Action;
use crate::ui::app::{App, Overlay};
use crate::ui::i18n::{Lang, tr};
use crate::ui::keymap::Context;
use crate::ui::unlock::CodeForm;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// What stands for one typed character of a code.
fn masked(app: &App, code: &str) -> String {
    let sign = if app.opts.theme.plain { "*" } else { "•" };
    sign.repeat(code.chars().count())
}

/// The key `action` has in `context`, as the keymap names it.
fn key_of(app: &App, context: Context, action: Action) -> String {
    app.opts
        .keymap
        .key_for(context, action)
        .map_or_else(|| action.key().to_owned(), |k| k.to_string())
}

/// `text` wrapped to `width`, each line in `style`.
fn wrapped(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap_words(text, width)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect()
}

/// The lock screen: no personal data, no lists; the unsaved form stays behind it.
pub fn lock(f: &mut Frame, area: Rect, app: &App) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    f.render_widget(Clear, area);
    let inner = frame(f, area, app, tr(lang, "Locked", "Låst"), 64);
    // A column of air on each side of the centred lines.
    let width = usize::from(inner.width.saturating_sub(2).max(1));
    let enter = key_of(app, Context::Confirm, Action::Submit);
    let mut lines = vec![Line::raw("")];
    lines.extend(wrapped(
        tr(
            lang,
            "The screen is locked and personal data is hidden.",
            "Skärmen är låst och personuppgifter är dolda.",
        ),
        width,
        Style::new(),
    ));
    lines.push(Line::raw(""));
    lines.push(Line::raw(format!(
        "{}: {}",
        tr(lang, "Signed in", "Inloggad"),
        app.session.user().username
    )));
    lines.push(Line::raw(""));
    if app.lock.has_code {
        lines.push(Line::from(vec![
            Span::raw(format!("{}: ", tr(lang, "Unlock code", "Upplåsningskod"))),
            Span::styled(format!("{}_", masked(app, &app.lock.typed)), theme.key()),
        ]));
        let esc = key_of(app, Context::Confirm, Action::Cancel);
        let how = match lang {
            Lang::En => format!("Type your unlock code; {enter} unlocks, {esc} clears."),
            Lang::Sv => format!("Skriv din upplåsningskod; {enter} låser upp, {esc} rensar."),
        };
        lines.extend(wrapped(&how, width, theme.dim()));
    } else {
        let set = app.code_key_name();
        let how = match lang {
            Lang::En => format!(
                "You have no unlock code, so this lock cannot be opened. {enter} ends the \
                 session; sign in again and set a code with {set}."
            ),
            Lang::Sv => format!(
                "Du har ingen upplåsningskod, så låset kan inte öppnas. {enter} avslutar \
                 sessionen; logga in igen och ange en kod med {set}."
            ),
        };
        lines.extend(wrapped(&how, width, theme.warning()));
    }
    if let Some(m) = &app.lock.message {
        lines.push(Line::raw(""));
        lines.extend(wrapped(&format!("! {m}"), width, theme.error()));
    }
    if matches!(app.overlay, Some(Overlay::Form(_))) {
        lines.push(Line::raw(""));
        lines.push(Line::raw(tr(
            lang,
            "Your unsaved form is kept.",
            "Ditt osparade formulär finns kvar.",
        )));
    }
    f.render_widget(Paragraph::new(lines).centered(), inner);
}

/// The form that sets or changes the unlock code.
pub fn code_form(f: &mut Frame, area: Rect, app: &App, form: &CodeForm) {
    let lang = app.lang();
    let theme = &app.opts.theme;
    let title = tr(lang, "Your unlock code", "Din upplåsningskod");
    let inner = frame(f, area, app, title, 70);
    let width = usize::from(inner.width.max(1));
    let minutes = app.idle_minutes();
    let esc = key_of(app, Context::Form, Action::Cancel);
    let intro = match (lang, form.asked, form.current.is_some()) {
        (Lang::En, true, _) => format!(
            "You have no unlock code yet. After {minutes} idle minutes the screen locks and \
             opens only with your code; without one, the locked session ends. Choose a code of \
             at least 6 characters (never shown, kept only as a hash), or press {esc} to do it \
             later."
        ),
        (Lang::Sv, true, _) => format!(
            "Du har ingen upplåsningskod än. Efter {minutes} minuter utan aktivitet låses \
             skärmen och öppnas bara med din kod; utan kod avslutas den låsta sessionen. Välj en \
             kod på minst 6 tecken (visas aldrig, sparas bara som hash), eller tryck {esc} för \
             att göra det senare."
        ),
        (Lang::En, false, true) => "Type your current code, then the new one twice (at least \
             6 characters; never shown, kept only as a hash)."
            .to_owned(),
        (Lang::Sv, false, true) => "Skriv din nuvarande kod och sedan den nya två gånger \
             (minst 6 tecken; visas aldrig, sparas bara som hash)."
            .to_owned(),
        (Lang::En, false, false) => "Choose a code of at least 6 characters and type it \
             twice. It opens the idle lock; it is never shown and kept only as a hash."
            .to_owned(),
        (Lang::Sv, false, false) => "Välj en kod på minst 6 tecken och skriv den två gånger. \
             Den öppnar skärmlåset; den visas aldrig och sparas bara som hash."
            .to_owned(),
    };
    let mut lines = wrapped(&intro, width, Style::new());
    lines.push(Line::raw(""));
    let labels: Vec<&str> = form
        .current
        .iter()
        .map(|_| tr(lang, "Current code", "Nuvarande kod"))
        .chain([
            tr(lang, "New code", "Ny kod"),
            tr(lang, "New code again", "Ny kod igen"),
        ])
        .collect();
    for (i, (label, code)) in labels.iter().zip(form.fields()).enumerate() {
        let focused = i == form.focus;
        let cursor = if focused { "_" } else { "" };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{}{label:<16}", if focused { ">" } else { " " }),
                theme.heading(focused),
            ),
            Span::styled(format!("{}{cursor}", masked(app, code)), theme.key()),
        ]));
    }
    if let Some(r) = &form.refusal {
        lines.push(Line::raw(""));
        lines.extend(wrapped(&format!("! {r}"), width, theme.error()));
    }
    lines.push(Line::raw(""));
    lines.push(crate::ui::view::hint_line(
        app,
        Context::Form,
        &[
            Action::Advance,
            Action::Submit,
            Action::NextField,
            Action::Cancel,
        ],
    ));
    f.render_widget(Paragraph::new(lines), inner);
}

//! The lock screen.

use super::frame;
use crate::ui::app::App;
use crate::ui::i18n::tr;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

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
        .is_some_and(|o| matches!(o, crate::ui::app::Overlay::Form(_)))
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

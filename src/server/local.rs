//! The local terminal: raw mode, the alternate screen and bracketed paste on the way in, all of
//! it undone on the way out, also when something fails or panics.

use super::paint::{Muted, Term};
use super::session::{self, Input};
use crate::ui::App;
use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};

/// Puts the terminal back as it was.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restores the terminal when dropped (normal return, error or unwinding panic).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn read(timeout: std::time::Duration) -> std::io::Result<Option<Input>> {
    if !event::poll(timeout)? {
        return Ok(None);
    }
    Ok(match event::read()? {
        Event::Key(k) => Some(Input::Key(k)),
        Event::Paste(t) => Some(Input::Paste(t)),
        Event::Mouse(m) => Some(Input::Mouse(m)),
        Event::Resize(w, h) => Some(Input::Resize(w, h)),
        Event::FocusGained | Event::FocusLost => None,
    })
}

/// Runs the UI on this process's terminal until the user quits.
pub fn run(app: &mut App) -> std::io::Result<()> {
    enable_raw_mode()?;
    let _guard = Guard;
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    let (writer, mute) = Muted::new(stdout());
    let mut terminal: Term<Stdout> = Terminal::new(CrosstermBackend::new(writer))?;
    // Clear without asking the terminal where its cursor is (ratatui's clear() would).
    execute!(
        stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    session::run(&mut terminal, mute, app, read)
}

//! The session loop, the same for the local terminal and every SSH connection: wait for
//! input or a tick, update the model, draw only when something changed.

use super::paint::{Mute, Painter};
use crate::ui::App;
use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::time::{Duration, Instant};

/// What a transport delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    /// The terminal changed size (cols, rows).
    Resize(u16, u16),
    /// The client went away.
    Closed,
}

/// How often the loop wakes without input, and looks at change notices and the idle lock at
/// the latest, even while keys keep coming.
pub const TICK: Duration = Duration::from_millis(250);

/// Runs `app` on `terminal` until the user quits or the transport closes. `next` waits up to
/// the given time for input and returns `None` when none came.
pub fn run<B>(
    terminal: &mut Terminal<B>,
    mute: Mute,
    app: &mut App,
    mut next: impl FnMut(Duration) -> std::io::Result<Option<Input>>,
) -> std::io::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let mut dirty = true;
    let mut painter = Painter::new(mute);
    let mut last_tick = Instant::now();
    loop {
        if dirty {
            painter.paint(terminal, app)?;
            dirty = false;
        }
        let input = next(TICK)?;
        let now = Instant::now();
        let idle = input.is_none();
        match input {
            Some(Input::Key(k)) => {
                app.on_key(k, now);
                dirty = true;
            }
            Some(Input::Paste(t)) => {
                app.on_paste(&t, now);
                dirty = true;
            }
            Some(Input::Resize(w, h)) => {
                // The size comes with the event: an SSH channel cannot be asked for it.
                terminal
                    .resize(ratatui::layout::Rect::new(0, 0, w, h))
                    .map_err(std::io::Error::other)?;
                painter.reset();
                dirty = true;
            }
            Some(Input::Closed) => return Ok(()),
            Some(Input::Mouse(_)) | None => {}
        }
        if idle || now.duration_since(last_tick) >= TICK {
            dirty |= app.tick(now);
            last_tick = now;
        }
        if app.quit {
            return Ok(());
        }
    }
}

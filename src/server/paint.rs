//! Drawing frames with as few bytes as possible. ratatui sends the cells that changed since the
//! last frame; when a list scrolls by a row, every shifted row changes and ratatui rewrites
//! them all (several KB). The painter sees from the lists' scroll marks that rows only moved,
//! moves them on the terminal with a scroll region (a dozen bytes), tells ratatui that the
//! screen now looks shifted, and lets it send only what is really new.

use crate::ui::app::ScrollMark;
use crate::ui::{App, view};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::{Buffer, Cell};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A writer that can be told to drop what it gets: ratatui's idea of the screen is updated
/// through it without anything reaching the terminal. The painter holds the other end
/// ([`Mute`]) and can also slip bytes in ahead of the next frame.
#[derive(Debug)]
pub struct Muted<W> {
    inner: W,
    control: Arc<Control>,
}

#[derive(Debug, Default)]
struct Control {
    muted: AtomicBool,
    ahead: Mutex<Vec<u8>>,
}

/// The painter's end of a [`Muted`] writer.
#[derive(Debug, Clone)]
pub struct Mute(Arc<Control>);

impl Mute {
    fn set(&self, on: bool) {
        self.0.muted.store(on, Ordering::Relaxed);
    }

    /// Bytes to send before whatever is written next.
    fn ahead(&self, bytes: &[u8]) {
        if let Ok(mut v) = self.0.ahead.lock() {
            v.extend_from_slice(bytes);
        }
    }
}

impl<W: Write> Muted<W> {
    pub fn new(inner: W) -> (Self, Mute) {
        let control = Arc::new(Control::default());
        (
            Muted {
                inner,
                control: Arc::clone(&control),
            },
            Mute(control),
        )
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    fn send_ahead(&mut self) -> std::io::Result<()> {
        let bytes = match self.control.ahead.lock() {
            Ok(mut v) if !v.is_empty() => std::mem::take(&mut *v),
            _ => return Ok(()),
        };
        self.inner.write_all(&bytes)
    }
}

impl<W: Write> Write for Muted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.control.muted.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        self.send_ahead()?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.control.muted.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.send_ahead()?;
        self.inner.flush()
    }
}

/// The terminal every session draws on.
pub type Term<W> = Terminal<CrosstermBackend<Muted<W>>>;

/// What the painter remembers of the last frame.
#[derive(Debug)]
pub struct Painter {
    mute: Mute,
    last: Option<Buffer>,
    marks: [Option<ScrollMark>; 2],
}

/// One list scrolled by `delta` rows (positive: the content moved up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scroll {
    top: u16,
    height: u16,
    delta: i32,
}

fn scroll_between(old: &[Option<ScrollMark>; 2], new: &[Option<ScrollMark>; 2]) -> Option<Scroll> {
    let mut found = None;
    for (o, n) in old.iter().zip(new) {
        let (Some(o), Some(n)) = (o, n) else { continue };
        if o.key != n.key || o.top != n.top || o.height != n.height || o.start == n.start {
            continue;
        }
        let delta = i64::try_from(n.start).ok()? - i64::try_from(o.start).ok()?;
        if delta.unsigned_abs() >= u64::from(n.height) || found.is_some() {
            return None;
        }
        found = Some(Scroll {
            top: n.top,
            height: n.height,
            delta: i32::try_from(delta).ok()?,
        });
    }
    found
}

/// `buf` as the terminal shows it after scrolling rows `top..top+height` (all columns).
fn shifted(buf: &Buffer, s: Scroll) -> Buffer {
    let mut out = buf.clone();
    let area = buf.area;
    let rows: Vec<u16> = (s.top..s.top.saturating_add(s.height)).collect();
    for (i, &y) in rows.iter().enumerate() {
        let from = i64::try_from(i).unwrap_or(0) + i64::from(s.delta);
        for x in area.left()..area.right() {
            let cell = usize::try_from(from)
                .ok()
                .and_then(|f| rows.get(f))
                .and_then(|&fy| buf.cell((x, fy)).cloned())
                .unwrap_or_else(Cell::default);
            if let Some(c) = out.cell_mut((x, y)) {
                *c = cell;
            }
        }
    }
    out
}

impl Painter {
    /// A painter for the terminal whose writer `mute` controls.
    pub fn new(mute: Mute) -> Painter {
        Painter {
            mute,
            last: None,
            marks: [None, None],
        }
    }

    /// Draws `app` on `terminal`, scrolling instead of rewriting where a list only moved.
    pub fn paint<B>(&mut self, terminal: &mut Terminal<B>, app: &App) -> std::io::Result<()>
    where
        B: Backend,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let mut frame = terminal.get_frame();
        view::draw(&mut frame, app);
        let marks = app.scroll_marks.get();
        let scroll = self
            .last
            .as_ref()
            .filter(|last| last.area == terminal.current_buffer_mut().area)
            .and_then(|last| scroll_between(&self.marks, &marks).map(|s| (last, s)));
        if let Some((last, s)) = scroll {
            let new = terminal.current_buffer_mut().clone();
            // ratatui's previous frame becomes the shifted one, without sending anything...
            *terminal.current_buffer_mut() = shifted(last, s);
            self.mute.set(true);
            let result = terminal.flush();
            self.mute.set(false);
            result.map_err(std::io::Error::other)?;
            terminal.swap_buffers();
            // ...and the terminal is made to look like it.
            let bottom = s.top + s.height;
            let (n, dir) = if s.delta > 0 {
                (s.delta, 'S')
            } else {
                (-s.delta, 'T')
            };
            let escape = format!("\x1b[{};{}r\x1b[{n}{dir}\x1b[r", s.top + 1, bottom);
            self.mute.ahead(escape.as_bytes());
            *terminal.current_buffer_mut() = new;
        }
        let done = terminal
            .apply_buffer_with_cursor(None)
            .map_err(std::io::Error::other)?;
        // Kept in the same allocation frame after frame: a hundred sessions drawing several
        // frames a second would otherwise allocate and free a screen's cells for every one.
        match &mut self.last {
            Some(last) => {
                last.area = done.buffer.area;
                last.content.clone_from(&done.buffer.content);
            }
            None => self.last = Some(done.buffer.clone()),
        }
        self.marks = marks;
        Ok(())
    }

    /// Forgets the last frame (after a resize or anything else that redraws it all).
    pub fn reset(&mut self) {
        self.last = None;
        self.marks = [None, None];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn mark(start: usize) -> [Option<ScrollMark>; 2] {
        [
            Some(ScrollMark {
                key: 7,
                top: 2,
                height: 10,
                start,
            }),
            None,
        ]
    }

    #[test]
    fn a_moved_start_is_a_scroll_and_anything_else_is_not() {
        assert_eq!(
            scroll_between(&mark(3), &mark(4)),
            Some(Scroll {
                top: 2,
                height: 10,
                delta: 1
            })
        );
        assert_eq!(scroll_between(&mark(4), &mark(4)), None);
        assert_eq!(scroll_between(&mark(0), &mark(10)), None);
        let mut other = mark(4);
        if let Some(m) = other[0].as_mut() {
            m.key = 8;
        }
        assert_eq!(scroll_between(&mark(3), &other), None);
    }

    #[test]
    fn shifting_moves_rows_and_blanks_the_vacated_ones() {
        let mut b = Buffer::empty(Rect::new(0, 0, 3, 4));
        for y in 0..4u16 {
            b.set_string(0, y, format!("r{y}"), ratatui::style::Style::new());
        }
        let up = shifted(
            &b,
            Scroll {
                top: 1,
                height: 3,
                delta: 1,
            },
        );
        let rows: Vec<String> = (0..4u16)
            .map(|y| (0..3u16).map(|x| up[(x, y)].symbol().to_owned()).collect())
            .collect();
        assert_eq!(rows, ["r0 ", "r2 ", "r3 ", "   "]);
        let down = shifted(
            &b,
            Scroll {
                top: 1,
                height: 3,
                delta: -1,
            },
        );
        let rows: Vec<String> = (0..4u16)
            .map(|y| {
                (0..3u16)
                    .map(|x| down[(x, y)].symbol().to_owned())
                    .collect()
            })
            .collect();
        assert_eq!(rows, ["r0 ", "   ", "r1 ", "r2 "]);
    }
}

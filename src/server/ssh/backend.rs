//! The terminal of an SSH session: ratatui's crossterm backend writing into the channel, sized
//! by what the client said (pty-req, window-change) — never by asking crossterm, which would
//! measure the server's own terminal.

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Rect, Size};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::mpsc;

/// Alternate screen, hidden cursor, bracketed paste, a cleared screen.
pub const ENTER: &[u8] = b"\x1b[?1049h\x1b[?25l\x1b[?2004h\x1b[2J";
/// Undoes [`ENTER`]: bracketed paste off, cursor shown, back to the normal screen.
pub const LEAVE: &[u8] = b"\x1b[?2004l\x1b[0m\x1b[?25h\x1b[?1049l";

/// A terminal size shared between the connection (which hears of changes) and the session.
#[derive(Debug, Default)]
pub struct TermSize(AtomicU32);

impl TermSize {
    pub fn new(cols: u16, rows: u16) -> Arc<Self> {
        let size = Arc::new(Self::default());
        size.set(u32::from(cols), u32::from(rows));
        size
    }

    /// Clamps to 1..=1000 either way: a zero or absurd size from a client is not drawn.
    pub fn set(&self, cols: u32, rows: u32) {
        let c = cols.clamp(1, 1000);
        let r = rows.clamp(1, 1000);
        self.0.store((c << 16) | r, Ordering::Relaxed);
    }

    pub fn get(&self) -> (u16, u16) {
        let v = self.0.load(Ordering::Relaxed);
        ((v >> 16) as u16, (v & 0xffff) as u16)
    }

    pub fn rect(&self) -> Rect {
        let (w, h) = self.get();
        Rect::new(0, 0, w, h)
    }
}

/// What a session sends towards its channel.
#[derive(Debug)]
pub enum Out {
    Bytes(Vec<u8>),
    /// The session is over, with this exit status.
    Exit(u32),
}

/// Bytes written by the terminal, handed to the channel's writer task on each flush through a
/// bounded queue: when the client stops reading, the queue fills and the session thread waits
/// on the next flush. Nothing is dropped; memory stays at the queue's bound.
#[derive(Debug)]
pub struct ChannelWriter {
    buf: Vec<u8>,
    out: mpsc::Sender<Out>,
    /// The channel is gone: said once as a broken pipe, later writes go nowhere quietly (the
    /// terminal's clean-up on drop has no one to talk to).
    gone: bool,
}

/// A single write larger than this is passed on before the flush (a full 1000×1000 redraw).
const MAX_BUFFERED: usize = 256 * 1024;

impl ChannelWriter {
    pub fn new(out: mpsc::Sender<Out>) -> Self {
        Self {
            buf: Vec::with_capacity(16 * 1024),
            out,
            gone: false,
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.gone {
            self.buf.clear();
            return Ok(());
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::replace(&mut self.buf, Vec::with_capacity(16 * 1024));
        self.out.blocking_send(Out::Bytes(bytes)).map_err(|_| {
            self.gone = true;
            std::io::Error::from(std::io::ErrorKind::BrokenPipe)
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= MAX_BUFFERED {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The crossterm backend with the size and cursor position kept here instead of asked of a
/// terminal.
#[derive(Debug)]
pub struct SshBackend<W: Write> {
    inner: CrosstermBackend<W>,
    size: Arc<TermSize>,
    cursor: Position,
}

impl<W: Write> SshBackend<W> {
    pub fn new(writer: W, size: Arc<TermSize>) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            size,
            cursor: Position::ORIGIN,
        }
    }
}

impl<W: Write> Backend for SshBackend<W> {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> std::io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> std::io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> std::io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> std::io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> std::io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> std::io::Result<()> {
        let p = position.into();
        self.cursor = p;
        self.inner.set_cursor_position(p)
    }

    fn clear(&mut self) -> std::io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> std::io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> std::io::Result<Size> {
        let (width, height) = self.size.get();
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> std::io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size()?,
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    #[test]
    fn a_resized_terminal_draws_at_the_size_the_client_gave_without_asking_a_tty() {
        let size = TermSize::new(40, 10);
        let (tx, mut rx) = mpsc::channel(16);
        let backend = SshBackend::new(ChannelWriter::new(tx), size.clone());
        let mut t = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(size.rect()),
            },
        )
        .unwrap();
        t.draw(|f| assert_eq!(f.area(), Rect::new(0, 0, 40, 10)))
            .unwrap();
        size.set(100, 30);
        t.resize(size.rect()).unwrap();
        t.draw(|f| assert_eq!(f.area(), Rect::new(0, 0, 100, 30)))
            .unwrap();
        let mut n = 0;
        while let Ok(Out::Bytes(b)) = rx.try_recv() {
            n += b.len();
        }
        assert!(n > 0);
        size.set(0, 70_000);
        assert_eq!(size.get(), (1, 1000));
    }

    #[test]
    fn a_full_queue_makes_the_writer_wait_and_a_gone_reader_is_a_broken_pipe() {
        let (tx, rx) = mpsc::channel(1);
        let mut w = ChannelWriter::new(tx);
        w.write_all(b"one").unwrap();
        w.flush().unwrap();
        // The queue is full now: the next flush waits until the reader takes one.
        let reader = std::thread::spawn(move || {
            let mut rx = rx;
            std::thread::sleep(std::time::Duration::from_millis(50));
            let first = rx.blocking_recv();
            let second = rx.blocking_recv();
            (first, second)
        });
        let started = std::time::Instant::now();
        w.write_all(b"two").unwrap();
        w.flush().unwrap();
        assert!(started.elapsed() >= std::time::Duration::from_millis(40));
        let (first, second) = reader.join().unwrap();
        assert!(matches!(first, Some(Out::Bytes(b)) if b == b"one"));
        assert!(matches!(second, Some(Out::Bytes(b)) if b == b"two"));
        w.write_all(b"three").unwrap();
        assert_eq!(
            w.flush().unwrap_err().kind(),
            std::io::ErrorKind::BrokenPipe
        );
        // Said once; the terminal's clean-up afterwards goes nowhere quietly.
        w.write_all(b"four").unwrap();
        w.flush().unwrap();
    }
}

//! One SSH session's thread: client bytes through the [`InputParser`] into the session loop,
//! the loop's frames out through a [`ChannelWriter`]. A panic or error ends this session only.

use super::backend::{ChannelWriter, ENTER, LEAVE, Out, SshBackend, TermSize};
use super::input::InputParser;
use crate::server::session::{self, Input};
use crate::service::Session;
use crate::ui::{App, Options};
use crossterm::event::{Event, KeyEventKind};
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// Chunks of client input waiting for the session thread.
pub const INPUT_QUEUE: usize = 64;
/// Frames waiting for the channel.
pub const OUTPUT_QUEUE: usize = 4;
/// How long a lone ESC (or half a sequence) waits for the rest before it counts as typed.
pub const ESC_IDLE: Duration = Duration::from_millis(30);

/// What the connection hands its session thread.
#[derive(Debug)]
pub enum Chunk {
    Bytes(Vec<u8>),
    /// Look at the size again.
    Wake,
}

/// The connection's side of a running session: input goes in here; dropping it closes the
/// session (the client went away).
#[derive(Debug)]
pub struct SessionInput {
    tx: SyncSender<Chunk>,
    pub size: Arc<TermSize>,
    dropped: u64,
}

impl SessionInput {
    /// Passes client bytes on. A session that has stopped taking input (its client does not
    /// read its output) loses what does not fit in the queue rather than stalling the
    /// connection, which must stay free to receive the window adjustments that unblock it.
    pub fn bytes(&mut self, data: &[u8]) {
        match self.tx.try_send(Chunk::Bytes(data.to_vec())) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => self.dropped += 1,
        }
    }

    pub fn resize(&self, cols: u32, rows: u32) {
        self.size.set(cols, rows);
        // A full queue wakes the thread anyway.
        let _ = self.tx.try_send(Chunk::Wake);
    }

    /// Input chunks lost to a full queue.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Turns queued bytes into the session loop's inputs.
struct InputQueue {
    rx: Receiver<Chunk>,
    parser: InputParser,
    events: VecDeque<Input>,
    size: Arc<TermSize>,
    seen: (u16, u16),
    last_input: Instant,
    hard_timeout: Duration,
    closed: bool,
    timed_out: bool,
}

impl InputQueue {
    fn push(&mut self, events: Vec<Event>) {
        for e in events {
            match e {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    self.events.push_back(Input::Key(k));
                }
                Event::Paste(t) => self.events.push_back(Input::Paste(t)),
                Event::Mouse(m) => self.events.push_back(Input::Mouse(m)),
                _ => {}
            }
        }
    }

    fn next(&mut self, timeout: Duration) -> Option<Input> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            if let Some(e) = self.events.pop_front() {
                self.last_input = now;
                return Some(e);
            }
            let size = self.size.get();
            if size != self.seen {
                self.seen = size;
                return Some(Input::Resize(size.0, size.1));
            }
            if self.closed {
                return Some(Input::Closed);
            }
            if now.duration_since(self.last_input) >= self.hard_timeout {
                self.timed_out = true;
                return Some(Input::Closed);
            }
            if now >= deadline {
                return None;
            }
            let mut wait = deadline - now;
            if self.parser.has_pending() {
                wait = wait.min(ESC_IDLE);
            }
            match self.rx.recv_timeout(wait) {
                Ok(Chunk::Bytes(b)) => {
                    let events = self.parser.feed(&b);
                    self.push(events);
                }
                Ok(Chunk::Wake) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if self.parser.has_pending() {
                        let events = self.parser.flush_pending();
                        self.push(events);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
            }
        }
    }
}

/// How a session ended.
enum End {
    Done,
    IdleTimeout,
    /// The session ended itself, saying why (access withdrawn, too many wrong unlock codes).
    Ended(String),
}

/// Everything a session thread needs.
pub struct Spawn {
    pub session: Session,
    pub opts: Options,
    pub cols: u16,
    pub rows: u16,
    pub hard_timeout: Duration,
    /// Held until the session ends: counts towards the cap on concurrent sessions.
    pub permit: OwnedSemaphorePermit,
}

/// Starts a session on its own thread. Returns the input side and the output queue for the
/// channel's writer task, which ends with an [`Out::Exit`].
pub fn spawn(s: Spawn) -> std::io::Result<(SessionInput, mpsc::Receiver<Out>)> {
    let (in_tx, in_rx) = sync_channel(INPUT_QUEUE);
    let (out_tx, out_rx) = mpsc::channel(OUTPUT_QUEUE);
    let size = TermSize::new(s.cols, s.rows);
    let input = SessionInput {
        tx: in_tx,
        size: size.clone(),
        dropped: 0,
    };
    let queue = InputQueue {
        rx: in_rx,
        parser: InputParser::new(),
        events: VecDeque::new(),
        seen: size.get(),
        size,
        last_input: Instant::now(),
        hard_timeout: s.hard_timeout,
        closed: false,
        timed_out: false,
    };
    std::thread::Builder::new()
        .name("insats-ssh-session".into())
        .spawn(move || main(s.session, s.opts, queue, &out_tx, s.permit))?;
    Ok((input, out_rx))
}

fn main(
    session: Session,
    opts: Options,
    queue: InputQueue,
    out: &mpsc::Sender<Out>,
    permit: OwnedSemaphorePermit,
) {
    let lang = opts.lang;
    let minutes = queue.hard_timeout.as_secs() / 60;
    let writer = ChannelWriter::new(out.clone());
    let (tail, status) = guarded(lang, minutes, move || run(session, opts, queue, writer));
    let _ = out.blocking_send(Out::Bytes(tail));
    let _ = out.blocking_send(Out::Exit(status));
    drop(permit);
}

/// Runs a session, catching a panic: the bytes that put the client's terminal back (with a
/// line saying why, when it did not end normally) and the exit status.
fn guarded(
    lang: crate::service::Lang,
    minutes: u64,
    f: impl FnOnce() -> Result<End, RunError>,
) -> (Vec<u8>, u32) {
    let sv = lang == crate::service::Lang::Sv;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let mut tail = LEAVE.to_vec();
    let status = match result {
        Ok(Ok(End::Done)) => 0,
        Ok(Ok(End::Ended(text))) => {
            tail.extend_from_slice(format!("insats: {text}\r\n").as_bytes());
            1
        }
        Ok(Ok(End::IdleTimeout)) => {
            let text = if sv {
                format!("insats: sessionen stängdes efter {minutes} minuter utan aktivitet\r\n")
            } else {
                format!("insats: session closed after {minutes} idle minutes\r\n")
            };
            tail.extend_from_slice(text.as_bytes());
            0
        }
        Ok(Err(e)) => {
            let line = format!("insats: {}\r\n", e.message(lang));
            tail.extend_from_slice(line.as_bytes());
            1
        }
        Err(_) => {
            tracing::error!("an SSH session panicked; only that session was closed");
            let text: &[u8] = if sv {
                "insats: internt fel; sessionen stängdes\r\n".as_bytes()
            } else {
                b"insats: internal error; the session was closed\r\n"
            };
            tail.extend_from_slice(text);
            1
        }
    };
    (tail, status)
}

/// Why a session could not go on.
#[derive(Debug, thiserror::Error)]
enum RunError {
    #[error("{0}")]
    Service(#[from] crate::service::ServiceError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl RunError {
    fn message(&self, lang: crate::service::Lang) -> String {
        match self {
            RunError::Service(e) => e.message(lang),
            RunError::Io(e) => format!("terminal: {e}"),
        }
    }
}

fn run(
    session: Session,
    opts: Options,
    mut queue: InputQueue,
    mut writer: ChannelWriter,
) -> Result<End, RunError> {
    writer.write_all(ENTER)?;
    let (writer, mute) = crate::server::paint::Muted::new(writer);
    let backend = SshBackend::new(writer, queue.size.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(queue.size.rect()),
        },
    )?;
    let user = session.user().id;
    let mut app = App::new(session, opts, Instant::now())?;
    session::run(&mut terminal, mute, &mut app, |t| Ok(queue.next(t)))?;
    ratatui::backend::Backend::flush(terminal.backend_mut())?;
    if let Some(text) = app.ended.take() {
        let reason = app.end_reason.unwrap_or("ended");
        tracing::info!(user = %user, reason, "SSH session ended by the server");
        return Ok(End::Ended(text));
    }
    Ok(if queue.timed_out {
        End::IdleTimeout
    } else {
        End::Done
    })
}

#[cfg(test)]
mod tests;

//! Incremental decoder for the raw bytes an SSH client sends from its terminal.
//!
//! Produces the crossterm [`Event`]s a local crossterm terminal would give. The
//! decoder is a byte-at-a-time state machine, so the events never depend on how
//! the input was split into [`InputParser::feed`] calls; only
//! [`InputParser::flush_pending`] (the caller's idle timeout) resolves the
//! "lone ESC or start of a sequence" ambiguity.
//!
//! Quirks: `ESC [` / `ESC O` always start a sequence, so `ESC [ O` is
//! `FocusLost`, not Alt-[ then `O`; a bare `ESC [` / `ESC O` is Alt-[ / Alt-O on
//! flush or before a byte that cannot continue it. `ESC ESC` before a sequence
//! adds Alt to it; otherwise the first ESC is Esc (`ESC ESC x` is Esc, Alt-x).
//! `CSI 1;mR` (m >= 2) is F3; other `CSI ...R` are cursor reports and dropped.
//! A bracketed paste survives `flush_pending` and ends only with `ESC [ 201 ~`.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// Longest CSI/SS3 body kept; longer sequences are skipped up to their final byte.
const MAX_SEQ: usize = 32;
/// Cap on a bracketed paste in bytes; the rest is dropped until the end marker.
const MAX_PASTE: usize = 64 * 1024;
/// Bracketed paste end marker.
const PASTE_END: &[u8] = b"\x1b[201~";
const ESC: u8 = 0x1b;
const ESC_KEY: Event = Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));

/// Decoder state; every variant has a fixed size.
#[derive(Clone, Copy, Debug, Default)]
enum State {
    #[default]
    Ground,
    /// After ESC; `true` if another ESC came right before it (Alt prefix).
    Esc(bool),
    /// Inside `ESC [` / `ESC O`: the `[` or `O`, Alt flag, parameter and
    /// intermediate bytes so far.
    Seq(u8, bool, Buf<MAX_SEQ>),
    /// Overlong sequence: drop bytes up to its final byte.
    Skip,
    /// After `ESC [ [` (Linux console F1-F5), with Alt flag.
    LinuxFn(bool),
    /// After `ESC [ M`: the three raw bytes of an X10 mouse report.
    X10(Buf<3>),
    /// Inside a UTF-8 char: Alt flag, its length, its bytes so far.
    Utf8(bool, usize, Buf<4>),
    /// Inside a bracketed paste: bytes of [`PASTE_END`] matched so far.
    Paste(usize),
}

/// Fixed-capacity byte buffer.
#[derive(Clone, Copy, Debug)]
struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Buf<N> {
    const EMPTY: Self = Self {
        bytes: [0; N],
        len: 0,
    };

    /// Appends `b` unless full.
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// Incremental terminal input decoder; see the module docs.
#[derive(Debug, Default)]
pub struct InputParser {
    state: State,
    /// The previous byte was a CR (Enter); an LF right after it is dropped.
    after_cr: bool,
    /// Bracketed paste content, at most [`MAX_PASTE`] bytes.
    paste: Vec<u8>,
}

impl InputParser {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes as they arrive; returns complete events in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        for &b in bytes {
            let after_cr = std::mem::take(&mut self.after_cr);
            self.step(b, after_cr, &mut out);
        }
        out
    }

    /// Resolves pending input after an idle period: a lone ESC becomes Esc,
    /// `ESC [` / `ESC O` become Alt-[ / Alt-O, any other unfinished sequence or
    /// UTF-8 char is dropped. An open bracketed paste is kept.
    pub fn flush_pending(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        self.after_cr = false;
        match self.state {
            State::Paste(_) => return out,
            // One Esc key per ESC.
            State::Esc(alt) => out.extend(std::iter::repeat_n(ESC_KEY, 1 + usize::from(alt))),
            State::Seq(intro, alt, body) if body.len == 0 => alt_intro(intro, alt, &mut out),
            _ => {}
        }
        self.state = State::Ground;
        out
    }

    /// True if `flush_pending` would change the state, i.e. the caller should
    /// arm its idle timer. False inside a bracketed paste.
    #[must_use]
    pub fn has_pending(&self) -> bool {
        self.after_cr || !matches!(self.state, State::Ground | State::Paste(_))
    }

    fn step(&mut self, b: u8, after_cr: bool, out: &mut Vec<Event>) {
        match self.state {
            State::Ground if b == ESC => self.state = State::Esc(false),
            State::Ground => self.ground(b, false, after_cr, out),
            State::Esc(alt) => match b {
                ESC if alt => out.push(ESC_KEY),
                ESC => self.state = State::Esc(true),
                b'[' | b'O' => self.state = State::Seq(b, alt, Buf::EMPTY),
                _ => {
                    self.state = State::Ground;
                    out.extend(alt.then_some(ESC_KEY));
                    self.ground(b, true, false, out);
                }
            },
            State::Seq(intro, alt, mut body) => match b {
                0x20..=0x3f if body.len < MAX_SEQ => {
                    body.push(b);
                    self.state = State::Seq(intro, alt, body);
                }
                0x20..=0x3f => self.state = State::Skip,
                0x40..=0x7e => {
                    self.state = State::Ground;
                    out.extend(if intro == b'[' {
                        self.csi(body.as_slice(), b, alt)
                    } else {
                        ss3(body.as_slice(), b, alt)
                    });
                }
                // Cannot continue a sequence: an empty one was Alt-[ / Alt-O.
                _ => {
                    self.state = State::Ground;
                    if body.len == 0 {
                        alt_intro(intro, alt, out);
                    }
                    self.step(b, false, out);
                }
            },
            State::Skip => match b {
                0x20..=0x3f => {}
                0x40..=0x7e => self.state = State::Ground,
                _ => {
                    self.state = State::Ground;
                    self.step(b, false, out);
                }
            },
            State::LinuxFn(alt) => {
                self.state = State::Ground;
                match b {
                    b'A'..=b'E' => out.push(key(KeyCode::F(b - b'A' + 1), alt_mods(alt))),
                    0x20..=0x7e => {}
                    _ => self.step(b, false, out),
                }
            }
            State::X10(mut raw) => {
                raw.push(b);
                self.state = State::X10(raw);
                if let &[cb, x, y] = raw.as_slice() {
                    self.state = State::Ground;
                    let coded = [cb, x, y].map(|v| u16::from(v).checked_sub(32));
                    if let [Some(cb), Some(x), Some(y)] = coded {
                        out.extend(mouse(cb, x, y, false));
                    }
                }
            }
            State::Utf8(alt, need, mut raw) => {
                self.state = State::Ground;
                if b & 0xc0 != 0x80 {
                    // Truncated char: drop it and decode `b` afresh.
                    return self.step(b, false, out);
                }
                raw.push(b);
                if raw.len < need {
                    self.state = State::Utf8(alt, need, raw);
                } else if let Ok(s) = std::str::from_utf8(raw.as_slice()) {
                    out.extend(s.chars().next().map(|c| char_key(c, alt)));
                }
            }
            State::Paste(matched) => self.paste_byte(b, matched, out),
        }
    }

    /// Decodes `b` (not ESC) outside any sequence; `alt` is set after an ESC prefix.
    fn ground(&mut self, b: u8, alt: bool, after_cr: bool, out: &mut Vec<Event>) {
        let am = alt_mods(alt);
        let ctrl = KeyModifiers::CONTROL | am;
        self.after_cr = b == b'\r';
        let event = match b {
            b'\n' if after_cr => return,
            b'\r' | b'\n' => key(KeyCode::Enter, am),
            b'\t' => key(KeyCode::Tab, am),
            0x08 | 0x7f => key(KeyCode::Backspace, am),
            0x00 => key(KeyCode::Char(' '), ctrl),
            0x01..=0x1a => key(KeyCode::Char(char::from(b - 1 + b'a')), ctrl),
            0x1c..=0x1f => key(KeyCode::Char(char::from(b - 0x1c + b'4')), ctrl),
            0x20..=0x7e => char_key(char::from(b), alt),
            0xc2..=0xf4 => {
                // The lead byte's leading ones give the char's length.
                let need = b.leading_ones() as usize;
                let mut raw = Buf::EMPTY;
                raw.push(b);
                self.state = State::Utf8(alt, need, raw);
                return;
            }
            // Stray continuation byte, or a lead byte that never starts valid UTF-8.
            _ => return,
        };
        out.push(event);
    }

    /// Decodes a complete `ESC [ body fin`; may enter a sub-state instead.
    fn csi(&mut self, body: &[u8], fin: u8, alt: bool) -> Option<Event> {
        let am = alt_mods(alt);
        match (body, fin) {
            (b"", b'[') => self.state = State::LinuxFn(alt),
            (b"", b'M') => self.state = State::X10(Buf::EMPTY),
            (b"", b'I') => return Some(Event::FocusGained),
            (b"", b'O') => return Some(Event::FocusLost),
            (b"", b'Z') => return Some(key(KeyCode::BackTab, KeyModifiers::SHIFT | am)),
            ([b'<', sgr @ ..], b'M' | b'm') => {
                let p = Params::parse(sgr).filter(|p| p.last == 2)?;
                return mouse(p.v[0], p.v[1], p.v[2], fin == b'm');
            }
            _ => {}
        }
        if !matches!(self.state, State::Ground) {
            return None;
        }
        let p = Params::parse(body)?;
        match fin {
            b'~' if p.v[0] == 200 => {
                self.paste.clear();
                self.state = State::Paste(0);
                None
            }
            b'~' => p.key(tilde_key(p.v[0])?, p.v[1], am),
            // rxvt (1015) mouse: `ESC [ cb ; x ; y M`.
            b'M' if p.last == 2 => mouse(p.v[0].checked_sub(32)?, p.v[1], p.v[2], false),
            // Only `1 ; m R` is F3; the rest are cursor position reports.
            b'R' if p.last != 1 || p.v[0] != 1 || p.v[1] < 2 => None,
            // `ESC [ 1 ; m A`, or the older `ESC [ m A`.
            _ => p.key(letter_key(fin)?, p.v[p.last.min(1)], am),
        }
    }

    fn paste_byte(&mut self, b: u8, matched: usize, out: &mut Vec<Event>) {
        if PASTE_END.get(matched) == Some(&b) {
            self.state = State::Paste(matched + 1);
            if matched + 1 == PASTE_END.len() {
                self.state = State::Ground;
                let mut bytes = std::mem::take(&mut self.paste);
                // The cap may cut the last char: drop its head, not show U+FFFD.
                if let Err(e) = std::str::from_utf8(&bytes)
                    && e.error_len().is_none()
                {
                    bytes.truncate(e.valid_up_to());
                }
                let text = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                out.push(Event::Paste(text));
            }
            return;
        }
        // A partial end marker was content after all.
        self.push_paste(PASTE_END.get(..matched).unwrap_or_default());
        self.state = State::Paste(usize::from(b == ESC));
        if b != ESC {
            self.push_paste(&[b]);
        }
    }

    fn push_paste(&mut self, bytes: &[u8]) {
        let room = MAX_PASTE - self.paste.len();
        self.paste.extend(bytes.iter().take(room));
    }
}

mod keys;

use keys::{Params, alt_intro, alt_mods, char_key, key, letter_key, mouse, ss3, tilde_key};

#[cfg(test)]
mod tests;

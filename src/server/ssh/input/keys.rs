//! The parts of an escape sequence, turned into events: numeric parameters, the key a final
//! byte or a `~` number names, modifiers, and mouse reports.

use super::ESC_KEY;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// Numeric parameters of a CSI/SS3 body: up to four `;`-separated values
/// (`v[..=last]`), each saturating at `u16::MAX`; `kind` is the first `:`
/// sub-parameter of the second.
#[derive(Default)]
pub(super) struct Params {
    pub(super) v: [u16; 4],
    pub(super) last: usize,
    pub(super) kind: u16,
}

impl Params {
    pub(super) fn parse(body: &[u8]) -> Option<Self> {
        let mut p = Self::default();
        let mut sub = 0;
        for &b in body {
            match b {
                b'0'..=b'9' => {
                    let slot = match sub {
                        0 => p.v.get_mut(p.last)?,
                        1 if p.last == 1 => &mut p.kind,
                        _ => continue,
                    };
                    *slot = slot.saturating_mul(10).saturating_add(u16::from(b - b'0'));
                }
                b';' if p.last + 1 < p.v.len() => {
                    p.last += 1;
                    sub = 0;
                }
                b':' => sub += 1,
                _ => return None,
            }
        }
        Some(p)
    }

    /// Key event for `code` with xterm modifier parameter `m`; key releases
    /// (kitty `m:3`) yield nothing.
    pub(super) fn key(&self, code: KeyCode, m: u16, extra: KeyModifiers) -> Option<Event> {
        (self.kind != 3).then(|| key(code, modifiers(m) | extra))
    }
}

/// Decodes a complete `ESC O body fin`.
pub(super) fn ss3(body: &[u8], fin: u8, alt: bool) -> Option<Event> {
    let p = Params::parse(body)?;
    let code = match fin {
        b'M' => KeyCode::Enter,
        b'X' => KeyCode::Char('='),
        // Application keypad.
        b'j'..=b'y' => KeyCode::Char(char::from(
            *b"*+,-./0123456789".get(usize::from(fin - b'j'))?,
        )),
        _ => letter_key(fin)?,
    };
    p.key(code, p.v[p.last], alt_mods(alt))
}

pub(super) fn letter_key(fin: u8) -> Option<KeyCode> {
    Some(match fin {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(fin - b'P' + 1),
        _ => return None,
    })
}

pub(super) fn tilde_key(n: u16) -> Option<KeyCode> {
    let n = u8::try_from(n).ok()?;
    Some(match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F(n - 10),
        17..=21 => KeyCode::F(n - 11),
        23..=26 => KeyCode::F(n - 12),
        28..=29 => KeyCode::F(n - 15),
        31..=34 => KeyCode::F(n - 17),
        _ => return None,
    })
}

/// xterm modifier parameter `1 + mask` (mask bits: shift, alt, ctrl, super,
/// hyper, meta; 0 means absent) to crossterm's bits, which swap alt and ctrl.
pub(super) fn modifiers(m: u16) -> KeyModifiers {
    let mask = m.saturating_sub(1) & 0b11_1111;
    let bits = (mask & 0b11_1001) | ((mask & 0b10) << 1) | ((mask & 0b100) >> 1);
    KeyModifiers::from_bits_truncate(u8::try_from(bits).unwrap_or(0))
}

pub(super) fn alt_mods(alt: bool) -> KeyModifiers {
    let mut mods = KeyModifiers::NONE;
    mods.set(KeyModifiers::ALT, alt);
    mods
}

pub(super) fn key(code: KeyCode, mods: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, mods))
}

/// A typed char; uppercase adds SHIFT, as crossterm does.
pub(super) fn char_key(c: char, alt: bool) -> Event {
    let mut mods = alt_mods(alt);
    mods.set(KeyModifiers::SHIFT, c.is_uppercase());
    key(KeyCode::Char(c), mods)
}

/// Emits the keys of an unfinished `ESC [` / `ESC O`, after Esc if `alt`.
pub(super) fn alt_intro(intro: u8, alt: bool, out: &mut Vec<Event>) {
    out.extend(alt.then_some(ESC_KEY));
    out.push(char_key(char::from(intro), true));
}

/// Mouse event from xterm button code `cb` and 1-based `x`/`y`.
pub(super) fn mouse(cb: u16, x: u16, y: u16, release: bool) -> Option<Event> {
    let code = (cb & 0b11) | ((cb & 0b1100_0000) >> 4);
    let button = [MouseButton::Left, MouseButton::Middle, MouseButton::Right]
        .get(usize::from(code))
        .copied();
    let kind = match (code, cb & 0b10_0000 != 0) {
        (0..=2, false) if release => MouseEventKind::Up(button?),
        (0..=2, false) => MouseEventKind::Down(button?),
        (0..=2, true) => MouseEventKind::Drag(button?),
        (3, false) => MouseEventKind::Up(MouseButton::Left),
        (3..=5, true) => MouseEventKind::Moved,
        (4, false) => MouseEventKind::ScrollUp,
        (5, false) => MouseEventKind::ScrollDown,
        (6, false) => MouseEventKind::ScrollLeft,
        (7, false) => MouseEventKind::ScrollRight,
        _ => return None,
    };
    Some(Event::Mouse(MouseEvent {
        kind,
        column: x.checked_sub(1)?,
        row: y.checked_sub(1)?,
        // Bits 2-4 (shift, alt, ctrl) match the low bits of an xterm key mask.
        modifiers: modifiers(((cb >> 2) & 0b111) + 1),
    }))
}

use super::{InputParser, MAX_PASTE, State};
use crossterm::event::{
    Event, KeyCode as K, KeyEvent, KeyModifiers as M, MouseButton, MouseEvent, MouseEventKind,
};
use proptest::prelude::*;

fn k(code: K, mods: M) -> Event {
    Event::Key(KeyEvent::new(code, mods))
}

fn plain(code: K) -> Event {
    k(code, M::NONE)
}

fn ch(c: char) -> Event {
    k(K::Char(c), M::NONE)
}

fn mouse(kind: MouseEventKind, column: u16, row: u16, modifiers: M) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers,
    })
}

/// Feeds everything at once, then flushes.
fn parse(bytes: &[u8]) -> Vec<Event> {
    let mut p = InputParser::new();
    let mut out = p.feed(bytes);
    out.extend(p.flush_pending());
    out
}

/// Feeds `bytes` split at the given cut points, then flushes.
fn parse_chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Event> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut p = InputParser::new();
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        out.extend(p.feed(&bytes[start..cut]));
        start = cut;
    }
    out.extend(p.flush_pending());
    out
}

#[allow(clippy::too_many_lines, reason = "one flat table")]
fn cases() -> Vec<(&'static [u8], Vec<Event>)> {
    let ctrl = M::CONTROL;
    let alt = M::ALT;
    let shift = M::SHIFT;
    vec![
        // Printable ASCII and UTF-8.
        (b"a", vec![ch('a')]),
        (b"A~ ", vec![k(K::Char('A'), shift), ch('~'), ch(' ')]),
        (
            "Åsa Ö".as_bytes(),
            vec![
                k(K::Char('Å'), shift),
                ch('s'),
                ch('a'),
                ch(' '),
                k(K::Char('Ö'), shift),
            ],
        ),
        ("😀€".as_bytes(), vec![ch('😀'), ch('€')]),
        // Invalid UTF-8 is skipped.
        (b"\xffa\x80b", vec![ch('a'), ch('b')]),
        (b"\xc3a", vec![ch('a')]),
        (b"\xed\xa0\x80x\xc0\xafy\xf0\x9f", vec![ch('x'), ch('y')]),
        // Enter, Tab, Backspace.
        (b"\r", vec![plain(K::Enter)]),
        (b"\n", vec![plain(K::Enter)]),
        (b"\r\n", vec![plain(K::Enter)]),
        (
            b"\r\r\n\n",
            vec![plain(K::Enter), plain(K::Enter), plain(K::Enter)],
        ),
        (b"\t", vec![plain(K::Tab)]),
        (b"\x1b[Z", vec![k(K::BackTab, shift)]),
        (b"\x7f\x08", vec![plain(K::Backspace), plain(K::Backspace)]),
        // Control keys.
        (
            b"\x01\x03\x1a",
            vec![
                k(K::Char('a'), ctrl),
                k(K::Char('c'), ctrl),
                k(K::Char('z'), ctrl),
            ],
        ),
        (b"\x00", vec![k(K::Char(' '), ctrl)]),
        (
            b"\x1c\x1f",
            vec![k(K::Char('4'), ctrl), k(K::Char('7'), ctrl)],
        ),
        // Cursor keys, CSI and SS3 forms.
        (
            b"\x1b[A\x1b[B\x1b[C\x1b[D",
            vec![
                plain(K::Up),
                plain(K::Down),
                plain(K::Right),
                plain(K::Left),
            ],
        ),
        (
            b"\x1bOA\x1bOB\x1bOC\x1bOD",
            vec![
                plain(K::Up),
                plain(K::Down),
                plain(K::Right),
                plain(K::Left),
            ],
        ),
        (
            b"\x1b[H\x1b[F\x1bOH\x1bOF",
            vec![plain(K::Home), plain(K::End), plain(K::Home), plain(K::End)],
        ),
        (
            b"\x1b[1~\x1b[4~\x1b[7~\x1b[8~",
            vec![plain(K::Home), plain(K::End), plain(K::Home), plain(K::End)],
        ),
        (
            b"\x1b[2~\x1b[3~\x1b[5~\x1b[6~",
            vec![
                plain(K::Insert),
                plain(K::Delete),
                plain(K::PageUp),
                plain(K::PageDown),
            ],
        ),
        // Function keys: xterm, rxvt/PuTTY and Linux console.
        (
            b"\x1bOP\x1bOQ\x1bOR\x1bOS",
            vec![
                plain(K::F(1)),
                plain(K::F(2)),
                plain(K::F(3)),
                plain(K::F(4)),
            ],
        ),
        (
            b"\x1b[15~\x1b[17~\x1b[18~\x1b[19~",
            vec![
                plain(K::F(5)),
                plain(K::F(6)),
                plain(K::F(7)),
                plain(K::F(8)),
            ],
        ),
        (
            b"\x1b[20~\x1b[21~\x1b[23~\x1b[24~",
            vec![
                plain(K::F(9)),
                plain(K::F(10)),
                plain(K::F(11)),
                plain(K::F(12)),
            ],
        ),
        (b"\x1b[11~\x1b[14~", vec![plain(K::F(1)), plain(K::F(4))]),
        (
            b"\x1b[[A\x1b[[B\x1b[[C\x1b[[D\x1b[[E",
            vec![
                plain(K::F(1)),
                plain(K::F(2)),
                plain(K::F(3)),
                plain(K::F(4)),
                plain(K::F(5)),
            ],
        ),
        // Modifier parameters.
        (b"\x1b[1;5A", vec![k(K::Up, ctrl)]),
        (
            b"\x1b[1;2B\x1b[1;3C",
            vec![k(K::Down, shift), k(K::Right, alt)],
        ),
        (
            b"\x1b[1;4D\x1b[1;6H",
            vec![k(K::Left, shift | alt), k(K::Home, shift | ctrl)],
        ),
        (b"\x1b[1;8F", vec![k(K::End, shift | alt | ctrl)]),
        (
            b"\x1b[3;5~\x1b[15;2~",
            vec![k(K::Delete, ctrl), k(K::F(5), shift)],
        ),
        (
            b"\x1b[1;2P\x1b[1;5R",
            vec![k(K::F(1), shift), k(K::F(3), ctrl)],
        ),
        (b"\x1bO5A\x1b[5D", vec![k(K::Up, ctrl), k(K::Left, ctrl)]),
        // Kitty key release is dropped, press kept.
        (b"\x1b[1;5:3A\x1b[1;5:1A", vec![k(K::Up, ctrl)]),
        // Alt via ESC prefix.
        (
            b"\x1bx\x1bX",
            vec![k(K::Char('x'), alt), k(K::Char('X'), alt | shift)],
        ),
        (
            b"\x1b\r\x1b\x7f",
            vec![k(K::Enter, alt), k(K::Backspace, alt)],
        ),
        (
            b"\x1b\x01\x1b\xc3\xa5",
            vec![k(K::Char('a'), ctrl | alt), k(K::Char('å'), alt)],
        ),
        (
            b"\x1b\x1b[A\x1b\x1bOB",
            vec![k(K::Up, alt), k(K::Down, alt)],
        ),
        (b"\x1b\x1b[3;5~", vec![k(K::Delete, ctrl | alt)]),
        // Lone ESC and the ESC ambiguity, resolved by the final flush.
        (b"\x1b", vec![plain(K::Esc)]),
        (b"\x1b\x1b", vec![plain(K::Esc), plain(K::Esc)]),
        (
            b"\x1b\x1b\x1b",
            vec![plain(K::Esc), plain(K::Esc), plain(K::Esc)],
        ),
        (b"\x1b\x1bx", vec![plain(K::Esc), k(K::Char('x'), alt)]),
        (b"\x1b[", vec![k(K::Char('['), alt)]),
        (b"\x1bO", vec![k(K::Char('O'), alt | shift)]),
        (b"\x1b[\x1b", vec![k(K::Char('['), alt), plain(K::Esc)]),
        (
            b"\x1b\x1b[\r",
            vec![plain(K::Esc), k(K::Char('['), alt), plain(K::Enter)],
        ),
        // Bracketed paste.
        (
            b"\x1b[200~hi\r\tthere\x1b[201~",
            vec![Event::Paste("hi\r\tthere".into())],
        ),
        (
            b"\x1b[200~\x1b[20x\x1b\x1b[201~!",
            vec![Event::Paste("\x1b[20x\x1b".into()), ch('!')],
        ),
        (
            "\x1b[200~Åsa 😀\x1b[201~".as_bytes(),
            vec![Event::Paste("Åsa 😀".into())],
        ),
        (b"\x1b[200~\x1b[201~", vec![Event::Paste(String::new())]),
        (
            b"\x1b[200~\xffok\x1b[201~",
            vec![Event::Paste("\u{fffd}ok".into())],
        ),
        (b"\x1b[201~", vec![]),
        // Focus.
        (b"\x1b[I\x1b[O", vec![Event::FocusGained, Event::FocusLost]),
        // Mouse: SGR, X10, rxvt.
        (
            b"\x1b[<0;10;5M\x1b[<0;10;5m",
            vec![
                mouse(MouseEventKind::Down(MouseButton::Left), 9, 4, M::NONE),
                mouse(MouseEventKind::Up(MouseButton::Left), 9, 4, M::NONE),
            ],
        ),
        (
            b"\x1b[<64;1;1M\x1b[<18;3;4M\x1b[<35;2;2M",
            vec![
                mouse(MouseEventKind::ScrollUp, 0, 0, M::NONE),
                mouse(MouseEventKind::Down(MouseButton::Right), 2, 3, ctrl),
                mouse(MouseEventKind::Moved, 1, 1, M::NONE),
            ],
        ),
        (
            b"\x1b[M !#x",
            vec![
                mouse(MouseEventKind::Down(MouseButton::Left), 0, 2, M::NONE),
                ch('x'),
            ],
        ),
        (
            b"\x1b[32;5;6M",
            vec![mouse(
                MouseEventKind::Down(MouseButton::Left),
                4,
                5,
                M::NONE,
            )],
        ),
        (b"\x1b[<0;0;5M\x1b[<9;1M\x1b[M\x10!!", vec![]),
        // Application keypad.
        (
            b"\x1bOM\x1bOp\x1bOk",
            vec![plain(K::Enter), ch('0'), ch('+')],
        ),
        // Unknown, overlong and interrupted sequences leak nothing.
        (b"\x1b[?1;2c\x1b[99x\x1b[12;40R\x1b[>0;95;0c", vec![]),
        (b"\x1b[1;2;3;4;5A\x1b[99~\x1b[1$y\x1bOz\x1b[[x", vec![]),
        (
            b"\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1Ab",
            vec![ch('b')],
        ),
        (b"\x1b[12;\x03\x1b[1;5", vec![k(K::Char('c'), ctrl)]),
        (
            b"ab\x1b[Acd",
            vec![ch('a'), ch('b'), plain(K::Up), ch('c'), ch('d')],
        ),
    ]
}

#[test]
fn table() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for (bytes, expected) in cases {
        assert_eq!(
            parse(bytes),
            expected,
            "input {:?}",
            bytes.escape_ascii().to_string()
        );
        let one_by_one: Vec<usize> = (0..bytes.len()).collect();
        assert_eq!(
            parse_chunked(bytes, &one_by_one),
            expected,
            "byte-wise {bytes:?}"
        );
    }
}

#[test]
fn utf8_split_across_feeds() {
    let mut p = InputParser::new();
    assert!(p.feed(b"\xf0\x9f").is_empty());
    assert!(p.has_pending());
    assert_eq!(p.feed(b"\x98\x80"), vec![ch('😀')]);
    assert!(!p.has_pending());
    // An unfinished char is dropped on flush.
    assert!(p.feed(b"\xc3").is_empty());
    assert!(p.flush_pending().is_empty());
    assert_eq!(p.feed(b"\x85x"), vec![ch('x')]);
}

#[test]
fn esc_waits_for_flush() {
    let mut p = InputParser::new();
    assert!(p.feed(b"\x1b").is_empty());
    assert!(p.has_pending());
    assert_eq!(p.feed(b"[B"), vec![plain(K::Down)]);
    assert!(p.feed(b"\x1b").is_empty());
    assert_eq!(p.flush_pending(), vec![plain(K::Esc)]);
    assert!(!p.has_pending());
    assert_eq!(p.feed(b"[B"), vec![ch('['), k(K::Char('B'), M::SHIFT)]);
    // An unfinished multi-byte sequence is dropped, not leaked.
    assert!(p.feed(b"\x1b[1;5").is_empty());
    assert!(p.flush_pending().is_empty());
    assert_eq!(p.feed(b"A"), vec![k(K::Char('A'), M::SHIFT)]);
}

#[test]
fn cr_lf_pairing_is_reset_by_flush() {
    let mut p = InputParser::new();
    assert_eq!(p.feed(b"\r"), vec![plain(K::Enter)]);
    assert!(p.has_pending());
    assert!(p.flush_pending().is_empty());
    assert_eq!(p.feed(b"\n"), vec![plain(K::Enter)]);
}

#[test]
fn paste_survives_flush() {
    let mut p = InputParser::new();
    assert!(p.feed(b"\x1b[200~abc\x1b[20").is_empty());
    assert!(!p.has_pending());
    assert!(p.flush_pending().is_empty());
    assert_eq!(p.feed(b"1~"), vec![Event::Paste("abc".into())]);
}

#[test]
fn paste_cap_trims_partial_char() {
    let mut bytes = b"\x1b[200~".to_vec();
    bytes.resize(bytes.len() + MAX_PASTE - 1, b'a');
    bytes.extend_from_slice("Åmore".as_bytes());
    bytes.extend_from_slice(b"\x1b[201~");
    let expected = "a".repeat(MAX_PASTE - 1);
    assert_eq!(parse(&bytes), vec![Event::Paste(expected)]);
}

/// Deterministic escape-heavy garbage (xorshift64).
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let [a, b, ..] = x.to_le_bytes();
            match a % 8 {
                0 => 0x1b,
                1 => b"[O<;~0125"[usize::from(b % 9)],
                _ => b,
            }
        })
        .collect()
}

fn assert_bounded(p: &InputParser) {
    assert!(p.paste.len() <= MAX_PASTE);
    assert!(
        p.paste.capacity() <= MAX_PASTE,
        "capacity {}",
        p.paste.capacity()
    );
}

const MB10: usize = 10 << 20;
const CHUNK: usize = 64 << 10;

#[test]
fn memory_bounded() {
    // The only growable field is the paste buffer; the rest is fixed-size.
    assert!(
        size_of::<InputParser>() <= 96,
        "{}",
        size_of::<InputParser>()
    );

    let mut p = InputParser::new();
    for seed in 1..=(MB10 / CHUNK) as u64 {
        p.feed(&garbage(CHUNK, seed));
        assert_bounded(&p);
    }
    p.flush_pending();
    assert_bounded(&p);

    // Unterminated paste: content beyond the cap is dropped.
    let mut p = InputParser::new();
    assert!(p.feed(b"\x1b[200~").is_empty());
    let chunk = vec![b'x'; CHUNK];
    for _ in 0..MB10 / CHUNK {
        assert!(p.feed(&chunk).is_empty());
        assert_bounded(&p);
    }
    let events = p.feed(b"\x1b[201~");
    assert_eq!(events, vec![Event::Paste("x".repeat(MAX_PASTE))]);
    assert_eq!(p.paste.capacity(), 0, "buffer released after the paste");

    // Overlong CSI: skipped without storing it.
    let mut p = InputParser::new();
    assert!(p.feed(b"\x1b[").is_empty());
    let digits = vec![b'1'; CHUNK];
    for _ in 0..MB10 / CHUNK {
        assert!(p.feed(&digits).is_empty());
    }
    assert!(matches!(p.state, State::Skip));
    assert_eq!(p.feed(b"Az"), vec![ch('z')]);
}

/// Byte sequences rich in (fragments of) escape sequences.
fn tokens() -> impl Strategy<Value = Vec<u8>> {
    const FRAGMENTS: &[&[u8]] = &[
        b"\x1b",
        b"\x1b[",
        b"\x1bO",
        b"[",
        b"O",
        b";",
        b"1;5",
        b"~",
        b"A",
        b"M",
        b"<",
        b"\r",
        b"\n",
        b"\x1b[200~",
        b"\x1b[201~",
        b"\x1b[20",
        b"\x1b[<0;3;4M",
        b"\x1b[M",
        b"\xc3",
        b"\xa5",
        b"\xf0\x9f\x98",
        b"\x80",
        b"3~",
        b"[A",
    ];
    let token = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        prop::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
        any::<char>().prop_map(|c| c.to_string().into_bytes()),
    ];
    prop::collection::vec(token, 0..800).prop_map(|v| v.concat())
}

/// Any char except control chars (which are keys, not text); control chars
/// map to `?` so that no case is rejected.
fn printable_char() -> impl Strategy<Value = char> {
    any::<char>().prop_map(|c| if c.is_control() { '?' } else { c })
}

proptest! {
    /// Arbitrary bytes never panic, and flushing leaves nothing pending.
    #[test]
    fn never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut p = InputParser::new();
        p.feed(&bytes);
        p.flush_pending();
        prop_assert!(!p.has_pending());
        assert_bounded(&p);
    }

    /// The events do not depend on how the input is chunked.
    #[test]
    fn chunking_invariant(
        bytes in prop_oneof![tokens(), prop::collection::vec(any::<u8>(), 0..4096)],
        cuts in prop::collection::vec(any::<usize>(), 0..64),
    ) {
        prop_assert_eq!(parse_chunked(&bytes, &cuts), parse(&bytes));
    }

    /// Typed text without control chars comes out as exactly its chars.
    #[test]
    fn text_round_trips(
        chars in prop::collection::vec(printable_char(), 0..300),
    ) {
        let text: String = chars.into_iter().collect();
        let events = parse(text.as_bytes());
        let expected: Vec<Event> = text
            .chars()
            .map(|c| {
                let shift = if c.is_uppercase() { M::SHIFT } else { M::NONE };
                k(K::Char(c), shift)
            })
            .collect();
        prop_assert_eq!(events, expected);
    }
}

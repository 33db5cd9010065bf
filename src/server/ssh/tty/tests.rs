#![allow(clippy::unwrap_used, clippy::panic, clippy::unnecessary_wraps)]
use super::*;
use crossterm::event::{KeyCode, KeyModifiers};

fn queue(hard_timeout: Duration) -> (SessionInput, InputQueue) {
    let (tx, rx) = sync_channel(INPUT_QUEUE);
    let size = TermSize::new(80, 24);
    let input = SessionInput {
        tx,
        size: size.clone(),
        dropped: 0,
    };
    let q = InputQueue {
        rx,
        parser: InputParser::new(),
        events: VecDeque::new(),
        seen: size.get(),
        size,
        last_input: Instant::now(),
        hard_timeout,
        closed: false,
        timed_out: false,
    };
    (input, q)
}

fn key(c: KeyCode) -> Option<Input> {
    Some(Input::Key(crossterm::event::KeyEvent::new(
        c,
        KeyModifiers::NONE,
    )))
}

#[test]
fn bytes_become_keys_a_lone_esc_waits_for_the_idle_time_and_a_resize_carries_its_size() {
    let (mut input, mut q) = queue(Duration::from_mins(1));
    assert_eq!(q.next(Duration::from_millis(5)), None);
    input.bytes(b"a\x1b[A");
    assert_eq!(q.next(Duration::from_millis(5)), key(KeyCode::Char('a')));
    assert_eq!(q.next(Duration::from_millis(5)), key(KeyCode::Up));
    input.bytes(b"\x1b");
    let started = Instant::now();
    assert_eq!(q.next(Duration::from_secs(1)), key(KeyCode::Esc));
    let waited = started.elapsed();
    assert!(
        waited >= ESC_IDLE && waited < Duration::from_millis(500),
        "{waited:?}"
    );
    input.resize(120, 40);
    assert_eq!(
        q.next(Duration::from_millis(5)),
        Some(Input::Resize(120, 40))
    );
    input.bytes(b"\x1b[200~pasted\x1b[201~");
    assert_eq!(
        q.next(Duration::from_millis(5)),
        Some(Input::Paste("pasted".into()))
    );
    drop(input);
    assert_eq!(q.next(Duration::from_millis(5)), Some(Input::Closed));
    assert!(!q.timed_out);
}

#[test]
fn a_full_input_queue_drops_rather_than_blocks_the_connection() {
    let (mut input, _q) = queue(Duration::from_mins(1));
    for _ in 0..INPUT_QUEUE + 10 {
        input.bytes(b"x");
    }
    assert_eq!(input.dropped(), 10);
}

#[test]
fn the_hard_timeout_closes_an_idle_session() {
    let (_input, mut q) = queue(Duration::from_millis(50));
    let mut n = 0;
    loop {
        match q.next(Duration::from_millis(20)) {
            None => n += 1,
            Some(Input::Closed) => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(n >= 1);
    assert!(q.timed_out);
    let (tail, status) = guarded(crate::service::Lang::En, 1, || Ok(End::IdleTimeout));
    assert_eq!(status, 0);
    assert!(String::from_utf8_lossy(&tail).contains("1 idle minutes"));
}

#[test]
fn a_panicking_session_ends_alone_with_the_terminal_restored_and_status_1() {
    let (tail, status) = guarded(crate::service::Lang::En, 60, || {
        panic!("a bug in one session");
    });
    assert_eq!(status, 1);
    assert!(tail.starts_with(LEAVE));
    assert!(String::from_utf8_lossy(&tail).contains("internal error"));
    let (tail, status) = guarded(crate::service::Lang::En, 60, || Ok(End::Done));
    assert_eq!((tail.as_slice(), status), (LEAVE, 0));
}

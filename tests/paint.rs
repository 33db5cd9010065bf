//! The painter's bytes, fed to a terminal emulator (vt100), must give exactly the screen ratatui
//! renders, however the lists scroll: scrolling by terminal scroll regions is an optimisation
//! that must never show a stale row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use insats::cli::screens;
use insats::server::paint::{Muted, Painter, Term};
use insats::service::{Lang, Session};
use insats::ui::keymap::Key;
use insats::ui::{App, screenshot, view};
use ratatui::Terminal;
use ratatui::backend::{CrosstermBackend, TestBackend};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Clone, Default)]
struct Wire(Arc<Mutex<Vec<u8>>>);

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn expected(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    screenshot::to_text(t.backend().buffer())
        .lines()
        .map(str::to_owned)
        .collect()
}

fn emulated(parser: &vt100::Parser, w: u16) -> Vec<String> {
    parser
        .screen()
        .rows(0, w)
        .map(|r| r.trim_end().to_owned())
        .collect()
}

#[test]
fn scrolling_with_scroll_regions_shows_exactly_the_rendered_screen() {
    let dir = tempfile::tempdir().unwrap();
    let service = screens::demo_service(&dir.path().join("demo.redb")).unwrap();
    let session = Session::sign_in(&service, "hanna", None).unwrap();
    let mut app = App::new(
        session,
        screens::options(Lang::En, false).unwrap(),
        Instant::now(),
    )
    .unwrap();
    let (w, h) = (120u16, 36u16);
    let wire = Wire::default();
    let (writer, mute) = Muted::new(wire.clone());
    let mut term: Term<Wire> = Terminal::with_options(
        CrosstermBackend::new(writer),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
        },
    )
    .unwrap();
    let mut painter = Painter::new(mute);
    let mut parser = vt100::Parser::new(
        std::num::NonZeroU16::new(h).unwrap(),
        std::num::NonZeroU16::new(w).unwrap(),
        0,
    );
    let mut keys: Vec<&str> = vec!["enter"];
    keys.extend(std::iter::repeat_n("down", 130));
    keys.extend(["pagedown", "pagedown", "up", "pageup"]);
    keys.extend(std::iter::repeat_n("up", 60));
    keys.extend(["home", "end", "tab"]);
    keys.extend(std::iter::repeat_n("down", 40));
    keys.extend(std::iter::repeat_n("up", 10));
    keys.extend(["/", "e", "r", "enter", "shift-tab"]);
    keys.extend(std::iter::repeat_n("down", 20));
    let mut scrolled = 0;
    for (i, k) in keys.iter().enumerate() {
        app.on_key(Key::parse(k).unwrap().to_event(), Instant::now());
        painter.paint(&mut term, &app).unwrap();
        let bytes = std::mem::take(&mut *wire.0.lock().unwrap());
        // A one-row scroll region step: "ESC[1S" or "ESC[1T" followed by the margin reset.
        scrolled += usize::from(bytes.windows(3).any(|p| p == b"1S\x1b" || p == b"1T\x1b"));
        parser.process(&bytes);
        assert_eq!(
            emulated(&parser, w),
            expected(&app, w, h),
            "after key {i} ({k})"
        );
    }
    assert!(scrolled > 50, "only {scrolled} steps scrolled by region");
}

/// Moving between a participant registered in and one registered out keeps the footer's hints
/// where they are ("o out" greyed, not taken away), so a move sends the two rows and a few
/// cells, not a rewritten footer; and `o` on the one registered out says why not.
#[test]
fn a_selection_move_keeps_the_footer_in_place_and_a_greyed_key_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let service = screens::demo_service(&dir.path().join("demo.redb")).unwrap();
    for lang in [Lang::En, Lang::Sv] {
        let session = Session::sign_in(&service, "hanna", None).unwrap();
        let mut app = App::new(
            session,
            screens::options(lang, false).unwrap(),
            Instant::now(),
        )
        .unwrap();
        let press = |app: &mut App, k: &str| {
            app.on_key(Key::parse(k).unwrap().to_event(), Instant::now());
        };
        press(&mut app, "enter");
        let (w, h) = (160u16, 48u16);
        let footer = |app: &App| expected(app, w, h).pop().unwrap();
        let out = match lang {
            Lang::En => "o out",
            Lang::Sv => "o utskrivning",
        };
        // Walk down over rows of both states, reading the footer at each.
        let mut seen = std::collections::BTreeSet::new();
        let mut states = std::collections::BTreeSet::new();
        for _ in 0..60 {
            let f = footer(&app);
            assert!(f.contains(out), "{f}");
            seen.insert(f);
            states.insert(format!("{:?}", app.selected_state()));
            press(&mut app, "down");
        }
        assert!(states.len() >= 2, "{states:?}");
        // `o` on one registered out: the reason, in the footer; nothing opens.
        while app.selected_state() != Some(insats::domain::participation::State::RegisteredOut) {
            press(&mut app, "up");
        }
        press(&mut app, "o");
        let why = match lang {
            Lang::En => "Already registered out",
            Lang::Sv => "Redan utskriven",
        };
        assert!(footer(&app).contains(why), "{}", footer(&app));
        assert!(app.overlay.is_none());
        // The footer's text is the same whichever row is chosen (only its style differs).
        assert_eq!(seen.len(), 1, "{seen:?}");
    }
}

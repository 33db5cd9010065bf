//! Terminal UI benchmarks on a database of N generated participations (default 1,000,000; run:
//! `cargo bench --bench tui`, smaller with `INSATS_BENCH_N=100000`).
//!
//! Measures, on a 160×48 terminal drawn through ratatui's crossterm backend into memory (the
//! bytes a terminal or an SSH channel would receive): opening the database to the first frame,
//! frame time per key, bytes written per selection move and per scroll step, and a full redraw.
//! Also the binary's own start and exit (`insats --version`), the part of "process start to
//! first frame" that the in-process figure leaves out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use insats::domain::user::Role;
use insats::server::paint::{Muted, Painter, Term};
use insats::service::synth;
use insats::service::{FixedClock, Service, Session};
use insats::ui::keymap::{Key, Keymap};
use insats::ui::theme::Theme;
use insats::ui::{App, Options};
use insats_store::Store;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::today;

/// A writer that counts and keeps what the backend sends.
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

impl Wire {
    fn take(&self) -> usize {
        let mut v = self.0.lock().unwrap();
        let n = v.len();
        v.clear();
        n
    }
}

/// A database of `n` generated participations over ten interventions.
fn build(path: &std::path::Path, n: usize) {
    let s = common::setup(path);
    let sys = Session::sign_in(&s.service, "admin", Some(Role::SystemAdmin)).unwrap();
    let catalogue = s.service.catalogue().clone();
    sys.import(synth::rows(1, n, &s.targets, &catalogue, today()))
        .unwrap();
}

/// A 160×48 terminal writing to `wire`, with its painter (the sessions' drawing path).
fn terminal(wire: &Wire) -> (Term<Wire>, Painter) {
    let (writer, mute) = Muted::new(wire.clone());
    let term = Terminal::with_options(
        CrosstermBackend::new(writer),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 160, 48)),
        },
    )
    .unwrap();
    (term, Painter::new(mute))
}

/// Time from spawning `cmd` under `script` (in a 160×48 pseudo-terminal) until "Interventions"
/// is on its output.
fn first_frame(cmd: &str) -> Duration {
    use std::io::Read;
    let t = Instant::now();
    let mut child = std::process::Command::new("script")
        .args([
            "-qfec",
            &format!("stty cols 160 rows 48; {cmd}"),
            "/dev/null",
        ])
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let took = loop {
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0, "no frame: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
        if seen.windows(13).any(|w| w == b"Interventions") {
            break t.elapsed();
        }
    };
    // Quit as a user would, so the database is closed before the next run opens it.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"q");
    }
    let _ = child.wait();
    took
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let p = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    println!(
        "{name:<34} median {:>8.3} ms   p99 {:>8.3} ms   (n={})",
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        v.len()
    );
}

fn bytes(name: &str, mut v: Vec<usize>) {
    v.sort_unstable();
    println!(
        "{name:<34} median {:>6} B   max {:>6} B   (n={})",
        v[v.len() / 2],
        v[v.len() - 1],
        v.len()
    );
}

fn main() {
    let n: usize = std::env::var("INSATS_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir =
        tempfile::tempdir_in(std::env::var("INSATS_BENCH_DIR").unwrap_or_else(|_| "/tmp".into()))
            .unwrap();
    let path = dir.path().join("tui.redb");
    let t = Instant::now();
    build(&path, n);
    println!(
        "built {n} participations in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let opts = Options {
        lang: insats::service::Lang::En,
        keymap: Keymap::load("default").unwrap(),
        theme: Theme::default(),
        idle_lock: Duration::from_hours(1),
        export_dir: None,
    };
    let press =
        |app: &mut App, k: &str| app.on_key(Key::parse(k).unwrap().to_event(), Instant::now());

    // Open → first frame, cold process state each time except the OS page cache.
    let mut opens = Vec::new();
    let mut store_opens = Vec::new();
    for _ in 0..20 {
        let wire = Wire::default();
        let t = Instant::now();
        let store = Store::open(&path, None).unwrap();
        store_opens.push(t.elapsed());
        let service = Service::new(store, Box::new(FixedClock::on(today())));
        let session = Session::sign_in(&service, "hanna", None).unwrap();
        let mut app = App::new(session, opts.clone(), Instant::now()).unwrap();
        press(&mut app, "enter");
        let (mut term, mut painter) = terminal(&wire);
        painter.paint(&mut term, &app).unwrap();
        opens.push(t.elapsed());
    }
    stats("open db → first frame (in process)", opens);
    stats("  of which Store::open", store_opens);
    // Process start to first frame, for real: the release binary in a pseudo-terminal
    // (util-linux `script`), timed until the first frame's text arrives.
    let exe = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/insats");
    if exe.exists()
        && std::process::Command::new("script")
            .arg("--version")
            .output()
            .is_ok()
    {
        let mut firsts = Vec::new();
        let mut bare = Vec::new();
        for _ in 0..20 {
            firsts.push(first_frame(&format!(
                "{} --db {} --as hanna --lang en",
                exe.display(),
                path.display()
            )));
            bare.push(first_frame("echo Interventions"));
        }
        stats("process start → first frame (pty)", firsts);
        stats("  of which script + pty alone", bare);
    } else {
        println!(
            "(process start not timed: build the release binary and install util-linux script)"
        );
    }

    // Moving through the participants of an intervention with ~n/10 rows.
    let store = Store::open(&path, None).unwrap();
    let service = Service::new(store, Box::new(FixedClock::on(today())));
    let session = Session::sign_in(&service, "hanna", None).unwrap();
    let mut app = App::new(session, opts, Instant::now()).unwrap();
    press(&mut app, "enter");
    let wire = Wire::default();
    let (mut term, mut painter) = terminal(&wire);
    painter.paint(&mut term, &app).unwrap();
    let full = wire.take();
    let visible = app.page_rows.get();
    let (mut frames, mut moves, mut scrolls) = (Vec::new(), Vec::new(), Vec::new());
    // Near the top the selection moves without scrolling: ten down, ten up, twenty times.
    let mut start = app.scroll_marks.get()[0].map(|m| m.start);
    let mut keys: Vec<&str> = Vec::new();
    for _ in 0..20 {
        keys.extend(std::iter::repeat_n("down", 10));
        keys.extend(std::iter::repeat_n("up", 10));
    }
    keys.extend(std::iter::repeat_n("down", 2_000));
    for k in keys {
        let t = Instant::now();
        press(&mut app, k);
        painter.paint(&mut term, &app).unwrap();
        frames.push(t.elapsed());
        let b = wire.take();
        // A step that left the list's first row where it was only moved the selection.
        let now_start = app.scroll_marks.get()[0].map(|m| m.start);
        if now_start == start {
            moves.push(b);
        } else {
            scrolls.push(b);
        }
        start = now_start;
    }
    stats("key → frame (participants)", frames);
    bytes("bytes per selection move", moves);
    bytes("bytes per scroll step", scrolls);
    let mut redraws = Vec::new();
    let mut redraw_bytes = Vec::new();
    for _ in 0..50 {
        // A fresh terminal has nothing on screen: the frame is drawn in full.
        let w = Wire::default();
        let (mut fresh, mut fresh_painter) = terminal(&w);
        let t = Instant::now();
        fresh_painter.paint(&mut fresh, &app).unwrap();
        redraws.push(t.elapsed());
        redraw_bytes.push(w.take());
    }
    stats("full redraw (160x48)", redraws);
    bytes("bytes per full redraw", redraw_bytes);
    println!("first frame wrote {full} B; {visible} participant rows visible");
}

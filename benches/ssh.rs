//! The SSH server under load: `cargo bench --bench ssh` (about two minutes).
//!
//! Starts the release binary's `insats serve` on a fresh demo database and drives it with
//! russh's client in this process (one pty session per connection, screens kept by vt100):
//! 1. N = 10, 50, 100 sessions pressing a key every 200–300 ms (help on, help off) while one
//!    more session registers participants through the keyboard: keystroke-to-frame latency
//!    p50/p99 (key sent → the frame showing its effect received), server RSS and CPU;
//! 2. 50 sessions registering at once: registrations per second (counted from the audit log);
//! 3. a client that stops reading (but keeps typing) while registrations go on: server RSS
//!    over time.
//!
//! Client and server share the machine's two cores.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

#[path = "ssh/client.rs"]
mod client;

use client::Term;
use insats::domain::audit::Action;
use insats::domain::personnummer::luhn_check_digit;
use insats::domain::user::Role;
use insats::service::{AuditFilter, Session};
use russh::keys::PrivateKey;
use russh::keys::ssh_key::private::Ed25519Keypair;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_insats")
}

fn insats(db: &Path, args: &[&str]) {
    let out = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Server memory (kB) and CPU time used so far (s), from /proc.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().map(|x| x.parse::<f64>().unwrap_or(0.0)).sum()
    });
    (rss, ticks / 100.0)
}

/// The machine's CPU ticks (all cores) and those of them stolen by the hypervisor, from
/// `/proc/stat`: a run during which the host took much of the machine's time is not a result
/// about insats, and the table says so.
fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (cpu.iter().sum(), cpu.get(7).copied().unwrap_or(0.0))
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// A valid, fictitious samordningsnummer (day + 60, birth number 980–999) for the k-th
/// registration: the demo data has personnummer only, so none of these is registered yet.
fn pnr(k: u64) -> String {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(k % 12_000);
    let serial = 980 + (k / 12_000) % 20;
    let day = chrono::Datelike::day(&birth) + 60;
    let yymm = birth.format("%y%m").to_string();
    let digits: Vec<u8> = format!("{yymm}{day:02}{serial:03}")
        .bytes()
        .map(|b| b - b'0')
        .collect();
    format!(
        "{}{day:02}-{serial:03}{}",
        birth.format("%Y%m"),
        luhn_check_digit(&digits)
    )
}

fn name(k: u64) -> String {
    let mut n = k;
    let mut s = String::new();
    for _ in 0..4 {
        s.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    format!("Bänk B{s}")
}

/// Register-in entries in the audit log made through a session (the demo's own included).
fn registered_in(db: &Path) -> usize {
    let service = insats::cli::screens::demo_service(db).unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    admin
        .audit_page(
            &AuditFilter {
                action: Some(Action::RegisterIn),
                ..AuditFilter::default()
            },
            None,
            1_000_000,
        )
        .unwrap()
        .len()
}

struct Setup {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    key: Arc<PrivateKey>,
    questions: usize,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.redb");
    insats(&db, &["demo", "--summary"]);
    let questions = {
        let service = insats::cli::screens::demo_service(&db).unwrap();
        let s = Session::sign_in(&service, "hanna", None).unwrap();
        let first = s.interventions().unwrap()[0].intervention.id;
        s.questionnaire(first)
            .unwrap()
            .questions_on(insats::cli::demo::demo_today())
            .len()
    };
    let rng = ring::rand::SystemRandom::new();
    let seed: [u8; 32] = ring::rand::generate(&rng).unwrap().expose();
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    let line = key.public_key().to_openssh().unwrap();
    insats(
        &db,
        &["--as", "admin", "user", "key", "add", "hanna", &line],
    );
    Setup {
        _dir: dir,
        db,
        key: Arc::new(key),
        questions,
    }
}

fn start_server(db: &Path) -> (Child, u16) {
    let mut child = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args([
            "--lang",
            "en",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-sessions",
            "300",
        ])
        .env("INSATS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port = first.rsplit(':').next().unwrap().trim().parse().unwrap();
    // Keep reading what the server says, as a terminal or journald would.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    (child, port)
}

/// Registers participants through the keyboard until `stop`; counts the ones seen on screen.
async fn writer(
    t: Term,
    questions: usize,
    first: u64,
    stride: u64,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
) {
    t.send(b"\r").await;
    let mut k = first;
    while !stop.load(Ordering::Relaxed) {
        let who = name(k);
        let keys = format!(
            "n{}\t{who}\t0180\x13\t\t{}\x13",
            pnr(k),
            "1\t".repeat(questions)
        );
        t.send(keys.as_bytes()).await;
        // Saved when the forms are closed and the list shows the name.
        let saved = |s: &str| {
            s.contains(&who)
                && s.contains("Registered in")
                && !s.contains("New participant")
                && !s.contains("Register in: situation")
        };
        if t.wait_until(saved, Duration::from_secs(10)).await.is_some() {
            done.fetch_add(1, Ordering::Relaxed);
        } else {
            if std::env::var_os("INSATS_BENCH_DEBUG").is_some() {
                eprintln!("registration {k} not seen:\n{}", t.text());
            }
            for _ in 0..3 {
                t.send(b"\x1b").await;
                tokio::time::sleep(Duration::from_millis(60)).await;
            }
        }
        k += stride;
    }
}

/// Presses help on and off every 200–300 ms until `stop`; returns the latencies.
async fn reader(t: Term, seed: u64, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut out = Vec::new();
    let mut i = seed;
    while !stop.load(Ordering::Relaxed) {
        i = i.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        tokio::time::sleep(Duration::from_millis(200 + (i >> 33) % 100)).await;
        if let Some(d) = t.press(b"?", "Help · ", false).await {
            out.push(d);
        }
        tokio::time::sleep(Duration::from_millis(200 + (i >> 40) % 100)).await;
        // `?` closes help too (Esc would wait 30 ms for the rest of a possible sequence).
        if let Some(d) = t.press(b"?", "Help · ", true).await {
            out.push(d);
        }
    }
    drop(t);
    out
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let s = setup();
    let baseline = registered_in(&s.db);
    let (mut server, port) = start_server(&s.db);
    let pid = server.id();
    println!(
        "SSH server benchmark: demo database, release binary, 120×40 ptys, 2 cores shared with the clients"
    );
    let (idle_rss, _) = usage(pid);
    println!("server RSS with no session: {} MB", idle_rss / 1024);

    // 1. Latency under N sessions while one session registers participants.
    let stop_writer = Arc::new(AtomicBool::new(false));
    let registered = Arc::new(AtomicU64::new(0));
    let w = Term::open(port, "hanna", s.key.clone(), 120, 40).await;
    let writer_task = tokio::spawn(writer(
        w,
        s.questions,
        0,
        1,
        stop_writer.clone(),
        registered.clone(),
    ));
    let mut terms: Vec<Term> = Vec::new();
    println!(
        "| sessions | keystroke→frame p50 | p99 | samples | server RSS | RSS per session | server CPU | registrations by the one writer | CPU time stolen by the host |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in [10usize, 50, 100] {
        let (before, _) = usage(pid);
        while terms.len() < n {
            terms.push(Term::open(port, "hanna", s.key.clone(), 120, 40).await);
        }
        let (after_open, _) = usage(pid);
        let stop = Arc::new(AtomicBool::new(false));
        let (_, cpu0) = usage(pid);
        let machine0 = machine_ticks();
        let reg0 = registered.load(Ordering::Relaxed);
        let t0 = Instant::now();
        let tasks: Vec<_> = terms
            .drain(..)
            .enumerate()
            .map(|(i, t)| tokio::spawn(reader(t, i as u64 + 1, stop.clone())))
            .collect();
        tokio::time::sleep(Duration::from_secs(8)).await;
        stop.store(true, Ordering::Relaxed);
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.unwrap());
        }
        let secs = t0.elapsed().as_secs_f64();
        let (rss, cpu1) = usage(pid);
        let machine1 = machine_ticks();
        let stolen = (machine1.1 - machine0.1) / (machine1.0 - machine0.0).max(1.0) * 100.0;
        lat.sort();
        let per = (after_open.saturating_sub(before)) as f64 / (n - terms.len()).max(1) as f64;
        println!(
            "| {n} | {:.1} ms | {:.1} ms | {} | {} MB | {:.2} MB | {:.0}% | {} | {stolen:.0}% |",
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat.len(),
            rss / 1024,
            per / 1024.0,
            (cpu1 - cpu0) / secs * 100.0,
            registered.load(Ordering::Relaxed) - reg0
        );
        // The readers' sessions were dropped with their tasks; open them anew next round.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop_writer.store(true, Ordering::Relaxed);
    writer_task.await.unwrap();

    // 2. Fifty sessions registering at once.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for i in 0..50u64 {
        let t = Term::open(port, "hanna", s.key.clone(), 120, 60).await;
        writers.push((t, i));
    }
    let (_, cpu0) = usage(pid);
    let t0 = Instant::now();
    let tasks: Vec<_> = writers
        .into_iter()
        .map(|(t, i)| {
            tokio::spawn(writer(
                t,
                s.questions,
                100_000 + i,
                50,
                stop.clone(),
                done.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(10)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let secs = t0.elapsed().as_secs_f64();
    let (_, cpu1) = usage(pid);
    println!(
        "50 sessions registering at once: {} registrations seen on screen in {secs:.1} s = {:.0}/s (server CPU {:.0}%)",
        done.load(Ordering::Relaxed),
        done.load(Ordering::Relaxed) as f64 / secs,
        (cpu1 - cpu0) / secs * 100.0
    );

    // 3. A client that stops reading (its TCP stream is no longer read) but keeps typing,
    //    while a writer keeps every screen changing.
    let relay = client::Relay::start(port).await;
    let stalled = Term::open(relay.port, "hanna", s.key.clone(), 200, 100).await;
    relay.stall.store(true, Ordering::Relaxed);
    let before_stall = relay.forwarded.load(Ordering::Relaxed);
    let stop = Arc::new(AtomicBool::new(false));
    let w = Term::open(port, "hanna", s.key.clone(), 120, 40).await;
    let task = tokio::spawn(writer(
        w,
        s.questions,
        200_000,
        1,
        stop.clone(),
        Arc::new(AtomicU64::new(0)),
    ));
    let mut samples = Vec::new();
    for _ in 0..20 {
        // 25 full-screen redraws a second asked for, none read.
        for _ in 0..25 {
            stalled.send(b"?").await;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        samples.push(usage(pid).0 / 1024);
    }
    stop.store(true, Ordering::Relaxed);
    task.await.unwrap();
    println!(
        "stalled client ({} KB read before the stall, then nothing; 500 redraws asked for): server RSS MB each second for 20 s: {samples:?}",
        before_stall / 1024
    );
    relay.stall.store(false, Ordering::Relaxed);
    drop(stalled);

    let _ = Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status();
    let _ = server.wait();
    // The audit log is the ground truth for what was registered.
    println!(
        "register-in entries added to the audit log during the run: {}",
        registered_in(&s.db) - baseline
    );
}

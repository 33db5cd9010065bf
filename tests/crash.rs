//! Crash safety: a writer process is killed (`SIGKILL`) at random points during a burst of
//! registrations; after each kill the database reopens with every committed registration
//! complete, with its audit entry, nothing half-written, and a verifying chain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use insats::domain::audit::Action;
use insats::domain::ids::ParticipationId;
use insats::domain::user::Role;
use insats::service::{FixedClock, Service, Session};
use insats_store::{Store, audit, check, people};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WRITER_ENV: &str = "INSATS_CRASH_WRITER_DB";

/// The writer half: runs only in the child process started by the test below.
#[test]
fn crash_writer_child() {
    let Ok(db) = std::env::var(WRITER_ENV) else {
        return;
    };
    let seed: u64 = std::env::var("INSATS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let store = Store::open(std::path::Path::new(&db), None).unwrap();
    let service = Service::new(store, Box::new(FixedClock::on(today())));
    let handler = Session::sign_in(&service, "hanna", Some(Role::ParticipantHandler)).unwrap();
    let intervention = insats::domain::ids::InterventionId(1);
    let mut rng = insats::service::synth::Rng::new(seed);
    let stdout = std::io::stdout();
    for k in 0..100_000u32 {
        let birth = date(
            1960 + (rng.below(40) as i32),
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        );
        let who = pnr(birth, (rng.below(1000)) as u16);
        let Ok(consent) = handler.record_consent(
            intervention,
            &identity(&who, &format!("Person {k}")),
            &consent_by_participant("2026-06-01"),
        ) else {
            continue;
        };
        if let Ok(p) = handler.register_in(&register_input(consent, "2026-06-10", &handler)) {
            use std::io::Write;
            let mut out = stdout.lock();
            writeln!(out, "P {}", p.0).unwrap();
            out.flush().unwrap();
        }
    }
}

#[test]
fn killing_a_writer_at_random_points_loses_no_committed_registration() {
    if std::env::var(WRITER_ENV).is_ok() {
        return;
    }
    let f = Fixture::new();
    let path = f.db_path.clone();
    assert_eq!(f.intervention.0, 1, "the writer registers into I1");
    drop(f.handler);
    drop(f.other_handler);
    drop(f.manager);
    drop(f.report_reader);
    drop(f.log_reviewer);
    drop(f.admin);
    drop(f.service);
    let exe = std::env::current_exe().unwrap();
    let mut rng = insats::service::synth::Rng::new(2026);
    let mut committed: HashSet<u64> = HashSet::new();
    let iterations = 50;
    for iteration in 0..iterations {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(WRITER_ENV, &path)
            .env("INSATS_CRASH_SEED", (iteration + 1).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(id) = line
                    .strip_prefix("P ")
                    .and_then(|s| s.trim().parse::<u64>().ok())
                {
                    let _ = tx.send(id);
                }
            }
        });
        // Wait until the writer is committing, then kill it at a random point.
        let started = Instant::now();
        let mut seen_first = false;
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(id) = rx.recv_timeout(Duration::from_millis(5)) {
                committed.insert(id);
                seen_first = true;
                break;
            }
        }
        assert!(
            seen_first,
            "iteration {iteration}: the writer never committed"
        );
        std::thread::sleep(Duration::from_micros(500 + rng.below(60_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        committed.extend(rx.try_iter());

        // Reopen and check everything.
        let store = Store::open(&path, None).unwrap();
        let tx = store.read().unwrap();
        assert_eq!(
            check::check(&tx).unwrap(),
            Vec::<String>::new(),
            "iteration {iteration}: indexes"
        );
        assert!(
            audit::verify(&*tx, store.crypto()).unwrap().is_ok(),
            "iteration {iteration}: chain"
        );
        let entries = audit::page(&*tx, audit::Scope::All, None, usize::MAX, usize::MAX, |e| {
            e.draft.action == Action::RegisterIn
        })
        .unwrap();
        let logged: HashSet<_> = entries.iter().filter_map(|e| e.draft.subject).collect();
        let mut stored = 0;
        for id in &committed {
            let p = people::participation(&*tx, ParticipationId(*id)).unwrap();
            let p = p.unwrap_or_else(|| {
                panic!("iteration {iteration}: committed participation D{id} is gone")
            });
            assert!(
                logged.contains(&p.pseudonym),
                "iteration {iteration}: D{id} has no audit entry"
            );
            stored += 1;
        }
        // Nothing half-written: every participation in the table has its audit entry and its
        // used consent (check() covers the consent link).
        let all = people::participations_page(
            &*tx,
            insats::domain::ids::InterventionId(1),
            None,
            usize::MAX,
        )
        .unwrap();
        for p in &all {
            assert!(
                logged.contains(&p.pseudonym),
                "iteration {iteration}: D{} without audit entry",
                p.id.0
            );
        }
        assert!(all.len() >= stored);
        drop(tx);
        drop(store);
    }
    assert!(
        committed.len() >= iterations,
        "the writers committed {} registrations",
        committed.len()
    );
    println!(
        "{iterations} kills, {} committed registrations all intact",
        committed.len()
    );
}

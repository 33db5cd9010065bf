//! Backup benchmark on generated data (run: `cargo bench --bench backup`; smaller runs with
//! `INSATS_BENCH_N=100000`).
//!
//! Measures, on N participations (default 1,000,000): an online backup (one read snapshot,
//! copied, encrypted with age to a recipient, written under a temporary name and renamed) —
//! its time and size; a restore of it (decrypt, apply the erasure journal, copy, check indexes,
//! counters and the audit chain) — its time; and the register-in latency of writers (each a
//! durable commit with its audit entry) while the backup runs, against the same writers
//! without it. Budgets: backup < 10 s; writers' p99 during it ≤ 2× their p99 without.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use age::secrecy::ExposeSecret;
use chrono::NaiveDate;
use insats::domain::consent::Signer;
use insats::domain::ids::InterventionId;
use insats::domain::user::Role;
use insats::service::backup::{self, Recipients, RestoreOptions};
use insats::service::synth;
use insats::service::{
    ConsentInput, IdentityInput, ImportRow, RegisterInInput, Session, default_journal_path,
    default_key_path,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::{setup, today};

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Writers registering until `stop`: each a new consent (not timed) and a registration in
/// (timed, with the instant it started). Returns every timed registration.
fn writers(
    handler: &Session,
    intervention: InterventionId,
    n: usize,
    seed: u64,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<Vec<(Instant, Duration)>>> {
    (0..n)
        .map(|w| {
            let handler = handler.clone();
            let stop = Arc::clone(stop);
            let catalogue = handler.service().catalogue().clone();
            std::thread::spawn(move || {
                let mut rng = synth::Rng::new(seed * 100 + w as u64);
                let mut times = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let birth = NaiveDate::from_ymd_opt(
                        1960 + rng.below(40) as i32,
                        1 + rng.below(12) as u32,
                        1 + rng.below(28) as u32,
                    )
                    .unwrap();
                    let who = synth::person(&mut rng, birth).unwrap();
                    let answers = synth::answers(&mut rng, &catalogue, today());
                    let Ok(consent) = handler.record_consent(
                        intervention,
                        &IdentityInput {
                            pnr: who.pnr.formatted(),
                            name: who.name,
                            municipality: who.municipality.to_string(),
                        },
                        &ConsentInput {
                            signed_on: "2026-11-01".into(),
                            signed_by: Signer::Participant,
                            received_by: "Hanna".into(),
                            original_sent_on: String::new(),
                            judged_mature: false,
                        },
                    ) else {
                        continue;
                    };
                    let at = Instant::now();
                    let r = handler.register_in(&RegisterInInput {
                        consent,
                        in_date: "2026-11-02".into(),
                        gender: None,
                        answers,
                    });
                    if r.is_ok() {
                        times.push((at, at.elapsed()));
                    }
                }
                times
            })
        })
        .collect()
}

const WRITERS: usize = 4;

fn main() {
    let n: usize = std::env::var("INSATS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::Builder::new()
        .prefix("insats-bench-backup")
        .tempdir_in(std::env::var("INSATS_BENCH_DIR").unwrap_or_else(|_| "target".into()))
        .unwrap();
    let path = dir.path().join("bench.redb");
    println!(
        "insats backup benchmark: {n} participations, files in {}",
        dir.path().display()
    );
    let s = setup(&path);
    let catalogue = s.service.catalogue().clone();
    let rows: Vec<ImportRow> = synth::rows(1, n, &s.targets, &catalogue, today()).collect();
    let sys = Session::sign_in(&s.service, "admin", Some(Role::SystemAdmin)).unwrap();
    let t = Instant::now();
    let report = sys.import(rows).unwrap();
    println!(
        "set-up: {} participations imported in {:.1} s (not measured); database {:.0} MB",
        report.participations,
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6
    );

    let identity = age::x25519::Identity::generate();
    let identity_file = dir.path().join("backup-identity.txt");
    std::fs::write(
        &identity_file,
        format!("{}\n", identity.to_string().expose_secret()),
    )
    .unwrap();
    let recipients = Recipients::load(&[identity.to_public().to_string()], &[]).unwrap();
    let handler = Session::sign_in(&s.service, "hanna", Some(Role::ParticipantHandler)).unwrap();
    let intervention = s.targets[0].intervention;

    // 1. Writers alone, for as long as a backup is expected to take.
    let stop = Arc::new(AtomicBool::new(false));
    let threads = writers(&handler, intervention, WRITERS, 1, &stop);
    std::thread::sleep(Duration::from_secs(4));
    stop.store(true, Ordering::Relaxed);
    let alone: Vec<Duration> = threads
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .map(|(_, d)| d)
        .collect();

    // 2. The same writers while a backup runs; only registrations started during it count.
    let stop = Arc::new(AtomicBool::new(false));
    let threads = writers(&handler, intervention, WRITERS, 2, &stop);
    std::thread::sleep(Duration::from_millis(300));
    let file = dir.path().join("bench.age");
    let started = Instant::now();
    let taken = sys
        .backup_to_file(Some(&recipients), &file, &mut |_| {})
        .unwrap();
    let backup_time = started.elapsed();
    let ended = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let during: Vec<Duration> = threads
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .filter(|(at, _)| *at >= started && *at <= ended)
        .map(|(_, d)| d)
        .collect();
    let size = std::fs::metadata(&file).unwrap().len();
    println!(
        "backup (snapshot, copy, age encryption, temporary name + fsync + rename): {:.2} s  [budget < 10 s]; {} participations, {} audit entries; file {:.0} MB (the copied database {:.0} MB)",
        backup_time.as_secs_f64(),
        taken.header.participations,
        taken.header.audit_seq,
        size as f64 / 1e6,
        taken.header.db_len as f64 / 1e6
    );
    let (p_alone, p_during) = (pct(alone.clone(), 0.99), pct(during.clone(), 0.99));
    println!(
        "register in, {WRITERS} writers: p99 {} without a backup ({} registrations, median {}); p99 {} while the backup ran ({} registrations, median {}): {:.2}×  [budget ≤ 2×]",
        ms(p_alone),
        alone.len(),
        ms(pct(alone, 0.5)),
        ms(p_during),
        during.len(),
        ms(pct(during, 0.5)),
        p_during.as_secs_f64() / p_alone.as_secs_f64().max(1e-9)
    );

    // 3. A restore of it, with the register's erasure journal (nothing erased since).
    let key = default_key_path(&path);
    let journal = default_journal_path(&path);
    let opts = RestoreOptions {
        backup: &file,
        identity: &identity_file,
        key: &key,
        journal: Some(&journal),
        checkpoints: &[],
    };
    let to = dir.path().join("restored.redb");
    let t = Instant::now();
    let restored = backup::restore(&opts, &to, &mut |_| {}).unwrap();
    println!(
        "restore (decrypt, apply the erasure journal, copy, check indexes + counters + audit chain): {:.2} s; {} participations, {} audit entries",
        t.elapsed().as_secs_f64(),
        restored.participations,
        restored.audit_entries
    );
    assert_eq!(restored.participations, taken.header.participations);
}

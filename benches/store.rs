//! Store benchmarks on generated data (run: `cargo bench --features bench-internals --bench store`; smaller runs with
//! `INSATS_BENCH_N=100000 cargo bench --features bench-internals --bench store`; the import alone with
//! `INSATS_BENCH_ONLY=import`, every phase but the SQLite peer with `INSATS_BENCH_PEER=0` (one of its two styles with
//! `INSATS_BENCH_PEER=naive` or `=tuned`), plus the consistency check after it with `INSATS_BENCH_CHECK=1`).
//!
//! Measures, on N participations (default 1,000,000): bulk import (and SQLite writing the same
//! rows, as the peer a user would otherwise pick: naive, and tuned by SQLite's bulk-load advice;
//! see `store/sqlite.rs`), personnummer look-up, one durable registration commit with its audit
//! entry, 50 sessions registering at once, open + first page of participants, and the first open
//! after a crash.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use chrono::Datelike;
use chrono::NaiveDate;
use insats::domain::consent::Signer;
use insats::domain::ids::InterventionId;
use insats::domain::user::Role;
use insats::service::synth;
use insats::service::{
    ConsentInput, FixedClock, IdentityInput, ImportRow, RegisterInInput, Service, Session,
};
use insats_store::Store;
use std::time::{Duration, Instant};

mod common;
use common::{setup, today};
#[path = "store/sqlite.rs"]
mod sqlite;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// A consent signed by a new person (a durable commit of its own, with its audit entry).
fn record_consent(
    handler: &Session,
    intervention: InterventionId,
    who: insats::domain::person::Identity,
) -> Result<insats::domain::ids::ConsentId, insats::service::ServiceError> {
    handler.record_consent(
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
    )
}

fn main() {
    // The child of phase 5: opens the file, commits, and dies without closing it.
    if let Some(path) = std::env::var_os("INSATS_BENCH_CRASH_CHILD") {
        let store = Store::open(std::path::Path::new(&path), None).unwrap();
        store.flush().unwrap();
        std::process::abort();
    }
    let n: usize = std::env::var("INSATS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::Builder::new()
        .prefix("insats-bench")
        .tempdir_in(std::env::var("INSATS_BENCH_DIR").unwrap_or_else(|_| "target".into()))
        .unwrap();
    let path = dir.path().join("bench.redb");
    println!(
        "insats store benchmark: {n} participations, files in {}",
        dir.path().display()
    );

    // 1. Bulk import.
    let s = setup(&path);
    let catalogue = s.service.catalogue().clone();
    let t = Instant::now();
    let rows: Vec<ImportRow> = synth::rows(1, n, &s.targets, &catalogue, today()).collect();
    let gen_time = t.elapsed();
    // `INSATS_BENCH_ONLY=import`: the import alone (no SQLite peer, no later phases).
    let only_import = std::env::var("INSATS_BENCH_ONLY").is_ok_and(|v| v == "import");
    // `INSATS_BENCH_PEER=0`: every phase but the SQLite peer (for quick runs while tuning);
    // `naive` or `tuned`: that SQLite peer only.
    let peers: Vec<sqlite::Style> = match std::env::var("INSATS_BENCH_PEER").as_deref() {
        Ok("0") => vec![],
        Ok("naive") => vec![sqlite::Style::Naive],
        Ok("tuned") => vec![sqlite::Style::Tuned],
        _ => vec![sqlite::Style::Naive, sqlite::Style::Tuned],
    };
    let sys = Session::sign_in(&s.service, "admin", Some(Role::SystemAdmin)).unwrap();
    let t = Instant::now();
    let report = sys.import(rows).unwrap();
    let import_time = t.elapsed();
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "bulk import: {} participations ({} persons) in {:.2} s  [budget ≤ 8 s]  (generating the rows: {:.2} s, not counted); file {:.0} MB",
        report.participations,
        report.persons_created,
        import_time.as_secs_f64(),
        gen_time.as_secs_f64(),
        size as f64 / 1e6
    );
    if std::env::var("INSATS_BENCH_CHECK").is_ok() {
        let t = Instant::now();
        let tx = s.service.store().read().unwrap();
        let problems = insats_store::check::check(&tx).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        println!(
            "  consistency check: clean ({:.2} s)",
            t.elapsed().as_secs_f64()
        );
    }
    if only_import {
        return;
    }
    for style in peers {
        // The same rows again (generated, not counted), handed over as the import gets them.
        let rows: Vec<ImportRow> = synth::rows(1, n, &s.targets, &catalogue, today()).collect();
        let store = s.service.store();
        let keys = sqlite::Keys {
            crypto: store.crypto(),
            pseudonyms: store.pseudonyms(),
        };
        let t = sqlite::import(style, rows, keys, today(), &dir.path().join("peer.sqlite"));
        assert_eq!(
            (t.participations, t.persons),
            (report.participations, report.persons_created),
            "the peer writes the rows the import wrote"
        );
        let how = match style {
            sqlite::Style::Naive => {
                "naive (indexes declared up front, default cache 2 MB, rows as they come)"
                    .to_owned()
            }
            sqlite::Style::Tuned => format!(
                "tuned (indexes after the load, cache {} MB, sorted keys)",
                sqlite::TUNED_CACHE_MIB
            ),
        };
        println!(
            "  SQLite {how}: {:.2} s  (load {:.2} s, indexes {:.2} s, commit {:.2} s, checkpoint {:.2} s; WAL, synchronous=FULL, one transaction, same rows, sealing included); file {:.0} MB",
            t.total.as_secs_f64(),
            t.load.as_secs_f64(),
            t.indexes.as_secs_f64(),
            t.commit.as_secs_f64(),
            t.checkpoint.as_secs_f64(),
            t.file_bytes as f64 / 1e6
        );
    }

    // 2. Personnummer look-up: index → rows → policy, exactly as `Session::lookup` does it for
    // a signed-in handler (its read snapshot, policy checks, rows), without the audit commit that
    // follows; then the whole audited `Session::lookup`.
    let handler = Session::sign_in(&s.service, "hanna", Some(Role::ParticipantHandler)).unwrap();
    let probe: Vec<String> = synth::rows(1, n.min(20_000), &s.targets, &catalogue, today())
        .map(|r| r.identity.pnr.formatted())
        .collect();
    let mut times = Vec::with_capacity(probe.len());
    let mut found = 0usize;
    for pnr in &probe {
        let t = Instant::now();
        let hits = handler.lookup_hit_count_unaudited(pnr).unwrap();
        times.push(t.elapsed());
        found += usize::from(hits > 0);
    }
    assert!(
        found >= probe.len() * 9 / 10,
        "the look-ups must find the people"
    );
    println!(
        "personnummer look-up (index → rows → policy, Session::lookup without its audit commit): median {}  p99 {}  over {} look-ups  [budget < 10 µs median]",
        us(median(times.clone())),
        us(pct(times, 0.99)),
        probe.len()
    );
    let mut times = Vec::new();
    for pnr in probe.iter().take(300) {
        let t = Instant::now();
        let hits = handler.lookup(pnr).unwrap();
        times.push(t.elapsed());
        assert!(!hits.is_empty());
    }
    println!(
        "  the same through Session::lookup, with its durable audit commit: median {}",
        us(median(times))
    );

    // 3. One durable registration commit with its audit entry. The consents it uses are
    // recorded first, each in a durable commit of its own, timed apart (not part of the budget).
    let mut rng = synth::Rng::new(77);
    let intervention: InterventionId = s.targets[0].intervention;
    let mut consents = Vec::new();
    let mut consent_times = Vec::new();
    for _ in 0..500 {
        let birth = NaiveDate::from_ymd_opt(
            1980 + rng.below(20) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .unwrap();
        let who = synth::person(&mut rng, birth).unwrap();
        let t = Instant::now();
        let c = record_consent(&handler, intervention, who);
        if let Ok(c) = c {
            consent_times.push(t.elapsed());
            consents.push(c);
        }
    }
    let mut times = Vec::new();
    for c in consents {
        let answers = synth::answers(&mut rng, &catalogue, today());
        let t = Instant::now();
        let r = handler.register_in(&RegisterInInput {
            consent: c,
            in_date: "2026-11-02".into(),
            gender: None,
            answers,
        });
        times.push(t.elapsed());
        if r.is_err() {
            times.pop();
        }
    }
    println!(
        "register in (validate, write, audit, durable commit): median {}  p99 {}  over {}  [budget ≤ 1 ms median]",
        us(median(times.clone())),
        us(pct(times.clone(), 0.99)),
        times.len()
    );
    println!(
        "  record consent before it (new person, consent, audit, durable commit; not in the budget): median {}",
        us(median(consent_times))
    );

    // 3a. A handler's name search over a whole intervention (the participants filter after
    // Enter): a name nobody has, so every participation of the intervention is read.
    let size = handler
        .aggregates(intervention)
        .map(|(c, _)| c.open + c.ended)
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let hits = handler
            .search_participants(intervention, "Ingen Sådan", 101)
            .unwrap();
        times.push(t.elapsed());
        assert!(hits.is_empty());
    }
    println!(
        "name search over a whole intervention of {size} participations (no hit, so all read): median {}",
        us(median(times))
    );

    // 3b. 50 sessions registering at once: each a new consent and a registration in, through
    // the group-commit queue (each with its own audit entries and refusals).
    let writers = 50;
    let each = 40;
    let start = std::sync::Arc::new(std::sync::Barrier::new(writers + 1));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let handler = handler.clone();
            let catalogue = catalogue.clone();
            let start = std::sync::Arc::clone(&start);
            std::thread::spawn(move || {
                let mut rng = synth::Rng::new(1_000 + w as u64);
                let mut done = 0;
                // Inputs made before the clock starts.
                let people: Vec<_> = (0..each)
                    .map(|_| {
                        let birth = NaiveDate::from_ymd_opt(
                            1960 + rng.below(40) as i32,
                            1 + rng.below(12) as u32,
                            1 + rng.below(28) as u32,
                        )
                        .unwrap();
                        let who = synth::person(&mut rng, birth).unwrap();
                        (who, synth::answers(&mut rng, &catalogue, today()))
                    })
                    .collect();
                start.wait();
                for (who, answers) in people {
                    let c = record_consent(&handler, intervention, who);
                    let Ok(c) = c else { continue };
                    let r = handler.register_in(&RegisterInInput {
                        consent: c,
                        in_date: "2026-11-02".into(),
                        gender: None,
                        answers,
                    });
                    done += usize::from(r.is_ok());
                }
                done
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    let registered: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
    let took = t.elapsed();
    println!(
        "50 sessions registering at once (consent + register in each, group commit): {registered} in {:.2} s = {:.0} registrations/s  [budget ≥ 1,000/s]",
        took.as_secs_f64(),
        registered as f64 / took.as_secs_f64()
    );

    // 3c. Follow-up reports over everything the system administrator reaches (every
    // intervention), read from the stored aggregates; each run includes its durable audit
    // entry.
    let year = today().year();
    for kind in insats::service::reports::ReportKind::ALL {
        for (label, filter) in [
            (
                "one budget year",
                insats::service::reports::ReportFilter::year(year),
            ),
            (
                "three budget years",
                insats::service::reports::ReportFilter {
                    from: insats::service::reports::ReportFilter::year(year - 2).from,
                    ..insats::service::reports::ReportFilter::year(year)
                },
            ),
        ] {
            let mut times = Vec::new();
            for _ in 0..15 {
                let t = Instant::now();
                let r = sys.report(kind, &filter, true).unwrap();
                times.push(t.elapsed());
                assert!(!r.tables.is_empty());
            }
            println!(
                "report {} over {label}: median {}  p99 {}  [budget < 50 ms median]",
                kind.key(),
                us(median(times.clone())),
                us(pct(times, 0.99))
            );
        }
    }

    // 4. Open + first page of participants.
    drop(handler);
    drop(sys);
    drop(s);
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let store = Store::open(&path, None).unwrap();
        let service = Service::new(store, Box::new(FixedClock::on(today())));
        let handler = Session::sign_in(&service, "hanna", Some(Role::ParticipantHandler)).unwrap();
        let page = handler.participants_page(intervention, None, 50).unwrap();
        times.push(t.elapsed());
        assert_eq!(page.len(), 50);
    }
    println!(
        "open + first page of 50 participants (warm file cache): median {}",
        us(median(times))
    );

    // 5. Reopening after a crash: commits run without quick repair, so the first open after a
    // process died with the file open repairs it (walks every tree, rebuilds the allocator).
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env("INSATS_BENCH_CRASH_CHILD", &path)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child dies with the file open");
    let t = Instant::now();
    let store = Store::open(&path, None).unwrap();
    let repaired = t.elapsed();
    drop(store);
    let t = Instant::now();
    let store = Store::open(&path, None).unwrap();
    let clean = t.elapsed();
    {
        let tx = store.read().unwrap();
        assert!(insats_store::check::check(&tx).unwrap().is_empty());
    }
    println!(
        "open after a crash (a process died with the file open; redb repairs it): {}  (a clean open: {})",
        us(repaired),
        us(clean)
    );
}

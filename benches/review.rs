//! The log review's rule run over a long audit log (default 5,000,000 entries; smaller with
//! `INSATS_BENCH_N=1000000`): `cargo bench --bench review`.
//!
//! The log is real: hash-chained entries appended through the store into a redb file, a year of
//! a busy association's work by 60 users — participants opened (some sharing the user's
//! surname, some long ended), look-ups with and without a match, registrations, sign-ins,
//! refusals, at all hours. Then a log reviewer runs every rule through the service over the
//! whole year, and over the last fifth and the last half of it, each in a fresh process so the
//! peak memory figures are the run's own. Time budget: < 5 s for the whole log. Memory: the run streams the
//! log; the peak resident memory (VmHWM) before and after the run, for both periods, shows
//! whether it grows with the entries read. Each period runs twice: with redb's default cache
//! (1 GiB), which keeps the pages the run read up to that limit, and with a 64 MiB cache (as
//! `insats --cache-mib 64` sets), which leaves the run's own memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use chrono::NaiveDate;
use insats::domain::audit::{Action, Draft, lookup_note};
use insats::domain::consent::Signer;
use insats::domain::ids::{InterventionId, Pseudonym, UserId};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::questionnaire::EndReason;
use insats::domain::review::Period;
use insats::domain::user::{Role, Scope};
use insats::service::synth::Rng;
use insats::service::{
    AssociationInput, AuditFilter, ConsentInput, FixedClock, IdentityInput, InitInput,
    InterventionInput, RegisterInInput, Service, Session,
};
use insats_store::Store;
use std::time::Instant;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn vm_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

const FIRST: (i32, u32, u32) = (2025, 6, 1);
const DAYS: i64 = 365;
const USERS: usize = 60;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST.0, FIRST.1, FIRST.2).unwrap()
}

fn today() -> NaiveDate {
    first_day() + chrono::Duration::days(DAYS)
}

/// Builds the log: the organisation and 300 participants through the service, then `n`
/// entries appended through the store, spread over a year.
fn build(path: &std::path::Path, n: u64) {
    let store = Store::create(path, None, false).unwrap();
    // The organisation is set up the day before the year of entries begins, so the log's
    // times grow with its sequence numbers, as the clock makes them in an office.
    let setup_day = first_day() - chrono::Duration::days(1);
    let service = Service::new(store, Box::new(FixedClock::on(setup_day)));
    let (association, _) = service
        .init(&InitInput {
            association: AssociationInput {
                name: "Bänkförbundet".into(),
                org_number: "222000-1230".into(),
                description: String::new(),
                municipalities: "0180".into(),
                start: "2020-01-01".into(),
                end: String::new(),
            },
            admin_username: "admin".into(),
            admin_display_name: "Ada Admin".into(),
        })
        .unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let intervention: InterventionId = admin
        .create_intervention(&InterventionInput {
            association,
            name: "Steg".into(),
            description: String::new(),
            start: "2020-01-01".into(),
            end: String::new(),
            direction: Direction::Individual,
            target_groups: vec!["unga vuxna".into()],
            measurement: Measurement::Individual,
        })
        .unwrap();
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let surnames = ["Berg", "Lind", "Ek", "Holm", "Sten", "Lund", "Ås", "Björk"];
    let mut users: Vec<UserId> = Vec::new();
    for u in 0..USERS {
        let name = format!("h{u}");
        let id = sys
            .create_user(
                &name,
                &format!("Handläggare {}", surnames[u % 8]),
                &[Role::ParticipantHandler],
            )
            .unwrap();
        sys.assign(
            id,
            Role::ParticipantHandler,
            Scope::Intervention(intervention),
            "2020-01-01",
            "",
        )
        .unwrap();
        users.push(id);
    }
    let reviewer = sys
        .create_user("lars", "Lars Granskare", &[Role::LogReviewer])
        .unwrap();
    sys.assign(
        reviewer,
        Role::LogReviewer,
        Scope::Association(association),
        "2020-01-01",
        "",
    )
    .unwrap();
    let h = Session::sign_in(&service, "h0", Some(Role::ParticipantHandler)).unwrap();
    let mut rng = Rng::new(14);
    for p in 0..300u32 {
        let identity =
            insats::service::synth::person(&mut rng, NaiveDate::from_ymd_opt(1990, 1, 1).unwrap())
                .unwrap();
        let consent = h
            .record_consent(
                intervention,
                &IdentityInput {
                    pnr: identity.pnr.to_string(),
                    name: format!("Deltagare {}", surnames[p as usize % 8]),
                    municipality: "0180".into(),
                },
                &ConsentInput {
                    signed_on: "2023-01-02".into(),
                    signed_by: Signer::Participant,
                    received_by: "h0".into(),
                    original_sent_on: String::new(),
                    judged_mature: false,
                },
            )
            .unwrap();
        // The generator may draw a person twice: the second is refused, as a handler would be.
        let Ok(id) = h.register_in(&RegisterInInput {
            consent,
            in_date: "2023-02-01".into(),
            gender: None,
            answers: insats::service::synth::answers(&mut rng, service.catalogue(), first_day()),
        }) else {
            continue;
        };
        if p % 10 == 0 {
            h.register_out(
                id,
                "2024-01-15",
                EndReason::CompletedAsPlanned,
                Some(insats::service::synth::answers(
                    &mut rng,
                    service.catalogue(),
                    first_day(),
                )),
            )
            .unwrap();
        }
    }
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    let subjects: Vec<Pseudonym> = {
        let mut s: Vec<Pseudonym> = lars
            .audit_page(
                &AuditFilter {
                    action: Some(Action::RegisterIn),
                    ..AuditFilter::default()
                },
                None,
                1000,
            )
            .unwrap()
            .into_iter()
            .filter_map(|e| e.draft.subject)
            .collect();
        s.sort_unstable();
        s
    };
    let start_ms = first_day()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    let span_ms = DAYS * 86_400_000;
    let store = service.store();
    let crypto = store.crypto();
    let batch = 200_000u64;
    let mut done = 0u64;
    while done < n {
        let tx = store.write_fast().unwrap();
        for k in done..(done + batch).min(n) {
            let at_ms = start_ms + (i128::from(k) * i128::from(span_ms) / i128::from(n)) as i64;
            let user = users[rng.below(USERS as u64) as usize];
            let roll = rng.below(100);
            let (action, subject, note) = match roll {
                0..=59 => (
                    Action::ViewParticipant,
                    Some(*rng.pick(&subjects)),
                    String::new(),
                ),
                60..=69 => (
                    Action::LookupPersonnummer,
                    None,
                    lookup_note(usize::from(rng.chance(70))),
                ),
                70..=79 => (
                    Action::CorrectAnswers,
                    Some(*rng.pick(&subjects)),
                    String::new(),
                ),
                80..=94 => (Action::Login, None, "SHA256:bench".into()),
                95 => (Action::UnlockFailed, None, "1 of 3".into()),
                _ => (Action::RunReport, None, "results".into()),
            };
            let draft = Draft {
                user: Some(user),
                role: Some(Role::ParticipantHandler),
                session: k,
                association: Some(association),
                intervention: subject.map(|_| intervention),
                subject,
                action,
                fields: Vec::new(),
                note,
            };
            insats_store::audit::append(&tx, crypto, at_ms, draft).unwrap();
        }
        tx.commit().unwrap();
        done = (done + batch).min(n);
        eprint!("\r  built {done} of {n} entries");
    }
    eprintln!();
    store.flush().unwrap();
}

/// One rule run in this process: prints its time, the items found and its memory.
fn run_once(path: &std::path::Path, from: NaiveDate) {
    let cache = std::env::var("INSATS_REVIEW_CACHE_MIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(mib) = cache {
        insats_store::set_cache_limit(mib * 1024 * 1024);
    }
    let service = Service::new(
        Store::open(path, None).unwrap(),
        Box::new(FixedClock::on(today())),
    );
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    let period = Period::new(from, today()).unwrap();
    let (hwm_before, rss_before) = (vm_hwm_kib(), vm_rss_kib());
    let t = Instant::now();
    let r = lars.run_review_rules(None, period).unwrap();
    let took = t.elapsed();
    println!(
        "rule run {period}, redb cache {} MiB: {} entries checked, {} findings in {:.2} s  [budget < 5 s]; peak resident memory (VmHWM) {} → {} KiB (+{} KiB), resident before {} KiB",
        insats_store::cache_limit() / (1024 * 1024),
        r.run.entries_checked,
        r.run.items,
        took.as_secs_f64(),
        hwm_before,
        vm_hwm_kib(),
        vm_hwm_kib().saturating_sub(hwm_before),
        rss_before,
    );
    // The queue as a reviewer opens it afterwards: the first screen, and one in the middle.
    let t = Instant::now();
    let first = lars.review_queue_page(None, false, 0, 200).unwrap();
    let open_first = t.elapsed();
    let t = Instant::now();
    let middle = lars
        .review_queue_page(None, false, first.total / 2, 200)
        .unwrap();
    println!(
        "  the queue ({} items, {} open): first 200 rows in {:.1} ms, 200 from the middle in {:.1} ms",
        first.total,
        first.open,
        open_first.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3,
    );
    assert_eq!(middle.rows.len(), 200.min(first.total - first.total / 2));
}

fn main() {
    if let Ok(arg) = std::env::var("INSATS_REVIEW_RUN") {
        let (path, from) = arg.split_once('|').unwrap();
        run_once(
            std::path::Path::new(path),
            insats::domain::date::parse_iso(from).unwrap(),
        );
        return;
    }
    let n: u64 = std::env::var("INSATS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("review-bench-{n}"));
    let path = dir.join("log.redb");
    let ready = dir.join("ready");
    if ready.exists() {
        println!(
            "using the log of {n} entries built before at {}",
            path.display()
        );
    } else {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let t = Instant::now();
        build(&path, n);
        std::fs::write(&ready, b"").unwrap();
        println!(
            "built a log of {n} entries in {:.1} s ({} MiB on disk)",
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&path).map_or(0, |m| m.len() / (1024 * 1024))
        );
    }
    let me = std::env::current_exe().unwrap();
    // The last fifth of the year, the last half, then the whole year: the same work per entry,
    // five times the entries.
    for from in [
        today() - chrono::Duration::days(DAYS / 5),
        today() - chrono::Duration::days(DAYS / 2),
        first_day(),
    ] {
        // With redb's default cache (1 GiB), which keeps what the run reads up to that limit,
        // and with a 64 MiB cache (`insats --cache-mib 64`), which shows the run's own memory.
        for cache in [None, Some("64")] {
            let mut run = std::process::Command::new(&me);
            run.env("INSATS_REVIEW_RUN", format!("{}|{from}", path.display()));
            if let Some(mib) = cache {
                run.env("INSATS_REVIEW_CACHE_MIB", mib);
            }
            assert!(run.status().unwrap().success());
        }
    }
}

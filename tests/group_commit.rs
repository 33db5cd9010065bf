//! Group commit: many sessions registering at once are committed together, each registration
//! still with its own audit entry and its own refusal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::*;

use insats::domain::audit::Action;
use insats::domain::participation::Refusal;
use insats::service::ServiceError;
use insats_store::{audit, check};
use std::sync::{Arc, Barrier};

#[test]
fn fifty_concurrent_writers_each_get_their_own_registration_audit_entry_and_refusal() {
    let f = Fixture::new();
    let threads = 50;
    let per = 4;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let s = f.handler.clone();
            let intervention = f.intervention;
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let mut outcomes = Vec::new();
                for k in 0..per {
                    let serial = u16::try_from(t * per + k).unwrap();
                    let birth = date(
                        1960 + i32::from(serial % 40),
                        1 + u32::from(serial % 12),
                        1 + u32::from(serial % 27),
                    );
                    let pnr = pnr(birth, 800 + serial % 100);
                    let consent = record(&s, intervention, &pnr, "Test Person");
                    let first = s.register_in(&register_input(consent, "2026-06-10", &s));
                    // Every fourth writer also tries to use the same consent again: refused,
                    // without taking anyone else's registration with it.
                    let again =
                        (k == 0).then(|| s.register_in(&register_input(consent, "2026-06-10", &s)));
                    outcomes.push((first.map(|_| ()), again.map(|r| r.map(|_| ()))));
                }
                outcomes
            })
        })
        .collect();
    let mut registered = 0;
    let mut refused = 0;
    for h in handles {
        for (first, again) in h.join().unwrap() {
            first.unwrap();
            registered += 1;
            if let Some(again) = again {
                match again {
                    Err(ServiceError::Refused(Refusal::ConsentAlreadyUsed)) => refused += 1,
                    other => panic!("a reused consent was not refused: {other:?}"),
                }
            }
        }
    }
    assert_eq!(registered, threads * per);
    assert_eq!(refused, threads);
    // Exactly one audit entry per registration and per consent, the chain whole, indexes right.
    let sys = &f.admin;
    {
        let tx = f.service.store().read().unwrap();
        assert!(
            audit::verify(&*tx, f.service.store().crypto())
                .unwrap()
                .is_ok()
        );
        assert!(check::check(&tx).unwrap().is_empty());
    }
    let entries = sys
        .audit_page(&insats::service::AuditFilter::default(), None, 10_000)
        .unwrap();
    let count = |a: Action| entries.iter().filter(|e| e.draft.action == a).count();
    assert_eq!(count(Action::RegisterIn), threads * per);
    assert_eq!(count(Action::RecordConsent), threads * per);
    let counters = f.handler.aggregates(f.intervention).unwrap().0;
    assert_eq!(usize::try_from(counters.open).unwrap(), threads * per);
}

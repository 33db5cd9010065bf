#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Misregistration (domain.md §3) and protected identity (§5) leave no readable trace in the
//! database FILE: the raw bytes are scanned for the plaintext, the ciphertexts, the blind-index
//! hash, the encoded rows and the pseudonym keys captured before the erasure.
//!
//! Assertion messages name what was found and how often, never the bytes themselves.
//!
//! Known bug (see the ignored tests at the end): `Store::scrub` does not make freed pages
//! unreadable, so the scans pass only where a later commit happens to reuse the freed pages.

mod common;
use common::*;
use insats::domain::anonymous::AnonymousCount;
use insats::domain::audit::Action;
use insats::domain::ids::{ParticipationId, PersonId};
use insats::domain::questionnaire::EndReason;
use insats_store::{audit, check, people, schema};
use redb::ReadableTableMetadata;
use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::TryRecvError;

const NAME: &str = "Zäta Qwertyson-Unikt";

/// A labelled byte string to look for in the file. The label is safe to print; the bytes are not.
type Needle = (String, Vec<u8>);

/// Everything stored about one participation and its person, as bytes, taken before erasure.
struct Captured {
    person: PersonId,
    row: people::PersonRow,
    participation: ParticipationId,
    /// The encoded participation row (version byte + postcard), as redb stores the value.
    participation_bytes: Vec<u8>,
    /// The encoded consent row of the participation.
    consent_bytes: Vec<u8>,
}

impl Captured {
    /// The person's sealed identity and blind-index hash. (Their pseudonym is no table key:
    /// see [`erased_pseudonyms`].)
    fn identity_needles(&self) -> Vec<Needle> {
        let row = &self.row;
        vec![
            ("sealed personnummer".into(), row.pnr.clone()),
            ("sealed name".into(), row.name.clone()),
            ("sealed municipality".into(), row.municipality.clone()),
            ("personnummer hash".into(), row.pnr_hash.to_vec()),
        ]
    }

    /// The participation's own rows.
    fn participation_needles(&self) -> Vec<Needle> {
        let p = self.participation;
        vec![
            (
                format!("encoded participation row of {p}"),
                self.participation_bytes.clone(),
            ),
            (
                format!("encoded consent row of {p}"),
                self.consent_bytes.clone(),
            ),
        ]
    }
}

fn capture(f: &Fixture, pnr_text: &str, p: ParticipationId) -> Captured {
    let store = f.service.store();
    let tx = store.read().unwrap();
    let person = people::person_by_pnr(&*tx, store.crypto(), &parsed(pnr_text))
        .unwrap()
        .expect("the person is indexed by personnummer");
    let row = people::person(&*tx, person).unwrap().expect("person row");
    let part = people::participation(&*tx, p)
        .unwrap()
        .expect("participation");
    let participation_bytes = tx
        .open_table(schema::PARTICIPATIONS)
        .unwrap()
        .get(p.0)
        .unwrap()
        .expect("participation row")
        .value()
        .to_vec();
    let consent_bytes = tx
        .open_table(schema::CONSENTS)
        .unwrap()
        .get(part.consent.0)
        .unwrap()
        .expect("consent row")
        .value()
        .to_vec();
    Captured {
        person,
        row,
        participation: p,
        participation_bytes,
        consent_bytes,
    }
}

/// Every key of the pseudonym table.
fn pseudonym_keys(f: &Fixture) -> BTreeSet<u64> {
    let tx = f.service.store().read().unwrap();
    tx.open_table(schema::PSEUDONYMS)
        .unwrap()
        .range(0..)
        .unwrap()
        .map(|r| r.unwrap().0.value())
        .collect()
}

/// Pseudonyms are derived from their subject by a keyed permutation, so nothing is stored per
/// pseudonym and there is no mapping for the erasure to remove: the table of pseudonyms drawn
/// before schema 3 stays empty. The numbers themselves are not scanned for: by design they stay
/// in the audit entries, pointing at records that no longer exist.
fn erased_pseudonyms(f: &Fixture, before: &BTreeSet<u64>) -> Vec<Needle> {
    assert!(before.is_empty(), "a new database stores no pseudonym");
    assert!(pseudonym_keys(f).is_empty(), "nor does an erasure");
    Vec::new()
}

/// The plaintext forms of a person's identity that must never be in the file.
fn plaintext_needles(pnr_text: &str, name: &str) -> Vec<Needle> {
    let digits12: String = pnr_text.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits12.len(), 12);
    let digits10 = digits12[2..].to_owned();
    vec![
        ("plaintext name".into(), name.as_bytes().to_vec()),
        ("personnummer, 12 digits".into(), digits12.clone().into()),
        ("personnummer, 10 digits".into(), digits10.clone().into()),
        (
            "personnummer, YYYYMMDD-NNNC".into(),
            format!("{}-{}", &digits12[..8], &digits12[8..]).into(),
        ),
        (
            "personnummer, YYMMDD-NNNC".into(),
            format!("{}-{}", &digits10[..6], &digits10[6..]).into(),
        ),
    ]
}

/// Fails naming every needle found (label and count only: no personal data in the message).
fn assert_absent(file: &[u8], needles: &[Needle], when: &str) {
    let found: Vec<String> = needles
        .iter()
        .filter_map(|(label, bytes)| {
            let n = count(file, bytes);
            (n > 0).then(|| format!("{label} ×{n}"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "{when}: still readable in the database file: {}",
        found.join(", ")
    );
}

/// Fails naming every needle NOT found, so a scan for absence cannot pass vacuously.
fn assert_present(file: &[u8], needles: &[Needle], when: &str) {
    let missing: Vec<&str> = needles
        .iter()
        .filter(|(_, bytes)| count(file, bytes) == 0)
        .map(|(label, _)| label.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "{when}: expected in the database file but not found: {}",
        missing.join(", ")
    );
}

/// Registers someone else after the erasure (two ordinary commits: consent, then registration).
fn another_commit(f: &Fixture) {
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1970, 1, 2), 77),
        "Annan Helt Person",
        "2026-06-11",
    );
}

/// Exactly one ordinary, unrelated commit: someone else's consent is recorded.
fn one_more_commit(f: &Fixture) {
    record(
        &f.handler,
        f.intervention,
        &pnr(date(1970, 1, 2), 77),
        "Annan Helt Person",
    );
}

/// The rows, index entries and pseudonym of the participation are gone; the store is
/// consistent and the audit chain still verifies.
fn assert_participation_gone(f: &Fixture, c: &Captured) {
    let tx = f.service.store().read().unwrap();
    assert!(
        people::participation(&*tx, c.participation)
            .unwrap()
            .is_none()
    );
    let by_intervention = tx
        .open_table(schema::PARTICIPATIONS_BY_INTERVENTION)
        .unwrap();
    for row in by_intervention.range((0, 0)..).unwrap() {
        assert_ne!(row.unwrap().0.value().1, c.participation.0);
    }
    let by_person = tx.open_table(schema::PARTICIPATIONS_BY_PERSON).unwrap();
    for row in by_person.range((0, 0)..).unwrap() {
        assert_ne!(row.unwrap().0.value().1, c.participation.0);
    }
    assert!(check::check(&tx).unwrap().is_empty());
    assert!(
        audit::verify(&*tx, f.service.store().crypto())
            .unwrap()
            .is_ok()
    );
}

/// The person, their blind-index entry, their consents and participations are gone.
fn assert_person_gone(f: &Fixture, c: &Captured, pnr_text: &str) {
    let store = f.service.store();
    let tx = store.read().unwrap();
    assert!(people::person(&*tx, c.person).unwrap().is_none());
    assert_eq!(
        people::person_by_pnr(&*tx, store.crypto(), &parsed(pnr_text)).unwrap(),
        None
    );
    assert!(
        tx.open_table(schema::PERSONS_BY_PNR)
            .unwrap()
            .get(c.row.pnr_hash.as_slice())
            .unwrap()
            .is_none()
    );
    // The person's pseudonym leads only to the record that is gone.
    assert_eq!(
        people::resolve_pseudonym(&*tx, tx.pseudonyms(), c.row.pseudonym).unwrap(),
        Some(people::Subject::Person(c.person))
    );
    assert!(people::consents_of(&*tx, c.person).unwrap().is_empty());
    assert!(
        people::participations_of_person(&*tx, c.person)
            .unwrap()
            .is_empty()
    );
    assert!(check::check(&tx).unwrap().is_empty());
}

/// Registers the distinctive person, checks the plaintext is never in the file and the stored
/// bytes are, and returns what was captured.
fn register_and_capture(f: &Fixture, pnr_text: &str) -> Captured {
    let p = register(&f.handler, f.intervention, pnr_text, NAME, "2026-06-10");
    let c = capture(f, pnr_text, p);
    let file = f.raw_file();
    assert_absent(
        &file,
        &plaintext_needles(pnr_text, NAME),
        "before erasure (plaintext is never stored)",
    );
    let mut stored = c.identity_needles();
    stored.extend(c.participation_needles());
    assert_present(&file, &stored, "before erasure");
    c
}

/// Everything about the person and participation, plus the erased pseudonym keys (checked to be
/// in `file_before`, so their absence later means something).
fn all_needles(c: &Captured, pnr_text: &str, pseudonyms: Vec<Needle>) -> Vec<Needle> {
    let mut needles = plaintext_needles(pnr_text, NAME);
    needles.extend(c.identity_needles());
    needles.extend(c.participation_needles());
    needles.extend(pseudonyms);
    needles
}

/// A second participation of the person, in the other intervention, registered in on 2026-06-02.
fn second_participation(f: &Fixture, pnr_text: &str) -> ParticipationId {
    let consent = record(&f.other_handler, f.other_intervention, pnr_text, NAME);
    f.other_handler
        .register_in(&register_input(consent, "2026-06-02", &f.other_handler))
        .unwrap()
}

#[test]
fn misregistration_leaves_no_trace_in_the_database_file() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    let (keys, file_before) = (pseudonym_keys(&f), f.raw_file());

    f.handler.misregister(c.participation).unwrap();
    let pseudonyms = erased_pseudonyms(&f, &keys);
    assert_present(&file_before, &pseudonyms, "before erasure");
    assert_participation_gone(&f, &c);
    assert_person_gone(&f, &c, &pnr_text);
    another_commit(&f);

    assert_absent(
        &f.raw_file(),
        &all_needles(&c, &pnr_text, pseudonyms),
        "after misregistration and registering someone else",
    );
}

#[test]
fn misregistration_as_an_end_reason_leaves_no_trace_in_the_database_file() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1992, 11, 3), 508);
    let c = register_and_capture(&f, &pnr_text);
    let keys = pseudonym_keys(&f);

    f.handler
        .register_out(c.participation, "", EndReason::Misregistration, None)
        .unwrap();
    let pseudonyms = erased_pseudonyms(&f, &keys);
    assert_participation_gone(&f, &c);
    assert_person_gone(&f, &c, &pnr_text);
    another_commit(&f);

    assert_absent(
        &f.raw_file(),
        &all_needles(&c, &pnr_text, pseudonyms),
        "after registration out as misregistration and registering someone else",
    );
}

#[test]
fn misregistration_with_a_concurrent_reader_waits_for_it_then_leaves_no_trace() {
    const HOLD: Duration = Duration::from_millis(200);
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    let keys = pseudonym_keys(&f);
    let store = f.service.store();
    let mut notices = f.service.subscribe();
    let (ready_tx, ready_rx) = mpsc::channel();

    let (returned_at, reader_done_at) = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let tx = store.read().unwrap();
            let seen = people::participation(&*tx, c.participation)
                .unwrap()
                .expect("the reader sees the participation");
            let started = Instant::now();
            ready_tx.send(()).unwrap();
            // Wait until the erasing commit is published (before the scrub), then show the
            // snapshot is unchanged for this reader.
            // Polled with a deadline, so a failing misregister cannot hang the test.
            loop {
                match notices.try_recv() {
                    Ok(n) if n.action == Action::Misregistration => break,
                    Ok(_) => {}
                    Err(TryRecvError::Empty) => {
                        assert!(
                            started.elapsed() < Duration::from_secs(10),
                            "no misregistration was committed"
                        );
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err(e) => panic!("notice channel: {e}"),
                }
            }
            // Compared with assert! (not assert_eq!) so a failure prints no personal data.
            let again = people::participation(&*tx, c.participation).unwrap();
            assert!(
                again.as_ref() == Some(&seen),
                "the snapshot changed under a reader"
            );
            let person = people::person(&*tx, c.person)
                .unwrap()
                .expect("the reader still sees the person");
            assert!(person == c.row, "the reader's person row changed");
            assert!(check::check(&tx).unwrap().is_empty());
            if let Some(rest) = HOLD.checked_sub(started.elapsed()) {
                std::thread::sleep(rest);
            }
            // Still consistent at the end of its life.
            let last = people::participation(&*tx, c.participation).unwrap();
            assert!(last.as_ref() == Some(&seen), "the snapshot changed");
            let done = Instant::now();
            drop(tx);
            done
        });
        ready_rx.recv().unwrap();
        f.handler.misregister(c.participation).unwrap();
        let returned_at = Instant::now();
        (returned_at, reader.join().unwrap())
    });
    assert!(
        returned_at > reader_done_at,
        "misregister returned while a reader still held the old snapshot"
    );

    let pseudonyms = erased_pseudonyms(&f, &keys);
    assert_participation_gone(&f, &c);
    assert_person_gone(&f, &c, &pnr_text);
    another_commit(&f);
    assert_absent(
        &f.raw_file(),
        &all_needles(&c, &pnr_text, pseudonyms),
        "after misregistration with a concurrent reader and registering someone else",
    );
}

#[test]
fn protected_identity_erases_the_person_and_counts_each_participation_anonymously() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    // An ended participation of the same person in another intervention goes the same way.
    let p2 = second_participation(&f, &pnr_text);
    let cat = f.service.catalogue().clone();
    f.other_handler
        .register_out(
            p2,
            "2026-06-12",
            EndReason::Employment,
            Some(other_answers(&cat)),
        )
        .unwrap();
    let c2 = capture(&f, &pnr_text, p2);
    assert_eq!(c2.person, c.person);

    f.handler.mark_protected(c.participation).unwrap();

    assert_participation_gone(&f, &c);
    assert_participation_gone(&f, &c2);
    assert_person_gone(&f, &c, &pnr_text);
    // Serial 412: the second-to-last digit, 2, is even, so a woman. Each participation is one
    // anonymous woman in its start year.
    let tx = f.service.store().read().unwrap();
    let one_woman = AnonymousCount { women: 1, men: 0 };
    assert_eq!(
        people::anonymous_by_year(&*tx, f.intervention).unwrap(),
        vec![(2026, one_woman)]
    );
    assert_eq!(
        people::anonymous_by_year(&*tx, f.other_intervention).unwrap(),
        vec![(2026, one_woman)]
    );
    let counters = people::counters(&*tx, f.intervention).unwrap();
    assert_eq!(counters.anonymous, one_woman);
    assert_eq!(counters.open, 0);
}

#[test]
fn misregistering_one_of_two_participations_keeps_the_person_and_erases_only_that_row() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c1 = register_and_capture(&f, &pnr_text);
    let p2 = second_participation(&f, &pnr_text);
    let c2 = capture(&f, &pnr_text, p2);
    assert_eq!(c2.person, c1.person);
    assert!(c2.row == c1.row, "the same person, not re-sealed");
    let keys = pseudonym_keys(&f);

    f.handler.misregister(c1.participation).unwrap();
    let pseudonyms = erased_pseudonyms(&f, &keys);
    assert!(
        !pseudonyms
            .iter()
            .any(|(_, b)| *b == c1.row.pseudonym.0.to_le_bytes()),
        "the person's pseudonym was erased"
    );
    another_commit(&f);

    let file = f.raw_file();
    let mut erased = c1.participation_needles();
    erased.extend(pseudonyms);
    erased.extend(plaintext_needles(&pnr_text, NAME));
    assert_absent(
        &file,
        &erased,
        "after misregistering one of two participations",
    );
    let mut kept = c2.identity_needles();
    kept.extend(c2.participation_needles());
    assert_present(&file, &kept, "the other participation and the person");

    assert_participation_gone(&f, &c1);
    let store = f.service.store();
    let tx = store.read().unwrap();
    assert_eq!(
        people::person_by_pnr(&*tx, store.crypto(), &parsed(&pnr_text)).unwrap(),
        Some(c1.person)
    );
    assert!(
        people::person(&*tx, c1.person).unwrap() == Some(c1.row.clone()),
        "the person row changed"
    );
    let left: Vec<ParticipationId> = people::participations_of_person(&*tx, c1.person)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(left, vec![p2]);
    assert_eq!(people::consents_of(&*tx, c1.person).unwrap().len(), 1);
    assert_eq!(tx.open_table(schema::PERSONS).unwrap().len().unwrap(), 2);
}

// ---------------------------------------------------------------------------------------------
// Why the tests below exist: redb never overwrites a page when it frees it (a freed page is
// zero-filled only when it is allocated again), so erased bytes would stay in the file until
// some later commit happened to reuse exactly those pages. `Store::scrub`
// (crates/store/src/db/transactions.rs) therefore fills every free page after an erasure; these
// tests scan the raw file right when `misregister` returns, after exactly one more commit, and
// in a database with a few hundred people, where no lucky reuse can hide a leftover.
// ---------------------------------------------------------------------------------------------

/// Fills the database with `n` other registered people in one transaction, so the tables are
/// B-trees of several levels and the file has free pages of its own, as a real register has.
fn populate(f: &Fixture, n: u16) {
    let tx = f.service.store().write().unwrap();
    for i in 0..n {
        let birth = date(
            1960 + i32::from(i % 40),
            1 + u32::from(i % 12),
            1 + u32::from(i % 28),
        );
        let person = identity(&pnr(birth, 100 + i % 800), "Bakgrund Person");
        let consent = f
            .handler
            .record_consent_in(
                &tx,
                f.intervention,
                &person,
                &consent_by_participant("2026-06-01"),
            )
            .unwrap();
        f.handler
            .register_in_in(&tx, &register_input(consent, "2026-06-01", &f.handler))
            .unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn misregistration_leaves_no_trace_in_the_file_as_soon_as_it_returns() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    let keys = pseudonym_keys(&f);

    f.handler.misregister(c.participation).unwrap();

    assert_participation_gone(&f, &c);
    assert_person_gone(&f, &c, &pnr_text);
    let pseudonyms = erased_pseudonyms(&f, &keys);
    assert_absent(
        &f.raw_file(),
        &all_needles(&c, &pnr_text, pseudonyms),
        "when misregister has returned (it scrubs before returning)",
    );
}

#[test]
fn misregistration_in_a_populated_database_leaves_no_trace_after_one_more_commit() {
    let f = Fixture::new();
    populate(&f, 300);
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    let keys = pseudonym_keys(&f);

    f.handler.misregister(c.participation).unwrap();
    let pseudonyms = erased_pseudonyms(&f, &keys);
    one_more_commit(&f);

    assert_participation_gone(&f, &c);
    assert_person_gone(&f, &c, &pnr_text);
    assert_absent(
        &f.raw_file(),
        &all_needles(&c, &pnr_text, pseudonyms),
        "after misregistration in a populated database and one more commit",
    );
}

#[test]
fn protected_identity_leaves_no_trace_in_the_database_file() {
    let f = Fixture::new();
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    let p2 = second_participation(&f, &pnr_text);
    let cat = f.service.catalogue().clone();
    f.other_handler
        .register_out(
            p2,
            "2026-06-12",
            EndReason::Employment,
            Some(other_answers(&cat)),
        )
        .unwrap();
    let c2 = capture(&f, &pnr_text, p2);
    assert_present(&f.raw_file(), &c2.participation_needles(), "before marking");
    let keys = pseudonym_keys(&f);

    f.handler.mark_protected(c.participation).unwrap();
    let mut needles = all_needles(&c, &pnr_text, erased_pseudonyms(&f, &keys));
    needles.extend(c2.participation_needles());
    another_commit(&f);

    assert_absent(
        &f.raw_file(),
        &needles,
        "after protected identity and registering someone else",
    );
}

#[test]
fn protected_identity_in_a_populated_database_leaves_no_identity_in_the_file() {
    let f = Fixture::new();
    populate(&f, 300);
    let pnr_text = pnr(date(1985, 5, 17), 412);
    let c = register_and_capture(&f, &pnr_text);
    let keys = pseudonym_keys(&f);

    f.handler.mark_protected(c.participation).unwrap();
    let pseudonyms = erased_pseudonyms(&f, &keys);
    one_more_commit(&f);

    assert_participation_gone(&f, &c);
    assert_person_gone(&f, &c, &pnr_text);
    assert_absent(
        &f.raw_file(),
        &all_needles(&c, &pnr_text, pseudonyms),
        "after protected identity in a populated database and one more commit",
    );
}

/// The raw stored bytes of a consent row and its person row (to find in the file later).
fn consent_and_person_rows(f: &Fixture, consent: insats::domain::ids::ConsentId) -> Vec<Needle> {
    let tx = f.service.store().read().unwrap();
    let c = people::consent(&*tx, consent).unwrap().unwrap();
    let consent_row = tx
        .open_table(schema::CONSENTS)
        .unwrap()
        .get(consent.0)
        .unwrap()
        .unwrap()
        .value()
        .to_vec();
    let person_row = tx
        .open_table(schema::PERSONS)
        .unwrap()
        .get(c.person.0)
        .unwrap()
        .unwrap()
        .value()
        .to_vec();
    vec![
        ("consent row".to_owned(), consent_row),
        ("person row".to_owned(), person_row),
    ]
}

/// A handler sees the unused consents of their own intervention only, with whom each is for;
/// no other role or handler does; using one takes it off the list.
#[test]
fn a_handler_sees_the_unused_consents_of_their_intervention_and_no_one_else_does() {
    let f = Fixture::new();
    let who = pnr(date(1979, 4, 4), 316);
    let c = record(&f.handler, f.intervention, &who, NAME);
    let list = f.handler.unused_consents_in(f.intervention).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].consent.id, c);
    assert_eq!(list[0].identity.name, NAME);
    assert_eq!(list[0].identity.pnr, parsed(&who));
    assert_eq!(f.handler.unused_consent_count(f.intervention).unwrap(), 1);
    // Not in an intervention the handler is not assigned to; nobody else sees the list.
    assert!(f.handler.unused_consents_in(f.other_intervention).is_err());
    for s in [
        &f.other_handler,
        &f.manager,
        &f.report_reader,
        &f.log_reviewer,
        &f.admin,
    ] {
        assert!(
            s.unused_consents_in(f.intervention).is_err(),
            "{:?} saw the list",
            s.role()
        );
        assert!(
            s.remove_unused_consent(c).is_err(),
            "{:?} removed",
            s.role()
        );
        assert_eq!(s.unused_consent_count(f.intervention).unwrap_or(0), 0);
    }
    // Registering in with it uses it: the list is empty and the check finds the index true.
    f.handler
        .register_in(&register_input(c, "2026-06-10", &f.handler))
        .unwrap();
    assert!(
        f.handler
            .unused_consents_in(f.intervention)
            .unwrap()
            .is_empty()
    );
    assert_eq!(f.handler.unused_consent_count(f.intervention).unwrap(), 0);
    // A used consent is not removed as unused.
    assert!(matches!(
        f.handler.remove_unused_consent(c),
        Err(insats::service::ServiceError::Refused(
            insats::domain::participation::Refusal::ConsentAlreadyUsed
        ))
    ));
    let tx = f.service.store().read().unwrap();
    assert!(check::check(&tx).unwrap().is_empty());
}

/// Removing an unused consent erases it and its person (nothing else refers to them), logs it
/// under the consent's pseudonym with no personal data, and leaves no row bytes in the file.
#[test]
fn removing_an_unused_consent_is_audited_and_leaves_no_bytes_in_the_file() {
    let f = Fixture::new();
    let who = pnr(date(1979, 4, 4), 316);
    let c = record(&f.handler, f.intervention, &who, NAME);
    let pseudonym = {
        let tx = f.service.store().read().unwrap();
        people::consent(&*tx, c).unwrap().unwrap().pseudonym
    };
    let needles = consent_and_person_rows(&f, c);
    assert_present(&f.raw_file(), &needles, "before removal");

    f.handler.remove_unused_consent(c).unwrap();
    another_commit(&f);

    assert!(
        f.handler
            .unused_consents_in(f.intervention)
            .unwrap()
            .is_empty()
    );
    assert!(f.handler.lookup(&who).unwrap().is_empty());
    {
        let tx = f.service.store().read().unwrap();
        assert!(people::consent(&*tx, c).unwrap().is_none());
        assert!(check::check(&tx).unwrap().is_empty());
        let e = tx
            .open_table(schema::AUDIT)
            .unwrap()
            .range(0..)
            .unwrap()
            .map(|row| {
                insats_store::codec::decode::<insats::domain::audit::Entry>(row.unwrap().1.value())
                    .unwrap()
            })
            .find(|e| e.draft.action == Action::RemoveConsent)
            .unwrap();
        assert_eq!(e.draft.subject, Some(pseudonym));
        assert_eq!(e.draft.intervention, Some(f.intervention));
        let text = format!("{:?} {}", e.draft.fields, e.draft.note);
        assert!(
            !text.contains("Zäta") && !text.contains(&who[..8]),
            "{text}"
        );
    }
    assert_absent(&f.raw_file(), &needles, "after removing the unused consent");
    // Removing it again: not found, nothing written.
    assert!(matches!(
        f.handler.remove_unused_consent(c),
        Err(insats::service::ServiceError::NotFound { .. })
    ));
}

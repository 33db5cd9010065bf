#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn steps(p: u64) -> Vec<Step> {
    vec![
        Step::Erase(ParticipationId(p)),
        Step::DeleteConsent(ConsentId(p + 100)),
        Step::PersonIfUnreferenced(PersonId(p + 200)),
    ]
}

#[test]
fn erasures_survive_reopening_and_a_void_takes_its_erasure_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.erasures");
    let mut j = Journal::open(&path, "r1", 10).unwrap();
    assert!(j.last_open().is_none());
    let a = j.append(11, Kind::Misregistration, steps(1)).unwrap();
    let b = j.append(12, Kind::RetentionPurge, steps(2)).unwrap();
    assert_eq!((a, b), (1, 2));
    j.void(b, 13).unwrap();
    assert!(j.last_open().is_none());
    let c = j.append(
        14,
        Kind::ProtectedIdentity,
        vec![Step::ProtectPerson(PersonId(9))],
    );
    assert_eq!(c.unwrap(), 4);
    drop(j);

    let contents = read(&path).unwrap();
    assert_eq!(contents.register, "r1");
    assert_eq!(contents.created_ms, 10);
    assert_eq!(contents.lines, 5);
    let kept: Vec<(u64, Kind)> = contents.erasures.iter().map(|e| (e.n, e.kind)).collect();
    assert_eq!(
        kept,
        [(1, Kind::Misregistration), (4, Kind::ProtectedIdentity)]
    );
    assert_eq!(contents.erasures[0].steps, steps(1));
    let j = Journal::open(&path, "r1", 99).unwrap();
    assert_eq!(j.last_open().map(|e| e.n), Some(4));
}

#[test]
fn a_line_cut_short_by_a_crash_is_dropped_and_the_next_append_starts_a_line_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.erasures");
    let mut j = Journal::open(&path, "r1", 1).unwrap();
    j.append(2, Kind::Misregistration, steps(1)).unwrap();
    drop(j);
    let whole = std::fs::read(&path).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(br#"{"erasure":{"n":2,"at_ms":3,"kind":"misreg"#);
    std::fs::write(&path, &torn).unwrap();
    // A reader (a restore while the server writes) sees the whole lines only.
    assert_eq!(read(&path).unwrap().erasures.len(), 1);
    let mut j = Journal::open(&path, "r1", 4).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        whole,
        "cut back to the whole lines"
    );
    assert_eq!(j.append(5, Kind::UnusedConsentPurge, steps(7)).unwrap(), 2);
    drop(j);
    let contents = read(&path).unwrap();
    assert_eq!(contents.erasures.len(), 2);
    assert_eq!(contents.erasures[1].steps, steps(7));
}

#[test]
fn a_journal_of_another_register_a_damaged_line_and_a_missing_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.erasures");
    let mut j = Journal::open(&path, "r1", 1).unwrap();
    j.append(2, Kind::Misregistration, steps(1)).unwrap();
    j.append(3, Kind::Misregistration, steps(2)).unwrap();
    drop(j);
    assert!(matches!(
        Journal::open(&path, "r2", 4),
        Err(JournalError::OtherRegister { .. })
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    let damaged = text.replacen("\"n\":1", "\"n\":7", 1);
    std::fs::write(&path, damaged).unwrap();
    match read(&path) {
        Err(JournalError::Damaged { line, .. }) => assert_eq!(line, 1),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        read(&dir.path().join("none")),
        Err(JournalError::Missing { .. })
    ));
}

#[test]
fn the_journal_holds_ids_and_times_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.erasures");
    let mut j = Journal::open(&path, "abcd", 1).unwrap();
    j.append(
        1_700_000_000_000,
        Kind::ProtectedIdentity,
        vec![
            Step::Anonymise(ParticipationId(5)),
            Step::ProtectPerson(PersonId(6)),
        ],
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let second = text.lines().nth(1).unwrap();
    assert_eq!(
        second,
        r#"{"erasure":{"n":1,"at_ms":1700000000000,"kind":"protected-identity","steps":[{"anonymise":5},{"protect-person":6}]}}"#
    );
}

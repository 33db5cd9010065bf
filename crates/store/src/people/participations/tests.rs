//! Reading a stored participation's person from the front of its encoding, and the counters the
//! store keeps beside the participations it writes, changes and deletes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::codec::encode;
use crate::people::counters;
use insats_domain::ids::Pseudonym;
use insats_domain::person::Gender;
use insats_domain::questionnaire::{AnswerValue, Answers};
use proptest::prelude::*;

proptest! {
    #[test]
    fn the_person_is_read_from_the_front_of_a_stored_participation(
        id in any::<u64>(),
        intervention in any::<u64>(),
        person in any::<u64>(),
        answers in proptest::collection::vec(("[a-z_]{1,12}", "[a-z_]{0,12}"), 0..8),
    ) {
        let mut a = Answers::new(3);
        for (k, v) in &answers {
            a.set(k, AnswerValue::One(v.clone()));
        }
        let p = Participation {
            id: ParticipationId(id),
            intervention: InterventionId(intervention),
            person: PersonId(person),
            consent: insats_domain::ids::ConsentId(1),
            pseudonym: Pseudonym(2),
            gender: Gender::Woman,
            in_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            answers_in: a,
            out_date: None,
            end_reason: None,
            answers_out: None,
            consent_withdrawn: false,
            age: 30,
        };
        prop_assert_eq!(person_of_participation(&encode(&p).unwrap()).unwrap(), p.person);
    }
}

#[test]
fn a_damaged_or_newer_participation_is_refused() {
    assert!(person_of_participation(&[]).is_err());
    assert!(person_of_participation(&[Participation::VERSION, 0xff]).is_err());
    assert!(person_of_participation(&[Participation::VERSION + 1, 1, 1, 1]).is_err());
}

/// Writing, changing and deleting participations keeps the counters by themselves: no
/// caller adjusts them, and after each step they equal a recount.
#[test]
fn the_store_keeps_the_counters_beside_the_participations() {
    use insats_domain::questionnaire::EndReason;
    let dir = tempfile::tempdir().unwrap();
    let store = crate::Store::create(&dir.path().join("c.redb"), None, false).unwrap();
    let i = InterventionId(7);
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let participation = |id, gender| Participation {
        id: ParticipationId(id),
        intervention: i,
        person: PersonId(id),
        consent: insats_domain::ids::ConsentId(id),
        pseudonym: Pseudonym(id),
        gender,
        in_date: day(1),
        answers_in: Answers::new(1),
        out_date: None,
        end_reason: None,
        answers_out: None,
        consent_withdrawn: false,
        age: 30,
    };
    let counted = |open, ended, women, men| {
        let tx = store.read().unwrap();
        let c = counters(&*tx, i).unwrap();
        assert_eq!((c.open, c.ended, c.women, c.men), (open, ended, women, men));
        // The check's recount agrees (its other findings are about the persons and
        // consents these bare rows point to, which this test does not write).
        let problems = crate::check::check(&tx).unwrap();
        assert!(
            !problems.iter().any(|p| p.contains("counters")),
            "{problems:?}"
        );
    };
    let (anna, bo) = (
        participation(1, Gender::Woman),
        participation(2, Gender::Man),
    );
    let tx = store.write().unwrap();
    put_participation(&tx, &anna).unwrap();
    put_participation(&tx, &bo).unwrap();
    tx.commit().unwrap();
    counted(2, 0, 1, 1);
    // Registered out: open → ended. A change that moves no count (withdrawn consent)
    // leaves them as they are.
    let out = Participation {
        out_date: Some(day(20)),
        end_reason: Some(EndReason::Moved),
        answers_out: Some(Answers::new(1)),
        ..anna.clone()
    };
    let tx = store.write().unwrap();
    update_participation(&tx, &out).unwrap();
    update_participation(
        &tx,
        &Participation {
            consent_withdrawn: true,
            ..bo.clone()
        },
    )
    .unwrap();
    tx.commit().unwrap();
    counted(1, 1, 1, 1);
    let tx = store.write().unwrap();
    delete_participation(&tx, &out).unwrap();
    tx.commit().unwrap();
    counted(1, 0, 0, 1);
}

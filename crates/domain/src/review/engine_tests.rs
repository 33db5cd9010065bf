//! Each rule over a built log: it finds exactly the entries it should, and no other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::engine::{Finding, MAX_LINKED, RuleRun, SubjectFacts};
use super::sample::SampleDraw;
use super::{Period, ReviewSettings, RuleKind};
use crate::audit::{Action, Draft, Entry, lookup_note};
use crate::ids::{AssociationId, Pseudonym, UserId};
use chrono::NaiveDate;
use std::collections::HashMap;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// Milliseconds of a Swedish local time in June 2026 (summer time: UTC+2).
fn at(d: u32, h: u32, min: u32) -> i64 {
    day(6, d)
        .and_hms_opt(h, min, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
        - 2 * 3_600_000
}

/// A log being built: entries in order, with the facts of the participants they open.
#[derive(Default)]
struct Log {
    entries: Vec<Entry>,
    facts: HashMap<u64, SubjectFacts>,
}

impl Log {
    fn push(
        &mut self,
        at_ms: i64,
        user: Option<u64>,
        action: Action,
        subject: Option<u64>,
        note: &str,
    ) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        self.entries.push(Entry {
            seq,
            at_ms,
            draft: Draft {
                user: user.map(UserId),
                role: None,
                session: 1,
                association: Some(AssociationId(1)),
                intervention: None,
                subject: subject.map(Pseudonym),
                action,
                fields: Vec::new(),
                note: note.to_owned(),
            },
            prev: [0; 32],
            mac: [0; 32],
        });
        seq
    }

    fn open(&mut self, at_ms: i64, user: u64, subject: u64, facts: SubjectFacts) -> u64 {
        let seq = self.push(
            at_ms,
            Some(user),
            Action::ViewParticipant,
            Some(subject),
            "",
        );
        self.facts.insert(seq, facts);
        seq
    }

    fn run(&self, settings: &ReviewSettings) -> Vec<Finding> {
        let mut run = RuleRun::new(settings, Period::new(day(6, 1), day(6, 30)).unwrap());
        for e in &self.entries {
            let facts = run
                .needs_facts(e)
                .then(|| self.facts.get(&e.seq).copied().unwrap_or_default());
            run.feed(e, facts);
        }
        run.finish().0
    }
}

/// A finding as compared: its user, day and entries.
type Found = (Option<u64>, NaiveDate, Vec<u64>);

fn of(findings: &[Finding], rule: RuleKind) -> Vec<Found> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.user.map(|u| u.0), f.day, f.entries.clone()))
        .collect()
}

const PLAIN: SubjectFacts = SubjectFacts {
    shares_surname: false,
    ended_on: None,
};

/// A log where each rule has exactly one thing to find among ordinary entries.
fn built() -> (Log, HashMap<RuleKind, Vec<Found>>) {
    let mut log = Log::default();
    let mut want = HashMap::new();
    // Ordinary work on Monday 15 June: office hours, few participants, matching look-ups.
    log.open(at(15, 9, 0), 1, 100, PLAIN);
    log.push(at(15, 9, 5), Some(1), Action::RegisterIn, Some(100), "");
    log.push(
        at(15, 9, 10),
        Some(1),
        Action::LookupPersonnummer,
        Some(7),
        &lookup_note(1),
    );
    log.push(
        at(15, 9, 11),
        Some(1),
        Action::LookupPersonnummer,
        None,
        &lookup_note(0),
    );
    log.push(at(15, 9, 12), Some(2), Action::Login, None, "SHA256:x");
    // Outside office hours: an opening at 06:59 and a change at 18:00 (user 2); a report at
    // 22:00 is no personal data, nor a sign-in at 05:00.
    let early = log.open(at(15, 6, 59), 2, 101, PLAIN);
    let late = log.push(at(15, 18, 0), Some(2), Action::RegisterOut, Some(101), "");
    log.push(at(15, 22, 0), Some(2), Action::RunReport, None, "results");
    log.push(at(15, 5, 0), Some(2), Action::Login, None, "SHA256:y");
    want.insert(
        RuleKind::OffHours,
        vec![(Some(2), day(6, 15), vec![early, late])],
    );
    // Shared surname (user 1, 16 June, office hours).
    let shared = log.open(
        at(16, 10, 0),
        1,
        102,
        SubjectFacts {
            shares_surname: true,
            ended_on: None,
        },
    );
    want.insert(
        RuleKind::SharedSurname,
        vec![(Some(1), day(6, 16), vec![shared])],
    );
    // A participation that ended 366 days before (found) and one 365 days before (not).
    let old = log.open(
        at(16, 10, 5),
        1,
        103,
        SubjectFacts {
            shares_surname: false,
            ended_on: Some(day(6, 16) - chrono::Duration::days(366)),
        },
    );
    log.open(
        at(16, 10, 6),
        1,
        104,
        SubjectFacts {
            shares_surname: false,
            ended_on: Some(day(6, 16) - chrono::Duration::days(365)),
        },
    );
    want.insert(
        RuleKind::OldParticipation,
        vec![(Some(1), day(6, 16), vec![old])],
    );
    // Unmatched look-ups: three by user 3 on 17 June (found), two by user 1 (not).
    let l1 = log.push(
        at(17, 9, 0),
        Some(3),
        Action::LookupPersonnummer,
        None,
        &lookup_note(0),
    );
    let l2 = log.push(
        at(17, 9, 1),
        Some(3),
        Action::LookupPersonnummer,
        None,
        &lookup_note(0),
    );
    log.push(
        at(17, 9, 2),
        Some(3),
        Action::LookupPersonnummer,
        Some(9),
        &lookup_note(2),
    );
    let l3 = log.push(
        at(17, 9, 3),
        Some(3),
        Action::LookupPersonnummer,
        None,
        &lookup_note(0),
    );
    log.push(
        at(17, 9, 4),
        Some(1),
        Action::LookupPersonnummer,
        None,
        &lookup_note(0),
    );
    want.insert(
        RuleKind::UnmatchedLookups,
        vec![(Some(3), day(6, 17), vec![l1, l2, l3])],
    );
    // Refused: a refused sign-in of nobody known, a wrong unlock code and a refused access.
    let r1 = log.push(at(18, 9, 0), None, Action::LoginFailed, None, "unknown key");
    let r2 = log.push(at(18, 9, 1), Some(4), Action::UnlockFailed, None, "1 of 3");
    let r3 = log.push(
        at(18, 9, 2),
        Some(4),
        Action::AccessRefused,
        Some(200),
        "view-participant",
    );
    want.insert(
        RuleKind::Refused,
        vec![
            (None, day(6, 18), vec![r1]),
            (Some(4), day(6, 18), vec![r2, r3]),
        ],
    );
    // Many participants: user 5 opens 4 different ones on 19 June (one twice), user 6 opens 3.
    let mut many = Vec::new();
    for (i, s) in [300, 301, 300, 302, 303].into_iter().enumerate() {
        many.push(log.open(at(19, 9, i as u32), 5, s, PLAIN));
    }
    for s in [310, 311, 312] {
        log.open(at(19, 11, 0), 6, s, PLAIN);
    }
    want.insert(
        RuleKind::ManyParticipants,
        vec![(Some(5), day(6, 19), many)],
    );
    // Outside the period: found by nothing.
    log.push(
        day(7, 1)
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis(),
        Some(4),
        Action::AccessRefused,
        None,
        "",
    );
    (log, want)
}

fn settings() -> ReviewSettings {
    ReviewSettings {
        max_participants_per_day: 3,
        ..ReviewSettings::default()
    }
}

#[test]
fn each_rule_finds_exactly_its_entries_and_no_other() {
    let (log, want) = built();
    let found = log.run(&settings());
    for rule in RuleKind::ALL {
        assert_eq!(of(&found, rule), want[&rule], "{rule:?}");
    }
    assert_eq!(found.len(), 7);
}

#[test]
fn a_rule_turned_off_finds_nothing_and_the_others_are_unchanged() {
    let (log, want) = built();
    for off in RuleKind::ALL {
        let mut s = settings();
        s.set(&format!("{}=off", off.key())).unwrap();
        let found = log.run(&s);
        for rule in RuleKind::ALL {
            let expected = if rule == off {
                Vec::new()
            } else {
                want[&rule].clone()
            };
            assert_eq!(of(&found, rule), expected, "{off:?} off, {rule:?}");
        }
    }
}

#[test]
fn weekends_count_as_office_time_when_the_association_says_so() {
    let mut log = Log::default();
    // Saturday 20 June, 10:00.
    let s = log.open(at(20, 10, 0), 1, 1, PLAIN);
    assert_eq!(
        of(&log.run(&settings()), RuleKind::OffHours),
        vec![(Some(1), day(6, 20), vec![s])]
    );
    let mut office = settings();
    office.set("weekends=office").unwrap();
    assert!(of(&log.run(&office), RuleKind::OffHours).is_empty());
}

#[test]
fn an_entry_stamped_in_the_future_does_not_keep_the_later_days_open() {
    let mut run = RuleRun::new(&settings(), Period::new(day(6, 1), day(6, 30)).unwrap());
    let mut log = Log::default();
    // A clock set a fortnight ahead for one entry, then right again.
    log.open(at(28, 20, 0), 7, 1, PLAIN);
    run.feed(&log.entries[0], Some(PLAIN));
    let mut most = 0;
    for d in 1..=20u32 {
        for n in 0..50u32 {
            log.entries.clear();
            log.open(
                at(d, 20, 0) + i64::from(n),
                1,
                u64::from(d * 1000 + n),
                PLAIN,
            );
            run.feed(&log.entries[0], Some(PLAIN));
        }
        most = most.max(run.open_groups());
    }
    assert!(most <= 4, "{most}");
    let (found, _) = run.finish();
    let mut all = found;
    all.sort_by_key(|f| (f.day, f.rule, f.user));
    let off: Vec<_> = all
        .iter()
        .filter(|f| f.rule == RuleKind::OffHours)
        .collect();
    // Each of the twenty days once for user 1, and the stray entry's day for user 7.
    assert_eq!(off.len(), 21);
    assert!(
        off.iter()
            .any(|f| f.user == Some(UserId(7)) && f.day == day(6, 28))
    );
}

#[test]
fn open_state_stays_bounded_by_a_day_and_big_findings_link_a_bounded_number_of_entries() {
    let mut run = RuleRun::new(&settings(), Period::new(day(6, 1), day(6, 30)).unwrap());
    let mut log = Log::default();
    let mut most = 0;
    for d in 1..=30u32 {
        for n in 0..500u32 {
            log.entries.clear();
            log.open(
                at(d, 20, 0) + i64::from(n),
                1 + u64::from(n % 4),
                u64::from(d * 1000 + n),
                PLAIN,
            );
            let e = &log.entries[0];
            run.feed(e, Some(PLAIN));
        }
        most = most.max(run.open_groups());
    }
    // Two rules (off hours, many participants) for four users, today's and yesterday's:
    // sixteen groups at most.
    assert!(most <= 16, "{most}");
    let (found, checked) = run.finish();
    assert_eq!(checked, 30 * 500);
    let off = found
        .iter()
        .filter(|f| f.rule == RuleKind::OffHours)
        .collect::<Vec<_>>();
    assert_eq!(off.len(), 30 * 4);
    assert!(
        off.iter()
            .all(|f| f.matched == 125 && f.entries.len() == 125)
    );
    let mut big = RuleRun::new(&settings(), Period::new(day(6, 1), day(6, 30)).unwrap());
    for n in 0..(MAX_LINKED as u64 + 50) {
        log.entries.clear();
        log.open(at(3, 21, 0), 9, n, PLAIN);
        let mut e = log.entries[0].clone();
        e.seq = n + 1;
        big.feed(&e, Some(PLAIN));
    }
    let (found, _) = big.finish();
    let off = found.iter().find(|f| f.rule == RuleKind::OffHours).unwrap();
    assert_eq!(
        (off.entries.len(), off.matched),
        (MAX_LINKED, MAX_LINKED as u32 + 50)
    );
}

fn draw(log: &Log, seed: u64, per: u32) -> Vec<u64> {
    let mut d = SampleDraw::new(seed, per, Period::new(day(6, 1), day(6, 30)).unwrap());
    for e in &log.entries {
        d.feed(e);
    }
    d.finish().0.iter().map(|s| s.seq).collect()
}

#[test]
fn the_sample_is_the_same_for_a_seed_differs_for_another_and_draws_only_personal_data_by_users() {
    let mut log = Log::default();
    for n in 0..200u32 {
        let user = 1 + u64::from(n % 2);
        log.open(at(1 + n % 28, 10, 0), user, u64::from(n), PLAIN);
        log.push(
            at(1 + n % 28, 10, 1),
            Some(user),
            Action::RunReport,
            None,
            "",
        );
        log.push(at(1 + n % 28, 10, 2), None, Action::LoginFailed, None, "");
    }
    let a = draw(&log, 42, 5);
    assert_eq!(a, draw(&log, 42, 5));
    assert_ne!(a, draw(&log, 43, 5));
    // Five per user (two users, one month), each a view by a user.
    assert_eq!(a.len(), 10);
    for seq in &a {
        let e = &log.entries[(*seq - 1) as usize];
        assert_eq!(e.draft.action, Action::ViewParticipant);
    }
    for user in [1, 2] {
        assert_eq!(
            a.iter()
                .filter(|s| log.entries[(**s - 1) as usize].draft.user == Some(UserId(user)))
                .count(),
            5
        );
    }
    // Different seeds draw different entries, not only in another order: over 20 seeds, most
    // of the 200 views are drawn at least once.
    let mut seen = std::collections::HashSet::new();
    for seed in 0..20 {
        seen.extend(draw(&log, seed, 5));
    }
    assert!(seen.len() > 100, "{}", seen.len());
    assert!(draw(&log, 42, 0).is_empty());
}

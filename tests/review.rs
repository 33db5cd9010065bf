//! The log reviewer's queue through the real service and database: each rule finds exactly the
//! entries it should in a log built by real actions at chosen times; the sample repeats for a
//! seed; a reviewer sees no names, cannot judge their own accesses, cannot change a verdict
//! without a new audit entry; verdicts survive a restart; the review record counts them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::NaiveDate;
use common::{answers, consent_by_participant, identity, other_answers, pnr};
use insats::domain::audit::Action;
use insats::domain::ids::{AssociationId, InterventionId, ParticipationId, UserId};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::questionnaire::EndReason;
use insats::domain::review::{ItemSource, Period, RuleKind, VerdictKind};
use insats::domain::user::{Role, Scope};
use insats::service::{
    AssociationInput, AuditFilter, Clock, InitInput, InterventionInput, Lang, RegisterInInput,
    Service, ServiceError, Session,
};
use insats_store::Store;
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock the test moves: Swedish summer time (UTC+2) in June 2026.
#[derive(Debug, Clone)]
struct SetClock(Arc<AtomicI64>);

impl SetClock {
    fn at(&self, day: u32, hour: u32, minute: u32) {
        let ms = NaiveDate::from_ymd_opt(2026, 6, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
            - 2 * 3_600_000;
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for SetClock {
    fn today(&self) -> NaiveDate {
        insats::domain::review::time::swedish_day(self.0.load(Ordering::SeqCst))
    }
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct Desk {
    dir: Option<tempfile::TempDir>,
    path: std::path::PathBuf,
    clock: SetClock,
    association: AssociationId,
    admin: Session,
    hanna: Session,
    olle: Session,
    lars: Session,
    lisa: Session,
    /// Hanna's participants: Eva Lund, Karl Berg (Hanna's surname), Olof Sten (ended
    /// 2025-03-01), Anna Björk, Bo Ek, Cia Falk.
    eva: ParticipationId,
    karl: ParticipationId,
    olof: ParticipationId,
    anna: ParticipationId,
    bo: ParticipationId,
    cia: ParticipationId,
    /// Olle's participant, in an intervention Hanna is not assigned to.
    per: ParticipationId,
}

fn service_at(path: &Path, clock: &SetClock, create: bool) -> Service {
    let store = if create {
        Store::create(path, None, false).unwrap()
    } else {
        Store::open(path, None).unwrap()
    };
    Service::new(store, Box::new(clock.clone()))
}

fn desk() -> Desk {
    let dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap();
    let path = dir.path().join("review.redb");
    let clock = SetClock(Arc::new(AtomicI64::new(0)));
    clock.at(15, 8, 0);
    let service = service_at(&path, &clock, true);
    let (association, _) = service
        .init(&InitInput {
            association: AssociationInput {
                name: "Förbundet".into(),
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
    let new = |name: &str| -> InterventionId {
        admin
            .create_intervention(&InterventionInput {
                association,
                name: name.into(),
                description: String::new(),
                start: "2020-01-01".into(),
                end: String::new(),
                direction: Direction::Individual,
                target_groups: vec!["unga vuxna".into()],
                measurement: Measurement::Individual,
            })
            .unwrap()
    };
    let (steg, annan) = (new("Steg"), new("Annan"));
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let mk = |user: &str, name: &str, role: Role, scope: Scope| -> Session {
        let id = sys.create_user(user, name, &[role]).unwrap();
        sys.assign(id, role, scope, "2020-01-01", "").unwrap();
        Session::sign_in(&service, user, Some(role)).unwrap()
    };
    let hanna = mk(
        "hanna",
        "Hanna Berg",
        Role::ParticipantHandler,
        Scope::Intervention(steg),
    );
    let olle = mk(
        "olle",
        "Olle Ek",
        Role::ParticipantHandler,
        Scope::Intervention(annan),
    );
    let lars = mk(
        "lars",
        "Lars Lind",
        Role::LogReviewer,
        Scope::Association(association),
    );
    let lisa = mk(
        "lisa",
        "Lisa Ås",
        Role::LogReviewer,
        Scope::Association(association),
    );
    let reg = |s: &Session, i: InterventionId, serial: u16, name: &str, in_date: &str| {
        let consent = s
            .record_consent(
                i,
                &identity(
                    &pnr(NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), serial),
                    name,
                ),
                &consent_by_participant("2024-01-05"),
            )
            .unwrap();
        s.register_in(&RegisterInInput {
            consent,
            in_date: in_date.into(),
            gender: None,
            answers: answers(s.service().catalogue()),
        })
        .unwrap()
    };
    let eva = reg(&hanna, steg, 11, "Eva Lund", "2026-05-01");
    let karl = reg(&hanna, steg, 12, "Karl Berg", "2026-05-01");
    let olof = reg(&hanna, steg, 13, "Olof Sten", "2024-01-10");
    let cat = hanna.service().catalogue().clone();
    hanna
        .register_out(
            olof,
            "2025-03-01",
            EndReason::CompletedAsPlanned,
            Some(other_answers(&cat)),
        )
        .unwrap();
    let anna = reg(&hanna, steg, 14, "Anna Björk", "2026-05-01");
    let bo = reg(&hanna, steg, 15, "Bo Ek", "2026-05-01");
    let cia = reg(&hanna, steg, 17, "Cia Falk", "2026-05-01");
    let per = reg(&olle, annan, 16, "Per Holm", "2026-05-01");
    Desk {
        dir: Some(dir),
        path,
        clock,
        association,
        admin,
        hanna,
        olle,
        lars,
        lisa,
        eva,
        karl,
        olof,
        anna,
        bo,
        cia,
        per,
    }
}

impl Desk {
    /// Ends every session and the service, keeping the database's folder.
    fn close(mut self) -> tempfile::TempDir {
        self.dir.take().unwrap()
    }
}

/// The sequence number of the newest entry.
fn last_seq(d: &Desk) -> u64 {
    d.lars.audit_page(&AuditFilter::default(), None, 1).unwrap()[0].seq
}

fn june(from: u32, to: u32) -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2026, 6, from).unwrap(),
        NaiveDate::from_ymd_opt(2026, 6, to).unwrap(),
    )
    .unwrap()
}

type Expected = Vec<(RuleKind, Option<UserId>, NaiveDate, Vec<u64>)>;

/// Real actions at chosen times, and what each rule should find in them.
fn act(d: &Desk) -> Expected {
    let hanna = Some(d.hanna.user().id);
    let day15 = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let day17 = NaiveDate::from_ymd_opt(2026, 6, 17).unwrap();
    d.clock.at(15, 8, 30);
    d.admin
        .set_review_settings(None, &["max-participants=3".into()])
        .unwrap();
    // Ordinary: an opening in office hours, a look-up that finds someone.
    d.clock.at(15, 10, 0);
    d.hanna.open_participant(d.eva).unwrap();
    d.hanna
        .lookup(&pnr(NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), 11))
        .unwrap();
    d.clock.at(15, 10, 5);
    d.hanna.open_participant(d.karl).unwrap();
    let shared = last_seq(d);
    d.clock.at(15, 10, 10);
    d.hanna.open_participant(d.olof).unwrap();
    let old = last_seq(d);
    let mut unmatched = Vec::new();
    for (n, serial) in [901u16, 902, 903].into_iter().enumerate() {
        d.clock.at(15, 11, n as u32);
        d.hanna
            .lookup(&pnr(NaiveDate::from_ymd_opt(1980, 5, 5).unwrap(), serial))
            .unwrap();
        unmatched.push(last_seq(d));
    }
    // Olle: two look-ups without a match (under the threshold of 3).
    d.clock.at(15, 11, 10);
    d.olle
        .lookup(&pnr(NaiveDate::from_ymd_opt(1980, 5, 5).unwrap(), 904))
        .unwrap();
    d.olle
        .lookup(&pnr(NaiveDate::from_ymd_opt(1980, 5, 5).unwrap(), 905))
        .unwrap();
    d.clock.at(15, 11, 30);
    let refused = d.hanna.open_participant(d.per);
    assert!(
        matches!(refused, Err(ServiceError::Denied(_))),
        "{refused:?}"
    );
    let refused = last_seq(d);
    d.clock.at(15, 20, 0);
    d.hanna.open_participant(d.eva).unwrap();
    let late = last_seq(d);
    // 16 June: three participants (not more than 3; 15 June had three too).
    d.clock.at(16, 9, 0);
    for p in [d.eva, d.anna, d.eva, d.bo] {
        d.hanna.open_participant(p).unwrap();
    }
    // 17 June: four participants.
    let mut many = Vec::new();
    d.clock.at(17, 9, 0);
    for p in [d.eva, d.anna, d.bo, d.cia] {
        d.hanna.open_participant(p).unwrap();
        many.push(last_seq(d));
    }
    d.clock.at(18, 9, 0);
    vec![
        (RuleKind::OffHours, hanna, day15, vec![late]),
        (RuleKind::ManyParticipants, hanna, day17, many),
        (RuleKind::SharedSurname, hanna, day15, vec![shared]),
        (RuleKind::UnmatchedLookups, hanna, day15, unmatched),
        (RuleKind::Refused, hanna, day15, vec![refused]),
        (RuleKind::OldParticipation, hanna, day15, vec![old]),
    ]
}

#[test]
fn each_rule_finds_exactly_its_entries_in_a_log_built_by_real_actions() {
    let d = desk();
    let expected = act(&d);
    let r = d.lars.run_review_rules(None, june(1, 30)).unwrap();
    let mut found: Expected = r
        .items
        .iter()
        .map(|i| {
            let ItemSource::Rule(rule) = i.source else {
                panic!("a rule run holds findings only")
            };
            (rule, i.user, i.day, i.entries.clone())
        })
        .collect();
    found.sort_by_key(|f| f.0);
    assert_eq!(found, expected);
    // The run is kept and logged, with the rules' parameters.
    let entry = d.lars.audit_page(&AuditFilter::default(), None, 1).unwrap()[0].clone();
    assert_eq!(entry.seq, r.run.audit_seq);
    assert_eq!(entry.draft.action, Action::ReviewRun);
    assert!(
        entry.draft.note.contains("max-participants=3"),
        "{}",
        entry.draft.note
    );
    // A period without the days finds nothing.
    assert!(
        d.lars
            .run_review_rules(None, june(19, 30))
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn the_sample_repeats_for_its_seed_differs_for_another_and_draws_views_and_changes_by_users() {
    let d = desk();
    act(&d);
    let seqs = |seed: u64| -> Vec<u64> {
        d.lars
            .draw_review_sample(None, june(1, 30), Some(3), Some(seed))
            .unwrap()
            .items
            .iter()
            .map(|i| i.entries[0])
            .collect()
    };
    let a = seqs(7);
    assert_eq!(a, seqs(7));
    assert_ne!(a, seqs(8));
    // Three per user and month: Hanna and Olle both worked in June.
    assert_eq!(a.len(), 6);
    let all = d
        .lars
        .audit_page(&AuditFilter::default(), None, 10_000)
        .unwrap();
    for seq in &a {
        let e = all.iter().find(|e| e.seq == *seq).unwrap();
        assert!(
            e.draft.action.touches_personal_data(),
            "{:?}",
            e.draft.action
        );
        assert!(e.draft.user.is_some());
    }
    // The seed is kept with the run and in its audit entry.
    let r = d
        .lars
        .draw_review_sample(None, june(1, 30), None, None)
        .unwrap();
    let insats::domain::review::RunKind::Sample {
        seed,
        per_user_month,
    } = r.run.kind
    else {
        panic!("a sample run")
    };
    assert_eq!(per_user_month, 5);
    let note = d.lars.audit_page(&AuditFilter::default(), None, 1).unwrap()[0]
        .draft
        .note
        .clone();
    assert!(note.contains(&format!("seed {seed}")), "{note}");
}

#[test]
fn a_reviewer_sees_only_pseudonyms_and_cannot_judge_their_own_accesses() {
    let d = desk();
    act(&d);
    // Lars reveals an identity out of hours: his own access, found by the office-hours rule.
    d.clock.at(18, 21, 0);
    let p = d
        .lars
        .audit_page(&AuditFilter::default(), None, 200)
        .unwrap()
        .into_iter()
        .find_map(|e| e.draft.subject)
        .unwrap();
    d.lars.reveal(p, "granskning 2026-06-18, dnr 12").unwrap();
    d.clock.at(19, 9, 0);
    let r = d.lars.run_review_rules(None, june(1, 30)).unwrap();
    let own = r
        .items
        .iter()
        .find(|i| i.user == Some(d.lars.user().id))
        .unwrap();
    let refused = d.lars.judge(own.id, VerdictKind::Justified, "");
    let Err(e) = refused else {
        panic!("judged own access")
    };
    assert!(e.to_string().contains("own accesses"), "{e}");
    assert!(
        e.message(Lang::Sv).contains("egna åtkomster"),
        "{}",
        e.message(Lang::Sv)
    );
    d.lisa
        .judge(own.id, VerdictKind::Justified, "planerad granskning")
        .unwrap();
    // No participant's name anywhere a reviewer reads: findings, entries, verdicts, record.
    let mut seen = String::new();
    for row in d.lars.review_queue(None, false).unwrap() {
        let detail = d.lars.review_item(row.item.id).unwrap();
        write!(seen, "{detail:?}").unwrap();
    }
    let record = d.lars.review_record(None, june(1, 30)).unwrap();
    for t in record.tables(true) {
        write!(seen, "{t:?}").unwrap();
    }
    assert!(seen.contains("ps-"), "pseudonyms are shown");
    for name in [
        "Karl", "Berg", "Eva", "Lund", "Olof", "Sten", "Björk", "Holm",
    ] {
        assert!(!seen.contains(name), "{name} shown to a reviewer");
    }
    // Other roles cannot use the queue at all.
    assert!(matches!(
        d.hanna.review_queue(None, false),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        d.hanna.run_review_rules(None, june(1, 30)),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn a_changed_verdict_is_a_new_verdict_with_its_own_audit_entry_and_all_survive_a_restart() {
    let d = desk();
    act(&d);
    let r = d.lars.run_review_rules(None, june(1, 30)).unwrap();
    let item = r.items[0].id;
    let head = last_seq(&d);
    let first = d
        .lars
        .judge(item, VerdictKind::FollowUp, "fråga handläggaren")
        .unwrap();
    assert_eq!(first.audit_seq, head + 1);
    // Still open after "needs follow-up"; closed by a later verdict.
    let open = d.lars.review_queue(None, true).unwrap();
    assert!(open.iter().any(|q| q.item.id == item));
    d.clock.at(19, 10, 0);
    let second = d
        .lars
        .judge(item, VerdictKind::Justified, "svar från handläggaren")
        .unwrap();
    assert_eq!(second.audit_seq, head + 2);
    let open = d.lars.review_queue(None, true).unwrap();
    assert!(!open.iter().any(|q| q.item.id == item));
    let entries = d.lars.audit_page(&AuditFilter::default(), None, 2).unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e.draft.action == Action::ReviewVerdict)
    );
    assert_eq!(entries[0].draft.note, format!("{item}: justified"));
    assert_eq!(entries[1].draft.note, format!("{item}: follow-up"));
    // A comment holding a personnummer is refused, and nothing is written.
    let bad = d
        .lars
        .judge(item, VerdictKind::Justified, "gäller 19900101-0017");
    assert!(bad.is_err());
    assert_eq!(last_seq(&d), head + 2);
    // Reopen the database: the verdicts, their order and the run are still there.
    let path = d.path.clone();
    let clock = d.clock.clone();
    let lars_id = d.lars.user().id;
    let _dir = d.close();
    let service = service_at(&path, &clock, false);
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    let detail = lars.review_item(item).unwrap();
    let kinds: Vec<VerdictKind> = detail.verdicts.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, vec![VerdictKind::FollowUp, VerdictKind::Justified]);
    assert!(detail.verdicts.iter().all(|v| v.reviewer == lars_id));
    assert_eq!(detail.verdicts[0].comment, "fråga handläggaren");
    let chain = lars.verify_audit_against(&[]).unwrap();
    assert!(
        matches!(chain, insats::service::ChainState::Intact(_)),
        "{chain:?}"
    );
}

#[test]
fn the_review_record_states_rules_seeds_entries_checked_verdicts_and_open_items() {
    let d = desk();
    act(&d);
    let rules = d.lars.run_review_rules(None, june(1, 30)).unwrap();
    let sample = d
        .lars
        .draw_review_sample(None, june(1, 30), Some(2), Some(99))
        .unwrap();
    d.lars
        .judge(rules.items[0].id, VerdictKind::Unauthorised, "")
        .unwrap();
    d.lars
        .judge(rules.items[1].id, VerdictKind::FollowUp, "")
        .unwrap();
    d.lars
        .judge(sample.items[0].id, VerdictKind::Justified, "")
        .unwrap();
    let record = d.lars.review_record(None, june(1, 30)).unwrap();
    assert_eq!(record.runs.len(), 2);
    let r = &record.runs[0];
    assert_eq!((r.unauthorised, r.follow_up, r.justified), (1, 1, 0));
    assert_eq!(r.not_judged, rules.run.items - 2);
    assert_eq!(record.runs[1].justified, 1);
    let open = rules.items.len() - 1 + sample.items.len() - 1;
    assert_eq!(record.open.len(), open);
    let text = format!("{:?}", record.tables(false));
    assert!(text.contains("seed 99, 2 per user and month"), "{text}");
    assert!(text.contains("max-participants=3"), "{text}");
    assert!(text.contains(&r.run.entries_checked.to_string()));
    // A period no run touched has none.
    let july = Period::new(
        NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 7, 31).unwrap(),
    )
    .unwrap();
    assert!(
        d.lars
            .review_record(Some(d.association), july)
            .unwrap()
            .runs
            .is_empty()
    );
}

#[test]
fn a_schema_11_file_gets_the_review_tables() {
    use insats_store::schema::{META, META_SCHEMA, REVIEW_RUNS, SCHEMA_VERSION};
    let d = desk();
    let (path, clock) = (d.path.clone(), d.clock.clone());
    let _dir = d.close();
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(tx.delete_table(REVIEW_RUNS).unwrap());
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 11u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let service = service_at(&path, &clock, false);
    assert_eq!(
        insats_store::migrate::stored_version(service.store()).unwrap(),
        Some(SCHEMA_VERSION)
    );
    let lars = Session::sign_in(&service, "lars", Some(Role::LogReviewer)).unwrap();
    assert!(lars.run_review_rules(None, june(1, 30)).is_ok());
}

//! Property tests: random command sequences against the service never break an invariant.
//!
//! Each case builds a fresh [`Fixture`] (in RAM where possible: `Fixture::new_in_ram`), runs up
//! to 40 random commands — record consent + register in, register in on an earlier consent,
//! register out, correct answers, withdraw consent, protected identity, misregistration,
//! anonymous participants, open participant, personnummer look-up, and the same commands by
//! sessions without an assignment to the participant's intervention — and after every command
//! checks:
//!
//! - nobody (by personnummer, over `participants_page` of both interventions) is registered in
//!   twice at once in one intervention: sorted by in-date, each participation ended on or before
//!   the next one's in-date (an out-date equal to the next in-date is allowed, as §3 and
//!   `participation::register_in` have it);
//! - no participation has `out_date < in_date`, an in-date outside the intervention or in the
//!   future, an end without answers while consent stands, or a kept misregistration;
//! - an accepted command adds exactly the audit entries it should — one per participation it
//!   touches, counted from the store before the command (withdrawal: the person's participations
//!   not yet withdrawn; protected identity: all of the person's participations) — with the
//!   expected actions, interventions, subjects, user, role and session, and no personnummer or
//!   name; a refused or denied command adds none;
//! - the audit chain verifies, `store::check::check` finds nothing, and no person record is
//!   left without a participation or consent referring to it;
//! - the stored counters (`Session::aggregates`) equal what is counted from the participations,
//!   and the anonymous counts per year equal what was registered anonymously or turned
//!   anonymous by protected identity;
//! - a refused command changes no byte of any table; a view changes only the audit log.
//!
//! Besides, each command's outcome is predicted from the store and the rules of domain.md
//! §3–§5 (`Must`): a command the rules allow must be accepted, one they forbid must be refused,
//! and one by a session without assignment must be `Denied`. At the end the audit log holds
//! exactly the entries of the accepted commands, in order, and the reopened file holds exactly
//! what was committed.
//!
//! The store is the truth: expectations are read from it before each command. The only model
//! kept is the anonymous participants per intervention and year (nothing in the store records
//! where they came from). Each property asserts at the end that the paths it is about were
//! exercised (`needs`), so a drift in the generators cannot make it vacuous.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{Days, NaiveDate, TimeDelta};
use common::{Fixture, answers, date, identity, other_answers, parsed, pnr, today};
use insats::domain::audit::{Action, Entry};
use insats::domain::consent::{Consent, Signer};
use insats::domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use insats::domain::participation::{Occasion, Participation};
use insats::domain::person::Gender;
use insats::domain::questionnaire::{Answers, EndReason};
use insats::domain::report::Counters;
use insats::service::{ConsentInput, RegisterInInput, ServiceError, Session};
use insats_store::{Store, audit, check, people, schema};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestError, TestRunner};
use redb::{ReadableTable, TableDefinition};
use std::cell::RefCell;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Commands

/// Which of the fixture's individual interventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Iv {
    /// `f.intervention` (from 2025-01-01), handled by `f.handler`.
    Main,
    /// `f.other_intervention` (from 2024-03-01), handled by `f.other_handler`.
    Other,
}

#[derive(Debug, Clone, Copy)]
enum Day {
    On(NaiveDate),
    /// This many percent into the person's latest participation in the intervention, preferring
    /// ended ones (from its in-date to its out-date, or to today while open): aims at overlaps.
    /// Today if there is none.
    Near(u8),
    Malformed,
}

#[derive(Debug, Clone, Copy)]
enum OutDay {
    /// This many percent of the way from the participation's in-date to today.
    Within(u8),
    /// Days after the participation's in-date (negative: before it; may be in the future).
    After(i64),
    Malformed,
}

/// An answer set: two complete ones, and one that misses every question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    First,
    Last,
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    No,
    SameDay,
    BeforeSigning,
}

/// Form 9443 as typed.
#[derive(Debug, Clone, Copy)]
struct Form {
    signed_on: NaiveDate,
    signer: Signer,
    mature: bool,
    sent: Sent,
}

/// A session that must not change or see participants of the target's intervention.
#[derive(Debug, Clone, Copy)]
enum Intruder {
    /// The participant handler of the *other* intervention.
    CrossHandler,
    Manager,
    ReportReader,
    LogReviewer,
    SystemAdmin,
}

/// A session that may never look a personnummer up.
#[derive(Debug, Clone, Copy)]
enum NonHandler {
    Manager,
    ReportReader,
    LogReviewer,
    SystemAdmin,
}

/// What an intruder tries.
#[derive(Debug, Clone, Copy)]
enum Target {
    RecordConsent(Iv, usize),
    RegisterIn(Index),
    RegisterOut(Index),
    Correct(Index),
    Withdraw(Index),
    Protect(Index),
    Misregister(Index),
    Open(Index),
    Anonymous(Iv),
}

#[derive(Debug, Clone)]
enum Cmd {
    /// Record consent for a person of the pool, then register them in on that consent.
    Register {
        iv: Iv,
        who: usize,
        renamed: bool,
        form: Form,
        in_date: Day,
        gender: Option<Gender>,
        answers: Set,
    },
    /// Register in on a consent recorded earlier (often used already, or erased).
    ReuseConsent {
        consent: Index,
        in_date: Day,
    },
    RegisterOut {
        /// `true`: among the participations registered in now (if any); `false`: among all
        /// created so far (often ended or erased already).
        open: bool,
        p: Index,
        out: OutDay,
        reason: EndReason,
        answers: Option<Set>,
    },
    Correct {
        p: Index,
        occasion: Occasion,
        answers: Set,
    },
    Withdraw {
        p: Index,
    },
    Protect {
        p: Index,
    },
    Misregister {
        p: Index,
    },
    Anonymous {
        iv: Iv,
        year: i32,
        women: u32,
        men: u32,
    },
    Open {
        p: Index,
    },
    Lookup {
        who: usize,
        as_other: bool,
        typed: Typed,
    },
    Denied {
        by: Intruder,
        op: Target,
    },
    DeniedLookup {
        by: NonHandler,
        who: usize,
    },
}

/// How a personnummer is typed into a look-up (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typed {
    /// `YYYYMMDD-NNNC`
    Full,
    /// `YYYYMMDDNNNC`
    Digits12,
    /// `YYMMDD-NNNC`
    Short,
    /// `YYMMDDNNNC`
    Digits10,
    /// A wrong check digit.
    Mistyped,
}

/// Fictitious people: (birth date, serial). Serial's last digit odd: man, even: woman.
/// The last one is a minor (15 in 2025-03, 16 on "today").
const POOL: [((i32, u32, u32), u16); 6] = [
    ((1990, 5, 17), 123),
    ((1985, 11, 2), 456),
    ((2001, 1, 31), 238),
    ((1972, 8, 8), 871),
    ((1999, 12, 24), 334),
    ((2010, 3, 3), 115),
];

// ---------------------------------------------------------------------------------------------
// Strategies

fn iv() -> impl Strategy<Value = Iv> + Clone {
    prop_oneof![3 => Just(Iv::Main), 1 => Just(Iv::Other)]
}

fn day(near: u32) -> impl Strategy<Value = Day> + Clone {
    let base = date(2024, 1, 1);
    let on = move |n: u64| Day::On(base.checked_add_days(Days::new(n)).unwrap());
    prop_oneof![
        // 2025-01-01 ..= 2026-06-15: inside both interventions, not in the future.
        5 => (366u64..=896).prop_map(on),
        // 2024-01-01 ..= 2026-06-29: before either start, or in the future.
        2 => (0u64..=910).prop_map(on),
        near => (0u8..=100).prop_map(Day::Near),
        1 => Just(Day::Malformed),
    ]
}

fn out_day() -> impl Strategy<Value = OutDay> + Clone {
    prop_oneof![
        5 => (0u8..=100).prop_map(OutDay::Within),
        2 => (-90i64..=200).prop_map(OutDay::After),
        1 => Just(OutDay::Malformed),
    ]
}

fn set() -> impl Strategy<Value = Set> + Clone {
    prop_oneof![4 => Just(Set::First), 2 => Just(Set::Last), 1 => Just(Set::Incomplete)]
}

fn form() -> impl Strategy<Value = Form> + Clone {
    (
        prop_oneof![
            3 => Just(date(2026, 6, 1)),
            3 => Just(today()),
            1 => Just(date(2026, 6, 16)),
        ],
        prop_oneof![8 => Just(Signer::Participant), 1 => Just(Signer::Guardian)],
        prop::bool::weighted(0.7),
        prop_oneof![
            8 => Just(Sent::No),
            2 => Just(Sent::SameDay),
            1 => Just(Sent::BeforeSigning),
        ],
    )
        .prop_map(|(signed_on, signer, mature, sent)| Form {
            signed_on,
            signer,
            mature,
            sent,
        })
}

fn gender() -> impl Strategy<Value = Option<Gender>> + Clone {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(Gender::Woman)),
        1 => Just(Some(Gender::Man)),
    ]
}

fn reason() -> impl Strategy<Value = EndReason> + Clone {
    let ordinary: Vec<EndReason> = EndReason::ALL
        .into_iter()
        .filter(|r| !r.is_misregistration())
        .collect();
    prop_oneof![
        8 => proptest::sample::select(ordinary),
        1 => Just(EndReason::Misregistration),
    ]
}

fn head_count() -> impl Strategy<Value = u32> + Clone {
    prop_oneof![8 => 0u32..=3, 1 => Just(10_000u32)]
}

fn intruder() -> impl Strategy<Value = Intruder> + Clone {
    prop_oneof![
        3 => Just(Intruder::CrossHandler),
        2 => Just(Intruder::Manager),
        1 => Just(Intruder::ReportReader),
        1 => Just(Intruder::LogReviewer),
        1 => Just(Intruder::SystemAdmin),
    ]
}

fn target(pool: usize) -> impl Strategy<Value = Target> + Clone {
    let i = any::<Index>;
    prop_oneof![
        (iv(), 0..pool).prop_map(|(v, w)| Target::RecordConsent(v, w)),
        i().prop_map(Target::RegisterIn),
        i().prop_map(Target::RegisterOut),
        i().prop_map(Target::Correct),
        i().prop_map(Target::Withdraw),
        i().prop_map(Target::Protect),
        i().prop_map(Target::Misregister),
        i().prop_map(Target::Open),
        iv().prop_map(Target::Anonymous),
    ]
}

/// Relative weights of the commands, and how many people of [`POOL`] take part.
#[derive(Debug, Clone, Copy)]
struct Mix {
    pool: usize,
    /// Weight of in-dates aimed into the person's latest participation (of 10 for the others).
    near: u32,
    register: u32,
    reuse: u32,
    out: u32,
    correct: u32,
    withdraw: u32,
    protect: u32,
    misregister: u32,
    anonymous: u32,
    open: u32,
    lookup: u32,
    denied: u32,
}

fn command(m: Mix) -> BoxedStrategy<Cmd> {
    let pool = m.pool;
    let i = any::<Index>;
    prop_oneof![
        m.register => (iv(), 0..pool, any::<bool>(), form(), day(m.near), gender(), set()).prop_map(
            |(iv, who, renamed, form, in_date, gender, answers)| Cmd::Register {
                iv,
                who,
                renamed,
                form,
                in_date,
                gender,
                answers,
            }
        ),
        m.reuse => (i(), day(m.near)).prop_map(|(consent, in_date)| Cmd::ReuseConsent { consent, in_date }),
        m.out => (
            prop::bool::weighted(0.6),
            i(),
            out_day(),
            reason(),
            prop_oneof![4 => set().prop_map(Some), 1 => Just(None)]
        )
            .prop_map(|(open, p, out, reason, answers)| Cmd::RegisterOut {
                open,
                p,
                out,
                reason,
                answers
            }),
        m.correct => (i(), prop_oneof![Just(Occasion::In), Just(Occasion::Out)], set())
            .prop_map(|(p, occasion, answers)| Cmd::Correct {
                p,
                occasion,
                answers
            }),
        m.withdraw => i().prop_map(|p| Cmd::Withdraw { p }),
        m.protect => i().prop_map(|p| Cmd::Protect { p }),
        m.misregister => i().prop_map(|p| Cmd::Misregister { p }),
        m.anonymous => (iv(), 2023i32..=2027, head_count(), head_count())
            .prop_map(|(iv, year, women, men)| Cmd::Anonymous { iv, year, women, men }),
        m.open => i().prop_map(|p| Cmd::Open { p }),
        m.lookup => (
            0..pool,
            any::<bool>(),
            prop_oneof![
                3 => Just(Typed::Full),
                1 => Just(Typed::Digits12),
                1 => Just(Typed::Short),
                1 => Just(Typed::Digits10),
                1 => Just(Typed::Mistyped),
            ]
        )
            .prop_map(|(who, as_other, typed)| Cmd::Lookup {
                who,
                as_other,
                typed
            }),
        m.denied => (intruder(), target(pool)).prop_map(|(by, op)| Cmd::Denied { by, op }),
        m.denied.div_ceil(4) => (
            prop_oneof![
                Just(NonHandler::Manager),
                Just(NonHandler::ReportReader),
                Just(NonHandler::LogReviewer),
                Just(NonHandler::SystemAdmin),
            ],
            0..pool
        )
            .prop_map(|(by, who)| Cmd::DeniedLookup { by, who }),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Store snapshots

/// Every table as raw (key, value) bytes.
type Snapshot = BTreeMap<&'static str, Vec<(Vec<u8>, Vec<u8>)>>;

fn dump<K: redb::Key + 'static, V: redb::Value + 'static>(
    tx: &redb::ReadTransaction,
    def: TableDefinition<K, V>,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let table = tx.open_table(def).unwrap();
    table
        .iter()
        .unwrap()
        .map(|row| {
            let (k, v) = row.unwrap();
            let key = k.value();
            let value = v.value();
            (
                <K as redb::Value>::as_bytes(&key).as_ref().to_vec(),
                <V as redb::Value>::as_bytes(&value).as_ref().to_vec(),
            )
        })
        .collect()
}

fn snapshot(f: &Fixture) -> Snapshot {
    snapshot_of(f.service.store())
}

fn snapshot_of(store: &Store) -> Snapshot {
    let tx = store.read().unwrap();
    let mut s = Snapshot::new();
    macro_rules! tables {
        ($($t:ident),* $(,)?) => {$(
            s.insert(stringify!($t), dump(&tx, schema::$t));
        )*};
    }
    tables!(
        META,
        ASSOCIATIONS,
        INTERVENTIONS,
        INTERVENTIONS_BY_ASSOCIATION,
        USERS,
        USERS_BY_NAME,
        SSH_KEYS,
        SSH_KEYS_BY_USER,
        ASSIGNMENTS,
        ASSIGNMENTS_BY_USER,
        PERSONS,
        PERSONS_BY_PNR,
        CONSENTS,
        CONSENTS_BY_PERSON,
        PARTICIPATIONS,
        PARTICIPATIONS_BY_INTERVENTION,
        PARTICIPATIONS_BY_PERSON,
        PSEUDONYMS,
        ANONYMOUS,
        COUNTERS,
        VOLUMES,
        AUDIT,
        AUDIT_BY_INTERVENTION,
    );
    s
}

/// The tables that differ, with their lengths before → after.
fn changed(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    before
        .iter()
        .filter(|(name, rows)| after.get(*name) != Some(*rows))
        .map(|(name, rows)| {
            format!(
                "{name} ({} → {} rows)",
                rows.len(),
                after.get(name).map_or(0, Vec::len)
            )
        })
        .collect()
}

/// What a view may change: the audit tables, and the audit head in META.
fn changed_by_view(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let strip = |s: &Snapshot| -> Snapshot {
        let mut s = s.clone();
        s.remove("AUDIT");
        s.remove("AUDIT_BY_INTERVENTION");
        if let Some(meta) = s.get_mut("META") {
            meta.retain(|(k, _)| k.as_slice() != schema::META_AUDIT_HEAD.as_bytes());
        }
        s
    };
    changed(&strip(before), &strip(after))
}

fn head(f: &Fixture) -> u64 {
    let tx = f.service.store().read().unwrap();
    audit::head(&*tx).unwrap().0
}

/// The newest `n` audit entries, oldest first.
fn newest(f: &Fixture, n: u64) -> Vec<Entry> {
    if n == 0 {
        return Vec::new();
    }
    let tx = f.service.store().read().unwrap();
    let mut out = audit::page(
        &*tx,
        audit::Scope::All,
        None,
        n as usize,
        usize::MAX,
        |_| true,
    )
    .unwrap();
    out.reverse();
    out
}

// ---------------------------------------------------------------------------------------------
// The runner

/// What the rules say about a command, decided from the store before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Must {
    Accept,
    Refuse,
    /// Refused with `ServiceError::Denied`.
    Deny,
}

#[derive(Debug)]
struct Expect {
    must: Must,
    /// The audit entries an acceptance adds: action and intervention of each (a multiset).
    entries: Vec<(Action, Option<InterventionId>)>,
    /// Their subjects, when known beforehand (compared as a multiset).
    subjects: Option<Vec<Option<Pseudonym>>>,
    /// A view: changes nothing but the audit log.
    view: bool,
}

impl Expect {
    fn change(
        must: Must,
        entries: Vec<(Action, Option<InterventionId>)>,
        subjects: Option<Vec<Option<Pseudonym>>>,
    ) -> Self {
        Self {
            must,
            entries,
            subjects,
            view: false,
        }
    }

    fn view(
        must: Must,
        entry: (Action, Option<InterventionId>),
        subject: Option<Pseudonym>,
    ) -> Self {
        Self {
            must,
            entries: vec![entry],
            subjects: Some(vec![subject]),
            view: true,
        }
    }

    fn denied(must: Must) -> Self {
        Self {
            must,
            entries: Vec::new(),
            subjects: None,
            view: false,
        }
    }
}

fn accept_if(ok: bool) -> Must {
    if ok { Must::Accept } else { Must::Refuse }
}

type Stats = RefCell<BTreeMap<String, usize>>;

/// A person as the store holds them.
struct Known {
    id: PersonId,
    pseudonym: Pseudonym,
    withdrawn_on: Option<NaiveDate>,
    participations: Vec<Participation>,
    consents: Vec<Consent>,
}

/// Whether the signer may sign form 9443 for a person of `age` (§3 Minors).
fn signer_ok(signer: Signer, mature: bool, age: u32) -> bool {
    match signer {
        Signer::Participant => age >= 18 || (age >= 15 && mature),
        Signer::Guardian => age < 18,
    }
}

struct Run<'f> {
    f: &'f Fixture,
    stats: &'f Stats,
    pool: Vec<String>,
    consents: Vec<ConsentId>,
    participations: Vec<ParticipationId>,
    /// The only model: anonymous participants per (intervention, start year) as (women, men).
    anonymous: BTreeMap<(u64, i32), (u32, u32)>,
    audit_start: u64,
    /// Per accepted command, the actions it added (sorted), in order.
    history: Vec<Vec<Action>>,
}

impl<'f> Run<'f> {
    fn new(f: &'f Fixture, stats: &'f Stats) -> Self {
        Self {
            f,
            stats,
            pool: POOL
                .iter()
                .map(|&((y, m, d), serial)| pnr(date(y, m, d), serial))
                .collect(),
            consents: Vec::new(),
            participations: Vec::new(),
            anonymous: BTreeMap::new(),
            audit_start: head(f),
            history: Vec::new(),
        }
    }

    fn count(&self, key: String) {
        *self.stats.borrow_mut().entry(key).or_default() += 1;
    }

    fn iv(&self, iv: Iv) -> InterventionId {
        match iv {
            Iv::Main => self.f.intervention,
            Iv::Other => self.f.other_intervention,
        }
    }

    fn start_of(&self, iv: InterventionId) -> NaiveDate {
        if iv == self.f.intervention {
            date(2025, 1, 1)
        } else {
            date(2024, 3, 1)
        }
    }

    fn handler_of(&self, iv: InterventionId) -> &'f Session {
        if iv == self.f.intervention {
            &self.f.handler
        } else {
            &self.f.other_handler
        }
    }

    /// The handler of the other individual intervention.
    fn cross_handler_of(&self, iv: InterventionId) -> &'f Session {
        if iv == self.f.intervention {
            &self.f.other_handler
        } else {
            &self.f.handler
        }
    }

    fn answers(&self, set: Set) -> Answers {
        let catalogue = self.f.service.catalogue();
        match set {
            Set::First => answers(catalogue),
            Set::Last => other_answers(catalogue),
            Set::Incomplete => Answers::new(catalogue.version),
        }
    }

    fn pick(&self, i: Index) -> Option<ParticipationId> {
        (!self.participations.is_empty())
            .then(|| self.participations[i.index(self.participations.len())])
    }

    fn pick_consent(&self, i: Index) -> Option<ConsentId> {
        (!self.consents.is_empty()).then(|| self.consents[i.index(self.consents.len())])
    }

    // -- reads of the store ------------------------------------------------------------------

    fn participation(&self, id: ParticipationId) -> Option<Participation> {
        let tx = self.f.service.store().read().unwrap();
        people::participation(&*tx, id).unwrap()
    }

    fn consent(&self, id: ConsentId) -> Option<Consent> {
        let tx = self.f.service.store().read().unwrap();
        people::consent(&*tx, id).unwrap()
    }

    fn known(&self, person: PersonId) -> Option<Known> {
        let tx = self.f.service.store().read().unwrap();
        let row = people::person(&*tx, person).unwrap()?;
        Some(Known {
            id: person,
            pseudonym: row.pseudonym,
            withdrawn_on: row.withdrawn_on,
            participations: people::participations_of_person(&*tx, person).unwrap(),
            consents: people::consents_of(&*tx, person).unwrap(),
        })
    }

    fn known_by_pnr(&self, pnr_text: &str) -> Option<Known> {
        let id = {
            let tx = self.f.service.store().read().unwrap();
            people::person_by_pnr(&*tx, self.f.service.store().crypto(), &parsed(pnr_text))
                .unwrap()?
        };
        self.known(id)
    }

    fn pnr_of(&self, person: PersonId) -> String {
        let store = self.f.service.store();
        let tx = store.read().unwrap();
        let row = people::person(&*tx, person).unwrap().unwrap();
        let identity = people::unseal_person(store.crypto(), person, &row).unwrap();
        identity.pnr.digits12().to_owned()
    }

    // -- one command -------------------------------------------------------------------------

    /// Runs one service call and checks what it did against `ex`.
    fn step<T>(
        &mut self,
        what: &'static str,
        session: &Session,
        ex: Expect,
        run: impl FnOnce() -> Result<T, ServiceError>,
    ) -> Option<T> {
        let before = snapshot(self.f);
        let head_before = head(self.f);
        let result = run();
        let after = snapshot(self.f);
        let head_after = head(self.f);
        match result {
            Err(e) => {
                assert!(
                    ex.must != Must::Accept,
                    "{what}: refused although the rules allow it: {e:?}"
                );
                if ex.must == Must::Deny {
                    assert!(
                        matches!(e, ServiceError::Denied(_)),
                        "{what}: expected Denied, got {e:?}"
                    );
                }
                assert!(e.is_user_error(), "{what}: failed in the store: {e:?}");
                // A refused access to personal data is itself logged (one `access-refused`
                // entry, for the log review); any other refusal writes nothing.
                let logged = newest(self.f, head_after - head_before);
                assert!(
                    logged
                        .iter()
                        .all(|l| l.draft.action == Action::AccessRefused)
                        && logged.len() <= 1
                        && (logged.is_empty() || matches!(e, ServiceError::Denied(_))),
                    "{what}: a refused command ({e}) wrote audit entries: {logged:?}"
                );
                if !logged.is_empty() {
                    self.history
                        .push(logged.iter().map(|l| l.draft.action).collect());
                }
                // Beyond that one log entry (with its index and the log's head), nothing.
                let diff = changed_by_view(&before, &after);
                assert!(
                    diff.is_empty(),
                    "{what}: a refused command ({e}) changed tables: {diff:?}"
                );
                let kind = if matches!(e, ServiceError::Denied(_)) {
                    "denied"
                } else {
                    "refused"
                };
                self.count(format!("{what}: {kind}"));
                None
            }
            Ok(value) => {
                assert!(
                    !matches!(ex.must, Must::Refuse | Must::Deny),
                    "{what}: accepted although it must be {:?}",
                    ex.must
                );
                let added = head_after - head_before;
                assert_eq!(
                    added,
                    ex.entries.len() as u64,
                    "{what}: accepted; expected {} audit entries ({:?}), got {added}",
                    ex.entries.len(),
                    ex.entries
                );
                let entries = newest(self.f, added);
                let mut got: Vec<(Action, Option<InterventionId>)> = entries
                    .iter()
                    .map(|e| (e.draft.action, e.draft.intervention))
                    .collect();
                let mut want = ex.entries.clone();
                got.sort();
                want.sort();
                assert_eq!(got, want, "{what}: audit actions and interventions");
                for e in &entries {
                    let d = &e.draft;
                    assert_eq!(d.user, Some(session.user().id), "{what}: audit user");
                    assert_eq!(d.role, Some(session.role()), "{what}: audit role");
                    assert_eq!(d.session, session.session_id(), "{what}: audit session");
                    assert_eq!(
                        d.association,
                        Some(self.f.association),
                        "{what}: audit association (every session here works in one)"
                    );
                    let text = format!("{d:?}");
                    for pnr in &self.pool {
                        let digits = pnr.replace('-', "");
                        assert!(
                            !text.contains(&digits) && !text.contains(&digits[2..]),
                            "{what}: a personnummer in the audit log: {text}"
                        );
                    }
                    assert!(!text.contains("Öberg"), "{what}: a name in the audit log");
                }
                let got: Vec<Action> = got.into_iter().map(|(a, _)| a).collect();
                if let Some(mut want) = ex.subjects {
                    let mut got: Vec<Option<Pseudonym>> =
                        entries.iter().map(|e| e.draft.subject).collect();
                    got.sort();
                    want.sort();
                    assert_eq!(got, want, "{what}: audit subjects");
                }
                if ex.view {
                    let diff = changed_by_view(&before, &after);
                    assert!(diff.is_empty(), "{what}: a view changed tables: {diff:?}");
                }
                self.history.push(got);
                self.count(format!("{what}: accepted"));
                Some(value)
            }
        }
    }

    fn exec(&mut self, cmd: &Cmd) {
        match *cmd {
            Cmd::Register {
                iv,
                who,
                renamed,
                form,
                in_date,
                gender,
                answers,
            } => self.register(iv, who, renamed, form, in_date, gender, answers),
            Cmd::ReuseConsent { consent, in_date } => self.reuse(consent, in_date),
            Cmd::RegisterOut {
                open,
                p,
                out,
                reason,
                answers,
            } => self.register_out(open, p, out, reason, answers),
            Cmd::Correct {
                p,
                occasion,
                answers,
            } => self.correct(p, occasion, answers),
            Cmd::Withdraw { p } => self.withdraw(p),
            Cmd::Protect { p } => self.protect(p),
            Cmd::Misregister { p } => self.misregister(p),
            Cmd::Anonymous {
                iv,
                year,
                women,
                men,
            } => self.anonymous(iv, year, women, men),
            Cmd::Open { p } => self.open(p),
            Cmd::Lookup {
                who,
                as_other,
                typed,
            } => self.lookup(who, as_other, typed),
            Cmd::Denied { by, op } => self.denied(by, op),
            Cmd::DeniedLookup { by, who } => {
                let f = self.f;
                let session = match by {
                    NonHandler::Manager => &f.manager,
                    NonHandler::ReportReader => &f.report_reader,
                    NonHandler::LogReviewer => &f.log_reviewer,
                    NonHandler::SystemAdmin => &f.admin,
                };
                let text = self.pool[who].clone();
                self.step(
                    "lookup by a non-handler",
                    session,
                    Expect::denied(Must::Deny),
                    || session.lookup(&text),
                );
            }
        }
    }

    /// Whether registering in on `consent` on `day` with `set` is allowed (§3), from the store.
    fn register_in_allowed(&self, consent: &Consent, day: Option<NaiveDate>, set: Set) -> bool {
        let Some(day) = day else { return false };
        let Some(person) = self.known(consent.person) else {
            return false;
        };
        let age = parsed(&self.pnr_of(consent.person)).age_on(day);
        let blocked = person.participations.iter().any(|p| {
            p.intervention == consent.intervention && p.out_date.is_none_or(|out| day < out)
        });
        if person.participations.iter().any(|p| {
            p.intervention == consent.intervention
                && p.out_date.is_some_and(|out| p.in_date <= day && day < out)
        }) {
            self.count("register in: within an ended participation".to_owned());
        }
        let e = &consent.evidence;
        consent.used_by.is_none()
            && day <= today()
            && day >= self.start_of(consent.intervention)
            && person.withdrawn_on.is_none_or(|w| e.signed_on >= w)
            && signer_ok(e.signed_by, e.judged_mature, age)
            && !blocked
            && set != Set::Incomplete
    }

    /// The in-date as typed, and as a date. `Near` looks at `person`'s participations in `iv`.
    fn day_text(
        &self,
        day: Day,
        person: Option<PersonId>,
        iv: InterventionId,
    ) -> (String, Option<NaiveDate>) {
        let d = match day {
            Day::On(d) => d,
            Day::Near(pct) => person
                .and_then(|id| self.known(id))
                .and_then(|k| {
                    k.participations
                        .into_iter()
                        .filter(|p| p.intervention == iv)
                        .max_by_key(|p| (p.out_date.is_some(), p.in_date, p.id))
                })
                .map_or(today(), |p| {
                    let end = p.out_date.unwrap_or(today());
                    p.in_date + (end - p.in_date) * i32::from(pct) / 100
                }),
            Day::Malformed => return ("2026-02-30".to_owned(), None),
        };
        (d.to_string(), Some(d))
    }

    /// After an accepted register-in: the participation is as asked.
    fn registered(&mut self, id: ParticipationId, consent: &Consent, day: NaiveDate, set: Set) {
        self.participations.push(id);
        let p = self
            .participation(id)
            .expect("registered participation is stored");
        assert_eq!(p.intervention, consent.intervention);
        assert_eq!(p.person, consent.person);
        assert_eq!(p.consent, consent.id);
        assert_eq!(p.in_date, day);
        assert!(p.out_date.is_none() && p.end_reason.is_none() && p.answers_out.is_none());
        assert!(!p.consent_withdrawn);
        assert_eq!(p.answers_in, self.answers(set));
        assert_eq!(
            self.consent(consent.id).and_then(|c| c.used_by),
            Some(id),
            "the consent is marked used"
        );
        let last = newest(self.f, 1);
        assert_eq!(
            last[0].draft.subject,
            Some(p.pseudonym),
            "register-in subject"
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn register(
        &mut self,
        iv: Iv,
        who: usize,
        renamed: bool,
        form: Form,
        in_date: Day,
        gender: Option<Gender>,
        set: Set,
    ) {
        let iv = self.iv(iv);
        let session = self.handler_of(iv);
        let pnr_text = self.pool[who].clone();
        let pnr = parsed(&pnr_text);
        let name = if renamed {
            format!("Åsa Öberg-Lindqvist {who}")
        } else {
            format!("Åsa Öberg {who}")
        };
        let known = self.known_by_pnr(&pnr_text);
        let sent_on = match form.sent {
            Sent::No => String::new(),
            Sent::SameDay => form.signed_on.to_string(),
            Sent::BeforeSigning => "2024-01-01".to_owned(),
        };
        let consent_ok = form.signed_on <= today()
            && form.sent != Sent::BeforeSigning
            && signer_ok(form.signer, form.mature, pnr.age_on(form.signed_on))
            && known
                .as_ref()
                .and_then(|k| k.withdrawn_on)
                .is_none_or(|w| form.signed_on >= w);
        let input = ConsentInput {
            signed_on: form.signed_on.to_string(),
            signed_by: form.signer,
            received_by: "Hanna Handläggare".into(),
            original_sent_on: sent_on,
            judged_mature: form.mature,
        };
        let ex = Expect::change(
            accept_if(consent_ok),
            vec![(Action::RecordConsent, Some(iv))],
            None,
        );
        let Some(consent_id) = self.step("record consent", session, ex, || {
            session.record_consent(iv, &identity(&pnr_text, &name), &input)
        }) else {
            return;
        };
        self.consents.push(consent_id);
        let consent = self
            .consent(consent_id)
            .expect("recorded consent is stored");
        assert_eq!(consent.used_by, None);
        assert_eq!(consent.intervention, iv);
        assert_eq!(
            newest(self.f, 1)[0].draft.subject,
            Some(consent.pseudonym),
            "record-consent subject: the consent's pseudonym"
        );
        let person = self
            .known(consent.person)
            .expect("consent's person is stored");
        if let Some(k) = &known {
            assert_eq!(person.id, k.id, "a known personnummer keeps its person");
        }

        let (text, day) = self.day_text(in_date, Some(consent.person), iv);
        let allowed = self.register_in_allowed(&consent, day, set);
        let input = RegisterInInput {
            consent: consent_id,
            in_date: text,
            gender,
            answers: self.answers(set),
        };
        let ex = Expect::change(
            accept_if(allowed),
            vec![(Action::RegisterIn, Some(iv))],
            None,
        );
        if let Some(id) = self.step("register in", session, ex, || session.register_in(&input)) {
            self.registered(id, &consent, day.unwrap(), set);
            let p = self.participation(id).unwrap();
            assert_eq!(p.gender, gender.unwrap_or(pnr.gender()), "gender");
        }
    }

    fn reuse(&mut self, consent: Index, in_date: Day) {
        let Some(consent_id) = self.pick_consent(consent) else {
            return;
        };
        let stored = self.consent(consent_id);
        let session = stored
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let (text, day) = match &stored {
            Some(c) => self.day_text(in_date, Some(c.person), c.intervention),
            None => self.day_text(in_date, None, self.f.intervention),
        };
        let must = match &stored {
            None => Must::Refuse,
            Some(c) => accept_if(self.register_in_allowed(c, day, Set::First)),
        };
        let input = RegisterInInput {
            consent: consent_id,
            in_date: text,
            gender: None,
            answers: self.answers(Set::First),
        };
        let ex = Expect::change(
            must,
            vec![(Action::RegisterIn, stored.as_ref().map(|c| c.intervention))],
            None,
        );
        if let Some(id) = self.step("register in on an earlier consent", session, ex, || {
            session.register_in(&input)
        }) {
            self.registered(id, &stored.unwrap(), day.unwrap(), Set::First);
        }
    }

    /// Checks an erasure (misregistration) of `gone`, given its person as it was before.
    fn erased(&self, gone: &Participation, person: &Known) {
        assert!(
            self.participation(gone.id).is_none(),
            "erased participation"
        );
        assert!(self.consent(gone.consent).is_none(), "erased consent");
        let others = person.participations.iter().any(|p| p.id != gone.id)
            || person.consents.iter().any(|c| c.id != gone.consent);
        assert_eq!(
            self.known(person.id).is_some(),
            others,
            "the person stays exactly when something else refers to them"
        );
        let tx = self.f.service.store().read().unwrap();
        assert_eq!(
            people::resolve_pseudonym(&*tx, tx.pseudonyms(), gone.pseudonym).unwrap(),
            Some(people::Subject::Participation(gone.id)),
            "an erased participation's pseudonym leads only to the record that is gone"
        );
    }

    fn register_out(
        &mut self,
        open: bool,
        p: Index,
        out: OutDay,
        reason: EndReason,
        set: Option<Set>,
    ) {
        let open_now: Vec<ParticipationId> = if open {
            self.participations
                .iter()
                .copied()
                .filter(|id| {
                    self.participation(*id)
                        .is_some_and(|p| p.out_date.is_none())
                })
                .collect()
        } else {
            Vec::new()
        };
        let id = if open_now.is_empty() {
            let Some(id) = self.pick(p) else { return };
            id
        } else {
            open_now[p.index(open_now.len())]
        };
        let current = self.participation(id);
        let person = current.as_ref().and_then(|c| self.known(c.person));
        let session = current
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let base = current.as_ref().map_or(today(), |c| c.in_date);
        let (text, day) = match out {
            OutDay::Within(pct) => {
                let d = base + (today() - base) * i32::from(pct) / 100;
                (d.to_string(), Some(d))
            }
            OutDay::After(n) => {
                let d = base + TimeDelta::days(n);
                (d.to_string(), Some(d))
            }
            OutDay::Malformed => ("15/06/2026".to_owned(), None),
        };
        let misregistration = reason.is_misregistration();
        let must = match &current {
            None => Must::Refuse,
            Some(_) if misregistration => Must::Accept,
            Some(c) => accept_if(
                c.out_date.is_none()
                    && day.is_some_and(|d| d >= c.in_date && d <= today())
                    && match (c.consent_withdrawn, set) {
                        (true, answers) => answers.is_none(),
                        (false, answers) => answers.is_some_and(|s| s != Set::Incomplete),
                    },
            ),
        };
        let action = if misregistration {
            Action::Misregistration
        } else {
            Action::RegisterOut
        };
        let ex = Expect::change(
            must,
            vec![(action, current.as_ref().map(|c| c.intervention))],
            current.as_ref().map(|c| vec![Some(c.pseudonym)]),
        );
        let answers = set.map(|s| self.answers(s));
        if self
            .step("register out", session, ex, || {
                session.register_out(id, &text, reason, answers.clone())
            })
            .is_none()
        {
            return;
        }
        let (current, person) = (current.unwrap(), person.unwrap());
        if misregistration {
            self.erased(&current, &person);
        } else {
            let next = self.participation(id).unwrap();
            assert_eq!(next.out_date, day);
            assert_eq!(next.end_reason, Some(reason));
            assert_eq!(next.answers_out, answers);
            assert_eq!(
                Participation {
                    out_date: None,
                    end_reason: None,
                    answers_out: None,
                    ..next
                },
                current,
                "registration out touches nothing else"
            );
        }
    }

    fn correct(&mut self, p: Index, occasion: Occasion, set: Set) {
        let Some(id) = self.pick(p) else { return };
        let current = self.participation(id);
        let session = current
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let answers = self.answers(set);
        // A correction that changes nothing is refused: nothing saved, nothing logged.
        let unchanged = current.as_ref().is_some_and(|c| match occasion {
            Occasion::In => c.answers_in == answers,
            Occasion::Out => c.answers_out.as_ref() == Some(&answers),
        });
        let must = match &current {
            None => Must::Refuse,
            Some(c) => accept_if(
                !c.consent_withdrawn
                    && (occasion == Occasion::In || c.out_date.is_some())
                    && set != Set::Incomplete
                    && !unchanged,
            ),
        };
        let ex = Expect::change(
            must,
            vec![(
                Action::CorrectAnswers,
                current.as_ref().map(|c| c.intervention),
            )],
            current.as_ref().map(|c| vec![Some(c.pseudonym)]),
        );
        if self
            .step("correct answers", session, ex, || {
                session.correct_answers(id, occasion, answers.clone())
            })
            .is_none()
        {
            return;
        }
        let mut expected = current.unwrap();
        match occasion {
            Occasion::In => expected.answers_in = answers,
            Occasion::Out => expected.answers_out = Some(answers),
        }
        assert_eq!(self.participation(id), Some(expected), "corrected");
    }

    fn withdraw(&mut self, p: Index) {
        let Some(id) = self.pick(p) else { return };
        let current = self.participation(id);
        let person = current.as_ref().and_then(|c| self.known(c.person));
        let session = current
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let affected: Vec<&Participation> = person.as_ref().map_or(Vec::new(), |k| {
            k.participations
                .iter()
                .filter(|p| !p.consent_withdrawn)
                .collect()
        });
        let must = match &current {
            None => Must::Refuse,
            Some(c) => accept_if(!c.consent_withdrawn),
        };
        let ex = Expect::change(
            must,
            affected
                .iter()
                .map(|p| (Action::WithdrawConsent, Some(p.intervention)))
                .collect(),
            Some(affected.iter().map(|p| Some(p.pseudonym)).collect()),
        );
        if self
            .step("withdraw consent", session, ex, || {
                session.withdraw_consent(id)
            })
            .is_none()
        {
            return;
        }
        let after = self.known(person.unwrap().id).unwrap();
        assert_eq!(after.withdrawn_on, Some(today()), "withdrawal date");
        assert!(
            after.participations.iter().all(|p| p.consent_withdrawn),
            "every participation of the person is withdrawn"
        );
        assert!(
            after.consents.iter().all(|c| c.used_by.is_some()),
            "a consent not yet used is void after withdrawal"
        );
    }

    fn protect(&mut self, p: Index) {
        let Some(id) = self.pick(p) else { return };
        let current = self.participation(id);
        let person = current.as_ref().and_then(|c| self.known(c.person));
        let session = current
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let all: Vec<Participation> = person
            .as_ref()
            .map_or(Vec::new(), |k| k.participations.clone());
        let ex = Expect::change(
            accept_if(current.is_some()),
            all.iter()
                .map(|p| (Action::ProtectedIdentity, Some(p.intervention)))
                .collect(),
            Some(all.iter().map(|p| Some(p.pseudonym)).collect()),
        );
        if self
            .step("mark protected identity", session, ex, || {
                session.mark_protected(id)
            })
            .is_none()
        {
            return;
        }
        let person = person.unwrap();
        for p in &all {
            assert!(
                self.participation(p.id).is_none(),
                "anonymised participation"
            );
            let (w, m) = self
                .anonymous
                .entry((p.intervention.0, p.start_year()))
                .or_default();
            match p.gender {
                Gender::Woman => *w += 1,
                Gender::Man => *m += 1,
            }
        }
        assert!(self.known(person.id).is_none(), "the person is erased");
        for c in &person.consents {
            assert!(
                self.consent(c.id).is_none(),
                "the person's consents are erased"
            );
        }
        let tx = self.f.service.store().read().unwrap();
        assert_eq!(people::consents_of(&*tx, person.id).unwrap(), Vec::new());
        assert_eq!(
            people::resolve_pseudonym(&*tx, tx.pseudonyms(), person.pseudonym).unwrap(),
            Some(people::Subject::Person(person.id)),
            "an erased person's pseudonym leads only to the record that is gone"
        );
    }

    fn misregister(&mut self, p: Index) {
        let Some(id) = self.pick(p) else { return };
        let current = self.participation(id);
        let person = current.as_ref().and_then(|c| self.known(c.person));
        let session = current
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let ex = Expect::change(
            accept_if(current.is_some()),
            vec![(
                Action::Misregistration,
                current.as_ref().map(|c| c.intervention),
            )],
            current.as_ref().map(|c| vec![Some(c.pseudonym)]),
        );
        if self
            .step("misregister", session, ex, || session.misregister(id))
            .is_some()
        {
            self.erased(&current.unwrap(), &person.unwrap());
        }
    }

    fn anonymous(&mut self, iv: Iv, year: i32, women: u32, men: u32) {
        let iv = self.iv(iv);
        let session = self.handler_of(iv);
        let start_year = if iv == self.f.intervention {
            2025
        } else {
            2024
        };
        let ok = women + men > 0 && women + men <= 10_000 && (start_year..=2026).contains(&year);
        let ex = Expect::change(
            accept_if(ok),
            vec![(Action::RegisterAnonymous, Some(iv))],
            Some(vec![None]),
        );
        if self
            .step("register anonymous", session, ex, || {
                session.register_anonymous(iv, year, women, men)
            })
            .is_some()
        {
            let (w, m) = self.anonymous.entry((iv.0, year)).or_default();
            *w += women;
            *m += men;
        }
    }

    fn open(&mut self, p: Index) {
        let Some(id) = self.pick(p) else { return };
        let current = self.participation(id);
        let session = current
            .as_ref()
            .map_or(&self.f.handler, |c| self.handler_of(c.intervention));
        let ex = Expect::view(
            accept_if(current.is_some()),
            (
                Action::ViewParticipant,
                current.as_ref().map(|c| c.intervention),
            ),
            current.as_ref().map(|c| c.pseudonym),
        );
        if let Some(detail) = self.step("open participant", session, ex, || {
            session.open_participant(id)
        }) {
            let current = current.unwrap();
            assert_eq!(detail.row.participation, current, "opened what is stored");
            assert_eq!(
                detail.consent.and_then(|c| c.used_by),
                Some(id),
                "opened consent"
            );
            assert_eq!(
                detail.row.identity.pnr.digits12(),
                self.pnr_of(current.person),
                "opened identity"
            );
        }
    }

    fn lookup(&mut self, who: usize, as_other: bool, typed: Typed) {
        let session = if as_other {
            &self.f.other_handler
        } else {
            &self.f.handler
        };
        let reach = if as_other {
            self.f.other_intervention
        } else {
            self.f.intervention
        };
        let full = self.pool[who].clone();
        let mistyped = typed == Typed::Mistyped;
        let text = match typed {
            Typed::Full => full.clone(),
            Typed::Digits12 => full.replace('-', ""),
            Typed::Short => full[2..].to_owned(),
            Typed::Digits10 => full[2..].replace('-', ""),
            Typed::Mistyped => {
                let mut t = full.clone();
                let last = t.pop().unwrap().to_digit(10).unwrap();
                t.push(char::from_digit((last + 1) % 10, 10).unwrap());
                t
            }
        };
        let known = if mistyped {
            None
        } else {
            self.known_by_pnr(&full)
        };
        let mut expected: Vec<ParticipationId> = known.as_ref().map_or(Vec::new(), |k| {
            k.participations
                .iter()
                .filter(|p| p.intervention == reach)
                .map(|p| p.id)
                .collect()
        });
        expected.sort();
        let subject = known
            .as_ref()
            .filter(|_| !expected.is_empty())
            .map(|k| k.pseudonym);
        let ex = Expect::view(
            accept_if(!mistyped),
            (Action::LookupPersonnummer, None),
            subject,
        );
        if let Some(hits) = self.step("lookup", session, ex, || session.lookup(&text)) {
            let mut got: Vec<ParticipationId> = hits.iter().map(|h| h.participation.id).collect();
            got.sort();
            assert_eq!(
                got, expected,
                "lookup hits: the person's, where the session sees"
            );
            assert!(hits.iter().all(|h| h.intervention == reach));
        }
    }

    fn denied(&mut self, by: Intruder, op: Target) {
        let f = self.f;
        // The intervention the target lives in, and whether the target exists at all.
        let (iv, exists) = match op {
            Target::RecordConsent(iv, _) | Target::Anonymous(iv) => (self.iv(iv), true),
            Target::RegisterIn(i) => {
                let Some(c) = self.pick_consent(i) else {
                    return;
                };
                self.consent(c)
                    .map_or((f.intervention, false), |c| (c.intervention, true))
            }
            Target::RegisterOut(i)
            | Target::Correct(i)
            | Target::Withdraw(i)
            | Target::Protect(i)
            | Target::Misregister(i)
            | Target::Open(i) => {
                let Some(p) = self.pick(i) else { return };
                self.participation(p)
                    .map_or((f.intervention, false), |p| (p.intervention, true))
            }
        };
        let session = match by {
            Intruder::CrossHandler => self.cross_handler_of(iv),
            Intruder::Manager => &f.manager,
            Intruder::ReportReader => &f.report_reader,
            Intruder::LogReviewer => &f.log_reviewer,
            Intruder::SystemAdmin => &f.admin,
        };
        let ex = Expect::denied(if exists { Must::Deny } else { Must::Refuse });
        let first = self.answers(Set::First);
        let pick = |i: Index| self.pick(i).unwrap();
        match op {
            Target::RecordConsent(_, who) => {
                let text = self.pool[who].clone();
                self.step("record consent by an intruder", session, ex, || {
                    session.record_consent(
                        iv,
                        &identity(&text, "Åsa Öberg"),
                        &common::consent_by_participant("2026-06-01"),
                    )
                });
            }
            Target::RegisterIn(i) => {
                let input = RegisterInInput {
                    consent: self.pick_consent(i).unwrap(),
                    in_date: "2026-06-10".into(),
                    gender: None,
                    answers: first,
                };
                self.step("register in by an intruder", session, ex, || {
                    session.register_in(&input)
                });
            }
            Target::RegisterOut(i) => {
                let id = pick(i);
                self.step("register out by an intruder", session, ex, || {
                    session.register_out(id, "2026-06-15", EndReason::Employment, Some(first))
                });
            }
            Target::Correct(i) => {
                let id = pick(i);
                self.step("correct by an intruder", session, ex, || {
                    session.correct_answers(id, Occasion::In, first)
                });
            }
            Target::Withdraw(i) => {
                let id = pick(i);
                self.step("withdraw by an intruder", session, ex, || {
                    session.withdraw_consent(id)
                });
            }
            Target::Protect(i) => {
                let id = pick(i);
                self.step("protect by an intruder", session, ex, || {
                    session.mark_protected(id)
                });
            }
            Target::Misregister(i) => {
                let id = pick(i);
                self.step("misregister by an intruder", session, ex, || {
                    session.misregister(id)
                });
            }
            Target::Open(i) => {
                let id = pick(i);
                self.step("open by an intruder", session, ex, || {
                    session.open_participant(id)
                });
            }
            Target::Anonymous(_) => {
                self.step("anonymous by an intruder", session, ex, || {
                    session.register_anonymous(iv, 2026, 1, 1)
                });
            }
        }
    }

    // -- invariants --------------------------------------------------------------------------

    fn check_invariants(&self, ctx: &dyn std::fmt::Display) {
        let f = self.f;
        let store = f.service.store();
        let total = {
            let tx = store.read().unwrap();
            let seq = audit::head(&*tx).unwrap().0;
            assert_eq!(
                audit::verify(&*tx, store.crypto()).unwrap(),
                Ok(seq),
                "{ctx}: the audit chain verifies up to its head"
            );
            let problems = check::check(&tx).unwrap();
            assert!(problems.is_empty(), "{ctx}: check found {problems:?}");
            // The audit log's own index (not covered by `check`): (intervention, seq).
            let all = audit::page(
                &*tx,
                audit::Scope::All,
                None,
                usize::MAX,
                usize::MAX,
                |_| true,
            )
            .unwrap();
            let mut expected: Vec<(u64, u64)> = all
                .iter()
                .filter_map(|e| e.draft.intervention.map(|i| (i.0, e.seq)))
                .collect();
            expected.sort_unstable();
            let index: Vec<(u64, u64)> = tx
                .open_table(schema::AUDIT_BY_INTERVENTION)
                .unwrap()
                .iter()
                .unwrap()
                .map(|row| row.unwrap().0.value())
                .collect();
            assert_eq!(index, expected, "{ctx}: audit_by_intervention");
            // No person record outlives everything that refers to it (§3 misregistration).
            for (key, _) in dump(&tx, schema::PERSONS) {
                let person = PersonId(u64::from_le_bytes(key.try_into().unwrap()));
                assert!(
                    !people::participations_of_person(&*tx, person)
                        .unwrap()
                        .is_empty()
                        || !people::consents_of(&*tx, person).unwrap().is_empty(),
                    "{ctx}: person {person} has neither participations nor consents"
                );
            }
            dump(&tx, schema::PARTICIPATIONS).len()
        };

        let mut seen = 0;
        for (session, iv) in [
            (&f.handler, f.intervention),
            (&f.other_handler, f.other_intervention),
        ] {
            let rows = session.participants_page(iv, None, usize::MAX).unwrap();
            seen += rows.len();
            let start = self.start_of(iv);
            let mut counted = Counters::default();
            let mut by_pnr: BTreeMap<String, Vec<&Participation>> = BTreeMap::new();
            for row in &rows {
                let p = &row.participation;
                assert_eq!(p.intervention, iv, "{ctx}: page of {iv}");
                assert!(
                    start <= p.in_date && p.in_date <= today(),
                    "{ctx}: {} has in-date {} outside {start}..={}",
                    p.id,
                    p.in_date,
                    today()
                );
                if let Some(out) = p.out_date {
                    assert!(
                        p.in_date <= out,
                        "{ctx}: {} is out ({out}) before in ({})",
                        p.id,
                        p.in_date
                    );
                    assert!(out <= today(), "{ctx}: {} is out in the future", p.id);
                    assert!(
                        p.answers_out.is_some() || p.consent_withdrawn,
                        "{ctx}: {} ended without answers although consent stands",
                        p.id
                    );
                }
                assert_eq!(
                    p.out_date.is_some(),
                    p.end_reason.is_some(),
                    "{ctx}: {} out-date and end reason go together",
                    p.id
                );
                assert_ne!(
                    p.end_reason,
                    Some(EndReason::Misregistration),
                    "{ctx}: a misregistration was kept"
                );
                match p.out_date {
                    None => counted.open += 1,
                    Some(_) => counted.ended += 1,
                }
                match p.gender {
                    Gender::Woman => counted.women += 1,
                    Gender::Man => counted.men += 1,
                }
                by_pnr
                    .entry(row.identity.pnr.digits12().to_owned())
                    .or_default()
                    .push(p);
            }
            // Nobody is registered in twice at once: sorted by in-date, each participation
            // ended on or before the next one's in-date.
            for (_, mut ps) in by_pnr {
                ps.sort_by_key(|p| (p.in_date, p.id));
                for pair in ps.windows(2) {
                    let (a, b) = (pair[0], pair[1]);
                    assert!(
                        a.out_date.is_some_and(|out| out <= b.in_date),
                        "{ctx}: one person twice at once in {iv}: {} ({}..{:?}) and {} ({}..{:?})",
                        a.id,
                        a.in_date,
                        a.out_date,
                        b.id,
                        b.in_date,
                        b.out_date
                    );
                }
            }
            // Stored counters = counted from the participations and anonymous registrations.
            let (stored, years) = session.aggregates(iv).unwrap();
            let model: Vec<(i32, (u32, u32))> = self
                .anonymous
                .iter()
                .filter(|((i, _), _)| *i == iv.0)
                .map(|((_, y), c)| (*y, *c))
                .collect();
            let by_year: Vec<(i32, (u32, u32))> =
                years.iter().map(|(y, c)| (*y, (c.women, c.men))).collect();
            assert_eq!(
                by_year, model,
                "{ctx}: anonymous participants of {iv} by year"
            );
            counted.anonymous = model
                .iter()
                .fold(counted.anonymous, |acc, (_, (w, m))| acc.add(*w, *m));
            assert_eq!(stored, counted, "{ctx}: stored counters of {iv}");
        }
        assert_eq!(
            seen, total,
            "{ctx}: every participation is in one of the two interventions"
        );
        let (count_only, anonymous) = f.admin.aggregates(f.count_only).unwrap();
        assert_eq!(
            count_only,
            Counters::default(),
            "{ctx}: count-only counters"
        );
        assert!(anonymous.is_empty(), "{ctx}: count-only anonymous");
    }

    /// At the end: the log holds exactly the entries of the accepted commands, in order.
    fn check_history(&self) {
        let added = head(self.f) - self.audit_start;
        let expected: u64 = self.history.iter().map(|h| h.len() as u64).sum();
        assert_eq!(
            added, expected,
            "audit entries added over the whole sequence"
        );
        let mut entries = newest(self.f, added).into_iter();
        for (i, want) in self.history.iter().enumerate() {
            let mut got: Vec<Action> = entries
                .by_ref()
                .take(want.len())
                .map(|e| e.draft.action)
                .collect();
            got.sort();
            assert_eq!(&got, want, "audit entries of accepted command {i}");
        }
    }
}

struct Ctx<'a>(usize, &'a Cmd);

impl std::fmt::Display for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "after command {} ({:?})", self.0, self.1)
    }
}

fn run_sequence(cmds: &[Cmd], stats: &Stats) {
    let f = Fixture::new_in_ram();
    let mut run = Run::new(&f, stats);
    run.check_invariants(&"before any command");
    for (i, cmd) in cmds.iter().enumerate() {
        run.exec(cmd);
        run.check_invariants(&Ctx(i, cmd));
    }
    run.check_invariants(&"at the end");
    run.check_history();
    reopen(f);
}

/// Closes the database and opens the file again: it holds exactly what was committed, the
/// chain verifies and the indexes match.
fn reopen(f: Fixture) {
    let last = snapshot(&f);
    let Fixture {
        dir,
        db_path,
        service,
        admin,
        handler,
        other_handler,
        manager,
        report_reader,
        log_reviewer,
        ..
    } = f;
    drop((
        service,
        admin,
        handler,
        other_handler,
        manager,
        report_reader,
        log_reviewer,
    ));
    let store = Store::open(&db_path, None).unwrap();
    let reopened = snapshot_of(&store);
    let diff = changed(&last, &reopened);
    assert!(diff.is_empty(), "reopened file differs: {diff:?}");
    let tx = store.read().unwrap();
    let seq = audit::head(&*tx).unwrap().0;
    assert_eq!(audit::verify(&*tx, store.crypto()).unwrap(), Ok(seq));
    assert!(check::check(&tx).unwrap().is_empty());
    drop(tx);
    drop(store);
    drop(dir);
}

/// Runs `cases` random sequences of `mix`; then asserts that each of `needs` (a stats key such
/// as "register in: accepted") happened at least once, so the property is not vacuous.
fn property(name: &str, cases: u32, mix: Mix, needs: &[&str]) {
    // PROPTEST_CASES overrides the count (e.g. a deeper nightly run); `needs` then is not
    // enforced, since a handful of cases cannot promise every path.
    let overridden = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok());
    let cases = overridden.unwrap_or(cases);
    let stats = Stats::default();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 400,
        ..Config::default()
    });
    let strategy = prop::collection::vec(command(mix), 1..=40);
    match runner.run(&strategy, |cmds| {
        run_sequence(&cmds, &stats);
        Ok(())
    }) {
        Ok(()) => {}
        Err(TestError::Fail(reason, cmds)) => {
            panic!(
                "{name}: {reason}\nminimal failing sequence ({} commands):\n{cmds:#?}",
                cmds.len()
            )
        }
        Err(TestError::Abort(reason)) => panic!("{name}: aborted: {reason}"),
    }
    let stats = stats.into_inner();
    eprintln!("{name}: {stats:#?}");
    for need in needs.iter().filter(|_| overridden.is_none()) {
        assert!(
            stats.get(*need).copied().unwrap_or(0) > 0,
            "{name}: no case exercised `{need}`; stats: {stats:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The properties

/// Every kind of command, six people, both interventions.
#[test]
fn random_handler_sequences_keep_every_invariant() {
    property(
        "mixed",
        40,
        Mix {
            pool: 6,
            near: 2,
            register: 8,
            reuse: 2,
            out: 6,
            correct: 3,
            withdraw: 2,
            protect: 1,
            misregister: 2,
            anonymous: 2,
            open: 2,
            lookup: 2,
            denied: 2,
        },
        &[
            "record consent: accepted",
            "record consent: refused",
            "register in: accepted",
            "register in: refused",
            "register in on an earlier consent: refused",
            "register out: accepted",
            "register out: refused",
            "correct answers: accepted",
            "withdraw consent: accepted",
            "mark protected identity: accepted",
            "misregister: accepted",
            "register anonymous: accepted",
            "register anonymous: refused",
            "open participant: accepted",
            "lookup: accepted",
        ],
    );
}

/// Two people registered in and out again and again in the same interventions: overlapping
/// in-dates, reused consents, misregistrations between them.
#[test]
fn repeated_participations_of_two_people_never_overlap() {
    // 100 cases: with 40, about one run in twelve met no registration inside an ended
    // participation and failed its coverage check (seen while running the suite repeatedly).
    property(
        "repeated",
        100,
        Mix {
            pool: 2,
            near: 8,
            register: 8,
            reuse: 3,
            out: 8,
            correct: 1,
            withdraw: 1,
            protect: 1,
            misregister: 2,
            anonymous: 1,
            open: 1,
            lookup: 1,
            denied: 1,
        },
        &[
            "register in: accepted",
            "register in: refused",
            "register in on an earlier consent: accepted",
            "register in: within an ended participation",
            "register out: accepted",
        ],
    );
}

/// Sessions without an assignment to the participant's intervention (the other intervention's
/// handler, the manager, readers, admins) are denied and change nothing, amid accepted work.
#[test]
fn sessions_without_assignment_are_denied_and_change_nothing() {
    property(
        "denied",
        32,
        Mix {
            pool: 4,
            near: 2,
            register: 5,
            reuse: 1,
            out: 2,
            correct: 1,
            withdraw: 1,
            protect: 1,
            misregister: 1,
            anonymous: 1,
            open: 1,
            lookup: 1,
            denied: 8,
        },
        &[
            "register in: accepted",
            "record consent by an intruder: denied",
            "register out by an intruder: denied",
            "withdraw by an intruder: denied",
            "protect by an intruder: denied",
            "open by an intruder: denied",
            "anonymous by an intruder: denied",
            "lookup by a non-handler: denied",
        ],
    );
}

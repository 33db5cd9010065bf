#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Malformed input gets a clear, typed error that carries no personal data, and leaves the
//! database unchanged (domain.md §7: "Invalid input gets a message that says what is wrong …
//! never a crash"; design.md: "Personal data never enters an error").
//!
//! Service level: one table of cases, each run against the same database, which is compared
//! before and after every case (audit head, index check, length of every table, and the content
//! of the record tables). Store level: damaged files, a locked file, and key-file problems, each
//! followed by proof that the original database still opens with its data intact.
//!
//! Nothing personal is printed: assertion messages name the case, never the input.

mod common;
use common::*;
use insats::domain::consent::Signer;
use insats::domain::date::DateError;
use insats::domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::participation::{Occasion, Refusal};
use insats::domain::person::TextError;
use insats::domain::personnummer::{PnrError, luhn_check_digit};
use insats::domain::planning::{AmountProblem, MAX_KRONOR, MAX_PEOPLE, PlanRefusal};
use insats::domain::questionnaire::{AnswerError, AnswerValue, Answers, EndReason, QuestionKind};
use insats::domain::user::{Role, Scope};
use insats::service::{
    AssociationEdit, ConsentInput, IdentityInput, InterventionEdit, Lang, PlanInput,
    RegisterInInput, ServiceError, Session, VolumeInput,
};
use insats_store::crypto::CryptoError;
use insats_store::{Store, StoreError, audit, check, people, schema};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Snapshot of the logical database state
// ---------------------------------------------------------------------------------------------

/// What must not change when a command is refused. Compared part by part, so a failure names
/// the table, not its content.
/// The rows of one `u64`-keyed table: (key, encoded value).
type Rows = Vec<(u64, Vec<u8>)>;

#[derive(PartialEq)]
struct Snapshot {
    head: (u64, [u8; 32]),
    problems: Vec<String>,
    lens: Vec<(&'static str, u64)>,
    meta: Vec<(String, Vec<u8>)>,
    records: Vec<(&'static str, Rows)>,
    /// The rows of the tables keyed by tuples (figures, indexes), each as `key=value`.
    figures: Vec<(&'static str, Vec<String>)>,
}

/// Every row of each named table as `key=value` (their `Debug` forms).
macro_rules! contents {
    ($tx:expr; $($t:ident),* $(,)?) => {
        vec![$((
            stringify!($t),
            $tx.open_table(schema::$t)
                .unwrap()
                .iter()
                .unwrap()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    format!("{:?}={:?}", k.value(), v.value())
                })
                .collect::<Vec<String>>(),
        )),*]
    };
}

macro_rules! lens {
    ($tx:expr; $($t:ident),* $(,)?) => {
        vec![$((stringify!($t), $tx.open_table(schema::$t).unwrap().len().unwrap())),*]
    };
}

fn records(
    tx: &redb::ReadTransaction,
    name: &'static str,
    def: TableDefinition<u64, &[u8]>,
) -> (&'static str, Rows) {
    let table = tx.open_table(def).unwrap();
    let rows = table
        .range(0..)
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            (k.value(), v.value().to_vec())
        })
        .collect();
    (name, rows)
}

fn snapshot(store: &Store) -> Snapshot {
    let tx = store.read().unwrap();
    let meta = tx
        .open_table(schema::META)
        .unwrap()
        .range::<&str>(..)
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            (k.value().to_owned(), v.value().to_vec())
        })
        .collect();
    Snapshot {
        head: audit::head(&*tx).unwrap(),
        problems: check::check(&tx).unwrap(),
        lens: lens!(tx;
            META, ASSOCIATIONS, INTERVENTIONS, INTERVENTIONS_BY_ASSOCIATION, USERS, USERS_BY_NAME,
            SSH_KEYS, SSH_KEYS_BY_USER, ASSIGNMENTS, ASSIGNMENTS_BY_USER, PERSONS, PERSONS_BY_PNR,
            CONSENTS, CONSENTS_BY_PERSON, UNUSED_CONSENTS, PARTICIPATIONS,
            PARTICIPATIONS_BY_INTERVENTION, PARTICIPATIONS_BY_PERSON, PSEUDONYMS, ANONYMOUS,
            COUNTERS, YEARLY, VOLUMES, AUDIT, AUDIT_BY_INTERVENTION,
        ),
        meta,
        records: vec![
            records(&tx, "PERSONS", schema::PERSONS),
            records(&tx, "CONSENTS", schema::CONSENTS),
            records(&tx, "PARTICIPATIONS", schema::PARTICIPATIONS),
            records(&tx, "PSEUDONYMS", schema::PSEUDONYMS),
            records(&tx, "COUNTERS", schema::COUNTERS),
            records(&tx, "USERS", schema::USERS),
            records(&tx, "ASSIGNMENTS", schema::ASSIGNMENTS),
            records(&tx, "INTERVENTIONS", schema::INTERVENTIONS),
            records(&tx, "ASSOCIATIONS", schema::ASSOCIATIONS),
            records(&tx, "AUDIT", schema::AUDIT),
        ],
        figures: contents!(tx; ANONYMOUS, YEARLY, VOLUMES, UNUSED_CONSENTS, AUDIT_BY_INTERVENTION),
    }
}

impl Snapshot {
    /// Names of the parts that differ (never their content).
    fn diff(&self, other: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        if self.head != other.head {
            out.push(format!("audit head {} → {}", self.head.0, other.head.0));
        }
        if self.problems != other.problems {
            out.push(format!("check: {:?}", other.problems));
        }
        for ((name, a), (_, b)) in self.lens.iter().zip(&other.lens) {
            if a != b {
                out.push(format!("{name} length {a} → {b}"));
            }
        }
        if self.meta != other.meta {
            out.push("META content".into());
        }
        for ((name, a), (_, b)) in self.records.iter().zip(&other.records) {
            if a != b {
                out.push(format!("{name} content"));
            }
        }
        for ((name, a), (_, b)) in self.figures.iter().zip(&other.figures) {
            if a != b {
                out.push(format!("{name} content"));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Messages without personal data
// ---------------------------------------------------------------------------------------------

/// The strings derived from a typed personnummer that must never appear in a message.
fn pnr_needles(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let trimmed = input.trim();
    if trimmed.len() >= 6 {
        out.push(trimmed.to_owned());
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 6 {
        out.push(digits.clone());
        if digits.len() >= 12 {
            out.push(digits[2..].to_owned());
        }
    }
    out
}

/// The strings derived from a typed name that must never appear in a message.
fn name_needles(input: &str) -> Vec<String> {
    let trimmed: String = input.trim().chars().take(40).collect();
    let visible: String = trimmed.chars().filter(|c| !c.is_control()).collect();
    if visible.trim().chars().count() >= 3 {
        vec![trimmed, visible]
    } else {
        Vec::new()
    }
}

/// Every rendering of the error: English, Swedish, Display and Debug.
fn renderings(e: &ServiceError) -> [(&'static str, String); 4] {
    [
        ("English", e.message(Lang::En)),
        ("Swedish", e.message(Lang::Sv)),
        ("Display", e.to_string()),
        ("Debug", format!("{e:?}")),
    ]
}

/// Field names that read the same in Swedish.
const SAME_IN_SWEDISH: [&str; 1] = ["start"];

/// The English name of the field the Swedish message still starts with, if it does ("month:
/// högst 12" instead of "månad: högst 12").
fn untranslated_field(e: &ServiceError) -> Option<&'static str> {
    let field = match e {
        ServiceError::Text { field, .. }
        | ServiceError::Date { field, .. }
        | ServiceError::Plan(PlanRefusal::Amount { field, .. }) => *field,
        _ => return None,
    };
    let swedish = e.message(Lang::Sv);
    (swedish.starts_with(&format!("{field}:")) && !SAME_IN_SWEDISH.contains(&field))
        .then_some(field)
}

fn assert_clean_message(case: &str, e: &ServiceError, personal: &[String]) {
    let english = e.message(Lang::En);
    assert!(
        !english.trim().is_empty(),
        "{case}: the English message is empty"
    );
    assert!(
        !e.message(Lang::Sv).trim().is_empty(),
        "{case}: the Swedish message is empty"
    );
    for (how, text) in renderings(e) {
        for (i, needle) in personal.iter().enumerate() {
            assert!(
                !text.contains(needle.as_str()),
                "{case}: the {how} message contains personal data (needle #{i})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The service-level table
// ---------------------------------------------------------------------------------------------

/// What the cases act on: one database with a recorded, unused consent, an open participation,
/// a handler of the count-only intervention, and what the keepers keep: the main
/// intervention's 2026 plan ([`stored_plan`]), the count-only intervention's figures of May 2026
/// (3 women, 2 men), the association's list of detailed focuses ([`FOCUS`]), and the second
/// intervention ended on [`OTHER_END`].
struct World {
    f: Fixture,
    /// A recorded consent of `PNR_A`, not yet used.
    consent: ConsentId,
    /// An open participation of `PNR_B`, registered in on 2026-06-10.
    open: ParticipationId,
    /// A participant handler assigned to the count-only intervention.
    count_handler: Session,
    /// The intervention manager of the count-only intervention (`f.manager` keeps the main
    /// one).
    count_manager: Session,
    /// An association administrator of the association (`f.admin` is the system
    /// administrator).
    association_admin: Session,
}

/// The one detailed focus on the association's list.
const FOCUS: &str = "Arbetsförberedande insats";
/// When the second (individual, empty) intervention ended: its plans stop at 2025.
const OTHER_END: &str = "2025-06-30";

/// The main intervention's stored plan for 2026.
fn stored_plan() -> PlanInput {
    PlanInput {
        year: "2026".into(),
        planned_participants: "40".into(),
        cost_budget: "1000000".into(),
        cost_outcome: String::new(),
        esf_budget: "300000".into(),
        esf_outcome: String::new(),
    }
}

/// A valid change of the stored plan (so a bad field that slipped through would be saved, and
/// reported as accepted, rather than refused as changing nothing).
fn changed_plan() -> PlanInput {
    PlanInput {
        planned_participants: "45".into(),
        cost_outcome: "400000".into(),
        esf_outcome: "100000".into(),
        ..stored_plan()
    }
}

/// A valid correction of the count-only intervention's May 2026 (stored: 3 women, 2 men).
fn changed_volume() -> VolumeInput {
    VolumeInput {
        year: "2026".into(),
        month: "5".into(),
        women: "4".into(),
        men: "2".into(),
    }
}

const NAME_A: &str = "Bertil Felinmatning";
const NAME_B: &str = "Cecilia Öppenregistrerad";

fn pnr_a() -> String {
    pnr(date(1985, 3, 14), 246)
}

fn pnr_b() -> String {
    pnr(date(1979, 8, 30), 135)
}

/// `CCYYMMDD-NNNC` with a correct Luhn digit, for any (possibly impossible) date digits.
fn with_check(century: &str, yymmdd: &str, serial: &str) -> String {
    let nine: Vec<u8> = format!("{yymmdd}{serial}")
        .bytes()
        .map(|b| b - b'0')
        .collect();
    format!("{century}{yymmdd}-{serial}{}", luhn_check_digit(&nine))
}

/// A valid personnummer with its check digit changed.
fn bad_check_digit(valid: &str) -> String {
    let mut s = valid.to_owned();
    let last = s.pop().unwrap().to_digit(10).unwrap();
    s.push(char::from_digit((last + 1) % 10, 10).unwrap());
    s
}

fn world() -> World {
    let f = Fixture::new();
    let consent = record(&f.handler, f.intervention, &pnr_a(), NAME_A);
    let open = register(&f.handler, f.intervention, &pnr_b(), NAME_B, "2026-06-10");
    let cissi = f
        .admin
        .create_user("cissi", "Cissi Volym", &[Role::ParticipantHandler])
        .unwrap();
    f.admin
        .assign(
            cissi,
            Role::ParticipantHandler,
            Scope::Intervention(f.count_only),
            "2020-01-01",
            "",
        )
        .unwrap();
    let count_handler =
        Session::sign_in(&f.service, "cissi", Some(Role::ParticipantHandler)).unwrap();
    let vera = f
        .admin
        .create_user("vera", "Vera Volym", &[Role::InterventionManager])
        .unwrap();
    f.admin
        .assign(
            vera,
            Role::InterventionManager,
            Scope::Intervention(f.count_only),
            "2020-01-01",
            "",
        )
        .unwrap();
    let count_manager =
        Session::sign_in(&f.service, "vera", Some(Role::InterventionManager)).unwrap();
    let association_admin =
        Session::sign_in(&f.service, "admin", Some(Role::AssociationAdmin)).unwrap();
    association_admin
        .edit_association(
            f.association,
            &AssociationEdit {
                focus_options: Some(vec![FOCUS.into()]),
                ..AssociationEdit::default()
            },
        )
        .unwrap();
    association_admin
        .edit_intervention(
            f.other_intervention,
            &InterventionEdit {
                end: Some(OTHER_END.into()),
                ..InterventionEdit::default()
            },
        )
        .unwrap();
    f.manager.set_plan(f.intervention, &stored_plan()).unwrap();
    count_manager
        .set_volume(
            f.count_only,
            &VolumeInput {
                women: "3".into(),
                ..changed_volume()
            },
        )
        .unwrap();
    World {
        f,
        consent,
        open,
        count_handler,
        count_manager,
        association_admin,
    }
}

type Run = Box<dyn Fn(&World) -> Result<(), ServiceError>>;

struct Case {
    name: &'static str,
    /// Strings that must not appear in any rendering of the error.
    personal: Vec<String>,
    run: Run,
    expect: fn(&ServiceError) -> bool,
}

fn case(
    name: &'static str,
    personal: Vec<String>,
    run: impl Fn(&World) -> Result<(), ServiceError> + 'static,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    Case {
        name,
        personal,
        run: Box::new(run),
        expect,
    }
}

/// Records consent for `pnr`/`name`/`municipality` in the main intervention.
fn consent_case(
    name: &'static str,
    pnr_text: &str,
    person: &str,
    municipality: &str,
    evidence: ConsentInput,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    let identity = IdentityInput {
        pnr: pnr_text.to_owned(),
        name: person.to_owned(),
        municipality: municipality.to_owned(),
    };
    let mut personal = pnr_needles(pnr_text);
    personal.extend(name_needles(person));
    case(
        name,
        personal,
        move |w| {
            w.f.handler
                .record_consent(w.f.intervention, &identity, &evidence)
                .map(drop)
        },
        expect,
    )
}

fn pnr_case(name: &'static str, pnr_text: &str, expect: fn(&ServiceError) -> bool) -> Case {
    consent_case(
        name,
        pnr_text,
        NAME_A,
        "0180",
        consent_by_participant("2026-06-01"),
        expect,
    )
}

fn name_case(name: &'static str, person: &str, expect: fn(&ServiceError) -> bool) -> Case {
    consent_case(
        name,
        &pnr_a(),
        person,
        "0180",
        consent_by_participant("2026-06-01"),
        expect,
    )
}

fn evidence_case(
    name: &'static str,
    evidence: ConsentInput,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    consent_case(name, &pnr_a(), NAME_A, "0180", evidence, expect)
}

/// Registers the recorded consent in on `in_date` with `answers` (valid ones when `None`).
fn register_in_case(
    name: &'static str,
    in_date: &str,
    answers: Option<Answers>,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    let in_date = in_date.to_owned();
    let mut personal = pnr_needles(&pnr_a());
    personal.extend(name_needles(NAME_A));
    case(
        name,
        personal,
        move |w| {
            let answers = answers
                .clone()
                .unwrap_or_else(|| common::answers(w.f.service.catalogue()));
            w.f.handler
                .register_in(&RegisterInInput {
                    consent: w.consent,
                    in_date: in_date.clone(),
                    gender: None,
                    answers,
                })
                .map(drop)
        },
        expect,
    )
}

/// Registers the open participation out on `date` with `answers` (valid ones when `None`).
fn register_out_case(
    name: &'static str,
    out_date: &str,
    answers: Option<Answers>,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    let out_date = out_date.to_owned();
    let mut personal = pnr_needles(&pnr_b());
    personal.extend(name_needles(NAME_B));
    case(
        name,
        personal,
        move |w| {
            let answers = answers
                .clone()
                .unwrap_or_else(|| other_answers(w.f.service.catalogue()));
            w.f.handler
                .register_out(w.open, &out_date, EndReason::Employment, Some(answers))
        },
        expect,
    )
}

/// Variants of a valid answer set, built from the default catalogue.
struct BadAnswers {
    missing: Answers,
    unknown_option: Answers,
    wrong_kind: Answers,
    unknown_question: Answers,
    empty_multi: Answers,
    old_version: Answers,
}

fn bad_answers() -> BadAnswers {
    let cat = insats::domain::questionnaire::Catalogue::default_catalogue();
    let valid = answers(&cat);
    let questions = cat.questions_on(today());
    let single = questions
        .iter()
        .find(|q| q.kind == QuestionKind::Single)
        .expect("a single-choice question");
    let multi = questions
        .iter()
        .find(|q| q.kind == QuestionKind::Multi)
        .expect("a multiple-choice question");
    let with = |key: &str, value: AnswerValue| {
        let mut a = valid.clone();
        a.set(key, value);
        a
    };
    let mut missing = valid.clone();
    missing.values.remove(&single.key);
    let mut old_version = valid.clone();
    old_version.catalogue_version += 1;
    BadAnswers {
        missing,
        unknown_option: with(&single.key, AnswerValue::One("finns_inte".into())),
        wrong_kind: with(
            &single.key,
            AnswerValue::Many(vec![single.options[0].key.clone()]),
        ),
        unknown_question: with("ingen_sadan_fraga", AnswerValue::One("x".into())),
        empty_multi: with(&multi.key, AnswerValue::Many(Vec::new())),
        old_version,
    }
}

fn evidence(signed: &str, by: Signer, receiver: &str, sent: &str) -> ConsentInput {
    ConsentInput {
        signed_on: signed.into(),
        signed_by: by,
        received_by: receiver.into(),
        original_sent_on: sent.into(),
        judged_mature: false,
    }
}

/// `|e| matches!(e, pattern)` as an expectation (a plain `fn`).
macro_rules! is {
    ($($p:tt)*) => {{
        use ServiceError as E;
        let f: fn(&ServiceError) -> bool = |e| matches!(e, $($p)*);
        f
    }};
}

/// The main intervention's manager saves `changed_plan()` with `change` applied.
fn plan_case(
    name: &'static str,
    change: impl Fn(&mut PlanInput) + 'static,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    case(
        name,
        Vec::new(),
        move |w| {
            let mut input = changed_plan();
            change(&mut input);
            w.f.manager.set_plan(w.f.intervention, &input).map(drop)
        },
        expect,
    )
}

/// The six ways to get a whole amount wrong in one field of the plan: negative, decimals with a
/// comma and with a point, more digits than any integer holds, one over the field's maximum
/// (`$over`, refused as larger than `$max`), letters.
macro_rules! amount_cases {
    ($field:literal, $member:ident, $max:expr, $over:literal) => {
        [
            plan_case(
                concat!("plan, ", $field, ": -5"),
                |p| p.$member = "-5".into(),
                is!(E::Plan(PlanRefusal::Amount {
                    field: $field,
                    problem: AmountProblem::Negative
                })),
            ),
            plan_case(
                concat!("plan, ", $field, ": 12,5"),
                |p| p.$member = "12,5".into(),
                is!(E::Plan(PlanRefusal::Amount {
                    field: $field,
                    problem: AmountProblem::NotWhole
                })),
            ),
            plan_case(
                concat!("plan, ", $field, ": 12.5"),
                |p| p.$member = "12.5".into(),
                is!(E::Plan(PlanRefusal::Amount {
                    field: $field,
                    problem: AmountProblem::NotWhole
                })),
            ),
            plan_case(
                concat!("plan, ", $field, ": 20 nines"),
                |p| p.$member = "99999999999999999999".into(),
                is!(E::Plan(PlanRefusal::Amount {
                    field: $field,
                    problem: AmountProblem::TooLarge { max }
                }) if *max == $max),
            ),
            plan_case(
                concat!("plan, ", $field, ": over the maximum, ", $over),
                |p| p.$member = $over.into(),
                is!(E::Plan(PlanRefusal::Amount {
                    field: $field,
                    problem: AmountProblem::TooLarge { max }
                }) if *max == $max),
            ),
            plan_case(
                concat!("plan, ", $field, ": letters"),
                |p| p.$member = "tusen".into(),
                is!(E::Plan(PlanRefusal::Amount {
                    field: $field,
                    problem: AmountProblem::NotWhole
                })),
            ),
        ]
    };
}

/// The count-only intervention's manager saves `changed_volume()` with `change` applied.
fn volume_case(
    name: &'static str,
    change: impl Fn(&mut VolumeInput) + 'static,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    case(
        name,
        Vec::new(),
        move |w| {
            let mut input = changed_volume();
            change(&mut input);
            w.count_manager.set_volume(w.f.count_only, &input)
        },
        expect,
    )
}

/// The main intervention's manager edits it; `typed` is text that must not be echoed.
fn edit_case(
    name: &'static str,
    typed: &str,
    edit: InterventionEdit,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    case(
        name,
        name_needles(typed),
        move |w| {
            w.f.manager
                .edit_intervention(w.f.intervention, &edit)
                .map(drop)
        },
        expect,
    )
}

/// The association administrator edits the association's settings; `typed` is text that must
/// not be echoed.
fn association_case(
    name: &'static str,
    typed: &str,
    edit: AssociationEdit,
    expect: fn(&ServiceError) -> bool,
) -> Case {
    case(
        name,
        name_needles(typed),
        move |w| {
            w.association_admin
                .edit_association(w.f.association, &edit)
                .map(drop)
        },
        expect,
    )
}

/// Keeping interventions (domain §1, §9): year plans, count-only figures, editing and ending an
/// intervention, the association's settings.
fn keeping_cases() -> Vec<Case> {
    let edit = InterventionEdit::default;
    let settings = AssociationEdit::default;
    let long_name = "Ö".repeat(201);
    let long_description = "Beskrivning ".repeat(167);
    let mut cases = vec![
        // --- plan: the budget year ---
        plan_case(
            "plan, year: 0",
            |p| p.year = "0".into(),
            is!(E::Plan(PlanRefusal::YearOutside {
                year: 0,
                first: 2025,
                last: None
            })),
        ),
        plan_case(
            "plan, year: 99999",
            |p| p.year = "99999".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "year",
                problem: AmountProblem::TooLarge { max: 9999 }
            })),
        ),
        plan_case(
            "plan, year: tjugo",
            |p| p.year = "tjugo".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "year",
                problem: AmountProblem::NotWhole
            })),
        ),
        plan_case(
            "plan, year: empty",
            |p| p.year = "  ".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "year",
                problem: AmountProblem::Empty
            })),
        ),
        plan_case(
            "plan, year: before the intervention started (2025)",
            |p| p.year = "2024".into(),
            is!(E::Plan(PlanRefusal::YearOutside {
                year: 2024,
                first: 2025,
                last: None
            })),
        ),
        plan_case(
            "plan, year: before the association started (2020)",
            |p| p.year = "2019".into(),
            is!(E::Plan(PlanRefusal::YearOutside {
                year: 2019,
                first: 2025,
                last: None
            })),
        ),
        case(
            "plan, year: after the intervention ended (2025)",
            Vec::new(),
            |w| {
                w.association_admin
                    .set_plan(w.f.other_intervention, &changed_plan())
                    .map(drop)
            },
            is!(E::Plan(PlanRefusal::YearOutside {
                year: 2026,
                first: 2024,
                last: Some(2025)
            })),
        ),
        // --- plan: the ESF-funded part is part of the cost ---
        plan_case(
            "plan: ESF budget above the cost budget",
            |p| {
                p.cost_budget = "100".into();
                p.esf_budget = "200".into();
            },
            is!(E::Plan(PlanRefusal::EsfAboveCost { line: "budget" })),
        ),
        plan_case(
            "plan: ESF outcome above the cost outcome",
            |p| {
                p.cost_outcome = "100".into();
                p.esf_outcome = "200".into();
            },
            is!(E::Plan(PlanRefusal::EsfAboveCost { line: "outcome" })),
        ),
        plan_case(
            "plan: cost budget empty",
            |p| p.cost_budget = String::new(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "cost budget",
                problem: AmountProblem::Empty
            })),
        ),
        plan_case(
            "plan: the stored plan again",
            |p| *p = stored_plan(),
            is!(E::Plan(PlanRefusal::NothingChanged)),
        ),
        // --- count-only figures (volyminsats) ---
        volume_case(
            "volume, month: 0",
            |v| v.month = "0".into(),
            is!(E::Plan(PlanRefusal::Month)),
        ),
        volume_case(
            "volume, month: 13",
            |v| v.month = "13".into(),
            // The same mistake as month 0, the same words.
            is!(E::Plan(PlanRefusal::Month)),
        ),
        volume_case(
            "volume, month: -1",
            |v| v.month = "-1".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "month",
                problem: AmountProblem::Negative
            })),
        ),
        volume_case(
            "volume, month: maj",
            |v| v.month = "maj".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "month",
                problem: AmountProblem::NotWhole
            })),
        ),
        volume_case(
            "volume, year: 0",
            |v| v.year = "0".into(),
            is!(E::Plan(PlanRefusal::YearOutside { year: 0, .. })),
        ),
        volume_case(
            "volume, year: 99999",
            |v| v.year = "99999".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "year",
                problem: AmountProblem::TooLarge { max: 9999 }
            })),
        ),
        volume_case(
            "volume, year: empty",
            |v| v.year = String::new(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "year",
                problem: AmountProblem::Empty
            })),
        ),
        volume_case(
            "volume, year: before the intervention started (2024)",
            |v| v.year = "2023".into(),
            is!(E::Plan(PlanRefusal::YearOutside {
                year: 2023,
                first: 2024,
                last: None
            })),
        ),
        volume_case(
            "volume, women: -5",
            |v| v.women = "-5".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "women",
                problem: AmountProblem::Negative
            })),
        ),
        volume_case(
            "volume, men: -5",
            |v| v.men = "-5".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "men",
                problem: AmountProblem::Negative
            })),
        ),
        volume_case(
            "volume, women: 20 nines",
            |v| v.women = "99999999999999999999".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "women",
                problem: AmountProblem::TooLarge { max }
            }) if *max == u64::from(MAX_PEOPLE)),
        ),
        volume_case(
            "volume, men: over the maximum, 1000001",
            |v| v.men = "1000001".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "men",
                problem: AmountProblem::TooLarge { max }
            }) if *max == u64::from(MAX_PEOPLE)),
        ),
        volume_case(
            "volume, women: 2,5",
            |v| v.women = "2,5".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "women",
                problem: AmountProblem::NotWhole
            })),
        ),
        volume_case(
            "volume, men: letters",
            |v| v.men = "tre".into(),
            is!(E::Plan(PlanRefusal::Amount {
                field: "men",
                problem: AmountProblem::NotWhole
            })),
        ),
        volume_case(
            "volume: a month that has not begun (2026-07)",
            |v| v.month = "7".into(),
            is!(E::Refused(Refusal::DateInFuture)),
        ),
        volume_case(
            "volume: a future year (2027)",
            |v| v.year = "2027".into(),
            is!(E::Refused(Refusal::DateInFuture)),
        ),
        volume_case(
            "volume: the stored figures again",
            |v| v.women = "3".into(),
            is!(E::Plan(PlanRefusal::NothingChanged)),
        ),
        case(
            "volume: an individual intervention",
            Vec::new(),
            |w| w.f.manager.set_volume(w.f.intervention, &changed_volume()),
            is!(E::Plan(PlanRefusal::NotCountOnly)),
        ),
        // --- editing and ending an intervention ---
        edit_case(
            "intervention, name: empty",
            "",
            InterventionEdit {
                name: Some("   ".into()),
                ..edit()
            },
            is!(E::Text {
                field: "name",
                error: TextError::Empty
            }),
        ),
        edit_case(
            "intervention, name: 201 characters",
            &long_name,
            InterventionEdit {
                name: Some(long_name.clone()),
                ..edit()
            },
            is!(E::Text {
                field: "name",
                error: TextError::TooLong { max: 200 }
            }),
        ),
        edit_case(
            "intervention, name: a bell character",
            "a\u{7}b",
            InterventionEdit {
                name: Some("a\u{7}b".into()),
                ..edit()
            },
            is!(E::Text {
                field: "name",
                error: TextError::ControlCharacter
            }),
        ),
        edit_case(
            "intervention, description: 2001 characters",
            &long_description[..2001],
            InterventionEdit {
                description: Some(long_description[..2001].to_owned()),
                ..edit()
            },
            is!(E::Text {
                field: "description",
                error: TextError::TooLong { max: 2000 }
            }),
        ),
        edit_case(
            "intervention, target group: an escape sequence",
            "unga vuxna\u{1b}[2J",
            InterventionEdit {
                target_groups: Some(vec!["unga vuxna\u{1b}[2J".into()]),
                ..edit()
            },
            is!(E::Text {
                field: "target group",
                error: TextError::ControlCharacter
            }),
        ),
        edit_case(
            "intervention, focus: not on the association's list",
            "Fiskeinsats",
            InterventionEdit {
                focus: Some("Fiskeinsats".into()),
                ..edit()
            },
            is!(E::Plan(PlanRefusal::FocusNotListed)),
        ),
        edit_case(
            "intervention, end: 2026-02-30",
            "",
            InterventionEdit {
                end: Some("2026-02-30".into()),
                ..edit()
            },
            is!(E::Date {
                field: "end",
                error: DateError::NoSuchDate
            }),
        ),
        edit_case(
            "intervention, end: 2026/06/14",
            "",
            InterventionEdit {
                end: Some("2026/06/14".into()),
                ..edit()
            },
            is!(E::Date {
                field: "end",
                error: DateError::Format
            }),
        ),
        edit_case(
            "intervention, end: before its start (2025-01-01)",
            "",
            InterventionEdit {
                end: Some("2024-12-31".into()),
                ..edit()
            },
            is!(E::Plan(PlanRefusal::EndBeforeStart { .. })),
        ),
        edit_case(
            "intervention, end: while a participation is open",
            "",
            InterventionEdit {
                end: Some("2026-06-14".into()),
                ..edit()
            },
            is!(E::Plan(PlanRefusal::OpenParticipations { open: 1 })),
        ),
        edit_case(
            "intervention, direction: changed after a registration",
            "",
            InterventionEdit {
                direction: Some(Direction::Structural),
                ..edit()
            },
            is!(E::Plan(PlanRefusal::Fixed {
                field: "direction",
                ..
            })),
        ),
        edit_case(
            "intervention, measurement: changed after a registration",
            "",
            InterventionEdit {
                measurement: Some(Measurement::CountOnly),
                ..edit()
            },
            is!(E::Plan(PlanRefusal::Fixed {
                field: "measurement method",
                ..
            })),
        ),
        // --- the association's settings ---
        association_case(
            "association, name: empty",
            "",
            AssociationEdit {
                name: Some(String::new()),
                ..settings()
            },
            is!(E::Text {
                field: "name",
                error: TextError::Empty
            }),
        ),
        association_case(
            "association, municipalities: 12",
            "",
            AssociationEdit {
                municipalities: Some("0180, 12".into()),
                ..settings()
            },
            is!(E::Text {
                field: "municipalities",
                error: TextError::NotMunicipalityCode
            }),
        ),
        association_case(
            "association, end: 2026-13-01",
            "",
            AssociationEdit {
                end: Some("2026-13-01".into()),
                ..settings()
            },
            is!(E::Date {
                field: "end",
                error: DateError::NoSuchDate
            }),
        ),
        association_case(
            "association, end: while its interventions continue",
            "",
            AssociationEdit {
                end: Some("2026-06-14".into()),
                ..settings()
            },
            is!(E::Plan(PlanRefusal::InterventionsContinue {
                count: 2,
                last: None
            })),
        ),
        association_case(
            "association, retention years: 0",
            "",
            AssociationEdit {
                retention_years: Some("0".into()),
                ..settings()
            },
            is!(E::Plan(PlanRefusal::RetentionYears { min: 1, max: 100 })),
        ),
        association_case(
            "association, retention years: 101",
            "",
            AssociationEdit {
                retention_years: Some("101".into()),
                ..settings()
            },
            // The same mistake as 0 years, the same words.
            is!(E::Plan(PlanRefusal::RetentionYears { min: 1, max: 100 })),
        ),
        association_case(
            "association, small-cell threshold: 11",
            "",
            AssociationEdit {
                small_cell_threshold: Some("11".into()),
                ..settings()
            },
            is!(E::Plan(PlanRefusal::Amount {
                field: "small-cell threshold",
                problem: AmountProblem::TooLarge { max: 10 }
            })),
        ),
        association_case(
            "association, small-cell threshold: -1",
            "",
            AssociationEdit {
                small_cell_threshold: Some("-1".into()),
                ..settings()
            },
            is!(E::Plan(PlanRefusal::Amount {
                field: "small-cell threshold",
                problem: AmountProblem::Negative
            })),
        ),
        association_case(
            "association, controller: a bell character",
            "Kalle Kontroll\u{7}, 010-123 45 00",
            AssociationEdit {
                controller: Some("Kalle Kontroll\u{7}, 010-123 45 00".into()),
                ..settings()
            },
            is!(E::Text {
                field: "controller",
                error: TextError::ControlCharacter
            }),
        ),
    ];
    cases.extend(amount_cases!(
        "planned participants",
        planned_participants,
        u64::from(MAX_PEOPLE),
        "1000001"
    ));
    cases.extend(amount_cases!(
        "cost budget",
        cost_budget,
        MAX_KRONOR,
        "10000000001"
    ));
    cases.extend(amount_cases!(
        "cost outcome",
        cost_outcome,
        MAX_KRONOR,
        "10000000001"
    ));
    cases.extend(amount_cases!(
        "ESF budget",
        esf_budget,
        MAX_KRONOR,
        "10000000001"
    ));
    cases.extend(amount_cases!(
        "ESF outcome",
        esf_outcome,
        MAX_KRONOR,
        "10000000001"
    ));
    cases
}

fn cases() -> Vec<Case> {
    let valid = pnr_a();
    let digits = valid.replace('-', "");
    let ten = digits[2..].to_owned();
    let b = bad_answers();
    let note = "Hanna Handläggare";
    let adult = || consent_by_participant("2026-06-01");
    let p = Signer::Participant;
    let in_date = "2026-06-12";
    let mut cases = vec![
        // --- personnummer (domain.md §7) ---
        pnr_case("pnr: empty", "", is!(E::Pnr(PnrError::Empty))),
        pnr_case("pnr: only spaces", "   ", is!(E::Pnr(PnrError::Empty))),
        pnr_case(
            "pnr: letters",
            "19850314-ABCD",
            is!(E::Pnr(PnrError::InvalidCharacter)),
        ),
        pnr_case(
            "pnr: 9 digits",
            &ten[..9],
            is!(E::Pnr(PnrError::Length { digits: 9 })),
        ),
        pnr_case(
            "pnr: 11 digits",
            &digits[..11],
            is!(E::Pnr(PnrError::Length { digits: 11 })),
        ),
        pnr_case(
            "pnr: 13 digits",
            &format!("{digits}7"),
            is!(E::Pnr(PnrError::Length { digits: 13 })),
        ),
        pnr_case(
            "pnr: month 13",
            &with_check("19", "851314", "246"),
            is!(E::Pnr(PnrError::Month)),
        ),
        pnr_case(
            "pnr: 30 February",
            &with_check("19", "850230", "246"),
            is!(E::Pnr(PnrError::Day)),
        ),
        pnr_case(
            "pnr: bad check digit",
            &bad_check_digit(&valid),
            is!(E::Pnr(PnrError::CheckDigit)),
        ),
        pnr_case(
            "pnr: born in the future",
            &pnr(date(2027, 1, 2), 246),
            is!(E::Pnr(PnrError::InFuture)),
        ),
        pnr_case(
            "pnr: two separators",
            &format!("{}-{}", &ten[..6], &valid[8..]),
            is!(E::Pnr(PnrError::InvalidCharacter)),
        ),
        pnr_case(
            "pnr: misplaced separator",
            &format!("{}-{}", &ten[..5], &ten[5..]),
            is!(E::Pnr(PnrError::Separator)),
        ),
        pnr_case(
            "pnr: + in the 12-digit form of someone under 100",
            &valid.replace('-', "+"),
            is!(E::Pnr(PnrError::Separator)),
        ),
        pnr_case(
            "samordningsnummer: day 90 in February (30 Feb)",
            &with_check("19", "850290", "246"),
            is!(E::Pnr(PnrError::Day)),
        ),
        pnr_case(
            "samordningsnummer: day 92",
            &with_check("19", "850392", "246"),
            is!(E::Pnr(PnrError::Day)),
        ),
        // --- names ---
        name_case(
            "name: empty",
            "",
            is!(E::Text {
                field: "name",
                error: TextError::Empty
            }),
        ),
        name_case(
            "name: only spaces",
            "     ",
            is!(E::Text {
                field: "name",
                error: TextError::Empty
            }),
        ),
        name_case(
            "name: bell character",
            "Bertil\u{7}Felinmatning",
            is!(E::Text {
                field: "name",
                error: TextError::ControlCharacter
            }),
        ),
        name_case(
            "name: newline",
            "Bertil\nFelinmatning",
            is!(E::Text {
                field: "name",
                error: TextError::ControlCharacter
            }),
        ),
        name_case(
            "name: 10,000 characters",
            &"Ö".repeat(10_000),
            is!(E::Text {
                field: "name",
                error: TextError::TooLong { max: 200 }
            }),
        ),
        // --- municipality ---
        consent_case(
            "municipality: 2 digits",
            &valid,
            NAME_A,
            "12",
            adult(),
            is!(E::Text {
                field: "municipality",
                ..
            }),
        ),
        consent_case(
            "municipality: letters",
            &valid,
            NAME_A,
            "abcd",
            adult(),
            is!(E::Text {
                field: "municipality",
                ..
            }),
        ),
        consent_case(
            "municipality: empty",
            &valid,
            NAME_A,
            "",
            adult(),
            is!(E::Text {
                field: "municipality",
                error: TextError::Empty
            }),
        ),
        // --- consent, form 9443 ---
        evidence_case(
            "consent: signed in the future",
            evidence("2026-06-16", p, note, ""),
            is!(E::Refused(Refusal::ConsentSignedInFuture)),
        ),
        evidence_case(
            "consent: sent on before it was signed",
            evidence("2026-06-01", p, note, "2026-05-31"),
            is!(E::Refused(Refusal::ConsentSentBeforeSigned)),
        ),
        evidence_case(
            "consent: sent on in the future",
            evidence("2026-06-01", p, note, "2026-07-01"),
            is!(E::Refused(Refusal::ConsentSentInFuture)),
        ),
        evidence_case(
            "consent: empty receiver",
            evidence("2026-06-01", p, "  ", ""),
            is!(E::Refused(Refusal::ConsentReceiverInvalid)),
        ),
        evidence_case(
            "consent: receiver with a control character",
            evidence("2026-06-01", p, "Hanna\u{1b}[2J", ""),
            is!(E::Refused(Refusal::ConsentReceiverInvalid)),
        ),
        evidence_case(
            "consent: signed-on date empty",
            evidence("", p, note, ""),
            is!(E::Date {
                field: "signed on",
                error: DateError::Empty
            }),
        ),
        evidence_case(
            "consent: sent-on date 2026/06/02",
            evidence("2026-06-01", p, note, "2026/06/02"),
            is!(E::Date {
                field: "original sent on",
                error: DateError::Format
            }),
        ),
        evidence_case(
            "consent: a guardian signs for an adult",
            evidence("2026-06-01", Signer::Guardian, note, ""),
            is!(E::Refused(Refusal::GuardianForAdult)),
        ),
        consent_case(
            "consent: a 12-year-old signs themselves",
            &pnr(date(2014, 2, 3), 246),
            "Liten Person",
            "0180",
            adult(),
            is!(E::Refused(Refusal::GuardianMustSign { age: 12 })),
        ),
        // --- dates of registration in and out ---
        register_in_case(
            "in-date: empty",
            "",
            None,
            is!(E::Date {
                field: "in-date",
                error: DateError::Empty
            }),
        ),
        register_in_case(
            "in-date: 2026/01/01",
            "2026/01/01",
            None,
            is!(E::Date {
                field: "in-date",
                error: DateError::Format
            }),
        ),
        register_in_case(
            "in-date: month 13",
            "2026-13-01",
            None,
            is!(E::Date {
                field: "in-date",
                error: DateError::NoSuchDate
            }),
        ),
        register_in_case(
            "in-date: 30 February",
            "2026-02-30",
            None,
            is!(E::Date {
                field: "in-date",
                error: DateError::NoSuchDate
            }),
        ),
        register_in_case(
            "in-date: in the future",
            "2026-06-16",
            None,
            is!(E::Refused(Refusal::DateInFuture)),
        ),
        register_in_case(
            "in-date: before the intervention started",
            "2024-12-31",
            None,
            is!(E::Refused(Refusal::BeforeInterventionStart { .. })),
        ),
        register_in_case(
            "in-date: before the association started",
            "2019-12-31",
            None,
            is!(E::Refused(Refusal::BeforeAssociationStart { .. })),
        ),
        register_out_case(
            "out-date: before the in-date",
            "2026-06-09",
            None,
            is!(E::Refused(Refusal::OutBeforeIn { .. })),
        ),
        register_out_case(
            "out-date: in the future",
            "2026-06-16",
            None,
            is!(E::Refused(Refusal::DateInFuture)),
        ),
        register_out_case(
            "out-date: empty",
            "",
            None,
            is!(E::Date {
                field: "out-date",
                error: DateError::Empty
            }),
        ),
        // --- answers (questionnaire) ---
        register_in_case(
            "answers: a question missing",
            in_date,
            Some(b.missing.clone()),
            is!(E::Refused(Refusal::Answers(AnswerError::Missing { .. }))),
        ),
        register_in_case(
            "answers: unknown option",
            in_date,
            Some(b.unknown_option.clone()),
            is!(E::Refused(Refusal::Answers(
                AnswerError::UnknownOption { .. }
            ))),
        ),
        register_in_case(
            "answers: wrong kind",
            in_date,
            Some(b.wrong_kind.clone()),
            is!(E::Refused(Refusal::Answers(AnswerError::WrongKind { .. }))),
        ),
        register_in_case(
            "answers: unknown question",
            in_date,
            Some(b.unknown_question.clone()),
            is!(E::Refused(Refusal::Answers(
                AnswerError::UnknownQuestion { .. }
            ))),
        ),
        register_in_case(
            "answers: empty multiple choice",
            in_date,
            Some(b.empty_multi.clone()),
            is!(E::Refused(Refusal::Answers(AnswerError::Empty { .. }))),
        ),
        register_in_case(
            "answers: other catalogue version",
            in_date,
            Some(b.old_version.clone()),
            is!(E::Refused(Refusal::Answers(
                AnswerError::VersionMismatch { .. }
            ))),
        ),
        register_out_case(
            "answers at registration out: unknown option",
            "2026-06-14",
            Some(b.unknown_option.clone()),
            is!(E::Refused(Refusal::Answers(
                AnswerError::UnknownOption { .. }
            ))),
        ),
        case(
            "answers at registration out: none given",
            Vec::new(),
            |w| {
                w.f.handler
                    .register_out(w.open, "2026-06-14", EndReason::Employment, None)
            },
            is!(E::Refused(Refusal::AnswersRequired)),
        ),
        case(
            "correction: answers missing a question",
            Vec::new(),
            move |w| {
                w.f.handler
                    .correct_answers(w.open, Occasion::In, b.missing.clone())
            },
            is!(E::Refused(Refusal::Answers(AnswerError::Missing { .. }))),
        ),
        case(
            "correction: out-answers of a participation not registered out",
            Vec::new(),
            |w| {
                let a = answers(w.f.service.catalogue());
                w.f.handler.correct_answers(w.open, Occasion::Out, a)
            },
            is!(E::Refused(Refusal::NotRegisteredOut)),
        ),
        // --- unknown ids ---
        case(
            "participation 999999: register out",
            Vec::new(),
            |w| {
                let a = Some(other_answers(w.f.service.catalogue()));
                let unknown = ParticipationId(999_999);
                w.f.handler
                    .register_out(unknown, "2026-06-14", EndReason::Employment, a)
            },
            is!(E::NotFound {
                what: "participation",
                ..
            }),
        ),
        case(
            "participation 999999: misregister",
            Vec::new(),
            |w| w.f.handler.misregister(ParticipationId(999_999)),
            is!(E::NotFound {
                what: "participation",
                ..
            }),
        ),
        case(
            "participation 999999: protected identity",
            Vec::new(),
            |w| w.f.handler.mark_protected(ParticipationId(999_999)),
            is!(E::NotFound {
                what: "participation",
                ..
            }),
        ),
        case(
            "participation 999999: withdraw consent",
            Vec::new(),
            |w| w.f.handler.withdraw_consent(ParticipationId(999_999)),
            is!(E::NotFound {
                what: "participation",
                ..
            }),
        ),
        case(
            "intervention 999999: record consent",
            pnr_needles(&valid),
            move |w| {
                let who = identity(&pnr_a(), NAME_A);
                w.f.handler
                    .record_consent(InterventionId(999_999), &who, &adult())
                    .map(drop)
            },
            is!(E::NotFound {
                what: "intervention",
                ..
            }),
        ),
        case(
            "intervention 999999: anonymous participants",
            Vec::new(),
            |w| {
                w.f.handler
                    .register_anonymous(InterventionId(999_999), 2026, 1, 1)
            },
            is!(E::NotFound {
                what: "intervention",
                ..
            }),
        ),
        case(
            "consent 999999: register in",
            Vec::new(),
            |w| {
                let input = register_input(ConsentId(999_999), "2026-06-12", &w.f.handler);
                w.f.handler.register_in(&input).map(drop)
            },
            is!(E::Refused(Refusal::ConsentMissing)),
        ),
        // --- count-only intervention and anonymous participants ---
        case(
            "count-only intervention: record consent",
            pnr_needles(&valid),
            move |w| {
                let who = identity(&pnr_a(), NAME_A);
                w.count_handler
                    .record_consent(w.f.count_only, &who, &adult())
                    .map(drop)
            },
            is!(E::Refused(Refusal::CountOnlyIntervention)),
        ),
        case(
            "count-only intervention: anonymous participants",
            Vec::new(),
            |w| {
                w.count_handler
                    .register_anonymous(w.f.count_only, 2026, 1, 0)
            },
            is!(E::Refused(Refusal::CountOnlyIntervention)),
        ),
        case(
            "anonymous: zero women and zero men",
            Vec::new(),
            |w| w.f.handler.register_anonymous(w.f.intervention, 2026, 0, 0),
            is!(E::Refused(Refusal::NoneToCount)),
        ),
        case(
            "anonymous: a year in the future",
            Vec::new(),
            |w| w.f.handler.register_anonymous(w.f.intervention, 2027, 1, 0),
            is!(E::Refused(Refusal::YearInFuture { .. })),
        ),
        case(
            "anonymous: more than 10,000 at once",
            Vec::new(),
            |w| {
                w.f.handler
                    .register_anonymous(w.f.intervention, 2026, 10_000, 1)
            },
            is!(E::Refused(Refusal::TooManyAtOnce { .. })),
        ),
    ];
    cases.extend(keeping_cases());
    cases
}

#[test]
fn malformed_input_gets_a_clear_error_without_personal_data_and_changes_nothing() {
    let w = world();
    let store = w.f.service.store();
    let initial = snapshot(store);
    assert!(initial.problems.is_empty());
    let cases = cases();
    assert!(cases.len() >= 140, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let before = snapshot(store);
        match (c.run)(&w) {
            Ok(()) => failures.push(format!("{}: accepted", c.name)),
            Err(e) => {
                if !(c.expect)(&e) {
                    // The variant's message is fine to show: it carries no personal data, which
                    // assert_clean_message checks first.
                    assert_clean_message(c.name, &e, &c.personal);
                    failures.push(format!("{}: unexpected error: {e}", c.name));
                }
                assert_clean_message(c.name, &e, &c.personal);
                assert!(
                    e.is_user_error(),
                    "{}: not reported as the user's mistake",
                    c.name
                );
                if let Some(field) = untranslated_field(&e) {
                    failures.push(format!(
                        "{}: the Swedish message names the field in English ({field})",
                        c.name
                    ));
                }
            }
        }
        let after = snapshot(store);
        let changed = before.diff(&after);
        if !changed.is_empty() {
            failures.push(format!("{}: changed {}", c.name, changed.join(", ")));
        }
    }
    let overall = initial.diff(&snapshot(store));
    if !overall.is_empty() {
        failures.push(format!("all cases together changed {}", overall.join(", ")));
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn a_malformed_municipality_code_is_not_called_too_long() {
    let w = world();
    for code in ["12", "abcd", "1x"] {
        let e =
            w.f.handler
                .record_consent(
                    w.f.intervention,
                    &IdentityInput {
                        pnr: pnr_a(),
                        name: NAME_A.into(),
                        municipality: code.into(),
                    },
                    &consent_by_participant("2026-06-01"),
                )
                .unwrap_err();
        let english = e.message(Lang::En);
        assert!(
            !english.contains("too long"),
            "municipality `{code}`: {english}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Store level: damaged files, locks, key files
// ---------------------------------------------------------------------------------------------

/// A closed database with one registered person, and what it must still hold.
struct Closed {
    dir: tempfile::TempDir,
    db: PathBuf,
    participation: ParticipationId,
    head: (u64, [u8; 32]),
}

const STORED_NAME: &str = "Dagny Lagrad-Intakt";

fn stored_pnr() -> String {
    pnr(date(1990, 5, 17), 123)
}

/// Drops everything holding the database open; keeps the folder.
fn close(f: Fixture) -> (tempfile::TempDir, PathBuf) {
    let Fixture { dir, db_path, .. } = f;
    (dir, db_path)
}

fn closed_database() -> Closed {
    let f = Fixture::new();
    let participation = register(
        &f.handler,
        f.intervention,
        &stored_pnr(),
        STORED_NAME,
        "2026-06-10",
    );
    let head = audit::head(&*f.service.store().read().unwrap()).unwrap();
    let (dir, db) = close(f);
    Closed {
        dir,
        db,
        participation,
        head,
    }
}

impl Closed {
    fn key(&self) -> PathBuf {
        insats_store::default_key_path(&self.db)
    }

    /// The original opens with its own key and holds exactly what it held.
    fn assert_intact(&self, after: &str) {
        let store = Store::open(&self.db, None)
            .unwrap_or_else(|e| panic!("after {after}: the original does not open: {e}"));
        let tx = store.read().unwrap();
        assert_eq!(audit::head(&*tx).unwrap(), self.head, "after {after}");
        assert_eq!(
            audit::verify(&*tx, store.crypto()).unwrap().ok(),
            Some(self.head.0),
            "after {after}: the audit chain does not verify"
        );
        assert!(check::check(&tx).unwrap().is_empty(), "after {after}");
        let pid: PersonId = people::person_by_pnr(&*tx, store.crypto(), &parsed(&stored_pnr()))
            .unwrap()
            .unwrap_or_else(|| panic!("after {after}: the person is not found"));
        let row = people::person(&*tx, pid).unwrap().unwrap();
        let identity = people::unseal_person(store.crypto(), pid, &row).unwrap();
        assert!(
            identity.name == STORED_NAME,
            "after {after}: the name does not read back"
        );
        assert!(
            people::participation(&*tx, self.participation)
                .unwrap()
                .is_some(),
            "after {after}: the participation is gone"
        );
    }

    /// A copy of the database (and its key beside it) under another name.
    fn copy(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::copy(&self.db, &path).unwrap();
        std::fs::copy(self.key(), insats_store::default_key_path(&path)).unwrap();
        path
    }

    /// A key file beside `path` copied from this database's key (mode 0600).
    fn key_beside(&self, path: &Path) {
        let key = insats_store::default_key_path(path);
        std::fs::copy(self.key(), &key).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// The hex key lines of the key file, which must never appear in a message.
    fn key_secrets(&self) -> Vec<String> {
        std::fs::read_to_string(self.key())
            .unwrap()
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter(|hex| hex.len() == 64)
            .flat_map(|hex| [hex.to_owned(), hex[..16].to_owned()])
            .collect()
    }
}

/// Opens without letting a panic escape: a panic is a failure with the case's name.
fn open_guarded(case: &str, path: &Path, key: Option<&Path>) -> Result<Store, StoreError> {
    let (path, key) = (path.to_owned(), key.map(Path::to_owned));
    std::panic::catch_unwind(move || Store::open(&path, key.as_deref()))
        .unwrap_or_else(|_| panic!("{case}: Store::open panicked"))
}

/// The store error is clear: a non-empty message without personal data or key material.
fn assert_clean_store_error(case: &str, e: &StoreError, closed: &Closed) {
    let message = e.to_string();
    assert!(!message.trim().is_empty(), "{case}: empty message");
    let mut secret = pnr_needles(&stored_pnr());
    secret.extend(name_needles(STORED_NAME));
    secret.extend(closed.key_secrets());
    for text in [message, format!("{e:?}")] {
        for (i, needle) in secret.iter().enumerate() {
            assert!(
                !text.contains(needle.as_str()),
                "{case}: the message contains personal data or key material (needle #{i})"
            );
        }
    }
}

/// A deterministic stream of pseudo-random bytes.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[3]
        })
        .collect()
}

#[test]
fn a_damaged_or_foreign_file_is_refused_clearly_and_the_original_still_opens() {
    let closed = closed_database();
    let original = std::fs::read(&closed.db).unwrap();
    let len = original.len();
    let mut failures = Vec::new();

    let mut files: Vec<(&str, PathBuf)> = Vec::new();
    let mut write_copy = |case: &'static str, name: &str, bytes: Vec<u8>| {
        let path = closed.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        closed.key_beside(&path);
        files.push((case, path));
    };
    // Garbage over the pages after the header: see the ignored test below.
    let mut header_garbage = original.clone();
    header_garbage[..4096.min(len)].copy_from_slice(&noise(4096.min(len), 1));
    write_copy("garbage over the header", "header.redb", header_garbage);
    write_copy(
        "truncated to half",
        "half.redb",
        original[..len / 2].to_vec(),
    );
    write_copy(
        "truncated to 1000 bytes",
        "short.redb",
        original[..1000].to_vec(),
    );
    write_copy("empty file", "empty.redb", Vec::new());
    write_copy(
        "random bytes, not a database",
        "random.redb",
        noise(256 * 1024, 3),
    );
    write_copy(
        "a text file",
        "text.redb",
        b"Detta \xc3\xa4r ingen databas.\n".to_vec(),
    );

    for (case, path) in &files {
        match open_guarded(case, path, None) {
            Ok(_) => failures.push(format!("{case}: opened")),
            Err(e @ (StoreError::Damaged { .. } | StoreError::NotInsats { .. })) => {
                assert_clean_store_error(case, &e, &closed);
                assert!(
                    e.to_string().contains(&*path.to_string_lossy()),
                    "{case}: the message does not name the file"
                );
            }
            Err(e) => {
                assert_clean_store_error(case, &e, &closed);
                failures.push(format!("{case}: {e:?}"));
            }
        }
        closed.assert_intact(case);
    }
    assert!(
        failures.is_empty(),
        "not refused as damaged / not insats:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_file_with_garbage_pages_is_refused_as_damaged_without_a_panic() {
    let closed = closed_database();
    let mut bytes = std::fs::read(&closed.db).unwrap();
    let len = bytes.len();
    bytes[4096..].copy_from_slice(&noise(len - 4096, 2));
    let path = closed.dir.path().join("body.redb");
    std::fs::write(&path, bytes).unwrap();
    closed.key_beside(&path);
    let result = std::panic::catch_unwind(|| Store::open(&path, None));
    closed.assert_intact("garbage over every page");
    let Ok(result) = result else {
        panic!("garbage over every page: Store::open panicked");
    };
    let e = result.unwrap_err();
    assert!(
        matches!(e, StoreError::Damaged { .. } | StoreError::NotInsats { .. }),
        "{e:?}"
    );
    assert_clean_store_error("garbage over every page", &e, &closed);
}

#[test]
fn a_redb_file_of_another_program_is_not_insats() {
    let closed = closed_database();
    let path = closed.dir.path().join("other-program.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let table: TableDefinition<&str, u64> = TableDefinition::new("something_else");
            tx.open_table(table).unwrap().insert("x", 1).unwrap();
        }
        tx.commit().unwrap();
        let _ = db.begin_read().unwrap();
    }
    closed.key_beside(&path);
    let e = open_guarded("another program's redb file", &path, None).unwrap_err();
    assert!(matches!(e, StoreError::NotInsats { .. }), "{e:?}");
    assert_clean_store_error("another program's redb file", &e, &closed);
    closed.assert_intact("another program's redb file");
}

#[test]
fn a_database_open_in_this_process_is_locked() {
    let closed = closed_database();
    let first = Store::open(&closed.db, None).unwrap();
    let e = open_guarded("second open in-process", &closed.db, None).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e:?}");
    assert_clean_store_error("second open in-process", &e, &closed);
    // The holder is undisturbed.
    let tx = first.read().unwrap();
    assert_eq!(audit::head(&*tx).unwrap(), closed.head);
    drop(tx);
    drop(first);
    closed.assert_intact("second open in-process");
}

const HOLD_ENV: &str = "INSATS_TEST_HOLD_DB";
const HELD: &str = "insats-test: database held";

/// Not a test on its own: run in a child process by
/// [`a_database_open_in_another_process_is_locked`], it opens the database named in
/// `INSATS_TEST_HOLD_DB`, says so on stdout, and holds it until its stdin closes.
#[test]
#[ignore = "helper, run in a child process by a_database_open_in_another_process_is_locked"]
fn hold_database_open_in_child_process() {
    let Some(path) = std::env::var_os(HOLD_ENV) else {
        return;
    };
    let store = Store::open(Path::new(&path), None).unwrap();
    let mut out = std::io::stdout();
    writeln!(out, "\n{HELD}").unwrap();
    out.flush().unwrap();
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {}
    drop(store);
}

#[test]
fn a_database_open_in_another_process_is_locked() {
    let closed = closed_database();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hold_database_open_in_child_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLD_ENV, &closed.db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    let held = lines.any(|l| l.trim() == HELD);
    assert!(held, "the child process did not open the database");

    let e = open_guarded("open held by another process", &closed.db, None);
    // Let the child go before asserting, so a failure does not leave it waiting; read its
    // output to the end so it never writes into a closed pipe.
    drop(child.stdin.take());
    lines.for_each(drop);
    let status = child.wait().unwrap();
    let e = e.unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e:?}");
    assert_clean_store_error("open held by another process", &e, &closed);
    assert!(status.success(), "the child process failed");
    closed.assert_intact("open held by another process");
}

#[test]
fn key_file_problems_are_refused_clearly_and_the_original_still_opens() {
    let closed = closed_database();
    let dir = closed.dir.path();

    // Missing.
    let missing = dir.join("missing.key");
    let e = open_guarded("missing key file", &closed.db, Some(&missing)).unwrap_err();
    assert!(
        matches!(e, StoreError::Crypto(CryptoError::KeyMissing { .. })),
        "{e:?}"
    );
    assert_clean_store_error("missing key file", &e, &closed);
    closed.assert_intact("missing key file");

    // A database copied without its key file beside it.
    let alone = dir.join("alone.redb");
    std::fs::copy(&closed.db, &alone).unwrap();
    let e = open_guarded("database without its key file", &alone, None).unwrap_err();
    assert!(
        matches!(e, StoreError::Crypto(CryptoError::KeyMissing { .. })),
        "{e:?}"
    );
    assert_clean_store_error("database without its key file", &e, &closed);

    // The key file of another database.
    let other_db = dir.join("other.redb");
    drop(Store::create(&other_db, None, false).unwrap());
    let other_key = insats_store::default_key_path(&other_db);
    let e = open_guarded("another database's key", &closed.db, Some(&other_key)).unwrap_err();
    assert!(matches!(e, StoreError::WrongKey), "{e:?}");
    assert_clean_store_error("another database's key", &e, &closed);
    closed.assert_intact("another database's key");

    // Readable by others.
    let loose = dir.join("loose.key");
    std::fs::copy(closed.key(), &loose).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = open_guarded("key file mode 0644", &closed.db, Some(&loose)).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Crypto(CryptoError::KeyPermissions { mode: 0o644, .. })
        ),
        "{e:?}"
    );
    assert_clean_store_error("key file mode 0644", &e, &closed);
    assert!(e.to_string().contains("chmod 600"));
    closed.assert_intact("key file mode 0644");

    // Malformed: not a key file at all, a truncated key, a bad hex digit.
    let good = std::fs::read_to_string(closed.key()).unwrap();
    let truncated: String = good.lines().take(3).collect::<Vec<_>>().join("\n");
    let bad_hex = good.replacen("enc ", "enc zz", 1);
    for (case, text, line) in [
        ("key file: not a key file", "hello\n".to_owned(), 1),
        ("key file: keys missing", truncated, 0),
        ("key file: bad hex", bad_hex, 0),
    ] {
        let path = dir.join("malformed.key");
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = open_guarded(case, &closed.db, Some(&path)).unwrap_err();
        match &e {
            StoreError::Crypto(CryptoError::KeyMalformed { line: l, .. }) => {
                assert!(line == 0 || *l == line, "{case}: line {l}, expected {line}");
            }
            other => panic!("{case}: {other:?}"),
        }
        assert_clean_store_error(case, &e, &closed);
        closed.assert_intact(case);
    }

    // A folder where the key file should be.
    let folder = dir.join("folder.key");
    std::fs::create_dir(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).unwrap();
    let e = open_guarded("key path is a folder", &closed.db, Some(&folder)).unwrap_err();
    assert!(
        matches!(e, StoreError::Crypto(CryptoError::KeyUnreadable { .. })),
        "{e:?}"
    );
    assert_clean_store_error("key path is a folder", &e, &closed);
    closed.assert_intact("key path is a folder");
}

#[test]
fn a_missing_database_is_not_found_and_an_existing_one_is_not_overwritten() {
    let closed = closed_database();
    let missing = closed.dir.path().join("nowhere.redb");
    let e = open_guarded("missing database", &missing, None).unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    assert_clean_store_error("missing database", &e, &closed);

    let e = Store::create(&closed.db, None, false).unwrap_err();
    assert!(matches!(e, StoreError::AlreadyExists { .. }), "{e:?}");
    assert_clean_store_error("create over an existing database", &e, &closed);
    closed.assert_intact("create over an existing database");
    assert!(closed.copy("copy.redb").exists());
}

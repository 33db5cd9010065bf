//! The follow-up aggregates under every change that moves them (domain §9, issue 12 item 3):
//! random sequences of registration in and out, corrections, withdrawal, protected identity,
//! misregistration, anonymous counts, count-only volumes, imports and retention runs, with
//! `check` — which recounts every stored aggregate from the rows — after each command.
//!
//! `tests/properties.rs` holds the full model of the register; this test has no model: it
//! drives the commands a model cannot easily predict (an import, a retention purge) among the
//! others and asks only that the aggregates stay equal to a recount, and that every kind of
//! command did succeed in the run (so the property is not met by refusals alone).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{Days, Months, NaiveDate};
use common::*;
use insats::domain::consent::{ConsentEvidence, Signer};
use insats::domain::ids::{InterventionId, ParticipationId};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::participation::Occasion;
use insats::domain::person::Identity;
use insats::domain::questionnaire::EndReason;
use insats::domain::user::{Role, Scope};
use insats::service::{ImportOut, ImportRow, InterventionInput, Session, VolumeInput};
use insats_store::check;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Clone)]
enum Cmd {
    /// Consent and registration in on the old intervention (`old`) or the fixture's.
    Register {
        old: bool,
        who: u16,
        months: u32,
        first: bool,
    },
    RegisterOut {
        p: usize,
        days: u64,
        reason: usize,
        answers: bool,
    },
    Correct {
        p: usize,
        out: bool,
    },
    Withdraw {
        p: usize,
    },
    Protect {
        p: usize,
    },
    Misregister {
        p: usize,
    },
    Anonymous {
        year: i32,
        women: u32,
        men: u32,
    },
    Volume {
        month: u32,
        women: u32,
        men: u32,
    },
    /// Rows on the old intervention, some registered out years ago.
    Import {
        rows: Vec<(u16, u32, Option<u64>)>,
    },
    /// Retention at five years; unused consents go after 0 or 30 days.
    Retention {
        unused_days: u32,
    },
    /// A consent no registration uses (until a later registration of the same person).
    UnusedConsent {
        who: u16,
    },
}

fn command() -> impl Strategy<Value = Cmd> {
    let idx = || 0usize..12;
    prop_oneof![
        6 => (any::<bool>(), 0u16..40, 0u32..78, any::<bool>())
            .prop_map(|(old, who, months, first)| Cmd::Register { old, who, months, first }),
        4 => (idx(), 1u64..700, 0usize..8, prop_oneof![4 => Just(true), 1 => Just(false)])
            .prop_map(|(p, days, reason, answers)| Cmd::RegisterOut { p, days, reason, answers }),
        2 => (idx(), any::<bool>()).prop_map(|(p, out)| Cmd::Correct { p, out }),
        1 => idx().prop_map(|p| Cmd::Withdraw { p }),
        1 => idx().prop_map(|p| Cmd::Protect { p }),
        1 => idx().prop_map(|p| Cmd::Misregister { p }),
        1 => (2025i32..=2026, 0u32..4, 0u32..4)
            .prop_map(|(year, women, men)| Cmd::Anonymous { year, women, men }),
        1 => (1u32..=12, 0u32..5, 0u32..5)
            .prop_map(|(month, women, men)| Cmd::Volume { month, women, men }),
        1 => proptest::collection::vec((40u16..200, 0u32..60, proptest::option::of(1u64..900)), 1..5)
            .prop_map(|rows| Cmd::Import { rows }),
        1 => prop_oneof![Just(0u32), Just(30u32)].prop_map(|unused_days| Cmd::Retention { unused_days }),
        1 => (0u16..40).prop_map(|who| Cmd::UnusedConsent { who }),
    ]
}

struct World {
    f: Fixture,
    old: InterventionId,
    /// The volume keeper of the count-only intervention.
    keeper: Session,
    /// Participations registered so far (some since erased: commands on them are refused).
    made: Vec<ParticipationId>,
}

const START: &str = "2020-01-01";

fn start() -> NaiveDate {
    date(2020, 1, 1)
}

fn world() -> World {
    let f = Fixture::new();
    let aa = Session::sign_in(&f.service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let old = aa
        .create_intervention(&InterventionInput {
            association: f.association,
            name: "Tidiga steg".into(),
            description: String::new(),
            start: START.into(),
            end: String::new(),
            direction: Direction::Individual,
            target_groups: vec![],
            measurement: Measurement::Individual,
        })
        .unwrap();
    f.admin
        .assign(
            user_id(&f.handler),
            Role::ParticipantHandler,
            Scope::Intervention(old),
            START,
            "",
        )
        .unwrap();
    f.admin
        .assign(
            user_id(&f.manager),
            Role::InterventionManager,
            Scope::Intervention(f.count_only),
            "2024-01-01",
            "",
        )
        .unwrap();
    let keeper = Session::sign_in(&f.service, "maja", Some(Role::InterventionManager)).unwrap();
    World {
        f,
        old,
        keeper,
        made: Vec::new(),
    }
}

/// A person of the pool: born 1960–1999, the serial's third digit giving the gender.
fn person(who: u16) -> String {
    let birth = date(
        1960 + i32::from(who % 40),
        1 + u32::from(who % 12),
        1 + u32::from(who % 28),
    );
    pnr(birth, 100 + who)
}

fn on(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl World {
    fn pick(&self, p: usize) -> Option<ParticipationId> {
        (!self.made.is_empty()).then(|| self.made[p % self.made.len()])
    }

    /// Runs one command; returns whether the service accepted it.
    fn run(&mut self, c: &Cmd) -> bool {
        let f = &self.f;
        let h = &f.handler;
        let cat = f.service.catalogue().clone();
        let set = |first: bool| {
            if first {
                answers(&cat)
            } else {
                other_answers(&cat)
            }
        };
        match c {
            Cmd::Register {
                old,
                who,
                months,
                first,
            } => {
                let (iv, from) = if *old {
                    (self.old, start())
                } else {
                    (f.intervention, date(2025, 1, 1))
                };
                let Some(in_date) = from.checked_add_months(Months::new(*months)) else {
                    return false;
                };
                let r = h.register_new(
                    iv,
                    &identity(&person(*who), "Slump Person"),
                    &consent_by_participant(&on(in_date)),
                    &insats::service::NewRegistration {
                        in_date: on(in_date),
                        gender: None,
                        answers: set(*first),
                    },
                );
                r.map(|p| self.made.push(p)).is_ok()
            }
            Cmd::RegisterOut {
                p,
                days,
                reason,
                answers,
            } => {
                let Some(p) = self.pick(*p) else { return false };
                let Ok(row) = h.open_participant(p) else {
                    return false;
                };
                let out = row.row.participation.in_date + Days::new(*days);
                let reasons = &EndReason::ALL[..EndReason::ALL.len() - 1];
                h.register_out(
                    p,
                    &on(out),
                    reasons[reason % reasons.len()],
                    answers.then(|| other_answers(&cat)),
                )
                .is_ok()
            }
            Cmd::Correct { p, out } => {
                let Some(p) = self.pick(*p) else { return false };
                let occasion = if *out { Occasion::Out } else { Occasion::In };
                h.correct_answers(p, occasion, answers(&cat)).is_ok()
            }
            Cmd::Withdraw { p } => self.pick(*p).is_some_and(|p| h.withdraw_consent(p).is_ok()),
            Cmd::Protect { p } => self.pick(*p).is_some_and(|p| h.mark_protected(p).is_ok()),
            Cmd::Misregister { p } => self.pick(*p).is_some_and(|p| h.misregister(p).is_ok()),
            Cmd::Anonymous { year, women, men } => h
                .register_anonymous(f.intervention, *year, *women, *men)
                .is_ok(),
            Cmd::Volume { month, women, men } => self
                .keeper
                .set_volume(
                    f.count_only,
                    &VolumeInput {
                        year: "2025".into(),
                        month: month.to_string(),
                        women: women.to_string(),
                        men: men.to_string(),
                    },
                )
                .is_ok(),
            Cmd::Import { rows } => {
                let rows: Vec<ImportRow> = rows
                    .iter()
                    .map(|(who, months, out_days)| {
                        let in_date = start() + Months::new(*months);
                        let pnr_text = person(*who);
                        ImportRow {
                            identity: Identity {
                                pnr: parsed(&pnr_text),
                                name: "Import Person".into(),
                                municipality: insats::domain::person::MunicipalityCode::parse(
                                    "0180",
                                )
                                .unwrap(),
                            },
                            gender: None,
                            intervention: self.old,
                            consent: ConsentEvidence {
                                signed_on: in_date,
                                signed_by: Signer::Participant,
                                received_by: "Hanna Handläggare".into(),
                                original_sent_on: None,
                                judged_mature: false,
                            },
                            in_date,
                            answers_in: answers(&cat),
                            out: out_days.map(|d| ImportOut {
                                date: in_date + Days::new(d),
                                reason: EndReason::CompletedAsPlanned,
                                answers: Some(other_answers(&cat)),
                            }),
                        }
                    })
                    .collect();
                f.admin.import(rows).is_ok()
            }
            Cmd::Retention { unused_days } => {
                f.admin.retention_with(Some(5), *unused_days, true).is_ok()
            }
            Cmd::UnusedConsent { who } => h
                .record_consent(
                    f.intervention,
                    &identity(&person(*who), "Slump Person"),
                    &consent_by_participant("2026-06-01"),
                )
                .is_ok(),
        }
    }
}

fn kind(c: &Cmd) -> &'static str {
    match c {
        Cmd::Register { .. } => "register",
        Cmd::RegisterOut { .. } => "register-out",
        Cmd::Correct { .. } => "correct",
        Cmd::Withdraw { .. } => "withdraw",
        Cmd::Protect { .. } => "protect",
        Cmd::Misregister { .. } => "misregister",
        Cmd::Anonymous { .. } => "anonymous",
        Cmd::Volume { .. } => "volume",
        Cmd::Import { .. } => "import",
        Cmd::Retention { .. } => "retention",
        Cmd::UnusedConsent { .. } => "unused-consent",
    }
}

/// Random sequences of commands, `check` after each; then every kind of command must have been
/// accepted somewhere in the run, so the recounts were not met by refusals alone.
#[test]
fn every_stored_aggregate_equals_a_recount_after_any_sequence_of_changes() {
    let accepted: Mutex<BTreeMap<&'static str, u32>> = Mutex::new(BTreeMap::new());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = proptest::collection::vec(command(), 10..40);
    let result = runner.run(&strategy, |cmds| {
        let mut w = world();
        for (i, c) in cmds.iter().enumerate() {
            if w.run(c) {
                *accepted.lock().unwrap().entry(kind(c)).or_default() += 1;
            }
            let tx = w.f.service.store().read().unwrap();
            let problems = check::check(&tx).unwrap();
            prop_assert!(
                problems.is_empty(),
                "after command {i} ({c:?}): {problems:?}"
            );
        }
        let chain = w.f.admin.verify_audit().unwrap();
        prop_assert!(
            matches!(chain, insats::service::ChainState::Intact(_)),
            "{chain:?}"
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let accepted = accepted.into_inner().unwrap();
    for k in [
        "register",
        "register-out",
        "correct",
        "withdraw",
        "protect",
        "misregister",
        "anonymous",
        "volume",
        "import",
        "retention",
        "unused-consent",
    ] {
        assert!(
            accepted.get(k).copied().unwrap_or(0) > 0,
            "{k} never accepted: {accepted:?}"
        );
    }
}

//! Shared fixture for integration tests: a fresh database in a temp folder with an association,
//! interventions and users of every role, a fixed clock, and helpers to register people.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use insats::domain::consent::Signer;
use insats::domain::ids::{AssociationId, ConsentId, InterventionId, ParticipationId, UserId};
use insats::domain::intervention::{Direction, Measurement};
use insats::domain::personnummer::{Personnummer, luhn_check_digit};
use insats::domain::questionnaire::{AnswerValue, Answers, Catalogue};
use insats::domain::user::{Role, Scope};
use insats::service::{
    AssociationInput, ConsentInput, FixedClock, IdentityInput, InitInput, InterventionInput,
    RegisterInInput, Service, Session,
};
use insats_store::Store;
use std::path::PathBuf;

pub mod backup;
pub mod ssh;
pub mod tmux;

/// "Today" in every test: 2026-06-15.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db_path: PathBuf,
    pub service: Service,
    pub association: AssociationId,
    /// Individual-measurement intervention, started 2025-01-01, open-ended.
    pub intervention: InterventionId,
    /// A second individual intervention of the same association.
    pub other_intervention: InterventionId,
    /// A count-only intervention (volyminsats).
    pub count_only: InterventionId,
    /// Admin: system admin + association admin.
    pub admin: Session,
    /// Participant handler assigned to `intervention` only.
    pub handler: Session,
    /// Participant handler assigned to `other_intervention` only.
    pub other_handler: Session,
    /// Intervention manager of `intervention`.
    pub manager: Session,
    pub report_reader: Session,
    pub log_reviewer: Session,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::new_in(tempfile::tempdir().unwrap())
    }

    /// The database file's bytes as they are on disk now.
    pub fn raw_file(&self) -> Vec<u8> {
        std::fs::read(&self.db_path).unwrap()
    }
}

/// A valid fictitious personnummer (12 digits with hyphen) for a birth date and serial.
pub fn pnr(birth: NaiveDate, serial: u16) -> String {
    let yymmdd = birth.format("%y%m%d").to_string();
    let nine = format!("{yymmdd}{:03}", serial % 1000);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let check = luhn_check_digit(&digits);
    format!("{}-{:03}{check}", birth.format("%Y%m%d"), serial % 1000)
}

/// Parses what [`pnr`] made.
pub fn parsed(pnr_text: &str) -> Personnummer {
    Personnummer::parse(pnr_text, today()).unwrap()
}

pub fn identity(pnr_text: &str, name: &str) -> IdentityInput {
    IdentityInput {
        pnr: pnr_text.into(),
        name: name.into(),
        municipality: "0180".into(),
    }
}

/// Form 9443 evidence signed by the participant on `signed_on`.
pub fn consent_by_participant(signed_on: &str) -> ConsentInput {
    ConsentInput {
        signed_on: signed_on.into(),
        signed_by: Signer::Participant,
        received_by: "Hanna Handläggare".into(),
        original_sent_on: String::new(),
        judged_mature: false,
    }
}

/// A complete, valid answer set for the default catalogue.
pub fn answers(catalogue: &Catalogue) -> Answers {
    let mut a = Answers::new(catalogue.version);
    for q in catalogue.questions_on(today()) {
        let first = q.options[0].key.clone();
        let value = match q.kind {
            insats::domain::questionnaire::QuestionKind::Single => AnswerValue::One(first),
            insats::domain::questionnaire::QuestionKind::Multi => AnswerValue::Many(vec![first]),
        };
        a.set(&q.key, value);
    }
    a
}

/// A different complete answer set (last option of each question).
pub fn other_answers(catalogue: &Catalogue) -> Answers {
    let mut a = Answers::new(catalogue.version);
    for q in catalogue.questions_on(today()) {
        let last = q.options[q.options.len() - 1].key.clone();
        let value = match q.kind {
            insats::domain::questionnaire::QuestionKind::Single => AnswerValue::One(last),
            insats::domain::questionnaire::QuestionKind::Multi => AnswerValue::Many(vec![last]),
        };
        a.set(&q.key, value);
    }
    a
}

/// Records consent and registers a person in on `in_date`.
pub fn register(
    session: &Session,
    intervention: InterventionId,
    pnr_text: &str,
    name: &str,
    in_date: &str,
) -> ParticipationId {
    let consent = record(session, intervention, pnr_text, name);
    session
        .register_in(&RegisterInInput {
            consent,
            in_date: in_date.into(),
            gender: None,
            answers: answers(session.service().catalogue()),
        })
        .unwrap()
}

pub fn record(
    session: &Session,
    intervention: InterventionId,
    pnr_text: &str,
    name: &str,
) -> ConsentId {
    session
        .record_consent(
            intervention,
            &identity(pnr_text, name),
            &consent_by_participant("2026-06-01"),
        )
        .unwrap()
}

pub fn register_input(consent: ConsentId, in_date: &str, session: &Session) -> RegisterInInput {
    RegisterInInput {
        consent,
        in_date: in_date.into(),
        gender: None,
        answers: answers(session.service().catalogue()),
    }
}

/// Number of occurrences of `needle` in `haystack`.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() {
        return 0;
    }
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

pub fn user_id(s: &Session) -> UserId {
    s.user().id
}

// Appended for tests/properties.rs, which builds a fresh fixture for every generated case.
impl Fixture {
    /// As [`Fixture::new`], with the database in a RAM-backed folder (`/dev/shm`) where there is
    /// one, so that commits cost no fsync; falls back to the usual temp folder. On a disk-backed
    /// /tmp a fixture costs ~0.2 s of fsyncs, too slow for dozens of property-test cases.
    pub fn new_in_ram() -> Fixture {
        let dir = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .unwrap();
        Fixture::new_in(dir)
    }

    /// As [`Fixture::new`], in the given empty folder (the same content, step by step).
    pub fn new_in(dir: tempfile::TempDir) -> Fixture {
        let db_path = dir.path().join("insats.redb");
        let store = Store::create(&db_path, None, false).unwrap();
        let service = Service::new(store, Box::new(FixedClock::on(today())));
        let (association, _) = service
            .init(&InitInput {
                association: AssociationInput {
                    name: "Samordningsförbundet Test".into(),
                    org_number: "222000-1230".into(),
                    description: String::new(),
                    municipalities: "0180, 0114".into(),
                    start: "2020-01-01".into(),
                    end: String::new(),
                },
                admin_username: "admin".into(),
                admin_display_name: "Ada Admin".into(),
            })
            .unwrap();
        let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
        let new_intervention = |name: &str, start: &str, m: Measurement| {
            admin
                .create_intervention(&InterventionInput {
                    association,
                    name: name.into(),
                    description: String::new(),
                    start: start.into(),
                    end: String::new(),
                    direction: Direction::Individual,
                    target_groups: vec!["unga vuxna".into()],
                    measurement: m,
                })
                .unwrap()
        };
        let intervention =
            new_intervention("Steg till arbete", "2025-01-01", Measurement::Individual);
        let other_intervention =
            new_intervention("Hälsa först", "2024-03-01", Measurement::Individual);
        let count_only = new_intervention("Öppen mötesplats", "2024-01-01", Measurement::CountOnly);
        let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
        let mk = |name: &str, role: Role, scope: Scope| -> Session {
            let id = sys.create_user(name, name, &[role]).unwrap();
            sys.assign(id, role, scope, "2020-01-01", "").unwrap();
            Session::sign_in(&service, name, Some(role)).unwrap()
        };
        let handler = mk(
            "hanna",
            Role::ParticipantHandler,
            Scope::Intervention(intervention),
        );
        let other_handler = mk(
            "olle",
            Role::ParticipantHandler,
            Scope::Intervention(other_intervention),
        );
        let manager = mk(
            "maja",
            Role::InterventionManager,
            Scope::Intervention(intervention),
        );
        let report_reader = mk("rut", Role::ReportReader, Scope::Association(association));
        let log_reviewer = mk("lars", Role::LogReviewer, Scope::Association(association));
        Fixture {
            dir,
            db_path,
            service,
            association,
            intervention,
            other_intervention,
            count_only,
            admin: sys,
            handler,
            other_handler,
            manager,
            report_reader,
            log_reviewer,
        }
    }
}

/// Hanna's first intervention in the demo database at `db`, and how many questions its
/// register-in form asks on the demo's day (read before a UI or server takes the file).
pub fn hannas_first_intervention(
    db: &std::path::Path,
) -> (insats::service::InterventionView, usize) {
    let service = insats::cli::screens::demo_service(db).unwrap();
    let s = Session::sign_in(&service, "hanna", None).unwrap();
    let v = s.interventions().unwrap()[0].clone();
    let questions = s
        .questionnaire(v.intervention.id)
        .unwrap()
        .questions_on(insats::cli::demo::demo_today())
        .len();
    (v, questions)
}

/// How many consents a database holds (read with the store, no service running).
pub fn consents_in(db: &std::path::Path) -> u64 {
    use redb::ReadableTableMetadata;
    let store = insats_store::Store::open(db, None).unwrap();
    let tx = store.read().unwrap();
    tx.open_table(insats_store::schema::CONSENTS)
        .unwrap()
        .len()
        .unwrap()
}

#![allow(clippy::unwrap_used)]
use crate::{
    AssociationInput, AuditFilter, FixedClock, InitInput, InterventionInput, Service, ServiceError,
    Session,
};
use insats_domain::audit::Action;
use insats_domain::ids::AssociationId;
use insats_domain::intervention::{Direction, Measurement};
use insats_domain::record::{ProcessingRecord, RecordError, Text};
use insats_domain::user::{Role, Scope};
use insats_store::Store;
use std::path::Path;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

fn open(path: &Path) -> Service {
    Service::new(
        Store::open(path, None).unwrap(),
        Box::new(FixedClock::on(today())),
    )
}

fn association(name: &str, org_number: &str) -> AssociationInput {
    AssociationInput {
        name: name.into(),
        org_number: org_number.into(),
        description: String::new(),
        municipalities: "0180".into(),
        start: "2020-01-01".into(),
        end: String::new(),
    }
}

/// F1 with an intervention, its handler (hanna), a report reader (rut) and a log reviewer
/// (lars); F2 with its own administrator (greta).
fn office(dir: &Path) -> Service {
    let path = dir.join("t.redb");
    let store = Store::create(&path, None, false).unwrap();
    let service = Service::new(store, Box::new(FixedClock::on(today())));
    let (f1, _) = service
        .init(&InitInput {
            association: association("Förbundet", "222000-1230"),
            admin_username: "admin".into(),
            admin_display_name: "Ada Admin".into(),
        })
        .unwrap();
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let i1 = admin
        .create_intervention(&InterventionInput {
            association: f1,
            name: "Steg".into(),
            description: String::new(),
            start: "2021-01-01".into(),
            end: String::new(),
            direction: Direction::Individual,
            target_groups: Vec::new(),
            measurement: Measurement::Individual,
        })
        .unwrap();
    let f2 = sys
        .create_association(&association("Andra förbundet", "232100-0016"))
        .unwrap();
    for (name, role, scope) in [
        ("hanna", Role::ParticipantHandler, Scope::Intervention(i1)),
        ("rut", Role::ReportReader, Scope::Association(f1)),
        ("lars", Role::LogReviewer, Scope::Association(f1)),
        ("greta", Role::AssociationAdmin, Scope::Association(f2)),
    ] {
        let user = sys.create_user(name, name, &[role]).unwrap();
        sys.assign(user, role, scope, "2021-01-01", "").unwrap();
    }
    drop((sys, admin));
    service
}

fn record_entries(service: &Service) -> Vec<insats_domain::audit::Entry> {
    let sys = Session::sign_in(service, "admin", Some(Role::SystemAdmin)).unwrap();
    sys.audit_page(&AuditFilter::default(), None, 500)
        .unwrap()
        .into_iter()
        .filter(|e| e.draft.action == Action::UpdateProcessingRecord)
        .collect()
}

#[test]
fn the_association_administrator_edits_the_record_audited_and_every_role_in_it_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let service = office(dir.path());
    let f1 = AssociationId(1);
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();

    // Before anything is set: the program's default, legal bases empty.
    let view = admin.processing_record(f1).unwrap();
    assert!(view.is_default);
    assert_eq!(view.record, ProcessingRecord::default_for_this_register());
    assert!(
        view.text(false)
            .contains("(to be filled in by the association)")
    );

    let mut record = view.record.clone();
    record.purposes[0].legal_basis = Text::new(
        "Samtycke, art. 6.1 a och 9.2 a",
        "Consent, art. 6(1)(a) and 9(2)(a)",
    );
    record.recipients.push(Text::new(
        "Förbundets styrelse (statistik)",
        "The board (totals)",
    ));
    assert_eq!(
        admin.set_processing_record(f1, &record).unwrap(),
        vec!["legal_basis", "recipients"]
    );
    // One audit entry naming the sections, nothing of their text.
    let entries = record_entries(&service);
    assert_eq!(entries.len(), 1);
    let e = &entries[0].draft;
    assert_eq!(e.association, Some(f1));
    assert_eq!(e.role, Some(Role::AssociationAdmin));
    assert_eq!(e.fields, vec!["legal_basis", "recipients"]);
    assert!(e.note.is_empty());
    // The same again changes nothing: refused, not logged.
    assert!(matches!(
        admin.set_processing_record(f1, &record),
        Err(ServiceError::Record(RecordError::NothingChanged))
    ));
    assert_eq!(record_entries(&service).len(), 1);

    // Every role that works in F1 reads it; none but its administrator may change it.
    for (user, role) in [
        ("hanna", None),
        ("rut", None),
        ("lars", None),
        ("admin", Some(Role::SystemAdmin)),
    ] {
        let s = Session::sign_in(&service, user, role).unwrap();
        let view = s.processing_record(f1).unwrap();
        assert!(!view.is_default, "{user}");
        assert_eq!(view.record, record, "{user}");
        let mut other = record.clone();
        other.transfers = Text::new("Inga alls.", "None at all.");
        assert!(
            matches!(
                s.set_processing_record(f1, &other),
                Err(ServiceError::Denied(_))
            ),
            "{user}"
        );
    }
    // The administrator of another association neither reads nor changes F1's.
    let greta = Session::sign_in(&service, "greta", None).unwrap();
    let err = greta.processing_record(f1).unwrap_err();
    assert!(matches!(err, ServiceError::Denied(_)), "{err}");
    assert!(
        err.message(crate::Lang::Sv)
            .contains("förbundet ligger utanför")
    );
    assert!(matches!(
        greta.set_processing_record(f1, &record),
        Err(ServiceError::Denied(_))
    ));
    // …but reads her own, still the default.
    assert!(
        greta
            .processing_record(AssociationId(2))
            .unwrap()
            .is_default
    );
    assert_eq!(record_entries(&service).len(), 1);

    // A bad record is refused whole: nothing changes, nothing is logged.
    let mut bad = record.clone();
    bad.people.clear();
    bad.transfers = Text::new("Inga", "None");
    assert!(matches!(
        admin.set_processing_record(f1, &bad),
        Err(ServiceError::Record(RecordError::NoEntries {
            section: "people"
        }))
    ));
    assert_eq!(admin.processing_record(f1).unwrap().record, record);
    assert_eq!(record_entries(&service).len(), 1);

    // The information to a participant names the legal basis the record gives the follow-up.
    let hanna = Session::sign_in(&service, "hanna", None).unwrap();
    let i1 = hanna.interventions().unwrap()[0].intervention.id;
    let info = hanna.participant_information(i1, false).unwrap().text();
    assert!(info.contains("Consent, art. 6(1)(a) and 9(2)(a)"), "{info}");

    // It survives a restart, and the chain with its entry still verifies.
    drop((admin, hanna, greta));
    drop(service);
    let service = open(&dir.path().join("t.redb"));
    let rut = Session::sign_in(&service, "rut", None).unwrap();
    assert_eq!(rut.processing_record(f1).unwrap().record, record);
    assert_eq!(record_entries(&service).len(), 1);
    let sys = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    assert!(matches!(
        sys.verify_audit().unwrap(),
        crate::ChainState::Intact(_)
    ));
}

#[test]
fn an_unknown_association_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let service = office(dir.path());
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let record = ProcessingRecord::default_for_this_register();
    assert!(matches!(
        admin.processing_record(AssociationId(9)),
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        admin.set_processing_record(AssociationId(9), &record),
        Err(ServiceError::NotFound { .. })
    ));
}

/// A file from before the record (schema 10) gets the empty table and shows the default; the
/// record set afterwards is kept.
#[test]
fn a_schema_10_file_gets_an_empty_table_of_records_and_shows_the_default() {
    use insats_store::schema::{META, META_SCHEMA, PROCESSING_RECORDS, SCHEMA_VERSION};
    let dir = tempfile::tempdir().unwrap();
    drop(office(dir.path()));
    let path = dir.path().join("t.redb");
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(tx.delete_table(PROCESSING_RECORDS).unwrap());
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 10u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    let service = open(&path);
    assert_eq!(
        insats_store::migrate::stored_version(service.store()).unwrap(),
        Some(SCHEMA_VERSION)
    );
    let admin = Session::sign_in(&service, "admin", Some(Role::AssociationAdmin)).unwrap();
    let f1 = AssociationId(1);
    assert!(admin.processing_record(f1).unwrap().is_default);
    let mut record = ProcessingRecord::default_for_this_register();
    record.transfers = Text::new("Inga.", "None.");
    assert_eq!(
        admin.set_processing_record(f1, &record).unwrap(),
        vec!["transfers"]
    );
    assert_eq!(admin.processing_record(f1).unwrap().record, record);
}

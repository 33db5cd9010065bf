#![allow(clippy::unwrap_used)]
use crate::{AuditFilter, CodeCheck, FixedClock, InitInput, Service, ServiceError, Session};
use insats_domain::audit::Action;
use insats_domain::unlock::UnlockCodeError;
use insats_domain::user::Role;
use insats_store::{Store, org};

fn service() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("t.redb"), None, false).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let service = Service::new(store, Box::new(FixedClock::on(today)));
    service
        .init(&InitInput {
            association: crate::AssociationInput {
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
    (dir, service)
}

fn admin(service: &Service) -> Session {
    Session::sign_in(service, "admin", Some(Role::SystemAdmin)).unwrap()
}

#[test]
fn an_unlock_code_is_kept_only_as_a_salted_argon2_hash_and_never_in_the_log() {
    let (_dir, service) = service();
    let s = admin(&service);
    assert!(!s.has_unlock_code().unwrap());
    assert_eq!(
        s.set_unlock_code(None, "sommar-2026").unwrap(),
        CodeCheck::Right
    );
    assert!(s.has_unlock_code().unwrap());
    let tx = service.store().read().unwrap();
    let stored = org::unlock_code(&*tx, s.user().id).unwrap().unwrap();
    assert!(stored.phc.starts_with("$argon2id$v=19$"), "{}", stored.phc);
    assert!(!stored.phc.contains("sommar"));
    drop(tx);
    // Two users with the same code get different hashes (a random salt each).
    s.create_user("bo", "Bo B", &[Role::ReportReader]).unwrap();
    let bo = Session::sign_in(&service, "bo", None).unwrap();
    bo.set_unlock_code(None, "sommar-2026").unwrap();
    let tx = service.store().read().unwrap();
    let bos = org::unlock_code(&*tx, bo.user().id).unwrap().unwrap();
    assert_ne!(bos.phc, stored.phc);
    drop(tx);
    let entries = s.audit_page(&AuditFilter::default(), None, 50).unwrap();
    let set: Vec<_> = entries
        .iter()
        .filter(|e| e.draft.action == Action::SetUnlockCode)
        .collect();
    assert_eq!(set.len(), 2);
    assert!(entries.iter().all(|e| !e.draft.note.contains("sommar")));
    // Nowhere in the file in clear.
    let bytes = std::fs::read(service.store().path()).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"sommar"));
}

#[test]
fn the_right_code_unlocks_and_the_third_wrong_one_in_a_row_ends_the_session() {
    let (_dir, service) = service();
    let s = admin(&service);
    s.set_unlock_code(None, "rätt-kod-1").unwrap();
    assert_eq!(s.unlock("fel-kod-1").unwrap(), CodeCheck::Wrong { left: 2 });
    // A right code in between starts the count again.
    assert_eq!(s.unlock("rätt-kod-1").unwrap(), CodeCheck::Right);
    assert_eq!(s.unlock("fel-kod-1").unwrap(), CodeCheck::Wrong { left: 2 });
    assert_eq!(s.unlock("fel-kod-2").unwrap(), CodeCheck::Wrong { left: 1 });
    assert_eq!(s.unlock("fel-kod-3").unwrap(), CodeCheck::Ended);
    assert!(s.has_ended());
    // Ended for every clone of it (the SSH connection keeps one) and for every call.
    let clone = s.clone();
    assert!(matches!(clone.users(), Err(ServiceError::Denied(_))));
    assert!(matches!(
        clone.unlock("rätt-kod-1"),
        Err(ServiceError::Denied(_))
    ));
    // Each wrong code is an entry, the last says the session ended; no code in any of them.
    let reader = admin(&service);
    let failed: Vec<String> = reader
        .audit_page(&AuditFilter::default(), None, 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.draft.action == Action::UnlockFailed)
        .map(|e| e.draft.note)
        .collect();
    assert_eq!(failed.len(), 4, "{failed:?}");
    assert!(failed[0].contains("3 of 3; session ended"), "{failed:?}");
    assert!(failed.iter().all(|n| !n.contains("kod")));
}

#[test]
fn changing_the_code_needs_the_current_one_and_a_new_code_must_be_good_enough() {
    let (_dir, service) = service();
    let s = admin(&service);
    assert!(matches!(
        s.set_unlock_code(None, "kort"),
        Err(ServiceError::UnlockCode(UnlockCodeError::TooShort {
            min: 6
        }))
    ));
    assert!(matches!(
        s.unlock("vad-som-helst"),
        Err(ServiceError::Denied(_))
    ));
    s.set_unlock_code(None, "första-koden").unwrap();
    assert_eq!(
        s.set_unlock_code(Some("gissning"), "andra-koden").unwrap(),
        CodeCheck::Wrong { left: 2 }
    );
    assert_eq!(
        s.unlock("andra-koden").unwrap(),
        CodeCheck::Wrong { left: 1 }
    );
    assert_eq!(
        s.set_unlock_code(Some("första-koden"), "andra-koden")
            .unwrap(),
        CodeCheck::Right
    );
    assert_eq!(s.unlock("andra-koden").unwrap(), CodeCheck::Right);
}

#[test]
fn a_system_administrator_resets_a_forgotten_code_and_nobody_else_may() {
    let (_dir, service) = service();
    let s = admin(&service);
    let bo_id = s.create_user("bo", "Bo B", &[Role::ReportReader]).unwrap();
    let bo = Session::sign_in(&service, "bo", None).unwrap();
    bo.set_unlock_code(None, "glömd-kod").unwrap();
    assert!(matches!(
        bo.reset_unlock_code(bo_id),
        Err(ServiceError::Denied(_))
    ));
    s.reset_unlock_code(bo_id).unwrap();
    assert!(!bo.has_unlock_code().unwrap());
    assert!(matches!(
        s.reset_unlock_code(bo_id),
        Err(ServiceError::NotFound { .. })
    ));
    let entries = s.audit_page(&AuditFilter::default(), None, 50).unwrap();
    let reset = entries
        .iter()
        .find(|e| e.draft.action == Action::ResetUnlockCode)
        .unwrap();
    assert_eq!(reset.draft.user, Some(s.user().id));
    assert_eq!(reset.draft.note, "bo");
}

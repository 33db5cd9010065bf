//! The idle lock proves the user: it opens only with their unlock code (typed masked, kept as an
//! argon2 hash), three wrong codes in a row end the session with a message and audit entries,
//! an unsaved form is there as it was, and a user without a code is asked for one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use insats::cli::demo::DEMO_UNLOCK_CODE;
use insats::cli::screens;
use insats::domain::audit::Action;
use insats::domain::user::Role;
use insats::service::{AuditFilter, Lang, Service, Session};
use insats::ui::app::Overlay;
use insats::ui::keymap::Key;
use insats::ui::{App, screenshot, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

fn demo() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir().unwrap();
    let service = screens::demo_service(&dir.path().join("demo.redb")).unwrap();
    (dir, service)
}

fn app_for(service: &Service, user: &str, lang: Lang, now: Instant) -> App {
    let session = Session::sign_in(service, user, None).unwrap();
    App::new(session, screens::options(lang, false).unwrap(), now).unwrap()
}

fn press(app: &mut App, keys: &[&str]) {
    for k in keys {
        app.on_key(Key::parse(k).unwrap().to_event(), Instant::now());
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let e = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        );
        app.on_key(e, Instant::now());
    }
}

fn screen_at(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    screenshot::to_text(t.backend().buffer())
}

fn screen(app: &App) -> String {
    screen_at(app, 160, 48)
}

/// The audit entries of `action`, newest first, as the system administrator reads them.
fn entries(service: &Service, action: Action) -> Vec<insats::domain::audit::Entry> {
    let admin = Session::sign_in(service, "admin", Some(Role::SystemAdmin)).unwrap();
    admin
        .audit_page(&AuditFilter::default(), None, 500)
        .unwrap()
        .into_iter()
        .filter(|e| e.draft.action == action)
        .collect()
}

#[test]
fn the_idle_lock_opens_only_with_the_unlock_code_and_an_unsaved_form_survives_it_exactly() {
    let (_dir, service) = demo();
    let start = Instant::now();
    let mut app = app_for(&service, "hanna", Lang::En, start);
    // A consent form, half filled in, with its personnummer checked as typed.
    press(&mut app, &["enter", "n"]);
    typed(&mut app, "19900215-9813");
    press(&mut app, &["tab"]);
    typed(&mut app, "Åsa Öberg");
    let before = screen(&app);
    assert!(before.contains("Åsa Öberg"), "{before}");
    // Idle past the lock time: the lock covers everything personal.
    assert!(app.tick(start + Duration::from_secs(3601)));
    assert!(app.locked);
    let locked = screen(&app);
    assert!(locked.contains("The screen is locked"), "{locked}");
    assert!(locked.contains("unsaved form is kept"), "{locked}");
    assert!(
        !locked.contains("Åsa") && !locked.contains("19900215"),
        "{locked}"
    );
    // Enter alone does not open it, and costs no try.
    press(&mut app, &["enter"]);
    assert!(app.locked);
    assert!(app.lock.message.is_none());
    // A wrong code is refused, shown masked while typed, and says how many tries are left.
    typed(&mut app, "gissning");
    let s = screen(&app);
    assert!(s.contains("••••••••_") && !s.contains("gissning"), "{s}");
    press(&mut app, &["enter"]);
    assert!(app.locked);
    let s = screen(&app);
    assert!(s.contains("Wrong unlock code; 2 more"), "{s}");
    assert!(!s.contains("Åsa"), "{s}");
    // The right code opens it: the form is exactly as it was, nothing saved meanwhile.
    typed(&mut app, DEMO_UNLOCK_CODE);
    press(&mut app, &["enter"]);
    assert!(!app.locked);
    assert!(!app.quit);
    assert_eq!(screen(&app), before);
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    // The wrong code was an audit entry without the code; the right one needed none.
    let failed = entries(&service, Action::UnlockFailed);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].draft.user, Some(app.session.user().id));
    assert!(!failed[0].draft.note.contains("gissning"));
    // Typing goes on in the form where it was.
    typed(&mut app, "x");
    assert!(screen(&app).contains("Åsa Öbergx"));
}

#[test]
fn three_wrong_unlock_codes_in_a_row_end_the_session_with_a_message_and_an_audit_entry() {
    for lang in [Lang::En, Lang::Sv] {
        let (_dir, service) = demo();
        let mut app = app_for(&service, "hanna", lang, Instant::now());
        press(&mut app, &["enter", "ctrl-l"]);
        assert!(app.locked);
        for (n, wrong) in ["fel-kod-1", "fel-kod-2"].iter().enumerate() {
            typed(&mut app, wrong);
            press(&mut app, &["enter"]);
            assert!(app.locked && !app.quit, "{lang:?} try {n}");
        }
        typed(&mut app, "fel-kod-3");
        press(&mut app, &["enter"]);
        assert!(app.quit, "{lang:?}");
        let text = app.ended.clone().unwrap();
        let expected = if lang == Lang::Sv {
            "3 fel upplåsningskoder i rad; sessionen avslutas."
        } else {
            "3 wrong unlock codes in a row; the session ends."
        };
        assert_eq!(text, expected);
        assert_eq!(app.end_reason, Some("wrong-unlock-codes"));
        // Nothing personal is left in the model, and the session is refused from now on.
        assert!(app.participants.list.rows.is_empty());
        assert!(app.session.has_ended());
        assert!(app.session.interventions().is_err());
        let failed = entries(&service, Action::UnlockFailed);
        assert_eq!(failed.len(), 3);
        assert!(failed[0].draft.note.ends_with("3 of 3; session ended"));
        assert!(failed.iter().all(|e| !e.draft.note.contains("fel-kod")));
    }
}

#[test]
fn a_user_without_a_code_is_asked_for_one_and_until_then_leaving_the_lock_ends_the_session() {
    let (_dir, service) = demo();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let hanna_id = admin.user_id("hanna").unwrap().unwrap();
    admin.reset_unlock_code(hanna_id).unwrap();
    for (w, h) in [(80, 24), (160, 48)] {
        for lang in [Lang::En, Lang::Sv] {
            let app = app_for(&service, "hanna", lang, Instant::now());
            assert!(matches!(&app.overlay, Some(Overlay::UnlockCode(f)) if f.asked));
            let tag = if lang == Lang::Sv { "sv" } else { "en" };
            insta::assert_snapshot!(
                format!("unlock-code-asked-{tag}-{w}x{h}"),
                screen_at(&app, w, h)
            );
        }
    }
    // Put off: the status line says what that means, and how to set one later.
    let mut app = app_for(&service, "hanna", Lang::En, Instant::now());
    press(&mut app, &["esc"]);
    assert!(app.overlay.is_none());
    let said = app.status.clone().unwrap().text;
    assert!(said.contains("Ctrl-k"), "{said}");
    // Locked without a code: the lock says it cannot be opened; Enter ends the session.
    press(&mut app, &["ctrl-l"]);
    for (w, h) in [(80, 24), (160, 48)] {
        let s = screen_at(&app, w, h);
        assert!(s.contains("cannot be opened"), "{s}");
        insta::assert_snapshot!(format!("locked-without-code-en-{w}x{h}"), s);
    }
    typed(&mut app, "vad-som-helst");
    press(&mut app, &["enter"]);
    assert!(app.quit);
    let text = app.ended.clone().unwrap();
    assert!(
        text.contains("cannot be opened without an unlock code") && text.contains("Ctrl-k"),
        "{text}"
    );
    assert_eq!(app.end_reason, Some("no-unlock-code"));
}

#[test]
fn the_code_form_refuses_a_short_or_mistyped_code_and_saves_a_good_one() {
    let (_dir, service) = demo();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let hanna_id = admin.user_id("hanna").unwrap().unwrap();
    admin.reset_unlock_code(hanna_id).unwrap();
    let mut app = app_for(&service, "hanna", Lang::Sv, Instant::now());
    let hannas_sets = || {
        entries(&service, Action::SetUnlockCode)
            .iter()
            .filter(|e| e.draft.user == Some(hanna_id))
            .count()
    };
    let sets_before = hannas_sets();
    // Two different codes.
    typed(&mut app, "sommar-2026");
    press(&mut app, &["enter"]);
    typed(&mut app, "sommar-2027");
    press(&mut app, &["enter"]);
    let s = screen_at(&app, 80, 24);
    assert!(s.contains("koderna skiljer sig åt"), "{s}");
    assert!(!s.contains("sommar"), "{s}");
    // Too short (the service says so, in Swedish).
    let Some(Overlay::UnlockCode(f)) = &mut app.overlay else {
        panic!("the form closed")
    };
    f.new.clear();
    f.focus = 0;
    typed(&mut app, "kort");
    press(&mut app, &["enter"]);
    typed(&mut app, "kort");
    press(&mut app, &["enter"]);
    let s = screen_at(&app, 80, 24);
    assert!(s.contains("minst 6 tecken"), "{s}");
    assert!(!app.session.has_unlock_code().unwrap());
    // A good one is saved; the lock then opens with it.
    typed(&mut app, "sommar-2026");
    press(&mut app, &["enter"]);
    typed(&mut app, "sommar-2026");
    press(&mut app, &["enter"]);
    assert!(app.overlay.is_none(), "{}", screen_at(&app, 80, 24));
    assert!(app.status.clone().unwrap().text.contains("sparad"));
    assert!(hannas_sets() > sets_before);
    press(&mut app, &["ctrl-l"]);
    typed(&mut app, "sommar-2026");
    press(&mut app, &["enter"]);
    assert!(!app.locked);
    // Changing it needs the current one (Ctrl-k now asks for it first).
    press(&mut app, &["ctrl-k"]);
    typed(&mut app, "fel-nuvarande");
    press(&mut app, &["enter"]);
    typed(&mut app, "vinter-2026");
    press(&mut app, &["enter"]);
    typed(&mut app, "vinter-2026");
    press(&mut app, &["enter"]);
    let s = screen_at(&app, 80, 24);
    assert!(s.contains("Fel upplåsningskod; 2 försök till"), "{s}");
    assert!(matches!(app.overlay, Some(Overlay::UnlockCode(_))));
}

#[test]
fn a_schema_9_file_gets_an_empty_table_of_unlock_codes_and_its_users_are_asked_for_one() {
    use insats_store::schema::{META, META_SCHEMA, SCHEMA_VERSION, UNLOCK_CODES};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.redb");
    drop(screens::demo_service(&path).unwrap());
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(tx.delete_table(UNLOCK_CODES).unwrap());
        tx.open_table(META)
            .unwrap()
            .insert(META_SCHEMA, 9u32.to_le_bytes().as_slice())
            .unwrap();
        tx.commit().unwrap();
    }
    const { assert!(SCHEMA_VERSION >= 10) };
    let service = screens::demo_service(&path).unwrap();
    assert_eq!(
        insats_store::migrate::stored_version(service.store()).unwrap(),
        Some(SCHEMA_VERSION)
    );
    let app = app_for(&service, "hanna", Lang::En, Instant::now());
    assert!(matches!(&app.overlay, Some(Overlay::UnlockCode(f)) if f.asked));
    app.session
        .set_unlock_code(None, "efter-uppgradering")
        .unwrap();
    assert!(app.session.has_unlock_code().unwrap());
    // The stored value carries its version, like every other.
    let tx = service.store().read().unwrap();
    let code = insats_store::org::unlock_code(&*tx, app.session.user().id)
        .unwrap()
        .unwrap();
    let bytes = insats_store::codec::encode(&code).unwrap();
    assert_eq!(
        insats_store::codec::decode::<insats::domain::unlock::UnlockCode>(&bytes).unwrap(),
        code
    );
}

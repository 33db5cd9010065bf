//! A revoked user stops seeing at once. Deactivating a user or removing the SSH key a session
//! signed in with ends that open session within a second, with a message; ending an assignment
//! narrows an open session (the intervention's participants leave the screen, a form open for
//! it closes) and the service refuses every call in that scope on its own; a withdrawn role
//! moves the session to the user's next role. Through the service and the session loop here;
//! with the real binary, the OpenSSH client and tmux in `a_revoked_ssh_session_*`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insats::domain::ids::InterventionId;
use insats::domain::sshkey::base64_encode;
use insats::domain::user::{Role, Scope};
use insats::server::session::{self, Input};
use insats::service::{Lang, Revocation, Service, ServiceError, Session, Standing, Verdict};
use insats::ui::App;
use insats::ui::app::Overlay;
use insats::ui::keymap::Key;
use ratatui::Terminal;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn options(lang: Lang) -> insats::ui::Options {
    insats::cli::screens::options(lang, false).unwrap()
}

fn sys(service: &Service) -> Session {
    Session::sign_in(service, "admin", Some(Role::SystemAdmin)).unwrap()
}

/// An ed25519 public key blob (the key bytes are arbitrary: sign-in checks only that the blob
/// is stored; proving the private key is russh's part).
fn blob(seed: u8) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&11u32.to_be_bytes());
    b.extend_from_slice(b"ssh-ed25519");
    b.extend_from_slice(&32u32.to_be_bytes());
    b.extend_from_slice(&[seed; 32]);
    b
}

fn line(seed: u8) -> String {
    format!("ssh-ed25519 {} test{seed}", base64_encode(&blob(seed)))
}

fn signed_in_with(service: &Service, user: &str, seed: u8) -> Session {
    match service.check_key(user, &blob(seed)).unwrap() {
        Verdict::Accept { session, .. } => *session,
        Verdict::Refuse(r) => panic!("refused: {r:?}"),
    }
}

/// Runs `app`'s session loop on a thread (idle: no keys), as a transport would; returns when
/// the loop ended, with the app.
fn run_idle(mut app: App) -> mpsc::Receiver<(App, Instant)> {
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let (writer, mute) = insats::server::paint::Muted::new(std::io::sink());
        let mut terminal: insats::server::paint::Term<std::io::Sink> = Terminal::with_options(
            ratatui::backend::CrosstermBackend::new(writer),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 36)),
            },
        )
        .unwrap();
        let started = Instant::now();
        session::run(&mut terminal, mute, &mut app, |wait| {
            // Nobody types; after a minute the test has failed anyway.
            std::thread::sleep(wait);
            Ok((started.elapsed() > Duration::from_mins(1)).then_some(Input::Closed))
        })
        .unwrap();
        let _ = done.send((app, Instant::now()));
    });
    ended
}

#[test]
fn deactivating_a_user_closes_their_open_session_within_a_second_with_a_message() {
    let f = Fixture::new();
    common::register(
        &f.handler,
        f.intervention,
        &common::pnr(common::date(1990, 2, 15), 981),
        "Åsa Öberg",
        "2026-06-01",
    );
    for lang in [Lang::En, Lang::Sv] {
        let hanna = Session::sign_in(&f.service, "hanna", None).unwrap();
        let app = App::new(hanna, options(lang), Instant::now()).unwrap();
        assert!(!app.interventions.is_empty());
        let ended = run_idle(app);
        std::thread::sleep(Duration::from_millis(300));
        let admin = sys(&f.service);
        let hanna_id = admin.user_id("hanna").unwrap().unwrap();
        let at = Instant::now();
        admin.update_user(hanna_id, None, Some(false)).unwrap();
        let (app, closed) = ended.recv_timeout(Duration::from_secs(5)).unwrap();
        let took = closed.duration_since(at);
        eprintln!("{lang:?}: the session ended {took:?} after the deactivation");
        assert!(took < Duration::from_secs(1), "{took:?}");
        let expected = Revocation::Deactivated.message(lang);
        assert_eq!(app.ended.as_deref(), Some(expected));
        assert_eq!(app.end_reason, Some("deactivated"));
        // Nothing personal is left on the model, and the session is refused by the service.
        assert!(app.participants.list.rows.is_empty() && app.interventions.is_empty());
        assert!(matches!(
            app.session.participants_page(f.intervention, None, 10),
            Err(ServiceError::Denied(_))
        ));
        admin.update_user(hanna_id, None, Some(true)).unwrap();
    }
    // The messages exist in both languages and say what happened.
    assert!(
        Revocation::Deactivated
            .message(Lang::Sv)
            .contains("administratör")
    );
}

#[test]
fn a_deactivated_users_every_service_call_is_refused_even_those_without_an_assignment() {
    let f = Fixture::new();
    let admin = sys(&f.service);
    let other = Session::sign_in(&f.service, "admin", Some(Role::SystemAdmin)).unwrap();
    let admin_id = admin.user().id;
    // A second system administrator deactivates the first (their own session, signed in
    // before): from then on, it may do nothing, though a system administrator needs no
    // assignment.
    admin
        .create_user("sigrid", "Sigrid", &[Role::SystemAdmin])
        .unwrap();
    let sigrid = Session::sign_in(&f.service, "sigrid", None).unwrap();
    sigrid.update_user(admin_id, None, Some(false)).unwrap();
    assert!(matches!(other.users(), Err(ServiceError::Denied(_))));
    assert!(matches!(
        other.create_user("x1", "X", &[Role::ReportReader]),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(other.verify_audit(), Err(ServiceError::Denied(_))));
    assert!(matches!(
        other.audit_page(&insats::service::AuditFilter::default(), None, 5),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(other.user_names(), Err(ServiceError::Denied(_))));
    assert!(matches!(
        other.assign(
            sigrid.user().id,
            Role::SystemAdmin,
            Scope::Association(f.association),
            "2026-01-01",
            ""
        ),
        Err(ServiceError::Denied(_))
    ));
    assert_eq!(
        other.standing().unwrap(),
        Standing::Revoked(Revocation::Deactivated)
    );
    assert!(matches!(
        other.unlock("whatever"),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn removing_the_key_a_session_signed_in_with_ends_that_session_and_no_other() {
    let f = Fixture::new();
    let admin = sys(&f.service);
    let hanna_id = admin.user_id("hanna").unwrap().unwrap();
    let office = admin.add_ssh_key(hanna_id, &line(1)).unwrap();
    admin.add_ssh_key(hanna_id, &line(2)).unwrap();
    let at_office = signed_in_with(&f.service, "hanna", 1);
    let at_home = signed_in_with(&f.service, "hanna", 2);
    assert_eq!(at_office.key(), Some(office.as_str()));
    let office_app =
        run_idle(App::new(at_office.clone(), options(Lang::En), Instant::now()).unwrap());
    let home_app = run_idle(App::new(at_home.clone(), options(Lang::En), Instant::now()).unwrap());
    std::thread::sleep(Duration::from_millis(300));
    let at = Instant::now();
    admin.remove_ssh_key(&office).unwrap();
    let (app, closed) = office_app.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(closed.duration_since(at) < Duration::from_secs(1));
    assert_eq!(
        app.ended.as_deref(),
        Some(Revocation::KeyRemoved.message(Lang::En))
    );
    // The session that signed in with the other key goes on, and may still work.
    assert!(home_app.recv_timeout(Duration::from_millis(800)).is_err());
    assert_eq!(at_home.standing().unwrap(), Standing::Active);
    assert!(at_home.participants_page(f.intervention, None, 5).is_ok());
    // The office session's clone (the SSH connection keeps one) is refused everything.
    assert!(matches!(
        at_office.participants_page(f.intervention, None, 5),
        Err(ServiceError::Denied(_))
    ));
    // A sign-in with the removed key is refused.
    assert!(matches!(
        f.service.check_key("hanna", &blob(1)).unwrap(),
        Verdict::Refuse(_)
    ));
    // A session of the local terminal (no key) is not touched by key removals.
    let local = Session::sign_in(&f.service, "hanna", None).unwrap();
    admin.remove_ssh_key(at_home.key().unwrap()).unwrap();
    assert_eq!(local.standing().unwrap(), Standing::Active);
    assert_eq!(
        at_home.standing().unwrap(),
        Standing::Revoked(Revocation::KeyRemoved)
    );
}

/// Selects `id` in the interventions pane.
fn select(app: &mut App, id: InterventionId) {
    app.on_key(Key::parse("home").unwrap().to_event(), Instant::now());
    for _ in 0..app.interventions.len() {
        if app.selected_intervention().map(|v| v.intervention.id) == Some(id) {
            return;
        }
        app.on_key(Key::parse("down").unwrap().to_event(), Instant::now());
    }
    panic!("{id} not in the list");
}

#[test]
fn ending_an_assignment_narrows_an_open_session_and_the_service_refuses_that_scope() {
    let f = Fixture::new();
    let admin = sys(&f.service);
    let hanna_id = admin.user_id("hanna").unwrap().unwrap();
    // hanna handles a second intervention too, where someone is registered.
    let mut second = admin
        .assign(
            hanna_id,
            Role::ParticipantHandler,
            Scope::Intervention(f.other_intervention),
            "2025-01-01",
            "",
        )
        .unwrap();
    let pnr = common::pnr(common::date(1985, 3, 2), 123);
    common::register(
        &f.other_handler,
        f.other_intervention,
        &pnr,
        "Olof Ek",
        "2026-06-01",
    );
    for lang in [Lang::En, Lang::Sv] {
        let hanna = Session::sign_in(&f.service, "hanna", None).unwrap();
        let mut app = App::new(hanna, options(lang), Instant::now()).unwrap();
        app.overlay = None; // the question about an unlock code, put off
        select(&mut app, f.other_intervention);
        assert!(
            app.participants
                .list
                .rows
                .iter()
                .any(|r| r.identity.name == "Olof Ek")
        );
        // A consent form for that intervention, half typed.
        app.on_key(Key::parse("enter").unwrap().to_event(), Instant::now());
        app.on_key(Key::parse("n").unwrap().to_event(), Instant::now());
        assert!(matches!(app.overlay, Some(Overlay::Form(_))));
        for c in "19900215".chars() {
            app.on_key(
                KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                Instant::now(),
            );
        }
        // The assignment ends now (in the second round it began today).
        admin.end_assignment_now(second).unwrap();
        assert!(app.tick(Instant::now()));
        // The form is closed with a message; nothing of that intervention is left.
        assert!(app.overlay.is_none());
        let said = app.status.clone().unwrap();
        assert!(said.error);
        let name = "Hälsa först";
        assert!(said.text.contains(name), "{}", said.text);
        assert!(
            said.text.contains(if lang == Lang::Sv {
                "inget sparades"
            } else {
                "nothing was saved"
            }),
            "{}",
            said.text
        );
        assert!(
            app.interventions
                .iter()
                .all(|v| v.intervention.id != f.other_intervention)
        );
        assert_ne!(app.participants.intervention, Some(f.other_intervention));
        assert!(
            app.participants
                .list
                .rows
                .iter()
                .all(|r| r.identity.name != "Olof Ek")
        );
        assert!(!app.quit, "narrowed, not ended");
        // The service refuses that scope on its own, whatever a screen still holds.
        let s = &app.session;
        assert!(matches!(
            s.participants_page(f.other_intervention, None, 10),
            Err(ServiceError::Denied(_))
        ));
        assert!(matches!(
            s.record_consent(
                f.other_intervention,
                &common::identity(&common::pnr(common::date(1991, 1, 1), 5), "Ny Person"),
                &common::consent_by_participant("2026-06-10"),
            ),
            Err(ServiceError::Denied(_))
        ));
        assert!(s.lookup(&pnr).unwrap().is_empty());
        // The intervention still assigned works as before.
        assert!(s.participants_page(f.intervention, None, 10).is_ok());
        // Assigned again for the next language's round.
        second = admin
            .assign(
                hanna_id,
                Role::ParticipantHandler,
                Scope::Intervention(f.other_intervention),
                "2026-06-15",
                "",
            )
            .unwrap();
    }
}

#[test]
fn a_withdrawn_role_moves_the_session_to_the_users_next_role_or_ends_it() {
    let f = Fixture::new();
    let admin = sys(&f.service);
    let maja_id = admin.user_id("maja").unwrap().unwrap();
    admin
        .update_user(
            maja_id,
            Some(&[Role::InterventionManager, Role::ReportReader]),
            None,
        )
        .unwrap();
    admin
        .assign(
            maja_id,
            Role::ReportReader,
            Scope::Association(f.association),
            "2025-01-01",
            "",
        )
        .unwrap();
    let maja = Session::sign_in(&f.service, "maja", Some(Role::InterventionManager)).unwrap();
    let mut app = App::new(maja, options(Lang::En), Instant::now()).unwrap();
    admin
        .update_user(maja_id, Some(&[Role::ReportReader]), None)
        .unwrap();
    assert!(app.tick(Instant::now()));
    assert!(!app.quit);
    assert_eq!(app.session.role(), Role::ReportReader);
    let said = app.status.clone().unwrap().text;
    assert!(
        said.contains("intervention manager") && said.contains("report reader"),
        "{said}"
    );
    // Every role withdrawn: the session ends.
    let rut = Session::sign_in(&f.service, "rut", None).unwrap();
    let mut app = App::new(rut, options(Lang::Sv), Instant::now()).unwrap();
    let rut_id = admin.user_id("rut").unwrap().unwrap();
    admin.update_user(rut_id, Some(&[]), None).unwrap();
    assert!(app.tick(Instant::now()));
    assert!(app.quit);
    assert_eq!(
        app.ended.as_deref(),
        Some(Revocation::NoRole.message(Lang::Sv))
    );
}

/// The fingerprint `ssh-keygen -l` prints for the public key beside `private`.
fn fingerprint_of(private: &std::path::Path) -> String {
    let out = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(format!("{}.pub", private.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace().nth(1).unwrap().to_owned()
}

#[test]
fn a_revoked_ssh_session_closes_within_a_second_saying_why_and_a_session_on_another_key_stays() {
    use common::ssh::{Server, demo_db, have_tools, insats, key_for, keygen};
    use common::tmux::Tmux;
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let office = key_for(dir.path(), &db, "hanna");
    let home = keygen(dir.path(), "hanna-home");
    let home_pub = format!("{}.pub", home.display());
    insats(
        &db,
        &[
            "--as", "admin", "user", "key", "add", "hanna", "--file", &home_pub,
        ],
    );
    let admin_key = key_for(dir.path(), &db, "admin");
    let server = Server::start(dir.path(), &db, &[]);
    let at_office = Tmux::start("rv-office", &server.ssh_tty(&office, "hanna"), dir.path());
    let at_home = Tmux::start("rv-home", &server.ssh_tty(&home, "hanna"), dir.path());
    at_office.wait_for("Participants ·");
    at_home.wait_for("Participants ·");
    let admin = |args: &[&str]| {
        let out = server.ssh(&admin_key, "admin").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The office key is removed (over SSH exec, as an administrator does it).
    admin(&["user", "key", "remove", &fingerprint_of(&office)]);
    let at = Instant::now();
    let s = at_office.wait_for_within("EXIT=", Duration::from_secs(1));
    eprintln!(
        "the office session closed {:?} after the key removal",
        at.elapsed()
    );
    assert!(
        s.contains("insats: The SSH key you signed in with was removed by an administrator"),
        "{s}"
    );
    assert!(s.contains("EXIT=1"), "{s}");
    // The terminal is back as it was: no pane, no name left on it.
    assert!(!s.contains("Participants ·"), "{s}");
    // The session signed in with the home key goes on.
    std::thread::sleep(Duration::from_millis(500));
    let s = at_home.screen();
    assert!(s.contains("Participants ·") && !s.contains("EXIT="), "{s}");
    // hanna is deactivated: that session closes too, saying so.
    admin(&["user", "deactivate", "hanna"]);
    let at = Instant::now();
    let s = at_home.wait_for_within("EXIT=", Duration::from_secs(1));
    eprintln!(
        "the home session closed {:?} after the deactivation",
        at.elapsed()
    );
    assert!(
        s.contains("insats: Your access was withdrawn by an administrator; the session ends."),
        "{s}"
    );
    assert!(!s.contains("Participants ·"), "{s}");
    // Both ends are in the server's log, with the reason and no name.
    drop(server);
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(log.contains("reason=\"key-removed\""), "{log}");
    assert!(log.contains("reason=\"deactivated\""), "{log}");
    assert!(!log.contains("Hanna Berg"), "{log}");
}

#[test]
fn the_real_binary_locks_and_opens_only_with_the_unlock_code() {
    use common::ssh::{demo_db, have_tools};
    use common::tmux::Tmux;
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let cmd = format!(
        "INSATS_DEMO_TODAY=2026-11-02 {} --db {} --lang en --as hanna; echo EXIT=$?; sleep 30",
        common::ssh::bin(),
        db.display()
    );
    let t = Tmux::start("rv-lock", &cmd, dir.path());
    t.wait_for("Participants ·");
    // Ctrl-l locks at once (the idle lock is the same screen, after --lock-after minutes).
    t.keys(&["Enter", "n"]);
    t.wait_for("New participant");
    t.text("19900215");
    t.keys(&["C-l"]);
    let s = t.wait_for("The screen is locked");
    assert!(!s.contains("19900215"), "{s}");
    // Enter alone does nothing; a wrong code is refused; the right one opens the lock.
    t.keys(&["Enter"]);
    t.text("gissning");
    t.keys(&["Enter"]);
    t.wait_for("Wrong unlock code; 2 more");
    t.text(insats::cli::demo::DEMO_UNLOCK_CODE);
    t.keys(&["Enter"]);
    let s = t.wait_for("New participant");
    assert!(
        s.contains("19900215"),
        "the unsaved form is back as it was:\n{s}"
    );
    // Three wrong codes in a row end the session, saying why.
    t.keys(&["C-l"]);
    t.wait_for("The screen is locked");
    for _ in 0..3 {
        t.text("fel-kod-x");
        t.keys(&["Enter"]);
    }
    let s = t.wait_for("EXIT=");
    assert!(
        s.contains("insats: 3 wrong unlock codes in a row; the session ends."),
        "{s}"
    );
    assert!(s.contains("EXIT=1"), "{s}");
}

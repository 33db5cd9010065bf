//! `insats serve` driven by the real OpenSSH client in a real terminal (tmux): sign-in by key
//! only, a terminal UI per connection over one database, live sharing between sessions, exec.
//! Skipped with a notice when ssh or tmux is missing, unless `INSATS_REQUIRE_E2E=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::ssh::{Server, demo_db, have_tools, insats, key_for, keygen, text};
use common::tmux::Tmux;
use insats::domain::audit::Action;
use insats::domain::user::Role;
use insats::service::{AuditFilter, Session};
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn two_handlers_of_one_intervention_see_a_registration_on_the_other_screen_within_a_second() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let (v, questions) = common::hannas_first_intervention(&db);
    let (first, name) = (v.intervention.id, v.intervention.name);
    // omar handles hanna's first intervention too.
    let to = first.to_string();
    insats(
        &db,
        &[
            "--as",
            "admin",
            "assign",
            "omar",
            "--role",
            "participant-handler",
            "--to",
            &to,
            "--from",
            "2026-01-01",
        ],
    );
    let hanna_key = key_for(dir.path(), &db, "hanna");
    let omar_key = key_for(dir.path(), &db, "omar");
    let server = Server::start(dir.path(), &db, &[]);
    let hanna = Tmux::start(
        "ssh-hanna",
        &server.ssh_tty(&hanna_key, "hanna"),
        dir.path(),
    );
    let omar = Tmux::start("ssh-omar", &server.ssh_tty(&omar_key, "omar"), dir.path());
    let heading = format!("Participants · {name}");
    hanna.wait_for(&heading);
    let before = omar.wait_for(&heading);
    assert!(before.contains("Omar Said"), "{before}");
    assert!(!before.contains("Åsa Öberg"), "{before}");

    // hanna registers someone in, from the keyboard.
    let pnr = common::pnr(common::date(1990, 2, 15), 981);
    hanna.keys(&["Enter"]);
    let s = hanna.register_by_keys(&pnr, "Åsa Öberg", questions);
    assert!(s.contains("Åsa Öberg"), "{s}");
    // omar presses nothing: his screen shows her within a second.
    let seen = Instant::now();
    let after = omar.wait_for_within("Åsa Öberg", Duration::from_secs(1));
    eprintln!(
        "the other session showed the registration after {:?}",
        seen.elapsed()
    );
    assert!(after.contains(&heading), "{after}");

    // A window change is honoured: the frame is redrawn at the new width.
    omar.resize(100, 30);
    let start = Instant::now();
    loop {
        let s = omar.screen();
        let widest = s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        if widest == 100 && s.contains("Interventions") && s.contains("Åsa Öberg") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not redrawn at 100 columns:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Quitting ends the connection with exit status 0 and the terminal back as it was.
    omar.keys(&["q"]);
    let s = omar.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "{s}");
    assert!(!s.contains("Interventions"), "{s}");
}

#[test]
fn a_handler_without_assignments_sees_nothing_personal_and_a_full_server_says_so() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    // Every name and personnummer in the demo data.
    let (names, pnrs) = {
        let service = insats::cli::screens::demo_service(&db).unwrap();
        let mut names = Vec::new();
        let mut pnrs = Vec::new();
        for who in ["hanna", "omar", "lisa", "per"] {
            let s = Session::sign_in(&service, who, None).unwrap();
            for v in s.interventions().unwrap() {
                for r in s
                    .participants_page(v.intervention.id, None, 10_000)
                    .unwrap()
                {
                    names.push(r.identity.name.clone());
                    pnrs.push(r.identity.pnr.to_string());
                }
            }
        }
        (names, pnrs)
    };
    assert!(names.len() > 1000);
    insats(
        &db,
        &[
            "--as",
            "admin",
            "user",
            "add",
            "nils",
            "--name",
            "Nils Ny",
            "--role",
            "participant-handler",
        ],
    );
    let nils_key = key_for(dir.path(), &db, "nils");
    let hanna_key = key_for(dir.path(), &db, "hanna");
    let server = Server::start(dir.path(), &db, &["--max-sessions", "1"]);
    let t = Tmux::start("ssh-nils", &server.ssh_tty(&nils_key, "nils"), dir.path());
    t.wait_for("Nils Ny");
    let mut screens = vec![t.screen()];
    for keys in [&["Enter"][..], &["Tab"], &["Tab"], &["Esc"], &["C-f"]] {
        t.keys(keys);
        std::thread::sleep(Duration::from_millis(200));
        screens.push(t.screen());
    }
    let all = screens.concat();
    for n in &names {
        assert!(!all.contains(n.as_str()), "a name is on the screen:\n{all}");
    }
    for p in &pnrs {
        assert!(!all.contains(p.as_str()), "a personnummer is on the screen");
    }

    // The one session allowed is taken: another is told so, in one line, with status 1.
    let out = server
        .ssh(&hanna_key, "hanna")
        .arg("lookup 19900215-9811")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the server is full (1 sessions)"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn only_stored_keys_of_the_signing_in_user_get_in_and_exec_lookup_is_audited() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let pnr = {
        let service = insats::cli::screens::demo_service(&db).unwrap();
        let s = Session::sign_in(&service, "hanna", None).unwrap();
        let v = &s.interventions().unwrap()[0];
        let rows = s.participants_page(v.intervention.id, None, 1).unwrap();
        rows[0].identity.pnr.to_string()
    };
    let hanna_key = key_for(dir.path(), &db, "hanna");
    let stranger = keygen(dir.path(), "stranger");
    let mut server = Server::start(dir.path(), &db, &[]);

    // An unknown key and hanna's key under another name are refused after the same fixed
    // delay; a client without a key has no other way in (no password, no keyboard-interactive).
    for (key, user, extra) in [
        (&stranger, "hanna", &[][..]),
        (&hanna_key, "omar", &[]),
        (&hanna_key, "hanna", &["-o", "PubkeyAuthentication=no"][..]),
    ] {
        let started = Instant::now();
        let out = server
            .ssh(key, user)
            .args(extra)
            .arg("lookup x")
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0));
        assert!(
            text(&out.stderr).contains("Permission denied"),
            "{}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
        if extra.is_empty() {
            assert!(started.elapsed() >= insats::server::ssh::REJECTION_TIME);
        }
    }

    // A client that sends a password and keyboard-interactive anyway is refused, and after
    // MAX_AUTH_ATTEMPTS counted refusals russh closes the connection (7 answers in all here).
    let attempts = refused_without_a_key(server.port);
    assert!(
        attempts <= insats::server::ssh::MAX_AUTH_ATTEMPTS + 1,
        "{attempts} attempts were answered"
    );

    // exec: the look-up prints what `insats lookup` prints; an unknown command is one line.
    let out = server
        .ssh(&hanna_key, "hanna")
        .arg(format!("lookup {pnr}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with('I') && stdout.contains("registered"),
        "{stdout}"
    );
    let out = server
        .ssh(&hanna_key, "hanna")
        .arg("drop table")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("unknown command"));
    server.stop();

    // The log has the sign-ins, the refusals and the look-up, and its chain verifies.
    audit_has_the_ssh_entries(&db, &pnr);
    let out = insats(&db, &["--as", "admin", "audit", "verify"]);
    assert!(text(&out.stdout).contains("audit chain intact"));
}

fn audit_has_the_ssh_entries(db: &Path, pnr: &str) {
    let service = insats::cli::screens::demo_service(db).unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let hanna = Session::sign_in(&service, "hanna", None).unwrap().user().id;
    let entries = |action| {
        admin
            .audit_page(
                &AuditFilter {
                    action: Some(action),
                    ..AuditFilter::default()
                },
                None,
                100,
            )
            .unwrap()
    };
    let logins = entries(Action::Login);
    assert_eq!(logins.len(), 2, "{logins:?}");
    // Each with the key's fingerprint and the client's address.
    assert!(logins.iter().all(|e| e.draft.user == Some(hanna)
        && e.draft.note.starts_with("SHA256:")
        && e.draft.note.ends_with(" from 127.0.0.1")));
    let failed = entries(Action::LoginFailed);
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|e| e.draft.user.is_none() && e.draft.note.ends_with("refused from 127.0.0.1"))
    );
    assert!(
        failed
            .iter()
            .all(|e| e.draft.note.ends_with(" from 127.0.0.1"))
    );
    assert!(
        failed
            .iter()
            .any(|e| e.draft.user.is_none() && e.draft.note.starts_with("unknown key SHA256:"))
    );
    assert!(
        failed
            .iter()
            .any(|e| e.draft.user == Some(hanna) && e.draft.note.starts_with("login name is not"))
    );
    for e in &failed {
        assert!(!e.draft.note.contains("omar") && !e.draft.note.contains(pnr));
    }
    let lookups = entries(Action::LookupPersonnummer);
    assert!(lookups.iter().any(|e| e.draft.user == Some(hanna)
        && logins.iter().any(|l| l.draft.session == e.draft.session)));
}

struct Trusting;

impl russh::client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// Tries a password, keyboard-interactive, then passwords until the server stops answering;
/// returns how many attempts were answered (each a refusal).
fn refused_without_a_key(port: u16) -> usize {
    use russh::client::KeyboardInteractiveAuthResponse;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = std::sync::Arc::new(russh::client::Config::default());
        let mut h = russh::client::connect(config, ("127.0.0.1", port), Trusting)
            .await
            .unwrap();
        assert!(
            !h.authenticate_password("hanna", "hunter2")
                .await
                .unwrap()
                .success()
        );
        let kbd = h
            .authenticate_keyboard_interactive_start("hanna", None)
            .await
            .unwrap();
        assert!(matches!(
            kbd,
            KeyboardInteractiveAuthResponse::Failure { .. }
        ));
        let mut answered = 2;
        while answered < 20 {
            match h.authenticate_password("hanna", "hunter2").await {
                Ok(r) => {
                    assert!(!r.success());
                    answered += 1;
                }
                Err(_) => break,
            }
        }
        answered
    })
}

#[test]
fn an_administrator_adds_a_user_and_their_key_over_ssh_while_the_server_runs() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let admin_key = key_for(dir.path(), &db, "admin");
    let hanna_key = key_for(dir.path(), &db, "hanna");
    let nora_key = keygen(dir.path(), "nora");
    let nora_public = std::fs::read_to_string(format!("{}.pub", nora_key.display())).unwrap();
    let mut server = Server::start(dir.path(), &db, &[]);
    let run = |key: &Path, user: &str, command: &str| {
        let out = server.ssh(key, user).arg(command).output().unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };

    // The database is the server's: the command line cannot open it meanwhile, and says where
    // the way in is.
    let locked = std::process::Command::new(common::ssh::bin())
        .arg("--db")
        .arg(&db)
        .args(["--as", "admin", "user", "list"])
        .output()
        .unwrap();
    assert_eq!(locked.status.code(), Some(1));
    assert!(
        text(&locked.stderr).contains("ssh -p PORT HOST"),
        "{}",
        text(&locked.stderr)
    );

    // A new handler, her assignment and her key, all over SSH as the administrator.
    let (code, out, err) = run(
        &admin_key,
        "admin",
        "user add nora --name 'Nora Nilsson' --role participant-handler",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.trim_end().ends_with(" nora"), "{out}");
    let (code, out, err) = run(
        &admin_key,
        "admin",
        "assign nora --role participant-handler --to I1 --from 2026-01-01",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with('A'), "{out}");
    let (code, out, err) = run(
        &admin_key,
        "admin",
        &format!("user key add nora {}", nora_public.trim()),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("SHA256:"), "{out}");
    let (code, out, err) = run(&admin_key, "admin", "user list");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("nora (Nora Nilsson)") && out.contains("→ I1"),
        "{out}"
    );

    // Nora is in at once, with her own key: her look-up runs (and finds nobody, status 1).
    let (code, _, err) = run(&nora_key, "nora", "lookup 19121212-1212");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no matches in your interventions"), "{err}");

    // Only a system administrator administers; nothing reads the server's files; nobody picks
    // another database or user; no message repeats what was typed.
    let (code, _, err) = run(
        &hanna_key,
        "hanna",
        "user add eve --name Eve --role system-admin",
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("role"), "{err}");
    let (code, _, err) = run(&admin_key, "admin", "user key add nora --file /etc/passwd");
    assert_eq!(code, Some(1));
    assert!(err.contains("--file reads a file on the server"), "{err}");
    for command in ["user list --db /tmp/other.redb", "user list --as hanna"] {
        let (code, _, err) = run(&admin_key, "admin", command);
        assert_eq!(code, Some(1), "{command}: {err}");
        assert!(err.contains("are not taken"), "{command}: {err}");
    }
    let (code, _, err) = run(&hanna_key, "hanna", "lookup 19850203-1234 --bogus");
    assert_eq!(code, Some(1));
    assert!(!err.contains("19850203") && !err.contains("bogus"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, out, _) = run(&admin_key, "admin", "user --help");
    assert_eq!(code, Some(0));
    assert!(out.contains("Usage") && out.contains("key"), "{out}");
    let (code, out, _) = run(&hanna_key, "hanna", "help");
    assert_eq!(code, Some(0));
    assert!(out.contains("lookup, intervention, user, assign"), "{out}");
    // Interventions, a data subject's extract and a retention dry run, all over SSH.
    let (code, out, err) = run(&hanna_key, "hanna", "intervention list");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.lines().any(|l| l.starts_with("I1 ")), "{out}");
    let (code, out, err) = run(
        &admin_key,
        "admin",
        "extract 19121212-1212 --reason 'request 2026-11-20, case 114'",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("holds no data"), "{out}");
    let (code, out, err) = run(&admin_key, "admin", "retention --years 5");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("Dry run"), "{out}");
    let (code, _, err) = run(
        &admin_key,
        "admin",
        "association questions F1 --file /etc/passwd",
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("would be the server's"), "{err}");
    server.stop();

    // Each change is in the log under the administrator, and the chain verifies.
    let log = text(
        &insats(
            &db,
            &[
                "--as",
                "admin",
                "--as-role",
                "system-admin",
                "audit",
                "list",
                "--limit",
                "200",
            ],
        )
        .stdout,
    );
    for action in ["create-user", "assign", "add-ssh-key", "extract"] {
        assert!(
            log.lines()
                .any(|l| l.contains(action) && l.contains(" admin ")),
            "{action}: {log}"
        );
    }
    let out = insats(&db, &["--as", "admin", "check"]);
    assert!(
        text(&out.stdout).starts_with("ok:"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_manager_sets_a_year_plan_over_ssh_exec_and_the_log_names_her_and_the_fields() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let maja_key = key_for(dir.path(), &db, "maja");
    let mut server = Server::start(dir.path(), &db, &[]);
    let run = |command: &str| {
        let out = server.ssh(&maja_key, "maja").arg(command).output().unwrap();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, out, err) = run(
        "intervention plan I3 --year 2026 --planned 123 --cost-budget '1 234 567' --esf-budget 0",
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim_end(), "I3 2026: planned_participants, cost_budget");
    let (code, out, err) = run("intervention plan I3");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("2026") && l.contains(" 123 ") && l.contains(" 1234567 ")),
        "{out}"
    );
    // The same figures again: one line, status 1, in the language asked for.
    let (code, _, err) =
        run("intervention plan I3 --year 2026 --planned 123 --cost-budget 1234567 --lang sv");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.trim_end(), "insats: inget ändrades, så inget sparas");
    // Another manager's intervention is refused in words; help shows no option exec refuses.
    let (code, _, err) = run("intervention edit I7 --name x");
    assert_eq!(code, Some(1));
    assert!(
        err.contains("not allowed") && err.lines().count() == 1,
        "{err}"
    );
    let (code, out, _) = run("intervention plan --help");
    assert_eq!(code, Some(0));
    assert!(
        out.contains("--cost-budget") && !out.contains("--db") && !out.contains("--as "),
        "{out}"
    );
    server.stop();

    // One set-plan entry on I3 by maja (the second attempt changed nothing), naming the fields.
    let service = insats::cli::screens::demo_service(&db).unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let maja = Session::sign_in(&service, "maja", None).unwrap().user().id;
    let plans = admin
        .audit_page(
            &AuditFilter {
                action: Some(Action::SetPlan),
                user: Some(maja),
                ..AuditFilter::default()
            },
            None,
            100,
        )
        .unwrap();
    assert_eq!(plans.len(), 1, "{plans:?}");
    let d = &plans[0].draft;
    assert_eq!(d.intervention.map(|i| i.to_string()).as_deref(), Some("I3"));
    assert_eq!(d.role, Some(Role::InterventionManager));
    assert_eq!(d.fields, ["planned_participants", "cost_budget"]);
    assert_eq!(d.note, "2026");
    // It came through her SSH session: a login of hers carries the same session.
    let logins = admin
        .audit_page(
            &AuditFilter {
                action: Some(Action::Login),
                user: Some(maja),
                ..AuditFilter::default()
            },
            None,
            100,
        )
        .unwrap();
    assert!(
        logins.iter().any(|l| l.draft.session == d.session),
        "{logins:?}"
    );
}

/// `ssh … report results --year 2026 --format xlsx > r.xlsx`: the workbook streams over SSH
/// exec as bytes (read back with calamine), CSV too, and each run is audited under the user.
#[test]
fn a_report_streams_over_ssh_exec_as_a_workbook_and_is_audited() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let rut_key = key_for(dir.path(), &db, "rut");
    let mut server = Server::start(dir.path(), &db, &[]);
    let out = server
        .ssh(&rut_key, "rut")
        .arg("report results --year 2026 --format xlsx")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, &out.stdout).unwrap();
    {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let sheets = book.sheet_names();
        assert_eq!(sheets.first().map(String::as_str), Some("Results"));
        let range = book.worksheet_range(&sheets[1]).unwrap();
        assert_eq!(
            range.get_value((2, 0)).map(ToString::to_string),
            Some("Registered out".to_owned())
        );
    }
    let csv = server
        .ssh(&rut_key, "rut")
        .arg("report costs --year 2026 --format csv --lang sv")
        .output()
        .unwrap();
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    assert_eq!(&csv.stdout[..3], &[0xEF, 0xBB, 0xBF]);
    assert!(text(&csv.stdout).contains("Kostnader (kostnadsrapport)"));
    server.stop();
    let service = insats::cli::screens::demo_service(&db).unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let rut = Session::sign_in(&service, "rut", None).unwrap().user().id;
    let runs = admin
        .audit_page(
            &AuditFilter {
                action: Some(Action::RunReport),
                user: Some(rut),
                ..AuditFilter::default()
            },
            None,
            100,
        )
        .unwrap();
    let notes: Vec<&str> = runs.iter().map(|e| e.draft.note.as_str()).collect();
    assert!(notes.contains(&"results 2026"), "{notes:?}");
    assert!(notes.contains(&"costs 2026"), "{notes:?}");
}

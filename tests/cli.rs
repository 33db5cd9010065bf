//! The binary as an administrator uses it: every command, its help, and one clear line with a
//! non-zero exit code for every mistake.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn insats(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LANG", "C")
        .env_remove("INSATS_USER")
        .env_remove("INSATS_DB")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A failure: exit code 1 and exactly one line on stderr, without a backtrace.
fn fails(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("insats: "), "{err}");
    assert!(
        !err.contains("backtrace") && !err.contains("panicked"),
        "{err}"
    );
    err
}

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy9u6Tb2zM1Jk3hRr1zmd2bXl9m0XGZ4gq2DUpWq8oF hanna@office";

#[test]
fn an_administrator_sets_up_an_office_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.redb");
    let out = ok(&insats(
        &db,
        &[
            "init",
            "--name",
            "Samordningsförbundet Test",
            "--org-number",
            "222000-1230",
            "--start",
            "2020-01-01",
            "--admin",
            "admin",
            "--admin-name",
            "Ada Admin",
        ],
    ));
    assert!(out.contains("created"), "{out}");
    let key = dir.path().join("office.redb.key");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    // A second init refuses to overwrite.
    let err = fails(&insats(
        &db,
        &[
            "init",
            "--name",
            "X",
            "--org-number",
            "222000-1230",
            "--start",
            "2020-01-01",
            "--admin",
            "admin",
            "--admin-name",
            "X",
        ],
    ));
    assert!(err.contains("already exists"), "{err}");

    let a = ["--as", "admin"];
    let run = |args: &[&str]| insats(&db, &[&a[..], args].concat());
    let i1 = ok(&run(&[
        "--as-role",
        "association-admin",
        "intervention",
        "add",
        "--association",
        "F1",
        "--name",
        "Steg till arbete",
        "--start",
        "2021-01-01",
    ]));
    assert_eq!(i1.trim(), "I1");
    ok(&run(&[
        "user",
        "add",
        "hanna",
        "--name",
        "Hanna Berg",
        "--role",
        "participant-handler",
    ]));
    let fp = ok(&run(&["user", "key", "add", "hanna", KEY]));
    assert!(fp.starts_with("SHA256:"), "{fp}");
    ok(&run(&[
        "assign",
        "hanna",
        "--role",
        "participant-handler",
        "--to",
        "I1",
        "--from",
        "2021-01-01",
    ]));
    let list = ok(&run(&["user", "list"]));
    assert!(
        list.contains("hanna")
            && list.contains(fp.trim())
            && list.contains("participant-handler → I1"),
        "{list}"
    );

    // The forbidden combination is refused with the rule in words.
    let err = fails(&run(&[
        "user",
        "add",
        "bo",
        "--name",
        "Bo",
        "--role",
        "participant-handler,association-admin",
    ]));
    assert!(
        err.contains("may not also be an association administrator"),
        "{err}"
    );
    // A look-up by the handler finds nothing yet, says so with exit status 1, and is audited.
    let err = fails(&insats(&db, &["--as", "hanna", "lookup", "19811218-9876"]));
    assert!(err.contains("no matches"), "{err}");
    let err = fails(&insats(&db, &["--as", "hanna", "lookup", "19811218-9875"]));
    assert!(
        err.contains("check digit") && !err.contains("9875"),
        "{err}"
    );
    let out = ok(&run(&["audit", "verify"]));
    assert!(out.contains("audit chain intact"), "{out}");
    let out = ok(&run(&["check"]));
    assert!(out.starts_with("ok"), "{out}");
    let out = ok(&insats(
        &db,
        &[
            "--as",
            "admin",
            "--as-role",
            "system-admin",
            "audit",
            "list",
            "--limit",
            "3",
        ],
    ));
    assert!(out.contains("lookup-personnummer"), "{out}");

    // Unknown users, roles and dates are one clear line each.
    assert!(fails(&insats(&db, &["--as", "nobody", "intervention", "list"])).contains("not found"));
    assert!(
        fails(&run(&[
            "user", "add", "x1", "--name", "X", "--role", "king"
        ]))
        .contains("unknown role")
    );
    assert!(
        fails(&run(&[
            "assign",
            "hanna",
            "--role",
            "participant-handler",
            "--to",
            "I1",
            "--from",
            "2021-02-30"
        ]))
        .contains("no such date")
    );
    assert!(
        fails(&run(&[
            "assign",
            "hanna",
            "--role",
            "participant-handler",
            "--to",
            "Q1"
        ]))
        .contains("--to")
    );
}

#[test]
fn a_locked_database_names_the_way_in_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.redb");
    ok(&insats(
        &db,
        &[
            "init",
            "--name",
            "Test",
            "--org-number",
            "222000-1230",
            "--start",
            "2020-01-01",
            "--admin",
            "admin",
            "--admin-name",
            "A",
        ],
    ));
    let held = insats_store::Store::open(&db, None).unwrap();
    let err = fails(&insats(&db, &["--as", "admin", "check"]));
    assert!(
        err.contains("in use by another process") && err.contains("insats serve"),
        "{err}"
    );
    drop(held);
    ok(&insats(&db, &["--as", "admin", "check"]));
}

#[test]
fn missing_database_and_key_file_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.redb");
    let err = fails(&insats(&db, &["--as", "admin", "check"]));
    assert!(
        err.contains("not found") && err.contains("insats init"),
        "{err}"
    );
    ok(&insats(
        &db,
        &[
            "init",
            "--name",
            "Test",
            "--org-number",
            "222000-1230",
            "--start",
            "2020-01-01",
            "--admin",
            "admin",
            "--admin-name",
            "A",
        ],
    ));
    std::fs::rename(
        dir.path().join("none.redb.key"),
        dir.path().join("elsewhere.key"),
    )
    .unwrap();
    let err = fails(&insats(&db, &["--as", "admin", "check"]));
    assert!(err.contains("key file") && err.contains("--key"), "{err}");
    let out = insats(
        &db,
        &[
            "--as",
            "admin",
            "--key",
            dir.path().join("elsewhere.key").to_str().unwrap(),
            "check",
        ],
    );
    ok(&out);
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.redb");
    for args in [
        &["--help"][..],
        &["init", "--help"],
        &["demo", "--help"],
        &["user", "--help"],
        &["user", "add", "--help"],
        &["user", "key", "add", "--help"],
        &["assign", "--help"],
        &["unassign", "--help"],
        &["association", "add", "--help"],
        &["intervention", "add", "--help"],
        &["lookup", "--help"],
        &["audit", "verify", "--help"],
        &["audit", "list", "--help"],
        &["check", "--help"],
    ] {
        let out = ok(&insats(&db, args));
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[test]
fn the_demo_database_is_made_once_reused_and_marked_as_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    let out = ok(&insats(&db, &["demo"]));
    assert!(out.contains("DEMO DATA"), "{out}");
    assert!(out.contains("2 associations, 12 interventions"), "{out}");
    let again = ok(&insats(&db, &["demo"]));
    assert_eq!(out, again, "the demo database is reused, not made anew");
    let list = ok(&insats(&db, &["--as", "hanna", "intervention", "list"]));
    assert!(list.starts_with("DEMO DATA"), "{list}");
    ok(&insats(&db, &["--as", "admin", "check"]));
}

#[test]
fn a_managers_lookup_and_audit_list_on_the_command_line_answer_as_the_tui_does() {
    use insats::service::{Lang, Session};
    use insats::ui::App;
    use insats::ui::keymap::Key;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    insats::cli::demo::create(&db).unwrap();
    // The TUI: maja, an intervention manager, sees her interventions' audit entries, and a
    // look-up (Ctrl-f) is refused before anything is searched or logged.
    let (tui_seqs, tui_refusal) = {
        let service = insats::cli::screens::demo_service(&db).unwrap();
        let session = Session::sign_in(&service, "maja", None).unwrap();
        let now = std::time::Instant::now();
        let mut app = App::new(
            session,
            insats::cli::screens::options(Lang::En, false).unwrap(),
            now,
        )
        .unwrap();
        let seqs: Vec<u64> = app.audit.rows.iter().map(|e| e.seq).collect();
        assert!(!seqs.is_empty(), "maja sees her interventions' entries");
        // Ctrl-f is not offered to her; pressed anyway, it says why in the status line.
        app.on_key(Key::parse("ctrl-f").unwrap().to_event(), now);
        let status = app.status.clone().expect("a refusal in the status line");
        assert!(status.error);
        assert!(app.overlay.is_none());
        let refusal = status.text;
        (seqs, refusal)
    };
    assert!(tui_refusal.contains("see individual"), "{tui_refusal}");
    // The command line, as maja in her own role: the same entries, the same refusal.
    let limit = tui_seqs.len().to_string();
    let listed = ok(&insats(
        &db,
        &["--as", "maja", "audit", "list", "--limit", &limit],
    ));
    let cli_seqs: Vec<u64> = listed
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(cli_seqs, tui_seqs);
    let err = fails(&insats(&db, &["--as", "maja", "lookup", "19121212-1212"]));
    assert_eq!(err.trim_end(), format!("insats: {tui_refusal}"));
    assert!(!err.contains("does not have that role"), "{err}");
}

#[test]
fn a_command_line_mistake_is_one_line_with_status_1_and_an_unknown_language_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.redb");
    // clap's own errors (several lines, status 2) become one line and status 1, without
    // repeating what was typed (it could be a personnummer).
    let err = fails(&insats(&db, &["lookup", "19811218-9876", "19811218-9876"]));
    assert!(!err.contains("9876"), "{err}");
    assert!(err.contains("--help"), "{err}");
    fails(&insats(&db, &["user"]));
    fails(&insats(&db, &["--no-such-option"]));
    // A language neither Swedish nor English is refused, not quietly replaced.
    let err = fails(&insats(&db, &["--lang", "xx", "intervention", "list"]));
    assert!(err.contains("--lang takes sv"), "{err}");
    // Help still prints and succeeds.
    let out = insats(&db, &["--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_demo_checks_its_keymap_even_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    let err = fails(&insats(
        &db,
        &["demo", "--summary", "--keymap", "/nonexistent/k.toml"],
    ));
    assert!(err.contains("cannot read the file"), "{err}");
    assert!(!err.contains("line 0"), "{err}");
    assert!(!db.exists(), "nothing is built when the keymap is broken");
}

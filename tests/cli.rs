//! The binary as an administrator uses it: every command, its help, and one clear line with a
//! non-zero exit code for every mistake.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{DataType, Reader};
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
        &["intervention", "edit", "--help"],
        &["intervention", "end", "--help"],
        &["intervention", "plan", "--help"],
        &["intervention", "volume", "--help"],
        &["association", "edit", "--help"],
        &["report", "--help"],
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
    // A small page cache answers the same, slower; no cache at all is a clear mistake.
    let small = ok(&insats(
        &db,
        &["--cache-mib", "2", "--as", "hanna", "intervention", "list"],
    ));
    assert_eq!(small, list);
    ok(&insats(
        &db,
        &["--cache-mib", "2", "--as", "admin", "audit", "verify"],
    ));
    let err = fails(&insats(
        &db,
        &["--cache-mib", "0", "--as", "hanna", "intervention", "list"],
    ));
    assert!(err.contains("--cache-mib"), "{err}");
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

/// The audit entries of one action as the log reviewer lars lists them on the command line:
/// (user, intervention, fields, note), newest first.
fn entries_of(db: &Path, action: &str) -> Vec<(String, String, String, String)> {
    let listed = ok(&insats(
        db,
        &[
            "--as", "lars", "audit", "list", "--action", action, "--limit", "10000",
        ],
    ));
    listed
        .lines()
        .map(|line| {
            let w: Vec<&str> = line.split_whitespace().collect();
            assert!(w.len() >= 9 && w[5] == action, "{line}");
            (
                w[3].to_owned(),
                w[6].to_owned(),
                w[8].to_owned(),
                w[9..].join(" "),
            )
        })
        .collect()
}

/// The entries of `action` that `user` made on `intervention`.
fn by(
    entries: &[(String, String, String, String)],
    user: &str,
    intervention: &str,
) -> Vec<(String, String)> {
    entries
        .iter()
        .filter(|(u, i, _, _)| u == user && i == intervention)
        .map(|(_, _, f, n)| (f.clone(), n.clone()))
        .collect()
}

#[test]
fn a_manager_keeps_her_interventions_plans_and_count_only_figures_and_each_change_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    insats::cli::demo::create(&db).unwrap();
    let maja = |args: &[&str]| insats(&db, &[&["--as", "maja"][..], args].concat());
    // maja manages I1, I2, I3 and the count-only I6; I7 is sven's.
    let list = ok(&maja(&["intervention", "list"]));
    let ids: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with('I'))
        .collect();
    assert_eq!(ids, ["I1", "I2", "I3", "I6"], "{list}");

    // The 2026 plan of I3 (the demo has one: its ESF budget is 0 already).
    let set = [
        "intervention",
        "plan",
        "I3",
        "--year",
        "2026",
        "--planned",
        "123",
        "--cost-budget",
        "1234567",
        "--esf-budget",
        "0",
    ];
    let out = ok(&maja(&set));
    assert_eq!(out.trim_end(), "I3 2026: planned_participants, cost_budget");
    let plans = ok(&maja(&["intervention", "plan", "I3"]));
    let line = plans.lines().find(|l| l.starts_with("2026")).unwrap();
    let figures: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        figures,
        ["2026", "123", "1234567", "-", "0", "-"],
        "{plans}"
    );
    // The same figures again change nothing: refused, and nothing more is logged.
    let err = fails(&maja(&set));
    assert!(err.contains("nothing changed"), "{err}");
    let err = fails(&maja(&[&["--lang", "sv"][..], &set].concat()));
    assert!(err.contains("inget ändrades"), "{err}");
    let plans_logged = by(&entries_of(&db, "set-plan"), "maja", "I3");
    assert_eq!(
        plans_logged,
        [(
            "planned_participants,cost_budget".to_owned(),
            "2026".to_owned()
        )]
    );
    // A figure left out keeps the stored one; an outcome is added on its own.
    let out = ok(&maja(&[
        "intervention",
        "plan",
        "I3",
        "--year",
        "2026",
        "--cost-outcome",
        "1 000 000",
    ]));
    assert_eq!(out.trim_end(), "I3 2026: cost_outcome");

    // Her intervention's name and target groups; only what is given changes.
    let out = ok(&maja(&[
        "intervention",
        "edit",
        "I3",
        "--name",
        "Unga vuxna i arbete",
        "--target-groups",
        "unga vuxna, nyanlända",
    ]));
    assert_eq!(out.trim_end(), "I3: name, target_groups");
    assert!(
        ok(&maja(&["intervention", "list"])).contains("I3   Unga vuxna i arbete"),
        "renamed"
    );
    let err = fails(&maja(&["intervention", "edit", "I3"]));
    assert!(err.contains("say what to change"), "{err}");
    // sven's intervention is not hers, in either language; nothing is logged.
    let err = fails(&maja(&["intervention", "edit", "I7", "--name", "x"]));
    assert!(err.contains("not allowed"), "{err}");
    let err = fails(&maja(&[
        "--lang",
        "sv",
        "intervention",
        "edit",
        "I7",
        "--name",
        "x",
    ]));
    assert!(err.contains("inte tillåtet"), "{err}");
    let err = fails(&maja(&["intervention", "plan", "I7"]));
    assert!(err.contains("not allowed"), "{err}");
    let edits = entries_of(&db, "update-intervention");
    assert_eq!(
        by(&edits, "maja", "I3"),
        [("name,target_groups".to_owned(), String::new())]
    );
    assert!(by(&edits, "maja", "I7").is_empty());
    // The direction is fixed once anyone is registered: the rule, in words.
    let err = fails(&maja(&[
        "intervention",
        "edit",
        "I3",
        "--direction",
        "structural",
    ]));
    assert!(err.contains("fixed once the first participant"), "{err}");

    // Count-only figures on I6, women and men; on an individual intervention: refused in words.
    // (The demo entered every month's figures as maja: the new entry is one more, the newest.)
    let entered = by(&entries_of(&db, "set-volume"), "maja", "I6").len();
    let out = ok(&maja(&[
        "intervention",
        "volume",
        "I6",
        "--year",
        "2026",
        "--month",
        "3",
        "--women",
        "41",
        "--men",
        "37",
    ]));
    assert_eq!(out.trim_end(), "I6 2026-03: women, men");
    let volumes = ok(&maja(&["intervention", "volume", "I6"]));
    let line = volumes.lines().find(|l| l.starts_with("2026-03")).unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["2026-03", "41", "37", "78"],
        "{volumes}"
    );
    let individual = [
        "intervention",
        "volume",
        "I1",
        "--year",
        "2026",
        "--month",
        "3",
        "--women",
        "1",
        "--men",
        "1",
    ];
    let err = fails(&maja(&individual));
    assert!(err.contains("registers participants individually"), "{err}");
    let err = fails(&maja(&[&["--lang", "sv"][..], &individual].concat()));
    assert!(err.contains("registrerar deltagare individuellt"), "{err}");
    let err = fails(&maja(&["intervention", "volume", "I6", "--women", "4"]));
    assert!(err.contains("together"), "{err}");
    let volumes_logged = by(&entries_of(&db, "set-volume"), "maja", "I6");
    assert_eq!(volumes_logged.len(), entered + 1);
    assert_eq!(volumes_logged[0].0, "women,men");
    assert!(
        volumes_logged[0]
            .1
            .starts_with("2026-03: 41 women, 37 men (was "),
        "{volumes_logged:?}"
    );

    // Ending and reopening I6; an end while participants are registered in is refused.
    let out = ok(&maja(&["intervention", "end", "I6", "--on", "2026-12-31"]));
    assert_eq!(out.trim_end(), "I6: end");
    let out = ok(&maja(&["intervention", "end", "I6", "--reopen"]));
    assert_eq!(out.trim_end(), "I6: end");
    let err = fails(&maja(&["intervention", "end", "I6", "--reopen"]));
    assert!(err.contains("nothing changed"), "{err}");
    let err = fails(&maja(&["intervention", "end", "I1", "--on", "2026-12-31"]));
    assert!(err.contains("still registered in"), "{err}");
    fails(&maja(&["intervention", "end", "I6"]));
    let ends = by(&entries_of(&db, "update-intervention"), "maja", "I6");
    assert_eq!(
        ends,
        [
            ("end".to_owned(), "reopened".to_owned()),
            ("end".to_owned(), "ends 2026-12-31".to_owned())
        ]
    );
    ok(&insats(&db, &["--as", "admin", "audit", "verify"]));
}

#[test]
fn an_association_administrator_keeps_its_settings_and_a_handler_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    insats::cli::demo::create(&db).unwrap();
    let agnes = |args: &[&str]| insats(&db, &[&["--as", "agnes"][..], args].concat());
    let shown = ok(&agnes(&["association", "edit", "F1"]));
    assert!(
        shown.starts_with("F1 ") && shown.contains("small-cell threshold: 3"),
        "{shown}"
    );
    let out = ok(&agnes(&[
        "association",
        "edit",
        "F1",
        "--municipalities",
        "0180, 0114",
        "--dpo",
        "Dataskyddsombudet, 010-123 45 99",
        "--small-cell",
        "4",
        "--focus-options",
        "Arbetsförberedande insats; Hälsofrämjande insats; Kartläggning och vägledning; Studieförberedande insats; Digital vägledning",
    ]));
    assert_eq!(
        out.trim_end(),
        "F1: municipalities, dpo, small_cell_threshold, focus_options"
    );
    let shown = ok(&agnes(&["--lang", "sv", "association", "edit", "F1"]));
    assert!(
        shown.contains("kommuner: 0180, 0114")
            && shown.contains("gräns för små tal: 4")
            && shown.contains("; Digital vägledning"),
        "{shown}"
    );
    let err = fails(&agnes(&[
        "--lang",
        "sv",
        "association",
        "edit",
        "F1",
        "--retention-years",
        "0",
    ]));
    assert!(err.contains("lagringstiden måste vara"), "{err}");
    let err = fails(&agnes(&["association", "edit", "F2", "--name", "x"]));
    assert!(err.contains("not allowed"), "{err}");
    let err = fails(&agnes(&["association", "edit", "I1"]));
    assert!(err.contains("F1, F2"), "{err}");
    // As the association's administrator she keeps its interventions' plans too.
    let out = ok(&agnes(&[
        "intervention",
        "plan",
        "I1",
        "--year",
        "2026",
        "--planned",
        "321",
    ]));
    assert_eq!(out.trim_end(), "I1 2026: planned_participants");

    // A participant handler changes none of it, and is told why.
    let hanna = |args: &[&str]| insats(&db, &[&["--as", "hanna"][..], args].concat());
    for args in [
        &["intervention", "edit", "I1", "--name", "x"][..],
        &["intervention", "end", "I1", "--on", "2026-12-31"],
        &[
            "intervention",
            "plan",
            "I1",
            "--year",
            "2026",
            "--planned",
            "1",
        ],
        &["intervention", "plan", "I1", "--year", "2026", "--remove"],
        &[
            "intervention",
            "volume",
            "I6",
            "--year",
            "2026",
            "--month",
            "3",
            "--women",
            "1",
            "--men",
            "1",
        ],
        &["association", "edit", "F1", "--name", "x"],
    ] {
        let err = fails(&hanna(args));
        assert!(err.contains("not allowed"), "{args:?}: {err}");
    }
    let err = fails(&hanna(&[
        "--lang",
        "sv",
        "association",
        "edit",
        "F1",
        "--name",
        "x",
    ]));
    assert!(err.contains("inte tillåtet"), "{err}");

    let updates = entries_of(&db, "update-association");
    let mine: Vec<_> = updates
        .iter()
        .filter(|(u, _, f, _)| u == "agnes" && f != "supplementary")
        .map(|(_, _, f, _)| f.as_str())
        .collect();
    // The demo's own entry (controller, dpo, focus options) and hers.
    assert_eq!(
        mine,
        [
            "municipalities,dpo,small_cell_threshold,focus_options",
            "controller,dpo,focus_options"
        ]
    );
    assert!(updates.iter().all(|(u, ..)| u != "hanna"));
    assert_eq!(
        by(&entries_of(&db, "set-plan"), "agnes", "I1")[0],
        ("planned_participants".to_owned(), "2026".to_owned())
    );
    assert!(by(&entries_of(&db, "set-plan"), "hanna", "I1").is_empty());
}

/// A report reader's follow-up from the command line, in every format: the table, CSV that
/// Swedish Excel opens (BOM, semicolons, decimal comma) parsed back with its headers, an Excel
/// workbook read back with a reader crate, and JSON — the same figures in each; each run audited.
#[test]
fn a_report_reader_gets_each_report_as_a_table_csv_excel_and_json_with_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    ok(&insats(&db, &["demo", "--summary"]));
    let run = |args: &[&str]| {
        let mut all = vec!["--as", "rut", "report"];
        all.extend_from_slice(args);
        insats(&db, &all)
    };
    // JSON: the figures to compare the others with.
    let json = run(&["results", "--year", "2026", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first_table = &json["tables"][0];
    let label = first_table["rows"][0]["label"].as_str().unwrap().to_owned();
    assert_eq!(label, "Registered out");
    let total = &first_table["rows"][0]["cells"][2];
    let total = total["Count"].as_u64().unwrap();
    assert!(
        total > 0,
        "the demo has participations registered out in 2026"
    );
    // The table.
    let text = ok(&run(&["results", "--year", "2026"]));
    assert!(text.starts_with("Results\n2026"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("Registered out"))
        .unwrap();
    assert!(line.trim_end().ends_with(&total.to_string()), "{line}");
    // CSV, in Swedish.
    let csv_out = run(&["results", "--year", "2026", "--format", "csv"]);
    let mut sv = vec!["--lang", "sv"];
    sv.extend_from_slice(&[
        "--as", "rut", "report", "results", "--year", "2026", "--format", "csv",
    ]);
    let csv_sv = insats(&db, &sv);
    assert!(csv_sv.status.success());
    let bytes = &csv_sv.stdout;
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "a byte-order mark");
    let body = std::str::from_utf8(&bytes[3..]).unwrap();
    // Excel's line ends.
    assert!(body.contains("\r\n"), "{body}");
    let body = body.replace("\r\n", "\n");
    // Sections are separated by empty lines: the title, the header row, the rows.
    let section = body
        .split("\n\n")
        .find(|s| s.starts_with("Deltaganden utskrivna"))
        .unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(false)
        .from_reader(section.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(&rows[1][0], "Rad");
    assert_eq!(&rows[1][3], "Totalt");
    assert_eq!(&rows[2][0], "Utskrivna");
    assert_eq!(rows[2][3].parse::<u64>().unwrap(), total);
    // A percentage has a decimal comma in Swedish, a point in English.
    assert!(
        body.contains(',')
            && body.lines().any(|l| l.split(';').any(|c| c.contains(',')
                && c.trim_start_matches(['-', '+'])
                    .chars()
                    .next()
                    .is_some_and(|d| d.is_ascii_digit()))),
        "{body}"
    );
    assert!(ok(&csv_out).contains(';'));
    // Excel: a sheet per table, numbers as numbers.
    let xlsx = run(&["results", "--year", "2026", "--format", "xlsx"]);
    assert!(xlsx.status.success());
    let path = dir.path().join("r.xlsx");
    std::fs::write(&path, &xlsx.stdout).unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheets = book.sheet_names();
    assert!(sheets.len() >= 8, "{sheets:?}");
    assert_eq!(sheets[0], "Results");
    let range = book.worksheet_range(&sheets[1]).unwrap();
    assert_eq!(
        range.get_value((2, 0)).map(ToString::to_string),
        Some("Registered out".to_owned())
    );
    let cell = range.get_value((2, 3)).unwrap();
    assert_eq!(
        cell.get_float(),
        Some(f64::from(u32::try_from(total).unwrap())),
        "{cell:?}"
    );
    // The other kinds run too, in every format.
    for kind in ["background", "interventions", "costs"] {
        for format in ["table", "csv", "xlsx", "json"] {
            let out = run(&[kind, "--year", "2026", "--format", format]);
            assert!(
                out.status.success(),
                "{kind} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.stdout.is_empty());
        }
    }
    // Filters: a month range, an intervention, a gender and an age group.
    let out = ok(&run(&[
        "results",
        "--from",
        "2026-01",
        "--to",
        "2026-06",
        "--intervention",
        "I1",
        "--gender",
        "women",
        "--age",
        "30-39",
    ]));
    assert!(
        out.contains("2026-01 – 2026-06 · I1 · women · 30–39"),
        "{out}"
    );
    // Mistakes: one line each.
    fails(&run(&["results", "--from", "2026-13", "--to", "2026-14"]));
    fails(&run(&["results", "--age", "17-18"]));
    fails(&run(&["results", "--intervention", "7"]));
    // Every run is in the log, with the kind and the filters.
    let log = ok(&insats(
        &db,
        &["--as", "lars", "audit", "list", "--action", "run-report"],
    ));
    assert!(log.contains("results 2026"), "{log}");
}

/// `association information I1` prints the information to a participant (GDPR art. 13) in
/// --lang's language, for every role that reaches the intervention; one that does not is
/// refused in one line.
#[test]
fn the_participants_information_prints_in_either_language_for_whoever_reaches_the_intervention() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    ok(&insats(&db, &["demo", "--summary"]));
    let sv = ok(&insats(
        &db,
        &[
            "--as",
            "hanna",
            "--lang",
            "sv",
            "association",
            "information",
            "I1",
        ],
    ));
    assert!(sv.starts_with("Så behandlas dina personuppgifter"), "{sv}");
    for w in [
        "Personuppgiftsansvarig",
        "dso@example.se",
        "blankett 9443",
        "IMY",
    ] {
        assert!(sv.contains(w), "{w}: {sv}");
    }
    let en = ok(&insats(
        &db,
        &[
            "--as",
            "rut",
            "--lang",
            "en",
            "association",
            "information",
            "I1",
        ],
    ));
    assert!(
        en.starts_with("How your personal data is processed"),
        "{en}"
    );
    assert!(en.contains("Complaints"), "{en}");
    let err = fails(&insats(
        &db,
        &["--as", "hanna", "association", "information", "I99"],
    ));
    assert!(err.contains("I99"), "{err}");
}

/// `association record F1` prints the association's record of processing activities (GDPR
/// art. 30) in --lang's language for every role in it, the legal bases shown as the
/// association's to fill in; its administrator exports it as TOML, edits it and sets it again
/// (an audit entry naming the sections); a wrong file is refused naming its line and key, and
/// nothing changes; another role may not set it.
#[test]
fn the_processing_record_prints_for_every_role_and_its_administrator_edits_it_as_toml() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    ok(&insats(&db, &["demo", "--summary"]));
    let record = |user: &str, lang: &str| {
        ok(&insats(
            &db,
            &["--as", user, "--lang", lang, "association", "record", "F1"],
        ))
    };
    let en = record("rut", "en");
    assert!(
        en.starts_with("Record of processing activities (GDPR art. 30)"),
        "{en}"
    );
    for w in [
        "Purposes and legal bases",
        "Legal basis: (to be filled in by the association)",
        "Categories of personal data",
        "Transfers to third countries",
        "Security measures",
        "has not changed it",
    ] {
        assert!(en.contains(w), "{w}: {en}");
    }
    let sv = record("hanna", "sv");
    assert!(sv.starts_with("Register över behandling"), "{sv}");
    assert!(sv.contains("(fylls i av förbundet)"), "{sv}");

    // Export, fill in the first legal basis, set it again.
    let toml = ok(&insats(
        &db,
        &[
            "--as",
            "agnes",
            "association",
            "record",
            "F1",
            "--export",
            "toml",
        ],
    ));
    assert!(toml.contains("[[purpose]]"), "{toml}");
    let edited = toml.replacen(
        "legal_basis_sv = \"\"",
        "legal_basis_sv = \"Samtycke enligt art. 6.1 a och 9.2 a\"",
        1,
    );
    let file = dir.path().join("record.toml");
    std::fs::write(&file, &edited).unwrap();
    let set = |user: &str, path: &Path| {
        insats(
            &db,
            &[
                "--as",
                user,
                "association",
                "record",
                "F1",
                "--set",
                path.to_str().unwrap(),
            ],
        )
    };
    assert_eq!(ok(&set("agnes", &file)).trim(), "F1: legal_basis");
    let sv = record("rut", "sv");
    assert!(
        sv.contains("Rättslig grund: Samtycke enligt art. 6.1 a och 9.2 a"),
        "{sv}"
    );
    assert!(sv.contains("Förbundets egen förteckning"), "{sv}");
    // The English text falls back on the Swedish one where the English is empty.
    assert!(record("rut", "en").contains("Legal basis: Samtycke enligt art. 6.1 a"));

    // A misspelt key: refused with the file's line and the key, nothing changed.
    let bad = edited.replacen("[[security]]\nsv", "[[security]]\nsw", 1);
    let line = bad.lines().position(|l| l.starts_with("sw =")).unwrap() + 1;
    let bad_file = dir.path().join("bad.toml");
    std::fs::write(&bad_file, &bad).unwrap();
    let err = fails(&set("agnes", &bad_file));
    assert!(err.contains(&format!("line {line} (security)")), "{err}");
    // A section emptied: refused naming it, in Swedish with --lang sv.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "[transfers]\nsv = \"Inga\"\n").unwrap();
    let err = fails(&insats(
        &db,
        &[
            "--as",
            "agnes",
            "--lang",
            "sv",
            "association",
            "record",
            "F1",
            "--set",
            empty.to_str().unwrap(),
        ],
    ));
    assert!(err.contains("purpose: minst en uppgift behövs"), "{err}");
    // A report reader reads it but may not set it.
    let err = fails(&set("rut", &file));
    assert!(err.contains("association administrator"), "{err}");
    let now = ok(&insats(
        &db,
        &[
            "--as",
            "agnes",
            "association",
            "record",
            "F1",
            "--export",
            "toml",
        ],
    ));
    assert_eq!(now, edited);
    // One audit entry, naming the section only.
    let log = ok(&insats(
        &db,
        &["--as", "lars", "audit", "list", "--limit", "20"],
    ));
    let entries: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("update-processing-record"))
        .collect();
    assert_eq!(entries.len(), 1, "{log}");
    assert!(entries[0].contains("legal_basis"), "{log}");
    assert!(!log.contains("Samtycke enligt"), "{log}");
}

//! The real binary in a real terminal (tmux): keys sent with `send-keys`, the screen read with
//! `capture-pane`. Skipped with a notice when tmux is missing, unless `INSATS_REQUIRE_E2E=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::tmux::Tmux;
use insats::service::Session;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn have_tmux() -> bool {
    common::tmux::have("tmux", "-V")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_insats")
}

/// A demo database in a temp folder.
fn demo_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["demo", "--summary"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, db)
}

#[test]
fn a_handler_registers_someone_in_and_out_and_the_audit_pane_shows_both() {
    if !have_tmux() {
        return;
    }
    let (dir, db) = demo_db();
    // How many questions the first intervention asks (read before the UI takes the file).
    let (_, questions) = common::hannas_first_intervention(&db);
    let pnr = common::pnr(common::date(1990, 2, 15), 981);
    // The demo's own day, so the audit lines below read the same every day.
    let cmd = format!(
        "INSATS_DEMO_TODAY=2026-11-02 {} --db {} --lang en demo",
        bin(),
        db.display()
    );
    let consents_before = common::consents_in(&db);
    let t = Tmux::start("flow", &cmd, dir.path());
    t.wait_for("Interventions");
    t.keys(&["Enter"]);
    // Esc on the questionnaire after a filled consent form: nothing is kept (checked below,
    // once the UI has let go of the file).
    t.keys(&["n"]);
    t.wait_for("New participant: consent");
    t.text(&common::pnr(common::date(1979, 3, 3), 985));
    t.keys(&["Tab"]);
    t.text("Orvar Orphan");
    t.keys(&["Tab"]);
    t.text("0180");
    t.keys(&["C-s"]);
    t.wait_for("Register in: situation before");
    t.keys(&["Escape"]);
    let s = t.register_by_keys(&pnr, "Åsa Öberg", questions);
    assert!(s.contains("Åsa Öberg"), "{s}");
    // The newest audit entries, at the top of the log pane: registration and consent.
    assert!(
        s.contains(
            ">2026-11-02 12:00 hanna    registered in [consent, in date, gender, answers in]"
        ),
        "{s}"
    );
    assert!(
        s.contains(" 2026-11-02 12:00 hanna    consent recorded"),
        "{s}"
    );
    // Register out: the new participant is the newest, selected at the top.
    t.keys(&["o"]);
    t.wait_for("Register out: situation after");
    t.keys(&["Tab", "1", "C-s"]);
    let s = t.wait_for_line("Registered out");
    assert!(
        s.contains(">2026-11-02 12:00 hanna    registered out"),
        "{s}"
    );
    assert!(
        s.contains(
            " 2026-11-02 12:00 hanna    registered in [consent, in date, gender, answers in]"
        ),
        "{s}"
    );
    // A second participant withdraws consent; they are registered out with an end reason and
    // no answers (the form asks for none).
    let second = common::pnr(common::date(1988, 5, 20), 983);
    t.register_by_keys(&second, "Bo Berg", questions);
    t.keys(&["w"]);
    t.wait_for("has withdrawn consent");
    t.keys(&["Enter"]);
    t.keys(&["o"]);
    let s = t.wait_for("Register out: consent withdrawn");
    assert!(!s.contains("Occupation"), "no questions: {s}");
    t.keys(&["Tab", "1", "C-s"]);
    let s = t.wait_for_line("Registered out");
    assert!(
        s.contains(">2026-11-02 12:00 hanna    registered out [out date, end reason]"),
        "{s}"
    );
    t.keys(&["q"]);
    drop(t);
    // Two registrations, two consents: the cancelled one left none behind.
    assert_eq!(common::consents_in(&db), consents_before + 2);
    // The database agrees: verified chain, consistent indexes.
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["--as", "admin", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_intervention_manager_sees_no_names_anywhere_on_screen() {
    if !have_tmux() {
        return;
    }
    let (dir, db) = demo_db();
    // Every name and personnummer in the demo data.
    let (names, pnrs): (Vec<String>, Vec<String>) = {
        let service = insats::cli::screens::demo_service(&db).unwrap();
        let s = Session::sign_in(&service, "hanna", None).unwrap();
        let mut names = Vec::new();
        let mut pnrs = Vec::new();
        for v in s.interventions().unwrap() {
            for r in s
                .participants_page(v.intervention.id, None, 10_000)
                .unwrap()
            {
                names.push(r.identity.name.clone());
                pnrs.push(r.identity.pnr.to_string());
            }
        }
        (names, pnrs)
    };
    assert!(names.len() > 100);
    let cmd = format!(
        "INSATS_DEMO_TODAY=2026-11-02 {} --db {} --lang sv --as maja demo",
        bin(),
        db.display()
    );
    let t = Tmux::start("manager", &cmd, dir.path());
    t.wait_for("Insatser");
    let mut screens = vec![t.screen()];
    for keys in [
        &["Enter"][..],
        &["Enter"],
        &["Esc", "Down", "Enter"],
        &["Tab"],
        &["Esc", "Down", "Down", "Enter"],
        &["ctrl-f"],
    ] {
        t.keys(keys);
        std::thread::sleep(Duration::from_millis(200));
        screens.push(t.screen());
    }
    let s = screens.concat();
    assert!(s.contains("Bara summor"), "{s}");
    for n in &names {
        assert!(
            !s.contains(n.as_str()),
            "a name is on the manager's screen:\n{s}"
        );
    }
    for p in &pnrs {
        assert!(
            !s.contains(p.as_str()),
            "a personnummer is on the manager's screen"
        );
    }
}

#[test]
fn a_broken_keymap_file_exits_with_a_clear_error_naming_file_and_line() {
    if !have_tmux() {
        return;
    }
    let (dir, db) = demo_db();
    let keymap = dir.path().join("mine.toml");
    std::fs::write(&keymap, "base = \"default\"\n[global]\nkeymap = [ { on = \"ctrl-shift-enter\", run = \"quit\" } ]\n").unwrap();
    let cmd = format!(
        "sh -c '{} --db {} --keymap {} demo; echo EXIT=$?; sleep 30'",
        bin(),
        db.display(),
        keymap.display()
    );
    let t = Tmux::start("keymap", &cmd, dir.path());
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=1"), "{s}");
    assert!(
        s.contains(&format!("keymap {}, line 3", keymap.display())),
        "{s}"
    );
    assert!(!s.contains("Interventions"), "{s}");
}

#[test]
fn the_demo_follows_the_real_clock_for_what_users_do() {
    if !have_tmux() {
        return;
    }
    let (dir, db) = demo_db();
    let cmd = format!("{} --db {} --lang en demo", bin(), db.display());
    let t = Tmux::start("clock", &cmd, dir.path());
    t.wait_for("Interventions");
    t.keys(&["Enter", "n"]);
    // The consent form's "signed on" starts as the real today, which the register accepts as
    // today (a fixed demo day would make today's date "in the future").
    let today = chrono::Local::now().date_naive().to_string();
    let s = t.wait_for("New participant: consent");
    assert!(s.contains(&today), "{today} in:\n{s}");
    t.keys(&["Escape", "q"]);
}

//! The real binary in a real terminal (tmux): keys sent with `send-keys`, the screen read with
//! `capture-pane`. Skipped with a notice when tmux is missing, unless `INSATS_REQUIRE_E2E=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use calamine::Reader;
use common::tmux::Tmux;
use insats::domain::user::Role;
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
            ">2026-11-02 13:00 hanna    registered in [consent, in date, gender, answers in]"
        ),
        "{s}"
    );
    assert!(
        s.contains(" 2026-11-02 13:00 hanna    consent recorded"),
        "{s}"
    );
    // Register out: the new participant is the newest, selected at the top.
    t.keys(&["o"]);
    t.wait_for("Register out: situation after");
    t.keys(&["Tab", "1", "C-s"]);
    let s = t.wait_for_line("Registered out");
    assert!(
        s.contains(">2026-11-02 13:00 hanna    registered out"),
        "{s}"
    );
    assert!(
        s.contains(
            " 2026-11-02 13:00 hanna    registered in [consent, in date, gender, answers in]"
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
        s.contains(">2026-11-02 13:00 hanna    registered out [out date, end reason]"),
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

/// What an intervention shows for 2026 as read through the service, before the UI takes the
/// file: its name, the year's actual participants and its plan.
struct YearRow {
    name: String,
    id: insats::domain::ids::InterventionId,
    actual: u64,
    planned: Option<u32>,
}

/// Runs `insats --db DB ARGS…` and returns its stdout; fails with its stderr unless it exits 0.
fn insats_ok(db: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "insats {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Clears the focused one-line text field (the cursor starts at its end) and types `text`.
fn replace_field(t: &Tmux, text: &str) {
    for _ in 0..12 {
        t.keys(&["BSpace"]);
    }
    t.text(text);
}

/// "  2026: 246 of 984 planned (25 %)", as the interventions pane writes a year against its
/// plan; the percentage rounds half up.
fn plan_line(actual: u64, planned: u32) -> String {
    let p = u64::from(planned);
    let pct = (actual * 100 + p / 2) / p;
    format!("  2026: {actual} of {planned} planned ({pct} %)")
}

#[test]
fn a_manager_sets_a_year_plan_and_a_months_figures_and_the_pane_and_the_log_follow() {
    if !have_tmux() {
        return;
    }
    let (dir, db) = demo_db();
    // Maja's interventions for 2026 and October's figures of her count-only one, read before
    // the UI takes the file.
    let (rows, october) = {
        let service = insats::cli::screens::demo_service(&db).unwrap();
        let maja = Session::sign_in(&service, "maja", Some(Role::InterventionManager)).unwrap();
        let rows: Vec<YearRow> = maja
            .interventions_in(2026)
            .unwrap()
            .into_iter()
            .map(|v| YearRow {
                name: v.intervention.name.clone(),
                id: v.intervention.id,
                actual: v.year.actual(),
                planned: v.year.planned,
            })
            .collect();
        let open = rows
            .iter()
            .find(|r| r.name == "Öppen mötesplats")
            .expect("maja keeps Öppen mötesplats");
        let october = maja
            .volumes(open.id)
            .unwrap()
            .into_iter()
            .find(|(y, m, _)| (*y, *m) == (2026, 10))
            .map(|(_, _, v)| v)
            .unwrap_or_default();
        (rows, october)
    };
    let first = &rows[0];
    assert!(first.actual > 0, "{} had nobody in 2026", first.name);
    let open = rows.iter().find(|r| r.name == "Öppen mötesplats").unwrap();
    let open_planned = open.planned.expect("Öppen mötesplats has a 2026 plan");
    // Four times the actual participants: exactly 25 %, whatever the demo drew.
    let planned = u32::try_from(first.actual * 4).unwrap();
    assert_ne!(first.planned, Some(planned));
    assert_eq!(october.unsplit, 0, "the demo splits every month's figures");
    let (women, men) = (october.women + 4, october.men + 3);

    let cmd = format!(
        "INSATS_DEMO_TODAY=2026-11-02 {} --db {} --lang en --as maja demo",
        bin(),
        db.display()
    );
    let t = Tmux::start("keeping", &cmd, dir.path());
    let s = t.wait_for("Interventions · 2026");
    assert!(s.contains(&format!(">{}", first.name)), "{s}");

    // The year plan of the first intervention: the year is the one shown; planned participants
    // replaced.
    t.keys(&["p"]);
    let s = t.wait_for(&format!("Year plan · {}", first.name));
    assert!(s.contains("Budget year"), "{s}");
    t.keys(&["Tab"]);
    replace_field(&t, &planned.to_string());
    t.keys(&["C-s"]);
    let s = t.wait_for_line("Saved: planned participants");
    let line = plan_line(first.actual, planned);
    assert!(line.ends_with("(25 %)"), "{line}");
    assert!(s.contains(&line), "{line} not in:\n{s}");

    // October's figures of the count-only intervention: found by the filter.
    t.keys(&["/"]);
    t.text("öppen");
    t.keys(&["Enter"]);
    let s = t.wait_for(">Öppen mötesplats");
    assert!(
        !s.contains(&first.name),
        "the filter left {}:\n{s}",
        first.name
    );
    assert!(s.contains(&plan_line(open.actual, open_planned)), "{s}");
    t.keys(&["v"]);
    t.wait_for("Count-only figures · Öppen mötesplats");
    // Year (as shown), month, women, men.
    t.keys(&["Tab"]);
    replace_field(&t, "10");
    t.keys(&["Tab"]);
    replace_field(&t, &women.to_string());
    t.keys(&["Tab"]);
    replace_field(&t, &men.to_string());
    t.keys(&["C-s"]);
    let s = t.wait_for_line("Saved: women, men");
    let line = plan_line(open.actual + 7, open_planned);
    assert!(s.contains(&line), "{line} not in:\n{s}");
    t.keys(&["q"]);
    t.wait_for_exit();
    drop(t);

    // The database agrees: verified chain, consistent indexes.
    insats_ok(&db, &["--as", "admin", "check"]);
    // The log reviewer reads both changes, by maja, with their fields and figures.
    let plan = insats_ok(
        &db,
        &[
            "--as", "lars", "audit", "list", "--action", "set-plan", "--limit", "1",
        ],
    );
    let words: Vec<&str> = plan.split_whitespace().collect();
    for want in [
        "maja",
        "set-plan",
        &first.id.to_string(),
        "planned_participants",
        "2026",
    ] {
        assert!(words.contains(&want), "{want} not in: {plan}");
    }
    let volume = insats_ok(
        &db,
        &[
            "--as",
            "lars",
            "audit",
            "list",
            "--action",
            "set-volume",
            "--limit",
            "1",
        ],
    );
    let words: Vec<&str> = volume.split_whitespace().collect();
    for want in ["maja", "set-volume", &open.id.to_string(), "women,men"] {
        assert!(words.contains(&want), "{want} not in: {volume}");
    }
    let note = format!(
        "2026-10: {women} women, {men} men (was {} women, {} men)",
        october.women, october.men
    );
    assert!(
        volume.trim_end().ends_with(&note),
        "{note} not in: {volume}"
    );
}

/// A report reader in the real binary at 80×24: `r` opens the results of this year, Tab the
/// background, `g` narrows to women, `x` saves CSV and Excel in the user's data folder (the
/// workbook opens with calamine), Esc closes; the runs are in the audit log.
#[test]
fn a_report_reader_reads_and_exports_a_report_on_screen() {
    if !have_tmux() {
        return;
    }
    let (dir, db) = demo_db();
    let data = dir.path().join("data");
    let cmd = format!(
        "XDG_DATA_HOME={} INSATS_DEMO_TODAY=2026-11-02 {} --db {} --lang sv --as rut demo",
        data.display(),
        bin(),
        db.display()
    );
    let t = Tmux::start_sized("report", &cmd, dir.path(), 80, 24);
    t.wait_for("Insatser");
    t.keys(&["r"]);
    t.wait_for("Uppföljningsrapporter");
    t.wait_for("Deltaganden utskrivna");
    t.keys(&["Tab"]);
    t.wait_for("Ålder vid inskrivning");
    t.keys(&["g"]);
    t.wait_for("2026 · kvinnor");
    t.keys(&["x"]);
    let s = t.wait_for("Sparad:");
    assert!(s.contains("background-2026.xlsx"), "{s}");
    t.keys(&["Escape", "q"]);
    t.wait_for_exit();
    drop(t);
    let book = data.join("insats/reports/background-2026.xlsx");
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    assert_eq!(
        wb.sheet_names().first().map(String::as_str),
        Some("Bakgrund")
    );
    let csv = std::fs::read(data.join("insats/reports/background-2026.csv")).unwrap();
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .args(["--as", "lars", "audit", "list", "--action", "run-report"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("results 2026") && log.contains("background 2026 · women"),
        "{log}"
    );
}

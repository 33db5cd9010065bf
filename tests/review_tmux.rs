//! A log reviewer judges a finding in the real binary in a real terminal (tmux): the queue from
//! the audit pane, the finding, the verdict form, and the verdict kept in the database and the
//! log. Skipped with a notice when tmux is missing, unless `INSATS_REQUIRE_E2E=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::tmux::Tmux;
use std::path::Path;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_insats")
}

fn insats_ok(db: &Path, args: &[&str]) -> String {
    let out = Command::new(bin())
        .env("INSATS_DEMO_TODAY", "2026-11-02")
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

#[test]
fn a_log_reviewer_judges_a_finding_in_the_real_binary() {
    if !common::tmux::have("tmux", "-V") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    insats_ok(&db, &["demo", "--summary"]);
    // The demo's queue: G2 is Hanna's refused opening, not judged yet.
    let queue = insats_ok(&db, &["--as", "lars", "audit", "review", "queue"]);
    assert!(queue.contains("G2    not judged"), "{queue}");
    let cmd = format!(
        "INSATS_DEMO_TODAY=2026-11-02 {} --db {} --lang en --as lars demo",
        bin(),
        db.display()
    );
    let t = Tmux::start("review", &cmd, dir.path());
    t.wait_for("Interventions");
    t.keys(&["Tab", "Tab", "R"]);
    t.wait_for("Log review: the queue");
    t.keys(&["Down", "Enter"]);
    let s = t.wait_for("Log review: finding G2");
    assert!(s.contains("access refused"), "{s}");
    assert!(s.contains("ps-"), "{s}");
    t.keys(&["v"]);
    t.wait_for("Judge the finding");
    // The third choice, "unauthorised", then the comment, then save.
    t.keys(&["3", "Tab"]);
    t.text("outside her assignments, dnr 2026/52");
    t.keys(&["C-s"]);
    let s = t.wait_for("lars: unauthorised");
    assert!(s.contains("outside her assignments, dnr 2026/52"), "{s}");
    t.keys(&["Escape", "Escape", "q"]);
    t.wait_for_exit();
    // Kept in the database, with its own audit entry.
    let shown = insats_ok(&db, &["--as", "lars", "audit", "review", "show", "G2"]);
    assert!(
        shown.contains("lars: unauthorised outside her assignments, dnr 2026/52"),
        "{shown}"
    );
    let log = insats_ok(
        &db,
        &[
            "--as",
            "lars",
            "audit",
            "list",
            "--limit",
            "1",
            "--action",
            "review-verdict",
        ],
    );
    assert!(log.contains("G2: unauthorised"), "{log}");
    let verify = insats_ok(&db, &["--as", "lars", "audit", "verify"]);
    assert!(verify.contains("intact"), "{verify}");
}

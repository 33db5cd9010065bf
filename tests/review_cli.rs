//! The log review on the command line (the same commands SSH exec runs): the association's
//! rules shown and changed, a run and a sample (the same seed twice: the same entries), the
//! queue, a verdict and its refusals in both languages, and the record as text, CSV and a
//! workbook.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{DataType, Reader};
use std::path::Path;
use std::process::{Command, Output};

fn insats(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .env("INSATS_DEMO_TODAY", "2026-11-02")
        .env_remove("INSATS_USER")
        .env_remove("INSATS_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = insats(db, args);
    assert!(
        out.status.success(),
        "insats {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(db: &Path, args: &[&str]) -> String {
    let out = insats(db, args);
    assert!(!out.status.success(), "insats {args:?} went through");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_log_review_on_the_command_line_from_rules_to_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    ok(&db, &["demo", "--summary"]);
    // The association administrator changes a rule; the reviewer reads it; others may not.
    let set = ok(
        &db,
        &[
            "--as",
            "agnes",
            "audit",
            "review",
            "rules",
            "--set",
            "max-participants=50",
            "--set",
            "refused=off",
        ],
    );
    assert!(set.contains("more than 50 different participants"), "{set}");
    assert!(set.contains("refused            off"), "{set}");
    let read = ok(
        &db,
        &["--as", "lars", "--lang", "sv", "audit", "review", "rules"],
    );
    assert!(read.contains("fler än 50 olika deltagare"), "{read}");
    let bad = refused(
        &db,
        &[
            "--as",
            "agnes",
            "audit",
            "review",
            "rules",
            "--set",
            "office-hours=18-7",
        ],
    );
    assert!(bad.contains("office hours are written as FROM-TO"), "{bad}");
    let bad = refused(
        &db,
        &[
            "--as",
            "agnes",
            "--lang",
            "sv",
            "audit",
            "review",
            "rules",
            "--set",
            "office-hours=18-7",
        ],
    );
    assert!(bad.contains("kontorstid skrivs FRÅN-TILL"), "{bad}");
    let bad = refused(&db, &["--as", "hanna", "audit", "review", "queue"]);
    assert!(bad.contains("log reviewer"), "{bad}");
    // A run with the new rules: Hanna opened 75 different participants on 2 November, over
    // 50; the refusal rule is off.
    let run = ok(
        &db,
        &[
            "--as", "lars", "audit", "review", "run", "--from", "2026-11", "--to", "2026-11",
        ],
    );
    assert!(run.contains("Many participants in a day"), "{run}");
    assert!(!run.contains("Refused access"), "{run}");
    // The same seed draws the same entries (each sampled item shows its entry first).
    let sample = |seed: &str| {
        ok(
            &db,
            &[
                "--as",
                "lars",
                "audit",
                "review",
                "sample",
                "--from",
                "2026-11",
                "--to",
                "2026-11",
                "--per-user",
                "3",
                "--seed",
                seed,
            ],
        )
    };
    let entries = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|g| g.starts_with('G'))
            .map(|g| {
                let shown = ok(&db, &["--as", "lars", "audit", "review", "show", g]);
                shown
                    .lines()
                    .nth(1)
                    .and_then(|l| l.split_whitespace().next())
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    };
    let first = sample("11");
    assert!(first.contains("seed 11"), "{first}");
    let drawn = entries(&first);
    assert_eq!(drawn.len(), 3, "{first}");
    assert_eq!(
        entries(&sample("11")),
        drawn,
        "the same seed, the same entries"
    );
    assert_ne!(entries(&sample("12")), drawn, "another seed, other entries");
    // A verdict; a bad verdict word and an unknown item are refused in words.
    let item = run
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let judged = ok(
        &db,
        &[
            "--as",
            "lars",
            "audit",
            "review",
            "judge",
            &item,
            "--verdict",
            "unauthorised",
            "--comment",
            "ej i uppdraget",
        ],
    );
    assert!(judged.contains("judged: unauthorised"), "{judged}");
    let bad = refused(
        &db,
        &[
            "--as",
            "lars",
            "--lang",
            "sv",
            "audit",
            "review",
            "judge",
            &item,
            "--verdict",
            "kanske",
        ],
    );
    assert!(bad.contains("bedömningen är en av"), "{bad}");
    let bad = refused(
        &db,
        &[
            "--as",
            "lars",
            "audit",
            "review",
            "judge",
            "G999",
            "--verdict",
            "justified",
        ],
    );
    assert!(bad.contains("G999 not found"), "{bad}");
    // The record: text, CSV for Swedish Excel, a workbook.
    let text = ok(
        &db,
        &[
            "--as", "lars", "audit", "review", "record", "--from", "2026-10", "--to", "2026-11",
        ],
    );
    assert!(text.contains("Runs and verdicts"), "{text}");
    assert!(text.contains("seed 11, 3 per user and month"), "{text}");
    assert!(text.contains("max-participants=50"), "{text}");
    assert!(text.contains("Open items"), "{text}");
    let csv = insats(
        &db,
        &[
            "--as", "lars", "--lang", "sv", "audit", "review", "record", "--from", "2026-10",
            "--to", "2026-11", "--format", "csv",
        ],
    );
    assert!(csv.status.success());
    assert!(csv.stdout.starts_with(&[0xEF, 0xBB, 0xBF]));
    let body = String::from_utf8_lossy(&csv.stdout);
    assert!(body.contains("Körningar och bedömningar"), "{body}");
    assert!(body.contains(';'));
    let xlsx = insats(
        &db,
        &[
            "--as", "lars", "audit", "review", "record", "--from", "2026-10", "--to", "2026-11",
            "--format", "xlsx",
        ],
    );
    assert!(xlsx.status.success());
    let path = dir.path().join("record.xlsx");
    std::fs::write(&path, &xlsx.stdout).unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 3, "{sheets:?}");
    let runs = book.worksheet_range(&sheets[1]).unwrap();
    assert_eq!(
        runs.get_value((1, 5)).map(ToString::to_string),
        Some("Entries checked".to_owned())
    );
    assert!(
        runs.get_value((2, 5))
            .and_then(DataType::get_float)
            .is_some_and(|n| n > 100.0)
    );
}

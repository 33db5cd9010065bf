//! Checkpoints of the audit chain kept outside the server (issue 14 item 2, domain §10). The
//! chain's MACs are keyed by the key file: whoever holds it can rewrite the log and re-chain
//! it, and replaying the chain still passes. A checkpoint taken before — the head's sequence,
//! time and MAC, kept elsewhere — catches it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use insats::domain::audit::{Entry, chain_input};
use insats::domain::checkpoint::Checkpoint;
use insats::service::ChainState;
use insats_store::{codec, schema};
use redb::{ReadableTable, ReadableTableMetadata};
use std::process::Command;

/// What someone holding the key file can do: change entry `at` (here: who did it) and
/// recompute every MAC from there to the head, then move the head.
fn rewrite_and_rechain(f: &Fixture, at: u64) {
    let store = f.service.store();
    let tx = store.write().unwrap();
    {
        let mut audit = tx.open_table(schema::AUDIT).unwrap();
        let last = audit.len().unwrap();
        let mut prev = codec::decode::<Entry>(audit.get(at - 1).unwrap().unwrap().value())
            .unwrap()
            .mac;
        for seq in at..=last {
            let mut e = codec::decode::<Entry>(audit.get(seq).unwrap().unwrap().value()).unwrap();
            if seq == at {
                e.draft.user = None;
                e.draft.note = "rewritten".into();
            }
            let encoded = codec::encode(&e.draft).unwrap();
            e.prev = prev;
            e.mac = store
                .crypto()
                .audit_mac(&chain_input(seq, e.at_ms, &prev, &encoded));
            prev = e.mac;
            audit
                .insert(seq, codec::encode(&e).unwrap().as_slice())
                .unwrap();
        }
        let mut head = [0u8; 40];
        head[..8].copy_from_slice(&last.to_be_bytes());
        head[8..].copy_from_slice(&prev);
        tx.open_table(schema::META)
            .unwrap()
            .insert(schema::META_AUDIT_HEAD, head.as_slice())
            .unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn a_log_rewritten_with_the_key_passes_verify_and_is_caught_by_its_checkpoint() {
    let f = Fixture::new();
    for serial in 1..=4 {
        register(
            &f.handler,
            f.intervention,
            &pnr(date(1980, 1, serial), 100 + u16::try_from(serial).unwrap()),
            "Kim Kontroll",
            "2026-01-10",
        );
    }
    let cp = f.admin.audit_checkpoint().unwrap().unwrap();
    let line = cp.text();
    assert!(line.starts_with("insats-checkpoint "), "{line}");
    // The line a person kept reads back, and the log holds it.
    let kept = Checkpoint::parse(&line).unwrap();
    assert!(matches!(
        f.log_reviewer
            .verify_audit_against(std::slice::from_ref(&kept))
            .unwrap(),
        ChainState::Intact(_)
    ));
    // More work after the checkpoint changes nothing: the log still holds that entry.
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1981, 2, 2), 150),
        "Kim Kontroll",
        "2026-01-11",
    );
    assert!(matches!(
        f.admin
            .verify_audit_against(std::slice::from_ref(&kept))
            .unwrap(),
        ChainState::Intact(_)
    ));
    // Rewritten before the checkpoint and re-chained with the key: the chain replays…
    rewrite_and_rechain(&f, 3);
    assert!(matches!(
        f.admin.verify_audit().unwrap(),
        ChainState::Intact(_)
    ));
    // …but the checkpointed entry is no longer there.
    match f.admin.verify_audit_against(&[kept]).unwrap() {
        ChainState::Broken(why) => assert!(why.contains(&cp.seq.to_string()), "{why}"),
        ChainState::Intact(_) => panic!("a rewritten log passed its checkpoint"),
    }
    // A checkpoint beyond the log (a log cut short) is caught too.
    let beyond = Checkpoint {
        seq: cp.seq + 1000,
        ..cp.clone()
    };
    assert!(matches!(
        f.admin.verify_audit_against(&[beyond]).unwrap(),
        ChainState::Broken(_)
    ));
    // Other roles may neither take nor use checkpoints.
    assert!(f.handler.audit_checkpoint().is_err());
    assert!(f.report_reader.verify_audit_against(&[cp]).is_err());
}

fn insats(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_insats"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LANG", "C")
        .output()
        .unwrap()
}

#[test]
fn the_command_line_prints_a_checkpoint_and_verify_proves_or_refutes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    assert!(insats(&db, &["demo", "--summary"]).status.success());
    let out = insats(&db, &["--as", "siv", "audit", "checkpoint"]);
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert_eq!(line.lines().count(), 1, "{line}");
    let line = line.trim();
    // The full line and its short form SEQ:MAC both verify.
    let words: Vec<&str> = line.split_whitespace().collect();
    let short = format!("{}:{}", words[1], &words[3][..32]);
    for c in [line, short.as_str()] {
        let out = insats(&db, &["--as", "lars", "audit", "verify", "--checkpoint", c]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("checkpointed entries"));
    }
    // A mistyped checkpoint is one clear line, in Swedish too.
    let out = insats(
        &db,
        &[
            "--as",
            "siv",
            "--lang",
            "sv",
            "audit",
            "verify",
            "--checkpoint",
            "12:8f3a",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("minst 32 hexadecimala tecken"), "{err}");
    // A wrong MAC at that sequence number: the log was rewritten.
    let mut wrong = words[3].to_owned();
    wrong.replace_range(0..1, if wrong.starts_with('0') { "1" } else { "0" });
    let forged = format!("{}:{wrong}", words[1]);
    let out = insats(
        &db,
        &["--as", "siv", "audit", "verify", "--checkpoint", &forged],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not the one checkpointed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The chain's head is `audit verify`'s count (a sanity link between the two views).
#[test]
fn the_checkpoint_names_the_head_of_the_chain() {
    let f = Fixture::new();
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1982, 3, 3), 160),
        "Kim Kontroll",
        "2026-01-10",
    );
    let cp = f.admin.audit_checkpoint().unwrap().unwrap();
    let ChainState::Intact(n) = f.admin.verify_audit().unwrap() else {
        panic!("broken")
    };
    // The admin's own verify adds no entry; the checkpoint is the last entry.
    assert_eq!(cp.seq, n);
    let tx = f.service.store().read().unwrap();
    let audit = tx.open_table(schema::AUDIT).unwrap();
    let last = audit.last().unwrap().unwrap();
    assert_eq!(last.0.value(), cp.seq);
}

//! Backups while the register runs (domain.md §10): a snapshot taken in the middle of a burst of
//! commits restores to the state of exactly one commit; a backup file without its age key
//! reveals nothing; a restore applies the erasure journal, so people erased after the backup
//! was taken do not come back (raw-file scan as in `tests/erasure.rs`). Refusals, roles, the
//! killed backup process and SSH exec are in `tests/backup_process.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::backup::*;
use common::*;
use insats::domain::audit::{Action, Entry};
use insats::domain::ids::ParticipationId;
use insats::service::backup;
use insats::service::{ServiceError, default_journal_path, default_key_path};
use insats_store::{Store, audit, check, schema};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[test]
fn a_backup_taken_while_writers_commit_restores_to_the_state_of_exactly_one_commit() {
    let f = Fixture::new();
    let keys = BackupKeys::new(f.dir.path());
    let key = default_key_path(&f.db_path);
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..3u16)
        .map(|w| {
            let handler = f.handler.clone();
            let (stop, done) = (Arc::clone(&stop), Arc::clone(&done));
            let intervention = f.intervention;
            std::thread::spawn(move || {
                let mut k = 0u16;
                while !stop.load(Ordering::Relaxed) {
                    let who = pnr(
                        date(
                            1950 + i32::from(w),
                            1 + u32::from(k / 28 % 12),
                            1 + u32::from(k % 28),
                        ),
                        1 + k % 998,
                    );
                    register(
                        &handler,
                        intervention,
                        &who,
                        &format!("Skrivare {w} {k}"),
                        "2026-06-10",
                    );
                    done.fetch_add(1, Ordering::Relaxed);
                    k += 1;
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        let started = std::time::Instant::now();
        while done.load(Ordering::Relaxed) < n {
            assert!(
                started.elapsed() < std::time::Duration::from_mins(2),
                "the writers stopped registering"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    };
    wait_for(30);
    let (file, report) = take(&f, &keys, "burst.age");
    // The writers go on after the snapshot, so the live register moves past it.
    let at_backup = done.load(Ordering::Relaxed);
    wait_for(at_backup + 15);
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }

    let to = f.dir.path().join("restored.redb");
    let journal = default_journal_path(&f.db_path);
    let restored = backup::restore(
        &options(&key, &keys, &file, Some(&journal)),
        &to,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(restored.header.audit_seq, report.header.audit_seq);
    assert_eq!(restored.reapplied, backup::Reapplied::default());

    // The restored file passes the check and its chain verifies.
    let store = Store::open(&to, Some(&default_key_path(&f.db_path))).unwrap();
    {
        let tx = store.read().unwrap();
        assert_eq!(check::check(&tx).unwrap(), Vec::<String>::new());
        let entries = audit::verify(&*tx, store.crypto()).unwrap().unwrap();
        assert_eq!(
            entries,
            report.header.audit_seq + 1,
            "the log up to the snapshot, and the restore"
        );
    }
    let restored_log = raw_log(store.db());
    let live_log = raw_log(f.service.store().db());
    let s = report.header.audit_seq;
    assert!(
        live_log.len() as u64 > s + 20,
        "the writers committed after the snapshot"
    );
    // Its log is the live log up to the snapshot, entry for entry, then the restore.
    for seq in 1..=s {
        assert_eq!(
            restored_log.get(&seq),
            live_log.get(&seq),
            "audit entry {seq}"
        );
    }
    assert_eq!(
        decoded(&restored_log[&(s + 1)]).draft.action,
        Action::Restore
    );
    assert_eq!(restored_log.len() as u64, s + 1);

    // Exactly the registrations whose entries are in that log: each complete with its entry.
    let registered_in_log: BTreeSet<u64> = restored_log
        .values()
        .map(|raw| decoded(raw))
        .filter(|e| e.draft.action == Action::RegisterIn)
        .filter_map(|e| e.draft.subject.map(|p| p.0))
        .collect();
    let restored_rows = participations(store.db());
    let restored_pseudonyms: BTreeSet<u64> = restored_rows.iter().map(|p| p.pseudonym.0).collect();
    assert_eq!(restored_pseudonyms, registered_in_log);
    // And they are the live register's participations registered by then, nothing else.
    let live_by_then: BTreeSet<ParticipationId> = participations(f.service.store().db())
        .into_iter()
        .filter(|p| registered_in_log.contains(&p.pseudonym.0))
        .map(|p| p.id)
        .collect();
    let restored_ids: BTreeSet<ParticipationId> = restored_rows.iter().map(|p| p.id).collect();
    assert_eq!(restored_ids, live_by_then);
    assert!(restored_ids.len() >= 30, "{}", restored_ids.len());
    assert_eq!(restored.participations, restored_ids.len() as u64);

    // The backup itself is in the live log: one entry, by the administrator, counts only.
    let backups: Vec<Entry> = live_log
        .values()
        .map(|raw| decoded(raw))
        .filter(|e| e.draft.action == Action::Backup)
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].draft.user, Some(user_id(&f.admin)));
    assert!(
        backups[0]
            .draft
            .note
            .starts_with(&format!("snapshot at audit entry {s}: ")),
        "{}",
        backups[0].draft.note
    );
}

#[test]
fn erased_people_do_not_come_back_from_a_backup_taken_before_their_erasure() {
    let f = Fixture::new();
    let keys = BackupKeys::new(f.dir.path());
    let key = default_key_path(&f.db_path);
    let (erased_pnr, other_pnr, protected_pnr, unused_pnr) = (
        pnr(date(1985, 5, 17), 412),
        pnr(date(1979, 3, 2), 233),
        pnr(date(1990, 8, 9), 341),
        pnr(date(1966, 12, 1), 118),
    );
    let erased = register(&f.handler, f.intervention, &erased_pnr, NAME, "2026-06-10");
    register(&f.handler, f.intervention, &other_pnr, OTHER, "2026-06-10");
    let protected = register(
        &f.handler,
        f.intervention,
        &protected_pnr,
        PROTECTED,
        "2026-06-10",
    );
    // The protected person takes part in the other intervention too.
    let consent = record(
        &f.other_handler,
        f.other_intervention,
        &protected_pnr,
        PROTECTED,
    );
    f.other_handler
        .register_in(&register_input(consent, "2026-06-02", &f.other_handler))
        .unwrap();
    let unused = record(&f.handler, f.intervention, &unused_pnr, UNUSED);
    let gone: Vec<(String, Vec<u8>)> = [
        sealed(&f, &erased_pnr),
        sealed(&f, &protected_pnr),
        sealed(&f, &unused_pnr),
    ]
    .concat();
    let kept = sealed(&f, &other_pnr);
    let (file, _) = take(&f, &keys, "before.age");

    // After the backup: a misregistration, a protected identity, an unused consent removed.
    f.handler.misregister(erased).unwrap();
    f.handler.mark_protected(protected).unwrap();
    f.handler.remove_unused_consent(unused).unwrap();

    // The backup holds them (so the scans below mean something) …
    let plain = keys.decrypt(&std::fs::read(&file).unwrap());
    assert_eq!(found(&plain, &gone).len(), gone.len());
    // … and restored without the journal, they would be back.
    let without = f.dir.path().join("without.redb");
    let r = backup::restore(&options(&key, &keys, &file, None), &without, &mut |_| {}).unwrap();
    assert!(!r.journal_used);
    assert_eq!(
        found(&std::fs::read(&without).unwrap(), &gone).len(),
        gone.len()
    );

    // Restored with the journal, every erased person is gone from the file, to the byte.
    let journal = default_journal_path(&f.db_path);
    let to = f.dir.path().join("restored.redb");
    let r = backup::restore(
        &options(&key, &keys, &file, Some(&journal)),
        &to,
        &mut |_| {},
    )
    .unwrap();
    assert!(r.journal_used);
    assert_eq!(r.journal_after, 3);
    assert_eq!(r.reapplied.erasures, 3);
    assert_eq!(r.reapplied.participations, 3, "{:?}", r.reapplied);
    assert_eq!(r.reapplied.persons, 3, "{:?}", r.reapplied);
    let bytes = std::fs::read(&to).unwrap();
    let mut needles = gone.clone();
    for (pnr_text, name) in [
        (&erased_pnr, NAME),
        (&protected_pnr, PROTECTED),
        (&unused_pnr, UNUSED),
    ] {
        needles.extend(plaintext(pnr_text, name));
    }
    assert_eq!(
        found(&bytes, &needles),
        Vec::<String>::new(),
        "still in the restored file"
    );
    assert_eq!(
        found(&bytes, &kept).len(),
        kept.len(),
        "the person kept is there"
    );

    // The restored register is consistent, counts the protected person's two participations as
    // anonymous, and its log says what was applied again, after the restore's own entry.
    let store = Store::open(&to, Some(&default_key_path(&f.db_path))).unwrap();
    let tx = store.read().unwrap();
    assert_eq!(check::check(&tx).unwrap(), Vec::<String>::new());
    audit::verify(&*tx, store.crypto()).unwrap().unwrap();
    let anonymous: u32 = [f.intervention, f.other_intervention]
        .iter()
        .map(|i| {
            insats_store::people::counters(&*tx, *i)
                .unwrap()
                .anonymous
                .total()
        })
        .sum();
    assert_eq!(anonymous, 2);
    let log = raw_log(store.db());
    let tail: Vec<Entry> = log.values().rev().take(5).map(|r| decoded(r)).collect();
    assert_eq!(tail[0].draft.action, Action::Restore);
    assert!(
        tail[0]
            .draft
            .note
            .contains("3 erasures from the erasure journal applied again"),
        "{}",
        tail[0].draft.note
    );
    let reapplied: BTreeSet<Action> = tail[1..].iter().map(|e| e.draft.action).collect();
    assert!(
        reapplied.contains(&Action::Misregistration)
            && reapplied.contains(&Action::ProtectedIdentity)
            && reapplied.contains(&Action::RemoveConsent),
        "{reapplied:?}"
    );
    assert!(
        tail[1..]
            .iter()
            .all(|e| e.draft.note.starts_with("re-applied after a restore")
                && e.draft.user.is_none())
    );
    // A registration made in the restored register never takes an erased one's id.
    let seq = tx
        .open_table(schema::META)
        .unwrap()
        .get("seq:participation")
        .unwrap()
        .map(|v| u64::from_le_bytes(v.value().try_into().unwrap()))
        .unwrap();
    assert!(seq >= protected.0.max(erased.0), "{seq}");
}

#[test]
fn the_backup_file_without_its_key_reveals_nothing_and_opens_with_no_other_key() {
    let f = Fixture::new();
    let keys = BackupKeys::new(f.dir.path());
    let key = default_key_path(&f.db_path);
    let someone = pnr(date(1985, 5, 17), 412);
    let p = register(&f.handler, f.intervention, &someone, NAME, "2026-06-10");
    let stored = f
        .service
        .store()
        .read()
        .unwrap()
        .open_table(schema::PARTICIPATIONS)
        .unwrap()
        .get(p.0)
        .unwrap()
        .unwrap()
        .value()
        .to_vec();
    let (file, report) = take(&f, &keys, "sealed.age");
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(report.bytes, bytes.len() as u64);
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    let mut needles = plaintext(&someone, NAME);
    needles.extend(sealed(&f, &someone));
    needles.extend([
        ("the encoded participation row".into(), stored),
        (
            "redb's file magic".into(),
            b"redb\x1a\x0a\xa9\x0d\x0a".to_vec(),
        ),
        ("the backup's own magic".into(), b"insats-backup-1".to_vec()),
        ("a table name".into(), b"participations".to_vec()),
        (
            "the association's name".into(),
            "Samordningsförbundet Test".as_bytes().to_vec(),
        ),
        ("a user name".into(), b"hanna".to_vec()),
    ]);
    assert_eq!(found(&bytes, &needles), Vec::<String>::new());
    // Decrypted, it is the register (the needles are really there).
    let plain = keys.decrypt(&bytes);
    assert!(plain.starts_with(b"insats-backup-1\n"));
    assert!(found(&plain, &sealed(&f, &someone)).len() == 3);
    assert!(
        found(&plain, &plaintext(&someone, NAME)).is_empty(),
        "identities stay sealed"
    );

    // Another age key does not open it; nothing is written.
    let wrong = other_identity(f.dir.path());
    let to = f.dir.path().join("r.redb");
    let mut opts = options(&key, &keys, &file, None);
    opts.identity = &wrong;
    let e = backup::restore(&opts, &to, &mut |_| {}).unwrap_err();
    assert!(
        matches!(e, ServiceError::Backup(backup::BackupError::WrongIdentity)),
        "{e}"
    );
    assert!(!to.exists());
}

//! Backups as processes: the real binary killed (SIGKILL) at random points of a backup leaves
//! the live register whole and no file with the backup's final name; `backup` over SSH exec
//! with the real OpenSSH client streams the encrypted bytes to a system administrator and is
//! refused for every other role; restores refuse what they must; only a system administrator
//! takes a backup.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::backup::*;
use common::ssh::{Server, bin, demo_db, have_tools, insats, key_for, text};
use common::*;
use insats::service::backup::{self, RestoreOptions};
use insats::service::{ServiceError, default_journal_path, default_key_path, synth};
use insats_store::{Store, audit, check};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Participations in the live register, with its check and chain asserted clean.
fn whole(path: &Path) -> u64 {
    let store = Store::open(path, None).unwrap();
    let tx = store.read().unwrap();
    assert_eq!(check::check(&tx).unwrap(), Vec::<String>::new());
    audit::verify(&*tx, store.crypto()).unwrap().unwrap();
    insats_store::backup::counts(&tx).unwrap().participations
}

#[test]
fn a_backup_killed_at_random_points_harms_nothing_and_never_leaves_a_half_backup_under_its_final_name()
 {
    let f = Fixture::new();
    let targets = [synth::Target {
        intervention: f.intervention,
        from: date(2025, 1, 1),
        until: None,
    }];
    let rows: Vec<_> = synth::rows(7, 10_000, &targets, f.service.catalogue(), today()).collect();
    f.admin.import(rows).unwrap();
    let path = f.db_path.clone();
    let keys = BackupKeys::new(f.dir.path());
    drop(f.handler);
    drop(f.other_handler);
    drop(f.manager);
    drop(f.report_reader);
    drop(f.log_reviewer);
    drop(f.admin);
    drop(f.service);
    let registered = whole(&path);
    assert!(registered >= 10_000, "{registered}");
    let target = f.dir.path().join("nightly.age");
    let partial = f.dir.path().join(".nightly.age.partial");
    let run = || {
        Command::new(bin())
            .arg("--db")
            .arg(&path)
            .args(["--lang", "en", "--as", "admin", "backup", "--to"])
            .arg(&target)
            .args(["--recipient", &keys.recipient])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let is_whole_backup = |file: &Path| {
        let plain = keys.decrypt(&std::fs::read(file).unwrap());
        assert!(plain.starts_with(b"insats-backup-1\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    };
    // One whole run first: how long a backup takes, start to end.
    let started = Instant::now();
    assert!(run().wait().unwrap().success());
    let took = started.elapsed();
    is_whole_backup(&target);
    std::fs::remove_file(&target).unwrap();

    let mut rng = synth::Rng::new(13);
    let (mut mid, mut finished) = (0, 0);
    let iterations = 10;
    for k in 0..iterations {
        let mut child = run();
        let window = u64::try_from(took.as_micros()).unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(window)));
        let was_writing = partial.exists();
        child.kill().unwrap();
        if child.wait().unwrap().success() {
            // It ended before the kill: then the file is a whole backup.
            finished += 1;
            is_whole_backup(&target);
            std::fs::remove_file(&target).unwrap();
            continue;
        }
        if target.exists() {
            // Killed between the rename and the exit: the name is only ever given to a whole
            // backup, so the file must be one.
            finished += 1;
            is_whole_backup(&target);
            std::fs::remove_file(&target).unwrap();
        } else {
            mid += usize::from(was_writing);
        }
        // The live register is unharmed: it opens, checks clean, its chain verifies.
        assert_eq!(whole(&path), registered, "kill {k}");
    }
    assert!(
        mid >= 3,
        "only {mid} of {iterations} kills landed while a backup was being written ({finished} ended first; a whole run takes {took:?})"
    );
}

#[test]
fn backup_over_ssh_exec_streams_the_encrypted_register_to_a_system_administrator_only() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let keys = BackupKeys::new(dir.path());
    // The server's recipient: the file beside the database (the identity is not on it).
    let recipients = backup::recipients_path(&db);
    std::fs::write(
        &recipients,
        format!("# backup key, kept offline\n{}\n", keys.recipient),
    )
    .unwrap();
    let others = ["hanna", "maja", "agnes", "rut", "lars"];
    let admin_key = key_for(dir.path(), &db, "admin");
    let other_keys: Vec<PathBuf> = others.iter().map(|u| key_for(dir.path(), &db, u)).collect();
    let mut server = Server::start(dir.path(), &db, &[]);

    let out = server
        .ssh(&admin_key, "admin")
        .arg("backup")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.starts_with(b"age-encryption.org/v1\n"));
    assert_eq!(keys.decrypt(&out.stdout)[..16], *b"insats-backup-1\n");
    for (user, key) in others.iter().zip(&other_keys) {
        let o = server.ssh(key, user).arg("backup").output().unwrap();
        assert_ne!(o.status.code(), Some(0), "{user}");
        assert!(o.stdout.is_empty(), "{user}: bytes on stdout");
        assert!(
            !text(&o.stderr).trim().is_empty(),
            "{user}: no reason given"
        );
    }
    // Over exec, the bytes go to the caller: no file on the server, no other recipient.
    let o = server
        .ssh(&admin_key, "admin")
        .arg("backup --to /tmp/x.age")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(
        text(&o.stderr).contains("ssh … backup > file"),
        "{}",
        text(&o.stderr)
    );
    server.stop();

    // The streamed backup restores in a drill, with the demo's key file and journal.
    let file = dir.path().join("streamed.age");
    std::fs::write(&file, &out.stdout).unwrap();
    let drill = text(
        &insats(
            &db,
            &[
                "--lang",
                "en",
                "backup",
                "drill",
                file.to_str().unwrap(),
                "--identity",
                keys.identity_file.to_str().unwrap(),
            ],
        )
        .stdout,
    );
    assert!(drill.contains("audit chain intact"), "{drill}");
    assert!(drill.contains("the drill took"), "{drill}");
    // One backup in the log, by the administrator; the refusals are not backups.
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
                "500",
            ],
        )
        .stdout,
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.split_whitespace().any(|w| w == "backup"))
            .count(),
        1,
        "{log}"
    );
}

#[test]
fn a_restore_refuses_an_existing_path_a_damaged_backup_a_missing_journal_and_another_register() {
    let f = Fixture::new();
    let keys = BackupKeys::new(f.dir.path());
    let key = default_key_path(&f.db_path);
    register(
        &f.handler,
        f.intervention,
        &pnr(date(1985, 5, 17), 412),
        NAME,
        "2026-06-10",
    );
    let (file, _) = take(&f, &keys, "b.age");
    let journal = default_journal_path(&f.db_path);
    let fails = |opts: RestoreOptions<'_>, to: &Path| -> String {
        let e = backup::restore(&opts, to, &mut |_| {}).unwrap_err();
        assert!(!to.exists() || to == f.db_path, "{}", to.display());
        e.message(insats::service::Lang::En)
    };
    // An existing file is never overwritten: not even the live database.
    let live_before = std::fs::read(&f.db_path).unwrap();
    let m = fails(options(&key, &keys, &file, Some(&journal)), &f.db_path);
    assert!(m.contains("never overwrites"), "{m}");
    assert_eq!(std::fs::read(&f.db_path).unwrap(), live_before);
    // A backup cut short, or with a byte changed, fails to decrypt: nothing is restored.
    let bytes = std::fs::read(&file).unwrap();
    for (k, damaged) in [bytes[..bytes.len() - 100].to_vec(), {
        let mut b = bytes.clone();
        let at = b.len() / 2;
        b[at] ^= 1;
        b
    }]
    .into_iter()
    .enumerate()
    {
        let bad = f.dir.path().join(format!("damaged{k}.age"));
        std::fs::write(&bad, damaged).unwrap();
        let to = f.dir.path().join(format!("r{k}.redb"));
        let m = fails(options(&key, &keys, &bad, Some(&journal)), &to);
        assert!(m.contains("damaged or cut short"), "{m}");
        assert!(!PathBuf::from(format!("{}.restoring", to.display())).exists());
    }
    // A missing journal is named, with the way to go on without it.
    let to = f.dir.path().join("r.redb");
    let missing = f.dir.path().join("no.erasures");
    let m = fails(options(&key, &keys, &file, Some(&missing)), &to);
    assert!(m.contains("--without-erasure-journal"), "{m}");
    // The journal of another register is refused.
    let g = Fixture::new();
    let m = fails(
        options(&key, &keys, &file, Some(&default_journal_path(&g.db_path))),
        &to,
    );
    assert!(m.contains("another register"), "{m}");
    // And a drill of the good file passes, leaving nothing behind.
    let before: BTreeSet<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let r = backup::drill(
        &options(&key, &keys, &file, Some(&journal)),
        None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.participations, 1);
    let after: BTreeSet<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn only_a_system_administrator_takes_a_backup() {
    let f = Fixture::new();
    let keys = BackupKeys::new(f.dir.path());
    for s in [&f.handler, &f.manager, &f.report_reader, &f.log_reviewer] {
        let path = f.dir.path().join("x.age");
        let e = s
            .backup_to_file(Some(&keys.recipients()), &path, &mut |_| {})
            .unwrap_err();
        assert!(matches!(e, ServiceError::Denied(_)), "{e}");
        assert!(!path.exists());
    }
    // Without a recipient there is no backup either (it is never written unencrypted).
    let e = f
        .admin
        .backup(None, &mut Vec::new(), &mut |_| {})
        .unwrap_err();
    assert!(e.to_string().contains("age-keygen"), "{e}");
}

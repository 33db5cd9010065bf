//! Files open to other local users (issue 15 item 5): `init` and `demo` make the data folder
//! 0700 and every file 0600; `serve` makes its host key 0600 and refuses to start on a
//! database, key file or host key another user could read, or a folder another could write to,
//! naming the file and the command that fixes it.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::ssh::Server;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str]) -> Output {
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

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

fn init(db: &Path) {
    let out = run(
        db,
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
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `serve` on `db`: its one line on stderr when it refuses to start.
fn refused(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
    all.splice(0..0, args.iter().copied());
    let out = run(db, &all);
    assert_eq!(out.status.code(), Some(1), "serve started on a loose file");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn init_makes_the_folder_0700_and_every_file_0600_and_serve_its_host_key_0600() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("var/lib/insats");
    let db = folder.join("office.redb");
    init(&db);
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&folder.join("office.redb.key")), 0o600);
    let mut server = Server::start(dir.path(), &db, &[]);
    server.stop();
    assert_eq!(mode(&folder.join("office.redb.hostkey")), 0o600);
    // The demo database likewise.
    let demo = dir.path().join("demo/data/demo.redb");
    let out = run(&demo, &["demo", "--summary"]);
    assert!(out.status.success());
    assert_eq!(mode(demo.parent().unwrap()), 0o700);
    assert_eq!(mode(&demo), 0o600);
    assert_eq!(mode(&dir.path().join("demo/data/demo.redb.key")), 0o600);
}

#[test]
fn serve_refuses_each_file_other_users_could_read_and_says_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("insats");
    let db = folder.join("office.redb");
    init(&db);
    let mut server = Server::start(dir.path(), &db, &[]);
    server.stop();
    let key = folder.join("office.redb.key");
    let host = folder.join("office.redb.hostkey");
    for (file, loose, what) in [
        (&db, 0o644, "the database"),
        (&db, 0o660, "the database"),
        (&key, 0o640, "the key file"),
        (&host, 0o644, "the host key"),
    ] {
        chmod(file, loose);
        let err = refused(&db, &[]);
        assert!(err.contains(what), "{err}");
        assert!(
            err.contains(&format!("chmod 600 {}", file.display())),
            "{err}"
        );
        assert!(err.contains(&format!("{loose:04o}")), "{err}");
        chmod(file, 0o600);
    }
    // In Swedish too.
    chmod(&host, 0o604);
    let err = refused(&db, &["--lang", "sv"]);
    assert!(err.contains("värdnyckeln"), "{err}");
    assert!(err.contains("kan läsas av andra användare"), "{err}");
    chmod(&host, 0o600);
    // A folder others may write to: they could swap the files.
    chmod(&folder, 0o777);
    let err = refused(&db, &[]);
    assert!(
        err.contains(&format!("chmod 700 {}", folder.display())),
        "{err}"
    );
    chmod(&folder, 0o755);
    // Closed again, it starts.
    let mut server = Server::start(dir.path(), &db, &[]);
    server.stop();
}

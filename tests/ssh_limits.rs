//! `insats serve` on a hostile network (issue 15): connections that never sign in, a flood of
//! them from one address, subsystems (sftp, scp), connections that sign in and start nothing,
//! failed sign-ins behind one address, a broken or missing host key, and what the system log
//! (the server's stderr) says about each. The real binary on loopback, the real OpenSSH client.
//! Skipped with a notice when ssh or tmux is missing, unless `INSATS_REQUIRE_E2E=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::ssh::{Server, demo_db, have_tools, insats, key_for, keygen, text};
use insats::domain::audit::Action;
use insats::domain::user::Role;
use insats::service::{AuditFilter, Session};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// The server's stderr so far.
fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
}

/// Waits up to 10 s for a line of the log holding every one of `parts`; returns it.
fn log_line(dir: &Path, parts: &[&str]) -> String {
    let started = Instant::now();
    loop {
        let all = log(dir);
        if let Some(l) = all.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
            return l.to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no log line with {parts:?}:\n{all}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A plain TCP connection to the server that says nothing (or only `banner`).
fn idle(port: u16, banner: Option<&[u8]>) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    if let Some(b) = banner {
        s.write_all(b).unwrap();
    }
    s
}

/// Whether the server closed `s` within `wait` (everything it sent before is read and dropped).
fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    let until = Instant::now() + wait;
    let mut buf = [0u8; 4096];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// Runs `c`, failing the test (not hanging it) if it has not ended within 10 s.
fn output_within(c: &mut std::process::Command) -> std::process::Output {
    let mut child = c
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{c:?} still runs after 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn ok(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn twice_max_sessions_idle_connections_do_not_keep_a_valid_key_out_and_go_at_the_grace_time() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let hanna = key_for(dir.path(), &db, "hanna");
    let server = Server::start(
        dir.path(),
        &db,
        &["--max-sessions", "2", "--login-grace-seconds", "3"],
    );
    // 2 × max-sessions connections that never say a word, and as many that send their SSH
    // banner and stop: before, these filled every connection slot for an hour.
    let started = Instant::now();
    let mut waiting: Vec<TcpStream> = (0..4).map(|_| idle(server.port, None)).collect();
    waiting.extend((0..4).map(|_| idle(server.port, Some(b"SSH-2.0-OpenSSH_9.2\r\n"))));
    std::thread::sleep(Duration::from_millis(200));
    let out = output_within(server.ssh(&hanna, "hanna").arg("help"));
    ok(&out);
    assert!(
        text(&out.stdout).contains("Over SSH"),
        "{}",
        text(&out.stdout)
    );
    // Still there after the sign-in, gone at the grace time (3 s).
    for s in &mut waiting {
        assert!(!closed_within(s, Duration::from_millis(20)));
    }
    assert!(started.elapsed() < Duration::from_millis(2500));
    for s in &mut waiting {
        assert!(closed_within(s, Duration::from_secs(6)), "still open");
    }
    assert!(started.elapsed() >= Duration::from_secs(3));
    let line = log_line(dir.path(), &["login grace time expired"]);
    assert!(line.contains("addr=127.0.0.1"), "{line}");
    assert!(line.contains("connection closed by the server"), "{line}");
}

#[test]
fn a_flood_of_idle_connections_from_the_same_address_cannot_keep_a_valid_key_out() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let hanna = key_for(dir.path(), &db, "hanna");
    // A budget of 3 waiting connections, 1 per address: the flood far exceeds it.
    let server = Server::start(
        dir.path(),
        &db,
        &["--max-sessions", "2", "--max-startups", "3"],
    );
    let mut flood: Vec<TcpStream> = (0..20).map(|_| idle(server.port, None)).collect();
    let out = output_within(server.ssh(&hanna, "hanna").arg("help"));
    ok(&out);
    // Each newer connection pushed out the one before it, long before the 30 s grace time;
    // the valid key's connection pushed out the last.
    for (i, s) in flood.iter_mut().enumerate() {
        assert!(closed_within(s, Duration::from_secs(3)), "connection {i}");
    }
    let line = log_line(dir.path(), &["connections not signed in at their limit"]);
    assert!(line.contains("per_address=1"), "{line}");
    log_line(
        dir.path(),
        &["WARN", "the oldest made room", "addr=127.0.0.1"],
    );
}

#[test]
fn sftp_and_scp_are_refused_at_once() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let hanna = key_for(dir.path(), &db, "hanna");
    let server = Server::start(dir.path(), &db, &[]);
    let started = Instant::now();
    let out = output_within(server.ssh(&hanna, "hanna").args(["-s", "sftp"]));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("subsystem request failed"),
        "{}",
        text(&out.stderr)
    );
    // The sftp program, and scp (which speaks sftp), end at once too.
    let port = server.port.to_string();
    let key = hanna.display().to_string();
    let opts = [
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-i",
        &key,
    ];
    let target = dir.path().join("copied");
    for (program, tail) in [
        ("sftp", vec!["-b", "/dev/null", "hanna@127.0.0.1"]),
        (
            "scp",
            vec!["hanna@127.0.0.1:/etc/hostname", target.to_str().unwrap()],
        ),
    ] {
        let started = Instant::now();
        let out = output_within(
            std::process::Command::new(program)
                .args(["-P", &port, "-F", "/dev/null"])
                .args(opts)
                .args(tail),
        );
        assert!(started.elapsed() < Duration::from_secs(3), "{program}");
        assert_ne!(out.status.code(), Some(0), "{program}");
    }
    assert!(!target.exists());
    let line = log_line(dir.path(), &["request refused", "subsystem"]);
    assert!(line.contains("sftp"), "{line}");
    assert!(line.contains("user=U"), "{line}");
}

struct Trusting;

impl russh::client::Handler for Trusting {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// Signs in with `key` as `user`, opens a session channel and asks for nothing on it; returns
/// how long until the server closed the connection (at most 10 s).
fn open_an_idle_channel(port: u16, key: &Path, user: &str) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = std::sync::Arc::new(russh::client::Config::default());
        let mut h = russh::client::connect(config, ("127.0.0.1", port), Trusting)
            .await
            .unwrap();
        let key = russh::keys::load_secret_key(key, None).unwrap();
        let key = russh::keys::PrivateKeyWithHashAlg::new(std::sync::Arc::new(key), None);
        assert!(h.authenticate_publickey(user, key).await.unwrap().success());
        let started = Instant::now();
        let mut channel = h.channel_open_session().await.unwrap();
        let closed = async { while channel.wait().await.is_some() {} };
        tokio::time::timeout(Duration::from_secs(10), closed)
            .await
            .unwrap();
        started.elapsed()
    })
}

#[test]
fn a_signed_in_connection_without_a_session_is_closed_at_its_timeout() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let hanna = key_for(dir.path(), &db, "hanna");
    let server = Server::start(dir.path(), &db, &["--idle-connection-seconds", "1"]);
    // ssh -N: signs in and opens no channel at all.
    let started = Instant::now();
    let out = output_within(server.ssh(&hanna, "hanna").arg("-N"));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(out.status.code(), Some(255));
    assert!(
        text(&out.stderr).contains("no session was started"),
        "{}",
        text(&out.stderr)
    );
    // A channel that asks for neither the terminal UI nor a command is closed the same way.
    let took = open_an_idle_channel(server.port, &hanna, "hanna");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let line = log_line(
        dir.path(),
        &["signed in but no session started in time", "user=U"],
    );
    assert!(line.contains("addr=127.0.0.1"), "{line}");
    // A command is not cut short by it: it runs and the connection ends normally.
    let out = server.ssh(&hanna, "hanna").arg("help").output().unwrap();
    ok(&out);
}

/// A personnummer hanna may look up in the demo data, and her display name.
fn hannas_person(db: &Path) -> (String, String) {
    let service = insats::cli::screens::demo_service(db).unwrap();
    let s = Session::sign_in(&service, "hanna", None).unwrap();
    let v = &s.interventions().unwrap()[0];
    let rows = s.participants_page(v.intervention.id, None, 1).unwrap();
    (
        rows[0].identity.pnr.to_string(),
        s.user().display_name.clone(),
    )
}

#[test]
fn failures_with_one_key_do_not_lock_out_another_good_key_from_the_same_address() {
    if !have_tools() {
        return;
    }
    let (dir, db) = demo_db();
    let (pnr, hannas_name) = hannas_person(&db);
    let hanna = key_for(dir.path(), &db, "hanna");
    let stranger = keygen(dir.path(), "stranger");
    let stranger_fp = {
        let out = std::process::Command::new("ssh-keygen")
            .arg("-lf")
            .arg(stranger.with_extension("pub"))
            .output()
            .unwrap();
        text(&out.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let mut server = Server::start(dir.path(), &db, &[]);
    // Ten failed connections at once with one unknown key, from 127.0.0.1.
    let tries: Vec<_> = (0..10)
        .map(|_| {
            server
                .ssh(&stranger, "hanna")
                .arg("help")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for t in tries {
        let out = t.wait_with_output().unwrap();
        assert!(text(&out.stderr).contains("Permission denied"));
    }
    let lockout = log_line(dir.path(), &["key locked out from this address"]);
    assert!(lockout.contains(&stranger_fp), "{lockout}");
    // That key is now refused without a look-up; hanna's key from the same address is not.
    let out = server.ssh(&stranger, "hanna").arg("help").output().unwrap();
    assert!(text(&out.stderr).contains("Permission denied"));
    log_line(dir.path(), &["reason=\"key locked out from this address\""]);
    let out = server
        .ssh(&hanna, "hanna")
        .arg(format!("lookup {pnr}"))
        .output()
        .unwrap();
    ok(&out);
    // Another unknown key from the same address is still only refused as unknown.
    let other = keygen(dir.path(), "other");
    let out = server.ssh(&other, "hanna").arg("help").output().unwrap();
    assert!(text(&out.stderr).contains("Permission denied"));
    server.stop();

    // The system log names the cause of each refusal with the key and the address, and
    // carries no name, login name, personnummer or command.
    let all = log(dir.path());
    let refused: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("sign-in refused"))
        .collect();
    assert_eq!(refused.len(), 12, "{all}");
    for l in &refused {
        assert!(l.contains("addr=127.0.0.1"), "{l}");
        assert!(
            l.contains("key=\"SHA256:") || l.contains("key=SHA256:"),
            "{l}"
        );
        assert!(l.contains("reason="), "{l}");
    }
    assert_eq!(
        refused
            .iter()
            .filter(|l| l.contains("reason=\"unknown key\""))
            .count(),
        11
    );
    log_line(dir.path(), &["signed in", "user=U", "key=SHA256:"]);
    log_line(dir.path(), &["command finished", "status=0", "user=U"]);
    log_line(dir.path(), &["server stopped"]);
    assert!(!all.to_lowercase().contains("hanna"), "{all}");
    assert!(!all.contains(&hannas_name), "{all}");
    assert!(!all.contains(&pnr), "{all}");
    assert!(!all.contains("lookup"), "{all}");

    // The audit log: the refusals and the lockout (once), each with the address; the sign-in
    // with its address; and the chain verifies.
    let service = insats::cli::screens::demo_service(&db).unwrap();
    let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
    let entries = |action| {
        admin
            .audit_page(
                &AuditFilter {
                    action: Some(action),
                    ..AuditFilter::default()
                },
                None,
                100,
            )
            .unwrap()
    };
    let failed = entries(Action::LoginFailed);
    let notes: Vec<&str> = failed.iter().map(|e| e.draft.note.as_str()).collect();
    assert!(
        notes.iter().all(|n| n.ends_with(" from 127.0.0.1")),
        "{notes:?}"
    );
    let lockouts = notes
        .iter()
        .filter(|n| n.starts_with("key locked out"))
        .count();
    assert_eq!(lockouts, 1, "{notes:?}");
    // Ten refused as unknown, the other key once; the refusal the lockout made is not one by one.
    let unknown = notes
        .iter()
        .filter(|n| n.starts_with("unknown key"))
        .count();
    assert_eq!(unknown, 11, "{notes:?}");
    let logins = entries(Action::Login);
    assert_eq!(logins.len(), 1);
    assert!(logins[0].draft.note.ends_with(" from 127.0.0.1"));
    drop(admin);
    drop(service);
    let out = insats(&db, &["--as", "admin", "audit", "verify"]);
    assert!(text(&out.stdout).contains("audit chain intact"));
}

#[test]
fn a_broken_host_key_stops_the_server_naming_the_file_and_a_missing_one_is_made_loudly() {
    let (dir, db) = demo_db();
    let hostkey = insats::server::ssh::host_key_path(&db);
    std::fs::write(&hostkey, "-----BEGIN NONSENSE-----\n").unwrap();
    // Private to the service user, as serve asks, so that what is refused is the content.
    std::fs::set_permissions(
        &hostkey,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    for (lang, what) in [("en", "move the file away"), ("sv", "flytta undan filen")] {
        let out = std::process::Command::new(common::ssh::bin())
            .arg("--db")
            .arg(&db)
            .args(["--lang", lang, "serve", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(err.contains(&hostkey.display().to_string()), "{err}");
        assert!(err.contains(what), "{err}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        std::fs::read_to_string(&hostkey).unwrap(),
        "-----BEGIN NONSENSE-----\n",
        "a broken key is never replaced"
    );
    // Moved away: a new key is made, and said so in the log and on stderr.
    std::fs::remove_file(&hostkey).unwrap();
    let mut server = Server::start(dir.path(), &db, &[]);
    server.stop();
    let first = log(dir.path());
    assert!(first.contains("NEW HOST KEY SHA256:"), "{first}");
    let warn = log_line(dir.path(), &["WARN", "a new host key was made"]);
    assert!(warn.contains("host_key=SHA256:"), "{warn}");
    // The next start reads it and says nothing of the kind.
    let mut server = Server::start(dir.path(), &db, &[]);
    server.stop();
    let second = log(dir.path());
    assert!(!second.contains("NEW HOST KEY"), "{second}");
    assert!(!second.contains("a new host key was made"), "{second}");
}

/// A stop signal that comes the moment the server says it listens (a supervisor, or a test,
/// that stops it at once) stops it in order: its log ends with "server stopped" and it exits
/// with status 0, instead of being killed by the signal before its handler was installed.
#[test]
fn a_stop_right_after_the_start_stops_the_server_in_order() {
    let (dir, db) = demo_db();
    for round in 0..5 {
        let mut server = Server::start(dir.path(), &db, &[]);
        server.stop();
        let status = server.try_status().expect("stopped");
        assert_eq!(status.code(), Some(0), "round {round}: {status:?}");
        let all = log(dir.path());
        assert!(all.contains("server stopped"), "round {round}:\n{all}");
    }
}

/// A supervisor that reads the first line of the server's output and closes its pipes (as the
/// benchmark did) must not bring the server down: it keeps answering connections, and logs
/// (now to nowhere) without a panic.
#[test]
fn a_server_whose_output_was_closed_keeps_serving() {
    use std::io::BufRead;
    let (dir, db) = demo_db();
    // No host key yet: the start also prints the new-key notice after the first line.
    let hostkey = insats::server::ssh::host_key_path(&db);
    let _ = std::fs::remove_file(&hostkey);
    let mut child = std::process::Command::new(common::ssh::bin())
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // Its log's reader goes too, before the new-key warning and the sign-in lines are written.
    drop(child.stderr.take());
    let port: u16 = first.rsplit(':').next().unwrap().trim().parse().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "the server went away");
    // A connection that comes and goes is logged when it ends; then the next is still answered.
    for _ in 0..2 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut banner = [0u8; 8];
        s.read_exact(&mut banner).unwrap();
        assert_eq!(&banner, b"SSH-2.0-");
        drop(s);
        std::thread::sleep(Duration::from_millis(300));
        assert!(child.try_wait().unwrap().is_none(), "the server went away");
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(dir);
}

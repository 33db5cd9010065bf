//! The SSH server for end-to-end tests: the real binary's `insats serve` on a free port of
//! 127.0.0.1, keys made with ssh-keygen and stored with `insats user key add`, and the OpenSSH
//! client's command lines.

use super::tmux::have;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn have_tools() -> bool {
    let keygen = Command::new("sh")
        .args(["-c", "command -v ssh-keygen"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !keygen {
        assert!(
            std::env::var("INSATS_REQUIRE_E2E").as_deref() != Ok("1"),
            "ssh-keygen is required (INSATS_REQUIRE_E2E=1) but missing"
        );
        eprintln!("SKIPPED: ssh-keygen is not installed; SSH tests did not run");
        return false;
    }
    have("tmux", "-V") && have("ssh", "-V")
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_insats")
}

pub fn insats(db: &Path, args: &[&str]) -> Output {
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
    out
}

/// A demo database in a temp folder.
pub fn demo_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.redb");
    insats(&db, &["demo", "--summary"]);
    (dir, db)
}

/// A new ed25519 key pair in `dir`; returns the private key's path.
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    key
}

/// A key for `user`, stored with `insats user key add`; returns the private key's path.
pub fn key_for(dir: &Path, db: &Path, user: &str) -> PathBuf {
    let key = keygen(dir, user);
    let public = format!("{}.pub", key.display());
    insats(
        db,
        &[
            "--as", "admin", "user", "key", "add", user, "--file", &public,
        ],
    );
    key
}

/// The server process, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(dir: &Path, db: &Path, extra: &[&str]) -> Server {
        let log = std::fs::File::create(dir.join("serve.log")).unwrap();
        let mut child = Command::new(bin())
            .arg("--db")
            .arg(db)
            .args(["--lang", "en", "serve", "--listen", "127.0.0.1:0"])
            // A demo database's day stays the demo's, as the tests expect.
            .env("INSATS_DEMO_TODAY", "2026-11-02")
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let port = first.rsplit(':').next().unwrap().trim().parse().unwrap();
        let second = lines.next().unwrap().unwrap();
        assert!(second.starts_with("host key SHA256:"), "{second}");
        Server { child, port }
    }

    pub fn ssh(&self, key: &Path, user: &str) -> Command {
        let mut c = Command::new("ssh");
        c.args(ssh_options(self.port, key))
            .arg(format!("{user}@127.0.0.1"));
        c
    }

    /// The command line of an interactive session (for tmux).
    pub fn ssh_tty(&self, key: &Path, user: &str) -> String {
        format!(
            "ssh -tt {} {user}@127.0.0.1; echo EXIT=$?; sleep 30",
            ssh_options(self.port, key).join(" ")
        )
    }

    /// The exit status, once the server has stopped by itself.
    pub fn try_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }

    pub fn stop(&mut self) {
        if self.child.try_wait().unwrap().is_some() {
            return;
        }
        let _ = Command::new("sh")
            // The shell's own kill: no procps needed.
            .args(["-c", &format!("kill -TERM {}", self.child.id())])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn ssh_options(port: u16, key: &Path) -> Vec<String> {
    [
        "-F",
        "/dev/null",
        "-p",
        &port.to_string(),
        "-i",
        &key.display().to_string(),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

//! A real terminal for end-to-end tests: a tmux server of its own, keys sent with `send-keys`,
//! the screen read with `capture-pane`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Whether tmux is here; missing, the test is skipped with a notice, unless
/// `INSATS_REQUIRE_E2E=1` (CI), where it fails.
pub fn have(program: &str, version_arg: &str) -> bool {
    let ok = Command::new(program)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("INSATS_REQUIRE_E2E").as_deref() != Ok("1"),
            "{program} is required (INSATS_REQUIRE_E2E=1) but missing"
        );
        eprintln!("SKIPPED: {program} is not installed; end-to-end terminal tests did not run");
    }
    ok
}

/// A tmux server of its own, killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, cmd: &str, dir: &Path) -> Tmux {
        Tmux::start_sized(name, cmd, dir, 160, 48)
    }

    pub fn start_sized(name: &str, cmd: &str, dir: &Path, cols: u16, rows: u16) -> Tmux {
        let socket = format!("insats-{name}-{}", std::process::id());
        let t = Tmux { socket };
        let status = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
            ])
            .arg(cols.to_string())
            .arg("-y")
            .arg(rows.to_string())
            .arg("-c")
            .arg(dir)
            .args([
                "-e",
                "LANG=C.UTF-8",
                "-e",
                "LC_ALL=C.UTF-8",
                "-e",
                "TERM=xterm-256color",
                "-e",
                "NO_COLOR=",
            ])
            .arg(cmd)
            .status()
            .unwrap();
        assert!(status.success());
        t
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let status = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "0"])
                .arg(k)
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    pub fn text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "0", "-l"])
            .arg(text)
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(40));
    }

    pub fn resize(&self, cols: u16, rows: u16) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-t", "0", "-x"])
            .arg(cols.to_string())
            .arg("-y")
            .arg(rows.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `what` (10 s at most).
    pub fn wait_for(&self, what: &str) -> String {
        self.wait_for_within(what, Duration::from_secs(10))
    }

    /// Waits until the screen shows `what`, failing after `limit`.
    /// From the participants pane: records consent for a new person and registers them in,
    /// answering the first option of each of the `questions`, all by keys. Returns the screen
    /// once the status line says "Registered in".
    pub fn register_by_keys(&self, pnr: &str, name: &str, questions: usize) -> String {
        self.keys(&["n"]);
        self.wait_for("New participant: consent");
        self.text(pnr);
        self.keys(&["Tab"]);
        self.text(name);
        self.keys(&["Tab"]);
        self.text("0180");
        // Signed on (today), signed by (participant), mature (no) and received by (the
        // signed-in handler): as they are.
        self.keys(&["C-s"]);
        self.wait_for("Register in: situation before");
        // In-date and gender as they are; then the first option of every question.
        self.keys(&["Tab", "Tab"]);
        for _ in 0..questions {
            self.keys(&["1", "Tab"]);
        }
        self.keys(&["C-s"]);
        // The status line says it alone on its line (the form's field "Registered in on" must
        // not count).
        self.wait_for_line("Registered in")
    }

    /// Waits until a whole line of the screen reads `line` (10 s at most).
    pub fn wait_for_line(&self, line: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let s = self.screen();
            if s.lines().any(|l| l.trim() == line) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no line '{line}':\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for_within(&self, what: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < limit,
                "screen never showed '{what}' within {limit:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Tmux {
    /// Waits until the program in the window has exited and tmux closed its session (10 s at
    /// most), so the database file is let go before the next command opens it.
    pub fn wait_for_exit(&self) {
        let start = Instant::now();
        loop {
            let alive = Command::new("tmux")
                .args(["-L", &self.socket, "has-session", "-t", "0"])
                .output()
                .is_ok_and(|o| o.status.success());
            if !alive {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the program did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

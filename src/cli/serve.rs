//! `insats serve`: the SSH server over this database, and the commands it runs over exec.

use super::admin::db_path;
use super::keeping::say;
use super::{CliError, Global, demo, paths, tui};
use crate::server::ssh::{self, Exec, ExecOutput, ServeOptions};
use crate::service::{Clock, Lang, Service, Session, SystemClock};
use clap::Args;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port, printed on start)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:2222")]
    pub listen: String,
    /// Sessions at once, at most; one more is told the server is full
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_sessions: usize,
    /// Connections not yet signed in, at most (a third of them from one address); past it the
    /// oldest of the address holding the most is closed to make room
    #[arg(long, value_name = "N", default_value_t = ssh::MAX_STARTUPS)]
    pub max_startups: usize,
    /// Close a connection that has not signed in after this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub login_grace_seconds: u64,
    /// Close a signed-in connection that runs no session (no channel, or one that asked for
    /// neither the terminal UI nor a command) after this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub idle_connection_seconds: u64,
    /// Close a session after this many minutes without input (the screen locks earlier, after
    /// --lock-after minutes)
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub hard_timeout_minutes: u64,
    #[command(flatten)]
    pub backup: super::schedule::ServeBackupArgs,
}

pub fn serve(g: &Global, a: &ServeArgs) -> Result<(), CliError> {
    let ui = tui::options(g)?;
    let lang = paths::lang(g.lang.as_deref());
    if a.hard_timeout_minutes == 0 {
        return Err(CliError::Usage(say(
            lang,
            "--hard-timeout-minutes: at least 1 minute",
            "--hard-timeout-minutes: minst 1 minut",
        )));
    }
    for (flag, value) in [
        ("--max-sessions", a.max_sessions as u64),
        ("--max-startups", a.max_startups as u64),
        ("--login-grace-seconds", a.login_grace_seconds),
        ("--idle-connection-seconds", a.idle_connection_seconds),
    ] {
        if value == 0 {
            return Err(CliError::Usage(say(
                lang,
                &format!("{flag}: at least 1"),
                &format!("{flag}: minst 1"),
            )));
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INSATS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(|| LogWriter)
        .try_init();
    let path = db_path(g);
    let lang = paths::lang(g.lang.as_deref());
    // Files another local user could read are refused before anything is opened.
    {
        use super::modes::{Private, require_closed_dir, require_private};
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            require_closed_dir(dir, lang)?;
        }
        let key = g
            .key
            .clone()
            .unwrap_or_else(|| crate::service::default_key_path(&path));
        require_private(&path, Private::Database, lang)?;
        require_private(&key, Private::KeyFile, lang)?;
        require_private(&ssh::host_key_path(&path), Private::HostKey, lang)?;
    }
    // A demo database lives on its own fixed day, as `insats demo` does.
    let service = Service::open_with(
        &path,
        g.key.as_deref(),
        g.erasure_journal.as_deref(),
        |demo| -> Box<dyn Clock> {
            if demo {
                demo::clock()
            } else {
                Box::new(SystemClock)
            }
        },
    )?;
    super::schedule::start(&service, &a.backup)?;
    daily_checkpoints(&service);
    let exec: Exec = Arc::new(move |s: &Session, command: &str| run_command(s, command, lang));
    // Over SSH an export would land on the server's disk: the report screen names the
    // command that streams it to the user instead.
    let ui = crate::ui::Options {
        export_dir: None,
        ..ui
    };
    let options = ServeOptions {
        listen: a.listen.clone(),
        host_key: ssh::host_key_path(&path),
        max_sessions: a.max_sessions,
        max_startups: a.max_startups,
        login_grace: Duration::from_secs(a.login_grace_seconds),
        idle: Duration::from_secs(a.idle_connection_seconds),
        hard_timeout: Duration::from_secs(a.hard_timeout_minutes.saturating_mul(60)),
        ui,
        exec,
    };
    ssh::serve(service, options, |s| {
        // A server whose standard output or error is closed (a supervisor that read the first
        // line and went, a closed terminal) keeps serving: these lines are also in the log.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "insats: serving {} on {}", path.display(), s.addr);
        let _ = writeln!(out, "host key {}", s.fingerprint);
        let _ = out.flush();
        if s.new_host_key {
            let _ = writeln!(
                std::io::stderr(),
                "insats: {}",
                new_host_key(lang, s.fingerprint)
            );
        }
    })
    .map_err(|e| CliError::Io(e.message(lang)))
}

/// Said on every start that made a host key: on a first start that is expected; on any later
/// one the old key was lost, and users must hear the new fingerprint before they accept it.
fn new_host_key(lang: Lang, fingerprint: &str) -> String {
    say(
        lang,
        &format!(
            "NEW HOST KEY {fingerprint}: there was no host key file, so a new key was made. \
             On a first start that is expected. Otherwise the old key was lost: every client \
             that knew it will refuse to connect, warning that the host key changed; tell your \
             users the new fingerprint before they accept it (ssh-keygen -R removes the old one)."
        ),
        &format!(
            "NY VÄRDNYCKEL {fingerprint}: det fanns ingen värdnyckelfil, så en ny nyckel gjordes. \
             Vid första starten är det väntat. Annars har den gamla nyckeln gått förlorad: varje \
             klient som kände den vägrar ansluta med en varning om att värdnyckeln har bytts; ge \
             användarna det nya fingeravtrycket innan de godtar det (ssh-keygen -R tar bort det \
             gamla)."
        ),
    )
}

/// Writes the audit chain's head to the log at start and once a day, for whoever keeps the
/// system log elsewhere (journald forwarded, mailed): a checkpoint the server cannot take back.
fn daily_checkpoints(service: &Service) {
    let service = service.clone();
    let spawned = std::thread::Builder::new()
        .name("insats-checkpoint".into())
        .spawn(move || {
            loop {
                match service.checkpoint() {
                    Ok(Some(c)) => tracing::info!(checkpoint = %c.text(), "audit checkpoint"),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!("could not read the audit head for a checkpoint: {e}");
                    }
                }
                std::thread::sleep(Duration::from_hours(24));
            }
        });
    if let Err(e) = spawned {
        tracing::error!("could not start the daily checkpoint: {e}");
    }
}

/// One command over `ssh host COMMAND` (see `remote`): the same output, access rules and audit
/// entries as the command line's. The command itself is never echoed (it may hold a
/// personnummer).
pub fn run_command(s: &Session, command: &str, lang: Lang) -> ExecOutput {
    let mut out = Vec::new();
    let result = super::remote::run(s, command, lang, &mut out);
    let stdout = out;
    match result {
        Ok(()) => ExecOutput {
            stdout,
            stderr: String::new(),
            status: 0,
        },
        Err(message) => ExecOutput {
            stdout,
            stderr: format!("insats: {message}\n"),
            status: 1,
        },
    }
}

/// The system log's writer: standard error, where journald reads it. A log line that cannot be
/// written (standard error closed: a supervisor that went away) is dropped rather than brought
/// up as an error, which the log library would report by a print that panics on a closed
/// standard error — the server keeps serving.
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

//! `insats serve`: the SSH server over this database, and the commands it runs over exec.

use super::admin::db_path;
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
    /// Close a session after this many minutes without input (the screen locks earlier, after
    /// --lock-after minutes)
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub hard_timeout_minutes: u64,
    #[command(flatten)]
    pub backup: super::schedule::ServeBackupArgs,
}

pub fn serve(g: &Global, a: &ServeArgs) -> Result<(), CliError> {
    let ui = tui::options(g)?;
    if a.hard_timeout_minutes == 0 {
        return Err(CliError::Usage(
            "--hard-timeout-minutes: at least 1 minute".into(),
        ));
    }
    if a.max_sessions == 0 {
        return Err(CliError::Usage("--max-sessions: at least 1".into()));
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INSATS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
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
        hard_timeout: Duration::from_secs(a.hard_timeout_minutes.saturating_mul(60)),
        ui,
        exec,
    };
    ssh::serve(service, options, |addr, fingerprint| {
        println!("insats: serving {} on {addr}", path.display());
        println!("host key {fingerprint}");
        let _ = std::io::stdout().flush();
    })
    .map_err(|e| CliError::Io(e.to_string()))
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

//! `insats serve`: the listening socket, the russh configuration, the budgets connections are
//! admitted under, and the server's start and stop (each one line in the system log).

use super::channel::Exec;
use super::conn::{self, Accepted};
use super::error::SshError;
use super::failures::FailedLogins;
use super::hostkey;
use super::shared::Shared;
use super::source::Source;
use super::startups::Startups;
use super::watch::{Timeouts, Watch};
use crate::service::Service;
use crate::ui::Options;
use russh::MethodKind;
use russh::keys::PrivateKey;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Every refused sign-in takes this long, whatever was wrong.
pub const REJECTION_TIME: Duration = Duration::from_millis(500);
/// Sign-in attempts allowed on one connection.
pub const MAX_AUTH_ATTEMPTS: usize = 6;

/// How the server runs.
pub struct ServeOptions {
    /// Address and port, e.g. `127.0.0.1:2222` (port 0: any free port).
    pub listen: String,
    pub host_key: PathBuf,
    pub max_sessions: usize,
    /// Connections not yet signed in, at most (see `startups`).
    pub max_startups: usize,
    /// A connection not signed in after this long is closed.
    pub login_grace: Duration,
    /// A signed-in connection running no session for this long is closed.
    pub idle: Duration,
    /// A session without input for this long is closed.
    pub hard_timeout: Duration,
    pub ui: Options,
    pub exec: Exec,
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("listen", &self.listen)
            .field("max_sessions", &self.max_sessions)
            .field("max_startups", &self.max_startups)
            .field("login_grace", &self.login_grace)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

/// What `serve` tells its caller once it listens.
#[derive(Debug)]
pub struct Started<'a> {
    pub addr: SocketAddr,
    pub fingerprint: &'a str,
    /// The host key was made now: there was no file (a first start, or a lost key).
    pub new_host_key: bool,
}

fn config(key: PrivateKey, hard_timeout: Duration) -> russh::server::Config {
    russh::server::Config {
        server_id: russh::SshId::Standard("SSH-2.0-insats".into()),
        methods: russh::MethodSet::from(&[MethodKind::PublicKey][..]),
        auth_rejection_time: REJECTION_TIME,
        // The client's first "none" probe only asks which methods there are.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![key],
        max_auth_attempts: MAX_AUTH_ATTEMPTS,
        // A last backstop only: every state of a connection has its own deadline (`watch`).
        inactivity_timeout: Some(hard_timeout + Duration::from_mins(1)),
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    }
}

/// Waits for Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: a SIGTERM that comes while the server starts (a supervisor that
/// stops it as soon as it says it listens) then stops it in order instead of killing it before
/// it has written its log.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        if let (Some(mut term), Some(mut int)) = signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the SSH server on `service` until Ctrl-C or SIGTERM. `started` hears the address it
/// listens on and the host key's fingerprint once it accepts connections.
pub fn serve(
    service: Service,
    o: ServeOptions,
    started: impl FnOnce(&Started<'_>),
) -> Result<(), SshError> {
    let host = hostkey::load_or_create(&o.host_key)?;
    let fingerprint = hostkey::fingerprint(&host.key);
    if host.made {
        tracing::warn!(
            path = %o.host_key.display(),
            host_key = %fingerprint,
            "there was no host key file, so a new host key was made: if this server had one \
             before, it was lost, and every client that knew it will refuse to connect with a \
             warning that the host key changed until its user checks and accepts the new \
             fingerprint"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("insats-ssh")
        .build()?;
    let result = rt.block_on(async move {
        // Before the server says it listens: from then on a stop signal is heard.
        let stop = stop_signal();
        let listener = TcpListener::bind(&o.listen)
            .await
            .map_err(|e| SshError::Listen {
                addr: o.listen.clone(),
                detail: e.to_string(),
            })?;
        let addr = listener.local_addr()?;
        started(&Started {
            addr,
            fingerprint: &fingerprint,
            new_host_key: host.made,
        });
        let config = Arc::new(config(host.key, o.hard_timeout));
        let max_sessions = o.max_sessions.max(1);
        let timeouts = Timeouts {
            login_grace: o.login_grace,
            idle: o.idle,
            hard: o.hard_timeout,
        };
        tracing::info!(
            listen = %addr,
            host_key = %fingerprint,
            max_sessions,
            max_startups = o.max_startups,
            login_grace_secs = o.login_grace.as_secs(),
            idle_secs = o.idle.as_secs(),
            hard_timeout_mins = o.hard_timeout.as_secs() / 60,
            "server started"
        );
        let shared = Arc::new(Shared {
            service,
            ui: o.ui,
            exec: o.exec,
            failed: FailedLogins::default(),
            startups: Mutex::new(Startups::new(o.max_startups)),
            sessions: Arc::new(Semaphore::new(max_sessions)),
            // Room for every session and as many between sessions.
            signed_in: Arc::new(Semaphore::new(max_sessions.saturating_mul(2))),
            max_sessions,
            timeouts,
            pending_audit: Mutex::new(JoinSet::new()),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut connections = JoinSet::new();
        let mut next_id: u64 = 0;
        tokio::pin!(stop);
        let failed = super::storage::failed();
        tokio::pin!(failed);
        let mut storage_failed = None;
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                () = &mut stop => break,
                cause = &mut failed => {
                    tracing::error!(
                        cause,
                        "the database file cannot be written or read: stopping, to be started again once there is room"
                    );
                    // The sessions notice it on their next tick and tell their users why
                    // they end: let them say it before the process goes.
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    storage_failed = Some(cause.to_owned());
                    break;
                }
            };
            while connections.try_join_next().is_some() {}
            let (socket, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            next_id += 1;
            let _ = socket.set_nodelay(true);
            let watch = Arc::new(Watch::new(Instant::now()));
            let (pushed_out, waiting, per_address) = {
                let mut startups = shared
                    .startups
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let out = startups.admit(Source::of(peer.ip()), next_id, watch.clone());
                (out, startups.len(), startups.per_source())
            };
            if let Some((old, oldest)) = pushed_out {
                tracing::warn!(
                    conn = next_id,
                    addr = %peer.ip(),
                    closes = old,
                    waiting,
                    per_address,
                    "connections not signed in at their limit: an older one makes room"
                );
                oldest.evict();
            }
            let a = Accepted {
                id: next_id,
                peer,
                watch,
            };
            let run = conn::run(shared.clone(), config.clone(), socket, a, stop_rx.clone());
            connections.spawn(run);
        }
        tracing::info!(
            connections = connections.len(),
            "stop signal: closing the connections"
        );
        let _ = stop_tx.send(true);
        let all_closed = async { while connections.join_next().await.is_some() {} };
        let _ = tokio::time::timeout(Duration::from_secs(3), all_closed).await;
        // Refused sign-ins of connections that just went are written before the process ends.
        let mut pending = shared.take_pending_audit();
        let written = async { while pending.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(10), written)
            .await
            .is_err()
        {
            tracing::error!("stopping with refused sign-ins not yet written to the audit log");
        }
        match storage_failed {
            Some(cause) => Err(SshError::Storage(cause)),
            None => Ok(()),
        }
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    tracing::info!("server stopped");
    result
}

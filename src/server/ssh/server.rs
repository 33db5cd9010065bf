//! `insats serve`: the listening socket, the russh configuration and the limits that apply
//! before a connection gets a handler.

use super::channel::Exec;
use super::error::SshError;
use super::handler::{Connection, Shared};
use super::hostkey;
use super::limits::FailedLogins;
use crate::service::Service;
use crate::ui::Options;
use russh::MethodKind;
use russh::keys::PrivateKey;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

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
            .finish_non_exhaustive()
    }
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
        // A backstop for connections that never open a session; sessions close themselves
        // after the hard timeout.
        inactivity_timeout: Some(hard_timeout + Duration::from_mins(1)),
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    }
}

/// Waits for Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs the SSH server on `service` until Ctrl-C or SIGTERM. `started` hears the address it
/// listens on and the host key's fingerprint once it accepts connections.
pub fn serve(
    service: Service,
    o: ServeOptions,
    started: impl FnOnce(SocketAddr, &str),
) -> Result<(), SshError> {
    let key = hostkey::load_or_create(&o.host_key)?;
    let fingerprint = hostkey::fingerprint(&key);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("insats-ssh")
        .build()?;
    let result = rt.block_on(async move {
        let listener = TcpListener::bind(&o.listen)
            .await
            .map_err(|e| SshError::Listen {
                addr: o.listen.clone(),
                detail: e.to_string(),
            })?;
        started(listener.local_addr()?, &fingerprint);
        let config = Arc::new(config(key, o.hard_timeout));
        let max_sessions = o.max_sessions.max(1);
        let shared = Arc::new(Shared {
            service,
            ui: o.ui,
            exec: o.exec,
            failed: FailedLogins::default(),
            sessions: Arc::new(Semaphore::new(max_sessions)),
            max_sessions,
            hard_timeout: o.hard_timeout,
        });
        // Connections, signed in or not: room for every session and as many signing in.
        let slots = Arc::new(Semaphore::new(max_sessions.saturating_mul(2)));
        let stop = stop_signal();
        tokio::pin!(stop);
        let failed = super::storage::failed();
        tokio::pin!(failed);
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                () = &mut stop => return Ok(()),
                cause = &mut failed => {
                    tracing::error!(
                        cause,
                        "the database file cannot be written or read: stopping, to be started again once there is room"
                    );
                    // The sessions notice it on their next tick and tell their users why
                    // they end: let them say it before the process goes.
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    return Err(SshError::Storage(cause.to_owned()));
                }
            };
            let (socket, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            if shared.failed.blocked(peer.ip(), Instant::now()) {
                continue;
            }
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                continue;
            };
            let _ = socket.set_nodelay(true);
            let handler = Connection::new(shared.clone(), Some(peer.ip()), slot);
            let config = config.clone();
            tokio::spawn(async move {
                if let Ok(running) = russh::server::run_stream(config, socket, handler).await {
                    let _ = running.await;
                }
            });
        }
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}

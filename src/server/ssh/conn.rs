//! One connection from accept to close: russh runs the protocol with a [`Connection`] handler
//! while this task waits for the connection's deadline (see `watch`) or the server's stop. At
//! either the client is told why and disconnected; one that does not go within a second has its
//! socket shut under it (so a client that ignores the disconnect, or never even sent its SSH
//! banner, holds nothing). The end and its reason are one line in the system log.

use super::handler::Connection;
use super::shared::Shared;
use super::source::Source;
use super::watch::{Expiry, Watch};
use crate::service::Lang;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tracing::Instrument;

/// How long a client told to go has before its socket is shut.
const GO_NOW: Duration = Duration::from_secs(1);

/// An accepted connection.
#[derive(Debug)]
pub struct Accepted {
    pub id: u64,
    pub peer: SocketAddr,
    pub watch: Arc<Watch>,
}

/// How a connection ended.
enum Ended {
    /// The protocol ended on the client's side (cleanly or not).
    Client(Result<(), russh::Error>),
    /// Its state ran out.
    Expired(Expiry),
    /// The server stops.
    Shutdown,
}

/// Runs the connection `a` on `socket` until it ends; `stop` turns true when the server stops.
pub async fn run(
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    socket: TcpStream,
    a: Accepted,
    stop: watch::Receiver<bool>,
) {
    let span = tracing::info_span!(
        "conn",
        id = a.id,
        addr = %a.peer.ip(),
        user = tracing::field::Empty
    );
    drive(shared, config, socket, a, stop, span.clone())
        .instrument(span)
        .await;
}

async fn drive(
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    socket: TcpStream,
    a: Accepted,
    mut stop: watch::Receiver<bool>,
    span: tracing::Span,
) {
    let started = Instant::now();
    let from = Source::of(a.peer.ip());
    let lang = shared.ui.lang;
    let timeouts = shared.timeouts;
    let (socket, cut) = match with_cut(socket) {
        Ok(pair) => pair,
        Err(e) => {
            tracing::warn!(error = %e, "connection dropped: its socket could not be set up");
            shared.left_startups(from, a.id);
            return;
        }
    };
    let handler = Connection::new(shared.clone(), a.peer.ip(), a.id, a.watch.clone(), span);
    let closing = async {
        tokio::select! {
            e = a.watch.expired(timeouts) => Ended::Expired(e),
            _ = stop.wait_for(|s| *s) => Ended::Shutdown,
        }
    };
    tokio::pin!(closing);
    let opening = russh::server::run_stream(config, socket, handler);
    let running = tokio::select! {
        r = opening => r,
        ended = &mut closing => {
            // Not even through the SSH banner: there is no one to tell.
            let _ = cut.shutdown(Shutdown::Both);
            finish(&shared, from, a.id, &ended, started);
            return;
        }
    };
    let running = match running {
        Ok(r) => r,
        Err(e) => {
            finish(&shared, from, a.id, &Ended::Client(Err(e)), started);
            return;
        }
    };
    let handle = running.handle();
    tokio::pin!(running);
    let ended = tokio::select! {
        r = &mut running => Ended::Client(r),
        ended = &mut closing => {
            let text = match &ended {
                Ended::Expired(e) => e.message(lang),
                _ => shutdown_message(lang),
            };
            let bye = handle.disconnect(
                russh::Disconnect::ByApplication,
                text.to_owned(),
                String::new(),
            );
            let _ = tokio::time::timeout(GO_NOW, bye).await;
            if tokio::time::timeout(GO_NOW, &mut running).await.is_err() {
                let _ = cut.shutdown(Shutdown::Both);
                let _ = tokio::time::timeout(GO_NOW, &mut running).await;
            }
            ended
        }
    };
    finish(&shared, from, a.id, &ended, started);
}

/// The socket for russh, and a second handle on it to shut it from outside.
fn with_cut(socket: TcpStream) -> std::io::Result<(TcpStream, std::net::TcpStream)> {
    let std = socket.into_std()?;
    let cut = std.try_clone()?;
    Ok((TcpStream::from_std(std)?, cut))
}

fn shutdown_message(lang: Lang) -> &'static str {
    if lang == Lang::Sv {
        "servern stängs av"
    } else {
        "the server is shutting down"
    }
}

fn finish(shared: &Shared, from: Source, id: u64, ended: &Ended, started: Instant) {
    shared.left_startups(from, id);
    let secs = started.elapsed().as_secs();
    match ended {
        Ended::Client(Ok(())) => {
            tracing::info!(secs, reason = "client closed", "connection closed");
        }
        Ended::Client(Err(e)) => {
            let reason = match e {
                russh::Error::KeepaliveTimeout => "client stopped answering keepalives".into(),
                russh::Error::InactivityTimeout => "no traffic for the inactivity time".into(),
                russh::Error::HUP | russh::Error::Disconnect => "client closed".into(),
                russh::Error::IO(io)
                    if matches!(
                        io.kind(),
                        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                    ) =>
                {
                    "client went away".into()
                }
                russh::Error::IO(io) => format!("connection lost: {io}"),
                other => format!("protocol error: {other}"),
            };
            tracing::info!(secs, reason, "connection closed");
        }
        Ended::Expired(e @ Expiry::Evicted) => {
            tracing::warn!(secs, reason = e.reason(), "connection closed by the server");
        }
        Ended::Expired(e) => {
            tracing::info!(secs, reason = e.reason(), "connection closed by the server");
        }
        Ended::Shutdown => {
            tracing::info!(
                secs,
                reason = "server shutting down",
                "connection closed by the server"
            );
        }
    }
}

//! One SSH connection: public-key sign-in (see `auth`), then one session channel at a time
//! running either the terminal UI (shell with a pty) or one command (exec). Subsystems (sftp,
//! scp over sftp), X11 and agent forwarding are refused at once.

use super::channel;
use super::shared::Shared;
use super::source::Source;
use super::tty::{self, SessionInput};
use super::watch::{Phase, Watch};
use crate::service::Session;
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, VerifiedPublicKey};
use russh::{Channel, ChannelId};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;

#[derive(Debug)]
struct ChannelState {
    id: ChannelId,
    pty: Option<(u32, u32)>,
    /// A shell or command was asked for (or refused) on it already.
    used: bool,
    input: Option<SessionInput>,
}

impl Drop for ChannelState {
    fn drop(&mut self) {
        if let Some(n) = self
            .input
            .as_ref()
            .map(SessionInput::dropped)
            .filter(|n| *n > 0)
        {
            tracing::warn!("a session that did not keep up lost {n} chunks of input");
        }
    }
}

/// The state of one connection.
#[derive(Debug)]
pub struct Connection {
    pub(super) shared: Arc<Shared>,
    pub(super) ip: IpAddr,
    pub(super) from: Source,
    pub(super) id: u64,
    pub(super) watch: Arc<Watch>,
    /// The connection's log context (its id, address and, once signed in, user).
    pub(super) span: tracing::Span,
    pub(super) session: Option<Session>,
    /// Held while signed in; none when the server had no room (its sessions are then refused
    /// as full).
    pub(super) slot: Option<OwnedSemaphorePermit>,
    pub(super) attempts: super::auth::Attempts,
    channel: Option<ChannelState>,
}

/// An accepted shell or command request: who, their session permit, and the pty size if any.
type Claimed = (Session, OwnedSemaphorePermit, Option<(u32, u32)>);

impl Connection {
    pub fn new(
        shared: Arc<Shared>,
        ip: IpAddr,
        id: u64,
        watch: Arc<Watch>,
        span: tracing::Span,
    ) -> Self {
        Self {
            shared,
            ip,
            from: Source::of(ip),
            id,
            watch,
            span,
            session: None,
            slot: None,
            attempts: super::auth::Attempts::default(),
            channel: None,
        }
    }

    /// Takes up a shell or command request on `channel`: the signed-in session, a session
    /// permit and the pty size. `None` when the request has been answered already (not ours,
    /// or refused because the server is full).
    fn claim(
        &mut self,
        channel: ChannelId,
        session: &mut russh::server::Session,
    ) -> Result<Option<Claimed>, russh::Error> {
        let full = self.shared.full_message();
        let (Some(signed_in), Some(c)) = (
            self.session.clone(),
            self.channel.as_mut().filter(|c| c.id == channel && !c.used),
        ) else {
            session.channel_failure(channel)?;
            return Ok(None);
        };
        c.used = true;
        session.channel_success(channel)?;
        let permit = self
            .slot
            .as_ref()
            .and_then(|_| self.shared.sessions.clone().try_acquire_owned().ok());
        let Some(permit) = permit else {
            tracing::warn!(
                parent: &self.span,
                max_sessions = self.shared.max_sessions,
                "session refused: the server is full"
            );
            tokio::spawn(channel::refuse(session.handle(), channel, full, 1));
            return Ok(None);
        };
        Ok(Some((signed_in, permit, c.pty)))
    }

    fn started(&self, kind: &'static str) {
        self.watch.enter(Phase::Session, Instant::now());
        tracing::info!(parent: &self.span, kind, "session started");
    }

    /// Refuses a request on `channel` that this server does not serve (`what`: for the log).
    fn refuse_request(
        &self,
        channel: ChannelId,
        what: &'static str,
        session: &mut russh::server::Session,
    ) -> Result<(), russh::Error> {
        tracing::info!(parent: &self.span, request = what, "request refused");
        session.channel_failure(channel)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if self.session.is_none() {
            self.failed_connection();
        }
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_password(&mut self, _user: &str, _password: &str) -> Result<Auth, Self::Error> {
        Ok(self.refuse_method("password refused"))
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.refuse_method("keyboard-interactive refused"))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        let auth = self.offer(user, offer.public_key, false).await;
        storage_checked(auth)
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let auth = self.offer(user, key.public_key, true).await;
        storage_checked(auth)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if self.session.is_none() || self.channel.is_some() {
            reply
                .reject(russh::ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        self.channel = Some(ChannelState {
            id: channel.id(),
            pty: None,
            used: false,
            input: None,
        });
        // Input arrives through `data`; the channel object itself is not read.
        drop(channel);
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        match self.channel.as_mut().filter(|c| c.id == channel) {
            Some(c) => {
                c.pty = Some((col_width, row_height));
                session.channel_success(channel)
            }
            None => session.channel_failure(channel),
        }
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if let Some(c) = self.channel.as_mut().filter(|c| c.id == channel) {
            c.pty = Some((col_width, row_height));
            if let Some(input) = &c.input {
                input.resize(col_width, row_height);
            }
        }
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        let handle = session.handle();
        let Some((signed_in, permit, pty)) = self.claim(channel, session)? else {
            return Ok(());
        };
        let Some((cols, rows)) = pty else {
            drop(permit);
            let text = "insats: the terminal UI needs a terminal: use ssh -t\r\n".to_owned();
            tokio::spawn(channel::refuse(handle, channel, text, 1));
            return Ok(());
        };
        // The session's thread logs in this connection's context.
        let spawned = self.span.in_scope(|| {
            tty::spawn(tty::Spawn {
                session: signed_in,
                opts: self.shared.ui.clone(),
                cols: cols.clamp(1, 1000) as u16,
                rows: rows.clamp(1, 1000) as u16,
                hard_timeout: self.shared.timeouts.hard,
                permit,
            })
        });
        match spawned {
            Ok((input, out)) => {
                if let Some(c) = self.channel.as_mut().filter(|c| c.id == channel) {
                    c.input = Some(input);
                }
                self.started("terminal");
                tokio::spawn(channel::pump(handle, channel, out).instrument(self.span.clone()));
            }
            Err(e) => {
                tracing::error!(parent: &self.span, "could not start a session thread: {e}");
                let text = "insats: could not start the session\r\n".to_owned();
                tokio::spawn(channel::refuse(handle, channel, text, 1));
            }
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        let handle = session.handle();
        let Some((signed_in, permit, pty)) = self.claim(channel, session)? else {
            return Ok(());
        };
        let pty = pty.is_some();
        // Never logged: a command line may hold a personnummer.
        let command = String::from_utf8_lossy(data).into_owned();
        self.started("command");
        let run = channel::exec(
            handle,
            channel,
            self.shared.exec.clone(),
            signed_in,
            command,
            pty,
            permit,
        );
        tokio::spawn(run.instrument(self.span.clone()));
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        // sftp and scp (which speaks sftp): refused now, so the client does not wait; the
        // channel is closed with a line saying what to do instead. The name goes into the log
        // only when it is a plain one.
        let plain = name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"@._-".contains(&b));
        let name = if plain { name } else { "(other)" };
        tracing::info!(parent: &self.span, request = "subsystem", name, "request refused");
        session.channel_failure(channel)?;
        if let Some(c) = self.channel.as_mut().filter(|c| c.id == channel) {
            c.used = true;
            let text = if self.shared.ui.lang == crate::service::Lang::Sv {
                "insats: sftp och scp finns inte; hämta en rapport med ssh … report … > fil\r\n"
            } else {
                "insats: sftp and scp are not offered; fetch a report with ssh … report … > file\r\n"
            };
            tokio::spawn(channel::refuse(
                session.handle(),
                channel,
                text.to_owned(),
                1,
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        self.refuse_request(channel, "x11", session)
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if let Some(input) = self
            .channel
            .as_mut()
            .filter(|c| c.id == channel)
            .and_then(|c| c.input.as_mut())
        {
            input.bytes(data);
            self.watch.input(Instant::now());
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        // No more input: the session ends (its thread sees the queue close).
        if let Some(c) = self.channel.as_mut().filter(|c| c.id == channel) {
            c.input = None;
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut russh::server::Session,
    ) -> Result<(), Self::Error> {
        if self.channel.as_ref().is_some_and(|c| c.id == channel) {
            self.channel = None;
            // Nothing runs any more: the idle time starts.
            self.watch.enter(Phase::Idle, Instant::now());
        }
        Ok(())
    }
}

/// A store that cannot be read or written refuses no key: the connection closes instead, and the
/// server stops with the cause in its log (the unit file starts it again).
fn storage_checked(auth: Auth) -> Result<Auth, russh::Error> {
    if super::storage::has_failed() {
        Err(russh::Error::Disconnect)
    } else {
        Ok(auth)
    }
}

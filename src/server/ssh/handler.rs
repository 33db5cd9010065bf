//! One SSH connection: public-key sign-in, then one session channel at a time running either
//! the terminal UI (shell with a pty) or one command (exec).

use super::channel::{self, Exec};
use super::limits::FailedLogins;
use super::tty::{self, SessionInput};
use crate::service::{Refusal, Verdict};
use crate::service::{Service, Session};
use crate::ui::Options;
use russh::keys::ssh_key::PublicKey;
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, VerifiedPublicKey};
use russh::{Channel, ChannelId};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What every connection of the server shares.
pub struct Shared {
    pub service: Service,
    pub ui: Options,
    pub exec: Exec,
    pub failed: FailedLogins,
    /// One permit per running session (terminal UI or command).
    pub sessions: Arc<Semaphore>,
    pub max_sessions: usize,
    pub hard_timeout: Duration,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("max_sessions", &self.max_sessions)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct ChannelState {
    id: ChannelId,
    pty: Option<(u32, u32)>,
    permit: Option<OwnedSemaphorePermit>,
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
    shared: Arc<Shared>,
    ip: Option<IpAddr>,
    session: Option<Session>,
    refusal: Option<Refusal>,
    channel: Option<ChannelState>,
    /// Held while the connection lasts (a cap on open connections, signed in or not).
    _slot: Option<OwnedSemaphorePermit>,
}

/// An accepted shell or command request: who, their session permit, and the pty size if any.
type Claimed = (Session, OwnedSemaphorePermit, Option<(u32, u32)>);

impl Connection {
    /// Takes up a shell or command request on `channel`: the signed-in session, a session
    /// permit and the pty size. `None` when the request has been answered already (not ours,
    /// or refused because the server is full).
    fn claim(
        &mut self,
        channel: ChannelId,
        session: &mut russh::server::Session,
    ) -> Result<Option<Claimed>, russh::Error> {
        let full = self.full_message();
        let (Some(signed_in), Some(c)) = (
            self.session.clone(),
            self.channel
                .as_mut()
                .filter(|c| c.id == channel && c.input.is_none()),
        ) else {
            session.channel_failure(channel)?;
            return Ok(None);
        };
        session.channel_success(channel)?;
        let Some(permit) = c.permit.take() else {
            tokio::spawn(channel::refuse(session.handle(), channel, full, 1));
            return Ok(None);
        };
        Ok(Some((signed_in, permit, c.pty)))
    }

    pub fn new(shared: Arc<Shared>, ip: Option<IpAddr>, slot: OwnedSemaphorePermit) -> Self {
        Self {
            shared,
            ip,
            session: None,
            refusal: None,
            channel: None,
            _slot: Some(slot),
        }
    }

    fn refuse(&mut self, r: Refusal) -> Auth {
        self.refusal = Some(r);
        Auth::reject()
    }

    fn blocked(&self) -> bool {
        self.ip
            .is_some_and(|ip| self.shared.failed.blocked(ip, Instant::now()))
    }

    async fn verdict(&self, login: &str, key: &PublicKey) -> Verdict {
        let Ok(blob) = key.to_bytes() else {
            return Verdict::Refuse(Refusal::new(None, "unreadable key"));
        };
        let service = self.shared.service.clone();
        let login = login.to_owned();
        let checked = tokio::task::spawn_blocking(move || service.check_key(&login, &blob)).await;
        match checked {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                tracing::error!("sign-in check failed: {e}");
                Verdict::Refuse(Refusal::new(None, "sign-in check failed"))
            }
            Err(_) => Verdict::Refuse(Refusal::new(None, "sign-in check failed")),
        }
    }

    fn full_message(&self) -> String {
        let sv = self.shared.ui.lang == crate::service::Lang::Sv;
        if sv {
            format!(
                "insats: servern är full ({} sessioner); försök igen om en stund\r\n",
                self.shared.max_sessions
            )
        } else {
            format!(
                "insats: the server is full ({} sessions); try again later\r\n",
                self.shared.max_sessions
            )
        }
    }
}

impl Drop for Connection {
    /// A connection that tried to sign in and never did counts once against its address and is
    /// one audit entry, however many keys it offered.
    fn drop(&mut self) {
        if self.session.is_some() {
            return;
        }
        let Some(refusal) = self.refusal.take() else {
            return;
        };
        if let Some(ip) = self.ip {
            self.shared.failed.record(ip, Instant::now());
        }
        let service = self.shared.service.clone();
        let write = move || {
            if let Err(e) = service.record_login_failed(refusal.user, &refusal.note) {
                tracing::error!("could not log a failed sign-in: {e}");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn_blocking(write);
            }
            Err(_) => write(),
        }
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_password(&mut self, _user: &str, _password: &str) -> Result<Auth, Self::Error> {
        Ok(self.refuse(Refusal::new(None, "password refused")))
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        Ok(self.refuse(Refusal::new(None, "keyboard-interactive refused")))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.blocked() {
            return Ok(self.refuse(Refusal::new(None, "too many failed sign-ins")));
        }
        let verdict = self.verdict(user, offer.public_key).await;
        if super::storage::has_failed() {
            return Err(russh::Error::Disconnect);
        }
        match verdict {
            Verdict::Accept { .. } => Ok(Auth::Accept),
            Verdict::Refuse(r) => Ok(self.refuse(r)),
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.blocked() {
            return Ok(self.refuse(Refusal::new(None, "too many failed sign-ins")));
        }
        let verdict = self.verdict(user, key.public_key).await;
        // A store that cannot be read or written refuses no key: the connection closes, and the
        // server stops with the cause in its log.
        if super::storage::has_failed() {
            return Err(russh::Error::Disconnect);
        }
        match verdict {
            Verdict::Accept {
                session,
                fingerprint,
            } => {
                let s = (*session).clone();
                let logged =
                    tokio::task::spawn_blocking(move || s.record_login(&fingerprint)).await;
                if let Ok(Ok(())) = logged {
                    tracing::info!(user = %session.user().id, "signed in over SSH");
                    self.session = Some(*session);
                    Ok(Auth::Accept)
                } else if super::storage::has_failed() {
                    Err(russh::Error::Disconnect)
                } else {
                    // A sign-in that cannot be logged does not happen.
                    Ok(self.refuse(Refusal::new(None, "sign-in could not be logged")))
                }
            }
            Verdict::Refuse(r) => Ok(self.refuse(r)),
        }
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
            permit: self.shared.sessions.clone().try_acquire_owned().ok(),
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
            let text = "insats: the terminal UI needs a terminal: use ssh -t\r\n".to_owned();
            tokio::spawn(channel::refuse(handle, channel, text, 1));
            return Ok(());
        };
        let spawned = tty::spawn(tty::Spawn {
            session: signed_in,
            opts: self.shared.ui.clone(),
            cols: cols.clamp(1, 1000) as u16,
            rows: rows.clamp(1, 1000) as u16,
            hard_timeout: self.shared.hard_timeout,
            permit,
        });
        match spawned {
            Ok((input, out)) => {
                if let Some(c) = self.channel.as_mut().filter(|c| c.id == channel) {
                    c.input = Some(input);
                }
                tokio::spawn(channel::pump(handle, channel, out));
            }
            Err(e) => {
                tracing::error!("could not start a session thread: {e}");
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
        let command = String::from_utf8_lossy(data).into_owned();
        tokio::spawn(channel::exec(
            handle,
            channel,
            self.shared.exec.clone(),
            signed_in,
            command,
            pty,
            permit,
        ));
        Ok(())
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
        }
        Ok(())
    }
}

//! Signing in on one connection: a key locked out from this address is refused without a
//! look-up; otherwise the service checks the key and the login name. A key stored for a user
//! signs in even from an address locked out for others' failures. Every refusal is one line in
//! the system log; a connection that never signed in counts once against its address and
//! against each key it was refused, and is one audit entry (refusals that a lockout made are not
//! audited one by one: the lockout is, once, when it starts).

use super::failures::{MAX_ADDRESS_FAILURES, MAX_KEY_FAILURES};
use super::handler::Connection;
use super::server::MAX_AUTH_ATTEMPTS;
use super::watch::Phase;
use crate::domain::ids::UserId;
use crate::domain::sshkey;
use crate::service::{Refusal, Session, Verdict};
use russh::keys::ssh_key::PublicKey;
use russh::server::Auth;
use std::time::Instant;

/// What a connection that has not signed in tried: for the lockouts and the audit log.
#[derive(Debug, Default)]
pub struct Attempts {
    /// Keys refused on this connection.
    keys: Vec<String>,
    /// Whether it counts as a failed connection (a store error does not).
    counted: bool,
    /// The refusal that goes into the audit log.
    audit: Option<Refusal>,
}

impl Connection {
    /// Refuses a way of signing in that is not a key (password, keyboard-interactive).
    pub(super) fn refuse_method(&mut self, why: &'static str) -> Auth {
        tracing::info!(parent: &self.span, reason = why, "sign-in refused");
        self.attempts.counted = true;
        self.attempts.audit = Some(Refusal::new(None, why));
        Auth::reject()
    }

    /// A key offered (`verified`: with its signature checked) for the login name `login`.
    pub(super) async fn offer(&mut self, login: &str, key: &PublicKey, verified: bool) -> Auth {
        let Ok(blob) = key.to_bytes() else {
            return self.refuse_method("unreadable key");
        };
        let fingerprint = sshkey::fingerprint(&blob);
        let now = Instant::now();
        if self.shared.failed.key_locked(self.from, &fingerprint, now) {
            self.refused(None, &fingerprint, "key locked out from this address", None);
            return Auth::reject();
        }
        match self.verdict(login, blob).await {
            Some(Verdict::Accept {
                session,
                fingerprint,
            }) => {
                if verified {
                    self.sign_in(*session, fingerprint).await
                } else {
                    Auth::Accept
                }
            }
            Some(Verdict::Refuse(r)) => {
                if r.user.is_none() && self.shared.failed.address_locked(self.from, now) {
                    self.refused(None, &fingerprint, "address locked out", None);
                } else {
                    let reason = r.note.trim_end_matches(fingerprint.as_str()).trim_end();
                    let reason = reason.to_owned();
                    self.refused(r.user, &fingerprint, &reason, Some(r));
                }
                Auth::reject()
            }
            None => Auth::reject(),
        }
    }

    fn refused(
        &mut self,
        user: Option<UserId>,
        fingerprint: &str,
        reason: &str,
        audit: Option<Refusal>,
    ) {
        if let Some(u) = user {
            tracing::info!(parent: &self.span, user = %u, key = fingerprint, reason, "sign-in refused");
        } else {
            tracing::info!(parent: &self.span, key = fingerprint, reason, "sign-in refused");
        }
        self.attempts.counted = true;
        let keys = &mut self.attempts.keys;
        if !keys.iter().any(|k| k == fingerprint) && keys.len() < MAX_AUTH_ATTEMPTS * 2 {
            keys.push(fingerprint.to_owned());
        }
        if audit.is_some() {
            self.attempts.audit = audit;
        }
    }

    /// The service's verdict on `login` with the key `blob`; `None` (and an error in the log)
    /// when the store could not answer.
    async fn verdict(&self, login: &str, blob: Vec<u8>) -> Option<Verdict> {
        let service = self.shared.service.clone();
        let login = login.to_owned();
        let checked = tokio::task::spawn_blocking(move || service.check_key(&login, &blob)).await;
        match checked {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                tracing::error!(parent: &self.span, error = %e, "store error: a sign-in could not be checked");
                None
            }
            Err(e) => {
                tracing::error!(parent: &self.span, error = %e, "a sign-in check failed");
                None
            }
        }
    }

    async fn sign_in(&mut self, session: Session, fingerprint: String) -> Auth {
        let s = session.clone();
        let (ip, note) = (self.ip, fingerprint.clone());
        let logged = tokio::task::spawn_blocking(move || s.record_login(&note, Some(ip))).await;
        let failed = match logged {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(error) = failed {
            // A sign-in that cannot be logged does not happen.
            tracing::error!(
                parent: &self.span, key = %fingerprint, error,
                "store error: a sign-in could not be logged, so it was refused"
            );
            return Auth::reject();
        }
        self.span
            .record("user", tracing::field::display(session.user().id));
        tracing::info!(
            parent: &self.span, key = %fingerprint, session = session.session_id(), "signed in"
        );
        self.shared.left_startups(self.from, self.id);
        self.watch.enter(Phase::Idle, Instant::now());
        self.slot = self.shared.signed_in.clone().try_acquire_owned().ok();
        if self.slot.is_none() {
            tracing::warn!(
                parent: &self.span,
                "signed-in connections at their limit: this one's sessions are refused as full"
            );
        }
        self.session = Some(session);
        Auth::Accept
    }

    /// Counts a connection that never signed in against its address and keys, and writes its
    /// audit entry and those of any lockout it started.
    pub(super) fn failed_connection(&mut self) {
        let attempts = std::mem::take(&mut self.attempts);
        if !attempts.counted {
            return;
        }
        let lockouts = self
            .shared
            .failed
            .record(self.from, &attempts.keys, Instant::now());
        let mut entries: Vec<Refusal> = attempts.audit.into_iter().collect();
        if lockouts.address {
            tracing::warn!(
                parent: &self.span,
                failures = MAX_ADDRESS_FAILURES,
                "address locked out for a minute for keys not stored for anyone"
            );
            entries.push(Refusal::new(
                None,
                format!("address locked out after {MAX_ADDRESS_FAILURES} failures"),
            ));
        }
        for key in lockouts.keys {
            tracing::warn!(
                parent: &self.span, key = %key, failures = MAX_KEY_FAILURES,
                "key locked out from this address for a minute"
            );
            entries.push(Refusal::new(
                None,
                format!("key locked out after {MAX_KEY_FAILURES} failures {key}"),
            ));
        }
        if entries.is_empty() {
            return;
        }
        let (service, ip, span) = (self.shared.service.clone(), self.ip, self.span.clone());
        let write = move || {
            for r in entries {
                if let Err(e) = service.record_login_failed(r.user, &r.note, Some(ip)) {
                    tracing::error!(
                        parent: &span, error = %e, "store error: a failed sign-in could not be logged"
                    );
                }
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => self.shared.audit_later(&rt, write),
            Err(_) => write(),
        }
    }
}

//! Where a signed-in session stands after a change to who may see what: still active, acting in
//! a role that was withdrawn, or revoked (the user deactivated, the SSH key it signed in with
//! removed, or the session ended). Every policy check reads the same facts, so a revoked session
//! is refused by the service itself, whatever its screen still shows.

use super::error::{
    DENIED_INACTIVE, DENIED_KEY_REMOVED, DENIED_ROLE_WITHDRAWN, DENIED_SESSION_ENDED, Lang,
    ServiceError,
};
use super::session::{ROLE_PREFERENCE, Session};
use insats_domain::user::{Role, User};
use insats_store::{Tx, org};
use std::sync::atomic::Ordering;

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// It may go on (its assignments may have narrowed: what is out of reach is refused).
    Active,
    /// The role it acts in was withdrawn; the user still has these roles (in the order a
    /// sign-in picks them).
    RoleWithdrawn { remaining: Vec<Role> },
    /// It must end.
    Revoked(Revocation),
}

/// Why a session must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// The user was deactivated (or no longer exists).
    Deactivated,
    /// The SSH key the session signed in with was removed.
    KeyRemoved,
    /// Every role of the user was withdrawn.
    NoRole,
    /// The session was ended (e.g. after too many wrong unlock codes).
    Ended,
}

impl Revocation {
    /// A word for the system log.
    pub fn key(self) -> &'static str {
        match self {
            Revocation::Deactivated => "deactivated",
            Revocation::KeyRemoved => "key-removed",
            Revocation::NoRole => "no-role",
            Revocation::Ended => "ended",
        }
    }

    /// What the user is told as the session ends, in their language.
    pub fn message(self, lang: Lang) -> &'static str {
        let sv = lang == Lang::Sv;
        match self {
            Revocation::Deactivated if sv => {
                "Din behörighet har dragits in av en administratör; sessionen avslutas."
            }
            Revocation::Deactivated => {
                "Your access was withdrawn by an administrator; the session ends."
            }
            Revocation::KeyRemoved if sv => {
                "SSH-nyckeln du loggade in med har tagits bort av en administratör; sessionen \
                 avslutas."
            }
            Revocation::KeyRemoved => {
                "The SSH key you signed in with was removed by an administrator; the session ends."
            }
            Revocation::NoRole if sv => {
                "Dina roller har dragits in av en administratör; sessionen avslutas."
            }
            Revocation::NoRole => {
                "Your roles were withdrawn by an administrator; the session ends."
            }
            Revocation::Ended if sv => "Sessionen är avslutad; logga in igen.",
            Revocation::Ended => "The session has ended; sign in again.",
        }
    }

    /// The refusal a service call of a revoked session gets.
    pub(crate) fn denial(self) -> &'static str {
        match self {
            Revocation::Deactivated => DENIED_INACTIVE,
            Revocation::KeyRemoved => DENIED_KEY_REMOVED,
            Revocation::NoRole => DENIED_ROLE_WITHDRAWN,
            Revocation::Ended => DENIED_SESSION_ENDED,
        }
    }
}

impl Session {
    /// Where this session stands now, read afresh. A revoked session is marked ended, so that
    /// neither it nor a clone of it (the SSH connection keeps one) can be taken up again.
    pub fn standing(&self) -> Result<Standing, ServiceError> {
        if self.has_ended() {
            return Ok(Standing::Revoked(Revocation::Ended));
        }
        let tx = self.service.store().read()?;
        let user = org::user(&*tx, self.user.id)?;
        if let Some(r) = self.revocation(&*tx, user.as_ref())? {
            self.end();
            return Ok(Standing::Revoked(r));
        }
        let roles = user.map(|u| u.roles).unwrap_or_default();
        if roles.contains(&self.role) {
            return Ok(Standing::Active);
        }
        Ok(Standing::RoleWithdrawn {
            remaining: ROLE_PREFERENCE
                .into_iter()
                .filter(|r| roles.contains(r))
                .collect(),
        })
    }

    /// Why this session must end, if it must, as of `tx` (`user`: the user as stored there).
    /// A withdrawn role ends it only when the user has no role left.
    pub(crate) fn revocation(
        &self,
        tx: &impl Tx,
        user: Option<&User>,
    ) -> Result<Option<Revocation>, ServiceError> {
        if self.has_ended() {
            return Ok(Some(Revocation::Ended));
        }
        let Some(user) = user.filter(|u| u.active) else {
            return Ok(Some(Revocation::Deactivated));
        };
        if let Some(fingerprint) = &self.key {
            let still = org::ssh_key(tx, fingerprint)?.is_some_and(|k| k.user == user.id);
            if !still {
                return Ok(Some(Revocation::KeyRemoved));
            }
        }
        if user.roles.is_empty() {
            return Ok(Some(Revocation::NoRole));
        }
        Ok(None)
    }

    /// Whether this sign-in has ended.
    pub fn has_ended(&self) -> bool {
        self.state.ended.load(Ordering::Acquire)
    }

    /// Ends this sign-in: every later service call of it (and of its clones) is refused.
    pub fn end(&self) {
        self.state.ended.store(true, Ordering::Release);
    }

    /// Refuses unless the user may still act in this session's role: not deactivated, the key
    /// still on file, the role still theirs, the session not ended.
    pub(crate) fn live(&self, tx: &impl Tx) -> Result<(), ServiceError> {
        self.policy(tx)?.assignments().map(|_| ())
    }
}

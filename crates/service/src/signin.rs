//! Who may sign in: the offered public key must be one stored for a user (found by its
//! fingerprint, as `insats user key add` stored it), and the SSH login name must be that
//! user's name. Both look-ups are always made, so an unknown user and an unknown key cost the
//! same; the fixed delay on every refusal is russh's `auth_rejection_time`.

use crate::{Service, ServiceError, Session};
use insats_domain::ids::UserId;
use insats_domain::sshkey;
use insats_store::org;

/// The outcome of a sign-in check.
#[derive(Debug)]
pub enum Verdict {
    Accept {
        session: Box<Session>,
        fingerprint: String,
    },
    Refuse(Refusal),
}

/// A refused sign-in, as it goes into the audit log: no name, no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The user, when the key was one of theirs.
    pub user: Option<UserId>,
    pub note: String,
}

impl Refusal {
    pub fn new(user: Option<UserId>, note: impl Into<String>) -> Self {
        Self {
            user,
            note: note.into(),
        }
    }
}

impl Service {
    /// Checks `login` with the public key whose wire encoding is `key_blob`: the key must be
    /// stored for a user, the login name must be that user's, and the user must be able to
    /// sign in (an active role with an assignment).
    pub fn check_key(&self, login: &str, key_blob: &[u8]) -> Result<Verdict, ServiceError> {
        check(self, login, key_blob)
    }
}

fn check(service: &Service, login: &str, key_blob: &[u8]) -> Result<Verdict, ServiceError> {
    let fingerprint = sshkey::fingerprint(key_blob);
    let (key, user) = {
        let tx = service.store().read()?;
        (
            org::ssh_key(&*tx, &fingerprint)?,
            org::user_by_name(&*tx, login)?,
        )
    };
    let Some(key) = key else {
        return Ok(Verdict::Refuse(Refusal::new(
            None,
            format!("unknown key {fingerprint}"),
        )));
    };
    let user = match user {
        Some(u) if u.id == key.user => u,
        _ => {
            return Ok(Verdict::Refuse(Refusal::new(
                Some(key.user),
                format!("login name is not the key's user {fingerprint}"),
            )));
        }
    };
    match Session::for_user(service, user, None) {
        Ok(mut session) => {
            // Removing this key ends the session (see `Session::standing`).
            session.key = Some(fingerprint.clone());
            Ok(Verdict::Accept {
                session: Box::new(session),
                fingerprint,
            })
        }
        Err(ServiceError::Denied(_)) => Ok(Verdict::Refuse(Refusal::new(
            Some(key.user),
            format!("user may not sign in {fingerprint}"),
        ))),
        Err(e) => Err(e),
    }
}

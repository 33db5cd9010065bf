//! The personal unlock code that opens a session's idle lock. Kept only as an argon2id hash
//! (a PHC string with its random salt and parameters), never in clear, never in a log or an
//! audit entry. Setting or changing it, resetting it and every wrong code are audit entries.
//!
//! Hashing is slow by design (argon2's default parameters: 19 MiB, two passes, one lane, the
//! OWASP recommendation; some 20–40 ms of one core). The service hashes one code at a time
//! in the process (a lock in [`Service`]), so a hundred sessions unlocking at once cost one
//! core and 19 MiB at a time rather than every core and 1.9 GB; the callers (a session's own
//! thread, or a blocking task) wait their turn, never an async runtime's worker.

use super::core::Service;
use super::error::{DENIED_ADMIN, DENIED_NO_UNLOCK_CODE, ServiceError};
use super::login::associations_of;
use super::session::Session;
use argon2::Argon2;
use argon2::password_hash::{Error as HashError, PasswordHasher, PasswordVerifier};
use insats_domain::audit::Action;
use insats_domain::ids::UserId;
use insats_domain::unlock::{UNLOCK_TRIES, UnlockCode, UnlockCodeError, check_unlock_code};
use insats_domain::user::Role;
use insats_store::org;
use redb::WriteTransaction;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

/// What checking a typed unlock code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code is the user's.
    Right,
    /// Wrong; `left` more tries before the session ends.
    Wrong { left: u8 },
    /// Wrong for the last time: the session has ended.
    Ended,
}

impl Session {
    /// Whether the user has set an unlock code.
    pub fn has_unlock_code(&self) -> Result<bool, ServiceError> {
        Ok(self.stored_code()?.is_some())
    }

    /// Checks the code typed at the idle lock. A wrong code is an audit entry; the third in a
    /// row ends the session ([`CodeCheck::Ended`]). Refused when the user has set no code.
    pub fn unlock(&self, code: &str) -> Result<CodeCheck, ServiceError> {
        let stored = self
            .stored_code()?
            .ok_or(ServiceError::Denied(DENIED_NO_UNLOCK_CODE))?;
        self.check_code(&stored, code, "at the lock")
    }

    /// Sets the user's unlock code, or changes it: a code already set must be given as
    /// `current` (a wrong one counts as a wrong try at the lock, and is answered as one).
    pub fn set_unlock_code(
        &self,
        current: Option<&str>,
        new: &str,
    ) -> Result<CodeCheck, ServiceError> {
        check_unlock_code(new)?;
        let stored = self.stored_code()?;
        if let Some(stored) = &stored {
            let check = self.check_code(stored, current.unwrap_or(""), "to change it")?;
            if check != CodeCheck::Right {
                return Ok(check);
            }
        }
        let phc = self.service.hash_code(new)?;
        let tx = self.service.store().write()?;
        self.live(&tx)?;
        let code = UnlockCode {
            phc,
            set_at_ms: self.service.clock().now_ms(),
        };
        org::put_unlock_code(&tx, self.user.id, &code)?;
        let note = if stored.is_some() { "changed" } else { "set" };
        self.audit_code(&tx, Action::SetUnlockCode, self.user.id, note)?;
        self.service.commit(tx, &[])?;
        Ok(CodeCheck::Right)
    }

    /// Removes a user's unlock code (system administrator), e.g. when they forgot it: they set
    /// a new one when their screen next asks.
    pub fn reset_unlock_code(&self, user: UserId) -> Result<(), ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().write()?;
        let target = org::user(&tx, user)?.ok_or_else(|| ServiceError::NotFound {
            what: "user",
            id: user.to_string(),
        })?;
        if !org::remove_unlock_code(&tx, user)? {
            return Err(ServiceError::NotFound {
                what: "unlock code",
                id: target.username,
            });
        }
        self.audit_code(&tx, Action::ResetUnlockCode, user, &target.username)?;
        self.service.commit(tx, &[])
    }

    /// The user's stored code, read for a session that may still act.
    fn stored_code(&self) -> Result<Option<UnlockCode>, ServiceError> {
        let tx = self.service.store().read()?;
        self.live(&*tx)?;
        Ok(org::unlock_code(&*tx, self.user.id)?)
    }

    /// Checks `typed` against `stored`; counts, logs and (the last time) ends on a wrong one.
    fn check_code(
        &self,
        stored: &UnlockCode,
        typed: &str,
        when: &str,
    ) -> Result<CodeCheck, ServiceError> {
        if self.service.verify_code(&stored.phc, typed)? {
            self.state.wrong_codes.store(0, Ordering::Release);
            return Ok(CodeCheck::Right);
        }
        let n = self
            .state
            .wrong_codes
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1);
        let ended = n >= UNLOCK_TRIES;
        if ended {
            // Ended before the entry is written: a failing write does not keep it open.
            self.end();
        }
        let note = format!(
            "wrong unlock code {when}, {n} of {UNLOCK_TRIES}{}",
            if ended { "; session ended" } else { "" }
        );
        let tx = self.service.store().write()?;
        self.audit_code(&tx, Action::UnlockFailed, self.user.id, &note)?;
        self.service.commit(tx, &[])?;
        Ok(if ended {
            CodeCheck::Ended
        } else {
            CodeCheck::Wrong {
                left: UNLOCK_TRIES - n,
            }
        })
    }

    /// One audit entry of this session about `user`'s code, under each association the user
    /// has (or had) an assignment in, as their sign-ins are.
    fn audit_code(
        &self,
        tx: &WriteTransaction,
        action: Action,
        user: UserId,
        note: &str,
    ) -> Result<(), ServiceError> {
        for association in associations_of(tx, user)? {
            let draft = self.draft(action, association, None, None, &[], note.to_owned());
            self.service.audit(tx, draft)?;
        }
        Ok(())
    }
}

impl Service {
    /// Hashes a new code with a fresh random salt (argon2id, default parameters).
    fn hash_code(&self, code: &str) -> Result<String, ServiceError> {
        let rng = ring::rand::SystemRandom::new();
        let salt: [u8; 16] = ring::rand::generate(&rng)
            .map(ring::rand::Random::expose)
            .map_err(|_| UnlockCodeError::Hashing)?;
        let _one_at_a_time = self
            .inner
            .hashing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let hash = Argon2::default()
            .hash_password_with_salt(code.as_bytes(), &salt)
            .map_err(|_| UnlockCodeError::Hashing)?;
        Ok(hash.to_string())
    }

    /// Whether `typed` is the code hashed in `phc` (with the parameters the hash names).
    fn verify_code(&self, phc: &str, typed: &str) -> Result<bool, ServiceError> {
        let _one_at_a_time = self
            .inner
            .hashing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match Argon2::default().verify_password(typed.as_bytes(), phc) {
            Ok(()) => Ok(true),
            Err(HashError::PasswordInvalid) => Ok(false),
            Err(_) => Err(UnlockCodeError::Hashing.into()),
        }
    }
}

#[cfg(test)]
mod tests;

//! Read-only administration: user names, assignments and SSH keys, the consistency check and
//! the audit chain's verification. Each call checks its own role, so the command line and SSH
//! exec ask the same question and get the same answer.

use crate::error::{DENIED_ADMIN, DENIED_VERIFY};
use crate::{ServiceError, Session};
use insats_domain::ids::UserId;
use insats_domain::sshkey::SshKey;
use insats_domain::user::{Assignment, Role};
use insats_store::{audit, check, org};

/// The outcome of [`Session::check_register`]: every index against its table, and the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Index problems, each a line of ids and counts (never personal data).
    pub problems: Vec<String>,
    pub chain: ChainState,
}

/// Whether the audit log's hash chain replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainState {
    /// Every entry links to the one before it; the number of entries.
    Intact(u64),
    /// Where and how it breaks.
    Broken(String),
}

impl Session {
    /// The id of the user called `username` (system administrator).
    pub fn user_id(&self, username: &str) -> Result<Option<UserId>, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().read()?;
        Ok(org::user_by_name(&*tx, username)?.map(|u| u.id))
    }

    /// A user's assignments, ended ones too (system administrator).
    pub fn assignments_of(&self, user: UserId) -> Result<Vec<Assignment>, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().read()?;
        Ok(org::assignments_of(&*tx, user)?)
    }

    /// A user's SSH keys (system administrator).
    pub fn ssh_keys_of(&self, user: UserId) -> Result<Vec<SshKey>, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().read()?;
        Ok(org::ssh_keys_of(&*tx, user)?)
    }

    /// Replays the audit log's hash chain (system administrator or log reviewer).
    pub fn verify_audit(&self) -> Result<ChainState, ServiceError> {
        if !matches!(self.role(), Role::SystemAdmin | Role::LogReviewer) {
            return Err(ServiceError::Denied(DENIED_VERIFY));
        }
        let tx = self.service.store().read()?;
        self.live(&*tx)?;
        Ok(chain_state(audit::verify(
            &*tx,
            self.service.store().crypto(),
        )?))
    }

    /// Compares every index and stored counter with its table, and replays the audit chain
    /// (system administrator).
    pub fn check_register(&self) -> Result<CheckReport, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().read()?;
        let problems = check::check(&tx)?;
        let chain = chain_state(audit::verify(&*tx, self.service.store().crypto())?);
        Ok(CheckReport { problems, chain })
    }
}

fn chain_state(verified: Result<u64, impl std::fmt::Display>) -> ChainState {
    match verified {
        Ok(n) => ChainState::Intact(n),
        Err(b) => ChainState::Broken(b.to_string()),
    }
}

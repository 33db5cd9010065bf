//! A signed-in user acting in one role, and the policy checks every use case starts with.

use super::core::Service;
use super::error::{
    DENIED_HANDLER, DENIED_INACTIVE, DENIED_INDIVIDUAL, DENIED_ROLE, DENIED_SCOPE, ServiceError,
};
use super::policy::{AssociationFacts, PolicyCache};
use insats_domain::audit::{Action, Draft};
use insats_domain::ids::{AssociationId, InterventionId, Pseudonym};
use insats_domain::intervention::Intervention;
use insats_domain::organisation::Association;
use insats_domain::user::{Access, Assignment, Role, User, access_to};
use insats_store::{Tx, org};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8};

/// A user signed in, acting in one of their roles.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) service: Service,
    pub(crate) user: User,
    pub(crate) role: Role,
    pub(crate) id: u64,
    pub(crate) policy: PolicyCache,
    /// The fingerprint of the SSH key the user signed in with (`None`: signed in on this
    /// machine's terminal). Removing that key ends the session.
    pub(crate) key: Option<String>,
    /// What every clone of this sign-in shares: whether it has ended, and the wrong unlock
    /// codes typed in a row.
    pub(crate) state: Arc<SignInState>,
}

/// The state every clone of one sign-in shares (the SSH connection keeps a clone, so a session
/// ended on its screen cannot be taken up again through the same connection).
#[derive(Debug, Default)]
pub(crate) struct SignInState {
    pub(crate) ended: AtomicBool,
    pub(crate) wrong_codes: AtomicU8,
}

/// The order in which a role is picked when a user signs in without naming one.
pub(crate) const ROLE_PREFERENCE: [Role; 6] = [
    Role::ParticipantHandler,
    Role::InterventionManager,
    Role::AssociationAdmin,
    Role::ReportReader,
    Role::LogReviewer,
    Role::SystemAdmin,
];

fn random_session_id() -> u64 {
    let rng = ring::rand::SystemRandom::new();
    ring::rand::generate::<[u8; 8]>(&rng).map_or(0, |r| u64::from_le_bytes(r.expose()))
}

impl Session {
    /// Signs in `username` in `role` (or their first role in a fixed order).
    pub fn sign_in(
        service: &Service,
        username: &str,
        role: Option<Role>,
    ) -> Result<Session, ServiceError> {
        let tx = service.store().read()?;
        let user = org::user_by_name(&*tx, username)?.ok_or_else(|| ServiceError::NotFound {
            what: "user",
            id: username.chars().take(32).collect(),
        })?;
        Self::for_user(service, user, role)
    }

    /// Signs in a known user (the SSH server found them by key).
    pub fn for_user(
        service: &Service,
        user: User,
        role: Option<Role>,
    ) -> Result<Session, ServiceError> {
        if !user.active {
            return Err(ServiceError::Denied(DENIED_INACTIVE));
        }
        let role = match role {
            Some(r) if user.roles.contains(&r) => r,
            Some(_) => return Err(ServiceError::Denied(DENIED_ROLE)),
            None => ROLE_PREFERENCE
                .into_iter()
                .find(|r| user.roles.contains(r))
                .ok_or(ServiceError::Denied(DENIED_ROLE))?,
        };
        Ok(Session {
            service: service.clone(),
            user,
            role,
            id: random_session_id(),
            policy: PolicyCache::default(),
            key: None,
            state: Arc::default(),
        })
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The fingerprint of the SSH key this session signed in with, if any.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The random id of this session, carried in its audit entries.
    pub fn session_id(&self) -> u64 {
        self.id
    }

    /// Acts in another of the user's roles from now on. The roles are read afresh: a role
    /// withdrawn since sign-in cannot be taken up.
    pub fn switch_role(&mut self, role: Role) -> Result<(), ServiceError> {
        let tx = self.service.store().read()?;
        let user = org::user(&*tx, self.user.id)?
            .filter(|u| u.active)
            .ok_or(ServiceError::Denied(DENIED_INACTIVE))?;
        if !user.roles.contains(&role) {
            return Err(ServiceError::Denied(DENIED_ROLE));
        }
        self.user = user;
        self.role = role;
        Ok(())
    }

    /// The user's assignments in the current role that are active today.
    pub(crate) fn assignments(&self, tx: &impl Tx) -> Result<Vec<Assignment>, ServiceError> {
        Ok(self.policy(tx)?.assignments()?.to_vec())
    }

    pub(crate) fn access(
        &self,
        tx: &impl Tx,
        intervention: &Intervention,
    ) -> Result<Access, ServiceError> {
        let policy = self.policy(tx)?;
        Ok(access_to(
            self.role,
            policy.assignments()?,
            intervention,
            policy.today(),
        ))
    }

    /// Loads an intervention the session reaches at all.
    pub(crate) fn reachable(
        &self,
        tx: &impl Tx,
        id: InterventionId,
    ) -> Result<(Arc<Intervention>, Access), ServiceError> {
        let (intervention, access) =
            self.policy(tx)?
                .intervention(tx, id)?
                .ok_or_else(|| ServiceError::NotFound {
                    what: "intervention",
                    id: id.to_string(),
                })?;
        if access == Access::None {
            return Err(ServiceError::Denied(DENIED_SCOPE));
        }
        Ok((intervention, access))
    }

    /// Loads an intervention whose individuals the session may see, and its association with
    /// its questionnaire.
    pub(crate) fn individual(
        &self,
        tx: &impl Tx,
        id: InterventionId,
    ) -> Result<(Arc<Intervention>, Arc<AssociationFacts>), ServiceError> {
        let (intervention, access) = self.reachable(tx, id)?;
        if access != Access::Individual {
            return Err(ServiceError::Denied(DENIED_INDIVIDUAL));
        }
        let association = self
            .policy(tx)?
            .association(tx, self.service.catalogue(), intervention.association)?
            .ok_or_else(|| ServiceError::NotFound {
                what: "association",
                id: intervention.association.to_string(),
            })?;
        Ok((intervention, association))
    }

    /// As [`Self::individual`], for commands that change participants.
    pub(crate) fn handler(
        &self,
        tx: &impl Tx,
        id: InterventionId,
    ) -> Result<(Arc<Intervention>, Arc<AssociationFacts>), ServiceError> {
        self.individual(tx, id).map_err(|e| match e {
            ServiceError::Denied(_) => ServiceError::Denied(DENIED_HANDLER),
            other => other,
        })
    }

    pub(crate) fn association_of(
        tx: &impl Tx,
        i: &Intervention,
    ) -> Result<Association, ServiceError> {
        org::association(tx, i.association)?.ok_or_else(|| ServiceError::NotFound {
            what: "association",
            id: i.association.to_string(),
        })
    }

    /// An audit draft from this session.
    pub(crate) fn draft(
        &self,
        action: Action,
        association: Option<AssociationId>,
        intervention: Option<InterventionId>,
        subject: Option<Pseudonym>,
        fields: &[&str],
        note: String,
    ) -> Draft {
        Draft {
            user: Some(self.user.id),
            role: Some(self.role),
            session: self.id,
            association,
            intervention,
            subject,
            action,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            note,
        }
    }
}

//! Small queries the screens need besides the register itself: staff names for the audit log,
//! the questionnaire an intervention asks, the association a session works in, and the identities
//! a demo database lets one switch between.

use super::error::ServiceError;
use super::session::Session;
use insats_domain::ids::{InterventionId, UserId};
use insats_domain::questionnaire::Catalogue;
use insats_domain::user::{Role, Scope};
use insats_store::org;

/// A user and role one may switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchTarget {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl Session {
    /// Whether the database holds demo data (shown on every screen).
    pub fn is_demo(&self) -> bool {
        self.service.store().is_demo()
    }

    /// The usernames of staff, for showing who did what in the audit log. Staff names are not
    /// participant data.
    pub fn user_names(&self) -> Result<Vec<(UserId, String)>, ServiceError> {
        let tx = self.service.store().read()?;
        self.live(&*tx)?;
        Ok(org::users(&*tx)?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect())
    }

    /// The questionnaire an intervention's association asks (default catalogue plus its
    /// supplementary questions).
    pub fn questionnaire(&self, intervention: InterventionId) -> Result<Catalogue, ServiceError> {
        let tx = self.service.store().read()?;
        self.reachable(&*tx, intervention)?;
        let i = org::intervention(&*tx, intervention)?.ok_or(ServiceError::NotFound {
            what: "intervention",
            id: intervention.to_string(),
        })?;
        let a = org::association(&*tx, i.association)?.ok_or(ServiceError::NotFound {
            what: "association",
            id: i.association.to_string(),
        })?;
        Ok(a.catalogue(self.service.catalogue()))
    }

    /// The name of the association this session works in: that of its first active assignment
    /// (directly, or through an intervention). `None` for a system administrator without one.
    pub fn association_name(&self) -> Result<Option<String>, ServiceError> {
        let tx = self.service.store().read()?;
        for a in self.assignments(&*tx)? {
            let association = match a.scope {
                Scope::Association(x) => Some(x),
                Scope::Intervention(i) => org::intervention(&*tx, i)?.map(|i| i.association),
            };
            if let Some(x) = association
                && let Some(assoc) = org::association(&*tx, x)?
            {
                return Ok(Some(assoc.name));
            }
        }
        Ok(None)
    }

    /// Whom this session may become: in a demo database every active user in each of their
    /// roles (so every role's view can be tried); otherwise the user's own other roles.
    pub fn switch_targets(&self) -> Result<Vec<SwitchTarget>, ServiceError> {
        let tx = self.service.store().read()?;
        if let Some(r) = self.revocation(&*tx, org::user(&*tx, self.user.id)?.as_ref())? {
            return Err(ServiceError::Denied(r.denial()));
        }
        let users = if self.is_demo() {
            org::users(&*tx)?
        } else {
            org::user(&*tx, self.user.id)?.into_iter().collect()
        };
        Ok(users
            .into_iter()
            .filter(|u| u.active)
            .flat_map(|u| {
                let roles: Vec<Role> = u.roles.iter().copied().collect();
                roles.into_iter().map(move |role| SwitchTarget {
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    role,
                })
            })
            .collect())
    }

    /// Becomes `target`: the same user in another role, or (demo databases only) another user.
    pub fn switch_to(&self, target: &SwitchTarget) -> Result<Session, ServiceError> {
        if self.has_ended() {
            return Err(ServiceError::Denied(
                super::standing::Revocation::Ended.denial(),
            ));
        }
        if target.username == self.user.username {
            let mut s = self.clone();
            s.switch_role(target.role)?;
            return Ok(s);
        }
        if !self.is_demo() {
            return Err(ServiceError::Denied(super::error::DENIED_ROLE));
        }
        Session::sign_in(&self.service, &target.username, Some(target.role))
    }
}

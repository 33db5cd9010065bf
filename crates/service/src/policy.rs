//! What a session's policy checks read from the organisation tables (the user, their
//! assignments, interventions, associations and their questionnaires), read once and kept while
//! nothing it depends on changes, so that a command does not read them again every time.

use super::error::{DENIED_ROLE_WITHDRAWN, ServiceError};
use super::session::Session;
use chrono::NaiveDate;
use insats_domain::ids::{AssociationId, InterventionId};
use insats_domain::intervention::Intervention;
use insats_domain::organisation::Association;
use insats_domain::questionnaire::Catalogue;
use insats_domain::user::{Access, Assignment, Role, Scope, access_to};
use insats_store::{Tx, org};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// What the policy checks of a session read from the organisation tables (the user, their
/// assignments, interventions, associations and their catalogues), kept while it is valid: for
/// one organisation stamp (rewritten by every change to those tables, in the same transaction),
/// one day and one role. A check reads the stamp from its own transaction, so a change takes
/// effect at the session's next command, as when everything was read afresh.
#[derive(Debug)]
pub(crate) struct Policy {
    stamp: u64,
    today: NaiveDate,
    role: Role,
    /// Why the session may not act (`None`: it may): the user deactivated, the key it signed in
    /// with removed, the role withdrawn, the session ended.
    denial: Option<&'static str>,
    /// The user's assignments in the role that are active today.
    assignments: Arc<[Assignment]>,
    /// The association a personnummer search is logged under: that of the first intervention
    /// the user is assigned to.
    search_association: Option<AssociationId>,
    /// Interventions read so far (`None`: not found), and the access to each.
    interventions: Mutex<HashMap<InterventionId, Reached>>,
    /// Associations read so far, with their questionnaire catalogues.
    associations: Mutex<HashMap<AssociationId, Option<Arc<AssociationFacts>>>>,
}

/// An intervention and this session's access to it; `None`: there is no such intervention.
pub(crate) type Reached = Option<(Arc<Intervention>, Access)>;

/// An association and its questionnaire (the default catalogue plus its supplementary
/// questions), built once per policy rather than once per command.
#[derive(Debug)]
pub(crate) struct AssociationFacts {
    pub association: Association,
    pub catalogue: Catalogue,
}

/// A session's [`Policy`], if read. A clone starts from the same policy and keeps its own.
#[derive(Debug, Default)]
pub(crate) struct PolicyCache(Mutex<Option<Arc<Policy>>>);

impl Clone for PolicyCache {
    fn clone(&self) -> Self {
        PolicyCache(Mutex::new(
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        ))
    }
}

impl Policy {
    /// The user's active assignments in the role, or a refusal if the user cannot act now.
    pub(crate) fn assignments(&self) -> Result<&[Assignment], ServiceError> {
        match self.denial {
            None => Ok(&self.assignments),
            Some(why) => Err(ServiceError::Denied(why)),
        }
    }

    /// The day the policy was read for.
    pub(crate) fn today(&self) -> NaiveDate {
        self.today
    }

    pub(crate) fn search_association(&self) -> Option<AssociationId> {
        self.search_association
    }

    /// An intervention and this session's access to it (`None`: no such intervention).
    pub(crate) fn intervention(
        &self,
        tx: &impl Tx,
        id: InterventionId,
    ) -> Result<Reached, ServiceError> {
        let assignments = self.assignments()?;
        let mut known = self
            .interventions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = known.get(&id) {
            return Ok(entry.clone());
        }
        let entry = org::intervention(tx, id)?.map(|i| {
            let access = access_to(self.role, assignments, &i, self.today);
            (Arc::new(i), access)
        });
        known.insert(id, entry.clone());
        Ok(entry)
    }

    /// An association and its catalogue (`None`: no such association).
    pub(crate) fn association(
        &self,
        tx: &impl Tx,
        base: &Catalogue,
        id: AssociationId,
    ) -> Result<Option<Arc<AssociationFacts>>, ServiceError> {
        let mut known = self
            .associations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = known.get(&id) {
            return Ok(entry.clone());
        }
        let entry = org::association(tx, id)?.map(|association| {
            Arc::new(AssociationFacts {
                catalogue: association.catalogue(base),
                association,
            })
        });
        known.insert(id, entry.clone());
        Ok(entry)
    }
}

impl Session {
    /// The facts this session's policy checks need, as of `tx`: kept from an earlier command
    /// while the organisation stamp, the day and the role are the same, else read afresh (an
    /// ended assignment or a deactivated user takes effect at once). An ended session is
    /// refused before anything is read.
    pub(crate) fn policy(&self, tx: &impl Tx) -> Result<Arc<Policy>, ServiceError> {
        if self.has_ended() {
            return Err(ServiceError::Denied(
                super::standing::Revocation::Ended.denial(),
            ));
        }
        let stamp = org::stamp(tx)?;
        let today = self.service.clock().today();
        let mut cached = self.policy.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = cached.as_ref()
            && p.stamp == stamp
            && p.today == today
            && p.role == self.role
        {
            return Ok(Arc::clone(p));
        }
        let user = org::user(tx, self.user.id)?;
        let denial = match self.revocation(tx, user.as_ref())? {
            Some(r) => Some(r.denial()),
            None if !user.as_ref().is_some_and(|u| u.roles.contains(&self.role)) => {
                Some(DENIED_ROLE_WITHDRAWN)
            }
            None => None,
        };
        let active = denial.is_none();
        let assignments: Vec<Assignment> = if active {
            org::assignments_of(tx, self.user.id)?
                .into_iter()
                .filter(|a| a.role == self.role && a.active_on(today))
                .collect()
        } else {
            Vec::new()
        };
        let mut search_association = None;
        for a in &assignments {
            if let Scope::Intervention(i) = a.scope {
                search_association = org::intervention(tx, i)?.map(|i| i.association);
                if search_association.is_some() {
                    break;
                }
            }
        }
        let policy = Arc::new(Policy {
            stamp,
            today,
            role: self.role,
            denial,
            assignments: assignments.into(),
            search_association,
            interventions: Mutex::default(),
            associations: Mutex::default(),
        });
        *cached = Some(Arc::clone(&policy));
        Ok(policy)
    }
}

#[cfg(test)]
mod tests;

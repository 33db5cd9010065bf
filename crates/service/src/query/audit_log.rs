//! The audit log as a session may read it: a window of the entries in its scope, filtered.

use crate::error::ServiceError;
use crate::session::Session;
use insats_domain::audit::{Action, Entry};
use insats_domain::ids::{InterventionId, UserId};
use insats_domain::user::{Access, Role};
use insats_store::{Tx, audit, org};

/// Which audit entries to show.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub intervention: Option<InterventionId>,
    pub user: Option<UserId>,
    pub action: Option<Action>,
    /// Inclusive range of days (as `at_ms` bounds).
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// How many entries a filtered audit page scans at most.
const AUDIT_SCAN_LIMIT: usize = 100_000;

impl Session {
    /// One window of the audit log in this session's scope, newest first. Log reviewers and
    /// system administrators see every entry of their scope; other roles see the entries of the
    /// interventions they reach. Entries carry pseudonyms only.
    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Entry>, ServiceError> {
        let tx = self.service.store().read()?;
        // Every role's scope is read afresh; a revoked session sees nothing.
        self.live(&*tx)?;
        let wide = matches!(self.role, Role::SystemAdmin | Role::LogReviewer);
        let reach: Vec<InterventionId> = if wide {
            Vec::new()
        } else {
            self.reached_interventions(&*tx)?
        };
        let associations: Vec<_> = if self.role == Role::LogReviewer {
            self.assignments(&*tx)?
                .iter()
                .filter_map(|a| match a.scope {
                    insats_domain::user::Scope::Association(x) => Some(x),
                    insats_domain::user::Scope::Intervention(_) => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        if let Some(i) = filter.intervention
            && !wide
            && !reach.contains(&i)
        {
            return Err(ServiceError::Denied(crate::error::DENIED_SCOPE));
        }
        let keep = |e: &Entry| {
            let d = &e.draft;
            let in_scope = match self.role {
                Role::SystemAdmin => true,
                Role::LogReviewer => d.association.is_some_and(|a| associations.contains(&a)),
                _ => d.intervention.is_some_and(|i| reach.contains(&i)),
            };
            in_scope
                && filter.user.is_none_or(|u| d.user == Some(u))
                && filter.action.is_none_or(|a| d.action == a)
                && filter.from_ms.is_none_or(|t| e.at_ms >= t)
                && filter.to_ms.is_none_or(|t| e.at_ms <= t)
        };
        // Roles that reach only some interventions read only those interventions' entries.
        let one: [InterventionId; 1];
        let scope = match filter.intervention {
            Some(i) => {
                one = [i];
                audit::Scope::Interventions(&one)
            }
            None if wide => audit::Scope::All,
            None => audit::Scope::Interventions(&reach),
        };
        let mut entries = audit::page(&*tx, scope, before, limit, AUDIT_SCAN_LIMIT, keep)?;
        // Roles without any personal-data access do not get even pseudonymous ids.
        if !matches!(
            self.role,
            Role::ParticipantHandler | Role::LogReviewer | Role::SystemAdmin
        ) {
            for e in &mut entries {
                e.draft.subject = None;
            }
        }
        Ok(entries)
    }

    fn reached_interventions(&self, tx: &impl Tx) -> Result<Vec<InterventionId>, ServiceError> {
        let mut out = Vec::new();
        for association in org::associations(tx)? {
            for i in org::interventions_of(tx, association.id)? {
                if self.access(tx, &i)? != Access::None {
                    out.push(i.id);
                }
            }
        }
        Ok(out)
    }
}

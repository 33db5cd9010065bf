//! The log reviewer's desk: the association's review rules, rule runs and random samples over a
//! period, the queue of findings and sampled entries, verdicts, and the review record.
//!
//! A log reviewer reads pseudonyms only: a finding names staff (usernames) and pseudonymous
//! participants; the surname comparison of the shared-surname rule happens in here and never
//! leaves it.

mod judge;
mod record;
mod run;
mod spill;

pub use judge::{ItemDetail, QueuePage, QueueRow};
pub use record::{RecordRun, ReviewRecord};
pub use run::RunReport;

use crate::error::{DENIED_ASSOCIATION_ADMIN, DENIED_LOG_REVIEWER, ServiceError};
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::AssociationId;
use insats_domain::review::ReviewSettings;
use insats_domain::user::{Role, Scope};
use insats_store::{Tx, review};

impl Session {
    /// The associations this session's assignments in its role reach (for log reviewers and
    /// association administrators: their association assignments).
    pub(crate) fn assigned_associations(
        &self,
        tx: &impl Tx,
    ) -> Result<Vec<AssociationId>, ServiceError> {
        Ok(self
            .assignments(tx)?
            .iter()
            .filter_map(|a| match a.scope {
                Scope::Association(x) => Some(x),
                Scope::Intervention(_) => None,
            })
            .collect())
    }

    /// The association a log reviewer works on: `wanted`, if they review it, else their first.
    pub(crate) fn reviewed_association(
        &self,
        tx: &impl Tx,
        wanted: Option<AssociationId>,
    ) -> Result<AssociationId, ServiceError> {
        if self.role != Role::LogReviewer {
            return Err(ServiceError::Denied(DENIED_LOG_REVIEWER));
        }
        let reviewed = self.assigned_associations(tx)?;
        match wanted {
            Some(a) if reviewed.contains(&a) => Ok(a),
            Some(_) => Err(ServiceError::Denied(DENIED_LOG_REVIEWER)),
            None => reviewed
                .first()
                .copied()
                .ok_or(ServiceError::Denied(DENIED_LOG_REVIEWER)),
        }
    }

    /// The association's review rules (its own, or the defaults): for its log reviewers and
    /// association administrators.
    pub fn review_settings(
        &self,
        association: Option<AssociationId>,
    ) -> Result<(AssociationId, ReviewSettings), ServiceError> {
        let tx = self.service.store().read()?;
        let a = self.settings_association(&*tx, association)?;
        Ok((a, review::settings(&*tx, a)?.unwrap_or_default()))
    }

    /// Changes the association's review rules (association administrator), each change
    /// `KEY=VALUE` as [`ReviewSettings::set`] takes it; audited with the keys changed.
    pub fn set_review_settings(
        &self,
        association: Option<AssociationId>,
        changes: &[String],
    ) -> Result<ReviewSettings, ServiceError> {
        if self.role != Role::AssociationAdmin {
            return Err(ServiceError::Denied(DENIED_ASSOCIATION_ADMIN));
        }
        let tx = self.service.store().write()?;
        let a = self.settings_association(&tx, association)?;
        let mut settings = review::settings(&tx, a)?.unwrap_or_default();
        let mut keys: Vec<&str> = Vec::new();
        for c in changes {
            settings.set(c)?;
            if let Some((k, _)) = c.split_once('=') {
                keys.push(k.trim());
            }
        }
        review::put_settings(&tx, a, &settings)?;
        let note = RuleNote(&settings).to_string();
        let draft = self.draft(Action::SetReviewRules, Some(a), None, None, &keys, note);
        self.service.audit(&tx, draft)?;
        self.service.commit(tx, &[])?;
        Ok(settings)
    }

    /// The association whose rules a log reviewer or an association administrator reads.
    fn settings_association(
        &self,
        tx: &impl Tx,
        wanted: Option<AssociationId>,
    ) -> Result<AssociationId, ServiceError> {
        match self.role {
            Role::LogReviewer => self.reviewed_association(tx, wanted),
            Role::AssociationAdmin => {
                let mine = self.assigned_associations(tx)?;
                match wanted {
                    Some(a) if mine.contains(&a) => Ok(a),
                    None if !mine.is_empty() => Ok(mine[0]),
                    _ => Err(ServiceError::Denied(DENIED_ASSOCIATION_ADMIN)),
                }
            }
            _ => Err(ServiceError::Denied(DENIED_LOG_REVIEWER)),
        }
    }
}

/// Every enabled rule's parameters in one line (the audit note of a rule change or run).
struct RuleNote<'a>(&'a ReviewSettings);

impl std::fmt::Display for RuleNote<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for r in insats_domain::review::RuleKind::ALL {
            if !self.0.enabled(r) {
                continue;
            }
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            f.write_str(r.key())?;
            let p = self.0.parameters(r);
            if !p.is_empty() {
                write!(f, " {p}")?;
            }
        }
        Ok(())
    }
}

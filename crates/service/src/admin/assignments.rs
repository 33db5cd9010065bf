//! Assignments: who acts in which role where and when.

use super::setup::optional_date;
use crate::error::{DENIED_ADMIN, DENIED_MANAGER, ServiceError};
use crate::session::Session;
use chrono::NaiveDate;
use insats_domain::audit::Action;
use insats_domain::date::parse_iso;
use insats_domain::ids::{AssignmentId, AssociationId, UserId};
use insats_domain::user::{Assignment, Role, Scope, UserError, check_assignment};
use insats_store::{next_id, org};

impl Session {
    /// Assigns a user in a role to a scope from `from` (to `to`). System administrators assign
    /// anyone; association administrators assign administrators, managers, report readers and log
    /// reviewers in their association; intervention managers assign handlers to their interventions.
    pub fn assign(
        &self,
        user: UserId,
        role: Role,
        scope: Scope,
        from: &str,
        to: &str,
    ) -> Result<AssignmentId, ServiceError> {
        let tx = self.service.store().write()?;
        self.live(&tx)?;
        let target = org::user(&tx, user)?.ok_or_else(|| ServiceError::NotFound {
            what: "user",
            id: user.to_string(),
        })?;
        let association = match scope {
            Scope::Association(a) => org::association(&tx, a)?.map(|x| x.id),
            Scope::Intervention(i) => org::intervention(&tx, i)?.map(|x| x.association),
        }
        .ok_or_else(|| ServiceError::NotFound {
            what: "scope",
            id: scope.to_string(),
        })?;
        match self.role {
            Role::SystemAdmin => {}
            Role::AssociationAdmin if role != Role::ParticipantHandler => {
                self.require_association_admin(&tx, association)?;
            }
            Role::InterventionManager if role == Role::ParticipantHandler => {
                let Scope::Intervention(i) = scope else {
                    return Err(ServiceError::Denied(DENIED_MANAGER));
                };
                let mine = self
                    .assignments(&tx)?
                    .iter()
                    .any(|a| a.scope == Scope::Intervention(i));
                if !mine {
                    return Err(ServiceError::Denied(DENIED_MANAGER));
                }
            }
            _ => return Err(ServiceError::Denied(DENIED_ADMIN)),
        }
        let a = Assignment {
            id: AssignmentId(0),
            user,
            role,
            scope,
            from: parse_iso(from).map_err(ServiceError::date("from"))?,
            to: optional_date(to, "to")?,
        };
        check_assignment(&target, &a)?;
        let a = Assignment {
            id: AssignmentId(next_id(&tx, "assignment")?),
            ..a
        };
        org::put_assignment(&tx, &a)?;
        let intervention = match scope {
            Scope::Intervention(i) => Some(i),
            Scope::Association(_) => None,
        };
        let note = format!("{} as {} to {}", target.username, role.key(), scope);
        self.commit_admin(
            tx,
            Action::Assign,
            Some(association),
            intervention,
            &["role", "scope", "from", "to"],
            note,
        )?;
        Ok(a.id)
    }

    /// Ends an assignment on `to` (access ends after that day). `to` may be the day before it
    /// starts: the assignment is withdrawn before it gave any access.
    pub fn end_assignment(&self, id: AssignmentId, to: &str) -> Result<(), ServiceError> {
        let to = parse_iso(to).map_err(ServiceError::date("to"))?;
        self.end_assignment_on(id, Some(to))
    }

    /// Ends an assignment now: its last day of access was yesterday (or, for one that starts
    /// today or later, it never gives access). Open sessions narrow at once.
    pub fn end_assignment_now(&self, id: AssignmentId) -> Result<(), ServiceError> {
        self.end_assignment_on(id, None)
    }

    /// Ends an assignment on `to`, or now (`None`).
    fn end_assignment_on(
        &self,
        id: AssignmentId,
        to: Option<NaiveDate>,
    ) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        self.live(&tx)?;
        let mut a = org::assignment(&tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "assignment",
            id: id.to_string(),
        })?;
        if self.role != Role::SystemAdmin {
            let association = match a.scope {
                Scope::Association(x) => x,
                Scope::Intervention(i) => {
                    org::intervention(&tx, i)?.map_or(AssociationId(0), |x| x.association)
                }
            };
            self.require_association_admin(&tx, association)?;
        }
        let day_before_start = a.from.pred_opt().unwrap_or(a.from);
        let to = to.unwrap_or_else(|| {
            let yesterday = self.service.clock().today().pred_opt();
            yesterday.map_or(day_before_start, |y| y.max(day_before_start))
        });
        if to < day_before_start {
            return Err(UserError::EndsBeforeStart.into());
        }
        a.to = Some(to);
        org::put_assignment(&tx, &a)?;
        self.commit_admin(
            tx,
            Action::EndAssignment,
            None,
            None,
            &["to"],
            id.to_string(),
        )
    }
}

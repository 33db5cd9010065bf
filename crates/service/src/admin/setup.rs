//! Setting up: the first start, associations and interventions; and the role checks and the
//! audited commit every administrative command shares.

use crate::core::{Notice, Service};
use crate::error::{DENIED_ADMIN, DENIED_ASSOCIATION_ADMIN, ServiceError};
use crate::session::Session;
use insats_domain::audit::{Action, Draft};
use insats_domain::date::parse_iso;
use insats_domain::ids::{AssignmentId, AssociationId, InterventionId, UserId};
use insats_domain::intervention::{Direction, Intervention, Measurement};
use insats_domain::organisation::{Association, OrgNumber};
use insats_domain::person::{MunicipalityCode, clean_text};
use insats_domain::user::{Assignment, Role, Scope, User, UserError, check_username};
use insats_store::{Tx, next_id, org};
use redb::WriteTransaction;
use std::collections::BTreeSet;

/// An association as typed.
#[derive(Debug, Clone, Default)]
pub struct AssociationInput {
    pub name: String,
    pub org_number: String,
    pub description: String,
    /// Municipality codes separated by commas or spaces.
    pub municipalities: String,
    pub start: String,
    /// Empty when open-ended.
    pub end: String,
}

/// An intervention as typed.
#[derive(Debug, Clone)]
pub struct InterventionInput {
    pub association: AssociationId,
    pub name: String,
    pub description: String,
    pub start: String,
    pub end: String,
    pub direction: Direction,
    pub target_groups: Vec<String>,
    pub measurement: Measurement,
}

/// The first start of a new database: its first association and its first administrator.
#[derive(Debug, Clone)]
pub struct InitInput {
    pub association: AssociationInput,
    pub admin_username: String,
    pub admin_display_name: String,
}

pub(super) fn optional_date(
    text: &str,
    field: &'static str,
) -> Result<Option<chrono::NaiveDate>, ServiceError> {
    let t = text.trim();
    if t.is_empty() {
        Ok(None)
    } else {
        parse_iso(t).map(Some).map_err(ServiceError::date(field))
    }
}

pub(super) const MAX_TEXT: usize = 2000;
pub(super) const MAX_TITLE: usize = 200;

pub(super) fn optional_text(text: &str, field: &'static str) -> Result<String, ServiceError> {
    if text.trim().is_empty() {
        Ok(String::new())
    } else {
        clean_text(text, MAX_TEXT).map_err(ServiceError::text(field))
    }
}

impl AssociationInput {
    fn parse(&self, id: AssociationId) -> Result<Association, ServiceError> {
        let start = parse_iso(&self.start).map_err(ServiceError::date("start"))?;
        let end = optional_date(&self.end, "end")?;
        if end.is_some_and(|e| e < start) {
            return Err(ServiceError::Conflict(
                "the end date is before the start date",
            ));
        }
        let municipalities = self
            .municipalities
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| MunicipalityCode::parse(s).map_err(ServiceError::text("municipalities")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Association {
            id,
            name: clean_text(&self.name, MAX_TITLE).map_err(ServiceError::text("name"))?,
            org_number: OrgNumber::parse(&self.org_number)?,
            description: optional_text(&self.description, "description")?,
            municipalities,
            start,
            end,
            supplementary: Vec::new(),
            focus_options: Vec::new(),
            controller: String::new(),
            dpo: String::new(),
            retention_years: insats_domain::planning::DEFAULT_RETENTION_YEARS,
            small_cell_threshold: insats_domain::planning::DEFAULT_SMALL_CELL,
        })
    }
}

pub(crate) fn system_draft(
    action: Action,
    user: Option<UserId>,
    association: Option<AssociationId>,
    note: String,
) -> Draft {
    Draft {
        user,
        role: None,
        session: 0,
        association,
        intervention: None,
        subject: None,
        action,
        fields: Vec::new(),
        note,
    }
}

impl Service {
    /// Sets up a new, empty database: the association and its first administrator, who is
    /// system administrator and association administrator. Refused once any user exists.
    pub fn init(&self, input: &InitInput) -> Result<(AssociationId, UserId), ServiceError> {
        let tx = self.store().write()?;
        if !org::users(&tx)?.is_empty() {
            return Err(ServiceError::Conflict("the database is already set up"));
        }
        check_username(&input.admin_username)?;
        let display = clean_text(&input.admin_display_name, MAX_TITLE)
            .map_err(|_| UserError::BadDisplayName)?;
        let association_id = AssociationId(next_id(&tx, "association")?);
        let association = input.association.parse(association_id)?;
        org::put_association(&tx, &association)?;
        let user = User {
            id: UserId(next_id(&tx, "user")?),
            username: input.admin_username.clone(),
            display_name: display,
            roles: BTreeSet::from([Role::SystemAdmin, Role::AssociationAdmin]),
            active: true,
        };
        org::put_user(&tx, &user)?;
        let assignment = Assignment {
            id: AssignmentId(next_id(&tx, "assignment")?),
            user: user.id,
            role: Role::AssociationAdmin,
            scope: Scope::Association(association_id),
            from: association.start.min(self.clock().today()),
            to: None,
        };
        org::put_assignment(&tx, &assignment)?;
        self.audit(
            &tx,
            system_draft(
                Action::Init,
                Some(user.id),
                Some(association_id),
                format!("first administrator {}", user.username),
            ),
        )?;
        self.commit(tx, &[Notice::new(0, Action::Init, None, None)])?;
        Ok((association_id, user.id))
    }
}

impl Session {
    /// Refuses unless this session acts in `role` and the user still may (read afresh: not
    /// deactivated, the role and the SSH key still theirs). Called before a use case opens its
    /// own transaction.
    pub(crate) fn require(&self, role: Role, denied: &'static str) -> Result<(), ServiceError> {
        if self.role != role {
            return Err(ServiceError::Denied(denied));
        }
        let tx = self.service.store().read()?;
        self.live(&*tx)
    }

    pub(crate) fn commit_admin(
        &self,
        tx: WriteTransaction,
        action: Action,
        association: Option<AssociationId>,
        intervention: Option<InterventionId>,
        fields: &[&str],
        note: String,
    ) -> Result<(), ServiceError> {
        let draft = self.draft(action, association, intervention, None, fields, note);
        self.service.audit(&tx, draft)?;
        self.service.commit(
            tx,
            &[Notice::new(self.id, action, association, intervention)],
        )
    }

    /// Adds another association (system administrator).
    pub fn create_association(
        &self,
        input: &AssociationInput,
    ) -> Result<AssociationId, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().write()?;
        let id = AssociationId(next_id(&tx, "association")?);
        let association = input.parse(id)?;
        org::put_association(&tx, &association)?;
        self.commit_admin(
            tx,
            Action::CreateAssociation,
            Some(id),
            None,
            &["name", "org_number", "start"],
            String::new(),
        )?;
        Ok(id)
    }

    /// Creates an intervention (association administrator of its association).
    pub fn create_intervention(
        &self,
        input: &InterventionInput,
    ) -> Result<InterventionId, ServiceError> {
        let tx = self.service.store().write()?;
        let association =
            org::association(&tx, input.association)?.ok_or_else(|| ServiceError::NotFound {
                what: "association",
                id: input.association.to_string(),
            })?;
        self.require_association_admin(&tx, association.id)?;
        let start = parse_iso(&input.start).map_err(ServiceError::date("start"))?;
        let end = optional_date(&input.end, "end")?;
        if start < association.start {
            return Err(
                insats_domain::participation::Refusal::BeforeAssociationStart {
                    start: association.start,
                }
                .into(),
            );
        }
        if end.is_some_and(|e| e < start) {
            return Err(ServiceError::Conflict(
                "the end date is before the start date",
            ));
        }
        let target_groups = input
            .target_groups
            .iter()
            .map(|g| clean_text(g, MAX_TITLE).map_err(ServiceError::text("target group")))
            .collect::<Result<Vec<_>, _>>()?;
        let id = InterventionId(next_id(&tx, "intervention")?);
        let intervention = Intervention {
            id,
            association: association.id,
            name: clean_text(&input.name, MAX_TITLE).map_err(ServiceError::text("name"))?,
            description: optional_text(&input.description, "description")?,
            start,
            end,
            direction: input.direction,
            target_groups,
            measurement: input.measurement,
            plans: Vec::new(),
            focus: String::new(),
        };
        org::put_intervention(&tx, &intervention)?;
        self.commit_admin(
            tx,
            Action::CreateIntervention,
            Some(association.id),
            Some(id),
            &["name", "start", "measurement"],
            String::new(),
        )?;
        Ok(id)
    }

    pub(crate) fn require_association_admin(
        &self,
        tx: &impl Tx,
        association: AssociationId,
    ) -> Result<(), ServiceError> {
        if self.role != Role::AssociationAdmin {
            return Err(ServiceError::Denied(DENIED_ASSOCIATION_ADMIN));
        }
        // The assignments are read afresh; a revoked session is refused there.
        let ok = self
            .assignments(tx)?
            .iter()
            .any(|a| a.scope == Scope::Association(association));
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Denied(DENIED_ASSOCIATION_ADMIN))
        }
    }
}

//! Setting up: the first start, associations, interventions, users, SSH keys, assignments.

use super::core::{Notice, Service};
use super::error::{DENIED_ADMIN, DENIED_ASSOCIATION_ADMIN, DENIED_MANAGER, ServiceError};
use super::session::Session;
use insats_domain::audit::{Action, Draft};
use insats_domain::date::{Year, parse_iso};
use insats_domain::ids::{AssignmentId, AssociationId, InterventionId, UserId};
use insats_domain::intervention::{Direction, Intervention, Measurement};
use insats_domain::organisation::{Association, OrgNumber};
use insats_domain::participation::Refusal;
use insats_domain::person::{MunicipalityCode, clean_text};
use insats_domain::sshkey::{self, SshKey};
use insats_domain::user::{
    Assignment, Role, Scope, User, UserError, check_assignment, check_role_combination,
    check_username,
};
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

fn optional_date(
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

const MAX_TEXT: usize = 2000;
const MAX_TITLE: usize = 200;

fn optional_text(text: &str, field: &'static str) -> Result<String, ServiceError> {
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
        })
    }
}

pub(super) fn system_draft(
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

    /// The user an SSH key belongs to, if any (for sign-in).
    pub fn user_for_key(&self, fingerprint: &str) -> Result<Option<User>, ServiceError> {
        let tx = self.store().read()?;
        match org::ssh_key(&*tx, fingerprint)? {
            Some(k) => Ok(org::user(&*tx, k.user)?.filter(|u| u.active)),
            None => Ok(None),
        }
    }
}

impl Session {
    pub(super) fn require(&self, role: Role, denied: &'static str) -> Result<(), ServiceError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ServiceError::Denied(denied))
        }
    }

    pub(super) fn commit_admin(
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

    pub(super) fn require_association_admin(
        &self,
        tx: &impl Tx,
        association: AssociationId,
    ) -> Result<(), ServiceError> {
        self.require(Role::AssociationAdmin, DENIED_ASSOCIATION_ADMIN)?;
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

    /// Creates a user with roles (system administrator). Forbidden combinations are refused.
    pub fn create_user(
        &self,
        username: &str,
        display_name: &str,
        roles: &[Role],
    ) -> Result<UserId, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        check_username(username)?;
        let display_name =
            clean_text(display_name, MAX_TITLE).map_err(|_| UserError::BadDisplayName)?;
        let roles: BTreeSet<Role> = roles.iter().copied().collect();
        check_role_combination(&roles)?;
        let tx = self.service.store().write()?;
        if org::user_by_name(&tx, username)?.is_some() {
            return Err(ServiceError::Conflict(
                "a user with that name exists already",
            ));
        }
        let user = User {
            id: UserId(next_id(&tx, "user")?),
            username: username.to_owned(),
            display_name,
            roles,
            active: true,
        };
        org::put_user(&tx, &user)?;
        let note = format!(
            "{} ({})",
            user.username,
            user.roles
                .iter()
                .map(|r| r.key())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.commit_admin(
            tx,
            Action::CreateUser,
            None,
            None,
            &["username", "display_name", "roles"],
            note,
        )?;
        Ok(user.id)
    }

    /// Replaces a user's roles, or (de)activates them (system administrator).
    pub fn update_user(
        &self,
        user: UserId,
        roles: Option<&[Role]>,
        active: Option<bool>,
    ) -> Result<(), ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().write()?;
        let mut u = org::user(&tx, user)?.ok_or_else(|| ServiceError::NotFound {
            what: "user",
            id: user.to_string(),
        })?;
        let mut fields = Vec::new();
        if let Some(roles) = roles {
            let roles: BTreeSet<Role> = roles.iter().copied().collect();
            check_role_combination(&roles)?;
            u.roles = roles;
            fields.push("roles");
        }
        if let Some(active) = active {
            u.active = active;
            fields.push("active");
        }
        org::put_user(&tx, &u)?;
        let note = format!(
            "{} ({})",
            u.username,
            u.roles
                .iter()
                .map(|r| r.key())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.commit_admin(tx, Action::UpdateUser, None, None, &fields, note)
    }

    /// Adds an SSH public key to a user (system administrator). Returns its fingerprint.
    pub fn add_ssh_key(&self, user: UserId, line: &str) -> Result<String, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().write()?;
        let u = org::user(&tx, user)?.ok_or_else(|| ServiceError::NotFound {
            what: "user",
            id: user.to_string(),
        })?;
        let key = sshkey::parse(line, u.id, self.service.clock().today())?;
        if let Some(existing) = org::ssh_key(&tx, &key.fingerprint)? {
            return Err(if existing.user == u.id {
                ServiceError::Conflict("the user has this key already")
            } else {
                ServiceError::Conflict(
                    "this key belongs to another user; every user needs a key of their own",
                )
            });
        }
        org::put_ssh_key(&tx, &key)?;
        let note = format!("{} {}", u.username, key.fingerprint);
        self.commit_admin(tx, Action::AddSshKey, None, None, &["ssh_key"], note)?;
        Ok(key.fingerprint)
    }

    /// Removes an SSH key by fingerprint (system administrator).
    pub fn remove_ssh_key(&self, fingerprint: &str) -> Result<(), ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().write()?;
        let key: SshKey =
            org::ssh_key(&tx, fingerprint)?.ok_or_else(|| ServiceError::NotFound {
                what: "SSH key",
                id: fingerprint.chars().take(60).collect(),
            })?;
        org::remove_ssh_key(&tx, &key)?;
        self.commit_admin(
            tx,
            Action::RemoveSshKey,
            None,
            None,
            &["ssh_key"],
            key.fingerprint.clone(),
        )
    }

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

    /// Ends an assignment on `to` (access ends after that day).
    pub fn end_assignment(&self, id: AssignmentId, to: &str) -> Result<(), ServiceError> {
        let to = parse_iso(to).map_err(ServiceError::date("to"))?;
        let tx = self.service.store().write()?;
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
        if to < a.from {
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

    /// Enters the number of participants of a count-only intervention for one month
    /// (intervention manager of that intervention).
    pub fn set_volume(
        &self,
        intervention: InterventionId,
        year: Year,
        month: u8,
        count: u32,
    ) -> Result<(), ServiceError> {
        self.require(Role::InterventionManager, DENIED_MANAGER)?;
        let tx = self.service.store().write()?;
        let (i, _) = self.reachable(&tx, intervention)?;
        if i.measurement != Measurement::CountOnly {
            return Err(ServiceError::Conflict(
                "the intervention registers participants individually",
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(ServiceError::Conflict("the month must be 1–12"));
        }
        if year > insats_domain::date::budget_year(self.service.clock().today()) {
            return Err(insats_domain::participation::Refusal::DateInFuture.into());
        }
        let association = Self::association_of(&tx, &i)?;
        if year < insats_domain::date::budget_year(association.start) {
            return Err(Refusal::BeforeAssociationStart {
                start: association.start,
            }
            .into());
        }
        if year < insats_domain::date::budget_year(i.start) {
            return Err(Refusal::BeforeInterventionStart { start: i.start }.into());
        }
        if let Some(end) = i
            .end
            .filter(|e| year > insats_domain::date::budget_year(*e))
        {
            return Err(insats_domain::participation::Refusal::AfterInterventionEnd { end }.into());
        }
        insats_store::people::set_volume(&tx, intervention, year, month, count)?;
        self.commit_admin(
            tx,
            Action::SetVolume,
            Some(i.association),
            Some(intervention),
            &["volume"],
            format!("{year}-{month:02}: {count}"),
        )
    }

    /// Users (system administrator), for listing.
    pub fn users(&self) -> Result<Vec<User>, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().read()?;
        Ok(org::users(&*tx)?)
    }
}

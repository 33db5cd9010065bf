//! Users, roles, assignments (uppdrag) and the access policy that follows from them.

use super::date::{days, days_opt};
use super::ids::{AssignmentId, AssociationId, InterventionId, UserId};
use super::intervention::Intervention;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A role of a user. A role only acts where the user also has an assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// samverkansadministratör
    AssociationAdmin,
    /// insatsansvarig
    InterventionManager,
    /// deltagaransvarig
    ParticipantHandler,
    /// uppföljare (SUS-rapport)
    ReportReader,
    /// logggranskare
    LogReviewer,
    /// systemadministratör
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::AssociationAdmin,
        Role::InterventionManager,
        Role::ParticipantHandler,
        Role::ReportReader,
        Role::LogReviewer,
        Role::SystemAdmin,
    ];

    /// Stable key used on the command line and in files.
    pub fn key(self) -> &'static str {
        match self {
            Role::AssociationAdmin => "association-admin",
            Role::InterventionManager => "intervention-manager",
            Role::ParticipantHandler => "participant-handler",
            Role::ReportReader => "report-reader",
            Role::LogReviewer => "log-reviewer",
            Role::SystemAdmin => "system-admin",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key.trim())
    }

    pub fn label(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (Role::AssociationAdmin, true) => "samverkansadministratör",
            (Role::AssociationAdmin, false) => "association administrator",
            (Role::InterventionManager, true) => "insatsansvarig",
            (Role::InterventionManager, false) => "intervention manager",
            (Role::ParticipantHandler, true) => "deltagaransvarig",
            (Role::ParticipantHandler, false) => "participant handler",
            (Role::ReportReader, true) => "uppföljare",
            (Role::ReportReader, false) => "report reader",
            (Role::LogReviewer, true) => "logggranskare",
            (Role::LogReviewer, false) => "log reviewer",
            (Role::SystemAdmin, true) => "systemadministratör",
            (Role::SystemAdmin, false) => "system administrator",
        }
    }

    /// The kind of scope an assignment in this role has; `None` for roles that act system-wide.
    pub fn scope_kind(self) -> Option<ScopeKind> {
        match self {
            Role::AssociationAdmin | Role::ReportReader | Role::LogReviewer => {
                Some(ScopeKind::Association)
            }
            Role::InterventionManager | Role::ParticipantHandler => Some(ScopeKind::Intervention),
            Role::SystemAdmin => None,
        }
    }

    /// Whether this role may ever see individual-level personal data.
    pub fn may_see_individuals(self) -> bool {
        self == Role::ParticipantHandler
    }
}

/// What an assignment is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    Association,
    Intervention,
}

/// The association or intervention an assignment is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    Association(AssociationId),
    Intervention(InterventionId),
}

impl Scope {
    pub fn kind(self) -> ScopeKind {
        match self {
            Scope::Association(_) => ScopeKind::Association,
            Scope::Intervention(_) => ScopeKind::Intervention,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Association(a) => a.fmt(f),
            Scope::Intervention(i) => i.fmt(f),
        }
    }
}

/// A member of staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Login name, unique, lowercase ASCII.
    pub username: String,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    pub active: bool,
}

/// An assignment of a user, in one role, to an association or an intervention, for a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub user: UserId,
    pub role: Role,
    pub scope: Scope,
    #[serde(with = "days")]
    pub from: NaiveDate,
    #[serde(with = "days_opt")]
    pub to: Option<NaiveDate>,
}

impl Assignment {
    /// Access ends when the assignment ends: active from `from` through `to` inclusive.
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }

    /// Whether this assignment reaches the intervention (directly or through its association).
    pub fn covers(&self, intervention: &Intervention) -> bool {
        match self.scope {
            Scope::Intervention(i) => i == intervention.id,
            Scope::Association(a) => a == intervention.association,
        }
    }
}

/// How much of an intervention's participants a session may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    /// Counts and statistics only.
    Aggregate,
    /// Individual participants, with personal data.
    Individual,
}

/// The access a user acting in `role` has to `intervention` on `today`, given the user's
/// assignments. Individual data only for an assigned participant handler; aggregates for every
/// other role that reaches the intervention; system administrators see aggregates everywhere.
pub fn access_to(
    role: Role,
    assignments: &[Assignment],
    intervention: &Intervention,
    today: NaiveDate,
) -> Access {
    if role == Role::SystemAdmin {
        return Access::Aggregate;
    }
    let reached = assignments
        .iter()
        .any(|a| a.role == role && a.active_on(today) && a.covers(intervention));
    match (reached, role.may_see_individuals()) {
        (false, _) => Access::None,
        (true, true) => Access::Individual,
        (true, false) => Access::Aggregate,
    }
}

/// Why a user, role or assignment change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("a participant handler may not also be an association administrator")]
    HandlerAndAssociationAdmin,
    #[error(
        "a participant handler may not also be a system administrator (who orders authorisations)"
    )]
    HandlerAndSystemAdmin,
    #[error("the user name must be 2–32 characters: lowercase letters, digits, '.', '-' or '_'")]
    BadUsername,
    #[error("the display name is empty, too long or contains control characters")]
    BadDisplayName,
    #[error("a {role} assignment must be to {expected}")]
    WrongScope {
        role: &'static str,
        expected: &'static str,
    },
    #[error("a system administrator acts system-wide and needs no assignment")]
    NoAssignmentForSystemAdmin,
    #[error("the user does not have the role {role}; grant the role first")]
    RoleMissing { role: &'static str },
    #[error("the assignment ends before it starts")]
    EndsBeforeStart,
}

impl UserError {
    pub fn message_sv(&self) -> String {
        match self {
            UserError::HandlerAndAssociationAdmin => {
                "en deltagaransvarig får inte också vara samverkansadministratör".into()
            }
            UserError::HandlerAndSystemAdmin => {
                "en deltagaransvarig får inte också vara systemadministratör (behörighetsbeställare)"
                    .into()
            }
            UserError::BadUsername => {
                "användarnamnet ska vara 2–32 tecken: små bokstäver, siffror, '.', '-' eller '_'"
                    .into()
            }
            UserError::BadDisplayName => {
                "namnet är tomt, för långt eller innehåller kontrolltecken".into()
            }
            UserError::WrongScope { role, expected } => {
                format!("ett uppdrag som {role} ska gälla {expected}")
            }
            UserError::NoAssignmentForSystemAdmin => {
                "en systemadministratör verkar i hela systemet och behöver inget uppdrag".into()
            }
            UserError::RoleMissing { role } => {
                format!("användaren har inte rollen {role}; ge rollen först")
            }
            UserError::EndsBeforeStart => "uppdraget slutar innan det börjar".into(),
        }
    }
}

/// The forbidden role combinations of SUS: participant handler + association administrator, and
/// participant handler + the one who orders authorisations (our system administrator).
pub fn check_role_combination(roles: &BTreeSet<Role>) -> Result<(), UserError> {
    if roles.contains(&Role::ParticipantHandler) {
        if roles.contains(&Role::AssociationAdmin) {
            return Err(UserError::HandlerAndAssociationAdmin);
        }
        if roles.contains(&Role::SystemAdmin) {
            return Err(UserError::HandlerAndSystemAdmin);
        }
    }
    Ok(())
}

/// Checks a login name.
pub fn check_username(name: &str) -> Result<(), UserError> {
    let ok_len = (2..=32).contains(&name.len());
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(UserError::BadUsername)
    }
}

/// Checks that an assignment fits its role: the right kind of scope and a sane period.
pub fn check_assignment(user: &User, a: &Assignment) -> Result<(), UserError> {
    if !user.roles.contains(&a.role) {
        return Err(UserError::RoleMissing { role: a.role.key() });
    }
    match a.role.scope_kind() {
        None => return Err(UserError::NoAssignmentForSystemAdmin),
        Some(kind) if kind != a.scope.kind() => {
            return Err(UserError::WrongScope {
                role: a.role.key(),
                expected: match kind {
                    ScopeKind::Association => "an association",
                    ScopeKind::Intervention => "an intervention",
                },
            });
        }
        Some(_) => {}
    }
    if a.to.is_some_and(|to| to < a.from) {
        return Err(UserError::EndsBeforeStart);
    }
    Ok(())
}

//! Users and their SSH keys: creating and changing users, adding and removing keys, and the
//! key look-up sign-in starts with.

use super::setup::MAX_TITLE;
use crate::error::{DENIED_ADMIN, ServiceError};
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::UserId;
use insats_domain::person::clean_text;
use insats_domain::sshkey::{self, SshKey};
use insats_domain::user::{Role, User, UserError, check_role_combination, check_username};
use insats_store::{next_id, org};
use std::collections::BTreeSet;

impl Session {
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

    /// Users (system administrator), for listing.
    pub fn users(&self) -> Result<Vec<User>, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let tx = self.service.store().read()?;
        Ok(org::users(&*tx)?)
    }
}

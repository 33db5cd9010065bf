//! `user`, `assign` and `unassign`: users, their roles and SSH keys, and assignments (system
//! administrator).

use super::CliError;
use super::admin::{Files, io, role_arg, today};
use crate::domain::ids::{AssignmentId, AssociationId, InterventionId, UserId};
use crate::domain::user::Scope;
use crate::service::{Lang, Session};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user with one or more roles
    Add {
        username: String,
        /// Full name
        #[arg(long)]
        name: String,
        /// Roles, comma separated: association-admin, intervention-manager, participant-handler, report-reader, log-reviewer, system-admin
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
    },
    /// List users, their roles, assignments and keys
    List,
    /// Replace a user's roles
    Roles {
        username: String,
        #[arg(value_delimiter = ',', required = true)]
        roles: Vec<String>,
    },
    /// Stop a user from signing in
    Deactivate { username: String },
    /// Let a deactivated user sign in again
    Activate { username: String },
    /// Remove a user's unlock code (e.g. a forgotten one); their screen asks for a new one
    ResetUnlockCode { username: String },
    /// SSH keys
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Add a public key (the line from ~/.ssh/id_ed25519.pub, or --file)
    Add {
        username: String,
        /// The key line: type, base64 and optional comment
        #[arg(value_name = "KEY")]
        line: Vec<String>,
        /// Read the key line from this file instead
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Remove a key by its fingerprint (SHA256:…)
    Remove { fingerprint: String },
    /// List a user's keys
    List { username: String },
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    pub username: String,
    /// The role the assignment is for
    #[arg(long)]
    pub role: String,
    /// An association (F1) or an intervention (I3)
    #[arg(long)]
    pub to: String,
    /// First day (YYYY-MM-DD) [default: today]
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD) [default: open-ended]
    #[arg(long, default_value = "")]
    pub until: String,
}

#[derive(Debug, Args)]
pub struct UnassignArgs {
    /// The assignment (A12), as `insats user list` shows it
    pub assignment: String,
    /// Last day of access (YYYY-MM-DD) [default: yesterday: access ends now, and open
    /// sessions narrow at once]
    #[arg(long)]
    pub on: Option<String>,
}

fn user_id(s: &Session, username: &str) -> Result<UserId, CliError> {
    s.user_id(username)?
        .ok_or_else(|| CliError::Usage("no user by that name (`user list` shows them)".into()))
}

/// `user …` for a signed-in system administrator; its lines go to `out`.
pub(super) fn user_in(
    s: &Session,
    c: UserCommand,
    l: Lang,
    files: Files,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match c {
        UserCommand::Add {
            username,
            name,
            role,
        } => {
            let roles = role
                .iter()
                .map(|r| role_arg(r))
                .collect::<Result<Vec<_>, _>>()?;
            let id = s.create_user(&username, &name, &roles)?;
            writeln!(out, "{id} {username}").map_err(io)?;
        }
        UserCommand::List => {
            for u in s.users()? {
                let roles: Vec<_> = u.roles.iter().map(|r| r.label(l == Lang::Sv)).collect();
                writeln!(
                    out,
                    "{} {} ({}){} — {}",
                    u.id,
                    u.username,
                    u.display_name,
                    if u.active { "" } else { " [deactivated]" },
                    roles.join(", ")
                )
                .map_err(io)?;
                for a in s.assignments_of(u.id)? {
                    let until = a.to.map_or_else(String::new, |t| t.to_string());
                    writeln!(
                        out,
                        "    {} {} → {} {} – {}",
                        a.id,
                        a.role.key(),
                        a.scope,
                        a.from,
                        until
                    )
                    .map_err(io)?;
                }
                for k in s.ssh_keys_of(u.id)? {
                    writeln!(
                        out,
                        "    key {} {} {}",
                        k.algorithm, k.fingerprint, k.comment
                    )
                    .map_err(io)?;
                }
            }
        }
        UserCommand::Roles { username, roles } => {
            let roles = roles
                .iter()
                .map(|r| role_arg(r))
                .collect::<Result<Vec<_>, _>>()?;
            s.update_user(user_id(s, &username)?, Some(&roles), None)?;
        }
        UserCommand::Deactivate { username } => {
            s.update_user(user_id(s, &username)?, None, Some(false))?;
        }
        UserCommand::Activate { username } => {
            s.update_user(user_id(s, &username)?, None, Some(true))?;
        }
        UserCommand::ResetUnlockCode { username } => {
            s.reset_unlock_code(user_id(s, &username)?)?;
        }
        UserCommand::Key(KeyCommand::Add {
            username,
            line,
            file,
        }) => {
            let line = match file {
                Some(_) if files == Files::Refused => {
                    return Err(CliError::Usage(
                        "--file reads a file on the server; give the key itself: user key add USER ssh-ed25519 AAAA… [comment]".into(),
                    ));
                }
                Some(f) => std::fs::read_to_string(&f)
                    .map_err(|e| CliError::Io(format!("cannot read {}: {e}", f.display())))?,
                None => line.join(" "),
            };
            let fp = s.add_ssh_key(user_id(s, &username)?, line.trim())?;
            writeln!(out, "{fp}").map_err(io)?;
        }
        UserCommand::Key(KeyCommand::Remove { fingerprint }) => s.remove_ssh_key(&fingerprint)?,
        UserCommand::Key(KeyCommand::List { username }) => {
            for k in s.ssh_keys_of(user_id(s, &username)?)? {
                writeln!(
                    out,
                    "{} {} {} (added {})",
                    k.algorithm, k.fingerprint, k.comment, k.added_on
                )
                .map_err(io)?;
            }
        }
    }
    Ok(())
}

fn scope_arg(text: &str) -> Result<Scope, CliError> {
    if let Some(i) = InterventionId::parse(text).filter(|_| text.trim().starts_with('I')) {
        return Ok(Scope::Intervention(i));
    }
    if let Some(f) = AssociationId::parse(text).filter(|_| text.trim().starts_with('F')) {
        return Ok(Scope::Association(f));
    }
    Err(CliError::Usage(
        "--to takes an association (F1) or an intervention (I3)".into(),
    ))
}

/// `assign …` for a signed-in system administrator; its line goes to `out`.
pub(super) fn assign_in(s: &Session, a: &AssignArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let from = a.from.clone().unwrap_or_else(today);
    let id = s.assign(
        user_id(s, &a.username)?,
        role_arg(&a.role)?,
        scope_arg(&a.to)?,
        &from,
        &a.until,
    )?;
    writeln!(out, "{id}").map_err(io)?;
    Ok(())
}

/// `unassign …` for a signed-in system administrator.
pub(super) fn unassign_in(s: &Session, a: &UnassignArgs) -> Result<(), CliError> {
    let id = AssignmentId::parse(&a.assignment)
        .ok_or_else(|| CliError::Usage("name the assignment as A12".into()))?;
    match &a.on {
        Some(on) => s.end_assignment(id, on)?,
        None => s.end_assignment_now(id)?,
    }
    Ok(())
}

//! The administrative commands behind `insats <command>`.

use super::{CliError, Global, paths};
use crate::domain::ids::{AssignmentId, AssociationId, InterventionId, UserId};
use crate::domain::intervention::{Direction, Measurement};
use crate::domain::user::{Role, Scope};
use crate::service::{
    AssociationInput, AuditFilter, ChainState, InitInput, InterventionInput, Lang, Service,
    Session, SystemClock,
};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The association's name
    #[arg(long)]
    pub name: String,
    /// Its organisation number (NNNNNN-NNNN)
    #[arg(long)]
    pub org_number: String,
    /// Its start date (YYYY-MM-DD): nothing can be registered before it
    #[arg(long)]
    pub start: String,
    /// Municipality codes it serves, e.g. "0180,0114"
    #[arg(long, default_value = "")]
    pub municipalities: String,
    /// The first administrator's user name [default: the login name]
    #[arg(long)]
    pub admin: Option<String>,
    /// The first administrator's full name
    #[arg(long)]
    pub admin_name: String,
}

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
    /// Last day of access (YYYY-MM-DD) [default: today]
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AssociationCommand {
    /// Add an association
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        org_number: String,
        #[arg(long)]
        start: String,
        #[arg(long, default_value = "")]
        municipalities: String,
    },
    /// Set an association's supplementary questions (kompletterande frågor) from a TOML file of
    /// [[questions]] as in catalogue/default.toml; an empty file removes them (association
    /// administrator)
    Questions {
        /// The association (F1)
        association: String,
        #[arg(long, value_name = "FILE")]
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum InterventionCommand {
    /// Add an intervention to an association (association administrator)
    Add {
        /// The association (F1)
        #[arg(long)]
        association: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        start: String,
        #[arg(long, default_value = "")]
        end: String,
        /// Count participants only (volyminsats) instead of registering them
        #[arg(long)]
        count_only: bool,
        /// Structural (strukturövergripande) rather than individual-oriented
        #[arg(long)]
        structural: bool,
    },
    /// The interventions you reach, with counts
    List,
}

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Personnummer or samordningsnummer
    pub pnr: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Replay the hash chain and report the first broken link
    Verify,
    /// Show the newest entries in your scope
    List {
        #[arg(long, default_value_t = 30)]
        limit: usize,
        /// Only this intervention (I3)
        #[arg(long)]
        intervention: Option<String>,
        /// Only this action (e.g. register-in, view-participant)
        #[arg(long)]
        action: Option<String>,
    },
}

pub(super) fn db_path(g: &Global) -> PathBuf {
    g.db.clone().unwrap_or_else(paths::default_db)
}

pub(super) fn open(g: &Global) -> Result<Service, CliError> {
    Ok(Service::open(&db_path(g), g.key.as_deref(), |_| {
        Box::new(SystemClock)
    })?)
}

pub(super) fn role_arg(text: &str) -> Result<Role, CliError> {
    Role::from_key(text).ok_or_else(|| {
        CliError::Usage(format!(
            "unknown role; use one of: {}",
            Role::ALL
                .iter()
                .map(|r| r.key())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// Whether a command may read files named on its command line: yes from the local command
/// line, no over SSH (they would be the server's files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Files {
    Read,
    Refused,
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(io)`
pub(super) fn io(e: std::io::Error) -> CliError {
    CliError::Io(format!("cannot write the output: {e}"))
}

pub(super) fn session(
    g: &Global,
    service: &Service,
    role: Option<Role>,
) -> Result<Session, CliError> {
    let username = g
        .user
        .clone()
        .or_else(paths::os_user)
        .ok_or_else(|| CliError::Usage("say who you are with --as USER".into()))?;
    let role = match &g.as_role {
        Some(r) => Some(role_arg(r)?),
        None => role,
    };
    Ok(Session::sign_in(service, &username, role)?)
}

pub(super) fn lang(g: &Global) -> Lang {
    paths::lang(g.lang.as_deref())
}

fn user_id(s: &Session, username: &str) -> Result<UserId, CliError> {
    s.user_id(username)?
        .ok_or_else(|| CliError::Usage("no user by that name (`user list` shows them)".into()))
}

fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

pub fn init(g: &Global, a: &InitArgs) -> Result<(), CliError> {
    let path = db_path(g);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::Io(format!("cannot create {}: {e}", parent.display())))?;
    }
    let admin =
        a.admin.clone().or_else(paths::os_user).ok_or_else(|| {
            CliError::Usage("name the first administrator with --admin USER".into())
        })?;
    // Check the input before anything is written, so a typo leaves no half-made database.
    crate::domain::user::check_username(&admin).map_err(crate::service::ServiceError::from)?;
    crate::domain::organisation::OrgNumber::parse(&a.org_number)
        .map_err(crate::service::ServiceError::from)?;
    crate::domain::date::parse_iso(&a.start)
        .map_err(|e| CliError::Usage(format!("--start: {e}")))?;
    let service = Service::create(&path, g.key.as_deref(), false, Box::new(SystemClock))?;
    let key_path = g
        .key
        .clone()
        .unwrap_or_else(|| crate::service::default_key_path(&path));
    let (association, _) = service.init(&InitInput {
        association: AssociationInput {
            name: a.name.clone(),
            org_number: a.org_number.clone(),
            description: String::new(),
            municipalities: a.municipalities.clone(),
            start: a.start.clone(),
            end: String::new(),
        },
        admin_username: admin.clone(),
        admin_display_name: a.admin_name.clone(),
    })?;
    println!(
        "created {} with association {association} and administrator {admin}",
        path.display()
    );
    println!(
        "key file {} (mode 0600): back it up apart from the database; without it names and personnummer cannot be read",
        key_path.display()
    );
    Ok(())
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
    s.end_assignment(id, &a.on.clone().unwrap_or_else(today))?;
    Ok(())
}

/// `association …` for a signed-in system administrator (add) or association administrator
/// (questions); its line goes to `out`.
pub(super) fn association_in(
    s: &Session,
    c: AssociationCommand,
    files: Files,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match c {
        AssociationCommand::Add {
            name,
            org_number,
            start,
            municipalities,
        } => {
            let id = s.create_association(&AssociationInput {
                name,
                org_number,
                description: String::new(),
                municipalities,
                start,
                end: String::new(),
            })?;
            writeln!(out, "{id}").map_err(io)?;
        }
        AssociationCommand::Questions { association, file } => {
            if files == Files::Refused {
                return Err(CliError::Usage(
                    "the questions are read from a file, which over SSH would be the server's: set them with the command line on the server".into(),
                ));
            }
            let id = AssociationId::parse(&association)
                .filter(|_| association.trim().starts_with('F'))
                .ok_or_else(|| CliError::Usage("name the association as F1, F2, …".into()))?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Io(format!("cannot read {}: {e}", file.display())))?;
            let questions = if text.trim().is_empty() {
                Vec::new()
            } else {
                crate::service::parse_questions(&text)?
            };
            s.set_supplementary(id, &questions)?;
            writeln!(out, "{id}: {} supplementary questions", questions.len()).map_err(io)?;
        }
    }
    Ok(())
}

/// `intervention …`: add (association administrator) or list (any role, what it reaches).
pub(super) fn intervention_in(
    s: &Session,
    c: InterventionCommand,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match c {
        InterventionCommand::Add {
            association,
            name,
            start,
            end,
            count_only,
            structural,
        } => {
            let association = AssociationId::parse(&association)
                .ok_or_else(|| CliError::Usage("--association takes F1".into()))?;
            let id = s.create_intervention(&InterventionInput {
                association,
                name,
                description: String::new(),
                start,
                end,
                direction: if structural {
                    Direction::Structural
                } else {
                    Direction::Individual
                },
                target_groups: Vec::new(),
                measurement: if count_only {
                    Measurement::CountOnly
                } else {
                    Measurement::Individual
                },
            })?;
            writeln!(out, "{id}").map_err(io)?;
            Ok(())
        }
        InterventionCommand::List => print_interventions(s, l, out),
    }
}

fn print_interventions(s: &Session, l: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let sv = l == Lang::Sv;
    if s.service().is_demo() {
        writeln!(out, "{}", if sv { "DEMODATA" } else { "DEMO DATA" }).map_err(io)?;
    }
    for v in s.interventions()? {
        let i = &v.intervention;
        let end = i.end.map_or_else(String::new, |e| e.to_string());
        writeln!(
            out,
            "{:<4} {:<28} {:<9} {} – {:<10} {} {:>5} {} {:>5} {} {:>5}",
            i.id.to_string(),
            i.name,
            v.status.label(sv),
            i.start,
            end,
            if sv { "inskrivna" } else { "open" },
            v.counters.open,
            if sv { "utskrivna" } else { "ended" },
            v.counters.ended,
            if sv { "anonyma" } else { "anonymous" },
            v.counters.anonymous.total()
        )
        .map_err(io)?;
    }
    Ok(())
}

/// A personnummer look-up as plain text lines (audited by the service, even with no match);
/// the same for `insats lookup` and `ssh … lookup`.
pub(super) fn lookup_lines(s: &Session, pnr: &str, l: Lang) -> Result<Vec<String>, CliError> {
    let sv = l == Lang::Sv;
    let hits = s.lookup(pnr)?;
    if hits.is_empty() {
        return Ok(vec![
            if sv {
                "inga träffar i dina insatser"
            } else {
                "no matches in your interventions"
            }
            .to_owned(),
        ]);
    }
    Ok(hits
        .iter()
        .map(|h| {
            let p = &h.participation;
            let out = p.out_date.map_or_else(String::new, |d| d.to_string());
            format!(
                "{} {} {} {} {} – {}",
                h.intervention,
                h.intervention_name,
                p.id,
                p.state().label(sv),
                p.in_date,
                out
            )
        })
        .collect())
}

/// `audit …` for a signed-in user: `verify` replays the chain (system administrator or log
/// reviewer), `list` lists what the user may see. The service checks the role of each.
pub(super) fn audit_in(s: &Session, c: AuditCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match c {
        AuditCommand::Verify => match s.verify_audit()? {
            ChainState::Intact(n) => {
                writeln!(out, "audit chain intact: {n} entries").map_err(io)?;
                Ok(())
            }
            ChainState::Broken(b) => Err(CliError::Usage(format!("audit chain broken: {b}"))),
        },
        AuditCommand::List {
            limit,
            intervention,
            action,
        } => {
            let filter = AuditFilter {
                intervention: intervention
                    .as_deref()
                    .map(|t| {
                        InterventionId::parse(t)
                            .ok_or_else(|| CliError::Usage("--intervention takes I3".into()))
                    })
                    .transpose()?,
                action: action
                    .as_deref()
                    .map(|t| {
                        crate::domain::audit::Action::from_key(t).ok_or_else(|| {
                            CliError::Usage(
                                "unknown action; use a key as `audit list` shows it, e.g. register-in"
                                    .into(),
                            )
                        })
                    })
                    .transpose()?,
                ..AuditFilter::default()
            };
            let names: std::collections::HashMap<UserId, String> =
                s.user_names()?.into_iter().collect();
            for e in s.audit_page(&filter, None, limit)? {
                let d = &e.draft;
                let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
                    .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M:%S").to_string());
                writeln!(
                    out,
                    "{:>6} {at} {:<8} {:<22} {:<20} {:<4} {:<16} {} {}",
                    e.seq,
                    d.user
                        .and_then(|u| names.get(&u).cloned())
                        .unwrap_or_else(|| "-".into()),
                    d.role.map_or("-", Role::key),
                    d.action.key(),
                    d.intervention.map_or_else(|| "-".into(), |i| i.to_string()),
                    d.subject.map_or_else(|| "-".into(), |p| p.to_string()),
                    d.fields.join(","),
                    d.note
                )
                .map_err(io)?;
            }
            Ok(())
        }
    }
}

/// `check`: every index against its table, and the audit chain; lines go to `out`.
pub(super) fn check_in(s: &Session, out: &mut dyn Write) -> Result<(), CliError> {
    let report = s.check_register()?;
    for p in &report.problems {
        writeln!(out, "index: {p}").map_err(io)?;
    }
    match report.chain {
        ChainState::Intact(n) if report.problems.is_empty() => {
            writeln!(
                out,
                "ok: indexes consistent, audit chain intact ({n} entries)"
            )
            .map_err(io)?;
            Ok(())
        }
        ChainState::Intact(_) => Err(CliError::Usage(format!(
            "{} index problems",
            report.problems.len()
        ))),
        ChainState::Broken(b) => Err(CliError::Usage(format!("audit chain broken: {b}"))),
    }
}

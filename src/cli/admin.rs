//! What every command of the command line shares — opening the database, signing in, the
//! role and language arguments — and `init`, which makes a new database.

use super::{CliError, Global, paths};
use crate::domain::user::Role;
use crate::service::{AssociationInput, InitInput, Lang, Service, Session, SystemClock};
use clap::Args;
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

pub(super) fn db_path(g: &Global) -> PathBuf {
    g.db.clone().unwrap_or_else(paths::default_db)
}

pub(super) fn open(g: &Global) -> Result<Service, CliError> {
    Ok(Service::open_with(
        &db_path(g),
        g.key.as_deref(),
        g.erasure_journal.as_deref(),
        |_| Box::new(SystemClock),
    )?)
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

pub(super) fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

pub fn init(g: &Global, a: &InitArgs) -> Result<(), CliError> {
    let path = db_path(g);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        super::modes::create_private_dir(parent)
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
    let service = Service::create_with(
        &path,
        g.key.as_deref(),
        g.erasure_journal.as_deref(),
        false,
        Box::new(SystemClock),
    )?;
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

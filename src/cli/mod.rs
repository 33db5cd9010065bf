//! Non-interactive commands: set-up, users and keys, assignments, look-ups, audit, checks, demo.

mod admin;
mod audit;
mod backup;
mod commands;
pub mod demo;
mod keeping;
pub mod modes;
mod org;
pub mod paths;
mod record;
mod remote;
pub mod report;
mod review;
mod rights;
mod schedule;
pub mod screens;
mod serve;
mod settings;
mod tui;
mod users;

use crate::service::{Lang, ServiceError};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// insats — register participants in and out of coordinated rehabilitation interventions (SUS).
#[derive(Debug, Parser)]
#[command(name = "insats", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes: under their own heading in help, after the command's own.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The database file [default: $INSATS_DB, else ~/.local/share/insats/insats.redb; for demo:
    /// ~/.local/share/insats/demo.redb]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The key file [default: the database path + ".key"]
    #[arg(long, global = true, value_name = "PATH")]
    pub key: Option<PathBuf>,
    /// Act as this insats user [default: $INSATS_USER, else the login name]
    #[arg(long = "as", global = true, value_name = "USER")]
    pub user: Option<String>,
    /// Act in this role (e.g. participant-handler, system-admin) [default: the user's first role]
    #[arg(long = "as-role", global = true, value_name = "ROLE")]
    pub as_role: Option<String>,
    /// Language of messages: sv or en [default: from the locale]
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Keymap: a shipped one (default, vim) or a TOML file that overrides part of one
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// Draw without box-drawing characters (for screen readers)
    #[arg(long, global = true)]
    pub plain: bool,
    /// Lock the screen after this many idle minutes [default: 5]
    #[arg(long, global = true, value_name = "MINUTES")]
    pub lock_after: Option<u64>,
    /// The erasure journal, kept apart from backups [default: the database path + ".erasures"]
    #[arg(long, global = true, value_name = "PATH")]
    pub erasure_journal: Option<PathBuf>,
    /// The most memory the database may keep for pages it has read, in MiB [default: 1024]; a
    /// lower limit saves memory on a small server and costs speed
    #[arg(long, global = true, value_name = "MIB", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub cache_mib: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new database: its key file, the first association and the first administrator
    Init(admin::InitArgs),
    /// Create (or reuse) the demo database (~/.local/share/insats/demo.redb unless --db names
    /// another) with fictitious data, and open the UI on it (or show what it holds)
    Demo(DemoArgs),
    /// Users, their roles and SSH keys (system administrator)
    #[command(subcommand)]
    User(users::UserCommand),
    /// Assign a user in a role to an association (F1) or an intervention (I3)
    Assign(users::AssignArgs),
    /// End an assignment
    Unassign(users::UnassignArgs),
    /// Associations: add one (system administrator); its settings and supplementary questions
    /// (association administrator)
    #[command(subcommand)]
    Association(org::AssociationCommand),
    /// Interventions
    #[command(subcommand)]
    Intervention(org::InterventionCommand),
    /// Look a personnummer up: the interventions you may see the person in (audited)
    Lookup(audit::LookupArgs),
    /// The audit log
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Check that every index matches its table and the audit chain verifies
    Check,
    /// A data subject's extract (registerutdrag): everything held on a person and who viewed or
    /// changed it (system administrator; audited)
    Extract(rights::ExtractArgs),
    /// Correct a person's name or municipality on their request (system administrator; audited)
    CorrectIdentity(rights::CorrectIdentityArgs),
    /// Purge personal data of participations registered out long ago (gallring); a dry run
    /// unless --apply (system administrator)
    Retention(rights::RetentionArgs),
    /// A follow-up report (results, background, interventions, costs) of what your role
    /// reaches, as a table, CSV (for Excel), an Excel workbook or JSON on stdout (audited)
    Report(report::ReportArgs),
    /// Reveal the name and personnummer behind a pseudonym in the audit log (log reviewer;
    /// audited)
    Reveal(rights::RevealArgs),
    /// Back the whole register up, encrypted to an age key kept off the server (system
    /// administrator; audited): to --to FILE or standard output; `backup drill FILE` restores
    /// one into a temporary place and times it
    Backup(backup::BackupArgs),
    /// Restore a backup into a new database file: decrypted, the erasure journal applied
    /// again, checked (indexes, counters, audit chain), then given its name
    Restore(backup::RestoreArgs),
    /// Run the SSH server: every connection signs in by public key and gets its own terminal
    /// UI over this database (`ssh -p 2222 USER@HOST`, or `ssh … lookup PNR`)
    Serve(serve::ServeArgs),
    /// Render the main screens from fresh demo data with a fixed clock into screenshots/
    Screenshots(ScreenshotsArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Throw away an existing demo database and make it anew
    #[arg(long)]
    pub fresh: bool,
    /// Print what the demo database holds instead of opening the terminal UI
    #[arg(long)]
    pub summary: bool,
}

#[derive(Debug, Args)]
pub struct ScreenshotsArgs {
    /// Where to write the .txt and .svg files
    #[arg(long, value_name = "DIR", default_value = "screenshots")]
    pub out: PathBuf,
    /// Only compare with the files in DIR; exit 1 and name the stale ones if they differ
    #[arg(long)]
    pub check: bool,
}

/// A command's failure: one line for the user, in their language.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
    /// A look-up found nothing: not a mistake, but exit status 1.
    #[error("{0}")]
    NoMatch(String),
    /// The terminal UI ended by itself, saying why (in the user's language).
    #[error("{0}")]
    Ended(String),
}

impl CliError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            CliError::Service(e) => e.message(lang),
            CliError::Usage(m) | CliError::Io(m) | CliError::NoMatch(m) | CliError::Ended(m) => {
                m.clone()
            }
        }
    }
}

/// What was wrong with a command line, in one line and without repeating any of it (what was
/// typed may hold a personnummer): the same locally and over SSH exec.
pub fn usage_problem(kind: clap::error::ErrorKind, lang: Lang) -> &'static str {
    use clap::error::ErrorKind as K;
    let (en, sv) = match kind {
        K::InvalidSubcommand => (
            "unknown subcommand (add --help to see them)",
            "okänt underkommando (lägg till --help för att se dem)",
        ),
        K::UnknownArgument => (
            "an option or argument the command does not take (add --help)",
            "en flagga eller ett argument som kommandot inte tar (lägg till --help)",
        ),
        K::MissingRequiredArgument => (
            "a required argument is missing (add --help)",
            "ett argument som krävs saknas (lägg till --help)",
        ),
        K::MissingSubcommand | K::DisplayHelpOnMissingArgumentOrSubcommand => (
            "the command needs a subcommand (add --help)",
            "kommandot behöver ett underkommando (lägg till --help)",
        ),
        K::InvalidValue | K::ValueValidation => (
            "a value the command does not take (add --help)",
            "ett värde som kommandot inte tar (lägg till --help)",
        ),
        K::TooManyValues | K::WrongNumberOfValues | K::TooFewValues => (
            "the wrong number of values (add --help)",
            "fel antal värden (lägg till --help)",
        ),
        K::ArgumentConflict => (
            "two options that do not go together (add --help)",
            "två flaggor som inte går ihop (lägg till --help)",
        ),
        _ => (
            "the command line could not be read (add --help)",
            "kommandoraden kunde inte läsas (lägg till --help)",
        ),
    };
    if lang == Lang::Sv { sv } else { en }
}

/// Parses the process's command line: help and version are printed and succeed (`Ok(None)`);
/// a mistake is one line, as every other error is.
pub fn parse() -> Result<Option<Cli>, CliError> {
    use clap::Parser;
    use clap::error::ErrorKind;
    match Cli::try_parse() {
        Ok(cli) => Ok(Some(cli)),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.print()
                .map_err(|e| CliError::Io(format!("cannot write the help: {e}")))?;
            Ok(None)
        }
        Err(e) => {
            let lang = paths::lang(None);
            let mut problem = usage_problem(e.kind(), lang).to_owned();
            // A refused value names the option it was given to (the option as declared, never
            // the value typed).
            if matches!(
                e.kind(),
                ErrorKind::InvalidValue | ErrorKind::ValueValidation
            ) && let Some(clap::error::ContextValue::String(arg)) =
                e.get(clap::error::ContextKind::InvalidArg)
            {
                let arg: String = arg.chars().filter(|c| !c.is_control()).take(60).collect();
                problem = format!(
                    "{} ({arg})",
                    problem
                        .trim_end_matches(" (add --help)")
                        .trim_end_matches(" (lägg till --help)")
                );
                problem.push_str(if lang == Lang::Sv {
                    "; lägg till --help"
                } else {
                    "; add --help"
                });
            }
            Err(CliError::Usage(problem))
        }
    }
}

/// Runs a parsed command line; the caller prints the error and sets the exit code.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let g = cli.global;
    paths::check_lang(g.lang.as_deref())?;
    if let Some(mib) = g.cache_mib {
        crate::service::set_cache_limit(
            usize::try_from(mib)
                .unwrap_or(usize::MAX)
                .saturating_mul(1024 * 1024),
        );
    }
    match cli.command {
        None => {
            let opts = tui::options(&g)?;
            let service = admin::open(&g)?;
            let session = admin::session(&g, &service, None)?;
            tui::run(session, opts)
        }
        Some(Command::Init(a)) => admin::init(&g, &a),
        Some(Command::Demo(a)) => demo_command(&g, &a),
        Some(Command::Serve(a)) => serve::serve(&g, &a),
        Some(Command::Screenshots(a)) => screens::command(&a),
        Some(Command::Restore(a)) => backup::restore(&g, &a),
        Some(Command::Backup(backup::BackupArgs {
            command: Some(backup::BackupCommand::Drill(a)),
            ..
        })) => backup::drill(&g, &a),
        Some(c) => match commands::row_of(&c) {
            Some(row) => commands::run_local(&g, c, row),
            None => Err(CliError::Usage(
                "this command needs no signed-in user".into(),
            )),
        },
    }
}

fn demo_command(g: &Global, a: &DemoArgs) -> Result<(), CliError> {
    use std::io::IsTerminal;
    // The UI opens only on a terminal; a script or a pipe gets the summary. A broken keymap
    // stops here, before anything is built.
    // The keymap and the other UI options are checked even when no UI opens, so a broken
    // keymap file is reported, not silently skipped.
    let opts = tui::options(g)?;
    let ui = (!a.summary && std::io::stdout().is_terminal()).then_some(opts);
    let path = g.db.clone().unwrap_or_else(paths::demo_db);
    if a.fresh && path.exists() {
        let opened = crate::service::Service::open(&path, g.key.as_deref(), |_| {
            Box::new(crate::service::SystemClock)
        });
        match opened {
            Ok(s) if s.is_demo() => {}
            Ok(_) => {
                return Err(CliError::Usage(format!(
                    "{} is not a demo database; refusing to delete it",
                    path.display()
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let key = g
            .key
            .clone()
            .unwrap_or_else(|| crate::service::default_key_path(&path));
        std::fs::remove_file(&path)
            .map_err(|e| CliError::Io(format!("cannot remove {}: {e}", path.display())))?;
        let _ = std::fs::remove_file(key);
        let _ = std::fs::remove_file(crate::service::default_journal_path(&path));
    }
    let lang = paths::lang(g.lang.as_deref());
    let service = if path.exists() {
        let service = crate::service::Service::open(&path, g.key.as_deref(), |_| demo::clock())?;
        if !service.is_demo() {
            return Err(CliError::Usage(format!(
                "{} is not a demo database",
                path.display()
            )));
        }
        service
    } else {
        eprintln!(
            "{}",
            if lang == Lang::Sv {
                "Skapar demodatabasen …"
            } else {
                "Creating the demo database …"
            }
        );
        demo::create(&path)?;
        crate::service::Service::open(&path, g.key.as_deref(), |_| demo::clock())?
    };
    if let Some(opts) = ui {
        let user = g
            .user
            .clone()
            .unwrap_or_else(|| demo::DEMO_HANDLER.to_owned());
        let role = g.as_role.as_deref().map(admin::role_arg).transpose()?;
        let session = crate::service::Session::sign_in(&service, &user, role)?;
        return tui::run(session, opts);
    }
    let s = demo::summary(&service)?;
    let sv = lang == Lang::Sv;
    println!(
        "{}",
        if sv {
            "DEMODATA — alla personer är påhittade"
        } else {
            "DEMO DATA — every person is fictitious"
        }
    );
    println!(
        "{}: {}",
        if sv { "databas" } else { "database" },
        path.display()
    );
    println!(
        "{} associations, {} interventions, {} users, {} participations, {} anonymous participants, {} audit entries",
        s.associations, s.interventions, s.users, s.participations, s.anonymous, s.audit_entries
    );
    println!(
        "{}",
        if sv {
            "Prova: insats --db DB --as hanna lookup PNR · insats --db DB --as admin audit verify · insats --db DB --as lars audit list"
        } else {
            "Try: insats --db DB --as hanna intervention list · insats --db DB --as admin audit verify · insats --db DB --as lars audit list"
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

//! The command table: every command that runs as a signed-in user, stated once — which roles it
//! runs in and whether SSH exec may run it — and one dispatcher that both the local command line
//! and SSH exec call. `help` over SSH and the refusal of an unknown command come from the table.
//! Whether a role may do a thing is the service's to say: the table only picks the role to sign
//! in with, and a user who has none of a command's roles runs it in their own role, so the
//! refusal is the service's own reason ("…sees aggregates only"), never a missing role.

use super::admin::{self, Files};
use super::audit::{self, AuditCommand};
use super::org::{self, AssociationCommand, InterventionCommand};
use super::review::ReviewCommand;
use super::users;
use super::{CliError, Command, Global, rights};
use crate::domain::user::Role;
use crate::service::{Lang, Session};
use std::io::Write;

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    /// The command as typed: a command, or a command and its subcommand.
    pub path: &'static str,
    /// The roles it runs in, the first one the user has preferred. Empty: the user's own role,
    /// for commands whose answer the service scopes to any role.
    pub roles: &'static [Role],
    /// Whether SSH exec runs it (the local command line runs every row).
    pub exec: bool,
}

use Role::{AssociationAdmin, InterventionManager, LogReviewer, ParticipantHandler, SystemAdmin};

/// Who keeps an intervention: its manager, or an association administrator of its association.
const KEEPERS: &[Role] = &[InterventionManager, AssociationAdmin];

/// Every signed-in command. (`init`, `demo`, `serve` and `screenshots` open or create a
/// database themselves and run without a session: they are not rows.)
pub(super) const TABLE: &[Row] = &[
    row("lookup", &[ParticipantHandler], true),
    row("intervention add", &[AssociationAdmin], true),
    row("intervention list", &[], true),
    row("intervention edit", KEEPERS, true),
    row("intervention end", KEEPERS, true),
    row("intervention plan", KEEPERS, true),
    row("intervention volume", &[InterventionManager], true),
    row("user", &[SystemAdmin], true),
    row("assign", &[SystemAdmin], true),
    row("unassign", &[SystemAdmin], true),
    row("association add", &[SystemAdmin], true),
    row("association questions", &[AssociationAdmin], true),
    row("association edit", &[AssociationAdmin], true),
    row("association information", &[], true),
    // Read by every role in the association; only its administrator sets it.
    row("association record", &[AssociationAdmin], true),
    row("audit verify", &[SystemAdmin, LogReviewer], true),
    row("audit checkpoint", &[SystemAdmin, LogReviewer], true),
    row("audit list", &[LogReviewer, SystemAdmin], true),
    row("audit review rules", &[LogReviewer, AssociationAdmin], true),
    row("audit review run", &[LogReviewer], true),
    row("audit review sample", &[LogReviewer], true),
    row("audit review queue", &[LogReviewer], true),
    row("audit review show", &[LogReviewer], true),
    row("audit review judge", &[LogReviewer], true),
    row("audit review record", &[LogReviewer], true),
    row("check", &[SystemAdmin], true),
    row("extract", &[SystemAdmin], true),
    row("correct-identity", &[SystemAdmin], true),
    row("retention", &[SystemAdmin], true),
    row("report", &[], true),
    row("reveal", &[LogReviewer], true),
    row("backup", &[SystemAdmin], true),
];

const fn row(path: &'static str, roles: &'static [Role], exec: bool) -> Row {
    Row { path, roles, exec }
}

/// The row of a parsed command; `None` for the commands that run without a session.
pub(super) fn row_of(c: &Command) -> Option<&'static Row> {
    let path = match c {
        Command::Lookup(_) => "lookup",
        Command::Intervention(InterventionCommand::Add { .. }) => "intervention add",
        Command::Intervention(InterventionCommand::List) => "intervention list",
        Command::Intervention(InterventionCommand::Edit(_)) => "intervention edit",
        Command::Intervention(InterventionCommand::End(_)) => "intervention end",
        Command::Intervention(InterventionCommand::Plan(_)) => "intervention plan",
        Command::Intervention(InterventionCommand::Volume(_)) => "intervention volume",
        Command::User(_) => "user",
        Command::Assign(_) => "assign",
        Command::Unassign(_) => "unassign",
        Command::Association(AssociationCommand::Add { .. }) => "association add",
        Command::Association(AssociationCommand::Questions { .. }) => "association questions",
        Command::Association(AssociationCommand::Edit(_)) => "association edit",
        Command::Association(AssociationCommand::Information { .. }) => "association information",
        Command::Association(AssociationCommand::Record(_)) => "association record",
        Command::Audit(AuditCommand::Verify { .. }) => "audit verify",
        Command::Audit(AuditCommand::Checkpoint) => "audit checkpoint",
        Command::Audit(AuditCommand::List { .. }) => "audit list",
        Command::Audit(AuditCommand::Review { command }) => match command {
            ReviewCommand::Rules { .. } => "audit review rules",
            ReviewCommand::Run(_) => "audit review run",
            ReviewCommand::Sample { .. } => "audit review sample",
            ReviewCommand::Queue { .. } => "audit review queue",
            ReviewCommand::Show { .. } => "audit review show",
            ReviewCommand::Judge { .. } => "audit review judge",
            ReviewCommand::Record { .. } => "audit review record",
        },
        Command::Check => "check",
        Command::Extract(_) => "extract",
        Command::CorrectIdentity(_) => "correct-identity",
        Command::Retention(_) => "retention",
        Command::Report(_) => "report",
        Command::Reveal(_) => "reveal",
        Command::Backup(a) if a.command.is_none() => "backup",
        Command::Init(_)
        | Command::Demo(_)
        | Command::Serve(_)
        | Command::Screenshots(_)
        | Command::Backup(_)
        | Command::Restore(_) => {
            return None;
        }
    };
    TABLE.iter().find(|r| r.path == path)
}

/// The commands SSH exec runs, as `help` lists them: "lookup, intervention, user, …".
pub(super) fn exec_commands() -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in TABLE.iter().filter(|r| r.exec) {
        let first = r.path.split(' ').next().unwrap_or(r.path);
        if !names.contains(&first) {
            names.push(first);
        }
    }
    names.join(", ")
}

/// Whether `word` starts a command SSH exec runs.
pub(super) fn runs_over_exec(word: &str) -> bool {
    TABLE
        .iter()
        .any(|r| r.exec && r.path.split(' ').next() == Some(word))
}

/// Where a command runs: the language of its output and whether it may read files named on
/// its command line (locally yes; over SSH they would be the server's).
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx {
    pub lang: Lang,
    pub files: Files,
}

/// `s` in the role `row` runs in: `chosen` when the user picked one (`--as-role`), else the
/// session's role if the row takes it, else the first of the row's roles the user has, else the
/// session's own role, for the service to refuse in its own words.
pub(super) fn in_role(s: &Session, row: &Row, chosen: Option<Role>) -> Result<Session, CliError> {
    let mut s = s.clone();
    if let Some(r) = chosen {
        s.switch_role(r)?;
    } else if !row.roles.is_empty()
        && !row.roles.contains(&s.role())
        && let Some(r) = row.roles.iter().find(|r| s.user().roles.contains(r))
    {
        s.switch_role(*r)?;
    }
    Ok(s)
}

/// Runs a command from the local command line: opens the database, signs in as `--as` (or the
/// login name), picks the role from the table and dispatches.
pub(super) fn run_local(g: &Global, c: Command, row: &Row) -> Result<(), CliError> {
    let service = admin::open(g)?;
    let chosen = g.as_role.as_deref().map(admin::role_arg).transpose()?;
    let signed_in = admin::session(g, &service, chosen)?;
    let s = in_role(&signed_in, row, chosen)?;
    let ctx = Ctx {
        lang: admin::lang(g),
        files: Files::Read,
    };
    dispatch(&s, c, ctx, &mut std::io::stdout().lock())
}

/// The one dispatcher: runs a signed-in command for `s`; its lines go to `out`.
pub(super) fn dispatch(
    s: &Session,
    c: Command,
    ctx: Ctx,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let l = ctx.lang;
    match c {
        Command::Lookup(a) => {
            for line in audit::lookup_lines(s, &a.pnr, l)? {
                writeln!(out, "{line}").map_err(admin::io)?;
            }
            Ok(())
        }
        Command::Intervention(c) => org::intervention_in(s, c, l, out),
        Command::User(c) => users::user_in(s, c, l, ctx.files, out),
        Command::Assign(a) => users::assign_in(s, &a, out),
        Command::Unassign(a) => users::unassign_in(s, &a),
        Command::Association(c) => org::association_in(s, c, l, ctx.files, out),
        Command::Audit(AuditCommand::Review { command }) => {
            super::review::review_in(s, command, l, out)
        }
        Command::Audit(c) => audit::audit_in(s, c, out),
        Command::Check => audit::check_in(s, out),
        Command::Extract(a) => rights::extract_in(s, &a, l, out),
        Command::CorrectIdentity(a) => rights::correct_identity_in(s, &a, l, out),
        Command::Retention(a) => rights::retention_in(s, &a, l, out),
        Command::Report(a) => super::report::report_in(s, &a, l, out),
        Command::Reveal(a) => rights::reveal_in(s, &a, l, out),
        Command::Backup(a) if a.command.is_none() => {
            super::backup::backup_in(s, &a, l, ctx.files, out)
        }
        Command::Init(_)
        | Command::Demo(_)
        | Command::Serve(_)
        | Command::Screenshots(_)
        | Command::Backup(_)
        | Command::Restore(_) => Err(CliError::Usage(
            "this command does not run as a signed-in user".into(),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_reached_by_exactly_one_parsed_command() {
        use clap::Parser;
        let lines: &[&[&str]] = &[
            &["lookup", "19121212-1212"],
            &[
                "intervention",
                "add",
                "--association",
                "F1",
                "--name",
                "x",
                "--start",
                "2021-01-01",
            ],
            &["intervention", "list"],
            &["intervention", "edit", "I3", "--name", "x"],
            &["intervention", "end", "I3", "--reopen"],
            &["intervention", "plan", "I3"],
            &["intervention", "volume", "I6"],
            &["user", "list"],
            &["assign", "u", "--role", "participant-handler", "--to", "I1"],
            &["unassign", "A1"],
            &[
                "association",
                "add",
                "--name",
                "x",
                "--org-number",
                "1",
                "--start",
                "2020-01-01",
            ],
            &["association", "questions", "F1", "--file", "q.toml"],
            &["association", "edit", "F1"],
            &["association", "information", "I1"],
            &["association", "record", "F1"],
            &["audit", "verify"],
            &["audit", "checkpoint"],
            &["audit", "list"],
            &["audit", "review", "rules"],
            &[
                "audit", "review", "run", "--from", "2026-06", "--to", "2026-06",
            ],
            &[
                "audit", "review", "sample", "--from", "2026-06", "--to", "2026-06",
            ],
            &["audit", "review", "queue"],
            &["audit", "review", "show", "G1"],
            &["audit", "review", "judge", "G1", "--verdict", "justified"],
            &[
                "audit", "review", "record", "--from", "2026-06", "--to", "2026-06",
            ],
            &["check"],
            &["extract", "19121212-1212", "--reason", "r"],
            &[
                "correct-identity",
                "19121212-1212",
                "--reason",
                "r",
                "--name",
                "n",
            ],
            &["retention"],
            &["report", "results"],
            &["reveal", "X1", "--reason", "r"],
            &["backup", "--to", "b.age"],
        ];
        let mut reached = Vec::new();
        for words in lines {
            let cli = super::super::Cli::try_parse_from(
                std::iter::once("insats").chain(words.iter().copied()),
            )
            .unwrap_or_else(|e| panic!("{words:?}: {e}"));
            let row = row_of(&cli.command.unwrap()).unwrap();
            assert!(!reached.contains(&row.path), "{}", row.path);
            reached.push(row.path);
        }
        assert_eq!(reached.len(), TABLE.len());
    }
}

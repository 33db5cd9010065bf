//! `lookup`, `audit` and `check`: a personnummer look-up, the audit log and the consistency
//! check.

use super::CliError;
use super::admin::io;
use crate::domain::checkpoint::Checkpoint;
use crate::domain::ids::{InterventionId, UserId};
use crate::domain::user::Role;
use crate::service::{AuditFilter, ChainState, Lang, Session};
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Personnummer or samordningsnummer
    pub pnr: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Replay the hash chain and report the first broken link; with --checkpoint, also prove
    /// that the log still holds each checkpointed head (a rewritten log is caught)
    Verify {
        /// A checkpoint as `audit checkpoint` printed it (quote it), or SEQ:MAC; repeatable
        #[arg(long, value_name = "CHECKPOINT")]
        checkpoint: Vec<String>,
    },
    /// Print the chain's head as one line to keep outside the server (mail it, print it)
    Checkpoint,
    /// The log review: rules, random samples, the queue, verdicts and the review record
    Review {
        #[command(subcommand)]
        command: super::review::ReviewCommand,
    },
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

/// A personnummer look-up as plain text lines (audited by the service, even with no match);
/// the same for `insats lookup` and `ssh … lookup`.
pub(super) fn lookup_lines(s: &Session, pnr: &str, l: Lang) -> Result<Vec<String>, CliError> {
    let sv = l == Lang::Sv;
    let hits = s.lookup(pnr)?;
    if hits.is_empty() {
        // Exit status 1: a script can tell "not found" from "found" (the search is logged all
        // the same).
        return Err(CliError::NoMatch(
            if sv {
                "inga träffar i dina insatser"
            } else {
                "no matches in your interventions"
            }
            .to_owned(),
        ));
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
        AuditCommand::Verify { checkpoint } => {
            let checkpoints = checkpoint
                .iter()
                .map(|c| Checkpoint::parse(c).map_err(crate::service::ServiceError::from))
                .collect::<Result<Vec<_>, _>>()?;
            match s.verify_audit_against(&checkpoints)? {
                ChainState::Intact(n) if checkpoints.is_empty() => {
                    writeln!(out, "audit chain intact: {n} entries").map_err(io)?;
                    Ok(())
                }
                ChainState::Intact(n) => {
                    let seqs: Vec<String> = checkpoints.iter().map(|c| c.seq.to_string()).collect();
                    writeln!(
                        out,
                        "audit chain intact: {n} entries; it holds the checkpointed entries {}",
                        seqs.join(", ")
                    )
                    .map_err(io)?;
                    Ok(())
                }
                ChainState::Broken(b) => Err(CliError::Usage(format!("audit chain broken: {b}"))),
            }
        }
        AuditCommand::Checkpoint => {
            match s.audit_checkpoint()? {
                Some(c) => writeln!(out, "{}", c.text()).map_err(io)?,
                None => writeln!(out, "the audit log is empty").map_err(io)?,
            }
            Ok(())
        }
        AuditCommand::Review { .. } => Err(CliError::Usage(
            "audit review runs through the command table".into(),
        )),
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
                // Swedish time, as the terminal UI and the review show it.
                let at = crate::domain::review::time::swedish_local(e.at_ms)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string();
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

//! `association` and `intervention`: the organisation's associations and interventions. Keeping
//! them is in `keeping.rs` (edit, end, year plans, count-only figures) and `settings.rs` (an
//! association's own settings).

use super::CliError;
use super::admin::{Files, io};
use super::{keeping, settings};
use crate::domain::ids::AssociationId;
use crate::domain::intervention::{Direction, Measurement};
use crate::service::{AssociationInput, InterventionInput, Lang, Session};
use clap::Subcommand;
use std::io::Write;

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
    /// Change an association's settings: only the options given change; with none, show them
    /// (association administrator)
    Edit(settings::AssociationEditArgs),
    /// The information to a participant (GDPR art. 13) of an intervention, from its
    /// association's settings, in --lang's language: to show or print when consent is recorded
    Information {
        /// The intervention (I1)
        intervention: String,
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
    /// Change an intervention: only the options given change (its manager, or an association
    /// administrator)
    Edit(keeping::EditArgs),
    /// End an intervention on a date, or reopen it (its manager, or an association administrator)
    End(keeping::EndArgs),
    /// An intervention's year plans: list them, set a year's (planned participants, budget and
    /// outcome per line) or remove one (its manager, or an association administrator)
    Plan(keeping::PlanArgs),
    /// A count-only intervention's monthly figures, women and men: list them, or enter or
    /// correct a month's (its intervention manager)
    Volume(keeping::VolumeArgs),
}

/// `association …` for a signed-in system administrator (add) or association administrator
/// (questions, edit); its lines go to `out`.
pub(super) fn association_in(
    s: &Session,
    c: AssociationCommand,
    l: Lang,
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
        AssociationCommand::Edit(a) => settings::association_edit(s, a, l, out)?,
        AssociationCommand::Information { intervention } => {
            let id = crate::domain::ids::InterventionId::parse(&intervention)
                .filter(|_| intervention.trim().starts_with('I'))
                .ok_or_else(|| CliError::Usage("name the intervention as I1, I2, …".into()))?;
            let info = s.participant_information(id, l == Lang::Sv)?;
            write!(out, "{}", info.text()).map_err(io)?;
        }
    }
    Ok(())
}

/// `intervention …`: add (association administrator), list (any role, what it reaches), and
/// keeping one (edit, end, plan, volume: see `keeping.rs`).
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
        InterventionCommand::Edit(a) => keeping::edit(s, a, l, out),
        InterventionCommand::End(a) => keeping::end(s, a, l, out),
        InterventionCommand::Plan(a) => keeping::plan(s, a, l, out),
        InterventionCommand::Volume(a) => keeping::volume(s, a, l, out),
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

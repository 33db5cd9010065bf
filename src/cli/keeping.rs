//! Keeping interventions from the command line (and SSH exec): `intervention
//! edit|end|plan|volume` (an association's own settings: `settings.rs`). Every value goes to the
//! service as typed; it checks role, assignment and value, audits the change and names the
//! fields that changed, which these commands print.

use super::CliError;
use super::admin::io;
use crate::domain::ids::InterventionId;
use crate::domain::intervention::{BudgetLine, Direction, Measurement, YearPlan};
use crate::service::{InterventionEdit, Lang, PlanInput, Session, VolumeInput, parse_year};
use clap::{ArgGroup, Args, ValueEnum};
use std::io::Write;

/// Direction (inriktning) as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DirectionArg {
    /// Individual-oriented (individinriktad)
    Individual,
    /// Structural (strukturövergripande)
    Structural,
}

/// Measurement method as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MeasurementArg {
    /// Participants registered in and out
    Individual,
    /// Count only (volyminsats): monthly figures, women and men
    CountOnly,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The intervention (I3)
    pub intervention: String,
    /// Its name
    #[arg(long)]
    pub name: Option<String>,
    /// "" clears it
    #[arg(long)]
    pub description: Option<String>,
    /// Target groups (målgrupper), comma separated: "unga vuxna, nyanlända"; "" clears them
    #[arg(long, value_name = "LIST")]
    pub target_groups: Option<String>,
    /// Detailed focus (preciserad inriktning), one of the association's list; "" clears it
    #[arg(long)]
    pub focus: Option<String>,
    /// Fixed once anyone is registered
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Fixed once anyone is registered
    #[arg(long, value_enum)]
    pub measurement: Option<MeasurementArg>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("when").required(true).args(["on", "reopen"])))]
pub struct EndArgs {
    /// The intervention (I3)
    pub intervention: String,
    /// Its last day (YYYY-MM-DD); not while participations are still registered in
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Clear the end date: the intervention goes on
    #[arg(long)]
    pub reopen: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The intervention (I3)
    pub intervention: String,
    /// The budget (calendar) year; without it, the stored plans are listed
    #[arg(long, value_name = "YEAR")]
    pub year: Option<String>,
    /// Planned participants [kept from the stored plan of the year when left out]
    #[arg(long, value_name = "N", requires = "year")]
    pub planned: Option<String>,
    /// Cost budget, whole kronor [kept when left out]
    #[arg(long, value_name = "KRONOR", requires = "year")]
    pub cost_budget: Option<String>,
    /// Cost outcome (utfall), whole kronor; "" when not known yet [kept when left out]
    #[arg(long, value_name = "KRONOR", requires = "year")]
    pub cost_outcome: Option<String>,
    /// The ESF-funded part of the budget, whole kronor [kept when left out]
    #[arg(long, value_name = "KRONOR", requires = "year")]
    pub esf_budget: Option<String>,
    /// The ESF-funded part of the outcome; "" when not known yet [kept when left out]
    #[arg(long, value_name = "KRONOR", requires = "year")]
    pub esf_outcome: Option<String>,
    /// Remove the year's plan
    #[arg(
        long,
        requires = "year",
        conflicts_with_all = ["planned", "cost_budget", "cost_outcome", "esf_budget", "esf_outcome"]
    )]
    pub remove: bool,
}

#[derive(Debug, Args)]
pub struct VolumeArgs {
    /// The count-only intervention (I6); with nothing else, its monthly figures are listed
    pub intervention: String,
    #[arg(long, value_name = "YEAR")]
    pub year: Option<String>,
    /// 1–12
    #[arg(long, value_name = "MONTH")]
    pub month: Option<String>,
    /// Women counted that month
    #[arg(long, value_name = "N")]
    pub women: Option<String>,
    /// Men counted that month
    #[arg(long, value_name = "N")]
    pub men: Option<String>,
}

pub(super) fn say(l: Lang, en: &str, sv: &str) -> String {
    if l == Lang::Sv { sv } else { en }.to_owned()
}

/// An intervention named as `I3`.
fn intervention_id(text: &str, l: Lang) -> Result<InterventionId, CliError> {
    InterventionId::parse(text)
        .filter(|_| text.trim().starts_with('I'))
        .ok_or_else(|| {
            CliError::Usage(say(
                l,
                "name the intervention as I1, I2, …",
                "ange insatsen som I1, I2, …",
            ))
        })
}

pub(super) fn list(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

pub(super) fn changed(out: &mut dyn Write, what: &str, fields: &[&str]) -> Result<(), CliError> {
    writeln!(out, "{what}: {}", fields.join(", ")).map_err(io)
}

/// `intervention edit`: only the options given change.
pub(super) fn edit(s: &Session, a: EditArgs, l: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let id = intervention_id(&a.intervention, l)?;
    let edit = InterventionEdit {
        name: a.name,
        description: a.description,
        target_groups: a.target_groups.as_deref().map(|t| list(t, ',')),
        focus: a.focus,
        direction: a.direction.map(|d| match d {
            DirectionArg::Individual => Direction::Individual,
            DirectionArg::Structural => Direction::Structural,
        }),
        measurement: a.measurement.map(|m| match m {
            MeasurementArg::Individual => Measurement::Individual,
            MeasurementArg::CountOnly => Measurement::CountOnly,
        }),
        end: None,
    };
    if edit.name.is_none()
        && edit.description.is_none()
        && edit.target_groups.is_none()
        && edit.focus.is_none()
        && edit.direction.is_none()
        && edit.measurement.is_none()
    {
        return Err(CliError::Usage(say(
            l,
            "say what to change: --name, --description, --target-groups, --focus, --direction or --measurement (add --help)",
            "ange vad som ska ändras: --name, --description, --target-groups, --focus, --direction eller --measurement (lägg till --help)",
        )));
    }
    let fields = s.edit_intervention(id, &edit)?;
    changed(out, &id.to_string(), &fields)
}

/// `intervention end`: an end date, or none (`--reopen`).
pub(super) fn end(s: &Session, a: EndArgs, l: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let id = intervention_id(&a.intervention, l)?;
    let end = if a.reopen {
        String::new()
    } else {
        a.on.unwrap_or_default()
    };
    let fields = s.edit_intervention(
        id,
        &InterventionEdit {
            end: Some(end),
            ..InterventionEdit::default()
        },
    )?;
    changed(out, &id.to_string(), &fields)
}

fn amount(n: u64) -> String {
    n.to_string()
}

fn outcome(line: BudgetLine) -> String {
    line.outcome.map_or_else(|| "-".to_owned(), amount)
}

/// `intervention plan`: lists the year plans, sets one (a figure left out keeps the stored
/// plan's) or removes one.
pub(super) fn plan(s: &Session, a: PlanArgs, l: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let id = intervention_id(&a.intervention, l)?;
    let Some(year_text) = a.year else {
        return list_plans(s, id, l, out);
    };
    let year = parse_year(&year_text)?;
    if a.remove {
        s.remove_plan(id, year)?;
        writeln!(
            out,
            "{id} {year}: {}",
            say(l, "plan removed", "årsplanen borttagen")
        )
        .map_err(io)?;
        return Ok(());
    }
    if a.planned.is_none()
        && a.cost_budget.is_none()
        && a.cost_outcome.is_none()
        && a.esf_budget.is_none()
        && a.esf_outcome.is_none()
    {
        return Err(CliError::Usage(say(
            l,
            "give the year's figures (--planned, --cost-budget, --esf-budget, outcomes) or --remove (add --help)",
            "ange årets siffror (--planned, --cost-budget, --esf-budget, utfall) eller --remove (lägg till --help)",
        )));
    }
    let (intervention, _) = s.kept(id)?;
    let stored = intervention.plan(year);
    let keep = |given: Option<String>, from: fn(&YearPlan) -> String| {
        given.unwrap_or_else(|| stored.map(from).unwrap_or_default())
    };
    let input = PlanInput {
        year: year.to_string(),
        planned_participants: keep(a.planned, |p| p.planned_participants.to_string()),
        cost_budget: keep(a.cost_budget, |p| amount(p.cost.budget)),
        cost_outcome: keep(a.cost_outcome, |p| {
            p.cost.outcome.map(amount).unwrap_or_default()
        }),
        esf_budget: keep(a.esf_budget, |p| amount(p.esf.budget)),
        esf_outcome: keep(a.esf_outcome, |p| {
            p.esf.outcome.map(amount).unwrap_or_default()
        }),
    };
    let fields = s.set_plan(id, &input)?;
    changed(out, &format!("{id} {year}"), &fields)
}

fn list_plans(
    s: &Session,
    id: InterventionId,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (intervention, _) = s.kept(id)?;
    if intervention.plans.is_empty() {
        writeln!(
            out,
            "{id}: {}",
            say(l, "no year plans yet", "inga årsplaner ännu")
        )
        .map_err(io)?;
        return Ok(());
    }
    let head: [&str; 6] = if l == Lang::Sv {
        [
            "år",
            "planerade",
            "budget kostnad",
            "utfall kostnad",
            "budget ESF",
            "utfall ESF",
        ]
    } else {
        [
            "year",
            "planned",
            "cost budget",
            "cost outcome",
            "ESF budget",
            "ESF outcome",
        ]
    };
    let [y, p, cb, co, eb, eo] = head;
    writeln!(out, "{y:<6}{p:>11}{cb:>16}{co:>16}{eb:>14}{eo:>14}").map_err(io)?;
    for plan in &intervention.plans {
        writeln!(
            out,
            "{:<6}{:>11}{:>16}{:>16}{:>14}{:>14}",
            plan.year,
            plan.planned_participants,
            plan.cost.budget,
            outcome(plan.cost),
            plan.esf.budget,
            outcome(plan.esf)
        )
        .map_err(io)?;
    }
    Ok(())
}

/// `intervention volume`: lists a count-only intervention's monthly figures, or enters (or
/// corrects) one month's.
pub(super) fn volume(
    s: &Session,
    a: VolumeArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let id = intervention_id(&a.intervention, l)?;
    let (year, month, women, men) = match (a.year, a.month, a.women, a.men) {
        (None, None, None, None) => return list_volumes(s, id, l, out),
        (Some(y), Some(m), Some(w), Some(n)) => (y, m, w, n),
        _ => {
            return Err(CliError::Usage(say(
                l,
                "give --year, --month, --women and --men together, or only the intervention to list its figures",
                "ange --year, --month, --women och --men tillsammans, eller bara insatsen för att se dess siffror",
            )));
        }
    };
    s.set_volume(
        id,
        &VolumeInput {
            year: year.clone(),
            month: month.clone(),
            women,
            men,
        },
    )?;
    let month = month
        .trim()
        .parse::<u8>()
        .map_or_else(|_| month.trim().to_owned(), |m| format!("{m:02}"));
    changed(
        out,
        &format!("{id} {}-{month}", year.trim()),
        &["women", "men"],
    )
}

fn list_volumes(
    s: &Session,
    id: InterventionId,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let volumes = s.volumes(id)?;
    if volumes.is_empty() {
        writeln!(
            out,
            "{id}: {}",
            say(l, "no figures entered", "inga siffror inmatade")
        )
        .map_err(io)?;
        return Ok(());
    }
    let sv = l == Lang::Sv;
    let (m, w, n, t) = if sv {
        ("månad", "kvinnor", "män", "totalt")
    } else {
        ("month", "women", "men", "total")
    };
    writeln!(out, "{m:<8}{w:>8}{n:>8}{t:>8}").map_err(io)?;
    for (year, month, v) in volumes {
        let unsplit = if v.unsplit > 0 {
            format!(
                "  ({} {})",
                v.unsplit,
                if sv { "ej uppdelade" } else { "not split" }
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<8}{:>8}{:>8}{:>8}{unsplit}",
            format!("{year}-{month:02}"),
            v.women,
            v.men,
            v.total()
        )
        .map_err(io)?;
    }
    Ok(())
}

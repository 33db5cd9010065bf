//! `association edit`: an association's own settings (its association administrator) — name,
//! description, municipalities, end date, controller and data-protection officer contacts,
//! retention years, the small-cell threshold and the detailed focuses its interventions choose
//! from. Values go to the service as typed; with no option, the settings are shown.

use super::CliError;
use super::admin::io;
use super::keeping::{changed, list, say};
use crate::domain::ids::AssociationId;
use crate::service::{AssociationEdit, Lang, Session};
use clap::Args;
use std::io::Write;

#[derive(Debug, Args)]
pub struct AssociationEditArgs {
    /// The association (F1); with nothing else, its settings are shown
    pub association: String,
    /// Its name
    #[arg(long)]
    pub name: Option<String>,
    /// "" clears it
    #[arg(long)]
    pub description: Option<String>,
    /// Municipality codes it serves: "0180, 0114"
    #[arg(long, value_name = "CODES")]
    pub municipalities: Option<String>,
    /// Its last day (YYYY-MM-DD); not while any of its interventions goes on after it
    #[arg(long, value_name = "DATE", conflicts_with = "reopen")]
    pub end: Option<String>,
    /// Clear the end date
    #[arg(long)]
    pub reopen: bool,
    /// Controller (personuppgiftsansvarig) contact, for the information to participants
    #[arg(long, value_name = "TEXT")]
    pub controller: Option<String>,
    /// Data-protection officer (dataskyddsombud) contact
    #[arg(long, value_name = "TEXT")]
    pub dpo: Option<String>,
    /// Years personal data is kept after registration out
    #[arg(long, value_name = "N")]
    pub retention_years: Option<String>,
    /// Reports show counts below N as "<N" to roles without personal-data access (0: off)
    #[arg(long, value_name = "N")]
    pub small_cell: Option<String>,
    /// The detailed focuses its interventions choose from, separated by ';': "A; B; C"
    #[arg(long, value_name = "LIST")]
    pub focus_options: Option<String>,
}

/// An association named as `F1`.
fn association_id(text: &str, l: Lang) -> Result<AssociationId, CliError> {
    AssociationId::parse(text)
        .filter(|_| text.trim().starts_with('F'))
        .ok_or_else(|| {
            CliError::Usage(say(
                l,
                "name the association as F1, F2, …",
                "ange förbundet som F1, F2, …",
            ))
        })
}

/// `association edit`: only the options given change; with none, the settings are shown.
pub(super) fn association_edit(
    s: &Session,
    a: AssociationEditArgs,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let id = association_id(&a.association, l)?;
    let edit = AssociationEdit {
        name: a.name,
        description: a.description,
        municipalities: a.municipalities,
        end: if a.reopen { Some(String::new()) } else { a.end },
        controller: a.controller,
        dpo: a.dpo,
        retention_years: a.retention_years,
        small_cell_threshold: a.small_cell,
        focus_options: a.focus_options.as_deref().map(|t| list(t, ';')),
    };
    if edit.name.is_none()
        && edit.description.is_none()
        && edit.municipalities.is_none()
        && edit.end.is_none()
        && edit.controller.is_none()
        && edit.dpo.is_none()
        && edit.retention_years.is_none()
        && edit.small_cell_threshold.is_none()
        && edit.focus_options.is_none()
    {
        return print_settings(s, id, l, out);
    }
    let fields = s.edit_association(id, &edit)?;
    changed(out, &id.to_string(), &fields)
}

fn print_settings(
    s: &Session,
    id: AssociationId,
    l: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let a = s.association_settings(id)?;
    let sv = l == Lang::Sv;
    let none = || "-".to_owned();
    let text = |t: &str| if t.is_empty() { none() } else { t.to_owned() };
    let municipalities: Vec<String> = a.municipalities.iter().map(ToString::to_string).collect();
    let rows: [(&str, &str, String); 11] = [
        (
            "organisation number",
            "organisationsnummer",
            a.org_number.to_string(),
        ),
        ("description", "beskrivning", text(&a.description)),
        (
            "municipalities",
            "kommuner",
            text(&municipalities.join(", ")),
        ),
        ("start", "start", a.start.to_string()),
        ("end", "slut", a.end.map_or_else(none, |d| d.to_string())),
        ("controller", "personuppgiftsansvarig", text(&a.controller)),
        ("data-protection officer", "dataskyddsombud", text(&a.dpo)),
        (
            "retention years",
            "lagringstid (år)",
            a.retention_years.to_string(),
        ),
        (
            "small-cell threshold",
            "gräns för små tal",
            a.small_cell_threshold.to_string(),
        ),
        (
            "detailed focuses",
            "preciserade inriktningar",
            text(&a.focus_options.join("; ")),
        ),
        (
            "supplementary questions",
            "kompletterande frågor",
            a.supplementary.len().to_string(),
        ),
    ];
    writeln!(out, "{id} {}", a.name).map_err(io)?;
    for (en, sv_label, value) in rows {
        writeln!(out, "  {}: {value}", if sv { sv_label } else { en }).map_err(io)?;
    }
    Ok(())
}

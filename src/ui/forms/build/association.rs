//! The association's settings form (association administrator): name, municipalities, end
//! date, contacts, retention, small-cell threshold and the list of detailed focuses.

use super::keeping::{amount_field, optional_date_check};
use crate::domain::organisation::Association;
use crate::domain::planning::{MAX_SMALL_CELL, RETENTION_YEARS};
use crate::service::AssociationEdit;
use crate::ui::forms::field::Field;
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, tr};

/// The association's settings.
pub fn association(a: &Association, lang: Lang) -> Form {
    let end = a.end.map(|d| d.to_string()).unwrap_or_default();
    let municipalities: Vec<String> = a
        .municipalities
        .iter()
        .map(|m| format!("{:04}", m.0))
        .collect();
    let fields = vec![
        Field::text("name", tr(lang, "Name", "Namn"), &a.name, None, true),
        Field::text(
            "description",
            tr(lang, "Description", "Beskrivning"),
            &a.description,
            None,
            false,
        ),
        Field::text(
            "municipalities",
            tr(lang, "Municipalities (codes)", "Kommuner (koder)"),
            &municipalities.join(", "),
            None,
            true,
        ),
        Field::text(
            "end",
            tr(lang, "End date", "Slutdatum"),
            &end,
            Some(optional_date_check(lang, "end")),
            false,
        ),
        Field::text(
            "controller",
            tr(
                lang,
                "Controller (contact)",
                "Personuppgiftsansvarig (kontakt)",
            ),
            &a.controller,
            None,
            false,
        ),
        Field::text(
            "dpo",
            tr(
                lang,
                "Data-protection officer (contact)",
                "Dataskyddsombud (kontakt)",
            ),
            &a.dpo,
            None,
            false,
        ),
        amount_field(
            "retention_years",
            tr(lang, "Retention (years)", "Lagringstid (år)"),
            &a.retention_years.to_string(),
            ("retention years", u64::from(RETENTION_YEARS.1)),
            true,
            lang,
        ),
        amount_field(
            "small_cell",
            tr(lang, "Small-cell threshold", "Gräns för små tal"),
            &a.small_cell_threshold.to_string(),
            ("small-cell threshold", u64::from(MAX_SMALL_CELL)),
            true,
            lang,
        )
        .with_note(tr(
            lang,
            "reports show counts below it as \"<N\" to roles without personal data; 0 turns it off",
            "rapporter visar tal under gränsen som \"<N\" för roller utan personuppgifter; 0 stänger av",
        )),
        Field::text(
            "focus_options",
            tr(lang, "Detailed focuses", "Preciserade inriktningar"),
            &a.focus_options.join("; "),
            None,
            false,
        )
        .with_note(tr(
            lang,
            "separated by semicolons",
            "åtskilda med semikolon",
        )),
    ];
    Form::new(
        format!(
            "{} · {}",
            tr(lang, "Association settings", "Förbundets inställningar"),
            a.name
        ),
        tr(
            lang,
            "Only what you change is saved and logged.",
            "Bara det du ändrar sparas och loggas.",
        )
        .to_owned(),
        Purpose::Association { association: a.id },
        fields,
    )
}

pub fn association_edit(form: &Form) -> AssociationEdit {
    AssociationEdit {
        name: Some(form.text("name")),
        description: Some(form.text("description")),
        municipalities: Some(form.text("municipalities")),
        end: Some(form.text("end")),
        controller: Some(form.text("controller")),
        dpo: Some(form.text("dpo")),
        retention_years: Some(form.text("retention_years")),
        small_cell_threshold: Some(form.text("small_cell")),
        focus_options: Some(
            form.text("focus_options")
                .split(';')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect(),
        ),
    }
}

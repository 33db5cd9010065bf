//! Anonymous participants: start year, women, men.

use super::checks::count_check;
use crate::domain::date::{Year, budget_year};
use crate::domain::ids::InterventionId;
use crate::ui::forms::field::{Check, Field};
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, tr};
use chrono::NaiveDate;

/// Anonymous participants: start year, women, men.
pub fn anonymous(intervention: InterventionId, today: NaiveDate, lang: Lang) -> Form {
    let year_check: Check = Box::new(move |t| {
        t.parse::<Year>()
            .map(|_| ())
            .map_err(|_| tr(lang, "a year, e.g. 2026", "ett år, t.ex. 2026").to_owned())
    });
    let fields = vec![
        Field::text(
            "year",
            tr(lang, "Start (budget) year", "Startår (budgetår)"),
            &budget_year(today).to_string(),
            Some(year_check),
            true,
        ),
        Field::text(
            "women",
            tr(lang, "Women", "Kvinnor"),
            "0",
            Some(count_check(lang)),
            true,
        ),
        Field::text(
            "men",
            tr(lang, "Men", "Män"),
            "0",
            Some(count_check(lang)),
            true,
        ),
    ];
    Form::new(
        tr(lang, "Register anonymous participants", "Registrera anonyma deltagare").to_owned(),
        tr(lang, "Participants without consent, or with protected identity: gender and start year only, never registered out.", "Deltagare utan samtycke eller med skyddad identitet: bara kön och startår, skrivs aldrig ut.").to_owned(),
        Purpose::Anonymous { intervention },
        fields,
    )
}

pub fn anonymous_input(form: &Form) -> Option<(Year, u32, u32)> {
    Some((
        form.text("year").parse().ok()?,
        form.text("women").parse().ok()?,
        form.text("men").parse().ok()?,
    ))
}

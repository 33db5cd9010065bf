//! The report screen's filter form: a period of months, one or several interventions, a gender
//! and age groups. Saving it runs the report anew; the service refuses a period that ends
//! before it starts.

use crate::domain::follow_up::{AGE_GROUPS, age_group_label, month_text, parse_month};
use crate::domain::ids::InterventionId;
use crate::domain::person::Gender;
use crate::service::reports::ReportFilter;
use crate::ui::forms::field::{Check, Choice, Field};
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, tr};

/// The option meaning "no narrowing" in the interventions and age-group lists.
const ALL: &str = "all";

fn month_check(lang: Lang) -> Check {
    Box::new(move |t| {
        parse_month(t).map(|_| ()).ok_or_else(|| {
            tr(
                lang,
                "a month is written YYYY-MM, e.g. 2026-03",
                "en månad skrivs ÅÅÅÅ-MM, t.ex. 2026-03",
            )
            .to_owned()
        })
    })
}

/// The filter form, filled with `filter`; `reach` is the interventions the user may report on
/// (id and name), in the pane's order.
pub fn report_filter(
    filter: &ReportFilter,
    reach: &[(InterventionId, String)],
    lang: Lang,
) -> Form {
    let sv = lang == Lang::Sv;
    let everything = tr(lang, "All", "Alla");
    let mut interventions = vec![Choice::new(ALL, everything)];
    interventions.extend(
        reach
            .iter()
            .map(|(id, name)| Choice::new(id.to_string(), format!("{name} ({id})"))),
    );
    let chosen: Vec<String> = if filter.interventions.is_empty() {
        vec![ALL.to_owned()]
    } else {
        filter
            .interventions
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    let genders = vec![
        Choice::new(ALL, tr(lang, "Everyone", "Alla")),
        Choice::new("women", tr(lang, "Women", "Kvinnor")),
        Choice::new("men", tr(lang, "Men", "Män")),
    ];
    let gender = match filter.gender {
        None => 0,
        Some(Gender::Woman) => 1,
        Some(Gender::Man) => 2,
    };
    let mut ages = vec![Choice::new(ALL, everything)];
    ages.extend((0..AGE_GROUPS.len()).filter_map(|g| {
        let g = u8::try_from(g).ok()?;
        Some(Choice::new(g.to_string(), age_group_label(g, sv)))
    }));
    let chosen_ages: Vec<String> = if filter.age_groups.is_empty() {
        vec![ALL.to_owned()]
    } else {
        filter.age_groups.iter().map(ToString::to_string).collect()
    };
    let all = [ALL.to_owned()];
    let fields = vec![
        Field::text(
            "from",
            tr(lang, "From month", "Från månad"),
            &month_text(filter.from),
            Some(month_check(lang)),
            true,
        )
        .with_note(tr(lang, "YYYY-MM", "ÅÅÅÅ-MM")),
        Field::text(
            "to",
            tr(lang, "To month (included)", "Till och med månad"),
            &month_text(filter.to),
            Some(month_check(lang)),
            true,
        )
        .with_note(tr(
            lang,
            "a whole budget year is January to December",
            "ett helt budgetår är januari till december",
        )),
        Field::many(
            "interventions",
            tr(lang, "Interventions", "Insatser"),
            interventions,
            &chosen,
            &all,
        ),
        Field::one("gender", tr(lang, "Gender", "Kön"), genders, Some(gender)),
        Field::many(
            "ages",
            tr(lang, "Age groups", "Åldersgrupper"),
            ages,
            &chosen_ages,
            &all,
        ),
    ];
    Form::new(
        tr(
            lang,
            "Report: period and filters",
            "Rapport: period och urval",
        )
        .to_owned(),
        tr(
            lang,
            "Choose the months and who the report covers. Space chooses in a list.",
            "Välj månaderna och vilka rapporten gäller. Mellanslag väljer i en lista.",
        )
        .to_owned(),
        Purpose::ReportFilter,
        fields,
    )
}

/// The filter the form describes (its fields are checked before this is called; what does not
/// parse keeps the value of `before`).
pub fn report_filter_input(form: &Form, before: &ReportFilter) -> ReportFilter {
    let many = |key: &str| -> Vec<String> {
        form.field(key)
            .map(Field::many_value)
            .unwrap_or_default()
            .into_iter()
            .filter(|k| k != ALL)
            .collect()
    };
    ReportFilter {
        from: parse_month(&form.text("from")).unwrap_or(before.from),
        to: parse_month(&form.text("to")).unwrap_or(before.to),
        association: before.association,
        interventions: many("interventions")
            .iter()
            .filter_map(|k| InterventionId::parse(k))
            .collect(),
        gender: match form.one("gender") {
            Some("women") => Some(Gender::Woman),
            Some("men") => Some(Gender::Man),
            _ => None,
        },
        age_groups: many("ages")
            .iter()
            .filter_map(|k| k.parse::<u8>().ok())
            .collect(),
    }
}

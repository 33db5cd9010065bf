//! The forms of those who keep interventions: editing one (and ending it), its year plan and a
//! count-only month's figures (the association's settings are in `association.rs`). Each starts
//! with what is stored; amounts and dates are checked as they are typed, with the service's
//! own words.

use super::checks::date_check;
use crate::domain::date::Year;
use crate::domain::intervention::{Direction, Intervention, Measurement};
use crate::domain::organisation::Association;
use crate::domain::planning::{MAX_KRONOR, MAX_PEOPLE, Volume, parse_amount};
use crate::service::{InterventionEdit, PlanInput, ServiceError, VolumeInput};
use crate::ui::forms::field::{Check, Choice, Field};
use crate::ui::forms::form::{Form, Purpose};
use crate::ui::i18n::{Lang, tr};

/// A whole number of at most `max`, checked with the service's words for `field`.
fn amount_check(lang: Lang, field: &'static str, max: u64) -> Check {
    Box::new(move |t| {
        parse_amount(t, field, max)
            .map(|_| ())
            .map_err(|e| ServiceError::from(e).message(lang))
    })
}

/// A field for a whole number of at most `max`, checked as typed with the service's words for
/// `field`.
pub(super) fn amount_field(
    key: &str,
    label: &str,
    value: &str,
    (field, max): (&'static str, u64),
    required: bool,
    lang: Lang,
) -> Field {
    Field::text(
        key,
        label,
        value,
        Some(amount_check(lang, field, max)),
        required,
    )
}

pub(super) fn optional_date_check(lang: Lang, field: &'static str) -> Check {
    let check = date_check(lang, field);
    Box::new(move |t| {
        if t.trim().is_empty() {
            Ok(())
        } else {
            check(t)
        }
    })
}

fn amount(value: u64) -> String {
    value.to_string()
}

/// Edit an intervention: name, description, target groups, detailed focus (from the
/// association's list), direction and method (fixed once anyone is registered: the service
/// says so), and the end date (empty: no end).
pub fn edit_intervention(i: &Intervention, association: &Association, lang: Lang) -> Form {
    let mut focuses = vec![Choice::new("", tr(lang, "(none)", "(ingen)"))];
    focuses.extend(
        association
            .focus_options
            .iter()
            .map(|f| Choice::new(f.clone(), f.clone())),
    );
    if !i.focus.is_empty() && !association.focus_options.contains(&i.focus) {
        focuses.push(Choice::new(i.focus.clone(), i.focus.clone()));
    }
    let focus_at = focuses.iter().position(|c| c.key == i.focus);
    let end = i.end.map(|d| d.to_string()).unwrap_or_default();
    let fields = vec![
        Field::text("name", tr(lang, "Name", "Namn"), &i.name, None, true),
        Field::text(
            "description",
            tr(lang, "Description", "Beskrivning"),
            &i.description,
            None,
            false,
        ),
        Field::text(
            "target_groups",
            tr(lang, "Target groups", "Målgrupper"),
            &i.target_groups.join(", "),
            None,
            false,
        )
        .with_note(tr(lang, "separated by commas", "åtskilda med kommatecken")),
        Field::one(
            "focus",
            tr(lang, "Detailed focus", "Preciserad inriktning"),
            focuses,
            focus_at,
        ),
        Field::one(
            "direction",
            tr(lang, "Direction", "Inriktning"),
            vec![
                Choice::new("individual", tr(lang, "Individual", "Individinriktad")),
                Choice::new("structural", tr(lang, "Structural", "Strukturövergripande")),
            ],
            Some(usize::from(i.direction == Direction::Structural)),
        ),
        Field::one(
            "measurement",
            tr(lang, "Measurement method", "Mätmetod"),
            vec![
                Choice::new(
                    "individual",
                    tr(
                        lang,
                        "Participants registered in and out",
                        "Deltagare skrivs in och ut",
                    ),
                ),
                Choice::new(
                    "count-only",
                    tr(lang, "Count only (volyminsats)", "Bara antal (volyminsats)"),
                ),
            ],
            Some(usize::from(i.measurement == Measurement::CountOnly)),
        ),
        Field::text(
            "end",
            tr(lang, "End date", "Slutdatum"),
            &end,
            Some(optional_date_check(lang, "end")),
            false,
        )
        .with_note(tr(
            lang,
            "YYYY-MM-DD; empty: no end. Every participation must be registered out first.",
            "ÅÅÅÅ-MM-DD; tomt: inget slut. Alla deltaganden måste vara utskrivna först.",
        )),
    ];
    Form::new(
        format!(
            "{} · {}",
            tr(lang, "Edit the intervention", "Ändra insatsen"),
            i.name
        ),
        tr(
            lang,
            "Only what you change is saved and logged.",
            "Bara det du ändrar sparas och loggas.",
        )
        .to_owned(),
        Purpose::EditIntervention { intervention: i.id },
        fields,
    )
}

/// The edit a filled intervention form describes (every field; the service keeps what is
/// unchanged out of the log).
pub fn intervention_edit(form: &Form) -> InterventionEdit {
    InterventionEdit {
        name: Some(form.text("name")),
        description: Some(form.text("description")),
        target_groups: Some(
            form.text("target_groups")
                .split(',')
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect(),
        ),
        focus: Some(form.one("focus").unwrap_or("").to_owned()),
        direction: Some(match form.one("direction") {
            Some("structural") => Direction::Structural,
            _ => Direction::Individual,
        }),
        measurement: Some(match form.one("measurement") {
            Some("count-only") => Measurement::CountOnly,
            _ => Measurement::Individual,
        }),
        end: Some(form.text("end")),
    }
}

/// The plan of budget year `year`: planned participants, and budget and outcome of the cost
/// and of its ESF-funded part. Starts with what is stored for that year.
pub fn plan(i: &Intervention, year: Year, lang: Lang) -> Form {
    let stored = i.plan(year);
    let outcome = |o: Option<u64>| o.map(amount).unwrap_or_default();
    let people = u64::from(MAX_PEOPLE);
    let fields = vec![
        amount_field(
            "year",
            tr(lang, "Budget year", "Budgetår"),
            &year.to_string(),
            ("year", 9999),
            true,
            lang,
        ),
        amount_field(
            "planned",
            tr(lang, "Planned participants", "Planerade deltagare"),
            &stored.map_or_else(String::new, |p| p.planned_participants.to_string()),
            ("planned participants", people),
            true,
            lang,
        ),
        amount_field(
            "cost_budget",
            tr(lang, "Cost: budget (kr)", "Kostnad: budget (kr)"),
            &stored.map_or_else(String::new, |p| amount(p.cost.budget)),
            ("cost budget", MAX_KRONOR),
            true,
            lang,
        ),
        amount_field(
            "cost_outcome",
            tr(lang, "Cost: outcome (kr)", "Kostnad: utfall (kr)"),
            &stored.map_or_else(String::new, |p| outcome(p.cost.outcome)),
            ("cost outcome", MAX_KRONOR),
            false,
            lang,
        )
        .with_note(tr(lang, "empty until known", "tomt tills det är känt")),
        amount_field(
            "esf_budget",
            tr(
                lang,
                "ESF-funded: budget (kr)",
                "ESF-finansierat: budget (kr)",
            ),
            &stored.map_or_else(|| "0".to_owned(), |p| amount(p.esf.budget)),
            ("ESF budget", MAX_KRONOR),
            true,
            lang,
        ),
        amount_field(
            "esf_outcome",
            tr(
                lang,
                "ESF-funded: outcome (kr)",
                "ESF-finansierat: utfall (kr)",
            ),
            &stored.map_or_else(String::new, |p| outcome(p.esf.outcome)),
            ("ESF outcome", MAX_KRONOR),
            false,
            lang,
        ),
    ];
    Form::new(
        format!("{} · {}", tr(lang, "Year plan", "Årsplan"), i.name),
        tr(
            lang,
            "Whole kronor. The board's follow-up compares these with the participants and costs of the year.",
            "Hela kronor. Styrelsens uppföljning jämför dem med årets deltagare och kostnader.",
        )
        .to_owned(),
        Purpose::Plan {
            intervention: i.id,
        },
        fields,
    )
}

pub fn plan_input(form: &Form) -> PlanInput {
    PlanInput {
        year: form.text("year"),
        planned_participants: form.text("planned"),
        cost_budget: form.text("cost_budget"),
        cost_outcome: form.text("cost_outcome"),
        esf_budget: form.text("esf_budget"),
        esf_outcome: form.text("esf_outcome"),
    }
}

/// A count-only month's participants, women and men; starts with what is stored for it.
pub fn volume(
    i: &Intervention,
    (year, month): (Year, u32),
    stored: Option<Volume>,
    lang: Lang,
) -> Form {
    let people = u64::from(MAX_PEOPLE);
    let v = stored.unwrap_or_default();
    let mut fields = vec![
        amount_field(
            "year",
            tr(lang, "Year", "År"),
            &year.to_string(),
            ("year", 9999),
            true,
            lang,
        ),
        amount_field(
            "month",
            tr(lang, "Month (1–12)", "Månad (1–12)"),
            &month.to_string(),
            ("month", 12),
            true,
            lang,
        ),
        amount_field(
            "women",
            tr(lang, "Women", "Kvinnor"),
            &v.women.to_string(),
            ("women", people),
            true,
            lang,
        ),
        amount_field(
            "men",
            tr(lang, "Men", "Män"),
            &v.men.to_string(),
            ("men", people),
            true,
            lang,
        ),
    ];
    if v.unsplit > 0
        && let Some(f) = fields.last_mut()
    {
        f.note = Some(match lang {
            Lang::En => format!(
                "{} were counted before the split by gender; saving replaces them",
                v.unsplit
            ),
            Lang::Sv => format!(
                "{} räknades innan uppdelningen på kön; när du sparar ersätts de",
                v.unsplit
            ),
        });
    }
    Form::new(
        format!("{} · {}", tr(lang, "Count-only figures", "Volym"), i.name),
        tr(
            lang,
            "Participants of the month. Saving again corrects the month; the log keeps both figures.",
            "Månadens deltagare. Spara igen för att rätta månaden; loggen behåller båda siffrorna.",
        )
        .to_owned(),
        Purpose::Volume {
            intervention: i.id,
        },
        fields,
    )
}

pub fn volume_input(form: &Form) -> VolumeInput {
    VolumeInput {
        year: form.text("year"),
        month: form.text("month"),
        women: form.text("women"),
        men: form.text("men"),
    }
}

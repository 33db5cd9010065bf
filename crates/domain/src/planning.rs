//! What an intervention manager keeps for follow-up (domain §1, §9): year plans with their
//! budget lines, count-only volumes, and the rules for editing and ending an intervention. Pure
//! rules: the service reads the facts (registrations, dates) and asks these functions.

use crate::date::{Year, budget_year};
use crate::intervention::{Intervention, YearPlan};
use crate::organisation::Association;
use chrono::NaiveDate;

/// The largest amount accepted on a budget line, in whole kronor (ten billion).
pub const MAX_KRONOR: u64 = 10_000_000_000;
/// The largest number of planned participants, or of counted ones in one month.
pub const MAX_PEOPLE: u32 = 1_000_000;
/// The highest small-cell threshold an association may set (0 turns protection off).
pub const MAX_SMALL_CELL: u32 = 10;
/// Bounds of an association's retention period, in years after registration out.
pub const RETENTION_YEARS: (u32, u32) = (1, 100);
/// The small-cell threshold of an association that has not set one (domain §9).
pub const DEFAULT_SMALL_CELL: u32 = 3;
/// The retention period of an association that has not set one, in years.
pub const DEFAULT_RETENTION_YEARS: u32 = 5;

/// The participants a count-only intervention (volyminsats) counted in one month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Volume {
    pub women: u32,
    pub men: u32,
    /// Counted before figures were split by gender (files older than schema 5); new figures
    /// always split.
    pub unsplit: u32,
}

impl Volume {
    pub fn total(&self) -> u64 {
        u64::from(self.women) + u64::from(self.men) + u64::from(self.unsplit)
    }
}

/// What is wrong with a typed amount or count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountProblem {
    Empty,
    /// Not a whole number (letters, decimals).
    NotWhole,
    Negative,
    TooLarge {
        max: u64,
    },
}

/// Why a change to an intervention, its plan or volumes, or an association's settings was
/// refused. Messages say what to do; none carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanRefusal {
    #[error("{field}: {}", amount_en(*.problem))]
    Amount {
        field: &'static str,
        problem: AmountProblem,
    },
    #[error("the ESF-funded {line} cannot be larger than the intervention's {line}")]
    EsfAboveCost { line: &'static str },
    #[error(
        "the year {year} is outside the intervention's and the association's periods ({first}–{})",
        last.map_or_else(String::new, |y| y.to_string())
    )]
    YearOutside {
        year: Year,
        first: Year,
        last: Option<Year>,
    },
    #[error("the month must be 1–12")]
    Month,
    #[error(
        "the {field} is fixed once the first participant is registered ({registered} registered so far)"
    )]
    Fixed {
        field: &'static str,
        registered: u64,
    },
    #[error(
        "the intervention cannot end while {open} participations are still registered in: register them out first"
    )]
    OpenParticipations { open: u64 },
    #[error("the end date cannot be before the last registration ({last})")]
    EndBeforeLastRegistration { last: NaiveDate },
    #[error("the end date cannot be before the start ({start})")]
    EndBeforeStart { start: NaiveDate },
    #[error("the end date cannot be after the association's end ({end})")]
    EndAfterAssociation { end: NaiveDate },
    #[error(
        "{count} interventions continue after that date; end them first (the last ends {})",
        last.map_or_else(|| "never".to_owned(), |d| d.to_string())
    )]
    InterventionsContinue {
        count: usize,
        last: Option<NaiveDate>,
    },
    #[error(
        "the detailed focus must be one of the association's list; an association administrator keeps it"
    )]
    FocusNotListed,
    #[error("the small-cell threshold must be 0 (off) to {max}")]
    SmallCell { max: u32 },
    #[error("the retention period must be {min}–{max} years")]
    RetentionYears { min: u32, max: u32 },
    #[error("this intervention registers participants individually; it has no volumes")]
    NotCountOnly,
    #[error("nothing changed, so nothing is saved")]
    NothingChanged,
    #[error("the period ends before it starts")]
    PeriodBackwards,
}

fn amount_en(p: AmountProblem) -> String {
    match p {
        AmountProblem::Empty => "enter a number".into(),
        AmountProblem::NotWhole => "a whole number, e.g. 250000 (no decimals or letters)".into(),
        AmountProblem::Negative => "cannot be negative".into(),
        AmountProblem::TooLarge { max } => format!("at most {max}"),
    }
}

fn amount_sv(p: AmountProblem) -> String {
    match p {
        AmountProblem::Empty => "ange ett tal".into(),
        AmountProblem::NotWhole => {
            "ett heltal, t.ex. 250000 (inga decimaler eller bokstäver)".into()
        }
        AmountProblem::Negative => "kan inte vara negativt".into(),
        AmountProblem::TooLarge { max } => format!("högst {max}"),
    }
}

/// Field and line names in Swedish (the English ones are the keys).
pub fn field_sv(field: &str) -> &str {
    match field {
        "planned participants" => "planerade deltagare",
        "cost budget" => "budget kostnad",
        "cost outcome" => "utfall kostnad",
        "ESF budget" => "budget ESF-finansierat",
        "ESF outcome" => "utfall ESF-finansierat",
        "women" => "kvinnor",
        "men" => "män",
        "year" => "år",
        "month" => "månad",
        "budget" => "budget",
        "outcome" => "utfall",
        "direction" => "inriktningen",
        "measurement method" => "mätmetoden",
        "small-cell threshold" => "gränsen för små tal",
        "retention years" => "lagringstid",
        other => other,
    }
}

impl PlanRefusal {
    /// The message in Swedish.
    pub fn message_sv(&self) -> String {
        match self {
            PlanRefusal::Amount { field, problem } => {
                format!("{}: {}", field_sv(field), amount_sv(*problem))
            }
            PlanRefusal::EsfAboveCost { line } => format!(
                "den ESF-finansierade delen kan inte vara större än kostnaden ({})",
                field_sv(line)
            ),
            PlanRefusal::YearOutside { year, first, last } => format!(
                "året {year} ligger utanför insatsens och förbundets perioder ({first}–{})",
                last.map_or_else(String::new, |y| y.to_string())
            ),
            PlanRefusal::Month => "månaden måste vara 1–12".into(),
            PlanRefusal::Fixed { field, registered } => format!(
                "{} går inte att ändra när första deltagaren är registrerad ({registered} registrerade hittills)",
                field_sv(field)
            ),
            PlanRefusal::OpenParticipations { open } => format!(
                "insatsen kan inte avslutas medan {open} deltaganden fortfarande är inskrivna: skriv ut dem först"
            ),
            PlanRefusal::EndBeforeLastRegistration { last } => {
                format!("slutdatumet kan inte vara före den senaste registreringen ({last})")
            }
            PlanRefusal::EndBeforeStart { start } => {
                format!("slutdatumet kan inte vara före starten ({start})")
            }
            PlanRefusal::EndAfterAssociation { end } => {
                format!("slutdatumet kan inte vara efter förbundets slut ({end})")
            }
            PlanRefusal::InterventionsContinue { count, last } => format!(
                "{count} insatser fortsätter efter det datumet; avsluta dem först (den sista slutar {})",
                last.map_or_else(|| "aldrig".to_owned(), |d| d.to_string())
            ),
            PlanRefusal::FocusNotListed => {
                "den preciserade inriktningen måste finnas i förbundets lista; en samverkansadministratör håller listan".into()
            }
            PlanRefusal::SmallCell { max } => {
                format!("gränsen för små tal måste vara 0 (av) till {max}")
            }
            PlanRefusal::RetentionYears { min, max } => {
                format!("lagringstiden måste vara {min}–{max} år")
            }
            PlanRefusal::NotCountOnly => {
                "insatsen registrerar deltagare individuellt; den har inga volymer".into()
            }
            PlanRefusal::NothingChanged => "inget ändrades, så inget sparas".into(),
            PlanRefusal::PeriodBackwards => "perioden slutar innan den börjar".into(),
        }
    }
}

/// Reads a typed whole number (spaces between thousands allowed: `1 250 000`), at most `max`.
pub fn parse_amount(text: &str, field: &'static str, max: u64) -> Result<u64, PlanRefusal> {
    let err = |problem| PlanRefusal::Amount { field, problem };
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_'))
        .collect();
    if t.is_empty() {
        return Err(err(AmountProblem::Empty));
    }
    if let Some(rest) = t.strip_prefix('-') {
        return Err(err(
            if rest.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty() {
                AmountProblem::Negative
            } else {
                AmountProblem::NotWhole
            },
        ));
    }
    let digits = t.strip_prefix('+').unwrap_or(&t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(AmountProblem::NotWhole));
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(err(AmountProblem::TooLarge { max })),
    }
}

/// As [`parse_amount`], where an empty field means "not entered yet".
pub fn parse_optional_amount(
    text: &str,
    field: &'static str,
    max: u64,
) -> Result<Option<u64>, PlanRefusal> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_amount(text, field, max).map(Some)
    }
}

/// The budget years both the intervention and its association cover: (first, last if ended).
pub fn plan_years(intervention: &Intervention, association: &Association) -> (Year, Option<Year>) {
    let first = budget_year(intervention.start).max(budget_year(association.start));
    let last = match (intervention.end, association.end) {
        (Some(a), Some(b)) => Some(budget_year(a.min(b))),
        (Some(a), None) | (None, Some(a)) => Some(budget_year(a)),
        (None, None) => None,
    };
    (first, last)
}

/// Checks that `year` lies in the periods of both the intervention and its association.
pub fn check_year(
    year: Year,
    intervention: &Intervention,
    association: &Association,
) -> Result<(), PlanRefusal> {
    let (first, last) = plan_years(intervention, association);
    if year < first || last.is_some_and(|l| year > l) {
        return Err(PlanRefusal::YearOutside { year, first, last });
    }
    Ok(())
}

/// Checks a year plan on its own and against the periods.
pub fn check_plan(
    plan: &YearPlan,
    intervention: &Intervention,
    association: &Association,
) -> Result<(), PlanRefusal> {
    check_year(plan.year, intervention, association)?;
    if plan.esf.budget > plan.cost.budget {
        return Err(PlanRefusal::EsfAboveCost { line: "budget" });
    }
    if let (Some(esf), Some(cost)) = (plan.esf.outcome, plan.cost.outcome)
        && esf > cost
    {
        return Err(PlanRefusal::EsfAboveCost { line: "outcome" });
    }
    Ok(())
}

/// What the service knows about an intervention's registrations when it is edited or ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Registered {
    /// Identified participations, anonymous participants and counted (count-only) people.
    pub total: u64,
    /// Participations still registered in.
    pub open: u64,
    /// The latest day of a registration in or out, or the last day of the latest month or
    /// year with counted or anonymous participants.
    pub last: Option<NaiveDate>,
}

/// Checks an edit of an intervention: direction and measurement method are fixed once anything
/// is registered; the detailed focus comes from the association's list; an end date lies after
/// the start and every registration, within the association, and no participation is open.
pub fn check_edit(
    before: &Intervention,
    after: &Intervention,
    association: &Association,
    registered: Registered,
) -> Result<(), PlanRefusal> {
    if registered.total > 0 {
        if after.direction != before.direction {
            return Err(PlanRefusal::Fixed {
                field: "direction",
                registered: registered.total,
            });
        }
        if after.measurement != before.measurement {
            return Err(PlanRefusal::Fixed {
                field: "measurement method",
                registered: registered.total,
            });
        }
    }
    if !after.focus.is_empty()
        && after.focus != before.focus
        && !association.focus_options.contains(&after.focus)
    {
        return Err(PlanRefusal::FocusNotListed);
    }
    if after.end != before.end
        && let Some(end) = after.end
    {
        if end < after.start {
            return Err(PlanRefusal::EndBeforeStart { start: after.start });
        }
        if let Some(a_end) = association.end
            && end > a_end
        {
            return Err(PlanRefusal::EndAfterAssociation { end: a_end });
        }
        if registered.open > 0 {
            return Err(PlanRefusal::OpenParticipations {
                open: registered.open,
            });
        }
        if let Some(last) = registered.last
            && end < last
        {
            return Err(PlanRefusal::EndBeforeLastRegistration { last });
        }
    }
    if after == before {
        return Err(PlanRefusal::NothingChanged);
    }
    Ok(())
}

/// Checks an association's own settings.
pub fn check_settings(association: &Association) -> Result<(), PlanRefusal> {
    if association.small_cell_threshold > MAX_SMALL_CELL {
        return Err(PlanRefusal::SmallCell {
            max: MAX_SMALL_CELL,
        });
    }
    let (min, max) = RETENTION_YEARS;
    if !(min..=max).contains(&association.retention_years) {
        return Err(PlanRefusal::RetentionYears { min, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_whole_non_negative_and_bounded() {
        assert_eq!(
            parse_amount("1 250 000", "cost budget", MAX_KRONOR),
            Ok(1_250_000)
        );
        assert_eq!(parse_amount("0", "cost budget", MAX_KRONOR), Ok(0));
        let problem = |t: &str| match parse_amount(t, "cost budget", MAX_KRONOR) {
            Err(PlanRefusal::Amount { problem, .. }) => Some(problem),
            _ => None,
        };
        assert_eq!(problem(""), Some(AmountProblem::Empty));
        assert_eq!(problem("-5"), Some(AmountProblem::Negative));
        assert_eq!(problem("12,5"), Some(AmountProblem::NotWhole));
        assert_eq!(problem("12.5"), Some(AmountProblem::NotWhole));
        assert_eq!(problem("tusen"), Some(AmountProblem::NotWhole));
        assert_eq!(problem("-"), Some(AmountProblem::NotWhole));
        assert_eq!(
            problem("99999999999999999999999"),
            Some(AmountProblem::TooLarge { max: MAX_KRONOR })
        );
        assert_eq!(
            problem("10000000001"),
            Some(AmountProblem::TooLarge { max: MAX_KRONOR })
        );
        assert_eq!(
            parse_optional_amount("  ", "cost outcome", MAX_KRONOR),
            Ok(None)
        );
    }

    #[test]
    fn every_refusal_speaks_swedish_without_english_words() {
        let all = [
            PlanRefusal::Amount {
                field: "cost budget",
                problem: AmountProblem::Negative,
            },
            PlanRefusal::EsfAboveCost { line: "outcome" },
            PlanRefusal::YearOutside {
                year: 2019,
                first: 2020,
                last: None,
            },
            PlanRefusal::Fixed {
                field: "measurement method",
                registered: 3,
            },
            PlanRefusal::OpenParticipations { open: 12 },
            PlanRefusal::FocusNotListed,
            PlanRefusal::NothingChanged,
        ];
        for r in all {
            let sv = r.message_sv();
            for english in ["the ", "cannot", "outcome", "measurement"] {
                assert!(!sv.contains(english), "{sv}");
            }
        }
    }
}

//! The reports per intervention and budget year: participants against plan (insatsrapport)
//! and budget against outcome (kostnadsrapport).

use super::super::{Cell, ReportFilter, Row, Scoped, Table};
use super::{percent, t};
use crate::error::ServiceError;
use insats_domain::intervention::Direction;
use insats_domain::report::active_in;
use insats_store::{Tx, people};

/// Per intervention and budget year: started, active and ended identified participations,
/// anonymous participants (their start year only), count-only figures, each women and men.
struct YearRow {
    started: [u64; 2],
    active: [u64; 2],
    ended: [u64; 2],
    anonymous: [u64; 2],
    counted: [u64; 2],
    unsplit: u64,
}

impl YearRow {
    fn total_active(&self) -> u64 {
        self.active[0]
            + self.active[1]
            + self.anonymous[0]
            + self.anonymous[1]
            + self.counted[0]
            + self.counted[1]
            + self.unsplit
    }
}

fn year_row(
    tx: &impl Tx,
    s: &Scoped,
    year: i32,
    filter: &ReportFilter,
) -> Result<YearRow, ServiceError> {
    let id = s.intervention.id;
    let keep = |g: usize| {
        filter
            .gender
            .is_none_or(|x| usize::from(insats_domain::follow_up::gender_code(x)) == g)
    };
    let mask = |pair: [u64; 2]| {
        [
            if keep(0) { pair[0] } else { 0 },
            if keep(1) { pair[1] } else { 0 },
        ]
    };
    let yearly = people::yearly(tx, id)?;
    let this = yearly
        .iter()
        .find(|(y, _)| *y == year)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let (aw, am) = active_in(&yearly, year);
    let anon = people::anonymous_by_year(tx, id)?
        .into_iter()
        .find(|(y, _)| *y == year)
        .map_or([0, 0], |(_, a)| [u64::from(a.women), u64::from(a.men)]);
    let mut counted = [0u64; 2];
    let mut unsplit = 0;
    for (y, _, v) in people::volumes(tx, id)? {
        if y == year {
            counted[0] += u64::from(v.women);
            counted[1] += u64::from(v.men);
            unsplit += u64::from(v.unsplit);
        }
    }
    Ok(YearRow {
        started: mask([u64::from(this.started_women), u64::from(this.started_men)]),
        active: mask([aw, am]),
        ended: mask([u64::from(this.ended_women), u64::from(this.ended_men)]),
        anonymous: mask(anon),
        counted: mask(counted),
        unsplit: if filter.gender.is_none() { unsplit } else { 0 },
    })
}

/// The scope's interventions and the budget years of the period each one covers.
fn intervention_years<'a>(
    filter: &ReportFilter,
    scope: &'a [Scoped],
) -> impl Iterator<Item = (&'a Scoped, i32)> + 'a {
    let years = filter.years();
    scope.iter().flat_map(move |s| {
        let (first, last) = insats_domain::planning::plan_years(&s.intervention, &s.association);
        years
            .clone()
            .filter(move |y| *y >= first && last.is_none_or(|l| *y <= l))
            .map(move |y| (s, y))
    })
}

pub(super) fn interventions(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
    swedish: bool,
    today: chrono::NaiveDate,
    notes: &mut Vec<String>,
) -> Result<Vec<Table>, ServiceError> {
    let (w, m) = if swedish { ("k", "m") } else { ("w", "m") };
    let mut columns = vec![t(swedish, "Year", "År")];
    for head in [
        t(swedish, "Started", "Startade"),
        t(swedish, "Active", "Aktiva"),
        t(swedish, "Ended", "Avslutade"),
        t(swedish, "Anonymous", "Anonyma"),
        t(swedish, "Counted", "Räknade"),
    ] {
        columns.push(format!("{head} {w}"));
        columns.push(format!("{head} {m}"));
    }
    columns.extend([
        t(swedish, "Participants", "Deltagare"),
        t(swedish, "Planned", "Planerade"),
        t(swedish, "% of plan", "% av plan"),
        t(swedish, "Direction", "Inriktning"),
        t(swedish, "Focus", "Preciserad inriktning"),
        t(swedish, "Target groups", "Målgrupper"),
        t(swedish, "Status", "Status"),
    ]);
    let mut rows = Vec::new();
    for (s, year) in intervention_years(filter, scope) {
        let r = year_row(tx, s, year, filter)?;
        let total = r.total_active();
        let planned = s.intervention.plan(year).map(|p| p.planned_participants);
        let mut cells = vec![Cell::Text(year.to_string())];
        for pair in [r.started, r.active, r.ended, r.anonymous, r.counted] {
            cells.push(Cell::Count(pair[0]));
            cells.push(Cell::Count(pair[1]));
        }
        cells.push(Cell::Count(total));
        cells.push(planned.map_or(Cell::Text("–".into()), |p| Cell::Count(u64::from(p))));
        cells.push(match planned {
            Some(p) => percent(i64::try_from(total).unwrap_or(0), u64::from(p)),
            None => Cell::Percent(None),
        });
        cells.push(Cell::Text(
            match (s.intervention.direction, swedish) {
                (Direction::Individual, false) => "individual",
                (Direction::Individual, true) => "individinriktad",
                (Direction::Structural, false) => "structural",
                (Direction::Structural, true) => "strukturövergripande",
            }
            .to_owned(),
        ));
        cells.push(Cell::Text(s.intervention.focus.clone()));
        cells.push(Cell::Text(s.intervention.target_groups.join(", ")));
        cells.push(Cell::Text(
            s.intervention.status_on(today).label(swedish).to_owned(),
        ));
        rows.push(Row {
            label: s.intervention.name.clone(),
            cells,
        });
    }
    notes.push(t(
        swedish,
        "Active: registered in on or before the year's end and not registered out before its start. Anonymous participants count in their start year only; count-only figures are the months' sums.",
        "Aktiva: inskrivna senast årets slut och inte utskrivna före dess början. Anonyma deltagare räknas bara sitt startår; volymer är månadernas summa.",
    ));
    if !filter.age_groups.is_empty() {
        notes.push(t(
            swedish,
            "The age filter does not apply here: anonymous participants and count-only figures have no age.",
            "Åldersfiltret gäller inte här: anonyma deltagare och volymer saknar ålder.",
        ));
    }
    Ok(vec![Table {
        title: t(
            swedish,
            "Participants per intervention and budget year",
            "Deltagare per insats och budgetår",
        ),
        columns,
        rows,
        row_sums: Vec::new(),
        column_sums: Vec::new(),
    }])
}

pub(super) fn costs(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
    swedish: bool,
    notes: &mut Vec<String>,
) -> Result<Vec<Table>, ServiceError> {
    let columns = vec![
        t(swedish, "Year", "År"),
        t(swedish, "Cost budget (kr)", "Kostnad budget (kr)"),
        t(swedish, "Cost outcome (kr)", "Kostnad utfall (kr)"),
        t(swedish, "ESF budget (kr)", "ESF budget (kr)"),
        t(swedish, "ESF outcome (kr)", "ESF utfall (kr)"),
        t(swedish, "ESF share %", "ESF-andel %"),
        t(swedish, "Participants", "Deltagare"),
        t(
            swedish,
            "Outcome per participant (kr)",
            "Utfall per deltagare (kr)",
        ),
    ];
    let unfiltered = ReportFilter {
        gender: None,
        age_groups: Vec::new(),
        ..filter.clone()
    };
    let mut rows = Vec::new();
    for (s, year) in intervention_years(filter, scope) {
        let plan = s.intervention.plan(year);
        let participants = year_row(tx, s, year, &unfiltered)?.total_active();
        let outcome = plan.and_then(|p| p.cost.outcome);
        let share = plan.map_or(Cell::Percent(None), |p| {
            match (p.esf.outcome, p.cost.outcome) {
                (Some(e), Some(c)) => percent(i64::try_from(e).unwrap_or(0), c),
                _ => percent(i64::try_from(p.esf.budget).unwrap_or(0), p.cost.budget),
            }
        });
        rows.push(Row {
            label: s.intervention.name.clone(),
            cells: vec![
                Cell::Text(year.to_string()),
                Cell::Kronor(plan.map(|p| p.cost.budget)),
                Cell::Kronor(outcome),
                Cell::Kronor(plan.map(|p| p.esf.budget)),
                Cell::Kronor(plan.and_then(|p| p.esf.outcome)),
                share,
                Cell::Count(participants),
                Cell::Kronor(match (outcome, participants) {
                    (Some(o), n) if n > 0 => Some((o + n / 2) / n),
                    _ => None,
                }),
            ],
        });
    }
    notes.push(t(
        swedish,
        "Outcome per participant: the year's outcome divided by the participants active that year (identified, anonymous and counted); our choice. ESF share: of the outcome where it is known, otherwise of the budget.",
        "Utfall per deltagare: årets utfall delat med årets aktiva deltagare (identifierade, anonyma och räknade); vårt val. ESF-andel: av utfallet där det är känt, annars av budgeten.",
    ));
    if filter.gender.is_some() || !filter.age_groups.is_empty() {
        notes.push(t(
            swedish,
            "Costs are not split by gender or age: the filters do not apply here.",
            "Kostnader delas inte på kön eller ålder: filtren gäller inte här.",
        ));
    }
    Ok(vec![Table {
        title: t(
            swedish,
            "Budget and outcome per intervention and budget year",
            "Budget och utfall per insats och budgetår",
        ),
        columns,
        rows,
        row_sums: Vec::new(),
        column_sums: Vec::new(),
    }])
}

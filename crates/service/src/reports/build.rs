//! Building each report from the stored aggregates.

use super::{Cell, Report, ReportFilter, ReportKind, Row, Scoped, Table};
use crate::error::ServiceError;
use insats_domain::follow_up::{AGE_GROUPS, CodeMap, Outcomes, age_group_label, code};
use insats_domain::intervention::Direction;
use insats_domain::questionnaire::{Catalogue, EndReason, QuestionKind};
use insats_domain::report::active_in;
use insats_store::{Tx, people};

/// Women, men: the two columns every count is split into, then their total.
fn wmt(swedish: bool) -> [String; 3] {
    if swedish {
        ["Kvinnor".into(), "Män".into(), "Totalt".into()]
    } else {
        ["Women".into(), "Men".into(), "Total".into()]
    }
}

fn t(swedish: bool, en: &str, sv: &str) -> String {
    if swedish {
        sv.to_owned()
    } else {
        en.to_owned()
    }
}

fn counts(w: u64, m: u64) -> Vec<Cell> {
    vec![Cell::Count(w), Cell::Count(m), Cell::Count(w + m)]
}

fn percent(part: i64, whole: u64) -> Cell {
    if whole == 0 {
        Cell::Percent(None)
    } else {
        #[allow(clippy::cast_precision_loss)]
        Cell::Percent(Some(part as f64 * 100.0 / whole as f64))
    }
}

pub(super) fn build(
    tx: &impl Tx,
    kind: ReportKind,
    filter: &ReportFilter,
    scope: &[Scoped],
    catalogue: &Catalogue,
    swedish: bool,
    today: chrono::NaiveDate,
) -> Result<Report, ServiceError> {
    let mut notes = Vec::new();
    let tables = match kind {
        ReportKind::Results => results(tx, filter, scope, catalogue, swedish, &mut notes)?,
        ReportKind::Background => background(tx, filter, scope, catalogue, swedish)?,
        ReportKind::Interventions => interventions(tx, filter, scope, swedish, today, &mut notes)?,
        ReportKind::Costs => costs(tx, filter, scope, swedish, &mut notes)?,
    };
    if scope.is_empty() {
        notes.push(t(
            swedish,
            "No intervention in your scope matches the filters.",
            "Ingen insats i din omfattning matchar filtren.",
        ));
    }
    Ok(Report {
        kind,
        title: kind.title(swedish).to_owned(),
        filters: String::new(),
        tables,
        notes,
        protected_below: None,
    })
}

/// The outcome cells of the scope and period summed, for one gender.
#[derive(Debug, Default)]
struct Sum {
    ended: u64,
    compared: u64,
    end_reasons: CodeMap<u8, u64>,
    days: std::collections::BTreeMap<u32, u32>,
    answers: CodeMap<u64, [u64; 2]>,
    transitions: CodeMap<(u64, u64), u64>,
}

impl Sum {
    fn add(&mut self, o: &Outcomes) {
        self.ended += u64::from(o.ended);
        self.compared += u64::from(o.compared);
        for (r, n) in &o.end_reasons {
            *self.end_reasons.entry(*r).or_default() += u64::from(*n);
        }
        for (d, n) in &o.days {
            *self.days.entry(*d).or_default() += *n;
        }
        for (c, [b, a]) in &o.answers {
            let e = self.answers.entry(*c).or_default();
            e[0] += u64::from(*b);
            e[1] += u64::from(*a);
        }
        for (k, n) in &o.transitions {
            *self.transitions.entry(*k).or_default() += u64::from(*n);
        }
    }

    fn answer(&self, q: &str, o: &str) -> [u64; 2] {
        self.answers.get(&code(q, o)).copied().unwrap_or_default()
    }

    fn transition(&self, q: &str, from: &str, to: &str) -> u64 {
        self.transitions
            .get(&(code(q, from), code(q, to)))
            .copied()
            .unwrap_or(0)
    }

    fn end_reason(&self, r: EndReason) -> u64 {
        EndReason::ALL
            .iter()
            .position(|x| *x == r)
            .and_then(|i| u8::try_from(i).ok())
            .and_then(|i| self.end_reasons.get(&i).copied())
            .unwrap_or(0)
    }
}

/// Sums the outcome cells of the scope and period, per gender (women, men).
fn outcomes(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
) -> Result<[Sum; 2], ServiceError> {
    let mut sum = [Sum::default(), Sum::default()];
    for s in scope {
        for (key, cell) in people::outcomes(tx, s.intervention.id, filter.from, filter.to)? {
            if filter.keeps(key.2, key.3)
                && let Some(slot) = sum.get_mut(usize::from(key.2))
            {
                slot.add(&cell);
            }
        }
    }
    Ok(sum)
}

/// The start cells summed per gender: started per age group, and answers at registration in.
#[derive(Debug, Default)]
struct Begun {
    by_age: CodeMap<u8, u64>,
    answers: CodeMap<u64, u64>,
}

impl Begun {
    fn started(&self) -> u64 {
        self.by_age.values().sum()
    }

    fn answer(&self, q: &str, o: &str) -> u64 {
        self.answers.get(&code(q, o)).copied().unwrap_or(0)
    }
}

fn starts(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
) -> Result<[Begun; 2], ServiceError> {
    let mut sum = [Begun::default(), Begun::default()];
    for s in scope {
        for (key, cell) in people::starts(tx, s.intervention.id, filter.from, filter.to)? {
            if filter.keeps(key.2, key.3)
                && let Some(slot) = sum.get_mut(usize::from(key.2))
            {
                *slot.by_age.entry(key.3).or_default() += u64::from(cell.started);
                for (c, n) in &cell.answers {
                    *slot.answers.entry(*c).or_default() += u64::from(*n);
                }
            }
        }
    }
    Ok(sum)
}

/// The `q`-th quantile (0–1) of a distribution of days.
fn quantile(days: &std::collections::BTreeMap<u32, u32>, q: f64) -> Option<u32> {
    let n: u64 = days.values().map(|v| u64::from(*v)).sum();
    if n == 0 {
        return None;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0u64;
    for (d, c) in days {
        seen += u64::from(*c);
        if seen >= rank {
            return Some(*d);
        }
    }
    None
}

fn results(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
    catalogue: &Catalogue,
    swedish: bool,
    notes: &mut Vec<String>,
) -> Result<Vec<Table>, ServiceError> {
    let [w, m] = outcomes(tx, filter, scope)?;
    let [cw, cm, ct] = wmt(swedish);
    let mut tables = vec![Table {
        title: t(
            swedish,
            "Participations registered out in the period",
            "Deltaganden utskrivna under perioden",
        ),
        columns: vec![cw.clone(), cm.clone(), ct.clone()],
        rows: vec![
            Row {
                label: t(swedish, "Registered out", "Utskrivna"),
                cells: counts(w.ended, m.ended),
            },
            Row {
                label: t(
                    swedish,
                    "With answers in and out (compared below)",
                    "Med svar vid in- och utskrivning (jämförs nedan)",
                ),
                cells: counts(w.compared, m.compared),
            },
        ],
        row_sums: vec![vec![0, 1, 2]],
        column_sums: Vec::new(),
    }];
    // Before against after, question by question.
    let mut questions: Vec<_> = catalogue.questions.iter().collect();
    questions.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.key.cmp(&b.key)));
    let compared = w.compared + m.compared;
    for q in questions.iter().filter(|q| {
        matches!(
            q.key.as_str(),
            "occupation" | "income_sources" | "activity_ability"
        ) || q.supplementary
    }) {
        let mut rows = Vec::new();
        for o in &q.options {
            let [bw, aw] = w.answer(&q.key, &o.key);
            let [bm, am] = m.answer(&q.key, &o.key);
            let before = bw + bm;
            let after = aw + am;
            let change = i64::try_from(after).unwrap_or(0) - i64::try_from(before).unwrap_or(0);
            let mut cells = counts(bw, bm);
            cells.extend(counts(aw, am));
            cells.push(Cell::Text(format!("{change:+}")));
            cells.push(percent(change, before));
            rows.push(Row {
                label: o.label(swedish).to_owned(),
                cells,
            });
        }
        let single = q.kind == QuestionKind::Single;
        tables.push(Table {
            title: format!(
                "{}: {}",
                q.label(swedish),
                t(swedish, "before and after", "före och efter")
            ),
            columns: vec![
                format!("{} {cw}", t(swedish, "Before", "Före")),
                format!("{} {cm}", t(swedish, "Before", "Före")),
                format!("{} {ct}", t(swedish, "Before", "Före")),
                format!("{} {cw}", t(swedish, "After", "Efter")),
                format!("{} {cm}", t(swedish, "After", "Efter")),
                format!("{} {ct}", t(swedish, "After", "Efter")),
                t(swedish, "Change", "Förändring"),
                t(swedish, "Change %", "Förändring %"),
            ],
            rows,
            row_sums: vec![vec![0, 1, 2], vec![3, 4, 5]],
            column_sums: if single {
                vec![0, 1, 2, 3, 4, 5]
            } else {
                Vec::new()
            },
        });
        if q.key == "occupation" {
            tables.push(work_or_studies(q, &w, &m, swedish));
        }
        if q.kind == QuestionKind::Multi {
            tables.push(transitions(q, &w, &m, swedish));
        }
    }
    if compared == 0 && w.ended + m.ended > 0 {
        notes.push(t(
            swedish,
            "None of the participations registered out in the period has answers both in and out (consent withdrawn).",
            "Inget av deltagandena utskrivna under perioden har svar både vid in- och utskrivning (samtycket återkallat).",
        ));
    }
    // End reasons.
    let mut rows = Vec::new();
    for r in EndReason::ALL {
        if r == EndReason::Misregistration {
            continue;
        }
        let n = |o: &Sum| o.end_reason(r);
        rows.push(Row {
            label: catalogue.end_reason_label(r, swedish).to_owned(),
            cells: counts(n(&w), n(&m)),
        });
    }
    tables.push(Table {
        title: t(swedish, "End reasons", "Avslutningsorsaker"),
        columns: vec![cw.clone(), cm.clone(), ct.clone()],
        rows,
        row_sums: vec![vec![0, 1, 2]],
        column_sums: vec![0, 1, 2],
    });
    // Time in the intervention.
    let mut all_days = w.days.clone();
    for (d, n) in &m.days {
        *all_days.entry(*d).or_default() += *n;
    }
    let rows = [
        (0.25, t(swedish, "Lower quartile", "Nedre kvartil")),
        (0.5, t(swedish, "Median", "Median")),
        (0.75, t(swedish, "Upper quartile", "Övre kvartil")),
    ]
    .into_iter()
    .map(|(q, label)| Row {
        label,
        cells: vec![
            Cell::Days(quantile(&w.days, q)),
            Cell::Days(quantile(&m.days, q)),
            Cell::Days(quantile(&all_days, q)),
        ],
    })
    .collect();
    tables.push(Table {
        title: t(
            swedish,
            "Time in the intervention (days)",
            "Tid i insatsen (dagar)",
        ),
        columns: vec![cw, cm, ct],
        rows,
        row_sums: Vec::new(),
        column_sums: Vec::new(),
    });
    Ok(tables)
}

/// In work or studies after, and moved into them (neither before, one of them after).
fn work_or_studies(
    q: &insats_domain::questionnaire::Question,
    w: &Sum,
    m: &Sum,
    swedish: bool,
) -> Table {
    let work = |o: &str| matches!(o, "employed" | "studying");
    let after = |x: &Sum| {
        q.options
            .iter()
            .filter(|o| work(&o.key))
            .map(|o| x.answer(&q.key, &o.key)[1])
            .sum::<u64>()
    };
    let moved = |x: &Sum| {
        let mut n = 0;
        for from in q.options.iter().filter(|o| !work(&o.key)) {
            for to in q.options.iter().filter(|o| work(&o.key)) {
                n += x.transition(&q.key, &from.key, &to.key);
            }
        }
        n
    };
    let [cw, cm, ct] = wmt(swedish);
    Table {
        title: t(swedish, "Work or studies", "Arbete eller studier"),
        columns: vec![cw, cm, ct],
        rows: vec![
            Row {
                label: t(
                    swedish,
                    "In work or studies after",
                    "I arbete eller studier efter",
                ),
                cells: counts(after(w), after(m)),
            },
            Row {
                label: t(
                    swedish,
                    "Moved into work or studies (neither before)",
                    "Gick till arbete eller studier (inget av dem före)",
                ),
                cells: counts(moved(w), moved(m)),
            },
        ],
        row_sums: vec![vec![0, 1, 2]],
        column_sums: Vec::new(),
    }
}

/// A multi-choice question's transitions: for each option before, how many had each option
/// after (women and men together).
fn transitions(
    q: &insats_domain::questionnaire::Question,
    w: &Sum,
    m: &Sum,
    swedish: bool,
) -> Table {
    let mut rows = Vec::new();
    for from in &q.options {
        let mut cells = Vec::new();
        let mut total = 0u64;
        for to in &q.options {
            let n =
                w.transition(&q.key, &from.key, &to.key) + m.transition(&q.key, &from.key, &to.key);
            cells.push(Cell::Count(n));
            total += n;
        }
        let _ = total;
        let before = w.answer(&q.key, &from.key)[0] + m.answer(&q.key, &from.key)[0];
        cells.push(Cell::Count(before));
        rows.push(Row {
            label: from.label(swedish).to_owned(),
            cells,
        });
    }
    let mut columns: Vec<String> = q
        .options
        .iter()
        .map(|o| o.label(swedish).to_owned())
        .collect();
    columns.push(t(swedish, "Had it before", "Hade det före"));
    Table {
        title: format!(
            "{}: {}",
            q.label(swedish),
            t(
                swedish,
                "after, given each one before (women and men)",
                "efter, givet var och en före (kvinnor och män)"
            )
        ),
        columns,
        rows,
        row_sums: Vec::new(),
        column_sums: Vec::new(),
    }
}

fn background(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
    catalogue: &Catalogue,
    swedish: bool,
) -> Result<Vec<Table>, ServiceError> {
    let [w, m] = starts(tx, filter, scope)?;
    let [cw, cm, ct] = wmt(swedish);
    let started = |b: &Begun| b.started();
    let mut tables = vec![Table {
        title: t(
            swedish,
            "Participations registered in in the period",
            "Deltaganden inskrivna under perioden",
        ),
        columns: vec![cw.clone(), cm.clone(), ct.clone()],
        rows: vec![Row {
            label: t(swedish, "Registered in", "Inskrivna"),
            cells: counts(started(&w), started(&m)),
        }],
        row_sums: vec![vec![0, 1, 2]],
        column_sums: Vec::new(),
    }];
    let by_age = |b: &Begun, g: u8| b.by_age.get(&g).copied().unwrap_or(0);
    tables.push(Table {
        title: t(swedish, "Age at registration in", "Ålder vid inskrivning"),
        columns: vec![cw.clone(), cm.clone(), ct.clone()],
        rows: (0..AGE_GROUPS.len())
            .map(|g| {
                let g = u8::try_from(g).unwrap_or(0);
                Row {
                    label: age_group_label(g, swedish),
                    cells: counts(by_age(&w, g), by_age(&m, g)),
                }
            })
            .collect(),
        row_sums: vec![vec![0, 1, 2]],
        column_sums: vec![0, 1, 2],
    });
    let answered = |b: &Begun, q: &str, o: &str| b.answer(q, o);
    for key in ["education", "public_support_time", "occupation"] {
        let Some(q) = catalogue.question(key) else {
            continue;
        };
        tables.push(Table {
            title: format!(
                "{} {}",
                q.label(swedish),
                t(swedish, "at registration in", "vid inskrivning")
            ),
            columns: vec![cw.clone(), cm.clone(), ct.clone()],
            rows: q
                .options
                .iter()
                .map(|o| Row {
                    label: o.label(swedish).to_owned(),
                    cells: counts(answered(&w, key, &o.key), answered(&m, key, &o.key)),
                })
                .collect(),
            row_sums: vec![vec![0, 1, 2]],
            column_sums: if q.kind == QuestionKind::Single {
                vec![0, 1, 2]
            } else {
                Vec::new()
            },
        });
    }
    Ok(tables)
}

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

fn interventions(
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

fn costs(
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

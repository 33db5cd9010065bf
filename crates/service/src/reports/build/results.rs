//! The results report (deltagarrapport): participations registered out in the period, before
//! against after.

use super::super::{Cell, ReportFilter, Row, Scoped, Table};
use super::sums::{Sum, outcomes, quantile};
use super::{counts, percent, t, wmt};
use crate::error::ServiceError;
use insats_domain::questionnaire::{Catalogue, EndReason, QuestionKind};
use insats_store::Tx;

pub(super) fn results(
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
            let income = catalogue
                .questions
                .iter()
                .find(|q| q.key == "income_sources");
            tables.push(work_or_studies(q, income, &w, &m, swedish));
            notes.push(t(
                swedish,
                "Started or increased work or studies: the questionnaire asks for one occupation and no hours, so a start is a move into work or studies, and an increase shows as a salary or student aid that was not a source of income before.",
                "Började eller ökade arbete eller studier: enkäten frågar efter en sysselsättning och inga timmar, så en början är en övergång till arbete eller studier, och en ökning syns som lön eller studiemedel som inte var en försörjningskälla före.",
            ));
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

/// In work or studies after; moved into them (neither before, one of them after); and, from the
/// sources of income, salary or student aid new after. A participation with a source both
/// before and after adds one to that source's own transition, so "after but not before" is its
/// count after less that transition.
fn work_or_studies(
    q: &insats_domain::questionnaire::Question,
    income: Option<&insats_domain::questionnaire::Question>,
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
        ]
        .into_iter()
        .chain(income.into_iter().flat_map(|income| {
            let new_source = move |x: &Sum, o: &str| {
                let [_, after] = x.answer(&income.key, o);
                after.saturating_sub(x.transition(&income.key, o, o))
            };
            [
                (
                    "salary",
                    "Salary, not a source before (started or increased work)",
                    "Lön, ingen försörjningskälla före (började eller ökade arbete)",
                ),
                (
                    "student_aid",
                    "Student aid, not a source before (started or increased studies)",
                    "Studiemedel, ingen försörjningskälla före (började eller ökade studier)",
                ),
            ]
            .into_iter()
            .filter(|(o, _, _)| income.options.iter().any(|x| x.key == *o))
            .map(move |(o, en, sv)| Row {
                label: t(swedish, en, sv),
                cells: counts(new_source(w, o), new_source(m, o)),
            })
        }))
        .collect(),
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

//! The background report: who the participations registered in in the period were.

use super::super::{ReportFilter, Row, Scoped, Table};
use super::sums::{Begun, starts};
use super::{counts, t, wmt};
use crate::error::ServiceError;
use insats_domain::follow_up::{AGE_GROUPS, age_group_label};
use insats_domain::questionnaire::{Catalogue, QuestionKind};
use insats_store::Tx;

pub(super) fn background(
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

//! Building each report from the stored aggregates: the shared pieces here, one file per kind
//! of report (`results`, `background`, `years` for the interventions and costs reports).

mod background;
mod results;
mod sums;
mod years;

use super::{Cell, Report, ReportFilter, ReportKind, Scoped};
use crate::error::ServiceError;
use insats_domain::questionnaire::Catalogue;
use insats_store::Tx;

/// Women, men: the two columns every count is split into, then their total.
pub(super) fn wmt(swedish: bool) -> [String; 3] {
    if swedish {
        ["Kvinnor".into(), "Män".into(), "Totalt".into()]
    } else {
        ["Women".into(), "Men".into(), "Total".into()]
    }
}

pub(super) fn t(swedish: bool, en: &str, sv: &str) -> String {
    if swedish {
        sv.to_owned()
    } else {
        en.to_owned()
    }
}

pub(super) fn counts(w: u64, m: u64) -> Vec<Cell> {
    vec![Cell::Count(w), Cell::Count(m), Cell::Count(w + m)]
}

pub(super) fn percent(part: i64, whole: u64) -> Cell {
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
        ReportKind::Results => results::results(tx, filter, scope, catalogue, swedish, &mut notes)?,
        ReportKind::Background => background::background(tx, filter, scope, catalogue, swedish)?,
        ReportKind::Interventions => {
            years::interventions(tx, filter, scope, swedish, today, &mut notes)?
        }
        ReportKind::Costs => years::costs(tx, filter, scope, swedish, &mut notes)?,
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

//! Follow-up reports (domain §9): results, background, interventions and costs, read from the
//! aggregates the store keeps with every change — never from the participations — for the
//! interventions in the session's scope. Every run is an audit entry (kind, scope, filters).
//! Roles without personal-data access see small cells protected ([`protect`]); participant
//! handlers see exact figures.
//!
//! A report is a title, the filters in words, tables of labelled rows and typed cells, and
//! notes: the terminal, CSV, Excel and JSON writers all render the same [`Report`].

mod build;
mod protect;

pub use protect::protect;

use crate::core::Notice;
use crate::error::ServiceError;
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::date::Year;
use insats_domain::follow_up::{AGE_GROUPS, age_group_label, year_months};
use insats_domain::ids::{AssociationId, InterventionId};
use insats_domain::person::Gender;
use insats_domain::user::Access;
use serde::Serialize;

/// The four reports, as supervisors know them from SUS-rapport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReportKind {
    /// Deltagarrapport: participations registered out in the period, before against after.
    Results,
    /// Participations registered in in the period: who they were at registration in.
    Background,
    /// Insatsrapport: per intervention and budget year, participants against plan.
    Interventions,
    /// Kostnadsrapport: per intervention and budget year, budget and outcome.
    Costs,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Results,
        ReportKind::Background,
        ReportKind::Interventions,
        ReportKind::Costs,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ReportKind::Results => "results",
            ReportKind::Background => "background",
            ReportKind::Interventions => "interventions",
            ReportKind::Costs => "costs",
        }
    }

    pub fn from_key(key: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn title(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (ReportKind::Results, false) => "Results",
            (ReportKind::Results, true) => "Resultat (deltagarrapport)",
            (ReportKind::Background, false) => "Background",
            (ReportKind::Background, true) => "Bakgrund",
            (ReportKind::Interventions, false) => "Interventions",
            (ReportKind::Interventions, true) => "Insatser (insatsrapport)",
            (ReportKind::Costs, false) => "Costs",
            (ReportKind::Costs, true) => "Kostnader (kostnadsrapport)",
        }
    }
}

/// What a report covers. Months are `year * 12 + month - 1` (see
/// `insats_domain::follow_up::month_index`), both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilter {
    pub from: i32,
    pub to: i32,
    pub association: Option<AssociationId>,
    /// Empty: every intervention in scope.
    pub interventions: Vec<InterventionId>,
    pub gender: Option<Gender>,
    /// Age group indexes (`AGE_GROUPS`); empty: all.
    pub age_groups: Vec<u8>,
}

impl ReportFilter {
    /// One budget year, everything in scope.
    pub fn year(year: Year) -> ReportFilter {
        let (from, to) = year_months(year);
        ReportFilter {
            from,
            to,
            association: None,
            interventions: Vec::new(),
            gender: None,
            age_groups: Vec::new(),
        }
    }

    /// The budget years the period touches.
    pub fn years(&self) -> std::ops::RangeInclusive<Year> {
        self.from.div_euclid(12)..=self.to.div_euclid(12)
    }

    /// Whether the period is whole budget years.
    pub fn whole_years(&self) -> bool {
        self.from.rem_euclid(12) == 0 && self.to.rem_euclid(12) == 11
    }

    fn month_text(m: i32) -> String {
        insats_domain::follow_up::month_text(m)
    }

    /// The filters in words, for the report's head and its audit entry (no personal data).
    pub fn describe(&self, swedish: bool) -> String {
        let mut parts = vec![if self.whole_years() && self.from / 12 == self.to / 12 {
            format!("{}", self.from.div_euclid(12))
        } else {
            format!(
                "{} – {}",
                Self::month_text(self.from),
                Self::month_text(self.to)
            )
        }];
        if let Some(a) = self.association {
            parts.push(a.to_string());
        }
        if !self.interventions.is_empty() {
            let ids: Vec<String> = self.interventions.iter().map(ToString::to_string).collect();
            parts.push(ids.join(","));
        }
        if let Some(g) = self.gender {
            parts.push(
                match (g, swedish) {
                    (Gender::Woman, false) => "women",
                    (Gender::Woman, true) => "kvinnor",
                    (Gender::Man, false) => "men",
                    (Gender::Man, true) => "män",
                }
                .to_owned(),
            );
        }
        if !self.age_groups.is_empty() {
            let groups: Vec<String> = self
                .age_groups
                .iter()
                .map(|g| age_group_label(*g, swedish))
                .collect();
            parts.push(groups.join(","));
        }
        parts.join(" · ")
    }

    fn keeps(&self, gender: u8, age_group: u8) -> bool {
        self.gender
            .is_none_or(|g| insats_domain::follow_up::gender_code(g) == gender)
            && (self.age_groups.is_empty() || self.age_groups.contains(&age_group))
    }
}

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    Count(u64),
    /// A small count shown as "<threshold" (protected).
    Hidden {
        below: u32,
    },
    /// A count hidden only because, beside a total, it would give a small one back; shown as
    /// "..": it may be of any size.
    Suppressed,
    /// A percentage (one decimal), or none where it would divide by zero.
    Percent(Option<f64>),
    Kronor(Option<u64>),
    Days(Option<u32>),
    Text(String),
}

impl Cell {
    /// The cell as text (decimal comma in Swedish).
    pub fn text(&self, swedish: bool) -> String {
        match self {
            Cell::Count(n) | Cell::Kronor(Some(n)) => n.to_string(),
            Cell::Hidden { below } => format!("<{below}"),
            Cell::Suppressed => "..".to_owned(),
            Cell::Percent(Some(p)) => {
                let t = format!("{p:.1}");
                if swedish { t.replace('.', ",") } else { t }
            }
            Cell::Days(Some(n)) => n.to_string(),
            Cell::Percent(None) | Cell::Kronor(None) | Cell::Days(None) => "–".to_owned(),
            Cell::Text(t) => t.clone(),
        }
    }

    /// The count, when the cell is one.
    pub fn count(&self) -> Option<u64> {
        match self {
            Cell::Count(n) => Some(*n),
            _ => None,
        }
    }
}

/// A labelled row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
}

/// A table: its title, column heads (after the row label), rows; and which cells a reader
/// could add up to a total shown elsewhere (for small-cell protection).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    /// Groups of column indexes whose counts add up to another column in the same row, the
    /// total last: e.g. `[0, 1, 2]` for women, men, total.
    #[serde(skip)]
    pub row_sums: Vec<Vec<usize>>,
    /// Columns whose counts add up over the rows to a total a reader knows (a single-choice
    /// question, end reasons).
    #[serde(skip)]
    pub column_sums: Vec<usize>,
}

/// A report ready to show or write out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub kind: ReportKind,
    pub title: String,
    /// The filters in words.
    pub filters: String,
    pub tables: Vec<Table>,
    pub notes: Vec<String>,
    /// Whether small cells were protected, and below what.
    pub protected_below: Option<u32>,
}

/// An intervention in the report's scope, with its association's threshold.
#[derive(Debug, Clone)]
pub(crate) struct Scoped {
    pub intervention: insats_domain::intervention::Intervention,
    pub association: insats_domain::organisation::Association,
}

impl Session {
    /// The interventions the report covers: those this session reaches, narrowed by the
    /// filter's association and interventions. An intervention named in the filter but out
    /// of scope is refused rather than silently left out.
    fn report_scope(&self, filter: &ReportFilter) -> Result<Vec<Scoped>, ServiceError> {
        let tx = self.service.store().read()?;
        let mut out = Vec::new();
        for id in &filter.interventions {
            let (_, access) = self.reachable(&*tx, *id)?;
            if access == Access::None {
                return Err(ServiceError::Denied(crate::error::DENIED_SCOPE));
            }
        }
        for association in insats_store::org::associations(&*tx)? {
            if filter.association.is_some_and(|a| a != association.id) {
                continue;
            }
            for i in insats_store::org::interventions_of(&*tx, association.id)? {
                if !filter.interventions.is_empty() && !filter.interventions.contains(&i.id) {
                    continue;
                }
                let (_, access) = self
                    .reachable(&*tx, i.id)
                    .unwrap_or((std::sync::Arc::new(i.clone()), Access::None));
                if access == Access::None {
                    continue;
                }
                out.push(Scoped {
                    intervention: i,
                    association: association.clone(),
                });
            }
        }
        Ok(out)
    }

    /// Runs a report: reads the aggregates of the interventions in scope, protects small cells
    /// for roles without personal-data access, and records the run in the audit log.
    pub fn report(
        &self,
        kind: ReportKind,
        filter: &ReportFilter,
        swedish: bool,
    ) -> Result<Report, ServiceError> {
        if filter.from > filter.to {
            return Err(insats_domain::planning::PlanRefusal::PeriodBackwards.into());
        }
        let scope = self.report_scope(filter)?;
        let mut report = {
            let tx = self.service.store().read()?;
            let catalogue = scope.first().map_or_else(
                || self.service.catalogue().clone(),
                |s| s.association.catalogue(self.service.catalogue()),
            );
            let today = self.service.clock().today();
            build::build(&*tx, kind, filter, &scope, &catalogue, swedish, today)?
        };
        report.filters = filter.describe(swedish);
        if !self.role.may_see_individuals() {
            // The smallest threshold any association in scope asks for would leak the others'
            // small cells: the largest applies.
            let threshold = scope
                .iter()
                .map(|s| s.association.small_cell_threshold)
                .max()
                .unwrap_or(insats_domain::planning::DEFAULT_SMALL_CELL);
            if threshold > 1 {
                for t in &mut report.tables {
                    protect(t, threshold);
                }
                report.protected_below = Some(threshold);
            }
        }
        let association = filter
            .association
            .or_else(|| scope.first().map(|s| s.association.id))
            .filter(|a| scope.iter().all(|s| s.association.id == *a));
        let tx = self.service.store().write()?;
        let draft = self.draft(
            Action::RunReport,
            association,
            (scope.len() == 1).then(|| scope[0].intervention.id),
            None,
            &[],
            format!("{} {}", kind.key(), filter.describe(false)),
        );
        self.service.audit(&tx, draft)?;
        self.service
            .commit(tx, &[Notice::new(self.id, Action::RunReport, None, None)])?;
        Ok(report)
    }
}

/// Labels of the age groups, in order.
pub fn age_group_labels(swedish: bool) -> Vec<String> {
    (0..AGE_GROUPS.len())
        .map(|g| age_group_label(u8::try_from(g).unwrap_or(0), swedish))
        .collect()
}

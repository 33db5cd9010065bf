//! Interventions (insatser) of an association.

use super::date::{Year, days, days_opt};
use super::ids::{AssociationId, InterventionId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Direction (inriktning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// individinriktad
    Individual,
    /// strukturövergripande
    Structural,
}

/// How participants are measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Measurement {
    /// Participants registered in and out, identified or anonymous.
    Individual,
    /// Volyminsats: the intervention manager enters a number of participants per period.
    CountOnly,
}

/// One budget line of a year: what was budgeted and, once known, the outcome (utfall), in whole
/// kronor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub budget: u64,
    pub outcome: Option<u64>,
}

/// Plan and budget for one budget (calendar) year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearPlan {
    pub year: Year,
    pub planned_participants: u32,
    /// The intervention's cost.
    pub cost: BudgetLine,
    /// The part of the cost funded by the ESF.
    pub esf: BudgetLine,
}

/// An intervention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    pub id: InterventionId,
    pub association: AssociationId,
    pub name: String,
    pub description: String,
    #[serde(with = "days")]
    pub start: NaiveDate,
    #[serde(with = "days_opt")]
    pub end: Option<NaiveDate>,
    pub direction: Direction,
    pub target_groups: Vec<String>,
    pub measurement: Measurement,
    /// Year plans, one per budget year, in year order.
    pub plans: Vec<YearPlan>,
    /// Detailed focus (preciserad inriktning), one of the association's list; empty when none.
    pub focus: String,
}

/// Where an intervention stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Planned,
    Active,
    Ended,
}

impl Status {
    pub fn label(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (Status::Planned, true) => "planerad",
            (Status::Planned, false) => "planned",
            (Status::Active, true) => "pågår",
            (Status::Active, false) => "active",
            (Status::Ended, true) => "avslutad",
            (Status::Ended, false) => "ended",
        }
    }
}

impl Intervention {
    pub fn status_on(&self, date: NaiveDate) -> Status {
        if date < self.start {
            Status::Planned
        } else if self.end.is_some_and(|e| date > e) {
            Status::Ended
        } else {
            Status::Active
        }
    }

    /// The plan of budget year `year`, if one is kept.
    pub fn plan(&self, year: Year) -> Option<&YearPlan> {
        self.plans.iter().find(|p| p.year == year)
    }

    /// Sets the plan of its year (replacing the one kept), keeping the plans in year order.
    pub fn set_plan(&mut self, plan: YearPlan) {
        self.plans.retain(|p| p.year != plan.year);
        let at = self.plans.partition_point(|p| p.year < plan.year);
        self.plans.insert(at, plan);
    }

    /// Whether `date` falls within the intervention's period.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.status_on(date) == Status::Active
    }
}

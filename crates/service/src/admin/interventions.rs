//! Keeping interventions for follow-up (domain §1, §9): editing and ending them, their year
//! plans with budget lines, and the monthly figures of count-only interventions. Intervention
//! managers keep their own interventions; association administrators every intervention of
//! their association; count-only figures are the managers'. Every change is one audit entry
//! naming the fields it touched.

use super::setup::{MAX_TITLE, optional_date, optional_text};
use crate::error::{DENIED_KEEPER, DENIED_MANAGER, ServiceError};
use crate::session::Session;
use chrono::{Datelike, NaiveDate};
use insats_domain::audit::Action;
use insats_domain::date::{Year, budget_year};
use insats_domain::ids::InterventionId;
use insats_domain::intervention::{BudgetLine, Direction, Intervention, Measurement, YearPlan};
use insats_domain::organisation::Association;
use insats_domain::person::clean_text;
use insats_domain::planning::{
    self, MAX_KRONOR, MAX_PEOPLE, PlanRefusal, Registered, Volume, parse_amount,
    parse_optional_amount,
};
use insats_domain::user::{Access, Role};
use insats_store::{Tx, org, people};

/// Changes to an intervention as typed; `None` leaves a field as it is. An empty end date
/// reopens an ended intervention; an empty focus clears it.
#[derive(Debug, Clone, Default)]
pub struct InterventionEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub target_groups: Option<Vec<String>>,
    pub focus: Option<String>,
    pub direction: Option<Direction>,
    pub measurement: Option<Measurement>,
    pub end: Option<String>,
}

/// A year plan as typed: whole numbers; an empty outcome is "not known yet".
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub year: String,
    pub planned_participants: String,
    pub cost_budget: String,
    pub cost_outcome: String,
    pub esf_budget: String,
    pub esf_outcome: String,
}

/// Count-only figures for one month as typed.
#[derive(Debug, Clone, Default)]
pub struct VolumeInput {
    pub year: String,
    pub month: String,
    pub women: String,
    pub men: String,
}

/// Reads a typed budget year (a whole number of at most four digits).
pub fn parse_year(text: &str) -> Result<Year, ServiceError> {
    let y = parse_amount(text, "year", 9999)?;
    Ok(Year::try_from(y).unwrap_or(Year::MAX))
}

fn people_count(text: &str, field: &'static str) -> Result<u32, ServiceError> {
    let n = parse_amount(text, field, u64::from(MAX_PEOPLE))?;
    Ok(u32::try_from(n).unwrap_or(MAX_PEOPLE))
}

impl PlanInput {
    fn parse(&self) -> Result<YearPlan, ServiceError> {
        let line = |budget: &str, outcome: &str, b: &'static str, o: &'static str| {
            Ok::<_, ServiceError>(BudgetLine {
                budget: parse_amount(budget, b, MAX_KRONOR)?,
                outcome: parse_optional_amount(outcome, o, MAX_KRONOR)?,
            })
        };
        Ok(YearPlan {
            year: parse_year(&self.year)?,
            planned_participants: people_count(&self.planned_participants, "planned participants")?,
            cost: line(
                &self.cost_budget,
                &self.cost_outcome,
                "cost budget",
                "cost outcome",
            )?,
            esf: line(
                &self.esf_budget,
                &self.esf_outcome,
                "ESF budget",
                "ESF outcome",
            )?,
        })
    }
}

/// The names (as the audit log keeps them) of the fields in which two plans differ.
fn plan_fields(before: Option<&YearPlan>, after: &YearPlan) -> Vec<&'static str> {
    let Some(b) = before else {
        return vec!["plan"];
    };
    let mut out = Vec::new();
    if b.planned_participants != after.planned_participants {
        out.push("planned_participants");
    }
    if b.cost.budget != after.cost.budget {
        out.push("cost_budget");
    }
    if b.cost.outcome != after.cost.outcome {
        out.push("cost_outcome");
    }
    if b.esf.budget != after.esf.budget {
        out.push("esf_budget");
    }
    if b.esf.outcome != after.esf.outcome {
        out.push("esf_outcome");
    }
    out
}

/// The names of the fields in which two versions of an intervention differ.
fn changed_fields(before: &Intervention, after: &Intervention) -> Vec<&'static str> {
    let mut out = Vec::new();
    if before.name != after.name {
        out.push("name");
    }
    if before.description != after.description {
        out.push("description");
    }
    if before.target_groups != after.target_groups {
        out.push("target_groups");
    }
    if before.focus != after.focus {
        out.push("focus");
    }
    if before.direction != after.direction {
        out.push("direction");
    }
    if before.measurement != after.measurement {
        out.push("measurement");
    }
    if before.end != after.end {
        out.push("end");
    }
    out
}

/// The first day of `year`, or of `month` of it.
fn first_day(year: Year, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

impl Session {
    /// The intervention and its association, when this session may keep it.
    fn keepable(
        &self,
        tx: &impl Tx,
        id: InterventionId,
    ) -> Result<(Intervention, Association), ServiceError> {
        if !matches!(
            self.role,
            Role::InterventionManager | Role::AssociationAdmin
        ) {
            return Err(ServiceError::Denied(DENIED_KEEPER));
        }
        let (i, access) = self
            .reachable(tx, id)
            .map_err(|_| ServiceError::Denied(DENIED_KEEPER))?;
        if access == Access::None {
            return Err(ServiceError::Denied(DENIED_KEEPER));
        }
        let association = Self::association_of(tx, &i)?;
        Ok(((*i).clone(), association))
    }

    /// Whether this session's role keeps interventions (intervention manager, association
    /// administrator); which ones, the service decides per intervention.
    pub fn require_keeper(&self) -> Result<(), ServiceError> {
        if matches!(
            self.role,
            Role::InterventionManager | Role::AssociationAdmin
        ) {
            Ok(())
        } else {
            Err(ServiceError::Denied(DENIED_KEEPER))
        }
    }

    /// An intervention as its keeper edits it, with its association (for the focus list):
    /// to fill an edit form with what is stored.
    pub fn kept(&self, id: InterventionId) -> Result<(Intervention, Association), ServiceError> {
        let tx = self.service.store().read()?;
        self.keepable(&*tx, id)
    }

    /// The monthly figures of a count-only intervention (any role that reaches it: they are
    /// aggregates).
    pub fn volumes(&self, id: InterventionId) -> Result<Vec<(Year, u8, Volume)>, ServiceError> {
        let tx = self.service.store().read()?;
        self.reachable(&*tx, id)?;
        Ok(people::volumes(&*tx, id)?)
    }

    /// What is registered in an intervention: counts, open participations and the latest day
    /// of any registration (participations, anonymous years, counted months).
    fn registered(tx: &impl Tx, i: &Intervention) -> Result<Registered, ServiceError> {
        let c = people::counters(tx, i.id)?;
        let anonymous = people::anonymous_by_year(tx, i.id)?;
        let volumes = people::volumes(tx, i.id)?;
        let mut total = c.open + c.ended;
        let mut last = None;
        for (year, a) in &anonymous {
            if a.total() > 0 {
                total += u64::from(a.total());
                last = last.max(first_day(*year, 1));
            }
        }
        for (year, month, v) in &volumes {
            if v.total() > 0 {
                total += v.total();
                last = last.max(first_day(*year, u32::from(*month)));
            }
        }
        if c.open + c.ended > 0 {
            last = last.max(people::last_registration_day(tx, i.id)?);
        }
        Ok(Registered {
            total,
            open: c.open,
            last,
        })
    }

    /// Edits an intervention (its manager, or an association administrator of its
    /// association). Returns the fields that changed; a change that changes nothing is refused
    /// and not logged.
    pub fn edit_intervention(
        &self,
        id: InterventionId,
        edit: &InterventionEdit,
    ) -> Result<Vec<&'static str>, ServiceError> {
        let tx = self.service.store().write()?;
        let (before, association) = self.keepable(&tx, id)?;
        let mut after = before.clone();
        if let Some(name) = &edit.name {
            after.name = clean_text(name, MAX_TITLE).map_err(ServiceError::text("name"))?;
        }
        if let Some(d) = &edit.description {
            after.description = optional_text(d, "description")?;
        }
        if let Some(groups) = &edit.target_groups {
            after.target_groups = groups
                .iter()
                .filter(|g| !g.trim().is_empty())
                .map(|g| clean_text(g, MAX_TITLE).map_err(ServiceError::text("target group")))
                .collect::<Result<_, _>>()?;
        }
        if let Some(focus) = &edit.focus {
            after.focus = if focus.trim().is_empty() {
                String::new()
            } else {
                clean_text(focus, MAX_TITLE).map_err(ServiceError::text("focus"))?
            };
        }
        if let Some(d) = edit.direction {
            after.direction = d;
        }
        if let Some(m) = edit.measurement {
            after.measurement = m;
        }
        if let Some(end) = &edit.end {
            after.end = optional_date(end, "end")?;
        }
        let registered = if after.end != before.end
            || after.direction != before.direction
            || after.measurement != before.measurement
        {
            Self::registered(&tx, &before)?
        } else {
            Registered::default()
        };
        planning::check_edit(&before, &after, &association, registered)?;
        let fields = changed_fields(&before, &after);
        org::put_intervention(&tx, &after)?;
        let note = match (edit.end.is_some(), after.end) {
            (true, Some(end)) if before.end != after.end => format!("ends {end}"),
            (true, None) if before.end.is_some() => "reopened".to_owned(),
            _ => String::new(),
        };
        self.commit_admin(
            tx,
            Action::UpdateIntervention,
            Some(association.id),
            Some(id),
            &fields,
            note,
        )?;
        Ok(fields)
    }

    /// Sets the plan of one budget year: planned participants and the budget lines with their
    /// outcome. Returns the fields that changed.
    pub fn set_plan(
        &self,
        id: InterventionId,
        input: &PlanInput,
    ) -> Result<Vec<&'static str>, ServiceError> {
        let plan = input.parse()?;
        let tx = self.service.store().write()?;
        let (mut intervention, association) = self.keepable(&tx, id)?;
        planning::check_plan(&plan, &intervention, &association)?;
        let fields = plan_fields(intervention.plan(plan.year), &plan);
        if fields.is_empty() {
            return Err(PlanRefusal::NothingChanged.into());
        }
        let year = plan.year;
        intervention.set_plan(plan);
        org::put_intervention(&tx, &intervention)?;
        self.commit_admin(
            tx,
            Action::SetPlan,
            Some(association.id),
            Some(id),
            &fields,
            year.to_string(),
        )?;
        Ok(fields)
    }

    /// Removes the plan of one budget year (entered for the wrong year, say).
    pub fn remove_plan(&self, id: InterventionId, year: Year) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        let (mut intervention, association) = self.keepable(&tx, id)?;
        if intervention.plan(year).is_none() {
            return Err(ServiceError::NotFound {
                what: "plan for the year",
                id: year.to_string(),
            });
        }
        intervention.plans.retain(|p| p.year != year);
        org::put_intervention(&tx, &intervention)?;
        self.commit_admin(
            tx,
            Action::SetPlan,
            Some(association.id),
            Some(id),
            &["plan"],
            format!("{year} removed"),
        )
    }

    /// Enters, or corrects, the participants a count-only intervention counted in one month,
    /// women and men (its intervention manager). The audit note keeps the figures before and
    /// after.
    pub fn set_volume(&self, id: InterventionId, input: &VolumeInput) -> Result<(), ServiceError> {
        self.require(Role::InterventionManager, DENIED_MANAGER)?;
        let year = parse_year(&input.year)?;
        // Month 0 and month 13 are the same mistake: one message for both.
        let month = match parse_amount(&input.month, "month", 12) {
            Ok(m @ 1..=12) => u8::try_from(m).unwrap_or(0),
            Ok(_)
            | Err(PlanRefusal::Amount {
                problem: insats_domain::planning::AmountProblem::TooLarge { .. },
                ..
            }) => return Err(PlanRefusal::Month.into()),
            Err(e) => return Err(e.into()),
        };
        let v = Volume {
            women: people_count(&input.women, "women")?,
            men: people_count(&input.men, "men")?,
            unsplit: 0,
        };
        let tx = self.service.store().write()?;
        let (i, association) = self.keepable(&tx, id)?;
        if i.measurement != Measurement::CountOnly {
            return Err(PlanRefusal::NotCountOnly.into());
        }
        planning::check_year(year, &i, &association)?;
        // Not a month that has not begun, nor one outside the intervention.
        let today = self.service.clock().today();
        let first = first_day(year, u32::from(month)).unwrap_or(NaiveDate::MAX);
        if first > today {
            return Err(insats_domain::participation::Refusal::DateInFuture.into());
        }
        let last_day = first_day(year + i32::from(month == 12), u32::from(month % 12) + 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(first);
        if last_day < i.start || i.end.is_some_and(|e| first > e) {
            return Err(PlanRefusal::YearOutside {
                year,
                first: budget_year(i.start),
                last: i.end.map(|e| e.year()),
            }
            .into());
        }
        let before = people::set_volume(&tx, id, year, month, v)?;
        if before == Some(v) {
            return Err(PlanRefusal::NothingChanged.into());
        }
        let note = match before {
            Some(b) => format!(
                "{year}-{month:02}: {} women, {} men (was {} women, {} men{})",
                v.women,
                v.men,
                b.women,
                b.men,
                if b.unsplit > 0 {
                    format!(", {} not split", b.unsplit)
                } else {
                    String::new()
                }
            ),
            None => format!("{year}-{month:02}: {} women, {} men", v.women, v.men),
        };
        self.commit_admin(
            tx,
            Action::SetVolume,
            Some(association.id),
            Some(id),
            &["women", "men"],
            note,
        )
    }
}

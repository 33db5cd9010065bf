//! An association's own settings (association administrator of it): name, description,
//! municipalities, end date, controller and data-protection officer contact, retention years,
//! the small-cell threshold of reports and the list of detailed focuses its interventions
//! choose from. One audit entry naming the fields that changed.

use super::setup::{MAX_TITLE, optional_date, optional_text};
use crate::error::ServiceError;
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::AssociationId;
use insats_domain::organisation::Association;
use insats_domain::person::{MunicipalityCode, clean_text};
use insats_domain::planning::{self, MAX_SMALL_CELL, PlanRefusal, RETENTION_YEARS, parse_amount};
use insats_store::org;

/// Changes to an association's settings as typed; `None` leaves a field as it is. An empty end
/// date reopens it; empty contacts clear them.
#[derive(Debug, Clone, Default)]
pub struct AssociationEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Municipality codes separated by commas or spaces.
    pub municipalities: Option<String>,
    pub end: Option<String>,
    pub controller: Option<String>,
    pub dpo: Option<String>,
    pub retention_years: Option<String>,
    pub small_cell_threshold: Option<String>,
    pub focus_options: Option<Vec<String>>,
}

fn changed_fields(before: &Association, after: &Association) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |changed: bool, field| {
        if changed {
            out.push(field);
        }
    };
    check(before.name != after.name, "name");
    check(before.description != after.description, "description");
    check(
        before.municipalities != after.municipalities,
        "municipalities",
    );
    check(before.end != after.end, "end");
    check(before.controller != after.controller, "controller");
    check(before.dpo != after.dpo, "dpo");
    check(
        before.retention_years != after.retention_years,
        "retention_years",
    );
    check(
        before.small_cell_threshold != after.small_cell_threshold,
        "small_cell_threshold",
    );
    check(before.focus_options != after.focus_options, "focus_options");
    out
}

impl Session {
    /// An association's settings, for its administrator to edit.
    pub fn association_settings(&self, id: AssociationId) -> Result<Association, ServiceError> {
        let tx = self.service.store().read()?;
        let a = org::association(&*tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "association",
            id: id.to_string(),
        })?;
        self.require_association_admin(&*tx, id)?;
        Ok(a)
    }

    /// Edits an association's settings. Returns the fields that changed; a change that changes
    /// nothing is refused and not logged.
    pub fn edit_association(
        &self,
        id: AssociationId,
        edit: &AssociationEdit,
    ) -> Result<Vec<&'static str>, ServiceError> {
        let tx = self.service.store().write()?;
        let before = org::association(&tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "association",
            id: id.to_string(),
        })?;
        self.require_association_admin(&tx, id)?;
        let mut after = before.clone();
        if let Some(name) = &edit.name {
            after.name = clean_text(name, MAX_TITLE).map_err(ServiceError::text("name"))?;
        }
        if let Some(d) = &edit.description {
            after.description = optional_text(d, "description")?;
        }
        if let Some(m) = &edit.municipalities {
            after.municipalities = m
                .split([',', ' '])
                .filter(|s| !s.trim().is_empty())
                .map(|s| MunicipalityCode::parse(s).map_err(ServiceError::text("municipalities")))
                .collect::<Result<Vec<_>, _>>()?;
        }
        if let Some(c) = &edit.controller {
            after.controller = optional_text(c, "controller")?;
        }
        if let Some(c) = &edit.dpo {
            after.dpo = optional_text(c, "data-protection officer")?;
        }
        if let Some(y) = &edit.retention_years {
            // Too many years and too few are the same mistake: one message for both.
            let (min, max) = RETENTION_YEARS;
            after.retention_years = match parse_amount(y, "retention years", u64::from(max)) {
                Ok(n) => u32::try_from(n).unwrap_or(u32::MAX),
                Err(PlanRefusal::Amount {
                    problem: insats_domain::planning::AmountProblem::TooLarge { .. },
                    ..
                }) => return Err(PlanRefusal::RetentionYears { min, max }.into()),
                Err(e) => return Err(e.into()),
            };
        }
        if let Some(t) = &edit.small_cell_threshold {
            let n = parse_amount(t, "small-cell threshold", u64::from(MAX_SMALL_CELL))?;
            after.small_cell_threshold = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(list) = &edit.focus_options {
            let mut options: Vec<String> = Vec::new();
            for f in list.iter().filter(|f| !f.trim().is_empty()) {
                let f = clean_text(f, MAX_TITLE).map_err(ServiceError::text("focus option"))?;
                if !options.contains(&f) {
                    options.push(f);
                }
            }
            after.focus_options = options;
        }
        if let Some(end) = &edit.end {
            after.end = optional_date(end, "end")?;
            if after.end != before.end
                && let Some(end) = after.end
            {
                if end < after.start {
                    return Err(PlanRefusal::EndBeforeStart { start: after.start }.into());
                }
                let mut continuing = 0;
                let mut last = Some(end);
                for i in org::interventions_of(&tx, id)? {
                    match i.end {
                        Some(e) if e <= end => {}
                        other => {
                            continuing += 1;
                            last = match (last, other) {
                                (Some(a), Some(b)) => Some(a.max(b)),
                                _ => None,
                            };
                        }
                    }
                }
                if continuing > 0 {
                    return Err(PlanRefusal::InterventionsContinue {
                        count: continuing,
                        last,
                    }
                    .into());
                }
            }
        }
        planning::check_settings(&after)?;
        let fields = changed_fields(&before, &after);
        if fields.is_empty() {
            return Err(PlanRefusal::NothingChanged.into());
        }
        org::put_association(&tx, &after)?;
        self.commit_admin(
            tx,
            Action::UpdateAssociation,
            Some(id),
            None,
            &fields,
            String::new(),
        )?;
        Ok(fields)
    }
}

//! Retention of unused consents (domain §10, our choice): a consent no registration uses is
//! personal data without a purpose. Registration in saves its consent together with it, so new
//! ones do not arise; older files, or a consent recorded on its own through the service, can
//! still hold some. Retention deletes those recorded a number of days ago (30 by default), with
//! the person when nothing else refers to them, one audit entry per intervention and batch.

use super::ServiceError;
use super::register::delete_person_if_unreferenced;
use super::retention::{Purged, intervention_names, purge_in_batches};
use super::session::Session;
use chrono::{Days, NaiveDate};
use insats_domain::ids::{ConsentId, InterventionId};
use insats_store::people;
use std::collections::BTreeMap;

/// Unused consents are deleted this many days after they were recorded, unless a run says
/// otherwise.
pub const UNUSED_CONSENT_DAYS: u32 = 30;

/// Unused consents of one intervention deleted (or to delete).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedConsentCount {
    pub intervention: InterventionId,
    pub name: String,
    pub consents: u64,
}

/// What retention did (or in a dry run would do) with unused consents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedConsentReport {
    pub days: u32,
    /// Consents recorded on or before this day and still unused go.
    pub cutoff: NaiveDate,
    pub interventions: Vec<UnusedConsentCount>,
    /// Persons deleted because nothing referred to them any more (0 in a dry run).
    pub persons_deleted: u64,
}

impl UnusedConsentReport {
    pub fn total(&self) -> u64 {
        self.interventions.iter().map(|c| c.consents).sum()
    }
}

impl Session {
    /// Counts, or with `apply` deletes, the consents unused `days` days after they were
    /// recorded. The caller checks the role and scrubs the file afterwards.
    pub(crate) fn unused_consents(
        &self,
        days: u32,
        apply: bool,
    ) -> Result<UnusedConsentReport, ServiceError> {
        let cutoff = self
            .service
            .clock()
            .today()
            .checked_sub_days(Days::new(u64::from(days)))
            .unwrap_or(NaiveDate::MIN);
        let (candidates, names) = {
            let tx = self.service.store().read()?;
            let candidates = people::unused_until(&*tx, cutoff)?;
            let names = intervention_names(&*tx, &candidates)?;
            (candidates, names)
        };
        let (counts, persons_deleted) = purge_in_batches(&candidates, apply, |batch| {
            self.delete_unused(batch, cutoff)
        })?;
        Ok(UnusedConsentReport {
            days,
            cutoff,
            interventions: counts
                .into_iter()
                .map(|(intervention, consents)| UnusedConsentCount {
                    name: names.get(&intervention).cloned().unwrap_or_default(),
                    intervention,
                    consents,
                })
                .collect(),
            persons_deleted,
        })
    }

    /// Deletes one batch in one write transaction; each consent is read afresh and skipped
    /// when it is gone or was used since the scan.
    fn delete_unused(
        &self,
        batch: &[(ConsentId, InterventionId)],
        cutoff: NaiveDate,
    ) -> Result<Purged, ServiceError> {
        let tx = self.service.store().write()?;
        let mut counts: BTreeMap<InterventionId, u64> = BTreeMap::new();
        let mut persons_deleted = 0;
        for (id, _) in batch {
            let Some(c) = people::consent(&tx, *id)? else {
                continue;
            };
            if c.used_by.is_some() || c.recorded_on > cutoff {
                continue;
            }
            people::delete_consent(&tx, &c)?;
            if delete_person_if_unreferenced(&tx, c.person)? {
                persons_deleted += 1;
            }
            *counts.entry(c.intervention).or_default() += 1;
        }
        let notices = self.audit_purge(&tx, &counts, &["consent"], |n| {
            format!("{n} unused consents recorded on or before {cutoff} deleted")
        })?;
        self.service.commit(tx, &notices)?;
        Ok((counts, persons_deleted))
    }
}

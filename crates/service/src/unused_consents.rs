//! Unused consents: a consent no registration uses is personal data without a purpose.
//! Registration in saves its consent together with it, so new ones do not arise from the
//! screen; older files, or a consent recorded on its own through the service, can still hold
//! some.
//!
//! - A handler assigned to the intervention sees them ([`Session::unused_consents_in`]) and
//!   either registers the person in with one, or removes it (audited, scrubbed).
//! - Retention (domain §10, our choice) deletes those recorded a number of days ago (30 by
//!   default), with the person when nothing else refers to them, one audit entry per
//!   intervention and batch.

use super::ServiceError;
use super::register::delete_person_if_unreferenced;
use super::retention::{Purged, intervention_names, purge_in_batches};
use super::session::Session;
use crate::core::Notice;
use crate::erasures::Erased;
use chrono::{Days, NaiveDate};
use insats_domain::audit::Action;
use insats_domain::consent::Consent;
use insats_domain::ids::{ConsentId, InterventionId};
use insats_domain::participation::Refusal;
use insats_domain::person::Identity;
use insats_store::journal::{Kind, Step};
use insats_store::people;
use std::collections::BTreeMap;

/// A consent of the intervention that no registration uses yet, with whom it is for.
#[derive(Clone)]
pub struct UnusedConsent {
    pub consent: Consent,
    pub identity: Identity,
}

impl std::fmt::Debug for UnusedConsent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnusedConsent({}, <redacted>)", self.consent.id)
    }
}

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
    /// The consents of an intervention that no registration uses yet, oldest first, with the
    /// identity each is for: a participant handler assigned to the intervention only. Like the
    /// participant list, the list is not an access entry; using or removing one is logged.
    pub fn unused_consents_in(
        &self,
        intervention: InterventionId,
    ) -> Result<Vec<UnusedConsent>, ServiceError> {
        let tx = self.service.store().read()?;
        self.handler(&*tx, intervention)?;
        let crypto = self.service.store().crypto();
        let mut out = Vec::new();
        for consent in people::unused_in(&*tx, intervention)? {
            let row =
                people::person(&*tx, consent.person)?.ok_or_else(|| ServiceError::NotFound {
                    what: "person",
                    id: consent.person.to_string(),
                })?;
            let identity = people::unseal_person(crypto, consent.person, &row)?;
            out.push(UnusedConsent { consent, identity });
        }
        Ok(out)
    }

    /// How many consents of an intervention no registration uses yet (0 for a session that may
    /// not act on its participants: the number is for the handler's reminder).
    pub fn unused_consent_count(&self, intervention: InterventionId) -> Result<u64, ServiceError> {
        let tx = self.service.store().read()?;
        if self.handler(&*tx, intervention).is_err() {
            return Ok(0);
        }
        Ok(people::unused_count(&*tx, intervention)?)
    }

    /// Removes a consent no registration uses (it was recorded by mistake, or the person will
    /// not be registered in after all): the consent, and the person when nothing else refers
    /// to them. Audited under the consent's pseudonym; the file is scrubbed afterwards.
    pub fn remove_unused_consent(&self, id: ConsentId) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        let c = people::consent(&tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "consent",
            id: id.to_string(),
        })?;
        let (intervention, association) = self.handler(&tx, c.intervention)?;
        if c.used_by.is_some() {
            return Err(Refusal::ConsentAlreadyUsed.into());
        }
        people::delete_consent(&tx, &c)?;
        let person_deleted = delete_person_if_unreferenced(&tx, c.person)?;
        let erased = Erased {
            kind: Kind::UnusedConsentRemoved,
            steps: vec![
                Step::DeleteConsent(c.id),
                Step::PersonIfUnreferenced(c.person),
            ],
        };
        let draft = self.draft(
            Action::RemoveConsent,
            Some(association.association.id),
            Some(intervention.id),
            Some(c.pseudonym),
            &["consent"],
            if person_deleted {
                "person deleted: nothing else referred to them".to_owned()
            } else {
                String::new()
            },
        );
        self.service.audit(&tx, draft)?;
        self.service.commit_erasure(
            tx,
            &[Notice::new(
                self.id,
                Action::RemoveConsent,
                None,
                Some(intervention.id),
            )],
            erased,
        )?;
        self.service.store().scrub()?;
        Ok(())
    }

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
        let mut erased = Erased::new(Kind::UnusedConsentPurge);
        for (id, _) in batch {
            let Some(c) = people::consent(&tx, *id)? else {
                continue;
            };
            if c.used_by.is_some() || c.recorded_on > cutoff {
                continue;
            }
            erased.steps.extend([
                Step::DeleteConsent(c.id),
                Step::PersonIfUnreferenced(c.person),
            ]);
            people::delete_consent(&tx, &c)?;
            if delete_person_if_unreferenced(&tx, c.person)? {
                persons_deleted += 1;
            }
            *counts.entry(c.intervention).or_default() += 1;
        }
        let notices = self.audit_purge(&tx, &counts, &["consent"], |_, n| {
            format!("{n} unused consents recorded on or before {cutoff} deleted")
        })?;
        self.service.commit_erasure(tx, &notices, erased)?;
        Ok((counts, persons_deleted))
    }
}

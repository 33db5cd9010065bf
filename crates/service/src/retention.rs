//! Retention (gallring, domain.md §5): the personal data of a participation is purged a number
//! of years after it was registered out. Like protected identity, each such participation
//! becomes one anonymous participant (gender, start year) in its intervention; its answers and
//! consent are deleted, and the person too once nothing else refers to them. The audit log is
//! never purged: its entries keep pseudonyms that now point at nothing. The same run deletes
//! consents no registration uses (see `unused_consents.rs`).

use super::core::Notice;
use super::erasures::Erased;
use super::error::{DENIED_ADMIN, RightsError, ServiceError};
use super::register::{anonymise, delete_person_if_unreferenced};
use super::session::Session;
use chrono::{Months, NaiveDate};
use insats_domain::audit::Action;
use insats_domain::ids::{AssociationId, InterventionId};
use insats_domain::user::Role;
use insats_store::journal::{Kind, Step};
use insats_store::{Tx, org, people};
use redb::WriteTransaction;
use std::collections::BTreeMap;

/// Participations purged per write transaction: large enough to be quick, small enough that
/// other sessions never wait long for the write lock.
pub const RETENTION_BATCH: usize = 5_000;
/// The shortest retention accepted, in years.
pub const MIN_RETENTION_YEARS: u32 = 1;

/// How long one association keeps a participation's personal data after registration out, as
/// a retention run applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRule {
    pub association: AssociationId,
    pub name: String,
    pub years: u32,
    /// Its participations registered out before this day are purged.
    pub cutoff: NaiveDate,
}

/// What a retention run purged, or in a dry run would purge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// The years given for every association (`None`: each association's own setting).
    pub years: Option<u32>,
    /// The rule applied to each association.
    pub rules: Vec<RetentionRule>,
    /// Whether the purge happened (`false`: a dry run, nothing changed).
    pub applied: bool,
    /// Per intervention with anything to purge, by id.
    pub interventions: Vec<RetentionCount>,
    /// Persons deleted because nothing referred to them any more (0 in a dry run).
    pub persons_deleted: u64,
    /// Consents no registration uses, deleted (or to delete) in the same run.
    pub unused_consents: crate::UnusedConsentReport,
}

impl RetentionReport {
    /// Participations purged (or to purge) in all.
    pub fn total(&self) -> u64 {
        self.interventions.iter().map(|c| c.participations).sum()
    }
}

/// Participations of one intervention purged (or to purge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionCount {
    pub intervention: InterventionId,
    pub name: String,
    pub participations: u64,
}

impl Session {
    /// Purges the personal data of participations registered out more than `years` years
    /// before today (system administrator). With `apply == false` nothing changes and the
    /// report says what would go. Otherwise the purge commits in batches of at most
    /// [`RETENTION_BATCH`] participations, each batch with one audit entry per intervention
    /// (the count in the note), and the freed pages of the file are scrubbed once at the end.
    pub fn retention(&self, years: u32, apply: bool) -> Result<RetentionReport, ServiceError> {
        self.retention_with(Some(years), crate::UNUSED_CONSENT_DAYS, apply)
    }

    /// [`Session::retention`] with `years` for every association, or each association's own
    /// retention setting (the one its processing record and its participants' information
    /// state) when `None`; deleting unused consents `unused_consent_days` days after they were
    /// recorded (instead of [`crate::UNUSED_CONSENT_DAYS`]).
    pub fn retention_with(
        &self,
        years: Option<u32>,
        unused_consent_days: u32,
        apply: bool,
    ) -> Result<RetentionReport, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        if years.is_some_and(|y| y < MIN_RETENTION_YEARS) {
            return Err(RightsError::RetentionTooShort {
                min: MIN_RETENTION_YEARS,
            }
            .into());
        }
        let today = self.service.clock().today();
        let cutoff_for = |years: u32| {
            years
                .checked_mul(12)
                .and_then(|m| today.checked_sub_months(Months::new(m)))
                .unwrap_or(NaiveDate::MIN)
        };
        // The candidates come from a full scan (no index by out-date; a run is rare), each held
        // to its own association's cutoff. The reader is dropped before any write, and must be before the scrub.
        let (rules, cutoffs, candidates, names) = {
            let tx = self.service.store().read()?;
            let tx = &*tx;
            let rules: Vec<RetentionRule> = org::associations(tx)?
                .into_iter()
                .map(|a| {
                    let y = years.unwrap_or(a.retention_years).max(MIN_RETENTION_YEARS);
                    RetentionRule {
                        association: a.id,
                        name: a.name,
                        years: y,
                        cutoff: cutoff_for(y),
                    }
                })
                .collect();
            let mut cutoffs: BTreeMap<InterventionId, NaiveDate> = BTreeMap::new();
            let candidates = people::ended_before(tx, |i| {
                if let Some(c) = cutoffs.get(&i) {
                    return Ok(*c);
                }
                let association = org::intervention(tx, i)?.map(|x| x.association);
                let c = rules
                    .iter()
                    .find(|r| Some(r.association) == association)
                    .map_or(NaiveDate::MIN, |r| r.cutoff);
                cutoffs.insert(i, c);
                Ok(c)
            })?;
            let names = intervention_names(tx, &candidates)?;
            (rules, cutoffs, candidates, names)
        };
        let (counts, persons_deleted) = purge_in_batches(&candidates, apply, |batch| {
            self.purge_batch(batch, &cutoffs)
        })?;
        let unused_consents = self.unused_consents(unused_consent_days, apply)?;
        if apply && (!counts.is_empty() || unused_consents.total() > 0) {
            self.service.store().scrub()?;
        }
        Ok(RetentionReport {
            unused_consents,
            years,
            rules,
            applied: apply,
            interventions: counts
                .into_iter()
                .map(|(intervention, participations)| RetentionCount {
                    name: names.get(&intervention).cloned().unwrap_or_default(),
                    intervention,
                    participations,
                })
                .collect(),
            persons_deleted,
        })
    }

    /// Purges one batch in one write transaction. Each participation is read afresh and
    /// skipped when it is gone or no longer due (changed since the scan).
    fn purge_batch(
        &self,
        batch: &[(insats_domain::ids::ParticipationId, InterventionId)],
        cutoffs: &BTreeMap<InterventionId, NaiveDate>,
    ) -> Result<(BTreeMap<InterventionId, u64>, u64), ServiceError> {
        let tx = self.service.store().write()?;
        let mut counts: BTreeMap<InterventionId, u64> = BTreeMap::new();
        let mut persons_deleted = 0;
        let mut erased = Erased::new(Kind::RetentionPurge);
        for (id, _) in batch {
            let Some(p) = people::participation(&tx, *id)? else {
                continue;
            };
            let cutoff = cutoffs.get(&p.intervention).copied();
            if cutoff.is_none_or(|c| p.out_date.is_none_or(|d| d >= c)) {
                continue;
            }
            erased.steps.extend([
                Step::Anonymise(p.id),
                Step::DeleteConsent(p.consent),
                Step::PersonIfUnreferenced(p.person),
            ]);
            anonymise(&tx, &p)?;
            people::delete_consent_of(&tx, p.consent)?;
            if delete_person_if_unreferenced(&tx, p.person)? {
                persons_deleted += 1;
            }
            *counts.entry(p.intervention).or_default() += 1;
        }
        let notices = self.audit_purge(&tx, &counts, &["*"], |i, n| {
            let cutoff = cutoffs.get(&i).copied().unwrap_or(NaiveDate::MIN);
            format!("{n} participations registered out before {cutoff} made anonymous")
        })?;
        self.service.commit_erasure(tx, &notices, erased)?;
        Ok((counts, persons_deleted))
    }

    /// One audit entry (and change notice) per intervention of a purge batch, written in its
    /// transaction: what went, as a count in the note, never who.
    pub(crate) fn audit_purge(
        &self,
        tx: &WriteTransaction,
        counts: &BTreeMap<InterventionId, u64>,
        fields: &[&str],
        note: impl Fn(InterventionId, u64) -> String,
    ) -> Result<Vec<Notice>, ServiceError> {
        let mut notices = Vec::new();
        for (i, n) in counts {
            let association = org::intervention(tx, *i)?.map(|x| x.association);
            let draft = self.draft(
                Action::RetentionPurge,
                association,
                Some(*i),
                None,
                fields,
                note(*i, *n),
            );
            self.service.audit(tx, draft)?;
            notices.push(Notice::new(self.id, Action::RetentionPurge, None, Some(*i)));
        }
        Ok(notices)
    }
}

/// Purge counts per intervention, and persons deleted.
pub(crate) type Purged = (BTreeMap<InterventionId, u64>, u64);

/// Runs a purge over `candidates` (a record and its intervention): in a dry run counts them per
/// intervention; with `apply`, hands them to `purge` in batches of at most [`RETENTION_BATCH`]
/// (one write transaction each) and adds up what it purged.
pub(crate) fn purge_in_batches<T>(
    candidates: &[(T, InterventionId)],
    apply: bool,
    mut purge: impl FnMut(&[(T, InterventionId)]) -> Result<Purged, ServiceError>,
) -> Result<Purged, ServiceError> {
    let mut counts: BTreeMap<InterventionId, u64> = BTreeMap::new();
    let mut persons_deleted = 0;
    if apply {
        for batch in candidates.chunks(RETENTION_BATCH) {
            let (batch_counts, deleted) = purge(batch)?;
            persons_deleted += deleted;
            for (i, n) in batch_counts {
                *counts.entry(i).or_default() += n;
            }
        }
    } else {
        for (_, i) in candidates {
            *counts.entry(*i).or_default() += 1;
        }
    }
    Ok((counts, persons_deleted))
}

/// The names of the interventions `candidates` belong to.
pub(crate) fn intervention_names<T>(
    tx: &impl Tx,
    candidates: &[(T, InterventionId)],
) -> Result<BTreeMap<InterventionId, String>, ServiceError> {
    let mut names = BTreeMap::new();
    for (_, i) in candidates {
        if !names.contains_key(i) {
            let name = org::intervention(tx, *i)?.map(|x| x.name);
            names.insert(*i, name.unwrap_or_default());
        }
    }
    Ok(names)
}

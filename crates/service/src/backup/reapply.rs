//! Applying the erasure journal to a restored register: every erasure it records, each step
//! only where its record is still present (so an erasure the backup already holds changes
//! nothing), each in a transaction of its own with its audit entries; then the id sequences
//! are moved past every id the journal names, so a record made after the restore never takes
//! the id of one erased before it (and a later restore cannot mistake one for the other).

use crate::ServiceError;
use crate::core::Service;
use crate::register::{anonymise, delete_person_if_unreferenced};
use insats_domain::audit::{Action, Draft};
use insats_domain::ids::InterventionId;
use insats_store::journal::{Erasure, Kind, Step};
use insats_store::{Tx, org, people};
use redb::WriteTransaction;
use std::collections::BTreeMap;

/// What applying the journal changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reapplied {
    /// Journal records that changed something in the restored register.
    pub erasures: u64,
    pub participations: u64,
    pub consents: u64,
    pub persons: u64,
}

/// Per intervention, what one erasure changed (for its audit entries).
#[derive(Default)]
struct Changed {
    participations: BTreeMap<InterventionId, u64>,
    consents: BTreeMap<InterventionId, u64>,
    persons: u64,
}

impl Changed {
    fn any(&self) -> bool {
        !self.participations.is_empty() || !self.consents.is_empty() || self.persons > 0
    }
}

impl Service {
    /// Applies `erasures` (oldest first) to this register, audits each that changed anything,
    /// and raises the id sequences past every id they name.
    pub(crate) fn reapply(&self, erasures: &[Erasure]) -> Result<Reapplied, ServiceError> {
        let mut done = Reapplied::default();
        for e in erasures {
            let tx = self.store().write()?;
            let mut changed = Changed::default();
            for step in &e.steps {
                apply(&tx, *step, &mut changed)?;
            }
            if !changed.any() {
                tx.abort().map_err(insats_store::StoreError::from)?;
                continue;
            }
            done.erasures += 1;
            done.participations += changed.participations.values().sum::<u64>();
            done.consents += changed.consents.values().sum::<u64>();
            done.persons += changed.persons;
            self.audit_reapplied(&tx, e, &changed)?;
            self.commit(tx, &[])?;
        }
        let tx = self.store().write()?;
        for (sequence, max) in highest_ids(erasures) {
            insats_store::raise_sequence(&tx, sequence, max)?;
        }
        self.commit(tx, &[])?;
        Ok(done)
    }

    /// One entry per intervention the erasure touched (its counts in the note), or one
    /// without an intervention when it deleted only a person.
    fn audit_reapplied(
        &self,
        tx: &WriteTransaction,
        e: &Erasure,
        changed: &Changed,
    ) -> Result<(), ServiceError> {
        let mut interventions: BTreeMap<InterventionId, (u64, u64)> = BTreeMap::new();
        for (i, n) in &changed.participations {
            interventions.entry(*i).or_default().0 += n;
        }
        for (i, n) in &changed.consents {
            interventions.entry(*i).or_default().1 += n;
        }
        let when = chrono::DateTime::from_timestamp_millis(e.at_ms).map_or_else(String::new, |t| {
            t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        });
        let note = |p: u64, c: u64| {
            format!(
                "re-applied after a restore: erasure of {when} (erasure journal line {}): {p} participations, {c} consents, {} persons",
                e.n, changed.persons
            )
        };
        let draft = |intervention: Option<InterventionId>, p, c| -> Result<Draft, ServiceError> {
            let association = match intervention {
                Some(i) => org::intervention(tx, i)?.map(|x| x.association),
                None => None,
            };
            Ok(Draft {
                user: None,
                role: None,
                session: 0,
                association,
                intervention,
                subject: None,
                action: action_of(e.kind),
                fields: vec!["*".to_owned()],
                note: note(p, c),
            })
        };
        if interventions.is_empty() {
            let d = draft(None, 0, 0)?;
            return self.audit(tx, d);
        }
        for (i, (p, c)) in interventions {
            let d = draft(Some(i), p, c)?;
            self.audit(tx, d)?;
        }
        Ok(())
    }
}

/// The audit action an erasure is recorded under when it is applied again.
fn action_of(kind: Kind) -> Action {
    match kind {
        Kind::Misregistration => Action::Misregistration,
        Kind::ProtectedIdentity => Action::ProtectedIdentity,
        Kind::RetentionPurge | Kind::UnusedConsentPurge => Action::RetentionPurge,
        Kind::UnusedConsentRemoved | Kind::ConsentWithdrawn => Action::RemoveConsent,
    }
}

/// Does one step where its record is still there.
fn apply(tx: &WriteTransaction, step: Step, changed: &mut Changed) -> Result<(), ServiceError> {
    match step {
        Step::Erase(id) => {
            if let Some(p) = people::participation(tx, id)? {
                people::delete_participation(tx, &p)?;
                *changed.participations.entry(p.intervention).or_default() += 1;
            }
        }
        Step::Anonymise(id) => {
            if let Some(p) = people::participation(tx, id)? {
                anonymise(tx, &p)?;
                *changed.participations.entry(p.intervention).or_default() += 1;
            }
        }
        Step::DeleteConsent(id) => {
            if let Some(c) = people::consent(tx, id)? {
                // A consent still used by a participation in this file stays with it (the
                // journal erases the participation first whenever it erased both).
                let used = match c.used_by {
                    Some(p) => people::participation(tx, p)?.is_some(),
                    None => false,
                };
                if !used {
                    people::delete_consent(tx, &c)?;
                    *changed.consents.entry(c.intervention).or_default() += 1;
                }
            }
        }
        Step::PersonIfUnreferenced(x) => {
            if people::person(tx, x)?.is_some() && delete_person_if_unreferenced(tx, x)? {
                changed.persons += 1;
            }
        }
        Step::ProtectPerson(x) => {
            if people::person(tx, x)?.is_some() {
                for p in people::participations_of_person(tx, x)? {
                    anonymise(tx, &p)?;
                    *changed.participations.entry(p.intervention).or_default() += 1;
                }
                for c in people::consents_of(tx, x)? {
                    people::delete_consent(tx, &c)?;
                    *changed.consents.entry(c.intervention).or_default() += 1;
                }
                people::delete_person(tx, x)?;
                changed.persons += 1;
            }
        }
    }
    Ok(())
}

/// The highest participation, consent and person id the journal names, by sequence.
fn highest_ids(erasures: &[Erasure]) -> Vec<(&'static str, u64)> {
    let (mut p, mut c, mut x) = (0, 0, 0);
    for step in erasures.iter().flat_map(|e| &e.steps) {
        match *step {
            Step::Erase(id) | Step::Anonymise(id) => p = p.max(id.0),
            Step::DeleteConsent(id) => c = c.max(id.0),
            Step::PersonIfUnreferenced(id) | Step::ProtectPerson(id) => x = x.max(id.0),
        }
    }
    vec![("participation", p), ("consent", c), ("person", x)]
}

/// Which steps of the journal still find their record in the register (none should, after
/// [`Service::reapply`]): how many, for the restore's own check.
pub(crate) fn still_present(tx: &impl Tx, erasures: &[Erasure]) -> Result<u64, ServiceError> {
    let mut n = 0;
    for step in erasures.iter().flat_map(|e| &e.steps) {
        let present = match *step {
            Step::Erase(id) | Step::Anonymise(id) => people::participation(tx, id)?.is_some(),
            Step::DeleteConsent(id) => {
                people::consent(tx, id)?.is_some_and(|c| c.used_by.is_none())
            }
            Step::ProtectPerson(id) => people::person(tx, id)?.is_some(),
            Step::PersonIfUnreferenced(_) => false,
        };
        n += u64::from(present);
    }
    Ok(n)
}

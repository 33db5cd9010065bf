//! The record of processing activities (GDPR Art. 30; domain §10) of an association: every role
//! that works in the association (or a system administrator) reads it; its association
//! administrator changes it, in one write transaction with its audit entry naming the sections
//! that changed. An association that has not set one is shown the program's default, which
//! describes this register as it is. It holds no personal data, and reading it is not logged.

use crate::error::{DENIED_ASSOCIATION_SCOPE, ServiceError};
use crate::{Information, Session, UNUSED_CONSENT_DAYS};
use insats_domain::audit::Action;
use insats_domain::ids::AssociationId;
use insats_domain::information::{Section, render};
use insats_domain::organisation::Association;
use insats_domain::record::{self, ProcessingRecord, RecordError, RetentionFacts};
use insats_domain::user::{Role, Scope};
use insats_store::{Tx, org};

/// An association's record as kept, with what it is shown with.
#[derive(Debug, Clone)]
pub struct RecordView {
    pub association: Association,
    pub record: ProcessingRecord,
    /// Whether this is the program's default (the association has not set its own).
    pub is_default: bool,
}

impl RecordView {
    fn facts() -> RetentionFacts {
        RetentionFacts {
            unused_consent_days: UNUSED_CONSENT_DAYS,
        }
    }

    pub fn title(&self, swedish: bool) -> String {
        record::title(&self.association, swedish)
    }

    /// The record's sections in one language, with retention from the association's settings.
    pub fn sections(&self, swedish: bool) -> Vec<Section> {
        record::sections(
            &self.association,
            &self.record,
            self.is_default,
            Self::facts(),
            swedish,
        )
    }

    /// As plain text to print.
    pub fn text(&self, swedish: bool) -> String {
        render(&self.title(swedish), &self.sections(swedish))
    }

    /// As a title and sections, the way the participant's information is shown.
    pub fn information(&self, swedish: bool) -> Information {
        Information {
            title: self.title(swedish),
            sections: self.sections(swedish),
        }
    }

    /// As a TOML file to edit and set again.
    pub fn toml(&self) -> String {
        record::to_toml(&self.record)
    }
}

impl Session {
    /// Whether this session works in association `id`: a system administrator always; any other
    /// role through an active assignment to it or to one of its interventions.
    fn sees_association(&self, tx: &impl Tx, id: AssociationId) -> Result<(), ServiceError> {
        let policy = self.policy(tx)?;
        let assignments = policy.assignments()?;
        if self.role == Role::SystemAdmin {
            return Ok(());
        }
        for a in assignments {
            let reached = match a.scope {
                Scope::Association(x) => x == id,
                Scope::Intervention(i) => policy
                    .intervention(tx, i)?
                    .is_some_and(|(i, _)| i.association == id),
            };
            if reached {
                return Ok(());
            }
        }
        Err(ServiceError::Denied(DENIED_ASSOCIATION_SCOPE))
    }

    /// The record of association `id`, for every role that works in it.
    pub fn processing_record(&self, id: AssociationId) -> Result<RecordView, ServiceError> {
        let tx = self.service.store().read()?;
        let association = org::association(&*tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "association",
            id: id.to_string(),
        })?;
        self.sees_association(&*tx, id)?;
        let stored = org::processing_record(&*tx, id)?;
        Ok(RecordView {
            association,
            is_default: stored.is_none(),
            record: stored.unwrap_or_else(ProcessingRecord::default_for_this_register),
        })
    }

    /// Sets the record of association `id` (its association administrator). It is checked
    /// first; the sections that changed are returned and named in the audit entry. A record
    /// that changes nothing is refused and not logged.
    pub fn set_processing_record(
        &self,
        id: AssociationId,
        record: &ProcessingRecord,
    ) -> Result<Vec<&'static str>, ServiceError> {
        let tx = self.service.store().write()?;
        if org::association(&tx, id)?.is_none() {
            return Err(ServiceError::NotFound {
                what: "association",
                id: id.to_string(),
            });
        }
        self.require_association_admin(&tx, id)?;
        let record = record.checked()?;
        let before = org::processing_record(&tx, id)?
            .unwrap_or_else(ProcessingRecord::default_for_this_register);
        let fields = record.changed_sections(&before);
        if fields.is_empty() {
            return Err(RecordError::NothingChanged.into());
        }
        org::put_processing_record(&tx, id, &record)?;
        self.commit_admin(
            tx,
            Action::UpdateProcessingRecord,
            Some(id),
            None,
            &fields,
            String::new(),
        )?;
        Ok(fields)
    }
}

#[cfg(test)]
mod tests;

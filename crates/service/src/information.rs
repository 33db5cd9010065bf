//! The information to a participant (GDPR Art. 13; domain §10), filled from the settings of the
//! association the intervention belongs to. It holds no personal data: any role that reaches the
//! intervention may show or print it, and showing it is not logged.

use crate::{ServiceError, Session};
use insats_domain::ids::InterventionId;
use insats_domain::information::{Section, participant_information, render, title};
use insats_store::org;

/// The information text: a title and its sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Information {
    pub title: String,
    pub sections: Vec<Section>,
}

impl Information {
    /// As plain text for print or a file.
    pub fn text(&self) -> String {
        render(&self.title, &self.sections)
    }
}

impl Session {
    /// The information to a participant of `intervention`, in Swedish or English.
    pub fn participant_information(
        &self,
        intervention: InterventionId,
        swedish: bool,
    ) -> Result<Information, ServiceError> {
        let tx = self.service.store().read()?;
        let (i, _) = self.reachable(&*tx, intervention)?;
        let a = org::association(&*tx, i.association)?.ok_or_else(|| ServiceError::NotFound {
            what: "association",
            id: i.association.to_string(),
        })?;
        Ok(Information {
            title: title(&a, swedish),
            sections: participant_information(&a, None, swedish),
        })
    }
}

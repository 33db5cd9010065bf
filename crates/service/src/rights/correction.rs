//! Correcting a person's name or home municipality on their request.

use super::extract::whereabouts;
use crate::core::Notice;
use crate::error::{DENIED_ADMIN, RightsError, ServiceError};
use crate::reason::{check_reason, clean_reason};
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::person::{MAX_NAME_CHARS, MunicipalityCode, clean_text};
use insats_domain::personnummer::Personnummer;
use insats_domain::user::Role;
use insats_store::people;

impl Session {
    /// Corrects a person's name and/or home municipality on their request (system administrator,
    /// with a reason). Allowed after a withdrawal of consent too: correcting wrong data is a
    /// right of the data subject, not new data. The personnummer itself is the key and is not
    /// corrected here. Returns the fields that changed.
    pub fn correct_identity(
        &self,
        pnr: &str,
        name: Option<&str>,
        municipality: Option<&str>,
        reason: &str,
    ) -> Result<Vec<&'static str>, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let reason = clean_reason(reason)?;
        let today = self.service.clock().today();
        let pnr = Personnummer::parse(pnr, today)?;
        let name = name
            .map(|n| clean_text(n, MAX_NAME_CHARS).map_err(ServiceError::text("name")))
            .transpose()?;
        let municipality = municipality
            .map(|m| MunicipalityCode::parse(m).map_err(ServiceError::text("municipality")))
            .transpose()?;
        if name.is_none() && municipality.is_none() {
            return Err(RightsError::NothingToCorrect.into());
        }
        let tx = self.service.store().write()?;
        let crypto = self.service.store().crypto();
        let person = people::person_by_pnr(&tx, crypto, &pnr)?.ok_or(RightsError::NoSuchPerson)?;
        let row = people::person(&tx, person)?.ok_or(RightsError::NoSuchPerson)?;
        let stored = people::unseal_person(crypto, person, &row)?;
        let names: Vec<&str> = std::iter::once(stored.name.as_str())
            .chain(name.as_deref())
            .collect();
        check_reason(&reason, &pnr, &names, today)?;
        let mut next = stored.clone();
        let mut fields = Vec::new();
        if let Some(n) = name.filter(|n| *n != stored.name) {
            next.name = n;
            fields.push("name");
        }
        if let Some(m) = municipality.filter(|m| *m != stored.municipality) {
            next.municipality = m;
            fields.push("municipality");
        }
        if !fields.is_empty() {
            let mut sealed = people::seal_person(crypto, person, &next, row.pseudonym)?;
            sealed.withdrawn_on = row.withdrawn_on;
            people::put_person(&tx, person, &sealed)?;
        }
        let (association, interventions) = whereabouts(&tx, Some(person))?;
        let draft = self.draft(
            Action::CorrectIdentity,
            association,
            None,
            Some(row.pseudonym),
            &fields,
            reason,
        );
        self.service.audit(&tx, draft)?;
        let notices: Vec<Notice> = interventions
            .into_iter()
            .map(|i| Notice::new(self.id, Action::CorrectIdentity, None, Some(i)))
            .collect();
        self.service.commit(tx, &notices)?;
        Ok(fields)
    }
}

//! Written consent (form 9443): the identity and evidence as typed, and recording a consent,
//! which creates or updates the person record.

use super::entry::{NewRegistration, RegisterInInput};
use crate::core::Notice;
use crate::error::ServiceError;
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::consent::{Consent, ConsentEvidence, Signer, check_evidence};
use insats_domain::date::parse_iso;
use insats_domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId};
use insats_domain::participation::Refusal;
use insats_domain::person::{Identity, MAX_NAME_CHARS, MunicipalityCode, clean_text};
use insats_domain::personnummer::Personnummer;
use insats_store::next_id;
use insats_store::people::{self, Subject};
use redb::WriteTransaction;

/// A person's identity as typed.
#[derive(Clone, Default)]
pub struct IdentityInput {
    pub pnr: String,
    pub name: String,
    pub municipality: String,
}

impl std::fmt::Debug for IdentityInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityInput(<redacted>)")
    }
}

/// Form 9443 evidence as typed.
#[derive(Debug, Clone)]
pub struct ConsentInput {
    pub signed_on: String,
    pub signed_by: Signer,
    pub received_by: String,
    /// Empty when the original has not been sent on yet.
    pub original_sent_on: String,
    pub judged_mature: bool,
}

impl IdentityInput {
    pub(crate) fn parse(&self, today: chrono::NaiveDate) -> Result<Identity, ServiceError> {
        Ok(Identity {
            pnr: Personnummer::parse(&self.pnr, today)?,
            name: clean_text(&self.name, MAX_NAME_CHARS).map_err(ServiceError::text("name"))?,
            municipality: MunicipalityCode::parse(&self.municipality)
                .map_err(ServiceError::text("municipality"))?,
        })
    }
}

impl ConsentInput {
    fn parse(&self) -> Result<ConsentEvidence, ServiceError> {
        let sent = self.original_sent_on.trim();
        Ok(ConsentEvidence {
            signed_on: parse_iso(&self.signed_on).map_err(ServiceError::date("signed on"))?,
            signed_by: self.signed_by,
            received_by: self.received_by.trim().to_owned(),
            original_sent_on: if sent.is_empty() {
                None
            } else {
                Some(parse_iso(sent).map_err(ServiceError::date("original sent on"))?)
            },
            judged_mature: self.judged_mature,
        })
    }
}

impl Session {
    /// Records written consent (form 9443) for a person in an intervention, creating the person
    /// record if the personnummer is new. Returns the consent to register in with.
    pub fn record_consent(
        &self,
        intervention: InterventionId,
        identity: &IdentityInput,
        consent: &ConsentInput,
    ) -> Result<ConsentId, ServiceError> {
        let session = self.clone();
        let (identity, consent) = (identity.clone(), consent.clone());
        self.service.grouped(move |tx| {
            let id = session.record_consent_in(tx, intervention, &identity, &consent)?;
            let notice = Notice::new(session.id, Action::RecordConsent, None, Some(intervention));
            Ok((id, vec![notice]))
        })
    }

    /// Checks a consent and identity exactly as [`Session::record_consent`] would, without
    /// keeping anything (the write is rolled back): the consent form's check before the
    /// questionnaire, so a refusal shows where it was typed and nothing personal is stored yet.
    pub fn check_consent(
        &self,
        intervention: InterventionId,
        identity: &IdentityInput,
        consent: &ConsentInput,
    ) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        let checked = self
            .record_consent_in(&tx, intervention, identity, consent)
            .map(|_| ());
        tx.abort().map_err(insats_store::StoreError::from)?;
        checked
    }

    /// Records the consent and registers the person in, in one transaction: both are kept or
    /// neither is, so no consent is ever left without the registration it was given for (a
    /// cancelled questionnaire or a crash between two commits would leave personal data with
    /// no purpose).
    pub fn register_new(
        &self,
        intervention: InterventionId,
        identity: &IdentityInput,
        consent: &ConsentInput,
        registration: &NewRegistration,
    ) -> Result<ParticipationId, ServiceError> {
        let session = self.clone();
        let (identity, consent, registration) =
            (identity.clone(), consent.clone(), registration.clone());
        self.service.grouped(move |tx| {
            let consent = session.record_consent_in(tx, intervention, &identity, &consent)?;
            let input = RegisterInInput {
                consent,
                in_date: registration.in_date.clone(),
                gender: registration.gender,
                answers: registration.answers.clone(),
            };
            let (id, intervention) = session.register_in_in(tx, &input)?;
            let notice = Notice::new(session.id, Action::RegisterIn, None, Some(intervention));
            Ok((id, vec![notice]))
        })
    }

    pub fn record_consent_in(
        &self,
        tx: &WriteTransaction,
        intervention_id: InterventionId,
        identity: &IdentityInput,
        consent: &ConsentInput,
    ) -> Result<ConsentId, ServiceError> {
        let today = self.service.clock().today();
        let (intervention, association) = self.handler(tx, intervention_id)?;
        let identity = identity.parse(today)?;
        let evidence = consent.parse()?;
        check_evidence(&evidence, identity.pnr.age_on(evidence.signed_on), today)?;
        if intervention.measurement == insats_domain::intervention::Measurement::CountOnly {
            return Err(Refusal::CountOnlyIntervention.into());
        }
        let crypto = self.service.store().crypto();
        let existing = people::person_by_pnr(tx, crypto, &identity.pnr)?;
        let mut fields = vec!["consent"];
        let person = if let Some(pid) = existing {
            let row = people::person(tx, pid)?.ok_or(ServiceError::NotFound {
                what: "person",
                id: pid.to_string(),
            })?;
            if row.withdrawn_on.is_some_and(|w| evidence.signed_on < w) {
                return Err(Refusal::NewConsentNeeded.into());
            }
            let stored = people::unseal_person(crypto, pid, &row)?;
            if stored != identity {
                if stored.name != identity.name {
                    fields.push("name");
                }
                if stored.municipality != identity.municipality {
                    fields.push("municipality");
                }
                let mut sealed = people::seal_person(crypto, pid, &identity, row.pseudonym)?;
                sealed.withdrawn_on = row.withdrawn_on;
                people::put_person(tx, pid, &sealed)?;
            }
            pid
        } else {
            let pid = PersonId(next_id(tx, "person")?);
            let pseudonym = self.service.store().pseudonyms().of(Subject::Person(pid))?;
            let sealed = people::seal_person(crypto, pid, &identity, pseudonym)?;
            people::put_person(tx, pid, &sealed)?;
            fields.extend(["pnr", "name", "municipality"]);
            pid
        };
        let id = ConsentId(next_id(tx, "consent")?);
        let consent_pseudonym = self.service.store().pseudonyms().of(Subject::Consent(id))?;
        let record = Consent {
            id,
            intervention: intervention.id,
            person,
            pseudonym: consent_pseudonym,
            evidence,
            recorded_on: today,
            used_by: None,
        };
        people::put_consent(tx, &record)?;
        let draft = self.draft(
            Action::RecordConsent,
            Some(association.association.id),
            Some(intervention.id),
            Some(consent_pseudonym),
            &fields,
            String::new(),
        );
        self.service.audit(tx, draft)?;
        Ok(id)
    }
}

//! Commands of a participant handler: consent, registration in and out, corrections,
//! withdrawal, protected identity, misregistration, anonymous participants.
//!
//! Each command first reads and checks everything (a refusal writes nothing), then writes the
//! change and its audit entry. The `*_in` variants work inside a caller's write transaction, so
//! several commands can be committed together and each keeps its own refusal.

use super::core::Notice;
use super::error::ServiceError;
use super::policy::AssociationFacts;
use super::session::Session;
use insats_domain::audit::Action;
use insats_domain::consent::{Consent, ConsentEvidence, Signer, check_evidence};
use insats_domain::date::{Year, parse_iso};
use insats_domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use insats_domain::participation::{
    self, Command, Facts, Occasion, Outcome, Participation, ParticipationSummary, Refusal,
    RegisterIn,
};
use insats_domain::person::{Gender, Identity, MAX_NAME_CHARS, MunicipalityCode, clean_text};
use insats_domain::personnummer::Personnummer;
use insats_domain::questionnaire::{Answers, EndReason};
use insats_store::people::{self, Subject};
use insats_store::{next_id, org, summary};
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

/// Registration in, as typed.
#[derive(Debug, Clone)]
pub struct RegisterInInput {
    pub consent: ConsentId,
    pub in_date: String,
    /// `None`: from the personnummer.
    pub gender: Option<Gender>,
    pub answers: Answers,
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
    /// The facts the rules need about an intervention, on today's date.
    fn facts<'a>(
        &self,
        association: &'a AssociationFacts,
        intervention: &'a insats_domain::intervention::Intervention,
    ) -> Facts<'a> {
        Facts {
            today: self.service.clock().today(),
            association_start: association.association.start,
            association_end: association.association.end,
            intervention,
            catalogue: &association.catalogue,
        }
    }

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

    /// Registers a person in (inregistrering) on a recorded, unused consent.
    ///
    /// Registrations from many sessions are committed together (group commit), each with its
    /// own audit entry and its own refusal.
    pub fn register_in(&self, input: &RegisterInInput) -> Result<ParticipationId, ServiceError> {
        let session = self.clone();
        let input = input.clone();
        self.service.grouped(move |tx| {
            let (id, intervention) = session.register_in_in(tx, &input)?;
            let notice = Notice::new(session.id, Action::RegisterIn, None, Some(intervention));
            Ok((id, vec![notice]))
        })
    }

    pub fn register_in_in(
        &self,
        tx: &WriteTransaction,
        input: &RegisterInInput,
    ) -> Result<(ParticipationId, InterventionId), ServiceError> {
        let consent = people::consent(tx, input.consent)?
            .ok_or_else(|| ServiceError::from(Refusal::ConsentMissing))?;
        let (intervention, association) = self.handler(tx, consent.intervention)?;
        let in_date = parse_iso(&input.in_date).map_err(ServiceError::date("in-date"))?;
        let crypto = self.service.store().crypto();
        let row = people::person(tx, consent.person)?.ok_or(ServiceError::NotFound {
            what: "person",
            id: consent.person.to_string(),
        })?;
        let identity = people::unseal_person(crypto, consent.person, &row)?;
        let others: Vec<ParticipationSummary> = summary::summaries_of_person(tx, consent.person)?
            .into_iter()
            .filter(|p| p.intervention == intervention.id)
            .collect();
        let facts = self.facts(&association, &intervention);
        let (mut p, change) = participation::register_in(
            &facts,
            RegisterIn {
                id: ParticipationId(0),
                pseudonym: Pseudonym(0),
                person: consent.person,
                age: identity.pnr.age_on(in_date),
                gender: input.gender.unwrap_or_else(|| identity.pnr.gender()),
                consent: &consent,
                withdrawn_on: row.withdrawn_on,
                others: &others,
                in_date,
                answers: input.answers.clone(),
            },
        )?;
        // Checked: from here on only writes.
        p.id = ParticipationId(next_id(tx, "participation")?);
        p.pseudonym = self
            .service
            .store()
            .pseudonyms()
            .of(Subject::Participation(p.id))?;
        people::put_participation(tx, &p)?;
        people::update_consent(
            tx,
            &Consent {
                used_by: Some(p.id),
                ..consent
            },
        )?;
        let draft = self.draft(
            change.action,
            Some(association.association.id),
            Some(intervention.id),
            Some(p.pseudonym),
            &change.fields,
            String::new(),
        );
        self.service.audit(tx, draft)?;
        Ok((p.id, intervention.id))
    }

    /// Registers a participation out (utregistrering). The end reason misregistration erases it.
    pub fn register_out(
        &self,
        id: ParticipationId,
        date: &str,
        reason: EndReason,
        answers: Option<Answers>,
    ) -> Result<(), ServiceError> {
        let date = if reason.is_misregistration() {
            self.service.clock().today()
        } else {
            parse_iso(date).map_err(ServiceError::date("out-date"))?
        };
        self.run(
            id,
            &Command::RegisterOut {
                date,
                reason,
                answers,
            },
        )
    }

    /// Corrects (rättelse) the answers of one occasion.
    pub fn correct_answers(
        &self,
        id: ParticipationId,
        occasion: Occasion,
        answers: Answers,
    ) -> Result<(), ServiceError> {
        self.run(id, &Command::Correct { occasion, answers })
    }

    /// Misregistration (felregistrering): erases the participation, its answers and consent, and
    /// the person if nothing else refers to them; then scrubs the freed pages of the file.
    pub fn misregister(&self, id: ParticipationId) -> Result<(), ServiceError> {
        self.run(id, &Command::Misregister)
    }

    /// The person withdrew consent: from now on no new personal data for them.
    pub fn withdraw_consent(&self, id: ParticipationId) -> Result<(), ServiceError> {
        self.run(id, &Command::WithdrawConsent)
    }

    /// The person turned out to have protected identity: every participation of theirs becomes
    /// one anonymous participant, and their identity and answers are erased.
    pub fn mark_protected(&self, id: ParticipationId) -> Result<(), ServiceError> {
        self.run(id, &Command::ProtectedIdentity)
    }

    /// Runs a participation command in its own transaction; scrubs after an erasure.
    fn run(&self, id: ParticipationId, cmd: &Command) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        let (erased, notices) = self.run_in(&tx, id, cmd)?;
        self.service.commit(tx, &notices)?;
        if erased {
            self.service.store().scrub()?;
        }
        Ok(())
    }

    /// Runs a participation command in `tx`. Returns whether something was erased (the caller
    /// must scrub after the commit) and the notices to publish.
    pub fn run_in(
        &self,
        tx: &WriteTransaction,
        id: ParticipationId,
        cmd: &Command,
    ) -> Result<(bool, Vec<Notice>), ServiceError> {
        let current = people::participation(tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "participation",
            id: id.to_string(),
        })?;
        let (intervention, association) = self.handler(tx, current.intervention)?;
        let facts = self.facts(&association, &intervention);
        let cascade = matches!(cmd, Command::ProtectedIdentity | Command::WithdrawConsent);
        let (outcome, change) = participation::apply(&facts, &current, cmd.clone())?;
        let notice = |i| Notice::new(self.id, change.action, None, Some(i));
        match outcome {
            Outcome::Updated(next) => {
                if cascade {
                    return self.withdraw_all(tx, &current, &facts);
                }
                people::update_participation(tx, &next)?;
                let draft = self.draft(
                    change.action,
                    Some(association.association.id),
                    Some(intervention.id),
                    Some(next.pseudonym),
                    &change.fields,
                    String::new(),
                );
                self.service.audit(tx, draft)?;
                Ok((false, vec![notice(intervention.id)]))
            }
            Outcome::Erased => {
                erase(tx, &current)?;
                people::delete_consent_of(tx, current.consent)?;
                delete_person_if_unreferenced(tx, current.person)?;
                let draft = self.draft(
                    change.action,
                    Some(association.association.id),
                    Some(intervention.id),
                    Some(current.pseudonym),
                    &change.fields,
                    String::new(),
                );
                self.service.audit(tx, draft)?;
                Ok((true, vec![notice(intervention.id)]))
            }
            Outcome::Anonymised { .. } => {
                let mut notices = Vec::new();
                for p in people::participations_of_person(tx, current.person)? {
                    anonymise(tx, &p)?;
                    let i = org::intervention(tx, p.intervention)?;
                    let draft = self.draft(
                        change.action,
                        i.as_ref().map(|i| i.association),
                        Some(p.intervention),
                        Some(p.pseudonym),
                        &change.fields,
                        String::new(),
                    );
                    self.service.audit(tx, draft)?;
                    notices.push(notice(p.intervention));
                }
                for c in people::consents_of(tx, current.person)? {
                    people::delete_consent(tx, &c)?;
                }
                people::delete_person(tx, current.person)?;
                Ok((true, notices))
            }
        }
    }

    /// Withdrawal of consent applies to the person: every participation of theirs is marked, and
    /// the person records the date (a new registration then needs a consent signed after it).
    fn withdraw_all(
        &self,
        tx: &WriteTransaction,
        current: &Participation,
        facts: &Facts<'_>,
    ) -> Result<(bool, Vec<Notice>), ServiceError> {
        let mut notices = Vec::new();
        for p in people::participations_of_person(tx, current.person)? {
            if p.consent_withdrawn {
                continue;
            }
            let (Outcome::Updated(next), change) =
                participation::apply(facts, &p, Command::WithdrawConsent)?
            else {
                continue;
            };
            people::update_participation(tx, &next)?;
            let i = org::intervention(tx, p.intervention)?;
            let draft = self.draft(
                change.action,
                i.as_ref().map(|i| i.association),
                Some(p.intervention),
                Some(p.pseudonym),
                &change.fields,
                String::new(),
            );
            self.service.audit(tx, draft)?;
            notices.push(Notice::new(
                self.id,
                change.action,
                None,
                Some(p.intervention),
            ));
        }
        if let Some(mut row) = people::person(tx, current.person)? {
            row.withdrawn_on = Some(facts.today);
            people::put_person(tx, current.person, &row)?;
        }
        // A consent recorded but not yet used is void once the person withdraws.
        for c in people::consents_of(tx, current.person)? {
            if c.used_by.is_none() {
                people::delete_consent(tx, &c)?;
            }
        }
        Ok((false, notices))
    }

    /// Registers anonymous participants: `women` and `men` who started in `year`.
    pub fn register_anonymous(
        &self,
        intervention: InterventionId,
        year: Year,
        women: u32,
        men: u32,
    ) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        let (i, association) = self.handler(&tx, intervention)?;
        let facts = self.facts(&association, &i);
        participation::check_anonymous(&facts, year, women, men)?;
        people::add_anonymous(&tx, intervention, year, women, men)?;
        let note = format!("year {year}: {women} women, {men} men");
        let draft = self.draft(
            Action::RegisterAnonymous,
            Some(association.association.id),
            Some(intervention),
            None,
            &["anonymous"],
            note,
        );
        self.service.audit(&tx, draft)?;
        self.service.commit(
            tx,
            &[Notice::new(
                self.id,
                Action::RegisterAnonymous,
                None,
                Some(intervention),
            )],
        )
    }
}

/// Deletes a participation and counts it as one anonymous participant (its gender, its start
/// year) in its intervention. Its consent and person are left to the caller.
pub(super) fn anonymise(tx: &WriteTransaction, p: &Participation) -> Result<(), ServiceError> {
    erase(tx, p)?;
    people::add_anonymous(
        tx,
        p.intervention,
        p.start_year(),
        u32::from(p.gender == Gender::Woman),
        u32::from(p.gender == Gender::Man),
    )?;
    Ok(())
}

/// Deletes a participation with its indexes and pseudonym; the store takes it off the counters.
pub(super) fn erase(tx: &WriteTransaction, p: &Participation) -> Result<(), ServiceError> {
    people::delete_participation(tx, p)?;
    Ok(())
}

/// Deletes a person when no participation and no consent refers to them any more. Returns
/// whether the person was deleted.
pub(super) fn delete_person_if_unreferenced(
    tx: &WriteTransaction,
    person: PersonId,
) -> Result<bool, ServiceError> {
    if people::participations_of_person(tx, person)?.is_empty()
        && people::consents_of(tx, person)?.is_empty()
    {
        people::delete_person(tx, person)?;
        return Ok(true);
    }
    Ok(false)
}

//! Registration in: a person on a recorded consent, and anonymous participants; and the facts
//! the rules need about an intervention.

use crate::core::Notice;
use crate::error::ServiceError;
use crate::policy::AssociationFacts;
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::consent::Consent;
use insats_domain::date::{Year, parse_iso};
use insats_domain::ids::{ConsentId, InterventionId, ParticipationId, Pseudonym};
use insats_domain::participation::{self, Facts, ParticipationSummary, Refusal, RegisterIn};
use insats_domain::person::Gender;
use insats_domain::questionnaire::Answers;
use insats_store::people::{self, Subject};
use insats_store::{next_id, summary};
use redb::WriteTransaction;

/// Registration in, as typed.
#[derive(Debug, Clone)]
pub struct RegisterInInput {
    pub consent: ConsentId,
    pub in_date: String,
    /// `None`: from the personnummer.
    pub gender: Option<Gender>,
    pub answers: Answers,
}

/// A registration in that comes with its own, new consent ([`Session::register_new`]): the
/// date, the gender (`None`: from the personnummer) and the answers before.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub in_date: String,
    pub gender: Option<Gender>,
    pub answers: Answers,
}

impl Session {
    /// The facts the rules need about an intervention, on today's date.
    pub(super) fn facts<'a>(
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

//! Commands on a registered participation: registering out, corrections, misregistration,
//! withdrawal of consent and protected identity, each run through the domain's rules in one
//! write transaction.

use super::erasure::{anonymise, delete_person_if_unreferenced, erase};
use crate::core::Notice;
use crate::erasures::Erased;
use crate::error::ServiceError;
use crate::session::Session;
use insats_domain::date::parse_iso;
use insats_domain::ids::ParticipationId;
use insats_domain::participation::{self, Command, Facts, Occasion, Outcome, Participation};
use insats_domain::questionnaire::{Answers, EndReason};
use insats_store::journal::{Kind, Step};
use insats_store::{org, people};
use redb::WriteTransaction;

impl Session {
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

    /// Runs a participation command in its own transaction; an erasure is recorded in the
    /// erasure journal before it commits, and the file scrubbed after.
    fn run(&self, id: ParticipationId, cmd: &Command) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        let (erased, notices) = self.run_in(&tx, id, cmd)?;
        match erased {
            Some(erased) => {
                self.service.commit_erasure(tx, &notices, erased)?;
                self.service.store().scrub()?;
            }
            None => self.service.commit(tx, &notices)?,
        }
        Ok(())
    }

    /// Runs a participation command in `tx`. Returns what was erased, if anything (the caller
    /// must journal it, and scrub after the commit), and the notices to publish.
    fn run_in(
        &self,
        tx: &WriteTransaction,
        id: ParticipationId,
        cmd: &Command,
    ) -> Result<(Option<Erased>, Vec<Notice>), ServiceError> {
        let current = people::participation(tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "participation",
            id: id.to_string(),
        })?;
        let (intervention, association) = self.handler(tx, current.intervention)?;
        let facts = self.facts(&association, &intervention);
        let cascade = matches!(cmd, Command::ProtectedIdentity | Command::WithdrawConsent);
        let (outcome, change) = participation::apply(&facts, &current, cmd.clone())?;
        let notice = |i| Notice::new(self.id, change.action, None, Some(i));
        // The change's audit entry, in this transaction, under the participation's pseudonym.
        let audit = |pseudonym| {
            let draft = self.draft(
                change.action,
                Some(association.association.id),
                Some(intervention.id),
                Some(pseudonym),
                &change.fields,
                String::new(),
            );
            self.service.audit(tx, draft)
        };
        match outcome {
            Outcome::Updated(next) => {
                if cascade {
                    return self.withdraw_all(tx, &current, &facts);
                }
                people::update_participation(tx, &next)?;
                audit(next.pseudonym)?;
                Ok((None, vec![notice(intervention.id)]))
            }
            Outcome::Erased => {
                erase(tx, &current)?;
                people::delete_consent_of(tx, current.consent)?;
                delete_person_if_unreferenced(tx, current.person)?;
                audit(current.pseudonym)?;
                let erased = Erased {
                    kind: Kind::Misregistration,
                    steps: vec![
                        Step::Erase(current.id),
                        Step::DeleteConsent(current.consent),
                        Step::PersonIfUnreferenced(current.person),
                    ],
                };
                Ok((Some(erased), vec![notice(intervention.id)]))
            }
            Outcome::Anonymised { .. } => {
                let mut notices = Vec::new();
                let mut erased = Erased::new(Kind::ProtectedIdentity);
                for p in people::participations_of_person(tx, current.person)? {
                    erased.steps.push(Step::Anonymise(p.id));
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
                    erased.steps.push(Step::DeleteConsent(c.id));
                    people::delete_consent(tx, &c)?;
                }
                erased.steps.push(Step::ProtectPerson(current.person));
                people::delete_person(tx, current.person)?;
                Ok((Some(erased), notices))
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
    ) -> Result<(Option<Erased>, Vec<Notice>), ServiceError> {
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
        // A consent recorded but not yet used is void once the person withdraws: deleted, and
        // journalled and scrubbed as every erasure is.
        let mut erased = Erased::new(Kind::ConsentWithdrawn);
        for c in people::consents_of(tx, current.person)? {
            if c.used_by.is_none() {
                erased.steps.push(Step::DeleteConsent(c.id));
                people::delete_consent(tx, &c)?;
            }
        }
        Ok(((!erased.steps.is_empty()).then_some(erased), notices))
    }
}

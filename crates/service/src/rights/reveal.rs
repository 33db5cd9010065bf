//! The log reviewer's reveal: who is behind a pseudonym in the audit log.

use super::extract::whereabouts;
use crate::error::{DENIED_LOG_REVIEWER, DENIED_REVIEW_SCOPE, ServiceError};
use crate::reason::{check_reason, clean_reason};
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::Subject;
use insats_domain::ids::{AssociationId, Pseudonym};
use insats_domain::personnummer::Personnummer;
use insats_domain::user::{Role, Scope};
use insats_store::org;
use insats_store::people;

/// The identity behind a pseudonym, for a log reviewer who stated why.
#[derive(Clone)]
pub struct Revealed {
    pub pseudonym: Pseudonym,
    /// What the pseudonym stands for: the person, a participation or a consent.
    pub subject: Subject,
    /// The person's own pseudonym (the one personnummer searches are logged under).
    pub person_pseudonym: Pseudonym,
    pub name: String,
    pub pnr: Personnummer,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revealed")
            .field("pseudonym", &self.pseudonym)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Reveals the name and personnummer behind a pseudonym of a person, participation or
    /// consent (log reviewer, with a reason). Only for pseudonyms in the associations the
    /// reviewer is assigned to: a participation or consent belongs to its intervention's
    /// association, a person to the associations of their participations and consents — the
    /// associations of the audit entries the pseudonym appears in. A pseudonym whose record was
    /// erased is not found.
    pub fn reveal(&self, pseudonym: Pseudonym, reason: &str) -> Result<Revealed, ServiceError> {
        self.require(Role::LogReviewer, DENIED_LOG_REVIEWER)?;
        let reason = clean_reason(reason)?;
        let today = self.service.clock().today();
        let tx = self.service.store().write()?;
        let reviewed: Vec<AssociationId> = self
            .assignments(&tx)?
            .iter()
            .filter_map(|a| match a.scope {
                Scope::Association(x) => Some(x),
                Scope::Intervention(_) => None,
            })
            .collect();
        if reviewed.is_empty() {
            return Err(ServiceError::Denied(DENIED_LOG_REVIEWER));
        }
        let not_found = || ServiceError::NotFound {
            what: "pseudonym",
            id: pseudonym.to_string(),
        };
        let subject = people::resolve_pseudonym(&tx, self.service.store().pseudonyms(), pseudonym)?
            .ok_or_else(not_found)?;
        let (person, intervention) = match subject {
            Subject::Person(p) => {
                people::person(&tx, p)?.ok_or_else(not_found)?;
                (p, None)
            }
            Subject::Participation(id) => {
                let p = people::participation(&tx, id)?.ok_or_else(not_found)?;
                (p.person, Some(p.intervention))
            }
            Subject::Consent(id) => {
                let c = people::consent(&tx, id)?.ok_or_else(not_found)?;
                (c.person, Some(c.intervention))
            }
        };
        let interventions = match intervention {
            Some(i) => vec![i],
            None => whereabouts(&tx, Some(person))?.1,
        };
        let mut association = None;
        for i in interventions {
            if let Some(i) = org::intervention(&tx, i)?
                && reviewed.contains(&i.association)
            {
                association = Some(i.association);
                break;
            }
        }
        let Some(association) = association else {
            return Err(ServiceError::Denied(DENIED_REVIEW_SCOPE));
        };
        let row = people::person(&tx, person)?.ok_or_else(not_found)?;
        let identity = people::unseal_person(self.service.store().crypto(), person, &row)?;
        check_reason(&reason, &identity.pnr, &[&identity.name], today)?;
        let draft = self.draft(
            Action::RevealIdentity,
            Some(association),
            intervention,
            Some(pseudonym),
            &[],
            reason,
        );
        self.service.audit(&tx, draft)?;
        self.service.commit(tx, &[])?;
        Ok(Revealed {
            pseudonym,
            subject,
            person_pseudonym: row.pseudonym,
            name: identity.name,
            pnr: identity.pnr,
        })
    }
}

//! Looking a personnummer up: the person's participations where this session may see
//! individuals, each search an audit entry whether it finds anyone or not.

use crate::error::{DENIED_INDIVIDUAL, ServiceError};
use crate::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::InterventionId;
use insats_domain::participation::ParticipationSummary;
use insats_domain::personnummer::Personnummer;
use insats_domain::user::Access;
use insats_store::{people, summary};

/// Where a personnummer look-up found the person: the participation without its answers (they
/// are shown when it is opened, which is audited as a view of its own).
#[derive(Debug, Clone)]
pub struct LookupHit {
    pub intervention: InterventionId,
    pub intervention_name: String,
    pub participation: ParticipationSummary,
}

/// What the look-up phase of [`Session::lookup`] found, before it is audited.
struct Found {
    hits: Vec<LookupHit>,
    /// The person's pseudonym, when the search found them where this session may look.
    subject: Option<insats_domain::ids::Pseudonym>,
    association: Option<insats_domain::ids::AssociationId>,
}

impl Session {
    /// Whether this session's role may see individuals at all (look-ups, participant records):
    /// only a participant handler; the refusal names the rule. Which individuals is decided per
    /// intervention by its assignments.
    pub fn require_individuals(&self) -> Result<(), ServiceError> {
        if self.role.may_see_individuals() {
            Ok(())
        } else {
            Err(ServiceError::Denied(DENIED_INDIVIDUAL))
        }
    }

    /// Looks a personnummer up: the participations of the person in interventions where this
    /// session may see individuals. Every search is an audit entry, found or not; the hits are
    /// returned only once that entry is durable.
    pub fn lookup(&self, pnr: &str) -> Result<Vec<LookupHit>, ServiceError> {
        let found = match self.find_pnr(pnr) {
            Ok(found) => found,
            Err(ServiceError::Denied(why)) => {
                // A refused look-up is an entry of its own (never the number typed), under each
                // association the user works in, for its log reviewers.
                let tx = self.service.store().write()?;
                for association in crate::login::associations_of(&tx, self.user.id)? {
                    let draft = self.draft(
                        Action::AccessRefused,
                        association,
                        None,
                        None,
                        &[],
                        format!("lookup-personnummer: {why}"),
                    );
                    self.service.audit(&tx, draft)?;
                }
                self.service.commit(tx, &[])?;
                return Err(ServiceError::Denied(why));
            }
            Err(e) => return Err(e),
        };
        let note = insats_domain::audit::lookup_note(found.hits.len());
        let draft = self.draft(
            Action::LookupPersonnummer,
            found.association,
            None,
            found.subject,
            &[],
            note,
        );
        let tx = self.service.store().write()?;
        self.service.audit(&tx, draft)?;
        self.service.commit(tx, &[])?;
        Ok(found.hits)
    }

    /// The look-up phase of [`Session::lookup`] (index → rows → policy) without its audit
    /// entry, for the benchmark that times it: it returns only the number of hits, no data.
    /// Even that says whether a personnummer is registered, so it exists only in builds with
    /// the `bench-internals` feature, never in the shipped binary.
    #[cfg(feature = "bench-internals")]
    #[doc(hidden)]
    pub fn lookup_hit_count_unaudited(&self, pnr: &str) -> Result<usize, ServiceError> {
        Ok(self.find_pnr(pnr)?.hits.len())
    }

    /// Index → rows → policy, in one read snapshot (released before the audit entry is
    /// written, so the write lock is held for the audit entry alone).
    fn find_pnr(&self, pnr: &str) -> Result<Found, ServiceError> {
        self.require_individuals()?;
        let pnr = Personnummer::parse(pnr, self.service.clock().today())?;
        let tx = self.service.store().read()?;
        let tx = &*tx;
        let policy = self.policy(tx)?;
        policy.assignments()?;
        let mut hits = Vec::new();
        let mut subject = None;
        if let Some(person) = people::person_by_pnr(tx, self.service.store().crypto(), &pnr)? {
            for p in summary::summaries_of_person(tx, person)? {
                let Some((i, access)) = policy.intervention(tx, p.intervention)? else {
                    continue;
                };
                if access == Access::Individual {
                    hits.push(LookupHit {
                        intervention: i.id,
                        intervention_name: i.name.clone(),
                        participation: p,
                    });
                }
            }
            if !hits.is_empty() {
                subject = people::person(tx, person)?.map(|r| r.pseudonym);
            }
        }
        // The search is logged under the association the handler works in, so its log
        // reviewers see it.
        let association = policy.search_association();
        Ok(Found {
            hits,
            subject,
            association,
        })
    }
}

//! Queries: what a session may see. Individual data only for assigned participant handlers;
//! opening a participant and searching a personnummer are audited as views.

use super::core::Notice;
use super::error::{DENIED_HANDLER, DENIED_INDIVIDUAL, ServiceError};
use super::session::Session;
use insats_domain::anonymous::AnonymousCount;
use insats_domain::audit::{Action, Entry};
use insats_domain::consent::Consent;
use insats_domain::date::Year;
use insats_domain::ids::{InterventionId, ParticipationId, UserId};
use insats_domain::intervention::{Intervention, Status};
use insats_domain::participation::{Participation, ParticipationSummary};
use insats_domain::person::Identity;
use insats_domain::personnummer::Personnummer;
use insats_domain::report::Counters;
use insats_domain::user::{Access, Role};
use insats_store::{Tx, audit, org, people, summary};

/// An intervention as a list shows it.
#[derive(Debug, Clone)]
pub struct InterventionView {
    pub intervention: Intervention,
    pub association_name: String,
    pub access: Access,
    pub status: Status,
    pub counters: Counters,
}

impl InterventionView {
    /// Whether this session may act on individuals here (register, correct, end): only a
    /// participant handler assigned to the intervention. The refusal names the rule.
    pub fn require_handler(&self) -> Result<(), ServiceError> {
        if self.access == Access::Individual {
            Ok(())
        } else {
            Err(ServiceError::Denied(DENIED_HANDLER))
        }
    }
}

/// One participation in a list, for a handler.
#[derive(Clone)]
pub struct ParticipantRow {
    pub participation: Participation,
    pub identity: Identity,
}

impl std::fmt::Debug for ParticipantRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantRow")
            .field("id", &self.participation.id)
            .finish_non_exhaustive()
    }
}

/// Everything about one participation, for a handler who opened it.
#[derive(Debug, Clone)]
pub struct ParticipantDetail {
    pub row: ParticipantRow,
    pub consent: Option<Consent>,
    /// The person's consent withdrawal date, if any.
    pub withdrawn_on: Option<chrono::NaiveDate>,
}

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

/// Which audit entries to show.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub intervention: Option<InterventionId>,
    pub user: Option<UserId>,
    pub action: Option<Action>,
    /// Inclusive range of days (as `at_ms` bounds).
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// How many entries a filtered audit page scans at most.
const AUDIT_SCAN_LIMIT: usize = 100_000;

impl Session {
    /// The interventions this session reaches, with status and stored counts.
    pub fn interventions(&self) -> Result<Vec<InterventionView>, ServiceError> {
        let tx = self.service.store().read()?;
        let today = self.service.clock().today();
        let mut out = Vec::new();
        for association in org::associations(&*tx)? {
            for intervention in org::interventions_of(&*tx, association.id)? {
                let access = self.access(&*tx, &intervention)?;
                if access == Access::None {
                    continue;
                }
                out.push(InterventionView {
                    counters: people::counters(&*tx, intervention.id)?,
                    status: intervention.status_on(today),
                    association_name: association.name.clone(),
                    access,
                    intervention,
                });
            }
        }
        Ok(out)
    }

    /// One window of an intervention's participations, newest first (handlers only).
    pub fn participants_page(
        &self,
        intervention: InterventionId,
        before: Option<ParticipationId>,
        limit: usize,
    ) -> Result<Vec<ParticipantRow>, ServiceError> {
        let tx = self.service.store().read()?;
        self.individual(&*tx, intervention)?;
        let page = people::participations_page(&*tx, intervention, before, limit)?;
        with_identities(&*tx, self.service.store().crypto(), page)
    }

    /// The participations of an intervention whose person's name or personnummer contains
    /// `needle` (letter case aside), newest first, at most `limit` (handlers only). Reads the
    /// intervention's participations in windows until enough are found; not audited, like the
    /// list it searches (opening a participant is).
    pub fn search_participants(
        &self,
        intervention: InterventionId,
        needle: &str,
        limit: usize,
    ) -> Result<Vec<ParticipantRow>, ServiceError> {
        let tx = self.service.store().read()?;
        self.individual(&*tx, intervention)?;
        let crypto = self.service.store().crypto();
        let needle = needle.trim().to_lowercase();
        // A needle of digits (and separators) is looked for in the personnummer, any other in
        // the name: only that one field of each person is opened.
        let number = needle
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '));
        let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
        if number && digits.is_empty() {
            return Ok(Vec::new());
        }
        let hits = people::participations_matching(&*tx, intervention, limit, |id, row| {
            Ok(if number {
                people::unseal_pnr_digits(crypto, id, row)?.contains(&digits)
            } else {
                people::unseal_name(crypto, id, row)?
                    .to_lowercase()
                    .contains(&needle)
            })
        })?;
        with_identities(&*tx, crypto, hits)
    }

    /// Stored counters and anonymous counts per year (every role that reaches the intervention).
    pub fn aggregates(
        &self,
        intervention: InterventionId,
    ) -> Result<(Counters, Vec<(Year, AnonymousCount)>), ServiceError> {
        let tx = self.service.store().read()?;
        self.reachable(&*tx, intervention)?;
        Ok((
            people::counters(&*tx, intervention)?,
            people::anonymous_by_year(&*tx, intervention)?,
        ))
    }

    /// Opens one participation: records an access entry, then returns everything about it.
    pub fn open_participant(&self, id: ParticipationId) -> Result<ParticipantDetail, ServiceError> {
        let tx = self.service.store().write()?;
        let p = people::participation(&tx, id)?.ok_or_else(|| ServiceError::NotFound {
            what: "participation",
            id: id.to_string(),
        })?;
        let (intervention, association) = self.individual(&tx, p.intervention)?;
        let row = people::person(&tx, p.person)?.ok_or(ServiceError::NotFound {
            what: "person",
            id: p.person.to_string(),
        })?;
        let identity = people::unseal_person(self.service.store().crypto(), p.person, &row)?;
        let consent = people::consent(&tx, p.consent)?;
        let draft = self.draft(
            Action::ViewParticipant,
            Some(association.association.id),
            Some(intervention.id),
            Some(p.pseudonym),
            &[],
            String::new(),
        );
        self.service.audit(&tx, draft)?;
        self.service.commit(
            tx,
            &[Notice::new(
                self.id,
                Action::ViewParticipant,
                None,
                Some(intervention.id),
            )],
        )?;
        Ok(ParticipantDetail {
            row: ParticipantRow {
                participation: p,
                identity,
            },
            consent,
            withdrawn_on: row.withdrawn_on,
        })
    }

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
        let found = self.find_pnr(pnr)?;
        let note = format!("{} hits", found.hits.len());
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

    /// One window of the audit log in this session's scope, newest first. Log reviewers and
    /// system administrators see every entry of their scope; other roles see the entries of the
    /// interventions they reach. Entries carry pseudonyms only.
    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Entry>, ServiceError> {
        let tx = self.service.store().read()?;
        let wide = matches!(self.role, Role::SystemAdmin | Role::LogReviewer);
        let reach: Vec<InterventionId> = if wide {
            Vec::new()
        } else {
            self.reached_interventions(&*tx)?
        };
        let associations: Vec<_> = if self.role == Role::LogReviewer {
            self.assignments(&*tx)?
                .iter()
                .filter_map(|a| match a.scope {
                    insats_domain::user::Scope::Association(x) => Some(x),
                    insats_domain::user::Scope::Intervention(_) => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        if let Some(i) = filter.intervention
            && !wide
            && !reach.contains(&i)
        {
            return Err(ServiceError::Denied(super::error::DENIED_SCOPE));
        }
        let keep = |e: &Entry| {
            let d = &e.draft;
            let in_scope = match self.role {
                Role::SystemAdmin => true,
                Role::LogReviewer => d.association.is_some_and(|a| associations.contains(&a)),
                _ => d.intervention.is_some_and(|i| reach.contains(&i)),
            };
            in_scope
                && filter.user.is_none_or(|u| d.user == Some(u))
                && filter.action.is_none_or(|a| d.action == a)
                && filter.from_ms.is_none_or(|t| e.at_ms >= t)
                && filter.to_ms.is_none_or(|t| e.at_ms <= t)
        };
        // Roles that reach only some interventions read only those interventions' entries.
        let one: [InterventionId; 1];
        let scope = match filter.intervention {
            Some(i) => {
                one = [i];
                audit::Scope::Interventions(&one)
            }
            None if wide => audit::Scope::All,
            None => audit::Scope::Interventions(&reach),
        };
        let mut entries = audit::page(&*tx, scope, before, limit, AUDIT_SCAN_LIMIT, keep)?;
        // Roles without any personal-data access do not get even pseudonymous ids.
        if !matches!(
            self.role,
            Role::ParticipantHandler | Role::LogReviewer | Role::SystemAdmin
        ) {
            for e in &mut entries {
                e.draft.subject = None;
            }
        }
        Ok(entries)
    }

    fn reached_interventions(&self, tx: &impl Tx) -> Result<Vec<InterventionId>, ServiceError> {
        let mut out = Vec::new();
        for association in org::associations(tx)? {
            for i in org::interventions_of(tx, association.id)? {
                if self.access(tx, &i)? != Access::None {
                    out.push(i.id);
                }
            }
        }
        Ok(out)
    }
}

/// List rows: each participation with its person's identity opened.
fn with_identities(
    tx: &impl Tx,
    crypto: &insats_store::crypto::Crypto,
    participations: Vec<Participation>,
) -> Result<Vec<ParticipantRow>, ServiceError> {
    participations
        .into_iter()
        .map(|p| {
            let row = people::person(tx, p.person)?.ok_or(ServiceError::NotFound {
                what: "person",
                id: p.person.to_string(),
            })?;
            Ok(ParticipantRow {
                identity: people::unseal_person(crypto, p.person, &row)?,
                participation: p,
            })
        })
        .collect()
}

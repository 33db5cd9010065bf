//! The interventions a session reaches, with their counts, and their participants: a window
//! of the list, a search in it, and opening one (audited as a view).

use crate::core::Notice;
use crate::error::{DENIED_HANDLER, ServiceError};
use crate::session::Session;
use insats_domain::anonymous::AnonymousCount;
use insats_domain::audit::Action;
use insats_domain::consent::Consent;
use insats_domain::date::Year;
use insats_domain::ids::{InterventionId, ParticipationId};
use insats_domain::intervention::{Intervention, Status};
use insats_domain::participation::Participation;
use insats_domain::person::Identity;
use insats_domain::report::Counters;
use insats_domain::user::Access;
use insats_store::{Tx, org, people};

/// An intervention as a list shows it.
#[derive(Debug, Clone)]
pub struct InterventionView {
    pub intervention: Intervention,
    pub association_name: String,
    pub access: Access,
    pub status: Status,
    pub counters: Counters,
    /// Planned and actual participants of one budget year.
    pub year: YearFigures,
}

/// One budget year of an intervention: its planned participants and those it actually had —
/// identified participations active in the year, anonymous participants who started in it and,
/// for a count-only intervention, the months' figures — women and men.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearFigures {
    pub year: Year,
    pub planned: Option<u32>,
    pub women: u64,
    pub men: u64,
    /// Counted before figures were split by gender.
    pub unsplit: u64,
}

impl YearFigures {
    pub fn actual(&self) -> u64 {
        self.women + self.men + self.unsplit
    }

    /// Actual participants as a whole percentage of the plan (none without a plan, or with a
    /// plan of zero).
    pub fn percent_of_plan(&self) -> Option<u64> {
        self.planned
            .filter(|p| *p > 0)
            .map(|p| (self.actual() * 100 + u64::from(p) / 2) / u64::from(p))
    }
}

/// Reads the year's figures of an intervention from the store-kept counts.
pub(crate) fn year_figures(
    tx: &impl Tx,
    intervention: &Intervention,
    year: Year,
) -> Result<YearFigures, ServiceError> {
    let yearly = people::yearly(tx, intervention.id)?;
    let (mut women, mut men) = insats_domain::report::active_in(&yearly, year);
    if let Some((_, a)) = people::anonymous_by_year(tx, intervention.id)?
        .into_iter()
        .find(|(y, _)| *y == year)
    {
        women += u64::from(a.women);
        men += u64::from(a.men);
    }
    let mut unsplit = 0;
    for (y, _, v) in people::volumes(tx, intervention.id)? {
        if y == year {
            women += u64::from(v.women);
            men += u64::from(v.men);
            unsplit += u64::from(v.unsplit);
        }
    }
    Ok(YearFigures {
        year,
        planned: intervention.plan(year).map(|p| p.planned_participants),
        women,
        men,
        unsplit,
    })
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

impl Session {
    /// The interventions this session reaches, with status, stored counts and this budget
    /// year's planned and actual participants.
    pub fn interventions(&self) -> Result<Vec<InterventionView>, ServiceError> {
        let year = insats_domain::date::budget_year(self.service.clock().today());
        self.interventions_in(year)
    }

    /// As [`Self::interventions`], with the planned and actual participants of budget year
    /// `year`.
    pub fn interventions_in(&self, year: Year) -> Result<Vec<InterventionView>, ServiceError> {
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
                    year: year_figures(&*tx, &intervention, year)?,
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
        let (intervention, association) = match self.individual(&tx, p.intervention) {
            Ok(found) => found,
            Err(ServiceError::Denied(why)) => {
                // A refused access is itself an entry, under the intervention's association,
                // for its log reviewers (the refusal's reason in the note).
                let association = org::intervention(&tx, p.intervention)?.map(|i| i.association);
                let draft = self.draft(
                    Action::AccessRefused,
                    association,
                    Some(p.intervention),
                    Some(p.pseudonym),
                    &[],
                    format!("view-participant: {why}"),
                );
                self.service.audit(&tx, draft)?;
                self.service.commit(tx, &[])?;
                return Err(ServiceError::Denied(why));
            }
            Err(e) => return Err(e),
        };
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

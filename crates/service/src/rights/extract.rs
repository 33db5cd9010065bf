//! The data subject's extract (registerutdrag): everything the register holds on one person
//! and who viewed or changed it; and where a person's records are, which a request about them
//! is logged under.

use crate::error::{DENIED_ADMIN, ServiceError};
use crate::reason::{check_reason, clean_reason};
use crate::session::Session;
use chrono::NaiveDate;
use insats_domain::audit::{Action, Entry};
use insats_domain::consent::Consent;
use insats_domain::ids::{AssociationId, InterventionId, PersonId, Pseudonym, UserId};
use insats_domain::participation::Participation;
use insats_domain::person::Identity;
use insats_domain::personnummer::Personnummer;
use insats_domain::questionnaire::Catalogue;
use insats_domain::user::Role;
use insats_store::people;
use insats_store::{Tx, audit, org};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the register holds on one person (registerutdrag). Empty when the personnummer is
/// not in the register. Personal data: its `Debug` prints counts only.
#[derive(Clone, Default)]
pub struct Extract {
    pub identity: Option<Identity>,
    /// The person's pseudonym in the audit log.
    pub pseudonym: Option<Pseudonym>,
    /// When the person last withdrew consent.
    pub withdrawn_on: Option<NaiveDate>,
    pub participations: Vec<ExtractParticipation>,
    /// Every consent record (form 9443 evidence), used or not.
    pub consents: Vec<ExtractConsent>,
    /// Who viewed or changed the person's data and when, oldest first.
    pub history: Vec<ExtractEvent>,
    /// The questionnaire of each association the participations belong to, to label answers.
    pub catalogues: BTreeMap<AssociationId, Catalogue>,
}

impl std::fmt::Debug for Extract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extract")
            .field("found", &self.identity.is_some())
            .field("participations", &self.participations.len())
            .field("consents", &self.consents.len())
            .field("history", &self.history.len())
            .finish_non_exhaustive()
    }
}

/// One participation in an extract.
#[derive(Clone, Debug)]
pub struct ExtractParticipation {
    pub participation: Participation,
    pub intervention_name: String,
    /// Its association: the key of its catalogue in [`Extract::catalogues`].
    pub association: AssociationId,
}

/// One consent record in an extract.
#[derive(Clone, Debug)]
pub struct ExtractConsent {
    pub consent: Consent,
    pub intervention_name: String,
}

/// One audit entry about the person, one of their participations or one of their consents.
#[derive(Clone, Debug)]
pub struct ExtractEvent {
    pub seq: u64,
    /// Milliseconds since the Unix epoch, UTC.
    pub at_ms: i64,
    pub user: Option<UserId>,
    pub username: Option<String>,
    pub user_display_name: Option<String>,
    pub role: Option<Role>,
    pub action: Action,
    pub intervention: Option<InterventionId>,
    /// Which pseudonym of the person's the entry names.
    pub subject: Pseudonym,
    /// The fields a change touched.
    pub fields: Vec<String>,
}

impl Session {
    /// The data subject's extract (registerutdrag): everything held on the person with this
    /// personnummer, and who viewed or changed it (system administrator, with a reason).
    /// A personnummer not in the register gives an empty extract; the request is logged either
    /// way.
    ///
    /// The history comes from a scan of the whole audit log — entries are indexed by
    /// intervention only, and an extract is a rare request, so a scan is acceptable. It runs in
    /// a read transaction so that writers are not held up; the personal data, the entries
    /// written since, and the request's own entry are then read and written in one write
    /// transaction.
    pub fn extract(&self, pnr: &str, reason: &str) -> Result<Extract, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let reason = clean_reason(reason)?;
        let today = self.service.clock().today();
        let pnr = Personnummer::parse(pnr, today)?;
        check_reason(&reason, &pnr, &[], today)?;
        let crypto = self.service.store().crypto();
        let (scanned_to, early) = {
            let tx = self.service.store().read()?;
            let (head, _) = audit::head(&*tx)?;
            let early = match people::person_by_pnr(&*tx, crypto, &pnr)? {
                Some(person) => {
                    let subjects = pseudonyms_of(&*tx, person)?;
                    audit::scan(&*tx, 0, |e| named(e, &subjects))?
                }
                None => Vec::new(),
            };
            (head, early)
        };
        let tx = self.service.store().write()?;
        let mut x = Extract::default();
        if let Some(person) = people::person_by_pnr(&tx, crypto, &pnr)?
            && let Some(row) = people::person(&tx, person)?
        {
            let identity = people::unseal_person(crypto, person, &row)?;
            check_reason(&reason, &pnr, &[&identity.name], today)?;
            x.identity = Some(identity);
            x.pseudonym = Some(row.pseudonym);
            x.withdrawn_on = row.withdrawn_on;
            let subjects = pseudonyms_of(&tx, person)?;
            for p in people::participations_of_person(&tx, person)? {
                let i = org::intervention(&tx, p.intervention)?;
                let association = i.as_ref().map_or(AssociationId(0), |i| i.association);
                if let std::collections::btree_map::Entry::Vacant(v) =
                    x.catalogues.entry(association)
                    && let Some(a) = org::association(&tx, association)?
                {
                    v.insert(a.catalogue(self.service.catalogue()));
                }
                x.participations.push(ExtractParticipation {
                    intervention_name: i.map(|i| i.name).unwrap_or_default(),
                    association,
                    participation: p,
                });
            }
            for c in people::consents_of(&tx, person)? {
                let name = org::intervention(&tx, c.intervention)?.map(|i| i.name);
                x.consents.push(ExtractConsent {
                    intervention_name: name.unwrap_or_default(),
                    consent: c,
                });
            }
            let late = audit::scan(&tx, scanned_to, |e| named(e, &subjects))?;
            let users: BTreeMap<UserId, (String, String)> = org::users(&tx)?
                .into_iter()
                .map(|u| (u.id, (u.username, u.display_name)))
                .collect();
            x.history = early
                .into_iter()
                .chain(late)
                .filter(|e| named(e, &subjects))
                .filter_map(|e| event(e, &users))
                .collect();
        }
        let (association, _) = whereabouts(&tx, people::person_by_pnr(&tx, crypto, &pnr)?)?;
        let draft = self.draft(
            Action::DataSubjectExtract,
            association,
            None,
            x.pseudonym,
            &[],
            reason,
        );
        self.service.audit(&tx, draft)?;
        self.service.commit(tx, &[])?;
        Ok(x)
    }
}

/// The person's pseudonym and those of their participations and consents.
fn pseudonyms_of(tx: &impl Tx, person: PersonId) -> Result<BTreeSet<Pseudonym>, ServiceError> {
    let mut out = BTreeSet::new();
    if let Some(row) = people::person(tx, person)? {
        out.insert(row.pseudonym);
    }
    for p in people::participations_of_person(tx, person)? {
        out.insert(p.pseudonym);
    }
    for c in people::consents_of(tx, person)? {
        out.insert(c.pseudonym);
    }
    Ok(out)
}

fn named(e: &Entry, subjects: &BTreeSet<Pseudonym>) -> bool {
    e.draft.subject.is_some_and(|s| subjects.contains(&s))
}

fn event(e: Entry, users: &BTreeMap<UserId, (String, String)>) -> Option<ExtractEvent> {
    let user = e.draft.user.and_then(|u| users.get(&u));
    Some(ExtractEvent {
        seq: e.seq,
        at_ms: e.at_ms,
        user: e.draft.user,
        username: user.map(|u| u.0.clone()),
        user_display_name: user.map(|u| u.1.clone()),
        role: e.draft.role,
        action: e.draft.action,
        intervention: e.draft.intervention,
        subject: e.draft.subject?,
        fields: e.draft.fields,
    })
}

/// The interventions of a person's participations and consents (by id), and the association of
/// the first: a request about the person is logged under it, so that association's log
/// reviewers see it.
pub(super) fn whereabouts(
    tx: &impl Tx,
    person: Option<PersonId>,
) -> Result<(Option<AssociationId>, Vec<InterventionId>), ServiceError> {
    let Some(person) = person else {
        return Ok((None, Vec::new()));
    };
    let mut interventions: BTreeSet<InterventionId> = people::participations_of_person(tx, person)?
        .iter()
        .map(|p| p.intervention)
        .collect();
    interventions.extend(
        people::consents_of(tx, person)?
            .iter()
            .map(|c| c.intervention),
    );
    let association = match interventions.first() {
        Some(i) => org::intervention(tx, *i)?.map(|i| i.association),
        None => None,
    };
    Ok((association, interventions.into_iter().collect()))
}

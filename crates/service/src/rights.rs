//! Data-subject rights (domain.md §5) and the log reviewer's reveal (§2): the extract
//! (registerutdrag), the correction of an identity, and revealing who is behind a pseudonym.
//! Retention (gallring) is in [`super::retention`].
//!
//! Each is a logged request: its audit entry is written in the write transaction that reads or
//! changes the data, and names the person by pseudonym only. The stated reason goes into the
//! entry's note (see [`super::reason`] for why that is safe enough).

use super::core::Notice;
use super::error::{
    DENIED_ADMIN, DENIED_LOG_REVIEWER, DENIED_REVIEW_SCOPE, RightsError, ServiceError,
};
use super::reason::{check_reason, clean_reason};
use super::session::Session;
use chrono::NaiveDate;
use insats_domain::audit::{Action, Entry};
use insats_domain::consent::Consent;
use insats_domain::ids::{AssociationId, InterventionId, PersonId, Pseudonym, UserId};
use insats_domain::participation::Participation;
use insats_domain::person::{Identity, MAX_NAME_CHARS, MunicipalityCode, clean_text};
use insats_domain::personnummer::Personnummer;
use insats_domain::questionnaire::Catalogue;
use insats_domain::user::{Role, Scope};
use insats_store::people::{self, Subject};
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
fn whereabouts(
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

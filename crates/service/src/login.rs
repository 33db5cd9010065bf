//! Sign-in events: every login and every refused one is an audit entry of its own, written in
//! its own write transaction. Neither carries personal data: the note is a key fingerprint or
//! the reason for the refusal. A sign-in of a known user is logged under each association the
//! user has (or had) an assignment in, so that association's log reviewers see it; one of
//! nobody known is logged without an association, for system administrators.

use super::core::Service;
use super::error::ServiceError;
use super::session::Session;
use insats_domain::audit::Action;
use insats_domain::ids::{AssociationId, UserId};
use insats_domain::user::Scope;
use insats_store::{Tx, org};
use std::collections::BTreeSet;

/// Longest note kept for a login entry (a fingerprint is 50 characters).
const MAX_NOTE: usize = 100;

fn short(note: &str) -> String {
    note.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NOTE)
        .collect()
}

impl Session {
    /// Records that this session's user signed in (e.g. with the SSH key `fingerprint`).
    pub fn record_login(&self, note: &str) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        for association in associations_of(&tx, self.user().id)? {
            let draft = self.draft(Action::Login, association, None, None, &[], short(note));
            self.service.audit(&tx, draft)?;
        }
        // No change notice: a sign-in changes nothing another session shows besides the log.
        self.service.commit(tx, &[])
    }
}

impl Service {
    /// Records a refused sign-in: `user` when the key or name was known, `note` the reason or
    /// the key's fingerprint.
    pub fn record_login_failed(
        &self,
        user: Option<UserId>,
        note: &str,
    ) -> Result<(), ServiceError> {
        let tx = self.store().write()?;
        let associations = match user {
            Some(u) => associations_of(&tx, u)?,
            None => vec![None],
        };
        for association in associations {
            let draft =
                super::admin::system_draft(Action::LoginFailed, user, association, short(note));
            self.audit(&tx, draft)?;
        }
        self.commit(tx, &[])
    }
}

/// The associations a sign-in entry of `user` goes under: those of every assignment they have or
/// had; `[None]` for a user without any.
pub(crate) fn associations_of(
    tx: &impl Tx,
    user: UserId,
) -> Result<Vec<Option<AssociationId>>, ServiceError> {
    let mut found = BTreeSet::new();
    for a in org::assignments_of(tx, user)? {
        match a.scope {
            Scope::Association(x) => {
                found.insert(x);
            }
            Scope::Intervention(i) => {
                if let Some(i) = org::intervention(tx, i)? {
                    found.insert(i.association);
                }
            }
        }
    }
    if found.is_empty() {
        return Ok(vec![None]);
    }
    Ok(found.into_iter().map(Some).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{AuditFilter, FixedClock, InitInput, Service, Session};
    use insats_domain::audit::Action;
    use insats_domain::user::Role;
    use insats_store::Store;

    fn service() -> (tempfile::TempDir, Service) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("t.redb"), None, false).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        let service = Service::new(store, Box::new(FixedClock::on(today)));
        service
            .init(&InitInput {
                association: crate::AssociationInput {
                    name: "Förbundet".into(),
                    org_number: "222000-1230".into(),
                    description: String::new(),
                    municipalities: "0180".into(),
                    start: "2020-01-01".into(),
                    end: String::new(),
                },
                admin_username: "admin".into(),
                admin_display_name: "Ada Admin".into(),
            })
            .unwrap();
        (dir, service)
    }

    #[test]
    fn a_login_and_a_refused_one_are_each_an_audit_entry() {
        let (_dir, service) = service();
        let admin = Session::sign_in(&service, "admin", Some(Role::SystemAdmin)).unwrap();
        admin.record_login("SHA256:abc").unwrap();
        service
            .record_login_failed(None, "unknown key SHA256:\u{1b}xyz")
            .unwrap();
        let entries = admin.audit_page(&AuditFilter::default(), None, 10).unwrap();
        let login = entries
            .iter()
            .find(|e| e.draft.action == Action::Login)
            .unwrap();
        assert_eq!(login.draft.user, Some(admin.user().id));
        assert_eq!(login.draft.session, admin.session_id());
        assert_eq!(login.draft.note, "SHA256:abc");
        let failed = entries
            .iter()
            .find(|e| e.draft.action == Action::LoginFailed)
            .unwrap();
        assert_eq!(failed.draft.user, None);
        assert_eq!(failed.draft.note, "unknown key SHA256:xyz");
    }
}

//! Sign-in events: every login and every refused one is an audit entry of its own, written in
//! its own write transaction. Neither carries personal data: the note is a key fingerprint or
//! the reason for the refusal, and the client's address ("… from 192.0.2.7") when there is one. A sign-in of a known user is logged under each association the
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
use std::net::IpAddr;

/// Longest note kept for a login entry (a fingerprint is 50 characters).
const MAX_NOTE: usize = 100;

/// The note as stored: without control characters, at most [`MAX_NOTE`] long, then the address.
fn note_from(note: &str, from: Option<IpAddr>) -> String {
    let mut s: String = note
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NOTE)
        .collect();
    if let Some(ip) = from {
        s.push_str(" from ");
        s.push_str(&ip.to_string());
    }
    s
}

impl Session {
    /// Records that this session's user signed in (e.g. with the SSH key `fingerprint`), from
    /// the client address `from` when there is one.
    pub fn record_login(&self, note: &str, from: Option<IpAddr>) -> Result<(), ServiceError> {
        let tx = self.service.store().write()?;
        for association in associations_of(&tx, self.user().id)? {
            let note = note_from(note, from);
            let draft = self.draft(Action::Login, association, None, None, &[], note);
            self.service.audit(&tx, draft)?;
        }
        // No change notice: a sign-in changes nothing another session shows besides the log.
        self.service.commit(tx, &[])
    }
}

impl Service {
    /// Records a refused sign-in: `user` when the key or name was known, `note` the reason or
    /// the key's fingerprint, `from` the client's address when there is one.
    pub fn record_login_failed(
        &self,
        user: Option<UserId>,
        note: &str,
        from: Option<IpAddr>,
    ) -> Result<(), ServiceError> {
        let tx = self.store().write()?;
        let associations = match user {
            Some(u) => associations_of(&tx, u)?,
            None => vec![None],
        };
        for association in associations {
            let note = note_from(note, from);
            let draft = super::admin::system_draft(Action::LoginFailed, user, association, note);
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
        admin.record_login("SHA256:abc", None).unwrap();
        let from = "2001:db8::7".parse().ok();
        admin.record_login("SHA256:def", from).unwrap();
        service
            .record_login_failed(
                None,
                "unknown key SHA256:\u{1b}xyz",
                Some([192, 0, 2, 7].into()),
            )
            .unwrap();
        let entries = admin.audit_page(&AuditFilter::default(), None, 10).unwrap();
        let logins: Vec<_> = entries
            .iter()
            .filter(|e| e.draft.action == Action::Login)
            .collect();
        assert_eq!(logins.len(), 2);
        for login in &logins {
            assert_eq!(login.draft.user, Some(admin.user().id));
            assert_eq!(login.draft.session, admin.session_id());
        }
        let notes: Vec<&str> = logins.iter().map(|e| e.draft.note.as_str()).collect();
        assert!(notes.contains(&"SHA256:abc"), "{notes:?}");
        assert!(notes.contains(&"SHA256:def from 2001:db8::7"), "{notes:?}");
        let failed = entries
            .iter()
            .find(|e| e.draft.action == Action::LoginFailed)
            .unwrap();
        assert_eq!(failed.draft.user, None);
        assert_eq!(failed.draft.note, "unknown key SHA256:xyz from 192.0.2.7");
        // The chain covers the notes with their addresses.
        let store = service.store();
        assert!(
            insats_store::audit::verify(&*store.read().unwrap(), store.crypto())
                .unwrap()
                .is_ok()
        );
    }
}

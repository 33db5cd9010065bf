//! Audit entries and the hash chain that makes an edit or a gap detectable.
//!
//! An entry names who did what, where, and to which pseudonymous participant — never a name or a
//! personnummer. Each entry's MAC covers the previous entry's MAC, so the entries form a chain.

use super::ids::{AssociationId, InterventionId, Pseudonym, UserId};
use super::user::Role;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    Init,
    CreateAssociation,
    UpdateAssociation,
    CreateIntervention,
    UpdateIntervention,
    CreateUser,
    UpdateUser,
    AddSshKey,
    RemoveSshKey,
    Assign,
    EndAssignment,
    RecordConsent,
    RegisterIn,
    RegisterOut,
    CorrectAnswers,
    WithdrawConsent,
    ProtectedIdentity,
    Misregistration,
    RegisterAnonymous,
    SetVolume,
    ViewParticipant,
    LookupPersonnummer,
    ImportBatch,
    Login,
    LoginFailed,
    RetentionPurge,
    /// A data subject's extract (registerutdrag), run by the system administrator.
    DataSubjectExtract,
    /// A correction of a person's name or municipality on their request.
    CorrectIdentity,
    /// A log reviewer revealed the identity behind a pseudonym, with a stated reason.
    RevealIdentity,
    /// A handler removed a consent no registration used (with the person, when nothing else
    /// referred to them).
    RemoveConsent,
    /// An intervention's plan for a budget year was set or removed.
    SetPlan,
    /// A follow-up report was run (kind, scope and filters in the note).
    RunReport,
    /// A user set or changed their unlock code (never the code itself).
    SetUnlockCode,
    /// A system administrator removed a user's unlock code (e.g. a forgotten one).
    ResetUnlockCode,
    /// A wrong unlock code was typed at the idle lock (the try, and whether the session ended).
    UnlockFailed,
    /// An association administrator changed the association's record of processing activities
    /// (GDPR art. 30); the fields name the sections that changed.
    UpdateProcessingRecord,
    /// A backup of the whole register was taken (counts and size in the note).
    Backup,
    /// The register was restored from a backup (in the restored file: when the backup was
    /// taken, what was re-applied from the erasure journal).
    Restore,
    /// An access to personal data was refused (a participant outside the user's assignments,
    /// or a look-up in a role that sees no individuals); the note says what was refused.
    AccessRefused,
    /// A log reviewer ran the review rules, or drew a random sample, over a period (the run's
    /// id, period and seed in the note).
    ReviewRun,
    /// A log reviewer judged a finding or a sampled entry (the item and the verdict in the
    /// note; the comment is kept with the verdict, not in the log).
    ReviewVerdict,
    /// An association administrator changed the association's review rules.
    SetReviewRules,
}

impl Action {
    pub const ALL: [Action; 42] = [
        Action::Init,
        Action::CreateAssociation,
        Action::UpdateAssociation,
        Action::CreateIntervention,
        Action::UpdateIntervention,
        Action::CreateUser,
        Action::UpdateUser,
        Action::AddSshKey,
        Action::RemoveSshKey,
        Action::Assign,
        Action::EndAssignment,
        Action::RecordConsent,
        Action::RegisterIn,
        Action::RegisterOut,
        Action::CorrectAnswers,
        Action::WithdrawConsent,
        Action::ProtectedIdentity,
        Action::Misregistration,
        Action::RegisterAnonymous,
        Action::SetVolume,
        Action::ViewParticipant,
        Action::LookupPersonnummer,
        Action::ImportBatch,
        Action::Login,
        Action::LoginFailed,
        Action::RetentionPurge,
        Action::DataSubjectExtract,
        Action::CorrectIdentity,
        Action::RevealIdentity,
        Action::RemoveConsent,
        Action::SetPlan,
        Action::RunReport,
        Action::SetUnlockCode,
        Action::ResetUnlockCode,
        Action::UnlockFailed,
        Action::UpdateProcessingRecord,
        Action::Backup,
        Action::Restore,
        Action::AccessRefused,
        Action::ReviewRun,
        Action::ReviewVerdict,
        Action::SetReviewRules,
    ];

    /// Stable key for filters and exports.
    pub fn key(self) -> &'static str {
        match self {
            Action::Init => "init",
            Action::CreateAssociation => "create-association",
            Action::UpdateAssociation => "update-association",
            Action::CreateIntervention => "create-intervention",
            Action::UpdateIntervention => "update-intervention",
            Action::CreateUser => "create-user",
            Action::UpdateUser => "update-user",
            Action::AddSshKey => "add-ssh-key",
            Action::RemoveSshKey => "remove-ssh-key",
            Action::Assign => "assign",
            Action::EndAssignment => "end-assignment",
            Action::RecordConsent => "record-consent",
            Action::RegisterIn => "register-in",
            Action::RegisterOut => "register-out",
            Action::CorrectAnswers => "correct-answers",
            Action::WithdrawConsent => "withdraw-consent",
            Action::ProtectedIdentity => "protected-identity",
            Action::Misregistration => "misregistration",
            Action::RegisterAnonymous => "register-anonymous",
            Action::SetVolume => "set-volume",
            Action::ViewParticipant => "view-participant",
            Action::LookupPersonnummer => "lookup-personnummer",
            Action::ImportBatch => "import-batch",
            Action::Login => "login",
            Action::LoginFailed => "login-failed",
            Action::RetentionPurge => "retention-purge",
            Action::DataSubjectExtract => "data-subject-extract",
            Action::CorrectIdentity => "correct-identity",
            Action::RevealIdentity => "reveal-identity",
            Action::RemoveConsent => "remove-consent",
            Action::SetPlan => "set-plan",
            Action::RunReport => "run-report",
            Action::Backup => "backup",
            Action::Restore => "restore",
            Action::SetUnlockCode => "set-unlock-code",
            Action::ResetUnlockCode => "reset-unlock-code",
            Action::UnlockFailed => "unlock-failed",
            Action::UpdateProcessingRecord => "update-processing-record",
            Action::AccessRefused => "access-refused",
            Action::ReviewRun => "review-run",
            Action::ReviewVerdict => "review-verdict",
            Action::SetReviewRules => "set-review-rules",
        }
    }

    pub fn from_key(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Whether the action only reads personal data (an access entry) rather than changing data.
    pub fn is_view(self) -> bool {
        matches!(
            self,
            Action::ViewParticipant
                | Action::LookupPersonnummer
                | Action::DataSubjectExtract
                | Action::RevealIdentity
        )
    }
}

impl Action {
    /// Whether the action views or changes a person's data: what the random sample of a log
    /// review draws from, and what the office-hours rule looks at.
    pub fn touches_personal_data(self) -> bool {
        self.is_view()
            || matches!(
                self,
                Action::RecordConsent
                    | Action::RegisterIn
                    | Action::RegisterOut
                    | Action::CorrectAnswers
                    | Action::WithdrawConsent
                    | Action::ProtectedIdentity
                    | Action::Misregistration
                    | Action::CorrectIdentity
                    | Action::RemoveConsent
            )
    }
}

/// The note of a personnummer look-up: how many participations it found.
pub fn lookup_note(hits: usize) -> String {
    format!("{hits} hits")
}

/// Whether a look-up's note says it matched no one.
pub fn lookup_matched_none(note: &str) -> bool {
    note == "0 hits"
}

/// The content of an entry, before it is chained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub user: Option<UserId>,
    pub role: Option<Role>,
    /// The session the action came through (random per sign-in).
    pub session: u64,
    pub association: Option<AssociationId>,
    pub intervention: Option<InterventionId>,
    pub subject: Option<Pseudonym>,
    pub action: Action,
    /// The names of the fields a change touched.
    pub fields: Vec<String>,
    /// A short note without personal data, e.g. "3 women, 2 men" or "12 rows".
    pub note: String,
}

/// A stored entry: the draft plus its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// Milliseconds since the Unix epoch, UTC.
    pub at_ms: i64,
    pub draft: Draft,
    pub prev: [u8; 32],
    pub mac: [u8; 32],
}

/// The genesis link: what the first entry's `prev` is.
pub const GENESIS: [u8; 32] = [0; 32];

/// The bytes an entry's MAC is computed over: a domain label, the sequence number, the time,
/// the previous MAC and the encoded draft. `encoded_draft` is the stored encoding of the draft.
pub fn chain_input(seq: u64, at_ms: i64, prev: &[u8; 32], encoded_draft: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + 8 + 8 + 32 + encoded_draft.len());
    out.extend_from_slice(b"insats-audit-v1\0");
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&at_ms.to_be_bytes());
    out.extend_from_slice(prev);
    out.extend_from_slice(encoded_draft);
    out
}

/// The first problem found when replaying the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {expected} is missing (the next entry found is {found})")]
    Gap { expected: u64, found: u64 },
    #[error("entry {seq} does not link to the entry before it")]
    BadLink { seq: u64 },
    #[error("entry {seq} has been altered (its MAC does not match its content)")]
    BadMac { seq: u64 },
    #[error("entry {seq} cannot be decoded")]
    Undecodable { seq: u64 },
    #[error(
        "the log ends at entry {found} but the recorded head is entry {expected}: entries were removed"
    )]
    Truncated { expected: u64, found: u64 },
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn every_action_key_is_unique_and_round_trips() {
        let mut keys: Vec<&str> = Action::ALL.iter().map(|a| a.key()).collect();
        for a in Action::ALL {
            assert_eq!(Action::from_key(a.key()), Some(a));
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Action::ALL.len());
    }
}

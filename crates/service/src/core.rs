//! The shared service: the store, the clock, the questionnaire catalogue and the channel that
//! tells other sessions what changed.

use super::batch::Work;
use super::clock::Clock;
use super::error::ServiceError;
use insats_domain::audit::{Action, Draft};
use insats_domain::ids::{AssociationId, InterventionId};
use insats_domain::questionnaire::Catalogue;
use insats_store::{Store, audit};
use redb::WriteTransaction;
use std::sync::{Arc, OnceLock, mpsc};
use tokio::sync::broadcast;

/// What changed, published after each commit so other sessions can reload what they show:
/// who sent it, what it touches and what was done. The service decides the scope; a screen only
/// compares it with what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    /// The session that made the change ([`Session::session_id`](crate::Session::session_id));
    /// 0 for a change made without a session (setting up a database).
    pub sender: u64,
    pub scope: NoticeScope,
    pub action: Action,
}

/// What a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeScope {
    /// One intervention's participants, counts or log.
    Intervention(InterventionId),
    /// An association's settings (e.g. its supplementary questions).
    Association(AssociationId),
    /// Who may see what, or what exists: users, assignments, interventions, associations.
    /// Every screen reloads.
    Organisation,
}

impl Notice {
    /// The notice of `action` by session `sender` on `intervention` or `association`. Changes
    /// to who may see what, or to what exists, concern the whole organisation.
    pub(crate) fn new(
        sender: u64,
        action: Action,
        association: Option<AssociationId>,
        intervention: Option<InterventionId>,
    ) -> Self {
        use Action as A;
        let organisation = matches!(
            action,
            A::Init
                | A::Assign
                | A::EndAssignment
                | A::CreateAssociation
                | A::CreateIntervention
                | A::UpdateIntervention
                | A::SetPlan
                | A::CreateUser
                | A::UpdateUser
                | A::UpdateAssociation
        );
        let scope = match (intervention, association) {
            _ if organisation => NoticeScope::Organisation,
            (Some(i), _) => NoticeScope::Intervention(i),
            (None, Some(a)) => NoticeScope::Association(a),
            (None, None) => NoticeScope::Organisation,
        };
        Self {
            sender,
            scope,
            action,
        }
    }

    /// Whether a screen of session `me`, showing the participants of `shown` (if any), must
    /// reload for this notice. Its own changes it has reloaded already.
    pub fn concerns(&self, me: u64, shown: Option<InterventionId>) -> bool {
        if self.sender == me && me != 0 {
            return false;
        }
        match self.scope {
            NoticeScope::Organisation | NoticeScope::Association(_) => true,
            NoticeScope::Intervention(i) => shown.is_none_or(|s| s == i),
        }
    }
}

pub(crate) struct Inner {
    store: Store,
    clock: Box<dyn Clock>,
    catalogue: Catalogue,
    notices: broadcast::Sender<Notice>,
    /// The group-commit queue, started on first use (see `batch.rs`).
    pub(crate) committer: OnceLock<mpsc::Sender<Box<dyn Work>>>,
    /// Grouped changes under way (running alone or queued), see `batch.rs`.
    pub(crate) writing: std::sync::atomic::AtomicUsize,
    /// The erasure journal every erasure is recorded in before it commits (`None` only for a
    /// database being restored, where nothing is erased through the use cases).
    pub(crate) journal: Option<std::sync::Mutex<insats_store::journal::Journal>>,
    /// Where backups taken through the server are encrypted to (`serve --backup-recipient`).
    pub(crate) backup_recipients: OnceLock<crate::backup::Recipients>,
    /// Held while an unlock code is hashed or checked: one at a time in the process, so many
    /// sessions unlocking at once take one core and one hash's memory (see `unlock.rs`).
    pub(crate) hashing: std::sync::Mutex<()>,
}

/// The register, shared by every session of the process (cheap to clone).
#[derive(Clone)]
pub struct Service {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// A service over an opened store, for tests and benchmarks (feature `test-internals`);
    /// the application opens one with [`Service::open`] or [`Service::create`].
    /// Its erasure journal is the one beside the database file (created when missing).
    ///
    /// # Panics
    /// When the journal cannot be opened (a test's or benchmark's set-up failed).
    #[cfg(any(test, feature = "test-internals"))]
    #[doc(hidden)]
    #[allow(clippy::expect_used)]
    pub fn new(store: Store, clock: Box<dyn Clock>) -> Self {
        let path = insats_store::journal::default_path(store.path());
        Self::with_journal(store, clock, &path).expect("the erasure journal opens")
    }

    /// A service over `store` whose erasures are recorded in the journal at `journal`
    /// (created when missing; refused when it belongs to another register). An erasure whose
    /// commit a crash cut off is voided here.
    pub(crate) fn with_journal(
        store: Store,
        clock: Box<dyn Clock>,
        journal: &std::path::Path,
    ) -> Result<Self, ServiceError> {
        let journal = crate::erasures::open(&store, clock.as_ref(), journal)?;
        Ok(Self::with_parts(store, clock, Some(journal)))
    }

    pub(crate) fn with_parts(
        store: Store,
        clock: Box<dyn Clock>,
        journal: Option<insats_store::journal::Journal>,
    ) -> Self {
        let (notices, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                catalogue: Catalogue::default_catalogue(),
                notices,
                committer: OnceLock::new(),
                writing: std::sync::atomic::AtomicUsize::new(0),
                journal: journal.map(std::sync::Mutex::new),
                backup_recipients: OnceLock::new(),
                hashing: std::sync::Mutex::new(()),
            }),
        }
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// The store behind the service: for the service's own use cases, and for tests and
    /// benchmarks (feature `test-internals`) that read tables directly. The application never
    /// enables that feature, so nothing above the service can reach past it.
    #[cfg(not(feature = "test-internals"))]
    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    #[cfg(feature = "test-internals")]
    #[doc(hidden)]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    /// Subscribes to change notices.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.inner.notices.subscribe()
    }

    /// Appends an audit entry in `tx`.
    pub(crate) fn audit(&self, tx: &WriteTransaction, draft: Draft) -> Result<(), ServiceError> {
        audit::append(tx, self.store().crypto(), self.clock().now_ms(), draft)?;
        Ok(())
    }

    /// Appends an audit entry and returns it (its sequence number and time).
    pub(crate) fn audit_entry(
        &self,
        tx: &WriteTransaction,
        draft: Draft,
    ) -> Result<insats_domain::audit::Entry, ServiceError> {
        Ok(audit::append(
            tx,
            self.store().crypto(),
            self.clock().now_ms(),
            draft,
        )?)
    }

    /// Commits and publishes the notices.
    pub(crate) fn commit(
        &self,
        tx: WriteTransaction,
        notices: &[Notice],
    ) -> Result<(), ServiceError> {
        tx.commit().map_err(insats_store::StoreError::from)?;
        for n in notices {
            // No subscriber is fine: nobody else is looking.
            let _ = self.inner.notices.send(*n);
        }
        Ok(())
    }
}

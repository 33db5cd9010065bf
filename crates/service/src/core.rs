//! The shared service: the store, the clock, the questionnaire catalogue and the channel that
//! tells other sessions what changed.

use super::batch::Work;
use super::clock::Clock;
use super::error::ServiceError;
use insats_domain::audit::{Action, Draft};
use insats_domain::ids::InterventionId;
use insats_domain::questionnaire::Catalogue;
use insats_store::{Store, audit};
use redb::WriteTransaction;
use std::sync::{Arc, OnceLock, mpsc};
use tokio::sync::broadcast;

/// What changed, published after each commit so other sessions can reload what they show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub intervention: Option<InterventionId>,
    pub action: Action,
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
    #[cfg(any(test, feature = "test-internals"))]
    #[doc(hidden)]
    pub fn new(store: Store, clock: Box<dyn Clock>) -> Self {
        Self::with_store(store, clock)
    }

    pub(crate) fn with_store(store: Store, clock: Box<dyn Clock>) -> Self {
        let (notices, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                catalogue: Catalogue::default_catalogue(),
                notices,
                committer: OnceLock::new(),
                writing: std::sync::atomic::AtomicUsize::new(0),
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

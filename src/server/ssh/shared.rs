//! What every connection of the server shares: the service, the limits and the budgets.

use super::channel::Exec;
use super::failures::FailedLogins;
use super::source::Source;
use super::startups::Startups;
use super::watch::{Timeouts, Watch};
use crate::service::Service;
use crate::ui::Options;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// What every connection of the server shares.
pub struct Shared {
    pub service: Service,
    pub ui: Options,
    pub exec: Exec,
    pub failed: FailedLogins,
    /// Connections not yet signed in, each with its watch (to push the oldest out).
    pub startups: Mutex<Startups<Arc<Watch>>>,
    /// One permit per running session (terminal UI or command).
    pub sessions: Arc<Semaphore>,
    /// One permit per signed-in connection, running a session or not.
    pub signed_in: Arc<Semaphore>,
    pub max_sessions: usize,
    pub timeouts: Timeouts,
    /// Audit writes started when a connection went (refused sign-ins): a stop waits for them,
    /// so that no refusal is lost to a shutdown.
    pub pending_audit: Mutex<JoinSet<()>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("max_sessions", &self.max_sessions)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Runs the audit write `write` on the blocking pool, tracked so that a stop waits for it.
    pub fn audit_later(&self, rt: &tokio::runtime::Handle, write: impl FnOnce() + Send + 'static) {
        let mut pending = self
            .pending_audit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while pending.try_join_next().is_some() {}
        pending.spawn_blocking_on(write, rt);
    }

    /// The audit writes still running, taken out to be waited for at a stop.
    pub fn take_pending_audit(&self) -> JoinSet<()> {
        std::mem::take(
            &mut *self
                .pending_audit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// What a session refused for want of room is told.
    pub fn full_message(&self) -> String {
        let sv = self.ui.lang == crate::service::Lang::Sv;
        if sv {
            format!(
                "insats: servern är full ({} sessioner); försök igen om en stund\r\n",
                self.max_sessions
            )
        } else {
            format!(
                "insats: the server is full ({} sessions); try again later\r\n",
                self.max_sessions
            )
        }
    }

    /// The connection `id` from `from` no longer waits to sign in.
    pub fn left_startups(&self, from: Source, id: u64) {
        self.startups
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .leave(from, id);
    }
}

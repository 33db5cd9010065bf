//! Every connection state has a deadline: signing in (the login grace time), signed in with no
//! session running (no channel, or a channel that asked for neither a terminal nor a command),
//! and a running session (a backstop a minute past the hard timeout, counted from the client's
//! last input, for a session whose thread cannot end itself). The connection's [`Watch`] is
//! kept by its handler as it moves between them; [`deadline`] says when and why it ends.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long each state may last.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From the connection to a successful sign-in.
    pub login_grace: Duration,
    /// Signed in with no session running.
    pub idle: Duration,
    /// A session without client input (the session itself closes after this; the connection
    /// is closed a minute later if it has not).
    pub hard: Duration,
}

/// The state a connection is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    SigningIn,
    /// Signed in, no session running.
    Idle,
    /// A terminal UI or a command runs.
    Session,
}

/// Why a connection was ended by the server (not by the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Not signed in within the login grace time.
    GraceExpired,
    /// Signed in but no session started (or none after the last one) within the idle time.
    NoSession,
    /// A session with no input for a minute past the hard timeout that did not close itself.
    SessionStalled,
    /// Pushed out of the budget of connections not yet signed in by a newer one.
    Evicted,
}

impl Expiry {
    /// For the system log.
    pub fn reason(self) -> &'static str {
        match self {
            Expiry::GraceExpired => "login grace time expired",
            Expiry::NoSession => "signed in but no session started in time",
            Expiry::SessionStalled => "session without input past the hard timeout",
            Expiry::Evicted => "too many connections not signed in: the oldest made room",
        }
    }

    /// For the client (its `ssh` prints it on disconnect).
    pub fn message(self, lang: crate::service::Lang) -> &'static str {
        let sv = lang == crate::service::Lang::Sv;
        match (self, sv) {
            (Expiry::GraceExpired, false) => "sign-in took too long",
            (Expiry::GraceExpired, true) => "inloggningen tog för lång tid",
            (Expiry::Evicted, false) => "too many connections are waiting to sign in; try again",
            (Expiry::Evicted, true) => "för många anslutningar väntar på inloggning; försök igen",
            (Expiry::NoSession, false) => "no session was started: connection closed",
            (Expiry::NoSession, true) => "ingen session startades: anslutningen stängdes",
            (Expiry::SessionStalled, false) => "session closed after the idle time",
            (Expiry::SessionStalled, true) => "sessionen stängdes efter tiden utan aktivitet",
        }
    }
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// When the phase began, or the client's last input in a session.
    since: Instant,
    evicted: bool,
}

/// One connection's state, shared by its handler (which moves it along) and the task that
/// closes it at its deadline.
#[derive(Debug)]
pub struct Watch {
    state: Mutex<State>,
    changed: Notify,
}

impl Watch {
    pub fn new(now: Instant) -> Self {
        Self {
            state: Mutex::new(State {
                phase: Phase::SigningIn,
                since: now,
                evicted: false,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves to `phase` from now on. Signing in is only ever the first phase.
    pub fn enter(&self, phase: Phase, now: Instant) {
        {
            let mut s = self.lock();
            if s.phase == phase || phase == Phase::SigningIn {
                return;
            }
            s.phase = phase;
            s.since = now;
            // Signed in before an eviction took effect: it no longer waits, nothing to evict.
            s.evicted = false;
        }
        self.changed.notify_one();
    }

    /// The client typed something in its session.
    pub fn input(&self, now: Instant) {
        let mut s = self.lock();
        if s.phase == Phase::Session {
            s.since = now;
        }
    }

    /// Ends the connection now unless it has signed in meanwhile.
    pub fn evict(&self) {
        {
            let mut s = self.lock();
            if s.phase != Phase::SigningIn {
                return;
            }
            s.evicted = true;
        }
        self.changed.notify_one();
    }

    /// When the current state runs out, and what that means.
    pub fn deadline(&self, t: &Timeouts) -> (Instant, Expiry) {
        let s = self.lock();
        if s.evicted {
            return (s.since, Expiry::Evicted);
        }
        match s.phase {
            Phase::SigningIn => (s.since + t.login_grace, Expiry::GraceExpired),
            Phase::Idle => (s.since + t.idle, Expiry::NoSession),
            Phase::Session => (
                s.since + t.hard + Duration::from_mins(1),
                Expiry::SessionStalled,
            ),
        }
    }

    /// Waits until the connection's state runs out.
    pub async fn expired(&self, t: Timeouts) -> Expiry {
        loop {
            let (at, why) = self.deadline(&t);
            if Instant::now() >= at {
                return why;
            }
            tokio::select! {
                () = tokio::time::sleep_until(at.into()) => {}
                () = self.changed.notified() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timeouts = Timeouts {
        login_grace: Duration::from_secs(30),
        idle: Duration::from_mins(1),
        hard: Duration::from_hours(1),
    };

    #[test]
    fn each_state_has_its_deadline() {
        let t0 = Instant::now();
        let w = Watch::new(t0);
        assert_eq!(w.deadline(&T), (t0 + T.login_grace, Expiry::GraceExpired));
        let t1 = t0 + Duration::from_secs(2);
        w.enter(Phase::Idle, t1);
        assert_eq!(w.deadline(&T), (t1 + T.idle, Expiry::NoSession));
        // Back to signing in is not a thing; an eviction after sign-in is ignored.
        w.enter(Phase::SigningIn, t1 + Duration::from_secs(1));
        w.evict();
        assert_eq!(w.deadline(&T), (t1 + T.idle, Expiry::NoSession));
        let t2 = t1 + Duration::from_secs(5);
        w.enter(Phase::Session, t2);
        let backstop = T.hard + Duration::from_mins(1);
        assert_eq!(w.deadline(&T), (t2 + backstop, Expiry::SessionStalled));
        // Input moves the session's deadline; it does not move an idle connection's.
        let t3 = t2 + Duration::from_mins(30);
        w.input(t3);
        assert_eq!(w.deadline(&T), (t3 + backstop, Expiry::SessionStalled));
        let t4 = t3 + Duration::from_secs(1);
        w.enter(Phase::Idle, t4);
        w.input(t4 + Duration::from_secs(30));
        assert_eq!(w.deadline(&T), (t4 + T.idle, Expiry::NoSession));
    }

    #[test]
    fn an_evicted_connection_expires_at_once() {
        let t0 = Instant::now();
        let w = Watch::new(t0);
        w.evict();
        assert_eq!(w.deadline(&T), (t0, Expiry::Evicted));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_waiting_task_hears_of_a_change_and_of_the_time() {
        let started = Instant::now();
        let w = std::sync::Arc::new(Watch::new(started));
        let t = Timeouts {
            login_grace: Duration::from_secs(30),
            idle: Duration::from_millis(50),
            hard: Duration::from_mins(1),
        };
        let waiting = tokio::spawn({
            let w = w.clone();
            async move { w.expired(t).await }
        });
        tokio::task::yield_now().await;
        w.enter(Phase::Idle, Instant::now());
        assert_eq!(waiting.await.ok(), Some(Expiry::NoSession));
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(50) && took < Duration::from_secs(5));
    }
}

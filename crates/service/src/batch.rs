//! Group commit: registrations from many sessions are queued to one committer thread, which
//! runs every queued one in a single write transaction and commits them together. Each keeps its
//! own audit entry, and its own refusal: if one of a batch is refused, the batch transaction is
//! dropped (nothing of it is written) and the batch runs again without it; the refused one then
//! runs alone, so a refusal never takes another registration with it. A change that finds no
//! other under way is committed on its own thread, skipping the hand-over.

use super::core::{Inner, Notice, Service};
use super::error::ServiceError;
use redb::WriteTransaction;
use std::sync::mpsc;
use std::sync::{Arc, Weak};

/// Most registrations committed together.
const MAX_BATCH: usize = 256;

/// How long the committer waits for more changes once several sessions are writing.
const GATHER: std::time::Duration = std::time::Duration::from_micros(300);

/// A change waiting for the committer.
pub(crate) trait Work: Send {
    /// Runs the change in `tx` (it may run twice: in a batch, then alone). Returns the notices
    /// to publish after the commit.
    fn run(&mut self, tx: &WriteTransaction) -> Result<Vec<Notice>, ServiceError>;
    /// Hands the outcome to the session waiting for it.
    fn finish(self: Box<Self>, outcome: Result<(), ServiceError>);
}

/// A call waiting for its value.
struct Call<T, F> {
    f: F,
    value: Option<T>,
    reply: mpsc::SyncSender<Result<T, ServiceError>>,
}

impl<T, F> Work for Call<T, F>
where
    T: Send,
    F: FnMut(&WriteTransaction) -> Result<(T, Vec<Notice>), ServiceError> + Send,
{
    fn run(&mut self, tx: &WriteTransaction) -> Result<Vec<Notice>, ServiceError> {
        let (value, notices) = (self.f)(tx)?;
        self.value = Some(value);
        Ok(notices)
    }

    fn finish(self: Box<Self>, outcome: Result<(), ServiceError>) {
        let Call { f, value, reply } = *self;
        // The change holds its session (and so the register): let go of it before answering.
        drop(f);
        let result = outcome
            .and_then(|()| value.ok_or(ServiceError::Conflict("the change was not carried out")));
        // The session may have gone away meanwhile; the change stands either way.
        let _ = reply.send(result);
    }
}

impl Service {
    /// Runs `f` in a write transaction shared with whatever other registrations are waiting,
    /// and returns its value once that transaction is durably committed.
    pub(crate) fn grouped<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnMut(&WriteTransaction) -> Result<(T, Vec<Notice>), ServiceError> + Send + 'static,
    {
        let writing = Writing::enter(&self.inner.writing);
        if writing.alone {
            // Nobody else is writing: commit on this thread, without the hand-over to the
            // committer and back (two thread wake-ups). Whoever comes meanwhile is queued, and
            // redb's write lock keeps the two transactions apart.
            let mut f = f;
            let tx = self.store().write()?;
            let (value, notices) = f(&tx)?;
            drop(f);
            self.commit(tx, &notices)?;
            return Ok(value);
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let work: Box<dyn Work> = Box::new(Call {
            f,
            value: None,
            reply,
        });
        self.committer()
            .send(work)
            .map_err(|_| ServiceError::Conflict("the committer has stopped"))?;
        answer
            .recv()
            .map_err(|_| ServiceError::Conflict("the committer has stopped"))?
    }

    fn committer(&self) -> &mpsc::Sender<Box<dyn Work>> {
        self.inner.committer.get_or_init(|| {
            let (send, queue) = mpsc::channel::<Box<dyn Work>>();
            let weak = Arc::downgrade(&self.inner);
            // If the thread cannot start, senders see a closed queue and say so.
            let _ = std::thread::Builder::new()
                .name("insats-committer".into())
                .spawn(move || commit_loop(&weak, &queue));
            send
        })
    }
}

/// Counts a grouped change under way for as long as it lives.
struct Writing<'a> {
    count: &'a std::sync::atomic::AtomicUsize,
    /// No other grouped change was under way when this one began.
    alone: bool,
}

impl<'a> Writing<'a> {
    fn enter(count: &'a std::sync::atomic::AtomicUsize) -> Self {
        let before = count.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Writing {
            count,
            alone: before == 0,
        }
    }
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// A change and what became of it.
type Outcome = (Box<dyn Work>, Result<(), ServiceError>);

/// Takes whatever is queued, commits it together, and goes on until the service is gone.
fn commit_loop(service: &Weak<Inner>, queue: &mpsc::Receiver<Box<dyn Work>>) {
    let mut busy = false;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            // While several sessions are writing, they answer the last batch's replies with
            // their next change within moments: wait that moment, so they share one commit.
            // A lone writer is never kept waiting.
            let next = if busy {
                queue.recv_timeout(GATHER).ok()
            } else {
                queue.try_recv().ok()
            };
            match next {
                Some(w) => batch.push(w),
                None => break,
            }
        }
        busy = batch.len() > 1;
        let outcomes = match service.upgrade() {
            Some(inner) => {
                let service = Service::from_inner(inner);
                if batch.len() == 1 {
                    batch.into_iter().map(|w| alone(&service, w)).collect()
                } else {
                    together(&service, batch)
                }
                // The service is let go here, before anyone hears back: whoever closes the
                // register next must not find it still held by this thread.
            }
            None => batch
                .into_iter()
                .map(|w| (w, Err(ServiceError::Conflict("the register was closed"))))
                .collect::<Vec<Outcome>>(),
        };
        for (w, outcome) in outcomes {
            w.finish(outcome);
        }
    }
}

fn together(service: &Service, mut batch: Vec<Box<dyn Work>>) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    // Changes refused in the batch: they run again alone once the others are committed, so
    // their answer is their own, against the register as the others left it.
    let mut apart = Vec::new();
    loop {
        let Ok(tx) = service.store().write() else {
            let e = || ServiceError::Conflict("the database could not be written");
            outcomes.extend(batch.into_iter().map(|w| (w, Err(e()))));
            break;
        };
        let mut notices = Vec::new();
        let mut refused = None;
        for (i, w) in batch.iter_mut().enumerate() {
            if let Ok(n) = w.run(&tx) {
                notices.extend(n);
            } else {
                refused = Some(i);
                break;
            }
        }
        if let Some(i) = refused {
            // Nothing of this attempt is written; the batch goes again without that one.
            drop(tx);
            apart.push(batch.remove(i));
            continue;
        }
        let failed = service.commit(tx, &notices).is_err();
        outcomes.extend(batch.into_iter().map(|w| {
            let outcome = if failed {
                Err(ServiceError::Conflict(
                    "the commit failed; nothing was saved",
                ))
            } else {
                Ok(())
            };
            (w, outcome)
        }));
        break;
    }
    outcomes.extend(apart.into_iter().map(|w| alone(service, w)));
    outcomes
}

fn alone(service: &Service, mut w: Box<dyn Work>) -> Outcome {
    let outcome = service
        .store()
        .write()
        .map_err(ServiceError::from)
        .and_then(|tx| {
            let notices = w.run(&tx)?;
            service.commit(tx, &notices)
        });
    (w, outcome)
}

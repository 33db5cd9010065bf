//! The queue, one item with its entries, and verdicts. A verdict is kept with its own audit
//! entry in one write transaction; a changed verdict is a new verdict and a new entry; a
//! reviewer never judges an item that holds an entry of their own.

use crate::error::{DENIED_OWN_ACCESS, ServiceError};
use crate::session::Session;
use insats_domain::audit::{Action, Entry};
use insats_domain::ids::{AssociationId, ReviewItemId};
use insats_domain::person::clean_text;
use insats_domain::personnummer::Personnummer;
use insats_domain::review::{Item, Verdict, VerdictKind};
use insats_store::schema::{QUEUE_CLOSED, QUEUE_OPEN};
use insats_store::{Tx, audit, review};

/// Longest verdict comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

/// One row of the queue: the item and its latest verdict (`None`: not judged yet).
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub item: Item,
    pub latest: Option<Verdict>,
}

impl QueueRow {
    /// Whether the item is still to be dealt with: not judged, or judged "needs follow-up".
    pub fn is_open(&self) -> bool {
        self.latest.as_ref().is_none_or(|v| v.kind.keeps_open())
    }
}

/// An item with its entries (pseudonyms only) and every verdict on it, oldest first.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub item: Item,
    pub entries: Vec<Entry>,
    pub verdicts: Vec<Verdict>,
}

/// Where `item` stands in `order`, whose first `open` ids (the open part) and the rest are each
/// sorted.
fn place_in(order: &[u64], open: usize, item: ReviewItemId) -> Option<usize> {
    let (opened, closed) = order.split_at(open.min(order.len()));
    opened
        .binary_search(&item.0)
        .ok()
        .or_else(|| closed.binary_search(&item.0).ok().map(|i| open + i))
}

/// A stretch of the queue: its rows, where it starts, and how many items the whole queue and
/// its open part hold.
#[derive(Debug, Clone, Default)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// The place in the whole queue of the first row.
    pub start: usize,
    pub total: usize,
    pub open: usize,
}

impl Session {
    /// The associations a queue request reaches: `association`, or every one the reviewer
    /// reviews when `None` (refused for anyone else).
    fn queue_associations(
        &self,
        tx: &impl Tx,
        association: Option<AssociationId>,
    ) -> Result<Vec<AssociationId>, ServiceError> {
        self.live(tx)?;
        let first = self.reviewed_association(tx, association)?;
        Ok(match association {
            Some(_) => vec![first],
            None => self.assigned_associations(tx)?,
        })
    }

    /// The queue's order: the ids of the open items of every association reached, oldest
    /// first, then (unless `open_only`) those of the closed ones; and how many are open. Only
    /// the queue index's keys are read.
    fn queue_order(
        tx: &impl Tx,
        associations: &[AssociationId],
        open_only: bool,
    ) -> Result<(Vec<u64>, usize), ServiceError> {
        let mut order = Vec::new();
        let mut open = 0;
        for part in [QUEUE_OPEN, QUEUE_CLOSED] {
            if part == QUEUE_CLOSED && open_only {
                break;
            }
            let from = order.len();
            for &a in associations {
                order.extend(review::queue_ids(tx, a, part)?);
            }
            order[from..].sort_unstable();
            if part == QUEUE_OPEN {
                open = order.len();
            }
        }
        Ok((order, open))
    }

    /// The rows of `order` from place `start`, at most `limit`, each with its latest verdict.
    fn queue_rows(
        tx: &impl Tx,
        order: &[u64],
        open: usize,
        start: usize,
        limit: usize,
    ) -> Result<QueuePage, ServiceError> {
        let mut rows = Vec::new();
        for &id in order.iter().skip(start).take(limit) {
            let id = ReviewItemId(id);
            if let Some(item) = review::item(tx, id)? {
                let latest = review::verdicts_of(tx, id)?.pop();
                rows.push(QueueRow { item, latest });
            }
        }
        Ok(QueuePage {
            rows,
            start,
            total: order.len(),
            open,
        })
    }

    /// A stretch of the review queue (log reviewer): at most `limit` rows from place `start`,
    /// of `association` or of every association the reviewer reviews when `None`; open items
    /// first (only those when `open_only`), each part oldest first. Besides the queue index's
    /// keys, only the rows returned are read, however long the queue.
    pub fn review_queue_page(
        &self,
        association: Option<AssociationId>,
        open_only: bool,
        start: usize,
        limit: usize,
    ) -> Result<QueuePage, ServiceError> {
        let tx = self.service.store().read()?;
        let tx = &*tx;
        let associations = self.queue_associations(tx, association)?;
        let (order, open) = Self::queue_order(tx, &associations, open_only)?;
        Self::queue_rows(tx, &order, open, start, limit)
    }

    /// Where `item` stands in the whole queue as [`Session::review_queue_page`] orders it
    /// (`None`: not in a queue the reviewer reads).
    pub fn review_queue_place(
        &self,
        association: Option<AssociationId>,
        item: ReviewItemId,
    ) -> Result<Option<usize>, ServiceError> {
        let tx = self.service.store().read()?;
        let tx = &*tx;
        let associations = self.queue_associations(tx, association)?;
        let (order, open) = Self::queue_order(tx, &associations, false)?;
        Ok(place_in(&order, open, item))
    }

    /// The stretch of the whole queue around `item` (at most `limit` rows, the item near the
    /// middle) and the item's place in it (0 when it is in no queue the reviewer reads): what a
    /// screen shows again after a verdict, from one reading of the queue's order.
    pub fn review_queue_around(
        &self,
        association: Option<AssociationId>,
        item: ReviewItemId,
        limit: usize,
    ) -> Result<(QueuePage, usize), ServiceError> {
        let tx = self.service.store().read()?;
        let tx = &*tx;
        let associations = self.queue_associations(tx, association)?;
        let (order, open) = Self::queue_order(tx, &associations, false)?;
        let place = place_in(&order, open, item).unwrap_or(0);
        let start = place.saturating_sub(limit / 2);
        Ok((Self::queue_rows(tx, &order, open, start, limit)?, place))
    }

    /// The whole review queue (log reviewer), in the order of [`Session::review_queue_page`].
    /// For a short queue; a long one is read a page at a time.
    pub fn review_queue(
        &self,
        association: Option<AssociationId>,
        open_only: bool,
    ) -> Result<Vec<QueueRow>, ServiceError> {
        Ok(self
            .review_queue_page(association, open_only, 0, usize::MAX)?
            .rows)
    }

    /// One item of the queue with its entries and verdicts (log reviewer of its association).
    pub fn review_item(&self, id: ReviewItemId) -> Result<ItemDetail, ServiceError> {
        let tx = self.service.store().read()?;
        let tx = &*tx;
        let item = self.item_in_scope(tx, id)?;
        let mut entries = Vec::with_capacity(item.entries.len());
        for seq in &item.entries {
            if let Some(e) = audit::entry(tx, *seq)? {
                entries.push(e);
            }
        }
        let verdicts = review::verdicts_of(tx, id)?;
        Ok(ItemDetail {
            item,
            entries,
            verdicts,
        })
    }

    /// Judges an item (log reviewer): the verdict, with the comment, the reviewer and the time,
    /// kept with its audit entry in one transaction. An item holding an entry of the reviewer's
    /// own is refused; so is a comment that holds a personnummer. A later verdict on the same
    /// item is a new verdict (the earlier ones are kept).
    pub fn judge(
        &self,
        id: ReviewItemId,
        kind: VerdictKind,
        comment: &str,
    ) -> Result<Verdict, ServiceError> {
        let comment = clean_comment(comment, self.service.clock().today())?;
        let tx = self.service.store().write()?;
        let item = self.item_in_scope(&tx, id)?;
        let me = Some(self.user.id);
        let mut own = item.user == me;
        for seq in &item.entries {
            if own {
                break;
            }
            own = audit::entry(&tx, *seq)?.is_some_and(|e| e.draft.user == me);
        }
        if own {
            return Err(ServiceError::Denied(DENIED_OWN_ACCESS));
        }
        let draft = self.draft(
            Action::ReviewVerdict,
            Some(item.association),
            None,
            None,
            &[],
            format!("{id}: {}", kind.key()),
        );
        let entry = self.service.audit_entry(&tx, draft)?;
        let verdict = Verdict {
            item: id,
            kind,
            comment,
            reviewer: self.user.id,
            at_ms: entry.at_ms,
            audit_seq: entry.seq,
        };
        review::add_verdict(&tx, &verdict)?;
        self.service.commit(tx, &[])?;
        Ok(verdict)
    }

    /// An item of an association this log reviewer reviews.
    fn item_in_scope(&self, tx: &impl Tx, id: ReviewItemId) -> Result<Item, ServiceError> {
        self.live(tx)?;
        // Refuses any role but a log reviewer with an association assignment.
        self.reviewed_association(tx, None)?;
        let reviewed = self.assigned_associations(tx)?;
        review::item(tx, id)?
            .filter(|i| reviewed.contains(&i.association))
            .ok_or_else(|| ServiceError::NotFound {
                what: "review item",
                id: id.to_string(),
            })
    }
}

/// A verdict comment: may be empty; else trimmed, without control characters, at most
/// [`MAX_COMMENT_CHARS`], and without anything that reads as a personnummer (the comment goes
/// into the review record, which is kept for years).
fn clean_comment(comment: &str, today: chrono::NaiveDate) -> Result<String, ServiceError> {
    if comment.trim().is_empty() {
        return Ok(String::new());
    }
    let text = clean_text(comment, MAX_COMMENT_CHARS).map_err(ServiceError::text("comment"))?;
    let reads_as_pnr = text.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_ascii_digit());
        w.len() >= 10 && Personnummer::parse(w, today).is_ok()
    });
    if reads_as_pnr {
        return Err(crate::error::RightsError::ReasonHasPersonalData.into());
    }
    Ok(text)
}

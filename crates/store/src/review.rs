//! The log review's tables: each association's review rules, the runs (rules and samples), the
//! queue's items and the verdicts on them. A verdict is never overwritten: a changed one is a
//! new row, so the history stays.

use super::codec::{Stored, decode, encode};
use super::db::{StoreError, Tx, get, next_id, put};
use super::schema::{
    QUEUE_CLOSED, QUEUE_OPEN, REVIEW_ITEMS, REVIEW_ITEMS_BY_ASSOCIATION, REVIEW_QUEUE, REVIEW_RUNS,
    REVIEW_SETTINGS, REVIEW_VERDICTS,
};
use insats_domain::ids::{AssociationId, ReviewItemId, ReviewRunId};
use insats_domain::review::{Item, ReviewSettings, Run, Verdict};
use redb::{ReadableTable, WriteTransaction};
use std::collections::BTreeSet;

impl Stored for ReviewSettings {
    const WHAT: &'static str = "review settings";
}
impl Stored for Run {
    const WHAT: &'static str = "review run";
}
impl Stored for Item {
    const WHAT: &'static str = "review item";
}
impl Stored for Verdict {
    const WHAT: &'static str = "review verdict";
}

/// The association's review rules, if it has set any.
pub fn settings(tx: &impl Tx, a: AssociationId) -> Result<Option<ReviewSettings>, StoreError> {
    get(&tx.table(REVIEW_SETTINGS)?, a.0)
}

pub fn put_settings(
    tx: &WriteTransaction,
    a: AssociationId,
    s: &ReviewSettings,
) -> Result<(), StoreError> {
    put(&mut tx.open_table(REVIEW_SETTINGS)?, a.0, s)
}

pub fn next_run_id(tx: &WriteTransaction) -> Result<ReviewRunId, StoreError> {
    Ok(ReviewRunId(next_id(tx, "review_run")?))
}

pub fn next_item_id(tx: &WriteTransaction) -> Result<ReviewItemId, StoreError> {
    Ok(ReviewItemId(next_id(tx, "review_item")?))
}

pub fn put_run(tx: &WriteTransaction, r: &Run) -> Result<(), StoreError> {
    put(&mut tx.open_table(REVIEW_RUNS)?, r.id.0, r)
}

/// Every run of the association, oldest first.
pub fn runs_of(tx: &impl Tx, a: AssociationId) -> Result<Vec<Run>, StoreError> {
    let mut out = Vec::new();
    for row in tx.table(REVIEW_RUNS)?.range(0..)? {
        let r: Run = decode(row?.1.value())?;
        if r.association == a {
            out.push(r);
        }
    }
    Ok(out)
}

pub fn run(tx: &impl Tx, id: ReviewRunId) -> Result<Option<Run>, StoreError> {
    get(&tx.table(REVIEW_RUNS)?, id.0)
}

/// Keeps a new item: it is open, at the end of the open part of its association's queue.
pub fn put_item(tx: &WriteTransaction, i: &Item) -> Result<(), StoreError> {
    put(&mut tx.open_table(REVIEW_ITEMS)?, i.id.0, i)?;
    tx.open_table(REVIEW_ITEMS_BY_ASSOCIATION)?
        .insert((i.association.0, i.id.0), ())?;
    tx.open_table(REVIEW_QUEUE)?
        .insert((i.association.0, QUEUE_OPEN, i.id.0), ())?;
    Ok(())
}

/// The item ids of one part of an association's queue ([`QUEUE_OPEN`] or [`QUEUE_CLOSED`]),
/// oldest first: only the part's keys are read.
pub fn queue_ids(tx: &impl Tx, a: AssociationId, part: u8) -> Result<Vec<u64>, StoreError> {
    let mut out = Vec::new();
    for row in tx
        .table(REVIEW_QUEUE)?
        .range((a.0, part, 0)..=(a.0, part, u64::MAX))?
    {
        out.push(row?.0.value().2);
    }
    Ok(out)
}

/// Puts an item in the open or the closed part of its association's queue.
fn place_in_queue(tx: &WriteTransaction, i: &Item, open: bool) -> Result<(), StoreError> {
    let mut queue = tx.open_table(REVIEW_QUEUE)?;
    let (from, to) = if open {
        (QUEUE_CLOSED, QUEUE_OPEN)
    } else {
        (QUEUE_OPEN, QUEUE_CLOSED)
    };
    queue.remove((i.association.0, from, i.id.0))?;
    queue.insert((i.association.0, to, i.id.0), ())?;
    Ok(())
}

/// Whether the item is open: not judged, or judged "needs follow-up" last.
fn is_open(tx: &impl Tx, id: ReviewItemId) -> Result<bool, StoreError> {
    Ok(verdicts_of(tx, id)?
        .pop()
        .is_none_or(|v| v.kind.keeps_open()))
}

/// Schema 12 → 13: the queue's order, from the items and their latest verdicts.
pub(crate) fn build_queue(tx: &WriteTransaction) -> Result<(), StoreError> {
    let mut ids = Vec::new();
    for row in tx.open_table(REVIEW_ITEMS)?.range(0..)? {
        ids.push(ReviewItemId(row?.0.value()));
    }
    for id in ids {
        let Some(item) = item(tx, id)? else { continue };
        place_in_queue(tx, &item, is_open(tx, id)?)?;
    }
    Ok(())
}

/// The keys of the two queue indexes: (association, item) and (association, part, item).
pub(crate) type QueueIndexes = (BTreeSet<(u64, u64)>, BTreeSet<(u64, u8, u64)>);

/// What `insats check` expects in the queue's two indexes: (association, item) for every item,
/// and (association, part, item) with the part its latest verdict puts it in.
pub(crate) fn expected_indexes(tx: &impl Tx) -> Result<QueueIndexes, StoreError> {
    let mut by_association = BTreeSet::new();
    let mut queue = BTreeSet::new();
    for row in tx.table(REVIEW_ITEMS)?.range(0..)? {
        let i: Item = decode(row?.1.value())?;
        by_association.insert((i.association.0, i.id.0));
        let part = if is_open(tx, i.id)? {
            QUEUE_OPEN
        } else {
            QUEUE_CLOSED
        };
        queue.insert((i.association.0, part, i.id.0));
    }
    Ok((by_association, queue))
}

pub fn item(tx: &impl Tx, id: ReviewItemId) -> Result<Option<Item>, StoreError> {
    get(&tx.table(REVIEW_ITEMS)?, id.0)
}

/// The association's queue items, oldest first.
pub fn items_of(tx: &impl Tx, a: AssociationId) -> Result<Vec<Item>, StoreError> {
    let items = tx.table(REVIEW_ITEMS)?;
    let mut out = Vec::new();
    for row in tx
        .table(REVIEW_ITEMS_BY_ASSOCIATION)?
        .range((a.0, 0)..=(a.0, u64::MAX))?
    {
        let id = row?.0.value().1;
        if let Some(i) = get::<Item>(&items, id)? {
            out.push(i);
        }
    }
    Ok(out)
}

/// Adds a verdict (never replaces one), and moves the item to the open or the closed part of
/// the queue as the verdict says.
pub fn add_verdict(tx: &WriteTransaction, v: &Verdict) -> Result<(), StoreError> {
    let n = next_id(tx, "review_verdict")?;
    let bytes = encode(v)?;
    tx.open_table(REVIEW_VERDICTS)?
        .insert((v.item.0, n), bytes.as_slice())?;
    if let Some(i) = item(tx, v.item)? {
        place_in_queue(tx, &i, v.kind.keeps_open())?;
    }
    Ok(())
}

/// The verdicts on an item, oldest first.
pub fn verdicts_of(tx: &impl Tx, item: ReviewItemId) -> Result<Vec<Verdict>, StoreError> {
    let mut out = Vec::new();
    for row in tx
        .table(REVIEW_VERDICTS)?
        .range((item.0, 0)..=(item.0, u64::MAX))?
    {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

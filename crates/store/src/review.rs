//! The log review's tables: each association's review rules, the runs (rules and samples), the
//! queue's items and the verdicts on them. A verdict is never overwritten: a changed one is a
//! new row, so the history stays.

use super::codec::{Stored, decode, encode};
use super::db::{StoreError, Tx, get, next_id, put};
use super::schema::{
    REVIEW_ITEMS, REVIEW_ITEMS_BY_ASSOCIATION, REVIEW_RUNS, REVIEW_SETTINGS, REVIEW_VERDICTS,
};
use insats_domain::ids::{AssociationId, ReviewItemId, ReviewRunId};
use insats_domain::review::{Item, ReviewSettings, Run, Verdict};
use redb::{ReadableTable, WriteTransaction};

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

pub fn put_item(tx: &WriteTransaction, i: &Item) -> Result<(), StoreError> {
    put(&mut tx.open_table(REVIEW_ITEMS)?, i.id.0, i)?;
    tx.open_table(REVIEW_ITEMS_BY_ASSOCIATION)?
        .insert((i.association.0, i.id.0), ())?;
    Ok(())
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

/// Adds a verdict (never replaces one).
pub fn add_verdict(tx: &WriteTransaction, v: &Verdict) -> Result<(), StoreError> {
    let n = next_id(tx, "review_verdict")?;
    let bytes = encode(v)?;
    tx.open_table(REVIEW_VERDICTS)?
        .insert((v.item.0, n), bytes.as_slice())?;
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

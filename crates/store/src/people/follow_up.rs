//! The follow-up aggregates ([`OUTCOMES`], [`STARTS`]): moved with every change of a
//! participation, in the same write transaction, and read by the reports a range of cells at a
//! time.

use crate::codec::{Stored, decode, encode};
use crate::db::{StoreError, Tx};
use crate::schema::{OUTCOMES, STARTS};
use insats_domain::follow_up::{CellKey, Outcomes, Starts, cell_range};
use insats_domain::ids::InterventionId;
use insats_domain::participation::Participation;
use redb::{ReadableTable, WriteTransaction};

impl Stored for Outcomes {
    const WHAT: &'static str = "outcomes aggregate";
    /// 2: options by code.
    const VERSION: u8 = 2;
}
impl Stored for Starts {
    const WHAT: &'static str = "starts aggregate";
    /// 2: options by code.
    const VERSION: u8 = 2;
}

/// Moves one participation's contribution from `before` to `after` (either absent for a new or
/// a deleted participation).
pub(crate) fn adjust_follow_up(
    tx: &WriteTransaction,
    before: Option<&Participation>,
    after: Option<&Participation>,
) -> Result<(), StoreError> {
    let old_out = before.and_then(Outcomes::of);
    let new_out = after.and_then(Outcomes::of);
    if old_out != new_out {
        let mut table = tx.open_table(OUTCOMES)?;
        for (contribution, sign) in [(old_out, -1), (new_out, 1)] {
            if let Some((key, o)) = contribution {
                let mut cell: Outcomes = match table.get(key)? {
                    Some(v) => decode(v.value())?,
                    None => Outcomes::default(),
                };
                cell.merge(&o, sign);
                if cell.is_empty() {
                    table.remove(key)?;
                } else {
                    table.insert(key, encode(&cell)?.as_slice())?;
                }
            }
        }
    }
    let old_start = before.map(Starts::of);
    let new_start = after.map(Starts::of);
    if old_start != new_start {
        let mut table = tx.open_table(STARTS)?;
        for (contribution, sign) in [(old_start, -1), (new_start, 1)] {
            if let Some((key, s)) = contribution {
                let mut cell: Starts = match table.get(key)? {
                    Some(v) => decode(v.value())?,
                    None => Starts::default(),
                };
                cell.merge(&s, sign);
                if cell.is_empty() {
                    table.remove(key)?;
                } else {
                    table.insert(key, encode(&cell)?.as_slice())?;
                }
            }
        }
    }
    Ok(())
}

/// Adds whole cells (an import, a migration) to those stored.
pub(crate) fn add_cells(
    tx: &WriteTransaction,
    outcomes: &std::collections::BTreeMap<CellKey, Outcomes>,
    starts: &std::collections::BTreeMap<CellKey, Starts>,
) -> Result<(), StoreError> {
    let mut table = tx.open_table(OUTCOMES)?;
    for (key, add) in outcomes {
        let mut cell: Outcomes = match table.get(*key)? {
            Some(v) => decode(v.value())?,
            None => Outcomes::default(),
        };
        cell.merge(add, 1);
        table.insert(*key, encode(&cell)?.as_slice())?;
    }
    let mut table = tx.open_table(STARTS)?;
    for (key, add) in starts {
        let mut cell: Starts = match table.get(*key)? {
            Some(v) => decode(v.value())?,
            None => Starts::default(),
        };
        cell.merge(add, 1);
        table.insert(*key, encode(&cell)?.as_slice())?;
    }
    Ok(())
}

/// The outcome cells of an intervention for months `from..=to`, each with its key.
pub fn outcomes(
    tx: &impl Tx,
    intervention: InterventionId,
    from: i32,
    to: i32,
) -> Result<Vec<(CellKey, Outcomes)>, StoreError> {
    let (lo, hi) = cell_range(intervention, from, to);
    let mut out = Vec::new();
    for row in tx.table(OUTCOMES)?.range(lo..=hi)? {
        let (k, v) = row?;
        out.push((k.value(), decode(v.value())?));
    }
    Ok(out)
}

/// The start cells of an intervention for months `from..=to`, each with its key.
pub fn starts(
    tx: &impl Tx,
    intervention: InterventionId,
    from: i32,
    to: i32,
) -> Result<Vec<(CellKey, Starts)>, StoreError> {
    let (lo, hi) = cell_range(intervention, from, to);
    let mut out = Vec::new();
    for row in tx.table(STARTS)?.range(lo..=hi)? {
        let (k, v) = row?;
        out.push((k.value(), decode(v.value())?));
    }
    Ok(out)
}

/// Every stored cell of both tables (for the check).
#[allow(clippy::type_complexity)]
pub fn all_cells(
    tx: &impl Tx,
) -> Result<
    (
        std::collections::BTreeMap<CellKey, Outcomes>,
        std::collections::BTreeMap<CellKey, Starts>,
    ),
    StoreError,
> {
    let mut o = std::collections::BTreeMap::new();
    for row in tx.table(OUTCOMES)?.range::<CellKey>(..)? {
        let (k, v) = row?;
        o.insert(k.value(), decode(v.value())?);
    }
    let mut s = std::collections::BTreeMap::new();
    for row in tx.table(STARTS)?.range::<CellKey>(..)? {
        let (k, v) = row?;
        s.insert(k.value(), decode(v.value())?);
    }
    Ok((o, s))
}

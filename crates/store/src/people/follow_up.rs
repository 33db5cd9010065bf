//! The follow-up aggregates ([`OUTCOMES`], [`STARTS`]): moved with every change of a
//! participation, in the same write transaction, and read by the reports a range of cells at a
//! time.

use crate::codec::{Stored, decode, encode};
use crate::db::{StoreError, Tx};
use crate::schema::{OUTCOMES, OUTCOMES_BY_YEAR, STARTS};
use insats_domain::follow_up::{CellKey, Cells, Outcomes, Starts, cell_range, year_key};
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
        for (table_def, by_year) in [(OUTCOMES, false), (OUTCOMES_BY_YEAR, true)] {
            let mut table = tx.open_table(table_def)?;
            for (contribution, sign) in [(&old_out, -1), (&new_out, 1)] {
                if let Some((key, o)) = contribution {
                    let key = if by_year { year_key(*key) } else { *key };
                    let mut cell: Outcomes = match table.get(key)? {
                        Some(v) => decode(v.value())?,
                        None => Outcomes::default(),
                    };
                    cell.merge(o, sign);
                    if cell.is_empty() {
                        table.remove(key)?;
                    } else {
                        table.insert(key, encode(&cell)?.as_slice())?;
                    }
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
pub(crate) fn add_cells(tx: &WriteTransaction, cells: &Cells) -> Result<(), StoreError> {
    let (outcomes, years, starts) = cells;
    for (table_def, map) in [(OUTCOMES, outcomes), (OUTCOMES_BY_YEAR, years)] {
        let mut table = tx.open_table(table_def)?;
        for (key, add) in map {
            let mut cell: Outcomes = match table.get(*key)? {
                Some(v) => decode(v.value())?,
                None => Outcomes::default(),
            };
            cell.merge(add, 1);
            table.insert(*key, encode(&cell)?.as_slice())?;
        }
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

/// The outcome cells of an intervention for months `from..=to`, each with its key (the month
/// index; gender and age group): whole budget years in the period are read from their
/// roll-ups (the key then holds the year's first month), the months around them one by one.
pub fn outcomes(
    tx: &impl Tx,
    intervention: InterventionId,
    from: i32,
    to: i32,
) -> Result<Vec<(CellKey, Outcomes)>, StoreError> {
    let mut out = Vec::new();
    let months = tx.table(OUTCOMES)?;
    let years = tx.table(OUTCOMES_BY_YEAR)?;
    let mut m = from;
    while m <= to {
        let year = m.div_euclid(12);
        if m.rem_euclid(12) == 0 && m + 11 <= to {
            let (lo, hi) = cell_range(intervention, year, year);
            for row in years.range(lo..=hi)? {
                let (k, v) = row?;
                let (i, _, g, a) = k.value();
                out.push(((i, m, g, a), decode(v.value())?));
            }
            m += 12;
        } else {
            let end = (year * 12 + 11).min(to);
            let (lo, hi) = cell_range(intervention, m, end);
            for row in months.range(lo..=hi)? {
                let (k, v) = row?;
                out.push((k.value(), decode(v.value())?));
            }
            m = end + 1;
        }
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

/// Every stored cell of the three tables (for the check).
pub fn all_cells(tx: &impl Tx) -> Result<Cells, StoreError> {
    let mut o = std::collections::BTreeMap::new();
    for row in tx.table(OUTCOMES)?.range::<CellKey>(..)? {
        let (k, v) = row?;
        o.insert(k.value(), decode(v.value())?);
    }
    let mut y = std::collections::BTreeMap::new();
    for row in tx.table(OUTCOMES_BY_YEAR)?.range::<CellKey>(..)? {
        let (k, v) = row?;
        y.insert(k.value(), decode(v.value())?);
    }
    let mut s = std::collections::BTreeMap::new();
    for row in tx.table(STARTS)?.range::<CellKey>(..)? {
        let (k, v) = row?;
        s.insert(k.value(), decode(v.value())?);
    }
    Ok((o, y, s))
}

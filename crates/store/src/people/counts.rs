//! Counts: an intervention's counters, anonymous participants per start year, and the monthly
//! figures of a count-only intervention.

use crate::codec::{Stored, decode};
use crate::db::{StoreError, Tx, get, put};
use crate::schema::{ANONYMOUS, COUNTERS, VOLUMES};
use insats_domain::anonymous::AnonymousCount;
use insats_domain::date::Year;
use insats_domain::ids::InterventionId;
use insats_domain::report::Counters;
use redb::{ReadableTable, WriteTransaction};

impl Stored for Counters {
    const WHAT: &'static str = "counters";
}
impl Stored for AnonymousCount {
    const WHAT: &'static str = "anonymous count";
}

pub fn counters(tx: &impl Tx, intervention: InterventionId) -> Result<Counters, StoreError> {
    Ok(get(&tx.table(COUNTERS)?, intervention.0)?.unwrap_or_default())
}

pub(super) fn adjust_counters(
    tx: &WriteTransaction,
    intervention: InterventionId,
    f: impl FnOnce(&mut Counters),
) -> Result<(), StoreError> {
    let mut table = tx.open_table(COUNTERS)?;
    let mut c: Counters = get(&table, intervention.0)?.unwrap_or_default();
    f(&mut c);
    put(&mut table, intervention.0, &c)
}

/// Adds anonymous participants who started in `year`, and the intervention's counters.
pub fn add_anonymous(
    tx: &WriteTransaction,
    intervention: InterventionId,
    year: Year,
    women: u32,
    men: u32,
) -> Result<AnonymousCount, StoreError> {
    let mut table = tx.open_table(ANONYMOUS)?;
    let current = match table.get((intervention.0, year))? {
        Some(v) => decode(v.value())?,
        None => AnonymousCount::default(),
    };
    let next = current.add(women, men);
    let bytes = crate::codec::encode(&next)?;
    table.insert((intervention.0, year), bytes.as_slice())?;
    drop(table);
    adjust_counters(tx, intervention, |c| {
        c.anonymous = c.anonymous.add(women, men);
    })?;
    Ok(next)
}

/// The anonymous participants of an intervention per start year, oldest year first.
pub fn anonymous_by_year(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Vec<(Year, AnonymousCount)>, StoreError> {
    let table = tx.table(ANONYMOUS)?;
    let mut out = Vec::new();
    for row in table.range((intervention.0, i32::MIN)..=(intervention.0, i32::MAX))? {
        let (k, v) = row?;
        out.push((k.value().1, decode(v.value())?));
    }
    Ok(out)
}

/// Sets the number of participants of a count-only intervention for one month.
pub fn set_volume(
    tx: &WriteTransaction,
    intervention: InterventionId,
    year: Year,
    month: u8,
    count: u32,
) -> Result<(), StoreError> {
    tx.open_table(VOLUMES)?
        .insert((intervention.0, year, month), count)?;
    Ok(())
}

/// The monthly figures of a count-only intervention: (year, month, count).
pub fn volumes(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Vec<(Year, u8, u32)>, StoreError> {
    let table = tx.table(VOLUMES)?;
    let mut out = Vec::new();
    for row in table.range((intervention.0, i32::MIN, 0)..=(intervention.0, i32::MAX, u8::MAX))? {
        let (k, v) = row?;
        let (_, y, m) = k.value();
        out.push((y, m, v.value()));
    }
    Ok(out)
}

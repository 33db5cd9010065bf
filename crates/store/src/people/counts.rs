//! Counts: an intervention's counters, anonymous participants per start year, and the monthly
//! figures of a count-only intervention.

use crate::codec::{Stored, decode};
use crate::db::{StoreError, Tx, get, put};
use crate::schema::{ANONYMOUS, COUNTERS, VOLUMES, YEARLY};
use insats_domain::anonymous::AnonymousCount;
use insats_domain::date::Year;
use insats_domain::ids::InterventionId;
use insats_domain::planning::Volume;
use insats_domain::report::{Counters, YearCounts};
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

/// Sets the participants of a count-only intervention for one month; returns what was there.
pub fn set_volume(
    tx: &WriteTransaction,
    intervention: InterventionId,
    year: Year,
    month: u8,
    v: Volume,
) -> Result<Option<Volume>, StoreError> {
    let before = tx
        .open_table(VOLUMES)?
        .insert((intervention.0, year, month), (v.women, v.men, v.unsplit))?
        .map(|old| unpack(old.value()));
    Ok(before)
}

fn unpack((women, men, unsplit): (u32, u32, u32)) -> Volume {
    Volume {
        women,
        men,
        unsplit,
    }
}

/// The monthly figures of a count-only intervention: (year, month, figures).
pub fn volumes(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Vec<(Year, u8, Volume)>, StoreError> {
    let table = tx.table(VOLUMES)?;
    let mut out = Vec::new();
    for row in table.range((intervention.0, i32::MIN, 0)..=(intervention.0, i32::MAX, u8::MAX))? {
        let (k, v) = row?;
        let (_, y, m) = k.value();
        out.push((y, m, unpack(v.value())));
    }
    Ok(out)
}

/// What one participation adds to the per-year counts: its start, and its end if registered out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dated {
    pub in_date: chrono::NaiveDate,
    pub out_date: Option<chrono::NaiveDate>,
    pub gender: insats_domain::person::Gender,
}

/// Moves one participation's place in [`YEARLY`] from `before` to `after` (either may be
/// absent: a new or a deleted participation).
pub(crate) fn adjust_yearly(
    tx: &WriteTransaction,
    intervention: InterventionId,
    before: Option<Dated>,
    after: Option<Dated>,
) -> Result<(), StoreError> {
    use chrono::Datelike;
    if before == after {
        return Ok(());
    }
    let mut changes: Vec<(Year, bool, insats_domain::person::Gender, i32)> = Vec::with_capacity(4);
    for (d, delta) in [(before, -1), (after, 1)] {
        if let Some(d) = d {
            changes.push((d.in_date.year(), false, d.gender, delta));
            if let Some(out) = d.out_date {
                changes.push((out.year(), true, d.gender, delta));
            }
        }
    }
    let mut table = tx.open_table(YEARLY)?;
    for (year, ended, gender, delta) in changes {
        let key = (intervention.0, year);
        let mut c = table
            .get(key)?
            .map(|v| unpack_year(v.value()))
            .unwrap_or_default();
        c.count(ended, gender, delta);
        if c.is_empty() {
            table.remove(key)?;
        } else {
            table.insert(key, pack_year(c))?;
        }
    }
    Ok(())
}

pub(crate) fn pack_year(c: YearCounts) -> (u32, u32, u32, u32) {
    (c.started_women, c.started_men, c.ended_women, c.ended_men)
}

fn unpack_year(
    (started_women, started_men, ended_women, ended_men): (u32, u32, u32, u32),
) -> YearCounts {
    YearCounts {
        started_women,
        started_men,
        ended_women,
        ended_men,
    }
}

/// An intervention's per-year counts of identified participations, in year order.
pub fn yearly(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Vec<(Year, YearCounts)>, StoreError> {
    let table = tx.table(YEARLY)?;
    let mut out = Vec::new();
    for row in table.range((intervention.0, i32::MIN)..=(intervention.0, i32::MAX))? {
        let (k, v) = row?;
        out.push((k.value().1, unpack_year(v.value())));
    }
    Ok(out)
}

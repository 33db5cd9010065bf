//! Participations: writing, changing and deleting them with their index entries and counters,
//! and reading them by person, by intervention (a page, or those whose person matches) and by
//! out-date.

use super::PersonRow;
use super::counts::{Dated, adjust_counters, adjust_yearly};
use super::follow_up::adjust_follow_up;
use crate::codec::{Stored, decode};
use crate::db::{StoreError, Tx, get};
use crate::schema::{
    PARTICIPATIONS, PARTICIPATIONS_BY_INTERVENTION, PARTICIPATIONS_BY_PERSON, PERSONS, PSEUDONYMS,
};
use chrono::NaiveDate;
use insats_domain::ids::{InterventionId, ParticipationId, PersonId};
use insats_domain::participation::Participation;
use redb::{ReadableTable, WriteTransaction};

impl Stored for Participation {
    const WHAT: &'static str = "participation";
    /// 2: the age on the in-date.
    const VERSION: u8 = 2;
}

pub fn participation(
    tx: &impl Tx,
    id: ParticipationId,
) -> Result<Option<Participation>, StoreError> {
    get(&tx.table(PARTICIPATIONS)?, id.0)
}

/// Writes a new participation, its index entries and its place in the intervention's counters.
pub fn put_participation(tx: &WriteTransaction, p: &Participation) -> Result<(), StoreError> {
    tx.open_table(PARTICIPATIONS_BY_INTERVENTION)?
        .insert((p.intervention.0, p.id.0), ())?;
    update_participation(tx, p)
}

/// Rewrites a stored participation (same id, person and intervention), the summary its
/// person's index entry keeps, and the intervention's counters when its state or gender
/// changed (the summary it replaces says what was counted before). The intervention's index
/// entry, unchanged, is left alone, so the commit does not rewrite a path of that index for an
/// identical key.
pub fn update_participation(tx: &WriteTransaction, p: &Participation) -> Result<(), StoreError> {
    let before: Option<Participation> = {
        let mut table = tx.open_table(PARTICIPATIONS)?;
        let bytes = crate::codec::encode(p)?;
        let old = table.insert(p.id.0, bytes.as_slice())?;
        old.map(|v| decode(v.value())).transpose()?
    };
    adjust_follow_up(tx, before.as_ref(), Some(p))?;
    let summary = {
        let mut index = tx.open_table(PARTICIPATIONS_BY_PERSON)?;
        let old = index.insert((p.person.0, p.id.0), crate::summary::pack(p)?.as_slice())?;
        old.map(|v| crate::summary::unpack(p.id, v.value()))
            .transpose()?
    };
    adjust_yearly(
        tx,
        p.intervention,
        summary.as_ref().map(|s| Dated {
            in_date: s.in_date,
            out_date: s.out_date,
            gender: s.gender,
        }),
        Some(dated(p)),
    )?;
    let before = summary.map(|s| (s.state(), s.gender));
    let after = (p.state(), p.gender);
    if before != Some(after) {
        adjust_counters(tx, p.intervention, |c| {
            if let Some((state, gender)) = before {
                c.count_out(state, gender);
            }
            c.count_in(after.0, after.1);
        })?;
    }
    Ok(())
}

/// Deletes a participation, its index entries and its pseudonym, and takes it off the
/// intervention's counters.
pub fn delete_participation(tx: &WriteTransaction, p: &Participation) -> Result<(), StoreError> {
    adjust_counters(tx, p.intervention, |c| c.count_out(p.state(), p.gender))?;
    adjust_yearly(tx, p.intervention, Some(dated(p)), None)?;
    adjust_follow_up(tx, Some(p), None)?;
    crate::db::remove_wiped(&mut tx.open_table(PARTICIPATIONS)?, p.id.0)?;
    tx.open_table(PARTICIPATIONS_BY_INTERVENTION)?
        .remove((p.intervention.0, p.id.0))?;
    crate::db::remove_wiped(
        &mut tx.open_table(PARTICIPATIONS_BY_PERSON)?,
        (p.person.0, p.id.0),
    )?;
    tx.open_table(PSEUDONYMS)?.remove(p.pseudonym.0)?;
    Ok(())
}

pub fn participations_of_person(
    tx: &impl Tx,
    person: PersonId,
) -> Result<Vec<Participation>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_PERSON)?;
    let table = tx.table(PARTICIPATIONS)?;
    let mut out = Vec::new();
    for row in index.range((person.0, 0)..=(person.0, u64::MAX))? {
        if let Some(p) = get(&table, row?.0.value().1)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// One window of an intervention's participations, newest first: at most `limit` rows with ids
/// below `before` (all when `None`). Reads only the rows it returns.
pub fn participations_page(
    tx: &impl Tx,
    intervention: InterventionId,
    before: Option<ParticipationId>,
    limit: usize,
) -> Result<Vec<Participation>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_INTERVENTION)?;
    let table = tx.table(PARTICIPATIONS)?;
    let upper = before.map_or(u64::MAX, |b| b.0);
    let mut out = Vec::with_capacity(limit.min(1024));
    for row in index
        .range((intervention.0, 0)..(intervention.0, upper))?
        .rev()
        .take(limit)
    {
        if let Some(p) = get(&table, row?.0.value().1)? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The latest day any participation of an intervention was registered in or out (`None`
/// when it has none). Reads every participation of the intervention, one at a time: for the
/// rare moment an intervention is ended.
pub fn last_registration_day(
    tx: &impl Tx,
    intervention: InterventionId,
) -> Result<Option<NaiveDate>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_INTERVENTION)?;
    let table = tx.table(PARTICIPATIONS)?;
    let mut last = None;
    for row in index.range((intervention.0, 0)..=(intervention.0, u64::MAX))? {
        if let Some(p) = get::<Participation>(&table, row?.0.value().1)? {
            last = last.max(Some(p.in_date)).max(p.out_date);
        }
    }
    Ok(last)
}

/// The participations of an intervention, newest first, whose person `matches` (given the
/// person's id and sealed row), at most `limit`. Only a hit's row is decoded whole; of every
/// other row only the ids at its front are read.
pub fn participations_matching(
    tx: &impl Tx,
    intervention: InterventionId,
    limit: usize,
    mut matches: impl FnMut(PersonId, &PersonRow) -> Result<bool, StoreError>,
) -> Result<Vec<Participation>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_INTERVENTION)?;
    let table = tx.table(PARTICIPATIONS)?;
    let persons = tx.table(PERSONS)?;
    let mut out = Vec::new();
    for row in index
        .range((intervention.0, 0)..(intervention.0, u64::MAX))?
        .rev()
    {
        let Some(stored) = table.get(row?.0.value().1)? else {
            continue;
        };
        let person = person_of_participation(stored.value())?;
        let Some(sealed) = get::<PersonRow>(&persons, person.0)? else {
            continue;
        };
        if matches(person, &sealed)? {
            out.push(decode(stored.value())?);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// The person of a stored participation, read from the front of its encoding (postcard writes
/// fields in order: id, intervention, person, …) without the rest.
fn person_of_participation(bytes: &[u8]) -> Result<PersonId, StoreError> {
    let damaged = || {
        StoreError::Codec(crate::codec::CodecError::Damaged {
            what: "participation",
        })
    };
    match bytes.split_first() {
        Some((&v, body)) if v == Participation::VERSION => {
            let ((_, _, person), _): ((ParticipationId, InterventionId, PersonId), _) =
                postcard::take_from_bytes(body).map_err(|_| damaged())?;
            Ok(person)
        }
        _ => Err(damaged()),
    }
}

/// Every participation registered out before its intervention's cutoff (`cutoff` gives it), as
/// (participation, intervention), by id. A full scan of the table (there is no index by
/// out-date): meant for rare runs such as retention, about a second per million participations.
pub fn ended_before(
    tx: &impl Tx,
    mut cutoff: impl FnMut(InterventionId) -> Result<NaiveDate, StoreError>,
) -> Result<Vec<(ParticipationId, InterventionId)>, StoreError> {
    let mut out = Vec::new();
    for row in tx.table(PARTICIPATIONS)?.range(0..)? {
        let p: Participation = decode(row?.1.value())?;
        if let Some(d) = p.out_date
            && d < cutoff(p.intervention)?
        {
            out.push((p.id, p.intervention));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

fn dated(p: &Participation) -> Dated {
    Dated {
        in_date: p.in_date,
        out_date: p.out_date,
        gender: p.gender,
    }
}

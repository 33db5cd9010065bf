//! Consents: reading, writing, marking used and deleting them, and a person's consents.

use crate::codec::Stored;
use crate::db::{StoreError, Tx, get, put};
use crate::schema::{CONSENTS, CONSENTS_BY_PERSON, PSEUDONYMS, UNUSED_CONSENTS};
use insats_domain::consent::Consent;
use insats_domain::ids::{ConsentId, InterventionId, PersonId};
use redb::{ReadableTable, WriteTransaction};

impl Stored for Consent {
    const WHAT: &'static str = "consent";
}

pub fn consent(tx: &impl Tx, id: ConsentId) -> Result<Option<Consent>, StoreError> {
    get(&tx.table(CONSENTS)?, id.0)
}

pub fn put_consent(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    put(&mut tx.open_table(CONSENTS)?, c.id.0, c)?;
    tx.open_table(CONSENTS_BY_PERSON)?
        .insert((c.person.0, c.id.0), ())?;
    mark_unused(tx, c)
}

/// Rewrites a stored consent whose person and id are unchanged (marking it used): the value
/// and the unused index, not the person index, so the commit does not also rewrite a path of
/// that index for an identical key.
pub fn update_consent(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    put(&mut tx.open_table(CONSENTS)?, c.id.0, c)?;
    mark_unused(tx, c)
}

/// Keeps [`UNUSED_CONSENTS`] in step with whether `c` is used.
fn mark_unused(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    let mut unused = tx.open_table(UNUSED_CONSENTS)?;
    let key = (c.intervention.0, c.id.0);
    if c.used_by.is_none() {
        unused.insert(key, ())?;
    } else {
        unused.remove(key)?;
    }
    Ok(())
}

pub fn delete_consent(tx: &WriteTransaction, c: &Consent) -> Result<(), StoreError> {
    tx.open_table(PSEUDONYMS)?.remove(c.pseudonym.0)?;
    crate::db::remove_wiped(&mut tx.open_table(CONSENTS)?, c.id.0)?;
    tx.open_table(CONSENTS_BY_PERSON)?
        .remove((c.person.0, c.id.0))?;
    tx.open_table(UNUSED_CONSENTS)?
        .remove((c.intervention.0, c.id.0))?;
    Ok(())
}

pub fn consents_of(tx: &impl Tx, person: PersonId) -> Result<Vec<Consent>, StoreError> {
    let index = tx.table(CONSENTS_BY_PERSON)?;
    let table = tx.table(CONSENTS)?;
    let mut out = Vec::new();
    for row in index.range((person.0, 0)..=(person.0, u64::MAX))? {
        if let Some(c) = get(&table, row?.0.value().1)? {
            out.push(c);
        }
    }
    Ok(out)
}

/// Deletes a consent by id (a no-op when it is gone already).
pub fn delete_consent_of(tx: &WriteTransaction, id: ConsentId) -> Result<(), StoreError> {
    if let Some(c) = consent(tx, id)? {
        delete_consent(tx, &c)?;
    }
    Ok(())
}

/// The consents of one intervention no registration uses yet, oldest first: one range of the
/// unused index and their rows.
pub fn unused_in(tx: &impl Tx, intervention: InterventionId) -> Result<Vec<Consent>, StoreError> {
    let index = tx.table(UNUSED_CONSENTS)?;
    let table = tx.table(CONSENTS)?;
    let mut out = Vec::new();
    for row in index.range((intervention.0, 0)..=(intervention.0, u64::MAX))? {
        if let Some(c) = get(&table, row?.0.value().1)? {
            out.push(c);
        }
    }
    Ok(out)
}

/// How many consents of one intervention no registration uses yet.
pub fn unused_count(tx: &impl Tx, intervention: InterventionId) -> Result<u64, StoreError> {
    let index = tx.table(UNUSED_CONSENTS)?;
    let mut n = 0;
    for row in index.range((intervention.0, 0)..=(intervention.0, u64::MAX))? {
        row?;
        n += 1;
    }
    Ok(n)
}

/// Consents no registration uses, recorded on or before `cutoff`: personal data without a
/// purpose, for retention to purge. Reads the unused index and those consents' rows only.
pub fn unused_until(
    tx: &impl Tx,
    cutoff: chrono::NaiveDate,
) -> Result<Vec<(ConsentId, InterventionId)>, StoreError> {
    let index = tx.table(UNUSED_CONSENTS)?;
    let table = tx.table(CONSENTS)?;
    let mut out = Vec::new();
    for row in index.range::<(u64, u64)>(..)? {
        let (_, id) = row?.0.value();
        if let Some(c) = get::<Consent>(&table, id)?
            && c.used_by.is_none()
            && c.recorded_on <= cutoff
        {
            out.push((c.id, c.intervention));
        }
    }
    Ok(out)
}

//! Schema versions: an older file is brought up to date in explicit steps, a newer one refused.

use super::codec::decode;
use super::db::{Store, StoreError};
use super::schema::{
    self, CONSENTS, META, META_SCHEMA, PARTICIPATIONS, PARTICIPATIONS_BY_PERSON, PERSONS_BY_PNR,
    SCHEMA_VERSION, UNUSED_CONSENTS,
};
use insats_domain::consent::Consent;
use insats_domain::participation::Participation;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// Reads the stored schema version (None when the file has no insats metadata).
pub fn stored_version(store: &Store) -> Result<Option<u32>, StoreError> {
    let tx = store.db().begin_read()?;
    let meta = match tx.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let version = meta
        .get(META_SCHEMA)?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_le_bytes);
    Ok(version)
}

/// Checks the version and runs the steps from the stored version up to [`SCHEMA_VERSION`].
pub fn bring_up_to_date(store: &Store) -> Result<(), StoreError> {
    let path = store.path().to_owned();
    let Some(found) = stored_version(store)? else {
        return Err(StoreError::NotInsats { path });
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path,
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mut version = found;
    while version < SCHEMA_VERSION {
        let tx = store.write()?;
        step(&tx, version)?;
        version += 1;
        tx.open_table(META)?
            .insert(META_SCHEMA, version.to_le_bytes().as_slice())?;
        tx.commit()?;
    }
    // Tables added without a version bump (none so far) are created here, so readers find them.
    let tx = store.write()?;
    schema::create_all(&tx)?;
    tx.commit()?;
    if found < SCHEMA_VERSION {
        // The pages a step freed still hold what it rewrote (keyed hashes of erased people
        // among them, for the step to version 2): zero them, as after an erasure.
        store.scrub()?;
    }
    Ok(())
}

/// [`PERSONS_BY_PNR`] as version 1 stored it: a fixed-width key.
const PERSONS_BY_PNR_V1: TableDefinition<&[u8; 32], u64> = TableDefinition::new("persons_by_pnr");

/// One migration step, from `from` to `from + 1`, in one transaction.
fn step(tx: &redb::WriteTransaction, from: u32) -> Result<(), StoreError> {
    match from {
        1 => rebuild_pnr_index(tx),
        2 => summarise_person_index(tx),
        3 => index_unused_consents(tx),
        _ => Err(StoreError::Missing {
            what: "migration step",
        }),
    }
}

/// 1 → 2: the personnummer index gets a variable-length key. Its entries are read, the table
/// is dropped (with the branch pages whose separators were whole keyed hashes) and built anew
/// in key order.
fn rebuild_pnr_index(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    {
        let old = tx.open_table(PERSONS_BY_PNR_V1)?;
        for row in old.range::<&[u8; 32]>(..)? {
            let (k, v) = row?;
            entries.push((*k.value(), v.value()));
        }
    }
    tx.delete_table(PERSONS_BY_PNR_V1)?;
    entries.sort_unstable();
    let mut new = tx.open_table(PERSONS_BY_PNR)?;
    for (hash, person) in &entries {
        new.insert(hash.as_slice(), *person)?;
    }
    Ok(())
}

/// [`PARTICIPATIONS_BY_PERSON`] as versions 1 and 2 stored it: keys only.
const PARTICIPATIONS_BY_PERSON_V2: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("participations_by_person");

/// 2 → 3: each entry of the person index gets its participation's summary. The old table is
/// dropped and built anew from the participations, in key order.
fn summarise_person_index(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    for row in tx.open_table(PARTICIPATIONS)?.range::<u64>(..)? {
        let (_, v) = row?;
        let p: Participation = decode(v.value())?;
        entries.push(((p.person.0, p.id.0), super::summary::pack(&p)?));
    }
    tx.delete_table(PARTICIPATIONS_BY_PERSON_V2)?;
    entries.sort_unstable_by_key(|(k, _)| *k);
    let mut new = tx.open_table(PARTICIPATIONS_BY_PERSON)?;
    for (key, summary) in &entries {
        new.insert(*key, summary.as_slice())?;
    }
    Ok(())
}

/// 3 → 4: the consents no registration uses get their index, per intervention.
fn index_unused_consents(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    let mut entries = Vec::new();
    for row in tx.open_table(CONSENTS)?.range::<u64>(..)? {
        let (_, v) = row?;
        let c: Consent = decode(v.value())?;
        if c.used_by.is_none() {
            entries.push((c.intervention.0, c.id.0));
        }
    }
    entries.sort_unstable();
    let mut index = tx.open_table(UNUSED_CONSENTS)?;
    for key in entries {
        index.insert(key, ())?;
    }
    Ok(())
}

//! Records by `u64` key and the id sequences kept in META.

use super::StoreError;
use crate::codec::{Stored, decode, encode};
use crate::schema::META;
use redb::{ReadableTable, Table, WriteTransaction};

/// Reads and decodes a value by `u64` key.
pub fn get<T: Stored>(
    table: &impl ReadableTable<u64, &'static [u8]>,
    id: u64,
) -> Result<Option<T>, StoreError> {
    match table.get(id)? {
        None => Ok(None),
        Some(v) => Ok(Some(decode(v.value())?)),
    }
}

/// Encodes and writes a value by `u64` key.
pub fn put<T: Stored>(
    table: &mut Table<'_, u64, &'static [u8]>,
    id: u64,
    value: &T,
) -> Result<(), StoreError> {
    let bytes = encode(value)?;
    table.insert(id, bytes.as_slice())?;
    Ok(())
}

/// Removes an entry whose value holds personal data, overwriting the value with zeros of the
/// same length first. redb removes an entry from a page already changed in the same
/// transaction in place, shifting the rest left; what was at the end of the page stays there,
/// in a page that is still in use, where no scrub of free pages reaches. Zeroed first, the
/// value leaves only zeros behind.
pub fn remove_wiped<K: redb::Key + 'static>(
    table: &mut Table<'_, K, &'static [u8]>,
    key: K::SelfType<'_>,
) -> Result<(), StoreError>
where
    for<'a> K::SelfType<'a>: Clone,
{
    let len = table.get(key.clone())?.map(|v| v.value().len());
    if let Some(len) = len {
        table.insert(key.clone(), vec![0u8; len].as_slice())?;
        table.remove(key)?;
    }
    Ok(())
}

/// Takes the next id of a sequence kept in META.
pub fn next_id(tx: &WriteTransaction, sequence: &str) -> Result<u64, StoreError> {
    let key = format!("seq:{sequence}");
    let mut meta = tx.open_table(META)?;
    let current = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    let next = current + 1;
    meta.insert(key.as_str(), next.to_le_bytes().as_slice())?;
    Ok(next)
}

/// Reserves `n` ids of a sequence at once; returns the first.
pub fn reserve_ids(tx: &WriteTransaction, sequence: &str, n: u64) -> Result<u64, StoreError> {
    let key = format!("seq:{sequence}");
    let mut meta = tx.open_table(META)?;
    let current = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    meta.insert(key.as_str(), (current + n).to_le_bytes().as_slice())?;
    Ok(current + 1)
}

/// Moves a sequence kept in META up to at least `at_least` (its next id is then above it); a
/// sequence further on already is left alone.
pub fn raise_sequence(
    tx: &WriteTransaction,
    sequence: &str,
    at_least: u64,
) -> Result<(), StoreError> {
    let key = format!("seq:{sequence}");
    let mut meta = tx.open_table(META)?;
    let current = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes);
    if at_least > current {
        meta.insert(key.as_str(), at_least.to_le_bytes().as_slice())?;
    }
    Ok(())
}

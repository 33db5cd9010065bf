//! Schema versions: an older file is brought up to date in explicit steps, a newer one refused.

use super::db::{Store, StoreError};
use super::schema::{self, META, META_SCHEMA, SCHEMA_VERSION};
use redb::ReadableDatabase;

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
    Ok(())
}

/// One migration step, from `from` to `from + 1`. Version 1 is the first layout: there is no
/// step yet. A step rewrites the values whose shape changed, in one transaction.
fn step(_tx: &redb::WriteTransaction, _from: u32) -> Result<(), StoreError> {
    Err(StoreError::Missing {
        what: "migration step",
    })
}

//! The redb store: every table in [`schema`], versioned postcard values, encrypted identities,
//! the audit chain, and the index-consistency check.

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod check;
pub mod codec;
pub mod crypto;
mod db;
pub mod journal;
pub use db::{
    default_key_path, get, next_id, panics_are_quiet, put, quiet_panic_hook, raise_sequence,
    reserve_ids,
};
pub mod migrate;
pub mod org;
pub mod people;
pub mod pseudonym;
pub mod review;
pub mod schema;
pub mod summary;

pub use db::{
    CACHE_BYTES, Reader, Store, StoreError, Tx, cache_limit, set_cache_limit, storage_failure,
};

//! Opening the file, transactions, and the reader gate that lets erasure scrub freed pages.

mod error;
mod open;
mod records;
mod transactions;

pub use error::{StoreError, storage_failure};
pub use open::{
    CACHE_BYTES, Store, cache_limit, default_key_path, panics_are_quiet, quiet_panic_hook,
    set_cache_limit,
};
pub use records::{get, next_id, put, raise_sequence, remove_wiped, reserve_ids};
pub use transactions::{Reader, Tx};

//! Protection of personal data at rest.
//!
//! Names and personnummer are encrypted field by field (ChaCha20-Poly1305)
//! with a key that lives in a key file outside the database. Look-ups by
//! personnummer go through a keyed hash (HMAC-SHA256, the "blind index") so
//! the plain number never appears in the database file, and the audit log is
//! chained with HMAC-SHA256 under a third, separate key.
//!
//! Key file format (text):
//!
//! ```text
//! insats-key v1
//! # comments start with '#', here or at the end of a line
//! enc <64 hex digits>
//! index <64 hex digits>
//! audit <64 hex digits>
//! ```
//!
//! No key bytes or plaintext ever appear in an error message or in `Debug`
//! output.

mod error;
mod key_file;
mod nonce_pool;
mod sealing;

pub use error::CryptoError;
pub use key_file::KeyFile;
pub use sealing::Crypto;

#[cfg(test)]
mod tests;

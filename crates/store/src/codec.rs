//! Stored values: one version byte, then postcard. Decoding checks the version, so a value of an
//! unknown (newer) shape is an error rather than garbage.

use serde::{Serialize, de::DeserializeOwned};

/// A type stored as a value, with the version of its current shape.
pub trait Stored: Serialize + DeserializeOwned {
    /// What it is, for error messages ("participation").
    const WHAT: &'static str;
    /// The current shape's version. Older versions are rewritten by [`super::migrate`].
    const VERSION: u8 = 1;
}

/// Encodes a value with its version byte.
pub fn encode<T: Stored>(value: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(64);
    out.push(T::VERSION);
    postcard::to_extend(value, out).map_err(|_| CodecError::Unencodable { what: T::WHAT })
}

/// Why a stored value could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CodecError {
    #[error("a {what} could not be encoded for storage")]
    Unencodable { what: &'static str },
    #[error("a stored {what} is damaged (empty or undecodable)")]
    Damaged { what: &'static str },
    #[error(
        "a stored {what} has version {found}, newer than this program understands ({supported})"
    )]
    TooNew {
        what: &'static str,
        found: u8,
        supported: u8,
    },
}

/// Decodes a value written by [`encode`].
pub fn decode<T: Stored>(bytes: &[u8]) -> Result<T, CodecError> {
    let Some((&version, body)) = bytes.split_first() else {
        return Err(CodecError::Damaged { what: T::WHAT });
    };
    if version > T::VERSION {
        return Err(CodecError::TooNew {
            what: T::WHAT,
            found: version,
            supported: T::VERSION,
        });
    }
    if version < T::VERSION {
        // No older shapes exist yet; migrate.rs rewrites them before they are read.
        return Err(CodecError::Damaged { what: T::WHAT });
    }
    postcard::from_bytes(body).map_err(|_| CodecError::Damaged { what: T::WHAT })
}

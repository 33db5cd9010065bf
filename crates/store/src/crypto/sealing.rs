//! The keys in use: sealing and opening fields, the blind index, the audit MAC and the key check.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::digest;
use ring::hmac;
use ring::rand::SystemRandom;

use super::CryptoError;
use super::key_file::RawKeys;
use super::nonce_pool::{NONCE_LEN, NoncePool};

/// Length of the authentication tag that ends every sealed value.
pub(super) const TAG_LEN: usize = 16;
/// Label authenticated by every key to build [`Crypto::key_check`].
const KEY_CHECK_LABEL: &[u8] = b"insats key-check v1\0";

struct CryptoInner {
    aead: LessSafeKey,
    index: hmac::Key,
    audit: hmac::Key,
    check: [u8; 32],
    rng: SystemRandom,
    nonces: Mutex<NoncePool>,
}

/// Field encryption, blind index and audit MAC with the keys of a
/// [`KeyFile`](super::KeyFile). Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Crypto {
    inner: Arc<CryptoInner>,
}

impl fmt::Debug for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypto")
            .field("aead", &"CHACHA20_POLY1305")
            .field("index", &"HMAC_SHA256")
            .field("audit", &"HMAC_SHA256")
            .field("keys", &"<redacted>")
            .finish()
    }
}

impl Crypto {
    pub(super) fn from_keys(
        keys: &RawKeys,
        rng: SystemRandom,
    ) -> Result<Crypto, ring::error::Unspecified> {
        let aead = LessSafeKey::new(UnboundKey::new(&aead::CHACHA20_POLY1305, &keys.enc)?);
        let index = hmac::Key::new(hmac::HMAC_SHA256, &keys.index);
        let audit = hmac::Key::new(hmac::HMAC_SHA256, &keys.audit);

        // Each key authenticates the label; the three tags are hashed
        // together so one value detects a wrong key of any kind.
        let enc_as_mac = hmac::Key::new(hmac::HMAC_SHA256, &keys.enc);
        let mut combined = digest::Context::new(&digest::SHA256);
        combined.update(KEY_CHECK_LABEL);
        for (name, key) in [
            (&b"enc"[..], &enc_as_mac),
            (b"index", &index),
            (b"audit", &audit),
        ] {
            let mut ctx = hmac::Context::with_key(key);
            ctx.update(KEY_CHECK_LABEL);
            ctx.update(name);
            combined.update(ctx.sign().as_ref());
        }
        let check = to_array(combined.finish().as_ref());

        Ok(Crypto {
            inner: Arc::new(CryptoInner {
                aead,
                index,
                audit,
                check,
                rng,
                nonces: Mutex::new(NoncePool::empty()),
            }),
        })
    }

    /// Encrypts `plaintext` bound to `aad` (e.g. table, column and record
    /// id, so a value cannot be moved to another place unnoticed). Returns
    /// `nonce (12 bytes) || ciphertext || tag (16 bytes)`; the nonce is
    /// random, so sealing the same value twice gives different output.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Random`] if the random number generator fails.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        // A poisoned lock still holds a consistent pool: `take` cannot panic between handing
        // out bytes and counting them.
        let nonce = self
            .inner
            .nonces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(&self.inner.rng)?;
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        // Sealing only fails for inputs over 256 GiB, which no field is.
        let tag = self
            .inner
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut out[NONCE_LEN..],
            )
            .map_err(|_| CryptoError::Decrypt)?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Decrypts a value made by [`Crypto::seal`] with the same `aad`.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Decrypt`] if the value is too short, was changed,
    /// was sealed with another key or another `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (nonce, rest) = sealed
            .split_first_chunk::<NONCE_LEN>()
            .ok_or(CryptoError::Decrypt)?;
        if rest.len() < TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        let mut out = rest.to_vec();
        let len = self
            .inner
            .aead
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut out,
            )
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// Keyed hash (HMAC-SHA256 with the index key) for look-ups: equal
    /// input gives equal output under one key file, and the input cannot be
    /// recovered or guessed from it without the key.
    #[must_use]
    pub fn blind_index(&self, data: &[u8]) -> [u8; 32] {
        to_array(hmac::sign(&self.inner.index, data).as_ref())
    }

    /// HMAC-SHA256 with the audit key, for the audit log chain.
    #[must_use]
    pub fn audit_mac(&self, data: &[u8]) -> [u8; 32] {
        to_array(hmac::sign(&self.inner.audit, data).as_ref())
    }

    /// A value derived from all three keys, stored in the database when it
    /// is created so that opening it with the wrong key file is detected.
    /// Reveals nothing about the keys.
    #[must_use]
    pub fn key_check(&self) -> [u8; 32] {
        self.inner.check
    }
}

/// Copies a SHA-256 sized output into an array (always 32 bytes here).
fn to_array(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    let n = bytes.len().min(32);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

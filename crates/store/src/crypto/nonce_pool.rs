//! The nonce pool: random nonces drawn from the system generator in blocks.

use ring::aead;
use ring::rand::{SecureRandom, SystemRandom};

use super::CryptoError;

/// Length of the random nonce that prefixes every sealed value.
pub(super) const NONCE_LEN: usize = aead::NONCE_LEN;
/// Nonces drawn from the system generator at a time (one `getrandom` call instead of one per
/// sealed field; a bulk import seals three fields per new person).
pub(super) const NONCES_PER_DRAW: usize = 256;

/// Random nonces fetched from the system generator in blocks. Each nonce is 12 fresh bytes
/// from the operating system's CSPRNG, handed out once and never reused: as unique and as
/// unpredictable as one `fill` per nonce, at a fraction of the system calls.
pub(super) struct NoncePool {
    bytes: [u8; NONCE_LEN * NONCES_PER_DRAW],
    /// Bytes handed out so far; the pool is refilled when all are.
    used: usize,
}

impl NoncePool {
    pub(super) fn empty() -> Self {
        NoncePool {
            bytes: [0; NONCE_LEN * NONCES_PER_DRAW],
            used: NONCE_LEN * NONCES_PER_DRAW,
        }
    }

    pub(super) fn take(&mut self, rng: &SystemRandom) -> Result<[u8; NONCE_LEN], CryptoError> {
        if self.used == self.bytes.len() {
            rng.fill(&mut self.bytes).map_err(|_| CryptoError::Random)?;
            self.used = 0;
        }
        let mut nonce = [0; NONCE_LEN];
        nonce.copy_from_slice(&self.bytes[self.used..self.used + NONCE_LEN]);
        self.used += NONCE_LEN;
        Ok(nonce)
    }
}

//! Pseudonyms: what audit entries name a person, a consent or a participation by.
//!
//! A pseudonym is its subject (kind and id) put through a keyed permutation of 64-bit numbers:
//! without the key it says nothing (not the id, not which pseudonyms belong together), nothing
//! has to be stored to make one, and a log reviewer's reveal turns it back into its subject.
//! Once the subject is erased, its pseudonym points at a record that no longer exists.
//!
//! Databases from before schema 3 drew random pseudonyms and kept them in [`PSEUDONYMS`]; those
//! stay valid and are resolved through that table first.
//!
//! The permutation is a balanced Feistel network of [`ROUNDS`] rounds over two 32-bit halves,
//! whose round function is AES-128 (ring's raw block cipher for QUIC header protection: one
//! block in, the first five bytes of its encryption out) of the round number and the half.
//! The key is derived from the database's index key; a demo database uses a fixed one, so its
//! screens are the same on every build.
//!
//! [`PSEUDONYMS`]: super::schema::PSEUDONYMS

use super::crypto::Crypto;
use super::people::Subject;
use insats_domain::ids::{ConsentId, ParticipationId, PersonId, Pseudonym};
use ring::aead::quic::{AES_128, HeaderProtectionKey};

/// Feistel rounds. Four already make a pseudorandom permutation; more rounds widen the margin
/// for 32-bit halves at a few dozen nanoseconds each.
const ROUNDS: u8 = 8;

/// Ids are below 2^62: the top two bits carry the kind of subject.
const ID_BITS: u32 = 62;

/// The keyed permutation behind every pseudonym of one database.
pub struct Pseudonyms {
    key: HeaderProtectionKey,
}

impl std::fmt::Debug for Pseudonyms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonyms")
    }
}

/// Why a pseudonym could not be made.
#[derive(Debug, Clone, Copy, thiserror::Error)]
pub enum PseudonymError {
    #[error("an id is too large for a pseudonym")]
    IdTooLarge,
    #[error("the pseudonym key could not be set up")]
    Key,
}

impl Pseudonyms {
    /// The permutation of a database: keyed from its index key, or the fixed demo key.
    pub fn new(crypto: &Crypto, demo: bool) -> Result<Self, PseudonymError> {
        let key: [u8; 16] = if demo {
            *b"insats demo only"
        } else {
            let derived = crypto.blind_index(b"insats pseudonym permutation key");
            let mut key = [0; 16];
            key.copy_from_slice(&derived[..16]);
            key
        };
        HeaderProtectionKey::new(&AES_128, &key)
            .map(|key| Pseudonyms { key })
            .map_err(|_| PseudonymError::Key)
    }

    /// The pseudonym of a subject.
    pub fn of(&self, subject: Subject) -> Result<Pseudonym, PseudonymError> {
        let (kind, id) = match subject {
            Subject::Person(PersonId(id)) => (1u64, id),
            Subject::Consent(ConsentId(id)) => (2, id),
            Subject::Participation(ParticipationId(id)) => (3, id),
        };
        if id >> ID_BITS != 0 {
            return Err(PseudonymError::IdTooLarge);
        }
        let x = kind << ID_BITS | id;
        // The one number the permutation sends to 0 (which is never a pseudonym) goes where 0
        // would go instead; 0 itself is never an input, as every kind is at least 1.
        let p = match self.permute(x) {
            0 => self.permute(0),
            p => p,
        };
        Ok(Pseudonym(p))
    }

    /// The subject a pseudonym made by [`Pseudonyms::of`] stands for; `None` when it was not
    /// made by this permutation. Whether the record still exists is for the caller to see.
    pub fn subject(&self, p: Pseudonym) -> Option<Subject> {
        if p.0 == 0 {
            return None;
        }
        let x = match self.unpermute(p.0) {
            0 => self.unpermute(0),
            x => x,
        };
        let id = x & ((1 << ID_BITS) - 1);
        match x >> ID_BITS {
            1 => Some(Subject::Person(PersonId(id))),
            2 => Some(Subject::Consent(ConsentId(id))),
            3 => Some(Subject::Participation(ParticipationId(id))),
            _ => None,
        }
    }

    fn round(&self, round: u8, half: u32) -> u32 {
        let mut block = [0u8; 16];
        block[0] = round;
        block[1..5].copy_from_slice(&half.to_be_bytes());
        // A 16-byte sample is exactly what the key takes, so this cannot fail.
        let mask = self.key.new_mask(&block).unwrap_or_default();
        u32::from_be_bytes([mask[0], mask[1], mask[2], mask[3]])
    }

    fn permute(&self, x: u64) -> u64 {
        let (mut l, mut r) = ((x >> 32) as u32, x as u32);
        for i in 0..ROUNDS {
            (l, r) = (r, l ^ self.round(i, r));
        }
        u64::from(l) << 32 | u64::from(r)
    }

    fn unpermute(&self, y: u64) -> u64 {
        let (mut l, mut r) = ((y >> 32) as u32, y as u32);
        for i in (0..ROUNDS).rev() {
            (l, r) = (r ^ self.round(i, l), l);
        }
        u64::from(l) << 32 | u64::from(r)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::crypto::KeyFile;
    use proptest::prelude::*;

    fn real() -> Pseudonyms {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        Pseudonyms::new(&KeyFile::create(&path).unwrap().crypto(), false).unwrap()
    }

    fn subject(kind: u8, id: u64) -> Subject {
        match kind {
            0 => Subject::Person(PersonId(id)),
            1 => Subject::Consent(ConsentId(id)),
            _ => Subject::Participation(ParticipationId(id)),
        }
    }

    proptest! {
        #[test]
        fn every_pseudonym_turns_back_into_its_subject(kind in 0u8..3, id in 0u64..(1 << 62)) {
            let p = real();
            let s = subject(kind, id);
            let pseudonym = p.of(s).unwrap();
            prop_assert_ne!(pseudonym.0, 0);
            prop_assert_eq!(p.subject(pseudonym), Some(s));
        }

        #[test]
        fn the_permutation_is_undone_by_its_inverse(x in any::<u64>()) {
            let p = real();
            prop_assert_eq!(p.unpermute(p.permute(x)), x);
        }
    }

    #[test]
    fn neighbouring_ids_get_unrelated_pseudonyms_and_keys_differ() {
        let (a, b) = (real(), real());
        let ids: Vec<u64> = (1..=1000)
            .map(|i| a.of(Subject::Participation(ParticipationId(i))).unwrap().0)
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        // Consecutive ids differ in about half their bits, not in the low ones only.
        let mean_flips: f64 = ids
            .windows(2)
            .map(|w| f64::from((w[0] ^ w[1]).count_ones()))
            .sum::<f64>()
            / 999.0;
        assert!((28.0..36.0).contains(&mean_flips), "{mean_flips}");
        // The same subject in another database has another pseudonym.
        let s = Subject::Person(PersonId(7));
        assert_ne!(a.of(s).unwrap(), b.of(s).unwrap());
        // The kinds do not share pseudonyms.
        assert_ne!(
            a.of(Subject::Person(PersonId(7))).unwrap(),
            a.of(Subject::Consent(ConsentId(7))).unwrap()
        );
        assert!(a.of(Subject::Person(PersonId(1 << 62))).is_err());
    }

    #[test]
    fn a_demo_database_gets_the_same_pseudonyms_on_every_build() {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyFile::create(&dir.path().join("k")).unwrap();
        let demo = Pseudonyms::new(&key.crypto(), true).unwrap();
        let other = Pseudonyms::new(
            &KeyFile::create(&dir.path().join("k2")).unwrap().crypto(),
            true,
        )
        .unwrap();
        let s = Subject::Participation(ParticipationId(42));
        assert_eq!(demo.of(s).unwrap(), other.of(s).unwrap());
    }

    #[test]
    fn a_number_no_subject_was_made_into_is_not_resolved_to_a_made_up_kind() {
        let p = real();
        assert_eq!(p.subject(Pseudonym(0)), None);
        // Of many arbitrary numbers about a quarter invert into the unused kind 0.
        let unused = (1..4000u64)
            .filter(|n| {
                p.subject(Pseudonym(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
                    .is_none()
            })
            .count();
        assert!((700..1300).contains(&unused), "{unused}");
    }
}

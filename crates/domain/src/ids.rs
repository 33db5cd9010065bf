//! Typed identifiers. Every record has a `u64` id; the newtypes keep them apart.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }

        impl $name {
            /// Parses the displayed form (`I12`) or a bare number (`12`).
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                let t = t.strip_prefix($prefix).unwrap_or(t);
                t.parse::<u64>().ok().filter(|n| *n > 0).map(Self)
            }
        }
    };
}

id_type!(/// A coordination association (samordningsförbund).
    AssociationId, "F");
id_type!(/// An intervention (insats).
    InterventionId, "I");
id_type!(/// A user of the system (staff).
    UserId, "U");
id_type!(/// An assignment (uppdrag) of a user in a role to a scope.
    AssignmentId, "A");
id_type!(/// A person record (identity, encrypted at rest).
    PersonId, "P");
id_type!(/// One participation of a person in an intervention.
    ParticipationId, "D");
id_type!(/// An item of the log reviewer's queue: a rule's finding or a sampled entry.
    ReviewItemId, "G");
id_type!(/// One run of the review rules, or one drawn sample, over a period.
    ReviewRunId, "R");
id_type!(/// A consent record (form 9443 evidence) for one participation.
    ConsentId, "S");
id_type!(/// A supplementary question of an association.
    QuestionId, "Q");

/// A pseudonymous id: random, carried in audit entries instead of a person or
/// participation id. The mapping back lives in its own table and is deleted on erasure,
/// which leaves old audit entries pointing at nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pseudonym(pub u64);

/// The 32 symbols of a displayed pseudonym: no i, l, o or 1, which are easily confused.
const PSEUDONYM_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";
const PSEUDONYM_PREFIX: &str = "ps-";
/// Symbols of 5 bits each, least significant first: 13 × 5 ≥ 64.
const PSEUDONYM_SYMBOLS: usize = 13;

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(16);
        out.push_str(PSEUDONYM_PREFIX);
        let mut v = self.0;
        for _ in 0..PSEUDONYM_SYMBOLS {
            out.push(char::from(PSEUDONYM_ALPHABET[(v & 31) as usize]));
            v >>= 5;
        }
        f.write_str(&out)
    }
}

impl Pseudonym {
    /// Parses the displayed form (`ps-` and 13 symbols; the prefix may be left out, case does
    /// not matter).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_prefix(PSEUDONYM_PREFIX).unwrap_or(&t);
        if t.len() != PSEUDONYM_SYMBOLS {
            return None;
        }
        let mut v: u64 = 0;
        for (i, b) in t.bytes().enumerate() {
            let digit = PSEUDONYM_ALPHABET.iter().position(|a| *a == b)? as u64;
            // The last symbol carries the top 4 bits only.
            if i == PSEUDONYM_SYMBOLS - 1 && digit > 15 {
                return None;
            }
            v |= digit << (5 * i);
        }
        Some(Self(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_and_parse_round_trip() {
        assert_eq!(InterventionId(12).to_string(), "I12");
        assert_eq!(InterventionId::parse("I12"), Some(InterventionId(12)));
        assert_eq!(InterventionId::parse("12"), Some(InterventionId(12)));
        assert_eq!(InterventionId::parse("0"), None);
        assert_eq!(InterventionId::parse("x"), None);
        assert_eq!(Pseudonym(1).to_string().len(), 16);
    }

    #[test]
    fn pseudonyms_display_distinctly_and_parse_back() {
        for v in [
            0,
            1,
            22,
            31,
            0x3f,
            u64::MAX,
            u64::MAX - 1,
            0x8000_0000_0000_0000,
        ] {
            let p = Pseudonym(v);
            assert_eq!(Pseudonym::parse(&p.to_string()), Some(p), "{v:#x}");
            assert_eq!(Pseudonym::parse(&p.to_string().to_uppercase()), Some(p));
        }
        // Values that differ only in a symbol once shared by two digits display differently.
        assert_ne!(Pseudonym(22).to_string(), Pseudonym(31).to_string());
        assert_eq!(Pseudonym::parse("ps-abc"), None);
        assert_eq!(Pseudonym::parse("ps-aaaaaaaaaaaai"), None);
        assert_eq!(Pseudonym::parse("ps-aaaaaaaaaaaaz"), None);
    }
}

/// What a pseudonym stands for: a person, a participation or a consent. (Stored by the store's
/// pseudonym table: the variants keep their order.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    Person(PersonId),
    Participation(ParticipationId),
    Consent(ConsentId),
}

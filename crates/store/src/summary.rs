//! The summary of a participation that [`PARTICIPATIONS_BY_PERSON`] keeps beside each key: the
//! fields a list of search hits shows. A personnummer look-up reads a person's participations
//! from that one index range, without reading (or stepping over the answers of) the
//! participation rows themselves.
//!
//! [`super::people::put_participation`] writes the summary with every change of a
//! participation, and the consistency check compares each one with its row.

use super::codec::CodecError;
use super::db::{StoreError, Tx};
use super::schema::PARTICIPATIONS_BY_PERSON;
use insats_domain::ids::{ParticipationId, PersonId};
use insats_domain::participation::{Participation, ParticipationSummary};
use redb::ReadableTable;

/// The version byte in front of a stored summary.
const VERSION: u8 = 1;
const WHAT: &str = "participation summary";

/// An encoded summary, on the stack (at most 27 bytes: every field at its widest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packed {
    bytes: [u8; 32],
    len: u8,
}

impl Packed {
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Encodes the summary of `p` for [`PARTICIPATIONS_BY_PERSON`].
pub fn pack(p: &Participation) -> Result<Packed, CodecError> {
    let summary = ParticipationSummary::from(p);
    let mut bytes = [0u8; 32];
    bytes[0] = VERSION;
    let len = postcard::to_slice(&summary, &mut bytes[1..])
        .map_err(|_| CodecError::Unencodable { what: WHAT })?
        .len();
    Ok(Packed {
        bytes,
        len: u8::try_from(len + 1).map_err(|_| CodecError::Unencodable { what: WHAT })?,
    })
}

/// Decodes a summary written by [`pack`] for participation `id`.
pub fn unpack(id: ParticipationId, bytes: &[u8]) -> Result<ParticipationSummary, CodecError> {
    let Some((&version, body)) = bytes.split_first() else {
        return Err(CodecError::Damaged { what: WHAT });
    };
    if version != VERSION {
        // Newer: refused as `decode` refuses it; older: there are no older shapes.
        return Err(if version > VERSION {
            CodecError::TooNew {
                what: WHAT,
                found: version,
                supported: VERSION,
            }
        } else {
            CodecError::Damaged { what: WHAT }
        });
    }
    let summary: ParticipationSummary =
        postcard::from_bytes(body).map_err(|_| CodecError::Damaged { what: WHAT })?;
    Ok(ParticipationSummary { id, ..summary })
}

/// The participations of a person, without their answers, in id order: one range of
/// [`PARTICIPATIONS_BY_PERSON`], no participation row read.
pub fn summaries_of_person(
    tx: &impl Tx,
    person: PersonId,
) -> Result<Vec<ParticipationSummary>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_PERSON)?;
    let mut out = Vec::new();
    for row in index.range((person.0, 0)..=(person.0, u64::MAX))? {
        let (k, v) = row?;
        out.push(unpack(ParticipationId(k.value().1), v.value())?);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use insats_domain::ids::{ConsentId, InterventionId, Pseudonym};
    use insats_domain::person::Gender;
    use insats_domain::questionnaire::{Answers, EndReason};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_packed_summary_reads_back_as_the_summary_of_the_record(
            id in any::<u64>(),
            intervention in any::<u64>(),
            woman in any::<bool>(),
            in_day in 1i32..3_000_000,
            out_days in proptest::option::of(0i32..3000),
            reason in 0usize..EndReason::ALL.len(),
            withdrawn in any::<bool>(),
        ) {
            let in_date = NaiveDate::from_num_days_from_ce_opt(in_day).unwrap();
            let out_date = out_days.map(|d| NaiveDate::from_num_days_from_ce_opt(in_day + d).unwrap());
            let p = Participation {
                id: ParticipationId(id),
                intervention: InterventionId(intervention),
                person: PersonId(1),
                consent: ConsentId(2),
                pseudonym: Pseudonym(3),
                gender: if woman { Gender::Woman } else { Gender::Man },
                in_date,
                answers_in: Answers::new(1),
                out_date,
                end_reason: out_date.map(|_| EndReason::ALL[reason]),
                answers_out: None,
                consent_withdrawn: withdrawn,
                age: 30,
            };
            let packed = pack(&p).unwrap();
            prop_assert_eq!(unpack(p.id, packed.as_slice()).unwrap(), ParticipationSummary::from(&p));
        }
    }

    #[test]
    fn a_damaged_or_newer_summary_is_refused() {
        let id = ParticipationId(1);
        assert!(matches!(unpack(id, &[]), Err(CodecError::Damaged { .. })));
        assert!(matches!(
            unpack(id, &[VERSION, 1]),
            Err(CodecError::Damaged { .. })
        ));
        assert!(matches!(
            unpack(id, &[VERSION + 1, 0]),
            Err(CodecError::TooNew { .. })
        ));
        assert!(matches!(unpack(id, &[0]), Err(CodecError::Damaged { .. })));
    }
}

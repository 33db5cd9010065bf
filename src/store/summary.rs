//! Reading a stored participation without its answers: the fields a list of search hits shows,
//! decoded straight from the stored bytes. The answers (most of a participation's bytes, and a
//! string allocation per key and option) are stepped over in place, not built.

use super::codec::{CodecError, Stored};
use super::db::{StoreError, Tx};
use super::schema::{PARTICIPATIONS, PARTICIPATIONS_BY_PERSON};
use crate::domain::date::{days, days_opt};
use crate::domain::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use crate::domain::participation::{Participation, ParticipationSummary};
use crate::domain::person::Gender;
use crate::domain::questionnaire::EndReason;
use chrono::NaiveDate;
use redb::ReadableTable;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

/// A stored [`Participation`], field for field in its order (postcard is positional), with the
/// answer sets stepped over. `summary_matches_the_full_record` keeps the two in step.
#[derive(Deserialize)]
struct StoredParticipation<'a> {
    id: ParticipationId,
    intervention: InterventionId,
    _person: PersonId,
    _consent: ConsentId,
    _pseudonym: Pseudonym,
    gender: Gender,
    #[serde(with = "days")]
    in_date: NaiveDate,
    #[serde(borrow)]
    _answers_in: SkippedAnswers<'a>,
    #[serde(with = "days_opt")]
    out_date: Option<NaiveDate>,
    end_reason: Option<EndReason>,
    #[serde(borrow)]
    _answers_out: Option<SkippedAnswers<'a>>,
    consent_withdrawn: bool,
}

/// `Answers` read without building it: its version, then its map read entry by entry.
#[derive(Deserialize)]
struct SkippedAnswers<'a> {
    _catalogue_version: u32,
    #[serde(borrow)]
    _values: SkippedMap<'a>,
}

struct SkippedMap<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Deserialize<'de> for SkippedMap<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of answers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                while map.next_entry::<&'de str, SkippedValue<'de>>()?.is_some() {}
                Ok(())
            }
        }
        d.deserialize_map(Entries)?;
        Ok(SkippedMap(std::marker::PhantomData))
    }
}

/// `AnswerValue`, variant for variant.
#[derive(Deserialize)]
enum SkippedValue<'a> {
    #[allow(dead_code)] // read to step over it
    One(&'a str),
    #[allow(dead_code)]
    Many(SkippedStrings<'a>),
}

struct SkippedStrings<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Deserialize<'de> for SkippedStrings<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Strings;
        impl<'de> Visitor<'de> for Strings {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of option keys")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while seq.next_element::<&'de str>()?.is_some() {}
                Ok(())
            }
        }
        d.deserialize_seq(Strings)?;
        Ok(SkippedStrings(std::marker::PhantomData))
    }
}

/// Decodes the summary of a participation stored by [`super::codec::encode`].
pub fn decode_summary(bytes: &[u8]) -> Result<ParticipationSummary, CodecError> {
    let what = Participation::WHAT;
    let Some((&version, body)) = bytes.split_first() else {
        return Err(CodecError::Damaged { what });
    };
    if version != Participation::VERSION {
        // Newer: refused as `decode` refuses it; older: there are no older shapes.
        return Err(if version > Participation::VERSION {
            CodecError::TooNew {
                what,
                found: version,
                supported: Participation::VERSION,
            }
        } else {
            CodecError::Damaged { what }
        });
    }
    let s: StoredParticipation<'_> =
        postcard::from_bytes(body).map_err(|_| CodecError::Damaged { what })?;
    Ok(ParticipationSummary {
        id: s.id,
        intervention: s.intervention,
        gender: s.gender,
        in_date: s.in_date,
        out_date: s.out_date,
        end_reason: s.end_reason,
        consent_withdrawn: s.consent_withdrawn,
    })
}

/// The participations of a person, without their answers, in id order.
pub fn summaries_of_person(
    tx: &impl Tx,
    person: PersonId,
) -> Result<Vec<ParticipationSummary>, StoreError> {
    let index = tx.table(PARTICIPATIONS_BY_PERSON)?;
    let table = tx.table(PARTICIPATIONS)?;
    let mut out = Vec::new();
    for row in index.range((person.0, 0)..=(person.0, u64::MAX))? {
        if let Some(v) = table.get(row?.0.value().1)? {
            out.push(decode_summary(v.value())?);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::questionnaire::{AnswerValue, Answers};
    use crate::store::codec::encode;
    use proptest::prelude::*;

    fn answers(entries: &[(String, Vec<String>)]) -> Answers {
        let mut a = Answers::new(7);
        for (k, v) in entries {
            let value = if v.len() == 1 {
                AnswerValue::One(v[0].clone())
            } else {
                AnswerValue::Many(v.clone())
            };
            a.set(k, value);
        }
        a
    }

    proptest! {
        #[test]
        fn summary_matches_the_full_record(
            id in any::<u64>(),
            intervention in any::<u64>(),
            person in any::<u64>(),
            pseudonym in any::<u64>(),
            woman in any::<bool>(),
            in_day in 700_000i32..750_000,
            out_days in proptest::option::of(0i32..3000),
            withdrawn in any::<bool>(),
            answers_in in proptest::collection::vec(
                ("[a-zåäö_]{1,20}", proptest::collection::vec("[a-z_]{0,12}", 0..4)), 0..12),
            answers_out in proptest::option::of(proptest::collection::vec(
                ("[a-z_]{1,20}", proptest::collection::vec("[a-z_]{0,12}", 1..3)), 0..12)),
        ) {
            let in_date = NaiveDate::from_num_days_from_ce_opt(in_day).unwrap();
            let out_date = out_days.map(|d| NaiveDate::from_num_days_from_ce_opt(in_day + d).unwrap());
            let p = Participation {
                id: ParticipationId(id),
                intervention: InterventionId(intervention),
                person: PersonId(person),
                consent: ConsentId(id ^ 1),
                pseudonym: Pseudonym(pseudonym),
                gender: if woman { Gender::Woman } else { Gender::Man },
                in_date,
                answers_in: answers(&answers_in),
                out_date,
                end_reason: out_date.map(|_| EndReason::Employment),
                answers_out: answers_out.as_deref().map(answers),
                consent_withdrawn: withdrawn,
            };
            let bytes = encode(&p).unwrap();
            prop_assert_eq!(decode_summary(&bytes).unwrap(), ParticipationSummary::from(&p));
        }
    }

    #[test]
    fn a_damaged_or_newer_record_is_refused() {
        assert!(matches!(
            decode_summary(&[]),
            Err(CodecError::Damaged { .. })
        ));
        assert!(matches!(
            decode_summary(&[Participation::VERSION, 1, 2]),
            Err(CodecError::Damaged { .. })
        ));
        assert!(matches!(
            decode_summary(&[Participation::VERSION + 1, 0]),
            Err(CodecError::TooNew { .. })
        ));
    }
}

//! The writing half of a bulk import: records as they are checked (on a thread of their own),
//! then the indexes and the stored counters, each table through redb's cursor in key order.
//! Like every other write of a participation, the counters are kept here, beside the indexes.

use super::StoreError;
use super::codec::{CodecError, Stored, encode};
use super::crypto::Crypto;
use super::people::seal_person;
use super::schema::{
    CONSENTS, CONSENTS_BY_PERSON, COUNTERS, PARTICIPATIONS, PARTICIPATIONS_BY_INTERVENTION,
    PARTICIPATIONS_BY_PERSON, PERSONS, PERSONS_BY_PNR, UNUSED_CONSENTS, YEARLY,
};
use super::summary::{self, Packed};
use chrono::Datelike;
use insats_domain::consent::Consent;
use insats_domain::ids::{PersonId, Pseudonym};
use insats_domain::participation::Participation;
use insats_domain::person::Identity;
use insats_domain::report::{Counters, YearCounts};
use redb::{CursorError, Key, ReadableTable, Table, TableDefinition, Value, WriteTransaction};
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::mpsc::{Receiver, Sender};

/// Checked records, in the order of their rows (so with ascending ids in each table). Chunks
/// go back and forth between the two threads, so their buffers are allocated once.
#[derive(Debug, Default)]
pub struct Chunk {
    pub persons: Vec<NewPerson>,
    pub consents: Vec<Consent>,
    pub participations: Vec<Participation>,
}

/// A person the import creates, sealed on the writer thread.
#[derive(Debug)]
pub struct NewPerson {
    pub id: PersonId,
    pub identity: Identity,
    pub pseudonym: Pseudonym,
}

impl Chunk {
    pub fn with_capacity(rows: usize) -> Self {
        Chunk {
            persons: Vec::with_capacity(rows),
            consents: Vec::with_capacity(rows),
            participations: Vec::with_capacity(rows),
        }
    }

    pub fn clear(&mut self) {
        self.persons.clear();
        self.consents.clear();
        self.participations.clear();
    }
}

/// What the written records need in the indexes and counters.
#[derive(Debug, Default)]
pub struct Written {
    pnr: Vec<([u8; 32], u64)>,
    by_intervention: Vec<(u64, u64)>,
    by_person: Vec<((u64, u64), Packed)>,
    consents_by_person: Vec<(u64, u64)>,
    /// (intervention, consent) of consents written without a registration (an import writes
    /// none today; kept so the index stays true if one ever does).
    unused: Vec<(u64, u64)>,
    /// What the written participations add to each intervention's counters.
    counters: BTreeMap<u64, Counters>,
    /// And to its per-year counts.
    yearly: BTreeMap<(u64, i32), YearCounts>,
}

/// Values of one table encoded back to back in one buffer, with their keys.
#[derive(Default)]
struct Encoded {
    bytes: Vec<u8>,
    entries: Vec<(u64, usize, usize)>,
}

impl Encoded {
    fn push<T: Stored>(&mut self, key: u64, value: &T) -> Result<(), StoreError> {
        let start = self.bytes.len();
        encode_into(value, &mut self.bytes)?;
        self.entries.push((key, start, self.bytes.len()));
        Ok(())
    }

    /// Appends the values to `table` and empties the buffer.
    fn write_to(
        &mut self,
        tx: &WriteTransaction,
        table: TableDefinition<u64, &'static [u8]>,
    ) -> Result<(), StoreError> {
        let bytes = &self.bytes;
        insert_sorted(
            &mut tx.open_table(table)?,
            self.entries.iter().map(|(k, a, b)| (*k, &bytes[*a..*b])),
            duplicate_id,
        )?;
        self.bytes.clear();
        self.entries.clear();
        Ok(())
    }
}

/// Appends what [`insats_store::codec::encode`] returns to `out`, without a buffer of its own:
/// the version byte, then postcard.
fn encode_into<T: Stored>(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError> {
    struct Append<'a>(&'a mut Vec<u8>);
    impl postcard::ser_flavors::Flavor for Append<'_> {
        type Output = ();
        fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
            self.0.push(byte);
            Ok(())
        }
        fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
        fn finalize(self) -> postcard::Result<()> {
            Ok(())
        }
    }
    out.push(T::VERSION);
    postcard::serialize_with_flavor(value, Append(out))
        .map_err(|_| CodecError::Unencodable { what: T::WHAT })
}

/// Writes the records of each chunk until the checking side hangs up, handing every chunk back
/// (`spent`) to be emptied and reused there; returns what the indexes need.
pub fn records(
    tx: &WriteTransaction,
    crypto: &Crypto,
    chunks: &Receiver<Chunk>,
    spent: &Sender<Chunk>,
) -> Result<Written, StoreError> {
    let mut w = Written::default();
    let mut encoded = Encoded::default();
    for chunk in chunks {
        for person in &chunk.persons {
            let id = person.id;
            let row = seal_person(crypto, id, &person.identity, person.pseudonym)?;
            w.pnr.push((row.pnr_hash, id.0));
            encoded.push(id.0, &row)?;
        }
        encoded.write_to(tx, PERSONS)?;
        for c in &chunk.consents {
            w.consents_by_person.push((c.person.0, c.id.0));
            if c.used_by.is_none() {
                w.unused.push((c.intervention.0, c.id.0));
            }
            encoded.push(c.id.0, c)?;
        }
        encoded.write_to(tx, CONSENTS)?;
        for p in &chunk.participations {
            w.by_intervention.push((p.intervention.0, p.id.0));
            w.counters
                .entry(p.intervention.0)
                .or_default()
                .count_in(p.state(), p.gender);
            w.by_person.push(((p.person.0, p.id.0), summary::pack(p)?));
            w.yearly
                .entry((p.intervention.0, p.in_date.year()))
                .or_default()
                .count(false, p.gender, 1);
            if let Some(out) = p.out_date {
                w.yearly
                    .entry((p.intervention.0, out.year()))
                    .or_default()
                    .count(true, p.gender, 1);
            }
            encoded.push(p.id.0, p)?;
        }
        encoded.write_to(tx, PARTICIPATIONS)?;
        // The checking side may be done already; then the chunk is simply dropped here.
        let _ = spent.send(chunk);
    }
    Ok(w)
}

/// A key the import took from a sequence (or derived from one) is in the table already: the
/// database is inconsistent, and nothing is overwritten.
fn duplicate_id() -> StoreError {
    StoreError::DuplicateId
}

/// Writes the indexes, each sorted (the two participation indexes on a second thread, the
/// personnummer and consent indexes on this one), and adds the records to the counters.
pub fn indexes(tx: &WriteTransaction, w: Written) -> Result<(), StoreError> {
    let Written {
        mut pnr,
        mut by_intervention,
        mut by_person,
        mut consents_by_person,
        mut unused,
        counters,
        yearly,
    } = w;
    add_counters(tx, &counters)?;
    add_yearly(tx, &yearly)?;

    std::thread::scope(|scope| {
        let participations = scope.spawn(move || {
            by_person.sort_unstable_by_key(|(k, _)| *k);
            insert_sorted(
                &mut tx.open_table(PARTICIPATIONS_BY_PERSON)?,
                by_person.iter().map(|(k, v)| (*k, v.as_slice())),
                duplicate_id,
            )?;
            by_intervention.sort_unstable();
            insert_sorted(
                &mut tx.open_table(PARTICIPATIONS_BY_INTERVENTION)?,
                by_intervention.iter().map(|k| (*k, ())),
                duplicate_id,
            )
        });
        let mut result = (|| {
            pnr.sort_unstable();
            insert_sorted(
                &mut tx.open_table(PERSONS_BY_PNR)?,
                pnr.iter().map(|(hash, id)| (hash.as_slice(), *id)),
                duplicate_id,
            )?;
            consents_by_person.sort_unstable();
            insert_sorted(
                &mut tx.open_table(CONSENTS_BY_PERSON)?,
                consents_by_person.iter().map(|k| (*k, ())),
                duplicate_id,
            )?;
            unused.sort_unstable();
            let mut index = tx.open_table(UNUSED_CONSENTS)?;
            for key in unused {
                index.insert(key, ())?;
            }
            Ok(())
        })();
        let participations = participations
            .join()
            .map_err(|_| StoreError::Poisoned)
            .and_then(|r| r);
        if result.is_ok() {
            result = participations;
        }
        result
    })
}

/// Adds the written participations to each intervention's stored counters.
fn add_counters(
    tx: &WriteTransaction,
    counters: &BTreeMap<u64, Counters>,
) -> Result<(), StoreError> {
    let mut t = tx.open_table(COUNTERS)?;
    for (i, add) in counters {
        let mut c: Counters = super::get(&t, *i)?.unwrap_or_default();
        c.open += add.open;
        c.ended += add.ended;
        c.women += add.women;
        c.men += add.men;
        t.insert(*i, encode(&c)?.as_slice())?;
    }
    Ok(())
}

/// Inserts entries in ascending key order through a cursor, which buffers a run of inserts into
/// one gap and packs them into full leaves. Where the run meets a key already in the table, the
/// cursor is placed again further on. A key that is already there is refused (`duplicate`)
/// rather than overwritten.
fn insert_sorted<'i, K, V, KB, VB>(
    table: &mut Table<'_, K, V>,
    entries: impl IntoIterator<Item = (KB, VB)>,
    duplicate: impl Fn() -> StoreError,
) -> Result<(), StoreError>
where
    K: Key + 'static,
    V: Value + 'static,
    KB: Borrow<K::SelfType<'i>> + Copy,
    VB: Borrow<V::SelfType<'i>> + Copy,
{
    let mut entries = entries.into_iter();
    let mut next = entries.next();
    while let Some((first, _)) = next {
        let mut cursor = table.lower_bound_mut(Bound::Included(first))?;
        let mut run = 0usize;
        while let Some((key, value)) = next {
            match cursor.insert_before(key, value) {
                Ok(()) => {
                    run += 1;
                    next = entries.next();
                }
                // The key is not below the entry after the gap: place the cursor again.
                Err(CursorError::UnorderedKey) => break,
                Err(e) => return Err(StoreError::Db(e.into())),
            }
        }
        cursor.close()?;
        // Placed right before this key and still refused: the key is in the table already.
        if next.is_some() && run == 0 {
            return Err(duplicate());
        }
    }
    Ok(())
}

/// Adds the follow-up aggregates of imported participations (summed on the checking side,
/// which has the time while the writer writes).
pub fn follow_up(
    tx: &WriteTransaction,
    tally: insats_domain::follow_up::Tally,
) -> Result<(), StoreError> {
    crate::people::add_cells(tx, &tally.cells())
}

/// Adds per-year counts to those stored.
fn add_yearly(
    tx: &WriteTransaction,
    yearly: &BTreeMap<(u64, i32), YearCounts>,
) -> Result<(), StoreError> {
    let mut table = tx.open_table(YEARLY)?;
    for (key, add) in yearly {
        let (sw, sm, ew, em) = table.get(*key)?.map_or((0, 0, 0, 0), |v| v.value());
        let sum = YearCounts {
            started_women: sw.saturating_add(add.started_women),
            started_men: sm.saturating_add(add.started_men),
            ended_women: ew.saturating_add(add.ended_women),
            ended_men: em.saturating_add(add.ended_men),
        };
        table.insert(*key, crate::people::pack_year(sum))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::people::Subject;
    use insats_domain::ids::{ConsentId, ParticipationId};
    use redb::ReadableTable;

    #[test]
    fn encode_into_writes_what_the_codec_writes() {
        let subjects = [
            Subject::Person(PersonId(1)),
            Subject::Participation(ParticipationId(u64::MAX)),
            Subject::Consent(ConsentId(300)),
        ];
        let mut out = vec![7];
        for s in &subjects {
            out.truncate(1);
            encode_into(s, &mut out).unwrap();
            assert_eq!(out[1..], encode(s).unwrap()[..]);
        }
        let c = Counters {
            open: 3,
            ended: 1_000_000,
            ..Counters::default()
        };
        out.clear();
        encode_into(&c, &mut out).unwrap();
        assert_eq!(out, encode(&c).unwrap());
    }

    #[test]
    fn insert_sorted_goes_around_existing_keys_and_refuses_duplicates() {
        const T: TableDefinition<u64, u64> = TableDefinition::new("t");
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("t.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(T).unwrap();
            for k in [10, 20, 30] {
                t.insert(k, k).unwrap();
            }
            let keys = [1u64, 5, 11, 12, 25, 31, 40];
            insert_sorted(&mut t, keys.iter().map(|k| (*k, *k)), || {
                StoreError::DuplicateId
            })
            .unwrap();
            let all: Vec<u64> = t.iter().unwrap().map(|r| r.unwrap().0.value()).collect();
            assert_eq!(all, [1, 5, 10, 11, 12, 20, 25, 30, 31, 40]);
            for keys in [&[41u64, 20][..], &[50, 50], &[2, 3, 4, 5]] {
                let refused = insert_sorted(&mut t, keys.iter().map(|k| (*k, 0)), || {
                    StoreError::DuplicateId
                });
                assert!(matches!(refused, Err(StoreError::DuplicateId)));
            }
            // A refused key is never overwritten.
            assert_eq!(t.get(20).unwrap().unwrap().value(), 20);
        }
    }
}

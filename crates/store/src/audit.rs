//! The audit log: an append-only table of hash-chained entries, written in the same transaction
//! as the change they record.

use super::codec::{Stored, decode, encode};
use super::crypto::Crypto;
use super::db::{StoreError, Tx};
use super::schema::{AUDIT, AUDIT_BY_INTERVENTION, META, META_AUDIT_HEAD};
use insats_domain::audit::{ChainBreak, Draft, Entry, GENESIS, chain_input};
use insats_domain::ids::InterventionId;
use redb::{ReadableTable, WriteTransaction};

impl Stored for Entry {
    const WHAT: &'static str = "audit entry";
}
impl Stored for Draft {
    const WHAT: &'static str = "audit draft";
}

/// The front of a stored entry, as [`stream`] reads it: the encoding of [`Entry`] without its
/// two chain links, which come last and are not decoded.
#[derive(serde::Serialize, serde::Deserialize)]
struct Head {
    seq: u64,
    at_ms: i64,
    draft: Draft,
}
impl Stored for Head {
    const WHAT: &'static str = "audit entry";
}

/// The last entry's sequence number and MAC (`(0, GENESIS)` for an empty log).
pub fn head(tx: &impl Tx) -> Result<(u64, [u8; 32]), StoreError> {
    let meta = tx.table(META)?;
    let Some(v) = meta.get(META_AUDIT_HEAD)? else {
        return Ok((0, GENESIS));
    };
    let bytes = v.value();
    let seq = bytes
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes);
    let mac = bytes.get(8..40).and_then(|b| <[u8; 32]>::try_from(b).ok());
    match (seq, mac) {
        (Some(seq), Some(mac)) => Ok((seq, mac)),
        _ => Err(StoreError::Codec(super::codec::CodecError::Damaged {
            what: "audit head",
        })),
    }
}

/// Appends an entry chained to the current head.
pub fn append(
    tx: &WriteTransaction,
    crypto: &Crypto,
    at_ms: i64,
    draft: Draft,
) -> Result<Entry, StoreError> {
    let (last, prev) = head(tx)?;
    let seq = last + 1;
    let encoded = encode(&draft)?;
    let mac = crypto.audit_mac(&chain_input(seq, at_ms, &prev, &encoded));
    let entry = Entry {
        seq,
        at_ms,
        draft,
        prev,
        mac,
    };
    let bytes = encode(&entry)?;
    tx.open_table(AUDIT)?.insert(seq, bytes.as_slice())?;
    if let Some(i) = entry.draft.intervention {
        tx.open_table(AUDIT_BY_INTERVENTION)?
            .insert((i.0, seq), ())?;
    }
    let mut head_bytes = [0u8; 40];
    head_bytes[..8].copy_from_slice(&seq.to_be_bytes());
    head_bytes[8..].copy_from_slice(&mac);
    tx.open_table(META)?
        .insert(META_AUDIT_HEAD, head_bytes.as_slice())?;
    Ok(entry)
}

/// Replays the whole chain. Returns the number of entries, or the first broken link.
pub fn verify(tx: &impl Tx, crypto: &Crypto) -> Result<Result<u64, ChainBreak>, StoreError> {
    let table = tx.table(AUDIT)?;
    let mut expected = 1u64;
    let mut prev = GENESIS;
    for row in table.range(0..)? {
        let (k, v) = row?;
        let seq = k.value();
        if seq != expected {
            return Ok(Err(ChainBreak::Gap {
                expected,
                found: seq,
            }));
        }
        let Ok(entry) = decode::<Entry>(v.value()) else {
            return Ok(Err(ChainBreak::Undecodable { seq }));
        };
        if entry.seq != seq || entry.prev != prev {
            return Ok(Err(ChainBreak::BadLink { seq }));
        }
        let encoded = encode(&entry.draft)?;
        let mac = crypto.audit_mac(&chain_input(seq, entry.at_ms, &prev, &encoded));
        if !macs_equal(&mac, &entry.mac) {
            return Ok(Err(ChainBreak::BadMac { seq }));
        }
        prev = entry.mac;
        expected += 1;
    }
    let (head_seq, head_mac) = head(tx)?;
    let last = expected - 1;
    if head_seq != last || (last > 0 && head_mac != prev) {
        return Ok(Err(ChainBreak::Truncated {
            expected: head_seq,
            found: last,
        }));
    }
    Ok(Ok(last))
}

/// The entry with sequence number `seq`, if the log holds one.
pub fn entry(tx: &impl Tx, seq: u64) -> Result<Option<Entry>, StoreError> {
    let table = tx.table(AUDIT)?;
    let Some(v) = table.get(seq)? else {
        return Ok(None);
    };
    Ok(Some(decode::<Entry>(v.value())?))
}

/// Where a window of the log is read from.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The whole log, newest first.
    All,
    /// The entries of these interventions only, newest first: their index ranges merged, so
    /// the window costs the same however much of the log belongs to other interventions.
    Interventions(&'a [InterventionId]),
}

/// One window of the log, newest first: at most `limit` entries that `keep` accepts, with
/// sequence numbers below `before` (all when `None`), looking at no more than `scan_limit`
/// entries.
pub fn page(
    tx: &impl Tx,
    scope: Scope<'_>,
    before: Option<u64>,
    limit: usize,
    scan_limit: usize,
    keep: impl Fn(&Entry) -> bool,
) -> Result<Vec<Entry>, StoreError> {
    let table = tx.table(AUDIT)?;
    let upper = before.unwrap_or(u64::MAX);
    let mut out = Vec::with_capacity(limit.min(1024));
    let mut push = |bytes: &[u8]| -> Result<bool, StoreError> {
        let e: Entry = decode(bytes)?;
        if keep(&e) {
            out.push(e);
        }
        Ok(out.len() >= limit)
    };
    match scope {
        Scope::Interventions(interventions) => {
            let index = tx.table(AUDIT_BY_INTERVENTION)?;
            // One descending range per intervention; the heap holds each range's next entry.
            let mut ranges = Vec::with_capacity(interventions.len());
            let mut heads = std::collections::BinaryHeap::new();
            for i in interventions {
                let mut range = index.range((i.0, 0)..(i.0, upper))?.rev();
                if let Some(row) = range.next() {
                    heads.push((row?.0.value().1, ranges.len()));
                }
                ranges.push(range);
            }
            let mut scanned = 0;
            while let Some((seq, r)) = heads.pop() {
                if let Some(v) = table.get(seq)?
                    && push(v.value())?
                {
                    break;
                }
                scanned += 1;
                if scanned >= scan_limit {
                    break;
                }
                if let Some(row) = ranges[r].next() {
                    heads.push((row?.0.value().1, r));
                }
            }
        }
        Scope::All => {
            for row in table.range(0..upper)?.rev().take(scan_limit) {
                if push(row?.1.value())? {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// Every entry after sequence number `after` that `keep` accepts, oldest first. A full scan of
/// that part of the log: for rare requests (a data subject's extract), not for screens.
pub fn scan(
    tx: &impl Tx,
    after: u64,
    keep: impl Fn(&Entry) -> bool,
) -> Result<Vec<Entry>, StoreError> {
    let mut out = Vec::new();
    for row in tx.table(AUDIT)?.range(after.saturating_add(1)..)? {
        let e: Entry = decode(row?.1.value())?;
        if keep(&e) {
            out.push(e);
        }
    }
    Ok(out)
}

/// The sequence number of the first entry stamped at or after `at_ms`, found by halving (entries
/// are appended in time order); one past the head when there is none.
pub fn first_at_or_after(tx: &impl Tx, at_ms: i64) -> Result<u64, StoreError> {
    let (last, _) = head(tx)?;
    let table = tx.table(AUDIT)?;
    let (mut lo, mut hi) = (1u64, last + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let before = match table.get(mid)? {
            Some(v) => decode::<Entry>(v.value())?.at_ms < at_ms,
            // A gap (never in an intact chain): look later.
            None => true,
        };
        if before {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

/// Streams the entries stamped from `from_ms` to `to_ms` (inclusive) to `each`, oldest first,
/// one at a time: the whole log is never held in memory. Starts where [`first_at_or_after`]
/// finds `from_ms` and stops at the first entry after `to_ms`.
///
/// For reading what happened, not for checking the chain: the entries' `prev` and `mac` are
/// not read (they are left as zeros), which spares a third of the decoding ([`verify`] reads
/// them).
pub fn stream<E: From<StoreError>>(
    tx: &impl Tx,
    from_ms: i64,
    to_ms: i64,
    mut each: impl FnMut(&Entry) -> Result<(), E>,
) -> Result<(), E> {
    let start = first_at_or_after(tx, from_ms)?;
    let table = tx.table(AUDIT)?;
    for row in table.range(start..).map_err(StoreError::from)? {
        let row = row.map_err(StoreError::from)?;
        let h: Head = decode(row.1.value()).map_err(StoreError::from)?;
        if h.at_ms > to_ms {
            break;
        }
        let e = Entry {
            seq: h.seq,
            at_ms: h.at_ms,
            draft: h.draft,
            prev: [0; 32],
            mac: [0; 32],
        };
        each(&e)?;
    }
    Ok(())
}

/// Compares two MACs without an early exit.
fn macs_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::crypto::KeyFile;
    use insats_domain::audit::Action;
    use proptest::prelude::*;

    #[test]
    fn a_stream_reads_each_entry_as_stored_but_its_chain_links() {
        let dir = tempfile::tempdir().unwrap();
        let crypto = KeyFile::create(&dir.path().join("k")).unwrap().crypto();
        let db = redb::Database::create(dir.path().join("a.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        for n in 0..20i64 {
            let draft = Draft {
                user: Some(insats_domain::ids::UserId(7)),
                role: None,
                session: 3,
                association: None,
                intervention: Some(InterventionId(1)),
                subject: None,
                action: Action::ViewParticipant,
                fields: vec![format!("f{n}")],
                note: format!("note {n}"),
            };
            append(&tx, &crypto, 1_000 * n, draft).unwrap();
        }
        tx.commit().unwrap();
        let tx = redb::ReadableDatabase::begin_read(&db).unwrap();
        let mut seen = Vec::new();
        stream(&tx, 5_000, 12_000, |e: &Entry| -> Result<(), StoreError> {
            seen.push(e.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 8);
        for e in seen {
            let stored = entry(&tx, e.seq).unwrap().unwrap();
            assert_eq!(
                (e.seq, e.at_ms, &e.draft),
                (stored.seq, stored.at_ms, &stored.draft)
            );
            assert_eq!((e.prev, e.mac), ([0; 32], [0; 32]));
            assert_ne!(stored.mac, [0; 32]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The merged per-intervention window is exactly the whole log filtered to those
        /// interventions, whatever the mix, the window start and the size.
        #[test]
        fn a_window_over_some_interventions_is_the_filtered_log(
            log in proptest::collection::vec(proptest::option::of(1u64..6), 0..120),
            wanted in proptest::collection::btree_set(1u64..6, 0..4),
            before in proptest::option::of(0u64..130),
            limit in 1usize..40,
            odd_only in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let crypto = KeyFile::create(&dir.path().join("k")).unwrap().crypto();
            let db = redb::Database::create(dir.path().join("a.redb")).unwrap();
            let tx = db.begin_write().unwrap();
            for (n, i) in log.iter().enumerate() {
                let draft = Draft {
                    user: None,
                    role: None,
                    session: 0,
                    association: None,
                    intervention: i.map(InterventionId),
                    subject: None,
                    action: Action::RegisterIn,
                    fields: Vec::new(),
                    note: String::new(),
                };
                append(&tx, &crypto, i64::try_from(n).unwrap(), draft).unwrap();
            }
            tx.open_table(AUDIT_BY_INTERVENTION).unwrap();
            let wanted: Vec<InterventionId> = wanted.into_iter().map(InterventionId).collect();
            let keep = |e: &Entry| !odd_only || e.seq % 2 == 1;
            let merged: Vec<u64> = page(&tx, Scope::Interventions(&wanted), before, limit, usize::MAX, keep)
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect();
            let filtered: Vec<u64> = page(&tx, Scope::All, before, usize::MAX, usize::MAX, keep)
                .unwrap()
                .iter()
                .filter(|e| e.draft.intervention.is_some_and(|i| wanted.contains(&i)))
                .map(|e| e.seq)
                .take(limit)
                .collect();
            prop_assert_eq!(merged, filtered);
        }
    }
}

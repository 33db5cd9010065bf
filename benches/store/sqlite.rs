//! The SQLite peer of the bulk import: the logical rows schema 3 writes for an import, in one
//! durable transaction (WAL, `synchronous=FULL`), sealing included, in two styles.
//!
//! Per imported participation both styles write what `Session::import` writes:
//! - for a person met for the first time: a person row (id, derived pseudonym, keyed hash of the
//!   personnummer, sealed personnummer, name and municipality, no withdrawal) and its entry in
//!   the personnummer blind index (hash → person, unique);
//! - a consent (insats's own encoding of the record, its derived pseudonym inside) and its
//!   entry in the consents-by-person index;
//! - a participation (insats's own encoding, its derived pseudonym inside), its entry in the
//!   by-intervention index and in the by-person index, whose value is the participation's
//!   summary (`summary::pack`, the bytes insats keeps there);
//!
//! and per import: each intervention's counters, one hash-chained audit entry per intervention
//! and 50,000 rows (with its by-intervention index entry), the id sequences and the audit head.
//! There is no pseudonym table: schema 3 derives pseudonyms from their subject (a keyed
//! permutation, computed here as there) and stores none.
//!
//! Left out, as in any "same inserts" peer: the rules every imported row is checked by, and the
//! look-up of each new personnummer in the database as it was (empty here).

use chrono::NaiveDate;
use insats::domain::audit::{Action, Draft, Entry, GENESIS, chain_input};
use insats::domain::consent::Consent;
use insats::domain::ids::{
    AssociationId, ConsentId, InterventionId, ParticipationId, PersonId, UserId,
};
use insats::domain::participation::Participation;
use insats::domain::person::Gender;
use insats::domain::report::Counters;
use insats::domain::user::Role;
use insats::service::ImportRow;
use insats_store::codec::encode;
use insats_store::crypto::Crypto;
use insats_store::people::{self, Subject};
use insats_store::pseudonym::Pseudonyms;
use insats_store::summary::{self, Packed};
use rusqlite::{Connection, Transaction, params};
use std::collections::hash_map::Entry as Slot;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

/// How the peer goes about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// What a first attempt looks like: every index declared with its table, so each insert
    /// maintains them one key at a time; SQLite's default page cache (2,000 KiB); rows written
    /// as they come.
    Naive,
    /// SQLite's own advice for loading a lot of data at once: tables without secondary indexes
    /// during the load and `CREATE INDEX` afterwards, in the same transaction (building an index
    /// from a sort of all its keys writes each of its pages once, in order, instead of inserting
    /// keys at random places of a growing B-tree); a page cache large enough to hold what the
    /// load touches (`PRAGMA cache_size`), as insats has; keys inserted in sorted order where
    /// insats sorts them (the by-person index, a WITHOUT ROWID table); statements prepared once
    /// and reused (both styles do that). Durability stays what insats has: the journal on (WAL)
    /// and every commit synced (`synchronous=FULL`).
    Tuned,
}

/// The page cache the tuned peer gets: redb's default cache, which `Store` keeps
/// (`Database::builder()` without `set_cache_size`: 1 GiB, for reads and the write buffer).
pub const TUNED_CACHE_MIB: i64 = 1024;

/// Rows per audit entry, as `Session::import` does it.
const BATCH: u64 = 50_000;

/// Tables as both styles create them. Each secondary index of insats is a SQLite index here,
/// except the by-person one, which keeps a value (the participation's summary) beside its key
/// and so is a WITHOUT ROWID table keyed like it: SQLite's form of a key → value B-tree. The
/// indexes of rowid tables name one column: SQLite appends the rowid (the id) to every entry,
/// so `consents(person)` is ordered by (person, consent) as insats's index is.
const TABLES: &str = "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE persons (id INTEGER PRIMARY KEY, pseudonym INTEGER NOT NULL,
        pnr_hash BLOB NOT NULL, pnr BLOB NOT NULL, name BLOB NOT NULL,
        municipality BLOB NOT NULL, withdrawn_on INTEGER);
    CREATE TABLE consents (id INTEGER PRIMARY KEY, person INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE TABLE participations (id INTEGER PRIMARY KEY, intervention INTEGER NOT NULL,
        person INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE TABLE participations_by_person (person INTEGER NOT NULL,
        participation INTEGER NOT NULL, summary BLOB NOT NULL,
        PRIMARY KEY (person, participation)) WITHOUT ROWID;
    CREATE TABLE counters (intervention INTEGER PRIMARY KEY, body BLOB NOT NULL);
    CREATE TABLE audit (seq INTEGER PRIMARY KEY, intervention INTEGER, body BLOB NOT NULL);
";

/// The secondary indexes: before the load (naive) or after it (tuned).
const INDEXES: &str = "
    CREATE UNIQUE INDEX persons_by_pnr ON persons (pnr_hash);
    CREATE INDEX consents_by_person ON consents (person);
    CREATE INDEX participations_by_intervention ON participations (intervention);
    CREATE INDEX audit_by_intervention ON audit (intervention);
";

/// The keys insats seals and derives pseudonyms with.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    pub crypto: &'a Crypto,
    pub pseudonyms: &'a Pseudonyms,
}

/// Where the time went; `total` is everything from opening the file to the data in place.
#[derive(Debug)]
pub struct Timing {
    pub total: Duration,
    /// The rows, counters, audit entries and sequences (naive: with index upkeep).
    pub load: Duration,
    /// Tuned: the by-person index sorted and inserted, and `CREATE INDEX` for the others.
    pub indexes: Duration,
    /// The commit: every page written to the WAL, then synced.
    pub commit: Duration,
    /// The checkpoint after it: the WAL copied into the database file and synced (SQLite's
    /// automatic checkpoint does the same inside the commit; run apart here only to show it).
    pub checkpoint: Duration,
    pub persons: u64,
    pub participations: u64,
    pub file_bytes: u64,
}

/// Imports `rows` into a new SQLite file at `path`.
pub fn import(
    style: Style,
    rows: Vec<ImportRow>,
    keys: Keys<'_>,
    today: NaiveDate,
    path: &Path,
) -> Timing {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    let start = Instant::now();
    let mut db = Connection::open(path).unwrap();
    // Both: the same durability as a redb durable commit. The automatic checkpoint is left to
    // the end so that its share shows (it would otherwise run inside the commit).
    db.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;",
    )
    .unwrap();
    if style == Style::Tuned {
        // A page cache comparable to insats's (`cache_size` in KiB when negative). And one
        // helper thread for the sorter that `CREATE INDEX` runs (`PRAGMA threads`; only the
        // sorter uses it), as insats builds its indexes on two threads.
        db.execute_batch(&format!(
            "PRAGMA cache_size=-{}; PRAGMA threads=1;",
            TUNED_CACHE_MIB * 1024
        ))
        .unwrap();
        let cache: i64 = db.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        let threads: i64 = db.query_row("PRAGMA threads", [], |r| r.get(0)).unwrap();
        assert_eq!((cache, threads), (-TUNED_CACHE_MIB * 1024, 1));
    }
    let tx = db.transaction().unwrap();
    tx.execute_batch(TABLES).unwrap();
    if style == Style::Naive {
        tx.execute_batch(INDEXES).unwrap();
    }
    let t = Instant::now();
    let loaded = load(&tx, style, rows, keys, today);
    let load_time = t.elapsed();
    let t = Instant::now();
    if style == Style::Tuned {
        let mut by_person = loaded.by_person;
        by_person.sort_unstable_by_key(|(k, _)| *k);
        let mut insert = tx
            .prepare("INSERT INTO participations_by_person VALUES (?1, ?2, ?3)")
            .unwrap();
        for ((person, participation), summary) in &by_person {
            insert
                .execute(params![person, participation, summary.as_slice()])
                .unwrap();
        }
        drop(insert);
        tx.execute_batch(INDEXES).unwrap();
    }
    let index_time = t.elapsed();
    let t = Instant::now();
    tx.commit().unwrap();
    let commit = t.elapsed();
    let t = Instant::now();
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let checkpoint = t.elapsed();
    let total = start.elapsed();
    // Outside the time: the rows are all there.
    let count = |table: &str| -> u64 {
        db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as u64
    };
    assert_eq!(count("participations"), loaded.participations);
    assert_eq!(count("participations_by_person"), loaded.participations);
    assert_eq!(count("consents"), loaded.participations);
    assert_eq!(count("persons"), loaded.persons);
    drop(db);
    Timing {
        total,
        load: load_time,
        indexes: index_time,
        commit,
        checkpoint,
        persons: loaded.persons,
        participations: loaded.participations,
        file_bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
    }
}

/// What the load leaves for the rest of the import.
struct Loaded {
    /// Tuned: the by-person index, to be sorted and inserted after the load.
    by_person: Vec<((i64, i64), Packed)>,
    persons: u64,
    participations: u64,
}

/// The records, in the order of their rows (so with ascending ids, the tables' primary keys,
/// in both styles), then the counters, the audit entries and the sequences.
fn load(
    tx: &Transaction<'_>,
    style: Style,
    rows: Vec<ImportRow>,
    keys: Keys<'_>,
    today: NaiveDate,
) -> Loaded {
    let Keys { crypto, pseudonyms } = keys;
    let mut ins_person = tx
        .prepare("INSERT INTO persons VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .unwrap();
    let mut ins_consent = tx
        .prepare("INSERT INTO consents VALUES (?1, ?2, ?3)")
        .unwrap();
    let mut ins_part = tx
        .prepare("INSERT INTO participations VALUES (?1, ?2, ?3, ?4)")
        .unwrap();
    let mut ins_by_person = tx
        .prepare("INSERT INTO participations_by_person VALUES (?1, ?2, ?3)")
        .unwrap();
    let mut by_person = Vec::new();
    if style == Style::Tuned {
        by_person.reserve(rows.len());
    }
    // Like the import: a person in several interventions is stored once, found in memory by
    // the keyed hash of their personnummer.
    let mut persons: HashMap<[u8; 32], PersonId> = HashMap::with_capacity(rows.len());
    let mut counters: BTreeMap<InterventionId, Counters> = BTreeMap::new();
    let mut in_batch: BTreeMap<InterventionId, u64> = BTreeMap::new();
    let mut batches: Vec<Vec<(InterventionId, u64)>> = Vec::new();
    let mut participations = 0u64;
    for (k, r) in rows.into_iter().enumerate() {
        let hash = people::pnr_hash(crypto, &r.identity.pnr);
        let next_person = PersonId(persons.len() as u64 + 1);
        let person = match persons.entry(hash) {
            Slot::Occupied(slot) => *slot.get(),
            Slot::Vacant(slot) => {
                let id = next_person;
                let pseudonym = pseudonyms.of(Subject::Person(id)).unwrap();
                let row = people::seal_person(crypto, id, &r.identity, pseudonym).unwrap();
                ins_person
                    .execute(params![
                        id.0 as i64,
                        row.pseudonym.0 as i64,
                        &row.pnr_hash[..],
                        row.pnr,
                        row.name,
                        row.municipality,
                        Option::<i64>::None
                    ])
                    .unwrap();
                *slot.insert(id)
            }
        };
        let id = k as u64 + 1;
        let (out_date, end_reason, answers_out) = match r.out {
            Some(out) => (Some(out.date), Some(out.reason), out.answers),
            None => (None, None, None),
        };
        let p = Participation {
            id: ParticipationId(id),
            intervention: r.intervention,
            person,
            consent: ConsentId(id),
            pseudonym: pseudonyms
                .of(Subject::Participation(ParticipationId(id)))
                .unwrap(),
            gender: r.gender.unwrap_or_else(|| r.identity.pnr.gender()),
            in_date: r.in_date,
            answers_in: r.answers_in,
            out_date,
            end_reason,
            answers_out,
            consent_withdrawn: false,
            age: 30,
        };
        let consent = Consent {
            id: ConsentId(id),
            intervention: r.intervention,
            person,
            pseudonym: pseudonyms.of(Subject::Consent(ConsentId(id))).unwrap(),
            evidence: r.consent,
            recorded_on: today,
            used_by: Some(p.id),
        };
        ins_consent
            .execute(params![
                id as i64,
                person.0 as i64,
                encode(&consent).unwrap()
            ])
            .unwrap();
        ins_part
            .execute(params![
                id as i64,
                p.intervention.0 as i64,
                person.0 as i64,
                encode(&p).unwrap()
            ])
            .unwrap();
        let summary = summary::pack(&p).unwrap();
        match style {
            Style::Naive => {
                ins_by_person
                    .execute(params![person.0 as i64, id as i64, summary.as_slice()])
                    .unwrap();
            }
            Style::Tuned => by_person.push(((person.0 as i64, id as i64), summary)),
        }
        let c = counters.entry(p.intervention).or_default();
        if p.out_date.is_some() {
            c.ended += 1;
        } else {
            c.open += 1;
        }
        match p.gender {
            Gender::Woman => c.women += 1,
            Gender::Man => c.men += 1,
        }
        *in_batch.entry(p.intervention).or_default() += 1;
        participations += 1;
        if participations.is_multiple_of(BATCH) {
            batches.push(std::mem::take(&mut in_batch).into_iter().collect());
        }
    }
    if !in_batch.is_empty() {
        batches.push(in_batch.into_iter().collect());
    }
    let mut ins_counters = tx.prepare("INSERT INTO counters VALUES (?1, ?2)").unwrap();
    for (i, c) in &counters {
        ins_counters
            .execute(params![i.0 as i64, encode(c).unwrap()])
            .unwrap();
    }
    let head = audit(tx, crypto, &batches);
    let mut ins_meta = tx.prepare("INSERT INTO meta VALUES (?1, ?2)").unwrap();
    for (sequence, last) in [
        ("seq:person", persons.len() as u64),
        ("seq:consent", participations),
        ("seq:participation", participations),
    ] {
        ins_meta
            .execute(params![sequence, last.to_le_bytes().as_slice()])
            .unwrap();
    }
    ins_meta
        .execute(params!["audit_head", head.as_slice()])
        .unwrap();
    Loaded {
        by_person,
        persons: persons.len() as u64,
        participations,
    }
}

/// One chained audit entry per intervention and batch of rows, as `Session::import` writes
/// them; returns the new head (seq, then MAC).
fn audit(
    tx: &Transaction<'_>,
    crypto: &Crypto,
    batches: &[Vec<(InterventionId, u64)>],
) -> [u8; 40] {
    let mut insert = tx.prepare("INSERT INTO audit VALUES (?1, ?2, ?3)").unwrap();
    let at_ms = chrono::Utc::now().timestamp_millis();
    let (mut seq, mut prev) = (0u64, GENESIS);
    for (i, n) in batches.iter().flatten() {
        let draft = Draft {
            user: Some(UserId(1)),
            role: Some(Role::SystemAdmin),
            session: 1,
            association: Some(AssociationId(1)),
            intervention: Some(*i),
            subject: None,
            action: Action::ImportBatch,
            fields: vec!["participations".to_owned()],
            note: format!("{n} participations"),
        };
        seq += 1;
        let mac = crypto.audit_mac(&chain_input(seq, at_ms, &prev, &encode(&draft).unwrap()));
        let entry = Entry {
            seq,
            at_ms,
            draft,
            prev,
            mac,
        };
        insert
            .execute(params![seq as i64, i.0 as i64, encode(&entry).unwrap()])
            .unwrap();
        prev = mac;
    }
    let mut head = [0u8; 40];
    head[..8].copy_from_slice(&seq.to_be_bytes());
    head[8..].copy_from_slice(&prev);
    head
}

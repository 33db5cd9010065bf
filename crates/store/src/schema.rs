//! Every table of the database, in one place. Bump [`SCHEMA_VERSION`] and add a step to
//! [`super::migrate`] whenever a table or a stored value changes shape.
//!
//! Keys are ids (`u64`), tuples of ids for secondary indexes (value `()`), or the keyed hash of a
//! personnummer (32 bytes, stored as a variable-length key). Values are [`super::codec`]
//! encodings: a version byte + postcard.

use redb::{TableDefinition, TableHandle};

/// The version of the layout below. Stored in [`META`] under [`META_SCHEMA`].
///
/// - 1: the first layout.
/// - 2: [`PERSONS_BY_PNR`] keyed by `&[u8]` instead of `&[u8; 32]`.
/// - 3: [`PARTICIPATIONS_BY_PERSON`] keeps each participation's summary as its value.
/// - 4: [`UNUSED_CONSENTS`] lists the consents no registration uses, per intervention.
/// - 5: interventions keep a detailed focus and year plans with budget and outcome per line;
///   associations their settings (focus list, contacts, retention, small-cell threshold);
///   [`VOLUMES`] split women and men; [`YEARLY`] counts starts and ends per budget year.
/// - 6: participations keep the age on their in-date (for follow-up by age group).
/// - 7: [`OUTCOMES`] and [`STARTS`] keep the follow-up aggregates.
/// - 8: the aggregates name options by a 64-bit code instead of their keys (rebuilt).
/// - 9: [`OUTCOMES_BY_YEAR`] rolls the outcomes up per budget year.
/// - 10: [`UNLOCK_CODES`] keeps each user's idle-lock unlock code as an argon2 hash.
/// - 11: [`PROCESSING_RECORDS`] keeps each association's record of processing activities.
/// - 12: the log review: [`REVIEW_SETTINGS`], [`REVIEW_RUNS`], [`REVIEW_ITEMS`] (with
///   [`REVIEW_ITEMS_BY_ASSOCIATION`]) and [`REVIEW_VERDICTS`].
/// - 13: [`REVIEW_QUEUE`] keeps the queue in its order, open items first, so a screen of it is
///   read without reading the rest.
pub const SCHEMA_VERSION: u32 = 13;

/// Small named values: schema version, key check, demo flag, id sequences, audit head.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub const META_SCHEMA: &str = "schema_version";
pub const META_KEY_CHECK: &str = "key_check";
pub const META_DEMO: &str = "demo";
pub const META_AUDIT_HEAD: &str = "audit_head";
pub const META_SCRUB: &str = "scrub";
/// A random stamp rewritten by every change to associations, interventions, users and
/// assignments, and by every removal of an SSH key: while it stays the same, what a session's policy checks read stays valid.
pub const META_ORG_STAMP: &str = "org_stamp";

pub const ASSOCIATIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("associations");
pub const INTERVENTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("interventions");
/// association → its record of processing activities (`insats_domain::record::ProcessingRecord`),
/// once its administrator has set one (until then the program's default is shown).
pub const PROCESSING_RECORDS: TableDefinition<u64, &[u8]> =
    TableDefinition::new("processing_records");
/// (association, intervention)
pub const INTERVENTIONS_BY_ASSOCIATION: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("interventions_by_association");

pub const USERS: TableDefinition<u64, &[u8]> = TableDefinition::new("users");
/// username → user
pub const USERS_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("users_by_name");
/// SSH key fingerprint (`SHA256:…`) → key record
pub const SSH_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("ssh_keys");
/// (user, fingerprint)
pub const SSH_KEYS_BY_USER: TableDefinition<(u64, &str), ()> =
    TableDefinition::new("ssh_keys_by_user");

/// user → their unlock code for the idle lock (`insats_domain::unlock::UnlockCode`: an argon2
/// hash as a PHC string, never the code).
pub const UNLOCK_CODES: TableDefinition<u64, &[u8]> = TableDefinition::new("unlock_codes");

pub const ASSIGNMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("assignments");
/// (user, assignment)
pub const ASSIGNMENTS_BY_USER: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("assignments_by_user");

/// Person records: encrypted personnummer, name and municipality.
pub const PERSONS: TableDefinition<u64, &[u8]> = TableDefinition::new("persons");
/// Keyed hash of the 12-digit personnummer (32 bytes) → person (a blind index: no plain number
/// stored).
///
/// The key is a variable-length `&[u8]`, not a `&[u8; 32]`: redb routes a fixed-width key type
/// through whole copies of keys in its branch pages, so an erased person's hash could live on
/// there as a separator after its entry is gone. For `&[u8]` it stores only the few leading
/// bytes of a neighbouring key that tell two children apart (`Key::separator`).
pub const PERSONS_BY_PNR: TableDefinition<&[u8], u64> = TableDefinition::new("persons_by_pnr");

pub const CONSENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("consents");
/// (person, consent)
pub const CONSENTS_BY_PERSON: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("consents_by_person");
/// (intervention, consent) for each consent no registration uses yet: what a handler is shown
/// to use or remove, and what retention looks through.
pub const UNUSED_CONSENTS: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("unused_consents");

pub const PARTICIPATIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("participations");
/// (intervention, participation)
pub const PARTICIPATIONS_BY_INTERVENTION: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("participations_by_intervention");
/// (person, participation) → the participation's summary ([`super::summary::pack`]), so a
/// look-up by personnummer reads one index range and no participation row.
pub const PARTICIPATIONS_BY_PERSON: TableDefinition<(u64, u64), &[u8]> =
    TableDefinition::new("participations_by_person");

/// Pseudonym → what it stands for, for pseudonyms drawn at random before schema 3 (newer ones
/// are derived from their subject: `super::pseudonym`). Deleted on erasure.
pub const PSEUDONYMS: TableDefinition<u64, &[u8]> = TableDefinition::new("pseudonyms");

/// (intervention, start year) → anonymous participants (women, men).
pub const ANONYMOUS: TableDefinition<(u64, i32), &[u8]> = TableDefinition::new("anonymous");
/// intervention → stored counters.
pub const COUNTERS: TableDefinition<u64, &[u8]> = TableDefinition::new("counters");
/// (intervention, budget year) → identified participations started and ended that year:
/// (started women, started men, ended women, ended men). Kept with every participation change.
pub const YEARLY: TableDefinition<(u64, i32), (u32, u32, u32, u32)> =
    TableDefinition::new("yearly");
/// (intervention, month index, gender, age group) → the outcomes of the participations
/// registered out that month (`insats_domain::follow_up::Outcomes`). Kept with every change.
pub const OUTCOMES: TableDefinition<(u64, i32, u8, u8), &[u8]> = TableDefinition::new("outcomes");
/// (intervention, budget year, gender, age group) → the outcomes of the year's months summed,
/// so a report over whole years reads a twelfth of the cells.
pub const OUTCOMES_BY_YEAR: TableDefinition<(u64, i32, u8, u8), &[u8]> =
    TableDefinition::new("outcomes_by_year");
/// (intervention, month index, gender, age group) → the participations registered in that
/// month and their answers then (`insats_domain::follow_up::Starts`). Kept with every change.
pub const STARTS: TableDefinition<(u64, i32, u8, u8), &[u8]> = TableDefinition::new("starts");
/// (intervention, year, month) → participants of a count-only intervention (volyminsats):
/// (women, men, counted before the split by gender).
pub const VOLUMES: TableDefinition<(u64, i32, u8), (u32, u32, u32)> =
    TableDefinition::new("volumes");

/// seq → audit entry.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// (intervention, seq) for the audit entries of one intervention.
pub const AUDIT_BY_INTERVENTION: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("audit_by_intervention");

/// association → its review rules (`insats_domain::review::ReviewSettings`).
pub const REVIEW_SETTINGS: TableDefinition<u64, &[u8]> = TableDefinition::new("review_settings");
/// run → a run of the review rules or a drawn sample (`insats_domain::review::Run`).
pub const REVIEW_RUNS: TableDefinition<u64, &[u8]> = TableDefinition::new("review_runs");
/// item → a finding or a sampled entry in the review queue (`insats_domain::review::Item`).
pub const REVIEW_ITEMS: TableDefinition<u64, &[u8]> = TableDefinition::new("review_items");
/// (association, item)
pub const REVIEW_ITEMS_BY_ASSOCIATION: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("review_items_by_association");
/// (association, [`QUEUE_OPEN`] or [`QUEUE_CLOSED`], item): the queue in its order, open items
/// first, each part oldest first. An item is open until a verdict other than "needs follow-up"
/// closes it.
pub const REVIEW_QUEUE: TableDefinition<(u64, u8, u64), ()> = TableDefinition::new("review_queue");
pub const QUEUE_OPEN: u8 = 0;
pub const QUEUE_CLOSED: u8 = 1;
/// (item, verdict number) → a verdict; a changed verdict is a new row.
pub const REVIEW_VERDICTS: TableDefinition<(u64, u64), &[u8]> =
    TableDefinition::new("review_verdicts");

/// Something done with every table of the database, the same way whatever its key and value
/// types: creating them, copying them into a backup. See [`for_each_table`].
pub trait TableVisitor {
    type Error;
    fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<'static, K, V>,
    ) -> Result<(), Self::Error>;
}

/// Visits every table above: the one list that creating the tables and copying them into a
/// backup both go through, so a table added here is created and backed up, and a table left
/// out of it is found by the test below (and by the backup, which refuses a file holding a
/// table it does not know).
pub fn for_each_table<T: TableVisitor>(v: &mut T) -> Result<(), T::Error> {
    v.table(META)?;
    v.table(ASSOCIATIONS)?;
    v.table(INTERVENTIONS)?;
    v.table(PROCESSING_RECORDS)?;
    v.table(INTERVENTIONS_BY_ASSOCIATION)?;
    v.table(USERS)?;
    v.table(USERS_BY_NAME)?;
    v.table(SSH_KEYS)?;
    v.table(SSH_KEYS_BY_USER)?;
    v.table(UNLOCK_CODES)?;
    v.table(ASSIGNMENTS)?;
    v.table(ASSIGNMENTS_BY_USER)?;
    v.table(PERSONS)?;
    v.table(PERSONS_BY_PNR)?;
    v.table(CONSENTS)?;
    v.table(CONSENTS_BY_PERSON)?;
    v.table(UNUSED_CONSENTS)?;
    v.table(PARTICIPATIONS)?;
    v.table(PARTICIPATIONS_BY_INTERVENTION)?;
    v.table(PARTICIPATIONS_BY_PERSON)?;
    v.table(PSEUDONYMS)?;
    v.table(ANONYMOUS)?;
    v.table(COUNTERS)?;
    v.table(VOLUMES)?;
    v.table(YEARLY)?;
    v.table(OUTCOMES)?;
    v.table(OUTCOMES_BY_YEAR)?;
    v.table(STARTS)?;
    v.table(AUDIT)?;
    v.table(AUDIT_BY_INTERVENTION)?;
    v.table(REVIEW_SETTINGS)?;
    v.table(REVIEW_RUNS)?;
    v.table(REVIEW_ITEMS)?;
    v.table(REVIEW_ITEMS_BY_ASSOCIATION)?;
    v.table(REVIEW_VERDICTS)?;
    v.table(REVIEW_QUEUE)?;
    Ok(())
}

/// The names of every table [`for_each_table`] visits, in its order.
pub fn table_names() -> Vec<String> {
    struct Names(Vec<String>);
    impl TableVisitor for Names {
        type Error = std::convert::Infallible;
        fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
            &mut self,
            def: TableDefinition<'static, K, V>,
        ) -> Result<(), Self::Error> {
            self.0.push(def.name().to_owned());
            Ok(())
        }
    }
    let mut names = Names(Vec::new());
    let Ok(()) = for_each_table(&mut names);
    names.0
}

/// Creates every table (a no-op for tables that exist), so read transactions can open them all.
pub fn create_all(tx: &redb::WriteTransaction) -> Result<(), redb::TableError> {
    struct Create<'a>(&'a redb::WriteTransaction);
    impl TableVisitor for Create<'_> {
        type Error = redb::TableError;
        fn table<K: redb::Key + 'static, V: redb::Value + 'static>(
            &mut self,
            def: TableDefinition<'static, K, V>,
        ) -> Result<(), Self::Error> {
            self.0.open_table(def)?;
            Ok(())
        }
    }
    for_each_table(&mut Create(tx))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    /// Every table the store's sources declare (`TableDefinition::new("…")`) is in the one list
    /// that creation and backups go through, but the scrub's scratch table, which lives between
    /// two commits of one scrub (backups wait for a scrub to end). A table declared elsewhere
    /// and left out of the list fails here.
    #[test]
    fn every_declared_table_is_in_the_list_that_backups_copy() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut declared = Vec::new();
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let whole = std::fs::read_to_string(&path).unwrap();
                // Tables of a file's own unit tests are not the database's.
                let text = whole.split(concat!("#[cfg", "(test)]")).next().unwrap();
                assert!(
                    !text.contains(concat!("Multimap", "TableDefinition")),
                    "{}: a multimap table is not copied by backups",
                    path.display()
                );
                for piece in text.split(concat!("TableDefinition", "::new(\"")).skip(1) {
                    let name = piece.split('"').next().unwrap().to_owned();
                    declared.push((name, path.display().to_string()));
                }
            }
        }
        let listed = super::table_names();
        assert!(declared.len() > 20, "{declared:?}");
        for (name, file) in &declared {
            if name == "scrub_fill" {
                continue;
            }
            assert!(
                listed.contains(name),
                "table {name} ({file}) is not in schema::for_each_table: it would be neither created nor backed up"
            );
        }
        let mut unique = listed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), listed.len(), "a table is listed twice");
    }
}

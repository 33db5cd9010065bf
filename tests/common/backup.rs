//! Backup keys for tests: an age X25519 key pair made here, its identity file on disk (as
//! `age-keygen` writes one), and decryption of what a backup wrote.

use super::{Fixture, count, parsed};
use age::secrecy::ExposeSecret;
use insats::domain::audit::Entry;
use insats::domain::participation::Participation;
use insats::service::backup::{self, Recipients, RestoreOptions};
use insats_store::schema;
use redb::{ReadableDatabase, ReadableTable};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub struct BackupKeys {
    identity: age::x25519::Identity,
    /// The identity file (AGE-SECRET-KEY-1…).
    pub identity_file: PathBuf,
    /// The public key (age1…).
    pub recipient: String,
}

impl BackupKeys {
    pub fn new(dir: &Path) -> BackupKeys {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let identity_file = dir.join("backup-identity.txt");
        std::fs::write(
            &identity_file,
            format!(
                "# public key: {recipient}\n{}\n",
                identity.to_string().expose_secret()
            ),
        )
        .unwrap();
        BackupKeys {
            identity,
            identity_file,
            recipient,
        }
    }

    pub fn recipients(&self) -> Recipients {
        Recipients::load(std::slice::from_ref(&self.recipient), &[]).unwrap()
    }

    /// The plaintext of an age file encrypted to this key.
    pub fn decrypt(&self, sealed: &[u8]) -> Vec<u8> {
        let d = age::Decryptor::new(sealed).unwrap();
        let mut r = d
            .decrypt(std::iter::once(&self.identity as &dyn age::Identity))
            .unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        out
    }
}

/// An age identity that is not the backup's.
pub fn other_identity(dir: &Path) -> PathBuf {
    let other = age::x25519::Identity::from_str(
        age::x25519::Identity::generate()
            .to_string()
            .expose_secret(),
    )
    .unwrap();
    let path = dir.join("other-identity.txt");
    std::fs::write(&path, format!("{}\n", other.to_string().expose_secret())).unwrap();
    path
}

/// A backup of the fixture's register into `dir/name`.
pub fn take(f: &Fixture, keys: &BackupKeys, name: &str) -> (PathBuf, backup::BackupReport) {
    let path = f.dir.path().join(name);
    let report = f
        .admin
        .backup_to_file(Some(&keys.recipients()), &path, &mut |_| {})
        .unwrap();
    (path, report)
}

/// What a restore of `file` reads: the fixture's key file beside its database.
pub fn options<'a>(
    key: &'a Path,
    keys: &'a BackupKeys,
    file: &'a Path,
    journal: Option<&'a Path>,
) -> RestoreOptions<'a> {
    RestoreOptions {
        backup: file,
        identity: &keys.identity_file,
        key,
        journal,
        checkpoints: &[],
    }
}

/// Every audit entry of a database, by sequence number, as stored (encoded).
pub fn raw_log(db: &redb::Database) -> BTreeMap<u64, Vec<u8>> {
    let tx = db.begin_read().unwrap();
    tx.open_table(schema::AUDIT)
        .unwrap()
        .iter()
        .unwrap()
        .map(|r| {
            let (k, v) = r.unwrap();
            (k.value(), v.value().to_vec())
        })
        .collect()
}

pub fn decoded(raw: &[u8]) -> Entry {
    postcard::from_bytes(&raw[1..]).unwrap()
}

pub fn participations(db: &redb::Database) -> Vec<Participation> {
    let tx = db.begin_read().unwrap();
    tx.open_table(schema::PARTICIPATIONS)
        .unwrap()
        .iter()
        .unwrap()
        .map(|r| postcard::from_bytes(&r.unwrap().1.value()[1..]).unwrap())
        .collect()
}

pub const NAME: &str = "Zäta Qwertyson-Unikt";
pub const OTHER: &str = "Ypsilon Kvarstår-Ensam";
pub const PROTECTED: &str = "Xerxes Skyddad-Hemlig";
pub const UNUSED: &str = "Wilma Oanvänd-Samtycke";

/// The sealed name, personnummer and blind-index hash of the person with `pnr_text`.
pub fn sealed(f: &Fixture, pnr_text: &str) -> Vec<(String, Vec<u8>)> {
    let store = f.service.store();
    let tx = store.read().unwrap();
    let person = insats_store::people::person_by_pnr(&*tx, store.crypto(), &parsed(pnr_text))
        .unwrap()
        .unwrap();
    let row = insats_store::people::person(&*tx, person).unwrap().unwrap();
    vec![
        (format!("sealed name of {person}"), row.name.clone()),
        (format!("sealed personnummer of {person}"), row.pnr.clone()),
        (
            format!("personnummer hash of {person}"),
            row.pnr_hash.to_vec(),
        ),
    ]
}

pub fn plaintext(pnr_text: &str, name: &str) -> Vec<(String, Vec<u8>)> {
    let digits: String = pnr_text.chars().filter(char::is_ascii_digit).collect();
    vec![
        ("a plaintext name".into(), name.as_bytes().to_vec()),
        (
            "a 12-digit personnummer".into(),
            digits.clone().into_bytes(),
        ),
        (
            "a 10-digit personnummer".into(),
            digits.as_bytes()[2..].to_vec(),
        ),
        (
            "a personnummer as typed".into(),
            pnr_text.as_bytes().to_vec(),
        ),
    ]
}

pub fn found(file: &[u8], needles: &[(String, Vec<u8>)]) -> Vec<String> {
    needles
        .iter()
        .filter(|(_, n)| count(file, n) > 0)
        .map(|(label, _)| label.clone())
        .collect()
}

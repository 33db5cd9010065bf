//! Associations, interventions, users, SSH keys and assignments.

use super::codec::Stored;
use super::db::{StoreError, Tx, get, put};
use super::schema::{
    ASSIGNMENTS, ASSIGNMENTS_BY_USER, ASSOCIATIONS, INTERVENTIONS, INTERVENTIONS_BY_ASSOCIATION,
    META, META_ORG_STAMP, SSH_KEYS, SSH_KEYS_BY_USER, UNLOCK_CODES, USERS, USERS_BY_NAME,
};
use insats_domain::ids::{AssignmentId, AssociationId, InterventionId, UserId};
use insats_domain::intervention::Intervention;
use insats_domain::organisation::Association;
use insats_domain::sshkey::SshKey;
use insats_domain::unlock::UnlockCode;
use insats_domain::user::{Assignment, User};
use redb::{ReadableTable, WriteTransaction};

impl Stored for Association {
    const WHAT: &'static str = "association";
    /// 2: the settings (focus list, contacts, retention, small-cell threshold).
    const VERSION: u8 = 2;
}
impl Stored for Intervention {
    const WHAT: &'static str = "intervention";
    /// 2: the detailed focus, and budget and outcome per budget line.
    const VERSION: u8 = 2;
}
impl Stored for User {
    const WHAT: &'static str = "user";
}
impl Stored for Assignment {
    const WHAT: &'static str = "assignment";
}
impl Stored for SshKey {
    const WHAT: &'static str = "SSH key";
}
impl Stored for UnlockCode {
    const WHAT: &'static str = "unlock code";
}

/// The organisation stamp (see [`META_ORG_STAMP`]); 0 before the first change.
pub fn stamp(tx: &impl Tx) -> Result<u64, StoreError> {
    Ok(tx
        .table(META)?
        .get(META_ORG_STAMP)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes))
}

/// Draws a new organisation stamp in `tx`. Random rather than counted, so a stamp written by a
/// transaction that is then dropped never comes back with other contents.
fn restamp(tx: &WriteTransaction) -> Result<(), StoreError> {
    let rng = ring::rand::SystemRandom::new();
    let bytes: [u8; 8] = ring::rand::generate(&rng)
        .map(ring::rand::Random::expose)
        .map_err(|_| StoreError::Crypto(super::crypto::CryptoError::Random))?;
    tx.open_table(META)?
        .insert(META_ORG_STAMP, bytes.as_slice())?;
    Ok(())
}

pub fn association(tx: &impl Tx, id: AssociationId) -> Result<Option<Association>, StoreError> {
    get(&tx.table(ASSOCIATIONS)?, id.0)
}

/// All associations (an installation holds a handful).
pub fn associations(tx: &impl Tx) -> Result<Vec<Association>, StoreError> {
    let table = tx.table(ASSOCIATIONS)?;
    let mut out = Vec::new();
    for row in table.range(0..)? {
        let (_, v) = row?;
        out.push(super::codec::decode(v.value())?);
    }
    Ok(out)
}

pub fn put_association(tx: &WriteTransaction, a: &Association) -> Result<(), StoreError> {
    restamp(tx)?;
    put(&mut tx.open_table(ASSOCIATIONS)?, a.id.0, a)
}

pub fn intervention(tx: &impl Tx, id: InterventionId) -> Result<Option<Intervention>, StoreError> {
    get(&tx.table(INTERVENTIONS)?, id.0)
}

/// The interventions of one association, in id order.
pub fn interventions_of(
    tx: &impl Tx,
    association: AssociationId,
) -> Result<Vec<Intervention>, StoreError> {
    let index = tx.table(INTERVENTIONS_BY_ASSOCIATION)?;
    let table = tx.table(INTERVENTIONS)?;
    let mut out = Vec::new();
    for row in index.range((association.0, 0)..=(association.0, u64::MAX))? {
        let (k, _) = row?;
        let (_, id) = k.value();
        if let Some(i) = get(&table, id)? {
            out.push(i);
        }
    }
    Ok(out)
}

pub fn put_intervention(tx: &WriteTransaction, i: &Intervention) -> Result<(), StoreError> {
    restamp(tx)?;
    put(&mut tx.open_table(INTERVENTIONS)?, i.id.0, i)?;
    tx.open_table(INTERVENTIONS_BY_ASSOCIATION)?
        .insert((i.association.0, i.id.0), ())?;
    Ok(())
}

pub fn user(tx: &impl Tx, id: UserId) -> Result<Option<User>, StoreError> {
    get(&tx.table(USERS)?, id.0)
}

pub fn user_by_name(tx: &impl Tx, username: &str) -> Result<Option<User>, StoreError> {
    let id = tx.table(USERS_BY_NAME)?.get(username)?.map(|v| v.value());
    match id {
        Some(id) => user(tx, UserId(id)),
        None => Ok(None),
    }
}

/// All users, in id order (an office has tens to hundreds).
pub fn users(tx: &impl Tx) -> Result<Vec<User>, StoreError> {
    let table = tx.table(USERS)?;
    let mut out = Vec::new();
    for row in table.range(0..)? {
        let (_, v) = row?;
        out.push(super::codec::decode(v.value())?);
    }
    Ok(out)
}

/// Writes a user and keeps the name index in step (a rename drops the old name).
pub fn put_user(tx: &WriteTransaction, u: &User) -> Result<(), StoreError> {
    restamp(tx)?;
    let old: Option<User> = get(&tx.open_table(USERS)?, u.id.0)?;
    let mut names = tx.open_table(USERS_BY_NAME)?;
    if let Some(old) = old.filter(|o| o.username != u.username) {
        names.remove(old.username.as_str())?;
    }
    names.insert(u.username.as_str(), u.id.0)?;
    put(&mut tx.open_table(USERS)?, u.id.0, u)
}

pub fn ssh_key(tx: &impl Tx, fingerprint: &str) -> Result<Option<SshKey>, StoreError> {
    match tx.table(SSH_KEYS)?.get(fingerprint)? {
        None => Ok(None),
        Some(v) => Ok(Some(super::codec::decode(v.value())?)),
    }
}

pub fn ssh_keys_of(tx: &impl Tx, user: UserId) -> Result<Vec<SshKey>, StoreError> {
    let index = tx.table(SSH_KEYS_BY_USER)?;
    let mut out = Vec::new();
    for row in index.range((user.0, "")..(user.0 + 1, ""))? {
        let (k, _) = row?;
        let (_, fp) = k.value();
        if let Some(key) = ssh_key(tx, fp)? {
            out.push(key);
        }
    }
    Ok(out)
}

pub fn put_ssh_key(tx: &WriteTransaction, key: &SshKey) -> Result<(), StoreError> {
    let bytes = super::codec::encode(key)?;
    tx.open_table(SSH_KEYS)?
        .insert(key.fingerprint.as_str(), bytes.as_slice())?;
    tx.open_table(SSH_KEYS_BY_USER)?
        .insert((key.user.0, key.fingerprint.as_str()), ())?;
    Ok(())
}

pub fn remove_ssh_key(tx: &WriteTransaction, key: &SshKey) -> Result<(), StoreError> {
    // A session signed in with this key must end: its policy checks read the stamp.
    restamp(tx)?;
    tx.open_table(SSH_KEYS)?.remove(key.fingerprint.as_str())?;
    tx.open_table(SSH_KEYS_BY_USER)?
        .remove((key.user.0, key.fingerprint.as_str()))?;
    Ok(())
}

pub fn assignment(tx: &impl Tx, id: AssignmentId) -> Result<Option<Assignment>, StoreError> {
    get(&tx.table(ASSIGNMENTS)?, id.0)
}

pub fn assignments_of(tx: &impl Tx, user: UserId) -> Result<Vec<Assignment>, StoreError> {
    let index = tx.table(ASSIGNMENTS_BY_USER)?;
    let table = tx.table(ASSIGNMENTS)?;
    let mut out = Vec::new();
    for row in index.range((user.0, 0)..=(user.0, u64::MAX))? {
        let (k, _) = row?;
        if let Some(a) = get(&table, k.value().1)? {
            out.push(a);
        }
    }
    Ok(out)
}

pub fn put_assignment(tx: &WriteTransaction, a: &Assignment) -> Result<(), StoreError> {
    restamp(tx)?;
    put(&mut tx.open_table(ASSIGNMENTS)?, a.id.0, a)?;
    tx.open_table(ASSIGNMENTS_BY_USER)?
        .insert((a.user.0, a.id.0), ())?;
    Ok(())
}

/// A user's unlock code (its hash), if they have set one.
pub fn unlock_code(tx: &impl Tx, user: UserId) -> Result<Option<UnlockCode>, StoreError> {
    get(&tx.table(UNLOCK_CODES)?, user.0)
}

pub fn put_unlock_code(
    tx: &WriteTransaction,
    user: UserId,
    code: &UnlockCode,
) -> Result<(), StoreError> {
    put(&mut tx.open_table(UNLOCK_CODES)?, user.0, code)
}

/// Removes a user's unlock code; whether there was one.
pub fn remove_unlock_code(tx: &WriteTransaction, user: UserId) -> Result<bool, StoreError> {
    Ok(tx.open_table(UNLOCK_CODES)?.remove(user.0)?.is_some())
}

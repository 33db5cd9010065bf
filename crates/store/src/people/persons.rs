//! Persons at rest: sealing and opening their identities, finding them by personnummer, and
//! what a pseudonym stands for.

use crate::codec::Stored;
use crate::crypto::Crypto;
use crate::db::{StoreError, Tx, get, put};
use crate::pseudonym::Pseudonyms;
use crate::schema::{PERSONS, PERSONS_BY_PNR, PSEUDONYMS};
use chrono::NaiveDate;
use insats_domain::date::days_opt;
use insats_domain::ids::{PersonId, Pseudonym, Subject};
use insats_domain::person::{Identity, MunicipalityCode};
use insats_domain::personnummer::Personnummer;
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

/// A person at rest: every identifying field sealed with the database key, the personnummer
/// also as a keyed hash for look-ups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub pseudonym: Pseudonym,
    pub pnr_hash: [u8; 32],
    pub pnr: Vec<u8>,
    pub name: Vec<u8>,
    pub municipality: Vec<u8>,
    /// When the person last withdrew consent.
    #[serde(with = "days_opt")]
    pub withdrawn_on: Option<NaiveDate>,
}

impl Stored for PersonRow {
    const WHAT: &'static str = "person";
}
impl Stored for Subject {
    const WHAT: &'static str = "pseudonym";
}

fn aad(id: PersonId, field: &str) -> Vec<u8> {
    let mut out = b"insats:person:".to_vec();
    out.extend_from_slice(&id.0.to_be_bytes());
    out.extend_from_slice(field.as_bytes());
    out
}

/// The keyed hash a personnummer is found by.
pub fn pnr_hash(crypto: &Crypto, pnr: &Personnummer) -> [u8; 32] {
    crypto.blind_index(pnr.digits12().as_bytes())
}

/// Seals an identity for storage as person `id`.
pub fn seal_person(
    crypto: &Crypto,
    id: PersonId,
    identity: &Identity,
    pseudonym: Pseudonym,
) -> Result<PersonRow, StoreError> {
    Ok(PersonRow {
        pseudonym,
        pnr_hash: pnr_hash(crypto, &identity.pnr),
        pnr: crypto.seal(identity.pnr.digits12().as_bytes(), &aad(id, "pnr"))?,
        name: crypto.seal(identity.name.as_bytes(), &aad(id, "name"))?,
        municipality: crypto.seal(
            &identity.municipality.0.to_be_bytes(),
            &aad(id, "municipality"),
        )?,
        withdrawn_on: None,
    })
}

/// Opens a sealed person.
pub fn unseal_person(
    crypto: &Crypto,
    id: PersonId,
    row: &PersonRow,
) -> Result<Identity, StoreError> {
    let damaged = || StoreError::Codec(crate::codec::CodecError::Damaged { what: "person" });
    let pnr = crypto.open(&row.pnr, &aad(id, "pnr"))?;
    let pnr = std::str::from_utf8(&pnr)
        .ok()
        .and_then(|s| Personnummer::from_digits12(s).ok())
        .ok_or_else(damaged)?;
    let name =
        String::from_utf8(crypto.open(&row.name, &aad(id, "name"))?).map_err(|_| damaged())?;
    let m = crypto.open(&row.municipality, &aad(id, "municipality"))?;
    let m = <[u8; 2]>::try_from(m.as_slice()).map_err(|_| damaged())?;
    Ok(Identity {
        pnr,
        name,
        municipality: MunicipalityCode(u16::from_be_bytes(m)),
    })
}

/// Opens only the name of a sealed person.
pub fn unseal_name(crypto: &Crypto, id: PersonId, row: &PersonRow) -> Result<String, StoreError> {
    String::from_utf8(crypto.open(&row.name, &aad(id, "name"))?)
        .map_err(|_| StoreError::Codec(crate::codec::CodecError::Damaged { what: "person" }))
}

/// Opens only the personnummer of a sealed person, as its 12 digits.
pub fn unseal_pnr_digits(
    crypto: &Crypto,
    id: PersonId,
    row: &PersonRow,
) -> Result<String, StoreError> {
    String::from_utf8(crypto.open(&row.pnr, &aad(id, "pnr"))?)
        .map_err(|_| StoreError::Codec(crate::codec::CodecError::Damaged { what: "person" }))
}

pub fn person_by_pnr(
    tx: &impl Tx,
    crypto: &Crypto,
    pnr: &Personnummer,
) -> Result<Option<PersonId>, StoreError> {
    let hash = pnr_hash(crypto, pnr);
    Ok(tx
        .table(PERSONS_BY_PNR)?
        .get(hash.as_slice())?
        .map(|v| PersonId(v.value())))
}

pub fn person(tx: &impl Tx, id: PersonId) -> Result<Option<PersonRow>, StoreError> {
    get(&tx.table(PERSONS)?, id.0)
}

pub fn put_person(tx: &WriteTransaction, id: PersonId, row: &PersonRow) -> Result<(), StoreError> {
    put(&mut tx.open_table(PERSONS)?, id.0, row)?;
    tx.open_table(PERSONS_BY_PNR)?
        .insert(row.pnr_hash.as_slice(), id.0)?;
    Ok(())
}

/// Deletes a person, their index entry and their pseudonym.
pub fn delete_person(tx: &WriteTransaction, id: PersonId) -> Result<(), StoreError> {
    let row: Option<PersonRow> = get(&tx.open_table(PERSONS)?, id.0)?;
    if let Some(row) = row {
        tx.open_table(PERSONS_BY_PNR)?
            .remove(row.pnr_hash.as_slice())?;
        tx.open_table(PSEUDONYMS)?.remove(row.pseudonym.0)?;
        crate::db::remove_wiped(&mut tx.open_table(PERSONS)?, id.0)?;
    }
    Ok(())
}

/// What a pseudonym stands for: one drawn before schema 3 is looked up in [`PSEUDONYMS`], any
/// other is turned back through the database's permutation. Whether the record still exists is
/// for the caller to see.
pub fn resolve_pseudonym(
    tx: &impl Tx,
    pseudonyms: &Pseudonyms,
    p: Pseudonym,
) -> Result<Option<Subject>, StoreError> {
    if let Some(s) = get(&tx.table(PSEUDONYMS)?, p.0)? {
        return Ok(Some(s));
    }
    Ok(pseudonyms.subject(p))
}

//! Erasing a participation, counting it as an anonymous participant instead, and deleting a
//! person nothing refers to any more.

use crate::error::ServiceError;
use insats_domain::ids::PersonId;
use insats_domain::participation::Participation;
use insats_domain::person::Gender;
use insats_store::people;
use redb::WriteTransaction;

/// Deletes a participation and counts it as one anonymous participant (its gender, its start
/// year) in its intervention. Its consent and person are left to the caller.
pub(crate) fn anonymise(tx: &WriteTransaction, p: &Participation) -> Result<(), ServiceError> {
    erase(tx, p)?;
    people::add_anonymous(
        tx,
        p.intervention,
        p.start_year(),
        u32::from(p.gender == Gender::Woman),
        u32::from(p.gender == Gender::Man),
    )?;
    Ok(())
}

/// Deletes a participation with its indexes and pseudonym; the store takes it off the counters.
pub(super) fn erase(tx: &WriteTransaction, p: &Participation) -> Result<(), ServiceError> {
    people::delete_participation(tx, p)?;
    Ok(())
}

/// Deletes a person when no participation and no consent refers to them any more. Returns
/// whether the person was deleted.
pub(crate) fn delete_person_if_unreferenced(
    tx: &WriteTransaction,
    person: PersonId,
) -> Result<bool, ServiceError> {
    if people::participations_of_person(tx, person)?.is_empty()
        && people::consents_of(tx, person)?.is_empty()
    {
        people::delete_person(tx, person)?;
        return Ok(true);
    }
    Ok(false)
}

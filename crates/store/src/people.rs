//! Persons (encrypted), consents, participations, pseudonyms, counters and anonymous counts.

mod consents;
mod counts;
mod follow_up;
mod participations;
mod persons;

pub use consents::{
    consent, consents_of, delete_consent, delete_consent_of, put_consent, unused_count, unused_in,
    unused_until, update_consent,
};
pub(crate) use counts::pack_year;
pub use counts::{add_anonymous, anonymous_by_year, counters, set_volume, volumes, yearly};
pub(crate) use follow_up::add_cells;
pub use follow_up::{all_cells, outcomes, starts};
pub use participations::{
    delete_participation, ended_before, last_registration_day, participation,
    participations_matching, participations_of_person, participations_page, put_participation,
    update_participation,
};
pub use persons::{
    PersonRow, delete_person, person, person_by_pnr, pnr_hash, put_person, resolve_pseudonym,
    seal_person, unseal_name, unseal_person, unseal_pnr_digits,
};

pub use insats_domain::ids::Subject;

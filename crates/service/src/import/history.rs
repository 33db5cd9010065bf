//! The people an import meets, found by the keyed hash of their personnummer, and their
//! participations without answers (what the rules on overlaps look at), read from the database
//! once per person and kept in memory.

use crate::error::ServiceError;
use chrono::NaiveDate;
use insats_domain::ids::{InterventionId, PersonId};
use insats_domain::participation::ParticipationSummary;
use insats_store::people::PersonRow;
use redb::{ReadOnlyTable, ReadTransaction};

/// A person met in this import: created by it or already in the database.
pub(super) struct Known {
    pub(super) id: PersonId,
    pub(super) withdrawn_on: Option<NaiveDate>,
    /// Their latest participation in [`History`].
    pub(super) last: usize,
}

/// The participations of the people met, without answers (what the rules on overlaps look
/// at): one list per person, linked backwards through one buffer, so that a million people
/// need no million small buffers.
#[derive(Default)]
pub(super) struct History {
    /// For each participation: its intervention and the position of the same person's
    /// previous one. Kept apart from the participations, so that walking a list touches little
    /// memory.
    links: Vec<(InterventionId, usize)>,
    entries: Vec<ParticipationSummary>,
    /// A person's participations in one intervention, oldest first (reused buffer).
    others: Vec<ParticipationSummary>,
}

impl History {
    /// Marks the end of a person's list.
    pub(super) const NONE: usize = usize::MAX;

    pub(super) fn add(&mut self, last: &mut usize, p: ParticipationSummary) {
        self.links.push((p.intervention, *last));
        self.entries.push(p);
        *last = self.entries.len() - 1;
    }

    /// The participations in intervention `i` of the person whose latest is `last`.
    pub(super) fn of(&mut self, last: usize, i: InterventionId) -> &[ParticipationSummary] {
        self.others.clear();
        let mut at = last;
        while let Some((intervention, previous)) = self.links.get(at) {
            if *intervention == i
                && let Some(p) = self.entries.get(at)
            {
                self.others.push(*p);
            }
            at = *previous;
        }
        self.others.reverse();
        &self.others
    }
}

/// Hashes the keyed hash of a personnummer by its first eight bytes. An HMAC output is
/// uniformly distributed, and nobody without the key can steer it, so this is as good as a
/// keyed hasher (as the standard one is) at a fraction of the cost.
#[derive(Default)]
pub(super) struct KeyedHashHasher(u64);

impl std::hash::Hasher for KeyedHashHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut first = [0; 8];
        let n = bytes.len().min(8);
        first[..n].copy_from_slice(&bytes[..n]);
        self.0 ^= u64::from_le_bytes(first);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A person already in the database, with their participations there.
pub(super) fn already_stored(
    snapshot: &ReadTransaction,
    persons: &ReadOnlyTable<u64, &'static [u8]>,
    history: &mut History,
    id: PersonId,
) -> Result<Known, ServiceError> {
    let row: Option<PersonRow> = insats_store::get(persons, id.0)?;
    let mut last = History::NONE;
    for p in insats_store::summary::summaries_of_person(snapshot, id)? {
        history.add(&mut last, p);
    }
    Ok(Known {
        id,
        withdrawn_on: row.and_then(|r| r.withdrawn_on),
        last,
    })
}

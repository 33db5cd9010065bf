//! The result of a participation: the before and after answers compared per question, and the
//! display order of that comparison.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{AnswerValue, Answers, Catalogue};

/// The before and after answers to one question, and whether they differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerChange {
    pub question: String,
    pub before: Option<AnswerValue>,
    pub after: Option<AnswerValue>,
    pub changed: bool,
}

/// The result of a participation: per question (in key order, every question answered in either
/// set), the before and after answers and whether they differ. The order of options in a
/// multi answer does not count as a change. Use [`Catalogue::sort_changes`] for display order.
#[must_use]
pub fn compare(before: &Answers, after: &Answers) -> Vec<AnswerChange> {
    let keys: BTreeSet<&String> = before.values.keys().chain(after.values.keys()).collect();
    keys.into_iter()
        .map(|key| {
            let b = before.values.get(key);
            let a = after.values.get(key);
            let changed = b.map(AnswerValue::normalized) != a.map(AnswerValue::normalized);
            AnswerChange {
                question: key.clone(),
                before: b.cloned(),
                after: a.cloned(),
                changed,
            }
        })
        .collect()
}

impl Catalogue {
    /// Sorts the result of [`compare`] into display order (order, then key); questions no
    /// longer in the catalogue go last, by key.
    pub fn sort_changes(&self, changes: &mut [AnswerChange]) {
        changes.sort_by_cached_key(|c| {
            (
                self.question(&c.question).map_or(u32::MAX, |q| q.order),
                c.question.clone(),
            )
        });
    }
}

//! The stored cells of a report's scope and period, summed per gender.

use super::super::{ReportFilter, Scoped};
use crate::error::ServiceError;
use insats_domain::follow_up::{CodeMap, Outcomes, code};
use insats_domain::questionnaire::EndReason;
use insats_store::{Tx, people};

/// The outcome cells of the scope and period summed, for one gender.
#[derive(Debug, Default)]
pub(super) struct Sum {
    pub(super) ended: u64,
    pub(super) compared: u64,
    pub(super) end_reasons: CodeMap<u8, u64>,
    pub(super) days: std::collections::BTreeMap<u32, u32>,
    pub(super) answers: CodeMap<u64, [u64; 2]>,
    pub(super) transitions: CodeMap<(u64, u64), u64>,
}

impl Sum {
    pub(super) fn add(&mut self, o: &Outcomes) {
        self.ended += u64::from(o.ended);
        self.compared += u64::from(o.compared);
        for (r, n) in &o.end_reasons {
            *self.end_reasons.entry(*r).or_default() += u64::from(*n);
        }
        for (d, n) in &o.days {
            *self.days.entry(*d).or_default() += *n;
        }
        for (c, [b, a]) in &o.answers {
            let e = self.answers.entry(*c).or_default();
            e[0] += u64::from(*b);
            e[1] += u64::from(*a);
        }
        for (k, n) in &o.transitions {
            *self.transitions.entry(*k).or_default() += u64::from(*n);
        }
    }

    pub(super) fn answer(&self, q: &str, o: &str) -> [u64; 2] {
        self.answers.get(&code(q, o)).copied().unwrap_or_default()
    }

    pub(super) fn transition(&self, q: &str, from: &str, to: &str) -> u64 {
        self.transitions
            .get(&(code(q, from), code(q, to)))
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn end_reason(&self, r: EndReason) -> u64 {
        EndReason::ALL
            .iter()
            .position(|x| *x == r)
            .and_then(|i| u8::try_from(i).ok())
            .and_then(|i| self.end_reasons.get(&i).copied())
            .unwrap_or(0)
    }
}

/// Sums the outcome cells of the scope and period, per gender (women, men).
pub(super) fn outcomes(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
) -> Result<[Sum; 2], ServiceError> {
    let mut sum = [Sum::default(), Sum::default()];
    for s in scope {
        for (key, cell) in people::outcomes(tx, s.intervention.id, filter.from, filter.to)? {
            if filter.keeps(key.2, key.3)
                && let Some(slot) = sum.get_mut(usize::from(key.2))
            {
                slot.add(&cell);
            }
        }
    }
    Ok(sum)
}

/// The start cells summed per gender: started per age group, and answers at registration in.
#[derive(Debug, Default)]
pub(super) struct Begun {
    pub(super) by_age: CodeMap<u8, u64>,
    pub(super) answers: CodeMap<u64, u64>,
}

impl Begun {
    pub(super) fn started(&self) -> u64 {
        self.by_age.values().sum()
    }

    pub(super) fn answer(&self, q: &str, o: &str) -> u64 {
        self.answers.get(&code(q, o)).copied().unwrap_or(0)
    }
}

pub(super) fn starts(
    tx: &impl Tx,
    filter: &ReportFilter,
    scope: &[Scoped],
) -> Result<[Begun; 2], ServiceError> {
    let mut sum = [Begun::default(), Begun::default()];
    for s in scope {
        for (key, cell) in people::starts(tx, s.intervention.id, filter.from, filter.to)? {
            if filter.keeps(key.2, key.3)
                && let Some(slot) = sum.get_mut(usize::from(key.2))
            {
                *slot.by_age.entry(key.3).or_default() += u64::from(cell.started);
                for (c, n) in &cell.answers {
                    *slot.answers.entry(*c).or_default() += u64::from(*n);
                }
            }
        }
    }
    Ok(sum)
}

/// The `q`-th quantile (0–1) of a distribution of days.
pub(super) fn quantile(days: &std::collections::BTreeMap<u32, u32>, q: f64) -> Option<u32> {
    let n: u64 = days.values().map(|v| u64::from(*v)).sum();
    if n == 0 {
        return None;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0u64;
    for (d, c) in days {
        seen += u64::from(*c);
        if seen >= rank {
            return Some(*d);
        }
    }
    None
}

//! Running the review rules and drawing the random sample: the audit log of the period streamed
//! once (one entry in memory at a time), the findings kept aside as the days settle (in a
//! temporary file once they are many) and put in the queue with the run's record and its audit
//! entry in one write transaction.

use super::RuleNote;
use super::spill::Spill;
use crate::error::ServiceError;
use crate::session::Session;
use chrono::{Duration, NaiveDate};
use insats_domain::audit::{Action, Entry};
use insats_domain::ids::{AssociationId, Pseudonym, ReviewRunId, Subject, UserId};
use insats_domain::review::engine::{Finding, RuleRun, SubjectFacts};
use insats_domain::review::sample::SampleDraw;
use insats_domain::review::{Item, ItemSource, Period, Run, RunKind};
use insats_store::{Tx, audit, org, people, review};
use rustc_hash::FxHashMap;
use std::hash::{BuildHasher, RandomState};

/// How many of a run's items its report carries (the queue lists them all).
pub const REPORTED_ITEMS: usize = 100;

/// What a run put in the queue.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run: Run,
    /// The run's first items, at most [`REPORTED_ITEMS`]; `run.items` counts them all.
    pub items: Vec<Item>,
}

/// A finding as kept until it is written: its id, run and association come with the write.
fn found(
    source: ItemSource,
    user: Option<UserId>,
    day: NaiveDate,
    entries: Vec<u64>,
    matched: u32,
) -> Item {
    Item {
        id: insats_domain::ids::ReviewItemId(0),
        run: ReviewRunId(0),
        association: AssociationId(0),
        source,
        user,
        day,
        entries,
        matched,
    }
}

fn keep_findings(spill: &mut Spill, findings: Vec<Finding>) -> Result<(), ServiceError> {
    for f in findings {
        spill.push(found(
            ItemSource::Rule(f.rule),
            f.user,
            f.day,
            f.entries,
            f.matched,
        ))?;
    }
    Ok(())
}

/// How many participants' facts a rule run keeps at once; the cache is emptied when full, so
/// its memory stays bounded however long the period.
const FACTS_CACHE: usize = 50_000;

/// The bounds of a period in milliseconds, wide enough for Swedish time (UTC+1 or +2): the
/// engine decides the day of each entry itself.
fn period_ms(period: Period) -> (i64, i64) {
    let ms = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp_millis())
    };
    let from = ms(period.from) - Duration::hours(3).num_milliseconds();
    let to = period.to.succ_opt().map_or(i64::MAX, ms);
    (from, to)
}

/// A surname as compared: the name's last word, lower case, each part of a double name (at
/// least two letters) hashed with the run's own keys. Only these hashes are kept while a run
/// lasts; no name leaves the function.
fn surname_parts(hasher: &RandomState, name: &str) -> Vec<u64> {
    let Some(last) = name.split_whitespace().last() else {
        return Vec::new();
    };
    last.to_lowercase()
        .split('-')
        .filter(|p| p.chars().count() >= 2)
        .map(|p| hasher.hash_one(p))
        .collect()
}

/// What a rule run knows about the participant behind a pseudonym.
#[derive(Debug, Clone)]
struct Known {
    surname: Vec<u64>,
    ended_on: Option<NaiveDate>,
}

impl Session {
    /// Runs the association's review rules over the period (log reviewer): the findings go in
    /// the queue, each linking to its entries. The run, with the rules' parameters, is kept for
    /// the review record and is an audit entry.
    pub fn run_review_rules(
        &self,
        association: Option<AssociationId>,
        period: Period,
    ) -> Result<RunReport, ServiceError> {
        let (a, settings, spill, checked) = {
            let tx = self.service.store().read()?;
            let tx = &*tx;
            let a = self.reviewed_association(tx, association)?;
            let settings = review::settings(tx, a)?.unwrap_or_default();
            let hasher = RandomState::new();
            let users: FxHashMap<UserId, Vec<u64>> = org::users(tx)?
                .into_iter()
                .map(|u| (u.id, surname_parts(&hasher, &u.display_name)))
                .collect();
            let mut known: FxHashMap<Pseudonym, Option<Known>> = FxHashMap::default();
            let mut engine = RuleRun::new(&settings, period);
            let mut spill = Spill::default();
            let (from, to) = period_ms(period);
            audit::stream(tx, from, to, |e: &Entry| -> Result<(), ServiceError> {
                if e.draft.association != Some(a) {
                    return Ok(());
                }
                let facts = match (engine.needs_facts(e), e.draft.subject, e.draft.user) {
                    (true, Some(p), Some(u)) => {
                        if known.len() >= FACTS_CACHE {
                            known.clear();
                        }
                        let k = match known.entry(p) {
                            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                            std::collections::hash_map::Entry::Vacant(v) => {
                                v.insert(self.known(tx, &hasher, p)?)
                            }
                        };
                        k.as_ref().map(|k| SubjectFacts {
                            shares_surname: users
                                .get(&u)
                                .is_some_and(|mine| mine.iter().any(|h| k.surname.contains(h))),
                            ended_on: k.ended_on,
                        })
                    }
                    _ => None,
                };
                engine.feed(e, facts);
                if engine.settled() >= 256 {
                    keep_findings(&mut spill, engine.take_settled())?;
                }
                Ok(())
            })?;
            let (rest, checked) = engine.finish();
            keep_findings(&mut spill, rest)?;
            (a, settings, spill, checked)
        };
        let note = format!("rules {period}: {}", RuleNote(&settings));
        self.keep_run(
            a,
            period,
            RunKind::Rules { settings },
            checked,
            spill,
            &note,
        )
    }

    /// Draws the random sample of the period (log reviewer): `per_user_month` entries per user
    /// and month (the association's setting when `None`) among the views and changes of
    /// personal data, from `seed` (a fresh random one when `None`). The seed is kept with the
    /// run and written to its audit entry, so the draw can be repeated and shown afterwards.
    pub fn draw_review_sample(
        &self,
        association: Option<AssociationId>,
        period: Period,
        per_user_month: Option<u32>,
        seed: Option<u64>,
    ) -> Result<RunReport, ServiceError> {
        let seed = match seed {
            Some(s) => s,
            None => random_seed()?,
        };
        let (a, per, sampled, checked) = {
            let tx = self.service.store().read()?;
            let tx = &*tx;
            let a = self.reviewed_association(tx, association)?;
            let per = per_user_month.unwrap_or(
                review::settings(tx, a)?
                    .unwrap_or_default()
                    .sample_per_user_month,
            );
            let mut draw = SampleDraw::new(seed, per, period);
            let (from, to) = period_ms(period);
            audit::stream(tx, from, to, |e: &Entry| -> Result<(), ServiceError> {
                if e.draft.association == Some(a) {
                    draw.feed(e);
                }
                Ok(())
            })?;
            let (sampled, checked) = draw.finish();
            (a, per, sampled, checked)
        };
        let mut items = Spill::default();
        for s in sampled {
            items.push(found(
                ItemSource::Sample,
                Some(s.user),
                s.day,
                vec![s.seq],
                1,
            ))?;
        }
        let note = format!("sample {period}: seed {seed}, {per} per user and month");
        self.keep_run(
            a,
            period,
            RunKind::Sample {
                seed,
                per_user_month: per,
            },
            checked,
            items,
            &note,
        )
    }

    /// What a rule run needs to know about the participant behind `p` (`None`: not a
    /// participation, or erased).
    fn known(
        &self,
        tx: &impl Tx,
        hasher: &RandomState,
        p: Pseudonym,
    ) -> Result<Option<Known>, ServiceError> {
        let store = self.service.store();
        let Some(Subject::Participation(id)) =
            people::resolve_pseudonym(tx, store.pseudonyms(), p)?
        else {
            return Ok(None);
        };
        let Some(part) = people::participation(tx, id)? else {
            return Ok(None);
        };
        let Some(row) = people::person(tx, part.person)? else {
            return Ok(None);
        };
        let identity = people::unseal_person(store.crypto(), part.person, &row)?;
        Ok(Some(Known {
            surname: surname_parts(hasher, &identity.name),
            ended_on: part.out_date,
        }))
    }

    /// Keeps a run, its items and its audit entry in one write transaction.
    fn keep_run(
        &self,
        a: AssociationId,
        period: Period,
        kind: RunKind,
        checked: u64,
        found: Spill,
        note: &str,
    ) -> Result<RunReport, ServiceError> {
        let count = found.len();
        let tx = self.service.store().write()?;
        let id: ReviewRunId = review::next_run_id(&tx)?;
        let mut items = Vec::with_capacity(REPORTED_ITEMS);
        for item in found.drain()? {
            let item = Item {
                id: review::next_item_id(&tx)?,
                run: id,
                association: a,
                ..item?
            };
            review::put_item(&tx, &item)?;
            if items.len() < REPORTED_ITEMS {
                items.push(item);
            }
        }
        let draft = self.draft(
            Action::ReviewRun,
            Some(a),
            None,
            None,
            &[],
            format!("{id} {note}; {checked} entries checked, {count} items"),
        );
        let entry = self.service.audit_entry(&tx, draft)?;
        let run = Run {
            id,
            association: a,
            period,
            kind,
            by: self.user.id,
            at_ms: entry.at_ms,
            entries_checked: checked,
            items: u32::try_from(count).unwrap_or(u32::MAX),
            audit_seq: entry.seq,
        };
        review::put_run(&tx, &run)?;
        self.service.commit(tx, &[])?;
        Ok(RunReport { run, items })
    }
}

/// A fresh random seed for a sample.
fn random_seed() -> Result<u64, ServiceError> {
    let rng = ring::rand::SystemRandom::new();
    ring::rand::generate::<[u8; 8]>(&rng)
        .map(|r| u64::from_le_bytes(r.expose()))
        .map_err(|_| {
            ServiceError::from(insats_store::StoreError::Crypto(
                insats_store::crypto::CryptoError::Random,
            ))
        })
}

//! Deterministic synthetic people and participations, for the demo database and benchmarks.
//! Every personnummer is fictitious: a birth number in 980–999, the range used for test
//! numbers, with a correct check digit, so it passes every check.

use crate::{ImportOut, ImportRow};
use chrono::{Days, NaiveDate};
use insats_domain::consent::{ConsentEvidence, Signer};
use insats_domain::ids::InterventionId;
use insats_domain::person::{Gender, Identity, MunicipalityCode};
use insats_domain::personnummer::{Personnummer, luhn_check_digit};
use insats_domain::questionnaire::{AnswerValue, Answers, Catalogue, EndReason, QuestionKind};

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub const WOMEN: [&str; 32] = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Åsa", "Ingrid", "Linnéa", "Sofia",
    "Malin", "Elin", "Hanna", "Johanna", "Amira", "Fatima", "Ebba", "Saga", "Maja", "Ida", "Wilma",
    "Astrid", "Märta", "Agnes", "Leila", "Noor", "Zeynep", "Birgitta", "Kerstin", "Signe", "Tove",
];
pub const MEN: [&str; 32] = [
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Mikael", "Björn", "Örjan", "Nils", "Oskar",
    "Lukas", "Elias", "Ahmed", "Mohammed", "Ali", "Gustav", "Axel", "Hugo", "Viktor", "Måns",
    "Sven", "Olle", "Jonas", "Emil", "Hassan", "Yusuf", "Kalle", "Arvid", "Göran", "Leo", "Isak",
];
pub const SURNAMES: [&str; 40] = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Olofsson",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Öberg",
    "Åkesson",
    "Ali",
    "Mohammed",
    "Hussein",
];

/// A fictitious person born on `birth` with birth number `serial` (980–999).
pub fn person(rng: &mut Rng, birth: NaiveDate) -> Option<Identity> {
    let serial = 980 + rng.below(20) as u32;
    let yymmdd = birth.format("%y%m%d").to_string();
    let nine: Vec<u8> = format!("{yymmdd}{serial:03}")
        .bytes()
        .map(|b| b - b'0')
        .collect();
    let check = luhn_check_digit(&nine);
    let text = format!("{}{serial:03}{check}", birth.format("%Y%m%d"));
    let pnr = Personnummer::from_digits12(&text).ok()?;
    let first = match pnr.gender() {
        Gender::Woman => rng.pick(&WOMEN),
        Gender::Man => rng.pick(&MEN),
    };
    let name = format!("{first} {}", rng.pick(&SURNAMES));
    let municipality = MunicipalityCode(*rng.pick(&[
        180u16, 114, 115, 117, 120, 123, 126, 127, 128, 136, 138, 139,
    ]));
    Some(Identity {
        pnr,
        name,
        municipality,
    })
}

/// A random complete answer set valid on `date`.
pub fn answers(rng: &mut Rng, catalogue: &Catalogue, date: NaiveDate) -> Answers {
    let mut a = Answers::new(catalogue.version);
    for q in catalogue.questions_on(date) {
        let value = match q.kind {
            QuestionKind::Single => AnswerValue::One(rng.pick(&q.options).key.clone()),
            QuestionKind::Multi => {
                let mut picked: Vec<String> = Vec::new();
                for _ in 0..=rng.below(2) {
                    let o = rng.pick(&q.options).key.clone();
                    if !q.exclusive.contains(&o) && !picked.contains(&o) {
                        picked.push(o);
                    }
                }
                if picked.is_empty() {
                    picked.push(
                        q.options
                            .iter()
                            .find(|o| !q.exclusive.contains(&o.key))
                            .map_or_else(String::new, |o| o.key.clone()),
                    );
                }
                AnswerValue::Many(picked)
            }
        };
        a.set(&q.key, value);
    }
    a
}

/// Where synthetic participations go: an intervention and the first day it takes people.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub intervention: InterventionId,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// `n` synthetic participations spread over `targets`, none after `today`. About 60% are
/// registered out. People are new for each row unless `repeat_percent` says otherwise.
pub fn rows(
    seed: u64,
    n: usize,
    targets: &[Target],
    catalogue: &Catalogue,
    today: NaiveDate,
) -> impl Iterator<Item = ImportRow> {
    let mut rng = Rng::new(seed);
    let targets = targets.to_vec();
    let catalogue = catalogue.clone();
    let mut used = std::collections::HashSet::new();
    let mut made = 0usize;
    std::iter::from_fn(move || {
        while made < n {
            if let Some(row) = one_row(&mut rng, &targets, &catalogue, today, &mut used) {
                made += 1;
                return Some(row);
            }
        }
        None
    })
}

/// One participation; `None` when the drawn person is already in that intervention (a person
/// may be in several interventions, each participation its own record).
fn one_row(
    rng: &mut Rng,
    targets: &[Target],
    catalogue: &Catalogue,
    today: NaiveDate,
    used: &mut std::collections::HashSet<([u8; 12], u64)>,
) -> Option<ImportRow> {
    {
        let t = *rng.pick(targets);
        let last = t.until.map_or(today, |u| u.min(today));
        let span = (last - t.from).num_days().max(1).cast_unsigned();
        let in_date = t.from.checked_add_days(Days::new(rng.below(span)))?;
        // Adults 18–64 mostly, a few minors of 16–17.
        let age_days = if rng.chance(3) {
            16 * 365 + 30 + rng.below(600)
        } else {
            18 * 366 + rng.below(46 * 365)
        };
        let birth = in_date.checked_sub_days(Days::new(age_days))?;
        let identity = person(rng, birth)?;
        let digits = *identity.pnr.digits12().as_bytes().first_chunk::<12>()?;
        if !used.insert((digits, t.intervention.0)) {
            return None;
        }
        let age = identity.pnr.age_on(in_date);
        let minor = age < 18;
        let signed = in_date.checked_sub_days(Days::new(rng.below(10)))?;
        let consent = ConsentEvidence {
            signed_on: signed,
            signed_by: if minor && rng.chance(50) {
                Signer::Guardian
            } else {
                Signer::Participant
            },
            received_by: (*rng.pick(&["Hanna Berg", "Omar Said", "Lisa Ek", "Per Holm"]))
                .to_owned(),
            original_sent_on: signed
                .checked_add_days(Days::new(rng.below(14)))
                .filter(|d| *d <= today),
            judged_mature: minor,
        };
        let answers_in = answers(rng, catalogue, in_date);
        let out = if rng.chance(60) {
            let out_span = (last - in_date).num_days().max(0).cast_unsigned();
            let date = in_date.checked_add_days(Days::new(rng.below(out_span + 1)))?;
            let reasons = &EndReason::ALL[..EndReason::ALL.len() - 1];
            Some(ImportOut {
                date,
                reason: *rng.pick(reasons),
                answers: Some(answers(rng, catalogue, date)),
            })
        } else {
            None
        };
        Some(ImportRow {
            identity,
            gender: None,
            intervention: t.intervention,
            consent,
            in_date,
            answers_in,
            out,
        })
    }
}

//! The participation record and its summary without answers, and where a participation stands.

use crate::date::{Year, budget_year, days, days_opt};
use crate::ids::{ConsentId, InterventionId, ParticipationId, PersonId, Pseudonym};
use crate::person::Gender;
use crate::questionnaire::{Answers, EndReason};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a participation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    RegisteredIn,
    RegisteredOut,
}

impl State {
    /// A participation is registered out once it has an out-date.
    pub fn of(out_date: Option<NaiveDate>) -> State {
        if out_date.is_some() {
            State::RegisteredOut
        } else {
            State::RegisteredIn
        }
    }

    pub fn label(self, swedish: bool) -> &'static str {
        match (self, swedish) {
            (State::RegisteredIn, true) => "inskriven",
            (State::RegisteredIn, false) => "registered in",
            (State::RegisteredOut, true) => "utskriven",
            (State::RegisteredOut, false) => "registered out",
        }
    }
}

/// Which answer set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Occasion {
    /// At registration in: the situation before.
    In,
    /// At registration out: the situation after.
    Out,
}

/// One participation of a person in an intervention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub id: ParticipationId,
    pub intervention: InterventionId,
    pub person: PersonId,
    pub consent: ConsentId,
    pub pseudonym: Pseudonym,
    pub gender: Gender,
    #[serde(with = "days")]
    pub in_date: NaiveDate,
    pub answers_in: Answers,
    #[serde(with = "days_opt")]
    pub out_date: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub answers_out: Option<Answers>,
    pub consent_withdrawn: bool,
    /// Age in whole years on the in-date (from the personnummer), for follow-up by age group.
    /// Last, so readers of the ids at the front of a stored row are not affected.
    pub age: u8,
}

impl Participation {
    pub fn state(&self) -> State {
        State::of(self.out_date)
    }

    pub fn start_year(&self) -> Year {
        budget_year(self.in_date)
    }
}

/// A participation without its answers: what a list of search hits shows. The answers are
/// shown when the participation is opened (which is audited as a view of its own).
///
/// Stored beside each key of the person index (`store::summary`), without its id, which is in
/// the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationSummary {
    #[serde(skip, default = "no_id")]
    pub id: ParticipationId,
    pub intervention: InterventionId,
    pub gender: Gender,
    #[serde(with = "days")]
    pub in_date: NaiveDate,
    #[serde(with = "days_opt")]
    pub out_date: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub consent_withdrawn: bool,
}

/// The id of a summary read without its key (set from the key right after).
fn no_id() -> ParticipationId {
    ParticipationId(0)
}

impl ParticipationSummary {
    pub fn state(&self) -> State {
        State::of(self.out_date)
    }

    pub fn start_year(&self) -> Year {
        budget_year(self.in_date)
    }
}

impl From<&Participation> for ParticipationSummary {
    fn from(p: &Participation) -> Self {
        ParticipationSummary {
            id: p.id,
            intervention: p.intervention,
            gender: p.gender,
            in_date: p.in_date,
            out_date: p.out_date,
            end_reason: p.end_reason,
            consent_withdrawn: p.consent_withdrawn,
        }
    }
}

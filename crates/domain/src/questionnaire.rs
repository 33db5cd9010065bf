//! The SUS questionnaire: a versioned catalogue of questions (data, not code), the answers a
//! handler gives at registration in (situation *before*) and out (situation *after*), and the
//! result of a participation as the difference between the two answer sets.
//!
//! The default catalogue lives in `catalogue/default.toml` and is embedded at build time. An
//! association may adjust labels and add supplementary questions (*kompletterande frågor*) with a
//! validity period; answers keep the catalogue version they were given under.

mod answers;
mod catalogue;
mod comparison;
pub mod iso_date_opt;
mod load;

pub use answers::{AnswerError, AnswerValue, Answers};
pub use catalogue::{Catalogue, Choice, EndReason, Question, QuestionKind};
pub use comparison::{AnswerChange, compare};
pub use load::CatalogueError;

#[cfg(test)]
mod tests;

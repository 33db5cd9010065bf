//! Queries: what a session may see. Individual data only for assigned participant handlers;
//! opening a participant and searching a personnummer are audited as views.
//!
//! The interventions a session reaches and their participants are in `interventions`, the
//! audited personnummer look-up in `lookup`, the audit log in `audit_log`.

mod audit_log;
mod interventions;
mod lookup;

pub use audit_log::AuditFilter;
pub use interventions::{InterventionView, ParticipantDetail, ParticipantRow, YearFigures};
pub use lookup::LookupHit;

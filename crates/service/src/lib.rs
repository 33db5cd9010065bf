//! Use cases for a signed-in user. Every command and query checks role and assignment, runs the
//! domain rule, writes the change and its audit entry in one redb write transaction, and
//! publishes a change notice for other sessions.

mod admin;
pub mod backup;
mod batch;
mod browse;
mod checkpoint;
mod clock;
mod core;
mod database;
mod directory;
mod erasures;
mod error;
mod import;
mod information;
mod login;
mod policy;
mod query;
mod questions;
mod reason;
mod record;
mod register;
pub mod reports;
mod retention;
mod review;
mod rights;
mod session;
mod signin;
mod standing;
pub mod synth;
mod unlock;
mod unused_consents;

pub use admin::{
    AssociationEdit, AssociationInput, InitInput, InterventionEdit, InterventionInput, PlanInput,
    VolumeInput, parse_year,
};
pub use browse::SwitchTarget;
pub use clock::{Clock, FixedClock, SystemClock};
pub use core::{Notice, NoticeScope, Service};
pub use database::{
    DatabaseError, Holdings, default_journal_path, default_key_path, quiet_panic_hook,
    set_cache_limit, storage_failure,
};
pub use directory::{ChainState, CheckReport};
pub use error::{Lang, RightsError, ServiceError};
pub use import::{ImportOut, ImportReport, ImportRow};
pub use information::Information;
pub use query::{
    AuditFilter, InterventionView, LookupHit, ParticipantDetail, ParticipantRow, YearFigures,
};
pub use questions::parse_questions;
pub use reason::MAX_REASON_CHARS;
pub use record::RecordView;
pub use register::{ConsentInput, IdentityInput, NewRegistration, RegisterInInput};
pub use retention::{
    MIN_RETENTION_YEARS, RETENTION_BATCH, RetentionCount, RetentionReport, RetentionRule,
};
pub use review::{ItemDetail, QueuePage, QueueRow, RecordRun, ReviewRecord, RunReport};
pub use rights::{Extract, ExtractConsent, ExtractEvent, ExtractParticipation, Revealed};
pub use session::Session;
pub use signin::{Refusal, Verdict};
pub use standing::{Revocation, Standing};
pub use unlock::CodeCheck;
pub use unused_consents::{
    UNUSED_CONSENT_DAYS, UnusedConsent, UnusedConsentCount, UnusedConsentReport,
};

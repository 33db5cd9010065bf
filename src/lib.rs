//! insats: register participants in and out of coordinated rehabilitation interventions.
//!
//! The layers are crates of one workspace, imports pointing down only: [`domain`] (pure rules,
//! `crates/domain`) ← the store (redb, `crates/store`) ← [`service`] (use cases with policy and
//! audit, `crates/service`) ← this application: [`ui`], [`server`] and [`cli`]. The application
//! does not depend on the store, so nothing here can read a table past the service.

pub use insats_domain as domain;
pub use insats_service as service;

pub mod cli;
pub mod server;
pub mod ui;

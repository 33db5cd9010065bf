//! insats: register participants in and out of coordinated rehabilitation interventions.
//!
//! Layers, imports pointing down only: [`domain`] (pure rules) ← [`store`] (redb) ←
//! [`service`] (use cases with policy and audit) ← `cli` / the binary.

pub mod cli;
pub mod domain;
pub mod server;
pub mod service;
pub mod store;
pub mod ui;

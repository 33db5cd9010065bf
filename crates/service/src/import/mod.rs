//! Bulk import of participations (moving a register over from another system): every row is
//! checked by the same rules as a registration by hand, the whole import is one write
//! transaction (all or nothing), and the audit log gets one entry per intervention and batch.
//!
//! A million rows take seconds, not minutes, because of how the work is laid out, not because
//! any of it is skipped:
//! - Two threads. This one checks each row against the rules, gives out ids and draws
//!   pseudonyms; a writer thread ([`insats_store::bulk`]) seals new identities, encodes the records and puts
//!   them in their tables (tables of one redb write transaction may be used from several
//!   threads). Chunks of rows go back and forth, so the rows' memory is freed on the thread
//!   that allocated it.
//! - Records go into redb through a cursor, which packs runs of ascending keys into full leaves
//!   instead of descending the tree once per key. Ids are ascending by construction; the
//!   indexes and pseudonyms are collected and go in sorted at the end.
//! - Everything the rules need about the import's own rows is kept in memory (people met, their
//!   earlier participations without answers), so no row reads back what an earlier one wrote.
//!
//! One transaction, not batches: with cursor inserts and nothing read back its cost grows
//! linearly (measured to a million rows; the file's data, ~0.5 GB then, is written and flushed
//! once, at the commit), and it keeps every guarantee without extra machinery. A refused row or any
//! error drops the transaction, so nothing of the import remains; a crash before the single
//! durable commit leaves the database as it was (redb recovers to the last durable commit);
//! other sessions never see half an import, and their writes wait for it instead of
//! interleaving with it.
//!
//! The import as a whole is in `run`, the checking of each row in `check`, and the people met
//! with their earlier participations in `history`.

mod check;
mod history;
mod run;
#[cfg(test)]
mod tests;

pub use run::{ImportOut, ImportReport, ImportRow};

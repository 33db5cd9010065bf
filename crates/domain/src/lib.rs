//! Pure rules of the register: no I/O, no redb, no terminal, no clock reads.

pub mod anonymous;
pub mod audit;
pub mod checkpoint;
pub mod consent;
pub mod date;
pub mod follow_up;
pub mod ids;
pub mod information;
pub mod intervention;
pub mod organisation;
pub mod participation;
pub mod person;
pub mod personnummer;
pub mod planning;
pub mod questionnaire;
pub mod record;
pub mod report;
pub mod review;
pub mod sshkey;
pub mod unlock;
pub mod user;

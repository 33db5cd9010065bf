//! Where sessions run: the transport-agnostic session loop, and the local terminal.

pub mod local;
pub mod paint;
pub mod session;
pub mod ssh;

//! The SSH transport (issue 4): `insats serve` gives every connection its own terminal UI
//! session over the one shared database, signed in by public key.

mod auth;
mod backend;
mod channel;
mod conn;
mod error;
mod failures;
mod handler;
mod hostkey;
mod input;
mod server;
mod shared;
mod source;
mod startups;
mod storage;
mod tty;
mod watch;

pub use backend::{ChannelWriter, ENTER, LEAVE, Out, SshBackend, TermSize};
pub use channel::{Exec, ExecOutput};
pub use error::SshError;
pub use failures::{MAX_ADDRESS_FAILURES, MAX_KEY_FAILURES};
pub use hostkey::path_for as host_key_path;
pub use input::InputParser;
pub use server::{MAX_AUTH_ATTEMPTS, REJECTION_TIME, ServeOptions, Started, serve};
pub use startups::MAX_STARTUPS;

//! The SSH transport (issue 4): `insats serve` gives every connection its own terminal UI
//! session over the one shared database, signed in by public key.

mod backend;
mod channel;
mod error;
mod handler;
mod hostkey;
mod input;
mod limits;
mod server;
mod storage;
mod tty;

pub use backend::{ChannelWriter, ENTER, LEAVE, Out, SshBackend, TermSize};
pub use channel::{Exec, ExecOutput};
pub use error::SshError;
pub use hostkey::path_for as host_key_path;
pub use input::InputParser;
pub use server::{MAX_AUTH_ATTEMPTS, REJECTION_TIME, ServeOptions, serve};

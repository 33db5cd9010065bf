//! The SSH transport (issue 4). So far: terminal bytes from an SSH channel to the same key
//! events the local terminal gives.

mod input;

pub use input::InputParser;

//! Non-interactive commands.

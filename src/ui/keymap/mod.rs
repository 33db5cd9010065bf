//! Keymaps: which key runs which action in which context, loaded from TOML files.

mod error;
mod key;
mod map;

pub use key::{Key, KeyError, KeyName};
pub use map::{Binding, Context, Keymap, KeymapError, Problem, SHIPPED, When};

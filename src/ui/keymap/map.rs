//! Keymaps: TOML files per context, each binding `{ on = "ctrl-r", run = "register_out",
//! desc = "…", when = "registered-in" }`. Shipped keymaps are embedded in the binary; a user's
//! own file names a `base` and overrides part of it. Every problem is an error naming file, line
//! and what is wrong, and no half keymap is ever used.

use super::key::Key;
use crate::ui::action::Action;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Declares the keymap's contexts once: the enum, its list, the section name keymap files use
/// and the file's shape. Adding a pane's context is one line here (and its sections in the
/// shipped keymaps).
macro_rules! contexts {
    ($($(#[$doc:meta])* $variant:ident = $section:ident),* $(,)?) => {
        /// Where a binding applies.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Context {
            $($(#[$doc])* $variant,)*
        }

        impl Context {
            pub const ALL: &'static [Context] = &[$(Context::$variant,)*];

            /// The section name keymap files use (`[participants]`).
            pub fn key(self) -> &'static str {
                match self {
                    $(Context::$variant => stringify!($section),)*
                }
            }
        }

        /// A keymap file: an optional base and one section per context.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Doc {
            base: Option<Spanned<String>>,
            $($section: Option<Section>,)*
        }

        impl Doc {
            fn sections(self) -> (Option<Spanned<String>>, Vec<(Context, Option<Section>)>) {
                (self.base, vec![$((Context::$variant, self.$section),)*])
            }
        }
    };
}

contexts! {
    /// Everywhere, unless the place in focus binds the key itself.
    Global = global,
    Interventions = interventions,
    Participants = participants,
    Audit = audit,
    Form = form,
    Help = help,
    /// Confirmations, the look-up and the role switch.
    Confirm = confirm,
    /// The intervention's consents that no registration uses yet.
    Consents = consents,
    /// The follow-up reports.
    Report = report,
    /// The information to a participant.
    Information = information,
    /// The association's record of processing activities.
    Record = record,
    /// The log reviewer's queue and a finding in it.
    Review = review,
}

/// A condition on the selected row under which a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum When {
    RegisteredIn,
    RegisteredOut,
}

impl When {
    fn parse(text: &str) -> Option<When> {
        match text {
            "registered-in" => Some(When::RegisteredIn),
            "registered-out" => Some(When::RegisteredOut),
            _ => None,
        }
    }
}

/// One binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub desc: String,
    pub when: Option<When>,
}

/// A complete keymap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    pub name: String,
    contexts: BTreeMap<Context, Vec<Binding>>,
}

pub use super::error::{KeymapError, Problem};

/// The shipped keymaps.
pub const SHIPPED: [(&str, &str); 2] = [
    ("default", include_str!("../../../keymaps/default.toml")),
    ("vim", include_str!("../../../keymaps/vim.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    keymap: Vec<Spanned<RawBinding>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    on: Spanned<String>,
    run: Spanned<String>,
    desc: Option<String>,
    when: Option<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

impl Keymap {
    /// Loads a shipped keymap by name (`default`, `vim`) or a file by path.
    pub fn load(spec: &str) -> Result<Keymap, KeymapError> {
        if let Some((name, text)) = SHIPPED.iter().find(|(n, _)| *n == spec) {
            return Keymap::parse(text, name, None);
        }
        let text = std::fs::read_to_string(spec).map_err(|e| KeymapError {
            file: spec.to_owned(),
            line: 0,
            problem: Problem::Unreadable(e.to_string()),
        })?;
        Keymap::parse(&text, spec, Some("default"))
    }

    /// Parses keymap text. A file that is not shipped overrides a base (its `base`, else
    /// `default_base`); a shipped one stands alone.
    pub fn parse(
        text: &str,
        file: &str,
        default_base: Option<&str>,
    ) -> Result<Keymap, KeymapError> {
        let err = |offset: usize, problem: Problem| KeymapError {
            file: file.to_owned(),
            line: line_of(text, offset),
            problem,
        };
        let doc: Doc = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            err(offset, Problem::Toml(e.message().trim().to_owned()))
        })?;
        let (base, sections) = doc.sections();
        let mut keymap = match (&base, default_base) {
            (Some(base), _) => {
                let name = base.get_ref();
                let Some((_, t)) = SHIPPED.iter().find(|(n, _)| n == name) else {
                    return Err(err(base.span().start, Problem::UnknownBase(name.clone())));
                };
                Keymap::parse(t, name, None)?
            }
            (None, Some(name)) => Keymap::load(name)?,
            (None, None) => Keymap {
                name: file.to_owned(),
                contexts: BTreeMap::new(),
            },
        };
        file.clone_into(&mut keymap.name);
        for (context, section) in sections {
            let Some(section) = section else { continue };
            let mut seen: BTreeMap<(Key, Option<When>), usize> = BTreeMap::new();
            for raw in section.keymap {
                let start = raw.span().start;
                let raw = raw.into_inner();
                let key = Key::parse(raw.on.get_ref())
                    .map_err(|e| err(raw.on.span().start, Problem::Key(e)))?;
                let when = match &raw.when {
                    None => None,
                    Some(w) => Some(When::parse(w.get_ref()).ok_or_else(|| {
                        err(
                            w.span().start,
                            Problem::UnknownCondition(w.get_ref().clone()),
                        )
                    })?),
                };
                let line = line_of(text, start);
                if let Some(first) = seen.insert((key, when), line) {
                    return Err(err(
                        start,
                        Problem::BoundTwice {
                            key: key.to_string(),
                            context: context.key(),
                            first,
                        },
                    ));
                }
                let list = keymap.contexts.entry(context).or_default();
                // A user's binding replaces the base's binding of the same key and condition.
                list.retain(|b| !(b.key == key && b.when == when));
                if raw.run.get_ref() == "none" {
                    continue;
                }
                let action = Action::from_key(raw.run.get_ref()).ok_or_else(|| {
                    err(
                        raw.run.span().start,
                        Problem::UnknownAction(raw.run.get_ref().clone()),
                    )
                })?;
                list.push(Binding {
                    key,
                    action,
                    desc: raw.desc.unwrap_or_default(),
                    when,
                });
            }
        }
        Ok(keymap)
    }

    /// The action of a key in a context (falling back to the global bindings), given which
    /// conditions hold for the selected row.
    pub fn resolve(
        &self,
        context: Context,
        key: Key,
        holds: impl Fn(When) -> bool,
    ) -> Option<Action> {
        let find = |c: Context| {
            self.contexts.get(&c).and_then(|list| {
                list.iter()
                    .filter(|b| b.key == key)
                    .find(|b| b.when.is_some_and(&holds))
                    .or_else(|| list.iter().find(|b| b.key == key && b.when.is_none()))
                    .map(|b| b.action)
            })
        };
        find(context).or_else(|| {
            if context == Context::Global {
                None
            } else {
                find(Context::Global)
            }
        })
    }

    /// The action of a key in exactly this context (no global fallback): forms and dialogs
    /// take typed characters before any global binding.
    pub fn resolve_only(&self, context: Context, key: Key) -> Option<Action> {
        self.contexts
            .get(&context)
            .and_then(|list| list.iter().find(|b| b.key == key).map(|b| b.action))
    }

    /// The bindings of a context, in file order (for help and hints).
    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.contexts.get(&context).map_or(&[], Vec::as_slice)
    }

    /// The first key that runs `action` in `context` (or globally), for hints like "Enter open".
    pub fn key_for(&self, context: Context, action: Action) -> Option<Key> {
        self.bindings(context)
            .iter()
            .chain(self.bindings(Context::Global))
            .find(|b| b.action == action)
            .map(|b| b.key)
    }
}

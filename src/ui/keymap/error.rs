//! Why a keymap could not be loaded, in English and Swedish: the file, the line (when there is
//! one) and what is wrong there.

use super::key::KeyError;
use crate::ui::i18n::Lang;

/// A keymap that could not be loaded: file, line (0 when the file could not be read at all)
/// and problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub problem: Problem,
}

/// What is wrong in a keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file could not be read (the system's reason).
    Unreadable(String),
    /// Not TOML, or not a keymap's shape (the TOML reader's words).
    Toml(String),
    UnknownBase(String),
    Key(KeyError),
    UnknownCondition(String),
    BoundTwice {
        key: String,
        context: &'static str,
        first: usize,
    },
    UnknownAction(String),
}

impl KeymapError {
    /// The whole message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let problem = self.problem.text(lang);
        match (lang, self.line) {
            (Lang::En, 0) => format!("keymap {}: {problem}", self.file),
            (Lang::En, line) => format!("keymap {}, line {line}: {problem}", self.file),
            (Lang::Sv, 0) => format!("tangentfilen {}: {problem}", self.file),
            (Lang::Sv, line) => format!("tangentfilen {}, rad {line}: {problem}", self.file),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl Problem {
    /// What is wrong, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        match self {
            Problem::Unreadable(e) if sv => {
                format!("filen kan inte läsas ({e}); inbyggda tangentfiler: default, vim")
            }
            Problem::Unreadable(e) => {
                format!("cannot read the file ({e}); shipped keymaps are: default, vim")
            }
            Problem::Toml(m) if sv => format!("inte en giltig tangentfil (TOML: {m})"),
            Problem::Toml(m) => m.clone(),
            Problem::UnknownBase(n) if sv => {
                format!("okänd grundkarta '{n}'; använd default eller vim")
            }
            Problem::UnknownBase(n) => format!("unknown base keymap '{n}'; use default or vim"),
            Problem::Key(e) if sv => match e {
                KeyError::Empty => "tom tangent".to_owned(),
                KeyError::Unknown(k) => format!("okänt tangentnamn '{k}'"),
                KeyError::Modifier(m) => {
                    format!("okänd modifierare '{m}' (använd ctrl, alt eller shift)")
                }
                KeyError::NotPortable(k) => {
                    format!("'{k}' överlever inte SSH och tmux; välj en annan tangent")
                }
            },
            Problem::Key(e) => e.to_string(),
            Problem::UnknownCondition(c) if sv => {
                format!("okänt villkor '{c}'; använd registered-in eller registered-out")
            }
            Problem::UnknownCondition(c) => {
                format!("unknown condition '{c}'; use registered-in or registered-out")
            }
            Problem::BoundTwice {
                key,
                context,
                first,
            } if sv => format!("{key} är bunden två gånger i [{context}] (första på rad {first})"),
            Problem::BoundTwice {
                key,
                context,
                first,
            } => format!("{key} is bound twice in [{context}] (first on line {first})"),
            Problem::UnknownAction(a) if sv => format!("okänt kommando '{a}'"),
            Problem::UnknownAction(a) => format!("unknown action '{a}'"),
        }
    }
}

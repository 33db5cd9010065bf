//! The record as a TOML file to edit and read back: `[[purpose]]` tables with `sv`, `en`,
//! `legal_basis_sv` and `legal_basis_en`; `[[people]]`, `[[data]]`, `[[recipients]]`,
//! `[[retention]]` and `[[security]]` tables with `sv` and `en`; a `[transfers]` table. A file
//! that is not such a record is refused with its line and key, never its text.

use super::{ProcessingRecord, Purpose, RecordError, Text, TomlProblem};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileText {
    #[serde(default)]
    sv: String,
    #[serde(default)]
    en: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePurpose {
    #[serde(default)]
    sv: String,
    #[serde(default)]
    en: String,
    #[serde(default)]
    legal_basis_sv: String,
    #[serde(default)]
    legal_basis_en: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    purpose: Vec<FilePurpose>,
    #[serde(default)]
    people: Vec<FileText>,
    #[serde(default)]
    data: Vec<FileText>,
    #[serde(default)]
    recipients: Vec<FileText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retention: Vec<FileText>,
    #[serde(default)]
    security: Vec<FileText>,
    #[serde(default)]
    transfers: FileText,
}

fn to_file(t: &Text) -> FileText {
    FileText {
        sv: t.sv.clone(),
        en: t.en.clone(),
    }
}

fn from_file(t: FileText) -> Text {
    Text { sv: t.sv, en: t.en }
}

const HEADER: &str = "\
# The record of processing activities (GDPR art. 30) of one association.
# Each text in Swedish (sv) and English (en); one left empty is shown in the other language.
# [[purpose]]: a purpose and its legal basis (legal_basis_sv, legal_basis_en): the association
# fills in the legal bases. [[people]], [[data]], [[recipients]], [[security]]: one table per
# entry. [[retention]]: the association's own notes; the periods the register keeps data are
# added from the association's settings when the record is shown. [transfers]: to third countries.
# Texts are one line each. Read back with: insats association record F1 --set FILE
";

/// The record as a TOML file, with a comment saying how to edit it.
pub fn to_toml(r: &ProcessingRecord) -> String {
    let file = File {
        purpose: r
            .purposes
            .iter()
            .map(|p| FilePurpose {
                sv: p.purpose.sv.clone(),
                en: p.purpose.en.clone(),
                legal_basis_sv: p.legal_basis.sv.clone(),
                legal_basis_en: p.legal_basis.en.clone(),
            })
            .collect(),
        people: r.people.iter().map(to_file).collect(),
        data: r.data.iter().map(to_file).collect(),
        recipients: r.recipients.iter().map(to_file).collect(),
        retention: r.retention.iter().map(to_file).collect(),
        security: r.security.iter().map(to_file).collect(),
        transfers: to_file(&r.transfers),
    };
    // Strings, vectors and tables of strings always serialise.
    let body = toml::to_string(&file).unwrap_or_default();
    format!("{HEADER}\n{body}")
}

/// Reads a record file and checks it ([`ProcessingRecord::checked`]).
pub fn from_toml(text: &str) -> Result<ProcessingRecord, RecordError> {
    let file: File = toml::from_str(text).map_err(|e| file_error(text, &e))?;
    let record = ProcessingRecord {
        purposes: file
            .purpose
            .into_iter()
            .map(|p| Purpose {
                purpose: Text { sv: p.sv, en: p.en },
                legal_basis: Text {
                    sv: p.legal_basis_sv,
                    en: p.legal_basis_en,
                },
            })
            .collect(),
        people: file.people.into_iter().map(from_file).collect(),
        data: file.data.into_iter().map(from_file).collect(),
        recipients: file.recipients.into_iter().map(from_file).collect(),
        retention: file.retention.into_iter().map(from_file).collect(),
        security: file.security.into_iter().map(from_file).collect(),
        transfers: from_file(file.transfers),
    };
    record.checked()
}

/// The line and place of a TOML error, and what kind it is; none of the file's text.
fn file_error(text: &str, e: &toml::de::Error) -> RecordError {
    let at = e.span().map_or(0, |s| s.start.min(text.len()));
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let key = place(text, line);
    let message = e.message();
    let problem = if message.contains("unknown field") {
        TomlProblem::UnknownKey
    } else if message.contains("missing field") {
        TomlProblem::MissingKey
    } else if message.contains("invalid type") {
        TomlProblem::WrongKind
    } else {
        TomlProblem::Syntax
    };
    RecordError::Toml { line, key, problem }
}

/// The tables a record file has, and the keys inside them.
const SECTIONS: [&str; 7] = [
    "purpose",
    "people",
    "data",
    "recipients",
    "retention",
    "security",
    "transfers",
];
const KEYS: [&str; 4] = ["sv", "en", "legal_basis_sv", "legal_basis_en"];

/// Where line `line` is, as `section.key`, or `section` where its key is not one the record
/// has: only names the record itself uses are repeated, never what the file says (a misspelt
/// key could be anything, a personnummer too).
fn place(text: &str, line: usize) -> Option<String> {
    let mut section = None;
    let mut key = None;
    for (n, l) in text.lines().take(line).enumerate() {
        let t = l.trim();
        if let Some(h) = t.strip_prefix('[') {
            let name = h
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim();
            section = SECTIONS.iter().find(|s| **s == name).copied();
        } else if n + 1 == line {
            let name = t.split('=').next().unwrap_or_default().trim();
            key = KEYS.iter().find(|k| **k == name).copied();
        }
        if n + 1 == line && t.starts_with('[') {
            key = None;
        }
    }
    match (section, key) {
        (Some(s), Some(k)) => Some(format!("{s}.{k}")),
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(k)) => Some(k.to_owned()),
        (None, None) => None,
    }
}

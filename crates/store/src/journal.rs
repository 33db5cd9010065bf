//! The erasure journal (domain.md §10): a short append-only file, apart from the database and
//! its backups, recording every erasure by ids and times only — which participations, consents
//! and persons went, never who they were — so that a restored backup can have every later
//! erasure applied again before anyone opens it.
//!
//! One JSON object a line: a header naming the register it belongs to, then erasures and voids.
//! An erasure is appended and fsync'd *before* its transaction commits; should the commit then
//! fail, a void names it. A crash between the two leaves an erasure that may not have happened:
//! the service voids it on the next open if its records are still there, and a restore applies
//! each step only to what is still present, so applying one twice changes nothing. A line cut
//! short by a crash while it was written is dropped (its erasure was never committed).

use insats_domain::ids::{ConsentId, ParticipationId, PersonId};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The journal that belongs to a database when none is named: `<db>.erasures` beside it.
pub fn default_path(db: &Path) -> PathBuf {
    let mut name = db
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".erasures");
    db.with_file_name(name)
}

/// What kind of erasure a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Misregistration,
    ProtectedIdentity,
    RetentionPurge,
    /// A handler removed a consent no registration used.
    UnusedConsentRemoved,
    /// Retention purged consents no registration used.
    UnusedConsentPurge,
    /// A withdrawal of consent voided the person's unused consents.
    ConsentWithdrawn,
}

/// One thing an erasure did, to be done again where its record is still present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The participation was deleted (a misregistration).
    Erase(ParticipationId),
    /// The participation was deleted and counted as one anonymous participant.
    Anonymise(ParticipationId),
    DeleteConsent(ConsentId),
    /// The person was deleted if nothing referred to them any more.
    PersonIfUnreferenced(PersonId),
    /// Protected identity: every participation of the person made anonymous, their consents
    /// and the person deleted.
    ProtectPerson(PersonId),
}

/// An erasure as the journal keeps it. `n` is its line number (the header is line 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub n: u64,
    pub at_ms: i64,
    pub kind: Kind,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Line {
    Journal {
        version: u32,
        register: String,
        created_ms: i64,
    },
    Erasure(Erasure),
    /// The erasure on line `record` did not commit.
    Void {
        n: u64,
        at_ms: i64,
        record: u64,
    },
}

/// What can go wrong with the journal. Messages name the file and line, never personal data.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("erasure journal {path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error(
        "erasure journal {path} is damaged at line {line}; restore it from a copy or move it away (erasures it recorded would then be lost to restores)"
    )]
    Damaged { path: PathBuf, line: u64 },
    #[error(
        "erasure journal {path} belongs to another register (it was made for another key file)"
    )]
    OtherRegister { path: PathBuf },
    #[error("erasure journal {path} not found")]
    Missing { path: PathBuf },
}

/// A journal read whole: its header and every erasure that was not voided, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub register: String,
    pub created_ms: i64,
    pub erasures: Vec<Erasure>,
    /// Lines in the file (header included), not counting a line cut short.
    pub lines: u64,
    /// Bytes of the whole lines.
    complete_len: u64,
}

/// Reads a journal (a restore reads the live one while the server may append to it).
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => f.read_to_end(&mut bytes).map_err(io(path))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(JournalError::Missing {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(io(path)(e)),
    };
    parse(path, &bytes)
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Contents, JournalError> {
    let damaged = |line| JournalError::Damaged {
        path: path.to_owned(),
        line,
    };
    let mut header = None;
    let mut erasures: Vec<Erasure> = Vec::new();
    let mut n = 0u64;
    let mut complete_len = 0u64;
    let mut rest = bytes;
    while let Some(end) = rest.iter().position(|b| *b == b'\n') {
        let line: Line = serde_json::from_slice(&rest[..end]).map_err(|_| damaged(n))?;
        match (n, line) {
            (
                0,
                Line::Journal {
                    version: 1,
                    register,
                    created_ms,
                },
            ) => header = Some((register, created_ms)),
            (k, Line::Erasure(e)) if k > 0 && e.n == k => erasures.push(e),
            (k, Line::Void { n: v, record, .. }) if k > 0 && v == k && record < k => {
                erasures.retain(|e| e.n != record);
            }
            _ => return Err(damaged(n)),
        }
        n += 1;
        complete_len += end as u64 + 1;
        rest = &rest[end + 1..];
    }
    // What follows the last newline is a line cut short by a crash: its erasure never
    // committed. (An empty file is a journal whose header was never finished.)
    let (register, created_ms) = header.ok_or_else(|| damaged(0))?;
    Ok(Contents {
        register,
        created_ms,
        erasures,
        lines: n,
        complete_len,
    })
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> JournalError + '_ {
    move |e| JournalError::Io {
        path: path.to_owned(),
        detail: e.to_string(),
    }
}

/// The journal open for appending, by the process that owns the database.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The next line's number.
    next: u64,
    /// The length of the whole lines: an append that fails is cut back to it.
    len: u64,
    /// The newest erasure not voided, if it is the last line (see [`Journal::last_open`]).
    last: Option<Erasure>,
}

impl Journal {
    /// Opens the journal at `path`, creating it (with its header, fsync'd) when there is none.
    /// Refuses a journal made for another register; drops a last line cut short by a crash.
    pub fn open(path: &Path, register: &str, now_ms: i64) -> Result<Journal, JournalError> {
        if !path.exists() {
            create(path, register, now_ms)?;
        }
        let contents = read(path)?;
        if contents.register != register {
            return Err(JournalError::OtherRegister {
                path: path.to_owned(),
            });
        }
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io(path))?;
        let actual = file.metadata().map_err(io(path))?.len();
        if actual != contents.complete_len {
            file.set_len(contents.complete_len).map_err(io(path))?;
            file.sync_data().map_err(io(path))?;
        }
        let last = contents
            .erasures
            .last()
            .filter(|e| e.n + 1 == contents.lines)
            .cloned();
        Ok(Journal {
            path: path.to_owned(),
            file,
            next: contents.lines,
            len: contents.complete_len,
            last,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The erasure on the journal's last line, not voided: the only one whose commit a crash
    /// can have cut off. The service voids it when its records are still in the database.
    pub fn last_open(&self) -> Option<&Erasure> {
        self.last.as_ref()
    }

    /// Appends an erasure and makes it durable; returns its line number (for [`Journal::void`]).
    pub fn append(
        &mut self,
        at_ms: i64,
        kind: Kind,
        steps: Vec<Step>,
    ) -> Result<u64, JournalError> {
        let n = self.next;
        self.write(&Line::Erasure(Erasure {
            n,
            at_ms,
            kind,
            steps,
        }))?;
        Ok(n)
    }

    /// Records that the erasure on line `record` did not commit.
    pub fn void(&mut self, record: u64, at_ms: i64) -> Result<(), JournalError> {
        let n = self.next;
        self.write(&Line::Void { n, at_ms, record })?;
        if self.last.as_ref().is_some_and(|e| e.n == record) {
            self.last = None;
        }
        Ok(())
    }

    fn write(&mut self, line: &Line) -> Result<(), JournalError> {
        let mut bytes = serde_json::to_vec(line).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            detail: e.to_string(),
        })?;
        bytes.push(b'\n');
        let written = self
            .file
            .write_all(&bytes)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Cut a partial line back off, so the next append starts on a line of its own.
            let _ = self.file.set_len(self.len);
            return Err(io(&self.path)(e));
        }
        self.len += bytes.len() as u64;
        self.next += 1;
        self.last = match line {
            Line::Erasure(e) => Some(e.clone()),
            _ => None,
        };
        Ok(())
    }
}

/// Writes a new journal's header under a temporary name and renames it into place, so a crash
/// never leaves a journal without its header; then makes the folder entry durable.
fn create(path: &Path, register: &str, now_ms: i64) -> Result<(), JournalError> {
    let mut bytes = serde_json::to_vec(&Line::Journal {
        version: 1,
        register: register.to_owned(),
        created_ms: now_ms,
    })
    .map_err(|e| JournalError::Io {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    bytes.push(b'\n');
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp).map_err(io(path))?;
    f.write_all(&bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(path))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io(path))?;
    sync_dir(path).map_err(io(path))
}

/// Makes a new or renamed entry in `path`'s folder durable.
pub fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
#[path = "journal/tests.rs"]
mod tests;

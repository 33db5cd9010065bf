//! Taking a backup while the register runs: one read snapshot copied table by table into an
//! unnamed temporary database (gone with the process, whatever happens), the snapshot let go,
//! then the copy encrypted to the backup recipients and written out. Writers only ever wait
//! for each other: a read transaction does not block them, and nothing here writes to the live
//! database but the audit entry at the end.

use super::format::{Header, write_header};
use super::{BackupError, Progress, Recipients};
use crate::core::Service;
use crate::error::DENIED_ADMIN;
use crate::{ServiceError, Session};
use insats_domain::audit::{Action, Draft};
use insats_domain::user::Role;
use insats_store::{backup, schema};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a backup wrote: its header (when, which point, counts) and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub header: Header,
    /// Bytes written (encrypted).
    pub bytes: u64,
    pub took: Duration,
}

impl Session {
    /// Writes a backup of the whole register to `out`, encrypted to `recipients` (or, when
    /// `None`, to those the server was started with), and records it in the audit log
    /// (system administrator).
    pub fn backup(
        &self,
        recipients: Option<&Recipients>,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupReport, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let recipients = self.service.recipients(recipients)?;
        let report = self.service.write_backup(&recipients, out, progress)?;
        let draft = self.draft(Action::Backup, None, None, None, &[], note(&report, ""));
        self.service.audit_backup(draft)?;
        Ok(report)
    }

    /// [`Session::backup`] into the file `path`: written under a temporary name beside it and
    /// renamed when complete, so a backup cut short never has the final name.
    pub fn backup_to_file(
        &self,
        recipients: Option<&Recipients>,
        path: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupReport, ServiceError> {
        self.require(Role::SystemAdmin, DENIED_ADMIN)?;
        let recipients = self.service.recipients(recipients)?;
        let report = write_atomically(path, |out| {
            self.service.write_backup(&recipients, out, progress)
        })?;
        let draft = self.draft(Action::Backup, None, None, None, &[], note(&report, ""));
        self.service.audit_backup(draft)?;
        Ok(report)
    }
}

impl Service {
    /// The recipients backups taken through this server are encrypted to (`serve
    /// --backup-recipient`). Set once, at start.
    pub fn set_backup_recipients(&self, recipients: Recipients) {
        let _ = self.inner.backup_recipients.set(recipients);
    }

    /// The recipients a backup is encrypted to: those given, else those the server was started
    /// with, else those in the file beside the database ([`recipients_path`]).
    pub(crate) fn recipients(
        &self,
        given: Option<&Recipients>,
    ) -> Result<Recipients, ServiceError> {
        if let Some(r) = given.or_else(|| self.inner.backup_recipients.get()) {
            return Ok(r.clone());
        }
        let file = recipients_path(self.store().path());
        if file.exists() {
            return Ok(Recipients::load(&[], std::slice::from_ref(&file))?);
        }
        Err(BackupError::NoRecipient.into())
    }

    /// Whether backups can be encrypted (recipients given at start, or the file beside the
    /// database): checked when a schedule starts, so a missing key is found at once.
    pub fn backup_recipients(&self) -> Result<Recipients, ServiceError> {
        self.recipients(None)
    }

    /// The audit entry of a backup, in a commit of its own.
    pub(crate) fn audit_backup(&self, draft: Draft) -> Result<(), ServiceError> {
        let tx = self.store().write()?;
        self.audit(&tx, draft)?;
        self.commit(tx, &[])
    }

    /// Copies a snapshot and writes it, encrypted, to `out` (no role check, no audit entry).
    pub(crate) fn write_backup(
        &self,
        recipients: &Recipients,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupReport, ServiceError> {
        let started = Instant::now();
        let store = self.store();
        let dir = folder_of(store.path());
        let scratch = tempfile::tempfile_in(&dir)
            .map_err(BackupError::io("cannot create a temporary file in", &dir))?;
        let mut copy = scratch
            .try_clone()
            .map_err(BackupError::io("cannot create a temporary file in", &dir))?;
        let mut header = {
            let snapshot = store.snapshot()?;
            let taken_ms = self.clock().now_ms();
            let counts = backup::counts(&snapshot)?;
            let db = backup::scratch_database(scratch)?;
            backup::copy_all(&snapshot, &db, &mut |rows| {
                progress(Progress::Copying {
                    rows,
                    of: counts.rows,
                });
            })?;
            Header {
                register: store.register_id(),
                taken_ms,
                audit_seq: counts.audit_seq,
                schema: schema::SCHEMA_VERSION,
                participations: counts.participations,
                persons: counts.persons,
                consents: counts.consents,
                rows: counts.rows,
                db_len: 0,
                demo: store.is_demo(),
            }
            // The copy's database and the snapshot end here: the reader gate is free again.
        };
        let read_err = BackupError::io("cannot read the temporary copy in", &dir);
        header.db_len = copy.seek(std::io::SeekFrom::End(0)).map_err(read_err)?;
        copy.rewind()
            .map_err(BackupError::io("cannot read the temporary copy in", &dir))?;
        let mut counted = Counted { out, bytes: 0 };
        let write_err = |e: std::io::Error| BackupError::Io {
            what: "cannot write",
            path: PathBuf::from("the backup"),
            detail: e.to_string(),
        };
        let mut sealed = recipients
            .encryptor()?
            .wrap_output(&mut counted)
            .map_err(write_err)?;
        write_header(&mut sealed, &header).map_err(write_err)?;
        let mut buf = vec![0u8; 1 << 20];
        let mut done = 0u64;
        loop {
            let n = copy
                .read(&mut buf)
                .map_err(BackupError::io("cannot read the temporary copy in", &dir))?;
            if n == 0 {
                break;
            }
            sealed.write_all(&buf[..n]).map_err(write_err)?;
            done += n as u64;
            progress(Progress::Writing {
                bytes: done,
                of: header.db_len,
            });
        }
        sealed.finish().map_err(write_err)?;
        let bytes = counted.bytes;
        Ok(BackupReport {
            header,
            bytes,
            took: started.elapsed(),
        })
    }
}

/// The file of backup recipients beside a database, read when no recipient is given:
/// `<db>.backup-recipients`, one age public key (age1…) a line, as `age -R` reads them.
pub fn recipients_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".backup-recipients");
    PathBuf::from(name)
}

/// The audit note of a backup: the point it was taken at, counts and size (no personal data).
pub(crate) fn note(report: &BackupReport, prefix: &str) -> String {
    let h = &report.header;
    format!(
        "{prefix}snapshot at audit entry {}: {} participations, {} persons, {} consents; {} bytes encrypted",
        h.audit_seq, h.participations, h.persons, h.consents, report.bytes
    )
}

/// The folder a file is in (`.` for a bare name).
pub(crate) fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The temporary name a file is written under: `.NAME.partial` beside it.
pub(crate) fn partial_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes a file under its temporary name (mode 0600), makes it durable and renames it to
/// `path`, then makes the rename durable. On failure the temporary file is removed; a crash
/// leaves at most the temporary file, never a file with the final name.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    let tmp = partial_path(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&tmp)
        .map_err(BackupError::io("cannot create", &tmp))?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 20, file);
    let finished = write(&mut buffered).and_then(|value| {
        let file = buffered
            .into_inner()
            .map_err(|e| BackupError::io("cannot write", &tmp)(e.into_error()))?;
        file.sync_all()
            .map_err(BackupError::io("cannot write", &tmp))?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(BackupError::io("cannot rename", &tmp))?;
        insats_store::journal::sync_dir(path).map_err(BackupError::io("cannot write", path))?;
        Ok(value)
    });
    if finished.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    finished
}

/// A writer that counts what passes through it.
struct Counted<'a> {
    out: &'a mut dyn Write,
    bytes: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

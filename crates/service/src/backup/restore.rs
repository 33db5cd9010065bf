//! Restoring a backup, and the drill that does the same into a temporary place. The backup is
//! decrypted into an unnamed temporary file (gone with the process, whatever happens); the
//! erasure journal is applied to it; the result is copied table by table into a fresh file
//! under a temporary name — so no byte of an erased record is in it — which is checked
//! (indexes, counters, the audit chain, no journalled erasure left undone) and only then
//! linked to the path asked for. Nobody can open a restored register before its erasures are
//! applied again.

use super::format::{Header, read_header};
use super::reapply::{Reapplied, still_present};
use super::take::folder_of;
use super::{BackupError, Progress, keys};
use crate::core::Service;
use crate::{ServiceError, SystemClock};
use insats_domain::audit::{Action, Draft};
use insats_domain::checkpoint::Checkpoint;
use insats_store::journal::{self, JournalError};
use insats_store::{Store, audit, backup, check};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a restore or drill reads.
#[derive(Debug, Clone, Copy)]
pub struct RestoreOptions<'a> {
    /// The backup file.
    pub backup: &'a Path,
    /// The age identity file whose key opens it (kept off the server).
    pub identity: &'a Path,
    /// The register's field key file (a backup does not hold it).
    pub key: &'a Path,
    /// The erasure journal to apply; `None` when the administrator said it is lost.
    pub journal: Option<&'a Path>,
    /// Checkpoints of the audit chain kept off the server (`audit checkpoint`): each one up to
    /// the backup's point must be in the restored log, entry for entry; later ones are counted.
    pub checkpoints: &'a [Checkpoint],
}

/// What a restore or drill found and did. Counts and times only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// When and of what the backup was taken.
    pub header: Header,
    /// Whether an erasure journal was applied.
    pub journal_used: bool,
    /// Erasures the journal recorded after the backup was taken.
    pub journal_after: u64,
    /// What applying the journal changed.
    pub reapplied: Reapplied,
    /// What the restored register holds.
    pub participations: u64,
    pub persons: u64,
    pub consents: u64,
    pub audit_entries: u64,
    /// Checkpoints found in the restored log, and those taken after the backup (not in it).
    pub checkpoints_held: u64,
    pub checkpoints_after: u64,
    pub took: Duration,
}

/// Restores `opts.backup` to the new file `to` (refusing one that exists) and checks it.
pub fn restore(
    opts: &RestoreOptions<'_>,
    to: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<RestoreReport, ServiceError> {
    if to.exists() {
        return Err(BackupError::TargetExists {
            path: to.to_owned(),
        }
        .into());
    }
    let dir = folder_of(to);
    let tmp = restoring_path(to);
    // Left by a restore that a crash cut short: already applied, but never checked.
    let _ = std::fs::remove_file(&tmp);
    let report = restore_into(opts, &dir, &tmp, progress).and_then(|r| {
        hand_over(&tmp, to)?;
        Ok(r)
    });
    let _ = std::fs::remove_file(&tmp);
    report
}

/// Does everything a restore does into a temporary folder inside `work` (default: the
/// backup's own folder), removed afterwards: nothing live is opened or changed.
pub fn drill(
    opts: &RestoreOptions<'_>,
    work: Option<&Path>,
    progress: &mut dyn FnMut(Progress),
) -> Result<RestoreReport, ServiceError> {
    let base = work.map_or_else(|| folder_of(opts.backup), Path::to_path_buf);
    let dir = tempfile::Builder::new()
        .prefix(".insats-drill-")
        .tempdir_in(&base)
        .map_err(BackupError::io(
            "cannot create a temporary folder in",
            &base,
        ))?;
    let tmp = dir.path().join("restored.redb");
    restore_into(opts, dir.path(), &tmp, progress)
}

/// The temporary name of a restored file until it is checked: `NAME.restoring` beside it.
fn restoring_path(to: &Path) -> PathBuf {
    let mut name = to.as_os_str().to_owned();
    name.push(".restoring");
    PathBuf::from(name)
}

/// Gives the checked file its name, never over an existing file, durably.
fn hand_over(tmp: &Path, to: &Path) -> Result<(), ServiceError> {
    match std::fs::hard_link(tmp, to) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::TargetExists {
                path: to.to_owned(),
            }
            .into());
        }
        // A file system without hard links: rename, having looked first.
        Err(_) if !to.exists() => {
            std::fs::rename(tmp, to).map_err(BackupError::io("cannot rename", tmp))?;
        }
        Err(e) => return Err(BackupError::io("cannot create", to)(e).into()),
    }
    journal::sync_dir(to).map_err(BackupError::io("cannot write", to))?;
    Ok(())
}

fn restore_into(
    opts: &RestoreOptions<'_>,
    dir: &Path,
    tmp: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<RestoreReport, ServiceError> {
    let started = Instant::now();
    let journal = match opts.journal {
        Some(path) => Some(journal::read(path).map_err(|e| match e {
            JournalError::Missing { path } => BackupError::JournalMissing { path },
            other => BackupError::Journal(other),
        })?),
        None => None,
    };
    let (header, scratch) = decrypt(opts, dir, progress)?;
    if journal
        .as_ref()
        .is_some_and(|j| j.register != header.register)
    {
        return Err(BackupError::OtherRegister.into());
    }
    let erasures = journal.map(|j| j.erasures).unwrap_or_default();
    let journal_after = erasures
        .iter()
        .filter(|e| e.at_ms >= header.taken_ms)
        .count() as u64;

    // Apply the journal to the decrypted copy, and record the restore in its log.
    let store = Store::open_copy(scratch, opts.backup, opts.key)?;
    let service = Service::with_parts(store, Box::new(SystemClock), None);
    progress(Progress::Reapplying);
    let reapplied = service.reapply(&erasures)?;
    let tx = service.store().write()?;
    service.audit(
        &tx,
        restore_entry(&header, opts.journal.is_some(), &reapplied),
    )?;
    service.commit(tx, &[])?;

    // A fresh copy of its tables under the temporary name.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).read(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(tmp)
        .map_err(BackupError::io("cannot create", tmp))?;
    {
        let db = redb::Database::create(tmp).map_err(|e| insats_store::StoreError::Db(e.into()))?;
        let snapshot = service.store().read()?;
        let of = backup::counts(&snapshot)?.rows;
        backup::copy_all(&snapshot, &db, &mut |rows| {
            progress(Progress::Copying { rows, of });
        })?;
    }
    drop(service);

    // The file handed over is the one checked.
    progress(Progress::Checking);
    let store = Store::open(tmp, Some(opts.key))?;
    let tx = store.read()?;
    let failed = |detail: String| -> ServiceError { BackupError::CheckFailed { detail }.into() };
    let problems = check::check(&tx)?;
    if let Some(first) = problems.first() {
        return Err(failed(format!(
            "{} index problems, the first: {first}",
            problems.len()
        )));
    }
    if let Err(b) = audit::verify(&*tx, store.crypto())? {
        return Err(failed(format!("audit chain: {b}")));
    }
    let (checkpoints_held, checkpoints_after) =
        held_checkpoints(&*tx, opts.checkpoints, header.audit_seq).map_err(failed)?;
    let left = still_present(&*tx, &erasures)?;
    if left > 0 {
        return Err(failed(format!("{left} erased records still present")));
    }
    let counts = backup::counts(&tx)?;
    Ok(RestoreReport {
        header,
        journal_used: opts.journal.is_some(),
        journal_after,
        reapplied,
        participations: counts.participations,
        persons: counts.persons,
        consents: counts.consents,
        audit_entries: counts.audit_seq,
        checkpoints_held,
        checkpoints_after,
        took: started.elapsed(),
    })
}

/// Proves that the restored log holds every checkpoint up to the backup's point `upto` (the
/// same MAC and time at the same sequence number): a backup whose log was rewritten by someone
/// holding the key file fails here. Returns how many were held and how many came after.
fn held_checkpoints(
    tx: &impl insats_store::Tx,
    checkpoints: &[Checkpoint],
    upto: u64,
) -> Result<(u64, u64), String> {
    let (mut held, mut after) = (0, 0);
    for c in checkpoints {
        if c.seq > upto {
            after += 1;
            continue;
        }
        let entry = audit::entry(tx, c.seq).map_err(|e| e.to_string())?;
        if !entry.is_some_and(|e| c.matches(e.seq, e.at_ms, &e.mac)) {
            return Err(format!(
                "the log does not hold the checkpointed entry {}: it was rewritten at or before it",
                c.seq
            ));
        }
        held += 1;
    }
    Ok((held, after))
}

/// Decrypts the backup: its header, and its database in an unnamed temporary file in `dir`.
fn decrypt(
    opts: &RestoreOptions<'_>,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Header, File), ServiceError> {
    let path = opts.backup;
    let damaged = |detail: String| BackupError::NotABackup {
        path: path.to_owned(),
        detail,
    };
    let identities = keys::identities(opts.identity)?;
    let file = File::open(path).map_err(BackupError::io("cannot read", path))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| damaged(e.to_string()))?;
    let mut plain = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BackupError::WrongIdentity,
            other => damaged(other.to_string()),
        })?;
    let header = read_header(&mut plain, path)?;
    let scratch = tempfile::tempfile_in(dir)
        .map_err(BackupError::io("cannot create a temporary file in", dir))?;
    let copy = scratch
        .try_clone()
        .map_err(BackupError::io("cannot create a temporary file in", dir))?;
    let mut out = BufWriter::with_capacity(1 << 20, copy);
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    while done < header.db_len {
        let want = usize::try_from(header.db_len - done).map_or(buf.len(), |n| n.min(buf.len()));
        let n = plain
            .read(&mut buf[..want])
            .map_err(|e| damaged(e.to_string()))?;
        if n == 0 {
            return Err(damaged("cut short".into()).into());
        }
        out.write_all(&buf[..n])
            .map_err(BackupError::io("cannot write a temporary file in", dir))?;
        done += n as u64;
        progress(Progress::Decrypting {
            bytes: done,
            of: header.db_len,
        });
    }
    // Nothing may follow, and reading to the end authenticates the stream's last chunk.
    match plain.read(&mut buf[..1]) {
        Ok(0) => {}
        Ok(_) => return Err(damaged("bytes after the database".into()).into()),
        Err(e) => return Err(damaged(e.to_string()).into()),
    }
    out.flush()
        .map_err(BackupError::io("cannot write a temporary file in", dir))?;
    Ok((header, scratch))
}

/// The restored register's own record of the restore.
fn restore_entry(header: &Header, journal: bool, r: &Reapplied) -> Draft {
    let taken = chrono::DateTime::from_timestamp_millis(header.taken_ms)
        .map_or_else(String::new, |t| {
            t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        });
    let journal = if journal {
        format!(
            "{} erasures from the erasure journal applied again ({} participations, {} consents, {} persons)",
            r.erasures, r.participations, r.consents, r.persons
        )
    } else {
        "restored without an erasure journal (the administrator said it was lost)".to_owned()
    };
    Draft {
        user: None,
        role: None,
        session: 0,
        association: None,
        intervention: None,
        subject: None,
        action: Action::Restore,
        fields: Vec::new(),
        note: format!(
            "restored from the backup taken {taken} (audit entry {}); {journal}",
            header.audit_seq
        ),
    }
}

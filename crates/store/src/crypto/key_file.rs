//! The key file: generating, writing and reading the three keys, and its text format.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};

use super::{Crypto, CryptoError};

/// First line of every key file.
pub(super) const HEADER: &str = "insats-key v1";
/// Length of each key in bytes.
const KEY_LEN: usize = 32;
/// A valid key file is a few hundred bytes; never read more than this.
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;
/// Permission bits for a new key file: owner read/write only.
const KEY_FILE_MODE: u32 = 0o600;

/// The raw key bytes. Overwritten with zeros on drop (best effort).
pub(super) struct RawKeys {
    pub(super) enc: [u8; KEY_LEN],
    pub(super) index: [u8; KEY_LEN],
    pub(super) audit: [u8; KEY_LEN],
}

impl RawKeys {
    /// The key file text. The caller zeroes the buffer when done.
    fn to_text(&self) -> Vec<u8> {
        let mut text = Vec::with_capacity(320);
        text.extend_from_slice(HEADER.as_bytes());
        text.extend_from_slice(
            b"\n# insats key file: keep it secret and back it up; without it the names and \
              personnummer in the database cannot be read.\n",
        );
        for (name, key) in [
            ("enc", &self.enc),
            ("index", &self.index),
            ("audit", &self.audit),
        ] {
            text.extend_from_slice(name.as_bytes());
            text.push(b' ');
            push_hex(&mut text, key);
            text.push(b'\n');
        }
        text
    }
}

impl Drop for RawKeys {
    fn drop(&mut self) {
        self.enc.fill(0);
        self.index.fill(0);
        self.audit.fill(0);
        std::hint::black_box(&self.enc);
        std::hint::black_box(&self.index);
        std::hint::black_box(&self.audit);
    }
}

/// The three keys of an `insats` database: `enc` (field encryption),
/// `index` (blind index for personnummer look-ups) and `audit` (audit log
/// HMAC chain).
pub struct KeyFile {
    pub(super) keys: RawKeys,
    crypto: Crypto,
}

impl fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFile")
            .field("keys", &"<redacted>")
            .finish()
    }
}

impl KeyFile {
    /// Generates three fresh random keys.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Random`] if the system random number generator fails.
    pub fn generate() -> Result<KeyFile, CryptoError> {
        let rng = SystemRandom::new();
        let mut keys = RawKeys {
            enc: [0; KEY_LEN],
            index: [0; KEY_LEN],
            audit: [0; KEY_LEN],
        };
        for key in [&mut keys.enc, &mut keys.index, &mut keys.audit] {
            rng.fill(key).map_err(|_| CryptoError::Random)?;
        }
        // Building the keys only fails for a wrong key length, which the
        // types rule out.
        let crypto = Crypto::from_keys(&keys, rng).map_err(|_| CryptoError::Random)?;
        Ok(KeyFile { keys, crypto })
    }

    /// Generates fresh keys and writes them to a new key file at `path`,
    /// created with mode 0600, written fully and flushed to disk together
    /// with its folder entry.
    ///
    /// # Errors
    ///
    /// [`CryptoError::KeyExists`] if anything already exists at `path` (it
    /// is never overwritten), [`CryptoError::KeyWrite`] if the file cannot be
    /// written (a partly written file is removed again),
    /// [`CryptoError::Random`] if no random keys can be generated.
    pub fn create(path: &Path) -> Result<KeyFile, CryptoError> {
        let key_file = Self::generate()?;
        let mut text = key_file.keys.to_text();
        let written = write_new_file(path, &text);
        text.fill(0);
        std::hint::black_box(&text);
        written?;
        Ok(key_file)
    }

    /// Reads the key file at `path`.
    ///
    /// # Errors
    ///
    /// [`CryptoError::KeyMissing`] if there is no file,
    /// [`CryptoError::KeyUnreadable`] if it cannot be read,
    /// [`CryptoError::KeyPermissions`] if group or others have any access to
    /// it, [`CryptoError::KeyMalformed`] with the 1-based line of the first
    /// problem if it is not a valid key file.
    pub fn load(path: &Path) -> Result<KeyFile, CryptoError> {
        let unreadable = |source| CryptoError::KeyUnreadable {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => CryptoError::KeyMissing {
                path: path.to_path_buf(),
            },
            _ => unreadable(source),
        })?;
        // Check the opened file itself, not the path, so nothing can be
        // swapped in between the check and the read.
        let metadata = file.metadata().map_err(unreadable)?;
        if !metadata.is_file() {
            return Err(unreadable(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(CryptoError::KeyPermissions {
                path: path.to_path_buf(),
                mode,
            });
        }

        let mut bytes = Vec::with_capacity(512);
        let read = file
            .take(MAX_KEY_FILE_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable);
        let parsed = read.and_then(|_| parse_key_file(path, &bytes));
        bytes.fill(0);
        std::hint::black_box(&bytes);
        let keys = parsed?;

        let crypto = Crypto::from_keys(&keys, SystemRandom::new()).map_err(|_| {
            CryptoError::KeyMalformed {
                path: path.to_path_buf(),
                line: 1,
            }
        })?;
        Ok(KeyFile { keys, crypto })
    }

    /// The cipher and MAC operations for these keys. Cheap: the returned
    /// value shares the prepared keys.
    #[must_use]
    pub fn crypto(&self) -> Crypto {
        self.crypto.clone()
    }
}

/// Creates `path` (which must not exist) with mode 0600, writes `data`,
/// fsyncs the file and its folder. Removes the file again on failure.
fn write_new_file(path: &Path, data: &[u8]) -> Result<(), CryptoError> {
    let write_error = |source| CryptoError::KeyWrite {
        path: path.to_path_buf(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(KEY_FILE_MODE)
        .open(path)
        .map_err(|source| match source.kind() {
            io::ErrorKind::AlreadyExists => CryptoError::KeyExists {
                path: path.to_path_buf(),
            },
            _ => write_error(source),
        })?;
    let written = file.write_all(data).and_then(|()| file.sync_all());
    drop(file);
    let synced = written.and_then(|()| {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(dir).and_then(|dir| dir.sync_all())
    });
    if let Err(source) = synced {
        // Leave nothing half-done behind: a retry would otherwise hit
        // KeyExists on a file that may not hold the keys.
        let _ = fs::remove_file(path);
        return Err(write_error(source));
    }
    Ok(())
}

/// Parses the key file text. Reports the 1-based line of the first problem;
/// missing keys are reported at the line after the last one.
fn parse_key_file(path: &Path, bytes: &[u8]) -> Result<RawKeys, CryptoError> {
    let malformed = |line| CryptoError::KeyMalformed {
        path: path.to_path_buf(),
        line,
    };
    if bytes.len() as u64 > MAX_KEY_FILE_LEN {
        let line = bytes.split(|&b| b == b'\n').count();
        return Err(malformed(line));
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);

    let mut enc = None;
    let mut index = None;
    let mut audit = None;
    let mut last_line = 0;
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        last_line = line_no;
        let line = std::str::from_utf8(raw).map_err(|_| malformed(line_no))?;
        let content = line
            .split_once('#')
            .map_or(line, |(before, _)| before)
            .trim_end_matches([' ', '\t']);
        if line_no == 1 {
            if content != HEADER {
                return Err(malformed(line_no));
            }
            continue;
        }
        if content.is_empty() {
            continue;
        }
        let (name, hex) = content.split_once(' ').ok_or_else(|| malformed(line_no))?;
        let slot = match name {
            "enc" => &mut enc,
            "index" => &mut index,
            "audit" => &mut audit,
            _ => return Err(malformed(line_no)),
        };
        if slot.is_some() {
            return Err(malformed(line_no));
        }
        *slot = Some(decode_hex_key(hex).ok_or_else(|| malformed(line_no))?);
    }
    match (enc, index, audit) {
        (Some(enc), Some(index), Some(audit)) => Ok(RawKeys { enc, index, audit }),
        _ => Err(malformed(last_line + 1)),
    }
}

pub(super) fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0f)]);
    }
}

pub(super) fn decode_hex_key(hex: &str) -> Option<[u8; KEY_LEN]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let hex = hex.as_bytes();
    if hex.len() != 2 * KEY_LEN {
        return None;
    }
    let mut key = [0; KEY_LEN];
    for (byte, pair) in key.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(key)
}

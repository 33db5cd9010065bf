//! Protection of personal data at rest.
//!
//! Names and personnummer are encrypted field by field (ChaCha20-Poly1305)
//! with a key that lives in a key file outside the database. Look-ups by
//! personnummer go through a keyed hash (HMAC-SHA256, the "blind index") so
//! the plain number never appears in the database file, and the audit log is
//! chained with HMAC-SHA256 under a third, separate key.
//!
//! Key file format (text):
//!
//! ```text
//! insats-key v1
//! # comments start with '#', here or at the end of a line
//! enc <64 hex digits>
//! index <64 hex digits>
//! audit <64 hex digits>
//! ```
//!
//! No key bytes or plaintext ever appear in an error message or in `Debug`
//! output.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::digest;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// First line of every key file.
const HEADER: &str = "insats-key v1";
/// Length of each key in bytes.
const KEY_LEN: usize = 32;
/// Length of the random nonce that prefixes every sealed value.
const NONCE_LEN: usize = aead::NONCE_LEN;
/// Length of the authentication tag that ends every sealed value.
const TAG_LEN: usize = 16;
/// A valid key file is a few hundred bytes; never read more than this.
const MAX_KEY_FILE_LEN: u64 = 64 * 1024;
/// Nonces drawn from the system generator at a time (one `getrandom` call instead of one per
/// sealed field; a bulk import seals three fields per new person).
const NONCES_PER_DRAW: usize = 256;
/// Label authenticated by every key to build [`Crypto::key_check`].
const KEY_CHECK_LABEL: &[u8] = b"insats key-check v1\0";
/// Permission bits for a new key file: owner read/write only.
const KEY_FILE_MODE: u32 = 0o600;

/// Errors from key handling and from sealing/opening stored data.
///
/// No variant carries key bytes or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "key file {} not found: the database's names and personnummer cannot be read without it; \
         pass --key PATH or restore it from backup",
        path.display()
    )]
    KeyMissing { path: PathBuf },

    #[error(
        "key file {} already exists; refusing to overwrite it, since a database encrypted with \
         the old key would become unreadable; choose another path",
        path.display()
    )]
    KeyExists { path: PathBuf },

    #[error(
        "key file {} could not be read; check that it is a regular file and that the user \
         running insats may read it",
        path.display()
    )]
    KeyUnreadable { path: PathBuf, source: io::Error },

    #[error(
        "key file {} is malformed at line {line}: expected the `{HEADER}` format; \
         restore the key file from backup",
        path.display()
    )]
    KeyMalformed { path: PathBuf, line: usize },

    #[error(
        "key file {} is readable by others (mode {mode:o}); run chmod 600 {}",
        path.display(),
        path.display()
    )]
    KeyPermissions { path: PathBuf, mode: u32 },

    #[error(
        "key file {} could not be written; check that its folder exists and is writable and \
         that the disk is not full",
        path.display()
    )]
    KeyWrite { path: PathBuf, source: io::Error },

    #[error(
        "the operating system's random number generator failed; try again, and check the \
         system's entropy source if it keeps failing"
    )]
    Random,

    #[error("stored data could not be decrypted: wrong key file or damaged database")]
    Decrypt,
}

/// The raw key bytes. Overwritten with zeros on drop (best effort).
struct RawKeys {
    enc: [u8; KEY_LEN],
    index: [u8; KEY_LEN],
    audit: [u8; KEY_LEN],
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
    keys: RawKeys,
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

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0f)]);
    }
}

fn decode_hex_key(hex: &str) -> Option<[u8; KEY_LEN]> {
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

struct CryptoInner {
    aead: LessSafeKey,
    index: hmac::Key,
    audit: hmac::Key,
    check: [u8; 32],
    rng: SystemRandom,
    nonces: Mutex<NoncePool>,
}

/// Random nonces fetched from the system generator in blocks. Each nonce is 12 fresh bytes
/// from the operating system's CSPRNG, handed out once and never reused: as unique and as
/// unpredictable as one `fill` per nonce, at a fraction of the system calls.
struct NoncePool {
    bytes: [u8; NONCE_LEN * NONCES_PER_DRAW],
    /// Bytes handed out so far; the pool is refilled when all are.
    used: usize,
}

impl NoncePool {
    fn empty() -> Self {
        NoncePool {
            bytes: [0; NONCE_LEN * NONCES_PER_DRAW],
            used: NONCE_LEN * NONCES_PER_DRAW,
        }
    }

    fn take(&mut self, rng: &SystemRandom) -> Result<[u8; NONCE_LEN], CryptoError> {
        if self.used == self.bytes.len() {
            rng.fill(&mut self.bytes).map_err(|_| CryptoError::Random)?;
            self.used = 0;
        }
        let mut nonce = [0; NONCE_LEN];
        nonce.copy_from_slice(&self.bytes[self.used..self.used + NONCE_LEN]);
        self.used += NONCE_LEN;
        Ok(nonce)
    }
}

/// Field encryption, blind index and audit MAC with the keys of a
/// [`KeyFile`]. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Crypto {
    inner: Arc<CryptoInner>,
}

impl fmt::Debug for Crypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crypto")
            .field("aead", &"CHACHA20_POLY1305")
            .field("index", &"HMAC_SHA256")
            .field("audit", &"HMAC_SHA256")
            .field("keys", &"<redacted>")
            .finish()
    }
}

impl Crypto {
    fn from_keys(keys: &RawKeys, rng: SystemRandom) -> Result<Crypto, ring::error::Unspecified> {
        let aead = LessSafeKey::new(UnboundKey::new(&aead::CHACHA20_POLY1305, &keys.enc)?);
        let index = hmac::Key::new(hmac::HMAC_SHA256, &keys.index);
        let audit = hmac::Key::new(hmac::HMAC_SHA256, &keys.audit);

        // Each key authenticates the label; the three tags are hashed
        // together so one value detects a wrong key of any kind.
        let enc_as_mac = hmac::Key::new(hmac::HMAC_SHA256, &keys.enc);
        let mut combined = digest::Context::new(&digest::SHA256);
        combined.update(KEY_CHECK_LABEL);
        for (name, key) in [
            (&b"enc"[..], &enc_as_mac),
            (b"index", &index),
            (b"audit", &audit),
        ] {
            let mut ctx = hmac::Context::with_key(key);
            ctx.update(KEY_CHECK_LABEL);
            ctx.update(name);
            combined.update(ctx.sign().as_ref());
        }
        let check = to_array(combined.finish().as_ref());

        Ok(Crypto {
            inner: Arc::new(CryptoInner {
                aead,
                index,
                audit,
                check,
                rng,
                nonces: Mutex::new(NoncePool::empty()),
            }),
        })
    }

    /// Encrypts `plaintext` bound to `aad` (e.g. table, column and record
    /// id, so a value cannot be moved to another place unnoticed). Returns
    /// `nonce (12 bytes) || ciphertext || tag (16 bytes)`; the nonce is
    /// random, so sealing the same value twice gives different output.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Random`] if the random number generator fails.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        // A poisoned lock still holds a consistent pool: `take` cannot panic between handing
        // out bytes and counting them.
        let nonce = self
            .inner
            .nonces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(&self.inner.rng)?;
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        // Sealing only fails for inputs over 256 GiB, which no field is.
        let tag = self
            .inner
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut out[NONCE_LEN..],
            )
            .map_err(|_| CryptoError::Decrypt)?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Decrypts a value made by [`Crypto::seal`] with the same `aad`.
    ///
    /// # Errors
    ///
    /// [`CryptoError::Decrypt`] if the value is too short, was changed,
    /// was sealed with another key or another `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (nonce, rest) = sealed
            .split_first_chunk::<NONCE_LEN>()
            .ok_or(CryptoError::Decrypt)?;
        if rest.len() < TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        let mut out = rest.to_vec();
        let len = self
            .inner
            .aead
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut out,
            )
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// Keyed hash (HMAC-SHA256 with the index key) for look-ups: equal
    /// input gives equal output under one key file, and the input cannot be
    /// recovered or guessed from it without the key.
    #[must_use]
    pub fn blind_index(&self, data: &[u8]) -> [u8; 32] {
        to_array(hmac::sign(&self.inner.index, data).as_ref())
    }

    /// HMAC-SHA256 with the audit key, for the audit log chain.
    #[must_use]
    pub fn audit_mac(&self, data: &[u8]) -> [u8; 32] {
        to_array(hmac::sign(&self.inner.audit, data).as_ref())
    }

    /// A value derived from all three keys, stored in the database when it
    /// is created so that opening it with the wrong key file is detected.
    /// Reveals nothing about the keys.
    #[must_use]
    pub fn key_check(&self) -> [u8; 32] {
        self.inner.check
    }
}

/// Copies a SHA-256 sized output into an array (always 32 bytes here).
fn to_array(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    let n = bytes.len().min(32);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        push_hex(&mut out, bytes);
        String::from_utf8(out).unwrap()
    }

    fn key_text(enc: &str, index: &str, audit: &str) -> String {
        format!("{HEADER}\nenc {enc}\nindex {index}\naudit {audit}\n")
    }

    const K1: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const K2: &str = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    const K3: &str = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

    /// Writes `text` to a fresh file with the given mode and loads it.
    fn load_text(text: &str, mode: u32) -> (tempfile::TempDir, Result<KeyFile, CryptoError>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("insats.key");
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let result = KeyFile::load(&path);
        (dir, result)
    }

    fn malformed_line(text: &str) -> usize {
        match load_text(text, 0o600).1 {
            Err(CryptoError::KeyMalformed { line, .. }) => line,
            other => panic!("expected KeyMalformed, got {other:?}"),
        }
    }

    fn crypto() -> Crypto {
        KeyFile::generate().unwrap().crypto()
    }

    #[test]
    fn crypto_is_send_sync_and_clone() {
        fn assert_traits<T: Send + Sync + Clone>() {}
        assert_traits::<Crypto>();
    }

    #[test]
    fn seal_open_round_trip() {
        let c = crypto();
        for plain in [
            &b""[..],
            b"Anna Svensson",
            "Åsa Öberg".as_bytes(),
            &[0u8; 1000],
        ] {
            let sealed = c.seal(plain, b"participant.name:42").unwrap();
            assert_eq!(sealed.len(), NONCE_LEN + plain.len() + TAG_LEN);
            assert_eq!(c.open(&sealed, b"participant.name:42").unwrap(), plain);
        }
    }

    #[test]
    fn seal_clone_shares_keys() {
        let c = crypto();
        let sealed = c.seal(b"19121212-1212", b"").unwrap();
        assert_eq!(c.clone().open(&sealed, b"").unwrap(), b"19121212-1212");
    }

    #[test]
    fn tampered_byte_fails_to_open() {
        let c = crypto();
        let sealed = c.seal(b"Anna Svensson", b"aad").unwrap();
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(matches!(c.open(&bad, b"aad"), Err(CryptoError::Decrypt)));
        }
    }

    #[test]
    fn too_short_fails_to_open() {
        let c = crypto();
        let sealed = c.seal(b"", b"").unwrap();
        assert_eq!(sealed.len(), NONCE_LEN + TAG_LEN);
        for len in 0..sealed.len() {
            assert!(matches!(
                c.open(&sealed[..len], b""),
                Err(CryptoError::Decrypt)
            ));
        }
    }

    #[test]
    fn wrong_aad_fails_to_open() {
        let c = crypto();
        let sealed = c.seal(b"Anna Svensson", b"participant.name:1").unwrap();
        assert!(matches!(
            c.open(&sealed, b"participant.name:2"),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn other_key_fails_to_open() {
        let sealed = crypto().seal(b"Anna Svensson", b"aad").unwrap();
        assert!(matches!(
            crypto().open(&sealed, b"aad"),
            Err(CryptoError::Decrypt)
        ));
    }

    #[test]
    fn same_plaintext_seals_differently() {
        let c = crypto();
        let a = c.seal(b"Anna Svensson", b"aad").unwrap();
        let b = c.seal(b"Anna Svensson", b"aad").unwrap();
        assert_ne!(a, b);
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
    }

    #[test]
    fn nonces_stay_unique_across_pool_refills_and_clones() {
        let c = crypto();
        let other = c.clone();
        let mut seen = std::collections::HashSet::new();
        for i in 0..NONCES_PER_DRAW * 3 + 7 {
            let who = if i % 2 == 0 { &c } else { &other };
            let sealed = who.seal(b"x", b"aad").unwrap();
            assert!(seen.insert(sealed[..NONCE_LEN].to_vec()), "nonce reused");
            assert_eq!(who.open(&sealed, b"aad").unwrap(), b"x");
        }
    }

    #[test]
    fn blind_index_deterministic_per_key_and_differs_across_keys() {
        let c = crypto();
        let other = crypto();
        let pnr = b"191212121212";
        assert_eq!(c.blind_index(pnr), c.clone().blind_index(pnr));
        assert_ne!(c.blind_index(pnr), c.blind_index(b"191212121213"));
        assert_ne!(c.blind_index(pnr), other.blind_index(pnr));
        // The index and audit keys are separate.
        assert_ne!(c.blind_index(pnr), c.audit_mac(pnr));
        assert_eq!(c.audit_mac(pnr), c.audit_mac(pnr));
    }

    #[test]
    fn blind_index_matches_hmac_sha256() {
        let (_dir, key_file) = load_text(&key_text(K1, K2, K3), 0o600);
        let c = key_file.unwrap().crypto();
        let key = hmac::Key::new(hmac::HMAC_SHA256, &decode_hex_key(K2).unwrap());
        assert_eq!(c.blind_index(b"x"), hmac::sign(&key, b"x").as_ref());
        let key = hmac::Key::new(hmac::HMAC_SHA256, &decode_hex_key(K3).unwrap());
        assert_eq!(c.audit_mac(b"x"), hmac::sign(&key, b"x").as_ref());
    }

    #[test]
    fn key_check_differs_when_any_key_differs() {
        let (_d, base) = load_text(&key_text(K1, K2, K3), 0o600);
        let base = base.unwrap().crypto().key_check();
        for text in [
            key_text(K3, K2, K3),
            key_text(K1, K3, K3),
            key_text(K1, K2, K2),
            key_text(K2, K1, K3),
        ] {
            let (_d, other) = load_text(&text, 0o600);
            assert_ne!(other.unwrap().crypto().key_check(), base);
        }
        let (_d, same) = load_text(&key_text(K1, K2, K3), 0o600);
        assert_eq!(same.unwrap().crypto().key_check(), base);
    }

    #[test]
    fn create_writes_mode_0600_and_load_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("insats.key");
        let created = KeyFile::create(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600);
        let loaded = KeyFile::load(&path).unwrap();
        assert_eq!(created.crypto().key_check(), loaded.crypto().key_check());
        let sealed = created.crypto().seal(b"Anna", b"aad").unwrap();
        assert_eq!(loaded.crypto().open(&sealed, b"aad").unwrap(), b"Anna");
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("insats-key v1\n"));
        assert!(text.contains(&format!("enc {}\n", hex(&created.keys.enc))));
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("insats.key");
        let first = KeyFile::create(&path).unwrap();
        let before = fs::read(&path).unwrap();
        match KeyFile::create(&path) {
            Err(CryptoError::KeyExists { path: p }) => assert_eq!(p, path),
            other => panic!("expected KeyExists, got {other:?}"),
        }
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(
            KeyFile::load(&path).unwrap().crypto().key_check(),
            first.crypto().key_check()
        );
    }

    #[test]
    fn create_in_missing_folder_is_key_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir").join("insats.key");
        assert!(matches!(
            KeyFile::create(&path),
            Err(CryptoError::KeyWrite { .. })
        ));
    }

    #[test]
    fn load_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.key");
        match KeyFile::load(&path) {
            Err(e @ CryptoError::KeyMissing { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(&*path.to_string_lossy()), "{msg}");
                assert!(msg.contains("--key PATH"), "{msg}");
            }
            other => panic!("expected KeyMissing, got {other:?}"),
        }
    }

    #[test]
    fn load_group_or_other_accessible_file() {
        for mode in [0o644, 0o640, 0o604, 0o610, 0o601] {
            match load_text(&key_text(K1, K2, K3), mode).1 {
                Err(e @ CryptoError::KeyPermissions { .. }) => {
                    let CryptoError::KeyPermissions { mode: got, .. } = e else {
                        unreachable!()
                    };
                    assert_eq!(got, mode);
                    assert!(e.to_string().contains(&format!("mode {mode:o}")));
                    assert!(e.to_string().contains("chmod 600"));
                }
                other => panic!("expected KeyPermissions for {mode:o}, got {other:?}"),
            }
        }
        assert!(load_text(&key_text(K1, K2, K3), 0o400).1.is_ok());
    }

    #[test]
    fn load_directory_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        assert!(matches!(
            KeyFile::load(dir.path()),
            Err(CryptoError::KeyUnreadable { .. })
        ));
    }

    #[test]
    fn load_accepts_comments_blank_lines_and_no_trailing_newline() {
        let text = format!(
            "{HEADER} # v1\n# comment\n\naudit {K3}   # audit key\nenc {}\t\nindex {K2}",
            K1.to_uppercase()
        );
        let (_d, loaded) = load_text(&text, 0o600);
        let (_d, plain) = load_text(&key_text(K1, K2, K3), 0o600);
        assert_eq!(
            loaded.unwrap().crypto().key_check(),
            plain.unwrap().crypto().key_check()
        );
    }

    #[test]
    fn load_bad_header() {
        assert_eq!(
            malformed_line(&key_text(K1, K2, K3).replacen("v1", "v2", 1)),
            1
        );
        assert_eq!(malformed_line(&format!("# c\n{}", key_text(K1, K2, K3))), 1);
        assert_eq!(malformed_line(""), 1);
        assert_eq!(malformed_line("\n"), 1);
    }

    #[test]
    fn load_bad_hex() {
        let bad = K2.replacen('2', "g", 1);
        assert_eq!(malformed_line(&key_text(K1, &bad, K3)), 3);
        let bad = K1.replacen('0', "é", 1);
        assert_eq!(malformed_line(&key_text(K1, K2, &bad[..64])), 4);
    }

    #[test]
    fn load_short_hex() {
        assert_eq!(malformed_line(&key_text(&K1[..62], K2, K3)), 2);
        assert_eq!(malformed_line(&key_text(K1, K2, &format!("{K3}00"))), 4);
        assert_eq!(malformed_line(&key_text(K1, "", K3)), 3);
    }

    #[test]
    fn load_unknown_line() {
        let text = format!("{HEADER}\nenc {K1}\ncolour {K2}\nindex {K2}\naudit {K3}\n");
        assert_eq!(malformed_line(&text), 3);
        let text = format!("{HEADER}\nenc {K1}\nindex {K2}\naudit {K3}\nstray\n");
        assert_eq!(malformed_line(&text), 5);
        let text = format!("{HEADER}\n enc {K1}\nindex {K2}\naudit {K3}\n");
        assert_eq!(malformed_line(&text), 2);
        let text = format!("{HEADER}\nenc  {K1}\nindex {K2}\naudit {K3}\n");
        assert_eq!(malformed_line(&text), 2);
    }

    #[test]
    fn load_duplicate_key_line() {
        let text = format!("{HEADER}\nenc {K1}\nindex {K2}\nenc {K1}\naudit {K3}\n");
        assert_eq!(malformed_line(&text), 4);
    }

    #[test]
    fn load_missing_audit_line() {
        let text = format!("{HEADER}\nenc {K1}\nindex {K2}\n");
        assert_eq!(malformed_line(&text), 4);
        let text = format!("{HEADER}\nenc {K1}\nindex {K2}");
        assert_eq!(malformed_line(&text), 4);
        let text = format!("{HEADER}\nenc {K1}\nindex {K2}\n# end\n");
        assert_eq!(malformed_line(&text), 5);
        assert_eq!(malformed_line(&format!("{HEADER}\n")), 2);
    }

    #[test]
    fn load_oversized_file_is_malformed() {
        let text = format!("{}{}", key_text(K1, K2, K3), "#\n".repeat(40_000));
        assert!(malformed_line(&text) > 4);
    }

    #[test]
    fn debug_and_errors_show_no_key_bytes() {
        let (_d, key_file) = load_text(&key_text(K1, K2, K3), 0o600);
        let key_file = key_file.unwrap();
        let generated = KeyFile::generate().unwrap();
        let mut outputs = vec![
            format!("{key_file:?}"),
            format!("{key_file:#?}"),
            format!("{:?}", key_file.crypto()),
            format!("{:#?}", key_file.crypto()),
            format!("{generated:?}"),
            format!("{:?}", generated.crypto()),
        ];
        let bad = key_text(K1, K2, &K3[..60]);
        let err = load_text(&bad, 0o600).1.unwrap_err();
        outputs.push(format!("{err:?}"));
        outputs.push(err.to_string());
        let err = load_text(&key_text(K1, K2, K3), 0o644).1.unwrap_err();
        outputs.push(format!("{err:?}"));
        outputs.push(err.to_string());
        let err = key_file.crypto().open(&[0; 40], b"").unwrap_err();
        outputs.push(format!("{err:?}"));

        let mut secrets = Vec::new();
        for keys in [&key_file.keys, &generated.keys] {
            for key in [&keys.enc, &keys.index, &keys.audit] {
                secrets.push(hex(key));
                secrets.push(hex(key).to_uppercase());
                secrets.push(hex(&key[..8]));
                secrets.push(format!("{:?}", &key[..8]));
                secrets.push(format!("{:x?}", &key[..8]));
            }
        }
        for output in &outputs {
            for secret in &secrets {
                assert!(!output.contains(secret.as_str()), "{output} leaks {secret}");
            }
        }
    }

    /// Not a benchmark, just a guard against gross slowness:
    /// `cargo test --release -- --ignored --nocapture seal_speed`.
    #[test]
    #[ignore = "timing; run in release"]
    fn seal_speed() {
        let c = crypto();
        let start = std::time::Instant::now();
        let mut total = 0;
        for i in 0u32..1_000_000 {
            let sealed = c.seal(b"Anna-Karin Svensson", &i.to_le_bytes()).unwrap();
            total += sealed.len();
            total += usize::from(c.blind_index(&i.to_le_bytes())[0]);
        }
        println!("1e6 seal + blind_index: {:?} ({total})", start.elapsed());
    }
}

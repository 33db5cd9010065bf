//! The server's ed25519 host key: made on first start, kept beside the database as
//! `<db>.hostkey` (mode 0600, OpenSSH format), read on every later start.

use super::error::SshError;
use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};
use std::path::{Path, PathBuf};

/// Where the host key of the database at `db` lives.
pub fn path_for(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".hostkey");
    PathBuf::from(p)
}

fn err(path: &Path, detail: impl std::fmt::Display) -> SshError {
    SshError::HostKey {
        path: path.to_owned(),
        detail: detail.to_string(),
    }
}

/// Reads the host key at `path`, or makes a new one there if there is no file yet.
pub fn load_or_create(path: &Path) -> Result<PrivateKey, SshError> {
    match std::fs::read_to_string(path) {
        Ok(text) => PrivateKey::from_openssh(text.as_bytes()).map_err(|e| err(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(err(path, e)),
    }
}

fn create(path: &Path) -> Result<PrivateKey, SshError> {
    let rng = ring::rand::SystemRandom::new();
    let seed: [u8; 32] = ring::rand::generate(&rng)
        .map(ring::rand::Random::expose)
        .map_err(|_| err(path, "no randomness for a new key"))?;
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    let text = key.to_openssh(LineEnding::LF).map_err(|e| err(path, e))?;
    write_private(path, text.as_bytes()).map_err(|e| err(path, e))?;
    Ok(key)
}

/// Writes a new file readable by its owner only; an existing file is never overwritten.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// The key's SHA-256 fingerprint as `ssh-keygen -l` and the OpenSSH client print it.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_host_key_is_made_once_with_mode_0600_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("office.redb"));
        assert!(path.ends_with("office.redb.hostkey"));
        let first = load_or_create(&path).unwrap();
        let again = load_or_create(&path).unwrap();
        assert_eq!(fingerprint(&first), fingerprint(&again));
        assert!(fingerprint(&first).starts_with("SHA256:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(load_or_create(&path).is_err());
    }
}

//! Backup keys for tests: an age X25519 key pair made here, its identity file on disk (as
//! `age-keygen` writes one), and decryption of what a backup wrote.

use age::secrecy::ExposeSecret;
use insats::service::backup::Recipients;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub struct BackupKeys {
    identity: age::x25519::Identity,
    /// The identity file (AGE-SECRET-KEY-1…).
    pub identity_file: PathBuf,
    /// The public key (age1…).
    pub recipient: String,
}

impl BackupKeys {
    pub fn new(dir: &Path) -> BackupKeys {
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        let identity_file = dir.join("backup-identity.txt");
        std::fs::write(
            &identity_file,
            format!(
                "# public key: {recipient}\n{}\n",
                identity.to_string().expose_secret()
            ),
        )
        .unwrap();
        BackupKeys {
            identity,
            identity_file,
            recipient,
        }
    }

    pub fn recipients(&self) -> Recipients {
        Recipients::load(&[self.recipient.clone()], &[]).unwrap()
    }

    /// The plaintext of an age file encrypted to this key.
    pub fn decrypt(&self, sealed: &[u8]) -> Vec<u8> {
        let d = age::Decryptor::new(sealed).unwrap();
        let mut r = d
            .decrypt(std::iter::once(&self.identity as &dyn age::Identity))
            .unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        out
    }
}

/// An age identity that is not the backup's.
pub fn other_identity(dir: &Path) -> PathBuf {
    let other = age::x25519::Identity::from_str(
        age::x25519::Identity::generate()
            .to_string()
            .expose_secret(),
    )
    .unwrap();
    let path = dir.join("other-identity.txt");
    std::fs::write(&path, format!("{}\n", other.to_string().expose_secret())).unwrap();
    path
}

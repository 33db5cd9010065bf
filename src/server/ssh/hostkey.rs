//! The server's ed25519 host key: made on first start, kept beside the database as
//! `<db>.hostkey` (mode 0600, OpenSSH format), read on every later start. A missing file means a
//! new key (which `serve` reports loudly: clients that knew the old one will warn); a file that
//! cannot be read or is not a usable key stops the server with what to do, and is never
//! replaced.

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

/// The host key, and whether it was made just now (there was no file).
#[derive(Debug)]
pub struct HostKey {
    pub key: PrivateKey,
    pub made: bool,
}

/// Reads the host key at `path`, or makes a new one there if there is no file yet.
pub fn load_or_create(path: &Path) -> Result<HostKey, SshError> {
    match std::fs::read(path) {
        Ok(bytes) => read(path, &bytes).map(|key| HostKey { key, made: false }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create(path).map(|key| HostKey { key, made: true })
        }
        Err(e) => Err(SshError::HostKeyUnreadable {
            path: path.to_owned(),
            detail: e.to_string(),
        }),
    }
}

fn read(path: &Path, bytes: &[u8]) -> Result<PrivateKey, SshError> {
    let key = PrivateKey::from_openssh(bytes).map_err(|e| SshError::HostKeyMalformed {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    if key.is_encrypted() {
        return Err(SshError::HostKeyEncrypted {
            path: path.to_owned(),
        });
    }
    Ok(key)
}

fn create(path: &Path) -> Result<PrivateKey, SshError> {
    let err = |detail: String| SshError::HostKeyCreate {
        path: path.to_owned(),
        detail,
    };
    let rng = ring::rand::SystemRandom::new();
    let seed: [u8; 32] = ring::rand::generate(&rng)
        .map(ring::rand::Random::expose)
        .map_err(|_| err("no randomness for a new key".into()))?;
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| err(e.to_string()))?;
    write_private(path, text.as_bytes()).map_err(|e| err(e.to_string()))?;
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
        assert!(first.made && !again.made);
        assert_eq!(fingerprint(&first.key), fingerprint(&again.key));
        assert!(fingerprint(&first.key).starts_with("SHA256:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    /// An ed25519 key made by `ssh-keygen -N secret` (a throwaway).
    const LOCKED: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABDwEbc/aq
paUez2orN9d4XqAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIIsDC74cuN4EYVLQ
IwMwW8AnrfoeI9WOTyOH/TkXwVXMAAAAkHfMN9pOKeqLs2b/jDN0p8baORqT0IOyqeMyHi
UtXNEesLw2XGvn3dnpHKRZ7sIBzUgFyvuMeEXwONZDeRgDdTd/0Az0I1OC+/pM68oxjUXo
xsK3+Xl7bQidKdzQI4b8Owpgn5MhVHXycPDCMyCcE16CqvOvJr7QOdRF3JLn9bxJx86sJK
ej95rCGVeoPUDeRQ==
-----END OPENSSH PRIVATE KEY-----
";

    #[test]
    fn a_broken_host_key_is_named_with_what_to_do_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.redb.hostkey");
        for broken in [
            &b"not a key"[..],
            b"",
            b"\xff\xfe binary",
            b"ssh-ed25519 AAAAC3Nz public",
        ] {
            std::fs::write(&path, broken).unwrap();
            let e = load_or_create(&path).unwrap_err();
            assert!(matches!(e, SshError::HostKeyMalformed { .. }), "{e:?}");
            let en = e.message(crate::service::Lang::En);
            assert!(en.contains(&path.display().to_string()), "{en}");
            assert!(en.contains("restore it from the backup"), "{en}");
            assert!(en.contains("move the file away"), "{en}");
            let sv = e.message(crate::service::Lang::Sv);
            assert!(sv.contains("flytta undan filen"), "{sv}");
            assert_eq!(
                std::fs::read(&path).unwrap(),
                broken,
                "the file is left as it was"
            );
        }
        // A folder where the file should be: it cannot be read, and says so.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        let e = load_or_create(&path).unwrap_err();
        assert!(matches!(e, SshError::HostKeyUnreadable { .. }), "{e:?}");
        let en = e.message(crate::service::Lang::En);
        assert!(en.starts_with("cannot read the host key"), "{en}");
        assert!(en.contains("the service user"), "{en}");
        // A key with a passphrase the server cannot ask for.
        std::fs::remove_dir(&path).unwrap();
        std::fs::write(&path, LOCKED).unwrap();
        let e = load_or_create(&path).unwrap_err();
        assert!(matches!(e, SshError::HostKeyEncrypted { .. }), "{e:?}");
        assert!(e.to_string().contains("ssh-keygen -p -f"), "{e}");
    }
}

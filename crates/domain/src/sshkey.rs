//! SSH public keys of users, as OpenSSH writes them (`ssh-ed25519 AAAA… comment`).

use super::date::days;
use super::ids::UserId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Key types accepted for sign-in: the ones the SSH server can verify (it is built without
/// RSA, so an RSA key is refused when it is added rather than failing at every sign-in).
pub const ALGORITHMS: [&str; 4] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
];

/// A user's public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKey {
    pub user: UserId,
    pub algorithm: String,
    /// The key blob, base64 as in the OpenSSH line.
    pub blob_b64: String,
    pub comment: String,
    /// `SHA256:` + unpadded base64 of the SHA-256 of the blob, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    #[serde(with = "days")]
    pub added_on: NaiveDate,
}

/// Why a key line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshKeyError {
    #[error("the key line is empty")]
    Empty,
    #[error("unsupported key type {0}; use ssh-ed25519 (ssh-keygen -t ed25519) or ecdsa-sha2-*")]
    Algorithm(String),
    #[error("the key is not valid base64")]
    Base64,
    #[error("the key data does not match its type")]
    Mismatch,
}

/// Parses one OpenSSH public-key line.
pub fn parse(line: &str, user: UserId, added_on: NaiveDate) -> Result<SshKey, SshKeyError> {
    let mut parts = line.split_whitespace();
    let algorithm = parts.next().ok_or(SshKeyError::Empty)?;
    if !ALGORITHMS.contains(&algorithm) {
        return Err(SshKeyError::Algorithm(algorithm.chars().take(40).collect()));
    }
    let blob_b64 = parts.next().ok_or(SshKeyError::Base64)?;
    let blob = base64_decode(blob_b64).ok_or(SshKeyError::Base64)?;
    let name_len = blob
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
        .ok_or(SshKeyError::Mismatch)? as usize;
    if blob.get(4..4 + name_len) != Some(algorithm.as_bytes()) {
        return Err(SshKeyError::Mismatch);
    }
    let comment: String = parts
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    Ok(SshKey {
        user,
        algorithm: algorithm.to_owned(),
        blob_b64: blob_b64.to_owned(),
        comment,
        fingerprint: fingerprint(&blob),
        added_on,
    })
}

/// The OpenSSH SHA-256 fingerprint of a key blob.
pub fn fingerprint(blob: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, blob);
    let mut b64 = base64_encode(digest.as_ref());
    while b64.ends_with('=') {
        b64.pop();
    }
    format!("SHA256:{b64}")
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in trimmed.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(base64_decode(&base64_encode(data)).as_deref(), Some(data));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_decode("!!"), None);
    }

    #[test]
    fn key_lines_parse_and_bad_ones_are_refused() {
        let mut blob = vec![0, 0, 0, 11];
        blob.extend_from_slice(b"ssh-ed25519");
        blob.extend_from_slice(&[0, 0, 0, 32]);
        blob.extend_from_slice(&[7; 32]);
        let line = format!("ssh-ed25519 {} anna@office", base64_encode(&blob));
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let key = parse(&line, UserId(1), day);
        assert!(
            key.as_ref()
                .is_ok_and(|k| k.fingerprint.starts_with("SHA256:") && k.comment == "anna@office")
        );
        assert_eq!(parse("", UserId(1), day), Err(SshKeyError::Empty));
        assert!(matches!(
            parse("ssh-dss AAAA", UserId(1), day),
            Err(SshKeyError::Algorithm(_))
        ));
        assert_eq!(
            parse("ssh-ed25519 !!!", UserId(1), day),
            Err(SshKeyError::Base64)
        );
        let wrong = format!("ecdsa-sha2-nistp256 {}", base64_encode(&blob));
        assert_eq!(parse(&wrong, UserId(1), day), Err(SshKeyError::Mismatch));
        let rsa = format!("ssh-rsa {}", base64_encode(&blob));
        assert!(matches!(
            parse(&rsa, UserId(1), day),
            Err(SshKeyError::Algorithm(_))
        ));
    }
}

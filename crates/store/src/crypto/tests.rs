//! The key file's format, permissions and errors, sealing and opening, nonces, the blind index
//! and audit MAC, and that no key byte ever shows in `Debug` or an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::key_file::{HEADER, decode_hex_key, push_hex};
use super::nonce_pool::{NONCE_LEN, NONCES_PER_DRAW};
use super::sealing::TAG_LEN;
use super::*;
use ring::hmac;
use std::fs;
use std::os::unix::fs::PermissionsExt;

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

//! A checkpoint of the audit chain (domain §10): its head — sequence number, time and MAC —
//! written short enough for a person to keep outside the server (mail it, print it). The MAC
//! of entry N covers every entry up to N through the chain, so a log rewritten by someone who
//! holds the key file, and re-chained, no longer has that MAC at N: `verify --checkpoint` finds
//! it, where replaying the chain alone cannot.

use chrono::DateTime;

/// The word a checkpoint line starts with.
pub const PREFIX: &str = "insats-checkpoint";

/// Hex digits of the MAC a typed checkpoint must give at least (128 bits).
pub const MIN_HEX: usize = 32;

/// The head of the chain at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: u64,
    /// The entry's time, when known (a typed short form may leave it out).
    pub at_ms: Option<i64>,
    /// The entry's MAC, or its first bytes as typed (at least [`MIN_HEX`] hex digits).
    pub mac: Vec<u8>,
}

/// Why a typed checkpoint could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error(
        "a checkpoint is written `insats-checkpoint SEQ TIME MAC` as `insats audit checkpoint` prints it (or `SEQ:MAC`)"
    )]
    Shape,
    #[error("the checkpoint's MAC needs at least {MIN_HEX} hex digits")]
    ShortMac,
}

impl CheckpointError {
    pub fn message_sv(&self) -> String {
        match self {
            CheckpointError::Shape => "en kontrollpunkt skrivs `insats-checkpoint NR TID MAC` som `insats audit checkpoint` skriver ut den (eller `NR:MAC`)".into(),
            CheckpointError::ShortMac => {
                format!("kontrollpunktens MAC behöver minst {MIN_HEX} hexadecimala tecken")
            }
        }
    }
}

impl Checkpoint {
    /// The line to keep: `insats-checkpoint 1077 2026-12-05T01:52:14Z 8f3a…` (64 hex digits).
    pub fn text(&self) -> String {
        let at = self
            .at_ms
            .and_then(DateTime::from_timestamp_millis)
            .map_or_else(
                || "-".to_owned(),
                |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            );
        format!("{PREFIX} {} {at} {}", self.seq, hex(&self.mac))
    }

    /// Reads a checkpoint as [`Checkpoint::text`] writes it, or its short form `SEQ:MAC`.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let t = text.trim();
        let (seq, at, mac) = if let Some(rest) = t.strip_prefix(PREFIX) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                [seq, at, mac] => (*seq, Some(*at), *mac),
                _ => return Err(CheckpointError::Shape),
            }
        } else {
            let (seq, mac) = t.split_once(':').ok_or(CheckpointError::Shape)?;
            (seq, None, mac)
        };
        let seq: u64 = seq
            .trim()
            .parse()
            .ok()
            .filter(|s| *s > 0)
            .ok_or(CheckpointError::Shape)?;
        let at_ms = match at {
            None | Some("-") => None,
            Some(a) => Some(
                DateTime::parse_from_rfc3339(a)
                    .map_err(|_| CheckpointError::Shape)?
                    .timestamp_millis(),
            ),
        };
        let mac = mac.trim();
        if mac.len() < MIN_HEX {
            return Err(CheckpointError::ShortMac);
        }
        let mac = unhex(mac).ok_or(CheckpointError::Shape)?;
        if mac.len() > 32 {
            return Err(CheckpointError::Shape);
        }
        Ok(Checkpoint { seq, at_ms, mac })
    }

    /// Whether the stored entry `(seq, at_ms, mac)` is the one this checkpoint names.
    pub fn matches(&self, seq: u64, at_ms: i64, mac: &[u8; 32]) -> bool {
        seq == self.seq
            && self.at_ms.is_none_or(|t| t / 1000 == at_ms / 1000)
            && mac.starts_with(&self.mac)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Whole bytes of hex digits (an odd last digit is dropped: a prefix of the MAC).
fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .chars()
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<_>>()?;
    Some(digits.chunks_exact(2).map(|p| (p[0] << 4) | p[1]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_line_reads_back_and_so_does_its_short_form() {
        let c = Checkpoint {
            seq: 1077,
            at_ms: Some(1_796_435_534_000),
            mac: (0u8..32).collect(),
        };
        let line = c.text();
        assert!(line.starts_with("insats-checkpoint 1077 2026-"), "{line}");
        assert_eq!(Checkpoint::parse(&line), Ok(c.clone()));
        let mac: [u8; 32] = std::array::from_fn(|i| u8::try_from(i).unwrap_or(0));
        let short = format!("1077:{}", &hex(&c.mac)[..32]);
        let s = Checkpoint::parse(&short);
        assert!(s.as_ref().is_ok_and(|s| s.matches(1077, 0, &mac)), "{s:?}");
        assert!(s.as_ref().is_ok_and(|s| !s.matches(1078, 0, &mac)));
        let mut other = mac;
        other[3] ^= 1;
        assert!(s.as_ref().is_ok_and(|s| !s.matches(1077, 0, &other)));
    }

    #[test]
    fn a_mistyped_checkpoint_is_refused_in_words() {
        for bad in [
            "",
            "1077",
            "x:00",
            "insats-checkpoint 1077 8f3a",
            "0:00000000000000000000000000000000",
        ] {
            assert_eq!(Checkpoint::parse(bad), Err(CheckpointError::Shape), "{bad}");
        }
        assert_eq!(Checkpoint::parse("12:8f3a"), Err(CheckpointError::ShortMac));
        assert_eq!(
            Checkpoint::parse("12:zz3a9c0e1b2d4f6a8c0e1f2a3b4c5d6e"),
            Err(CheckpointError::Shape)
        );
    }
}

//! Failed sign-ins, counted twice: per address and key, and per address. Ten failed connections
//! with one key from one address lock out that key from that address; a hundred failed
//! connections from one address lock it out for every key not stored for a user. So a key that
//! works is never refused for what others behind the same address (an office's NAT) did, while
//! one address still cannot go on trying keys. A lockout lasts until its failures are a minute
//! old.

use super::source::Source;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Failed connections with one key from one address that lock the key out there.
pub const MAX_KEY_FAILURES: usize = 10;
/// Failed connections from one address that lock it out for keys not stored for anyone.
pub const MAX_ADDRESS_FAILURES: usize = 100;
/// The window they are counted in.
pub const WINDOW: Duration = Duration::from_mins(1);
/// Entries remembered per kind at most; past it the stalest are forgotten first.
const MAX_ENTRIES: usize = 4096;

/// Failure times per key `K` in a sliding window.
#[derive(Debug)]
struct Window<K> {
    max: usize,
    span: Duration,
    seen: HashMap<K, VecDeque<Instant>>,
}

impl<K: Hash + Eq + Clone> Window<K> {
    fn new(max: usize, window: Duration) -> Self {
        Self {
            max: max.max(1),
            span: window,
            seen: HashMap::new(),
        }
    }

    fn full(&self, k: &K, now: Instant) -> bool {
        self.seen.get(k).is_some_and(|times| {
            times
                .iter()
                .filter(|t| now.duration_since(**t) < self.span)
                .count()
                >= self.max
        })
    }

    /// Counts one failure; true when it is the one that locks `k` out.
    fn record(&mut self, k: &K, now: Instant) -> bool {
        let window = self.span;
        if self.seen.len() >= MAX_ENTRIES && !self.seen.contains_key(k) {
            self.seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
            if self.seen.len() >= MAX_ENTRIES {
                let stalest = self
                    .seen
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(k, _)| k.clone());
                if let Some(s) = stalest {
                    self.seen.remove(&s);
                }
            }
        }
        let was_full = self.full(k, now);
        let times = self.seen.entry(k.clone()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= self.max {
            times.pop_front();
        }
        times.push_back(now);
        !was_full && times.len() >= self.max
    }
}

/// What counting a failed connection started.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lockouts {
    /// The address is now locked out for keys not stored for anyone.
    pub address: bool,
    /// These keys are now locked out from the address.
    pub keys: Vec<String>,
}

#[derive(Debug)]
pub struct FailedLogins {
    keys: Mutex<Window<(Source, String)>>,
    addresses: Mutex<Window<Source>>,
}

impl Default for FailedLogins {
    fn default() -> Self {
        Self::new(MAX_KEY_FAILURES, MAX_ADDRESS_FAILURES, WINDOW)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FailedLogins {
    pub fn new(per_key: usize, per_address: usize, window: Duration) -> Self {
        Self {
            keys: Mutex::new(Window::new(per_key, window)),
            addresses: Mutex::new(Window::new(per_address, window)),
        }
    }

    /// Whether the key `fingerprint` is locked out from `from`: it is refused without a look-up.
    pub fn key_locked(&self, from: Source, fingerprint: &str, now: Instant) -> bool {
        lock(&self.keys).full(&(from, fingerprint.to_owned()), now)
    }

    /// Whether `from` is locked out for keys not stored for anyone.
    pub fn address_locked(&self, from: Source, now: Instant) -> bool {
        lock(&self.addresses).full(&from, now)
    }

    /// Counts one failed connection from `from` that was refused the keys `fingerprints` (none
    /// when it offered no key).
    pub fn record(&self, from: Source, fingerprints: &[String], now: Instant) -> Lockouts {
        let address = lock(&self.addresses).record(&from, now);
        let mut keys = lock(&self.keys);
        let mut locked = Vec::new();
        for f in fingerprints {
            if keys.record(&(from, f.clone()), now) {
                locked.push(f.clone());
            }
        }
        Lockouts {
            address,
            keys: locked,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn src(last: u8) -> Source {
        Source::of(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)))
    }

    #[test]
    fn a_key_is_locked_out_from_an_address_by_its_own_failures_only() {
        let limits = FailedLogins::new(3, 100, Duration::from_mins(1));
        let (nat, elsewhere) = (src(1), src(2));
        let t0 = Instant::now();
        let stranger = "SHA256:stranger".to_owned();
        for i in 0..2 {
            let l = limits.record(
                nat,
                std::slice::from_ref(&stranger),
                t0 + Duration::from_secs(i),
            );
            assert_eq!(l, Lockouts::default());
        }
        let third = limits.record(
            nat,
            std::slice::from_ref(&stranger),
            t0 + Duration::from_secs(2),
        );
        assert_eq!(third.keys, std::slice::from_ref(&stranger));
        assert!(!third.address);
        let t = t0 + Duration::from_secs(3);
        assert!(limits.key_locked(nat, &stranger, t));
        // The same key from elsewhere, and another key from the same address, are not.
        assert!(!limits.key_locked(elsewhere, &stranger, t));
        assert!(!limits.key_locked(nat, "SHA256:hanna", t));
        assert!(!limits.address_locked(nat, t));
        // A fourth failure keeps it locked and is not a new lockout.
        let fourth = limits.record(nat, std::slice::from_ref(&stranger), t);
        assert!(fourth.keys.is_empty());
        // Once the failures are a minute old the key may try again.
        assert!(!limits.key_locked(nat, &stranger, t0 + Duration::from_secs(64)));
    }

    #[test]
    fn many_keys_from_one_address_lock_it_for_unknown_keys_but_not_a_good_key() {
        let limits = FailedLogins::new(10, 20, Duration::from_mins(1));
        let nat = src(1);
        let t0 = Instant::now();
        let mut locks = 0;
        for i in 0..25 {
            // Each connection tries two keys never seen before, or none at all (a password).
            let keys = if i % 5 == 0 {
                Vec::new()
            } else {
                vec![format!("SHA256:k{i}a"), format!("SHA256:k{i}b")]
            };
            let l = limits.record(nat, &keys, t0);
            locks += usize::from(l.address);
            assert!(l.keys.is_empty());
        }
        assert_eq!(locks, 1, "the lockout is reported once");
        assert!(limits.address_locked(nat, t0));
        assert!(!limits.address_locked(src(2), t0));
        // No single key has failed often enough: a good key from there is not locked out.
        assert!(!limits.key_locked(nat, "SHA256:hanna", t0));
        assert!(!limits.key_locked(nat, "SHA256:k1a", t0));
        assert!(!limits.address_locked(nat, t0 + Duration::from_secs(61)));
    }

    #[test]
    fn memory_stays_bounded_under_many_addresses_and_keys() {
        let limits = FailedLogins::new(3, 3, Duration::from_mins(1));
        let t0 = Instant::now();
        for i in 0..(MAX_ENTRIES as u32 + 500) {
            let from = Source::of(IpAddr::V4(Ipv4Addr::from(0xc000_0200 + i)));
            for _ in 0..4 {
                limits.record(from, &[format!("SHA256:{i}")], t0);
            }
        }
        let keys = lock(&limits.keys);
        let addresses = lock(&limits.addresses);
        assert!(keys.seen.len() <= MAX_ENTRIES);
        assert!(addresses.seen.len() <= MAX_ENTRIES);
        assert!(keys.seen.values().all(|t| t.len() <= 3));
        assert!(addresses.seen.values().all(|t| t.len() <= 3));
    }
}

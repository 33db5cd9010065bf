//! A per-address limit on failed sign-ins: an address with too many failed connections in the
//! last window is turned away at the door until the oldest failure ages out.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed connections from one address that close the door for it.
pub const MAX_FAILURES: usize = 10;
/// The window they are counted in.
pub const WINDOW: Duration = Duration::from_mins(1);
/// Addresses remembered at most; past it the oldest are forgotten first.
const MAX_ADDRESSES: usize = 4096;

#[derive(Debug)]
pub struct FailedLogins {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Default for FailedLogins {
    fn default() -> Self {
        Self::new(MAX_FAILURES, WINDOW)
    }
}

impl FailedLogins {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max: max.max(1),
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, VecDeque<Instant>>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `ip` has used up its failures.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> bool {
        let window = self.window;
        self.lock().get(&ip).is_some_and(|times| {
            times
                .iter()
                .filter(|t| now.duration_since(**t) < window)
                .count()
                >= self.max
        })
    }

    /// Counts a failed connection from `ip`.
    pub fn record(&self, ip: IpAddr, now: Instant) {
        let window = self.window;
        let mut seen = self.lock();
        if seen.len() >= MAX_ADDRESSES && !seen.contains_key(&ip) {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
            if seen.len() >= MAX_ADDRESSES {
                let oldest = seen
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(ip, _)| *ip);
                if let Some(o) = oldest {
                    seen.remove(&o);
                }
            }
        }
        let times = seen.entry(ip).or_default();
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn an_address_is_blocked_after_its_failures_until_they_age_out_and_others_are_not() {
        let limits = FailedLogins::new(3, Duration::from_mins(1));
        let a = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        let b = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(!limits.blocked(a, t0));
            limits.record(a, t0 + Duration::from_secs(i));
        }
        assert!(limits.blocked(a, t0 + Duration::from_secs(3)));
        assert!(!limits.blocked(b, t0 + Duration::from_secs(3)));
        assert!(!limits.blocked(a, t0 + Duration::from_secs(61)));
    }

    #[test]
    fn memory_stays_bounded_under_many_addresses() {
        let limits = FailedLogins::new(3, Duration::from_mins(1));
        let t0 = Instant::now();
        for i in 0..(MAX_ADDRESSES as u32 + 500) {
            limits.record(IpAddr::V4(Ipv4Addr::from(0x7f00_0000 + i)), t0);
            limits.record(IpAddr::V4(Ipv4Addr::from(0x7f00_0000 + i)), t0);
            limits.record(IpAddr::V4(Ipv4Addr::from(0x7f00_0000 + i)), t0);
            limits.record(IpAddr::V4(Ipv4Addr::from(0x7f00_0000 + i)), t0);
        }
        let seen = limits.lock();
        assert!(seen.len() <= MAX_ADDRESSES);
        assert!(seen.values().all(|t| t.len() <= 3));
    }
}

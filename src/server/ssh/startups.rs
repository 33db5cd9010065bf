//! The budget of connections not yet signed in (OpenSSH's MaxStartups, made fair): a new
//! connection is always let in; when its address already holds its share (a third of the
//! budget), that address's oldest waiting connection makes room, and when the whole budget is
//! used, the oldest waiting connection of the address holding the most does. So idle
//! connections from one place cannot keep anyone else from signing in, and even from the same
//! address they cannot keep a client out that signs in before its share of newer ones arrives.

use super::source::Source;
use std::collections::{HashMap, VecDeque};

/// Connections not yet signed in, at most, by default.
pub const MAX_STARTUPS: usize = 30;

#[derive(Debug)]
pub struct Startups<T> {
    max: usize,
    per_source: usize,
    waiting: HashMap<Source, VecDeque<(u64, T)>>,
    len: usize,
}

impl<T> Startups<T> {
    /// A budget of `max` waiting connections, a third of them (at least one) per address.
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            max,
            per_source: (max / 3).max(1),
            waiting: HashMap::new(),
            len: 0,
        }
    }

    pub fn per_source(&self) -> usize {
        self.per_source
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Lets the connection `id` from `from` in (ids grow with time); returns the one that has
    /// to make room for it, if any.
    pub fn admit(&mut self, from: Source, id: u64, item: T) -> Option<(u64, T)> {
        let own = self.waiting.get(&from).map_or(0, VecDeque::len);
        let evicted = if own >= self.per_source {
            self.pop_oldest(from)
        } else if self.len >= self.max {
            let hog = self
                .waiting
                .iter()
                .filter(|(_, q)| !q.is_empty())
                .max_by_key(|(_, q)| (q.len(), std::cmp::Reverse(q.front().map(|(id, _)| *id))))
                .map(|(s, _)| *s);
            hog.and_then(|s| self.pop_oldest(s))
        } else {
            None
        };
        self.waiting.entry(from).or_default().push_back((id, item));
        self.len += 1;
        evicted
    }

    fn pop_oldest(&mut self, from: Source) -> Option<(u64, T)> {
        let q = self.waiting.get_mut(&from)?;
        let oldest = q.pop_front();
        if q.is_empty() {
            self.waiting.remove(&from);
        }
        if oldest.is_some() {
            self.len -= 1;
        }
        oldest
    }

    /// The connection signed in or ended: it no longer counts. False when it was not waiting
    /// (already signed in, or made room for another).
    pub fn leave(&mut self, from: Source, id: u64) -> bool {
        let Some(q) = self.waiting.get_mut(&from) else {
            return false;
        };
        let Some(at) = q.iter().position(|(i, _)| *i == id) else {
            return false;
        };
        q.remove(at);
        if q.is_empty() {
            self.waiting.remove(&from);
        }
        self.len -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn src(last: u8) -> Source {
        Source::of(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)))
    }

    #[test]
    fn idle_connections_from_one_address_only_push_out_their_own_oldest() {
        let mut s = Startups::new(9);
        assert_eq!(s.per_source(), 3);
        let idle = src(1);
        // Twenty idle connections from one address: each one past three evicts its oldest.
        let mut evicted = Vec::new();
        for id in 0..20 {
            if let Some((e, ())) = s.admit(idle, id, ()) {
                evicted.push(e);
            }
        }
        assert_eq!(evicted, (0..17).collect::<Vec<_>>());
        assert_eq!(s.len(), 3);
        // A client from elsewhere gets in without pushing anyone out, and one more from the
        // idle address pushes out only the idle address's oldest.
        assert_eq!(s.admit(src(2), 100, ()), None);
        assert_eq!(s.admit(idle, 101, ()), Some((17, ())));
        assert!(s.leave(src(2), 100));
        assert!(!s.leave(src(2), 100));
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn a_full_budget_takes_room_from_the_address_holding_the_most() {
        let mut s = Startups::new(6);
        assert_eq!(s.per_source(), 2);
        let (a, b, c, d) = (src(1), src(2), src(3), src(4));
        for (id, from) in [(1, a), (2, b), (3, a), (4, c), (5, b), (6, c)] {
            assert_eq!(s.admit(from, id, ()), None);
        }
        assert_eq!(s.len(), 6);
        // Everyone holds two: the oldest of them goes (a's first).
        assert_eq!(s.admit(d, 7, ()), Some((1, ())));
        // Now b and c hold two each, b's oldest (2) is older than c's (4).
        assert_eq!(s.admit(d, 8, ()), Some((2, ())));
        // d holds its share: its own oldest makes room.
        assert_eq!(s.admit(d, 9, ()), Some((7, ())));
        assert_eq!(s.len(), 6);
        // One that signed in no longer counts, and frees a place.
        assert!(s.leave(c, 4));
        assert_eq!(s.admit(a, 10, ()), None);
        assert_eq!(s.len(), 6);
    }

    #[test]
    fn a_budget_of_one_still_admits_the_newest() {
        let mut s = Startups::new(1);
        assert_eq!(s.admit(src(1), 1, ()), None);
        assert_eq!(s.admit(src(2), 2, ()), Some((1, ())));
        assert_eq!(s.len(), 1);
    }
}

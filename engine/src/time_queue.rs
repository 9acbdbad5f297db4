//! The search's priority queue: keys `time << 32 | node`, popped in
//! ascending order, filed in buckets by time (a bucket queue after Dial).
//!
//! Dijkstra never pushes a key below the last one popped, and never further
//! ahead of it than the longest edge, so the keys in the queue span a
//! window of times. Buckets of 2^`shift` deciseconds each (8 to begin with)
//! cover that window in a ring, which grows when a key lands beyond it, up
//! to [`MAX_RING`] buckets; past that the buckets get wider instead, so an
//! absurdly long edge costs sorting, never memory. Pushing is a
//! `Vec::push`; popping takes the smallest key of the current bucket, which
//! is sorted when the queue reaches it and holds a handful of keys. Keys
//! come out exactly as from a binary heap of `Reverse(key)`, ties and all.

/// Buckets in a new ring.
const FIRST_RING: usize = 256;

/// Buckets in the ring at most (1.5 MB of bucket headers).
const MAX_RING: usize = 1 << 16;

/// The bucket width of a new queue: 2³ deciseconds.
const FIRST_SHIFT: u32 = 3;

/// A min-queue of `time << 32 | node` keys pushed in monotone order.
#[derive(Debug, Clone)]
pub struct TimeQueue {
    /// The ring: bucket `b` is filed at `b % ring.len()` (a power of two).
    ring: Vec<Vec<u64>>,
    /// The bucket being popped; no key in the queue is in an earlier one.
    current: u64,
    /// Whether the current bucket is sorted, largest key first.
    sorted: bool,
    /// Keys in the queue.
    len: usize,
    /// Each bucket spans 2^shift deciseconds.
    shift: u32,
}

impl Default for TimeQueue {
    fn default() -> TimeQueue {
        TimeQueue { ring: vec![Vec::new(); FIRST_RING], current: 0, sorted: false, len: 0, shift: FIRST_SHIFT }
    }
}

impl TimeQueue {
    /// Empties the queue, keeping its memory and bucket width; keys may
    /// start anew from 0.
    pub fn clear(&mut self) {
        if self.len > 0 {
            self.ring.iter_mut().for_each(Vec::clear);
        }
        (self.current, self.sorted, self.len) = (0, false, 0);
    }

    /// Adds `key`, which must not be below the last key popped.
    pub fn push(&mut self, key: u64) {
        debug_assert!(self.bucket_of(key) >= self.current, "keys must not go below the last popped");
        if self.bucket_of(key) - self.current >= self.ring.len() as u64 {
            self.grow(key);
        }
        let bucket = self.bucket_of(key);
        self.sorted &= bucket != self.current;
        let slot = self.slot(bucket);
        self.ring[slot].push(key);
        self.len += 1;
    }

    /// Removes and returns the smallest key.
    pub fn pop(&mut self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let mut slot = self.slot(self.current);
        while self.ring[slot].is_empty() {
            self.current += 1;
            self.sorted = false;
            slot = self.slot(self.current);
        }
        let keys = &mut self.ring[slot];
        if !self.sorted {
            keys.sort_unstable_by(|a, b| b.cmp(a));
            self.sorted = true;
        }
        self.len -= 1;
        keys.pop()
    }

    /// The bucket of a key.
    fn bucket_of(&self, key: u64) -> u64 {
        key >> (32 + self.shift)
    }

    /// Where bucket `bucket` is filed.
    fn slot(&self, bucket: u64) -> usize {
        bucket as usize & (self.ring.len() - 1)
    }

    /// Makes room for `key`: a larger ring, or wider buckets once the ring
    /// is at its largest, and every key refiled.
    fn grow(&mut self, key: u64) {
        while self.bucket_of(key) - self.current >= MAX_RING as u64 {
            self.shift += 1;
            self.current >>= 1;
            self.sorted = false;
        }
        let size = ((self.bucket_of(key) - self.current) as usize + 1).next_power_of_two().max(self.ring.len());
        let old = std::mem::replace(&mut self.ring, vec![Vec::new(); size]);
        for key in old.into_iter().flatten() {
            let slot = self.slot(self.bucket_of(key));
            self.ring[slot].push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use super::*;

    /// Random monotone pushes and pops, against a binary heap: the same keys
    /// in the same order, ties, repeats, ring growth and clears included.
    #[test]
    fn pops_in_the_order_of_a_binary_heap() {
        let mut state = crate::test_random::random_states(2024);
        let mut next = move || state() >> 11;
        let mut queue = TimeQueue::default();
        for round in 0..60 {
            queue.clear();
            let mut binary = BinaryHeap::new();
            let mut last = 0u64;
            // How far ahead of the last popped time keys land, deciseconds.
            let reach = [2u64, 40, 3_000, 200_000][round % 4];
            for step in 0..3000 {
                if next() % 3 != 0 || step < 5 {
                    let time = (last >> 32) + next() % reach;
                    let key = (time << 32) | (next() % 50);
                    // Keys of the last popped time must not come before it.
                    let key = key.max(last);
                    queue.push(key);
                    binary.push(Reverse(key));
                    if next() % 7 == 0 {
                        queue.push(key);
                        binary.push(Reverse(key));
                    }
                } else {
                    let popped = queue.pop();
                    assert_eq!(popped, binary.pop().map(|Reverse(k)| k), "round {round}, step {step}");
                    last = popped.unwrap_or(last);
                }
            }
            if round % 2 == 0 {
                while let Some(Reverse(key)) = binary.pop() {
                    assert_eq!(queue.pop(), Some(key), "round {round}: draining");
                }
                assert_eq!(queue.pop(), None);
            }
        }
    }

    #[test]
    fn extreme_times_and_an_empty_queue() {
        let mut queue = TimeQueue::default();
        assert_eq!(queue.pop(), None);
        let keys = [u64::MAX, 0, 1 << 63, 5, (1 << 32) | 1, 1 << 32];
        for key in keys {
            queue.push(key);
        }
        let mut sorted = keys;
        sorted.sort_unstable();
        for key in sorted {
            assert_eq!(queue.pop(), Some(key));
        }
        assert_eq!(queue.pop(), None);
    }
}

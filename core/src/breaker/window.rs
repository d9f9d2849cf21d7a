//! A rolling outflow window kept in a fixed ring of buckets.

use crate::types::{Balance, Timestamp};

/// Buckets per window. A window's usage is the sum of the current bucket and
/// the `BUCKETS - 1` before it, so it covers between 11/12 and 12/12 of its
/// length of real time. Twelve keeps the state small (on-chain storage) while
/// the edge effect stays under a twelfth of the window.
pub const BUCKETS: usize = 12;
const BUCKETS_U64: u64 = BUCKETS as u64;

/// Value that left during the last `BUCKETS` buckets.
///
/// Invariants:
/// - `total` equals the sum of `buckets`;
/// - `buckets` only holds amounts added at bucket indices in
///   `(head - BUCKETS, head]`, so `total` is exactly the usage of the window
///   ending at `head`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RollingWindow {
    /// Length of one bucket in ms; zero until first used.
    bucket_ms: u64,
    /// Index (`time / bucket_ms`) of the newest bucket.
    head: u64,
    buckets: [Balance; BUCKETS],
    total: Balance,
}

impl RollingWindow {
    /// An empty window for a window of `length_ms` (a multiple of `BUCKETS`).
    pub fn new(length_ms: u64) -> Self {
        Self { bucket_ms: bucket_len(length_ms), ..Self::default() }
    }

    /// Length of one bucket in ms.
    pub fn bucket_ms(&self) -> u64 {
        self.bucket_ms
    }

    /// Moves the window so that it ends at `now`, dropping buckets that fell
    /// out. A clock that goes backwards keeps counting into the newest bucket,
    /// which can only make the limit stricter.
    pub fn advance(&mut self, now: Timestamp) {
        let Some(idx) = now.checked_div(self.bucket_ms) else {
            return;
        };
        let gap = idx.saturating_sub(self.head);
        if gap == 0 {
            return;
        }
        if gap >= BUCKETS_U64 {
            self.buckets = [0; BUCKETS];
            self.total = 0;
        } else {
            for step in 1..=gap {
                let slot = slot_of(self.head.wrapping_add(step));
                if let Some(b) = self.buckets.get_mut(slot) {
                    self.total = self.total.saturating_sub(*b);
                    *b = 0;
                }
            }
        }
        self.head = idx;
    }

    /// Value counted in the window ending at `now`, without moving it.
    pub fn used_at(&self, now: Timestamp) -> Balance {
        let Some(idx) = now.checked_div(self.bucket_ms) else {
            return self.total;
        };
        let gap = idx.saturating_sub(self.head);
        if gap >= BUCKETS_U64 {
            return 0;
        }
        let dropped: Balance = (1..=gap)
            .filter_map(|step| self.buckets.get(slot_of(self.head.wrapping_add(step))))
            .fold(0, |acc, b| acc.saturating_add(*b));
        self.total.saturating_sub(dropped)
    }

    /// Value counted in the window ending at the last `advance`.
    pub fn used(&self) -> Balance {
        self.total
    }

    /// Index (`time / bucket_ms`) of the newest bucket.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Moves the window so that its newest bucket is `head` (another
    /// window's, of the same bucket length), as [`RollingWindow::advance`]
    /// does for a time in that bucket.
    pub fn advance_to_head(&mut self, head: u64) {
        self.advance(head.saturating_mul(self.bucket_ms));
    }

    /// Takes up to `value` back off the count, newest bucket first, and
    /// returns what it took from each slot: a re-deposit
    /// offsets the most recent outflows, and its offset rolls out of the
    /// window with them. Never below zero, so a deposit is no credit for
    /// outflows that have not happened yet.
    pub fn credit(&mut self, value: Balance) -> [Balance; BUCKETS] {
        let mut takes = [0; BUCKETS];
        let mut taken: Balance = 0;
        // Bucket indices below 0 never held anything (and would wrap).
        for back in 0..BUCKETS_U64.min(self.head.saturating_add(1)) {
            let want = value.saturating_sub(taken);
            if want == 0 {
                break;
            }
            let slot = slot_of(self.head.saturating_sub(back));
            if let (Some(b), Some(t)) = (self.buckets.get_mut(slot), takes.get_mut(slot)) {
                let take = (*b).min(want);
                *b = b.saturating_sub(take);
                *t = take;
                taken = taken.saturating_add(take);
            }
        }
        self.total = self.total.saturating_sub(taken);
        takes
    }

    /// Takes `takes` off the count slot by slot (never below zero): the
    /// credit another window, aligned with this one, took from its own.
    pub fn take(&mut self, takes: &[Balance; BUCKETS]) {
        for (b, t) in self.buckets.iter_mut().zip(takes) {
            let take = (*b).min(*t);
            *b = b.saturating_sub(take);
            self.total = self.total.saturating_sub(take);
        }
    }

    /// Counts `value` in the newest bucket. `None` on overflow, with the
    /// window unchanged.
    pub fn add(&mut self, value: Balance) -> Option<()> {
        let total = self.total.checked_add(value)?;
        let b = self.buckets.get_mut(slot_of(self.head))?;
        *b = b.checked_add(value)?;
        self.total = total;
        Some(())
    }
}

/// Bucket length for a window of `length_ms`.
pub fn bucket_len(length_ms: u64) -> u64 {
    length_ms.checked_div(BUCKETS_U64).unwrap_or(0)
}

/// Whether `length_ms` splits evenly into a positive bucket length.
pub fn is_valid_length(length_ms: u64) -> bool {
    length_ms > 0 && length_ms.checked_rem(BUCKETS_U64) == Some(0)
}

#[inline]
fn slot_of(index: u64) -> usize {
    // The remainder is below BUCKETS, so it always fits in usize.
    usize::try_from(index.checked_rem(BUCKETS_U64).unwrap_or(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_buckets_that_fall_out() {
        let mut w = RollingWindow::new(12_000); // 1 s buckets
        w.advance(500);
        w.add(10).unwrap();
        w.advance(5_500);
        w.add(5).unwrap();
        assert_eq!(w.used(), 15);
        w.advance(11_999);
        assert_eq!(w.used(), 15, "bucket 0 is still inside (buckets 0..=11)");
        w.advance(12_000);
        assert_eq!(w.used(), 5, "bucket 0 fell out");
        w.advance(100_000);
        assert_eq!(w.used(), 0);
    }

    #[test]
    fn used_at_agrees_with_advance() {
        let mut w = RollingWindow::new(12_000);
        for (t, v) in [(0, 3), (1_500, 5), (4_000, 7), (11_000, 11)] {
            w.advance(t);
            w.add(v).unwrap();
        }
        for t in [11_000, 12_000, 13_999, 15_000, 22_999, 23_000, 40_000] {
            let mut moved = w.clone();
            moved.advance(t);
            assert_eq!(w.used_at(t), moved.used(), "at {t}");
        }
    }

    #[test]
    fn backwards_clock_counts_into_newest_bucket() {
        let mut w = RollingWindow::new(12_000);
        w.advance(5_000);
        w.advance(1_000);
        w.add(7).unwrap();
        w.advance(16_999);
        assert_eq!(w.used(), 7);
        w.advance(17_000);
        assert_eq!(w.used(), 0);
    }

    #[test]
    fn a_credit_takes_from_the_newest_buckets_and_never_below_zero() {
        let mut w = RollingWindow::new(12_000);
        w.advance(0);
        w.add(10).unwrap();
        w.advance(5_000);
        w.add(4).unwrap();
        let takes = w.credit(6);
        assert_eq!((takes[5], takes[0], takes.iter().sum::<Balance>()), (4, 2, 6), "4 from bucket 5, 2 from bucket 0");
        assert_eq!(w.used(), 8);
        w.advance(12_000);
        assert_eq!(w.used(), 0, "what was left of bucket 0 rolled out");
        assert_eq!(w.credit(5), [0; BUCKETS], "nothing to offset");
        assert_eq!(w.used(), 0);
    }

    /// Regression: near the first buckets the walk back wrapped below index
    /// 0 and visited bucket 0 twice, so the slots it reported (which an
    /// account's credit hands to the asset's window) lost the first take.
    #[test]
    fn a_credit_in_the_first_buckets_reports_each_take_once() {
        for head in 0..14u64 {
            let mut w = RollingWindow::new(12_000);
            w.advance(head * 1_000);
            w.add(3).unwrap();
            let takes = w.credit(5);
            assert_eq!(takes.iter().sum::<Balance>(), 3, "head {head}");
            assert_eq!(takes[(head % 12) as usize], 3, "head {head}");
        }
    }

    #[test]
    fn overflow_leaves_window_unchanged() {
        let mut w = RollingWindow::new(12);
        w.add(u128::MAX).unwrap();
        assert!(w.add(1).is_none());
        assert_eq!(w.used(), u128::MAX);
    }
}

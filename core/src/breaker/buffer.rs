//! The elastic inflow buffer.

use crate::math::mul_div;
use crate::types::{Balance, Timestamp};

/// Recent inflows, in token units, that may leave again without counting
/// against the outflow windows.
///
/// Why: if inflows simply offset outflows, a flash loan can be deposited to
/// raise TVL and with it the limit; if inflows are ignored, a deposit and
/// withdrawal of the same funds eats everyone's limit (griefing). The buffer
/// lets freshly deposited funds leave once without touching the windows, and
/// the limiter excludes the buffer from the TVL its limits are based on.
///
/// Invariants:
/// - the buffer only grows by recorded inflows, so the total drawn from it
///   never exceeds the total inflow;
/// - it decays linearly to zero over `decay_ms` after its last change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ElasticBuffer {
    amount: Balance,
    updated_at: Timestamp,
}

impl ElasticBuffer {
    /// The buffer's size at `now`.
    pub fn available(&self, now: Timestamp, decay_ms: u64) -> Balance {
        let elapsed = now.saturating_sub(self.updated_at);
        if elapsed >= decay_ms {
            return 0;
        }
        let left = decay_ms.saturating_sub(elapsed);
        // left < decay_ms, so the result is at most `amount`.
        mul_div(self.amount, Balance::from(left), Balance::from(decay_ms)).unwrap_or(0)
    }

    /// Adds an inflow. `None` on overflow, with the buffer unchanged.
    pub fn fill(&mut self, amount: Balance, now: Timestamp, decay_ms: u64) -> Option<()> {
        if decay_ms == 0 {
            return Some(());
        }
        let next = self.available(now, decay_ms).checked_add(amount)?;
        self.amount = next;
        self.updated_at = now;
        Some(())
    }

    /// Takes up to `want` from the buffer and returns what was taken.
    pub fn draw(&mut self, want: Balance, now: Timestamp, decay_ms: u64) -> Balance {
        let have = self.available(now, decay_ms);
        let taken = have.min(want);
        self.amount = have.saturating_sub(taken);
        self.updated_at = now;
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_linearly_to_zero() {
        let mut b = ElasticBuffer::default();
        b.fill(1_000, 0, 600_000).unwrap();
        assert_eq!(b.available(0, 600_000), 1_000);
        assert_eq!(b.available(300_000, 600_000), 500);
        assert_eq!(b.available(600_000, 600_000), 0);
    }

    #[test]
    fn draw_takes_at_most_what_is_there() {
        let mut b = ElasticBuffer::default();
        b.fill(100, 0, 1_000).unwrap();
        assert_eq!(b.draw(30, 0, 1_000), 30);
        assert_eq!(b.draw(500, 0, 1_000), 70);
        assert_eq!(b.available(0, 1_000), 0);
    }

    #[test]
    fn zero_decay_disables_the_buffer() {
        let mut b = ElasticBuffer::default();
        b.fill(100, 0, 0).unwrap();
        assert_eq!(b.draw(100, 0, 0), 0);
    }
}

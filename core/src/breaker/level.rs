//! Staged levels: Normal -> Throttled -> Halted, each expiring on its own.

use crate::types::Timestamp;

/// The breaker's stage at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Level {
    /// Full limits.
    Normal,
    /// Limits scaled down by `throttle_bps`.
    Throttled,
    /// No outflow at all.
    Halted,
}

/// The level as deadlines, so it is a pure function of time: nothing has to
/// run for a halt to expire.
///
/// Invariants: a halt is always followed by a throttle
/// (`throttled_until >= halted_until` once halted); deadlines only move
/// later except through [`LevelState::reset`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LevelState {
    pub halted_until: Timestamp,
    pub throttled_until: Timestamp,
}

impl LevelState {
    /// The level in force at `now`.
    pub fn at(&self, now: Timestamp) -> Level {
        if now < self.halted_until {
            Level::Halted
        } else if now < self.throttled_until {
            Level::Throttled
        } else {
            Level::Normal
        }
    }

    /// Throttles for `throttle_ms` from `now` (never shortens a deadline).
    pub fn throttle(&mut self, now: Timestamp, throttle_ms: u64) {
        self.throttled_until = self.throttled_until.max(now.saturating_add(throttle_ms));
    }

    /// Halts for `halt_ms`, then throttles for `throttle_ms` after the halt.
    pub fn halt(&mut self, now: Timestamp, halt_ms: u64, throttle_ms: u64) {
        self.halted_until = self.halted_until.max(now.saturating_add(halt_ms));
        self.throttled_until = self.throttled_until.max(self.halted_until.saturating_add(throttle_ms));
    }

    /// One stage up: Normal -> Throttled -> Halted. A repeat within
    /// `throttle_ms` after a throttle ended counts as a second stage too
    /// (probation): a drain that saturates the windows again as soon as
    /// they roll over, just after its throttle expired, still halts.
    pub fn escalate(&mut self, now: Timestamp, halt_ms: u64, throttle_ms: u64) {
        let on_probation = self.throttled_until > 0 && now < self.throttled_until.saturating_add(throttle_ms);
        match self.at(now) {
            Level::Normal if !on_probation => self.throttle(now, throttle_ms),
            _ => self.halt(now, halt_ms, throttle_ms),
        }
    }

    /// Back to Normal at once (the admin's "unpause", deliberately separate).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halt_expires_into_throttle_then_normal() {
        let mut l = LevelState::default();
        l.halt(1_000, 100, 50);
        assert_eq!(l.at(1_000), Level::Halted);
        assert_eq!(l.at(1_099), Level::Halted);
        assert_eq!(l.at(1_100), Level::Throttled);
        assert_eq!(l.at(1_149), Level::Throttled);
        assert_eq!(l.at(1_150), Level::Normal);
    }

    #[test]
    fn escalation_goes_one_stage_at_a_time() {
        let mut l = LevelState::default();
        l.escalate(0, 100, 50);
        assert_eq!(l.at(0), Level::Throttled);
        l.escalate(10, 100, 50);
        assert_eq!(l.at(10), Level::Halted);
        l.reset();
        assert_eq!(l.at(10), Level::Normal);
    }

    #[test]
    fn a_repeat_right_after_a_throttle_halts() {
        let mut l = LevelState::default();
        l.escalate(0, 100, 50);
        assert_eq!(l.at(50), Level::Normal);
        l.escalate(99, 100, 50);
        assert_eq!(l.at(99), Level::Halted, "on probation until 100");
        let mut l = LevelState::default();
        l.escalate(0, 100, 50);
        l.escalate(100, 100, 50);
        assert_eq!(l.at(100), Level::Throttled, "probation over: one stage");
    }

    #[test]
    fn a_shorter_trip_never_shortens_a_longer_one() {
        let mut l = LevelState::default();
        l.halt(0, 1_000, 0);
        l.halt(10, 5, 0);
        assert_eq!(l.at(999), Level::Halted);
    }
}

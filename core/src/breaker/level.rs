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
/// later except through [`LevelState::reset`] and [`LevelState::undo`],
/// which restores exactly the state before an escalation, and only from
/// exactly the state that escalation left (`changes` tells them apart).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LevelState {
    pub halted_until: Timestamp,
    pub throttled_until: Timestamp,
    /// Names the state: every raise and reset moves it on, and an undo
    /// moves it back to the name of the state it restores. So a state can
    /// carry a name an escalation left only if it is that state.
    pub changes: u32,
}

/// An escalation that can be taken back: the state it left (by name) and
/// the state before it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Escalation {
    /// `changes` right after it.
    pub left: u32,
    /// The state before it.
    pub before: LevelState,
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
        self.changes = self.changes.wrapping_add(1);
        self.throttled_until = self.throttled_until.max(now.saturating_add(throttle_ms));
    }

    /// Halts for `halt_ms`, then throttles for `throttle_ms` after the halt.
    pub fn halt(&mut self, now: Timestamp, halt_ms: u64, throttle_ms: u64) {
        self.changes = self.changes.wrapping_add(1);
        self.halted_until = self.halted_until.max(now.saturating_add(halt_ms));
        self.throttled_until = self.throttled_until.max(self.halted_until.saturating_add(throttle_ms));
    }

    /// One stage up: Normal -> Throttled -> Halted. A repeat within
    /// `throttle_ms` after a throttle ended counts as a second stage too
    /// (probation): a drain that saturates the windows again as soon as
    /// they roll over, just after its throttle expired, still halts.
    ///
    /// Returns how to take it back ([`LevelState::undo`]). `continues` is
    /// an earlier escalation from the same cause: if the level is still
    /// the state it left, taking this one back restores the state before
    /// that one.
    pub fn escalate(
        &mut self,
        now: Timestamp,
        halt_ms: u64,
        throttle_ms: u64,
        continues: Option<&Escalation>,
    ) -> Escalation {
        let before = match continues {
            Some(e) if e.left == self.changes => e.before.clone(),
            _ => self.clone(),
        };
        let on_probation = self.throttled_until > 0 && now < self.throttled_until.saturating_add(throttle_ms);
        match self.at(now) {
            Level::Normal if !on_probation => self.throttle(now, throttle_ms),
            _ => self.halt(now, halt_ms, throttle_ms),
        }
        Escalation { left: self.changes, before }
    }

    /// Whether `e` can be taken back now: the level is the state it left.
    pub fn can_undo(&self, e: &Escalation) -> bool {
        self.changes == e.left
    }

    /// Takes back `e`, restoring the state before it, if the level is still
    /// the state it left (nothing raised or reset it since, or whatever did
    /// was taken back); whether it did. For the value that escalated
    /// coming back.
    pub fn undo(&mut self, e: &Escalation) -> bool {
        if !self.can_undo(e) {
            return false;
        }
        *self = e.before.clone();
        true
    }

    /// Back to Normal at once (the admin's "unpause", deliberately separate).
    pub fn reset(&mut self) {
        self.changes = self.changes.wrapping_add(1);
        self.halted_until = 0;
        self.throttled_until = 0;
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
        l.escalate(0, 100, 50, None);
        assert_eq!(l.at(0), Level::Throttled);
        l.escalate(10, 100, 50, None);
        assert_eq!(l.at(10), Level::Halted);
        l.reset();
        assert_eq!(l.at(10), Level::Normal);
    }

    #[test]
    fn a_repeat_right_after_a_throttle_halts() {
        let mut l = LevelState::default();
        l.escalate(0, 100, 50, None);
        assert_eq!(l.at(50), Level::Normal);
        l.escalate(99, 100, 50, None);
        assert_eq!(l.at(99), Level::Halted, "on probation until 100");
        let mut l = LevelState::default();
        l.escalate(0, 100, 50, None);
        l.escalate(100, 100, 50, None);
        assert_eq!(l.at(100), Level::Throttled, "probation over: one stage");
    }

    #[test]
    fn an_escalation_is_undone_only_from_the_state_it_left() {
        let mut l = LevelState::default();
        let first = l.escalate(0, 100, 50, None);
        assert!(l.undo(&first));
        assert_eq!(l, LevelState::default());
        assert!(!l.undo(&first), "once");
        let again = l.escalate(10, 100, 50, None);
        l.halt(10, 100, 50);
        assert!(!l.undo(&again), "a trip came after it, even in the same block");
        assert_eq!(l.at(10), Level::Halted);
        // Another's escalation taken back leaves the first undoable again.
        let mut l = LevelState::default();
        let first = l.escalate(0, 100, 50, None);
        let other = l.escalate(5, 100, 50, None);
        assert!(!l.undo(&first), "not the state it left");
        assert!(l.undo(&other));
        assert_eq!(l.at(5), Level::Throttled, "back to the first escalation's throttle");
        assert!(l.undo(&first));
        assert_eq!(l, LevelState::default());
        // (Each escalation is taken back once: its owner drops it then.)
        l.reset();
        let after_reset = l.clone();
        let e = l.escalate(0, 100, 50, None);
        // A second escalation from the same cause: its undo goes back past both.
        let second = l.escalate(5, 100, 50, Some(&e));
        assert_eq!(l.at(5), Level::Halted);
        assert!(l.undo(&second));
        assert_eq!(l, after_reset);
    }

    #[test]
    fn a_shorter_trip_never_shortens_a_longer_one() {
        let mut l = LevelState::default();
        l.halt(0, 1_000, 0);
        l.halt(10, 5, 0);
        assert_eq!(l.at(999), Level::Halted);
    }
}

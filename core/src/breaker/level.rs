//! Staged levels: Normal -> Throttled -> Halted, each expiring on its own.

use crate::types::Timestamp;
use alloc::vec::Vec;

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

/// At most this many escalations wait in [`LevelState::returned`]; one more
/// evicts the oldest (whose level then expires on its own).
pub const MAX_RETURNED: usize = 8;

/// The level as deadlines, so it is a pure function of time: nothing has to
/// run for a halt to expire.
///
/// Invariants: a halt is always followed by a throttle
/// (`throttled_until >= halted_until` once halted); deadlines only move
/// later except through [`LevelState::reset`] and [`LevelState::undo`],
/// which restores exactly the state before an escalation, and only from
/// exactly the state that escalation left (`changes` tells them apart).
/// Escalations are taken back in any order: one whose value came back
/// while another stood on top of it waits in `returned` until the level is
/// back at the state it left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LevelState {
    /// The deadlines and the state's name: what an escalation changes.
    pub stages: Stages,
    /// Escalations taken back while the level was not the state they left
    /// (another escalation came after them), oldest first, at most
    /// [`MAX_RETURNED`]. Each is undone as soon as undoing those after it
    /// brings the level back to the state it left. A trip, a price fault's
    /// throttle and a reset empty it: no undo reaches below them.
    pub returned: Vec<Escalation>,
}

/// What an escalation changes and its undo restores: the deadlines and the
/// state's name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stages {
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
    pub before: Stages,
}

impl LevelState {
    /// The level in force at `now`.
    pub fn at(&self, now: Timestamp) -> Level {
        if now < self.stages.halted_until {
            Level::Halted
        } else if now < self.stages.throttled_until {
            Level::Throttled
        } else {
            Level::Normal
        }
    }

    /// Throttles for `throttle_ms` from `now` (never shortens a deadline).
    /// Not an escalation: nothing undoes it, nor anything before it.
    pub fn throttle(&mut self, now: Timestamp, throttle_ms: u64) {
        self.returned.clear();
        self.raise_throttle(now, throttle_ms);
    }

    /// Halts for `halt_ms`, then throttles for `throttle_ms` after the halt.
    /// Not an escalation: nothing undoes it, nor anything before it.
    pub fn halt(&mut self, now: Timestamp, halt_ms: u64, throttle_ms: u64) {
        self.returned.clear();
        self.raise_halt(now, halt_ms, throttle_ms);
    }

    fn raise_throttle(&mut self, now: Timestamp, throttle_ms: u64) {
        self.stages.changes = self.stages.changes.wrapping_add(1);
        self.stages.throttled_until = self.stages.throttled_until.max(now.saturating_add(throttle_ms));
    }

    fn raise_halt(&mut self, now: Timestamp, halt_ms: u64, throttle_ms: u64) {
        self.stages.changes = self.stages.changes.wrapping_add(1);
        self.stages.halted_until = self.stages.halted_until.max(now.saturating_add(halt_ms));
        self.stages.throttled_until =
            self.stages.throttled_until.max(self.stages.halted_until.saturating_add(throttle_ms));
    }

    /// One stage up: Normal -> Throttled -> Halted. A repeat within
    /// `throttle_ms` after a throttle ended counts as a second stage too
    /// (probation): a drain that saturates the windows again as soon as
    /// they roll over, just after its throttle expired, still halts.
    ///
    /// Returns how to take it back ([`LevelState::undo`]). `earlier` is
    /// the same owner's escalation not yet taken back (its value is still
    /// out): if the level is still the state it left, taking this one back
    /// restores the state before that one; otherwise it waits in
    /// `returned` from now, and can only come due once this one is taken
    /// back, since it lies below it.
    pub fn escalate(
        &mut self,
        now: Timestamp,
        halt_ms: u64,
        throttle_ms: u64,
        earlier: Option<Escalation>,
    ) -> Escalation {
        let (before, waits) = match earlier {
            Some(e) if self.can_undo(&e) => (e.before, None),
            e => (self.stages.clone(), e),
        };
        let on_probation =
            self.stages.throttled_until > 0 && now < self.stages.throttled_until.saturating_add(throttle_ms);
        match self.at(now) {
            Level::Normal if !on_probation => self.raise_throttle(now, throttle_ms),
            _ => self.raise_halt(now, halt_ms, throttle_ms),
        }
        if let Some(e) = waits {
            self.undo(e);
        }
        Escalation { left: self.stages.changes, before }
    }

    /// Whether `e` can be taken back now: the level is the state it left.
    pub fn can_undo(&self, e: &Escalation) -> bool {
        self.stages.changes == e.left
    }

    /// Takes back `e`, for the value that escalated coming back. If the
    /// level is the state `e` left, restores the state before it, then
    /// takes back every returned escalation that state had left, and so
    /// on down; whether it did. Otherwise (another escalation came after
    /// it) `e` waits in `returned` until undoing those brings the level
    /// back to the state it left, so the order in which escalations come
    /// back does not matter. (After a trip, a price fault or a reset it
    /// never will: those stay until they expire.)
    pub fn undo(&mut self, e: Escalation) -> bool {
        if !self.can_undo(&e) {
            if self.returned.len() == MAX_RETURNED {
                self.returned.remove(0);
            }
            self.returned.push(e);
            return false;
        }
        self.stages = e.before;
        while let Some(i) = self.returned.iter().position(|w| w.left == self.stages.changes) {
            let w = self.returned.remove(i);
            self.stages = w.before;
        }
        true
    }

    /// Back to Normal at once (the admin's "unpause", deliberately separate).
    pub fn reset(&mut self) {
        self.returned.clear();
        self.stages.changes = self.stages.changes.wrapping_add(1);
        self.stages.halted_until = 0;
        self.stages.throttled_until = 0;
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
        assert!(l.undo(first));
        assert_eq!(l, LevelState::default());
        let again = l.escalate(10, 100, 50, None);
        l.halt(10, 100, 50);
        assert!(!l.undo(again), "a trip came after it, even in the same block");
        assert_eq!(l.at(10), Level::Halted);
        l.reset();
        let after_reset = l.clone();
        let e = l.escalate(0, 100, 50, None);
        // A second escalation from the same cause: its undo goes back past both.
        let second = l.escalate(5, 100, 50, Some(e));
        assert_eq!(l.at(5), Level::Halted);
        assert!(l.undo(second));
        assert_eq!(l, after_reset);
    }

    /// Two owners' escalations come back first-in first-out: the first
    /// waits until the second is taken back, then both are.
    #[test]
    fn escalations_come_back_in_any_order() {
        let mut l = LevelState::default();
        let first = l.escalate(0, 100, 50, None);
        let other = l.escalate(5, 100, 50, None);
        assert!(!l.undo(first), "not the state it left");
        assert_eq!(l.at(5), Level::Halted, "the other's value is still out");
        assert!(l.undo(other));
        assert_eq!(l, LevelState::default(), "both taken back");
    }

    /// An owner escalates, another escalates on top, the first escalates
    /// again: its earlier escalation waits below the other's, and all
    /// three are taken back once both owners' value is back.
    #[test]
    fn an_owners_earlier_escalation_below_anothers_waits() {
        let mut l = LevelState::default();
        let a = l.escalate(0, 100, 50, None);
        let b = l.escalate(1, 100, 50, None);
        let a2 = l.escalate(2, 100, 50, Some(a));
        assert_eq!(l.returned.len(), 1);
        assert!(l.undo(a2));
        assert_eq!(l.at(2), Level::Halted, "b's value is still out");
        assert!(l.undo(b));
        assert_eq!(l, LevelState::default());
    }

    /// What the level returns to once every owner has brought its value
    /// back, whatever the order of escalations and returns: exactly the
    /// start, as long as no trip, price fault or reset came between and
    /// no waiting escalation was evicted (more than `MAX_RETURNED` at once).
    #[test]
    fn every_escalation_taken_back_in_any_order_restores_the_start() {
        use proptest::prelude::*;
        let owner_moves = proptest::collection::vec((0usize..3, any::<bool>(), 0u64..200), 1..24);
        proptest!(ProptestConfig::with_cases(4_000), |(moves in owner_moves)| {
            let mut l = LevelState::default();
            let mut held: [Option<Escalation>; 3] = Default::default();
            let mut now = 0;
            let mut evicted = false;
            let evicts = |l: &LevelState, e: &Escalation| !l.can_undo(e) && l.returned.len() == MAX_RETURNED;
            for (owner, returns, wait) in moves {
                now += wait;
                match held[owner].take() {
                    Some(e) if returns => {
                        evicted |= evicts(&l, &e);
                        l.undo(e);
                    }
                    earlier => {
                        evicted |= earlier.as_ref().is_some_and(|e| evicts(&l, e));
                        held[owner] = Some(l.escalate(now, 100, 50, earlier));
                    }
                }
                prop_assert!(l.returned.len() <= MAX_RETURNED);
            }
            for e in held.into_iter().flatten() {
                evicted |= evicts(&l, &e);
                l.undo(e);
            }
            if !evicted {
                prop_assert_eq!(l, LevelState::default());
            }
        });
    }

    #[test]
    fn a_shorter_trip_never_shortens_a_longer_one() {
        let mut l = LevelState::default();
        l.halt(0, 1_000, 0);
        l.halt(10, 5, 0);
        assert_eq!(l.at(999), Level::Halted);
    }
}

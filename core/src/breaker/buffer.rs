//! The elastic inflow buffer.

use crate::math::{mul_div, mul_div_up};
use crate::types::{Balance, Timestamp};
use alloc::vec::Vec;

/// Tranches the buffer keeps: an inflow joins the newest tranche if that
/// started less than `decay_ms / TRANCHES` ago, else it starts a new one,
/// so storage stays bounded whatever the traffic.
pub const TRANCHES: u64 = 12;

/// One group of inflows that arrived within one slot of its start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tranche {
    /// Arrival of the tranche's first inflow: never later than any inflow
    /// in it, and the tranche is gone `decay_ms` after it.
    pub start: Timestamp,
    /// The tranche's size scaled to its start (what is left now is this,
    /// decayed linearly to zero at `start + decay_ms`).
    pub amount: Balance,
}

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
/// - an inflow is buffered in full at once (a flash loan repaid in the same
///   block counts nothing against the windows);
/// - every inflow is gone within `decay_ms` of its arrival, whatever the
///   traffic: each tranche decays linearly to zero at its own start plus
///   `decay_ms` (an inflow joining a tranche just decays a little faster),
///   and neither a fill nor a draw restarts a tranche's decay;
/// - at most `TRANCHES + 1` tranches are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ElasticBuffer {
    /// Oldest first.
    tranches: Vec<Tranche>,
    /// The decay the tranches were filled under. A parameter change takes
    /// effect at the next fill or draw, which restarts what is
    /// left then as one tranche under the new decay: what had decayed stays
    /// gone (a longer decay must not bring back forgotten inflows).
    decay_ms: u64,
}

/// Length of one tranche's time slot (at least 1 ms), rounded up so that
/// at most `TRANCHES + 1` slots overlap one decay period.
fn slot_ms(decay_ms: u64) -> u64 {
    decay_ms.div_ceil(TRANCHES).max(1)
}

/// Whether anything is left of `t` at `now`: exactly `left_of(t, now,
/// decay_ms) > 0`, without its division (`⌊a·r/d⌋ > 0 ⇔ a·r ≥ d`; a product
/// beyond `u128` is above any `d`).
fn has_left(t: &Tranche, now: Timestamp, decay_ms: u64) -> bool {
    let age = now.saturating_sub(t.start);
    if age >= decay_ms {
        return false;
    }
    let remaining = Balance::from(decay_ms.saturating_sub(age));
    t.amount.checked_mul(remaining).is_none_or(|p| p >= Balance::from(decay_ms))
}

/// What is left of `t` at `now`: its amount, decayed linearly to zero over
/// `decay_ms` from its start.
fn left_of(t: &Tranche, now: Timestamp, decay_ms: u64) -> Balance {
    let age = now.saturating_sub(t.start);
    if age >= decay_ms {
        return 0;
    }
    // decay_ms - age < decay_ms, so the result is at most `amount`.
    mul_div(t.amount, Balance::from(decay_ms.saturating_sub(age)), Balance::from(decay_ms)).unwrap_or(0)
}

impl ElasticBuffer {
    /// The buffer's size at `now`. Tranches decay under the decay they were
    /// filled under until the next change rebases them, so `decay_ms` (the
    /// one in force) matters only for an empty buffer.
    pub fn available(&self, now: Timestamp, decay_ms: u64) -> Balance {
        let decay_ms = if self.tranches.is_empty() { decay_ms } else { self.decay_ms };
        self.tranches.iter().fold(0, |sum: Balance, t| sum.saturating_add(left_of(t, now, decay_ms)))
    }

    /// Moves the buffer to `decay_ms` if it was filled under another decay:
    /// what is left at `now` becomes one tranche starting now. Keeps
    /// `available(now)`, so nothing decayed comes back; a decay of 0 drops
    /// what was left.
    fn rebase(&mut self, now: Timestamp, decay_ms: u64) {
        if self.decay_ms == decay_ms {
            return;
        }
        let left = self.available(now, self.decay_ms);
        self.tranches.clear();
        if decay_ms > 0 && left > 0 {
            self.tranches.push(Tranche { start: now, amount: left });
        }
        self.decay_ms = decay_ms;
    }

    /// Whether [`fill`](Self::fill) with these arguments certainly returns
    /// `Some`, whatever `now`: a cheap, conservative test (it may say `false`
    /// where `fill` would succeed) that lets a caller fill in place instead
    /// of filling a copy to keep an overflow from changing anything.
    ///
    /// True when `decay_ms` or `amount` is 0, or when `S` = `amount` plus the
    /// sum of the tranches' undecayed amounts fits in a `Balance` and so
    /// does `S · decay_ms`. Why that suffices, step by step through `fill`:
    /// - `rebase` never fails; when it changes the buffer it leaves at most
    ///   one tranche holding `available(now)`, which is at most the sum of
    ///   the undecayed amounts (`left_of` ≤ a tranche's amount, and the sum
    ///   fits, so nothing saturates). So after it the undecayed sum plus
    ///   `amount` is still at most `S`.
    /// - A zero decay or amount returns `Some` right after `rebase`.
    /// - The undecayed sum plus `amount` fits (≤ `S`), so the exact check
    ///   that could fail is not reached.
    /// - Joining the newest tranche: `left = left_of(last) + amount ≤
    ///   last.amount + amount ≤ S` fits. `remaining = decay_ms - age` with
    ///   `age < slot_ms(decay_ms) ≤ decay_ms`, so `remaining ≥ 1` (no division
    ///   by zero). `left · decay_ms ≤ S · decay_ms` fits, so the quotient
    ///   `⌊left · decay_ms / remaining⌋` fits; rounding it up adds 1 only
    ///   when inexact, which needs `remaining ≥ 2`, and then the quotient is
    ///   at most `Balance::MAX / 2`, so the `+ 1` fits too.
    /// - Pushing a new tranche and `retain` cannot fail.
    pub fn can_fill(&self, amount: Balance, decay_ms: u64) -> bool {
        if decay_ms == 0 || amount == 0 {
            return true;
        }
        self.tranches
            .iter()
            .try_fold(amount, |s: Balance, t| s.checked_add(t.amount))
            .and_then(|s| s.checked_mul(Balance::from(decay_ms)))
            .is_some()
    }

    /// Adds an inflow. `None` on overflow, with the buffer unchanged but
    /// for a decay change, which may already have rebased it (keeping
    /// `available(now)`): callers that must change nothing on overflow fill
    /// a copy, or check [`can_fill`](Self::can_fill) first.
    pub fn fill(&mut self, amount: Balance, now: Timestamp, decay_ms: u64) -> Option<()> {
        self.rebase(now, decay_ms);
        if decay_ms == 0 || amount == 0 {
            return Some(());
        }
        // The sum of the undecayed amounts bounds what is left, so only a
        // sum that overflows needs the exact (dividing) check.
        let undecayed = self.tranches.iter().try_fold(0, |s: Balance, t| s.checked_add(t.amount));
        if undecayed.and_then(|s| s.checked_add(amount)).is_none() {
            self.available(now, decay_ms).checked_add(amount)?;
        }
        let slot = slot_ms(decay_ms);
        match self.tranches.last_mut() {
            Some(last) if now.saturating_sub(last.start) < slot && now >= last.start => {
                // Rescale so that what is left now grows by exactly `amount`
                // and still ends at `last.start + decay_ms`. Rounding up
                // here and down in `left_of` gives back exactly `left`.
                let left = left_of(last, now, decay_ms).checked_add(amount)?;
                let remaining = decay_ms.saturating_sub(now.saturating_sub(last.start));
                last.amount = mul_div_up(left, Balance::from(decay_ms), Balance::from(remaining))?;
            }
            _ => self.tranches.push(Tranche { start: now, amount }),
        }
        self.tranches.retain(|t| has_left(t, now, decay_ms));
        Some(())
    }

    /// Takes up to `want` from the buffer, oldest tranche first, and returns
    /// what was taken. A tranche keeps its own start, so what is left of it
    /// still ends on time.
    pub fn draw(&mut self, want: Balance, now: Timestamp, decay_ms: u64) -> Balance {
        self.rebase(now, decay_ms);
        let mut taken: Balance = 0;
        for t in self.tranches.iter_mut() {
            // Satisfied: every later tranche would take nothing.
            if taken >= want {
                break;
            }
            let left = left_of(t, now, decay_ms);
            let take = left.min(want.saturating_sub(taken));
            if take == 0 {
                continue;
            }
            taken = taken.saturating_add(take);
            // Scale the undecayed amount so that what is left now is `left - take`
            // (rounded down: the buffer never holds more than it should).
            let age = now.saturating_sub(t.start);
            let remaining = Balance::from(decay_ms.saturating_sub(age));
            t.amount = mul_div(left.saturating_sub(take), Balance::from(decay_ms), remaining).unwrap_or(0);
        }
        self.tranches.retain(|t| t.amount > 0 && has_left(t, now, decay_ms));
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decays_linearly_to_zero() {
        let mut b = ElasticBuffer::default();
        b.fill(1_200, 7, 600_000).unwrap();
        assert_eq!(b.available(7, 600_000), 1_200, "buffered in full at once");
        assert_eq!(b.available(300_007, 600_000), 600);
        assert_eq!(b.available(600_007, 600_000), 0);
        b.fill(500, 600_010, 600_000).unwrap();
        b.fill(500, 600_020, 600_000).unwrap();
        // The first 500 decayed for 10 ms (to 499); the second joins in full.
        assert_eq!(b.available(600_020, 600_000), 999, "a joining inflow is buffered in full too");
    }

    #[test]
    fn draw_takes_at_most_what_is_there() {
        let mut b = ElasticBuffer::default();
        b.fill(100, 0, 1_200).unwrap();
        assert_eq!(b.draw(30, 0, 1_200), 30);
        assert_eq!(b.draw(500, 0, 1_200), 70);
        assert_eq!(b.available(0, 1_200), 0);
    }

    #[test]
    fn zero_decay_disables_the_buffer() {
        let mut b = ElasticBuffer::default();
        b.fill(100, 0, 0).unwrap();
        assert_eq!(b.draw(100, 0, 0), 0);
    }

    /// Defect: every fill restarted the decay of the whole buffer, so under
    /// steady traffic an old inflow was still buffered long after
    /// `decay_ms`. Here an inflow of 1_000_000 at t = 0, followed by small
    /// fills every minute, must be gone by t = decay.
    #[test]
    fn steady_traffic_does_not_extend_an_inflow_past_its_decay() {
        let decay = 600_000;
        let mut b = ElasticBuffer::default();
        b.fill(1_000_000, 0, decay).unwrap();
        let mut small = 0;
        for minute in 1..=10u64 {
            b.fill(10, minute * 60_000, decay).unwrap();
            b.draw(1, minute * 60_000, decay);
            small += 10;
        }
        assert!(b.available(decay, decay) <= small, "the big inflow outlived its decay: {}", b.available(decay, decay));
    }

    /// Regression (issue 20, item 4): an inflow of 1,000,000 under a 10-minute
    /// decay is gone 10 minutes later; raising the decay to 7 days 30 minutes
    /// after that brought 99.7% of it back into the buffer.
    #[test]
    fn a_longer_decay_does_not_bring_back_decayed_inflows() {
        let (ten_minutes, week) = (600_000, 7 * 24 * 3_600_000);
        let mut b = ElasticBuffer::default();
        b.fill(1_000_000, 0, ten_minutes).unwrap();
        let later = 40 * 60_000;
        assert_eq!(b.available(later, week), 0, "decayed 30 minutes ago");
        assert_eq!(b.draw(1_000_000, later, week), 0);
        // Half decayed when the decay changes: the other half stays, now
        // decaying over the week, and the half that decayed stays gone.
        let mut b = ElasticBuffer::default();
        b.fill(1_000_000, 0, ten_minutes).unwrap();
        assert_eq!(b.available(300_000, week), 500_000);
        b.fill(0, 300_000, week).unwrap();
        assert_eq!(b.available(300_000, week), 500_000);
        assert!(b.available(300_000 + 600_000, week) > 499_000, "the rest decays over the week now");
    }

    /// An inflow's size: as is, or relative to the largest `can_fill` accepts.
    #[derive(Clone, Debug)]
    enum Size {
        Exact(Balance),
        AtBound(i64),
        BoundOver(u128),
    }

    #[derive(Clone, Debug)]
    enum Op {
        Fill(Balance),
        Draw(Balance),
        SetDecay(u64),
    }

    proptest! {
        /// The division-free test agrees with the decayed amount, for any
        /// size (products beyond `u128` included) and any age.
        #[test]
        fn has_left_is_left_of_above_zero(
            amount in prop_oneof![0u128..1_000_000, any::<u128>()],
            start in 0u64..10_000_000,
            age in 0u64..10_000_000,
            decay_ms in 1u64..5_000_000,
        ) {
            let t = Tranche { start, amount };
            let now = start.saturating_add(age);
            prop_assert_eq!(has_left(&t, now, decay_ms), left_of(&t, now, decay_ms) > 0);
        }

        /// `can_fill` is never wrong when it says yes: then `fill` returns
        /// `Some`, searched near the overflow bound (`S · decay_ms` just
        /// below and above `u128::MAX`), across decay changes (`rebase`)
        /// and at every age within a tranche's slot.
        #[test]
        fn can_fill_implies_fill_succeeds(
            ops in proptest::collection::vec(
                (
                    prop_oneof![0u64..4, 0u64..200, 0u64..20_000],
                    prop_oneof![Just(0u64), Just(1), Just(12), Just(13), Just(1_000), 1u64..200_000, 0u64..=u64::MAX >> 20],
                    prop_oneof![
                        (0u128..1_000_000).prop_map(Size::Exact),
                        (any::<u128>(), 0u32..128).prop_map(|(x, k)| Size::Exact(x >> k)),
                        (-3i64..4).prop_map(Size::AtBound),
                        (1u128..100).prop_map(Size::BoundOver),
                    ],
                ),
                1..60,
            ),
        ) {
            let (mut b, mut now) = (ElasticBuffer::default(), 0u64);
            for (dt, decay, size) in ops {
                now += dt;
                // The largest amount `can_fill` accepts, and sizes around it.
                let undecayed = b.tranches.iter().fold(0, |s: Balance, t| s.saturating_add(t.amount));
                let bound = (Balance::MAX / Balance::from(decay.max(1))).saturating_sub(undecayed);
                let amount = match size {
                    Size::Exact(a) => a,
                    Size::AtBound(d) => bound.saturating_add_signed(i128::from(d)),
                    Size::BoundOver(k) => bound.saturating_add(bound / k),
                };
                let before = b.clone();
                let filled = b.fill(amount, now, decay);
                if before.can_fill(amount, decay) {
                    prop_assert!(filled.is_some(), "can_fill said yes: {:?} + {} at {} under {}", before, amount, now, decay);
                }
                if filled.is_none() && before.decay_ms == decay {
                    // Without a decay change (no rebase) an overflow changes nothing.
                    prop_assert_eq!(&b, &before);
                }
            }
        }

        /// No parameter change re-opens buffer room: whatever the decays set
        /// between fills, draws and waits, what the buffer holds only grows
        /// by fills (on 269b1af a longer decay revived decayed tranches).
        #[test]
        fn only_fills_grow_the_buffer_whatever_the_decay_changes(
            ops in proptest::collection::vec(
                (0u64..20_000, prop_oneof![
                    (1u128..1_000_000).prop_map(Op::Fill),
                    (1u128..1_000_000).prop_map(Op::Draw),
                    (0u64..200_000).prop_map(Op::SetDecay),
                ]),
                1..100,
            ),
        ) {
            let (mut b, mut now, mut decay) = (ElasticBuffer::default(), 0, 50_000u64);
            let mut before = 0;
            for (dt, op) in ops {
                now += dt;
                let mut filled = 0;
                match op {
                    Op::Fill(a) => { b.fill(a, now, decay).unwrap(); filled = a; }
                    Op::Draw(a) => { b.draw(a, now, decay); }
                    Op::SetDecay(d) => decay = d,
                }
                let after = b.available(now, decay);
                prop_assert!(after <= before + filled, "{} after {:?}, from {} (+{} filled)", after, op, before, filled);
                before = after;
            }
        }

        /// Whatever the traffic, the buffer never holds more than the inflows
        /// of the last `decay_ms`.
        #[test]
        fn never_more_than_recent_inflows(
            decay in 1u64..100_000,
            ops in proptest::collection::vec(
                (0u64..20_000, prop_oneof![(1u128..1_000_000).prop_map(Op::Fill), (1u128..1_000_000).prop_map(Op::Draw)]),
                1..100,
            ),
        ) {
            let mut b = ElasticBuffer::default();
            let mut now = 0;
            let mut inflows: Vec<(Timestamp, Balance)> = Vec::new();
            for (dt, op) in ops {
                now += dt;
                match op {
                    Op::Fill(a) => { b.fill(a, now, decay).unwrap(); inflows.push((now, a)); }
                    Op::Draw(a) => { b.draw(a, now, decay); }
                    Op::SetDecay(_) => {}
                }
                let recent: Balance = inflows.iter().filter(|(t, _)| now < t + decay).map(|(_, a)| a).sum();
                prop_assert!(b.available(now, decay) <= recent, "buffer {} > recent inflows {}", b.available(now, decay), recent);
                prop_assert!(b.tranches.len() as u64 <= TRANCHES + 1);
            }
        }
    }
}

//! Bonded trips: anyone may halt the breaker by posting a bond.
//!
//! The bond is what makes an open trip accountable. Governance judges each
//! trip by its id: a confirmed trip gets its bond back, an unjustified one is
//! slashed into the insurance fund. Like pallet-safe-mode's deposits, a bond
//! that governance has not judged within `settle_within_ms` can be released
//! back to its poster by anyone, so an idle admin cannot trap it.
//!
//! Invariants:
//! - every bond is paid out exactly once: refunded (confirmed or released)
//!   or slashed, and only through the [`BondedTrip`] its id names, so a
//!   stale settlement can never touch a later trip;
//! - trips are independent: any number may be pending at once;
//! - a bond can be slashed only before its deadline and released only from
//!   its deadline on, so the two never race.

use crate::error::ParamError;
use crate::types::{AccountId, Balance, Timestamp};

/// Identifier of one bonded trip.
pub type TripId = u64;

/// Longest time governance may take to judge a trip: 90 days.
pub const MAX_SETTLE_WITHIN_MS: u64 = 90 * 24 * 3_600_000;

/// Who may trip with a bond, and how long governance has to judge it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct BondPolicy {
    /// Smallest bond for an open trip (native token units).
    pub min_bond: Balance,
    /// After this long an unjudged bond may be released to its poster.
    /// It must exceed the admin's timelock for `settle_trip`.
    pub settle_within_ms: u64,
}

impl BondPolicy {
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.min_bond == 0 {
            return Err(ParamError::MinBond);
        }
        if self.settle_within_ms == 0 || self.settle_within_ms > MAX_SETTLE_WITHIN_MS {
            return Err(ParamError::BondSettleWindow);
        }
        Ok(())
    }

    /// The policy checked together with the timelock of the admin that
    /// judges trips (the multisig's Critical class): a trip posted at `t`
    /// can be proposed for judgement at once and executed at
    /// `t + admin_timelock_ms`, which must fall before its deadline, or
    /// every bond could be released unjudged and trips would halt for free.
    pub fn validate_with_admin_timelock(&self, admin_timelock_ms: u64) -> Result<(), ParamError> {
        self.validate()?;
        if self.settle_within_ms <= admin_timelock_ms {
            return Err(ParamError::BondOutlastsTimelock);
        }
        Ok(())
    }

    /// Whether this policy, replacing `previous` under the same admin, can
    /// break [`BondPolicy::validate_with_admin_timelock`], which `previous`
    /// met: only a shorter settle window can (the admin's timelock is
    /// unchanged by the replacement, and the multisig_guard refuses its own
    /// timelock changes that would break the rule). The breaker asks the
    /// admin for its timelock only then: an admin executing the
    /// replacement cannot be called back.
    pub fn shortens(&self, previous: &BondPolicy) -> bool {
        self.settle_within_ms < previous.settle_within_ms
    }
}

/// One pending bonded trip.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BondedTrip {
    pub id: TripId,
    pub by: AccountId,
    pub bond: Balance,
    pub at: Timestamp,
    /// From this instant the bond can only be released, not slashed.
    pub settle_by: Timestamp,
}

/// Why a bonded-trip operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BondError {
    InvalidPolicy(ParamError),
    BondTooSmall,
    /// The deadline passed: the bond can only be released now.
    SettleDeadlinePassed,
    /// The deadline has not passed: only governance can settle it now.
    NotYetReleasable,
    Overflow,
}

/// What settling or releasing a trip pays, and to whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BondOutcome {
    /// Back to the poster.
    Refund(Balance),
    /// Into the insurance fund.
    Slash(Balance),
}

/// The policy and the id counter. Pending trips are stored by the caller,
/// one per id, and removed when this returns an outcome for them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BondBook {
    policy: BondPolicy,
    next_id: TripId,
}

impl BondBook {
    pub fn new(policy: BondPolicy) -> Result<Self, BondError> {
        policy.validate().map_err(BondError::InvalidPolicy)?;
        Ok(Self { policy, next_id: 0 })
    }

    pub fn policy(&self) -> &BondPolicy {
        &self.policy
    }

    /// Replaces the policy; trips already pending keep their deadline.
    pub fn set_policy(&mut self, policy: BondPolicy) -> Result<(), BondError> {
        policy.validate().map_err(BondError::InvalidPolicy)?;
        self.policy = policy;
        Ok(())
    }

    /// Records a trip by `by` with `bond`. The caller halts the breaker.
    pub fn post(&mut self, by: AccountId, bond: Balance, now: Timestamp) -> Result<BondedTrip, BondError> {
        if bond < self.policy.min_bond {
            return Err(BondError::BondTooSmall);
        }
        let settle_by = now.checked_add(self.policy.settle_within_ms).ok_or(BondError::Overflow)?;
        let id = self.next_id;
        self.next_id = id.checked_add(1).ok_or(BondError::Overflow)?;
        Ok(BondedTrip { id, by, bond, at: now, settle_by })
    }

    /// Governance's judgement of `trip`, before its deadline.
    pub fn settle(&self, trip: &BondedTrip, confirmed: bool, now: Timestamp) -> Result<BondOutcome, BondError> {
        if now >= trip.settle_by {
            return Err(BondError::SettleDeadlinePassed);
        }
        Ok(if confirmed { BondOutcome::Refund(trip.bond) } else { BondOutcome::Slash(trip.bond) })
    }

    /// Anyone may release an unjudged bond once its deadline passed.
    pub fn release(&self, trip: &BondedTrip, now: Timestamp) -> Result<BondOutcome, BondError> {
        if now < trip.settle_by {
            return Err(BondError::NotYetReleasable);
        }
        Ok(BondOutcome::Refund(trip.bond))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> BondBook {
        BondBook::new(BondPolicy { min_bond: 100, settle_within_ms: 1_000 }).unwrap()
    }

    proptest::proptest! {
        /// Liveness of judgement: under any policy that passes the check,
        /// a trip proposed for judgement when it is posted can be slashed
        /// once the admin's timelock has run, so no bond halts for free.
        #[test]
        fn every_bonded_trip_can_be_judged_before_its_bond_is_released(
            timelock in 0u64..10_000_000,
            extra in 0u64..3,
            shorter in proptest::bool::ANY,
            at in 0u64..1_000_000_000,
        ) {
            // Deadlines just around the timelock, where a `<` for `<=` slip would show.
            let settle_within_ms = if shorter { timelock.saturating_sub(extra) } else { timelock + extra };
            let policy = BondPolicy { min_bond: 1, settle_within_ms };
            if policy.validate_with_admin_timelock(timelock).is_ok() {
                let mut b = BondBook::new(policy).unwrap();
                let trip = b.post([7; 32], 1, at).unwrap();
                proptest::prop_assert_eq!(b.settle(&trip, false, at + timelock), Ok(BondOutcome::Slash(1)));
            } else {
                proptest::prop_assert!(settle_within_ms <= timelock || settle_within_ms == 0);
            }
        }
    }

    #[test]
    fn trips_are_concurrent_and_settled_by_id() {
        let mut b = book();
        assert_eq!(b.post([1; 32], 99, 0), Err(BondError::BondTooSmall));
        let first = b.post([1; 32], 100, 0).unwrap();
        let second = b.post([2; 32], 300, 10).unwrap();
        assert_ne!(first.id, second.id, "a pending trip never blocks another");
        assert_eq!(b.settle(&second, false, 20), Ok(BondOutcome::Slash(300)));
        assert_eq!(b.settle(&first, true, 20), Ok(BondOutcome::Refund(100)));
    }

    #[test]
    fn an_unjudged_bond_is_released_after_its_deadline_and_no_longer_slashable() {
        let mut b = book();
        let t = b.post([1; 32], 100, 0).unwrap();
        assert_eq!(b.release(&t, 999), Err(BondError::NotYetReleasable));
        assert_eq!(b.release(&t, 1_000), Ok(BondOutcome::Refund(100)));
        assert_eq!(b.settle(&t, false, 1_000), Err(BondError::SettleDeadlinePassed));
    }

    /// Under the same admin only a shorter settle window needs the
    /// admin's timelock again (issue 21 item 10).
    #[test]
    fn only_a_shorter_settle_window_needs_the_admins_timelock() {
        let policy = |settle_within_ms| BondPolicy { min_bond: 1, settle_within_ms };
        assert!(policy(999).shortens(&policy(1_000)));
        assert!(!policy(1_000).shortens(&policy(1_000)));
        assert!(!policy(1_001).shortens(&policy(1_000)));
    }

    #[test]
    fn policy_is_validated() {
        assert_eq!(
            BondBook::new(BondPolicy { min_bond: 0, settle_within_ms: 1 }),
            Err(BondError::InvalidPolicy(ParamError::MinBond))
        );
        assert_eq!(
            BondBook::new(BondPolicy { min_bond: 1, settle_within_ms: 0 }),
            Err(BondError::InvalidPolicy(ParamError::BondSettleWindow))
        );
    }
}

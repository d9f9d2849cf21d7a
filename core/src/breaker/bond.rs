//! Bonded trips: anyone may halt the breaker by posting a bond.
//!
//! The bond is what makes an open trip accountable. Governance judges each
//! trip by its id: a confirmed trip gets its bond back, an unjustified one is
//! slashed into the insurance fund. Like pallet-safe-mode's deposits, a bond
//! that governance has not judged within `settle_within_ms` can be released
//! back to its poster by anyone, so an idle admin cannot trap it.
//!
//! A refund is pushed to the poster, and a push can fail (on pallet-revive
//! a transfer calls the recipient, and a contract that takes no plain
//! value refuses it). The trip is closed all the same: its bond becomes
//! owed to its poster in an [`OwedRefund`] (a pull payment, like
//! OpenZeppelin's `PullPayment`), which only the poster can withdraw, to
//! any address it names. So a refusing poster can neither keep its trip
//! pending past its deadline nor lose its bond.
//!
//! Invariants:
//! - every bond is paid out exactly once: refunded (confirmed or released;
//!   pushed to its poster, or credited to the poster's [`OwedRefund`] and
//!   later withdrawn) or slashed, and only through the [`BondedTrip`] its
//!   id names, so a stale settlement can never touch a later trip;
//! - trips are independent: any number may be pending at once;
//! - a bond can be slashed only before its deadline and released only from
//!   its deadline on, so the two never race; a refund that cannot be
//!   pushed still closes its trip (it is credited), so no trip stays
//!   pending past its deadline once anyone releases it;
//! - an owed credit is withdrawn at most once, only by its poster
//!   ([`OwedRefund::withdraw`] empties it); a withdrawal whose payment
//!   fails leaves the credit intact (the caller reverts, or puts back the
//!   entry it held before the withdrawal);
//! - value held for bonds = pending bonds + owed credits, and what is paid
//!   out (pushed, withdrawn, slashed) never exceeds what was posted.

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
    /// Nothing is owed to this poster: nothing to withdraw.
    NothingOwed,
    /// The account is not the poster this owed refund belongs to.
    NotPoster,
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

/// What one poster is owed: the refunds of its trips that were closed
/// while their push to it failed (a pull payment). The caller stores one
/// per poster (keyed by the poster; absent means [`OwedRefund::new`]), and
/// may drop an empty one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OwedRefund {
    poster: AccountId,
    amount: Balance,
}

impl OwedRefund {
    /// Nothing owed yet to `poster`.
    pub fn new(poster: AccountId) -> Self {
        Self { poster, amount: 0 }
    }

    /// The poster, the only account that can withdraw this.
    pub fn poster(&self) -> &AccountId {
        &self.poster
    }

    /// What is owed, in the bonds' units.
    pub fn amount(&self) -> Balance {
        self.amount
    }

    /// Whether nothing is owed (the entry may be dropped).
    pub fn is_empty(&self) -> bool {
        self.amount == 0
    }

    /// Credits the bond of `trip`, which [`BondBook::settle`] or
    /// [`BondBook::release`] closed with [`BondOutcome::Refund`] and whose
    /// push to its poster failed: the trip stays closed and its bond is
    /// owed instead. Returns the total now owed. Refused, changing
    /// nothing, if `trip` is not this poster's (`NotPoster`) or the total
    /// would overflow (`Overflow`).
    pub fn credit(&mut self, trip: &BondedTrip) -> Result<Balance, BondError> {
        if trip.by != self.poster {
            return Err(BondError::NotPoster);
        }
        self.amount = self.amount.checked_add(trip.bond).ok_or(BondError::Overflow)?;
        Ok(self.amount)
    }

    /// Withdraws everything owed, for `caller`, which must be the poster:
    /// returns the amount for the caller to pay out (to any address the
    /// poster names) and leaves nothing owed, so a credit is withdrawn at
    /// most once. If that payment fails the caller must revert, or put
    /// back the entry as it was before this call, so the credit stays.
    /// Refused, changing nothing, for anyone but the poster (`NotPoster`)
    /// or when nothing is owed (`NothingOwed`).
    pub fn withdraw(&mut self, caller: &AccountId) -> Result<Balance, BondError> {
        if *caller != self.poster {
            return Err(BondError::NotPoster);
        }
        if self.amount == 0 {
            return Err(BondError::NothingOwed);
        }
        Ok(core::mem::take(&mut self.amount))
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

    /// The breaker's bond handling as a shell composes it from these rules
    /// (the ink! 6 circuit_breaker's `pay_bond` and `withdraw_refund`),
    /// with the value it holds and pays out. A push of value is an input:
    /// it fails for any address in `refusing`.
    mod refunds {
        use super::*;
        use proptest::prelude::*;
        use std::collections::{BTreeMap, BTreeSet};

        const POSTERS: u8 = 4;
        /// Addresses a withdrawal may name: the posters and two others.
        const ADDRESSES: u8 = 6;
        /// An address that always takes value.
        const ACCEPTS: AccountId = [0xEE; 32];
        const SETTLE_WITHIN_MS: u64 = 1_000;

        fn who(i: u8) -> AccountId {
            [i; 32]
        }

        #[derive(Clone, Debug)]
        enum Op {
            Post {
                poster: u8,
                bond: Balance,
            },
            Settle {
                pick: usize,
                confirmed: bool,
            },
            Release {
                pick: usize,
            },
            Advance(u64),
            /// The address starts or stops refusing pushed value.
            Toggle(u8),
            /// `caller` withdraws the entry kept for `owner` (a shell keys
            /// it by the caller; here any entry is tried) to `to`.
            Withdraw {
                caller: u8,
                owner: u8,
                to: u8,
            },
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                3 => (0..POSTERS, 0u128..=1_000).prop_map(|(poster, bond)| Op::Post { poster, bond }),
                2 => (any::<usize>(), any::<bool>()).prop_map(|(pick, confirmed)| Op::Settle { pick, confirmed }),
                2 => any::<usize>().prop_map(|pick| Op::Release { pick }),
                2 => (0u64..=1_500).prop_map(Op::Advance),
                1 => (0..ADDRESSES).prop_map(Op::Toggle),
                2 => (0..POSTERS, 0..POSTERS, 0..ADDRESSES).prop_map(|(caller, owner, to)| Op::Withdraw { caller, owner, to }),
            ]
        }

        #[derive(Default)]
        struct Tally(BTreeMap<AccountId, Balance>);

        impl Tally {
            fn add(&mut self, who: AccountId, v: Balance) {
                *self.0.entry(who).or_default() += v;
            }
            fn of(&self, who: &AccountId) -> Balance {
                self.0.get(who).copied().unwrap_or_default()
            }
            fn total(&self) -> Balance {
                self.0.values().sum()
            }
        }

        struct Model {
            book: BondBook,
            now: Timestamp,
            pending: Vec<BondedTrip>,
            /// One entry per poster, as a shell stores them.
            owed: BTreeMap<AccountId, OwedRefund>,
            refusing: BTreeSet<AccountId>,
            /// The breaker's balance from bonds.
            held: Balance,
            posted: Balance,
            slashed: Balance,
            posted_by: Tally,
            slashed_of: Tally,
            credited_to: Tally,
            withdrawn_by: Tally,
            /// Refunds that reached each poster's hands: pushed to it, or
            /// withdrawn by it (to whatever address it named).
            refunded_to: Tally,
            /// Value received by every address outside the breaker.
            received: Tally,
        }

        impl Model {
            fn new(refusing: u8) -> Self {
                Self {
                    book: BondBook::new(BondPolicy { min_bond: 100, settle_within_ms: SETTLE_WITHIN_MS }).unwrap(),
                    now: 0,
                    pending: Vec::new(),
                    owed: BTreeMap::new(),
                    refusing: (0..ADDRESSES).filter(|i| refusing & (1 << i) != 0).map(who).collect(),
                    held: 0,
                    posted: 0,
                    slashed: 0,
                    posted_by: Tally::default(),
                    slashed_of: Tally::default(),
                    credited_to: Tally::default(),
                    withdrawn_by: Tally::default(),
                    refunded_to: Tally::default(),
                    received: Tally::default(),
                }
            }

            /// A plain transfer out of the breaker: the input decides.
            fn push(&mut self, to: AccountId, value: Balance) -> bool {
                if self.refusing.contains(&to) {
                    return false;
                }
                self.held -= value;
                self.received.add(to, value);
                true
            }

            fn owed_to(&self, who: &AccountId) -> OwedRefund {
                self.owed.get(who).cloned().unwrap_or_else(|| OwedRefund::new(*who))
            }

            /// The shell's `pay_bond`, after it removed the trip.
            fn pay(&mut self, trip: &BondedTrip, outcome: BondOutcome) {
                match outcome {
                    BondOutcome::Refund(bond) => {
                        assert_eq!(bond, trip.bond);
                        if self.push(trip.by, bond) {
                            self.refunded_to.add(trip.by, bond);
                        } else {
                            let mut owed = self.owed_to(&trip.by);
                            let before = owed.amount();
                            assert_eq!(owed.credit(trip), Ok(before + bond));
                            self.owed.insert(trip.by, owed);
                            self.credited_to.add(trip.by, bond);
                        }
                    }
                    BondOutcome::Slash(bond) => {
                        self.held -= bond;
                        self.slashed += bond;
                        self.slashed_of.add(trip.by, bond);
                    }
                }
            }

            /// Anyone's `release_bond` of `trip`: once its deadline passed it
            /// always closes the trip, whatever the push does.
            fn release(&mut self, i: usize) -> Result<(), TestCaseError> {
                let trip = self.pending[i].clone();
                match self.book.release(&trip, self.now) {
                    Ok(outcome) => {
                        prop_assert!(self.now >= trip.settle_by);
                        prop_assert_eq!(outcome, BondOutcome::Refund(trip.bond));
                        self.pending.remove(i);
                        self.pay(&trip, outcome);
                    }
                    Err(e) => {
                        prop_assert_eq!(e, BondError::NotYetReleasable);
                        prop_assert!(self.now < trip.settle_by, "a trip past its deadline stays pending");
                    }
                }
                Ok(())
            }

            /// The shell's `withdraw_refund`, on the entry kept for `owner`.
            fn withdraw(&mut self, caller: AccountId, owner: AccountId, to: AccountId) -> Result<(), TestCaseError> {
                let before = self.owed_to(&owner);
                let mut owed = before.clone();
                match owed.withdraw(&caller) {
                    Err(e) => {
                        prop_assert_eq!(&owed, &before, "a refused withdrawal changes nothing");
                        if caller != owner {
                            prop_assert_eq!(e, BondError::NotPoster);
                        } else {
                            prop_assert_eq!(e, BondError::NothingOwed);
                            prop_assert!(before.is_empty());
                        }
                    }
                    Ok(amount) => {
                        prop_assert_eq!(caller, owner, "only the poster withdraws");
                        prop_assert_eq!(amount, before.amount());
                        prop_assert!(amount > 0 && owed.is_empty());
                        prop_assert_eq!(owed.clone().withdraw(&caller), Err(BondError::NothingOwed), "withdrawn once");
                        if self.push(to, amount) {
                            self.owed.insert(owner, owed);
                            self.withdrawn_by.add(caller, amount);
                            self.refunded_to.add(caller, amount);
                        } else {
                            // The shell reverts: the entry stays as it was.
                            prop_assert_eq!(self.owed_to(&owner), before);
                        }
                    }
                }
                Ok(())
            }

            fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
                match op {
                    Op::Post { poster, bond } => match self.book.post(who(poster), bond, self.now) {
                        Ok(trip) => {
                            self.held += bond;
                            self.posted += bond;
                            self.posted_by.add(trip.by, bond);
                            self.pending.push(trip);
                        }
                        Err(e) => prop_assert_eq!((e, bond < 100), (BondError::BondTooSmall, true)),
                    },
                    Op::Settle { pick, confirmed } if !self.pending.is_empty() => {
                        let i = pick % self.pending.len();
                        let trip = self.pending[i].clone();
                        match self.book.settle(&trip, confirmed, self.now) {
                            Ok(outcome) => {
                                prop_assert!(self.now < trip.settle_by);
                                self.pending.remove(i);
                                self.pay(&trip, outcome);
                            }
                            Err(e) => {
                                prop_assert_eq!(e, BondError::SettleDeadlinePassed);
                                prop_assert!(self.now >= trip.settle_by);
                            }
                        }
                    }
                    Op::Release { pick } if !self.pending.is_empty() => self.release(pick % self.pending.len())?,
                    Op::Settle { .. } | Op::Release { .. } => {}
                    Op::Advance(ms) => self.now += ms,
                    Op::Toggle(i) => {
                        if !self.refusing.remove(&who(i)) {
                            self.refusing.insert(who(i));
                        }
                    }
                    Op::Withdraw { caller, owner, to } => self.withdraw(who(caller), who(owner), who(to))?,
                }
                Ok(())
            }

            /// Conservation, after every step.
            fn check(&self) -> Result<(), TestCaseError> {
                let pending: Balance = self.pending.iter().map(|t| t.bond).sum();
                let owed: Balance = self.owed.values().map(OwedRefund::amount).sum();
                prop_assert_eq!(self.held, pending + owed, "held = pending bonds + owed credits");
                let paid_out = self.received.total() + self.slashed;
                prop_assert!(paid_out <= self.posted, "paid out more than was posted");
                prop_assert_eq!(paid_out + self.held, self.posted);
                for (poster, entry) in &self.owed {
                    prop_assert_eq!(entry.poster(), poster);
                    // Withdrawn at most once: never more than was credited.
                    prop_assert!(self.withdrawn_by.of(poster) <= self.credited_to.of(poster));
                    prop_assert_eq!(entry.amount(), self.credited_to.of(poster) - self.withdrawn_by.of(poster));
                }
                Ok(())
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Liveness and conservation with refusing posters: whatever
            /// the posts, judgements, releases, withdrawals and refusals,
            /// value held always equals pending bonds plus owed credits,
            /// and once everyone's deadline has passed and anyone releases
            /// the trips, every bond has been slashed or reaches its
            /// poster's hands (pushed, or credited and withdrawn).
            #[test]
            fn every_bond_is_slashed_or_reaches_its_poster_even_if_pushes_fail(
                refusing in any::<u8>(),
                ops in proptest::collection::vec(op(), 0..120),
            ) {
                let mut m = Model::new(refusing);
                for op in ops {
                    m.step(op)?;
                    m.check()?;
                }
                // Every deadline passes; anyone releases what is left.
                m.now += SETTLE_WITHIN_MS;
                while !m.pending.is_empty() {
                    let left = m.pending.len();
                    m.release(0)?;
                    prop_assert_eq!(m.pending.len(), left - 1, "released past its deadline");
                    m.check()?;
                }
                // Each poster withdraws what it is owed, to an address that takes it.
                for p in 0..POSTERS {
                    if !m.owed_to(&who(p)).is_empty() {
                        m.withdraw(who(p), who(p), ACCEPTS)?;
                        m.check()?;
                    }
                }
                prop_assert_eq!(m.held, 0);
                for p in 0..POSTERS {
                    let p = who(p);
                    prop_assert!(m.owed_to(&p).is_empty());
                    prop_assert_eq!(m.posted_by.of(&p), m.slashed_of.of(&p) + m.refunded_to.of(&p), "exactly once");
                }
            }
        }

        #[test]
        fn a_credit_is_the_posters_checked_and_withdrawn_once() {
            let mut b = book();
            let trip = b.post([1; 32], 100, 0).unwrap();
            let mut owed = OwedRefund::new([2; 32]);
            assert_eq!(owed.credit(&trip), Err(BondError::NotPoster), "another poster's trip");
            let mut owed = OwedRefund::new([1; 32]);
            assert_eq!(owed.withdraw(&[1; 32]), Err(BondError::NothingOwed));
            assert_eq!(owed.credit(&trip), Ok(100));
            assert_eq!(owed.credit(&trip), Ok(200));
            let huge = BondedTrip { bond: Balance::MAX, ..trip };
            assert_eq!(owed.credit(&huge), Err(BondError::Overflow));
            assert_eq!(owed.amount(), 200, "a refused credit changes nothing");
            assert_eq!(owed.withdraw(&[2; 32]), Err(BondError::NotPoster));
            assert_eq!(owed.withdraw(&[1; 32]), Ok(200));
            assert!(owed.is_empty());
            assert_eq!(owed.withdraw(&[1; 32]), Err(BondError::NothingOwed), "withdrawn once");
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

//! Parameter validation errors shared by all mechanisms.
//!
//! Each variant names one field and the range it must lie in, so a contract
//! can return it as a specific error and the simulator can print
//! "field: allowed range" for a bad config.

macro_rules! param_errors {
    ($( $(#[$doc:meta])* $variant:ident => $field:literal, $allowed:literal; )*) => {
        /// A parameter outside its allowed range. See [`ParamError::field`]
        /// and [`ParamError::allowed`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum ParamError {
            $( $(#[$doc])* $variant, )*
        }

        impl ParamError {
            /// The parameter's path inside its mechanism's params struct.
            pub fn field(&self) -> &'static str {
                match self { $( Self::$variant => $field, )* }
            }
            /// The allowed range, in words.
            pub fn allowed(&self) -> &'static str {
                match self { $( Self::$variant => $allowed, )* }
            }
        }
    };
}

param_errors! {
    /// Breaker: the windows list is empty or too long.
    WindowCount => "limiter.windows", "1 to 4 windows";
    /// Breaker: a window's length is zero or not divisible into its buckets.
    WindowLength => "limiter.windows[].length_ms", "a positive multiple of 12 ms (windows are kept in 12 buckets)";
    /// Breaker: a window's share of TVL.
    WindowShare => "limiter.windows[].max_bps_of_tvl", "0 to 10000 bps";
    /// Breaker: a window has neither a share of TVL nor a floor, so nothing could ever leave.
    WindowEmpty => "limiter.windows[]", "max_bps_of_tvl > 0 or floor > 0";
    /// Breaker: inflow buffer decay.
    InflowDecay => "limiter.inflow_decay_ms", "0 to 604800000 ms (0 disables the elastic buffer)";
    /// Breaker: price band width.
    PriceDeviation => "price.max_deviation_bps", "1 to 10000 bps";
    /// Breaker: price staleness bound.
    PriceStaleness => "price.max_staleness_ms", "at least 1 ms";
    /// Breaker: reference smoothing.
    PriceSmoothing => "price.reference_smoothing_bps", "1 to 10000 bps";
    /// Breaker: throttled limits as a share of normal limits.
    ThrottleShare => "throttle_bps", "0 to 9999 bps (below normal limits)";
    /// Breaker: throttle duration.
    ThrottleDuration => "throttle_ms", "at least 1 ms";
    /// Breaker: halt duration.
    HaltDuration => "halt_ms", "at least 1 ms";
    /// Breaker: an asset's units (see `units::AssetUnits`).
    AssetUnits => "units", "decimals + price_decimals from 6 to 44 (the price unit 10^(decimals + price_decimals - 6) must fit in a u128)";
    /// Breaker: the smallest bond of an open trip.
    MinBond => "bond.min_bond", "greater than 0";
    /// Breaker: how long governance has to judge a bonded trip.
    BondSettleWindow => "bond.settle_within_ms", "1 ms to 90 days";
    /// Breaker: an unjudged bond must not be releasable before the admin's
    /// timelock lets governance judge it.
    BondOutlastsTimelock => "bond.settle_within_ms", "longer than the multisig's Critical timelock (else bonds are released before governance can judge them)";
    /// Multisig: the owner list.
    OwnerCount => "owners", "1 to 50 distinct accounts";
    /// Multisig: an owner appears twice.
    DuplicateOwner => "owners", "distinct accounts";
    /// Multisig: approval threshold.
    Threshold => "threshold", "1 to the number of owners";
    /// Multisig: the veto set.
    VetoerCount => "veto.vetoers", "0 to 50 distinct accounts";
    /// Multisig: the veto threshold's starting value or cap. The cap must
    /// exceed the number of vetoers, so that cancels by a captured veto set
    /// exhaust it and the owners can always remove it.
    VetoThreshold => "veto.base_threshold", "1 <= base_threshold <= number of vetoers < max_threshold <= 51 (or all 0 with no vetoers)";
    /// Multisig: a policy change must wait at least as long as any other class.
    PolicyTimelock => "timelocks.policy_ms", "at least every other class's timelock";
    /// Multisig: membership changes must wait at least as long as standard calls.
    MembershipTimelock => "timelocks.membership_ms", "at least timelocks.standard_ms";
    /// Multisig: proposal lifetime after its timelock.
    Expiry => "execution_window_ms", "1 hour to 90 days";
    /// Multisig: the guard's allow-list.
    AllowList => "guard.allow_list", "at most 64 distinct (target, selector) entries, each of class Standard, Critical or Policy";
    /// Multisig: an administrative message of the breaker or the fund is
    /// allowed at a class weaker than core's table gives it.
    AdminCallClass => "guard.allow_list[].class", "at least the class bulwark_core::multisig::ADMIN_CALLS gives the entry's selector (set_roles is Policy; approve_claim, lower_active_cover, unpause, ... are Critical)";
    /// Multisig: Critical calls must wait at least as long as Standard ones.
    CriticalTimelock => "timelocks.critical_ms", "at least timelocks.standard_ms";
    /// Fund: virtual share offset.
    VirtualShares => "virtual_shares", "1 to 10^18";
    /// Fund: exit cooldown.
    ExitCooldown => "exit_cooldown_ms", "at least 1 ms";
    /// Fund: exit claim window.
    ExitWindow => "exit_window_ms", "at least 1 ms";
    /// Fund: solvency target.
    SolvencyTarget => "solvency_target_bps", "0 to 100000 bps of active cover";
    /// Fund: claim cap per event.
    ClaimCap => "claim_cap_per_event", "greater than 0";
    /// Fund: reinsurance layer.
    ReinsuranceLayer => "reinsurance", "limit > 0 when a layer is set";
    /// Fund: a reinsurance layer needs a reinsurer to cede to.
    Reinsurer => "reinsurance", "a layer only with a reinsurer address to cede to";
    /// Fund: the virtual share offset prices every share, so it is fixed
    /// once shares exist.
    VirtualSharesLocked => "virtual_shares", "unchanged while shares exist";
}

#[cfg(feature = "std")]
impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: must be {}", self.field(), self.allowed())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ParamError {}

/// A way to break one parameter, and the error it must produce.
#[cfg(test)]
pub(crate) type ParamCase<P> = (fn(&mut P), ParamError);

/// Applies each case to a fresh copy of `base` and checks that `validate`
/// names exactly the expected field.
#[cfg(test)]
pub(crate) fn assert_each_rejected<P: Clone>(
    base: &P,
    cases: &[ParamCase<P>],
    validate: impl Fn(&P) -> Result<(), ParamError>,
) {
    assert!(validate(base).is_ok(), "the base params must be valid");
    for (i, (mutate, expected)) in cases.iter().enumerate() {
        let mut p = base.clone();
        mutate(&mut p);
        assert_eq!(validate(&p), Err(*expected), "case {i}");
    }
}

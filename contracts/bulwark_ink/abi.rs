//! How a bulwark-core value crosses a message or an event, in both of the
//! ABIs the contracts speak (`abi = "all"`).
//!
//! Under `abi = "all"` ink! 6 dispatches every message twice over: by its
//! ink! selector with SCALE-encoded arguments, and by its Solidity selector
//! (`keccak256("name(types)")`) with Solidity-ABI arguments; every message
//! argument, return value, error and event field must therefore have a
//! Solidity ABI type as well as a SCALE one. Core's types cannot implement
//! ink!'s `SolEncode`/`SolDecode` (core has no ink! dependency, and the
//! orphan rule forbids it here), so a core value crosses as [`Core<T>`]:
//!
//! - **ink! ABI**: exactly `T`: the same SCALE bytes and the same metadata
//!   type as the ink! 5 contracts' `T`.
//! - **Solidity ABI**: `T`'s [`SolView`]: a tuple of Solidity-native values
//!   for what a Solidity protocol reads (a decision, a level, a price
//!   verdict, a pause scope, ...), and `bytes` holding `T`'s SCALE encoding
//!   for everything else (parameters, proposals, flows, core errors). The
//!   tuple views decode strictly: a tuple that is not exactly some value's
//!   view is refused.

use alloc::vec::Vec;
use bulwark_core::breaker::{
    AccountFlow, AssetFlow, AssetUnits, BondError, BondPolicy, BondedTrip, BreakerError, BreakerParams, Decision,
    Level, OutflowReceipt, PauseScope, PauseScopes, PriceVerdict, Rejection,
};
use bulwark_core::fund::{Claim, ExitRequest, FundError, FundParams, Payout};
use bulwark_core::multisig::{Action, MultisigError, MultisigParams, OperationClass, Proposal, Timelocks};
use ink::sol::{DynBytes, Error as SolError, FixedBytes, SolTopicEncode, SolTypeDecode, SolTypeEncode};
use ink::{SolDecode, SolEncode};
use scale::{Decode, DecodeAll, Encode, EncodeLike, Input, Output};

use crate::ValueError;

/// How many records ink! emits per event: two under `abi = "all"` (its
/// ink! encoding, then its Solidity one), one under a single ABI. The ABI is
/// the `ink_abi` cfg every crate of a build gets (cargo-contract passes it
/// from the manifests; host builds get it from `contracts/.cargo/
/// config.toml`, read only when cargo runs from `contracts`).
pub const RECORDS_PER_EVENT: usize = if cfg!(ink_abi = "all") { 2 } else { 1 };

/// A core value at a message or event boundary: `T` to the ink! ABI, `T`'s
/// [`SolView`] to the Solidity ABI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Core<T>(pub T);

impl<T: Encode> Encode for Core<T> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
    fn encode(&self) -> Vec<u8> {
        self.0.encode()
    }
    fn encoded_size(&self) -> usize {
        self.0.encoded_size()
    }
}

impl<T: Encode> EncodeLike for Core<T> {}
impl<T: Encode> EncodeLike<T> for Core<T> {}

impl<T: Decode> Decode for Core<T> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, scale::Error> {
        T::decode(input).map(Core)
    }
}

/// The metadata type is `T`'s own (as for `Box<T>`).
#[cfg(feature = "std")]
impl<T: scale_info::TypeInfo + 'static> scale_info::TypeInfo for Core<T> {
    type Identity = T;
    fn type_info() -> scale_info::Type {
        T::type_info()
    }
}

/// How a core value looks in the Solidity ABI.
pub trait SolView: Sized {
    /// Its Solidity ABI type: a tuple of Solidity-native values, or `bytes`.
    type Sol: SolTypeEncode + SolTopicEncode + SolTypeDecode;
    /// The value's Solidity view.
    fn to_sol(&self) -> Self::Sol;
    /// The value whose view `sol` is; `None` if there is none.
    fn from_sol(sol: Self::Sol) -> Option<Self>;
}

impl<'a, T: SolView> SolEncode<'a> for Core<T> {
    type SolType = T::Sol;
    fn to_sol_type(&'a self) -> T::Sol {
        self.0.to_sol()
    }
}

impl<T: SolView> SolDecode for Core<T> {
    type SolType = T::Sol;
    fn from_sol_type(value: T::Sol) -> Result<Self, SolError> {
        T::from_sol(value).map(Core).ok_or(SolError)
    }
}

/// `bytes`: the value's SCALE encoding (its ink! ABI bytes).
macro_rules! scale_bytes_view {
    ($($ty:ty),* $(,)?) => {$(
        impl SolView for $ty {
            type Sol = DynBytes;
            fn to_sol(&self) -> DynBytes {
                DynBytes(self.encode())
            }
            fn from_sol(sol: DynBytes) -> Option<Self> {
                Self::decode_all(&mut &sol.0[..]).ok()
            }
        }
    )*};
}

scale_bytes_view!(
    BreakerParams,
    AssetUnits,
    AssetFlow,
    AccountFlow,
    PauseScopes,
    BondedTrip,
    BreakerError,
    BondError,
    MultisigParams,
    Action,
    Proposal,
    MultisigError,
    FundParams,
    Claim,
    FundError,
);

/// `uint8`: the variant's index (its one SCALE byte), for enums whose
/// variants carry no data.
macro_rules! index_view {
    ($($ty:ty),* $(,)?) => {$(
        impl SolView for $ty {
            type Sol = u8;
            fn to_sol(&self) -> u8 {
                self.encode().first().copied().unwrap_or_default()
            }
            fn from_sol(sol: u8) -> Option<Self> {
                Self::decode_all(&mut &[sol][..]).ok()
            }
        }
    )*};
}

// Level: 0 Normal, 1 Throttled, 2 Halted. OperationClass: 0 Standard,
// 1 Critical, 2 Membership, 3 Policy. ValueError: 0 NotWholeNativeUnits,
// 1 TooLarge.
index_view!(Level, OperationClass, ValueError);

/// `(bool allowed, uint8 rejection, uint8 window, uint128 fromBuffer,
/// uint128 countedValue)`. Allowed: `(true, 0, 0, from_buffer,
/// counted_value)`. Rejected: `(false, index of the Rejection variant, the
/// window for LimitExceeded else 0, 0, 0)`; Rejection's indices: 0
/// GlobalPause, 1 AssetPaused, 2 SelectorPaused, 3 Halted, 4
/// ExceedsTrackedBalance, 5 NoPrice, 6 StalePrice, 7 PriceDeviation, 8
/// LimitExceeded, 9 Overflow.
impl SolView for Decision {
    type Sol = (bool, u8, u8, u128, u128);
    fn to_sol(&self) -> Self::Sol {
        match self {
            Decision::Allowed(r) => (true, 0, 0, r.from_buffer, r.counted_value),
            Decision::Rejected(why) => {
                let bytes = why.encode();
                let index = bytes.first().copied().unwrap_or_default();
                (false, index, bytes.get(1).copied().unwrap_or_default(), 0, 0)
            }
        }
    }
    fn from_sol(sol: Self::Sol) -> Option<Self> {
        let (allowed, index, window, from_buffer, counted_value) = sol;
        let decision = if allowed {
            Decision::Allowed(OutflowReceipt { from_buffer, counted_value })
        } else {
            Decision::Rejected(Rejection::decode(&mut &[index, window][..]).ok()?)
        };
        canonical(decision, sol)
    }
}

/// `(uint8 kind, uint32 deviationBps)`: `(0, 0)` Anchored, `(1, d)`
/// WithinBand, `(2, d)` Deviated.
impl SolView for PriceVerdict {
    type Sol = (u8, u32);
    fn to_sol(&self) -> Self::Sol {
        match *self {
            PriceVerdict::Anchored => (0, 0),
            PriceVerdict::WithinBand { deviation_bps } => (1, deviation_bps),
            PriceVerdict::Deviated { deviation_bps } => (2, deviation_bps),
        }
    }
    fn from_sol(sol: Self::Sol) -> Option<Self> {
        let verdict = match sol {
            (0, _) => PriceVerdict::Anchored,
            (1, deviation_bps) => PriceVerdict::WithinBand { deviation_bps },
            (2, deviation_bps) => PriceVerdict::Deviated { deviation_bps },
            _ => return None,
        };
        canonical(verdict, sol)
    }
}

/// `(uint8 kind, uint32 asset, bytes4 selector)`: `(0, 0, 0)` Global,
/// `(1, asset, 0)` Asset, `(2, 0, selector)` Selector.
impl SolView for PauseScope {
    type Sol = (u8, u32, FixedBytes<4>);
    fn to_sol(&self) -> Self::Sol {
        match *self {
            PauseScope::Global => (0, 0, FixedBytes([0; 4])),
            PauseScope::Asset(asset) => (1, asset, FixedBytes([0; 4])),
            PauseScope::Selector(selector) => (2, 0, FixedBytes(selector)),
        }
    }
    fn from_sol(sol: Self::Sol) -> Option<Self> {
        let scope = match sol {
            (0, _, _) => PauseScope::Global,
            (1, asset, _) => PauseScope::Asset(asset),
            (2, _, selector) => PauseScope::Selector(selector.0),
            _ => return None,
        };
        canonical(scope, sol)
    }
}

/// `(uint128 minBond, uint64 settleWithinMs)`.
impl SolView for BondPolicy {
    type Sol = (u128, u64);
    fn to_sol(&self) -> Self::Sol {
        (self.min_bond, self.settle_within_ms)
    }
    fn from_sol((min_bond, settle_within_ms): Self::Sol) -> Option<Self> {
        Some(BondPolicy { min_bond, settle_within_ms })
    }
}

/// `(uint64 standardMs, uint64 criticalMs, uint64 membershipMs, uint64 policyMs)`.
impl SolView for Timelocks {
    type Sol = (u64, u64, u64, u64);
    fn to_sol(&self) -> Self::Sol {
        (self.standard_ms, self.critical_ms, self.membership_ms, self.policy_ms)
    }
    fn from_sol((standard_ms, critical_ms, membership_ms, policy_ms): Self::Sol) -> Option<Self> {
        Some(Timelocks { standard_ms, critical_ms, membership_ms, policy_ms })
    }
}

/// `(uint128 paid, uint128 withheld)`, in native units.
impl SolView for Payout {
    type Sol = (u128, u128);
    fn to_sol(&self) -> Self::Sol {
        (self.paid, self.withheld)
    }
    fn from_sol((paid, withheld): Self::Sol) -> Option<Self> {
        Some(Payout { paid, withheld })
    }
}

/// `(uint128 shares, uint128 valueAtRequest, uint64 unlockAt, uint64
/// expiresAt)`: native units and milliseconds.
impl SolView for ExitRequest {
    type Sol = (u128, u128, u64, u64);
    fn to_sol(&self) -> Self::Sol {
        (self.shares, self.value_at_request, self.unlock_at, self.expires_at)
    }
    fn from_sol((shares, value_at_request, unlock_at, expires_at): Self::Sol) -> Option<Self> {
        Some(ExitRequest { shares, value_at_request, unlock_at, expires_at })
    }
}

/// `value` if `sol` is exactly its view (no stray fields).
fn canonical<T: SolView>(value: T, sol: T::Sol) -> Option<T>
where
    T::Sol: PartialEq,
{
    (value.to_sol() == sol).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_core::breaker::{LimiterParams, PriceBandParams, WindowParams};

    fn round_trip<T: SolView + Clone + PartialEq + core::fmt::Debug>(value: T) {
        let sol = value.to_sol();
        assert_eq!(T::from_sol(sol), Some(value.clone()));
        // Through ink!'s own Solidity encoder and decoder.
        let bytes = SolEncode::encode(&Core(value.clone()));
        assert_eq!(<Core<T> as SolDecode>::decode(&bytes), Ok(Core(value)));
    }

    #[test]
    fn core_is_scale_transparent() {
        let d = Decision::Rejected(Rejection::LimitExceeded { window: 3 });
        assert_eq!(Encode::encode(&Core(d)), Encode::encode(&d));
        assert_eq!(<Core<Decision> as Decode>::decode(&mut &Encode::encode(&d)[..]), Ok(Core(d)));
        let p = Some(Core(Level::Halted));
        assert_eq!(Encode::encode(&p), Encode::encode(&Some(Level::Halted)));
    }

    #[test]
    fn protocol_views_round_trip_and_decode_strictly() {
        round_trip(Decision::Allowed(OutflowReceipt { from_buffer: 5, counted_value: u128::MAX }));
        for why in [
            Rejection::GlobalPause,
            Rejection::Halted,
            Rejection::LimitExceeded { window: 0 },
            Rejection::LimitExceeded { window: 3 },
            Rejection::Overflow,
        ] {
            round_trip(Decision::Rejected(why));
        }
        assert_eq!(Decision::Rejected(Rejection::LimitExceeded { window: 2 }).to_sol(), (false, 8, 2, 0, 0));
        assert_eq!(Decision::from_sol((false, 3, 1, 0, 0)), None, "Halted has no window");
        assert_eq!(Decision::from_sol((false, 10, 0, 0, 0)), None, "no eleventh rejection");
        assert_eq!(Decision::from_sol((true, 1, 0, 0, 0)), None, "an allowed outflow has no rejection");
        assert_eq!(Decision::from_sol((false, 0, 0, 1, 0)), None, "a rejection consumed nothing");

        for level in [Level::Normal, Level::Throttled, Level::Halted] {
            round_trip(level);
        }
        assert_eq!(Level::Halted.to_sol(), 2);
        assert_eq!(Level::from_sol(3), None);

        for v in [
            PriceVerdict::Anchored,
            PriceVerdict::WithinBand { deviation_bps: 7 },
            PriceVerdict::Deviated { deviation_bps: 10_000 },
        ] {
            round_trip(v);
        }
        assert_eq!(PriceVerdict::from_sol((0, 5)), None);
        assert_eq!(PriceVerdict::from_sol((3, 0)), None);

        for s in [PauseScope::Global, PauseScope::Asset(9), PauseScope::Selector(*b"wdrw")] {
            round_trip(s);
        }
        assert_eq!(PauseScope::from_sol((0, 1, FixedBytes([0; 4]))), None);
        assert_eq!(PauseScope::from_sol((1, 1, FixedBytes([1; 4]))), None);
        assert_eq!(PauseScope::from_sol((2, 1, FixedBytes([1; 4]))), None);
        assert_eq!(PauseScope::from_sol((3, 0, FixedBytes([0; 4]))), None);

        round_trip(BondPolicy { min_bond: 1, settle_within_ms: 2 });
        round_trip(Timelocks { standard_ms: 1, critical_ms: 2, membership_ms: 3, policy_ms: 4 });
        round_trip(Payout { paid: 1, withheld: 2 });
        round_trip(ExitRequest { shares: 1, value_at_request: 2, unlock_at: 3, expires_at: 4 });
        round_trip(OperationClass::Policy);
        round_trip(ValueError::TooLarge);
    }

    #[test]
    fn other_core_values_cross_as_their_scale_bytes() {
        let params = BreakerParams {
            limiter: LimiterParams {
                windows: alloc::vec![WindowParams { length_ms: 3_600_000, max_bps_of_tvl: 100, floor: 0 }],
                inflow_decay_ms: 600_000,
            },
            price: PriceBandParams { max_deviation_bps: 1, max_staleness_ms: 2, reference_smoothing_bps: 3 },
            throttle_bps: 1,
            throttle_ms: 2,
            halt_ms: 3,
            min_escalating_limit: 4,
        };
        assert_eq!(params.to_sol().0, Encode::encode(&params));
        round_trip(params.clone());
        let mut trailing = Encode::encode(&params);
        trailing.push(0);
        assert_eq!(BreakerParams::from_sol(DynBytes(trailing)), None, "exactly one value");
        round_trip(BreakerError::ReportOutOfRange { price: 7 });
    }
}

//! The three conversions between ink! 6 on pallet-revive and bulwark-core.
//! Nothing else in the contracts crosses between the two.
//!
//! **Accounts.** Core accounts are 32 bytes; pallet-revive addresses are 20
//! (`H160`). An address is stored **right-aligned**: 12 zero bytes, then its
//! 20 bytes, as in an Ethereum ABI word (`bytes32(uint256(uint160(a)))` in
//! Solidity). [`account`] always succeeds; [`address`] refuses a core
//! account whose first 12 bytes are not zero (no address maps to it), so
//! nothing is ever truncated.
//!
//! **Value.** pallet-revive (0.20.2) shows a contract every native value in
//! its Ethereum view, a `U256` with 18 decimals: `value_transferred` returns
//! the frame's `U256` value, `balance` is `convert_native_to_evm` of the
//! native balance, and a transfer or call divides its `U256` value by
//! `NativeToEthRatio` (the remainder moving as "dust") (exec.rs `transfer`,
//! `value_transferred`, `account_balance`). ink! 6 passes these through
//! unchanged (`transferred_value()`, `transfer()`, `balance()` and a call's
//! `transferred_value` are all `U256`). Core counts bonds, premiums, shares'
//! assets and payouts in native units (`u128`), so [`native_value`] divides
//! by [`BulwarkEnv`]'s `NATIVE_TO_ETH_RATIO` and refuses a remainder or a
//! quotient beyond `u128` (no truncation), and [`eth_value`] multiplies back
//! (exact: a `u128` times a `u32` fits a `U256`). A call's storage
//! deposit limit is the exception: pallet-revive 0.20.2's `call` host
//! function reads it in native units (`CallResources::from_weight_and_deposit`
//! saturates the `U256` into `BalanceOf<T>`, exec.rs), so [`deposit_limit`]
//! passes native units through unconverted. Token amounts of the
//! protected protocol (`check_outflow`, `record_inflow`, prices) are the
//! protocol token's base units and are never converted.
//!
//! **Time.** Core times are milliseconds. pallet-revive 0.20.2's `now` host
//! function (what ink!'s `block_timestamp()` reads) returns the block's
//! timestamp in **seconds** (exec.rs: `self.timestamp / 1000`, as Ethereum's
//! `TIMESTAMP`), so [`now_ms`] multiplies by 1000: every time a contract
//! hands core is a whole second.

use crate::BulwarkEnv;
use bulwark_core::{AccountId, Balance, Timestamp};
use ink::env::Environment;
use ink::{Address, U256};

/// The core account of `address`: right-aligned, 12 zero bytes first.
pub fn account(address: &Address) -> AccountId {
    let mut out = [0u8; 32];
    let (_, low) = out.split_at_mut(12);
    low.copy_from_slice(address.as_bytes());
    out
}

/// The address a core account stands for; `None` if its first 12 bytes are
/// not all zero (it was not made by [`account`], and no address maps to it).
pub fn address(account: &AccountId) -> Option<Address> {
    let (pad, low) = account.split_at(12);
    pad.iter().all(|b| *b == 0).then(|| Address::from_slice(low))
}

/// Why a value in the Ethereum view has no exact native amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum ValueError {
    /// Not a whole number of native units: the part below one native unit
    /// (`NATIVE_TO_ETH_RATIO` in the Ethereum view) would be lost.
    NotWholeNativeUnits,
    /// More native units than a `u128` holds.
    TooLarge,
}

/// Native units per unit of the Ethereum view's smallest denomination:
/// [`BulwarkEnv`]'s `NATIVE_TO_ETH_RATIO`.
pub const NATIVE_TO_ETH_RATIO: u32 = <BulwarkEnv as Environment>::NATIVE_TO_ETH_RATIO;

/// The native amount of `eth` (a value in the chain's Ethereum view, as
/// `transferred_value()` returns it), exactly.
pub fn native_value(eth: U256) -> Result<Balance, ValueError> {
    let ratio = U256::from(NATIVE_TO_ETH_RATIO);
    let remainder = eth.checked_rem(ratio).ok_or(ValueError::NotWholeNativeUnits)?;
    if !remainder.is_zero() {
        return Err(ValueError::NotWholeNativeUnits);
    }
    let native = eth.checked_div(ratio).ok_or(ValueError::NotWholeNativeUnits)?;
    Balance::try_from(native).map_err(|_| ValueError::TooLarge)
}

/// `native` in the chain's Ethereum view, as `transfer()` and a call's
/// `transferred_value` take it. Exact: at most `u128::MAX * u32::MAX < 2^160`.
pub fn eth_value(native: Balance) -> U256 {
    U256::from(native).saturating_mul(U256::from(NATIVE_TO_ETH_RATIO))
}

/// A call's storage deposit limit of `native` units, as ink!'s
/// `storage_deposit_limit` passes it to pallet-revive's `call` host
/// function, which reads it in native units (not the Ethereum view).
pub fn deposit_limit(native: Balance) -> U256 {
    U256::from(native)
}

/// Core's clock (milliseconds) from ink!'s `block_timestamp()` (seconds on
/// pallet-revive). Saturates 584 million years from now.
pub fn now_ms(block_timestamp_secs: u64) -> Timestamp {
    block_timestamp_secs.saturating_mul(1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_round_trip_right_aligned() {
        let a = Address::from([0xab; 20]);
        let acc = account(&a);
        assert_eq!(&acc[..12], &[0u8; 12]);
        assert_eq!(&acc[12..], a.as_bytes());
        assert_eq!(address(&acc), Some(a));
        for i in 0..12 {
            let mut foreign = acc;
            foreign[i] = 1;
            assert_eq!(address(&foreign), None, "byte {i} of the padding set");
        }
        assert_eq!(address(&[0; 32]), Some(Address::zero()));
    }

    #[test]
    fn value_converts_exactly_or_not_at_all() {
        let ratio = U256::from(NATIVE_TO_ETH_RATIO);
        assert_eq!(NATIVE_TO_ETH_RATIO, 1_000_000, "revive-dev-runtime: 12 native decimals, 18 in the eth view");
        assert_eq!(native_value(U256::zero()), Ok(0));
        assert_eq!(native_value(ratio * 1_234), Ok(1_234));
        assert_eq!(native_value(ratio * 1_234 + 1), Err(ValueError::NotWholeNativeUnits));
        assert_eq!(native_value(ratio - 1), Err(ValueError::NotWholeNativeUnits));
        assert_eq!(native_value(eth_value(u128::MAX)), Ok(u128::MAX));
        assert_eq!(native_value(eth_value(u128::MAX) + ratio), Err(ValueError::TooLarge));
        assert_eq!(native_value(U256::MAX - U256::MAX % ratio), Err(ValueError::TooLarge));
        for n in [0, 1, 999, 10u128.pow(12), u128::MAX / 3, u128::MAX] {
            assert_eq!(native_value(eth_value(n)), Ok(n));
        }
    }

    #[test]
    fn seconds_become_milliseconds() {
        assert_eq!(now_ms(0), 0);
        assert_eq!(now_ms(1_700_000_000), 1_700_000_000_000);
        assert_eq!(now_ms(u64::MAX), u64::MAX);
    }
}

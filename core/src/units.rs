//! The chain's units for a protected asset, and the one place where a token
//! amount becomes value.
//!
//! On chain the breaker sees raw numbers: an amount in the token's base units
//! (`10^decimals` per whole token) and the oracle's price of one *whole* token
//! in its quote currency, scaled by `10^price_decimals`, exactly as the oracle
//! publishes it. Limits, floors and window counts are in **value units**:
//! millionths of the quote currency (`VALUE_DECIMALS` = 6, micro-USD for a
//! USD feed). So
//!
//! `value = amount × price / 10^(decimals + price_decimals − VALUE_DECIMALS)`.
//!
//! Invariant: the value of a holding depends only on the holding and its
//! price, never on the scales chosen to write them down (a property test
//! checks this across scales). Nothing is converted off chain: the oracle's
//! price goes on chain as published, and each asset carries its own units,
//! so an 18-decimal token beside a 6-decimal one is valued correctly.

use crate::error::ParamError;
use crate::math::{mul_div, mul_div_up};
use crate::types::Balance;

/// Decimals of the value unit: one value unit is 10^-6 of the quote currency.
pub const VALUE_DECIMALS: u8 = 6;
/// Largest exponent of the price unit: 10^38 is the largest power of ten in a `u128`.
pub const MAX_PRICE_UNIT_EXPONENT: u8 = 38;

/// 10^0 ..= 10^38. Evaluated at compile time: an index or overflow fault
/// here fails the build, never a call.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const POW10: [Balance; 39] = {
    let mut t = [1; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};
/// 10^19 is the largest power of ten below 2^64: dividing by at most it
/// takes the 128-by-64-bit fast path, so a larger unit is divided in two steps.
const MAX_U64_POW10: u8 = 19;

/// How an asset's amounts and prices are written on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct AssetUnits {
    /// Base units per whole token: `10^decimals` (18 for most EVM-style tokens).
    pub decimals: u8,
    /// The oracle's price scale: a price of one whole token is published
    /// multiplied by `10^price_decimals` (8 for most USD feeds).
    pub price_decimals: u8,
}

impl AssetUnits {
    /// `10^(decimals + price_decimals − VALUE_DECIMALS)`: the divisor that
    /// turns `amount × price` into value units.
    pub fn price_unit(&self) -> Result<Balance, ParamError> {
        pow10(self.exponent()?).ok_or(ParamError::AssetUnits)
    }

    /// `decimals + price_decimals − VALUE_DECIMALS`, if in 0..=38.
    fn exponent(&self) -> Result<u8, ParamError> {
        self.decimals
            .checked_add(self.price_decimals)
            .and_then(|e| e.checked_sub(VALUE_DECIMALS))
            .filter(|e| *e <= MAX_PRICE_UNIT_EXPONENT)
            .ok_or(ParamError::AssetUnits)
    }

    pub fn validate(&self) -> Result<(), ParamError> {
        self.price_unit().map(|_| ())
    }

    /// Value units of `amount` base units at `price`, rounded down; `None`
    /// on overflow or invalid units.
    pub fn value_of(&self, amount: Balance, price: Balance) -> Option<Balance> {
        let e = self.exponent().ok()?;
        match amount.checked_mul(price) {
            // ⌊⌊x / a⌋ / b⌋ = ⌊x / ab⌋: two divisions by at most 10^19 each,
            // on the hot path of every outflow decision.
            Some(x) => {
                let first = e.min(MAX_U64_POW10);
                let rest = e.checked_sub(first)?;
                x.checked_div(pow10(first)?)?.checked_div(pow10(rest)?)
            }
            None => mul_div(amount, price, pow10(e)?),
        }
    }

    /// Base units worth `value` at `price`, rounded down; `None` for a zero
    /// price, overflow or invalid units.
    pub fn amount_for(&self, value: Balance, price: Balance) -> Option<Balance> {
        mul_div(value, self.price_unit().ok()?, price)
    }

    /// The most base units whose [`AssetUnits::value_of`] at `price` is at
    /// most `value`: `⌊((value + 1) × unit − 1) / price⌋`, since `⌊a × price
    /// / unit⌋ ≤ value ⇔ a × price < (value + 1) × unit`. It is what a
    /// window with `value` units of room lets leave; [`AssetUnits::amount_for`]
    /// rounds the other way and falls up to `unit / price` short of it.
    /// `Balance::MAX` when that bound does not fit; `None` for a zero price
    /// or invalid units.
    pub fn max_amount_within(&self, value: Balance, price: Balance) -> Option<Balance> {
        if price == 0 {
            return None;
        }
        let unit = self.price_unit().ok()?;
        let Some(next) = value.checked_add(1) else {
            return Some(Balance::MAX);
        };
        // ⌈(value + 1) × unit / price⌉ ≥ 1, so the subtraction cannot wrap.
        Some(mul_div_up(next, unit, price).map_or(Balance::MAX, |up| up.saturating_sub(1)))
    }

    /// The fewest tokens worth at least `value` at `price` (`None` if no
    /// amount is, or on overflow): what pays back `value` of counted
    /// outflow.
    pub fn min_amount_covering(&self, value: Balance, price: Balance) -> Option<Balance> {
        match value.checked_sub(1) {
            None => Some(0),
            Some(below) => self.max_amount_within(below, price)?.checked_add(1),
        }
    }
}

fn pow10(e: u8) -> Option<Balance> {
    POW10.get(usize::from(e)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_whole_token_at_its_published_price_is_worth_that_price_in_value_units() {
        // 1 ETH (18 decimals) at $3,000.12345678 on an 8-decimal feed.
        let eth = AssetUnits { decimals: 18, price_decimals: 8 };
        assert_eq!(eth.value_of(10u128.pow(18), 300_012_345_678), Some(3_000_123_456));
        // 1 USDC (6 decimals) at $1 on an 18-decimal feed.
        let usdc = AssetUnits { decimals: 6, price_decimals: 18 };
        assert_eq!(usdc.value_of(1_000_000, 10u128.pow(18)), Some(1_000_000));
        assert_eq!(usdc.amount_for(1_000_000, 10u128.pow(18)), Some(1_000_000));
    }

    #[test]
    fn units_outside_a_u128_or_below_the_value_unit_are_refused() {
        assert_eq!(AssetUnits { decimals: 2, price_decimals: 3 }.validate(), Err(ParamError::AssetUnits));
        assert_eq!(AssetUnits { decimals: 30, price_decimals: 15 }.validate(), Err(ParamError::AssetUnits));
        assert_eq!(AssetUnits { decimals: 255, price_decimals: 255 }.validate(), Err(ParamError::AssetUnits));
        assert!(AssetUnits { decimals: 26, price_decimals: 18 }.validate().is_ok());
        assert!(AssetUnits { decimals: 0, price_decimals: 6 }.validate().is_ok());
    }

    proptest! {
        /// Fairness across scales: a holding of `tokens` whole tokens at a
        /// price of `cents` hundredths is worth the same value whatever
        /// decimals the token and the feed use.
        #[test]
        fn a_holding_is_worth_the_same_in_any_units(
            tokens in 0u128..1_000_000_000,
            cents in 1u128..100_000_000,
            d1 in 0u8..=20, p1 in 2u8..=18, d2 in 0u8..=20, p2 in 2u8..=18,
        ) {
            let (a, b) = (AssetUnits { decimals: d1, price_decimals: p1 }, AssetUnits { decimals: d2, price_decimals: p2 });
            prop_assume!(a.validate().is_ok() && b.validate().is_ok());
            let amount = |u: AssetUnits| tokens * 10u128.pow(u32::from(u.decimals));
            let price = |u: AssetUnits| cents * 10u128.pow(u32::from(u.price_decimals - 2));
            let expected = tokens * cents * 10_000; // value units: tokens × cents/100 × 10^6
            prop_assert_eq!(a.value_of(amount(a), price(a)), Some(expected));
            prop_assert_eq!(b.value_of(amount(b), price(b)), Some(expected));
        }

        /// `max_amount_within` is the exact boundary of `value_of`: its
        /// amount is worth at most `value`, and one base unit more is not.
        #[test]
        fn max_amount_within_is_the_largest_amount_worth_at_most_the_value(
            value in prop_oneof![0u128..1_000_000, 0u128..u128::MAX >> 60],
            price in prop_oneof![1u128..1_000, 1u128..1u128 << 60],
            d in 0u8..=24, p in 0u8..=18,
        ) {
            let u = AssetUnits { decimals: d, price_decimals: p };
            prop_assume!(u.validate().is_ok());
            let a = u.max_amount_within(value, price).unwrap();
            prop_assume!(a < Balance::MAX);
            prop_assert!(u.value_of(a, price).is_some_and(|v| v <= value), "{} is worth more than {}", a, value);
            prop_assert!(u.value_of(a + 1, price).is_none_or(|v| v > value), "{} + 1 is still worth at most {}", a, value);
        }

        /// The two-step division equals one division by the whole unit.
        #[test]
        fn value_is_the_product_over_the_unit_rounded_down(
            amount in 0u128..u128::MAX >> 40,
            price in 1u128..1u128 << 40,
            d in 0u8..=30, p in 0u8..=18,
        ) {
            let u = AssetUnits { decimals: d, price_decimals: p };
            prop_assume!(u.validate().is_ok());
            prop_assert_eq!(u.value_of(amount, price), mul_div(amount, price, u.price_unit().unwrap()));
        }
    }
}

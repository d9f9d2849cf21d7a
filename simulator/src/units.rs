//! The deployment's chain units, and the one place where the simulator's
//! human amounts (USD) become the numbers a contract holds or compares.
//!
//! - **Value** (breaker limits, floors, window counts) is in value units,
//!   10^-6 of the oracle's quote currency (`bulwark_core::units`).
//! - **Protected assets** are in each token's base units, and their prices
//!   are the oracle's own numbers (`price_decimals`).
//! - **The insurance fund, bonds and the guard's value caps** are in the
//!   native token's base units: what `insurance_fund` holds and pays.
//!
//! The simulator runs every path in these units: what it measures is what
//! the chain would do with the same numbers, and `params.json` carries them
//! so that reading it back reproduces the same run exactly.

use crate::config_error::ConfigError;
use bulwark_core::units::{AssetUnits, VALUE_DECIMALS};
use bulwark_core::{AssetId, Balance};
use serde::{Deserialize, Serialize};

/// Everything needed to write amounts in the chain's units.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChainUnits {
    pub native: NativeToken,
    /// The protected assets, in the order of a market's assets.
    pub assets: Vec<AssetToken>,
}

/// The chain's native token: what the insurance fund holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NativeToken {
    pub symbol: String,
    pub decimals: u8,
    /// USD per whole token, to turn the config's USD amounts into it.
    pub usd_price: f64,
}

/// A protected asset as the breaker sees it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssetToken {
    /// The id the protected protocol passes to `check_outflow`.
    pub id: AssetId,
    pub symbol: String,
    pub decimals: u8,
    /// The oracle's price scale: it publishes USD per whole token × 10^price_decimals.
    pub price_decimals: u8,
    /// USD per whole token at deployment: the price the asset is registered at.
    pub usd_price: f64,
}

impl AssetToken {
    pub fn units(&self) -> AssetUnits {
        AssetUnits { decimals: self.decimals, price_decimals: self.price_decimals }
    }
}

/// `x × 10^decimals`, exact for `x` given to six decimals (so $5M at 18
/// decimals is 5×10^24, not the nearest double), saturating at 0 and at the
/// largest balance.
fn scaled(x: f64, decimals: u8) -> Balance {
    let d = u32::from(decimals);
    let micro = u32::from(VALUE_DECIMALS);
    if d >= micro {
        let whole = (x * 1e6).round().max(0.0) as Balance;
        whole.saturating_mul(10u128.saturating_pow(d - micro))
    } else {
        (x * 10f64.powi(d as i32)).round().max(0.0) as Balance
    }
}

fn unscaled(b: Balance, decimals: u8) -> f64 {
    b as f64 / 10f64.powi(i32::from(decimals))
}

impl ChainUnits {
    /// Value units for `usd`.
    pub fn value(&self, usd: f64) -> Balance {
        scaled(usd, VALUE_DECIMALS)
    }

    /// Native base units worth `usd`.
    pub fn native(&self, usd: f64) -> Balance {
        scaled(usd / self.native.usd_price, self.native.decimals)
    }

    /// USD worth of `amount` native base units.
    pub fn native_usd(&self, amount: Balance) -> f64 {
        unscaled(amount, self.native.decimals) * self.native.usd_price
    }

    /// Base units of asset `i` worth `usd` at `usd_price` per token.
    pub fn tokens(&self, i: usize, usd: f64, usd_price: f64) -> Balance {
        scaled(usd / usd_price, self.assets[i].decimals)
    }

    /// USD worth of `amount` base units of asset `i` at `usd_price`.
    pub fn tokens_usd(&self, i: usize, amount: Balance, usd_price: f64) -> f64 {
        unscaled(amount, self.assets[i].decimals) * usd_price
    }

    /// The oracle's number for `usd_price` per whole token of asset `i` (at least 1).
    pub fn price(&self, i: usize, usd_price: f64) -> Balance {
        scaled(usd_price, self.assets[i].price_decimals).max(1)
    }

    /// Checks the units through bulwark-core; `at` is where they are written.
    pub fn validate(&self, at: &str, needed_assets: usize) -> Result<(), ConfigError> {
        let err = |path: String, message: String| ConfigError { path, message };
        if !(1..=38).contains(&self.native.decimals) {
            return Err(err(format!("{at}.native.decimals"), format!("{}; allowed 1 ..= 38", self.native.decimals)));
        }
        if !(self.native.usd_price > 0.0 && self.native.usd_price <= 1e9) {
            return Err(err(
                format!("{at}.native.usd_price"),
                format!("{}; allowed > 0 ..= 1e9", self.native.usd_price),
            ));
        }
        if self.assets.len() < needed_assets || self.assets.len() > crate::market::MAX_ASSETS {
            return Err(err(
                format!("{at}.assets"),
                format!(
                    "{} assets; the markets use {needed_assets}, allowed {needed_assets} ..= {}",
                    self.assets.len(),
                    crate::market::MAX_ASSETS
                ),
            ));
        }
        for (i, a) in self.assets.iter().enumerate() {
            if self.assets[..i].iter().any(|o| o.id == a.id) {
                return Err(err(format!("{at}.assets[{i}].id"), format!("{} is used twice", a.id)));
            }
            a.units().validate().map_err(|e| {
                err(format!("{at}.assets[{i}]"), format!("decimals and price_decimals: must be {}", e.allowed()))
            })?;
            if !(a.usd_price > 0.0 && a.usd_price <= 1e9) {
                return Err(err(
                    format!("{at}.assets[{i}].usd_price"),
                    format!("{}; allowed > 0 ..= 1e9", a.usd_price),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> ChainUnits {
        crate::config::Config::default().units
    }

    #[test]
    fn round_amounts_are_exact_at_every_scale() {
        let u = units();
        // $5M of a $1 native token with 12 decimals, and of one at 18.
        assert_eq!(u.native(5e6), 5 * 10u128.pow(18));
        let mut u18 = u.clone();
        u18.native.decimals = 18;
        assert_eq!(u18.native(5e6), 5 * 10u128.pow(24));
        assert_eq!(u.value(10_000.0), 10_000_000_000);
    }

    #[test]
    fn every_unit_round_trips_through_usd() {
        let u = units();
        assert_eq!(u.native_usd(u.native(1_234_567.0)), 1_234_567.0);
        for i in 0..u.assets.len() {
            let p = u.assets[i].usd_price;
            // Amounts are kept to 10^-6 token: at most half of that is lost.
            assert!((u.tokens_usd(i, u.tokens(i, 1e6, p), p) - 1e6).abs() <= 0.5e-6 * p, "asset {i}");
            // The breaker values those tokens at the oracle's price as the same USD.
            let v = u.assets[i].units().value_of(u.tokens(i, 1e6, p), u.price(i, p)).unwrap();
            assert!((v as f64 / 1e6 - 1e6).abs() < 1.0, "asset {i}: {v}");
        }
    }
}

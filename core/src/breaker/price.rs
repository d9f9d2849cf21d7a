//! Oracle price state and the deviation band.

use crate::math::{apply_bps, mul_div, ratio_bps};
use crate::types::{Balance, Bps, Timestamp};

/// Prices are value units per token unit, scaled by this factor.
pub const PRICE_SCALE: Balance = 1_000_000_000;

/// Parameters of the price band.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PriceBandParams {
    /// Largest allowed distance of a reported price from the reference.
    pub max_deviation_bps: Bps,
    /// A price older than this no longer values outflows.
    pub max_staleness_ms: u64,
    /// How far the reference moves toward each in-band report (10_000 =
    /// adopt it). Small values make a slow price walk expensive: with 10%
    /// the reference only covers a tenth of each step.
    pub reference_smoothing_bps: Bps,
}

/// What a price report did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PriceVerdict {
    /// First price for the asset: it became the reference.
    Anchored,
    /// Within the band; the reference moved toward it.
    WithinBand { deviation_bps: Bps },
    /// Outside the band: the reference is kept and the breaker halts.
    Deviated { deviation_bps: Bps },
}

/// Why a price cannot value an outflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PriceFault {
    Missing,
    Stale,
    Deviated,
}

/// The last reported price and the reference it is judged against.
///
/// Invariants: `reference == 0` iff no price was ever reported; the reference
/// only moves by in-band reports (by at most the band times the smoothing)
/// or by an explicit re-anchor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PriceState {
    pub reference: Balance,
    pub last: Balance,
    pub updated_at: Timestamp,
}

impl PriceState {
    /// Distance of `price` from the reference in bps, saturating at u32::MAX.
    pub fn deviation_bps(&self, price: Balance) -> Bps {
        ratio_bps(price.abs_diff(self.reference), self.reference)
    }

    /// Records a report (price > 0 is checked by the caller).
    pub(crate) fn report(&mut self, price: Balance, now: Timestamp, p: &PriceBandParams) -> PriceVerdict {
        self.last = price;
        self.updated_at = now;
        if self.reference == 0 {
            self.reference = price;
            return PriceVerdict::Anchored;
        }
        let deviation_bps = self.deviation_bps(price);
        if deviation_bps > p.max_deviation_bps {
            return PriceVerdict::Deviated { deviation_bps };
        }
        let step = apply_bps(price.abs_diff(self.reference), p.reference_smoothing_bps).unwrap_or(0);
        self.reference = if price >= self.reference {
            self.reference.saturating_add(step)
        } else {
            self.reference.saturating_sub(step).max(1)
        };
        PriceVerdict::WithinBand { deviation_bps }
    }

    /// Sets both reference and last price (an admin re-anchor).
    pub(crate) fn anchor(&mut self, price: Balance, now: Timestamp) {
        self.reference = price;
        self.last = price;
        self.updated_at = now;
    }

    /// Whether the last price may value an outflow at `now`.
    pub(crate) fn usable(&self, now: Timestamp, p: &PriceBandParams) -> Result<Balance, PriceFault> {
        if self.reference == 0 {
            return Err(PriceFault::Missing);
        }
        if now.saturating_sub(self.updated_at) > p.max_staleness_ms {
            return Err(PriceFault::Stale);
        }
        if self.deviation_bps(self.last) > p.max_deviation_bps {
            return Err(PriceFault::Deviated);
        }
        Ok(self.last)
    }
}

/// Value of `amount` token units at `price`.
pub fn value_of(amount: Balance, price: Balance) -> Option<Balance> {
    mul_div(amount, price, PRICE_SCALE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band() -> PriceBandParams {
        PriceBandParams { max_deviation_bps: 1_000, max_staleness_ms: 60_000, reference_smoothing_bps: 5_000 }
    }

    #[test]
    fn first_report_anchors_then_band_applies() {
        let mut s = PriceState::default();
        assert_eq!(s.report(100, 0, &band()), PriceVerdict::Anchored);
        assert_eq!(s.report(108, 1, &band()), PriceVerdict::WithinBand { deviation_bps: 800 });
        assert_eq!(s.reference, 104, "moves half way with 50% smoothing");
        assert_eq!(s.report(150, 2, &band()), PriceVerdict::Deviated { deviation_bps: 4_423 });
        assert_eq!(s.reference, 104, "a deviating price never moves the reference");
        assert_eq!(s.usable(2, &band()), Err(PriceFault::Deviated));
    }

    #[test]
    fn stale_and_missing_prices_are_unusable() {
        let mut s = PriceState::default();
        assert_eq!(s.usable(0, &band()), Err(PriceFault::Missing));
        s.report(100, 0, &band());
        assert_eq!(s.usable(60_000, &band()), Ok(100));
        assert_eq!(s.usable(60_001, &band()), Err(PriceFault::Stale));
    }

    #[test]
    fn slow_walk_costs_more_steps_with_smoothing() {
        // With 10% smoothing, ten 9% pushes move the reference far less than 9% each.
        let p = PriceBandParams { reference_smoothing_bps: 1_000, ..band() };
        let mut s = PriceState::default();
        s.report(1_000_000, 0, &p);
        let mut price = 1_000_000u128;
        let mut deviated = false;
        for t in 1..=10 {
            price = price * 109 / 100;
            if let PriceVerdict::Deviated { .. } = s.report(price, t, &p) {
                deviated = true;
                break;
            }
        }
        assert!(deviated, "a walk of 9% steps leaves the band within ten reports");
    }
}

//! Oracle price state and the deviation band.

use crate::math::{mul_div, ratio_bps};
use crate::types::{Balance, Bps, Timestamp};

/// The time unit of `reference_smoothing_bps`: one minute.
pub const SMOOTHING_PERIOD_MS: u64 = 60_000;
/// Fixed-point one for the smoothing weight: 10^18.
const WAD: Balance = 1_000_000_000_000_000_000;

/// The share (in [`WAD`]) of its distance to a report that the reference
/// keeps after `elapsed_ms`: `(1 − s)^m × (1 − s × f)` for `m` whole
/// minutes and a fraction `f` of one, `s` being the smoothing per minute.
///
/// Why compounding: with a weight linear in the elapsed time, floored to
/// whole bps per report, reports every 6 s at under 10 bps/min moved the
/// reference nowhere, and at 15 bps/min a third too slowly, while one
/// report after 24 h adopted the price outright. Compounded per minute,
/// reports at any interval of whole minutes give exactly what one report
/// gives; within a minute the share is linear, which differs from
/// compounding by less than `s²` per minute.
fn keep_wad(smoothing_bps: Bps, elapsed_ms: u64) -> Balance {
    // s ≤ 10_000 bps, so s_wad ≤ WAD.
    let s_wad = Balance::from(smoothing_bps.min(crate::types::BPS_DENOMINATOR)).saturating_mul(100_000_000_000_000);
    let minutes = elapsed_ms.checked_div(SMOOTHING_PERIOD_MS).unwrap_or(0);
    let rest = elapsed_ms.checked_rem(SMOOTHING_PERIOD_MS).unwrap_or(0);
    // (1 − s)^minutes by squaring; every factor is at most WAD, so no product
    // overflows. Skipped, as exact identities: a product with `keep` while it
    // is still WAD (WAD · b / WAD = b) and the square no later bit uses.
    let (mut keep, mut base, mut exp) = (WAD, WAD.saturating_sub(s_wad), minutes);
    while exp > 0 && keep > 0 {
        if exp & 1 == 1 {
            keep = if keep == WAD { base } else { mul_div(keep, base, WAD).unwrap_or(0) };
        }
        exp >>= 1;
        if exp > 0 {
            base = mul_div(base, base, WAD).unwrap_or(0);
        }
    }
    // Whole minutes: the linear part is one (keep · WAD / WAD = keep).
    if rest == 0 {
        return keep;
    }
    let within = mul_div(s_wad, Balance::from(rest), Balance::from(SMOOTHING_PERIOD_MS)).unwrap_or(0);
    // Under a minute: WAD · x / WAD = x.
    if keep == WAD {
        return WAD.saturating_sub(within);
    }
    mul_div(keep, WAD.saturating_sub(within), WAD).unwrap_or(0)
}

/// Parameters of the price band.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct PriceBandParams {
    /// Largest allowed distance of a reported price from the reference.
    pub max_deviation_bps: Bps,
    /// A price older than this no longer values outflows.
    pub max_staleness_ms: u64,
    /// How far the reference moves toward an in-band report per minute
    /// since it last moved (10_000 = adopt it after a minute). The rate is
    /// per unit of *time*, not per report: any number of reports in one
    /// block move it nowhere, so a price walk costs wall-clock time; and a
    /// steady price is followed alike whether it is reported every block
    /// or once (the weight compounds per whole minute, see [`keep_wad`]).
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
/// only moves by in-band reports or by an explicit re-anchor; an in-band
/// report at `now` moves it by at most
/// `min(1, smoothing × (now − reference_at) / SMOOTHING_PERIOD_MS)` of its
/// distance to the report, so reports at the timestamp of the last move
/// leave it where it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PriceState {
    pub reference: Balance,
    pub last: Balance,
    pub updated_at: Timestamp,
    /// When the reference last moved or was anchored.
    pub reference_at: Timestamp,
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
            self.reference_at = now;
            return PriceVerdict::Anchored;
        }
        let deviation_bps = self.deviation_bps(price);
        if deviation_bps > p.max_deviation_bps {
            return PriceVerdict::Deviated { deviation_bps };
        }
        let elapsed = now.saturating_sub(self.reference_at);
        let weight = WAD.saturating_sub(keep_wad(p.reference_smoothing_bps, elapsed));
        // Rounded down: the reference lags a steady report by less than one
        // price unit per report, and never overshoots it.
        let step = mul_div(price.abs_diff(self.reference), weight, WAD).unwrap_or(0);
        self.reference_at = self.reference_at.max(now);
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
        self.reference_at = now;
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
        assert_eq!(s.report(108, 60_000, &band()), PriceVerdict::WithinBand { deviation_bps: 800 });
        assert_eq!(s.reference, 104, "moves half way after a minute with 50%/min smoothing");
        assert_eq!(s.report(150, 60_001, &band()), PriceVerdict::Deviated { deviation_bps: 4_423 });
        assert_eq!(s.reference, 104, "a deviating price never moves the reference");
        assert_eq!(s.usable(60_001, &band()), Err(PriceFault::Deviated));
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
            let t = t * SMOOTHING_PERIOD_MS;
            if let PriceVerdict::Deviated { .. } = s.report(price, t, &p) {
                deviated = true;
                break;
            }
        }
        assert!(deviated, "a walk of 9% steps leaves the band within ten reports");
    }

    /// Defect: smoothing was per report, so many in-band reports at one
    /// timestamp walked the reference anywhere (3× in 103 reports).
    #[test]
    fn reports_in_one_block_cannot_walk_the_reference() {
        let p = PriceBandParams { reference_smoothing_bps: 1_000, ..band() };
        let mut s = PriceState::default();
        s.report(1_000_000, 0, &p);
        for _ in 0..103 {
            let price = s.reference * 109 / 100;
            assert!(matches!(s.report(price, 12_000, &p), PriceVerdict::WithinBand { .. }));
        }
        // 12 s at 10%/min: the reference covers at most 2% of a 9% gap.
        assert!(s.reference <= 1_001_800, "reference walked to {}", s.reference);
    }

    /// Issue 20, item 3: a steady price 5% above the reference is followed
    /// alike whether it is reported every 6 s, 12 s, 5 min or once, after
    /// 24 h: within 0.5 bps of the price. On 269b1af the 6 s reporter's
    /// reference never moved below 10 bps/min (the weight floored to zero
    /// bps), and at 15 bps/min it followed a third too slowly.
    #[test]
    fn the_reference_follows_a_steady_price_alike_at_any_report_interval() {
        let day = 24 * 60 * SMOOTHING_PERIOD_MS;
        for smoothing in [1, 4, 9, 15, 100, 1_000] {
            let p = PriceBandParams {
                max_deviation_bps: 1_000,
                max_staleness_ms: u64::MAX,
                reference_smoothing_bps: smoothing,
            };
            let reference_after = |interval: u64| {
                let mut s = PriceState::default();
                s.report(1_000_000_000, 0, &p);
                let mut now = 0;
                while now < day {
                    now = (now + interval).min(day);
                    assert!(matches!(s.report(1_050_000_000, now, &p), PriceVerdict::WithinBand { .. }));
                }
                s.reference
            };
            let once = reference_after(day);
            let expected = 1_050_000_000.0 - 50_000_000.0 * (1.0 - f64::from(smoothing) / 10_000.0).powi(1_440);
            assert!((once as f64 - expected).abs() <= 1.0, "{smoothing} bps/min once: {once}, expected {expected}");
            for interval in [6_000, 12_000, 5 * SMOOTHING_PERIOD_MS] {
                let r = reference_after(interval);
                // 0.5 bps of the price.
                assert!(r.abs_diff(once) <= 52_500, "{smoothing} bps/min every {interval} ms: {r}, once: {once}");
            }
        }
    }

    /// [`keep_wad`] as first written, every product computed: the
    /// reference its shortcuts must match bit for bit.
    fn keep_wad_plain(smoothing_bps: Bps, elapsed_ms: u64) -> Balance {
        let s_wad = Balance::from(smoothing_bps.min(crate::types::BPS_DENOMINATOR)).saturating_mul(100_000_000_000_000);
        let minutes = elapsed_ms.checked_div(SMOOTHING_PERIOD_MS).unwrap_or(0);
        let rest = elapsed_ms.checked_rem(SMOOTHING_PERIOD_MS).unwrap_or(0);
        let (mut keep, mut base, mut exp) = (WAD, WAD.saturating_sub(s_wad), minutes);
        while exp > 0 && keep > 0 {
            if exp & 1 == 1 {
                keep = mul_div(keep, base, WAD).unwrap_or(0);
            }
            base = mul_div(base, base, WAD).unwrap_or(0);
            exp >>= 1;
        }
        let within = mul_div(s_wad, Balance::from(rest), Balance::from(SMOOTHING_PERIOD_MS)).unwrap_or(0);
        mul_div(keep, WAD.saturating_sub(within), WAD).unwrap_or(0)
    }

    proptest::proptest! {
        /// The shortcuts in `keep_wad` are exact: the same share as every
        /// product computed, at any smoothing and elapsed time (whole
        /// minutes included, the simulator's usual case).
        #[test]
        fn keep_wad_shortcuts_are_exact(
            smoothing_bps in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..=10_000, 10_000u32..=u32::MAX],
            minutes in proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..=120, 0u64..=10_000_000],
            rest in proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..SMOOTHING_PERIOD_MS],
        ) {
            let elapsed = minutes.saturating_mul(SMOOTHING_PERIOD_MS).saturating_add(rest);
            proptest::prop_assert_eq!(keep_wad(smoothing_bps, elapsed), keep_wad_plain(smoothing_bps, elapsed));
        }

        /// Splitting a time span into more reports never moves the reference
        /// further than one report at its end would: the move is bounded by
        /// the elapsed time, not by the number of reports.
        #[test]
        fn the_reference_follows_time_not_report_count(
            smoothing in 1u32..=10_000,
            steps in proptest::collection::vec((0u64..30_000, 0u32..=900), 1..60),
        ) {
            let p = PriceBandParams { max_deviation_bps: 1_000, max_staleness_ms: u64::MAX, reference_smoothing_bps: smoothing };
            let mut s = PriceState::default();
            s.report(1_000_000_000, 0, &p);
            let mut now = 0u64;
            for (dt, up_bps) in steps {
                now += dt;
                // Always push up by up to 9% of the current reference (in band).
                let price = s.reference + s.reference * u128::from(up_bps) / 10_000;
                s.report(price, now, &p);
            }
            // Upper bound: continuous growth at rate 9%×smoothing per minute.
            let rate = 0.09 * f64::from(smoothing) / 10_000.0 / SMOOTHING_PERIOD_MS as f64;
            let bound = 1_000_000_000f64 * (rate * now as f64).exp() + 1.0;
            proptest::prop_assert!((s.reference as f64) <= bound, "reference {} > bound {bound} after {now} ms", s.reference);
        }
    }
}

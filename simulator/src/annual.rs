//! The one-year aggregate loss, by frequency and severity (the Basel
//! loss-distribution approach).
//!
//! A path is one horizon; a year holds a random number of attacks of every
//! kind. Each simulated year draws, for every attack scenario, a Poisson
//! number of attacks at its real yearly rate, and for each attack a loss
//! from that scenario's simulated paths *with exactly one attack* (attack
//! loss plus the downtime after it began). Importance sampling weighs a path
//! by its number of attacks only, so the one-attack paths are an unweighted
//! sample of the loss given one attack. The attack-free regimes add their
//! expected downtime for the days a year they last.
//!
//! Each attack also draws a claim on the insurance fund: bulwark-core's own
//! `file_claim` splits the attack's loss with the reinsurance layer and caps
//! the fund's part, so the year's claim payouts are what the fund itself
//! must pay.
//!
//! From the years: VaR and expected shortfall at 95, 97.5 (FRTB's ES), 99
//! and 99.9% (Basel's operational-risk quantile), of the protocol's loss
//! and of the fund's payouts. The capital charge uses the loss's annual
//! 99.9% VaR; the fund-adequacy constraint, the payouts' annual 99.9% VaR,
//! which is also the fund size the report recommends.
//!
//! The intervals cover the sampling of years only: the severities are
//! resampled from a finite set of paths, whose own uncertainty is in the
//! per-scenario metrics.

use crate::config::{AttackConfig, Config};
use crate::engine::path_rng;
use crate::metrics::{cvar_se, quantile_interval, var_cvar, Estimate, Z95};
use crate::params::ContractParams;
use crate::sim::PathOutcome;
use bulwark_core::fund::InsuranceFund;
use rand::Rng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;
use serde::Serialize;

/// The annual levels reported.
pub const ANNUAL_LEVELS: [f64; 4] = [0.95, 0.975, 0.99, 0.999];
/// Index of 99.9% in [`ANNUAL_LEVELS`].
pub const VAR_999: usize = 3;
/// Years simulated for the final evaluation.
pub const FINAL_YEARS: u64 = 200_000;
/// Fewest one-attack paths a scenario needs for its severity sample.
pub const MIN_SEVERITY_PATHS: usize = 50;

/// A yearly distribution's mean, VaR and expected shortfall.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearlyDistribution {
    pub mean: f64,
    /// VaR and expected shortfall at [`ANNUAL_LEVELS`].
    pub var: [Estimate; 4],
    pub es: [Estimate; 4],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnnualLoss {
    pub years: u64,
    /// The protocol's yearly loss: attacks, their downtime, false trips.
    pub loss: YearlyDistribution,
    /// The insurance fund's yearly claim payouts.
    pub claims: YearlyDistribution,
    /// P(a year's claims exceed the fund's capital).
    pub p_claims_exceed_fund: f64,
    /// The fund capital that covers a year's claims at 99.9% within
    /// `max_annual_claims_share_of_fund`, and the solvency target (bps of
    /// active cover) that asks for it.
    pub recommended_fund: f64,
    pub recommended_solvency_target_bps: f64,
    /// Attack scenarios left out for too few one-attack paths.
    pub skipped: Vec<String>,
}

impl AnnualLoss {
    pub fn var_999(&self) -> f64 {
        self.loss.var[VAR_999].value
    }
    pub fn claims_var_999(&self) -> f64 {
        self.claims.var[VAR_999].value
    }
}

/// An attack scenario's yearly count and its one-attack (loss, fund payout) sample.
type AttackKind = (Poisson<f64>, Vec<(f64, f64)>);

/// Builds the annual distributions from every scenario's outcomes under
/// `params` (in `cfg.scenarios` order).
pub fn annual_loss(cfg: &Config, params: &ContractParams, outcomes: &[&[PathOutcome]], years: u64) -> AnnualLoss {
    let horizon_days = f64::from(cfg.run.horizon_hours) / 24.0;
    let fund = InsuranceFund::new(params.insurance_fund.clone()).ok();
    // The fund's part of a claim, by bulwark-core's claim rules.
    let retained = |claimed: f64| -> f64 {
        let Some(mut f) = fund.clone().filter(|_| claimed > 0.0) else { return 0.0 };
        f.file_claim([0xcc; 32], params.units.native(claimed), 0).map_or(0.0, |c| params.units.native_usd(c.retained))
    };
    let mut fixed = 0.0;
    let mut kinds: Vec<AttackKind> = Vec::new();
    let mut skipped = Vec::new();
    for (s, out) in cfg.scenarios.iter().zip(outcomes) {
        if matches!(s.attack, AttackConfig::None) {
            let mean = out.iter().map(|o| o.weight * o.downtime_cost).sum::<f64>() / out.len().max(1) as f64;
            fixed += mean / horizon_days * cfg.markets[&s.market].days_per_year;
            continue;
        }
        if s.attacks_per_year <= 0.0 {
            continue;
        }
        let severities: Vec<(f64, f64)> = out
            .iter()
            .filter(|o| o.attacks == 1)
            .map(|o| (o.attack_loss + o.induced_downtime, retained(o.claimed)))
            .collect();
        match Poisson::new(s.attacks_per_year) {
            Ok(p) if severities.len() >= MIN_SEVERITY_PATHS => kinds.push((p, severities)),
            _ => skipped.push(s.name.clone()),
        }
    }
    let (mut losses, mut claims): (Vec<f64>, Vec<f64>) = (0..years)
        .into_par_iter()
        .map(|y| {
            let mut rng = path_rng(cfg.run.seed, "annual aggregate", y);
            let (mut loss, mut claims) = (fixed, 0.0);
            for (count, severities) in &kinds {
                let n = count.sample(&mut rng) as u64;
                for _ in 0..n {
                    let (l, c) = severities[rng.random_range(0..severities.len())];
                    loss += l;
                    claims += c;
                }
            }
            (loss, claims)
        })
        .unzip();
    let fund_capital = cfg.protocol.fund_capital_usd;
    let p_claims_exceed_fund = claims.iter().filter(|&&c| c > fund_capital).count() as f64 / years.max(1) as f64;
    let claims = distribution(&mut claims);
    let recommended_fund = claims.var[VAR_999].value / cfg.calibration.max_annual_claims_share_of_fund;
    AnnualLoss {
        years,
        loss: distribution(&mut losses),
        recommended_solvency_target_bps: (recommended_fund / cfg.protocol.active_cover_usd.max(1.0) * 1e4).ceil(),
        recommended_fund,
        claims,
        p_claims_exceed_fund,
        skipped,
    }
}

/// Mean, VaR (with its order-statistic interval) and expected shortfall
/// (with a normal interval from its influence function) of yearly totals:
/// the same estimators as a scenario's, with every year weighted 1.
fn distribution(totals: &mut [f64]) -> YearlyDistribution {
    totals.sort_by(f64::total_cmp);
    let nf = totals.len() as f64;
    let mean = totals.iter().sum::<f64>() / nf;
    let (v, e) = var_cvar(totals, |_| 1.0, nf, &ANNUAL_LEVELS);
    let var = std::array::from_fn(|i| {
        let (lo, hi) = quantile_interval(totals, ANNUAL_LEVELS[i]);
        Estimate { value: v[i], lo, hi }
    });
    let es = std::array::from_fn(|i| {
        let se = cvar_se(totals, |_| 1.0, |_| 1.0, v[i], ANNUAL_LEVELS[i], nf);
        Estimate { value: e[i], lo: e[i] - Z95 * se, hi: e[i] + Z95 * se }
    });
    YearlyDistribution { mean, var, es }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn one_attack(loss: f64) -> PathOutcome {
        PathOutcome { attack_loss: loss, claimed: loss, weight: 1.0, attacks: 1, ..PathOutcome::default() }
    }

    fn params(cfg: &Config) -> ContractParams {
        crate::params::build(cfg, &crate::params::Knobs::middle(&cfg.calibration)).unwrap()
    }

    /// One scenario at 2 attacks a year, each losing exactly $1M: the year's
    /// loss is $1M × Poisson(2), whose quantiles are known exactly.
    #[test]
    fn a_constant_severity_gives_the_poisson_quantiles() {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| s.name == "flash_loan_euler");
        cfg.scenarios[0].attacks_per_year = 2.0;
        let out: Vec<PathOutcome> = (0..1_000).map(|_| one_attack(1e6)).collect();
        let a = annual_loss(&cfg, &params(&cfg), &[&out], 1_000_000);
        assert!((a.loss.mean - 2e6).abs() < 0.02e6, "mean {}", a.loss.mean);
        // Poisson(2): P(N ≤ 4) = 0.947, P(N ≤ 5) = 0.983, P(N ≤ 6) = 0.9955, P(N ≤ 7) = 0.9989.
        assert_eq!(a.loss.var.map(|e| e.value), [5e6, 5e6, 6e6, 8e6]);
        for (v, e) in a.loss.var.iter().zip(&a.loss.es) {
            assert!(e.value >= v.value && e.lo <= e.value && e.value <= e.hi);
        }
        // Each $1M claim is below the $2M reinsurance attachment and the
        // $5M cap: the fund pays it whole.
        assert_eq!(a.claims, a.loss);
        assert_eq!(a.recommended_fund, 8e6);
        assert_eq!(a.recommended_solvency_target_bps, (8e6 / cfg.protocol.active_cover_usd * 1e4_f64).ceil());
    }

    /// A $10M hack is claimed whole, but the reinsurer takes $3M above the
    /// $2M attachment and the cap holds the fund's part to $5M: bulwark-core
    /// leaves the fund $5M of it.
    #[test]
    fn the_fund_pays_the_capped_part_net_of_reinsurance() {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| s.name == "flash_loan_euler");
        cfg.scenarios[0].attacks_per_year = 1.0;
        let out: Vec<PathOutcome> = (0..1_000).map(|_| one_attack(10e6)).collect();
        let a = annual_loss(&cfg, &params(&cfg), &[&out], 100_000);
        let ratio = a.claims.mean / a.loss.mean;
        assert!((ratio - 0.5).abs() < 1e-9, "the fund pays {ratio} of each loss");
    }

    #[test]
    fn scenarios_without_enough_one_attack_paths_are_named() {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| s.name == "flash_loan_euler");
        let out: Vec<PathOutcome> = (0..10).map(|_| one_attack(1.0)).collect();
        let a = annual_loss(&cfg, &params(&cfg), &[&out], 1_000);
        assert_eq!(a.skipped, vec!["flash_loan_euler".to_string()]);
        assert_eq!(a.loss.mean, 0.0);
    }
}

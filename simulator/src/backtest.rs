//! Backtests of the calibration's predictions on held-out paths: paths
//! drawn from another seed, at the real attack rate (no importance
//! sampling, so every path counts once).
//!
//! - **False trips** of the attack-free scenarios: the rate the calibration
//!   estimated against the held-out count.
//! - **VaR exceedances** of the attack scenarios: how often a held-out path
//!   loses more than the estimated VaR 99%, against how often the
//!   estimation paths said it would (P(L > VaR), which is below 1% where the
//!   loss has an atom at zero).
//!
//! Each is a Kupiec proportion-of-failures test (LR against χ²(1)) and a
//! Christoffersen test of independence of the indicators in path order
//! (χ²(1)), and their sum, conditional coverage (χ²(2)).
//!
//! Kupiec's test takes the predicted rate as exact. It is not: the
//! estimation paths are finite too, and with as many of them as held-out
//! paths the test rejects a true prediction about 17% of the time at a
//! nominal 5%. So beside it stands the same likelihood-ratio test of one
//! rate against two, for the estimation sample (as many paths as the
//! prediction's standard error is worth: `p(1−p)/se²`, which also covers
//! importance weights) and the held-out one; with infinitely many
//! estimation paths it is Kupiec's. Conditional coverage uses it. The χ²
//! distributions are statrs'. One scenario's test at 5% rejects a true
//! prediction one time in twenty, and the report holds a family of them,
//! so the verdicts use Holm's step-down correction on the
//! conditional-coverage p-values: the family rejects a true prediction at
//! most 5% of the time.

use crate::config::{AttackConfig, Config};
use crate::engine::simulate;
use crate::metrics::RiskMetrics;
use crate::params::ContractParams;
use indicatif::ProgressBar;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Held-out paths per scenario.
pub const HOLDOUT_PATHS: u64 = 20_000;
/// Mixed into the run's seed for the held-out paths.
const HOLDOUT_SEED: u64 = 0x484f_4c44_4f55_5421;
/// A test rejects below this p-value.
pub const SIGNIFICANCE: f64 = 0.05;

/// One backtest: a predicted rate against held-out indicators.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backtest {
    pub scenario: String,
    /// "false trips" or "VaR 99% exceedances".
    pub what: &'static str,
    pub predicted_rate: f64,
    /// The prediction's standard error on the estimation paths.
    pub predicted_se: f64,
    pub hits: u64,
    pub paths: u64,
    pub kupiec_lr: f64,
    pub kupiec_p: f64,
    /// Kupiec's test allowing for the prediction's sampling error.
    pub two_sample_lr: f64,
    pub two_sample_p: f64,
    pub independence_lr: f64,
    pub independence_p: f64,
    pub conditional_coverage_p: f64,
    /// Rejected by Holm's correction over the whole family.
    pub rejected: bool,
}

/// Holm's step-down: the k-th smallest of m p-values rejects if it and
/// every smaller one lie below `SIGNIFICANCE / (m − k)` (k from 0).
pub fn holm(tests: &mut [Backtest]) {
    let mut order: Vec<usize> = (0..tests.len()).collect();
    order.sort_by(|&a, &b| tests[a].conditional_coverage_p.total_cmp(&tests[b].conditional_coverage_p));
    let m = tests.len();
    for (k, &i) in order.iter().enumerate() {
        if tests[i].conditional_coverage_p >= SIGNIFICANCE / (m - k) as f64 {
            break;
        }
        tests[i].rejected = true;
    }
}

/// x ln(p), with 0 ln 0 = 0.
fn xlogp(x: f64, p: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else {
        x * p.ln()
    }
}

/// Kupiec's proportion-of-failures statistic: −2 ln of the likelihood of
/// `hits` in `n` at rate `p` over that at the observed rate.
pub fn kupiec_lr(hits: u64, n: u64, p: f64) -> f64 {
    let (x, n) = (hits as f64, n as f64);
    let observed = x / n;
    let null = binomial_ll(x, n, p);
    let alt = binomial_ll(x, n, observed);
    // A hit at a predicted rate of 0 (or a miss at 1) is impossible under the null.
    if null == f64::NEG_INFINITY || null.is_nan() {
        return f64::INFINITY;
    }
    (-2.0 * (null - alt)).max(0.0)
}

/// The log-likelihood of `x` hits in `n` at rate `p`.
fn binomial_ll(x: f64, n: f64, p: f64) -> f64 {
    xlogp(x, p) + xlogp(n - x, 1.0 - p)
}

/// The likelihood ratio of two rates against one: `x1` hits in `n1`
/// estimation paths (fractional: an effective sample) and `x2` in `n2`
/// held-out ones. Tends to [`kupiec_lr`] at rate `x1 / n1` as `n1` grows.
pub fn two_sample_lr(x1: f64, n1: f64, x2: f64, n2: f64) -> f64 {
    let pooled = (x1 + x2) / (n1 + n2);
    let alt = binomial_ll(x1, n1, x1 / n1) + binomial_ll(x2, n2, x2 / n2);
    let null = binomial_ll(x1, n1, pooled) + binomial_ll(x2, n2, pooled);
    (2.0 * (alt - null)).max(0.0)
}

/// Christoffersen's independence statistic on a 0/1 sequence: a first-order
/// Markov chain against independent draws at the overall rate.
pub fn independence_lr(hits: &[bool]) -> f64 {
    let mut n = [[0.0f64; 2]; 2];
    for w in hits.windows(2) {
        n[usize::from(w[0])][usize::from(w[1])] += 1.0;
    }
    let pi0 = n[0][1] / (n[0][0] + n[0][1]).max(1.0);
    let pi1 = n[1][1] / (n[1][0] + n[1][1]).max(1.0);
    let pi = (n[0][1] + n[1][1]) / (n[0][0] + n[0][1] + n[1][0] + n[1][1]).max(1.0);
    let null = xlogp(n[0][0] + n[1][0], 1.0 - pi) + xlogp(n[0][1] + n[1][1], pi);
    let alt = xlogp(n[0][0], 1.0 - pi0) + xlogp(n[0][1], pi0) + xlogp(n[1][0], 1.0 - pi1) + xlogp(n[1][1], pi1);
    (-2.0 * (null - alt)).max(0.0)
}

/// P(χ²(df) ≥ lr).
fn p_value(lr: f64, df: f64) -> f64 {
    if lr.is_infinite() {
        return 0.0;
    }
    let chi2 = ChiSquared::new(df).expect("df is 1 or 2");
    1.0 - chi2.cdf(lr)
}

/// The tests of `hits` against `predicted`, whose standard error on the
/// estimation paths is `se` (0: taken as exact).
pub fn backtest(scenario: &str, what: &'static str, predicted: f64, se: f64, hits: &[bool]) -> Backtest {
    let n = hits.len() as u64;
    let x = hits.iter().filter(|&&h| h).count() as u64;
    let kupiec = kupiec_lr(x, n, predicted);
    // A rate of 0 or 1 has no binomial spread to match: taken as exact.
    let two_sample = if se > 0.0 && predicted > 0.0 && predicted < 1.0 {
        let n1 = predicted * (1.0 - predicted) / (se * se);
        two_sample_lr(predicted * n1, n1, x as f64, n as f64)
    } else {
        kupiec
    };
    let independence = independence_lr(hits);
    Backtest {
        scenario: scenario.into(),
        what,
        predicted_rate: predicted,
        predicted_se: se,
        hits: x,
        paths: n,
        kupiec_lr: kupiec,
        kupiec_p: p_value(kupiec, 1.0),
        two_sample_lr: two_sample,
        two_sample_p: p_value(two_sample, 1.0),
        independence_lr: independence,
        independence_p: p_value(independence, 1.0),
        conditional_coverage_p: p_value(two_sample + independence, 2.0),
        rejected: false,
    }
}

/// Backtests every scenario's prediction (`metrics`, from the estimation
/// paths) on held-out paths under `params`.
pub fn run(cfg: &Config, params: &ContractParams, metrics: &[RiskMetrics], progress: &ProgressBar) -> Vec<Backtest> {
    let mut held = cfg.clone();
    held.run.seed = cfg.run.seed ^ HOLDOUT_SEED;
    for s in &mut held.scenarios {
        s.importance_factor = 1.0;
    }
    let mut out = Vec::new();
    for (i, (s, m)) in cfg.scenarios.iter().zip(metrics).enumerate() {
        let paths = simulate(&held, i, params, HOLDOUT_PATHS, progress);
        if matches!(s.attack, AttackConfig::None) {
            let hits: Vec<bool> = paths.iter().map(|o| o.false_halt).collect();
            out.push(backtest(&s.name, "false trips", m.false_trip_rate, m.false_trip_rate_se, &hits));
        } else {
            let var = m.var[1].value;
            let hits: Vec<bool> = paths.iter().map(|o| o.loss() > var).collect();
            out.push(backtest(&s.name, "VaR 99% exceedances", m.p_exceed_var99, m.p_exceed_var99_se, &hits));
        }
    }
    holm(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn kupiec_matches_the_formula_and_is_zero_at_the_observed_rate() {
        // 20 hits in 1000 at p = 1%: LR = -2 ln[(0.99^980 0.01^20) / (0.98^980 0.02^20)].
        let want = -2.0 * (980.0 * 0.99f64.ln() + 20.0 * 0.01f64.ln() - 980.0 * 0.98f64.ln() - 20.0 * 0.02f64.ln());
        assert!((kupiec_lr(20, 1000, 0.01) - want).abs() < 1e-9);
        assert!(kupiec_lr(10, 1000, 0.01).abs() < 1e-12);
        assert_eq!(kupiec_lr(0, 1000, 0.0), 0.0);
        assert_eq!(kupiec_lr(1, 1000, 0.0), f64::INFINITY);
        // χ²(1) at 3.841 is the 95% point.
        assert!((p_value(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-9);
    }

    /// Repeated experiments: a correct rate is rejected about 5% of the
    /// time, a rate off by half nearly always; clustered hits fail the
    /// independence test that independent ones pass.
    #[test]
    fn the_tests_reject_what_they_should_at_their_level() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let trials = 2_000;
        let (mut right, mut wrong, mut family) = (0, 0, 0);
        for _ in 0..trials {
            let hits: Vec<bool> = (0..2_000).map(|_| rng.random::<f64>() < 0.02).collect();
            right += usize::from(backtest("s", "x", 0.02, 0.0, &hits).kupiec_p < SIGNIFICANCE);
            wrong += usize::from(backtest("s", "x", 0.01, 0.0, &hits).kupiec_p < SIGNIFICANCE);
            // Nine true predictions: Holm rejects any at most 5% of the time.
            let mut nine: Vec<Backtest> = (0..9)
                .map(|_| {
                    let hits: Vec<bool> = (0..500).map(|_| rng.random::<f64>() < 0.05).collect();
                    backtest("s", "x", 0.05, 0.0, &hits)
                })
                .collect();
            holm(&mut nine);
            family += usize::from(nine.iter().any(|b| b.rejected));
        }
        assert!((family as f64 / trials as f64) < 0.06, "the family rejects {family} of {trials} times");
        let size = right as f64 / trials as f64;
        assert!((0.03..0.08).contains(&size), "rejects a true rate {size} of the time");
        assert!(wrong as f64 / trials as f64 > 0.95, "rejects a wrong rate {wrong} of {trials} times");

        let independent: Vec<bool> = (0..5_000).map(|_| rng.random::<f64>() < 0.05).collect();
        let clustered: Vec<bool> = (0..5_000).map(|i| (i / 10) % 20 == 0).collect();
        assert!(backtest("s", "x", 0.05, 0.0, &independent).independence_p > 0.01);
        assert!(backtest("s", "x", 0.05, 0.0, &clustered).independence_p < 1e-6);
    }

    /// A prediction estimated on as many paths as it is tested on: Kupiec,
    /// taking it as exact, rejects a true rate far more often than 5%; the
    /// two-sample test holds its level and still rejects a wrong rate.
    #[test]
    fn the_prediction_s_own_error_is_allowed_for() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        let (trials, n, p) = (2_000, 4_000, 0.05);
        let (mut kupiec, mut two_sample, mut wrong) = (0, 0, 0);
        let draw = |rng: &mut rand_chacha::ChaCha8Rng, p: f64| -> Vec<bool> {
            (0..n).map(|_| rng.random::<f64>() < p).collect()
        };
        for _ in 0..trials {
            let estimation = draw(&mut rng, p);
            let predicted = estimation.iter().filter(|&&h| h).count() as f64 / n as f64;
            let se = (predicted * (1.0 - predicted) / n as f64).sqrt();
            let held = draw(&mut rng, p);
            let b = backtest("s", "x", predicted, se, &held);
            kupiec += usize::from(b.kupiec_p < SIGNIFICANCE);
            two_sample += usize::from(b.two_sample_p < SIGNIFICANCE);
            wrong +=
                usize::from(backtest("s", "x", predicted, se, &draw(&mut rng, 2.0 * p)).two_sample_p < SIGNIFICANCE);
        }
        let rate = |k: usize| k as f64 / trials as f64;
        assert!(rate(kupiec) > 0.12, "Kupiec rejects a true estimated rate {} of the time", rate(kupiec));
        assert!((0.03..0.07).contains(&rate(two_sample)), "two-sample size {}", rate(two_sample));
        assert!(rate(wrong) > 0.95, "a doubled rate is rejected {} of the time", rate(wrong));
        // With a very precise prediction it is Kupiec's test.
        let held = draw(&mut rng, p);
        let b = backtest("s", "x", p, 1e-7, &held);
        assert!((b.two_sample_lr - b.kupiec_lr).abs() < 1e-3 * b.kupiec_lr.max(1.0), "{b:?}");
    }
}

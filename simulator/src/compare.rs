//! What a parameter set saves: every scenario run twice on the same random
//! paths (common random numbers), under parameter set A and under B (another
//! set, or no Bulwark at all), and the yearly loss avoided with a paired 95%
//! confidence interval, per scenario and in total.
//!
//! Yearly loss is annualized as the calibration's objective does: attack
//! scenarios count attack loss plus the downtime after the attack began,
//! times attacks' real frequency (paths per year = 365 days / horizon);
//! attack-free scenarios count downtime for the days a year the market is in
//! that regime. Scenarios use separate random streams, so their intervals
//! add in quadrature.

use crate::config::{AttackConfig, Config};
use crate::engine::simulate_layer;
use crate::params::ContractParams;
use crate::sim::{Layer, PathOutcome};
use indicatif::ProgressBar;
use serde::Serialize;

/// A yearly USD figure with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct YearlyUsd {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

impl YearlyUsd {
    /// The standard error behind the 95% interval.
    pub fn se(&self) -> f64 {
        (self.hi - self.mean) / 1.96
    }

    fn from_samples(xs: &[f64]) -> (Self, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let se = (var / n).sqrt();
        (Self { mean, lo: mean - 1.96 * se, hi: mean + 1.96 * se }, se)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioComparison {
    pub name: String,
    /// Yearly loss under A and under B.
    pub loss_a: YearlyUsd,
    pub loss_b: YearlyUsd,
    /// B's yearly loss minus A's: what A avoids, paired path by path.
    pub avoided: YearlyUsd,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub paths: u64,
    pub scenarios: Vec<ScenarioComparison>,
    pub total_loss_a: YearlyUsd,
    pub total_loss_b: YearlyUsd,
    pub total_avoided: YearlyUsd,
}

/// One path's contribution to the yearly loss of scenario `i`.
pub(crate) fn yearly(cfg: &Config, i: usize, o: &PathOutcome) -> f64 {
    let s = &cfg.scenarios[i];
    let horizon_days = f64::from(cfg.run.horizon_hours) / 24.0;
    o.weight
        * match s.attack {
            AttackConfig::None => o.downtime_cost / horizon_days * cfg.markets[&s.market].days_per_year,
            _ => (o.attack_loss + o.induced_downtime) * 365.0 / horizon_days,
        }
}

/// Compares parameter set `a` against `b` (`None`: no Bulwark) on every scenario.
pub fn compare(
    cfg: &Config,
    (a_name, a): (&str, &ContractParams),
    (b_name, b): (&str, Option<&ContractParams>),
    paths: u64,
    progress: &ProgressBar,
) -> Comparison {
    progress.set_length(2 * paths * cfg.scenarios.len() as u64);
    let run = |p: &ContractParams, layer: Layer| -> Vec<Vec<PathOutcome>> {
        (0..cfg.scenarios.len()).map(|i| simulate_layer(cfg, i, p, layer, paths, progress)).collect()
    };
    let outcomes_a = run(a, Layer::Bulwark);
    let outcomes_b = match b {
        Some(p) => run(p, Layer::Bulwark),
        None => run(a, Layer::Absent),
    };
    compare_outcomes(cfg, a_name, b_name, &outcomes_a, &outcomes_b)
}

/// Pairs path by path the outcomes of every scenario under A and under B.
pub fn compare_outcomes(
    cfg: &Config,
    a_name: &str,
    b_name: &str,
    outcomes_a: &[Vec<PathOutcome>],
    outcomes_b: &[Vec<PathOutcome>],
) -> Comparison {
    let mut scenarios = Vec::new();
    let (mut var_a, mut var_b, mut var_d) = (0.0, 0.0, 0.0);
    for (i, s) in cfg.scenarios.iter().enumerate() {
        let ya: Vec<f64> = outcomes_a[i].iter().map(|o| yearly(cfg, i, o)).collect();
        let yb: Vec<f64> = outcomes_b[i].iter().map(|o| yearly(cfg, i, o)).collect();
        let d: Vec<f64> = yb.iter().zip(&ya).map(|(b, a)| b - a).collect();
        let ((loss_a, sa), (loss_b, sb), (avoided, sd)) =
            (YearlyUsd::from_samples(&ya), YearlyUsd::from_samples(&yb), YearlyUsd::from_samples(&d));
        var_a += sa * sa;
        var_b += sb * sb;
        var_d += sd * sd;
        scenarios.push(ScenarioComparison { name: s.name.clone(), loss_a, loss_b, avoided });
    }
    let total = |f: &dyn Fn(&ScenarioComparison) -> f64, var: f64| {
        let mean: f64 = scenarios.iter().map(f).sum();
        let half = 1.96 * var.sqrt();
        YearlyUsd { mean, lo: mean - half, hi: mean + half }
    };
    Comparison {
        a: a_name.into(),
        b: b_name.into(),
        paths: outcomes_a.first().map_or(0, |o| o.len() as u64),
        total_loss_a: total(&|s| s.loss_a.mean, var_a),
        total_loss_b: total(&|s| s.loss_b.mean, var_b),
        total_avoided: total(&|s| s.avoided.mean, var_d),
        scenarios,
    }
}

impl Comparison {
    /// A Markdown table of the comparison.
    pub fn to_markdown(&self) -> String {
        let usd = |x: f64| format!("${:.0}", x);
        let ci = |y: &YearlyUsd| format!("{} ({} … {})", usd(y.mean), usd(y.lo), usd(y.hi));
        let mut s = format!(
            "Yearly loss under **{}** and under **{}** on the same {} paths per scenario, and what {} avoids (95% intervals, paired):\n\n",
            self.a, self.b, self.paths, self.a
        );
        s += &format!(
            "| scenario | yearly loss, {} | yearly loss, {} | avoided per year |\n|---|---:|---:|---:|\n",
            self.a, self.b
        );
        for c in &self.scenarios {
            s += &format!("| {} | {} | {} | {} |\n", c.name, usd(c.loss_a.mean), usd(c.loss_b.mean), ci(&c.avoided));
        }
        s += &format!(
            "| **total** | {} | {} | **{}** |\n",
            ci(&self.total_loss_a),
            ci(&self.total_loss_b),
            ci(&self.total_avoided)
        );
        s
    }
}

/// One collateral factor's yearly oracle-attack loss, with and without
/// Bulwark, on the same paths.
#[derive(Clone, Debug, Serialize)]
pub struct CollateralPoint {
    pub scenario: String,
    pub collateral_factor: f64,
    pub with_bulwark: YearlyUsd,
    pub without: YearlyUsd,
}

/// The collateral factors the report shows the oracle attack's loss at.
pub const COLLATERAL_FACTORS: [f64; 6] = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9];

/// The yearly loss of every scenario that lends against collateral (the
/// oracle attack), as a function of the protocol's collateral factor, under
/// `params` and without Bulwark: the protocol's own choice of loan-to-value
/// against what the layer saves at each.
pub fn collateral_sweep(
    cfg: &Config,
    params: &ContractParams,
    paths: u64,
    progress: &ProgressBar,
) -> Vec<CollateralPoint> {
    let mut out = Vec::new();
    for (i, s) in cfg.scenarios.iter().enumerate() {
        if !matches!(s.attack, AttackConfig::OracleManipulation { .. }) {
            continue;
        }
        for cf in COLLATERAL_FACTORS {
            let mut c = cfg.clone();
            c.protocol.collateral_factor = cf;
            let run = |layer| -> Vec<f64> {
                simulate_layer(&c, i, params, layer, paths, progress).iter().map(|o| yearly(&c, i, o)).collect()
            };
            let (with_bulwark, _) = YearlyUsd::from_samples(&run(Layer::Bulwark));
            let (without, _) = YearlyUsd::from_samples(&run(Layer::Absent));
            out.push(CollateralPoint { scenario: s.name.clone(), collateral_factor: cf, with_bulwark, without });
        }
    }
    out
}

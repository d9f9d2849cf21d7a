//! What a candidate costs: its yearly objective from the scenarios' metrics
//! and the one-year aggregate, the false-trip constraint, and the record of
//! the candidates the search scored (the sweep, and each knob's nearest
//! values tried).

use crate::annual::AnnualLoss;
use crate::config::{AttackConfig, Config};
use crate::knobs::Knob;
use crate::metrics::RiskMetrics;
use crate::params::Knobs;
use serde::{Deserialize, Serialize};

/// Years simulated for each candidate of the search.
pub const SEARCH_YEARS: u64 = 50_000;

/// Yearly costs in USD.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Objective {
    pub attack_loss: f64,
    pub downtime: f64,
    /// Cost of holding capital for the annual aggregate loss's VaR 99.9%.
    pub capital: f64,
    /// Cost of delaying legitimate critical operations by the timelock.
    pub governance_delay: f64,
    /// Yield stakers demand for the exit cooldown.
    pub cooldown: f64,
    pub total: f64,
}

/// One evaluated candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub knobs: Knobs,
    pub objective: Objective,
    pub violations: Vec<String>,
    /// Sum of relative constraint excesses (0 when feasible).
    pub excess: f64,
}

impl Evaluation {
    pub fn feasible(&self) -> bool {
        self.violations.is_empty()
    }
    /// Feasible first, then least excess, then least cost.
    pub(crate) fn better_than(&self, other: &Evaluation) -> bool {
        (self.excess, self.objective.total) < (other.excess, other.objective.total)
    }
}

/// A point of the parameter sweep, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub knob: Knob,
    pub value: f64,
    pub total: f64,
    pub feasible: bool,
    /// The search paths per scenario it was scored on: fewer than
    /// `run.search_paths` when the race dropped it ([`crate::calibrate::race`]).
    pub paths: u64,
}

/// Scores a candidate from its scenario metrics and its annual aggregate.
pub fn evaluate(cfg: &Config, knobs: &Knobs, metrics: &[RiskMetrics], annual: &AnnualLoss) -> Evaluation {
    let p = &cfg.protocol;
    let horizon_days = f64::from(cfg.run.horizon_hours) / 24.0;
    let mut o = Objective::default();
    let mut violations = Vec::new();
    let mut excess = 0.0;
    let (mut trip_days, mut trip_weighted) = (0.0, 0.0);
    for (s, m) in cfg.scenarios.iter().zip(metrics) {
        if matches!(s.attack, AttackConfig::None) {
            let days = cfg.markets[&s.market].days_per_year;
            o.downtime += m.mean_downtime / horizon_days * days;
            trip_days += days;
            trip_weighted += days * m.false_trip_rate;
        } else {
            o.attack_loss += m.mean_attack_loss * 365.0 / horizon_days;
            o.downtime += m.mean_induced_downtime * 365.0 / horizon_days;
        }
    }

    let false_trip_rate = if trip_days > 0.0 { trip_weighted / trip_days } else { 0.0 };
    let max_rate = cfg.calibration.max_false_trip_rate;
    if false_trip_rate > max_rate {
        violations.push(format!("false-trip rate {:.4} per path > {:.4}", false_trip_rate, max_rate));
        excess += false_trip_rate / max_rate.max(1e-9) - 1.0;
    }
    o.capital = annual.var_999() * p.capital_cost_bps_per_year / 1e4;
    o.governance_delay = p.critical_ops_per_year * knobs.critical_timelock_hours * p.governance_delay_cost_per_hour;
    o.cooldown = p.fund_capital_usd * p.cooldown_cost_bps_per_day / 1e4 * knobs.exit_cooldown_days;
    o.total = o.attack_loss + o.downtime + o.capital + o.governance_delay + o.cooldown;
    Evaluation { knobs: *knobs, objective: o, violations, excess }
}

/// The nearest values below and above `chosen` that the search tried for
/// `knob`.
pub(crate) fn neighbours(knob: Knob, chosen: f64, sweep: &[SweepPoint]) -> Vec<f64> {
    let tried = sweep.iter().filter(|p| p.knob == knob).map(|p| p.value);
    let below = tried.clone().filter(|&v| v < chosen).fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let above = tried.filter(|&v| v > chosen).fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
    below.into_iter().chain(above).collect()
}

//! Is the calibration's optimum identified, which constraint binds, and how
//! does the choice depend on the fixed economic inputs?
//!
//! For every knob, the chosen value's nearest neighbours among the values
//! the search tried (the other knobs as chosen) run on the first
//! `paths` paths of the final evaluation: common random numbers, so the
//! yearly cost difference to the choice is paired path by path and has a
//! standard error. A choice is identified when every neighbour costs more by
//! several standard errors.
//!
//! The same paired outcomes are then re-scored with each economic input
//! halved and doubled. Downtime costs scale linearly, and a different attack
//! rate is an exact likelihood-ratio reweighting of the same paths (the
//! Poisson count's ratio `f^N·e^{λ(1−f)}`), so no path is simulated again:
//! the table says, knob by knob, whether the choice would move to a
//! neighbour. It is a local answer (one step on each side), which is what
//! the search's last coordinate pass also decides on.
//!
//! Last, the contract parameters the search does not tune (throttle and
//! halt, inflow decay, price smoothing and staleness, the daily window's
//! multiple, the veto threshold, the griefing bond, the exit window) are
//! screened one at a time: each halved and doubled at the chosen knobs, on
//! the same paths, with the paired change in yearly cost. A parameter whose
//! change moves the cost by more than a few standard errors is one the
//! deployment should choose deliberately, or the search should tune.

use crate::annual::annual_loss;
use crate::compare::{compare_outcomes, YearlyUsd};
use crate::config::{AttackConfig, Config};
use crate::engine::PolicyOutcomes;
use crate::knobs::{Knob, KNOBS};
use crate::metrics::{analyze, RiskMetrics};
use crate::params::ContractParams;
use crate::params::{build, check_config, Knobs};
use crate::scoring::{evaluate, neighbours, Evaluation, SweepPoint, SEARCH_YEARS};
use crate::sim::{Layer, PathOutcome};
use indicatif::ProgressBar;
use serde::Serialize;
use std::borrow::Cow;

/// The neighbour checks run on this many times the search's paths.
pub const IDENTIFICATION_PATHS_PER_SEARCH_PATH: u64 = 2;

/// Candidates' runs on the search's paths, by their knobs: for each
/// scenario the knob changes, its outcomes under each attacker policy (on
/// the race's first paths, or all the search's). The search keeps those
/// one knob away from its choice, with the other knobs as chosen: the
/// identification's neighbours, whose first paths are these
/// ([`identify`] continues them).
pub type NeighbourRuns = Vec<(Knobs, Vec<Option<PolicyOutcomes>>)>;

/// A fixed economic input of the objective, for the sensitivity table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    DowntimeCost,
    CapitalCost,
    AttackRates,
    GovernanceDelayCost,
    CooldownCost,
}

pub const INPUTS: [Input; 5] =
    [Input::DowntimeCost, Input::CapitalCost, Input::AttackRates, Input::GovernanceDelayCost, Input::CooldownCost];
/// Each input is scaled by these factors.
pub const FACTORS: [f64; 2] = [0.5, 2.0];

impl Input {
    /// The config keys the input scales.
    pub fn keys(self) -> &'static str {
        match self {
            Input::DowntimeCost => "protocol.downtime_cost_per_hour",
            Input::CapitalCost => "protocol.capital_cost_bps_per_year",
            Input::AttackRates => "scenarios[].attacks_per_year (all)",
            Input::GovernanceDelayCost => "protocol.governance_delay_cost_per_hour",
            Input::CooldownCost => "protocol.cooldown_cost_bps_per_day",
        }
    }

    /// `cfg` with the input scaled by `f`.
    fn scale_config(self, cfg: &Config, f: f64) -> Config {
        let mut c = cfg.clone();
        let p = &mut c.protocol;
        match self {
            Input::DowntimeCost => p.downtime_cost_per_hour *= f,
            Input::CapitalCost => p.capital_cost_bps_per_year *= f,
            Input::GovernanceDelayCost => p.governance_delay_cost_per_hour *= f,
            Input::CooldownCost => p.cooldown_cost_bps_per_day *= f,
            Input::AttackRates => c.scenarios.iter_mut().for_each(|s| s.attacks_per_year *= f),
        }
        c
    }

    /// One path of scenario `i` as it would have come out with the input
    /// scaled by `f`: downtime is linear in its hourly cost, and a path with
    /// `N` attacks is `f^N·e^{λ(1−f)}` times as likely under `f` times the rate.
    fn scale_outcome(self, cfg: &Config, i: usize, o: &PathOutcome, f: f64) -> PathOutcome {
        let mut o = *o;
        match self {
            // Bad debt (part of the downtime cost) does not scale with the hourly cost.
            Input::DowntimeCost => {
                o.downtime_cost = (o.downtime_cost - o.bad_debt) * f + o.bad_debt;
                o.induced_downtime = (o.induced_downtime - o.induced_bad_debt) * f + o.induced_bad_debt;
            }
            Input::AttackRates => {
                let s = &cfg.scenarios[i];
                if !matches!(s.attack, AttackConfig::None) {
                    let lambda = s.attacks_per_year * f64::from(cfg.run.horizon_hours) / (365.0 * 24.0);
                    o.weight *= f.powi(o.attacks as i32) * (lambda * (1.0 - f)).exp();
                }
            }
            Input::CapitalCost | Input::GovernanceDelayCost | Input::CooldownCost => {}
        }
        o
    }
}

/// One neighbour of a chosen knob value, against the choice on the same paths.
#[derive(Debug, Clone, Serialize)]
pub struct NeighbourCheck {
    pub knob: Knob,
    pub chosen: f64,
    pub value: f64,
    /// Yearly cost of the neighbour minus the choice's (positive: the choice is cheaper).
    pub delta_total: f64,
    /// Of which expected attack loss and downtime, with its paired 95% interval.
    pub delta_expected: YearlyUsd,
    /// Of which the capital charge (from the one-year VaR 99.9%, no interval).
    pub delta_capital: f64,
    /// Of which governance delay and cooldown (exact, no sampling error).
    pub delta_fixed: f64,
    /// Standard error of `delta_expected`.
    pub se: f64,
    /// The neighbour meets the constraints.
    pub feasible: bool,
    pub violations: Vec<String>,
}

impl NeighbourCheck {
    /// The neighbour is cheaper but infeasible: the constraint holds the choice back.
    pub fn binds(&self) -> bool {
        self.delta_total < 0.0 && !self.feasible
    }
    /// The cost gap in standard errors.
    pub fn z(&self) -> f64 {
        if self.se > 0.0 {
            self.delta_total / self.se
        } else {
            f64::INFINITY * self.delta_total.signum()
        }
    }
}

/// A contract parameter the search keeps fixed, as `deployment.*` or
/// `calibration.*` in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fixed {
    ThrottleBps,
    PriceStalenessMinutes,
    DailyMultiple,
    VetoBaseThreshold,
    MinBondUsd,
    ExitWindowDays,
}

pub const FIXED: [Fixed; 6] = [
    Fixed::ThrottleBps,
    Fixed::PriceStalenessMinutes,
    Fixed::DailyMultiple,
    Fixed::VetoBaseThreshold,
    Fixed::MinBondUsd,
    Fixed::ExitWindowDays,
];

impl Fixed {
    pub fn key(self) -> &'static str {
        match self {
            Fixed::ThrottleBps => "deployment.throttle_bps",
            Fixed::PriceStalenessMinutes => "deployment.price_staleness_minutes",
            Fixed::DailyMultiple => "calibration.daily_multiple",
            Fixed::VetoBaseThreshold => "deployment.veto_base_threshold",
            Fixed::MinBondUsd => "deployment.min_bond_usd",
            Fixed::ExitWindowDays => "deployment.exit_window_days",
        }
    }

    pub fn get(self, cfg: &Config) -> f64 {
        let d = &cfg.deployment;
        match self {
            Fixed::ThrottleBps => f64::from(d.throttle_bps),
            Fixed::PriceStalenessMinutes => d.price_staleness_minutes,
            Fixed::DailyMultiple => f64::from(cfg.calibration.daily_multiple),
            Fixed::VetoBaseThreshold => f64::from(d.veto_base_threshold),
            Fixed::MinBondUsd => d.min_bond_usd,
            Fixed::ExitWindowDays => d.exit_window_days,
        }
    }

    /// `cfg` with the parameter at `v` (integers rounded; at least 1).
    fn set(self, cfg: &Config, v: f64) -> Config {
        let mut c = cfg.clone();
        let int = |v: f64| v.round().max(1.0) as u32;
        let d = &mut c.deployment;
        match self {
            Fixed::ThrottleBps => d.throttle_bps = int(v).min(10_000),
            Fixed::PriceStalenessMinutes => d.price_staleness_minutes = v,
            Fixed::DailyMultiple => c.calibration.daily_multiple = int(v).min(24),
            Fixed::VetoBaseThreshold => d.veto_base_threshold = int(v),
            Fixed::MinBondUsd => d.min_bond_usd = v,
            Fixed::ExitWindowDays => d.exit_window_days = v,
        }
        c
    }

    /// The paths whose outcome a change of this parameter alone can change,
    /// as [`Knob::reads`]: `None`, every path. The screening re-simulates
    /// only those (`skipping_paths_is_exact`).
    pub(crate) fn reads(self) -> Option<fn(&PathOutcome) -> bool> {
        match self {
            // Read by core only at the Throttled level.
            Fixed::ThrottleBps => Some(|o| o.escalated),
            _ => None,
        }
    }

    /// Whether the parameter can change scenario `attack`'s paths.
    fn affects(self, attack: &AttackConfig) -> bool {
        match self {
            Fixed::VetoBaseThreshold => matches!(attack, AttackConfig::KeyCompromise { .. }),
            Fixed::MinBondUsd => matches!(attack, AttackConfig::Griefing { .. }),
            Fixed::ExitWindowDays => matches!(attack, AttackConfig::BankRun { .. }),
            _ => Knob::HourlyShareBps.affects(attack),
        }
    }
}

/// One fixed parameter moved, at the chosen knobs, against the choice.
#[derive(Debug, Clone, Serialize)]
pub struct FixedCheck {
    pub param: Fixed,
    pub configured: f64,
    pub value: f64,
    /// Yearly cost with the parameter moved minus with it as configured;
    /// `None` where bulwark-core refuses the value.
    pub delta_total: Option<f64>,
    pub delta_expected: Option<YearlyUsd>,
    pub se: f64,
    pub feasible: bool,
    /// Why the value was not simulated (core's refusal).
    pub refused: Option<String>,
}

/// Where the choice of each knob would go with one input scaled.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityRow {
    /// `None`: the inputs as configured, re-scored the same way (the
    /// baseline of the table: a neighbour cheaper on these paths already).
    pub input: Option<Input>,
    pub factor: f64,
    /// Per knob (in [`KNOBS`] order), the cheapest feasible value among the
    /// choice and its neighbours under the scaled input.
    pub choice: Vec<(Knob, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Identification {
    /// Paths per scenario of every comparison.
    pub paths: u64,
    /// Standard error of the chosen set's yearly expected loss at the final path count.
    pub objective_se: f64,
    pub checks: Vec<NeighbourCheck>,
    pub sensitivity: Vec<SensitivityRow>,
    /// Paths per scenario of the fixed parameters' screening.
    pub screening_paths: u64,
    pub fixed: Vec<FixedCheck>,
}

impl Identification {
    /// Fixed parameters whose move, at the chosen knobs, is feasible and
    /// saves more than two standard errors: the cheapest move of each.
    pub fn fixed_savings(&self) -> Vec<&FixedCheck> {
        let mut out: Vec<&FixedCheck> = Vec::new();
        for c in &self.fixed {
            let Some(d) = c.delta_total else { continue };
            if !c.feasible || d >= 0.0 || c.se <= 0.0 || d / c.se > -2.0 {
                continue;
            }
            match out.iter_mut().find(|o| o.param == c.param) {
                Some(o) if o.delta_total.unwrap_or(0.0) > d => *o = c,
                Some(_) => {}
                None => out.push(c),
            }
        }
        out
    }

    /// Knobs with a neighbour within two standard errors of the choice.
    pub fn weakly_identified(&self) -> Vec<Knob> {
        let mut out: Vec<Knob> =
            self.checks.iter().filter(|c| c.feasible && c.z().abs() < 2.0).map(|c| c.knob).collect();
        out.dedup();
        out
    }
}

/// Scores `knobs` on `outcomes` (one set per scenario) with `input` scaled by `f`.
fn score(cfg: &Config, knobs: &Knobs, outcomes: &[Vec<PathOutcome>], input: Option<(Input, f64)>) -> Evaluation {
    let scaled;
    let (cfg_s, sets): (&Config, Cow<[Vec<PathOutcome>]>) = match input {
        Some((inp, f)) => {
            scaled = inp.scale_config(cfg, f);
            let sets = outcomes
                .iter()
                .enumerate()
                .map(|(i, o)| o.iter().map(|x| inp.scale_outcome(cfg, i, x, f)).collect())
                .collect();
            (&scaled, Cow::Owned(sets))
        }
        None => (cfg, Cow::Borrowed(outcomes)),
    };
    let metrics: Vec<RiskMetrics> =
        sets.iter().map(|o| analyze(o, cfg_s.protocol.fund_capital_usd, 0, cfg_s.run.seed)).collect();
    let refs: Vec<&[PathOutcome]> = sets.iter().map(Vec::as_slice).collect();
    // The params only decide the fund's claim split, which no knob here changes.
    let params = build(cfg, knobs).expect("knobs were built before");
    evaluate(cfg_s, knobs, &metrics, &annual_loss(cfg_s, &params, &refs, SEARCH_YEARS))
}

/// Paths under `params` (built from `cfg` and `knobs`) on the scenarios
/// `affected` selects, `mine`'s paths on the others (the parameter cannot
/// change them): their score, their yearly expected loss minus `mine`'s
/// paired path by path, and the paths.
///
/// How the moved run is had, exactly, without simulating what is known:
/// - `first`: the search's runs of these knobs on their first paths, where
///   it kept them, are continued (a run continued is the whole run,
///   [`PolicyOutcomes`]);
/// - `reads`: where only the paths it selects can differ from the choice's
///   (the knob moved is one few paths read, [`Knob::reads`]), the rest
///   is `base`'s, the choice's own run under both policies, with those
///   paths re-simulated (`skipping_paths_is_exact`);
/// - otherwise the rest is simulated.
#[allow(clippy::too_many_arguments)]
fn paired_run(
    cfg: &Config,
    knobs: &Knobs,
    params: &ContractParams,
    affected: &[bool],
    mine: &[Vec<PathOutcome>],
    base: &[PolicyOutcomes],
    first: Option<&[Option<PolicyOutcomes>]>,
    reads: Option<fn(&PathOutcome) -> bool>,
    progress: &ProgressBar,
) -> (Evaluation, YearlyUsd, Vec<Vec<PathOutcome>>) {
    let n = mine.iter().map(Vec::len).min().unwrap_or(0) as u64;
    let theirs: Vec<Vec<PathOutcome>> = (0..cfg.scenarios.len())
        .map(|i| {
            if !affected[i] {
                return mine[i].clone();
            }
            let start = first.and_then(|runs| runs[i].clone()).filter(|run| run.len() <= n);
            let m = start.as_ref().map_or(0, PolicyOutcomes::len);
            progress.inc_length(n - m);
            let rest = match reads {
                Some(reads) => base[i].part(m..n).resimulated(cfg, i, params, m, reads, progress),
                None => PolicyOutcomes::simulate(cfg, i, params, Layer::Bulwark, m..n, progress),
            };
            match start {
                Some(mut run) => {
                    run.extend(rest);
                    run.chosen()
                }
                None => rest.chosen(),
            }
        })
        .collect();
    let e = score(cfg, knobs, &theirs, None);
    let paired = compare_outcomes(cfg, "chosen", "moved", mine, &theirs).total_avoided;
    (e, paired, theirs)
}

/// The sensitivity table: for the configured economic inputs and each
/// halved and doubled, each knob's cheapest feasible value among the
/// choice (`mine`, its outcomes) and its neighbours (`candidates`, each
/// with its outcomes), re-scored on the same paths.
fn sensitivity(
    cfg: &Config,
    chosen: &Knobs,
    mine: &[Vec<PathOutcome>],
    candidates: &[(Knob, Knobs, Vec<Vec<PathOutcome>>)],
) -> Vec<SensitivityRow> {
    let mut sensitivity = Vec::new();
    let rows = std::iter::once(None).chain(INPUTS.into_iter().flat_map(|i| FACTORS.map(|f| Some((i, f)))));
    for s in rows {
        let mine_score = score(cfg, chosen, mine, s);
        let choice = KNOBS
            .into_iter()
            .map(|knob| {
                let mut best = (knob.get(chosen), mine_score.clone());
                for (_, k, theirs) in candidates.iter().filter(|c| c.0 == knob) {
                    let e = score(cfg, k, theirs, s);
                    if e.feasible() && (!best.1.feasible() || e.objective.total < best.1.objective.total) {
                        best = (knob.get(k), e);
                    }
                }
                (knob, best.0)
            })
            .collect();
        sensitivity.push(SensitivityRow { input: s.map(|x| x.0), factor: s.map_or(1.0, |x| x.1), choice });
    }
    sensitivity
}

/// Checks every knob's neighbours against `chosen`, whose final outcomes
/// are `outcomes`, on their first [`IDENTIFICATION_PATHS_PER_SEARCH_PATH`]
/// times the search's paths; `first_runs`: the final evaluation's runs of
/// those paths under both attacker policies; `near`: the search's runs of
/// the neighbours.
#[allow(clippy::too_many_arguments)]
pub fn identify(
    cfg: &Config,
    chosen: &Knobs,
    sweep: &[SweepPoint],
    outcomes: &[Vec<PathOutcome>],
    first_runs: &[PolicyOutcomes],
    near: NeighbourRuns,
    objective_se: f64,
    progress: &ProgressBar,
) -> Identification {
    let paths = IDENTIFICATION_PATHS_PER_SEARCH_PATH * cfg.run.search_paths;
    let n = outcomes.iter().map(Vec::len).min().unwrap_or(0).min(paths as usize);
    let n = first_runs.iter().map(|r| r.len() as usize).fold(n, usize::min);
    let mine: Vec<Vec<PathOutcome>> = outcomes.iter().map(|o| o[..n].to_vec()).collect();
    let runs: Vec<PolicyOutcomes> = first_runs.iter().map(|r| r.part(0..n as u64)).collect();
    let base = score(cfg, chosen, &mine, None);
    // Every neighbour's knobs and outcomes, kept for the sensitivity table.
    let mut candidates: Vec<(Knob, Knobs, Vec<Vec<PathOutcome>>)> = Vec::new();
    let mut checks = Vec::new();
    for knob in KNOBS {
        let affected: Vec<bool> = cfg.scenarios.iter().map(|s| knob.affects(&s.attack)).collect();
        for v in neighbours(knob, knob.get(chosen), sweep) {
            let k = knob.set(chosen, v);
            let Ok(params) = build(cfg, &k) else { continue };
            progress.set_message(format!("identification: {} = {}", knob.name(), v));
            let first = near.iter().find(|(seen, _)| *seen == k).map(|(_, runs)| runs.as_slice());
            let (e, paired, theirs) =
                paired_run(cfg, &k, &params, &affected, &mine, &runs, first, knob.reads(), progress);
            let (o, b) = (&e.objective, &base.objective);
            checks.push(NeighbourCheck {
                knob,
                chosen: knob.get(chosen),
                value: v,
                delta_total: o.total - b.total,
                delta_expected: paired,
                delta_capital: o.capital - b.capital,
                delta_fixed: (o.governance_delay + o.cooldown) - (b.governance_delay + b.cooldown),
                se: paired.se(),
                feasible: e.feasible(),
                violations: e.violations.clone(),
            });
            candidates.push((knob, k, theirs));
        }
    }
    let sensitivity = sensitivity(cfg, chosen, &mine, &candidates);
    // Screening of the fixed parameters, on the first `screen` paths.
    let screen = (n as u64 / 2).max(1) as usize;
    let mine_s: Vec<Vec<PathOutcome>> = mine.iter().map(|o| o[..screen.min(o.len())].to_vec()).collect();
    let runs_s: Vec<PolicyOutcomes> = runs.iter().map(|r| r.part(0..screen.min(n) as u64)).collect();
    let base_s = score(cfg, chosen, &mine_s, None);
    let mut fixed = Vec::new();
    for param in FIXED {
        let configured = param.get(cfg);
        let affected: Vec<bool> = cfg.scenarios.iter().map(|s| param.affects(&s.attack)).collect();
        if !affected.contains(&true) {
            continue;
        }
        for f in FACTORS {
            let moved = param.set(cfg, configured * f);
            let value = param.get(&moved);
            if value == configured {
                continue;
            }
            let params = match check_config(&moved)
                .map_err(|e| e.to_string())
                .and_then(|_| build(&moved, chosen).map_err(|e| e.to_string()))
            {
                Ok(p) => p,
                Err(why) => {
                    fixed.push(FixedCheck {
                        param,
                        configured,
                        value,
                        delta_total: None,
                        delta_expected: None,
                        se: 0.0,
                        feasible: false,
                        refused: Some(why),
                    });
                    continue;
                }
            };
            progress.set_message(format!("screening: {} = {}", param.key(), value));
            let (e, paired, _) =
                paired_run(&moved, chosen, &params, &affected, &mine_s, &runs_s, None, param.reads(), progress);
            fixed.push(FixedCheck {
                param,
                configured,
                value,
                delta_total: Some(e.objective.total - base_s.objective.total),
                delta_expected: Some(paired),
                se: paired.se(),
                feasible: e.feasible(),
                refused: None,
            });
        }
    }
    Identification { paths: n as u64, objective_se, checks, sensitivity, screening_paths: screen as u64, fixed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{assert_skipping_is_exact, simulate};

    fn outcome(attacks: u32, weight: f64, loss: f64) -> PathOutcome {
        PathOutcome {
            attacks,
            weight,
            attack_loss: loss,
            downtime_cost: 10.0,
            induced_downtime: 4.0,
            ..Default::default()
        }
    }

    /// Reweighting paths to twice the attack rate recovers the mean loss a
    /// direct simulation at that rate would give: E[N] doubles.
    #[test]
    fn a_doubled_rate_is_an_exact_reweighting() {
        let cfg = Config::default();
        let i = cfg.scenarios.iter().position(|s| !matches!(s.attack, AttackConfig::None)).unwrap();
        let lambda = cfg.scenarios[i].attacks_per_year * f64::from(cfg.run.horizon_hours) / (365.0 * 24.0);
        // The Poisson(λ) distribution of N, as exact weights over N = 0..30.
        let mut p = (-lambda).exp();
        let (mut mean, mut total) = (0.0, 0.0);
        for n in 0..30u32 {
            let o = Input::AttackRates.scale_outcome(&cfg, i, &outcome(n, p, f64::from(n)), 2.0);
            mean += o.weight * o.attack_loss;
            total += o.weight;
            p *= lambda / f64::from(n + 1);
        }
        assert!((total - 1.0).abs() < 1e-12, "reweighted probabilities sum to {total}");
        assert!((mean / (2.0 * lambda) - 1.0).abs() < 1e-12, "E[N] {mean} vs {}", 2.0 * lambda);
        // Attack-free scenarios are untouched; downtime scales linearly.
        let calm = cfg.scenarios.iter().position(|s| matches!(s.attack, AttackConfig::None)).unwrap();
        assert_eq!(Input::AttackRates.scale_outcome(&cfg, calm, &outcome(0, 1.0, 0.0), 2.0).weight, 1.0);
        let d = Input::DowntimeCost.scale_outcome(&cfg, i, &outcome(1, 1.0, 5.0), 0.5);
        assert_eq!((d.downtime_cost, d.induced_downtime, d.attack_loss), (5.0, 2.0, 5.0));
    }

    /// Each fixed parameter, moved, leaves the paths of the scenarios it
    /// claims not to affect bit-identical: the screening re-simulates only
    /// the others, so a wrong `affects` would report a false zero.
    #[test]
    fn fixed_parameters_change_only_the_scenarios_they_affect() {
        let cfg = Config::default();
        let knobs = Knobs::middle(&cfg.calibration);
        let base = build(&cfg, &knobs).unwrap();
        let hidden = ProgressBar::hidden();
        for param in FIXED {
            let moved = FACTORS
                .iter()
                .map(|&f| param.set(&cfg, param.get(&cfg) * f))
                .find(|m| param.get(m) != param.get(&cfg) && check_config(m).is_ok() && build(m, &knobs).is_ok())
                .unwrap_or_else(|| panic!("{} has no valid move", param.key()));
            let params = build(&moved, &knobs).unwrap();
            for (i, s) in cfg.scenarios.iter().enumerate() {
                if !param.affects(&s.attack) {
                    let a = simulate(&cfg, i, &base, 500, &hidden);
                    let b = simulate(&moved, i, &params, 500, &hidden);
                    assert!(a == b, "{} changes {}", param.key(), s.name);
                }
            }
        }
    }

    /// A fixed parameter that only some paths read (the throttle's share,
    /// read at the Throttled level only) leaves every other path
    /// bit-identical: the screening's runs, the choice's with only those
    /// paths re-simulated, are exactly the whole runs at each moved value,
    /// under each attacker policy, on every scenario it affects.
    #[test]
    fn the_screenings_skipped_paths_are_exact() {
        let cfg = Config::default();
        let knobs = Knobs::middle(&cfg.calibration);
        let params = build(&cfg, &knobs).unwrap();
        let paths = 500;
        let skipping: Vec<Fixed> = FIXED.into_iter().filter(|p| p.reads().is_some()).collect();
        assert!(!skipping.is_empty());
        for param in skipping {
            let reads = param.reads().unwrap();
            let (mut kept, mut redone) = (0, 0);
            // The moves the screening simulates (it reports the others refused).
            let moves: Vec<Config> = FACTORS
                .iter()
                .map(|&f| param.set(&cfg, param.get(&cfg) * f))
                .filter(|m| param.get(m) != param.get(&cfg) && check_config(m).is_ok() && build(m, &knobs).is_ok())
                .collect();
            assert!(!moves.is_empty(), "{} has no valid move", param.key());
            for moved in moves {
                let to = build(&moved, &knobs).unwrap();
                for (i, _) in cfg.scenarios.iter().enumerate().filter(|(_, s)| param.affects(&s.attack)) {
                    let (k, r) = assert_skipping_is_exact(&cfg, &params, &moved, &to, i, paths, reads, param.key());
                    kept += k;
                    redone += r;
                }
            }
            // Not vacuous: some paths read the parameter and some do not.
            assert!(kept > 0 && redone > 0, "{}: {kept} kept, {redone} re-simulated", param.key());
        }
    }
}

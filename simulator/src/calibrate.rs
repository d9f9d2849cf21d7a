//! Calibration: coordinate search with grid refinement over the knobs,
//! minimizing yearly expected loss + downtime + capital and delay costs,
//! subject to the false-trip constraint. The capital charge comes from the
//! one-year aggregate loss ([`crate::annual`]), and so does the fund's size:
//! the fund is not a knob of the search, so its adequacy is not a
//! constraint on the knobs but a sizing the report recommends (the capital
//! that covers a year's claims at 99.9%).
//!
//! Each knob only changes some scenarios (the limiter and band act on market
//! paths, the timelock on key compromise, the cooldown on bank runs), so a
//! candidate re-simulates only those and reuses the rest. All candidates use
//! the same seeds (common random numbers), so differences between them are
//! not noise from different paths.

use crate::annual::annual_loss;
use crate::config::{AttackConfig, Config};
use crate::engine::PolicyOutcomes;
use crate::identify::{NeighbourRuns, IDENTIFICATION_PATHS_PER_SEARCH_PATH};
use crate::knobs::{Knob, KNOBS};
use crate::metrics::{analyze, analyze_run, RiskMetrics};
use crate::params::{build, ContractParams, Knobs};
use crate::scoring::{evaluate, neighbours, Evaluation, SweepPoint, SEARCH_YEARS};
use crate::sim::{Layer, PathOutcome};
use anyhow::Result;
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The calibration's result.
pub struct Calibration {
    pub best: Evaluation,
    pub params: ContractParams,
    pub sweep: Vec<SweepPoint>,
    /// Final metrics and outcomes per scenario, at the full path count.
    pub metrics: Vec<RiskMetrics>,
    pub outcomes: Vec<Vec<PathOutcome>>,
    /// The recommendation against no Bulwark, on the same paths.
    pub savings: crate::compare::Comparison,
    /// The recommendation against the current parameters (`--current`).
    pub vs_current: Option<crate::compare::Comparison>,
    /// The oracle attack's loss at each collateral factor.
    pub collateral: Vec<crate::compare::CollateralPoint>,
    /// The one-year aggregate loss under the recommendation.
    pub annual: crate::annual::AnnualLoss,
    /// The knobs the search chose on the run's seed and on
    /// `calibration.stability_seeds` further seeds.
    pub stability: Vec<SeedChoice>,
    /// The predictions tested on held-out paths.
    pub backtests: Vec<crate::backtest::Backtest>,
    /// The choice against its neighbours on common paths, the binding
    /// constraint and the sensitivity to the economic inputs.
    pub identification: crate::identify::Identification,
    /// Wall-clock seconds of each phase, in order (not in the report: they
    /// depend on the machine).
    pub phase_seconds: Vec<(&'static str, f64)>,
}

/// Wall-clock time of consecutive phases.
pub struct PhaseClock {
    last: std::time::Instant,
    phases: Vec<(&'static str, f64)>,
}

impl PhaseClock {
    pub fn start() -> Self {
        PhaseClock { last: std::time::Instant::now(), phases: Vec::new() }
    }
    /// Ends phase `name` now.
    fn end(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.phases.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

impl Calibration {
    /// Each seed's choice of `knob` where the seeds disagree; `None` where
    /// they agree (the knob is firmly identified by the search's paths).
    pub fn seed_disagreement(&self, knob: Knob) -> Option<Vec<f64>> {
        let values: Vec<f64> = self.stability.iter().map(|c| knob.get(&c.knobs)).collect();
        values.iter().any(|v| *v != values[0]).then_some(values)
    }
}

/// What the search chose on one seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeedChoice {
    pub seed: u64,
    pub knobs: Knobs,
}

/// Candidates of the next refinement round for one knob: the midpoints
/// between the best value tried so far and its nearest tried neighbours.
/// Never outside `bounds`, the user's own grid's smallest and largest
/// values: a choice at an edge of the grid stays there, and the report warns
/// that the optimum may lie beyond ([`on_grid_edge`]), so that the user, not
/// the search, widens the grid. Candidates that bulwark-core refuses are
/// skipped by the search.
fn refine_candidates(knob: Knob, tried: &[f64], best: f64, (lo, hi): (f64, f64)) -> Vec<f64> {
    let mut inside: Vec<f64> = tried.iter().copied().filter(|v| (lo..=hi).contains(v)).collect();
    inside.sort_by(f64::total_cmp);
    inside.dedup();
    let Some(i) = inside.iter().position(|&v| v == best) else { return Vec::new() };
    let mut out = Vec::new();
    if i > 0 {
        out.push((inside[i - 1] + inside[i]) / 2.0);
    }
    if i + 1 < inside.len() {
        out.push((inside[i] + inside[i + 1]) / 2.0);
    }
    if knob.integer() {
        // The midpoint of two integers rounds to one between them.
        out.iter_mut().for_each(|v| *v = v.round());
    }
    out.retain(|v| (lo..=hi).contains(v) && !tried.contains(v));
    out.dedup();
    out
}

/// The smallest and largest value of a grid: refinement stays between them.
fn grid_bounds(grid: &[f64]) -> (f64, f64) {
    grid.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// The knobs whose choice is the smallest or largest value the search
/// tried: the optimum may lie beyond, and the report says so.
pub fn on_grid_edge(best: &Knobs, sweep: &[SweepPoint]) -> Vec<Knob> {
    KNOBS
        .into_iter()
        .filter(|&knob| {
            let tried: Vec<f64> = sweep.iter().filter(|p| p.knob == knob).map(|p| p.value).collect();
            let (lo, hi) = tried.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            let v = knob.get(best);
            tried.len() > 1 && (v == lo || v == hi)
        })
        .collect()
}

/// Runs the whole calibration; with `current` (the parameters in
/// production), also compares the recommendation with them. The three
/// steps below, on one machine: `calibrate --shard k/n` runs the first two
/// on a slice of the final paths, and `merge` the last on the joined
/// slices ([`crate::shard`]).
pub fn calibrate(cfg: &Config, current: Option<&ContractParams>, progress: &ProgressBar) -> Result<Calibration> {
    let mut clock = PhaseClock::start();
    let searched = search(cfg, progress, &mut clock)?;
    let runs = final_runs(cfg, &searched.knobs, current, 0..cfg.run.paths, progress, &mut clock)?;
    conclude(cfg, searched, runs, progress, clock)
}

/// What the search chose, and what the steps after it read of the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Searched {
    pub knobs: Knobs,
    pub sweep: Vec<SweepPoint>,
    /// The choice on the run's seed, then on each stability seed.
    pub stability: Vec<SeedChoice>,
    /// The search's runs of the choice's neighbours, for the identification.
    pub near: NeighbourRuns,
}

/// The final paths `range` of every scenario under the chosen knobs, under
/// no Bulwark, and under the current parameters (`--current`), each under
/// every attacker policy: the policy is chosen on the whole run, so a
/// slice keeps them all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalRuns {
    pub chosen: Vec<PolicyOutcomes>,
    pub absent: Vec<PolicyOutcomes>,
    pub current: Option<Vec<PolicyOutcomes>>,
}

impl FinalRuns {
    /// Appends the runs of the paths that follow these; `None` when the
    /// two do not join (another scenario count or other policies).
    pub fn join(mut self, next: FinalRuns) -> Option<FinalRuns> {
        fn join_each(a: &mut [PolicyOutcomes], b: Vec<PolicyOutcomes>) -> bool {
            let fits = a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.same_policies(y) && y.well_formed());
            if fits {
                a.iter_mut().zip(b).for_each(|(x, y)| x.extend(y));
            }
            fits
        }
        let both = match (self.current.as_mut(), next.current) {
            (None, None) => true,
            (Some(a), Some(b)) => join_each(a, b),
            _ => false,
        };
        (both && join_each(&mut self.chosen, next.chosen) && join_each(&mut self.absent, next.absent)).then_some(self)
    }

    /// How many paths of each scenario the runs hold, if all hold as many.
    pub fn paths(&self) -> Option<u64> {
        let all = self.chosen.iter().chain(&self.absent).chain(self.current.iter().flatten());
        let lens: Vec<u64> = all.clone().map(PolicyOutcomes::len).collect();
        let ok = all.clone().all(PolicyOutcomes::well_formed) && lens.windows(2).all(|w| w[0] == w[1]);
        ok.then(|| lens.first().copied().unwrap_or(0))
    }
}

/// The search on the run's seed, then the polishing on each stability seed.
pub fn search(cfg: &Config, progress: &ProgressBar, clock: &mut PhaseClock) -> Result<Searched> {
    progress.set_length(0);
    let (knobs, sweep, near) = search_knobs(cfg, progress)?;
    clock.end("search");
    // The choice polished again on other seeds' paths: how firmly the paths
    // identify each knob.
    let mut stability = vec![SeedChoice { seed: cfg.run.seed, knobs }];
    for i in 1..=u64::from(cfg.calibration.stability_seeds) {
        let mut other = cfg.clone();
        other.run.seed = cfg.run.seed.wrapping_add(i);
        stability.push(SeedChoice { seed: other.run.seed, knobs: polish_on_seed(&other, &knobs, &sweep, progress)? });
    }
    clock.end("stability seeds");
    Ok(Searched { knobs, sweep, stability, near })
}

/// The final paths `range` of every scenario: under the chosen knobs, under
/// no Bulwark, and under `current`.
pub fn final_runs(
    cfg: &Config,
    knobs: &Knobs,
    current: Option<&ContractParams>,
    range: Range<u64>,
    progress: &ProgressBar,
    clock: &mut PhaseClock,
) -> Result<FinalRuns> {
    let n = cfg.scenarios.len() as u64;
    let len = range.end - range.start;
    let params = build(cfg, knobs)?;
    let runs = |params: &ContractParams, layer: Layer| -> Vec<PolicyOutcomes> {
        (0..cfg.scenarios.len())
            .map(|i| PolicyOutcomes::simulate(cfg, i, params, layer, range.clone(), progress))
            .collect()
    };
    progress.inc_length(n * len);
    progress.set_message("final evaluation");
    let chosen = runs(&params, Layer::Bulwark);
    clock.end("final evaluation");
    progress.inc_length(n * len);
    progress.set_message("the same paths without Bulwark");
    let absent = runs(&params, Layer::Absent);
    clock.end("without Bulwark");
    let current = current.map(|cur| {
        progress.inc_length(n * len);
        progress.set_message("the same paths under the current parameters");
        runs(cur, Layer::Bulwark)
    });
    clock.end("current parameters");
    Ok(FinalRuns { chosen, absent, current })
}

/// Everything after the final runs (of every path): the metrics, the
/// comparisons, the identification, the collateral factors, the backtests.
pub fn conclude(
    cfg: &Config,
    searched: Searched,
    runs: FinalRuns,
    progress: &ProgressBar,
    mut clock: PhaseClock,
) -> Result<Calibration> {
    let Searched { knobs, sweep, stability, near } = searched;
    let params = build(cfg, &knobs)?;
    // The identification re-simulates from the first paths, under each
    // attacker policy, only the paths a knob can change.
    let identified = (IDENTIFICATION_PATHS_PER_SEARCH_PATH * cfg.run.search_paths).min(cfg.run.paths);
    let first_runs: Vec<PolicyOutcomes> = runs.chosen.iter().map(|r| r.part(0..identified)).collect();
    let outcomes: Vec<Vec<PathOutcome>> = runs.chosen.into_iter().map(PolicyOutcomes::chosen).collect();
    let metrics: Vec<RiskMetrics> = outcomes.iter().map(|o| analyze_run(cfg, o)).collect();
    let refs: Vec<&[PathOutcome]> = outcomes.iter().map(Vec::as_slice).collect();
    let annual = annual_loss(cfg, &params, &refs, crate::annual::FINAL_YEARS);
    let best = evaluate(cfg, &knobs, &metrics, &annual);
    // The comparisons consume the other runs: the identification does not
    // hold them beside its own.
    let versus = |name: &str, other: Vec<PolicyOutcomes>| {
        let other: Vec<Vec<PathOutcome>> = other.into_iter().map(PolicyOutcomes::chosen).collect();
        crate::compare::compare_outcomes(cfg, "recommended", name, &outcomes, &other)
    };
    let savings = versus("no Bulwark", runs.absent);
    let vs_current = runs.current.map(|cur| versus("current", cur));
    clock.end("metrics and comparisons");
    progress.set_message("identification: neighbours of the choice");
    let objective_se = savings.total_loss_a.se();
    let identification =
        crate::identify::identify(cfg, &knobs, &sweep, &outcomes, &first_runs, near, objective_se, progress);
    clock.end("identification");
    let search = cfg.run.search_paths;
    let lending = cfg.scenarios.iter().filter(|s| matches!(s.attack, AttackConfig::OracleManipulation { .. })).count();
    progress.inc_length(2 * (lending * crate::compare::COLLATERAL_FACTORS.len()) as u64 * search);
    progress.set_message("collateral factors");
    let collateral = crate::compare::collateral_sweep(cfg, &params, search, progress);
    clock.end("collateral factors");
    progress.inc_length(cfg.scenarios.len() as u64 * crate::backtest::HOLDOUT_PATHS);
    progress.set_message("backtests on held-out paths");
    let backtests = crate::backtest::run(cfg, &params, &metrics, progress);
    clock.end("backtests");
    if vs_current.is_none() {
        clock.phases.retain(|(name, _)| *name != "current parameters");
    }
    Ok(Calibration {
        best,
        params,
        sweep,
        metrics,
        outcomes,
        savings,
        vs_current,
        collateral,
        annual,
        stability,
        backtests,
        identification,
        phase_seconds: clock.phases,
    })
}

/// Refinement rounds of one knob after its grid, at most: each tries the
/// midpoints around the best value so far, inside the user's grid; the
/// rounds stop as soon as one leaves the choice where it was.
pub const MAX_REFINE_ROUNDS: usize = 4;

/// Polishing passes after the coordinate pass, at most: each re-tries every
/// knob's nearest tried values with the other knobs as now chosen (a knob
/// searched early was chosen under the others' starting values), and they
/// stop after a pass that moves nothing.
pub const MAX_POLISH_PASSES: usize = 2;

/// Racing: a candidate is scored first on the first fifth of the search's
/// paths, then on the first half (the first paths of a run are the first
/// of every longer run), and dropped at the first stage that beats it.
pub const RACE_STAGE_DIVISORS: [u64; 2] = [5, 2];
/// A race stage needs this many first paths: fewer leave too few
/// one-attack paths for the yearly aggregate's severities.
pub const RACE_MIN_FIRST_PATHS: u64 = 1_000;
/// A raced candidate is dropped when it is costlier than the best by more
/// than this many standard errors of the paired difference.
pub const RACE_Z: f64 = 4.0;

/// The search's state on one seed: the best candidate so far, its paths
/// per scenario, and every candidate's score.
struct Search<'a> {
    cfg: &'a Config,
    progress: &'a ProgressBar,
    best: Evaluation,
    best_params: ContractParams,
    /// Each scenario's metrics and paths under the best knobs so far.
    cache: Vec<(RiskMetrics, Vec<PathOutcome>)>,
    /// The same paths under each attacker policy: a candidate that differs
    /// only in a knob few paths read starts from them ([`Knob::reads`]).
    best_runs: Vec<PolicyOutcomes>,
    /// The best's score on each race stage's first paths, once asked for.
    best_first: Vec<(u64, Evaluation)>,
    sweep: Vec<SweepPoint>,
    /// The runs of every candidate one knob away from the best so far.
    near: NeighbourRuns,
    /// Every knob vector scored so far, with its yearly cost and
    /// feasibility. A score is a function of the knobs alone (each
    /// candidate differs from the best only in knobs whose scenarios it
    /// re-simulates, on the same seeds), so a polishing pass that comes
    /// back to one reuses it; and it cannot beat the best, which only
    /// improves (nor can one the race dropped, beaten by an earlier best).
    scored: Vec<(Knobs, f64, bool, u64)>,
}

/// How many knobs differ between `a` and `b`.
fn knobs_apart(a: &Knobs, b: &Knobs) -> usize {
    KNOBS.into_iter().filter(|k| k.get(a) != k.get(b)).count()
}

/// Scores `k` from its scenarios' search paths, with the search's years.
fn score(
    cfg: &Config,
    k: &Knobs,
    params: &ContractParams,
    metrics: &[RiskMetrics],
    paths: &[&[PathOutcome]],
) -> Evaluation {
    evaluate(cfg, k, metrics, &annual_loss(cfg, params, paths, SEARCH_YEARS))
}

/// Whether the race drops a candidate whose paths on the race's first
/// paths are `cand` (scored `c`), against the best's on the same paths
/// (`best`, scored `b`, feasible on all the search's paths). It is
/// dropped when it is infeasible, or costlier, beyond doubt:
/// - its false-trip rate exceeds the limit by [`RACE_Z`] standard errors;
/// - or its attack loss and downtime exceed the best's by `RACE_Z`
///   standard errors of their paired difference (common random numbers,
///   path by path), after its fixed costs' difference and any capital
///   charge it saves are counted and any capital it adds is ignored. The
///   capital charge (a 99.9% quantile of a year) has no per-path
///   difference, so this counts its noise in the candidate's favour only.
pub fn race(cfg: &Config, cand: &[&[PathOutcome]], best: &[&[PathOutcome]], c: &Evaluation, b: &Evaluation) -> bool {
    let trip_days: f64 = cfg
        .scenarios
        .iter()
        .filter(|s| matches!(s.attack, AttackConfig::None))
        .map(|s| cfg.markets[&s.market].days_per_year)
        .sum();
    let (mut trip_rate, mut trip_var, mut cost_var) = (0.0, 0.0, 0.0);
    for (i, (x, y)) in cand.iter().zip(best).enumerate() {
        let n = x.len().min(y.len());
        if n < 2 {
            return false;
        }
        let nf = n as f64;
        let s = &cfg.scenarios[i];
        if matches!(s.attack, AttackConfig::None) && trip_days > 0.0 {
            let share = cfg.markets[&s.market].days_per_year / trip_days;
            let p = x[..n].iter().filter(|o| o.false_halt).count() as f64 / nf;
            trip_rate += share * p;
            trip_var += share * share * p * (1.0 - p) / nf;
        }
        let d: Vec<f64> = x[..n]
            .iter()
            .zip(&y[..n])
            .map(|(p, q)| crate::compare::yearly(cfg, i, p) - crate::compare::yearly(cfg, i, q))
            .collect();
        let mean = d.iter().sum::<f64>() / nf;
        cost_var += d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0) / nf;
    }
    if trip_rate - RACE_Z * trip_var.sqrt() > cfg.calibration.max_false_trip_rate {
        return true;
    }
    let (oc, ob) = (&c.objective, &b.objective);
    let losses = (oc.attack_loss + oc.downtime) - (ob.attack_loss + ob.downtime);
    let fixed = (oc.governance_delay + oc.cooldown) - (ob.governance_delay + ob.cooldown);
    losses - RACE_Z * cost_var.sqrt() + fixed + (oc.capital - ob.capital).min(0.0) > 0.0
}

impl<'a> Search<'a> {
    /// Starts the search on `cfg`'s seed from `knobs`, scored on every
    /// scenario.
    fn start(cfg: &'a Config, knobs: Knobs, progress: &'a ProgressBar) -> Result<Search<'a>> {
        progress.inc_length(cfg.scenarios.len() as u64 * cfg.run.search_paths);
        progress.set_message(format!("search (seed {}): starting point", cfg.run.seed));
        let params = build(cfg, &knobs)?;
        let best_runs: Vec<PolicyOutcomes> = (0..cfg.scenarios.len())
            .map(|i| PolicyOutcomes::simulate(cfg, i, &params, Layer::Bulwark, 0..cfg.run.search_paths, progress))
            .collect();
        let cache: Vec<(RiskMetrics, Vec<PathOutcome>)> = best_runs
            .iter()
            .map(|run| {
                let outcomes = run.chosen_ref().to_vec();
                (analyze(&outcomes, cfg.protocol.fund_capital_usd, 0, cfg.run.seed), outcomes)
            })
            .collect();
        let (metrics, paths): (Vec<RiskMetrics>, Vec<&[PathOutcome]>) =
            cache.iter().map(|(m, p)| (m.clone(), p.as_slice())).unzip();
        let best = score(cfg, &knobs, &params, &metrics, &paths);
        let scored = vec![(knobs, best.objective.total, best.feasible(), cfg.run.search_paths)];
        Ok(Search {
            cfg,
            progress,
            best,
            best_params: params,
            cache,
            best_runs,
            best_first: Vec::new(),
            sweep: Vec::new(),
            near: Vec::new(),
            scored,
        })
    }

    /// How many first paths each race stage scores a candidate on, in
    /// order; none when the search does not race.
    fn race_stages(&self) -> Vec<u64> {
        let search = self.cfg.run.search_paths;
        let mut stages: Vec<u64> = RACE_STAGE_DIVISORS
            .iter()
            .map(|d| search / d)
            .filter(|&n| self.cfg.calibration.race && (RACE_MIN_FIRST_PATHS..search).contains(&n))
            .collect();
        stages.dedup();
        stages
    }

    /// Tries `knob` at each of `values` with the other knobs as chosen so
    /// far, keeping the better; whether the choice moved.
    fn try_values(&mut self, knob: Knob, values: &[f64]) -> bool {
        let (cfg, search) = (self.cfg, self.cfg.run.search_paths);
        let affected: Vec<bool> = cfg.scenarios.iter().map(|s| knob.affects(&s.attack)).collect();
        let sims = affected.iter().filter(|&&a| a).count() as u64;
        let start = self.best.knobs;
        for &v in values {
            let k = knob.set(&start, v);
            self.progress.set_message(format!("search (seed {}): {} = {}", cfg.run.seed, knob.name(), v));
            // Scored already (the best so far among them), on the same paths.
            if let Some(&(_, total, feasible, paths)) = self.scored.iter().find(|(seen, ..)| *seen == k) {
                self.sweep.push(SweepPoint { knob, value: v, total, feasible, paths });
                continue;
            }
            // Grid values were validated with the config; an extension
            // beyond the grid that bulwark-core refuses is not a candidate.
            let Ok(params) = build(cfg, &k) else { continue };
            self.progress.inc_length(sims * search);
            let stages = if self.best.feasible() { self.race_stages() } else { Vec::new() };
            for &n in &stages {
                self.score_best_first(n);
            }
            // Paths `range` of scenario `i` under the candidate: where the
            // knob is one few paths read, the best's with those re-simulated.
            let run = |i: usize, range: Range<u64>| match knob.reads() {
                Some(reads) => self.best_runs[i].part(range.clone()).resimulated(
                    cfg,
                    i,
                    &params,
                    range.start,
                    reads,
                    self.progress,
                ),
                None => PolicyOutcomes::simulate(cfg, i, &params, Layer::Bulwark, range, self.progress),
            };
            // Each race stage's paths, then the rest of the search's.
            let mut done = 0;
            let mut runs: Vec<Option<PolicyOutcomes>> = vec![None; cfg.scenarios.len()];
            let mut dropped = None;
            for n in stages.iter().copied().chain(std::iter::once(search)) {
                for (i, r) in runs.iter_mut().enumerate().filter(|(i, _)| affected[*i]) {
                    let next = run(i, done..n);
                    match r {
                        Some(r) => r.extend(next),
                        None => *r = Some(next),
                    }
                }
                done = n;
                if n < search {
                    if let Some(e) = self.raced_out(&k, &params, &runs, n) {
                        dropped = Some(e);
                        break;
                    }
                }
            }
            if let Some(e) = dropped {
                self.progress.inc(sims * (search - done));
                self.sweep.push(SweepPoint {
                    knob,
                    value: v,
                    total: e.objective.total,
                    feasible: e.feasible(),
                    paths: done,
                });
                self.scored.push((k, e.objective.total, e.feasible(), done));
                self.near.push((k, runs));
                continue;
            }
            self.score_full(knob, v, k, params, runs);
        }
        knob.get(&self.best.knobs) != knob.get(&start)
    }

    /// Scores a candidate that ran all the search's paths (`runs`: the
    /// scenarios the knob affects; the best's cached results stand for the
    /// others), adds it to the sweep, and makes it the best if it is better.
    fn score_full(
        &mut self,
        knob: Knob,
        value: f64,
        k: Knobs,
        params: ContractParams,
        runs: Vec<Option<PolicyOutcomes>>,
    ) {
        let (cfg, search) = (self.cfg, self.cfg.run.search_paths);
        let results: Vec<(RiskMetrics, Vec<PathOutcome>)> = runs
            .iter()
            .zip(&self.cache)
            .map(|(run, cached)| match run {
                Some(run) => {
                    let outcomes = run.chosen_ref().to_vec();
                    (analyze(&outcomes, cfg.protocol.fund_capital_usd, 0, cfg.run.seed), outcomes)
                }
                None => cached.clone(),
            })
            .collect();
        let (metrics, paths): (Vec<RiskMetrics>, Vec<&[PathOutcome]>) =
            results.iter().map(|(m, p)| (m.clone(), p.as_slice())).unzip();
        let e = score(cfg, &k, &params, &metrics, &paths);
        self.sweep.push(SweepPoint { knob, value, total: e.objective.total, feasible: e.feasible(), paths: search });
        self.scored.push((k, e.objective.total, e.feasible(), search));
        let better = e.better_than(&self.best);
        if better {
            for (best, r) in self.best_runs.iter_mut().zip(&runs) {
                if let Some(r) = r {
                    best.clone_from(r);
                }
            }
        }
        self.near.push((k, runs));
        if better {
            self.best = e;
            self.best_params = params;
            self.cache = results;
            self.best_first.clear();
            let best = self.best.knobs;
            self.near.retain(|(k, _)| knobs_apart(k, &best) == 1);
        }
    }

    /// The best's score on its first `first` paths, kept until the best
    /// changes.
    fn score_best_first(&mut self, first: u64) {
        if !self.best_first.iter().any(|(n, _)| *n == first) {
            let (cfg, n) = (self.cfg, first as usize);
            let paths: Vec<&[PathOutcome]> = self.cache.iter().map(|(_, p)| &p[..n]).collect();
            let metrics: Vec<RiskMetrics> =
                paths.iter().map(|p| analyze(p, cfg.protocol.fund_capital_usd, 0, cfg.run.seed)).collect();
            let e = score(cfg, &self.best.knobs, &self.best_params, &metrics, &paths);
            self.best_first.push((first, e));
        }
    }

    /// The race on the first `first` paths ([`race`]), against the best's
    /// score there ([`Search::score_best_first`]): the candidate's score
    /// there when it is dropped.
    fn raced_out(
        &self,
        k: &Knobs,
        params: &ContractParams,
        runs: &[Option<PolicyOutcomes>],
        first: u64,
    ) -> Option<Evaluation> {
        let (cfg, n) = (self.cfg, first as usize);
        let best_paths: Vec<&[PathOutcome]> = self.cache.iter().map(|(_, p)| &p[..n]).collect();
        let cand_paths: Vec<&[PathOutcome]> = runs
            .iter()
            .zip(&best_paths)
            .map(|(run, best)| run.as_ref().map_or(*best, PolicyOutcomes::chosen_ref))
            .collect();
        let metrics: Vec<RiskMetrics> =
            cand_paths.iter().map(|p| analyze(p, cfg.protocol.fund_capital_usd, 0, cfg.run.seed)).collect();
        let e = score(cfg, k, params, &metrics, &cand_paths);
        let (_, b) = self.best_first.iter().find(|(n, _)| *n == first)?;
        race(cfg, &cand_paths, &best_paths, &e, b).then_some(e)
    }

    /// Polishing passes from the knobs chosen so far: each re-tries every
    /// searched knob's nearest values in `tried` (this search's sweep, or
    /// another seed's), until a pass moves nothing.
    fn polish(&mut self, searched: &[Knob], tried: Option<&[SweepPoint]>) {
        for _ in 0..MAX_POLISH_PASSES {
            let mut moved = false;
            for &knob in searched {
                let near = neighbours(knob, knob.get(&self.best.knobs), tried.unwrap_or(&self.sweep));
                moved |= self.try_values(knob, &near);
            }
            if !moved {
                break;
            }
        }
    }
}

/// The knobs that change at least one of `cfg`'s scenarios.
fn searched_knobs(cfg: &Config) -> Vec<Knob> {
    KNOBS.into_iter().filter(|k| cfg.scenarios.iter().any(|sc| k.affects(&sc.attack))).collect()
}

/// The search on `cfg`'s seed: a coordinate pass (each knob's grid, then
/// refinement rounds), then polishing passes; the chosen knobs and every
/// candidate's score.
fn search_knobs(cfg: &Config, progress: &ProgressBar) -> Result<(Knobs, Vec<SweepPoint>, NeighbourRuns)> {
    let mut s = Search::start(cfg, Knobs::middle(&cfg.calibration), progress)?;
    let searched = searched_knobs(cfg);
    for &knob in &searched {
        let grid = knob.grid(cfg);
        s.try_values(knob, &grid);
        let bounds = grid_bounds(&grid);
        for _ in 0..if cfg.calibration.refine { MAX_REFINE_ROUNDS } else { 0 } {
            let tried: Vec<f64> = s.sweep.iter().filter(|p| p.knob == knob).map(|p| p.value).collect();
            let candidates = refine_candidates(knob, &tried, knob.get(&s.best.knobs), bounds);
            if candidates.is_empty() || !s.try_values(knob, &candidates) {
                break;
            }
        }
    }
    s.polish(&searched, None);
    Ok((s.best.knobs, s.sweep, s.near))
}

/// Wall seconds of the search alone on `cfg` (no stability seeds, no
/// final evaluation), for `bulwark-sim bench`.
pub fn search_seconds(cfg: &Config) -> Result<f64> {
    let start = std::time::Instant::now();
    search_knobs(cfg, &ProgressBar::hidden())?;
    Ok(start.elapsed().as_secs_f64())
}

/// The stability check on `cfg`'s seed: polishing passes from `chosen` (the
/// run's choice) over the values the run's search tried (`tried`), on this
/// seed's paths; where it ends.
///
/// Not a second whole search: a seed that moves a knob shows that the
/// paths do not firmly identify it, which is what the check reports; a
/// whole search on each seed would also re-explore values far from every
/// seed's choice.
fn polish_on_seed(cfg: &Config, chosen: &Knobs, tried: &[SweepPoint], progress: &ProgressBar) -> Result<Knobs> {
    let mut s = Search::start(cfg, *chosen, progress)?;
    s.polish(&searched_knobs(cfg), Some(tried));
    Ok(s.best.knobs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{assert_skipping_is_exact, simulate};

    #[test]
    fn refinement_takes_midpoints_inside_the_users_grid() {
        let grid = [1.0, 6.0, 24.0];
        let bounds = grid_bounds(&grid);
        let k = Knob::CriticalTimelockHours;
        assert_eq!(refine_candidates(k, &grid, 6.0, bounds), vec![3.5, 15.0]);
        // At an edge of the grid: only the midpoint inside, never beyond it
        // (the report's on-the-edge warning tells the user to widen it).
        assert_eq!(refine_candidates(k, &grid, 24.0, bounds), vec![15.0]);
        assert_eq!(refine_candidates(k, &grid, 1.0, bounds), vec![3.5]);
        // A one-value grid is not refined: issue 21's `[24.0]` came out as 1.5 h.
        assert!(refine_candidates(k, &[24.0], 24.0, (24.0, 24.0)).is_empty());
        // Later rounds: the midpoints around the best of what was tried.
        assert_eq!(refine_candidates(k, &[1.0, 3.5, 6.0, 15.0, 24.0], 3.5, bounds), vec![2.25, 4.75]);
        // Integer knobs round to a value between the two.
        assert_eq!(refine_candidates(Knob::MaxDeviationBps, &[3.0, 4.0, 6.0], 4.0, (3.0, 6.0)), vec![5.0]);
        let point = |value| SweepPoint { knob: Knob::ExitCooldownDays, value, total: 0.0, feasible: true, paths: 0 };
        let sweep = [point(1.0), point(3.0), point(7.0)];
        let mut k = Knobs::middle(&Config::default().calibration);
        k.exit_cooldown_days = 7.0;
        assert_eq!(on_grid_edge(&k, &sweep), vec![Knob::ExitCooldownDays]);
        k.exit_cooldown_days = 3.0;
        assert!(on_grid_edge(&k, &sweep).is_empty());
    }

    proptest::proptest! {
        /// Over any grid and any sequence of choices, every refinement
        /// round's candidates stay inside the grid's [min, max], are new, and
        /// (for the integer knobs) whole.
        #[test]
        fn refinement_never_leaves_the_grid(
            steps in proptest::collection::btree_set(1u32..=7_200, 1..8),
            knob_index in 0..KNOBS.len(),
            picks in proptest::collection::vec(0usize..64, 1 + MAX_REFINE_ROUNDS),
        ) {
            let knob = KNOBS[knob_index];
            let grid: Vec<f64> =
                steps.iter().map(|&s| if knob.integer() { f64::from(s) } else { f64::from(s) / 10.0 }).collect();
            let bounds = grid_bounds(&grid);
            let mut tried = grid.clone();
            let mut best = grid[picks[0] % grid.len()];
            for &pick in &picks[1..] {
                let candidates = refine_candidates(knob, &tried, best, bounds);
                for &c in &candidates {
                    proptest::prop_assert!(
                        bounds.0 <= c && c <= bounds.1,
                        "{} = {c} outside the grid {grid:?}", knob.name()
                    );
                    proptest::prop_assert!(!tried.contains(&c));
                    proptest::prop_assert!(!knob.integer() || c.fract() == 0.0);
                }
                tried.extend(&candidates);
                best = tried[pick % tried.len()];
            }
        }
    }

    /// The search itself: with refinement on, every value it scores lies
    /// inside that knob's grid (a one-value grid stays that value).
    #[test]
    fn the_search_never_scores_a_value_outside_the_users_grid() {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| ["baseline_calm", "keys_radiant"].contains(&s.name.as_str()));
        cfg.run.paths = 1_000;
        cfg.run.search_paths = 1_000;
        cfg.run.horizon_hours = 6;
        cfg.calibration.refine = true;
        let c = &mut cfg.calibration;
        c.critical_timelock_hours = vec![24.0];
        c.hourly_share_bps = vec![100, 400];
        c.max_deviation_bps = vec![1_000];
        c.throttle_hours = vec![1.0, 4.0];
        c.halt_hours = vec![2.0];
        c.inflow_decay_minutes = vec![30.0];
        c.reference_smoothing_bps = vec![100];
        crate::params::check_config(&cfg).unwrap();
        let (chosen, sweep, near) = search_knobs(&cfg, &ProgressBar::hidden()).unwrap();
        // What the search kept for the identification: runs one knob away.
        assert!(near.iter().all(|(k, _)| knobs_apart(k, &chosen) == 1));
        assert!(!sweep.is_empty());
        for knob in KNOBS {
            let (lo, hi) = grid_bounds(&knob.grid(&cfg));
            for p in sweep.iter().filter(|p| p.knob == knob) {
                assert!(lo <= p.value && p.value <= hi, "{} = {} scored, outside [{lo}, {hi}]", knob.name(), p.value);
            }
            let v = knob.get(&chosen);
            assert!(lo <= v && v <= hi, "{} = {v} chosen, outside [{lo}, {hi}]", knob.name());
        }
        assert_eq!(chosen.critical_timelock_hours, 24.0);
    }

    /// A small config on which the search races (5,000 search paths, the
    /// race on the first 1,000): two scenarios, six hours, two values a knob.
    fn raced_config() -> Config {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| ["baseline_calm", "flash_loan_euler"].contains(&s.name.as_str()));
        cfg.run.paths = 5_000;
        cfg.run.search_paths = 5_000;
        cfg.run.horizon_hours = 6;
        let c = &mut cfg.calibration;
        c.refine = false;
        c.hourly_share_bps = vec![25, 400];
        c.max_deviation_bps = vec![300, 3_000];
        c.throttle_hours = vec![1.0, 4.0];
        c.halt_hours = vec![1.0, 8.0];
        c.inflow_decay_minutes = vec![30.0, 120.0];
        c.reference_smoothing_bps = vec![100, 400];
        crate::params::check_config(&cfg).unwrap();
        cfg
    }

    /// The race only drops candidates: with it on and off the search
    /// chooses the same knobs, and every candidate it completes has the very
    /// score it has without the race (its first paths are the whole run's).
    #[test]
    fn racing_drops_candidates_and_changes_no_score() {
        let mut cfg = raced_config();
        let hidden = ProgressBar::hidden();
        let (raced_choice, raced, _) = search_knobs(&cfg, &hidden).unwrap();
        cfg.calibration.race = false;
        let (plain_choice, plain, _) = search_knobs(&cfg, &hidden).unwrap();
        assert_eq!(raced_choice, plain_choice);
        assert!(plain.iter().all(|p| p.paths == 5_000));
        let dropped = raced.iter().filter(|p| p.paths < 5_000).count();
        assert!(dropped > 0, "nothing raced out: the test no longer tests the race");
        for p in raced.iter().filter(|p| p.paths == 5_000) {
            let same = plain.iter().find(|q| q.knob == p.knob && q.value == p.value && q.total == p.total);
            assert!(
                same.is_some(),
                "{} = {} scored {} with the race, differently without",
                p.knob.name(),
                p.value,
                p.total
            );
        }
        for p in raced.iter().filter(|p| p.paths < 5_000) {
            assert!([1_000, 2_500].contains(&p.paths), "dropped at {} paths", p.paths);
        }
    }

    /// The race's rule on synthetic paths: the best itself and a candidate
    /// within noise stay; a candidate costlier by far, or beyond doubt
    /// over the false-trip limit, is dropped; a costlier one whose fixed
    /// costs save more stays.
    #[test]
    fn the_race_drops_only_what_is_worse_beyond_doubt() {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| ["baseline_calm", "flash_loan_euler"].contains(&s.name.as_str()));
        let knobs = Knobs::middle(&cfg.calibration);
        let params = build(&cfg, &knobs).unwrap();
        let n = 1_000;
        // Losses that vary path by path (a deterministic spread).
        let path = |i: usize, extra: f64, halt: bool| PathOutcome {
            attack_loss: 1e5 * ((i * 7_919) % 101) as f64 + extra,
            downtime_cost: 1e3 * ((i * 104_729) % 13) as f64,
            weight: 1.0,
            attacks: u32::from(i % 3 == 0),
            false_halt: halt && i % 2 == 0,
            ..PathOutcome::default()
        };
        let run = |extra: f64, halt: bool| -> Vec<Vec<PathOutcome>> {
            vec![(0..n).map(|i| path(i, 0.0, halt)).collect(), (0..n).map(|i| path(i, extra, false)).collect()]
        };
        let scored = |runs: &[Vec<PathOutcome>], k: &Knobs| {
            let slices: Vec<&[PathOutcome]> = runs.iter().map(Vec::as_slice).collect();
            let metrics: Vec<RiskMetrics> = slices.iter().map(|p| analyze(p, 1e7, 0, 1)).collect();
            (score(&cfg, k, &params, &metrics, &slices), slices.iter().map(|s| s.to_vec()).collect::<Vec<_>>())
        };
        let (b, best) = scored(&run(0.0, false), &knobs);
        let best_refs: Vec<&[PathOutcome]> = best.iter().map(Vec::as_slice).collect();
        let races_against = |runs: Vec<Vec<PathOutcome>>, k: &Knobs, b: &Evaluation| {
            let (c, cand) = scored(&runs, k);
            let refs: Vec<&[PathOutcome]> = cand.iter().map(Vec::as_slice).collect();
            race(&cfg, &refs, &best_refs, &c, b)
        };
        let races = |runs, k: &Knobs| races_against(runs, k, &b);
        assert!(!races(run(0.0, false), &knobs), "the best itself");
        assert!(!races(run(0.0, false).into_iter().rev().collect(), &knobs), "other paths, as costly on average");
        assert!(races(run(1e6, false), &knobs), "a million more on every path");
        assert!(races(run(0.0, true), &knobs), "half the calm paths halt falsely");
        // Fixed costs count: a year more of exit cooldown costs about $0.73M a
        // year; $1,000 more on every one-day path of the drain is $0.365M.
        let mut dear = knobs;
        dear.exit_cooldown_days += 365.0;
        assert!(races(run(0.0, false), &dear), "the same paths, dearer fixed costs");
        let (dear_best, _) = scored(&run(0.0, false), &dear);
        assert!(dear_best.objective.cooldown - b.objective.cooldown > 0.5e6);
        assert!(!races_against(run(1e3, false), &knobs, &dear_best), "costlier paths, cheaper fixed costs");
        assert!(races_against(run(1e4, false), &knobs, &dear_best), "far costlier paths");
    }

    /// A knob that says which paths read it ([`Knob::reads`]) leaves every
    /// other path bit-identical: re-simulating only the paths that read it,
    /// from its smallest value to another, gives exactly the whole run at
    /// the other value, under each attacker policy, on every scenario.
    #[test]
    fn skipping_paths_is_exact() {
        let cfg = Config::default();
        let base = Knobs::middle(&cfg.calibration);
        let paths = 500;
        for knob in KNOBS.into_iter().filter(|k| k.reads().is_some()) {
            let reads = knob.reads().unwrap();
            let grid = knob.grid(&cfg);
            let from = build(&cfg, &knob.set(&base, grid[0])).unwrap();
            let (mut kept, mut redone) = (0, 0);
            for to in [grid[grid.len() / 2], (4.0 * grid[grid.len() - 1]).min(knob.max())] {
                let Ok(to) = build(&cfg, &knob.set(&base, to)) else { continue };
                for (i, _) in cfg.scenarios.iter().enumerate().filter(|(_, s)| knob.affects(&s.attack)) {
                    let (k, r) = assert_skipping_is_exact(&cfg, &from, &cfg, &to, i, paths, reads, knob.name());
                    kept += k;
                    redone += r;
                }
            }
            // Not vacuous: some paths read the knob and some do not.
            assert!(kept > 0 && redone > 0, "{}: {kept} kept, {redone} re-simulated", knob.name());
        }
    }

    /// Every knob, moved from its first candidate to well beyond its last,
    /// leaves the paths of the scenarios it claims not to affect
    /// bit-identical.
    #[test]
    fn knobs_change_only_the_scenarios_they_affect() {
        let cfg = Config::default();
        let hidden = ProgressBar::hidden();
        // From every other knob at its smallest (the shortest cooldown lets
        // stakers leave soonest, where a long halt still stops them), each
        // knob from its smallest candidate to well beyond its largest.
        let base = Knobs::first(&cfg.calibration);
        for knob in KNOBS {
            let grid = knob.grid(&cfg);
            let far = (4.0 * grid[grid.len() - 1]).min(knob.max());
            let lo = build(&cfg, &knob.set(&base, grid[0])).unwrap();
            let Ok(hi) = build(&cfg, &knob.set(&base, far)) else { continue };
            for (i, s) in cfg.scenarios.iter().enumerate() {
                if !knob.affects(&s.attack) {
                    let (a, b) = (simulate(&cfg, i, &lo, 1_000, &hidden), simulate(&cfg, i, &hi, 1_000, &hidden));
                    let changed = a.iter().zip(&b).filter(|(x, y)| x != y).count();
                    assert_eq!(changed, 0, "{} changes {} paths of {}", knob.name(), changed, s.name);
                }
            }
        }
    }

    #[test]
    fn neighbours_are_the_nearest_values_tried() {
        let p = |knob, value| SweepPoint { knob, value, total: 0.0, feasible: true, paths: 0 };
        let sweep = [
            p(Knob::ExitCooldownDays, 1.0),
            p(Knob::ExitCooldownDays, 7.0),
            p(Knob::ExitCooldownDays, 3.0),
            p(Knob::ExitCooldownDays, 5.0),
            p(Knob::HourlyShareBps, 4.0),
        ];
        assert_eq!(neighbours(Knob::ExitCooldownDays, 3.0, &sweep), vec![1.0, 5.0]);
        assert_eq!(neighbours(Knob::ExitCooldownDays, 7.0, &sweep), vec![5.0]);
        assert!(neighbours(Knob::CriticalTimelockHours, 24.0, &sweep).is_empty());
    }

    /// The final runs of consecutive slices, joined, are the final runs of
    /// every path: under the choice, without Bulwark and under `--current`
    /// (what `calibrate --shard` and `merge` rely on); runs of other
    /// scenarios do not join.
    #[test]
    fn final_runs_of_slices_join_into_the_whole() {
        let mut cfg = Config::default();
        cfg.scenarios.retain(|s| ["oracle_mango", "keys_radiant"].contains(&s.name.as_str()));
        cfg.run.paths = 1_000;
        cfg.run.search_paths = 1_000;
        cfg.run.horizon_hours = 12;
        let knobs = Knobs::middle(&cfg.calibration);
        let mut current = build(&cfg, &Knobs::first(&cfg.calibration)).unwrap();
        current.circuit_breaker.limiter.windows[0].max_bps_of_tvl += 1;
        let hidden = ProgressBar::hidden();
        let mut clock = PhaseClock::start();
        let mut runs = |r: Range<u64>| final_runs(&cfg, &knobs, Some(&current), r, &hidden, &mut clock).unwrap();
        let whole = runs(0..1_000);
        let joined = runs(0..400).join(runs(400..1_000)).unwrap();
        assert_eq!(joined.paths(), Some(1_000));
        assert!(joined == whole, "the joined slices are not the whole run");
        let mut other = runs(400..1_000);
        other.absent.pop();
        assert!(runs(0..400).join(other).is_none());
        let mut no_current = runs(400..1_000);
        no_current.current = None;
        assert!(runs(0..400).join(no_current).is_none());
    }
}

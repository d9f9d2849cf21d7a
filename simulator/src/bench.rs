//! The `bench` subcommand: throughput of the real core logic and of the
//! engine, scaling from 1 to 2 threads, and the engine against a numpy
//! model of the same path (`simulator/benches/reference_model.py`), run on
//! the same machine when python3 with numpy is there. Targets live here,
//! not in tests.

use crate::config::Config;
use crate::engine::simulate;
use crate::params::{build, Knobs};
use anyhow::{Context, Result};
use bulwark_core::breaker::CircuitBreaker;
use indicatif::ProgressBar;
use serde::Serialize;
use std::hint::black_box;
use std::time::Instant;

#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// Calls into bulwark-core per second on one core, in a tight loop.
    pub core_steps_per_sec: f64,
    /// Calls into bulwark-core per second inside full path simulations (1 thread).
    pub engine_core_steps_per_sec: f64,
    pub scenario: String,
    pub paths: u64,
    pub paths_per_sec_1_thread: f64,
    pub paths_per_sec_2_threads: f64,
    /// paths/s at 2 threads ÷ (2 × paths/s at 1 thread).
    pub scaling_efficiency: f64,
    /// bulwark-sim's paths per second (1 thread) on the reference model's path.
    pub reference_paths_per_sec: f64,
    /// The numpy reference model's paths per CPU-second, if it ran.
    pub numpy_paths_per_cpu_sec: Option<f64>,
    /// `reference_paths_per_sec / numpy_paths_per_cpu_sec`: above 1, bulwark-sim is faster.
    pub ratio_to_numpy: Option<f64>,
    /// What bulwark-core's one-path API alone costs, whatever the simulator around it does.
    pub core_floor: CoreFloor,
    /// The calibration's search on the built-in scenarios over 6-hour
    /// paths, with and without the race, in the same run.
    pub search: SearchTimes,
}

/// Wall seconds of the search ([`crate::calibrate::search_seconds`]) on the
/// config's scenarios and grids, its horizon cut to 6 hours to keep the
/// bench short, with `calibration.race` on and off.
#[derive(Debug, Serialize)]
pub struct SearchTimes {
    pub raced_secs: f64,
    pub plain_secs: f64,
    /// `raced_secs / plain_secs`: below 1, the race saves time.
    pub ratio: f64,
}

fn search_times(cfg: &Config) -> Result<SearchTimes> {
    let mut c = cfg.clone();
    c.run.horizon_hours = 6;
    crate::params::check_config(&c)?;
    let raced_secs = crate::calibrate::search_seconds(&c)?;
    c.calibration.race = false;
    let plain_secs = crate::calibrate::search_seconds(&c)?;
    Ok(SearchTimes { raced_secs, plain_secs, ratio: raced_secs / plain_secs })
}

/// A lower bound on the engine's time from its calls into bulwark-core
/// alone: the calls each path makes (counted by the engine, at the middle
/// knobs) priced at the tight loop's rate, which is the cheapest a call
/// gets (inside a path it competes with the market model for cache and
/// branch predictors). Nothing the simulator does around those calls (the
/// market, the draws, the attack) can take a run below it; only a cheaper
/// core call can.
#[derive(Debug, Serialize)]
pub struct CoreFloor {
    /// Mean core calls per path with Bulwark, per scenario.
    pub calls_per_path: Vec<(String, f64)>,
    /// Seconds the calls of the final evaluation at 10⁶ paths per scenario
    /// take on 2 cores (with Bulwark only; the unprotected run calls no core).
    pub final_evaluation_secs_2_cores: f64,
    /// Core calls per path of the reference path.
    pub reference_calls_per_path: f64,
    /// The most paths per second one thread can run on the reference path.
    pub reference_max_paths_per_sec: f64,
    /// That maximum over the numpy model's paths per CPU-second.
    pub max_ratio_to_numpy: Option<f64>,
}

/// The numpy reference model's path as a bulwark-sim config: one asset,
/// `calm`'s volatility with Gaussian shocks and `bull_2017`'s jumps, no
/// attacker, over 288 five-minute steps. bulwark-sim runs the whole of
/// bulwark-core on it (elastic buffer, staged levels, smoothing, token
/// units), which the numpy model leaves out.
pub fn reference_config(cfg: &Config) -> Config {
    let mut c = cfg.clone();
    let mut m = c.markets.values().next().cloned().expect("a validated config has a market");
    m.annual_vol = 0.45;
    m.annual_drift = 0.0;
    (m.jumps_per_year, m.jump_mean, m.jump_sd) = (24.0, 0.0, 0.08);
    m.student_t_df = None;
    m.assets = 1;
    c.markets = [("reference".to_string(), m)].into_iter().collect();
    let mut s = cfg.scenarios[0].clone();
    s.name = "reference".into();
    s.market = "reference".into();
    s.attacks_per_year = 0.0;
    s.importance_factor = 1.0;
    s.attack = crate::config::AttackConfig::None;
    c.scenarios = vec![s];
    c.run.horizon_hours = 24;
    c.run.step_minutes = 5;
    // Windows wide enough that legitimate outflow, counted in full, never
    // saturates them: the reference path has no halts and no run-on (as the
    // numpy model), so every path is exactly its 288 steps.
    c.calibration.hourly_share_bps = vec![800];
    c
}

/// Runs the numpy model on `paths` paths; its paths per CPU-second, or why not.
fn numpy_reference(paths: u64) -> std::result::Result<f64, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/reference_model.py");
    let out = std::process::Command::new("python3")
        .args([script, "--paths", &paths.to_string()])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("failed").to_string());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    v["paths_per_cpu_second"].as_f64().ok_or_else(|| "no paths_per_cpu_second".to_string())
}

/// One core step: a price report, an outflow decision or an inflow, cycling,
/// with time moving 5 s per step so windows roll.
pub fn core_steps(cfg: &Config, steps: u64) -> Result<f64> {
    let params = build(cfg, &Knobs::middle(&cfg.calibration))?;
    let asset = &params.deployment.assets[0];
    let mut cb = CircuitBreaker::new(params.circuit_breaker.clone()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut flow = cb.new_asset(asset.units, asset.initial_tvl).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // One account both withdraws and deposits, so the credit path runs too.
    let mut account = bulwark_core::breaker::AccountFlow::default();
    let (price, unit) = (asset.price, asset.initial_tvl / 10_000_000);
    let start = Instant::now();
    let mut now = crate::sim::T0;
    for i in 0..steps {
        now += 5_000;
        match i % 3 {
            0 => {
                let _ = black_box(cb.report_price(&mut flow, price + (i % 7) as u128, now));
            }
            1 => {
                black_box(cb.check_outflow(0, &mut flow, &mut account, *b"user", unit + (i % 1_000) as u128, now));
            }
            _ => {
                let _ = black_box(cb.record_inflow(&mut flow, &mut account, unit, now));
            }
        }
    }
    Ok(steps as f64 / start.elapsed().as_secs_f64())
}

/// Mean core calls per path of scenario `index` with Bulwark, at the middle knobs.
fn calls_per_path(cfg: &Config, index: usize, paths: u64) -> Result<f64> {
    let params = build(cfg, &Knobs::middle(&cfg.calibration))?;
    let out = simulate(cfg, index, &params, paths, &ProgressBar::hidden());
    Ok(out.iter().map(|o| o.core_steps as f64).sum::<f64>() / paths as f64)
}

/// [`CoreFloor`] from the tight loop's rate `core_rate` (calls per second).
fn core_floor(cfg: &Config, core_rate: f64, numpy: Option<f64>) -> Result<CoreFloor> {
    const FINAL_PATHS: f64 = 1e6;
    const CORES: f64 = 2.0;
    let per_scenario = (0..cfg.scenarios.len())
        .map(|i| Ok((cfg.scenarios[i].name.clone(), calls_per_path(cfg, i, 2_000)?)))
        .collect::<Result<Vec<_>>>()?;
    let calls: f64 = per_scenario.iter().map(|(_, c)| c).sum();
    let reference_calls_per_path = calls_per_path(&reference_config(cfg), 0, 2_000)?;
    let reference_max_paths_per_sec = core_rate / reference_calls_per_path;
    Ok(CoreFloor {
        calls_per_path: per_scenario,
        final_evaluation_secs_2_cores: calls * FINAL_PATHS / core_rate / CORES,
        reference_calls_per_path,
        reference_max_paths_per_sec,
        max_ratio_to_numpy: numpy.map(|n| reference_max_paths_per_sec / n),
    })
}

fn paths_per_sec(cfg: &Config, index: usize, paths: u64, threads: usize) -> Result<(f64, f64)> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().context("thread pool")?;
    let params = build(cfg, &Knobs::middle(&cfg.calibration))?;
    let start = Instant::now();
    let out = pool.install(|| simulate(cfg, index, &params, paths, &ProgressBar::hidden()));
    let secs = start.elapsed().as_secs_f64();
    let steps: u64 = out.iter().map(|o| o.core_steps).sum();
    Ok((paths as f64 / secs, steps as f64 / secs))
}

pub fn run(cfg: &Config, quiet: bool) -> Result<()> {
    let core = core_steps(cfg, 30_000_000)?;
    // The default scenario for throughput: the first one with market paths and an attacker.
    let index = cfg
        .scenarios
        .iter()
        .position(|s| matches!(s.attack, crate::config::AttackConfig::FlashLoanDrain { .. }))
        .unwrap_or(0);
    let paths = cfg.run.search_paths.max(10_000);
    // Warm up caches and the allocator before timing.
    paths_per_sec(cfg, index, paths / 10, 1)?;
    let (p1, engine_steps) = paths_per_sec(cfg, index, paths, 1)?;
    let (p2, _) = paths_per_sec(cfg, index, paths, 2)?;
    let reference = reference_config(cfg);
    paths_per_sec(&reference, 0, 5_000, 1)?;
    let (rust_ref, _) = paths_per_sec(&reference, 0, 50_000, 1)?;
    let numpy = numpy_reference(100_000);
    if let Err(why) = &numpy {
        eprintln!("numpy reference model not run ({why}); `pip install numpy` to compare");
    }
    let numpy = numpy.ok();
    let core_floor = core_floor(cfg, core, numpy)?;
    let search = search_times(cfg)?;
    let report = BenchReport {
        core_steps_per_sec: core,
        engine_core_steps_per_sec: engine_steps,
        scenario: cfg.scenarios[index].name.clone(),
        paths,
        paths_per_sec_1_thread: p1,
        paths_per_sec_2_threads: p2,
        scaling_efficiency: p2 / (2.0 * p1),
        reference_paths_per_sec: rust_ref,
        numpy_paths_per_cpu_sec: numpy,
        ratio_to_numpy: numpy.map(|n| rust_ref / n),
        core_floor,
        search,
    };
    if !quiet {
        println!("core steps/s (1 core, tight loop):     {:.3e}", report.core_steps_per_sec);
        println!("core steps/s (1 core, inside paths):   {:.3e}", report.engine_core_steps_per_sec);
        println!("paths/s on {} (1 thread):  {:.0}", report.scenario, report.paths_per_sec_1_thread);
        println!("paths/s on {} (2 threads): {:.0}", report.scenario, report.paths_per_sec_2_threads);
        println!("scaling efficiency 1 -> 2 threads:     {:.1}%", 100.0 * report.scaling_efficiency);
        println!("paths/s on the reference path (1 thread): {:.0}", report.reference_paths_per_sec);
        if let (Some(n), Some(r)) = (report.numpy_paths_per_cpu_sec, report.ratio_to_numpy) {
            println!("numpy reference model, paths/CPU-s:       {n:.0}");
            println!("bulwark-sim / numpy per CPU-second:       {r:.2}x");
        }
        let f = &report.core_floor;
        println!("floor set by bulwark-core's calls alone (tight-loop rate, nothing else counted):");
        for (name, calls) in &f.calls_per_path {
            println!("  {name:<24} {calls:>8.0} core calls per path");
        }
        println!("  final evaluation, 10^6 paths per scenario, 2 cores: {:.0} s", f.final_evaluation_secs_2_cores);
        println!(
            "  reference path: {:.0} calls, at most {:.0} paths/s on one thread",
            f.reference_calls_per_path, f.reference_max_paths_per_sec
        );
        if let Some(r) = f.max_ratio_to_numpy {
            println!("  at most {r:.2}x the numpy model per CPU-second");
        }
        let s = &report.search;
        println!(
            "calibration search (6 h paths): {:.1} s raced, {:.1} s without the race: {:.2}x",
            s.raced_secs, s.plain_secs, s.ratio
        );
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The floor's premise, as docs/performance.md states it: on the reference path
    /// every step makes exactly two core calls (a price report, and an
    /// inflow or an outflow), so a call's cost bounds the path's.
    #[test]
    fn the_reference_path_calls_core_twice_a_step() {
        let cfg = reference_config(&Config::default());
        let steps = cfg.run.horizon_hours as f64 * 60.0 / cfg.run.step_minutes as f64;
        assert_eq!(calls_per_path(&cfg, 0, 200).unwrap(), 2.0 * steps);
    }
}

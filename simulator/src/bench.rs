//! The `bench` subcommand: throughput of the real core logic and of the
//! engine, and scaling from 1 to 2 threads. Targets live here, not in tests.

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
}

/// One core step: a price report, an outflow decision or an inflow, cycling,
/// with time moving 5 s per step so windows roll.
pub fn core_steps(cfg: &Config, steps: u64) -> Result<f64> {
    let params = build(cfg, &Knobs::middle(&cfg.calibration))?;
    let asset = &params.deployment.assets[0];
    let mut cb = CircuitBreaker::new(params.circuit_breaker.clone()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut flow = cb.new_asset(asset.units, asset.initial_tvl).map_err(|e| anyhow::anyhow!("{e:?}"))?;
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
                black_box(cb.check_outflow(0, &mut flow, *b"user", unit + (i % 1_000) as u128, now));
            }
            _ => {
                let _ = black_box(cb.record_inflow(&mut flow, unit, now));
            }
        }
    }
    Ok(steps as f64 / start.elapsed().as_secs_f64())
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
    let report = BenchReport {
        core_steps_per_sec: core,
        engine_core_steps_per_sec: engine_steps,
        scenario: cfg.scenarios[index].name.clone(),
        paths,
        paths_per_sec_1_thread: p1,
        paths_per_sec_2_threads: p2,
        scaling_efficiency: p2 / (2.0 * p1),
    };
    if !quiet {
        println!("core steps/s (1 core, tight loop):     {:.3e}", report.core_steps_per_sec);
        println!("core steps/s (1 core, inside paths):   {:.3e}", report.engine_core_steps_per_sec);
        println!("paths/s on {} (1 thread):  {:.0}", report.scenario, report.paths_per_sec_1_thread);
        println!("paths/s on {} (2 threads): {:.0}", report.scenario, report.paths_per_sec_2_threads);
        println!("scaling efficiency 1 -> 2 threads:     {:.1}%", 100.0 * report.scaling_efficiency);
    }
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

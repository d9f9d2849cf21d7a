//! Criterion benchmarks: the real bulwark-core breaker step and one full
//! simulated path. `bulwark-sim bench` reports the same quantities as
//! throughput figures (core steps/s, paths/s, scaling).

use bulwark_core::breaker::CircuitBreaker;
use bulwark_sim::config::Config;
use bulwark_sim::engine::path_rng;
use bulwark_sim::params::{build, Knobs};
use bulwark_sim::sim::{PathSim, T0};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn core_step(c: &mut Criterion) {
    let cfg = Config::default();
    let params = build(&cfg, &Knobs::middle(&cfg.calibration)).unwrap();
    let asset = &params.deployment.assets[0];
    let mut cb = CircuitBreaker::new(params.circuit_breaker.clone()).unwrap();
    let mut flow = cb.new_asset(asset.units, asset.initial_tvl).unwrap();
    let mut account = bulwark_core::breaker::AccountFlow::default();
    let (price, unit) = (asset.price, asset.initial_tvl / 10_000_000);
    let mut now = T0;
    let mut g = c.benchmark_group("core");
    g.throughput(Throughput::Elements(3));
    g.bench_function("report_price + check_outflow + record_inflow", |b| {
        b.iter(|| {
            now += 5_000;
            let _ = black_box(cb.report_price(&mut flow, price, now));
            black_box(cb.check_outflow(0, &mut flow, &mut account, *b"user", unit, now));
            let _ = black_box(cb.record_inflow(&mut flow, &mut account, unit, now));
        })
    });
    g.finish();
}

fn one_path(c: &mut Criterion) {
    let cfg = Config::default();
    let params = build(&cfg, &Knobs::middle(&cfg.calibration)).unwrap();
    let mut g = c.benchmark_group("path");
    for name in ["baseline_calm", "flash_loan_euler", "bank_run_bybit"] {
        let scenario = cfg.scenarios.iter().find(|s| s.name == name).unwrap();
        let mut sim = PathSim::new(&cfg, scenario, &params, bulwark_sim::sim::Layer::Bulwark);
        let mut i = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                black_box(sim.run(&mut path_rng(cfg.run.seed, name, i)))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, core_step, one_path);
criterion_main!(benches);

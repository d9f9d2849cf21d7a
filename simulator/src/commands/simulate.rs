//! `simulate`: one scenario under given parameters; its risk metrics. With
//! `--shard k/n`, only the k-th slice of its paths, written for `merge`.

use super::{check_out, check_resources, load_config, print_metrics, progress, write_shard};
use crate::Cli;
use anyhow::{bail, Result};
use bulwark_sim::config::Config;
use bulwark_sim::engine::PolicyOutcomes;
use bulwark_sim::metrics::analyze_run;
use bulwark_sim::params::{build, ContractParams, Knobs};
use bulwark_sim::resources::Command as Job;
use bulwark_sim::shard::{Shard, ShardFile};
use bulwark_sim::sim::{Layer, PathOutcome};
use bulwark_sim::{output, report};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(cli: &Cli, scenario: &str, params: Option<&PathBuf>, shard: Option<Shard>) -> Result<()> {
    let cfg = load_config(cli)?;
    let Some(index) = cfg.scenarios.iter().position(|s| s.name == scenario) else {
        let names: Vec<_> = cfg.scenarios.iter().map(|s| s.name.as_str()).collect();
        bail!("no scenario {scenario:?}; the scenarios are {names:?}");
    };
    if let Some(shard) = shard {
        shard.check(cfg.run.paths)?;
    }
    let file = match shard {
        Some(shard) => ShardFile::simulate_file(scenario, shard),
        None => output::simulate(scenario),
    };
    check_resources(cli, &cfg, Job::Simulate)?;
    check_out(cli, &[&file])?;
    let params: ContractParams = match params {
        Some(path) => report::ParamsFile::read(path)?.params(),
        None => build(&cfg, &Knobs::middle(&cfg.calibration))?,
    };
    let range = shard.map_or(0..cfg.run.paths, |s| s.range(cfg.run.paths));
    let pb = progress(cli);
    pb.set_length(range.end - range.start);
    let start = Instant::now();
    let run = PolicyOutcomes::simulate(&cfg, index, &params, Layer::Bulwark, range, &pb);
    pb.finish_and_clear();
    let Some(shard) = shard else { return write_metrics(cli, &cfg, scenario, &run.chosen(), start) };
    let shard_file = ShardFile::simulate(&cfg, scenario, &params, shard, run)?;
    write_shard(cli, &cfg, &shard_file, &file, "", start)
}

/// The figures of a whole run of `scenario` (every path, in path order,
/// under the attacker's chosen policy): printed, and written to
/// `simulate-NAME.json`. One run and a merge of its shards both end here.
pub fn write_metrics(cli: &Cli, cfg: &Config, scenario: &str, outcomes: &[PathOutcome], start: Instant) -> Result<()> {
    let file = output::simulate(scenario);
    let m = analyze_run(cfg, outcomes);
    if cli.json {
        println!("{}", serde_json::to_string(&m)?);
    } else if !cli.quiet {
        print_metrics(&[scenario], &[&m]);
        eprintln!("{} paths in {:.1}s", outcomes.len(), start.elapsed().as_secs_f64());
    }
    output::write(&cli.out, &file, serde_json::to_string_pretty(&m)?.as_bytes(), &[&file])?;
    Ok(())
}

//! `simulate`: one scenario under given parameters; its risk metrics.

use super::{check_out, check_resources, load_config, print_metrics, progress};
use crate::Cli;
use anyhow::{bail, Result};
use bulwark_sim::calibrate::run_scenarios;
use bulwark_sim::params::{build, ContractParams, Knobs};
use bulwark_sim::resources::Command as Job;
use bulwark_sim::{output, report};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(cli: &Cli, scenario: &str, params: Option<&PathBuf>) -> Result<()> {
    let cfg = load_config(cli)?;
    let Some(index) = cfg.scenarios.iter().position(|s| s.name == scenario) else {
        let names: Vec<_> = cfg.scenarios.iter().map(|s| s.name.as_str()).collect();
        bail!("no scenario {scenario:?}; the scenarios are {names:?}");
    };
    let file = output::simulate(scenario);
    check_resources(cli, &cfg, Job::Simulate)?;
    check_out(cli, &[&file])?;
    let params: ContractParams = match params {
        Some(path) => report::ParamsFile::read(path)?.params(),
        None => build(&cfg, &Knobs::middle(&cfg.calibration))?,
    };
    let pb = progress(cli);
    pb.set_length(cfg.run.paths);
    let start = Instant::now();
    let results = run_scenarios(&cfg, &params, cfg.run.paths, cfg.run.bootstrap_resamples, |i| i == index, &pb);
    pb.finish_and_clear();
    let (m, _) = results.into_iter().flatten().next().expect("the chosen scenario ran");
    if cli.json {
        println!("{}", serde_json::to_string(&m)?);
    } else if !cli.quiet {
        print_metrics(&[scenario], &[&m]);
        eprintln!("{} paths in {:.1}s", cfg.run.paths, start.elapsed().as_secs_f64());
    }
    output::write(&cli.out, &file, serde_json::to_string_pretty(&m)?.as_bytes(), &[&file])?;
    Ok(())
}

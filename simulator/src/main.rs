//! bulwark-sim: attacks bulwark-core with Monte Carlo scenarios, measures
//! losses, and calibrates the contracts' parameters.

mod commands;

use anyhow::{Context, Result};
use bulwark_sim::bench;
use bulwark_sim::config::Config;
use bulwark_sim::shard::Shard;
use clap::{Parser, Subcommand};
use commands::calibrate::Infeasible;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "bulwark-sim", version, about = "Attack simulation and parameter calibration for Bulwark")]
pub struct Cli {
    /// TOML config; the built-in default scenarios when absent.
    #[arg(long, global = true, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Paths per scenario (overrides run.paths).
    #[arg(long, global = true, value_name = "N")]
    pub paths: Option<u64>,
    /// Seed (overrides run.seed).
    #[arg(long, global = true, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads, 1 to 256 (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Output folder.
    #[arg(long, global = true, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Overwrite outputs already in the output folder.
    #[arg(long, global = true)]
    pub force: bool,
    /// No progress bars or tables.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Print one JSON summary on stdout instead of the tables, for CI
    /// pipelines (progress, if any, stays on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Search the parameters, write params.json and the report.
    Calibrate {
        /// Print the built-in config as TOML and exit.
        #[arg(long)]
        print_default_config: bool,
        /// The parameters in production now (a params.json; no provenance
        /// needed): the recommendation is also compared with them.
        #[arg(long, value_name = "FILE")]
        current: Option<PathBuf>,
        /// Run the search, then only the k-th of n consecutive slices of
        /// the final paths (1 ≤ k ≤ n), into a shard file; `merge` joins
        /// the n files into this command's outputs, byte-identical.
        #[arg(long, value_name = "k/n")]
        shard: Option<Shard>,
    },
    /// Simulate one scenario under given parameters.
    Simulate {
        #[arg(long)]
        scenario: String,
        /// A params.json to simulate (default: the middle of each calibration grid).
        #[arg(long, value_name = "FILE")]
        params: Option<PathBuf>,
        /// Simulate only the k-th of n consecutive slices of the paths
        /// (1 ≤ k ≤ n) and write their outcomes to a shard file; `merge`
        /// joins the n files into this command's output, byte-identical.
        #[arg(long, value_name = "k/n")]
        shard: Option<Shard>,
    },
    /// Join the shard files of one `simulate --shard` or `calibrate
    /// --shard` run (given in any order) and write what the run on one
    /// machine writes.
    Merge {
        /// Every shard file of the run.
        #[arg(required = true, value_name = "SHARD.cbor")]
        files: Vec<PathBuf>,
    },
    /// Run every scenario on the same paths under two parameter sets (or
    /// one and no Bulwark) and report the yearly loss avoided.
    Compare {
        /// The parameter set to judge (default: the middle of each calibration grid).
        #[arg(long, value_name = "FILE")]
        params: Option<PathBuf>,
        /// What to compare it with: another params.json, or `none` for no Bulwark.
        #[arg(long, value_name = "FILE|none", default_value = "none")]
        vs: String,
    },
    /// List the scenarios.
    Scenarios,
    /// Measure core steps/s, paths/s and thread scaling.
    Bench,
}

fn run(cli: Cli) -> Result<()> {
    if let Some(t) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(t))
            .build_global()
            .context("cannot start the thread pool")?;
    }
    match &cli.command {
        Command::Calibrate { print_default_config: true, .. } => {
            print!("{}", Config::default().to_toml());
            Ok(())
        }
        Command::Calibrate { print_default_config: false, current, shard } => {
            commands::calibrate::run(&cli, current.as_ref(), *shard)
        }
        Command::Simulate { scenario, params, shard } => {
            commands::simulate::run(&cli, scenario, params.as_ref(), *shard)
        }
        Command::Merge { files } => commands::merge::run(&cli, files),
        Command::Compare { params, vs } => commands::compare::run(&cli, params.as_ref(), vs),
        Command::Scenarios => commands::scenarios::run(&cli),
        Command::Bench => bench::run(&commands::load_config(&cli)?, cli.quiet),
    }
}

/// Exit codes: 0 done; 2 bad input (config, params, arguments), refused
/// before any work; 3 a calibration with no feasible candidate (outputs
/// written).
fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(if e.downcast_ref::<Infeasible>().is_some() { 3 } else { 2 });
    }
}

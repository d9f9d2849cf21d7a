//! One file per command; here what they share: the config they load, the
//! checks they make before any work, progress, and the tables they print.

pub mod calibrate;
pub mod compare;
pub mod merge;
pub mod scenarios;
pub mod simulate;

use crate::Cli;
use anyhow::{Context, Result};
use bulwark_sim::config::Config;
use bulwark_sim::metrics::RiskMetrics;
use bulwark_sim::output;
use bulwark_sim::resources::{self, Command as Job};
use bulwark_sim::shard::ShardFile;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// The run's config: `--config` over the built-in defaults, then
/// `--paths` and `--seed`, checked through bulwark-core too (a bad field
/// is exit 2).
pub fn load_config(cli: &Cli) -> Result<Config> {
    let mut cfg = match &cli.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Config::from_partial_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Config::default(),
    };
    if let Some(p) = cli.paths {
        cfg.run.paths = p;
        cfg.run.search_paths = cfg.run.search_paths.min(p);
    }
    if let Some(s) = cli.seed {
        cfg.run.seed = s;
    }
    bulwark_sim::params::check_config(&cfg)?;
    Ok(cfg)
}

pub fn progress(cli: &Cli) -> ProgressBar {
    if cli.quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {human_pos}/{human_len} paths {msg}")
            .expect("static template")
            .progress_chars("=> "),
    );
    pb
}

pub fn print_metrics(names: &[&str], metrics: &[&RiskMetrics]) {
    println!(
        "{:<20} {:>12} {:>12} {:>12} {:>12} {:>12} {:>9} {:>8} {:>9}",
        "scenario", "E[loss]", "VaR99", "CVaR99", "VaR99.9", "CVaR99.9", "P>fund", "falseTrip", "ESS"
    );
    for (name, m) in names.iter().zip(metrics) {
        println!(
            "{:<20} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>9.2e} {:>8.4} {:>9.0}",
            name,
            m.mean_loss.value,
            m.var[1].value,
            m.cvar[1].value,
            m.var[2].value,
            m.cvar[2].value,
            m.p_exceed_fund,
            m.false_trip_rate,
            m.ess
        );
    }
}

/// Refuses, before any work, a run this machine cannot hold (exit 2 naming
/// the fields); otherwise says what it will need, unless quiet.
pub fn check_resources(cli: &Cli, cfg: &Config, job: Job) -> Result<()> {
    let available = resources::available_memory();
    let estimate = resources::check(cfg, job, available)?;
    if !cli.quiet && !cli.json {
        eprintln!("{}", estimate.describe(available));
    }
    Ok(())
}

/// Checks, before any work, that `files` can be written into `--out`:
/// the folder can be created, no output is a symlink, and nothing there is
/// overwritten without `--force` ([`output::check`]).
pub fn check_out(cli: &Cli, files: &[&str]) -> Result<()> {
    output::check(&cli.out, files, cli.force)
}

/// Writes the config the run used, defaults included, beside its outputs:
/// `--config` with it reruns the same run. `outputs` is the command's list.
pub fn write_effective_config(cli: &Cli, cfg: &Config, outputs: &[&str]) -> Result<PathBuf> {
    let text = format!(
        "# The effective config of this run: the built-in defaults with --config, --paths and --seed applied.\n{}",
        cfg.to_toml()
    );
    output::write(&cli.out, "config.toml", text.as_bytes(), outputs)
}

/// Writes a shard file into `--out` (`name`, the command's only output)
/// and says so: on stderr, or as one JSON line with `--json` (which shard,
/// its paths, its file). `what` says what the shard ran.
pub fn write_shard(cli: &Cli, cfg: &Config, file: &ShardFile, name: &str, what: &str, start: Instant) -> Result<()> {
    let path = output::write(&cli.out, name, &file.to_bytes()?, &[name])?;
    let (shard, paths) = (file.shard, &file.paths);
    if cli.json {
        let summary =
            serde_json::json!({ "shard": shard.to_string(), "paths": [paths.start, paths.end], "outputs": [path] });
        println!("{summary}");
    } else if !cli.quiet {
        eprintln!(
            "shard {shard}: {what}paths {}..{} of {} in {:.1}s; wrote {}",
            paths.start,
            paths.end,
            cfg.run.paths,
            start.elapsed().as_secs_f64(),
            path.display()
        );
    }
    Ok(())
}

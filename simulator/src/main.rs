//! bulwark-sim: attacks bulwark-core with Monte Carlo scenarios, measures
//! losses, and calibrates the contracts' parameters.

use anyhow::{bail, Context, Result};
use bulwark_sim::calibrate::{calibrate, run_scenarios};
use bulwark_sim::config::Config;
use bulwark_sim::metrics::RiskMetrics;
use bulwark_sim::params::{build, ContractParams, Knobs};
use bulwark_sim::resources::{self, Command as Job};
use bulwark_sim::{bench, output, report};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "bulwark-sim", version, about = "Attack simulation and parameter calibration for Bulwark")]
struct Cli {
    /// TOML config; the built-in default scenarios when absent.
    #[arg(long, global = true, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Paths per scenario (overrides run.paths).
    #[arg(long, global = true, value_name = "N")]
    paths: Option<u64>,
    /// Seed (overrides run.seed).
    #[arg(long, global = true, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads, 1 to 256 (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Output folder.
    #[arg(long, global = true, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// Overwrite outputs already in the output folder.
    #[arg(long, global = true)]
    force: bool,
    /// No progress bars or tables.
    #[arg(long, global = true)]
    quiet: bool,
    /// Print one JSON summary on stdout instead of the tables, for CI
    /// pipelines (progress, if any, stays on stderr).
    #[arg(long, global = true)]
    json: bool,
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
    },
    /// Simulate one scenario under given parameters.
    Simulate {
        #[arg(long)]
        scenario: String,
        /// A params.json to simulate (default: the middle of each calibration grid).
        #[arg(long, value_name = "FILE")]
        params: Option<PathBuf>,
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

fn load_config(cli: &Cli) -> Result<Config> {
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
    cfg.validate()?;
    Ok(cfg)
}

fn progress(cli: &Cli) -> ProgressBar {
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

fn print_metrics(names: &[&str], metrics: &[&RiskMetrics]) {
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
fn check_resources(cli: &Cli, cfg: &Config, job: Job) -> Result<()> {
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
fn check_out(cli: &Cli, files: &[&str]) -> Result<()> {
    output::check(&cli.out, files, cli.force)
}

/// The chosen parameters in words, read from the built params (so the
/// 24 h share is the one params::build derived), with the dollar limits
/// they mean for this config.
/// An infeasible calibration: every output is written, and the exit code is 3.
#[derive(Debug)]
struct Infeasible;

impl std::error::Error for Infeasible {}

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no candidate met every constraint; the least violating one was written (see report.md)")
    }
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
        Command::Scenarios => {
            let cfg = load_config(&cli)?;
            for s in &cfg.scenarios {
                println!("{:<20} {:<20} {:<18} {}", s.name, s.attack.kind(), s.market, s.description);
            }
            Ok(())
        }
        Command::Simulate { scenario, params } => {
            let cfg = load_config(&cli)?;
            let Some(index) = cfg.scenarios.iter().position(|s| &s.name == scenario) else {
                let names: Vec<_> = cfg.scenarios.iter().map(|s| s.name.as_str()).collect();
                bail!("no scenario {scenario:?}; the scenarios are {names:?}");
            };
            let file = output::simulate(scenario);
            check_resources(&cli, &cfg, Job::Simulate)?;
            check_out(&cli, &[&file])?;
            let params: ContractParams = match params {
                Some(path) => report::ParamsFile::read(path)?.params(),
                None => build(&cfg, &Knobs::middle(&cfg.calibration))?,
            };
            let pb = progress(&cli);
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
        Command::Calibrate { print_default_config: false, current } => {
            let cfg = load_config(&cli)?;
            let current = current.as_ref().map(|p| report::ParamsFile::read(p).map(|f| f.params())).transpose()?;
            check_resources(&cli, &cfg, Job::Calibrate)?;
            check_out(&cli, &output::CALIBRATE)?;
            let pb = progress(&cli);
            let start = Instant::now();
            let cal = calibrate(&cfg, current.as_ref(), &pb)?;
            pb.finish_and_clear();
            let mut written = report::write_all(&cfg, &cal, &cli.out)?;
            written.push(write_effective_config(&cli, &cfg, &output::CALIBRATE)?);
            if cli.json {
                println!("{}", serde_json::to_string(&calibration_summary(&cfg, &cal, &written))?);
            } else if !cli.quiet {
                let names: Vec<_> = cfg.scenarios.iter().map(|s| s.name.as_str()).collect();
                print_metrics(&names, &cal.metrics.iter().collect::<Vec<_>>());
                println!("chosen: {}", report::describe_params(&cfg, &cal.params));
                for c in cal.identification.checks.iter().filter(|c| c.binds()) {
                    println!(
                        "binding constraint: {} = {} would cost ${:.0} a year less but breaks {}",
                        c.knob.name(),
                        c.value,
                        -c.delta_total,
                        c.violations.join("; ")
                    );
                }
                let a = &cal.annual;
                println!(
                    "one year, all scenarios: mean loss ${:.0}, VaR 99.9% ${:.0}, ES 97.5% ${:.0}",
                    a.loss.mean,
                    a.var_999(),
                    a.loss.es[1].value
                );
                println!(
                    "insurance fund: a year's claims at 99.9% ${:.0} (fund ${:.0}, P(claims > fund) {:.4}); recommended fund ${:.0}, solvency target {:.0} bps of active cover",
                    a.claims_var_999(),
                    cfg.protocol.fund_capital_usd,
                    a.p_claims_exceed_fund,
                    a.recommended_fund,
                    a.recommended_solvency_target_bps
                );
                println!("yearly cost: ${:.0} (feasible: {})", cal.best.objective.total, cal.best.feasible());
                let phases: Vec<String> =
                    cal.phase_seconds.iter().map(|(name, s)| format!("{name} {s:.1} s")).collect();
                println!("time: {} (total {:.1} s)", phases.join(", "), start.elapsed().as_secs_f64());
                let t = &cal.savings.total_avoided;
                println!("yearly loss avoided against no Bulwark: ${:.0} (95%: ${:.0} … ${:.0})", t.mean, t.lo, t.hi);
                if let Some(c) = &cal.vs_current {
                    let t = &c.total_avoided;
                    println!(
                        "yearly loss avoided against the current parameters: ${:.0} (95%: ${:.0} … ${:.0})",
                        t.mean, t.lo, t.hi
                    );
                }
                // The executive summary's warnings, the same list.
                for w in report::warnings(&cfg, &cal) {
                    println!("warning: {}", w.replace('`', ""));
                }
                for p in written {
                    println!("wrote {}", p.display());
                }
                eprintln!("calibrated in {:.1}s", start.elapsed().as_secs_f64());
            }
            if !cal.best.feasible() {
                return Err(Infeasible.into());
            }
            Ok(())
        }
        Command::Compare { params, vs } => {
            let cfg = load_config(&cli)?;
            check_resources(&cli, &cfg, Job::Compare)?;
            check_out(&cli, &output::COMPARE)?;
            let read = |p: &PathBuf| -> Result<(String, ContractParams)> {
                Ok((p.display().to_string(), report::ParamsFile::read(p)?.params()))
            };
            let (a_name, a) = match params {
                Some(p) => read(p)?,
                None => ("the grids' middle".to_string(), build(&cfg, &Knobs::middle(&cfg.calibration))?),
            };
            let b = if vs == "none" { None } else { Some(read(&PathBuf::from(vs))?) };
            let pb = progress(&cli);
            let cmp = bulwark_sim::compare::compare(
                &cfg,
                (&a_name, &a),
                b.as_ref().map_or(("no Bulwark", None), |(n, p)| (n.as_str(), Some(p))),
                cfg.run.paths,
                &pb,
            );
            pb.finish_and_clear();
            let md = cmp.to_markdown();
            if cli.json {
                println!("{}", serde_json::to_string(&cmp)?);
            } else if !cli.quiet {
                println!("{md}");
            }
            write_effective_config(&cli, &cfg, &output::COMPARE)?;
            output::write(&cli.out, "compare.md", md.as_bytes(), &output::COMPARE)?;
            let json = serde_json::to_string_pretty(&cmp)? + "\n";
            output::write(&cli.out, "compare.json", json.as_bytes(), &output::COMPARE)?;
            Ok(())
        }
        Command::Bench => bench::run(&load_config(&cli)?, cli.quiet),
    }
}

/// Writes the config the run used, defaults included, beside its outputs:
/// `--config` with it reruns the same run. `outputs` is the command's list.
fn write_effective_config(cli: &Cli, cfg: &Config, outputs: &[&str]) -> Result<PathBuf> {
    let text = format!(
        "# The effective config of this run: the built-in defaults with --config, --paths and --seed applied.\n{}",
        cfg.to_toml()
    );
    output::write(&cli.out, "config.toml", text.as_bytes(), outputs)
}

/// The `--json` summary of a calibration.
fn calibration_summary(
    cfg: &Config,
    cal: &bulwark_sim::calibrate::Calibration,
    written: &[PathBuf],
) -> serde_json::Value {
    let a = &cal.annual;
    serde_json::json!({
        "feasible": cal.best.feasible(),
        "violations": cal.best.violations,
        "knobs": cal.best.knobs,
        "chosen_on_seeds": cal.stability,
        "on_grid_edge": bulwark_sim::calibrate::on_grid_edge(&cal.best.knobs, &cal.sweep),
        "identification": cal.identification,
        "yearly_cost_usd": cal.best.objective,
        "yearly_avoided_vs_no_bulwark_usd": cal.savings.total_avoided,
        "yearly_avoided_vs_current_usd": cal.vs_current.as_ref().map(|c| c.total_avoided),
        "one_year": {
            "mean_loss_usd": a.loss.mean,
            "var_99_9_usd": a.var_999(),
            "es_97_5_usd": a.loss.es[1].value,
            "claims_var_99_9_usd": a.claims_var_999(),
        },
        "fund": {
            "capital_usd": cfg.protocol.fund_capital_usd,
            "recommended_usd": a.recommended_fund,
            "recommended_solvency_target_bps": a.recommended_solvency_target_bps,
            "adequate": a.recommended_fund <= cfg.protocol.fund_capital_usd,
        },
        "backtests_rejected": cal.backtests.iter().filter(|b| b.rejected).map(|b| &b.scenario).collect::<Vec<_>>(),
        "warnings": report::warnings(cfg, cal),
        "outputs": written,
        "phase_seconds": cal.phase_seconds.iter().map(|(name, s)| serde_json::json!({ "phase": name, "seconds": s })).collect::<Vec<_>>(),
    })
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

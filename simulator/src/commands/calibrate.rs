//! `calibrate`: searches the parameters, writes params.json and the report,
//! and prints the summary (or `--json`'s). Exit 3 when no candidate met
//! every constraint, with every output written.

use super::{check_out, check_resources, load_config, print_metrics, progress, write_effective_config, write_shard};
use crate::Cli;
use anyhow::Result;
use bulwark_sim::calibrate::{calibrate, final_runs, search, Calibration, PhaseClock};
use bulwark_sim::config::Config;
use bulwark_sim::resources::Command as Job;
use bulwark_sim::shard::{Shard, ShardFile};
use bulwark_sim::{output, report};
use std::path::PathBuf;
use std::time::Instant;

/// An infeasible calibration: every output is written, and the exit code is 3.
#[derive(Debug)]
pub struct Infeasible;

impl std::error::Error for Infeasible {}

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no candidate met every constraint; the least violating one was written (see report.md)")
    }
}

pub fn run(cli: &Cli, current: Option<&PathBuf>, shard: Option<Shard>) -> Result<()> {
    let cfg = load_config(cli)?;
    if let Some(shard) = shard {
        shard.check(cfg.run.paths)?;
    }
    let current = current.map(|p| report::ParamsFile::read(p).map(|f| f.params())).transpose()?;
    check_resources(cli, &cfg, Job::Calibrate)?;
    let shard_file = shard.map(ShardFile::calibrate_file);
    match &shard_file {
        Some(file) => check_out(cli, &[file])?,
        None => check_out(cli, &output::CALIBRATE)?,
    }
    let pb = progress(cli);
    let start = Instant::now();
    let (Some(shard), Some(file)) = (shard, shard_file) else {
        let cal = calibrate(&cfg, current.as_ref(), &pb)?;
        pb.finish_and_clear();
        return finish(cli, &cfg, &cal, start);
    };
    // A shard: the search (every shard runs the same), then its slice of
    // the final paths; `merge` does the rest.
    let mut clock = PhaseClock::start();
    let searched = search(&cfg, &pb, &mut clock)?;
    let runs = final_runs(&cfg, &searched.knobs, current.as_ref(), shard.range(cfg.run.paths), &pb, &mut clock)?;
    pb.finish_and_clear();
    let shard_file = ShardFile::calibrate(&cfg, current.as_ref(), shard, searched, runs)?;
    write_shard(cli, &cfg, &shard_file, &file, "the search, then final ", start)
}

/// Writes a whole calibration's outputs and prints its summary (or
/// `--json`'s): one run and a merge of its shards both end here. Exit 3
/// when no candidate met every constraint, with every output written.
pub fn finish(cli: &Cli, cfg: &Config, cal: &Calibration, start: Instant) -> Result<()> {
    let mut written = report::write_all(cfg, cal, &cli.out)?;
    written.push(write_effective_config(cli, cfg, &output::CALIBRATE)?);
    if cli.json {
        println!("{}", serde_json::to_string(&calibration_summary(cfg, cal, &written))?);
    } else if !cli.quiet {
        print_summary(cfg, cal, &written, start);
    }
    if !cal.best.feasible() {
        return Err(Infeasible.into());
    }
    Ok(())
}

/// The terminal's summary: the metrics table, the choice, the binding
/// constraint, a year's loss, the fund, the cost, the phases' time, what
/// Bulwark saves, every warning and the files written.
fn print_summary(cfg: &Config, cal: &Calibration, written: &[PathBuf], start: Instant) {
    let names: Vec<_> = cfg.scenarios.iter().map(|s| s.name.as_str()).collect();
    print_metrics(&names, &cal.metrics.iter().collect::<Vec<_>>());
    println!("chosen: {}", report::describe_params(cfg, &cal.params));
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
    let phases: Vec<String> = cal.phase_seconds.iter().map(|(name, s)| format!("{name} {s:.1} s")).collect();
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
    for w in report::warnings(cfg, cal) {
        println!("warning: {}", w.replace('`', ""));
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    eprintln!("calibrated in {:.1}s", start.elapsed().as_secs_f64());
}

/// The `--json` summary of a calibration.
fn calibration_summary(cfg: &Config, cal: &Calibration, written: &[PathBuf]) -> serde_json::Value {
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

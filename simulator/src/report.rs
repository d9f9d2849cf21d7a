//! Output: `params.json` (the three constructor structs plus provenance),
//! `report.md`, `report.html` and SVG plots.

use crate::calibrate::Calibration;
use crate::config::Config;
use crate::knobs::KNOBS;
use crate::metrics::{prefix_cvar, LEVELS};
use crate::params::{ContractParams, Deployment};
use crate::scoring::Objective;
use crate::units::ChainUnits;
use anyhow::{Context, Result};
use bulwark_core::breaker::BreakerParams;
use bulwark_core::fund::FundParams;
use bulwark_core::multisig::MultisigParams;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// The deployable parameter file: the three constructor structs, the
/// deployment's roles and registrations, the units every amount is in, and
/// where they came from. No timestamps: two runs write identical bytes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamsFile {
    pub circuit_breaker: BreakerParams,
    pub multisig_guard: MultisigParams,
    pub insurance_fund: FundParams,
    pub deployment: Deployment,
    pub units: ChainUnits,
    /// Absent in a hand-written file (for example a protocol's current parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl ParamsFile {
    /// Reads and validates a params.json through bulwark-core. A bad value
    /// is a [`ConfigError`] naming its path in the file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self> {
        let file: ParamsFile =
            serde_json::from_str(text).map_err(|e| anyhow::anyhow!("not a valid params.json: {e}"))?;
        file.clone_params().validate()?;
        Ok(file)
    }

    pub fn clone_params(&self) -> ContractParams {
        ContractParams {
            circuit_breaker: self.circuit_breaker.clone(),
            multisig_guard: self.multisig_guard.clone(),
            insurance_fund: self.insurance_fund.clone(),
            deployment: self.deployment.clone(),
            units: self.units.clone(),
        }
    }

    /// Where these params disagree with their own provenance: a knob that
    /// differs from the one the calibration chose (a hand edit after the
    /// run), or other units than the run's. Empty for an unedited file, and
    /// for one without provenance (nothing to compare with).
    pub fn provenance_mismatches(&self) -> Vec<String> {
        let Some(p) = &self.provenance else { return Vec::new() };
        let mut out = Vec::new();
        if p.units != self.units {
            out.push("units differ from provenance.units".to_string());
        }
        let knobs: crate::params::Knobs = match serde_json::from_value(p.knobs.clone()) {
            Ok(k) => k,
            Err(e) => {
                return vec![format!(
                    "provenance.knobs cannot be read ({e}), so the params cannot be checked against them"
                )]
            }
        };
        let ms = crate::params::hours_to_ms;
        let cb = &self.circuit_breaker;
        let written: [(&str, &str, u64, u64); 8] = [
            (
                "hourly_share_bps",
                "circuit_breaker.limiter.windows[0].max_bps_of_tvl",
                cb.limiter.windows.first().map_or(u64::MAX, |w| w.max_bps_of_tvl.into()),
                knobs.hourly_share_bps.into(),
            ),
            (
                "max_deviation_bps",
                "circuit_breaker.price.max_deviation_bps",
                cb.price.max_deviation_bps.into(),
                knobs.max_deviation_bps.into(),
            ),
            ("throttle_hours", "circuit_breaker.throttle_ms", cb.throttle_ms, ms(knobs.throttle_hours)),
            ("halt_hours", "circuit_breaker.halt_ms", cb.halt_ms, ms(knobs.halt_hours)),
            (
                "inflow_decay_minutes",
                "circuit_breaker.limiter.inflow_decay_ms",
                cb.limiter.inflow_decay_ms,
                ms(knobs.inflow_decay_minutes / 60.0),
            ),
            (
                "reference_smoothing_bps",
                "circuit_breaker.price.reference_smoothing_bps",
                cb.price.reference_smoothing_bps.into(),
                knobs.reference_smoothing_bps.into(),
            ),
            (
                "critical_timelock_hours",
                "multisig_guard.timelocks.critical_ms",
                self.multisig_guard.timelocks.critical_ms,
                ms(knobs.critical_timelock_hours),
            ),
            (
                "exit_cooldown_days",
                "insurance_fund.exit_cooldown_ms",
                self.insurance_fund.exit_cooldown_ms,
                ms(knobs.exit_cooldown_days * 24.0),
            ),
        ];
        for (knob, path, got, chosen) in written {
            if got != chosen {
                out.push(format!("{path} is {got}, but the calibration chose {knob} = {chosen} (provenance.knobs)"));
            }
        }
        out
    }

    pub fn params(self) -> ContractParams {
        ContractParams {
            circuit_breaker: self.circuit_breaker,
            multisig_guard: self.multisig_guard,
            insurance_fund: self.insurance_fund,
            deployment: self.deployment,
            units: self.units,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Provenance {
    pub tool: String,
    /// SHA-256 of the effective config, serialized canonically as TOML.
    pub config_sha256: String,
    pub seed: u64,
    pub paths: u64,
    pub search_paths: u64,
    /// The chosen knobs. Kept as written (not parsed into [`crate::params::Knobs`]), so a
    /// params file from a version that searched fewer knobs still reads.
    pub knobs: serde_json::Value,
    /// The units the config asked for, which every amount above is written in.
    pub units: ChainUnits,
    pub feasible: bool,
    pub violations: Vec<String>,
    pub yearly_cost_usd: serde_json::Value,
    /// Yearly loss avoided against no Bulwark on the same paths (mean, 95% interval).
    #[serde(default)]
    pub yearly_avoided_vs_no_bulwark_usd: serde_json::Value,
    /// The one-year aggregate loss and the fund's yearly claims (VaR and ES
    /// at 95, 97.5, 99, 99.9%), with the recommended fund size.
    /// Against the parameters given with `--current`, if any.
    #[serde(default)]
    pub yearly_avoided_vs_current_usd: serde_json::Value,
    #[serde(default)]
    pub one_year: serde_json::Value,
    /// The knobs the search chose on the run's seed and on further seeds.
    #[serde(default)]
    pub chosen_on_other_seeds: serde_json::Value,
    pub scenarios: Vec<ScenarioSummary>,
}

/// The metrics that justify the choice, per scenario (USD per path).
#[derive(Debug, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub name: String,
    pub mean_loss: f64,
    pub var_99_9: f64,
    pub cvar_99_9: f64,
    pub cvar_99_9_ci: [f64; 2],
    pub p_loss_exceeds_fund: f64,
    pub false_trip_rate: f64,
    pub effective_sample_size: f64,
}

pub fn config_hash(cfg: &Config) -> String {
    sha256_hex(cfg.to_toml().as_bytes())
}

/// SHA-256 of `bytes`, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn params_file(cfg: &Config, cal: &Calibration) -> Result<ParamsFile> {
    let p = cal.params.clone();
    Ok(ParamsFile {
        circuit_breaker: p.circuit_breaker,
        multisig_guard: p.multisig_guard,
        insurance_fund: p.insurance_fund,
        deployment: p.deployment,
        units: p.units,
        provenance: Some(Provenance {
            tool: format!("bulwark-sim {}", env!("CARGO_PKG_VERSION")),
            config_sha256: config_hash(cfg),
            seed: cfg.run.seed,
            paths: cfg.run.paths,
            search_paths: cfg.run.search_paths,
            knobs: serde_json::to_value(cal.best.knobs)?,
            units: cfg.units.clone(),
            feasible: cal.best.feasible(),
            violations: cal.best.violations.clone(),
            yearly_cost_usd: serde_json::to_value(cal.best.objective)?,
            yearly_avoided_vs_no_bulwark_usd: serde_json::to_value(cal.savings.total_avoided)?,
            yearly_avoided_vs_current_usd: serde_json::to_value(cal.vs_current.as_ref().map(|c| c.total_avoided))?,
            one_year: serde_json::to_value(&cal.annual)?,
            chosen_on_other_seeds: serde_json::to_value(&cal.stability)?,
            scenarios: cfg
                .scenarios
                .iter()
                .zip(&cal.metrics)
                .map(|(s, m)| ScenarioSummary {
                    name: s.name.clone(),
                    mean_loss: m.mean_loss.value,
                    var_99_9: m.var[2].value,
                    cvar_99_9: m.cvar[2].value,
                    cvar_99_9_ci: [m.cvar[2].lo, m.cvar[2].hi],
                    p_loss_exceeds_fund: m.p_exceed_fund,
                    false_trip_rate: m.false_trip_rate,
                    effective_sample_size: m.ess,
                })
                .collect(),
        }),
    })
}

/// Writes every output into `dir` and returns the paths written.
pub fn write_all(cfg: &Config, cal: &Calibration, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
        written.push(crate::output::write(dir, name, bytes, &crate::output::CALIBRATE)?);
        Ok(())
    };
    let json = serde_json::to_string_pretty(&params_file(cfg, cal)?)? + "\n";
    write("params.json", json.as_bytes())?;
    let params_sha256 = sha256_hex(json.as_bytes());
    let [distribution, tail, sweep, convergence] = crate::output::CHARTS;
    let plots = [
        (distribution, plot_loss_distribution(cfg, cal)?),
        (tail, plot_tail_fit(cfg, cal)?),
        (sweep, plot_sweep(cal)?),
        (convergence, plot_convergence(cfg, cal)?),
    ];
    for (name, svg) in &plots {
        write(name, svg.as_bytes())?;
    }
    let md = markdown(cfg, cal, &params_sha256)?;
    write("report.md", md.as_bytes())?;
    write("report.html", html(&md, &plots)?.as_bytes())?;
    Ok(written)
}

fn money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    if a >= 1e6 {
        format!("${:.2}M", x / 1e6)
    } else if a >= 1e3 {
        format!("${:.1}k", x / 1e3)
    } else {
        format!("${x:.0}")
    }
}

fn est(m: &crate::metrics::Estimate) -> String {
    format!("{} [{}, {}]", money(m.value), money(m.lo), money(m.hi))
}

fn objective_rows(s: &mut String, o: &Objective) -> fmt::Result {
    s.push_str("| component | USD per year |\n|---|---:|\n");
    for (k, v) in [
        ("expected attack loss", o.attack_loss),
        ("downtime (false trips and attack-induced)", o.downtime),
        ("capital for a year's loss at 99.9% (VaR)", o.capital),
        ("timelock delay of legitimate critical operations", o.governance_delay),
        ("exit-cooldown yield premium", o.cooldown),
        ("**total**", o.total),
    ] {
        writeln!(s, "| {k} | {} |", money(v))?;
    }
    Ok(())
}

/// The held-out backtests.
fn backtests(s: &mut String, cal: &Calibration) -> fmt::Result {
    s.push_str("## Backtests on held-out paths\n\n");
    writeln!(
        s,
        "{} paths per scenario from another seed, at the real attack rate. Kupiec's proportion-of-failures test compares the held-out count with the rate the estimation paths predict, taken as exact (χ²(1)); the two-sample test is the same likelihood ratio allowing for the prediction's own sampling error (its standard error is shown; the estimation paths count as p(1−p)/se² paths); Christoffersen's tests the hits' independence in path order (χ²(1)); conditional coverage is the two-sample and independence tests together (χ²(2)). Verdicts apply Holm's correction to the coverage p-values, so the whole table rejects a true prediction at most {} of the time.\n",
        crate::backtest::HOLDOUT_PATHS,
        crate::backtest::SIGNIFICANCE
    )?;
    writeln!(s, "| scenario | what | predicted rate (se) | held-out | Kupiec LR | p | two-sample LR | p | independence LR | p | coverage p | verdict |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")?;
    for b in &cal.backtests {
        writeln!(
            s,
            "| {} | {} | {:.5} ({:.5}) | {}/{} | {:.2} | {:.3} | {:.2} | {:.3} | {:.2} | {:.3} | {:.3} | {} |",
            b.scenario,
            b.what,
            b.predicted_rate,
            b.predicted_se,
            b.hits,
            b.paths,
            b.kupiec_lr,
            b.kupiec_p,
            b.two_sample_lr,
            b.two_sample_p,
            b.independence_lr,
            b.independence_p,
            b.conditional_coverage_p,
            if b.rejected { "**reject**" } else { "pass" }
        )?;
    }
    writeln!(s)?;
    Ok(())
}

/// The one-year aggregate loss and the fund's sizing.
fn one_year(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    let a = &cal.annual;
    s.push_str("## One year\n\n");
    writeln!(
        s,
        "{} simulated years: every attack scenario's count is Poisson at its yearly rate, each attack's loss is drawn from its scenario's one-attack paths, and each claim on the fund is split by bulwark-core's claim rules (cap {}, reinsurance layer) into the fund's part. Attack-free regimes add their expected downtime. Intervals cover the sampling of years, not of the paths the losses come from.\n",
        a.years,
        money(cfg.deployment.claim_cap_usd)
    )?;
    writeln!(s, "| one year | mean | VaR 95% | VaR 97.5% | VaR 99% | VaR 99.9% | ES 97.5% | ES 99.9% |\n|---|---:|---:|---:|---:|---:|---:|---:|")?;
    for (name, d) in [("protocol's loss", &a.loss), ("fund's claim payouts", &a.claims)] {
        writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            money(d.mean),
            est(&d.var[0]),
            est(&d.var[1]),
            est(&d.var[2]),
            est(&d.var[3]),
            est(&d.es[1]),
            est(&d.es[3])
        )?;
    }
    let fund = cfg.protocol.fund_capital_usd;
    writeln!(
        s,
        "\n**Fund adequacy.** A year's claims exceed the {} fund with probability {:.4}. The fund that covers a year's claims at 99.9% (using at most {:.0}% of it) is **{}**, a solvency target of **{:.0} bps** of the {} active cover (`deployment.solvency_target_bps`, now {}).{}\n",
        money(fund),
        a.p_claims_exceed_fund,
        cfg.calibration.max_annual_claims_share_of_fund * 100.0,
        money(a.recommended_fund),
        a.recommended_solvency_target_bps,
        money(cfg.protocol.active_cover_usd),
        cfg.deployment.solvency_target_bps,
        if a.recommended_fund > fund { " **The configured fund is below it.**" } else { " The configured fund covers it." }
    )?;
    if !a.skipped.is_empty() {
        writeln!(
            s,
            "Left out for fewer than {} one-attack paths: {}.\n",
            crate::annual::MIN_SEVERITY_PATHS,
            a.skipped.join(", ")
        )?;
    }
    Ok(())
}

/// The parameters in words, limits in USD as well as shares of TVL.
pub fn describe_params(cfg: &Config, p: &ContractParams) -> String {
    let tvl = cfg.protocol.tvl_usd;
    let windows: Vec<String> = p
        .circuit_breaker
        .limiter
        .windows
        .iter()
        .map(|w| {
            let share = f64::from(w.max_bps_of_tvl);
            format!("{} h window {:.2}% of TVL (${:.0})", w.length_ms as f64 / 3.6e6, share / 100.0, tvl * share / 1e4)
        })
        .collect();
    format!(
        "{}; throttle {} h after a saturated window, halt {} h, elastic buffer decaying over {} min; price band ±{:.1}%, reference following {:.2}% a minute; Critical timelock {} h; exit cooldown {} days",
        windows.join(", "),
        p.circuit_breaker.throttle_ms as f64 / 3.6e6,
        p.circuit_breaker.halt_ms as f64 / 3.6e6,
        p.circuit_breaker.limiter.inflow_decay_ms as f64 / 6e4,
        f64::from(p.circuit_breaker.price.max_deviation_bps) / 100.0,
        f64::from(p.circuit_breaker.price.reference_smoothing_bps) / 100.0,
        p.multisig_guard.timelocks.critical_ms as f64 / 3.6e6,
        p.insurance_fund.exit_cooldown_ms as f64 / 8.64e7
    )
}

/// Every warning of a calibration, in one list for the executive summary,
/// the terminal and `--json` (Markdown: config keys in backticks).
pub fn warnings(cfg: &Config, cal: &Calibration) -> Vec<String> {
    let a = &cal.annual;
    let mut warnings = Vec::new();
    let dev = cal.params.dev_accounts();
    if !dev.is_empty() {
        warnings.push(format!(
            "the params give roles to Substrate's public development accounts, whose secrets anyone has: {}. Fit for a dev chain only: set `[deployment]` to your own accounts before deploying to a live chain (bulwark-deploy refuses these elsewhere)",
            dev.join(", ")
        ));
    }
    if !cal.best.feasible() {
        warnings.push(format!("no candidate met every constraint: {}", cal.best.violations.join("; ")));
    }
    if a.recommended_fund > cfg.protocol.fund_capital_usd {
        warnings.push(format!(
            "the insurance fund ({}) is below the {} that covers a year's claims at 99.9%",
            money(cfg.protocol.fund_capital_usd),
            money(a.recommended_fund)
        ));
    }
    for knob in crate::calibrate::on_grid_edge(&cal.best.knobs, &cal.sweep) {
        warnings.push(format!("`{}` is the edge of the values searched", knob.name()));
    }
    for knob in KNOBS {
        if let Some(v) = cal.seed_disagreement(knob) {
            warnings.push(format!(
                "`{}` differs between seeds ({})",
                knob.name(),
                v.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for knob in cal.identification.weakly_identified() {
        warnings.push(format!("`{}` has a neighbour within two standard errors", knob.name()));
    }
    for c in cal.identification.fixed_savings() {
        warnings.push(format!(
            "`{}` = {} instead of the configured {} would cost {} a year less ({:.0} standard errors; not searched: see \"The contract parameters the search keeps fixed\")",
            c.param.key(),
            c.value,
            c.configured,
            money(-c.delta_total.unwrap_or(0.0)),
            -c.delta_total.unwrap_or(0.0) / c.se
        ));
    }
    let rejected: Vec<&str> = cal.backtests.iter().filter(|b| b.rejected).map(|b| b.scenario.as_str()).collect();
    if !rejected.is_empty() {
        warnings.push(format!("backtests reject the predictions for {}", rejected.join(", ")));
    }
    warnings
}

/// The page a risk committee reads first: the recommendation, what it
/// saves, a bad year, the fund, and every warning of the run.
fn executive_summary(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    s.push_str("## Executive summary\n\n");
    let t = &cal.savings.total_avoided;
    let a = &cal.annual;
    writeln!(s, "- **Recommendation:** {}.", describe_params(cfg, &cal.params))?;
    writeln!(
        s,
        "- **What Bulwark saves:** {} a year of attack loss and downtime avoided against running without it, on the same simulated paths (95%: {} … {}); the recommendation's own yearly cost, downtime and capital included, is {}.",
        money(t.mean),
        money(t.lo),
        money(t.hi),
        money(cal.best.objective.total)
    )?;
    writeln!(
        s,
        "- **A bad year:** the protocol's yearly loss has mean {}; one year in 100 loses more than {}, one in 1,000 more than {} (ES 97.5%: {}).",
        money(a.loss.mean),
        money(a.loss.var[2].value),
        money(a.loss.var[3].value),
        money(a.loss.es[1].value)
    )?;
    writeln!(
        s,
        "- **Insurance fund:** a year's claims exceed the {} fund with probability {:.3}; the fund for a year's claims at 99.9% is {} (solvency target {:.0} bps of the active cover).",
        money(cfg.protocol.fund_capital_usd),
        a.p_claims_exceed_fund,
        money(a.recommended_fund),
        a.recommended_solvency_target_bps
    )?;
    let warnings = warnings(cfg, cal);
    if warnings.is_empty() {
        writeln!(s, "- **Warnings:** none.\n")?;
    } else {
        writeln!(s, "- **Warnings:**")?;
        for w in warnings {
            writeln!(s, "  - {w}")?;
        }
        writeln!(s)?;
    }
    Ok(())
}

/// Whether the search's choice is identified: each knob's neighbours on
/// common paths, the binding constraint, and the economic inputs' effect.
fn identification(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    let id = &cal.identification;
    s.push_str("## Is the optimum identified?\n\n");
    writeln!(
        s,
        "Each knob's nearest values tried by the search, with the other knobs as chosen, re-run on the first {} paths of the final evaluation (common random numbers: the same paths path by path). Δ is the neighbour's yearly cost minus the choice's: positive means the choice is cheaper. The expected-loss part's paired standard error is given (SE), and |Δ| / SE below 2 means these paths cannot tell the two values apart. The capital part (cost of capital × the one-year VaR 99.9%) also moves with the paths but has no paired interval here, so Δ / SE understates the uncertainty where the capital part is large; delay and cooldown costs are exact. The objective's own standard error at the final {} paths is **{}** a year.\n",
        id.paths,
        cfg.run.paths,
        money(id.objective_se)
    )?;
    writeln!(s, "| knob | chosen | neighbour | Δ yearly cost | of which expected loss [95%] | capital | delay and cooldown | SE | Δ / SE | neighbour feasible |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")?;
    for c in &id.checks {
        writeln!(
            s,
            "| `{}` | {} | {} | {} | {} [{}, {}] | {} | {} | {} | {:.1} | {} |",
            c.knob.name(),
            c.chosen,
            c.value,
            money(c.delta_total),
            money(c.delta_expected.mean),
            money(c.delta_expected.lo),
            money(c.delta_expected.hi),
            money(c.delta_capital),
            money(c.delta_fixed),
            money(c.se),
            c.z(),
            if c.feasible { "yes".to_string() } else { format!("**no**: {}", c.violations.join("; ")) }
        )?;
    }
    let binding: Vec<&crate::identify::NeighbourCheck> = id.checks.iter().filter(|c| c.binds()).collect();
    if binding.is_empty() {
        writeln!(s, "\n**Binding constraint:** none. No cheaper neighbour is held back by the false-trip limit ({} per path); the choice is the cost optimum itself.\n", cfg.calibration.max_false_trip_rate)?;
    } else {
        for c in binding {
            writeln!(
                s,
                "\n**Binding constraint:** `{}` = {} would cost {} a year less but breaks {}: the false-trip limit (`calibration.max_false_trip_rate`) holds the choice at {}.",
                c.knob.name(),
                c.value,
                money(-c.delta_total),
                c.violations.join("; "),
                c.chosen
            )?;
        }
        writeln!(s)?;
    }
    let weak = id.weakly_identified();
    if !weak.is_empty() {
        let names: Vec<String> = weak.iter().map(|k| format!("`{}`", k.name())).collect();
        writeln!(s, "**Warning: weakly identified:** {}. A neighbour is within two standard errors of the choice; more paths (`run.search_paths`) or a coarser grid would be needed to separate them, and the difference in yearly cost is small either way.\n", names.join(", "))?;
    }
    sensitivity(s, cal)?;
    fixed_parameters(s, cal)
}

/// The choice re-scored with each fixed economic input halved and doubled.
fn sensitivity(s: &mut String, cal: &Calibration) -> fmt::Result {
    let id = &cal.identification;
    writeln!(s, "### Sensitivity to the fixed economic inputs\n")?;
    writeln!(
        s,
        "Each input halved and doubled, the same paired paths re-scored (downtime is linear in its hourly cost; another attack rate is an exact likelihood-ratio reweighting of the same paths). Each cell is the cheapest feasible value among the choice and its neighbours. Read each row against the one re-scored as configured: where that already differs from the search's choice, a neighbour is cheaper on these paths (within the noise the table above gives), and only a row that differs from it shows a dependence on the input.\n"
    )?;
    writeln!(
        s,
        "| input | {} |\n|---|{}",
        KNOBS.iter().map(|k| format!("`{}`", k.name())).collect::<Vec<_>>().join(" | "),
        "---:|".repeat(KNOBS.len())
    )?;
    writeln!(
        s,
        "| the search's choice | {} |",
        KNOBS.iter().map(|k| k.get(&cal.best.knobs).to_string()).collect::<Vec<_>>().join(" | ")
    )?;
    for r in &id.sensitivity {
        let cells: Vec<String> = r
            .choice
            .iter()
            .map(|&(k, v)| if v == k.get(&cal.best.knobs) { v.to_string() } else { format!("**{v}**") })
            .collect();
        let name = match r.input {
            Some(i) => format!("`{}` ×{}", i.keys(), r.factor),
            None => "as configured, re-scored on these paths".to_string(),
        };
        writeln!(s, "| {name} | {} |", cells.join(" | "))?;
    }
    Ok(())
}

/// The contract parameters the search keeps fixed, each halved and
/// doubled at the chosen knobs.
fn fixed_parameters(s: &mut String, cal: &Calibration) -> fmt::Result {
    let id = &cal.identification;
    writeln!(s, "\n### The contract parameters the search keeps fixed\n")?;
    writeln!(
        s,
        "Each halved and doubled at the chosen knobs, on the first {} paths of the final evaluation (paired as above). Δ is the yearly cost with the parameter moved minus as configured: a negative Δ several standard errors from zero says the configured value leaves money on the table, and the parameter deserves a deliberate choice (or a place among the searched knobs). An exact zero means the model has no channel for the parameter: no oracle goes stale in these paths, the griefer's number of bonded trips does not depend on the bond (its bonds are its own cost, not the protocol's), and the bank run's stakers leave within any exit window.\n",
        id.screening_paths
    )?;
    writeln!(s, "| parameter | configured | moved to | Δ yearly cost | of which expected loss [95%] | Δ / SE | feasible |\n|---|---:|---:|---:|---:|---:|---|")?;
    for c in &id.fixed {
        match (&c.refused, c.delta_total, c.delta_expected) {
            (None, Some(d), Some(e)) => {
                let z = if c.se > 0.0 { format!("{:.1}", d / c.se) } else { "exact".into() };
                writeln!(
                    s,
                    "| `{}` | {} | {} | {} | {} [{}, {}] | {} | {} |",
                    c.param.key(),
                    c.configured,
                    c.value,
                    money(d),
                    money(e.mean),
                    money(e.lo),
                    money(e.hi),
                    z,
                    if c.feasible { "yes" } else { "**no**" }
                )?;
            }
            _ => {
                writeln!(
                    s,
                    "| `{}` | {} | {} | refused: {} | | | |",
                    c.param.key(),
                    c.configured,
                    c.value,
                    c.refused.as_deref().unwrap_or("").replace('|', "/")
                )?;
            }
        }
    }
    writeln!(s)?;
    Ok(())
}

/// The models behind the numbers, the inputs they rest on, and what they
/// leave out: a risk committee reads this before the figures.
fn assumptions(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    s.push_str("## Models and assumptions\n\n");
    let p = &cfg.protocol;
    let d = &cfg.deployment;
    writeln!(
        s,
        "- **Protocol:** TVL {} split evenly over the market's assets; insurance fund {} backing {} of active cover; a halted or paused hour costs {} (a throttled one {:.0}% of that); the protocol lends {:.0}% of collateral value (`protocol.collateral_factor`), and {:.0}% of TVL is borrowed (`protocol.borrowed_share`).",
        money(p.tvl_usd),
        money(p.fund_capital_usd),
        money(p.active_cover_usd),
        money(p.downtime_cost_per_hour),
        p.throttled_cost_share * 100.0,
        p.collateral_factor * 100.0,
        p.borrowed_share * 100.0
    )?;
    writeln!(
        s,
        "- **Halts block liquidations:** while the breaker stops exits (halted or paused), liquidators cannot take seized collateral out, so a fall of the collateral's price during the stop leaves bad debt when they resume: a loan at loan-to-value ℓ loses `max(0, 1 − r/ℓ)` of its debt, `r` the collateral's price at resumption over its price when exits stopped, averaged over a book ({}) whose loan-to-values spread evenly from half the collateral factor to the liquidation threshold. It is part of the halt's cost (the downtime columns) and shown apart.",
        money(p.borrowed_share * p.tvl_usd)
    )?;
    writeln!(
        s,
        "- **Paths:** {} h each, in {}-minute steps; an attack that begins in the horizon runs on past it until it ends, and so does a halt (a throttle's remainder is charged at its share). After a price fault the multisig proposes a re-anchor range around the market's price (`anchor_price`, a Critical call, ±{:.0}%); once the Critical timelock has passed the breaker anchors at the oracle's latest report if it lies in the range, and otherwise the owners propose again. Yearly figures multiply by the attacks' real rates (importance-sampled paths are reweighted).",
        cfg.run.horizon_hours,
        cfg.run.step_minutes,
        f64::from(cfg.deployment.reanchor_range_bps) / 100.0
    )?;
    let m = crate::detection::DetectionModel::fit(&cfg.detection);
    writeln!(
        s,
        "- **Detection:** the delay from an attack's first move to the guardian's global pause is log-normal, fitted to {} incidents (μ = {:.2}, σ = {:.2} in ln-hours): median {:.1} h, P(> 24 h) = {:.1}%, P(> 6 days) = {:.2}%; delays are cut at {} days. After the pause, the multisig lifts it with a Critical call, so after the Critical timelock ({} h here), and re-anchors the prices within ranges proposed at detection; the whole pause is downtime. Without Bulwark nobody can pause: detection stops nothing.",
        cfg.detection.incidents.len(),
        m.mu,
        m.sigma,
        m.median_hours(),
        m.prob_longer_than(24.0) * 100.0,
        m.prob_longer_than(144.0) * 100.0,
        cfg.detection.max_days,
        cal.best.knobs.critical_timelock_hours
    )?;
    writeln!(s, "\n| incident | hours to detection |\n|---|---:|")?;
    for i in &cfg.detection.incidents {
        writeln!(s, "| {} | {} |", i.name, i.hours)?;
    }
    writeln!(s, "\n| scenario | per year | what the attacker does |\n|---|---:|---|")?;
    for sc in &cfg.scenarios {
        writeln!(s, "| {} | {} | {} |", sc.name, sc.attacks_per_year, sc.description)?;
    }
    writeln!(
        s,
        "\nHow each attacker behaves: the oracle attacker keeps every report inside the price band (it reads the breaker's public reference), sizes each deposit to what the limiter lets it borrow, and borrows only where a pushed dollar of collateral borrows more than a dollar; drainers take exactly what the limiter allows (`available_outflow`), so they never trip it themselves, and the flash-loan drainer splits its drain across every asset its bug reaches (`attack.assets`), using each asset's window; the bridge exploit is blunt; the griefer recycles its own position (withdraws what `available_outflow` shows, deposits it straight back, every step), ending with what it started with; every attacker draws only on its own deposits, never on users'; key leaks share a common cause with the configured probability, and a thief with a quorum submits more identical drains than the veto cap at once and proposes again after every cancel: vetoers who detect it before the first timelock ends veto every proposal and hold it off {} Critical timelocks (the veto threshold rises at most once per timelock), after which, within the detection cap, it drains; in the bank run stakers ask to leave when the hack is public ({} multisig owners, threshold {}, {} vetoers).\n",
        cal.params.multisig_guard.veto_hold_off_timelocks(),
        d.owners.len(),
        d.threshold,
        d.vetoers.len()
    )?;
    if !cal.collateral.is_empty() {
        writeln!(s, "### Oracle attack against the collateral factor\n")?;
        let band = cal.params.circuit_breaker.price.max_deviation_bps;
        let lends = crate::sim::edge_lending(band, cfg.protocol.collateral_factor);
        let timing = if lends > 1.0 {
            "the band alone pays, so the attacker pushes at once"
        } else {
            "the band alone does not pay, so the attacker waits for a fall the reference lags, or pushes at once, whichever pays it more"
        };
        writeln!(s, "At the recommended band (±{:.1}%) and a collateral factor of {:.2}, a dollar of collateral pushed to the band's edge borrows ${lends:.2}: {timing}. Each row below is judged the same way at its own factor.\n", f64::from(band) / 100.0, cfg.protocol.collateral_factor)?;
        writeln!(s, "Yearly loss (attack + induced downtime) at each loan-to-value, recommended parameters against no Bulwark, {} paths each (95% intervals):\n", cfg.run.search_paths)?;
        writeln!(s, "| scenario | collateral factor | with Bulwark | without |\n|---|---:|---:|---:|")?;
        for c in &cal.collateral {
            let y = |v: &crate::compare::YearlyUsd| format!("{} [{}, {}]", money(v.mean), money(v.lo), money(v.hi));
            writeln!(
                s,
                "| {} | {:.2} | {} | {} |",
                c.scenario,
                c.collateral_factor,
                y(&c.with_bulwark),
                y(&c.without)
            )?;
        }
        writeln!(s)?;
    }
    writeln!(s, "### Limitations\n")?;
    for l in [
        "Attack rates, losses per incident and the detection incidents are inputs, not estimates from data this tool holds; the yearly figures are only as good as they are.",
        "The detection fit rests on a handful of public incidents: its tail (the chance of a Ronin-like week) is uncertain by a factor of several.",
        "One attacker per attack, adapting to the deployed limits as described above; it does not learn across attacks, coordinate with other attackers or attack the oracle and the limiter at once.",
        "The oracle attacker's timing is one rule: wait (up to a day) for a fall that the smoothed reference has not followed, or push at once, whichever pays it more on average over the paths; it does not foresee a path, and it waits only where the band alone cannot pay.",
        "Bad debt from blocked liquidations assumes the borrowed book's loan-to-values spread evenly between half the collateral factor and the liquidation threshold when exits stopped, liquidations at once and without slippage when exits resume, and one collateral asset; throttling, which slows but does not stop them, costs none.",
        "The one-year aggregate treats attack kinds as independent, draws every attack's loss from the same sample of one-attack paths, and does not deplete the TVL an earlier attack in the year took.",
        "The insurance fund's size is an input to the paths (the bank run's loss scales with it); the recommended fund is a sizing, not a re-simulation at that size.",
        "Legitimate flows are a random walk plus panic selling into drawdowns; real users' timing (and their reaction to a pause) is not modelled.",
        "Legitimate withdrawals and deposits come from different accounts, so the breaker counts legitimate outflow in full (a deposit opens room only for its own depositor); but the flow is the net of each step, so deposits and withdrawals within a step cancel, and a protocol with heavy two-way traffic fills its windows faster than these paths show.",
        "After a price fault governance proposes a re-anchor range at once and executes it exactly when the Critical timelock allows (or as soon as the oracle's report is back in range, proposing again if the market left it), and does not also reset the level: the halt then runs its course. A slower or faster response changes the crash day's cost.",
        "The search is a coordinate optimum with refinement and polishing on common random numbers; where the cost is flat in a knob (see the seeds' spread and the neighbour checks), its chosen value is one of several equally good ones.",
    ] {
        writeln!(s, "- {l}")?;
    }
    writeln!(s)?;
    Ok(())
}

/// The knobs chosen, their spread over the stability seeds, and the
/// yearly cost they were chosen by.
fn chosen_parameters(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    let k = &cal.best.knobs;
    writeln!(s, "## Chosen parameters\n")?;
    let seeds: Vec<String> = cal.stability.iter().map(|c| format!("seed {}", c.seed)).collect();
    writeln!(
        s,
        "The search ran on the run's seed; on each of {} more seeds, polishing passes started again from its choice (each knob's nearest values the search tried, re-tried on that seed's paths until nothing moves). A knob a seed moves is not firmly identified by {} paths per candidate, and its spread is its uncertainty; a seed cannot reach a value the search did not try.\n",
        cal.stability.len() - 1,
        cfg.run.search_paths
    )?;
    writeln!(s, "| knob | value | {} | spread |\n|---|---:|{}---:|", seeds.join(" | "), "---:|".repeat(seeds.len()))?;
    for knob in KNOBS {
        let values: Vec<f64> = cal.stability.iter().map(|c| knob.get(&c.knobs)).collect();
        let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let spread = if lo == hi { "none".to_string() } else { format!("{lo} … {hi}") };
        writeln!(s, "| `{}` | {} | {} | {} |", knob.name(), knob.get(k), shown.join(" | "), spread)?;
    }
    let edges = crate::calibrate::on_grid_edge(k, &cal.sweep);
    if !edges.is_empty() {
        let names: Vec<String> = edges.iter().map(|e| format!("`{}`", e.name())).collect();
        writeln!(
            s,
            "\n**Warning: on the edge of what was searched:** {}. The search refines only inside each grid, and the choice is its smallest or largest value; the optimum may lie further out: widen the grid in `[calibration]`.",
            names.join(", ")
        )?;
    }
    writeln!(
        s,
        "\nFeasible: **{}**{}\n",
        cal.best.feasible(),
        if cal.best.violations.is_empty() { String::new() } else { format!(" ({})", cal.best.violations.join("; ")) }
    )?;
    objective_rows(s, &cal.best.objective)?;
    writeln!(s)?;
    Ok(())
}

/// The yearly loss avoided against no Bulwark, and against the current
/// parameters if given.
fn savings(s: &mut String, cal: &Calibration) -> fmt::Result {
    writeln!(s, "## What Bulwark saves\n")?;
    writeln!(
        s,
        "Without Bulwark: no breaker (every outflow the protocol can pay leaves), a plain multisig acting at once (no timelock, veto or guard), no insurance fund.\n"
    )?;
    writeln!(s, "{}", cal.savings.to_markdown())?;
    if let Some(c) = &cal.vs_current {
        writeln!(s, "## Against the current parameters\n")?;
        writeln!(s, "{}", c.to_markdown())?;
    }
    Ok(())
}

/// Each scenario's loss distribution, with the importance sampling's
/// effective sample size and gain.
fn losses_per_scenario(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    writeln!(s, "## Losses per scenario\n")?;
    writeln!(s, "| scenario | attack | E[loss] | VaR 95% | CVaR 95% | VaR 99% | CVaR 99% | VaR 99.9% | CVaR 99.9% | P(loss > fund) | false-trip rate | ESS | IS gain (mean / tail) |")?;
    writeln!(s, "|---|---|---|---|---|---|---|---|---|---:|---:|---:|---:|")?;
    for (sc, m) in cfg.scenarios.iter().zip(&cal.metrics) {
        writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2e} | {:.4} | {:.0} | {:.1}× / {:.1}× |",
            sc.name,
            sc.attack.kind(),
            est(&m.mean_loss),
            est(&m.var[0]),
            est(&m.cvar[0]),
            est(&m.var[1]),
            est(&m.cvar[1]),
            est(&m.var[2]),
            est(&m.cvar[2]),
            m.p_exceed_fund,
            m.false_trip_rate,
            m.ess,
            m.is_gain_mean,
            m.is_gain_tail
        )?;
    }
    writeln!(s, "\nESS is the weights' effective sample size, `(Σw)²/Σw²`: it measures how uneven the importance weights are, not how precise the estimates are. The IS gain is: the variance plain Monte Carlo would have with as many paths, over the variance of the importance-sampled estimator, for the mean loss and for P(loss > VaR 99%) (1× without importance sampling). A gain of 100× means plain Monte Carlo would need 100 times the paths for the same precision.")?;
    Ok(())
}

/// Each scenario's downtime, detection and tail fit.
fn downtime_and_tails(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    writeln!(s, "\n## Downtime and tails\n")?;
    writeln!(s, "| scenario | E[downtime] | of which bad debt | E[halted hours] | hours per attack | undetected at {} days | core steps per path | GPD ξ | GPD β | threshold | tail VaR 99.9% | tail ES 99.9% |", cfg.detection.max_days)?;
    writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for (sc, m) in cfg.scenarios.iter().zip(&cal.metrics) {
        let tail = m.tail.map_or_else(
            || "— | — | — | — | —".to_string(),
            |t| {
                format!(
                    "{:.3} | {} | {} | {} | {}",
                    t.xi,
                    money(t.beta),
                    money(t.threshold),
                    money(t.var_999),
                    money(t.es_999)
                )
            },
        );
        writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.2} | {:.2e} | {:.0} | {} |",
            sc.name,
            money(m.mean_downtime),
            money(m.mean_bad_debt),
            m.mean_halted_hours,
            m.mean_attack_hours,
            m.censored_share,
            m.mean_core_steps,
            tail
        )?;
    }
    writeln!(s, "\nThe generalized Pareto fit uses the losses above the 95th percentile of the positive losses (probability-weighted moments); it is omitted where fewer than 200 paths lost anything.\n")?;
    Ok(())
}

/// Every candidate the search scored.
fn parameter_sweep(s: &mut String, cfg: &Config, cal: &Calibration) -> fmt::Result {
    writeln!(s, "## Parameter sweep\n")?;
    writeln!(s, "Every candidate the search scored, in order: each knob's grid, its refinement rounds, then the polishing passes. A value appears again when a later pass re-scored it with the other knobs as they were then; the plot shows each as its own point. The search races its candidates (`calibration.race`): each is scored on the first fifth of the search's paths, then on the first half, and one costlier there than the best so far by more than {} standard errors of the paired expected loss (or over the false-trip limit by as much) is dropped; its cost is then the one on those paths only.\n", crate::calibrate::RACE_Z)?;
    writeln!(s, "| knob | value | yearly cost | feasible | paths |\n|---|---:|---:|---|---:|")?;
    for p in &cal.sweep {
        let raced = if p.paths < cfg.run.search_paths { " (dropped by the race)" } else { "" };
        writeln!(
            s,
            "| `{}` | {} | {} | {} | {}{} |",
            p.knob.name(),
            p.value,
            money(p.total),
            p.feasible,
            p.paths,
            raced
        )?;
    }
    Ok(())
}

/// The report of `cal`, naming the params.json it describes by its SHA-256
/// (`sha256sum params.json`, and bulwark-deploy's record, show the same).
fn markdown(cfg: &Config, cal: &Calibration, params_sha256: &str) -> Result<String, fmt::Error> {
    let mut s = String::new();
    writeln!(s, "# Bulwark calibration report\n")?;
    writeln!(
        s,
        "bulwark-sim {}, params.json SHA-256 `{params_sha256}`, config SHA-256 `{}`, seed {}, {} paths per scenario (search: {}). Money is USD per path of {} h unless marked yearly; intervals are 95%.\n",
        env!("CARGO_PKG_VERSION"),
        config_hash(cfg),
        cfg.run.seed,
        cfg.run.paths,
        cfg.run.search_paths,
        cfg.run.horizon_hours
    )?;
    executive_summary(&mut s, cfg, cal)?;
    chosen_parameters(&mut s, cfg, cal)?;
    savings(&mut s, cal)?;
    identification(&mut s, cfg, cal)?;
    one_year(&mut s, cfg, cal)?;
    backtests(&mut s, cal)?;
    assumptions(&mut s, cfg, cal)?;
    losses_per_scenario(&mut s, cfg, cal)?;
    downtime_and_tails(&mut s, cfg, cal)?;
    parameter_sweep(&mut s, cfg, cal)?;
    writeln!(s, "\n## Plots\n")?;
    for f in crate::output::CHARTS {
        writeln!(s, "![{f}]({f})\n")?;
    }
    Ok(s)
}

/// A self-contained HTML page: the markdown tables converted, plots inlined.
fn html(md: &str, plots: &[(&str, String)]) -> Result<String, fmt::Error> {
    let mut body = String::new();
    let mut in_table = false;
    for line in md.lines() {
        if line.starts_with('|') {
            if line.starts_with("|---") {
                continue;
            }
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            if !in_table {
                body.push_str("<table>\n");
                in_table = true;
            }
            body.push_str("<tr>");
            for c in cells {
                write!(body, "<td>{}</td>", inline(c)?)?;
            }
            body.push_str("</tr>\n");
            continue;
        }
        if in_table {
            body.push_str("</table>\n");
            in_table = false;
        }
        if let Some(h) = line.strip_prefix("## ") {
            writeln!(body, "<h2>{}</h2>", inline(h)?)?;
        } else if let Some(h) = line.strip_prefix("# ") {
            writeln!(body, "<h1>{}</h1>", inline(h)?)?;
        } else if let Some(img) = line.strip_prefix("![") {
            let name = img.split(']').next().unwrap_or_default();
            if let Some((_, svg)) = plots.iter().find(|(n, _)| *n == name) {
                writeln!(body, "<figure>{svg}</figure>")?;
            }
        } else if !line.is_empty() {
            writeln!(body, "<p>{}</p>", inline(line)?)?;
        }
    }
    if in_table {
        body.push_str("</table>\n");
    }
    Ok(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Bulwark calibration report</title>\n<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}table{{border-collapse:collapse;margin:1em 0}}td{{border:1px solid #ccc;padding:3px 8px;text-align:right}}tr:first-child td{{font-weight:bold;background:#eee}}td:first-child{{text-align:left}}</style></head><body>\n{body}</body></html>\n"
    ))
}

fn inline(s: &str) -> Result<String, fmt::Error> {
    let esc = s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut out = String::new();
    for (i, part) in esc.split("**").enumerate() {
        if i % 2 == 1 {
            write!(out, "<b>{part}</b>")?;
        } else {
            out.push_str(
                &part
                    .split('`')
                    .enumerate()
                    .map(|(j, p)| if j % 2 == 1 { format!("<code>{p}</code>") } else { p.to_string() })
                    .collect::<String>(),
            );
        }
    }
    Ok(out)
}

const W: u32 = 900;
const H: u32 = 520;

fn palette(i: usize) -> RGBColor {
    let c = Palette99::pick(i).to_rgba();
    RGBColor(c.0, c.1, c.2)
}

/// Weighted survival curve P(L > x) of a scenario's positive losses.
fn survival(outcomes: &[crate::sim::PathOutcome]) -> Vec<(f64, f64)> {
    let n = outcomes.len() as f64;
    let mut pairs: Vec<(f64, f64)> = outcomes.iter().map(|o| (o.loss(), o.weight)).filter(|p| p.0 > 0.0).collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut tail = 0.0;
    let mut pts = Vec::with_capacity(pairs.len());
    for (l, w) in pairs {
        tail += w / n;
        pts.push((l, tail));
    }
    pts.reverse();
    // Thin to at most 400 points for a light SVG.
    let step = (pts.len() / 400).max(1);
    pts.into_iter().step_by(step).collect()
}

fn plot_loss_distribution(cfg: &Config, cal: &Calibration) -> Result<String> {
    let curves: Vec<(String, Vec<(f64, f64)>)> = cfg
        .scenarios
        .iter()
        .zip(&cal.outcomes)
        .map(|(s, o)| (s.name.clone(), survival(o)))
        .filter(|c| !c.1.is_empty())
        .collect();
    let xmax = curves.iter().flat_map(|c| c.1.iter().map(|p| p.0)).fold(1.0, f64::max);
    let ymin = curves.iter().flat_map(|c| c.1.iter().map(|p| p.1)).fold(1.0, f64::min).max(1e-9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Loss distribution: P(loss per path > x)", ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d((1.0..xmax * 1.2).log_scale(), (ymin * 0.5..1.0).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("loss (USD)")
            .y_desc("exceedance probability")
            .x_label_formatter(&|v| money(*v))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .draw()?;
        for (i, (name, pts)) in curves.iter().enumerate() {
            let color = palette(i);
            chart
                .draw_series(LineSeries::new(pts.iter().map(|p| (p.0.max(1.0), p.1)), color.stroke_width(2)))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        // The VaR levels (1 − α) and the fund: where a curve crosses them is
        // the VaR, and whether it passes the fund line the fund's shortfall.
        let grey = RGBColor(120, 120, 120);
        for alpha in LEVELS {
            let y = 1.0 - alpha;
            if y >= ymin * 0.5 {
                chart.draw_series(DashedLineSeries::new([(1.0, y), (xmax * 1.2, y)], 6, 4, grey.stroke_width(1)))?;
                chart.draw_series(std::iter::once(Text::new(
                    format!("α = {alpha}"),
                    (1.5, y * 1.4),
                    ("sans-serif", 12).into_font().color(&grey),
                )))?;
            }
        }
        let fund = cfg.protocol.fund_capital_usd;
        if fund < xmax * 1.2 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(fund, ymin * 0.5), (fund, 1.0)],
                    BLACK.stroke_width(2),
                )))?
                .label(format!("insurance fund {}", money(fund)))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        }
        // Survival curves fall from the top left, so the lower left is empty.
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

fn plot_tail_fit(cfg: &Config, cal: &Calibration) -> Result<String> {
    // The scenario with the largest CVaR 99.9% that has a tail fit.
    let pick = cal
        .metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| m.tail.is_some())
        .max_by(|a, b| a.1.cvar[2].value.total_cmp(&b.1.cvar[2].value))
        .map(|(i, _)| i);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let Some(i) = pick else {
            root.draw(&Text::new("No scenario had enough losses for a tail fit", (40, 40), ("sans-serif", 20)))?;
            root.present()?;
            drop(root);
            return Ok(svg);
        };
        let tail = cal.metrics[i].tail.expect("filtered");
        let emp: Vec<(f64, f64)> = survival(&cal.outcomes[i]).into_iter().filter(|p| p.0 > tail.threshold).collect();
        let xmax = emp.iter().map(|p| p.0).fold(tail.threshold, f64::max) * 1.05;
        let ymin = emp.iter().map(|p| p.1).fold(tail.exceed_prob, f64::min).max(1e-9);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Tail fit, {}: GPD ξ={:.3}, β={}", cfg.scenarios[i].name, tail.xi, money(tail.beta)),
                ("sans-serif", 20),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(tail.threshold..xmax, (ymin * 0.5..tail.exceed_prob * 1.5).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("loss (USD)")
            .y_desc("P(loss > x)")
            .x_label_formatter(&|v| money(*v))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .draw()?;
        chart
            .draw_series(emp.iter().map(|p| Circle::new(*p, 2, BLUE.filled())))?
            .label("simulated")
            .legend(|(x, y)| Circle::new((x + 9, y), 3, BLUE.filled()));
        let fitted = (0..200).map(|j| {
            let x = tail.threshold + (xmax - tail.threshold) * f64::from(j) / 199.0;
            let y = x - tail.threshold;
            let s = if tail.xi.abs() < 1e-9 {
                (-y / tail.beta).exp()
            } else {
                (1.0 + tail.xi * y / tail.beta).max(0.0).powf(-1.0 / tail.xi)
            };
            (x, (tail.exceed_prob * s).max(ymin * 0.5))
        });
        chart
            .draw_series(LineSeries::new(fitted, RED.stroke_width(2)))?
            .label("generalized Pareto fit")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED.stroke_width(2)));
        if 1e-3 > ymin * 0.5 && 1e-3 < tail.exceed_prob * 1.5 {
            chart
                .draw_series(DashedLineSeries::new(
                    [(tail.threshold, 1e-3), (xmax, 1e-3)],
                    6,
                    4,
                    RGBColor(120, 120, 120).stroke_width(1),
                ))?
                .label("α = 0.999")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RGBColor(120, 120, 120)));
        }
        let fund = cfg.protocol.fund_capital_usd;
        if fund > tail.threshold && fund < xmax {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(fund, ymin * 0.5), (fund, tail.exceed_prob * 1.5)],
                    BLACK.stroke_width(2),
                )))?
                .label(format!("insurance fund {}", money(fund)))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        }
        // The points fall from the top left, so the upper right is empty.
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

fn plot_sweep(cal: &Calibration) -> Result<String> {
    let mut svg = String::new();
    {
        // Two panels a row, each as tall as half a plot.
        let rows = KNOBS.len().div_ceil(2);
        let root = SVGBackend::with_string(&mut svg, (W, H / 2 * rows as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        let panels = root.split_evenly((rows, 2));
        for (n, (panel, knob)) in panels.iter().zip(KNOBS).enumerate() {
            let pts: Vec<_> = {
                let mut v: Vec<_> = cal.sweep.iter().filter(|p| p.knob == knob).collect();
                v.sort_by(|a, b| a.value.total_cmp(&b.value));
                v
            };
            if pts.is_empty() {
                continue;
            }
            let (x0, x1) = (pts[0].value, pts[pts.len() - 1].value);
            let (y0, y1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.total), b.max(p.total)));
            let pad = ((y1 - y0) * 0.1).max(1.0);
            let mut chart = ChartBuilder::on(panel)
                .caption(knob.name(), ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(30)
                .y_label_area_size(70)
                .build_cartesian_2d(x0..x1.max(x0 + 1e-9), (y0 - pad)..(y1 + pad))?;
            chart.configure_mesh().x_labels(6).y_desc("yearly cost (USD)").y_label_formatter(&|v| money(*v)).draw()?;
            // Points only: a value scored again in a later pass (with the
            // other knobs as they were then) is a second point, not a curve.
            chart
                .draw_series(
                    pts.iter().filter(|p| p.feasible).map(|p| Circle::new((p.value, p.total), 4, GREEN.filled())),
                )?
                .label("feasible")
                .legend(|(x, y)| Circle::new((x + 9, y), 4, GREEN.filled()));
            chart
                .draw_series(
                    pts.iter().filter(|p| !p.feasible).map(|p| Circle::new((p.value, p.total), 4, RED.filled())),
                )?
                .label("infeasible (false-trip limit)")
                .legend(|(x, y)| Circle::new((x + 9, y), 4, RED.filled()));
            let chosen = knob.get(&cal.best.knobs);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(chosen, y0 - pad), (chosen, y1 + pad)],
                    BLUE.stroke_width(1),
                )))?
                .label("chosen")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLUE.stroke_width(1)));
            // One legend for all panels, in the first.
            if n == 0 {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperMiddle)
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 11))
                    .draw()?;
            }
        }
        root.present()?;
    }
    Ok(svg)
}

fn plot_convergence(cfg: &Config, cal: &Calibration) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut series = Vec::new();
        for (s, o) in cfg.scenarios.iter().zip(&cal.outcomes) {
            let pts = prefix_cvar(o, LEVELS[2]);
            if pts.iter().any(|p| p.1 > 0.0) {
                series.push((s.name.clone(), pts));
            }
        }
        let xmax = cfg.run.paths as f64;
        let ymax = series.iter().flat_map(|s| s.1.iter().map(|p| p.1 + 1.96 * p.2)).fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(&root)
            .caption("CVaR 99.9% against the number of paths (bands: 95%)", ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(80)
            // Headroom above the data for the legend.
            .build_cartesian_2d((500.0..xmax * 1.1).log_scale(), 0.0..ymax * 1.6)?;
        chart
            .configure_mesh()
            .x_desc("paths")
            .y_desc("CVaR 99.9% (USD)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| money(*v))
            .draw()?;
        for (i, (name, pts)) in series.iter().enumerate() {
            let color = palette(i);
            let band: Vec<(f64, f64)> = pts
                .iter()
                .map(|p| (p.0, p.1 + 1.96 * p.2))
                .chain(pts.iter().rev().map(|p| (p.0, (p.1 - 1.96 * p.2).max(0.0))))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.15).filled())))?;
            chart
                .draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
        }
        // The y range leaves the top third free for the legend.
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

//! The simulator's TOML configuration: run size, protocol economics, market
//! regimes, attack scenarios, calibration grids and the fixed deployment
//! parameters. Human units throughout (USD, hours, bps); [`crate::params`]
//! turns them into the contracts' constructor structs.
//!
//! Unknown fields are rejected by serde; [`Config::validate`] names the field
//! path and allowed range of every bad value.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub use crate::config_error::ConfigError;
pub use crate::market::MarketModel;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub run: RunConfig,
    pub protocol: ProtocolConfig,
    /// Named market regimes that scenarios refer to.
    pub markets: BTreeMap<String, MarketModel>,
    pub scenarios: Vec<ScenarioConfig>,
    pub calibration: CalibrationConfig,
    pub deployment: DeploymentConfig,
    /// The chain's units: params.json is written in them.
    #[serde(default = "crate::defaults::chain_units")]
    pub units: crate::units::ChainUnits,
    /// How long attacks run before the guardian's pause.
    #[serde(default = "crate::defaults::detection")]
    pub detection: DetectionConfig,
}

/// The detection-delay model: a log-normal fitted to real incidents (see
/// [`crate::detection`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DetectionConfig {
    /// Hours from each incident's first malicious transaction to the
    /// protocol's public response.
    pub incidents: Vec<DetectionIncident>,
    /// An attack still unnoticed this long after it began stops here.
    pub max_days: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DetectionIncident {
    pub name: String,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Paths per scenario for the final evaluation.
    pub paths: u64,
    /// Paths per scenario for each candidate during the search.
    pub search_paths: u64,
    pub seed: u64,
    /// Length of one path.
    pub horizon_hours: u32,
    /// Length of one simulation step; divides the horizon.
    pub step_minutes: u32,
    /// Bootstrap resamples for CVaR confidence intervals.
    pub bootstrap_resamples: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProtocolConfig {
    /// Value the protected protocol holds, split evenly over the market's assets.
    pub tvl_usd: f64,
    /// Standard deviation of legitimate net flow per hour, in bps of TVL.
    pub legit_flow_bps_per_hour: f64,
    /// Extra legitimate outflow per hour, in bps of TVL per 1% drawdown of
    /// the asset's price (panic selling).
    pub panic_outflow_bps_per_pct: f64,
    /// Capital the insurance fund holds.
    pub fund_capital_usd: f64,
    /// Active cover the fund backs (sets the solvency requirement).
    pub active_cover_usd: f64,
    /// Cost of an hour in which the breaker is halted.
    pub downtime_cost_per_hour: f64,
    /// Share of that cost while throttled.
    pub throttled_cost_share: f64,
    /// Yearly cost of holding capital, in bps.
    pub capital_cost_bps_per_year: f64,
    /// Legitimate critical operations per year, each delayed by the timelock.
    pub critical_ops_per_year: f64,
    /// Cost of delaying one critical operation by an hour.
    pub governance_delay_cost_per_hour: f64,
    /// Yield stakers demand per day of exit cooldown, in bps of fund capital per year.
    pub cooldown_cost_bps_per_day: f64,
    /// What the protocol lends against a dollar of collateral (its loan-to-value).
    #[serde(default = "crate::defaults::collateral_factor")]
    pub collateral_factor: f64,
    /// Share of TVL lent out against collateral. While the breaker stops
    /// exits, liquidations (an outflow of seized collateral) are blocked, and
    /// a fall of the collateral's price during the stop becomes bad debt.
    #[serde(default = "crate::defaults::borrowed_share")]
    pub borrowed_share: f64,
}

/// One attack scenario, simulated against one market regime.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    pub name: String,
    pub description: String,
    /// Key into `markets`.
    pub market: String,
    /// Real-world arrival rate of this attack.
    pub attacks_per_year: f64,
    /// Attacks are simulated this many times more often and paths are
    /// reweighted (importance sampling); 1 disables it.
    pub importance_factor: f64,
    pub attack: AttackConfig,
}

/// What the attacker does when an attack arrives.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AttackConfig {
    /// No attacker: legitimate flows only, to measure false trips.
    None,
    /// Mango-style: push a thin market's oracle price toward `push_factor`
    /// (reached in `push_minutes` if nothing stops it), borrow against the
    /// inflated collateral, abandon the collateral. The attacker adapts to
    /// the deployed limits: it keeps every report inside the price band,
    /// sizes each deposit to what the limiter lets it borrow, and borrows
    /// only when `push × protocol.collateral_factor > 1`. `collateral_share`
    /// is its capital, as a share of TVL. It also times the push: where the
    /// band is too narrow for a dollar of collateral pushed to its edge to
    /// borrow more than a dollar, it waits, up to `wait_hours` after it is
    /// ready, for a fall of the true price that the smoothed reference has
    /// not followed and that makes up the difference (the band then reaches
    /// that much higher above the true price); if none comes, it pushes at
    /// the deadline (at most `detection.max_days` after it is ready) and
    /// walks the reference up instead.
    OracleManipulation {
        push_factor: f64,
        push_minutes: u32,
        collateral_share: f64,
        #[serde(default = "crate::defaults::oracle_wait_hours")]
        wait_hours: f64,
    },
    /// A logic bug drained through the limiter, dressed with a flash-loan
    /// deposit of `loan_share` of TVL; it wants `drain_share` of what the
    /// first `assets` assets (the ones the bug reaches) held at the start,
    /// and splits the drain across them, taking each one's available outflow.
    FlashLoanDrain {
        loan_share: f64,
        drain_share: f64,
        chunks: u32,
        #[serde(default = "crate::defaults::drained_assets")]
        assets: u32,
    },
    /// Keys of the multisig leak: all at once with `common_cause_prob` (a
    /// shared signing interface or device, as at Bybit and Radiant), else each
    /// on its own with `key_compromise_prob`. With a quorum the attacker
    /// submits more identical malicious upgrades than the veto cap at once
    /// and proposes again after every cancel; once the compromise is
    /// detected ([`DetectionConfig`]) the veto set vetoes every proposal,
    /// which holds the drain off a number of Critical timelocks
    /// (`veto_hold_off_timelocks`), and it runs on to the detection cap.
    KeyCompromise { key_compromise_prob: f64, common_cause_prob: f64, drain_share: f64 },
    /// A loss hits the protocol; `news_delay_hours` later it is public, and
    /// then `run_share` of the stakers ask to leave the fund.
    BankRun { loss_share_of_fund: f64, run_share: f64, news_delay_hours: f64, claim_delay_hours: f64 },
    /// A holder of `position_share` of TVL recycles it to trip the breaker
    /// and lock others out: `attempts` times a step it withdraws what
    /// `available_outflow` shows (up to its position) and deposits it
    /// straight back, ending with what it started with. It may also post up
    /// to `bonded_trips` bonded trips (`deployment.min_bond_usd` each,
    /// slashed when governance judges them).
    Griefing {
        position_share: f64,
        attempts: u32,
        #[serde(default)]
        bonded_trips: u32,
    },
    /// A bridge or sidechain exploit: a sudden outflow burst.
    BridgeExploit { drain_share: f64, burst_minutes: u32 },
}

impl AttackConfig {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::OracleManipulation { .. } => "oracle_manipulation",
            Self::FlashLoanDrain { .. } => "flash_loan_drain",
            Self::KeyCompromise { .. } => "key_compromise",
            Self::BankRun { .. } => "bank_run",
            Self::Griefing { .. } => "griefing",
            Self::BridgeExploit { .. } => "bridge_exploit",
        }
    }
}

/// The search space and the constraints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalibrationConfig {
    /// Candidates for the 1-hour window's share of TVL.
    pub hourly_share_bps: Vec<u32>,
    /// The 24-hour window's share is this multiple of the hourly share.
    pub daily_multiple: u32,
    /// Candidates for the price band.
    pub max_deviation_bps: Vec<u32>,
    /// Candidates for how long the breaker stays throttled after a
    /// window saturates (a second saturation within it halts).
    pub throttle_hours: Vec<f64>,
    /// Candidates for how long the breaker halts (a saturation while
    /// throttled, or a price fault).
    pub halt_hours: Vec<f64>,
    /// Candidates for how fast the elastic buffer of recent inflows decays.
    pub inflow_decay_minutes: Vec<f64>,
    /// Candidates for how far the price reference follows an in-band report
    /// per minute.
    pub reference_smoothing_bps: Vec<u32>,
    /// Candidates for the Critical class timelock.
    pub critical_timelock_hours: Vec<f64>,
    /// Candidates for the fund's exit cooldown.
    pub exit_cooldown_days: Vec<f64>,
    /// Refine each knob once between the best grid value's neighbours.
    pub refine: bool,
    /// Race the search's candidates: score each on the first fifth, then
    /// the first half, of the search's paths, and drop one that is costlier
    /// than the best so far by more than four standard errors there
    /// (`calibrate::race`).
    #[serde(default = "crate::defaults::race")]
    pub race: bool,
    /// Further seeds on which the choice is polished again (its neighbours
    /// re-tried on those seeds' paths), to report how firmly the paths
    /// identify each chosen knob.
    #[serde(default = "crate::defaults::stability_seeds")]
    pub stability_seeds: u32,
    /// Largest acceptable probability that a path without attack halts.
    pub max_false_trip_rate: f64,
    /// The fund's yearly claim payouts (each claim capped and net of the
    /// reinsurance layer, by bulwark-core) at 99.9% may use at most this
    /// share of its capital: the recommended fund is those claims divided by
    /// it, and a smaller configured fund is reported as inadequate.
    pub max_annual_claims_share_of_fund: f64,
}

/// Contract parameters that are not calibrated, in human units.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    /// Multisig owners as 0x-prefixed 32-byte hex.
    pub owners: Vec<String>,
    pub threshold: u32,
    pub vetoers: Vec<String>,
    pub veto_base_threshold: u32,
    pub veto_max_threshold: u32,
    pub standard_timelock_hours: f64,
    pub membership_timelock_hours: f64,
    pub policy_timelock_hours: f64,
    pub execution_window_hours: f64,
    pub standard_value_cap_usd: f64,
    pub critical_value_cap_usd: f64,
    pub throttle_bps: u32,
    pub price_staleness_minutes: f64,
    /// Floor of the hourly window, in USD; the daily floor is `daily_multiple` times it.
    pub hourly_floor_usd: f64,
    /// Smallest window limit, in USD, whose saturation raises the breaker's
    /// level; smaller windows (floors, small assets) only rate-limit, so an
    /// actor with less capital than this cannot halt the protocol by
    /// recycling it.
    pub min_escalating_limit_usd: f64,
    /// Width of the range, in bps either side of the market's price when
    /// proposed, that governance approves for a re-anchor after a price
    /// fault; the breaker anchors at the oracle's report inside it.
    pub reanchor_range_bps: u32,
    pub exit_window_days: f64,
    pub solvency_target_bps: u32,
    pub min_capital_usd: f64,
    pub claim_cap_usd: f64,
    /// Optional excess-of-loss layer.
    pub reinsurance_attachment_usd: Option<f64>,
    pub reinsurance_limit_usd: Option<f64>,
    /// Smallest bond of an open (bonded) trip of the breaker.
    #[serde(default = "default_min_bond_usd")]
    pub min_bond_usd: f64,
    /// How long governance has to judge a bonded trip before anyone may
    /// release its bond; longer than the Critical timelock.
    #[serde(default = "default_bond_settle_hours")]
    pub bond_settle_hours: f64,
    /// Reports prices to the breaker (0x-prefixed 32-byte hex, as every account here).
    #[serde(default = "crate::defaults::oracle")]
    pub oracle: String,
    /// May pause and trip the breaker.
    #[serde(default = "crate::defaults::guardians")]
    pub guardians: Vec<String>,
    /// The protected protocol: asks the breaker before funds leave, files claims.
    #[serde(default = "crate::defaults::protected")]
    pub protected: String,
    /// The insurance_fund that takes ceded losses; required with a reinsurance layer.
    #[serde(default = "crate::defaults::reinsurer")]
    pub reinsurer: Option<String>,
}

fn default_min_bond_usd() -> f64 {
    50_000.0
}

fn default_bond_settle_hours() -> f64 {
    168.0
}

fn err(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { path: path.into(), message: message.into() }
}

/// Checks `lo <= v <= hi` (and that `v` is a number).
fn in_range<T: PartialOrd + fmt::Display + Copy>(path: &str, v: T, lo: T, hi: T) -> Result<(), ConfigError> {
    // `!(a <= b)` also rejects NaN.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(lo <= v && v <= hi) {
        return Err(err(path, format!("{v} is out of range; allowed {lo} ..= {hi}")));
    }
    Ok(())
}

fn nonempty_grid<T: PartialOrd + fmt::Display + Copy>(path: &str, grid: &[T], lo: T, hi: T) -> Result<(), ConfigError> {
    if grid.is_empty() || grid.len() > 32 {
        return Err(err(path, format!("{} candidates; allowed 1 ..= 32", grid.len())));
    }
    for (i, v) in grid.iter().enumerate() {
        in_range(&format!("{path}[{i}]"), *v, lo, hi)?;
    }
    if grid.windows(2).any(|w| w[0] >= w[1]) {
        return Err(err(path, "candidates must be strictly increasing"));
    }
    Ok(())
}

/// Parses a 0x-prefixed 32-byte hex account.
pub fn parse_account(path: &str, s: &str) -> Result<[u8; 32], ConfigError> {
    bulwark_core::hex::parse(s).ok_or_else(|| err(path, format!("{s:?} must be 0x followed by 64 hex digits")))
}

/// Merges `over` into `base`: tables field by field (recursively), anything
/// else (numbers, strings, arrays such as `scenarios`) replaced whole.
fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Keys an earlier version read as fixed `deployment` values and the
/// calibration now searches: a config that still sets one is told where it
/// went, not that the key is unknown.
const MOVED_TO_CALIBRATION: [&str; 4] =
    ["throttle_hours", "halt_hours", "inflow_decay_minutes", "reference_smoothing_bps"];

fn moved_keys(over: &toml::Value) -> Result<(), ConfigError> {
    let deployment = over.get("deployment").and_then(toml::Value::as_table);
    match MOVED_TO_CALIBRATION.iter().find(|k| deployment.is_some_and(|d| d.contains_key(**k))) {
        Some(k) => Err(err(
            format!("deployment.{k}"),
            format!("is searched now: give candidates as calibration.{k} = [...] (one value keeps it fixed)"),
        )),
        None => Ok(()),
    }
}

impl Config {
    /// Parses a TOML file that sets only what it changes: it is layered on
    /// the built-in config (tables merge field by field; arrays, such as
    /// `scenarios` or a calibration grid, replace the default whole), then
    /// its fields validated ([`Config::validate`]).
    pub fn from_partial_toml(text: &str) -> Result<Self, anyhow::Error> {
        let over: toml::Value = toml::from_str(text).map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
        moved_keys(&over)?;
        let mut base = toml::Value::try_from(Config::default()).expect("the default config is TOML-representable");
        merge(&mut base, over);
        let cfg: Config = base.try_into().map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parses TOML and validates its fields ([`Config::validate`]).
    pub fn from_toml(text: &str) -> Result<Self, anyhow::Error> {
        moved_keys(&toml::from_str(text).map_err(|e| anyhow::anyhow!("invalid config: {e}"))?)?;
        let cfg: Config = toml::from_str(text).map_err(|e| anyhow::anyhow!("invalid config: {e}"))?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("the config holds only TOML-representable values")
    }

    /// Checks every field against its allowed range, one section after
    /// another: the first field out of range is the error, naming it and
    /// its range. What only bulwark-core can judge (timelock order, veto
    /// thresholds, ...) [`crate::params::check_config`] checks on the
    /// params built from the config.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_run()?;
        self.validate_protocol()?;
        self.validate_detection()?;
        self.validate_markets()?;
        self.validate_scenarios()?;
        self.validate_calibration()?;
        self.validate_deployment()
    }

    /// `[run]`.
    fn validate_run(&self) -> Result<(), ConfigError> {
        let r = &self.run;
        in_range("run.paths", r.paths, 1_000, 10_000_000)?;
        in_range("run.search_paths", r.search_paths, 1_000, r.paths)?;
        in_range("run.horizon_hours", r.horizon_hours, 1, 24 * 30)?;
        in_range("run.step_minutes", r.step_minutes, 1, 60)?;
        if (r.horizon_hours * 60) % r.step_minutes != 0 {
            return Err(err("run.step_minutes", "must divide run.horizon_hours × 60"));
        }
        in_range("run.bootstrap_resamples", r.bootstrap_resamples, 1_000, 100_000)?;
        Ok(())
    }

    /// `[protocol]`.
    fn validate_protocol(&self) -> Result<(), ConfigError> {
        let p = &self.protocol;
        in_range("protocol.tvl_usd", p.tvl_usd, 1e3, 1e12)?;
        in_range("protocol.legit_flow_bps_per_hour", p.legit_flow_bps_per_hour, 0.0, 2_000.0)?;
        in_range("protocol.panic_outflow_bps_per_pct", p.panic_outflow_bps_per_pct, 0.0, 1_000.0)?;
        in_range("protocol.fund_capital_usd", p.fund_capital_usd, 1.0, 1e12)?;
        in_range("protocol.active_cover_usd", p.active_cover_usd, 0.0, 1e13)?;
        in_range("protocol.downtime_cost_per_hour", p.downtime_cost_per_hour, 0.0, 1e10)?;
        in_range("protocol.throttled_cost_share", p.throttled_cost_share, 0.0, 1.0)?;
        in_range("protocol.capital_cost_bps_per_year", p.capital_cost_bps_per_year, 0.0, 10_000.0)?;
        in_range("protocol.critical_ops_per_year", p.critical_ops_per_year, 0.0, 10_000.0)?;
        in_range("protocol.governance_delay_cost_per_hour", p.governance_delay_cost_per_hour, 0.0, 1e10)?;
        in_range("protocol.cooldown_cost_bps_per_day", p.cooldown_cost_bps_per_day, 0.0, 1_000.0)?;
        in_range("protocol.collateral_factor", p.collateral_factor, 0.01, 1.0)?;
        in_range("protocol.borrowed_share", p.borrowed_share, 0.0, 1.0)?;
        Ok(())
    }

    /// `[detection]`.
    fn validate_detection(&self) -> Result<(), ConfigError> {
        let d = &self.detection;
        if d.incidents.len() < 3 || d.incidents.len() > 1_000 {
            return Err(err(
                "detection.incidents",
                format!("{} incidents; the delay fit needs 3 ..= 1000", d.incidents.len()),
            ));
        }
        for (i, inc) in d.incidents.iter().enumerate() {
            in_range(&format!("detection.incidents[{i}].hours"), inc.hours, 0.001, 24.0 * 3_650.0)?;
        }
        if d.incidents.iter().all(|i| i.hours == d.incidents[0].hours) {
            return Err(err("detection.incidents", "all incidents have the same hours; the delay fit needs a spread"));
        }
        in_range("detection.max_days", d.max_days, 1.0, 365.0)?;
        Ok(())
    }

    /// `[markets.*]`, and their days adding up to at most a year.
    fn validate_markets(&self) -> Result<(), ConfigError> {
        if self.markets.is_empty() {
            return Err(err("markets", "at least one market regime is required"));
        }
        for (name, m) in &self.markets {
            let at = |f: &str| format!("markets.{name}.{f}");
            in_range(&at("annual_vol"), m.annual_vol, 0.0, 5.0)?;
            in_range(&at("annual_drift"), m.annual_drift, -5.0, 5.0)?;
            in_range(&at("jumps_per_year"), m.jumps_per_year, 0.0, 10_000.0)?;
            in_range(&at("jump_mean"), m.jump_mean, -3.0, 3.0)?;
            in_range(&at("jump_sd"), m.jump_sd, 0.0, 3.0)?;
            if let Some(df) = m.student_t_df {
                in_range(&at("student_t_df"), df, 2.1, 1_000.0)?;
            }
            in_range(&at("assets"), m.assets, 1, 8)?;
            let lo = if m.assets > 1 { -1.0 / f64::from(m.assets - 1) + 1e-9 } else { -1.0 };
            in_range(&at("correlation"), m.correlation, lo, 0.999)?;
            in_range(&at("initial_price_usd"), m.initial_price_usd, 1e-6, 1e9)?;
            in_range(&at("days_per_year"), m.days_per_year, 0.0, 365.0)?;
        }
        let days: f64 = self.markets.values().map(|m| m.days_per_year).sum();
        if days > 365.0 {
            return Err(err(
                "markets",
                format!("days_per_year adds up to {days} over the regimes; allowed at most 365"),
            ));
        }
        Ok(())
    }

    /// `[[scenarios]]`, their attacks and their importance sampling.
    fn validate_scenarios(&self) -> Result<(), ConfigError> {
        if self.scenarios.is_empty() || self.scenarios.len() > 64 {
            return Err(err("scenarios", format!("{} scenarios; allowed 1 ..= 64", self.scenarios.len())));
        }
        for (i, s) in self.scenarios.iter().enumerate() {
            let at = |f: &str| format!("scenarios[{i}].{f}");
            if s.name.is_empty() || !s.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err(err(at("name"), "must be non-empty ASCII letters, digits, '_' or '-'"));
            }
            if self.scenarios[..i].iter().any(|o| o.name == s.name) {
                return Err(err(at("name"), format!("{:?} is used twice", s.name)));
            }
            if !self.markets.contains_key(&s.market) {
                let known: Vec<_> = self.markets.keys().cloned().collect();
                return Err(err(at("market"), format!("{:?} is not one of {known:?}", s.market)));
            }
            in_range(&at("attacks_per_year"), s.attacks_per_year, 0.0, 10_000.0)?;
            in_range(&at("importance_factor"), s.importance_factor, 1.0, 1e6)?;
            validate_attack(&s.attack, self.markets[&s.market].assets, &|f| at(&format!("attack.{f}")))?;
            let horizon_years = f64::from(self.run.horizon_hours) / (365.0 * 24.0);
            let expected = s.importance_factor * s.attacks_per_year * horizon_years;
            if expected > 2.0 {
                return Err(err(
                    at("importance_factor"),
                    format!(
                        "simulates {expected:.2} attacks per path; importance_factor × attacks_per_year × horizon must stay ≤ 2"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `[calibration]`: the knobs' grids and the constraints.
    fn validate_calibration(&self) -> Result<(), ConfigError> {
        let c = &self.calibration;
        nonempty_grid("calibration.hourly_share_bps", &c.hourly_share_bps, 1, 10_000)?;
        in_range("calibration.daily_multiple", c.daily_multiple, 1, 24)?;
        nonempty_grid("calibration.max_deviation_bps", &c.max_deviation_bps, 1, 10_000)?;
        nonempty_grid("calibration.throttle_hours", &c.throttle_hours, 0.001, 24.0 * 30.0)?;
        nonempty_grid("calibration.halt_hours", &c.halt_hours, 0.001, 24.0 * 30.0)?;
        nonempty_grid("calibration.inflow_decay_minutes", &c.inflow_decay_minutes, 0.0, 7.0 * 24.0 * 60.0)?;
        nonempty_grid("calibration.reference_smoothing_bps", &c.reference_smoothing_bps, 1, 10_000)?;
        nonempty_grid("calibration.critical_timelock_hours", &c.critical_timelock_hours, 0.0, 24.0 * 30.0)?;
        nonempty_grid("calibration.exit_cooldown_days", &c.exit_cooldown_days, 0.01, 365.0)?;
        in_range("calibration.max_false_trip_rate", c.max_false_trip_rate, 0.0, 1.0)?;
        in_range("calibration.stability_seeds", c.stability_seeds, 0, 10)?;
        in_range("calibration.max_annual_claims_share_of_fund", c.max_annual_claims_share_of_fund, 0.01, 1.0)?;
        Ok(())
    }

    /// `[deployment]` and `[units]`.
    fn validate_deployment(&self) -> Result<(), ConfigError> {
        let d = &self.deployment;
        if d.owners.is_empty() || d.owners.len() > 50 {
            return Err(err("deployment.owners", format!("{} owners; allowed 1 ..= 50", d.owners.len())));
        }
        for (i, o) in d.owners.iter().enumerate() {
            parse_account(&format!("deployment.owners[{i}]"), o)?;
        }
        in_range("deployment.threshold", d.threshold, 1, d.owners.len() as u32)?;
        for (i, v) in d.vetoers.iter().enumerate() {
            parse_account(&format!("deployment.vetoers[{i}]"), v)?;
        }
        in_range("deployment.standard_timelock_hours", d.standard_timelock_hours, 0.0, 24.0 * 90.0)?;
        in_range("deployment.membership_timelock_hours", d.membership_timelock_hours, 0.0, 24.0 * 90.0)?;
        in_range("deployment.policy_timelock_hours", d.policy_timelock_hours, 0.0, 24.0 * 90.0)?;
        in_range("deployment.execution_window_hours", d.execution_window_hours, 1.0, 24.0 * 90.0)?;
        in_range("deployment.throttle_bps", d.throttle_bps, 0, 9_999)?;
        in_range("deployment.price_staleness_minutes", d.price_staleness_minutes, 0.001, 7.0 * 24.0 * 60.0)?;
        in_range("deployment.hourly_floor_usd", d.hourly_floor_usd, 0.0, 1e12)?;
        in_range("deployment.min_escalating_limit_usd", d.min_escalating_limit_usd, 0.0, 1e12)?;
        in_range("deployment.reanchor_range_bps", d.reanchor_range_bps, 1, 9_999)?;
        in_range("deployment.exit_window_days", d.exit_window_days, 0.001, 365.0)?;
        in_range("deployment.min_capital_usd", d.min_capital_usd, 0.0, 1e12)?;
        in_range("deployment.claim_cap_usd", d.claim_cap_usd, 1.0, 1e12)?;
        in_range("deployment.standard_value_cap_usd", d.standard_value_cap_usd, 0.0, 1e12)?;
        in_range("deployment.critical_value_cap_usd", d.critical_value_cap_usd, 0.0, 1e12)?;
        in_range("deployment.min_bond_usd", d.min_bond_usd, 0.01, 1e12)?;
        in_range("deployment.bond_settle_hours", d.bond_settle_hours, 0.001, 24.0 * 90.0)?;
        if d.reinsurance_attachment_usd.is_some() != d.reinsurance_limit_usd.is_some() {
            return Err(err("deployment.reinsurance_limit_usd", "set both reinsurance fields or neither"));
        }
        if let Some(a) = d.reinsurance_attachment_usd {
            in_range("deployment.reinsurance_attachment_usd", a, 0.0, 1e12)?;
        }
        if let Some(l) = d.reinsurance_limit_usd {
            in_range("deployment.reinsurance_limit_usd", l, 0.01, 1e12)?;
        }
        // A claim the fund can never pay in full is a cap that promises too much.
        in_range("deployment.claim_cap_usd", d.claim_cap_usd, 1.0, self.protocol.fund_capital_usd)?;
        let assets_used = self.markets.values().map(|m| m.assets as usize).max().unwrap_or(1);
        self.units.validate("units", assets_used)?;
        Ok(())
    }
}

/// `market_assets`: how many assets the scenario's market has.
fn validate_attack(a: &AttackConfig, market_assets: u32, at: &dyn Fn(&str) -> String) -> Result<(), ConfigError> {
    match *a {
        AttackConfig::None => Ok(()),
        AttackConfig::OracleManipulation { push_factor, push_minutes, collateral_share, wait_hours } => {
            in_range(&at("push_factor"), push_factor, 1.001, 1_000.0)?;
            in_range(&at("push_minutes"), push_minutes, 1, 24 * 60)?;
            in_range(&at("collateral_share"), collateral_share, 0.0, 1.0)?;
            in_range(&at("wait_hours"), wait_hours, 0.0, 24.0 * 30.0)
        }
        AttackConfig::FlashLoanDrain { loan_share, drain_share, chunks, assets } => {
            in_range(&at("loan_share"), loan_share, 0.0, 100.0)?;
            in_range(&at("drain_share"), drain_share, 0.0, 1.0)?;
            in_range(&at("chunks"), chunks, 1, 1_000)?;
            in_range(&at("assets"), assets, 1, market_assets)
        }
        AttackConfig::KeyCompromise { key_compromise_prob, common_cause_prob, drain_share } => {
            in_range(&at("key_compromise_prob"), key_compromise_prob, 0.0, 1.0)?;
            in_range(&at("common_cause_prob"), common_cause_prob, 0.0, 1.0)?;
            in_range(&at("drain_share"), drain_share, 0.0, 1.0)
        }
        AttackConfig::BankRun { loss_share_of_fund, run_share, news_delay_hours, claim_delay_hours } => {
            in_range(&at("loss_share_of_fund"), loss_share_of_fund, 0.0, 100.0)?;
            in_range(&at("run_share"), run_share, 0.0, 1.0)?;
            in_range(&at("news_delay_hours"), news_delay_hours, 0.0, 24.0 * 365.0)?;
            in_range(&at("claim_delay_hours"), claim_delay_hours, 0.0, 24.0 * 365.0)
        }
        AttackConfig::Griefing { position_share, attempts, bonded_trips } => {
            in_range(&at("position_share"), position_share, 0.0, 1.0)?;
            in_range(&at("attempts"), attempts, 1, 10_000)?;
            in_range(&at("bonded_trips"), bonded_trips, 0, 1_000)
        }
        AttackConfig::BridgeExploit { drain_share, burst_minutes } => {
            in_range(&at("drain_share"), drain_share, 0.0, 1.0)?;
            in_range(&at("burst_minutes"), burst_minutes, 1, 24 * 60)
        }
    }
}

impl Config {
    /// Steps per path.
    pub fn steps(&self) -> u32 {
        self.run.horizon_hours * 60 / self.run.step_minutes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(text: &str) -> String {
        let e = Config::from_toml(text).expect_err("must be rejected");
        let c = e.downcast_ref::<ConfigError>().unwrap_or_else(|| panic!("not a ConfigError: {e}"));
        c.path.clone()
    }

    fn edited(edit: impl FnOnce(&mut Config)) -> String {
        let mut c = Config::default();
        edit(&mut c);
        c.to_toml()
    }

    #[test]
    fn default_config_is_valid_and_round_trips_through_toml() {
        let c = Config::default();
        c.validate().unwrap();
        assert_eq!(Config::from_toml(&c.to_toml()).unwrap(), c);
    }

    #[test]
    fn a_partial_config_is_layered_on_the_defaults() {
        let c = Config::from_partial_toml("[run]\npaths = 20000\n[markets.calm]\nannual_vol = 0.5\n").unwrap();
        let mut expected = Config::default();
        expected.run.paths = 20_000;
        expected.markets.get_mut("calm").unwrap().annual_vol = 0.5;
        assert_eq!(c, expected);
        assert_eq!(Config::from_partial_toml("").unwrap(), Config::default());
        let e = Config::from_partial_toml("[run]\npathz = 5\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `pathz`"), "{e}");
    }

    #[test]
    fn nonsense_is_refused_not_rounded() {
        assert_eq!(
            path_of(&edited(|c| c.deployment.standard_timelock_hours = -5.0)),
            "deployment.standard_timelock_hours"
        );
        assert_eq!(
            path_of(&edited(|c| c.deployment.reinsurance_attachment_usd = Some(f64::NAN))),
            "deployment.reinsurance_attachment_usd"
        );
        assert_eq!(
            path_of(&edited(|c| c.markets.get_mut("calm").unwrap().days_per_year = 366.0)),
            "markets.calm.days_per_year"
        );
        assert_eq!(
            path_of(&edited(|c| {
                let m = c.markets.get_mut("calm").unwrap();
                m.days_per_year += 10.0;
            })),
            "markets"
        );
        assert_eq!(
            path_of(&edited(|c| c.deployment.claim_cap_usd = 2.0 * c.protocol.fund_capital_usd)),
            "deployment.claim_cap_usd"
        );
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let text = Config::default().to_toml().replace("[run]\n", "[run]\npathz = 5\n");
        let e = Config::from_toml(&text).unwrap_err().to_string();
        assert!(e.contains("unknown field `pathz`"), "{e}");
    }

    #[test]
    fn bad_values_name_their_field_and_range() {
        assert_eq!(path_of(&edited(|c| c.run.paths = 10)), "run.paths");
        assert_eq!(path_of(&edited(|c| c.run.step_minutes = 7)), "run.step_minutes");
        assert_eq!(
            path_of(&edited(|c| c.markets.get_mut("calm").unwrap().annual_vol = 9.0)),
            "markets.calm.annual_vol"
        );
        assert_eq!(
            path_of(&edited(|c| c.markets.get_mut("calm").unwrap().annual_vol = f64::NAN)),
            "markets.calm.annual_vol"
        );
        assert_eq!(path_of(&edited(|c| c.scenarios[3].market = "moon".into())), "scenarios[3].market");
        assert_eq!(path_of(&edited(|c| c.scenarios[1].name = c.scenarios[0].name.clone())), "scenarios[1].name");
        assert_eq!(path_of(&edited(|c| c.scenarios[4].importance_factor = 1e5)), "scenarios[4].importance_factor");
        assert_eq!(
            path_of(&edited(|c| c.scenarios[4].attack =
                AttackConfig::FlashLoanDrain { loan_share: 1.0, drain_share: 2.0, chunks: 1, assets: 1 })),
            "scenarios[4].attack.drain_share"
        );
        assert_eq!(
            path_of(&edited(|c| c.calibration.hourly_share_bps = vec![100, 50])),
            "calibration.hourly_share_bps"
        );
        assert_eq!(path_of(&edited(|c| c.calibration.max_deviation_bps = vec![])), "calibration.max_deviation_bps");
        assert_eq!(path_of(&edited(|c| c.deployment.owners[1] = "0x1234".into())), "deployment.owners[1]");
        assert_eq!(path_of(&edited(|c| c.deployment.threshold = 4)), "deployment.threshold");
        // A key that moved from deployment to the search says where it went.
        let e = Config::from_partial_toml("[deployment]\nthrottle_hours = 2.0\n").unwrap_err().to_string();
        assert!(e.contains("deployment.throttle_hours") && e.contains("calibration.throttle_hours = [...]"), "{e}");
        assert_eq!(path_of(&edited(|c| c.calibration.throttle_hours = vec![0.0])), "calibration.throttle_hours[0]");
        assert_eq!(
            path_of(&edited(|c| c.calibration.reference_smoothing_bps = vec![100, 20_000])),
            "calibration.reference_smoothing_bps[1]"
        );
        let e = Config::from_toml(&edited(|c| c.run.paths = 10)).unwrap_err().to_string();
        assert!(e.contains("allowed 1000 ..= 10000000"), "{e}");
    }

    /// The commented template states the defaults: layered on them it
    /// changes nothing, so it cannot drift from them unnoticed.
    #[test]
    fn the_commented_template_is_the_default_config() {
        let text = include_str!("../config.example.toml");
        assert_eq!(Config::from_partial_toml(text).unwrap(), Config::default());
        // Its commented-out scenario is a valid one.
        let scenario: String = text
            .lines()
            .skip_while(|l| !l.starts_with("# [[scenarios]]"))
            .map(|l| l.trim_start_matches("# ").trim_start_matches('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let custom = Config::from_partial_toml(&scenario).unwrap();
        assert_eq!(custom.scenarios.len(), 1);
    }
}

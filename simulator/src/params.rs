//! From config and calibrated knobs to the contracts' constructor structs,
//! and the unit conventions the simulator uses with bulwark-core.
//!
//! Units: value is micro-USD (1 USD = 10^6 value units); one token is 10^6
//! base units; core prices are value units per base unit × `PRICE_SCALE`, so
//! a USD price `p` is `p × 10^9`. Times are milliseconds.

use crate::config::{parse_account, CalibrationConfig, Config, ConfigError};
use bulwark_core::breaker::{BreakerParams, LimiterParams, PriceBandParams, WindowParams, PRICE_SCALE};
use bulwark_core::fund::{FundParams, ReinsuranceLayer};
use bulwark_core::multisig::{GuardPolicy, MultisigParams, Timelocks, VetoParams};
use bulwark_core::Balance;
use serde::{Deserialize, Serialize};

pub const VALUE_PER_USD: f64 = 1e6;
pub const UNITS_PER_TOKEN: f64 = 1e6;
pub const HOUR_MS: u64 = 3_600_000;

pub fn usd_to_value(usd: f64) -> Balance {
    (usd * VALUE_PER_USD).round().max(0.0) as Balance
}
pub fn value_to_usd(v: Balance) -> f64 {
    v as f64 / VALUE_PER_USD
}
/// Core price for a USD price per token.
pub fn core_price(usd_per_token: f64) -> Balance {
    (usd_per_token * VALUE_PER_USD / UNITS_PER_TOKEN * PRICE_SCALE as f64).round().max(1.0) as Balance
}
/// Base units worth `usd` at `usd_per_token`.
pub fn tokens_for_usd(usd: f64, usd_per_token: f64) -> Balance {
    (usd / usd_per_token * UNITS_PER_TOKEN).round().max(0.0) as Balance
}
/// The bonded-trip policy the deployment sets (a circuit_breaker role).
pub fn bond_policy(cfg: &Config) -> bulwark_core::breaker::BondPolicy {
    bulwark_core::breaker::BondPolicy {
        min_bond: usd_to_value(cfg.deployment.min_bond_usd),
        settle_within_ms: hours_to_ms(cfg.deployment.bond_settle_hours),
    }
}

pub fn hours_to_ms(h: f64) -> u64 {
    (h * HOUR_MS as f64).round() as u64
}

/// The calibrated knobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Knobs {
    pub hourly_share_bps: u32,
    pub max_deviation_bps: u32,
    pub critical_timelock_hours: f64,
    pub exit_cooldown_days: f64,
}

impl Knobs {
    /// The first candidate of every grid.
    pub fn first(c: &CalibrationConfig) -> Self {
        Self {
            hourly_share_bps: c.hourly_share_bps[0],
            max_deviation_bps: c.max_deviation_bps[0],
            critical_timelock_hours: c.critical_timelock_hours[0],
            exit_cooldown_days: c.exit_cooldown_days[0],
        }
    }
    /// The last candidate of every grid.
    pub fn last(c: &CalibrationConfig) -> Self {
        fn last<T: Copy>(v: &[T]) -> T {
            v[v.len() - 1]
        }
        Self {
            hourly_share_bps: last(&c.hourly_share_bps),
            max_deviation_bps: last(&c.max_deviation_bps),
            critical_timelock_hours: last(&c.critical_timelock_hours),
            exit_cooldown_days: last(&c.exit_cooldown_days),
        }
    }
    /// The middle candidate of every grid: where the search starts.
    pub fn middle(c: &CalibrationConfig) -> Self {
        fn mid<T: Copy>(v: &[T]) -> T {
            v[v.len() / 2]
        }
        Self {
            hourly_share_bps: mid(&c.hourly_share_bps),
            max_deviation_bps: mid(&c.max_deviation_bps),
            critical_timelock_hours: mid(&c.critical_timelock_hours),
            exit_cooldown_days: mid(&c.exit_cooldown_days),
        }
    }
}

/// Exactly the three contracts' constructor parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractParams {
    pub circuit_breaker: BreakerParams,
    pub multisig_guard: MultisigParams,
    pub insurance_fund: FundParams,
}

fn core_err(section: &str, e: bulwark_core::ParamError) -> ConfigError {
    ConfigError {
        path: format!("{section}.{}", e.field()),
        message: format!(
            "must be {} (built from `deployment` and `calibration`; bulwark-core refused it)",
            e.allowed()
        ),
    }
}

/// Builds and validates (through bulwark-core) the params for `knobs`.
pub fn build(cfg: &Config, knobs: &Knobs) -> Result<ContractParams, ConfigError> {
    let d = &cfg.deployment;
    let daily_bps = knobs.hourly_share_bps.saturating_mul(cfg.calibration.daily_multiple).min(10_000);
    let breaker = BreakerParams {
        limiter: LimiterParams {
            windows: vec![
                WindowParams {
                    length_ms: HOUR_MS,
                    max_bps_of_tvl: knobs.hourly_share_bps,
                    floor: usd_to_value(d.hourly_floor_usd),
                },
                WindowParams {
                    length_ms: 24 * HOUR_MS,
                    max_bps_of_tvl: daily_bps,
                    floor: usd_to_value(d.hourly_floor_usd * f64::from(cfg.calibration.daily_multiple)),
                },
            ],
            inflow_decay_ms: hours_to_ms(d.inflow_decay_minutes / 60.0),
        },
        price: PriceBandParams {
            max_deviation_bps: knobs.max_deviation_bps,
            max_staleness_ms: hours_to_ms(d.price_staleness_minutes / 60.0),
            reference_smoothing_bps: d.reference_smoothing_bps,
        },
        throttle_bps: d.throttle_bps,
        throttle_ms: hours_to_ms(d.throttle_hours),
        halt_ms: hours_to_ms(d.halt_hours),
    };
    breaker.validate().map_err(|e| core_err("circuit_breaker", e))?;

    let accounts = |list: &[String], field: &str| -> Result<Vec<[u8; 32]>, ConfigError> {
        list.iter().enumerate().map(|(i, s)| parse_account(&format!("deployment.{field}[{i}]"), s)).collect()
    };
    let multisig = MultisigParams {
        owners: accounts(&d.owners, "owners")?,
        threshold: d.threshold,
        timelocks: Timelocks {
            standard_ms: hours_to_ms(d.standard_timelock_hours),
            critical_ms: hours_to_ms(knobs.critical_timelock_hours),
            membership_ms: hours_to_ms(d.membership_timelock_hours),
            policy_ms: hours_to_ms(d.policy_timelock_hours),
        },
        execution_window_ms: hours_to_ms(d.execution_window_hours),
        veto: VetoParams {
            vetoers: accounts(&d.vetoers, "vetoers")?,
            base_threshold: d.veto_base_threshold,
            max_threshold: d.veto_max_threshold,
        },
        // The deploy script fills the allow-list with the deployed addresses.
        guard: Some(GuardPolicy {
            allow_list: Vec::new(),
            standard_value_cap: usd_to_value(d.standard_value_cap_usd),
            critical_value_cap: usd_to_value(d.critical_value_cap_usd),
        }),
    };
    multisig.validate().map_err(|e| core_err("multisig_guard", e))?;

    let fund = FundParams {
        virtual_shares: 1_000_000,
        exit_cooldown_ms: hours_to_ms(knobs.exit_cooldown_days * 24.0),
        exit_window_ms: hours_to_ms(d.exit_window_days * 24.0),
        solvency_target_bps: d.solvency_target_bps,
        min_capital: usd_to_value(d.min_capital_usd),
        claim_cap_per_event: usd_to_value(d.claim_cap_usd),
        reinsurance: match (d.reinsurance_attachment_usd, d.reinsurance_limit_usd) {
            (Some(a), Some(l)) => Some(ReinsuranceLayer { attachment: usd_to_value(a), limit: usd_to_value(l) }),
            _ => None,
        },
    };
    fund.validate().map_err(|e| core_err("insurance_fund", e))?;
    Ok(ContractParams { circuit_breaker: breaker, multisig_guard: multisig, insurance_fund: fund })
}

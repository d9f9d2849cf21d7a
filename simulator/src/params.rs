//! From config and calibrated knobs to the contracts' constructor structs
//! and the deployment's roles and registrations, in the chain's units (see
//! [`crate::units`], the one place that converts). Times are milliseconds.

use crate::config::{parse_account, CalibrationConfig, Config, ConfigError};
use crate::units::ChainUnits;
use bulwark_core::breaker::{AssetUnits, BondPolicy, BreakerParams, LimiterParams, PriceBandParams, WindowParams};
use bulwark_core::fund::{FundParams, ReinsuranceLayer};
use bulwark_core::multisig::{GuardPolicy, MultisigParams, Timelocks, VetoParams};
use bulwark_core::{AssetId, Balance};
use serde::{Deserialize, Serialize};

pub const HOUR_MS: u64 = 3_600_000;

/// Substrate's well-known development accounts (sr25519 keys of the public
/// dev phrase, with their `//stash` accounts). Their secrets are public, so
/// anyone can sign as them: on a live chain an account among them in any
/// role is an open door. The built-in config uses them so that the default
/// params.json deploys unchanged to a dev chain or the e2e sandbox; the
/// deploy tool refuses them on any other chain.
pub const DEV_ACCOUNTS: [(&str, &str); 12] = [
    ("//Alice", "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"),
    ("//Alice//stash", "0xbe5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f"),
    ("//Bob", "0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"),
    ("//Bob//stash", "0xfe65717dad0447d715f660a0a58411de509b42e6efb8375f562f58a554d5860e"),
    ("//Charlie", "0x90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22"),
    ("//Charlie//stash", "0x1e07379407fecc4b89eb7dbd287c2c781cfb1907a96947a3eb18e4f8e7198625"),
    ("//Dave", "0x306721211d5404bd9da88e0204360a1a9ab8b87c66c1bc2fcdd37f3c2222cc20"),
    ("//Dave//stash", "0xe860f1b1c7227f7c22602f53f15af80747814dffd839719731ee3bba6edc126c"),
    ("//Eve", "0xe659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e"),
    ("//Eve//stash", "0x8ac59e11963af19174d0b94d5d78041c233f55d2e19324665bafdfb62925af2d"),
    ("//Ferdie", "0x1cbd2d43530a44705ad088af313e18f80b53ef16b36177cd4b77b846f2a5f07c"),
    ("//Ferdie//stash", "0x101191192fc877c24d725b337120fa3edc63d227bbc92705db1e2cb65f56981a"),
];

/// The dev URI whose public key `account` is, if it is one of [`DEV_ACCOUNTS`].
pub fn dev_account_uri(account: &[u8; 32]) -> Option<&'static str> {
    DEV_ACCOUNTS
        .iter()
        .find(|(_, key)| bulwark_core::hex::parse::<32>(key).as_ref() == Some(account))
        .map(|(uri, _)| *uri)
}

pub fn hours_to_ms(h: f64) -> u64 {
    (h * HOUR_MS as f64).round() as u64
}

/// The calibrated knobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Knobs {
    pub hourly_share_bps: u32,
    pub max_deviation_bps: u32,
    pub throttle_hours: f64,
    pub halt_hours: f64,
    pub inflow_decay_minutes: f64,
    pub reference_smoothing_bps: u32,
    pub critical_timelock_hours: f64,
    pub exit_cooldown_days: f64,
}

impl Knobs {
    /// The first candidate of every grid.
    pub fn first(c: &CalibrationConfig) -> Self {
        Self {
            hourly_share_bps: c.hourly_share_bps[0],
            max_deviation_bps: c.max_deviation_bps[0],
            throttle_hours: c.throttle_hours[0],
            halt_hours: c.halt_hours[0],
            inflow_decay_minutes: c.inflow_decay_minutes[0],
            reference_smoothing_bps: c.reference_smoothing_bps[0],
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
            throttle_hours: last(&c.throttle_hours),
            halt_hours: last(&c.halt_hours),
            inflow_decay_minutes: last(&c.inflow_decay_minutes),
            reference_smoothing_bps: last(&c.reference_smoothing_bps),
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
            throttle_hours: mid(&c.throttle_hours),
            halt_hours: mid(&c.halt_hours),
            inflow_decay_minutes: mid(&c.inflow_decay_minutes),
            reference_smoothing_bps: mid(&c.reference_smoothing_bps),
            critical_timelock_hours: mid(&c.critical_timelock_hours),
            exit_cooldown_days: mid(&c.exit_cooldown_days),
        }
    }
}

/// The three contracts' constructor parameters, the deployment around them
/// and the units every amount is written in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractParams {
    pub circuit_breaker: BreakerParams,
    pub multisig_guard: MultisigParams,
    pub insurance_fund: FundParams,
    pub deployment: Deployment,
    pub units: ChainUnits,
}

/// A 32-byte account, written as 0x-prefixed hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account(#[serde(with = "bulwark_core::hex::array")] pub [u8; 32]);

/// What a deployment needs beyond the constructor params: the roles that
/// are not the deployed contracts themselves, the bonded-trip policy and
/// the asset registrations. Amounts in chain units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// Reports prices to the breaker.
    pub oracle: Account,
    /// May pause and trip the breaker.
    pub guardians: Vec<Account>,
    /// The protected protocol: calls `check_outflow`, and files claims.
    pub protected: Account,
    /// The insurance_fund that takes ceded losses (needed with a reinsurance layer).
    pub reinsurer: Option<Account>,
    /// The breaker's bonded-trip policy (min_bond in native base units).
    pub bond: BondPolicy,
    /// The cover the insurance_fund backs from the start (native base
    /// units): the simulation's `protocol.active_cover_usd`, which sets the
    /// capital the fund must keep. The deploy tool sets it before handing
    /// over admin, and verifies it.
    pub active_cover: Balance,
    /// `register_asset` calls, in order.
    pub assets: Vec<AssetRegistration>,
}

/// One `register_asset(id, units, initial_tvl, price)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetRegistration {
    pub id: AssetId,
    pub units: AssetUnits,
    /// Base units the protocol holds at deployment.
    pub initial_tvl: Balance,
    /// The oracle's price at deployment, in its own scale.
    pub price: Balance,
}

impl ContractParams {
    /// Every role that one of Substrate's public development accounts holds,
    /// as `path (uri)`: empty for a deployment fit for a live chain.
    pub fn dev_accounts(&self) -> Vec<String> {
        let d = &self.deployment;
        let m = &self.multisig_guard;
        let mut roles: Vec<(String, [u8; 32])> = Vec::new();
        roles.extend(m.owners.iter().enumerate().map(|(i, a)| (format!("multisig_guard.owners[{i}]"), *a)));
        roles.extend(m.veto.vetoers.iter().enumerate().map(|(i, a)| (format!("multisig_guard.veto.vetoers[{i}]"), *a)));
        roles.push(("deployment.oracle".into(), d.oracle.0));
        roles.extend(d.guardians.iter().enumerate().map(|(i, a)| (format!("deployment.guardians[{i}]"), a.0)));
        roles.push(("deployment.protected".into(), d.protected.0));
        roles.extend(d.reinsurer.iter().map(|a| ("deployment.reinsurer".to_string(), a.0)));
        roles.into_iter().filter_map(|(path, a)| dev_account_uri(&a).map(|uri| format!("{path} ({uri})"))).collect()
    }

    /// Validates everything through bulwark-core, naming the offending
    /// field by its path in params.json.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.circuit_breaker.validate().map_err(|e| core_err("circuit_breaker", e))?;
        self.multisig_guard.validate().map_err(|e| core_err("multisig_guard", e))?;
        self.insurance_fund.validate().map_err(|e| core_err("insurance_fund", e))?;
        bulwark_core::fund::validate_ceding(
            self.insurance_fund.reinsurance.as_ref(),
            self.deployment.reinsurer.is_some(),
        )
        .map_err(|e| core_err("insurance_fund", e))?;
        let d = &self.deployment;
        d.bond
            .validate_with_admin_timelock(self.multisig_guard.timelocks.critical_ms)
            .map_err(|e| core_err("deployment", e))?;
        self.units.validate("units", 0)?;
        // Registering each asset on a core breaker checks its units and price.
        let breaker = bulwark_core::breaker::CircuitBreaker::new(self.circuit_breaker.clone())
            .map_err(|e| ConfigError { path: "circuit_breaker".into(), message: format!("{e:?}") })?;
        for (i, a) in d.assets.iter().enumerate() {
            if d.assets[..i].iter().any(|o| o.id == a.id) {
                return Err(ConfigError {
                    path: format!("deployment.assets[{i}].id"),
                    message: format!("{} is registered twice", a.id),
                });
            }
            let mut flow = breaker.new_asset(a.units, a.initial_tvl).map_err(|e| ConfigError {
                path: format!("deployment.assets[{i}].units"),
                message: format!(
                    "bulwark-core refused them: {e:?}; allowed {}",
                    bulwark_core::ParamError::AssetUnits.allowed()
                ),
            })?;
            breaker.clone().anchor_price(&mut flow, a.price, 0).map_err(|e| ConfigError {
                path: format!("deployment.assets[{i}].price"),
                message: format!("bulwark-core refused it: {e:?}; allowed > 0"),
            })?;
        }
        Ok(())
    }
}

fn core_err(section: &str, e: bulwark_core::ParamError) -> ConfigError {
    ConfigError {
        path: format!("{section}.{}", e.field()),
        message: format!("must be {} (bulwark-core refused it)", e.allowed()),
    }
}

/// The config key a user sets for each params field bulwark-core checks,
/// so that a refusal names what the user wrote, not the built struct.
const CONFIG_KEYS: &[(&str, &str, &str)] = &[
    (
        "circuit_breaker.limiter.windows[].max_bps_of_tvl",
        "calibration.hourly_share_bps",
        "; the 24 h window's is it × calibration.daily_multiple",
    ),
    ("circuit_breaker.limiter.windows[]", "calibration.hourly_share_bps", "; or deployment.hourly_floor_usd"),
    ("circuit_breaker.limiter.inflow_decay_ms", "calibration.inflow_decay_minutes", ""),
    ("circuit_breaker.price.max_deviation_bps", "calibration.max_deviation_bps", ""),
    ("circuit_breaker.price.max_staleness_ms", "deployment.price_staleness_minutes", ""),
    ("circuit_breaker.price.reference_smoothing_bps", "calibration.reference_smoothing_bps", ""),
    ("circuit_breaker.throttle_bps", "deployment.throttle_bps", ""),
    ("circuit_breaker.throttle_ms", "calibration.throttle_hours", ""),
    ("circuit_breaker.halt_ms", "calibration.halt_hours", ""),
    ("multisig_guard.owners", "deployment.owners", ""),
    ("multisig_guard.threshold", "deployment.threshold", ""),
    ("multisig_guard.veto.vetoers", "deployment.vetoers", ""),
    ("multisig_guard.veto.base_threshold", "deployment.veto_base_threshold", "; with deployment.veto_max_threshold"),
    (
        "multisig_guard.timelocks.policy_ms",
        "deployment.policy_timelock_hours",
        "; against every calibration.critical_timelock_hours candidate",
    ),
    ("multisig_guard.timelocks.membership_ms", "deployment.membership_timelock_hours", ""),
    (
        "multisig_guard.timelocks.critical_ms",
        "calibration.critical_timelock_hours",
        "; every candidate at least deployment.standard_timelock_hours",
    ),
    ("multisig_guard.execution_window_ms", "deployment.execution_window_hours", ""),
    ("insurance_fund.exit_cooldown_ms", "calibration.exit_cooldown_days", ""),
    ("insurance_fund.exit_window_ms", "deployment.exit_window_days", ""),
    ("insurance_fund.solvency_target_bps", "deployment.solvency_target_bps", ""),
    ("insurance_fund.claim_cap_per_event", "deployment.claim_cap_usd", ""),
    (
        "insurance_fund.reinsurance",
        "deployment.reinsurance_limit_usd",
        "; with deployment.reinsurance_attachment_usd and deployment.reinsurer",
    ),
    ("deployment.bond.min_bond", "deployment.min_bond_usd", ""),
    (
        "deployment.bond.settle_within_ms",
        "deployment.bond_settle_hours",
        "; against every calibration.critical_timelock_hours candidate",
    ),
];

/// Restates a refusal of the built params in the config's own keys.
fn in_config_keys(e: ConfigError) -> ConfigError {
    match CONFIG_KEYS.iter().find(|(built, ..)| *built == e.path) {
        Some((built, key, note)) => {
            ConfigError { path: (*key).into(), message: format!("{} (as {built}{note})", e.message) }
        }
        None => e,
    }
}

/// A config bulwark-sim can run: every field in range
/// ([`Config::validate`]), and the params built at both ends of every grid
/// accepted by bulwark-core (timelock order, veto thresholds, ...), so a
/// combination core refuses is an error before any work.
pub fn check_config(cfg: &Config) -> Result<(), ConfigError> {
    cfg.validate()?;
    build(cfg, &Knobs::first(&cfg.calibration))?;
    build(cfg, &Knobs::last(&cfg.calibration)).map(|_| ())
}

/// Builds and validates (through bulwark-core) the params for `knobs`. A
/// refusal names the config key the user wrote.
pub fn build(cfg: &Config, knobs: &Knobs) -> Result<ContractParams, ConfigError> {
    build_params(cfg, knobs).map_err(in_config_keys)
}

fn build_params(cfg: &Config, knobs: &Knobs) -> Result<ContractParams, ConfigError> {
    let d = &cfg.deployment;
    let u = &cfg.units;
    let daily_bps = knobs.hourly_share_bps.saturating_mul(cfg.calibration.daily_multiple).min(10_000);
    let breaker = BreakerParams {
        limiter: LimiterParams {
            windows: vec![
                WindowParams {
                    length_ms: HOUR_MS,
                    max_bps_of_tvl: knobs.hourly_share_bps,
                    floor: u.value(d.hourly_floor_usd),
                },
                WindowParams {
                    length_ms: 24 * HOUR_MS,
                    max_bps_of_tvl: daily_bps,
                    floor: u.value(d.hourly_floor_usd * f64::from(cfg.calibration.daily_multiple)),
                },
            ],
            inflow_decay_ms: hours_to_ms(knobs.inflow_decay_minutes / 60.0),
        },
        price: PriceBandParams {
            max_deviation_bps: knobs.max_deviation_bps,
            max_staleness_ms: hours_to_ms(d.price_staleness_minutes / 60.0),
            reference_smoothing_bps: knobs.reference_smoothing_bps,
        },
        throttle_bps: d.throttle_bps,
        throttle_ms: hours_to_ms(knobs.throttle_hours),
        halt_ms: hours_to_ms(knobs.halt_hours),
        min_escalating_limit: u.value(d.min_escalating_limit_usd),
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
            standard_value_cap: u.native(d.standard_value_cap_usd),
            critical_value_cap: u.native(d.critical_value_cap_usd),
        }),
    };
    multisig.validate().map_err(|e| core_err("multisig_guard", e))?;

    let fund = FundParams {
        virtual_shares: 1_000_000,
        exit_cooldown_ms: hours_to_ms(knobs.exit_cooldown_days * 24.0),
        exit_window_ms: hours_to_ms(d.exit_window_days * 24.0),
        solvency_target_bps: d.solvency_target_bps,
        min_capital: u.native(d.min_capital_usd),
        claim_cap_per_event: u.native(d.claim_cap_usd),
        reinsurance: match (d.reinsurance_attachment_usd, d.reinsurance_limit_usd) {
            (Some(a), Some(l)) => Some(ReinsuranceLayer { attachment: u.native(a), limit: u.native(l) }),
            _ => None,
        },
    };
    fund.validate().map_err(|e| core_err("insurance_fund", e))?;

    let account = |field: String, s: &str| parse_account(&field, s).map(Account);
    let guardians = d.guardians.iter().enumerate().map(|(i, g)| account(format!("deployment.guardians[{i}]"), g));
    let per_asset = cfg.protocol.tvl_usd / u.assets.len() as f64;
    let deployment = Deployment {
        oracle: account("deployment.oracle".into(), &d.oracle)?,
        guardians: guardians.collect::<Result<_, _>>()?,
        protected: account("deployment.protected".into(), &d.protected)?,
        reinsurer: d.reinsurer.as_deref().map(|r| account("deployment.reinsurer".into(), r)).transpose()?,
        bond: BondPolicy { min_bond: u.native(d.min_bond_usd), settle_within_ms: hours_to_ms(d.bond_settle_hours) },
        active_cover: u.native(cfg.protocol.active_cover_usd),
        assets: u
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| AssetRegistration {
                id: a.id,
                units: a.units(),
                initial_tvl: u.tokens(i, per_asset, a.usd_price),
                price: u.price(i, a.usd_price),
            })
            .collect(),
    };
    let params = ContractParams {
        circuit_breaker: breaker,
        multisig_guard: multisig,
        insurance_fund: fund,
        deployment,
        units: u.clone(),
    };
    params.validate()?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field named by bulwark-core's refusal of the default config
    /// after `edit`, whose fields are each in range.
    fn refused_at(edit: impl FnOnce(&mut Config)) -> String {
        let mut c = Config::default();
        edit(&mut c);
        c.validate().expect("every field in its own range");
        check_config(&c).expect_err("bulwark-core refuses it").path
    }

    /// Rules only bulwark-core knows, checked on the params built at the
    /// grids' ends; its refusals name the key the user wrote, not the
    /// built struct.
    #[test]
    fn core_refusals_name_the_users_key() {
        check_config(&Config::default()).unwrap();
        // The policy timelock must be the longest.
        assert_eq!(
            refused_at(|c| c.calibration.critical_timelock_hours = vec![24.0, 200.0]),
            "deployment.policy_timelock_hours"
        );
        assert_eq!(refused_at(|c| c.deployment.bond_settle_hours = 48.0), "deployment.bond_settle_hours");
        assert_eq!(refused_at(|c| c.deployment.veto_max_threshold = 2), "deployment.veto_base_threshold");
    }
}

//! The built-in configuration: market regimes anchored on real stress, one
//! scenario per attack in the library, and a deployment for a protocol with
//! $100M TVL and a $10M insurance fund. `calibrate --print-default-config`
//! prints it as TOML for users to start from.

use crate::config::*;
use crate::params::DEV_ACCOUNTS;
use crate::units::{AssetToken, ChainUnits, NativeToken};
use std::collections::BTreeMap;

// Substrate's well-known development accounts, so the default params.json
// deploys unchanged to a dev chain or the e2e sandbox (and nowhere else: the
// deploy tool refuses them on a live chain).
const ALICE: &str = DEV_ACCOUNTS[0].1;
const BOB: &str = DEV_ACCOUNTS[2].1;
const CHARLIE: &str = DEV_ACCOUNTS[4].1;
const DAVE: &str = DEV_ACCOUNTS[6].1;
const EVE: &str = DEV_ACCOUNTS[8].1;
const FERDIE: &str = DEV_ACCOUNTS[10].1;

/// The default chain units: the contracts node's native token (12
/// decimals, priced at $1 here: set its real price) and two ETH-like assets,
/// one with 18 decimals on an 8-decimal feed and one with 10 decimals on an
/// 18-decimal feed, to exercise both ends of the scales.
pub fn chain_units() -> ChainUnits {
    ChainUnits {
        native: NativeToken { symbol: "UNIT".into(), decimals: 12, usd_price: 1.0 },
        assets: vec![
            AssetToken { id: 1, symbol: "ETH".into(), decimals: 18, price_decimals: 8, usd_price: 3_000.0 },
            AssetToken { id: 2, symbol: "WETH10".into(), decimals: 10, price_decimals: 18, usd_price: 3_000.0 },
        ],
    }
}

/// A lending protocol's usual loan-to-value for a major asset (Aave's ETH: 80%).
pub fn collateral_factor() -> f64 {
    0.8
}

/// How long a ready oracle attacker waits for its moment: a day.
pub fn oracle_wait_hours() -> f64 {
    24.0
}

/// Assets a flash-loan drain reaches when the config does not say: the
/// attacked one only (Euler's bug reached four, which the default scenario
/// models by reaching every asset of its market).
pub fn drained_assets() -> u32 {
    1
}

/// Share of a lending protocol's deposits that is borrowed (Aave v3's ETH
/// market runs at 50–80% utilization).
pub fn borrowed_share() -> f64 {
    0.5
}

/// Detection delays of the incidents in `shared/ANCHORS.md` that were
/// attacks, from their public post-mortems: hours from the first malicious
/// transaction to the protocol's public response. Ronin's six days and
/// Radiant's 18-minute drain are on record; the others are rounded to the
/// half hour or hour the post-mortems give, and are approximate. Users
/// replace them with their own incident base.
pub fn detection() -> DetectionConfig {
    let incident = |name: &str, hours: f64| DetectionIncident { name: name.into(), hours };
    DetectionConfig {
        incidents: vec![
            incident("Mango Markets, Oct 2022: ~10 min price push, response within the hour", 0.5),
            incident("Euler, Mar 2023: flash-loan drain, paused within about an hour", 1.0),
            incident("Ronin bridge, Mar 2022: found six days later, when a user could not withdraw", 144.0),
            incident("Harmony Horizon, Jun 2022: keys used, bridge halted a few hours later", 3.0),
            incident("Radiant, Oct 2024: 3 of 11 signers, drained in 18 minutes", 0.3),
            incident("Bybit, Feb 2025: swapped implementation, announced within about half an hour", 0.5),
        ],
        max_days: 14.0,
    }
}

/// The search races its candidates.
pub fn race() -> bool {
    true
}

/// The choice is polished again on two further seeds.
pub fn stability_seeds() -> u32 {
    2
}

pub fn oracle() -> String {
    FERDIE.into()
}
pub fn guardians() -> Vec<String> {
    vec![EVE.into()]
}
pub fn protected() -> String {
    DAVE.into()
}
/// A stand-in account: on a real deployment, the reinsurer's insurance_fund.
pub fn reinsurer() -> Option<String> {
    Some(CHARLIE.into())
}

fn market(description: &str, annual_vol: f64, jumps: (f64, f64, f64), df: Option<f64>, days: f64) -> MarketModel {
    MarketModel {
        description: description.into(),
        annual_vol,
        annual_drift: 0.0,
        jumps_per_year: jumps.0,
        jump_mean: jumps.1,
        jump_sd: jumps.2,
        student_t_df: df,
        assets: 2,
        correlation: 0.7,
        initial_price_usd: 3_000.0,
        days_per_year: days,
    }
}

fn scenario(
    name: &str,
    description: &str,
    market: &str,
    per_year: f64,
    importance: f64,
    attack: AttackConfig,
) -> ScenarioConfig {
    ScenarioConfig {
        name: name.into(),
        description: description.into(),
        market: market.into(),
        attacks_per_year: per_year,
        importance_factor: importance,
        attack,
    }
}

/// The built-in market regimes: calm, a 2017-style bull market, and the
/// 12 March 2020 crash, with their days per year.
fn markets() -> BTreeMap<String, MarketModel> {
    let mut markets = BTreeMap::new();
    markets.insert(
        "calm".into(),
        market("BTC/ETH 2023-24: ~45% annual vol, fat tails, rare jumps", 0.45, (4.0, -0.03, 0.05), Some(4.0), 330.0),
    );
    markets.insert(
        "bull_2017".into(),
        market(
            "2017 peak regime: ~135% annual vol, frequent two-sided jumps",
            1.35,
            (24.0, 0.0, 0.08),
            Some(3.5),
            25.0,
        ),
    );
    markets.insert(
        "stress_2020_03_12".into(),
        market(
            "12 March 2020: 99th-percentile intraday vol (~245%) plus two crash jumps a day; ETH fell ~43% that day",
            2.45,
            (730.0, -0.15, 0.10),
            Some(3.0),
            10.0,
        ),
    );
    markets
}

/// The built-in scenarios: legitimate flows alone in a calm and a bull
/// market and through the 12 March 2020 crash, then one per attack (most
/// named after the incident they follow).
fn scenarios() -> Vec<ScenarioConfig> {
    vec![
        scenario("baseline_calm", "No attacker; legitimate flows in a calm market (false trips)", "calm", 0.0, 1.0, AttackConfig::None),
        scenario("baseline_bull", "No attacker; legitimate flows in a 2017-style market", "bull_2017", 0.0, 1.0, AttackConfig::None),
        scenario(
            "crash_2020_03_12",
            "No attacker; panic withdrawals through a 12 March 2020 crash",
            "stress_2020_03_12",
            0.0,
            1.0,
            AttackConfig::None,
        ),
        scenario(
            "oracle_mango",
            "Mango Markets against a price band: where the band is too narrow to profit, wait up to a day for a fall the reference lags; walk the oracle toward 2x (in an hour if unchecked), borrow against 5% of TVL in collateral until detected",
            "calm",
            2.0,
            150.0,
            AttackConfig::OracleManipulation {
                push_factor: 2.0,
                push_minutes: 60,
                collateral_share: 0.05,
                wait_hours: oracle_wait_hours(),
            },
        ),
        scenario(
            "flash_loan_euler",
            "Euler-style logic bug reaching both assets, drained through their limiters behind a 5x TVL flash loan",
            "calm",
            1.0,
            300.0,
            AttackConfig::FlashLoanDrain { loan_share: 5.0, drain_share: 0.6, chunks: 3, assets: 2 },
        ),
        scenario(
            "keys_radiant",
            "Radiant/Ronin/Bybit: all keys at once with 10% (a shared signing interface), else each with 20%; a quorum schedules a malicious upgrade",
            "calm",
            1.0,
            300.0,
            AttackConfig::KeyCompromise { key_compromise_prob: 0.2, common_cause_prob: 0.1, drain_share: 0.8 },
        ),
        scenario(
            "bank_run_bybit",
            "A hack worth 80% of the fund; it is public 1 h later and 60% of the stakers ask to leave, the claim comes 72 h after the hack",
            "calm",
            0.5,
            500.0,
            AttackConfig::BankRun { loss_share_of_fund: 0.8, run_share: 0.6, news_delay_hours: 1.0, claim_delay_hours: 72.0 },
        ),
        scenario(
            "griefing",
            "A 5%-of-TVL holder recycles its capital (withdraws what the limiter shows, deposits it straight back, every step) and posts two bonded trips, to halt the protocol for free",
            "calm",
            4.0,
            100.0,
            AttackConfig::Griefing { position_share: 0.05, attempts: 3, bonded_trips: 2 },
        ),
        scenario(
            "bridge_exploit",
            "A bridge exploit tries to move 90% of TVL out in 30 minutes",
            "calm",
            0.5,
            500.0,
            AttackConfig::BridgeExploit { drain_share: 0.9, burst_minutes: 30 },
        ),
    ]
}

impl Default for Config {
    fn default() -> Self {
        let markets = markets();
        Config {
            run: RunConfig {
                paths: 100_000,
                search_paths: 5_000,
                seed: 20_260_312,
                horizon_hours: 24,
                step_minutes: 5,
                bootstrap_resamples: 1_000,
            },
            protocol: ProtocolConfig {
                tvl_usd: 100e6,
                legit_flow_bps_per_hour: 40.0,
                panic_outflow_bps_per_pct: 2.0,
                fund_capital_usd: 10e6,
                active_cover_usd: 15e6,
                downtime_cost_per_hour: 20_000.0,
                throttled_cost_share: 0.25,
                capital_cost_bps_per_year: 800.0,
                critical_ops_per_year: 12.0,
                governance_delay_cost_per_hour: 1_000.0,
                cooldown_cost_bps_per_day: 2.0,
                collateral_factor: collateral_factor(),
                borrowed_share: borrowed_share(),
            },
            markets,
            scenarios: scenarios(),
            calibration: CalibrationConfig {
                hourly_share_bps: vec![25, 50, 100, 200, 400, 800],
                daily_multiple: 5,
                max_deviation_bps: vec![300, 500, 1_000, 2_000, 3_000, 5_000],
                throttle_hours: vec![0.5, 1.0, 2.0, 4.0, 8.0],
                halt_hours: vec![1.0, 2.0, 4.0, 8.0, 16.0],
                inflow_decay_minutes: vec![15.0, 30.0, 60.0, 120.0, 240.0],
                reference_smoothing_bps: vec![50, 100, 200, 400, 800],
                critical_timelock_hours: vec![1.0, 6.0, 24.0, 48.0, 72.0],
                exit_cooldown_days: vec![1.0, 3.0, 7.0, 10.0, 14.0],
                refine: true,
                race: race(),
                stability_seeds: stability_seeds(),
                max_false_trip_rate: 0.03,
                max_annual_claims_share_of_fund: 1.0,
            },
            deployment: DeploymentConfig {
                owners: vec![ALICE.into(), BOB.into(), CHARLIE.into()],
                threshold: 2,
                vetoers: vec![DAVE.into(), EVE.into(), FERDIE.into()],
                veto_base_threshold: 1,
                veto_max_threshold: 4,
                standard_timelock_hours: 1.0,
                membership_timelock_hours: 72.0,
                policy_timelock_hours: 96.0,
                execution_window_hours: 168.0,
                standard_value_cap_usd: 0.0,
                critical_value_cap_usd: 0.0,
                throttle_bps: 5_000,
                price_staleness_minutes: 60.0,
                hourly_floor_usd: 10_000.0,
                min_escalating_limit_usd: 100_000.0,
                reanchor_range_bps: 2_000,
                exit_window_days: 2.0,
                solvency_target_bps: 2_000,
                min_capital_usd: 1e6,
                claim_cap_usd: 5e6,
                reinsurance_attachment_usd: Some(2e6),
                reinsurance_limit_usd: Some(3e6),
                min_bond_usd: 50_000.0,
                bond_settle_hours: 168.0,
                oracle: oracle(),
                guardians: guardians(),
                protected: protected(),
                reinsurer: reinsurer(),
            },
            units: chain_units(),
            detection: detection(),
        }
    }
}

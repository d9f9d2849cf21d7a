//! One Monte Carlo path of one scenario, driving the real bulwark-core state
//! machines. The simulator keeps no model of any rule: every limit, trip,
//! timelock, veto, exit and claim below is a call into bulwark-core.
//!
//! A path is one horizon (a day by default) of a protected protocol holding
//! `tvl_usd` evenly over the market's assets. Each step the oracle reports
//! prices, legitimate users move funds (random net flow plus panic selling
//! into drawdowns), and any attack that has begun acts. Attacks arrive as a
//! Poisson process, optionally at an inflated rate with a likelihood-ratio
//! weight (importance sampling).
//!
//! An attack ends when it is done or when it is detected
//! ([`crate::detection`]): then a guardian pauses the breaker globally, and
//! the multisig unpauses it (a Critical call, so after the Critical
//! timelock) and re-anchors the prices. It never ends because the horizon
//! does: the path runs on past the horizon until every attack that began in
//! it has ended. Without Bulwark there is nobody to pause: detection stops
//! nothing.
//!
//! A halt is charged whole too: while exits are stopped the path runs on
//! (up to the detection cap; what is left beyond it, and a throttle's
//! remainder, is charged at the end). A price fault halts the breaker, and
//! a real move leaves its reference behind, so every later report would
//! trip it again. The multisig proposes a re-anchor when it sees the fault:
//! a range of `deployment.reanchor_range_bps` around the market's price
//! then (`anchor_price`, a Critical call). Once the Critical timelock has
//! passed, bulwark-core anchors at the oracle's latest report if it lies in
//! that range; if the market has left the range the call fails, and the
//! owners propose again around the price of that moment, as on chain.

use crate::config::{AttackConfig, Config, ScenarioConfig};
use crate::detection::DetectionModel;
use crate::market::{Market, MAX_ASSETS};
use crate::params::{hours_to_ms, ContractParams};
use crate::units::ChainUnits;
use bulwark_core::breaker::{
    AccountFlow, AssetFlow, BondBook, BondError, BondedTrip, CircuitBreaker, Level, PauseScope, PriceVerdict,
};
use bulwark_core::fund::{Holder, InsuranceFund};
use bulwark_core::multisig::{
    Action, AllowedCall, CallSpec, Execution, Multisig, MultisigError, OperationClass, Proposal, ProposalStatus,
};
use bulwark_core::{AccountId, Balance, Selector, Timestamp};
use rand::Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

/// A re-anchor the multisig proposed: the range it approved, executable
/// from `eta` (the Critical timelock after it was proposed).
#[derive(Clone, Copy, Debug)]
struct AnchorProposal {
    eta: Timestamp,
    min: Balance,
    max: Balance,
}

/// Most attacks simulated on one path; validation keeps the expected count
/// at or below 2, where more than 16 has probability below 1e-9.
pub const MAX_ATTACKS: usize = 16;
/// The first step's timestamp (ms): a realistic chain time.
pub const T0: Timestamp = 1_700_000_000_000;
const LEGIT: Selector = *b"user";
const ATTACK: Selector = *b"evil";

/// Who moves funds, each with its own account in every asset.
///
/// Legitimate withdrawals and deposits come from different accounts: the
/// market model draws the users' *net* flow each step, and the users who
/// withdraw are not the ones who just deposited, so the breaker counts
/// legitimate outflow in full (a deposit opens room only for its own
/// depositor, and undoes only its own depositor's escalation). Within a
/// step, deposits and withdrawals still net out, so real gross traffic
/// fills the windows faster than these paths: the report's limitations say
/// so. The attacker never draws on users' deposits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Actor {
    Withdrawers = 0,
    Depositors = 1,
    Attacker = 2,
}

impl Actor {
    /// The selector the protected protocol calls the breaker with.
    fn selector(self) -> Selector {
        match self {
            Actor::Withdrawers | Actor::Depositors => LEGIT,
            Actor::Attacker => ATTACK,
        }
    }
}
/// Stand-in address of the breaker, the target of a compromised multisig's upgrade.
const BREAKER_ADDR: [u8; 32] = [0xb5; 32];
const SET_PARAMS: Selector = *b"setp";
/// The griefer's account, for its bonded trips.
const GRIEFER: [u8; 32] = [0x9f; 32];
/// Insurance-fund stakers in the bank-run scenario.
const STAKERS: usize = 20;
/// How far into the band the oracle attacker pushes: 2% inside, for the
/// rounding of the price scale.
const ORACLE_EDGE: f64 = 0.98;
/// Delay between filing a claim and the multisig's approval.
const CLAIM_APPROVAL_HOURS: f64 = 24.0;

/// The share of a borrowed book that is bad debt after the collateral's
/// price moved by the ratio `r` while liquidations were blocked. Working
/// liquidations keep every loan-to-value at or below `collateral_factor`;
/// the book's loan-to-values are taken as spread evenly over
/// `[collateral_factor / 2, collateral_factor]` when the block began. A
/// loan at `ℓ` owes `1 − r/ℓ` of its debt beyond its collateral when `r < ℓ`;
/// averaged over the spread (`∫ (1 − r/ℓ) dℓ = ℓ − r·ln ℓ`):
/// `((c − m) − r·ln(c / m)) / (c − a)` with `a = c/2`, `m = max(a, r)`.
pub fn bad_debt_share(r: f64, collateral_factor: f64) -> f64 {
    let c = collateral_factor;
    let a = c / 2.0;
    let m = a.max(r);
    if m >= c {
        return 0.0;
    }
    (((c - m) - r * (c / m).ln()) / (c - a)).clamp(0.0, 1.0)
}

/// How far above its reference the oracle attacker reports a price in a
/// `band_bps` band: `1 + 0.98 × band`.
fn band_edge(band_bps: u32) -> f64 {
    1.0 + ORACLE_EDGE * (f64::from(band_bps) / 1e4)
}

/// What a dollar of collateral borrows when the oracle attacker pushes its
/// price to the edge of a `band_bps` band around a reference at the true
/// price: `band_edge × collateral_factor`. Above 1 the band alone pays; at
/// or below it the attacker needs a lagging reference (timing).
pub fn edge_lending(band_bps: u32, collateral_factor: f64) -> f64 {
    band_edge(band_bps) * collateral_factor
}

/// Whether the protocol runs with Bulwark, or without it: the baseline that
/// shows what the layer saves on the same random paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// The three contracts, with the params under test.
    Bulwark,
    /// No breaker (every outflow the protocol can pay leaves), a plain
    /// M-of-N multisig acting at once (no timelocks, no veto set, no guard),
    /// no insurance fund. The protocol's own balance still bounds outflows.
    Absent,
}

/// What one path produced. Money is in USD.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PathOutcome {
    /// Value the attacker took, or claims left uncovered.
    pub attack_loss: f64,
    /// Cost of the breaker's halted and throttled time on the whole path.
    pub downtime_cost: f64,
    /// The part of `downtime_cost` after the first attack began.
    pub induced_downtime: f64,
    /// Likelihood ratio of the path under the real attack rate.
    pub weight: f64,
    pub attacks: u32,
    /// The breaker halted before any attack began.
    pub false_halt: bool,
    /// Hours halted or globally paused.
    pub halted_hours: f64,
    /// Attacks that were still undetected at `detection.max_days`.
    pub censored: u32,
    /// Hours the path's attacks ran, from their start to their end.
    pub attack_hours: f64,
    /// Losses the protocol claims from the insurance fund: what attacks
    /// took, or in the bank run the hack's loss (the fund's own scenario).
    pub claimed: f64,
    /// Bad debt from liquidations blocked while exits were stopped: part
    /// of `downtime_cost` (a halt's cost), kept apart for the report.
    pub bad_debt: f64,
    /// The part of `bad_debt` in `induced_downtime`.
    pub induced_bad_debt: f64,
    /// Calls into bulwark-core on this path.
    pub core_steps: u64,
    /// The breaker's level left Normal at some step (a throttle or a halt
    /// began): only such a path can depend on `throttle_ms` and `halt_ms`.
    pub escalated: bool,
    /// A Critical call was scheduled (an unpause, a re-anchor, a bonded
    /// trip's judgement, a theft's drain): only such a path can depend on
    /// the Critical timelock.
    pub timelocked: bool,
}

impl PathOutcome {
    pub fn loss(&self) -> f64 {
        self.attack_loss + self.downtime_cost
    }
}

/// Per-thread simulator of one scenario: templates are built once, and each
/// path resets its state from them.
pub struct PathSim<'a> {
    cfg: &'a Config,
    /// The units of the params under test: every amount below is in them.
    units: ChainUnits,
    layer: Layer,
    scenario: &'a ScenarioConfig,
    market: Market,
    breaker0: CircuitBreaker,
    flows0: Vec<AssetFlow>,
    bonds0: BondBook,
    multisig0: Multisig,
    fund0: InsuranceFund,
    poisson: Option<Poisson<f64>>,
    detection: DetectionModel,
    /// Most steps an attack may run past the horizon before detection.
    max_extra_steps: u32,
    /// Expected attacks per path at the real and at the simulated rate.
    lambda: f64,
    lambda_sim: f64,
    steps: u32,
    step_ms: u64,
    dt_hours: f64,
    price0: f64,
    tvl_usd: f64,
    // Per-path state, reused across paths.
    breaker: CircuitBreaker,
    flows: Vec<AssetFlow>,
    /// Each asset's accounts, by [`Actor`]: the breaker credits a deposit
    /// only to its own depositor.
    accounts: Vec<[AccountFlow; 3]>,
    bonds: BondBook,
    /// Bonded trips awaiting governance, with the time it judges them.
    bonded: Vec<(BondedTrip, Timestamp)>,
    /// The oracle attacker's timing: wait for a lagging reference
    /// ([`PathSim::with_timing`]).
    timing: bool,
}

/// Progress of one attack on a market path.
#[derive(Clone, Copy, Debug, Default)]
struct AttackState {
    start: u32,
    /// The step at which it is detected (the guardian pauses then).
    detected: u32,
    /// Steps acted so far.
    progress: u32,
    /// USD taken so far.
    taken: f64,
    /// The step it ended (detected, done, or cut at `detection.max_days`).
    ended: u32,
    /// USD the attacker put in (oracle collateral), or the drain still to take.
    stake: f64,
    /// Bonded trips posted.
    bonds: u32,
    /// The oracle push is as high as it can go now (its goal, or the band's edge).
    at_peak: bool,
    /// It acts: every attack at its start, except a timing oracle attacker,
    /// which waits for its moment (then `start` and `detected` move with it).
    begun: bool,
    done: bool,
}

impl<'a> PathSim<'a> {
    pub fn new(cfg: &'a Config, scenario: &'a ScenarioConfig, params: &ContractParams, layer: Layer) -> Self {
        let model = &cfg.markets[&scenario.market];
        let market = Market::new(model, cfg.run.step_minutes);
        let price0 = model.initial_price_usd;
        let tvl_usd = cfg.protocol.tvl_usd;
        let breaker0 = CircuitBreaker::new(params.circuit_breaker.clone()).expect("params validated by core");
        let per_asset = tvl_usd / market.assets() as f64;
        let flows0: Vec<AssetFlow> = (0..market.assets())
            .map(|i| {
                let units = params.units.assets[i].units();
                let tvl = params.units.tokens(i, per_asset, price0);
                let mut f = breaker0.new_asset(units, tvl).expect("units validated by core");
                let mut b = breaker0.clone();
                b.report_price(&mut f, params.units.price(i, price0), T0).expect("positive price");
                f
            })
            .collect();
        let mut ms = params.multisig_guard.clone();
        if layer == Layer::Absent {
            // The same owners and threshold, acting at once, with nobody to veto.
            ms.timelocks =
                bulwark_core::multisig::Timelocks { standard_ms: 0, critical_ms: 0, membership_ms: 0, policy_ms: 0 };
            ms.veto = bulwark_core::multisig::VetoParams { vetoers: Vec::new(), base_threshold: 0, max_threshold: 0 };
            ms.guard = None;
        }
        if let Some(g) = ms.guard.as_mut() {
            g.allow_list.push(AllowedCall {
                target: BREAKER_ADDR,
                selector: SET_PARAMS,
                class: OperationClass::Critical,
            });
        }
        let multisig0 = Multisig::new(ms).expect("params validated by core");
        let bonds0 = BondBook::new(params.deployment.bond.clone()).expect("bond policy validated by core");
        let fund0 = InsuranceFund::new(params.insurance_fund.clone()).expect("params validated by core");
        let horizon_years = f64::from(cfg.run.horizon_hours) / (365.0 * 24.0);
        let lambda = scenario.attacks_per_year * horizon_years;
        let lambda_sim = lambda * scenario.importance_factor;
        let has_attack = !matches!(scenario.attack, AttackConfig::None);
        Self {
            cfg,
            units: params.units.clone(),
            layer,
            scenario,
            market,
            breaker: breaker0.clone(),
            accounts: vec![Default::default(); flows0.len()],
            flows: flows0.clone(),
            breaker0,
            flows0,
            bonds: bonds0.clone(),
            bonds0,
            bonded: Vec::new(),
            multisig0,
            fund0,
            poisson: if has_attack && lambda_sim > 0.0 { Poisson::new(lambda_sim).ok() } else { None },
            detection: DetectionModel::fit(&cfg.detection),
            max_extra_steps: (cfg.detection.max_days * 24.0 * 60.0 / f64::from(cfg.run.step_minutes)).ceil() as u32,
            lambda,
            lambda_sim,
            steps: cfg.steps(),
            step_ms: u64::from(cfg.run.step_minutes) * 60_000,
            dt_hours: f64::from(cfg.run.step_minutes) / 60.0,
            price0,
            tvl_usd,
            timing: false,
        }
    }

    /// Whether an oracle attacker could time its push here: with Bulwark,
    /// `wait_hours > 0`, and a band too narrow for a dollar of collateral
    /// pushed to its edge to borrow more than a dollar at once.
    pub fn can_time(&self) -> bool {
        self.layer == Layer::Bulwark
            && matches!(self.scenario.attack, AttackConfig::OracleManipulation { wait_hours, .. } if wait_hours > 0.0)
            && self.lag_to_profit() > 1.0
    }

    /// The oracle attacker waits for its moment: it pushes once the
    /// breaker's reference lags the true price by [`Self::lag_to_profit`],
    /// or `wait_hours` after it is ready. Where [`Self::can_time`] is false
    /// it pushes at once either way.
    pub fn with_timing(mut self, timing: bool) -> Self {
        self.timing = timing && self.can_time();
        self
    }

    /// The lag of the reference above the true price at which a dollar of
    /// collateral pushed to the band's edge borrows a dollar:
    /// `1 / (edge × collateral_factor)`.
    fn lag_to_profit(&self) -> f64 {
        1.0 / edge_lending(self.breaker0.params().price.max_deviation_bps, self.cfg.protocol.collateral_factor)
    }

    /// Simulates one path.
    pub fn run<R: Rng>(&mut self, rng: &mut R) -> PathOutcome {
        let n = self.poisson.as_ref().map_or(0, |p| (p.sample(rng) as usize).min(MAX_ATTACKS));
        // w = (λ/λ')^N · e^{λ'−λ}: the path's likelihood under the real rate.
        let weight = if self.lambda_sim > self.lambda {
            (self.lambda / self.lambda_sim).powi(n as i32) * (self.lambda_sim - self.lambda).exp()
        } else {
            1.0
        };
        let mut out = match self.scenario.attack {
            AttackConfig::KeyCompromise { key_compromise_prob, common_cause_prob, drain_share } => {
                self.key_compromise(rng, n, key_compromise_prob, common_cause_prob, drain_share)
            }
            AttackConfig::BankRun { loss_share_of_fund, run_share, news_delay_hours, claim_delay_hours } => {
                self.bank_run(n, loss_share_of_fund, run_share, news_delay_hours, claim_delay_hours)
            }
            _ => self.market_path(rng, n),
        };
        if !matches!(self.scenario.attack, AttackConfig::BankRun { .. }) {
            out.claimed = out.attack_loss;
        }
        out.weight = weight;
        out.attacks = n as u32;
        out
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one step's governance, oracle, flows and attacks in order; it splits with the Protection trait (issue 23)"
    )]
    fn market_path<R: Rng>(&mut self, rng: &mut R, n_attacks: usize) -> PathOutcome {
        let mut out = PathOutcome::default();
        self.breaker.clone_from(&self.breaker0);
        for (f, f0) in self.flows.iter_mut().zip(&self.flows0) {
            f.clone_from(f0);
        }
        for accounts in self.accounts.iter_mut() {
            *accounts = Default::default();
        }
        self.bonds.clone_from(&self.bonds0);
        self.bonded.clear();
        let mut attacks = [AttackState::default(); MAX_ATTACKS];
        for a in attacks.iter_mut().take(n_attacks) {
            a.start = rng.random_range(0..self.steps);
        }
        // Drawn for every attack under both layers: the same numbers in the same order.
        for a in attacks.iter_mut().take(n_attacks) {
            let hours = self.detection.sample(rng);
            a.detected = a.start.saturating_add((hours / self.dt_hours).ceil() as u32);
        }
        attacks[..n_attacks].sort_unstable_by_key(|a| (a.start, a.detected));
        // A timing oracle attacker waits for the reference to lag the true
        // price by as much as the band lacks (`with_timing`); never beyond
        // the run-on, so it always begins before the path ends.
        let (wait_steps, wait_for_lag) = match self.scenario.attack {
            AttackConfig::OracleManipulation { wait_hours, .. } if self.timing => {
                (((wait_hours / self.dt_hours).ceil() as u32).min(self.max_extra_steps), self.lag_to_profit())
            }
            _ => (0, 1.0),
        };
        for a in attacks.iter_mut().take(n_attacks) {
            a.begun = wait_steps == 0;
        }
        // The first step at which an attack acted: what comes after it is induced.
        let mut first_attack =
            attacks[..n_attacks].iter().filter(|a| a.begun).map(|a| a.start).min().unwrap_or(u32::MAX);
        // Griefing uses the protocol as designed and is never "detected": it
        // lasts the horizon. Every other attack runs until it ends.
        let runs_on = !matches!(self.scenario.attack, AttackConfig::Griefing { .. });
        let last_step = self.steps.saturating_add(self.max_extra_steps);
        let critical_ms = self.multisig0.params().timelocks.critical_ms;
        // When the guardian's pause is lifted by the multisig.
        let mut unpause_at: Option<Timestamp> = None;
        // The multisig's pending re-anchor of each asset after a price fault
        // (a Critical call, `anchor_price`): a real move leaves the reference
        // behind, and until one lands every report re-trips the breaker.
        let mut anchors: [Option<AnchorProposal>; MAX_ASSETS] = [None; MAX_ASSETS];

        let assets = self.market.assets();
        let p = &self.cfg.protocol;
        let flow_sd = p.legit_flow_bps_per_hour / 1e4 * self.dt_hours.sqrt();
        let panic_per_pct = p.panic_outflow_bps_per_pct / 1e4 * self.dt_hours;
        let cost_per_step = p.downtime_cost_per_hour * self.dt_hours;
        let mut log_ret = [0.0; MAX_ASSETS];
        let mut shocks = [0.0; MAX_ASSETS];
        let mut manip = [1.0f64; MAX_ASSETS];
        let mut price = [self.price0; MAX_ASSETS];
        // e^{log return}: computed once a step, for the price and the drawdown.
        let mut growth = [1.0f64; MAX_ASSETS];
        // The collateral's price when exits last stopped: liquidations wait from then.
        let mut stopped_at_price: Option<f64> = None;

        let mut step = 0;
        // Whether exits were stopped (halted or paused) at the last step: a
        // stop that outlasts the horizon runs on too, so its downtime and the
        // bad debt its blocked liquidations leave come from real prices.
        let mut stopped = false;
        while step < self.steps
            || (runs_on && step < last_step && attacks[..n_attacks].iter().any(|a| !a.done))
            || (stopped && step < last_step)
        {
            let now = T0 + u64::from(step + 1) * self.step_ms;
            self.market.step(rng, &mut log_ret, &mut shocks);
            for i in 0..assets {
                growth[i] = log_ret[i].exp();
                price[i] = self.price0 * growth[i];
            }
            if self.layer == Layer::Bulwark {
                // Governance lifts the pause once its Critical timelock has
                // passed, and its re-anchors land when theirs have, on the
                // oracle's latest report (last step's) if it is in range.
                if unpause_at.is_some_and(|t| now >= t) {
                    let _ = self.breaker.unpause(PauseScope::Global);
                    unpause_at = None;
                }
                for i in 0..assets {
                    let Some(a) = anchors[i].filter(|a| now >= a.eta) else { continue };
                    anchors[i] = match self.breaker.reanchor(&mut self.flows[i], a.min, a.max, now) {
                        Ok(_) => None,
                        // The market left the range: propose again, if the asset still needs it.
                        Err(_) if self.out_of_band(i) => {
                            out.timelocked = true;
                            Some(self.propose_anchor(i, price[i], now, critical_ms))
                        }
                        Err(_) => None,
                    };
                }
                // Detection: the guardian pauses everything, and the attack is
                // over; the multisig proposes the unpause and re-anchors.
                for a in attacks.iter_mut().take(n_attacks) {
                    if runs_on && a.begun && !a.done && step >= a.start && step >= a.detected {
                        a.done = true;
                        a.ended = step;
                        if unpause_at.is_none() {
                            let _ = self.breaker.pause(PauseScope::Global, |a| (a as usize) < assets);
                            unpause_at = Some(now.saturating_add(critical_ms));
                            out.timelocked = true;
                            for i in 0..assets {
                                anchors[i].get_or_insert(self.propose_anchor(i, price[i], now, critical_ms));
                            }
                        }
                    }
                }
            }
            // Oracle manipulation acts on the report, so it is set first.
            // Concurrent pushes act on one price: the highest wins.
            if let AttackConfig::OracleManipulation { push_factor, push_minutes, .. } = self.scenario.attack {
                manip[0] = 1.0;
                for a in attacks.iter_mut().take(n_attacks) {
                    if !a.begun && step >= a.start {
                        let lag = self.reference_lag(price[0]);
                        if lag >= wait_for_lag || step >= a.start.saturating_add(wait_steps) {
                            // Detection runs from the first manipulated report.
                            a.detected = step.saturating_add(a.detected.saturating_sub(a.start));
                            a.start = step;
                            a.begun = true;
                            first_attack = first_attack.min(step);
                        }
                    }
                    if a.begun && !a.done && step >= a.start {
                        manip[0] = manip[0].max(self.oracle_push(a, push_factor, push_minutes, price[0]));
                    }
                }
            }
            for i in 0..assets {
                if self.layer == Layer::Bulwark {
                    let reported = self.units.price(i, price[i] * manip[i]);
                    let verdict = self.breaker.report_price(&mut self.flows[i], reported, now);
                    if matches!(verdict, Ok(PriceVerdict::Deviated { .. })) && anchors[i].is_none() {
                        anchors[i] = Some(self.propose_anchor(i, price[i], now, critical_ms));
                        out.timelocked = true;
                    }
                    out.core_steps += 1;
                }
            }
            for i in 0..assets {
                let tvl_usd = self.units.tokens_usd(i, self.flows[i].tvl, price[i]);
                let z: f64 = StandardNormal.sample(rng);
                let drawdown_pct = (-(growth[i] - 1.0)).max(0.0) * 100.0;
                let net = tvl_usd * (flow_sd * z - panic_per_pct * drawdown_pct);
                let tokens = self.units.tokens(i, net.abs(), price[i]);
                if net >= 0.0 {
                    self.inflow(Actor::Depositors, i, tokens, now, &mut out);
                } else {
                    self.outflow(Actor::Withdrawers, i, tokens, now, &mut out);
                }
            }
            for a in attacks.iter_mut().take(n_attacks) {
                if a.begun && !a.done && step >= a.start && (runs_on || step < self.steps) {
                    self.attack_step(a, &price, &manip, now, &mut out);
                    if a.done {
                        a.ended = step + 1;
                    }
                }
            }
            // Halted or globally paused: the breaker's own "nothing leaves"
            // (`blocks_exits`); without Bulwark nothing ever stops.
            stopped = self.layer == Layer::Bulwark && self.breaker.blocks_exits(now);
            // Deadlines only move later but for a reset or an undo. An
            // escalation undone within the step (the griefer deposits right
            // back) leaves no trace of the throttle's or the halt's length:
            // the undo restores the state before it. So one check a step
            // sees every path whose outcome those lengths can change.
            out.escalated |=
                self.breaker.level.stages.halted_until != 0 || self.breaker.level.stages.throttled_until != 0;
            match (stopped, stopped_at_price) {
                (true, None) => stopped_at_price = Some(price[0]),
                (false, Some(at)) => {
                    self.realize_bad_debt(at, price[0], step >= first_attack, &mut out);
                    stopped_at_price = None;
                }
                _ => {}
            }
            if stopped {
                out.halted_hours += self.dt_hours;
                if step < first_attack {
                    out.false_halt = true;
                }
            }
            let cost_share = match self.level(now) {
                _ if stopped => 1.0,
                Level::Throttled => p.throttled_cost_share,
                Level::Halted | Level::Normal => 0.0,
            };
            let cost = cost_share * cost_per_step;
            out.downtime_cost += cost;
            if step >= first_attack {
                out.induced_downtime += cost;
            }
            step += 1;
        }
        // Still stopped at the end: liquidations resume at the last price seen.
        if let Some(at) = stopped_at_price {
            self.realize_bad_debt(at, price[0], step > first_attack, &mut out);
        }
        // What outlasts even the run-on (the detection cap): the pause's
        // remaining hours, the halt's beyond them, and the throttle's after
        // both, at their shares of the downtime cost.
        let end = T0 + u64::from(step) * self.step_ms;
        let hours = |from: Timestamp, to: Timestamp| to.saturating_sub(from) as f64 / crate::params::HOUR_MS as f64;
        let paused_until = unpause_at.unwrap_or(end).max(end);
        let (halted_until, throttled_until) = match self.layer {
            Layer::Bulwark => (self.breaker.level.stages.halted_until, self.breaker.level.stages.throttled_until),
            Layer::Absent => (0, 0),
        };
        let stopped_hours = hours(end, paused_until) + hours(paused_until, halted_until);
        let throttled_hours = hours(paused_until.max(halted_until), throttled_until);
        let cost = (stopped_hours + throttled_hours * p.throttled_cost_share) * p.downtime_cost_per_hour;
        out.halted_hours += stopped_hours;
        out.downtime_cost += cost;
        if step > first_attack {
            out.induced_downtime += cost;
        }
        out.censored = attacks[..n_attacks].iter().filter(|a| runs_on && !a.done).count() as u32;
        out.attack_hours = attacks[..n_attacks]
            .iter()
            .map(|a| f64::from((if a.done { a.ended } else { step }).saturating_sub(a.start)) * self.dt_hours)
            .sum();
        out.attack_loss = attacks[..n_attacks].iter().map(|a| self.loss_of(a)).sum();
        out
    }

    /// Liquidations were blocked while the collateral (asset 0) went from
    /// `at` to `now`: the borrowed book's share that is bad debt when they
    /// resume ([`bad_debt_share`]) is the halt's cost too.
    fn realize_bad_debt(&self, at: f64, now: f64, induced: bool, out: &mut PathOutcome) {
        let p = &self.cfg.protocol;
        let debt = p.borrowed_share * self.tvl_usd;
        let bad = debt * bad_debt_share(now / at, p.collateral_factor);
        out.bad_debt += bad;
        out.downtime_cost += bad;
        if induced {
            out.induced_bad_debt += bad;
            out.induced_downtime += bad;
        }
    }

    /// The oracle attacker's manipulation factor for this step. Unchecked,
    /// it climbs geometrically to `push_factor` in `push_minutes`. Against a
    /// price band it stays just inside the band around the breaker's
    /// reference (public state), which follows in-band reports, so it walks
    /// the reference up instead of tripping the halt.
    fn oracle_push(&self, a: &mut AttackState, push_factor: f64, push_minutes: u32, true_price: f64) -> f64 {
        // Where even the full push lends less than the collateral, there is
        // nothing to gain, and a rational attacker does not start.
        if push_factor * self.cfg.protocol.collateral_factor <= 1.0 {
            a.done = true;
            a.ended = a.start;
            return 1.0;
        }
        let push_steps = self.steps_in(push_minutes);
        let goal = push_factor.powf(f64::from((a.progress + 1).min(push_steps)) / f64::from(push_steps));
        if self.layer == Layer::Absent {
            a.at_peak = a.progress + 1 >= push_steps;
            return goal;
        }
        let cap = self.reference_lag(true_price) * band_edge(self.breaker.params().price.max_deviation_bps);
        a.at_peak = cap <= goal || a.progress + 1 >= push_steps;
        goal.min(cap).max(1.0)
    }

    /// The breaker's reference for asset 0 (public state) over its true
    /// price: above 1 after a fall the smoothed reference has not followed.
    /// The re-anchor the multisig proposes for asset `i` at `now`, seeing
    /// the market at `market_price`: a range of `reanchor_range_bps` around
    /// it, executable once the Critical timelock has passed.
    fn propose_anchor(&self, i: usize, market_price: f64, now: Timestamp, critical_ms: u64) -> AnchorProposal {
        let w = f64::from(self.cfg.deployment.reanchor_range_bps) / 1e4;
        AnchorProposal {
            eta: now.saturating_add(critical_ms),
            min: self.units.price(i, market_price * (1.0 - w)).max(1),
            max: self.units.price(i, market_price * (1.0 + w)),
        }
    }

    /// Whether asset `i`'s latest report lies outside the band, so that
    /// every report re-trips the breaker until a re-anchor lands.
    fn out_of_band(&self, i: usize) -> bool {
        let p = &self.flows[i].price;
        p.deviation_bps(p.last) > self.breaker.params().price.max_deviation_bps
    }

    fn reference_lag(&self, true_price: f64) -> f64 {
        self.flows[0].price.reference as f64 / self.units.price(0, true_price) as f64
    }

    /// Whole steps in `minutes` (at least one): how long a timed attack acts.
    fn steps_in(&self, minutes: u32) -> u32 {
        (minutes / self.cfg.run.step_minutes).max(1)
    }

    /// What an attack cost the protocol, in USD. The oracle attacker
    /// abandons its collateral, so only borrowing beyond it is a loss (also
    /// when the path ends mid-push).
    fn loss_of(&self, a: &AttackState) -> f64 {
        match self.scenario.attack {
            AttackConfig::OracleManipulation { .. } => (a.taken - a.stake).max(0.0),
            _ => a.taken,
        }
    }

    /// What an attacker lets leave asset `i` now: the breaker's
    /// `unsaturating_outflow` (everything the limiter allows short of
    /// saturating a window, which would raise the breaker's level and end
    /// the drain in a halt), or without Bulwark all the protocol holds.
    fn room(&self, i: usize, now: Timestamp, out: &mut PathOutcome) -> Balance {
        match self.layer {
            Layer::Bulwark => {
                out.core_steps += 1;
                self.breaker.unsaturating_outflow(
                    i as u32,
                    &self.flows[i],
                    &self.accounts[i][Actor::Attacker as usize],
                    ATTACK,
                    now,
                )
            }
            Layer::Absent => self.flows[i].tvl,
        }
    }

    /// An outflow of `tokens` of asset `i` to `who`: decided by the
    /// breaker, or without Bulwark paid whenever the protocol holds it.
    /// Whether it left.
    fn outflow(&mut self, who: Actor, i: usize, tokens: Balance, now: Timestamp, out: &mut PathOutcome) -> bool {
        match self.layer {
            Layer::Bulwark => {
                out.core_steps += 1;
                let account = &mut self.accounts[i][who as usize];
                self.breaker
                    .check_outflow(i as u32, &mut self.flows[i], account, who.selector(), tokens, now)
                    .is_allowed()
            }
            Layer::Absent => match self.flows[i].tvl.checked_sub(tokens) {
                Some(left) => {
                    self.flows[i].tvl = left;
                    true
                }
                None => false,
            },
        }
    }

    /// Funds arriving in asset `i` from `who`.
    fn inflow(&mut self, who: Actor, i: usize, tokens: Balance, now: Timestamp, out: &mut PathOutcome) {
        match self.layer {
            Layer::Bulwark => {
                out.core_steps += 1;
                let account = &mut self.accounts[i][who as usize];
                let _ = self.breaker.record_inflow(&mut self.flows[i], account, tokens, now);
            }
            Layer::Absent => self.flows[i].tvl = self.flows[i].tvl.saturating_add(tokens),
        }
    }

    /// The breaker's level; without Bulwark nothing ever stops.
    fn level(&self, now: Timestamp) -> Level {
        match self.layer {
            Layer::Bulwark => self.breaker.level(now),
            Layer::Absent => Level::Normal,
        }
    }

    /// Takes up to `want` tokens of asset `i` the way a limit-aware attacker
    /// would: never more than [`Self::room`], so the attack itself neither
    /// trips nor escalates the breaker. Returns the tokens taken.
    fn take_available(&mut self, i: usize, want: Balance, now: Timestamp, out: &mut PathOutcome) -> Balance {
        let take = want.min(self.room(i, now, out));
        if take > 0 && self.outflow(Actor::Attacker, i, take, now, out) {
            take
        } else {
            0
        }
    }

    fn attack_step(
        &mut self,
        a: &mut AttackState,
        price: &[f64; MAX_ASSETS],
        manip: &[f64; MAX_ASSETS],
        now: Timestamp,
        out: &mut PathOutcome,
    ) {
        let tvl_usd = self.tvl_usd;
        let assets = self.market.assets();
        match self.scenario.attack {
            AttackConfig::OracleManipulation { collateral_share, .. } => {
                // Collateral goes into asset 0, whose oracle is pushed; the
                // loan is taken in the last asset at its true price.
                let borrow = assets - 1;
                let m = manip[0];
                let lend = m * self.cfg.protocol.collateral_factor;
                let budget = collateral_share * tvl_usd;
                a.progress += 1;
                // Borrowing before the push peaks, or where a dollar of
                // collateral borrows less than a dollar, loses money.
                if !a.at_peak || lend <= 1.0 {
                    return;
                }
                // Each deposit is sized to what the limiter lets leave now,
                // so no collateral is left stranded behind the limit.
                let room_usd = self.units.tokens_usd(borrow, self.room(borrow, now, out), price[borrow]);
                let deposit = (room_usd / lend).min(budget - a.stake);
                if deposit > 0.0 {
                    let tokens = self.units.tokens(0, deposit, price[0]);
                    self.inflow(Actor::Attacker, 0, tokens, now, out);
                    a.stake += self.units.tokens_usd(0, tokens, price[0]);
                    let want = self.units.tokens(borrow, deposit * lend, price[borrow]);
                    let got = self.take_available(borrow, want, now, out);
                    a.taken += self.units.tokens_usd(borrow, got, price[borrow]);
                }
                // All its capital is in: the push ends, and the price returns.
                a.done = a.stake >= budget * 0.999_999;
            }
            AttackConfig::FlashLoanDrain { loan_share, drain_share, chunks, assets: reached } => {
                let reached = (reached as usize).min(assets);
                if a.progress == 0 {
                    // A share of what the assets the bug reaches held at the start.
                    a.stake = drain_share * tvl_usd * reached as f64 / assets as f64;
                }
                // The drain is split across the reached assets: each
                // transaction takes what one asset's limiter lets leave, so
                // every asset's window is used, not only the first one's.
                'chunks: for _ in 0..chunks {
                    let mut moved = false;
                    for (i, &p) in price.iter().enumerate().take(reached) {
                        // Each transaction: flash-borrow, deposit, withdraw loan + loot, repay.
                        // If nothing can leave, the transaction reverts before it starts.
                        if self.room(i, now, out) == 0 {
                            continue;
                        }
                        let loan = self.units.tokens(i, loan_share * tvl_usd, p);
                        self.inflow(Actor::Attacker, i, loan, now, out);
                        let loot = self.units.tokens(i, a.stake - a.taken, p);
                        let got = self.take_available(i, loan.saturating_add(loot), now, out);
                        a.taken += self.units.tokens_usd(i, got.saturating_sub(loan), p);
                        moved = true;
                        if a.taken >= a.stake * 0.999_999 {
                            a.done = true;
                            break 'chunks;
                        }
                    }
                    if !moved {
                        break;
                    }
                }
                a.progress += 1;
            }
            AttackConfig::BridgeExploit { drain_share, burst_minutes } => {
                // A blunt exploit: fixed slices, no regard for the limits.
                let burst_steps = self.steps_in(burst_minutes);
                let slice_usd = drain_share * tvl_usd / f64::from(burst_steps) / assets as f64;
                for (i, &p) in price.iter().enumerate().take(assets) {
                    let tokens = self.units.tokens(i, slice_usd, p);
                    if self.outflow(Actor::Attacker, i, tokens, now, out) {
                        a.taken += slice_usd;
                    }
                }
                a.progress += 1;
                a.done = a.progress >= burst_steps;
            }
            AttackConfig::Griefing { position_share, attempts, bonded_trips } => {
                // The recycler (issue 20's B1): `attempts` times every step
                // until the path ends, it withdraws as much of its own
                // position as `available_outflow` shows and deposits it
                // straight back, to push the breaker up its stages and keep
                // it there for free. Refusals move nothing and raise
                // nothing; only a withdrawal that leaves and saturates a
                // window that escalates raises the level, and its deposit
                // offsets its own outflow only once it stays.
                let position = self.units.tokens(0, position_share * tvl_usd, price[0]);
                for _ in 0..attempts {
                    if self.layer != Layer::Bulwark {
                        break;
                    }
                    out.core_steps += 1;
                    let account = &self.accounts[0][Actor::Attacker as usize];
                    let take = position.min(self.breaker.available_outflow(0, &self.flows[0], account, ATTACK, now));
                    if take > 0 && self.outflow(Actor::Attacker, 0, take, now, out) {
                        self.inflow(Actor::Attacker, 0, take, now, out);
                    }
                }
                if self.layer == Layer::Bulwark {
                    self.bonded_griefing(a, bonded_trips, now, out);
                }
                a.progress += 1;
            }
            AttackConfig::None | AttackConfig::KeyCompromise { .. } | AttackConfig::BankRun { .. } => a.done = true,
        }
    }

    /// The griefer's bonded trips: whenever the breaker is back to Normal it
    /// posts one (up to `max_trips`), which halts at once. Governance judges
    /// each after the multisig's Critical timelock (`settle_trip` is a
    /// Critical call) and slashes it, or, if that is past the bond's
    /// deadline, the griefer releases it: the cost of the halt to the
    /// griefer is the bond, to the protocol the downtime.
    fn bonded_griefing(&mut self, a: &mut AttackState, max_trips: u32, now: Timestamp, out: &mut PathOutcome) {
        let judge_after = self.multisig0.params().timelocks.critical_ms;
        let bonds = &self.bonds;
        self.bonded.retain(|(trip, judged_at)| {
            if now < *judged_at {
                return true;
            }
            out.core_steps += 1;
            match bonds.settle(trip, false, now) {
                Ok(_) => false,
                Err(BondError::SettleDeadlinePassed) => bonds.release(trip, now).is_err(),
                Err(_) => true,
            }
        });
        if a.bonds < max_trips && self.breaker.level(now) == Level::Normal {
            out.core_steps += 1;
            let bond = self.bonds.policy().min_bond;
            if let Ok(trip) = self.bonds.post(GRIEFER, bond, now) {
                self.breaker.trip(now);
                self.bonded.push((trip, now.saturating_add(judge_after)));
                out.timelocked = true;
                a.bonds += 1;
            }
        }
    }

    /// k-of-n key compromise against the multisig's timelock and veto set.
    /// Attacks follow one another on the same multisig.
    fn key_compromise<R: Rng>(
        &mut self,
        rng: &mut R,
        n_attacks: usize,
        prob: f64,
        common_cause: f64,
        drain_share: f64,
    ) -> PathOutcome {
        let mut out = PathOutcome::default();
        let mut ms = self.multisig0.clone();
        // A thief stopped by nothing but the veto still acts for as long as
        // any attack runs on: the horizon and the detection cap after it.
        let run_ms = hours_to_ms(f64::from(self.cfg.run.horizon_hours) + self.detection.max_hours);
        let mut now = T0;
        for k in 0..n_attacks {
            let owners = ms.params().owners.clone();
            // The same draws whatever they decide: one for the common cause,
            // one per key, one for the detection delay.
            let all_at_once = rng.random::<f64>() < common_cause;
            let leaks: Vec<bool> = owners.iter().map(|_| rng.random::<f64>() < prob).collect();
            let detection_ms = hours_to_ms(self.detection.sample(rng));
            let stolen: Vec<_> =
                owners.iter().zip(&leaks).filter(|(_, &leak)| all_at_once || leak).map(|(o, _)| *o).collect();
            if stolen.is_empty() {
                continue;
            }
            let theft = QuorumTheft { stolen: &stolen, attack: k as u64, start: now, detect_at: now + detection_ms };
            out.timelocked = true;
            let (drained_at, ended) = theft.run(&mut ms, now + run_ms, &mut out.core_steps);
            if drained_at.is_some() {
                out.attack_loss += drain_share * self.tvl_usd;
            }
            out.attack_hours += (ended - now) as f64 / crate::params::HOUR_MS as f64;
            now = ended + 1;
        }
        out
    }

    /// A loss event and a run on the insurance fund around it.
    fn bank_run(
        &mut self,
        n_attacks: usize,
        loss_share: f64,
        run_share: f64,
        news_delay_hours: f64,
        claim_delay_hours: f64,
    ) -> PathOutcome {
        let mut out = PathOutcome::default();
        if n_attacks == 0 {
            return out;
        }
        let p = &self.cfg.protocol;
        if self.layer == Layer::Absent {
            // No fund and no layer: the protocol bears every hack whole.
            out.attack_loss = n_attacks as f64 * loss_share * p.fund_capital_usd;
            return out;
        }
        let mut fund = self.fund0.clone();
        fund.set_active_cover(self.units.native(p.active_cover_usd));
        let stake = self.units.native(p.fund_capital_usd / STAKERS as f64);
        let mut holders: [Holder; STAKERS] = Default::default();
        for h in holders.iter_mut() {
            let _ = fund.deposit(h, stake);
            out.core_steps += 1;
        }
        let runners = ((run_share * STAKERS as f64).round() as usize).min(STAKERS);
        // The hack trips the breaker (a guardian's trip); exits ask it
        // whether they must wait.
        let mut breaker = self.breaker0.clone();
        let fp = fund.params().clone();
        let mut t = T0;
        for _ in 0..n_attacks {
            let hack = t;
            let news = hack + hours_to_ms(news_delay_hours);
            let filed_at = hack + hours_to_ms(claim_delay_hours);
            let paid_at = filed_at + hours_to_ms(CLAIM_APPROVAL_HOURS);
            let loss = self.units.native(loss_share * p.fund_capital_usd);
            let end = (news + fp.exit_cooldown_ms + fp.exit_window_ms).max(paid_at) + 1;
            let mut claim = None;
            let mut paid: Balance = 0;
            let mut tripped = false;
            // Hourly ticks: file, approve and pay the claim; runners retry exits.
            let mut now = t;
            while now <= end {
                if claim.is_none() && now >= filed_at {
                    out.core_steps += 1;
                    claim = fund.file_claim([0xcc; 32], loss, now).ok();
                }
                if let Some(c) = claim.as_mut().filter(|_| now >= paid_at) {
                    if fund.approve_claim(c).is_ok() {
                        out.core_steps += 2;
                        paid = fund.pay_claim(c).map(|po| po.paid).unwrap_or(0);
                    }
                }
                if !tripped && now >= hack {
                    breaker.trip(hack);
                    tripped = true;
                    out.escalated = true;
                }
                // Runners ask to leave as soon as the hack is public.
                if now >= news && now < news + crate::params::HOUR_MS {
                    for h in holders.iter_mut().take(runners) {
                        out.core_steps += 1;
                        let all = h.shares;
                        let _ = fund.request_exit(h, all, now);
                    }
                }
                let blocked = breaker.blocks_exits(now);
                for h in holders.iter_mut().take(runners) {
                    // Core decides whether the cooldown has passed.
                    if h.exit.is_some() {
                        out.core_steps += 1;
                        let _ = fund.complete_exit(h, now, blocked);
                    }
                }
                now += crate::params::HOUR_MS;
            }
            // The damage: the part of the loss nobody covered, neither the
            // excess-of-loss layer (its ceded part) nor the fund (what it
            // paid of its retained, capped part, short by the run).
            let ceded = claim.as_ref().map_or(0, |c| c.ceded);
            out.claimed += self.units.native_usd(loss);
            out.attack_loss += self.units.native_usd(loss.saturating_sub(ceded).saturating_sub(paid));
            t = end;
        }
        out
    }
}

/// One key compromise: a thief holding `stolen` keys against honest
/// vetoers who act once the compromise is detected, at `detect_at`.
///
/// The thief plays the strongest strategy against the rising veto
/// threshold: it proposes `max_threshold + 1` identical Critical drains at
/// once (more than the cap, so that cancels alone would exhaust the veto
/// if each raised it), executes each at its eta, and whenever the vetoers
/// have cancelled all of them it proposes a new batch at the first moment
/// a cancel can raise the threshold again (a Critical timelock after the
/// last rise: an earlier batch would be cancelled for nothing). The
/// vetoers veto every pending proposal, each of them, even when a vote
/// does not cancel it (it counts whenever the threshold in force falls to
/// it), and cancel whatever core says is vetoed. Whether anything
/// executes, and when, is core's answer.
struct QuorumTheft<'s> {
    stolen: &'s [AccountId],
    /// Which attack of the path: distinguishes its call hashes.
    attack: u64,
    start: Timestamp,
    detect_at: Timestamp,
}

impl QuorumTheft<'_> {
    /// Plays the theft until a drain executes or `until`: when the drain
    /// executed (if it did) and when the attack ended.
    fn run(&self, ms: &mut Multisig, until: Timestamp, core_steps: &mut u64) -> (Option<Timestamp>, Timestamp) {
        let batch = ms.params().veto.max_threshold as usize + 1;
        let critical_ms = ms.params().timelocks.critical_ms;
        let call = Action::Call(CallSpec { target: BREAKER_ADDR, selector: SET_PARAMS, input: Vec::new(), value: 0 });
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&self.attack.to_le_bytes());
        let mut pending: Vec<Proposal> = Vec::new();
        let mut propose_at = Some(self.start);
        let mut now = self.start;
        loop {
            // The next moment anything can happen: a batch, the detection,
            // or the earliest eta.
            let next_eta = pending.iter().map(|p| p.eta).min();
            let detection = (now < self.detect_at).then_some(self.detect_at);
            let Some(t) = [propose_at, detection, next_eta].into_iter().flatten().min() else { return (None, now) };
            if t > until {
                return (None, until);
            }
            now = t;
            if propose_at == Some(now) {
                propose_at = None;
                for _ in 0..batch {
                    *core_steps += 1;
                    let Ok(mut p) = ms.propose(self.stolen[0], call.clone(), None, hash, now) else {
                        return (None, now);
                    };
                    for owner in &self.stolen[1..] {
                        *core_steps += 1;
                        let _ = ms.approve(&mut p, *owner, &hash, now);
                    }
                    // Keys short of a quorum can never execute it: the
                    // thief reads that from core and stops.
                    *core_steps += 1;
                    if ms.check_executable(&p, None, p.eta) == Err(MultisigError::NotEnoughApprovals) {
                        return (None, now);
                    }
                    pending.push(p);
                }
            }
            if now >= self.detect_at {
                self.vetoers_act(ms, &mut pending, now, core_steps);
            }
            // The thief executes what is ready, oldest first; the malicious
            // call succeeds on its target.
            let mut i = 0;
            while i < pending.len() {
                if pending[i].eta > now {
                    i += 1;
                    continue;
                }
                let mut p = pending.remove(i);
                *core_steps += 1;
                match ms.execute(&mut p, None, now) {
                    Ok(Execution::Call(_)) => {
                        *core_steps += 1;
                        if ms.finish_call(&mut p, true).is_ok() {
                            return (Some(now), now);
                        }
                    }
                    Err(MultisigError::Vetoed) => {
                        *core_steps += 1;
                        let _ = ms.cancel_vetoed(&mut p, now);
                    }
                    // Without a quorum (or refused by the guard) no
                    // proposal of this thief can ever execute.
                    _ => return (None, now),
                }
            }
            if pending.is_empty() && propose_at.is_none() {
                let due = ms.veto_threshold_raised_at().map_or(now, |r| r.saturating_add(critical_ms));
                propose_at = Some(due.max(now));
            }
        }
    }

    /// Every vetoer vetoes every pending proposal it has not vetoed; then
    /// what core says is vetoed is cancelled. Cancelled proposals leave.
    fn vetoers_act(&self, ms: &mut Multisig, pending: &mut Vec<Proposal>, now: Timestamp, core_steps: &mut u64) {
        let vetoers = ms.params().veto.vetoers.clone();
        for p in pending.iter_mut() {
            for v in &vetoers {
                if p.status != ProposalStatus::Pending || p.vetoes.contains(v) {
                    continue;
                }
                *core_steps += 1;
                let _ = ms.veto(p, *v, now);
            }
            if p.status == ProposalStatus::Pending && ms.is_vetoed(p) {
                *core_steps += 1;
                let _ = ms.cancel_vetoed(p, now);
            }
        }
        pending.retain(|p| p.status == ProposalStatus::Pending);
    }
}

#[cfg(test)]
mod tests {
    use super::bad_debt_share;

    /// The closed form equals the average shortfall over the spread of
    /// loan-to-values, integrated numerically; no fall, no bad debt; a
    /// total collapse loses the whole book.
    #[test]
    fn bad_debt_share_averages_the_shortfall_over_the_book() {
        let c = 0.8;
        for r in [0.0, 0.1, 0.3, 0.4, 0.55, 0.7, 0.79, 0.8, 1.0, 1.5] {
            let steps = 200_000;
            let numeric: f64 = (0..steps)
                .map(|i| {
                    let l = c / 2.0 + (c / 2.0) * (f64::from(i) + 0.5) / f64::from(steps);
                    (1.0 - r / l).max(0.0)
                })
                .sum::<f64>()
                / f64::from(steps);
            assert!((bad_debt_share(r, c) - numeric).abs() < 1e-6, "r {r}: {} vs {numeric}", bad_debt_share(r, c));
        }
        assert_eq!(bad_debt_share(1.0, c), 0.0);
        assert_eq!(bad_debt_share(0.0, c), 1.0);
    }
}

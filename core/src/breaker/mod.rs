//! # Circuit breaker
//!
//! Rate-limits value leaving a protocol and trips on price faults. Pausing is
//! cheap and unpausing is hard: trips happen automatically or by one
//! guardian, while [`CircuitBreaker::reset`], [`CircuitBreaker::unpause`] and
//! [`CircuitBreaker::anchor_price`] are separate operations a contract gives
//! to a stronger authority.
//!
//! State is split so a contract can store it cheaply: one [`CircuitBreaker`]
//! (params, level, pauses) plus one [`AssetFlow`] per asset.
//!
//! An outflow is decided by [`CircuitBreaker::check_outflow`], in this order:
//! 1. pause scopes (global, asset, selector);
//! 2. the level: nothing leaves while Halted;
//! 3. the tracked balance must cover the amount;
//! 4. the price must exist, be fresh (else the breaker throttles) and lie in
//!    the band (else it halts);
//! 5. the part not covered by the account's own recent deposits (its elastic
//!    inflow buffer) is valued at the last price and must fit every rolling
//!    window.
//!
//! **Inflows and outflows are per account.** The protected protocol passes
//! the [`AccountFlow`] of the account that deposits or withdraws. An outflow
//! leaves uncounted only from that account's own recent deposits, and a
//! deposit pays back only that account's own counted outflow. So one withdrawer takes at most the windows' limits plus
//! what it deposited itself: other users' fresh deposits open no room for it
//! (with a shared buffer, a drainer took 1.96x the daily limit in 24 h of
//! honest deposits; `griefing.rs` measures it).
//!
//! **Escalation counts only value that actually left, and stayed out.**
//! An *allowed* outflow that leaves a window saturated (at least
//! [`SATURATION_BPS`] of its limit at the current level) raises the level
//! one stage (Normal -> Throttled -> Halted). A refused request only
//! refuses: it moves nothing, so it raises nothing. Two rules keep an actor
//! that recycles its capital (withdraw, deposit back, repeat: a round trip
//! costs nothing) from raising it:
//! - **windows count net outflow per account.** A deposit first pays back
//!   what each window still counts of the depositor's own outflow (newest
//!   outflows first, never below zero, at a usable price); only the rest
//!   joins its buffer, from which it may leave again uncounted. So capital
//!   that leaves and returns is counted no more, however often it goes
//!   round;
//! - **a window escalates only if its limit at Normal is at least
//!   `min_escalating_limit`.** A smaller window (a floor, or a sliver of a
//!   small asset) still rate-limits, but the level it would raise is shared
//!   by every asset and by the fund's exits;
//! - **value that comes back takes its escalation back.** The account whose
//!   saturating outflow raised the level lowers it again by depositing
//!   that many tokens back, once the level is back at the state that
//!   escalation left ([`LevelState::undo`]: anyone else's escalation since
//!   keeps it until taken back too, in whichever order they come back; a
//!   trip, a price fault or a reset since keeps it until it expires).
//!   A drain does not bring its loot back, so it stays stopped.
//!
//! So an actor holding less than `SATURATION_BPS × min_escalating_limit`
//! (with no one else's outflow in the window) cannot raise the level from
//! Normal, whatever it withdraws and deposits back, and a larger one raises
//! it only while its capital is out (`griefing.rs` searches both). Without allowed outflows the level is back to Normal
//! within `halt_ms + throttle_ms` of the last escalation, whatever anyone
//! requests (a price fault from the oracle, a guardian's trip and a bonded
//! trip are the other ways up, and each has an accountable author).
//!
//! Each window's limit is `max(floor, max_bps_of_tvl × (TVL − buffer))` in
//! value units, scaled by `throttle_bps` while Throttled. TVL excludes
//! everyone's buffered deposits (the asset's buffer) so a flash-loan
//! deposit cannot raise the limit.

pub mod bond;
pub mod buffer;
pub mod level;
pub mod pause;
pub mod price;
pub mod window;

use crate::error::ParamError;
use crate::math::apply_bps;
use crate::types::{AssetId, Balance, Bps, Selector, Timestamp, BPS_DENOMINATOR};
use alloc::vec::Vec;

pub use crate::units::AssetUnits;
pub use bond::{BondBook, BondError, BondPolicy, BondedTrip, OwedRefund, TripId};
pub use buffer::ElasticBuffer;
pub use level::{Escalation, Level, LevelState};
pub use pause::{PauseError, PauseScope, PauseScopes};
pub use price::{PriceBandParams, PriceState, PriceVerdict, SMOOTHING_PERIOD_MS};
pub use window::{RollingWindow, BUCKETS};

use price::PriceFault;

/// Most windows an asset may have.
pub const MAX_WINDOWS: usize = 4;
/// Longest inflow-buffer decay: one week.
pub const MAX_INFLOW_DECAY_MS: u64 = 7 * 24 * 3_600_000;
/// A window whose real usage reaches this share of its limit is saturated,
/// and the allowed outflow that saturated it escalates the level. Below
/// 100% so that a limit-aware drain, which takes what `available_outflow`
/// shows (rounded down to whole token units), still escalates.
pub const SATURATION_BPS: Bps = 9_900;

/// One rolling window's limit: `max(floor, max_bps_of_tvl × TVL)`, by value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct WindowParams {
    /// Window length in ms; a multiple of [`BUCKETS`].
    pub length_ms: u64,
    /// Share of TVL that may leave per window.
    pub max_bps_of_tvl: Bps,
    /// Value that may always leave per window, however small the TVL.
    pub floor: Balance,
}

/// The outflow limiter's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct LimiterParams {
    /// 1 to [`MAX_WINDOWS`] windows; every one must admit an outflow.
    pub windows: Vec<WindowParams>,
    /// Decay time of the elastic inflow buffer (0 disables it).
    pub inflow_decay_ms: u64,
}

/// All of the breaker's parameters: the circuit_breaker contract's
/// constructor argument and a section of the simulator's `params.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct BreakerParams {
    pub limiter: LimiterParams,
    pub price: PriceBandParams,
    /// Limits while Throttled, as a share of normal limits.
    pub throttle_bps: Bps,
    /// How long a throttle lasts (also after each halt).
    pub throttle_ms: u64,
    /// How long a halt lasts before it expires on its own.
    pub halt_ms: u64,
    /// Smallest window limit, in value units at Normal, whose saturation
    /// raises the level. A smaller window still rate-limits, but filling
    /// it is no alarm: its limit is a floor or a sliver of a small asset,
    /// which an actor with that little capital could fill at will, and the
    /// level it would raise is shared by every asset and by the fund's
    /// exits. 0 lets every window escalate.
    pub min_escalating_limit: Balance,
}

impl BreakerParams {
    /// Checks every field against its allowed range.
    pub fn validate(&self) -> Result<(), ParamError> {
        let windows = &self.limiter.windows;
        if windows.is_empty() || windows.len() > MAX_WINDOWS {
            return Err(ParamError::WindowCount);
        }
        for w in windows {
            if !window::is_valid_length(w.length_ms) {
                return Err(ParamError::WindowLength);
            }
            if w.max_bps_of_tvl > BPS_DENOMINATOR {
                return Err(ParamError::WindowShare);
            }
            if w.max_bps_of_tvl == 0 && w.floor == 0 {
                return Err(ParamError::WindowEmpty);
            }
        }
        if self.limiter.inflow_decay_ms > MAX_INFLOW_DECAY_MS {
            return Err(ParamError::InflowDecay);
        }
        let p = &self.price;
        if p.max_deviation_bps == 0 || p.max_deviation_bps > BPS_DENOMINATOR {
            return Err(ParamError::PriceDeviation);
        }
        if p.max_staleness_ms == 0 {
            return Err(ParamError::PriceStaleness);
        }
        if p.reference_smoothing_bps == 0 || p.reference_smoothing_bps > BPS_DENOMINATOR {
            return Err(ParamError::PriceSmoothing);
        }
        if self.throttle_bps >= BPS_DENOMINATOR {
            return Err(ParamError::ThrottleShare);
        }
        if self.throttle_ms == 0 {
            return Err(ParamError::ThrottleDuration);
        }
        if self.halt_ms == 0 {
            return Err(ParamError::HaltDuration);
        }
        Ok(())
    }
}

/// Why an outflow was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Rejection {
    GlobalPause,
    AssetPaused,
    SelectorPaused,
    Halted,
    /// More than the breaker has seen flow in.
    ExceedsTrackedBalance,
    NoPrice,
    /// The price is older than `max_staleness_ms`; the breaker throttled.
    StalePrice,
    /// The last price lies outside the band; the breaker halted.
    PriceDeviation,
    /// Window `window` (index into `limiter.windows`) has no room for it.
    LimitExceeded {
        window: u8,
    },
    /// A value computation overflowed; nothing was changed.
    Overflow,
}

/// What an allowed outflow consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OutflowReceipt {
    /// Tokens covered by the elastic buffer (not counted in windows).
    pub from_buffer: Balance,
    /// Value counted against every window.
    pub counted_value: Balance,
}

/// The breaker's answer to an outflow request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Decision {
    Allowed(OutflowReceipt),
    Rejected(Rejection),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed(_))
    }
}

/// Errors of the breaker's bookkeeping operations (not of decisions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BreakerError {
    InvalidParams(ParamError),
    Pause(PauseError),
    ZeroPrice,
    /// A tracked balance or buffer would overflow.
    Overflow,
    /// A re-anchor range that is empty or starts at zero.
    EmptyAnchorRange,
    /// No oracle report within `max_staleness_ms` to re-anchor at.
    NoFreshReport,
    /// The oracle's latest report lies outside the range governance approved.
    ReportOutOfRange {
        price: Balance,
    },
}

impl From<PauseError> for BreakerError {
    fn from(e: PauseError) -> Self {
        Self::Pause(e)
    }
}

/// Flow state of one asset.
///
/// Invariants: `tvl` equals recorded inflows minus allowed outflows (plus
/// the initial balance); `windows` mirror `limiter.windows` one to one;
/// `units` are valid (checked when the asset is created); every account's
/// windows of this `generation` count, slot by slot, at most what these
/// windows count (see [`AccountFlow`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AssetFlow {
    /// How the asset's amounts and the oracle's prices are written.
    pub units: AssetUnits,
    /// Balance the breaker believes the protocol holds, in base units.
    pub tvl: Balance,
    pub windows: Vec<RollingWindow>,
    /// Everyone's recent inflows: excluded from the TVL the limits are a
    /// share of, and an upper bound on what all accounts draw uncounted.
    pub buffer: ElasticBuffer,
    pub price: PriceState,
    /// Bumped whenever `windows` are rebuilt (a parameter change of their
    /// lengths), so that accounts' windows of an older set are rebuilt too.
    pub generation: u32,
}

impl AssetFlow {
    /// Rebuilds windows whose length no longer matches the params (after a
    /// parameter change), keeping the others' counts.
    fn sync_windows(&mut self, params: &LimiterParams) {
        if !windows_match(&self.windows, params) {
            self.windows = params.windows.iter().map(|p| RollingWindow::new(p.length_ms)).collect();
            self.generation = self.generation.wrapping_add(1);
        }
    }

    /// Whether `account`'s windows mirror this asset's current windows.
    fn owns(&self, account: &AccountFlow) -> bool {
        account.generation == self.generation
            && account.windows.len() == self.windows.len()
            && account.windows.iter().zip(&self.windows).all(|(o, w)| o.bucket_ms() == w.bucket_ms())
    }

    /// Rebuilds `account`'s windows, empty, if they mirror another set.
    fn sync_account(&self, account: &mut AccountFlow) {
        if !self.owns(account) {
            account.windows =
                self.windows.iter().map(|w| RollingWindow::new(w.bucket_ms().saturating_mul(BUCKETS as u64))).collect();
            account.generation = self.generation;
        }
    }

    /// The most any window counts now of `account`'s own outflow (0 for
    /// windows of another set, which restart empty).
    fn own_count(&self, account: &AccountFlow, params: &LimiterParams, now: Timestamp) -> Balance {
        if !windows_match(&self.windows, params) || !self.owns(account) {
            return 0;
        }
        self.windows.iter().zip(&account.windows).map(|(w, own)| own_used(own, w, now)).max().unwrap_or(0)
    }

    /// Credits `value` (what `account` deposited back, valued now) to the
    /// windows, at most what each window still counts of `account`'s own
    /// outflow, from the same buckets of both (newest first): each window
    /// counts *net* outflow per account, so capital that leaves and comes
    /// back is counted no more, and nobody's deposit makes room for
    /// another's outflow.
    fn credit(&mut self, account: &mut AccountFlow, params: &LimiterParams, value: Balance, now: Timestamp) {
        self.sync_windows(params);
        self.sync_account(account);
        if value == 0 {
            return;
        }
        for (w, own) in self.windows.iter_mut().zip(account.windows.iter_mut()) {
            w.advance(now);
            own.advance_to_head(w.head());
            w.take(&own.credit(value));
        }
    }

    /// Value currently counted in each window (after advancing to `now`).
    pub fn window_usage(&self, now: Timestamp) -> impl Iterator<Item = Balance> + '_ {
        self.windows.iter().map(move |w| w.used_at(now))
    }
}

/// Whether `windows` mirror `params.windows`.
fn windows_match(windows: &[RollingWindow], params: &LimiterParams) -> bool {
    windows.len() == params.windows.len()
        && windows.iter().zip(&params.windows).all(|(w, p)| w.bucket_ms() == window::bucket_len(p.length_ms))
}

/// One account's own flow in one asset: what the protected protocol
/// passes with each inflow and outflow, for the account the funds come
/// from or go to.
///
/// Why per account: an outflow may leave uncounted only from the account's
/// own recent deposits, and a deposit pays back only the account's own
/// counted outflow. With a shared buffer and
/// shared credit, one withdrawer could take the windows' limits plus
/// everyone else's fresh deposits.
///
/// Invariants:
/// - `buffer` holds only this account's recorded inflows (the asset's
///   buffer holds everyone's);
/// - `windows` count this account's counted outflow, bucket for bucket
///   aligned with the asset's windows of `generation`, net of its credits;
///   each asset bucket counts at least what all accounts' do, so a credit
///   taken from both never takes another account's outflow;
/// - an empty account ([`AccountFlow::is_idle`]) may be dropped and
///   recreated with `default()` without changing any decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccountFlow {
    /// The account's recent deposits, which it may take back out uncounted.
    pub buffer: ElasticBuffer,
    /// The account's own counted outflow, which its deposits that stay offset.
    pub windows: Vec<RollingWindow>,
    /// The asset's window generation `windows` mirror.
    pub generation: u32,
    /// The escalation this account's saturating outflows caused, and the
    /// tokens of them not yet deposited back: once they all are, the
    /// escalation is taken back if the level is still the state it left.
    pub escalation: Option<(Escalation, Balance)>,
}

impl AccountFlow {
    /// Whether nothing of the account counts at `now`: no buffer left and
    /// no counted outflow in any window. A contract may then remove its
    /// storage; a fresh `default()` decides exactly the same.
    pub fn is_idle(&self, now: Timestamp, decay_ms: u64) -> bool {
        self.buffer.available(now, decay_ms) == 0 && self.windows.iter().all(|w| w.used_at(now) == 0)
    }
}

/// The breaker: parameters, level and pauses shared by all assets.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CircuitBreaker {
    params: BreakerParams,
    pub level: LevelState,
    pub pauses: PauseScopes,
}

impl CircuitBreaker {
    /// A breaker at Normal with nothing paused.
    pub fn new(params: BreakerParams) -> Result<Self, BreakerError> {
        params.validate().map_err(BreakerError::InvalidParams)?;
        Ok(Self { params, level: LevelState::default(), pauses: PauseScopes::default() })
    }

    pub fn params(&self) -> &BreakerParams {
        &self.params
    }

    /// Replaces the parameters (an admin operation). Windows whose length
    /// changed restart empty on the asset's next outflow.
    pub fn set_params(&mut self, params: BreakerParams) -> Result<(), BreakerError> {
        params.validate().map_err(BreakerError::InvalidParams)?;
        self.params = params;
        Ok(())
    }

    /// A new asset's flow state in `units`, starting from the protocol's
    /// current balance (in base units).
    pub fn new_asset(&self, units: AssetUnits, initial_tvl: Balance) -> Result<AssetFlow, BreakerError> {
        units.validate().map_err(BreakerError::InvalidParams)?;
        let mut flow = AssetFlow {
            units,
            tvl: initial_tvl,
            windows: Vec::new(),
            buffer: ElasticBuffer::default(),
            price: PriceState::default(),
            generation: 0,
        };
        flow.sync_windows(&self.params.limiter);
        Ok(flow)
    }

    pub fn level(&self, now: Timestamp) -> Level {
        self.level.at(now)
    }

    /// Whether insurance-fund exits must wait: while Halted, and under a
    /// global pause (a guardian's usual first response), stakers cannot
    /// leave ahead of the loss that caused it.
    pub fn blocks_exits(&self, now: Timestamp) -> bool {
        self.pauses.global || self.level.at(now) == Level::Halted
    }

    /// Halts now (a guardian's or a bonded tripper's cheap action).
    pub fn trip(&mut self, now: Timestamp) {
        self.level.halt(now, self.params.halt_ms, self.params.throttle_ms);
    }

    /// Returns to Normal at once (the hard direction: admin only).
    pub fn reset(&mut self) {
        self.level.reset();
    }

    /// Pauses `scope`. An asset scope must name a registered asset
    /// (`is_registered` answers from the caller's asset store): otherwise
    /// one guardian could fill the bounded asset list with made-up ids, and
    /// no real asset could be paused any more. With registered assets only,
    /// every entry is a real pause, and a list full of them blocks nothing
    /// unless more than [`MAX_PAUSED_ENTRIES`](pause::MAX_PAUSED_ENTRIES)
    /// assets are registered (the global pause still covers every asset).
    pub fn pause(&mut self, scope: PauseScope, is_registered: impl Fn(AssetId) -> bool) -> Result<(), BreakerError> {
        if let PauseScope::Asset(asset) = scope {
            if !is_registered(asset) {
                return Err(PauseError::UnknownAsset.into());
            }
        }
        Ok(self.pauses.pause(scope)?)
    }

    pub fn unpause(&mut self, scope: PauseScope) -> Result<(), BreakerError> {
        Ok(self.pauses.unpause(scope)?)
    }

    /// Whether a call on `asset` through `selector` is outside every pause.
    pub fn check_call(&self, asset: AssetId, selector: Selector) -> Result<(), Rejection> {
        if self.pauses.global {
            return Err(Rejection::GlobalPause);
        }
        if self.pauses.is_paused(PauseScope::Asset(asset)) {
            return Err(Rejection::AssetPaused);
        }
        if self.pauses.is_paused(PauseScope::Selector(selector)) {
            return Err(Rejection::SelectorPaused);
        }
        Ok(())
    }

    /// Records an oracle price. A price outside the band halts the breaker
    /// and leaves the reference where it was.
    pub fn report_price(
        &mut self,
        asset: &mut AssetFlow,
        price: Balance,
        now: Timestamp,
    ) -> Result<PriceVerdict, BreakerError> {
        if price == 0 {
            return Err(BreakerError::ZeroPrice);
        }
        let verdict = asset.price.report(price, now, &self.params.price);
        if let PriceVerdict::Deviated { .. } = verdict {
            self.trip(now);
        }
        Ok(verdict)
    }

    /// Sets the reference at `price` outright: a new asset's first price,
    /// before any oracle report. Re-anchoring a live asset goes through
    /// [`CircuitBreaker::reanchor`], which follows the oracle.
    pub fn anchor_price(&mut self, asset: &mut AssetFlow, price: Balance, now: Timestamp) -> Result<(), BreakerError> {
        if price == 0 {
            return Err(BreakerError::ZeroPrice);
        }
        asset.price.anchor(price, now);
        Ok(())
    }

    /// Re-anchors the reference at the oracle's latest report, if that
    /// report is fresh and lies in `[min_price, max_price]`, and returns it
    /// (admin only: after a real move, this is what lets outflows resume).
    ///
    /// Why a range and not a price: governance's call waits out the
    /// Critical timelock, and a price fixed when it was proposed is stale
    /// when it lands in a market that still moves, so the next report would
    /// fall out of band and halt again. A range approved then bounds what a
    /// manipulated oracle could set now, and within it the breaker follows
    /// the oracle. Out of range, nothing changes and the call fails, so the
    /// proposal stays executable until the oracle's report comes back into
    /// its range.
    pub fn reanchor(
        &mut self,
        asset: &mut AssetFlow,
        min_price: Balance,
        max_price: Balance,
        now: Timestamp,
    ) -> Result<Balance, BreakerError> {
        if min_price == 0 || min_price > max_price {
            return Err(BreakerError::EmptyAnchorRange);
        }
        let latest = asset.price.last;
        let fresh = latest > 0 && now.saturating_sub(asset.price.updated_at) <= self.params.price.max_staleness_ms;
        if !fresh {
            return Err(BreakerError::NoFreshReport);
        }
        if latest < min_price || latest > max_price {
            return Err(BreakerError::ReportOutOfRange { price: latest });
        }
        // Anchored at the report's own time: its staleness runs on as before.
        let reported_at = asset.price.updated_at;
        asset.price.anchor(latest, reported_at);
        Ok(latest)
    }

    /// Records funds entering the protocol from `account`. Always
    /// accepted, whatever the level, so the tracked balance stays true.
    ///
    /// The deposit first pays back what the windows still count of the
    /// account's own outflow (at most the most any window counts of it,
    /// valued at a usable price); the rest joins the asset's buffer and the
    /// account's own. And once the account has brought back the tokens
    /// whose outflow escalated, that escalation is taken back if the level
    /// is still the state it left.
    pub fn record_inflow(
        &mut self,
        asset: &mut AssetFlow,
        account: &mut AccountFlow,
        amount: Balance,
        now: Timestamp,
    ) -> Result<(), BreakerError> {
        let decay = self.params.limiter.inflow_decay_ms;
        let tvl = asset.tvl.checked_add(amount).ok_or(BreakerError::Overflow)?;
        let price = asset.price.usable(now, &self.params.price).ok();
        let repaid = price.map_or(0, |price| {
            let counted = asset.own_count(account, &self.params.limiter, now);
            asset.units.min_amount_covering(counted, price).map_or(amount, |tokens| tokens.min(amount))
        });
        let buffered = amount.saturating_sub(repaid);
        // An overflow in either fill must change nothing. When neither fill
        // can fail (`ElasticBuffer::can_fill`, the common case) both fill in
        // place; otherwise they are tried on copies, committed below.
        let staged = if asset.buffer.can_fill(buffered, decay) && account.buffer.can_fill(buffered, decay) {
            asset.buffer.fill(buffered, now, decay).ok_or(BreakerError::Overflow)?;
            account.buffer.fill(buffered, now, decay).ok_or(BreakerError::Overflow)?;
            None
        } else {
            let mut buffer = asset.buffer.clone();
            buffer.fill(buffered, now, decay).ok_or(BreakerError::Overflow)?;
            let mut own = account.buffer.clone();
            own.fill(buffered, now, decay).ok_or(BreakerError::Overflow)?;
            Some((buffer, own))
        };
        if let Some(price) = price {
            let value = asset.units.value_of(repaid, price).unwrap_or(Balance::MAX);
            asset.credit(account, &self.params.limiter, value, now);
        }
        if let Some((buffer, own)) = staged {
            asset.buffer = buffer;
            account.buffer = own;
        }
        asset.tvl = tvl;
        if let Some((escalation, owed)) = account.escalation.take() {
            match owed.saturating_sub(amount) {
                0 => {
                    self.level.undo(escalation);
                }
                left => account.escalation = Some((escalation, left)),
            }
        }
        Ok(())
    }

    /// Decides an outflow to `account` and, if allowed, records it. An
    /// allowed outflow that saturates a window, and a stale or deviated
    /// price, raise the level (see the module docs); that change is part of
    /// the decision and must be persisted by the caller, with `asset` and
    /// `account`.
    pub fn check_outflow(
        &mut self,
        asset_id: AssetId,
        asset: &mut AssetFlow,
        account: &mut AccountFlow,
        selector: Selector,
        amount: Balance,
        now: Timestamp,
    ) -> Decision {
        match self.decide(asset_id, asset, account, selector, amount, now) {
            Ok(receipt) => Decision::Allowed(receipt),
            Err(r) => Decision::Rejected(r),
        }
    }

    /// The limit of one window in value units at `level`.
    fn window_limit(&self, wp: &WindowParams, basis_value: Balance, level: Level) -> Option<Balance> {
        let limit = apply_bps(basis_value, wp.max_bps_of_tvl)?.max(wp.floor);
        if level == Level::Throttled {
            apply_bps(limit, self.params.throttle_bps)
        } else {
            Some(limit)
        }
    }

    /// Whether saturating this window raises the level: its limit at
    /// Normal is at least `min_escalating_limit`.
    fn escalates(&self, wp: &WindowParams, basis_value: Balance) -> Result<bool, Rejection> {
        let normal = self.window_limit(wp, basis_value, Level::Normal).ok_or(Rejection::Overflow)?;
        Ok(normal >= self.params.min_escalating_limit)
    }

    /// The largest amount (token units) that [`CircuitBreaker::check_outflow`]
    /// would allow right now, without changing anything: 0 when paused,
    /// halted or without a usable price. Protocols can show it to users as
    /// remaining capacity, and it is what a limit-aware attacker takes.
    pub fn available_outflow(
        &self,
        asset_id: AssetId,
        asset: &AssetFlow,
        account: &AccountFlow,
        selector: Selector,
        now: Timestamp,
    ) -> Balance {
        self.room(asset_id, asset, account, selector, now, false)
    }

    /// The largest amount (token units) that [`CircuitBreaker::check_outflow`]
    /// would allow right now without leaving any window saturated, so
    /// without raising the level: what a limit-aware attacker who avoids
    /// escalation takes. At most [`CircuitBreaker::available_outflow`].
    ///
    /// Why it is public: escalation on saturation stops a drain that takes
    /// everything it may; it does not stop one that stays below the mark,
    /// and the simulator must be able to attack the breaker that way.
    pub fn unsaturating_outflow(
        &self,
        asset_id: AssetId,
        asset: &AssetFlow,
        account: &AccountFlow,
        selector: Selector,
        now: Timestamp,
    ) -> Balance {
        self.room(asset_id, asset, account, selector, now, true)
    }

    /// [`CircuitBreaker::available_outflow`], or with `below_mark` its
    /// [`CircuitBreaker::unsaturating_outflow`]: each window's room ends one
    /// value unit below its saturation mark instead of at its limit.
    fn room(
        &self,
        asset_id: AssetId,
        asset: &AssetFlow,
        account: &AccountFlow,
        selector: Selector,
        now: Timestamp,
        below_mark: bool,
    ) -> Balance {
        let level = self.level.at(now);
        if self.check_call(asset_id, selector).is_err() || level == Level::Halted {
            return 0;
        }
        let Ok(price) = asset.price.usable(now, &self.params.price) else {
            return 0;
        };
        let decay = self.params.limiter.inflow_decay_ms;
        let buffered = asset.buffer.available(now, decay);
        let Some(basis_value) = asset.units.value_of(asset.tvl.saturating_sub(buffered), price) else {
            return 0;
        };
        // Windows that a parameter change replaced count as empty, as on the
        // next outflow, and so do the account's windows of another set.
        let in_sync = windows_match(&asset.windows, &self.params.limiter);
        let mut room = Balance::MAX;
        for (i, wp) in self.params.limiter.windows.iter().enumerate() {
            let used = if in_sync { asset.windows.get(i).map_or(0, |w| w.used_at(now)) } else { 0 };
            let Some(limit) = self.window_limit(wp, basis_value, level) else {
                return 0;
            };
            let Ok(escalates) = self.escalates(wp, basis_value) else {
                return 0;
            };
            let cap = if below_mark && escalates {
                // `decide` escalates when a window's use reaches the mark.
                let Some(mark) = apply_bps(limit, SATURATION_BPS) else {
                    return 0;
                };
                mark.saturating_sub(1)
            } else {
                limit
            };
            room = room.min(cap.saturating_sub(used));
        }
        // Only the account's own deposits leave uncounted.
        let own_buffered = own_buffered(account, buffered, now, decay);
        let counted_tokens = asset.units.max_amount_within(room, price).unwrap_or(Balance::MAX);
        counted_tokens.saturating_add(own_buffered).min(asset.tvl)
    }

    fn decide(
        &mut self,
        asset_id: AssetId,
        asset: &mut AssetFlow,
        account: &mut AccountFlow,
        selector: Selector,
        amount: Balance,
        now: Timestamp,
    ) -> Result<OutflowReceipt, Rejection> {
        self.check_call(asset_id, selector)?;
        let level = self.level.at(now);
        if level == Level::Halted {
            return Err(Rejection::Halted);
        }
        if amount > asset.tvl {
            return Err(Rejection::ExceedsTrackedBalance);
        }
        let p = &self.params;
        let price = match asset.price.usable(now, &p.price) {
            Ok(price) => price,
            Err(PriceFault::Missing) => return Err(Rejection::NoPrice),
            Err(PriceFault::Stale) => {
                self.level.throttle(now, p.throttle_ms);
                return Err(Rejection::StalePrice);
            }
            Err(PriceFault::Deviated) => {
                self.trip(now);
                return Err(Rejection::PriceDeviation);
            }
        };

        let decay = p.limiter.inflow_decay_ms;
        asset.sync_windows(&p.limiter);
        asset.sync_account(account);
        let buffered = asset.buffer.available(now, decay);
        let from_buffer = own_buffered(account, buffered, now, decay).min(amount);
        let counted_value =
            asset.units.value_of(amount.saturating_sub(from_buffer), price).ok_or(Rejection::Overflow)?;
        let basis_value = asset.units.value_of(asset.tvl.saturating_sub(buffered), price).ok_or(Rejection::Overflow)?;

        let mut limits = [0; MAX_WINDOWS];
        for (i, ((w, wp), limit)) in asset.windows.iter_mut().zip(&p.limiter.windows).zip(limits.iter_mut()).enumerate()
        {
            w.advance(now);
            *limit = self.window_limit(wp, basis_value, level).ok_or(Rejection::Overflow)?;
            let after = w.used().checked_add(counted_value).ok_or(Rejection::Overflow)?;
            // An outflow the buffer covers in full adds nothing to the window,
            // even if a shrinking TVL left the window above its limit. A
            // refusal changes nothing, the level included.
            if counted_value > 0 && after > *limit {
                // MAX_WINDOWS is 4, so the index fits in a u8.
                return Err(Rejection::LimitExceeded { window: u8::try_from(i).unwrap_or(u8::MAX) });
            }
        }
        // Every window admits it: commit. `add` cannot fail here because
        // each `used() + counted_value` was just checked, and an account's
        // window counts at most what the asset's does.
        let mut saturated = false;
        for (((w, own), wp), limit) in
            asset.windows.iter_mut().zip(account.windows.iter_mut()).zip(&p.limiter.windows).zip(limits)
        {
            w.add(counted_value).ok_or(Rejection::Overflow)?;
            own.advance_to_head(w.head());
            own.add(counted_value).ok_or(Rejection::Overflow)?;
            let mark = apply_bps(limit, SATURATION_BPS).ok_or(Rejection::Overflow)?;
            saturated |= counted_value > 0 && w.used() >= mark && self.escalates(wp, basis_value)?;
        }
        if saturated {
            // The account's earlier escalation, if any, follows from the
            // same cause: to take this one back it must bring back both
            // (`escalate` merges them, or has the earlier wait below).
            let (earlier, earlier_owed) = account.escalation.take().unzip();
            let escalation = self.level.escalate(now, p.halt_ms, p.throttle_ms, earlier);
            let owed = amount.saturating_sub(from_buffer).saturating_add(earlier_owed.unwrap_or(0));
            account.escalation = Some((escalation, owed));
        }
        asset.buffer.draw(from_buffer, now, decay);
        account.buffer.draw(from_buffer, now, decay);
        asset.tvl = asset.tvl.saturating_sub(amount);
        Ok(OutflowReceipt { from_buffer, counted_value })
    }
}

/// What of `account`'s own deposits may leave uncounted now: its buffer,
/// never more than everyone's (`buffered`, the asset's buffer), whose
/// tranches decay a little sooner.
fn own_buffered(account: &AccountFlow, buffered: Balance, now: Timestamp, decay_ms: u64) -> Balance {
    account.buffer.available(now, decay_ms).min(buffered)
}

/// What `own` (an account's window aligned with the asset's `w`) counts of
/// the window ending at `now`, as if advanced to `w`'s newest bucket first.
fn own_used(own: &RollingWindow, w: &RollingWindow, now: Timestamp) -> Balance {
    own.used_at(now.max(w.head().saturating_mul(w.bucket_ms())))
}

#[cfg(test)]
mod griefing;
#[cfg(test)]
mod tests;

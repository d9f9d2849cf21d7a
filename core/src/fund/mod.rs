//! # Insurance fund
//!
//! A capital pool whose stakers hold shares, pay out covered losses, and
//! cannot run before a loss lands. The insurance_fund contract stores one
//! [`InsuranceFund`], one [`Holder`] per staker and one [`Claim`] per id,
//! and calls these functions for every rule.
//!
//! - **Shares** are priced on *net* assets, `total_assets − liabilities`,
//!   where the liabilities are every filed or approved, unpaid claim's
//!   retained part (Aave's Safety Module, Nexus Mutual): a filed claim lowers
//!   the share price at once. A virtual offset (OpenZeppelin's ERC-4626
//!   defence) prices them: `shares = assets × (total_shares + V) /
//!   (net_assets + 1)`, rounding toward the pool.
//! - **Exits** wait `exit_cooldown_ms`, then stay claimable for
//!   `exit_window_ms`. An exit pays `min(value at request, value at exit)`
//!   (Drift): a leaver forgoes gains. The value at request counts the claims
//!   then undecided as rejected, and exits wait while any claim is undecided
//!   (Nexus Mutual), so a leaver bears exactly the claims approved before it
//!   is paid. One exit per holder at a time. Exits also wait while the
//!   breaker blocks them (halted, or globally paused), and when the payout
//!   would leave less than the solvency requirement plus the liabilities.
//! - **Solvency requirement**: `max(active_cover × solvency_target_bps, min_capital)`
//!   (Nexus Mutual's MCR).
//! - **Claims** are split by an excess-of-loss layer (the part above
//!   `attachment`, up to `limit`, is ceded to a reinsurer), capped per event,
//!   and approved or rejected once by the multisig; rejection withdraws a
//!   pending cession. Approved claims join the open payment round, which
//!   its first payment settles: in full while the free assets cover every
//!   liability, else, once no claim is undecided, at one ratio `free assets
//!   / the round's liabilities`, with those assets set aside.
//! - **Wipe-outs**: once a share is worth less than `1 / RETIREMENT_DIVISOR`
//!   of its first price, the next deposit retires the shares (a new
//!   generation) and is priced as into an empty pool.
//!
//! Guarantees (property-tested in `tests.rs` and fuzzed):
//! - **No transfer between holders.** Deposits and exits never lower the net
//!   value of a share, so no holder gains at a staying holder's expense; an
//!   exit never pays more than the shares' pro-rata value, and never while a
//!   claim is undecided; claims that are rejected move no value. Deposits
//!   wait while a claim is undecided and while liabilities exceed the
//!   assets. The one exception is a retirement, which hands the dust of a
//!   wiped-out generation (under a millionth of its first price) to the next.
//! - **Recapitalisation.** After any claims, a deposit of up to
//!   `u128::MAX / (virtual_shares × (RETIREMENT_DIVISOR + 1))` mints shares
//!   worth what it paid, to rounding.
//! - **One ratio per round.** Claims approved with no payment between their
//!   approvals are paid one ratio, whatever is filed later; with every claim
//!   filed before the decisions, the order of payments, approvals and
//!   rejections does not matter (up to one unit of rounding per claim).
//! - **Previews are exact.** `preview_deposit` is what a deposit mints and
//!   `preview_exit_cap` the value at request of an exit requested now.
//! - **Claims cannot get stuck on the reinsurer.** The retained part is
//!   filed and paid whatever the reinsurer does; a cession that failed stays
//!   pending for a retry, unless the claim is rejected: a rejected claim is
//!   never ceded.

mod claim;
#[cfg(test)]
mod tests;

pub use claim::{validate_ceding, Cession, Claim, ClaimId, ClaimStatus, ReinsuranceLayer};

use crate::error::ParamError;
use crate::math::{apply_bps, mul_div, ratio_bps};
use crate::types::{AccountId, Balance, Bps, Timestamp};

/// Largest virtual share offset.
pub const MAX_VIRTUAL_SHARES: Balance = 1_000_000_000_000_000_000;
/// Largest solvency target: 10× active cover.
pub const MAX_SOLVENCY_TARGET_BPS: Bps = 100_000;
/// Shares are retired once one is worth less than `1 / RETIREMENT_DIVISOR`
/// of its first price (`1 / virtual_shares` base units): after a wipe-out
/// they are worthless, and keeping them would make the next deposit mint
/// `assets × total_shares` shares, which overflows `u128` at chain units
/// and bricks the fund. Below this price the shares' whole value is under
/// a millionth of what they were first sold for.
pub const RETIREMENT_DIVISOR: Balance = 1_000_000;

/// The fund's parameters: the insurance_fund contract's constructor argument
/// and a section of `params.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct FundParams {
    /// Virtual shares `V` in the share price; 10^6 makes an inflation attack
    /// cost the attacker about a million times what it takes from a victim.
    pub virtual_shares: Balance,
    pub exit_cooldown_ms: u64,
    /// How long an exit stays claimable once its cooldown ends.
    pub exit_window_ms: u64,
    /// Required capital as a share of active cover.
    pub solvency_target_bps: Bps,
    /// Required capital however little cover is active.
    pub min_capital: Balance,
    /// Most the pool itself pays for one claim (after reinsurance).
    pub claim_cap_per_event: Balance,
    pub reinsurance: Option<ReinsuranceLayer>,
}

impl FundParams {
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.virtual_shares == 0 || self.virtual_shares > MAX_VIRTUAL_SHARES {
            return Err(ParamError::VirtualShares);
        }
        if self.exit_cooldown_ms == 0 {
            return Err(ParamError::ExitCooldown);
        }
        if self.exit_window_ms == 0 {
            return Err(ParamError::ExitWindow);
        }
        if self.solvency_target_bps > MAX_SOLVENCY_TARGET_BPS {
            return Err(ParamError::SolvencyTarget);
        }
        if self.claim_cap_per_event == 0 {
            return Err(ParamError::ClaimCap);
        }
        if matches!(self.reinsurance, Some(ReinsuranceLayer { limit: 0, .. })) {
            return Err(ParamError::ReinsuranceLayer);
        }
        Ok(())
    }
}

/// One staker's position: free shares and at most one pending exit.
///
/// Invariant: `shares + exit.shares` is what the holder owns while
/// `generation` is the fund's; the exit's shares are locked (still in
/// `total_shares`, so they bear losses). A holder of an earlier generation
/// owns nothing: its shares were retired as worthless
/// ([`InsuranceFund::holding`] reads it as empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Holder {
    /// Shares the holder may move or exit with.
    pub shares: Balance,
    pub exit: Option<ExitRequest>,
    /// The share generation these shares belong to.
    pub generation: u32,
}

impl Holder {
    /// Free and locked shares together.
    pub fn total_shares(&self) -> Balance {
        self.shares.saturating_add(self.exit.as_ref().map_or(0, |e| e.shares))
    }
}

/// A holder's pending exit. Its shares are locked: still counted in
/// `total_shares` (they bear losses) but no longer the holder's to move.
/// Invariant: `value_at_request` counts the claims undecided at the request
/// as rejected; the exit bears those that are approved through the value
/// at completion.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExitRequest {
    pub shares: Balance,
    /// Value of the shares when the exit was requested: the most it pays.
    pub value_at_request: Balance,
    pub unlock_at: Timestamp,
    /// First instant at which it can no longer complete.
    pub expires_at: Timestamp,
}

/// The approved claims whose payout ratio is fixed: every approved claim
/// of the rounds up to `through`, paid `assets / liabilities` of its
/// retained part whatever is filed, approved or paid later.
///
/// Invariant: `assets <= liabilities`; both are 0 once those claims are
/// paid; `assets` is set aside for them and is no holder's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Settlement {
    /// The last payment round settled.
    pub through: u64,
    /// Set aside for the settled claims not yet paid.
    pub assets: Balance,
    /// The retained parts of the settled claims not yet paid.
    pub liabilities: Balance,
}

/// Why a fund operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FundError {
    InvalidParams(ParamError),
    ZeroAmount,
    /// The deposit is too small to mint a single share.
    ZeroShares,
    InsufficientShares,
    /// The holder already has an exit in progress.
    ExitPending,
    NoExit,
    CooldownActive,
    ExitExpired,
    /// The exit can still complete, so it cannot be dropped yet.
    ExitStillOpen,
    /// The breaker is halted or globally paused.
    ExitsBlocked,
    /// Paying this exit would leave less than the requirement plus open claims.
    BelowSolvencyTarget,
    /// A claim is undecided: its outcome would move value between holders
    /// who joined or left before and after it, so deposits and exits wait.
    ClaimsUndecided,
    /// The open claims exceed the free assets: a deposit would raise their
    /// unsettled ratio, paying old claims.
    LiabilitiesExceedAssets,
    /// The pool is short and a claim is still undecided: pro-rata payments
    /// wait until every claim is approved or rejected.
    PaymentWaitsForDecisions,
    /// The claim's round can only be settled once the claims of the
    /// settled round (fixed at a lower ratio) are paid; anyone may pay them.
    EarlierRoundUnpaid,
    /// The claim is not in the state this operation needs.
    ClaimNotFiled,
    ClaimNotApproved,
    /// The claim has no ceded part waiting to be placed.
    NoPendingCession,
    /// The claim was rejected: its ceded part is never placed.
    ClaimRejected,
    /// `raise_active_cover` was given a lower cover, or `lower_active_cover`
    /// a higher one.
    CoverDirection,
    Overflow,
}

/// What an exit or claim payment moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Payout {
    /// Paid out of the pool.
    pub paid: Balance,
    /// Given up: an exit's forgone gain, or a claim's pro-rata haircut.
    pub withheld: Balance,
}

/// The pool.
///
/// Invariants: `total_assets` equals deposits + premiums − exit payouts −
/// claim payments; `total_shares` equals the shares of the current
/// `generation` minted minus those burned; `undecided` and `approved` equal
/// the retained parts of the filed and of the approved, unsettled claims;
/// approved claims carry the open `round`, and those of rounds up to
/// `settled.through` are paid from `settled`.
/// A deposit prices against the shares only while `net_assets ≥
/// total_shares / (virtual_shares × RETIREMENT_DIVISOR)` (else it retires
/// them first), so it mints fewer than `assets × virtual_shares ×
/// (RETIREMENT_DIVISOR + 1)` shares.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InsuranceFund {
    params: FundParams,
    total_assets: Balance,
    total_shares: Balance,
    active_cover: Balance,
    undecided: Balance,
    approved: Balance,
    next_claim: ClaimId,
    /// Bumped each time worthless shares are retired.
    generation: u32,
    /// The payment round that approvals join now; it closes when one of its
    /// claims is first paid.
    round: u64,
    settled: Settlement,
}

impl InsuranceFund {
    pub fn new(params: FundParams) -> Result<Self, FundError> {
        params.validate().map_err(FundError::InvalidParams)?;
        Ok(Self {
            params,
            total_assets: 0,
            total_shares: 0,
            active_cover: 0,
            undecided: 0,
            approved: 0,
            next_claim: 0,
            generation: 0,
            round: 1,
            settled: Settlement::default(),
        })
    }

    pub fn params(&self) -> &FundParams {
        &self.params
    }
    /// Replaces the parameters. `virtual_shares` is part of every share's
    /// price, so it cannot change while shares exist.
    pub fn set_params(&mut self, params: FundParams) -> Result<(), FundError> {
        params.validate().map_err(FundError::InvalidParams)?;
        if self.total_shares > 0 && params.virtual_shares != self.params.virtual_shares {
            return Err(FundError::InvalidParams(ParamError::VirtualSharesLocked));
        }
        self.params = params;
        Ok(())
    }
    pub fn total_assets(&self) -> Balance {
        self.total_assets
    }
    pub fn total_shares(&self) -> Balance {
        self.total_shares
    }
    pub fn active_cover(&self) -> Balance {
        self.active_cover
    }
    /// The liabilities: retained parts of claims filed or approved and not
    /// yet paid.
    pub fn reserved(&self) -> Balance {
        self.undecided.saturating_add(self.approved).saturating_add(self.settled.liabilities)
    }
    /// The claims whose payout ratio is fixed.
    pub fn settled(&self) -> &Settlement {
        &self.settled
    }
    /// The payment round that approvals join now.
    pub fn round(&self) -> u64 {
        self.round
    }
    /// Retained parts of the claims still awaiting a decision.
    pub fn undecided(&self) -> Balance {
        self.undecided
    }
    /// Assets net of liabilities: what the shares are worth together. The
    /// settled claims are owed only the assets set aside for them.
    pub fn net_assets(&self) -> Balance {
        self.free_assets().saturating_sub(self.undecided.saturating_add(self.approved))
    }

    /// What the pool owes: the assets set aside for settled claims plus the
    /// retained parts of the open (undecided or unsettled approved) claims.
    /// At most `reserved()`: a settled claim is owed only its ratio.
    pub fn owed(&self) -> Balance {
        self.settled.assets.saturating_add(self.undecided).saturating_add(self.approved)
    }

    /// Assets not set aside for settled claims.
    fn free_assets(&self) -> Balance {
        self.total_assets.saturating_sub(self.settled.assets)
    }

    /// Sets the cover the pool currently backs (an admin operation). The
    /// fund contract exposes it only as [`InsuranceFund::raise_active_cover`]
    /// and [`InsuranceFund::lower_active_cover`], so that the multisig can
    /// run the two at different classes.
    pub fn set_active_cover(&mut self, cover: Balance) {
        self.active_cover = cover;
    }

    /// Sets the cover to `cover`, no lower than it is: raising it only
    /// raises the capital the pool must keep (Standard class).
    pub fn raise_active_cover(&mut self, cover: Balance) -> Result<(), FundError> {
        if cover < self.active_cover {
            return Err(FundError::CoverDirection);
        }
        self.active_cover = cover;
        Ok(())
    }

    /// Sets the cover to `cover`, no higher than it is: lowering it lowers
    /// the capital the pool must keep and so re-opens exits (Critical class).
    pub fn lower_active_cover(&mut self, cover: Balance) -> Result<(), FundError> {
        if cover > self.active_cover {
            return Err(FundError::CoverDirection);
        }
        self.active_cover = cover;
        Ok(())
    }

    /// Capital the pool must keep: `max(cover × target, min_capital)`.
    pub fn required_capital(&self) -> Balance {
        apply_bps(self.active_cover, self.params.solvency_target_bps)
            .unwrap_or(Balance::MAX)
            .max(self.params.min_capital)
    }

    /// Assets over (requirement + open claims), in bps of that sum; u32::MAX
    /// when nothing is required.
    pub fn coverage_bps(&self) -> Bps {
        ratio_bps(self.total_assets, self.required_capital().saturating_add(self.reserved()))
    }

    /// The current share generation.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The holder as it stands now: itself if its shares are of the current
    /// generation, else empty (its shares were retired as worthless).
    pub fn holding(&self, holder: &Holder) -> Holder {
        if holder.generation == self.generation {
            holder.clone()
        } else {
            Holder { generation: self.generation, ..Holder::default() }
        }
    }

    /// Whether the shares are worthless enough to retire: a share is worth
    /// less than `1 / RETIREMENT_DIVISOR` of its first price.
    pub fn shares_worthless(&self) -> bool {
        let per_unit = self.params.virtual_shares.saturating_mul(RETIREMENT_DIVISOR);
        self.total_shares.checked_div(per_unit).is_some_and(|floor| self.net_assets() < floor)
    }

    /// The share supply a deposit now prices against: none if the current
    /// shares are about to be retired.
    fn pricing_shares(&self) -> Balance {
        if self.shares_worthless() {
            0
        } else {
            self.total_shares
        }
    }

    /// Shares that `assets` would mint now (rounded down), priced on net
    /// assets, after retiring worthless shares.
    pub fn preview_deposit(&self, assets: Balance) -> Option<Balance> {
        mul_div(
            assets,
            self.pricing_shares().checked_add(self.params.virtual_shares)?,
            self.net_assets().checked_add(1)?,
        )
    }

    /// Net assets that `shares` are worth now (rounded down).
    pub fn preview_redeem(&self, shares: Balance) -> Option<Balance> {
        mul_div(shares, self.net_assets().checked_add(1)?, self.total_shares.checked_add(self.params.virtual_shares)?)
    }

    /// What `shares` are worth if every undecided claim is rejected: the
    /// most an exit requested now can pay (its `value_at_request`). An
    /// undecided claim is valued at its decision, not at its filing, so a
    /// leaver bears it only if it is approved.
    pub fn preview_exit_cap(&self, shares: Balance) -> Option<Balance> {
        let if_rejected = self.free_assets().saturating_sub(self.approved);
        mul_div(shares, if_rejected.checked_add(1)?, self.total_shares.checked_add(self.params.virtual_shares)?)
    }

    /// Adds `assets` for `holder` and returns the shares minted to it. If
    /// the shares are worthless ([`Self::shares_worthless`]: a wipe-out
    /// left at most dust), they are retired first: a new generation starts,
    /// the dust stays in the pool, and the deposit is priced as into an
    /// empty pool, so a wiped-out fund can always be recapitalised.
    pub fn deposit(&mut self, holder: &mut Holder, assets: Balance) -> Result<Balance, FundError> {
        if assets == 0 {
            return Err(FundError::ZeroAmount);
        }
        if self.undecided > 0 {
            return Err(FundError::ClaimsUndecided);
        }
        if self.total_assets < self.owed() {
            return Err(FundError::LiabilitiesExceedAssets);
        }
        let generation = if self.shares_worthless() {
            self.generation.checked_add(1).ok_or(FundError::Overflow)?
        } else {
            self.generation
        };
        let shares = self.preview_deposit(assets).ok_or(FundError::Overflow)?;
        if shares == 0 {
            return Err(FundError::ZeroShares);
        }
        let total_assets = self.total_assets.checked_add(assets).ok_or(FundError::Overflow)?;
        let total_shares = self.pricing_shares().checked_add(shares).ok_or(FundError::Overflow)?;
        let mut current =
            if holder.generation == generation { holder.clone() } else { Holder { generation, ..Holder::default() } };
        current.shares = current.shares.checked_add(shares).ok_or(FundError::Overflow)?;
        self.total_assets = total_assets;
        self.total_shares = total_shares;
        self.generation = generation;
        *holder = current;
        Ok(shares)
    }

    /// Premiums (and slashed bonds) raise every share's value; no shares mint.
    pub fn add_premium(&mut self, assets: Balance) -> Result<(), FundError> {
        if assets == 0 {
            return Err(FundError::ZeroAmount);
        }
        self.total_assets = self.total_assets.checked_add(assets).ok_or(FundError::Overflow)?;
        Ok(())
    }

    /// Starts an exit of `shares` of the holder's free shares; they are
    /// locked in the request. One exit per holder at a time.
    pub fn request_exit(&self, holder: &mut Holder, shares: Balance, now: Timestamp) -> Result<ExitRequest, FundError> {
        let mut current = self.holding(holder);
        if current.exit.is_some() {
            return Err(FundError::ExitPending);
        }
        if shares == 0 {
            return Err(FundError::ZeroAmount);
        }
        if shares > current.shares {
            return Err(FundError::InsufficientShares);
        }
        let value_at_request = self.preview_exit_cap(shares).ok_or(FundError::Overflow)?;
        let unlock_at = now.checked_add(self.params.exit_cooldown_ms).ok_or(FundError::Overflow)?;
        let expires_at = unlock_at.checked_add(self.params.exit_window_ms).ok_or(FundError::Overflow)?;
        let req = ExitRequest { shares, value_at_request, unlock_at, expires_at };
        current.shares = current.shares.saturating_sub(shares);
        current.exit = Some(req.clone());
        *holder = current;
        Ok(req)
    }

    /// Completes the holder's exit: burns its shares and pays
    /// `min(value at request, value now)`, both net of decided liabilities.
    /// It waits while a claim is undecided (as Nexus Mutual's withdrawals
    /// do): paid net of a claim later rejected, the leaver would hand its
    /// part of that claim to the stayers. The request is spent on success
    /// and kept on any error.
    pub fn complete_exit(
        &mut self,
        holder: &mut Holder,
        now: Timestamp,
        exits_blocked: bool,
    ) -> Result<Payout, FundError> {
        let mut current = self.holding(holder);
        let req = current.exit.as_ref().ok_or(FundError::NoExit)?;
        if now < req.unlock_at {
            return Err(FundError::CooldownActive);
        }
        if now >= req.expires_at {
            return Err(FundError::ExitExpired);
        }
        if exits_blocked {
            return Err(FundError::ExitsBlocked);
        }
        if self.undecided > 0 {
            return Err(FundError::ClaimsUndecided);
        }
        let value_now = self.preview_redeem(req.shares).ok_or(FundError::Overflow)?;
        let paid = value_now.min(req.value_at_request);
        let left = self.total_assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        if left < self.required_capital().saturating_add(self.owed()) {
            return Err(FundError::BelowSolvencyTarget);
        }
        let total_shares = self.total_shares.checked_sub(req.shares).ok_or(FundError::InsufficientShares)?;
        self.total_assets = left;
        self.total_shares = total_shares;
        current.exit = None;
        *holder = current;
        Ok(Payout { paid, withheld: value_now.saturating_sub(paid) })
    }

    /// Drops the holder's exit once its window closed; its shares become
    /// free again. Returns how many.
    pub fn expire_exit(&self, holder: &mut Holder, now: Timestamp) -> Result<Balance, FundError> {
        let mut current = self.holding(holder);
        let req = current.exit.as_ref().ok_or(FundError::NoExit)?;
        if now < req.expires_at {
            return Err(FundError::ExitStillOpen);
        }
        let back = req.shares;
        current.shares = current.shares.checked_add(back).ok_or(FundError::Overflow)?;
        current.exit = None;
        *holder = current;
        Ok(back)
    }

    /// Files a claim for `loss`: splits it with the reinsurance layer, caps
    /// the pool's part, and counts that part as a liability at once.
    pub fn file_claim(&mut self, claimant: AccountId, loss: Balance, now: Timestamp) -> Result<Claim, FundError> {
        if loss == 0 {
            return Err(FundError::ZeroAmount);
        }
        let ceded = self.params.reinsurance.as_ref().map_or(0, |l| l.ceded(loss));
        let retained = loss.saturating_sub(ceded).min(self.params.claim_cap_per_event);
        let undecided = self.undecided.checked_add(retained).ok_or(FundError::Overflow)?;
        undecided
            .checked_add(self.approved)
            .and_then(|open| open.checked_add(self.settled.liabilities))
            .ok_or(FundError::Overflow)?;
        let id = self.next_claim;
        self.next_claim = id.checked_add(1).ok_or(FundError::Overflow)?;
        self.undecided = undecided;
        let cession = if ceded > 0 { Cession::Pending } else { Cession::None };
        Ok(Claim { id, claimant, loss, retained, ceded, cession, filed_at: now, status: ClaimStatus::Filed, round: 0 })
    }

    /// The multisig approved the claim. Approval is final; the claim joins
    /// the open payment round.
    pub fn approve_claim(&mut self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.status != ClaimStatus::Filed {
            return Err(FundError::ClaimNotFiled);
        }
        let approved = self.approved.checked_add(claim.retained).ok_or(FundError::Overflow)?;
        self.undecided = self.undecided.saturating_sub(claim.retained);
        self.approved = approved;
        claim.status = ClaimStatus::Approved;
        claim.round = self.round;
        Ok(())
    }

    /// The claim is refused; its reservation is released to the holders and
    /// the other claims, and a cession still pending is withdrawn (a
    /// rejected loss must not land on the reinsurer). Only an undecided
    /// claim can be rejected.
    pub fn reject_claim(&mut self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.status != ClaimStatus::Filed {
            return Err(FundError::ClaimNotFiled);
        }
        self.undecided = self.undecided.saturating_sub(claim.retained);
        claim.status = ClaimStatus::Rejected;
        if claim.cession == Cession::Pending {
            claim.cession = Cession::Withdrawn;
        }
        Ok(())
    }

    /// Pays an approved claim. The first payment of a round settles it:
    /// its claims' ratio is fixed at 1 if the free assets cover every open
    /// liability (undecided claims included), else, once no claim is
    /// undecided, at `free assets / the round's liabilities`. Every claim of
    /// a settled round is paid `retained × assets / liabilities` of the
    /// settlement, a ratio that paying another of them does not change, so
    /// claims decided in one round share one ratio whatever the order of
    /// payments and whatever is filed after. A round fixed below 1 must be
    /// paid in full before the next settles; rounds fixed at 1 merge.
    pub fn pay_claim(&mut self, claim: &mut Claim) -> Result<Payout, FundError> {
        if claim.status != ClaimStatus::Approved {
            return Err(FundError::ClaimNotApproved);
        }
        let mut settled = self.settled.clone();
        let (mut approved, mut round) = (self.approved, self.round);
        if claim.round > settled.through {
            let free = self.free_assets();
            let assets = if free >= self.undecided.saturating_add(approved) {
                if settled.assets != settled.liabilities {
                    return Err(FundError::EarlierRoundUnpaid);
                }
                approved
            } else if self.undecided > 0 {
                return Err(FundError::PaymentWaitsForDecisions);
            } else if settled.liabilities > 0 {
                return Err(FundError::EarlierRoundUnpaid);
            } else {
                free
            };
            settled = Settlement {
                through: round,
                assets: settled.assets.checked_add(assets).ok_or(FundError::Overflow)?,
                liabilities: settled.liabilities.checked_add(approved).ok_or(FundError::Overflow)?,
            };
            approved = 0;
            round = round.checked_add(1).ok_or(FundError::Overflow)?;
        }
        // A claim wholly ceded retains nothing (and may be all its round holds).
        let paid = if claim.retained == 0 {
            0
        } else {
            mul_div(claim.retained, settled.assets, settled.liabilities).ok_or(FundError::Overflow)?
        };
        settled.assets = settled.assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        settled.liabilities = settled.liabilities.checked_sub(claim.retained).ok_or(FundError::Overflow)?;
        self.total_assets = self.total_assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        self.settled = settled;
        self.approved = approved;
        self.round = round;
        claim.status = ClaimStatus::Paid { paid };
        Ok(Payout { paid, withheld: claim.retained.saturating_sub(paid) })
    }

    /// The reinsurer accepted the claim's ceded part. Refused for a rejected
    /// claim even if its cession still reads `Pending` (a claim stored
    /// before rejections withdrew cessions).
    pub fn record_cession(&self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.status == ClaimStatus::Rejected {
            return Err(FundError::ClaimRejected);
        }
        if claim.cession != Cession::Pending {
            return Err(FundError::NoPendingCession);
        }
        claim.cession = Cession::Placed;
        Ok(())
    }
}

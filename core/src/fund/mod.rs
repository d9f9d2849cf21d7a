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
//!   `exit_window_ms`. An exit pays `min(value at request, value at exit)`,
//!   both net of liabilities (Drift): a leaver forgoes gains but still bears
//!   every loss filed before it is paid. One exit per holder at a time.
//!   Exits wait while the breaker blocks them (halted, or globally paused),
//!   and when the payout would leave less than the solvency requirement plus
//!   the liabilities.
//! - **Solvency requirement**: `max(active_cover × solvency_target_bps, min_capital)`
//!   (Nexus Mutual's MCR).
//! - **Claims** are split by an excess-of-loss layer (the part above
//!   `attachment`, up to `limit`, is ceded to a reinsurer), capped per event,
//!   approved or rejected once by the multisig, and paid in full while the
//!   pool covers every liability. When it does not, payment waits until no
//!   claim is undecided and then pays every approved claim the same ratio,
//!   `assets / approved liabilities`.
//!
//! Guarantees (property-tested in `tests.rs` and fuzzed):
//! - **No transfer between holders.** Deposits and exits never lower the net
//!   value of a share, so no holder gains at a staying holder's expense; an
//!   exit never pays more than the shares' pro-rata value. Deposits wait
//!   while a claim is undecided (its outcome would move value between old
//!   and new holders) and while liabilities exceed the assets.
//! - **Order-independent payouts.** What each claim is paid does not depend
//!   on the order of payments, approvals and rejections (up to one unit of
//!   rounding per claim); a rejected claim releases its reservation to the
//!   others.
//! - **Previews are exact.** `preview_deposit` and `preview_redeem` are what
//!   a deposit mints and what an exit requested now pays.
//! - **Claims cannot get stuck on the reinsurer.** The retained part is
//!   filed and paid whatever the reinsurer does; a cession that failed stays
//!   pending for a retry.

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
/// Invariant: `shares + exit.shares` is what the holder owns; the exit's
/// shares are locked (still in `total_shares`, so they bear losses).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Holder {
    /// Shares the holder may move or exit with.
    pub shares: Balance,
    pub exit: Option<ExitRequest>,
}

impl Holder {
    /// Free and locked shares together.
    pub fn total_shares(&self) -> Balance {
        self.shares.saturating_add(self.exit.as_ref().map_or(0, |e| e.shares))
    }
}

/// A holder's pending exit. Its shares are locked: still counted in
/// `total_shares` (they bear losses) but no longer the holder's to move.
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
    /// who joined before and after it, so deposits wait.
    ClaimsUndecided,
    /// The liabilities exceed the assets: a deposit would pay old claims.
    LiabilitiesExceedAssets,
    /// The pool is short and a claim is still undecided: pro-rata payments
    /// wait until every claim is approved or rejected.
    PaymentWaitsForDecisions,
    /// The claim is not in the state this operation needs.
    ClaimNotFiled,
    ClaimNotApproved,
    /// The claim has no ceded part waiting to be placed.
    NoPendingCession,
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
/// claim payments; `total_shares` equals the shares minted minus those
/// burned; `undecided` and `approved` equal the retained parts of the filed
/// and of the approved, unpaid claims.
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
}

impl InsuranceFund {
    pub fn new(params: FundParams) -> Result<Self, FundError> {
        params.validate().map_err(FundError::InvalidParams)?;
        Ok(Self { params, total_assets: 0, total_shares: 0, active_cover: 0, undecided: 0, approved: 0, next_claim: 0 })
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
        self.undecided.saturating_add(self.approved)
    }
    /// Retained parts of the claims still awaiting a decision.
    pub fn undecided(&self) -> Balance {
        self.undecided
    }
    /// Assets net of liabilities: what the shares are worth together.
    pub fn net_assets(&self) -> Balance {
        self.total_assets.saturating_sub(self.reserved())
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

    /// Shares that `assets` would mint now (rounded down), priced on net assets.
    pub fn preview_deposit(&self, assets: Balance) -> Option<Balance> {
        mul_div(assets, self.total_shares.checked_add(self.params.virtual_shares)?, self.net_assets().checked_add(1)?)
    }

    /// Net assets that `shares` are worth now (rounded down).
    pub fn preview_redeem(&self, shares: Balance) -> Option<Balance> {
        mul_div(shares, self.net_assets().checked_add(1)?, self.total_shares.checked_add(self.params.virtual_shares)?)
    }

    /// Adds `assets` for `holder` and returns the shares minted to it.
    pub fn deposit(&mut self, holder: &mut Holder, assets: Balance) -> Result<Balance, FundError> {
        if assets == 0 {
            return Err(FundError::ZeroAmount);
        }
        if self.undecided > 0 {
            return Err(FundError::ClaimsUndecided);
        }
        if self.total_assets < self.reserved() {
            return Err(FundError::LiabilitiesExceedAssets);
        }
        let shares = self.preview_deposit(assets).ok_or(FundError::Overflow)?;
        if shares == 0 {
            return Err(FundError::ZeroShares);
        }
        let total_assets = self.total_assets.checked_add(assets).ok_or(FundError::Overflow)?;
        let total_shares = self.total_shares.checked_add(shares).ok_or(FundError::Overflow)?;
        let held = holder.shares.checked_add(shares).ok_or(FundError::Overflow)?;
        self.total_assets = total_assets;
        self.total_shares = total_shares;
        holder.shares = held;
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
        if holder.exit.is_some() {
            return Err(FundError::ExitPending);
        }
        if shares == 0 {
            return Err(FundError::ZeroAmount);
        }
        if shares > holder.shares {
            return Err(FundError::InsufficientShares);
        }
        let value_at_request = self.preview_redeem(shares).ok_or(FundError::Overflow)?;
        let unlock_at = now.checked_add(self.params.exit_cooldown_ms).ok_or(FundError::Overflow)?;
        let expires_at = unlock_at.checked_add(self.params.exit_window_ms).ok_or(FundError::Overflow)?;
        let req = ExitRequest { shares, value_at_request, unlock_at, expires_at };
        holder.shares = holder.shares.saturating_sub(shares);
        holder.exit = Some(req.clone());
        Ok(req)
    }

    /// Completes the holder's exit: burns its shares and pays
    /// `min(value at request, value now)`, both net of liabilities. The
    /// request is spent on success and kept on any error.
    pub fn complete_exit(
        &mut self,
        holder: &mut Holder,
        now: Timestamp,
        exits_blocked: bool,
    ) -> Result<Payout, FundError> {
        let req = holder.exit.as_ref().ok_or(FundError::NoExit)?;
        if now < req.unlock_at {
            return Err(FundError::CooldownActive);
        }
        if now >= req.expires_at {
            return Err(FundError::ExitExpired);
        }
        if exits_blocked {
            return Err(FundError::ExitsBlocked);
        }
        let value_now = self.preview_redeem(req.shares).ok_or(FundError::Overflow)?;
        let paid = value_now.min(req.value_at_request);
        let left = self.total_assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        if left < self.required_capital().saturating_add(self.reserved()) {
            return Err(FundError::BelowSolvencyTarget);
        }
        let total_shares = self.total_shares.checked_sub(req.shares).ok_or(FundError::InsufficientShares)?;
        self.total_assets = left;
        self.total_shares = total_shares;
        holder.exit = None;
        Ok(Payout { paid, withheld: value_now.saturating_sub(paid) })
    }

    /// Drops the holder's exit once its window closed; its shares become
    /// free again. Returns how many.
    pub fn expire_exit(&self, holder: &mut Holder, now: Timestamp) -> Result<Balance, FundError> {
        let req = holder.exit.as_ref().ok_or(FundError::NoExit)?;
        if now < req.expires_at {
            return Err(FundError::ExitStillOpen);
        }
        let back = req.shares;
        holder.shares = holder.shares.checked_add(back).ok_or(FundError::Overflow)?;
        holder.exit = None;
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
        self.undecided.checked_add(self.approved).ok_or(FundError::Overflow)?;
        let id = self.next_claim;
        self.next_claim = id.checked_add(1).ok_or(FundError::Overflow)?;
        self.undecided = undecided;
        let cession = if ceded > 0 { Cession::Pending } else { Cession::None };
        Ok(Claim { id, claimant, loss, retained, ceded, cession, filed_at: now, status: ClaimStatus::Filed })
    }

    /// The multisig approved the claim. Approval is final.
    pub fn approve_claim(&mut self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.status != ClaimStatus::Filed {
            return Err(FundError::ClaimNotFiled);
        }
        let approved = self.approved.checked_add(claim.retained).ok_or(FundError::Overflow)?;
        self.undecided = self.undecided.saturating_sub(claim.retained);
        self.approved = approved;
        claim.status = ClaimStatus::Approved;
        Ok(())
    }

    /// The claim is refused; its reservation is released to the holders and
    /// the other claims. Only an undecided claim can be rejected.
    pub fn reject_claim(&mut self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.status != ClaimStatus::Filed {
            return Err(FundError::ClaimNotFiled);
        }
        self.undecided = self.undecided.saturating_sub(claim.retained);
        claim.status = ClaimStatus::Rejected;
        Ok(())
    }

    /// Pays an approved claim: in full while the assets cover every
    /// liability; otherwise, once no claim is undecided, `retained × assets /
    /// approved liabilities`, a ratio that paying another approved claim
    /// does not change, so the order of payments does not matter.
    pub fn pay_claim(&mut self, claim: &mut Claim) -> Result<Payout, FundError> {
        if claim.status != ClaimStatus::Approved {
            return Err(FundError::ClaimNotApproved);
        }
        let paid = if self.total_assets >= self.reserved() {
            claim.retained
        } else if self.undecided > 0 {
            return Err(FundError::PaymentWaitsForDecisions);
        } else {
            mul_div(claim.retained, self.total_assets, self.approved).ok_or(FundError::Overflow)?
        };
        self.total_assets = self.total_assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        self.approved = self.approved.saturating_sub(claim.retained);
        claim.status = ClaimStatus::Paid { paid };
        Ok(Payout { paid, withheld: claim.retained.saturating_sub(paid) })
    }

    /// The reinsurer accepted the claim's ceded part.
    pub fn record_cession(&self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.cession != Cession::Pending {
            return Err(FundError::NoPendingCession);
        }
        claim.cession = Cession::Placed;
        Ok(())
    }
}

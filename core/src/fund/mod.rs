//! # Insurance fund
//!
//! A capital pool whose stakers hold shares, pay out covered losses, and
//! cannot run before a loss lands. The insurance_fund contract stores one
//! [`InsuranceFund`], each holder's free share balance, at most one
//! [`ExitRequest`] per holder and one [`Claim`] per id, and calls these
//! functions for every rule.
//!
//! - **Shares** use a virtual offset (OpenZeppelin's ERC-4626 defence):
//!   `shares = assets × (total_shares + V) / (total_assets + 1)`, rounding
//!   toward the pool, so the first depositor cannot inflate the share price.
//! - **Exits** wait `exit_cooldown_ms`, then stay claimable for
//!   `exit_window_ms`. An exit pays `min(value at request, value at exit)`
//!   (Drift): a leaver forgoes gains but still bears losses. Exits are refused
//!   while the breaker is halted, and when the payout would leave less than
//!   the solvency requirement plus the claims already filed.
//! - **Solvency requirement**: `max(active_cover × solvency_target_bps, min_capital)`
//!   (Nexus Mutual's MCR).
//! - **Claims** are split by an excess-of-loss layer (the part above
//!   `attachment`, up to `limit`, is ceded to a reinsurer), capped per event,
//!   approved by the multisig, and paid pro rata when the pool holds less
//!   than all open claims.

mod claim;
#[cfg(test)]
mod tests;

pub use claim::{Claim, ClaimId, ClaimStatus, ReinsuranceLayer};

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
    CooldownActive,
    ExitExpired,
    /// The exit can still complete, so it cannot be dropped yet.
    ExitStillOpen,
    BreakerHalted,
    /// Paying this exit would leave less than the requirement plus open claims.
    BelowSolvencyTarget,
    /// The claim is not in the state this operation needs.
    ClaimNotFiled,
    ClaimNotApproved,
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
/// burned; `reserved` equals the pool's share of every filed or approved,
/// unpaid claim.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InsuranceFund {
    params: FundParams,
    total_assets: Balance,
    total_shares: Balance,
    active_cover: Balance,
    reserved: Balance,
    next_claim: ClaimId,
}

impl InsuranceFund {
    pub fn new(params: FundParams) -> Result<Self, FundError> {
        params.validate().map_err(FundError::InvalidParams)?;
        Ok(Self { params, total_assets: 0, total_shares: 0, active_cover: 0, reserved: 0, next_claim: 0 })
    }

    pub fn params(&self) -> &FundParams {
        &self.params
    }
    pub fn set_params(&mut self, params: FundParams) -> Result<(), FundError> {
        params.validate().map_err(FundError::InvalidParams)?;
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
    /// The pool's share of claims filed or approved and not yet paid.
    pub fn reserved(&self) -> Balance {
        self.reserved
    }

    /// Sets the cover the pool currently backs (an admin operation).
    pub fn set_active_cover(&mut self, cover: Balance) {
        self.active_cover = cover;
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
        ratio_bps(self.total_assets, self.required_capital().saturating_add(self.reserved))
    }

    /// Shares that `assets` would mint now (rounded down).
    pub fn preview_deposit(&self, assets: Balance) -> Option<Balance> {
        mul_div(assets, self.total_shares.checked_add(self.params.virtual_shares)?, self.total_assets.checked_add(1)?)
    }

    /// Assets that `shares` are worth now (rounded down).
    pub fn preview_redeem(&self, shares: Balance) -> Option<Balance> {
        mul_div(shares, self.total_assets.checked_add(1)?, self.total_shares.checked_add(self.params.virtual_shares)?)
    }

    /// Adds `assets` and returns the shares minted for the depositor.
    pub fn deposit(&mut self, assets: Balance) -> Result<Balance, FundError> {
        if assets == 0 {
            return Err(FundError::ZeroAmount);
        }
        let shares = self.preview_deposit(assets).ok_or(FundError::Overflow)?;
        if shares == 0 {
            return Err(FundError::ZeroShares);
        }
        let total_assets = self.total_assets.checked_add(assets).ok_or(FundError::Overflow)?;
        let total_shares = self.total_shares.checked_add(shares).ok_or(FundError::Overflow)?;
        self.total_assets = total_assets;
        self.total_shares = total_shares;
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

    /// Starts an exit of `shares` out of the holder's `free_shares`. The
    /// caller moves them from the holder's balance into the request.
    pub fn request_exit(
        &self,
        free_shares: Balance,
        shares: Balance,
        now: Timestamp,
    ) -> Result<ExitRequest, FundError> {
        if shares == 0 {
            return Err(FundError::ZeroAmount);
        }
        if shares > free_shares {
            return Err(FundError::InsufficientShares);
        }
        let value_at_request = self.preview_redeem(shares).ok_or(FundError::Overflow)?;
        let unlock_at = now.checked_add(self.params.exit_cooldown_ms).ok_or(FundError::Overflow)?;
        let expires_at = unlock_at.checked_add(self.params.exit_window_ms).ok_or(FundError::Overflow)?;
        Ok(ExitRequest { shares, value_at_request, unlock_at, expires_at })
    }

    /// Completes an exit: burns its shares and pays
    /// `min(value at request, value now)`. The request is spent on success.
    pub fn complete_exit(
        &mut self,
        req: &ExitRequest,
        now: Timestamp,
        breaker_halted: bool,
    ) -> Result<Payout, FundError> {
        if now < req.unlock_at {
            return Err(FundError::CooldownActive);
        }
        if now >= req.expires_at {
            return Err(FundError::ExitExpired);
        }
        if breaker_halted {
            return Err(FundError::BreakerHalted);
        }
        let value_now = self.preview_redeem(req.shares).ok_or(FundError::Overflow)?;
        let paid = value_now.min(req.value_at_request);
        let left = self.total_assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        if left < self.required_capital().saturating_add(self.reserved) {
            return Err(FundError::BelowSolvencyTarget);
        }
        let total_shares = self.total_shares.checked_sub(req.shares).ok_or(FundError::InsufficientShares)?;
        self.total_assets = left;
        self.total_shares = total_shares;
        Ok(Payout { paid, withheld: value_now.saturating_sub(paid) })
    }

    /// Drops an exit whose window closed; its shares go back to the holder
    /// (the returned amount).
    pub fn expire_exit(&self, req: &ExitRequest, now: Timestamp) -> Result<Balance, FundError> {
        if now < req.expires_at {
            return Err(FundError::ExitStillOpen);
        }
        Ok(req.shares)
    }

    /// Files a claim for `loss`: splits it with the reinsurance layer, caps
    /// the pool's part, and reserves that part against exits.
    pub fn file_claim(&mut self, claimant: AccountId, loss: Balance, now: Timestamp) -> Result<Claim, FundError> {
        if loss == 0 {
            return Err(FundError::ZeroAmount);
        }
        let ceded = self.params.reinsurance.as_ref().map_or(0, |l| l.ceded(loss));
        let retained = loss.saturating_sub(ceded).min(self.params.claim_cap_per_event);
        let reserved = self.reserved.checked_add(retained).ok_or(FundError::Overflow)?;
        let id = self.next_claim;
        self.next_claim = id.checked_add(1).ok_or(FundError::Overflow)?;
        self.reserved = reserved;
        Ok(Claim { id, claimant, loss, retained, ceded, filed_at: now, status: ClaimStatus::Filed })
    }

    /// The multisig approved the claim.
    pub fn approve_claim(&self, claim: &mut Claim) -> Result<(), FundError> {
        if claim.status != ClaimStatus::Filed {
            return Err(FundError::ClaimNotFiled);
        }
        claim.status = ClaimStatus::Approved;
        Ok(())
    }

    /// The claim is refused; its reserve is released.
    pub fn reject_claim(&mut self, claim: &mut Claim) -> Result<(), FundError> {
        if !matches!(claim.status, ClaimStatus::Filed | ClaimStatus::Approved) {
            return Err(FundError::ClaimNotFiled);
        }
        self.reserved = self.reserved.saturating_sub(claim.retained);
        claim.status = ClaimStatus::Rejected;
        Ok(())
    }

    /// Pays an approved claim. When the pool holds less than all open
    /// claims, each is paid `retained × assets / open claims`, so claims
    /// filed together share the shortfall whatever order they are paid in.
    pub fn pay_claim(&mut self, claim: &mut Claim) -> Result<Payout, FundError> {
        if claim.status != ClaimStatus::Approved {
            return Err(FundError::ClaimNotApproved);
        }
        let paid = if self.total_assets >= self.reserved {
            claim.retained
        } else {
            mul_div(claim.retained, self.total_assets, self.reserved).ok_or(FundError::Overflow)?
        };
        self.total_assets = self.total_assets.checked_sub(paid).ok_or(FundError::Overflow)?;
        self.reserved = self.reserved.saturating_sub(claim.retained);
        claim.status = ClaimStatus::Paid { paid };
        Ok(Payout { paid, withheld: claim.retained.saturating_sub(paid) })
    }
}

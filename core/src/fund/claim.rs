//! Claims and the excess-of-loss reinsurance layer.

use crate::error::ParamError;
use crate::types::{AccountId, Balance, Timestamp};

pub type ClaimId = u64;

/// Excess of loss: the part of a loss above `attachment`, up to `limit`, is
/// ceded to a second pool. The rest stays with the primary.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct ReinsuranceLayer {
    pub attachment: Balance,
    pub limit: Balance,
}

impl ReinsuranceLayer {
    /// The ceded part of `loss`: `clamp(loss − attachment, 0, limit)`.
    pub fn ceded(&self, loss: Balance) -> Balance {
        loss.saturating_sub(self.attachment).min(self.limit)
    }
}

/// The ceding policy: a configured layer must have a reinsurer to cede to,
/// else its part would silently vanish. (A reinsurer without a layer cedes
/// nothing; allowing it lets a layer be added in two steps: reinsurer
/// first, then the layer.) Checked wherever either is set.
pub fn validate_ceding(layer: Option<&ReinsuranceLayer>, has_reinsurer: bool) -> Result<(), ParamError> {
    if layer.is_some() && !has_reinsurer {
        return Err(ParamError::Reinsurer);
    }
    Ok(())
}

/// Where a claim's ceded part stands. A refused cession never blocks the
/// primary's retained part: the claim is filed and paid regardless, and the
/// cession stays `Pending` for a retry. Invariant: a rejected claim's
/// cession is never `Pending` (rejection withdraws it), so a rejected claim
/// is never ceded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Cession {
    /// Nothing ceded.
    None,
    /// Ceded but not yet accepted by the reinsurer.
    Pending,
    /// Filed with the reinsurer.
    Placed,
    /// The claim was rejected before its ceded part was placed; it is never
    /// filed with the reinsurer. (A part placed before the rejection is the
    /// reinsurer's admin to reject.)
    Withdrawn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ClaimStatus {
    Filed,
    Approved,
    Paid { paid: Balance },
    Rejected,
}

/// One claim. Invariant: `retained + ceded <= loss` and
/// `retained <= claim_cap_per_event` as of filing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Claim {
    pub id: ClaimId,
    pub claimant: AccountId,
    pub loss: Balance,
    /// The pool's own part, after the layer and the cap.
    pub retained: Balance,
    /// The part for the reinsurer to pay.
    pub ceded: Balance,
    pub cession: Cession,
    pub filed_at: Timestamp,
    pub status: ClaimStatus,
    /// The payment round the claim joined when approved (0 before); the
    /// claims of one round are paid one ratio.
    pub round: u64,
}

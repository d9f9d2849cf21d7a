//! # Multisig policy
//!
//! M-of-N approval with per-class timelocks, expiry, a veto set and a guard
//! policy. The multisig_guard contract stores a [`Multisig`] and one
//! [`Proposal`] per id, and calls these functions; it only adds hashing,
//! storage and the cross-contract call itself.
//!
//! Life of a proposal: an owner proposes an [`Action`] (its class comes from
//! the action, never from the proposer), optionally after a predecessor
//! (OpenZeppelin's TimelockController), owners approve it against its call
//! hash, and once `eta <= now < expires_at` with `threshold` approvals from
//! *current* owners and its predecessor executed, anyone may execute it,
//! exactly once. Before that, the veto set can cancel it; the veto threshold
//! rises by one with a cancel (OP's TimelockGuard), but at most once per
//! Critical timelock. Vetoes count whenever they meet the threshold in
//! force: a proposal whose vetoes from current vetoers meet it cannot
//! execute, and anyone may mark it cancelled ([`Multisig::cancel_vetoed`]).
//!
//! Guarantees (property-tested in `tests.rs` and fuzzed):
//! - **Executed implies the call succeeded.** A call proposal is marked
//!   executed only by [`Multisig::finish_call`] with a successful outcome;
//!   a callee that trapped or returned `Err` leaves it pending and ready, and
//!   the contract reverts the whole `execute` (TimelockController).
//! - **The owners can always remove the veto set.** Cancels of veto-set
//!   changes raise a threshold of their own, which only an executed veto-set
//!   change resets, and validation requires its cap to exceed the number of
//!   vetoers. So however many vetoers are captured, and whatever else they
//!   execute, the owners' `n − base + 2`-th proposal to replace them can no
//!   longer be vetoed. Other cancels raise the general threshold, which
//!   resets on every execution. Since a threshold rises at most once per
//!   Critical timelock, the owners space their attempts one Critical
//!   timelock after the last rise ([`Multisig::veto_set_threshold_raised_at`]),
//!   and each cancelled attempt then costs the vetoers one rise.
//! - **Exhausting the veto takes time, not parallel proposals.** With `n`
//!   honest vetoers who veto every proposal of a thief holding a signing
//!   quorum as soon as it appears, no thief proposal executes earlier than
//!   `N = n − base + 1` Critical timelocks
//!   ([`MultisigParams::veto_hold_off_timelocks`]) after the first one was
//!   proposed, however many the thief proposes and whenever: the veto stays
//!   effective until the threshold exceeds `n`, which takes `N` rises, at
//!   least one Critical timelock apart, and a proposal made once it is
//!   exhausted still waits its own Critical timelock. (Submitting `cap + 1`
//!   proposals in one block no longer exhausts it: the cancels in that
//!   block raise it once.) `N` assumes the threshold at its base when the
//!   thief starts, as after any execution; from a threshold `t` already
//!   raised by earlier cancels the bound is `n − t + 1`.
//! - **Votes are not lost.** A veto counts from the moment it is cast for as
//!   long as its vetoer is one: if the threshold later falls (an execution
//!   resets it), a proposal whose vetoes now meet it is refused by
//!   [`Multisig::execute`] and can be cancelled by anyone.
//!
//! Membership changes (owners, threshold) and policy changes (timelocks,
//! expiry, veto set, guard) are proposals of their own classes. Validation
//! requires the policy timelock to be the longest, so lowering any delay, or
//! removing the guard, waits at least as long as the longest delay in force,
//! and the Critical timelock to be at least the Standard one. The class of
//! every administrative call of the breaker and the fund comes from one
//! table, [`ADMIN_CALLS`], which the guard enforces.

mod admin;
mod guard;
#[cfg(test)]
mod tests;

pub use admin::{admin_calls, is_breaker_only, least_class, AdminCall, AdminContract, ADMIN_CALLS};
pub use guard::{AllowedCall, GuardPolicy};

use crate::breaker::BondPolicy;
use crate::error::ParamError;
use crate::types::{AccountId, Balance, Selector, Timestamp};
use alloc::vec::Vec;

/// Most owners (as in ink!'s multisig example), and most vetoers.
pub const MAX_OWNERS: usize = 50;
/// Longest execution window after a timelock: 90 days.
pub const MAX_EXECUTION_WINDOW_MS: u64 = 90 * 24 * 3_600_000;
/// Shortest execution window: 1 hour. The window is fixed when a proposal is
/// made, so a window shorter than a block interval or two would leave every
/// later proposal, the one restoring a longer window included, without a
/// block to execute in: a single `SetExecutionWindow` would freeze the
/// multisig, and with it the admin of the breaker and the fund, for ever.
pub const MIN_EXECUTION_WINDOW_MS: u64 = 3_600_000;
/// Longest call input a proposal may carry.
pub const MAX_INPUT_LEN: usize = 4_096;

/// A 32-byte hash of a proposal's action, computed by the caller (the
/// contract uses the chain's hash of the SCALE-encoded action and nonce).
pub type CallHash = [u8; 32];
/// Proposal identifier.
pub type ProposalId = u64;

/// Risk class of an operation; each has its own timelock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum OperationClass {
    /// Routine calls on the allow-list.
    Standard,
    /// Dangerous calls (unpause, parameter changes, paying claims), and any
    /// call at all once the guard is removed (but `set_roles`).
    Critical,
    /// Owner rotation and threshold changes.
    Membership,
    /// Timelocks, expiry, veto set and guard changes, and the calls that
    /// hand the breaker or the fund over (`set_roles`).
    Policy,
}

/// Timelock per class, in ms.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct Timelocks {
    pub standard_ms: u64,
    pub critical_ms: u64,
    pub membership_ms: u64,
    pub policy_ms: u64,
}

impl Timelocks {
    pub fn of(&self, class: OperationClass) -> u64 {
        match class {
            OperationClass::Standard => self.standard_ms,
            OperationClass::Critical => self.critical_ms,
            OperationClass::Membership => self.membership_ms,
            OperationClass::Policy => self.policy_ms,
        }
    }
}

/// Who may cancel a pending proposal, and how many of them it takes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct VetoParams {
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::list"))]
    pub vetoers: Vec<AccountId>,
    /// Vetoes needed for the first cancel after an execution.
    pub base_threshold: u32,
    /// Cap of the rising threshold; above the number of vetoers, so that
    /// repeated cancels exhaust the veto.
    pub max_threshold: u32,
}

/// All of the multisig's parameters: the multisig_guard contract's
/// constructor argument and a section of `params.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct MultisigParams {
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::list"))]
    pub owners: Vec<AccountId>,
    pub threshold: u32,
    pub timelocks: Timelocks,
    /// How long after its timelock a proposal stays executable.
    pub execution_window_ms: u64,
    pub veto: VetoParams,
    /// `None` means no guard: every call is allowed, at the Critical class
    /// or the stricter one [`ADMIN_CALLS`] gives its selector.
    pub guard: Option<GuardPolicy>,
}

impl MultisigParams {
    /// Checks every field against its allowed range.
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.owners.is_empty() || self.owners.len() > MAX_OWNERS {
            return Err(ParamError::OwnerCount);
        }
        if has_duplicates(&self.owners) {
            return Err(ParamError::DuplicateOwner);
        }
        if self.threshold == 0 || self.threshold as usize > self.owners.len() {
            return Err(ParamError::Threshold);
        }
        let v = &self.veto;
        if v.vetoers.len() > MAX_OWNERS || has_duplicates(&v.vetoers) {
            return Err(ParamError::VetoerCount);
        }
        let veto_ok = if v.vetoers.is_empty() {
            v.base_threshold == 0 && v.max_threshold == 0
        } else {
            v.base_threshold >= 1
                && v.base_threshold as usize <= v.vetoers.len()
                && v.max_threshold as usize > v.vetoers.len()
                && v.max_threshold as usize <= MAX_OWNERS.saturating_add(1)
        };
        if !veto_ok {
            return Err(ParamError::VetoThreshold);
        }
        let t = &self.timelocks;
        if t.critical_ms < t.standard_ms {
            return Err(ParamError::CriticalTimelock);
        }
        if t.membership_ms < t.standard_ms {
            return Err(ParamError::MembershipTimelock);
        }
        if t.policy_ms < t.standard_ms.max(t.critical_ms).max(t.membership_ms) {
            return Err(ParamError::PolicyTimelock);
        }
        if !(MIN_EXECUTION_WINDOW_MS..=MAX_EXECUTION_WINDOW_MS).contains(&self.execution_window_ms) {
            return Err(ParamError::Expiry);
        }
        if let Some(g) = &self.guard {
            g.validate()?;
        }
        Ok(())
    }

    /// `N`: how many Critical timelocks the vetoers, all honest and vetoing
    /// at once, hold off a thief with a signing quorum (see the module's
    /// guarantees): the rises that take the threshold from `base_threshold`
    /// to above the number of vetoers. 0 without vetoers.
    pub fn veto_hold_off_timelocks(&self) -> u32 {
        let n = u32::try_from(self.veto.vetoers.len()).unwrap_or(u32::MAX);
        if n == 0 {
            return 0;
        }
        n.saturating_add(1).saturating_sub(self.veto.base_threshold)
    }
}

fn has_duplicates(list: &[AccountId]) -> bool {
    list.iter().enumerate().any(|(i, a)| list.iter().skip(i.saturating_add(1)).any(|b| a == b))
}

/// A call the multisig makes when a proposal executes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CallSpec {
    pub target: AccountId,
    pub selector: Selector,
    /// SCALE-encoded arguments (without the selector).
    pub input: Vec<u8>,
    /// Native value transferred with the call.
    pub value: Balance,
}

/// A change to the multisig itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConfigChange {
    AddOwner(AccountId),
    RemoveOwner { owner: AccountId, new_threshold: u32 },
    SwapOwner { old: AccountId, new: AccountId },
    SetThreshold(u32),
    SetTimelocks(Timelocks),
    SetExecutionWindow(u64),
    SetVeto(VetoParams),
    SetGuard(GuardPolicy),
    RemoveGuard,
}

impl ConfigChange {
    /// Whether this change replaces the veto set (its cancels count apart).
    pub fn changes_veto_set(&self) -> bool {
        matches!(self, Self::SetVeto(_))
    }

    pub fn class(&self) -> OperationClass {
        match self {
            Self::AddOwner(_) | Self::RemoveOwner { .. } | Self::SwapOwner { .. } | Self::SetThreshold(_) => {
                OperationClass::Membership
            }
            _ => OperationClass::Policy,
        }
    }
}

/// What a proposal does.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Action {
    Call(CallSpec),
    Config(ConfigChange),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ProposalStatus {
    Pending,
    Executed,
    Cancelled,
}

/// One proposal.
///
/// Invariants: `eta = created_at + timelock(class)` and
/// `expires_at = eta + execution_window` as of creation; `approvals` and
/// `vetoes` hold no duplicates; status only leaves `Pending`, once.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Proposal {
    pub id: ProposalId,
    pub call_hash: CallHash,
    pub action: Action,
    pub class: OperationClass,
    /// A proposal that must have executed before this one may.
    pub predecessor: Option<ProposalId>,
    /// The multisig's nonce when the proposal was made.
    pub nonce: u64,
    pub proposer: AccountId,
    pub approvals: Vec<AccountId>,
    pub vetoes: Vec<AccountId>,
    pub created_at: Timestamp,
    /// Earliest execution time.
    pub eta: Timestamp,
    /// First instant at which it can no longer execute.
    pub expires_at: Timestamp,
    pub status: ProposalStatus,
}

/// Why a multisig operation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MultisigError {
    InvalidParams(ParamError),
    NotOwner,
    NotVetoer,
    AlreadyExecuted,
    Cancelled,
    Expired,
    TimelockNotPassed,
    NotEnoughApprovals,
    AlreadyApproved,
    NotApproved,
    AlreadyVetoed,
    /// The approver's expected hash differs from the proposal's.
    CallHashMismatch,
    /// The guard has no allow-list entry for this (target, selector).
    NotAllowedByGuard,
    /// The call's value is above its class's cap.
    ValueCapExceeded,
    InputTooLong,
    OwnerExists,
    OwnerMissing,
    /// The multisig is already executing a proposal (re-entry).
    Reentrancy,
    /// The proposal's predecessor has not executed.
    PredecessorNotExecuted,
    /// The callee trapped or returned an error; nothing was executed.
    CallFailed,
    /// The proposal's vetoes from current vetoers meet the threshold in
    /// force: it cannot execute, and anyone may cancel it (`cancel_vetoed`).
    Vetoed,
    /// `cancel_vetoed` of a proposal whose vetoes do not meet the threshold.
    NotEnoughVetoes,
    Overflow,
    /// A raise of the Critical timelock with no guard: the breakers whose
    /// bonded trips the multisig judges cannot be listed, so their settle
    /// windows cannot be checked against it ([`BondCheck`]).
    UncheckedBreakers,
}

/// The bond rule a config change must keep (issue 21 item 10): every
/// breaker in `breakers` must give bonded trips a settle window longer than
/// `critical_ms`, the multisig's Critical timelock after the change, or the
/// multisig could not slash a bad bonded trip before anyone may release its
/// bond, and every bonded trip would be a free halt. The contract fetches
/// each breaker's [`BondPolicy`] and applies [`BondCheck::verify`] before
/// the change is stored; a breaker that does not answer refuses the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BondCheck {
    pub critical_ms: u64,
    pub breakers: Vec<AccountId>,
}

impl BondCheck {
    /// Whether a breaker with bond policy `policy` keeps the rule.
    pub fn verify(&self, policy: &BondPolicy) -> Result<(), MultisigError> {
        policy.validate_with_admin_timelock(self.critical_ms).map_err(MultisigError::InvalidParams)
    }
}

/// What an execution asks the caller to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Execution {
    /// Perform this call; the multisig's state is already updated.
    Call(CallSpec),
    /// The change was applied to the multisig.
    Configured,
}

/// A veto threshold that rises by one per cancel, at most once per
/// Critical timelock, up to the cap, and falls back to the base on a reset.
///
/// Invariant: `base_threshold <= value <= max_threshold`; two rises are at
/// least the Critical timelock (in force at the later one) apart;
/// `raised_at` is the time of the last rise since the last reset.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct RisingThreshold {
    value: u32,
    raised_at: Option<Timestamp>,
}

impl RisingThreshold {
    fn at_base(base: u32) -> Self {
        Self { value: base, raised_at: None }
    }

    /// One cancel happened at `now`: rise by one, unless the cap is reached
    /// or the last rise was less than `cooldown_ms` ago. The cooldown is
    /// what makes exhausting the veto take time: any number of cancels
    /// within one Critical timelock cost the vetoers one step only.
    fn cancelled(&mut self, max: u32, cooldown_ms: u64, now: Timestamp) {
        let due = self.raised_at.is_none_or(|t| now >= t.saturating_add(cooldown_ms));
        if due && self.value < max {
            self.value = self.value.saturating_add(1);
            self.raised_at = Some(now);
        }
    }
}

/// The multisig: its parameters (changed only by executed proposals), the
/// nonce and the current veto thresholds.
///
/// Invariants: `params.validate()` holds at all times; `nonce` strictly
/// increases with every proposal and every execution; `base_threshold <=
/// veto_threshold, veto_set_threshold <= max_threshold`, and each rises at
/// most once per Critical timelock.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Multisig {
    params: MultisigParams,
    nonce: u64,
    veto_threshold: RisingThreshold,
    /// The threshold for cancelling a veto-set change.
    veto_set_threshold: RisingThreshold,
    /// Id of the proposal whose call is in flight, if any.
    executing: Option<ProposalId>,
}

impl Multisig {
    pub fn new(params: MultisigParams) -> Result<Self, MultisigError> {
        params.validate().map_err(MultisigError::InvalidParams)?;
        let base = params.veto.base_threshold;
        Ok(Self {
            params,
            nonce: 0,
            veto_threshold: RisingThreshold::at_base(base),
            veto_set_threshold: RisingThreshold::at_base(base),
            executing: None,
        })
    }

    pub fn params(&self) -> &MultisigParams {
        &self.params
    }
    pub fn nonce(&self) -> u64 {
        self.nonce
    }
    /// Vetoes that cancel a proposal other than a veto-set change.
    pub fn veto_threshold(&self) -> u32 {
        self.veto_threshold.value
    }
    /// Vetoes that cancel a proposal to change the veto set.
    pub fn veto_set_threshold(&self) -> u32 {
        self.veto_set_threshold.value
    }
    /// When [`Multisig::veto_threshold`] last rose (since its last reset);
    /// the next cancel raises it only a Critical timelock after this.
    pub fn veto_threshold_raised_at(&self) -> Option<Timestamp> {
        self.veto_threshold.raised_at
    }
    /// When [`Multisig::veto_set_threshold`] last rose (since its last
    /// reset). Owners replacing a captured veto set propose each attempt a
    /// Critical timelock after this, so that cancelling it costs a rise.
    pub fn veto_set_threshold_raised_at(&self) -> Option<Timestamp> {
        self.veto_set_threshold.raised_at
    }
    pub fn is_owner(&self, who: &AccountId) -> bool {
        self.params.owners.contains(who)
    }
    pub fn is_vetoer(&self, who: &AccountId) -> bool {
        self.params.veto.vetoers.contains(who)
    }

    /// The class an action runs under, checking the guard for calls.
    pub fn classify(&self, action: &Action) -> Result<OperationClass, MultisigError> {
        match action {
            Action::Config(c) => Ok(c.class()),
            Action::Call(call) => {
                if call.input.len() > MAX_INPUT_LEN {
                    return Err(MultisigError::InputTooLong);
                }
                match &self.params.guard {
                    // No guard: Critical, or the stricter class core's table
                    // gives the selector (set_roles runs at Policy either way).
                    None => Ok(least_class(&call.selector)
                        .map_or(OperationClass::Critical, |least| least.max(OperationClass::Critical))),
                    Some(g) => g.check(call),
                }
            }
        }
    }

    /// An owner proposes `action`, to run only after `predecessor` (if
    /// any) executed; the proposer's approval is counted.
    pub fn propose(
        &mut self,
        proposer: AccountId,
        action: Action,
        predecessor: Option<ProposalId>,
        call_hash: CallHash,
        now: Timestamp,
    ) -> Result<Proposal, MultisigError> {
        if !self.is_owner(&proposer) {
            return Err(MultisigError::NotOwner);
        }
        let class = self.classify(&action)?;
        if let Action::Config(change) = &action {
            // Refuse at once what could never apply to the current state.
            self.applied(change)?;
            self.bond_check(change)?;
        }
        let eta = now.checked_add(self.params.timelocks.of(class)).ok_or(MultisigError::Overflow)?;
        let expires_at = eta.checked_add(self.params.execution_window_ms).ok_or(MultisigError::Overflow)?;
        let nonce = self.bump_nonce()?;
        Ok(Proposal {
            id: nonce,
            call_hash,
            action,
            class,
            predecessor,
            nonce,
            proposer,
            approvals: alloc::vec![proposer],
            vetoes: Vec::new(),
            created_at: now,
            eta,
            expires_at,
            status: ProposalStatus::Pending,
        })
    }

    /// An owner approves; `expected_hash` must match what they reviewed.
    pub fn approve(
        &self,
        p: &mut Proposal,
        owner: AccountId,
        expected_hash: &CallHash,
        now: Timestamp,
    ) -> Result<(), MultisigError> {
        if !self.is_owner(&owner) {
            return Err(MultisigError::NotOwner);
        }
        Self::open(p, now)?;
        if &p.call_hash != expected_hash {
            return Err(MultisigError::CallHashMismatch);
        }
        if p.approvals.contains(&owner) {
            return Err(MultisigError::AlreadyApproved);
        }
        p.approvals.push(owner);
        Ok(())
    }

    /// An owner withdraws an approval.
    pub fn revoke(&self, p: &mut Proposal, owner: AccountId, now: Timestamp) -> Result<(), MultisigError> {
        if !self.is_owner(&owner) {
            return Err(MultisigError::NotOwner);
        }
        Self::open(p, now)?;
        let before = p.approvals.len();
        p.approvals.retain(|a| *a != owner);
        if p.approvals.len() == before {
            return Err(MultisigError::NotApproved);
        }
        Ok(())
    }

    /// A vetoer votes to cancel. Returns whether the proposal is cancelled
    /// now; a vote that does not cancel it still counts later, whenever the
    /// threshold in force falls to the proposal's vetoes.
    pub fn veto(&mut self, p: &mut Proposal, vetoer: AccountId, now: Timestamp) -> Result<bool, MultisigError> {
        if !self.is_vetoer(&vetoer) {
            return Err(MultisigError::NotVetoer);
        }
        Self::open(p, now)?;
        if p.vetoes.contains(&vetoer) {
            return Err(MultisigError::AlreadyVetoed);
        }
        p.vetoes.push(vetoer);
        Ok(self.cancel_if_vetoed(p, now))
    }

    /// Anyone cancels a pending proposal whose vetoes already meet the
    /// threshold in force now (they were cast while it was higher). Like a
    /// cancel by vote, it raises the threshold (at most once per Critical
    /// timelock).
    pub fn cancel_vetoed(&mut self, p: &mut Proposal, now: Timestamp) -> Result<(), MultisigError> {
        Self::open(p, now)?;
        if self.cancel_if_vetoed(p, now) {
            Ok(())
        } else {
            Err(MultisigError::NotEnoughVetoes)
        }
    }

    /// Vetoes that count: those of accounts that are vetoers now (a
    /// replaced veto set's votes no longer count).
    pub fn valid_vetoes(&self, p: &Proposal) -> usize {
        p.vetoes.iter().filter(|v| self.is_vetoer(v)).count()
    }

    /// The vetoes that cancel `p` now: the veto-set threshold for a change
    /// of the veto set, the general one otherwise.
    pub fn vetoes_needed(&self, p: &Proposal) -> u32 {
        self.threshold_for(p).value
    }

    /// Whether `p`'s valid vetoes meet the threshold in force now. Never
    /// true without a vetoer's vote (with no veto set the threshold is 0).
    pub fn is_vetoed(&self, p: &Proposal) -> bool {
        let needed = usize::try_from(self.vetoes_needed(p)).unwrap_or(usize::MAX).max(1);
        self.valid_vetoes(p) >= needed
    }

    fn threshold_for(&self, p: &Proposal) -> &RisingThreshold {
        if Self::changes_veto_set(p) {
            &self.veto_set_threshold
        } else {
            &self.veto_threshold
        }
    }

    fn changes_veto_set(p: &Proposal) -> bool {
        matches!(&p.action, Action::Config(c) if c.changes_veto_set())
    }

    /// Cancels an open `p` if its vetoes meet the threshold in force, and
    /// then raises that threshold; whether it did.
    fn cancel_if_vetoed(&mut self, p: &mut Proposal, now: Timestamp) -> bool {
        if !self.is_vetoed(p) {
            return false;
        }
        p.status = ProposalStatus::Cancelled;
        let (max, cooldown) = (self.params.veto.max_threshold, self.params.timelocks.critical_ms);
        let threshold = if Self::changes_veto_set(p) { &mut self.veto_set_threshold } else { &mut self.veto_threshold };
        threshold.cancelled(max, cooldown, now);
        true
    }

    /// Approvals that count: those of accounts that are owners now.
    pub fn valid_approvals(&self, p: &Proposal) -> usize {
        p.approvals.iter().filter(|a| self.is_owner(a)).count()
    }

    /// Every condition for executing `p` at `now`, including the guard as it
    /// stands now (it may have changed since the proposal). `predecessor`
    /// is the stored proposal `p.predecessor` names, if it exists.
    pub fn check_executable(
        &self,
        p: &Proposal,
        predecessor: Option<&Proposal>,
        now: Timestamp,
    ) -> Result<(), MultisigError> {
        Self::open(p, now)?;
        if self.is_vetoed(p) {
            return Err(MultisigError::Vetoed);
        }
        if now < p.eta {
            return Err(MultisigError::TimelockNotPassed);
        }
        if let Some(id) = p.predecessor {
            let done = predecessor.is_some_and(|q| q.id == id && q.status == ProposalStatus::Executed);
            if !done {
                return Err(MultisigError::PredecessorNotExecuted);
            }
        }
        if self.valid_approvals(p) < self.params.threshold as usize {
            return Err(MultisigError::NotEnoughApprovals);
        }
        if let Action::Call(_) = &p.action {
            // The class may only have become stricter; a call whose class now
            // needs a longer timelock than it waited must be proposed again.
            let class = self.classify(&p.action)?;
            if now < p.created_at.saturating_add(self.params.timelocks.of(class)) {
                return Err(MultisigError::TimelockNotPassed);
            }
        }
        Ok(())
    }

    /// Executes `p`. A config change is applied and `p` marked executed at
    /// once. A call is handed back with `p` still pending: the caller
    /// performs it and must finish with [`Multisig::finish_call`], which
    /// marks `p` executed only if the call succeeded; until then every other
    /// execution is refused as re-entry.
    pub fn execute(
        &mut self,
        p: &mut Proposal,
        predecessor: Option<&Proposal>,
        now: Timestamp,
    ) -> Result<Execution, MultisigError> {
        if self.executing.is_some() {
            return Err(MultisigError::Reentrancy);
        }
        self.check_executable(p, predecessor, now)?;
        match &p.action {
            Action::Config(change) => {
                let next = self.applied(change)?;
                self.bump_nonce()?;
                self.params = next;
                self.mark_executed(p, change.changes_veto_set());
                Ok(Execution::Configured)
            }
            Action::Call(call) => {
                self.executing = Some(p.id);
                Ok(Execution::Call(call.clone()))
            }
        }
    }

    /// The breakers whose bond policies `change` must be checked against
    /// before it applies, and the Critical timelock they must outlast
    /// (`None`: nothing to check). Only two changes can break the rule for
    /// a breaker that kept it: a longer Critical timelock (checked against
    /// the breakers the guard lists) and a new guard (checked against the
    /// breakers it lists). A longer Critical timelock with no guard is
    /// refused (`UncheckedBreakers`): the breakers are unknown. Removing the
    /// guard keeps the timelock, so every breaker checked so far still
    /// keeps the rule; a breaker the guard never listed with a breaker-only
    /// message was never checked, and once the guard is gone its
    /// `settle_trip` can be called though its window may not outlast the
    /// Critical timelock (its own `set_roles` checked it only when set).
    pub fn bond_check(&self, change: &ConfigChange) -> Result<Option<BondCheck>, MultisigError> {
        let critical_now = self.params.timelocks.critical_ms;
        let (critical_ms, guard) = match change {
            ConfigChange::SetTimelocks(t) if t.critical_ms > critical_now => {
                (t.critical_ms, self.params.guard.as_ref().ok_or(MultisigError::UncheckedBreakers)?)
            }
            ConfigChange::SetGuard(g) => (critical_now, g),
            _ => return Ok(None),
        };
        let breakers = guard.breaker_targets();
        Ok((!breakers.is_empty()).then_some(BondCheck { critical_ms, breakers }))
    }

    /// Ends a call execution with the callee's outcome. Re-checks after the
    /// call that `p` is the one in flight and still pending (the lesson of
    /// CVE-2021-39167). On success `p` is executed: the nonce is bumped and
    /// the general veto threshold resets. On failure nothing but the
    /// in-flight mark changes, `p` stays ready, and the error tells the
    /// caller to revert.
    pub fn finish_call(&mut self, p: &mut Proposal, succeeded: bool) -> Result<(), MultisigError> {
        if self.executing != Some(p.id) || p.status != ProposalStatus::Pending {
            return Err(MultisigError::Reentrancy);
        }
        self.executing = None;
        if !succeeded {
            return Err(MultisigError::CallFailed);
        }
        self.bump_nonce()?;
        self.mark_executed(p, false);
        Ok(())
    }

    /// The infallible rest of an execution, once the nonce was bumped and
    /// any config change applied: veto thresholds reset, `p` executed.
    fn mark_executed(&mut self, p: &mut Proposal, resets_veto_set: bool) {
        self.veto_threshold = RisingThreshold::at_base(self.params.veto.base_threshold);
        if resets_veto_set {
            self.veto_set_threshold = RisingThreshold::at_base(self.params.veto.base_threshold);
        }
        p.status = ProposalStatus::Executed;
    }

    /// Pending, and not expired.
    fn open(p: &Proposal, now: Timestamp) -> Result<(), MultisigError> {
        match p.status {
            ProposalStatus::Executed => Err(MultisigError::AlreadyExecuted),
            ProposalStatus::Cancelled => Err(MultisigError::Cancelled),
            ProposalStatus::Pending if now >= p.expires_at => Err(MultisigError::Expired),
            ProposalStatus::Pending => Ok(()),
        }
    }

    fn bump_nonce(&mut self) -> Result<u64, MultisigError> {
        let n = self.nonce;
        self.nonce = n.checked_add(1).ok_or(MultisigError::Overflow)?;
        Ok(n)
    }

    /// The params after `change`, validated; `self` is untouched.
    fn applied(&self, change: &ConfigChange) -> Result<MultisigParams, MultisigError> {
        let mut next = self.params.clone();
        match change {
            ConfigChange::AddOwner(a) => {
                if next.owners.contains(a) {
                    return Err(MultisigError::OwnerExists);
                }
                next.owners.push(*a);
            }
            ConfigChange::RemoveOwner { owner, new_threshold } => {
                if !next.owners.contains(owner) {
                    return Err(MultisigError::OwnerMissing);
                }
                next.owners.retain(|o| o != owner);
                next.threshold = *new_threshold;
            }
            ConfigChange::SwapOwner { old, new } => {
                if next.owners.contains(new) {
                    return Err(MultisigError::OwnerExists);
                }
                let slot = next.owners.iter_mut().find(|o| *o == old).ok_or(MultisigError::OwnerMissing)?;
                *slot = *new;
            }
            ConfigChange::SetThreshold(t) => next.threshold = *t,
            ConfigChange::SetTimelocks(t) => next.timelocks = t.clone(),
            ConfigChange::SetExecutionWindow(w) => next.execution_window_ms = *w,
            ConfigChange::SetVeto(v) => next.veto = v.clone(),
            ConfigChange::SetGuard(g) => next.guard = Some(g.clone()),
            ConfigChange::RemoveGuard => next.guard = None,
        }
        next.validate().map_err(MultisigError::InvalidParams)?;
        Ok(next)
    }
}

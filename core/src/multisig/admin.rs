//! The administrative messages of the circuit_breaker and the
//! insurance_fund that the multisig may call, and the class each runs at:
//! the one table that the deploy tool builds its allow-list from and that
//! [`GuardPolicy::validate`](super::GuardPolicy::validate) enforces in the
//! multisig_guard contract, so that no allow-list (deployed, proposed by
//! `SetGuard`, or written in a params file) runs one of these messages at a
//! class weaker than this table's.
//!
//! Rule: a message runs at Policy (the multisig's longest timelock, the one
//! its own policy changes wait) if it hands the contract over: `set_roles`
//! can name any admin, or add a `covered` account that drains the fund
//! through claims, so it waits as long as removing the guard would. A
//! message runs at Critical (the calibrated call timelock) if a quorum of
//! stolen keys could use it to move value out or to switch a protection
//! off: re-opening outflows, moving the reference price, changing
//! parameters, judging a bond, authorising a claim payment (`pay_claim` is
//! permissionless once a claim is approved, up to `claim_cap_per_event`),
//! or lowering the active cover (it lowers the capital the fund must keep,
//! so it re-opens exits). Only what tightens or withholds value runs at
//! Standard: pausing, rejecting a claim, raising the cover.

use super::OperationClass;
use super::OperationClass::{Critical, Policy, Standard};
use crate::types::Selector;
use AdminContract::{CircuitBreaker as CB, InsuranceFund as FUND};

/// The contract an administrative message belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminContract {
    CircuitBreaker,
    InsuranceFund,
}

/// One administrative message and its class.
///
/// Invariant: `selector` is ink!'s selector of `message`, the first four
/// bytes of Blake2b-256 of its name (checked by this module's tests and by
/// the deploy tool's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdminCall {
    pub contract: AdminContract,
    pub message: &'static str,
    pub selector: Selector,
    /// Standard, Critical or Policy.
    pub class: OperationClass,
}

const fn admin(contract: AdminContract, message: &'static str, selector: Selector, class: OperationClass) -> AdminCall {
    AdminCall { contract, message, selector, class }
}

/// Every administrative message of the breaker and the fund, with its class
/// (see the module documentation for the rule).
pub const ADMIN_CALLS: [AdminCall; 14] = [
    admin(CB, "unpause", [0x67, 0x61, 0x66, 0x49], Critical),
    admin(CB, "reset", [0xdb, 0xd3, 0x7e, 0x6c], Critical),
    admin(CB, "anchor_price", [0x75, 0x43, 0xf3, 0xf2], Critical),
    admin(CB, "register_asset", [0x76, 0x31, 0x56, 0xd2], Critical),
    admin(CB, "set_params", [0x15, 0x8c, 0x97, 0x7c], Critical),
    admin(CB, "set_roles", [0xf9, 0xe2, 0x88, 0x96], Policy),
    admin(CB, "settle_trip", [0x51, 0xb8, 0x4c, 0xa1], Critical),
    admin(CB, "pause", [0x81, 0xe0, 0xc6, 0x04], Standard),
    admin(FUND, "approve_claim", [0x37, 0xf4, 0xd6, 0xac], Critical),
    admin(FUND, "lower_active_cover", [0x81, 0x15, 0x57, 0x33], Critical),
    admin(FUND, "set_params", [0x15, 0x8c, 0x97, 0x7c], Critical),
    admin(FUND, "set_roles", [0xf9, 0xe2, 0x88, 0x96], Policy),
    admin(FUND, "reject_claim", [0x9a, 0x94, 0x8f, 0xa8], Standard),
    admin(FUND, "raise_active_cover", [0xd7, 0x28, 0x63, 0xdb], Standard),
];

/// The administrative messages of `contract`.
pub fn admin_calls(contract: AdminContract) -> impl Iterator<Item = &'static AdminCall> {
    ADMIN_CALLS.iter().filter(move |a| a.contract == contract)
}

/// The least class any allow-list entry with this selector may have: the
/// strictest class [`ADMIN_CALLS`] gives the selector (a selector shared by
/// both contracts, such as `set_params`, takes the stricter), or `None` for
/// a selector that is no administrative message. A call to another contract
/// whose selector happens to collide is held to the same class: stricter,
/// never weaker, than its entry asks.
pub fn least_class(selector: &Selector) -> Option<OperationClass> {
    ADMIN_CALLS.iter().filter(|a| &a.selector == selector).map(|a| a.class).max()
}

/// Whether `selector` is an administrative message of the circuit_breaker
/// only (`settle_trip`, `unpause`, `pause`, ...; not `set_params` or
/// `set_roles`, which the fund has too): an allow-list entry with it names
/// a breaker.
pub fn is_breaker_only(selector: &Selector) -> bool {
    let of = |contract| admin_calls(contract).any(|a| &a.selector == selector);
    of(CB) && !of(FUND)
}

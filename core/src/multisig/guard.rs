//! The guard policy: which calls the multisig may make, at what class, and
//! with how much value.

use super::admin::{is_breaker_only, least_class};
use super::{CallSpec, MultisigError, OperationClass};
use crate::error::ParamError;
use crate::types::{AccountId, Balance, Selector};
use alloc::vec::Vec;

/// Most allow-list entries.
pub const MAX_ALLOW_LIST: usize = 64;

/// One allowed (target, selector) and the class its calls run under.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct AllowedCall {
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::array"))]
    pub target: AccountId,
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::array"))]
    pub selector: Selector,
    /// Standard, Critical or Policy (Policy for the messages that hand a
    /// contract over, see [`ADMIN_CALLS`](super::ADMIN_CALLS); calls never
    /// run as Membership).
    pub class: OperationClass,
}

/// Invariants (checked by `validate`): at most [`MAX_ALLOW_LIST`] entries,
/// no (target, selector) listed twice, no Membership entry, and no entry for
/// an administrative selector at a class weaker than
/// [`ADMIN_CALLS`](super::ADMIN_CALLS) gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "codec", derive(codec::Encode, codec::Decode, scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct GuardPolicy {
    pub allow_list: Vec<AllowedCall>,
    /// Largest value one Standard call may transfer.
    pub standard_value_cap: Balance,
    /// Largest value one Critical call may transfer.
    pub critical_value_cap: Balance,
}

impl GuardPolicy {
    pub fn validate(&self) -> Result<(), ParamError> {
        let l = &self.allow_list;
        let duplicate = l
            .iter()
            .enumerate()
            .any(|(i, a)| l.iter().skip(i.saturating_add(1)).any(|b| a.target == b.target && a.selector == b.selector));
        let bad_class = l.iter().any(|a| a.class == OperationClass::Membership);
        if l.len() > MAX_ALLOW_LIST || duplicate || bad_class {
            return Err(ParamError::AllowList);
        }
        if l.iter().any(|a| least_class(&a.selector).is_some_and(|least| a.class < least)) {
            return Err(ParamError::AdminCallClass);
        }
        Ok(())
    }

    /// The circuit breakers this guard lets the multisig administer: each
    /// distinct target of an entry for a breaker-only message (see
    /// [`is_breaker_only`](super::admin::is_breaker_only)), in list order.
    /// Their bonded-trip settle windows must outlast the multisig's
    /// Critical timelock ([`BondCheck`](super::BondCheck)).
    pub fn breaker_targets(&self) -> Vec<AccountId> {
        let mut targets: Vec<AccountId> = Vec::new();
        for a in self.allow_list.iter().filter(|a| is_breaker_only(&a.selector)) {
            if !targets.contains(&a.target) {
                targets.push(a.target);
            }
        }
        targets
    }

    /// The class of `call`, or why the guard refuses it.
    pub fn check(&self, call: &CallSpec) -> Result<OperationClass, MultisigError> {
        let entry = self
            .allow_list
            .iter()
            .find(|a| a.target == call.target && a.selector == call.selector)
            .ok_or(MultisigError::NotAllowedByGuard)?;
        let cap = match entry.class {
            OperationClass::Standard => self.standard_value_cap,
            _ => self.critical_value_cap,
        };
        if call.value > cap {
            return Err(MultisigError::ValueCapExceeded);
        }
        Ok(entry.class)
    }
}

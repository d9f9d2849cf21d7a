//! What a contract call is and what it returned, as bulwark-deploy speaks
//! of it on any chain: an encoded message and its return type, the dry
//! run's weight and storage deposit, what sending did, and the runtime's
//! dispatch errors by name. The pallet-revive client ([`crate::revive`])
//! produces them.

use crate::revive::abi::LangError;
use anyhow::{anyhow, bail, Result};
use scale::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// A two-dimensional weight (`ref_time`, `proof_size`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Weight {
    #[codec(compact)]
    pub ref_time: u64,
    #[codec(compact)]
    pub proof_size: u64,
}

/// sp_runtime::DispatchError, as far as needed to name it (the fields are
/// read through `Debug`).
#[derive(Decode, Debug)]
#[allow(dead_code)]
pub(crate) enum DispatchError {
    Other,
    CannotLookup,
    BadOrigin,
    Module(ModuleErrorRaw),
    ConsumerRemaining,
    NoProviders,
    TooManyConsumers,
    Token(u8),
    Arithmetic(u8),
    Transactional(u8),
    Exhausted,
    Corruption,
    Unavailable,
    RootNotAllowed,
}

#[derive(Decode, Debug)]
pub(crate) struct ModuleErrorRaw {
    index: u8,
    error: [u8; 4],
}

/// What a dry run says a call would do.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Estimate {
    pub gas_consumed: Weight,
    pub gas_required: Weight,
    /// Storage deposit charged (positive) or refunded (negative), native base units.
    pub storage_deposit: i128,
}

/// An encoded contract message and the type its return value decodes to.
pub struct Message<R> {
    pub input: Vec<u8>,
    pub(crate) _returns: PhantomData<fn() -> R>,
}

/// What sending a message did (`I`: the chain's record of an included extrinsic).
pub enum Sent<R, I> {
    /// The dry run reverted, so nothing was sent; the decoded return value says why.
    Reverted(R),
    Included(R, I),
}

impl<R: std::fmt::Debug, I> Sent<R, I> {
    /// The included call, or an error naming the revert.
    pub fn included(self, what: &str) -> Result<(R, I)> {
        match self {
            Sent::Included(r, inc) => Ok((r, inc)),
            Sent::Reverted(r) => Err(anyhow!("{what} would revert with {r:?}; nothing was sent")),
        }
    }
}

/// Names a runtime API's dispatch error by the chain's metadata (e.g.
/// `Revive::StorageDepositNotEnoughFunds`), with the debug buffer if any.
pub(crate) fn dispatch_error(md: &subxt::Metadata, e: &DispatchError, debug: &[u8]) -> anyhow::Error {
    let name = match e {
        DispatchError::Module(ModuleErrorRaw { index, error }) => md
            .pallet_by_index(*index)
            .and_then(|p| p.error_variant_by_index(error[0]).map(|v| format!("{}::{}", p.name(), v.name)))
            .unwrap_or_else(|| format!("module {index} error {error:?}")),
        other => format!("{other:?}"),
    };
    let debug = String::from_utf8_lossy(debug);
    if debug.trim().is_empty() {
        anyhow!("the runtime refused it: {name}")
    } else {
        anyhow!("the runtime refused it: {name} ({})", debug.trim())
    }
}

/// A constructor's or message's revert data, for an error message.
pub fn describe_revert(data: &[u8]) -> String {
    format!("return data 0x{}", ::hex::encode(data))
}

/// Decodes an ink! message's return data: `Result<R, LangError>`.
pub fn decode_return<R: Decode>(data: &[u8]) -> Result<R> {
    match Result::<R, LangError>::decode(&mut &data[..]) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(lang)) => bail!("the contract refused the message itself: {lang:?}"),
        Err(e) => bail!("cannot decode the contract's return value: {e}"),
    }
}

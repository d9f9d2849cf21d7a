//! The three contracts as the deploy command sees them: their code, their
//! own constructor and message builders (from the contract crates, built
//! natively with `ink-as-dependency`), and the admin messages the
//! multisig_guard's allow-list names.
//!
//! Nothing here re-types an argument: constructor and message inputs are
//! the contracts' builders applied to the bulwark-core structs, SCALE-encoded.

use crate::chain::{Address, Hash, Message};
use anyhow::{Context, Result};
use blake2::digest::{consts::U32, Digest};
use bulwark_core::multisig::{AdminContract, AllowedCall, ADMIN_CALLS};
use ink::codegen::ContractCallBuilder;
use ink::env::call::utils::{ReturnType, Set};
use ink::env::call::{Call, CallBuilder, ExecutionInput, FromAccountId};
use ink::primitives::AccountId;
use scale::Encode;
use std::marker::PhantomData;
use std::path::Path;

pub use circuit_breaker::circuit_breaker::{self as cb, CircuitBreaker, CircuitBreakerRef};
pub use insurance_fund::insurance_fund::{self as fund, InsuranceFund, InsuranceFundRef};
pub use multisig_guard::multisig_guard::{self as ms, MultisigGuard, MultisigGuardRef};

pub type Env = ink::env::DefaultEnvironment;

/// A message call builder with its arguments and return type set.
pub type FinishedCall<Args, R> = CallBuilder<Env, Set<Call<Env>>, Set<ExecutionInput<Args>>, Set<ReturnType<R>>>;

/// The encoded input of a finished message call builder.
pub fn message<Args: Encode, R>(b: FinishedCall<Args, R>) -> Message<R> {
    Message { input: b.params().exec_input().encode(), _returns: PhantomData }
}

/// The encoded input (selector and arguments) of a constructor call builder.
#[macro_export]
macro_rules! constructor_input {
    ($builder:expr) => {{
        use scale::Encode as _;
        $builder.endowment(0).code_hash(Default::default()).salt_bytes(Vec::<u8>::new()).params().exec_input().encode()
    }};
}

pub fn breaker_at(a: &Address) -> <CircuitBreaker as ContractCallBuilder>::Type {
    FromAccountId::<Env>::from_account_id(AccountId::from(*a))
}
pub fn fund_at(a: &Address) -> <InsuranceFund as ContractCallBuilder>::Type {
    FromAccountId::<Env>::from_account_id(AccountId::from(*a))
}
pub fn multisig_at(a: &Address) -> <MultisigGuard as ContractCallBuilder>::Type {
    FromAccountId::<Env>::from_account_id(AccountId::from(*a))
}

pub fn raw(a: &AccountId) -> Address {
    *<AccountId as AsRef<[u8; 32]>>::as_ref(a)
}

/// Blake2b-256, the chain's hasher (code hashes, addresses).
pub fn blake2_256(bytes: &[u8]) -> Hash {
    blake2::Blake2b::<U32>::digest(bytes).into()
}

/// pallet-contracts' deterministic contract address:
/// blake2_256(SCALE("contract_addr_v1", deployer, code_hash, input, salt)).
pub fn contract_address(deployer: &Address, code_hash: &Hash, input: &[u8], salt: &[u8]) -> Address {
    blake2_256(&(b"contract_addr_v1", deployer, code_hash, input, salt).encode())
}

/// The three contracts' optimized Wasm.
pub struct Codes {
    pub circuit_breaker: Vec<u8>,
    pub insurance_fund: Vec<u8>,
    pub multisig_guard: Vec<u8>,
}

impl Codes {
    /// Reads `<dir>/<name>/<name>.wasm` for each contract (what
    /// scripts/build-contracts.sh leaves in target/ink).
    pub fn read(dir: &Path) -> Result<Self> {
        let read = |name: &str| {
            let path = dir.join(name).join(format!("{name}.wasm"));
            std::fs::read(&path).with_context(|| {
                format!("cannot read {} (build the contracts first: scripts/build-contracts.sh)", path.display())
            })
        };
        Ok(Self {
            circuit_breaker: read("circuit_breaker")?,
            insurance_fund: read("insurance_fund")?,
            multisig_guard: read("multisig_guard")?,
        })
    }

    pub fn named(&self) -> [(&'static str, &[u8]); 3] {
        [
            ("circuit_breaker", &self.circuit_breaker),
            ("insurance_fund", &self.insurance_fund),
            ("multisig_guard", &self.multisig_guard),
        ]
    }
}

/// The admin messages of the breaker and the fund that the multisig may
/// call, and their classes, are bulwark-core's table
/// ([`bulwark_core::multisig::ADMIN_CALLS`]): the deploy tool only places
/// them at the deployed addresses, and the multisig_guard's own validation
/// refuses any allow-list that runs one of them at a weaker class.
pub fn admin_target(contract: AdminContract, breaker: &Address, fund: &Address) -> Address {
    match contract {
        AdminContract::CircuitBreaker => *breaker,
        AdminContract::InsuranceFund => *fund,
    }
}

/// An ink! message's selector: the first four bytes of blake2_256(name).
pub fn selector(name: &str) -> [u8; 4] {
    let h = blake2_256(name.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// The guard's allow-list for a deployment at these addresses: every entry
/// of core's admin table, at its class.
pub fn allow_list(breaker: &Address, fund: &Address) -> Vec<AllowedCall> {
    ADMIN_CALLS
        .iter()
        .map(|a| AllowedCall { target: admin_target(a.contract, breaker, fund), selector: a.selector, class: a.class })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_contracts_own() {
        // The builder's encoded input starts with the selector the contract dispatches on.
        let b = message(breaker_at(&[1; 32]).unpause(bulwark_core::breaker::PauseScope::Global));
        assert_eq!(b.input[..4], selector("unpause"));
        let f = message(fund_at(&[1; 32]).approve_claim(7));
        assert_eq!(f.input[..4], selector("approve_claim"));
        assert_eq!(ink::selector_bytes!("set_roles"), selector("set_roles"));
        let cover = message(fund_at(&[1; 32]).lower_active_cover(7));
        assert_eq!(cover.input[..4], selector("lower_active_cover"));
        for a in ADMIN_CALLS {
            assert_eq!(a.selector, selector(a.message), "core's table names {}'s selector", a.message);
        }
    }

    /// Issue 20 item 11: the allow-list ran approve_claim and cover changes
    /// at Standard. It is now core's table, which the guard validates.
    #[test]
    fn the_allow_list_is_cores_table_and_passes_the_guard() {
        use bulwark_core::multisig::{GuardPolicy, OperationClass};
        let (breaker, fund) = ([1; 32], [2; 32]);
        let list = allow_list(&breaker, &fund);
        let class = |target: &Address, name: &str| {
            list.iter().find(|a| a.target == *target && a.selector == selector(name)).map(|a| a.class)
        };
        assert_eq!(class(&fund, "approve_claim"), Some(OperationClass::Critical));
        assert_eq!(class(&fund, "lower_active_cover"), Some(OperationClass::Critical));
        assert_eq!(class(&fund, "raise_active_cover"), Some(OperationClass::Standard));
        assert_eq!(class(&fund, "set_active_cover"), None, "no such message any more");
        assert_eq!(class(&breaker, "unpause"), Some(OperationClass::Critical));
        assert_eq!(class(&breaker, "pause"), Some(OperationClass::Standard));
        assert_eq!(class(&breaker, "set_roles"), Some(OperationClass::Policy), "a handover waits the Policy timelock");
        assert_eq!(class(&fund, "set_roles"), Some(OperationClass::Policy));
        let guard = GuardPolicy { allow_list: list, standard_value_cap: 0, critical_value_cap: 0 };
        assert_eq!(guard.validate(), Ok(()));
    }
}

//! The three contracts as the deployment needs them: their release builds,
//! their messages' selectors, and the multisig's allow-list (core's table of
//! admin calls placed at the deployed addresses).

use anyhow::{Context, Result};
use blake2::digest::{consts::U32, Digest};
use bulwark_core::multisig::{AdminContract, AllowedCall, ADMIN_CALLS};
use std::path::Path;

/// A 32-byte bulwark-core account (an H160 right-aligned, on pallet-revive).
pub type CoreAccount = [u8; 32];

pub fn blake2_256(bytes: &[u8]) -> [u8; 32] {
    blake2::Blake2b::<U32>::digest(bytes).into()
}

/// The three contracts' release builds (PolkaVM blobs).
pub struct Codes {
    pub circuit_breaker: Vec<u8>,
    pub insurance_fund: Vec<u8>,
    pub multisig_guard: Vec<u8>,
}

impl Codes {
    /// Reads `<dir>/<name>/<name>.polkavm` for each contract (what
    /// scripts/build-contracts.sh leaves in contracts/target/ink).
    pub fn read(dir: &Path) -> Result<Self> {
        let read = |name: &str| {
            let path = dir.join(name).join(format!("{name}.polkavm"));
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
pub fn admin_target(contract: AdminContract, breaker: &CoreAccount, fund: &CoreAccount) -> CoreAccount {
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
pub fn allow_list(breaker: &CoreAccount, fund: &CoreAccount) -> Vec<AllowedCall> {
    ADMIN_CALLS
        .iter()
        .map(|a| AllowedCall { target: admin_target(a.contract, breaker, fund), selector: a.selector, class: a.class })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Core's table names each message by the selector ink! gives it (the
    /// release builds' metadata is compared with these selectors in
    /// `revive::abi`'s tests and the e2e suite's metadata check).
    #[test]
    fn selectors_are_the_contracts_own() {
        // ink!'s documented selector of a message `flip`: blake2_256("flip")[..4].
        assert_eq!(selector("flip"), [0x63, 0x3a, 0xa5, 0x51]);
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
        let class = |target: &CoreAccount, name: &str| {
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

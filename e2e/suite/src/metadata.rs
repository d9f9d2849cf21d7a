//! The declarations of [`crate::abi`] against the contracts' own metadata
//! (written by `cargo contract build --release` beside each `.polkavm`):
//! selector, argument names, and the SCALE shape of every argument, return
//! value and event field, field by field. A declaration that drifts from
//! the contract would encode calls the contract misreads, or decode its
//! answers wrongly; this names each difference (bulwark-deploy's
//! `revive::metadata` compares; this lists the suite's declarations).

use anyhow::Result;
use bulwark_deploy::revive::metadata::Metadata;

/// Checks every declaration of [`crate::abi`]; returns how many matched,
/// or every difference.
pub fn check_all() -> Result<usize> {
    use crate::abi::{breaker, events, fund, multisig, vault};
    let mut problems = Vec::new();
    let mut n = 0;
    let mut metadata = std::collections::BTreeMap::new();
    for contract in ["circuit_breaker", "insurance_fund", "multisig_guard", "protected_vault"] {
        let path = crate::artifacts_of(contract).join(format!("{contract}.json"));
        metadata.insert(contract, Metadata::read(&path, contract)?);
    }
    let mut declared = breaker::declared();
    declared.extend(fund::declared());
    declared.extend(multisig::declared());
    declared.push(vault::declared_constructor());
    declared.extend(vault::declared());
    for d in &declared {
        problems.extend(metadata[d.contract].check(d.kind, d.name, &d.args, &d.returns));
        n += 1;
    }
    for (contract, name, fields) in events::declared() {
        problems.extend(metadata[contract].check_event(name, &fields));
        n += 1;
    }
    if problems.is_empty() {
        Ok(n)
    } else {
        anyhow::bail!("{} of {n} declarations differ from the metadata:\n{}", problems.len(), problems.join("\n"))
    }
}

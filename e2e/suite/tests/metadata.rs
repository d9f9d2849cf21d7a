//! The suite's declarations (its extra messages, the vault's messages and
//! every event it reads) against the release builds' metadata. Needs the
//! builds, not a chain; ignored by plain `cargo test` like the scenarios
//! (scripts/e2e.sh runs it).

#[test]
#[ignore = "needs the release builds: scripts/e2e.sh"]
fn every_declaration_is_the_contracts_own() {
    match bulwark_e2e::metadata::check_all() {
        Ok(n) => println!("{n} messages, constructors and events match the contracts' metadata"),
        Err(e) => panic!("{e:#}"),
    }
}

/// The canonical signatures (`name(type,type)`) of the functions a Solidity
/// interface declares.
fn functions_of(sol: &str) -> Vec<String> {
    sol.split("function ")
        .skip(1)
        .filter_map(|rest| {
            let (name, params) = rest.split_once('(')?;
            let (params, _) = params.split_once(')')?;
            let types: Vec<&str> =
                params.split(',').filter_map(|p| p.split_whitespace().next()).filter(|t| !t.is_empty()).collect();
            Some(format!("{}({})", name.trim(), types.join(",")))
        })
        .collect()
}

/// The Solidity signatures the vault calls (`mod sol` in its lib.rs) are
/// functions of the contracts' Solidity interfaces
/// (contracts/interfaces/IBulwarkBreaker.sol, IBulwarkFund.sol): a
/// Solidity protocol calling through those interfaces uses the same
/// selectors as the vault.
#[test]
fn the_vault_calls_functions_of_the_solidity_interfaces() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut declared = functions_of(&read("contracts/interfaces/IBulwarkBreaker.sol"));
    declared.extend(functions_of(&read("contracts/interfaces/IBulwarkFund.sol")));
    assert!(declared.contains(&"check_outflow(uint32,address,bytes4,uint128)".to_string()), "{declared:?}");
    let vault = read("e2e/protected_vault/lib.rs");
    let called: Vec<&str> = vault
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const ")?.split_once(": &str = \"")?.1.strip_suffix("\";"))
        .collect();
    assert_eq!(called.len(), 3, "the vault's Solidity signatures: {called:?}");
    for sig in called {
        assert!(declared.iter().any(|d| d == sig), "the vault calls {sig}, which no interface declares");
    }
}

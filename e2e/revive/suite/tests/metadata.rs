//! The suite's declarations (its extra messages, the vault's messages and
//! every event it reads) against the release builds' metadata. Needs the
//! builds, not a chain; ignored by plain `cargo test` like the scenarios
//! (scripts/e2e-revive.sh runs it).

#[test]
#[ignore = "needs the release builds: scripts/e2e-revive.sh"]
fn every_declaration_is_the_contracts_own() {
    match bulwark_e2e_revive::metadata::check_all() {
        Ok(n) => println!("{n} messages, constructors and events match the contracts' metadata"),
        Err(e) => panic!("{e:#}"),
    }
}

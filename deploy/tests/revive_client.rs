//! The pallet-revive chain client against the local revive chain
//! (`scripts/node.sh start`), with one real
//! contract: the release build of contracts/circuit_breaker. Dry
//! runs, upload, a salted instantiation at the address derived here, a
//! query, a call with its events, a revert that is not sent, storage facts,
//! balances and time travel.
//!
//! Ignored by plain `cargo test` (it needs the chain and the build);
//! scripts/chain-test.sh runs it. Each run uses a
//! fresh salt, so it can run again on the same chain.

use bulwark_deploy::chain::Sent;
use bulwark_deploy::revive::abi::breaker::{self, BreakerRoles};
use bulwark_deploy::revive::client::{Code, Messages, ReviveClient};
use bulwark_deploy::revive::subxt::{contracts_pallets, SubxtRevive};
use bulwark_deploy::revive::{code_hash, create2, h160_of, salt32};
use std::path::PathBuf;
use subxt_signer::sr25519::dev;

fn artifacts() -> PathBuf {
    std::env::var("BULWARK_REVIVE_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/target/ink"))
}

#[tokio::test]
#[ignore = "needs the local revive chain and the release builds: scripts/chain-test.sh"]
async fn the_revive_client_deploys_queries_and_calls_one_contract() {
    let url = std::env::var("BULWARK_CHAIN_URL").unwrap_or_else(|_| "ws://127.0.0.1:9944".into());
    let chain = SubxtRevive::connect(&url).await.expect("the local revive chain answers");
    assert_eq!(contracts_pallets(&chain.api), vec!["Revive"]);

    let (alice, ferdie) = (dev::alice(), dev::ferdie());
    let me = alice.public_key().0;
    let my_h160 = h160_of(&me);
    assert_eq!(chain.address_of(&me).await.unwrap(), my_h160, "the runtime maps Alice as h160_of does");

    let path = artifacts().join("circuit_breaker/circuit_breaker.polkavm");
    let code = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (build it first)", path.display()));
    let hash = code_hash(&code);
    let (dry_hash, deposit) = chain.dry_upload(&me, &code).await.expect("upload dry run");
    assert_eq!(dry_hash, hash, "the chain hashes code with keccak256");
    if !chain.code_exists(&hash).await.unwrap() {
        assert!(deposit > 0);
        let inc = chain.upload(&alice, &code, deposit + deposit / 10).await.expect("uploaded");
        assert!(inc.block > 0);
        assert!(chain.code_exists(&hash).await.unwrap());
    }

    // A fresh salt each run: a new contract at the address derived here.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let salt = salt32(format!("revive-client-test-{nanos}").as_bytes());
    let params = {
        use bulwark_sim::config::Config;
        use bulwark_sim::params::{build, Knobs};
        let c = Config::default();
        build(&c, &Knobs::middle(&c.calibration)).unwrap()
    };
    let roles = BreakerRoles {
        admin: my_h160,
        oracle: h160_of(&ferdie.public_key().0),
        protected: h160_of(&dev::dave().public_key().0),
        guardians: vec![h160_of(&dev::eve().public_key().0)],
        insurance_fund: [0x11; 20],
        min_bond: params.deployment.bond.min_bond,
        bond_settle_within_ms: params.deployment.bond.settle_within_ms,
    };
    let input = breaker::new(params.circuit_breaker.clone(), roles.clone());
    let derived = create2(&my_h160, &code, &input, &salt);
    let run = chain.dry_instantiate(&me, 0, Code::Existing(&hash), &input, Some(&salt)).await.expect("dry run");
    assert!(!run.reverted, "the constructor accepts the params: {:?}", run.data);
    assert_eq!(run.address, Some(derived), "create2 as pallet-revive computes it");
    assert!(run.estimate.gas_required.ref_time > 0 && run.estimate.gas_required.proof_size > 0);
    assert!(run.estimate.storage_deposit > 0);
    println!(
        "instantiate circuit_breaker: {} ref_time / {} proof_size, storage deposit {}",
        run.estimate.gas_required.ref_time, run.estimate.gas_required.proof_size, run.estimate.storage_deposit
    );
    assert!(!chain.contract_exists(&derived).await.unwrap());
    let limits = bulwark_deploy::revive::client::Limits::from_dry_run(&run);
    let inc = chain.instantiate(&alice, 0, limits, &hash, &input, Some(&salt)).await.expect("instantiated");
    assert_eq!(inc.instantiated, vec![derived], "Revive.Instantiated names the derived address");
    assert_eq!(chain.code_hash_of(&derived).await.unwrap(), Some(hash));

    // Queries decode the core structs and the shell's roles.
    assert_eq!(chain.query(&me, &derived, &breaker::params()).await.unwrap(), params.circuit_breaker);
    assert_eq!(chain.query(&me, &derived, &breaker::roles()).await.unwrap(), roles);

    // A call: included, with the contract's events.
    let reg = params.deployment.assets[0].clone();
    let before = chain.best_block().await.unwrap();
    let msg = breaker::register_asset(reg.id, reg.units, reg.initial_tvl, reg.price);
    let (r, inc) = chain.send(&alice, &derived, &msg, 0).await.unwrap().included("register_asset").unwrap();
    assert_eq!(r, Ok(()));
    assert!(inc.block > before);
    assert!(inc.emitted.iter().any(|e| e.contract == derived && !e.topics.is_empty()), "{:?}", inc.emitted);
    let flow = chain.query(&me, &derived, &breaker::asset_flow(reg.id)).await.unwrap().expect("registered");
    assert_eq!((flow.units, flow.tvl), (reg.units, reg.initial_tvl));
    // Read at the block before: not registered there.
    let earlier = chain.query_at(&me, &derived, &breaker::asset_flow(reg.id), Some(before)).await.unwrap();
    assert_eq!(earlier, Err(breaker::Error::UnknownAsset));

    // A revert is decoded and not sent: no block.
    let best = chain.best_block().await.unwrap();
    match chain.send(&alice, &derived, &msg, 0).await.unwrap() {
        Sent::Reverted(r) => assert_eq!(r, Err(breaker::Error::AssetExists)),
        Sent::Included(..) => panic!("a second registration was sent"),
    }
    match chain.send(&ferdie, &derived, &breaker::reset(), 0).await.unwrap() {
        Sent::Reverted(r) => assert_eq!(r, Err(breaker::Error::NotAdmin)),
        Sent::Included(..) => panic!("the oracle reset the breaker"),
    }
    assert_eq!(chain.best_block().await.unwrap(), best);

    assert!(chain.free_balance(&me).await.unwrap() > 0);
    let now = chain.now().await.unwrap();
    chain.time_travel(now + 3_600_000).await.unwrap();
    assert!(chain.now().await.unwrap() >= now + 3_600_000);
}

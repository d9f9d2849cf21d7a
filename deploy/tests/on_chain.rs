//! On-chain scenarios against a deployment made by `bulwark-deploy`, through
//! real signed extrinsics on a real pallet-contracts chain (the local chain
//! of scripts/node.sh). Each asserts decisions, errors, balances and events.
//!
//! They need a chain and a fresh deployment, so they are ignored by plain
//! `cargo test`; scripts/chain-test.sh runs them one at a time with
//! `--ignored` after deploying, with BULWARK_PARAMS and BULWARK_RECORD set.
//! Accounts (the default params.json's): Alice, Bob and Charlie own the
//! multisig (2 of 3), Dave is the protected protocol and the claimant, Eve a
//! guardian, Ferdie the oracle. The unpause and claim scenarios move the
//! clock past a timelock with Chopsticks' dev_timeTravel.

use bulwark_core::breaker::{Decision, Level, PauseScope, Rejection};
use bulwark_core::multisig::{Action, CallSpec, MultisigError};
use bulwark_deploy::chain::{Address, Chain, Emitted, Estimate, Included, Message, Sent};
use bulwark_deploy::contracts::{self, cb, fund, message, ms, selector};
use bulwark_deploy::deploy::Record;
use bulwark_sim::params::ContractParams;
use bulwark_sim::report::ParamsFile;
use scale::{Decode, Encode};
use subxt_signer::sr25519::{dev, Keypair};

const SEL: [u8; 4] = *b"wdrw";
/// The end user whose funds Dave (the protected protocol) moves.
const USER: [u8; 32] = [0x42; 32];
const MINUTE: u64 = 60_000;

struct Deployed {
    chain: Chain,
    params: ContractParams,
    breaker: Address,
    fund: Address,
    multisig: Address,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set (scripts/chain-test.sh sets it)"))
}

async fn deployed() -> Deployed {
    let url = std::env::var("BULWARK_CHAIN_URL").unwrap_or_else(|_| "ws://127.0.0.1:9944".into());
    let chain = Chain::connect(&url).await.expect("the local chain answers");
    let params = ParamsFile::read(env("BULWARK_PARAMS").as_ref()).expect("params.json").params();
    let record = Record::read(env("BULWARK_RECORD").as_ref()).expect("deployment record");
    assert!(record.verification.iter().all(|c| c.ok) && !record.verification.is_empty(), "the deployment verified");
    Deployed {
        breaker: record.address("circuit_breaker").unwrap(),
        fund: record.address("insurance_fund").unwrap(),
        multisig: record.address("multisig_guard").unwrap(),
        chain,
        params,
    }
}

fn id(k: &Keypair) -> Address {
    k.public_key().0
}

/// The contract events of type `E` that `contract` emitted.
fn events<E: ink::env::Event + Decode>(inc: &Included, contract: &Address) -> Vec<E> {
    inc.emitted
        .iter()
        .filter(|e: &&Emitted| e.contract == *contract && e.topics.first().copied() == E::SIGNATURE_TOPIC)
        .map(|e| E::decode(&mut &e.data[..]).expect("event decodes"))
        .collect()
}

async fn send<R: Decode + std::fmt::Debug>(d: &Deployed, k: &Keypair, to: &Address, m: Message<R>) -> (R, Included) {
    d.chain.send(k, to, &m, 0).await.expect("dry run").included("the call").expect("included")
}

async fn reverted<R: Decode>(d: &Deployed, k: &Keypair, to: &Address, m: Message<R>) -> R {
    match d.chain.send(k, to, &m, 0).await.expect("dry run") {
        Sent::Reverted(r) => r,
        Sent::Included(..) => panic!("expected a revert, but the call was included"),
    }
}

/// Proposes `call` as Alice, approves it as Bob; returns the proposal id.
async fn propose_and_approve(d: &Deployed, call: CallSpec) -> u64 {
    let (alice, bob) = (dev::alice(), dev::bob());
    let action = Action::Call(call);
    let (r, inc) =
        send(d, &alice, &d.multisig, message(contracts::multisig_at(&d.multisig).propose(action.clone(), None))).await;
    let pid = r.expect("proposed");
    let proposed: Vec<ms::Proposed> = events(&inc, &d.multisig);
    assert_eq!(proposed.len(), 1);
    assert_eq!(proposed[0].id, pid);
    assert_eq!(proposed[0].action, action, "the event shows vetoers what is coming");
    let (r, inc) =
        send(d, &bob, &d.multisig, message(contracts::multisig_at(&d.multisig).approve(pid, proposed[0].call_hash)))
            .await;
    r.expect("approved");
    assert_eq!(events::<ms::Approved>(&inc, &d.multisig).len(), 1);
    pid
}

/// Reports the registered price again so that it is fresh now.
async fn fresh_price(d: &Deployed, asset: u32, price: u128) {
    let (r, _) =
        send(d, &dev::ferdie(), &d.breaker, message(contracts::breaker_at(&d.breaker).report_price(asset, price)))
            .await;
    r.expect("price reported");
}

#[tokio::test]
#[ignore = "needs the local chain and a deployment: scripts/chain-test.sh"]
async fn a_drain_is_refused_at_the_limit() {
    let d = deployed().await;
    let dave = dev::dave();
    let reg = d.params.deployment.assets[0].clone();
    fresh_price(&d, reg.id, reg.price).await;
    let b = || contracts::breaker_at(&d.breaker);
    let tvl0 = d.chain.query(&id(&dave), &d.breaker, &message(b().asset_flow(reg.id))).await.unwrap().unwrap().tvl;
    assert_eq!(tvl0, reg.initial_tvl, "the registered TVL, in the 18-decimal token's base units");
    let available = || async {
        d.chain.query(&id(&dave), &d.breaker, &message(b().available_outflow(reg.id, USER.into(), SEL))).await
    };
    let room = available().await.unwrap().unwrap();
    assert!(room > 0 && room < tvl0);

    // Half the room leaves.
    let (r, inc) = send(&d, &dave, &d.breaker, message(b().check_outflow(reg.id, USER.into(), SEL, room / 2))).await;
    assert!(matches!(r, Ok(Decision::Allowed(_))), "{r:?}");
    let checked: Vec<cb::OutflowChecked> = events(&inc, &d.breaker);
    assert_eq!(checked.len(), 1);
    assert_eq!((checked[0].asset, checked[0].amount, checked[0].level), (reg.id, room / 2, Level::Normal));

    // One value unit (10^-6 USD) more than what is left is refused, and the
    // refusal moves nothing.
    let left = available().await.unwrap().unwrap();
    let one_value_unit = reg.units.amount_for(1, reg.price).unwrap() + 1;
    let (r, inc) =
        send(&d, &dave, &d.breaker, message(b().check_outflow(reg.id, USER.into(), SEL, left + one_value_unit))).await;
    assert!(matches!(r, Ok(Decision::Rejected(Rejection::LimitExceeded { .. }))), "{r:?}");
    assert_eq!(events::<cb::OutflowChecked>(&inc, &d.breaker)[0].level, Level::Normal, "a refusal raises nothing");
    let flow = d.chain.query(&id(&dave), &d.breaker, &message(b().asset_flow(reg.id))).await.unwrap().unwrap();
    assert_eq!(flow.tvl, tvl0 - room / 2, "only the allowed half left");

    // Exactly what is left passes, saturates the window, and throttles.
    let (r, _) = send(&d, &dave, &d.breaker, message(b().check_outflow(reg.id, USER.into(), SEL, left))).await;
    assert!(matches!(r, Ok(Decision::Allowed(_))), "{r:?}");
    assert_eq!(d.chain.query(&id(&dave), &d.breaker, &message(b().level())).await.unwrap(), Level::Throttled);

    // Only the protected protocol may ask.
    let r = reverted(&d, &dev::eve(), &d.breaker, message(b().check_outflow(reg.id, USER.into(), SEL, 1))).await;
    assert_eq!(r, Err(cb::Error::NotProtected));
}

#[tokio::test]
#[ignore = "needs the local chain and a deployment: scripts/chain-test.sh"]
async fn a_guardian_pause_is_lifted_only_through_the_multisig() {
    let d = deployed().await;
    let (alice, charlie, dave, eve) = (dev::alice(), dev::charlie(), dev::dave(), dev::eve());
    let b = || contracts::breaker_at(&d.breaker);
    let reg = d.params.deployment.assets[1].clone();

    let (r, inc) = send(&d, &eve, &d.breaker, message(b().pause(PauseScope::Global))).await;
    r.expect("a guardian pauses");
    let paused: Vec<cb::Paused> = events(&inc, &d.breaker);
    assert_eq!(
        (paused.len(), paused[0].scope, paused[0].by),
        (1, PauseScope::Global, ink::primitives::AccountId::from(id(&eve)))
    );
    let (r, _) = send(&d, &dave, &d.breaker, message(b().check_outflow(reg.id, USER.into(), SEL, 1))).await;
    assert_eq!(r, Ok(Decision::Rejected(Rejection::GlobalPause)));
    assert!(d.chain.query(&id(&dave), &d.breaker, &message(b().blocks_exits())).await.unwrap(), "exits wait");

    // Neither the guardian nor the former (deployer) admin can unpause.
    assert_eq!(
        reverted(&d, &eve, &d.breaker, message(b().unpause(PauseScope::Global))).await,
        Err(cb::Error::NotAdmin)
    );
    assert_eq!(
        reverted(&d, &alice, &d.breaker, message(b().unpause(PauseScope::Global))).await,
        Err(cb::Error::NotAdmin)
    );

    // The multisig: propose, approve, and execute once the Critical timelock has run.
    let call =
        CallSpec { target: d.breaker, selector: selector("unpause"), input: PauseScope::Global.encode(), value: 0 };
    let pid = propose_and_approve(&d, call).await;
    let m = || contracts::multisig_at(&d.multisig);
    let r = reverted(&d, &charlie, &d.multisig, message(m().execute(pid))).await;
    assert_eq!(r, Err(ms::Error::Multisig(MultisigError::TimelockNotPassed)));
    let critical = d.params.multisig_guard.timelocks.critical_ms;
    d.chain.time_travel(d.chain.now().await.unwrap() + critical + MINUTE).await.unwrap();
    let (r, inc) = send(&d, &charlie, &d.multisig, message(m().execute(pid))).await;
    r.expect("executed");
    assert_eq!(events::<ms::Executed>(&inc, &d.multisig).len(), 1);
    let unpaused: Vec<cb::Unpaused> = events(&inc, &d.breaker);
    assert_eq!(unpaused.len(), 1, "the breaker itself emitted Unpaused");
    assert_eq!(unpaused[0].scope, PauseScope::Global);
    assert!(!d.chain.query(&id(&dave), &d.breaker, &message(b().pauses())).await.unwrap().global);
    // Executed once only.
    assert!(matches!(
        reverted(&d, &charlie, &d.multisig, message(m().execute(pid))).await,
        Err(ms::Error::Multisig(_))
    ));
}

#[tokio::test]
#[ignore = "needs the local chain and a deployment: scripts/chain-test.sh"]
async fn a_claim_is_paid_after_approval_at_exactly_the_calibrated_cap() {
    let d = deployed().await;
    let (bob, charlie, dave) = (dev::bob(), dev::charlie(), dev::dave());
    let f = || contracts::fund_at(&d.fund);
    let cap = d.params.insurance_fund.claim_cap_per_event;
    assert_eq!(cap, 5 * 10u128.pow(18), "the calibrated $5M cap in native base units (12 decimals, $1)");

    // Stakers' capital: four times the cap.
    let stake = 4 * cap;
    let dep = d.chain.send(&bob, &d.fund, &message(f().deposit()), stake).await.unwrap().included("deposit").unwrap();
    dep.0.expect("deposited");
    assert_eq!(d.chain.query(&id(&bob), &d.fund, &message(f().total_assets())).await.unwrap(), stake);

    // A loss three times the cap: the layer takes its part, the fund retains exactly the cap.
    let loss = 3 * cap;
    let (r, inc) =
        send(&d, &dave, &d.fund, message(f().file_claim(loss, ink::primitives::AccountId::from(id(&dave))))).await;
    let claim = r.expect("filed");
    let filed: Vec<fund::ClaimFiled> = events(&inc, &d.fund);
    assert_eq!(filed.len(), 1);
    assert_eq!((filed[0].loss, filed[0].retained), (loss, cap));
    assert!(filed[0].ceded > 0, "the excess-of-loss layer takes its part");
    // The default config's reinsurer is a stand-in account, not a fund: the
    // cession fails, is reported, and waits for retry_cession, while the
    // retained part is filed all the same.
    let failed: Vec<fund::CessionFailed> = events(&inc, &d.fund);
    assert_eq!((failed.len(), failed[0].id, failed[0].ceded), (1, claim, filed[0].ceded));

    // Not payable before the multisig approves.
    assert!(matches!(reverted(&d, &charlie, &d.fund, message(f().pay_claim(claim))).await, Err(fund::Error::Fund(_))));
    let call = CallSpec { target: d.fund, selector: selector("approve_claim"), input: claim.encode(), value: 0 };
    let pid = propose_and_approve(&d, call).await;
    // Approving a claim authorises up to the cap, paid by anyone: Critical.
    let critical = d.params.multisig_guard.timelocks.critical_ms;
    d.chain.time_travel(d.chain.now().await.unwrap() + critical + MINUTE).await.unwrap();
    let (r, inc) = send(&d, &charlie, &d.multisig, message(contracts::multisig_at(&d.multisig).execute(pid))).await;
    r.expect("executed");
    assert_eq!(events::<fund::ClaimApproved>(&inc, &d.fund).len(), 1);

    // Charlie triggers the payment; Dave, who pays no fee here, receives exactly the cap.
    let before = d.chain.free_balance(&id(&dave)).await.unwrap();
    let (r, inc) = send(&d, &charlie, &d.fund, message(f().pay_claim(claim))).await;
    let payout = r.expect("paid");
    assert_eq!(payout.paid, cap);
    let paid: Vec<fund::ClaimPaid> = events(&inc, &d.fund);
    assert_eq!((paid.len(), paid[0].paid, paid[0].haircut), (1, cap, 0));
    assert_eq!(d.chain.free_balance(&id(&dave)).await.unwrap() - before, cap);
    assert_eq!(d.chain.query(&id(&bob), &d.fund, &message(f().total_assets())).await.unwrap(), stake - cap);
}

/// Gas of the hot messages, measured by dry runs of the release builds on
/// the chain; written to BULWARK_WEIGHTS (JSON) for docs/performance.md's gas table.
#[tokio::test]
#[ignore = "needs the local chain and a deployment: scripts/chain-test.sh"]
async fn hot_message_weights() {
    let d = deployed().await;
    let reg = d.params.deployment.assets[0].clone();
    let b = || contracts::breaker_at(&d.breaker);
    let f = || contracts::fund_at(&d.fund);
    async fn measure<R>(d: &Deployed, k: &Keypair, to: &Address, m: Message<R>) -> Estimate {
        let (e, reverted) = d.chain.estimate_message(&id(k), to, &m).await.expect("dry run");
        assert!(!reverted, "a hot message reverted in its dry run");
        e
    }
    let amount = reg.initial_tvl / 1_000_000;
    let rows = vec![
        (
            "circuit_breaker.check_outflow",
            measure(&d, &dev::dave(), &d.breaker, message(b().check_outflow(reg.id, USER.into(), SEL, amount))).await,
        ),
        (
            "circuit_breaker.record_inflow",
            measure(&d, &dev::dave(), &d.breaker, message(b().record_inflow(reg.id, USER.into(), amount))).await,
        ),
        (
            "circuit_breaker.report_price",
            measure(&d, &dev::ferdie(), &d.breaker, message(b().report_price(reg.id, reg.price))).await,
        ),
        (
            "circuit_breaker.available_outflow",
            measure(&d, &dev::dave(), &d.breaker, message(b().available_outflow(reg.id, USER.into(), SEL))).await,
        ),
        (
            "circuit_breaker.pause",
            measure(&d, &dev::eve(), &d.breaker, message(b().pause(PauseScope::Asset(reg.id)))).await,
        ),
        (
            "insurance_fund.file_claim",
            measure(
                &d,
                &dev::dave(),
                &d.fund,
                message(f().file_claim(1_000, ink::primitives::AccountId::from(id(&dev::dave())))),
            )
            .await,
        ),
        (
            "multisig_guard.propose",
            measure(
                &d,
                &dev::alice(),
                &d.multisig,
                message(contracts::multisig_at(&d.multisig).propose(
                    Action::Call(CallSpec { target: d.breaker, selector: selector("reset"), input: vec![], value: 0 }),
                    None,
                )),
            )
            .await,
        ),
    ];
    let json: Vec<_> = rows
        .iter()
        .map(|(m, e)| serde_json::json!({"message": m, "ref_time": e.gas_required.ref_time, "proof_size": e.gas_required.proof_size}))
        .collect();
    for (m, e) in &rows {
        println!("{m:<36} {:>14} ref_time {:>9} proof_size", e.gas_required.ref_time, e.gas_required.proof_size);
        assert!(e.gas_required.ref_time > 0);
    }
    if let Ok(path) = std::env::var("BULWARK_WEIGHTS") {
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

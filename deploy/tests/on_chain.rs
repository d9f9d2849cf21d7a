//! The on-chain scenarios on pallet-revive: the ink! 6
//! shells (contracts) deployed by `bulwark-deploy` on the local
//! revive chain (`scripts/node.sh start`), through
//! real signed `Revive` extrinsics. Each asserts decisions, errors, native
//! balances and events (decoded by the signature topics of the contracts'
//! metadata).
//!
//! Ignored by plain `cargo test`; scripts/chain-test.sh runs them one at a
//! time after deploying, with BULWARK_PARAMS, BULWARK_RECORD and
//! BULWARK_REVIVE_ARTIFACTS set. Accounts are the default params.json's, as
//! their H160s: Alice, Bob and Charlie own the multisig (2 of 3), Dave is
//! the protected protocol and the claimant, Eve a guardian, Ferdie the
//! oracle.

use bulwark_core::breaker::{Decision, Level, PauseScope, Rejection};
use bulwark_core::multisig::{Action, CallSpec, MultisigError};
use bulwark_deploy::chain::{Message, Sent};
use bulwark_deploy::contracts::selector;
use bulwark_deploy::record::Record;
use bulwark_deploy::revive::abi::events::{self, Event};
use bulwark_deploy::revive::abi::{breaker, fund, multisig, EventTopics};
use bulwark_deploy::revive::client::{Included, Messages, ReviveClient};
use bulwark_deploy::revive::subxt::SubxtRevive;
use bulwark_deploy::revive::{core_account, h160_of, H160};
use bulwark_sim::params::ContractParams;
use bulwark_sim::report::ParamsFile;
use scale::{Decode, Encode};
use std::path::PathBuf;
use subxt_signer::sr25519::{dev, Keypair};

const SEL: [u8; 4] = *b"wdrw";
/// The end user whose funds Dave (the protected protocol) moves.
const USER: H160 = [0x42; 20];
const MINUTE: u64 = 60_000;

struct Deployed {
    chain: SubxtRevive,
    params: ContractParams,
    topics: EventTopics,
    breaker: H160,
    fund: H160,
    multisig: H160,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set (scripts/chain-test.sh sets it)"))
}

fn artifacts() -> PathBuf {
    std::env::var("BULWARK_REVIVE_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/target/ink"))
}

async fn deployed() -> Deployed {
    let url = std::env::var("BULWARK_CHAIN_URL").unwrap_or_else(|_| "ws://127.0.0.1:9944".into());
    let chain = SubxtRevive::connect(&url).await.expect("the local revive chain answers");
    let params = ParamsFile::read(env("BULWARK_PARAMS").as_ref()).expect("params.json").params();
    let record = Record::read(env("BULWARK_RECORD").as_ref()).expect("deployment record");
    assert_eq!(record.backend, "pallet-revive");
    assert!(record.verification.iter().all(|c| c.ok) && !record.verification.is_empty(), "the deployment verified");
    Deployed {
        breaker: record.address_bytes("circuit_breaker").unwrap(),
        fund: record.address_bytes("insurance_fund").unwrap(),
        multisig: record.address_bytes("multisig_guard").unwrap(),
        topics: EventTopics::read(&artifacts()).expect("the contracts' metadata"),
        chain,
        params,
    }
}

fn id(k: &Keypair) -> [u8; 32] {
    k.public_key().0
}

fn h160(k: &Keypair) -> H160 {
    h160_of(&k.public_key().0)
}

impl Deployed {
    /// The events of type `E` that `contract` emitted through the ink! ABI.
    fn events<E: Event>(&self, inc: &Included, contract: &H160) -> Vec<E> {
        let topic = self.topics.of::<E>().unwrap();
        inc.emitted
            .iter()
            .filter(|e| e.contract == *contract && e.topics.first() == Some(&topic))
            .map(|e| E::decode(&mut &e.data[..]).expect("event decodes"))
            .collect()
    }

    async fn send<R: Decode + std::fmt::Debug>(&self, k: &Keypair, to: &H160, m: Message<R>) -> (R, Included) {
        self.chain.send(k, to, &m, 0).await.expect("dry run").included("the call").expect("included")
    }

    async fn reverted<R: Decode>(&self, k: &Keypair, to: &H160, m: Message<R>) -> R {
        match self.chain.send(k, to, &m, 0).await.expect("dry run") {
            Sent::Reverted(r) => r,
            Sent::Included(..) => panic!("expected a revert, but the call was included"),
        }
    }

    async fn query<R: Decode>(&self, k: &Keypair, to: &H160, m: Message<R>) -> R {
        self.chain.query(&id(k), to, &m).await.expect("query")
    }

    /// Proposes `call` as Alice, approves it as Bob; returns the proposal id.
    async fn propose_and_approve(&self, call: CallSpec) -> u64 {
        let action = Action::Call(call);
        let (r, inc) = self.send(&dev::alice(), &self.multisig, multisig::propose(action.clone(), None)).await;
        let pid = r.expect("proposed");
        let proposed: Vec<events::Proposed> = self.events(&inc, &self.multisig);
        assert_eq!(proposed.len(), 1);
        assert_eq!((proposed[0].id, proposed[0].proposer), (pid, h160(&dev::alice())));
        assert_eq!(proposed[0].action, action, "the event shows vetoers what is coming");
        let (r, inc) = self.send(&dev::bob(), &self.multisig, multisig::approve(pid, proposed[0].call_hash)).await;
        r.expect("approved");
        assert_eq!(self.events::<events::Approved>(&inc, &self.multisig).len(), 1);
        pid
    }

    /// Reports the registered price again so that it is fresh now.
    async fn fresh_price(&self, asset: u32, price: u128) {
        let (r, _) = self.send(&dev::ferdie(), &self.breaker, breaker::report_price(asset, price)).await;
        r.expect("price reported");
    }

    async fn past_critical_timelock(&self) {
        let critical = self.params.multisig_guard.timelocks.critical_ms;
        self.chain.time_travel(self.chain.now().await.unwrap() + critical + MINUTE).await.unwrap();
    }
}

#[tokio::test]
#[ignore = "needs the local revive chain and a deployment: scripts/chain-test.sh"]
async fn a_drain_is_refused_at_the_limit() {
    let d = deployed().await;
    let dave = dev::dave();
    let reg = d.params.deployment.assets[0].clone();
    d.fresh_price(reg.id, reg.price).await;
    let tvl0 = d.query(&dave, &d.breaker, breaker::asset_flow(reg.id)).await.unwrap().tvl;
    assert_eq!(tvl0, reg.initial_tvl, "the registered TVL, in the 18-decimal token's base units");
    let room = d.query(&dave, &d.breaker, breaker::available_outflow(reg.id, USER, SEL)).await.unwrap();
    assert!(room > 0 && room < tvl0);

    // Half the room leaves.
    let (r, inc) = d.send(&dave, &d.breaker, breaker::check_outflow(reg.id, USER, SEL, room / 2)).await;
    assert!(matches!(r, Ok(Decision::Allowed(_))), "{r:?}");
    let checked: Vec<events::OutflowChecked> = d.events(&inc, &d.breaker);
    assert_eq!(checked.len(), 1);
    assert_eq!(
        (checked[0].asset, checked[0].account, checked[0].amount, checked[0].level),
        (reg.id, USER, room / 2, Level::Normal)
    );

    // One value unit (10^-6 USD) more than what is left is refused, and the refusal moves nothing.
    let left = d.query(&dave, &d.breaker, breaker::available_outflow(reg.id, USER, SEL)).await.unwrap();
    let one_value_unit = reg.units.amount_for(1, reg.price).unwrap() + 1;
    let (r, inc) = d.send(&dave, &d.breaker, breaker::check_outflow(reg.id, USER, SEL, left + one_value_unit)).await;
    assert!(matches!(r, Ok(Decision::Rejected(Rejection::LimitExceeded { .. }))), "{r:?}");
    assert_eq!(
        d.events::<events::OutflowChecked>(&inc, &d.breaker)[0].level,
        Level::Normal,
        "a refusal raises nothing"
    );
    let flow = d.query(&dave, &d.breaker, breaker::asset_flow(reg.id)).await.unwrap();
    assert_eq!(flow.tvl, tvl0 - room / 2, "only the allowed half left");

    // Exactly what is left passes, saturates the window, and throttles.
    let (r, _) = d.send(&dave, &d.breaker, breaker::check_outflow(reg.id, USER, SEL, left)).await;
    assert!(matches!(r, Ok(Decision::Allowed(_))), "{r:?}");
    assert_eq!(d.query(&dave, &d.breaker, breaker::level()).await, Level::Throttled);

    // Only the protected protocol may ask.
    let r = d.reverted(&dev::eve(), &d.breaker, breaker::check_outflow(reg.id, USER, SEL, 1)).await;
    assert_eq!(r, Err(breaker::Error::NotProtected));
}

#[tokio::test]
#[ignore = "needs the local revive chain and a deployment: scripts/chain-test.sh"]
async fn a_guardian_pause_is_lifted_only_through_the_multisig() {
    let d = deployed().await;
    let (alice, charlie, dave, eve) = (dev::alice(), dev::charlie(), dev::dave(), dev::eve());
    let reg = d.params.deployment.assets[1].clone();

    let (r, inc) = d.send(&eve, &d.breaker, breaker::pause(PauseScope::Global)).await;
    r.expect("a guardian pauses");
    let paused: Vec<events::Paused> = d.events(&inc, &d.breaker);
    assert_eq!(paused, vec![events::Paused { scope: PauseScope::Global, by: h160(&eve) }]);
    let (r, _) = d.send(&dave, &d.breaker, breaker::check_outflow(reg.id, USER, SEL, 1)).await;
    assert_eq!(r, Ok(Decision::Rejected(Rejection::GlobalPause)));
    assert!(d.query(&dave, &d.breaker, breaker::blocks_exits()).await, "exits wait");

    // Neither the guardian nor the former (deployer) admin can unpause.
    assert_eq!(d.reverted(&eve, &d.breaker, breaker::unpause(PauseScope::Global)).await, Err(breaker::Error::NotAdmin));
    assert_eq!(
        d.reverted(&alice, &d.breaker, breaker::unpause(PauseScope::Global)).await,
        Err(breaker::Error::NotAdmin)
    );

    // The multisig: propose, approve, and execute once the Critical timelock has run.
    let call = CallSpec {
        target: core_account(&d.breaker),
        selector: selector("unpause"),
        input: PauseScope::Global.encode(),
        value: 0,
    };
    let pid = d.propose_and_approve(call).await;
    let r = d.reverted(&charlie, &d.multisig, multisig::execute(pid)).await;
    assert_eq!(r, Err(multisig::Error::Multisig(MultisigError::TimelockNotPassed)));
    d.past_critical_timelock().await;
    let (r, inc) = d.send(&charlie, &d.multisig, multisig::execute(pid)).await;
    r.expect("executed");
    assert_eq!(d.events::<events::Executed>(&inc, &d.multisig).len(), 1);
    let unpaused: Vec<events::Unpaused> = d.events(&inc, &d.breaker);
    assert_eq!(unpaused, vec![events::Unpaused { scope: PauseScope::Global }], "the breaker itself emitted Unpaused");
    assert!(!d.query(&dave, &d.breaker, breaker::pauses()).await.global);
    // Executed once only.
    assert!(matches!(
        d.reverted(&charlie, &d.multisig, multisig::execute(pid)).await,
        Err(multisig::Error::Multisig(_))
    ));
}

#[tokio::test]
#[ignore = "needs the local revive chain and a deployment: scripts/chain-test.sh"]
async fn a_claim_is_paid_after_approval_at_exactly_the_calibrated_cap() {
    let d = deployed().await;
    let (bob, charlie, dave) = (dev::bob(), dev::charlie(), dev::dave());
    let cap = d.params.insurance_fund.claim_cap_per_event;
    assert_eq!(cap, 5 * 10u128.pow(18), "the calibrated $5M cap in native base units (12 decimals, $1)");

    // Stakers' capital: four times the cap, sent as the call's value in native units.
    let stake = 4 * cap;
    let (r, _) = d.chain.send(&bob, &d.fund, &fund::deposit(), stake).await.unwrap().included("deposit").unwrap();
    r.expect("deposited");
    assert_eq!(d.query(&bob, &d.fund, fund::total_assets()).await, stake, "the shell converted the Ethereum view back");

    // A loss three times the cap: the layer takes its part, the fund retains exactly the cap.
    let loss = 3 * cap;
    let (r, inc) = d.send(&dave, &d.fund, fund::file_claim(loss, h160(&dave))).await;
    let claim = r.expect("filed");
    let filed: Vec<events::ClaimFiled> = d.events(&inc, &d.fund);
    assert_eq!(filed.len(), 1);
    assert_eq!((filed[0].loss, filed[0].retained, filed[0].claimant), (loss, cap, h160(&dave)));
    assert!(filed[0].ceded > 0, "the excess-of-loss layer takes its part");
    // The default config's reinsurer is a stand-in account, not a fund: the
    // cession fails, is reported, and waits for retry_cession.
    let failed: Vec<events::CessionFailed> = d.events(&inc, &d.fund);
    assert_eq!(failed, vec![events::CessionFailed { id: claim, ceded: filed[0].ceded }]);

    // Not payable before the multisig approves.
    assert!(matches!(d.reverted(&charlie, &d.fund, fund::pay_claim(claim)).await, Err(fund::Error::Fund(_))));
    let call = CallSpec {
        target: core_account(&d.fund),
        selector: selector("approve_claim"),
        input: claim.encode(),
        value: 0,
    };
    let pid = d.propose_and_approve(call).await;
    // Approving a claim authorises up to the cap, paid by anyone: Critical.
    d.past_critical_timelock().await;
    let (r, inc) = d.send(&charlie, &d.multisig, multisig::execute(pid)).await;
    r.expect("executed");
    assert_eq!(d.events::<events::ClaimApproved>(&inc, &d.fund).len(), 1);

    // Charlie triggers the payment; Dave, who pays no fee here, receives exactly the cap.
    let before = d.chain.free_balance(&id(&dave)).await.unwrap();
    let (r, inc) = d.send(&charlie, &d.fund, fund::pay_claim(claim)).await;
    let payout = r.expect("paid");
    assert_eq!(payout.paid, cap);
    let paid: Vec<events::ClaimPaid> = d.events(&inc, &d.fund);
    assert_eq!(paid, vec![events::ClaimPaid { id: claim, claimant: h160(&dave), paid: cap, haircut: 0 }]);
    assert_eq!(d.chain.free_balance(&id(&dave)).await.unwrap() - before, cap, "native units, exactly");
    assert_eq!(d.query(&bob, &d.fund, fund::total_assets()).await, stake - cap);
}

/// Weight (both dimensions) and storage deposit of the hot messages, from
/// dry runs of the release builds on the chain; written to BULWARK_WEIGHTS
/// (JSON) for docs/performance.md.
#[tokio::test]
#[ignore = "needs the local revive chain and a deployment: scripts/chain-test.sh"]
async fn hot_message_weights() {
    let d = deployed().await;
    let reg = d.params.deployment.assets[0].clone();
    async fn measure<R>(d: &Deployed, k: &Keypair, to: &H160, m: Message<R>) -> (u64, u64, i128) {
        let (run, reverted) = d.chain.estimate_message(&id(k), to, &m, 0).await.expect("dry run");
        assert!(!reverted, "a hot message reverted in its dry run");
        let w = run.estimate.gas_required;
        (w.ref_time, w.proof_size, run.estimate.storage_deposit)
    }
    let amount = reg.initial_tvl / 1_000_000;
    let (dave, ferdie, eve, alice) = (dev::dave(), dev::ferdie(), dev::eve(), dev::alice());
    let rows = vec![
        (
            "circuit_breaker.check_outflow",
            measure(&d, &dave, &d.breaker, breaker::check_outflow(reg.id, USER, SEL, amount)).await,
        ),
        (
            "circuit_breaker.record_inflow",
            measure(&d, &dave, &d.breaker, breaker::record_inflow(reg.id, USER, amount)).await,
        ),
        (
            "circuit_breaker.report_price",
            measure(&d, &ferdie, &d.breaker, breaker::report_price(reg.id, reg.price)).await,
        ),
        (
            "circuit_breaker.available_outflow",
            measure(&d, &dave, &d.breaker, breaker::available_outflow(reg.id, USER, SEL)).await,
        ),
        ("circuit_breaker.pause", measure(&d, &eve, &d.breaker, breaker::pause(PauseScope::Asset(reg.id))).await),
        ("insurance_fund.file_claim", measure(&d, &dave, &d.fund, fund::file_claim(1_000, h160(&dave))).await),
        (
            "multisig_guard.propose",
            measure(
                &d,
                &alice,
                &d.multisig,
                multisig::propose(
                    Action::Call(CallSpec {
                        target: core_account(&d.breaker),
                        selector: selector("reset"),
                        input: vec![],
                        value: 0,
                    }),
                    None,
                ),
            )
            .await,
        ),
    ];
    let json: Vec<_> = rows
        .iter()
        .map(|(m, (r, p, s))| serde_json::json!({"message": m, "ref_time": r, "proof_size": p, "storage_deposit": s}))
        .collect();
    for (m, (r, p, s)) in &rows {
        println!("{m:<36} {r:>14} ref_time {p:>9} proof_size {s:>14} storage deposit");
        assert!(*r > 0);
    }
    if let Ok(path) = std::env::var("BULWARK_WEIGHTS") {
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

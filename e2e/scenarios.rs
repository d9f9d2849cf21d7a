//! End-to-end scenarios: all three contracts and the protected vault,
//! deployed and wired into the real pallet-contracts runtime, then attacked.
//! Each scenario asserts decisions, errors, balances and emitted events.

use crate::protected_vault::{ProtectedVault, ProtectedVaultRef};
use crate::sandbox::{set_time, take_events, Emitted};
use bulwark_core::breaker::{
    AccountFlow, BondBook, BondError, BondPolicy, BreakerParams, CircuitBreaker as CoreBreaker, Decision, Level,
    LimiterParams, PauseScope, PriceBandParams, Rejection, WindowParams,
};
use bulwark_core::fund::{Cession, FundError, FundParams, Holder, InsuranceFund as CoreFund};
use bulwark_core::multisig::{
    Action, AllowedCall, CallSpec, ConfigChange, GuardPolicy, MultisigError, MultisigParams, OperationClass,
    ProposalStatus, Timelocks, VetoParams,
};
use bulwark_core::units::AssetUnits;
use bulwark_core::ParamError;
use circuit_breaker::circuit_breaker::{self as cb, CircuitBreaker, CircuitBreakerRef};
use ink::primitives::AccountId;
use ink_e2e::{ChainBackend, ContractsBackend};
use insurance_fund::insurance_fund::{self as fund, InsuranceFund, InsuranceFundRef};
use multisig_guard::multisig_guard::{self as ms, MultisigGuard, MultisigGuardRef};
use scale::{Decode, Encode};
use std::collections::BTreeMap;

type E2EResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;
/// The client `#[ink_e2e::test]` builds for our sandbox (the macro binds
/// `client` to this concrete type, whatever the test's signature says).
type Client = ink_e2e::SandboxClient<AccountId, ink::primitives::Hash, crate::sandbox::RecordingSandbox>;

const T0: u64 = 1_700_000_000_000;
const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;
const ASSET: u32 = 1;
const UNIT: u128 = 1_000_000_000;
/// The vault's asset: 6-decimal base units on a 9-decimal feed, so a price
/// of `PRICE_ONE` values one base unit at one value unit.
const UNITS: AssetUnits = AssetUnits { decimals: 6, price_decimals: 9 };
const PRICE_ONE: u128 = 1_000_000_000;
/// The admin's deadline to judge a bonded trip.
const BOND_SETTLE_MS: u64 = 7 * 24 * HOUR;

/// Submits a call and decodes its return value (panics if it cannot be submitted).
macro_rules! submit {
    ($client:expr, $signer:expr, $msg:expr) => {
        $client.call($signer, &$msg).submit().await.expect("call submitted").return_value()
    };
    ($client:expr, $signer:expr, $msg:expr, value = $v:expr) => {
        $client.call($signer, &$msg).value($v).submit().await.expect("call submitted").return_value()
    };
}

/// Dry-runs a call and decodes its return value.
macro_rules! query {
    ($client:expr, $signer:expr, $msg:expr) => {
        $client.call($signer, &$msg).dry_run().await.expect("dry run").return_value()
    };
}

fn id(k: ink_e2e::AccountKeyring) -> AccountId {
    ink_e2e::account_id(k)
}

fn raw(a: &AccountId) -> [u8; 32] {
    *<AccountId as AsRef<[u8; 32]>>::as_ref(a)
}

/// The breaker's parameters: one 1 h window of 10% of TVL, a 10-minute buffer.
fn breaker_params() -> BreakerParams {
    BreakerParams {
        limiter: LimiterParams {
            windows: vec![WindowParams { length_ms: HOUR, max_bps_of_tvl: 1_000, floor: 0 }],
            inflow_decay_ms: 10 * MINUTE,
        },
        price: PriceBandParams {
            max_deviation_bps: 1_000,
            max_staleness_ms: 24 * HOUR,
            reference_smoothing_bps: 1_000,
        },
        throttle_bps: 5_000,
        throttle_ms: HOUR,
        halt_ms: 4 * HOUR,
        // Every window escalates: these tests drive escalation with small TVLs.
        min_escalating_limit: 0,
    }
}

fn fund_params() -> FundParams {
    FundParams {
        virtual_shares: 1_000,
        exit_cooldown_ms: HOUR,
        exit_window_ms: 24 * HOUR,
        solvency_target_bps: 0,
        min_capital: 0,
        claim_cap_per_event: 6 * UNIT,
        reinsurance: None,
    }
}

/// Everything deployed and wired; accounts: alice, bob, charlie own the
/// multisig (2 of 3), dave vetoes, eve guards the breaker, ferdie is the oracle.
struct Fixture {
    breaker: AccountId,
    fund: AccountId,
    multisig: AccountId,
    vault: AccountId,
}

fn guard(f: &Fixture) -> GuardPolicy {
    let entry = |target: &AccountId, selector: [u8; 4], class| AllowedCall { target: raw(target), selector, class };
    GuardPolicy {
        allow_list: vec![
            entry(&f.breaker, ink::selector_bytes!("unpause"), OperationClass::Critical),
            entry(&f.breaker, ink::selector_bytes!("pause"), OperationClass::Standard),
            entry(&f.breaker, ink::selector_bytes!("reset"), OperationClass::Critical),
            entry(&f.breaker, ink::selector_bytes!("settle_trip"), OperationClass::Critical),
            entry(&f.fund, ink::selector_bytes!("approve_claim"), OperationClass::Critical),
            entry(&f.fund, ink::selector_bytes!("set_params"), OperationClass::Critical),
            entry(&f.fund, ink::selector_bytes!("set_roles"), OperationClass::Policy),
            entry(&f.vault, ink::selector_bytes!("reenter"), OperationClass::Standard),
            entry(&f.breaker, ink::selector_bytes!("set_roles"), OperationClass::Policy),
            // A mistyped target: Ferdie's account holds no contract.
            entry(
                &id(ink_e2e::AccountKeyring::Ferdie),
                ink::selector_bytes!("approve_claim"),
                OperationClass::Critical,
            ),
        ],
        standard_value_cap: 0,
        critical_value_cap: 0,
    }
}

/// Deploys in docs/contracts.md's order: fund and breaker with alice as temporary
/// admin, the vault, then the multisig with a guard naming them, then the
/// admin role handed to the multisig.
async fn deploy(client: &mut Client) -> E2EResult<Fixture> {
    use ink_e2e::AccountKeyring::*;
    set_time(T0);
    let alice = ink_e2e::alice();
    let fund_roles = fund::FundRoles { admin: id(Alice), breaker: None, reinsurer: None, covered: vec![] };
    let fund = client
        .instantiate("insurance_fund", &alice, &mut InsuranceFundRef::new(fund_params(), fund_roles.clone()))
        .submit()
        .await?
        .account_id;
    let roles = cb::BreakerRoles {
        admin: id(Alice),
        oracle: id(Ferdie),
        protected: id(Alice),
        guardians: vec![id(Eve)],
        insurance_fund: fund,
        min_bond: UNIT,
        bond_settle_within_ms: BOND_SETTLE_MS,
    };
    let breaker = client
        .instantiate("circuit_breaker", &alice, &mut CircuitBreakerRef::new(breaker_params(), roles.clone()))
        .submit()
        .await?
        .account_id;
    let vault = client
        .instantiate("protected_vault", &alice, &mut ProtectedVaultRef::new(breaker, fund, ASSET))
        .submit()
        .await?
        .account_id;
    let mut f = Fixture { breaker, fund, multisig: vault, vault };
    let owners = vec![raw(&id(Alice)), raw(&id(Bob)), raw(&id(Charlie))];
    let params = MultisigParams {
        owners,
        threshold: 2,
        timelocks: Timelocks { standard_ms: 0, critical_ms: 0, membership_ms: 0, policy_ms: 0 },
        execution_window_ms: 24 * HOUR,
        veto: VetoParams { vetoers: vec![raw(&id(Dave))], base_threshold: 1, max_threshold: 2 },
        guard: Some(guard(&f)),
    };
    f.multisig =
        client.instantiate("multisig_guard", &alice, &mut MultisigGuardRef::new(params)).submit().await?.account_id;

    let mut breaker_call = client_breaker(&f);
    submit!(client, &alice, breaker_call.register_asset(ASSET, UNITS, 0, PRICE_ONE)).expect("asset registered");
    let handed = cb::BreakerRoles { admin: f.multisig, protected: f.vault, ..roles };
    submit!(client, &alice, breaker_call.set_roles(handed)).expect("breaker handed over");
    let mut fund_call = client_fund(&f);
    let fund_handed =
        fund::FundRoles { admin: f.multisig, breaker: Some(f.breaker), covered: vec![f.vault], ..fund_roles };
    submit!(client, &alice, fund_call.set_roles(fund_handed)).expect("fund handed over");
    take_events();
    Ok(f)
}

fn client_breaker(f: &Fixture) -> <CircuitBreaker as ink::codegen::ContractCallBuilder>::Type {
    ink_e2e::create_call_builder::<CircuitBreaker>(f.breaker)
}
fn client_fund(f: &Fixture) -> <InsuranceFund as ink::codegen::ContractCallBuilder>::Type {
    ink_e2e::create_call_builder::<InsuranceFund>(f.fund)
}
fn client_multisig(f: &Fixture) -> <MultisigGuard as ink::codegen::ContractCallBuilder>::Type {
    ink_e2e::create_call_builder::<MultisigGuard>(f.multisig)
}
fn client_vault(f: &Fixture) -> <ProtectedVault as ink::codegen::ContractCallBuilder>::Type {
    ink_e2e::create_call_builder::<ProtectedVault>(f.vault)
}

/// A call action for the multisig: `selector(args)` on `target`.
fn call_action(target: &AccountId, selector: [u8; 4], args: impl Encode) -> Action {
    Action::Call(CallSpec { target: raw(target), selector, input: args.encode(), value: 0 })
}

/// Alice proposes, bob approves, charlie executes; returns execute's result.
async fn pass(client: &mut Client, f: &Fixture, action: Action) -> std::result::Result<Vec<u8>, ms::Error> {
    let mut m = client_multisig(f);
    let pid = submit!(client, &ink_e2e::alice(), m.propose(action, None))?;
    let hash = query!(client, &ink_e2e::alice(), m.proposal(pid)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(pid, hash))?;
    submit!(client, &ink_e2e::charlie(), m.execute(pid))
}

/// Decodes the events of type `E` emitted by `contract`.
fn events_of<E: ink::env::Event + Decode>(events: &[Emitted], contract: &AccountId) -> Vec<E> {
    events
        .iter()
        .filter(|e| e.contract == raw(contract) && e.topics.first().copied() == E::SIGNATURE_TOPIC)
        .map(|e| E::decode(&mut &e.data[..]).expect("event decodes"))
        .collect()
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn drain_attempt_trips_at_the_limit<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut vault = client_vault(&f);
    let mut breaker = client_breaker(&f);
    submit!(client, &ink_e2e::dave(), vault.deposit(), value = 9 * UNIT).expect("deposit");
    submit!(client, &ink_e2e::eve(), vault.deposit(), value = UNIT).expect("deposit");
    let funded = client.free_balance(f.vault).await?;
    // Twenty minutes later the deposits' buffer has decayed: the 1 h window
    // admits 10% of TVL (1 UNIT).
    set_time(T0 + 20 * MINUTE);
    take_events();
    let slice = UNIT / 4;
    let mut decisions = Vec::new();
    for _ in 0..4 {
        decisions.push(submit!(client, &ink_e2e::dave(), vault.withdraw(slice)).expect("withdraw call"));
    }
    // Three fit; the fourth would pass 10% of the shrunken TVL (9.25 units).
    assert_eq!(decisions.iter().filter(|d| d.is_allowed()).count(), 3, "{decisions:?}");
    assert_eq!(decisions[3], Decision::Rejected(Rejection::LimitExceeded { window: 0 }));
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), Level::Normal, "a refusal raises nothing");
    // A limit-aware drain takes exactly what is left: the value that really
    // left now fills the window, and the breaker throttles.
    let room = query!(
        client,
        &ink_e2e::dave(),
        breaker.available_outflow(ASSET, id(ink_e2e::AccountKeyring::Dave), crate::protected_vault::WITHDRAW)
    )
    .expect("registered");
    decisions.push(submit!(client, &ink_e2e::dave(), vault.withdraw(room)).expect("withdraw call"));
    assert!(decisions[4].is_allowed());
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), Level::Throttled);
    decisions.push(submit!(client, &ink_e2e::dave(), vault.withdraw(slice)).expect("withdraw call"));
    assert_eq!(decisions[5], Decision::Rejected(Rejection::LimitExceeded { window: 0 }));
    // The drain waits for the window to roll over and takes all it shows
    // again, right after its throttle ended: on probation, that halts.
    set_time(T0 + 85 * MINUTE);
    let again = query!(
        client,
        &ink_e2e::dave(),
        breaker.available_outflow(ASSET, id(ink_e2e::AccountKeyring::Dave), crate::protected_vault::WITHDRAW)
    )
    .expect("registered");
    assert!(again > 0);
    decisions.push(submit!(client, &ink_e2e::dave(), vault.withdraw(again)).expect("withdraw call"));
    assert!(decisions[6].is_allowed());
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), Level::Halted);
    decisions.push(submit!(client, &ink_e2e::dave(), vault.withdraw(1)).expect("withdraw call"));
    assert_eq!(decisions[7], Decision::Rejected(Rejection::Halted));
    // Only the allowed withdrawals left; the vault keeps the rest.
    let taken = 3 * slice + room + again;
    assert_eq!(client.free_balance(f.vault).await?, funded - taken);
    assert_eq!(query!(client, &ink_e2e::dave(), vault.balance_of(id(ink_e2e::AccountKeyring::Dave))), 9 * UNIT - taken);
    let events = take_events();
    let checked = events_of::<cb::OutflowChecked>(&events, &f.breaker);
    assert_eq!(checked.len(), 8);
    assert_eq!(checked.iter().map(|e| e.decision).collect::<Vec<_>>(), decisions);
    assert_eq!(checked[3].level, Level::Normal);
    assert_eq!(checked[4].level, Level::Throttled);
    assert_eq!(checked[7].level, Level::Halted);
    assert_eq!(events_of::<crate::protected_vault::Withdrawn>(&events, &f.vault).len(), 8);
    Ok(())
}

/// Defect 3 of issue 8, end to end: a holder of 11% of TVL asks again and
/// again for more than the limit. Nothing moves, so nothing escalates: the
/// vault stays open for everyone else.
#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn repeated_refused_requests_cannot_hold_the_vault_halted<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut vault = client_vault(&f);
    let mut breaker = client_breaker(&f);
    submit!(client, &ink_e2e::eve(), vault.deposit(), value = 89 * UNIT / 10).expect("deposit");
    submit!(client, &ink_e2e::dave(), vault.deposit(), value = 11 * UNIT / 10).expect("griefer's position");
    take_events();
    for hour in [1u64, 5, 9, 13, 17] {
        set_time(T0 + hour * HOUR);
        for _ in 0..3 {
            let d = submit!(client, &ink_e2e::dave(), vault.withdraw(11 * UNIT / 10)).expect("withdraw call");
            assert_eq!(d, Decision::Rejected(Rejection::LimitExceeded { window: 0 }));
        }
        assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), Level::Normal, "refusals raised the level");
        // Everyone else can still withdraw.
        assert!(submit!(client, &ink_e2e::eve(), vault.withdraw(UNIT / 100)).expect("call").is_allowed());
    }
    let events = take_events();
    let checked = events_of::<cb::OutflowChecked>(&events, &f.breaker);
    assert_eq!(checked.len(), 20);
    assert!(checked.iter().all(|e| e.level == Level::Normal));
    assert_eq!(query!(client, &ink_e2e::dave(), vault.balance_of(id(ink_e2e::AccountKeyring::Dave))), 11 * UNIT / 10);
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn flash_loan_cycling_does_not_raise_the_limit<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut vault = client_vault(&f);
    submit!(client, &ink_e2e::dave(), vault.deposit(), value = 10 * UNIT).expect("deposit");
    set_time(T0 + 20 * MINUTE);
    // In one block: borrow 50 UNIT, deposit, then withdraw loan + loot.
    let loan = 50 * UNIT;
    submit!(client, &ink_e2e::dave(), vault.deposit(), value = loan).expect("flash deposit");
    let too_much = submit!(client, &ink_e2e::dave(), vault.withdraw(loan + UNIT + 1)).expect("call");
    assert_eq!(
        too_much,
        Decision::Rejected(Rejection::LimitExceeded { window: 0 }),
        "10% of the 10 UNIT base, not of 60"
    );
    assert_eq!(query!(client, &ink_e2e::alice(), client_breaker(&f).level()), Level::Normal, "a refusal only refuses");
    take_events();
    let exact = submit!(client, &ink_e2e::dave(), vault.withdraw(loan + UNIT)).expect("call");
    match exact {
        Decision::Allowed(r) => assert_eq!((r.from_buffer, r.counted_value), (loan, UNIT)),
        other => panic!("loan + the limit must pass: {other:?}"),
    }
    let events = take_events();
    let checked = events_of::<cb::OutflowChecked>(&events, &f.breaker);
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0].amount, loan + UNIT);
    assert_eq!(checked[0].level, Level::Throttled, "the loot filled the window");
    assert_eq!(query!(client, &ink_e2e::dave(), vault.balance_of(id(ink_e2e::AccountKeyring::Dave))), 9 * UNIT);
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn pausing_is_cheap_unpausing_needs_two_owners<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut breaker = client_breaker(&f);
    let mut vault = client_vault(&f);
    submit!(client, &ink_e2e::dave(), vault.deposit(), value = 10 * UNIT).expect("deposit");
    set_time(T0 + 20 * MINUTE);
    // An outsider can do nothing.
    assert_eq!(query!(client, &ink_e2e::ferdie(), breaker.pause(PauseScope::Global)), Err(cb::Error::NotGuardian));
    // One guardian pauses.
    submit!(client, &ink_e2e::eve(), breaker.pause(PauseScope::Global)).expect("guardian pauses");
    let events = take_events();
    assert_eq!(events_of::<cb::Paused>(&events, &f.breaker).len(), 1);
    // While paused nothing leaves the vault.
    let held = client.free_balance(f.vault).await?;
    let refused = submit!(client, &ink_e2e::dave(), vault.withdraw(UNIT / 10)).expect("call");
    assert_eq!(refused, Decision::Rejected(Rejection::GlobalPause));
    assert_eq!(client.free_balance(f.vault).await?, held);
    // One owner alone cannot unpause: not directly, not with a lone proposal.
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.unpause(PauseScope::Global)), Err(cb::Error::NotAdmin));
    assert_eq!(query!(client, &ink_e2e::eve(), breaker.unpause(PauseScope::Global)), Err(cb::Error::NotAdmin));
    let mut m = client_multisig(&f);
    let action = call_action(&f.breaker, ink::selector_bytes!("unpause"), PauseScope::Global);
    let pid = submit!(client, &ink_e2e::alice(), m.propose(action.clone(), None)).expect("owner proposes");
    assert_eq!(
        query!(client, &ink_e2e::alice(), m.execute(pid)),
        Err(ms::Error::Multisig(MultisigError::NotEnoughApprovals))
    );
    assert_eq!(
        query!(client, &ink_e2e::ferdie(), m.propose(action, None)),
        Err(ms::Error::Multisig(MultisigError::NotOwner))
    );
    // Two owners can.
    let hash = query!(client, &ink_e2e::alice(), m.proposal(pid)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(pid, hash)).expect("second owner approves");
    take_events();
    submit!(client, &ink_e2e::charlie(), m.execute(pid)).expect("executes");
    assert!(!query!(client, &ink_e2e::alice(), breaker.pauses()).global);
    let events = take_events();
    assert_eq!(events_of::<cb::Unpaused>(&events, &f.breaker).len(), 1);
    assert_eq!(events_of::<ms::Executed>(&events, &f.multisig).len(), 1);
    // After the unpause the same withdrawal goes through.
    assert!(submit!(client, &ink_e2e::dave(), vault.withdraw(UNIT / 10)).expect("call").is_allowed());
    assert_eq!(client.free_balance(f.vault).await?, held - UNIT / 10);
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn claims_pay_after_approval_capped_and_pro_rata<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut fund_call = client_fund(&f);
    let mut vault = client_vault(&f);
    submit!(client, &ink_e2e::bob(), fund_call.deposit(), value = 10 * UNIT).expect("staker deposits");
    // Only the covered vault may file; it files 8 UNIT, capped at 6.
    assert_eq!(
        query!(client, &ink_e2e::alice(), fund_call.file_claim(UNIT, id(ink_e2e::AccountKeyring::Alice))),
        Err(fund::Error::NotCovered)
    );
    let first = submit!(client, &ink_e2e::alice(), vault.file_claim(8 * UNIT)).expect("vault files");
    let claim = query!(client, &ink_e2e::alice(), fund_call.claim(first)).expect("stored");
    assert_eq!(claim.retained, 6 * UNIT, "capped per event");
    // Not paid before the multisig approves.
    assert_eq!(
        query!(client, &ink_e2e::eve(), fund_call.pay_claim(first)),
        Err(fund::Error::Fund(FundError::ClaimNotApproved))
    );
    assert_eq!(query!(client, &ink_e2e::alice(), fund_call.approve_claim(first)), Err(fund::Error::NotAdmin));
    // A second claim: 12 UNIT open against 10 UNIT of assets, so both are paid pro rata.
    let second = submit!(client, &ink_e2e::alice(), vault.file_claim(6 * UNIT)).expect("vault files again");
    for claim_id in [first, second] {
        pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("approve_claim"), claim_id))
            .await
            .expect("approved");
    }
    let alice = id(ink_e2e::AccountKeyring::Alice);
    let before = client.free_balance(alice).await?;
    take_events();
    let p1 = submit!(client, &ink_e2e::eve(), fund_call.pay_claim(first)).expect("paid");
    let p2 = submit!(client, &ink_e2e::eve(), fund_call.pay_claim(second)).expect("paid");
    assert_eq!((p1.paid, p1.withheld), (5 * UNIT, UNIT), "6 × 10/12");
    assert_eq!((p2.paid, p2.withheld), (5 * UNIT, UNIT), "same share whatever the order");
    assert_eq!(client.free_balance(alice).await?, before + 10 * UNIT, "the vault owner received both payouts");
    assert_eq!(query!(client, &ink_e2e::alice(), fund_call.total_assets()), 0);
    let paid = events_of::<fund::ClaimPaid>(&take_events(), &f.fund);
    assert_eq!(
        paid.iter().map(|e| (e.id, e.paid, e.haircut)).collect::<Vec<_>>(),
        vec![(first, 5 * UNIT, UNIT), (second, 5 * UNIT, UNIT)]
    );
    assert_eq!(
        query!(client, &ink_e2e::eve(), fund_call.pay_claim(first)),
        Err(fund::Error::Fund(FundError::ClaimNotApproved)),
        "paid once"
    );
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn exits_freeze_while_halted_or_globally_paused<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut fund_call = client_fund(&f);
    let mut breaker = client_breaker(&f);
    let bob = id(ink_e2e::AccountKeyring::Bob);
    submit!(client, &ink_e2e::bob(), fund_call.deposit(), value = 4 * UNIT).expect("deposit");
    let shares = query!(client, &ink_e2e::bob(), fund_call.shares_of(bob));
    submit!(client, &ink_e2e::bob(), fund_call.request_exit(shares / 2)).expect("exit requested");
    assert_eq!(
        query!(client, &ink_e2e::bob(), fund_call.request_exit(1)),
        Err(fund::Error::Fund(FundError::ExitPending)),
        "one exit per holder"
    );
    assert_eq!(
        query!(client, &ink_e2e::bob(), fund_call.complete_exit()),
        Err(fund::Error::Fund(FundError::CooldownActive))
    );
    set_time(T0 + 2 * HOUR);
    submit!(client, &ink_e2e::eve(), breaker.trip()).expect("guardian trips");
    assert_eq!(
        query!(client, &ink_e2e::bob(), fund_call.complete_exit()),
        Err(fund::Error::Fund(FundError::ExitsBlocked))
    );
    pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("reset"), ())).await.expect("reset passes");
    // A guardian's global pause, the usual first response, blocks exits too.
    submit!(client, &ink_e2e::eve(), breaker.pause(PauseScope::Global)).expect("guardian pauses");
    assert!(query!(client, &ink_e2e::bob(), breaker.blocks_exits()));
    assert_eq!(
        query!(client, &ink_e2e::bob(), fund_call.complete_exit()),
        Err(fund::Error::Fund(FundError::ExitsBlocked))
    );
    pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("unpause"), PauseScope::Global))
        .await
        .expect("unpause passes");
    let before = client.free_balance(bob).await?;
    take_events();
    let out = submit!(client, &ink_e2e::bob(), fund_call.complete_exit()).expect("exit completes");
    assert_eq!(out.paid, 2 * UNIT);
    assert!(client.free_balance(bob).await? > before + 2 * UNIT - UNIT / 100, "paid, less the call's fee");
    assert_eq!(events_of::<fund::Exited>(&take_events(), &f.fund).len(), 1);
    Ok(())
}

/// Defect 4 of issue 8, end to end: a callee that returns `Err` (here the
/// breaker's `unpause` of a scope that is not paused) leaves the proposal
/// pending and ready, the nonce unchanged and no `Executed` event; once the
/// call can succeed, the same proposal executes.
#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn a_callee_error_leaves_the_proposal_not_executed<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut m = client_multisig(&f);
    let mut breaker = client_breaker(&f);
    let action = call_action(&f.breaker, ink::selector_bytes!("unpause"), PauseScope::Global);
    let pid = submit!(client, &ink_e2e::alice(), m.propose(action, None)).expect("proposed");
    let hash = query!(client, &ink_e2e::alice(), m.proposal(pid)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(pid, hash)).expect("approved");
    // A second proposal that may only run after the first.
    let follow = call_action(&f.breaker, ink::selector_bytes!("pause"), PauseScope::Asset(ASSET));
    let next = submit!(client, &ink_e2e::alice(), m.propose(follow, Some(pid))).expect("proposed");
    let next_hash = query!(client, &ink_e2e::alice(), m.proposal(next)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(next, next_hash)).expect("approved");
    let nonce = query!(client, &ink_e2e::alice(), m.nonce()).expect("nonce");
    // `execute` is not payable: value sent with it would be stranded.
    let paid = client.call(&ink_e2e::charlie(), &m.execute(pid)).value(1).dry_run().await;
    assert!(paid.map_or(true, |r| r.exec_result.result.map_or(true, |v| v.did_revert())), "execute accepted a payment");
    take_events();
    // Nothing is paused, so the breaker returns Err(NotPaused): execute fails and reverts.
    let failed = client.call(&ink_e2e::charlie(), &m.execute(pid)).submit().await?.return_value();
    assert_eq!(failed, Err(ms::Error::Multisig(MultisigError::CallFailed)));
    assert_eq!(query!(client, &ink_e2e::alice(), m.proposal(pid)).map(|p| p.status), Some(ProposalStatus::Pending));
    assert_eq!(query!(client, &ink_e2e::alice(), m.nonce()), Ok(nonce), "a failed call bumped the nonce");
    assert!(events_of::<ms::Executed>(&take_events(), &f.multisig).is_empty());
    // Out of order: the follow-up cannot run before its predecessor.
    assert_eq!(
        query!(client, &ink_e2e::charlie(), m.execute(next)),
        Err(ms::Error::Multisig(MultisigError::PredecessorNotExecuted))
    );
    // Once a guardian paused, the same proposal executes, then its follow-up.
    submit!(client, &ink_e2e::eve(), breaker.pause(PauseScope::Global)).expect("guardian pauses");
    submit!(client, &ink_e2e::charlie(), m.execute(pid)).expect("executes now");
    assert!(!query!(client, &ink_e2e::alice(), breaker.pauses()).global);
    submit!(client, &ink_e2e::charlie(), m.execute(next)).expect("the follow-up runs");
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.pauses()).assets, vec![ASSET]);
    let events = take_events();
    assert_eq!(
        events_of::<ms::Executed>(&events, &f.multisig).iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![pid, next]
    );
    Ok(())
}

/// Issue 21 item 11a, end to end: pallet-contracts makes a call to an
/// account without code as a plain transfer that succeeds, so a proposal
/// with a mistyped target counted as executed. Now `execute` fails with
/// `TargetNotContract` and the proposal stays pending; the `Proposed` event
/// names the target (item 11b), so a vetoer sees the mistake at once.
#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn a_call_to_an_account_without_code_is_not_executed<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    use ink_e2e::AccountKeyring::Ferdie;
    let f = deploy(&mut client).await?;
    let mut m = client_multisig(&f);
    let action = call_action(&id(Ferdie), ink::selector_bytes!("approve_claim"), 0u64);
    let pid = submit!(client, &ink_e2e::alice(), m.propose(action.clone(), None)).expect("proposed");
    let proposed = events_of::<ms::Proposed>(&take_events(), &f.multisig);
    assert_eq!(proposed.iter().map(|e| (e.id, e.action.clone())).collect::<Vec<_>>(), vec![(pid, action)]);
    let hash = query!(client, &ink_e2e::alice(), m.proposal(pid)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(pid, hash)).expect("approved");
    let nonce = query!(client, &ink_e2e::alice(), m.nonce()).expect("nonce");
    let refused = client.call(&ink_e2e::charlie(), &m.execute(pid)).submit().await?.return_value();
    assert_eq!(refused, Err(ms::Error::TargetNotContract));
    assert_eq!(query!(client, &ink_e2e::alice(), m.proposal(pid)).map(|p| p.status), Some(ProposalStatus::Pending));
    assert_eq!(query!(client, &ink_e2e::alice(), m.nonce()), Ok(nonce));
    assert!(events_of::<ms::Executed>(&take_events(), &f.multisig).is_empty());
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn no_replay_and_no_reentry<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut m = client_multisig(&f);
    submit!(client, &ink_e2e::eve(), client_breaker(&f).trip()).expect("tripped");
    let action = call_action(&f.breaker, ink::selector_bytes!("reset"), ());
    let pid = submit!(client, &ink_e2e::alice(), m.propose(action, None)).expect("proposed");
    let hash = query!(client, &ink_e2e::alice(), m.proposal(pid)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(pid, hash)).expect("approved");
    submit!(client, &ink_e2e::charlie(), m.execute(pid)).expect("executed");
    assert_eq!(
        query!(client, &ink_e2e::charlie(), m.execute(pid)),
        Err(ms::Error::Multisig(MultisigError::AlreadyExecuted))
    );
    // A proposal whose callee calls back into execute(itself): refused, and nothing changes.
    let nonce = query!(client, &ink_e2e::alice(), m.nonce()).expect("nonce");
    let reenter = call_action(&f.vault, ink::selector_bytes!("reenter"), (f.multisig, nonce));
    let rid = submit!(client, &ink_e2e::alice(), m.propose(reenter, None)).expect("proposed");
    assert_eq!(rid, nonce);
    let hash = query!(client, &ink_e2e::alice(), m.proposal(rid)).expect("stored").call_hash;
    submit!(client, &ink_e2e::bob(), m.approve(rid, hash)).expect("approved");
    take_events();
    let balances = (client.free_balance(f.multisig).await?, client.free_balance(f.vault).await?);
    let refused = client.call(&ink_e2e::charlie(), &m.execute(rid)).submit().await?.return_value();
    assert_eq!(refused, Err(ms::Error::Multisig(MultisigError::CallFailed)));
    assert_eq!((client.free_balance(f.multisig).await?, client.free_balance(f.vault).await?), balances);
    assert_eq!(query!(client, &ink_e2e::alice(), m.proposal(rid)).map(|p| p.status), Some(ProposalStatus::Pending));
    assert!(events_of::<ms::Executed>(&take_events(), &f.multisig).is_empty());
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn concurrent_bonded_trips_are_settled_separately<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    use ink_e2e::AccountKeyring::{Dave, Ferdie};
    let f = deploy(&mut client).await?;
    let mut breaker = client_breaker(&f);
    assert_eq!(
        query!(client, &ink_e2e::ferdie(), breaker.trip_with_bond()),
        Err(cb::Error::Bond(BondError::BondTooSmall)),
        "no bond, no trip for a non-guardian"
    );
    let first = submit!(client, &ink_e2e::ferdie(), breaker.trip_with_bond(), value = 2 * UNIT).expect("bonded trip");
    let second = submit!(client, &ink_e2e::dave(), breaker.trip_with_bond(), value = 3 * UNIT)
        .expect("a pending trip does not block another");
    assert_ne!(first, second);
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), Level::Halted);
    let events = take_events();
    let tripped = events_of::<cb::Tripped>(&events, &f.breaker);
    assert_eq!(
        tripped.iter().map(|e| (e.by, e.bond, e.trip)).collect::<Vec<_>>(),
        vec![(id(Ferdie), 2 * UNIT, Some(first)), (id(Dave), 3 * UNIT, Some(second))]
    );
    // The multisig slashes the first into the fund and confirms the second,
    // each by its id: a settlement can never reach another trip.
    assert_eq!(query!(client, &ink_e2e::alice(), client_fund(&f).total_assets()), 0);
    let dave_before = client.free_balance(id(Dave)).await?;
    pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("settle_trip"), (first, false)))
        .await
        .expect("first slashed");
    assert_eq!(query!(client, &ink_e2e::alice(), client_fund(&f).total_assets()), 2 * UNIT);
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.pending_trip(first)), None);
    assert!(query!(client, &ink_e2e::alice(), breaker.pending_trip(second)).is_some(), "the other is untouched");
    assert_eq!(
        pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("settle_trip"), (first, true))).await,
        Err(ms::Error::Multisig(MultisigError::CallFailed)),
        "a stale settlement of a settled trip fails"
    );
    pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("settle_trip"), (second, true)))
        .await
        .expect("second confirmed");
    assert_eq!(client.free_balance(id(Dave)).await?, dave_before + 3 * UNIT, "the confirmed bond went back");
    assert_eq!(query!(client, &ink_e2e::alice(), client_fund(&f).total_assets()), 2 * UNIT);
    let events = take_events();
    let settled = events_of::<cb::TripSettled>(&events, &f.breaker);
    assert_eq!(
        settled.iter().map(|e| (e.trip, e.bond, e.confirmed)).collect::<Vec<_>>(),
        vec![(first, 2 * UNIT, false), (second, 3 * UNIT, true)]
    );
    assert_eq!(
        events_of::<fund::PremiumAdded>(&events, &f.fund).iter().map(|e| e.amount).collect::<Vec<_>>(),
        vec![2 * UNIT]
    );
    // A third trip nobody judges: after the deadline anyone releases it.
    let third = submit!(client, &ink_e2e::ferdie(), breaker.trip_with_bond(), value = UNIT).expect("bonded trip");
    assert_eq!(
        query!(client, &ink_e2e::eve(), breaker.release_bond(third)),
        Err(cb::Error::Bond(BondError::NotYetReleasable))
    );
    set_time(T0 + BOND_SETTLE_MS);
    let ferdie_before = client.free_balance(id(Ferdie)).await?;
    submit!(client, &ink_e2e::eve(), breaker.release_bond(third)).expect("released by anyone");
    assert_eq!(client.free_balance(id(Ferdie)).await?, ferdie_before + UNIT);
    assert_eq!(events_of::<cb::BondReleased>(&take_events(), &f.breaker).len(), 1);
    Ok(())
}

/// Issue 21 item 10, end to end: a bonded trip's settle window must outlast
/// the admin's Critical timelock, or the multisig cannot slash a bad trip
/// before anyone may release its bond. Only the deploy tool checked it;
/// now neither the breaker's `set_roles` nor the multisig's own timelock
/// changes can reach a state that breaks it.
#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn the_bond_window_always_outlasts_the_admins_critical_timelock<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut breaker = client_breaker(&f);
    let roles = query!(client, &ink_e2e::alice(), breaker.roles());
    let set_roles = |settle_ms| {
        call_action(
            &f.breaker,
            ink::selector_bytes!("set_roles"),
            cb::BreakerRoles { bond_settle_within_ms: settle_ms, ..roles.clone() },
        )
    };
    // The multisig, admin of the breaker, may lengthen the window without
    // being asked (it is executing and cannot be called back) ...
    pass(&mut client, &f, set_roles(BOND_SETTLE_MS + HOUR)).await.expect("a longer window needs no check");
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.bond_policy()).settle_within_ms, BOND_SETTLE_MS + HOUR);
    // ... but not shorten it: that needs its timelock, which it cannot report mid-call.
    assert_eq!(
        pass(&mut client, &f, set_roles(BOND_SETTLE_MS)).await,
        Err(ms::Error::Multisig(MultisigError::CallFailed))
    );
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.bond_policy()).settle_within_ms, BOND_SETTLE_MS + HOUR);
    // The multisig refuses a Critical timelock the breaker's window does not outlast.
    let timelocks = |critical_ms| {
        Action::Config(ConfigChange::SetTimelocks(Timelocks {
            standard_ms: 0,
            critical_ms,
            membership_ms: 0,
            policy_ms: critical_ms,
        }))
    };
    let nonce = query!(client, &ink_e2e::alice(), client_multisig(&f).nonce()).expect("nonce");
    assert_eq!(
        pass(&mut client, &f, timelocks(BOND_SETTLE_MS + HOUR)).await,
        Err(ms::Error::Multisig(MultisigError::InvalidParams(ParamError::BondOutlastsTimelock)))
    );
    assert_eq!(query!(client, &ink_e2e::alice(), client_multisig(&f).timelocks()).map(|t| t.critical_ms), Ok(0));
    let pending = query!(client, &ink_e2e::alice(), client_multisig(&f).proposal(nonce)).map(|p| p.status);
    assert_eq!(pending, Some(ProposalStatus::Pending), "a refused change stays pending");
    pass(&mut client, &f, timelocks(BOND_SETTLE_MS)).await.expect("a shorter Critical timelock is fine");
    // A second breaker, handed over to the multisig by its deployer: its
    // window must outlast the multisig's Critical timelock, now BOND_SETTLE_MS.
    let alice = id(ink_e2e::AccountKeyring::Alice);
    let own = cb::BreakerRoles { admin: alice, ..roles.clone() };
    let second = client
        .instantiate("circuit_breaker", &ink_e2e::alice(), &mut CircuitBreakerRef::new(breaker_params(), own.clone()))
        .submit()
        .await?
        .account_id;
    let mut second = ink_e2e::create_call_builder::<CircuitBreaker>(second);
    let handed = |settle_ms| cb::BreakerRoles { admin: f.multisig, bond_settle_within_ms: settle_ms, ..own.clone() };
    assert_eq!(
        query!(client, &ink_e2e::alice(), second.set_roles(handed(BOND_SETTLE_MS))),
        Err(cb::Error::Bond(BondError::InvalidPolicy(ParamError::BondOutlastsTimelock)))
    );
    // A contract that is no multisig cannot report a timelock: refused, not trapped.
    let to_vault = cb::BreakerRoles { admin: f.vault, ..own.clone() };
    assert_eq!(query!(client, &ink_e2e::alice(), second.set_roles(to_vault)), Err(cb::Error::AdminTimelockUnknown));
    submit!(client, &ink_e2e::alice(), second.set_roles(handed(BOND_SETTLE_MS + 1))).expect("outlasts it");
    assert_eq!(query!(client, &ink_e2e::alice(), second.roles()).admin, f.multisig);
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn excess_loss_is_ceded_to_the_reinsurer<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    use bulwark_core::fund::ReinsuranceLayer;
    let f = deploy(&mut client).await?;
    let alice = id(ink_e2e::AccountKeyring::Alice);
    // A second insurance_fund, covering the first.
    let roles = fund::FundRoles { admin: alice, breaker: None, reinsurer: None, covered: vec![f.fund] };
    let reinsurer = client
        .instantiate("insurance_fund", &ink_e2e::alice(), &mut InsuranceFundRef::new(fund_params(), roles))
        .submit()
        .await?
        .account_id;
    let mut re = ink_e2e::create_call_builder::<InsuranceFund>(reinsurer);
    let mut primary = client_fund(&f);
    submit!(client, &ink_e2e::bob(), re.deposit(), value = 20 * UNIT).expect("reinsurer capital");
    submit!(client, &ink_e2e::bob(), primary.deposit(), value = 10 * UNIT).expect("primary capital");
    // The multisig gives the primary a 3-unit layer above 2 units, ceded to
    // the reinsurer: the reinsurer first, as a layer without one is refused.
    let layered =
        FundParams { reinsurance: Some(ReinsuranceLayer { attachment: 2 * UNIT, limit: 3 * UNIT }), ..fund_params() };
    assert_eq!(
        pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("set_params"), layered.clone())).await,
        Err(ms::Error::Multisig(MultisigError::CallFailed)),
        "a layer with no reinsurer to cede to is refused"
    );
    let mut primary_roles = query!(client, &ink_e2e::alice(), primary.roles());
    primary_roles.reinsurer = Some(reinsurer);
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("set_roles"), primary_roles))
        .await
        .expect("roles set");
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("set_params"), layered)).await.expect("layer set");
    take_events();
    // An 8-unit loss: 3 ceded, 5 retained (under the 6-unit cap), in one transaction.
    let id0 = submit!(client, &ink_e2e::alice(), client_vault(&f).file_claim(8 * UNIT)).expect("filed");
    let claim = query!(client, &ink_e2e::alice(), primary.claim(id0)).expect("stored");
    assert_eq!((claim.retained, claim.ceded), (5 * UNIT, 3 * UNIT));
    let ceded = query!(client, &ink_e2e::alice(), re.claim(0)).expect("the reinsurer holds the ceded claim");
    assert_eq!((ceded.loss, ceded.claimant), (3 * UNIT, raw(&alice)));
    let events = take_events();
    assert_eq!(
        events_of::<fund::ClaimFiled>(&events, &f.fund).iter().map(|e| e.ceded).collect::<Vec<_>>(),
        vec![3 * UNIT]
    );
    assert_eq!(
        events_of::<fund::ClaimFiled>(&events, &reinsurer).iter().map(|e| e.loss).collect::<Vec<_>>(),
        vec![3 * UNIT]
    );
    // Each pool pays its part once its own admin approves.
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("approve_claim"), id0)).await.expect("approved");
    submit!(client, &ink_e2e::alice(), re.approve_claim(0)).expect("reinsurer approves");
    let before = client.free_balance(alice).await?;
    submit!(client, &ink_e2e::eve(), primary.pay_claim(id0)).expect("primary pays");
    submit!(client, &ink_e2e::eve(), re.pay_claim(0)).expect("reinsurer pays");
    assert_eq!(client.free_balance(alice).await?, before + 8 * UNIT, "5 from the pool, 3 from the layer");
    assert_eq!(query!(client, &ink_e2e::alice(), re.total_assets()), 17 * UNIT);
    assert_eq!(claim.cession, Cession::Placed);

    // The reinsurer stops covering the primary: its refusal must not block
    // the primary's retained part, which is filed and paid all the same.
    let re_roles = fund::FundRoles { admin: alice, breaker: None, reinsurer: None, covered: vec![] };
    submit!(client, &ink_e2e::alice(), re.set_roles(re_roles.clone())).expect("reinsurer drops the primary");
    take_events();
    let id1 = submit!(client, &ink_e2e::alice(), client_vault(&f).file_claim(4 * UNIT)).expect("filed all the same");
    let claim = query!(client, &ink_e2e::alice(), primary.claim(id1)).expect("stored");
    assert_eq!((claim.retained, claim.ceded, claim.cession), (2 * UNIT, 2 * UNIT, Cession::Pending));
    let events = take_events();
    assert_eq!(events_of::<fund::CessionFailed>(&events, &f.fund).len(), 1);
    assert!(events_of::<fund::ClaimFiled>(&events, &reinsurer).is_empty());
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("approve_claim"), id1)).await.expect("approved");
    let paid = submit!(client, &ink_e2e::eve(), primary.pay_claim(id1)).expect("the retained part pays");
    assert_eq!(paid.paid, 2 * UNIT);
    // Once the reinsurer covers the primary again, anyone retries the cession.
    submit!(client, &ink_e2e::alice(), re.set_roles(fund::FundRoles { covered: vec![f.fund], ..re_roles }))
        .expect("covered again");
    submit!(client, &ink_e2e::eve(), primary.retry_cession(id1)).expect("retried");
    assert_eq!(query!(client, &ink_e2e::alice(), primary.claim(id1)).map(|c| c.cession), Some(Cession::Placed));
    assert_eq!(query!(client, &ink_e2e::alice(), re.claim(1)).map(|c| c.loss), Some(2 * UNIT));
    assert_eq!(
        query!(client, &ink_e2e::eve(), primary.retry_cession(id1)),
        Err(fund::Error::Fund(FundError::NoPendingCession)),
        "placed once"
    );
    Ok(())
}

/// Issue 21 item 11c: the cession call forwarded all the gas left, so a
/// reinsurer that burns gas made the primary's whole `file_claim` run out of
/// gas and revert, against docs/contracts.md's promise that a failing reinsurer
/// never blocks the retained part. The call now runs under its own gas
/// limit: the claim is filed, the cession fails alone and stays pending.
#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn a_gas_burning_reinsurer_cannot_revert_a_claim<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    use bulwark_core::fund::ReinsuranceLayer;
    let f = deploy(&mut client).await?;
    // A second vault, made hostile, is the primary's reinsurer.
    let burner = client
        .instantiate("protected_vault", &ink_e2e::alice(), &mut ProtectedVaultRef::new(f.breaker, f.fund, ASSET))
        .submit()
        .await?
        .account_id;
    submit!(client, &ink_e2e::alice(), ink_e2e::create_call_builder::<ProtectedVault>(burner).burn_gas_as_reinsurer())
        .expect("made hostile");
    let mut primary = client_fund(&f);
    submit!(client, &ink_e2e::bob(), primary.deposit(), value = 10 * UNIT).expect("primary capital");
    let mut roles = query!(client, &ink_e2e::alice(), primary.roles());
    roles.reinsurer = Some(burner);
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("set_roles"), roles)).await.expect("roles set");
    let layered =
        FundParams { reinsurance: Some(ReinsuranceLayer { attachment: 2 * UNIT, limit: 3 * UNIT }), ..fund_params() };
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("set_params"), layered)).await.expect("layer set");
    take_events();
    // A 4-unit loss: 2 retained, 2 ceded to the burner, which fails alone.
    let filed = client.call(&ink_e2e::alice(), &client_vault(&f).file_claim(4 * UNIT)).submit().await;
    let id0 = filed.expect("the claim is not reverted by the reinsurer").return_value().expect("filed");
    let claim = query!(client, &ink_e2e::alice(), primary.claim(id0)).expect("stored");
    assert_eq!((claim.retained, claim.ceded, claim.cession), (2 * UNIT, 2 * UNIT, Cession::Pending));
    let events = take_events();
    assert_eq!(events_of::<fund::ClaimFiled>(&events, &f.fund).len(), 1);
    assert_eq!(
        events_of::<fund::CessionFailed>(&events, &f.fund).iter().map(|e| e.ceded).collect::<Vec<_>>(),
        vec![2 * UNIT]
    );
    // The retained part is approved and paid as usual.
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("approve_claim"), id0)).await.expect("approved");
    let paid = submit!(client, &ink_e2e::eve(), primary.pay_claim(id0)).expect("the retained part pays");
    assert_eq!(paid.paid, 2 * UNIT);
    Ok(())
}

/// One scripted operation of the differential trace.
#[derive(Clone, Copy, Debug)]
enum Op {
    At(u64),
    Deposit(u128),
    Withdraw(u128),
    Price(u128),
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn differential_trace_matches_core<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut vault = client_vault(&f);
    let mut breaker = client_breaker(&f);
    take_events();
    let script = [
        Op::Deposit(20 * UNIT),
        Op::At(T0 + 15 * MINUTE),
        Op::Withdraw(UNIT),
        Op::Deposit(3 * UNIT),
        Op::Withdraw(4 * UNIT),
        Op::At(T0 + 40 * MINUTE),
        Op::Price(PRICE_ONE * 105 / 100),
        Op::Withdraw(UNIT / 2),
        Op::Withdraw(UNIT),
        Op::At(T0 + 90 * MINUTE),
        Op::Withdraw(UNIT),
        Op::Price(PRICE_ONE * 2),
        Op::Withdraw(1),
        Op::At(T0 + 6 * HOUR),
        Op::Price(PRICE_ONE * 104 / 100),
        Op::Withdraw(UNIT / 4),
    ];
    // Native: the same core state machine, the same timestamps.
    let mut native = CoreBreaker::new(breaker_params()).expect("valid");
    let mut flow = native.new_asset(UNITS, 0).expect("valid units");
    // Dave deposits and withdraws: the vault names him to the breaker.
    let mut dave = AccountFlow::default();
    native.anchor_price(&mut flow, PRICE_ONE, T0).expect("anchored");
    let mut now = T0;
    let mut onchain_decisions = Vec::new();
    let mut native_decisions = Vec::new();
    for op in script {
        match op {
            Op::At(t) => {
                now = t;
                set_time(t);
            }
            Op::Deposit(x) => {
                submit!(client, &ink_e2e::dave(), vault.deposit(), value = x).expect("deposit");
                native.record_inflow(&mut flow, &mut dave, x, now).expect("inflow");
            }
            Op::Withdraw(x) => {
                onchain_decisions.push(submit!(client, &ink_e2e::dave(), vault.withdraw(x)).expect("withdraw call"));
                native_decisions.push(native.check_outflow(
                    ASSET,
                    &mut flow,
                    &mut dave,
                    crate::protected_vault::WITHDRAW,
                    x,
                    now,
                ));
            }
            Op::Price(p) => {
                let v = submit!(client, &ink_e2e::ferdie(), breaker.report_price(ASSET, p)).expect("report");
                assert_eq!(v, native.report_price(&mut flow, p, now).expect("report"));
            }
        }
    }
    assert_eq!(onchain_decisions, native_decisions, "every decision and reason matches");
    let emitted: Vec<Decision> =
        events_of::<cb::OutflowChecked>(&take_events(), &f.breaker).iter().map(|e| e.decision).collect();
    assert_eq!(emitted, native_decisions, "and so does every OutflowChecked event");
    assert!(onchain_decisions.iter().any(|d| d.is_allowed()) && onchain_decisions.iter().any(|d| !d.is_allowed()));
    assert_eq!(
        query!(client, &ink_e2e::alice(), breaker.asset_flow(ASSET)).expect("registered"),
        flow,
        "final state matches"
    );
    assert_eq!(
        query!(client, &ink_e2e::alice(), breaker.account_flow(ASSET, id(ink_e2e::AccountKeyring::Dave))),
        if dave.is_idle(now, breaker_params().limiter.inflow_decay_ms) { AccountFlow::default() } else { dave },
        "and so does Dave's own (removed once idle)"
    );
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), native.level(now));
    let left: u128 = 23 * UNIT
        - onchain_decisions
            .iter()
            .zip(script.iter().filter_map(|o| if let Op::Withdraw(x) = o { Some(*x) } else { None }))
            .filter(|(d, _)| d.is_allowed())
            .map(|(_, x)| x)
            .sum::<u128>();
    assert_eq!(flow.tvl, left, "the breaker's tracked balance is the vault's");
    assert_eq!(query!(client, &ink_e2e::dave(), vault.balance_of(id(ink_e2e::AccountKeyring::Dave))), left);

    // Bonded trips, exits and claims: the same core fund and bond book,
    // natively, against the contracts, step by step.
    use ink_e2e::AccountKeyring::{Alice, Bob, Ferdie};
    let mut native_fund = CoreFund::new(fund_params()).expect("valid");
    let policy = BondPolicy { min_bond: UNIT, settle_within_ms: BOND_SETTLE_MS };
    let mut native_bonds = BondBook::new(policy).expect("valid");
    let mut bob_native = Holder::default();
    let mut fund_call = client_fund(&f);
    let minted = submit!(client, &ink_e2e::bob(), fund_call.deposit(), value = 10 * UNIT).expect("deposit");
    assert_eq!(minted, native_fund.deposit(&mut bob_native, 10 * UNIT).expect("deposit"));
    let half = bob_native.shares / 2;
    let req = submit!(client, &ink_e2e::bob(), fund_call.request_exit(half)).expect("exit");
    assert_eq!(req, native_fund.request_exit(&mut bob_native, half, now).expect("exit"));
    let cid = submit!(client, &ink_e2e::alice(), vault.file_claim(4 * UNIT)).expect("claim");
    let mut native_claim = native_fund.file_claim(raw(&id(Alice)), 4 * UNIT, now).expect("claim");
    assert_eq!(query!(client, &ink_e2e::alice(), fund_call.claim(cid)), Some(native_claim.clone()));
    assert_eq!(
        query!(client, &ink_e2e::bob(), fund_call.preview_redeem(half)),
        Ok(native_fund.preview_redeem(half).expect("no overflow"))
    );
    let tid = submit!(client, &ink_e2e::ferdie(), breaker.trip_with_bond(), value = UNIT).expect("bonded trip");
    let native_trip = native_bonds.post(raw(&id(Ferdie)), UNIT, now).expect("bonded trip");
    native.trip(now);
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.pending_trip(tid)), Some(native_trip.clone()));
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.level()), native.level(now));
    pass(&mut client, &f, call_action(&f.fund, ink::selector_bytes!("approve_claim"), cid)).await.expect("approved");
    native_fund.approve_claim(&mut native_claim).expect("approved");
    let paid = submit!(client, &ink_e2e::eve(), fund_call.pay_claim(cid)).expect("paid");
    assert_eq!(paid, native_fund.pay_claim(&mut native_claim).expect("paid"));
    // After the cooldown the bonded trip's halt still blocks the exit, in both.
    now += HOUR;
    set_time(now);
    let blocked = native_fund.complete_exit(&mut bob_native.clone(), now, native.blocks_exits(now));
    assert_eq!(query!(client, &ink_e2e::bob(), fund_call.complete_exit()), blocked.map_err(fund::Error::Fund));
    pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("settle_trip"), (tid, true)))
        .await
        .expect("confirmed");
    native_bonds.settle(&native_trip, true, now).expect("confirmed");
    pass(&mut client, &f, call_action(&f.breaker, ink::selector_bytes!("reset"), ())).await.expect("reset");
    native.reset();
    let out = submit!(client, &ink_e2e::bob(), fund_call.complete_exit()).expect("exit");
    assert_eq!(out, native_fund.complete_exit(&mut bob_native, now, native.blocks_exits(now)).expect("exit"));
    assert_eq!(query!(client, &ink_e2e::alice(), breaker.pending_trip(tid)), None);
    assert_eq!(query!(client, &ink_e2e::alice(), fund_call.total_assets()), native_fund.total_assets());
    assert_eq!(query!(client, &ink_e2e::alice(), fund_call.total_shares()), native_fund.total_shares());
    assert_eq!(query!(client, &ink_e2e::bob(), fund_call.shares_of(id(Bob))), bob_native.shares);
    assert_eq!(query!(client, &ink_e2e::bob(), fund_call.exit_of(id(Bob))), bob_native.exit);
    Ok(())
}

#[ink_e2e::test(backend(runtime_only(sandbox = crate::sandbox::RecordingSandbox)))]
async fn gas_report_of_hot_messages<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    let f = deploy(&mut client).await?;
    let mut report = BTreeMap::new();
    macro_rules! measure {
        ($name:expr, $signer:expr, $msg:expr $(, value = $v:expr)?) => {{
            let r = client.call($signer, &$msg)$(.value($v))?.dry_run().await?;
            let w = r.exec_result.gas_consumed;
            report.insert($name, (w.ref_time(), w.proof_size()));
            client.call($signer, &$msg)$(.value($v))?.submit().await?;
        }};
    }
    // A second breaker that alice protects, to measure its messages directly.
    let roles = cb::BreakerRoles {
        admin: id(ink_e2e::AccountKeyring::Alice),
        oracle: id(ink_e2e::AccountKeyring::Ferdie),
        protected: id(ink_e2e::AccountKeyring::Alice),
        guardians: vec![],
        insurance_fund: f.fund,
        min_bond: UNIT,
        bond_settle_within_ms: BOND_SETTLE_MS,
    };
    let direct = client
        .instantiate("circuit_breaker", &ink_e2e::alice(), &mut CircuitBreakerRef::new(breaker_params(), roles))
        .submit()
        .await?
        .account_id;
    let mut breaker = ink_e2e::create_call_builder::<CircuitBreaker>(direct);
    submit!(client, &ink_e2e::alice(), breaker.register_asset(ASSET, UNITS, 0, PRICE_ONE)).expect("registered");
    measure!(
        "circuit_breaker.record_inflow",
        &ink_e2e::alice(),
        breaker.record_inflow(ASSET, id(ink_e2e::AccountKeyring::Alice), 10 * UNIT)
    );
    let mut vault = client_vault(&f);
    let mut fund_call = client_fund(&f);
    let mut m = client_multisig(&f);
    measure!("vault.deposit → breaker.record_inflow", &ink_e2e::dave(), vault.deposit(), value = 10 * UNIT);
    set_time(T0 + 20 * MINUTE);
    measure!(
        "circuit_breaker.check_outflow",
        &ink_e2e::alice(),
        breaker.check_outflow(ASSET, id(ink_e2e::AccountKeyring::Alice), *b"wdrw", UNIT / 10)
    );
    measure!("vault.withdraw → breaker.check_outflow", &ink_e2e::dave(), vault.withdraw(UNIT / 10));
    measure!("insurance_fund.deposit", &ink_e2e::bob(), fund_call.deposit(), value = UNIT);
    let shares = query!(client, &ink_e2e::bob(), fund_call.shares_of(id(ink_e2e::AccountKeyring::Bob)));
    measure!("insurance_fund.request_exit", &ink_e2e::bob(), fund_call.request_exit(shares / 2));
    let pid =
        submit!(client, &ink_e2e::alice(), m.propose(call_action(&f.breaker, ink::selector_bytes!("reset"), ()), None))
            .expect("proposed");
    let hash = query!(client, &ink_e2e::alice(), m.proposal(pid)).expect("stored").call_hash;
    measure!("multisig_guard.approve (confirm)", &ink_e2e::bob(), m.approve(pid, hash));
    measure!("multisig_guard.execute (reset call)", &ink_e2e::charlie(), m.execute(pid));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-gas.json");
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    let json: Vec<String> = report
        .iter()
        .map(|(k, (r, p))| format!("  {{\"message\": \"{k}\", \"ref_time\": {r}, \"proof_size\": {p}}}"))
        .collect();
    std::fs::write(&path, format!("[\n{}\n]\n", json.join(",\n")))?;
    println!("\n{:<44} {:>14} {:>11}", "message", "ref_time", "proof_size");
    for (k, (r, p)) in &report {
        assert!(*r > 0 && *p > 0, "{k} consumed no gas?");
        println!("{k:<44} {r:>14} {p:>11}");
    }
    println!("written to {}", path.display());
    Ok(())
}

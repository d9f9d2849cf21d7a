use super::*;
use crate::error::{assert_each_rejected, ParamCase};
use proptest::prelude::*;

const HOUR: u64 = 3_600_000;
const DAY: u64 = 24 * HOUR;

fn acct(n: u8) -> AccountId {
    [n; 32]
}
const A: AccountId = [1; 32];
const B: AccountId = [2; 32];
const C: AccountId = [3; 32];
const OUTSIDER: AccountId = [99; 32];
const V1: AccountId = [50; 32];
const V2: AccountId = [51; 32];
const V3: AccountId = [52; 32];
const BREAKER: AccountId = [200; 32];
const UNPAUSE: Selector = [0, 0, 0, 1];
const PAY: Selector = [0, 0, 0, 2];

fn params() -> MultisigParams {
    MultisigParams {
        owners: alloc::vec![A, B, C],
        threshold: 2,
        timelocks: Timelocks { standard_ms: HOUR, critical_ms: DAY, membership_ms: 2 * DAY, policy_ms: 3 * DAY },
        execution_window_ms: 7 * DAY,
        veto: VetoParams { vetoers: alloc::vec![V1, V2, V3], base_threshold: 1, max_threshold: 4 },
        guard: Some(GuardPolicy {
            allow_list: alloc::vec![
                AllowedCall { target: BREAKER, selector: UNPAUSE, class: OperationClass::Critical },
                AllowedCall { target: BREAKER, selector: PAY, class: OperationClass::Standard },
            ],
            standard_value_cap: 1_000,
            critical_value_cap: 0,
        }),
    }
}

fn call(selector: Selector, value: Balance) -> Action {
    Action::Call(CallSpec { target: BREAKER, selector, input: alloc::vec![1, 2], value })
}

fn hash(n: u8) -> CallHash {
    [n; 32]
}

#[test]
fn proposal_waits_for_timelock_and_threshold_then_executes_once() {
    let mut m = Multisig::new(params()).unwrap();
    let mut p = m.propose(A, call(UNPAUSE, 0), None, hash(1), 0).unwrap();
    assert_eq!(p.class, OperationClass::Critical, "the guard, not the proposer, picks the class");
    assert_eq!((p.eta, p.expires_at), (DAY, 8 * DAY));
    assert_eq!(m.execute(&mut p, None, DAY), Err(MultisigError::NotEnoughApprovals), "one approval of two");
    m.approve(&mut p, B, &hash(1), 1).unwrap();
    assert_eq!(m.execute(&mut p, None, DAY - 1), Err(MultisigError::TimelockNotPassed));
    let nonce = m.nonce();
    assert_eq!(
        m.execute(&mut p, None, DAY),
        Ok(Execution::Call(CallSpec { target: BREAKER, selector: UNPAUSE, input: alloc::vec![1, 2], value: 0 }))
    );
    assert_eq!(m.execute(&mut p, None, DAY), Err(MultisigError::Reentrancy), "call still in flight");
    m.finish_call(&mut p, true).unwrap();
    assert!(m.nonce() > nonce);
    assert_eq!(m.execute(&mut p, None, DAY), Err(MultisigError::AlreadyExecuted), "no replay");
}

#[test]
fn expired_proposals_cannot_execute_or_be_approved() {
    let mut m = Multisig::new(params()).unwrap();
    let mut p = m.propose(A, call(PAY, 10), None, hash(2), 0).unwrap();
    m.approve(&mut p, B, &hash(2), 0).unwrap();
    let end = HOUR + 7 * DAY;
    assert_eq!(m.execute(&mut p.clone(), None, end), Err(MultisigError::Expired));
    assert_eq!(m.approve(&mut p, C, &hash(2), end), Err(MultisigError::Expired));
    assert!(m.execute(&mut p, None, end - 1).is_ok());
}

#[test]
fn approvals_check_owner_hash_and_duplicates() {
    let mut m = Multisig::new(params()).unwrap();
    assert_eq!(m.propose(OUTSIDER, call(PAY, 0), None, hash(3), 0), Err(MultisigError::NotOwner));
    let mut p = m.propose(A, call(PAY, 0), None, hash(3), 0).unwrap();
    assert_eq!(m.approve(&mut p, OUTSIDER, &hash(3), 0), Err(MultisigError::NotOwner));
    assert_eq!(m.approve(&mut p, B, &hash(4), 0), Err(MultisigError::CallHashMismatch));
    assert_eq!(m.approve(&mut p, A, &hash(3), 0), Err(MultisigError::AlreadyApproved));
    m.approve(&mut p, B, &hash(3), 0).unwrap();
    m.revoke(&mut p, B, 0).unwrap();
    assert_eq!(m.revoke(&mut p, B, 0), Err(MultisigError::NotApproved));
    assert_eq!(m.execute(&mut p, None, HOUR), Err(MultisigError::NotEnoughApprovals));
}

#[test]
fn guard_enforces_allow_list_and_value_caps() {
    let mut m = Multisig::new(params()).unwrap();
    assert_eq!(m.propose(A, call([9; 4], 0), None, hash(5), 0), Err(MultisigError::NotAllowedByGuard));
    assert_eq!(m.propose(A, call(PAY, 1_001), None, hash(5), 0), Err(MultisigError::ValueCapExceeded));
    assert_eq!(m.propose(A, call(UNPAUSE, 1), None, hash(5), 0), Err(MultisigError::ValueCapExceeded));
    let long =
        Action::Call(CallSpec { target: BREAKER, selector: PAY, input: alloc::vec![0; MAX_INPUT_LEN + 1], value: 0 });
    assert_eq!(m.propose(A, long, None, hash(5), 0), Err(MultisigError::InputTooLong));
}

#[test]
fn guard_removal_is_policy_class_and_then_calls_are_critical() {
    let mut m = Multisig::new(params()).unwrap();
    let mut p = m.propose(A, Action::Config(ConfigChange::RemoveGuard), None, hash(6), 0).unwrap();
    assert_eq!(p.class, OperationClass::Policy);
    m.approve(&mut p, B, &hash(6), 0).unwrap();
    assert_eq!(m.execute(&mut p, None, 3 * DAY - 1), Err(MultisigError::TimelockNotPassed));
    assert_eq!(m.execute(&mut p, None, 3 * DAY), Ok(Execution::Configured));
    let q = m.propose(A, call([9; 4], 5_000), None, hash(7), 3 * DAY).unwrap();
    assert_eq!(q.class, OperationClass::Critical);
}

#[test]
fn a_call_whose_class_got_stricter_waits_the_new_timelock() {
    let mut m = Multisig::new(params()).unwrap();
    let mut pay = m.propose(A, call(PAY, 0), None, hash(8), 0).unwrap();
    m.approve(&mut pay, B, &hash(8), 0).unwrap();
    // Meanwhile the guard reclassifies PAY as Critical.
    let mut g = params().guard.unwrap();
    g.allow_list[1].class = OperationClass::Critical;
    g.critical_value_cap = 1_000;
    let mut set = m.propose(A, Action::Config(ConfigChange::SetGuard(g)), None, hash(9), 0).unwrap();
    m.approve(&mut set, B, &hash(9), 0).unwrap();
    m.execute(&mut set, None, 3 * DAY).unwrap();
    // PAY was made at 0 and waited 3 days >= 1 day: allowed. A fresh one must wait a day.
    assert!(m.execute(&mut pay, None, 3 * DAY).is_ok());
    m.finish_call(&mut pay, true).unwrap();
    let mut fresh = m.propose(A, call(PAY, 0), None, hash(10), 3 * DAY).unwrap();
    m.approve(&mut fresh, C, &hash(10), 3 * DAY).unwrap();
    assert_eq!(m.execute(&mut fresh, None, 3 * DAY + HOUR), Err(MultisigError::TimelockNotPassed));
}

#[test]
fn veto_threshold_rises_with_each_cancel_and_resets_on_execution() {
    let mut m = Multisig::new(params()).unwrap();
    assert_eq!(
        m.veto(&mut m.clone().propose(A, call(PAY, 0), None, hash(1), 0).unwrap(), OUTSIDER, 0),
        Err(MultisigError::NotVetoer)
    );
    let mut p1 = m.propose(A, call(PAY, 0), None, hash(1), 0).unwrap();
    assert_eq!(m.veto(&mut p1, V1, 0), Ok(true), "first cancel needs one vetoer");
    assert_eq!(p1.status, ProposalStatus::Cancelled);
    assert_eq!(m.execute(&mut p1, None, HOUR), Err(MultisigError::Cancelled));
    assert_eq!(m.veto_threshold_raised_at(), Some(0));
    // Rises are a Critical timelock (a day) apart.
    let mut p2 = m.propose(A, call(PAY, 0), None, hash(2), DAY).unwrap();
    assert_eq!(m.veto(&mut p2, V1, DAY), Ok(false), "second cancel needs two");
    assert_eq!(m.veto(&mut p2, V1, DAY), Err(MultisigError::AlreadyVetoed));
    assert_eq!(m.veto(&mut p2, V2, DAY), Ok(true));
    assert_eq!(m.veto_threshold(), 3);
    let mut p3 = m.propose(A, call(PAY, 0), None, hash(3), 2 * DAY).unwrap();
    m.veto(&mut p3, V1, 2 * DAY).unwrap();
    m.veto(&mut p3, V2, 2 * DAY).unwrap();
    assert_eq!(m.veto(&mut p3, V3, 2 * DAY), Ok(true));
    assert_eq!(m.veto_threshold(), 4, "above the veto set: no more cancels");
    let mut p4 = m.propose(A, call(PAY, 0), None, hash(5), 2 * DAY).unwrap();
    for v in [V1, V2, V3] {
        assert_eq!(m.veto(&mut p4, v, 2 * DAY), Ok(false), "an exhausted veto set cancels nothing");
    }
    let mut ok = m.propose(A, call(PAY, 0), None, hash(4), 2 * DAY).unwrap();
    m.approve(&mut ok, B, &hash(4), 2 * DAY).unwrap();
    m.execute(&mut ok, None, 2 * DAY + HOUR).unwrap();
    m.finish_call(&mut ok, true).unwrap();
    assert_eq!((m.veto_threshold(), m.veto_threshold_raised_at()), (1, None), "reset by an execution");
}

/// Issue 20 item 13: a thief with a signing quorum submitted `cap + 1`
/// identical proposals in one block; the vetoers' cancels raised the
/// threshold to the cap in that block, and the last proposal executed a
/// Critical timelock later. Now the cancels of one Critical timelock raise
/// it once.
#[test]
fn parallel_proposals_raise_the_veto_threshold_once_per_critical_timelock() {
    let mut m = Multisig::new(params()).unwrap();
    let mut batch: alloc::vec::Vec<Proposal> =
        (0..5).map(|i| m.propose(A, call(UNPAUSE, 0), None, hash(i), 0).unwrap()).collect();
    for p in &mut batch {
        let h = p.call_hash;
        m.approve(p, B, &h, 0).unwrap();
        for v in [V1, V2, V3] {
            if p.status == ProposalStatus::Pending {
                m.veto(p, v, 0).unwrap();
            }
        }
    }
    assert!(batch.iter().all(|p| p.status == ProposalStatus::Cancelled), "every one of the batch is cancelled");
    assert_eq!(m.veto_threshold(), 2, "one rise for the whole block");
    // Cancels until the cooldown ends cost nothing more.
    let mut later = m.propose(A, call(UNPAUSE, 0), None, hash(9), DAY - 1).unwrap();
    m.veto(&mut later, V1, DAY - 1).unwrap();
    assert_eq!(m.veto(&mut later, V2, DAY - 1), Ok(true));
    assert_eq!(m.veto_threshold(), 2);
    let mut next = m.propose(A, call(UNPAUSE, 0), None, hash(10), DAY).unwrap();
    m.veto(&mut next, V1, DAY).unwrap();
    assert_eq!(m.veto(&mut next, V2, DAY), Ok(true));
    assert_eq!(m.veto_threshold(), 3, "the next rise a Critical timelock later");
    assert_eq!(m.params().veto_hold_off_timelocks(), 3);
}

/// Issue 20 item 14: every vetoer voted while the threshold was above their
/// number; an execution then reset it, and the proposal, which nobody
/// could vote on again (`AlreadyVetoed`), executed. Votes now count
/// whenever the threshold in force falls to them.
#[test]
fn vetoes_cast_above_the_threshold_count_once_it_falls() {
    let mut m = Multisig::new(params()).unwrap();
    for (i, t) in [0, DAY, 2 * DAY].into_iter().enumerate() {
        let mut p = m.propose(A, call(PAY, 0), None, hash(i as u8), t).unwrap();
        for v in [V1, V2, V3] {
            if p.status == ProposalStatus::Pending {
                m.veto(&mut p, v, t).unwrap();
            }
        }
        assert_eq!(p.status, ProposalStatus::Cancelled);
    }
    assert_eq!(m.veto_threshold(), 4, "exhausted");
    let t = 2 * DAY;
    let mut bad = m.propose(A, call(UNPAUSE, 0), None, hash(20), t).unwrap();
    m.approve(&mut bad, B, &hash(20), t).unwrap();
    for v in [V1, V2, V3] {
        assert_eq!(m.veto(&mut bad, v, t), Ok(false));
    }
    assert_eq!(m.cancel_vetoed(&mut bad, t), Err(MultisigError::NotEnoughVetoes));
    let mut ok = m.propose(A, call(PAY, 0), None, hash(21), t).unwrap();
    m.approve(&mut ok, B, &hash(21), t).unwrap();
    m.execute(&mut ok, None, t + HOUR).unwrap();
    m.finish_call(&mut ok, true).unwrap();
    assert_eq!(m.veto_threshold(), 1, "reset by the execution");
    assert_eq!(m.veto(&mut bad, V1, t + HOUR), Err(MultisigError::AlreadyVetoed), "nobody can vote again");
    assert_eq!(m.check_executable(&bad, None, bad.eta), Err(MultisigError::Vetoed));
    assert_eq!(m.execute(&mut bad.clone(), None, bad.eta), Err(MultisigError::Vetoed));
    m.cancel_vetoed(&mut bad, t + HOUR).unwrap();
    assert_eq!(bad.status, ProposalStatus::Cancelled);
    assert_eq!(m.veto_threshold(), 2, "a cancel by re-evaluation raises the threshold like one by vote");
    assert_eq!(m.cancel_vetoed(&mut bad, t + HOUR), Err(MultisigError::Cancelled));
}

/// A replaced vetoer's votes stop counting, as a removed owner's approvals do.
#[test]
fn vetoes_of_replaced_vetoers_stop_counting() {
    let mut m = Multisig::new(params()).unwrap();
    let mut pending = m.propose(A, call(PAY, 0), None, hash(1), 0).unwrap();
    let mut swap = m
        .propose(
            A,
            Action::Config(ConfigChange::SetVeto(VetoParams {
                vetoers: alloc::vec![V2],
                base_threshold: 1,
                max_threshold: 2,
            })),
            None,
            hash(2),
            0,
        )
        .unwrap();
    m.approve(&mut swap, B, &hash(2), 0).unwrap();
    m.execute(&mut swap, None, 3 * DAY).unwrap();
    let mut stale = pending.clone();
    stale.vetoes.push(V1);
    assert!(!m.is_vetoed(&stale), "V1 is no vetoer any more");
    assert_eq!(m.veto(&mut pending, V1, 3 * DAY), Err(MultisigError::NotVetoer));
    assert_eq!(m.veto(&mut pending, V2, 3 * DAY), Ok(true));
}

#[test]
fn owner_rotation_and_threshold_changes() {
    let mut m = Multisig::new(params()).unwrap();
    let run = |m: &mut Multisig, change: ConfigChange, h: u8| -> Result<Execution, MultisigError> {
        let mut p = m.propose(A, Action::Config(change), None, hash(h), 0)?;
        m.approve(&mut p, B, &hash(h), 0)?;
        m.execute(&mut p, None, 3 * DAY)
    };
    assert_eq!(run(&mut m, ConfigChange::AddOwner(B), 1), Err(MultisigError::OwnerExists));
    assert_eq!(run(&mut m, ConfigChange::SetThreshold(4), 2), Err(MultisigError::InvalidParams(ParamError::Threshold)));
    assert_eq!(run(&mut m, ConfigChange::SetThreshold(0), 3), Err(MultisigError::InvalidParams(ParamError::Threshold)));
    run(&mut m, ConfigChange::AddOwner(acct(4)), 4).unwrap();
    run(&mut m, ConfigChange::SwapOwner { old: C, new: acct(5) }, 5).unwrap();
    assert!(!m.is_owner(&C) && m.is_owner(&acct(5)));
    assert_eq!(
        run(&mut m, ConfigChange::RemoveOwner { owner: acct(4), new_threshold: 4 }, 6),
        Err(MultisigError::InvalidParams(ParamError::Threshold))
    );
    run(&mut m, ConfigChange::RemoveOwner { owner: acct(4), new_threshold: 3 }, 7).unwrap();
    assert_eq!(m.params().threshold, 3);
    assert_eq!(m.params().owners, alloc::vec![A, B, acct(5)]);
}

#[test]
fn approvals_of_removed_owners_stop_counting() {
    let mut m = Multisig::new(params()).unwrap();
    let mut pay = m.propose(A, call(PAY, 0), None, hash(1), 0).unwrap();
    m.approve(&mut pay, C, &hash(1), 0).unwrap();
    let mut rm = m
        .propose(A, Action::Config(ConfigChange::RemoveOwner { owner: C, new_threshold: 2 }), None, hash(2), 0)
        .unwrap();
    m.approve(&mut rm, B, &hash(2), 0).unwrap();
    m.execute(&mut rm, None, 2 * DAY).unwrap();
    assert_eq!(m.execute(&mut pay, None, 2 * DAY), Err(MultisigError::NotEnoughApprovals));
}

#[test]
fn timelock_changes_are_policy_class_and_must_keep_policy_longest() {
    let mut m = Multisig::new(params()).unwrap();
    let shorter = Timelocks { standard_ms: 0, critical_ms: 0, membership_ms: 0, policy_ms: 0 };
    let mut p = m.propose(A, Action::Config(ConfigChange::SetTimelocks(shorter)), None, hash(1), 0).unwrap();
    assert_eq!(p.eta, 3 * DAY, "lowering delays waits the longest delay in force");
    m.approve(&mut p, B, &hash(1), 0).unwrap();
    m.execute(&mut p, None, 3 * DAY).unwrap();
    let bad = Timelocks { standard_ms: 0, critical_ms: DAY, membership_ms: 0, policy_ms: HOUR };
    assert_eq!(
        m.propose(A, Action::Config(ConfigChange::SetTimelocks(bad)), None, hash(2), 0),
        Err(MultisigError::InvalidParams(ParamError::PolicyTimelock))
    );
}

/// Issue 20 item 12: validation did not order Critical after Standard, so
/// `SetTimelocks` could make dangerous calls faster than routine ones.
#[test]
fn critical_never_waits_less_than_standard() {
    let mut m = Multisig::new(params()).unwrap();
    let inverted = Timelocks { standard_ms: DAY, critical_ms: HOUR, membership_ms: DAY, policy_ms: 3 * DAY };
    assert_eq!(
        m.propose(A, Action::Config(ConfigChange::SetTimelocks(inverted)), None, hash(1), 0),
        Err(MultisigError::InvalidParams(ParamError::CriticalTimelock))
    );
    let equal = Timelocks { standard_ms: DAY, critical_ms: DAY, membership_ms: DAY, policy_ms: 3 * DAY };
    assert!(m.clone().propose(A, Action::Config(ConfigChange::SetTimelocks(equal)), None, hash(2), 0).is_ok());
    assert_eq!(
        m.clone().propose(A, Action::Config(ConfigChange::SetExecutionWindow(1)), None, hash(3), 0),
        Err(MultisigError::InvalidParams(ParamError::Expiry)),
        "a 1 ms window would leave no block to execute the proposal restoring it"
    );
}

/// The selector of an administrative message in core's table.
fn least_selector(message: &str) -> Selector {
    ADMIN_CALLS.iter().find(|a| a.message == message).unwrap().selector
}

/// The table's selectors are ink!'s: Blake2b-256 of the message name.
#[test]
fn admin_table_selectors_are_ink_selectors_of_their_names() {
    use blake2::digest::{consts::U32, Digest};
    for a in ADMIN_CALLS {
        let h = blake2::Blake2b::<U32>::digest(a.message.as_bytes());
        assert_eq!(a.selector, [h[0], h[1], h[2], h[3]], "{}", a.message);
        assert_ne!(a.class, OperationClass::Membership, "{}", a.message);
    }
}

/// Issue 20 item 11: the deploy tool allow-listed `approve_claim` (up to
/// `claim_cap_per_event` per claim, paid by anyone) and `set_active_cover`
/// at the Standard class, so a stolen quorum drained the cap after an hour.
/// Claim approval and lowering the cover are Critical in core's table, and
/// the guard refuses an allow-list that runs them faster.
#[test]
fn claim_approval_and_lowering_cover_run_at_critical() {
    let class_of =
        |contract, message: &str| admin_calls(contract).find(|a| a.message == message).map(|a| a.class).unwrap();
    assert_eq!(class_of(AdminContract::InsuranceFund, "approve_claim"), OperationClass::Critical);
    assert_eq!(class_of(AdminContract::InsuranceFund, "lower_active_cover"), OperationClass::Critical);
    assert_eq!(class_of(AdminContract::InsuranceFund, "raise_active_cover"), OperationClass::Standard);
    assert_eq!(class_of(AdminContract::CircuitBreaker, "pause"), OperationClass::Standard);
    for message in ["approve_claim", "lower_active_cover", "unpause", "set_params"] {
        let entry = |class| AllowedCall { target: BREAKER, selector: least_selector(message), class };
        let guard = |class| GuardPolicy { allow_list: alloc::vec![entry(class)], ..params().guard.unwrap() };
        assert_eq!(guard(OperationClass::Standard).validate(), Err(ParamError::AdminCallClass), "{message}");
        assert_eq!(guard(OperationClass::Critical).validate(), Ok(()), "{message}");
    }
    // A SetGuard proposal that would downgrade one is refused at once.
    let m = Multisig::new(params()).unwrap();
    let downgrade = GuardPolicy {
        allow_list: alloc::vec![AllowedCall {
            target: BREAKER,
            selector: least_selector("approve_claim"),
            class: OperationClass::Standard,
        }],
        ..params().guard.unwrap()
    };
    assert_eq!(
        m.clone().propose(A, Action::Config(ConfigChange::SetGuard(downgrade)), None, hash(1), 0),
        Err(MultisigError::InvalidParams(ParamError::AdminCallClass))
    );
    assert_eq!(least_class(&UNPAUSE), None, "a selector of no admin message is free");
}

/// Issue 21 item 8: `set_roles` of the breaker and the fund can name any
/// admin or add a `covered` account that drains the fund through claims,
/// yet it ran at Critical, shorter than the Membership and Policy
/// timelocks. It runs at Policy now: an allow-list must list it at Policy
/// (the guard accepts Policy entries, never a weaker one), its proposals
/// wait the Policy timelock, and removing the guard does not lower it.
#[test]
fn handing_a_contract_over_runs_at_policy() {
    for contract in [AdminContract::CircuitBreaker, AdminContract::InsuranceFund] {
        let set_roles = admin_calls(contract).find(|a| a.message == "set_roles").unwrap();
        assert_eq!(set_roles.class, OperationClass::Policy, "{contract:?}");
    }
    let set_roles = least_selector("set_roles");
    assert_eq!(least_class(&set_roles), Some(OperationClass::Policy));
    let entry = |class| AllowedCall { target: BREAKER, selector: set_roles, class };
    let guard = |class| GuardPolicy { allow_list: alloc::vec![entry(class)], ..params().guard.unwrap() };
    assert_eq!(guard(OperationClass::Critical).validate(), Err(ParamError::AdminCallClass));
    assert_eq!(guard(OperationClass::Membership).validate(), Err(ParamError::AllowList), "no call runs as Membership");
    assert_eq!(guard(OperationClass::Policy).validate(), Ok(()));
    let roles = Action::Call(CallSpec { target: BREAKER, selector: set_roles, input: alloc::vec![], value: 0 });
    let listed = MultisigParams { guard: Some(guard(OperationClass::Policy)), ..params() };
    let mut m = Multisig::new(listed).unwrap();
    let mut p = m.propose(A, roles.clone(), None, hash(1), 0).unwrap();
    assert_eq!((p.class, p.eta), (OperationClass::Policy, 3 * DAY));
    m.approve(&mut p, B, &hash(1), 0).unwrap();
    assert_eq!(m.execute(&mut p, None, 3 * DAY - 1), Err(MultisigError::TimelockNotPassed));
    assert!(matches!(m.execute(&mut p, None, 3 * DAY), Ok(Execution::Call(_))));
    // Without a guard every call runs at Critical, but set_roles at Policy.
    let unguarded = Multisig::new(MultisigParams { guard: None, ..params() }).unwrap();
    assert_eq!(unguarded.classify(&roles), Ok(OperationClass::Policy));
    assert_eq!(unguarded.classify(&call(UNPAUSE, 0)), Ok(OperationClass::Critical));
}

/// Issue 21 item 10: the rule "a bonded trip's settle window outlasts the
/// admin's Critical timelock" was only checked by the deploy tool, so a
/// later `SetTimelocks` could break it. The multisig now names, for each
/// change that could, the breakers to check and the timelock they must
/// outlast; the contract fetches their bond policies and refuses the change.
#[test]
fn timelock_and_guard_changes_name_the_breakers_whose_bonds_must_outlast_them() {
    const FUND: AccountId = [201; 32];
    let entry = |target, message, class| AllowedCall { target, selector: least_selector(message), class };
    let guard = GuardPolicy {
        allow_list: alloc::vec![
            entry(BREAKER, "settle_trip", OperationClass::Critical),
            entry(BREAKER, "unpause", OperationClass::Critical),
            entry(FUND, "approve_claim", OperationClass::Critical),
            entry(FUND, "set_roles", OperationClass::Policy),
        ],
        ..params().guard.unwrap()
    };
    assert_eq!(guard.breaker_targets(), alloc::vec![BREAKER], "each breaker once; the fund is none");
    assert!(is_breaker_only(&least_selector("settle_trip")) && !is_breaker_only(&least_selector("set_params")));
    let m = Multisig::new(MultisigParams { guard: Some(guard.clone()), ..params() }).unwrap();
    let longer = Timelocks { critical_ms: 2 * DAY, ..params().timelocks };
    let check = m.bond_check(&ConfigChange::SetTimelocks(longer.clone())).unwrap().expect("a longer Critical timelock");
    assert_eq!(check, BondCheck { critical_ms: 2 * DAY, breakers: alloc::vec![BREAKER] });
    let policy = |settle_within_ms| BondPolicy { min_bond: 1, settle_within_ms };
    assert_eq!(check.verify(&policy(2 * DAY)), Err(MultisigError::InvalidParams(ParamError::BondOutlastsTimelock)));
    assert_eq!(check.verify(&policy(2 * DAY + 1)), Ok(()));
    // A shorter or equal Critical timelock, and other changes, cannot break it.
    let shorter = Timelocks { critical_ms: HOUR, ..params().timelocks };
    assert_eq!(m.bond_check(&ConfigChange::SetTimelocks(shorter)), Ok(None));
    assert_eq!(m.bond_check(&ConfigChange::SetExecutionWindow(DAY)), Ok(None));
    assert_eq!(m.bond_check(&ConfigChange::RemoveGuard), Ok(None));
    // A new guard is checked at the timelock in force.
    let check = m.bond_check(&ConfigChange::SetGuard(guard.clone())).unwrap().expect("a guard listing a breaker");
    assert_eq!(check.critical_ms, DAY);
    // Without a guard the breakers are unknown: a longer Critical timelock is refused at once.
    let mut unguarded = Multisig::new(MultisigParams { guard: None, ..params() }).unwrap();
    let raise = Action::Config(ConfigChange::SetTimelocks(longer));
    assert_eq!(unguarded.propose(A, raise, None, hash(1), 0), Err(MultisigError::UncheckedBreakers));
}

#[test]
fn every_bad_parameter_is_named() {
    let cases: &[ParamCase<MultisigParams>] = &[
        (|p| p.owners.clear(), ParamError::OwnerCount),
        (|p| p.owners = (0..51).map(|i| [i as u8; 32]).collect(), ParamError::OwnerCount),
        (|p| p.owners.push(A), ParamError::DuplicateOwner),
        (|p| p.threshold = 0, ParamError::Threshold),
        (|p| p.threshold = 4, ParamError::Threshold),
        (|p| p.veto.vetoers.push(V1), ParamError::VetoerCount),
        (|p| p.veto.max_threshold = 3, ParamError::VetoThreshold),
        (|p| p.veto.base_threshold = 4, ParamError::VetoThreshold),
        (|p| p.veto.max_threshold = 52, ParamError::VetoThreshold),
        (|p| p.timelocks.membership_ms = 0, ParamError::MembershipTimelock),
        (|p| p.timelocks.policy_ms = DAY, ParamError::PolicyTimelock),
        (|p| p.execution_window_ms = 0, ParamError::Expiry),
        (|p| p.execution_window_ms = 1, ParamError::Expiry),
        (|p| p.execution_window_ms = HOUR - 1, ParamError::Expiry),
        (|p| p.timelocks.critical_ms = HOUR - 1, ParamError::CriticalTimelock),
        (
            |p| {
                let unpause = p.guard.as_mut().unwrap().allow_list.iter_mut().find(|a| a.selector == UNPAUSE).unwrap();
                unpause.selector = least_selector("approve_claim");
                unpause.class = OperationClass::Standard;
            },
            ParamError::AdminCallClass,
        ),
        (
            |p| {
                p.guard.as_mut().unwrap().allow_list.push(AllowedCall {
                    target: BREAKER,
                    selector: PAY,
                    class: OperationClass::Critical,
                })
            },
            ParamError::AllowList,
        ),
    ];
    assert_each_rejected(&params(), cases, |p| match Multisig::new(p.clone()) {
        Err(MultisigError::InvalidParams(e)) => Err(e),
        _ => Ok(()),
    });
}

/// Defect 4: a callee that returned `Err` (or trapped) was counted as an
/// execution: the proposal was marked executed and the nonce bumped while
/// the callee changed nothing. Now the proposal stays ready.
#[test]
fn a_failed_call_never_counts_as_executed() {
    let mut m = Multisig::new(params()).unwrap();
    let mut p = m.propose(A, call(PAY, 0), None, hash(1), 0).unwrap();
    m.approve(&mut p, B, &hash(1), 0).unwrap();
    let nonce = m.nonce();
    assert!(matches!(m.execute(&mut p, None, HOUR), Ok(Execution::Call(_))));
    assert_eq!(p.status, ProposalStatus::Pending, "not executed until the callee succeeded");
    assert_eq!(m.finish_call(&mut p, false), Err(MultisigError::CallFailed));
    assert_eq!((p.status, m.nonce()), (ProposalStatus::Pending, nonce));
    // Still ready: a later attempt whose callee succeeds executes it.
    assert!(matches!(m.execute(&mut p, None, HOUR), Ok(Execution::Call(_))));
    m.finish_call(&mut p, true).unwrap();
    assert_eq!(p.status, ProposalStatus::Executed);
    assert!(m.nonce() > nonce);
    assert_eq!(m.finish_call(&mut p, true), Err(MultisigError::Reentrancy), "nothing in flight");
}

#[test]
fn a_proposal_waits_for_its_predecessor() {
    let mut m = Multisig::new(params()).unwrap();
    let mut first = m.propose(A, call(PAY, 0), None, hash(1), 0).unwrap();
    let mut second = m.propose(A, call(PAY, 0), Some(first.id), hash(2), 0).unwrap();
    m.approve(&mut first, B, &hash(1), 0).unwrap();
    m.approve(&mut second, B, &hash(2), 0).unwrap();
    assert_eq!(m.execute(&mut second, None, HOUR), Err(MultisigError::PredecessorNotExecuted));
    let pending = first.clone();
    assert_eq!(m.execute(&mut second, Some(&pending), HOUR), Err(MultisigError::PredecessorNotExecuted));
    m.execute(&mut first, None, HOUR).unwrap();
    m.finish_call(&mut first, true).unwrap();
    let stranger = Proposal { id: 77, ..first.clone() };
    assert_eq!(m.execute(&mut second, Some(&stranger), HOUR), Err(MultisigError::PredecessorNotExecuted));
    assert!(m.execute(&mut second, Some(&first), HOUR).is_ok());
}

/// Defect 5: a captured vetoer reset the threshold by executing an
/// unrelated ready proposal, then cancelled its own removal again. Cancels
/// of veto-set changes now count apart, and only a veto-set change resets
/// them.
#[test]
fn an_unrelated_execution_does_not_reset_the_removal_threshold() {
    let mut m = Multisig::new(params()).unwrap();
    let remove = || {
        Action::Config(ConfigChange::SetVeto(VetoParams {
            vetoers: alloc::vec![],
            base_threshold: 0,
            max_threshold: 0,
        }))
    };
    let mut unrelated = m.propose(A, call(PAY, 0), None, hash(9), 0).unwrap();
    m.approve(&mut unrelated, B, &hash(9), 0).unwrap();
    let mut r1 = m.propose(A, remove(), None, hash(1), 0).unwrap();
    assert_eq!(m.veto(&mut r1, V1, 0), Ok(true));
    assert_eq!(m.veto_set_threshold(), 2);
    // The captured vetoer executes an unrelated ready proposal (anyone may).
    m.execute(&mut unrelated, None, HOUR).unwrap();
    m.finish_call(&mut unrelated, true).unwrap();
    assert_eq!(m.veto_set_threshold(), 2, "an unrelated execution reset the removal threshold");
    let mut r2 = m.propose(A, remove(), None, hash(2), HOUR).unwrap();
    assert_eq!(m.veto(&mut r2, V1, HOUR), Ok(false), "one vetoer alone can no longer cancel the removal");
}

/// Which of the three vetoers are captured, and what happens between the
/// owners' attempts to replace them.
#[derive(Clone, Debug)]
struct CaptureHistory {
    captured: [bool; 3],
    /// Per attempt: whether an unrelated ready proposal is executed first,
    /// and how long after the attempt the captured vetoers veto it (they
    /// may wait, to veto inside a cooldown, up to the attempt's eta).
    attempts: alloc::vec::Vec<(bool, u64)>,
}

fn capture_history() -> impl Strategy<Value = CaptureHistory> {
    let delay = prop_oneof![Just(0), Just(DAY - 1), Just(DAY), Just(3 * DAY - 1), 0..3 * DAY];
    (any::<[bool; 3]>(), proptest::collection::vec((any::<bool>(), delay), 8))
        .prop_map(|(captured, attempts)| CaptureHistory { captured, attempts })
}

/// A thief holding a signing quorum (A and B): per round, how long it waits
/// and how many identical Critical proposals it then submits in one block.
fn thief_rounds() -> impl Strategy<Value = alloc::vec::Vec<(u64, u8)>> {
    let wait = prop_oneof![Just(0), Just(1), Just(DAY - 1), Just(DAY), Just(DAY + 1), 0..3 * DAY];
    proptest::collection::vec((wait, 1u8..=6), 1..12)
}

/// Honest vetoers, as fast as allowed: each vetoes every pending proposal
/// it has not vetoed, then they cancel every proposal whose votes meet the
/// threshold in force.
fn vetoers_act(m: &mut Multisig, pending: &mut [Proposal], now: Timestamp) {
    for p in pending.iter_mut() {
        for v in [V1, V2, V3] {
            if p.status == ProposalStatus::Pending && now < p.expires_at && !p.vetoes.contains(&v) {
                m.veto(p, v, now).unwrap();
            }
        }
    }
    for p in pending.iter_mut() {
        if p.status == ProposalStatus::Pending && now < p.expires_at && m.is_vetoed(p) {
            m.cancel_vetoed(p, now).unwrap();
        }
    }
}

/// The thief executes each of its pending proposals at its eta, in eta
/// order, up to `until`; after each execution the vetoers act again. The
/// times of the executions that succeeded.
fn thief_executes(
    m: &mut Multisig,
    pending: &mut [Proposal],
    tried: &mut alloc::vec::Vec<ProposalId>,
    until: Timestamp,
) -> alloc::vec::Vec<Timestamp> {
    let mut executed = alloc::vec::Vec::new();
    loop {
        let next = pending
            .iter()
            .enumerate()
            .filter(|(_, p)| p.status == ProposalStatus::Pending && p.eta < until && !tried.contains(&p.id))
            .min_by_key(|(_, p)| p.eta)
            .map(|(i, _)| i);
        let Some(i) = next else { return executed };
        let t = pending[i].eta;
        tried.push(pending[i].id);
        if let Ok(Execution::Call(_)) = m.execute(&mut pending[i], None, t) {
            m.finish_call(&mut pending[i], true).unwrap();
            executed.push(t);
        }
        vetoers_act(m, pending, t);
    }
}

/// One step of a random multisig history.
#[derive(Clone, Debug)]
enum Op {
    Wait(u64),
    Propose(u8, u8),
    Approve(u8, usize),
    Revoke(u8, usize),
    /// Execute proposal i; a call's callee succeeds or fails.
    Execute(usize, bool),
    Membership(u8, u8, u8),
    /// Vetoer v (3 is no vetoer) votes on proposal i.
    Veto(u8, usize),
    /// Anyone asks to cancel proposal i on the votes it has.
    CancelVetoed(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2 * DAY).prop_map(Op::Wait),
        2 => (0u8..5, 0u8..2).prop_map(|(o, k)| Op::Propose(o, k)),
        4 => (0u8..5, 0usize..8).prop_map(|(o, i)| Op::Approve(o, i)),
        1 => (0u8..5, 0usize..8).prop_map(|(o, i)| Op::Revoke(o, i)),
        3 => (0usize..8, any::<bool>()).prop_map(|(i, ok)| Op::Execute(i, ok)),
        2 => (0u8..4, 0u8..6, 0u8..6).prop_map(|(k, a, t)| Op::Membership(k, a, t)),
        3 => (0u8..4, 0usize..8).prop_map(|(v, i)| Op::Veto(v, i)),
        1 => (0usize..8).prop_map(Op::CancelVetoed),
    ]
}

proptest! {
    // The liveness property also draws configurations validation refuses
    // (about half), to show it refuses every one the property would break;
    // rejects are allowed for however many cases PROPTEST_CASES asks.
    #![proptest_config(ProptestConfig { max_global_rejects: 1 << 20, ..ProptestConfig::with_cases(256) })]

    /// Liveness: whatever subset of the veto set is captured, whatever the
    /// captured vetoers execute in between and whenever they veto, the
    /// owners replace the veto set within `n − base + 2` attempts, each
    /// made a Critical timelock after the last rise of the veto-set
    /// threshold, so by `(n − base + 1) × (Policy + Critical) + Policy`
    /// after the first. Honest vetoers never veto.
    #[test]
    fn the_owners_can_always_remove_the_veto_set(
        h in capture_history(),
        base in 1u32..=3,
        max in 1u32..=6,
    ) {
        let mut p = params();
        p.veto.base_threshold = base;
        p.veto.max_threshold = max;
        // Validation must refuse every configuration this property would break.
        let m = Multisig::new(p);
        prop_assume!(m.is_ok());
        let mut m = m.unwrap();
        let (critical, policy) = (DAY, 3 * DAY);
        let vetoers = [V1, V2, V3];
        let replacement = VetoParams { vetoers: alloc::vec![acct(60)], base_threshold: 1, max_threshold: 2 };
        let bound = 3 - base as usize + 2;
        let mut now = 0;
        let mut removed_at = None;
        for (attempt, &(unrelated_first, delay)) in h.attempts.iter().enumerate().take(bound) {
            if unrelated_first {
                let mut u = m.propose(A, call(PAY, 0), None, hash(100 + attempt as u8), now).unwrap();
                let uh = u.call_hash;
                m.approve(&mut u, B, &uh, now).unwrap();
                m.execute(&mut u, None, now + HOUR).unwrap();
                m.finish_call(&mut u, true).unwrap();
                now += HOUR;
            }
            now = now.max(m.veto_set_threshold_raised_at().map_or(0, |t| t + critical));
            let action = Action::Config(ConfigChange::SetVeto(replacement.clone()));
            let mut r = m.propose(A, action, None, hash(attempt as u8), now).unwrap();
            m.approve(&mut r, B, &hash(attempt as u8), now).unwrap();
            let veto_at = now + delay.min(policy - 1);
            for (v, captured) in vetoers.iter().zip(h.captured) {
                if captured {
                    let _ = m.veto(&mut r, *v, veto_at);
                }
            }
            if r.status == ProposalStatus::Pending {
                let eta = r.eta;
                prop_assert_eq!(m.execute(&mut r, None, eta), Ok(Execution::Configured));
                removed_at = Some(eta);
                break;
            }
            now = veto_at;
        }
        prop_assert!(removed_at.is_some(), "the veto set survived {} attempts", bound);
        let latest = (bound as u64 - 1) * (policy + critical + HOUR) + policy;
        prop_assert!(removed_at.unwrap() <= latest, "removed at {:?} > {}", removed_at, latest);
        prop_assert_eq!(&m.params().veto, &replacement);
    }

    /// Safety (issue 20 item 13): a thief with a signing quorum, choosing how
    /// many identical Critical proposals to submit and when, against three
    /// honest vetoers who veto each at once and cancel whatever their votes
    /// allow. No thief proposal executes earlier than
    /// `N = n − base + 1` Critical timelocks after its first proposal.
    #[test]
    fn a_quorum_thief_is_held_off_n_critical_timelocks(
        rounds in thief_rounds(),
        base in 1u32..=3,
        max in 4u32..=6,
    ) {
        let mut p = params();
        p.veto.base_threshold = base;
        p.veto.max_threshold = max;
        let mut m = Multisig::new(p).unwrap();
        let n = m.params().veto_hold_off_timelocks();
        prop_assert_eq!(n, 3 + 1 - base);
        let critical = m.params().timelocks.critical_ms;
        let mut pending: alloc::vec::Vec<Proposal> = alloc::vec::Vec::new();
        let mut tried = alloc::vec::Vec::new();
        let mut executed = alloc::vec::Vec::new();
        let mut now = 0;
        for (wait, count) in rounds {
            executed.extend(thief_executes(&mut m, &mut pending, &mut tried, now + wait + 1));
            now += wait;
            for _ in 0..count {
                let h = hash(pending.len() as u8);
                let mut q = m.propose(A, call(UNPAUSE, 0), None, h, now).unwrap();
                m.approve(&mut q, B, &h, now).unwrap();
                pending.push(q);
            }
            vetoers_act(&mut m, &mut pending, now);
        }
        executed.extend(thief_executes(&mut m, &mut pending, &mut tried, u64::MAX));
        let earliest = u64::from(n) * critical;
        for t in executed {
            prop_assert!(t >= earliest, "a thief proposal executed at {} < {} ({} Critical timelocks)", t, earliest, n);
        }
    }

    /// Nonces strictly increase; 1 <= threshold <= owners; a proposal never
    /// executes before its timelock, at or after its expiry, without
    /// threshold approvals from current owners, or while its votes from
    /// current vetoers meet the veto threshold in force; the veto threshold
    /// rises by one at a time, at most once per Critical timelock.
    #[test]
    fn multisig_invariants(ops in proptest::collection::vec(op(), 1..120)) {
        let mut m = Multisig::new(params()).unwrap();
        let mut proposals: alloc::vec::Vec<Proposal> = alloc::vec::Vec::new();
        let mut now = 0u64;
        let mut last_nonce = m.nonce();
        let mut last_rise: Option<u64> = None;
        let who = |i: u8| if i < 4 { acct(i + 1) } else { OUTSIDER };
        let vetoer = |i: u8| [V1, V2, V3, OUTSIDER][usize::from(i % 4)];
        for op in ops {
            let threshold_before = m.veto_threshold();
            match op {
                Op::Veto(v, i) => if let Some(p) = proposals.get_mut(i) {
                    let _ = m.veto(p, vetoer(v), now);
                },
                Op::CancelVetoed(i) => if let Some(p) = proposals.get_mut(i) {
                    let votes = p.vetoes.iter().filter(|v| m.params().veto.vetoers.contains(v)).count();
                    let open = p.status == ProposalStatus::Pending && now < p.expires_at;
                    let outcome = m.cancel_vetoed(p, now);
                    prop_assert_eq!(outcome.is_ok(), open && votes >= threshold_before as usize, "{:?}", outcome);
                },
                Op::Wait(ms) => now += ms,
                Op::Propose(o, k) => {
                    let action = if k == 0 { call(PAY, 0) } else { call(UNPAUSE, 0) };
                    if let Ok(p) = m.propose(who(o), action, None, hash(proposals.len() as u8), now) {
                        if let Some(prev) = proposals.last() {
                            prop_assert!(p.nonce > prev.nonce);
                        }
                        prop_assert!(m.nonce() > last_nonce, "a proposal must bump the nonce");
                        proposals.push(p);
                    }
                }
                Op::Membership(kind, a, t) => {
                    let change = match kind {
                        0 => ConfigChange::AddOwner(acct(a + 1)),
                        1 => ConfigChange::RemoveOwner { owner: acct(a + 1), new_threshold: u32::from(t) },
                        2 => ConfigChange::SwapOwner { old: acct(a + 1), new: acct(t + 1) },
                        _ => ConfigChange::SetThreshold(u32::from(t)),
                    };
                    if let Ok(p) = m.propose(who(0), Action::Config(change), None, hash(proposals.len() as u8), now) {
                        proposals.push(p);
                    }
                }
                Op::Approve(o, i) => if let Some(p) = proposals.get_mut(i) {
                    let h = p.call_hash;
                    let _ = m.approve(p, who(o), &h, now);
                },
                Op::Revoke(o, i) => if let Some(p) = proposals.get_mut(i) {
                    let _ = m.revoke(p, who(o), now);
                },
                Op::Execute(i, succeeded) => if let Some(p) = proposals.get_mut(i) {
                    let approvals = m.valid_approvals(p);
                    let threshold = m.params().threshold as usize;
                    let was_pending = p.status == ProposalStatus::Pending;
                    let votes = p.vetoes.iter().filter(|v| m.params().veto.vetoers.contains(v)).count();
                    if let Ok(outcome) = m.execute(p, None, now) {
                        prop_assert!(was_pending);
                        prop_assert!(votes < threshold_before as usize, "executed with {} vetoes against a threshold of {}", votes, threshold_before);
                        prop_assert!(m.nonce() > last_nonce || matches!(outcome, Execution::Call(_)), "an execution must bump the nonce");
                        prop_assert!(now >= p.eta, "executed before its timelock");
                        prop_assert!(now < p.expires_at, "executed after expiry");
                        prop_assert!(approvals >= threshold, "executed with {} of {} approvals", approvals, threshold);
                        if let Execution::Call(_) = outcome {
                            prop_assert_eq!(p.status, ProposalStatus::Pending, "a call counts only once it succeeded");
                            if succeeded {
                                m.finish_call(p, true).unwrap();
                            } else {
                                prop_assert_eq!(m.finish_call(p, false), Err(MultisigError::CallFailed));
                                prop_assert_eq!(p.status, ProposalStatus::Pending, "a failed call was recorded as executed");
                                prop_assert_eq!(m.nonce(), last_nonce, "a failed call bumped the nonce");
                            }
                        }
                        prop_assert!(p.status == ProposalStatus::Executed || !succeeded);
                    }
                },
            }
            let rose = m.veto_threshold() > threshold_before;
            if rose {
                prop_assert_eq!(m.veto_threshold(), threshold_before + 1, "the veto threshold rose by more than one");
                prop_assert!(
                    last_rise.is_none_or(|t| now >= t + m.params().timelocks.critical_ms),
                    "the veto threshold rose twice within a Critical timelock"
                );
                last_rise = Some(now);
            } else if m.veto_threshold() < threshold_before {
                last_rise = None;
            }
            let owners = m.params().owners.len();
            let threshold = m.params().threshold as usize;
            prop_assert!(1 <= threshold && threshold <= owners, "threshold {} of {} owners", threshold, owners);
            prop_assert!(m.nonce() >= last_nonce);
            last_nonce = m.nonce();
        }
    }
}

proptest! {
    /// Issue 21 item 10, searched over strategies: whatever Critical
    /// timelocks the owners propose, in any order, a breaker whose bond
    /// window outlasted the Critical timelock still outlasts it after every
    /// change the bond check lets through (safety), and a change that does
    /// not lengthen it is never refused (liveness: the owners can always
    /// shorten their timelock, whatever the breaker's window).
    #[test]
    fn no_sequence_of_timelock_changes_lets_a_bonded_trip_go_unjudged(
        settle in HOUR + 1..=3 * DAY,
        proposed in proptest::collection::vec(HOUR..=3 * DAY, 1..12),
    ) {
        let entry = |message| AllowedCall { target: BREAKER, selector: least_selector(message), class: OperationClass::Critical };
        let guard = GuardPolicy { allow_list: alloc::vec![entry("settle_trip"), entry("unpause")], ..params().guard.unwrap() };
        let policy = BondPolicy { min_bond: 1, settle_within_ms: settle };
        // Start from a state that keeps the rule (the deploy tool and the breaker ensure it).
        let mut critical = HOUR;
        for n in proposed {
            let timelocks = Timelocks { critical_ms: critical, ..params().timelocks };
            let m = Multisig::new(MultisigParams { guard: Some(guard.clone()), timelocks, ..params() }).unwrap();
            let change = ConfigChange::SetTimelocks(Timelocks { critical_ms: n, ..params().timelocks });
            let allowed = match m.bond_check(&change).unwrap() {
                Some(check) => check.verify(&policy).is_ok(),
                None => true,
            };
            if n <= critical {
                prop_assert!(allowed, "shortening {critical} to {n} refused");
            }
            if allowed {
                critical = n;
            }
            prop_assert!(settle > critical, "window {settle} no longer outlasts Critical {critical}");
        }
    }
}

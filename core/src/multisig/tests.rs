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
        veto: VetoParams { vetoers: alloc::vec![V1, V2, V3], base_threshold: 1, max_threshold: 3 },
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
    let mut p = m.propose(A, call(UNPAUSE, 0), hash(1), 0).unwrap();
    assert_eq!(p.class, OperationClass::Critical, "the guard, not the proposer, picks the class");
    assert_eq!((p.eta, p.expires_at), (DAY, 8 * DAY));
    assert_eq!(m.execute(&mut p, DAY), Err(MultisigError::NotEnoughApprovals), "one approval of two");
    m.approve(&mut p, B, &hash(1), 1).unwrap();
    assert_eq!(m.execute(&mut p, DAY - 1), Err(MultisigError::TimelockNotPassed));
    let nonce = m.nonce();
    assert_eq!(
        m.execute(&mut p, DAY),
        Ok(Execution::Call(CallSpec { target: BREAKER, selector: UNPAUSE, input: alloc::vec![1, 2], value: 0 }))
    );
    assert!(m.nonce() > nonce);
    assert_eq!(m.execute(&mut p, DAY), Err(MultisigError::Reentrancy), "call still in flight");
    m.finish_call(&p).unwrap();
    assert_eq!(m.execute(&mut p, DAY), Err(MultisigError::AlreadyExecuted), "no replay");
}

#[test]
fn expired_proposals_cannot_execute_or_be_approved() {
    let mut m = Multisig::new(params()).unwrap();
    let mut p = m.propose(A, call(PAY, 10), hash(2), 0).unwrap();
    m.approve(&mut p, B, &hash(2), 0).unwrap();
    let end = HOUR + 7 * DAY;
    assert_eq!(m.execute(&mut p.clone(), end), Err(MultisigError::Expired));
    assert_eq!(m.approve(&mut p, C, &hash(2), end), Err(MultisigError::Expired));
    assert!(m.execute(&mut p, end - 1).is_ok());
}

#[test]
fn approvals_check_owner_hash_and_duplicates() {
    let mut m = Multisig::new(params()).unwrap();
    assert_eq!(m.propose(OUTSIDER, call(PAY, 0), hash(3), 0), Err(MultisigError::NotOwner));
    let mut p = m.propose(A, call(PAY, 0), hash(3), 0).unwrap();
    assert_eq!(m.approve(&mut p, OUTSIDER, &hash(3), 0), Err(MultisigError::NotOwner));
    assert_eq!(m.approve(&mut p, B, &hash(4), 0), Err(MultisigError::CallHashMismatch));
    assert_eq!(m.approve(&mut p, A, &hash(3), 0), Err(MultisigError::AlreadyApproved));
    m.approve(&mut p, B, &hash(3), 0).unwrap();
    m.revoke(&mut p, B, 0).unwrap();
    assert_eq!(m.revoke(&mut p, B, 0), Err(MultisigError::NotApproved));
    assert_eq!(m.execute(&mut p, HOUR), Err(MultisigError::NotEnoughApprovals));
}

#[test]
fn guard_enforces_allow_list_and_value_caps() {
    let mut m = Multisig::new(params()).unwrap();
    assert_eq!(m.propose(A, call([9; 4], 0), hash(5), 0), Err(MultisigError::NotAllowedByGuard));
    assert_eq!(m.propose(A, call(PAY, 1_001), hash(5), 0), Err(MultisigError::ValueCapExceeded));
    assert_eq!(m.propose(A, call(UNPAUSE, 1), hash(5), 0), Err(MultisigError::ValueCapExceeded));
    let long =
        Action::Call(CallSpec { target: BREAKER, selector: PAY, input: alloc::vec![0; MAX_INPUT_LEN + 1], value: 0 });
    assert_eq!(m.propose(A, long, hash(5), 0), Err(MultisigError::InputTooLong));
}

#[test]
fn guard_removal_is_policy_class_and_then_calls_are_critical() {
    let mut m = Multisig::new(params()).unwrap();
    let mut p = m.propose(A, Action::Config(ConfigChange::RemoveGuard), hash(6), 0).unwrap();
    assert_eq!(p.class, OperationClass::Policy);
    m.approve(&mut p, B, &hash(6), 0).unwrap();
    assert_eq!(m.execute(&mut p, 3 * DAY - 1), Err(MultisigError::TimelockNotPassed));
    assert_eq!(m.execute(&mut p, 3 * DAY), Ok(Execution::Configured));
    let q = m.propose(A, call([9; 4], 5_000), hash(7), 3 * DAY).unwrap();
    assert_eq!(q.class, OperationClass::Critical);
}

#[test]
fn a_call_whose_class_got_stricter_waits_the_new_timelock() {
    let mut m = Multisig::new(params()).unwrap();
    let mut pay = m.propose(A, call(PAY, 0), hash(8), 0).unwrap();
    m.approve(&mut pay, B, &hash(8), 0).unwrap();
    // Meanwhile the guard reclassifies PAY as Critical.
    let mut g = params().guard.unwrap();
    g.allow_list[1].class = OperationClass::Critical;
    g.critical_value_cap = 1_000;
    let mut set = m.propose(A, Action::Config(ConfigChange::SetGuard(g)), hash(9), 0).unwrap();
    m.approve(&mut set, B, &hash(9), 0).unwrap();
    m.execute(&mut set, 3 * DAY).unwrap();
    // PAY was made at 0 and waited 3 days >= 1 day: allowed. A fresh one must wait a day.
    assert!(m.execute(&mut pay, 3 * DAY).is_ok());
    m.finish_call(&pay).unwrap();
    let mut fresh = m.propose(A, call(PAY, 0), hash(10), 3 * DAY).unwrap();
    m.approve(&mut fresh, C, &hash(10), 3 * DAY).unwrap();
    assert_eq!(m.execute(&mut fresh, 3 * DAY + HOUR), Err(MultisigError::TimelockNotPassed));
}

#[test]
fn veto_threshold_rises_with_each_cancel_and_resets_on_execution() {
    let mut m = Multisig::new(params()).unwrap();
    assert_eq!(
        m.veto(&mut m.clone().propose(A, call(PAY, 0), hash(1), 0).unwrap(), OUTSIDER, 0),
        Err(MultisigError::NotVetoer)
    );
    let mut p1 = m.propose(A, call(PAY, 0), hash(1), 0).unwrap();
    assert_eq!(m.veto(&mut p1, V1, 0), Ok(true), "first cancel needs one vetoer");
    assert_eq!(p1.status, ProposalStatus::Cancelled);
    assert_eq!(m.execute(&mut p1, HOUR), Err(MultisigError::Cancelled));
    let mut p2 = m.propose(A, call(PAY, 0), hash(2), 0).unwrap();
    assert_eq!(m.veto(&mut p2, V1, 0), Ok(false), "second cancel needs two");
    assert_eq!(m.veto(&mut p2, V1, 0), Err(MultisigError::AlreadyVetoed));
    assert_eq!(m.veto(&mut p2, V2, 0), Ok(true));
    assert_eq!(m.veto_threshold(), 3);
    let mut p3 = m.propose(A, call(PAY, 0), hash(3), 0).unwrap();
    m.veto(&mut p3, V1, 0).unwrap();
    m.veto(&mut p3, V2, 0).unwrap();
    m.veto(&mut p3, V3, 0).unwrap();
    assert_eq!(m.veto_threshold(), 3, "capped at max_threshold");
    let mut ok = m.propose(A, call(PAY, 0), hash(4), 0).unwrap();
    m.approve(&mut ok, B, &hash(4), 0).unwrap();
    m.execute(&mut ok, HOUR).unwrap();
    assert_eq!(m.veto_threshold(), 1, "reset by an execution");
}

#[test]
fn owner_rotation_and_threshold_changes() {
    let mut m = Multisig::new(params()).unwrap();
    let run = |m: &mut Multisig, change: ConfigChange, h: u8| -> Result<Execution, MultisigError> {
        let mut p = m.propose(A, Action::Config(change), hash(h), 0)?;
        m.approve(&mut p, B, &hash(h), 0)?;
        m.execute(&mut p, 3 * DAY)
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
    let mut pay = m.propose(A, call(PAY, 0), hash(1), 0).unwrap();
    m.approve(&mut pay, C, &hash(1), 0).unwrap();
    let mut rm =
        m.propose(A, Action::Config(ConfigChange::RemoveOwner { owner: C, new_threshold: 2 }), hash(2), 0).unwrap();
    m.approve(&mut rm, B, &hash(2), 0).unwrap();
    m.execute(&mut rm, 2 * DAY).unwrap();
    assert_eq!(m.execute(&mut pay, 2 * DAY), Err(MultisigError::NotEnoughApprovals));
}

#[test]
fn timelock_changes_are_policy_class_and_must_keep_policy_longest() {
    let mut m = Multisig::new(params()).unwrap();
    let shorter = Timelocks { standard_ms: 0, critical_ms: 0, membership_ms: 0, policy_ms: 0 };
    let mut p = m.propose(A, Action::Config(ConfigChange::SetTimelocks(shorter)), hash(1), 0).unwrap();
    assert_eq!(p.eta, 3 * DAY, "lowering delays waits the longest delay in force");
    m.approve(&mut p, B, &hash(1), 0).unwrap();
    m.execute(&mut p, 3 * DAY).unwrap();
    let bad = Timelocks { standard_ms: 0, critical_ms: DAY, membership_ms: 0, policy_ms: HOUR };
    assert_eq!(
        m.propose(A, Action::Config(ConfigChange::SetTimelocks(bad)), hash(2), 0),
        Err(MultisigError::InvalidParams(ParamError::PolicyTimelock))
    );
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
        (|p| p.veto.max_threshold = 4, ParamError::VetoThreshold),
        (|p| p.timelocks.membership_ms = 0, ParamError::MembershipTimelock),
        (|p| p.timelocks.policy_ms = DAY, ParamError::PolicyTimelock),
        (|p| p.execution_window_ms = 0, ParamError::Expiry),
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

/// One step of a random multisig history.
#[derive(Clone, Debug)]
enum Op {
    Wait(u64),
    Propose(u8, u8),
    Approve(u8, usize),
    Revoke(u8, usize),
    Execute(usize),
    Membership(u8, u8, u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2 * DAY).prop_map(Op::Wait),
        2 => (0u8..5, 0u8..2).prop_map(|(o, k)| Op::Propose(o, k)),
        4 => (0u8..5, 0usize..8).prop_map(|(o, i)| Op::Approve(o, i)),
        1 => (0u8..5, 0usize..8).prop_map(|(o, i)| Op::Revoke(o, i)),
        3 => (0usize..8).prop_map(Op::Execute),
        2 => (0u8..4, 0u8..6, 0u8..6).prop_map(|(k, a, t)| Op::Membership(k, a, t)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Nonces strictly increase; 1 <= threshold <= owners; a proposal never
    /// executes before its timelock, at or after its expiry, or without
    /// threshold approvals from current owners.
    #[test]
    fn multisig_invariants(ops in proptest::collection::vec(op(), 1..120)) {
        let mut m = Multisig::new(params()).unwrap();
        let mut proposals: alloc::vec::Vec<Proposal> = alloc::vec::Vec::new();
        let mut now = 0u64;
        let mut last_nonce = m.nonce();
        let who = |i: u8| if i < 4 { acct(i + 1) } else { OUTSIDER };
        for op in ops {
            match op {
                Op::Wait(ms) => now += ms,
                Op::Propose(o, k) => {
                    let action = if k == 0 { call(PAY, 0) } else { call(UNPAUSE, 0) };
                    if let Ok(p) = m.propose(who(o), action, hash(proposals.len() as u8), now) {
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
                    if let Ok(p) = m.propose(who(0), Action::Config(change), hash(proposals.len() as u8), now) {
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
                Op::Execute(i) => if let Some(p) = proposals.get_mut(i) {
                    let approvals = m.valid_approvals(p);
                    let threshold = m.params().threshold as usize;
                    let was_pending = p.status == ProposalStatus::Pending;
                    if let Ok(outcome) = m.execute(p, now) {
                        prop_assert!(was_pending);
                        prop_assert!(m.nonce() > last_nonce, "an execution must bump the nonce");
                        prop_assert!(now >= p.eta, "executed before its timelock");
                        prop_assert!(now < p.expires_at, "executed after expiry");
                        prop_assert!(approvals >= threshold, "executed with {} of {} approvals", approvals, threshold);
                        if let Execution::Call(_) = outcome {
                            m.finish_call(p).unwrap();
                        }
                    }
                },
            }
            let owners = m.params().owners.len();
            let threshold = m.params().threshold as usize;
            prop_assert!(1 <= threshold && threshold <= owners, "threshold {} of {} owners", threshold, owners);
            prop_assert!(m.nonce() >= last_nonce);
            last_nonce = m.nonce();
        }
    }
}

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
    let mut p2 = m.propose(A, call(PAY, 0), None, hash(2), 0).unwrap();
    assert_eq!(m.veto(&mut p2, V1, 0), Ok(false), "second cancel needs two");
    assert_eq!(m.veto(&mut p2, V1, 0), Err(MultisigError::AlreadyVetoed));
    assert_eq!(m.veto(&mut p2, V2, 0), Ok(true));
    assert_eq!(m.veto_threshold(), 3);
    let mut p3 = m.propose(A, call(PAY, 0), None, hash(3), 0).unwrap();
    m.veto(&mut p3, V1, 0).unwrap();
    m.veto(&mut p3, V2, 0).unwrap();
    assert_eq!(m.veto(&mut p3, V3, 0), Ok(true));
    assert_eq!(m.veto_threshold(), 4, "above the veto set: no more cancels");
    let mut p4 = m.propose(A, call(PAY, 0), None, hash(5), 0).unwrap();
    for v in [V1, V2, V3] {
        assert_eq!(m.veto(&mut p4, v, 0), Ok(false), "an exhausted veto set cancels nothing");
    }
    let mut ok = m.propose(A, call(PAY, 0), None, hash(4), 0).unwrap();
    m.approve(&mut ok, B, &hash(4), 0).unwrap();
    m.execute(&mut ok, None, HOUR).unwrap();
    m.finish_call(&mut ok, true).unwrap();
    assert_eq!(m.veto_threshold(), 1, "reset by an execution");
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
    /// Per attempt: whether an unrelated ready proposal is executed first.
    unrelated_first: alloc::vec::Vec<bool>,
}

fn capture_history() -> impl Strategy<Value = CaptureHistory> {
    (any::<[bool; 3]>(), proptest::collection::vec(any::<bool>(), 8))
        .prop_map(|(captured, unrelated_first)| CaptureHistory { captured, unrelated_first })
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
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2 * DAY).prop_map(Op::Wait),
        2 => (0u8..5, 0u8..2).prop_map(|(o, k)| Op::Propose(o, k)),
        4 => (0u8..5, 0usize..8).prop_map(|(o, i)| Op::Approve(o, i)),
        1 => (0u8..5, 0usize..8).prop_map(|(o, i)| Op::Revoke(o, i)),
        3 => (0usize..8, any::<bool>()).prop_map(|(i, ok)| Op::Execute(i, ok)),
        2 => (0u8..4, 0u8..6, 0u8..6).prop_map(|(k, a, t)| Op::Membership(k, a, t)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Liveness: whatever subset of the veto set is captured, and whatever
    /// the captured vetoers execute in between, the owners replace the
    /// veto set within `n − base + 2` attempts. Captured vetoers veto every
    /// attempt; honest ones never do.
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
        let vetoers = [V1, V2, V3];
        let replacement = VetoParams { vetoers: alloc::vec![acct(60)], base_threshold: 1, max_threshold: 2 };
        let bound = 3 - base as usize + 2;
        let mut now = 0;
        let mut removed = false;
        for (attempt, &unrelated_first) in h.unrelated_first.iter().enumerate().take(bound) {
            if unrelated_first {
                let mut u = m.propose(A, call(PAY, 0), None, hash(100 + attempt as u8), now).unwrap();
                let uh = u.call_hash;
                m.approve(&mut u, B, &uh, now).unwrap();
                m.execute(&mut u, None, now + HOUR).unwrap();
                m.finish_call(&mut u, true).unwrap();
                now += HOUR;
            }
            let action = Action::Config(ConfigChange::SetVeto(replacement.clone()));
            let mut r = m.propose(A, action, None, hash(attempt as u8), now).unwrap();
            m.approve(&mut r, B, &hash(attempt as u8), now).unwrap();
            for (v, captured) in vetoers.iter().zip(h.captured) {
                if captured {
                    let _ = m.veto(&mut r, *v, now);
                }
            }
            now += 3 * DAY;
            if r.status == ProposalStatus::Pending {
                prop_assert_eq!(m.execute(&mut r, None, now), Ok(Execution::Configured));
                removed = true;
                break;
            }
        }
        prop_assert!(removed, "the veto set survived {} attempts", bound);
        prop_assert_eq!(&m.params().veto, &replacement);
    }

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
                    if let Ok(outcome) = m.execute(p, None, now) {
                        prop_assert!(was_pending);
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
            let owners = m.params().owners.len();
            let threshold = m.params().threshold as usize;
            prop_assert!(1 <= threshold && threshold <= owners, "threshold {} of {} owners", threshold, owners);
            prop_assert!(m.nonce() >= last_nonce);
            last_nonce = m.nonce();
        }
    }
}

use super::*;
use crate::error::{assert_each_rejected, ParamCase};
use proptest::prelude::*;

const DAY: u64 = 24 * 3_600_000;
const ALICE: AccountId = [1; 32];

fn params() -> FundParams {
    FundParams {
        virtual_shares: 1_000_000,
        exit_cooldown_ms: 10 * DAY,
        exit_window_ms: 2 * DAY,
        solvency_target_bps: 2_000,
        min_capital: 0,
        claim_cap_per_event: 500_000,
        reinsurance: None,
    }
}

fn fund_with(assets: Balance) -> (InsuranceFund, Balance) {
    let mut f = InsuranceFund::new(params()).unwrap();
    let shares = f.deposit(assets).unwrap();
    (f, shares)
}

#[test]
fn shares_track_value() {
    let (mut f, s1) = fund_with(1_000_000);
    assert_eq!(s1, 1_000_000 * 1_000_000, "first deposit mints at the virtual price");
    f.add_premium(100_000).unwrap();
    let s2 = f.deposit(1_100_000).unwrap();
    // After the premium a share is worth 10% more, so 1.1M mints what 1M did.
    assert!(s2.abs_diff(s1) <= s1 / 1_000_000, "{s2} vs {s1}");
    assert!(f.preview_redeem(s1).unwrap() >= 1_099_999);
    assert_eq!(f.deposit(0), Err(FundError::ZeroAmount));
}

#[test]
fn first_depositor_inflation_attack_does_not_pay() {
    let mut f = InsuranceFund::new(params()).unwrap();
    let attacker = f.deposit(1).unwrap();
    f.add_premium(1_000_000).unwrap(); // donation to inflate the share price
    let victim = f.deposit(1_000_000).unwrap();
    assert!(victim > 0);
    let victim_value = f.preview_redeem(victim).unwrap();
    let attacker_value = f.preview_redeem(attacker).unwrap();
    assert!(victim_value >= 999_000, "victim keeps at least 99.9%: {victim_value}");
    assert!(attacker_value < 1_000_001, "the attacker loses on the round trip: {attacker_value}");
}

#[test]
fn exit_waits_cooldown_and_pays_the_lower_value() {
    let (mut f, s) = fund_with(1_000_000);
    let req = f.request_exit(s, s / 2, 0).unwrap();
    assert_eq!(req.value_at_request, 500_000);
    assert_eq!(f.request_exit(s, s + 1, 0), Err(FundError::InsufficientShares));
    assert_eq!(f.complete_exit(&req, 10 * DAY - 1, false), Err(FundError::CooldownActive));
    // Gains after the request are forgone.
    f.add_premium(1_000_000).unwrap();
    let out = f.complete_exit(&req, 10 * DAY, false).unwrap();
    assert_eq!(out.paid, 500_000);
    assert!(out.withheld >= 499_999);
    assert_eq!(f.total_assets(), 1_500_000);
    assert_eq!(f.total_shares(), s - s / 2);
}

#[test]
fn exit_bears_losses_after_the_request() {
    let (mut f, s) = fund_with(1_000_000);
    let req = f.request_exit(s, s / 2, 0).unwrap();
    let mut c = f.file_claim(ALICE, 400_000, 1).unwrap();
    f.approve_claim(&mut c).unwrap();
    f.pay_claim(&mut c).unwrap();
    let out = f.complete_exit(&req, 10 * DAY, false).unwrap();
    assert_eq!(out.paid, 300_000, "half the shares of a 600k pool");
}

#[test]
fn exits_blocked_while_halted_expired_or_below_target() {
    let (mut f, s) = fund_with(1_000_000);
    let req = f.request_exit(s, s / 2, 0).unwrap();
    assert_eq!(f.complete_exit(&req, 10 * DAY, true), Err(FundError::BreakerHalted));
    assert_eq!(f.complete_exit(&req, 12 * DAY, false), Err(FundError::ExitExpired));
    assert_eq!(f.expire_exit(&req, 12 * DAY - 1), Err(FundError::ExitStillOpen));
    assert_eq!(f.expire_exit(&req, 12 * DAY), Ok(s / 2));
    // 20% of 3M cover = 600k required: paying 500k would leave 500k.
    f.set_active_cover(3_000_000);
    assert_eq!(f.required_capital(), 600_000);
    let req = f.request_exit(s, s / 2, 0).unwrap();
    assert_eq!(f.complete_exit(&req, 10 * DAY, false), Err(FundError::BelowSolvencyTarget));
    f.set_active_cover(2_500_000);
    assert!(f.complete_exit(&req, 10 * DAY, false).is_ok());
}

#[test]
fn filed_claims_are_reserved_against_a_run() {
    let (mut f, s) = fund_with(1_000_000);
    let req = f.request_exit(s, s, 0).unwrap();
    let _c = f.file_claim(ALICE, 300_000, 1).unwrap();
    assert_eq!(f.reserved(), 300_000);
    assert_eq!(f.complete_exit(&req, 10 * DAY, false), Err(FundError::BelowSolvencyTarget));
}

#[test]
fn claims_are_capped_reinsured_and_need_approval() {
    let mut p = params();
    p.reinsurance = Some(ReinsuranceLayer { attachment: 400_000, limit: 1_000_000 });
    let mut f = InsuranceFund::new(p).unwrap();
    f.deposit(2_000_000).unwrap();
    let mut c = f.file_claim(ALICE, 2_000_000, 0).unwrap();
    assert_eq!((c.ceded, c.retained), (1_000_000, 500_000), "1M ceded; 1M retained capped at 500k");
    assert_eq!(f.pay_claim(&mut c), Err(FundError::ClaimNotApproved));
    f.approve_claim(&mut c).unwrap();
    assert_eq!(f.approve_claim(&mut c), Err(FundError::ClaimNotFiled));
    assert_eq!(f.pay_claim(&mut c).unwrap(), Payout { paid: 500_000, withheld: 0 });
    assert_eq!(f.pay_claim(&mut c), Err(FundError::ClaimNotApproved), "no double payment");
    let mut r = f.file_claim(ALICE, 10, 0).unwrap();
    f.reject_claim(&mut r).unwrap();
    assert_eq!(f.reserved(), 0);
    assert_eq!(f.file_claim(ALICE, 0, 0), Err(FundError::ZeroAmount));
}

#[test]
fn short_pool_pays_pro_rata_in_any_order() {
    let (mut f, _) = fund_with(600_000);
    let mut a = f.file_claim(ALICE, 400_000, 0).unwrap();
    let mut b = f.file_claim([2; 32], 400_000, 0).unwrap();
    f.approve_claim(&mut a).unwrap();
    f.approve_claim(&mut b).unwrap();
    let pa = f.pay_claim(&mut a).unwrap();
    let pb = f.pay_claim(&mut b).unwrap();
    assert_eq!(pa, Payout { paid: 300_000, withheld: 100_000 });
    assert_eq!(pb, Payout { paid: 300_000, withheld: 100_000 });
    assert_eq!(f.total_assets(), 0);
}

#[test]
fn every_bad_parameter_is_named() {
    let cases: &[ParamCase<FundParams>] = &[
        (|p| p.virtual_shares = 0, ParamError::VirtualShares),
        (|p| p.exit_cooldown_ms = 0, ParamError::ExitCooldown),
        (|p| p.exit_window_ms = 0, ParamError::ExitWindow),
        (|p| p.solvency_target_bps = MAX_SOLVENCY_TARGET_BPS + 1, ParamError::SolvencyTarget),
        (|p| p.claim_cap_per_event = 0, ParamError::ClaimCap),
        (|p| p.reinsurance = Some(ReinsuranceLayer { attachment: 1, limit: 0 }), ParamError::ReinsuranceLayer),
    ];
    assert_each_rejected(&params(), cases, |p| match InsuranceFund::new(p.clone()) {
        Err(FundError::InvalidParams(e)) => Err(e),
        _ => Ok(()),
    });
}

/// One step of a random fund history with three holders.
#[derive(Clone, Debug)]
enum Op {
    Wait(u64),
    Deposit(usize, Balance),
    Premium(Balance),
    RequestExit(usize, u8),
    CompleteExit(usize, bool),
    ExpireExit(usize),
    FileClaim(Balance),
    ApproveClaim(usize),
    RejectClaim(usize),
    PayClaim(usize),
    Cover(Balance),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..5 * DAY).prop_map(Op::Wait),
        3 => (0usize..3, 0u128..2_000_000).prop_map(|(h, a)| Op::Deposit(h, a)),
        1 => (0u128..200_000).prop_map(Op::Premium),
        2 => (0usize..3, 1u8..=100).prop_map(|(h, pct)| Op::RequestExit(h, pct)),
        2 => (0usize..3, any::<bool>()).prop_map(|(h, halted)| Op::CompleteExit(h, halted)),
        1 => (0usize..3).prop_map(Op::ExpireExit),
        1 => (0u128..1_500_000).prop_map(Op::FileClaim),
        1 => (0usize..6).prop_map(Op::ApproveClaim),
        1 => (0usize..6).prop_map(Op::RejectClaim),
        1 => (0usize..6).prop_map(Op::PayClaim),
        1 => (0u128..5_000_000).prop_map(Op::Cover),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Assets are exactly inflows minus outflows (never negative, nothing
    /// created or lost), shares held plus shares locked equal total shares,
    /// and no exit pays more than its shares are worth or were worth.
    #[test]
    fn fund_conserves_assets_and_shares(ops in proptest::collection::vec(op(), 1..200)) {
        let mut p = params();
        p.reinsurance = Some(ReinsuranceLayer { attachment: 800_000, limit: 300_000 });
        let mut f = InsuranceFund::new(p).unwrap();
        let mut free = [0u128; 3];
        let mut exits: [Option<ExitRequest>; 3] = [None, None, None];
        let mut claims: alloc::vec::Vec<Claim> = alloc::vec::Vec::new();
        let (mut inflow, mut outflow) = (0u128, 0u128);
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Wait(ms) => now += ms,
                Op::Deposit(h, a) => if let Ok(s) = f.deposit(a) { free[h] += s; inflow += a; },
                Op::Premium(a) => if f.add_premium(a).is_ok() { inflow += a; },
                Op::RequestExit(h, pct) => if exits[h].is_none() {
                    if let Ok(r) = f.request_exit(free[h], free[h] * u128::from(pct) / 100, now) {
                        free[h] -= r.shares;
                        exits[h] = Some(r);
                    }
                },
                Op::CompleteExit(h, halted) => if let Some(r) = exits[h].clone() {
                    let worth = f.preview_redeem(r.shares).unwrap();
                    match f.complete_exit(&r, now, halted) {
                        Ok(out) => {
                            prop_assert!(!halted, "exit paid while the breaker was halted");
                            prop_assert!(out.paid <= worth && out.paid <= r.value_at_request);
                            prop_assert!(f.total_assets() >= f.required_capital().saturating_add(f.reserved()));
                            outflow += out.paid;
                            exits[h] = None;
                        }
                        Err(e) => prop_assert_ne!(e, FundError::Overflow),
                    }
                },
                Op::ExpireExit(h) => if let Some(r) = exits[h].clone() {
                    if let Ok(back) = f.expire_exit(&r, now) { free[h] += back; exits[h] = None; }
                },
                Op::FileClaim(loss) => if let Ok(c) = f.file_claim(ALICE, loss, now) {
                    prop_assert!(c.retained + c.ceded <= c.loss && c.retained <= 500_000 && c.ceded <= 300_000);
                    claims.push(c);
                },
                Op::ApproveClaim(i) => if let Some(c) = claims.get_mut(i) { let _ = f.approve_claim(c); },
                Op::RejectClaim(i) => if let Some(c) = claims.get_mut(i) { let _ = f.reject_claim(c); },
                Op::PayClaim(i) => if let Some(c) = claims.get_mut(i) {
                    let before = f.total_assets();
                    if let Ok(out) = f.pay_claim(c) {
                        prop_assert!(out.paid <= before && out.paid <= c.retained);
                        outflow += out.paid;
                    }
                },
                Op::Cover(c) => f.set_active_cover(c),
            }
            prop_assert_eq!(f.total_assets(), inflow - outflow, "assets drifted from flows");
            let held: Balance = free.iter().sum::<Balance>() + exits.iter().flatten().map(|r| r.shares).sum::<Balance>();
            prop_assert_eq!(held, f.total_shares(), "shares not conserved");
            let open: Balance = claims.iter().filter(|c| matches!(c.status, ClaimStatus::Filed | ClaimStatus::Approved)).map(|c| c.retained).sum();
            prop_assert_eq!(open, f.reserved());
        }
    }
}

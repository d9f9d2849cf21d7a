//! Griefing: an actor that recycles its own capital (withdraw, deposit it
//! back, repeat) ends with what it started with, so whatever it makes the
//! breaker do, it does for free. These tests search its strategies on a
//! protocol of 100,000,000 value units with two assets, with the example
//! parameters (`check::breaker_params`), while honest users of both assets
//! withdraw and deposit every minute and are served first.
//!
//! What must hold (issue 20, item 1): the recycler never raises the level,
//! so it never halts the other asset's users nor blocks the fund's exits.
//! Two rules make that so: windows count *net* outflow (a deposit that
//! stays is credited back), so recycled capital is counted once; and a
//! window whose limit is below `min_escalating_limit` (here the small
//! asset's 1 h floor) rate-limits without escalating.

use super::*;
use crate::check::{breaker_params, EXAMPLE_UNITS as UNITS, ONE};
use proptest::prelude::*;

const SEL: Selector = [0; 4];
const MINUTE: u64 = 60_000;
const BIG: usize = 0;
const SMALL: usize = 1;
/// 99.95M + 50k value units at a price of 1.0 (one base unit is one value unit).
const TVL: [Balance; 2] = [99_950_000, 50_000];
/// What honest users of each asset withdraw, and deposit, every minute.
const HONEST_FLOW: [Balance; 2] = [1_000, 10];

struct Protocol {
    cb: CircuitBreaker,
    assets: [AssetFlow; 2],
    now: Timestamp,
    /// Honest withdrawals refused, per asset.
    honest_refused: [u32; 2],
}

impl Protocol {
    fn new(params: BreakerParams) -> Self {
        let mut cb = CircuitBreaker::new(params).unwrap();
        let mut assets = TVL.map(|tvl| cb.new_asset(UNITS, tvl).unwrap());
        for a in assets.iter_mut() {
            cb.report_price(a, ONE, 0).unwrap();
        }
        Self { cb, assets, now: 0, honest_refused: [0; 2] }
    }

    fn id(i: usize) -> AssetId {
        AssetId::try_from(i).unwrap()
    }

    fn withdraw(&mut self, i: usize, amount: Balance) -> bool {
        amount > 0 && self.cb.check_outflow(Self::id(i), &mut self.assets[i], SEL, amount, self.now).is_allowed()
    }

    fn deposit(&mut self, i: usize, amount: Balance) {
        self.cb.record_inflow(&mut self.assets[i], amount, self.now).unwrap();
    }

    fn available(&self, i: usize) -> Balance {
        self.cb.available_outflow(Self::id(i), &self.assets[i], SEL, self.now)
    }

    fn unsaturating(&self, i: usize) -> Balance {
        self.cb.unsaturating_outflow(Self::id(i), &self.assets[i], SEL, self.now)
    }

    /// The start of a minute: the oracle reports, then honest users of both
    /// assets withdraw and deposit their flow.
    fn minute(&mut self, minute: u64) {
        self.now = minute * MINUTE;
        for i in [BIG, SMALL] {
            self.cb.report_price(&mut self.assets[i], ONE, self.now).unwrap();
            if !self.withdraw(i, HONEST_FLOW[i]) {
                self.honest_refused[i] += 1;
            }
            self.deposit(i, HONEST_FLOW[i]);
        }
    }
}

/// The recycler's capital, per asset: inside the protocol, and outside.
#[derive(Clone, Copy, Debug, Default)]
struct Recycler {
    inside: [Balance; 2],
    outside: [Balance; 2],
}

/// One move of the recycler within a minute.
#[derive(Clone, Copy, Debug)]
enum Move {
    /// Withdraw all `available_outflow` shows (as far as its capital goes).
    TakeAvailable,
    /// Withdraw all `unsaturating_outflow` shows.
    TakeUnsaturating,
    /// Withdraw this share (bps) of its capital inside.
    Take(u32),
    /// Deposit this share (bps) of its capital outside.
    Return(u32),
}

impl Recycler {
    fn play(&mut self, p: &mut Protocol, i: usize, m: Move) {
        let want = match m {
            Move::TakeAvailable => p.available(i),
            Move::TakeUnsaturating => p.unsaturating(i),
            Move::Take(bps) => self.inside[i] * Balance::from(bps) / 10_000,
            Move::Return(bps) => {
                let back = self.outside[i] * Balance::from(bps) / 10_000;
                if back > 0 {
                    p.deposit(i, back);
                    self.outside[i] -= back;
                    self.inside[i] += back;
                }
                return;
            }
        };
        let amount = want.min(self.inside[i]);
        if p.withdraw(i, amount) {
            self.inside[i] -= amount;
            self.outside[i] += amount;
        }
    }
}

/// The review's loop, minute by minute for `hours`: whenever the breaker is
/// not halted, the recycler withdraws what `available_outflow` shows of the
/// small asset and deposits it straight back. Returns the minutes Halted,
/// the minutes the fund's exits were blocked, and the honest withdrawals
/// refused per asset.
fn review_loop(params: BreakerParams, capital: Balance, hours: u64) -> (u64, u64, [u32; 2]) {
    let mut p = Protocol::new(params);
    let mut r = Recycler::default();
    r.inside[SMALL] = capital;
    let (mut halted, mut exits_blocked) = (0, 0);
    for minute in 1..=hours * 60 {
        p.minute(minute);
        if p.cb.level(p.now) == Level::Halted {
            halted += 1;
        }
        if p.cb.blocks_exits(p.now) {
            exits_blocked += 1;
        }
        if p.cb.level(p.now) != Level::Halted {
            r.play(&mut p, SMALL, Move::TakeAvailable);
            r.play(&mut p, SMALL, Move::Return(10_000));
        }
    }
    assert_eq!(r.inside[SMALL] + r.outside[SMALL], capital, "the recycler ends with its capital");
    (halted, exits_blocked, p.honest_refused)
}

/// Issue 20, item 1, as the review measured it: 72 h of the loop with 5,000
/// units of the small asset. On 269b1af the breaker was Halted 99.6% of the
/// minutes and the fund's exits blocked as long; the bar is under 5%, with
/// the big asset's users unaffected. Now it is never raised at all.
#[test]
fn the_reviews_recycler_keeps_nothing_halted() {
    let hours = 72;
    let (halted, exits_blocked, refused) = review_loop(breaker_params(), 5_000, hours);
    let share = |m: u64| m as f64 / (hours * 60) as f64;
    println!(
        "72 h recycler of 5,000: halted {:.2}%, exits blocked {:.2}%, honest refusals {refused:?}",
        100.0 * share(halted),
        100.0 * share(exits_blocked)
    );
    assert!(share(halted) < 0.05, "halted {halted} of {} minutes", hours * 60);
    assert!(share(exits_blocked) < 0.05, "exits blocked {exits_blocked} of {} minutes", hours * 60);
    assert_eq!(refused[BIG], 0, "the big asset's honest users were refused");
    assert_eq!((halted, exits_blocked), (0, 0), "the recycler raised the level");
}

/// The rule's other half is still there: the same loop run by a holder of a
/// real share of the *big* asset, withdrawing and holding it, saturates a
/// window that escalates. Net counting does not blind the breaker to value
/// that left and stays out.
#[test]
fn a_real_outflow_of_the_big_asset_still_escalates() {
    let mut p = Protocol::new(breaker_params());
    p.minute(1);
    let limit = p.available(BIG);
    assert!(limit > 900_000, "1% of the big asset per hour, plus the buffer: {limit}");
    assert!(p.withdraw(BIG, limit));
    assert_eq!(p.cb.level(p.now), Level::Throttled);
}

fn strategy() -> impl Strategy<Value = (Balance, u32, Vec<(u64, bool, Move)>)> {
    let moves = prop_oneof![
        Just(Move::TakeAvailable),
        Just(Move::TakeUnsaturating),
        (1u32..=10_000).prop_map(Move::Take),
        (1u32..=10_000).prop_map(Move::Return),
    ];
    (
        // Capital: up to the review's 5,000 units.
        1u128..=5_000,
        // Share of it held in the small asset, in bps.
        0u32..=10_000,
        proptest::collection::vec((0u64..=45, any::<bool>(), moves), 1..120),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Fairness and liveness against a search over recyclers: whatever it
    /// withdraws and deposits back, in either asset, at whatever times, an
    /// actor with up to 5,000 units never raises the level from Normal,
    /// never blocks the fund's exits, and every honest withdrawal of the
    /// big asset is served. (On 269b1af a single `TakeAvailable` on the
    /// small asset throttled the whole breaker.)
    #[test]
    fn a_recycler_never_raises_the_level((capital, small_bps, moves) in strategy()) {
        let mut p = Protocol::new(breaker_params());
        let mut r = Recycler::default();
        r.inside[SMALL] = capital * Balance::from(small_bps) / 10_000;
        r.inside[BIG] = capital - r.inside[SMALL];
        let mut minute = 0;
        for (wait, small, m) in moves {
            for _ in 0..wait.max(1) {
                minute += 1;
                p.minute(minute);
                prop_assert_eq!(p.cb.level(p.now), Level::Normal, "raised by minute {}", minute);
                prop_assert!(!p.cb.blocks_exits(p.now));
            }
            r.play(&mut p, if small { SMALL } else { BIG }, m);
            prop_assert_eq!(p.cb.level(p.now), Level::Normal, "{:?} raised the level at minute {}", m, minute);
        }
        prop_assert_eq!(p.honest_refused[BIG], 0, "honest users of the big asset were refused");
        let held: Balance = r.inside.iter().chain(&r.outside).sum();
        prop_assert_eq!(held, capital, "the recycler only moves its own capital");
    }
}

/// Issue 20, item 5, measured (not fixed): a drainer that takes
/// `unsaturating_outflow` every minute for 24 h, while honest users deposit
/// 40 bps of TVL an hour, never escalates and leaves with the daily window
/// plus everyone else's deposits: net counting lets any withdrawer take
/// deposits that stayed as well as those still in the buffer. What it
/// takes is bounded by the daily limit plus the day's deposits (checked),
/// and no more; per-depositor credit, which would bound it by the daily
/// limit plus the drainer's own deposits, is not built yet.
#[test]
fn a_drainer_takes_at_most_the_daily_limit_plus_the_days_deposits() {
    let params = breaker_params();
    let tvl: Balance = 100_000_000;
    let mut cb = CircuitBreaker::new(params.clone()).unwrap();
    let mut a = cb.new_asset(UNITS, tvl).unwrap();
    cb.report_price(&mut a, ONE, 0).unwrap();
    let deposit_per_minute = tvl * 40 / 10_000 / 60;
    let (mut drained, mut deposited) = (0, 0);
    for minute in 1..=24 * 60 {
        let now = minute * MINUTE;
        cb.report_price(&mut a, ONE, now).unwrap();
        cb.record_inflow(&mut a, deposit_per_minute, now).unwrap();
        deposited += deposit_per_minute;
        let take = cb.unsaturating_outflow(0, &a, SEL, now);
        if take > 0 {
            assert!(cb.check_outflow(0, &mut a, SEL, take, now).is_allowed());
            drained += take;
        }
        assert_eq!(cb.level(now), Level::Normal, "the careful drainer escalated at minute {minute}");
    }
    let daily_limit = tvl * Balance::from(params.limiter.windows[1].max_bps_of_tvl) / 10_000;
    println!(
        "24 h drain: {drained} = {:.2}x the daily limit {daily_limit}; deposits {deposited}",
        drained as f64 / daily_limit as f64
    );
    assert!(drained <= daily_limit + deposited, "{drained} > {daily_limit} + {deposited}");
}

#!/usr/bin/env python3
"""A numpy reference model for `bulwark-sim bench`: the throughput yardstick.

The same path as the bench's reference scenario, vectorized over paths the
way a quant would write it in numpy: 288 five-minute steps of one asset
under jump-GBM (Gaussian diffusion plus Merton jumps), legitimate flows with
panic selling into drawdowns, a price band that halts on a deviation from a
reference that follows in-band prices, and an outflow limiter with a 1 h and
a 24 h rolling window kept in 5-minute and 1-hour buckets, whose outflows
first draw on a buffer of recent inflows that decays over an hour.

It is deliberately simpler than bulwark-core (an exponentially decaying
inflow buffer instead of tranches, no staged levels, no price smoothing,
floating point instead of token units), so the comparison flatters numpy. It prints paths per CPU-second, one thread (numpy's
element-wise kernels are single-threaded), as JSON.

    python3 simulator/benches/reference_model.py [--paths N] [--batch B]
"""

import argparse
import json
import math
import time

import numpy as np

STEP_MINUTES = 5
STEPS = 24 * 60 // STEP_MINUTES  # 288
# The bench's reference market: `calm`'s vol with `bull_2017`'s jumps, one asset.
VOL, DRIFT = 0.45, 0.0
JUMPS_PER_YEAR, JUMP_MEAN, JUMP_SD = 24.0, 0.0, 0.08
# Protocol and limiter inputs, as bulwark-sim's defaults and middle knobs.
TVL = 100e6
FLOW_BPS_PER_HOUR, PANIC_BPS_PER_PCT = 40.0, 2.0
HOURLY_SHARE, DAILY_SHARE, BAND = 0.02, 0.10, 0.25
INFLOW_DECAY_MINUTES = 60.0


def run_batch(rng, paths):
    dt = STEP_MINUTES / (365.0 * 24.0 * 60.0)
    dt_h = STEP_MINUTES / 60.0
    drift = (DRIFT - 0.5 * VOL * VOL) * dt
    vol = VOL * math.sqrt(dt)
    jump_p = JUMPS_PER_YEAR * dt
    flow_sd = FLOW_BPS_PER_HOUR / 1e4 * math.sqrt(dt_h)
    panic = PANIC_BPS_PER_PCT / 1e4 * dt_h

    log_ret = np.zeros(paths)
    reference = np.ones(paths)
    halted = np.zeros(paths, dtype=bool)
    tvl = np.full(paths, TVL)
    hour = np.zeros((12, paths))  # 5-minute buckets of the 1 h window
    day = np.zeros((24, paths))  # 1-hour buckets of the 24 h window
    used_h = np.zeros(paths)
    used_d = np.zeros(paths)
    buffer = np.zeros(paths)
    keep = math.exp(-STEP_MINUTES / INFLOW_DECAY_MINUTES)
    refused = np.zeros(paths)
    halted_steps = np.zeros(paths)
    for step in range(STEPS):
        # Market: diffusion plus a jump with probability λ·dt.
        z = rng.standard_normal(paths)
        jumps = rng.random(paths) < jump_p
        jump = np.where(jumps, JUMP_MEAN + JUMP_SD * rng.standard_normal(paths), 0.0)
        log_ret += drift + vol * z + jump
        price = np.exp(log_ret)
        # Price band around a reference that follows in-band prices.
        dev = np.abs(price / reference - 1.0)
        inside = dev <= BAND
        halted |= ~inside
        reference = np.where(inside, price, reference)
        # Legitimate flows, panic selling into drawdowns.
        zf = rng.standard_normal(paths)
        drawdown_pct = np.maximum(0.0, 1.0 - price) * 100.0
        net = tvl * (flow_sd * zf - panic * drawdown_pct)
        out = np.maximum(-net, 0.0)
        inflow = np.maximum(net, 0.0)
        # Outflows draw on recent inflows first; only the rest counts against the windows.
        buffer = buffer * keep + inflow
        drawn = np.minimum(buffer, out)
        counted = out - drawn
        # Roll the windows: the oldest bucket leaves each window's sum.
        hb = step % 12
        used_h -= hour[hb]
        hour[hb] = 0.0
        if step % 12 == 0:
            db = (step // 12) % 24
            used_d -= day[db]
            day[db] = 0.0
        ok = ~halted & (used_h + counted <= HOURLY_SHARE * tvl) & (used_d + counted <= DAILY_SHARE * tvl)
        paid = np.where(ok, out, 0.0)
        charged = np.where(ok, counted, 0.0)
        buffer -= np.where(ok, drawn, 0.0)
        hour[hb] += charged
        day[(step // 12) % 24] += charged
        used_h += charged
        used_d += charged
        refused += (out > 0) & ~ok
        halted_steps += halted
        tvl += inflow - paid
    return float(refused.sum()), float(halted_steps.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=20260312)
    a = ap.parse_args()
    if a.paths < 1 or a.batch < 1:
        ap.error("--paths and --batch must be at least 1")
    rng = np.random.default_rng(a.seed)
    run_batch(rng, min(a.batch, 1_000))  # warm-up
    start = time.process_time()
    done, refused, halted = 0, 0.0, 0.0
    while done < a.paths:
        n = min(a.batch, a.paths - done)
        r, h = run_batch(rng, n)
        refused += r
        halted += h
        done += n
    cpu = time.process_time() - start
    print(
        json.dumps(
            {
                "model": "numpy jump-GBM + price band + two-window outflow limiter",
                "numpy": np.__version__,
                "paths": done,
                "steps": STEPS,
                "cpu_seconds": cpu,
                "paths_per_cpu_second": done / cpu,
                # Printed so the work cannot be optimized away, and as a sanity check.
                "refused_outflows_per_path": refused / done,
                "halted_share": halted / (done * STEPS),
            }
        )
    )


if __name__ == "__main__":
    main()

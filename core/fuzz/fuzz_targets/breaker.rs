//! Arbitrary breaker operation sequences against bulwark-core's invariants.
#![no_main]

use bulwark_core::check::{breaker, BreakerOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<BreakerOp>| {
    if let Err(violation) = breaker(&ops) {
        panic!("invariant violated: {violation}");
    }
});

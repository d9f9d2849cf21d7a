//! Arbitrary fund operation sequences against bulwark-core's invariants.
#![no_main]

use bulwark_core::check::{fund, FundOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<FundOp>| {
    if let Err(violation) = fund(&ops) {
        panic!("invariant violated: {violation}");
    }
});

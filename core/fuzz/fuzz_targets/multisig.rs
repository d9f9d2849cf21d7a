//! Arbitrary multisig operation sequences against bulwark-core's invariants.
#![no_main]

use bulwark_core::check::{multisig, MultisigOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|ops: Vec<MultisigOp>| {
    if let Err(violation) = multisig(&ops) {
        panic!("invariant violated: {violation}");
    }
});

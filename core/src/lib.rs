//! # bulwark-core
//!
//! Bulwark's three security mechanisms as pure state machines. Every rule of
//! the project lives here once: the ink! contracts are thin shells that store
//! these types and call these functions, and the simulator attacks this very
//! code. Nothing here does I/O, reads a clock or panics on input: time is
//! passed in, and every fallible operation returns a specific error.
//!
//! - [`breaker`]: outflow limiter by value with rolling windows, an elastic
//!   inflow buffer, a price-deviation band, staged levels and pause scopes.
//! - [`multisig`]: M-of-N proposals with per-class timelocks, expiry, a veto
//!   set whose threshold rises with each cancel, and a guard policy.
//! - [`fund`]: an insurance pool with virtual shares, exit cooldowns, a
//!   solvency target, capped and pro-rata claims and an excess-of-loss layer.
//!
//! - [`units`]: how an asset's amounts and prices are written on chain, and
//!   the one conversion from token amounts to value.
//!
//! Features: `std` (default) adds serde derives; `codec` adds SCALE and
//! `scale-info` derives for on-chain storage; `check` adds the invariant
//! harnesses the fuzz targets drive. Without default features the crate is
//! `no_std` + `alloc`.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
// parity-scale-codec's derives cast variant indices with `as u8`. The
// workspace build enables `codec` (bulwark-deploy uses the contracts), so
// that lint is checked on the build without it (test.sh's `-p bulwark-core
// --features check` clippy run), where it covers all of core's own code.
#![cfg_attr(all(feature = "codec", not(test)), allow(clippy::cast_possible_truncation))]

extern crate alloc;

pub mod breaker;
#[cfg(any(test, feature = "check"))]
pub mod check;
pub mod error;
pub mod fund;
pub mod hex;
pub mod math;
pub mod multisig;
pub mod types;
pub mod units;

pub use error::ParamError;
pub use types::{AccountId, AssetId, Balance, Bps, Selector, Timestamp};

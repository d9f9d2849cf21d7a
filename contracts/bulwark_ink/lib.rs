//! The ink! 6 glue the three Bulwark contracts share (pallet-revive / PolkaVM).
//!
//! bulwark-core knows nothing of ink!: it counts accounts in 32 bytes, value
//! in the chain's native units (`u128`) and time in milliseconds. ink! 6 on
//! pallet-revive hands a contract 20-byte addresses, values in the chain's
//! Ethereum view (`U256`, 18 decimals) and block timestamps in seconds. Each
//! of those three conversions is written once, in [`convert`]; the contracts
//! call nothing else to cross between the two worlds.
//!
//! - [`BulwarkEnv`]: the chain's environment (its `NATIVE_TO_ETH_RATIO`).
//! - [`convert`]: accounts, value and time.
//! - [`store`]: core values in storage, split into cells pallet-revive accepts.
//! - [`abi`]: how a core value crosses a message or event, in both ABIs.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod abi;
pub mod convert;
pub mod store;

pub use abi::{Core, SolView};
pub use convert::{account, address, deposit_limit, eth_value, native_value, now_ms, ValueError};
pub use store::Chunks;

use ink::env::{DefaultEnvironment, Environment};

/// The environment of the chain the contracts run on: ink!'s default but for
/// `NATIVE_TO_ETH_RATIO`, which must equal the runtime's
/// `pallet_revive::Config::NativeToEthRatio`. revive-dev-runtime (the chain
/// Bulwark is tested on) sets `type NativeToEthRatio = ConstU32<1_000_000>`
/// (revive-dev-runtime 0.12.0, src/lib.rs:366): its native token has 12
/// decimals and the Ethereum view 18. ink!'s default is 10^8 (a 10-decimal
/// token), which would misprice every value by a factor of 100 here. Another
/// chain needs its own ratio here and a rebuild; cargo-contract writes it
/// into the metadata (`nativeToEthRatio`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(TypeInfo)]
pub enum BulwarkEnv {}

impl Environment for BulwarkEnv {
    const NATIVE_TO_ETH_RATIO: u32 = 1_000_000;
    const TRUST_BACKED_ASSETS_PRECOMPILE_INDEX: u16 =
        <DefaultEnvironment as Environment>::TRUST_BACKED_ASSETS_PRECOMPILE_INDEX;
    const POOL_ASSETS_PRECOMPILE_INDEX: u16 = <DefaultEnvironment as Environment>::POOL_ASSETS_PRECOMPILE_INDEX;

    type AccountId = <DefaultEnvironment as Environment>::AccountId;
    type Balance = <DefaultEnvironment as Environment>::Balance;
    type Hash = <DefaultEnvironment as Environment>::Hash;
    type Timestamp = <DefaultEnvironment as Environment>::Timestamp;
    type BlockNumber = <DefaultEnvironment as Environment>::BlockNumber;
    type EventRecord = <DefaultEnvironment as Environment>::EventRecord;
}

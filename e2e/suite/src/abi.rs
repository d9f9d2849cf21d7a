//! The messages and events the scenarios use beyond those bulwark-deploy
//! declares (`bulwark_deploy::revive::abi`), and the protected vault's,
//! all through the contracts' ink! ABI: selector, then SCALE arguments
//! (core values are `T` itself, `Core<T>` being SCALE-transparent).
//! [`crate::metadata`] checks every declaration here against the release
//! builds' metadata, as bulwark-deploy's own test checks its declarations.

use bulwark_core::breaker::{BondPolicy, BondedTrip, Decision, PriceVerdict, TripId};
use bulwark_core::fund::{ClaimId, ExitRequest, Payout};
use bulwark_core::multisig::Timelocks;
use bulwark_core::{AssetId, Balance};
use bulwark_deploy::revive::abi::{breaker as b, fund as f, multisig as m, Declared, ValueError};
use bulwark_deploy::revive::H160;
use scale::{Decode, Encode};
use scale_info::TypeInfo;

/// circuit_breaker messages bulwark-deploy does not declare.
pub mod breaker {
    use super::*;
    bulwark_deploy::declare_messages! {
        "circuit_breaker", declared;
        fn trip() -> b::Result<()>;
        /// Payable: the bond (native units).
        fn trip_with_bond() -> b::Result<TripId>;
        fn settle_trip(id: TripId, confirmed: bool) -> b::Result<()>;
        fn release_bond(id: TripId) -> b::Result<()>;
        fn pending_trip(id: TripId) -> Option<BondedTrip>;
        fn bond_policy() -> BondPolicy;
    }
}

/// insurance_fund messages bulwark-deploy does not declare.
pub mod fund {
    use super::*;
    bulwark_deploy::declare_messages! {
        "insurance_fund", declared;
        fn request_exit(shares: Balance) -> f::Result<ExitRequest>;
        fn complete_exit() -> f::Result<Payout>;
        fn retry_cession(id: ClaimId) -> f::Result<()>;
        fn shares_of(who: H160) -> Balance;
        fn exit_of(who: H160) -> Option<ExitRequest>;
        fn preview_redeem(shares: Balance) -> f::Result<Balance>;
        fn total_shares() -> Balance;
    }
}

/// multisig_guard messages bulwark-deploy does not declare.
pub mod multisig {
    use super::*;
    bulwark_deploy::declare_messages! {
        "multisig_guard", declared;
        fn nonce() -> m::Result<u64>;
        fn timelocks() -> m::Result<Timelocks>;
    }
}

/// protected_vault (e2e/protected_vault), all of it.
pub mod vault {
    use super::*;

    /// The selector the vault reports to the breaker for withdrawals.
    pub const WITHDRAW: [u8; 4] = *b"wdrw";

    /// The vault's errors. `Breaker` and `Fund` hold the callee's custom
    /// error as the vault decoded it from the Solidity ABI; its variants
    /// are the contract's own, so their SCALE form is the contract's error.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Error {
        InsufficientBalance,
        NotOwner,
        Breaker(b::Error),
        Fund(f::Error),
        CallFailed,
        TransferFailed,
        Value(ValueError),
    }

    pub type Result<T> = core::result::Result<T, Error>;

    /// The constructor's input.
    pub fn new(breaker: H160, fund: H160, asset: AssetId) -> Vec<u8> {
        bulwark_deploy::revive::abi::constructor((breaker, fund, asset))
    }

    pub fn declared_constructor() -> Declared {
        Declared {
            contract: "protected_vault",
            kind: "constructors",
            name: "new",
            args: vec![
                ("breaker", scale_info::MetaType::new::<H160>()),
                ("fund", scale_info::MetaType::new::<H160>()),
                ("asset", scale_info::MetaType::new::<AssetId>()),
            ],
            returns: scale_info::MetaType::new::<core::result::Result<(), bulwark_deploy::revive::abi::LangError>>(),
        }
    }

    bulwark_deploy::declare_messages! {
        "protected_vault", declared;
        /// Payable: the deposit (native units).
        fn deposit() -> Result<()>;
        fn withdraw(amount: Balance) -> Result<Decision>;
        fn file_claim(loss: Balance) -> Result<ClaimId>;
        fn reenter(multisig: H160, id: u64) -> Result<()>;
        fn burn_gas_as_reinsurer() -> Result<()>;
        fn balance_of(who: H160) -> Balance;
    }
}

/// The events are decoded as bulwark-deploy's are.
pub use bulwark_deploy::revive::abi::events::Event;

/// The events the scenarios read (every field in SCALE, in declaration
/// order): bulwark-deploy's, and those it does not declare. Each is checked
/// against the contract's metadata (bulwark-deploy's by its own test).
pub mod events {
    use super::*;
    pub use bulwark_deploy::revive::abi::events::{
        CessionFailed, ClaimFiled, ClaimPaid, Executed, OutflowChecked, Paused, Proposed, Unpaused,
    };

    bulwark_deploy::declare_events! {
        "circuit_breaker" PriceReported { asset: AssetId, price: Balance, verdict: PriceVerdict }
        "circuit_breaker" Tripped { by: H160, bond: Balance, trip: Option<TripId> }
        "circuit_breaker" TripSettled { trip: TripId, by: H160, bond: Balance, confirmed: bool }
        "circuit_breaker" BondReleased { trip: TripId, by: H160, bond: Balance }
        "insurance_fund" PremiumAdded { from: H160, amount: Balance }
        "insurance_fund" Exited { who: H160, shares: Balance, paid: Balance, withheld: Balance }
        "protected_vault" Deposited { who: H160, amount: Balance }
        "protected_vault" Withdrawn { who: H160, amount: Balance, decision: Decision }
    }
}

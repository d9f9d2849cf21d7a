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
use bulwark_deploy::chain::Message;
use bulwark_deploy::revive::abi::{breaker as b, fund as f, message, multisig as m, ValueError};
use bulwark_deploy::revive::H160;
use scale::{Decode, Encode};
use scale_info::TypeInfo;

/// One declared message or constructor, for the metadata check.
pub struct Declared {
    pub contract: &'static str,
    pub kind: &'static str,
    pub name: &'static str,
    pub args: Vec<(&'static str, scale_info::MetaType)>,
    /// `Result<R, LangError>`, as ink! wraps every return value.
    pub returns: scale_info::MetaType,
}

/// Declares messages of `$contract`: one function each, and the list of
/// declarations.
macro_rules! messages {
    ($contract:literal, $decls:ident; $(
        $(#[$doc:meta])*
        fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty;
    )*) => {
        $(
            $(#[$doc])*
            pub fn $name($($arg: $ty),*) -> Message<$ret> {
                message(stringify!($name), ($($arg,)*))
            }
        )*

        pub fn $decls() -> Vec<$crate::abi::Declared> {
            vec![$($crate::abi::Declared {
                contract: $contract,
                kind: "messages",
                name: stringify!($name),
                args: vec![$((stringify!($arg), scale_info::MetaType::new::<$ty>())),*],
                returns: scale_info::MetaType::new::<
                    core::result::Result<$ret, bulwark_deploy::revive::abi::LangError>,
                >(),
            }),*]
        }
    };
}

/// circuit_breaker messages bulwark-deploy does not declare.
pub mod breaker {
    use super::*;
    messages! {
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
    messages! {
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
    messages! {
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

    messages! {
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

/// An ink!-ABI event of `CONTRACT` named `NAME` in its metadata.
pub trait Event: Decode {
    const CONTRACT: &'static str;
    const NAME: &'static str;
}

/// The events the scenarios read (every field in SCALE, in declaration
/// order). Each is checked against the contract's metadata.
pub mod events {
    use super::*;
    use bulwark_core::breaker::Level;
    use bulwark_core::multisig::{Action, OperationClass, ProposalId};

    macro_rules! events {
        ($($contract:literal $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {
            $(
                #[derive(Clone, Debug, PartialEq, Eq, Decode, TypeInfo)]
                pub struct $name { $(pub $field: $ty),* }
                impl Event for $name {
                    const CONTRACT: &'static str = $contract;
                    const NAME: &'static str = stringify!($name);
                }
            )*

            /// `(contract, event, fields)` of every event declared here.
            pub fn declared() -> Vec<(&'static str, &'static str, Vec<(&'static str, scale_info::MetaType)>)> {
                vec![$(($contract, stringify!($name), vec![$((stringify!($field), scale_info::MetaType::new::<$ty>())),*])),*]
            }
        };
    }

    events! {
        "circuit_breaker" OutflowChecked { asset: AssetId, account: H160, amount: Balance, decision: Decision, level: Level }
        "circuit_breaker" PriceReported { asset: AssetId, price: Balance, verdict: PriceVerdict }
        "circuit_breaker" Paused { scope: bulwark_core::breaker::PauseScope, by: H160 }
        "circuit_breaker" Unpaused { scope: bulwark_core::breaker::PauseScope }
        "circuit_breaker" Tripped { by: H160, bond: Balance, trip: Option<TripId> }
        "circuit_breaker" TripSettled { trip: TripId, by: H160, bond: Balance, confirmed: bool }
        "circuit_breaker" BondReleased { trip: TripId, by: H160, bond: Balance }
        "multisig_guard" Proposed {
            id: ProposalId, proposer: H160, class: OperationClass, action: Action,
            predecessor: Option<ProposalId>, call_hash: [u8; 32], eta: u64, expires_at: u64,
        }
        "multisig_guard" Executed { id: ProposalId, output: Vec<u8> }
        "insurance_fund" PremiumAdded { from: H160, amount: Balance }
        "insurance_fund" Exited { who: H160, shares: Balance, paid: Balance, withheld: Balance }
        "insurance_fund" ClaimFiled { id: ClaimId, claimant: H160, loss: Balance, retained: Balance, ceded: Balance }
        "insurance_fund" CessionFailed { id: ClaimId, ceded: Balance }
        "insurance_fund" ClaimPaid { id: ClaimId, claimant: H160, paid: Balance, haircut: Balance }
        "protected_vault" Deposited { who: H160, amount: Balance }
        "protected_vault" Withdrawn { who: H160, amount: Balance, decision: Decision }
    }
}

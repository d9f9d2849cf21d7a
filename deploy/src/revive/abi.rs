//! The ink! 6 shells' messages through their ink! ABI: the selector (the
//! first four bytes of blake2_256 of the message's name, as ink! computes
//! it) followed by the SCALE encoding of the arguments, which are the
//! bulwark-core structs themselves (`Core<T>` in the contracts is exactly
//! `T` in SCALE) and the few shell types mirrored here (roles, errors).
//!
//! Why not the contracts' own builders: the shells are compiled with
//! `--cfg ink_abi="all"` (contracts/.cargo/config.toml), which ink!'s
//! codegen reads at its own compile time, so a native build from this
//! workspace would generate another ABI than the one deployed; and the
//! contracts have their own workspace, toolchain and lock file.
//!
//! Instead every message is declared once below with its argument and
//! return types, and `metadata_tests` compares each declaration with the
//! release build's metadata (contracts/target/ink/<name>/<name>.json):
//! the selector, the argument names, and the SCALE shape of every argument
//! and return type, field by field.

use super::H160;
use crate::chain::Message;
use crate::contracts::selector;
use bulwark_core::breaker::{
    AccountFlow, AssetFlow, AssetUnits, BondError, BreakerError, BreakerParams, Decision, Level, PauseScope,
    PauseScopes, PriceVerdict,
};
use bulwark_core::fund::{Claim, ClaimId, FundError, FundParams, Payout};
use bulwark_core::multisig::{Action, MultisigError, MultisigParams, Proposal, ProposalId};
use bulwark_core::{AssetId, Balance};
use scale::{Decode, Encode};
pub use scale_info::MetaType;
use scale_info::TypeInfo;
use std::marker::PhantomData;

/// An encoded message: its selector, then its arguments in SCALE.
pub fn message<Args: Encode, R>(name: &str, args: Args) -> Message<R> {
    let mut input = selector(name).to_vec();
    args.encode_to(&mut input);
    Message { input, _returns: PhantomData }
}

/// A constructor's input: `new`'s selector, then its arguments.
pub fn constructor<Args: Encode>(args: Args) -> Vec<u8> {
    message::<Args, ()>("new", args).input
}

/// How bulwark_ink refuses a value that is not a whole number of native units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum ValueError {
    NotWholeNativeUnits,
    TooLarge,
}

/// ink!'s `LangError`: the contract could not read the message itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum LangError {
    #[codec(index = 1)]
    CouldNotReadInput,
}

/// One declared message or constructor, for the metadata checks (this
/// crate's tests and the e2e suite's).
pub struct Declared {
    pub contract: &'static str,
    /// `"messages"` or `"constructors"`, as the metadata's `spec` names them.
    pub kind: &'static str,
    pub name: &'static str,
    pub args: Vec<(&'static str, MetaType)>,
    /// `Result<R, LangError>`, as ink! wraps every message's and
    /// constructor's return value.
    pub returns: MetaType,
}

/// What the exported macros below name through `$crate`, so that a crate
/// using them needs no imports of its own.
#[doc(hidden)]
pub mod macro_support {
    pub use scale::Decode;
    pub use scale_info::TypeInfo;
}

/// Declares messages of `$contract`: one function each, returning the
/// encoded [`Message`], and `$decls()`, their declarations for the
/// metadata checks. Exported: the e2e suite declares the messages it uses
/// beyond this crate's with it.
#[macro_export]
macro_rules! declare_messages {
    ($contract:literal, $decls:ident; $(
        $(#[$doc:meta])*
        fn $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty;
    )*) => {
        $(
            $(#[$doc])*
            pub fn $name($($arg: $ty),*) -> $crate::chain::Message<$ret> {
                $crate::revive::abi::message(stringify!($name), ($($arg,)*))
            }
        )*

        /// The declarations of the messages above.
        pub fn $decls() -> ::std::vec::Vec<$crate::revive::abi::Declared> {
            vec![$($crate::revive::abi::Declared {
                contract: $contract,
                kind: "messages",
                name: stringify!($name),
                args: vec![$((stringify!($arg), $crate::revive::abi::MetaType::new::<$ty>())),*],
                returns: $crate::revive::abi::MetaType::new::<
                    ::core::result::Result<$ret, $crate::revive::abi::LangError>,
                >(),
            }),*]
        }
    };
}

/// circuit_breaker (contracts/circuit_breaker).
pub mod breaker {
    use super::*;

    /// The shell's roles: addresses are H160.
    #[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub struct BreakerRoles {
        pub admin: H160,
        pub oracle: H160,
        pub protected: H160,
        pub guardians: Vec<H160>,
        pub insurance_fund: H160,
        pub min_bond: Balance,
        pub bond_settle_within_ms: u64,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Error {
        NotAdmin,
        NotOracle,
        NotProtected,
        NotGuardian,
        UnknownAsset,
        AssetExists,
        Breaker(BreakerError),
        Bond(BondError),
        UnknownTrip,
        TransferFailed,
        FundCallFailed,
        AdminTimelockUnknown,
        Value(ValueError),
    }

    pub type Result<T> = core::result::Result<T, Error>;

    /// The constructor's input.
    pub fn new(params: BreakerParams, roles: BreakerRoles) -> Vec<u8> {
        constructor((params, roles))
    }

    #[cfg(test)]
    pub fn declared_constructor() -> Declared {
        Declared {
            contract: "circuit_breaker",
            kind: "constructors",
            name: "new",
            args: vec![
                ("params", scale_info::MetaType::new::<BreakerParams>()),
                ("roles", scale_info::MetaType::new::<BreakerRoles>()),
            ],
            returns: scale_info::MetaType::new::<core::result::Result<Result<()>, LangError>>(),
        }
    }

    crate::declare_messages! {
        "circuit_breaker", declared;
        fn register_asset(asset: AssetId, units: AssetUnits, initial_tvl: Balance, price: Balance) -> Result<()>;
        fn check_outflow(asset: AssetId, account: H160, selector: [u8; 4], amount: Balance) -> Result<Decision>;
        fn record_inflow(asset: AssetId, account: H160, amount: Balance) -> Result<()>;
        fn report_price(asset: AssetId, price: Balance) -> Result<PriceVerdict>;
        fn pause(scope: PauseScope) -> Result<()>;
        fn unpause(scope: PauseScope) -> Result<()>;
        fn reset() -> Result<()>;
        fn set_roles(roles: BreakerRoles) -> Result<()>;
        fn level() -> Level;
        fn blocks_exits() -> bool;
        fn available_outflow(asset: AssetId, account: H160, selector: [u8; 4]) -> Result<Balance>;
        fn account_flow(asset: AssetId, account: H160) -> AccountFlow;
        fn asset_flow(asset: AssetId) -> Result<AssetFlow>;
        fn params() -> BreakerParams;
        fn pauses() -> PauseScopes;
        fn roles() -> BreakerRoles;
    }
}

/// insurance_fund (contracts/insurance_fund).
pub mod fund {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub struct FundRoles {
        pub admin: H160,
        pub breaker: Option<H160>,
        pub reinsurer: Option<H160>,
        pub covered: Vec<H160>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Error {
        NotAdmin,
        NotCovered,
        Fund(FundError),
        UnknownClaim,
        TransferFailed,
        BreakerCallFailed,
        ReinsurerCallFailed,
        Value(ValueError),
    }

    pub type Result<T> = core::result::Result<T, Error>;

    pub fn new(params: FundParams, roles: FundRoles) -> Vec<u8> {
        constructor((params, roles))
    }

    #[cfg(test)]
    pub fn declared_constructor() -> Declared {
        Declared {
            contract: "insurance_fund",
            kind: "constructors",
            name: "new",
            args: vec![
                ("params", scale_info::MetaType::new::<FundParams>()),
                ("roles", scale_info::MetaType::new::<FundRoles>()),
            ],
            returns: scale_info::MetaType::new::<core::result::Result<Result<()>, LangError>>(),
        }
    }

    crate::declare_messages! {
        "insurance_fund", declared;
        /// Payable: the value sent (native units) is the deposit.
        fn deposit() -> Result<Balance>;
        fn file_claim(loss: Balance, claimant: H160) -> Result<ClaimId>;
        fn approve_claim(id: ClaimId) -> Result<()>;
        fn pay_claim(id: ClaimId) -> Result<Payout>;
        fn raise_active_cover(cover: Balance) -> Result<()>;
        fn lower_active_cover(cover: Balance) -> Result<()>;
        fn set_roles(roles: FundRoles) -> Result<()>;
        fn claim(id: ClaimId) -> Option<Claim>;
        fn total_assets() -> Balance;
        fn active_cover() -> Balance;
        fn params() -> FundParams;
        fn roles() -> FundRoles;
    }
}

/// multisig_guard (contracts/multisig_guard).
pub mod multisig {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub enum Error {
        Multisig(MultisigError),
        UnknownProposal,
        Uninitialized,
        TargetNotContract,
        BreakerQueryFailed,
    }

    pub type Result<T> = core::result::Result<T, Error>;

    pub fn new(params: MultisigParams) -> Vec<u8> {
        constructor((params,))
    }

    #[cfg(test)]
    pub fn declared_constructor() -> Declared {
        Declared {
            contract: "multisig_guard",
            kind: "constructors",
            name: "new",
            args: vec![("params", scale_info::MetaType::new::<MultisigParams>())],
            returns: scale_info::MetaType::new::<core::result::Result<Result<()>, LangError>>(),
        }
    }

    crate::declare_messages! {
        "multisig_guard", declared;
        fn propose(action: Action, predecessor: Option<ProposalId>) -> Result<ProposalId>;
        fn approve(id: ProposalId, call_hash: [u8; 32]) -> Result<()>;
        fn execute(id: ProposalId) -> Result<Vec<u8>>;
        fn proposal(id: ProposalId) -> Option<Proposal>;
        fn params() -> Result<MultisigParams>;
    }
}

/// Declares ink!-ABI events, `"contract" Name { field: Type, ... }` (every
/// field in SCALE, in declaration order): a struct each that decodes the
/// event's data and names it ([`events::Event`]), and `declared()`, their
/// fields for the metadata checks. Exported: the e2e suite declares the
/// events it reads with it.
#[macro_export]
macro_rules! declare_events {
    ($($contract:literal $name:ident { $($field:ident : $ty:ty),* $(,)? })*) => {
        $(
            #[derive(
                Clone, Debug, PartialEq, Eq,
                $crate::revive::abi::macro_support::Decode, $crate::revive::abi::macro_support::TypeInfo,
            )]
            pub struct $name { $(pub $field: $ty),* }
            impl $crate::revive::abi::events::Event for $name {
                const CONTRACT: &'static str = $contract;
                const NAME: &'static str = stringify!($name);
            }
        )*

        /// `(contract, event, fields)` of every event declared here.
        #[allow(clippy::type_complexity)]
        pub fn declared(
        ) -> ::std::vec::Vec<(&'static str, &'static str, ::std::vec::Vec<(&'static str, $crate::revive::abi::MetaType)>)> {
            vec![$(($contract, stringify!($name), vec![$((stringify!($field), $crate::revive::abi::MetaType::new::<$ty>())),*])),*]
        }
    };
}

/// The contract events the scenarios read, as the shells emit them through
/// the ink! ABI (every field in SCALE, in declaration order). Under
/// `abi = "all"` each event is emitted twice, once per ABI; the ink! one
/// carries the signature topic of the contract's metadata ([`EventTopics`]).
pub mod events {
    use super::*;
    use bulwark_core::multisig::OperationClass;

    /// An event of `CONTRACT` named `NAME` in its metadata.
    pub trait Event: Decode {
        const CONTRACT: &'static str;
        const NAME: &'static str;
    }

    crate::declare_events! {
        "circuit_breaker" AssetRegistered { asset: AssetId, units: AssetUnits, initial_tvl: Balance, price: Balance }
        "circuit_breaker" OutflowChecked { asset: AssetId, account: H160, amount: Balance, decision: Decision, level: Level }
        "circuit_breaker" Paused { scope: PauseScope, by: H160 }
        "circuit_breaker" Unpaused { scope: PauseScope }
        "multisig_guard" Proposed {
            id: ProposalId, proposer: H160, class: OperationClass, action: Action,
            predecessor: Option<ProposalId>, call_hash: [u8; 32], eta: u64, expires_at: u64,
        }
        "multisig_guard" Approved { id: ProposalId, owner: H160 }
        "multisig_guard" Executed { id: ProposalId, output: Vec<u8> }
        "insurance_fund" ClaimFiled { id: ClaimId, claimant: H160, loss: Balance, retained: Balance, ceded: Balance }
        "insurance_fund" CessionFailed { id: ClaimId, ceded: Balance }
        "insurance_fund" ClaimApproved { id: ClaimId }
        "insurance_fund" ClaimPaid { id: ClaimId, claimant: H160, paid: Balance, haircut: Balance }
    }
}

/// The ink! ABI signature topic of each event, by contract and event
/// name, from the release builds' metadata (`<dir>/<name>/<name>.json`).
pub struct EventTopics(std::collections::BTreeMap<(String, String), [u8; 32]>);

impl EventTopics {
    pub fn read(dir: &std::path::Path) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let mut topics = std::collections::BTreeMap::new();
        for contract in ["circuit_breaker", "insurance_fund", "multisig_guard"] {
            let path = dir.join(contract).join(format!("{contract}.json"));
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text)?;
            for e in json["spec"]["events"].as_array().into_iter().flatten() {
                if let (Some(name), Some(topic)) = (e["label"].as_str(), e["signature_topic"].as_str()) {
                    topics.insert((contract.to_string(), name.to_string()), crate::record::unhex::<32>(topic)?);
                }
            }
        }
        Ok(Self(topics))
    }

    /// `E`'s signature topic.
    pub fn of<E: events::Event>(&self) -> anyhow::Result<[u8; 32]> {
        self.0
            .get(&(E::CONTRACT.to_string(), E::NAME.to_string()))
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no event {} in {}'s metadata", E::NAME, E::CONTRACT))
    }
}

/// The declarations above against the contracts' own metadata, written by
/// `cargo contract build --release` beside each `.polkavm`
/// (contracts/target/ink/<name>/<name>.json, or
/// `$BULWARK_REVIVE_ARTIFACTS`). Ignored by plain `cargo test` since it
/// needs the release builds; scripts/chain-test.sh runs it with the revive
/// backend.
#[cfg(test)]
mod metadata_tests {
    use super::*;
    use crate::revive::metadata::Metadata;
    use std::path::PathBuf;

    fn artifacts() -> PathBuf {
        std::env::var("BULWARK_REVIVE_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contracts/target/ink"))
    }

    fn read(contract: &str) -> Metadata {
        let path = artifacts().join(contract).join(format!("{contract}.json"));
        Metadata::read(&path, contract).unwrap_or_else(|e| panic!("{e:#}"))
    }

    fn check(md: &Metadata, d: &Declared) -> Vec<String> {
        md.check(d.kind, d.name, &d.args, &d.returns)
    }

    #[test]
    #[ignore = "needs the ink! 6 release builds' metadata: scripts/chain-test.sh with the revive backend"]
    fn every_message_declared_here_is_the_contracts_own() {
        let mut problems = Vec::new();
        let mut n = 0;
        for (contract, ctor, messages) in [
            ("circuit_breaker", breaker::declared_constructor(), breaker::declared()),
            ("insurance_fund", fund::declared_constructor(), fund::declared()),
            ("multisig_guard", multisig::declared_constructor(), multisig::declared()),
        ] {
            let md = read(contract);
            problems.extend(check(&md, &ctor));
            for m in &messages {
                problems.extend(check(&md, m));
            }
            n += 1 + messages.len();
        }
        assert!(problems.is_empty(), "{} of {n} declarations differ:\n{}", problems.len(), problems.join("\n"));
        println!("{n} constructors and messages match the contracts' metadata");
    }

    #[test]
    #[ignore = "needs the ink! 6 release builds' metadata: scripts/chain-test.sh with the revive backend"]
    fn every_event_declared_here_is_the_contracts_own() {
        let mut problems = Vec::new();
        let declared = events::declared();
        for (contract, name, fields) in &declared {
            problems.extend(read(contract).check_event(name, fields));
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        assert!(EventTopics::read(&artifacts()).unwrap().of::<events::Paused>().is_ok());
        println!("{} events match the contracts' metadata", declared.len());
    }

    /// Core's table of admin messages names messages the contracts have,
    /// by their metadata's selectors.
    #[test]
    #[ignore = "needs the ink! 6 release builds' metadata: scripts/chain-test.sh with the revive backend"]
    fn the_admin_table_names_the_contracts_messages() {
        use bulwark_core::multisig::{AdminContract, ADMIN_CALLS};
        let (b, f) = (read("circuit_breaker"), read("insurance_fund"));
        for a in ADMIN_CALLS {
            let md = match a.contract {
                AdminContract::CircuitBreaker => &b,
                AdminContract::InsuranceFund => &f,
            };
            let m = md.json["spec"]["messages"].as_array().unwrap().iter().find(|m| m["label"] == a.message);
            let m = m.unwrap_or_else(|| panic!("no message {} in {:?}", a.message, a.contract));
            assert_eq!(m["selector"], crate::record::hex(&a.selector).as_str(), "{}", a.message);
        }
    }
}

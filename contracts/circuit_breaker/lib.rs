//! # circuit_breaker (ink! 6, pallet-revive)
//!
//! A thin ink! shell over `bulwark_core::breaker`: storage, roles, events
//! and calls. Every rule (limits, buffer, price band, levels, pauses, bonds)
//! is a call into bulwark-core. (The ink! 5 shell of the same contract, for
//! pallet-contracts, is at the tag `ink5-pallet-contracts-final`.)
//!
//! BreakerRoles: the **admin** (the multisig_guard) unpauses, resets, re-anchors
//! prices and changes parameters; any **guardian** pauses or trips (pausing
//! is cheap, unpausing is hard); the **oracle** reports prices; the
//! **protected** protocol calls `check_outflow` and `record_inflow` before it
//! moves funds, naming the account the funds go to or come from: a deposit
//! opens room only for its own depositor (bulwark-core's `AccountFlow`).
//! Anyone may trip the breaker by posting a bond: the admin judges each
//! bonded trip by its id, refunding it or slashing it into the insurance
//! fund, and a bond left unjudged past its deadline can be released by
//! anyone (bulwark-core's `breaker::bond` holds these rules).
//!
//! What pallet-revive changes (see `bulwark_ink`): accounts are `Address`
//! (stored in core right-aligned in 32 bytes), a bond arrives in the
//! chain's Ethereum view and is counted in native units (a bond that is not
//! a whole number of native units is refused), core values are stored in
//! cells of at most 400 bytes, and every message is callable through the
//! Solidity ABI too (`IBulwarkBreaker.sol`). A bond is paid back by a
//! transfer, which on pallet-revive calls the recipient: a poster contract
//! that takes no plain value refuses it. The trip is closed all the same
//! and the bond is owed to its poster (bulwark-core's `OwedRefund`, a pull
//! payment), which the poster withdraws with `withdraw_refund` to an
//! address it names.
//!
//! Each message's doc says what it does, then `Caller:`, `Emits:` and
//! `Errors:`. Under `abi = "all"` every event is emitted twice, once per
//! ABI (its ink! record, then its Solidity one; `Emits: X (once per ABI)`
//! means both), and an error is returned to a Solidity caller as the
//! custom error of its variant's name.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
#![warn(missing_docs)]

/// The contract: its roles, storage, events, errors and messages.
// ink!'s Solidity encoding of the field-less `LevelReset` event is a `()`.
#[allow(clippy::unused_unit)]
// ink! 6.0.0-beta.1 generates undocumented `pub type`s in this module (the
// contract reference's aliases `<Name>Ref`, `<Name>RefInk`, `<Name>RefSol`),
// so the lint is allowed on the module and warned again on each item
// written here: a new public item needs `#[warn(missing_docs)]` too.
#[allow(missing_docs)]
#[ink::contract(env = bulwark_ink::BulwarkEnv)]
pub mod circuit_breaker {
    use bulwark_core::breaker::bond::{BondOutcome, OwedRefund};
    use bulwark_core::breaker::{
        self as core_breaker, AccountFlow, AssetFlow, AssetUnits, BondBook, BondError, BondPolicy, BondedTrip,
        BreakerError, BreakerParams, Decision, Level, PauseScope, PauseScopes, PriceVerdict, TripId,
    };
    use bulwark_core::multisig::Timelocks;
    use bulwark_core::AssetId;
    use bulwark_ink::store::{self, Chunks};
    use bulwark_ink::{account, address, eth_value, native_value, now_ms, Core, ValueError};
    use ink::env::call::{build_call_ink, ExecutionInput, Selector as CallSelector};
    use ink::prelude::vec::Vec;
    use ink::sol::FixedBytes;
    use ink::storage::Mapping;

    /// Who may do what. Set at construction, changed only by the admin.
    #[warn(missing_docs)]
    #[derive(Clone, Debug, PartialEq, Eq, ink::SolEncode, ink::SolDecode)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct BreakerRoles {
        /// Unpauses, resets, re-anchors, changes parameters: the multisig_guard.
        pub admin: Address,
        /// Reports prices.
        pub oracle: Address,
        /// The protocol whose outflows are checked.
        pub protected: Address,
        /// May pause any scope and trip the breaker.
        pub guardians: Vec<Address>,
        /// Receives slashed trip bonds (through its `add_premium`).
        pub insurance_fund: Address,
        /// Smallest bond for an open trip, in native units.
        pub min_bond: Balance,
        /// The admin's deadline to judge a bonded trip; after it, anyone
        /// may release the bond. Longer than the admin's Critical timelock
        /// (checked whenever the roles or the admin multisig's timelocks
        /// change; 0 for an admin that is a plain account).
        pub bond_settle_within_ms: u64,
    }

    #[warn(missing_docs)]
    impl BreakerRoles {
        /// The bonded-trip policy these roles set.
        pub fn bond_policy(&self) -> BondPolicy {
            BondPolicy { min_bond: self.min_bond, settle_within_ms: self.bond_settle_within_ms }
        }
    }

    /// An account's flow is kept per asset.
    type AccountKey = (AssetId, Address);

    /// Every value is a core value in cells of `bulwark_ink::store` (the
    /// root cell itself is empty).
    #[warn(missing_docs)]
    #[ink(storage)]
    pub struct CircuitBreaker {
        /// `bulwark_core::breaker::CircuitBreaker` (params, level, pauses).
        breaker: Chunks<()>,
        /// Each registered asset's flow state (TVL, windows, buffer, price).
        assets: Chunks<AssetId>,
        /// Each account's own flow in each asset; an idle one is removed.
        accounts: Chunks<AccountKey>,
        /// Who may do what.
        roles: Chunks<()>,
        /// The bond policy (from `roles`) and the trip id counter.
        bonds: Chunks<()>,
        /// Bonded trips awaiting judgement or release, by id.
        trips: Chunks<TripId>,
        /// What each poster is owed: refunds that could not be pushed to it.
        /// An empty one is removed.
        owed: Chunks<Address>,
    }

    /// The admin registered an asset (`register_asset`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct AssetRegistered {
        /// The asset now watched.
        #[ink(topic)]
        pub asset: AssetId,
        /// How its amounts and the oracle's prices are written.
        pub units: Core<AssetUnits>,
        /// The protocol's balance of it, in base units.
        pub initial_tvl: Balance,
        /// Its first reference price.
        pub price: Balance,
    }

    /// An outflow was decided, allowed or rejected (`check_outflow`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct OutflowChecked {
        /// The asset leaving.
        #[ink(topic)]
        pub asset: AssetId,
        /// The account the funds go to.
        #[ink(topic)]
        pub account: Address,
        /// Base units requested.
        pub amount: Balance,
        /// Allowed (with what it consumed) or rejected (with why).
        pub decision: Core<Decision>,
        /// The level after the decision.
        pub level: Core<Level>,
    }

    /// An inflow was recorded (`record_inflow`). Carries the level after
    /// it: the deposit that brings back what escalated takes that
    /// escalation back.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct InflowRecorded {
        /// The asset entering.
        #[ink(topic)]
        pub asset: AssetId,
        /// The account the funds come from.
        #[ink(topic)]
        pub account: Address,
        /// Base units deposited.
        pub amount: Balance,
        /// The level after the deposit.
        pub level: Core<Level>,
    }

    /// The oracle reported a price (`report_price`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct PriceReported {
        /// The asset priced.
        #[ink(topic)]
        pub asset: AssetId,
        /// The reported price.
        pub price: Balance,
        /// Within the band, or deviated (the breaker halted).
        pub verdict: Core<PriceVerdict>,
    }

    /// The admin re-anchored an asset's reference price (`anchor_price`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct PriceAnchored {
        /// The asset re-anchored.
        #[ink(topic)]
        pub asset: AssetId,
        /// The new reference: the oracle's latest report.
        pub price: Balance,
    }

    /// A scope was paused (`pause`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Paused {
        /// What is paused: everything, an asset or a selector.
        pub scope: Core<PauseScope>,
        /// The guardian or admin who paused it.
        #[ink(topic)]
        pub by: Address,
    }

    /// The admin lifted a pause (`unpause`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Unpaused {
        /// The scope no longer paused.
        pub scope: Core<PauseScope>,
    }

    /// The breaker was halted by hand (`trip`, `trip_with_bond`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Tripped {
        /// The guardian, admin or bond poster who tripped it.
        #[ink(topic)]
        pub by: Address,
        /// In native units.
        pub bond: Balance,
        /// The bonded trip's id (none for a guardian's trip).
        pub trip: Option<TripId>,
    }

    /// The admin judged a bonded trip (`settle_trip`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct TripSettled {
        /// The trip's id.
        #[ink(topic)]
        pub trip: TripId,
        /// Who posted the bond.
        #[ink(topic)]
        pub by: Address,
        /// The bond refunded or slashed, in native units.
        pub bond: Balance,
        /// True: confirmed and refunded; false: slashed into the fund.
        pub confirmed: bool,
    }

    /// An unjudged bond went back to its poster after the deadline (pushed,
    /// or owed to it: then `RefundOwed` says so).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct BondReleased {
        /// The trip's id.
        #[ink(topic)]
        pub trip: TripId,
        /// Who posted the bond, and gets it back.
        #[ink(topic)]
        pub by: Address,
        /// The bond released, in native units.
        pub bond: Balance,
    }

    /// A refund (`settle_trip` confirmed, or `release_bond`) could not be
    /// pushed to its poster: the trip is closed and the bond is owed to the
    /// poster, who withdraws it with `withdraw_refund`.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct RefundOwed {
        /// The closed trip's id.
        #[ink(topic)]
        pub trip: TripId,
        /// Who posted the bond, and is now owed it.
        #[ink(topic)]
        pub by: Address,
        /// The bond owed, in native units.
        pub bond: Balance,
    }

    /// A poster withdrew what it was owed (`withdraw_refund`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct RefundWithdrawn {
        /// The poster.
        #[ink(topic)]
        pub by: Address,
        /// Where the poster had it paid.
        #[ink(topic)]
        pub to: Address,
        /// The amount paid, in native units.
        pub amount: Balance,
    }

    /// The admin put the level back to Normal (`reset`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct LevelReset {}

    /// The admin replaced the parameters (`set_params`). Carries the new
    /// values, so monitors need not query.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ParamsUpdated {
        /// The parameters now in force.
        pub params: Core<BreakerParams>,
    }

    /// The admin replaced the roles (`set_roles`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct RolesUpdated {
        /// The roles now in force.
        pub roles: BreakerRoles,
    }

    pub use errors::Error;

    // parity-scale-codec's derive casts variant indices to u8 inside
    // `Encode`, which the contract lints (cast_possible_truncation) flag
    // for enums with data; the indices are below 256 by construction.
    #[allow(clippy::cast_possible_truncation)]
    #[warn(missing_docs)]
    mod errors {
        use super::*;

        /// The errors of the ink! 5 shell (tag `ink5-pallet-contracts-final`), in
        /// its order (the same SCALE bytes), and `Value` last. In the Solidity ABI each variant is a
        /// custom error of its name; core's errors are `bytes` of their
        /// SCALE encoding (see `bulwark_ink::abi`).
        #[ink::error]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Error {
            /// The caller is not the admin.
            NotAdmin,
            /// The caller is not the oracle.
            NotOracle,
            /// The caller is not the protected protocol.
            NotProtected,
            /// The caller is neither a guardian nor the admin.
            NotGuardian,
            /// The asset is not registered.
            UnknownAsset,
            /// The asset is registered already.
            AssetExists,
            /// bulwark-core refused the operation.
            Breaker(Core<BreakerError>),
            /// bulwark-core refused the bonded-trip operation.
            Bond(Core<BondError>),
            /// No bonded trip with this id is pending (never posted, or
            /// settled or released already).
            UnknownTrip,
            /// A transfer failed: `withdraw_refund`'s to its `to` (on
            /// pallet-revive a transfer calls the recipient: a contract that
            /// takes no plain value refuses it). A refused bond refund is
            /// not an error: it is owed to the poster instead.
            TransferFailed,
            /// The insurance fund did not accept the slashed bond.
            FundCallFailed,
            /// The admin is a contract that did not report its timelocks
            /// (not a multisig_guard, or the admin executing this very call,
            /// which cannot be called back: it may not shorten the bond
            /// settle window), so the bond rule cannot be checked.
            AdminTimelockUnknown,
            /// The bond sent is not a whole number of native units, or more
            /// than a `u128` of them (`bulwark_ink::native_value`).
            Value(Core<ValueError>),
        }
    }

    impl From<BreakerError> for Error {
        fn from(e: BreakerError) -> Self {
            Error::Breaker(Core(e))
        }
    }

    impl From<BondError> for Error {
        fn from(e: BondError) -> Self {
            Error::Bond(Core(e))
        }
    }

    impl From<ValueError> for Error {
        fn from(e: ValueError) -> Self {
            Error::Value(Core(e))
        }
    }

    /// The result of the breaker's fallible messages and constructor.
    #[warn(missing_docs)]
    pub type Result<T> = core::result::Result<T, Error>;

    /// Most ref_time a bond refund's recipient may use when it receives
    /// the value: 10^10, the insurance fund's cap for a reinsurer's whole
    /// `file_claim` (0.5% of a block's 2×10¹²). A plain account uses none;
    /// a contract that accepts value needs a small part of it.
    #[cfg(target_arch = "riscv64")]
    const REFUND_REF_TIME_LIMIT: u64 = 10_000_000_000;
    /// Most proof size a bond refund's recipient may use: 256 KiB, as the
    /// fund's cession cap.
    #[cfg(target_arch = "riscv64")]
    const REFUND_PROOF_SIZE_LIMIT: u64 = 256 * 1024;

    #[warn(missing_docs)]
    impl CircuitBreaker {
        /// Deploys a breaker at Normal, nothing paused, no asset registered.
        /// `params` is `circuit_breaker` from the simulator's params.json (in the
        /// Solidity ABI: its SCALE encoding as `bytes`).
        ///
        /// Caller: anyone (the deployer; it gets no role unless `roles` names it).
        /// Emits: nothing.
        /// Errors:
        /// - `AdminTimelockUnknown`: `roles.admin` is a contract that does not
        ///   answer `timelocks` through the ink! ABI (not a multisig_guard);
        /// - `Bond(InvalidPolicy(MinBond | BondSettleWindow |
        ///   BondOutlastsTimelock))`: `min_bond` is 0, the settle window is 0 or
        ///   over 90 days, or not longer than the admin's Critical timelock;
        /// - `Breaker(InvalidParams(_))`: a field of `params` out of range
        ///   (`WindowCount`, `WindowLength`, `WindowShare`, `WindowEmpty`,
        ///   `InflowDecay`, `PriceDeviation`, `PriceStaleness`, `PriceSmoothing`,
        ///   `ThrottleShare`, `ThrottleDuration`, `HaltDuration`).
        #[ink(constructor)]
        pub fn new(params: Core<BreakerParams>, roles: BreakerRoles) -> Result<Self> {
            Self::check_bond_rule(&roles, None)?;
            let breaker = core_breaker::CircuitBreaker::new(params.0)?;
            let bonds = BondBook::new(roles.bond_policy())?;
            let mut this = Self {
                breaker: Mapping::default(),
                assets: Mapping::default(),
                accounts: Mapping::default(),
                roles: Mapping::default(),
                bonds: Mapping::default(),
                trips: Mapping::default(),
                owed: Mapping::default(),
            };
            store::save(&mut this.breaker, (), &breaker);
            store::save(&mut this.roles, (), &roles);
            store::save(&mut this.bonds, (), &bonds);
            Ok(this)
        }

        /// Starts watching `asset`, written in `units`, holding `initial_tvl`
        /// base units, at the oracle's `price` (see `bulwark_core::units`).
        ///
        /// Caller: the admin.
        /// Emits: `AssetRegistered` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `AssetExists`: `asset` is registered already;
        /// - `Breaker(InvalidParams(AssetUnits))`: `units` out of range;
        /// - `Breaker(ZeroPrice)`: `price` is 0.
        #[ink(message)]
        pub fn register_asset(
            &mut self,
            asset: AssetId,
            units: Core<AssetUnits>,
            initial_tvl: Balance,
            price: Balance,
        ) -> Result<()> {
            self.only_admin()?;
            if store::exists(&self.assets, asset) {
                return Err(Error::AssetExists);
            }
            let mut breaker = self.state();
            let mut flow = breaker.new_asset(units.0, initial_tvl)?;
            breaker.anchor_price(&mut flow, price, self.now())?;
            store::save(&mut self.breaker, (), &breaker);
            store::save(&mut self.assets, asset, &flow);
            self.env().emit_event(AssetRegistered { asset, units, initial_tvl, price });
            Ok(())
        }

        /// Decides an outflow of `amount` (the asset's base units) of `asset` to
        /// `account` through the protected protocol's message `selector`, and
        /// records it if allowed. A rejection is a successful call
        /// (`Ok(Decision::Rejected(_))`) so that the level it may raise is kept.
        /// An account that is idle afterwards has its cells removed (and their
        /// storage deposit returned).
        ///
        /// Caller: the protected protocol.
        /// Emits: `OutflowChecked` (once per ABI; for a rejection too).
        /// Errors:
        /// - `NotProtected`: the caller is not the protected protocol;
        /// - `UnknownAsset`: `asset` is not registered.
        #[ink(message)]
        pub fn check_outflow(
            &mut self,
            asset: AssetId,
            account: Address,
            selector: FixedBytes<4>,
            amount: Balance,
        ) -> Result<Core<Decision>> {
            self.only(self.load_roles().protected, Error::NotProtected)?;
            let mut flow = self.flow(asset)?;
            let mut own = self.account_flow(asset, account).0;
            let now = self.now();
            let mut breaker = self.state();
            let decision = breaker.check_outflow(asset, &mut flow, &mut own, selector.0, amount, now);
            store::save(&mut self.breaker, (), &breaker);
            store::save(&mut self.assets, asset, &flow);
            self.store_account(&breaker, asset, account, own, now);
            let level = breaker.level(now);
            self.env().emit_event(OutflowChecked {
                asset,
                account,
                amount,
                decision: Core(decision),
                level: Core(level),
            });
            Ok(Core(decision))
        }

        /// Records funds (the asset's base units) that entered the protected
        /// protocol from `account`.
        ///
        /// Caller: the protected protocol.
        /// Emits: `InflowRecorded` (once per ABI).
        /// Errors:
        /// - `NotProtected`: the caller is not the protected protocol;
        /// - `UnknownAsset`: `asset` is not registered;
        /// - `Breaker(Overflow)`: the tracked balance or a buffer would overflow.
        #[ink(message)]
        pub fn record_inflow(&mut self, asset: AssetId, account: Address, amount: Balance) -> Result<()> {
            self.only(self.load_roles().protected, Error::NotProtected)?;
            let mut flow = self.flow(asset)?;
            let mut own = self.account_flow(asset, account).0;
            let now = self.now();
            let mut breaker = self.state();
            breaker.record_inflow(&mut flow, &mut own, amount, now)?;
            store::save(&mut self.breaker, (), &breaker);
            store::save(&mut self.assets, asset, &flow);
            self.store_account(&breaker, asset, account, own, now);
            let level = breaker.level(now);
            self.env().emit_event(InflowRecorded { asset, account, amount, level: Core(level) });
            Ok(())
        }

        /// The oracle's price report; a price outside the band halts.
        ///
        /// Caller: the oracle.
        /// Emits: `PriceReported` (once per ABI).
        /// Errors:
        /// - `NotOracle`: the caller is not the oracle;
        /// - `UnknownAsset`: `asset` is not registered;
        /// - `Breaker(ZeroPrice)`: `price` is 0.
        #[ink(message)]
        pub fn report_price(&mut self, asset: AssetId, price: Balance) -> Result<Core<PriceVerdict>> {
            self.only(self.load_roles().oracle, Error::NotOracle)?;
            let mut flow = self.flow(asset)?;
            let mut breaker = self.state();
            let verdict = breaker.report_price(&mut flow, price, self.now())?;
            store::save(&mut self.breaker, (), &breaker);
            store::save(&mut self.assets, asset, &flow);
            self.env().emit_event(PriceReported { asset, price, verdict: Core(verdict) });
            Ok(Core(verdict))
        }

        /// Pauses a scope: any guardian, or the admin. An asset scope must name a
        /// registered asset (`Breaker(Pause(UnknownAsset))` otherwise), so made-up
        /// ids cannot fill the bounded pause list.
        ///
        /// Caller: a guardian or the admin.
        /// Emits: `Paused` (once per ABI).
        /// Errors:
        /// - `NotGuardian`: the caller is neither a guardian nor the admin;
        /// - `Breaker(Pause(UnknownAsset))`: an asset scope names an unregistered
        ///   asset;
        /// - `Breaker(Pause(AlreadyPaused))`: `scope` is paused already;
        /// - `Breaker(Pause(TooManyPaused))`: the asset or selector pause list is
        ///   full (64 entries).
        #[ink(message)]
        pub fn pause(&mut self, scope: Core<PauseScope>) -> Result<()> {
            self.only_guardian()?;
            let mut breaker = self.state();
            let assets = &self.assets;
            breaker.pause(scope.0, |asset| store::exists(assets, asset))?;
            store::save(&mut self.breaker, (), &breaker);
            self.env().emit_event(Paused { scope, by: self.env().caller() });
            Ok(())
        }

        /// Lifts a pause: the admin only.
        ///
        /// Caller: the admin.
        /// Emits: `Unpaused` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Breaker(Pause(NotPaused))`: `scope` is not paused.
        #[ink(message)]
        pub fn unpause(&mut self, scope: Core<PauseScope>) -> Result<()> {
            self.only_admin()?;
            let mut breaker = self.state();
            breaker.unpause(scope.0)?;
            store::save(&mut self.breaker, (), &breaker);
            self.env().emit_event(Unpaused { scope });
            Ok(())
        }

        /// Halts now: any guardian, or the admin.
        ///
        /// Caller: a guardian or the admin.
        /// Emits: `Tripped` (once per ABI; bond 0, no trip id).
        /// Errors: `NotGuardian` if the caller is neither a guardian nor the admin.
        #[ink(message)]
        pub fn trip(&mut self) -> Result<()> {
            self.only_guardian()?;
            let mut breaker = self.state();
            breaker.trip(self.now());
            store::save(&mut self.breaker, (), &breaker);
            self.env().emit_event(Tripped { by: self.env().caller(), bond: 0, trip: None });
            Ok(())
        }

        /// Halts now, for anyone who posts at least the minimum bond (the
        /// transferred value, which arrives in the chain's Ethereum view and must
        /// be a whole number of native units). Returns the trip's id; any number
        /// may be pending at once. A refund later is a transfer to the caller,
        /// which on pallet-revive calls it: if the caller refuses it (a contract
        /// that takes no plain value), the trip is closed all the same and the
        /// bond is owed to the caller, who withdraws it with `withdraw_refund`.
        ///
        /// Caller: anyone, transferring the bond with the call.
        /// Emits: `Tripped` (once per ABI; with the bond in native units and the
        /// trip's id).
        /// Errors:
        /// - `Value(NotWholeNativeUnits)`: the value transferred is not a whole
        ///   number of native units (`bulwark_ink::native_value`);
        /// - `Value(TooLarge)`: it is more native units than a `u128` holds;
        /// - `Bond(BondTooSmall)`: it is below `min_bond`;
        /// - `Bond(Overflow)`: the deadline or the trip id counter would overflow.
        #[ink(message, payable)]
        pub fn trip_with_bond(&mut self) -> Result<TripId> {
            let bond = native_value(self.env().transferred_value())?;
            let by = self.env().caller();
            let now = self.now();
            let mut bonds: BondBook = store::load(&self.bonds, ()).unwrap_or_else(|| missing());
            let trip = bonds.post(account(&by), bond, now)?;
            let mut breaker = self.state();
            breaker.trip(now);
            store::save(&mut self.bonds, (), &bonds);
            store::save(&mut self.breaker, (), &breaker);
            store::save(&mut self.trips, trip.id, &trip);
            self.env().emit_event(Tripped { by, bond, trip: Some(trip.id) });
            Ok(trip.id)
        }

        /// The admin judges bonded trip `id` before its deadline: confirmed, the
        /// bond goes back; not confirmed, it is slashed into the fund (through its
        /// `add_premium`, in the ink! ABI). The value moves in the chain's
        /// Ethereum view. A refund the poster refuses (a transfer calls the
        /// recipient on pallet-revive: a contract that takes no plain value
        /// refuses it) does not revert: the trip is settled and the bond is owed
        /// to the poster (`withdraw_refund`). If the slash fails the whole call
        /// reverts and the trip stays pending.
        ///
        /// Caller: the admin.
        /// Emits: `TripSettled` (once per ABI; and a slash makes the insurance fund
        /// emit its `PremiumAdded`), after `RefundOwed` (once per ABI) if the
        /// refund could not be pushed.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownTrip`: no trip `id` is pending;
        /// - `Bond(SettleDeadlinePassed)`: the trip's deadline passed (it can only
        ///   be released now);
        /// - `Bond(Overflow)`: confirmed, the refund could not be pushed and the
        ///   poster's owed total would overflow;
        /// - `FundCallFailed`: not confirmed, the insurance fund's `add_premium`
        ///   failed or refused the bond.
        #[ink(message)]
        pub fn settle_trip(&mut self, id: TripId, confirmed: bool) -> Result<()> {
            self.only_admin()?;
            let trip = self.trip_or_err(id)?;
            let outcome = self.bond_book().settle(&trip, confirmed, self.now())?;
            store::remove(&mut self.trips, id);
            let by = self.pay_bond(&trip, outcome)?;
            self.env().emit_event(TripSettled { trip: id, by, bond: trip.bond, confirmed });
            Ok(())
        }

        /// Anyone may release an unjudged bond to its poster once the deadline
        /// passed. The trip is closed even if the poster refuses the refund (a
        /// transfer calls the recipient on pallet-revive: a contract that takes no
        /// plain value refuses it): the bond is then owed to the poster, who
        /// withdraws it with `withdraw_refund`.
        ///
        /// Caller: anyone.
        /// Emits: `BondReleased` (once per ABI), after `RefundOwed` (once per ABI)
        /// if the refund could not be pushed.
        /// Errors:
        /// - `UnknownTrip`: no trip `id` is pending;
        /// - `Bond(NotYetReleasable)`: the trip's deadline has not passed;
        /// - `Bond(Overflow)`: the refund could not be pushed and the poster's
        ///   owed total would overflow.
        #[ink(message)]
        pub fn release_bond(&mut self, id: TripId) -> Result<()> {
            let trip = self.trip_or_err(id)?;
            let outcome = self.bond_book().release(&trip, self.now())?;
            store::remove(&mut self.trips, id);
            let by = self.pay_bond(&trip, outcome)?;
            self.env().emit_event(BondReleased { trip: id, by, bond: trip.bond });
            Ok(())
        }

        /// Pays the caller everything it is owed (refunds of its bonded trips that
        /// could not be pushed to it) to `to`, which may be any address (one that
        /// takes plain value). Returns the amount, in native units; the value
        /// moves in the chain's Ethereum view. If that transfer fails the call
        /// reverts and the credit stays.
        ///
        /// Caller: a poster that is owed a refund (`owed_refund`).
        /// Emits: `RefundWithdrawn` (once per ABI).
        /// Errors:
        /// - `Bond(NothingOwed)`: nothing is owed to the caller (never, or
        ///   withdrawn already);
        /// - `TransferFailed`: the transfer to `to` failed (a transfer calls the
        ///   recipient on pallet-revive: a contract that takes no plain value
        ///   refuses it).
        #[ink(message)]
        pub fn withdraw_refund(&mut self, to: Address) -> Result<Balance> {
            let by = self.env().caller();
            let before = self.owed_to(by);
            let mut owed = before.clone();
            let amount = owed.withdraw(&account(&by))?;
            // Cleared before the transfer, which calls `to`.
            store::remove(&mut self.owed, by);
            if let Err(e) = self.push(to, amount) {
                // The error reverts the call on chain; put back here too, so
                // the credit stays whatever the host does with the error.
                store::save(&mut self.owed, by, &before);
                return Err(e);
            }
            self.env().emit_event(RefundWithdrawn { by, to, amount });
            Ok(amount)
        }

        /// Back to Normal at once: the admin only.
        ///
        /// Caller: the admin.
        /// Emits: `LevelReset` (once per ABI).
        /// Errors: `NotAdmin` if the caller is not the admin.
        #[ink(message)]
        pub fn reset(&mut self) -> Result<()> {
            self.only_admin()?;
            let mut breaker = self.state();
            breaker.reset();
            store::save(&mut self.breaker, (), &breaker);
            self.env().emit_event(LevelReset {});
            Ok(())
        }

        /// Re-anchors an asset's reference price after a real move, at the
        /// oracle's latest fresh report if it lies in `[min_price, max_price]` (the
        /// range governance approved when it proposed the call): the admin only.
        /// Fails, changing nothing, otherwise.
        ///
        /// Caller: the admin.
        /// Emits: `PriceAnchored` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownAsset`: `asset` is not registered;
        /// - `Breaker(EmptyAnchorRange)`: `min_price` is 0 or above `max_price`;
        /// - `Breaker(NoFreshReport)`: no oracle report within `max_staleness_ms`;
        /// - `Breaker(ReportOutOfRange { price })`: the latest report lies outside
        ///   `[min_price, max_price]`.
        #[ink(message)]
        pub fn anchor_price(&mut self, asset: AssetId, min_price: Balance, max_price: Balance) -> Result<()> {
            self.only_admin()?;
            let mut flow = self.flow(asset)?;
            let mut breaker = self.state();
            let price = breaker.reanchor(&mut flow, min_price, max_price, self.now())?;
            store::save(&mut self.breaker, (), &breaker);
            store::save(&mut self.assets, asset, &flow);
            self.env().emit_event(PriceAnchored { asset, price });
            Ok(())
        }

        /// Replaces the parameters. Windows whose length changed restart empty on
        /// the asset's next outflow.
        ///
        /// Caller: the admin.
        /// Emits: `ParamsUpdated` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Breaker(InvalidParams(_))`: a field of `params` out of range (as for
        ///   the constructor).
        #[ink(message)]
        pub fn set_params(&mut self, params: Core<BreakerParams>) -> Result<()> {
            self.only_admin()?;
            let mut breaker = self.state();
            breaker.set_params(params.0.clone())?;
            store::save(&mut self.breaker, (), &breaker);
            self.env().emit_event(ParamsUpdated { params });
            Ok(())
        }

        /// Replaces the roles. The bond settle window must outlast the new admin's
        /// Critical timelock (asked of the admin through the ink! ABI if it is a
        /// contract); under an unchanged admin it is asked only if the window
        /// shrinks (bulwark-core's `BondPolicy::shortens`).
        ///
        /// Caller: the admin.
        /// Emits: `RolesUpdated` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `AdminTimelockUnknown`: the timelock had to be asked and the new admin
        ///   is a contract that did not report it (not a multisig_guard, or the
        ///   admin executing this very call, which pallet-revive does not let be
        ///   called back);
        /// - `Bond(InvalidPolicy(MinBond | BondSettleWindow |
        ///   BondOutlastsTimelock))`: `min_bond` is 0, the settle window is 0 or
        ///   over 90 days, or (when checked) not longer than the admin's Critical
        ///   timelock.
        #[ink(message)]
        pub fn set_roles(&mut self, roles: BreakerRoles) -> Result<()> {
            let previous = self.load_roles();
            self.only(previous.admin, Error::NotAdmin)?;
            Self::check_bond_rule(&roles, Some(&previous))?;
            let mut bonds = self.bond_book();
            bonds.set_policy(roles.bond_policy())?;
            store::save(&mut self.bonds, (), &bonds);
            store::save(&mut self.roles, (), &roles);
            self.env().emit_event(RolesUpdated { roles });
            Ok(())
        }

        /// The level now.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn level(&self) -> Core<Level> {
            Core(self.state().level(self.now()))
        }

        /// Whether insurance-fund exits must wait (halted or globally paused); the
        /// insurance fund asks this (through the ink! ABI) before every exit.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn blocks_exits(&self) -> bool {
            self.state().blocks_exits(self.now())
        }

        /// The most (in the asset's base units) `check_outflow` would allow
        /// `account` now.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `UnknownAsset` if `asset` is not registered.
        #[ink(message)]
        pub fn available_outflow(&self, asset: AssetId, account: Address, selector: FixedBytes<4>) -> Result<Balance> {
            let flow = self.flow(asset)?;
            let own = self.account_flow(asset, account).0;
            Ok(self.state().available_outflow(asset, &flow, &own, selector.0, self.now()))
        }

        /// `account`'s own flow in `asset` (empty when idle).
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn account_flow(&self, asset: AssetId, account: Address) -> Core<AccountFlow> {
            Core(store::load(&self.accounts, (asset, account)).unwrap_or_default())
        }

        /// `asset`'s flow state: TVL, windows, buffer and price.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `UnknownAsset` if `asset` is not registered.
        #[ink(message)]
        pub fn asset_flow(&self, asset: AssetId) -> Result<Core<AssetFlow>> {
            self.flow(asset).map(Core)
        }

        /// The parameters in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn params(&self) -> Core<BreakerParams> {
            Core(self.state().params().clone())
        }

        /// The active pauses.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn pauses(&self) -> Core<PauseScopes> {
            Core(self.state().pauses)
        }

        /// The roles in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn roles(&self) -> BreakerRoles {
            self.load_roles()
        }

        /// The bonded-trip policy (`min_bond` in native units): what the admin
        /// multisig_guard checks its own timelock changes against.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn bond_policy(&self) -> Core<BondPolicy> {
            Core(self.load_roles().bond_policy())
        }

        /// A bonded trip awaiting judgement or release (its bond in native units,
        /// its poster right-aligned in 32 bytes); none if settled, released or
        /// never posted.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn pending_trip(&self, id: TripId) -> Option<Core<BondedTrip>> {
            store::load(&self.trips, id).map(Core)
        }

        /// What `who` is owed, in native units: refunds of its bonded trips that
        /// could not be pushed to it, for it to take with `withdraw_refund`
        /// (0 if none).
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn owed_refund(&self, who: Address) -> Balance {
            self.owed_to(who).amount()
        }

        fn now(&self) -> Timestamp {
            now_ms(self.env().block_timestamp())
        }

        /// The core breaker, stored by the constructor.
        fn state(&self) -> core_breaker::CircuitBreaker {
            store::load(&self.breaker, ()).unwrap_or_else(|| missing())
        }

        fn load_roles(&self) -> BreakerRoles {
            store::load(&self.roles, ()).unwrap_or_else(|| missing())
        }

        fn bond_book(&self) -> BondBook {
            store::load(&self.bonds, ()).unwrap_or_else(|| missing())
        }

        /// bulwark-core's bond rule for `roles` replacing `previous` (none
        /// at construction): the settle window outlasts the admin's Critical
        /// timelock, so every bonded trip can be judged before its bond may
        /// be released.
        fn check_bond_rule(roles: &BreakerRoles, previous: Option<&BreakerRoles>) -> Result<()> {
            let policy = roles.bond_policy();
            let unchanged_admin = previous.filter(|p| p.admin == roles.admin);
            if unchanged_admin.is_some_and(|p| !policy.shortens(&p.bond_policy())) {
                return Ok(());
            }
            let critical_ms = Self::admin_critical_timelock(roles.admin)?;
            policy.validate_with_admin_timelock(critical_ms).map_err(|e| Error::Bond(Core(BondError::InvalidPolicy(e))))
        }

        /// The Critical timelock of `admin`: 0 for a plain account (it acts
        /// at once), asked of a contract (a multisig_guard's `timelocks`,
        /// through the ink! ABI). A failed call or an undecodable reply is
        /// `AdminTimelockUnknown`.
        fn admin_critical_timelock(admin: Address) -> Result<u64> {
            if !Self::env().is_contract(&admin) {
                return Ok(0);
            }
            let reply = build_call_ink::<Environment>()
                .call(admin)
                .exec_input(ExecutionInput::new(CallSelector::new(ink::selector_bytes!("timelocks"))))
                .returns::<core::result::Result<Timelocks, ()>>()
                .try_invoke();
            match reply {
                Ok(Ok(Ok(t))) => Ok(t.critical_ms),
                _ => Err(Error::AdminTimelockUnknown),
            }
        }

        /// What `who` is owed (nothing if no entry is stored).
        fn owed_to(&self, who: Address) -> OwedRefund {
            store::load(&self.owed, who).unwrap_or_else(|| OwedRefund::new(account(&who)))
        }

        /// A plain transfer of `value` native units to `to`, in the Ethereum
        /// view; on pallet-revive it calls `to`, which may refuse it.
        fn push(&self, to: Address, value: Balance) -> Result<()> {
            if refuses_value(&to) {
                return Err(Error::TransferFailed);
            }
            self.transfer_capped(to, value).map_err(|()| Error::TransferFailed)
        }

        /// On chain the transfer is pallet-revive's raw `call` with no input
        /// (what ink!'s `transfer` sends) but with the recipient's gas capped
        /// at `REFUND_REF_TIME_LIMIT` and `REFUND_PROOF_SIZE_LIMIT`: ink!'s
        /// `transfer` gives it all the gas left, so a poster contract that
        /// burns gas on receipt would make `release_bond` run out of gas
        /// and revert whole, keeping its trip pending; capped, its receipt
        /// fails alone and the bond is owed instead. The storage deposit
        /// limit is all ones, as ink!'s `transfer` sends: the transaction's
        /// own limit bounds it.
        #[cfg(target_arch = "riscv64")]
        fn transfer_capped(&self, to: Address, value: Balance) -> core::result::Result<(), ()> {
            use pallet_revive_uapi::{CallFlags, HostFn, HostFnImpl};
            HostFnImpl::call(
                CallFlags::empty(),
                &to.0,
                REFUND_REF_TIME_LIMIT,
                REFUND_PROOF_SIZE_LIMIT,
                &[u8::MAX; 32],
                &eth_value(value).to_little_endian(),
                &[],
                None,
            )
            .map_err(|_| ())
        }

        /// Off chain (unit tests) ink!'s test engine has no gas: a plain
        /// `transfer`.
        #[cfg(not(target_arch = "riscv64"))]
        fn transfer_capped(&self, to: Address, value: Balance) -> core::result::Result<(), ()> {
            self.env().transfer(to, eth_value(value)).map_err(|_| ())
        }

        fn trip_or_err(&self, id: TripId) -> Result<BondedTrip> {
            store::load(&self.trips, id).ok_or(Error::UnknownTrip)
        }

        /// Pays a settled bond (its trip already removed): back to its poster,
        /// or into the fund; returns the poster. The value moves in the
        /// Ethereum view (`bulwark_ink::eth_value`). A refund the poster
        /// refuses is owed to it instead (bulwark-core's `OwedRefund`), so the
        /// trip still closes. The fund's `add_premium` gets all the gas left:
        /// the fund is the deployment's own, and a slash it does not take
        /// must revert the whole settlement (the trip stays pending), not
        /// half-run.
        fn pay_bond(&mut self, trip: &BondedTrip, outcome: BondOutcome) -> Result<Address> {
            // Posted by `account(caller)`, so always an address.
            let by = address(&trip.by).ok_or(Error::TransferFailed)?;
            match outcome {
                BondOutcome::Refund(bond) => {
                    if self.push(by, bond).is_err() {
                        let mut owed = self.owed_to(by);
                        owed.credit(trip)?;
                        store::save(&mut self.owed, by, &owed);
                        self.env().emit_event(RefundOwed { trip: trip.id, by, bond });
                    }
                }
                BondOutcome::Slash(bond) => {
                    build_call_ink::<Environment>()
                        .call(self.load_roles().insurance_fund)
                        .transferred_value(eth_value(bond))
                        .exec_input(ExecutionInput::new(CallSelector::new(ink::selector_bytes!("add_premium"))))
                        .returns::<core::result::Result<(), ()>>()
                        .try_invoke()
                        .map_err(|_| Error::FundCallFailed)?
                        .map_err(|_| Error::FundCallFailed)?
                        .map_err(|_| Error::FundCallFailed)?;
                }
            }
            Ok(by)
        }

        fn flow(&self, asset: AssetId) -> Result<AssetFlow> {
            store::load(&self.assets, asset).ok_or(Error::UnknownAsset)
        }

        /// Stores `account`'s flow, or removes it once idle (it then
        /// decides like a fresh one, and its storage deposit is returned).
        fn store_account(
            &mut self,
            breaker: &core_breaker::CircuitBreaker,
            asset: AssetId,
            account: Address,
            own: AccountFlow,
            now: u64,
        ) {
            if own.is_idle(now, breaker.params().limiter.inflow_decay_ms) {
                store::remove(&mut self.accounts, (asset, account));
            } else {
                store::save(&mut self.accounts, (asset, account), &own);
            }
        }

        fn only(&self, who: Address, err: Error) -> Result<()> {
            if self.env().caller() == who {
                Ok(())
            } else {
                Err(err)
            }
        }

        fn only_admin(&self) -> Result<()> {
            self.only(self.load_roles().admin, Error::NotAdmin)
        }

        fn only_guardian(&self) -> Result<()> {
            let caller = self.env().caller();
            let roles = self.load_roles();
            if caller == roles.admin || roles.guardians.contains(&caller) {
                Ok(())
            } else {
                Err(Error::NotGuardian)
            }
        }
    }

    /// Whether `to` refuses plain value: never known ahead on chain (the
    /// transfer itself fails). Host tests name refusing addresses, since
    /// the off-chain test env's transfer never calls the recipient.
    #[cfg(not(test))]
    fn refuses_value(_to: &Address) -> bool {
        false
    }

    #[cfg(test)]
    fn refuses_value(to: &Address) -> bool {
        tests::REFUSING.with(|r| r.borrow().contains(to))
    }

    /// A value the constructor stored is absent: impossible (traps).
    #[cold]
    fn missing() -> ! {
        panic!("circuit_breaker: state written at construction is missing")
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use bulwark_core::breaker::{LimiterParams, PriceBandParams, Rejection, WindowParams};
        use ink::env::test;
        use ink::U256;
        use scale::Encode;

        type Env = bulwark_ink::BulwarkEnv;

        thread_local! {
            /// Addresses that refuse plain value, as a contract without a
            /// receive can on pallet-revive (`refuses_value`).
            pub(super) static REFUSING: core::cell::RefCell<Vec<Address>> = const { core::cell::RefCell::new(Vec::new()) };
        }

        fn refuses(who: Address) {
            REFUSING.with(|r| r.borrow_mut().push(who));
        }

        const SEC: u64 = 1_000;
        const HOUR: u64 = 3_600_000;
        const SEL: FixedBytes<4> = FixedBytes(*b"wdrw");
        /// 6-decimal base units on a 9-decimal feed: a price of `ONE` values a base unit at one value unit.
        const UNITS: AssetUnits = AssetUnits { decimals: 6, price_decimals: 9 };
        const ONE: Balance = 1_000_000_000;

        fn accounts() -> test::DefaultAccounts {
            test::default_accounts()
        }

        fn params() -> BreakerParams {
            BreakerParams {
                limiter: LimiterParams {
                    windows: ink::prelude::vec![WindowParams { length_ms: HOUR, max_bps_of_tvl: 100, floor: 0 }],
                    inflow_decay_ms: 600_000,
                },
                price: PriceBandParams {
                    max_deviation_bps: 1_000,
                    max_staleness_ms: HOUR,
                    reference_smoothing_bps: 1_000,
                },
                throttle_bps: 5_000,
                throttle_ms: HOUR,
                halt_ms: 4 * HOUR,
                // Every window escalates: these tests drive escalation with small TVLs.
                min_escalating_limit: 0,
            }
        }

        /// admin = alice, oracle = bob, protected = charlie, guardian = django, fund = frank.
        fn roles() -> BreakerRoles {
            let a = accounts();
            BreakerRoles {
                admin: a.alice,
                oracle: a.bob,
                protected: a.charlie,
                guardians: ink::prelude::vec![a.django],
                insurance_fund: a.frank,
                min_bond: 1_000,
                bond_settle_within_ms: 7 * 24 * HOUR,
            }
        }

        /// The end user whose funds the protected protocol moves.
        fn user() -> Address {
            Address::from([0x42; 20])
        }

        fn as_caller(who: Address) {
            test::set_caller(who);
        }

        /// Block time `ms` (whole seconds: pallet-revive's clock ticks in seconds).
        fn at(ms: u64) {
            assert_eq!(ms % SEC, 0, "pallet-revive block timestamps are whole seconds");
            test::set_block_timestamp::<Env>(ms / SEC);
        }

        /// `native` units in the chain's Ethereum view.
        fn eth(native: Balance) -> U256 {
            eth_value(native)
        }

        /// A breaker with asset 1 registered: TVL 1_000_000 at price 1.0.
        fn deployed() -> CircuitBreaker {
            at(SEC);
            as_caller(accounts().alice);
            let mut cb = CircuitBreaker::new(Core(params()), roles()).expect("valid params");
            cb.register_asset(1, Core(UNITS), 1_000_000, ONE).expect("admin registers");
            cb
        }

        fn events() -> usize {
            test::recorded_events().len()
        }

        fn breaker_err(e: BreakerError) -> Error {
            e.into()
        }

        fn pause_err(e: core_breaker::PauseError) -> Error {
            BreakerError::Pause(e).into()
        }

        #[ink::test]
        fn constructor_rejects_bad_params() {
            let mut p = params();
            p.limiter.windows.clear();
            let err = CircuitBreaker::new(Core(p), roles()).err();
            assert_eq!(err, Some(breaker_err(BreakerError::InvalidParams(bulwark_core::ParamError::WindowCount))));
        }

        #[ink::test]
        fn register_asset_is_admin_only_and_once() {
            let mut cb = deployed();
            assert_eq!(cb.register_asset(1, Core(UNITS), 5, ONE), Err(Error::AssetExists));
            assert_eq!(cb.register_asset(2, Core(UNITS), 5, 0), Err(breaker_err(BreakerError::ZeroPrice)));
            let too_fine = AssetUnits { decimals: 30, price_decimals: 18 };
            assert_eq!(
                cb.register_asset(2, Core(too_fine), 5, ONE),
                Err(breaker_err(BreakerError::InvalidParams(bulwark_core::ParamError::AssetUnits)))
            );
            as_caller(accounts().bob);
            assert_eq!(cb.register_asset(2, Core(UNITS), 5, ONE), Err(Error::NotAdmin));
            assert_eq!(cb.asset_flow(1).map(|f| f.0.tvl), Ok(1_000_000));
            assert_eq!(cb.asset_flow(9), Err(Error::UnknownAsset));
        }

        /// An asset's flow does not fit one pallet-revive storage value (416
        /// bytes); the glue stores it in cells that do.
        #[ink::test]
        fn an_asset_flow_outgrows_one_revive_cell_and_is_kept_whole() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            for i in 0..13u64 {
                at(SEC + i * 60 * SEC);
                cb.record_inflow(1, user(), 1_000).expect("protected caller");
            }
            let flow = cb.asset_flow(1).expect("registered").0;
            assert!(flow.encode().len() > 416, "{} bytes", flow.encode().len());
            assert_eq!(flow.tvl, 1_013_000);
            assert!(cb.account_flow(1, user()).0.encode().len() > 416);
        }

        #[ink::test]
        fn check_outflow_allows_then_rejects_and_keeps_the_trip() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            let before = events();
            let d = cb.check_outflow(1, user(), SEL, 10_000).expect("protected caller");
            assert!(d.0.is_allowed());
            assert_eq!(events(), before + bulwark_ink::abi::RECORDS_PER_EVENT, "OutflowChecked emitted");
            assert_eq!(cb.level(), Core(Level::Throttled), "filling the window raised the level and it stuck");
            let d = cb.check_outflow(1, user(), SEL, 1).expect("a rejection is still Ok");
            assert_eq!(d, Core(Decision::Rejected(Rejection::LimitExceeded { window: 0 })));
            assert_eq!(cb.asset_flow(1).map(|f| f.0.tvl), Ok(990_000));
            assert_eq!(cb.check_outflow(7, user(), SEL, 1), Err(Error::UnknownAsset));
            as_caller(accounts().eve);
            assert_eq!(cb.check_outflow(1, user(), SEL, 1), Err(Error::NotProtected));
        }

        #[ink::test]
        fn record_inflow_fills_the_buffer_for_the_protected_caller_only() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            cb.record_inflow(1, user(), 50_000).expect("protected caller");
            assert_eq!(cb.available_outflow(1, user(), SEL), Ok(60_000), "10_000 limit + its own 50_000 buffer");
            assert_eq!(cb.available_outflow(1, accounts().django, SEL), Ok(10_000), "another account: the limit only");
            as_caller(accounts().eve);
            assert_eq!(cb.record_inflow(1, user(), 1), Err(Error::NotProtected));
            as_caller(accounts().charlie);
            assert_eq!(cb.record_inflow(1, user(), u128::MAX), Err(breaker_err(BreakerError::Overflow)));
        }

        /// A deposit opens room only for its depositor; the account's state
        /// is stored while it counts, and removed once idle.
        #[ink::test]
        fn accounts_are_kept_while_they_count_and_removed_when_idle() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            cb.record_inflow(1, user(), 50_000).expect("protected caller");
            assert_ne!(cb.account_flow(1, user()).0, AccountFlow::default());
            let d = cb.check_outflow(1, accounts().django, SEL, 10_001).expect("protected caller");
            assert_eq!(d.0, Decision::Rejected(Rejection::LimitExceeded { window: 0 }), "not its deposit");
            assert_eq!(cb.account_flow(1, accounts().django).0, AccountFlow::default(), "nothing stored for a refusal");
            assert!(!store::exists(&cb.accounts, (1, accounts().django)));
            // Ten minutes on, the deposit has decayed and nothing of the user is counted.
            at(SEC + 600_000);
            as_caller(accounts().bob);
            cb.report_price(1, ONE).expect("oracle");
            as_caller(accounts().charlie);
            assert!(cb.check_outflow(1, user(), SEL, 0).expect("protected caller").0.is_allowed());
            assert_eq!(cb.account_flow(1, user()).0, AccountFlow::default(), "idle: removed");
            assert!(!store::exists(&cb.accounts, (1, user())), "its cells are gone");
        }

        /// The value that raised the level coming back takes the escalation
        /// back; another account's deposit does not.
        #[ink::test]
        fn the_deposit_that_brings_back_an_escalating_outflow_lowers_the_level() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            assert!(cb.check_outflow(1, user(), SEL, 10_000).expect("protected caller").0.is_allowed());
            assert_eq!(cb.level().0, Level::Throttled);
            cb.record_inflow(1, accounts().django, 10_000).expect("protected caller");
            assert_eq!(cb.level().0, Level::Throttled, "not the value that left");
            cb.record_inflow(1, user(), 10_000).expect("protected caller");
            assert_eq!(cb.level().0, Level::Normal);
        }

        #[ink::test]
        fn oracle_reports_and_a_deviation_halts() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            assert_eq!(cb.report_price(1, ONE), Err(Error::NotOracle));
            as_caller(accounts().bob);
            assert!(matches!(cb.report_price(1, ONE), Ok(Core(PriceVerdict::WithinBand { .. }))));
            assert_eq!(cb.report_price(1, 0), Err(breaker_err(BreakerError::ZeroPrice)));
            assert!(matches!(cb.report_price(1, 2 * ONE), Ok(Core(PriceVerdict::Deviated { .. }))));
            assert_eq!(cb.level().0, Level::Halted);
            as_caller(accounts().charlie);
            assert_eq!(cb.check_outflow(1, user(), SEL, 1), Ok(Core(Decision::Rejected(Rejection::Halted))));
        }

        #[ink::test]
        fn guardians_pause_only_the_admin_unpauses() {
            let mut cb = deployed();
            let scope = Core(PauseScope::Asset(1));
            as_caller(accounts().eve);
            assert_eq!(cb.pause(scope), Err(Error::NotGuardian));
            as_caller(accounts().django);
            cb.pause(scope).expect("a guardian pauses");
            assert_eq!(cb.pause(scope), Err(pause_err(core_breaker::PauseError::AlreadyPaused)));
            assert_eq!(cb.unpause(scope), Err(Error::NotAdmin), "a guardian cannot unpause");
            as_caller(accounts().charlie);
            assert_eq!(cb.check_outflow(1, user(), SEL, 1), Ok(Core(Decision::Rejected(Rejection::AssetPaused))));
            as_caller(accounts().alice);
            cb.unpause(scope).expect("the admin unpauses");
            assert!(cb.pauses().0.assets.is_empty());
            assert_eq!(cb.unpause(scope), Err(pause_err(core_breaker::PauseError::NotPaused)));
        }

        /// Issue 21 item 9: a guardian paused made-up asset ids until the
        /// 64 slots were full, and then no registered asset could be paused.
        #[ink::test]
        fn a_guardian_cannot_fill_the_pause_list_with_unregistered_assets() {
            let mut cb = deployed();
            as_caller(accounts().django);
            for junk in 100..100 + core_breaker::pause::MAX_PAUSED_ENTRIES as AssetId {
                assert_eq!(
                    cb.pause(Core(PauseScope::Asset(junk))),
                    Err(pause_err(core_breaker::PauseError::UnknownAsset))
                );
            }
            assert!(cb.pauses().0.assets.is_empty());
            cb.pause(Core(PauseScope::Asset(1))).expect("the registered asset can still be paused");
            assert_eq!(cb.pauses().0.assets, ink::prelude::vec![1]);
        }

        /// Four windows and a full pause list are more than one
        /// pallet-revive storage value holds; they are stored and read back.
        #[ink::test]
        fn a_full_pause_list_is_stored() {
            at(SEC);
            as_caller(accounts().alice);
            let mut p = params();
            p.limiter.windows =
                (1..=4).map(|h| WindowParams { length_ms: h * HOUR, max_bps_of_tvl: 100, floor: 0 }).collect();
            let mut cb = CircuitBreaker::new(Core(p.clone()), roles()).expect("valid params");
            as_caller(accounts().django);
            for i in 0..core_breaker::pause::MAX_PAUSED_ENTRIES as u32 {
                cb.pause(Core(PauseScope::Selector(i.to_be_bytes()))).expect("room for 64");
            }
            assert_eq!(
                cb.pause(Core(PauseScope::Selector(*b"full"))),
                Err(pause_err(core_breaker::PauseError::TooManyPaused))
            );
            assert_eq!(cb.pauses().0.selectors.len(), core_breaker::pause::MAX_PAUSED_ENTRIES);
            assert_eq!(cb.params().0, p);
            assert!(cb.state().encode().len() > 416, "{} bytes", cb.state().encode().len());
        }

        #[ink::test]
        fn trip_and_reset_have_separate_authority() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            assert_eq!(cb.trip(), Err(Error::NotGuardian));
            as_caller(accounts().django);
            cb.trip().expect("a guardian trips");
            assert_eq!(cb.level().0, Level::Halted);
            assert_eq!(cb.reset(), Err(Error::NotAdmin));
            // The halt expires by itself, into a throttle.
            at(SEC + 4 * HOUR);
            assert_eq!(cb.level().0, Level::Throttled);
            as_caller(accounts().alice);
            cb.reset().expect("the admin resets");
            assert_eq!(cb.level().0, Level::Normal);
        }

        #[ink::test]
        fn bonded_trips_are_concurrent_settled_by_id_and_released_after_the_deadline() {
            let mut cb = deployed();
            let (eve, bob) = (accounts().eve, accounts().bob);
            as_caller(eve);
            test::set_value_transferred(eth(999));
            assert_eq!(cb.trip_with_bond(), Err(Error::Bond(Core(BondError::BondTooSmall))));
            test::set_value_transferred(eth(1_000));
            let first = cb.trip_with_bond().expect("bond posted");
            assert_eq!(cb.level().0, Level::Halted);
            as_caller(bob);
            test::set_value_transferred(eth(2_000));
            let second = cb.trip_with_bond().expect("a pending trip never blocks another");
            assert_ne!(first, second);
            test::set_value_transferred(U256::zero());
            as_caller(eve);
            assert_eq!(cb.settle_trip(first, true), Err(Error::NotAdmin));
            // The contract holds the bonds (the test env does not move them for us).
            test::set_contract_balance(test::callee(), eth(1_000_000));
            let before = test::get_contract_balance::<Env>(eve).expect("eve exists");
            as_caller(accounts().alice);
            cb.settle_trip(first, true).expect("confirmed");
            assert_eq!(test::get_contract_balance::<Env>(eve), Ok(before + eth(1_000)), "bond refunded");
            assert_eq!(cb.pending_trip(first), None);
            assert_eq!(cb.settle_trip(first, false), Err(Error::UnknownTrip), "settled once, by id");
            assert!(cb.pending_trip(second).is_some(), "the other trip is untouched");
            // Unjudged past its deadline: anyone releases it, the admin no longer slashes it.
            as_caller(eve);
            assert_eq!(cb.release_bond(second), Err(Error::Bond(Core(BondError::NotYetReleasable))));
            at(SEC + 7 * 24 * HOUR);
            as_caller(accounts().alice);
            assert_eq!(cb.settle_trip(second, false), Err(Error::Bond(Core(BondError::SettleDeadlinePassed))));
            let bob_before = test::get_contract_balance::<Env>(bob).expect("bob exists");
            as_caller(eve);
            cb.release_bond(second).expect("released by anyone");
            assert_eq!(test::get_contract_balance::<Env>(bob), Ok(bob_before + eth(2_000)));
            assert_eq!(cb.pending_trip(second), None);
            assert_eq!((cb.owed_refund(eve), cb.owed_refund(bob)), (0, 0), "pushed: nothing owed");
        }

        /// A poster that refuses plain value (the off-chain env's transfer
        /// never calls the recipient, so `refuses_value` stands in for it)
        /// no longer blocks its trip: settled or released, the trip closes
        /// and the bond is owed to the poster, who alone withdraws it, once,
        /// to an address it names.
        #[ink::test]
        fn a_refused_refund_is_owed_to_its_poster_who_withdraws_it_once_anywhere() {
            let mut cb = deployed();
            let (eve, bob, to) = (accounts().eve, accounts().bob, accounts().django);
            refuses(eve);
            as_caller(eve);
            test::set_value_transferred(eth(1_000));
            let released = cb.trip_with_bond().expect("bond posted");
            test::set_value_transferred(eth(3_000));
            let confirmed = cb.trip_with_bond().expect("bond posted");
            test::set_value_transferred(U256::zero());
            test::set_contract_balance(test::callee(), eth(1_000_000));
            let eve_before = test::get_contract_balance::<Env>(eve).expect("eve exists");
            let to_before = test::get_contract_balance::<Env>(to).expect("django exists");

            as_caller(accounts().alice);
            let before = events();
            cb.settle_trip(confirmed, true).expect("settled although the refund is refused");
            assert_eq!(cb.pending_trip(confirmed), None);
            assert_eq!(cb.owed_refund(eve), 3_000);
            assert_eq!(events(), before + 2 * bulwark_ink::abi::RECORDS_PER_EVENT, "RefundOwed and TripSettled");

            at(SEC + 7 * 24 * HOUR);
            as_caller(bob);
            cb.release_bond(released).expect("released although the refund is refused");
            assert_eq!(cb.pending_trip(released), None, "no trip stays pending past its deadline");
            assert_eq!(cb.owed_refund(eve), 4_000);
            assert_eq!(test::get_contract_balance::<Env>(eve), Ok(eve_before), "nothing was pushed");

            // Only the poster: anyone else has nothing owed.
            assert_eq!(cb.withdraw_refund(bob), Err(Error::Bond(Core(BondError::NothingOwed))));
            assert_eq!(cb.owed_refund(eve), 4_000);
            // A withdrawal the recipient refuses fails and the credit stays.
            as_caller(eve);
            assert_eq!(cb.withdraw_refund(eve), Err(Error::TransferFailed));
            assert_eq!(cb.owed_refund(eve), 4_000);
            let before = events();
            assert_eq!(cb.withdraw_refund(to), Ok(4_000));
            assert_eq!(events(), before + bulwark_ink::abi::RECORDS_PER_EVENT, "RefundWithdrawn");
            assert_eq!(test::get_contract_balance::<Env>(to), Ok(to_before + eth(4_000)));
            assert_eq!(test::get_contract_balance::<Env>(test::callee()), Ok(eth(1_000_000 - 4_000)));
            assert_eq!(cb.owed_refund(eve), 0);
            assert_eq!(cb.withdraw_refund(to), Err(Error::Bond(Core(BondError::NothingOwed))), "withdrawn once");
            assert_eq!(test::get_contract_balance::<Env>(to), Ok(to_before + eth(4_000)));
        }

        /// A bond arrives in the chain's Ethereum view; one that is not a
        /// whole number of native units would leave dust core cannot
        /// count, so it is refused (and the call reverts, returning it).
        #[ink::test]
        fn a_bond_with_dust_is_refused() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            test::set_value_transferred(eth(1_000) + 1);
            assert_eq!(cb.trip_with_bond(), Err(Error::Value(Core(ValueError::NotWholeNativeUnits))));
            assert_eq!(cb.level().0, Level::Normal, "nothing happened");
            test::set_value_transferred(eth(u128::MAX) + eth(1));
            assert_eq!(cb.trip_with_bond(), Err(Error::Value(Core(ValueError::TooLarge))));
            test::set_value_transferred(eth(1_000));
            assert_eq!(cb.trip_with_bond(), Ok(0));
            assert_eq!(cb.pending_trip(0).map(|t| t.0.bond), Some(1_000), "counted in native units");
            assert_eq!(cb.pending_trip(0).map(|t| t.0.by), Some(account(&accounts().eve)));
        }

        #[ink::test]
        fn a_global_pause_blocks_fund_exits() {
            let mut cb = deployed();
            assert!(!cb.blocks_exits());
            as_caller(accounts().django);
            cb.pause(Core(PauseScope::Global)).expect("a guardian pauses");
            assert!(cb.blocks_exits());
        }

        #[ink::test]
        fn admin_reanchors_changes_params_and_roles() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            assert_eq!(cb.anchor_price(1, ONE, 3 * ONE), Err(Error::NotAdmin));
            assert_eq!(cb.set_params(Core(params())), Err(Error::NotAdmin));
            assert_eq!(cb.set_roles(roles()), Err(Error::NotAdmin));
            as_caller(accounts().bob);
            cb.report_price(1, 2 * ONE).expect("the oracle reports a real move");
            as_caller(accounts().alice);
            assert_eq!(
                cb.anchor_price(1, ONE, 3 * ONE / 2),
                Err(breaker_err(BreakerError::ReportOutOfRange { price: 2 * ONE }))
            );
            assert_eq!(cb.asset_flow(1).map(|f| f.0.price.reference), Ok(ONE), "a refused re-anchor changes nothing");
            cb.anchor_price(1, ONE, 3 * ONE).expect("admin re-anchors at the oracle's report");
            assert_eq!(cb.asset_flow(1).map(|f| f.0.price.reference), Ok(2 * ONE));
            let mut p = params();
            p.halt_ms = 0;
            assert_eq!(
                cb.set_params(Core(p)),
                Err(breaker_err(BreakerError::InvalidParams(bulwark_core::ParamError::HaltDuration)))
            );
            let mut p = params();
            p.limiter.windows[0].max_bps_of_tvl = 200;
            cb.set_params(Core(p.clone())).expect("valid params");
            assert_eq!(cb.params().0, p);
            let mut r = roles();
            r.oracle = accounts().eve;
            cb.set_roles(r.clone()).expect("admin rotates the oracle");
            assert_eq!(cb.roles(), r);
            assert_eq!(cb.bond_policy().0, r.bond_policy());
        }
    }
}

//! # circuit_breaker
//!
//! A thin ink! shell over `bulwark_core::breaker`: storage, roles, events
//! and calls. Every rule (limits, buffer, price band, levels, pauses) is a
//! call into bulwark-core.
//!
//! BreakerRoles: the **admin** (the multisig_guard) unpauses, resets, re-anchors
//! prices and changes parameters; any **guardian** pauses or trips (pausing
//! is cheap, unpausing is hard); the **oracle** reports prices; the
//! **protected** protocol calls `check_outflow` and `record_inflow` before it
//! moves funds, naming the account the funds go to or come from: a deposit
//! opens room only for its own depositor (bulwark-core's `AccountFlow`). Anyone may trip the breaker by posting a bond: the admin
//! judges each bonded trip by its id, refunding it or slashing it into the
//! insurance fund, and a bond left unjudged past its deadline can be
//! released by anyone (bulwark-core's `breaker::bond` holds these rules).
#![cfg_attr(not(feature = "std"), no_std, no_main)]
#![warn(missing_docs)]

/// The contract: its roles, storage, events, errors and messages.
#[ink::contract]
pub mod circuit_breaker {
    use bulwark_core::breaker::bond::BondOutcome;
    use bulwark_core::breaker::{
        self as core_breaker, AccountFlow, AssetFlow, AssetUnits, BondBook, BondError, BondPolicy, BondedTrip,
        BreakerError, BreakerParams, Decision, Level, PauseScope, PauseScopes, PriceVerdict, TripId,
    };
    use bulwark_core::multisig::Timelocks;
    use bulwark_core::{AssetId, Selector};
    use bulwark_ink::{account, Stored};
    use ink::env::call::{build_call, ExecutionInput, Selector as CallSelector};
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;

    /// Who may do what. Set at construction, changed only by the admin.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct BreakerRoles {
        /// Unpauses, resets, re-anchors, changes parameters: the multisig_guard.
        pub admin: AccountId,
        /// Reports prices.
        pub oracle: AccountId,
        /// The protocol whose outflows are checked.
        pub protected: AccountId,
        /// May pause any scope and trip the breaker.
        pub guardians: Vec<AccountId>,
        /// Receives slashed trip bonds (through its `add_premium`).
        pub insurance_fund: AccountId,
        /// Smallest bond for an open trip.
        pub min_bond: Balance,
        /// The admin's deadline to judge a bonded trip; after it, anyone
        /// may release the bond. Longer than the admin's Critical timelock
        /// (checked whenever the roles or the admin multisig's timelocks
        /// change; 0 for an admin that is a plain account).
        pub bond_settle_within_ms: u64,
    }

    impl BreakerRoles {
        /// The bonded-trip policy these roles set.
        pub fn bond_policy(&self) -> BondPolicy {
            BondPolicy { min_bond: self.min_bond, settle_within_ms: self.bond_settle_within_ms }
        }
    }

    /// An account's flow is kept per asset.
    type AccountKey = (AssetId, AccountId);

    /// The breaker's state: bulwark-core's breaker, each asset's and each
    /// account's flow, the roles and the bonded trips.
    #[ink(storage)]
    pub struct CircuitBreaker {
        /// Parameters, level and pauses, shared by all assets.
        breaker: Stored<core_breaker::CircuitBreaker>,
        /// Each registered asset's flow state (TVL, windows, buffer, price).
        assets: Mapping<AssetId, Stored<AssetFlow>>,
        /// Each account's own flow in each asset; an idle one is removed.
        accounts: Mapping<AccountKey, Stored<AccountFlow>>,
        /// Who may do what.
        roles: BreakerRoles,
        /// The bond policy (from `roles`) and the trip id counter.
        bonds: Stored<BondBook>,
        /// Bonded trips awaiting judgement or release, by id.
        trips: Mapping<TripId, Stored<BondedTrip>>,
    }

    /// The admin registered an asset (`register_asset`).
    #[ink(event)]
    pub struct AssetRegistered {
        /// The asset now watched.
        #[ink(topic)]
        pub asset: AssetId,
        /// How its amounts and the oracle's prices are written.
        pub units: AssetUnits,
        /// The protocol's balance of it, in base units.
        pub initial_tvl: Balance,
        /// Its first reference price.
        pub price: Balance,
    }

    /// An outflow was decided, allowed or rejected (`check_outflow`).
    #[ink(event)]
    pub struct OutflowChecked {
        /// The asset leaving.
        #[ink(topic)]
        pub asset: AssetId,
        /// The account the funds go to.
        #[ink(topic)]
        pub account: AccountId,
        /// Base units requested.
        pub amount: Balance,
        /// Allowed (with what it consumed) or rejected (with why).
        pub decision: Decision,
        /// The level after the decision.
        pub level: Level,
    }

    /// Carries the level after it: the deposit that brings back what
    /// escalated takes that escalation back.
    #[ink(event)]
    pub struct InflowRecorded {
        /// The asset entering.
        #[ink(topic)]
        pub asset: AssetId,
        /// The account the funds come from.
        #[ink(topic)]
        pub account: AccountId,
        /// Base units deposited.
        pub amount: Balance,
        /// The level after the deposit.
        pub level: Level,
    }

    /// The oracle reported a price (`report_price`).
    #[ink(event)]
    pub struct PriceReported {
        /// The asset priced.
        #[ink(topic)]
        pub asset: AssetId,
        /// The reported price.
        pub price: Balance,
        /// Within the band, or deviated (the breaker halted).
        pub verdict: PriceVerdict,
    }

    /// The admin re-anchored an asset's reference price (`anchor_price`).
    #[ink(event)]
    pub struct PriceAnchored {
        /// The asset re-anchored.
        #[ink(topic)]
        pub asset: AssetId,
        /// The new reference: the oracle's latest report.
        pub price: Balance,
    }

    /// A scope was paused (`pause`).
    #[ink(event)]
    pub struct Paused {
        /// What is paused: everything, an asset or a selector.
        pub scope: PauseScope,
        /// The guardian or admin who paused it.
        #[ink(topic)]
        pub by: AccountId,
    }

    /// The admin lifted a pause (`unpause`).
    #[ink(event)]
    pub struct Unpaused {
        /// The scope no longer paused.
        pub scope: PauseScope,
    }

    /// The breaker was halted by hand (`trip`, `trip_with_bond`).
    #[ink(event)]
    pub struct Tripped {
        /// The guardian, admin or bond poster who tripped it.
        #[ink(topic)]
        pub by: AccountId,
        /// The bond posted (0 for a guardian's trip).
        pub bond: Balance,
        /// The bonded trip's id (none for a guardian's trip).
        pub trip: Option<TripId>,
    }

    /// The admin judged a bonded trip (`settle_trip`).
    #[ink(event)]
    pub struct TripSettled {
        /// The trip's id.
        #[ink(topic)]
        pub trip: TripId,
        /// Who posted the bond.
        #[ink(topic)]
        pub by: AccountId,
        /// The bond refunded or slashed.
        pub bond: Balance,
        /// True: confirmed and refunded; false: slashed into the fund.
        pub confirmed: bool,
    }

    /// An unjudged bond went back to its poster after the deadline.
    #[ink(event)]
    pub struct BondReleased {
        /// The trip's id.
        #[ink(topic)]
        pub trip: TripId,
        /// Who posted the bond, and gets it back.
        #[ink(topic)]
        pub by: AccountId,
        /// The bond released.
        pub bond: Balance,
    }

    /// The admin put the level back to Normal (`reset`).
    #[ink(event)]
    pub struct LevelReset {}

    /// The admin replaced the parameters (`set_params`). Carries the new
    /// values, so monitors need not query.
    #[ink(event)]
    pub struct ParamsUpdated {
        /// The parameters now in force.
        pub params: BreakerParams,
    }

    /// The admin replaced the roles (`set_roles`).
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
    mod errors {
        use super::*;

        /// Why a message or the constructor failed; the call reverts.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
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
            Breaker(BreakerError),
            /// bulwark-core refused the bonded-trip operation.
            Bond(BondError),
            /// No bonded trip with this id is pending (never posted, or
            /// settled or released already).
            UnknownTrip,
            /// The bond could not be paid back to its poster.
            TransferFailed,
            /// The insurance fund did not accept the slashed bond.
            FundCallFailed,
            /// The admin is a contract that did not report its timelocks
            /// (not a multisig_guard, or the admin executing this very call,
            /// which cannot be called back: it may not shorten the bond
            /// settle window), so the bond rule cannot be checked.
            AdminTimelockUnknown,
        }
    }

    impl From<BreakerError> for Error {
        fn from(e: BreakerError) -> Self {
            Error::Breaker(e)
        }
    }

    impl From<BondError> for Error {
        fn from(e: BondError) -> Self {
            Error::Bond(e)
        }
    }

    /// The result of the breaker's fallible messages.
    pub type Result<T> = core::result::Result<T, Error>;

    impl CircuitBreaker {
        /// Deploys a breaker at Normal, nothing paused, no asset
        /// registered. `params` is `circuit_breaker` from the simulator's
        /// params.json.
        ///
        /// Caller: anyone (the deployer; it gets no role unless `roles`
        /// names it).
        /// Emits: nothing.
        /// Errors:
        /// - `AdminTimelockUnknown`: `roles.admin` is a contract that does
        ///   not answer `timelocks` (not a multisig_guard);
        /// - `Bond(InvalidPolicy(MinBond | BondSettleWindow |
        ///   BondOutlastsTimelock))`: `min_bond` is 0, the settle window is
        ///   0 or over 90 days, or not longer than the admin's Critical
        ///   timelock;
        /// - `Breaker(InvalidParams(_))`: a field of `params` out of range
        ///   (`WindowCount`, `WindowLength`, `WindowShare`, `WindowEmpty`,
        ///   `InflowDecay`, `PriceDeviation`, `PriceStaleness`,
        ///   `PriceSmoothing`, `ThrottleShare`, `ThrottleDuration`,
        ///   `HaltDuration`).
        #[ink(constructor)]
        pub fn new(params: BreakerParams, roles: BreakerRoles) -> Result<Self> {
            Self::check_bond_rule(&roles, None)?;
            Ok(Self {
                breaker: Stored(core_breaker::CircuitBreaker::new(params)?),
                assets: Mapping::default(),
                accounts: Mapping::default(),
                bonds: Stored(BondBook::new(roles.bond_policy())?),
                roles,
                trips: Mapping::default(),
            })
        }

        /// Starts watching `asset`, written in `units`, holding `initial_tvl`
        /// base units, at the oracle's `price` (see `bulwark_core::units`).
        ///
        /// Caller: the admin.
        /// Emits: `AssetRegistered`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `AssetExists`: `asset` is registered already;
        /// - `Breaker(InvalidParams(AssetUnits))`: `units` out of range;
        /// - `Breaker(ZeroPrice)`: `price` is 0.
        #[ink(message)]
        pub fn register_asset(
            &mut self,
            asset: AssetId,
            units: AssetUnits,
            initial_tvl: Balance,
            price: Balance,
        ) -> Result<()> {
            self.only_admin()?;
            if self.assets.contains(asset) {
                return Err(Error::AssetExists);
            }
            let mut flow = self.breaker.0.new_asset(units, initial_tvl)?;
            self.breaker.0.anchor_price(&mut flow, price, self.now())?;
            self.assets.insert(asset, &Stored(flow));
            self.env().emit_event(AssetRegistered { asset, units, initial_tvl, price });
            Ok(())
        }

        /// Decides an outflow of `amount` of `asset` to `account` through
        /// the protected protocol's message `selector`, and records it if
        /// allowed. A rejection is a successful call
        /// (`Ok(Decision::Rejected(_))`) so that the level it may raise is
        /// kept.
        ///
        /// Caller: the protected protocol.
        /// Emits: `OutflowChecked` (for a rejection too).
        /// Errors:
        /// - `NotProtected`: the caller is not the protected protocol;
        /// - `UnknownAsset`: `asset` is not registered.
        #[ink(message)]
        pub fn check_outflow(
            &mut self,
            asset: AssetId,
            account: AccountId,
            selector: Selector,
            amount: Balance,
        ) -> Result<Decision> {
            self.only(self.roles.protected, Error::NotProtected)?;
            let mut flow = self.flow(asset)?;
            let mut own = self.account_flow(asset, account);
            let now = self.now();
            let decision = self.breaker.0.check_outflow(asset, &mut flow, &mut own, selector, amount, now);
            self.assets.insert(asset, &Stored(flow));
            self.store_account(asset, account, own, now);
            let level = self.breaker.0.level(now);
            self.env().emit_event(OutflowChecked { asset, account, amount, decision, level });
            Ok(decision)
        }

        /// Records funds that entered the protected protocol from `account`.
        ///
        /// Caller: the protected protocol.
        /// Emits: `InflowRecorded`.
        /// Errors:
        /// - `NotProtected`: the caller is not the protected protocol;
        /// - `UnknownAsset`: `asset` is not registered;
        /// - `Breaker(Overflow)`: the tracked balance or a buffer would
        ///   overflow.
        #[ink(message)]
        pub fn record_inflow(&mut self, asset: AssetId, account: AccountId, amount: Balance) -> Result<()> {
            self.only(self.roles.protected, Error::NotProtected)?;
            let mut flow = self.flow(asset)?;
            let mut own = self.account_flow(asset, account);
            let now = self.now();
            self.breaker.0.record_inflow(&mut flow, &mut own, amount, now)?;
            self.assets.insert(asset, &Stored(flow));
            self.store_account(asset, account, own, now);
            let level = self.breaker.0.level(now);
            self.env().emit_event(InflowRecorded { asset, account, amount, level });
            Ok(())
        }

        /// The oracle's price report; a price outside the band halts.
        ///
        /// Caller: the oracle.
        /// Emits: `PriceReported`.
        /// Errors:
        /// - `NotOracle`: the caller is not the oracle;
        /// - `UnknownAsset`: `asset` is not registered;
        /// - `Breaker(ZeroPrice)`: `price` is 0.
        #[ink(message)]
        pub fn report_price(&mut self, asset: AssetId, price: Balance) -> Result<PriceVerdict> {
            self.only(self.roles.oracle, Error::NotOracle)?;
            let mut flow = self.flow(asset)?;
            let verdict = self.breaker.0.report_price(&mut flow, price, self.now())?;
            self.assets.insert(asset, &Stored(flow));
            self.env().emit_event(PriceReported { asset, price, verdict });
            Ok(verdict)
        }

        /// Pauses a scope: any guardian, or the admin. An asset scope must
        /// name a registered asset (`Breaker(Pause(UnknownAsset))`
        /// otherwise), so made-up ids cannot fill the bounded pause list.
        ///
        /// Caller: a guardian or the admin.
        /// Emits: `Paused`.
        /// Errors:
        /// - `NotGuardian`: the caller is neither a guardian nor the admin;
        /// - `Breaker(Pause(UnknownAsset))`: an asset scope names an
        ///   unregistered asset;
        /// - `Breaker(Pause(AlreadyPaused))`: `scope` is paused already;
        /// - `Breaker(Pause(TooManyPaused))`: the asset or selector pause
        ///   list is full (64 entries).
        #[ink(message)]
        pub fn pause(&mut self, scope: PauseScope) -> Result<()> {
            self.only_guardian()?;
            let assets = &self.assets;
            self.breaker.0.pause(scope, |asset| assets.contains(asset))?;
            self.env().emit_event(Paused { scope, by: self.env().caller() });
            Ok(())
        }

        /// Lifts a pause: the admin only.
        ///
        /// Caller: the admin.
        /// Emits: `Unpaused`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Breaker(Pause(NotPaused))`: `scope` is not paused.
        #[ink(message)]
        pub fn unpause(&mut self, scope: PauseScope) -> Result<()> {
            self.only_admin()?;
            self.breaker.0.unpause(scope)?;
            self.env().emit_event(Unpaused { scope });
            Ok(())
        }

        /// Halts now: any guardian, or the admin.
        ///
        /// Caller: a guardian or the admin.
        /// Emits: `Tripped` (bond 0, no trip id).
        /// Errors: `NotGuardian` if the caller is neither a guardian nor the
        /// admin.
        #[ink(message)]
        pub fn trip(&mut self) -> Result<()> {
            self.only_guardian()?;
            self.breaker.0.trip(self.now());
            self.env().emit_event(Tripped { by: self.env().caller(), bond: 0, trip: None });
            Ok(())
        }

        /// Halts now, for anyone who posts at least the minimum bond.
        /// Returns the trip's id; any number may be pending at once.
        ///
        /// Caller: anyone, transferring the bond with the call.
        /// Emits: `Tripped` (with the bond and the trip's id).
        /// Errors:
        /// - `Bond(BondTooSmall)`: the value transferred is below
        ///   `min_bond`;
        /// - `Bond(Overflow)`: the deadline or the trip id counter would
        ///   overflow.
        #[ink(message, payable)]
        pub fn trip_with_bond(&mut self) -> Result<TripId> {
            let bond = self.env().transferred_value();
            let by = self.env().caller();
            let now = self.now();
            let trip = self.bonds.0.post(account(&by), bond, now)?;
            self.breaker.0.trip(now);
            self.trips.insert(trip.id, &Stored(trip.clone()));
            self.env().emit_event(Tripped { by, bond, trip: Some(trip.id) });
            Ok(trip.id)
        }

        /// The admin judges bonded trip `id` before its deadline: confirmed,
        /// the bond goes back; not confirmed, it is slashed into the fund.
        ///
        /// Caller: the admin.
        /// Emits: `TripSettled` (and a slash makes the insurance fund emit
        /// its `PremiumAdded`).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownTrip`: no trip `id` is pending;
        /// - `Bond(SettleDeadlinePassed)`: the trip's deadline passed (it
        ///   can only be released now);
        /// - `TransferFailed`: confirmed, the refund to the poster failed;
        /// - `FundCallFailed`: not confirmed, the insurance fund's
        ///   `add_premium` failed or refused the bond.
        #[ink(message)]
        pub fn settle_trip(&mut self, id: TripId, confirmed: bool) -> Result<()> {
            self.only_admin()?;
            let trip = self.trip_or_err(id)?;
            let outcome = self.bonds.0.settle(&trip, confirmed, self.now())?;
            self.trips.remove(id);
            self.pay_bond(&trip, outcome)?;
            self.env().emit_event(TripSettled { trip: id, by: AccountId::from(trip.by), bond: trip.bond, confirmed });
            Ok(())
        }

        /// Anyone may release an unjudged bond to its poster once the
        /// deadline passed.
        ///
        /// Caller: anyone.
        /// Emits: `BondReleased`.
        /// Errors:
        /// - `UnknownTrip`: no trip `id` is pending;
        /// - `Bond(NotYetReleasable)`: the trip's deadline has not passed;
        /// - `TransferFailed`: the refund to the poster failed.
        #[ink(message)]
        pub fn release_bond(&mut self, id: TripId) -> Result<()> {
            let trip = self.trip_or_err(id)?;
            let outcome = self.bonds.0.release(&trip, self.now())?;
            self.trips.remove(id);
            self.pay_bond(&trip, outcome)?;
            self.env().emit_event(BondReleased { trip: id, by: AccountId::from(trip.by), bond: trip.bond });
            Ok(())
        }

        /// Back to Normal at once: the admin only.
        ///
        /// Caller: the admin.
        /// Emits: `LevelReset`.
        /// Errors: `NotAdmin` if the caller is not the admin.
        #[ink(message)]
        pub fn reset(&mut self) -> Result<()> {
            self.only_admin()?;
            self.breaker.0.reset();
            self.env().emit_event(LevelReset {});
            Ok(())
        }

        /// Re-anchors an asset's reference price after a real move, at the
        /// oracle's latest fresh report if it lies in `[min_price,
        /// max_price]` (the range governance approved when it proposed the
        /// call): the admin only. Fails, changing nothing, otherwise.
        ///
        /// Caller: the admin.
        /// Emits: `PriceAnchored`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownAsset`: `asset` is not registered;
        /// - `Breaker(EmptyAnchorRange)`: `min_price` is 0 or above
        ///   `max_price`;
        /// - `Breaker(NoFreshReport)`: no oracle report within
        ///   `max_staleness_ms`;
        /// - `Breaker(ReportOutOfRange { price })`: the latest report lies
        ///   outside `[min_price, max_price]`.
        #[ink(message)]
        pub fn anchor_price(&mut self, asset: AssetId, min_price: Balance, max_price: Balance) -> Result<()> {
            self.only_admin()?;
            let mut flow = self.flow(asset)?;
            let price = self.breaker.0.reanchor(&mut flow, min_price, max_price, self.now())?;
            self.assets.insert(asset, &Stored(flow));
            self.env().emit_event(PriceAnchored { asset, price });
            Ok(())
        }

        /// Replaces the parameters. Windows whose length changed restart
        /// empty on the asset's next outflow.
        ///
        /// Caller: the admin.
        /// Emits: `ParamsUpdated`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Breaker(InvalidParams(_))`: a field of `params` out of range
        ///   (as for the constructor).
        #[ink(message)]
        pub fn set_params(&mut self, params: BreakerParams) -> Result<()> {
            self.only_admin()?;
            self.breaker.0.set_params(params.clone())?;
            self.env().emit_event(ParamsUpdated { params });
            Ok(())
        }

        /// Replaces the roles. The bond settle window must outlast the new
        /// admin's Critical timelock (asked of the admin if it is a
        /// contract); under an unchanged admin it is asked only if the
        /// window shrinks (bulwark-core's `BondPolicy::shortens`).
        ///
        /// Caller: the admin.
        /// Emits: `RolesUpdated`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `AdminTimelockUnknown`: the timelock had to be asked and the
        ///   new admin is a contract that did not report it (not a
        ///   multisig_guard, or the admin executing this very call);
        /// - `Bond(InvalidPolicy(MinBond | BondSettleWindow |
        ///   BondOutlastsTimelock))`: `min_bond` is 0, the settle window is
        ///   0 or over 90 days, or (when checked) not longer than the
        ///   admin's Critical timelock.
        #[ink(message)]
        pub fn set_roles(&mut self, roles: BreakerRoles) -> Result<()> {
            self.only_admin()?;
            Self::check_bond_rule(&roles, Some(&self.roles))?;
            self.bonds.0.set_policy(roles.bond_policy())?;
            self.roles = roles.clone();
            self.env().emit_event(RolesUpdated { roles });
            Ok(())
        }

        /// The level now.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn level(&self) -> Level {
            self.breaker.0.level(self.now())
        }

        /// Whether insurance-fund exits must wait (halted or globally
        /// paused); the insurance fund asks this before every exit.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn blocks_exits(&self) -> bool {
            self.breaker.0.blocks_exits(self.now())
        }

        /// The most `check_outflow` would allow `account` now.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `UnknownAsset` if `asset` is not registered.
        #[ink(message)]
        pub fn available_outflow(&self, asset: AssetId, account: AccountId, selector: Selector) -> Result<Balance> {
            let flow = self.flow(asset)?;
            let own = self.account_flow(asset, account);
            Ok(self.breaker.0.available_outflow(asset, &flow, &own, selector, self.now()))
        }

        /// `account`'s own flow in `asset` (empty when idle).
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn account_flow(&self, asset: AssetId, account: AccountId) -> AccountFlow {
            self.accounts.get((asset, account)).map(|s| s.0).unwrap_or_default()
        }

        /// `asset`'s flow state: TVL, windows, buffer and price.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `UnknownAsset` if `asset` is not registered.
        #[ink(message)]
        pub fn asset_flow(&self, asset: AssetId) -> Result<AssetFlow> {
            self.flow(asset)
        }

        /// The parameters in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn params(&self) -> BreakerParams {
            self.breaker.0.params().clone()
        }

        /// The active pauses.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn pauses(&self) -> PauseScopes {
            self.breaker.0.pauses.clone()
        }

        /// The roles in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn roles(&self) -> BreakerRoles {
            self.roles.clone()
        }

        /// The bonded-trip policy: what the admin multisig_guard checks its
        /// own timelock changes against.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn bond_policy(&self) -> BondPolicy {
            self.roles.bond_policy()
        }

        /// A bonded trip awaiting judgement or release.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn pending_trip(&self, id: TripId) -> Option<BondedTrip> {
            self.trips.get(id).map(|s| s.0)
        }

        fn now(&self) -> Timestamp {
            self.env().block_timestamp()
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
            policy.validate_with_admin_timelock(critical_ms).map_err(|e| Error::Bond(BondError::InvalidPolicy(e)))
        }

        /// The Critical timelock of `admin`: 0 for a plain account (it acts
        /// at once), asked of a contract (a multisig_guard's `timelocks`).
        /// A failed call or an undecodable reply is `AdminTimelockUnknown`.
        fn admin_critical_timelock(admin: AccountId) -> Result<u64> {
            if !Self::env().is_contract(&admin) {
                return Ok(0);
            }
            let reply = build_call::<Environment>()
                .call(admin)
                .exec_input(ExecutionInput::new(CallSelector::new(ink::selector_bytes!("timelocks"))))
                .returns::<core::result::Result<Timelocks, ()>>()
                .try_invoke();
            match reply {
                Ok(Ok(Ok(t))) => Ok(t.critical_ms),
                _ => Err(Error::AdminTimelockUnknown),
            }
        }

        fn trip_or_err(&self, id: TripId) -> Result<BondedTrip> {
            self.trips.get(id).map(|s| s.0).ok_or(Error::UnknownTrip)
        }

        /// Pays a settled bond: back to its poster, or into the fund. The
        /// fund's `add_premium` gets all the gas left: the fund is the
        /// deployment's own, and a slash it does not take must revert the
        /// whole settlement (the trip stays pending), not half-run.
        fn pay_bond(&self, trip: &BondedTrip, outcome: BondOutcome) -> Result<()> {
            match outcome {
                BondOutcome::Refund(bond) => {
                    self.env().transfer(AccountId::from(trip.by), bond).map_err(|_| Error::TransferFailed)
                }
                BondOutcome::Slash(bond) => build_call::<Environment>()
                    .call(self.roles.insurance_fund)
                    .transferred_value(bond)
                    .exec_input(ExecutionInput::new(CallSelector::new(ink::selector_bytes!("add_premium"))))
                    .returns::<core::result::Result<(), ()>>()
                    .try_invoke()
                    .map_err(|_| Error::FundCallFailed)?
                    .map_err(|_| Error::FundCallFailed)?
                    .map_err(|_| Error::FundCallFailed),
            }
        }

        fn flow(&self, asset: AssetId) -> Result<AssetFlow> {
            self.assets.get(asset).map(|s| s.0).ok_or(Error::UnknownAsset)
        }

        /// Stores `account`'s flow, or removes it once idle (it then
        /// decides like a fresh one, and its storage deposit is returned).
        fn store_account(&mut self, asset: AssetId, account: AccountId, own: AccountFlow, now: u64) {
            if own.is_idle(now, self.breaker.0.params().limiter.inflow_decay_ms) {
                self.accounts.remove((asset, account));
            } else {
                self.accounts.insert((asset, account), &Stored(own));
            }
        }

        fn only(&self, who: AccountId, err: Error) -> Result<()> {
            if self.env().caller() == who {
                Ok(())
            } else {
                Err(err)
            }
        }

        fn only_admin(&self) -> Result<()> {
            self.only(self.roles.admin, Error::NotAdmin)
        }

        fn only_guardian(&self) -> Result<()> {
            let caller = self.env().caller();
            if caller == self.roles.admin || self.roles.guardians.contains(&caller) {
                Ok(())
            } else {
                Err(Error::NotGuardian)
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use bulwark_core::breaker::{LimiterParams, PriceBandParams, Rejection, WindowParams};
        use ink::env::test;
        use ink::env::DefaultEnvironment as Env;

        const HOUR: u64 = 3_600_000;
        const SEL: Selector = *b"wdrw";
        /// 6-decimal base units on a 9-decimal feed: a price of `ONE` values a base unit at one value unit.
        const UNITS: AssetUnits = AssetUnits { decimals: 6, price_decimals: 9 };
        const ONE: Balance = 1_000_000_000;

        fn accounts() -> test::DefaultAccounts<Env> {
            test::default_accounts::<Env>()
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
        fn user() -> AccountId {
            AccountId::from([0x42; 32])
        }

        fn as_caller(who: AccountId) {
            test::set_caller::<Env>(who);
        }

        fn at(ms: u64) {
            test::set_block_timestamp::<Env>(ms);
        }

        /// A breaker with asset 1 registered: TVL 1_000_000 at price 1.0.
        fn deployed() -> CircuitBreaker {
            at(1);
            as_caller(accounts().alice);
            let mut cb = CircuitBreaker::new(params(), roles()).expect("valid params");
            cb.register_asset(1, UNITS, 1_000_000, ONE).expect("admin registers");
            cb
        }

        fn events() -> usize {
            test::recorded_events().count()
        }

        #[ink::test]
        fn constructor_rejects_bad_params() {
            let mut p = params();
            p.limiter.windows.clear();
            let err = CircuitBreaker::new(p, roles()).err();
            assert_eq!(err, Some(Error::Breaker(BreakerError::InvalidParams(bulwark_core::ParamError::WindowCount))));
        }

        #[ink::test]
        fn register_asset_is_admin_only_and_once() {
            let mut cb = deployed();
            assert_eq!(cb.register_asset(1, UNITS, 5, ONE), Err(Error::AssetExists));
            assert_eq!(cb.register_asset(2, UNITS, 5, 0), Err(Error::Breaker(BreakerError::ZeroPrice)));
            let too_fine = AssetUnits { decimals: 30, price_decimals: 18 };
            assert_eq!(
                cb.register_asset(2, too_fine, 5, ONE),
                Err(Error::Breaker(BreakerError::InvalidParams(bulwark_core::ParamError::AssetUnits)))
            );
            as_caller(accounts().bob);
            assert_eq!(cb.register_asset(2, UNITS, 5, ONE), Err(Error::NotAdmin));
            assert_eq!(cb.asset_flow(1).map(|f| f.tvl), Ok(1_000_000));
            assert_eq!(cb.asset_flow(9), Err(Error::UnknownAsset));
        }

        #[ink::test]
        fn check_outflow_allows_then_rejects_and_keeps_the_trip() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            let before = events();
            let d = cb.check_outflow(1, user(), SEL, 10_000).expect("protected caller");
            assert!(d.is_allowed());
            assert_eq!(events(), before + 1, "OutflowChecked emitted");
            assert_eq!(cb.level(), Level::Throttled, "filling the window raised the level and it stuck");
            let d = cb.check_outflow(1, user(), SEL, 1).expect("a rejection is still Ok");
            assert_eq!(d, Decision::Rejected(Rejection::LimitExceeded { window: 0 }));
            assert_eq!(cb.asset_flow(1).map(|f| f.tvl), Ok(990_000));
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
            assert_eq!(cb.record_inflow(1, user(), u128::MAX), Err(Error::Breaker(BreakerError::Overflow)));
        }

        /// A deposit opens room only for its depositor; the account's state
        /// is stored while it counts, and removed once idle.
        #[ink::test]
        fn accounts_are_kept_while_they_count_and_removed_when_idle() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            cb.record_inflow(1, user(), 50_000).expect("protected caller");
            assert_ne!(cb.account_flow(1, user()), AccountFlow::default());
            let d = cb.check_outflow(1, accounts().django, SEL, 10_001).expect("protected caller");
            assert_eq!(d, Decision::Rejected(Rejection::LimitExceeded { window: 0 }), "not its deposit");
            assert_eq!(cb.account_flow(1, accounts().django), AccountFlow::default(), "nothing stored for a refusal");
            // Ten minutes on, the deposit has decayed and nothing of the user is counted.
            at(1 + 600_000);
            as_caller(accounts().bob);
            cb.report_price(1, ONE).expect("oracle");
            as_caller(accounts().charlie);
            assert!(cb.check_outflow(1, user(), SEL, 0).expect("protected caller").is_allowed());
            assert_eq!(cb.account_flow(1, user()), AccountFlow::default(), "idle: removed");
        }

        /// The value that raised the level coming back takes the escalation
        /// back; another account's deposit does not.
        #[ink::test]
        fn the_deposit_that_brings_back_an_escalating_outflow_lowers_the_level() {
            let mut cb = deployed();
            as_caller(accounts().charlie);
            assert!(cb.check_outflow(1, user(), SEL, 10_000).expect("protected caller").is_allowed());
            assert_eq!(cb.level(), Level::Throttled);
            cb.record_inflow(1, accounts().django, 10_000).expect("protected caller");
            assert_eq!(cb.level(), Level::Throttled, "not the value that left");
            cb.record_inflow(1, user(), 10_000).expect("protected caller");
            assert_eq!(cb.level(), Level::Normal);
        }

        #[ink::test]
        fn oracle_reports_and_a_deviation_halts() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            assert_eq!(cb.report_price(1, ONE), Err(Error::NotOracle));
            as_caller(accounts().bob);
            assert!(matches!(cb.report_price(1, ONE), Ok(PriceVerdict::WithinBand { .. })));
            assert_eq!(cb.report_price(1, 0), Err(Error::Breaker(BreakerError::ZeroPrice)));
            assert!(matches!(cb.report_price(1, 2 * ONE), Ok(PriceVerdict::Deviated { .. })));
            assert_eq!(cb.level(), Level::Halted);
            as_caller(accounts().charlie);
            assert_eq!(cb.check_outflow(1, user(), SEL, 1), Ok(Decision::Rejected(Rejection::Halted)));
        }

        #[ink::test]
        fn guardians_pause_only_the_admin_unpauses() {
            let mut cb = deployed();
            let scope = PauseScope::Asset(1);
            as_caller(accounts().eve);
            assert_eq!(cb.pause(scope), Err(Error::NotGuardian));
            as_caller(accounts().django);
            cb.pause(scope).expect("a guardian pauses");
            assert_eq!(
                cb.pause(scope),
                Err(Error::Breaker(BreakerError::Pause(core_breaker::PauseError::AlreadyPaused)))
            );
            assert_eq!(cb.unpause(scope), Err(Error::NotAdmin), "a guardian cannot unpause");
            as_caller(accounts().charlie);
            assert_eq!(cb.check_outflow(1, user(), SEL, 1), Ok(Decision::Rejected(Rejection::AssetPaused)));
            as_caller(accounts().alice);
            cb.unpause(scope).expect("the admin unpauses");
            assert!(cb.pauses().assets.is_empty());
            assert_eq!(
                cb.unpause(scope),
                Err(Error::Breaker(BreakerError::Pause(core_breaker::PauseError::NotPaused)))
            );
        }

        /// Issue 21 item 9: a guardian paused made-up asset ids until the
        /// 64 slots were full, and then no registered asset could be paused.
        #[ink::test]
        fn a_guardian_cannot_fill_the_pause_list_with_unregistered_assets() {
            let mut cb = deployed();
            as_caller(accounts().django);
            for junk in 100..100 + core_breaker::pause::MAX_PAUSED_ENTRIES as AssetId {
                assert_eq!(
                    cb.pause(PauseScope::Asset(junk)),
                    Err(Error::Breaker(BreakerError::Pause(core_breaker::PauseError::UnknownAsset)))
                );
            }
            assert!(cb.pauses().assets.is_empty());
            cb.pause(PauseScope::Asset(1)).expect("the registered asset can still be paused");
            assert_eq!(cb.pauses().assets, ink::prelude::vec![1]);
        }

        #[ink::test]
        fn trip_and_reset_have_separate_authority() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            assert_eq!(cb.trip(), Err(Error::NotGuardian));
            as_caller(accounts().django);
            cb.trip().expect("a guardian trips");
            assert_eq!(cb.level(), Level::Halted);
            assert_eq!(cb.reset(), Err(Error::NotAdmin));
            // The halt expires by itself, into a throttle.
            at(1 + 4 * HOUR);
            assert_eq!(cb.level(), Level::Throttled);
            as_caller(accounts().alice);
            cb.reset().expect("the admin resets");
            assert_eq!(cb.level(), Level::Normal);
        }

        #[ink::test]
        fn bonded_trips_are_concurrent_settled_by_id_and_released_after_the_deadline() {
            let mut cb = deployed();
            let (eve, bob) = (accounts().eve, accounts().bob);
            as_caller(eve);
            test::set_value_transferred::<Env>(999);
            assert_eq!(cb.trip_with_bond(), Err(Error::Bond(BondError::BondTooSmall)));
            test::set_value_transferred::<Env>(1_000);
            let first = cb.trip_with_bond().expect("bond posted");
            assert_eq!(cb.level(), Level::Halted);
            as_caller(bob);
            test::set_value_transferred::<Env>(2_000);
            let second = cb.trip_with_bond().expect("a pending trip never blocks another");
            assert_ne!(first, second);
            test::set_value_transferred::<Env>(0);
            as_caller(eve);
            assert_eq!(cb.settle_trip(first, true), Err(Error::NotAdmin));
            // The contract holds the bonds (the test env does not move them for us).
            test::set_account_balance::<Env>(test::callee::<Env>(), 1_000_000);
            let before = test::get_account_balance::<Env>(eve).expect("eve exists");
            as_caller(accounts().alice);
            cb.settle_trip(first, true).expect("confirmed");
            assert_eq!(test::get_account_balance::<Env>(eve), Ok(before + 1_000), "bond refunded");
            assert_eq!(cb.pending_trip(first), None);
            assert_eq!(cb.settle_trip(first, false), Err(Error::UnknownTrip), "settled once, by id");
            assert!(cb.pending_trip(second).is_some(), "the other trip is untouched");
            // Unjudged past its deadline: anyone releases it, the admin no longer slashes it.
            as_caller(eve);
            assert_eq!(cb.release_bond(second), Err(Error::Bond(BondError::NotYetReleasable)));
            at(1 + 7 * 24 * HOUR);
            as_caller(accounts().alice);
            assert_eq!(cb.settle_trip(second, false), Err(Error::Bond(BondError::SettleDeadlinePassed)));
            let bob_before = test::get_account_balance::<Env>(bob).expect("bob exists");
            as_caller(eve);
            cb.release_bond(second).expect("released by anyone");
            assert_eq!(test::get_account_balance::<Env>(bob), Ok(bob_before + 2_000));
            assert_eq!(cb.pending_trip(second), None);
        }

        #[ink::test]
        fn a_global_pause_blocks_fund_exits() {
            let mut cb = deployed();
            assert!(!cb.blocks_exits());
            as_caller(accounts().django);
            cb.pause(PauseScope::Global).expect("a guardian pauses");
            assert!(cb.blocks_exits());
        }

        #[ink::test]
        fn admin_reanchors_changes_params_and_roles() {
            let mut cb = deployed();
            as_caller(accounts().eve);
            assert_eq!(cb.anchor_price(1, ONE, 3 * ONE), Err(Error::NotAdmin));
            assert_eq!(cb.set_params(params()), Err(Error::NotAdmin));
            assert_eq!(cb.set_roles(roles()), Err(Error::NotAdmin));
            as_caller(accounts().bob);
            cb.report_price(1, 2 * ONE).expect("the oracle reports a real move");
            as_caller(accounts().alice);
            assert_eq!(
                cb.anchor_price(1, ONE, 3 * ONE / 2),
                Err(Error::Breaker(BreakerError::ReportOutOfRange { price: 2 * ONE }))
            );
            assert_eq!(cb.asset_flow(1).map(|f| f.price.reference), Ok(ONE), "a refused re-anchor changes nothing");
            cb.anchor_price(1, ONE, 3 * ONE).expect("admin re-anchors at the oracle's report");
            assert_eq!(cb.asset_flow(1).map(|f| f.price.reference), Ok(2 * ONE));
            let mut p = params();
            p.halt_ms = 0;
            assert_eq!(
                cb.set_params(p),
                Err(Error::Breaker(BreakerError::InvalidParams(bulwark_core::ParamError::HaltDuration)))
            );
            let mut p = params();
            p.limiter.windows[0].max_bps_of_tvl = 200;
            cb.set_params(p.clone()).expect("valid params");
            assert_eq!(cb.params(), p);
            let mut r = roles();
            r.oracle = accounts().eve;
            cb.set_roles(r.clone()).expect("admin rotates the oracle");
            assert_eq!(cb.roles(), r);
        }
    }
}

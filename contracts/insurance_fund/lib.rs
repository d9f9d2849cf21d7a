//! # insurance_fund (ink! 6, pallet-revive)
//!
//! A thin ink! shell over `bulwark_core::fund`: a native-token pool with
//! shares, exit cooldowns, a solvency target, capped and pro-rata claims and
//! an excess-of-loss layer ceded to a second instance of this contract.
//!
//! FundRoles: the **admin** (the multisig_guard) approves or rejects claims and
//! sets cover, parameters and roles; **covered** protocols file claims; the
//! **breaker** is asked before every exit whether exits must wait (halted
//! or globally paused); the **reinsurer** receives the ceded part of each
//! claim as a claim of its own (this fund must be one of its covered
//! accounts). A reinsurer that refuses, traps or burns gas never blocks the
//! retained part (its call runs under limits of its own): the claim is
//! filed anyway and the cession stays pending for `retry_cession`. The
//! fund's other call, asking the breaker whether exits must wait, gets all
//! the gas left: the breaker is trusted, and an exit whose check fails must
//! fail, not proceed.
//! The per-holder ledger (free shares, one exit per holder), the ceding
//! policy and every pricing rule are bulwark-core's.
//!
//! Amounts (deposits, premiums, shares' value, cover, claims, payouts) are
//! the chain's **native units**, as in the ink! 5 shell; only the value a
//! call carries in or out is in the Ethereum view, converted by
//! `bulwark_ink::{native_value, eth_value}` (a deposit or premium that is not
//! a whole number of native units is refused). A payment out (an exit,
//! a claim) is a transfer, which on pallet-revive calls the recipient: a
//! contract that takes no plain value refuses it and the paying call
//! reverts whole.
//!
//! Each message's doc says what it does, then `Caller:`, `Emits:` and
//! `Errors:`. Under `abi = "all"` every event is emitted twice, once per
//! ABI (its ink! record, then its Solidity one; `Emits: X (once per ABI)`
//! means both), and an error is returned to a Solidity caller as the
//! custom error of its variant's name.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
#![warn(missing_docs)]

/// The contract: its roles, storage, events, errors and messages.
// ink! 6.0.0-beta.1 generates undocumented `pub type`s in this module (the
// contract reference's aliases `<Name>Ref`, `<Name>RefInk`, `<Name>RefSol`),
// so the lint is allowed on the module and warned again on each item
// written here: a new public item needs `#[warn(missing_docs)]` too.
#[allow(missing_docs)]
#[ink::contract(env = bulwark_ink::BulwarkEnv)]
pub mod insurance_fund {
    use bulwark_core::fund::{
        validate_ceding, Claim, ClaimId, ExitRequest, FundError, FundParams, Holder, InsuranceFund as Pool, Payout,
    };
    use bulwark_core::Bps;
    use bulwark_ink::store::{self, Chunks};
    use bulwark_ink::{account, address, deposit_limit, eth_value, native_value, now_ms, Core, ValueError};
    use ink::env::call::{build_call_ink, ExecutionInput, Selector};
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;

    /// Who may do what.
    #[warn(missing_docs)]
    #[derive(Clone, Debug, PartialEq, Eq, ink::SolEncode, ink::SolDecode)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct FundRoles {
        /// Approves and rejects claims, sets cover, parameters and roles: the multisig_guard.
        pub admin: Address,
        /// The circuit_breaker asked before exits; none: exits never wait for it.
        pub breaker: Option<Address>,
        /// The insurance_fund that takes ceded losses.
        pub reinsurer: Option<Address>,
        /// Protocols (or a primary fund) that may file claims.
        pub covered: Vec<Address>,
    }

    /// Every value is a core value in cells of `bulwark_ink::store`.
    #[warn(missing_docs)]
    #[ink(storage)]
    pub struct InsuranceFund {
        /// Assets, shares, cover, liabilities, rounds and parameters.
        pool: Chunks<()>,
        /// Each holder's free shares and pending exit.
        holders: Chunks<Address>,
        /// Every claim filed, by id, whatever its status.
        claims: Chunks<ClaimId>,
        /// Who may do what.
        roles: Chunks<()>,
    }

    /// A holder deposited and was minted shares (`deposit`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Deposited {
        /// The depositor.
        #[ink(topic)]
        pub who: Address,
        /// The value deposited, in native units.
        pub assets: Balance,
        /// The shares minted.
        pub shares: Balance,
    }

    /// A deposit found the shares worthless after a wipe-out and retired
    /// them: holders of earlier generations own nothing from now on.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct SharesRetired {
        /// The new share generation.
        pub generation: u32,
    }

    /// Value added for every shareholder: a premium or a slashed trip bond
    /// (`add_premium`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct PremiumAdded {
        /// Who paid it.
        #[ink(topic)]
        pub from: Address,
        /// The value added.
        pub amount: Balance,
    }

    /// A holder locked shares for exit (`request_exit`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ExitRequested {
        /// The holder.
        #[ink(topic)]
        pub who: Address,
        /// The shares locked.
        pub shares: Balance,
        /// Their value at the request: the most the exit pays.
        pub value_at_request: Balance,
        /// When the cooldown ends.
        pub unlock_at: Timestamp,
        /// First instant at which the exit can no longer complete.
        pub expires_at: Timestamp,
    }

    /// A holder's exit was paid (`complete_exit`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Exited {
        /// The holder.
        #[ink(topic)]
        pub who: Address,
        /// The shares burned.
        pub shares: Balance,
        /// The value paid to the holder.
        pub paid: Balance,
        /// The gain forgone (value now above the value at request).
        pub withheld: Balance,
    }

    /// A lapsed exit was dropped and its shares freed (`expire_exit`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ExitLapsed {
        /// The holder.
        #[ink(topic)]
        pub who: Address,
        /// The shares given back.
        pub shares: Balance,
    }

    /// A covered protocol filed a claim (`file_claim`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ClaimFiled {
        /// The new claim's id.
        #[ink(topic)]
        pub id: ClaimId,
        /// Who the claim pays.
        #[ink(topic)]
        pub claimant: Address,
        /// The loss claimed.
        pub loss: Balance,
        /// The pool's own part, after the layer and the cap.
        pub retained: Balance,
        /// The part ceded to the reinsurer.
        pub ceded: Balance,
    }

    /// The reinsurer accepted a claim's ceded part.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct CessionPlaced {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
        /// The part the reinsurer took.
        pub ceded: Balance,
    }

    /// The reinsurer refused a claim's ceded part; the retained part is
    /// filed regardless and the cession can be retried.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct CessionFailed {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
        /// The part still pending.
        pub ceded: Balance,
    }

    /// The admin approved a claim (`approve_claim`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ClaimApproved {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
    }

    /// The admin rejected a claim (`reject_claim`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ClaimRejected {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
    }

    /// An approved claim was paid (`pay_claim`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ClaimPaid {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
        /// Who was paid.
        #[ink(topic)]
        pub claimant: Address,
        /// The value paid.
        pub paid: Balance,
        /// The pro-rata haircut: the retained part not paid.
        pub haircut: Balance,
    }

    /// The admin raised or lowered the active cover (`raise_active_cover`,
    /// `lower_active_cover`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct CoverSet {
        /// The cover now active.
        pub cover: Balance,
    }

    /// Carries the new values, so monitors need not query.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct ParamsUpdated {
        /// The parameters now in force.
        pub params: Core<FundParams>,
    }

    /// The admin replaced the roles (`set_roles`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct RolesUpdated {
        /// The roles now in force.
        pub roles: FundRoles,
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
        /// SCALE encoding.
        #[ink::error]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Error {
            /// The caller is not the admin.
            NotAdmin,
            /// The caller is not a covered account.
            NotCovered,
            /// bulwark-core refused the operation.
            Fund(Core<FundError>),
            /// No claim with this id was ever filed.
            UnknownClaim,
            /// The payment to the holder or claimant failed (on
            /// pallet-revive a transfer calls the recipient: a contract
            /// that takes no plain value refuses it).
            TransferFailed,
            /// The breaker could not be asked whether exits wait; they wait.
            BreakerCallFailed,
            /// The reinsurer refused the ceded part (on a retry).
            ReinsurerCallFailed,
            /// The value sent is not a whole number of native units, or more
            /// than a `u128` of them (`bulwark_ink::native_value`).
            Value(Core<ValueError>),
        }
    }

    impl From<FundError> for Error {
        fn from(e: FundError) -> Self {
            Error::Fund(Core(e))
        }
    }

    impl From<ValueError> for Error {
        fn from(e: ValueError) -> Self {
            Error::Value(Core(e))
        }
    }

    /// The result of the fund's fallible messages and constructor.
    #[warn(missing_docs)]
    pub type Result<T> = core::result::Result<T, Error>;

    /// Most ref_time the reinsurer's `file_claim` may use: 10^10, as on
    /// pallet-contracts. A reinsurer is this contract, and its `file_claim`
    /// (with no cession of its own) cost about 1.1×10⁹ there (release
    /// build) and 2–3×10⁹ in the e2e sandbox (debug build): 10¹⁰ is three
    /// or more times that, and 0.5% of a block's 2×10¹² (2 s of compute).
    /// Without a limit the call got all the gas left, so a reinsurer that
    /// burns gas made the whole `file_claim` run out of gas and revert,
    /// blocking the retained part; with it, such a reinsurer's call fails
    /// alone and the cession stays pending, like any refusal. A reinsurer
    /// with a layer of its own cedes on within what is left (if that fails,
    /// its own cession waits for its `retry_cession`). Not yet measured on
    /// pallet-revive (PolkaVM, chunked storage).
    const CESSION_REF_TIME_LIMIT: u64 = 10_000_000_000;
    /// Most proof size the reinsurer's `file_claim` may use: it measured
    /// about 92 kB on pallet-contracts and 50 kB in the sandbox; 256 KiB is
    /// nearly three times the larger, and 5% of a 5 MiB block proof.
    const CESSION_PROOF_SIZE_LIMIT: u64 = 256 * 1024;
    /// Most storage deposit (native units) the reinsurer's `file_claim` may
    /// charge: four new storage items and 2 KiB at revive-dev-runtime's
    /// prices (pallet-revive 0.20.2's `TestDefaultConfig`: 20 CENTS per
    /// item, a MILLICENT per byte, a CENT being 10^10). Its claim takes one
    /// item of about 150 bytes (one cell of `bulwark_ink::store` and its
    /// key), its pool a few bytes more; a reinsurer that stores more fails
    /// alone, like one that burns gas.
    const CESSION_STORAGE_DEPOSIT_LIMIT: Balance = 4 * 200_000_000_000 + 2_048 * 10_000_000;

    #[warn(missing_docs)]
    impl InsuranceFund {
        /// Deploys an empty fund: no assets, shares, cover or claims. `params` is
        /// `insurance_fund` from the simulator's params.json (in the Solidity ABI:
        /// its SCALE encoding as `bytes`).
        ///
        /// Caller: anyone (the deployer; it gets no role unless `roles` names it).
        /// Emits: nothing.
        /// Errors:
        /// - `Fund(InvalidParams(Reinsurer))`: `params` sets a reinsurance layer
        ///   and `roles` no reinsurer;
        /// - `Fund(InvalidParams(_))`: a field of `params` out of range
        ///   (`VirtualShares`, `ExitCooldown`, `ExitWindow`, `SolvencyTarget`,
        ///   `ClaimCap`, `ReinsuranceLayer`).
        #[ink(constructor)]
        pub fn new(params: Core<FundParams>, roles: FundRoles) -> Result<Self> {
            validate_ceding(params.0.reinsurance.as_ref(), roles.reinsurer.is_some())
                .map_err(|e| Error::from(FundError::InvalidParams(e)))?;
            let pool = Pool::new(params.0)?;
            let mut this = Self {
                pool: Mapping::default(),
                holders: Mapping::default(),
                claims: Mapping::default(),
                roles: Mapping::default(),
            };
            store::save(&mut this.pool, (), &pool);
            store::save(&mut this.roles, (), &roles);
            Ok(this)
        }

        /// Deposits the transferred value (it arrives in the chain's Ethereum view
        /// and must be a whole number of native units); returns the shares minted.
        ///
        /// Caller: anyone, transferring the deposit with the call.
        /// Emits: `SharesRetired` (first, if worthless shares were retired) and
        /// `Deposited`, each once per ABI.
        /// Errors:
        /// - `Value(NotWholeNativeUnits)`: the value transferred is not a whole
        ///   number of native units (`bulwark_ink::native_value`);
        /// - `Value(TooLarge)`: it is more native units than a `u128` holds;
        /// - `Fund(ZeroAmount)`: nothing was transferred;
        /// - `Fund(ClaimsUndecided)`: a claim awaits a decision;
        /// - `Fund(LiabilitiesExceedAssets)`: the open claims exceed the assets;
        /// - `Fund(ZeroShares)`: the deposit is too small to mint a share;
        /// - `Fund(Overflow)`: the shares, assets or generation would overflow.
        #[ink(message, payable)]
        pub fn deposit(&mut self) -> Result<Balance> {
            let assets = native_value(self.env().transferred_value())?;
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let mut pool = self.pool();
            let generation = pool.generation();
            let minted = pool.deposit(&mut holder, assets)?;
            store::save(&mut self.pool, (), &pool);
            store::save(&mut self.holders, who, &holder);
            if pool.generation() != generation {
                self.env().emit_event(SharesRetired { generation: pool.generation() });
            }
            self.env().emit_event(Deposited { who, assets, shares: minted });
            Ok(minted)
        }

        /// Premiums and slashed bonds: value for every shareholder. The value
        /// transferred arrives in the chain's Ethereum view and must be a whole
        /// number of native units.
        ///
        /// Caller: anyone, transferring the premium with the call (the
        /// circuit_breaker sends slashed trip bonds here, through the ink! ABI).
        /// Emits: `PremiumAdded` (once per ABI).
        /// Errors:
        /// - `Value(NotWholeNativeUnits)`: the value transferred is not a whole
        ///   number of native units (`bulwark_ink::native_value`);
        /// - `Value(TooLarge)`: it is more native units than a `u128` holds;
        /// - `Fund(ZeroAmount)`: nothing was transferred;
        /// - `Fund(Overflow)`: the assets would overflow.
        #[ink(message, payable)]
        pub fn add_premium(&mut self) -> Result<()> {
            let amount = native_value(self.env().transferred_value())?;
            let mut pool = self.pool();
            pool.add_premium(amount)?;
            store::save(&mut self.pool, (), &pool);
            self.env().emit_event(PremiumAdded { from: self.env().caller(), amount });
            Ok(())
        }

        /// Locks `shares` for exit; they keep bearing losses until paid.
        ///
        /// Caller: any holder (for its own shares).
        /// Emits: `ExitRequested` (once per ABI).
        /// Errors:
        /// - `Fund(ExitPending)`: the caller has an exit in progress;
        /// - `Fund(ZeroAmount)`: `shares` is 0;
        /// - `Fund(InsufficientShares)`: more than the caller's free shares;
        /// - `Fund(Overflow)`: the value, unlock or expiry would overflow.
        #[ink(message)]
        pub fn request_exit(&mut self, shares: Balance) -> Result<Core<ExitRequest>> {
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let req = self.pool().request_exit(&mut holder, shares, self.now())?;
            store::save(&mut self.holders, who, &holder);
            self.env().emit_event(ExitRequested {
                who,
                shares: req.shares,
                value_at_request: req.value_at_request,
                unlock_at: req.unlock_at,
                expires_at: req.expires_at,
            });
            Ok(Core(req))
        }

        /// Completes the caller's exit and pays it, unless the breaker blocks
        /// exits (halted or globally paused; asked through the ink! ABI), the
        /// cooldown runs, the window closed, a claim is undecided or solvency
        /// forbids. The payment (native units, sent in the chain's Ethereum view)
        /// is a transfer to the caller, which on pallet-revive calls it: a caller
        /// contract that takes no plain value makes the whole call revert, and the
        /// exit stays pending. The caller's account exists, so the payment cannot
        /// fall foul of the existential deposit.
        ///
        /// Caller: the holder whose exit it is.
        /// Emits: `Exited` (once per ABI).
        /// Errors:
        /// - `BreakerCallFailed`: the breaker could not be asked whether exits
        ///   wait;
        /// - `Fund(NoExit)`: the caller has no exit in progress;
        /// - `Fund(CooldownActive)`: the cooldown has not ended;
        /// - `Fund(ExitExpired)`: the exit window closed;
        /// - `Fund(ExitsBlocked)`: the breaker is halted or globally paused;
        /// - `Fund(ClaimsUndecided)`: a claim awaits a decision;
        /// - `Fund(BelowSolvencyTarget)`: paying would leave less than the
        ///   requirement plus the open claims;
        /// - `Fund(InsufficientShares)`, `Fund(Overflow)`: the pool's accounts
        ///   would not add up (an invariant broken);
        /// - `TransferFailed`: the payment to the caller failed (a contract that
        ///   takes no plain value).
        #[ink(message)]
        pub fn complete_exit(&mut self) -> Result<Core<Payout>> {
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let shares = holder.exit.as_ref().map_or(0, |r| r.shares);
            let blocked = holder.exit.is_some() && self.breaker_blocks_exits()?;
            let mut pool = self.pool();
            let payout = pool.complete_exit(&mut holder, self.now(), blocked)?;
            store::save(&mut self.pool, (), &pool);
            store::save(&mut self.holders, who, &holder);
            self.env().transfer(who, eth_value(payout.paid)).map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(Exited { who, shares, paid: payout.paid, withheld: payout.withheld });
            Ok(Core(payout))
        }

        /// Drops the caller's lapsed exit and gives the shares back.
        ///
        /// Caller: the holder whose exit it is.
        /// Emits: `ExitLapsed` (once per ABI).
        /// Errors:
        /// - `Fund(NoExit)`: the caller has no exit in progress;
        /// - `Fund(ExitStillOpen)`: the exit can still complete;
        /// - `Fund(Overflow)`: the caller's free shares would overflow.
        #[ink(message)]
        pub fn expire_exit(&mut self) -> Result<Balance> {
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let back = self.pool().expire_exit(&mut holder, self.now())?;
            store::save(&mut self.holders, who, &holder);
            self.env().emit_event(ExitLapsed { who, shares: back });
            Ok(back)
        }

        /// A covered protocol files a claim for `loss` (native units), paid to
        /// `claimant`. The part above the reinsurance attachment is filed with the
        /// reinsurer (its `file_claim`, through the ink! ABI, within its own
        /// ref_time, proof size and storage deposit limits) in the same
        /// transaction; if the reinsurer refuses, the retained part is filed all
        /// the same and the cession waits for `retry_cession`.
        ///
        /// Caller: a covered account.
        /// Emits: `ClaimFiled`, then for a claim with a ceded part
        /// `CessionPlaced` or `CessionFailed`, each once per ABI.
        /// Errors:
        /// - `NotCovered`: the caller is not a covered account;
        /// - `Fund(ZeroAmount)`: `loss` is 0;
        /// - `Fund(Overflow)`: the liabilities or the claim id counter would
        ///   overflow.
        ///
        /// A reinsurer's refusal is none of these: the claim is filed all the
        /// same.
        #[ink(message)]
        pub fn file_claim(&mut self, loss: Balance, claimant: Address) -> Result<ClaimId> {
            if !self.load_roles().covered.contains(&self.env().caller()) {
                return Err(Error::NotCovered);
            }
            let mut pool = self.pool();
            let mut claim = pool.file_claim(account(&claimant), loss, self.now())?;
            store::save(&mut self.pool, (), &pool);
            self.env().emit_event(ClaimFiled {
                id: claim.id,
                claimant,
                loss,
                retained: claim.retained,
                ceded: claim.ceded,
            });
            let _ = self.try_cession(&mut claim);
            store::save(&mut self.claims, claim.id, &claim);
            Ok(claim.id)
        }

        /// Files a claim's pending ceded part with the reinsurer again (anyone
        /// may: it only moves the loss where the layer says). A rejected claim's
        /// cession was withdrawn and is refused.
        ///
        /// Caller: anyone.
        /// Emits: `CessionPlaced` (once per ABI; a refusal emits `CessionFailed`,
        /// but the call then fails and reverts, and the event with it).
        /// Errors:
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimRejected)`: the claim was rejected;
        /// - `Fund(NoPendingCession)`: no ceded part waits to be placed;
        /// - `ReinsurerCallFailed`: the reinsurer refused, trapped or ran out of
        ///   its ref_time, proof size or storage deposit limit (or no reinsurer is
        ///   set).
        #[ink(message)]
        pub fn retry_cession(&mut self, id: ClaimId) -> Result<()> {
            let mut claim = self.claim_or_err(id)?;
            let placed = self.try_cession(&mut claim);
            store::save(&mut self.claims, id, &claim);
            placed
        }

        /// The admin approves a filed claim; it joins the open payment round.
        ///
        /// Caller: the admin.
        /// Emits: `ClaimApproved` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimNotFiled)`: the claim was decided already;
        /// - `Fund(Overflow)`: the approved liabilities would overflow.
        #[ink(message)]
        pub fn approve_claim(&mut self, id: ClaimId) -> Result<()> {
            self.only_admin()?;
            let mut claim = self.claim_or_err(id)?;
            let mut pool = self.pool();
            pool.approve_claim(&mut claim)?;
            store::save(&mut self.pool, (), &pool);
            store::save(&mut self.claims, id, &claim);
            self.env().emit_event(ClaimApproved { id });
            Ok(())
        }

        /// The admin rejects a filed claim; its reserve is freed and a pending
        /// cession withdrawn.
        ///
        /// Caller: the admin.
        /// Emits: `ClaimRejected` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimNotFiled)`: the claim was decided already.
        #[ink(message)]
        pub fn reject_claim(&mut self, id: ClaimId) -> Result<()> {
            self.only_admin()?;
            let mut claim = self.claim_or_err(id)?;
            let mut pool = self.pool();
            pool.reject_claim(&mut claim)?;
            store::save(&mut self.pool, (), &pool);
            store::save(&mut self.claims, id, &claim);
            self.env().emit_event(ClaimRejected { id });
            Ok(())
        }

        /// Pays an approved claim to its claimant (anyone may trigger it), at its
        /// round's ratio (see bulwark-core's `pay_claim`), in native units sent in
        /// the chain's Ethereum view. If the transfer fails (a claimant contract
        /// that takes no plain value: a transfer calls the recipient on
        /// pallet-revive; or a new claimant account whose existential deposit,
        /// which pallet-revive draws from the transaction's origin, cannot be
        /// paid) the whole call reverts and the claim stays approved.
        ///
        /// Caller: anyone.
        /// Emits: `ClaimPaid` (once per ABI).
        /// Errors:
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimNotApproved)`: the claim is not approved (or paid
        ///   already);
        /// - `Fund(PaymentWaitsForDecisions)`: the pool is short and a claim is
        ///   still undecided;
        /// - `Fund(EarlierRoundUnpaid)`: claims of an earlier settled round must
        ///   be paid first;
        /// - `Fund(Overflow)`: the settlement would overflow;
        /// - `TransferFailed`: the payment to the claimant failed.
        #[ink(message)]
        pub fn pay_claim(&mut self, id: ClaimId) -> Result<Core<Payout>> {
            let mut claim = self.claim_or_err(id)?;
            let mut pool = self.pool();
            let payout = pool.pay_claim(&mut claim)?;
            // Filed as `account(claimant)`, so always an address.
            let claimant = address(&claim.claimant).ok_or(Error::TransferFailed)?;
            store::save(&mut self.pool, (), &pool);
            store::save(&mut self.claims, id, &claim);
            self.env().transfer(claimant, eth_value(payout.paid)).map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(ClaimPaid { id, claimant, paid: payout.paid, haircut: payout.withheld });
            Ok(Core(payout))
        }

        /// The admin raises the active cover (or keeps it): it only raises the
        /// capital the pool keeps, so the multisig runs it at Standard.
        ///
        /// Caller: the admin.
        /// Emits: `CoverSet` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(CoverDirection)`: `cover` is below the active cover.
        #[ink(message)]
        pub fn raise_active_cover(&mut self, cover: Balance) -> Result<()> {
            self.only_admin()?;
            let mut pool = self.pool();
            pool.raise_active_cover(cover)?;
            store::save(&mut self.pool, (), &pool);
            self.env().emit_event(CoverSet { cover });
            Ok(())
        }

        /// The admin lowers the active cover (or keeps it): it lowers the capital
        /// the pool keeps and so re-opens exits, so the multisig runs it at
        /// Critical (bulwark_core::multisig::ADMIN_CALLS).
        ///
        /// Caller: the admin.
        /// Emits: `CoverSet` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(CoverDirection)`: `cover` is above the active cover.
        #[ink(message)]
        pub fn lower_active_cover(&mut self, cover: Balance) -> Result<()> {
            self.only_admin()?;
            let mut pool = self.pool();
            pool.lower_active_cover(cover)?;
            store::save(&mut self.pool, (), &pool);
            self.env().emit_event(CoverSet { cover });
            Ok(())
        }

        /// Replaces the parameters; `virtual_shares` is fixed while shares exist.
        ///
        /// Caller: the admin.
        /// Emits: `ParamsUpdated` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(InvalidParams(Reinsurer))`: `params` sets a reinsurance layer
        ///   and the roles no reinsurer;
        /// - `Fund(InvalidParams(VirtualSharesLocked))`: `virtual_shares` changes
        ///   while shares exist;
        /// - `Fund(InvalidParams(_))`: a field of `params` out of range (as for
        ///   the constructor).
        #[ink(message)]
        pub fn set_params(&mut self, params: Core<FundParams>) -> Result<()> {
            let roles = self.load_roles();
            self.only(roles.admin)?;
            validate_ceding(params.0.reinsurance.as_ref(), roles.reinsurer.is_some())
                .map_err(|e| Error::from(FundError::InvalidParams(e)))?;
            let mut pool = self.pool();
            pool.set_params(params.0.clone())?;
            store::save(&mut self.pool, (), &pool);
            self.env().emit_event(ParamsUpdated { params });
            Ok(())
        }

        /// Replaces the roles.
        ///
        /// Caller: the admin.
        /// Emits: `RolesUpdated` (once per ABI).
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(InvalidParams(Reinsurer))`: `roles` names no reinsurer while the
        ///   params set a reinsurance layer.
        #[ink(message)]
        pub fn set_roles(&mut self, roles: FundRoles) -> Result<()> {
            self.only_admin()?;
            validate_ceding(self.pool().params().reinsurance.as_ref(), roles.reinsurer.is_some())
                .map_err(|e| Error::from(FundError::InvalidParams(e)))?;
            store::save(&mut self.roles, (), &roles);
            self.env().emit_event(RolesUpdated { roles });
            Ok(())
        }

        /// The holder's free shares (those locked in an exit not included); 0 once
        /// its shares were retired as worthless after a wipe-out.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn shares_of(&self, who: Address) -> Balance {
            self.pool().holding(&self.holder(who)).shares
        }

        /// The holder's pending exit; none once its shares were retired.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn exit_of(&self, who: Address) -> Option<Core<ExitRequest>> {
            self.pool().holding(&self.holder(who)).exit.map(Core)
        }

        /// Claim `id`, whatever its status; none if never filed.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn claim(&self, id: ClaimId) -> Option<Core<Claim>> {
            store::load(&self.claims, id).map(Core)
        }

        /// Value (native units) `shares` would redeem for now, net of filed
        /// claims.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Fund(Overflow)` if the value would overflow.
        #[ink(message)]
        pub fn preview_redeem(&self, shares: Balance) -> Result<Balance> {
            self.pool().preview_redeem(shares).ok_or(Error::from(FundError::Overflow))
        }

        /// The assets the pool holds (native units), set-aside claim money
        /// included.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn total_assets(&self) -> Balance {
            self.pool().total_assets()
        }

        /// The shares of the current generation, locked ones included.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn total_shares(&self) -> Balance {
            self.pool().total_shares()
        }

        /// The cover the pool backs (native units), which sets the capital it must
        /// keep.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn active_cover(&self) -> Balance {
            self.pool().active_cover()
        }

        /// The capital the pool must keep (native units): `max(active cover ×
        /// solvency target, min_capital)`.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn required_capital(&self) -> Balance {
            self.pool().required_capital()
        }

        /// The assets over the required capital plus open claims, in bps
        /// (`u32::MAX` when nothing is required).
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn coverage_bps(&self) -> Bps {
            self.pool().coverage_bps()
        }

        /// The parameters in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn params(&self) -> Core<FundParams> {
            Core(self.pool().params().clone())
        }

        /// The roles in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn roles(&self) -> FundRoles {
            self.load_roles()
        }

        /// The core pool, stored by the constructor.
        fn pool(&self) -> Pool {
            store::load(&self.pool, ()).unwrap_or_else(|| missing())
        }

        fn load_roles(&self) -> FundRoles {
            store::load(&self.roles, ()).unwrap_or_else(|| missing())
        }

        fn holder(&self, who: Address) -> Holder {
            store::load(&self.holders, who).unwrap_or_default()
        }

        /// Asks the breaker (through the ink! ABI) whether exits must wait
        /// (bulwark-core's rule: halted or globally paused).
        fn breaker_blocks_exits(&self) -> Result<bool> {
            let Some(breaker) = self.load_roles().breaker else {
                return Ok(false);
            };
            build_call_ink::<Environment>()
                .call(breaker)
                .exec_input(ExecutionInput::new(Selector::new(ink::selector_bytes!("blocks_exits"))))
                .returns::<bool>()
                .try_invoke()
                .map_err(|_| Error::BreakerCallFailed)?
                .map_err(|_| Error::BreakerCallFailed)
        }

        /// Files a pending ceded part with the reinsurer (through the ink!
        /// ABI) and records it, or emits `CessionFailed` and leaves it
        /// pending. The call gets at most `CESSION_REF_TIME_LIMIT`,
        /// `CESSION_PROOF_SIZE_LIMIT` and `CESSION_STORAGE_DEPOSIT_LIMIT`, so
        /// a reinsurer that burns gas or storage fails alone, like one that
        /// refuses.
        fn try_cession(&self, claim: &mut Claim) -> Result<()> {
            let pending = claim.clone();
            let mut placed = claim.clone();
            self.pool().record_cession(&mut placed)?;
            let reinsurer = self.load_roles().reinsurer.ok_or(Error::ReinsurerCallFailed)?;
            let claimant = address(&pending.claimant).ok_or(Error::ReinsurerCallFailed)?;
            let accepted = build_call_ink::<Environment>()
                .call(reinsurer)
                .ref_time_limit(CESSION_REF_TIME_LIMIT)
                .proof_size_limit(CESSION_PROOF_SIZE_LIMIT)
                .storage_deposit_limit(deposit_limit(CESSION_STORAGE_DEPOSIT_LIMIT))
                .exec_input(
                    ExecutionInput::new(Selector::new(ink::selector_bytes!("file_claim")))
                        .push_arg(pending.ceded)
                        .push_arg(claimant),
                )
                .returns::<Result<ClaimId>>()
                .try_invoke();
            if matches!(accepted, Ok(Ok(Ok(_)))) {
                *claim = placed;
                self.env().emit_event(CessionPlaced { id: claim.id, ceded: claim.ceded });
                Ok(())
            } else {
                self.env().emit_event(CessionFailed { id: claim.id, ceded: claim.ceded });
                Err(Error::ReinsurerCallFailed)
            }
        }

        fn claim_or_err(&self, id: ClaimId) -> Result<Claim> {
            store::load(&self.claims, id).ok_or(Error::UnknownClaim)
        }

        fn only(&self, admin: Address) -> Result<()> {
            if self.env().caller() == admin {
                Ok(())
            } else {
                Err(Error::NotAdmin)
            }
        }

        fn only_admin(&self) -> Result<()> {
            self.only(self.load_roles().admin)
        }

        fn now(&self) -> Timestamp {
            now_ms(self.env().block_timestamp())
        }
    }

    /// A value the constructor stored is absent: impossible (traps).
    #[cold]
    fn missing() -> ! {
        panic!("insurance_fund: state written at construction is missing")
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use bulwark_core::fund::ClaimStatus;
        use ink::env::test;
        use ink::U256;

        type Env = bulwark_ink::BulwarkEnv;

        const SEC: u64 = 1_000;
        const DAY: u64 = 24 * 3_600_000;

        fn accounts() -> test::DefaultAccounts {
            test::default_accounts()
        }

        fn params() -> FundParams {
            FundParams {
                virtual_shares: 1_000,
                exit_cooldown_ms: 10 * DAY,
                exit_window_ms: 2 * DAY,
                solvency_target_bps: 2_000,
                min_capital: 0,
                claim_cap_per_event: 400_000,
                reinsurance: None,
            }
        }

        /// admin = alice, covered = charlie; no breaker, no reinsurer.
        fn roles() -> FundRoles {
            let a = accounts();
            FundRoles { admin: a.alice, breaker: None, reinsurer: None, covered: ink::prelude::vec![a.charlie] }
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

        /// `who` calls with `value` native units.
        fn pay_in(who: Address, value: Balance) {
            as_caller(who);
            test::set_value_transferred(eth(value));
        }

        /// `who`'s balance in the Ethereum view.
        fn balance(who: Address) -> U256 {
            test::get_contract_balance::<Env>(who).expect("account exists")
        }

        fn fund_err(e: FundError) -> Error {
            e.into()
        }

        /// Bob deposits 1_000_000; the contract holds it.
        fn funded() -> InsuranceFund {
            at(0);
            as_caller(accounts().alice);
            let mut f = InsuranceFund::new(Core(params()), roles()).expect("valid params");
            pay_in(accounts().bob, 1_000_000);
            f.deposit().expect("deposit");
            test::set_value_transferred(U256::zero());
            test::set_contract_balance(test::callee(), eth(1_000_000));
            f
        }

        #[ink::test]
        fn constructor_rejects_bad_params() {
            let mut p = params();
            p.exit_cooldown_ms = 0;
            let err = InsuranceFund::new(Core(p), roles()).err();
            assert_eq!(err, Some(fund_err(FundError::InvalidParams(bulwark_core::ParamError::ExitCooldown))));
        }

        #[ink::test]
        fn deposits_mint_shares_and_premiums_raise_their_value() {
            let mut f = funded();
            let bob = accounts().bob;
            assert_eq!(f.shares_of(bob), 1_000_000 * 1_000);
            assert_eq!(f.total_assets(), 1_000_000);
            pay_in(accounts().eve, 0);
            assert_eq!(f.deposit(), Err(fund_err(FundError::ZeroAmount)));
            pay_in(accounts().eve, 100_000);
            f.add_premium().expect("premium");
            assert_eq!(f.total_assets(), 1_100_000);
            assert!(f.preview_redeem(f.shares_of(bob)).expect("no overflow") >= 1_099_999);
            assert!(test::recorded_events().len() >= 2);
        }

        /// Value arrives in the chain's Ethereum view; what is not a whole
        /// number of native units is refused (the call reverts and returns
        /// it), never rounded into or out of the pool.
        #[ink::test]
        fn deposits_and_premiums_with_dust_are_refused() {
            let mut f = funded();
            as_caller(accounts().eve);
            test::set_value_transferred(eth(100) + 1);
            assert_eq!(f.deposit(), Err(Error::Value(Core(ValueError::NotWholeNativeUnits))));
            assert_eq!(f.add_premium(), Err(Error::Value(Core(ValueError::NotWholeNativeUnits))));
            test::set_value_transferred(U256::MAX);
            assert_eq!(f.deposit(), Err(Error::Value(Core(ValueError::NotWholeNativeUnits))));
            test::set_value_transferred(eth(u128::MAX) + eth(1));
            assert_eq!(f.add_premium(), Err(Error::Value(Core(ValueError::TooLarge))));
            assert_eq!(f.total_assets(), 1_000_000, "nothing counted");
        }

        #[ink::test]
        fn exits_wait_for_the_cooldown_and_pay_the_lower_value() {
            let mut f = funded();
            let bob = accounts().bob;
            as_caller(bob);
            let half = f.shares_of(bob) / 2;
            assert_eq!(f.request_exit(f.shares_of(bob) + 1), Err(fund_err(FundError::InsufficientShares)));
            let req = f.request_exit(half).expect("exit requested");
            assert_eq!(req.0.value_at_request, 500_000);
            assert_eq!(f.exit_of(bob), Some(req));
            assert_eq!(f.request_exit(1), Err(fund_err(FundError::ExitPending)));
            assert_eq!(f.complete_exit(), Err(fund_err(FundError::CooldownActive)));
            at(10 * DAY);
            let before = balance(bob);
            let out = f.complete_exit().expect("exit completes");
            assert_eq!(out.0.paid, 500_000);
            assert_eq!(balance(bob), before + eth(500_000), "paid in the Ethereum view");
            assert_eq!(f.total_assets(), 500_000);
            assert_eq!(f.complete_exit(), Err(fund_err(FundError::NoExit)), "no replay");
        }

        #[ink::test]
        fn lapsed_exits_return_their_shares() {
            let mut f = funded();
            let bob = accounts().bob;
            as_caller(bob);
            let all = f.shares_of(bob);
            f.request_exit(all).expect("requested");
            assert_eq!(f.shares_of(bob), 0);
            at(12 * DAY);
            assert_eq!(f.complete_exit(), Err(fund_err(FundError::ExitExpired)));
            assert_eq!(f.expire_exit(), Ok(all));
            assert_eq!(f.shares_of(bob), all);
            assert_eq!(f.expire_exit(), Err(fund_err(FundError::NoExit)));
        }

        #[ink::test]
        fn exits_wait_for_undecided_claims() {
            let mut f = funded();
            let bob = accounts().bob;
            as_caller(bob);
            f.request_exit(f.shares_of(bob) / 2).expect("requested");
            as_caller(accounts().charlie);
            let id = f.file_claim(300_000, accounts().eve).expect("filed");
            at(10 * DAY);
            as_caller(bob);
            assert_eq!(f.complete_exit(), Err(fund_err(FundError::ClaimsUndecided)));
            as_caller(accounts().alice);
            f.reject_claim(id).expect("rejected");
            as_caller(bob);
            assert_eq!(f.complete_exit().map(|p| p.0.paid), Ok(500_000), "the rejected claim costs the leaver nothing");
        }

        #[ink::test]
        fn a_wiped_out_fund_retires_worthless_shares() {
            let mut f = funded();
            let (alice, bob, charlie, eve) = (accounts().alice, accounts().bob, accounts().charlie, accounts().eve);
            for loss in [400_000, 400_000, 200_000] {
                as_caller(charlie);
                let id = f.file_claim(loss, eve).expect("filed");
                as_caller(alice);
                f.approve_claim(id).expect("approved");
                f.pay_claim(id).expect("paid");
            }
            assert_eq!(f.total_assets(), 0);
            pay_in(eve, 1_000);
            assert_eq!(f.deposit(), Ok(1_000 * 1_000), "priced as into an empty pool");
            assert_eq!(f.shares_of(bob), 0, "the old shares are retired");
            assert_eq!(f.total_shares(), f.shares_of(eve));
        }

        #[ink::test]
        fn exits_respect_the_solvency_target() {
            let mut f = funded();
            as_caller(accounts().eve);
            assert_eq!(f.raise_active_cover(4_000_000), Err(Error::NotAdmin));
            assert_eq!(f.lower_active_cover(0), Err(Error::NotAdmin));
            as_caller(accounts().alice);
            f.raise_active_cover(4_000_000).expect("admin raises cover");
            assert_eq!(f.active_cover(), 4_000_000);
            assert_eq!(f.required_capital(), 800_000);
            assert_eq!(f.raise_active_cover(3_000_000), Err(fund_err(FundError::CoverDirection)));
            assert_eq!(f.lower_active_cover(5_000_000), Err(fund_err(FundError::CoverDirection)));
            assert_eq!(f.required_capital(), 800_000, "refused changes change nothing");
            as_caller(accounts().bob);
            f.request_exit(f.shares_of(accounts().bob) / 2).expect("requested");
            at(10 * DAY);
            assert_eq!(f.complete_exit(), Err(fund_err(FundError::BelowSolvencyTarget)));
        }

        #[ink::test]
        fn claims_need_cover_approval_and_pay_once() {
            let mut f = funded();
            let (alice, charlie, eve) = (accounts().alice, accounts().charlie, accounts().eve);
            as_caller(eve);
            assert_eq!(f.file_claim(100, eve), Err(Error::NotCovered));
            as_caller(charlie);
            let id = f.file_claim(600_000, eve).expect("covered protocol files");
            let claim = f.claim(id).expect("stored").0;
            assert_eq!((claim.retained, claim.ceded), (400_000, 0), "capped per event");
            assert_eq!(claim.claimant, account(&eve));
            assert_eq!(f.pay_claim(id), Err(fund_err(FundError::ClaimNotApproved)));
            assert_eq!(f.approve_claim(id), Err(Error::NotAdmin));
            as_caller(alice);
            f.approve_claim(id).expect("admin approves");
            assert_eq!(f.approve_claim(id), Err(fund_err(FundError::ClaimNotFiled)));
            let before = balance(eve);
            as_caller(eve);
            let out = f.pay_claim(id).expect("approved claims pay");
            assert_eq!(out.0, Payout { paid: 400_000, withheld: 0 });
            assert_eq!(balance(eve), before + eth(400_000));
            assert_eq!(f.claim(id).map(|c| c.0.status), Some(ClaimStatus::Paid { paid: 400_000 }));
            assert_eq!(f.pay_claim(id), Err(fund_err(FundError::ClaimNotApproved)), "no double payment");
            assert_eq!(f.pay_claim(77), Err(Error::UnknownClaim));
        }

        #[ink::test]
        fn rejected_claims_release_their_reserve() {
            let mut f = funded();
            as_caller(accounts().charlie);
            let id = f.file_claim(300_000, accounts().eve).expect("filed");
            assert_eq!(f.coverage_bps(), 33_333, "1_000_000 of assets over 300_000 reserved");
            let bob_shares = f.shares_of(accounts().bob);
            assert_eq!(f.preview_redeem(bob_shares), Ok(700_000), "a filed claim lowers the share price at once");
            as_caller(accounts().alice);
            f.reject_claim(id).expect("admin rejects");
            assert_eq!(f.reject_claim(id), Err(fund_err(FundError::ClaimNotFiled)));
            as_caller(accounts().eve);
            assert_eq!(f.reject_claim(id), Err(Error::NotAdmin));
        }

        #[ink::test]
        fn admin_sets_params_and_roles() {
            let mut f = funded();
            as_caller(accounts().eve);
            assert_eq!(f.set_params(Core(params())), Err(Error::NotAdmin));
            assert_eq!(f.set_roles(roles()), Err(Error::NotAdmin));
            as_caller(accounts().alice);
            let mut p = params();
            p.claim_cap_per_event = 0;
            assert_eq!(
                f.set_params(Core(p)),
                Err(fund_err(FundError::InvalidParams(bulwark_core::ParamError::ClaimCap)))
            );
            let mut p = params();
            p.exit_cooldown_ms = DAY;
            f.set_params(Core(p.clone())).expect("valid");
            assert_eq!(f.params().0, p);
            let mut r = roles();
            r.covered.push(accounts().frank);
            f.set_roles(r.clone()).expect("valid");
            assert_eq!(f.roles(), r);
            let mut p = params();
            p.virtual_shares = 7;
            assert_eq!(
                f.set_params(Core(p)),
                Err(fund_err(FundError::InvalidParams(bulwark_core::ParamError::VirtualSharesLocked))),
                "shares exist: V is fixed"
            );
        }

        #[ink::test]
        fn a_reinsurance_layer_needs_a_reinsurer() {
            let mut p = params();
            p.reinsurance = Some(bulwark_core::fund::ReinsuranceLayer { attachment: 1, limit: 1 });
            assert_eq!(
                InsuranceFund::new(Core(p), roles()).err(),
                Some(fund_err(FundError::InvalidParams(bulwark_core::ParamError::Reinsurer)))
            );
            // Added in two steps, reinsurer first; removed in the reverse order.
            let mut f = funded();
            as_caller(accounts().alice);
            let mut layered = params();
            layered.reinsurance = Some(bulwark_core::fund::ReinsuranceLayer { attachment: 1, limit: 1 });
            assert_eq!(
                f.set_params(Core(layered.clone())),
                Err(fund_err(FundError::InvalidParams(bulwark_core::ParamError::Reinsurer)))
            );
            let mut r = roles();
            r.reinsurer = Some(accounts().django);
            f.set_roles(r).expect("a reinsurer first");
            f.set_params(Core(layered)).expect("then the layer");
            assert_eq!(
                f.set_roles(roles()),
                Err(fund_err(FundError::InvalidParams(bulwark_core::ParamError::Reinsurer))),
                "the reinsurer cannot leave while the layer stands"
            );
        }
    }
}

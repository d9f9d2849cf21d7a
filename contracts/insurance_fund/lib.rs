//! # insurance_fund
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
//! retained part (its call runs under a gas limit of its own): the claim is
//! filed anyway and the cession stays pending for `retry_cession`. The
//! fund's other call, asking the breaker whether exits must wait, gets all
//! the gas left: the breaker is trusted, and an exit whose check fails must
//! fail, not proceed.
//! The per-holder ledger (free shares, one exit per holder), the ceding
//! policy and every pricing rule are bulwark-core's.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
#![warn(missing_docs)]

/// The contract: its roles, storage, events, errors and messages.
#[ink::contract]
pub mod insurance_fund {
    use bulwark_core::fund::{
        validate_ceding, Claim, ClaimId, ExitRequest, FundError, FundParams, Holder, InsuranceFund as Pool, Payout,
    };
    use bulwark_core::Bps;
    use bulwark_ink::{account, Stored};
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;

    /// Who may do what.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct FundRoles {
        /// Approves and rejects claims, sets cover, parameters and roles: the multisig_guard.
        pub admin: AccountId,
        /// The circuit_breaker asked before exits; none: exits never wait for it.
        pub breaker: Option<AccountId>,
        /// The insurance_fund that takes ceded losses.
        pub reinsurer: Option<AccountId>,
        /// Protocols (or a primary fund) that may file claims.
        pub covered: Vec<AccountId>,
    }

    /// The fund's state: bulwark-core's pool, each holder's position,
    /// the claims and the roles.
    #[ink(storage)]
    pub struct InsuranceFund {
        /// Assets, shares, cover, liabilities, rounds and parameters.
        pool: Stored<Pool>,
        /// Each holder's free shares and pending exit.
        holders: Mapping<AccountId, Stored<Holder>>,
        /// Every claim filed, by id, whatever its status.
        claims: Mapping<ClaimId, Stored<Claim>>,
        /// Who may do what.
        roles: FundRoles,
    }

    /// A holder deposited and was minted shares (`deposit`).
    #[ink(event)]
    pub struct Deposited {
        /// The depositor.
        #[ink(topic)]
        pub who: AccountId,
        /// The value deposited.
        pub assets: Balance,
        /// The shares minted.
        pub shares: Balance,
    }

    /// A deposit found the shares worthless after a wipe-out and retired
    /// them: holders of earlier generations own nothing from now on.
    #[ink(event)]
    pub struct SharesRetired {
        /// The new share generation.
        pub generation: u32,
    }

    /// Value added for every shareholder: a premium or a slashed trip bond
    /// (`add_premium`).
    #[ink(event)]
    pub struct PremiumAdded {
        /// Who paid it.
        #[ink(topic)]
        pub from: AccountId,
        /// The value added.
        pub amount: Balance,
    }

    /// A holder locked shares for exit (`request_exit`).
    #[ink(event)]
    pub struct ExitRequested {
        /// The holder.
        #[ink(topic)]
        pub who: AccountId,
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
    #[ink(event)]
    pub struct Exited {
        /// The holder.
        #[ink(topic)]
        pub who: AccountId,
        /// The shares burned.
        pub shares: Balance,
        /// The value paid to the holder.
        pub paid: Balance,
        /// The gain forgone (value now above the value at request).
        pub withheld: Balance,
    }

    /// A lapsed exit was dropped and its shares freed (`expire_exit`).
    #[ink(event)]
    pub struct ExitLapsed {
        /// The holder.
        #[ink(topic)]
        pub who: AccountId,
        /// The shares given back.
        pub shares: Balance,
    }

    /// A covered protocol filed a claim (`file_claim`).
    #[ink(event)]
    pub struct ClaimFiled {
        /// The new claim's id.
        #[ink(topic)]
        pub id: ClaimId,
        /// Who the claim pays.
        #[ink(topic)]
        pub claimant: AccountId,
        /// The loss claimed.
        pub loss: Balance,
        /// The pool's own part, after the layer and the cap.
        pub retained: Balance,
        /// The part ceded to the reinsurer.
        pub ceded: Balance,
    }

    /// The reinsurer accepted a claim's ceded part.
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
    #[ink(event)]
    pub struct CessionFailed {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
        /// The part still pending.
        pub ceded: Balance,
    }

    /// The admin approved a claim (`approve_claim`).
    #[ink(event)]
    pub struct ClaimApproved {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
    }

    /// The admin rejected a claim (`reject_claim`).
    #[ink(event)]
    pub struct ClaimRejected {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
    }

    /// An approved claim was paid (`pay_claim`).
    #[ink(event)]
    pub struct ClaimPaid {
        /// The claim.
        #[ink(topic)]
        pub id: ClaimId,
        /// Who was paid.
        #[ink(topic)]
        pub claimant: AccountId,
        /// The value paid.
        pub paid: Balance,
        /// The pro-rata haircut: the retained part not paid.
        pub haircut: Balance,
    }

    /// The admin raised or lowered the active cover (`raise_active_cover`,
    /// `lower_active_cover`).
    #[ink(event)]
    pub struct CoverSet {
        /// The cover now active.
        pub cover: Balance,
    }

    /// The admin replaced the parameters (`set_params`). Carries the new
    /// values, so monitors need not query.
    #[ink(event)]
    pub struct ParamsUpdated {
        /// The parameters now in force.
        pub params: FundParams,
    }

    /// The admin replaced the roles (`set_roles`).
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
    mod errors {
        use super::*;

        /// Why a message or the constructor failed; the call reverts.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[ink::scale_derive(Encode, Decode, TypeInfo)]
        pub enum Error {
            /// The caller is not the admin.
            NotAdmin,
            /// The caller is not a covered account.
            NotCovered,
            /// bulwark-core refused the operation.
            Fund(FundError),
            /// No claim with this id was ever filed.
            UnknownClaim,
            /// The payment to the holder or claimant failed.
            TransferFailed,
            /// The breaker could not be asked whether exits wait; they wait.
            BreakerCallFailed,
            /// The reinsurer refused the ceded part (on a retry).
            ReinsurerCallFailed,
        }
    }

    impl From<FundError> for Error {
        fn from(e: FundError) -> Self {
            Error::Fund(e)
        }
    }

    /// The result of the fund's fallible messages.
    pub type Result<T> = core::result::Result<T, Error>;

    /// Most ref_time the reinsurer's `file_claim` may use. A reinsurer is
    /// this contract, and its `file_claim` (with no cession of its own)
    /// costs about 1.1×10⁹ on the chain (release build) and 2–3×10⁹ in the
    /// e2e sandbox (debug build): 10¹⁰ is three or more times that, and
    /// 0.5% of a block's 2×10¹² (2 s of compute). Without a limit the call
    /// got all the gas left, so a reinsurer that burns gas made the whole
    /// `file_claim` run out of gas and revert, blocking the retained part;
    /// with it, such a reinsurer's call fails alone and the cession stays
    /// pending, like any refusal. A reinsurer with a layer of its own cedes
    /// on within what is left (if that fails, its own cession waits for its
    /// `retry_cession`).
    const CESSION_REF_TIME_LIMIT: u64 = 10_000_000_000;
    /// Most proof size the reinsurer's `file_claim` may use: it measured
    /// about 92 kB on the chain and 50 kB in the sandbox; 256 KiB is nearly
    /// three times the larger, and 5% of a 5 MiB block proof.
    const CESSION_PROOF_SIZE_LIMIT: u64 = 256 * 1024;

    impl InsuranceFund {
        /// Deploys an empty fund: no assets, shares, cover or claims.
        /// `params` is `insurance_fund` from the simulator's params.json.
        ///
        /// Caller: anyone (the deployer; it gets no role unless `roles`
        /// names it).
        /// Emits: nothing.
        /// Errors:
        /// - `Fund(InvalidParams(Reinsurer))`: `params` sets a reinsurance
        ///   layer and `roles` no reinsurer;
        /// - `Fund(InvalidParams(_))`: a field of `params` out of range
        ///   (`VirtualShares`, `ExitCooldown`, `ExitWindow`,
        ///   `SolvencyTarget`, `ClaimCap`, `ReinsuranceLayer`).
        #[ink(constructor)]
        pub fn new(params: FundParams, roles: FundRoles) -> Result<Self> {
            validate_ceding(params.reinsurance.as_ref(), roles.reinsurer.is_some())
                .map_err(|e| Error::Fund(FundError::InvalidParams(e)))?;
            Ok(Self {
                pool: Stored(Pool::new(params)?),
                holders: Mapping::default(),
                claims: Mapping::default(),
                roles,
            })
        }

        /// Deposits the transferred value; returns the shares minted.
        ///
        /// Caller: anyone, transferring the deposit with the call.
        /// Emits: `SharesRetired` (first, if worthless shares were retired)
        /// and `Deposited`.
        /// Errors:
        /// - `Fund(ZeroAmount)`: nothing was transferred;
        /// - `Fund(ClaimsUndecided)`: a claim awaits a decision;
        /// - `Fund(LiabilitiesExceedAssets)`: the open claims exceed the
        ///   assets;
        /// - `Fund(ZeroShares)`: the deposit is too small to mint a share;
        /// - `Fund(Overflow)`: the shares, assets or generation would
        ///   overflow.
        #[ink(message, payable)]
        pub fn deposit(&mut self) -> Result<Balance> {
            let assets = self.env().transferred_value();
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let generation = self.pool.0.generation();
            let minted = self.pool.0.deposit(&mut holder, assets)?;
            self.holders.insert(who, &Stored(holder));
            if self.pool.0.generation() != generation {
                self.env().emit_event(SharesRetired { generation: self.pool.0.generation() });
            }
            self.env().emit_event(Deposited { who, assets, shares: minted });
            Ok(minted)
        }

        /// Premiums and slashed bonds: value for every shareholder.
        ///
        /// Caller: anyone, transferring the premium with the call (the
        /// circuit_breaker sends slashed trip bonds here).
        /// Emits: `PremiumAdded`.
        /// Errors:
        /// - `Fund(ZeroAmount)`: nothing was transferred;
        /// - `Fund(Overflow)`: the assets would overflow.
        #[ink(message, payable)]
        pub fn add_premium(&mut self) -> Result<()> {
            let amount = self.env().transferred_value();
            self.pool.0.add_premium(amount)?;
            self.env().emit_event(PremiumAdded { from: self.env().caller(), amount });
            Ok(())
        }

        /// Locks `shares` for exit; they keep bearing losses until paid.
        ///
        /// Caller: any holder (for its own shares).
        /// Emits: `ExitRequested`.
        /// Errors:
        /// - `Fund(ExitPending)`: the caller has an exit in progress;
        /// - `Fund(ZeroAmount)`: `shares` is 0;
        /// - `Fund(InsufficientShares)`: more than the caller's free
        ///   shares;
        /// - `Fund(Overflow)`: the value, unlock or expiry would overflow.
        #[ink(message)]
        pub fn request_exit(&mut self, shares: Balance) -> Result<ExitRequest> {
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let req = self.pool.0.request_exit(&mut holder, shares, self.now())?;
            self.holders.insert(who, &Stored(holder));
            self.env().emit_event(ExitRequested {
                who,
                shares: req.shares,
                value_at_request: req.value_at_request,
                unlock_at: req.unlock_at,
                expires_at: req.expires_at,
            });
            Ok(req)
        }

        /// Completes the caller's exit and pays it, unless the breaker
        /// blocks exits (halted or globally paused), the cooldown runs, the
        /// window closed, a claim is undecided or solvency forbids. The
        /// caller's account exists, so the payment cannot fall foul of the
        /// existential deposit.
        ///
        /// Caller: the holder whose exit it is.
        /// Emits: `Exited`.
        /// Errors:
        /// - `BreakerCallFailed`: the breaker could not be asked whether
        ///   exits wait;
        /// - `Fund(NoExit)`: the caller has no exit in progress;
        /// - `Fund(CooldownActive)`: the cooldown has not ended;
        /// - `Fund(ExitExpired)`: the exit window closed;
        /// - `Fund(ExitsBlocked)`: the breaker is halted or globally paused;
        /// - `Fund(ClaimsUndecided)`: a claim awaits a decision;
        /// - `Fund(BelowSolvencyTarget)`: paying would leave less than the
        ///   requirement plus the open claims;
        /// - `Fund(InsufficientShares)`, `Fund(Overflow)`: the pool's
        ///   accounts would not add up (an invariant broken);
        /// - `TransferFailed`: the payment to the caller failed.
        #[ink(message)]
        pub fn complete_exit(&mut self) -> Result<Payout> {
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let shares = holder.exit.as_ref().map_or(0, |r| r.shares);
            let blocked = holder.exit.is_some() && self.breaker_blocks_exits()?;
            let payout = self.pool.0.complete_exit(&mut holder, self.now(), blocked)?;
            self.holders.insert(who, &Stored(holder));
            self.env().transfer(who, payout.paid).map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(Exited { who, shares, paid: payout.paid, withheld: payout.withheld });
            Ok(payout)
        }

        /// Drops the caller's lapsed exit and gives the shares back.
        ///
        /// Caller: the holder whose exit it is.
        /// Emits: `ExitLapsed`.
        /// Errors:
        /// - `Fund(NoExit)`: the caller has no exit in progress;
        /// - `Fund(ExitStillOpen)`: the exit can still complete;
        /// - `Fund(Overflow)`: the caller's free shares would overflow.
        #[ink(message)]
        pub fn expire_exit(&mut self) -> Result<Balance> {
            let who = self.env().caller();
            let mut holder = self.holder(who);
            let back = self.pool.0.expire_exit(&mut holder, self.now())?;
            self.holders.insert(who, &Stored(holder));
            self.env().emit_event(ExitLapsed { who, shares: back });
            Ok(back)
        }

        /// A covered protocol files a claim for `loss`, paid to `claimant`.
        /// The part above the reinsurance attachment is filed with the
        /// reinsurer in the same transaction; if the reinsurer refuses, the
        /// retained part is filed all the same and the cession waits for
        /// `retry_cession`.
        ///
        /// Caller: a covered account.
        /// Emits: `ClaimFiled`, then for a claim with a ceded part
        /// `CessionPlaced` or `CessionFailed`.
        /// Errors:
        /// - `NotCovered`: the caller is not a covered account;
        /// - `Fund(ZeroAmount)`: `loss` is 0;
        /// - `Fund(Overflow)`: the liabilities or the claim id counter
        ///   would overflow.
        ///
        /// A reinsurer's refusal is none of these: the claim is filed all
        /// the same.
        #[ink(message)]
        pub fn file_claim(&mut self, loss: Balance, claimant: AccountId) -> Result<ClaimId> {
            if !self.roles.covered.contains(&self.env().caller()) {
                return Err(Error::NotCovered);
            }
            let mut claim = self.pool.0.file_claim(account(&claimant), loss, self.now())?;
            self.env().emit_event(ClaimFiled {
                id: claim.id,
                claimant,
                loss,
                retained: claim.retained,
                ceded: claim.ceded,
            });
            let _ = self.try_cession(&mut claim);
            self.claims.insert(claim.id, &Stored(claim.clone()));
            Ok(claim.id)
        }

        /// Files a claim's pending ceded part with the reinsurer again
        /// (anyone may: it only moves the loss where the layer says). A
        /// rejected claim's cession was withdrawn and is refused.
        ///
        /// Caller: anyone.
        /// Emits: `CessionPlaced` (a refusal emits `CessionFailed`, but the
        /// call then fails and reverts, and the event with it).
        /// Errors:
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimRejected)`: the claim was rejected;
        /// - `Fund(NoPendingCession)`: no ceded part waits to be placed;
        /// - `ReinsurerCallFailed`: the reinsurer refused, trapped or ran
        ///   out of its gas limit (or no reinsurer is set).
        #[ink(message)]
        pub fn retry_cession(&mut self, id: ClaimId) -> Result<()> {
            let mut claim = self.claim_or_err(id)?;
            let placed = self.try_cession(&mut claim);
            self.claims.insert(id, &Stored(claim));
            placed
        }

        /// The admin approves a filed claim; it joins the open payment
        /// round.
        ///
        /// Caller: the admin.
        /// Emits: `ClaimApproved`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimNotFiled)`: the claim was decided already;
        /// - `Fund(Overflow)`: the approved liabilities would overflow.
        #[ink(message)]
        pub fn approve_claim(&mut self, id: ClaimId) -> Result<()> {
            self.only_admin()?;
            let mut claim = self.claim_or_err(id)?;
            self.pool.0.approve_claim(&mut claim)?;
            self.claims.insert(id, &Stored(claim));
            self.env().emit_event(ClaimApproved { id });
            Ok(())
        }

        /// The admin rejects a filed claim; its reserve is freed and a pending
        /// cession withdrawn.
        ///
        /// Caller: the admin.
        /// Emits: `ClaimRejected`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimNotFiled)`: the claim was decided already.
        #[ink(message)]
        pub fn reject_claim(&mut self, id: ClaimId) -> Result<()> {
            self.only_admin()?;
            let mut claim = self.claim_or_err(id)?;
            self.pool.0.reject_claim(&mut claim)?;
            self.claims.insert(id, &Stored(claim));
            self.env().emit_event(ClaimRejected { id });
            Ok(())
        }

        /// Pays an approved claim to its claimant (anyone may trigger it), at
        /// its round's ratio (see bulwark-core's `pay_claim`). If the
        /// transfer fails (a payment below the existential deposit to an
        /// account that does not exist) the whole call reverts and the claim
        /// stays approved: anyone may endow the claimant's account and pay it.
        ///
        /// Caller: anyone.
        /// Emits: `ClaimPaid`.
        /// Errors:
        /// - `UnknownClaim`: no claim `id`;
        /// - `Fund(ClaimNotApproved)`: the claim is not approved (or paid
        ///   already);
        /// - `Fund(PaymentWaitsForDecisions)`: the pool is short and a
        ///   claim is still undecided;
        /// - `Fund(EarlierRoundUnpaid)`: claims of an earlier settled
        ///   round must be paid first;
        /// - `Fund(Overflow)`: the settlement would overflow;
        /// - `TransferFailed`: the payment to the claimant failed.
        #[ink(message)]
        pub fn pay_claim(&mut self, id: ClaimId) -> Result<Payout> {
            let mut claim = self.claim_or_err(id)?;
            let payout = self.pool.0.pay_claim(&mut claim)?;
            let claimant = AccountId::from(claim.claimant);
            self.claims.insert(id, &Stored(claim));
            self.env().transfer(claimant, payout.paid).map_err(|_| Error::TransferFailed)?;
            self.env().emit_event(ClaimPaid { id, claimant, paid: payout.paid, haircut: payout.withheld });
            Ok(payout)
        }

        /// The admin raises the active cover (or keeps it): it only raises
        /// the capital the pool keeps, so the multisig runs it at Standard.
        ///
        /// Caller: the admin.
        /// Emits: `CoverSet`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(CoverDirection)`: `cover` is below the active cover.
        #[ink(message)]
        pub fn raise_active_cover(&mut self, cover: Balance) -> Result<()> {
            self.only_admin()?;
            self.pool.0.raise_active_cover(cover)?;
            self.env().emit_event(CoverSet { cover });
            Ok(())
        }

        /// The admin lowers the active cover (or keeps it): it lowers the
        /// capital the pool keeps and so re-opens exits, so the multisig
        /// runs it at Critical (bulwark_core::multisig::ADMIN_CALLS).
        ///
        /// Caller: the admin.
        /// Emits: `CoverSet`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(CoverDirection)`: `cover` is above the active cover.
        #[ink(message)]
        pub fn lower_active_cover(&mut self, cover: Balance) -> Result<()> {
            self.only_admin()?;
            self.pool.0.lower_active_cover(cover)?;
            self.env().emit_event(CoverSet { cover });
            Ok(())
        }

        /// Replaces the parameters; `virtual_shares` is fixed while shares
        /// exist.
        ///
        /// Caller: the admin.
        /// Emits: `ParamsUpdated`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(InvalidParams(Reinsurer))`: `params` sets a reinsurance
        ///   layer and the roles no reinsurer;
        /// - `Fund(InvalidParams(VirtualSharesLocked))`: `virtual_shares`
        ///   changes while shares exist;
        /// - `Fund(InvalidParams(_))`: a field of `params` out of range (as
        ///   for the constructor).
        #[ink(message)]
        pub fn set_params(&mut self, params: FundParams) -> Result<()> {
            self.only_admin()?;
            validate_ceding(params.reinsurance.as_ref(), self.roles.reinsurer.is_some())
                .map_err(|e| Error::Fund(FundError::InvalidParams(e)))?;
            self.pool.0.set_params(params.clone())?;
            self.env().emit_event(ParamsUpdated { params });
            Ok(())
        }

        /// Replaces the roles.
        ///
        /// Caller: the admin.
        /// Emits: `RolesUpdated`.
        /// Errors:
        /// - `NotAdmin`: the caller is not the admin;
        /// - `Fund(InvalidParams(Reinsurer))`: `roles` names no reinsurer
        ///   while the params set a reinsurance layer.
        #[ink(message)]
        pub fn set_roles(&mut self, roles: FundRoles) -> Result<()> {
            self.only_admin()?;
            validate_ceding(self.pool.0.params().reinsurance.as_ref(), roles.reinsurer.is_some())
                .map_err(|e| Error::Fund(FundError::InvalidParams(e)))?;
            self.roles = roles.clone();
            self.env().emit_event(RolesUpdated { roles });
            Ok(())
        }

        /// The holder's free shares (those locked in an exit not included);
        /// 0 once its shares were retired as worthless after a wipe-out.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn shares_of(&self, who: AccountId) -> Balance {
            self.pool.0.holding(&self.holder(who)).shares
        }

        /// The holder's pending exit; none once its shares were retired.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn exit_of(&self, who: AccountId) -> Option<ExitRequest> {
            self.pool.0.holding(&self.holder(who)).exit
        }

        /// Claim `id`, whatever its status; none if never filed.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn claim(&self, id: ClaimId) -> Option<Claim> {
            self.claims.get(id).map(|s| s.0)
        }

        /// Value `shares` would redeem for now, net of filed claims.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Fund(Overflow)` if the value would overflow.
        #[ink(message)]
        pub fn preview_redeem(&self, shares: Balance) -> Result<Balance> {
            self.pool.0.preview_redeem(shares).ok_or(Error::Fund(FundError::Overflow))
        }

        /// The assets the pool holds, set-aside claim money included.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn total_assets(&self) -> Balance {
            self.pool.0.total_assets()
        }

        /// The shares of the current generation, locked ones included.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn total_shares(&self) -> Balance {
            self.pool.0.total_shares()
        }

        /// The cover the pool backs, which sets the capital it must keep.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn active_cover(&self) -> Balance {
            self.pool.0.active_cover()
        }

        /// The capital the pool must keep: `max(active cover × solvency
        /// target, min_capital)`.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn required_capital(&self) -> Balance {
            self.pool.0.required_capital()
        }

        /// The assets over the required capital plus open claims, in bps
        /// (`u32::MAX` when nothing is required).
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn coverage_bps(&self) -> Bps {
            self.pool.0.coverage_bps()
        }

        /// The parameters in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn params(&self) -> FundParams {
            self.pool.0.params().clone()
        }

        /// The roles in force.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn roles(&self) -> FundRoles {
            self.roles.clone()
        }

        fn holder(&self, who: AccountId) -> Holder {
            self.holders.get(who).map(|s| s.0).unwrap_or_default()
        }

        /// Asks the breaker whether exits must wait (bulwark-core's rule:
        /// halted or globally paused).
        fn breaker_blocks_exits(&self) -> Result<bool> {
            let Some(breaker) = self.roles.breaker else {
                return Ok(false);
            };
            build_call::<Environment>()
                .call(breaker)
                .exec_input(ExecutionInput::new(Selector::new(ink::selector_bytes!("blocks_exits"))))
                .returns::<bool>()
                .try_invoke()
                .map_err(|_| Error::BreakerCallFailed)?
                .map_err(|_| Error::BreakerCallFailed)
        }

        /// Files a pending ceded part with the reinsurer and records it, or
        /// emits `CessionFailed` and leaves it pending. The call gets at
        /// most `CESSION_REF_TIME_LIMIT` and `CESSION_PROOF_SIZE_LIMIT`, so
        /// a reinsurer that burns gas fails alone, like one that refuses.
        fn try_cession(&self, claim: &mut Claim) -> Result<()> {
            let pending = claim.clone();
            let mut placed = claim.clone();
            self.pool.0.record_cession(&mut placed)?;
            let reinsurer = self.roles.reinsurer.ok_or(Error::ReinsurerCallFailed)?;
            let accepted = build_call::<Environment>()
                .call(reinsurer)
                .ref_time_limit(CESSION_REF_TIME_LIMIT)
                .proof_size_limit(CESSION_PROOF_SIZE_LIMIT)
                .exec_input(
                    ExecutionInput::new(Selector::new(ink::selector_bytes!("file_claim")))
                        .push_arg(pending.ceded)
                        .push_arg(AccountId::from(pending.claimant)),
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
            self.claims.get(id).map(|s| s.0).ok_or(Error::UnknownClaim)
        }

        fn only_admin(&self) -> Result<()> {
            if self.env().caller() == self.roles.admin {
                Ok(())
            } else {
                Err(Error::NotAdmin)
            }
        }

        fn now(&self) -> Timestamp {
            self.env().block_timestamp()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use bulwark_core::fund::ClaimStatus;
        use ink::env::test;
        use ink::env::DefaultEnvironment as Env;

        const DAY: u64 = 24 * 3_600_000;

        fn accounts() -> test::DefaultAccounts<Env> {
            test::default_accounts::<Env>()
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

        fn as_caller(who: AccountId) {
            test::set_caller::<Env>(who);
        }

        fn at(ms: u64) {
            test::set_block_timestamp::<Env>(ms);
        }

        fn pay_in(who: AccountId, value: Balance) {
            as_caller(who);
            test::set_value_transferred::<Env>(value);
        }

        fn balance(who: AccountId) -> Balance {
            test::get_account_balance::<Env>(who).expect("account exists")
        }

        /// Bob deposits 1_000_000; the contract holds it.
        fn funded() -> InsuranceFund {
            at(0);
            as_caller(accounts().alice);
            let mut f = InsuranceFund::new(params(), roles()).expect("valid params");
            pay_in(accounts().bob, 1_000_000);
            f.deposit().expect("deposit");
            test::set_value_transferred::<Env>(0);
            test::set_account_balance::<Env>(test::callee::<Env>(), 1_000_000);
            f
        }

        #[ink::test]
        fn constructor_rejects_bad_params() {
            let mut p = params();
            p.exit_cooldown_ms = 0;
            let err = InsuranceFund::new(p, roles()).err();
            assert_eq!(err, Some(Error::Fund(FundError::InvalidParams(bulwark_core::ParamError::ExitCooldown))));
        }

        #[ink::test]
        fn deposits_mint_shares_and_premiums_raise_their_value() {
            let mut f = funded();
            let bob = accounts().bob;
            assert_eq!(f.shares_of(bob), 1_000_000 * 1_000);
            assert_eq!(f.total_assets(), 1_000_000);
            pay_in(accounts().eve, 0);
            assert_eq!(f.deposit(), Err(Error::Fund(FundError::ZeroAmount)));
            pay_in(accounts().eve, 100_000);
            f.add_premium().expect("premium");
            assert_eq!(f.total_assets(), 1_100_000);
            assert!(f.preview_redeem(f.shares_of(bob)).expect("no overflow") >= 1_099_999);
            assert!(test::recorded_events().count() >= 2);
        }

        #[ink::test]
        fn exits_wait_for_the_cooldown_and_pay_the_lower_value() {
            let mut f = funded();
            let bob = accounts().bob;
            as_caller(bob);
            let half = f.shares_of(bob) / 2;
            assert_eq!(f.request_exit(f.shares_of(bob) + 1), Err(Error::Fund(FundError::InsufficientShares)));
            let req = f.request_exit(half).expect("exit requested");
            assert_eq!(req.value_at_request, 500_000);
            assert_eq!(f.request_exit(1), Err(Error::Fund(FundError::ExitPending)));
            assert_eq!(f.complete_exit(), Err(Error::Fund(FundError::CooldownActive)));
            at(10 * DAY);
            let before = balance(bob);
            let out = f.complete_exit().expect("exit completes");
            assert_eq!(out.paid, 500_000);
            assert_eq!(balance(bob), before + 500_000);
            assert_eq!(f.total_assets(), 500_000);
            assert_eq!(f.complete_exit(), Err(Error::Fund(FundError::NoExit)), "no replay");
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
            assert_eq!(f.complete_exit(), Err(Error::Fund(FundError::ExitExpired)));
            assert_eq!(f.expire_exit(), Ok(all));
            assert_eq!(f.shares_of(bob), all);
            assert_eq!(f.expire_exit(), Err(Error::Fund(FundError::NoExit)));
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
            assert_eq!(f.complete_exit(), Err(Error::Fund(FundError::ClaimsUndecided)));
            as_caller(accounts().alice);
            f.reject_claim(id).expect("rejected");
            as_caller(bob);
            assert_eq!(f.complete_exit().map(|p| p.paid), Ok(500_000), "the rejected claim costs the leaver nothing");
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
            assert_eq!(f.raise_active_cover(3_000_000), Err(Error::Fund(FundError::CoverDirection)));
            assert_eq!(f.lower_active_cover(5_000_000), Err(Error::Fund(FundError::CoverDirection)));
            assert_eq!(f.required_capital(), 800_000, "refused changes change nothing");
            as_caller(accounts().bob);
            f.request_exit(f.shares_of(accounts().bob) / 2).expect("requested");
            at(10 * DAY);
            assert_eq!(f.complete_exit(), Err(Error::Fund(FundError::BelowSolvencyTarget)));
        }

        #[ink::test]
        fn claims_need_cover_approval_and_pay_once() {
            let mut f = funded();
            let (alice, charlie, eve) = (accounts().alice, accounts().charlie, accounts().eve);
            as_caller(eve);
            assert_eq!(f.file_claim(100, eve), Err(Error::NotCovered));
            as_caller(charlie);
            let id = f.file_claim(600_000, eve).expect("covered protocol files");
            let claim = f.claim(id).expect("stored");
            assert_eq!((claim.retained, claim.ceded), (400_000, 0), "capped per event");
            assert_eq!(f.pay_claim(id), Err(Error::Fund(FundError::ClaimNotApproved)));
            assert_eq!(f.approve_claim(id), Err(Error::NotAdmin));
            as_caller(alice);
            f.approve_claim(id).expect("admin approves");
            assert_eq!(f.approve_claim(id), Err(Error::Fund(FundError::ClaimNotFiled)));
            let before = balance(eve);
            as_caller(eve);
            let out = f.pay_claim(id).expect("approved claims pay");
            assert_eq!(out, Payout { paid: 400_000, withheld: 0 });
            assert_eq!(balance(eve), before + 400_000);
            assert_eq!(f.claim(id).map(|c| c.status), Some(ClaimStatus::Paid { paid: 400_000 }));
            assert_eq!(f.pay_claim(id), Err(Error::Fund(FundError::ClaimNotApproved)), "no double payment");
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
            assert_eq!(f.reject_claim(id), Err(Error::Fund(FundError::ClaimNotFiled)));
            as_caller(accounts().eve);
            assert_eq!(f.reject_claim(id), Err(Error::NotAdmin));
        }

        #[ink::test]
        fn admin_sets_params_and_roles() {
            let mut f = funded();
            as_caller(accounts().eve);
            assert_eq!(f.set_params(params()), Err(Error::NotAdmin));
            assert_eq!(f.set_roles(roles()), Err(Error::NotAdmin));
            as_caller(accounts().alice);
            let mut p = params();
            p.claim_cap_per_event = 0;
            assert_eq!(f.set_params(p), Err(Error::Fund(FundError::InvalidParams(bulwark_core::ParamError::ClaimCap))));
            let mut p = params();
            p.exit_cooldown_ms = DAY;
            f.set_params(p.clone()).expect("valid");
            assert_eq!(f.params(), p);
            let mut r = roles();
            r.covered.push(accounts().frank);
            f.set_roles(r.clone()).expect("valid");
            assert_eq!(f.roles(), r);
            let mut p = params();
            p.virtual_shares = 7;
            assert_eq!(
                f.set_params(p),
                Err(Error::Fund(FundError::InvalidParams(bulwark_core::ParamError::VirtualSharesLocked))),
                "shares exist: V is fixed"
            );
        }

        #[ink::test]
        fn a_reinsurance_layer_needs_a_reinsurer() {
            let mut p = params();
            p.reinsurance = Some(bulwark_core::fund::ReinsuranceLayer { attachment: 1, limit: 1 });
            assert_eq!(
                InsuranceFund::new(p, roles()).err(),
                Some(Error::Fund(FundError::InvalidParams(bulwark_core::ParamError::Reinsurer)))
            );
            // Added in two steps, reinsurer first; removed in the reverse order.
            let mut f = funded();
            as_caller(accounts().alice);
            let mut layered = params();
            layered.reinsurance = Some(bulwark_core::fund::ReinsuranceLayer { attachment: 1, limit: 1 });
            assert_eq!(
                f.set_params(layered.clone()),
                Err(Error::Fund(FundError::InvalidParams(bulwark_core::ParamError::Reinsurer)))
            );
            let mut r = roles();
            r.reinsurer = Some(accounts().django);
            f.set_roles(r).expect("a reinsurer first");
            f.set_params(layered).expect("then the layer");
            assert_eq!(
                f.set_roles(roles()),
                Err(Error::Fund(FundError::InvalidParams(bulwark_core::ParamError::Reinsurer))),
                "the reinsurer cannot leave while the layer stands"
            );
        }
    }
}

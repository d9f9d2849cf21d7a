//! # multisig_guard (ink! 6, pallet-revive)
//!
//! A thin ink! shell over `bulwark_core::multisig`: M-of-N proposals with
//! per-class timelocks, expiry, a rising veto threshold and a guard policy.
//! It is the admin of the circuit_breaker and the insurance_fund: an
//! executed call proposal becomes a cross-contract call (callee, selector,
//! input, value).
//!
//! The contract adds only what core cannot: the call hash (Keccak-256 of
//! this contract's 20-byte address, the proposal nonce, the SCALE-encoded
//! action and its predecessor), storage, events and the call itself. The
//! in-flight mark is written to storage before the call and re-checked
//! after it, and the runtime refuses re-entry into this contract during the
//! call (pallet-revive calls do not allow re-entry unless the callee's
//! flags say so).
//!
//! A call counts as executed only if the callee is a contract and succeeded
//! (a call to a plain account would transfer nothing and "succeed"): the
//! call is made through the raw host function so that a callee's revert (an
//! ink! message returning `Err`) is seen as a failure, not decoded as output
//! (ink!'s call builder ignores the revert flag for the ink! ABI). Then the
//! whole `execute` fails and reverts, and the proposal stays ready
//! (OpenZeppelin's TimelockController). `execute` is not payable: a call's
//! value (native units, core's `CallSpec::value`) comes from the multisig's
//! own balance and is sent in the chain's Ethereum view.
//!
//! Core accounts in the parameters and in call targets are addresses
//! right-aligned in 32 bytes (`bulwark_ink::account`); a target that is no
//! address has no code and is refused like one without code.
//!
//! Each message's doc says what it does, then `Caller:`, `Emits:` and
//! `Errors:`. Under `abi = "all"` every event is emitted twice, once per
//! ABI (its ink! record, then its Solidity one; `Emits: X (once per ABI)`
//! means both), and an error is returned to a Solidity caller as the
//! custom error of its variant's name.
#![cfg_attr(not(feature = "std"), no_std, no_main)]
#![warn(missing_docs)]

/// The contract: its storage, events, errors and messages.
// ink! 6.0.0-beta.1 generates undocumented `pub type`s in this module (the
// contract reference's aliases `<Name>Ref`, `<Name>RefInk`, `<Name>RefSol`),
// so the lint is allowed on the module and warned again on each item
// written here: a new public item needs `#[warn(missing_docs)]` too.
#[allow(missing_docs)]
#[ink::contract(env = bulwark_ink::BulwarkEnv)]
pub mod multisig_guard {
    use bulwark_core::breaker::BondPolicy;
    use bulwark_core::multisig::{
        Action, BondCheck, CallSpec, Execution, Multisig, MultisigError, MultisigParams, OperationClass, Proposal,
        ProposalId, Timelocks,
    };
    use bulwark_ink::store::{self, Chunks};
    use bulwark_ink::{account, address, now_ms, Core};
    use ink::env::call::{build_call_ink, ExecutionInput, Selector};
    use ink::prelude::vec::Vec;
    use ink::sol::{DynBytes, FixedBytes};
    use ink::storage::Mapping;

    /// Every value is a core value in cells of `bulwark_ink::store`.
    #[warn(missing_docs)]
    #[ink(storage)]
    pub struct MultisigGuard {
        /// The core multisig. Written eagerly (not at the end of the
        /// message) so that it is current in storage while an executed call
        /// is in flight.
        multisig: Chunks<()>,
        /// Every proposal ever made, by id (its nonce), whatever its status.
        proposals: Chunks<ProposalId>,
    }

    /// Carries what the proposal does, so vetoers see it without reading
    /// storage, and can recompute `call_hash` from the event alone
    /// (`hash_action(id, action, predecessor)`: a proposal's id is the
    /// nonce it was made at).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Proposed {
        /// The new proposal's id.
        #[ink(topic)]
        pub id: ProposalId,
        /// The owner who proposed it (its first approval).
        #[ink(topic)]
        pub proposer: Address,
        /// The class it runs under, which sets its timelock.
        pub class: Core<OperationClass>,
        /// What it does: a call or a change to the multisig.
        pub action: Core<Action>,
        /// The proposal that must execute first, if any.
        pub predecessor: Option<ProposalId>,
        /// The hash owners approve against (Keccak-256, `hash_action`).
        pub call_hash: FixedBytes<32>,
        /// Earliest execution time.
        pub eta: Timestamp,
        /// First instant at which it can no longer execute.
        pub expires_at: Timestamp,
    }

    /// An owner approved a proposal (`approve`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Approved {
        /// The proposal.
        #[ink(topic)]
        pub id: ProposalId,
        /// The approving owner.
        #[ink(topic)]
        pub owner: Address,
    }

    /// An owner withdrew an approval (`revoke`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Revoked {
        /// The proposal.
        #[ink(topic)]
        pub id: ProposalId,
        /// The owner whose approval was withdrawn.
        #[ink(topic)]
        pub owner: Address,
    }

    /// A vetoer voted to cancel a proposal (`veto`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Vetoed {
        /// The proposal.
        #[ink(topic)]
        pub id: ProposalId,
        /// The vetoer.
        #[ink(topic)]
        pub vetoer: Address,
        /// Whether this vote cancelled it.
        pub cancelled: bool,
    }

    /// A proposal cancelled on vetoes cast earlier, once the threshold in
    /// force fell to them (`cancel_vetoed`).
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct CancelledOnVetoes {
        /// The proposal cancelled.
        #[ink(topic)]
        pub id: ProposalId,
    }

    /// A proposal executed (`execute`): its config change applied, or its
    /// call succeeded.
    #[warn(missing_docs)]
    #[ink(event)]
    pub struct Executed {
        /// The proposal.
        #[ink(topic)]
        pub id: ProposalId,
        /// The callee's return data, its first 8 KiB (empty for config
        /// changes).
        pub output: DynBytes,
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
        /// its order (the same SCALE bytes). In the Solidity ABI each variant is a custom error of its
        /// name; core's errors are `bytes` of their SCALE encoding.
        #[ink::error]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Error {
            /// bulwark-core refused the operation.
            Multisig(Core<MultisigError>),
            /// No proposal with this id was ever made.
            UnknownProposal,
            /// Storage did not hold the multisig (cannot happen after construction).
            Uninitialized,
            /// A call proposal's target has no contract code (a mistyped or
            /// removed address, or a 32-byte account that is no address):
            /// nothing is called and the proposal stays pending, as a call
            /// to a plain account would "succeed" and count as executed.
            TargetNotContract,
            /// A breaker whose bond policy a timelock or guard change must be
            /// checked against (bulwark-core's `BondCheck`) did not report
            /// it: the change is refused.
            BreakerQueryFailed,
        }
    }

    impl From<MultisigError> for Error {
        fn from(e: MultisigError) -> Self {
            Error::Multisig(Core(e))
        }
    }

    /// The result of the multisig's fallible messages and constructor.
    #[warn(missing_docs)]
    pub type Result<T> = core::result::Result<T, Error>;

    /// Most output bytes kept from an executed call (pallet-revive cuts a
    /// longer return to the buffer). 8 KiB, not the ink! 5 shell's 16: the
    /// output is returned and emitted through ink!'s 16 KiB static buffer
    /// (`staticBufferSize` in the metadata), which 16 KiB and their
    /// encoding overflow, trapping `execute`.
    #[cfg(target_arch = "riscv64")]
    const OUTPUT_LIMIT: usize = 8 * 1024;

    /// Call input passed through byte for byte.
    #[cfg(not(target_arch = "riscv64"))]
    struct RawInput<'a>(&'a [u8]);

    #[cfg(not(target_arch = "riscv64"))]
    impl scale::Encode for RawInput<'_> {
        fn size_hint(&self) -> usize {
            self.0.len()
        }
        fn encode_to<O: scale::Output + ?Sized>(&self, dest: &mut O) {
            dest.write(self.0);
        }
    }

    /// Whatever the callee returned, kept as bytes.
    #[cfg(not(target_arch = "riscv64"))]
    struct RawOutput(Vec<u8>);

    #[cfg(not(target_arch = "riscv64"))]
    impl scale::Decode for RawOutput {
        fn decode<I: scale::Input>(input: &mut I) -> core::result::Result<Self, scale::Error> {
            let len = input.remaining_len()?.unwrap_or(0);
            let mut bytes = ink::prelude::vec![0u8; len];
            input.read(&mut bytes)?;
            Ok(RawOutput(bytes))
        }
    }

    #[warn(missing_docs)]
    impl MultisigGuard {
        /// Deploys the multisig with nonce 0, no proposal, and the veto thresholds
        /// at their base. `params` is `multisig_guard` from the simulator's
        /// params.json (in the Solidity ABI: its SCALE encoding as `bytes`). Its
        /// owners, vetoers and guard targets are addresses right-aligned in 32
        /// bytes (`bulwark_ink::account`); an owner or vetoer that is not one can
        /// never act, and a target that is not one is refused at execution.
        ///
        /// Caller: anyone (the deployer; it gets no role unless `params` names it).
        /// Emits: nothing.
        /// Errors: `Multisig(InvalidParams(_))` if a field of `params` is out of
        /// range (`OwnerCount`, `DuplicateOwner`, `Threshold`, `VetoerCount`,
        /// `VetoThreshold`, `CriticalTimelock`, `MembershipTimelock`,
        /// `PolicyTimelock`, `Expiry`, `AllowList`, `AdminCallClass`).
        #[ink(constructor)]
        pub fn new(params: Core<MultisigParams>) -> Result<Self> {
            let multisig = Multisig::new(params.0)?;
            let mut this = Self { multisig: Mapping::default(), proposals: Mapping::default() };
            store::save(&mut this.multisig, (), &multisig);
            Ok(this)
        }

        /// An owner proposes `action`, to run only after proposal `predecessor`
        /// (if any) executed; their approval is counted. The proposal's call hash
        /// is `hash_action(nonce, action, predecessor)` (Keccak-256). A config
        /// change that could never apply now is refused at once.
        ///
        /// Caller: an owner.
        /// Emits: `Proposed` (once per ABI).
        /// Errors:
        /// - `Uninitialized`: no multisig in storage (never after construction);
        /// - `Multisig(NotOwner)`: the caller is not an owner;
        /// - `Multisig(InputTooLong)`: a call's input is over 4,096 bytes;
        /// - `Multisig(NotAllowedByGuard)`: the guard has no entry for the call's
        ///   (target, selector);
        /// - `Multisig(ValueCapExceeded)`: the call's value (native units) is
        ///   above its class's cap;
        /// - `Multisig(OwnerExists)`, `Multisig(OwnerMissing)`: an owner change
        ///   adds an owner twice or removes or swaps a non-owner;
        /// - `Multisig(InvalidParams(_))`: the params after a config change would
        ///   be out of range (as for the constructor);
        /// - `Multisig(UncheckedBreakers)`: a longer Critical timelock with no
        ///   guard to list the breakers it must be checked against;
        /// - `Multisig(Overflow)`: the eta, expiry or nonce would overflow.
        #[ink(message)]
        pub fn propose(&mut self, action: Core<Action>, predecessor: Option<ProposalId>) -> Result<ProposalId> {
            let mut ms = self.load()?;
            let call_hash = self.hash_action(ms.nonce(), action.clone(), predecessor);
            let proposer = self.env().caller();
            let p = ms.propose(account(&proposer), action.0, predecessor, call_hash.0, self.now())?;
            store::save(&mut self.multisig, (), &ms);
            store::save(&mut self.proposals, p.id, &p);
            self.env().emit_event(Proposed {
                id: p.id,
                proposer,
                class: Core(p.class),
                action: Core(p.action.clone()),
                predecessor,
                call_hash,
                eta: p.eta,
                expires_at: p.expires_at,
            });
            Ok(p.id)
        }

        /// An owner approves the proposal whose hash they reviewed (the Keccak-256
        /// `call_hash` of its `Proposed` event, or `hash_action`).
        ///
        /// Caller: an owner.
        /// Emits: `Approved` (once per ABI).
        /// Errors:
        /// - `Uninitialized`: no multisig in storage (never after construction);
        /// - `UnknownProposal`: no proposal `id`;
        /// - `Multisig(NotOwner)`: the caller is not an owner;
        /// - `Multisig(AlreadyExecuted)`, `Multisig(Cancelled)`,
        ///   `Multisig(Expired)`: the proposal is no longer open;
        /// - `Multisig(CallHashMismatch)`: `call_hash` is not the proposal's;
        /// - `Multisig(AlreadyApproved)`: the caller approved it already.
        #[ink(message)]
        pub fn approve(&mut self, id: ProposalId, call_hash: FixedBytes<32>) -> Result<()> {
            let ms = self.load()?;
            let mut p = self.proposal_or_err(id)?;
            let owner = self.env().caller();
            ms.approve(&mut p, account(&owner), &call_hash.0, self.now())?;
            store::save(&mut self.proposals, id, &p);
            self.env().emit_event(Approved { id, owner });
            Ok(())
        }

        /// An owner withdraws their approval.
        ///
        /// Caller: an owner.
        /// Emits: `Revoked` (once per ABI).
        /// Errors:
        /// - `Uninitialized`: no multisig in storage (never after construction);
        /// - `UnknownProposal`: no proposal `id`;
        /// - `Multisig(NotOwner)`: the caller is not an owner;
        /// - `Multisig(AlreadyExecuted)`, `Multisig(Cancelled)`,
        ///   `Multisig(Expired)`: the proposal is no longer open;
        /// - `Multisig(NotApproved)`: the caller has not approved it.
        #[ink(message)]
        pub fn revoke(&mut self, id: ProposalId) -> Result<()> {
            let ms = self.load()?;
            let mut p = self.proposal_or_err(id)?;
            let owner = self.env().caller();
            ms.revoke(&mut p, account(&owner), self.now())?;
            store::save(&mut self.proposals, id, &p);
            self.env().emit_event(Revoked { id, owner });
            Ok(())
        }

        /// A vetoer votes to cancel; returns whether this vote cancelled it.
        ///
        /// Caller: a vetoer.
        /// Emits: `Vetoed` (once per ABI).
        /// Errors:
        /// - `Uninitialized`: no multisig in storage (never after construction);
        /// - `UnknownProposal`: no proposal `id`;
        /// - `Multisig(NotVetoer)`: the caller is not a vetoer;
        /// - `Multisig(AlreadyExecuted)`, `Multisig(Cancelled)`,
        ///   `Multisig(Expired)`: the proposal is no longer open;
        /// - `Multisig(AlreadyVetoed)`: the caller vetoed it already.
        #[ink(message)]
        pub fn veto(&mut self, id: ProposalId) -> Result<bool> {
            let mut ms = self.load()?;
            let mut p = self.proposal_or_err(id)?;
            let vetoer = self.env().caller();
            let cancelled = ms.veto(&mut p, account(&vetoer), self.now())?;
            store::save(&mut self.multisig, (), &ms);
            store::save(&mut self.proposals, id, &p);
            self.env().emit_event(Vetoed { id, vetoer, cancelled });
            Ok(cancelled)
        }

        /// Anyone cancels a pending proposal whose vetoes from current vetoers
        /// already meet the veto threshold in force (they were cast while it was
        /// higher, and an execution has since reset it). Such a proposal cannot
        /// execute either way; this records it and, like a cancel by vote, may
        /// raise the threshold.
        ///
        /// Caller: anyone.
        /// Emits: `CancelledOnVetoes` (once per ABI).
        /// Errors:
        /// - `Uninitialized`: no multisig in storage (never after construction);
        /// - `UnknownProposal`: no proposal `id`;
        /// - `Multisig(AlreadyExecuted)`, `Multisig(Cancelled)`,
        ///   `Multisig(Expired)`: the proposal is no longer open;
        /// - `Multisig(NotEnoughVetoes)`: its vetoes from current vetoers do not
        ///   meet the threshold in force.
        #[ink(message)]
        pub fn cancel_vetoed(&mut self, id: ProposalId) -> Result<()> {
            let mut ms = self.load()?;
            let mut p = self.proposal_or_err(id)?;
            ms.cancel_vetoed(&mut p, self.now())?;
            store::save(&mut self.multisig, (), &ms);
            store::save(&mut self.proposals, id, &p);
            self.env().emit_event(CancelledOnVetoes { id });
            Ok(())
        }

        /// Executes a ready proposal, once, and returns the callee's output (empty
        /// for a config change). A call goes through pallet-revive's raw `call`
        /// host function (selector and input as proposed, so the callee's ink!
        /// ABI) with all the gas left, its value (native units) sent from the
        /// multisig's own balance in the chain's Ethereum view; only the first
        /// 8 KiB of the callee's output are kept. A timelock or guard change that
        /// would leave an allow-listed breaker's bond settle window at or below
        /// the Critical timelock fails (each breaker is asked its `bond_policy`
        /// through the ink! ABI) and stays pending. If the callee traps, reverts
        /// or returns `Err`, this fails with `Multisig(CallFailed)` and reverts:
        /// the proposal stays ready. A call to an account without contract code
        /// fails with `TargetNotContract`, before anything changes.
        ///
        /// Caller: anyone (not payable: a call's value comes from the multisig's
        /// balance).
        /// Emits: `Executed` (once per ABI; and whatever the called contract
        /// emits).
        /// Errors:
        /// - `Uninitialized`: no multisig in storage (never after construction);
        /// - `UnknownProposal`: no proposal `id`;
        /// - `Multisig(Reentrancy)`: another proposal's call is in flight, or after
        ///   its call this proposal is not the pending one in flight (defensive:
        ///   the runtime refuses re-entry first);
        /// - `Multisig(AlreadyExecuted)`, `Multisig(Cancelled)`,
        ///   `Multisig(Expired)`: the proposal is no longer open;
        /// - `Multisig(Vetoed)`: its vetoes meet the threshold in force;
        /// - `Multisig(TimelockNotPassed)`: before its eta, or before the longer
        ///   timelock its call's class now needs;
        /// - `Multisig(PredecessorNotExecuted)`: its predecessor has not executed;
        /// - `Multisig(NotEnoughApprovals)`: fewer approvals from current owners
        ///   than the threshold;
        /// - `Multisig(InputTooLong)`, `Multisig(NotAllowedByGuard)`,
        ///   `Multisig(ValueCapExceeded)`: the call is refused by the guard as it
        ///   stands now;
        /// - `Multisig(OwnerExists)`, `Multisig(OwnerMissing)`,
        ///   `Multisig(InvalidParams(_))`: the config change no longer applies to
        ///   the current params;
        /// - `Multisig(UncheckedBreakers)`: a longer Critical timelock with no
        ///   guard;
        /// - `Multisig(InvalidParams(MinBond | BondSettleWindow |
        ///   BondOutlastsTimelock))`: a breaker the guard lists has a bond policy
        ///   that fails the bond rule after the change;
        /// - `BreakerQueryFailed`: such a breaker is no address (not right-aligned
        ///   in 32 bytes) or did not report its bond policy;
        /// - `TargetNotContract`: the call's target is no address (not
        ///   right-aligned in 32 bytes) or has no contract code;
        /// - `Multisig(CallFailed)`: the callee trapped, reverted or returned
        ///   `Err`, or could not be called (the multisig's balance does not cover
        ///   the value);
        /// - `Multisig(Overflow)`: the nonce would overflow.
        #[ink(message)]
        pub fn execute(&mut self, id: ProposalId) -> Result<DynBytes> {
            let mut ms = self.load()?;
            let mut p = self.proposal_or_err(id)?;
            let predecessor = p.predecessor.and_then(|pid| store::load::<_, Proposal, _>(&self.proposals, pid));
            let bond_check = match &p.action {
                Action::Config(change) => ms.bond_check(change)?,
                Action::Call(_) => None,
            };
            let execution = ms.execute(&mut p, predecessor.as_ref(), self.now())?;
            if let Some(check) = bond_check {
                self.check_breakers(&check)?;
            }
            // Refused before anything is stored: `ms` and `p` are copies.
            let target = match &execution {
                Execution::Call(call) => {
                    let target = address(&call.target).ok_or(Error::TargetNotContract)?;
                    if !self.env().is_contract(&target) {
                        return Err(Error::TargetNotContract);
                    }
                    Some(target)
                }
                Execution::Configured => None,
            };
            // Effects before the interaction: the call is marked in flight in
            // storage before the callee runs, so any re-entry is refused.
            store::save(&mut self.multisig, (), &ms);
            store::save(&mut self.proposals, id, &p);
            let output = match (execution, target) {
                (Execution::Call(call), Some(target)) => {
                    let outcome = self.call(&call, target);
                    // Readiness re-checked after the call (CVE-2021-39167).
                    let mut ms = self.load()?;
                    let mut p = self.proposal_or_err(id)?;
                    ms.finish_call(&mut p, outcome.is_some())?;
                    store::save(&mut self.multisig, (), &ms);
                    store::save(&mut self.proposals, id, &p);
                    outcome.unwrap_or_default()
                }
                _ => Vec::new(),
            };
            self.env().emit_event(Executed { id, output: DynBytes(output.clone()) });
            Ok(DynBytes(output))
        }

        /// Proposal `id`, whatever its status; none if never made.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn proposal(&self, id: ProposalId) -> Option<Core<Proposal>> {
            store::load(&self.proposals, id).map(Core)
        }

        /// The parameters in force: owners, threshold, timelocks, expiry, veto set
        /// and guard.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Uninitialized` if no multisig is in storage (never after
        /// construction).
        #[ink(message)]
        pub fn params(&self) -> Result<Core<MultisigParams>> {
            Ok(Core(self.load()?.params().clone()))
        }

        /// The timelocks per class: what a circuit_breaker asks its new admin for
        /// (through the ink! ABI), to check that bonded trips can be judged in
        /// time.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Uninitialized` if no multisig is in storage (never after
        /// construction).
        #[ink(message)]
        pub fn timelocks(&self) -> Result<Core<Timelocks>> {
            Ok(Core(self.load()?.params().timelocks.clone()))
        }

        /// The nonce: the next proposal's id, bumped by every proposal and every
        /// execution.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Uninitialized` if no multisig is in storage (never after
        /// construction).
        #[ink(message)]
        pub fn nonce(&self) -> Result<u64> {
            Ok(self.load()?.nonce())
        }

        /// Vetoes that cancel a proposal other than a veto-set change.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Uninitialized` if no multisig is in storage (never after
        /// construction).
        #[ink(message)]
        pub fn veto_threshold(&self) -> Result<u32> {
            Ok(self.load()?.veto_threshold())
        }

        /// Vetoes that cancel a proposal to change the veto set.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Uninitialized` if no multisig is in storage (never after
        /// construction).
        #[ink(message)]
        pub fn veto_set_threshold(&self) -> Result<u32> {
            Ok(self.load()?.veto_set_threshold())
        }

        /// When the general and the veto-set thresholds last rose since their last
        /// reset; each rises again at most a Critical timelock later.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: `Uninitialized` if no multisig is in storage (never after
        /// construction).
        #[ink(message)]
        pub fn veto_thresholds_raised_at(&self) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
            let ms = self.load()?;
            Ok((ms.veto_threshold_raised_at(), ms.veto_set_threshold_raised_at()))
        }

        /// The hash approvers compare: Keccak-256 of (this contract's 20-byte
        /// address, nonce, action, predecessor), SCALE-encoded. Keccak-256, not
        /// Blake2: on pallet-revive, ink_env 6.0.0-beta.1's
        /// `hash_encoded::<Blake2x256>` panics (Blake2 needs a precompile call and
        /// a buffer), so a Blake2 hash traps every `propose` on chain while
        /// passing off chain; Keccak-256 is the VM's own hash.
        ///
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn hash_action(&self, nonce: u64, action: Core<Action>, predecessor: Option<ProposalId>) -> FixedBytes<32> {
            FixedBytes(self.env().hash_encoded::<ink::env::hash::Keccak256, _>(&(
                self.env().address(),
                nonce,
                action,
                predecessor,
            )))
        }

        /// Performs `call` on `target` (its address); its output if the
        /// callee succeeded, `None` if it trapped, reverted (returned `Err`)
        /// or could not be called. ink!'s call builder decodes a revert's
        /// output as success under the ink! ABI, so on chain the raw host
        /// function is used, which reports the revert. The value goes in
        /// the chain's Ethereum view (`bulwark_ink::eth_value`).
        #[cfg(target_arch = "riscv64")]
        fn call(&self, call: &CallSpec, target: Address) -> Option<Vec<u8>> {
            use pallet_revive_uapi::{CallFlags, HostFn, HostFnImpl};
            let mut input = Vec::with_capacity(call.input.len().saturating_add(4));
            input.extend_from_slice(&call.selector);
            input.extend_from_slice(&call.input);
            let value = bulwark_ink::eth_value(call.value).to_little_endian();
            let mut buffer = ink::prelude::vec![0u8; OUTPUT_LIMIT];
            let mut output: &mut [u8] = &mut buffer[..];
            // ref_time and proof_size u64::MAX: the callee may use all gas
            // left; deposit limit all ones: none of its own. An admin call
            // runs whole or not at all: one that runs out reverts
            // `execute`, and the proposal stays ready for an executor who
            // supplies more gas (a fixed limit could leave an expensive
            // admin call unexecutable for good).
            HostFnImpl::call(
                CallFlags::empty(),
                &target.0,
                u64::MAX,
                u64::MAX,
                &[u8::MAX; 32],
                &value,
                &input,
                Some(&mut output),
            )
            .ok()
            .map(|()| output.to_vec())
        }

        /// Off chain (unit tests) the call goes through ink!'s call builder
        /// (ink!'s test engine calls only contracts it instantiated); this
        /// keeps the build, and `execute` of calls is covered on chain.
        #[cfg(not(target_arch = "riscv64"))]
        fn call(&self, call: &CallSpec, target: Address) -> Option<Vec<u8>> {
            build_call_ink::<Environment>()
                .call(target)
                .transferred_value(bulwark_ink::eth_value(call.value))
                .exec_input(ExecutionInput::new(Selector::new(call.selector)).push_arg(RawInput(&call.input)))
                .returns::<RawOutput>()
                .try_invoke()
                .ok()?
                .ok()
                .map(|o| o.0)
        }

        /// Fetches each breaker's bond policy (through the ink! ABI) and
        /// applies core's `BondCheck::verify`, before a config change is
        /// stored. A breaker that is no address, traps, reverts or answers
        /// garbage refuses the change.
        fn check_breakers(&self, check: &BondCheck) -> Result<()> {
            for breaker in &check.breakers {
                let breaker = address(breaker).ok_or(Error::BreakerQueryFailed)?;
                let policy = build_call_ink::<Environment>()
                    .call(breaker)
                    .exec_input(ExecutionInput::new(Selector::new(ink::selector_bytes!("bond_policy"))))
                    .returns::<BondPolicy>()
                    .try_invoke()
                    .map_err(|_| Error::BreakerQueryFailed)?
                    .map_err(|_| Error::BreakerQueryFailed)?;
                check.verify(&policy)?;
            }
            Ok(())
        }

        fn load(&self) -> Result<Multisig> {
            store::load(&self.multisig, ()).ok_or(Error::Uninitialized)
        }

        fn proposal_or_err(&self, id: ProposalId) -> Result<Proposal> {
            store::load(&self.proposals, id).ok_or(Error::UnknownProposal)
        }

        fn now(&self) -> Timestamp {
            now_ms(self.env().block_timestamp())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use bulwark_core::multisig::{AllowedCall, ConfigChange, GuardPolicy, ProposalStatus, Timelocks, VetoParams};
        use ink::env::test;
        use scale::{Decode, Encode};

        type Env = bulwark_ink::BulwarkEnv;

        const SEC: u64 = 1_000;
        const HOUR: u64 = 3_600_000;
        const UNPAUSE: [u8; 4] = *b"unps";

        /// The breaker the guard lists: an address (right-aligned), with no
        /// contract deployed at it in these tests.
        fn breaker() -> [u8; 32] {
            account(&Address::from([7; 20]))
        }

        fn accounts() -> test::DefaultAccounts {
            test::default_accounts()
        }

        /// Owners alice, bob, charlie (2 of 3); vetoers django, eve.
        fn params() -> MultisigParams {
            let a = accounts();
            MultisigParams {
                owners: ink::prelude::vec![account(&a.alice), account(&a.bob), account(&a.charlie)],
                threshold: 2,
                timelocks: Timelocks {
                    standard_ms: HOUR,
                    critical_ms: 24 * HOUR,
                    membership_ms: 48 * HOUR,
                    policy_ms: 72 * HOUR,
                },
                execution_window_ms: 24 * HOUR,
                veto: VetoParams {
                    vetoers: ink::prelude::vec![account(&a.django), account(&a.eve)],
                    base_threshold: 1,
                    max_threshold: 3,
                },
                guard: Some(GuardPolicy {
                    allow_list: ink::prelude::vec![
                        AllowedCall { target: breaker(), selector: UNPAUSE, class: OperationClass::Critical },
                        AllowedCall { target: [9; 32], selector: UNPAUSE, class: OperationClass::Critical },
                    ],
                    standard_value_cap: 0,
                    critical_value_cap: 0,
                }),
            }
        }

        fn as_caller(who: Address) {
            test::set_caller(who);
        }

        /// Block time `ms` (whole seconds: pallet-revive's clock ticks in seconds).
        fn at(ms: u64) {
            assert_eq!(ms % SEC, 0, "pallet-revive block timestamps are whole seconds");
            test::set_block_timestamp::<Env>(ms / SEC);
        }

        fn deployed() -> MultisigGuard {
            at(0);
            as_caller(accounts().alice);
            MultisigGuard::new(Core(params())).expect("valid params")
        }

        fn add_frank() -> Core<Action> {
            Core(Action::Config(ConfigChange::AddOwner(account(&accounts().frank))))
        }

        fn call_to(target: [u8; 32], value: Balance) -> Core<Action> {
            Core(Action::Call(CallSpec { target, selector: UNPAUSE, input: ink::prelude::vec![], value }))
        }

        fn unpause_call(value: Balance) -> Core<Action> {
            call_to(breaker(), value)
        }

        fn ms_err(e: MultisigError) -> Error {
            e.into()
        }

        #[ink::test]
        fn constructor_rejects_bad_params() {
            let mut p = params();
            p.threshold = 4;
            assert_eq!(
                MultisigGuard::new(Core(p)).err(),
                Some(ms_err(MultisigError::InvalidParams(bulwark_core::ParamError::Threshold)))
            );
        }

        #[ink::test]
        fn propose_approve_execute_a_membership_change() {
            let mut m = deployed();
            let id = m.propose(add_frank(), None).expect("an owner proposes");
            let p = m.proposal(id).expect("stored").0;
            assert_eq!(p.class, OperationClass::Membership);
            assert_eq!(p.call_hash, m.hash_action(p.nonce, add_frank(), None).0);
            assert_eq!(m.execute(id), Err(ms_err(MultisigError::TimelockNotPassed)));
            at(48 * HOUR);
            assert_eq!(m.execute(id), Err(ms_err(MultisigError::NotEnoughApprovals)));
            as_caller(accounts().bob);
            m.approve(id, FixedBytes(p.call_hash)).expect("a second owner approves");
            let events_before = test::recorded_events().len();
            as_caller(accounts().eve);
            assert_eq!(m.execute(id), Ok(DynBytes(Vec::new())), "anyone may execute a ready proposal");
            assert_eq!(test::recorded_events().len(), events_before + bulwark_ink::abi::RECORDS_PER_EVENT);
            assert!(m.params().expect("stored").0.owners.contains(&account(&accounts().frank)));
            assert_eq!(m.execute(id), Err(ms_err(MultisigError::AlreadyExecuted)), "no replay");
            assert_eq!(m.proposal(id).map(|p| p.0.status), Some(ProposalStatus::Executed));
        }

        #[ink::test]
        fn outsiders_and_wrong_hashes_are_refused() {
            let mut m = deployed();
            as_caller(accounts().frank);
            assert_eq!(m.propose(add_frank(), None), Err(ms_err(MultisigError::NotOwner)));
            as_caller(accounts().alice);
            let id = m.propose(add_frank(), None).expect("owner");
            as_caller(accounts().frank);
            let hash = FixedBytes(m.proposal(id).expect("stored").0.call_hash);
            assert_eq!(m.approve(id, hash), Err(ms_err(MultisigError::NotOwner)));
            as_caller(accounts().bob);
            assert_eq!(m.approve(id, FixedBytes([0; 32])), Err(ms_err(MultisigError::CallHashMismatch)));
            assert_eq!(m.approve(99, hash), Err(Error::UnknownProposal));
            as_caller(accounts().alice);
            assert_eq!(m.approve(id, hash), Err(ms_err(MultisigError::AlreadyApproved)));
        }

        #[ink::test]
        fn revoke_takes_an_approval_back() {
            let mut m = deployed();
            let id = m.propose(add_frank(), None).expect("owner");
            let hash = FixedBytes(m.proposal(id).expect("stored").0.call_hash);
            as_caller(accounts().bob);
            assert_eq!(m.revoke(id), Err(ms_err(MultisigError::NotApproved)));
            m.approve(id, hash).expect("approve");
            m.revoke(id).expect("revoke");
            at(48 * HOUR);
            assert_eq!(m.execute(id), Err(ms_err(MultisigError::NotEnoughApprovals)));
            as_caller(accounts().frank);
            assert_eq!(m.revoke(id), Err(ms_err(MultisigError::NotOwner)));
        }

        #[ink::test]
        fn proposals_expire() {
            let mut m = deployed();
            let id = m.propose(add_frank(), None).expect("owner");
            let hash = FixedBytes(m.proposal(id).expect("stored").0.call_hash);
            as_caller(accounts().bob);
            m.approve(id, hash).expect("approve");
            at(72 * HOUR);
            assert_eq!(m.execute(id), Err(ms_err(MultisigError::Expired)));
        }

        #[ink::test]
        fn vetoes_cancel_with_a_threshold_rising_once_per_critical_timelock() {
            let mut m = deployed();
            let first = m.propose(add_frank(), None).expect("owner");
            let second = m.propose(add_frank(), None).expect("owner");
            as_caller(accounts().frank);
            assert_eq!(m.veto(first), Err(ms_err(MultisigError::NotVetoer)));
            as_caller(accounts().django);
            assert_eq!(m.veto(first), Ok(true), "one vetoer cancels the first");
            assert_eq!(m.veto_threshold(), Ok(2));
            assert_eq!(m.veto_thresholds_raised_at(), Ok((Some(0), None)));
            assert_eq!(m.veto(second), Ok(false), "the second needs two");
            assert_eq!(m.veto(second), Err(ms_err(MultisigError::AlreadyVetoed)));
            as_caller(accounts().eve);
            assert_eq!(m.veto(second), Ok(true));
            assert_eq!(m.veto_threshold(), Ok(2), "no second rise within the Critical timelock");
            at(48 * HOUR);
            assert_eq!(m.execute(first), Err(ms_err(MultisigError::Cancelled)));
            assert_eq!(m.veto(first), Err(ms_err(MultisigError::Cancelled)));
        }

        #[ink::test]
        fn vetoes_cast_above_the_threshold_cancel_once_it_falls() {
            let mut m = deployed();
            // A proposal whose execution will reset the threshold.
            let reset = m.propose(add_frank(), None).expect("owner");
            let hash = FixedBytes(m.proposal(reset).expect("stored").0.call_hash);
            as_caller(accounts().bob);
            m.approve(reset, hash).expect("approve");
            // Spend the veto: two cancels a Critical timelock apart (base 1, two vetoers).
            for t in [0, 24 * HOUR] {
                at(t);
                as_caller(accounts().alice);
                let id = m.propose(add_frank(), None).expect("owner");
                as_caller(accounts().django);
                assert_eq!(m.veto(id), Ok(t == 0));
                if t > 0 {
                    as_caller(accounts().eve);
                    assert_eq!(m.veto(id), Ok(true));
                }
            }
            assert_eq!(m.veto_threshold(), Ok(3), "above the two vetoers");
            as_caller(accounts().alice);
            let bad = m.propose(unpause_call(0), None).expect("listed");
            for v in [accounts().django, accounts().eve] {
                as_caller(v);
                assert_eq!(m.veto(bad), Ok(false));
            }
            assert_eq!(m.cancel_vetoed(bad), Err(ms_err(MultisigError::NotEnoughVetoes)));
            // An execution resets the threshold to one, before `bad` expires.
            at(48 * HOUR);
            m.execute(reset).expect("executed");
            assert_eq!(m.veto_threshold(), Ok(1));
            assert_eq!(m.execute(bad), Err(ms_err(MultisigError::Vetoed)));
            as_caller(accounts().frank);
            assert_eq!(m.cancel_vetoed(bad), Ok(()), "anyone records the cancel");
            assert_eq!(m.proposal(bad).map(|p| p.0.status), Some(ProposalStatus::Cancelled));
        }

        /// Issue 21 item 11b: `Proposed` did not say what was proposed, so
        /// vetoers had to read storage; it carries the action and the
        /// predecessor now, enough to recompute the call hash.
        #[ink::test]
        fn the_proposed_event_carries_the_action() {
            let mut m = deployed();
            let first = m.propose(add_frank(), None).expect("an owner proposes");
            let id = m.propose(unpause_call(0), Some(first)).expect("an owner proposes");
            // The ink! ABI record comes first (then, under abi = "all", its Solidity twin).
            let events = test::recorded_events();
            let ink_event = &events[events.len() - bulwark_ink::abi::RECORDS_PER_EVENT];
            let event = <Proposed as Decode>::decode(&mut &ink_event.data[..]).expect("a Proposed event");
            assert_eq!((event.id, event.action.clone(), event.predecessor), (id, unpause_call(0), Some(first)));
            assert_eq!(m.hash_action(event.id, event.action, event.predecessor), event.call_hash);
        }

        /// The call hash covers this contract's address: another multisig's
        /// approvals do not carry over.
        #[ink::test]
        fn the_call_hash_is_bound_to_this_contract() {
            let m = deployed();
            let here = m.hash_action(0, add_frank(), None);
            let mut preimage = (test::callee(), 0u64, add_frank(), None::<ProposalId>).encode();
            let mut expected = [0u8; 32];
            ink::env::hash_bytes::<ink::env::hash::Keccak256>(&preimage, &mut expected);
            assert_eq!(here.0, expected);
            preimage[0] ^= 1;
            ink::env::hash_bytes::<ink::env::hash::Keccak256>(&preimage, &mut expected);
            assert_ne!(here.0, expected);
        }

        /// Issue 21 item 11a: a call to an account without contract code (a
        /// mistyped target) was made as a plain transfer and counted as
        /// executed. It fails now, and the proposal stays pending; so does
        /// a call to a 32-byte account that is no address.
        #[ink::test]
        fn a_call_to_an_account_without_code_is_not_executed() {
            let mut m = deployed();
            let no_code = m.propose(unpause_call(0), None).expect("listed");
            let no_address = m.propose(call_to([9; 32], 0), None).expect("listed");
            as_caller(accounts().bob);
            for id in [no_code, no_address] {
                let hash = FixedBytes(m.proposal(id).expect("stored").0.call_hash);
                m.approve(id, hash).expect("a second owner approves");
            }
            at(24 * HOUR);
            assert!(!test::is_contract(Address::from([7; 20])));
            for id in [no_code, no_address] {
                assert_eq!(m.execute(id), Err(Error::TargetNotContract));
                assert_eq!(m.proposal(id).map(|p| p.0.status), Some(ProposalStatus::Pending));
            }
            assert_eq!(m.nonce(), Ok(2), "nothing was executed");
        }

        #[ink::test]
        fn the_guard_refuses_calls_off_its_list_or_over_their_cap() {
            let mut m = deployed();
            assert_eq!(m.propose(unpause_call(1), None), Err(ms_err(MultisigError::ValueCapExceeded)));
            assert_eq!(m.propose(call_to([8; 32], 0), None), Err(ms_err(MultisigError::NotAllowedByGuard)));
            let id = m.propose(unpause_call(0), None).expect("listed");
            assert_eq!(m.proposal(id).map(|p| p.0.class), Some(OperationClass::Critical));
            assert_eq!(m.nonce(), Ok(1));
            assert_eq!(m.execute(42), Err(Error::UnknownProposal));
        }

        /// A proposal carrying the most call input a proposal may, and a
        /// multisig of 50 owners, are far beyond one pallet-revive storage
        /// value (416 bytes); both are stored and read back whole.
        #[ink::test]
        fn large_proposals_and_owner_sets_are_stored() {
            at(0);
            as_caller(accounts().alice);
            let mut p = params();
            p.owners = (0..50u8).map(|i| account(&Address::from([i + 100; 20]))).collect();
            p.owners[0] = account(&accounts().alice);
            let mut m = MultisigGuard::new(Core(p.clone())).expect("valid params");
            assert_eq!(m.params().map(|s| s.0), Ok(p));
            let input = (0..bulwark_core::multisig::MAX_INPUT_LEN).map(|i| i as u8).collect::<Vec<_>>();
            let big = Core(Action::Call(CallSpec { target: breaker(), selector: UNPAUSE, input, value: 0 }));
            let id = m.propose(big.clone(), None).expect("listed");
            assert_eq!(m.proposal(id).map(|p| p.0.action), Some(big.0));
            assert!(m.proposal(id).expect("stored").0.encode().len() > 4_096);
        }
    }
}

//! # protected_vault (ink! 6, pallet-revive)
//!
//! A small protected protocol for Bulwark's end-to-end suite on
//! pallet-revive, wired the way a protocol team on Polkadot Hub would wire
//! Bulwark: it records every deposit with the circuit_breaker, asks
//! `check_outflow` before every withdrawal and moves nothing when the
//! breaker refuses (without reverting, so the breaker's trip persists), and
//! files its losses with the insurance_fund. It is the ink! 5 vault of
//! `e2e/lib.rs`, with the same messages and behaviour.
//!
//! **It calls Bulwark through the Solidity ABI**, as a protocol written in
//! Solidity does: each call is `build_call_sol` with the selector of the
//! function's Solidity signature (`keccak256("check_outflow(uint32,address,
//! bytes4,uint128)")[..4]`, the functions of `IBulwarkBreaker.sol` and
//! `IBulwarkFund.sol`), Solidity-ABI arguments, and the callee's answer
//! decoded from the Solidity ABI: the return value, or on a revert the
//! custom error (`NotProtected()`, `Breaker(bytes)`, ...) declared here as
//! the interfaces declare them ([`BreakerRevert`], [`FundRevert`]). Core
//! values cross as `bulwark_ink::Core`'s Solidity view (a `Decision` is
//! `(bool, uint8, uint8, uint128, uint128)`).
//!
//! Its own messages speak the ink! ABI (SCALE): the suite calls them, the
//! multisig calls `reenter` through a proposal, and an insurance_fund that
//! names this vault its reinsurer calls its `file_claim`.
//!
//! Units: the vault's asset is the chain's native token, so an amount is
//! native base units both for the breaker (the asset's base units) and for
//! the fund; values arrive and leave in the chain's Ethereum view and are
//! converted by `bulwark_ink` (a deposit that is not a whole number of
//! native units is refused).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract(env = bulwark_ink::BulwarkEnv)]
pub mod protected_vault {
    use bulwark_core::breaker::{BondError, BreakerError, Decision};
    use bulwark_core::fund::{ClaimId, FundError};
    use bulwark_core::AssetId;
    use bulwark_ink::{eth_value, native_value, Core, ValueError};
    use ink::codegen::sol::selector_bytes;
    use ink::env::call::{build_call_ink, build_call_sol, ExecutionInput, Selector};
    use ink::sol::FixedBytes;
    use ink::storage::Mapping;

    /// The selector the vault reports to the breaker for withdrawals, so a
    /// guardian can pause exactly this operation.
    pub const WITHDRAW: [u8; 4] = *b"wdrw";

    /// The Solidity functions the vault calls (`IBulwarkBreaker.sol`,
    /// `IBulwarkFund.sol`): each selector is the first four bytes of the
    /// signature's keccak256, computed at compile time.
    pub mod sol {
        use super::selector_bytes;
        pub const RECORD_INFLOW: &str = "record_inflow(uint32,address,uint128)";
        pub const CHECK_OUTFLOW: &str = "check_outflow(uint32,address,bytes4,uint128)";
        pub const FILE_CLAIM: &str = "file_claim(uint128,address)";
        pub const RECORD_INFLOW_SELECTOR: [u8; 4] = selector_bytes(RECORD_INFLOW);
        pub const CHECK_OUTFLOW_SELECTOR: [u8; 4] = selector_bytes(CHECK_OUTFLOW);
        pub const FILE_CLAIM_SELECTOR: [u8; 4] = selector_bytes(FILE_CLAIM);
    }

    #[ink(storage)]
    pub struct ProtectedVault {
        breaker: Address,
        fund: Address,
        asset: AssetId,
        owner: Address,
        balances: Mapping<Address, Balance>,
        /// Set by the owner for the hostile-reinsurer scenario: `file_claim`
        /// from anyone but the owner then burns all the gas it is given.
        burns_gas: bool,
    }

    #[ink(event)]
    pub struct Deposited {
        #[ink(topic)]
        pub who: Address,
        /// Native units.
        pub amount: Balance,
    }

    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        pub who: Address,
        /// Native units.
        pub amount: Balance,
        pub decision: Decision,
    }

    /// The circuit_breaker's custom errors as `IBulwarkBreaker.sol`
    /// declares them (`error NotAdmin();`, `error Breaker(bytes);`, ...):
    /// a revert of a Solidity-ABI call decodes into one of these by its
    /// error selector. Core's errors are `bytes` of their SCALE encoding.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, ink::SolErrorDecode)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum BreakerRevert {
        NotAdmin,
        NotOracle,
        NotProtected,
        NotGuardian,
        UnknownAsset,
        AssetExists,
        Breaker(Core<BreakerError>),
        Bond(Core<BondError>),
        UnknownTrip,
        TransferFailed,
        FundCallFailed,
        AdminTimelockUnknown,
        Value(Core<ValueError>),
    }

    /// The insurance_fund's custom errors as `IBulwarkFund.sol` declares them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, ink::SolErrorDecode)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum FundRevert {
        NotAdmin,
        NotCovered,
        Fund(Core<FundError>),
        UnknownClaim,
        TransferFailed,
        BreakerCallFailed,
        ReinsurerCallFailed,
        Value(Core<ValueError>),
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        InsufficientBalance,
        NotOwner,
        /// The breaker refused the call itself (not the outflow).
        Breaker(BreakerRevert),
        /// The fund refused the claim.
        Fund(FundRevert),
        /// A cross-contract call failed below the message level (trapped,
        /// out of gas, undecodable answer).
        CallFailed,
        TransferFailed,
        /// The value sent is not a whole number of native units.
        Value(ValueError),
    }

    pub type Result<T> = core::result::Result<T, Error>;

    impl ProtectedVault {
        /// A vault of `asset` guarded by `breaker`, covered by `fund`.
        /// Caller: the deployer, who becomes the owner.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(constructor)]
        pub fn new(breaker: Address, fund: Address, asset: AssetId) -> Self {
            Self { breaker, fund, asset, owner: Self::env().caller(), balances: Mapping::default(), burns_gas: false }
        }

        /// Deposits the transferred value and records it with the breaker.
        /// Caller: anyone.
        /// Emits: `Deposited`.
        /// Errors: `Value` (not whole native units), `Breaker`, `CallFailed`, `TransferFailed` (overflow).
        #[ink(message, payable)]
        pub fn deposit(&mut self) -> Result<()> {
            let amount = native_value(self.env().transferred_value()).map_err(Error::Value)?;
            let who = self.env().caller();
            build_call_sol::<Environment>()
                .call(self.breaker)
                .exec_input(
                    ExecutionInput::new(Selector::new(sol::RECORD_INFLOW_SELECTOR))
                        .push_arg(self.asset)
                        .push_arg(who)
                        .push_arg(amount),
                )
                .returns::<core::result::Result<(), BreakerRevert>>()
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(Error::Breaker)?;
            let held = self.balance_of(who).checked_add(amount).ok_or(Error::TransferFailed)?;
            self.balances.insert(who, &held);
            self.env().emit_event(Deposited { who, amount });
            Ok(())
        }

        /// Withdraws `amount` if the breaker allows it; otherwise moves
        /// nothing and returns the breaker's decision.
        /// Caller: a depositor.
        /// Emits: `Withdrawn` (with the decision, allowed or not).
        /// Errors: `InsufficientBalance`, `Breaker`, `CallFailed`, `TransferFailed`.
        #[ink(message)]
        pub fn withdraw(&mut self, amount: Balance) -> Result<Decision> {
            let who = self.env().caller();
            let held = self.balance_of(who);
            let left = held.checked_sub(amount).ok_or(Error::InsufficientBalance)?;
            let decision = build_call_sol::<Environment>()
                .call(self.breaker)
                .exec_input(
                    ExecutionInput::new(Selector::new(sol::CHECK_OUTFLOW_SELECTOR))
                        .push_arg(self.asset)
                        .push_arg(who)
                        .push_arg(FixedBytes(WITHDRAW))
                        .push_arg(amount),
                )
                .returns::<core::result::Result<Core<Decision>, BreakerRevert>>()
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(Error::Breaker)?
                .0;
            if decision.is_allowed() {
                self.balances.insert(who, &left);
                self.env().transfer(who, eth_value(amount)).map_err(|_| Error::TransferFailed)?;
            }
            self.env().emit_event(Withdrawn { who, amount, decision });
            Ok(decision)
        }

        /// The owner files the vault's loss with the insurance fund, to be
        /// paid to the owner. A vault named as a fund's reinsurer receives
        /// the fund's `file_claim(loss, claimant)` here (same ink! selector;
        /// the claimant is not read): once `burn_gas_as_reinsurer` is set,
        /// it burns all the gas it is given, a hostile reinsurer.
        /// Caller: the owner (or, as a reinsurer, a fund).
        /// Emits: nothing (the fund emits `ClaimFiled`).
        /// Errors: `NotOwner`, `Fund`, `CallFailed`.
        #[ink(message)]
        pub fn file_claim(&mut self, loss: Balance) -> Result<ClaimId> {
            if self.burns_gas && self.env().caller() != self.owner {
                let mut h = [0u8; 32];
                loop {
                    let seed = h;
                    ink::env::hash_bytes::<ink::env::hash::Keccak256>(&seed, &mut h);
                }
            }
            if self.env().caller() != self.owner {
                return Err(Error::NotOwner);
            }
            build_call_sol::<Environment>()
                .call(self.fund)
                .exec_input(
                    ExecutionInput::new(Selector::new(sol::FILE_CLAIM_SELECTOR)).push_arg(loss).push_arg(self.owner),
                )
                .returns::<core::result::Result<ClaimId, FundRevert>>()
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(Error::Fund)
        }

        /// Calls back into `multisig.execute(id)` (through the multisig's
        /// ink! ABI, which is how its proposals reach their callees): a
        /// callee that re-enters the multisig, for the reentrancy scenario.
        /// Caller: anyone (the multisig, in the scenario).
        /// Emits: nothing.
        /// Errors: `CallFailed`.
        #[ink(message)]
        pub fn reenter(&mut self, multisig: Address, id: u64) -> Result<()> {
            build_call_ink::<Environment>()
                .call(multisig)
                .exec_input(ExecutionInput::new(Selector::new(ink::selector_bytes!("execute"))).push_arg(id))
                .returns::<core::result::Result<ink::prelude::vec::Vec<u8>, ()>>()
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?;
            Ok(())
        }

        /// The owner turns this vault into a gas-burning reinsurer (see
        /// `file_claim`).
        /// Caller: the owner.
        /// Emits: nothing.
        /// Errors: `NotOwner`.
        #[ink(message)]
        pub fn burn_gas_as_reinsurer(&mut self) -> Result<()> {
            if self.env().caller() != self.owner {
                return Err(Error::NotOwner);
            }
            self.burns_gas = true;
            Ok(())
        }

        /// What `who` holds in the vault (native units).
        /// Caller: anyone.
        /// Emits: nothing.
        /// Errors: none.
        #[ink(message)]
        pub fn balance_of(&self, who: Address) -> Balance {
            self.balances.get(who).unwrap_or(0)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The selectors are keccak256 of the signatures (a known vector
        /// first: ERC-20's `transfer(address,uint256)` is 0xa9059cbb).
        #[test]
        fn solidity_selectors_are_keccak_of_the_signatures() {
            assert_eq!(selector_bytes("transfer(address,uint256)"), [0xa9, 0x05, 0x9c, 0xbb]);
            let mut h = [0u8; 32];
            for (sig, sel) in [
                (sol::RECORD_INFLOW, sol::RECORD_INFLOW_SELECTOR),
                (sol::CHECK_OUTFLOW, sol::CHECK_OUTFLOW_SELECTOR),
                (sol::FILE_CLAIM, sol::FILE_CLAIM_SELECTOR),
            ] {
                ink::env::hash_bytes::<ink::env::hash::Keccak256>(sig.as_bytes(), &mut h);
                assert_eq!(sel, [h[0], h[1], h[2], h[3]], "{sig}");
            }
        }
    }
}

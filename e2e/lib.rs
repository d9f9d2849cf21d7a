//! # protected_vault
//!
//! A small protected protocol for Bulwark's end-to-end suite, wired the way
//! a protocol team would wire Bulwark: it records every deposit with the
//! circuit_breaker, asks `check_outflow` before every withdrawal and moves
//! nothing when the breaker refuses (without reverting, so the breaker's
//! trip persists), and files its losses with the insurance_fund.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
pub mod protected_vault {
    use bulwark_core::breaker::Decision;
    use bulwark_core::AssetId;
    use circuit_breaker::circuit_breaker::CircuitBreakerRef;
    use ink::codegen::TraitCallBuilder;
    use ink::storage::Mapping;
    use insurance_fund::insurance_fund::InsuranceFundRef;

    /// The selector the vault reports to the breaker for withdrawals, so a
    /// guardian can pause exactly this operation.
    pub const WITHDRAW: [u8; 4] = *b"wdrw";

    #[ink(storage)]
    pub struct ProtectedVault {
        breaker: CircuitBreakerRef,
        fund: InsuranceFundRef,
        asset: AssetId,
        owner: AccountId,
        balances: Mapping<AccountId, Balance>,
        /// Set by the owner for the hostile-reinsurer scenario: `file_claim`
        /// from anyone but the owner then burns all the gas it is given.
        burns_gas: bool,
    }

    #[ink(event)]
    pub struct Deposited {
        #[ink(topic)]
        who: AccountId,
        amount: Balance,
    }

    #[ink(event)]
    pub struct Withdrawn {
        #[ink(topic)]
        who: AccountId,
        amount: Balance,
        decision: Decision,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        InsufficientBalance,
        NotOwner,
        /// The breaker refused the call itself (not the outflow).
        Breaker(circuit_breaker::circuit_breaker::Error),
        Fund(insurance_fund::insurance_fund::Error),
        /// A cross-contract call failed below the message level.
        CallFailed,
        TransferFailed,
    }

    pub type Result<T> = core::result::Result<T, Error>;

    impl ProtectedVault {
        #[ink(constructor)]
        pub fn new(breaker: AccountId, fund: AccountId, asset: AssetId) -> Self {
            Self {
                breaker: ink::env::call::FromAccountId::from_account_id(breaker),
                fund: ink::env::call::FromAccountId::from_account_id(fund),
                asset,
                owner: Self::env().caller(),
                balances: Mapping::default(),
                burns_gas: false,
            }
        }

        /// Deposits the transferred value and records it with the breaker.
        #[ink(message, payable)]
        pub fn deposit(&mut self) -> Result<()> {
            let amount = self.env().transferred_value();
            let who = self.env().caller();
            self.breaker
                .call_mut()
                .record_inflow(self.asset, who, amount)
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
        #[ink(message)]
        pub fn withdraw(&mut self, amount: Balance) -> Result<Decision> {
            let who = self.env().caller();
            let held = self.balance_of(who);
            let left = held.checked_sub(amount).ok_or(Error::InsufficientBalance)?;
            let decision = self
                .breaker
                .call_mut()
                .check_outflow(self.asset, who, WITHDRAW, amount)
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(Error::Breaker)?;
            if decision.is_allowed() {
                self.balances.insert(who, &left);
                self.env().transfer(who, amount).map_err(|_| Error::TransferFailed)?;
            }
            self.env().emit_event(Withdrawn { who, amount, decision });
            Ok(decision)
        }

        /// The owner files the vault's loss with the insurance fund, to be
        /// paid to the owner. A vault named as a fund's reinsurer receives
        /// the fund's `file_claim(loss, claimant)` here (same selector; the
        /// claimant is not read): once `burn_gas_as_reinsurer` is set, it
        /// burns all the gas it is given, a hostile reinsurer.
        #[ink(message)]
        pub fn file_claim(&mut self, loss: Balance) -> Result<u64> {
            if self.burns_gas && self.env().caller() != self.owner {
                let mut h = [0u8; 32];
                loop {
                    let seed = h;
                    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(&seed, &mut h);
                }
            }
            if self.env().caller() != self.owner {
                return Err(Error::NotOwner);
            }
            self.fund
                .call_mut()
                .file_claim(loss, self.owner)
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(Error::Fund)
        }

        /// Calls back into `multisig.execute(id)`: a callee that re-enters
        /// the multisig, for the reentrancy scenario.
        #[ink(message)]
        pub fn reenter(&mut self, multisig: AccountId, id: u64) -> Result<()> {
            ink::env::call::build_call::<Environment>()
                .call(multisig)
                .exec_input(
                    ink::env::call::ExecutionInput::new(ink::env::call::Selector::new(ink::selector_bytes!("execute")))
                        .push_arg(id),
                )
                .returns::<core::result::Result<ink::prelude::vec::Vec<u8>, multisig_guard::multisig_guard::Error>>()
                .try_invoke()
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?
                .map_err(|_| Error::CallFailed)?;
            Ok(())
        }

        /// The owner turns this vault into a gas-burning reinsurer (see
        /// `file_claim`).
        #[ink(message)]
        pub fn burn_gas_as_reinsurer(&mut self) -> Result<()> {
            if self.env().caller() != self.owner {
                return Err(Error::NotOwner);
            }
            self.burns_gas = true;
            Ok(())
        }

        #[ink(message)]
        pub fn balance_of(&self, who: AccountId) -> Balance {
            self.balances.get(who).unwrap_or(0)
        }
    }
}

#[cfg(all(test, feature = "e2e-tests"))]
mod sandbox;

#[cfg(all(test, feature = "e2e-tests"))]
mod scenarios;

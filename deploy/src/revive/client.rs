//! What the deploy tool needs from a pallet-revive chain, as a small
//! interface ([`ReviveClient`]): dry runs, code upload, instantiation with a
//! salt, calls with their contract events, storage facts (is this code
//! stored, which code does this address run), balances, the clock, and
//! Chopsticks' time travel for the tests.
//!
//! [`crate::revive::subxt::SubxtRevive`] implements it over subxt (signed
//! `Revive` extrinsics, the `ReviveApi` runtime API, storage reads). Another
//! route to the same chain (Ethereum JSON-RPC through pallet-revive-eth-rpc)
//! would implement the same trait; nothing above it knows which one runs.
//!
//! Units: `value` and deposits are the chain's **native** base units (what
//! `revive.call` and the runtime API take); contracts see the Ethereum view
//! and convert themselves (bulwark_ink::convert). The deploy tool therefore
//! converts no value.

use crate::chain::{decode_return, Estimate, Message, Sent, Weight};
use anyhow::Result;
use scale::Decode;

/// A pallet-revive contract or account address.
pub type H160 = [u8; 20];
/// A 32-byte Substrate account (the signer's public key on this runtime).
pub type AccountId32 = [u8; 32];
pub type Hash = [u8; 32];

/// The code an instantiation runs: stored already, or uploaded with it.
#[derive(Clone, Copy, Debug)]
pub enum Code<'a> {
    Upload(&'a [u8]),
    Existing(&'a Hash),
}

/// A successful dry run.
#[derive(Clone, Debug)]
pub struct DryRun {
    pub estimate: Estimate,
    /// The largest deposit charged at any time during the run (native
    /// units): what a storage deposit limit must allow.
    pub max_storage_deposit: u128,
    pub reverted: bool,
    pub data: Vec<u8>,
    /// For an instantiation: where the contract would be.
    pub address: Option<H160>,
}

/// A `Revive.ContractEmitted` event.
#[derive(Clone, Debug)]
pub struct Emitted {
    pub contract: H160,
    pub topics: Vec<Hash>,
    pub data: Vec<u8>,
}

/// An extrinsic that made it into a block without failing.
#[derive(Clone, Debug)]
pub struct Included {
    pub block: u32,
    pub emitted: Vec<Emitted>,
    /// `Revive.Instantiated` contracts, in order.
    pub instantiated: Vec<H160>,
    /// The dry run it was sent after, when [`Messages::send`] sent it: its
    /// weight and storage deposit.
    pub dry_run: Option<Estimate>,
}

/// The limits sent with an extrinsic, from its dry run: 10% above what the
/// dry run needed (time-dependent paths can differ by a few instructions or
/// bytes), the deposit limit above the run's peak deposit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub weight: Weight,
    pub storage_deposit: u128,
}

impl Limits {
    pub fn from_dry_run(run: &DryRun) -> Self {
        let w = run.estimate.gas_required;
        let deposit = run.max_storage_deposit.max(run.estimate.storage_deposit.max(0) as u128);
        Self {
            weight: Weight { ref_time: w.ref_time + w.ref_time / 10, proof_size: w.proof_size + w.proof_size / 10 },
            storage_deposit: deposit + deposit / 10,
        }
    }
}

/// A pallet-revive chain. `origin` is always the 32-byte account the
/// runtime maps to an H160 (pallet-revive's `AccountId32Mapper`).
#[allow(async_fn_in_trait)]
pub trait ReviveClient {
    /// What signs extrinsics.
    type Signer;
    fn account_of(signer: &Self::Signer) -> AccountId32;

    fn genesis_hash(&self) -> Hash;
    async fn best_block(&self) -> Result<u32>;
    /// `system_chainType`: `Development`, `Local`, `Live`, or a custom name.
    async fn chain_type(&self) -> Result<String>;
    /// The H160 the runtime maps `account` to.
    async fn address_of(&self, account: &AccountId32) -> Result<H160>;

    /// Dry-runs uploading `code`: its hash and the deposit.
    async fn dry_upload(&self, origin: &AccountId32, code: &[u8]) -> Result<(Hash, u128)>;
    /// Dry-runs an instantiation (`salt` makes the address create2's).
    async fn dry_instantiate(
        &self,
        origin: &AccountId32,
        value: u128,
        code: Code<'_>,
        input: &[u8],
        salt: Option<&Hash>,
    ) -> Result<DryRun>;
    /// Dry-runs a call on the state after block `at` (the latest when `None`).
    async fn dry_call(
        &self,
        origin: &AccountId32,
        dest: &H160,
        value: u128,
        input: &[u8],
        at: Option<u32>,
    ) -> Result<DryRun>;

    async fn upload(&self, signer: &Self::Signer, code: &[u8], deposit_limit: u128) -> Result<Included>;
    #[allow(clippy::too_many_arguments)]
    async fn instantiate(
        &self,
        signer: &Self::Signer,
        value: u128,
        limits: Limits,
        code_hash: &Hash,
        input: &[u8],
        salt: Option<&Hash>,
    ) -> Result<Included>;
    async fn call(
        &self,
        signer: &Self::Signer,
        dest: &H160,
        value: u128,
        limits: Limits,
        input: &[u8],
    ) -> Result<Included>;

    async fn code_exists(&self, hash: &Hash) -> Result<bool>;
    /// The code hash the contract at `address` runs; `None` if no contract is there.
    async fn code_hash_of(&self, address: &H160) -> Result<Option<Hash>>;
    /// Free native balance of `who`.
    async fn free_balance(&self, who: &AccountId32) -> Result<u128>;
    /// The latest block's timestamp (ms).
    async fn now(&self) -> Result<u64>;
    /// Chopsticks only: moves the clock to `ms` and builds a block there.
    async fn time_travel(&self, ms: u64) -> Result<()>;
}

/// Messages over any [`ReviveClient`]: a read is a dry run's decoded return
/// value; a send is dry-run first and never sent if it would revert (a
/// reverted call fails its extrinsic with `Revive::ContractReverted` and
/// still pays its fee; the dry run names the contract's own error).
#[allow(async_fn_in_trait)]
pub trait Messages: ReviveClient {
    async fn contract_exists(&self, address: &H160) -> Result<bool> {
        Ok(self.code_hash_of(address).await?.is_some())
    }

    async fn query<R: Decode>(&self, origin: &AccountId32, dest: &H160, msg: &Message<R>) -> Result<R> {
        self.query_at(origin, dest, msg, None).await
    }

    async fn query_at<R: Decode>(
        &self,
        origin: &AccountId32,
        dest: &H160,
        msg: &Message<R>,
        at: Option<u32>,
    ) -> Result<R> {
        let run = self.dry_call(origin, dest, 0, &msg.input, at).await?;
        decode_return::<R>(&run.data)
    }

    /// The dry run's estimate, and whether it would revert (for plans and weight reports).
    async fn estimate_message<R>(
        &self,
        origin: &AccountId32,
        dest: &H160,
        msg: &Message<R>,
        value: u128,
    ) -> Result<(DryRun, bool)> {
        let run = self.dry_call(origin, dest, value, &msg.input, None).await?;
        let reverted = run.reverted;
        Ok((run, reverted))
    }

    async fn send<R: Decode>(
        &self,
        signer: &Self::Signer,
        dest: &H160,
        msg: &Message<R>,
        value: u128,
    ) -> Result<Sent<R, Included>> {
        let run = self.dry_call(&Self::account_of(signer), dest, value, &msg.input, None).await?;
        let ret = decode_return::<R>(&run.data)?;
        if run.reverted {
            return Ok(Sent::Reverted(ret));
        }
        let mut inc = self.call(signer, dest, value, Limits::from_dry_run(&run), &msg.input).await?;
        inc.dry_run = Some(run.estimate);
        Ok(Sent::Included(ret, inc))
    }
}

impl<C: ReviveClient> Messages for C {}

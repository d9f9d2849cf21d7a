//! A pallet-contracts chain over subxt: dry runs through the `ContractsApi`
//! runtime API, signed `Contracts` extrinsics, storage reads and the
//! contract events of a block.
//!
//! Every state-changing call here is dry-run first and never sent if the dry
//! run fails or reverts: pallet-contracts includes a reverted contract call
//! as a successful extrinsic, so a sent revert would look done.

use anyhow::{anyhow, bail, Context, Result};
use scale::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use subxt::backend::rpc::{rpc_params, RpcClient};
use subxt::dynamic::Value;
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::Keypair;

pub type Api = OnlineClient<PolkadotConfig>;
/// A 32-byte account or contract address.
pub type Address = [u8; 32];
pub type Hash = [u8; 32];

/// pallet-contracts' two-dimensional weight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
pub struct Weight {
    #[codec(compact)]
    pub ref_time: u64,
    #[codec(compact)]
    pub proof_size: u64,
}

impl Weight {
    /// The limit sent with an extrinsic: the dry run's requirement plus 10%,
    /// since time-dependent paths can differ by a few instructions.
    fn with_margin(self) -> Self {
        Self { ref_time: self.ref_time + self.ref_time / 10, proof_size: self.proof_size + self.proof_size / 10 }
    }
}

// Mirrors of pallet-contracts' runtime-API result types, decoded up to the
// result (the trailing event list is not needed).
#[derive(Decode)]
enum StorageDeposit {
    Refund(u128),
    Charge(u128),
}

#[derive(Decode)]
struct ExecReturnValue {
    flags: u32,
    data: Vec<u8>,
}

#[derive(Decode)]
struct InstantiateReturnValue {
    result: ExecReturnValue,
    account_id: Address,
}

/// sp_runtime::DispatchError, as far as needed to name it (the fields are
/// read through `Debug`).
#[derive(Decode, Debug)]
#[allow(dead_code)]
pub(crate) enum DispatchError {
    Other,
    CannotLookup,
    BadOrigin,
    Module(ModuleErrorRaw),
    ConsumerRemaining,
    NoProviders,
    TooManyConsumers,
    Token(u8),
    Arithmetic(u8),
    Transactional(u8),
    Exhausted,
    Corruption,
    Unavailable,
    RootNotAllowed,
}

#[derive(Decode, Debug)]
pub(crate) struct ModuleErrorRaw {
    index: u8,
    error: [u8; 4],
}

#[derive(Decode)]
struct ContractResult<R> {
    gas_consumed: Weight,
    gas_required: Weight,
    storage_deposit: StorageDeposit,
    debug_message: Vec<u8>,
    result: Result<R, DispatchError>,
}

#[derive(Decode)]
struct CodeUploadReturnValue {
    code_hash: Hash,
    deposit: u128,
}

/// What a dry run says a call would do.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Estimate {
    pub gas_consumed: Weight,
    pub gas_required: Weight,
    /// Storage deposit charged (positive) or refunded (negative), native base units.
    pub storage_deposit: i128,
}

/// A successful dry run.
pub struct DryRun {
    pub estimate: Estimate,
    pub reverted: bool,
    pub data: Vec<u8>,
    /// For an instantiation: the new contract's address.
    pub address: Option<Address>,
}

/// A contract event from a block.
#[derive(Clone, Debug)]
pub struct Emitted {
    pub contract: Address,
    pub topics: Vec<Hash>,
    pub data: Vec<u8>,
}

/// An extrinsic that made it into a block without failing.
#[derive(Clone, Debug)]
pub struct Included {
    pub block: u32,
    pub emitted: Vec<Emitted>,
}

/// An encoded contract message and the type its return value decodes to.
pub struct Message<R> {
    pub input: Vec<u8>,
    pub(crate) _returns: PhantomData<fn() -> R>,
}

/// What sending a message did (`I`: the chain's record of an included extrinsic).
pub enum Sent<R, I = Included> {
    /// The dry run reverted, so nothing was sent; the decoded return value says why.
    Reverted(R),
    Included(R, I),
}

impl<R: std::fmt::Debug, I> Sent<R, I> {
    /// The included call, or an error naming the revert.
    pub fn included(self, what: &str) -> Result<(R, I)> {
        match self {
            Sent::Included(r, inc) => Ok((r, inc)),
            Sent::Reverted(r) => Err(anyhow!("{what} would revert with {r:?}; nothing was sent")),
        }
    }
}

/// Names a runtime API's dispatch error by the chain's metadata (e.g.
/// `Contracts::StorageDepositNotEnoughFunds`), with the debug buffer if any.
pub(crate) fn dispatch_error(md: &subxt::Metadata, e: &DispatchError, debug: &[u8]) -> anyhow::Error {
    let name = match e {
        DispatchError::Module(ModuleErrorRaw { index, error }) => md
            .pallet_by_index(*index)
            .and_then(|p| p.error_variant_by_index(error[0]).map(|v| format!("{}::{}", p.name(), v.name)))
            .unwrap_or_else(|| format!("module {index} error {error:?}")),
        other => format!("{other:?}"),
    };
    let debug = String::from_utf8_lossy(debug);
    if debug.trim().is_empty() {
        anyhow!("the runtime refused it: {name}")
    } else {
        anyhow!("the runtime refused it: {name} ({})", debug.trim())
    }
}

pub struct Chain {
    pub api: Api,
    rpc: RpcClient,
}

fn weight_value(w: Weight) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(w.ref_time.into())),
        ("proof_size", Value::u128(w.proof_size.into())),
    ])
}

fn none() -> Value {
    Value::unnamed_variant("None", [])
}

impl Chain {
    pub async fn connect(url: &str) -> Result<Self> {
        let rpc = RpcClient::from_insecure_url(url).await.with_context(|| format!("cannot connect to {url}"))?;
        let api = Api::from_rpc_client(rpc.clone()).await.with_context(|| format!("cannot read the chain at {url}"))?;
        Ok(Self { api, rpc })
    }

    /// Over a client already connected (backend detection connects once).
    pub fn from_parts(api: Api, rpc: RpcClient) -> Self {
        Self { api, rpc }
    }

    pub fn genesis_hash(&self) -> Hash {
        self.api.genesis_hash().0
    }

    pub async fn best_block(&self) -> Result<u32> {
        Ok(self.api.blocks().at_latest().await?.number())
    }

    fn dispatch_error(&self, e: &DispatchError, debug: &[u8]) -> anyhow::Error {
        dispatch_error(&self.api.metadata(), e, debug)
    }

    async fn runtime_call<R: Decode>(&self, function: &str, args: Vec<u8>) -> Result<R> {
        self.runtime_call_at(function, args, None).await
    }

    /// A runtime API call on the state after block `at` (the latest when `None`).
    async fn runtime_call_at<R: Decode>(&self, function: &str, args: Vec<u8>, at: Option<u32>) -> Result<R> {
        let api = match at {
            None => self.api.runtime_api().at_latest().await?,
            Some(n) => self.api.runtime_api().at(self.block_hash(n).await?),
        };
        api.call_raw::<R>(function, Some(&args)).await.with_context(|| format!("runtime API {function}"))
    }

    /// The hash of block `number` on the chain's best branch.
    async fn block_hash(&self, number: u32) -> Result<subxt::utils::H256> {
        let hash: Option<subxt::utils::H256> =
            self.rpc.request("chain_getBlockHash", rpc_params![number]).await.context("chain_getBlockHash")?;
        hash.ok_or_else(|| anyhow!("the chain has no block {number}"))
    }

    /// The node's `system_chainType`: `Development`, `Local`, `Live`, or a custom name.
    pub async fn chain_type(&self) -> Result<String> {
        let t: serde_json::Value =
            self.rpc.request("system_chainType", rpc_params![]).await.context("system_chainType")?;
        Ok(match t {
            serde_json::Value::String(s) => s,
            // ChainType::Custom(name) serializes as {"Custom": name}.
            other => format!("{other}"),
        })
    }

    fn estimate<R>(&self, r: &ContractResult<R>) -> Estimate {
        Estimate {
            gas_consumed: r.gas_consumed,
            gas_required: r.gas_required,
            storage_deposit: match r.storage_deposit {
                StorageDeposit::Charge(c) => c as i128,
                StorageDeposit::Refund(c) => -(c as i128),
            },
        }
    }

    /// Dry-runs uploading `code`: its hash and deposit.
    pub async fn dry_upload(&self, origin: &Address, code: &[u8]) -> Result<(Hash, u128)> {
        // (origin, code, storage_deposit_limit: None, determinism: Enforced)
        let args = (origin, code, None::<u128>, 0u8).encode();
        let r: Result<CodeUploadReturnValue, DispatchError> =
            self.runtime_call("ContractsApi_upload_code", args).await?;
        let r = r.map_err(|e| self.dispatch_error(&e, &[]))?;
        Ok((r.code_hash, r.deposit))
    }

    /// Dry-runs instantiating the uploaded `code_hash` with `input` and `salt`.
    pub async fn dry_instantiate(
        &self,
        origin: &Address,
        code_hash: &Hash,
        input: &[u8],
        salt: &[u8],
    ) -> Result<DryRun> {
        // Code::Existing(hash) is variant 1.
        self.dry_instantiate_code(origin, (1u8, code_hash).encode(), input, salt).await
    }

    /// Dry-runs instantiating `code` not yet on chain (for a plan).
    pub async fn dry_instantiate_with_code(
        &self,
        origin: &Address,
        code: &[u8],
        input: &[u8],
        salt: &[u8],
    ) -> Result<DryRun> {
        // Code::Upload(code) is variant 0.
        self.dry_instantiate_code(origin, (0u8, code).encode(), input, salt).await
    }

    async fn dry_instantiate_code(&self, origin: &Address, code: Vec<u8>, input: &[u8], salt: &[u8]) -> Result<DryRun> {
        // (origin, value, gas_limit: None, storage_deposit_limit: None, code, data, salt)
        let mut args = (origin, 0u128, None::<Weight>, None::<u128>).encode();
        args.extend(code);
        (input, salt).encode_to(&mut args);
        let r: ContractResult<InstantiateReturnValue> = self.runtime_call("ContractsApi_instantiate", args).await?;
        let estimate = self.estimate(&r);
        match r.result {
            Ok(v) => Ok(DryRun {
                estimate,
                reverted: v.result.flags & 1 == 1,
                data: v.result.data,
                address: Some(v.account_id),
            }),
            Err(e) => Err(self.dispatch_error(&e, &r.debug_message)),
        }
    }

    /// Dry-runs calling `dest` with `input` and `value`.
    pub async fn dry_call(&self, origin: &Address, dest: &Address, value: u128, input: &[u8]) -> Result<DryRun> {
        self.dry_call_at(origin, dest, value, input, None).await
    }

    async fn dry_call_at(
        &self,
        origin: &Address,
        dest: &Address,
        value: u128,
        input: &[u8],
        at: Option<u32>,
    ) -> Result<DryRun> {
        let args = (origin, dest, value, None::<Weight>, None::<u128>, input).encode();
        let r: ContractResult<ExecReturnValue> = self.runtime_call_at("ContractsApi_call", args, at).await?;
        let estimate = self.estimate(&r);
        match r.result {
            Ok(v) => Ok(DryRun { estimate, reverted: v.flags & 1 == 1, data: v.data, address: None }),
            Err(e) => Err(self.dispatch_error(&e, &r.debug_message)),
        }
    }

    async fn submit(&self, signer: &Keypair, call: subxt::tx::DynamicPayload) -> Result<Included> {
        let in_block = self
            .api
            .tx()
            .sign_and_submit_then_watch_default(&call, signer)
            .await
            .context("submitting the extrinsic")?
            .wait_for_finalized()
            .await
            .context("waiting for the extrinsic's block")?;
        let block = self.api.blocks().at(in_block.block_hash()).await?.number();
        let events = in_block.wait_for_success().await.context("the extrinsic failed")?;
        let mut emitted = Vec::new();
        for ev in events.iter() {
            let ev = ev?;
            if ev.pallet_name() == "Contracts" && ev.variant_name() == "ContractEmitted" {
                let (contract, data) = <(Address, Vec<u8>)>::decode(&mut ev.field_bytes())?;
                emitted.push(Emitted { contract, topics: ev.topics().iter().map(|t| t.0).collect(), data });
            }
        }
        Ok(Included { block, emitted })
    }

    pub async fn upload(&self, signer: &Keypair, code: &[u8]) -> Result<Included> {
        let call = subxt::dynamic::tx(
            "Contracts",
            "upload_code",
            vec![
                ("code", Value::from_bytes(code)),
                ("storage_deposit_limit", none()),
                ("determinism", Value::unnamed_variant("Enforced", [])),
            ],
        );
        self.submit(signer, call).await
    }

    pub async fn instantiate(
        &self,
        signer: &Keypair,
        code_hash: &Hash,
        input: &[u8],
        salt: &[u8],
        gas: Weight,
    ) -> Result<Included> {
        let call = subxt::dynamic::tx(
            "Contracts",
            "instantiate",
            vec![
                ("value", Value::u128(0)),
                ("gas_limit", weight_value(gas.with_margin())),
                ("storage_deposit_limit", none()),
                ("code_hash", Value::from_bytes(code_hash)),
                ("data", Value::from_bytes(input)),
                ("salt", Value::from_bytes(salt)),
            ],
        );
        self.submit(signer, call).await
    }

    async fn call_extrinsic(
        &self,
        signer: &Keypair,
        dest: &Address,
        value: u128,
        input: &[u8],
        gas: Weight,
    ) -> Result<Included> {
        let call = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                ("dest", Value::unnamed_variant("Id", [Value::from_bytes(dest)])),
                ("value", Value::u128(value)),
                ("gas_limit", weight_value(gas.with_margin())),
                ("storage_deposit_limit", none()),
                ("data", Value::from_bytes(input)),
            ],
        );
        self.submit(signer, call).await
    }

    /// Reads a message's return value by a dry run from `origin`.
    pub async fn query<R: Decode>(&self, origin: &Address, dest: &Address, msg: &Message<R>) -> Result<R> {
        self.query_at(origin, dest, msg, None).await
    }

    /// Reads a message's return value on the state after block `at` (the latest when `None`).
    pub async fn query_at<R: Decode>(
        &self,
        origin: &Address,
        dest: &Address,
        msg: &Message<R>,
        at: Option<u32>,
    ) -> Result<R> {
        let run = self.dry_call_at(origin, dest, 0, &msg.input, at).await?;
        decode_return::<R>(&run.data)
    }

    /// Dry-runs a message, and sends it as a signed extrinsic unless it would revert.
    pub async fn send<R: Decode>(
        &self,
        signer: &Keypair,
        dest: &Address,
        msg: &Message<R>,
        value: u128,
    ) -> Result<Sent<R>> {
        let origin = signer.public_key().0;
        let run = self.dry_call(&origin, dest, value, &msg.input).await?;
        let ret = decode_return::<R>(&run.data)?;
        if run.reverted {
            return Ok(Sent::Reverted(ret));
        }
        let inc = self.call_extrinsic(signer, dest, value, &msg.input, run.estimate.gas_required).await?;
        Ok(Sent::Included(ret, inc))
    }

    /// Dry-run estimate of a message (for plans).
    pub async fn estimate_message<R>(
        &self,
        origin: &Address,
        dest: &Address,
        msg: &Message<R>,
    ) -> Result<(Estimate, bool)> {
        let run = self.dry_call(origin, dest, 0, &msg.input).await?;
        Ok((run.estimate, run.reverted))
    }

    /// The SCALE bytes of `pallet.entry(key)` at the latest block, if set.
    async fn storage(&self, pallet: &str, entry: &str, key: &[u8; 32]) -> Result<Option<Vec<u8>>> {
        let addr = subxt::dynamic::storage(pallet, entry, vec![Value::from_bytes(key)]);
        Ok(self.api.storage().at_latest().await?.fetch(&addr).await?.map(|v| v.encoded().to_vec()))
    }

    async fn storage_exists(&self, entry: &str, key: &[u8; 32]) -> Result<bool> {
        Ok(self.storage("Contracts", entry, key).await?.is_some())
    }

    pub async fn code_exists(&self, hash: &Hash) -> Result<bool> {
        self.storage_exists("CodeInfoOf", hash).await
    }

    pub async fn contract_exists(&self, address: &Address) -> Result<bool> {
        self.storage_exists("ContractInfoOf", address).await
    }

    /// The code hash the contract at `address` runs, if there is one.
    pub async fn code_hash_of(&self, address: &Address) -> Result<Option<Hash>> {
        let Some(v) = self.storage("Contracts", "ContractInfoOf", address).await? else { return Ok(None) };
        // ContractInfo starts with (trie_id: BoundedVec<u8>, code_hash).
        let (_trie_id, code_hash) = <(Vec<u8>, Hash)>::decode(&mut &v[..])?;
        Ok(Some(code_hash))
    }

    /// Free native balance of `who`.
    pub async fn free_balance(&self, who: &Address) -> Result<u128> {
        #[derive(Decode)]
        struct AccountInfo {
            _nonce: u32,
            _consumers: u32,
            _providers: u32,
            _sufficients: u32,
            free: u128,
        }
        let Some(v) = self.storage("System", "Account", who).await? else { return Ok(0) };
        Ok(AccountInfo::decode(&mut &v[..])?.free)
    }

    /// The latest block's timestamp (ms).
    pub async fn now(&self) -> Result<u64> {
        let addr = subxt::dynamic::storage("Timestamp", "Now", Vec::<Value>::new());
        let v = self.api.storage().at_latest().await?.fetch(&addr).await?.ok_or_else(|| anyhow!("no timestamp"))?;
        Ok(u64::decode(&mut v.encoded())?)
    }

    /// Chopsticks only: moves the chain's clock to `ms` and builds a block there.
    pub async fn time_travel(&self, ms: u64) -> Result<()> {
        let _: serde_json::Value = self.rpc.request("dev_timeTravel", rpc_params![ms]).await.context(
            "dev_timeTravel (only Chopsticks has it: a released node cannot pass a timelock in these tests)",
        )?;
        let _: serde_json::Value = self.rpc.request("dev_newBlock", rpc_params![]).await.context("dev_newBlock")?;
        Ok(())
    }
}

/// A constructor's or message's revert data, for an error message.
pub fn describe_revert(data: &[u8]) -> String {
    format!("return data 0x{}", ::hex::encode(data))
}

/// Decodes an ink! message's return data: `Result<R, LangError>`.
pub fn decode_return<R: Decode>(data: &[u8]) -> Result<R> {
    match ink::MessageResult::<R>::decode(&mut &data[..]) {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(lang)) => bail!("the contract refused the message itself: {lang:?}"),
        Err(e) => bail!("cannot decode the contract's return value: {e}"),
    }
}

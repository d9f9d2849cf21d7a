//! [`ReviveClient`] over subxt: signed `Revive` extrinsics built from the
//! runtime's metadata, the `ReviveApi` runtime API for dry runs, and storage
//! reads. Checked against pallet-revive 0.20.2 (revive-dev-runtime 0.12.0):
//! its runtime API signatures are `decl_runtime_apis!` in its src/lib.rs,
//! the result types pallet-revive-types 0.2.0's `runtime_api::types`.

use super::client::{AccountId32, Code, DryRun, Emitted, Hash, Included, Limits, ReviveClient, H160};
use crate::chain::{dispatch_error, DispatchError, Estimate, Weight};
use anyhow::{anyhow, Context, Result};
use scale::{Decode, Encode};
use subxt::backend::rpc::{rpc_params, RpcClient};
use subxt::dynamic::Value;
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::Keypair;

pub type Api = OnlineClient<PolkadotConfig>;

// Mirrors of pallet-revive-types 0.2.0's runtime-API results.
#[derive(Decode)]
enum StorageDepositV1 {
    Refund(u128),
    Charge(u128),
}

impl StorageDepositV1 {
    fn signed(&self) -> i128 {
        match self {
            StorageDepositV1::Charge(c) => *c as i128,
            StorageDepositV1::Refund(r) => -(*r as i128),
        }
    }
}

#[derive(Decode)]
struct ExecReturnValueV1 {
    /// ReturnFlags: bit 0 is REVERT.
    flags: u32,
    data: Vec<u8>,
}

#[derive(Decode)]
struct InstantiateReturnValueV1 {
    result: ExecReturnValueV1,
    addr: H160,
}

#[derive(Decode)]
struct ContractResultV1<R> {
    weight_consumed: Weight,
    weight_required: Weight,
    storage_deposit: StorageDepositV1,
    max_storage_deposit: StorageDepositV1,
    _gas_consumed: u128,
    result: Result<R, DispatchError>,
}

#[derive(Decode)]
struct CodeUploadReturnValueV1 {
    code_hash: Hash,
    deposit: u128,
}

#[derive(Encode)]
enum CodeV1<'a> {
    Upload(&'a [u8]),
    Existing(&'a Hash),
}

pub struct SubxtRevive {
    pub api: Api,
    rpc: RpcClient,
}

/// The contracts pallets a chain's metadata has: `Revive`, `Contracts`, both or none.
pub fn contracts_pallets(api: &Api) -> Vec<&'static str> {
    let md = api.metadata();
    ["Revive", "Contracts"].into_iter().filter(|p| md.pallet_by_name(p).is_some()).collect()
}

fn weight_value(w: Weight) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(w.ref_time.into())),
        ("proof_size", Value::u128(w.proof_size.into())),
    ])
}

fn salt_value(salt: Option<&Hash>) -> Value {
    match salt {
        Some(s) => Value::unnamed_variant("Some", [Value::from_bytes(s)]),
        None => Value::unnamed_variant("None", []),
    }
}

impl SubxtRevive {
    pub async fn connect(url: &str) -> Result<Self> {
        let rpc = RpcClient::from_insecure_url(url).await.with_context(|| format!("cannot connect to {url}"))?;
        let api = Api::from_rpc_client(rpc.clone()).await.with_context(|| format!("cannot read the chain at {url}"))?;
        Ok(Self::from_parts(api, rpc))
    }

    /// Over a client already connected (backend detection connects once).
    pub fn from_parts(api: Api, rpc: RpcClient) -> Self {
        Self { api, rpc }
    }

    async fn runtime_call<R: Decode>(&self, function: &str, args: Vec<u8>, at: Option<u32>) -> Result<R> {
        let api = match at {
            None => self.api.runtime_api().at_latest().await?,
            Some(n) => self.api.runtime_api().at(self.block_hash(n).await?),
        };
        api.call_raw::<R>(function, Some(&args)).await.with_context(|| format!("runtime API {function}"))
    }

    async fn block_hash(&self, number: u32) -> Result<subxt::utils::H256> {
        let hash: Option<subxt::utils::H256> =
            self.rpc.request("chain_getBlockHash", rpc_params![number]).await.context("chain_getBlockHash")?;
        hash.ok_or_else(|| anyhow!("the chain has no block {number}"))
    }

    fn dry_run<R>(
        &self,
        r: ContractResultV1<R>,
        unpack: impl FnOnce(R) -> (ExecReturnValueV1, Option<H160>),
    ) -> Result<DryRun> {
        let estimate = Estimate {
            gas_consumed: r.weight_consumed,
            gas_required: r.weight_required,
            storage_deposit: r.storage_deposit.signed(),
        };
        let max_storage_deposit = r.max_storage_deposit.signed().max(0) as u128;
        match r.result {
            Ok(v) => {
                let (ret, address) = unpack(v);
                Ok(DryRun { estimate, max_storage_deposit, reverted: ret.flags & 1 == 1, data: ret.data, address })
            }
            Err(e) => Err(dispatch_error(&self.api.metadata(), &e, &[])),
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
        let (mut emitted, mut instantiated) = (Vec::new(), Vec::new());
        for ev in events.iter() {
            let ev = ev?;
            if ev.pallet_name() != "Revive" {
                continue;
            }
            match ev.variant_name() {
                "ContractEmitted" => {
                    let (contract, data, topics) = <(H160, Vec<u8>, Vec<Hash>)>::decode(&mut ev.field_bytes())?;
                    emitted.push(Emitted { contract, topics, data });
                }
                "Instantiated" => {
                    let (_deployer, contract) = <(H160, H160)>::decode(&mut ev.field_bytes())?;
                    instantiated.push(contract);
                }
                _ => {}
            }
        }
        Ok(Included { block, emitted, instantiated, dry_run: None })
    }

    async fn storage(&self, pallet: &str, entry: &str, key: Value) -> Result<Option<Vec<u8>>> {
        let addr = subxt::dynamic::storage(pallet, entry, vec![key]);
        Ok(self.api.storage().at_latest().await?.fetch(&addr).await?.map(|v| v.encoded().to_vec()))
    }
}

impl ReviveClient for SubxtRevive {
    type Signer = Keypair;

    fn account_of(signer: &Keypair) -> AccountId32 {
        signer.public_key().0
    }

    fn genesis_hash(&self) -> Hash {
        self.api.genesis_hash().0
    }

    async fn best_block(&self) -> Result<u32> {
        Ok(self.api.blocks().at_latest().await?.number())
    }

    async fn chain_type(&self) -> Result<String> {
        let t: serde_json::Value =
            self.rpc.request("system_chainType", rpc_params![]).await.context("system_chainType")?;
        Ok(match t {
            serde_json::Value::String(s) => s,
            other => format!("{other}"),
        })
    }

    async fn address_of(&self, account: &AccountId32) -> Result<H160> {
        self.runtime_call("ReviveApi_address", account.encode(), None).await
    }

    async fn dry_upload(&self, origin: &AccountId32, code: &[u8]) -> Result<(Hash, u128)> {
        // (origin, code, storage_deposit_limit: None)
        let args = (origin, code, None::<u128>).encode();
        let r: Result<CodeUploadReturnValueV1, DispatchError> =
            self.runtime_call("ReviveApi_upload_code", args, None).await?;
        let r = r.map_err(|e| dispatch_error(&self.api.metadata(), &e, &[]))?;
        Ok((r.code_hash, r.deposit))
    }

    async fn dry_instantiate(
        &self,
        origin: &AccountId32,
        value: u128,
        code: Code<'_>,
        input: &[u8],
        salt: Option<&Hash>,
    ) -> Result<DryRun> {
        let code = match code {
            Code::Upload(c) => CodeV1::Upload(c),
            Code::Existing(h) => CodeV1::Existing(h),
        };
        // (origin, value, gas_limit: None, storage_deposit_limit: None, code, data, salt)
        let args = (origin, value, None::<Weight>, None::<u128>, code, input, salt).encode();
        let r: ContractResultV1<InstantiateReturnValueV1> =
            self.runtime_call("ReviveApi_instantiate", args, None).await?;
        self.dry_run(r, |v| (v.result, Some(v.addr)))
    }

    async fn dry_call(
        &self,
        origin: &AccountId32,
        dest: &H160,
        value: u128,
        input: &[u8],
        at: Option<u32>,
    ) -> Result<DryRun> {
        // (origin, dest, value, gas_limit: None, storage_deposit_limit: None, input_data)
        let args = (origin, dest, value, None::<Weight>, None::<u128>, input).encode();
        let r: ContractResultV1<ExecReturnValueV1> = self.runtime_call("ReviveApi_call", args, at).await?;
        self.dry_run(r, |v| (v, None))
    }

    async fn upload(&self, signer: &Keypair, code: &[u8], deposit_limit: u128) -> Result<Included> {
        let call = subxt::dynamic::tx(
            "Revive",
            "upload_code",
            vec![("code", Value::from_bytes(code)), ("storage_deposit_limit", Value::u128(deposit_limit))],
        );
        self.submit(signer, call).await
    }

    async fn instantiate(
        &self,
        signer: &Keypair,
        value: u128,
        limits: Limits,
        code_hash: &Hash,
        input: &[u8],
        salt: Option<&Hash>,
    ) -> Result<Included> {
        let call = subxt::dynamic::tx(
            "Revive",
            "instantiate",
            vec![
                ("value", Value::u128(value)),
                ("weight_limit", weight_value(limits.weight)),
                ("storage_deposit_limit", Value::u128(limits.storage_deposit)),
                ("code_hash", Value::from_bytes(code_hash)),
                ("data", Value::from_bytes(input)),
                ("salt", salt_value(salt)),
            ],
        );
        self.submit(signer, call).await
    }

    async fn call(&self, signer: &Keypair, dest: &H160, value: u128, limits: Limits, input: &[u8]) -> Result<Included> {
        let call = subxt::dynamic::tx(
            "Revive",
            "call",
            vec![
                ("dest", Value::from_bytes(dest)),
                ("value", Value::u128(value)),
                ("weight_limit", weight_value(limits.weight)),
                ("storage_deposit_limit", Value::u128(limits.storage_deposit)),
                ("data", Value::from_bytes(input)),
            ],
        );
        self.submit(signer, call).await
    }

    async fn code_exists(&self, hash: &Hash) -> Result<bool> {
        Ok(self.storage("Revive", "CodeInfoOf", Value::from_bytes(hash)).await?.is_some())
    }

    async fn code_hash_of(&self, address: &H160) -> Result<Option<Hash>> {
        let Some(v) = self.storage("Revive", "AccountInfoOf", Value::from_bytes(address)).await? else {
            return Ok(None);
        };
        // AccountInfo { account_type: AccountType::Contract(ContractInfo { trie_id, code_hash, .. }) | EOA, dust }
        let mut input = &v[..];
        match u8::decode(&mut input)? {
            0 => {
                let (_trie_id, code_hash) = <(Vec<u8>, Hash)>::decode(&mut input)?;
                Ok(Some(code_hash))
            }
            _ => Ok(None),
        }
    }

    async fn free_balance(&self, who: &AccountId32) -> Result<u128> {
        #[derive(Decode)]
        struct AccountInfo {
            _nonce: u32,
            _consumers: u32,
            _providers: u32,
            _sufficients: u32,
            free: u128,
        }
        let Some(v) = self.storage("System", "Account", Value::from_bytes(who)).await? else { return Ok(0) };
        Ok(AccountInfo::decode(&mut &v[..])?.free)
    }

    async fn now(&self) -> Result<u64> {
        let addr = subxt::dynamic::storage("Timestamp", "Now", Vec::<Value>::new());
        let v = self.api.storage().at_latest().await?.fetch(&addr).await?.ok_or_else(|| anyhow!("no timestamp"))?;
        Ok(u64::decode(&mut v.encoded())?)
    }

    async fn time_travel(&self, ms: u64) -> Result<()> {
        let _: serde_json::Value = self.rpc.request("dev_timeTravel", rpc_params![ms]).await.context(
            "dev_timeTravel (only Chopsticks has it: a released node cannot pass a timelock in these tests)",
        )?;
        let _: serde_json::Value = self.rpc.request("dev_newBlock", rpc_params![]).await.context("dev_newBlock")?;
        Ok(())
    }
}

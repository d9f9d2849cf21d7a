//! Bulwark's end-to-end suite on pallet-revive: the three ink! 6 shells of
//! contracts and the protected vault of e2e/protected_vault,
//! deployed on a running revive chain (scripts/e2e.sh starts one)
//! through bulwark-deploy's revive client, then attacked
//! (tests/scenarios.rs). It is the ink! 5 sandbox suite (tag
//! `ink5-pallet-contracts-final`) moved to a real chain: the same scenarios, the same assertions, and where those compare
//! with bulwark-core they still do.
//!
//! - [`Chain`]: the client, a scripted clock, the log of contract events.
//! - [`abi`]: the messages and events the scenarios use beyond those
//!   bulwark-deploy declares, and the vault's.
//! - [`metadata`]: checks those declarations against the release builds'
//!   metadata.
//!
//! **Time.** The old suite ran every call at the time the test last set.
//! Here the clock is Chopsticks': each block's timestamp is its parent's
//! plus one slot, and `dev_timeTravel` overwrites the head's timestamp.
//! [`Chain`] uses that to run every call at the scripted time
//! ([`Chain::set_time`]): before a dry run (a query, or the dry run that
//! precedes every sent call) the head's timestamp is set to the scripted
//! time, and before a call is sent it is set one slot earlier, so the
//! block that includes the call carries exactly the scripted time. A dry
//! run and the call it precedes therefore see the same state at the same
//! time, and a call's decoded return value is what the included call
//! returned. Native replays of bulwark-core use the same times (whole
//! seconds, as contracts on pallet-revive see them).
//!
//! **Serial.** The chain and its clock are shared, so scenarios run one at
//! a time ([`Chain::connect`] holds a process-wide lock until the
//! scenario's `Chain` is dropped).

pub mod abi;
pub mod metadata;

use anyhow::{anyhow, bail, Context, Result};
use bulwark_deploy::chain::{Sent, Weight};
use bulwark_deploy::revive::client::{Code, DryRun, Emitted, Included, Limits, ReviveClient};
use bulwark_deploy::revive::subxt::{contracts_pallets, SubxtRevive};
use bulwark_deploy::revive::{code_hash, core_account, h160_of, salt32, AccountId32, Hash, H160};
use scale::Decode;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use subxt::backend::rpc::{rpc_params, RpcClient};
use subxt_signer::sr25519::{dev, Keypair};
use tokio::sync::{Mutex as AsyncMutex, MutexGuard};

pub use bulwark_deploy::chain::Message;

pub const MINUTE: u64 = 60_000;
pub const HOUR: u64 = 60 * MINUTE;

/// The dev accounts: funded and mapped to H160 by the runtime's
/// development preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Alice,
    Bob,
    Charlie,
    Dave,
    Eve,
    Ferdie,
}

impl Who {
    pub fn keypair(self) -> Keypair {
        match self {
            Who::Alice => dev::alice(),
            Who::Bob => dev::bob(),
            Who::Charlie => dev::charlie(),
            Who::Dave => dev::dave(),
            Who::Eve => dev::eve(),
            Who::Ferdie => dev::ferdie(),
        }
    }

    /// The 32-byte account (the sr25519 public key).
    pub fn account(self) -> AccountId32 {
        self.keypair().public_key().0
    }

    /// The H160 the runtime maps the account to.
    pub fn h160(self) -> H160 {
        h160_of(&self.account())
    }

    /// The bulwark-core account contracts on pallet-revive give this
    /// account: its H160, right-aligned.
    pub fn core(self) -> [u8; 32] {
        core_account(&self.h160())
    }
}

/// The 32-byte account that holds a contract's balance: pallet-revive's
/// `AccountId32Mapper` maps an H160 with no original account to the
/// address followed by twelve 0xEE bytes.
pub fn contract_account(address: &H160) -> AccountId32 {
    let mut out = [0xEE; 32];
    out[..20].copy_from_slice(address);
    out
}

/// Where the release builds are: `$BULWARK_REVIVE_ARTIFACTS` (the three
/// contracts, `<dir>/<name>/<name>.polkavm` and `.json`) and
/// `$BULWARK_VAULT_ARTIFACTS` (the vault), by default the build folders of
/// contracts and e2e (scripts/build-contracts.sh).
pub fn artifacts_of(contract: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = if contract == "protected_vault" {
        std::env::var("BULWARK_VAULT_ARTIFACTS").map(PathBuf::from).unwrap_or_else(|_| root.join("e2e/target/ink"))
    } else {
        std::env::var("BULWARK_REVIVE_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("contracts/target/ink"))
    };
    // cargo-contract writes <target>/ink/<name>.{polkavm,json} for a crate
    // built alone and <target>/ink/<name>/<name>.* inside a workspace.
    let nested = dir.join(contract);
    if nested.join(format!("{contract}.polkavm")).exists() {
        nested
    } else {
        dir
    }
}

fn read_artifact(contract: &str, ext: &str) -> Result<Vec<u8>> {
    let path = artifacts_of(contract).join(format!("{contract}.{ext}"));
    std::fs::read(&path)
        .with_context(|| format!("cannot read {} (build the contracts first: scripts/e2e.sh does)", path.display()))
}

/// The ink! signature topic of every event of the four contracts, from
/// their metadata: `(contract, event) -> topic`.
pub fn event_topics() -> Result<BTreeMap<(String, String), Hash>> {
    let mut topics = BTreeMap::new();
    for contract in ["circuit_breaker", "insurance_fund", "multisig_guard", "protected_vault"] {
        let json: serde_json::Value = serde_json::from_slice(&read_artifact(contract, "json")?)?;
        for e in json["spec"]["events"].as_array().into_iter().flatten() {
            if let (Some(name), Some(topic)) = (e["label"].as_str(), e["signature_topic"].as_str()) {
                topics.insert((contract.to_string(), name.to_string()), bulwark_deploy::record::unhex::<32>(topic)?);
            }
        }
    }
    Ok(topics)
}

/// One scenario at a time on the shared chain and clock.
static SERIAL: AsyncMutex<()> = AsyncMutex::const_new(());
/// Makes salts unique across the scenarios of one run.
static SALTS: AtomicU64 = AtomicU64::new(0);

/// What a dry run measured, for the weight report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    /// The weight the call consumed.
    pub consumed: Weight,
    /// The weight it needed as a limit.
    pub required: Weight,
    /// Storage deposit charged (positive) or refunded (negative), native units.
    pub storage_deposit: i128,
}

/// The revive chain of one scenario.
pub struct Chain {
    pub client: SubxtRevive,
    rpc: RpcClient,
    /// Chopsticks' block time: a new block's timestamp is its parent's plus this.
    slot_ms: u64,
    /// The scripted time (ms, whole seconds) every call runs at.
    clock: Mutex<u64>,
    /// The timestamp the head carries now (after a block or a time travel).
    head_now: Mutex<u64>,
    log: Mutex<Vec<Emitted>>,
    topics: BTreeMap<(String, String), Hash>,
    run: u128,
    _serial: MutexGuard<'static, ()>,
}

impl Chain {
    /// Connects to `$BULWARK_CHAIN_URL` (a pallet-revive chain served by
    /// Chopsticks) and waits for the other scenarios to finish.
    pub async fn connect() -> Result<Self> {
        let serial = SERIAL.lock().await;
        let url = std::env::var("BULWARK_CHAIN_URL").map_err(|_| {
            anyhow!(
                "BULWARK_CHAIN_URL is not set: these scenarios need a local revive chain \
                 (scripts/e2e.sh starts one, builds the contracts and runs them)"
            )
        })?;
        let client = SubxtRevive::connect(&url)
            .await
            .with_context(|| format!("no revive chain answers at {url} (BULWARK_CHAIN_URL)"))?;
        if !contracts_pallets(&client.api).contains(&"Revive") {
            bail!("the chain at {url} has no Revive pallet: start it with scripts/node.sh start");
        }
        let rpc = RpcClient::from_insecure_url(&url).await.with_context(|| format!("cannot connect to {url}"))?;
        let topics = event_topics()?;
        let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
        let mut chain = Self {
            client,
            rpc,
            slot_ms: 0,
            clock: Mutex::new(0),
            head_now: Mutex::new(0),
            log: Mutex::new(Vec::new()),
            topics,
            run,
            _serial: serial,
        };
        // Measure the slot: one empty block.
        let before = chain.client.now().await?;
        let _: serde_json::Value = chain.rpc.request("dev_newBlock", rpc_params![]).await.context(
            "dev_newBlock: the chain is not Chopsticks (the scenarios need its time travel and block building)",
        )?;
        let after = chain.client.now().await?;
        if after <= before {
            bail!("a new block did not advance the clock ({before} -> {after})");
        }
        chain.slot_ms = after - before;
        *chain.head_now.lock().unwrap() = after;
        // Start on a whole minute, after everything earlier on this chain.
        let start = (after / MINUTE + 2) * MINUTE;
        chain.set_time(start)?;
        Ok(chain)
    }

    /// The scripted time (ms) calls now run at.
    pub fn now(&self) -> u64 {
        *self.clock.lock().unwrap()
    }

    /// Every following call runs at `ms` (a whole second, not earlier than
    /// the scripted time so far: the chain's clock only moves forward).
    pub fn set_time(&self, ms: u64) -> Result<()> {
        let mut clock = self.clock.lock().unwrap();
        if ms % 1000 != 0 {
            bail!("{ms} ms is not a whole second: contracts on pallet-revive see seconds");
        }
        if ms < *clock {
            bail!("the clock only moves forward: {ms} < {}", *clock);
        }
        *clock = ms;
        Ok(())
    }

    /// Sets the head's timestamp to `ms` (Chopsticks' `dev_timeTravel`,
    /// without a block).
    async fn head_time(&self, ms: u64) -> Result<()> {
        if *self.head_now.lock().unwrap() == ms {
            return Ok(());
        }
        let _: serde_json::Value =
            self.rpc.request("dev_timeTravel", rpc_params![ms]).await.context("dev_timeTravel")?;
        *self.head_now.lock().unwrap() = ms;
        Ok(())
    }

    /// Before a dry run: the head carries the scripted time.
    async fn pin_for_dry_run(&self) -> Result<()> {
        self.head_time(self.now()).await
    }

    /// Before an extrinsic: the head carries the scripted time less one
    /// slot, so the block that includes it carries the scripted time.
    async fn pin_for_block(&self) -> Result<()> {
        self.head_time(self.now() - self.slot_ms).await
    }

    /// After an included extrinsic: its block carries the scripted time.
    async fn included(&self, inc: &Included) -> Result<()> {
        let now = self.client.now().await?;
        if now != self.now() {
            bail!("block {} carries {now}, not the scripted {}", inc.block, self.now());
        }
        *self.head_now.lock().unwrap() = now;
        self.log.lock().unwrap().extend(inc.emitted.iter().cloned());
        Ok(())
    }

    /// Dry-runs `msg` from `who` at the scripted time.
    pub async fn dry_run<R>(&self, who: Who, dest: &H160, msg: &Message<R>, value: u128) -> Result<DryRun> {
        self.pin_for_dry_run().await?;
        self.client.dry_call(&who.account(), dest, value, &msg.input, None).await
    }

    /// Reads `msg`'s return value (a dry run at the scripted time).
    pub async fn query<R: Decode>(&self, who: Who, dest: &H160, msg: &Message<R>) -> Result<R> {
        let run = self.dry_run(who, dest, msg, 0).await?;
        bulwark_deploy::chain::decode_return::<R>(&run.data)
    }

    /// Sends `msg` from `who` with `value` (native units) at the scripted
    /// time: dry-run first and not sent if it would revert (then the
    /// decoded revert is returned), else included in a block, its events
    /// logged. Either way the return value is the message's: an included
    /// call ran on the state and at the time of its dry run.
    pub async fn send<R: Decode>(
        &self,
        who: Who,
        dest: &H160,
        msg: &Message<R>,
        value: u128,
    ) -> Result<Sent<R, (Included, Measured)>> {
        Ok(match self.send_input(who, dest, &msg.input, value).await? {
            Sent::Reverted(data) => Sent::Reverted(bulwark_deploy::chain::decode_return::<R>(&data)?),
            Sent::Included(data, inc) => Sent::Included(bulwark_deploy::chain::decode_return::<R>(&data)?, inc),
        })
    }

    /// [`Chain::send`] of raw call data (any ABI): the returned bytes.
    pub async fn send_input(
        &self,
        who: Who,
        dest: &H160,
        input: &[u8],
        value: u128,
    ) -> Result<Sent<Vec<u8>, (Included, Measured)>> {
        self.pin_for_dry_run().await?;
        let run = self.client.dry_call(&who.account(), dest, value, input, None).await?;
        if run.reverted {
            return Ok(Sent::Reverted(run.data));
        }
        let measured = Measured {
            consumed: run.estimate.gas_consumed,
            required: run.estimate.gas_required,
            storage_deposit: run.estimate.storage_deposit,
        };
        self.pin_for_block().await?;
        let inc = self.client.call(&who.keypair(), dest, value, Limits::from_dry_run(&run), input).await?;
        self.included(&inc).await?;
        Ok(Sent::Included(run.data, (inc, measured)))
    }

    /// [`Chain::send`]'s return value, sent or not.
    pub async fn submit<R: Decode>(&self, who: Who, dest: &H160, msg: &Message<R>, value: u128) -> Result<R> {
        Ok(match self.send(who, dest, msg, value).await? {
            Sent::Reverted(r) | Sent::Included(r, _) => r,
        })
    }

    /// Sends `msg` although its dry run reverts (with the dry run's limits),
    /// to show that the chain itself refuses it: returns the dispatch
    /// error's text (an error if the call was included).
    pub async fn submit_reverting<R>(&self, who: Who, dest: &H160, msg: &Message<R>) -> Result<String> {
        let run = self.dry_run(who, dest, msg, 0).await?;
        if !run.reverted {
            bail!("the call does not revert");
        }
        self.pin_for_block().await?;
        let sent = self.client.call(&who.keypair(), dest, 0, Limits::from_dry_run(&run), &msg.input).await;
        // A failed extrinsic is still in a block: the clock moved.
        *self.head_now.lock().unwrap() = self.client.now().await?;
        match sent {
            Ok(inc) => bail!("a reverting call was included in block {} without failing", inc.block),
            Err(e) => Ok(format!("{e:#}")),
        }
    }

    /// Instantiates `contract` (its release build; the code is uploaded
    /// once per chain) with the constructor input `input`, from `who`, at a
    /// fresh salted address.
    pub async fn instantiate(&self, who: Who, contract: &str, input: Vec<u8>) -> Result<H160> {
        let code = read_artifact(contract, "polkavm")?;
        let hash = code_hash(&code);
        let me = who.account();
        if !self.client.code_exists(&hash).await? {
            let (_, deposit) = self.client.dry_upload(&me, &code).await?;
            self.pin_for_block().await?;
            let inc = self.client.upload(&who.keypair(), &code, deposit + deposit / 10).await?;
            self.included(&inc).await?;
        }
        let n = SALTS.fetch_add(1, Ordering::Relaxed);
        let salt = salt32(format!("bulwark-e2e/{}/{n}", self.run).as_bytes());
        self.pin_for_dry_run().await?;
        let run = self.client.dry_instantiate(&me, 0, Code::Existing(&hash), &input, Some(&salt)).await?;
        if run.reverted {
            bail!("{contract}'s constructor reverts: {:?}", run.data);
        }
        let address = run.address.ok_or_else(|| anyhow!("no address from the dry run"))?;
        self.pin_for_block().await?;
        let inc =
            self.client.instantiate(&who.keypair(), 0, Limits::from_dry_run(&run), &hash, &input, Some(&salt)).await?;
        self.included(&inc).await?;
        if !inc.instantiated.contains(&address) {
            bail!("{contract} was instantiated at {:?}, not at {address:?}", inc.instantiated);
        }
        Ok(address)
    }

    /// Free native balance of a dev account.
    pub async fn balance(&self, who: Who) -> Result<u128> {
        self.client.free_balance(&who.account()).await
    }

    /// Free native balance of a contract.
    pub async fn contract_balance(&self, address: &H160) -> Result<u128> {
        self.client.free_balance(&contract_account(address)).await
    }

    /// The contract events of the calls included since the last call, oldest first.
    pub fn take_events(&self) -> Vec<Emitted> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    /// Decodes the ink!-ABI events of type `E` that `contract` emitted
    /// (under `abi = "all"` each event is emitted once per ABI; the ink!
    /// one carries the signature topic of the contract's metadata).
    pub fn events_of<E: abi::Event>(&self, events: &[Emitted], contract: &H160) -> Vec<E> {
        let topic = self
            .topics
            .get(&(E::CONTRACT.to_string(), E::NAME.to_string()))
            .unwrap_or_else(|| panic!("no event {} in {}'s metadata", E::NAME, E::CONTRACT));
        events
            .iter()
            .filter(|e| e.contract == *contract && e.topics.first() == Some(topic))
            .map(|e| E::decode(&mut &e.data[..]).unwrap_or_else(|err| panic!("{} does not decode: {err}", E::NAME)))
            .collect()
    }
}

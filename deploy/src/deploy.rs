//! The deployment: docs/deploy.md's wiring as a list of idempotent steps, a
//! record written after each of them, and a verification that reads the
//! wiring back from the chain.
//!
//! Steps, in order: upload the three codes; instantiate insurance_fund and
//! circuit_breaker with the deployer as temporary admin; register the
//! assets; instantiate multisig_guard with its guard's allow-list naming the
//! two addresses; hand both admin roles to the multisig. Every step first
//! asks the chain whether it is already done (code stored, contract at its
//! deterministic address, asset registered, admin handed over), so a rerun
//! never deploys twice. A failed step is recorded as failed, never as done.

use crate::chain::{Address, Chain, Estimate, Hash, Included, Message};
use crate::constructor_input;
use crate::contracts::{self, allow_list, blake2_256, cb, contract_address, fund, message, Codes};
use crate::safety::Refusal;
use anyhow::{anyhow, bail, Result};
use bulwark_core::multisig::MultisigParams;
use bulwark_sim::params::{AssetRegistration, ContractParams};
use ink::primitives::AccountId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use subxt_signer::sr25519::Keypair;

/// `0x`-prefixed lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    format!("0x{}", ::hex::encode(bytes))
}

/// Parses `0x`-prefixed hex of exactly N bytes.
pub fn unhex<const N: usize>(s: &str) -> Result<[u8; N]> {
    bulwark_core::hex::parse::<N>(s).ok_or_else(|| anyhow!("{s:?} is not 0x followed by {} hex digits", 2 * N))
}

/// The record's `backend` for a pallet-contracts chain.
pub const BACKEND_CONTRACTS: &str = "pallet-contracts";

fn backend_contracts() -> String {
    BACKEND_CONTRACTS.into()
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ChainInfo {
    pub url: String,
    pub genesis_hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CodeRecord {
    pub hash: String,
    /// The block that stored it, when this deployment did.
    pub block: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ContractRecord {
    pub address: String,
    pub block: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AssetRecord {
    /// The block that registered it, when this deployment did: verify reads
    /// the registration there, since the TVL and the price move afterwards.
    pub block: Option<u32>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Sent and included in `block`.
    Done,
    /// Already true on chain: nothing sent.
    Skipped,
    /// Dry run only.
    Planned,
    Failed,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StepRecord {
    pub step: String,
    pub status: Status,
    pub block: Option<u32>,
    /// The dry run's gas and storage deposit (native base units).
    pub estimate: Option<Estimate>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Check {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

/// deployment.json: what was deployed where, and how it was verified.
///
/// Invariant: a record describes one deployment, named by its chain,
/// deployer, params, salt, code hashes and so its addresses. A rerun or a
/// verify continues a record only if all of these are equal
/// ([`Record::differences`] is empty); any other file at the path is
/// refused, never overwritten or merged.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub chain: ChainInfo,
    /// The chain's contracts pallet, read from its metadata:
    /// [`BACKEND_CONTRACTS`] or [`crate::revive::deploy::BACKEND`]
    /// (records from before the revive backend hold none, and are
    /// pallet-contracts').
    #[serde(default = "backend_contracts")]
    pub backend: String,
    /// pallet-contracts: the deployer's 32-byte account; pallet-revive: its H160.
    pub deployer: String,
    /// SHA-256 of the params file deployed.
    pub params_sha256: String,
    pub salt: String,
    pub codes: BTreeMap<String, CodeRecord>,
    pub contracts: BTreeMap<String, ContractRecord>,
    /// By asset id.
    #[serde(default)]
    pub assets: BTreeMap<String, AssetRecord>,
    pub steps: Vec<StepRecord>,
    pub verification: Vec<Check>,
}

impl Record {
    /// The record of `plan` on `chain` before any step: its code hashes and
    /// addresses, no block yet.
    pub fn planned(chain: ChainInfo, plan: &Plan, params: &ContractParams, params_sha256: String) -> Self {
        let a = plan.addresses;
        let contracts = [
            ("circuit_breaker", hex(&a.circuit_breaker)),
            ("insurance_fund", hex(&a.insurance_fund)),
            ("multisig_guard", hex(&a.multisig_guard)),
        ];
        let codes = plan.code_hashes.map(|(n, h)| (n, hex(&h)));
        Self::before_any_step(
            chain,
            BACKEND_CONTRACTS,
            hex(&plan.deployer),
            params_sha256,
            hex(&plan.salt),
            &codes,
            &contracts,
            params,
        )
    }

    /// A record before any step, from what names the deployment (hex
    /// strings in the chain's own address format).
    #[allow(clippy::too_many_arguments)]
    pub fn before_any_step(
        chain: ChainInfo,
        backend: &str,
        deployer: String,
        params_sha256: String,
        salt: String,
        codes: &[(&str, String)],
        contracts: &[(&str, String)],
        params: &ContractParams,
    ) -> Self {
        Self {
            chain,
            backend: backend.into(),
            deployer,
            params_sha256,
            salt,
            codes: codes.iter().map(|(n, h)| (n.to_string(), CodeRecord { hash: h.clone(), block: None })).collect(),
            contracts: contracts
                .iter()
                .map(|(n, a)| (n.to_string(), ContractRecord { address: a.clone(), block: None }))
                .collect(),
            assets: params.deployment.assets.iter().map(|r| (r.id.to_string(), AssetRecord { block: None })).collect(),
            steps: Vec::new(),
            verification: Vec::new(),
        }
    }

    /// How `self` and `other` differ as deployments; empty if they are the
    /// same one. A rebuilt contract has another code hash and so another
    /// address: another deployment, never a continuation.
    pub fn differences(&self, other: &Record) -> Vec<String> {
        let mut d = Vec::new();
        let mut differ = |what: &str, a: &str, b: &str| {
            if a != b {
                d.push(format!("{what} {a} ≠ {b}"));
            }
        };
        differ("chain genesis", &self.chain.genesis_hash, &other.chain.genesis_hash);
        differ("backend", &self.backend, &other.backend);
        differ("deployer", &self.deployer, &other.deployer);
        differ("params SHA-256", &self.params_sha256, &other.params_sha256);
        differ("salt", &self.salt, &other.salt);
        for (name, code) in &self.codes {
            differ(&format!("{name} code"), &code.hash, other.codes.get(name).map_or("none", |c| &c.hash));
        }
        for (name, c) in &self.contracts {
            differ(&format!("{name} address"), &c.address, other.contracts.get(name).map_or("none", |c| &c.address));
        }
        d
    }

    pub fn same_deployment(&self, other: &Record) -> bool {
        self.differences(other).is_empty()
    }

    /// The record at `path` if it is this deployment's; `None` if there is
    /// no file. Anything else (not a record, or another deployment's) is a
    /// [`Refusal`]: it is never overwritten.
    pub fn existing_at(&self, path: &Path) -> Result<Option<Record>> {
        if !path.exists() {
            return Ok(None);
        }
        let old = Record::read(path).map_err(|e| Refusal(format!("{e:#}; pass another --record")))?;
        let differences = self.differences(&old);
        if !differences.is_empty() {
            return Err(Refusal(format!(
                "{} records another deployment ({}); pass another --record",
                path.display(),
                differences.join("; ")
            ))
            .into());
        }
        Ok(Some(old))
    }

    /// Continues `old`, a record of the same deployment: keeps the blocks of
    /// what it did.
    pub fn continue_from(&mut self, old: &Record) {
        for (name, c) in &mut self.codes {
            c.block = old.codes.get(name).and_then(|o| o.block);
        }
        for (name, c) in &mut self.contracts {
            c.block = old.contracts.get(name).and_then(|o| o.block);
        }
        for (id, a) in &mut self.assets {
            a.block = old.assets.get(id).and_then(|o| o.block);
        }
    }

    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| anyhow!("{} is not a deployment record: {e}", path.display()))
    }

    /// Writes the record to `path` atomically: a new file beside it, then a
    /// rename, so a crash leaves the old record or the new one, never half.
    pub fn write(&self, path: &Path) -> Result<()> {
        use std::io::Write as _;
        let name = path.file_name().ok_or_else(|| anyhow!("{} names no file", path.display()))?;
        let tmp = path.with_file_name(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
        let write = || -> Result<()> {
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all((serde_json::to_string_pretty(self)? + "\n").as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            anyhow!("cannot write {}: {e:#}", path.display())
        })
    }

    pub fn address(&self, name: &str) -> Result<Address> {
        self.address_bytes(name)
    }

    /// A contract's address of N bytes (32 on pallet-contracts, 20 on pallet-revive).
    pub fn address_bytes<const N: usize>(&self, name: &str) -> Result<[u8; N]> {
        let c = self.contracts.get(name).ok_or_else(|| anyhow!("the record has no {name}"))?;
        unhex(&c.address)
    }
}

/// The addresses of a deployment, derived from its inputs.
#[derive(Clone, Copy, Debug)]
pub struct Addresses {
    pub circuit_breaker: Address,
    pub insurance_fund: Address,
    pub multisig_guard: Address,
}

/// Everything a deployment sends, computed before anything is sent.
pub struct Plan {
    pub deployer: Address,
    pub salt: Vec<u8>,
    pub code_hashes: [(&'static str, Hash); 3],
    pub fund_input: Vec<u8>,
    pub breaker_input: Vec<u8>,
    pub multisig_input: Vec<u8>,
    pub multisig_params: MultisigParams,
    pub addresses: Addresses,
    pub breaker_roles: cb::BreakerRoles,
    pub fund_roles: fund::FundRoles,
}

fn account(a: &Address) -> AccountId {
    AccountId::from(*a)
}

impl Plan {
    pub fn new(params: &ContractParams, codes: &Codes, deployer: Address, salt: &[u8]) -> Result<Self> {
        let d = &params.deployment;
        let hash_of = |code: &[u8]| blake2_256(code);
        let code_hashes = codes.named().map(|(n, c)| (n, hash_of(c)));
        let [(_, breaker_code), (_, fund_code), (_, multisig_code)] = code_hashes;

        // 1. The fund, with the deployer as temporary admin; the breaker is
        //    named at the hand-over (its address needs the fund's).
        let temp_fund_roles = fund::FundRoles {
            admin: account(&deployer),
            breaker: None,
            reinsurer: d.reinsurer.map(|r| account(&r.0)),
            covered: vec![account(&d.protected.0)],
        };
        let fund_input =
            constructor_input!(contracts::InsuranceFundRef::new(params.insurance_fund.clone(), temp_fund_roles));
        let fund_addr = contract_address(&deployer, &fund_code, &fund_input, salt);

        // 2. The breaker, with the deployer as temporary admin.
        let roles = |admin: &Address| cb::BreakerRoles {
            admin: account(admin),
            oracle: account(&d.oracle.0),
            protected: account(&d.protected.0),
            guardians: d.guardians.iter().map(|g| account(&g.0)).collect(),
            insurance_fund: account(&fund_addr),
            min_bond: d.bond.min_bond,
            bond_settle_within_ms: d.bond.settle_within_ms,
        };
        let breaker_input =
            constructor_input!(contracts::CircuitBreakerRef::new(params.circuit_breaker.clone(), roles(&deployer)));
        let breaker_addr = contract_address(&deployer, &breaker_code, &breaker_input, salt);

        // 3. The multisig, its guard naming both.
        let mut multisig_params = params.multisig_guard.clone();
        let guard = multisig_params.guard.as_mut().ok_or_else(|| {
            anyhow!("multisig_guard.guard is absent: the deployment fills its allow_list, so it must be set")
        })?;
        guard.allow_list = allow_list(&breaker_addr, &fund_addr);
        multisig_params.validate().map_err(|e| anyhow!("multisig_guard with the allow-list filled in: {e}"))?;
        let multisig_input = constructor_input!(contracts::MultisigGuardRef::new(multisig_params.clone()));
        let multisig_addr = contract_address(&deployer, &multisig_code, &multisig_input, salt);

        Ok(Self {
            deployer,
            salt: salt.to_vec(),
            code_hashes,
            fund_input,
            breaker_input,
            multisig_input,
            multisig_params,
            addresses: Addresses {
                circuit_breaker: breaker_addr,
                insurance_fund: fund_addr,
                multisig_guard: multisig_addr,
            },
            breaker_roles: roles(&multisig_addr),
            fund_roles: fund::FundRoles {
                admin: account(&multisig_addr),
                breaker: Some(account(&breaker_addr)),
                reinsurer: d.reinsurer.map(|r| account(&r.0)),
                covered: vec![account(&d.protected.0)],
            },
        })
    }
}

/// The line printed for a step: its status, block, the dry run's
/// `weight_label` (pallet-contracts' gas, pallet-revive's weight) in both
/// dimensions, and its storage deposit in `native` base units and whole tokens.
pub fn step_line(
    step: &str,
    status: Status,
    block: Option<u32>,
    estimate: Option<&Estimate>,
    note: Option<&str>,
    weight_label: &str,
    native: &bulwark_sim::units::NativeToken,
) -> String {
    let mark = match status {
        Status::Done => "done   ",
        Status::Skipped => "skipped",
        Status::Planned => "plan   ",
        Status::Failed => "FAILED ",
    };
    let mut line = format!("{mark} {step}");
    if let Some(b) = block {
        line += &format!("  (block {b})");
    }
    if let Some(e) = estimate {
        if e.gas_required.ref_time > 0 {
            line += &format!(
                "  {weight_label} {} ref_time / {} proof_size,",
                e.gas_required.ref_time, e.gas_required.proof_size
            );
        }
        let whole = e.storage_deposit as f64 / 10f64.powi(i32::from(native.decimals));
        line += &format!(" storage deposit {} ({whole:.3} {})", e.storage_deposit, native.symbol);
    }
    if let Some(n) = note {
        line += &format!("  {n}");
    }
    line
}

/// A step's status, block, estimate and note.
pub(crate) type Outcome = (Status, Option<u32>, Option<Estimate>, Option<String>);

/// Runs (or, with `dry_run`, prices) every step, writing `record_path`
/// after each one.
pub struct Deployment<'a> {
    pub chain: &'a Chain,
    pub signer: &'a Keypair,
    pub params: &'a ContractParams,
    pub codes: &'a Codes,
    pub plan: Plan,
    pub record: Record,
    pub record_path: Option<PathBuf>,
    pub dry_run: bool,
}

impl<'a> Deployment<'a> {
    fn save(&self) -> Result<()> {
        match &self.record_path {
            Some(path) => self.record.write(path),
            None => Ok(()),
        }
    }

    fn log(
        &mut self,
        step: String,
        status: Status,
        block: Option<u32>,
        estimate: Option<Estimate>,
        note: Option<String>,
    ) -> Result<()> {
        let line =
            step_line(&step, status, block, estimate.as_ref(), note.as_deref(), "gas", &self.params.units.native);
        println!("{line}");
        self.record.steps.push(StepRecord { step, status, block, estimate, note });
        self.save()
    }

    /// Records step `name`'s outcome; a failure is recorded before it is passed on.
    fn finish(&mut self, name: String, outcome: Result<Outcome>) -> Result<()> {
        match outcome {
            Ok((status, block, estimate, note)) => self.log(name, status, block, estimate, note),
            Err(e) => {
                self.log(name.clone(), Status::Failed, None, None, Some(format!("{e:#}")))?;
                Err(e.context(format!("step `{name}` failed")))
            }
        }
    }

    pub async fn run(&mut self) -> Result<()> {
        self.save()?;
        let codes = self.codes.named();
        for (i, (name, code)) in codes.iter().enumerate() {
            let hash = self.plan.code_hashes[i].1;
            let code = code.to_vec();
            let (chain, signer, plan, dry) = (self.chain, self.signer, &self.plan, self.dry_run);
            let step = format!("upload {name}");
            let outcome: Result<Outcome> = async {
                if chain.code_exists(&hash).await? {
                    return Ok((Status::Skipped, None, None, Some(format!("code {} already stored", hex(&hash)))));
                }
                let (dry_hash, deposit) = chain.dry_upload(&plan.deployer, &code).await?;
                if dry_hash != hash {
                    bail!("the chain hashes the code to {}, not {}", hex(&dry_hash), hex(&hash));
                }
                let estimate = Estimate { storage_deposit: deposit as i128, ..Default::default() };
                if dry {
                    return Ok((Status::Planned, None, Some(estimate), None));
                }
                let inc = chain.upload(signer, &code).await?;
                Ok((Status::Done, Some(inc.block), Some(estimate), Some(format!("code {}", hex(&hash)))))
            }
            .await;
            self.finish(step, outcome)?;
            if let Some(s) = self.record.steps.last().filter(|s| s.status == Status::Done) {
                let block = s.block;
                if let Some(c) = self.record.codes.get_mut(*name) {
                    c.block = block;
                }
            }
        }

        let a = self.plan.addresses;
        let instances = [
            ("insurance_fund", 1usize, a.insurance_fund, self.plan.fund_input.clone()),
            ("circuit_breaker", 0usize, a.circuit_breaker, self.plan.breaker_input.clone()),
        ];
        for (name, code_index, address, input) in instances {
            self.instantiate(name, code_index, address, input).await?;
        }

        for reg in self.params.deployment.assets.clone() {
            let breaker = a.circuit_breaker;
            let registered_at = self.record.assets.get(&reg.id.to_string()).and_then(|r| r.block);
            let (chain, signer, plan, dry) = (self.chain, self.signer, &self.plan, self.dry_run);
            let step = format!("register_asset {} on circuit_breaker", reg.id);
            let outcome: Result<Outcome> = async {
                if !chain.contract_exists(&breaker).await? {
                    if !dry {
                        bail!("no circuit_breaker at {}", hex(&breaker));
                    }
                    return Ok((Status::Planned, None, None, Some("priced once circuit_breaker exists".into())));
                }
                let flow = chain
                    .query_at(
                        &plan.deployer,
                        &breaker,
                        &message(contracts::breaker_at(&breaker).asset_flow(reg.id)),
                        registered_at,
                    )
                    .await?;
                if let Ok(flow) = flow {
                    // The chain keeps its first registration: a corrected
                    // params.json must not pass as deployed.
                    let differs = registration_differences(&flow, &reg);
                    if !differs.is_empty() {
                        bail!(
                            "asset {} is registered on chain otherwise than params.json says ({}){}; a registration is never replaced: deploy under another --salt, or correct it through the multisig",
                            reg.id,
                            differs.join("; "),
                            registered_at.map_or(String::new(), |b| format!(" at its registration block {b}"))
                        );
                    }
                    return Ok((Status::Skipped, None, None, Some("already registered as params.json says".into())));
                }
                let msg = message(contracts::breaker_at(&breaker).register_asset(
                    reg.id,
                    reg.units,
                    reg.initial_tvl,
                    reg.price,
                ));
                if dry {
                    let (est, reverted) = chain.estimate_message(&plan.deployer, &breaker, &msg).await?;
                    return Ok((Status::Planned, None, Some(est), reverted.then(|| "WOULD REVERT".to_string())));
                }
                let (r, inc) =
                    chain.send(signer, &breaker, &msg, 0).await?.included(&format!("register_asset({})", reg.id))?;
                r.map_err(|e| anyhow!("register_asset({}): {e:?}", reg.id))?;
                Ok((Status::Done, Some(inc.block), None, None))
            }
            .await;
            self.finish(step, outcome)?;
            if let Some(block) = self.record.steps.last().filter(|s| s.status == Status::Done).map(|s| s.block) {
                self.record.assets.insert(reg.id.to_string(), AssetRecord { block });
            }
        }

        // The cover the simulation assumed, set while the deployer is still the fund's admin.
        let outcome = self.set_cover().await;
        self.finish(format!("set insurance_fund's active cover to {}", self.params.deployment.active_cover), outcome)?;

        self.instantiate("multisig_guard", 2, a.multisig_guard, self.plan.multisig_input.clone()).await?;

        let a = self.plan.addresses;
        let (mut b, mut f) = (contracts::breaker_at(&a.circuit_breaker), contracts::fund_at(&a.insurance_fund));
        let breaker_roles = self.plan.breaker_roles.clone();
        let outcome = self
            .hand_over(
                &a.circuit_breaker,
                message(b.roles()),
                &breaker_roles,
                message(b.set_roles(breaker_roles.clone())),
            )
            .await;
        self.finish("hand circuit_breaker's admin to multisig_guard".into(), outcome)?;
        let fund_roles = self.plan.fund_roles.clone();
        let outcome = self
            .hand_over(&a.insurance_fund, message(f.roles()), &fund_roles, message(f.set_roles(fund_roles.clone())))
            .await;
        self.finish("hand insurance_fund's admin to multisig_guard".into(), outcome)?;
        Ok(())
    }

    /// Sets the fund's active cover to the params' (raising or lowering it)
    /// unless it already is.
    async fn set_cover(&self) -> Result<Outcome> {
        let (chain, me, fund) = (self.chain, &self.plan.deployer, self.plan.addresses.insurance_fund);
        if !chain.contract_exists(&fund).await? {
            if !self.dry_run {
                bail!("no insurance_fund at {}", hex(&fund));
            }
            return Ok((Status::Planned, None, None, Some("priced once insurance_fund exists".into())));
        }
        let mut f = contracts::fund_at(&fund);
        let want = self.params.deployment.active_cover;
        let now = chain.query(me, &fund, &message(f.active_cover())).await?;
        if now == want {
            return Ok((Status::Skipped, None, None, Some("already set".into())));
        }
        let msg = if want > now { message(f.raise_active_cover(want)) } else { message(f.lower_active_cover(want)) };
        if self.dry_run {
            let (est, reverted) = chain.estimate_message(me, &fund, &msg).await?;
            return Ok((Status::Planned, None, Some(est), reverted.then(|| "WOULD REVERT".to_string())));
        }
        let (r, inc) = chain.send(self.signer, &fund, &msg, 0).await?.included("active cover")?;
        r.map_err(|e| anyhow!("active cover: {e:?}"))?;
        Ok((Status::Done, Some(inc.block), None, Some(format!("was {now}"))))
    }

    /// Sets `contract`'s roles to `want` (the multisig as admin) unless `roles` already reads so.
    async fn hand_over<Roles, E>(
        &self,
        contract: &Address,
        roles: Message<Roles>,
        want: &Roles,
        set_roles: Message<Result<(), E>>,
    ) -> Result<Outcome>
    where
        Roles: scale::Decode + PartialEq,
        E: scale::Decode + std::fmt::Debug,
    {
        let (chain, me) = (self.chain, &self.plan.deployer);
        if !chain.contract_exists(contract).await? {
            if !self.dry_run {
                bail!("no contract at {}", hex(contract));
            }
            return Ok((Status::Planned, None, None, Some("priced once the contract exists".into())));
        }
        if chain.query(me, contract, &roles).await? == *want {
            return Ok((Status::Skipped, None, None, Some("already handed over".into())));
        }
        if self.dry_run {
            let (est, _) = chain.estimate_message(me, contract, &set_roles).await?;
            return Ok((Status::Planned, None, Some(est), None));
        }
        let (r, inc) = chain.send(self.signer, contract, &set_roles, 0).await?.included("set_roles")?;
        r.map_err(|e| anyhow!("set_roles: {e:?}"))?;
        Ok((Status::Done, Some(inc.block), None, None))
    }

    async fn instantiate(
        &mut self,
        name: &'static str,
        code_index: usize,
        address: Address,
        input: Vec<u8>,
    ) -> Result<()> {
        let code_hash = self.plan.code_hashes[code_index].1;
        let code = self.codes.named()[code_index].1.to_vec();
        let salt = self.plan.salt.clone();
        let (chain, signer, plan, dry) = (self.chain, self.signer, &self.plan, self.dry_run);
        let step = format!("instantiate {name}");
        let outcome: Result<Outcome> = async {
            if chain.contract_exists(&address).await? {
                return Ok((Status::Skipped, None, None, Some(format!("already at {}", hex(&address)))));
            }
            let stored = chain.code_exists(&code_hash).await?;
            let run = if stored {
                chain.dry_instantiate(&plan.deployer, &code_hash, &input, &salt).await?
            } else {
                chain.dry_instantiate_with_code(&plan.deployer, &code, &input, &salt).await?
            };
            if run.reverted {
                bail!("the constructor would revert: {}", crate::chain::describe_revert(&run.data));
            }
            if run.address != Some(address) {
                bail!(
                    "the chain would place it at {:?}, not at the derived {}",
                    run.address.map(|a| hex(&a)),
                    hex(&address)
                );
            }
            if dry {
                return Ok((Status::Planned, None, Some(run.estimate), Some(format!("at {}", hex(&address)))));
            }
            let Included { block, .. } =
                chain.instantiate(signer, &code_hash, &input, &salt, run.estimate.gas_required).await?;
            if !chain.contract_exists(&address).await? {
                bail!("instantiated in block {block}, but no contract is at {}", hex(&address));
            }
            Ok((Status::Done, Some(block), Some(run.estimate), Some(format!("at {}", hex(&address)))))
        }
        .await;
        self.finish(step, outcome)?;
        let done = self.record.steps.last().filter(|s| s.status == Status::Done).map(|s| s.block);
        if let (Some(block), Some(c)) = (done, self.record.contracts.get_mut(name)) {
            c.block = block;
        }
        Ok(())
    }
}

/// Reads the wiring back and compares it with what the params and the plan say.
pub async fn verify(chain: &Chain, params: &ContractParams, plan: &Plan, record: &Record) -> Result<Vec<Check>> {
    let a = plan.addresses;
    let me = plan.deployer;
    let mut checks = Vec::new();
    let mut check = |name: &str, ok: bool, detail: String| checks.push(Check { check: name.into(), ok, detail });

    for (i, (name, address)) in [
        ("circuit_breaker", a.circuit_breaker),
        ("insurance_fund", a.insurance_fund),
        ("multisig_guard", a.multisig_guard),
    ]
    .into_iter()
    .enumerate()
    {
        let expected = plan.code_hashes[i].1;
        let on_chain = chain.code_hash_of(&address).await?;
        check(
            &format!("{name}: code"),
            on_chain == Some(expected),
            format!("at {} runs code {}", hex(&address), on_chain.map_or("none".into(), |h| hex(&h))),
        );
    }

    let got =
        chain.query(&me, &a.circuit_breaker, &message(contracts::breaker_at(&a.circuit_breaker).params())).await?;
    let ok = got == params.circuit_breaker;
    check("circuit_breaker.params() equal params.json", ok, if ok { "equal".into() } else { format!("{got:?}") });
    let got = chain.query(&me, &a.circuit_breaker, &message(contracts::breaker_at(&a.circuit_breaker).roles())).await?;
    check(
        "circuit_breaker.roles(): admin is the multisig, fund, oracle, guardians, protected and bond as planned",
        got == plan.breaker_roles,
        format!("admin {}", hex(&contracts::raw(&got.admin))),
    );
    for reg in &params.deployment.assets {
        // At its registration block when the record has it: the TVL and the
        // price move with the protocol afterwards.
        let at = record.assets.get(&reg.id.to_string()).and_then(|r| r.block);
        let got = chain
            .query_at(
                &me,
                &a.circuit_breaker,
                &message(contracts::breaker_at(&a.circuit_breaker).asset_flow(reg.id)),
                at,
            )
            .await?;
        let (ok, detail) = match &got {
            Ok(flow) => {
                let d = registration_differences(flow, reg);
                (d.is_empty(), if d.is_empty() { "equal".to_string() } else { d.join("; ") })
            }
            Err(e) => (false, format!("{e:?}")),
        };
        check(
            &format!(
                "circuit_breaker: asset {} registered with params.json's units, TVL and price (read {})",
                reg.id,
                at.map_or("at the latest block: the record has no registration block".into(), |b| format!(
                    "at its registration block {b}"
                ))
            ),
            ok,
            detail,
        );
    }

    let got = chain.query(&me, &a.insurance_fund, &message(contracts::fund_at(&a.insurance_fund).params())).await?;
    let ok = got == params.insurance_fund;
    check(
        "insurance_fund.params() equal params.json (native base units)",
        ok,
        if ok { format!("equal; claim cap {} base units", got.claim_cap_per_event) } else { format!("{got:?}") },
    );
    let got =
        chain.query(&me, &a.insurance_fund, &message(contracts::fund_at(&a.insurance_fund).active_cover())).await?;
    check(
        "insurance_fund.active_cover() equal params.json's deployment.active_cover",
        got == params.deployment.active_cover,
        format!("{got} on chain, {} in params.json", params.deployment.active_cover),
    );
    let got = chain.query(&me, &a.insurance_fund, &message(contracts::fund_at(&a.insurance_fund).roles())).await?;
    check(
        "insurance_fund.roles(): admin is the multisig, breaker is the breaker",
        got == plan.fund_roles,
        format!(
            "admin {}, breaker {:?}",
            hex(&contracts::raw(&got.admin)),
            got.breaker.map(|b| hex(&contracts::raw(&b)))
        ),
    );

    let got = chain.query(&me, &a.multisig_guard, &message(contracts::multisig_at(&a.multisig_guard).params())).await?;
    let ok = matches!(&got, Ok(p) if *p == plan.multisig_params);
    let entries = got.as_ref().ok().and_then(|p| p.guard.as_ref()).map_or(0, |g| g.allow_list.len());
    check(
        "multisig_guard.params() equal params.json with the allow-list of both contracts' admin messages",
        ok,
        format!("{entries} allow-listed (target, selector) entries"),
    );
    Ok(checks)
}

/// How an asset's state on chain differs from its registration in the
/// params: units, TVL, and the price (reference and last report).
pub fn registration_differences(flow: &bulwark_core::breaker::AssetFlow, reg: &AssetRegistration) -> Vec<String> {
    let mut d = Vec::new();
    if flow.units != reg.units {
        d.push(format!("units {:?} on chain, {:?} in params.json", flow.units, reg.units));
    }
    if flow.tvl != reg.initial_tvl {
        d.push(format!("TVL {} on chain, {} in params.json", flow.tvl, reg.initial_tvl));
    }
    if flow.price.reference != reg.price || flow.price.last != reg.price {
        d.push(format!(
            "price {} (reference {}) on chain, {} in params.json",
            flow.price.last, flow.price.reference, reg.price
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(code_byte: u8) -> (Plan, ContractParams) {
        use bulwark_sim::config::Config;
        use bulwark_sim::params::{build, Knobs};
        let c = Config::default();
        let params = build(&c, &Knobs::middle(&c.calibration)).unwrap();
        let codes = Codes {
            circuit_breaker: vec![code_byte, 1],
            insurance_fund: vec![code_byte, 2],
            multisig_guard: vec![code_byte, 3],
        };
        (Plan::new(&params, &codes, [7; 32], b"bulwark").unwrap(), params)
    }

    fn record(code_byte: u8) -> Record {
        let (p, params) = plan(code_byte);
        let chain = ChainInfo { url: "ws://127.0.0.1:9944".into(), genesis_hash: hex(&[0x45; 32]) };
        Record::planned(chain, &p, &params, "ab".repeat(32))
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bulwark-record-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("deployment.json")
    }

    /// Issue 21 item 2: a rebuilt contract is another deployment, and its
    /// record names the addresses the plan derives.
    #[test]
    fn a_rebuilt_contract_is_another_deployment() {
        let (first, rebuilt) = (record(0), record(9));
        assert!(first.same_deployment(&record(0)));
        let d = first.differences(&rebuilt);
        assert!(d.iter().any(|d| d.starts_with("circuit_breaker code")), "{d:?}");
        assert!(d.iter().any(|d| d.starts_with("circuit_breaker address")), "{d:?}");
        let (p, _) = plan(9);
        assert_eq!(rebuilt.address("circuit_breaker").unwrap(), p.addresses.circuit_breaker);
        assert_eq!(rebuilt.codes["multisig_guard"].hash, hex(&p.code_hashes[2].1));
        // A rerun over the first record after the rebuild is refused.
        let path = temp("rebuilt");
        first.write(&path).unwrap();
        let e = rebuilt.existing_at(&path).unwrap_err();
        assert!(e.is::<Refusal>() && format!("{e}").contains("records another deployment"), "{e}");
        assert_eq!(Record::read(&path).unwrap(), first, "the refused file is unchanged");
    }

    /// Issue 21 item 4: a registration differing in units, TVL or price
    /// is named; only the params' own registration passes.
    #[test]
    fn an_asset_registered_otherwise_than_the_params_is_named() {
        let (_, params) = plan(0);
        let breaker = bulwark_core::breaker::CircuitBreaker::new(params.circuit_breaker.clone()).unwrap();
        let reg = params.deployment.assets[0].clone();
        let registered = |tvl: u128, price: u128| {
            let mut flow = breaker.new_asset(reg.units, tvl).unwrap();
            breaker.clone().anchor_price(&mut flow, price, 0).unwrap();
            flow
        };
        assert_eq!(registration_differences(&registered(reg.initial_tvl, reg.price), &reg), Vec::<String>::new());
        let d = registration_differences(&registered(reg.initial_tvl * 10, reg.price), &reg);
        assert_eq!(d.len(), 1);
        assert!(d[0].starts_with("TVL "), "{d:?}");
        let d = registration_differences(&registered(reg.initial_tvl, reg.price + 1), &reg);
        assert!(d.len() == 1 && d[0].starts_with("price "), "{d:?}");
        let mut other_units = registered(reg.initial_tvl, reg.price);
        other_units.units.price_decimals += 1;
        assert!(registration_differences(&other_units, &reg)[0].starts_with("units "));
    }

    /// Issue 21 item 3: a file that is not this deployment's record is
    /// refused and left as it was; the record is written atomically.
    #[test]
    fn a_file_that_is_not_this_record_is_refused_and_kept() {
        let path = temp("params");
        let params_json = "{\"circuit_breaker\": {}}\n";
        std::fs::write(&path, params_json).unwrap();
        let e = record(0).existing_at(&path).unwrap_err();
        assert!(e.is::<Refusal>() && format!("{e}").contains("is not a deployment record"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), params_json);

        let mut mine = record(0);
        mine.codes.get_mut("circuit_breaker").unwrap().block = Some(3);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(record(0).existing_at(&path).unwrap(), None, "no file: a new record");
        mine.write(&path).unwrap();
        let mut again = record(0);
        again.continue_from(&again.existing_at(&path).unwrap().unwrap());
        assert_eq!(again.codes["circuit_breaker"].block, Some(3), "a rerun keeps the blocks");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .filter(|n| n != "deployment.json")
            .collect();
        assert!(leftovers.is_empty(), "the temporary file is renamed over the record: {leftovers:?}");
    }
}

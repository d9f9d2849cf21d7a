//! The deployment: the README's wiring as a list of idempotent steps, a
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
use anyhow::{anyhow, bail, Result};
use bulwark_core::multisig::MultisigParams;
use bulwark_sim::params::ContractParams;
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub chain: ChainInfo,
    pub deployer: String,
    /// SHA-256 of the params file deployed.
    pub params_sha256: String,
    pub salt: String,
    pub codes: BTreeMap<String, CodeRecord>,
    pub contracts: BTreeMap<String, ContractRecord>,
    pub steps: Vec<StepRecord>,
    pub verification: Vec<Check>,
}

impl Record {
    /// Whether `self` records the same deployment as `other`: same chain,
    /// deployer, params and salt (so the same addresses).
    pub fn same_deployment(&self, other: &Record) -> bool {
        self.chain.genesis_hash == other.chain.genesis_hash
            && self.deployer == other.deployer
            && self.params_sha256 == other.params_sha256
            && self.salt == other.salt
    }

    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| anyhow!("{} is not a deployment record: {e}", path.display()))
    }

    pub fn address(&self, name: &str) -> Result<Address> {
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

/// A step's status, block, estimate and note.
type Outcome = (Status, Option<u32>, Option<Estimate>, Option<String>);

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
        if let Some(path) = &self.record_path {
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, serde_json::to_string_pretty(&self.record)? + "\n")?;
            std::fs::rename(&tmp, path)?;
        }
        Ok(())
    }

    fn log(
        &mut self,
        step: String,
        status: Status,
        block: Option<u32>,
        estimate: Option<Estimate>,
        note: Option<String>,
    ) -> Result<()> {
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
        if let Some(e) = &estimate {
            if e.gas_required.ref_time > 0 {
                line +=
                    &format!("  gas {} ref_time / {} proof_size,", e.gas_required.ref_time, e.gas_required.proof_size);
            }
            let native = &self.params.units.native;
            let whole = e.storage_deposit as f64 / 10f64.powi(i32::from(native.decimals));
            line += &format!(" storage deposit {} ({whole:.3} {})", e.storage_deposit, native.symbol);
        }
        if let Some(n) = &note {
            line += &format!("  {n}");
        }
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
            self.record.codes.entry(name.to_string()).or_insert(CodeRecord { hash: hex(&hash), block: None });
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
                    .query(&plan.deployer, &breaker, &message(contracts::breaker_at(&breaker).asset_flow(reg.id)))
                    .await?;
                if flow.is_ok() {
                    return Ok((Status::Skipped, None, None, Some("already registered".into())));
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
                let (_, inc) =
                    chain.send(signer, &breaker, &msg, 0).await?.included(&format!("register_asset({})", reg.id))?;
                Ok((Status::Done, Some(inc.block), None, None))
            }
            .await;
            self.finish(step, outcome)?;
        }

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
        self.record.contracts.entry(name.into()).or_insert(ContractRecord { address: hex(&address), block: None });
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
pub async fn verify(chain: &Chain, params: &ContractParams, plan: &Plan) -> Result<Vec<Check>> {
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
        let got = chain
            .query(&me, &a.circuit_breaker, &message(contracts::breaker_at(&a.circuit_breaker).asset_flow(reg.id)))
            .await?;
        let ok = matches!(&got, Ok(flow) if flow.units == reg.units);
        check(
            &format!("circuit_breaker: asset {} registered in its units", reg.id),
            ok,
            format!("{:?}", got.map(|f| f.units)),
        );
    }

    let got = chain.query(&me, &a.insurance_fund, &message(contracts::fund_at(&a.insurance_fund).params())).await?;
    let ok = got == params.insurance_fund;
    check(
        "insurance_fund.params() equal params.json (native base units)",
        ok,
        if ok { format!("equal; claim cap {} base units", got.claim_cap_per_event) } else { format!("{got:?}") },
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

//! The deployment on pallet-revive (docs/deploy.md): the steps, the record
//! ([`crate::record`]) and the checks, through the [`ReviveClient`]
//! interface and the ink! 6 shells' ABI ([`super::abi`]).
//!
//! What is the chain's own, each in one place:
//! - addresses are H160: the contracts' at pallet-revive's CREATE2 address
//!   for (deployer, code, constructor input, 32-byte salt) ([`super::create2`]),
//!   the accounts of params.json as the runtime maps them
//!   ([`role_address`]), handed to core right-aligned ([`super::core_account`]);
//! - code hashes are keccak256 ([`super::code_hash`]);
//! - amounts: params.json's are native base units, which is what the
//!   contracts' messages and `revive.call`'s `value` take; the shells
//!   convert the Ethereum view they receive themselves. Nothing here converts.

use super::abi::{breaker, fund, multisig};
use super::client::{AccountId32, Code, Hash, Included, Limits, Messages, ReviveClient, H160};
use super::{code_hash, core_account, create2, h160_of, salt32, show};
use crate::chain::{Estimate, Message};
use crate::contracts::{allow_list, Codes};
use crate::record::{
    hex, registration_differences, step_line, AssetRecord, ChainInfo, Check, Outcome, Record, Status, StepRecord,
};
use anyhow::{anyhow, bail, Result};
use bulwark_core::multisig::MultisigParams;
use bulwark_sim::params::ContractParams;
use std::path::{Path, PathBuf};

/// The record's `backend` for a pallet-revive chain.
pub const BACKEND: &str = "pallet-revive";

/// The H160 that acts for a 32-byte account of params.json on
/// pallet-revive. An account whose first 12 bytes are zero is an H160
/// written right-aligned (as core holds addresses on this chain: an
/// Ethereum wallet or a contract), and is that H160; any other is a
/// Substrate key, which the runtime maps ([`h160_of`]).
pub fn role_address(account: &[u8; 32]) -> H160 {
    if account[..12] == [0; 12] {
        let mut out = [0u8; 20];
        out.copy_from_slice(&account[12..]);
        out
    } else {
        h160_of(account)
    }
}

/// A 32-byte account of the params as bulwark-core holds it on this chain.
fn role_account(account: &[u8; 32]) -> [u8; 32] {
    core_account(&role_address(account))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addresses {
    pub circuit_breaker: H160,
    pub insurance_fund: H160,
    pub multisig_guard: H160,
}

/// Everything a deployment sends, computed before anything is sent.
pub struct Plan {
    pub deployer: AccountId32,
    pub deployer_address: H160,
    pub salt: Hash,
    pub code_hashes: [(&'static str, Hash); 3],
    pub fund_input: Vec<u8>,
    pub breaker_input: Vec<u8>,
    pub multisig_input: Vec<u8>,
    /// params.json's, with the owners and vetoers as core holds them on
    /// this chain and the guard's allow-list filled in.
    pub multisig_params: MultisigParams,
    pub addresses: Addresses,
    pub breaker_roles: breaker::BreakerRoles,
    pub fund_roles: fund::FundRoles,
}

impl Plan {
    pub fn new(params: &ContractParams, codes: &Codes, deployer: AccountId32, salt: &[u8]) -> Result<Self> {
        let d = &params.deployment;
        let me = h160_of(&deployer);
        let salt = salt32(salt);
        let code_hashes = codes.named().map(|(n, c)| (n, code_hash(c)));

        // 1. The fund, with the deployer as temporary admin; the breaker is
        //    named at the hand-over (its address needs the fund's).
        let fund_roles = |admin: H160, breaker: Option<H160>| fund::FundRoles {
            admin,
            breaker,
            reinsurer: d.reinsurer.map(|r| role_address(&r.0)),
            covered: vec![role_address(&d.protected.0)],
        };
        let fund_input = fund::new(params.insurance_fund.clone(), fund_roles(me, None));
        let fund_addr = create2(&me, &codes.insurance_fund, &fund_input, &salt);

        // 2. The breaker, with the deployer as temporary admin.
        let breaker_roles = |admin: H160| breaker::BreakerRoles {
            admin,
            oracle: role_address(&d.oracle.0),
            protected: role_address(&d.protected.0),
            guardians: d.guardians.iter().map(|g| role_address(&g.0)).collect(),
            insurance_fund: fund_addr,
            min_bond: d.bond.min_bond,
            bond_settle_within_ms: d.bond.settle_within_ms,
        };
        let breaker_input = breaker::new(params.circuit_breaker.clone(), breaker_roles(me));
        let breaker_addr = create2(&me, &codes.circuit_breaker, &breaker_input, &salt);

        // 3. The multisig: its owners and vetoers as core holds them here,
        //    its guard naming both contracts (core's table of admin messages).
        let mut multisig_params = params.multisig_guard.clone();
        multisig_params.owners = multisig_params.owners.iter().map(role_account).collect();
        multisig_params.veto.vetoers = multisig_params.veto.vetoers.iter().map(role_account).collect();
        let guard = multisig_params.guard.as_mut().ok_or_else(|| {
            anyhow!("multisig_guard.guard is absent: the deployment fills its allow_list, so it must be set")
        })?;
        guard.allow_list = allow_list(&core_account(&breaker_addr), &core_account(&fund_addr));
        multisig_params.validate().map_err(|e| anyhow!("multisig_guard with the allow-list filled in: {e}"))?;
        let multisig_input = multisig::new(multisig_params.clone());
        let multisig_addr = create2(&me, &codes.multisig_guard, &multisig_input, &salt);

        Ok(Self {
            deployer,
            deployer_address: me,
            salt,
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
            breaker_roles: breaker_roles(multisig_addr),
            fund_roles: fund_roles(multisig_addr, Some(breaker_addr)),
        })
    }

    /// The record of this plan before any step.
    pub fn record(&self, chain: ChainInfo, params: &ContractParams, params_sha256: String) -> Record {
        let a = self.addresses;
        Record::before_any_step(
            chain,
            BACKEND,
            show(&self.deployer_address),
            params_sha256,
            hex(&self.salt),
            &self.code_hashes.map(|(n, h)| (n, hex(&h))),
            &[
                ("circuit_breaker", show(&a.circuit_breaker)),
                ("insurance_fund", show(&a.insurance_fund)),
                ("multisig_guard", show(&a.multisig_guard)),
            ],
            params,
        )
    }
}

/// Runs (or, with `dry_run`, prices) every step on a pallet-revive chain,
/// writing `record_path` after each one.
pub struct Deployment<'a, C: ReviveClient> {
    pub chain: &'a C,
    pub signer: &'a C::Signer,
    pub params: &'a ContractParams,
    pub codes: &'a Codes,
    pub plan: Plan,
    pub record: Record,
    pub record_path: Option<PathBuf>,
    pub dry_run: bool,
}

impl<C: ReviveClient> Deployment<'_, C> {
    fn save(&self) -> Result<()> {
        match &self.record_path {
            Some(path) => self.record.write(path),
            None => Ok(()),
        }
    }

    fn log(&mut self, step: String, outcome: Outcome) -> Result<()> {
        let (status, block, estimate, note) = outcome;
        let line =
            step_line(&step, status, block, estimate.as_ref(), note.as_deref(), "weight", &self.params.units.native);
        println!("{line}");
        self.record.steps.push(StepRecord { step, status, block, estimate, note });
        self.save()
    }

    /// Records step `name`'s outcome; a failure is recorded before it is passed on.
    fn finish(&mut self, name: String, outcome: Result<Outcome>) -> Result<()> {
        match outcome {
            Ok(o) => self.log(name, o),
            Err(e) => {
                self.log(name.clone(), (Status::Failed, None, None, Some(format!("{e:#}"))))?;
                Err(e.context(format!("step `{name}` failed")))
            }
        }
    }

    fn done_block(&self) -> Option<Option<u32>> {
        self.record.steps.last().filter(|s| s.status == Status::Done).map(|s| s.block)
    }

    pub async fn run(&mut self) -> Result<()> {
        self.save()?;
        for (i, (name, code)) in self.codes.named().into_iter().enumerate() {
            let outcome = self.upload(i, code).await;
            self.finish(format!("upload {name}"), outcome)?;
            if let (Some(block), Some(c)) = (self.done_block(), self.record.codes.get_mut(name)) {
                c.block = block;
            }
        }

        let a = self.plan.addresses;
        self.instantiate("insurance_fund", 1, a.insurance_fund, self.plan.fund_input.clone()).await?;
        self.instantiate("circuit_breaker", 0, a.circuit_breaker, self.plan.breaker_input.clone()).await?;

        for reg in self.params.deployment.assets.clone() {
            let outcome = self.register(&reg).await;
            self.finish(format!("register_asset {} on circuit_breaker", reg.id), outcome)?;
            if let Some(block) = self.done_block() {
                self.record.assets.insert(reg.id.to_string(), AssetRecord { block });
            }
        }

        // The cover the simulation assumed, set while the deployer is still the fund's admin.
        let outcome = self.set_cover().await;
        self.finish(format!("set insurance_fund's active cover to {}", self.params.deployment.active_cover), outcome)?;

        self.instantiate("multisig_guard", 2, a.multisig_guard, self.plan.multisig_input.clone()).await?;

        let want = self.plan.breaker_roles.clone();
        let outcome =
            self.hand_over(&a.circuit_breaker, breaker::roles(), &want, breaker::set_roles(want.clone())).await;
        self.finish("hand circuit_breaker's admin to multisig_guard".into(), outcome)?;
        let want = self.plan.fund_roles.clone();
        let outcome = self.hand_over(&a.insurance_fund, fund::roles(), &want, fund::set_roles(want.clone())).await;
        self.finish("hand insurance_fund's admin to multisig_guard".into(), outcome)?;
        Ok(())
    }

    async fn upload(&self, i: usize, code: &[u8]) -> Result<Outcome> {
        let (chain, hash) = (self.chain, self.plan.code_hashes[i].1);
        if chain.code_exists(&hash).await? {
            return Ok((Status::Skipped, None, None, Some(format!("code {} already stored", hex(&hash)))));
        }
        let (dry_hash, deposit) = chain.dry_upload(&self.plan.deployer, code).await?;
        if dry_hash != hash {
            bail!("the chain hashes the code to {}, not {}", hex(&dry_hash), hex(&hash));
        }
        let estimate = Estimate { storage_deposit: deposit as i128, ..Default::default() };
        if self.dry_run {
            return Ok((Status::Planned, None, Some(estimate), None));
        }
        let inc = chain.upload(self.signer, code, deposit + deposit / 10).await?;
        Ok((Status::Done, Some(inc.block), Some(estimate), Some(format!("code {}", hex(&hash)))))
    }

    async fn instantiate(&mut self, name: &str, code_index: usize, address: H160, input: Vec<u8>) -> Result<()> {
        let outcome = self.instantiate_step(code_index, address, &input).await;
        self.finish(format!("instantiate {name}"), outcome)?;
        if let (Some(block), Some(c)) = (self.done_block(), self.record.contracts.get_mut(name)) {
            c.block = block;
        }
        Ok(())
    }

    async fn instantiate_step(&self, code_index: usize, address: H160, input: &[u8]) -> Result<Outcome> {
        let (chain, plan) = (self.chain, &self.plan);
        let code_hash = plan.code_hashes[code_index].1;
        if chain.contract_exists(&address).await? {
            return Ok((Status::Skipped, None, None, Some(format!("already at {}", show(&address)))));
        }
        let code = if chain.code_exists(&code_hash).await? {
            Code::Existing(&code_hash)
        } else {
            Code::Upload(self.codes.named()[code_index].1)
        };
        let run = chain.dry_instantiate(&plan.deployer, 0, code, input, Some(&plan.salt)).await?;
        if run.reverted {
            bail!("the constructor would revert: {}", crate::chain::describe_revert(&run.data));
        }
        if run.address != Some(address) {
            bail!(
                "the chain would place it at {:?}, not at the derived {}",
                run.address.map(|a| show(&a)),
                show(&address)
            );
        }
        let at = Some(format!("at {}", show(&address)));
        if self.dry_run {
            return Ok((Status::Planned, None, Some(run.estimate), at));
        }
        let Included { block, instantiated, .. } =
            chain.instantiate(self.signer, 0, Limits::from_dry_run(&run), &code_hash, input, Some(&plan.salt)).await?;
        if !instantiated.contains(&address) || !chain.contract_exists(&address).await? {
            bail!("instantiated in block {block}, but no contract is at {}", show(&address));
        }
        Ok((Status::Done, Some(block), Some(run.estimate), at))
    }

    async fn register(&self, reg: &bulwark_sim::params::AssetRegistration) -> Result<Outcome> {
        let (chain, me, b) = (self.chain, &self.plan.deployer, self.plan.addresses.circuit_breaker);
        let registered_at = self.record.assets.get(&reg.id.to_string()).and_then(|r| r.block);
        if !chain.contract_exists(&b).await? {
            if !self.dry_run {
                bail!("no circuit_breaker at {}", show(&b));
            }
            return Ok((Status::Planned, None, None, Some("priced once circuit_breaker exists".into())));
        }
        if let Ok(flow) = chain.query_at(me, &b, &breaker::asset_flow(reg.id), registered_at).await? {
            // The chain keeps its first registration: a corrected params.json must not pass as deployed.
            let differs = registration_differences(&flow, reg);
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
        let msg = breaker::register_asset(reg.id, reg.units, reg.initial_tvl, reg.price);
        self.send_step(&b, &msg, &format!("register_asset({})", reg.id), None).await
    }

    /// Sends `msg` (whose return value is a `Result`) unless dry-running, in
    /// which case it is priced.
    async fn send_step<T: scale::Decode + std::fmt::Debug, E: scale::Decode + std::fmt::Debug>(
        &self,
        dest: &H160,
        msg: &Message<Result<T, E>>,
        what: &str,
        note: Option<String>,
    ) -> Result<Outcome> {
        let chain = self.chain;
        if self.dry_run {
            let (run, reverted) = chain.estimate_message(&self.plan.deployer, dest, msg, 0).await?;
            let note = if reverted { Some("WOULD REVERT".to_string()) } else { note };
            return Ok((Status::Planned, None, Some(run.estimate), note));
        }
        let (r, inc) = chain.send(self.signer, dest, msg, 0).await?.included(what)?;
        r.map_err(|e| anyhow!("{what}: {e:?}"))?;
        Ok((Status::Done, Some(inc.block), inc.dry_run, note))
    }

    /// Sets the fund's active cover to the params' (raising or lowering it) unless it already is.
    async fn set_cover(&self) -> Result<Outcome> {
        let (chain, me, f) = (self.chain, &self.plan.deployer, self.plan.addresses.insurance_fund);
        if !chain.contract_exists(&f).await? {
            if !self.dry_run {
                bail!("no insurance_fund at {}", show(&f));
            }
            return Ok((Status::Planned, None, None, Some("priced once insurance_fund exists".into())));
        }
        let want = self.params.deployment.active_cover;
        let now = chain.query(me, &f, &fund::active_cover()).await?;
        if now == want {
            return Ok((Status::Skipped, None, None, Some("already set".into())));
        }
        let msg = if want > now { fund::raise_active_cover(want) } else { fund::lower_active_cover(want) };
        self.send_step(&f, &msg, "active cover", Some(format!("was {now}"))).await
    }

    /// Sets `contract`'s roles to `want` (the multisig as admin) unless `roles` already reads so.
    async fn hand_over<Roles, E>(
        &self,
        contract: &H160,
        roles: Message<Roles>,
        want: &Roles,
        set_roles: Message<Result<(), E>>,
    ) -> Result<Outcome>
    where
        Roles: scale::Decode + PartialEq,
        E: scale::Decode + std::fmt::Debug,
    {
        let chain = self.chain;
        if !chain.contract_exists(contract).await? {
            if !self.dry_run {
                bail!("no contract at {}", show(contract));
            }
            return Ok((Status::Planned, None, None, Some("priced once the contract exists".into())));
        }
        if chain.query(&self.plan.deployer, contract, &roles).await? == *want {
            return Ok((Status::Skipped, None, None, Some("already handed over".into())));
        }
        self.send_step(contract, &set_roles, "set_roles", None).await
    }
}

/// The distinct Substrate keys among params.json's role accounts (and the
/// deployer), by the role they hold: those whose H160 the runtime derives.
fn mapped_accounts(params: &ContractParams, deployer: &AccountId32) -> Vec<(String, [u8; 32])> {
    let d = &params.deployment;
    let m = &params.multisig_guard;
    let mut all: Vec<(String, [u8; 32])> = vec![("the deployer".into(), *deployer)];
    all.extend(m.owners.iter().enumerate().map(|(i, a)| (format!("multisig_guard.owners[{i}]"), *a)));
    all.extend(m.veto.vetoers.iter().enumerate().map(|(i, a)| (format!("multisig_guard.veto.vetoers[{i}]"), *a)));
    all.push(("deployment.oracle".into(), d.oracle.0));
    all.extend(d.guardians.iter().enumerate().map(|(i, a)| (format!("deployment.guardians[{i}]"), a.0)));
    all.push(("deployment.protected".into(), d.protected.0));
    all.extend(d.reinsurer.iter().map(|a| ("deployment.reinsurer".to_string(), a.0)));
    all.retain(|(_, a)| a[..12] != [0; 12]);
    all
}

/// Reads the wiring back and compares it with what the params and the plan say.
pub async fn verify<C: ReviveClient>(
    chain: &C,
    params: &ContractParams,
    plan: &Plan,
    record: &Record,
) -> Result<Vec<Check>> {
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
            format!("at {} runs code {}", show(&address), on_chain.map_or("none".into(), |h| hex(&h))),
        );
    }

    // Every Substrate key in a role acts as the H160 the plan gave it.
    let mut differ = Vec::new();
    let accounts = mapped_accounts(params, &me);
    for (role, account) in &accounts {
        let on_chain = chain.address_of(account).await?;
        if on_chain != role_address(account) {
            differ.push(format!("{role}: chain {}, plan {}", show(&on_chain), show(&role_address(account))));
        }
    }
    check(
        "each role account's H160 is the runtime's own mapping (ReviveApi_address)",
        differ.is_empty(),
        if differ.is_empty() { format!("{} accounts", accounts.len()) } else { differ.join("; ") },
    );

    let b = a.circuit_breaker;
    let got = chain.query(&me, &b, &breaker::params()).await?;
    let ok = got == params.circuit_breaker;
    check("circuit_breaker.params() equal params.json", ok, if ok { "equal".into() } else { format!("{got:?}") });
    let got = chain.query(&me, &b, &breaker::roles()).await?;
    check(
        "circuit_breaker.roles(): admin is the multisig, fund, oracle, guardians, protected and bond as planned",
        got == plan.breaker_roles,
        format!("admin {}", show(&got.admin)),
    );
    for reg in &params.deployment.assets {
        // At its registration block when the record has it: the TVL and the
        // price move with the protocol afterwards.
        let at = record.assets.get(&reg.id.to_string()).and_then(|r| r.block);
        let got = chain.query_at(&me, &b, &breaker::asset_flow(reg.id), at).await?;
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

    let f = a.insurance_fund;
    let got = chain.query(&me, &f, &fund::params()).await?;
    let ok = got == params.insurance_fund;
    check(
        "insurance_fund.params() equal params.json (native base units)",
        ok,
        if ok { format!("equal; claim cap {} base units", got.claim_cap_per_event) } else { format!("{got:?}") },
    );
    let got = chain.query(&me, &f, &fund::active_cover()).await?;
    check(
        "insurance_fund.active_cover() equal params.json's deployment.active_cover",
        got == params.deployment.active_cover,
        format!("{got} on chain, {} in params.json", params.deployment.active_cover),
    );
    let got = chain.query(&me, &f, &fund::roles()).await?;
    check(
        "insurance_fund.roles(): admin is the multisig, breaker is the breaker",
        got == plan.fund_roles,
        format!("admin {}, breaker {:?}", show(&got.admin), got.breaker.map(|b| show(&b))),
    );

    let got = chain.query(&me, &a.multisig_guard, &multisig::params()).await?;
    let ok = matches!(&got, Ok(p) if *p == plan.multisig_params);
    let entries = got.as_ref().ok().and_then(|p| p.guard.as_ref()).map_or(0, |g| g.allow_list.len());
    check(
        "multisig_guard.params() equal params.json (owners and vetoers as their H160s) with the allow-list of both contracts' admin messages",
        ok,
        format!("{entries} allow-listed (target, selector) entries"),
    );
    Ok(checks)
}

/// A record for `plan` that continues the one at `path` if that is this
/// deployment's; a [`crate::safety::Refusal`] for any other file there.
pub fn record_at(
    plan: &Plan,
    chain: ChainInfo,
    params: &ContractParams,
    params_sha256: String,
    path: Option<&Path>,
) -> Result<(Record, Option<Record>)> {
    let mut fresh = plan.record(chain, params, params_sha256);
    let old = match path {
        Some(p) => fresh.existing_at(p)?,
        None => None,
    };
    if let Some(old) = &old {
        fresh.continue_from(old);
    }
    Ok((fresh, old))
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
        let alice = subxt_signer::sr25519::dev::alice().public_key().0;
        (Plan::new(&params, &codes, alice, b"bulwark").unwrap(), params)
    }

    /// The plan's accounts are the runtime's H160s, right-aligned for core,
    /// and its allow-list names the two contracts' addresses.
    #[test]
    fn the_plan_speaks_h160() {
        let (p, params) = plan(0);
        let dave = params.deployment.protected.0;
        assert_eq!(p.breaker_roles.protected, h160_of(&dave));
        assert_eq!(p.breaker_roles.admin, p.addresses.multisig_guard, "handed to the multisig");
        assert_eq!(p.fund_roles.breaker, Some(p.addresses.circuit_breaker));
        assert_eq!(p.fund_roles.covered, vec![h160_of(&dave)]);
        let owner = params.multisig_guard.owners[0];
        assert_eq!(p.multisig_params.owners[0], core_account(&h160_of(&owner)));
        let targets: Vec<_> = p.multisig_params.guard.as_ref().unwrap().allow_list.iter().map(|c| c.target).collect();
        assert!(targets.contains(&core_account(&p.addresses.circuit_breaker)));
        assert!(targets.contains(&core_account(&p.addresses.insurance_fund)));
        assert!(targets.iter().all(|t| t[..12] == [0; 12]));
        assert_eq!(role_address(&core_account(&[9; 20])), [9; 20], "an H160 written right-aligned is itself");
        assert_eq!(p.salt, salt32(b"bulwark"));
        assert_eq!(p.addresses.multisig_guard, create2(&p.deployer_address, &[0, 3], &p.multisig_input, &p.salt));
    }

    /// Another code is another deployment (another address), and the
    /// record says which backend it is on.
    #[test]
    fn the_record_names_the_backend_and_h160s() {
        let chain = ChainInfo { url: "ws://127.0.0.1:9944".into(), genesis_hash: hex(&[0x45; 32]) };
        let (p, params) = plan(0);
        let r = p.record(chain.clone(), &params, "ab".repeat(32));
        assert_eq!(r.backend, BACKEND);
        assert_eq!(r.contracts["circuit_breaker"].address.len(), 2 + 40, "0x and 20 bytes");
        assert_eq!(r.address_bytes::<20>("insurance_fund").unwrap(), p.addresses.insurance_fund);
        let (q, _) = plan(9);
        let d = r.differences(&q.record(chain.clone(), &params, "ab".repeat(32)));
        assert!(d.iter().any(|d| d.starts_with("circuit_breaker code")), "{d:?}");
        let mut contracts = r.clone();
        contracts.backend = crate::record::BACKEND_CONTRACTS.into();
        assert!(r.differences(&contracts).iter().any(|d| d.starts_with("backend")));
    }
}

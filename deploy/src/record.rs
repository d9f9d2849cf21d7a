//! deployment.json: the record of one deployment (what was deployed where,
//! each step's outcome, and how it was verified), written after every step.
//! Also the hex forms the record and the output use, and the comparison of
//! an asset's registration on chain with params.json.

use crate::chain::Estimate;
use crate::safety::Refusal;
use anyhow::{anyhow, Result};
use bulwark_sim::params::{AssetRegistration, ContractParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// `0x`-prefixed lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    format!("0x{}", ::hex::encode(bytes))
}

/// Parses `0x`-prefixed hex of exactly N bytes.
pub fn unhex<const N: usize>(s: &str) -> Result<[u8; N]> {
    bulwark_core::hex::parse::<N>(s).ok_or_else(|| anyhow!("{s:?} is not 0x followed by {} hex digits", 2 * N))
}

/// The `backend` of a record written by the ink! 5 releases (tag
/// `ink5-pallet-contracts-final`) for a pallet-contracts chain.
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
    /// [`crate::revive::deploy::BACKEND`]. Records from before the revive
    /// backend hold none and are pallet-contracts' ([`BACKEND_CONTRACTS`]),
    /// so a deployment never continues one.
    #[serde(default = "backend_contracts")]
    pub backend: String,
    /// The deployer's H160 (records of pallet-contracts hold its 32-byte account).
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

    /// A contract's address of N bytes (20 on pallet-revive).
    pub fn address_bytes<const N: usize>(&self, name: &str) -> Result<[u8; N]> {
        let c = self.contracts.get(name).ok_or_else(|| anyhow!("the record has no {name}"))?;
        unhex(&c.address)
    }
}

/// The line printed for a step: its status, block, the dry run's
/// `weight_label` in both
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
    use std::path::PathBuf;

    fn params() -> ContractParams {
        use bulwark_sim::config::Config;
        use bulwark_sim::params::{build, Knobs};
        let c = Config::default();
        build(&c, &Knobs::middle(&c.calibration)).unwrap()
    }

    fn record(code_byte: u8) -> Record {
        let chain = ChainInfo { url: "ws://127.0.0.1:9944".into(), genesis_hash: hex(&[0x45; 32]) };
        let names = ["circuit_breaker", "insurance_fund", "multisig_guard"];
        let codes = names.map(|n| (n, hex(&[code_byte; 32])));
        let contracts = names.map(|n| (n, hex(&[code_byte; 20])));
        Record::before_any_step(
            chain,
            "pallet-revive",
            hex(&[7; 20]),
            "ab".repeat(32),
            hex(&[1; 32]),
            &codes,
            &contracts,
            &params(),
        )
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bulwark-record-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("deployment.json")
    }

    /// Issue 21 item 2: another code is another deployment, and a rerun
    /// over the first one's record is refused, leaving the file as it was.
    #[test]
    fn a_rebuilt_contract_is_another_deployment() {
        let (first, rebuilt) = (record(0), record(9));
        assert!(first.same_deployment(&record(0)));
        let d = first.differences(&rebuilt);
        assert!(d.iter().any(|d| d.starts_with("circuit_breaker code")), "{d:?}");
        assert!(d.iter().any(|d| d.starts_with("circuit_breaker address")), "{d:?}");
        assert_eq!(rebuilt.address_bytes::<20>("circuit_breaker").unwrap(), [9; 20]);
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
        let params = params();
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

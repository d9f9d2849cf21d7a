//! bulwark-deploy: deploys, wires and verifies Bulwark's three contracts
//! from a params.json, or verifies an existing deployment.
//!
//! Exit codes: 0 done and verified; 1 the chain refused or a check failed
//! (the record says which step); 2 bad input, refused before anything is sent.

use anyhow::{anyhow, Context, Result};
use bulwark_deploy::chain::Chain;
use bulwark_deploy::contracts::Codes;
use bulwark_deploy::deploy::{hex, verify, ChainInfo, Deployment, Plan, Record, Status};
use bulwark_sim::report::ParamsFile;
use clap::{Args, Parser, Subcommand};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

#[derive(Parser)]
#[command(
    name = "bulwark-deploy",
    version,
    about = "Deploy Bulwark's contracts from a params.json and verify the wiring"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Common {
    /// The calibrated parameters (bulwark-sim's params.json), in chain units.
    #[arg(long, value_name = "FILE")]
    params: PathBuf,
    /// The node's WebSocket RPC endpoint.
    #[arg(long, value_name = "URL", default_value = "ws://127.0.0.1:9944")]
    url: String,
    /// The deployer's secret URI (a dev account like //Alice, or a mnemonic).
    #[arg(long, env = "BULWARK_SURI", value_name = "SURI", hide_env_values = true)]
    suri: String,
    /// Folder with <name>/<name>.wasm for each contract.
    #[arg(long, value_name = "DIR", default_value = "target/ink")]
    artifacts: PathBuf,
    /// Salt of the three instantiations: with the deployer, code and
    /// constructor input it fixes the addresses.
    #[arg(long, default_value = "bulwark")]
    salt: String,
    /// The deployment record.
    #[arg(long, value_name = "FILE", default_value = "deployment.json")]
    record: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Upload, instantiate, register assets, wire the multisig, hand over
    /// admin, then verify. Idempotent: finished steps are skipped.
    Deploy {
        #[command(flatten)]
        common: Common,
        /// Show the plan with estimated gas and storage deposits; send nothing, write no record.
        #[arg(long)]
        dry_run: bool,
    },
    /// Read the wiring back and compare it with the params; updates the record's verification.
    Verify {
        #[command(flatten)]
        common: Common,
    },
}

/// Input that is wrong before the chain is asked anything: exit code 2.
struct BadInput(anyhow::Error);

struct Inputs {
    params: bulwark_sim::params::ContractParams,
    params_sha256: String,
    codes: Codes,
    signer: Keypair,
}

fn inputs(c: &Common) -> Result<Inputs, BadInput> {
    let bytes = std::fs::read(&c.params).map_err(|e| BadInput(anyhow!("cannot read {}: {e}", c.params.display())))?;
    let text =
        String::from_utf8(bytes.clone()).map_err(|_| BadInput(anyhow!("{} is not UTF-8", c.params.display())))?;
    let params =
        ParamsFile::parse(&text).with_context(|| format!("in {}", c.params.display())).map_err(BadInput)?.params();
    let codes = Codes::read(&c.artifacts).map_err(BadInput)?;
    let uri = SecretUri::from_str(&c.suri).map_err(|e| BadInput(anyhow!("--suri: not a secret URI: {e}")))?;
    let signer = Keypair::from_uri(&uri).map_err(|e| BadInput(anyhow!("--suri: {e}")))?;
    Ok(Inputs { params, params_sha256: ::hex::encode(Sha256::digest(&bytes)), codes, signer })
}

async fn run(cli: Cli) -> Result<bool, BadInput> {
    let (common, dry_run, verify_only) = match &cli.command {
        Command::Deploy { common, dry_run } => (common, *dry_run, false),
        Command::Verify { common } => (common, false, true),
    };
    let i = inputs(common)?;
    let deployer = i.signer.public_key().0;
    let plan = Plan::new(&i.params, &i.codes, deployer, common.salt.as_bytes()).map_err(BadInput)?;
    let outcome: Result<bool> = async {
        let chain = Chain::connect(&common.url).await?;
        let fresh = Record {
            chain: ChainInfo { url: common.url.clone(), genesis_hash: hex(&chain.genesis_hash()) },
            deployer: hex(&deployer),
            params_sha256: i.params_sha256.clone(),
            salt: hex(common.salt.as_bytes()),
            codes: BTreeMap::new(),
            contracts: BTreeMap::new(),
            steps: Vec::new(),
            verification: Vec::new(),
        };
        if verify_only {
            let mut record = Record::read(&common.record).unwrap_or(fresh);
            let checks = verify(&chain, &i.params, &plan).await?;
            let ok = report(&checks);
            record.verification = checks;
            std::fs::write(&common.record, serde_json::to_string_pretty(&record)? + "\n")?;
            return Ok(ok);
        }
        // A rerun continues its own record (keeping the blocks of what it did
        // before); a record of another deployment is never overwritten.
        let mut fresh = fresh;
        if !dry_run && common.record.exists() {
            let old = Record::read(&common.record)?;
            if !old.same_deployment(&fresh) {
                anyhow::bail!(
                    "{} records another deployment (chain, deployer, params or salt differ); pass another --record",
                    common.record.display()
                );
            }
            fresh.codes = old.codes;
            fresh.contracts = old.contracts;
        }
        println!(
            "{} to {} (genesis {}) as {}",
            if dry_run { "plan for a deployment" } else { "deploying" },
            common.url,
            fresh.chain.genesis_hash,
            fresh.deployer
        );
        let mut d = Deployment {
            chain: &chain,
            signer: &i.signer,
            params: &i.params,
            codes: &i.codes,
            plan,
            record: fresh,
            record_path: (!dry_run).then(|| common.record.clone()),
            dry_run,
        };
        d.run().await?;
        if dry_run {
            let sent = d.record.steps.iter().filter(|s| s.status == Status::Planned).count();
            println!("dry run: {sent} steps would be sent; nothing was sent");
            return Ok(true);
        }
        let checks = verify(&chain, &i.params, &d.plan).await?;
        let ok = report(&checks);
        d.record.verification = checks;
        std::fs::write(&common.record, serde_json::to_string_pretty(&d.record)? + "\n")?;
        println!("record: {}", common.record.display());
        Ok(ok)
    }
    .await;
    match outcome {
        Ok(ok) => Ok(ok),
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(false)
        }
    }
}

fn report(checks: &[bulwark_deploy::deploy::Check]) -> bool {
    for c in checks {
        println!("{} {}: {}", if c.ok { "verified" } else { "MISMATCH" }, c.check, c.detail);
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    println!("verification: {} of {} checks hold", checks.len() - failed, checks.len());
    failed == 0
}

#[tokio::main]
async fn main() {
    let code = match run(Cli::parse()).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(BadInput(e)) => {
            eprintln!("error: {e:#}");
            2
        }
    };
    std::process::exit(code);
}

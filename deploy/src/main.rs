//! bulwark-deploy: deploys, wires and verifies Bulwark's three contracts
//! from a params.json, or verifies an existing deployment, on a
//! pallet-revive chain (the ink! 6 contracts of contracts/).
//!
//! Exit codes: 0 done and verified; 1 the chain refused or a check failed
//! (the record says which step); 2 bad or unsafe input, refused before
//! anything is sent (see `bulwark_deploy::safety`).

use anyhow::{anyhow, Context, Result};
use bulwark_deploy::contracts::Codes;
use bulwark_deploy::record::{hex, ChainInfo, Check, Status};
use bulwark_deploy::revive::{self, client::ReviveClient as _, subxt::SubxtRevive};
use bulwark_deploy::safety::{self, Refusal};
use bulwark_sim::report::ParamsFile;
use clap::{Args, Parser, Subcommand};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::path::PathBuf;
use std::str::FromStr;
use subxt::backend::rpc::{rpc_params, RpcClient};
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
    /// The node's WebSocket RPC endpoint: wss://, or ws:// to this machine only.
    #[arg(long, value_name = "URL", default_value = "ws://127.0.0.1:9944")]
    url: String,
    /// The genesis hash of the chain meant: any other chain is refused.
    #[arg(long, value_name = "0xHASH")]
    genesis: Option<String>,
    /// A file whose first line is the deployer's secret URI (a mnemonic, or
    /// //Alice on a dev chain). Or set BULWARK_SURI.
    #[arg(long, value_name = "FILE")]
    suri_file: Option<PathBuf>,
    /// The deployer's secret URI on the command line, where ps and shell
    /// history show it (warned): prefer BULWARK_SURI or --suri-file.
    #[arg(long, value_name = "SURI")]
    suri: Option<String>,
    /// Let Substrate's public development accounts (//Alice …) hold roles on
    /// a chain that is not a dev chain (by its system_chainType).
    #[arg(long)]
    allow_dev_accounts: bool,
    /// Deploy params the calibration marked infeasible, or edited after it.
    #[arg(long)]
    force: bool,
    /// Folder with the release builds: <name>/<name>.polkavm for each contract.
    #[arg(long, value_name = "DIR", default_value = "contracts/target/ink")]
    artifacts: PathBuf,
    /// Salt of the three instantiations: with the deployer, code and
    /// constructor input it fixes the addresses (its keccak256 is
    /// pallet-revive's 32-byte salt).
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
    signer: Keypair,
}

fn refused(r: Refusal) -> BadInput {
    BadInput(anyhow!(r))
}

fn inputs(c: &Common) -> Result<Inputs, BadInput> {
    safety::check_url(&c.url).map_err(refused)?;
    let bytes = std::fs::read(&c.params).map_err(|e| BadInput(anyhow!("cannot read {}: {e}", c.params.display())))?;
    let text =
        String::from_utf8(bytes.clone()).map_err(|_| BadInput(anyhow!("{} is not UTF-8", c.params.display())))?;
    let file = ParamsFile::parse(&text).with_context(|| format!("in {}", c.params.display())).map_err(BadInput)?;
    for w in safety::check_provenance(&file, c.force).map_err(refused)? {
        eprintln!("{w}");
    }
    let params = file.params();
    let (suri, warning) = safety::secret(c.suri.as_deref(), c.suri_file.as_deref(), std::env::var("BULWARK_SURI").ok())
        .map_err(refused)?;
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    let uri =
        SecretUri::from_str(&suri).map_err(|e| BadInput(anyhow!("the deployer secret is not a secret URI: {e}")))?;
    let signer = Keypair::from_uri(&uri).map_err(|e| BadInput(anyhow!("the deployer secret: {e}")))?;
    Ok(Inputs { params, params_sha256: ::hex::encode(Sha256::digest(&bytes)), signer })
}

/// What a run starts from: the inputs, the chain's genesis, and the
/// dev-account check (a note, or a refusal that verify reports as a
/// failed check).
struct Run<'a> {
    common: &'a Common,
    i: Inputs,
    dry_run: bool,
    verify_only: bool,
    genesis: String,
    dev_check: Check,
}

async fn run(cli: Cli) -> Result<bool, BadInput> {
    let (common, dry_run, verify_only) = match &cli.command {
        Command::Deploy { common, dry_run } => (common, *dry_run, false),
        Command::Verify { common } => (common, false, true),
    };
    let i = inputs(common)?;
    let deployer = i.signer.public_key().0;
    let outcome: Result<bool> = async {
        let url = &common.url;
        let rpc = RpcClient::from_insecure_url(url).await.with_context(|| format!("cannot connect to {url}"))?;
        let api = subxt::OnlineClient::<subxt::PolkadotConfig>::from_rpc_client(rpc.clone())
            .await
            .with_context(|| format!("cannot read the chain at {url}"))?;
        safety::check_backend(&revive::subxt::contracts_pallets(&api)).map_err(|r| Refusal(format!("{url}: {r}")))?;
        let genesis = hex(&api.genesis_hash().0);
        safety::check_genesis(common.genesis.as_deref(), &genesis)?;
        let chain_type: serde_json::Value =
            rpc.request("system_chainType", rpc_params![]).await.context("system_chainType")?;
        let chain_type = match chain_type {
            serde_json::Value::String(s) => s,
            // ChainType::Custom(name) serializes as {"Custom": name}.
            other => format!("{other}"),
        };
        let dev_roles = safety::dev_roles(&i.params, &deployer);
        // Verify reports dev accounts as a failed check; a deployment refuses them.
        let dev_note = match safety::check_dev_accounts(&dev_roles, &chain_type, common.allow_dev_accounts) {
            Ok(note) => Ok(note),
            Err(r) if verify_only => Err(r.0),
            Err(r) => return Err(r.into()),
        };
        if let Ok(Some(note)) = &dev_note {
            eprintln!("{note}");
        }
        let dev_check = Check {
            check: format!(
                "public development accounts hold no role, or the chain is a dev chain (its type: {chain_type})"
            ),
            ok: dev_note.is_ok(),
            detail: match &dev_note {
                Ok(None) => "none".into(),
                Ok(Some(note)) => note.clone(),
                Err(e) => e.clone(),
            },
        };
        let r = Run { common, i, dry_run, verify_only, genesis, dev_check };
        run_revive(r, SubxtRevive::from_parts(api, rpc)).await
    }
    .await;
    match outcome {
        Ok(ok) => Ok(ok),
        Err(e) if e.is::<Refusal>() => Err(BadInput(e)),
        Err(e) => {
            eprintln!("error: {e:#}");
            Ok(false)
        }
    }
}

/// Deploys or verifies on pallet-revive.
async fn run_revive(r: Run<'_>, chain: SubxtRevive) -> Result<bool> {
    use revive::deploy::{record_at, verify, Deployment, Plan};
    let Run { common, i, dry_run, verify_only, genesis, dev_check } = r;
    // A missing release build is refused before anything is sent.
    let codes = Codes::read(&common.artifacts).map_err(|e| Refusal(format!("{e:#}")))?;
    let deployer = SubxtRevive::account_of(&i.signer);
    let plan = Plan::new(&i.params, &codes, deployer, common.salt.as_bytes()).map_err(|e| Refusal(format!("{e:#}")))?;
    let info = ChainInfo { url: common.url.clone(), genesis_hash: genesis };
    // A rerun or a verify continues its own record (keeping the blocks of
    // what it did before); any other file is refused, never replaced.
    let path = (!dry_run).then_some(common.record.as_path());
    let (fresh, old) = record_at(&plan, info, &i.params, i.params_sha256.clone(), path)?;
    if verify_only {
        let mut record = old.unwrap_or(fresh);
        let mut checks = verify(&chain, &i.params, &plan, &record).await?;
        checks.push(dev_check);
        let ok = report(&checks);
        record.verification = checks;
        record.write(&common.record)?;
        return Ok(ok);
    }
    println!(
        "{} to {} ({}, genesis {}) as {} ({})",
        if dry_run { "plan for a deployment" } else { "deploying" },
        common.url,
        revive::deploy::BACKEND,
        fresh.chain.genesis_hash,
        fresh.deployer,
        hex(&deployer)
    );
    let mut d = Deployment {
        chain: &chain,
        signer: &i.signer,
        params: &i.params,
        codes: &codes,
        plan,
        record: fresh,
        record_path: path.map(Path::to_path_buf),
        dry_run,
    };
    d.run().await?;
    if dry_run {
        let sent = d.record.steps.iter().filter(|s| s.status == Status::Planned).count();
        println!("dry run: {sent} steps would be sent; nothing was sent");
        return Ok(true);
    }
    let mut checks = verify(&chain, &i.params, &d.plan, &d.record).await?;
    checks.push(dev_check);
    let ok = report(&checks);
    d.record.verification = checks;
    d.record.write(&common.record)?;
    println!("record: {}", common.record.display());
    Ok(ok)
}

fn report(checks: &[Check]) -> bool {
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

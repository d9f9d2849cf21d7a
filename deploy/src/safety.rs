//! What the deploy tool refuses before it sends anything, so that running
//! the README's commands unedited cannot hand a protocol to strangers:
//! - roles held by Substrate's public development accounts, except on a dev
//!   chain or with `--allow-dev-accounts`;
//! - params the calibration marked infeasible, or edited after it, except
//!   with `--force`;
//! - plaintext `ws://` to anything but this machine, and a chain whose
//!   genesis is not the one pinned with `--genesis`;
//! - a secret that is neither in `BULWARK_SURI` nor in a file (`--suri` on
//!   the command line still works, with a warning: `ps` and shell history
//!   show it).
//!
//! Each check is a pure function of its inputs, tested here; `main` applies them.

use bulwark_sim::params::{dev_account_uri, ContractParams};
use bulwark_sim::report::ParamsFile;
use std::path::Path;

/// Chain types (`system_chainType`) whose accounts are throwaway: a node
/// started with `--dev`, a local testnet, or Chopsticks.
pub const DEV_CHAIN_TYPES: [&str; 2] = ["Development", "Local"];

/// Why the deployment is refused before anything is sent (exit code 2).
#[derive(Debug)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Refuses `url` unless it is `wss://`, or `ws://` to this machine: a
/// plaintext connection to a remote node can be read and answered by anyone
/// on the path, who then decides what this tool believes is on chain.
pub fn check_url(url: &str) -> Result<(), Refusal> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(Refusal(format!("--url {url:?}: expected ws://127.0.0.1:PORT or wss://HOST[:PORT]")));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let local =
        host == "localhost" || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "wss" => Ok(()),
        "ws" if local => Ok(()),
        "ws" => Err(Refusal(format!(
            "--url {url}: plaintext ws:// is allowed only to this machine (localhost, 127.0.0.0/8, ::1); use wss:// for {host}, or an SSH tunnel to a local port"
        ))),
        _ => Err(Refusal(format!("--url {url}: the scheme must be ws:// (this machine only) or wss://"))),
    }
}

/// Refuses a chain without pallet-revive, from the contracts pallets its
/// metadata has (`Revive`, `Contracts`). A pallet-contracts chain is named
/// as such: the ink! 5 contracts and their deploy tool are at the tag
/// `ink5-pallet-contracts-final` (docs/decisions/0013).
pub fn check_backend(pallets: &[&'static str]) -> Result<(), Refusal> {
    if pallets.contains(&"Revive") {
        Ok(())
    } else if pallets.contains(&"Contracts") {
        Err(Refusal(
            "the chain has pallet-contracts but no pallet-revive: Bulwark's contracts are ink! 6 for pallet-revive; the ink! 5 ones for pallet-contracts are at the tag ink5-pallet-contracts-final".into(),
        ))
    } else {
        Err(Refusal("the chain has no Revive pallet: no contracts can be deployed there".into()))
    }
}

/// Refuses a chain whose genesis hash is not the pinned one.
pub fn check_genesis(pinned: Option<&str>, actual: &str) -> Result<(), Refusal> {
    match pinned {
        Some(p) if !p.eq_ignore_ascii_case(actual) => Err(Refusal(format!(
            "--genesis {p}: the chain at --url has genesis {actual}: another chain than the one pinned"
        ))),
        _ => Ok(()),
    }
}

/// Every role (and the deployer, which is admin until the hand-over) that
/// one of Substrate's public development accounts holds.
pub fn dev_roles(params: &ContractParams, deployer: &[u8; 32]) -> Vec<String> {
    let mut roles = params.dev_accounts();
    if let Some(uri) = dev_account_uri(deployer) {
        roles.push(format!("the deployer ({uri}), admin of both contracts until the hand-over"));
    }
    roles
}

/// Refuses dev accounts in any role unless the chain is a dev chain (by its
/// `system_chainType`) or the user allowed them. Returns a note to print
/// when they are let through.
pub fn check_dev_accounts(roles: &[String], chain_type: &str, allowed: bool) -> Result<Option<String>, Refusal> {
    if roles.is_empty() {
        return Ok(None);
    }
    let list = roles.join(", ");
    if DEV_CHAIN_TYPES.contains(&chain_type) {
        return Ok(Some(format!(
            "note: public development accounts hold roles ({list}); allowed because the chain type is {chain_type}"
        )));
    }
    if allowed {
        return Ok(Some(format!(
            "WARNING: public development accounts hold roles on a {chain_type} chain ({list}), allowed by --allow-dev-accounts: anyone can sign as them"
        )));
    }
    Err(Refusal(format!(
        "public development accounts, whose secrets anyone has, hold roles: {list}. The chain's type is {chain_type:?}, not a dev chain ({}): set [deployment] in the config to your own accounts and calibrate again, or pass --allow-dev-accounts to deploy anyway",
        DEV_CHAIN_TYPES.join(" or ")
    )))
}

/// Refuses params the calibration marked infeasible or that were edited
/// after it, unless `force`. Returns warnings to print either way.
pub fn check_provenance(file: &ParamsFile, force: bool) -> Result<Vec<String>, Refusal> {
    let mut problems = Vec::new();
    let Some(p) = &file.provenance else {
        return Ok(vec![
            "warning: the params have no provenance (not written by bulwark-sim calibrate): nothing ties them to a report"
                .into(),
        ]);
    };
    if !p.feasible {
        problems.push(format!(
            "the calibration marked these params infeasible ({})",
            if p.violations.is_empty() { "no violation recorded".into() } else { p.violations.join("; ") }
        ));
    }
    problems.extend(file.provenance_mismatches().into_iter().map(|m| format!("edited after the calibration: {m}")));
    if problems.is_empty() {
        return Ok(Vec::new());
    }
    if force {
        return Ok(problems.into_iter().map(|p| format!("WARNING (--force): {p}")).collect());
    }
    Err(Refusal(format!("{}; pass --force to deploy them anyway", problems.join("; "))))
}

/// The deployer's secret URI: from `BULWARK_SURI` (`env`), a file, or the
/// command line (with a warning). Exactly one source.
pub fn secret(
    flag: Option<&str>,
    file: Option<&Path>,
    env: Option<String>,
) -> Result<(String, Option<String>), Refusal> {
    let from_file = |p: &Path| {
        let text = std::fs::read_to_string(p).map_err(|e| Refusal(format!("--suri-file {}: {e}", p.display())))?;
        let line = text.lines().next().unwrap_or("").trim().to_string();
        if line.is_empty() {
            return Err(Refusal(format!("--suri-file {}: the first line is empty", p.display())));
        }
        Ok(line)
    };
    match (flag, file, env) {
        (Some(s), None, None) => Ok((
            s.to_string(),
            Some("warning: --suri puts the secret on the command line, where ps and shell history show it; use BULWARK_SURI or --suri-file".into()),
        )),
        (None, Some(p), None) => Ok((from_file(p)?, None)),
        (None, None, Some(s)) if !s.is_empty() => Ok((s, None)),
        (None, None, _) => Err(Refusal("no deployer secret: set BULWARK_SURI, or pass --suri-file FILE".into())),
        _ => Err(Refusal("give the deployer secret once: BULWARK_SURI, --suri-file or --suri".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_websockets_reach_only_this_machine() {
        for ok in [
            "ws://127.0.0.1:9944",
            "ws://localhost:9944",
            "ws://[::1]:9944",
            "ws://127.0.0.2",
            "wss://rpc.example.org",
            "wss://10.0.0.1:443/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ws://10.0.0.1:9944",
            "ws://rpc.example.org",
            "ws://127.0.0.1.evil.org:9944",
            "http://127.0.0.1:9944",
            "127.0.0.1:9944",
            "ws://localhost.evil.org",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_revive_chain_is_deployed_to() {
        assert!(check_backend(&["Revive"]).is_ok());
        assert!(check_backend(&["Revive", "Contracts"]).is_ok());
        assert!(check_backend(&["Contracts"]).unwrap_err().0.contains("ink5-pallet-contracts-final"));
        assert!(check_backend(&[]).unwrap_err().0.contains("no Revive pallet"));
    }

    #[test]
    fn a_pinned_genesis_refuses_another_chain() {
        assert!(check_genesis(None, "0xab").is_ok());
        assert!(check_genesis(Some("0xAB"), "0xab").is_ok());
        assert!(check_genesis(Some("0xab"), "0xcd").is_err());
    }

    #[test]
    fn dev_accounts_pass_only_on_a_dev_chain_or_when_allowed() {
        let roles = vec!["multisig_guard.owners[0] (//Alice)".to_string()];
        assert!(check_dev_accounts(&roles, "Live", false).unwrap_err().0.contains("owners[0] (//Alice)"));
        assert!(check_dev_accounts(&roles, "Custom", false).is_err());
        assert!(check_dev_accounts(&roles, "Development", false).unwrap().is_some());
        assert!(check_dev_accounts(&roles, "Local", false).unwrap().is_some());
        assert!(check_dev_accounts(&roles, "Live", true).unwrap().unwrap().starts_with("WARNING"));
        assert_eq!(check_dev_accounts(&[], "Live", false).unwrap(), None);
    }

    /// The table in bulwark-sim is what the dev phrase derives.
    #[test]
    fn the_dev_account_table_is_the_dev_phrase() {
        use std::str::FromStr;
        for (uri, key) in bulwark_sim::params::DEV_ACCOUNTS {
            let pair =
                subxt_signer::sr25519::Keypair::from_uri(&subxt_signer::SecretUri::from_str(uri).unwrap()).unwrap();
            assert_eq!(crate::record::hex(&pair.public_key().0), key, "{uri}");
        }
    }

    #[test]
    fn infeasible_or_edited_params_need_force() {
        use bulwark_sim::config::Config;
        use bulwark_sim::params::{build, Knobs};
        use bulwark_sim::report::Provenance;
        let c = Config::default();
        let knobs = Knobs::middle(&c.calibration);
        let p = build(&c, &knobs).unwrap();
        let mut file = ParamsFile {
            circuit_breaker: p.circuit_breaker,
            multisig_guard: p.multisig_guard,
            insurance_fund: p.insurance_fund,
            deployment: p.deployment,
            units: p.units,
            provenance: None,
        };
        assert!(
            check_provenance(&file, false).unwrap()[0].contains("no provenance"),
            "a hand-written file passes, warned"
        );
        file.provenance = Some(Provenance {
            tool: "test".into(),
            config_sha256: String::new(),
            seed: 0,
            paths: 0,
            search_paths: 0,
            knobs: serde_json::to_value(knobs).unwrap(),
            units: c.units.clone(),
            feasible: true,
            violations: Vec::new(),
            yearly_cost_usd: serde_json::Value::Null,
            yearly_avoided_vs_no_bulwark_usd: serde_json::Value::Null,
            yearly_avoided_vs_current_usd: serde_json::Value::Null,
            one_year: serde_json::Value::Null,
            chosen_on_other_seeds: serde_json::Value::Null,
            scenarios: Vec::new(),
        });
        assert_eq!(check_provenance(&file, false).unwrap(), Vec::<String>::new());
        file.circuit_breaker.limiter.windows[0].max_bps_of_tvl = 10_000;
        let e = check_provenance(&file, false).unwrap_err().0;
        assert!(
            e.contains("edited after the calibration: circuit_breaker.limiter.windows[0].max_bps_of_tvl is 10000"),
            "{e}"
        );
        assert!(check_provenance(&file, true).unwrap()[0].starts_with("WARNING (--force)"));
        file.circuit_breaker.limiter.windows[0].max_bps_of_tvl = knobs.hourly_share_bps;
        if let Some(p) = file.provenance.as_mut() {
            p.feasible = false;
            p.violations = vec!["false trips 5% > 3%".into()];
        }
        assert!(check_provenance(&file, false).unwrap_err().0.contains("infeasible (false trips 5% > 3%)"));
    }

    #[test]
    fn the_secret_comes_from_one_source_and_the_flag_is_warned_about() {
        assert_eq!(secret(None, None, Some("//Alice".into())).unwrap(), ("//Alice".into(), None));
        let (s, warning) = secret(Some("//Bob"), None, None).unwrap();
        assert_eq!(s, "//Bob");
        assert!(warning.unwrap().contains("shell history"));
        assert!(secret(Some("//Bob"), None, Some("//Alice".into())).is_err(), "two sources");
        assert!(secret(None, None, None).is_err());
        let dir = std::env::temp_dir().join(format!("bulwark-suri-{}", std::process::id()));
        std::fs::write(&dir, "//Charlie\n").unwrap();
        assert_eq!(secret(None, Some(&dir), None).unwrap().0, "//Charlie");
        std::fs::remove_file(&dir).unwrap();
    }
}

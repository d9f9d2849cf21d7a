//! Runs that outgrow one machine: `simulate --shard k/n` simulates the k-th
//! of n consecutive slices of the paths and writes their outcomes to a shard
//! file; `merge` joins the n files and writes what one run on one machine
//! writes, byte for byte.
//!
//! Why a merge of outcomes, not of metrics: a run's figures (VaR, CVaR,
//! their bootstrap intervals, the attacker's choice of policy) are
//! functions of every path's outcome in path order, and floating-point sums
//! do not regroup exactly. Each path draws from its own stream
//! ([`crate::engine::path_rng`]), so a slice of paths is the same slice of
//! the whole run ([`PolicyOutcomes::extend`]'s invariant); joining the
//! slices in order rebuilds the whole run exactly, and the figures are then
//! computed once, as on one machine.
//!
//! A shard file is CBOR (ciborium): every `f64` is kept bit for bit, which
//! JSON's default float parsing does not promise. It carries the run's
//! effective config, so `merge` needs nothing else, and the hashes that
//! tell shards of different runs apart.
//!
//! No scheduler of our own: any that runs n copies of one command with an
//! index does (a Kubernetes indexed Job, a Slurm job array, GNU parallel);
//! docs/simulator.md shows them.

use crate::calibrate::{FinalRuns, Searched};
use crate::config::Config;
use crate::engine::PolicyOutcomes;
use crate::params::ContractParams;
use crate::report::{config_hash, sha256_hex};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

/// The shard file's format; a file of another one is refused by `merge`.
pub const FORMAT: u32 = 1;

/// At most this many shards: more cannot be worth a process each.
pub const MAX_SHARDS: u32 = 10_000;

/// `--shard k/n`: the k-th (1-based, as `1/4` … `4/4`) of n slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let usage = || format!("--shard {s:?}: expected k/n, the k-th of n shards, with 1 ≤ k ≤ n ≤ {MAX_SHARDS}");
        let (k, n) = s.split_once('/').ok_or_else(usage)?;
        let (index, count) =
            (k.trim().parse::<u32>().map_err(|_| usage())?, n.trim().parse::<u32>().map_err(|_| usage())?);
        let shard = Shard { index, count };
        if !shard.valid() {
            return Err(usage());
        }
        Ok(shard)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// `1 ≤ index ≤ count ≤ MAX_SHARDS`: what `--shard` accepts, and what a
    /// shard file must hold.
    pub fn valid(self) -> bool {
        1 <= self.index && self.index <= self.count && self.count <= MAX_SHARDS
    }

    /// This shard's paths among `paths`: the n slices are consecutive,
    /// cover `0..paths` once, and differ in length by one at most.
    pub fn range(self, paths: u64) -> Range<u64> {
        let bound = |i: u32| (u128::from(paths) * u128::from(i) / u128::from(self.count)) as u64;
        bound(self.index - 1)..bound(self.index)
    }

    /// Refuses more shards than paths (a shard of no path), naming both.
    pub fn check(self, paths: u64) -> Result<()> {
        if u64::from(self.count) > paths {
            bail!("--shard {self}: {} shards of {paths} paths (run.paths); at most one shard per path", self.count);
        }
        Ok(())
    }
}

/// One shard file: what identifies the run it belongs to, and its slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    pub format: u32,
    /// The program that wrote it (`bulwark-sim VERSION`): shards of one run
    /// come from one build, since another may simulate differently.
    pub tool: String,
    /// The run's effective config (`Config::to_toml`): `merge` computes the
    /// figures under it.
    pub config_toml: String,
    pub config_sha256: String,
    /// SHA-256 of the params as JSON: `simulate`'s, or `calibrate`'s
    /// `--current` (none without it). Shards of one run agree.
    pub params_sha256: Option<String>,
    pub shard: Shard,
    pub paths: Range<u64>,
    pub run: ShardRun,
}

/// The command a shard file belongs to, and its slice of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum ShardRun {
    /// `simulate --scenario NAME --shard k/n`: the slice's outcomes under
    /// every attacker policy.
    Simulate { scenario: String, outcomes: PolicyOutcomes },
    /// `calibrate --shard k/n`: the slice's final runs. Every shard runs the
    /// same search (a function of the config); the first carries it, every
    /// shard its hash.
    Calibrate { search_sha256: String, search: Option<Box<Searched>>, runs: FinalRuns },
}

/// This program, as a shard file names it.
fn tool() -> String {
    format!("bulwark-sim {}", env!("CARGO_PKG_VERSION"))
}

/// A value's CBOR encoding: a shard file's bytes, and what its hashes hash.
fn cbor<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).context("cannot encode the shard")?;
    Ok(bytes)
}

/// SHA-256 of a value's CBOR encoding.
fn cbor_sha256<T: Serialize>(value: &T) -> Result<String> {
    Ok(sha256_hex(&cbor(value)?))
}

fn params_hash(params: Option<&ContractParams>) -> Result<Option<String>> {
    params.map(|p| Ok(sha256_hex(serde_json::to_string(p)?.as_bytes()))).transpose()
}

impl ShardFile {
    /// The file `simulate --scenario NAME --shard k/n` writes, in `--out`.
    pub fn simulate_file(scenario: &str, shard: Shard) -> String {
        format!("simulate-{scenario}.shard-{}-of-{}.cbor", shard.index, shard.count)
    }

    /// The file `calibrate --shard k/n` writes, in `--out`.
    pub fn calibrate_file(shard: Shard) -> String {
        format!("calibrate.shard-{}-of-{}.cbor", shard.index, shard.count)
    }

    fn new(cfg: &Config, params: Option<&ContractParams>, shard: Shard, run: ShardRun) -> Result<Self> {
        Ok(ShardFile {
            format: FORMAT,
            tool: tool(),
            config_toml: cfg.to_toml(),
            config_sha256: config_hash(cfg),
            params_sha256: params_hash(params)?,
            shard,
            paths: shard.range(cfg.run.paths),
            run,
        })
    }

    /// A shard of `simulate --scenario NAME` under `params`.
    pub fn simulate(
        cfg: &Config,
        scenario: &str,
        params: &ContractParams,
        shard: Shard,
        outcomes: PolicyOutcomes,
    ) -> Result<Self> {
        let run = ShardRun::Simulate { scenario: scenario.to_string(), outcomes };
        ShardFile::new(cfg, Some(params), shard, run)
    }

    /// A shard of `calibrate` (with `current`, its `--current`).
    pub fn calibrate(
        cfg: &Config,
        current: Option<&ContractParams>,
        shard: Shard,
        search: Searched,
        runs: FinalRuns,
    ) -> Result<Self> {
        let search_sha256 = cbor_sha256(&search)?;
        let search = (shard.index == 1).then(|| Box::new(search));
        ShardFile::new(cfg, current, shard, ShardRun::Calibrate { search_sha256, search, runs })
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        cbor(self)
    }

    /// Reads a shard file; a file that is not one (or of another format)
    /// is an error naming it.
    pub fn read(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let shard: ShardFile = ciborium::from_reader(std::io::BufReader::new(file))
            .map_err(|e| anyhow::anyhow!("{}: not a bulwark-sim shard file ({e})", path.display()))?;
        if shard.format != FORMAT {
            bail!("{}: shard format {}, this bulwark-sim reads format {FORMAT}", path.display(), shard.format);
        }
        if !shard.shard.valid() {
            bail!("{}: shard {} is not k/n with 1 ≤ k ≤ n ≤ {MAX_SHARDS}", path.display(), shard.shard);
        }
        if shard.tool != tool() {
            bail!(
                "{}: written by {}, not by this {}; run every shard and the merge with one build",
                path.display(),
                shard.tool,
                tool()
            );
        }
        Ok(shard)
    }

    /// What tells runs apart besides the config and params: the command,
    /// and simulate's scenario.
    fn command(&self) -> String {
        match &self.run {
            ShardRun::Simulate { scenario, .. } => format!("simulate --scenario {scenario}"),
            ShardRun::Calibrate { .. } => "calibrate".to_string(),
        }
    }
}

/// A merged run: the config it ran under, and every path's outcomes in
/// path order.
#[derive(Debug)]
pub enum Merged {
    Simulate { cfg: Config, scenario: String, outcomes: PolicyOutcomes },
    Calibrate { cfg: Config, search: Box<Searched>, runs: FinalRuns },
}

/// Joins the shards of one run, given in any order, each with its file's
/// name.
///
/// Refused, naming the file: shards of another command, scenario, config or
/// params than the first's, of another shard count, a shard given twice, a
/// shard missing, or a shard whose paths are not its slice (a file edited
/// or written by another version).
pub fn merge(shards: Vec<(String, ShardFile)>) -> Result<Merged> {
    let Some((first_name, first)) = shards.first() else { bail!("merge: no shard files given") };
    let (first_name, count, command) = (first_name.clone(), first.shard.count, first.command());
    let (config_toml, config_sha256, params_sha256) =
        (first.config_toml.clone(), first.config_sha256.clone(), first.params_sha256.clone());
    let mut slots: Vec<Option<(String, ShardFile)>> = (0..count).map(|_| None).collect();
    for (name, s) in shards {
        let differs = |what: &str| format!("{name} is a shard of another run than {first_name}: its {what} differs");
        if s.command() != command {
            bail!("{} ({}, not {command})", differs("command"), s.command());
        }
        if s.config_sha256 != config_sha256 {
            bail!(differs("config (config_sha256)"));
        }
        if s.params_sha256 != params_sha256 {
            bail!(differs("params (params_sha256)"));
        }
        if s.shard.count != count || !s.shard.valid() {
            bail!("{name} is shard {} but {first_name} is of {count} shards", s.shard);
        }
        let slot = &mut slots[(s.shard.index - 1) as usize];
        if let Some((other, _)) = slot {
            bail!("{name} and {other} are both shard {}", s.shard);
        }
        *slot = Some((name, s));
    }
    let missing: Vec<String> =
        (1..=count).filter(|&k| slots[(k - 1) as usize].is_none()).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() {
        bail!("merge: shard {} missing (of {count})", missing.join(", "));
    }
    let cfg = Config::from_partial_toml(&config_toml).with_context(|| format!("the config in {first_name}"))?;
    if config_hash(&cfg) != config_sha256 {
        bail!("{first_name}: its config does not match its config_sha256");
    }
    crate::params::check_config(&cfg).with_context(|| format!("the config in {first_name}"))?;
    let mut merged: Option<Merged> = None;
    let mut search_hash: Option<String> = None;
    for (name, s) in slots.into_iter().flatten() {
        check_content(&cfg, &name, &s)?;
        let expected = s.shard.range(cfg.run.paths);
        let holds = match &s.run {
            ShardRun::Simulate { outcomes, .. } => outcomes.well_formed().then(|| outcomes.len()),
            ShardRun::Calibrate { runs, .. } => runs.paths(),
        };
        if s.paths != expected || holds != Some(expected.end - expected.start) {
            bail!(
                "{name}: shard {} should hold paths {expected:?} of {}, but holds {holds:?} for {:?}",
                s.shard,
                cfg.run.paths,
                s.paths
            );
        }
        let joined = |what: &str| format!("{name}: its {what} differ from the shards before it");
        merged = Some(match (merged, s.run) {
            (None, ShardRun::Simulate { scenario, outcomes }) => {
                Merged::Simulate { cfg: cfg.clone(), scenario, outcomes }
            }
            (None, ShardRun::Calibrate { search_sha256, search, runs }) => {
                let Some(search) = search else { bail!("{name}: shard 1 carries no search") };
                if cbor_sha256(&search)? != search_sha256 {
                    bail!("{name}: its search does not match its search_sha256");
                }
                check_search(&cfg, &name, &search)?;
                search_hash = Some(search_sha256);
                Merged::Calibrate { cfg: cfg.clone(), search, runs }
            }
            (Some(Merged::Simulate { cfg, scenario, mut outcomes }), ShardRun::Simulate { outcomes: next, .. }) => {
                if !outcomes.same_policies(&next) {
                    bail!(joined("attacker policies"));
                }
                outcomes.extend(next);
                Merged::Simulate { cfg, scenario, outcomes }
            }
            (Some(Merged::Calibrate { cfg, search, runs }), ShardRun::Calibrate { search_sha256, runs: next, .. }) => {
                if search_hash.as_ref() != Some(&search_sha256) {
                    bail!(joined("search results"));
                }
                let Some(runs) = runs.join(next) else { bail!(joined("scenarios or attacker policies")) };
                Merged::Calibrate { cfg, search, runs }
            }
            _ => bail!(joined("commands")),
        });
    }
    Ok(merged.expect("count ≥ 1 shards, none missing"))
}

/// What a shard holds fits the config it names: its scenario is one of the
/// config's, its runs cover every scenario, and it holds the `--current`
/// runs exactly when it names `--current` params.
fn check_content(cfg: &Config, name: &str, s: &ShardFile) -> Result<()> {
    let n = cfg.scenarios.len();
    match &s.run {
        ShardRun::Simulate { scenario, .. } => {
            if !cfg.scenarios.iter().any(|sc| &sc.name == scenario) {
                bail!("{name}: its scenario {scenario:?} is not in its config");
            }
        }
        ShardRun::Calibrate { runs, .. } => {
            let covers = runs.chosen.len() == n && runs.absent.len() == n;
            if !covers || runs.current.as_ref().is_some_and(|c| c.len() != n) {
                bail!("{name}: its final runs do not cover the config's {n} scenarios");
            }
            if runs.current.is_some() != s.params_sha256.is_some() {
                bail!("{name}: its runs under --current and its params_sha256 disagree");
            }
        }
    }
    Ok(())
}

/// The search a calibrate shard carries fits its config: the identification
/// indexes its neighbours' runs by scenario, and the report starts from the
/// run's own seed's choice.
fn check_search(cfg: &Config, name: &str, search: &Searched) -> Result<()> {
    let first_seed = search.stability.first().map(|c| c.knobs);
    if first_seed != Some(search.knobs) {
        bail!("{name}: its search's first stability seed is not its choice");
    }
    let fits = |runs: &Vec<Option<PolicyOutcomes>>| {
        runs.len() == cfg.scenarios.len() && runs.iter().flatten().all(PolicyOutcomes::well_formed)
    };
    if !search.near.iter().all(|(_, runs)| fits(runs)) {
        bail!("{name}: its search's neighbour runs do not cover the config's scenarios");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_paths_once_in_order() {
        for paths in [1u64, 7, 1_000, 100_003] {
            for count in 1..=7u32.min(paths as u32) {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(paths);
                    assert_eq!(r.start, next, "{index}/{count} of {paths}");
                    assert!(r.end > r.start && r.end - r.start <= paths / u64::from(count) + 1);
                    next = r.end;
                }
                assert_eq!(next, paths);
            }
        }
    }

    #[test]
    fn a_bad_shard_argument_names_the_allowed_range() {
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "1/10001", "-1/3", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("--shard") && e.contains("1 ≤ k ≤ n"), "{bad}: {e}");
        }
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        assert!(Shard { index: 1, count: 5 }.check(4).unwrap_err().to_string().contains("run.paths"));
    }

    /// Shards through their bytes, merged in any order, are the whole run
    /// (both attacker policies, the chosen one included); a shard whose
    /// paths are not its slice is refused.
    #[test]
    fn merged_shards_are_the_whole_run() {
        let mut cfg = Config::default();
        cfg.run.paths = 1_000;
        cfg.run.search_paths = 1_000;
        cfg.run.horizon_hours = 24;
        let index = cfg.scenarios.iter().position(|s| s.name == "oracle_mango").unwrap();
        let params = crate::params::build(&cfg, &crate::params::Knobs::middle(&cfg.calibration)).unwrap();
        let sim = crate::sim::PathSim::new(&cfg, &cfg.scenarios[index], &params, crate::sim::Layer::Bulwark);
        assert!(sim.can_time(), "the test needs both attacker policies");
        let hidden = indicatif::ProgressBar::hidden();
        let run =
            |r: Range<u64>| PolicyOutcomes::simulate(&cfg, index, &params, crate::sim::Layer::Bulwark, r, &hidden);
        let files: Vec<(String, ShardFile)> = [3u32, 1, 2]
            .into_iter()
            .map(|k| {
                let shard = Shard { index: k, count: 3 };
                let file = ShardFile::simulate(&cfg, "oracle_mango", &params, shard, run(shard.range(1_000))).unwrap();
                let bytes = file.to_bytes().unwrap();
                let back: ShardFile = ciborium::from_reader(bytes.as_slice()).unwrap();
                assert_eq!(back, file);
                (format!("shard {k}"), back)
            })
            .collect();
        let whole = run(0..1_000);
        let Merged::Simulate { cfg: merged_cfg, outcomes, .. } = merge(files.clone()).unwrap() else { panic!() };
        assert_eq!(outcomes, whole);
        assert_eq!(outcomes.chosen(), whole.clone().chosen());
        assert_eq!(config_hash(&merged_cfg), config_hash(&cfg));

        // A shard of another build is refused as it is read.
        let dir = tempfile::tempdir().unwrap();
        let mut other = files[0].1.clone();
        other.tool = "bulwark-sim 0.0.0".to_string();
        let path = dir.path().join("other.cbor");
        std::fs::write(&path, other.to_bytes().unwrap()).unwrap();
        let e = ShardFile::read(&path).unwrap_err().to_string();
        assert!(e.contains("bulwark-sim 0.0.0") && e.contains("one build"), "{e}");

        // Shard numbers a file may not hold, and a scenario its config lacks.
        for (index, count) in [(0, 3), (4, 3), (1, u32::MAX)] {
            let mut bad = files[0].1.clone();
            bad.shard = Shard { index, count };
            std::fs::write(&path, bad.to_bytes().unwrap()).unwrap();
            let e = ShardFile::read(&path).unwrap_err().to_string();
            assert!(e.contains("is not k/n"), "{index}/{count}: {e}");
        }
        let mut renamed = files.clone();
        for (_, file) in &mut renamed {
            if let ShardRun::Simulate { scenario, .. } = &mut file.run {
                *scenario = "../elsewhere".to_string();
            }
        }
        let e = merge(renamed).unwrap_err().to_string();
        assert!(e.contains("not in its config"), "{e}");

        // A calibrate shard whose runs do not cover the config's scenarios.
        let knobs = crate::params::Knobs::middle(&cfg.calibration);
        let search = Searched {
            knobs,
            sweep: Vec::new(),
            stability: vec![crate::calibrate::SeedChoice { seed: cfg.run.seed, knobs }],
            near: Vec::new(),
        };
        let runs = FinalRuns { chosen: vec![whole.clone()], absent: vec![whole.clone()], current: None };
        let short = ShardFile::calibrate(&cfg, None, Shard { index: 1, count: 1 }, search, runs).unwrap();
        let e = merge(vec![("short".to_string(), short)]).unwrap_err().to_string();
        assert!(e.contains("do not cover the config's"), "{e}");

        let mut shifted = files;
        shifted[0].1.paths.start += 1;
        let e = merge(shifted).unwrap_err().to_string();
        assert!(e.contains("shard 3") && e.contains("should hold paths"), "{e}");
    }
}

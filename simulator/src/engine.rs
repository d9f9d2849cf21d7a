//! Runs many paths of a scenario in parallel, deterministically.
//!
//! Each path draws from its own ChaCha8 stream: the key is a hash of the run
//! seed and the scenario's name, the stream id is the path index. Results
//! are collected in path order, so a run is a function of config and seed,
//! bit-identical at any thread count.

use crate::config::Config;
use crate::params::ContractParams;
use crate::sim::{Layer, PathOutcome, PathSim};
use indicatif::ProgressBar;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::ops::Range;

/// The random stream of one path.
pub fn path_rng(seed: u64, scenario: &str, path: u64) -> ChaCha8Rng {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(scenario.as_bytes());
    let mut rng = ChaCha8Rng::from_seed(h.finalize().into());
    rng.set_stream(path);
    rng
}

/// Simulates `paths` paths of scenario `index` under `params`.
pub fn simulate(
    cfg: &Config,
    index: usize,
    params: &ContractParams,
    paths: u64,
    progress: &ProgressBar,
) -> Vec<PathOutcome> {
    simulate_layer(cfg, index, params, Layer::Bulwark, paths, progress)
}

/// Simulates `paths` paths of scenario `index` with or without the layer.
/// Both draw the same random numbers path by path (common random numbers),
/// so their difference is the layer's effect alone.
///
/// An attacker who can choose how to attack the deployed parameters takes
/// the choice that pays it more: where the oracle attacker could time its
/// push ([`PathSim::can_time`]), both ways run on the same paths and the
/// one with the larger mean loss (its mean profit) is returned.
pub fn simulate_layer(
    cfg: &Config,
    index: usize,
    params: &ContractParams,
    layer: Layer,
    paths: u64,
    progress: &ProgressBar,
) -> Vec<PathOutcome> {
    PolicyOutcomes::simulate(cfg, index, params, layer, 0..paths, progress).chosen()
}

/// The outcomes of a run of consecutive paths under each attacker policy
/// the deployed parameters allow: pushing at once, and (where the oracle
/// attacker can time its push) timing it.
///
/// Invariant: a run of paths `0..n` built from the runs `0..m` and `m..n`
/// ([`PolicyOutcomes::extend`]) holds the same outcomes, and
/// [`PolicyOutcomes::chosen`] picks the same policy, as one run of `0..n`:
/// every path draws from its own stream, and the policy is chosen on the
/// whole run. The search's racing relies on it to score a candidate on its
/// first paths and complete it later (`a_split_run_is_the_whole_run`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolicyOutcomes {
    at_once: Vec<PathOutcome>,
    timed: Option<Vec<PathOutcome>>,
}

impl PolicyOutcomes {
    /// Simulates paths `range` of scenario `index` under every policy.
    pub fn simulate(
        cfg: &Config,
        index: usize,
        params: &ContractParams,
        layer: Layer,
        range: Range<u64>,
        progress: &ProgressBar,
    ) -> Self {
        let at_once = simulate_policy(cfg, index, params, layer, false, range.clone(), progress);
        let timed = PathSim::new(cfg, &cfg.scenarios[index], params, layer).can_time().then(|| {
            progress.inc_length(range.end - range.start);
            simulate_policy(cfg, index, params, layer, true, range, progress)
        });
        PolicyOutcomes { at_once, timed }
    }

    /// How many paths the run holds.
    pub fn len(&self) -> u64 {
        self.at_once.len() as u64
    }

    /// Whether the run holds no path.
    pub fn is_empty(&self) -> bool {
        self.at_once.is_empty()
    }

    /// This run (paths `0..self.len()`) continued to paths `0..paths` on
    /// scenario `index` under `params`.
    pub fn completed(
        mut self,
        cfg: &Config,
        index: usize,
        params: &ContractParams,
        paths: u64,
        progress: &ProgressBar,
    ) -> Self {
        if paths > self.len() {
            self.extend(PolicyOutcomes::simulate(cfg, index, params, Layer::Bulwark, self.len()..paths, progress));
        }
        self
    }

    /// Paths `range` of this run (counted from its first path), as a run.
    pub fn part(&self, range: Range<u64>) -> Self {
        let (a, b) = (range.start as usize, range.end as usize);
        PolicyOutcomes { at_once: self.at_once[a..b].to_vec(), timed: self.timed.as_ref().map(|t| t[a..b].to_vec()) }
    }

    /// This run, of paths `first..first + self.len()` of scenario `index`
    /// under other params, with Bulwark, re-simulated only on the paths whose
    /// outcome `reads` (each policy's own): the others are kept as they are.
    ///
    /// Exact only where a path `reads` rejects is the same under `params`
    /// as under the run's own (a knob the path never used): the caller's
    /// claim, tested by `skipping_paths_is_exact` for every knob that skips.
    pub fn resimulated(
        mut self,
        cfg: &Config,
        index: usize,
        params: &ContractParams,
        first: u64,
        reads: impl Fn(&PathOutcome) -> bool + Sync,
        progress: &ProgressBar,
    ) -> Self {
        let len = self.len();
        if PathSim::new(cfg, &cfg.scenarios[index], params, Layer::Bulwark).can_time() != self.timed.is_some() {
            return PolicyOutcomes::simulate(cfg, index, params, Layer::Bulwark, first..first + len, progress);
        }
        let redo = |outcomes: &mut Vec<PathOutcome>, timing: bool| {
            let again: Vec<u64> = (0..len).filter(|&j| reads(&outcomes[j as usize])).collect();
            let fresh =
                simulate_paths(cfg, index, params, Layer::Bulwark, timing, again.par_iter().map(|&j| first + j), None);
            for (j, o) in again.into_iter().zip(fresh) {
                outcomes[j as usize] = o;
            }
        };
        redo(&mut self.at_once, false);
        if let Some(timed) = self.timed.as_mut() {
            progress.inc_length(len);
            redo(timed, true);
            progress.inc(len);
        }
        progress.inc(len);
        self
    }

    /// Whether both runs hold the same attacker policies (only such runs
    /// join: [`PolicyOutcomes::extend`]).
    pub fn same_policies(&self, other: &Self) -> bool {
        self.timed.is_some() == other.timed.is_some()
    }

    /// Whether every policy holds the same number of paths (a run read
    /// from a file may not).
    pub fn well_formed(&self) -> bool {
        self.timed.as_ref().is_none_or(|t| t.len() == self.at_once.len())
    }

    /// Appends the run of paths that follows this one.
    pub fn extend(&mut self, next: PolicyOutcomes) {
        self.at_once.extend(next.at_once);
        if let (Some(t), Some(n)) = (self.timed.as_mut(), next.timed) {
            t.extend(n);
        }
    }

    /// The outcomes under the policy that pays the attacker more on these
    /// paths: the larger mean loss; pushing at once on a tie.
    pub fn chosen(self) -> Vec<PathOutcome> {
        match self.timed {
            Some(timed) if pays_more(&timed, &self.at_once) => timed,
            _ => self.at_once,
        }
    }

    /// [`PolicyOutcomes::chosen`], borrowed.
    pub fn chosen_ref(&self) -> &[PathOutcome] {
        match &self.timed {
            Some(timed) if pays_more(timed, &self.at_once) => timed,
            _ => &self.at_once,
        }
    }
}

/// Whether the attacker's weighted loss, summed over paths in path order,
/// is larger on `a` than on `b`.
fn pays_more(a: &[PathOutcome], b: &[PathOutcome]) -> bool {
    let loss = |v: &[PathOutcome]| v.iter().map(|o| o.weight * o.attack_loss).sum::<f64>();
    loss(a) > loss(b)
}

/// Paths `range` of scenario `index` with the attacker's timing fixed.
fn simulate_policy(
    cfg: &Config,
    index: usize,
    params: &ContractParams,
    layer: Layer,
    timing: bool,
    range: Range<u64>,
    progress: &ProgressBar,
) -> Vec<PathOutcome> {
    let out = simulate_paths(cfg, index, params, layer, timing, range.clone().into_par_iter(), Some(progress));
    // The loop counted 256 at every path p with p + 1 a multiple of 256 (a
    // range that starts inside a block counts that block whole).
    let counted = (range.end / 256 - range.start / 256) * 256;
    progress.inc((range.end - range.start).saturating_sub(counted));
    out
}

/// The paths `paths` (by index, in that order) of scenario `index` with the
/// attacker's timing fixed; progress counted in blocks of 256 path indices
/// when `progress` is given.
fn simulate_paths(
    cfg: &Config,
    index: usize,
    params: &ContractParams,
    layer: Layer,
    timing: bool,
    paths: impl ParallelIterator<Item = u64>,
    progress: Option<&ProgressBar>,
) -> Vec<PathOutcome> {
    let scenario = &cfg.scenarios[index];
    paths
        .map_init(
            || PathSim::new(cfg, scenario, params, layer).with_timing(timing),
            |sim, path| {
                let mut rng = path_rng(cfg.run.seed, &scenario.name, path);
                let o = sim.run(&mut rng);
                if let Some(progress) = progress.filter(|_| path % 256 == 255) {
                    progress.inc(256);
                }
                o
            },
        )
        .collect()
}

/// Test support for every claim that a parameter is read only by the paths
/// `reads` selects: scenario `index`'s run of `paths` paths under `from`
/// (with `cfg`), re-simulated under `to` (with `to_cfg`) only on those
/// paths, must be exactly the whole run under `to`, under each attacker
/// policy. Returns how many paths were kept and how many re-simulated, so
/// that the caller can check the test is not vacuous.
#[cfg(test)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn assert_skipping_is_exact(
    cfg: &Config,
    from: &ContractParams,
    to_cfg: &Config,
    to: &ContractParams,
    index: usize,
    paths: u64,
    reads: fn(&PathOutcome) -> bool,
    what: &str,
) -> (usize, usize) {
    let hidden = ProgressBar::hidden();
    let run = PolicyOutcomes::simulate(cfg, index, from, Layer::Bulwark, 0..paths, &hidden);
    let redone = run.chosen_ref().iter().filter(|o| reads(o)).count();
    let skipped = run.resimulated(to_cfg, index, to, 0, reads, &hidden);
    let whole = PolicyOutcomes::simulate(to_cfg, index, to, Layer::Bulwark, 0..paths, &hidden);
    assert!(skipped == whole, "{what} on {}: not the whole run", cfg.scenarios[index].name);
    (paths as usize - redone, redone)
}

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
    let at_once = simulate_policy(cfg, index, params, layer, false, paths, progress);
    if !PathSim::new(cfg, &cfg.scenarios[index], params, layer).can_time() {
        return at_once;
    }
    progress.inc_length(paths);
    let timed = simulate_policy(cfg, index, params, layer, true, paths, progress);
    let mean_loss = |v: &[PathOutcome]| v.iter().map(|o| o.weight * o.attack_loss).sum::<f64>();
    if mean_loss(&timed) > mean_loss(&at_once) {
        timed
    } else {
        at_once
    }
}

/// [`simulate_layer`] with the attacker's timing fixed.
fn simulate_policy(
    cfg: &Config,
    index: usize,
    params: &ContractParams,
    layer: Layer,
    timing: bool,
    paths: u64,
    progress: &ProgressBar,
) -> Vec<PathOutcome> {
    let scenario = &cfg.scenarios[index];
    let out = (0..paths)
        .into_par_iter()
        .map_init(
            || PathSim::new(cfg, scenario, params, layer).with_timing(timing),
            |sim, path| {
                let mut rng = path_rng(cfg.run.seed, &scenario.name, path);
                let o = sim.run(&mut rng);
                if path % 256 == 255 {
                    progress.inc(256);
                }
                o
            },
        )
        .collect();
    progress.inc(paths % 256);
    out
}

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
pub fn simulate_layer(
    cfg: &Config,
    index: usize,
    params: &ContractParams,
    layer: Layer,
    paths: u64,
    progress: &ProgressBar,
) -> Vec<PathOutcome> {
    let scenario = &cfg.scenarios[index];
    let out = (0..paths)
        .into_par_iter()
        .map_init(
            || PathSim::new(cfg, scenario, params, layer),
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

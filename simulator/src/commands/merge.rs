//! `merge`: joins the shard files of one `simulate --shard k/n` run and
//! writes what the run on one machine writes (`simulate-NAME.json`), byte
//! for byte ([`bulwark_sim::shard`]).

use super::check_out;
use crate::Cli;
use anyhow::{bail, Result};
use bulwark_sim::output;
use bulwark_sim::shard::{self, SimulateShard};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(cli: &Cli, files: &[PathBuf]) -> Result<()> {
    // The shards carry their run's config: another one here would be
    // ignored, so it is refused.
    if cli.config.is_some() || cli.paths.is_some() || cli.seed.is_some() {
        bail!("merge takes the config from the shards; --config, --paths and --seed belong to `simulate --shard`");
    }
    let start = Instant::now();
    let shards =
        files.iter().map(|f| Ok((f.display().to_string(), SimulateShard::read(f)?))).collect::<Result<Vec<_>>>()?;
    let merged = shard::merge(shards)?;
    check_out(cli, &[&output::simulate(&merged.scenario)])?;
    let outcomes = merged.outcomes.chosen();
    super::simulate::write_metrics(cli, &merged.cfg, &merged.scenario, &outcomes, start)
}

//! `merge`: joins the shard files of one `simulate --shard k/n` or
//! `calibrate --shard k/n` run and writes what the run on one machine
//! writes, byte for byte ([`bulwark_sim::shard`]).

use super::{check_out, progress};
use crate::Cli;
use anyhow::{bail, Result};
use bulwark_sim::calibrate::{conclude, PhaseClock};
use bulwark_sim::output;
use bulwark_sim::shard::{self, Merged, ShardFile};
use std::path::PathBuf;
use std::time::Instant;

pub fn run(cli: &Cli, files: &[PathBuf]) -> Result<()> {
    // The shards carry their run's config: another one here would be
    // ignored, so it is refused.
    if cli.config.is_some() || cli.paths.is_some() || cli.seed.is_some() {
        bail!("merge takes the config from the shards; --config, --paths and --seed belong to the sharded command");
    }
    let start = Instant::now();
    let shards =
        files.iter().map(|f| Ok((f.display().to_string(), ShardFile::read(f)?))).collect::<Result<Vec<_>>>()?;
    match shard::merge(shards)? {
        Merged::Simulate { cfg, scenario, outcomes } => {
            check_out(cli, &[&output::simulate(&scenario)])?;
            super::simulate::write_metrics(cli, &cfg, &scenario, &outcomes.chosen(), start)
        }
        Merged::Calibrate { cfg, search, runs } => {
            check_out(cli, &output::CALIBRATE)?;
            let pb = progress(cli);
            let cal = conclude(&cfg, *search, runs, &pb, PhaseClock::start())?;
            pb.finish_and_clear();
            super::calibrate::finish(cli, &cfg, &cal, start)
        }
    }
}

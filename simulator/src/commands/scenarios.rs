//! `scenarios`: lists the config's scenarios.

use super::load_config;
use crate::Cli;
use anyhow::Result;

pub fn run(cli: &Cli) -> Result<()> {
    let cfg = load_config(cli)?;
    for s in &cfg.scenarios {
        println!("{:<20} {:<20} {:<18} {}", s.name, s.attack.kind(), s.market, s.description);
    }
    Ok(())
}

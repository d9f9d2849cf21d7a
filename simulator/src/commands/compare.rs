//! `compare`: every scenario on the same paths under two parameter sets
//! (or one and no Bulwark); the yearly loss avoided.

use super::{check_out, check_resources, load_config, progress, write_effective_config};
use crate::Cli;
use anyhow::Result;
use bulwark_sim::params::{build, ContractParams, Knobs};
use bulwark_sim::resources::Command as Job;
use bulwark_sim::{output, report};
use std::path::PathBuf;

pub fn run(cli: &Cli, params: Option<&PathBuf>, vs: &str) -> Result<()> {
    let cfg = load_config(cli)?;
    check_resources(cli, &cfg, Job::Compare)?;
    check_out(cli, &output::COMPARE)?;
    let read = |p: &PathBuf| -> Result<(String, ContractParams)> {
        Ok((p.display().to_string(), report::ParamsFile::read(p)?.params()))
    };
    let (a_name, a) = match params {
        Some(p) => read(p)?,
        None => ("the grids' middle".to_string(), build(&cfg, &Knobs::middle(&cfg.calibration))?),
    };
    let b = if vs == "none" { None } else { Some(read(&PathBuf::from(vs))?) };
    let pb = progress(cli);
    let cmp = bulwark_sim::compare::compare(
        &cfg,
        (&a_name, &a),
        b.as_ref().map_or(("no Bulwark", None), |(n, p)| (n.as_str(), Some(p))),
        cfg.run.paths,
        &pb,
    );
    pb.finish_and_clear();
    let md = cmp.to_markdown();
    if cli.json {
        println!("{}", serde_json::to_string(&cmp)?);
    } else if !cli.quiet {
        println!("{md}");
    }
    write_effective_config(cli, &cfg, &output::COMPARE)?;
    output::write(&cli.out, "compare.md", md.as_bytes(), &output::COMPARE)?;
    let json = serde_json::to_string_pretty(&cmp)? + "\n";
    output::write(&cli.out, "compare.json", json.as_bytes(), &output::COMPARE)?;
    Ok(())
}

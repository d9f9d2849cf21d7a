//! What a run will hold and do, estimated before it starts, and refused
//! (exit 2, naming the fields) when it is more than this machine can hold.
//! [`crate::config::Config::validate`] bounds every setting on its own; their
//! product is bounded here (issue 21, item 14: 64 scenarios × 10⁷ paths ×
//! 43,200 steps passed validation and needed about 123 GB).
//!
//! The memory is the path outcomes the run keeps ([`PathOutcome`], one per
//! path and scenario, collected in full before they are analysed), at the
//! point where it keeps the most of them, plus one scenario's working data.

use crate::calibrate::MAX_REFINE_ROUNDS;
use crate::config::{AttackConfig, Config, ConfigError};
use crate::identify::IDENTIFICATION_PATHS_PER_SEARCH_PATH;
use crate::knobs::KNOBS;
use crate::sim::PathOutcome;

/// Bytes of one stored path outcome.
pub const OUTCOME_BYTES: u64 = std::mem::size_of::<PathOutcome>() as u64;

/// Bytes per path of the one scenario being worked on, beside the stored
/// outcomes: a second set of its outcomes while the oracle attacker's two
/// timings are compared, the analysis's sorted (loss, weight) pairs, losses
/// and weights (32 B), and a comparison's three yearly series (24 B).
const WORKING_BYTES_PER_PATH: u64 = OUTCOME_BYTES + 32 + 24;

/// Most path-steps (paths × steps a path, over every scenario) of a run's
/// full-size evaluations: 10¹² is about 35 CPU-hours at
/// [`PATH_STEPS_PER_CORE_SECOND`], before the search.
pub const MAX_PATH_STEPS: u64 = 1_000_000_000_000;

/// Path-steps a second on one core on `bulwark-sim bench`'s reference path
/// (28.0k paths/s of 288 steps on one thread, docs/performance.md): the simplest path, so
/// times from it are lower bounds.
pub const PATH_STEPS_PER_CORE_SECOND: f64 = 8.0e6;

/// The commands that simulate, and so store outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Calibrate,
    Compare,
    /// One scenario.
    Simulate,
}

/// A run's needs, before it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Peak bytes of stored path outcomes and the working data beside them.
    pub bytes: u64,
    /// Path-steps of the full-size evaluations (the search's come on top).
    pub path_steps: u64,
}

impl Estimate {
    /// CPU-seconds of the full-size evaluations, at least.
    pub fn cpu_seconds(&self) -> f64 {
        self.path_steps as f64 / PATH_STEPS_PER_CORE_SECOND
    }

    /// One line for the user before the run.
    pub fn describe(&self, available: Option<u64>) -> String {
        format!(
            "estimate: about {} of memory{}, and at least {} of CPU time for the full-size evaluations ({:.1e} path-steps; the search comes on top)",
            gb(self.bytes),
            available.map_or(String::new(), |a| format!(" ({} available)", gb(a))),
            duration(self.cpu_seconds()),
            self.path_steps as f64
        )
    }
}

fn gb(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

fn duration(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 2.0 * 3600.0 {
        format!("{:.0} minutes", secs / 60.0)
    } else {
        format!("{:.0} hours", secs / 3600.0)
    }
}

/// What `command` on `cfg` needs (saturating: a product too large for a
/// u64 is refused anyway).
pub fn estimate(cfg: &Config, command: Command) -> Estimate {
    let paths = cfg.run.paths;
    let steps = u64::from(cfg.steps());
    let scenarios = match command {
        Command::Simulate => 1,
        _ => cfg.scenarios.len() as u64,
    };
    let per_set = scenarios.saturating_mul(paths).saturating_mul(OUTCOME_BYTES);
    let working = paths.saturating_mul(WORKING_BYTES_PER_PATH);
    let (stored, evaluations) = match command {
        // The one scenario's outcomes (the working data holds the second
        // timing's).
        Command::Simulate => (per_set, 1),
        // Under A and under B, side by side.
        Command::Compare => (per_set.saturating_mul(2), 2),
        Command::Calibrate => {
            // The final runs, held together until the conclusion (and in
            // `merge`): under the choice, without Bulwark and under
            // --current, the oracle's under both attacker policies.
            let oracle =
                cfg.scenarios.iter().filter(|s| matches!(s.attack, AttackConfig::OracleManipulation { .. })).count()
                    as u64;
            let final_sets = (scenarios.saturating_add(oracle))
                .saturating_mul(paths)
                .saturating_mul(OUTCOME_BYTES)
                .saturating_mul(3);
            // The identification keeps, beside the final outcomes, its own
            // copy of their first paths, those paths' runs under both
            // attacker policies (two), each neighbour's (two a knob), the
            // one being run and a rescaled copy for the sensitivity table.
            let n = paths.min(IDENTIFICATION_PATHS_PER_SEARCH_PATH.saturating_mul(cfg.run.search_paths));
            // The search's runs of the candidates one knob away from its
            // choice, kept for the identification: at most every value a
            // knob can try (its grid and two a refinement round), each on
            // the scenarios the knob affects, the oracle's under both
            // attacker policies.
            let near: u64 = KNOBS
                .iter()
                .map(|k| {
                    let sets: u64 = cfg
                        .scenarios
                        .iter()
                        .filter(|s| k.affects(&s.attack))
                        .map(|s| if matches!(s.attack, AttackConfig::OracleManipulation { .. }) { 2 } else { 1 })
                        .sum();
                    (k.grid(cfg).len() as u64 + 2 * MAX_REFINE_ROUNDS as u64).saturating_mul(sets)
                })
                .sum::<u64>()
                .saturating_mul(cfg.run.search_paths)
                .saturating_mul(OUTCOME_BYTES);
            let identify = per_set
                .saturating_add(
                    scenarios
                        .saturating_mul(n)
                        .saturating_mul(OUTCOME_BYTES)
                        .saturating_mul(5 + 2 * KNOBS.len() as u64),
                )
                .saturating_add(near);
            // The search: the best candidate's outcomes and its runs under
            // both policies, a candidate's runs and the outcomes assembled
            // from them, and the runs kept one knob away.
            let search =
                scenarios.saturating_mul(cfg.run.search_paths).saturating_mul(OUTCOME_BYTES * 6).saturating_add(near);
            (final_sets.max(identify).max(search), 2)
        }
    };
    Estimate {
        bytes: stored.saturating_add(working),
        path_steps: scenarios.saturating_mul(paths).saturating_mul(steps).saturating_mul(evaluations),
    }
}

/// Refuses `command` on `cfg` when its outcomes do not fit in `available`
/// bytes (when known) or its full-size evaluations exceed
/// [`MAX_PATH_STEPS`]; its estimate otherwise.
pub fn check(cfg: &Config, command: Command, available: Option<u64>) -> Result<Estimate, ConfigError> {
    let e = estimate(cfg, command);
    let (fields, size) = match command {
        Command::Simulate => ("run.paths".to_string(), format!("{} paths", cfg.run.paths)),
        _ => (
            "run.paths × scenarios".to_string(),
            format!("{} scenarios × {} paths (run.paths)", cfg.scenarios.len(), cfg.run.paths),
        ),
    };
    if let Some(available) = available.filter(|&a| e.bytes > a) {
        return Err(ConfigError {
            path: fields,
            message: format!(
                "{size} need about {} of memory for the stored path outcomes ({OUTCOME_BYTES} bytes each) and the work beside them, and this machine has {} available; lower run.paths{}",
                gb(e.bytes),
                gb(available),
                if command == Command::Simulate { "" } else { " or the number of scenarios" }
            ),
        });
    }
    if e.path_steps > MAX_PATH_STEPS {
        return Err(ConfigError {
            path: format!("{fields} × steps"),
            message: format!(
                "{size} × {} steps a path (run.horizon_hours × 60 / run.step_minutes) are {:.1e} path-steps in the full-size evaluations alone, at least {} of CPU time; allowed at most {:.0e}: lower run.paths{} or run.horizon_hours, or raise run.step_minutes",
                cfg.steps(),
                e.path_steps as f64,
                duration(e.cpu_seconds()),
                MAX_PATH_STEPS as f64,
                if command == Command::Simulate { "" } else { ", the number of scenarios" }
            ),
        });
    }
    Ok(e)
}

/// Bytes this process may still allocate: MemAvailable from /proc/meminfo,
/// or less where a cgroup (v2) memory limit leaves less; `None` where
/// neither can be read.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb.saturating_mul(1024))
    });
    let read = |f: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{f}")).ok()?.trim().parse::<u64>().ok();
    let cgroup = read("memory.max").map(|max| max.saturating_sub(read("memory.current").unwrap_or(0)));
    match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 21's resource bomb: 64 scenarios × 10⁷ paths × 43,200 steps.
    fn bomb() -> Config {
        let mut cfg = Config::default();
        let calm = cfg.scenarios.iter().find(|s| s.name == "baseline_calm").unwrap().clone();
        cfg.scenarios = (0..64)
            .map(|i| {
                let mut s = calm.clone();
                s.name = format!("calm_{i}");
                s
            })
            .collect();
        cfg.run.paths = 10_000_000;
        cfg.run.search_paths = 1_000;
        cfg.run.horizon_hours = 720;
        cfg.run.step_minutes = 1;
        crate::params::check_config(&cfg).expect("each setting is within its own bounds");
        cfg
    }

    const GIB_16: u64 = 16 << 30;

    #[test]
    fn the_built_in_run_fits() {
        let cfg = Config::default();
        for command in [Command::Calibrate, Command::Compare, Command::Simulate] {
            let e = check(&cfg, command, Some(GIB_16)).unwrap();
            assert!(e.bytes < 2 << 30, "{command:?}: {e:?}");
        }
    }

    #[test]
    fn a_resource_bomb_is_refused_naming_its_fields() {
        let cfg = bomb();
        let e = estimate(&cfg, Command::Calibrate);
        // Three sets of 64 × 10⁷ outcomes: the final runs under the choice,
        // without Bulwark and under --current.
        assert!(e.bytes >= 3 * 64 * 10_000_000 * OUTCOME_BYTES, "{e:?}");
        for command in [Command::Calibrate, Command::Compare] {
            // Out of memory on a 16 GiB machine.
            let err = check(&cfg, command, Some(GIB_16)).unwrap_err();
            assert_eq!(err.path, "run.paths × scenarios");
            assert!(err.message.contains("64 scenarios × 10000000 paths") && err.message.contains("17.2 GB available"));
            // Where the memory is unknown (or large), the product bound.
            for available in [None, Some(u64::MAX)] {
                let err = check(&cfg, command, available).unwrap_err();
                assert_eq!(err.path, "run.paths × scenarios × steps", "{err}");
                assert!(err.to_string().contains("43200 steps a path"), "{err}");
            }
        }
        // One scenario of it fits in memory, and its path-steps are within the bound.
        let one = check(&cfg, Command::Simulate, Some(GIB_16)).unwrap();
        assert!(one.bytes > 10_000_000 * OUTCOME_BYTES);
    }

    #[test]
    fn this_machines_memory_is_read() {
        if std::path::Path::new("/proc/meminfo").exists() {
            assert!(available_memory().is_some_and(|b| b > 0));
        }
    }
}

//! The knobs the calibration searches: one row each in [`SPECS`] (name,
//! grid, bound, where it sits in [`Knobs`]), and which scenarios and paths
//! each can change (so a candidate re-simulates only those).

use crate::config::{AttackConfig, CalibrationConfig, Config};
use crate::params::Knobs;
use crate::sim::PathOutcome;
use serde::{Deserialize, Serialize};

/// The knobs, in search order (and [`SPECS`]'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Knob {
    HourlyShareBps,
    MaxDeviationBps,
    ThrottleHours,
    HaltHours,
    InflowDecayMinutes,
    ReferenceSmoothingBps,
    CriticalTimelockHours,
    ExitCooldownDays,
}

pub const KNOBS: [Knob; 8] = [
    Knob::HourlyShareBps,
    Knob::MaxDeviationBps,
    Knob::ThrottleHours,
    Knob::HaltHours,
    Knob::InflowDecayMinutes,
    Knob::ReferenceSmoothingBps,
    Knob::CriticalTimelockHours,
    Knob::ExitCooldownDays,
];

/// One knob's row of [`SPECS`]: its name, its values, and where it sits in
/// [`Knobs`]. Which paths and scenarios it changes ([`Knob::reads`],
/// [`Knob::affects`]) are claims about the model, kept as code beside their
/// tests.
struct Spec {
    /// Its key under `[calibration]` and in the report.
    name: &'static str,
    /// Whole numbers only (bps): a candidate is rounded.
    integer: bool,
    /// The largest value it may take (`Config::validate`'s bound on its grid).
    #[cfg(test)]
    max: f64,
    /// The user's grid of candidates.
    grid: fn(&CalibrationConfig) -> Vec<f64>,
    get: fn(&Knobs) -> f64,
    set: fn(&mut Knobs, f64),
}

/// A grid of bps as candidates.
fn bps(grid: &[u32]) -> Vec<f64> {
    grid.iter().map(|&v| f64::from(v)).collect()
}

/// A candidate of a bps knob.
fn whole(v: f64) -> u32 {
    v.round() as u32
}

/// The knobs' rows, in [`KNOBS`]'s order.
const SPECS: [Spec; 8] = [
    Spec {
        name: "hourly_share_bps",
        integer: true,
        #[cfg(test)]
        max: 10_000.0,
        grid: |c| bps(&c.hourly_share_bps),
        get: |k| f64::from(k.hourly_share_bps),
        set: |k, v| k.hourly_share_bps = whole(v),
    },
    Spec {
        name: "max_deviation_bps",
        integer: true,
        #[cfg(test)]
        max: 10_000.0,
        grid: |c| bps(&c.max_deviation_bps),
        get: |k| f64::from(k.max_deviation_bps),
        set: |k, v| k.max_deviation_bps = whole(v),
    },
    Spec {
        name: "throttle_hours",
        integer: false,
        #[cfg(test)]
        max: 24.0 * 30.0,
        grid: |c| c.throttle_hours.clone(),
        get: |k| k.throttle_hours,
        set: |k, v| k.throttle_hours = v,
    },
    Spec {
        name: "halt_hours",
        integer: false,
        #[cfg(test)]
        max: 24.0 * 30.0,
        grid: |c| c.halt_hours.clone(),
        get: |k| k.halt_hours,
        set: |k, v| k.halt_hours = v,
    },
    Spec {
        name: "inflow_decay_minutes",
        integer: false,
        #[cfg(test)]
        max: 7.0 * 24.0 * 60.0,
        grid: |c| c.inflow_decay_minutes.clone(),
        get: |k| k.inflow_decay_minutes,
        set: |k, v| k.inflow_decay_minutes = v,
    },
    Spec {
        name: "reference_smoothing_bps",
        integer: true,
        #[cfg(test)]
        max: 10_000.0,
        grid: |c| bps(&c.reference_smoothing_bps),
        get: |k| f64::from(k.reference_smoothing_bps),
        set: |k, v| k.reference_smoothing_bps = whole(v),
    },
    Spec {
        name: "critical_timelock_hours",
        integer: false,
        #[cfg(test)]
        max: 24.0 * 30.0,
        grid: |c| c.critical_timelock_hours.clone(),
        get: |k| k.critical_timelock_hours,
        set: |k, v| k.critical_timelock_hours = v,
    },
    Spec {
        name: "exit_cooldown_days",
        integer: false,
        #[cfg(test)]
        max: 365.0,
        grid: |c| c.exit_cooldown_days.clone(),
        get: |k| k.exit_cooldown_days,
        set: |k, v| k.exit_cooldown_days = v,
    },
];

impl Knob {
    fn spec(self) -> &'static Spec {
        &SPECS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The user's grid of candidates for this knob.
    pub(crate) fn grid(self, cfg: &Config) -> Vec<f64> {
        (self.spec().grid)(&cfg.calibration)
    }

    /// The largest value the knob may take.
    #[cfg(test)]
    pub(crate) fn max(self) -> f64 {
        self.spec().max
    }

    pub(crate) fn integer(self) -> bool {
        self.spec().integer
    }

    pub fn get(self, k: &Knobs) -> f64 {
        (self.spec().get)(k)
    }

    pub(crate) fn set(self, k: &Knobs, v: f64) -> Knobs {
        let mut k = *k;
        (self.spec().set)(&mut k, v);
        k
    }

    /// The paths whose outcome a change of this knob alone can change,
    /// by their outcome under any value: those that used it. `None`: every
    /// path. The search re-simulates only those (`skipping_paths_is_exact`).
    pub(crate) fn reads(self) -> Option<fn(&PathOutcome) -> bool> {
        match self {
            // Read by core only when the level is raised.
            Knob::ThrottleHours | Knob::HaltHours => Some(|o| o.escalated),
            Knob::CriticalTimelockHours => Some(|o| o.timelocked),
            _ => None,
        }
    }

    /// Whether this knob changes the outcome of `attack`'s scenario: the
    /// search re-simulates only those, so a wrong `false` here would score
    /// candidates on stale paths (`knobs_change_only_the_scenarios_they_affect`).
    pub(crate) fn affects(self, attack: &AttackConfig) -> bool {
        let event_driven = matches!(attack, AttackConfig::KeyCompromise { .. } | AttackConfig::BankRun { .. });
        match self {
            Knob::HourlyShareBps
            | Knob::MaxDeviationBps
            | Knob::ThrottleHours
            | Knob::InflowDecayMinutes
            | Knob::ReferenceSmoothingBps => !event_driven,
            // The hack in the bank run trips the breaker, and stakers cannot
            // leave while it is halted.
            Knob::HaltHours => !matches!(attack, AttackConfig::KeyCompromise { .. }),
            // The veto's window, the unpause after a detected attack and the
            // re-anchoring after a price fault (Critical calls) and the
            // judging of bonded trips all wait for it.
            Knob::CriticalTimelockHours => !matches!(attack, AttackConfig::BankRun { .. }),
            Knob::ExitCooldownDays => matches!(attack, AttackConfig::BankRun { .. }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each knob reads its own row: [`KNOBS`] and [`SPECS`] are in the same
    /// order, and the row's name is the variant's serialized name.
    #[test]
    fn every_knob_reads_its_own_row() {
        for (i, knob) in KNOBS.into_iter().enumerate() {
            assert_eq!(knob as usize, i);
            assert_eq!(serde_json::to_string(&knob).unwrap(), format!("\"{}\"", knob.name()));
            let moved = knob.set(&Knobs::first(&Config::default().calibration), 7.0);
            assert_eq!(knob.get(&moved), 7.0, "{}", knob.name());
            let others = KNOBS.into_iter().filter(|&o| o != knob);
            let first = Knobs::first(&Config::default().calibration);
            assert!(others.clone().all(|o| o.get(&moved) == o.get(&first)), "{} set another knob", knob.name());
        }
    }
}

//! The knobs the calibration searches: each one's name, grid, bounds, how
//! it sets the candidate's [`Knobs`], and which scenarios and paths it can
//! change (so a candidate re-simulates only those).

use crate::config::{AttackConfig, Config};
use crate::params::Knobs;
use crate::sim::PathOutcome;
use serde::Serialize;

/// The knobs, in search order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

impl Knob {
    pub fn name(self) -> &'static str {
        match self {
            Knob::HourlyShareBps => "hourly_share_bps",
            Knob::MaxDeviationBps => "max_deviation_bps",
            Knob::ThrottleHours => "throttle_hours",
            Knob::HaltHours => "halt_hours",
            Knob::InflowDecayMinutes => "inflow_decay_minutes",
            Knob::ReferenceSmoothingBps => "reference_smoothing_bps",
            Knob::CriticalTimelockHours => "critical_timelock_hours",
            Knob::ExitCooldownDays => "exit_cooldown_days",
        }
    }

    /// The user's grid of candidates for this knob.
    pub(crate) fn grid(self, cfg: &Config) -> Vec<f64> {
        let c = &cfg.calibration;
        match self {
            Knob::HourlyShareBps => c.hourly_share_bps.iter().map(|&v| f64::from(v)).collect(),
            Knob::MaxDeviationBps => c.max_deviation_bps.iter().map(|&v| f64::from(v)).collect(),
            Knob::ThrottleHours => c.throttle_hours.clone(),
            Knob::HaltHours => c.halt_hours.clone(),
            Knob::InflowDecayMinutes => c.inflow_decay_minutes.clone(),
            Knob::ReferenceSmoothingBps => c.reference_smoothing_bps.iter().map(|&v| f64::from(v)).collect(),
            Knob::CriticalTimelockHours => c.critical_timelock_hours.clone(),
            Knob::ExitCooldownDays => c.exit_cooldown_days.clone(),
        }
    }

    /// The largest value the knob may take.
    #[cfg(test)]
    pub(crate) fn max(self) -> f64 {
        match self {
            Knob::HourlyShareBps | Knob::MaxDeviationBps | Knob::ReferenceSmoothingBps => 10_000.0,
            Knob::ThrottleHours | Knob::HaltHours | Knob::CriticalTimelockHours => 24.0 * 30.0,
            Knob::InflowDecayMinutes => 7.0 * 24.0 * 60.0,
            Knob::ExitCooldownDays => 365.0,
        }
    }

    pub(crate) fn integer(self) -> bool {
        matches!(self, Knob::HourlyShareBps | Knob::MaxDeviationBps | Knob::ReferenceSmoothingBps)
    }

    pub fn get(self, k: &Knobs) -> f64 {
        match self {
            Knob::HourlyShareBps => f64::from(k.hourly_share_bps),
            Knob::MaxDeviationBps => f64::from(k.max_deviation_bps),
            Knob::ThrottleHours => k.throttle_hours,
            Knob::HaltHours => k.halt_hours,
            Knob::InflowDecayMinutes => k.inflow_decay_minutes,
            Knob::ReferenceSmoothingBps => f64::from(k.reference_smoothing_bps),
            Knob::CriticalTimelockHours => k.critical_timelock_hours,
            Knob::ExitCooldownDays => k.exit_cooldown_days,
        }
    }

    pub(crate) fn set(self, k: &Knobs, v: f64) -> Knobs {
        let mut k = *k;
        match self {
            Knob::HourlyShareBps => k.hourly_share_bps = v.round() as u32,
            Knob::MaxDeviationBps => k.max_deviation_bps = v.round() as u32,
            Knob::ThrottleHours => k.throttle_hours = v,
            Knob::HaltHours => k.halt_hours = v,
            Knob::InflowDecayMinutes => k.inflow_decay_minutes = v,
            Knob::ReferenceSmoothingBps => k.reference_smoothing_bps = v.round() as u32,
            Knob::CriticalTimelockHours => k.critical_timelock_hours = v,
            Knob::ExitCooldownDays => k.exit_cooldown_days = v,
        }
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

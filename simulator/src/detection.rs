//! How long an attack runs before somebody notices it: the delay from an
//! attack's first move to the guardian's pause.
//!
//! Detection delays are heavy-tailed: most exploits are seen within an hour,
//! a few go unnoticed for days (Ronin's bridge: six days, found when a user
//! could not withdraw). An exponential delay cannot hold both (with a 12 h
//! mean, six days has probability e⁻¹²), so the delay is log-normal, fitted
//! by maximum likelihood to the incidents in `[detection]`: μ and σ are the
//! mean and the standard deviation (divisor n) of the incidents' log-hours.
//!
//! A delay longer than `max_days` is cut there: the attack stops at that
//! point (it is *censored*) and the report counts how often that happened.

use crate::config::DetectionConfig;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use statrs::distribution::{ContinuousCDF, Normal};

/// The fitted delay distribution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectionModel {
    /// Mean of ln(hours).
    pub mu: f64,
    /// Standard deviation of ln(hours).
    pub sigma: f64,
    /// Longest simulated delay, in hours.
    pub max_hours: f64,
    delay: LogNormal<f64>,
}

impl DetectionModel {
    /// Fits the incidents. The config is validated first (at least three
    /// incidents, positive hours, not all equal), so the fit exists.
    pub fn fit(cfg: &DetectionConfig) -> Self {
        let logs: Vec<f64> = cfg.incidents.iter().map(|i| i.hours.ln()).collect();
        let n = logs.len() as f64;
        let mu = logs.iter().sum::<f64>() / n;
        let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n).sqrt();
        Self {
            mu,
            sigma,
            max_hours: cfg.max_days * 24.0,
            delay: LogNormal::new(mu, sigma).expect("validated: sigma is finite and positive"),
        }
    }

    /// One detection delay, in hours, cut at `max_hours`.
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        self.delay.sample(rng).min(self.max_hours)
    }

    pub fn median_hours(&self) -> f64 {
        self.mu.exp()
    }

    /// P(delay > hours) under the fit (before the cut).
    pub fn prob_longer_than(&self, hours: f64) -> f64 {
        let z = Normal::standard();
        1.0 - z.cdf((hours.ln() - self.mu) / self.sigma)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DetectionConfig, DetectionIncident};
    use rand::SeedableRng;

    fn cfg(hours: &[f64]) -> DetectionConfig {
        DetectionConfig {
            incidents: hours.iter().map(|&h| DetectionIncident { name: format!("{h} h"), hours: h }).collect(),
            max_days: 30.0,
        }
    }

    #[test]
    fn the_fit_is_the_log_moments_and_samples_follow_it() {
        // ln-hours 0, 2, 4: μ = 2, σ = √(8/3).
        let e2 = 2f64.exp();
        let m = DetectionModel::fit(&cfg(&[1.0, e2, e2 * e2]));
        assert!((m.mu - 2.0).abs() < 1e-12);
        assert!((m.sigma - (8.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((m.median_hours() - e2).abs() < 1e-9);
        assert!((m.prob_longer_than(e2) - 0.5).abs() < 1e-12);
        // The sample's tail matches the fitted tail: P(delay > 6 days).
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = 200_000;
        let p = m.prob_longer_than(144.0);
        let hits = (0..n).filter(|_| m.sample(&mut rng) > 144.0).count() as f64 / n as f64;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((hits - p).abs() < 4.0 * se, "sampled {hits}, fitted {p}");
    }

    #[test]
    fn the_default_incidents_give_a_six_day_detection_a_real_chance() {
        let m = DetectionModel::fit(&crate::defaults::detection());
        let p = m.prob_longer_than(144.0);
        // An exponential with a 12 h mean gives e^-12 ≈ 6e-6.
        assert!(p > 0.005 && p < 0.1, "P(> 6 days) = {p}");
        assert!(m.median_hours() < 6.0, "most incidents are seen within hours: median {}", m.median_hours());
    }

    #[test]
    fn delays_are_cut_at_the_maximum() {
        let mut c = cfg(&[1.0, 100.0, 10_000.0]);
        c.max_days = 1.0;
        let m = DetectionModel::fit(&c);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        assert!((0..10_000).all(|_| m.sample(&mut rng) <= 24.0));
    }
}

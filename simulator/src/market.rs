//! Market model: jump-diffusion log prices over equicorrelated assets.
//!
//! Per step of `dt` years, each asset's log price moves by
//! `(μ − σ²/2)·dt + σ·√dt·Z + J`, where `Z` is the correlated shock (Gaussian,
//! or Student-t scaled to unit variance) and `J` a Merton jump
//! `N(jump_mean, jump_sd)` that arrives with probability `λ·dt` and hits all
//! assets at once (crashes are systemic).

use rand::Rng;
use rand_distr::{Distribution, StandardNormal, StudentT};
use serde::{Deserialize, Serialize};

/// A market regime: jump-diffusion (GBM with Merton jumps), optionally with
/// Student-t diffusion shocks, over one or more equicorrelated assets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarketModel {
    pub description: String,
    /// Annualized volatility of the diffusion part.
    pub annual_vol: f64,
    /// Annualized drift.
    pub annual_drift: f64,
    /// Expected jumps per year.
    pub jumps_per_year: f64,
    /// Mean of the log jump size.
    pub jump_mean: f64,
    /// Standard deviation of the log jump size.
    pub jump_sd: f64,
    /// Degrees of freedom of Student-t shocks (scaled to unit variance); absent for Gaussian.
    pub student_t_df: Option<f64>,
    /// Number of assets the protocol holds.
    pub assets: u32,
    /// Pairwise correlation of the assets' shocks.
    pub correlation: f64,
    /// Initial USD price of every asset.
    pub initial_price_usd: f64,
    /// Days per year the market is in this regime: weighs the downtime of
    /// attack-free scenarios in the objective.
    pub days_per_year: f64,
}

/// Most assets a market may have (fixed so stepping never allocates).
pub const MAX_ASSETS: usize = 8;

pub struct Market {
    assets: usize,
    drift: f64,
    vol: f64,
    jump_prob: f64,
    jump_mean: f64,
    jump_sd: f64,
    student: Option<(StudentT<f64>, f64)>,
    /// Lower-triangular Cholesky factor of the correlation matrix, row-major.
    chol: [[f64; MAX_ASSETS]; MAX_ASSETS],
}

impl Market {
    pub fn new(m: &MarketModel, step_minutes: u32) -> Self {
        let dt = f64::from(step_minutes) / (365.0 * 24.0 * 60.0);
        let n = m.assets as usize;
        let student = m.student_t_df.map(|df| {
            // Var(t_df) = df/(df−2); scale to unit variance.
            (StudentT::new(df).expect("validated df > 2"), ((df - 2.0) / df).sqrt())
        });
        Self {
            assets: n,
            drift: (m.annual_drift - 0.5 * m.annual_vol * m.annual_vol) * dt,
            vol: m.annual_vol * dt.sqrt(),
            jump_prob: (m.jumps_per_year * dt).min(1.0),
            jump_mean: m.jump_mean,
            jump_sd: m.jump_sd,
            student,
            chol: cholesky_equicorrelation(n, m.correlation),
        }
    }

    pub fn assets(&self) -> usize {
        self.assets
    }

    /// Advances `log_returns[..assets]` by one step (cumulative log return
    /// from the start). `shocks` is scratch space of the same length.
    #[inline]
    pub fn step<R: Rng>(&self, rng: &mut R, log_returns: &mut [f64; MAX_ASSETS], shocks: &mut [f64; MAX_ASSETS]) {
        let n = self.assets;
        for s in shocks.iter_mut().take(n) {
            *s = match &self.student {
                Some((t, scale)) => t.sample(rng) * scale,
                None => StandardNormal.sample(rng),
            };
        }
        let jump = if self.jump_prob > 0.0 && rng.random::<f64>() < self.jump_prob {
            let z: f64 = StandardNormal.sample(rng);
            self.jump_mean + self.jump_sd * z
        } else {
            0.0
        };
        for (i, (lr, row)) in log_returns.iter_mut().zip(&self.chol).enumerate().take(n) {
            let z: f64 = row[..=i].iter().zip(&shocks[..=i]).map(|(l, s)| l * s).sum();
            *lr += self.drift + self.vol * z + jump;
        }
    }
}

/// Cholesky factor of the n×n matrix with 1 on the diagonal and `rho` elsewhere.
fn cholesky_equicorrelation(n: usize, rho: f64) -> [[f64; MAX_ASSETS]; MAX_ASSETS] {
    let mut l = [[0.0; MAX_ASSETS]; MAX_ASSETS];
    for i in 0..n {
        for j in 0..=i {
            let a = if i == j { 1.0 } else { rho };
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            l[i][j] = if i == j { (a - s).max(0.0).sqrt() } else { (a - s) / l[j][j] };
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn model() -> MarketModel {
        MarketModel {
            description: String::new(),
            annual_vol: 0.8,
            annual_drift: 0.0,
            jumps_per_year: 0.0,
            jump_mean: 0.0,
            jump_sd: 0.0,
            student_t_df: None,
            assets: 2,
            correlation: 0.6,
            initial_price_usd: 1.0,
            days_per_year: 365.0,
        }
    }

    /// Sample variance and correlation of one-step returns match the model.
    #[test]
    fn moments_match_the_model() {
        for df in [None, Some(4.0)] {
            let m = MarketModel { student_t_df: df, ..model() };
            let market = Market::new(&m, 60);
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let n = 200_000;
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            let mut shocks = [0.0; MAX_ASSETS];
            for _ in 0..n {
                let mut r = [0.0; MAX_ASSETS];
                market.step(&mut rng, &mut r, &mut shocks);
                sa += r[0];
                sb += r[1];
                saa += r[0] * r[0];
                sbb += r[1] * r[1];
                sab += r[0] * r[1];
            }
            let nf = n as f64;
            let va = saa / nf - (sa / nf).powi(2);
            let vb = sbb / nf - (sb / nf).powi(2);
            let cov = sab / nf - (sa / nf) * (sb / nf);
            let dt = 1.0 / (365.0 * 24.0);
            let want = 0.64 * dt;
            assert!((va / want - 1.0).abs() < 0.03, "variance {va} vs {want} (df {df:?})");
            assert!((vb / want - 1.0).abs() < 0.03);
            assert!((cov / (va * vb).sqrt() - 0.6).abs() < 0.01);
        }
    }

    #[test]
    fn jumps_arrive_at_their_rate() {
        let m = MarketModel {
            annual_vol: 0.0,
            jumps_per_year: 365.0 * 24.0 * 0.1,
            jump_mean: -0.1,
            jump_sd: 0.0,
            ..model()
        };
        let market = Market::new(&m, 60);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut r = [0.0; MAX_ASSETS];
        let mut shocks = [0.0; MAX_ASSETS];
        for _ in 0..100_000 {
            market.step(&mut rng, &mut r, &mut shocks);
        }
        let jumps = -r[0] / 0.1;
        assert!((jumps / 10_000.0 - 1.0).abs() < 0.05, "{jumps} jumps");
        assert_eq!(r[0], r[1], "jumps hit all assets");
    }
}

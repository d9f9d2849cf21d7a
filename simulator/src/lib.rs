//! bulwark-sim: Monte Carlo attack simulation and parameter calibration over
//! the real bulwark-core state machines.
pub mod annual;
pub mod backtest;
pub mod bench;
pub mod calibrate;
pub mod compare;
pub mod config;
pub mod config_error;
pub mod defaults;
pub mod detection;
pub mod engine;
pub mod identify;
pub mod knobs;
pub mod market;
pub mod metrics;
pub mod output;
pub mod params;
pub mod report;
pub mod resources;
pub mod scoring;
pub mod shard;
pub mod sim;
pub mod units;

//! bulwark-deploy: puts a calibrated params.json on a pallet-contracts chain.
//! See docs/deploy.md.
pub mod chain;
pub mod contracts;
pub mod deploy;
pub mod safety;

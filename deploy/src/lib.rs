//! bulwark-deploy: puts a calibrated params.json on a pallet-contracts or a
//! pallet-revive chain.
//! See docs/deploy.md.
pub mod chain;
pub mod contracts;
pub mod deploy;
pub mod revive;
pub mod safety;

//! bulwark-deploy: puts a calibrated params.json on a pallet-contracts chain.
//! See the README's "Deploy to a chain".
pub mod chain;
pub mod contracts;
pub mod deploy;
pub mod safety;

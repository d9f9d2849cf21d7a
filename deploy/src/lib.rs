//! bulwark-deploy: puts a calibrated params.json on a pallet-revive chain.
//! See docs/deploy.md.
//!
//! Input is checked in [`safety`] before anything is sent; [`contracts`]
//! reads the release builds and places core's allow-list; [`revive`] plans,
//! sends and verifies through the chain's client; [`chain`] names what a
//! call did; [`record`] is the deployment.json written after every step.
pub mod chain;
pub mod contracts;
pub mod record;
pub mod revive;
pub mod safety;

//! bulwark-sim: attack simulation and calibration over bulwark-core.
//!
//! A skeleton: the engine, attacks and calibration arrive with their own
//! issue (see the README's roadmap).

fn main() {
    println!("bulwark-sim {}: simulation engine not implemented yet", env!("CARGO_PKG_VERSION"));
}

//! Scenarios: the catalogue's files (raw) → validated model; knows nothing of processes.

pub mod load;
pub mod model;
pub mod raw;

pub use load::{load_catalogue, parse_scenario, position, set_port, LoadError, PORT_PLACEHOLDER};
pub use model::*;

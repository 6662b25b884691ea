//! The sandbox of `grade` (Linux): the world a scenario runs in (network
//! namespaces, cgroups, limits, pseudo-terminals, /proc) and the runner that
//! drives it through a scenario's steps into a transcript.

// Functions stay short (threshold in harness/clippy.toml).
#![warn(clippy::too_many_lines)]

pub mod runner;
pub mod world;

// The pure stages the runner records into and waits on.
pub(crate) use grade_core::{expect, fault, scenario, stall, submission, transcript};

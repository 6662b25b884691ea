//! `grade`: drives chat-lab programs through scenarios and judges them.
//!
//! Pipeline: scenario file → Scenario → runner drives a World → Transcript →
//! Verdict → Reporter. `run` is the only place that wires the stages.

pub mod cli;

use std::process::ExitCode;

/// Exit codes of the contract (DESIGN.md).
pub mod exit {
    /// Every graded scenario passed.
    pub const PASS: u8 = 0;
    /// Some scenario failed.
    pub const FAIL: u8 = 1;
    /// Bad usage or a bad scenario file.
    pub const USAGE: u8 = 2;
    /// The harness could not run in this environment.
    pub const ENVIRONMENT: u8 = 3;
}

pub fn main() -> ExitCode {
    let args = <cli::Args as clap::Parser>::parse();
    match args.command {
        Some(cli::Command::Reference(r)) => {
            let opts = reference::Options {
                host: r.host,
                port: r.port,
                start: r.start,
            };
            let code = reference::run(r.name, &opts);
            ExitCode::from(code.clamp(0, 255) as u8)
        }
        _ => {
            eprintln!("grade: grading is not implemented yet; `grade reference NAME` runs a reference program");
            ExitCode::from(exit::USAGE)
        }
    }
}

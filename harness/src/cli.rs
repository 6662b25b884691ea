//! Command line (clap types stop here): the contract of DESIGN.md.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "grade",
    version,
    about = "Grades chat-lab client and server programs (q1..q4)"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server program under test: a path, a command line, a .py or .c file, or ref:NAME.
    #[arg(long, value_name = "PROG")]
    pub server: Option<String>,
    /// The client program under test.
    #[arg(long, value_name = "PROG")]
    pub client: Option<String>,
    /// Grade the built-in reference programs (self-test, demo).
    #[arg(long)]
    pub reference: bool,
    /// Only these questions (q1..q4); repeatable.
    #[arg(short = 'q', long = "question", value_name = "Q")]
    pub questions: Vec<String>,
    /// Only scenarios whose id matches this glob; repeatable.
    #[arg(short = 's', long = "scenario", value_name = "GLOB")]
    pub scenarios: Vec<String>,
    /// Extra scenario files (add to or override the embedded catalogue).
    #[arg(long = "scenarios", value_name = "DIR")]
    pub scenario_dir: Option<PathBuf>,
    /// Report format.
    #[arg(long, default_value = "human", value_name = "FORMAT")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Language of every text: en or fr.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Multiply every deadline (slow machines).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub timeout_scale: f64,
    /// The port the programs under test use.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// More detail: full transcripts for passing scenarios too.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the scenario catalogue, with points.
    List {
        #[arg(short = 'q', long = "question", value_name = "Q")]
        questions: Vec<String>,
    },
    /// Run a built-in reference program (q1-server, q2-client, q3-server, q3-client, q4-server, q4-client).
    Reference(ReferenceArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReferenceArgs {
    /// Which program.
    pub name: reference::Program,
    /// Host to connect to (clients) or bind (servers).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// q3: start the cycle by receiving or by sending (the lecture's variants).
    #[arg(long)]
    pub start: Option<reference::Start>,
}

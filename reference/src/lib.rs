//! Reference programs for the chat lab, one module per question: the model
//! answers a student could be shown, and the peers the grader plays against.
//!
//! Every program is a plain function over `Options` returning a process exit
//! code; the `grade` binary dispatches `grade reference NAME` here.

mod net;
mod q1;
mod q2;
mod q3;
mod q4;

use std::fmt;
use std::str::FromStr;

/// Which side starts the q3 cycle: the sheet's client starts by sending
/// (reading the keyboard), its server by receiving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Receive,
    Send,
}

impl FromStr for Start {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "receive" | "recv" => Ok(Start::Receive),
            "send" => Ok(Start::Send),
            other => Err(format!(
                "unknown start `{other}` (expected receive or send)"
            )),
        }
    }
}

/// The reference programs, by the names `grade reference NAME` and `ref:NAME` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Q1Server,
    Q2Client,
    Q3Server,
    Q3Client,
    Q4Server,
    Q4Client,
}

impl Program {
    pub const ALL: [Program; 6] = [
        Program::Q1Server,
        Program::Q2Client,
        Program::Q3Server,
        Program::Q3Client,
        Program::Q4Server,
        Program::Q4Client,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Program::Q1Server => "q1-server",
            Program::Q2Client => "q2-client",
            Program::Q3Server => "q3-server",
            Program::Q3Client => "q3-client",
            Program::Q4Server => "q4-server",
            Program::Q4Client => "q4-client",
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Program {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Program::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Program::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown reference program `{s}` (one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Command-line options shared by every reference program.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: String,
    pub port: u16,
    /// q3 only: which step the cycle starts with (default: the sheet's).
    pub start: Option<Start>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "127.0.0.1".into(),
            port: 8080,
            start: None,
        }
    }
}

/// Runs one reference program to its end; returns its exit code: 0 when the
/// chat ended normally (end of input, peer gone), 1 when the program could
/// not do its job (no server, port taken, a line that could not be sent),
/// with one line on stderr saying why.
pub fn run(program: Program, opts: &Options) -> i32 {
    let outcome = match program {
        Program::Q1Server => q1::server(opts),
        Program::Q2Client => q2::client(opts),
        Program::Q3Server => q3::server(opts),
        Program::Q3Client => q3::client(opts),
        Program::Q4Server => q4::server(opts),
        Program::Q4Client => q4::client(opts),
    };
    match outcome {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{program}: {e}");
            1
        }
    }
}

//! Scenario files as written (serde, TOML): checked for shape only; `model`
//! turns them into validated scenarios.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub id: Spanned<String>,
    pub question: Spanned<String>,
    pub role: Spanned<String>,
    pub points: Spanned<f64>,
    pub title: RawText,
    pub passes: RawText,
    /// Programs the scenario always runs (demos: the lecture's variants),
    /// whatever `--server`/`--client` say.
    pub programs: Option<RawPrograms>,
    #[serde(default)]
    pub step: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrograms {
    pub server: Option<String>,
    pub client: Option<String>,
}

/// `{ en = "…", fr = "…", de = "…" }`: any language, English required.
pub type RawText = toml::Spanned<std::collections::BTreeMap<String, String>>;

/// One step: exactly one action key, plus an optional deadline.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Which program a typing, printing or end-of-input step is about
    /// (pair scenarios): "server" or "client". Default: the role's.
    pub side: Option<String>,
    /// Pair scenarios: the harness sits on the wire between the programs
    /// (each in its own network namespace) and records every segment.
    pub relay: Option<bool>,
    /// Start the program under test: "server" or "client".
    pub start: Option<String>,
    /// Interrupt (Ctrl-C) the program and start it again at once.
    pub restart: Option<String>,
    /// The peer listens on the port, for a client under test.
    pub listen: Option<bool>,
    /// The peer connects to the server under test (waits until it listens).
    pub connect: Option<bool>,
    /// The peer accepts the client's connection.
    pub accept: Option<bool>,
    /// The peer sends these segments, each read by the program before the next.
    pub send: Option<Vec<String>>,
    /// With `send`: when each next segment goes. "consumed" (default): once
    /// the program has read the previous one; "printed": once it printed
    /// the previous one as a line, or the world is quiescent.
    pub pace: Option<String>,
    /// Type these lines into the program's terminal.
    #[serde(rename = "type")]
    pub type_: Option<Vec<String>>,
    /// Wait until the program has read what was sent or typed and settled
    /// (quiescent or exited); never fails: a sync point, not a check.
    pub settle: Option<bool>,
    /// Type end of input (Ctrl-D).
    pub eof: Option<bool>,
    /// Ctrl-C on the program.
    pub interrupt: Option<bool>,
    /// The peer closes its connection.
    pub close: Option<bool>,
    /// These lines are printed, in order, each once, nothing merged or split.
    pub expect_printed: Option<Vec<String>>,
    /// These lines arrive at the peer, newline-terminated, in order.
    pub expect_received: Option<Vec<String>>,
    /// The program exits: "clean" (status 0, no traceback), "message" (any
    /// status, after printing a message that is not a traceback) or "all"
    /// (every process of it ends, however: no orphan, no zombie).
    pub expect_exit: Option<String>,
    /// After the peer left: the program exits cleanly or waits quietly; no
    /// busy loop, no output flood.
    /// "clean": ending is fine only with status 0 or a message; "any": any end.
    pub expect_calm: Option<String>,
    /// Nothing is sent by the program until it is quiescent (out-of-turn
    /// sends fail).
    pub expect_silent: Option<bool>,
    /// The programs block for good, each waiting for the other (a proven
    /// deadlock passes).
    pub expect_deadlock: Option<bool>,
    /// At least two processes of the program, now (q4's fork).
    pub expect_fork: Option<bool>,
    /// The peer sees the program close (or half-close) the connection.
    pub expect_closed: Option<bool>,
    /// Deadline (safety net) for this step, in milliseconds.
    pub within_ms: Option<u64>,
}

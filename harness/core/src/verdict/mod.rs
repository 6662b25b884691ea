//! The verdict: `judge(scenario, transcript)` is pure. It finds the first
//! expectation the transcript does not meet and explains it in the student's
//! terms: one context per failed step (`ctx`), then that kind of
//! expectation's table of small rules, first match wins (`rules`), giving a
//! diagnosis with a stable code (DESIGN.md) and a fix. A verdict carries
//! its evidence (the snapshot it read, the deadlock cycle, the processes at
//! fault), so that reporters show it and never read the transcript again.

mod connect;
mod ctx;
mod exit;
mod limit;
mod notes;
mod printed;
mod received;
mod rules;
mod waits;
mod world;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use crate::diagnosis::{Code, Diagnosis};
pub use crate::stall::Cycle;
pub use ctx::DEFAULT_PORT;

use crate::diagnosis::list;
use crate::expect;
use crate::msg::{Arg, Lang, Msg};
use crate::scenario::{Action, ExitKind, Scenario};
use crate::stall;
use crate::transcript::{Event, ProcView, StartFailure, Transcript};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub score: f64,
    pub diagnosis: Option<Diagnosis>,
    /// What the failed step expected, in words.
    pub expected: Option<Msg>,
    /// Index of the step that failed.
    pub failed_step: Option<usize>,
    /// What the verdict read to conclude.
    pub evidence: Evidence,
    /// Advice that costs no points, on a scenario that passed.
    pub notes: Vec<Msg>,
}

/// What a verdict read in the transcript: for reporters to show (the
/// cycle in red, the process at fault), never to work out again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evidence {
    /// The process snapshot it read: the last of the failed step's window
    /// (up to teardown), or the one that proved a deadlock.
    pub snapshot: Option<Snapshot>,
    /// The wait-for cycle between the programs in that snapshot.
    pub cycle: Option<Cycle>,
    /// The processes the diagnosis names (pids).
    pub at_fault: Vec<i32>,
}

/// One process snapshot of the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// When it was taken: its entry's time (entries are identified by time,
    /// since bounding a transcript drops entries).
    pub t: Duration,
    pub views: Vec<ProcView>,
}

impl Verdict {
    /// A scenario that a submission problem kept from running: failed, no
    /// points, `d` saying why (one line; the reports show the problem once).
    pub fn not_run(d: Diagnosis) -> Verdict {
        Verdict {
            status: Status::Fail,
            score: 0.0,
            diagnosis: Some(d),
            expected: None,
            failed_step: None,
            evidence: Evidence::default(),
            notes: Vec::new(),
        }
    }

    /// The diagnosis' message, in `lang`.
    pub fn message(&self, lang: &Lang) -> Option<String> {
        self.diagnosis.as_ref().map(|d| lang.msg(&d.message))
    }
}

/// Judges one run.
pub fn judge(s: &Scenario, tr: &Transcript) -> Verdict {
    if let Some(d) = start_failure(tr) {
        let step = tr.entries.iter().rev().find_map(|e| match e.event {
            Event::Step(i) => Some(i),
            _ => None,
        });
        return failed(s, d, step, Evidence::default());
    }
    // A limit hit fails the scenario, whatever else happened.
    if let Some((d, step)) = limit::failure(s, tr) {
        return failed(s, d, step, Evidence::default());
    }
    let teardown = tr
        .entries
        .iter()
        .position(|e| e.event == Event::Teardown)
        .unwrap_or(tr.entries.len());
    let mut evidence = Evidence::default();
    for (i, step) in s.steps.iter().enumerate() {
        if !step.action.is_expectation() {
            continue;
        }
        let window = tr
            .step_start(i)
            .map(|from| (from, tr.step_start(i + 1).unwrap_or(teardown)));
        let Some((from, to)) = window.filter(|&(from, to)| met(s, tr, i, from, to)) else {
            let c = ctx::Ctx::new(s, tr, i, teardown);
            let d = rules::blame(&c, rules::diagnose(&c));
            let evidence = c.evidence(&d);
            return failed(s, d, Some(i), evidence);
        };
        if step.action == Action::ExpectDeadlock {
            evidence = proven_deadlock(tr, from, to);
        }
    }
    Verdict {
        status: Status::Pass,
        score: s.points,
        diagnosis: None,
        expected: None,
        failed_step: None,
        evidence,
        notes: notes::of_pass(s, tr, teardown),
    }
}

/// A failure at `step` (when it names a step of `s`: a transcript that is
/// not this scenario's own may name others).
fn failed(s: &Scenario, d: Diagnosis, step: Option<usize>, evidence: Evidence) -> Verdict {
    let step = step.filter(|&i| i < s.steps.len());
    Verdict {
        status: Status::Fail,
        score: 0.0,
        expected: step.and_then(|i| expected(&s.steps[i].action)),
        diagnosis: Some(d),
        failed_step: step,
        evidence,
        notes: Vec::new(),
    }
}

/// Whether step `i` (an expectation) is met by entries `from..to`.
fn met(s: &Scenario, tr: &Transcript, i: usize, from: usize, to: usize) -> bool {
    let actor = expect::actor_of(s.step_side(i));
    match &s.steps[i].action {
        Action::ExpectExit(ExitKind::All) => tr
            .window(from, to)
            .iter()
            .any(|e| e.actor == actor && e.event == Event::AllEnded),
        Action::ExpectExit(kind) => ctx::exit_ok(s, tr, from, to, *kind),
        Action::ExpectCalm(kind) => ctx::calm_ok(s, tr, from, to, *kind),
        Action::ExpectSilent => !expect::sent_in(s, tr, i, to),
        Action::ExpectFork => {
            stall::snapshot(tr, from, to).is_some_and(|v| stall::one_per_direction(v, actor))
        }
        Action::ExpectDeadlock => {
            tr.window(from, to)
                .iter()
                .any(|e| e.event == Event::Quiescent)
                && stall::snapshot(tr, from, to).is_some_and(|v| stall::deadlock_cycle(v).is_some())
        }
        // What crossed the wire must be lines and nothing else.
        _ => expect::met(s, tr, i, to) && received::wire_clean(s, tr, i, to),
    }
}

/// The snapshot that proved a deadlock in entries `from..to`, and its cycle.
fn proven_deadlock(tr: &Transcript, from: usize, to: usize) -> Evidence {
    let snapshot = stall::last_snapshot(tr, from, to);
    Evidence {
        cycle: snapshot.and_then(|(_, v)| stall::deadlock_cycle(v)),
        snapshot: snapshot.map(|(t, v)| Snapshot {
            t,
            views: v.to_vec(),
        }),
        at_fault: Vec::new(),
    }
}

/// The grader's own fault in one scenario (`code`: `environment` for the
/// machine grade runs on, `internal-error` for a bug of grade; `what`: what
/// failed): `error`, no points, and a message that says whose fault it is,
/// never a diagnosis of the student's program.
pub fn grader_fault(code: Code, what: &str) -> Verdict {
    Verdict {
        status: Status::Error,
        score: 0.0,
        diagnosis: Some(Diagnosis::new(
            code,
            Msg::new("diag-grader-fault").arg("what", what),
            Msg::new("hint-grader-fault"),
        )),
        expected: None,
        failed_step: None,
        evidence: Evidence::default(),
        notes: Vec::new(),
    }
}

/// What a step expects, in words (for the steps that can fail).
fn expected(a: &Action) -> Option<Msg> {
    let id = match a {
        Action::Connect => "expected-connect",
        Action::Accept => "expected-accept",
        Action::ExpectPrinted(v) => {
            return Some(Msg::new("expected-printed").arg("lines", lines(v)))
        }
        Action::ExpectReceived(v) => {
            return Some(Msg::new("expected-received").arg("lines", lines(v)))
        }
        Action::ExpectExit(ExitKind::Clean) => "expected-exit-clean",
        Action::ExpectExit(ExitKind::Message) => "expected-exit-message",
        Action::ExpectCalm(_) => "expected-calm",
        Action::ExpectExit(ExitKind::All) => "expected-exit-all",
        Action::ExpectSilent => "expected-silent",
        Action::ExpectDeadlock => "expected-deadlock",
        Action::ExpectFork => "expected-fork",
        Action::ExpectClosed => "expected-closed",
        _ => return None,
    };
    Some(Msg::new(id))
}

/// Expected lines, quoted and joined: `` `un`, `deux` ``, one past 60
/// characters cut.
fn lines(v: &[String]) -> Arg {
    let quoted = v
        .iter()
        .map(|l| {
            let head: String = l.chars().take(60).collect();
            let m = if head.len() < l.len() {
                Msg::new("expected-line-cut")
                    .arg("head", head)
                    .arg("n", l.chars().count())
            } else {
                Msg::new("expected-line").arg("line", l)
            };
            m.into()
        })
        .collect();
    list(quoted, "list-comma")
}

/// The program could not even start (compile error, missing file, no namespace).
fn start_failure(tr: &Transcript) -> Option<Diagnosis> {
    tr.entries.iter().find_map(|e| match &e.event {
        Event::StartFailed { failure, detail } => Some(if *failure == StartFailure::CompileError {
            Diagnosis::new(
                Code::CompileError,
                Msg::new("diag-compile-error").arg("detail", detail),
                Msg::new("hint-compile-error"),
            )
        } else {
            Diagnosis::new(
                Code::Crashed,
                Msg::new("diag-not-started").arg("detail", detail),
                Msg::new("hint-not-started"),
            )
        }),
        _ => None,
    })
}

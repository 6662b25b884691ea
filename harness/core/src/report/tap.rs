//! TAP version 13 (`--format tap`): one test point per scenario, in
//! catalogue order, and a YAML block under each one that did not pass.
//!
//! ```text
//! TAP version 13
//! 1..8
//! ok 1 - q1.server.listens — Listens on port 8080
//! not ok 5 - q1.server.split-line — A line in two segments
//!   ---
//!   id: "q1.server.split-line"
//!   status: "fail"
//!   score: 0.0
//!   max_score: 1.0
//!   code: "split-line"
//!   message: "…"
//!   expected: "…"
//!   hint: "…"
//!   duration_ms: 63
//!   transcript:
//!     - "      0.4 ms  peer    sent             Bonj"
//!   ...
//! # Score: 6/8 (6 passed, 2 failed)
//! # score 6.0 max_score 8.0
//! ```
//! Every YAML scalar that is text is written as a JSON string, which is also
//! a valid YAML double-quoted scalar: messages with colons, quotes or
//! leading spaces (compiler output) need no further care. A skipped scenario
//! is `ok … # SKIP`. A submission problem is one `not ok` test point,
//! first, in place of the scenarios it kept from running. `#` in a
//! description is escaped (`\#`) so that it does not read as a directive.
//! The transcripts fit the report's size budget (`budget`).

use super::text::{self, display_name, problem_headline, rows_text, shown_in_text, text_encoding};
use super::{budget, Outcome, Report, Reporter};
use crate::points::round2;
use crate::submission::SubmissionProblem;
use crate::verdict::Status;
use serde_json::json;
use std::io::{self, Write};

pub struct Tap;

impl Reporter for Tap {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = io::BufWriter::with_capacity(64 * 1024, out);
        write_tap(r, &mut w)?;
        w.flush()
    }
}

/// A YAML scalar: a JSON string.
fn q(s: &str) -> String {
    json!(s).to_string()
}

/// A test point's description: `#` escaped so that it is no directive.
fn description(s: &str) -> String {
    s.replace('\\', "\\\\").replace('#', "\\#")
}

fn write_tap(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows = budget::rows(r, &text_encoding(false), shown_in_text);
    writeln!(out, "TAP version 13")?;
    writeln!(out, "1..{}", r.problems.len() + r.ran().count())?;
    for (n, p) in r.problems.iter().enumerate() {
        problem(r, p, n + 1, out)?;
    }
    let ran = r
        .outcomes
        .iter()
        .zip(rows)
        .filter(|(o, _)| r.problem_of(o).is_none());
    for (n, (o, rows)) in ran.enumerate() {
        let n = n + 1 + r.problems.len();
        let name = description(&display_name(o, &r.lang));
        match o.verdict.status {
            Status::Pass => writeln!(out, "ok {n} - {name}")?,
            Status::Skip => writeln!(out, "ok {n} - {name} # SKIP")?,
            Status::Fail | Status::Error => writeln!(out, "not ok {n} - {name}")?,
        }
        if o.verdict.status != Status::Pass {
            failure(r, o, &rows, out)?;
        }
        for note in text::notes(o, &r.lang) {
            writeln!(out, "# {}", text::labelled(&r.lang, "report-note", &note))?;
        }
    }
    writeln!(out, "# {}", r.summary())?;
    writeln!(
        out,
        "# score {} max_score {}",
        json!(r.score()),
        json!(r.max_score())
    )
}

/// A submission problem's test point `n`, failed, with its YAML block.
fn problem(r: &Report, p: &SubmissionProblem, n: usize, out: &mut dyn Write) -> io::Result<()> {
    let l = &r.lang;
    let d = p.diagnosis();
    writeln!(out, "not ok {n} - {}", description(&problem_headline(p, l)))?;
    writeln!(out, "  ---")?;
    writeln!(out, "  submission_problem: {}", json!(p.kind))?;
    writeln!(out, "  side: {}", q(p.side.name()))?;
    writeln!(out, "  score: 0.0")?;
    writeln!(out, "  max_score: {}", json!(r.problem_points(p)))?;
    writeln!(out, "  code: {}", q(text::code(&d)))?;
    writeln!(out, "  message: {}", q(&text::message(&d, l)))?;
    writeln!(out, "  hint: {}", q(&text::hint(&d, l)))?;
    writeln!(out, "  scenarios: {}", json!(p.scenarios))?;
    writeln!(out, "  ...")
}

/// The YAML block under a scenario that did not pass.
fn failure(r: &Report, o: &Outcome, rows: &[budget::Row], out: &mut dyn Write) -> io::Result<()> {
    let l = &r.lang;
    writeln!(out, "  ---")?;
    writeln!(out, "  id: {}", q(&o.scenario.id))?;
    writeln!(out, "  status: {}", json!(o.verdict.status))?;
    writeln!(out, "  score: {}", json!(round2(o.verdict.score)))?;
    writeln!(out, "  max_score: {}", json!(round2(o.scenario.points)))?;
    if let Some(d) = &o.verdict.diagnosis {
        writeln!(out, "  code: {}", q(text::code(d)))?;
        writeln!(out, "  message: {}", q(&text::message(d, l)))?;
    }
    if let Some(e) = text::expected(o, l) {
        writeln!(out, "  expected: {}", q(&e))?;
    }
    if let Some(h) = o.verdict.diagnosis.as_ref().map(|d| text::hint(d, l)) {
        if !h.is_empty() {
            writeln!(out, "  hint: {}", q(&h))?;
        }
    }
    writeln!(out, "  duration_ms: {}", o.duration.as_millis())?;
    writeln!(out, "  transcript:")?;
    for line in rows_text(rows, l).lines() {
        writeln!(out, "    - {}", q(line))?;
    }
    writeln!(out, "  ...")
}

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

use super::{
    budget, display_name, problem_headline, round2, rows_text, shown_in_text, text_encoding,
    Report, Reporter,
};
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

fn write_tap(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    {
        let l = &r.lang;
        let rows = budget::rows(r, &text_encoding(false), shown_in_text);
        let q = |s: &str| json!(s).to_string();
        writeln!(out, "TAP version 13")?;
        writeln!(out, "1..{}", r.problems.len() + r.ran().count())?;
        for (n, p) in r.problems.iter().enumerate() {
            let d = p.diagnosis();
            let name = problem_headline(p, l)
                .replace('\\', "\\\\")
                .replace('#', "\\#");
            writeln!(out, "not ok {} - {name}", n + 1)?;
            writeln!(out, "  ---")?;
            writeln!(out, "  submission_problem: {}", json!(p.kind))?;
            writeln!(out, "  side: {}", q(p.side.name()))?;
            writeln!(out, "  score: 0.0")?;
            writeln!(out, "  max_score: {}", json!(r.problem_points(p)))?;
            writeln!(out, "  code: {}", q(d.code.as_str()))?;
            writeln!(out, "  message: {}", q(&l.msg(&d.message)))?;
            let hint = d.hint.as_ref().map(|h| l.msg(h)).unwrap_or_default();
            writeln!(out, "  hint: {}", q(&hint))?;
            writeln!(out, "  scenarios: {}", json!(p.scenarios))?;
            writeln!(out, "  ...")?;
        }
        let ran = r
            .outcomes
            .iter()
            .zip(rows)
            .filter(|(o, _)| r.problem_of(o).is_none());
        for (n, (o, rows)) in ran.enumerate() {
            let n = n + r.problems.len();
            let name = display_name(o, l).replace('\\', "\\\\").replace('#', "\\#");
            match o.verdict.status {
                Status::Pass => writeln!(out, "ok {} - {name}", n + 1)?,
                Status::Skip => writeln!(out, "ok {} - {name} # SKIP", n + 1)?,
                Status::Fail | Status::Error => writeln!(out, "not ok {} - {name}", n + 1)?,
            }
            if o.verdict.status == Status::Pass {
                continue;
            }
            writeln!(out, "  ---")?;
            writeln!(out, "  id: {}", q(&o.scenario.id))?;
            writeln!(out, "  status: {}", json!(o.verdict.status))?;
            writeln!(out, "  score: {}", json!(round2(o.verdict.score)))?;
            writeln!(out, "  max_score: {}", json!(round2(o.scenario.points)))?;
            if let Some(d) = &o.verdict.diagnosis {
                writeln!(out, "  code: {}", q(d.code.as_str()))?;
                writeln!(out, "  message: {}", q(&l.msg(&d.message)))?;
            }
            if let Some(e) = &o.verdict.expected {
                writeln!(out, "  expected: {}", q(&l.msg(e)))?;
            }
            if let Some(h) = o.verdict.diagnosis.as_ref().and_then(|d| d.hint.as_ref()) {
                writeln!(out, "  hint: {}", q(&l.msg(h)))?;
            }
            writeln!(out, "  duration_ms: {}", o.duration.as_millis())?;
            writeln!(out, "  transcript:")?;
            for line in rows_text(&rows, l).lines() {
                writeln!(out, "    - {}", q(line))?;
            }
            writeln!(out, "  ...")?;
        }
        writeln!(out, "# {}", r.summary())?;
        writeln!(
            out,
            "# score {} max_score {}",
            json!(r.score()),
            json!(r.max_score())
        )
    }
}

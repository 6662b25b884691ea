//! PrairieLearn's external-grader `results.json` (`--format prairielearn`):
//!
//! ```text
//! {"gradable": true,
//!  "score": 0.75,                      // points / max points, 0–1
//!  "message": "Score: 6/8 (6 passed, 2 failed)",
//!  "output": "server: serveur.py",
//!  "tests": [{"name": "q1.server.split-line — A line in two segments",
//!             "description": "`Bonj` … `our\n` in two segments → …",
//!             "points": 0.0, "max_points": 1.0,
//!             "message": "[split-line] …",
//!             "output": "expected … fix: … transcript: …"}]}
//! ```
//! A submission whose program cannot even start (missing file, compile or
//! syntax error) is still gradable: every scenario fails with that cause,
//! and the top-level message repeats it once.

use super::{display_name, failure_output, headline, round2, Report, Reporter};
use crate::verdict::Status;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct PrairieLearn;

/// Transcript events shown under a failure (the end of the run).
const EXCERPT: usize = 24;

pub fn to_value(r: &Report) -> Value {
    let l = r.lang;
    let tests: Vec<Value> = r
        .outcomes
        .iter()
        .map(|o| {
            let output = if o.verdict.status == Status::Pass {
                String::new()
            } else {
                failure_output(o, l, EXCERPT)
            };
            json!({
                "name": display_name(o, l),
                "description": o.scenario.passes.get(l),
                "points": round2(o.verdict.score),
                "max_points": round2(o.scenario.points),
                "message": headline(o, l).unwrap_or_default(),
                "output": output,
            })
        })
        .collect();
    let mut message = r.summary();
    if let Some(cause) = common_cause(r) {
        message.push('\n');
        message.push_str(&cause);
    }
    let mut output = String::new();
    for (label, p) in [("server", &r.server), ("client", &r.client)] {
        if let Some(p) = p {
            output.push_str(&format!("{label}: {p}\n"));
        }
    }
    if let Some(n) = &r.isolation_note {
        output.push_str(&format!("note: {n}\n"));
    }
    let max = r.max_score();
    json!({
        "gradable": true,
        "score": if max > 0.0 { r.score() / max } else { 0.0 },
        "message": message,
        "output": output,
        "tests": tests,
    })
}

/// When nothing passed and every scenario failed for one reason (the
/// program does not start), that reason, once.
fn common_cause(r: &Report) -> Option<String> {
    let first = r.outcomes.first()?.verdict.diagnosis.as_ref()?;
    let all_same = r.outcomes.iter().all(|o| {
        o.verdict.status != Status::Pass
            && o.verdict.diagnosis.as_ref().map(|d| d.code) == Some(first.code)
    });
    (all_same && r.outcomes.len() > 1)
        .then(|| format!("[{}] {}", first.code, first.message.get(r.lang)))
}

impl Reporter for PrairieLearn {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        super::write_json(out, &to_value(r))
    }
}

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
//! A submission whose program cannot even start (missing file, empty, a
//! compile or syntax error) is still gradable: the submission problem is
//! one failed test, first, worth the points of the scenarios it kept from
//! running (not listed one by one), and the top-level message says it once.

use super::{
    display_name, failure_output, headline, problem_feedback, problem_headline, round2, Report,
    Reporter,
};
use crate::verdict::Status;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct PrairieLearn;

/// Transcript events shown under a failure (the end of the run).
const EXCERPT: usize = 24;

pub fn to_value(r: &Report) -> Value {
    let l = &r.lang;
    let problems = r.problems.iter().map(|p| {
        json!({
            "name": problem_headline(p, l),
            "description": "",
            "points": 0.0,
            "max_points": r.problem_points(p),
            "message": format!("[{}] {}", p.code(), problem_headline(p, l)),
            "output": problem_feedback(r, p),
        })
    });
    let tests: Vec<Value> = problems
        .chain(r.ran().map(|o| {
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
        }))
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

/// The submission problems; else, when nothing passed and every scenario
/// failed for one reason, that reason, once.
fn common_cause(r: &Report) -> Option<String> {
    if !r.problems.is_empty() {
        let all: Vec<String> = r
            .problems
            .iter()
            .map(|p| format!("[{}] {}", p.code(), problem_headline(p, &r.lang)))
            .collect();
        return Some(all.join("\n"));
    }
    let first = r.outcomes.first()?.verdict.diagnosis.as_ref()?;
    let all_same = r.outcomes.iter().all(|o| {
        o.verdict.status != Status::Pass
            && o.verdict.diagnosis.as_ref().map(|d| d.code) == Some(first.code)
    });
    (all_same && r.outcomes.len() > 1)
        .then(|| format!("[{}] {}", first.code, r.lang.msg(&first.message)))
}

impl Reporter for PrairieLearn {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        super::write_json(out, &to_value(r))
    }
}

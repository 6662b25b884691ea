//! Gradescope's `results.json` (`--format gradescope`), as its autograder
//! specification describes it:
//!
//! ```text
//! {"score": 6.0,                       // the submission's points
//!  "execution_time": 2,                // seconds
//!  "output": "Score: 6/8 (6 passed, 2 failed)",
//!  "output_format": "text", "test_output_format": "text", "test_name_format": "text",
//!  "extra_data": {"max_score": 8.0, "programs": {"server": …, "client": …}, "lang": "en"},
//!  "tests": [{"name": "q1.server.split-line — A line in two segments",
//!             "number": "1.5", "score": 0.0, "max_score": 1.0,
//!             "status": "passed" | "failed",
//!             "output": "expected … [split-line] … fix: … transcript: …",
//!             "tags": ["q1", "split-line"],
//!             "visibility": "visible" | "after_due_date",   // --hidden GLOB
//!             "extra_data": {"id": "q1.server.split-line", "status": "fail",
//!                            "diagnosis": "split-line" | null}}]}
//! ```
//! A submission problem (a program missing, empty, that does not parse or
//! compile) is one failed test, first, worth the points of the scenarios it
//! kept from running (which are not listed one by one):
//! `{"name": "serveur.py not found in the submission; found: server.py",
//! "score": 0.0, "max_score": 9.0, "status": "failed", "output": "…",
//! "extra_data": {"submission_problem": "missing", "diagnosis": "missing-program",
//! "scenarios": […]}}`.
//! Gradescope's top level has no `max_score` (the assignment sets it), so the
//! maximum travels in `extra_data`. Texts follow `--lang`.

use super::{
    display_name, failure_output, lang_code, problem_feedback, problem_headline, round2, Report,
    Reporter,
};
use crate::verdict::Status;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Gradescope;

/// Transcript events shown under a failure (the end of the run).
const EXCERPT: usize = 24;

pub fn to_value(r: &Report) -> Value {
    let l = &r.lang;
    let mut tests = Vec::new();
    for p in &r.problems {
        tests.push(json!({
            "name": problem_headline(p, l),
            "score": 0.0,
            "max_score": r.problem_points(p),
            "status": "failed",
            "output": problem_feedback(r, p),
            "tags": ["submission", p.code()],
            "visibility": "visible",
            "extra_data": {"submission_problem": p.kind, "diagnosis": p.code(), "scenarios": p.scenarios},
        }));
    }
    for q in r.questions() {
        for (k, o) in r.of_question(q).enumerate() {
            if r.problem_of(o).is_some() {
                continue;
            }
            let output = if o.verdict.status == Status::Pass {
                o.scenario.passes.get(l).to_string()
            } else {
                failure_output(o, l, EXCERPT)
            };
            let code = o.verdict.diagnosis.as_ref().map(|d| d.code.as_str());
            let mut tags = vec![q.name()];
            tags.extend(code);
            tests.push(json!({
                "name": display_name(o, l),
                "number": format!("{}.{}", &q.name()[1..], k + 1),
                "score": round2(o.verdict.score),
                "max_score": round2(o.scenario.points),
                "status": if o.verdict.status == Status::Pass { "passed" } else { "failed" },
                "output": output,
                "tags": tags,
                "visibility": if r.is_hidden(o) { "after_due_date" } else { "visible" },
                "extra_data": {"id": o.scenario.id, "status": o.verdict.status, "diagnosis": code},
            }));
        }
    }
    let mut output = r.summary();
    for p in &r.problems {
        output.push_str(&format!("\n{}", problem_headline(p, l)));
    }
    if let Some(n) = &r.isolation_note {
        output.push_str(&format!("\nnote: {n}"));
    }
    json!({
        "score": r.score(),
        "execution_time": r.wall.as_secs_f64().ceil() as u64,
        "output": output,
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "extra_data": {
            "max_score": r.max_score(),
            "programs": {"server": r.server, "client": r.client},
            "lang": lang_code(l),
        },
        "tests": tests,
    })
}

impl Reporter for Gradescope {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        super::write_json(out, &to_value(r))
    }
}

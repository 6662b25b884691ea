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

use super::text::{self, display_name, failure_output, headline, problem_feedback};
use super::{JsonFormat, Report};
use crate::points::round2;
use crate::submission::SubmissionProblem;
use crate::verdict::Status;
use serde::Serialize;

pub struct PrairieLearn;

// PrairieLearn's schema, fields in alphabetical order (as the first
// versions' `serde_json::Value` wrote them).

/// `results.json`.
#[derive(Debug, Serialize)]
pub struct Results {
    pub gradable: bool,
    pub message: String,
    pub output: String,
    /// Points over the maximum, 0–1.
    pub score: f64,
    pub tests: Vec<Test>,
}

/// One test: a scenario that ran, or a submission problem.
#[derive(Debug, Serialize)]
pub struct Test {
    pub description: String,
    pub max_points: f64,
    /// `[code] first line of the diagnosis`, or nothing on a pass.
    pub message: String,
    pub name: String,
    pub output: String,
    pub points: f64,
}

impl JsonFormat for PrairieLearn {
    type Doc<'a> = Results;

    fn doc(r: &Report) -> Results {
        let l = &r.lang;
        let problems = r.problems.iter().map(|p| Test {
            description: String::new(),
            max_points: r.problem_points(p),
            message: problem_line(p, r),
            name: text::problem_headline(p, l),
            output: problem_feedback(r, p),
            points: 0.0,
        });
        let ran = r.ran().map(|o| Test {
            description: o.scenario.passes.get(l).to_string(),
            max_points: round2(o.scenario.points),
            message: headline(o, l).unwrap_or_default(),
            name: display_name(o, l),
            output: if o.verdict.status == Status::Pass {
                text::notes_text(o, l)
            } else {
                failure_output(o, l)
            },
            points: round2(o.verdict.score),
        });
        let tests = problems.chain(ran).collect();
        let mut message = r.summary();
        if let Some(cause) = common_cause(r) {
            message.push('\n');
            message.push_str(&cause);
        }
        let mut output = String::new();
        for (label, p) in [("report-server", &r.server), ("report-client", &r.client)] {
            if let Some(p) = p {
                output.push_str(&text::labelled(l, label, p));
                output.push('\n');
            }
        }
        let max = r.max_score();
        Results {
            gradable: true,
            message,
            output,
            score: if max > 0.0 { r.score() / max } else { 0.0 },
            tests,
        }
    }
}

/// `[missing-program] serveur.py not found in the submission`.
fn problem_line(p: &SubmissionProblem, r: &Report) -> String {
    format!("[{}] {}", p.code(), text::problem_headline(p, &r.lang))
}

/// The submission problems; else, when nothing passed and every scenario
/// failed for one reason, that reason, once.
fn common_cause(r: &Report) -> Option<String> {
    if !r.problems.is_empty() {
        let all: Vec<String> = r.problems.iter().map(|p| problem_line(p, r)).collect();
        return Some(all.join("\n"));
    }
    let first = r.outcomes.first()?.verdict.diagnosis.as_ref()?;
    let all_same = r.outcomes.iter().all(|o| {
        o.verdict.status != Status::Pass
            && o.verdict.diagnosis.as_ref().map(text::code) == Some(text::code(first))
    });
    (all_same && r.outcomes.len() > 1)
        .then(|| format!("[{}] {}", text::code(first), text::message(first, &r.lang)))
}

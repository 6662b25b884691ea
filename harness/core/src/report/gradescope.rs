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

use super::text::{self, display_name, failure_output, problem_feedback, problem_headline};
use super::{total_of, JsonFormat, Outcome, Report};
use crate::msg::Msg;
use crate::points::round2;
use crate::submission::{ProblemKind, SubmissionProblem};
use crate::verdict::Status;
use serde::Serialize;

pub struct Gradescope;

// Gradescope's schema, fields in alphabetical order (as the first versions'
// `serde_json::Value` wrote them).

/// `results.json`.
#[derive(Debug, Serialize)]
pub struct Results<'a> {
    /// Whole seconds.
    pub execution_time: u64,
    pub extra_data: Extra<'a>,
    pub output: String,
    pub output_format: &'static str,
    pub score: f64,
    pub test_name_format: &'static str,
    pub test_output_format: &'static str,
    pub tests: Vec<Test<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Extra<'a> {
    /// How the run was not isolated, for the instructor (never in the
    /// student-visible `output`; grade also says it on standard error,
    /// the autograder's log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation_note: Option<&'a str>,
    pub lang: &'a str,
    pub max_score: f64,
    pub programs: super::json::Programs<'a>,
}

/// One test: a scenario that ran, or a submission problem.
#[derive(Debug, Serialize)]
pub struct Test<'a> {
    pub extra_data: TestExtra<'a>,
    pub max_score: f64,
    pub name: String,
    /// `1.5`: question 1, fifth scenario (none for a submission problem).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub output: String,
    pub score: f64,
    /// `passed` or `failed`.
    pub status: &'static str,
    pub tags: Vec<&'a str>,
    /// `visible` or `after_due_date`.
    pub visibility: &'static str,
}

/// A test's `extra_data`: `id` and `status` for a scenario, `scenarios`
/// and `submission_problem` for a submission problem.
#[derive(Debug, Serialize)]
pub struct TestExtra<'a> {
    pub diagnosis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_problem: Option<ProblemKind>,
}

impl JsonFormat for Gradescope {
    type Doc<'a> = Results<'a>;

    fn doc(r: &Report) -> Results<'_> {
        let l = &r.lang;
        let mut tests: Vec<Test> = r.problems.iter().map(|p| problem(r, p)).collect();
        for q in r.questions() {
            for (k, o) in r.of_question(q).enumerate() {
                if r.problem_of(o).is_some() {
                    continue;
                }
                tests.push(scenario(r, o, format!("{}.{}", &q.name()[1..], k + 1)));
            }
        }
        let mut output = summary(r);
        for p in &r.problems {
            output.push_str(&format!("\n{}", problem_headline(p, l)));
        }
        Results {
            execution_time: r.wall.as_secs_f64().ceil() as u64,
            extra_data: Extra {
                isolation_note: r.isolation_note.as_deref(),
                lang: l.code(),
                max_score: r.max_score(),
                programs: super::json::Programs {
                    client: &r.client,
                    server: &r.server,
                },
            },
            output,
            output_format: "text",
            score: r.score(),
            test_name_format: "text",
            test_output_format: "text",
            tests,
        }
    }
}

/// The top-level text students see: the score line; with `--hidden`, the
/// score and counts of the visible tests only, and how many more are shown
/// after the due date (the top-level `score` still holds every point: see
/// the README, "Gradescope").
fn summary(r: &Report) -> String {
    let l = &r.lang;
    let (hidden, visible): (Vec<&Outcome>, Vec<&Outcome>) =
        r.outcomes.iter().partition(|o| r.is_hidden(o));
    if hidden.is_empty() {
        return r.summary();
    }
    let mut out = text::labelled(l, "report-visible-score", &l.msg(&total_of(&visible)));
    out.push('\n');
    out.push_str(&l.msg(&Msg::new("report-hidden-later").arg("n", hidden.len())));
    out
}

fn problem<'a>(r: &Report, p: &'a SubmissionProblem) -> Test<'a> {
    Test {
        extra_data: TestExtra {
            diagnosis: Some(p.code().as_str()),
            id: None,
            scenarios: Some(&p.scenarios),
            status: None,
            submission_problem: Some(p.kind),
        },
        max_score: r.problem_points(p),
        name: problem_headline(p, &r.lang),
        number: None,
        output: problem_feedback(r, p),
        score: 0.0,
        status: "failed",
        tags: vec!["submission", p.code().as_str()],
        visibility: "visible",
    }
}

fn scenario<'a>(r: &'a Report, o: &'a super::Outcome, number: String) -> Test<'a> {
    let l = &r.lang;
    let passed = o.verdict.status == Status::Pass;
    let code = o.verdict.diagnosis.as_ref().map(text::code);
    let mut tags = vec![o.scenario.question.name()];
    tags.extend(code);
    Test {
        extra_data: TestExtra {
            diagnosis: code,
            id: Some(&o.scenario.id),
            scenarios: None,
            status: Some(o.verdict.status),
            submission_problem: None,
        },
        max_score: round2(o.scenario.points),
        name: display_name(o, l),
        number: Some(number),
        output: if passed {
            format!("{}\n{}", o.scenario.passes.get(l), text::notes_text(o, l))
                .trim_end()
                .to_string()
        } else {
            failure_output(o, l)
        },
        score: round2(o.verdict.score),
        status: if passed { "passed" } else { "failed" },
        tags,
        visibility: if r.is_hidden(o) {
            "after_due_date"
        } else {
            "visible"
        },
    }
}

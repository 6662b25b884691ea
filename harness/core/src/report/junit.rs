//! JUnit XML (`--format junit`), through quick-junit: what GitLab
//! (`artifacts:reports:junit`), Jenkins and GitHub test-report actions read.
//!
//! One `<testsuite>` per question, with `score` and `max_score` properties
//! and as `time` the question's wall time (its scenarios run side by side:
//! from the first start to the last end; `<testsuites>` has the run's); one
//! `<testcase>` per scenario: `classname` is the scenario id (Jenkins shows
//! `q1.server` as the package, `split-line` as the class), `name` the id and
//! its title in the `--lang` language (`q3.server.in-turn — One reply per
//! turn`: the server's and the client's tests of q3 and q4 share titles, and
//! GitLab lists tests by name). A failed scenario has a `<failure>` whose
//! `type` is the diagnosis code and `message` its first line, with as text
//! the expectation, diagnosis and fix, then the end of the transcript (the
//! human report's excerpt: GitLab shows only the failure's text); an error
//! (the harness could not judge) is an `<error>`. `<system-out>` holds the
//! scenario's whole transcript; excerpts and transcripts fit the report's
//! size budget together (`budget`).
//! A submission problem is one failed `<testcase>` (classname `submission`,
//! type its code) in a `<testsuite name="submission">` first; the scenarios
//! it kept from running are not listed.

use super::text::{
    self, display_name, failure_output, headline, problem_feedback, problem_headline, rows_text,
    shown_in_text, text_encoding,
};
use super::{budget, span, Outcome, Report, Reporter};
use crate::points::round2;
use crate::scenario::Question;
use crate::verdict::Status;
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

pub struct Junit;

pub fn to_report(r: &Report) -> quick_junit::Report {
    // The failures' texts, transcript excerpts included, are paid for
    // before the transcripts share what is left.
    let mut bodies: Vec<Option<String>> = r
        .outcomes
        .iter()
        .map(|o| (failed(o) && r.problem_of(o).is_none()).then(|| failure_output(o, &r.lang)))
        .collect();
    let enc = text_encoding(true);
    let reserved = bodies
        .iter()
        .flatten()
        .map(|b| budget::cost_of(b, &enc))
        .sum();
    let mut rows = budget::rows_besides(r, &enc, shown_in_text, reserved)
        .into_iter()
        .map(Some)
        .collect::<Vec<_>>();
    let mut report = quick_junit::Report::new("grade");
    report.set_time(r.wall);
    if !r.problems.is_empty() {
        report.add_test_suite(problems(r));
    }
    for q in r.questions() {
        if r.of_question(q).all(|o| r.problem_of(o).is_some()) {
            continue;
        }
        report.add_test_suite(question(r, q, &mut rows, &mut bodies));
    }
    report
}

/// The submission problems, one failed test case each.
fn problems(r: &Report) -> TestSuite {
    let l = &r.lang;
    let mut suite = TestSuite::new("submission");
    let max: f64 = r.problems.iter().map(|p| r.problem_points(p)).sum();
    suite.add_property(Property::new("score", "0"));
    suite.add_property(Property::new("max_score", round2(max).to_string()));
    for p in &r.problems {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_type(p.code().as_str());
        s.set_message(problem_headline(p, l));
        s.set_description(problem_feedback(r, p));
        let mut case = TestCase::new(l.msg(&text::problem_name(p)), s);
        case.set_classname("submission");
        suite.add_test_case(case);
    }
    suite
}

/// Whether a scenario's test case says why it did not pass.
fn failed(o: &Outcome) -> bool {
    matches!(o.verdict.status, Status::Fail | Status::Error)
}

/// One question's scenarios that ran; `rows` are the transcripts' rows of
/// every outcome and `bodies` their failures' texts, taken as they are
/// written.
fn question(
    r: &Report,
    q: Question,
    rows: &mut [Option<Vec<budget::Row>>],
    bodies: &mut [Option<String>],
) -> TestSuite {
    let l = &r.lang;
    let mut suite = TestSuite::new(q.name());
    let (score, max) = r.question_score(q);
    suite.add_property(Property::new("score", score.to_string()));
    suite.add_property(Property::new("max_score", max.to_string()));
    let ran = |o: &&Outcome| o.scenario.question == q && r.problem_of(o).is_none();
    suite.set_time(span(r.outcomes.iter().filter(ran)));
    for (k, o) in r.outcomes.iter().enumerate() {
        if !ran(&o) {
            continue;
        }
        let mut case = TestCase::new(display_name(o, l), status(o, l, bodies[k].take()));
        case.set_classname(o.scenario.id.as_str());
        case.set_time(o.duration);
        let shown = rows[k].take().unwrap_or_default();
        case.set_system_out(text::notes_text(o, l) + &rows_text(&shown, l));
        suite.add_test_case(case);
    }
    suite
}

/// A scenario's status: a failure or an error with its code, headline
/// and `body` (feedback and excerpt); a skip with its headline.
fn status(o: &Outcome, l: &crate::msg::Lang, body: Option<String>) -> TestCaseStatus {
    match o.verdict.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            if let Some(h) = headline(o, l) {
                s.set_message(h);
            }
            s
        }
        Status::Fail | Status::Error => {
            let kind = if o.verdict.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            if let Some(d) = &o.verdict.diagnosis {
                s.set_type(text::code(d));
            }
            if let Some(h) = headline(o, l) {
                s.set_message(h);
            }
            s.set_description(body.unwrap_or_default());
            s
        }
    }
}

impl Reporter for Junit {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = io::BufWriter::with_capacity(64 * 1024, out);
        to_report(r).serialize(&mut w).map_err(io::Error::other)?;
        w.flush()
    }
}

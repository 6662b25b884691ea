//! Reporters: one file per output format behind `Reporter`; the formats
//! that are one JSON document behind `JsonFormat`, their schema a type.
//! They see verdicts and transcripts only; they never run anything. What
//! they share: `text` (labels, feedback, the plain-text transcript),
//! `events` (the words of a transcript event), `budget` (the size every
//! report fits in). Every word they write comes from the catalogues
//! (`messages/LANG/report.ftl`), in the report's language.

pub mod autolab;
pub mod budget;
pub mod classroom;
pub mod events;
pub mod github;
pub mod gradescope;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod prairielearn;
#[cfg(test)]
mod snapshot_tests;
pub mod tap;
#[cfg(test)]
mod tests;
pub mod text;

use crate::msg::Msg;
use crate::points::{points_arg, round2};
use crate::scenario::{Lang, Question, Scenario, Side};
use crate::submission::SubmissionProblem;
use crate::transcript::Transcript;
use crate::verdict::{Status, Verdict};
use serde::Serialize;
use std::io::{self, Write};
use std::time::{Duration, SystemTime};

/// One graded scenario.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: Scenario,
    pub verdict: Verdict,
    pub transcript: Transcript,
    /// When it started, from the start of the scenarios' runs (several run
    /// at once: a question's wall time is the span of its scenarios).
    pub started: Duration,
    pub duration: Duration,
}

/// Everything a reporter may show.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    pub server: Option<String>,
    pub client: Option<String>,
    pub lang: Lang,
    pub verbose: bool,
    pub color: bool,
    /// Set when scenarios ran without their own network namespace.
    pub isolation_note: Option<String>,
    pub wall: Duration,
    /// Globs of scenario ids whose details students see only after the due
    /// date (`--hidden`; Gradescope's visibility).
    pub hidden: Vec<String>,
    /// Programs of the submission that could not be graded at all: each is
    /// shown once, as one failed test, instead of the scenarios it kept
    /// from running (which are in `outcomes`, failed, transcript empty).
    pub problems: Vec<SubmissionProblem>,
    /// When the run started (the HTML page's title says it), if known.
    pub date: Option<SystemTime>,
    /// Which layers of the sandbox the programs ran in.
    pub sandbox: Sandbox,
    /// Where each question had programs of its own (`--submission DIR`,
    /// the discovery rule): them; `server` and `client` then list every
    /// question's.
    pub by_question: Vec<QuestionPrograms>,
}

/// One question's own programs, as given to `grade` (paths or command lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionPrograms {
    pub question: Question,
    pub server: Option<String>,
    pub client: Option<String>,
}

/// The layers of the sandbox a run's programs had (JSON `sandbox`): what a
/// program could not do to grade, the host or other students.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sandbox {
    /// Only descriptors 0–2 reach a program.
    pub descriptors: bool,
    /// `NO_NEW_PRIVS`, and no capability left (CapEff 0).
    pub no_privileges: bool,
    /// Landlock's signal scope: a program may signal its own processes
    /// only (Linux 6.12, Landlock ABI 6).
    pub signal_scope: bool,
    /// Landlock's filesystem rules: it may write only beneath its working
    /// directory and the temporary folders, and to its terminal (ABI 1).
    pub write_scope: bool,
    /// A view of the filesystem of its own: the host read-only, private
    /// temporary folders, the grader's paths hidden.
    pub filesystem: bool,
    /// A pid namespace of its own, under the harness's init: it sees and
    /// signals only its own processes.
    pub pid_namespace: bool,
    /// Grading as root, programs run as `nobody`.
    pub unprivileged_user: bool,
}

impl Report {
    /// The program of `side` that graded the scenarios of `q`: the
    /// question's own where it has some (`by_question`), else the run's.
    pub fn program(&self, q: Question, side: Side) -> Option<&String> {
        let (server, client) = match self.by_question.iter().find(|p| p.question == q) {
            Some(p) => (&p.server, &p.client),
            None => (&self.server, &self.client),
        };
        match side {
            Side::Server => server.as_ref(),
            Side::Client => client.as_ref(),
        }
    }

    pub fn score(&self) -> f64 {
        round2(self.outcomes.iter().map(|o| o.verdict.score).sum())
    }
    pub fn max_score(&self) -> f64 {
        round2(self.outcomes.iter().map(|o| o.scenario.points).sum())
    }
    pub fn count(&self, s: Status) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.verdict.status == s)
            .count()
    }
    /// Scenarios that did not pass (failed, errored or skipped).
    pub fn not_passed(&self) -> usize {
        self.outcomes.len() - self.count(Status::Pass)
    }
    /// The submission problem that kept `o` from running, if one did.
    pub fn problem_of(&self, o: &Outcome) -> Option<&SubmissionProblem> {
        self.problems
            .iter()
            .find(|p| p.scenarios.contains(&o.scenario.id))
    }
    /// The outcomes of scenarios that ran (the others are in `problems`).
    pub fn ran(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| self.problem_of(o).is_none())
    }
    /// Points of the scenarios a problem kept from running.
    pub fn problem_points(&self, p: &SubmissionProblem) -> f64 {
        round2(
            self.outcomes
                .iter()
                .filter(|o| p.scenarios.contains(&o.scenario.id))
                .map(|o| o.scenario.points)
                .sum(),
        )
    }
    pub fn is_hidden(&self, o: &Outcome) -> bool {
        self.hidden.iter().any(|g| crate::glob(g, &o.scenario.id))
    }
    /// The outcomes of one question, in catalogue order.
    pub fn of_question(&self, q: Question) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(move |o| o.scenario.question == q)
    }
    /// Score and maximum of one question, rounded like the totals.
    pub fn question_score(&self, q: Question) -> (f64, f64) {
        let (s, m) = self.of_question(q).fold((0.0, 0.0), |(s, m), o| {
            (s + o.verdict.score, m + o.scenario.points)
        });
        (round2(s), round2(m))
    }
    /// The questions that have at least one outcome, in order.
    pub fn questions(&self) -> Vec<Question> {
        Question::ALL
            .into_iter()
            .filter(|q| self.of_question(*q).next().is_some())
            .collect()
    }
    /// `Score: 6/8 (6 passed, 2 failed)`, in the report's language.
    pub fn summary(&self) -> String {
        text::labelled(&self.lang, "report-score", &self.lang.msg(&self.total()))
    }
    /// `6/8 (6 passed, 2 failed)`.
    pub fn total(&self) -> Msg {
        total_of(&self.outcomes.iter().collect::<Vec<_>>())
    }
    /// `6 passed, 1 failed, 1 grader error`: scenarios in `error` (the
    /// grader's fault) are counted apart from the failures, when any.
    pub fn counts(&self) -> Msg {
        counts_of(&self.outcomes.iter().collect::<Vec<_>>())
    }
}

/// `6/8 (6 passed, 2 failed)` of some outcomes only.
pub fn total_of(outcomes: &[&Outcome]) -> Msg {
    let score = round2(outcomes.iter().map(|o| o.verdict.score).sum());
    let max = round2(outcomes.iter().map(|o| o.scenario.points).sum());
    Msg::new("report-total")
        .arg("score", points_arg(score))
        .arg("max", points_arg(max))
        .arg("counts", counts_of(outcomes))
}

/// `Report::counts` of some outcomes only.
pub fn counts_of(outcomes: &[&Outcome]) -> Msg {
    let count = |s: Status| outcomes.iter().filter(|o| o.verdict.status == s).count();
    let errors = count(Status::Error);
    let passed = Msg::new("count-passed").arg("n", count(Status::Pass));
    let not_passed = outcomes.len() - count(Status::Pass);
    let failed = Msg::new("count-failed").arg("n", not_passed - errors);
    if errors == 0 {
        return Msg::new("report-counts")
            .arg("passed", passed)
            .arg("failed", failed);
    }
    Msg::new("report-counts-with-errors")
        .arg("passed", passed)
        .arg("failed", failed)
        .arg("errors", Msg::new("count-grader-errors").arg("n", errors))
}

/// The wall time the scenarios of `outcomes` took, run side by side:
/// from the first start to the last end.
pub fn span<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Duration {
    let (first, last) = outcomes.fold((None, Duration::ZERO), |(first, last), o| {
        let first = Some(first.map_or(o.started, |f: Duration| f.min(o.started)));
        (first, last.max(o.started + o.duration))
    });
    last.saturating_sub(first.unwrap_or_default())
}

/// A format that is one JSON document (`json`, `gradescope`,
/// `prairielearn`): its type, built from the report, is the format's
/// schema; writing it is shared.
pub trait JsonFormat {
    type Doc<'a>: Serialize;
    fn doc(r: &Report) -> Self::Doc<'_>;
}

impl<F: JsonFormat> Reporter for F {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_json(out, &F::doc(r))
    }
}

/// Writes a JSON document pretty-printed, buffered: one write, not one per
/// token.
fn write_json(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut w, doc)?;
    writeln!(w)?;
    w.flush()
}

pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The reporter for a `--format` name.
pub fn by_name(name: &str) -> Option<Box<dyn Reporter>> {
    match name {
        "human" => Some(Box::new(human::Human)),
        "json" => Some(Box::new(json::Json)),
        "junit" => Some(Box::new(junit::Junit)),
        "gradescope" => Some(Box::new(gradescope::Gradescope)),
        "prairielearn" => Some(Box::new(prairielearn::PrairieLearn)),
        "autolab" => Some(Box::new(autolab::Autolab)),
        "classroom" => Some(Box::new(classroom::Classroom)),
        "tap" => Some(Box::new(tap::Tap)),
        "github" => Some(Box::new(github::Annotations)),
        "markdown" => Some(Box::new(github::Summary)),
        "html" => Some(Box::new(html::Html)),
        _ => None,
    }
}

pub const FORMATS: &[&str] = &[
    "human",
    "json",
    "junit",
    "gradescope",
    "prairielearn",
    "autolab",
    "classroom",
    "tap",
    "github",
    "markdown",
    "html",
];

//! Reporters: one file per output format behind `Reporter`. They see verdicts
//! and transcripts only; they never run anything.

pub mod autolab;
pub mod budget;
pub mod github;
pub mod gradescope;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod prairielearn;
pub mod tap;
#[cfg(test)]
mod tests;

use crate::msg::Msg;
use crate::scenario::{Lang, Question, Scenario};
use crate::submission::SubmissionProblem;
use crate::transcript::{Actor, Event, Transcript};
use crate::verdict::{Status, Verdict};
use std::io::{self, Write};
use std::time::Duration;

/// One graded scenario.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: Scenario,
    pub verdict: Verdict,
    pub transcript: Transcript,
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
}

impl Report {
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
        format!(
            "{} {}/{} ({})",
            tr(&self.lang, "Score:", "Note :"),
            points_text(self.score()),
            points_text(self.max_score()),
            self.counts()
        )
    }
    /// `6 passed, 1 failed, 1 grader error`: scenarios in `error` (the
    /// grader's fault) are counted apart from the failures, when any.
    pub fn counts(&self) -> String {
        let l = &self.lang;
        let errors = self.count(Status::Error);
        let mut s = format!(
            "{}, {}",
            l.msg(&Msg::new("count-passed").arg("n", self.count(Status::Pass))),
            l.msg(&Msg::new("count-failed").arg("n", self.not_passed() - errors)),
        );
        if errors > 0 {
            s.push_str(", ");
            s.push_str(&l.msg(&Msg::new("count-grader-errors").arg("n", errors)));
        }
        s
    }
}

/// Scores are shown to two decimals everywhere; round once, here.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Points as people write them: `1`, `0.5`, `2.25` (two decimals at most).
pub fn points_text(x: f64) -> String {
    let r = round2(x);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// `en` or `fr`, as `--lang` spells it.
pub fn lang_code(lang: &Lang) -> &'static str {
    tr(lang, "en", "fr")
}

pub(crate) fn tr(lang: &Lang, en: &'static str, fr: &'static str) -> &'static str {
    lang.pick(en, fr)
}

/// `q1.server.split-line — A line in two segments`: the name machine formats
/// show, the id first so that a student can rerun it with `-s`.
pub fn display_name(o: &Outcome, lang: &Lang) -> String {
    format!("{} — {}", o.scenario.id, o.scenario.title.get(lang))
}

/// First line of the diagnosis, with its code: `[split-line] the line …`.
pub fn headline(o: &Outcome, lang: &Lang) -> Option<String> {
    let d = o.verdict.diagnosis.as_ref()?;
    let message = lang.msg(&d.message);
    let first = message.lines().next().unwrap_or("");
    Some(format!("[{}] {first}", d.code))
}

/// A submission problem in one line (its message's first line):
/// `serveur.py not found in the submission; found: server.py, …`.
pub fn problem_headline(p: &SubmissionProblem, lang: &Lang) -> String {
    let message = lang.msg(&p.diagnosis().message);
    let first = message.lines().next().unwrap_or("");
    first.trim_end_matches(':').trim_end().to_string()
}

/// What a submission problem says, as plain text: the diagnosis with its
/// code, the fix, and what was not run.
pub fn problem_feedback(r: &Report, p: &SubmissionProblem) -> String {
    let lang = &r.lang;
    let d = p.diagnosis();
    let mut out = format!("[{}] {}\n", d.code, lang.msg(&d.message));
    if let Some(hint) = &d.hint {
        out.push_str(&format!(
            "{} {}\n",
            tr(lang, "fix:", "correction :"),
            lang.msg(hint)
        ));
    }
    out.push_str(&format!(
        "{} {} ({} {})\n",
        p.scenarios.len(),
        tr(lang, "scenarios not run", "scénarios non lancés"),
        points_text(r.problem_points(p)),
        tr(lang, "points", "points"),
    ));
    out
}

/// What a failure says to the student, as plain text: what was expected,
/// the diagnosis with its code, and the fix. Empty for a pass.
pub fn feedback(o: &Outcome, lang: &Lang) -> String {
    let mut out = String::new();
    if let Some(e) = &o.verdict.expected {
        out.push_str(&format!(
            "{} {}\n",
            tr(lang, "expected:", "attendu :"),
            lang.msg(e)
        ));
    }
    if let Some(d) = &o.verdict.diagnosis {
        out.push_str(&format!("[{}] {}\n", d.code, lang.msg(&d.message)));
        if let Some(hint) = &d.hint {
            out.push_str(&format!(
                "{} {}\n",
                tr(lang, "fix:", "correction :"),
                lang.msg(hint)
            ));
        }
    }
    out
}

/// A failure's feedback followed by the last `last` transcript events: the
/// `output` of the grading platforms' formats.
pub fn failure_output(o: &Outcome, lang: &Lang, last: usize) -> String {
    format!(
        "{}\n{}\n{}",
        feedback(o, lang),
        tr(lang, "transcript:", "transcription :"),
        transcript_text(o, lang, Some(last))
    )
}

/// The transcript as text, one event a line (`t ms  actor  event  text`);
/// with `last`, only that many final events (a failure's excerpt).
pub fn transcript_text(o: &Outcome, lang: &Lang, last: Option<usize>) -> String {
    let shown: Vec<_> = o
        .transcript
        .entries
        .iter()
        .filter(|e| shown_in_text(o, e))
        .collect();
    let skip = last.map_or(0, |n| shown.len().saturating_sub(n));
    let mut out = String::new();
    if skip > 0 {
        out.push_str(&format!(
            "… {skip} {}\n",
            tr(lang, "earlier events", "événements plus tôt")
        ));
    }
    for e in &shown[skip..] {
        text_line(&mut out, lang, &budget::Row::Event(e));
    }
    out
}

/// Writes a JSON report pretty-printed, buffered: one write, not one per
/// token.
pub(crate) fn write_json(out: &mut dyn Write, v: &serde_json::Value) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut w, v)?;
    writeln!(w)?;
    w.flush()
}

/// Whether the plain-text transcript shows an entry: not the step markers,
/// and CPU samples only to explain a failure (busy loop).
pub fn shown_in_text(o: &Outcome, e: &crate::transcript::Entry) -> bool {
    let failed = o.verdict.status != Status::Pass;
    !matches!(e.event, Event::Step(_) | Event::Teardown)
        && (e.actor != Actor::Harness || !matches!(e.event, Event::Cpu { .. }) || failed)
}

/// Characters of an event's text in the plain-text transcript.
const TEXT_MAX: usize = 100;

/// A row of the plain-text transcript cut for the budget: within JUnit's
/// XML (`xml`) or TAP's JSON strings.
pub fn text_encoding(xml: bool) -> budget::Encoding {
    budget::Encoding {
        // `{t} ms  {actor} {event} ` and the count of a cut text.
        row: 96,
        char_cost: if xml {
            budget::xml_char
        } else {
            budget::json_char
        },
        text_max: TEXT_MAX,
    }
}

/// One line of the plain-text transcript.
fn text_line(out: &mut String, lang: &Lang, row: &budget::Row) {
    let (text, count) = match row {
        budget::Row::Event(e) => e.event.text_cut(TEXT_MAX),
        _ => (row.text(usize::MAX), None),
    };
    let text = match count {
        Some(count) => format!("{text}… ({count} {})", tr(lang, "characters", "caractères")),
        None => text,
    };
    out.push_str(&format!(
        "{:>9.1} ms  {:<7} {:<16} {}\n",
        row.entry().t.as_secs_f64() * 1e3,
        row.actor().name(),
        row.kind(),
        text
    ));
}

/// The rows `budget::rows` chose, as plain text (JUnit, TAP).
pub fn rows_text(rows: &[budget::Row], lang: &Lang) -> String {
    let mut out = String::new();
    for row in rows {
        text_line(&mut out, lang, row);
    }
    out
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
    "tap",
    "github",
    "markdown",
    "html",
];

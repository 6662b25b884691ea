//! The plain text the formats share, in the report's language: labels, a
//! failure's feedback, a submission problem's, and the one plain-text
//! transcript (the human report, JUnit, TAP, Gradescope, PrairieLearn and
//! the Markdown summary all show it).

use super::budget::{self, Row};
use super::events::Names;
use super::{Outcome, Report};
use crate::msg::{Arg, Lang, Msg};
use crate::points::points_arg;
use crate::submission::SubmissionProblem;
use crate::transcript::{Actor, Entry, Event};
use crate::verdict::{Diagnosis, Status};

// The verdict's texts, read in one place: what follows their types.

/// A diagnosis' stable code.
pub fn code(d: &Diagnosis) -> &'static str {
    d.code.as_str()
}

/// A diagnosis' message, whole.
pub fn message(d: &Diagnosis, lang: &Lang) -> String {
    lang.msg(&d.message)
}

/// A diagnosis' first line.
pub fn first_line(d: &Diagnosis, lang: &Lang) -> String {
    message(d, lang).lines().next().unwrap_or("").to_string()
}

/// A diagnosis' fix; empty when it has none.
pub fn hint(d: &Diagnosis, lang: &Lang) -> String {
    d.hint.as_ref().map_or_else(String::new, |h| lang.msg(h))
}

/// What the failed step expected, when it says.
pub fn expected(o: &Outcome, lang: &Lang) -> Option<String> {
    let e = lang.msg(o.verdict.expected.as_ref()?);
    (!e.is_empty()).then_some(e)
}

/// A status's machine name, as JSON writes it: `pass`, `fail`, `skip`,
/// `error`.
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Skip => "skip",
        Status::Error => "error",
    }
}

/// `fix: text`: a label of the catalogue (with its colon), then `text`.
pub fn labelled(lang: &Lang, label: &'static str, text: &str) -> String {
    format!("{} {text}", lang.get(label))
}

/// `q1.server.split-line — A line in two segments`: the name machine formats
/// show, the id first so that a student can rerun it with `-s`.
pub fn display_name(o: &Outcome, lang: &Lang) -> String {
    format!("{} — {}", o.scenario.id, o.scenario.title.get(lang))
}

/// First line of the diagnosis, with its code: `[split-line] the line …`.
pub fn headline(o: &Outcome, lang: &Lang) -> Option<String> {
    let d = o.verdict.diagnosis.as_ref()?;
    Some(format!("[{}] {}", code(d), first_line(d, lang)))
}

/// A submission problem in one line (its message's first line):
/// `serveur.py not found in the submission; found: server.py, …`.
pub fn problem_headline(p: &SubmissionProblem, lang: &Lang) -> String {
    let first = first_line(&p.diagnosis(), lang);
    first.trim_end_matches(':').trim_end().to_string()
}

/// `server program`, `programme serveur`: a submission problem's test.
pub fn problem_name(p: &SubmissionProblem) -> Msg {
    Msg::new("report-program").arg("side", side_name(p))
}

/// The side of a submission problem, named in the report's language.
pub fn side_name(p: &SubmissionProblem) -> Msg {
    Msg::new("transcript-actor").arg("actor", p.side.name())
}

/// A diagnosis as text: `[code] message`, and the fix on its own line.
fn diagnosis_text(out: &mut String, d: &Diagnosis, lang: &Lang) {
    out.push_str(&format!("[{}] {}\n", code(d), message(d, lang)));
    let hint = hint(d, lang);
    if !hint.is_empty() {
        out.push_str(&labelled(lang, "report-fix", &hint));
        out.push('\n');
    }
}

/// What a submission problem says, as plain text: the diagnosis with its
/// code, the fix, and what was not run.
pub fn problem_feedback(r: &Report, p: &SubmissionProblem) -> String {
    let lang = &r.lang;
    let mut out = String::new();
    diagnosis_text(&mut out, &p.diagnosis(), lang);
    let not_run = Msg::new("report-not-run")
        .arg("n", p.scenarios.len())
        .arg("points", points_arg(r.problem_points(p)));
    out.push_str(&lang.msg(&not_run));
    out.push('\n');
    out
}

/// What a failure says to the student, as plain text: what was expected,
/// the diagnosis with its code, and the fix; then the notes (all a pass
/// says, empty for most).
pub fn feedback(o: &Outcome, lang: &Lang) -> String {
    let mut out = String::new();
    if let Some(e) = expected(o, lang) {
        out.push_str(&labelled(lang, "report-expected", &e));
        out.push('\n');
    }
    if let Some(d) = &o.verdict.diagnosis {
        diagnosis_text(&mut out, d, lang);
    }
    out.push_str(&notes_text(o, lang));
    out
}

/// The notes of a scenario (advice that costs no points), in `lang`.
pub fn notes(o: &Outcome, lang: &Lang) -> Vec<String> {
    o.verdict.notes.iter().map(|m| lang.msg(m)).collect()
}

/// The notes, one labelled line each (`note: …`).
pub fn notes_text(o: &Outcome, lang: &Lang) -> String {
    notes(o, lang)
        .iter()
        .map(|n| labelled(lang, "report-note", n) + "\n")
        .collect()
}

/// Transcript events shown under a failure where the whole transcript
/// does not fit (the end of the run).
pub const EXCERPT: usize = 24;

/// A failure's feedback followed by the last `EXCERPT` transcript events:
/// the `output` of the grading platforms' formats.
pub fn failure_output(o: &Outcome, lang: &Lang) -> String {
    format!(
        "{}\n{}\n{}",
        feedback(o, lang),
        lang.get("report-transcript"),
        transcript_text(o, lang, Some(EXCERPT))
    )
}

/// Whether the plain-text transcript shows an entry: not the step markers,
/// and CPU samples only to explain a failure (busy loop).
pub fn shown_in_text(o: &Outcome, e: &Entry) -> bool {
    let failed = o.verdict.status != Status::Pass;
    !matches!(e.event, Event::Step(_) | Event::Teardown)
        && (e.actor != Actor::Harness || !matches!(e.event, Event::Cpu { .. }) || failed)
}

/// Characters of an event's text in the plain-text transcript.
pub const TEXT_MAX: usize = 100;

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

/// The plain-text transcript of one outcome, or of its last events: the
/// line counting those left out before them, if any, and a line per event.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTranscript {
    pub earlier: Option<String>,
    pub rows: Vec<String>,
}

impl TextTranscript {
    /// The events of `o` the text shows; with `last`, only that many final
    /// ones (a failure's excerpt).
    pub fn of(o: &Outcome, lang: &Lang, last: Option<usize>) -> TextTranscript {
        let names = Names::new(lang);
        let shown: Vec<&Entry> = o
            .transcript
            .entries
            .iter()
            .filter(|e| shown_in_text(o, e))
            .collect();
        let skip = last.map_or(0, |n| shown.len().saturating_sub(n));
        TextTranscript {
            earlier: (skip > 0).then(|| lang.msg(&Msg::new("transcript-earlier").arg("n", skip))),
            rows: shown[skip..]
                .iter()
                .map(|e| text_row(&names, &Row::Event(e)))
                .collect(),
        }
    }

    /// The lines, each ended.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in self.earlier.iter().chain(&self.rows) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// The transcript as text, one event a line (`t ms  actor  event  text`);
/// with `last`, only that many final events.
pub fn transcript_text(o: &Outcome, lang: &Lang, last: Option<usize>) -> String {
    TextTranscript::of(o, lang, last).text()
}

/// One line of the plain-text transcript:
/// `      0.4 ms  peer    sent             Bonj`.
pub fn text_row(names: &Names, row: &Row) -> String {
    let lang = names.lang();
    let ms = row.entry().t.as_secs_f64() * 1e3;
    let t = lang.msg(&Msg::new("duration-ms").arg("ms", Arg::Num(ms, Some(1))));
    format!(
        "{t:>12}  {:<7} {:<16} {}",
        names.actor(row.actor()),
        names.event(row.kind()),
        row.text(TEXT_MAX, lang)
    )
}

/// The rows `budget::rows` chose, as plain text (JUnit, TAP).
pub fn rows_text(rows: &[Row], lang: &Lang) -> String {
    let names = Names::new(lang);
    let mut out = String::new();
    for row in rows {
        out.push_str(&text_row(&names, row));
        out.push('\n');
    }
    out
}

//! JSON report (`--format json`), the contract of DESIGN.md:
//!
//! ```text
//! {"score": 7.0, "max_score": 10.0,
//!  "programs": {"server": "python3 serveur.py", "client": null},
//!  "isolated": true,
//!  "sandbox": {"descriptors": true, "no_privileges": true, "signal_scope": true, "write_scope": true,
//!              "filesystem": true, "pid_namespace": true, "unprivileged_user": true},
//!  "scenarios": [{"id", "question", "title", "status": "pass|fail|skip|error",
//!                 "score", "max_score", "duration_ms",
//!                 "diagnosis": {"code", "message", "hint"} | null,
//!                 "transcript": [{"t_ms", "actor", "event", "text"}]}]}
//! ```
//! A program of the submission that could not be graded at all is in
//! `submission_problems` (empty otherwise), once; the scenarios it kept from
//! running are still in `scenarios`, failed with its code, transcript empty:
//!
//! ```text
//!  "submission_problems": [{"kind": "missing|empty|does-not-parse|does-not-compile|ambiguous",
//!     "code": "missing-program|empty-program|syntax-error|compile-error|ambiguous-program",
//!     "side": "server", "program": "serveur.py", "file": "serveur.py",
//!     "message", "hint", "detail", "found": ["server.py"], "found_more": 0,
//!     "scenarios": ["q1.server.listens", …], "max_score": 9.0}]
//! ```
//! Texts are in the `--lang` language. `text` renders bytes that are not
//! UTF-8 as `\xNN`, and `\n` as the two characters `\n`, cut past 16,384
//! characters (`… (N characters)`). The whole report fits the budget of
//! `budget::REPORT_BUDGET`: of a stream that floods, the transcript shows a
//! head and a tail, and between them an `output-dropped` event counting
//! the rest (`… 185,000 lines dropped (…)`).

use super::budget::{self, Encoding, Row};
use super::{text, JsonFormat, Report};
use crate::points::round2;
use crate::submission::{ProblemKind, SubmissionProblem};
use crate::verdict::Status;
use serde::Serialize;

pub struct Json;

/// A transcript entry, pretty-printed: ~150 bytes besides its text.
pub const ENCODING: Encoding = Encoding {
    row: 200,
    char_cost: budget::json_char,
    text_max: 16 * 1024,
};

// The schema above, as serde writes it: fields in alphabetical order (the
// order of the `serde_json::Value` the first versions built, kept so that
// reports compare byte for byte), texts borrowed from the report where they
// can be (a `Value` tree costs several hundred bytes per transcript event).

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Doc<'a> {
    pub isolated: bool,
    pub max_score: f64,
    pub programs: Programs<'a>,
    /// The layers of the sandbox the programs ran in.
    pub sandbox: super::Sandbox,
    pub scenarios: Vec<ScenarioDoc<'a>>,
    pub score: f64,
    pub submission_problems: Vec<ProblemDoc<'a>>,
}

/// The programs as given (`null` when absent).
#[derive(Debug, Serialize)]
pub struct Programs<'a> {
    pub client: &'a Option<String>,
    pub server: &'a Option<String>,
}

/// One scenario, in catalogue order.
#[derive(Debug, Serialize)]
pub struct ScenarioDoc<'a> {
    pub diagnosis: Option<DiagnosisDoc>,
    pub duration_ms: u64,
    pub id: &'a str,
    pub max_score: f64,
    /// Advice that costs no points (on a pass).
    pub notes: Vec<String>,
    pub question: &'static str,
    pub score: f64,
    pub status: Status,
    pub title: &'a str,
    pub transcript: Vec<EventDoc>,
}

/// A diagnosis: its stable code, message and fix in the report's language.
#[derive(Debug, Serialize)]
pub struct DiagnosisDoc {
    pub code: &'static str,
    pub hint: String,
    pub message: String,
}

/// A transcript event (or the count of a stream's middle left out).
#[derive(Debug, Serialize)]
pub struct EventDoc {
    pub actor: &'static str,
    pub event: &'static str,
    pub t_ms: f64,
    pub text: String,
}

/// A program of the submission that could not be graded at all.
#[derive(Debug, Serialize)]
pub struct ProblemDoc<'a> {
    pub code: &'static str,
    pub detail: &'a str,
    pub file: &'a str,
    pub found: &'a [String],
    pub found_more: usize,
    pub hint: String,
    pub kind: ProblemKind,
    pub max_score: f64,
    pub message: String,
    pub program: &'a str,
    pub scenarios: &'a [String],
    pub side: &'static str,
}

impl JsonFormat for Json {
    type Doc<'a> = Doc<'a>;

    fn doc(r: &Report) -> Doc<'_> {
        let rows = budget::rows(r, &ENCODING, |_, _| true);
        let scenarios = r
            .outcomes
            .iter()
            .zip(rows)
            .map(|(o, rows)| ScenarioDoc {
                diagnosis: o.verdict.diagnosis.as_ref().map(|d| DiagnosisDoc {
                    code: text::code(d),
                    hint: text::hint(d, &r.lang),
                    message: text::message(d, &r.lang),
                }),
                duration_ms: o.duration.as_millis() as u64,
                id: &o.scenario.id,
                max_score: round2(o.scenario.points),
                notes: text::notes(o, &r.lang),
                question: o.scenario.question.name(),
                score: round2(o.verdict.score),
                status: o.verdict.status,
                title: o.scenario.title.get(&r.lang),
                transcript: rows.iter().map(|row| event(row, r)).collect(),
            })
            .collect();
        Doc {
            isolated: r.isolation_note.is_none(),
            max_score: r.max_score(),
            programs: Programs {
                client: &r.client,
                server: &r.server,
            },
            sandbox: r.sandbox,
            scenarios,
            score: r.score(),
            submission_problems: r.problems.iter().map(|p| problem(r, p)).collect(),
        }
    }
}

fn event(row: &Row, r: &Report) -> EventDoc {
    EventDoc {
        actor: row.actor().name(),
        event: row.kind(),
        t_ms: (row.entry().t.as_secs_f64() * 1e4).round() / 10.0,
        text: row.text(ENCODING.text_max, &r.lang),
    }
}

fn problem<'a>(r: &Report, p: &'a SubmissionProblem) -> ProblemDoc<'a> {
    let d = p.diagnosis();
    ProblemDoc {
        code: text::code(&d),
        detail: &p.detail,
        file: &p.file,
        found: &p.found,
        found_more: p.found_more,
        hint: text::hint(&d, &r.lang),
        kind: p.kind,
        max_score: r.problem_points(p),
        message: text::message(&d, &r.lang),
        program: &p.program,
        scenarios: &p.scenarios,
        side: p.side.name(),
    }
}

//! JSON report (`--format json`), the contract of DESIGN.md:
//!
//! ```text
//! {"score": 7.0, "max_score": 10.0,
//!  "programs": {"server": "python3 serveur.py", "client": null},
//!  "isolated": true,
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
use super::{round2, Report, Reporter};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Json;

/// A transcript entry, pretty-printed: ~150 bytes besides its text.
pub const ENCODING: Encoding = Encoding {
    row: 200,
    char_cost: budget::json_char,
    text_max: 16 * 1024,
};

// The document as serde writes it, fields in the order `Value` gave them
// (alphabetical), borrowed from the report: a `Value` tree costs several
// hundred bytes per transcript event.
#[derive(Serialize)]
struct Doc<'a> {
    isolated: bool,
    max_score: f64,
    programs: Programs<'a>,
    scenarios: Vec<ScenarioDoc<'a>>,
    score: f64,
    submission_problems: Vec<Value>,
}

#[derive(Serialize)]
struct Programs<'a> {
    client: &'a Option<String>,
    server: &'a Option<String>,
}

#[derive(Serialize)]
struct ScenarioDoc<'a> {
    diagnosis: Option<DiagnosisDoc>,
    duration_ms: u64,
    id: &'a str,
    max_score: f64,
    question: &'static str,
    score: f64,
    status: crate::verdict::Status,
    title: &'a str,
    transcript: Vec<EventDoc>,
}

#[derive(Serialize)]
struct DiagnosisDoc {
    code: &'static str,
    hint: String,
    message: String,
}

#[derive(Serialize)]
struct EventDoc {
    actor: &'static str,
    event: &'static str,
    t_ms: f64,
    text: String,
}

fn doc(r: &Report) -> Doc<'_> {
    let rows = budget::rows(r, &ENCODING, |_, _| true);
    let scenarios = r
        .outcomes
        .iter()
        .zip(rows)
        .map(|(o, rows)| ScenarioDoc {
            diagnosis: o.verdict.diagnosis.as_ref().map(|d| DiagnosisDoc {
                code: d.code.as_str(),
                hint: d.hint.as_ref().map(|h| r.lang.msg(h)).unwrap_or_default(),
                message: r.lang.msg(&d.message),
            }),
            duration_ms: o.duration.as_millis() as u64,
            id: &o.scenario.id,
            max_score: round2(o.scenario.points),
            question: o.scenario.question.name(),
            score: round2(o.verdict.score),
            status: o.verdict.status,
            title: o.scenario.title.get(&r.lang),
            transcript: rows
                .iter()
                .map(|row: &Row| EventDoc {
                    actor: row.actor().name(),
                    event: row.kind(),
                    t_ms: (row.entry().t.as_secs_f64() * 1e4).round() / 10.0,
                    text: row.text(ENCODING.text_max),
                })
                .collect(),
        })
        .collect();
    Doc {
        isolated: r.isolation_note.is_none(),
        max_score: r.max_score(),
        programs: Programs {
            client: &r.client,
            server: &r.server,
        },
        scenarios,
        score: r.score(),
        submission_problems: problems(r),
    }
}

fn problems(r: &Report) -> Vec<Value> {
    r.problems
        .iter()
        .map(|p| {
            let d = p.diagnosis();
            json!({
                "kind": p.kind,
                "code": d.code,
                "side": p.side.name(),
                "program": p.program,
                "file": p.file,
                "message": r.lang.msg(&d.message),
                "hint": d.hint.as_ref().map(|h| r.lang.msg(h)).unwrap_or_default(),
                "detail": p.detail,
                "found": p.found,
                "found_more": p.found_more,
                "scenarios": p.scenarios,
                "max_score": r.problem_points(p),
            })
        })
        .collect()
}

pub fn to_value(r: &Report) -> Value {
    serde_json::to_value(doc(r)).unwrap_or(Value::Null)
}

impl Reporter for Json {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = io::BufWriter::with_capacity(64 * 1024, out);
        serde_json::to_writer_pretty(&mut w, &doc(r))?;
        writeln!(w)?;
        w.flush()
    }
}

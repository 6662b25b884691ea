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
//! UTF-8 as `\xNN`, and `\n` as the two characters `\n`.

use super::{round2, Report, Reporter};
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Json;

pub fn to_value(r: &Report) -> Value {
    let scenarios: Vec<Value> = r
        .outcomes
        .iter()
        .map(|o| {
            let transcript: Vec<Value> = o
                .transcript
                .entries
                .iter()
                .map(|e| {
                    json!({
                        "t_ms": (e.t.as_secs_f64() * 1e4).round() / 10.0,
                        "actor": e.actor.name(),
                        "event": e.event.kind(),
                        "text": e.event.text(),
                    })
                })
                .collect();
            json!({
                "id": o.scenario.id,
                "question": o.scenario.question.name(),
                "title": o.scenario.title.get(r.lang),
                "status": o.verdict.status,
                "score": round2(o.verdict.score),
                "max_score": round2(o.scenario.points),
                "duration_ms": o.duration.as_millis() as u64,
                "diagnosis": o.verdict.diagnosis.as_ref().map(|d| json!({
                    "code": d.code,
                    "message": d.message.get(r.lang),
                    "hint": d.hint.get(r.lang),
                })),
                "transcript": transcript,
            })
        })
        .collect();
    let problems: Vec<Value> = r
        .problems
        .iter()
        .map(|p| {
            let d = p.diagnosis();
            json!({
                "kind": p.kind,
                "code": d.code,
                "side": p.side.name(),
                "program": p.program,
                "file": p.file,
                "message": d.message.get(r.lang),
                "hint": d.hint.get(r.lang),
                "detail": p.detail,
                "found": p.found,
                "found_more": p.found_more,
                "scenarios": p.scenarios,
                "max_score": r.problem_points(p),
            })
        })
        .collect();
    json!({
        "score": r.score(),
        "max_score": r.max_score(),
        "programs": {"server": r.server, "client": r.client},
        "isolated": r.isolation_note.is_none(),
        "submission_problems": problems,
        "scenarios": scenarios,
    })
}

impl Reporter for Json {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &to_value(r))?;
        writeln!(out)
    }
}

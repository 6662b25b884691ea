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
//! Texts are in the `--lang` language. `text` renders bytes that are not
//! UTF-8 as `\xNN`, and `\n` as the two characters `\n`, cut past 16,384
//! characters (`… (N characters)`). The whole report fits the budget of
//! `budget::REPORT_BUDGET`: of a stream that floods, the transcript shows a
//! head and a tail, and between them an `output-dropped` event counting
//! the rest (`… 185,000 lines dropped (…)`).

use super::budget::{self, Encoding, Row};
use super::{round2, Report, Reporter};
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Json;

/// A transcript entry, pretty-printed: ~150 bytes besides its text.
pub const ENCODING: Encoding = Encoding {
    row: 200,
    char_cost: budget::json_char,
    text_max: 16 * 1024,
};

pub fn to_value(r: &Report) -> Value {
    let rows = budget::rows(r, &ENCODING, |_, _| true);
    let scenarios: Vec<Value> = r
        .outcomes
        .iter()
        .zip(rows)
        .map(|(o, rows)| {
            let transcript: Vec<Value> = rows
                .iter()
                .map(|row: &Row| {
                    json!({
                        "t_ms": (row.entry().t.as_secs_f64() * 1e4).round() / 10.0,
                        "actor": row.actor().name(),
                        "event": row.kind(),
                        "text": row.text(ENCODING.text_max),
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
    json!({
        "score": r.score(),
        "max_score": r.max_score(),
        "programs": {"server": r.server, "client": r.client},
        "isolated": r.isolation_note.is_none(),
        "scenarios": scenarios,
    })
}

impl Reporter for Json {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        super::write_json(out, &to_value(r))
    }
}

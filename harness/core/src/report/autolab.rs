//! Autolab (`--format autolab`): the plain human report as feedback, then
//! the line Autolab reads, last on the output:
//!
//! ```text
//! {"scores": {"q1": 6.0, "q2": 5.0}}
//! ```
//! One key per question graded (name the assessment's problems `q1`…`q4`),
//! each the sum of that question's scenario points.

use super::{human::Human, Report, Reporter};
use serde_json::{Map, Value};
use std::io::{self, Write};

pub struct Autolab;

pub fn scores(r: &Report) -> Value {
    let mut scores = Map::new();
    for q in r.questions() {
        scores.insert(q.name().into(), r.question_score(q).0.into());
    }
    serde_json::json!({ "scores": scores })
}

impl Reporter for Autolab {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Autolab shows the output as text: no colour codes.
        if r.color {
            let plain = Report {
                color: false,
                ..r.clone()
            };
            Human.write(&plain, out)?;
        } else {
            Human.write(r, out)?;
        }
        writeln!(out, "{}", scores(r))
    }
}

//! Autolab (`--format autolab`): the plain human report as feedback, then
//! the line Autolab reads, last on the output:
//!
//! ```text
//! {"scores": {"q1": 6.0, "q2": 5.0}}
//! ```
//! One key per question graded (name the assessment's problems `q1`…`q4`),
//! each the sum of that question's scenario points.

use super::{human::Human, Report, Reporter};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Autolab;

/// The line Autolab reads: each question's points.
#[derive(Debug, Serialize)]
pub struct Scores {
    pub scores: BTreeMap<&'static str, f64>,
}

pub fn scores(r: &Report) -> Scores {
    Scores {
        scores: r
            .questions()
            .into_iter()
            .map(|q| (q.name(), r.question_score(q).0))
            .collect(),
    }
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
        serde_json::to_writer(&mut *out, &scores(r))?;
        writeln!(out)
    }
}

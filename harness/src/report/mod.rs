//! Reporters: one file per output format behind `Reporter`. They see verdicts
//! and transcripts only; they never run anything.

pub mod human;
pub mod json;

use crate::scenario::{Lang, Scenario};
use crate::transcript::Transcript;
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
#[derive(Debug, Clone)]
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
}

/// Scores are shown to two decimals everywhere; round once, here.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub trait Reporter {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The reporter for a `--format` name.
pub fn by_name(name: &str) -> Option<Box<dyn Reporter>> {
    match name {
        "human" => Some(Box::new(human::Human)),
        "json" => Some(Box::new(json::Json)),
        _ => None,
    }
}

pub const FORMATS: &[&str] = &["human", "json"];

//! `grade batch`, last step: one row per student from their report (or
//! from why they could not be graded), written as the gradebook: CSV for a
//! spreadsheet or a course platform's import, or JSON with every student's
//! full report. Pure: reports in, rows and bytes out.
//!
//! # CSV
//! Columns: `student` (full name), `id` (the key: Moodle's participant
//! number, Gradescope's SID, the GitHub login, the folder's name), `email`,
//! `identifier` (Moodle's `Participant N`), one column per question graded
//! (`q1`…: blank when it could not be graded), `total` (blank when a
//! question is), `max`, `status`, `codes` (the main diagnosis codes, most
//! frequent first), `note` (why a row is not `graded`), `report` (the
//! student's own report file, under `--report-dir`). Text cells that a
//! spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage
//! return first) start with `'`.

use super::students::Identity;
use crate::diagnosis::Code;
use crate::msg::Msg;
use crate::points::round2;
use crate::report::Report;
use crate::scenario::{Lang, Question};
use crate::submission::ProblemKind;
use crate::verdict::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The gradebook's format (`grade batch --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per student (spreadsheets, Moodle's and Canvas's imports).
    Csv,
    /// Every student's row and full report, and a summary.
    Json,
    /// The class report: score spread, pass rates, common diagnoses.
    Html,
}

/// What became of a student (the `status` column; a contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowStatus {
    /// Every question scored (the scores are data: low is not a failure).
    Graded,
    /// Some question has no score: a program missing or ambiguous.
    Incomplete,
    /// The grader failed on some scenario of theirs (exit status 3).
    Error,
    /// Their archive was not extracted (corrupt, too large, unsafe).
    Refused,
    /// The batch was interrupted before they were graded.
    NotGraded,
}

impl RowStatus {
    pub fn name(self) -> &'static str {
        match self {
            RowStatus::Graded => "graded",
            RowStatus::Incomplete => "incomplete",
            RowStatus::Error => "error",
            RowStatus::Refused => "refused",
            RowStatus::NotGraded => "not-graded",
        }
    }
}

/// One student's line of the gradebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub student: Identity,
    /// Each question's score, `None` when it could not be graded.
    pub scores: BTreeMap<String, Option<f64>>,
    pub total: Option<f64>,
    pub max: f64,
    pub status: RowStatus,
    pub codes: Vec<String>,
    pub note: String,
    /// The student's own report, relative to `--report-dir`.
    pub report: Option<String>,
    /// The link to the student's HTML report, from the gradebook's folder.
    #[serde(default)]
    pub html: Option<String>,
}

/// Codes in the `codes` column at most.
const CODES_MAX: usize = 3;

impl Row {
    /// The row of a student graded: `columns` with the maximum each is
    /// worth. A question is blank when a program of it was missing or
    /// ambiguous, or the grader failed on one of its scenarios.
    pub fn graded(student: Identity, rep: &Report, columns: &[(Question, f64)]) -> Row {
        let mut scores = BTreeMap::new();
        let mut max = 0.0;
        let mut blank = false;
        for &(q, worth) in columns {
            let cannot = rep.of_question(q).any(|o| {
                o.verdict.status == Status::Error
                    || rep.problem_of(o).is_some_and(|p| {
                        matches!(p.kind, ProblemKind::Missing | ProblemKind::Ambiguous)
                    })
            });
            let (score, m) = rep.question_score(q);
            max += if rep.of_question(q).next().is_some() {
                m
            } else {
                worth
            };
            blank |= cannot;
            scores.insert(q.name().to_string(), (!cannot).then_some(score));
        }
        let errors = rep.count(Status::Error) > 0;
        let status = match (errors, blank) {
            (true, _) => RowStatus::Error,
            (false, true) => RowStatus::Incomplete,
            _ => RowStatus::Graded,
        };
        let note = match status {
            RowStatus::Error => {
                let line = crate::reporting::errors_line(&rep.outcomes).unwrap_or_default();
                rep.lang.msg(&Msg::new("batch-error").arg("cause", line))
            }
            _ => problems_note(rep),
        };
        Row {
            student,
            total: (!blank).then(|| round2(scores.values().flatten().sum())),
            scores,
            max: round2(max),
            status,
            codes: main_codes(rep),
            note,
            report: None,
            html: None,
        }
    }

    /// The row of a student who could not be graded at all (`status`,
    /// and why in `note`).
    pub fn not_graded(
        student: Identity,
        columns: &[(Question, f64)],
        status: RowStatus,
        note: String,
    ) -> Row {
        Row {
            student,
            scores: columns
                .iter()
                .map(|(q, _)| (q.name().to_string(), None))
                .collect(),
            total: None,
            max: round2(columns.iter().map(|(_, m)| m).sum()),
            status,
            codes: Vec::new(),
            note,
            report: None,
            html: None,
        }
    }
}

/// `q2, q3: no client program in the submission; found: chat.py` for
/// each submission problem, those of the same words once.
fn problems_note(rep: &Report) -> String {
    let mut lines: Vec<(String, Vec<&'static str>)> = Vec::new();
    for p in &rep.problems {
        let text = rep.lang.msg(&p.diagnosis().message);
        let text = text.lines().next().unwrap_or_default().to_string();
        let qs: Vec<&'static str> = rep
            .outcomes
            .iter()
            .filter(|o| p.scenarios.contains(&o.scenario.id))
            .map(|o| o.scenario.question.name())
            .collect();
        match lines.iter_mut().find(|(t, _)| *t == text) {
            Some((_, v)) => v.extend(qs),
            None => lines.push((text, qs)),
        }
    }
    let parts: Vec<String> = lines
        .into_iter()
        .map(|(text, mut qs)| {
            qs.sort_unstable();
            qs.dedup();
            let m = Msg::new("batch-question-problem")
                .arg("questions", qs.join(", "))
                .arg("problem", text);
            rep.lang.msg(&m)
        })
        .collect();
    parts.join("; ")
}

/// The codes of what did not pass, most frequent first (a submission
/// problem counts once, not once per scenario it stopped).
fn main_codes(rep: &Report) -> Vec<String> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for p in &rep.problems {
        *counts.entry(p.code().as_str()).or_default() += 1;
    }
    for o in rep.ran().filter(|o| o.verdict.status != Status::Pass) {
        let code = o
            .verdict
            .diagnosis
            .as_ref()
            .map_or(Code::InternalError, |d| d.code);
        *counts.entry(code.as_str()).or_default() += 1;
    }
    let mut v: Vec<(&'static str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter()
        .take(CODES_MAX)
        .map(|(c, _)| c.to_string())
        .collect()
}

/// A text cell made inert for spreadsheets: one that starts like a formula
/// gets a `'` first (OWASP's advice for CSV injection).
pub fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a
/// line break, its quotes doubled.
fn field(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// A score as a spreadsheet reads it whatever its locale: `.` decimals,
/// two at most (`7`, `6.5`).
fn number(x: Option<f64>) -> String {
    x.map(|x| format!("{:.*}", crate::points::decimals(x), round2(x)))
        .unwrap_or_default()
}

/// The CSV gradebook: the header, then one line per row.
pub fn write_csv(rows: &[Row], columns: &[(Question, f64)], out: &mut dyn Write) -> io::Result<()> {
    let mut header = vec!["student", "id", "email", "identifier"];
    header.extend(columns.iter().map(|(q, _)| q.name()));
    header.extend(["total", "max", "status", "codes", "note", "report"]);
    writeln!(out, "{}", header.join(","))?;
    for r in rows {
        let text = |s: &str| field(&inert(s));
        let who = &r.student;
        let mut cells = vec![
            text(&who.name),
            text(&who.id),
            text(who.email.as_deref().unwrap_or_default()),
            text(who.identifier.as_deref().unwrap_or_default()),
        ];
        cells.extend(
            columns
                .iter()
                .map(|(q, _)| number(r.scores.get(q.name()).copied().flatten())),
        );
        cells.push(number(r.total));
        cells.push(number(Some(r.max)));
        cells.push(r.status.name().to_string());
        cells.push(text(&r.codes.join(" ")));
        cells.push(text(&r.note));
        cells.push(text(r.report.as_deref().unwrap_or_default()));
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// The summary of the JSON gradebook: what `grade batch merge` checks
/// the shards agree on, and the counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub students: usize,
    pub graded: usize,
    pub incomplete: usize,
    pub errors: usize,
    pub refused: usize,
    pub max: f64,
    /// Mean total of the rows that have one.
    pub mean: Option<f64>,
    /// The gradebook's questions, each with the points it is worth.
    pub questions: BTreeMap<String, f64>,
    pub grade_version: String,
    /// FNV-1a of the scenarios graded (their ids, steps and points).
    pub scenarios: String,
    /// The part of the class this gradebook holds (`--shard K/N`).
    pub shard: Option<super::shard::Shard>,
}

impl Summary {
    pub fn of(rows: &[Row], columns: &[(Question, f64)], scenarios: &str) -> Summary {
        let count = |s: RowStatus| rows.iter().filter(|r| r.status == s).count();
        let totals: Vec<f64> = rows.iter().filter_map(|r| r.total).collect();
        Summary {
            students: rows.len(),
            graded: count(RowStatus::Graded),
            incomplete: count(RowStatus::Incomplete),
            errors: count(RowStatus::Error),
            refused: count(RowStatus::Refused),
            max: round2(columns.iter().map(|(_, m)| m).sum()),
            mean: (!totals.is_empty())
                .then(|| round2(totals.iter().sum::<f64>() / totals.len() as f64)),
            questions: columns
                .iter()
                .map(|(q, m)| (q.name().to_string(), *m))
                .collect(),
            grade_version: env!("CARGO_PKG_VERSION").to_string(),
            scenarios: scenarios.to_string(),
            shard: None,
        }
    }

    /// The gradebook's columns, back from `questions`.
    pub fn columns(&self) -> Vec<(Question, f64)> {
        Question::ALL
            .into_iter()
            .filter_map(|q| self.questions.get(q.name()).map(|m| (q, *m)))
            .collect()
    }

    /// `12 students: 9 graded, 2 incomplete, 0 errors, 1 refused`.
    pub fn line(&self, lang: &Lang) -> String {
        lang.msg(
            &Msg::new("batch-summary")
                .arg("students", self.students)
                .arg("graded", self.graded)
                .arg("incomplete", self.incomplete)
                .arg("errors", self.errors)
                .arg("refused", self.refused),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_made_inert() {
        assert_eq!(inert("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("+1"), "'+1");
        assert_eq!(inert("-2"), "'-2");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("Ada"), "Ada");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn a_row_not_graded_has_blank_scores_and_the_maximum() {
        let cols = [(Question::Q1, 8.0), (Question::Q2, 6.0)];
        let who = Identity {
            id: "=1+1".into(),
            name: "Eve, the \"hacker\"".into(),
            ..Identity::default()
        };
        let row = Row::not_graded(who, &cols, RowStatus::Refused, "archive refused".into());
        let mut out = Vec::new();
        write_csv(&[row], &cols, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "student,id,email,identifier,q1,q2,total,max,status,codes,note,report"
        );
        assert_eq!(
            lines[1],
            "\"Eve, the \"\"hacker\"\"\",'=1+1,,,,,,14,refused,,archive refused,"
        );
    }
}

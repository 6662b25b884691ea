//! `grade batch merge PART.json…`: the JSON gradebooks of a class graded
//! in shards (`--shard K/N`) made one gradebook, in any of its formats —
//! once it is certain they are the parts of one grading: shards 1..N each
//! there once, the same grade version, scenarios and points, and no
//! student in two parts (else exit 2, saying which).

use super::gradebook::{self, Row, Summary};
use crate::{exit, output, Error};
use serde::Deserialize;
use std::path::PathBuf;

/// Validated settings of `grade batch merge`.
#[derive(Debug, Clone)]
pub struct MergeConfig {
    pub parts: Vec<PathBuf>,
    pub format: gradebook::Format,
    pub output: Option<PathBuf>,
    /// `--anonymous`: no name in the class report.
    pub anonymous: bool,
    pub lang: crate::scenario::Lang,
}

/// A JSON gradebook as `grade batch --format json` writes it.
#[derive(Debug, Deserialize)]
struct Part {
    students: Vec<Student>,
    summary: Summary,
}

#[derive(Debug, Deserialize)]
struct Student {
    gradebook: Row,
    report: serde_json::Value,
}

pub fn run(m: &MergeConfig) -> Result<u8, Error> {
    let dest =
        output::open(m.output.as_deref(), "--output ").map_err(|e| Error::Usage(e.to_string()))?;
    let mut parts = Vec::new();
    for p in &m.parts {
        let text = std::fs::read(p).map_err(|e| Error::Usage(format!("{}: {e}", p.display())))?;
        let part: Part = serde_json::from_slice(&text).map_err(|e| {
            Error::Usage(format!(
                "{}: not a JSON gradebook of grade batch: {e}",
                p.display()
            ))
        })?;
        parts.push((p.display().to_string(), part));
    }
    check(&parts).map_err(Error::Usage)?;
    let model = parts[0].1.summary.clone();
    let mut students: Vec<Student> = parts.into_iter().flat_map(|(_, p)| p.students).collect();
    students.sort_by(|a, b| a.gradebook.student.id.cmp(&b.gradebook.student.id));
    let rows: Vec<Row> = students.iter().map(|s| s.gradebook.clone()).collect();
    let columns = model.columns();
    let mut summary = Summary::of(&rows, &columns, &model.scenarios);
    summary.grade_version = model.grade_version;
    let mut stats = super::class_report::Stats::default();
    for s in &students {
        stats.add(&s.gradebook.student.name, &s.report);
    }
    dest.write(|out| match m.format {
        gradebook::Format::Csv => gradebook::write_csv(&rows, &columns, out),
        gradebook::Format::Html => {
            super::class_report::write(&rows, &stats, &summary, &m.lang, m.anonymous, out)
        }
        gradebook::Format::Json => {
            writeln!(out, "{{\"students\": [")?;
            for (k, s) in students.iter().enumerate() {
                let doc = serde_json::json!({"gradebook": s.gradebook, "report": s.report});
                let comma = if k + 1 < students.len() { "," } else { "" };
                writeln!(out, "{}{comma}", serde_json::to_string(&doc)?)?;
            }
            writeln!(out, "],")?;
            writeln!(out, "\"summary\": {}}}", serde_json::to_string(&summary)?)
        }
    })
    .map_err(|e| Error::Environment(e.to_string()))?;
    Ok(if summary.errors > 0 {
        exit::ENVIRONMENT
    } else {
        exit::PASS
    })
}

/// Why `parts` (file name, gradebook) are not the shards of one grading.
fn check(parts: &[(String, Part)]) -> Result<(), String> {
    let Some((first_name, first)) = parts.first() else {
        return Err("no part to merge".into());
    };
    let shard_of = |name: &str, p: &Part| {
        p.summary
            .shard
            .ok_or_else(|| format!("{name}: not a shard (graded without --shard)"))
    };
    let n = shard_of(first_name, first)?.n;
    let mut seen = vec![None::<&str>; n];
    for (name, p) in parts {
        let sh = shard_of(name, p)?;
        if sh.n != n {
            return Err(format!(
                "{name} is shard {sh} but {first_name} is one of {n}"
            ));
        }
        if let Some(other) = seen[sh.k - 1].replace(name) {
            return Err(format!("shard {sh} appears twice: {other} and {name}"));
        }
        for (what, a, b) in [
            (
                "grade version",
                &first.summary.grade_version,
                &p.summary.grade_version,
            ),
            (
                "scenarios and points",
                &first.summary.scenarios,
                &p.summary.scenarios,
            ),
        ] {
            if a != b {
                return Err(format!(
                    "{name} and {first_name} were not graded with the same {what} ({b} ≠ {a})"
                ));
            }
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| seen[k - 1].is_none())
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("shards missing: {}", missing.join(", ")));
    }
    let mut ids = std::collections::HashMap::new();
    for (name, p) in parts {
        for s in &p.students {
            let id = &s.gradebook.student.id;
            if let Some(other) = ids.insert(id.clone(), name.clone()) {
                return Err(format!("student {id} appears twice: in {other} and {name}"));
            }
        }
    }
    Ok(())
}

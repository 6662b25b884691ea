//! GitHub Actions: workflow-command annotations (`--format github`) and a
//! Markdown step summary (`--format markdown`). When `GITHUB_ACTIONS=true`,
//! `grade` writes both on its own (see [`in_actions`]).
//!
//! Annotations, one per scenario that did not pass, then the score:
//!
//! ```text
//! ::error file=serveur.py,title=q1.server.split-line — A line in two segments::[split-line] …%0Afix: …
//! ::notice title=grade::Score: 6/8 (6 passed, 2 failed)
//! ```
//! `file` is the program under test when it is a file of the repository.
//! Values are escaped as the runner expects (`%` `\r` `\n`, and `:` `,` in
//! properties).

use super::{
    display_name, feedback, points_text, problem_feedback, problem_headline, tr, transcript_text,
    Outcome, Report, Reporter,
};
use crate::scenario::Role;
use crate::verdict::Status;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `::error` workflow commands, one per failure.
pub struct Annotations;

/// A Markdown table of every scenario, failures detailed below it.
pub struct Summary;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The student's file a scenario grades, relative to the working directory
/// (the repository in Actions), when the program is a file there.
fn program_file(r: &Report, o: &Outcome) -> Option<PathBuf> {
    let spec = match o.scenario.role {
        Role::Client => r.client.as_ref(),
        Role::Server | Role::Pair => r.server.as_ref(),
    }?;
    let path = if Path::new(spec).is_file() {
        PathBuf::from(spec)
    } else {
        // A command line: its first argument that is a file (`python3 serveur.py`).
        spec.split_whitespace()
            .skip(1)
            .map(PathBuf::from)
            .find(|p| p.is_file())?
    };
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path.strip_prefix(&cwd).ok().map(Path::to_path_buf),
        _ => Some(path),
    }
}

impl Reporter for Annotations {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let l = &r.lang;
        for p in &r.problems {
            let mut props = Vec::new();
            if Path::new(&p.file).is_file() {
                props.push(format!("file={}", escape_property(&p.file)));
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("submission — {} program", p.side.name()))
            ));
            writeln!(
                out,
                "::error {}::{}",
                props.join(","),
                escape_data(problem_feedback(r, p).trim_end())
            )?;
        }
        for o in r.ran().filter(|o| o.verdict.status != Status::Pass) {
            let mut props = Vec::new();
            if let Some(f) = program_file(r, o) {
                props.push(format!(
                    "file={}",
                    escape_property(&f.display().to_string())
                ));
            }
            props.push(format!("title={}", escape_property(&display_name(o, l))));
            let mut message = feedback(o, l);
            if message.is_empty() {
                message = format!("{:?}", o.verdict.status);
            }
            writeln!(
                out,
                "::error {}::{}",
                props.join(","),
                escape_data(message.trim_end())
            )?;
        }
        writeln!(out, "::notice title=grade::{}", escape_data(&r.summary()))
    }
}

/// A Markdown table cell: no line breaks, no column separators.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

impl Reporter for Summary {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let l = &r.lang;
        writeln!(out, "### grade — {}", r.summary())?;
        writeln!(out)?;
        writeln!(
            out,
            "| | {} | {} | {} |",
            tr(l, "scenario", "scénario"),
            tr(l, "points", "points"),
            tr(l, "diagnosis", "diagnostic")
        )?;
        writeln!(out, "|---|---|---|---|")?;
        for p in &r.problems {
            writeln!(
                out,
                "| ❌ | {} | 0/{} | `{}` {} |",
                tr(l, "submission", "rendu"),
                points_text(r.problem_points(p)),
                p.code(),
                cell(&problem_headline(p, l)),
            )?;
        }
        for o in r.ran() {
            let mark = match o.verdict.status {
                Status::Pass => "✅",
                Status::Fail => "❌",
                Status::Error => "⚠️",
                Status::Skip => "➖",
            };
            let diagnosis = o
                .verdict
                .diagnosis
                .as_ref()
                .map(|d| {
                    let message = l.msg(&d.message);
                    let first = message.lines().next().unwrap_or("");
                    format!("`{}` {}", d.code, cell(first))
                })
                .unwrap_or_default();
            writeln!(
                out,
                "| {mark} | `{}` {} | {}/{} | {diagnosis} |",
                o.scenario.id,
                cell(o.scenario.title.get(l)),
                points_text(o.verdict.score),
                points_text(o.scenario.points),
            )?;
        }
        for p in &r.problems {
            writeln!(out)?;
            writeln!(out, "```text")?;
            write!(out, "{}", problem_feedback(r, p).replace("```", "'''"))?;
            writeln!(out, "```")?;
        }
        for o in r.ran().filter(|o| o.verdict.status != Status::Pass) {
            writeln!(out)?;
            writeln!(
                out,
                "<details><summary><code>{}</code></summary>\n",
                o.scenario.id
            )?;
            writeln!(out, "```text")?;
            write!(out, "{}", feedback(o, l).replace("```", "'''"))?;
            writeln!(out, "{}", tr(l, "transcript:", "transcription :"))?;
            write!(
                out,
                "{}",
                transcript_text(o, l, Some(24)).replace("```", "'''")
            )?;
            writeln!(out, "```\n\n</details>")?;
        }
        Ok(())
    }
}

/// In GitHub Actions (`GITHUB_ACTIONS=true`): append the Markdown summary to
/// `$GITHUB_STEP_SUMMARY` and write the annotations to `annotations` (the
/// runner reads workflow commands from the step's output).
pub fn in_actions(r: &Report, annotations: &mut dyn Write) -> io::Result<()> {
    if std::env::var_os("GITHUB_ACTIONS").is_none_or(|v| v != "true") {
        return Ok(());
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot append to {}: {e}", Path::new(&path).display()),
                )
            })?;
        Summary.write(r, &mut f)?;
    }
    Annotations.write(r, annotations)
}

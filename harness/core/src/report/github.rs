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

use super::text::{
    self, display_name, feedback, problem_feedback, problem_headline, transcript_text, EXCERPT,
};
use super::{Outcome, Report, Reporter};
use crate::msg::Msg;
use crate::points::points_text;
use crate::scenario::{Role, Side};
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
    let side = match o.scenario.role {
        Role::Client => Side::Client,
        Role::Server | Role::Pair => Side::Server,
    };
    let spec = r.program(o.scenario.question, side)?;
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

/// `::error file=…,title=…::message`, `file` when it is a file here.
fn error(out: &mut dyn Write, file: Option<String>, title: &str, message: &str) -> io::Result<()> {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(&f)));
    }
    props.push(format!("title={}", escape_property(title)));
    writeln!(
        out,
        "::error {}::{}",
        props.join(","),
        escape_data(message.trim_end())
    )
}

impl Reporter for Annotations {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let l = &r.lang;
        for p in &r.problems {
            let file = Path::new(&p.file).is_file().then(|| p.file.clone());
            let title = format!(
                "{} — {}",
                l.get("report-submission"),
                l.msg(&text::problem_name(p))
            );
            error(out, file, &title, &problem_feedback(r, p))?;
        }
        for o in r.ran().filter(|o| o.verdict.status != Status::Pass) {
            let file = program_file(r, o).map(|f| f.display().to_string());
            let mut message = feedback(o, l);
            if message.is_empty() {
                let status = text::status_name(o.verdict.status);
                message = l.msg(&Msg::new("report-status").arg("status", status));
            }
            error(out, file, &display_name(o, l), &message)?;
        }
        writeln!(out, "::notice title=grade::{}", escape_data(&r.summary()))
    }
}

/// A Markdown table cell: no line breaks, no column separators.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// Text in a fenced block, which it must not close.
fn fenced(s: &str) -> String {
    s.replace("```", "'''")
}

impl Reporter for Summary {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let l = &r.lang;
        writeln!(out, "### grade — {}", r.summary())?;
        writeln!(out)?;
        writeln!(
            out,
            "| | {} | {} | {} |",
            l.get("markdown-scenario"),
            l.get("markdown-points"),
            l.get("markdown-diagnosis")
        )?;
        writeln!(out, "|---|---|---|---|")?;
        for p in &r.problems {
            writeln!(
                out,
                "| ❌ | {} | 0/{} | `{}` {} |",
                l.get("report-submission"),
                points_text(r.problem_points(p), l),
                p.code(),
                cell(&problem_headline(p, l)),
            )?;
        }
        for o in r.ran() {
            table_row(out, o, l)?;
        }
        for p in &r.problems {
            writeln!(out)?;
            writeln!(out, "```text")?;
            write!(out, "{}", fenced(&problem_feedback(r, p)))?;
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
            write!(out, "{}", fenced(&feedback(o, l)))?;
            writeln!(out, "{}", l.get("report-transcript"))?;
            write!(out, "{}", fenced(&transcript_text(o, l, Some(EXCERPT))))?;
            writeln!(out, "```\n\n</details>")?;
        }
        Ok(())
    }
}

/// A scenario's row of the table: mark, id and title, points, diagnosis.
fn table_row(out: &mut dyn Write, o: &Outcome, l: &crate::msg::Lang) -> io::Result<()> {
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
        .map(|d| format!("`{}` {}", text::code(d), cell(&text::first_line(d, l))))
        .unwrap_or_default();
    writeln!(
        out,
        "| {mark} | `{}` {} | {}/{} | {diagnosis} |",
        o.scenario.id,
        cell(o.scenario.title.get(l)),
        points_text(o.verdict.score, l),
        points_text(o.scenario.points, l),
    )
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

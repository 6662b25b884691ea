//! The report stage: the outcomes in report order, one `Report`, written
//! in every format asked (destinations opened before grading), GitHub
//! annotations, and the exit status.

use crate::output::{self, Destination, Format};
use crate::prepare::Plan;
use crate::report::{self, Outcome, Report, Reporter};
use crate::scenario::{Lang, Scenario, Side};
use crate::submission::SubmissionProblem;
use crate::verdict::{self, Status};
use crate::{exit, Config, Error};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Opens every report's destination before grading: an unwritable one is
/// a usage error now, not after the grading.
pub fn open_outputs(cfg: &Config) -> Result<Vec<Destination>, Error> {
    let usage = |e: output::OutputError| Error::Usage(e.to_string());
    let mut dests = vec![output::open(cfg.output.as_deref(), "--output ").map_err(usage)?];
    for (format, path) in &cfg.reports {
        let flag = format!("--report {}=", format.name());
        dests.push(output::open(Some(path), &flag).map_err(usage)?);
    }
    Ok(dests)
}

/// Reports the run: `ran` (the outcomes of `plan.runs`, in that order) and
/// the scenarios a submission problem stopped. The exit status, or the
/// grader's own faults in one line once every report is written.
pub fn report(
    cfg: &Config,
    plan: Plan,
    ran: Vec<Outcome>,
    dests: Vec<Destination>,
    isolation_note: Option<String>,
    wall: Duration,
) -> Result<u8, Error> {
    let rep = build(cfg, plan, ran, isolation_note, wall);
    let formats = std::iter::once(cfg.format).chain(cfg.reports.iter().map(|(f, _)| *f));
    // A grading platform shows its results to students: how the run was
    // not isolated (and the sudo advice) is for the instructor's log.
    let platform = |f: &Format| matches!(f, Format::Gradescope | Format::Prairielearn);
    if let Some(n) = rep
        .isolation_note
        .as_deref()
        .filter(|_| formats.clone().any(|f| platform(&f)))
    {
        eprintln!(
            "{}",
            crate::report::text::labelled(&rep.lang, "report-note", n)
        );
    }
    for (format, dest) in formats.clone().zip(dests) {
        write_report(&*format.reporter(), &rep, dest)?;
    }
    if formats.clone().any(|f| f == Format::Classroom) {
        classroom_output(&rep)?;
    }
    annotate(cfg, &rep)?;
    if let Some(line) = errors_line(&rep.outcomes) {
        return Err(Error::Graded(line));
    }
    let all_passed = rep
        .outcomes
        .iter()
        .all(|o| o.verdict.status == Status::Pass);
    Ok(if all_passed { exit::PASS } else { exit::FAIL })
}

/// The report of a run: `ran` (the outcomes of `plan.runs`, in that
/// order) and the scenarios a submission problem stopped, in report order.
pub fn build(
    cfg: &Config,
    plan: Plan,
    ran: Vec<Outcome>,
    isolation_note: Option<String>,
    wall: Duration,
) -> Report {
    let sandbox = plan.sandbox;
    let by_question = plan.by_question;
    let outcomes = in_order(plan.order, ran, plan.stopped, &plan.problems);
    let color_ok = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let to_terminal = cfg.output.is_none() && std::io::stdout().is_terminal();
    Report {
        outcomes,
        server: cfg.programs.shown(Side::Server),
        client: cfg.programs.shown(Side::Client),
        lang: cfg.lang.clone(),
        verbose: cfg.verbose,
        color: color_ok && to_terminal,
        isolation_note,
        wall,
        hidden: cfg.hidden.clone(),
        problems: plan.problems,
        date: std::time::SystemTime::now().checked_sub(wall),
        sandbox,
        by_question,
    }
}

/// Every outcome, those that ran and those stopped, in `order`.
fn in_order(
    order: Vec<String>,
    ran: Vec<Outcome>,
    stopped: Vec<(Scenario, usize)>,
    problems: &[SubmissionProblem],
) -> Vec<Outcome> {
    let mut outcomes = ran;
    for (s, p) in stopped {
        outcomes.push(not_run(s, &problems[p]));
    }
    outcomes.sort_by_key(|o| order.iter().position(|id| *id == o.scenario.id));
    outcomes
}

/// A scenario the submission problem `p` kept from running.
fn not_run(scenario: Scenario, p: &SubmissionProblem) -> Outcome {
    Outcome {
        verdict: verdict::Verdict::not_run(p.not_run()),
        scenario,
        transcript: Default::default(),
        started: Default::default(),
        duration: Default::default(),
    }
}

/// Writes one report to its destination, opened before grading.
fn write_report(reporter: &dyn Reporter, rep: &Report, dest: Destination) -> Result<(), Error> {
    let to_file = !matches!(dest, Destination::Stdout);
    dest.write(|out| {
        if rep.color && to_file {
            // Colour codes belong on a terminal, not in a file.
            let plain = Report {
                color: false,
                ..rep.clone()
            };
            reporter.write(&plain, out)
        } else {
            reporter.write(rep, out)
        }
    })
    .map_err(|e| Error::Environment(e.to_string()))
}

/// The step output `result` GitHub Classroom's reporter reads
/// (`env: <STEP ID>_RESULTS: ${{ steps.<id>.outputs.result }}`): with
/// `--format classroom` (or `--report classroom=…`) inside a step, one line
/// `result=<base64>` appended to `$GITHUB_OUTPUT`, as `core.setOutput`
/// writes it (base64 has no newline to escape).
pub fn classroom_output(rep: &Report) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    append_output(Path::new(&path), &report::classroom::encode(rep))
}

/// Appends `result=VALUE` to the step output file at `path`.
pub fn append_output(path: &Path, value: &str) -> Result<(), Error> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "result={value}"))
        .map_err(|e| Error::Environment(format!("failed to write {}: {e}", path.display())))
}

/// GitHub Actions annotations (inside Actions only): they go with the human
/// report on standard output, never into a machine report written there,
/// and not twice when a `github` report was asked.
fn annotate(cfg: &Config, rep: &Report) -> Result<(), Error> {
    let to_stdout = |p: Option<&Path>| p.is_none_or(|p| p.as_os_str() == "-");
    let stdout_is_machine = (to_stdout(cfg.output.as_deref()) && cfg.format != Format::Human)
        || cfg
            .reports
            .iter()
            .any(|(f, p)| to_stdout(Some(p)) && *f != Format::Human);
    let github_asked =
        cfg.format == Format::Github || cfg.reports.iter().any(|(f, _)| *f == Format::Github);
    if github_asked {
        report::github::in_actions(rep, &mut std::io::sink())?;
    } else if stdout_is_machine {
        report::github::in_actions(rep, &mut std::io::stderr().lock())?;
    } else {
        report::github::in_actions(rep, &mut std::io::stdout().lock())?;
    }
    Ok(())
}

/// `N scenarios not graded (error): ID: what failed (and K more)`, when
/// some scenario ended in `error` (exit status 3).
pub fn errors_line(outcomes: &[Outcome]) -> Option<String> {
    let errors: Vec<String> = outcomes
        .iter()
        .filter(|o| o.verdict.status == Status::Error)
        .map(|o| {
            let what = o.verdict.message(&Lang::default()).unwrap_or_default();
            format!("{}: {what}", o.scenario.id)
        })
        .collect();
    let (first, more) = errors.split_first()?;
    let n = errors.len();
    let others = match more.len() {
        0 => String::new(),
        k => format!(" (and {k} more)"),
    };
    Some(format!(
        "{n} scenario{} not graded (error): {first}{others}",
        if n == 1 { "" } else { "s" }
    ))
}

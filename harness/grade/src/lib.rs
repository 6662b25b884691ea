//! `grade`: drives chat-lab programs through scenarios and judges them.
//!
//! Pipeline: scenario file → Scenario → runner drives a World → Transcript →
//! Verdict → Reporter. `grade` is the only place that wires the stages:
//! load → select → prepare → execute → report.

// Functions stay short (threshold in harness/clippy.toml).
#![warn(clippy::too_many_lines)]

pub mod batch;
pub mod ci;
pub mod cli;
pub mod demo;
pub mod execute;
pub mod fallback;
pub mod output;
pub mod prepare;
pub mod progress;
pub mod reporting;
mod submission_dir;

// The stages, from the crates that keep them apart: the pure ones (no
// processes, any OS) and the sandbox (Linux: namespaces, ptys, cgroups).
pub use grade_core::{
    diagnosis, discovery, expect, fault, glob, msg, points, report, scenario, sh_quote, stall,
    submission, transcript, verdict,
};
pub use grade_sandbox::{runner, world};

use msg::Msg;
use output::Format;
use scenario::{Lang, Question, Side};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Exit codes of the contract (DESIGN.md).
pub mod exit {
    /// Every graded scenario passed.
    pub const PASS: u8 = 0;
    /// Some scenario failed.
    pub const FAIL: u8 = 1;
    /// Bad usage or a bad scenario file.
    pub const USAGE: u8 = 2;
    /// The harness could not run in this environment, or some scenario
    /// ended in `error` (a fault of the grader; every report is written).
    pub const ENVIRONMENT: u8 = 3;
}

/// The grader's own faults (a student's failure is a verdict, never an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] scenario::LoadError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Environment(String),
    /// Some scenario ended in `error`, every report written (exit 3).
    #[error("{0}")]
    Graded(String),
    #[error("failed to write the report: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    fn exit_code(&self) -> u8 {
        match self {
            Error::Load(_) | Error::Usage(_) => exit::USAGE,
            Error::Environment(_) | Error::Graded(_) | Error::Output(_) => exit::ENVIRONMENT,
        }
    }
}

pub fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args = match <cli::Args as clap::Parser>::try_parse() {
        Ok(a) => a,
        Err(e) => {
            if e.use_stderr() {
                // A usage error: the platforms still get their results.
                let why = e.kind().to_string();
                fallback::write_all(&raw, fallback::Cause::Usage, &why, &fallback_lang(&raw));
            }
            e.exit();
        }
    };
    let lang = fallback_lang(&raw);
    let result = cli::task(args).and_then(run);
    // The flood bench's measure (README, "Bounded cost"): grade's own peak
    // memory, which `/usr/bin/time` cannot tell apart from the programs'.
    if std::env::var_os("GRADE_PEAK_MEMORY").is_some_and(|v| v == "1") {
        if let Some(kib) = world::procfs::own_peak_kib() {
            eprintln!("grade: peak memory {kib} KiB (VmHWM)");
        }
    }
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("grade: {e}");
            let cause = match e.exit_code() {
                exit::USAGE => fallback::Cause::Usage,
                _ => fallback::Cause::Environment,
            };
            // Reports written already (some scenario in error, or one of
            // several reports failed): kept.
            if !matches!(e, Error::Graded(_) | Error::Output(_)) {
                fallback::write_all(&raw, cause, &e.to_string(), &lang);
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The language of `--lang` for the fallback results, English when it is
/// absent or unknown (it may be what is wrong).
fn fallback_lang(raw: &[std::ffi::OsString]) -> Lang {
    let catalog = msg::Catalog::builtin();
    let asked = raw
        .windows(2)
        .find(|w| w[0] == "--lang")
        .map(|w| w[1].to_string_lossy().into_owned());
    asked
        .and_then(|l| catalog.lang(&l))
        .or_else(|| catalog.lang("en"))
        .expect("English is built in")
}

/// The programs a run grades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Graded {
    /// `--reference`: the built-in reference programs.
    Reference,
    /// The student's: at least one of the two.
    Student {
        server: Option<String>,
        client: Option<String>,
    },
}

impl Graded {
    /// The student's program of `side`, if given.
    pub fn student(&self, side: Side) -> Option<&String> {
        match (self, side) {
            (Graded::Reference, _) => None,
            (Graded::Student { server, .. }, Side::Server) => server.as_ref(),
            (Graded::Student { client, .. }, Side::Client) => client.as_ref(),
        }
    }

    /// What the report names as the program of `side`.
    fn shown(&self, side: Side) -> Option<String> {
        match self {
            Graded::Reference => Some(format!("ref:*-{}", side.name())),
            Graded::Student { .. } => self.student(side).cloned(),
        }
    }
}

/// What a program that does not exist is (`--missing-is-failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Bad usage (exit 2), before grading.
    UsageError,
    /// One failed test in the reports (exit 1): for platforms that need a
    /// results file.
    Failure,
}

/// Validated settings of a grading run (clap types stop in `cli`).
#[derive(Debug, Clone)]
pub struct Config {
    pub programs: Graded,
    pub questions: Vec<Question>,
    pub globs: Vec<String>,
    pub scenario_dir: Option<PathBuf>,
    pub format: Format,
    pub output: Option<PathBuf>,
    /// `--report FORMAT=FILE`: more reports of the same run.
    pub reports: Vec<(Format, PathBuf)>,
    /// `--points FILE`: points overriding the scenario files'.
    pub points: Option<PathBuf>,
    /// `--hidden GLOB`: scenarios whose details show after the due date.
    pub hidden: Vec<String>,
    pub lang: Lang,
    pub jobs: usize,
    pub timeout_scale: f64,
    pub port: u16,
    pub verbose: bool,
    pub missing: Missing,
    /// `--submission DIR`: the student's folder (with no program given,
    /// where the discovery rule finds them, question by question).
    pub submission: Option<PathBuf>,
    /// `--hide PATH`: hidden from the programs, besides what grade hides.
    pub hide: Vec<PathBuf>,
    /// `--sandbox strict`: every layer of the sandbox, or no grading.
    pub strict_sandbox: bool,
}

impl Config {
    /// What the sandbox hides and shows for this run.
    pub fn sandbox_options(&self) -> prepare::SandboxOptions {
        prepare::SandboxOptions {
            hide: self.hidden_paths(),
            visible: self
                .submission
                .iter()
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
                .collect(),
            strict: self.strict_sandbox,
            lang: self.lang.clone(),
        }
    }

    /// What the programs under test must not see: the grade binary, the
    /// report files, the scenario and points files, `--hide`.
    pub fn hidden_paths(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::env::current_exe().into_iter().collect();
        out.extend(self.output.iter().cloned());
        out.extend(self.reports.iter().map(|(_, p)| p.clone()));
        out.extend(self.scenario_dir.iter().cloned());
        out.extend(self.points.iter().cloned());
        out.extend(self.hide.iter().cloned());
        out.into_iter()
            .map(|p| std::path::absolute(&p).unwrap_or(p))
            .collect()
    }
}

pub fn run(task: cli::Task) -> Result<u8, Error> {
    match task {
        cli::Task::Grade(cfg) => grade(&cfg),
        cli::Task::Batch(b) => batch::run(&b),
        cli::Task::BatchMerge(m) => batch::merge::run(&m),
        cli::Task::Reference(name, opts) => Ok(reference::run(name, &opts).clamp(0, 255) as u8),
        cli::Task::Demo(d) => demo::run(&d),
        cli::Task::List {
            questions,
            scenario_dir,
            points,
            lang,
        } => list(
            &questions,
            scenario_dir.as_deref(),
            points.as_deref(),
            &lang,
        ),
        cli::Task::Ci(opts) => {
            if opts.repo.is_none() && opts.needs_repo() {
                let m = Msg::new("ci-no-repo").arg("placeholder", ci::REPO_PLACEHOLDER);
                eprintln!("grade: {}", opts.lang.msg(&m));
            }
            if let Some(ci::Install::Release(r)) = &opts.install {
                if let Some(me) = &r.sha256_of {
                    let m = Msg::new("ci-pinned-self")
                        .arg("url", r.url.as_str())
                        .arg("sha256", r.sha256.as_str())
                        .arg("binary", me.display().to_string());
                    eprintln!("grade: {}", opts.lang.msg(&m));
                }
            }
            ci::run(&opts, &mut std::io::stdout().lock()).map_err(|e| match e {
                ci::CiError::Exists(_) => Error::Usage(e.to_string()),
                ci::CiError::Write { .. } => Error::Environment(e.to_string()),
            })?;
            Ok(exit::PASS)
        }
    }
}

/// A grading run, stage after stage. Progress on the terminal is one more
/// subscriber of the executor's events.
fn grade(cfg: &Config) -> Result<u8, Error> {
    if let (
        Some(dir),
        Graded::Student {
            server: None,
            client: None,
        },
    ) = (&cfg.submission, &cfg.programs)
    {
        return submission_dir::grade(cfg, dir);
    }
    let start = Instant::now();
    let bench = prepare::Workbench::new(cfg.port, &cfg.sandbox_options())?;
    let all = prepare::load(cfg.scenario_dir.as_deref(), cfg.points.as_deref(), cfg.port)?;
    let scenarios = prepare::select(all, cfg)?;
    let dests = reporting::open_outputs(cfg)?;
    let plan = prepare::prepare(scenarios, cfg, &bench)?;
    let progress = progress::Progress::for_run(cfg);
    let ran = execute::execute(&plan.runs, cfg.jobs, bench.isolation, &|e| {
        if let Some(p) = &progress {
            p.notify(e);
        }
    });
    let note = bench.isolation_note(&cfg.lang);
    reporting::report(cfg, plan, ran, dests, note, start.elapsed())
}

/// `grade list`: every scenario of the catalogue (or of some questions),
/// with its points and title.
fn list(
    questions: &[Question],
    scenario_dir: Option<&Path>,
    points: Option<&Path>,
    lang: &Lang,
) -> Result<u8, Error> {
    let all = prepare::load(scenario_dir, points, crate::verdict::DEFAULT_PORT)?;
    let mut out = std::io::stdout().lock();
    for s in all
        .iter()
        .filter(|s| questions.is_empty() || questions.contains(&s.question))
    {
        let points = lang.msg(&Msg::new("list-points").arg("points", s.points));
        writeln!(out, "{:<28} {points:>4}  {}", s.id, s.title.get(lang))?;
    }
    Ok(exit::PASS)
}

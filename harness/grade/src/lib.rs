//! `grade`: drives chat-lab programs through scenarios and judges them.
//!
//! Pipeline: scenario file → Scenario → runner drives a World → Transcript →
//! Verdict → Reporter. `run` is the only place that wires the stages.

pub mod ci;
pub mod cli;
pub mod demo;
pub mod output;

// The stages, from the crates that keep them apart: the pure ones (no
// processes, any OS) and the sandbox (Linux: namespaces, ptys, cgroups).
pub use grade_core::{
    expect, fault, glob, msg, points, report, scenario, stall, submission, transcript, verdict,
};
pub use grade_sandbox::{runner, world};

use report::{Outcome, Report};
use runner::{RunConfig, RunError};
use scenario::{Lang, Question, Role, Scenario, Side};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use submission::SubmissionProblem;
use transcript::Transcript;
use world::program::{self as program, prepare, Prepared, Refused};

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
    #[error("failed to write the report: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    fn exit_code(&self) -> u8 {
        match self {
            Error::Load(_) | Error::Usage(_) => exit::USAGE,
            Error::Environment(_) | Error::Output(_) => exit::ENVIRONMENT,
        }
    }
}

pub fn main() -> ExitCode {
    let args = <cli::Args as clap::Parser>::parse();
    let result = run(args);
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
            ExitCode::from(e.exit_code())
        }
    }
}

/// Validated settings of a grading run (clap types stop in `cli`).
#[derive(Debug, Clone)]
pub struct Config {
    pub server: Option<String>,
    pub client: Option<String>,
    pub reference: bool,
    pub questions: Vec<Question>,
    pub globs: Vec<String>,
    pub scenario_dir: Option<PathBuf>,
    pub format: String,
    pub output: Option<PathBuf>,
    /// `--report FORMAT=FILE`: more reports of the same run.
    pub reports: Vec<(String, PathBuf)>,
    /// `--points FILE`: points overriding the scenario files'.
    pub points: Option<PathBuf>,
    /// `--hidden GLOB`: scenarios whose details show after the due date.
    pub hidden: Vec<String>,
    pub lang: Lang,
    pub jobs: usize,
    pub timeout_scale: f64,
    pub port: u16,
    pub verbose: bool,
    /// `--missing-is-failure`: a missing program is a submission problem.
    pub missing_is_failure: bool,
}

pub fn run(args: cli::Args) -> Result<u8, Error> {
    match args.command {
        Some(cli::Command::Reference(r)) => {
            let opts = reference::Options {
                host: r.host,
                port: r.port,
                start: r.start,
            };
            let code = reference::run(r.name, &opts);
            Ok(code.clamp(0, 255) as u8)
        }
        Some(cli::Command::Demo(d)) => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            demo::run(demo::DemoConfig {
                demo: d.demo,
                server: d.server,
                client: d.client,
                interactive: d.interactive,
                lang: cli::lang(&args.lang, args.messages.as_deref())?,
                port: d.port,
                timeout_scale: d.timeout_scale,
                color,
            })
        }
        Some(cli::Command::List { ref questions }) => {
            let qs = cli::questions(questions)?;
            let mut all = scenario::load_catalogue(args.scenario_dir.as_deref())?;
            apply_points(args.points.as_deref(), &mut all)?;
            let lang = cli::lang(&args.lang, args.messages.as_deref())?;
            let mut out = std::io::stdout().lock();
            for s in all
                .iter()
                .filter(|s| qs.is_empty() || qs.contains(&s.question))
            {
                writeln!(out, "{:<28} {:>4}  {}", s.id, s.points, s.title.get(&lang))?;
            }
            Ok(exit::PASS)
        }
        Some(cli::Command::Ci(c)) => {
            let lang = cli::lang(&args.lang, args.messages.as_deref())?;
            let opts = cli::ci_options(c, lang)?;
            if opts.repo.is_none() && opts.target != ci::Target::Gradescope {
                eprintln!(
                    "grade: no --repo given: replace {} with the course's repository",
                    ci::REPO_PLACEHOLDER
                );
            }
            ci::run(&opts, &mut std::io::stdout().lock()).map_err(|e| match e {
                ci::CiError::Exists(_) => Error::Usage(e.to_string()),
                ci::CiError::Write { .. } => Error::Environment(e.to_string()),
            })?;
            Ok(exit::PASS)
        }
        None => grade(cli::config(args)?),
    }
}

/// `--points FILE` over the whole catalogue (every entry must match some scenario).
fn apply_points(file: Option<&std::path::Path>, all: &mut [Scenario]) -> Result<(), Error> {
    let Some(file) = file else { return Ok(()) };
    points::load(file)
        .and_then(|p| p.apply(all))
        .map_err(|e| Error::Usage(e.to_string()))
}

/// Writes one report to its destination, opened before grading.
fn write_report(
    reporter: &dyn report::Reporter,
    rep: &Report,
    dest: output::Destination,
) -> Result<(), Error> {
    let to_file = !matches!(dest, output::Destination::Stdout);
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

/// Opens every report's destination before grading: an unwritable one is
/// a usage error now, not after the grading.
fn open_outputs(cfg: &Config) -> Result<Vec<output::Destination>, Error> {
    let usage = |e: output::OutputError| Error::Usage(e.to_string());
    let mut dests = vec![output::open(cfg.output.as_deref(), "--output ").map_err(usage)?];
    for (format, path) in &cfg.reports {
        dests.push(output::open(Some(path), &format!("--report {format}=")).map_err(usage)?);
    }
    Ok(dests)
}

/// Whether scenario `s` runs the student's program of `side` (rather than
/// a reference or fixed program).
fn runs_student(s: &Scenario, side: Side, cfg: &Config) -> bool {
    if cfg.reference || s.programs.is_fixed() {
        return false;
    }
    let given = match side {
        Side::Server => cfg.server.is_some(),
        Side::Client => cfg.client.is_some(),
    };
    given
        && match s.role {
            Role::Server => side == Side::Server,
            Role::Client => side == Side::Client,
            Role::Pair => true,
        }
}

/// Which scenarios a run grades, and with which programs.
fn select(all: Vec<Scenario>, cfg: &Config) -> Vec<Scenario> {
    all.into_iter()
        .filter(|s| cfg.questions.is_empty() || cfg.questions.contains(&s.question))
        .filter(|s| cfg.globs.is_empty() || cfg.globs.iter().any(|g| glob(g, &s.id)))
        .filter(|s| {
            // Demos run fixed programs: they grade the harness, not a student.
            if s.programs.is_fixed() {
                return cfg.reference;
            }
            cfg.reference
                || match s.role {
                    Role::Server => cfg.server.is_some(),
                    Role::Client => cfg.client.is_some(),
                    // The missing side is the reference program.
                    Role::Pair => cfg.server.is_some() || cfg.client.is_some(),
                }
        })
        .collect()
}

fn grade(cfg: Config) -> Result<u8, Error> {
    world::set_up().map_err(|e| Error::Environment(format!("cannot handle signals: {e}")))?;
    let start = Instant::now();
    let Some(reporter) = report::by_name(&cfg.format) else {
        return Err(Error::Usage(format!(
            "unknown format `{}` (one of: {})",
            cfg.format,
            report::FORMATS.join(", ")
        )));
    };
    let mut all = scenario::load_catalogue(cfg.scenario_dir.as_deref())?;
    apply_points(cfg.points.as_deref(), &mut all)?;
    let scenarios = select(all, &cfg);
    if scenarios.is_empty() {
        return Err(Error::Usage(
            "no scenario to run: give --server and/or --client (or --reference), and check -q / -s"
                .into(),
        ));
    }
    let dests = open_outputs(&cfg)?;
    world::reaper::become_subreaper();
    let isolated = world::netns::available();
    let isolation_note = (!isolated).then(|| world::netns::fallback_note(cfg.port));
    let jobs = if isolated { cfg.jobs.max(1) } else { 1 };

    // Prepare every program once (compile C, resolve python3) before any
    // scenario runs: the reaper must not race with these short-lived children.
    let build = tempfile::Builder::new()
        .prefix(&world::interrupt::scratch_prefix("grade-build"))
        .tempdir()
        .map_err(|e| Error::Environment(format!("cannot create a build directory: {e}")))?;
    let _tracked = world::interrupt::track_dir(build.path());
    let opts = program::Options {
        port: cfg.port,
        build_dir: build.path(),
        missing_is_failure: cfg.missing_is_failure,
    };
    // A student's program that cannot run at all is one submission
    // problem; the scenarios that would run it are not run.
    let mut problems: Vec<SubmissionProblem> = Vec::new();
    let mut prep = |spec: &Option<String>, side: Side| -> Result<Option<Prepared>, Error> {
        let Some(spec) = spec else { return Ok(None) };
        match prepare(spec, side, opts) {
            Ok(p) => Ok(Some(p)),
            Err(Refused::Usage(m)) => Err(Error::Usage(m)),
            Err(Refused::Environment(m)) => Err(Error::Environment(m)),
            Err(Refused::Problem(p)) => {
                let mut p = *p;
                // A pair scenario with both sides at fault counts once.
                let claimed = |id: &String| problems.iter().any(|q| q.scenarios.contains(id));
                p.scenarios = scenarios
                    .iter()
                    .filter(|s| runs_student(s, side, &cfg) && !claimed(&s.id))
                    .map(|s| s.id.clone())
                    .collect();
                if !p.scenarios.is_empty() {
                    problems.push(p);
                }
                Ok(None)
            }
        }
    };
    let (server, client) = (
        prep(&cfg.server, Side::Server)?,
        prep(&cfg.client, Side::Client)?,
    );
    let not_run: std::collections::HashMap<String, &SubmissionProblem> = problems
        .iter()
        .flat_map(|p| p.scenarios.iter().map(move |id| (id.clone(), p)))
        .collect();
    let order: Vec<String> = scenarios.iter().map(|s| s.id.clone()).collect();
    let (scenarios, stopped): (Vec<Scenario>, Vec<Scenario>) = scenarios
        .into_iter()
        .partition(|s| !not_run.contains_key(&s.id));
    // Reference programs (and demos' fixed programs), prepared once by spec.
    let mut refs = std::collections::HashMap::new();
    for s in &scenarios {
        for side in [Side::Server, Side::Client] {
            let spec = fixed_or_reference(s, side);
            if let std::collections::hash_map::Entry::Vacant(e) = refs.entry(spec) {
                let p = prepare(e.key(), side, opts).map_err(|e| Error::Usage(e.to_string()))?;
                e.insert(p);
            }
        }
    }
    let run_cfg = |s: &Scenario| -> RunConfig {
        let pick = |side: Side, given: &Option<Prepared>| {
            let reference = || refs.get(&fixed_or_reference(s, side)).cloned();
            if cfg.reference || s.programs.is_fixed() {
                reference()
            } else if s.role == Role::Pair {
                given.clone().or_else(reference)
            } else {
                given.clone()
            }
        };
        RunConfig {
            server: pick(Side::Server, &server),
            client: pick(Side::Client, &client),
            port: cfg.port,
            timeout_scale: cfg.timeout_scale,
            isolated,
            trace_states: false,
        }
    };

    let progress =
        std::io::stderr().is_terminal() && cfg.output.is_none() == std::io::stdout().is_terminal();
    // On the host's port, a client scenario whose peer (the harness, as the
    // server) closes first leaves that side in TIME_WAIT on the port for a
    // minute, where a later server without SO_REUSEADDR could not bind:
    // client scenarios run after the others there (reported in order).
    let mut run_order: Vec<usize> = (0..scenarios.len()).collect();
    if !isolated {
        run_order.sort_by_key(|&k| scenarios[k].role == Role::Client);
    }
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; scenarios.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(scenarios.len()) {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let Some(&k) = run_order.get(n) else { break };
                let Some(s) = scenarios.get(k) else { break };
                let rc = run_cfg(s);
                let t0 = Instant::now();
                let (mut transcript, verdict) = grade_one(s, &rc);
                let duration = t0.elapsed();
                // Judged: what is kept until the report is bounded.
                transcript.bound();
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                if progress {
                    eprint!("\r\x1b[2K[{n}/{}] {}", scenarios.len(), s.id);
                }
                results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(Outcome {
                    scenario: s.clone(),
                    verdict,
                    transcript,
                    duration,
                });
            });
        }
    });
    world::interrupt::settle();
    if progress {
        eprint!("\r\x1b[2K");
    }
    let mut outcomes: Vec<Outcome> = results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect();
    for s in stopped {
        let p = not_run[&s.id];
        outcomes.push(Outcome {
            verdict: verdict::Verdict::not_run(p.not_run()),
            scenario: s,
            transcript: Default::default(),
            duration: Default::default(),
        });
    }
    outcomes.sort_by_key(|o| order.iter().position(|id| *id == o.scenario.id));
    let color_ok = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let to_terminal = cfg.output.is_none() && std::io::stdout().is_terminal();
    let rep = Report {
        outcomes,
        server: if cfg.reference {
            Some("ref:*-server".into())
        } else {
            cfg.server.clone()
        },
        client: if cfg.reference {
            Some("ref:*-client".into())
        } else {
            cfg.client.clone()
        },
        lang: cfg.lang,
        verbose: cfg.verbose,
        color: color_ok && to_terminal,
        isolation_note,
        wall: start.elapsed(),
        hidden: cfg.hidden.clone(),
        problems,
    };
    let mut dests = dests.into_iter();
    if let Some(d) = dests.next() {
        write_report(&*reporter, &rep, d)?;
    }
    for ((format, _), d) in cfg.reports.iter().zip(dests) {
        if let Some(r) = report::by_name(format) {
            write_report(&*r, &rep, d)?;
        }
    }
    // Annotations go with the human report on standard output, never into
    // a machine report written there.
    let to_stdout = |p: Option<&std::path::Path>| p.is_none_or(|p| p.as_os_str() == "-");
    let stdout_is_machine = (to_stdout(cfg.output.as_deref()) && cfg.format != "human")
        || cfg
            .reports
            .iter()
            .any(|(f, p)| to_stdout(Some(p)) && f != "human");
    let github_asked = cfg.format == "github" || cfg.reports.iter().any(|(f, _)| f == "github");
    if github_asked {
        // Already written where asked: not twice.
        report::github::in_actions(&rep, &mut std::io::sink())?;
    } else if stdout_is_machine {
        report::github::in_actions(&rep, &mut std::io::stderr().lock())?;
    } else {
        report::github::in_actions(&rep, &mut std::io::stdout().lock())?;
    }
    // Every report is written: now the grader's own faults, in one line.
    if let Some(line) = errors_line(&rep.outcomes) {
        return Err(Error::Environment(line));
    }
    Ok(
        if rep
            .outcomes
            .iter()
            .all(|o| o.verdict.status == verdict::Status::Pass)
        {
            exit::PASS
        } else {
            exit::FAIL
        },
    )
}

/// One scenario inside its boundary: a fault of the grader in any stage
/// (the runner, on a thread of its own since it enters the scenario's
/// namespace; the verdict) ends it as `error` with what failed; the other
/// scenarios go on.
fn grade_one(s: &Scenario, rc: &RunConfig) -> (Transcript, verdict::Verdict) {
    // A fresh thread per scenario: it enters its own namespace.
    let ran = std::thread::scope(|inner| {
        let thread = std::thread::Builder::new()
            .spawn_scoped(inner, || fault::catch(|| runner::run(s, rc, &|_| {})));
        match thread {
            Err(e) => Err((
                verdict::Code::Environment,
                format!("cannot start the scenario's thread: {e}"),
            )),
            Ok(t) => match t.join() {
                Ok(Ok(run)) => Ok(run),
                // A panic before the runner's own boundary (no program yet).
                Ok(Err(panic)) => {
                    let e = RunError::from(panic);
                    Err((e.code(), e.to_string()))
                }
                // The thread's boundary catches its panics: not one of those.
                Err(_) => Err((
                    verdict::Code::InternalError,
                    "the runner's thread ended without a result".into(),
                )),
            },
        }
    });
    let transcript = match ran {
        Ok(Ok(tr)) => tr,
        Ok(Err(aborted)) => {
            let v = verdict::grader_fault(aborted.error.code(), &aborted.error.to_string());
            return (aborted.transcript, v);
        }
        Err((code, what)) => return (Transcript::default(), verdict::grader_fault(code, &what)),
    };
    let judged = fault::catch(|| {
        fault::inject(fault::Stage::Judge, &s.id);
        verdict::judge(s, &transcript)
    });
    match judged {
        Ok(v) => (transcript, v),
        Err(panic) => {
            let v = verdict::grader_fault(
                verdict::Code::InternalError,
                &format!("the verdict panicked: {panic}"),
            );
            (transcript, v)
        }
    }
}

/// `N scenarios not graded (error): ID: what failed (and K more)`, when
/// some scenario ended in `error` (exit status 3).
fn errors_line(outcomes: &[Outcome]) -> Option<String> {
    let errors: Vec<String> = outcomes
        .iter()
        .filter(|o| o.verdict.status == verdict::Status::Error)
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

/// The program a scenario runs on `side` when no student program is: its
/// fixed program (demos), else the question's reference program.
fn fixed_or_reference(s: &Scenario, side: Side) -> String {
    let fixed = match side {
        Side::Server => &s.programs.server,
        Side::Client => &s.programs.client,
    };
    fixed
        .clone()
        .unwrap_or_else(|| format!("ref:{}", reference_for(s.question, side)))
}

fn reference_for(q: Question, side: Side) -> String {
    // q2 has no server of its own: the q1 server is its peer.
    let q = match (q, side) {
        (Question::Q2, Side::Server) => "q1",
        (Question::Q1, Side::Client) => "q2",
        _ => q.name(),
    };
    format!("{q}-{}", side.name())
}

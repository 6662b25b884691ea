//! The stages before any scenario runs: load the catalogue, select what a
//! run grades, and prepare every program once (C compiled, python3 found)
//! on a workbench that `grade` and `grade demo` share.

use crate::msg::Msg;
use crate::report::QuestionPrograms;
use crate::runner::RunConfig;
use crate::scenario::{self, Lang, Question, Role, Scenario, Side};
use crate::submission::SubmissionProblem;
use crate::world::layers::Layers;
use crate::world::program::{self, Prepared, Refused};
use crate::world::{self, interrupt, netns};
use crate::{discovery, glob, points, Config, Error, Graded, Missing};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The catalogue (embedded, plus `--scenarios DIR`), with the points of
/// `--points FILE` (every entry of which must match some scenario), its
/// texts saying `port`.
pub fn load(dir: Option<&Path>, points: Option<&Path>, port: u16) -> Result<Vec<Scenario>, Error> {
    let mut all = scenario::load_catalogue(dir)?;
    scenario::set_port(&mut all, port);
    if let Some(file) = points {
        points::load(file)
            .and_then(|p| p.apply(&mut all))
            .map_err(|e| Error::Usage(e.to_string()))?;
    }
    Ok(all)
}

/// Which scenarios a run grades: those of `-q` and `-s`, for the programs
/// given (a usage error when none is left).
pub fn select(all: Vec<Scenario>, cfg: &Config) -> Result<Vec<Scenario>, Error> {
    let reference = cfg.programs == Graded::Reference;
    let given = |side| cfg.programs.student(side).is_some();
    // The discovery rule: without -q or -s, a program whose path names a
    // question (`q3/`, `serveur_q3.py`) is graded on that question only.
    let answers = |side: Side, q: Question| {
        !cfg.globs.is_empty()
            || cfg.programs.student(side).is_none_or(|spec| {
                discovery::questions_for(spec, side, &cfg.questions)
                    .questions()
                    .contains(&q)
            })
    };
    let chosen: Vec<Scenario> = all
        .into_iter()
        .filter(|s| cfg.questions.is_empty() || cfg.questions.contains(&s.question))
        .filter(|s| {
            reference
                || match s.role {
                    Role::Server => answers(Side::Server, s.question),
                    Role::Client => answers(Side::Client, s.question),
                    Role::Pair => {
                        answers(Side::Server, s.question) && answers(Side::Client, s.question)
                    }
                }
        })
        .filter(|s| cfg.globs.is_empty() || cfg.globs.iter().any(|g| glob(g, &s.id)))
        .filter(|s| {
            // Demos run fixed programs: they grade the harness, not a student.
            if s.programs.is_fixed() {
                return reference;
            }
            reference
                || match s.role {
                    Role::Server => given(Side::Server),
                    Role::Client => given(Side::Client),
                    // The missing side is the reference program.
                    Role::Pair => given(Side::Server) || given(Side::Client),
                }
        })
        .collect();
    if chosen.is_empty() {
        return Err(Error::Usage(
            "no scenario to run: give --server and/or --client (or --reference), and check -q / -s"
                .into(),
        ));
    }
    Ok(chosen)
}

/// Whether scenarios have a network namespace each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// Each scenario in a namespace of its own, with a port 8080 of its own.
    Namespaces,
    /// None here: scenarios run one at a time, on the host's port.
    HostPort,
}

/// What a run sets up before its first program: the signal thread and the
/// reaper, whether namespaces exist, and the folder programs are built in
/// (`grade-build-PID-…`: removed at the end, and when `grade` is interrupted).
pub struct Workbench {
    // Removed before it is untracked: an interrupt in between only tries
    // to remove it once more.
    build: tempfile::TempDir,
    _tracked: interrupt::Tracked,
    pub isolation: Isolation,
    pub port: u16,
    /// The sandbox's layers on this machine (see `world::spawn`).
    pub layers: Layers,
}

/// What a run's sandbox hides and shows (see `world::mounts`).
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    /// Hidden from the programs (the grade binary is, always).
    pub hide: Vec<PathBuf>,
    /// Shown to them read-only at their paths (`--submission DIR`).
    pub visible: Vec<PathBuf>,
    /// `--sandbox strict`.
    pub strict: bool,
    /// The language of the note on refused layers (`--lang`).
    pub lang: Lang,
}

impl Workbench {
    /// Call before any other thread starts (see `world::set_up`).
    pub fn new(port: u16, sandbox: &SandboxOptions) -> Result<Workbench, Error> {
        world::set_up().map_err(|e| Error::Environment(format!("cannot handle signals: {e}")))?;
        world::reaper::become_subreaper();
        let isolation = if netns::available() {
            Isolation::Namespaces
        } else {
            Isolation::HostPort
        };
        let build = tempfile::Builder::new()
            .prefix(&interrupt::scratch_prefix("grade-build"))
            .tempdir()
            .map_err(|e| Error::Environment(format!("cannot create a build directory: {e}")))?;
        let _tracked = interrupt::track_dir(build.path());
        let mut hide = sandbox.hide.clone();
        hide.extend(std::env::current_exe());
        let layers = Layers::probe(hide, sandbox.visible.clone());
        let missing = layers.missing();
        if !missing.is_empty() {
            let lang = &sandbox.lang;
            let what = missing
                .iter()
                .map(|id| lang.msg(&Msg::new(id)))
                .collect::<Vec<_>>()
                .join(", ");
            let id = if sandbox.strict {
                "sandbox-strict-refused"
            } else {
                "sandbox-layers-refused"
            };
            let note = lang.msg(&Msg::new(id).arg("layers", what));
            if sandbox.strict {
                return Err(Error::Environment(note));
            }
            eprintln!("grade: {note}");
        }
        Ok(Workbench {
            build,
            _tracked,
            isolation,
            port,
            layers,
        })
    }

    /// One program, ready to start. Every program is prepared before any
    /// scenario runs: the reaper must not race with these short-lived
    /// children (the compiler).
    pub fn prepare(&self, spec: &str, side: Side, missing: Missing) -> Result<Prepared, Refused> {
        let opts = program::Options {
            port: self.port,
            build_dir: self.build.path(),
            missing_is_failure: missing == Missing::Failure,
            sandbox: Some(&self.layers),
        };
        program::prepare(spec, side, opts)
    }

    /// What the report says once when scenarios run without namespaces.
    pub fn isolation_note(&self, lang: &Lang) -> Option<String> {
        if self.isolation == Isolation::Namespaces {
            return None;
        }
        let m = if netns::refused_by_caller() {
            Msg::new("isolation-refused").arg("variable", netns::NO_NAMESPACES)
        } else {
            Msg::new("isolation-unavailable")
        };
        Some(lang.msg(&m.arg("port", self.port.to_string())))
    }
}

/// What runs, with which programs; and what a submission problem stops.
#[derive(Debug, Default)]
pub struct Plan {
    /// The scenarios that run, each with its programs, in report order.
    pub runs: Vec<(Scenario, RunConfig)>,
    /// Those a submission problem keeps from running (its index in `problems`).
    pub stopped: Vec<(Scenario, usize)>,
    /// Programs of the submission that cannot run at all.
    pub problems: Vec<SubmissionProblem>,
    /// Every selected scenario's id, in report order.
    pub order: Vec<String>,
    /// The sandbox's layers the programs run in, for the report.
    pub sandbox: crate::report::Sandbox,
    /// Each question's own programs, where it has some (`--submission`).
    pub by_question: Vec<QuestionPrograms>,
}

impl Plan {
    /// Several plans as one (a submission graded question by question):
    /// their runs, stopped scenarios and problems one after the other.
    pub fn merge(plans: Vec<Plan>) -> Plan {
        let mut out = Plan::default();
        for p in plans {
            let offset = out.problems.len();
            out.runs.extend(p.runs);
            out.stopped
                .extend(p.stopped.into_iter().map(|(s, k)| (s, k + offset)));
            out.problems.extend(p.problems);
            out.order.extend(p.order);
            out.sandbox = p.sandbox;
            out.by_question.extend(p.by_question);
        }
        out
    }
}

/// Prepares every program the scenarios run: the student's (a program that
/// cannot run at all is one submission problem, and the scenarios that
/// would run it are not run) and the reference or fixed ones.
pub fn prepare(scenarios: Vec<Scenario>, cfg: &Config, bench: &Workbench) -> Result<Plan, Error> {
    prepare_with(scenarios, cfg, bench, &[])
}

/// `prepare`, with the problems already known of some sides (`forced`: an
/// ambiguous program found by the discovery rule), as if preparing that
/// side's program had found them.
pub fn prepare_with(
    scenarios: Vec<Scenario>,
    cfg: &Config,
    bench: &Workbench,
    forced: &[SubmissionProblem],
) -> Result<Plan, Error> {
    let mut problems = Vec::new();
    let server = student(Side::Server, &scenarios, cfg, bench, forced, &mut problems)?;
    let client = student(Side::Client, &scenarios, cfg, bench, forced, &mut problems)?;
    let order: Vec<String> = scenarios.iter().map(|s| s.id.clone()).collect();
    let problem_of = |s: &Scenario| problems.iter().position(|p| p.scenarios.contains(&s.id));
    let (runnable, stopped): (Vec<Scenario>, Vec<Scenario>) =
        scenarios.into_iter().partition(|s| problem_of(s).is_none());
    let stopped = stopped
        .into_iter()
        .filter_map(|s| problem_of(&s).map(|p| (s, p)))
        .collect();
    let refs = references(&runnable, bench)?;
    let students = [server, client];
    let layers = layers_for(&students, bench, &cfg.lang);
    let runs = runnable
        .into_iter()
        .map(|s| {
            let rc = run_config(&s, cfg, &students, &refs, bench, &layers);
            (s, rc)
        })
        .collect();
    Ok(Plan {
        runs,
        stopped,
        problems,
        order,
        sandbox: layers.report(),
        by_question: Vec::new(),
    })
}

/// The student's program of `side`, if given and able to run; a problem
/// (`problems`) claims the scenarios it keeps from running.
fn student(
    side: Side,
    scenarios: &[Scenario],
    cfg: &Config,
    bench: &Workbench,
    forced: &[SubmissionProblem],
    problems: &mut Vec<SubmissionProblem>,
) -> Result<Option<Prepared>, Error> {
    let Some(spec) = cfg.programs.student(side) else {
        return Ok(None);
    };
    let prepared = match forced.iter().find(|p| p.side == side) {
        Some(p) => Err(Refused::Problem(Box::new(p.clone()))),
        None => bench.prepare(spec, side, cfg.missing),
    };
    match prepared {
        Ok(p) => Ok(Some(p)),
        Err(Refused::Usage(m)) => Err(Error::Usage(m)),
        Err(Refused::Environment(m)) => Err(Error::Environment(m)),
        Err(Refused::Problem(p)) => {
            let mut p = *p;
            // A pair scenario with both sides at fault counts once.
            let claimed = |id: &String| problems.iter().any(|q| q.scenarios.contains(id));
            p.scenarios = scenarios
                .iter()
                .filter(|s| runs_student(s, side, cfg) && !claimed(&s.id))
                .map(|s| s.id.clone())
                .collect();
            if !p.scenarios.is_empty() {
                problems.push(p);
            }
            Ok(None)
        }
    }
}

/// Reference programs (and demos' fixed programs), prepared once by spec.
fn references(
    scenarios: &[Scenario],
    bench: &Workbench,
) -> Result<HashMap<String, Prepared>, Error> {
    let mut refs = HashMap::new();
    for s in scenarios {
        for side in [Side::Server, Side::Client] {
            let spec = fixed_or_reference(s, side);
            if let std::collections::hash_map::Entry::Vacant(e) = refs.entry(spec) {
                let p = bench
                    .prepare(e.key(), side, Missing::UsageError)
                    .map_err(|e| Error::Usage(e.to_string()))?;
                e.insert(p);
            }
        }
    }
    Ok(refs)
}

/// The programs scenario `s` runs: the student's where given (a pair's
/// missing side is the reference), else the reference or fixed ones.
fn run_config(
    s: &Scenario,
    cfg: &Config,
    [server, client]: &[Option<Prepared>; 2],
    refs: &HashMap<String, Prepared>,
    bench: &Workbench,
    layers: &Layers,
) -> RunConfig {
    let program = |side: Side, given: &Option<Prepared>| {
        let reference = || refs.get(&fixed_or_reference(s, side)).cloned();
        if cfg.programs == Graded::Reference || s.programs.is_fixed() {
            reference()
        } else if s.role == Role::Pair {
            given.clone().or_else(reference)
        } else {
            given.clone()
        }
    };
    RunConfig {
        server: program(Side::Server, server),
        client: program(Side::Client, client),
        port: cfg.port,
        timeout_scale: cfg.timeout_scale,
        isolated: bench.isolation == Isolation::Namespaces,
        trace_states: false,
        sandbox: layers.clone(),
    }
}

/// The bench's layers for these students' programs: as root, they run as
/// `nobody` unless a file they need is out of its reach (a folder of mode
/// 700), which is then said once: they run as root without capabilities.
fn layers_for(students: &[Option<Prepared>; 2], bench: &Workbench, lang: &Lang) -> Layers {
    let mut layers = bench.layers.clone();
    let Some(ids) = layers.identity else {
        return layers;
    };
    for p in students.iter().flatten() {
        let Prepared::Ready { argv, .. } = p;
        if let Some(path) = world::layers::unreachable_by(ids, argv, layers.filesystem.as_ref()) {
            let m = Msg::new("sandbox-out-of-reach").arg("path", path.display().to_string());
            eprintln!("grade: {}", lang.msg(&m));
            layers.identity = None;
            break;
        }
    }
    layers
}

/// Whether scenario `s` runs the student's program of `side` (rather than
/// a reference or fixed program).
fn runs_student(s: &Scenario, side: Side, cfg: &Config) -> bool {
    if s.programs.is_fixed() || cfg.programs.student(side).is_none() {
        return false;
    }
    match s.role {
        Role::Server => side == Side::Server,
        Role::Client => side == Side::Client,
        Role::Pair => true,
    }
}

/// The program a scenario runs on `side` when no student program is: its
/// fixed program (demos), else the question's reference program.
pub fn fixed_or_reference(s: &Scenario, side: Side) -> String {
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

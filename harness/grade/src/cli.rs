//! Command line (clap types stop here): the contract of DESIGN.md. Raw
//! arguments (`Args`) become one validated `Task` for the library.

use crate::output::Format;
use crate::scenario::{Lang, Question};
use crate::{ci, demo, Config, Error, Graded, Missing};
use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "grade",
    version,
    about = "Grades chat-lab client and server programs (q1..q4)"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server program under test: a path, a command line, a .py or .c file, or ref:NAME.
    #[arg(long, value_name = "PROG")]
    pub server: Option<String>,
    /// The client program under test.
    #[arg(long, value_name = "PROG")]
    pub client: Option<String>,
    /// Grade the built-in reference programs (self-test, demo).
    #[arg(long)]
    pub reference: bool,
    /// Only these questions; repeatable.
    #[arg(short = 'q', long = "question", value_name = "Q")]
    pub questions: Vec<QuestionArg>,
    /// Only scenarios whose id matches this glob; repeatable.
    #[arg(short = 's', long = "scenario", value_name = "GLOB")]
    pub scenarios: Vec<String>,
    /// Extra scenario files (add to or override the embedded catalogue).
    #[arg(long = "scenarios", value_name = "DIR")]
    pub scenario_dir: Option<PathBuf>,
    /// Report format.
    #[arg(long, default_value = "human", value_name = "FORMAT", value_parser = FormatParser)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a report in FORMAT to FILE (`-`: standard output); repeatable.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = report_arg)]
    pub reports: Vec<(Format, PathBuf)>,
    /// Points per scenario id or glob (TOML), instead of the scenario files'.
    #[arg(long, value_name = "FILE")]
    pub points: Option<PathBuf>,
    /// Scenarios whose details students see only after the due date (Gradescope); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub hidden: Vec<String>,
    /// Language of every text: en, fr, or a language of --messages.
    #[arg(long, default_value = "en", global = true)]
    pub lang: String,
    /// Message catalogues (DIR/LANG/*.ftl) that override the embedded
    /// messages or add a language.
    #[arg(long = "messages", value_name = "DIR", global = true)]
    pub messages: Option<PathBuf>,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Multiply every deadline (slow machines).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub timeout_scale: f64,
    /// The port the programs under test use (1 to 65535).
    #[arg(long, default_value_t = 8080, value_parser = port_arg)]
    pub port: u16,
    /// More detail: full transcripts for passing scenarios too.
    #[arg(short, long)]
    pub verbose: bool,
    /// A missing program is one failed test in the reports (exit 1), not a
    /// usage error (exit 2): for platforms that need a results file.
    #[arg(long)]
    pub missing_is_failure: bool,
    /// The student's folder: with no --server or --client, every question
    /// whose programs the discovery rule finds there is graded, each with
    /// its own (q1/serveur.py, serveur_q3.py, client.py…).
    #[arg(long, value_name = "DIR")]
    pub submission: Option<PathBuf>,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// The sandbox's options, for `grade` and `grade batch`.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// A file or folder hidden from the programs under test (repeatable):
    /// the instructor's tests beside the submission, for instance (a batch
    /// hides the class folder, the cache and the reports anyway).
    #[arg(long, value_name = "PATH")]
    pub hide: Vec<PathBuf>,
    /// `strict`: refuse to grade (exit 3) unless every layer of the
    /// sandbox holds on this machine.
    #[arg(long, value_name = "MODE", value_parser = ["strict", "auto"], default_value = "auto")]
    pub sandbox: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the scenario catalogue, with points.
    List {
        #[arg(short = 'q', long = "question", value_name = "Q")]
        questions: Vec<QuestionArg>,
    },
    /// Show a chat for a lecture: both terminals side by side, each
    /// program's state, and the explanation (deadlock: the cycle, drawn).
    Demo(DemoArgs),
    /// Run a built-in reference program (q1-server, q2-client, q3-server, q3-client, q4-server, q4-client).
    Reference(ReferenceArgs),
    /// Print or write CI templates: a GitHub Actions workflow, a GitLab CI job, a Gradescope autograder, a GitHub Classroom workflow, a PrairieLearn grader, a dev container. They download the portable grade binary, pinned by its SHA-256.
    Ci(CiArgs),
    /// Grade a whole class: each folder or archive of DIR is one student
    /// (Moodle's download, Gradescope's export, gh classroom clone); a
    /// gradebook out, each student's report under --report-dir.
    Batch(BatchArgs),
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BatchArgs {
    #[command(subcommand)]
    pub command: Option<BatchCommand>,
    /// The class folder: one folder or archive (.zip, .tar.gz) per student.
    #[arg(required = true)]
    pub dir: Option<PathBuf>,
    /// Where each question's programs are (TOML: [q1] server = ["glob", …]),
    /// instead of the discovery rule.
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    /// Scenarios run at once, all students together (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Only these questions; repeatable.
    #[arg(short = 'q', long = "question", value_name = "Q")]
    pub questions: Vec<QuestionArg>,
    /// Only scenarios whose id matches this glob; repeatable.
    #[arg(short = 's', long = "scenario", value_name = "GLOB")]
    pub scenarios: Vec<String>,
    /// Extra scenario files (add to or override the embedded catalogue).
    #[arg(long = "scenarios", value_name = "DIR")]
    pub scenario_dir: Option<PathBuf>,
    /// Points per scenario id or glob (TOML), instead of the scenario files'.
    #[arg(long, value_name = "FILE")]
    pub points: Option<PathBuf>,
    /// The gradebook's format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: crate::batch::gradebook::Format,
    /// Write the gradebook to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write each student's own JSON report in DIR (named after their id).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Multiply every deadline (slow machines).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub timeout_scale: f64,
    /// The port the programs under test use (1 to 65535).
    #[arg(long, default_value_t = 8080, value_parser = port_arg)]
    pub port: u16,
    /// Grade only part K of N of the class (1-based; a stable hash of each
    /// student's id), or `auto` from the CI engine's variables.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// Where graded students are kept, to be given back while their files
    /// and the grading are unchanged (default: $XDG_CACHE_HOME/grade/batch,
    /// else ~/.cache/grade/batch).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Grade without the cache (neither read nor written).
    #[arg(long, conflicts_with = "cache")]
    pub no_cache: bool,
    /// Grade every student again (the cache is refreshed).
    #[arg(long)]
    pub force: bool,
    /// Leave every name out of the class report (--format html), for a projector.
    #[arg(long)]
    pub anonymous: bool,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Internal: the grading process of a batch (rows as JSON lines).
    #[arg(long, hide = true)]
    pub rows_out: bool,
}

#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Combine the JSON gradebooks of shards 1..N (grade batch --shard K/N
    /// --format json) into one gradebook.
    Merge(MergeArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' JSON gradebooks.
    #[arg(required = true, value_name = "PART.json")]
    pub parts: Vec<PathBuf>,
    /// The gradebook's format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: crate::batch::gradebook::Format,
    /// Write the gradebook to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave every name out of the class report (--format html), for a projector.
    #[arg(long)]
    pub anonymous: bool,
}

#[derive(Debug, clap::Args)]
pub struct CiArgs {
    /// Which template.
    pub target: crate::ci::Target,
    /// Write the files under DIR (the repository, or the Gradescope bundle) instead of printing them.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Replace files that exist under DIR.
    #[arg(long)]
    pub force: bool,
    /// The course's repository: the templates download grade from its release v<VERSION> (the asset grade-x86_64-linux-gnu that `grade ci github --release-workflow` publishes), or build it from there with --cargo-install.
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// Download the grade binary from URL instead (any URL curl reads: https://, file://).
    #[arg(long, value_name = "URL")]
    pub release_url: Option<String>,
    /// The SHA-256 the download must have, checked before it runs (default: this grade binary's own: write the templates with the release binary).
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// github, gitlab, classroom: build grade with `cargo install --git REPO` on every run instead of downloading it (minutes per run).
    #[arg(long, conflicts_with_all = ["release_url", "sha256"])]
    pub cargo_install: bool,
    /// The server file in the student's repository (default: each question's, found in the student's folder by the discovery rule).
    #[arg(long, value_name = "FILE")]
    pub server: Option<String>,
    /// The client file in the student's repository.
    #[arg(long, value_name = "FILE")]
    pub client: Option<String>,
    /// Only these questions; repeatable.
    #[arg(short = 'q', long = "question", value_name = "Q")]
    pub questions: Vec<QuestionArg>,
    /// Scenarios whose details students see only after the due date (Gradescope); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub hidden: Vec<String>,
    /// batch-*: how many parts the class is graded in, each on a machine
    /// of its own (a matrix job, a parallel job, an index, an array task).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub shards: u16,
    /// batch-*: the class folder in the course's repository or volume.
    #[arg(long, value_name = "DIR", default_value = "submissions")]
    pub class: String,
    /// github only: the course repository's workflow that publishes the
    /// portable grade binary (dist.sh) as a release on each tag v*.
    #[arg(long, conflicts_with_all = ["repo", "server", "client", "questions", "hidden", "release_url", "sha256", "cargo_install"])]
    pub release_workflow: bool,
}

/// A question on the command line (`-q q1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuestionArg {
    Q1,
    Q2,
    Q3,
    Q4,
}

impl From<QuestionArg> for Question {
    fn from(q: QuestionArg) -> Question {
        match q {
            QuestionArg::Q1 => Question::Q1,
            QuestionArg::Q2 => Question::Q2,
            QuestionArg::Q3 => Question::Q3,
            QuestionArg::Q4 => Question::Q4,
        }
    }
}

fn questions(qs: &[QuestionArg]) -> Vec<Question> {
    qs.iter().map(|&q| q.into()).collect()
}

/// `--format`: the formats' names in `--help`, and this project's words
/// for one that does not exist ("unknown format `yaml` (one of: …)").
#[derive(Debug, Clone, Copy)]
struct FormatParser;

impl TypedValueParser for FormatParser {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Format, clap::Error> {
        StringValueParser::new()
            .try_map(|s| Format::parse(&s))
            .parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Format::ALL
                .into_iter()
                .filter_map(|f| f.to_possible_value()),
        ))
    }
}

/// A `--port`: 1 to 65535 (0 would let the system pick one).
fn port_arg(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(0) => Err("0 is not a port the programs can be told: give 1 to 65535".into()),
        Ok(p) => Ok(p),
        Err(_) => Err(format!("`{s}` is not a port (1 to 65535)")),
    }
}

/// `FORMAT=FILE` of `--report`, the format checked.
fn report_arg(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or("expected FORMAT=FILE, e.g. --report junit=report.xml")?;
    let format = Format::parse(format)?;
    if file.is_empty() {
        return Err("no file after `=`".into());
    }
    Ok((format, PathBuf::from(file)))
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// deadlock (q3, both start by receiving), alternation (q3) or duplex (q4).
    pub demo: crate::demo::Demo,
    /// The server to show (default: the reference program of the demo).
    #[arg(long, value_name = "PROG")]
    pub server: Option<String>,
    /// The client to show.
    #[arg(long, value_name = "PROG")]
    pub client: Option<String>,
    /// Wait for Enter before each step.
    #[arg(long)]
    pub interactive: bool,
    #[arg(long, default_value_t = 8080, value_parser = port_arg)]
    pub port: u16,
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub timeout_scale: f64,
}

#[derive(Debug, clap::Args)]
pub struct ReferenceArgs {
    /// Which program.
    pub name: reference::Program,
    /// Host to connect to (clients) or bind (servers).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// q3: start the cycle by receiving or by sending (the lecture's variants).
    #[arg(long)]
    pub start: Option<reference::Start>,
}

/// What `grade` was asked to do, validated.
#[derive(Debug)]
pub enum Task {
    Grade(Config),
    /// `grade list`: the catalogue, with points.
    List {
        questions: Vec<Question>,
        scenario_dir: Option<PathBuf>,
        points: Option<PathBuf>,
        lang: Lang,
    },
    Demo(demo::DemoConfig),
    Ci(ci::Options),
    Reference(reference::Program, reference::Options),
    Batch(Box<crate::batch::BatchConfig>),
    BatchMerge(crate::batch::merge::MergeConfig),
}

/// Turns command-line arguments into the task they ask for.
pub fn task(a: Args) -> Result<Task, Error> {
    let lang = || lang(&a.lang, a.messages.as_deref());
    Ok(match a.command {
        None => Task::Grade(config(a)?),
        Some(Command::Reference(ref r)) => {
            let opts = reference::Options {
                host: r.host.clone(),
                port: r.port,
                start: r.start,
            };
            Task::Reference(r.name, opts)
        }
        Some(Command::Demo(ref d)) => Task::Demo(demo::DemoConfig {
            demo: d.demo,
            server: d.server.clone(),
            client: d.client.clone(),
            pace: if d.interactive {
                demo::Pace::StepByStep
            } else {
                demo::Pace::Continuous
            },
            lang: lang()?,
            port: d.port,
            timeout_scale: d.timeout_scale,
            style: demo::Style::of_stdout(),
            layout: demo::Layout::of_terminal(),
        }),
        Some(Command::List { ref questions }) => Task::List {
            questions: self::questions(questions),
            scenario_dir: a.scenario_dir.clone(),
            points: a.points.clone(),
            lang: lang()?,
        },
        Some(Command::Batch(BatchArgs {
            command: Some(BatchCommand::Merge(ref m)),
            ..
        })) => Task::BatchMerge(crate::batch::merge::MergeConfig {
            parts: m.parts.clone(),
            format: m.format,
            output: m.output.clone(),
            anonymous: m.anonymous,
            lang: lang()?,
        }),
        Some(Command::Batch(ref b)) => Task::Batch(Box::new(batch_config(b, lang()?)?)),
        Some(Command::Ci(ref c)) => Task::Ci(ci::Options {
            target: c.target,
            dir: c.dir.clone(),
            existing: if c.force {
                ci::Existing::Replace
            } else {
                ci::Existing::Keep
            },
            repo: c.repo.clone(),
            install: install(c)?,
            server: c.server.clone(),
            client: c.client.clone(),
            questions: questions(&c.questions),
            hidden: c.hidden.clone(),
            lang: lang()?,
            release_workflow: release_workflow(c)?,
            shards: usize::from(c.shards),
            class: c.class.clone(),
        }),
    })
}

/// How the templates get `grade`: `--cargo-install` (GitHub, GitLab,
/// Classroom), else the pinned download (`--release-url`, `--sha256`,
/// their defaults); nothing for PrairieLearn, which carries a copy, and the
/// release workflow, which builds it.
fn install(c: &CiArgs) -> Result<Option<ci::Install>, Error> {
    use ci::Target::{
        BatchGithub, BatchGitlab, BatchKubernetes, BatchSlurm, Classroom, Devcontainer, Github,
        Gitlab, Gradescope, Prairielearn,
    };
    let usage = |m: &str| Err(Error::Usage(m.into()));
    if c.target.is_batch() && (c.server.is_some() || c.client.is_some() || !c.hidden.is_empty()) {
        return usage("the batch-* templates grade the whole class folder (--class): each student's programs are found in their folder; they take no --server, --client or --hidden");
    }
    match c.target {
        Prairielearn if c.cargo_install || c.release_url.is_some() || c.sha256.is_some() => {
            return usage("grade ci prairielearn copies this grade binary into the course files (graders have no network): it takes no --release-url, --sha256 or --cargo-install");
        }
        Prairielearn => return Ok(None),
        Github if c.release_workflow => return Ok(None),
        Gradescope | Devcontainer | BatchKubernetes | BatchSlurm if c.cargo_install => {
            return usage("--cargo-install is for github, gitlab, classroom, batch-github and batch-gitlab: the others download the release binary");
        }
        Github | Gitlab | Classroom | BatchGithub | BatchGitlab if c.cargo_install => {
            return Ok(Some(ci::Install::Cargo))
        }
        _ => {}
    }
    let url = c.release_url.clone().unwrap_or_else(|| {
        ci::default_release_url(c.repo.as_deref().unwrap_or(ci::REPO_PLACEHOLDER))
    });
    let (sha256, sha256_of) = match &c.sha256 {
        Some(hex) => match ci::parse_sha256(hex) {
            Some(h) => (h, None),
            None => {
                return usage(&format!(
                    "--sha256 {hex}: not a SHA-256 (64 hexadecimal digits)"
                ))
            }
        },
        None => {
            let me = std::env::current_exe()
                .map_err(|e| Error::Environment(format!("cannot find this grade binary: {e}")))?;
            let h = ci::sha256_file(&me)
                .map_err(|e| Error::Environment(format!("cannot read {}: {e}", me.display())))?;
            (h, Some(me))
        }
    };
    Ok(Some(ci::Install::Release(ci::Release {
        url,
        sha256,
        url_given: c.release_url.is_some(),
        sha256_of,
    })))
}

/// `--release-workflow`, which only GitHub has.
fn release_workflow(c: &CiArgs) -> Result<bool, Error> {
    if c.release_workflow && c.target != ci::Target::Github {
        return Err(Error::Usage(
            "--release-workflow is a GitHub Actions workflow: give it with grade ci github".into(),
        ));
    }
    Ok(c.release_workflow)
}

/// The settings of a grading run, checked.
fn config(a: Args) -> Result<Config, Error> {
    use Error::Usage;
    let programs = match (a.reference, a.server, a.client) {
        (true, None, None) => Graded::Reference,
        (true, ..) => {
            return Err(Usage(
                "--reference grades the built-in programs: do not give --server or --client with it"
                    .into(),
            ))
        }
        (false, None, None) if a.submission.is_some() => Graded::Student {
            server: None,
            client: None,
        },
        (false, None, None) => return Err(Usage("nothing to grade: give --server PROG and/or --client PROG, --submission DIR, or --reference (see grade --help)".into())),
        (false, server, client) => Graded::Student { server, client },
    };
    let jobs = jobs(a.jobs, a.timeout_scale)?;
    Ok(Config {
        programs,
        questions: questions(&a.questions),
        globs: a.scenarios,
        scenario_dir: a.scenario_dir,
        format: a.format,
        output: a.output,
        reports: a.reports,
        points: a.points,
        hidden: a.hidden,
        lang: lang(&a.lang, a.messages.as_deref())?,
        jobs,
        timeout_scale: a.timeout_scale,
        port: a.port,
        verbose: a.verbose,
        missing: if a.missing_is_failure {
            Missing::Failure
        } else {
            Missing::UsageError
        },
        submission: a.submission,
        hide: a.sandbox.hide,
        strict_sandbox: a.sandbox.sandbox == "strict",
    })
}

/// `--jobs` (default: the number of cores), with `--timeout-scale` checked.
fn jobs(jobs: Option<usize>, timeout_scale: f64) -> Result<usize, Error> {
    use Error::Usage;
    if !(timeout_scale.is_finite() && timeout_scale > 0.0) {
        return Err(Usage("--timeout-scale must be a positive number".into()));
    }
    Ok(match jobs {
        Some(0) => return Err(Usage("--jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    })
}

/// The settings of `grade batch`, checked: what every student's run
/// shares is one `Config` (the programs are each student's own).
fn batch_config(b: &BatchArgs, lang: Lang) -> Result<crate::batch::BatchConfig, Error> {
    let layout = match &b.layout {
        Some(f) => Some(crate::batch::layout::Layout::load(f).map_err(Error::Usage)?),
        None => None,
    };
    let grading = Config {
        programs: Graded::Student {
            server: None,
            client: None,
        },
        questions: questions(&b.questions),
        globs: b.scenarios.clone(),
        scenario_dir: b.scenario_dir.clone(),
        format: Format::Json,
        output: None,
        reports: Vec::new(),
        points: b.points.clone(),
        hidden: Vec::new(),
        lang,
        jobs: jobs(b.jobs, b.timeout_scale)?,
        timeout_scale: b.timeout_scale,
        port: b.port,
        verbose: false,
        missing: Missing::Failure,
        submission: None,
        hide: b.sandbox.hide.clone(),
        strict_sandbox: b.sandbox.sandbox == "strict",
    };
    let shard = match b.shard.as_deref() {
        None => None,
        Some("auto") => Some(
            crate::batch::shard::Shard::auto(|v| std::env::var(v).ok()).map_err(Error::Usage)?,
        ),
        Some(s) => Some(crate::batch::shard::Shard::parse(s).map_err(Error::Usage)?),
    };
    let cache = match (&b.cache, b.no_cache) {
        (_, true) => None,
        (Some(d), _) => Some(d.clone()),
        (None, false) => default_cache(|v| std::env::var_os(v)),
    };
    Ok(crate::batch::BatchConfig {
        dir: b.dir.clone().unwrap_or_default(),
        shard,
        cache,
        force: b.force,
        anonymous: b.anonymous,
        rows_out: b.rows_out,
        grading,
        layout,
        format: b.format,
        output: b.output.clone(),
        report_dir: b.report_dir.clone(),
    })
}

/// `grade batch`'s cache when no `--cache` is given: the user's cache
/// folder (XDG), none without a home.
fn default_cache(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let xdg = var("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let home = || {
        var("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".cache"))
    };
    xdg.or_else(home).map(|d| d.join("grade/batch"))
}

/// The language of `--lang`, from the embedded catalogues and those of
/// `--messages DIR`: checked once they are loaded, since a catalogue may
/// add a language.
pub fn lang(l: &str, messages: Option<&Path>) -> Result<Lang, Error> {
    use crate::msg::Catalog;
    let catalog = match messages {
        Some(dir) => {
            Catalog::with_overrides(dir).map_err(|e| Error::Usage(format!("--messages: {e}")))?
        }
        None => Catalog::builtin(),
    };
    catalog.lang(l).ok_or_else(|| {
        Error::Usage(format!(
            "unknown language `{l}` (languages with a catalogue: {})",
            catalog.languages().join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Task, String> {
        let a = Args::try_parse_from(std::iter::once("grade").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        task(a).map_err(|e| e.to_string())
    }

    #[test]
    fn formats_and_questions_are_typed() {
        let Ok(Task::Grade(c)) = parse(&[
            "--reference",
            "-q",
            "q2",
            "--format",
            "junit",
            "--report",
            "tap=-",
        ]) else {
            panic!("a grading run")
        };
        assert_eq!(c.format, Format::Junit);
        assert_eq!(c.questions, [Question::Q2]);
        assert_eq!(c.reports, [(Format::Tap, PathBuf::from("-"))]);
        assert_eq!(c.programs, Graded::Reference);
        assert_eq!(c.missing, Missing::UsageError);
    }

    #[test]
    fn a_port_is_1_to_65535() {
        let Ok(Task::Grade(c)) = parse(&["--reference", "--port", "65535"]) else {
            panic!("a grading run")
        };
        assert_eq!(c.port, 65535);
        for bad in ["0", "65536", "x"] {
            let a = Args::try_parse_from(["grade", "--reference", "--port", bad]);
            let e = a.unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().contains("1 to 65535"), "{bad}: {e}");
        }
        let e = Args::try_parse_from(["grade", "demo", "deadlock", "--port", "0"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn bad_values_say_what_exists() {
        let e = parse(&["--reference", "--format", "yaml"]).unwrap_err();
        assert!(
            e.contains("unknown format `yaml` (one of: human, json,"),
            "{e}"
        );
        for (report, says) in [
            ("yaml=out.yaml", "unknown format `yaml`"),
            (
                "junit",
                "expected FORMAT=FILE, e.g. --report junit=report.xml",
            ),
            ("junit=", "no file after `=`"),
        ] {
            let e = parse(&["--reference", "--report", report]).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
        let e = parse(&["--reference", "-q", "q5"]).unwrap_err();
        assert!(e.contains("q1, q2, q3, q4"), "{e}");
        let e = parse(&["--reference", "--server", "s.py"]).unwrap_err();
        assert!(
            e.starts_with("--reference grades the built-in programs"),
            "{e}"
        );
        assert!(parse(&[]).unwrap_err().starts_with("nothing to grade"));
    }
}

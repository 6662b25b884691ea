//! Command line (clap types stop here): the contract of DESIGN.md.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
    /// Only these questions (q1..q4); repeatable.
    #[arg(short = 'q', long = "question", value_name = "Q")]
    pub questions: Vec<String>,
    /// Only scenarios whose id matches this glob; repeatable.
    #[arg(short = 's', long = "scenario", value_name = "GLOB")]
    pub scenarios: Vec<String>,
    /// Extra scenario files (add to or override the embedded catalogue).
    #[arg(long = "scenarios", value_name = "DIR")]
    pub scenario_dir: Option<PathBuf>,
    /// Report format.
    #[arg(long, default_value = "human", value_name = "FORMAT")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a report in FORMAT to FILE (`-`: standard output); repeatable.
    #[arg(long = "report", value_name = "FORMAT=FILE")]
    pub reports: Vec<String>,
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
    /// The port the programs under test use.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// More detail: full transcripts for passing scenarios too.
    #[arg(short, long)]
    pub verbose: bool,
    /// A missing program is one failed test in the reports (exit 1), not a
    /// usage error (exit 2): for platforms that need a results file.
    #[arg(long)]
    pub missing_is_failure: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the scenario catalogue, with points.
    List {
        #[arg(short = 'q', long = "question", value_name = "Q")]
        questions: Vec<String>,
    },
    /// Show a chat for a lecture: both terminals side by side, each
    /// program's state, and the explanation (deadlock: the cycle, drawn).
    Demo(DemoArgs),
    /// Run a built-in reference program (q1-server, q2-client, q3-server, q3-client, q4-server, q4-client).
    Reference(ReferenceArgs),
    /// Print or write CI templates: a GitHub Actions workflow, a GitLab CI job, a Gradescope autograder.
    Ci(CiArgs),
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
    /// The course's repository, from which CI installs grade with cargo.
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// The server file in the student's repository (default: serveur.py, with client.py).
    #[arg(long, value_name = "FILE")]
    pub server: Option<String>,
    /// The client file in the student's repository.
    #[arg(long, value_name = "FILE")]
    pub client: Option<String>,
    /// Only these questions; repeatable.
    #[arg(short = 'q', long = "question", value_name = "Q")]
    pub questions: Vec<String>,
    /// Scenarios whose details students see only after the due date (Gradescope); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub hidden: Vec<String>,
}

/// Turns `grade ci` arguments into validated options.
pub fn ci_options(
    a: CiArgs,
    lang: crate::scenario::Lang,
) -> Result<crate::ci::Options, crate::Error> {
    Ok(crate::ci::Options {
        target: a.target,
        dir: a.dir,
        force: a.force,
        repo: a.repo,
        server: a.server,
        client: a.client,
        questions: questions(&a.questions)?,
        hidden: a.hidden,
        lang,
    })
}

/// `FORMAT=FILE` of `--report`, the format checked.
fn report_arg(s: &str) -> Result<(String, PathBuf), crate::Error> {
    let usage = |m: String| crate::Error::Usage(m);
    let (format, file) = s.split_once('=').ok_or_else(|| {
        usage(format!(
            "--report {s}: expected FORMAT=FILE, e.g. --report junit=report.xml"
        ))
    })?;
    if crate::report::by_name(format).is_none() {
        return Err(usage(format!(
            "--report {s}: unknown format `{format}` (one of: {})",
            crate::report::FORMATS.join(", ")
        )));
    }
    if file.is_empty() {
        return Err(usage(format!("--report {s}: no file after `=`")));
    }
    Ok((format.to_string(), PathBuf::from(file)))
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
    #[arg(long, default_value_t = 8080)]
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

/// Turns command-line arguments into a validated `Config`.
pub fn config(a: Args) -> Result<crate::Config, crate::Error> {
    use crate::Error::Usage;
    if a.reference && (a.server.is_some() || a.client.is_some()) {
        return Err(Usage(
            "--reference grades the built-in programs: do not give --server or --client with it"
                .into(),
        ));
    }
    if !a.reference && a.server.is_none() && a.client.is_none() {
        return Err(Usage("nothing to grade: give --server PROG and/or --client PROG, or --reference (see grade --help)".into()));
    }
    if !(a.timeout_scale.is_finite() && a.timeout_scale > 0.0) {
        return Err(Usage("--timeout-scale must be a positive number".into()));
    }
    let jobs = match a.jobs {
        Some(0) => return Err(Usage("--jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    };
    Ok(crate::Config {
        server: a.server,
        client: a.client,
        reference: a.reference,
        questions: questions(&a.questions)?,
        globs: a.scenarios,
        scenario_dir: a.scenario_dir,
        format: a.format,
        output: a.output,
        reports: a
            .reports
            .iter()
            .map(|r| report_arg(r))
            .collect::<Result<_, _>>()?,
        points: a.points,
        hidden: a.hidden,
        lang: lang(&a.lang, a.messages.as_deref())?,
        jobs,
        timeout_scale: a.timeout_scale,
        port: a.port,
        verbose: a.verbose,
        missing_is_failure: a.missing_is_failure,
    })
}

pub fn questions(qs: &[String]) -> Result<Vec<crate::scenario::Question>, crate::Error> {
    qs.iter()
        .map(|q| {
            crate::scenario::Question::parse(q).ok_or_else(|| {
                crate::Error::Usage(format!("unknown question `{q}` (q1, q2, q3 or q4)"))
            })
        })
        .collect()
}

/// The language of `--lang`, from the embedded catalogues and those of
/// `--messages DIR`: checked once they are loaded, since a catalogue may
/// add a language.
pub fn lang(
    l: &str,
    messages: Option<&std::path::Path>,
) -> Result<crate::scenario::Lang, crate::Error> {
    use crate::msg::Catalog;
    let catalog = match messages {
        Some(dir) => Catalog::with_overrides(dir)
            .map_err(|e| crate::Error::Usage(format!("--messages: {e}")))?,
        None => Catalog::builtin(),
    };
    catalog.lang(l).ok_or_else(|| {
        crate::Error::Usage(format!(
            "unknown language `{l}` (languages with a catalogue: {})",
            catalog.languages().join(", ")
        ))
    })
}

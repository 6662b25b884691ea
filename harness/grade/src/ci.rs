//! `grade ci github|gitlab|gradescope|classroom|prairielearn|devcontainer`:
//! CI templates for a student's repository, a Gradescope autograder, a
//! PrairieLearn course or a dev container, printed or written to a
//! directory; `grade ci github --release-workflow`: the course repository's
//! workflow that publishes the portable binary (`dist.sh`) on a tag;
//! `grade ci batch-github|batch-gitlab|batch-kubernetes|batch-slurm`: the
//! instructor's whole class graded in parts on those engines, merged. The
//! templates download that binary, pinned by its SHA-256 (`cargo install`
//! only with `--cargo-install`; PrairieLearn carries a copy). They live in
//! `harness/grade/templates/` and are embedded; this module only fills in
//! the download, the `grade` options and the comments, in `--lang` (a line
//! `{{# ID}}` is the message ID, commented).

use crate::msg::{self, Msg};
use crate::scenario::{Lang, Question};
use std::io::Write;
use std::path::{Path, PathBuf};

const GITHUB: &str = include_str!("../templates/github.yml");
const GITHUB_RELEASE: &str = include_str!("../templates/github-release.yml");
const CLASSROOM: &str = include_str!("../templates/classroom.yml");
const GITLAB: &str = include_str!("../templates/gitlab-ci.yml");
const GRADESCOPE_SETUP: &str = include_str!("../templates/gradescope-setup.sh");
const GRADESCOPE_RUN: &str = include_str!("../templates/gradescope-run_autograder");
const PRAIRIELEARN_RUN: &str = include_str!("../templates/prairielearn-run.sh");
const PRAIRIELEARN_INFO: &str = include_str!("../templates/prairielearn-info.json");
const DEVCONTAINER: &str = include_str!("../templates/devcontainer.json");
const DEVCONTAINER_INSTALL: &str = include_str!("../templates/devcontainer-install.sh");
/// How each template gets `grade`: the Actions step, the GitLab job's
/// image and `before_script`, the shell lines (Gradescope, dev container).
const ACTIONS_DOWNLOAD: &str = include_str!("../templates/actions-download.yml");
const ACTIONS_CARGO: &str = include_str!("../templates/actions-cargo.yml");
const GITLAB_DOWNLOAD: &str = include_str!("../templates/gitlab-download.yml");
const GITLAB_CARGO: &str = include_str!("../templates/gitlab-cargo.yml");
const SHELL_DOWNLOAD: &str = include_str!("../templates/download.sh");
const BATCH_GITHUB: &str = include_str!("../templates/batch-github.yml");
const BATCH_GITLAB: &str = include_str!("../templates/batch-gitlab.yml");
const BATCH_KUBERNETES: &str = include_str!("../templates/batch-kubernetes.yaml");
const BATCH_SLURM: &str = include_str!("../templates/batch-slurm.sbatch");
const BATCH_SLURM_MERGE: &str = include_str!("../templates/batch-slurm-merge.sbatch");

/// The portable binary's name, as `dist.sh` builds it and the release
/// workflow publishes it.
pub const RELEASE_ASSET: &str = "grade-x86_64-linux-gnu";

/// Written in place of the course repository when `--repo` is not given.
pub const REPO_PLACEHOLDER: &str = "https://example.org/course/chat-lab.git";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A GitHub Actions workflow (.github/workflows/grade.yml).
    Github,
    /// A GitLab CI job with a JUnit report (.gitlab-ci.yml).
    Gitlab,
    /// A Gradescope autograder bundle (setup.sh, which downloads grade, and run_autograder).
    Gradescope,
    /// GitHub Classroom's autograding workflow (.github/workflows/classroom.yml).
    Classroom,
    /// A PrairieLearn external grader (serverFilesCourse/chatlab/: run.sh and
    /// the grade binary; the question's externalGradingOptions).
    Prairielearn,
    /// A dev container for students on macOS or Windows, or in a Codespace
    /// (.devcontainer/: devcontainer.json and install-grade.sh).
    Devcontainer,
    /// The whole class in the course's repository, a GitHub Actions matrix
    /// (one job per part, --shards), then the gradebook merged
    /// (.github/workflows/grade-class.yml).
    BatchGithub,
    /// The whole class, a GitLab `parallel:` job, then the gradebook merged
    /// (.gitlab-ci.yml).
    BatchGitlab,
    /// The whole class, a Kubernetes Indexed Job (grade-class-job.yaml);
    /// merge its parts with `grade batch merge`.
    BatchKubernetes,
    /// The whole class, a Slurm job array (grade-class.sbatch), then the
    /// gradebook (grade-gradebook.sbatch, after the array).
    BatchSlurm,
}

impl Target {
    /// A template for the instructor's whole class (`grade batch`).
    pub fn is_batch(self) -> bool {
        matches!(
            self,
            Target::BatchGithub
                | Target::BatchGitlab
                | Target::BatchKubernetes
                | Target::BatchSlurm
        )
    }
}

/// How a template gets `grade`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    /// Download the portable binary and check its SHA-256 before it runs.
    Release(Release),
    /// `--cargo-install`: build it from the course's repository on every run.
    Cargo,
}

/// The pinned download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub url: String,
    /// Lowercase hex, 64 digits.
    pub sha256: String,
    /// `--release-url` was given (else the URL comes from `--repo`).
    pub url_given: bool,
    /// No `--sha256`: the checksum is this binary's, the running `grade`.
    pub sha256_of: Option<PathBuf>,
}

/// What to do with a file that exists under `--dir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse (a usage error), writing nothing.
    Keep,
    /// `--force`.
    Replace,
}

/// Validated `grade ci` settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    /// Write the files under this directory instead of printing them.
    pub dir: Option<PathBuf>,
    pub existing: Existing,
    /// The course's repository: its releases hold the portable binary
    /// (`--cargo-install`: `cargo install --git` builds from it).
    pub repo: Option<String>,
    /// How the templates get `grade`; `None` where they do not fetch it
    /// (PrairieLearn, the release workflow).
    pub install: Option<Install>,
    /// Program files, relative to the student's repository or submission.
    pub server: Option<String>,
    pub client: Option<String>,
    pub questions: Vec<Question>,
    pub hidden: Vec<String>,
    pub lang: Lang,
    /// `--release-workflow` (GitHub only): the course repository's release
    /// workflow instead of the students' grading one.
    pub release_workflow: bool,
    /// batch-*: the parts the class is graded in (`--shards`).
    pub shards: usize,
    /// batch-*: the class folder (`--class`).
    pub class: String,
}

/// One file of a template.
#[derive(Debug, Clone)]
pub struct File {
    /// Relative to the directory of `--dir` (the repository or the bundle).
    pub path: &'static str,
    pub text: String,
    pub mode: Mode,
}

/// A written file's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Regular,
    /// A script (0755).
    Executable,
}

pub use crate::sh_quote;

impl Options {
    /// The programs; none given: the student's whole folder, where the
    /// discovery rule finds each question's (`--submission .`).
    fn programs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if self.discovers() {
            v.push(("--submission", ".".to_string()));
        }
        if let Some(s) = &self.server {
            v.push(("--server", s.clone()));
        }
        if let Some(c) = &self.client {
            v.push(("--client", c.clone()));
        }
        v
    }

    /// No program given: grade what the discovery rule finds.
    fn discovers(&self) -> bool {
        self.server.is_none() && self.client.is_none()
    }

    /// The `grade` options other than the programs.
    fn options(&self) -> Vec<String> {
        let mut v = Vec::new();
        for q in &self.questions {
            v.push("-q".to_string());
            v.push(q.name().to_string());
        }
        v.extend(self.settings());
        v
    }

    /// The `grade` options other than the programs and the questions.
    fn settings(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.lang.code() != msg::FALLBACK {
            v.extend(["--lang".to_string(), self.lang.code().to_string()]);
        }
        for h in &self.hidden {
            v.push("--hidden".to_string());
            v.push(h.clone());
        }
        v
    }

    /// Whether the files name the course's repository (`--repo`): to build
    /// from it, or to download from its releases without `--release-url`.
    pub fn needs_repo(&self) -> bool {
        match &self.install {
            Some(Install::Cargo) => true,
            Some(Install::Release(r)) => !r.url_given,
            None => false,
        }
    }

    fn repo(&self) -> &str {
        self.repo.as_deref().unwrap_or(REPO_PLACEHOLDER)
    }

    /// Every program and option, as shell words.
    fn args(&self) -> String {
        let mut words = Vec::new();
        for (flag, p) in self.programs() {
            words.push(flag.to_string());
            words.push(p);
        }
        words.extend(self.options());
        words
            .iter()
            .map(|w| sh_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `template` with its comments in `lang`: a line `{{# ID}}` becomes the
/// message ID, each of its lines a comment at the placeholder's indentation.
fn comments(template: &'static str, lang: &Lang) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let id = body
            .trim_end()
            .strip_prefix("{{# ")
            .and_then(|r| r.strip_suffix("}}"));
        let Some(id) = id else {
            out.push_str(line);
            continue;
        };
        for l in lang.msg(&Msg::new(id)).lines() {
            let hash = if l.is_empty() { "#" } else { "# " };
            out.push_str(&format!("{indent}{hash}{l}\n"));
        }
    }
    out
}

/// A string as a YAML scalar: JSON's double-quoted strings are YAML's.
fn yaml_quote(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

impl Options {
    /// The pinned download; the templates that only download (Gradescope,
    /// the dev container) never get `--cargo-install` (cli.rs refuses it).
    fn release(&self) -> &Release {
        match &self.install {
            Some(Install::Release(r)) => r,
            _ => unreachable!(
                "{:?} downloads grade: cli.rs gives it a release",
                self.target
            ),
        }
    }

    /// `text` with `{{INSTALL}}` (a line of its own) replaced by how this
    /// target gets `grade`: `download` (its `{{URL}}` and `{{SHA256}}`
    /// quoted by `quote`) or `cargo`, commented.
    fn with_install(
        &self,
        text: &str,
        download: &'static str,
        cargo: &'static str,
        quote: fn(&str) -> String,
    ) -> String {
        let step = match &self.install {
            Some(Install::Release(r)) => comments(download, &self.lang)
                .replace("{{URL}}", &quote(&r.url))
                .replace("{{SHA256}}", &quote(&r.sha256)),
            _ => comments(cargo, &self.lang),
        };
        text.replace("{{INSTALL}}\n", &step)
    }

    /// `grade` as the steps run it, where the install step put it.
    fn grade_command(&self) -> &'static str {
        match (&self.install, self.target) {
            (Some(Install::Cargo), Target::Gitlab | Target::BatchGitlab) => "grade",
            (Some(Install::Cargo), _) => "\"$HOME/.cargo/bin/grade\"",
            (_, Target::Gitlab | Target::BatchGitlab) => "\"${TMPDIR:-/tmp}/grade\"",
            _ => "\"$RUNNER_TEMP/grade\"",
        }
    }

    /// `template` filled in: the comments, the install step, the course's
    /// repository, `grade` and its arguments.
    fn fill(&self, template: &'static str, args: &str) -> String {
        let text = comments(template, &self.lang);
        let text = match self.target {
            Target::Github | Target::Classroom => {
                self.with_install(&text, ACTIONS_DOWNLOAD, ACTIONS_CARGO, yaml_quote)
            }
            Target::Gitlab | Target::BatchGitlab => {
                self.with_install(&text, GITLAB_DOWNLOAD, GITLAB_CARGO, yaml_quote)
            }
            Target::BatchGithub => {
                self.with_install(&text, ACTIONS_DOWNLOAD, ACTIONS_CARGO, yaml_quote)
            }
            Target::BatchKubernetes => {
                let download = indent(&self.shell_download(), "              ");
                text.replace("{{DOWNLOAD}}\n", &download)
            }
            Target::BatchSlurm => text.replace("{{DOWNLOAD}}\n", &self.shell_download()),
            Target::Gradescope | Target::Devcontainer => {
                let r = self.release();
                let download = comments(SHELL_DOWNLOAD, &self.lang)
                    .replace("{{URL}}", &sh_quote(&r.url))
                    .replace("{{SHA256}}", &sh_quote(&r.sha256));
                text.replace("{{DOWNLOAD}}\n", &download)
            }
            Target::Prairielearn => text,
        };
        text.replace("{{REPO}}", self.repo())
            .replace("{{GRADE}}", self.grade_command())
            .replace("{{ARGS}}", args)
            .replace("{{SHARDS}}", &self.shards.to_string())
            .replace("{{SHARD_LIST}}", &shard_list(self.shards))
            .replace("{{CLASS}}", &sh_quote(&self.class))
    }

    /// The shell lines that download `grade` into the current folder.
    fn shell_download(&self) -> String {
        let r = self.release();
        comments(SHELL_DOWNLOAD, &self.lang)
            .replace("{{URL}}", &sh_quote(&r.url))
            .replace("{{SHA256}}", &sh_quote(&r.sha256))
    }

    /// `grade batch`'s options other than the class and the parts: the
    /// questions and the language, as shell words.
    fn batch_args(&self) -> String {
        let mut words = Vec::new();
        for q in &self.questions {
            words.push("-q".to_string());
            words.push(q.name().to_string());
        }
        if self.lang.code() != msg::FALLBACK {
            words.extend(["--lang".to_string(), self.lang.code().to_string()]);
        }
        words
            .iter()
            .map(|w| sh_quote(w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `1, 2, …, n`: a matrix's parts.
fn shard_list(n: usize) -> String {
    (1..=n)
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each line of `text` indented by `by` (a block in a YAML block scalar).
fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::from("\n")
            } else {
                format!("{by}{l}\n")
            }
        })
        .collect()
}

/// The files of a target, filled in.
pub fn files(o: &Options) -> Vec<File> {
    let file = |path, text, mode| File { path, text, mode };
    match o.target {
        Target::Github if o.release_workflow => vec![file(
            ".github/workflows/release.yml",
            o.fill(GITHUB_RELEASE, ""),
            Mode::Regular,
        )],
        Target::Github => vec![file(
            ".github/workflows/grade.yml",
            o.fill(GITHUB, &o.args()),
            Mode::Regular,
        )],
        Target::Classroom => vec![file(
            ".github/workflows/classroom.yml",
            classroom(o, o.fill(CLASSROOM, "")),
            Mode::Regular,
        )],
        Target::Gitlab => vec![file(
            ".gitlab-ci.yml",
            o.fill(GITLAB, &o.args()),
            Mode::Regular,
        )],
        Target::Prairielearn => {
            let run = o
                .fill(PRAIRIELEARN_RUN, &shell_options(o))
                .replace("{{PROGRAMS}}", &located_programs(o));
            vec![
                file("serverFilesCourse/chatlab/run.sh", run, Mode::Executable),
                file(
                    "info-externalGradingOptions.json",
                    PRAIRIELEARN_INFO.to_string(),
                    Mode::Regular,
                ),
            ]
        }
        Target::Gradescope => {
            let run = o
                .fill(GRADESCOPE_RUN, &shell_options(o))
                .replace("{{PROGRAMS}}", &located_programs(o));
            vec![
                file("setup.sh", o.fill(GRADESCOPE_SETUP, ""), Mode::Executable),
                file("run_autograder", run, Mode::Executable),
            ]
        }
        Target::BatchGithub
        | Target::BatchGitlab
        | Target::BatchKubernetes
        | Target::BatchSlurm => batch_files(o),
        Target::Devcontainer => vec![
            file(
                ".devcontainer/devcontainer.json",
                DEVCONTAINER.to_string(),
                Mode::Regular,
            ),
            file(
                ".devcontainer/install-grade.sh",
                o.fill(DEVCONTAINER_INSTALL, ""),
                Mode::Executable,
            ),
        ],
    }
}

/// The files of a `batch-*` target: the class graded in parts, merged.
fn batch_files(o: &Options) -> Vec<File> {
    let file = |path, text, mode| File { path, text, mode };
    let args = o.batch_args();
    match o.target {
        Target::BatchGithub => vec![file(
            ".github/workflows/grade-class.yml",
            o.fill(BATCH_GITHUB, &args),
            Mode::Regular,
        )],
        Target::BatchGitlab => vec![file(
            ".gitlab-ci.yml",
            o.fill(BATCH_GITLAB, &args),
            Mode::Regular,
        )],
        Target::BatchKubernetes => vec![file(
            "grade-class-job.yaml",
            o.fill(BATCH_KUBERNETES, &args),
            Mode::Regular,
        )],
        _ => vec![
            file(
                "grade-class.sbatch",
                o.fill(BATCH_SLURM, &args),
                Mode::Executable,
            ),
            file(
                "grade-gradebook.sbatch",
                o.fill(BATCH_SLURM_MERGE, ""),
                Mode::Executable,
            ),
        ],
    }
}

/// The programs as shell lines that look for them in the submission at
/// run time (`args+=(--server "$(locate serveur.py)")`).
fn located_programs(o: &Options) -> String {
    if o.discovers() {
        return "args+=(--submission \"$submission\")".to_string();
    }
    o.programs()
        .into_iter()
        .map(|(flag, p)| format!("args+=({flag} \"$(locate {})\")", sh_quote(&p)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The options other than the programs, as shell words.
fn shell_options(o: &Options) -> String {
    o.options()
        .iter()
        .map(|w| sh_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The programs a question grades: q1 a server, q2 a client, q3 and q4
/// both.
fn sides(q: Question) -> &'static [&'static str] {
    match q {
        Question::Q1 => &["--server"],
        Question::Q2 => &["--client"],
        Question::Q3 | Question::Q4 => &["--server", "--client"],
    }
}

/// The questions of the Classroom workflow, each with its programs: the
/// `-q` given, else every question whose programs are all given (none
/// given: all four, each found in the student's folder by the discovery
/// rule).
fn runners(o: &Options) -> Vec<(Question, Vec<(&'static str, String)>)> {
    let programs = o.programs();
    let has = |flag: &str| o.discovers() || programs.iter().any(|(f, _)| *f == flag);
    let questions = if o.questions.is_empty() {
        Question::ALL
            .into_iter()
            .filter(|q| sides(*q).iter().all(|f| has(f)))
            .collect()
    } else {
        o.questions.clone()
    };
    questions
        .into_iter()
        .map(|q| {
            let mine = programs
                .iter()
                .filter(|(f, _)| *f == "--submission" || sides(q).contains(f))
                .cloned()
                .collect();
            (q, mine)
        })
        .collect()
}

/// The Classroom workflow: one step per question (id `q1`…, which the
/// reporter's `runners` input wants alphanumeric), then the reporter with
/// each step's result in `Q1_RESULTS`….
fn classroom(o: &Options, text: String) -> String {
    let runners = runners(o);
    let mut steps = String::new();
    let mut env = String::new();
    for (q, programs) in &runners {
        let id = q.name();
        let mut words: Vec<String> = Vec::new();
        for (flag, p) in programs {
            words.push(flag.to_string());
            words.push(sh_quote(p));
        }
        words.extend(["-q".to_string(), id.to_string()]);
        words.extend(o.settings().iter().map(|w| sh_quote(w)));
        steps.push_str(&format!(
            "      - name: Grade {id}\n        id: {id}\n        continue-on-error: true\n        run: |\n          sudo -E {} {} \\\n            --report classroom=/dev/null\n\n",
            o.grade_command(),
            words.join(" ")
        ));
        env.push_str(&format!(
            "          {}_RESULTS: ${{{{ steps.{id}.outputs.result }}}}\n",
            id.to_uppercase()
        ));
    }
    let ids: Vec<&str> = runners.iter().map(|(q, _)| q.name()).collect();
    text.replace("{{RUNNERS}}\n", &steps)
        .replace("{{RESULTS}}\n", &env)
        .replace("{{RUNNER_IDS}}", &ids.join(","))
}

#[derive(Debug, thiserror::Error)]
pub enum CiError {
    #[error("{0} exists: give --force to replace it")]
    Exists(PathBuf),
    #[error("failed to write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Prints the files (each under a `# ==> path <==` line when there are
/// several), or writes them under `o.dir`; PrairieLearn's course files
/// written to a directory also get a copy of the running `grade` binary
/// (its graders usually have no network).
pub fn run(o: &Options, out: &mut dyn Write) -> Result<(), CiError> {
    let files = files(o);
    let Some(dir) = &o.dir else {
        let several = files.len() > 1;
        let io = |e| CiError::Write {
            path: "standard output".into(),
            source: e,
        };
        for f in &files {
            if several {
                writeln!(out, "# ==> {} <==", f.path).map_err(io)?;
            }
            write!(out, "{}", f.text).map_err(io)?;
        }
        return Ok(());
    };
    let mut planned: Vec<(PathBuf, Option<&File>)> =
        files.iter().map(|f| (dir.join(f.path), Some(f))).collect();
    if o.target == Target::Prairielearn {
        planned.push((dir.join("serverFilesCourse/chatlab/grade"), None));
    }
    if o.existing == Existing::Keep {
        if let Some((p, _)) = planned.iter().find(|(p, _)| p.exists()) {
            return Err(CiError::Exists(p.clone()));
        }
    }
    for (path, file) in planned {
        let err = |e| CiError::Write {
            path: path.clone(),
            source: e,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        match file {
            Some(f) => {
                std::fs::write(&path, &f.text).map_err(err)?;
                if f.mode == Mode::Executable {
                    make_executable(&path).map_err(err)?;
                }
            }
            None => {
                let exe = std::env::current_exe().map_err(err)?;
                std::fs::copy(exe, &path).map_err(err)?;
                make_executable(&path).map_err(err)?;
            }
        }
        writeln!(out, "{}", path.display()).map_err(|e| CiError::Write {
            path: "standard output".into(),
            source: e,
        })?;
    }
    Ok(())
}

/// The default download: the portable binary of this version, as the
/// release workflow (`grade ci github --release-workflow`) publishes it on
/// the tag `v<version>` of the course's repository (GitHub's release
/// asset URL).
pub fn default_release_url(repo: &str) -> String {
    let base = repo.trim_end_matches('/');
    let base = base.strip_suffix(".git").unwrap_or(base);
    format!(
        "{base}/releases/download/v{}/{RELEASE_ASSET}",
        env!("CARGO_PKG_VERSION")
    )
}

/// A file's SHA-256, in lowercase hex (as `sha256sum` prints it).
pub fn sha256_file(p: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(p)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// `--sha256 HEX` checked: 64 hex digits, lowercased.
pub fn parse_sha256(hex: &str) -> Option<String> {
    let ok = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| hex.to_ascii_lowercase())
}

fn make_executable(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(target: Target) -> Options {
        Options {
            target,
            dir: None,
            existing: Existing::Keep,
            repo: Some("https://git.example.org/course/lab.git".into()),
            install: Some(Install::Release(Release {
                url: default_release_url("https://git.example.org/course/lab.git"),
                sha256: "ab".repeat(32),
                url_given: false,
                sha256_of: None,
            })),
            server: Some("serveur.py".into()),
            client: None,
            questions: vec![Question::Q1],
            hidden: vec!["q1.server.long-*".into()],
            lang: Lang::builtin("fr"),
            release_workflow: false,
            shards: 4,
            class: "submissions".into(),
        }
    }

    /// `template` has no `{{…}}` left; `${{ … }}` is GitHub's own.
    fn assert_filled(path: &str, text: &str) {
        let left = text
            .match_indices("{{")
            .any(|(i, _)| !text[..i].ends_with('$'));
        assert!(!left, "{path}: {text}");
    }

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(sh_quote("serveur.py"), "serveur.py");
        assert_eq!(sh_quote("mon serveur.py"), "'mon serveur.py'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("q1.*"), "'q1.*'");
    }

    #[test]
    fn templates_are_filled_in() {
        for t in [
            Target::Github,
            Target::Gitlab,
            Target::Gradescope,
            Target::Classroom,
            Target::Prairielearn,
            Target::Devcontainer,
            Target::BatchGithub,
            Target::BatchGitlab,
            Target::BatchKubernetes,
            Target::BatchSlurm,
        ] {
            for f in files(&opts(t)) {
                assert_filled(f.path, &f.text);
            }
        }
        let gh = &files(&opts(Target::Github))[0].text;
        // The download, checked, then the grading with what it downloaded.
        let url = "https://git.example.org/course/lab/releases/download/v";
        assert!(
            gh.contains(&format!("          GRADE_URL: \"{url}")),
            "{gh}"
        );
        assert!(gh.contains(&format!(
            "          GRADE_SHA256: \"{}\"\n",
            "ab".repeat(32)
        )));
        assert!(gh.contains("| sha256sum -c -\n"));
        assert!(gh.contains(
            "sudo -E \"$RUNNER_TEMP/grade\" --server serveur.py -q q1 --lang fr --hidden 'q1.server.long-*'"
        ));
        assert!(!gh.contains("cargo"), "{gh}");
        let mut cargo = opts(Target::Github);
        cargo.install = Some(Install::Cargo);
        let gh = &files(&cargo)[0].text;
        assert!(gh
            .contains("cargo install --locked --git https://git.example.org/course/lab.git grade"));
        assert!(gh.contains("sudo -E \"$HOME/.cargo/bin/grade\" --server serveur.py"));
        assert!(!gh.contains("sha256sum"), "{gh}");
        let gs = &files(&opts(Target::Gradescope))[0].text;
        assert!(gs.contains(&format!("\nurl={url}")), "{gs}");
        assert!(gs.contains("\necho \"$sha256  grade.download\" | sha256sum -c -\n"));
        let gs = &files(&opts(Target::Gradescope))[1].text;
        assert!(gs.contains("args+=(--server \"$(locate serveur.py)\")"));
        assert!(gs.contains("args+=(-q q1 --lang fr --hidden 'q1.server.long-*')"));
        // Gradescope needs results.json even for a missing program.
        assert!(gs.contains(
            "\"${args[@]}\" --missing-is-failure --hide \"$root/source\" --report gradescope="
        ));
        let pl = &files(&opts(Target::Prairielearn))[0].text;
        assert!(pl.contains("args+=(--server \"$(locate serveur.py)\")"));
        assert!(pl.contains("--missing-is-failure --report prairielearn=\"$results/results.json\""));
    }

    /// Every comment of every template is a message, and shows in `--lang`.
    #[test]
    fn template_comments_come_from_the_catalogue() {
        let catalog = msg::Catalog::builtin();
        for t in [
            GITHUB,
            GITHUB_RELEASE,
            CLASSROOM,
            GITLAB,
            GRADESCOPE_SETUP,
            GRADESCOPE_RUN,
            PRAIRIELEARN_RUN,
            DEVCONTAINER_INSTALL,
            ACTIONS_DOWNLOAD,
            ACTIONS_CARGO,
            GITLAB_DOWNLOAD,
            GITLAB_CARGO,
            SHELL_DOWNLOAD,
        ] {
            for id in t.lines().filter_map(|l| {
                l.trim()
                    .strip_prefix("{{# ")
                    .and_then(|r| r.strip_suffix("}}"))
            }) {
                assert!(catalog.has(id), "{id}");
            }
        }
        let mut o = opts(Target::Github);
        o.lang = Lang::builtin("en");
        let gh = &files(&o)[0].text;
        assert!(gh.starts_with(
            "# Grades this repository's chat-lab programs on every push, with `grade`.\n\
             # Generated by `grade ci github`. It gets `grade` from the course (the\n"
        ));
        assert!(gh.contains(
            "      # As root, each scenario gets its own network namespace (port 8080 is\n\
             \x20     # private to it); -E keeps GITHUB_ACTIONS and GITHUB_STEP_SUMMARY.\n      - name: Grade"
        ));
        o.target = Target::Gradescope;
        let run = &files(&o)[1].text;
        assert!(
            run.contains("\n#   AUTOGRADER_ROOT  instead of /autograder"),
            "{run}"
        );
        o.lang = Lang::builtin("fr");
        let run = &files(&o)[1].text;
        assert!(run.contains("\n# Gradescope lance ce script pour chaque rendu, en root\u{a0}:"));
        assert!(
            run.contains("\n#   AUTOGRADER_ROOT  au lieu de /autograder"),
            "{run}"
        );
    }

    /// The steps of a workflow: each `      - ` block, its lines.
    fn steps(text: &str) -> Vec<Vec<&str>> {
        let mut steps: Vec<Vec<&str>> = Vec::new();
        for l in text.lines().skip_while(|l| l.trim() != "steps:").skip(1) {
            if l.starts_with("      - ") {
                steps.push(vec![l]);
            } else if l.starts_with("        ") {
                steps.last_mut().expect("a step").push(l);
            }
        }
        steps
    }

    #[test]
    fn the_classroom_workflow_has_one_runner_per_question_then_the_reporter() {
        let mut o = opts(Target::Classroom);
        o.server = None;
        o.questions = Vec::new();
        o.hidden = Vec::new();
        let [f] = &files(&o)[..] else {
            panic!("one file")
        };
        assert_eq!(f.path, ".github/workflows/classroom.yml");
        assert_filled(f.path, &f.text);
        for l in f.text.lines() {
            let indent = l.len() - l.trim_start().len();
            assert!(!l.contains('\t') && indent % 2 == 0, "{l:?}");
        }
        // Classroom reads the points from this job, with these permissions.
        for line in [
            "\n  run-autograding-tests:\n",
            "\npermissions:\n  checks: write\n  actions: read\n  contents: read\n",
            "\n  repository_dispatch:\n",
            "      - name: Download grade\n",
        ] {
            assert!(f.text.contains(line), "{line}: {}", f.text);
        }
        let steps = steps(&f.text);
        // checkout, download, q1…q4, the reporter.
        assert_eq!(steps.len(), 7, "{steps:#?}");
        let programs = [
            ("q1", "--submission . -q q1"),
            ("q2", "--submission . -q q2"),
            ("q3", "--submission . -q q3"),
            ("q4", "--submission . -q q4"),
        ];
        for (step, (id, args)) in steps[2..6].iter().zip(programs) {
            let text = step.join("\n");
            assert!(text.contains(&format!("        id: {id}\n")), "{text}");
            assert!(text.contains("        continue-on-error: true"), "{text}");
            assert!(
                text.contains(&format!(
                    "sudo -E \"$RUNNER_TEMP/grade\" {args} --lang fr \\"
                )),
                "{text}"
            );
            assert!(text.ends_with("--report classroom=/dev/null"), "{text}");
        }
        let reporter = steps[6].join("\n");
        assert!(reporter.contains("uses: classroom-resources/autograding-grading-reporter@v1"));
        for (id, _) in programs {
            let env = format!(
                "          {}_RESULTS: ${{{{ steps.{id}.outputs.result }}}}",
                id.to_uppercase()
            );
            assert!(reporter.contains(&env), "{env}: {reporter}");
        }
        assert!(
            reporter.ends_with("          runners: q1,q2,q3,q4"),
            "{reporter}"
        );
    }

    #[test]
    fn classroom_runners_follow_the_programs_and_questions_given() {
        let mut o = opts(Target::Classroom);
        o.questions = Vec::new();
        // A server alone: the question that grades a server alone.
        let ids: Vec<&str> = runners(&o).iter().map(|(q, _)| q.name()).collect();
        assert_eq!(ids, ["q1"]);
        o.server = None;
        o.client = Some("c.py".into());
        let ids: Vec<&str> = runners(&o).iter().map(|(q, _)| q.name()).collect();
        assert_eq!(ids, ["q2"]);
        // -q given: those, each with the programs it grades.
        o.server = Some("s.py".into());
        o.questions = vec![Question::Q3, Question::Q1];
        let r = runners(&o);
        assert_eq!(r[0].0, Question::Q3);
        assert_eq!(r[0].1.len(), 2);
        assert_eq!(r[1].1, [("--server", "s.py".to_string())]);
        let text = &files(&o)[0].text;
        assert!(text.contains("runners: q3,q1"), "{text}");
        assert!(text.contains("--hidden 'q1.server.long-*'"), "{text}");
    }

    #[test]
    fn the_release_workflow_builds_with_dist_sh_and_publishes_on_a_tag() {
        let mut o = opts(Target::Github);
        o.release_workflow = true;
        o.install = None;
        o.lang = Lang::builtin("en");
        assert!(!o.needs_repo());
        let [f] = &files(&o)[..] else {
            panic!("one file")
        };
        assert_eq!(f.path, ".github/workflows/release.yml");
        assert_filled(f.path, &f.text);
        assert!(f
            .text
            .starts_with("# Publishes the portable `grade` binary"));
        for step in [
            "tags: [\"v*\"]",
            "contents: write",
            "uses: actions/setup-python@v5",
            "pip install ziglang",
            "cargo install --locked cargo-zigbuild",
            "run: ./dist.sh",
            "sha256sum -c grade-x86_64-linux-gnu.sha256",
            "test \"$(dist/grade-x86_64-linux-gnu --version)\" = \"grade ${GITHUB_REF_NAME#v}\"",
            "GH_TOKEN: ${{ github.token }}",
            "dist/grade-x86_64-linux-gnu dist/grade-x86_64-linux-gnu.sha256",
        ] {
            assert!(f.text.contains(step), "{step}: {}", f.text);
        }
        // YAML-ish: spaces only, two per level.
        for l in f.text.lines() {
            let indent = l.len() - l.trim_start().len();
            assert!(!l.contains('\t') && indent % 2 == 0, "{l:?}");
        }
        // The students' options do not reach it.
        assert!(!f.text.contains("serveur.py") && !f.text.contains("--hidden"));
    }

    #[test]
    fn the_default_download_is_the_release_of_this_version() {
        let v = env!("CARGO_PKG_VERSION");
        for repo in [
            "https://github.com/course/lab.git",
            "https://github.com/course/lab/",
            "https://github.com/course/lab",
        ] {
            assert_eq!(
                default_release_url(repo),
                format!(
                    "https://github.com/course/lab/releases/download/v{v}/grade-x86_64-linux-gnu"
                )
            );
        }
        let mut o = opts(Target::Gitlab);
        assert!(o.needs_repo());
        o.install = Some(Install::Release(Release {
            url: "file:///srv/grade".into(),
            sha256: "0".repeat(64),
            url_given: true,
            sha256_of: None,
        }));
        assert!(!o.needs_repo());
        let text = &files(&o)[0].text;
        assert!(
            text.contains("    GRADE_URL: \"file:///srv/grade\"\n"),
            "{text}"
        );
        assert!(
            text.contains("      \"${TMPDIR:-/tmp}/grade\" --server serveur.py"),
            "{text}"
        );
        o.install = Some(Install::Cargo);
        assert!(o.needs_repo());
        let text = &files(&o)[0].text;
        assert!(text.contains("  image: rust:1-bookworm\n"), "{text}");
        assert!(text.contains("      grade --server serveur.py"), "{text}");
    }

    #[test]
    fn sha256_is_checked_and_computed_as_sha256sum_does() {
        let hex = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(parse_sha256(hex), Some(hex.to_ascii_lowercase()));
        assert_eq!(parse_sha256(&hex[1..]), None);
        assert_eq!(parse_sha256(&format!("{}g", &hex[1..])), None);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("abc");
        std::fs::write(&f, "abc").unwrap();
        assert_eq!(sha256_file(&f).unwrap(), hex.to_ascii_lowercase());
    }

    #[test]
    fn the_devcontainer_installs_the_pinned_download() {
        let o = opts(Target::Devcontainer);
        let [json, script] = &files(&o)[..] else {
            panic!("two files")
        };
        assert_eq!(json.path, ".devcontainer/devcontainer.json");
        let v: serde_json::Value = serde_json::from_str(&json.text).unwrap();
        assert_eq!(
            v["postCreateCommand"],
            "bash .devcontainer/install-grade.sh"
        );
        assert_eq!(script.path, ".devcontainer/install-grade.sh");
        assert_eq!(script.mode, Mode::Executable);
        assert!(script
            .text
            .contains(&format!("\nsha256={}\n", "ab".repeat(32))));
        assert!(script.text.contains("install -m 755 grade \"$dest/grade\""));
    }
}

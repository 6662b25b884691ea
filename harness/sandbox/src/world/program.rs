//! What `--server PROG` names, made runnable once per grading run: a path, a
//! command line, a `.py` file (run with the real python3, not a shim), a `.c`
//! file (compiled once), or `ref:NAME` (a built-in reference program).

use crate::scenario::Side;
use crate::submission::{ProblemKind, SubmissionProblem, FOUND_MAX};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A program ready to start.
#[derive(Debug, Clone)]
pub enum Prepared {
    Ready { argv: Vec<String>, display: String },
}

impl Prepared {
    pub fn display(&self) -> &str {
        match self {
            Prepared::Ready { display, .. } => display,
        }
    }
}

/// Why a program given on the command line cannot be graded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refused {
    /// Bad usage (exit 2, before grading): the program given is no program.
    #[error("{0}")]
    Usage(String),
    /// This machine lacks what the program needs (python3, cc): exit 3.
    #[error("{0}")]
    Environment(String),
    /// The submission is at fault: one outcome for the run, its scenarios not run.
    #[error("{}", grade_core::msg::Lang::default().msg(&.0.diagnosis().message))]
    Problem(Box<SubmissionProblem>),
}

/// How a program is prepared.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Passed to reference programs.
    pub port: u16,
    /// Receives compiled programs.
    pub build_dir: &'a Path,
    /// A missing program is a submission problem, not a usage error
    /// (`--missing-is-failure`, the platforms' templates).
    pub missing_is_failure: bool,
    /// The sandbox the compiler runs in, as the programs do.
    pub sandbox: Option<&'a super::layers::Layers>,
}

/// Splits a command line on whitespace, honouring single and double quotes.
pub fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The interpreter `python3` really is (pyenv's shim costs ~55 ms a start),
/// resolved once with the caller's PATH.
pub fn python3() -> Option<&'static str> {
    static PY: OnceLock<Option<String>> = OnceLock::new();
    PY.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()?;
        let path = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !path.is_empty()).then_some(path)
    })
    .as_deref()
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Prepares `spec`, the program of `side`: checks that it names a program
/// (usage), that the student's file can run at all (submission problem:
/// empty, does not parse, does not compile), and resolves or builds it.
pub fn prepare(spec: &str, side: Side, o: Options) -> Result<Prepared, Refused> {
    let g = Given {
        spec,
        side,
        flag: format!("--{}", side.name()),
        o,
    };
    if let Some(rest) = spec.strip_prefix("ref:") {
        return g.reference(rest);
    }
    let mut words = if Path::new(spec).exists() {
        vec![spec.to_string()]
    } else {
        split_words(spec)
    };
    if words.first().is_none_or(|w| w.is_empty()) {
        if o.missing_is_failure {
            return Err(g.problem(ProblemKind::Missing, "", String::new()));
        }
        return Err(Refused::Usage(format!(
            "{} is empty: give the program to grade (a file, or a command line)",
            g.flag
        )));
    }
    // The file the student wrote: the program itself, or the script an
    // interpreter of the command line runs (`python3 serveur.py`).
    let file = match script_of(&words) {
        Some(k) => Some(k),
        None if interpreter(&words[0]).is_some() => None,
        None => Some(0),
    };
    let given = file.map(|k| words[k].clone());
    if let Some(k) = file {
        g.check_file(&words, k)?;
    }
    // Arguments that name files of the caller's directory must still name
    // them from the program's fresh working directory.
    for w in words.iter_mut() {
        let p = Path::new(w.as_str());
        if p.exists() && (w.contains('/') || p.is_file()) {
            *w = absolute(p).display().to_string();
        }
    }
    g.resolve(words, given.as_deref())
}

/// What `prepare` was given, for its checks and messages.
struct Given<'a> {
    spec: &'a str,
    side: Side,
    /// `--server` or `--client`.
    flag: String,
    o: Options<'a>,
}

impl Given<'_> {
    /// The submission's `file` cannot be graded at all.
    fn problem(&self, kind: ProblemKind, file: &str, detail: String) -> Refused {
        let (found, found_more) = found_beside(Path::new(file));
        Refused::Problem(Box::new(SubmissionProblem {
            kind,
            side: self.side,
            program: self.spec.to_string(),
            file: file.to_string(),
            detail,
            found,
            found_more,
            scenarios: Vec::new(),
        }))
    }

    /// `ref:NAME ARGS`: `grade reference NAME --port P ARGS`.
    fn reference(&self, rest: &str) -> Result<Prepared, Refused> {
        let mut words = split_words(rest);
        if words.is_empty() || words[0].parse::<reference::Program>().is_err() {
            return Err(Refused::Usage(format!(
                "{} {}: unknown reference program `{rest}`",
                self.flag, self.spec
            )));
        }
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "grade".into());
        let mut argv = vec![
            exe,
            "reference".into(),
            words.remove(0),
            "--port".into(),
            self.o.port.to_string(),
        ];
        argv.extend(words);
        Ok(Prepared::Ready {
            argv,
            display: self.spec.to_string(),
        })
    }

    /// Checks `words[k]`, the file the student wrote: it exists, is a
    /// program (or a source the harness runs), is not empty and, in Python,
    /// parses.
    fn check_file(&self, words: &[String], k: usize) -> Result<(), Refused> {
        let (flag, spec, o) = (&self.flag, self.spec, self.o);
        let w = words[k].clone();
        let p = Path::new(&w);
        let named = |what: &str| {
            if k == 0 {
                format!("{flag} {w}: {what}")
            } else {
                format!("{flag} {spec}: {w}: {what}")
            }
        };
        let path_like = k > 0 || w.contains('/') || is_source(&w);
        let exists = p.exists() || (!path_like && on_program_path(&w).is_some());
        if !exists {
            if o.missing_is_failure {
                return Err(self.problem(ProblemKind::Missing, &w, String::new()));
            }
            let what = if path_like {
                "no such file"
            } else {
                "no such file, nor a command of that name"
            };
            return Err(Refused::Usage(named(what)));
        }
        if p.is_dir() {
            return Err(Refused::Usage(named("is a directory, not a program")));
        }
        if k == 0 && p.exists() && !is_source(&w) && !executable(p) {
            let run = if w.ends_with(".sh") { "sh" } else { "python3" };
            return Err(Refused::Usage(named(&format!(
                "is not executable (chmod +x {w}, or give the command that runs it, e.g. \"{run} {w}\")"
            ))));
        }
        if is_source(&w) && p.is_file() {
            let text = std::fs::read(p)
                .map_err(|e| Refused::Usage(named(&format!("cannot be read: {e}"))))?;
            if text.iter().all(u8::is_ascii_whitespace) {
                return Err(self.problem(ProblemKind::Empty, &w, String::new()));
            }
            let python = w.ends_with(".py")
                && (k == 0 || interpreter(&words[0]) == Some(Interpreter::Python3));
            if python {
                if let Some(message) = python_refuses(p)? {
                    return Err(self.problem(ProblemKind::DoesNotParse, &w, message));
                }
            }
        }
        Ok(())
    }

    /// The command that runs `words`: python3 as the real interpreter, a
    /// `.py` file with it, a `.c` file compiled (`given`: the student's
    /// file, named if it does not compile).
    fn resolve(&self, mut words: Vec<String>, given: Option<&str>) -> Result<Prepared, Refused> {
        let display = self.spec.to_string();
        let first = words[0].clone();
        if first == "python3" || first == "python" {
            if let Some(py) = python3() {
                words[0] = py.to_string();
            }
        } else if first.ends_with(".py") {
            let py = python3().ok_or_else(no_python)?;
            words.insert(0, py.to_string());
        } else if first.ends_with(".c") {
            match compile_c(Path::new(&first), self.o.build_dir, self.o.sandbox)? {
                Ok(exe) => words[0] = exe.display().to_string(),
                Err(errors) => {
                    let file = given.unwrap_or(self.spec);
                    return Err(self.problem(ProblemKind::DoesNotCompile, file, errors));
                }
            }
        }
        Ok(Prepared::Ready {
            argv: words,
            display,
        })
    }
}

/// A file the harness runs through its own tool: python3 or cc.
fn is_source(w: &str) -> bool {
    w.ends_with(".py") || w.ends_with(".c")
}

/// An interpreter a command line may start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interpreter {
    Python3,
    /// Another whose first operand is a script (python2, sh, bash…).
    Other,
}

/// The interpreter a command word names, if any.
fn interpreter(w: &str) -> Option<Interpreter> {
    let name = Path::new(w).file_name()?.to_str()?;
    if name == "python3" || name == "python" || name.strip_prefix("python3.").is_some() {
        return Some(Interpreter::Python3);
    }
    ["python2", "sh", "bash", "dash", "perl", "ruby", "node"]
        .contains(&name)
        .then_some(Interpreter::Other)
}

/// Index of the script an interpreter runs (its first operand), if any:
/// none with `-c` or `-m` (the code is on the command line).
fn script_of(words: &[String]) -> Option<usize> {
    interpreter(&words[0])?;
    let mut k = 1;
    while let Some(w) = words.get(k) {
        if w == "-" || w.starts_with("-c") || w.starts_with("-m") {
            return None;
        }
        if !w.starts_with('-') {
            return Some(k);
        }
        // Python's options that take a value: `-W ignore`, `-X dev`.
        k += if w == "-W" || w == "-X" { 2 } else { 1 };
    }
    None
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// Where a bare command word is found by the programs under test (their
/// PATH is `PROGRAM_PATH`, not the caller's).
fn on_program_path(w: &str) -> Option<PathBuf> {
    std::env::split_paths(PROGRAM_PATH)
        .map(|d| d.join(w))
        .find(|p| p.is_file() && executable(p))
}

fn no_python() -> Refused {
    Refused::Environment("python3 not found: it runs the .py programs under test".into())
}

/// Python's own words when it refuses `file`: `compile()` in a separate
/// interpreter (never `py_compile`, which writes `__pycache__` beside the
/// student's file), isolated from the caller's environment and site.
fn python_refuses(file: &Path) -> Result<Option<String>, Refused> {
    const CHECK: &str = r#"
import sys, traceback
p = sys.argv[1]
try:
    compile(open(p, 'rb').read(), p, 'exec', dont_inherit=True)
except (SyntaxError, ValueError) as e:
    sys.stderr.write(''.join(traceback.format_exception_only(type(e), e)))
    sys.exit(17)
"#;
    let py = python3().ok_or_else(no_python)?;
    let out = Command::new(py)
        .args(["-I", "-S", "-B", "-c", CHECK])
        .arg(file)
        .env_clear()
        .env("LC_ALL", "C.UTF-8")
        .output()
        .map_err(|e| Refused::Environment(format!("cannot run {py}: {e}")))?;
    // Anything but the check's own verdict (17) says nothing of the file:
    // the run itself will show what happens.
    if out.status.code() != Some(17) {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    Ok(Some(lines[lines.len().saturating_sub(8)..].join("\n")))
}

/// The files in the folder where `file` was expected (or the working
/// directory), as `files_in` lists them; at most `FOUND_MAX`, and how many
/// more.
pub fn found_beside(file: &Path) -> (Vec<String>, usize) {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut all = files_in(&dir, 3);
    let more = all.len().saturating_sub(FOUND_MAX);
    all.truncate(FOUND_MAX);
    (all, more)
}

/// Most entries `files_in` reads: a submission may hold a whole repository.
const WALK_BUDGET: usize = 2000;

/// The files of `dir`, `depth` folders deep: relative paths, sorted;
/// hidden entries and `__pycache__` left out, symlinks not followed (nor
/// listed: what they point to is not the student's folder).
pub fn files_in(dir: &Path, depth: usize) -> Vec<String> {
    let mut all = Vec::new();
    let mut budget = WALK_BUDGET;
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, level)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "__pycache__" {
                continue;
            }
            let Ok(kind) = e.file_type() else { continue };
            let path = e.path();
            if kind.is_dir() {
                if level < depth {
                    stack.push((path, level + 1));
                }
            } else if kind.is_file() {
                if let Ok(rel) = path.strip_prefix(dir) {
                    all.push(rel.display().to_string());
                }
            }
        }
    }
    all.sort();
    all
}

/// Compiles a C file with `cc -Wall`: the program, or the compiler's first
/// errors; `Err` when there is no compiler to run.
fn compile_c(
    src: &Path,
    build_dir: &Path,
    sandbox: Option<&super::layers::Layers>,
) -> Result<Result<PathBuf, String>, Refused> {
    let stem = src
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "prog".into());
    // A folder of its own: the compiler writes there, as `nobody` when the
    // sandbox drops to it.
    static COMPILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = COMPILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out_dir = absolute(build_dir).join(format!("cc-{k}"));
    std::fs::create_dir(&out_dir)
        .map_err(|e| Refused::Environment(format!("cannot create a build folder: {e}")))?;
    let exe = out_dir.join(stem);
    // From the file's folder, so that errors name it as the student does
    // (`serveur.c:3:5: error: …`), not by an absolute path.
    let (dir, name) = match (src.parent(), src.file_name()) {
        (Some(d), Some(n)) if !d.as_os_str().is_empty() => (d, Path::new(n)),
        _ => (Path::new("."), src),
    };
    let mut cmd = Command::new("cc");
    cmd.env("LC_ALL", "C")
        .current_dir(dir)
        .arg("-Wall")
        .arg("-O1")
        .arg("-o")
        .arg(&exe)
        .arg(name);
    if let Some(layers) = sandbox {
        let cc = on_program_path("cc").unwrap_or_else(|| PathBuf::from("/usr/bin/cc"));
        let argv = [
            cc.display().to_string(),
            absolute(src).display().to_string(),
        ];
        super::spawn::confine_command(&mut cmd, layers, &argv, &out_dir, &[absolute(dir)])
            .map_err(|e| Refused::Environment(format!("cannot sandbox cc: {e}")))?;
    }
    let out = cmd.output().map_err(|e| {
        Refused::Environment(format!("cannot run cc (it compiles the .c programs): {e}"))
    })?;
    if out.status.success() {
        return Ok(Ok(exe));
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let shown = compile_errors(&text, &out_dir);
    Ok(Err(if shown.is_empty() {
        COMPILE_FAILED_ELSEWHERE.to_string()
    } else {
        shown.join("\n")
    }))
}

/// What a failed compile says when none of its errors is located in the
/// submission's own files (they are not shown: they may quote any file).
const COMPILE_FAILED_ELSEWHERE: &str =
    "cc failed, with no error located in the submission's own files";

/// How many compiler error lines a diagnosis quotes.
const COMPILE_ERRORS_SHOWN: usize = 5;

/// The compiler's first errors that a student can act on and that quote
/// nothing but the student's own files: `file:line:col: error: …` where
/// `file` is relative and stays in the submission's folder (gcc names a
/// file pulled in by `#include "/etc/shadow"` by its path, and quotes its
/// lines: never shown), and the linker's `undefined reference to …`
/// (`main` missing when the whole file is commented out), without the
/// object file's path. `collect2: … ld returned 1 exit status` only when
/// nothing else explains the failure. The build folder's path is removed.
fn compile_errors(stderr: &str, build_dir: &Path) -> Vec<String> {
    let build = format!("{}/", build_dir.display());
    let mut shown: Vec<String> = Vec::new();
    let mut collect2 = None;
    for line in stderr.lines() {
        let line = line.replace(&build, "");
        let linker = ["undefined reference to ", "multiple definition of "]
            .iter()
            .find_map(|w| line.find(w));
        if let Some(at) = linker {
            // `client.c:3: undefined reference…` keeps the student's
            // location; an object file or library path goes.
            let file = line[..at].split(':').next().unwrap_or_default();
            let source = file.ends_with(".c") || file.ends_with(".h");
            let place = if own_file(file) && source {
                line[..at].trim_end()
            } else {
                "ld:"
            };
            shown.push(format!("{place} {}", &line[at..]));
        } else if line.starts_with("collect2: ") {
            collect2.get_or_insert(line);
        } else if let Some((file, _)) = line.split_once(':') {
            let located = line.contains(": error: ") || line.contains(": fatal error: ");
            if located && own_file(file) {
                shown.push(line.clone());
            }
        }
        if shown.len() == COMPILE_ERRORS_SHOWN {
            break;
        }
    }
    if shown.is_empty() {
        shown.extend(collect2);
    }
    shown.dedup();
    shown
}

/// A path a compiler message names that is the student's own: relative,
/// inside the submission's folder (no `..`), not a compiler's pseudo-file.
fn own_file(file: &str) -> bool {
    let p = Path::new(file);
    !file.is_empty()
        && p.is_relative()
        && !p
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
        && ![
            "cc1",
            "cc1plus",
            "gcc",
            "cc",
            "<command-line>",
            "<built-in>",
        ]
        .contains(&file)
}

/// The PATH of the programs under test.
pub const PROGRAM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The minimal environment every program under test gets: nothing of the caller's.
pub fn environment(home: &Path) -> Vec<(String, String)> {
    vec![
        ("PATH".into(), PROGRAM_PATH.into()),
        ("HOME".into(), home.display().to_string()),
        ("LANG".into(), "C.UTF-8".into()),
        ("TERM".into(), "xterm".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_errors_quote_only_the_students_own_files() {
        let build = Path::new("/tmp/grade-build-1");
        let shadow = "serveur.c:1:10: warning: extra tokens\n\
            In file included from serveur.c:1:\n\
            /etc/shadow:1:5: error: expected '=', ',', ';', 'asm' or '__attribute__' before ':' token\n\
            \x20   1 | root:$6$secret:19000:0:99999:7:::\n\
            ../../etc/passwd:2:1: error: unknown type name 'daemon'\n\
            serveur.c:7:5: error: 'sock' undeclared (first use in this function)\n";
        assert_eq!(
            compile_errors(shadow, build),
            vec!["serveur.c:7:5: error: 'sock' undeclared (first use in this function)"]
        );
        let no_main = "/usr/bin/ld: /usr/lib/x86_64-linux-gnu/Scrt1.o: in function `_start':\n\
            (.text+0x17): undefined reference to `main'\n\
            collect2: error: ld returned 1 exit status\n";
        assert_eq!(
            compile_errors(no_main, build),
            vec!["ld: undefined reference to `main'"]
        );
        let ld = "/usr/bin/ld: /tmp/grade-build-1/cc3x.o: in function `f':\n\
            /tmp/grade-build-1/client.c:3: undefined reference to `sned'\n";
        assert_eq!(
            compile_errors(ld, build),
            vec!["client.c:3: undefined reference to `sned'"]
        );
        let obj = "/usr/bin/ld: cc3x.o: in function `f':\ncc3x.o:(.text+0x1b): undefined reference to `sned'\n";
        assert_eq!(
            compile_errors(obj, build),
            vec!["ld: undefined reference to `sned'"]
        );
        // Nothing of the student's: only what says it failed.
        let elsewhere =
            "/etc/shadow:1:5: error: expected ';'\ncollect2: error: ld returned 1 exit status\n";
        assert_eq!(
            compile_errors(elsewhere, build),
            vec!["collect2: error: ld returned 1 exit status"]
        );
        assert!(compile_errors("/etc/shadow:1:5: error: x\n", build).is_empty());
        let many: String = (1..=9)
            .map(|k| format!("a.c:{k}:1: error: e{k}\n"))
            .collect();
        assert_eq!(compile_errors(&many, build).len(), COMPILE_ERRORS_SHOWN);
    }

    #[test]
    fn splits_quoted_words() {
        assert_eq!(
            split_words("python3 'a b.py' --x \"\""),
            vec!["python3", "a b.py", "--x", ""]
        );
    }

    fn opts(dir: &Path) -> Options<'_> {
        Options {
            port: 8080,
            build_dir: dir,
            missing_is_failure: false,
            sandbox: None,
        }
    }

    #[test]
    fn reference_programs_get_the_port() {
        let d = tempfile::tempdir().unwrap();
        let o = Options {
            port: 9000,
            ..opts(d.path())
        };
        match prepare("ref:q3-server --start receive", Side::Server, o) {
            Ok(Prepared::Ready { argv, .. }) => assert_eq!(
                argv[1..],
                [
                    "reference",
                    "q3-server",
                    "--port",
                    "9000",
                    "--start",
                    "receive"
                ]
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            prepare("ref:nope", Side::Server, o),
            Err(Refused::Usage(m)) if m.contains("unknown reference program")
        ));
    }

    fn problem(r: Result<Prepared, Refused>) -> SubmissionProblem {
        match r {
            Err(Refused::Problem(p)) => *p,
            other => panic!("{other:?}"),
        }
    }

    fn usage(r: Result<Prepared, Refused>) -> String {
        match r {
            Err(Refused::Usage(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn c_compile_errors_are_a_submission_problem() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("bad.c");
        std::fs::write(&src, "int main(void) { return x; }\n").unwrap();
        let p = problem(prepare(src.to_str().unwrap(), Side::Server, opts(d.path())));
        assert_eq!(p.kind, ProblemKind::DoesNotCompile);
        assert_eq!(p.code().as_str(), "compile-error");
        assert!(p.detail.contains("error: 'x' undeclared"), "{}", p.detail);
        assert_eq!(p.found, ["bad.c"]);
    }

    #[test]
    fn python_that_does_not_parse_is_a_submission_problem_and_leaves_no_cache() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("old.py");
        std::fs::write(&src, "import socket\nprint 'hello'\n").unwrap();
        for spec in [
            src.display().to_string(),
            format!("python3 -u {}", src.display()),
        ] {
            let p = problem(prepare(&spec, Side::Client, opts(d.path())));
            assert_eq!((p.kind, p.side), (ProblemKind::DoesNotParse, Side::Client));
            assert!(p.detail.contains("SyntaxError"), "{}", p.detail);
            let hint = p.diagnosis().hint.unwrap();
            assert!(grade_core::msg::Lang::default()
                .msg(&hint)
                .contains("Python 2"));
        }
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the student's file: {left:?}");
    }

    #[test]
    fn an_empty_file_is_a_submission_problem() {
        let d = tempfile::tempdir().unwrap();
        for name in ["empty.py", "empty.c"] {
            let src = d.path().join(name);
            std::fs::write(&src, " \n\n").unwrap();
            let p = problem(prepare(src.to_str().unwrap(), Side::Server, opts(d.path())));
            assert_eq!(p.kind, ProblemKind::Empty);
        }
    }

    #[test]
    fn what_is_no_program_is_a_usage_error_naming_it() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let o = opts(d.path());
        let plain = d.path().join("plain");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let dir = d.path().display().to_string();
        let missing = d.path().join("nope.py").display().to_string();
        let cases = [
            (missing.clone(), "no such file"),
            (format!("python3 {missing}"), "no such file"),
            (dir.clone(), "is a directory"),
            (format!("python3 {dir}"), "is a directory"),
            (plain.display().to_string(), "is not executable"),
            ("".into(), "--server is empty"),
            ("  ".into(), "--server is empty"),
            ("no-such-command-here".into(), "nor a command"),
        ];
        for (spec, want) in cases {
            let m = usage(prepare(&spec, Side::Server, o));
            assert!(m.contains(want), "{spec:?}: {m}");
            assert!(m.starts_with("--server"), "{m}");
        }
        // Commands and code on the command line are not files to check.
        for spec in ["sleep 100", "python3 -c 'print(1)'", "sh -c 'exit 0'"] {
            assert!(prepare(spec, Side::Server, o).is_ok(), "{spec}");
        }
    }

    #[test]
    fn with_missing_is_failure_a_missing_program_is_a_submission_problem() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("server.py"), "x = 1\n").unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/client.py"), "x = 1\n").unwrap();
        std::fs::write(d.path().join(".hidden"), "").unwrap();
        let o = Options {
            missing_is_failure: true,
            ..opts(d.path())
        };
        let missing = d.path().join("serveur.py");
        let p = problem(prepare(missing.to_str().unwrap(), Side::Server, o));
        assert_eq!(p.kind, ProblemKind::Missing);
        assert_eq!(p.found, ["server.py", "sub/client.py"]);
        assert!(grade_core::msg::Lang::default()
            .msg(&p.diagnosis().message)
            .ends_with("serveur.py not found in the submission; found: server.py, sub/client.py"));
        assert_eq!(
            problem(prepare("", Side::Client, o)).kind,
            ProblemKind::Missing
        );
        // Still usage: a directory is no missing file.
        assert!(matches!(
            prepare(d.path().to_str().unwrap(), Side::Server, o),
            Err(Refused::Usage(_))
        ));
    }

    #[test]
    fn found_is_bounded_and_sorted() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..(FOUND_MAX + 5) {
            std::fs::write(d.path().join(format!("f{i:02}.txt")), "").unwrap();
        }
        let (found, more) = found_beside(&d.path().join("x.py"));
        assert_eq!((found.len(), more), (FOUND_MAX, 5));
        assert!(found.windows(2).all(|w| w[0] < w[1]));
    }
}

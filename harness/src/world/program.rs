//! What `--server PROG` names, made runnable once per grading run: a path, a
//! command line, a `.py` file (run with the real python3, not a shim), a `.c`
//! file (compiled once), or `ref:NAME` (a built-in reference program).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A program ready to start, or the reason it cannot be.
#[derive(Debug, Clone)]
pub enum Prepared {
    Ready {
        argv: Vec<String>,
        display: String,
    },
    Failed {
        code: &'static str,
        detail: String,
        display: String,
    },
}

impl Prepared {
    pub fn display(&self) -> &str {
        match self {
            Prepared::Ready { display, .. } | Prepared::Failed { display, .. } => display,
        }
    }
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

/// Prepares `spec`; `build_dir` receives compiled programs; `port` is passed
/// to reference programs.
pub fn prepare(spec: &str, port: u16, build_dir: &Path) -> Prepared {
    let display = spec.to_string();
    let failed = |code, detail: String| Prepared::Failed {
        code,
        detail,
        display: display.clone(),
    };
    if let Some(rest) = spec.strip_prefix("ref:") {
        let mut words = split_words(rest);
        if words.is_empty() || words[0].parse::<reference::Program>().is_err() {
            return failed("bad-program", format!("unknown reference program `{rest}`"));
        }
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "grade".into());
        let mut argv = vec![
            exe,
            "reference".into(),
            words.remove(0),
            "--port".into(),
            port.to_string(),
        ];
        argv.extend(words);
        return Prepared::Ready { argv, display };
    }
    let path = Path::new(spec);
    let mut words = if path.exists() {
        vec![spec.to_string()]
    } else {
        split_words(spec)
    };
    if words.is_empty() {
        return failed("bad-program", "empty command".into());
    }
    // Arguments that name files of the caller's directory must still name
    // them from the program's fresh working directory.
    for w in words.iter_mut() {
        let p = Path::new(w.as_str());
        if p.exists() && (w.contains('/') || p.is_file()) {
            *w = absolute(p).display().to_string();
        }
    }
    let first = words[0].clone();
    if first == "python3" || first == "python" {
        if let Some(py) = python3() {
            words[0] = py.to_string();
        }
        return Prepared::Ready {
            argv: words,
            display,
        };
    }
    if first.ends_with(".py") {
        if !Path::new(&first).is_file() {
            return failed("bad-program", format!("{first}: no such file"));
        }
        let Some(py) = python3() else {
            return failed("bad-program", "python3 not found".into());
        };
        words.insert(0, py.to_string());
        return Prepared::Ready {
            argv: words,
            display,
        };
    }
    if first.ends_with(".c") {
        if !Path::new(&first).is_file() {
            return failed("bad-program", format!("{first}: no such file"));
        }
        return match compile_c(Path::new(&first), build_dir) {
            Ok(exe) => {
                words[0] = exe.display().to_string();
                Prepared::Ready {
                    argv: words,
                    display,
                }
            }
            Err(errors) => failed("compile-error", errors),
        };
    }
    if first.contains('/') && !Path::new(&first).exists() {
        return failed("bad-program", format!("{first}: no such file"));
    }
    Prepared::Ready {
        argv: words,
        display,
    }
}

/// Compiles a C file with `cc -Wall`; on failure, the compiler's first errors.
fn compile_c(src: &Path, build_dir: &Path) -> Result<PathBuf, String> {
    let stem = src
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "prog".into());
    let exe = build_dir.join(stem);
    let out = Command::new("cc")
        .env("LC_ALL", "C")
        .arg("-Wall")
        .arg("-O1")
        .arg("-o")
        .arg(&exe)
        .arg(src)
        .output()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if out.status.success() {
        return Ok(exe);
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("error:"))
        .take(5)
        .collect();
    let shown = if errors.is_empty() {
        text.lines().take(5).collect::<Vec<_>>()
    } else {
        errors
    };
    Err(shown.join("\n"))
}

/// The minimal environment every program under test gets: nothing of the caller's.
pub fn environment(home: &Path) -> Vec<(String, String)> {
    vec![
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("HOME".into(), home.display().to_string()),
        ("LANG".into(), "C.UTF-8".into()),
        ("TERM".into(), "xterm".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_quoted_words() {
        assert_eq!(
            split_words("python3 'a b.py' --x \"\""),
            vec!["python3", "a b.py", "--x", ""]
        );
    }

    #[test]
    fn reference_programs_get_the_port() {
        let d = tempfile::tempdir().unwrap();
        match prepare("ref:q3-server --start receive", 9000, d.path()) {
            Prepared::Ready { argv, .. } => assert_eq!(
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
            prepare("ref:nope", 1, d.path()),
            Prepared::Failed {
                code: "bad-program",
                ..
            }
        ));
    }

    #[test]
    fn c_compile_errors_are_reported() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("bad.c");
        std::fs::write(&src, "int main(void) { return x; }\n").unwrap();
        match prepare(src.to_str().unwrap(), 8080, d.path()) {
            Prepared::Failed { code, detail, .. } => {
                assert_eq!(code, "compile-error");
                assert!(detail.contains("error: 'x' undeclared"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
    }
}

//! A submission problem: the student's program cannot be graded at all
//! (missing, empty, does not parse, does not compile, ambiguous). Found
//! while the programs are prepared, before any scenario runs; the scenarios
//! it concerns are not run, and every report shows it once, with what the
//! submission holds instead ("found: …").

use crate::diagnosis::{list, Code, Diagnosis};
use crate::msg::{Arg, Msg};
use crate::scenario::Side;

/// What is wrong with the submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// No such file (or no program given), with `--missing-is-failure`.
    Missing,
    /// The file holds nothing but white space.
    Empty,
    /// Python refuses the file (`compile()` raises SyntaxError).
    DoesNotParse,
    /// The C compiler refuses the file.
    DoesNotCompile,
    /// Several files could be the program (course platforms, batch).
    Ambiguous,
}

/// Files listed in "found: …" at most; the rest are counted.
pub const FOUND_MAX: usize = 20;

/// One program of the submission that cannot be graded.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionProblem {
    pub kind: ProblemKind,
    pub side: Side,
    /// The program as given (`serveur.py`, `python3 serveur.py`).
    pub program: String,
    /// The file at fault, as given (the script of a command line).
    pub file: String,
    /// What the interpreter or compiler said; the candidates when ambiguous.
    pub detail: String,
    /// Files in the folder where the program was expected (relative,
    /// sorted, at most `FOUND_MAX`), and how many more there were.
    pub found: Vec<String>,
    pub found_more: usize,
    /// Ids of the scenarios it kept from running (set by the grading run).
    pub scenarios: Vec<String>,
}

impl SubmissionProblem {
    /// The diagnosis code (contract: `compile-error` and `syntax-error` are
    /// the codes a failed start always had).
    pub fn code(&self) -> Code {
        match self.kind {
            ProblemKind::Missing => Code::MissingProgram,
            ProblemKind::Empty => Code::EmptyProgram,
            ProblemKind::DoesNotParse => Code::SyntaxError,
            ProblemKind::DoesNotCompile => Code::CompileError,
            ProblemKind::Ambiguous => Code::AmbiguousProgram,
        }
    }

    /// `server.py, client.py, … (3 more)`, or `nothing`.
    pub fn found_msg(&self) -> Arg {
        if self.found.is_empty() {
            return Msg::new("submission-found-nothing").into();
        }
        let files = list(self.found.iter().map(Arg::from).collect(), "list-comma");
        if self.found_more > 0 {
            return Msg::new("submission-found-more")
                .arg("files", files)
                .arg("n", self.found_more)
                .into();
        }
        files
    }

    /// What the reports say: the first line names the file and the
    /// problem (`serveur.py not found in the submission; found: …`).
    pub fn diagnosis(&self) -> Diagnosis {
        let head = self.headline(true);
        let message = if self.has_detail_block() {
            Msg::new("submission-with-detail")
                .arg("headline", head)
                .arg("detail", &self.detail)
        } else {
            head
        };
        Diagnosis::new(self.code(), message, self.hint())
    }

    /// Python's and the compiler's messages follow the headline on lines
    /// of their own.
    fn has_detail_block(&self) -> bool {
        matches!(
            self.kind,
            ProblemKind::DoesNotParse | ProblemKind::DoesNotCompile
        )
    }

    /// The message's first line (`whole`: with all of the candidates of
    /// an ambiguous program, not just their first line).
    fn headline(&self, whole: bool) -> Msg {
        let file = || self.file.as_str();
        let side = match self.side {
            Side::Server => "actor-server",
            Side::Client => "actor-client",
        };
        match self.kind {
            ProblemKind::Missing if self.file.is_empty() => Msg::new("submission-missing-side")
                .arg("side", Msg::new(side))
                .arg("found", self.found_msg()),
            ProblemKind::Missing => Msg::new("submission-missing")
                .arg("file", file())
                .arg("found", self.found_msg()),
            ProblemKind::Empty => Msg::new("submission-empty")
                .arg("file", file())
                .arg("found", self.found_msg()),
            ProblemKind::DoesNotParse => Msg::new("submission-does-not-parse").arg("file", file()),
            ProblemKind::DoesNotCompile => {
                Msg::new("submission-does-not-compile").arg("file", file())
            }
            ProblemKind::Ambiguous => Msg::new("submission-ambiguous").arg("file", file()).arg(
                "candidates",
                if whole {
                    self.detail.as_str()
                } else {
                    self.detail.lines().next().unwrap_or("")
                },
            ),
        }
    }

    fn hint(&self) -> Msg {
        match self.kind {
            ProblemKind::Missing if self.file.is_empty() => {
                Msg::new("hint-submission-missing-side")
            }
            ProblemKind::Missing => Msg::new("hint-submission-missing").arg("file", &self.file),
            ProblemKind::Empty => Msg::new("hint-submission-empty"),
            ProblemKind::DoesNotParse => match python2_idiom(&self.detail) {
                Some((k, line)) => k.hint(&line),
                None if python2(&self.detail) => Msg::new("hint-python2"),
                None => Msg::new("hint-submission-does-not-parse").arg("file", &self.file),
            },
            ProblemKind::DoesNotCompile => Msg::new("hint-compile-error"),
            ProblemKind::Ambiguous => Msg::new("hint-submission-ambiguous"),
        }
    }

    /// The one line that stands for each scenario it kept from running.
    pub fn not_run(&self) -> Diagnosis {
        Diagnosis::without_hint(
            self.code(),
            Msg::new("submission-not-run").arg("problem", self.headline(false)),
        )
    }
}

/// Python 3's message for Python 2 code (`print x`, `exec "…"`), or a
/// Python 2 idiom in a source line the traceback quotes.
pub fn python2(message: &str) -> bool {
    message.contains("Missing parentheses in call to 'print'")
        || message.contains("Missing parentheses in call to 'exec'")
        || python2_idiom(message).is_some()
}

/// A Python 2 idiom that Python 3 refuses (or, `raw_input`, does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Py2 {
    /// `print x`, `print >>f, x`.
    Print,
    /// `except socket.error, e:`.
    ExceptComma,
    /// `raw_input()`: a NameError at run time.
    RawInput,
    /// `` `x` `` for `repr(x)`.
    Backticks,
    /// `0777` for `0o777`.
    Octal,
    /// `exec "…"`.
    Exec,
}

impl Py2 {
    /// The hint that names it.
    pub fn hint(self, line: &str) -> Msg {
        let id = match self {
            Py2::Print => "hint-py2-print",
            Py2::ExceptComma => "hint-py2-except",
            Py2::RawInput => "hint-py2-raw-input",
            Py2::Backticks => "hint-py2-backticks",
            Py2::Octal => "hint-py2-octal",
            Py2::Exec => "hint-py2-exec",
        };
        Msg::new(id).arg("line", line.trim())
    }
}

/// The first source line a traceback quotes (the line after each `File
/// "…", line N`) that holds a Python 2 idiom, and the idiom. Matching the
/// source, not Python's message, which changes between versions.
pub fn python2_idiom(traceback: &str) -> Option<(Py2, String)> {
    let lines: Vec<&str> = traceback.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].trim_start().starts_with("File \"") && w[0].contains(", line "))
        .find_map(|w| idiom(w[1]).map(|k| (k, w[1].trim().to_string())))
}

/// The Python 2 idiom of one source line.
fn idiom(line: &str) -> Option<Py2> {
    let l = line.trim();
    let word = |w: &str| {
        l.strip_prefix(w)
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '>', '"', '\'']))
            .map(str::trim_start)
    };
    if word("print").is_some_and(|rest| !rest.starts_with('(') && !rest.starts_with('=')) {
        return Some(Py2::Print);
    }
    if word("exec").is_some_and(|rest| !rest.starts_with('(')) {
        return Some(Py2::Exec);
    }
    if word("except").is_some_and(except_comma) {
        return Some(Py2::ExceptComma);
    }
    let code = outside_strings(l);
    if code.contains("raw_input") {
        return Some(Py2::RawInput);
    }
    if code.contains('`') {
        return Some(Py2::Backticks);
    }
    octal(&code).then_some(Py2::Octal)
}

/// `except A, e:` or `except (A, B), e:` (not `except (A, B):`).
fn except_comma(rest: &str) -> bool {
    let after_group = if rest.starts_with('(') {
        rest.find(')').map_or("", |k| &rest[k + 1..])
    } else {
        rest
    };
    after_group.contains(',') && !rest.contains(" as ")
}

/// The line with its string literals blanked out (and a comment dropped).
fn outside_strings(l: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in l.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => break,
            None => out.push(c),
        }
    }
    out
}

/// A number written `0` then octal digits (`0777`), not `0`, `0.5`, `10`.
fn octal(code: &str) -> bool {
    let b = code.as_bytes();
    (0..b.len()).any(|k| {
        let starts = b[k] == b'0'
            && (k == 0
                || !(b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_' || b[k - 1] == b'.'));
        let digits = b[k + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let end = b.get(k + 1 + digits);
        starts
            && digits > 0
            && b[k + 1..k + 1 + digits].iter().any(|&c| c != b'0')
            && !end.is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::testkit::{en, fr, says};

    fn problem(kind: ProblemKind, found: &[&str], more: usize) -> SubmissionProblem {
        SubmissionProblem {
            kind,
            side: Side::Server,
            program: "serveur.py".into(),
            file: "serveur.py".into(),
            detail: "  File \"serveur.py\", line 3\n    print data\nSyntaxError: Missing parentheses in call to 'print'".into(),
            found: found.iter().map(|s| s.to_string()).collect(),
            found_more: more,
            scenarios: vec![],
        }
    }

    #[test]
    fn a_missing_file_names_what_the_submission_holds() {
        let p = problem(ProblemKind::Missing, &["client.py", "server.py"], 0);
        let d = p.diagnosis();
        assert_eq!(d.code, Code::MissingProgram);
        says(
            &d.message,
            "serveur.py not found in the submission; found: client.py, server.py",
            "serveur.py introuvable dans le rendu\u{202f}; trouvé\u{a0}: client.py, server.py",
        );
        let none = problem(ProblemKind::Missing, &[], 0);
        assert!(en(&none.diagnosis().message).ends_with("found: nothing"));
        let many = problem(ProblemKind::Missing, &["a"], 7);
        assert!(en(&many.diagnosis().message).ends_with("found: a, … (7 more)"));
        let mut no_file = problem(ProblemKind::Missing, &[], 0);
        no_file.file.clear();
        assert_eq!(
            fr(&no_file.diagnosis().message),
            "aucun programme serveur dans le rendu\u{202f}; trouvé\u{a0}: rien"
        );
    }

    #[test]
    fn codes_of_a_failed_start_are_kept() {
        assert_eq!(
            problem(ProblemKind::DoesNotCompile, &[], 0).code(),
            Code::CompileError
        );
        let p = problem(ProblemKind::DoesNotParse, &[], 0);
        assert_eq!(p.code(), Code::SyntaxError);
        assert!(en(p.diagnosis().hint.as_ref().unwrap()).contains("Python 2"));
        assert_eq!(
            en(&p.diagnosis().message),
            format!("Python refuses serveur.py:\n{}", p.detail)
        );
        assert_eq!(
            en(&p.not_run().message),
            "not run: Python refuses serveur.py:"
        );
        assert_eq!(p.not_run().hint, None);
    }

    #[test]
    fn an_ambiguous_program_names_its_candidates() {
        let mut p = problem(ProblemKind::Ambiguous, &[], 0);
        p.detail = "a/serveur.py, b/serveur.py\nand more".into();
        assert_eq!(
            en(&p.diagnosis().message),
            "several files could be serveur.py: a/serveur.py, b/serveur.py\nand more"
        );
        assert_eq!(
            en(&p.not_run().message),
            "not run: several files could be serveur.py: a/serveur.py, b/serveur.py"
        );
    }

    #[test]
    fn python2_idioms_are_named_from_the_quoted_line() {
        let quoted = |src: &str| python2_idiom(&format!("  File \"c.py\", line 4\n{src}\n"));
        let kind = |src: &str| quoted(src).map(|(k, _)| k);
        assert_eq!(kind("    print data,"), Some(Py2::Print));
        assert_eq!(kind("    print >>sys.stderr, \"x\""), Some(Py2::Print));
        assert_eq!(kind("except socket.error, e:"), Some(Py2::ExceptComma));
        assert_eq!(
            kind("except (OSError, IOError), e:"),
            Some(Py2::ExceptComma)
        );
        assert_eq!(kind("  ligne = raw_input('> ')"), Some(Py2::RawInput));
        assert_eq!(kind("  s.send(`n`)"), Some(Py2::Backticks));
        assert_eq!(kind("  os.chmod(f, 0777)"), Some(Py2::Octal));
        assert_eq!(kind("  exec \"x = 1\""), Some(Py2::Exec));
        // Python 3: nothing.
        for ok in [
            "print(data)",
            "print (data)",
            "printer = 1",
            "except (OSError, IOError):",
            "except socket.error as e:",
            "x = input('raw_input `0777`')",
            "os.chmod(f, 0o777); x = 0; y = 10.05; z = 007.5",
            "n = 100",
        ] {
            assert_eq!(kind(ok), None, "{ok}");
        }
        // Only a line the traceback quotes counts, not the program's output.
        assert_eq!(python2_idiom("print data\nexcept socket.error, e:"), None);
        assert_eq!(
            quoted("    except socket.error, e:").unwrap().1,
            "except socket.error, e:"
        );
        let mut p = problem(ProblemKind::DoesNotParse, &[], 0);
        p.detail =
            "  File \"s.py\", line 9\n    except socket.error, e:\n    ^\nSyntaxError: x".into();
        says(
            p.diagnosis().hint.as_ref().unwrap(),
            "this is Python 2 syntax: `except socket.error, e:`: in Python 3 write except socket.error as e:",
            "c'est de la syntaxe Python 2\u{a0}: `except socket.error, e:`\u{a0}: en Python 3, écrivez except socket.error as e:",
        );
    }
}

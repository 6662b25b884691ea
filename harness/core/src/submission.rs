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
            ProblemKind::DoesNotParse if python2(&self.detail) => Msg::new("hint-python2"),
            ProblemKind::DoesNotParse => {
                Msg::new("hint-submission-does-not-parse").arg("file", &self.file)
            }
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

/// Python 3's message for Python 2 code: `print x`, `exec "…"`.
pub fn python2(message: &str) -> bool {
    message.contains("Missing parentheses in call to 'print'")
        || message.contains("Missing parentheses in call to 'exec'")
        || message
            .lines()
            .any(|l| l.trim_start().starts_with("print ") && !l.contains('('))
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
}

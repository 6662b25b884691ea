//! A submission problem: the student's program cannot be graded at all
//! (missing, empty, does not parse, does not compile, ambiguous). Found
//! while the programs are prepared, before any scenario runs; the scenarios
//! it concerns are not run, and every report shows it once, with what the
//! submission holds instead ("found: …").

use crate::scenario::{Lang, Side, Text};
use crate::verdict::{t, Diagnosis};

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
    pub fn code(&self) -> &'static str {
        match self.kind {
            ProblemKind::Missing => "missing-program",
            ProblemKind::Empty => "empty-program",
            ProblemKind::DoesNotParse => "syntax-error",
            ProblemKind::DoesNotCompile => "compile-error",
            ProblemKind::Ambiguous => "ambiguous-program",
        }
    }

    /// `server.py, client.py, … (3 more)`, or `nothing`.
    pub fn found_text(&self, lang: &Lang) -> String {
        if self.found.is_empty() {
            return if lang.code() == "fr" {
                "rien".into()
            } else {
                "nothing".into()
            };
        }
        let mut s = self.found.join(", ");
        if self.found_more > 0 {
            s.push_str(&if lang.code() == "fr" {
                format!(", … ({} de plus)", self.found_more)
            } else {
                format!(", … ({} more)", self.found_more)
            });
        }
        s
    }

    /// What the reports say: the first line names the file and the
    /// problem (`serveur.py not found in the submission; found: …`).
    pub fn diagnosis(&self) -> Diagnosis {
        let f = &self.file;
        let side = self.side.name();
        let side_fr = match self.side {
            Side::Server => "serveur",
            Side::Client => "client",
        };
        let (en, fr) = (
            self.found_text(&Lang::builtin("en")),
            self.found_text(&Lang::builtin("fr")),
        );
        let d = &self.detail;
        let (message, hint) = match self.kind {
            ProblemKind::Missing if f.is_empty() => (
                t(
                    format!("no {side} program in the submission; found: {en}"),
                    format!("aucun programme {side_fr} dans le rendu ; trouvé : {fr}"),
                ),
                t(
                    "submit the program the assignment asks for",
                    "rendez le programme que demande l'énoncé",
                ),
            ),
            ProblemKind::Missing => (
                t(
                    format!("{f} not found in the submission; found: {en}"),
                    format!("{f} introuvable dans le rendu ; trouvé : {fr}"),
                ),
                t(
                    format!("name the file {f}, as the assignment asks"),
                    format!("nommez le fichier {f}, comme le demande l'énoncé"),
                ),
            ),
            ProblemKind::Empty => (
                t(
                    format!("{f} is empty; found: {en}"),
                    format!("{f} est vide ; trouvé : {fr}"),
                ),
                t(
                    "submit the file with its code (was it saved before uploading?)",
                    "rendez le fichier avec son code (était-il enregistré avant l'envoi ?)",
                ),
            ),
            ProblemKind::DoesNotParse => (
                t(
                    format!("Python refuses {f}:\n{d}"),
                    format!("Python refuse {f} :\n{d}"),
                ),
                if python2(d) {
                    t(
                        "this is Python 2 syntax: write print(x), not print x, and input() rather than raw_input()",
                        "c'est de la syntaxe Python 2 : écrivez print(x) et non print x, et input() plutôt que raw_input()",
                    )
                } else {
                    t(
                        format!("run `python3 {f}` and fix the line it names"),
                        format!("lancez `python3 {f}` et corrigez la ligne indiquée"),
                    )
                },
            ),
            ProblemKind::DoesNotCompile => (
                t(
                    format!("{f} does not compile:\n{d}"),
                    format!("{f} ne compile pas :\n{d}"),
                ),
                t(
                    "fix the first error the compiler reports, then try again",
                    "corrigez la première erreur signalée par le compilateur, puis réessayez",
                ),
            ),
            ProblemKind::Ambiguous => (
                t(
                    format!("several files could be {f}: {d}"),
                    format!("plusieurs fichiers pourraient être {f} : {d}"),
                ),
                t(
                    "keep only one of them in the submission",
                    "n'en gardez qu'un seul dans le rendu",
                ),
            ),
        };
        crate::verdict::diag(self.code(), message, hint)
    }

    /// The one line that stands for each scenario it kept from running.
    pub fn not_run(&self) -> Text {
        let first = |s: &str| s.lines().next().unwrap_or("").to_string();
        let d = self.diagnosis();
        t(
            format!("not run: {}", first(d.message.in_lang("en"))),
            format!("non lancé : {}", first(d.message.in_lang("fr"))),
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
        assert_eq!(d.code, "missing-program");
        assert_eq!(
            d.message.in_lang("en"),
            "serveur.py not found in the submission; found: client.py, server.py"
        );
        assert!(
            d.message.in_lang("fr").contains("introuvable")
                && d.message.in_lang("fr").contains("trouvé :")
        );
        let none = problem(ProblemKind::Missing, &[], 0);
        assert!(none
            .diagnosis()
            .message
            .in_lang("en")
            .ends_with("found: nothing"));
        let many = problem(ProblemKind::Missing, &["a"], 7);
        assert!(many
            .diagnosis()
            .message
            .in_lang("en")
            .ends_with("found: a, … (7 more)"));
    }

    #[test]
    fn codes_of_a_failed_start_are_kept() {
        assert_eq!(
            problem(ProblemKind::DoesNotCompile, &[], 0).code(),
            "compile-error"
        );
        let p = problem(ProblemKind::DoesNotParse, &[], 0);
        assert_eq!(p.code(), "syntax-error");
        assert!(p.diagnosis().hint.in_lang("en").contains("Python 2"));
        assert!(p
            .not_run()
            .in_lang("en")
            .starts_with("not run: Python refuses serveur.py:"));
    }
}

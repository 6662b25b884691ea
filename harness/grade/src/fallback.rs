//! When grading cannot start (a usage error, exit 2, or the grader's own
//! environment, exit 3), the grading platforms still get their results
//! file: a platform that finds none says "the autograder failed" and shows
//! the student nothing useful. Every platform format the command line asks
//! for (`--format`, `--output`, `--report FORMAT=FILE`), read leniently
//! from the raw arguments since they may be what is wrong, is written with
//! score 0 and the cause: Gradescope's `results.json`, PrairieLearn's
//! (`gradable: false` on an environment error, so that the attempt does not
//! count against the student), Autolab's scores line, GitHub Classroom's
//! runner result (one `error` test saying why, `max_score` 0: the reporter
//! prints the cause and fails; also `result=` in `$GITHUB_OUTPUT`).

use crate::msg::{Lang, Msg};
use serde_json::json;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

/// Why grading could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Usage,
    Environment,
}

/// A platform format asked for, and where it goes (`None`: standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub format: &'static str,
    pub path: Option<PathBuf>,
}

const PLATFORMS: [&str; 4] = ["gradescope", "prairielearn", "autolab", "classroom"];

/// The value of `--name V` or `--name=V` at `args[k]` (and how many
/// arguments it took).
fn value<'a>(args: &'a [String], k: usize, name: &str) -> Option<(&'a str, usize)> {
    let a = args[k].as_str();
    if a == name {
        return args.get(k + 1).map(|v| (v.as_str(), 2));
    }
    a.strip_prefix(name)
        .and_then(|r| r.strip_prefix('='))
        .map(|v| (v, 1))
}

/// The platform formats `args` ask for. The main report goes to `--output`
/// (else standard output); each `--report FORMAT=FILE` to its file (`-`:
/// standard output). One document at most on standard output.
pub fn targets(args: &[String]) -> Vec<Target> {
    let (mut format, mut output) = (None, None);
    let mut more = Vec::new();
    let mut k = 0;
    while k < args.len() {
        if let Some((v, n)) = value(args, k, "--format") {
            format = Some(v.to_string());
            k += n;
        } else if let Some((v, n)) = value(args, k, "--output") {
            output = Some(PathBuf::from(v));
            k += n;
        } else if let Some((v, n)) = value(args, k, "--report") {
            if let Some((f, p)) = v.split_once('=') {
                more.push((f.to_string(), (p != "-").then(|| PathBuf::from(p))));
            }
            k += n;
        } else if args[k] == "--" {
            break;
        } else {
            k += 1;
        }
    }
    let mut out: Vec<Target> = Vec::new();
    let all = format.map(|f| (f, output)).into_iter().chain(more);
    for (f, path) in all {
        let Some(format) = PLATFORMS.iter().find(|p| **p == f) else {
            continue;
        };
        let stdout_taken = path.is_none() && out.iter().any(|t| t.path.is_none());
        if !stdout_taken && !out.iter().any(|t| t.format == *format && t.path == path) {
            out.push(Target { format, path });
        }
    }
    out
}

/// The questions `-q`/`--question` name, else all four (Autolab's keys).
fn questions(args: &[String]) -> Vec<String> {
    let mut qs = Vec::new();
    for k in 0..args.len() {
        for name in ["-q", "--question"] {
            if let Some((v, _)) = value(args, k, name) {
                qs.extend(v.split(',').map(|q| q.trim().to_lowercase()));
            }
        }
    }
    qs.retain(|q| ["q1", "q2", "q3", "q4"].contains(&q.as_str()));
    if qs.is_empty() {
        qs = ["q1", "q2", "q3", "q4"].map(String::from).to_vec();
    }
    qs.dedup();
    qs
}

/// The document of `format` saying that nothing was graded, and why.
pub fn document(format: &str, args: &[String], cause: Cause, why: &str, lang: &Lang) -> String {
    let text = lang.msg(&Msg::new("report-not-graded").arg("cause", why));
    let doc = match format {
        "gradescope" => json!({
            "execution_time": 0,
            "extra_data": {"not_graded": why},
            "output": text,
            "output_format": "text",
            "score": 0.0,
            "test_name_format": "text",
            "test_output_format": "text",
            "tests": [],
        }),
        "prairielearn" => json!({
            "gradable": cause != Cause::Environment,
            "message": text,
            "output": "",
            "score": 0.0,
            "tests": [],
        }),
        "classroom" => {
            use crate::report::classroom::{base64, RunnerResult, Test};
            let doc = RunnerResult {
                version: 1,
                status: "error".into(),
                max_score: 0.0,
                tests: vec![Test {
                    name: "grade".into(),
                    status: "error".into(),
                    message: Some(text),
                    test_code: String::new(),
                    filename: String::new(),
                    line_no: 0,
                    execution_time: "0s".into(),
                    score: 0.0,
                }],
            };
            let json = serde_json::to_vec(&doc).expect("a runner result is JSON");
            return format!("{}\n", base64(&json));
        }
        _ => {
            let scores: serde_json::Map<String, serde_json::Value> = questions(args)
                .into_iter()
                .map(|q| (q, json!(0.0)))
                .collect();
            // Autolab reads the last line of the output.
            return format!("{text}\n{}\n", json!({ "scores": scores }));
        }
    };
    format!("{doc:#}\n")
}

/// Writes every platform document `args` ask for; a path that cannot be
/// written is skipped (the error is already being reported).
pub fn write_all(args: &[OsString], cause: Cause, why: &str, lang: &Lang) {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    for t in targets(&args) {
        let doc = document(t.format, &args, cause, why, lang);
        if t.format == "classroom" {
            if let Some(out) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
                let _ = crate::reporting::append_output(out.as_ref(), doc.trim_end());
            }
        }
        match &t.path {
            Some(p) => {
                let _ = std::fs::write(p, doc);
            }
            None => {
                let _ = std::io::stdout().write_all(doc.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn finds_the_platform_formats_asked_for() {
        let t = targets(&args(
            "--server x.py --format gradescope --output /r/results.json --report prairielearn=pl.json --report junit=j.xml --report=autolab=-",
        ));
        assert_eq!(
            t,
            [
                Target {
                    format: "gradescope",
                    path: Some("/r/results.json".into())
                },
                Target {
                    format: "prairielearn",
                    path: Some("pl.json".into())
                },
                Target {
                    format: "autolab",
                    path: None
                },
            ]
        );
        // One document on standard output at most; not a platform: nothing.
        let t = targets(&args("--format=gradescope --report autolab=-"));
        assert_eq!(t.len(), 1);
        assert!(targets(&args("--format json --output r.json")).is_empty());
        assert!(targets(&args("--format")).is_empty());
    }

    #[test]
    fn each_document_says_nothing_was_graded() {
        let lang = crate::msg::Catalog::builtin().lang("en").unwrap();
        let a = args("-q q2 --format autolab");
        let gs: serde_json::Value = serde_json::from_str(&document(
            "gradescope",
            &a,
            Cause::Usage,
            "no such file",
            &lang,
        ))
        .unwrap();
        assert_eq!(gs["score"], 0.0);
        assert_eq!(
            gs["output"],
            "grade could not grade this submission: no such file"
        );
        let pl = |c| -> serde_json::Value {
            serde_json::from_str(&document("prairielearn", &a, c, "x", &lang)).unwrap()
        };
        assert_eq!(pl(Cause::Environment)["gradable"], false);
        assert_eq!(pl(Cause::Usage)["gradable"], true);
        let cr = document("classroom", &a, Cause::Environment, "no pty", &lang);
        let cr = crate::report::classroom::decode(&cr).expect("base64 of a runner result");
        assert_eq!((cr.status.as_str(), cr.max_score), ("error", 0.0));
        assert_eq!(
            cr.tests[0].message.as_deref(),
            Some("grade could not grade this submission: no pty")
        );
        let al = document("autolab", &a, Cause::Usage, "x", &lang);
        assert_eq!(al.lines().last(), Some(r#"{"scores":{"q2":0.0}}"#));
    }
}

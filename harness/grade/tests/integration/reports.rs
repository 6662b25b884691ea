//! Machine reports and CI templates, through the real `grade` binary: every
//! format of one run is parsed back, and ids, statuses, scores, diagnosis
//! codes and failure counts must agree with the JSON report (the contract)
//! to the last decimal; JUnit validates against `tests/xsd/junit.xsd`; the
//! Gradescope `run_autograder` runs in a directory laid out like
//! `/autograder`.

use crate::refutil::platform::{run_grader, yaml_as_json};
use crate::refutil::tools;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(name: &str) -> String {
    crate::refutil::fixtures_dir()
        .join(name)
        .display()
        .to_string()
}

/// `grade`, run from the harness directory, outside any GitHub Actions the
/// tests themselves may run in.
fn grade() -> Command {
    let mut c = Command::cargo_bin("grade").unwrap();
    c.current_dir(MANIFEST)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    c
}

/// The machine formats a run writes with `--report`, besides JSON. The
/// `github` annotations come on standard output, as in Actions.
const FORMATS: &[(&str, &str)] = &[
    ("junit", "junit.xml"),
    ("gradescope", "gradescope.json"),
    ("prairielearn", "prairielearn.json"),
    ("tap", "report.tap"),
    ("autolab", "autolab.txt"),
    ("markdown", "summary.md"),
    ("classroom", "classroom.b64"),
];

/// One scenario as a format shows it; `None` where the format does not say.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: String,
    passed: bool,
    score: Option<f64>,
    max: Option<f64>,
    code: Option<String>,
    /// The scenario's title, as the format names the test.
    title: Option<String>,
}

/// Totals as a format shows them.
#[derive(Debug, Clone, PartialEq, Default)]
struct Totals {
    score: Option<f64>,
    max: Option<f64>,
    failed: Option<usize>,
    /// Per question: score (and max when given).
    by_question: BTreeMap<String, (f64, Option<f64>)>,
}

struct Run {
    dir: tempfile::TempDir,
    code: i32,
    stdout: String,
}

impl Run {
    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    }
    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }
}

/// Grades once, writing JSON and every other machine format, as in GitHub
/// Actions (step summary to a file, annotations on standard output).
fn run_all(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = grade();
    cmd.args(args)
        .args(["--format", "json", "--output"])
        .arg(dir.path().join("report.json"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", dir.path().join("step-summary.md"))
        .env("GITHUB_OUTPUT", dir.path().join("github-output"));
    for (format, file) in FORMATS {
        cmd.arg("--report")
            .arg(format!("{format}={}", dir.path().join(file).display()));
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        dir,
    }
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `q1.server.split-line — A line in two segments` → (id, title).
fn split_name(name: &str) -> (String, String) {
    let (id, title) = name
        .split_once(" — ")
        .unwrap_or_else(|| panic!("no ` — ` in {name:?}"));
    (id.to_string(), title.to_string())
}

fn from_json(text: &str) -> (Vec<Row>, Totals) {
    let v: Value = serde_json::from_str(text).unwrap();
    let rows: Vec<Row> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Row {
            id: s["id"].as_str().unwrap().into(),
            passed: s["status"] == "pass",
            score: Some(f(&s["score"])),
            max: Some(f(&s["max_score"])),
            code: s["diagnosis"]["code"].as_str().map(Into::into),
            title: s["title"].as_str().map(Into::into),
        })
        .collect();
    let mut by_question = BTreeMap::new();
    for s in v["scenarios"].as_array().unwrap() {
        let e = by_question
            .entry(s["question"].as_str().unwrap().to_string())
            .or_insert((0.0, Some(0.0)));
        e.0 += f(&s["score"]);
        e.1 = e.1.map(|m| m + f(&s["max_score"]));
    }
    for e in by_question.values_mut() {
        *e = (round2(e.0), e.1.map(round2));
    }
    let totals = Totals {
        score: Some(f(&v["score"])),
        max: Some(f(&v["max_score"])),
        failed: Some(rows.iter().filter(|r| !r.passed).count()),
        by_question,
    };
    (rows, totals)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn from_junit(text: &str) -> (Vec<Row>, Totals) {
    let r = quick_junit::Report::deserialize_from_str(text).unwrap();
    let mut rows = Vec::new();
    let mut by_question = BTreeMap::new();
    let mut counted = 0;
    for suite in &r.test_suites {
        let prop = |name: &str| -> f64 {
            let p = suite
                .properties
                .iter()
                .find(|p| p.name.as_str() == name)
                .unwrap_or_else(|| panic!("suite {} has no {name}", suite.name.as_str()));
            p.value.as_str().parse().unwrap()
        };
        by_question.insert(
            suite.name.as_str().to_string(),
            (prop("score"), Some(prop("max_score"))),
        );
        let mut failed = 0;
        for case in &suite.test_cases {
            let (passed, code) = match &case.status {
                quick_junit::TestCaseStatus::Success { .. } => (true, None),
                quick_junit::TestCaseStatus::NonSuccess { ty, .. } => {
                    failed += 1;
                    (false, ty.as_ref().map(|t| t.as_str().to_string()))
                }
                quick_junit::TestCaseStatus::Skipped { .. } => (false, None),
            };
            let id = case.classname.as_ref().unwrap().as_str().to_string();
            // The name is the id and the title, as the other formats have it.
            let (named, title) = split_name(case.name.as_str());
            assert_eq!(named, id, "junit: the name of {id}");
            assert!(
                id.starts_with(suite.name.as_str()),
                "{id} in suite {}",
                suite.name.as_str()
            );
            rows.push(Row {
                id,
                passed,
                score: None,
                max: None,
                code,
                title: Some(title),
            });
        }
        assert_eq!(suite.tests, suite.test_cases.len());
        assert_eq!(suite.failures + suite.errors, failed);
        counted += failed;
    }
    assert_eq!(r.tests, rows.len());
    assert_eq!(r.failures + r.errors, counted);
    let totals = Totals {
        score: None,
        max: None,
        failed: Some(r.failures + r.errors),
        by_question,
    };
    (rows, totals)
}

fn from_gradescope(text: &str) -> (Vec<Row>, Totals) {
    let v: Value = serde_json::from_str(text).unwrap();
    let rows: Vec<Row> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let (id, title) = split_name(t["name"].as_str().unwrap());
            assert_eq!(t["extra_data"]["id"], id.as_str());
            assert!(["visible", "after_due_date"].contains(&t["visibility"].as_str().unwrap()));
            assert!(t["output"].is_string() && t["number"].is_string());
            Row {
                id,
                passed: match t["status"].as_str().unwrap() {
                    "passed" => true,
                    "failed" => false,
                    s => panic!("gradescope status {s}"),
                },
                score: Some(f(&t["score"])),
                max: Some(f(&t["max_score"])),
                code: t["extra_data"]["diagnosis"].as_str().map(Into::into),
                title: Some(title),
            }
        })
        .collect();
    let totals = Totals {
        score: Some(f(&v["score"])),
        max: Some(f(&v["extra_data"]["max_score"])),
        failed: Some(rows.iter().filter(|r| !r.passed).count()),
        by_question: BTreeMap::new(),
    };
    (rows, totals)
}

fn from_prairielearn(text: &str) -> (Vec<Row>, Totals) {
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["gradable"], true);
    let rows: Vec<Row> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let (id, title) = split_name(t["name"].as_str().unwrap());
            let message = t["message"].as_str().unwrap();
            let code = message
                .strip_prefix('[')
                .and_then(|m| m.split_once(']'))
                .map(|(c, _)| c.to_string());
            let (points, max) = (f(&t["points"]), f(&t["max_points"]));
            Row {
                id,
                // PrairieLearn has no status: a test passes with all its points.
                passed: points == max && code.is_none(),
                score: Some(points),
                max: Some(max),
                code,
                title: Some(title),
            }
        })
        .collect();
    let score: f64 = rows.iter().map(|r| r.score.unwrap()).sum();
    let max: f64 = rows.iter().map(|r| r.max.unwrap()).sum();
    let fraction = f(&v["score"]);
    assert!((0.0..=1.0).contains(&fraction));
    assert!(
        (fraction * max - score).abs() < 1e-9,
        "{fraction} × {max} ≠ {score}"
    );
    let totals = Totals {
        score: Some(round2(score)),
        max: Some(round2(max)),
        failed: Some(rows.iter().filter(|r| !r.passed).count()),
        by_question: BTreeMap::new(),
    };
    (rows, totals)
}

/// TAP 13 as `grade` writes it: YAML scalars are JSON strings or numbers.
fn from_tap(text: &str) -> (Vec<Row>, Totals) {
    let mut lines = text.lines().peekable();
    assert_eq!(lines.next(), Some("TAP version 13"));
    let plan = lines.next().unwrap();
    let n: usize = plan.strip_prefix("1..").unwrap().parse().unwrap();
    let mut rows: Vec<Row> = Vec::new();
    let mut totals = Totals::default();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("# score ") {
            let w: Vec<&str> = rest.split(' ').collect();
            assert_eq!(w[1], "max_score");
            totals.score = Some(w[0].parse().unwrap());
            totals.max = Some(w[2].parse().unwrap());
            continue;
        }
        if line.starts_with("# ") {
            continue;
        }
        let (passed, rest) = if let Some(r) = line.strip_prefix("not ok ") {
            (false, r)
        } else if let Some(r) = line.strip_prefix("ok ") {
            (true, r)
        } else {
            panic!("unexpected TAP line {line:?}");
        };
        let (num, desc) = rest.split_once(" - ").unwrap();
        assert_eq!(num.parse::<usize>().unwrap(), rows.len() + 1);
        let (id, title) = split_name(desc);
        let mut row = Row {
            id,
            passed,
            score: None,
            max: None,
            code: None,
            title: Some(title.replace("\\#", "#")),
        };
        if lines.peek() == Some(&"  ---") {
            lines.next();
            let mut yaml: BTreeMap<String, Value> = BTreeMap::new();
            for l in lines.by_ref() {
                if l == "  ..." {
                    break;
                }
                if let Some(item) = l.strip_prefix("    - ") {
                    assert!(serde_json::from_str::<Value>(item).unwrap().is_string());
                    continue;
                }
                let (k, v) = l.strip_prefix("  ").unwrap().split_once(':').unwrap();
                let v = v.trim();
                if !v.is_empty() {
                    yaml.insert(k.into(), serde_json::from_str(v).unwrap());
                }
            }
            assert!(!passed, "a YAML block under a passing test");
            assert_eq!(yaml["id"], row.id.as_str());
            row.score = Some(f(&yaml["score"]));
            row.max = Some(f(&yaml["max_score"]));
            row.code = yaml.get("code").and_then(|c| c.as_str()).map(Into::into);
        }
        rows.push(row);
    }
    assert_eq!(rows.len(), n);
    totals.failed = Some(rows.iter().filter(|r| !r.passed).count());
    (rows, totals)
}

fn from_autolab(text: &str) -> Totals {
    let last = text.lines().last().unwrap();
    let v: Value = serde_json::from_str(last).unwrap();
    let by_question = v["scores"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(q, s)| (q.clone(), (f(s), None)))
        .collect();
    Totals {
        by_question,
        ..Totals::default()
    }
}

/// The Markdown summary: one table row per scenario (`| ✅ | `id` title | 1/1 | … |`).
fn from_markdown(text: &str) -> (Vec<Row>, Totals) {
    let rows: Vec<Row> = text
        .lines()
        .filter(|l| l.starts_with("| ✅") || l.starts_with("| ❌"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let id = cells[1].split('`').nth(1).unwrap().to_string();
            let (score, max) = cells[2].split_once('/').unwrap();
            let code = cells[3].split('`').nth(1).map(Into::into);
            Row {
                id,
                passed: l.starts_with("| ✅"),
                score: Some(score.parse().unwrap()),
                max: Some(max.parse().unwrap()),
                code,
                title: None,
            }
        })
        .collect();
    let totals = Totals {
        failed: Some(rows.iter().filter(|r| !r.passed).count()),
        ..Totals::default()
    };
    (rows, totals)
}

/// A GitHub Classroom runner result read back as the grading reporter
/// reads it (`Buffer.from(env, "base64")`, then `JSON.parse`): decoded by
/// Python's strict base64 and JSON, then, when node is there, the points
/// the reporter posts, computed by node as it computes them.
fn from_classroom(b64: &str, step_output: &str) -> (Vec<Row>, Totals) {
    let line = b64.strip_suffix('\n').expect("one line");
    assert!(!line.contains('\n'), "one line");
    assert!(line.len() <= 64 * 1024, "{} bytes of base64", line.len());
    // The step output the reporter's env gets: `result=<the same line>`.
    assert!(
        step_output
            .lines()
            .any(|l| l.strip_prefix("result=") == Some(line)),
        "{step_output}"
    );
    let v = classroom_json(line);
    assert_eq!(v["version"], 1);
    let tests = v["tests"].as_array().unwrap();
    let rows: Vec<Row> = tests
        .iter()
        .map(|t| {
            let (id, title) = split_name(t["name"].as_str().unwrap());
            let status = t["status"].as_str().unwrap();
            assert!(["pass", "fail", "error"].contains(&status), "{status}");
            assert_eq!(t["line_no"], 0, "the reporter shows `- line N` otherwise");
            assert!(t["filename"].is_string() && t["test_code"].is_string());
            assert!(t["execution_time"].as_str().unwrap().ends_with('s'));
            let code = t["message"].as_str().and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix('[')?.split_once(']'))
                    .map(|(c, _)| c.to_string())
            });
            if status != "pass" {
                let rerun = t["test_code"].as_str().unwrap();
                assert!(rerun.starts_with("grade ") && rerun.contains(&format!("-s {id}")));
            }
            Row {
                id,
                passed: status == "pass",
                score: Some(f(&t["score"])),
                max: None,
                code,
                title: Some(title),
            }
        })
        .collect();
    let any = |w: &str| tests.iter().any(|t| t["status"] == w);
    let status = if any("fail") {
        "fail"
    } else if any("error") {
        "error"
    } else {
        "pass"
    };
    assert_eq!(v["status"], status);
    let max = f(&v["max_score"]);
    assert!(
        max > 0.0,
        "the reporter counts a runner only if max_score > 0"
    );
    let score = rows.iter().map(|r| r.score.unwrap()).sum::<f64>();
    if let Some(node) = tools::require("node", "nodejs") {
        // NotifyClassroom: the sum of the tests' scores over max_score.
        let script = "const r = JSON.parse(Buffer.from(process.env.Q1_RESULTS, 'base64').toString('utf-8'));\
            let t = 0; r.tests.forEach(({score}) => { t += score; });\
            console.log(JSON.stringify([t, r.max_score]));";
        let posted: Value =
            serde_json::from_str(&run_node(&node, script, &[("Q1_RESULTS", line)])).unwrap();
        assert!((f(&posted[0]) - score).abs() < 1e-9, "{posted}");
        assert_eq!(f(&posted[1]), max);
    }
    let totals = Totals {
        score: Some(round2(score)),
        max: Some(max),
        failed: Some(rows.iter().filter(|r| !r.passed).count()),
        by_question: BTreeMap::new(),
    };
    (rows, totals)
}

/// `b64` decoded by Python (`validate=True`: only the base64 alphabet).
fn classroom_json(b64: &str) -> Value {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import base64, json, sys\n\
             print(json.dumps(json.loads(base64.b64decode(sys.argv[1], validate=True).decode('utf-8'))))",
            b64,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `::error file=…,title=id — title::message`: the failures only.
fn from_annotations(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("::error "))
        .map(|l| {
            let (props, message) = l.split_once("::").unwrap();
            let title = props
                .split(',')
                .find_map(|p| p.strip_prefix("title="))
                .unwrap()
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%25", "%");
            let file = props
                .split(',')
                .find_map(|p| p.strip_prefix("file="))
                .map(Into::into);
            assert!(!message.contains('\n'));
            (split_name(&title).0, file)
        })
        .collect()
}

/// Every format of the run agrees with its JSON report.
#[track_caller]
fn check_agreement(run: &Run) -> (Vec<Row>, Totals) {
    let (rows, totals) = from_json(&run.read("report.json"));
    assert!(!rows.is_empty());
    let same = |name: &str, other: &[Row], with_title: bool| {
        assert_eq!(other.len(), rows.len(), "{name}: number of scenarios");
        for (a, b) in rows.iter().zip(other) {
            assert_eq!(a.id, b.id, "{name}: ids in order");
            assert_eq!(a.passed, b.passed, "{name}: status of {}", a.id);
            if let Some(s) = b.score {
                assert_eq!(a.score.unwrap(), s, "{name}: score of {}", a.id);
            }
            if let Some(m) = b.max {
                assert_eq!(a.max.unwrap(), m, "{name}: max of {}", a.id);
            }
            if !b.passed || b.code.is_some() {
                assert_eq!(a.code, b.code, "{name}: diagnosis of {}", a.id);
            }
            if with_title {
                assert_eq!(a.title, b.title, "{name}: title of {}", a.id);
            }
        }
    };
    let same_totals = |name: &str, t: &Totals| {
        for (what, mine, theirs) in [("score", totals.score, t.score), ("max", totals.max, t.max)] {
            if let Some(x) = theirs {
                assert_eq!(mine.unwrap(), x, "{name}: total {what}");
            }
        }
        if let Some(n) = t.failed {
            assert_eq!(totals.failed.unwrap(), n, "{name}: failures");
        }
        for (q, (s, m)) in &t.by_question {
            let (js, jm) = totals.by_question[q];
            assert_eq!(js, *s, "{name}: score of {q}");
            if let Some(m) = m {
                assert_eq!(jm.unwrap(), *m, "{name}: max of {q}");
            }
        }
    };

    let (r, t) = from_junit(&run.read("junit.xml"));
    same("junit", &r, true);
    same_totals("junit", &t);
    assert_eq!(
        t.by_question.len(),
        totals.by_question.len(),
        "junit: one suite per question"
    );
    let (r, t) = from_gradescope(&run.read("gradescope.json"));
    same("gradescope", &r, true);
    same_totals("gradescope", &t);
    let (r, t) = from_prairielearn(&run.read("prairielearn.json"));
    same("prairielearn", &r, true);
    same_totals("prairielearn", &t);
    let (r, t) = from_tap(&run.read("report.tap"));
    same("tap", &r, true);
    same_totals("tap", &t);
    let t = from_autolab(&run.read("autolab.txt"));
    assert_eq!(
        t.by_question.len(),
        totals.by_question.len(),
        "autolab: every question"
    );
    same_totals("autolab", &t);
    let (r, t) = from_markdown(&run.read("summary.md"));
    same("markdown", &r, false);
    same_totals("markdown", &t);
    let (r, t) = from_classroom(&run.read("classroom.b64"), &run.read("github-output"));
    same("classroom", &r, true);
    same_totals("classroom", &t);
    // In Actions: the same summary appended to $GITHUB_STEP_SUMMARY, and
    // the annotations on standard output.
    assert_eq!(run.read("step-summary.md"), run.read("summary.md"));
    let failures: Vec<&str> = rows
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.id.as_str())
        .collect();
    let ann = from_annotations(&run.stdout);
    let ids: Vec<&str> = ann.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, failures, "one ::error per failure");
    assert!(
        run.stdout.contains("::notice title=grade::"),
        "{}",
        run.stdout
    );
    validate_junit(&run.path("junit.xml"));
    (rows, totals)
}

/// `xmllint --schema tests/xsd/junit.xsd` (libxml2-utils; `.ci/run` installs
/// it; absent elsewhere, this check alone is skipped: see `tools`).
#[track_caller]
fn validate_junit(file: &Path) {
    let Some(xmllint) = tools::require("xmllint", "libxml2-utils") else {
        return;
    };
    let xsd = format!("{MANIFEST}/tests/xsd/junit.xsd");
    let out = std::process::Command::new(xmllint)
        .args(["--noout", "--schema", &xsd])
        .arg(file)
        .output()
        .expect("xmllint runs");
    assert!(
        out.status.success(),
        "JUnit report does not validate against {xsd}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_passing_program_agrees_in_every_format() {
    let run = run_all(&["--server", &fixture("q1/makefile_lines.py"), "-q", "q1"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let (rows, totals) = check_agreement(&run);
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r.passed));
    assert_eq!(totals.score, totals.max);
    assert_eq!(totals.failed, Some(0));
}

#[test]
fn a_failing_program_with_fractional_points_agrees_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("points.toml");
    std::fs::write(
        &points,
        "\"q1.*\" = 1.5\n\"q1.server.listens\" = 0.33\n\"q1.server.split-line\" = 0.25\n",
    )
    .unwrap();
    let run = run_all(&[
        "--server",
        &fixture("q1/split_line.py"),
        "-q",
        "q1",
        "--points",
        points.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (rows, totals) = check_agreement(&run);
    let failed: Vec<(&str, Option<&str>)> = rows
        .iter()
        .filter(|r| !r.passed)
        .map(|r| (r.id.as_str(), r.code.as_deref()))
        .collect();
    assert_eq!(
        failed,
        [
            ("q1.server.split-line", Some("split-line")),
            ("q1.server.long-line", Some("split-line")),
        ]
    );
    assert_eq!(totals.score, Some(7.83));
    assert_eq!(totals.max, Some(9.58));
    // Annotations point at the student's file, relative to the repository.
    let ann = from_annotations(&run.stdout);
    assert_eq!(ann[0].1.as_deref(), Some("tests/fixtures/q1/split_line.py"));
}

#[test]
fn french_names_and_messages_in_every_format() {
    let en = run_all(&[
        "--server",
        &fixture("q1/split_line.py"),
        "-s",
        "q1.server.split-line",
    ]);
    let fr = run_all(&[
        "--server",
        &fixture("q1/split_line.py"),
        "-s",
        "q1.server.split-line",
        "--lang",
        "fr",
    ]);
    let (rows, _) = check_agreement(&fr);
    let title = rows[0].title.clone().unwrap();
    let (en_rows, _) = from_json(&en.read("report.json"));
    assert_eq!(title, "Une ligne en deux segments");
    assert_ne!(en_rows[0].title.as_deref(), Some(title.as_str()));
    let json: Value = serde_json::from_str(&fr.read("report.json")).unwrap();
    let message = json["scenarios"][0]["diagnosis"]["message"]
        .as_str()
        .unwrap();
    let first_line = message.lines().next().unwrap();
    assert!(first_line.contains("affichée en"), "{message}");
    let unescape = |s: String| s.replace("%0A", "\n").replace("%25", "%");
    // Each format: the French title, the French diagnosis, French labels.
    for (file, words) in [
        (
            "junit.xml",
            &[title.as_str(), first_line, "correction\u{a0}:"][..],
        ),
        (
            "gradescope.json",
            &[
                title.as_str(),
                first_line,
                "correction\u{a0}:",
                "transcription\u{a0}:",
                "Note\u{a0}:",
            ],
        ),
        (
            "prairielearn.json",
            &[
                title.as_str(),
                first_line,
                "correction\u{a0}:",
                "Note\u{a0}:",
            ],
        ),
        ("report.tap", &[title.as_str(), first_line, "# Note\u{a0}:"]),
        (
            "autolab.txt",
            &[
                title.as_str(),
                first_line,
                "correction\u{a0}:",
                "Note\u{a0}:",
            ],
        ),
        (
            "summary.md",
            &[title.as_str(), first_line, "scénario", "correction\u{a0}:"],
        ),
        (
            "-",
            &[
                title.as_str(),
                first_line,
                "correction\u{a0}:",
                "Note\u{a0}:",
            ],
        ),
    ] {
        // `-`: the annotations, on standard output.
        let read = |run: &Run| {
            if file == "-" {
                run.stdout.clone()
            } else {
                run.read(file)
            }
        };
        let text = read(&fr);
        // JSON escapes quotes and non-ASCII may be escaped: compare decoded text.
        let text = if file.ends_with(".json") {
            let v: Value = serde_json::from_str(&text).unwrap();
            flatten(&v)
        } else if file.ends_with(".xml") {
            text.replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        } else if file == "report.tap" {
            text.replace("\\\"", "\"")
        } else {
            unescape(text)
        };
        for w in words {
            assert!(text.contains(w), "{file} lacks {w:?}:\n{text}");
        }
        let en_text = read(&en);
        assert!(
            !en_text.contains(&title),
            "{file} in English shows the French title"
        );
    }
}

/// Every string of a JSON value, one per line.
fn flatten(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s}\n"),
        Value::Array(a) => a.iter().map(flatten).collect(),
        Value::Object(o) => o.values().map(flatten).collect(),
        _ => String::new(),
    }
}

#[test]
fn annotations_asked_for_in_actions_come_once() {
    let out = grade()
        .args([
            "--server",
            &fixture("q1/split_line.py"),
            "-s",
            "q1.server.split-line",
        ])
        .args(["--format", "github"])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(from_annotations(&stdout).len(), 1, "{stdout}");
    assert_eq!(stdout.matches("::notice").count(), 1, "{stdout}");
    assert!(!String::from_utf8(out.stderr).unwrap().contains("::error"));
}

#[test]
fn hidden_scenarios_show_after_the_due_date_on_gradescope() {
    let out = grade()
        .args(["--reference", "-q", "q1", "--format", "gradescope"])
        .args([
            "--hidden",
            "q1.server.*-line*",
            "--hidden",
            "q1.server.utf8",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let hidden: Vec<&str> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["visibility"] == "after_due_date")
        .map(|t| t["extra_data"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        hidden,
        [
            "q1.server.prints-lines",
            "q1.server.utf8",
            "q1.server.coalesced-lines",
            "q1.server.split-line",
            "q1.server.long-line",
        ]
    );
    // What students see at the top says nothing of how the hidden tests went.
    assert_eq!(
        v["output"],
        "Visible tests: 3/3 (3 passed, 0 failed)\n5 more tests are shown after the due date"
    );
}

#[test]
fn a_program_that_cannot_start_is_still_gradable() {
    let out = grade()
        .args([
            "--server",
            &fixture("q1/python2.py"),
            "-q",
            "q1",
            "--format",
            "prairielearn",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["gradable"], true);
    assert_eq!(v["score"], 0.0);
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("[syntax-error]"), "{message}");
    // One failed test for the submission problem, worth all of q1.
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{v:#}");
    assert_eq!(tests[0]["points"], 0.0);
    assert!(f(&tests[0]["max_points"]) > 1.0);
    assert!(tests[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("[syntax-error] Python refuses"));
}

#[test]
fn bad_report_and_points_options_are_usage_errors() {
    let server = fixture("q1/makefile_lines.py");
    for (args, says) in [
        (vec!["--report", "yaml=out.yaml"], "unknown format `yaml`"),
        (vec!["--report", "junit"], "expected FORMAT=FILE"),
        (vec!["--report", "junit="], "no file after `=`"),
    ] {
        grade()
            .args(["--server", &server, "-q", "q1"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(says));
    }
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("points.toml");
    std::fs::write(&points, "\"q1.*\" = 1\n\"q1.server.listen\" = 2\n").unwrap();
    grade()
        .args(["--server", &server, "-q", "q1", "--points"])
        .arg(&points)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "{}:2:22: `q1.server.listen` matches no scenario",
            points.display()
        )));
    // `grade list` shows the points the file gives.
    std::fs::write(&points, "\"q1.server.listens\" = 2.5\n").unwrap();
    grade()
        .arg("--points")
        .arg(&points)
        .args(["list", "-q", "q1"])
        .assert()
        .code(0)
        .stdout(predicates::str::is_match(r"q1\.server\.listens\s+2\.5").unwrap());
}

#[test]
fn ci_templates_are_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let repo = "https://git.example.org/course/chat-lab.git";
    grade()
        .args([
            "ci",
            "github",
            "--repo",
            repo,
            "--server",
            "q1/serveur.py",
            "-q",
            "q1",
            "--dir",
        ])
        .arg(dir.path())
        .assert()
        .code(0);
    let wf = std::fs::read_to_string(dir.path().join(".github/workflows/grade.yml")).unwrap();
    // The release of this version, from the course's repository.
    assert!(
        wf.contains(&format!(
            "GRADE_URL: \"https://git.example.org/course/chat-lab/releases/download/v{}/grade-x86_64-linux-gnu\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{wf}"
    );
    assert!(
        wf.contains("grade\" --server q1/serveur.py -q q1 \\"),
        "{wf}"
    );
    assert!(wf.contains("--report junit=grade-junit.xml"), "{wf}");
    grade()
        .args(["ci", "github", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("give --force"));
    // Printed: the GitLab job, with its JUnit artifact.
    grade()
        .args(["ci", "gitlab", "--repo", repo])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("junit: grade-junit.xml"))
        .stdout(predicates::str::contains(
            // No program given: every question found in the repository.
            "grade\" --submission . --report junit=grade-junit.xml",
        ));
}

/// A directory laid out like Gradescope's `/autograder`, with the bundle
/// `grade ci gradescope` writes in `source/`.
fn autograder(server_file: Option<&str>) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    grade()
        .args([
            "ci",
            "gradescope",
            "--server",
            "serveur.py",
            "-q",
            "q1",
            "--lang",
            "fr",
        ])
        .args(["--hidden", "q1.server.long-line", "--dir"])
        .arg(root.path().join("source"))
        .assert()
        .code(0);
    let nested = root.path().join("submission/tp-chat");
    std::fs::create_dir_all(&nested).unwrap();
    if let Some(f) = server_file {
        std::fs::copy(fixture(f), nested.join("serveur.py")).unwrap();
    }
    root
}

fn run_autograder(root: &Path, grade_bin: &Path) -> Value {
    run_grader(
        &root.join("source/run_autograder"),
        &[("AUTOGRADER_ROOT", root), ("GRADE", grade_bin)],
        &root.join("results/results.json"),
    )
}

#[test]
fn gradescope_run_autograder_writes_results_json() {
    let root = autograder(Some("q1/split_line.py"));
    let v = run_autograder(root.path(), &assert_cmd::cargo::cargo_bin("grade"));
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 8);
    let score: f64 = tests.iter().map(|t| f(&t["score"])).sum();
    assert_eq!(f(&v["score"]), round2(score));
    assert_eq!(f(&v["score"]), 7.0);
    let failed: Vec<&str> = tests
        .iter()
        .filter(|t| t["status"] == "failed")
        .map(|t| t["extra_data"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["q1.server.split-line", "q1.server.long-line"]);
    // --lang fr and --hidden were carried into the bundle: the top-level
    // text counts the visible tests only.
    assert_eq!(
        v["output"],
        "Tests visibles\u{a0}: 7/8 (6 réussis, 1 échoué)\n1 autre test est montré après la date limite"
    );
    let long = tests
        .iter()
        .find(|t| t["extra_data"]["id"] == "q1.server.long-line")
        .unwrap();
    assert_eq!(long["visibility"], "after_due_date");
}

#[test]
fn gradescope_run_autograder_reports_a_missing_file_and_a_broken_grader() {
    // No serveur.py in the submission, a server.py instead: one failed
    // test that says so (in French: the bundle has --lang fr), worth every
    // point of q1.
    let root = autograder(None);
    std::fs::write(
        root.path().join("submission/tp-chat/server.py"),
        "print('hi')\n",
    )
    .unwrap();
    let v = run_autograder(root.path(), &assert_cmd::cargo::cargo_bin("grade"));
    assert_eq!(f(&v["score"]), 0.0);
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{v:#}");
    assert_eq!(tests[0]["status"], "failed");
    assert_eq!(
        tests[0]["name"],
        "serveur.py introuvable dans le rendu\u{202f}; trouvé\u{a0}: tp-chat/server.py"
    );
    assert_eq!(tests[0]["extra_data"]["submission_problem"], "missing");
    assert_eq!(f(&tests[0]["max_score"]), f(&v["extra_data"]["max_score"]));
    assert!(f(&tests[0]["max_score"]) > 0.0);
    // The grader itself fails: results.json still says so.
    let v = run_autograder(root.path(), Path::new("false"));
    assert_eq!(f(&v["score"]), 0.0);
    assert!(
        v["output"].as_str().unwrap().contains("could not run"),
        "{v}"
    );
}

/// A C client that does not compile, graded with the reference server on
/// q3: in every format the submission problem is one failed test (said
/// once), the server scenarios are graded as usual, and the totals agree
/// with the JSON report.
#[test]
fn a_submission_problem_is_one_failed_test_in_every_format() {
    let src = tempfile::tempdir().unwrap();
    let client = src.path().join("client.c");
    std::fs::write(&client, "int main(void) { return nope; }\n").unwrap();
    let run = run_all(&[
        "--server",
        &fixture("q1/makefile_lines.py"),
        "--client",
        client.to_str().unwrap(),
        "-q",
        "q1",
        "-q",
        "q2",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let v: Value = serde_json::from_str(&run.read("report.json")).unwrap();
    let p = &v["submission_problems"][0];
    assert_eq!(p["code"], "compile-error");
    let stopped = p["scenarios"].as_array().unwrap().len();
    assert_eq!(stopped, 6, "every q2 scenario: {v:#}");
    let ran = v["scenarios"].as_array().unwrap().len() - stopped;
    let (score, max) = (f(&v["score"]), f(&v["max_score"]));
    let says = "client.c does not compile";
    let once = |text: &str, what: &str| {
        assert_eq!(text.matches(says).count(), 1, "{what}:\n{text}");
    };
    // JUnit: the problem's test case, and one per scenario that ran.
    let junit = run.read("junit.xml");
    validate_junit(&run.path("junit.xml"));
    assert_eq!(junit.matches("<testcase").count(), ran + 1, "{junit}");
    assert_eq!(junit.matches("type=\"compile-error\"").count(), 1);
    // Gradescope: the problem first, worth the q2 points; totals agree.
    let gs: Value = serde_json::from_str(&run.read("gradescope.json")).unwrap();
    let tests = gs["tests"].as_array().unwrap();
    assert_eq!(tests.len(), ran + 1);
    assert_eq!(
        tests[0]["name"],
        format!("{} does not compile", client.display())
    );
    assert_eq!(f(&tests[0]["max_score"]), f(&p["max_score"]));
    let sum: f64 = tests.iter().map(|t| f(&t["max_score"])).sum();
    assert!((sum - max).abs() < 1e-9, "{sum} vs {max}");
    assert_eq!(f(&gs["score"]), score);
    once(&tests[0]["output"].to_string(), "gradescope");
    // PrairieLearn, TAP, Markdown, annotations: once each.
    let pl: Value = serde_json::from_str(&run.read("prairielearn.json")).unwrap();
    assert_eq!(pl["tests"].as_array().unwrap().len(), ran + 1);
    let tap = run.read("report.tap");
    assert!(tap.contains(&format!("1..{}\n", ran + 1)), "{tap}");
    assert!(tap.contains("client.c does not compile\n  ---"), "{tap}");
    assert_eq!(tap.matches("code: \"compile-error\"").count(), 1, "{tap}");
    let md = run.read("summary.md");
    assert_eq!(
        md.matches("`compile-error`").count(),
        1,
        "one table row: {md}"
    );
    let ann: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(
        ann.iter().filter(|l| l.contains(says)).count(),
        1,
        "{ann:#?}"
    );
    assert!(
        run.read("autolab.txt").ends_with("\"q2\":0.0}}\n"),
        "{}",
        run.read("autolab.txt")
    );
}

/// Grading that cannot start (exit 2) still writes every platform file the
/// command line asks for: score 0 and the cause, never "no results file".
#[test]
fn a_usage_error_still_writes_the_platform_results() {
    let dir = tempfile::tempdir().unwrap();
    let gs = dir.path().join("results.json");
    let pl = dir.path().join("pl.json");
    grade()
        .current_dir(dir.path())
        .args([
            "--server",
            "absent.py",
            "--format",
            "gradescope",
            "--output",
        ])
        .arg(&gs)
        .arg("--report")
        .arg(format!("prairielearn={}", pl.display()))
        .assert()
        .code(2);
    let v: Value = serde_json::from_slice(&std::fs::read(&gs).unwrap()).unwrap();
    assert_eq!(v["score"], 0.0);
    assert!(v["output"].as_str().unwrap().contains("absent.py"), "{v}");
    let p: Value = serde_json::from_slice(&std::fs::read(&pl).unwrap()).unwrap();
    assert_eq!(
        (p["score"].clone(), p["gradable"].clone()),
        (0.0.into(), true.into())
    );
    // An argument clap refuses: the same, Autolab's line last.
    let out = grade()
        .args(["--no-such-flag", "--format", "autolab", "-q", "q2"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines().last(),
        Some(r#"{"scores":{"q2":0.0}}"#),
        "{text}"
    );
    // GitHub Classroom: an `error` result with the cause, on standard
    // output and in the step output, so that the reporter says why.
    let step_output = dir.path().join("github-output");
    let out = grade()
        .current_dir(dir.path())
        .env("GITHUB_OUTPUT", &step_output)
        .args(["--server", "absent.py", "-q", "q1", "--format", "classroom"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let line = String::from_utf8(out).unwrap();
    let outputs = std::fs::read_to_string(&step_output).unwrap();
    assert_eq!(outputs, format!("result={line}"));
    let c = classroom_json(line.trim_end());
    assert_eq!(
        (c["status"].as_str(), c["max_score"].as_f64()),
        (Some("error"), Some(0.0))
    );
    let message = c["tests"][0]["message"].as_str().unwrap();
    assert!(message.contains("absent.py"), "{message}");
}

/// What the grading reporter does with its `runners` and their
/// `<ID>_RESULTS` (its `main.js` and `NotifyClassroom`, restated): the
/// `Points X/Y` notice, or nothing when no runner has points; and whether
/// it fails its step.
const REPORTER: &str = r#"
const runners = process.env.INPUT_RUNNERS.split(',').map((runner) => {
  const json = Buffer.from(process.env[`${runner.trim().toUpperCase()}_RESULTS`], 'base64').toString('utf-8');
  return { runner, results: JSON.parse(json) };
});
let totalPoints = 0, maxPoints = 0;
for (const { results } of runners) {
  if (!results.max_score) continue;
  maxPoints += results.max_score;
  results.tests.forEach(({ score }) => { totalPoints += score; });
}
if (maxPoints) console.log(`Points ${totalPoints}/${maxPoints}`);
if (runners.some((r) => r.results.status === 'fail')) console.log('failed: Some tests failed.');
else if (runners.some((r) => r.results.status === 'error')) console.log('failed: Some tests errored.');
"#;

/// `grade ci classroom`'s workflow, parsed as YAML, its runner step run
/// with bash in a repository holding the program, its step output handed
/// to the reporter's logic as the workflow's `env:` hands it: the exit
/// status, the result, and what the reporter says (`None` without node).
/// `None` without PyYAML (see `tools`).
#[track_caller]
fn classroom_workflow_run(program: &str) -> Option<(i32, Value, Option<String>)> {
    let repo = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(program), repo.path().join("serveur.py")).unwrap();
    grade()
        .args(["ci", "classroom", "--repo", "https://git.example.org/l.git"])
        .args(["--server", "serveur.py", "-q", "q1", "--dir"])
        .arg(repo.path())
        .assert()
        .code(0);
    let file = repo.path().join(".github/workflows/classroom.yml");
    let wf = yaml_as_json(&file)?;
    assert_eq!(wf["permissions"]["checks"], "write");
    assert_eq!(wf["permissions"]["actions"], "read");
    let steps = wf["jobs"]["run-autograding-tests"]["steps"]
        .as_array()
        .expect("the job Classroom reads");
    let runner = steps.iter().find(|s| s["id"] == "q1").expect("step q1");
    assert_eq!(runner["continue-on-error"], true);
    let reporter = steps.last().unwrap();
    assert_eq!(
        reporter["uses"],
        "classroom-resources/autograding-grading-reporter@v1"
    );
    assert_eq!(steps.iter().filter(|s| s.get("id").is_some()).count(), 1);
    let run = runner["run"].as_str().unwrap();
    let env = reporter["env"].as_object().unwrap();
    let runners = reporter["with"]["runners"].as_str().unwrap();
    assert_eq!(runners, "q1");
    assert_eq!(
        env.get("Q1_RESULTS").and_then(Value::as_str),
        Some("${{ steps.q1.outputs.result }}")
    );
    // The step as Actions runs it, grade being this build.
    let grade_bin = assert_cmd::cargo::cargo_bin("grade");
    let script = run.replace(
        "sudo -E \"$RUNNER_TEMP/grade\"",
        &format!("'{}'", grade_bin.display()),
    );
    assert_ne!(script, run, "{run}");
    let output = repo.path().join("github-output");
    let out = std::process::Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .env("GITHUB_OUTPUT", &output)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("q1.server.listens"),
        "the report in the log: {stdout}"
    );
    let outputs = std::fs::read_to_string(&output).unwrap();
    let result = outputs
        .lines()
        .find_map(|l| l.strip_prefix("result="))
        .expect("the step output `result`");
    let doc = classroom_json(result);
    let posted = tools::require("node", "nodejs").map(|node| {
        run_node(
            &node,
            REPORTER,
            &[("INPUT_RUNNERS", runners), ("Q1_RESULTS", result)],
        )
    });
    Some((code, doc, posted))
}

#[test]
fn the_classroom_workflow_grades_and_its_reporter_posts_the_points() {
    let Some((code, doc, posted)) = classroom_workflow_run("q1/makefile_lines.py") else {
        return;
    };
    assert_eq!(code, 0);
    assert_eq!(doc["status"], "pass");
    let max = f(&doc["max_score"]);
    assert!(max > 0.0);
    if let Some(posted) = posted {
        assert_eq!(posted, format!("Points {max}/{max}\n"));
    }
    let (code, doc, posted) = classroom_workflow_run("q1/split_line.py").unwrap();
    assert_eq!(code, 1);
    assert_eq!(doc["status"], "fail");
    let score: f64 = doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| f(&t["score"]))
        .sum();
    assert!(score < max);
    if let Some(posted) = posted {
        assert_eq!(
            posted,
            format!("Points {score}/{max}\nfailed: Some tests failed.\n")
        );
    }
}

/// `grade ci prairielearn`: the course's serverFilesCourse/chatlab/ (run.sh
/// and the grade binary, for graders without network) and the question's
/// externalGradingOptions. run.sh, executed with bash in a /grade layout,
/// writes PrairieLearn's results.json: the program found anywhere in the
/// student's files, and a missing one as one failed test.
#[test]
fn prairielearn_run_sh_writes_results_json() {
    let root = tempfile::tempdir().unwrap();
    let course = root.path().join("course");
    grade()
        .args([
            "ci",
            "prairielearn",
            "--server",
            "serveur.py",
            "-q",
            "q1",
            "--dir",
        ])
        .arg(&course)
        .assert()
        .code(0);
    let chatlab = course.join("serverFilesCourse/chatlab");
    assert!(
        chatlab.join("grade").is_file(),
        "the grade binary beside run.sh"
    );
    let info: Value = serde_json::from_str(
        &std::fs::read_to_string(course.join("info-externalGradingOptions.json")).unwrap(),
    )
    .unwrap();
    let opts = &info["externalGradingOptions"];
    assert_eq!(opts["enabled"], true);
    assert_eq!(
        opts["entrypoint"],
        "/grade/serverFilesCourse/chatlab/run.sh"
    );
    assert_eq!(opts["serverFilesCourse"][0], "chatlab/");
    let grader = root.path().join("grade");
    let run = |grader: &Path| -> Value {
        run_grader(
            &chatlab.join("run.sh"),
            &[("PL_GRADE_ROOT", grader)],
            &grader.join("results/results.json"),
        )
    };
    let student = grader.join("student/tp");
    std::fs::create_dir_all(&student).unwrap();
    std::fs::copy(fixture("q1/split_line.py"), student.join("serveur.py")).unwrap();
    let v = run(&grader);
    assert_eq!(v["gradable"], true);
    assert_eq!(v["tests"].as_array().unwrap().len(), 8);
    assert!((f(&v["score"]) - 7.0 / 9.0).abs() < 1e-9, "{v}");
    std::fs::remove_dir_all(&student).unwrap();
    let v = run(&grader);
    assert_eq!(f(&v["score"]), 0.0);
    let first = v["tests"][0]["name"].as_str().unwrap();
    assert!(
        first.starts_with("serveur.py not found in the submission"),
        "{first}"
    );
}

/// A Gradescope bundle made without --server or --client grades what the
/// discovery rule finds in the submission, each question with its own
/// programs: q1/serveur.py for q1, tp/client_q2.py for q2.
#[test]
fn gradescope_without_programs_grades_each_question_found() {
    let root = tempfile::tempdir().unwrap();
    grade()
        .args(["ci", "gradescope", "--dir"])
        .arg(root.path().join("source"))
        .assert()
        .code(0);
    let sub = root.path().join("submission");
    std::fs::create_dir_all(sub.join("q1")).unwrap();
    std::fs::create_dir_all(sub.join("tp")).unwrap();
    std::fs::copy(fixture("q1/framed_recv.py"), sub.join("q1/serveur.py")).unwrap();
    std::fs::copy(fixture("q2/input_loop.py"), sub.join("tp/client_q2.py")).unwrap();
    let v = run_autograder(root.path(), &assert_cmd::cargo::cargo_bin("grade"));
    let ids: Vec<&str> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["extra_data"]["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 14, "{ids:?}");
    assert!(ids
        .iter()
        .all(|id| id.starts_with("q1.") || id.starts_with("q2.")));
    assert_eq!(f(&v["score"]), f(&v["extra_data"]["max_score"]), "{v}");
}

/// `node -e script` with `env`: it exits 0; what it printed.
fn run_node(node: &Path, script: &str, env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new(node)
        .args(["-e", script])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

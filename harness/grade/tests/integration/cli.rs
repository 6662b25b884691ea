//! The command line as users and CI scripts rely on it: exit codes, the
//! catalogue, scenario-file errors with file:line:column, languages, colour.

use assert_cmd::Command;
use predicates::prelude::*;

fn grade() -> Command {
    let mut c = Command::cargo_bin("grade").unwrap();
    c.env_remove("NO_COLOR");
    c
}

#[test]
fn the_reference_programs_pass_every_scenario() {
    let out = grade()
        .args(["--reference", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v = crate::refutil::all_passed(&out);
    assert!(v["scenarios"].as_array().unwrap().len() >= 14);
    assert_eq!(v["isolated"], true);
}

#[test]
fn list_prints_the_catalogue_in_design_order() {
    grade()
        .arg("list")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("q1.server.listens"))
        .stdout(predicate::str::contains("q2.client.server-leaves"));
    grade()
        .args(["list", "-q", "q2", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("q1.").not())
        .stdout(predicate::str::contains("Fin de saisie (Ctrl-D)"));
}

#[test]
fn nothing_to_grade_is_a_usage_error() {
    grade()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--server"));
    grade()
        .args(["--reference", "--lang", "de"])
        .assert()
        .code(2);
    grade()
        .args(["--reference", "--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format"));
}

#[test]
fn a_bad_scenario_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mine.toml");
    std::fs::write(
        &f,
        "id = \"q1.server.mine\"\nquestion = \"q1\"\nrole = \"server\"\npoints = 1\ntitle = { en = \"t\", fr = \"t\" }\npasses = { en = \"p\", fr = \"p\" }\n[[step]]\nstrat = \"server\"\n",
    )
    .unwrap();
    grade()
        .args(["--reference", "--scenarios"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:8:1: unknown field `strat`",
            f.display()
        )));
}

#[test]
fn scenarios_dir_adds_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("q1.server.echo-twice.toml"),
        "id = \"q1.server.echo-twice\"\nquestion = \"q1\"\nrole = \"server\"\npoints = 3\ntitle = { en = \"Two lines\", fr = \"Deux lignes\" }\npasses = { en = \"p\", fr = \"p\" }\n[[step]]\nstart = \"server\"\n[[step]]\nconnect = true\n[[step]]\nsend = [\"a\\nb\\n\"]\n[[step]]\nexpect_printed = [\"a\", \"b\"]\n",
    )
    .unwrap();
    grade()
        .args(["--reference", "-s", "q1.server.echo-*", "--scenarios"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("q1.server.echo-twice"))
        .stdout(predicate::str::contains("3/3"));
}

/// `grade`'s own texts are messages: `--messages DIR` adds a language
/// (English where it says nothing) or overrides one, in `grade list` and in
/// the comments of the CI templates; numbers follow the language (a
/// decimal comma in French and in German).
#[test]
fn grade_list_and_ci_templates_follow_the_catalogues() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("de")).unwrap();
    std::fs::write(
        dir.path().join("de/cli.ftl"),
        "list-points = { $points } P.\nci-gitlab-about = Bewertet dieses Repository.\n",
    )
    .unwrap();
    let points = dir.path().join("points.toml");
    std::fs::write(&points, "\"q1.server.listens\" = 2.5\n").unwrap();
    grade()
        .arg("--messages")
        .arg(dir.path())
        .arg("--points")
        .arg(&points)
        .args(["list", "-q", "q1", "--lang", "de"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::is_match(r"q1\.server\.listens\s+2,5 P\.  Listens on port 8080")
                .unwrap(),
        );
    grade()
        .arg("--points")
        .arg(&points)
        .args(["list", "-q", "q1", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(predicate::str::is_match(r"q1\.server\.listens\s+2,5  Écoute").unwrap());
    grade()
        .arg("--messages")
        .arg(dir.path())
        .args([
            "ci",
            "gitlab",
            "--lang",
            "de",
            "--repo",
            "https://git.example.org/l.git",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "# Bewertet dieses Repository.\ngrade:\n",
        ))
        .stdout(predicate::str::contains("--lang de"));
    grade()
        .args(["ci", "github", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# Note les programmes du chat"))
        .stderr(predicate::str::starts_with(
            "grade: pas de --repo\u{a0}: remplacez https://example.org/course/chat-lab.git par le dépôt du cours\n\
             grade: les modèles téléchargent https://example.org/course/chat-lab/releases/download/v",
        ))
        .stderr(predicate::str::ends_with(
            "\u{a0}: écrivez-les avec le binaire publié, ou donnez --sha256\n",
        ));
}

#[test]
fn french_report_and_json_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let fx = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/q1/split_line.py"
    );
    grade()
        .args(["--server", fx, "-s", "q1.server.split-line", "--lang", "fr"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[split-line]"))
        .stdout(predicate::str::contains("affichée en"))
        .stdout(predicate::str::contains("correction\u{a0}:"))
        .stdout(predicate::str::contains("\x1b[").not());
    let out = dir.path().join("r.json");
    grade()
        .args([
            "--server",
            fx,
            "-s",
            "q1.server.split-line",
            "--format",
            "json",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["scenarios"][0]["diagnosis"]["code"], "split-line");
    assert_eq!(v["programs"]["server"], fx);
    assert_eq!(v["programs"]["client"], serde_json::Value::Null);
    let t = v["scenarios"][0]["transcript"].as_array().unwrap();
    assert!(t
        .iter()
        .any(|e| e["actor"] == "peer" && e["event"] == "sent" && e["text"] == "Bonj"));
}

#[test]
fn a_hard_coded_other_port_is_graded_with_port() {
    let fx = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/q1/wrong_port.py"
    );
    let out = grade()
        .args([
            "--server", fx, "-q", "q1", "--port", "8081", "--format", "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    // The port in force everywhere: titles, texts, never a literal 8080.
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("8080"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["scenarios"][0]["title"], "Listens on port 8081");
}

#[test]
fn the_callers_environment_does_not_reach_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("env_client.py");
    std::fs::write(
        &prog,
        "import os, socket\ns = socket.create_connection(('127.0.0.1', 8080))\nfor k in sorted(os.environ):\n    s.sendall((k + '\\n').encode())\ns.close()\n",
    )
    .unwrap();
    let out = grade()
        .env("GRADE_SECRET_TOKEN", "hunter2")
        .env("PYTHONUNBUFFERED", "1")
        .args(["--client"])
        .arg(&prog)
        .args(["-s", "q2.client.sends-lines", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("PATH") && text.contains("HOME"), "{text}");
    assert!(
        !text.contains("GRADE_SECRET_TOKEN") && !text.contains("PYTHONUNBUFFERED"),
        "{text}"
    );
}

/// `--format html`: one self-contained page, a sequence diagram per
/// scenario (well-formed SVG), the deadlock's cycle drawn in red.
#[test]
fn html_report_draws_each_transcript() {
    let out = grade()
        .args([
            "--reference",
            "-s",
            "q3.demo.deadlock",
            "-s",
            "q1.server.split-line",
            "--format",
            "html",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let page = String::from_utf8(out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg class=\"seq\"").count(), 2, "{page}");
    assert!(page.contains("class=\"cycle\""), "the deadlock cycle");
    assert!(!page.contains("<script"), "self-contained, no script");
    for svg in page.split("<svg").skip(1) {
        let svg = format!("<svg{}", &svg[..svg.find("</svg>").unwrap() + 6]);
        // Well-formed XML: every tag closed, text escaped.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("<3"));
    }
}

fn fixture(rel: &str) -> String {
    crate::refutil::fixtures_dir()
        .join(rel)
        .display()
        .to_string()
}

/// (status, code, message) of every scenario of a JSON report, in order.
fn verdicts(v: &serde_json::Value) -> Vec<(String, String, String)> {
    let text = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let d = &s["diagnosis"];
            (text(&s["status"]), text(&d["code"]), text(&d["message"]))
        })
        .collect()
}

/// A server that exits at once (status 3, before it listens), graded with
/// the reference clients and with student clients: each pair scenario is a
/// verdict that names the server's failure — not a panic, not the client's
/// fault — exit 1, and every report asked for is written.
#[test]
fn a_server_that_exits_at_once_fails_each_pair_scenario_as_the_servers_fault() {
    let server = fixture("q3/server_exits_at_once.py");
    let both = ["q3.pair.chat", "q4.pair.full-duplex"];
    let runs: [(Option<&str>, &[&str]); 3] = [
        (None, &both),
        (Some("q3/client_buffer.py"), &both[..1]),
        (Some("q4/fork_client.py"), &both[1..]),
    ];
    for (client, scenarios) in runs {
        let dir = tempfile::tempdir().unwrap();
        let (junit, tap) = (dir.path().join("r.xml"), dir.path().join("r.tap"));
        let mut cmd = grade();
        cmd.args(["--server", &server]);
        if let Some(c) = client {
            cmd.args(["--client", &fixture(c)]);
        }
        for s in scenarios {
            cmd.args(["-s", s]);
        }
        let out = cmd
            .args(["--format", "json", "--report"])
            .arg(format!("junit={}", junit.display()))
            .arg("--report")
            .arg(format!("tap={}", tap.display()))
            .assert()
            .code(1)
            .get_output()
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = verdicts(&v);
        assert_eq!(got.len(), scenarios.len(), "{client:?}: {v:#}");
        for (status, code, message) in &got {
            assert_eq!((status.as_str(), code.as_str()), ("fail", "crashed"));
            assert!(
                message.starts_with("server: ") && message.contains("status 3"),
                "{client:?}: {message}"
            );
        }
        let xml = std::fs::read_to_string(&junit).unwrap();
        let back = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(
            (back.tests, back.failures, back.errors),
            (scenarios.len(), scenarios.len(), 0)
        );
        let tap = std::fs::read_to_string(&tap).unwrap();
        assert_eq!(tap.matches("\nnot ok ").count(), scenarios.len(), "{tap}");
    }
}

/// Faults of the grader injected into one scenario's runner, another's
/// verdict and a third's working directory (`GRADE_TEST_FAULT`, debug
/// builds): those three are `error`, with a message that says it is the
/// grader's fault and what failed; the others get their verdicts; every
/// report is whole; exit 3 with one line on standard error.
#[test]
fn a_fault_of_the_grader_is_an_error_of_its_scenario_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let mut cmd = grade();
    // (With RUST_BACKTRACE set, grade also prints each caught panic.)
    cmd.env_remove("RUST_BACKTRACE")
        .env(
            "GRADE_TEST_FAULT",
            "runner:q1.server.listens,judge:q1.server.utf8,scratch:q1.server.split-line",
        )
        .args(["--reference", "-q", "q1", "--format", "json"]);
    for (format, file) in [
        ("junit", "r.xml"),
        ("gradescope", "results.json"),
        ("tap", "r.tap"),
        ("human", "r.txt"),
        ("classroom", "r.b64"),
    ] {
        cmd.arg("--report")
            .arg(format!("{format}={}", path(file).display()));
    }
    let out = cmd.assert().code(3).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("grade: 3 scenarios not graded (error): q1.server.listens: "),
        "{stderr}"
    );

    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = crate::refutil::scenario_ids(&v);
    let got = verdicts(&v);
    assert_eq!(got.len(), 8, "every q1 scenario is in the report");
    let grader = "a fault of the grader, not of the program graded: ";
    for (id, (status, code, message)) in ids.iter().zip(&got) {
        let what = match *id {
            "q1.server.listens" => "the runner panicked: fault injected",
            "q1.server.utf8" => "the verdict panicked: fault injected",
            "q1.server.split-line" => "cannot create a working directory: fault injected",
            _ => {
                assert_eq!(status, "pass", "{id}: {message}");
                continue;
            }
        };
        assert_eq!(status, "error", "{id}");
        let want = if *id == "q1.server.split-line" {
            "environment"
        } else {
            "internal-error"
        };
        assert_eq!(code, want, "{id}");
        assert!(message.starts_with(&format!("{grader}{what}")), "{message}");
    }
    let passed: f64 = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "pass")
        .map(|s| s["max_score"].as_f64().unwrap())
        .sum();
    assert_eq!(v["score"].as_f64().unwrap(), passed);
    // The runner's transcript up to the fault is kept, its end recorded.
    let listens = &v["scenarios"][0]["transcript"];
    assert!(
        listens
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "started"),
        "{listens:#}"
    );

    let xml = std::fs::read_to_string(path("r.xml")).unwrap();
    let back = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((back.tests, back.failures, back.errors), (8, 0, 3));
    assert!(xml.contains(r#"type="internal-error""#), "{xml}");

    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("results.json")).unwrap()).unwrap();
    let tests = g["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 8);
    let errors: Vec<&serde_json::Value> = tests
        .iter()
        .filter(|t| t["extra_data"]["status"] == "error")
        .collect();
    assert_eq!(errors.len(), 3);
    assert!(errors
        .iter()
        .all(|t| t["output"].as_str().unwrap().contains(grader)));

    let tap = std::fs::read_to_string(path("r.tap")).unwrap();
    assert!(tap.starts_with("TAP version 13\n1..8\n"), "{tap}");
    assert_eq!(tap.matches("status: \"error\"").count(), 3, "{tap}");
    assert_eq!(tap.matches("\nnot ok ").count(), 3, "{tap}");

    let human = std::fs::read_to_string(path("r.txt")).unwrap();
    assert!(
        human.contains("  ! q1.server.listens") && human.contains(grader),
        "{human}"
    );
    assert!(
        human.contains("(5 passed, 0 failed, 3 grader errors)"),
        "{human}"
    );

    // GitHub Classroom: errors and no failure make an `error` result, the
    // real one (not the "could not grade" result of a run that never began).
    let b64 = std::fs::read_to_string(path("r.b64")).unwrap();
    let c = grade::report::classroom::decode(&b64).expect("base64 of a runner result");
    assert_eq!(c.status, "error");
    assert_eq!(c.tests.len(), 8);
    assert_eq!(c.tests.iter().filter(|t| t.status == "error").count(), 3);
    assert!(c.max_score > 0.0);
}

/// A folder of the student's files, the working directory of a test run.
fn submission(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// `grade ARGS` run in `dir`: its standard output, once its exit status is `code`.
fn stdout_in(dir: &std::path::Path, args: &[&str], code: i32) -> Vec<u8> {
    grade()
        .current_dir(dir)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone()
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Each way of naming no program, and each report path that cannot be
/// written: exit 2 before grading, one line naming it, nothing graded, and
/// the report an earlier run left is intact.
#[test]
fn bad_programs_and_report_paths_are_usage_errors_before_grading() {
    use std::os::unix::fs::PermissionsExt;
    let dir = submission(&[("server.py", "print('hi')\n"), ("notes.txt", "x\n")]);
    std::fs::create_dir(dir.path().join("tp")).unwrap();
    std::fs::set_permissions(
        dir.path().join("notes.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let old = r#"{"score": 3.0}"#;
    std::fs::write(dir.path().join("r.json"), old).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--server", "serveur.py"],
            "--server serveur.py: no such file",
        ),
        (&["--server", "tp"], "--server tp: is a directory"),
        (
            &["--server", "notes.txt"],
            "--server notes.txt: is not executable",
        ),
        (&["--server", ""], "--server is empty"),
        (
            &["--client", "python3 missing.py"],
            "--client python3 missing.py: missing.py: no such file",
        ),
        (
            &[
                "--server",
                "server.py",
                "--report",
                "junit=/no/such/dir/r.xml",
            ],
            "--report junit=/no/such/dir/r.xml: no such directory",
        ),
        (
            &["--server", "server.py", "--report", "tap=tp"],
            "--report tap=tp: is a directory",
        ),
    ];
    for (args, says) in cases {
        let out = grade()
            .current_dir(dir.path())
            .args(*args)
            .args([
                "-q", "q1", "-q", "q2", "--format", "json", "--output", "r.json",
            ])
            .assert()
            .code(2)
            .stdout("")
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("r.json")).unwrap(),
            old,
            "{args:?}"
        );
    }
    grade()
        .current_dir(dir.path())
        .args(["--server", "server.py", "--output", "/no/such/dir/r.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("grade: --output /no/such/dir/r.json: no such directory: /no/such/dir\n");
    // Nothing left behind: no temporary report, no Python cache.
    assert_eq!(
        names_in(dir.path()),
        ["notes.txt", "r.json", "server.py", "tp"]
    );
}

/// A normal run replaces an earlier report whole: a new file renamed over
/// it (another inode), never the old one truncated and rewritten.
#[test]
fn a_report_is_replaced_atomically() {
    use std::os::unix::fs::MetadataExt;
    let dir = submission(&[]);
    let report = dir.path().join("r.json");
    std::fs::write(&report, "old report").unwrap();
    let before = std::fs::metadata(&report).unwrap().ino();
    grade()
        .current_dir(dir.path())
        .args(["--reference", "-s", "q1.server.listens", "--format", "json"])
        .args(["--output", "r.json", "--report", "junit=r.xml"])
        .assert()
        .code(0)
        .stdout("");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["scenarios"][0]["status"], "pass");
    assert_ne!(std::fs::metadata(&report).unwrap().ino(), before);
    assert!(std::fs::read_to_string(dir.path().join("r.xml"))
        .unwrap()
        .starts_with("<?xml"));
    assert_eq!(names_in(dir.path()), ["r.json", "r.xml"]);
}

/// A .py that Python refuses: one submission problem (code syntax-error,
/// the Python 2 hint), said once in the human report and once in JSON,
/// its scenarios not run; exit 1; no `__pycache__` beside the file.
#[test]
fn a_python_file_that_does_not_parse_is_one_submission_problem() {
    let dir = submission(&[(
        "serveur.py",
        "import socket\ns = socket.socket()\nprint \"Serveur en attente...\"\n",
    )]);
    let out = stdout_in(dir.path(), &["--server", "serveur.py", "-q", "q1"], 1);
    let human = String::from_utf8(out).unwrap();
    assert_eq!(
        human.matches("Python refuses serveur.py").count(),
        1,
        "{human}"
    );
    assert_eq!(human.matches("[syntax-error]").count(), 2, "{human}");
    assert!(human.contains("SyntaxError: Missing parentheses in call to 'print'"));
    assert!(human.contains("this is Python 2 syntax"), "{human}");
    assert!(human.contains("8 scenarios not run"), "{human}");
    assert!(!human.contains("transcript:"), "nothing ran: {human}");
    let out = stdout_in(
        dir.path(),
        &["--server", "serveur.py", "-q", "q1", "--format", "json"],
        1,
    );
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let problems = v["submission_problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{v:#}");
    let p = &problems[0];
    assert_eq!(p["kind"], "does-not-parse");
    assert_eq!(p["code"], "syntax-error");
    assert_eq!(p["side"], "server");
    assert!(p["hint"].as_str().unwrap().contains("Python 2"));
    assert_eq!(p["scenarios"].as_array().unwrap().len(), 8);
    assert_eq!(p["max_score"], v["max_score"]);
    for s in v["scenarios"].as_array().unwrap() {
        assert_eq!(s["status"], "fail");
        assert_eq!(s["diagnosis"]["code"], "syntax-error");
        assert!(s["diagnosis"]["message"]
            .as_str()
            .unwrap()
            .starts_with("not run: "));
        assert_eq!(s["transcript"], serde_json::json!([]));
    }
    assert_eq!(names_in(dir.path()), ["serveur.py"]);
}

/// A .c that does not compile: one submission problem with the compiler's
/// error, naming the file as the student does; exit 1.
#[test]
fn a_c_file_that_does_not_compile_is_one_submission_problem() {
    let dir = submission(&[(
        "client.c",
        "#include <stdio.h>\nint main(void) {\n    printf(\"%s\\n\", msg)\n    return 0;\n}\n",
    )]);
    let out = stdout_in(dir.path(), &["--client", "client.c", "-q", "q2"], 1);
    let human = String::from_utf8(out).unwrap();
    assert_eq!(
        human.matches("client.c does not compile").count(),
        1,
        "{human}"
    );
    assert!(human.contains("client.c:3:"), "{human}");
    assert!(
        human.contains("6 scenarios not run (client: [compile-error])"),
        "{human}"
    );
    let v: serde_json::Value = serde_json::from_slice(
        &grade()
            .current_dir(dir.path())
            .args(["--client", "client.c", "-q", "q2", "--format", "json"])
            .assert()
            .code(1)
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["submission_problems"][0]["code"], "compile-error");
    assert_eq!(
        v["submission_problems"][0]["found"],
        serde_json::json!(["client.c"])
    );
    assert_eq!(v["score"], 0.0);
}

/// An empty file is a submission problem, with or without the flag.
#[test]
fn an_empty_program_is_one_submission_problem() {
    let dir = submission(&[("serveur.py", "\n"), ("server.py", "x = 1\n")]);
    grade()
        .current_dir(dir.path())
        .args(["--server", "serveur.py", "-q", "q1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "[empty-program] serveur.py is empty; found: server.py, serveur.py",
        ));
}

/// `--missing-is-failure` (the platforms' templates): a missing program is
/// one failed test naming what the submission holds, exit 1, the report
/// written; pair scenarios with the other side count once.
#[test]
fn with_missing_is_failure_a_missing_program_is_one_failed_test() {
    let dir = submission(&[("server.py", "x = 1\n"), ("client.py", "x = 1\n")]);
    std::fs::create_dir(dir.path().join("tp")).unwrap();
    std::fs::write(dir.path().join("tp/serveur.txt"), "").unwrap();
    grade()
        .current_dir(dir.path())
        .args(["--server", "serveur.py", "-q", "q1", "--missing-is-failure"])
        .args(["--format", "gradescope", "--output", "results.json"])
        .assert()
        .code(1)
        .stdout("");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json")).unwrap())
            .unwrap();
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{v:#}");
    assert_eq!(tests[0]["status"], "failed");
    assert_eq!(
        tests[0]["name"],
        "serveur.py not found in the submission; found: client.py, server.py, tp/serveur.txt"
    );
    assert_eq!(v["score"], 0.0);
    assert_eq!(tests[0]["max_score"], v["extra_data"]["max_score"]);
    // Without the flag, the same run is a usage error.
    grade()
        .current_dir(dir.path())
        .args(["--server", "serveur.py", "-q", "q1"])
        .assert()
        .code(2);
    // Both sides missing, q3: every scenario once, the pair under the server.
    let v: serde_json::Value = serde_json::from_slice(
        &grade()
            .current_dir(dir.path())
            .args(["--server", "serveur.py", "--client", "", "-q", "q3"])
            .args(["--missing-is-failure", "--format", "json"])
            .assert()
            .code(1)
            .get_output()
            .stdout,
    )
    .unwrap();
    let p = v["submission_problems"].as_array().unwrap();
    assert_eq!(p.len(), 2, "{v:#}");
    assert_eq!(p[1]["side"], "client");
    assert!(p[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("no client program in the submission; found: "));
    let stopped: usize = p
        .iter()
        .map(|p| p["scenarios"].as_array().unwrap().len())
        .sum();
    assert_eq!(stopped, v["scenarios"].as_array().unwrap().len());
    assert!(p[0]["scenarios"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("q3.pair.chat")));
}

/// The discovery rule: without -q or -s, a program whose path names a
/// question (`q1/serveur.py`) is graded on that question only; -q wins.
#[test]
fn a_question_marker_in_the_path_chooses_the_question() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("q1")).unwrap();
    let srv = dir.path().join("q1").join("serveur.py");
    std::fs::copy(fixture("q1/framed_recv.py"), &srv).unwrap();
    let ids = |extra: &[&str]| -> Vec<String> {
        let out = grade()
            .arg("--server")
            .arg(&srv)
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    let marked = ids(&[]);
    assert_eq!(marked.len(), 8, "{marked:?}");
    assert!(marked.iter().all(|id| id.starts_with("q1.")), "{marked:?}");
    // Asked for q3: graded as asked (a q1 program handed in for q3).
    let asked = ids(&["-q", "q3", "-s", "q3.server.waits-first"]);
    assert_eq!(asked, ["q3.server.waits-first"]);
}

/// `--submission DIR` with no program given: every question whose programs
/// the discovery rule finds is graded, each with its own, in one report; a
/// role with two candidates is ambiguous and one with none is missing (the
/// submission problem, never fewer points silently).
#[test]
fn a_submission_folder_is_graded_question_by_question() {
    let dir = tempfile::tempdir().unwrap();
    let put = |rel: &str, fx: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::copy(fixture(fx), p).unwrap();
    };
    put("q1/serveur.py", "q1/framed_recv.py");
    put("tp/client_q2.py", "q2/input_loop.py");
    let run = |extra: &[&str]| -> (Option<i32>, serde_json::Value) {
        let out = grade()
            .arg("--submission")
            .arg(dir.path())
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    };
    let (code, v) = run(&[]);
    assert_eq!(code, Some(0), "{v:#}");
    let ids = crate::refutil::scenario_ids(&v);
    assert_eq!(ids.len(), 14, "{ids:?}");
    assert!(ids
        .iter()
        .all(|id| id.starts_with("q1.server.") || id.starts_with("q2.client.")));
    assert!(v["programs"]["server"]
        .as_str()
        .unwrap()
        .ends_with("q1/serveur.py"));
    assert!(v["programs"]["client"]
        .as_str()
        .unwrap()
        .ends_with("tp/client_q2.py"));
    // Two servers for q1, and q3 asked for without its programs.
    put("q1/server.py", "q1/framed_recv.py");
    let (code, v) = run(&["-q", "q1", "-q", "q3"]);
    assert_eq!(code, Some(1));
    let kinds: Vec<(&str, &str)> = v["submission_problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["side"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("ambiguous", "server"),
            ("missing", "server"),
            ("missing", "client")
        ]
    );
    let msg = v["submission_problems"][0]["message"].as_str().unwrap();
    assert!(msg.contains("q1/server.py, q1/serveur.py"), "{msg}");
    assert_eq!(v["score"], 0.0);
}

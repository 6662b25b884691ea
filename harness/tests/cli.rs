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
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 14);
    assert!(scenarios.iter().all(|s| s["status"] == "pass"), "{v:#}");
    assert_eq!(v["score"], v["max_score"]);
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
        .stdout(predicate::str::contains("correction :"))
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
    grade()
        .args(["--server", fx, "-q", "q1", "--port", "8081"])
        .assert()
        .code(0);
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
    assert_eq!(page.matches("<svg").count(), 2, "{page}");
    assert!(page.contains("class=\"cycle\""), "the deadlock cycle");
    assert!(!page.contains("<script"), "self-contained, no script");
    for svg in page.split("<svg").skip(1) {
        let svg = format!("<svg{}", &svg[..svg.find("</svg>").unwrap() + 6]);
        // Well-formed XML: every tag closed, text escaped.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("<3"));
    }
}

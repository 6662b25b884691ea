//! `grade ci`'s templates run as their platforms run them, on a student's
//! repository holding the reference programs: each downloads `grade` from a
//! `file://` release (a copy of the binary under test and its SHA-256, made
//! by `sha256sum`: no network), checks it, grades every question found and
//! says what failed. A broken program fails its question, with its
//! diagnosis in the report; a wrong SHA-256 stops before any grading.
//!
//! The download is curl's, as on the real runners; a curl built without
//! `file://` skips these tests (`skipped: install …`; under `CI=true` it
//! fails them, as for any tool).

use crate::refutil::platform::{run_grader, yaml_as_json};
use crate::refutil::tools;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The binary under test, published as a release would be.
struct Release {
    _dir: tempfile::TempDir,
    url: String,
    sha256: String,
}

/// A SHA-256 that is not the release's.
const WRONG: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fixture the broken repository has for q1's server: it prints each
/// `recv` as it comes, so a line sent in two segments is printed split.
const BROKEN_Q1: &str = "q1/split_line.py";
/// What the report says about it: its failed scenarios, its diagnosis.
const BROKEN_FAILS: [&str; 2] = ["q1.server.split-line", "q1.server.long-line"];
const BROKEN_CODE: &str = "split-line";

/// curl with `file://`, or `None` (skipped, see `tools`). Debian's has it;
/// some builds leave it out (`Protocols:` in `curl --version` says).
fn curl() -> Option<PathBuf> {
    let curl = tools::require("curl", "curl")?;
    let out = std::process::Command::new(&curl)
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let file = text
        .lines()
        .filter_map(|l| l.strip_prefix("Protocols:"))
        .any(|p| p.split_whitespace().any(|p| p == "file"));
    tools::require_that(
        file,
        "curl with file:// support",
        "curl (Debian's reads file://)",
    )
    .then_some(curl)
}

/// The release: `grade-x86_64-linux-gnu` (this build) and its SHA-256 as
/// `sha256sum` computes it; `None` without curl's `file://`.
fn release() -> Option<Release> {
    curl()?;
    let dir = tempfile::tempdir().unwrap();
    let asset = dir.path().join("grade-x86_64-linux-gnu");
    std::fs::copy(assert_cmd::cargo::cargo_bin("grade"), &asset).unwrap();
    let out = std::process::Command::new("sha256sum")
        .arg(&asset)
        .output()
        .unwrap();
    assert!(out.status.success());
    let sha256 = String::from_utf8(out.stdout).unwrap()[..64].to_string();
    Some(Release {
        url: format!("file://{}", asset.display()),
        sha256,
        _dir: dir,
    })
}

/// A student's repository with every question's programs, as the
/// discovery rule finds them (`q1/serveur.py`, `q3/client.py`…): each runs
/// the reference program (`grade reference q1-server`). `broken`: q1's
/// server is `BROKEN_Q1` instead.
fn student_repo(broken: bool) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    // The programs run `grade reference` from the repository itself: the
    // sandbox shows a program its own folder, not the build's (hidden
    // under /tmp when the checkout is there, as on CI).
    let bin = repo.path().join(".bin/grade");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    let built = assert_cmd::cargo::cargo_bin("grade");
    if std::fs::hard_link(&built, &bin).is_err() {
        std::fs::copy(&built, &bin).unwrap();
    }
    for (file, program) in [
        ("q1/serveur.py", "q1-server"),
        ("q2/client.py", "q2-client"),
        ("q3/serveur.py", "q3-server"),
        ("q3/client.py", "q3-client"),
        ("q4/serveur.py", "q4-server"),
        ("q4/client.py", "q4-client"),
    ] {
        let path = repo.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!(
            "import os, sys\nrepo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\ngrade = os.path.join(repo, '.bin', 'grade')\nos.execv(grade, [grade, \"reference\", \"{program}\"] + sys.argv[1:])\n"
        );
        std::fs::write(&path, text).unwrap();
    }
    if broken {
        std::fs::copy(
            crate::refutil::fixtures_dir().join(BROKEN_Q1),
            repo.path().join("q1/serveur.py"),
        )
        .unwrap();
    }
    repo
}

/// `grade ci TARGET --release-url URL --sha256 HEX --dir DIR`.
fn write_template(target: &str, url: &str, sha256: &str, dir: &Path) {
    Command::cargo_bin("grade")
        .unwrap()
        .args([
            "ci",
            target,
            "--release-url",
            url,
            "--sha256",
            sha256,
            "--dir",
        ])
        .arg(dir)
        .assert()
        .code(0);
}

/// A folder with `sudo`, standing for the runner's passwordless sudo: the
/// tests run as root, where `sudo -E CMD` is CMD.
fn sudo_shim() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sudo = dir.path().join("sudo");
    std::fs::write(&sudo, "#!/bin/sh\n[ \"$1\" = -E ] && shift\nexec \"$@\"\n").unwrap();
    std::fs::set_permissions(&sudo, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// One step of a job as it ran.
#[derive(Debug)]
struct Step {
    name: String,
    code: i32,
    log: String,
    /// What it appended to its `$GITHUB_OUTPUT`.
    outputs: String,
}

/// An Actions job's `run` steps, as the runner runs them: each with `bash
/// --noprofile --norc -eo pipefail`, its `env`, in the repository, with
/// `RUNNER_TEMP`, `GITHUB_ACTIONS`, its own `GITHUB_OUTPUT` and a step
/// summary; after a step fails without `continue-on-error`, the rest do
/// not run. `uses:` steps are actions (checkout, upload, Classroom's
/// reporter), not run here.
fn run_job(job: &Value, repo: &Path, runner_temp: &Path) -> Vec<Step> {
    let shim = sudo_shim();
    let path = std::env::join_paths(
        std::iter::once(shim.path().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut ran = Vec::new();
    for (i, step) in job["steps"].as_array().unwrap().iter().enumerate() {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        let output = runner_temp.join(format!("output-{i}"));
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(repo)
            .env("PATH", &path)
            .env("RUNNER_TEMP", runner_temp)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", runner_temp.join("summary.md"))
            .env("NO_COLOR", "1");
        for (k, v) in step["env"].as_object().into_iter().flatten() {
            cmd.env(k, v.as_str().expect("a string"));
        }
        let out = cmd.output().unwrap();
        let s = Step {
            name: step["name"].as_str().unwrap_or_default().to_string(),
            code: out.status.code().unwrap_or(-1),
            log: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            outputs: std::fs::read_to_string(&output).unwrap_or_default(),
        };
        let stop = s.code != 0 && step["continue-on-error"] != true;
        ran.push(s);
        if stop {
            break;
        }
    }
    ran
}

/// The JSON report `file`: its failed scenarios, each with its diagnosis
/// code, and the questions it graded.
fn failures(file: &Path) -> (Vec<(String, String)>, Vec<String>) {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    let failed = scenarios
        .iter()
        .filter(|s| s["status"] != "pass")
        .map(|s| {
            let id = s["id"].as_str().unwrap().to_string();
            let code = s["diagnosis"]["code"].as_str().unwrap_or("").to_string();
            (id, code)
        })
        .collect();
    let mut questions: Vec<String> = scenarios
        .iter()
        .map(|s| s["question"].as_str().unwrap().to_string())
        .collect();
    questions.dedup();
    (failed, questions)
}

/// The failures the broken repository must show.
fn broken_failures() -> Vec<(String, String)> {
    BROKEN_FAILS
        .iter()
        .map(|id| (id.to_string(), BROKEN_CODE.to_string()))
        .collect()
}

const ALL: [&str; 4] = ["q1", "q2", "q3", "q4"];

/// The student's repository and the runner's temporary folder.
struct Dirs {
    repo: tempfile::TempDir,
    temp: tempfile::TempDir,
}

/// The GitHub workflow on a repository: its steps as they ran (`None`
/// without PyYAML).
fn github_run(rel: &Release, sha256: &str, broken: bool) -> Option<(Vec<Step>, Dirs)> {
    let repo = student_repo(broken);
    write_template("github", &rel.url, sha256, repo.path());
    let wf = yaml_as_json(&repo.path().join(".github/workflows/grade.yml"))?;
    let temp = tempfile::tempdir().unwrap();
    let steps = run_job(&wf["jobs"]["grade"], repo.path(), temp.path());
    Some((steps, Dirs { repo, temp }))
}

#[test]
fn the_github_workflow_downloads_the_release_checks_it_and_grades() {
    let Some(rel) = release() else { return };
    let Some((steps, dirs)) = github_run(&rel, &rel.sha256, false) else {
        return;
    };
    let repo = &dirs.repo;
    let codes: Vec<(&str, i32)> = steps.iter().map(|s| (s.name.as_str(), s.code)).collect();
    assert_eq!(codes, [("Download grade", 0), ("Grade", 0)], "{steps:#?}");
    assert!(
        steps[0].log.contains(": OK"),
        "sha256sum -c: {}",
        steps[0].log
    );
    let (failed, questions) = failures(&repo.path().join("grade.json"));
    assert_eq!(
        (failed, questions),
        (vec![], ALL.map(String::from).to_vec())
    );
    assert!(repo.path().join("grade-junit.xml").is_file());

    let (steps, dirs) = github_run(&rel, &rel.sha256, true).unwrap();
    let repo = &dirs.repo;
    assert_eq!(steps[1].code, 1, "{steps:#?}");
    let (failed, questions) = failures(&repo.path().join("grade.json"));
    assert_eq!(failed, broken_failures());
    assert_eq!(questions, ALL.map(String::from).to_vec());
    // An annotation for each failure, on q1's file, with its diagnosis.
    for id in BROKEN_FAILS {
        let line = steps[1]
            .log
            .lines()
            .find(|l| l.starts_with("::error ") && l.contains(&format!(",title={id} — ")))
            .unwrap_or_else(|| panic!("{id}: {}", steps[1].log));
        assert!(line.starts_with("::error file=./q1/serveur.py,"), "{line}");
        assert!(line.contains(&format!("[{BROKEN_CODE}]")), "{line}");
    }

    let (steps, dirs) = github_run(&rel, WRONG, false).unwrap();
    let repo = &dirs.repo;
    assert_eq!(steps.len(), 1, "nothing runs after the check: {steps:#?}");
    assert_ne!(steps[0].code, 0);
    assert!(steps[0].log.contains("FAILED"), "{}", steps[0].log);
    assert!(!repo.path().join("grade.json").exists());
    assert!(
        !dirs.temp.path().join("grade").exists(),
        "no unchecked grade"
    );
}

/// The GitLab job on a repository, as a GitLab runner's shell runs it:
/// `before_script` and `script` in one `bash -eo pipefail` (GitLab joins
/// them into one script), its `variables` in the environment, `TMPDIR` the
/// job's temporary folder. Its exit status and log (`None` without PyYAML).
fn gitlab_run(rel: &Release, sha256: &str, broken: bool) -> Option<(i32, String, Dirs)> {
    let repo = student_repo(broken);
    write_template("gitlab", &rel.url, sha256, repo.path());
    let doc = yaml_as_json(&repo.path().join(".gitlab-ci.yml"))?;
    let job = &doc["grade"];
    assert_eq!(job["image"], "python:3-bookworm");
    assert_eq!(job["artifacts"]["reports"]["junit"], "grade-junit.xml");
    let lines: Vec<&str> = ["before_script", "script"]
        .iter()
        .flat_map(|k| job[k].as_array().unwrap())
        .map(|l| l.as_str().unwrap())
        .collect();
    let temp = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(lines.join("\n"))
        .current_dir(repo.path())
        .env("TMPDIR", temp.path())
        .env("CI_PROJECT_DIR", repo.path())
        .env("GITLAB_CI", "true")
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    for (k, v) in job["variables"].as_object().unwrap() {
        cmd.env(k, v.as_str().unwrap());
    }
    let out = cmd.output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.code().unwrap_or(-1), log, Dirs { repo, temp }))
}

#[test]
fn the_gitlab_job_downloads_the_release_checks_it_and_grades() {
    let Some(rel) = release() else { return };
    let Some((code, log, dirs)) = gitlab_run(&rel, &rel.sha256, false) else {
        return;
    };
    assert_eq!(code, 0, "{log}");
    let (failed, questions) = failures(&dirs.repo.path().join("grade.json"));
    assert_eq!(
        (failed, questions),
        (vec![], ALL.map(String::from).to_vec())
    );

    let (code, log, dirs) = gitlab_run(&rel, &rel.sha256, true).unwrap();
    assert_eq!(code, 1, "{log}");
    let (failed, _) = failures(&dirs.repo.path().join("grade.json"));
    assert_eq!(failed, broken_failures());
    // What GitLab shows in the merge request: the JUnit failures.
    let junit = std::fs::read_to_string(dirs.repo.path().join("grade-junit.xml")).unwrap();
    assert_eq!(
        junit.matches(&format!("type=\"{BROKEN_CODE}\"")).count(),
        2,
        "{junit}"
    );

    let (code, log, dirs) = gitlab_run(&rel, WRONG, false).unwrap();
    assert_ne!(code, 0);
    assert!(log.contains("FAILED"), "{log}");
    assert!(!dirs.repo.path().join("grade.json").exists(), "{log}");
    assert!(!dirs.temp.path().join("grade").exists());
}

/// The Classroom workflow on a repository: its steps as they ran, each
/// question's result decoded as the reporter decodes it.
fn classroom_run(
    rel: &Release,
    sha256: &str,
    broken: bool,
) -> Option<Vec<(Step, Option<grade::report::classroom::RunnerResult>)>> {
    let repo = student_repo(broken);
    write_template("classroom", &rel.url, sha256, repo.path());
    let wf = yaml_as_json(&repo.path().join(".github/workflows/classroom.yml"))?;
    let job = &wf["jobs"]["run-autograding-tests"];
    let reporter = job["steps"].as_array().unwrap().last().unwrap();
    assert_eq!(reporter["with"]["runners"], "q1,q2,q3,q4");
    let temp = tempfile::tempdir().unwrap();
    let steps = run_job(job, repo.path(), temp.path());
    let decoded = steps
        .into_iter()
        .map(|s| {
            let result = s
                .outputs
                .lines()
                .find_map(|l| l.strip_prefix("result="))
                .map(|b64| grade::report::classroom::decode(b64).expect("a runner result"));
            (s, result)
        })
        .collect();
    Some(decoded)
}

#[test]
fn the_classroom_workflow_downloads_the_release_and_grades_each_question() {
    let Some(rel) = release() else { return };
    let Some(steps) = classroom_run(&rel, &rel.sha256, false) else {
        return;
    };
    let names: Vec<&str> = steps.iter().map(|(s, _)| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Download grade",
            "Grade q1",
            "Grade q2",
            "Grade q3",
            "Grade q4"
        ]
    );
    for (step, result) in &steps[1..] {
        assert_eq!(step.code, 0, "{}", step.log);
        let r = result.as_ref().expect("the step output `result`");
        assert_eq!(r.status, "pass", "{}", step.name);
        assert!(r.max_score > 0.0);
    }

    let steps = classroom_run(&rel, &rel.sha256, true).unwrap();
    // q1 fails; the steps go on (continue-on-error) and the others pass.
    let codes: Vec<i32> = steps.iter().map(|(s, _)| s.code).collect();
    assert_eq!(codes, [0, 1, 0, 0, 0]);
    let q1 = steps[1].1.as_ref().unwrap();
    assert_eq!(q1.status, "fail");
    let failed: Vec<&str> = q1
        .tests
        .iter()
        .filter(|t| t.status == "fail")
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    for (name, id) in failed.iter().zip(BROKEN_FAILS) {
        assert!(name.starts_with(id), "{name}");
    }

    let steps = classroom_run(&rel, WRONG, false).unwrap();
    assert_eq!(steps.len(), 1, "no question runs after the check");
    assert_ne!(steps[0].0.code, 0);
    assert!(steps[0].0.log.contains("FAILED"), "{}", steps[0].0.log);
}

/// A Gradescope `/autograder` with the bundle in `source/` and the
/// submission: `setup.sh` run with bash (as Gradescope builds the image;
/// python3, gcc and curl are there, so it installs nothing), its exit
/// status and log; then, if it succeeded, `run_autograder`'s results.json.
fn gradescope_run(rel: &Release, sha256: &str, broken: bool) -> (i32, String, Option<Value>) {
    let root = tempfile::tempdir().unwrap();
    write_template("gradescope", &rel.url, sha256, &root.path().join("source"));
    let repo = student_repo(broken);
    let submission = root.path().join("submission");
    std::fs::rename(repo.path(), &submission)
        .or_else(|_| copy_dir(repo.path(), &submission))
        .unwrap();
    let out = std::process::Command::new("bash")
        .arg(root.path().join("source/setup.sh"))
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if code != 0 {
        assert!(!root.path().join("source/grade").exists(), "{log}");
        return (code, log, None);
    }
    // No GRADE: the grade that setup.sh downloaded, source/grade.
    let results = run_grader(
        &root.path().join("source/run_autograder"),
        &[("AUTOGRADER_ROOT", root.path())],
        &root.path().join("results/results.json"),
    );
    (code, log, Some(results))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()))?;
        } else {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
    }
    Ok(())
}

/// Gradescope's failed tests (by id) and the questions of its tests.
fn gradescope_failures(v: &Value) -> (Vec<String>, Vec<String>) {
    let tests = v["tests"].as_array().unwrap();
    let failed = tests
        .iter()
        .filter(|t| t["status"] == "failed")
        .map(|t| t["extra_data"]["id"].as_str().unwrap().to_string())
        .collect();
    let mut questions: Vec<String> = tests
        .iter()
        .map(|t| t["extra_data"]["id"].as_str().unwrap()[..2].to_string())
        .collect();
    questions.dedup();
    (failed, questions)
}

#[test]
fn the_gradescope_setup_downloads_the_release_and_run_autograder_grades() {
    let Some(rel) = release() else { return };
    for tool in ["python3", "gcc"] {
        // Else setup.sh would apt-get them.
        if tools::require(tool, tool).is_none() {
            return;
        }
    }
    let (code, log, v) = gradescope_run(&rel, &rel.sha256, false);
    assert_eq!(code, 0, "{log}");
    let v = v.unwrap();
    assert_eq!(
        gradescope_failures(&v),
        (vec![], ALL.map(String::from).to_vec())
    );
    assert_eq!(v["score"], v["extra_data"]["max_score"]);

    // run_autograder exits 0 either way (Gradescope's contract): the
    // failure is in results.json.
    let (code, log, v) = gradescope_run(&rel, &rel.sha256, true);
    assert_eq!(code, 0, "{log}");
    let v = v.unwrap();
    let (failed, _) = gradescope_failures(&v);
    assert_eq!(failed, BROKEN_FAILS.map(String::from).to_vec());
    let split = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["extra_data"]["id"] == BROKEN_FAILS[0])
        .unwrap();
    assert_eq!(split["extra_data"]["diagnosis"], BROKEN_CODE, "{split:#}");

    let (code, log, v) = gradescope_run(&rel, WRONG, false);
    assert_ne!(code, 0);
    assert!(log.contains("FAILED"), "{log}");
    assert!(v.is_none());
}

/// `grade ci devcontainer`'s postCreateCommand run in the repository with
/// bash, `GRADE_DIR` a temporary folder: its exit status and log, and the
/// folder.
fn devcontainer_run(rel: &Release, sha256: &str, repo: &Path) -> (i32, String, tempfile::TempDir) {
    write_template("devcontainer", &rel.url, sha256, repo);
    let json = std::fs::read_to_string(repo.join(".devcontainer/devcontainer.json")).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(v["image"].as_str().unwrap().contains("python"), "{v}");
    assert_eq!(v["runArgs"][0], "--platform=linux/amd64");
    let command = v["postCreateCommand"].as_str().unwrap();
    assert_eq!(command, "bash .devcontainer/install-grade.sh");
    let bin = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("bash")
        .args(["-c", command])
        .current_dir(repo)
        .env("GRADE_DIR", bin.path())
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), log, bin)
}

#[test]
fn the_devcontainer_installs_the_release_and_the_student_grades_with_it() {
    let Some(rel) = release() else { return };
    let repo = student_repo(false);
    let (code, log, bin) = devcontainer_run(&rel, &rel.sha256, repo.path());
    assert_eq!(code, 0, "{log}");
    // What the student then types in the container's terminal.
    let installed = bin.path().join("grade");
    let student = |repo: &Path| {
        std::process::Command::new(&installed)
            .args([
                "--submission",
                ".",
                "--format",
                "json",
                "--output",
                "r.json",
            ])
            .current_dir(repo)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(student(repo.path()), Some(0));
    let (failed, questions) = failures(&repo.path().join("r.json"));
    assert_eq!(
        (failed, questions),
        (vec![], ALL.map(String::from).to_vec())
    );
    let broken = student_repo(true);
    assert_eq!(student(broken.path()), Some(1));
    assert_eq!(failures(&broken.path().join("r.json")).0, broken_failures());

    let other = student_repo(false);
    let (code, log, bin) = devcontainer_run(&rel, WRONG, other.path());
    assert_ne!(code, 0);
    assert!(log.contains("FAILED"), "{log}");
    assert!(!bin.path().join("grade").exists());
}

/// The download's options, checked before anything is written; without
/// `--sha256`, the pin is this binary's own, said on standard error.
#[test]
fn the_download_options_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let ci = |args: &[&str]| {
        let mut c = Command::cargo_bin("grade").unwrap();
        c.arg("ci").args(args).arg("--dir").arg(dir.path());
        c.assert()
    };
    for (args, says) in [
        (&["github", "--sha256", "abc"][..], "not a SHA-256"),
        (
            &["prairielearn", "--sha256", WRONG],
            "copies this grade binary",
        ),
        (
            &["gradescope", "--cargo-install"],
            "--cargo-install is for github",
        ),
        (
            &["devcontainer", "--cargo-install"],
            "--cargo-install is for github",
        ),
        (
            &["gitlab", "--cargo-install", "--sha256", WRONG],
            "cannot be used with",
        ),
    ] {
        ci(args).code(2).stderr(predicates::str::contains(says));
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let me = assert_cmd::cargo::cargo_bin("grade");
    let sha256 = std::process::Command::new("sha256sum")
        .arg(&me)
        .output()
        .unwrap()
        .stdout;
    let sha256 = String::from_utf8(sha256).unwrap()[..64].to_string();
    ci(&["gitlab", "--release-url", "https://files.example.edu/grade"])
        .code(0)
        .stderr(format!(
            "grade: the templates download https://files.example.edu/grade and run it only if its SHA-256 is {sha256}, this binary's ({}): write them with the release binary, or give --sha256\n",
            me.display()
        ));
    let written = std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).unwrap();
    assert!(
        written.contains(&format!("GRADE_SHA256: \"{sha256}\"")),
        "{written}"
    );
}

/// A class of five students (folders of q1 servers from the gallery) in
/// `dir/submissions`.
fn small_class(dir: &Path) {
    for (student, fx) in [
        ("ada", "q1/framed_recv.py"),
        ("bob", "q1/split_line.py"),
        ("chloe", "q1/framed_recv.py"),
        ("dan", "q1/split_line.py"),
        ("eve", "q1/framed_recv.py"),
    ] {
        let p = dir.join("submissions").join(student).join("serveur.py");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::copy(crate::refutil::fixtures_dir().join(fx), p).unwrap();
    }
}

/// The class graded in one run (its reports aside): its gradebook's
/// lines, sorted.
fn unsharded(dir: &Path) -> Vec<String> {
    let reports = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("grade")
        .unwrap()
        .current_dir(dir)
        .args([
            "batch",
            "submissions",
            "-q",
            "q1",
            "-s",
            "q1.server.split-line",
            "--no-cache",
        ])
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sorted_lines(&String::from_utf8_lossy(&out.stdout))
}

fn sorted_lines(csv: &str) -> Vec<String> {
    let mut v: Vec<String> = csv.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// `grade ci TARGET` for the class, in 3 parts, q1's split-line scenario.
fn write_batch_template(target: &str, rel: &Release, dir: &Path) {
    Command::cargo_bin("grade")
        .unwrap()
        .args([
            "ci",
            target,
            "--shards",
            "3",
            "-q",
            "q1",
            "--release-url",
            &rel.url,
            "--sha256",
        ])
        .arg(&rel.sha256)
        .arg("--dir")
        .arg(dir)
        .assert()
        .success();
}

fn bash(script: &str, dir: &Path, env: &[(&str, String)]) {
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Slurm array's three tasks, run one after the other as Slurm would
/// on three nodes, then the gradebook job: the same gradebook as one run.
#[test]
fn the_slurm_array_grades_the_class_in_parts_and_merges_them() {
    let Some(rel) = release() else { return };
    let dir = tempfile::tempdir().unwrap();
    small_class(dir.path());
    write_batch_template("batch-slurm", &rel, dir.path());
    let script = std::fs::read_to_string(dir.path().join("grade-class.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=1-3"), "{script}");
    // Only this scenario, to keep the test short: the template's options.
    let script = script.replace("-q q1", "-q q1 -s q1.server.split-line");
    for task in 1..=3 {
        let env = [
            ("SLURM_ARRAY_TASK_ID", task.to_string()),
            ("SLURM_ARRAY_TASK_MIN", "1".to_string()),
            ("SLURM_ARRAY_TASK_COUNT", "3".to_string()),
            ("SLURM_SUBMIT_DIR", dir.path().display().to_string()),
        ];
        bash(&script, dir.path(), &env);
    }
    let merge = std::fs::read_to_string(dir.path().join("grade-gradebook.sbatch")).unwrap();
    bash(&merge, dir.path(), &[]);
    let gradebook = std::fs::read_to_string(dir.path().join("gradebook.csv")).unwrap();
    assert_eq!(sorted_lines(&gradebook), unsharded(dir.path()));
    assert!(dir.path().join("class.html").is_file());
    assert_eq!(
        std::fs::read_dir(dir.path().join("parts")).unwrap().count(),
        3
    );
}

/// GitLab's `parallel: 3` job run as its three nodes (CI_NODE_INDEX,
/// CI_NODE_TOTAL), then the gradebook job: the same gradebook as one run.
#[test]
fn the_gitlab_parallel_job_grades_the_class_in_parts_and_merges_them() {
    let Some(rel) = release() else { return };
    let dir = tempfile::tempdir().unwrap();
    small_class(dir.path());
    write_batch_template("batch-gitlab", &rel, dir.path());
    let Some(ci) = yaml_as_json(&dir.path().join(".gitlab-ci.yml")) else {
        return;
    };
    let job = &ci["grade-class"];
    assert_eq!(job["parallel"], 3, "{ci}");
    assert_eq!(ci["gradebook"]["needs"][0], "grade-class", "{ci}");
    let lines = |job: &Value, key: &str| -> String {
        job[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let vars = |job: &Value| -> Vec<(&str, String)> {
        ["GRADE_URL", "GRADE_SHA256"]
            .into_iter()
            .map(|k| (k, job["variables"][k].as_str().unwrap().to_string()))
            .collect()
    };
    let tmp = tempfile::tempdir().unwrap();
    let script = format!("{}\n{}", lines(job, "before_script"), lines(job, "script"))
        .replace("-q q1", "-q q1 -s q1.server.split-line");
    for node in 1..=3 {
        let mut env = vars(job);
        env.push(("CI_NODE_INDEX", node.to_string()));
        env.push(("CI_NODE_TOTAL", "3".to_string()));
        env.push(("TMPDIR", tmp.path().display().to_string()));
        bash(&script, dir.path(), &env);
    }
    let merge = &ci["gradebook"];
    let mut env = vars(merge);
    env.push(("TMPDIR", tmp.path().display().to_string()));
    bash(
        &format!(
            "{}\n{}",
            lines(merge, "before_script"),
            lines(merge, "script")
        ),
        dir.path(),
        &env,
    );
    let gradebook = std::fs::read_to_string(dir.path().join("gradebook.csv")).unwrap();
    assert_eq!(sorted_lines(&gradebook), unsharded(dir.path()));
}

/// The GitHub matrix and the Kubernetes Indexed Job, read back: one job
/// (or index) per part, each passing its part, and the parts merged.
#[test]
fn the_github_matrix_and_the_kubernetes_job_pass_each_part() {
    let Some(rel) = release() else { return };
    let dir = tempfile::tempdir().unwrap();
    write_batch_template("batch-github", &rel, dir.path());
    write_batch_template("batch-kubernetes", &rel, dir.path());
    let Some(gh) = yaml_as_json(&dir.path().join(".github/workflows/grade-class.yml")) else {
        return;
    };
    let grade = &gh["jobs"]["grade"];
    assert_eq!(
        grade["strategy"]["matrix"]["shard"],
        serde_json::json!([1, 2, 3]),
        "{gh}"
    );
    let runs: Vec<&str> = grade["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        runs.iter().any(
            |r| r.contains("batch 'submissions' --shard ${{ matrix.shard }}/3")
                || r.contains("batch submissions --shard ${{ matrix.shard }}/3")
        ),
        "{runs:#?}"
    );
    assert!(runs.iter().any(|r| r.contains("sha256sum -c")), "{runs:#?}");
    assert_eq!(gh["jobs"]["gradebook"]["needs"], "grade", "{gh}");
    let Some(k8s) = yaml_as_json(&dir.path().join("grade-class-job.yaml")) else {
        return;
    };
    assert_eq!(k8s["kind"], "Job");
    assert_eq!(k8s["spec"]["completionMode"], "Indexed");
    assert_eq!(k8s["spec"]["completions"], 3);
    let c = &k8s["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["env"][0],
        serde_json::json!({"name": "GRADE_SHARD_TOTAL", "value": "3"})
    );
    let script = c["args"][0].as_str().unwrap();
    assert!(script.contains("sha256sum -c"), "{script}");
    assert!(script.contains("--shard auto"), "{script}");
}

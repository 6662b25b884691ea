//! The sandbox, tried by hostile programs graded by the real `grade`
//! binary, as root and as an ordinary user: no host file written or read
//! beyond its view, no identity or capability, no process of the host
//! within reach (`fixtures/hostile/escapes.py`, `kill_everything.py`).

use crate::refutil::{fixtures_dir, processes_with, tools, unique};
use grade_sandbox::world::layers::Layers;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SAFETY: Duration = Duration::from_secs(120);

fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join("hostile").join(name)
}

/// Every file under `dir`, with its content.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// Whether this machine gives programs every layer (as the user running
/// the tests); otherwise says why the test is skipped (a failure on CI).
fn full_sandbox() -> bool {
    let layers = Layers::probe(Vec::new(), Vec::new());
    tools::require_that(
        layers.pid_namespace && layers.filesystem.is_some(),
        "pid and mount namespaces for the sandbox",
        "a machine that allows them (root, or unprivileged user namespaces)",
    )
}

/// The grader's working folder: a file of its own, and a folder of the
/// instructor's tests to `--hide`.
fn grader_folder() -> (tempfile::TempDir, PathBuf) {
    let grader = tempfile::tempdir().unwrap();
    std::fs::write(grader.path().join("existing.txt"), "the grader's\n").unwrap();
    let hidden = grader.path().join("hidden");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::write(hidden.join("tests.py"), "secret tests\n").unwrap();
    (grader, hidden)
}

/// Grades `escapes.py` as a q1 server from `grader_dir` (the grader's
/// working directory), as the current user or (`as_nobody`) through
/// setpriv as uid 65534; it tries to write each of `writes` and read each
/// of `reads`, with `hide` given to `--hide`. The report, and what it
/// printed.
fn grade_escapes(
    grader_dir: &Path,
    as_nobody: Option<&Path>,
    (writes, reads): (&[PathBuf], &[PathBuf]),
    hide: &Path,
    home: Option<&Path>,
) -> (serde_json::Value, Vec<String>) {
    let marker = unique("grade-escapes");
    let mut program = format!("python3 '{}' {marker}", fixture("escapes.py").display());
    for w in writes {
        program += &format!(" '{}'", w.display());
    }
    program += " --";
    for r in reads {
        program += &format!(" '{}'", r.display());
    }
    let report = grader_dir.join("report.json");
    let mut cmd = match as_nobody {
        Some(setpriv) => {
            let mut c = Command::new(setpriv);
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_grade"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_grade")),
    };
    if let Some(h) = home {
        cmd.env("HOME", h);
    }
    cmd.current_dir(grader_dir)
        .arg("--server")
        .arg(program)
        .args(["-s", "q1.server.listens", "--format", "json", "--report"])
        .arg(format!("json={}", report.display()))
        .arg("--hide")
        .arg(hide);
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(SAFETY)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(processes_with(&marker).is_empty(), "left running");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = crate::refutil::printed(&json, 0);
    // The report file is grade's, whatever the program tried.
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).expect("the report is JSON");
    assert_eq!(written["scenarios"][0]["status"], "pass");
    (json, lines)
}

/// The paths a hostile program tries to write, as seen from the host: the
/// grader's working directory (a new file and an existing one), beside the
/// grade binary, the report path, the host's /tmp, and `home` (when
/// writable by the test's user).
fn targets(grader_dir: &Path, home: Option<&Path>, tag: &str) -> Vec<PathBuf> {
    let exe_dir = Path::new(env!("CARGO_BIN_EXE_grade")).parent().unwrap();
    let mut out = vec![
        grader_dir.join("new.txt"),
        grader_dir.join("existing.txt"),
        grader_dir.join("report.json"),
        exe_dir.join(format!("{tag}.txt")),
        std::env::temp_dir().join(format!("{tag}.txt")),
    ];
    out.extend(home.map(|h| h.join(format!("{tag}.txt"))));
    out
}

fn check_nothing_escaped(lines: &[String], writes: &[PathBuf], reads: &[PathBuf]) {
    for w in writes {
        // In the host's /tmp, the program writes its own private /tmp:
        // what counts is that the host's has no such file.
        let private = w.parent() == Some(std::env::temp_dir().as_path());
        let line = format!("write {} refused", w.display());
        assert!(
            private || lines.iter().any(|l| l.starts_with(&line)),
            "{line}: {lines:#?}"
        );
        if !w.ends_with("existing.txt") && !w.ends_with("report.json") {
            assert!(!w.exists(), "{} was created on the host", w.display());
        }
    }
    for r in reads {
        let line = format!("read {} refused", r.display());
        assert!(
            lines.iter().any(|l| l.starts_with(&line)),
            "{line}: {lines:#?}"
        );
    }
    // What it may write: its working directory and its own /tmp.
    for ok in ["write cwd ok", "write tmp ok", "NoNewPrivs: 1"] {
        assert!(lines.iter().any(|l| l == ok), "{ok}: {lines:#?}");
    }
    for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        let line = format!("{set}: 0000000000000000");
        assert!(lines.contains(&line), "{line}: {lines:#?}");
    }
    // Its own processes only: itself, and the namespace's init.
    assert!(lines.contains(&"parent 1".to_string()), "{lines:#?}");
    let seen = lines
        .iter()
        .find_map(|l| l.strip_prefix("pids seen "))
        .unwrap();
    assert!(seen.parse::<u32>().unwrap() <= 3, "{lines:#?}");
}

#[test]
fn as_root_a_program_writes_nothing_of_the_host_reads_no_secret_and_is_nobody() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("not root: the root run is not checked here: skipped");
        return;
    }
    if !full_sandbox() {
        return;
    }
    let (grader, hidden) = grader_folder();
    let before = snapshot(grader.path());
    let tag = unique("grade-escape");
    // The grader's home, with a key in it: outside /tmp (hidden anyway),
    // wherever it is, it is hidden.
    let home = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::create_dir(home.path().join(".ssh")).unwrap();
    std::fs::write(home.path().join(".ssh/id_ed25519"), "PRIVATE KEY\n").unwrap();
    let home_before = snapshot(home.path());
    let writes = targets(grader.path(), Some(home.path()), &tag);
    let reads = vec![
        PathBuf::from("/etc/shadow"),
        hidden.join("tests.py"),
        home.path().join(".ssh/id_ed25519"),
    ];
    let (json, lines) = grade_escapes(
        grader.path(),
        None,
        (&writes, &reads),
        &hidden,
        Some(home.path()),
    );
    assert_eq!(snapshot(home.path()), home_before);
    check_nothing_escaped(&lines, &writes, &reads);
    assert!(lines.contains(&"uid 65534".to_string()), "{lines:#?}");
    let sandbox = &json["sandbox"];
    for layer in [
        "filesystem",
        "pid_namespace",
        "unprivileged_user",
        "no_privileges",
    ] {
        assert_eq!(sandbox[layer], true, "{layer}: {sandbox}");
    }
    // Byte for byte, the grader's folder is as it was but for the report.
    let mut after = snapshot(grader.path());
    assert!(after.remove(&grader.path().join("report.json")).is_some());
    assert_eq!(before, after);
}

#[test]
fn as_an_ordinary_user_a_program_writes_nothing_of_the_host() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("not root: cannot switch to another user here: skipped");
        return;
    }
    let Some(setpriv) = tools::require("setpriv", "util-linux") else {
        return;
    };
    // The grader's folder belongs to the ordinary user (65534 here).
    let (grader, hidden) = grader_folder();
    for p in [
        grader.path(),
        &hidden,
        &grader.path().join("existing.txt"),
        &hidden.join("tests.py"),
    ] {
        std::os::unix::fs::chown(p, Some(65534), Some(65534)).unwrap();
    }
    let before = snapshot(grader.path());
    let tag = unique("grade-escape");
    let writes = targets(grader.path(), None, &tag);
    let reads = vec![hidden.join("tests.py")];
    let probe = Command::new(&setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_grade"))
        .args([
            "--reference",
            "-s",
            "q1.server.listens",
            "--sandbox",
            "strict",
        ])
        .current_dir(grader.path())
        .output()
        .unwrap();
    if !tools::require_that(
        probe.status.code() == Some(0),
        "the full sandbox for an ordinary user (unprivileged user namespaces)",
        "a kernel that allows unprivileged user namespaces",
    ) {
        return;
    }
    let (json, lines) = grade_escapes(
        grader.path(),
        Some(&setpriv),
        (&writes, &reads),
        &hidden,
        None,
    );
    check_nothing_escaped(&lines, &writes, &reads);
    assert_eq!(json["sandbox"]["filesystem"], true);
    let mut after = snapshot(grader.path());
    assert!(after.remove(&grader.path().join("report.json")).is_some());
    assert_eq!(before, after);
}

/// `kill(-1, SIGKILL)` from the student's main process and from its child:
/// grade finishes and reports, and a process of the host (a sentinel the
/// test started) lives on. The fixture acts only inside the sandbox.
#[test]
fn kill_minus_one_reaches_nothing_outside_the_program() {
    if !full_sandbox() {
        return;
    }
    let marker = unique("grade-killall");
    let mut sentinel = Command::new("sleep").arg("300").spawn().unwrap();
    let host_ns = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grade"));
    cmd.arg("--server")
        .arg(format!(
            "python3 '{}' {marker} '{}'",
            fixture("kill_everything.py").display(),
            host_ns.display()
        ))
        .args(["-s", "q1.server.listens", "--format", "json"]);
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(SAFETY)
        .output()
        .unwrap();
    let alive = sentinel.try_wait().unwrap().is_none();
    let _ = sentinel.kill();
    let _ = sentinel.wait();
    assert!(alive, "kill(-1) reached a process of the host");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = crate::refutil::printed(&json, 0);
    assert!(
        lines.contains(&"inside the sandbox".to_string()),
        "{lines:#?}"
    );
    assert_eq!(json["scenarios"][0]["status"], "fail");
    assert!(processes_with(&marker).is_empty(), "left running");
}

/// Where namespaces are refused (`GRADE_NO_NAMESPACES=1`), Landlock's
/// write scope is the wall: the program writes its working directory and
/// /tmp, never the grader's folder or a path beside the grade binary.
#[test]
fn without_namespaces_landlock_keeps_the_grader_s_files_unwritten() {
    if !tools::require_that(
        grade_sandbox::world::landlock::writes_scoped(),
        "Landlock (ABI 1)",
        "Linux 5.13 or later, with Landlock enabled",
    ) {
        return;
    }
    let (grader, hidden) = grader_folder();
    let before = snapshot(grader.path());
    let tag = unique("grade-escape");
    let exe_dir = Path::new(env!("CARGO_BIN_EXE_grade")).parent().unwrap();
    let writes = vec![
        grader.path().join("new.txt"),
        grader.path().join("existing.txt"),
        exe_dir.join(format!("{tag}.txt")),
    ];
    let marker = unique("grade-escapes");
    // On the host's loopback: a port of its own.
    let port = crate::refutil::free_port();
    let mut program = format!(
        "python3 '{}' {marker} --port={port}",
        fixture("escapes.py").display()
    );
    for w in &writes {
        program += &format!(" '{}'", w.display());
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grade"));
    cmd.current_dir(grader.path())
        .env("GRADE_NO_NAMESPACES", "1")
        .arg("--server")
        .arg(program)
        .args(["-s", "q1.server.listens", "--format", "json", "--port"])
        .arg(port.to_string());
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(SAFETY)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["sandbox"]["write_scope"], true, "{}", json["sandbox"]);
    assert_eq!(json["sandbox"]["filesystem"], false, "{}", json["sandbox"]);
    let lines = crate::refutil::printed(&json, 0);
    for w in &writes {
        let line = format!("write {} refused", w.display());
        assert!(
            lines.iter().any(|l| l.starts_with(&line)),
            "{line}: {lines:#?}"
        );
    }
    assert!(lines.contains(&"write cwd ok".to_string()), "{lines:#?}");
    assert!(!exe_dir.join(format!("{tag}.txt")).exists());
    assert_eq!(snapshot(grader.path()), before);
    let _ = hidden;
    assert!(processes_with(&marker).is_empty(), "left running");
}

/// A correct server saved right in /tmp (not in a folder of its own): the
/// sandbox's /tmp is private, so the script alone is bound back into it
/// (the host's /tmp bound back instead made every start fail, EROFS).
#[test]
fn a_program_right_in_tmp_still_runs() {
    if !full_sandbox() {
        return;
    }
    let script = tempfile::Builder::new()
        .prefix("grade-direct-")
        .suffix(".py")
        .tempfile_in("/tmp")
        .unwrap();
    std::fs::copy(
        fixtures_dir().join("q1").join("makefile_lines.py"),
        script.path(),
    )
    .unwrap();
    // Readable by `nobody`, as a student's file is.
    std::fs::set_permissions(
        script.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grade"));
    cmd.arg("--server")
        .arg(script.path())
        .args(["-q", "q1", "--format", "json"]);
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(SAFETY)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["score"],
        json["max_score"],
        "{}",
        serde_json::to_string_pretty(&json["scenarios"]).unwrap()
    );
    assert_eq!(out.status.code(), Some(0));
}

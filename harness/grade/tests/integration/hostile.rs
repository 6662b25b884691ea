//! Hostile programs (`fixtures/hostile/`), each graded by the real `grade`
//! binary: a verdict in bounded time, exit status 1, nothing of the program
//! left in the process table afterwards, and nothing of the caller's
//! environment in the report. Also: Ctrl-C on `grade` mid-scenario, and two
//! runs at once while the host's 127.0.0.1:8080 is taken.

use crate::refutil::{processes_with, tools, unique};

use assert_cmd::Command;
use std::io::Read;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Safety net for one `grade` run (the runs take seconds).
const SAFETY: Duration = Duration::from_secs(120);
/// What "a verdict in bounded time" means here: the deadlines of the
/// scenarios run, with room for a loaded machine.
const BOUNDED: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> PathBuf {
    crate::refutil::fixtures_dir().join("hostile").join(name)
}

struct Graded {
    json: serde_json::Value,
    stdout: Vec<u8>,
    /// (status, diagnosis code) per scenario, in order.
    verdicts: Vec<(String, String)>,
}

/// Grades `python3 FIXTURE MARKER` as a q1 server on the given scenarios,
/// with a secret in the caller's environment, and checks what every
/// hostile run must give.
#[track_caller]
fn grade_hostile(file: &str, scenarios: &[&str], format: &str) -> Graded {
    grade_as("--server", file, scenarios, format, &[])
}

/// `grade_hostile` for either side (`--server`, `--client`), a Python or C
/// fixture, with more arguments for `grade`.
#[track_caller]
fn grade_as(side: &str, file: &str, scenarios: &[&str], format: &str, more: &[&str]) -> Graded {
    let marker = unique("grade-hostile");
    let secret = unique("s3cret");
    let program = if file.ends_with(".c") {
        format!("'{}' {marker}", fixture(file).display())
    } else {
        format!("python3 '{}' {marker}", fixture(file).display())
    };
    let mut cmd = Command::cargo_bin("grade").unwrap();
    cmd.env("GRADE_SECRET_TOKEN", &secret)
        .env("PYTHONUNBUFFERED", "1")
        .arg(side)
        .arg(program)
        .args(["--format", format])
        .args(more)
        .timeout(SAFETY);
    for s in scenarios {
        cmd.args(["-s", s]);
    }
    let t = Instant::now();
    let out = cmd.output().unwrap();
    let took = t.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{file}: exit status\n{stdout}\n{stderr}"
    );
    assert!(took < BOUNDED, "{file}: took {took:?}");
    let left = processes_with(&marker);
    assert!(
        left.is_empty(),
        "{file}: left running after grade ended:\n{left:#?}"
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains(&secret) && !text.contains("GRADE_SECRET_TOKEN"),
            "{file}: the caller's environment reached the report"
        );
        assert!(
            !text.contains("PYTHONUNBUFFERED"),
            "{file}: caller's PYTHONUNBUFFERED"
        );
    }
    let json = if format == "json" {
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{file}: {e}\n{stdout}"))
    } else {
        serde_json::Value::Null
    };
    let verdicts = json["scenarios"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let code = s["diagnosis"]["code"].as_str().unwrap_or("").to_string();
                    (s["status"].as_str().unwrap().to_string(), code)
                })
                .collect()
        })
        .unwrap_or_default();
    Graded {
        json,
        stdout: out.stdout,
        verdicts,
    }
}

fn fail(code: &str) -> (String, String) {
    ("fail".into(), code.into())
}

fn message(g: &Graded, k: usize) -> String {
    g.json["scenarios"][k]["diagnosis"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_fork_bomb_stops_at_the_process_limit_and_every_child_is_reaped() {
    let g = grade_hostile("fork_bomb.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("limit")]);
    assert!(message(&g, 0).contains("processes"), "{}", message(&g, 0));
}

#[test]
fn an_endless_printer_is_an_output_flood_with_head_and_tail_kept() {
    let g = grade_hostile("endless_printer.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("output-flood")]);
    let tr = g.json["scenarios"][0]["transcript"].as_array().unwrap();
    let dropped = tr
        .iter()
        .position(|e| e["event"] == "output-dropped")
        .expect("the dropped output is counted");
    let printed_before = tr[..dropped].iter().any(|e| e["event"] == "printed");
    let printed_after = tr[dropped..].iter().any(|e| e["event"] == "printed");
    assert!(printed_before && printed_after, "head and tail are kept");
}

/// Grades a flooding fixture with the JSON report on standard output and
/// every other format written alongside (`--report`), and checks that each
/// report fits the budget of 2 MiB.
#[track_caller]
fn grade_flood(side: &str, file: &str, scenarios: &[&str]) -> Graded {
    let dir = tempfile::tempdir().unwrap();
    let formats = [
        "human",
        "junit",
        "gradescope",
        "prairielearn",
        "autolab",
        "tap",
        "html",
        "github",
        "markdown",
        "classroom",
    ];
    let args: Vec<String> = formats
        .iter()
        .flat_map(|f| {
            [
                "--report".to_string(),
                format!("{f}={}", dir.path().join(f).display()),
            ]
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let g = grade_as(side, file, scenarios, "json", &args);
    const BUDGET: usize = 2 << 20;
    assert!(
        g.stdout.len() < BUDGET,
        "{file}: json: {} bytes",
        g.stdout.len()
    );
    for f in formats {
        let size = std::fs::metadata(dir.path().join(f)).unwrap().len() as usize;
        assert!(size < BUDGET, "{file}: {f}: {size} bytes");
        assert!(size > 0, "{file}: {f}: empty");
    }
    // GitHub Classroom's result goes through one environment variable
    // (128 KiB at most on Linux): within 64 KiB, every scenario still there.
    let b64 = std::fs::read_to_string(dir.path().join("classroom")).unwrap();
    let b64 = b64.trim_end();
    assert!(
        b64.len() <= 64 * 1024,
        "{file}: classroom: {} bytes",
        b64.len()
    );
    let result = grade::report::classroom::decode(b64).expect("base64 of a runner result");
    assert_eq!(result.tests.len(), g.verdicts.len(), "{file}: classroom");
    assert_eq!(result.status, "fail", "{file}: classroom");
    g
}

/// The transcript of scenario `k` as (actor, event, text).
fn events(g: &Graded, k: usize) -> Vec<(String, String, String)> {
    g.json["scenarios"][k]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (s("actor"), s("event"), s("text"))
        })
        .collect()
}

#[test]
fn the_endless_resender_is_an_output_flood_with_bounded_reports() {
    // At end of input fgets() returns NULL and the buffer is sent again,
    // forever: only q2.client.eof types it during the steps. Each send is
    // sizeof(buf): the line, then the buffer's NULs (`extra-bytes`).
    let g = grade_flood(
        "--client",
        "resender.c",
        &["q2.client.sends-lines", "q2.client.eof"],
    );
    assert_eq!(g.verdicts, [fail("extra-bytes"), fail("output-flood")]);
    assert!(
        message(&g, 1).contains("sends without end"),
        "{}",
        message(&g, 1)
    );
    let ev = events(&g, 1);
    let dropped = ev
        .iter()
        .position(|(a, e, _)| a == "peer" && e == "output-dropped")
        .expect("what the peer did not keep is counted");
    assert!(ev[dropped].2.contains("lines dropped"), "{:?}", ev[dropped]);
    // The head holds what came first, the tail what came last.
    assert!(ev[..dropped]
        .iter()
        .any(|(_, e, t)| e == "received" && t.starts_with("Bonjour\\n")));
    assert!(ev[dropped..].iter().any(|(_, e, _)| e == "received"));
    // Control events are all there: every step, the limit, the end.
    let kinds: Vec<&str> = ev.iter().map(|(_, e, _)| e.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "step").count(),
        7,
        "{kinds:?}"
    );
    for k in ["limit", "typed-eof", "exited", "teardown"] {
        assert!(kinds.contains(&k), "{k} missing: {kinds:?}");
    }
}

#[test]
fn a_flood_of_empty_lines_is_an_output_flood_with_bounded_reports() {
    let g = grade_flood(
        "--server",
        "empty_lines.py",
        &[
            "q1.server.listens",
            "q1.server.prints-lines",
            "q1.server.client-leaves",
        ],
    );
    assert_eq!(g.verdicts, vec![fail("output-flood"); 3]);
    let ev = events(&g, 0);
    let dropped = ev
        .iter()
        .position(|(_, e, _)| e == "output-dropped")
        .expect("the dropped lines are counted");
    assert!(ev[dropped].2.contains("lines dropped"), "{:?}", ev[dropped]);
}

#[test]
fn one_endless_line_is_an_output_flood_with_bounded_reports() {
    let g = grade_flood("--server", "endless_line.py", &["q1.server.listens"]);
    assert_eq!(g.verdicts, [fail("output-flood")]);
    // Its head is kept: the words it printed first.
    assert!(events(&g, 0)
        .iter()
        .any(|(_, e, t)| e == "printed" && t.starts_with("word0 word1 ")));
}

#[test]
fn a_flood_of_nuls_is_an_output_flood_with_bounded_reports() {
    let g = grade_flood(
        "--server",
        "nul_flood.py",
        &["q1.server.listens", "q1.server.prints-lines"],
    );
    assert_eq!(g.verdicts, vec![fail("output-flood"); 2]);
}

#[test]
fn a_client_sending_forever_without_newline_is_an_output_flood() {
    let g = grade_flood(
        "--client",
        "sends_without_newline.py",
        &["q2.client.sends-lines"],
    );
    assert_eq!(g.verdicts, [fail("output-flood")]);
    assert!(
        message(&g, 0).contains("Bonjour Bonjour"),
        "{}",
        message(&g, 0)
    );
}

#[test]
fn a_program_that_ignores_every_signal_is_killed() {
    let g = grade_hostile("ignores_signals.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("not-listening")]);
}

#[test]
fn a_double_forked_escapee_in_its_own_session_is_killed() {
    let g = grade_hostile("double_fork.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("crashed")]);
}

#[test]
fn a_daemon_that_keeps_8080_after_its_visible_process_exits_is_killed() {
    // It listens, so the first scenario passes; the lines it never prints
    // fail the second. Each scenario's daemon must be gone at its end.
    let g = grade_hostile(
        "daemon_8080.py",
        &["q1.server.listens", "q1.server.prints-lines"],
        "json",
    );
    assert_eq!(g.verdicts[0].0, "pass");
    assert_eq!(g.verdicts[1].0, "fail");
}

#[test]
fn a_program_printing_its_environment_shows_only_the_minimal_one() {
    let g = grade_hostile("prints_env.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("not-listening")]);
    let printed = crate::refutil::printed(&g.json, 0);
    let names: Vec<&str> = printed
        .iter()
        .take_while(|l| *l != "end of environment")
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .collect();
    // Python may add LC_CTYPE when it coerces the C locale.
    let allowed = ["HOME", "LANG", "PATH", "TERM", "LC_CTYPE"];
    assert!(
        names.iter().all(|n| allowed.contains(n)) && names.contains(&"PATH"),
        "{names:?}"
    );
    assert!(printed.iter().any(|l| l == "LANG=C.UTF-8"));
}

#[test]
fn a_program_that_closes_its_terminal_is_graded_and_killed() {
    let g = grade_hostile(
        "closes_terminal.py",
        &["q1.server.listens", "q1.server.prints-lines"],
        "json",
    );
    assert_eq!(g.verdicts[0].0, "pass");
    assert_eq!(g.verdicts[1], fail("missing-line"));
}

#[test]
fn invalid_utf8_and_control_sequences_never_reach_the_reports_raw() {
    let scenarios = ["q1.server.listens", "q1.server.prints-lines"];
    let g = grade_hostile("garbage_output.py", &scenarios, "json");
    assert_eq!(g.verdicts[1].0, "fail");
    let text = String::from_utf8(g.stdout).expect("the JSON report is UTF-8");
    assert!(
        text.contains("\\\\xff"),
        "bytes that are not UTF-8 show as \\xNN"
    );
    let human = grade_hostile("garbage_output.py", &scenarios, "human");
    let human = String::from_utf8(human.stdout).expect("the human report is UTF-8");
    for c in human.chars() {
        assert!(
            !c.is_control() || c == '\n' || c == '\t',
            "control character {c:?} in the human report:\n{human}"
        );
    }
}

#[test]
fn a_memory_hog_hits_the_memory_limit() {
    let g = grade_hostile("memory_hog.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("limit")]);
    assert!(message(&g, 0).contains("memory"), "{}", message(&g, 0));
}

#[test]
fn a_large_file_hits_the_file_size_limit() {
    let g = grade_hostile("big_file.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts, [fail("limit")]);
    assert!(message(&g, 0).contains("file size"), "{}", message(&g, 0));
}

/// A fault of the grader injected into the runner (`GRADE_TEST_FAULT`,
/// debug builds) while the hostile program still runs — one that ignores
/// SIGTERM, one escaped into a session of its own: that scenario is
/// `error`, the next one gets its verdict, exit 3, and nothing of the
/// program is left running.
#[test]
fn a_runner_panic_is_an_error_and_still_kills_and_reaps_the_programs() {
    for file in ["ignores_signals.py", "double_fork.py"] {
        let marker = unique("grade-hostile");
        let out = Command::cargo_bin("grade")
            .unwrap()
            .env("GRADE_TEST_FAULT", "runner:q1.server.listens")
            .env_remove("RUST_BACKTRACE")
            .arg("--server")
            .arg(format!("python3 '{}' {marker}", fixture(file).display()))
            .args(["-s", "q1.server.listens", "-s", "q1.server.prints-lines"])
            .args(["--format", "json"])
            .timeout(SAFETY)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{file}: {stderr}");
        let left = processes_with(&marker);
        assert!(
            left.is_empty(),
            "{file}: left running after a runner panic:\n{left:#?}"
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{file}: no JSON report ({e}): {stderr}"));
        let [faulty, next] = json["scenarios"].as_array().unwrap().as_slice() else {
            panic!("{file}: two scenarios expected: {json:#}");
        };
        assert_eq!(faulty["status"], "error", "{file}");
        assert_eq!(faulty["diagnosis"]["code"], "internal-error", "{file}");
        let msg = faulty["diagnosis"]["message"].as_str().unwrap();
        assert!(
            msg.contains("not of the program graded: the runner panicked"),
            "{file}: {msg}"
        );
        // The program was still running at the fault: killed then, by the
        // fault's own teardown.
        let events = faulty["transcript"].as_array().unwrap();
        assert_eq!(events.last().unwrap()["event"], "killed", "{file}");
        assert_eq!(next["status"], "fail", "{file}: {next:#}");
    }
}

/// Waits for one line on the FIFO `path` (the program's "ready").
fn wait_ready(path: &Path, within: Duration) -> bool {
    use nix::fcntl::{open, OFlag};
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use nix::sys::stat::Mode;
    let fd = open(path, OFlag::O_RDONLY | OFlag::O_NONBLOCK, Mode::empty()).unwrap();
    let mut f = std::fs::File::from(unsafe {
        // SAFETY: `open` returned a new descriptor we own.
        <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd)
    });
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    while !got.contains(&b'\n') {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut p = [PollFd::new(f.as_fd(), PollFlags::POLLIN)];
        if poll(&mut p, PollTimeout::from(ms)).unwrap_or(0) == 0 {
            continue;
        }
        let mut buf = [0u8; 64];
        match f.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    true
}

/// Waits for `child` up to `within`; kills it past that.
fn wait_bounded(mut child: std::process::Child, within: Duration) -> Option<i32> {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = tx.send(child.wait().ok().and_then(|s| s.code()));
    });
    let code = rx.recv_timeout(within).ok().flatten();
    if code.is_none() {
        // SAFETY: kill(2) on our own child, not yet reaped by the waiter.
        unsafe {
            libc::kill(pid as i32, libc::SIGKILL);
        }
    }
    waiter.join().unwrap();
    code
}

#[test]
fn ctrl_c_on_grade_kills_every_program_and_removes_its_cgroups() {
    let dir = tempfile::tempdir().unwrap();
    let (child, marker, ready) = start_fork_bomb(dir.path());
    let pid = child.id() as i32;
    if !ready {
        wait_bounded(child, Duration::ZERO);
        panic!("the fork bomb never said it was ready");
    }
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    assert_eq!(wait_bounded(child, Duration::from_secs(30)), Some(130));
    let left = processes_with(&marker);
    assert!(left.is_empty(), "left running after Ctrl-C:\n{left:#?}");
    assert_eq!(cgroups_of(pid), Vec::<PathBuf>::new());
    assert_eq!(scratch_of(pid), Vec::<PathBuf>::new());
}

/// The cgroups `grade` number `pid` created, in every hierarchy in use.
fn cgroups_of(pid: i32) -> Vec<PathBuf> {
    use grade::world::cgroup::{base, Hierarchy};
    let prefix = format!("grade-{pid}-");
    let mut found = Vec::new();
    for h in [
        Hierarchy::Unified,
        Hierarchy::V1("pids"),
        Hierarchy::V1("memory"),
    ] {
        let Some(b) = base(h) else { continue };
        found.extend(
            std::fs::read_dir(b)
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path()),
        );
    }
    found
}

/// Starts `grade` on the fork bomb, whose processes say "ready" on a FIFO
/// once started; returns grade, the marker of the bomb's processes, and
/// whether it said ready within the safety net.
fn start_fork_bomb(fifo_dir: &Path) -> (std::process::Child, String, bool) {
    let fifo = fifo_dir.join("ready");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o666)).unwrap();
    // The FIFO is the program's one way out of its sandbox: its folder is
    // shown to it (`--submission`), and it writes as `nobody`.
    for (p, mode) in [(fifo_dir, 0o755), (fifo.as_path(), 0o666)] {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    let marker = unique("grade-hostile");
    // Deadlines stretched: grade is surely mid-scenario when it is stopped.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_grade"))
        .arg("--server")
        .arg(format!(
            "python3 '{}' {marker} '{}'",
            fixture("fork_bomb.py").display(),
            fifo.display()
        ))
        .args(["-s", "q1.server.listens", "--timeout-scale", "10"])
        .arg("--submission")
        .arg(fifo_dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ready = wait_ready(&fifo, Duration::from_secs(30));
    (child, marker, ready)
}

/// Scratch directories (working, build) of `grade` number `pid`.
fn scratch_of(pid: i32) -> Vec<PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&format!("grade-{pid}-")) || n.starts_with(&format!("grade-build-{pid}-"))
        })
        .map(|e| e.path())
        .collect()
}

#[test]
fn what_a_killed_grade_leaves_is_removed_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let (child, marker, ready) = start_fork_bomb(dir.path());
    let pid = child.id() as i32;
    // SAFETY: kill(2) on our own child: SIGKILL, no chance to clean up.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    wait_bounded(child, Duration::from_secs(30));
    assert!(ready, "the fork bomb never said it was ready");
    // Its processes and cgroups are left now — unless a grade started by
    // another test already removed them: any grading run starts by
    // removing what dead runs left.
    Command::cargo_bin("grade")
        .unwrap()
        .args(["--reference", "-s", "q1.server.listens"])
        .timeout(SAFETY)
        .assert()
        .code(0);
    assert_eq!(cgroups_of(pid), Vec::<PathBuf>::new());
    assert_eq!(scratch_of(pid), Vec::<PathBuf>::new());
    let left = processes_with(&marker);
    assert!(left.is_empty(), "left running:\n{left:#?}");
}

#[test]
fn as_an_ordinary_user_scenarios_are_isolated_and_an_escapee_is_reaped() {
    // Without cgroups (not writable by an ordinary user), the processes of
    // a scenario are found by its network namespace, in a user namespace.
    if !nix::unistd::geteuid().is_root() {
        eprintln!("not root: cannot switch to another user here: skipped");
        return;
    }
    let Some(setpriv) = tools::require("setpriv", "util-linux") else {
        return;
    };
    let marker = unique("grade-hostile");
    let out = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_grade"))
        .arg("--server")
        .arg(format!(
            "python3 '{}' {marker}",
            fixture("double_fork.py").display()
        ))
        .args(["-s", "q1.server.listens", "--format", "json"])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("setpriv runs");
    let left = processes_with(&marker);
    assert!(left.is_empty(), "left running:\n{left:#?}");
    let Ok(report) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
        eprintln!(
            "grade cannot run as nobody here (files not readable?): skipped: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    };
    if report["isolated"] != true {
        eprintln!("no unprivileged user namespaces here: skipped");
        return;
    }
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(report["scenarios"][0]["diagnosis"]["code"], "crashed");
}

#[test]
fn two_reference_runs_at_once_pass_while_the_host_8080_is_taken() {
    // Whoever holds it (this test or another program), the host's 8080 is
    // taken; each scenario has a namespace, and a port 8080, of its own.
    let _held = std::net::TcpListener::bind("127.0.0.1:8080");
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_grade"))
            .args(["--reference", "-q", "q1", "-q", "q2", "--format", "json"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(), start());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// A C file that `#include`s a file outside the submission (the way
/// `#include "/etc/shadow"` would): gcc quotes that file's lines in its
/// errors. The report names the compile error and quotes nothing of it, in
/// every format; the build folder's path is not shown either.
#[test]
fn a_compile_error_never_quotes_a_file_outside_the_submission() {
    let secret = unique("root:$6$s3cret");
    let outside = tempfile::tempdir().unwrap();
    let shadow = outside.path().join("shadow");
    std::fs::write(&shadow, format!("{secret}:19000:0:99999:7:::\n")).unwrap();
    let submission = tempfile::tempdir().unwrap();
    let src = submission.path().join("serveur.c");
    std::fs::write(
        &src,
        format!(
            "#include <stdio.h>\n#include \"{}\"\nint main(void) {{ return 0; }}\n",
            shadow.display()
        ),
    )
    .unwrap();
    for &format in grade::report::FORMATS {
        let out = Command::cargo_bin("grade")
            .unwrap()
            .arg("--server")
            .arg(&src)
            .args(["-s", "q1.server.listens", "--format", format])
            .timeout(SAFETY)
            .output()
            .unwrap();
        let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if format == "classroom" {
            // One base64 line: what it says, decoded.
            let bytes = grade::report::classroom::decode_base64(stdout.trim()).unwrap();
            stdout = String::from_utf8(bytes).unwrap();
        }
        let text = stdout + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{format}: {text}");
        assert!(text.contains("compile-error"), "{format}: {text}");
        assert!(
            !text.contains("s3cret"),
            "{format} quotes the included file: {text}"
        );
        assert!(
            !text.contains("grade-build"),
            "{format} shows the build folder: {text}"
        );
    }
}

/// Only descriptors 0–2 reach a program (no namespace, cgroup or relay
/// descriptor of the harness), and it cannot gain privileges through a
/// set-uid program (`NoNewPrivs: 1`).
#[test]
fn a_program_inherits_only_its_terminal_and_no_new_privileges() {
    let g = grade_hostile("prints_fds.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts.len(), 1);
    let printed = crate::refutil::printed(&g.json, 0);
    // The listing holds one descriptor of its own (the lowest free: 3).
    assert!(printed.contains(&"fds 0 1 2 3".to_string()), "{printed:?}");
    assert!(
        printed.contains(&"NoNewPrivs: 1".to_string()),
        "{printed:?}"
    );
    // No capability, even when grade runs as root.
    assert!(
        printed.contains(&"CapEff: 0000000000000000".to_string()),
        "{printed:?}"
    );
}

/// A program that sends SIGKILL to its parent, from its main process and
/// from a child re-parented to grade, then kill(-1, SIGKILL): grade is
/// out of its reach (Landlock's signal scope) and finishes with its report.
#[test]
fn a_program_that_kills_its_parent_cannot_end_grade() {
    let scoped = grade_sandbox::world::landlock::abi() >= 6;
    if !tools::require_that(
        scoped,
        "Landlock signal scope (ABI 6)",
        "Linux 6.12 or later",
    ) {
        return;
    }
    let g = grade_hostile("kill_grader.py", &["q1.server.listens"], "json");
    assert_eq!(g.verdicts.len(), 1);
    // The report says which layers the program ran in.
    let sandbox = &g.json["sandbox"];
    assert_eq!(sandbox["signal_scope"], true, "{sandbox}");
    assert_eq!(sandbox["descriptors"], true, "{sandbox}");
    let here = grade_sandbox::world::layers::Layers::probe(Vec::new(), Vec::new());
    assert_eq!(
        sandbox["filesystem"],
        here.filesystem.is_some(),
        "{sandbox}"
    );
    assert_eq!(sandbox["pid_namespace"], here.pid_namespace, "{sandbox}");
    let printed = crate::refutil::printed(&g.json, 0);
    assert!(
        printed.contains(&"main may not signal its parent".to_string()),
        "{printed:?}"
    );
    assert!(
        !printed.iter().any(|l| l.contains("killed its parent")),
        "{printed:?}"
    );
}

//! The port under test, graded by the real `grade` binary: waiting for a
//! listener costs a bounded number of `connect()` calls (counted in the
//! transcript's `connect-calls` event), and without namespaces
//! (`GRADE_NO_NAMESPACES=1`, scenarios on the host's port) another process
//! on the port is the grader's `error`, and a server without SO_REUSEADDR
//! fails only the scenario that restarts it.
//!
//! Runs on the host use a port of their own (`--port`), never 8080: tests
//! of other binaries hold the host's 8080 at times.

use assert_cmd::Command;
use grade::runner::CONNECT_CALLS;
use grade::world::netns::NO_NAMESPACES;
use grade::world::sockdiag;
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Safety net for one `grade` run (the runs take seconds).
const SAFETY: Duration = Duration::from_secs(120);

fn fixture(path: &str) -> PathBuf {
    crate::refutil::fixtures_dir().join(path)
}

/// A port below the ephemeral range (where the harness's own connections
/// take theirs) that nobody uses; never twice in this binary.
fn host_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let start = 20_000 + (std::process::id() % 5_000) as u16;
    (start..30_000)
        .chain(20_000..start)
        .find(|&p| {
            sockdiag::local_port(p, sockdiag::ALL_STATES).is_ok_and(|s| s.is_empty())
                && TcpListener::bind(("127.0.0.1", p)).is_ok()
                && GIVEN.lock().unwrap().insert(p)
        })
        .expect("no free port")
}

/// `grade ARGS --format json`, on the host's port when `host`.
fn grade(host: bool, args: &[&str]) -> (Option<i32>, Value, String) {
    let mut cmd = Command::cargo_bin("grade").unwrap();
    if host {
        cmd.env(NO_NAMESPACES, "1");
    } else {
        cmd.env_remove(NO_NAMESPACES);
    }
    let out = cmd
        .args(args)
        .args(["--format", "json"])
        .current_dir(std::env::temp_dir())
        .timeout(SAFETY)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), json, text)
}

/// (id, status, diagnosis code) of every scenario.
fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    report["scenarios"]
        .as_array()
        .unwrap_or_else(|| panic!("no scenarios in {report}"))
        .iter()
        .map(|s| {
            let field = |v: &Value| v.as_str().unwrap_or("").to_string();
            (
                field(&s["id"]),
                field(&s["status"]),
                field(&s["diagnosis"]["code"]),
            )
        })
        .collect()
}

/// The number of `connect()` calls of each `connect-calls` event of a
/// scenario's transcript.
fn connect_calls(scenario: &Value) -> Vec<u32> {
    scenario["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "connect-calls")
        .map(|e| {
            let text = e["text"].as_str().unwrap();
            let n = text
                .split(": ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap_or_else(|| panic!("unexpected text {text:?}"));
            n.parse().unwrap()
        })
        .collect()
}

/// Sockets left on the host's `port` after a run: none may be (no
/// listener, no connection closing on the server's side).
#[track_caller]
fn assert_port_clean(port: u16) {
    let left = sockdiag::local_port(port, sockdiag::ALL_STATES).unwrap();
    assert_eq!(left, Vec::new(), "left on port {port}");
}

#[test]
fn a_server_that_never_listens_costs_no_connect_call() {
    // It sleeps on a timer: not quiescent, the wait lasts to its deadline.
    for host in [false, true] {
        let port = host_port().to_string();
        let (code, report, text) = grade(
            host,
            &[
                "--server",
                "sleep 100",
                "-s",
                "q1.server.listens",
                "--port",
                &port,
            ],
        );
        assert_eq!(code, Some(1), "{text}");
        assert_eq!(report["isolated"], !host, "{text}");
        let s = &report["scenarios"][0];
        assert_eq!(s["diagnosis"]["code"], "not-listening", "{text}");
        assert_eq!(connect_calls(s), vec![0], "{text}");
    }
}

#[test]
fn a_listener_that_refuses_gets_a_bounded_number_of_connect_calls() {
    // It listens on the port of 127.0.0.2: seen in the table, but every
    // connect() to 127.0.0.1 is refused. Three times the deadlines: at
    // one call a sample, far more than the bound would be made.
    let server = format!(
        "python3 {}",
        fixture("port/unreachable_listener.py").display()
    );
    let (code, report, text) = grade(
        false,
        &[
            "--server",
            &server,
            "-s",
            "q1.server.listens",
            "--timeout-scale",
            "3",
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    let s = &report["scenarios"][0];
    assert_eq!(s["diagnosis"]["code"], "not-listening", "{text}");
    let calls = connect_calls(s);
    assert_eq!(calls.len(), 1, "{text}");
    assert!((1..=CONNECT_CALLS).contains(&calls[0]), "{calls:?}");
}

#[test]
fn on_the_host_a_port_held_by_another_process_is_an_error_naming_it() {
    let port = host_port();
    let _held = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let me = std::process::id();
    let (code, report, text) = grade(
        true,
        &["--reference", "-q", "q1", "--port", &port.to_string()],
    );
    assert_eq!(code, Some(3), "{text}");
    let argv0 = std::env::args().next().unwrap();
    let expected = format!("port {port} is held by pid {me}: {argv0}");
    assert!(text.contains(&expected), "{expected:?} not in:\n{text}");
    // Where a report is written, every scenario is the grader's error.
    if !report.is_null() {
        let v = verdicts(&report);
        assert!(!v.is_empty());
        for (id, status, _) in v {
            assert_eq!(status, "error", "{id}: {text}");
        }
    }
}

#[test]
fn on_the_host_a_server_without_reuseaddr_fails_only_the_quick_restart() {
    // The gallery's fixture, on a port of its own: teardown resets the
    // harness's connections, so that none lingers on the port for the
    // next scenario's server, which does not set SO_REUSEADDR.
    let port = host_port();
    let source = std::fs::read_to_string(fixture("q1/no_reuseaddr.py")).unwrap();
    assert!(source.contains("8080"));
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("no_reuseaddr.py");
    std::fs::write(&server, source.replace("8080", &port.to_string())).unwrap();
    let (code, report, text) = grade(
        true,
        &[
            "--server",
            server.to_str().unwrap(),
            "-q",
            "q1",
            "--port",
            &port.to_string(),
        ],
    );
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(report["isolated"], false);
    let v = verdicts(&report);
    assert!(v.len() >= 8, "{v:?}");
    for (id, status, diagnosis) in v {
        if id == "q1.server.quick-restart" {
            assert_eq!((status, diagnosis), ("fail".into(), "no-reuseaddr".into()));
        } else {
            assert_eq!(status, "pass", "{id} ({diagnosis}):\n{text}");
        }
    }
    assert_port_clean(port);
}

#[test]
fn on_the_host_the_reference_server_passes_every_scenario() {
    let port = host_port();
    let (code, report, text) = grade(
        true,
        &["--reference", "-q", "q1", "--port", &port.to_string()],
    );
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(report["isolated"], false);
    assert_port_clean(port);
}

#[test]
fn on_the_host_pair_scenarios_leave_the_port_clean() {
    // The programs talk directly there: the client is ended first, so the
    // side that lingers in TIME_WAIT is the client's, not the server's.
    let port = host_port();
    let (code, report, text) = grade(
        true,
        &[
            "--reference",
            "-s",
            "q3.pair.chat",
            "-s",
            "q4.pair.full-duplex",
            "--port",
            &port.to_string(),
        ],
    );
    assert!(matches!(code, Some(0 | 1)), "{text}");
    assert_eq!(verdicts(&report).len(), 2, "{text}");
    assert_port_clean(port);
}

#[test]
fn on_the_host_a_pair_after_a_client_scenario_binds_and_connects() {
    // A correct q4 server but without SO_REUSEADDR (the gallery's
    // fork_server.py, that line taken out), with the reference client.
    // `q4.client.peer-leaves` comes first in the catalogue and leaves the
    // harness's side of the connection it closed in TIME_WAIT on the port:
    // the pair scenario runs before it. And in the pair the client connects
    // to the server itself: it starts once the server listens.
    let port = host_port();
    let source = std::fs::read_to_string(fixture("q4/fork_server.py")).unwrap();
    assert!(source.contains("SO_REUSEADDR") && source.contains("8080"));
    let source: String = source
        .lines()
        .filter(|l| !l.contains("SO_REUSEADDR"))
        .map(|l| format!("{}\n", l.replace("8080", &port.to_string())))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("fork_server.py");
    std::fs::write(&server, source).unwrap();
    let (_, report, text) = grade(
        true,
        &[
            "--server",
            server.to_str().unwrap(),
            "--client",
            "ref:q4-client",
            "-s",
            "q4.client.peer-leaves",
            "-s",
            "q4.pair.full-duplex",
            "--port",
            &port.to_string(),
        ],
    );
    let v = verdicts(&report);
    assert_eq!(v.len(), 2, "{text}");
    for (id, _, diagnosis) in &v {
        assert!(
            !["no-reuseaddr", "no-connect", "crashed"].contains(&diagnosis.as_str()),
            "{id}: {diagnosis}\n{text}"
        );
    }
    assert!(
        !text.contains("Address already in use") && !text.contains("cannot connect"),
        "{text}"
    );
}

/// A gallery fixture with its port 8080 replaced by `port`, in `dir`.
fn on_port(file: &str, port: u16, dir: &Path) -> PathBuf {
    let source = std::fs::read_to_string(fixture(file)).unwrap();
    assert!(source.contains("8080"), "{file}");
    let path = dir.join(Path::new(file).file_name().unwrap());
    std::fs::write(&path, source.replace("8080", &port.to_string())).unwrap();
    path
}

#[test]
fn on_the_host_the_peer_closes_once_a_client_closed_its_side() {
    // A q2 client that half-closes and waits for the server's close, and a
    // q4 client whose receiving child ends when the server closes: the
    // harness closes its side when it sees theirs (a FIN: the client's
    // side of the connection is not on the port).
    let port = host_port();
    let dir = tempfile::tempdir().unwrap();
    for (file, id) in [
        ("q2/shutdown_drain.py", "q2.client.eof"),
        ("q4/fork_client.py", "q4.client.keyboard-eof"),
    ] {
        let client = on_port(file, port, dir.path());
        let (code, report, text) = grade(
            true,
            &[
                "--client",
                client.to_str().unwrap(),
                "-s",
                id,
                "--port",
                &port.to_string(),
            ],
        );
        assert_eq!(
            verdicts(&report),
            [(id.to_string(), "pass".to_string(), String::new())],
            "{file}\n{text}"
        );
        assert_eq!(code, Some(0), "{text}");
    }
}

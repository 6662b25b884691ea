//! Timed sleeps are not quiescence: a real program that waits with a
//! timeout before acting, graded by the real `grade` binary, is judged on
//! what it does when it wakes, not on the sleep. (The Python fixtures of the
//! same rule are in the gallery: `q4/linger_server.py`, `q4/goodbye_client.py`.)

use crate::refutil::{processes_with, tools};

use assert_cmd::Command;

/// socat, the tool the lab sheet suggests for trying a server, lingers
/// 0.5 s in `pselect` with a timeout once its peer has left, then exits:
/// `q4.server.peer-leaves` allows 2 s, so it passes (it was `still-running`
/// 46 ms after the close while quiescence took that sleep for a block).
#[test]
fn socat_leaving_half_a_second_after_the_peer_passes_peer_leaves() {
    let Some(socat) = tools::require("socat", "socat") else {
        return;
    };
    // `-lp` names socat's log lines: a marker to find its processes by.
    let marker = format!("timed-sleeps-{}", std::process::id());
    let server = format!(
        "{} -lp {marker} TCP-LISTEN:8080,reuseaddr STDIO",
        socat.display()
    );
    let out = Command::cargo_bin("grade")
        .unwrap()
        .args(["--server", &server])
        .args(["-s", "q4.server.peer-leaves", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let s = &v["scenarios"][0];
    assert_eq!(s["id"], "q4.server.peer-leaves");
    assert_eq!(s["status"], "pass", "{s:#}");
    assert_eq!(out.status.code(), Some(0));
    // It ended by exiting, after the peer closed, not at quiescence.
    let events: Vec<&str> = s["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    let closed = events.iter().position(|e| *e == "closed-by-peer").unwrap();
    let after = &events[closed..];
    assert!(after.contains(&"exited"), "{events:?}");
    assert!(!after.contains(&"quiescent"), "{events:?}");
    assert_eq!(processes_with(&marker), Vec::<String>::new());
}

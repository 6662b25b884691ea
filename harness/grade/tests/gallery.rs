//! The gallery: student-style fixture programs (good ones and each typical
//! mistake), each graded by the real `grade` binary, with the exact status
//! and diagnosis code every scenario must get (`fixtures/gallery.toml`).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Deserialize)]
struct Gallery {
    fixture: Vec<Fixture>,
}

#[derive(Debug, Deserialize)]
struct Fixture {
    file: String,
    role: String,
    question: String,
    about: String,
    expect: BTreeMap<String, String>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn gallery() -> Gallery {
    let text = std::fs::read_to_string(fixtures_dir().join("gallery.toml")).expect("gallery.toml");
    toml::from_str(&text).expect("gallery.toml parses")
}

/// Grades one fixture and checks every scenario's status and diagnosis code.
fn check(file: &str) {
    let g = gallery();
    let f = g
        .fixture
        .iter()
        .find(|f| f.file == file)
        .unwrap_or_else(|| panic!("{file} is not in gallery.toml"));
    let path = fixtures_dir().join(&f.file);
    become_subreaper();
    let out = Command::new(env!("CARGO_BIN_EXE_grade"))
        .arg(format!("--{}", f.role))
        .arg(&path)
        .args(["-q", &f.question, "--format", "json"])
        .output()
        .expect("grade runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{file}: no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut got = BTreeMap::new();
    for s in report["scenarios"].as_array().expect("scenarios") {
        let status = s["status"].as_str().unwrap().to_string();
        let v = match s["diagnosis"]["code"].as_str() {
            Some(code) if status != "pass" => format!("{status}:{code}"),
            _ => status,
        };
        got.insert(s["id"].as_str().unwrap().to_string(), v);
    }
    let explain: String = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "pass")
        .map(|s| {
            let m = s["diagnosis"]["message"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(160)
                .collect::<String>();
            // The transcript's last events say how the wait ended
            // (quiescent, deadline, exit): what a flaky verdict needs.
            let tail: Vec<String> = s["transcript"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .rev()
                        .take(10)
                        .rev()
                        .map(|e| {
                            let text: String =
                                e["text"].as_str().unwrap_or("").chars().take(60).collect();
                            format!(
                                "{} {} {} {text}",
                                e["t_ms"],
                                e["actor"].as_str().unwrap_or(""),
                                e["event"].as_str().unwrap_or("")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("\n  {}: {m}\n      {}", s["id"], tail.join("\n      "))
        })
        .collect();
    let diff: Vec<String> = f
        .expect
        .iter()
        .filter(|(id, want)| got.get(*id) != Some(want))
        .map(|(id, want)| {
            format!(
                "{id}: expected {want}, got {}",
                got.get(id).map_or("nothing", |g| g.as_str())
            )
        })
        .collect();
    assert!(
        diff.is_empty() && got.len() == f.expect.len(),
        "{file} ({}):\n  {}{explain}",
        f.about,
        diff.join("\n  ")
    );
    let all_pass = f.expect.values().all(|v| v == "pass");
    assert_eq!(
        out.status.code(),
        Some(if all_pass { 0 } else { 1 }),
        "{file}: exit status"
    );
    assert_nothing_left(&path);
}

/// This test process becomes the reaper of whatever a `grade` it ran leaves
/// behind (`grade` is the subreaper of its programs while it runs): a
/// leftover is then our child, and only ours. Scanning every process instead
/// would also see the fixtures of another test run going on at the same
/// time (two `cargo test` in parallel, as the load tests do).
fn become_subreaper() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: prctl with integer arguments only.
        let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
        assert_eq!(r, 0, "PR_SET_CHILD_SUBREAPER");
    });
}

/// The parent of a process, from /proc/PID/stat.
fn parent_of(proc_dir: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    stat[stat.rfind(')')? + 2..].split(' ').nth(1)?.parse().ok()
}

/// No process whose command line names the fixture survives the run: none
/// was left to us (see `become_subreaper`).
fn assert_nothing_left(path: &Path) {
    let needle = path.file_name().unwrap().to_string_lossy().into_owned();
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let me = std::process::id();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        if parent_of(&e.path()) != Some(me) {
            continue;
        }
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let exe = std::fs::read_link(e.path().join("exe"))
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let compiled = path.extension().is_some_and(|x| x == "c")
            && exe.contains("grade-build-")
            && Path::new(&exe).file_name() == Some(std::ffi::OsStr::new(&stem));
        assert!(
            !cmd.contains(needle.as_str()) && !compiled,
            "left running after grade ended: pid {} `{cmd}`",
            e.file_name().to_string_lossy()
        );
    }
}

#[test]
fn every_fixture_file_is_in_the_gallery() {
    let g = gallery();
    for q in ["q1", "q2", "q3", "q4"] {
        for e in std::fs::read_dir(fixtures_dir().join(q)).unwrap().flatten() {
            let rel = format!("{q}/{}", e.file_name().to_string_lossy());
            assert!(
                g.fixture.iter().any(|f| f.file == rel),
                "{rel} has no entry in gallery.toml"
            );
        }
    }
    let list = std::fs::read_to_string(fixtures_dir().join("list.rs")).unwrap();
    for f in &g.fixture {
        assert!(
            list.contains(&format!("{:?}", f.file)),
            "{} has no test in fixtures/list.rs",
            f.file
        );
        let n = f.expect.len();
        // Every scenario of the question for the role, and the pair scenario
        // (run against the reference program on the other side).
        let want = match f.question.as_str() {
            "q1" => 8,
            "q2" => 6,
            "q3" => 4,
            _ => 7,
        };
        assert_eq!(
            n, want,
            "{}: every scenario of {} must be listed",
            f.file, f.question
        );
    }
}

macro_rules! fixtures {
    ($($name:ident => $file:literal,)*) => {
        $(#[test] fn $name() { check($file); })*
    };
}

include!("fixtures/list.rs");

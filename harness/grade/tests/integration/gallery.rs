//! The gallery: student-style fixture programs (good ones and each typical
//! mistake), each graded by the real `grade` binary, with the exact status
//! and diagnosis code every scenario must get (`fixtures/gallery.toml`).

use crate::refutil::{fixtures_dir, processes_with, unique};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Deserialize)]
struct Gallery {
    fixture: Vec<Fixture>,
    /// Real third-party programs handed in as submissions.
    #[serde(default)]
    third_party: Vec<ThirdParty>,
}

/// A real tool graded as a submission (`command`, where `{marker}` is
/// replaced by a marker its processes carry; without one, the command
/// itself is what finds them), from the Debian package `package`.
#[derive(Debug, Deserialize)]
struct ThirdParty {
    name: String,
    command: String,
    tool: String,
    package: String,
    #[serde(flatten)]
    case: Fixture,
}

#[derive(Debug, Deserialize)]
struct Fixture {
    /// The fixture file (none for a third-party tool).
    #[serde(default)]
    file: String,
    role: String,
    question: String,
    about: String,
    expect: BTreeMap<String, String>,
    /// Per scenario id, a fragment its English diagnosis message (or hint,
    /// or for a pass one of its notes) must contain: what a student reads,
    /// checked as the code is.
    #[serde(default)]
    message: BTreeMap<String, String>,
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
    // A copy under a folder named by a marker: its processes say whose they
    // are, even while another test runs the same fixture file.
    let marker = unique("grade-gallery");
    let dir = tempfile::Builder::new()
        .prefix(&marker)
        .tempdir()
        .expect("tempdir");
    let path = dir.path().join(Path::new(&f.file).file_name().unwrap());
    std::fs::copy(fixtures_dir().join(&f.file), &path).expect("copy the fixture");
    grade_case(f, &f.file, path.as_os_str(), &marker);
}

/// Grades one third-party tool (skipped when it is absent, outside CI).
fn check_third_party(name: &str) {
    let g = gallery();
    let t = g
        .third_party
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is not in gallery.toml"));
    if crate::refutil::tools::require(&t.tool, &t.package).is_none() {
        return;
    }
    let marker = unique("grade-third-party");
    let command = t.command.replace("{marker}", &marker);
    let marker = if t.command.contains("{marker}") {
        marker
    } else {
        command.clone()
    };
    grade_case(&t.case, &t.name, std::ffi::OsStr::new(&command), &marker);
}

/// Grades `program` as `f` says and checks every scenario's status, code
/// and message fragment; then that nothing carrying `marker` is left.
fn grade_case(f: &Fixture, file: &str, program: &std::ffi::OsStr, marker: &str) {
    let child = Command::new(env!("CARGO_BIN_EXE_grade"))
        .arg(format!("--{}", f.role))
        .arg(program)
        .args(["-q", &f.question, "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("grade runs");
    let grade_pid = child.id();
    let out = child.wait_with_output().expect("grade ends");
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
    let said: BTreeMap<String, String> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            // A passed scenario says what it says in its notes.
            let d = &s["diagnosis"];
            let notes: Vec<&str> = s["notes"]
                .as_array()
                .map(|n| n.iter().filter_map(|t| t.as_str()).collect())
                .unwrap_or_default();
            let text = format!(
                "{}\n{}\n{}",
                d["message"].as_str().unwrap_or(""),
                d["hint"].as_str().unwrap_or(""),
                notes.join("\n")
            );
            (s["id"].as_str().unwrap().to_string(), text)
        })
        .collect();
    // A submission problem says what it says (the compiler's errors) once,
    // for every scenario it kept from running.
    let mut said = said;
    for p in report["submission_problems"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let text = format!(
            "{}\n{}",
            p["message"].as_str().unwrap_or(""),
            p["detail"].as_str().unwrap_or("")
        );
        for id in p["scenarios"].as_array().into_iter().flatten() {
            if let Some(t) = id.as_str().and_then(|id| said.get_mut(id)) {
                t.push('\n');
                t.push_str(&text);
            }
        }
    }
    let mut diff: Vec<String> = f
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
    diff.extend(
        f.message
            .iter()
            .filter(|(id, frag)| !said.get(*id).is_some_and(|t| t.contains(frag.as_str())))
            .map(|(id, frag)| {
                format!(
                    "{id}: the diagnosis should say {frag:?}, it says {:?}",
                    said.get(id).map_or("nothing", |t| t.as_str())
                )
            }),
    );
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
    assert_nothing_left(marker, grade_pid);
}

/// No process of this run survives it: none whose command line holds the
/// run's marker (a Python fixture's path), none running a program that
/// this run's `grade` compiled (its build folder is `grade-build-PID-…`).
fn assert_nothing_left(marker: &str, grade_pid: u32) {
    let left = processes_with(marker);
    assert!(left.is_empty(), "left running after grade ended: {left:?}");
    let build = format!("grade-build-{grade_pid}-");
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let exe = std::fs::read_link(e.path().join("exe")).unwrap_or_default();
        assert!(
            !exe.to_string_lossy().contains(&build),
            "left running after grade ended: pid {} `{}`",
            e.file_name().to_string_lossy(),
            exe.display()
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

macro_rules! third_party {
    ($($name:ident => $entry:literal,)*) => {
        $(#[test] fn $name() { check_third_party($entry); })*
    };
}

third_party! {
    socat_q1_server => "socat-q1-server",
    nc_q2_client => "nc-q2-client",
    nc_q2_client_silent => "nc-q2-client-silent",
    nc_q2_client_no_eof => "nc-q2-client-no-eof",
    socat_q4_server => "socat-q4-server",
}

#[test]
fn every_third_party_entry_has_a_test() {
    let me = include_str!("gallery.rs");
    for t in gallery().third_party {
        assert!(
            me.contains(&format!("=> {:?},", t.name)),
            "{} has no test",
            t.name
        );
        let want = match t.case.question.as_str() {
            "q1" => 8,
            "q2" => 6,
            "q3" => 4,
            _ => 7,
        };
        assert_eq!(t.case.expect.len(), want, "{}: every scenario", t.name);
    }
}

include!("../fixtures/list.rs");

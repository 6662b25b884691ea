//! Benchmark: `grade batch` on generated classes (`cargo bench -p grade
//! --bench batch [-- --students N] [--all] [--floor-only]`).
//!
//! 1. Overhead and memory: classes of 10 and 1,000 students (each a copy
//!    of a gallery server, told apart by a comment), one scenario each
//!    (`-s q1.server.listens`), graded once to fill a cache, then again
//!    from it: the second run's wall time per student is the batch's own
//!    cost per student beyond its scenarios (target ≤ 5 ms), and grade's
//!    peak memory (`VmHWM`, `GRADE_PEAK_MEMORY=1`) of both runs must not
//!    grow with the class (target: flat).
//! 2. The floor: N students (default 10) from the gallery, a mix of
//!    correct and broken programs (`MIX`), graded on q1 and q2 (`--all`:
//!    on every question);
//!    the CPU time of grade and everything it reaped against the floor —
//!    one `python3 -c "import socket"` start per program start of every
//!    scenario, divided by the cores (target: within 1.5×).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Run {
    wall: Duration,
    peak_kib: u64,
    /// CPU time of grade and every process it reaped (user + system).
    cpu: Duration,
    stdout: Vec<u8>,
}

fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

fn grade(args: &[&std::ffi::OsStr]) -> Run {
    let cpu0 = children_cpu();
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_grade"))
        .arg("batch")
        .args(args)
        .env("GRADE_PEAK_MEMORY", "1")
        .output()
        .unwrap();
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "grade batch {args:?}\n{stderr}");
    // Two processes print theirs: the one that writes the gradebook and
    // the one that grades; the larger is shown.
    let peak_kib = stderr
        .lines()
        .filter(|l| l.starts_with("grade: peak memory "))
        .map(common::peak_kib)
        .max()
        .expect("grade prints its peak memory");
    Run {
        wall,
        peak_kib,
        cpu: children_cpu() - cpu0,
        stdout: out.stdout,
    }
}

fn fixture(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(p).unwrap()
}

fn overhead(n: usize) {
    let class = tempfile::tempdir().unwrap();
    let server = fixture("q1/framed_recv.py");
    for k in 0..n {
        let d = class.path().join(format!("student{k:04}"));
        std::fs::create_dir(&d).unwrap();
        let mut text = server.clone();
        text.extend_from_slice(format!("\n# student {k}\n").as_bytes());
        std::fs::write(d.join("serveur.py"), text).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let args: Vec<&std::ffi::OsStr> = vec![
        class.path().as_os_str(),
        "-s".as_ref(),
        "q1.server.listens".as_ref(),
        "--cache".as_ref(),
        cache.path().as_os_str(),
    ];
    let fill = grade(&args);
    let hit = grade(&args);
    println!(
        "{n:>5} students, 1 scenario each: graded in {:.1} s (peak {} KiB); from the cache in {:.3} s = {:.2} ms per student (peak {} KiB)",
        fill.wall.as_secs_f64(),
        fill.peak_kib,
        hit.wall.as_secs_f64(),
        hit.wall.as_secs_f64() * 1000.0 / n as f64,
        hit.peak_kib,
    );
}

/// CPU time of one `python3 -c "import socket"`, the mean of 20.
fn python_start() -> Duration {
    let cpu0 = children_cpu();
    for _ in 0..20 {
        let st = Command::new("python3")
            .args(["-c", "import socket"])
            .status()
            .unwrap();
        assert!(st.success());
    }
    (children_cpu() - cpu0) / 20
}

/// Program starts of a student's scenarios, from the JSON gradebook: one
/// per scenario, two for a pair (both programs the student's) and for a
/// quick restart.
fn starts(gradebook: &[u8]) -> usize {
    let v: serde_json::Value = serde_json::from_slice(gradebook).unwrap();
    let mut n = 0;
    for s in v["students"].as_array().unwrap() {
        for sc in s["report"]["scenarios"].as_array().into_iter().flatten() {
            let id = sc["id"].as_str().unwrap_or_default();
            n += if id.contains(".pair.") || id.ends_with("quick-restart") {
                2
            } else {
                1
            };
        }
    }
    n
}

/// Each program of a student, by where it goes in their folder, picked
/// in turn from the gallery (correct and broken ones).
const MIX: [(&str, &[&str]); 6] = [
    (
        "q1/serveur.py",
        &[
            "q1/framed_recv.py",
            "q1/split_line.py",
            "q1/makefile_lines.py",
            "q1/bytes_repr.py",
        ],
    ),
    (
        "q2/client.py",
        &[
            "q2/input_loop.py",
            "q2/no_newline.py",
            "q2/stdin_iter.py",
            "q2/eof_traceback.py",
        ],
    ),
    (
        "q3/serveur.py",
        &[
            "q3/server_readline.py",
            "q3/server_buffer.py",
            "q3/server_speaks_first.py",
        ],
    ),
    (
        "q3/client.py",
        &[
            "q3/client_readline.py",
            "q3/client_buffer.py",
            "q3/client_receives_first.py",
        ],
    ),
    (
        "q4/serveur.py",
        &[
            "q4/fork_server.py",
            "q4/select_server.py",
            "q4/zombie_server.py",
        ],
    ),
    (
        "q4/client.py",
        &[
            "q4/fork_client.py",
            "q4/threads_client.py",
            "q4/orphan_client.py",
        ],
    ),
];

/// `n` students from the gallery graded on q1 and q2 (`all`: every
/// question), against the floor of their program starts.
fn floor(n: usize, all: bool) {
    let class = tempfile::tempdir().unwrap();
    let parts = if all { &MIX[..] } else { &MIX[..2] };
    for k in 0..n {
        let d = class.path().join(format!("student{k:03}"));
        for (at, (path, pick)) in parts.iter().enumerate() {
            let p = d.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, fixture(pick[(k + at) % pick.len()])).unwrap();
        }
    }
    let mut args: Vec<&std::ffi::OsStr> = vec![class.path().as_os_str()];
    if !all {
        args.extend(["-q", "q1", "-q", "q2"].map(std::ffi::OsStr::new));
    }
    args.extend(["--format", "json", "--no-cache"].map(std::ffi::OsStr::new));
    let run = grade(&args);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let py = python_start();
    let starts = starts(&run.stdout);
    let floor = py * starts as u32 / cores as u32;
    println!(
        "{n} students, {}: {starts} program starts × {:.0} ms CPU / {cores} cores = floor {:.1} s; grade: {:.1} s wall ({:.2}× the floor), {:.1} s CPU, peak {} KiB",
        if all { "every question" } else { "q1 + q2" },
        py.as_secs_f64() * 1000.0,
        floor.as_secs_f64(),
        run.wall.as_secs_f64(),
        run.wall.as_secs_f64() / floor.as_secs_f64(),
        run.cpu.as_secs_f64(),
        run.peak_kib,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let students = args
        .windows(2)
        .find(|w| w[0] == "--students")
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(10);
    let all = args.iter().any(|a| a == "--all");
    if !args.iter().any(|a| a == "--floor-only") {
        overhead(10);
        overhead(1000);
    }
    floor(students, all);
}

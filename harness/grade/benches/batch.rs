//! Benchmark: `grade batch` on generated classes (`cargo bench -p grade
//! --bench batch [-- --students N]`).
//!
//! 1. Overhead and memory: classes of 10 and 1,000 students (each a copy
//!    of a gallery server, told apart by a comment), one scenario each
//!    (`-s q1.server.listens`), graded once to fill a cache, then again
//!    from it: the second run's wall time per student is the batch's own
//!    cost per student beyond its scenarios (target ≤ 5 ms), and grade's
//!    peak memory (`VmHWM`, `GRADE_PEAK_MEMORY=1`) of both runs must not
//!    grow with the class (target: flat).
//! 2. The floor: N students (default 10) from the gallery, a mix of
//!    correct and broken q1 servers and q2 clients, graded on q1 and q2;
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

fn floor(n: usize) {
    let servers = [
        "q1/framed_recv.py",
        "q1/split_line.py",
        "q1/makefile_lines.py",
        "q1/bytes_repr.py",
    ];
    let clients = [
        "q2/input_loop.py",
        "q2/no_newline.py",
        "q2/stdin_iter.py",
        "q2/eof_traceback.py",
    ];
    let class = tempfile::tempdir().unwrap();
    for k in 0..n {
        let d = class.path().join(format!("student{k:03}"));
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("serveur.py"), fixture(servers[k % servers.len()])).unwrap();
        std::fs::write(
            d.join("client.py"),
            fixture(clients[(k / 2) % clients.len()]),
        )
        .unwrap();
    }
    let args: Vec<&std::ffi::OsStr> = vec![
        class.path().as_os_str(),
        "-q".as_ref(),
        "q1".as_ref(),
        "-q".as_ref(),
        "q2".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--no-cache".as_ref(),
    ];
    let run = grade(&args);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let py = python_start();
    let starts = starts(&run.stdout);
    let floor = py * starts as u32 / cores as u32;
    println!(
        "{n} students, q1 + q2: {starts} program starts × {:.0} ms CPU / {cores} cores = floor {:.1} s; grade: {:.1} s wall ({:.2}× the floor), {:.1} s CPU, peak {} KiB",
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
    overhead(10);
    overhead(1000);
    floor(students);
}

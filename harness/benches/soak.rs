//! Soak: grades the whole catalogue N times with the real `grade` binary,
//! optionally under a CPU hog on every core, and reports every verdict that
//! ever differed from the expected one (all pass: the reference programs,
//! or the correct Python fixtures of q1 and q2), every run whose exit status was not 0,
//! and anything a run left behind (a process of our `grade` binary, a
//! cgroup of the run). Not a timed test: a command to run by hand.
//!
//! ```sh
//! cargo bench -p grade --bench soak -- --runs 500 --hog
//! cargo bench -p grade --bench soak -- --runs 100 --hog --python
//! cargo bench -p grade --bench soak -- --runs 20 --jobs 1
//! ```
//! Exit status 1 when anything differed or was left.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Per scenario id: each outcome seen, how often, and its first message.
type Seen = BTreeMap<String, BTreeMap<String, (usize, String)>>;

struct Options {
    runs: usize,
    hog: bool,
    python: bool,
    jobs: Option<usize>,
}

fn options() -> Options {
    let mut o = Options {
        runs: 100,
        hog: false,
        python: false,
        jobs: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} takes a number"))
        };
        match a.as_str() {
            "--runs" => o.runs = number("--runs"),
            "--jobs" => o.jobs = Some(number("--jobs")),
            "--hog" => o.hog = true,
            "--python" => o.python = true,
            // What cargo bench passes (`--bench`), and test-harness flags.
            _ => {}
        }
    }
    o
}

/// One thread per core spinning until `stop`.
fn hog(stop: &Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (0..cores)
        .map(|_| {
            let stop = Arc::clone(stop);
            std::thread::spawn(move || {
                let mut x: u64 = 1;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Processes of this `grade` binary still running (reference programs left
/// behind), other than the ones named in `except`.
fn our_processes(exe: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if std::fs::read_link(e.path().join("exe")).is_ok_and(|p| p == exe) {
            let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            found.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    found
}

/// Cgroups of the `grade` run with this pid still present.
fn cgroups_of(pid: u32) -> usize {
    use grade::world::cgroup::{base, Hierarchy};
    let prefix = format!("grade-{pid}-");
    [
        Hierarchy::Unified,
        Hierarchy::V1("pids"),
        Hierarchy::V1("memory"),
    ]
    .into_iter()
    .filter_map(base)
    .flat_map(|b| std::fs::read_dir(b).into_iter().flatten().flatten())
    .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
    .count()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let o = options();
    let exe = Path::new(env!("CARGO_BIN_EXE_grade"));
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut args: Vec<String> = if o.python {
        vec![
            "--server".into(),
            fx.join("q1/framed_recv.py").display().to_string(),
            "--client".into(),
            fx.join("q2/input_loop.py").display().to_string(),
            // The correct fixtures answer q1 and q2 only.
            "-q".into(),
            "q1".into(),
            "-q".into(),
            "q2".into(),
        ]
    } else {
        vec!["--reference".into()]
    };
    args.extend(["--format".into(), "json".into()]);
    if let Some(j) = o.jobs {
        args.extend(["--jobs".into(), j.to_string()]);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let hogs = if o.hog { hog(&stop) } else { Vec::new() };
    let mut seen = Seen::new();
    let mut walls = Vec::with_capacity(o.runs);
    let mut bad_exits = 0;
    let mut leftovers = Vec::new();
    for run in 0..o.runs {
        let t = Instant::now();
        let child = Command::new(exe)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("grade starts");
        let pid = child.id();
        let out = child.wait_with_output().expect("grade runs");
        walls.push(t.elapsed());
        if out.status.code() != Some(0) {
            bad_exits += 1;
        }
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        for s in report["scenarios"].as_array().into_iter().flatten() {
            let status = s["status"].as_str().unwrap_or("?");
            let outcome = match s["diagnosis"]["code"].as_str() {
                Some(code) => format!("{status}:{code}"),
                None => status.to_string(),
            };
            let e = seen
                .entry(s["id"].as_str().unwrap_or("?").to_string())
                .or_default()
                .entry(outcome)
                .or_insert((0, String::new()));
            e.0 += 1;
            if e.1.is_empty() {
                e.1 = s["diagnosis"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(200)
                    .collect();
            }
        }
        let procs = our_processes(exe);
        let groups = cgroups_of(pid);
        if !procs.is_empty() || groups > 0 {
            leftovers.push(format!("run {run}: {groups} cgroups, processes {procs:?}"));
        }
    }
    let load = load_average();
    stop.store(true, Ordering::Relaxed);
    for h in hogs {
        let _ = h.join();
    }

    walls.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let differing: Vec<_> = seen
        .iter()
        .filter(|(_, outcomes)| outcomes.len() > 1 || !outcomes.contains_key("pass"))
        .collect();
    println!(
        "soak: {} runs of grade {} ({} scenarios), jobs {}, CPU hog {}",
        o.runs,
        if o.python {
            "on the correct Python fixtures (q1, q2)"
        } else {
            "--reference"
        },
        seen.len(),
        o.jobs.map_or("default".to_string(), |j| j.to_string()),
        if o.hog {
            format!(
                "on {} threads",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            )
        } else {
            "off".into()
        }
    );
    println!("load average at the end: {load}");
    if !walls.is_empty() {
        println!(
            "wall per run: median {:.1} ms, p95 {:.1} ms, worst {:.1} ms",
            ms(walls[walls.len() / 2]),
            ms(walls[(walls.len() * 95 / 100).min(walls.len() - 1)]),
            ms(*walls.last().unwrap())
        );
    }
    println!(
        "differing verdicts: {} scenario(s); runs with exit status != 0: {bad_exits}; runs that left something: {}",
        differing.len(),
        leftovers.len()
    );
    for (id, outcomes) in &differing {
        for (outcome, (n, msg)) in outcomes.iter() {
            println!("  {id}: {outcome} ×{n}  {msg}");
        }
    }
    for l in leftovers.iter().take(10) {
        println!("  left: {l}");
    }
    if !differing.is_empty() || bad_exits > 0 || !leftovers.is_empty() {
        std::process::exit(1);
    }
}

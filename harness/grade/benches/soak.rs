//! Soak: grades programs with the real `grade` binary N times, optionally
//! under a CPU hog on every core, and reports every pass/fail that ever
//! differed from the expected one, every diagnosis code that varied, every
//! run whose exit status was not the expected one, and anything a run left
//! behind (a process of our `grade` binary, a cgroup of the run). Not a
//! timed test: a command to run by hand.
//!
//! What is graded:
//! - default: `grade --reference` (every scenario passes);
//! - `--python`: the correct Python fixtures of q1 and q2 (all pass);
//! - `--gallery`: every fixture of `tests/fixtures/gallery.toml`, broken
//!   ones included, each against the cells written there;
//! - `--timing`: the fixtures and scenarios whose outcome a racy grader
//!   would decide by scheduling: a `recv(1024)` q3 server on burst-in, a
//!   prompting q4 client on simultaneous, keyboard-eof of the q4 programs.
//!
//! `--parallel N` grades N fixtures at once (default 1); `--only TEXT`
//! keeps the fixtures whose file contains TEXT; `--keep DIR` writes there
//! the JSON of every scenario whose pass/fail differed, transcript included.
//!
//! ```sh
//! cargo bench -p grade --bench soak -- --runs 500 --hog
//! cargo bench -p grade --bench soak -- --runs 100 --hog --python
//! cargo bench -p grade --bench soak -- --runs 50 --hog --gallery --parallel 2
//! cargo bench -p grade --bench soak -- --runs 200 --hog --timing
//! cargo bench -p grade --bench soak -- --runs 20 --jobs 1
//! ```
//! Exit status 1 when a pass/fail differed, an exit status was unexpected,
//! or anything was left. A diagnosis that varies while pass/fail holds is
//! reported, not counted: a program that is itself racy (two processes
//! competing for one `recv`) may show its mistake in more than one way.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Per scenario (`fixture: id`): each outcome seen, how often, and its
/// first message.
type Seen = BTreeMap<String, BTreeMap<String, (usize, String)>>;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Reference,
    Python,
    Gallery,
    Timing,
}

struct Options {
    runs: usize,
    hog: bool,
    mode: Mode,
    jobs: Option<usize>,
    parallel: usize,
    only: Option<String>,
    /// Where to keep the JSON report of every scenario whose pass/fail
    /// differed (its transcript says how the wait ended).
    keep: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options {
        runs: 100,
        hog: false,
        mode: Mode::Reference,
        jobs: None,
        parallel: 1,
        only: None,
        keep: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> String {
            args.next()
                .unwrap_or_else(|| panic!("{name} takes a value"))
        };
        let number = |name: &str, v: String| -> usize {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number"))
        };
        match a.as_str() {
            "--runs" => o.runs = number("--runs", value("--runs")),
            "--jobs" => o.jobs = Some(number("--jobs", value("--jobs"))),
            "--parallel" => o.parallel = number("--parallel", value("--parallel")).max(1),
            "--only" => o.only = Some(value("--only")),
            "--keep" => o.keep = Some(PathBuf::from(value("--keep"))),
            "--hog" => o.hog = true,
            "--python" => o.mode = Mode::Python,
            "--gallery" => o.mode = Mode::Gallery,
            "--timing" => o.mode = Mode::Timing,
            // What cargo bench passes (`--bench`), and test-harness flags.
            _ => {}
        }
    }
    o
}

#[derive(Deserialize)]
struct Gallery {
    fixture: Vec<Fixture>,
}

#[derive(Deserialize)]
struct Fixture {
    file: String,
    role: String,
    question: String,
    expect: BTreeMap<String, String>,
}

/// One `grade` command of a run and the outcome each scenario must get
/// (`pass` or `fail:<code>`); `None`: every scenario passes.
struct Job {
    name: String,
    args: Vec<String>,
    expect: Option<BTreeMap<String, String>>,
}

fn gallery(fx: &Path) -> Vec<Fixture> {
    let text = std::fs::read_to_string(fx.join("gallery.toml")).expect("gallery.toml");
    toml::from_str::<Gallery>(&text)
        .expect("gallery.toml parses")
        .fixture
}

/// The fixtures and scenarios a grader that depends on timing gets wrong.
const TIMING: &[(&str, &[&str])] = &[
    ("q4/recv1024_server.py", &["q4.server.burst-in"]),
    ("q4/q3_server.py", &["q4.server.burst-in"]),
    (
        "q4/prompt_client.py",
        &["q4.client.simultaneous", "q4.client.keyboard-eof"],
    ),
    (
        "q4/fork_client.py",
        &["q4.client.simultaneous", "q4.client.keyboard-eof"],
    ),
    (
        "q4/fork_server.py",
        &["q4.server.keyboard-eof", "q4.server.burst-in"],
    ),
    ("q4/fork_server.c", &["q4.server.keyboard-eof"]),
];

fn jobs(o: &Options, fx: &Path) -> Vec<Job> {
    let path = |f: &str| fx.join(f).display().to_string();
    let mut jobs = match o.mode {
        Mode::Reference => vec![Job {
            name: "reference".into(),
            args: vec!["--reference".into()],
            expect: None,
        }],
        Mode::Python => vec![Job {
            name: "python".into(),
            args: vec![
                "--server".into(),
                path("q1/framed_recv.py"),
                "--client".into(),
                path("q2/input_loop.py"),
                // The correct fixtures answer q1 and q2 only.
                "-q".into(),
                "q1".into(),
                "-q".into(),
                "q2".into(),
            ],
            expect: None,
        }],
        Mode::Gallery | Mode::Timing => {
            let timing = o.mode == Mode::Timing;
            gallery(fx)
                .into_iter()
                .filter_map(|f| {
                    let mut args = vec![format!("--{}", f.role), path(&f.file)];
                    args.extend(["-q".into(), f.question.clone()]);
                    let mut expect = f.expect;
                    if timing {
                        let (_, ids) = TIMING.iter().find(|(file, _)| *file == f.file)?;
                        expect.retain(|id, _| ids.contains(&id.as_str()));
                        for id in *ids {
                            args.extend(["-s".into(), id.to_string()]);
                        }
                    }
                    Some(Job {
                        name: f.file,
                        args,
                        expect: Some(expect),
                    })
                })
                .collect()
        }
    };
    if let Some(only) = &o.only {
        jobs.retain(|j| j.name.contains(only.as_str()));
    }
    for j in &mut jobs {
        j.args.extend(["--format".into(), "json".into()]);
        if let Some(n) = o.jobs {
            j.args.extend(["--jobs".into(), n.to_string()]);
        }
    }
    jobs
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

/// What one run of the soak saw.
#[derive(Default)]
struct Tally {
    seen: Seen,
    /// Pass/fail other than expected: `fixture: id`, per outcome.
    wrong: BTreeMap<String, usize>,
    bad_exits: Vec<String>,
    leftovers: Vec<String>,
    walls: Vec<Duration>,
}

/// Grades one job once and records what it got; returns grade's pid.
fn grade_once(exe: &Path, job: &Job, run: usize, tally: &Mutex<Tally>, keep: Option<&Path>) -> u32 {
    let t = Instant::now();
    let child = Command::new(exe)
        .args(&job.args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("grade starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("grade runs");
    let wall = t.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut tally = tally.lock().unwrap();
    tally.walls.push(wall);
    let mut all_pass = true;
    let mut graded = 0;
    for s in report["scenarios"].as_array().into_iter().flatten() {
        let id = s["id"].as_str().unwrap_or("?");
        let status = s["status"].as_str().unwrap_or("?");
        all_pass &= status == "pass";
        graded += 1;
        let outcome = match s["diagnosis"]["code"].as_str() {
            Some(code) if status != "pass" => format!("{status}:{code}"),
            _ => status.to_string(),
        };
        let key = format!("{}: {id}", job.name);
        let want = match &job.expect {
            None => Some("pass"),
            Some(e) => e.get(id).map(String::as_str),
        };
        if let Some(want) = want {
            let want_pass = want == "pass";
            if want_pass != (status == "pass") {
                *tally.wrong.entry(key.clone()).or_default() += 1;
                if let Some(dir) = keep {
                    let name = format!("run{run}-{}-{id}.json", job.name.replace('/', "_"));
                    let _ = std::fs::create_dir_all(dir);
                    let _ = std::fs::write(dir.join(name), s.to_string());
                }
            }
        }
        let e = tally
            .seen
            .entry(key)
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
    // The exit status a report implies: 0 all passed, 1 some failed.
    let want_exit = if all_pass { 0 } else { 1 };
    if graded == 0 || out.status.code() != Some(want_exit) {
        tally.bad_exits.push(format!(
            "run {run}: {}: exit {:?}, {graded} scenarios in the report",
            job.name,
            out.status.code()
        ));
    }
    pid
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let o = options();
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_grade"));
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let jobs = jobs(&o, &fx);

    let stop = Arc::new(AtomicBool::new(false));
    let hogs = if o.hog { hog(&stop) } else { Vec::new() };
    let tally = Mutex::new(Tally::default());
    let started = Instant::now();
    for run in 0..o.runs {
        // Up to `parallel` jobs at once, each taken from a shared queue.
        let next = AtomicUsize::new(0);
        let pids = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..o.parallel.min(jobs.len()) {
                scope.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(k) else { break };
                    let pid = grade_once(&exe, job, run, &tally, o.keep.as_deref());
                    pids.lock().unwrap().push(pid);
                });
            }
        });
        // Once no grade of this run is running any more: anything of ours
        // still there was left behind.
        let procs = our_processes(&exe);
        let groups: usize = pids.into_inner().unwrap().into_iter().map(cgroups_of).sum();
        let mut t = tally.lock().unwrap();
        if !procs.is_empty() || groups > 0 {
            t.leftovers
                .push(format!("run {run}: {groups} cgroups, processes {procs:?}"));
        }
        // One line a run, so that a soak cut short still tells what it saw.
        eprintln!(
            "run {}/{}: {:.0} s, differing pass/fail so far: {} {:?}, exits: {}, left: {}",
            run + 1,
            o.runs,
            started.elapsed().as_secs_f64(),
            t.wrong.len(),
            t.wrong.keys().collect::<Vec<_>>(),
            t.bad_exits.len(),
            t.leftovers.len()
        );
    }
    let total = started.elapsed();
    let load = load_average();
    stop.store(true, Ordering::Relaxed);
    for h in hogs {
        let _ = h.join();
    }

    let mut t = tally.into_inner().unwrap();
    t.walls.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let what = match o.mode {
        Mode::Reference => "--reference".to_string(),
        Mode::Python => "on the correct Python fixtures (q1, q2)".to_string(),
        Mode::Gallery => format!("on {} gallery fixtures", jobs.len()),
        Mode::Timing => format!("on {} timing-sensitive fixtures", jobs.len()),
    };
    println!(
        "soak: {} runs of grade {what} ({} scenarios), jobs {}, {} at once, CPU hog {}",
        o.runs,
        t.seen.len(),
        o.jobs.map_or("default".to_string(), |j| j.to_string()),
        o.parallel,
        if o.hog {
            format!(
                "on {} threads",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            )
        } else {
            "off".into()
        }
    );
    println!(
        "load average at the end: {load}; total {:.1} s",
        total.as_secs_f64()
    );
    if !t.walls.is_empty() {
        let w = &t.walls;
        println!(
            "wall per grade command: median {:.1} ms, p95 {:.1} ms, worst {:.1} ms",
            ms(w[w.len() / 2]),
            ms(w[(w.len() * 95 / 100).min(w.len() - 1)]),
            ms(*w.last().unwrap())
        );
    }
    let varied: Vec<_> = t.seen.iter().filter(|(_, o)| o.len() > 1).collect();
    println!(
        "differing pass/fail: {} scenario(s); diagnoses that varied: {}; unexpected exit status: {}; runs that left something: {}",
        t.wrong.len(),
        varied.len(),
        t.bad_exits.len(),
        t.leftovers.len()
    );
    for (key, n) in &t.wrong {
        println!("  WRONG {key}: {n} of {} runs", o.runs);
        for (outcome, (k, msg)) in t.seen.get(key).into_iter().flatten() {
            println!("      {outcome} ×{k}  {msg}");
        }
    }
    for (key, outcomes) in &varied {
        if t.wrong.contains_key(*key) {
            continue;
        }
        println!("  varied {key}:");
        for (outcome, (k, msg)) in outcomes.iter() {
            println!("      {outcome} ×{k}  {msg}");
        }
    }
    for l in t.bad_exits.iter().take(10) {
        println!("  exit: {l}");
    }
    for l in t.leftovers.iter().take(10) {
        println!("  left: {l}");
    }
    if !t.wrong.is_empty() || !t.bad_exits.is_empty() || !t.leftovers.is_empty() {
        std::process::exit(1);
    }
}

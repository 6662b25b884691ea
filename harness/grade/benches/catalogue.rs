//! Benchmark: wall time of the q1+q2 catalogue graded by the real `grade`
//! binary, on the reference programs and on correct Python fixtures, next to
//! the floor of merely starting the same programs (until they block) and
//! reaping them, with the same parallelism. `cargo bench -p grade`.

use grade::world::{procfs, sleeps};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 10;

/// A catalogue to grade: its name, `grade`'s arguments, and the programs it
/// starts with how many times.
type Case<'a> = (&'a str, Vec<&'a str>, Vec<(Vec<String>, usize)>);

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], *v.last().unwrap())
}

fn grade(args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_grade"))
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let d = t.elapsed();
    assert!(
        out.status.code() == Some(0),
        "grade {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    d
}

/// Starts `argv` `n` times on `jobs` threads, each in its own network
/// namespace like a scenario, waits until it blocks (or exits), kills and reaps it.
fn floor(argv: &[String], n: usize, jobs: usize) -> Duration {
    let t = Instant::now();
    std::thread::scope(|s| {
        for j in 0..jobs {
            s.spawn(move || {
                for _ in (j..n).step_by(jobs) {
                    let argv = argv.to_vec();
                    std::thread::spawn(move || {
                        grade::world::netns::enter_new().unwrap();
                        let mut c = Command::new(&argv[0]);
                        c.args(&argv[1..])
                            .stdin(Stdio::piped())
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .process_group(0);
                        let mut child = c.spawn().unwrap();
                        let pid = child.id() as i32;
                        let mut sleeps = sleeps::Sleeps::default();
                        loop {
                            if child.try_wait().unwrap().is_some() {
                                return;
                            }
                            let procs = procfs::tree(&[pid]);
                            if !procs.is_empty() && procfs::all_waiting(&procs, &mut sleeps) {
                                break;
                            }
                            std::thread::yield_now();
                        }
                        let _ = child.kill();
                        let _ = child.wait();
                    })
                    .join()
                    .unwrap();
                }
            });
        }
    });
    t.elapsed()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let server = fx.join("q1/framed_recv.py").display().to_string();
    let client = fx.join("q2/input_loop.py").display().to_string();
    let exe = env!("CARGO_BIN_EXE_grade").to_string();
    let py = grade::world::program::python3()
        .expect("python3")
        .to_string();

    let cases: Vec<Case> = vec![
        (
            "reference programs, q1+q2",
            vec!["--reference", "-q", "q1", "-q", "q2"],
            vec![
                (vec![exe.clone(), "reference".into(), "q1-server".into()], 9),
                (vec![exe.clone(), "reference".into(), "q2-client".into()], 6),
            ],
        ),
        (
            "Python fixtures, q1+q2",
            vec![
                "--server", &server, "--client", &client, "-q", "q1", "-q", "q2",
            ],
            vec![
                (vec![py.clone(), server.clone()], 9),
                (vec![py.clone(), client.clone()], 6),
            ],
        ),
    ];
    println!(
        "{:<28} {:>12} {:>12} {:>14} {:>7}",
        "catalogue", "median", "worst", "floor median", "ratio"
    );
    for (name, args, programs) in cases {
        let graded: Vec<Duration> = (0..RUNS).map(|_| grade(&args)).collect();
        let floors: Vec<Duration> = (0..RUNS)
            .map(|_| programs.iter().map(|(argv, n)| floor(argv, *n, jobs)).sum())
            .collect();
        let (gm, gw) = stats(graded);
        let (fm, _) = stats(floors);
        println!(
            "{name:<28} {:>9.1} ms {:>9.1} ms {:>11.1} ms {:>6.2}×",
            gm.as_secs_f64() * 1e3,
            gw.as_secs_f64() * 1e3,
            fm.as_secs_f64() * 1e3,
            gm.as_secs_f64() / fm.as_secs_f64()
        );
    }

    // The whole catalogue (q1..q4, pair scenarios and the deadlock demo
    // included): DESIGN's targets are < 2 s on the reference programs and
    // < 4 s on Python solutions, on 2 cores.
    println!();
    println!("{:<28} {:>12} {:>12}", "whole catalogue", "median", "worst");
    let cases: Vec<(&str, Vec<Vec<String>>)> = vec![
        ("reference, all questions", vec![vec!["--reference".into()]]),
        ("Python, all questions", python_runs(&fx)),
    ];
    for (name, runs) in cases {
        let times = (0..RUNS)
            .map(|_| {
                runs.iter()
                    .map(|r| grade_any(&r.iter().map(String::as_str).collect::<Vec<_>>()))
                    .sum()
            })
            .collect();
        let (m, w) = stats(times);
        println!(
            "{name:<28} {:>9.1} ms {:>9.1} ms",
            m.as_secs_f64() * 1e3,
            w.as_secs_f64() * 1e3
        );
    }
}

/// Correct Python fixtures for every question: one `grade` run per
/// question, each with a server and a client where the question has both.
fn python_runs(fx: &Path) -> Vec<Vec<String>> {
    let f = |p: &str| fx.join(p).display().to_string();
    let run = |server: &str, client: &str, qs: &[&str]| {
        let mut v = vec!["--server".into(), f(server), "--client".into(), f(client)];
        for q in qs {
            v.push("-q".into());
            v.push(q.to_string());
        }
        v
    };
    vec![
        run("q1/framed_recv.py", "q2/input_loop.py", &["q1", "q2"]),
        run("q3/server_readline.py", "q3/client_readline.py", &["q3"]),
        run("q4/fork_server.py", "q4/fork_client.py", &["q4"]),
    ]
}

/// Wall time of one `grade` run, whatever its verdicts.
fn grade_any(args: &[&str]) -> Duration {
    let t = Instant::now();
    let _ = Command::new(env!("CARGO_BIN_EXE_grade"))
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    t.elapsed()
}

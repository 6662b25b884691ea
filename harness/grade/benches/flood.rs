//! Benchmark: what a flooding program costs. Each flood fixture (the
//! hostile ones, and the gallery's floods) is graded by the real `grade`
//! binary on every scenario of its side, with the JSON report, and the
//! bench prints the wall time, the report's size and grade's own peak
//! memory (`cargo bench -p grade --bench flood [-- --runs N]`). Then it
//! times every report format on a hand-built transcript of 190,000 events
//! (what a flood left before transcripts were bounded): the writers are
//! linear, whatever they are given.
//!
//! Peak memory is grade's `VmHWM`, which grade prints on standard error at
//! its exit when `GRADE_PEAK_MEMORY=1`: `/usr/bin/time` and
//! `getrusage(RUSAGE_CHILDREN)` report the largest of grade, the programs
//! it reaped and the C compiler, and a zombie's /proc no longer has it.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Targets of the issue: a report fits 2 MiB, grade stays under 64 MiB.
const REPORT_BUDGET: usize = 2 << 20;
const PEAK_BUDGET_KIB: u64 = 64 * 1024;

struct Run {
    wall: Duration,
    report: usize,
    peak_kib: u64,
}

fn grade(args: &[String]) -> Run {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_grade"))
        .args(args)
        .args(["--format", "json"])
        .env("GRADE_PEAK_MEMORY", "1")
        .output()
        .unwrap();
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "grade {args:?}: status {:?}\n{stderr}",
        out.status
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("a JSON report");
    let peak_kib = common::peak_kib(&stderr);
    Run {
        wall,
        report: out.stdout.len(),
        peak_kib,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut runs = 3;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            // Only the writers' part.
            "--writers" => return writers(),
            _ => {}
        }
    }
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let program = |file: &str| {
        let p = fx.join(file).display().to_string();
        if file.ends_with(".py") {
            format!("python3 {p}")
        } else {
            p
        }
    };
    // (what, grade's arguments)
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "resender (C), -q q2",
            vec![
                "--client".into(),
                program("hostile/resender.c"),
                "-q".into(),
                "q2".into(),
            ],
        ),
        (
            "resender (C), every client scenario",
            vec!["--client".into(), program("hostile/resender.c")],
        ),
        (
            "sends without newline",
            vec![
                "--client".into(),
                program("hostile/sends_without_newline.py"),
            ],
        ),
        (
            "empty lines",
            vec!["--server".into(), program("hostile/empty_lines.py")],
        ),
        (
            "one endless line",
            vec!["--server".into(), program("hostile/endless_line.py")],
        ),
        (
            "NUL flood",
            vec!["--server".into(), program("hostile/nul_flood.py")],
        ),
        (
            "endless printer",
            vec!["--server".into(), program("hostile/endless_printer.py")],
        ),
        (
            "gallery q1/output_flood.py",
            vec!["--server".into(), program("q1/output_flood.py")],
        ),
        (
            "gallery q2/eof_busy_loop.c",
            vec!["--client".into(), program("q2/eof_busy_loop.c")],
        ),
    ];
    println!("{runs} runs each; JSON report; worst of the runs");
    println!(
        "{:<38} {:>9} {:>9} {:>12} {:>12}",
        "fixture", "wall med", "wall max", "report max", "grade peak"
    );
    let mut over = Vec::new();
    for (name, args) in &cases {
        let mut all: Vec<Run> = (0..runs).map(|_| grade(args)).collect();
        all.sort_by_key(|r| r.wall);
        let med = all[all.len() / 2].wall;
        let worst = all.last().map(|r| r.wall).unwrap_or_default();
        let report = all.iter().map(|r| r.report).max().unwrap_or(0);
        let peak = all.iter().map(|r| r.peak_kib).max().unwrap_or(0);
        println!(
            "{name:<38} {:>7.2} s {:>7.2} s {:>8.0} KiB {:>8.1} MiB",
            med.as_secs_f64(),
            worst.as_secs_f64(),
            report as f64 / 1024.0,
            peak as f64 / 1024.0
        );
        if report >= REPORT_BUDGET || peak >= PEAK_BUDGET_KIB {
            over.push(*name);
        }
    }
    assert!(over.is_empty(), "over the budgets: {over:?}");
    writers();
}

/// Every format written from one scenario whose transcript holds 190,000
/// received segments of 1,025 bytes (the resender's), with no bound applied.
fn writers() {
    use grade::report::{self, Outcome, Report};
    use grade::transcript::{Actor, Event, Transcript};
    let scenario = grade::scenario::load_catalogue(None)
        .unwrap()
        .into_iter()
        .find(|s| s.id == "q2.client.eof")
        .unwrap();
    let mut tr = Transcript::default();
    let mut seg = b"au revoir\n".to_vec();
    seg.resize(1025, 0);
    tr.push(Duration::ZERO, Actor::Harness, Event::Step(0));
    for k in 0..190_000u64 {
        tr.push(
            Duration::from_micros(k * 10),
            Actor::Peer,
            Event::Received(seg.clone()),
        );
    }
    tr.push(Duration::from_secs(2), Actor::Harness, Event::Teardown);
    let verdict = grade::verdict::judge(&scenario, &tr);
    let r = Report {
        outcomes: vec![Outcome {
            scenario,
            verdict,
            transcript: tr,
            started: Duration::ZERO,
            duration: Duration::from_secs(2),
        }],
        ..Report::default()
    };
    println!();
    println!("190,000 events of 1,025 bytes, one scenario, unbounded transcript:");
    println!("{:<14} {:>10} {:>12}", "format", "write", "size");
    for name in report::FORMATS {
        let reporter = report::by_name(name).unwrap();
        let mut out = Vec::new();
        let t = Instant::now();
        reporter.write(&r, &mut out).unwrap();
        let d = t.elapsed();
        println!(
            "{name:<14} {:>7.0} ms {:>8.0} KiB",
            d.as_secs_f64() * 1e3,
            out.len() as f64 / 1024.0
        );
        assert!(out.len() < REPORT_BUDGET, "{name}: {} bytes", out.len());
    }
}

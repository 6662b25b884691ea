//! Benchmark: how soon after the last process blocks the harness concludes
//! that nothing more will happen (quiescence), over many runs. Two cases:
//! the q3 deadlock (both reference programs asleep in recv, proven by the
//! harness), and a q3 server that must *not* send out of turn (a negative
//! check that ends at quiescence). Latency = time of the `quiescent` event
//! minus the time of the last event before it (the last thing any program
//! or the harness did). `cargo bench -p grade --bench quiescence`.

use std::process::Command;

const RUNS: usize = 40;

fn latencies(args: &[&str], after_step_of: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for _ in 0..RUNS {
        let o = Command::new(env!("CARGO_BIN_EXE_grade"))
            .args(args)
            .args(["--format", "json", "--jobs", "1"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        for s in v["scenarios"].as_array().unwrap() {
            assert_eq!(s["status"], "pass", "{}", s["id"]);
            if s["id"] != after_step_of {
                continue;
            }
            let t = s["transcript"].as_array().unwrap();
            let q = t
                .iter()
                .position(|e| e["event"] == "quiescent")
                .expect("a quiescent event");
            let last = t[..q]
                .iter()
                .rev()
                .find(|e| e["event"] != "step")
                .expect("an event before");
            out.push(t[q]["t_ms"].as_f64().unwrap() - last["t_ms"].as_f64().unwrap());
        }
    }
    out.sort_by(f64::total_cmp);
    out
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!(
        "{:<44} {:>5} {:>9} {:>9}",
        "quiescence after the last event", "runs", "median", "worst"
    );
    for (name, args, id) in [
        (
            "q3 deadlock proven (reference, both recv)",
            vec!["--reference", "-s", "q3.demo.deadlock"],
            "q3.demo.deadlock",
        ),
        (
            "q3 server: nothing sent out of turn",
            vec!["--reference", "-s", "q3.server.waits-first"],
            "q3.server.waits-first",
        ),
    ] {
        let l = latencies(&args, id);
        println!(
            "{name:<44} {:>5} {:>6.1} ms {:>6.1} ms",
            l.len(),
            l[l.len() / 2],
            l[l.len() - 1]
        );
    }
}

//! Benchmark: the cost of the sandbox per program start. Starts `/bin/true`
//! on a pseudo-terminal, as the runner starts every program, 300 times with
//! no layer and 300 times with every layer this machine allows (pid
//! namespace and init, mount and IPC namespaces, read-only host, private
//! tmpfs, hidden homes, /proc of its own, `nobody` as root), and prints the
//! median and 95th percentile of start-to-exit for each, and the median
//! difference: what the sandbox adds to one program start.
//! `cargo bench -p grade --bench sandbox`.

use grade::world::pty::{self, Join, Layers, Started};
use grade::world::spawn;
use std::time::{Duration, Instant};

const RUNS: usize = 300;

/// How long ending each init took (its namespaces torn down).
static ENDS: std::sync::Mutex<Vec<Duration>> = std::sync::Mutex::new(Vec::new());

/// Starts `/bin/true` in `layers` and waits until it has exited.
fn one(layers: &Layers, cwd: &std::path::Path) -> Duration {
    let argv = vec!["/bin/true".to_string()];
    let env = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
    let t = Instant::now();
    let Started { pid, master, init } =
        pty::spawn(&argv, &env, cwd, Join::default(), || Ok(()), layers).expect("starts");
    match init {
        Some(init) => {
            // The init reports the program's end on its pipe.
            loop {
                let mut p = [nix::poll::PollFd::new(
                    std::os::fd::AsFd::as_fd(&init.reports),
                    nix::poll::PollFlags::POLLIN,
                )];
                let _ = nix::poll::poll(&mut p, nix::poll::PollTimeout::from(1000u16));
                if spawn::program_status(&init).is_some() {
                    break;
                }
            }
            let d = t.elapsed();
            let e = Instant::now();
            spawn::end(init);
            // Reaped once its namespaces are torn down.
            grade::world::reaper::settle(Duration::from_secs(2));
            ENDS.lock().unwrap().push(e.elapsed());
            d
        }
        None => {
            let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
            let d = t.elapsed();
            drop(master);
            d
        }
    }
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let none = Layers::default();
    let all = Layers::probe(vec![std::env::current_exe().unwrap()], Vec::new());
    if let Some((uid, gid)) = all.identity {
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
    }
    println!(
        "layers here: {:?} (missing: {:?})",
        all.report(),
        all.missing()
    );
    let pid_only = Layers {
        filesystem: None,
        ..all.clone()
    };
    let mut fs_only = all.clone();
    fs_only.pid_namespace = false;
    if let Some(p) = &mut fs_only.filesystem {
        p.own_proc = false;
    }
    let mut bare = Vec::new();
    let mut full = Vec::new();
    let mut pids = Vec::new();
    let mut fs = Vec::new();
    // Interleaved, so that all see the same machine.
    for _ in 0..RUNS {
        bare.push(one(&none, dir.path()));
        full.push(one(&all, dir.path()));
        pids.push(one(&pid_only, dir.path()));
        fs.push(one(&fs_only, dir.path()));
    }
    let (p50, _) = stats(pids);
    let (m50, _) = stats(fs);
    println!("pid namespace and init only: median {p50:?}; filesystem view only: median {m50:?}");
    let (b50, b95) = stats(bare);
    let (f50, f95) = stats(full);
    println!("no layer:   median {b50:?}, p95 {b95:?} (start to exit of /bin/true, {RUNS} runs)");
    println!("sandboxed:  median {f50:?}, p95 {f95:?}");
    let (e50, e95) = stats(ENDS.lock().unwrap().clone());
    println!("ending the init (namespaces torn down): median {e50:?}, p95 {e95:?}");
    println!(
        "set-up per program start: {:?} (median difference)",
        f50.saturating_sub(b50)
    );
}

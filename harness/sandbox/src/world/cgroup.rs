//! Cgroups of programs under test. One in the unified (v2) hierarchy per
//! program gives the exact set of its live processes in one small read —
//! including those that left its session or double-forked — and
//! `cgroup.kill` ends them all at once. Cgroups in v1 hierarchies (`pids`,
//! `memory`) carry the limits where the v2 one has no controllers (see
//! `limits`). Where no writable hierarchy exists, `Cgroup::create` fails and
//! the runner falls back to scanning /proc (`procfs::tree`).
//!
//! Every cgroup the harness creates is registered here until it is removed,
//! so that an interrupted `grade` can kill and remove them all
//! (`kill_and_remove_all`), and a `grade` that was killed outright leaves
//! nothing that the next one does not remove (`remove_stale`).

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::fs;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Which cgroup hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hierarchy {
    /// The unified (v2) hierarchy.
    Unified,
    /// The v1 hierarchy of one controller (`"pids"`, `"memory"`).
    V1(&'static str),
}

/// The v1 controllers the harness may use.
const V1_CONTROLLERS: &[&str] = &["pids", "memory"];

/// One cgroup the harness created, removed on drop (its processes killed first).
#[derive(Debug)]
pub struct Cgroup {
    dir: PathBuf,
    hierarchy: Hierarchy,
    /// `cgroup.procs`, opened for writing before fork: the child joins by
    /// writing "0" to it between fork and exec.
    procs: OwnedFd,
}

/// Cgroups alive now (created and not yet removed), and whether the
/// harness is shutting down (then no new one is created).
static LIVE: Mutex<Vec<(PathBuf, Hierarchy)>> = Mutex::new(Vec::new());
static CLOSING: AtomicBool = AtomicBool::new(false);

/// Where the harness's own cgroup sits in a hierarchy, if that hierarchy is
/// mounted here and a child cgroup can be created in it.
pub fn base(h: Hierarchy) -> Option<&'static Path> {
    static UNIFIED: OnceLock<Option<PathBuf>> = OnceLock::new();
    static PIDS: OnceLock<Option<PathBuf>> = OnceLock::new();
    static MEMORY: OnceLock<Option<PathBuf>> = OnceLock::new();
    let cell = match h {
        Hierarchy::Unified => &UNIFIED,
        Hierarchy::V1("pids") => &PIDS,
        Hierarchy::V1("memory") => &MEMORY,
        Hierarchy::V1(_) => return None,
    };
    cell.get_or_init(|| {
        let dir = own_dir(h)?;
        // Probe: can we create (and remove) a child here?
        let probe = dir.join(format!("grade-probe-{}", std::process::id()));
        fs::create_dir(&probe).ok()?;
        let ok = probe.join("cgroup.procs").exists();
        let _ = fs::remove_dir(&probe);
        ok.then_some(dir)
    })
    .as_deref()
}

/// The harness's own cgroup directory in a hierarchy, from
/// /proc/self/mountinfo and /proc/self/cgroup.
fn own_dir(h: Hierarchy) -> Option<PathBuf> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mount = info.lines().find_map(|l| {
        let (pre, post) = l.split_once(" - ")?;
        let mut post = post.split(' ');
        let fstype = post.next()?;
        let options = post.nth(1).unwrap_or("");
        let wanted = match h {
            Hierarchy::Unified => fstype == "cgroup2",
            Hierarchy::V1(c) => fstype == "cgroup" && options.split(',').any(|o| o == c),
        };
        wanted.then(|| pre.split(' ').nth(4).map(PathBuf::from))?
    })?;
    let own = fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = own.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (_, controllers, path) = (f.next()?, f.next()?, f.next()?);
        let wanted = match h {
            Hierarchy::Unified => controllers.is_empty(),
            Hierarchy::V1(c) => controllers.split(',').any(|x| x == c),
        };
        wanted.then_some(path)
    })?;
    Some(mount.join(rel.trim_start_matches('/')))
}

/// Whether programs can be given cgroups (v2) on this machine.
pub fn available() -> bool {
    base(Hierarchy::Unified).is_some()
}

impl Cgroup {
    /// A new, empty cgroup under the harness's own, in the unified hierarchy.
    pub fn create() -> io::Result<Cgroup> {
        Cgroup::create_in(Hierarchy::Unified)
    }

    /// A new, empty cgroup under the harness's own in hierarchy `h`.
    pub fn create_in(h: Hierarchy) -> io::Result<Cgroup> {
        static N: AtomicU64 = AtomicU64::new(0);
        let base = base(h).ok_or_else(|| io::Error::other("no writable cgroup hierarchy"))?;
        let dir = base.join(format!(
            "grade-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        // Registered under the lock, so that a shutdown either sees it or
        // has already refused it.
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        if CLOSING.load(Ordering::SeqCst) {
            return Err(io::Error::other("grade is shutting down"));
        }
        fs::create_dir(&dir)?;
        let procs = fs::OpenOptions::new()
            .write(true)
            .open(dir.join("cgroup.procs"));
        match procs {
            Ok(f) => {
                live.push((dir.clone(), h));
                Ok(Cgroup {
                    dir,
                    hierarchy: h,
                    procs: f.into(),
                })
            }
            Err(e) => {
                let _ = fs::remove_dir(&dir);
                Err(e)
            }
        }
    }

    /// The descriptor a child writes "0" to (async-signal-safe) to join.
    pub fn join_fd(&self) -> RawFd {
        self.procs.as_raw_fd()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the cgroup has this control file (a controller is enabled).
    pub fn has(&self, file: &str) -> bool {
        self.dir.join(file).exists()
    }

    /// Writes a control file (`pids.max`, `memory.limit_in_bytes`, …).
    pub fn set(&self, file: &str, value: &str) -> io::Result<()> {
        fs::write(self.dir.join(file), value)
    }

    /// Live processes of the cgroup (zombies are not listed: they have left).
    pub fn pids(&self) -> Vec<i32> {
        pids_of(&self.dir)
    }

    /// Time (µs) during which some process of the cgroup, short-lived ones
    /// included, was held up by the machine: runnable but waiting for a CPU,
    /// or waiting for the disk (`cpu.pressure` and `io.pressure`, "some").
    /// 0 where pressure accounting is off.
    pub fn stalled_us(&self) -> u64 {
        ["cpu.pressure", "io.pressure"]
            .iter()
            .filter_map(|f| fs::read_to_string(self.dir.join(f)).ok())
            .filter_map(|t| some_total(&t))
            .sum()
    }

    /// SIGKILL to every process of the cgroup: at once with `cgroup.kill`
    /// in the unified hierarchy (no process can fork its way out of it),
    /// one by one in a v1 one. `false` when it could not be done.
    pub fn kill(&self) -> bool {
        kill_dir(&self.dir, self.hierarchy)
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Fails while a process is still inside; the runner kills them first.
        if fs::remove_dir(&self.dir).is_err() {
            remove(
                &self.dir,
                self.hierarchy,
                Instant::now() + Duration::from_secs(2),
            );
        }
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|(d, _)| d != &self.dir);
    }
}

/// The `total=` of the "some" line of a pressure file.
fn some_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("some "))?;
    line.split(' ')
        .find_map(|f| f.strip_prefix("total="))?
        .parse()
        .ok()
}

fn pids_of(dir: &Path) -> Vec<i32> {
    fs::read_to_string(dir.join("cgroup.procs"))
        .map(|s| s.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default()
}

fn kill_dir(dir: &Path, h: Hierarchy) -> bool {
    if h == Hierarchy::Unified {
        return fs::OpenOptions::new()
            .write(true)
            .open(dir.join("cgroup.kill"))
            .and_then(|mut f| f.write_all(b"1"))
            .is_ok();
    }
    for pid in pids_of(dir) {
        // SAFETY: kill(2) with integer arguments.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    true
}

/// Kills what is left in `dir` and removes it, until `deadline`. In the
/// unified hierarchy it waits on `cgroup.events` (the kernel wakes `poll`
/// when "populated" changes); a v1 cgroup has no such file, so its
/// processes are killed again until it can be removed.
fn remove(dir: &Path, h: Hierarchy, deadline: Instant) -> bool {
    let events = if h == Hierarchy::Unified {
        fs::File::open(dir.join("cgroup.events")).ok()
    } else {
        None
    };
    loop {
        kill_dir(dir, h);
        if fs::remove_dir(dir).is_ok() || !dir.exists() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        match &events {
            // Read through the polled descriptor: that is what re-arms it.
            Some(f) if populated(f) => {
                let left = (deadline - now).as_millis().clamp(1, 1000) as u16;
                let mut p = [PollFd::new(f.as_fd(), PollFlags::POLLPRI)];
                let _ = poll(&mut p, PollTimeout::from(left));
            }
            // Empty yet not removable (a child cgroup inside, or a v1
            // cgroup whose processes are still dying): try again.
            _ => std::thread::yield_now(),
        }
    }
}

fn populated(events: &fs::File) -> bool {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 256];
    let n = events.read_at(&mut buf, 0).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .any(|l| l == "populated 1")
}

/// Interrupted: no new cgroup from now on; every live one is killed and
/// removed (bounded by a deadline). For the signal thread (`interrupt`).
pub fn kill_and_remove_all() {
    let live: Vec<(PathBuf, Hierarchy)> = {
        let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        CLOSING.store(true, Ordering::SeqCst);
        live.clone()
    };
    // Kill everything first, then wait: the programs die in parallel.
    for (dir, h) in &live {
        kill_dir(dir, *h);
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    for (dir, h) in &live {
        remove(dir, *h, deadline);
    }
}

/// Removes the cgroups of `grade` runs that are gone (killed outright, so
/// their drop never ran), with whatever still runs in them. Returns how many.
pub fn remove_stale() -> usize {
    let mut removed = 0;
    let hierarchies =
        std::iter::once(Hierarchy::Unified).chain(V1_CONTROLLERS.iter().map(|&c| Hierarchy::V1(c)));
    for h in hierarchies {
        let Some(base) = base(h) else { continue };
        let Ok(entries) = fs::read_dir(base) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(pid) = name.to_str().and_then(owner_pid) else {
                continue;
            };
            if Path::new(&format!("/proc/{pid}")).exists() {
                continue;
            }
            let deadline = Instant::now() + Duration::from_secs(2);
            if remove(&e.path(), h, deadline) {
                removed += 1;
            }
        }
    }
    removed
}

/// The pid of the `grade` that created a cgroup or a scratch directory,
/// from its name (`grade-PID-N`, `grade-probe-PID`, `grade-build-PID-…`).
pub(crate) fn owner_pid(name: &str) -> Option<i32> {
    let rest = name.strip_prefix("grade-")?;
    let rest = rest
        .strip_prefix("probe-")
        .or_else(|| rest.strip_prefix("build-"))
        .unwrap_or(rest);
    rest.split('-').next()?.parse().ok()
}

/// Joins the cgroup whose `cgroup.procs` is open as `fd`: for `pre_exec`.
pub fn join(fd: RawFd) -> io::Result<()> {
    // SAFETY: write(2) of a static buffer; async-signal-safe.
    if unsafe { libc::write(fd, b"0".as_ptr().cast(), 1) } == 1 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    #[test]
    fn pressure_lines_give_the_some_total() {
        let t = "some avg10=1.00 avg60=0.50 avg300=0.10 total=434977\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=12\n";
        assert_eq!(some_total(t), Some(434_977));
        assert_eq!(some_total("full avg10=0 total=3\n"), None);
        assert_eq!(some_total(""), None);
    }

    #[test]
    fn names_tell_the_owner() {
        assert_eq!(owner_pid("grade-123-4"), Some(123));
        assert_eq!(owner_pid("grade-probe-77"), Some(77));
        assert_eq!(owner_pid("user.slice"), None);
        assert_eq!(owner_pid("grade-x-1"), None);
        assert_eq!(owner_pid("grade-build-9-Xa1b2c"), Some(9));
        assert_eq!(owner_pid("grade-0oYWNr"), None);
    }

    /// Starts `sh -c script` in the given cgroups; waits until `n`
    /// processes are in the first.
    fn start_in(groups: &[&Cgroup], script: &str, n: usize) -> std::process::Child {
        let fds: Vec<RawFd> = groups.iter().map(|g| g.join_fd()).collect();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        // SAFETY: only write(2) between fork and exec.
        unsafe {
            cmd.pre_exec(move || fds.iter().try_for_each(|&fd| join(fd)));
        }
        let child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while groups[0].pids().len() < n && Instant::now() < deadline {
            std::thread::yield_now();
        }
        child
    }

    #[test]
    fn a_child_and_its_escaped_grandchild_are_listed_and_killed() {
        let Ok(cg) = Cgroup::create() else {
            eprintln!("no writable cgroup v2 here: skipped");
            return;
        };
        // The grandchild leaves the session and is orphaned at once.
        let mut child = start_in(&[&cg], "setsid sleep 30 & exec sleep 30", 2);
        assert_eq!(cg.pids().len(), 2, "{:?}", cg.pids());
        assert!(cg.kill());
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !cg.pids().is_empty() && Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert!(cg.pids().is_empty());
    }

    #[test]
    fn an_interrupted_grade_kills_and_removes_its_cgroups() {
        let (Ok(v2), Ok(v1)) = (Cgroup::create(), Cgroup::create_in(Hierarchy::V1("pids"))) else {
            eprintln!("no writable cgroup v2 + v1 pids here: skipped");
            return;
        };
        let mut child = start_in(&[&v2, &v1], "setsid sleep 30 & exec sleep 30", 2);
        let dirs = [v2.dir().to_path_buf(), v1.dir().to_path_buf()];
        // As the signal thread does it, while the cgroups are in use (the
        // process-wide CLOSING flag is not set here: other tests run on).
        let hierarchies = [Hierarchy::Unified, Hierarchy::V1("pids")];
        for (d, h) in dirs.iter().zip(hierarchies) {
            kill_dir(d, h);
        }
        for (d, h) in dirs.iter().zip(hierarchies) {
            assert!(remove(d, h, Instant::now() + Duration::from_secs(5)));
            assert!(!d.exists());
        }
        child.wait().unwrap();
        // Dropping them now finds nothing to remove.
        drop((v2, v1));
    }

    #[test]
    fn stale_cgroups_of_a_dead_grade_are_removed() {
        let Some(base) = base(Hierarchy::Unified) else {
            eprintln!("no writable cgroup v2 here: skipped");
            return;
        };
        // A pid that is surely not running: above the kernel's maximum.
        let max: i32 = fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(4_194_304);
        let stale = base.join(format!("grade-{}-0", max + 1));
        fs::create_dir(&stale).unwrap();
        remove_stale();
        assert!(!stale.exists());
    }
}

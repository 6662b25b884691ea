//! A cgroup (v2) per program under test: the exact set of its live
//! processes in one small read — including those that left its session or
//! double-forked — and `cgroup.kill` to end them all at once. Where no
//! writable cgroup v2 hierarchy exists, `Cgroup::create` fails and the runner
//! falls back to scanning /proc (`procfs::tree`).

use std::fs;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// One cgroup of the unified hierarchy, removed on drop (once empty).
#[derive(Debug)]
pub struct Cgroup {
    dir: PathBuf,
    /// `cgroup.procs`, opened for writing before fork: the child joins by
    /// writing "0" to it between fork and exec.
    procs: OwnedFd,
}

/// Where the harness's own cgroup sits in the unified hierarchy, if that is
/// mounted and writable here.
fn base() -> Option<&'static Path> {
    static BASE: OnceLock<Option<PathBuf>> = OnceLock::new();
    BASE.get_or_init(|| {
        let mount = unified_mount()?;
        let own = fs::read_to_string("/proc/self/cgroup").ok()?;
        let rel = own
            .lines()
            .find_map(|l| l.strip_prefix("0::"))?
            .trim_start_matches('/');
        let dir = mount.join(rel);
        // Probe: can we create (and remove) a child here?
        let probe = dir.join(format!("grade-probe-{}", std::process::id()));
        fs::create_dir(&probe).ok()?;
        let ok = probe.join("cgroup.procs").exists();
        let _ = fs::remove_dir(&probe);
        ok.then_some(dir)
    })
    .as_deref()
}

/// The mount point of the cgroup2 filesystem, from /proc/self/mountinfo.
fn unified_mount() -> Option<PathBuf> {
    let info = fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|l| {
        let (pre, post) = l.split_once(" - ")?;
        if post.split(' ').next()? != "cgroup2" {
            return None;
        }
        pre.split(' ').nth(4).map(PathBuf::from)
    })
}

/// Whether programs can be given cgroups on this machine.
pub fn available() -> bool {
    base().is_some()
}

impl Cgroup {
    /// A new, empty cgroup under the harness's own.
    pub fn create() -> io::Result<Cgroup> {
        static N: AtomicU64 = AtomicU64::new(0);
        let base = base().ok_or_else(|| io::Error::other("no writable cgroup v2 hierarchy"))?;
        let dir = base.join(format!(
            "grade-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&dir)?;
        let procs = fs::OpenOptions::new()
            .write(true)
            .open(dir.join("cgroup.procs"));
        match procs {
            Ok(f) => Ok(Cgroup {
                dir,
                procs: f.into(),
            }),
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

    /// Live processes of the cgroup (zombies are not listed: they have left).
    pub fn pids(&self) -> Vec<i32> {
        fs::read_to_string(self.dir.join("cgroup.procs"))
            .map(|s| s.lines().filter_map(|l| l.trim().parse().ok()).collect())
            .unwrap_or_default()
    }

    /// SIGKILL to every process of the cgroup at once (no process can fork
    /// its way out of it). `false` where the kernel lacks `cgroup.kill`.
    pub fn kill(&self) -> bool {
        fs::OpenOptions::new()
            .write(true)
            .open(self.dir.join("cgroup.kill"))
            .and_then(|mut f| f.write_all(b"1"))
            .is_ok()
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // Fails while a process is still inside; the runner kills them first.
        if fs::remove_dir(&self.dir).is_err() && self.kill() {
            for _ in 0..1000 {
                if fs::remove_dir(&self.dir).is_ok() {
                    break;
                }
                std::thread::yield_now();
            }
        }
    }
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
    fn a_child_and_its_escaped_grandchild_are_listed_and_killed() {
        let Ok(cg) = Cgroup::create() else {
            eprintln!("no writable cgroup v2 here: skipped");
            return;
        };
        let fd = cg.join_fd();
        let mut cmd = Command::new("sh");
        // The grandchild leaves the session and is orphaned at once.
        cmd.args(["-c", "setsid sleep 30 & exec sleep 30"]);
        // SAFETY: only write(2) between fork and exec.
        unsafe {
            cmd.pre_exec(move || join(fd));
        }
        let mut child = cmd.spawn().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while cg.pids().len() < 2 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(cg.pids().len(), 2, "{:?}", cg.pids());
        assert!(cg.kill());
        child.wait().unwrap();
        while !cg.pids().is_empty() && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert!(cg.pids().is_empty());
    }
}

//! Ctrl-C on `grade` itself: the programs under test live in sessions and
//! cgroups of their own, so the terminal's SIGINT never reaches them and
//! the harness's death would leave them running. A dedicated thread takes
//! SIGINT, SIGTERM and SIGHUP (blocked in every other thread, so `sigwait`
//! gets them all): it kills and removes every live cgroup, removes the
//! scenarios' working directories, then exits with status 130.
//!
//! `sigwait` on a thread of its own rather than a signal handler: the
//! cleanup reads and writes files and takes a lock, which a handler may
//! not do; nix already wraps it, so no crate is added for it.

use super::cgroup;
use nix::sys::signal::{SigSet, Signal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Exit status of an interrupted `grade` (128 + SIGINT, as a shell shows it).
pub const EXIT_STATUS: i32 = 130;

/// Directories to remove if interrupted (the scenarios' working
/// directories; normally removed when their `TempDir` drops).
static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set by the signal thread before it cleans up.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the signal thread. Call before any other thread starts: threads
/// inherit the mask that leaves the signals to it. (Programs started later
/// get an empty mask back: `pty::spawn` and std's `Command` reset it.)
pub fn install() -> std::io::Result<()> {
    let mut set = SigSet::empty();
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(s);
    }
    set.thread_block().map_err(std::io::Error::from)?;
    std::thread::Builder::new()
        .name("grade-signals".into())
        .spawn(move || {
            if set.wait().is_ok() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                clean_up();
                std::process::exit(EXIT_STATUS);
            }
        })?;
    Ok(())
}

/// Called once the scenarios are over, before reporting: if `grade` was
/// interrupted, the scenarios ended because their programs were killed;
/// no report then, the signal thread ends the process (status 130).
pub fn settle() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// Prefix of a scratch directory (`grade-PID-…`): the pid tells the next
/// `grade` whether the directory's owner still runs (`remove_stale_dirs`).
pub fn scratch_prefix(kind: &str) -> String {
    format!("{kind}-{}-", std::process::id())
}

/// Removes the scratch directories of `grade` runs that are gone (killed
/// outright: no cleanup ran). Returns how many.
pub fn remove_stale_dirs() -> usize {
    let tmp = std::env::temp_dir();
    let Ok(entries) = std::fs::read_dir(&tmp) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(cgroup::owner_pid) else {
            continue;
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir
            && !Path::new(&format!("/proc/{pid}")).exists()
            && std::fs::remove_dir_all(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// What an interrupted `grade` leaves behind: nothing of its own.
fn clean_up() {
    cgroup::kill_and_remove_all();
    let dirs = std::mem::take(&mut *DIRS.lock().unwrap_or_else(|e| e.into_inner()));
    for d in dirs {
        let _ = std::fs::remove_dir_all(&d).or_else(|_| std::fs::remove_file(&d));
    }
}

/// Removes `dir` if `grade` is interrupted while the guard lives.
#[must_use]
pub fn track_dir(dir: &Path) -> Tracked {
    DIRS.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(dir.to_path_buf());
    Tracked(dir.to_path_buf())
}

/// Removes the file at `path` if `grade` is interrupted while the guard
/// lives (a report being written: see `output`).
#[must_use]
pub fn track_file(path: &Path) -> Tracked {
    track_dir(path)
}

/// See `track_dir`.
#[derive(Debug)]
pub struct Tracked(PathBuf);

impl Drop for Tracked {
    fn drop(&mut self) {
        DIRS.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|d| d != &self.0);
    }
}

//! The harness reaps every process it starts (and, as child subreaper, every
//! orphan of theirs): exit statuses are collected here for all runner threads.

pub use crate::transcript::Exit;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Statuses collected and not yet asked for; children whose status nobody
/// will ask for (an ended init), reaped as they go, each with what must
/// live as long as it does (an init's stack).
#[derive(Default)]
struct Book {
    statuses: HashMap<i32, Exit>,
    forgotten: HashMap<i32, Box<dyn Send>>,
}

static BOOK: Mutex<Option<Book>> = Mutex::new(None);

fn book<T>(f: impl FnOnce(&mut Book) -> T) -> T {
    let mut guard = BOOK.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(Book::default))
}

/// Become the subreaper of everything started from now on: orphans of the
/// programs under test are re-parented to us, not to init.
pub fn become_subreaper() {
    // SAFETY: prctl with integer arguments only.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Reaps every child that has exited, without blocking.
pub fn reap() {
    let mut got = Vec::new();
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) => got.push((pid.as_raw(), Exit::Code(code))),
            Ok(WaitStatus::Signaled(pid, sig, _)) => {
                got.push((pid.as_raw(), Exit::Signal(sig as i32)));
            }
            Ok(WaitStatus::StillAlive) | Err(_) => break,
            Ok(_) => continue,
        }
    }
    book(|b| {
        for (pid, exit) in got {
            if b.forgotten.remove(&pid).is_none() {
                b.statuses.insert(pid, exit);
            }
        }
        // Children without an exit signal (inits), which `waitpid(-1)`
        // does not see: by pid. What they kept is dropped once they are.
        b.forgotten.retain(|&pid, _| !reaped_by_pid(pid));
    });
}

/// Whether the child `pid` is reaped (now, or gone already): `__WALL`, so
/// that children without an exit signal count.
fn reaped_by_pid(pid: i32) -> bool {
    let flags = WaitPidFlag::WNOHANG | WaitPidFlag::__WALL;
    loop {
        match waitpid(Pid::from_raw(pid), Some(flags)) {
            Ok(WaitStatus::StillAlive) => return false,
            Err(nix::errno::Errno::EINTR) => continue,
            // Exited, killed, or no such child any more.
            Ok(_) | Err(_) => return true,
        }
    }
}

/// Records how `pid` ended, from a wait status someone else collected (the
/// init of its pid namespace).
pub fn record(pid: i32, status: i32) {
    let exit = if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(libc::WEXITSTATUS(status))
    };
    book(|b| b.statuses.insert(pid, exit));
}

/// How `pid` ended, if it was reaped (taken: asked once).
pub fn take(pid: i32) -> Option<Exit> {
    book(|b| b.statuses.remove(&pid))
}

/// Nobody will ask how the child `pid` ends: a child without an exit
/// signal (an init, see `spawn`), reaped by pid by any later `reap`; `keep`
/// is dropped then, not before.
pub fn forget(pid: i32, keep: impl Send + 'static) {
    book(|b| {
        // A status under this pid is an earlier child's, never this one's.
        b.statuses.remove(&pid);
        b.forgotten.insert(pid, Box::new(keep));
    });
}

/// Reaps the forgotten children that are still to exit (killed, they are
/// about to), for at most `within`: when a run ends, nothing of it is left,
/// not even a zombie.
pub fn settle(within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        reap();
        if book(|b| b.forgotten.is_empty()) || Instant::now() >= deadline {
            return;
        }
        // The kernel tearing a namespace down: a millisecond, at most.
        std::thread::park_timeout(Duration::from_millis(1));
    }
}

//! The harness reaps every process it starts (and, as child subreaper, every
//! orphan of theirs): exit statuses are collected here for all runner threads.

pub use crate::transcript::Exit;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::collections::HashMap;
use std::sync::Mutex;

static STATUSES: Mutex<Option<HashMap<i32, Exit>>> = Mutex::new(None);

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
    if !got.is_empty() {
        let mut map = STATUSES.lock().unwrap_or_else(|e| e.into_inner());
        map.get_or_insert_with(HashMap::new).extend(got);
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
    let mut map = STATUSES.lock().unwrap_or_else(|e| e.into_inner());
    map.get_or_insert_with(HashMap::new).insert(pid, exit);
}

/// How `pid` ended, if it was reaped (taken: asked once).
pub fn take(pid: i32) -> Option<Exit> {
    let mut map = STATUSES.lock().unwrap_or_else(|e| e.into_inner());
    map.as_mut().and_then(|m| m.remove(&pid))
}

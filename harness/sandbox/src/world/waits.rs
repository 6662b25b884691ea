//! What each process of the programs is doing, from /proc: the call it
//! sleeps in, on which descriptor, and who is at the other end of that
//! socket. The runner records it (a `Snapshot`) when a scenario stalls; the
//! verdict reads the wait-for graph from it (deadlock, receives first,
//! threads instead of fork, zombies, orphans).

use super::procfs::{self, FdKind, Proc, ProcState};
use crate::transcript::{Actor, ProcView, WaitsOn};
use std::collections::HashMap;

/// The name of a waiting system call (`libc::SYS_*`), as a student knows it.
pub fn call_name(nr: i64) -> String {
    match nr {
        libc::SYS_read => "read",
        libc::SYS_pread64 => "pread",
        libc::SYS_readv => "readv",
        libc::SYS_connect => "connect",
        libc::SYS_accept | libc::SYS_accept4 => "accept",
        libc::SYS_recvfrom | libc::SYS_recvmsg => "recv",
        libc::SYS_wait4 | libc::SYS_waitid => "wait",
        libc::SYS_rt_sigsuspend => "sigsuspend",
        libc::SYS_rt_sigtimedwait => "sigtimedwait",
        libc::SYS_futex | libc::SYS_futex_waitv => "futex",
        libc::SYS_nanosleep => "nanosleep",
        libc::SYS_clock_nanosleep => "sleep",
        libc::SYS_epoll_pwait | libc::SYS_epoll_pwait2 => "epoll_wait",
        libc::SYS_pselect6 => "pselect",
        libc::SYS_ppoll => "ppoll",
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll => "poll",
        #[cfg(target_arch = "x86_64")]
        libc::SYS_select => "select",
        #[cfg(target_arch = "x86_64")]
        libc::SYS_pause => "pause",
        #[cfg(target_arch = "x86_64")]
        libc::SYS_epoll_wait => "epoll_wait",
        _ => return format!("syscall {nr}"),
    }
    .to_string()
}

/// Every process of every program, with what it waits on. `default_peer`
/// names who is at the other end of a connection no program holds: the
/// harness's peer, or (pair scenarios, through the harness's relay) the
/// other program.
pub fn snapshot(
    programs: &[(Actor, Vec<Proc>)],
    default_peer: impl Fn(Actor) -> Actor,
) -> Vec<ProcView> {
    let mut owner: HashMap<u64, Actor> = HashMap::new();
    for (actor, procs) in programs {
        for p in procs {
            for ino in procfs::sockets_of(p.pid) {
                owner.insert(ino, *actor);
            }
        }
    }
    let mut out = Vec::new();
    for (actor, procs) in programs {
        for p in procs {
            let tids = procfs::tasks(p.pid);
            // The main thread says what the process waits in; a threaded
            // program shows in `threads`.
            let sc = (p.state != ProcState::Zombie)
                .then(|| procfs::syscall_and_arg(p.pid, p.pid))
                .flatten();
            let (call, on) = match sc {
                Some((nr, arg))
                    if matches!(p.state, ProcState::Sleeping | ProcState::DiskSleep) =>
                {
                    let name = call_name(nr);
                    let on = match nr {
                        libc::SYS_read
                        | libc::SYS_pread64
                        | libc::SYS_readv
                        | libc::SYS_recvfrom
                        | libc::SYS_recvmsg => match procfs::fd_kind(p.pid, arg) {
                            FdKind::Terminal => WaitsOn::Keyboard,
                            FdKind::Socket(ino) => WaitsOn::Socket(Some(
                                other_end(p.pid, ino, &owner, *actor)
                                    .unwrap_or_else(|| default_peer(*actor)),
                            )),
                            FdKind::Other => WaitsOn::Other,
                        },
                        libc::SYS_accept | libc::SYS_accept4 => WaitsOn::Listener,
                        libc::SYS_wait4 | libc::SYS_waitid => WaitsOn::Children,
                        _ => WaitsOn::Other,
                    };
                    // A C `read` on a socket is a receive.
                    let name = if name == "read" && matches!(on, WaitsOn::Socket(_)) {
                        "recv".to_string()
                    } else {
                        name
                    };
                    (Some(name), on)
                }
                _ => (None, WaitsOn::Nothing),
            };
            out.push(ProcView {
                actor: *actor,
                pid: p.pid,
                ppid: p.ppid,
                comm: p.comm.clone(),
                state: p.state,
                threads: tids.len().max(1),
                call,
                on,
            });
        }
    }
    out
}

/// Which other program holds the other end of the TCP connection `ino`.
fn other_end(pid: i32, ino: u64, owner: &HashMap<u64, Actor>, me: Actor) -> Option<Actor> {
    let table = procfs::tcp_sockets_at(&format!("/proc/{pid}"));
    let mine = table.iter().find(|s| s.inode == ino)?;
    let theirs = table
        .iter()
        .find(|s| s.local_port == mine.remote_port && s.remote_port == mine.local_port)?;
    owner.get(&theirs.inode).copied().filter(|a| *a != me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_calls_students_know() {
        assert_eq!(call_name(libc::SYS_recvfrom), "recv");
        assert_eq!(call_name(libc::SYS_read), "read");
        assert_eq!(call_name(libc::SYS_accept4), "accept");
        assert_eq!(call_name(libc::SYS_pselect6), "pselect");
        assert_eq!(call_name(libc::SYS_clock_nanosleep), "sleep");
        assert_eq!(call_name(999), "syscall 999");
    }
}

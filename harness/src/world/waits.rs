//! What each process of the programs is doing, from /proc: the call it
//! sleeps in, on which descriptor, and who is at the other end of that
//! socket. The runner records it (a `Snapshot`) when a scenario stalls; the
//! verdict reads the wait-for graph from it (deadlock, receives first,
//! threads instead of fork, zombies, orphans).

use super::procfs::{self, FdKind, Proc};
use crate::transcript::{Actor, ProcView, WaitsOn};
use std::collections::HashMap;

/// The name of a waiting system call (x86_64 numbers), as a student knows it.
pub fn call_name(nr: i64) -> String {
    match nr {
        0 => "read",
        7 => "poll",
        17 => "pread",
        19 => "readv",
        23 => "select",
        34 => "pause",
        35 => "nanosleep",
        42 => "connect",
        43 | 288 => "accept",
        45 | 47 => "recv",
        61 | 247 => "wait",
        130 => "sigsuspend",
        202 => "futex",
        230 => "sleep",
        232 | 281 => "epoll_wait",
        270 => "pselect",
        271 => "ppoll",
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
            let sc = (p.state != 'Z')
                .then(|| procfs::syscall_and_arg(p.pid, p.pid))
                .flatten();
            let (call, on) = match sc {
                Some((nr, arg)) if p.state == 'S' || p.state == 'D' => {
                    let name = call_name(nr);
                    let on = match nr {
                        0 | 17 | 19 | 45 | 47 => match procfs::fd_kind(p.pid, arg) {
                            FdKind::Terminal => WaitsOn::Keyboard,
                            FdKind::Socket(ino) => WaitsOn::Socket(Some(
                                other_end(p.pid, ino, &owner, *actor)
                                    .unwrap_or_else(|| default_peer(*actor)),
                            )),
                            FdKind::Other => WaitsOn::Other,
                        },
                        43 | 288 => WaitsOn::Listener,
                        61 | 247 => WaitsOn::Children,
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
        assert_eq!(call_name(45), "recv");
        assert_eq!(call_name(0), "read");
        assert_eq!(call_name(288), "accept");
        assert_eq!(call_name(999), "syscall 999");
    }
}

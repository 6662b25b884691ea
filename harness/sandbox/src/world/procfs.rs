//! What /proc says of the programs under test: their process tree, what each
//! process waits in, the CPU time they burn, and the scenario's TCP sockets.

use super::sleeps::Sleeps;
pub use crate::transcript::ProcState;
use std::collections::{HashMap, HashSet};
use std::fs;

/// One process (thread-group leader) of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proc {
    pub pid: i32,
    pub ppid: i32,
    pub sid: i32,
    pub state: ProcState,
    pub comm: String,
}

/// This process's peak resident memory (`VmHWM`), in KiB: its own, not its
/// children's (they have memories of their own).
pub fn own_peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Parses `/proc/PID/stat` (comm may hold spaces and parentheses).
pub fn stat(pid: i32) -> Option<Proc> {
    let s = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let comm = s[open + 1..close].to_string();
    let mut f = s[close + 2..].split(' ');
    let state = ProcState::from_letter(f.next()?.chars().next()?);
    let ppid = f.next()?.parse().ok()?;
    let _pgrp = f.next()?;
    let sid = f.next()?.parse().ok()?;
    Some(Proc {
        pid,
        ppid,
        sid,
        state,
        comm,
    })
}

/// Every live process descended from `roots` or in one of their sessions
/// (programs start as session leaders, so `sid` catches re-parented
/// orphans that kept the session).
pub fn tree(roots: &[i32]) -> Vec<Proc> {
    let mut all = HashMap::new();
    if let Ok(dir) = fs::read_dir("/proc") {
        for e in dir.flatten() {
            if let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) {
                if let Some(p) = stat(pid) {
                    all.insert(pid, p);
                }
            }
        }
    }
    let mut inside: HashSet<i32> = roots
        .iter()
        .copied()
        .filter(|p| all.contains_key(p))
        .collect();
    let sessions: HashSet<i32> = roots.iter().copied().collect();
    loop {
        let before = inside.len();
        for p in all.values() {
            if !inside.contains(&p.pid) && (inside.contains(&p.ppid) || sessions.contains(&p.sid)) {
                inside.insert(p.pid);
            }
        }
        if inside.len() == before {
            break;
        }
    }
    let mut out: Vec<Proc> = inside.into_iter().filter_map(|p| all.remove(&p)).collect();
    out.sort_by_key(|p| p.pid);
    out
}

/// The system call a sleeping task is in, `None` when running.
pub fn syscall(pid: i32, tid: i32) -> Option<i64> {
    call(pid, tid).map(|c| c.nr)
}

/// The system call a sleeping task is in and its first argument (the
/// descriptor, for read, recv, accept, connect).
pub fn syscall_and_arg(pid: i32, tid: i32) -> Option<(i64, u64)> {
    call(pid, tid).map(|c| (c.nr, c.args[0]))
}

/// A system call a task is blocked in: its number (`libc::SYS_*`) and its
/// six register arguments, as `/proc/PID/task/TID/syscall` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    pub nr: i64,
    pub args: [u64; 6],
}

/// The call task `tid` of `pid` is blocked in, `None` when it runs.
pub fn call(pid: i32, tid: i32) -> Option<Call> {
    parse_call(&fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall")).ok()?)
}

/// `nr arg1 … arg6 sp pc` (hexadecimal arguments); `running`; or `-1 sp pc`
/// for a task blocked outside any call (its arguments then read as
/// `u64::MAX`).
fn parse_call(s: &str) -> Option<Call> {
    let mut f = s.split_whitespace();
    let nr = f.next()?.parse().ok()?;
    let mut args = [u64::MAX; 6];
    if nr >= 0 {
        for a in &mut args {
            *a = f
                .next()
                .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok())
                .unwrap_or(u64::MAX);
        }
    }
    Some(Call { nr, args })
}

/// What descriptor `fd` of `pid` is: a terminal, a socket (its inode), or
/// something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdKind {
    Terminal,
    Socket(u64),
    Other,
}

fn kind_of_link(link: &std::path::Path) -> FdKind {
    let Some(l) = link.to_str() else {
        return FdKind::Other;
    };
    if l.starts_with("/dev/pts/") || l == "/dev/tty" {
        return FdKind::Terminal;
    }
    l.strip_prefix("socket:[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|n| n.parse().ok())
        .map_or(FdKind::Other, FdKind::Socket)
}

pub fn fd_kind(pid: i32, fd: u64) -> FdKind {
    fs::read_link(format!("/proc/{pid}/fd/{fd}")).map_or(FdKind::Other, |l| kind_of_link(&l))
}

/// Socket inodes held by a process.
pub fn sockets_of(pid: i32) -> Vec<u64> {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| match kind_of_link(&fs::read_link(e.path()).ok()?) {
                    FdKind::Socket(ino) => Some(ino),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Thread ids of a process.
pub fn tasks(pid: i32) -> Vec<i32> {
    fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Calls a program blocks in while it waits for someone else: reads (keyboard
/// or socket), accept, connect, poll/select, waiting for a child, a lock, a
/// signal or a clock. Those that may end by a timeout count only while it
/// is not due (`sleeps`).
const WAITING: &[i64] = &[
    libc::SYS_read,
    libc::SYS_readv,
    libc::SYS_connect,
    libc::SYS_accept,
    libc::SYS_accept4,
    libc::SYS_recvfrom,
    libc::SYS_recvmsg,
    libc::SYS_wait4,
    libc::SYS_waitid,
    libc::SYS_rt_sigsuspend,
    libc::SYS_rt_sigtimedwait,
    libc::SYS_futex,
    libc::SYS_futex_waitv,
    libc::SYS_pselect6,
    libc::SYS_ppoll,
    libc::SYS_epoll_pwait,
    libc::SYS_epoll_pwait2,
    libc::SYS_nanosleep,
    libc::SYS_clock_nanosleep,
    // Older calls that aarch64 does not have (its libc uses the ones above).
    #[cfg(target_arch = "x86_64")]
    libc::SYS_poll,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_select,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_pause,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_epoll_wait,
];

/// Scheduler time of a set of processes, from every task's schedstat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuNs {
    /// Time spent on a CPU.
    pub run: u64,
    /// Time spent runnable, waiting for a CPU. With `run`, how long the
    /// tasks wanted a CPU: a busy loop wants one all the time, however
    /// loaded the machine is.
    pub queued: u64,
}

impl CpuNs {
    pub fn since(self, earlier: CpuNs) -> CpuNs {
        CpuNs {
            run: self.run.saturating_sub(earlier.run),
            queued: self.queued.saturating_sub(earlier.queued),
        }
    }
}

/// Total scheduler time of the processes, from every task's schedstat.
pub fn cpu_ns(pids: &[i32]) -> CpuNs {
    let mut total = CpuNs::default();
    for &pid in pids {
        for tid in tasks(pid) {
            if let Ok(s) = fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")) {
                let mut f = s.split(' ').map(|n| n.trim().parse::<u64>().unwrap_or(0));
                total.run += f.next().unwrap_or(0);
                total.queued += f.next().unwrap_or(0);
            }
        }
    }
    total
}

/// Whether every task of every process sleeps in a waiting call, none of
/// them in a sleep that may still end by itself (a timeout not yet due:
/// `sleeps` remembers when each timed sleep was first seen).
pub fn all_waiting(procs: &[Proc], sleeps: &mut Sleeps) -> bool {
    procs.iter().all(|p| {
        if p.state == ProcState::Zombie {
            // The main thread of a threaded process shows `Z` as soon as it
            // ends, while its other threads may still be exiting: done only
            // when they are too.
            return tasks(p.pid).into_iter().all(|tid| {
                matches!(
                    task_state(p.pid, tid),
                    None | Some(ProcState::Zombie | ProcState::Dead)
                )
            });
        }
        tasks(p.pid).into_iter().all(|tid| {
            task_state(p.pid, tid) == Some(ProcState::Sleeping)
                && call(p.pid, tid)
                    .is_some_and(|c| WAITING.contains(&c.nr) && !sleeps.may_wake(p.pid, tid, &c))
        })
    })
}

/// For each task asleep reading its terminal: how many times it was
/// scheduled so far (schedstat's third field), as (pid, tid, count).
pub fn timeslices(procs: &[Proc]) -> Vec<(i32, i32, u64)> {
    let mut out = Vec::new();
    for p in procs {
        for tid in tasks(p.pid) {
            if task_state(p.pid, tid) != Some(ProcState::Sleeping) || !reads_terminal(p.pid, tid) {
                // A task not asleep on its terminal finds the input itself
                // when it next reads (n_tty flushes pending input then).
                continue;
            }
            if let Some(n) = task_timeslices(p.pid, tid) {
                out.push((p.pid, tid, n));
            }
        }
    }
    out
}

pub fn task_timeslices(pid: i32, tid: i32) -> Option<u64> {
    let s = fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")).ok()?;
    s.split_whitespace().nth(2)?.parse().ok()
}

/// Whether the task sleeps in read() on a terminal.
pub fn reads_terminal(pid: i32, tid: i32) -> bool {
    matches!(syscall_and_arg(pid, tid), Some((libc::SYS_read, fd)) if fd_kind(pid, fd) == FdKind::Terminal)
}

fn task_state(pid: i32, tid: i32) -> Option<ProcState> {
    let s = fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?;
    s[s.rfind(')')? + 2..]
        .chars()
        .next()
        .map(ProcState::from_letter)
}

/// One row of the namespace's TCP table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSocket {
    pub local_port: u16,
    pub remote_port: u16,
    pub state: u8,
    pub tx_queue: u64,
    pub rx_queue: u64,
    pub inode: u64,
}

pub const TCP_LISTEN: u8 = 0x0A;
pub const TCP_CLOSE_WAIT: u8 = 0x08;

impl TcpSocket {
    /// Nothing is in flight on this socket: no byte sent and not yet
    /// acknowledged. Bytes waiting in a receive queue do not count: loopback
    /// delivers them (and wakes a reader asleep on them) before the sender's
    /// call returns, so once every process sleeps, bytes left in a queue are
    /// bytes nobody is reading — a program asleep on its keyboard with the
    /// peer's line unread is stuck, not busy.
    pub fn idle(&self) -> bool {
        self.state == TCP_LISTEN || self.tx_queue == 0
    }
}
pub const TCP_SYN_SENT: u8 = 0x02;
pub const TCP_ESTABLISHED: u8 = 0x01;

/// The TCP sockets (v4 and v6) of the calling thread's network namespace.
pub fn tcp_sockets() -> Vec<TcpSocket> {
    tcp_sockets_at("/proc/thread-self")
}

/// Whether a socket of the calling thread's namespace listens on `port`
/// (v4 or v6); `None` when its table cannot be read.
pub fn listening(port: u16) -> Option<bool> {
    let mut read = false;
    let mut found = false;
    for f in ["/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(f) {
            read = true;
            found |= text
                .lines()
                .skip(1)
                .filter_map(parse_tcp_row)
                .any(|s| s.state == TCP_LISTEN && s.local_port == port);
        }
    }
    read.then_some(found)
}

/// The TCP sockets of the network namespace of `/proc/PID` (`dir`).
pub fn tcp_sockets_at(dir: &str) -> Vec<TcpSocket> {
    let mut out = Vec::new();
    for f in [format!("{dir}/net/tcp"), format!("{dir}/net/tcp6")] {
        if let Ok(text) = fs::read_to_string(f) {
            out.extend(text.lines().skip(1).filter_map(parse_tcp_row));
        }
    }
    out
}

fn parse_tcp_row(line: &str) -> Option<TcpSocket> {
    let mut f = line.split_whitespace();
    let _sl = f.next()?;
    let local = f.next()?;
    let remote = f.next()?;
    let state = u8::from_str_radix(f.next()?, 16).ok()?;
    let (tx, rx) = f.next()?.split_once(':')?;
    let port = |a: &str| u16::from_str_radix(a.rsplit(':').next()?, 16).ok();
    // tr:tm->when, retrnsmt, uid, timeout, then the inode.
    let inode = f.nth(4).and_then(|i| i.parse().ok()).unwrap_or(0);
    Some(TcpSocket {
        local_port: port(local)?,
        remote_port: port(remote)?,
        state,
        tx_queue: u64::from_str_radix(tx, 16).ok()?,
        rx_queue: u64::from_str_radix(rx, 16).ok()?,
        inode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tcp_rows() {
        let row = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0";
        let s = parse_tcp_row(row).unwrap();
        assert_eq!((s.local_port, s.state, s.rx_queue), (8080, TCP_LISTEN, 3));
        assert_eq!(s.inode, 12345);
    }

    #[test]
    fn parses_the_call_a_task_sleeps_in() {
        // Python's select.select(…, 0.5), as /proc/PID/syscall shows it.
        let c = parse_call(
            "270 0x4 0x7ffc10 0x0 0x0 0x7ffcd25bab80 0x0 0x7ffcd25bab70 0x7f8a8611c954\n",
        )
        .unwrap();
        assert_eq!(c.nr, 270);
        assert_eq!(c.args, [4, 0x7ffc10, 0, 0, 0x7ffc_d25b_ab80, 0]);
        assert_eq!(parse_call("running\n"), None);
        // Blocked outside any call: no arguments.
        let c = parse_call("-1 0x7ffcd25bab70 0x7f8a8611c954\n").unwrap();
        assert_eq!((c.nr, c.args[0]), (-1, u64::MAX));
    }

    #[test]
    fn sees_a_listener_in_the_table() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert_eq!(listening(port), Some(true));
        drop(l);
        assert_eq!(listening(port), Some(false));
    }

    #[test]
    fn reads_own_stat() {
        let me = std::process::id() as i32;
        let p = stat(me).unwrap();
        assert_eq!(p.pid, me);
        assert!(tree(&[me]).iter().any(|p| p.pid == me));
    }
}

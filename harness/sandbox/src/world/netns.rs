//! One network namespace per scenario, with loopback up: the student's 8080
//! never collides with the host's or another scenario's.
//!
//! The namespace belongs to the scenario's runner *thread* (`unshare` moves
//! only the calling thread): the sockets the runner opens and the programs it
//! forks live there, and `/proc/thread-self/net/tcp` lists only the scenario's
//! sockets, which makes reading it cheap.

use nix::sched::{unshare, CloneFlags};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Moves the calling thread into a fresh network namespace with `lo` up.
pub fn enter_new() -> io::Result<()> {
    unshare(CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
    // The sysctl belongs to each namespace: set it in this one too, so
    // that a namespace created from here (a pair scenario's client side)
    // gets a TCP table of its own (measured: 15 ms a read, against 0.2 ms).
    let _ = std::fs::write(CHILD_EHASH, "1024");
    loopback_up()
}

/// As an ordinary user, moves the process into a user namespace of its own
/// (root inside, the user outside, nothing more), where it may create
/// network namespaces. Only while the process has a single thread:
/// `unshare(CLONE_NEWUSER)` fails with EINVAL once a second one exists.
/// Refused where unprivileged user namespaces are (Ubuntu 24.04's AppArmor
/// restriction): then `available` says no and scenarios run on the host.
pub fn enter_user_namespace() -> io::Result<()> {
    use nix::unistd::{getegid, geteuid};
    let (uid, gid) = (geteuid(), getegid());
    if uid.is_root() {
        return Ok(());
    }
    unshare(CloneFlags::CLONE_NEWUSER).map_err(io::Error::from)?;
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))?;
    Ok(())
}

const CHILD_EHASH: &str = "/proc/sys/net/ipv4/tcp_child_ehash_entries";

/// A second namespace, for the client of a pair scenario: a throwaway
/// thread creates it, listens on `port` there (the harness's relay end), and
/// hands back the namespace (for the client to join before exec) and the
/// listener (which stays in that namespace).
pub fn side_namespace(port: u16) -> io::Result<(OwnedFd, std::net::TcpListener)> {
    std::thread::spawn(move || {
        enter_new()?;
        let ns: OwnedFd = std::fs::File::open("/proc/thread-self/ns/net")?.into();
        let l = std::net::TcpListener::bind(("127.0.0.1", port))?;
        Ok((ns, l))
    })
    .join()
    .unwrap_or_else(|_| Err(io::Error::other("namespace thread panicked")))
}

/// Joins the network namespace open as `fd`: for `pre_exec`.
pub fn join(fd: std::os::fd::RawFd) -> io::Result<()> {
    // SAFETY: setns(2) on a descriptor we keep open; async-signal-safe.
    if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether this process may create network namespaces; probed once, in a
/// throwaway thread so the caller's own namespace is untouched.
///
/// New namespaces share the host's TCP hash table unless
/// `net.ipv4.tcp_child_ehash_entries` is set: reading a namespace's
/// `/proc/net/tcp` then scans every socket of the machine (~9 ms here,
/// against ~0.1 ms with a table of its own). As root, set it when unset; it
/// only affects namespaces created afterwards.
pub fn available() -> bool {
    if refused_by_caller() {
        return false;
    }
    if std::fs::read_to_string(CHILD_EHASH).is_ok_and(|v| v.trim() == "0") {
        let _ = std::fs::write(CHILD_EHASH, "1024");
    }
    std::thread::spawn(|| unshare(CloneFlags::CLONE_NEWNET).is_ok())
        .join()
        .unwrap_or(false)
}

/// `GRADE_NO_NAMESPACES` set (not empty): run as where namespaces are
/// refused, on the host's port, one scenario at a time (to check that mode,
/// or to reproduce a CI runner without namespaces).
pub fn refused_by_caller() -> bool {
    std::env::var_os(NO_NAMESPACES).is_some_and(|v| !v.is_empty())
}

/// The variable that turns namespaces off (see `refused_by_caller`).
pub const NO_NAMESPACES: &str = "GRADE_NO_NAMESPACES";

/// Processes (thread-group leaders) whose network namespace is the calling
/// thread's: all of a scenario's, however they detached from their session
/// or parent. Where there is no cgroup, this is how the harness still finds
/// an escaped daemon. Others' processes that we may not inspect are skipped.
pub fn processes_here() -> Vec<i32> {
    let Ok(here) = std::fs::read_link("/proc/thread-self/ns/net") else {
        return Vec::new();
    };
    let me = std::process::id() as i32;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/ns/net")).is_ok_and(|ns| ns == here))
        .collect()
}

fn loopback_up() -> io::Result<()> {
    // SAFETY: plain socket/ioctl calls on a zeroed ifreq we own; the fd is closed below.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (d, s) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *d = *s as libc::c_char;
        }
        let mut r = libc::ioctl(fd, libc::SIOCGIFFLAGS as _, &mut req);
        if r == 0 {
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            r = libc::ioctl(fd, libc::SIOCSIFFLAGS as _, &req);
        }
        let err = io::Error::last_os_error();
        libc::close(fd);
        if r != 0 {
            return Err(err);
        }
    }
    Ok(())
}

/// A raw socket that receives a copy of every TCP segment entering the
/// calling thread's namespace: a client's SYN to a port where nobody
/// listens shows where it tried to connect.
pub fn syn_sniffer() -> io::Result<OwnedFd> {
    // SAFETY: socket() returns a new fd that we own at once.
    let fd = unsafe {
        libc::socket(
            libc::AF_INET,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            libc::IPPROTO_TCP,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd is valid and not owned elsewhere.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The destination port of an IPv4 packet that opens a TCP connection (SYN
/// without ACK).
pub fn syn_port(packet: &[u8]) -> Option<u16> {
    let ihl = usize::from(packet.first()? & 0x0f) * 4;
    let tcp = packet.get(ihl..)?;
    let flags = *tcp.get(13)?;
    (flags & 0x02 != 0 && flags & 0x10 == 0).then(|| u16::from_be_bytes([tcp[2], tcp[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_port_of_a_syn() {
        let mut p = vec![0x45u8; 20];
        p.extend_from_slice(&[0xc3, 0x50, 0x1f, 0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02]);
        assert_eq!(syn_port(&p), Some(8081));
        p[33] = 0x12; // SYN+ACK: an answer, not an attempt
        assert_eq!(syn_port(&p), None);
    }
}

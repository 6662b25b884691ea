//! One network namespace per scenario, with loopback up: the student's 8080
//! never collides with the host's or another scenario's.
//!
//! The namespace belongs to the scenario's runner *thread* (`unshare` moves
//! only the calling thread): the sockets the runner opens and the programs it
//! forks live there, and `/proc/thread-self/net/tcp` lists only the scenario's
//! sockets, which makes reading it cheap.

use nix::sched::{unshare, CloneFlags};
use std::io;

/// Moves the calling thread into a fresh network namespace with `lo` up.
pub fn enter_new() -> io::Result<()> {
    unshare(CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
    loopback_up()
}

/// Whether this process may create network namespaces; probed once, in a
/// throwaway thread so the caller's own namespace is untouched.
pub fn available() -> bool {
    std::thread::spawn(|| unshare(CloneFlags::CLONE_NEWNET).is_ok())
        .join()
        .unwrap_or(false)
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

//! Programs under test in their own pseudo-terminal: line-buffered output as
//! on a student's screen, a keyboard the harness types on, and their own
//! session so that the harness can find and end every process they start.

use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};
use nix::pty::openpty;
use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, OutputFlags, SetArg};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;

pub use super::layers::Layers;
pub use super::spawn::Started;

/// Where a program is put before it runs anything of its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct Join {
    /// The cgroup whose `cgroup.procs` is open as this descriptor.
    pub cgroup: Option<RawFd>,
    /// The network namespace open as this descriptor.
    pub netns: Option<RawFd>,
}

/// Starts `argv` on a new pseudo-terminal, as a session leader, with exactly
/// the environment `env`, in `cwd`, joined to what `join` names, inside the
/// sandbox's `layers` (see `spawn`); `confine` runs in the child next,
/// before anything of its own (its other cgroups, its limits: see `limits`).
///
/// `confine` runs between fork and exec, in a pid namespace in a child
/// that shares grade's memory until its exec (see `spawn`): system calls
/// only, no allocation, no lock, and no write to what it captures.
pub fn spawn(
    argv: &[String],
    env: &[(String, String)],
    cwd: &Path,
    join: Join,
    mut confine: impl FnMut() -> io::Result<()> + Send + Sync + 'static,
    layers: &Layers,
) -> io::Result<Started> {
    let pty = openpty(None, None).map_err(io::Error::from)?;
    // No echo: what the program prints is what it printed, not what we typed.
    // Keep output post-processing (\n → \r\n) as a real terminal does; the
    // reader strips the \r.
    let mut t = tcgetattr(&pty.slave).map_err(io::Error::from)?;
    t.local_flags.remove(LocalFlags::ECHO | LocalFlags::ECHONL);
    t.output_flags
        .insert(OutputFlags::OPOST | OutputFlags::ONLCR);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &t).map_err(io::Error::from)?;
    for fd in [pty.master.as_raw_fd(), pty.slave.as_raw_fd()] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(io::Error::from)?;
    }
    fcntl(pty.master.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(io::Error::from)?;
    if let Some((uid, gid)) = layers.identity {
        // Its terminal is its own to open again (/dev/tty).
        let _ = nix::unistd::fchown(
            pty.slave.as_raw_fd(),
            Some(nix::unistd::Uid::from_raw(uid)),
            Some(nix::unistd::Gid::from_raw(gid)),
        );
    }
    super::spawn::start(
        (argv, env, cwd),
        join,
        &mut confine,
        layers,
        (pty.master, pty.slave),
    )
}

/// What the child does between fork and exec: its cgroup and network
/// namespace joined, `confine`d, a session of its own on its terminal,
/// signals as from a shell, descriptors past 2 closed at exec, no
/// privilege left, signals scoped to its own processes.
///
/// # Safety
/// Between fork and exec only: async-signal-safe calls (setns, setrlimit,
/// setsid, ioctl, signal reset, prctl, close_range, Landlock).
pub(super) unsafe fn in_child(
    join: Join,
    confine: &mut dyn FnMut() -> io::Result<()>,
    (scope_fd, cwd): (Option<i32>, &std::ffi::CStr),
    layers: &Layers,
) -> io::Result<()> {
    unsafe {
        if let Some(fd) = join.cgroup {
            super::cgroup::join(fd)?;
        }
        if let Some(fd) = join.netns {
            super::netns::join(fd)?;
        }
        confine()?;
        if libc::setsid() < 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
            return Err(io::Error::last_os_error());
        }
        // The harness may ignore or block signals; the student's program
        // starts as from a shell.
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        // From a shell, the session leader is the shell, not the
        // program: a child the program leaves behind keeps running when
        // the program exits. Here the program leads its session, and the
        // kernel would SIGHUP its foreground group (the forgotten child
        // too) as it exits, hiding the orphan. Ignoring SIGHUP keeps
        // that child as a shell would; no terminal hangs up otherwise
        // (teardown kills, it never closes the terminal first).
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        // Only descriptors 0–2 reach the program: every other one the
        // harness holds (a namespace's, a cgroup's, the relay's) is
        // closed at exec. Marked close-on-exec rather than closed, so
        // that an exec that fails is still reported.
        cloexec_from(3);
        drop_privileges(layers.identity)?;
        // It may signal its own processes only: not grade, not the host;
        // it may write only in its working directory, the temporary
        // folders and its terminal.
        if let Some(fd) = scope_fd {
            if super::landlock::writes_scoped() {
                super::landlock::allow_writes(fd, cwd, true)?;
                for dir in super::landlock::WRITABLE_DIRS {
                    super::landlock::allow_writes(fd, dir, true)?;
                }
                if layers.filesystem.is_some() {
                    for dir in super::landlock::PRIVATE_DIRS {
                        super::landlock::allow_writes(fd, dir, true)?;
                    }
                }
                for file in super::landlock::WRITABLE_FILES {
                    super::landlock::allow_writes(fd, file, false)?;
                }
            }
            super::landlock::restrict_self(fd)?;
        }
        Ok(())
    }
}

/// No capability survives exec, even as root: the bounding set emptied (a
/// root exec is given the bounding set), the ambient set cleared (refused
/// without CAP_SETPCAP: an ordinary user outside a user namespace has none
/// to lose); as root, `identity` (`nobody`), with no capability left in any
/// set (a change of uid from 0 clears them); `NO_NEW_PRIVS`: no set-uid
/// program gives it more rights than it starts with.
///
/// # Safety
/// Between fork and exec only, after everything that needs a capability.
pub(super) unsafe fn drop_privileges(identity: Option<(u32, u32)>) -> io::Result<()> {
    unsafe {
        drop_capabilities();
        if let Some((uid, gid)) = identity {
            // Raw system calls: glibc's wrappers broadcast the change to
            // every thread it believes the process has (its copied thread
            // list), and would wait for them forever.
            if libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()) < 0
                || libc::syscall(libc::SYS_setgid, gid) < 0
                || libc::syscall(libc::SYS_setuid, uid) < 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// Empties the capability bounding set and the ambient set, so that the
/// program runs with no capability at all (CapEff 0), root or not.
/// Async-signal-safe.
///
/// # Safety
/// Between fork and exec only, after everything that needs a capability.
unsafe fn drop_capabilities() {
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
        // Past the kernel's last capability, EINVAL: harmless.
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
    }
}

/// Marks every descriptor from `first` on close-on-exec (Linux 5.11's
/// `close_range(CLOSE_RANGE_CLOEXEC)`, else one `fcntl` each).
///
/// # Safety
/// Between fork and exec only.
unsafe fn cloexec_from(first: libc::c_uint) {
    // SAFETY: the caller's promise.
    unsafe { close_range(first, libc::c_uint::MAX, true) }
}

/// Closes the descriptors from `first` to `last` (`cloexec`: marks them
/// close-on-exec instead): one `close_range` (Linux 5.11), else one call
/// per descriptor below the soft limit of open files. Async-signal-safe.
///
/// # Safety
/// The caller gives those descriptors up (between fork and exec).
pub(super) unsafe fn close_range(first: libc::c_uint, last: libc::c_uint, cloexec: bool) {
    const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
    if first > last {
        return;
    }
    unsafe {
        let flags = if cloexec { CLOSE_RANGE_CLOEXEC } else { 0 };
        if libc::syscall(libc::SYS_close_range, first, last, flags) == 0 {
            return;
        }
        let mut lim: libc::rlimit = std::mem::zeroed();
        let max = if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur.min(65536) as libc::c_uint
        } else {
            1024
        };
        for fd in first..last.min(max) {
            if cloexec {
                libc::fcntl(fd as libc::c_int, libc::F_SETFD, libc::FD_CLOEXEC);
            } else {
                libc::close(fd as libc::c_int);
            }
        }
    }
}

/// Most bytes one `read_available` takes.
const READ_BUDGET: usize = 64 * 1024;

/// Reads what is available on a non-blocking master (up to `READ_BUDGET`). `Ok(None)`: the program
/// side of the terminal is closed (every process closed it or ended).
pub fn read_available(master: &OwnedFd, buf: &mut Vec<u8>) -> io::Result<Option<usize>> {
    let mut chunk = [0u8; 16384];
    let mut total = 0;
    loop {
        match nix::unistd::read(master.as_raw_fd(), &mut chunk) {
            Ok(0) => return Ok(if total > 0 { Some(total) } else { None }),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                total += n;
                // A program that prints as fast as we read would keep us
                // here: return, the poll loop comes back for the rest.
                if total >= READ_BUDGET {
                    return Ok(Some(total));
                }
            }
            Err(nix::errno::Errno::EAGAIN) => return Ok(Some(total)),
            Err(nix::errno::Errno::EINTR) => continue,
            // EIO on a master: the last slave fd closed.
            Err(nix::errno::Errno::EIO) => return Ok(if total > 0 { Some(total) } else { None }),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Hands what was just typed to the program's side of the terminal now.
///
/// A write on the master only queues the bytes; a kernel worker moves them
/// into the line discipline later, and wakes a program asleep reading its
/// terminal. On a loaded machine that worker can run milliseconds late, and
/// meanwhile the program looks exactly like one waiting for input nobody
/// typed: a quiescence check would conclude too early (a correct q3 client
/// graded `sent-late`). Polling the program's side of the terminal makes the
/// kernel run that hand-over and wait for it (`n_tty_poll` flushes pending
/// input), so when this returns a sleeping reader has been woken. The side
/// is opened for the poll only (TIOCGPTPEER, close-on-exec, never our
/// controlling terminal): holding it would hide the program closing it.
pub fn deliver_typed(master: &OwnedFd) {
    let _ = line_ready(master);
}

/// Whether a whole typed line waits on the program's side of the terminal,
/// ready for a `read` (after handing over what the kernel worker still
/// holds, as `deliver_typed`). A program asleep reading its terminal while
/// this holds is about to wake: the world is not quiescent.
pub fn line_ready(master: &OwnedFd) -> bool {
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_NONBLOCK | libc::O_CLOEXEC;
    // SAFETY: TIOCGPTPEER takes open flags and returns a new descriptor or -1.
    let fd = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTPEER as _, flags) };
    if fd < 0 {
        // Kernels before 4.13: the bytes still arrive, only later.
        return false;
    }
    // SAFETY: the descriptor was just created and is owned by nobody else.
    let slave = unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let mut p = [nix::poll::PollFd::new(
        std::os::fd::AsFd::as_fd(&slave),
        nix::poll::PollFlags::POLLIN,
    )];
    let _ = nix::poll::poll(&mut p, nix::poll::PollTimeout::ZERO);
    p[0].revents()
        .is_some_and(|r| r.contains(nix::poll::PollFlags::POLLIN))
}

/// Writes bytes to the terminal (what a user types).
pub fn write_all(master: &OwnedFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match nix::unistd::write(master, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(nix::errno::Errno::EAGAIN) => {
                // The terminal's input queue is full: the program is not
                // reading. Wait until it drains (bounded by the caller's deadline).
                let fd = std::os::fd::AsFd::as_fd(master);
                let mut p = [nix::poll::PollFd::new(fd, nix::poll::PollFlags::POLLOUT)];
                if nix::poll::poll(&mut p, nix::poll::PollTimeout::from(500u16))
                    .map_err(io::Error::from)?
                    == 0
                {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "terminal input queue full",
                    ));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

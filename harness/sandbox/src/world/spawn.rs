//! Starting a program under test in its sandbox.
//!
//! Where the machine allows, every program starts in a pid namespace of its
//! own, under a minimal init of the harness's (what tini and bubblewrap do):
//!
//! ```text
//! grade ──clone(CLONE_NEWPID|CLONE_VM)──▶ init (pid 1 there) ──fork──▶ program (pid 2)
//! ```
//!
//! The program must not be pid 1: pid 1 ignores every signal whose action
//! is the default (Ctrl-C would not stop a C server) and inherits the
//! orphans. The init installs no handler, blocks only SIGCHLD, reaps every
//! process of the namespace and tells grade, over a pipe, the program's
//! host pid and how it ended; when the last process of the namespace is
//! gone, it exits. SIGKILL to it ends the whole namespace. It stays in
//! grade's cgroup, outside the program's (whose process lists and
//! `pids.max` it would otherwise join). Grade keeps host pids and its own
//! view of /proc throughout.
//!
//! The init shares grade's memory (`CLONE_VM`, on a stack of its own, as
//! posix_spawn does): a copy would cost a copy of grade's page tables at
//! every start, and a copy-on-write fault in grade for every page it writes
//! while the program runs. So it makes raw system calls only (`rawsys`:
//! libc's would write the runner thread's errno), and grade is not dumpable
//! (dumpability belongs to the memory: a student with the grader's uid must
//! not trace the init, nor so reach grade). The init unshares the mount
//! and IPC namespaces, its program mounts its view in them (so the
//! program's end does not wait for their teardown: the init's does).
//!
//! Between fork and exec, in both processes, only async-signal-safe calls
//! are made: every string and array is built here, before the fork.

use super::layers::{unreachable_by, Layers};
use super::mounts::MountPlan;
use super::pty::Join;
use super::rawsys::Entry;
use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A started program: its host pid, the master side of its terminal, and
/// its namespace's init, if it has one.
#[derive(Debug)]
pub struct Started {
    pub pid: i32,
    pub master: OwnedFd,
    pub init: Option<Init>,
}

/// The init of a program's pid namespace (a child of grade's, reaped by
/// `reaper`), the read end of what it reports, and the stack it runs on.
/// Dropping it ends it (see `end`): its stack is unmapped only once it has
/// been reaped, whatever path drops it (a panic's unwinding included).
#[derive(Debug)]
pub struct Init {
    pub pid: i32,
    pub reports: OwnedFd,
    stack: Option<Stack>,
}

impl Drop for Init {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.pid);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        // Its stack is unmapped once it is reaped, not before.
        super::reaper::forget(self.pid, self.stack.take());
    }
}

/// The stack an init runs on, in grade's memory: unmapped only once the
/// init has been reaped (`end` hands it to `reaper::forget`).
#[derive(Debug)]
struct Stack {
    base: *mut libc::c_void,
    len: usize,
}

// SAFETY: a mapping owned by one value, unmapped once, by its drop.
unsafe impl Send for Stack {}

impl Stack {
    /// Its size: the init needs little (the top `INIT` bytes), its program
    /// runs the whole set-up below that, until its exec. Pages are only
    /// used once touched.
    const LEN: usize = 512 * 1024;
    const INIT: usize = 64 * 1024;

    fn new() -> io::Result<Stack> {
        let page = 4096;
        // SAFETY: a new private mapping, ours.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                Self::LEN + page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Stack {
            base,
            len: Self::LEN + page,
        };
        // A guard page below it: an overflow faults rather than writes
        // grade's memory.
        // SAFETY: the lowest page of our mapping.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    /// Its top (stacks grow down), 16-byte aligned.
    fn top(&self) -> *mut libc::c_void {
        // SAFETY: one past the end of our mapping, whose length is aligned.
        unsafe { self.base.cast::<u8>().add(self.len).cast() }
    }

    /// The top of the part below the init's: the program's, until its exec.
    fn below_init(&self) -> *mut libc::c_void {
        // SAFETY: within our mapping, above its guard page; aligned.
        unsafe { self.base.cast::<u8>().add(self.len - Self::INIT).cast() }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: our mapping; nothing runs on it any more.
        unsafe {
            libc::munmap(self.base, self.len);
        }
    }
}

/// The init's name (`/proc/1/comm` in the namespace).
pub const INIT_NAME: &std::ffi::CStr = c"grade-init";

/// What the init reports: the program's host pid first, then how it ended.
const REPORT_PID: u32 = 1;
const REPORT_EXIT: u32 = 2;

/// Why a start failed, written by the child on the error pipe.
#[derive(Clone, Copy)]
#[repr(u32)]
enum Stage {
    Setup = 1,
    Exec = 2,
    Mount = 3,
    Fork = 4,
}

/// Everything the child needs, built before the fork.
struct Plan<'a> {
    exec: CString,
    /// The grade binary itself (a reference program), opened before the
    /// sandbox hides its path: exec'd from this descriptor.
    exec_fd: Option<RawFd>,
    /// Owns the strings `argv_ptrs` points to.
    _argv: Vec<CString>,
    argv_ptrs: Vec<*const libc::c_char>,
    envp_ptrs: Vec<*const libc::c_char>,
    cwd: CString,
    slave: RawFd,
    errors: RawFd,
    reports: RawFd,
    join: Join,
    confine: &'a mut dyn FnMut() -> io::Result<()>,
    scope: Option<RawFd>,
    layers: &'a Layers,
    mounts: Option<MountPlan>,
    /// The host's /proc, once the namespace has its own (`AT_FDCWD` before).
    host_proc: RawFd,
    /// Where the program runs until its exec, in a pid namespace: below
    /// the init, on its stack.
    program_stack: *mut libc::c_void,
}

/// Starts `argv` on the terminal whose program side is `slave`, with
/// exactly the environment `env`, in `cwd`, joined to what `join` names,
/// `confine`d, inside `layers`.
pub fn start(
    (argv, env, cwd): (&[String], &[(String, String)], &Path),
    join: Join,
    confine: &mut dyn FnMut() -> io::Result<()>,
    layers: &Layers,
    (master, slave): (OwnedFd, OwnedFd),
) -> io::Result<Started> {
    let (exec, args, envs) = command(argv, env)?;
    let own = own_binary(&exec);
    let (err_r, err_w) = pipe()?;
    let (rep_r, rep_w) = pipe()?;
    let scope = super::landlock::signal_scope();
    let mounts = match &layers.filesystem {
        // A reference program runs from its descriptor: its folder (grade's)
        // stays hidden.
        Some(p) if own.is_some() => Some(p.plan(&[], cwd)?),
        Some(p) => Some(p.plan(argv, cwd)?),
        None => None,
    };
    let mut plan = Plan {
        exec,
        exec_fd: own.as_ref().map(AsRawFd::as_raw_fd),
        argv_ptrs: null_terminated(&args),
        _argv: args,
        envp_ptrs: null_terminated(&envs),
        cwd: cstring(cwd.as_os_str().as_bytes())?,
        slave: slave.as_raw_fd(),
        errors: err_w.as_raw_fd(),
        reports: rep_w.as_raw_fd(),
        join,
        confine,
        scope: scope.as_ref().map(AsRawFd::as_raw_fd),
        layers,
        mounts,
        host_proc: libc::AT_FDCWD,
        program_stack: std::ptr::null_mut(),
    };
    let started = if layers.pid_namespace {
        start_init(&mut plan).map(|(pid, stack)| (pid, Some(stack)))
    } else {
        // SAFETY: the child runs `program_main` while this thread waits.
        unsafe {
            vfork(
                libc::SIGCHLD,
                program_entry,
                std::ptr::from_mut(&mut plan).cast(),
            )
        }
        .map(|pid| (pid, None))
    };
    let (pid, stack) = started?;
    drop((err_w, rep_w, slave, scope));
    let Some(stack) = stack else {
        // The child has exited or is about to: reaped by `reaper`.
        return match read_error(&err_r) {
            Some(e) => Err(e),
            None => Ok(Started {
                pid,
                master,
                init: None,
            }),
        };
    };
    let init = Init {
        pid,
        reports: rep_r,
        stack: Some(stack),
    };
    await_program(init, &err_r, master)
}

/// Once an init has started: its program's host pid, when it has exec'd
/// (else why it did not start, and the init ended).
fn await_program(init: Init, errors: &OwnedFd, master: OwnedFd) -> io::Result<Started> {
    let program = match read_error(errors) {
        None => read_program_pid(&init.reports),
        Some(e) => Err(e),
    };
    match program.and_then(|p| set_nonblocking(&init.reports).map(|()| p)) {
        Ok(pid) => Ok(Started {
            pid,
            master,
            init: Some(init),
        }),
        Err(e) => {
            // The init has exited or is about to.
            end(init);
            Err(e)
        }
    }
}

/// Starts the init of `plan`'s pid namespace on a stack of its own, in
/// this memory: its pid and that stack.
fn start_init(plan: &mut Plan<'_>) -> io::Result<(i32, Stack)> {
    let stack = Stack::new()?;
    plan.program_stack = stack.below_init();
    not_dumpable();
    // SAFETY: the init runs `init_entry` on its own stack in this memory,
    // with raw system calls only, and reads `plan` only while `start` waits
    // (until the program's exec, or its failure). No exit signal:
    // `waitpid(-1)` never takes it (a stale status under its pid would free
    // its stack early); `reaper` reaps it by pid.
    let pid = unsafe {
        super::rawsys::clone_on(
            (libc::CLONE_VM | libc::CLONE_NEWPID) as usize,
            stack.top(),
            init_entry,
            std::ptr::from_mut(plan).cast(),
        )
    };
    if pid < 0 {
        return Err(io::Error::from_raw_os_error(-pid as i32));
    }
    Ok((pid as i32, stack))
}

/// Grade's memory is not dumpable once an init shares it: a program with
/// the grader's uid (in a user namespace, or as root without capabilities)
/// may then neither trace the init nor open its /proc files.
fn not_dumpable() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        // SAFETY: prctl with integer arguments.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    });
}

/// The executable, arguments and environment of a command line, as C
/// strings.
type Command = (CString, Vec<CString>, Vec<CString>);

fn command(argv: &[String], env: &[(String, String)]) -> io::Result<Command> {
    let (prog, _) = argv
        .split_first()
        .ok_or_else(|| io::Error::other("empty command"))?;
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or("/usr/bin:/bin", |(_, v)| v.as_str());
    let exec = resolve(prog, path)?;
    let args = argv
        .iter()
        .map(|a| cstring(a.as_bytes()))
        .collect::<io::Result<Vec<_>>>()?;
    let envs = env
        .iter()
        .map(|(k, v)| cstring(format!("{k}={v}").as_bytes()))
        .collect::<io::Result<Vec<_>>>()?;
    Ok((exec, args, envs))
}

/// A child that shares this memory while the calling thread waits
/// (`CLONE_VM|CLONE_VFORK`, as posix_spawn: no copy of grade's page tables),
/// on a stack of its own, with `flags` besides (its exit signal, a new pid
/// namespace): its pid, once it has exec'd or exited.
///
/// # Safety
/// `entry(arg)` keeps to async-signal-safe calls (it runs as after a
/// fork), writes no memory but its own locals and `arg`'s, and never
/// returns.
unsafe fn vfork(flags: libc::c_int, entry: Entry, arg: *mut libc::c_void) -> io::Result<i32> {
    let stack = Stack::new()?;
    let flags = libc::CLONE_VM | libc::CLONE_VFORK | flags;
    // SAFETY: the caller's promise; this thread waits meanwhile.
    let pid = unsafe { super::rawsys::clone_on(flags as usize, stack.top(), entry, arg) };
    // Exec'd or exited: nothing runs on the stack any more.
    drop(stack);
    if pid < 0 {
        return Err(io::Error::from_raw_os_error(-pid as i32));
    }
    Ok(pid as i32)
}

/// Runs `f` in a child that shares this memory while the calling thread
/// waits for it (`CLONE_VM|CLONE_VFORK`, as posix_spawn does: no copy of
/// grade's page tables), in a new pid namespace if `new_pid_namespace`,
/// and reaps it: `f`'s exit code, or `None` if no child could be made.
/// For probes whose child makes a few system calls and exits.
///
/// # Safety
/// `f` keeps to async-signal-safe calls (it runs as after a fork), writes
/// no memory but its own locals, and returns.
pub unsafe fn vfork_wait(new_pid_namespace: bool, f: &mut dyn FnMut() -> i32) -> Option<i32> {
    extern "C" fn entry(f: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `vfork_wait`'s closure, alive while it waits.
        let f = unsafe { &mut *f.cast::<&mut dyn FnMut() -> i32>() };
        super::rawsys::exit(f())
    }
    // No exit signal: only this `waitpid` (`__WALL`) reaps it, never a
    // `reaper::reap` of another thread.
    let flags = if new_pid_namespace {
        libc::CLONE_NEWPID
    } else {
        0
    };
    let mut f = f;
    // SAFETY: the caller's promise on `f`.
    let pid = unsafe { vfork(flags, entry, std::ptr::from_mut(&mut f).cast()) }.ok()?;
    let pid = nix::unistd::Pid::from_raw(pid);
    let status = loop {
        match nix::sys::wait::waitpid(pid, Some(nix::sys::wait::WaitPidFlag::__WALL)) {
            Err(nix::errno::Errno::EINTR) => continue,
            other => break other,
        }
    };
    match status {
        Ok(nix::sys::wait::WaitStatus::Exited(_, code)) => Some(code),
        _ => Some(-1),
    }
}

/// Where the init starts (`clone`'s callback), on its own stack.
extern "C" fn init_entry(plan: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `start`'s plan, alive while it waits for the program's exec.
    unsafe { init_main(&mut *plan.cast::<Plan<'_>>()) }
}

/// pid 1 of the program's namespace: starts the program, then reaps until
/// nothing is left. Raw system calls only: it runs in grade's memory.
///
/// The program starts as posix_spawn starts one: a `CLONE_VM|CLONE_VFORK`
/// child on the stack's lower part, which shares the memory until its exec
/// while the init waits; no copy of grade's page tables at all. Its set-up
/// calls libc (async-signal-safe calls only, as after any fork), whose
/// `errno` is the runner thread's: that thread waits in `read` for this
/// start's outcome meanwhile and reads no `errno` of its own until then.
///
/// # Safety
/// In the init only.
unsafe fn init_main(plan: &mut Plan<'_>) -> ! {
    use super::rawsys;
    unsafe {
        let (rep, errors) = (plan.reports, plan.errors);
        // Never outlive the grade that started it (its thread, strictly:
        // the runner thread outlives every program of its scenario).
        rawsys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as usize);
        // What the namespace's /proc/1/comm says: the harness's init.
        rawsys::prctl(libc::PR_SET_NAME, INIT_NAME.as_ptr() as usize);
        rawsys::set_signal_mask(1 << (libc::SIGCHLD - 1));
        rawsys::default_signals();
        // The program's mount and IPC namespaces are the init's too: its
        // program fills them, and the program's end does not wait for their
        // teardown (the init's does, which nothing waits for).
        if plan.mounts.is_some() {
            let r = rawsys::call(
                libc::SYS_unshare,
                [super::mounts::UNSHARE as usize, 0, 0, 0, 0, 0],
            );
            if r < 0 {
                fail(errors, Stage::Mount, -r as i32);
            }
        }
        let program = rawsys::clone_on(
            (libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD) as usize,
            plan.program_stack,
            program_entry,
            std::ptr::from_mut(plan).cast(),
        );
        if program < 0 {
            fail(errors, Stage::Fork, -program as i32);
        }
        // The program has exec'd or failed. Only the report pipe stays
        // open: not the terminal (its last close is how a program's end is
        // seen), not the error pipe (whose close at the program's exec
        // tells grade it started). `plan` is not read from here on: `start`
        // may have returned.
        if rep > 0 {
            rawsys::close_range(0, rep as u32 - 1, 0);
        }
        rawsys::close_range(rep as u32 + 1, u32::MAX, 0);
        reap_all(rep, program as libc::pid_t)
    }
}

/// Where the program starts: the init's `clone` callback (below the init,
/// on its stack), or `start`'s without a pid namespace.
extern "C" fn program_entry(plan: *mut libc::c_void) -> libc::c_int {
    // SAFETY: the init's plan, alive while the init waits for this exec.
    unsafe { program_main(&mut *plan.cast::<Plan<'_>>()) }
}

/// The init's loop: reaps every process of the namespace, reports how the
/// program (`program`, its pid here) ended; exits when none is left.
///
/// # Safety
/// In the init only.
unsafe fn reap_all(rep: RawFd, program: libc::pid_t) -> ! {
    use super::rawsys;
    loop {
        let mut status = 0;
        // SAFETY: wait4 on a local.
        let pid = unsafe { rawsys::wait_any(&mut status) };
        if pid == -(libc::EINTR as isize) {
            continue;
        }
        if pid < 0 {
            rawsys::exit(0);
        }
        if pid == program as isize {
            // SAFETY: a write on the init's own pipe.
            unsafe { report(rep, REPORT_EXIT, status) };
        }
    }
}

/// The program: the rest of its confinement, then exec.
///
/// # Safety
/// Between fork and exec only.
unsafe fn program_main(plan: &mut Plan<'_>) -> ! {
    unsafe {
        if let Some(m) = &plan.mounts {
            let applied = if plan.layers.pid_namespace {
                m.apply_unshared()
            } else {
                m.apply()
            };
            match applied {
                Ok(fd) => plan.host_proc = fd,
                Err(e) => fail_io(plan.errors, Stage::Mount, &e),
            }
        }
        if plan.layers.pid_namespace {
            // Its host pid, for grade: `self` read in the host's procfs
            // (the namespace's own /proc would say 2).
            match host_pid(plan.host_proc) {
                Some(pid) => report(plan.reports, REPORT_PID, pid),
                None => fail_io(plan.errors, Stage::Setup, &io::Error::last_os_error()),
            }
        }
        for fd in 0..3 {
            if plan.slave == fd {
                libc::fcntl(fd, libc::F_SETFD, 0);
            } else if libc::dup2(plan.slave, fd) < 0 {
                fail_io(plan.errors, Stage::Setup, &io::Error::last_os_error());
            }
        }
        if let Err(e) = super::pty::in_child(
            plan.join,
            plan.confine,
            (plan.scope, &plan.cwd),
            plan.layers,
        ) {
            fail_io(plan.errors, Stage::Setup, &e);
        }
        if libc::chdir(plan.cwd.as_ptr()) < 0 {
            fail_io(plan.errors, Stage::Setup, &io::Error::last_os_error());
        }
        match plan.exec_fd {
            Some(fd) => {
                libc::syscall(
                    libc::SYS_execveat,
                    fd,
                    c"".as_ptr(),
                    plan.argv_ptrs.as_ptr(),
                    plan.envp_ptrs.as_ptr(),
                    libc::AT_EMPTY_PATH,
                );
            }
            None => {
                libc::execve(
                    plan.exec.as_ptr(),
                    plan.argv_ptrs.as_ptr(),
                    plan.envp_ptrs.as_ptr(),
                );
            }
        }
        fail_io(plan.errors, Stage::Exec, &io::Error::last_os_error())
    }
}

/// The calling process's pid in the namespace of the procfs open as
/// `proc` (`AT_FDCWD`: the one mounted at /proc): `readlink self`.
///
/// # Safety
/// Async-signal-safe; `proc` is a descriptor of a procfs root or AT_FDCWD.
unsafe fn host_pid(proc: RawFd) -> Option<i32> {
    unsafe {
        let mut buf = [0u8; 16];
        let name: &[u8] = if proc == libc::AT_FDCWD {
            b"/proc/self\0"
        } else {
            b"self\0"
        };
        let n = libc::readlinkat(
            proc,
            name.as_ptr().cast(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        );
        if n <= 0 {
            return None;
        }
        let mut pid: i32 = 0;
        for &b in &buf[..n as usize] {
            if !b.is_ascii_digit() {
                return None;
            }
            pid = pid.checked_mul(10)?.checked_add(i32::from(b - b'0'))?;
        }
        Some(pid)
    }
}

/// Writes one report (kind, value) on the init's pipe: a raw system call,
/// async-signal-safe.
unsafe fn report(fd: RawFd, kind: u32, value: i32) {
    let mut rec = [0u8; 8];
    rec[..4].copy_from_slice(&kind.to_ne_bytes());
    rec[4..].copy_from_slice(&value.to_ne_bytes());
    // SAFETY: a write of a buffer we own; 8 bytes are written whole (< PIPE_BUF).
    unsafe {
        super::rawsys::write(fd, &rec);
    }
}

/// Tells grade why the start failed (`errno`), and exits: raw system
/// calls, async-signal-safe.
unsafe fn fail(fd: RawFd, stage: Stage, errno: i32) -> ! {
    // SAFETY: as `report`, then the exit of a forked child (no atexit).
    unsafe {
        report(fd, stage as u32, errno);
    }
    super::rawsys::exit(127)
}

/// `fail` with an `io::Error` (in the program's process).
unsafe fn fail_io(fd: RawFd, stage: Stage, e: &io::Error) -> ! {
    // SAFETY: as `fail`.
    unsafe { fail(fd, stage, e.raw_os_error().unwrap_or(libc::EINVAL)) }
}

/// Reads the error pipe to its end: `None` when the program exec'd (the
/// pipe closed with nothing on it), else why it did not start.
fn read_error(r: &OwnedFd) -> Option<io::Error> {
    let mut rec = [0u8; 8];
    let mut got = 0;
    while got < rec.len() {
        match nix::unistd::read(r.as_raw_fd(), &mut rec[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Some(e.into()),
        }
    }
    if got == 0 {
        return None;
    }
    let stage = u32::from_ne_bytes(rec[..4].try_into().unwrap_or_default());
    let errno = i32::from_ne_bytes(rec[4..].try_into().unwrap_or_default());
    let e = io::Error::from_raw_os_error(errno);
    let what = match stage {
        s if s == Stage::Exec as u32 => return Some(e),
        s if s == Stage::Mount as u32 => "cannot set up the sandbox's filesystem",
        s if s == Stage::Fork as u32 => "the sandbox's init cannot fork",
        _ => "cannot set up the program's process",
    };
    Some(io::Error::new(e.kind(), format!("{what}: {e}")))
}

/// The first report of an init: its program's host pid (written before
/// the program's exec, so already there once the error pipe closed).
fn read_program_pid(r: &OwnedFd) -> io::Result<i32> {
    let mut rec = [0u8; 8];
    let n = nix::unistd::read(r.as_raw_fd(), &mut rec).map_err(io::Error::from)?;
    let kind = u32::from_ne_bytes(rec[..4].try_into().unwrap_or_default());
    if n != rec.len() || kind != REPORT_PID {
        return Err(io::Error::other(
            "the sandbox's init did not report its program",
        ));
    }
    Ok(i32::from_ne_bytes(rec[4..].try_into().unwrap_or_default()))
}

/// Reads the init's reports that arrived: how its program ended, once it
/// has (a wait status), or `None`.
pub fn program_status(init: &Init) -> Option<i32> {
    let mut rec = [0u8; 8];
    let mut last = None;
    while let Ok(8) = nix::unistd::read(init.reports.as_raw_fd(), &mut rec) {
        if u32::from_ne_bytes(rec[..4].try_into().unwrap_or_default()) == REPORT_EXIT {
            last = Some(i32::from_ne_bytes(rec[4..].try_into().unwrap_or_default()));
        }
    }
    last
}

/// The executable `prog` names: a path as given, else the first match in
/// `path` (what execvp would run).
fn resolve(prog: &str, path: &str) -> io::Result<CString> {
    if prog.contains('/') {
        return cstring(prog.as_bytes());
    }
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        let p = Path::new(dir).join(prog);
        if nix::unistd::access(&p, nix::unistd::AccessFlags::X_OK).is_ok() && p.is_file() {
            return cstring(p.as_os_str().as_bytes());
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("{prog}: command not found"),
    ))
}

/// A descriptor of `exec` when it is the running grade binary.
fn own_binary(exec: &CString) -> Option<OwnedFd> {
    let path = Path::new(OsStr::from_bytes(exec.as_bytes()));
    let me = std::env::current_exe().ok()?;
    if std::fs::canonicalize(path).ok()? != std::fs::canonicalize(me).ok()? {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    Some(file.into())
}

fn cstring(b: &[u8]) -> io::Result<CString> {
    CString::new(b).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("NUL byte in {:?}", OsStr::from_bytes(b)),
        )
    })
}

fn null_terminated(v: &[CString]) -> Vec<*const libc::c_char> {
    v.iter()
        .map(|c| c.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we own from here.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both are new and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn set_nonblocking(fd: &OwnedFd) -> io::Result<()> {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    fcntl(fd.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(io::Error::from)?;
    Ok(())
}

/// Ends an init (and with it whatever is left of its namespace).
///
/// Not waited for: tearing its namespaces down takes the kernel a while
/// (0.1 ms to a few), off the scenario's way; any `reaper::reap` reaps it,
/// and `reaper::settle` at the end of a run.
pub fn end(init: Init) {
    // Its drop: SIGKILL, then the reaper's.
    drop(init);
}

/// Runs `cmd` (a tool of the harness on the student's files: the C
/// compiler) inside `layers`: the same view of the filesystem as a program
/// (`writable` its one writable folder besides its own /tmp, `visible`
/// shown read-only), no privilege, `nobody` as root where `argv`'s files
/// are within its reach. Set between fork and exec.
pub fn confine_command(
    cmd: &mut std::process::Command,
    layers: &Layers,
    argv: &[String],
    writable: &Path,
    visible: &[PathBuf],
) -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    let mounts = match &layers.filesystem {
        Some(p) => {
            let mut p = p.clone();
            // No pid namespace here: the host's /proc stays.
            p.own_proc = false;
            p.visible.extend(visible.iter().cloned());
            Some(p.plan(argv, writable)?)
        }
        None => None,
    };
    let identity = layers
        .identity
        .filter(|&ids| unreachable_by(ids, argv, layers.filesystem.as_ref()).is_none());
    if let Some((uid, gid)) = identity {
        std::os::unix::fs::chown(writable, Some(uid), Some(gid))?;
    }
    // SAFETY: system calls only (the plan's mounts, prctl, set*id).
    unsafe {
        cmd.pre_exec(move || {
            if let Some(m) = &mounts {
                m.apply()?;
            }
            super::pty::drop_privileges(identity)
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dropping a started program (any path: a panic's unwinding) ends its
    /// init before its stack can be unmapped: memory mapped afterwards is
    /// never written by an init still running (it would be, on its
    /// program's end, if the drop unmapped the stack of a live init).
    #[test]
    fn a_dropped_init_is_ended_before_its_stack_is_freed() {
        let layers = Layers::probe(Vec::new(), Vec::new());
        if !layers.pid_namespace {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: pid namespaces are refused here"
            );
            eprintln!("skipped: needs pid namespaces (root, or unprivileged user namespaces)");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        if let Some((uid, gid)) = layers.identity {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let argv = vec!["/bin/cat".to_string()];
        let env = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
        let started =
            super::super::pty::spawn(&argv, &env, dir.path(), Join::default(), || Ok(()), &layers)
                .unwrap();
        let pid = started.init.as_ref().unwrap().pid;
        // Its terminal closes too: `cat` ends, and a live init would write
        // its report from its stack.
        drop(started);
        let len = Stack::LEN + 4096;
        let maps: Vec<*mut u8> = (0..4)
            .map(|_| {
                // SAFETY: a new private mapping, ours.
                let p = unsafe {
                    libc::mmap(
                        std::ptr::null_mut(),
                        len,
                        libc::PROT_READ | libc::PROT_WRITE,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                        -1,
                        0,
                    )
                };
                assert_ne!(p, libc::MAP_FAILED);
                // SAFETY: within the mapping.
                unsafe { std::ptr::write_bytes(p.cast::<u8>(), 0xAB, len) };
                p.cast()
            })
            .collect();
        // Until the init is gone (or reaped already by the reaper).
        let pid = nix::unistd::Pid::from_raw(pid);
        while let Err(nix::errno::Errno::EINTR) =
            nix::sys::wait::waitpid(pid, Some(nix::sys::wait::WaitPidFlag::__WALL))
        {}
        for &p in &maps {
            // SAFETY: our mapping, whole.
            let bytes = unsafe { std::slice::from_raw_parts(p, len) };
            assert!(
                bytes.iter().all(|&b| b == 0xAB),
                "an init wrote freed memory"
            );
            // SAFETY: ours, unmapped once.
            unsafe { libc::munmap(p.cast(), len) };
        }
        super::super::reaper::settle(std::time::Duration::from_secs(2));
    }
}

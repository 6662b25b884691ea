//! System calls made without libc, for the one task that runs in grade's
//! address space without being one of its threads: a pid namespace's init
//! (see `spawn`). libc's wrappers set `errno`, which lives in the calling
//! thread's storage; the init has no storage of its own and would write the
//! `errno` of the runner thread that started it, while that thread runs.
//! These return the kernel's `-errno` instead and touch no memory but their
//! arguments. (rustix makes raw calls too, but its fork and sigprocmask are
//! in its unstable, hidden `runtime` module.)

/// `syscall(nr, a...)` straight to the kernel: the result, or `-errno`.
///
/// # Safety
/// As the system call `nr` with these arguments.
#[inline(always)]
pub unsafe fn call(nr: libc::c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the caller's promise; x86_64's kernel clobbers rcx and r11.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") nr as isize => ret,
            in("rdi") a[0],
            in("rsi") a[1],
            in("rdx") a[2],
            in("r10") a[3],
            in("r8") a[4],
            in("r9") a[5],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    // SAFETY: the caller's promise.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!(
            "svc 0",
            in("x8") nr,
            inlateout("x0") a[0] as isize => ret,
            in("x1") a[1],
            in("x2") a[2],
            in("x3") a[3],
            in("x4") a[4],
            in("x5") a[5],
            options(nostack),
        );
    }
    ret
}

/// What runs in a child of `clone_on`: never returns.
pub type Entry = extern "C" fn(*mut libc::c_void) -> libc::c_int;

/// `clone(flags)` with the child on `stack` (its top, 16-byte aligned)
/// running `f(arg)`, which must not return: the child's pid, or `-errno`.
/// Not glibc's clone: before 2.24 its child, sharing the caller's thread
/// storage under `CLONE_VM`, wrote -1 over the calling thread's cached pid
/// and tid (glibc bug 19957).
///
/// # Safety
/// `stack` is mapped, unused, and stays so while the child runs; `f` keeps
/// to what may run in a child sharing this memory (see `spawn`).
pub unsafe fn clone_on(
    flags: usize,
    stack: *mut libc::c_void,
    f: Entry,
    arg: *mut libc::c_void,
) -> isize {
    let ret: isize;
    // SAFETY: the caller's promise. The child starts on `stack` after the
    // system call (which returns 0 there), calls `f` and never comes back;
    // the parent goes on.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r12",
            "call r13",
            "ud2",
            "2:",
            inlateout("rax") libc::SYS_clone as isize => ret,
            in("rdi") flags,
            in("rsi") stack,
            in("rdx") 0usize,
            in("r10") 0usize,
            in("r8") 0usize,
            in("r12") arg,
            in("r13") f,
            lateout("rcx") _,
            lateout("r11") _,
        );
    }
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!(
            "svc 0",
            "cbnz x0, 2f",
            "mov x29, xzr",
            "mov x0, {arg}",
            "blr {f}",
            "brk #0",
            "2:",
            arg = in(reg) arg,
            f = in(reg) f,
            in("x8") libc::SYS_clone,
            inlateout("x0") flags as isize => ret,
            in("x1") stack,
            in("x2") 0usize,
            in("x3") 0usize,
            in("x4") 0usize,
        );
    }
    ret
}

/// Every signal's action back to the default (as posix_spawn's
/// `POSIX_SPAWN_SETSIGDEF`): no handler of grade's (std's SIGSEGV and
/// SIGBUS ones read the runner thread's storage) runs in a child sharing
/// its memory.
///
/// # Safety
/// System calls on a local.
pub unsafe fn default_signals() {
    // The kernel's struct sigaction, zeroed: SIG_DFL, no flag, no mask.
    let act = [0u64; 4];
    for sig in 1..=64usize {
        if sig == libc::SIGKILL as usize || sig == libc::SIGSTOP as usize {
            continue;
        }
        // SAFETY: rt_sigaction reads `act`.
        unsafe {
            call(
                libc::SYS_rt_sigaction,
                [sig, act.as_ptr() as usize, 0, 8, 0, 0],
            );
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("grade's sandbox makes raw system calls on x86_64 and aarch64 Linux only");

/// `prctl(option, arg)`.
///
/// # Safety
/// As prctl.
pub unsafe fn prctl(option: libc::c_int, arg: usize) -> isize {
    // SAFETY: the caller's promise.
    unsafe { call(libc::SYS_prctl, [option as usize, arg, 0, 0, 0, 0]) }
}

/// Blocks exactly the signals of `set` (the kernel's sigset: 64 bits).
///
/// # Safety
/// A system call on a local.
pub unsafe fn set_signal_mask(set: u64) -> isize {
    // SAFETY: rt_sigprocmask reads 8 bytes of `set`.
    unsafe {
        call(
            libc::SYS_rt_sigprocmask,
            [
                libc::SIG_SETMASK as usize,
                std::ptr::from_ref(&set) as usize,
                0,
                8,
                0,
                0,
            ],
        )
    }
}

/// `wait4(-1, &status, 0, NULL)`: a child's pid and wait status, or `-errno`.
///
/// # Safety
/// A system call on a local.
pub unsafe fn wait_any(status: &mut i32) -> isize {
    // SAFETY: wait4 writes 4 bytes of `status`.
    unsafe {
        call(
            libc::SYS_wait4,
            [usize::MAX, std::ptr::from_mut(status) as usize, 0, 0, 0, 0],
        )
    }
}

/// `write(fd, buf)`.
///
/// # Safety
/// A system call on a buffer the caller owns.
pub unsafe fn write(fd: i32, buf: &[u8]) -> isize {
    // SAFETY: write reads `buf`.
    unsafe {
        call(
            libc::SYS_write,
            [fd as usize, buf.as_ptr() as usize, buf.len(), 0, 0, 0],
        )
    }
}

/// `close_range(first, last, flags)`.
///
/// # Safety
/// Closes descriptors nothing else in this process may still use.
pub unsafe fn close_range(first: u32, last: u32, flags: u32) -> isize {
    // SAFETY: the caller's promise.
    unsafe {
        call(
            libc::SYS_close_range,
            [first as usize, last as usize, flags as usize, 0, 0, 0],
        )
    }
}

/// Ends the calling process with `code`.
pub fn exit(code: i32) -> ! {
    loop {
        // SAFETY: exit_group ends the process; it does not return.
        unsafe {
            call(libc::SYS_exit_group, [code as usize, 0, 0, 0, 0, 0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static mut CHILD_SAW: usize = 0;

    extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: the parent waits (vfork) while this runs.
        unsafe { CHILD_SAW = arg as usize };
        exit(7)
    }

    #[test]
    fn a_child_on_its_own_stack_runs_its_entry_and_exits() {
        let mut stack = vec![0u128; 4096];
        // SAFETY: one past the end of our buffer (16-byte aligned).
        let top = unsafe { stack.as_mut_ptr().add(stack.len()) }.cast();
        let flags = (libc::CLONE_VM | libc::CLONE_VFORK) as usize;
        // SAFETY: the child runs `child` on `stack` while we wait.
        let pid = unsafe { clone_on(flags, top, child, 42 as *mut libc::c_void) };
        assert!(pid > 0, "{pid}");
        let st = nix::sys::wait::waitpid(
            nix::unistd::Pid::from_raw(pid as i32),
            Some(nix::sys::wait::WaitPidFlag::__WALL),
        )
        .unwrap();
        assert_eq!(
            st,
            nix::sys::wait::WaitStatus::Exited(nix::unistd::Pid::from_raw(pid as i32), 7)
        );
        // SAFETY: the child has exited.
        assert_eq!(unsafe { CHILD_SAW }, 42);
        drop(stack);
    }

    #[test]
    fn calls_return_the_kernels_result_or_minus_errno() {
        // SAFETY: getpid and a close of a descriptor that cannot be open.
        unsafe {
            assert_eq!(call(libc::SYS_getpid, [0; 6]), std::process::id() as isize);
            assert_eq!(
                call(libc::SYS_close, [i32::MAX as usize, 0, 0, 0, 0, 0]),
                -(libc::EBADF as isize)
            );
        }
    }

    #[test]
    fn writes_reach_the_pipe() {
        let (r, w) = nix::unistd::pipe().unwrap();
        // SAFETY: a write on a pipe we own.
        let n = unsafe { write(std::os::fd::AsRawFd::as_raw_fd(&w), b"init") };
        assert_eq!(n, 4);
        let mut buf = [0u8; 4];
        nix::unistd::read(std::os::fd::AsRawFd::as_raw_fd(&r), &mut buf).unwrap();
        assert_eq!(&buf, b"init");
    }
}

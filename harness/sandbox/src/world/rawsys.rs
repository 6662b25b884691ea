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
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub unsafe fn call(nr: libc::c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the caller's promise; the kernel clobbers rcx and r11 only.
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
    ret
}

/// `syscall(nr, a...)` straight to the kernel: the result, or `-errno`.
///
/// # Safety
/// As the system call `nr` with these arguments.
#[cfg(target_arch = "aarch64")]
#[inline(always)]
pub unsafe fn call(nr: libc::c_long, a: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: the caller's promise.
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

/// A fork (clone without `CLONE_VM`): 0 in the child, its pid in the
/// parent, or `-errno`.
///
/// # Safety
/// The child runs on a copy of this task's memory: only what was made for it.
pub unsafe fn fork() -> isize {
    // SAFETY: the caller's promise.
    unsafe { call(libc::SYS_clone, [libc::SIGCHLD as usize, 0, 0, 0, 0, 0]) }
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

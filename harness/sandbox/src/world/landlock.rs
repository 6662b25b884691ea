//! Landlock's signal scope (Linux 6.12, ABI 6): a program under test may
//! signal its own processes only, never `grade` or anything else of the
//! host (`os.kill(os.getppid(), SIGKILL)` ended `grade` without a report;
//! as root, `kill(-1, SIGKILL)` ended every process of the machine). The
//! harness signals into the domain as before (Ctrl-C through the terminal,
//! teardown's kills). The ruleset is made in the parent; the child only
//! calls `landlock_restrict_self` between fork and exec (async-signal-safe,
//! after `NO_NEW_PRIVS`). Raw system calls (`libc::syscall`), as the
//! portable binary needs (glibc 2.17 has no wrappers).

use std::os::fd::{FromRawFd, OwnedFd};

const CREATE_RULESET_VERSION: u32 = 1 << 0;
const SCOPE_SIGNAL: u64 = 1 << 1;

/// `struct landlock_ruleset_attr` (ABI 6 layout).
#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// The kernel's Landlock ABI version, 0 when it has none (or refuses it).
pub fn abi() -> i64 {
    // SAFETY: the documented version query: no attribute, no size.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    v.max(0)
}

/// A ruleset that scopes signals (close-on-exec, as the kernel makes it),
/// or `None` where the kernel cannot (ABI below 6, Landlock disabled).
pub fn signal_scope() -> Option<OwnedFd> {
    if abi() < 6 {
        return None;
    }
    let attr = RulesetAttr {
        handled_access_fs: 0,
        handled_access_net: 0,
        scoped: SCOPE_SIGNAL,
    };
    // SAFETY: a valid attribute of the size given.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const RulesetAttr,
            std::mem::size_of::<RulesetAttr>(),
            0u32,
        )
    };
    // SAFETY: a new descriptor the kernel gave us, owned from here.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Enforces `ruleset` on the calling process and its future children.
///
/// # Safety
/// Between fork and exec only (after `PR_SET_NO_NEW_PRIVS`); `ruleset` is
/// the descriptor of `signal_scope`.
pub unsafe fn restrict_self(ruleset: i32) -> std::io::Result<()> {
    // SAFETY: the caller's promise; one system call.
    if unsafe { libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0u32) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_exactly_where_the_kernel_has_one() {
        assert_eq!(signal_scope().is_some(), abi() >= 6, "ABI {}", abi());
    }
}

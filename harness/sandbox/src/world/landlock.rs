//! Landlock, the sandbox's second layer. Its signal scope (Linux 6.12, ABI
//! 6): a program under test may
//! signal its own processes only, never `grade` or anything else of the
//! host (`os.kill(os.getppid(), SIGKILL)` ended `grade` without a report;
//! as root, `kill(-1, SIGKILL)` ended every process of the machine). The
//! harness signals into the domain as before (Ctrl-C through the terminal,
//! teardown's kills). The ruleset is made in the parent; the child only
//! calls `landlock_restrict_self` between fork and exec (async-signal-safe,
//! after `NO_NEW_PRIVS`). Raw system calls (`libc::syscall`), as the
//! portable binary needs (glibc 2.17 has no wrappers).
//!
//! Where the kernel has Landlock at all (ABI 1, Linux 5.13), the same
//! ruleset also handles every write to the filesystem: a program may write
//! only beneath its working directory, /dev/shm and, behind its mount
//! namespace (where they are private), /tmp and /var/tmp; and to its
//! terminal and /dev/null. Behind the mount namespace (which makes the host
//! read-only) this is a second wall; where mount namespaces are refused,
//! the only one (and the host's /tmp, where a grader's folder may be, is
//! not writable then). Reading is not restricted
//! here (the mount namespace hides what must not be read). The rules name
//! the paths as the program sees them, so they are added in the child,
//! after its mounts, just before `restrict_self`.

use std::os::fd::{FromRawFd, OwnedFd};

const CREATE_RULESET_VERSION: u32 = 1 << 0;
const SCOPE_SIGNAL: u64 = 1 << 1;
const RULE_PATH_BENEATH: u32 = 1;

/// Every write a program could make to the filesystem, for Landlock ABI
/// `abi` (1: the first eleven; 2: renames and links across folders,
/// REFER; 3: TRUNCATE).
fn handled_writes(abi: i64) -> u64 {
    if abi < 1 {
        return 0;
    }
    // WRITE_FILE, REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG,
    // MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM.
    let mut w = (1 << 1) | (0b1_1111_1111 << 4);
    if abi >= 2 {
        w |= 1 << 13;
    }
    if abi >= 3 {
        w |= 1 << 14;
    }
    w
}

/// What a rule on a single file may allow: WRITE_FILE and TRUNCATE.
const FILE_WRITES: u64 = (1 << 1) | (1 << 14);

/// `struct landlock_path_beneath_attr` (packed, as the kernel has it).
#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: i32,
}

/// Where every program may write, as it sees the filesystem (besides its
/// working directory): folders, then single files (devices).
pub const WRITABLE_DIRS: [&std::ffi::CStr; 2] = [c"/dev/shm", c"/dev/pts"];
/// And, behind its mount namespace (where they are its own, private):
pub const PRIVATE_DIRS: [&std::ffi::CStr; 2] = [c"/tmp", c"/var/tmp"];
pub const WRITABLE_FILES: [&std::ffi::CStr; 4] =
    [c"/dev/null", c"/dev/zero", c"/dev/full", c"/dev/tty"];

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

/// A ruleset that scopes signals (ABI 6) and handles every write to the
/// filesystem (ABI 1), close-on-exec as the kernel makes it, or `None`
/// where the kernel has no Landlock (or disables it).
pub fn signal_scope() -> Option<OwnedFd> {
    let abi = abi();
    if abi < 1 {
        return None;
    }
    let attr = RulesetAttr {
        handled_access_fs: handled_writes(abi),
        handled_access_net: 0,
        scoped: if abi >= 6 { SCOPE_SIGNAL } else { 0 },
    };
    // Before ABI 6 the kernel knows a shorter attribute (no `scoped`).
    let size = if abi >= 6 {
        std::mem::size_of::<RulesetAttr>()
    } else if abi >= 4 {
        16
    } else {
        8
    };
    // SAFETY: a valid attribute, of the size given or larger.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const RulesetAttr,
            size,
            0u32,
        )
    };
    // SAFETY: a new descriptor the kernel gave us, owned from here.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Whether the rulesets of `signal_scope` handle writes here.
pub fn writes_scoped() -> bool {
    abi() >= 1
}

/// Allows every handled write beneath `path` (a folder), or the writes of
/// a file (`folder` false), in `ruleset`. A path that does not exist is
/// skipped. Async-signal-safe: in the child, before `restrict_self`.
///
/// # Safety
/// Between fork and exec only; `ruleset` is a descriptor of `signal_scope`.
pub unsafe fn allow_writes(
    ruleset: i32,
    path: &std::ffi::CStr,
    folder: bool,
) -> std::io::Result<()> {
    // SAFETY: system calls on a NUL-terminated path and our descriptors.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        if fd < 0 {
            return Ok(());
        }
        let abi = abi();
        let attr = PathBeneath {
            allowed_access: if folder {
                handled_writes(abi)
            } else {
                FILE_WRITES & handled_writes(abi)
            },
            parent_fd: fd,
        };
        let r = libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset,
            RULE_PATH_BENEATH,
            &attr as *const PathBeneath,
            0u32,
        );
        let err = std::io::Error::last_os_error();
        libc::close(fd);
        if r < 0 {
            return Err(err);
        }
        Ok(())
    }
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
    fn a_ruleset_exactly_where_the_kernel_has_landlock() {
        assert_eq!(signal_scope().is_some(), abi() >= 1, "ABI {}", abi());
    }

    #[test]
    fn writes_handled_grow_with_the_abi() {
        assert_eq!(handled_writes(0), 0);
        assert_eq!(handled_writes(1).count_ones(), 10);
        assert_eq!(handled_writes(2).count_ones(), 11);
        assert_eq!(handled_writes(7).count_ones(), 12);
        assert_eq!(FILE_WRITES & !handled_writes(3), 0);
    }
}

//! The program's own view of the filesystem: a mount namespace (and an IPC
//! namespace) where the host is read-only; `/tmp`, `/var/tmp` and `/dev/shm`
//! are private, size-limited tmpfs; the working directory is private and
//! writable; the grader's paths (home directories, the grade binary, the
//! report files, `--hide` paths, the host's secrets) are hidden behind empty
//! mounts; what the program needs from a hidden place (its own folder under
//! /tmp, the interpreter under `/root/.pyenv`) is bound back, read-only, at
//! its path. With a pid namespace, a /proc of its own.
//!
//! The plan is made in the parent (`Policy::plan`, every path a `CString`);
//! the child applies it between fork and exec with system calls only
//! (`MountPlan::apply`). `mount_setattr` (Linux 5.12) goes through
//! `libc::syscall`, as the portable build needs.

use std::ffi::CString;
use std::io;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Private tmpfs over these, where they exist.
const SCRATCH: [&str; 3] = ["/tmp", "/var/tmp", "/dev/shm"];
/// The size of each private tmpfs.
const SCRATCH_OPTIONS: &str = "size=64m,nr_inodes=16384,mode=1777";
/// Home directories: hidden behind an empty, read-only tmpfs.
const HOMES: [&str; 2] = ["/root", "/home"];
const HIDE_DIR_OPTIONS: &str = "size=64k,nr_inodes=1024,mode=755";
/// Files of the host no program needs.
const SECRETS: [&str; 3] = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers"];

/// What a run hides from every program, decided once.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Files and folders hidden from programs (the grade binary, the report
    /// paths, `--hide`), besides the homes and the host's secrets.
    pub hide: Vec<PathBuf>,
    /// Folders shown read-only at their paths (`--submission DIR`), even
    /// where hidden otherwise (under /tmp).
    pub visible: Vec<PathBuf>,
    /// Pid namespaces are in use: /proc is the namespace's.
    pub own_proc: bool,
}

/// One step of the child's set-up.
#[derive(Debug, Clone)]
enum Op {
    /// Keep a descriptor of this folder (or file), to bind it back once
    /// covered.
    Keep {
        path: CString,
        slot: usize,
        file: bool,
    },
    /// The host read-only, recursively.
    ReadOnly,
    /// A tmpfs at `target`.
    Tmpfs { target: CString, options: CString },
    /// The empty file bound over hidden files, created in a private tmpfs.
    MakeHidden,
    /// The empty file bound over a file (gone already: nothing to hide).
    HideFile { target: CString },
    /// An empty, read-only tmpfs over a folder.
    HideDir { target: CString },
    /// Folder (or file) `slot` bound back at `target` (made first, in a
    /// tmpfs).
    Bind {
        slot: usize,
        target: CString,
        writable: bool,
        file: bool,
    },
    /// A mount made read-only (a hiding tmpfs, once what it shows is bound).
    SealReadOnly { target: CString },
    /// The namespace's own /proc.
    Proc,
}

/// The child's set-up, in order.
#[derive(Debug, Clone)]
pub struct MountPlan {
    ops: Vec<Op>,
    slots: usize,
}

const MAX_SLOTS: usize = 16;

/// The namespaces a plan is applied in: a mount namespace, and an IPC one.
pub const UNSHARE: libc::c_int = libc::CLONE_NEWNS | libc::CLONE_NEWIPC;

impl Policy {
    /// The plan for a program run with `argv` in `cwd`: what is covered, and
    /// what of `argv`'s files (the program's folder, its interpreter's
    /// prefix) and `cwd` is bound back.
    pub fn plan(&self, argv: &[String], cwd: &Path) -> io::Result<MountPlan> {
        let needed = self.needed(argv);
        let covers = self.covers(&needed);
        let mut keep = kept(argv, cwd, needed, &covers);
        keep.truncate(MAX_SLOTS);
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
        let mut ops = Vec::new();
        for (slot, (path, _, file)) in keep.iter().enumerate() {
            ops.push(Op::Keep {
                path: c(path)?,
                slot,
                file: *file,
            });
        }
        ops.push(Op::ReadOnly);
        // Covered first (what is bound back inside is made in them)...
        for dir in &covers {
            let scratch = SCRATCH.iter().any(|s| Path::new(s) == dir);
            let options = if scratch {
                SCRATCH_OPTIONS
            } else {
                HIDE_DIR_OPTIONS
            };
            ops.push(Op::Tmpfs {
                target: c(dir)?,
                options: CString::new(options).map_err(io::Error::other)?,
            });
        }
        for (slot, (path, writable, file)) in keep.iter().enumerate() {
            ops.push(Op::Bind {
                slot,
                target: c(path)?,
                writable: *writable,
                file: *file,
            });
        }
        // ...hidden last: a --hide path inside the program's folder too.
        let shown = |p: &Path| {
            !covers.iter().any(|c| p.starts_with(c))
                || keep.iter().any(|(k, _, _)| p.starts_with(k))
        };
        let (dirs, files) = self.hidden();
        let files: Vec<&PathBuf> = files.iter().filter(|f| shown(f)).collect();
        if !files.is_empty() {
            ops.push(Op::MakeHidden);
            for f in files {
                ops.push(Op::HideFile { target: c(f)? });
            }
        }
        for d in dirs.iter().filter(|d| shown(d) && !covers.contains(d)) {
            ops.push(Op::HideDir { target: c(d)? });
        }
        for d in covers
            .iter()
            .filter(|d| !SCRATCH.iter().any(|s| Path::new(s) == *d))
        {
            ops.push(Op::SealReadOnly { target: c(d)? });
        }
        if self.own_proc {
            ops.push(Op::Proc);
        }
        Ok(MountPlan {
            ops,
            slots: keep.len(),
        })
    }

    /// The folders a program run with `argv` needs: its own (see
    /// `visible_folders`) and the policy's visible ones.
    fn needed(&self, argv: &[String]) -> Vec<PathBuf> {
        visible_folders(argv)
            .into_iter()
            .chain(self.visible.iter().cloned())
            .collect()
    }

    /// The folders of `argv` bound back from a hidden place (entered from
    /// their own mode down, their hidden parents being the sandbox's).
    pub fn bound_back(&self, argv: &[String]) -> Vec<PathBuf> {
        let needed = self.needed(argv);
        let covers = self.covers(&needed);
        needed
            .into_iter()
            .filter(|d| covers.iter().any(|c| d.starts_with(c)))
            .collect()
    }

    /// Where everything under is replaced by a private or empty tmpfs, in
    /// which the `needed` folders are bound back: the scratch folders, the
    /// homes, and each hidden folder that holds a needed one (in a batch,
    /// the class's folder, that holds the student's).
    fn covers(&self, needed: &[PathBuf]) -> Vec<PathBuf> {
        let (dirs, _) = self.hidden();
        let mut out: Vec<PathBuf> = SCRATCH
            .iter()
            .map(PathBuf::from)
            .filter(|d| d.is_dir())
            .chain(self.homes())
            .collect();
        // A hidden folder under /tmp or a home is hidden already.
        let holds = |d: &PathBuf| {
            needed.iter().any(|n| n != d && n.starts_with(d))
                && !out.iter().any(|c| d.starts_with(c))
        };
        let more: Vec<PathBuf> = dirs.into_iter().filter(holds).collect();
        out.extend(more);
        out
    }

    /// The home folders that exist: /root, /home, and the grader's own
    /// `$HOME` wherever it is (not `/`, not inside those).
    fn homes(&self) -> Vec<PathBuf> {
        let covered = |h: &Path| HOMES.iter().chain(SCRATCH.iter()).any(|c| h.starts_with(c));
        let own = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|h| h.is_absolute() && h.parent().is_some() && !covered(h));
        let mut out: Vec<PathBuf> = HOMES.iter().map(PathBuf::from).collect();
        out.extend(own);
        out.retain(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()));
        out
    }

    /// The hidden folders and files that exist: the host's secrets and
    /// the policy's paths.
    fn hidden(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        let all = SECRETS
            .iter()
            .map(PathBuf::from)
            .chain(self.hide.iter().cloned());
        for p in all {
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => dirs.push(p),
                Ok(m) if m.is_file() => files.push(p),
                _ => {}
            }
        }
        dirs.sort();
        dirs.dedup();
        // Inside a hidden folder is hidden already.
        let all_dirs = dirs.clone();
        dirs.retain(|d| !all_dirs.iter().any(|o| o != d && d.starts_with(o)));
        files.retain(|f| !dirs.iter().any(|d| f.starts_with(d)));
        files.sort();
        files.dedup();
        (dirs, files)
    }
}

/// What is bound back into the covers, as (path, writable, a file): `cwd`
/// (writable), then each `needed` folder under a cover. A needed folder
/// that is a cover itself (a script right in /tmp or /root) brings back
/// its program files alone, not the host's folder.
fn kept(
    argv: &[String],
    cwd: &Path,
    needed: Vec<PathBuf>,
    covers: &[PathBuf],
) -> Vec<(PathBuf, bool, bool)> {
    let mut keep: Vec<(PathBuf, bool, bool)> = vec![(cwd.to_path_buf(), true, false)];
    for dir in needed {
        if covers.contains(&dir) {
            for f in program_files(argv) {
                let real = std::fs::canonicalize(&f).unwrap_or(f.clone());
                for f in [f, real] {
                    if f.parent() == Some(dir.as_path()) && !keep.iter().any(|k| k.0 == f) {
                        keep.push((f, false, true));
                    }
                }
            }
        } else if covers.iter().any(|c| dir.starts_with(c))
            && !keep.iter().any(|(k, _, _)| dir.starts_with(k))
        {
            keep.push((dir, false, false));
        }
    }
    keep
}

/// The files of a command line that are the program: the executable and
/// its script (an interpreter's first operand), not the paths it is given
/// to work on.
pub fn program_files(argv: &[String]) -> Vec<PathBuf> {
    let script = argv
        .iter()
        .skip(1)
        .find(|w| !w.starts_with('-') && Path::new(w).is_file());
    argv.iter()
        .take(1)
        .chain(script)
        .filter(|w| w.contains('/'))
        .map(|w| std::path::absolute(w).unwrap_or_else(|_| PathBuf::from(w)))
        .filter(|p| p.is_file())
        .collect()
}

/// The folders a command line needs: the folder of the program and of its
/// script and, for an interpreter in a `bin` folder, its prefix (where its
/// libraries are), both as named and as resolved.
fn visible_folders(argv: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in program_files(argv) {
        let real = std::fs::canonicalize(&p).unwrap_or(p.clone());
        for file in [p, real] {
            let Some(dir) = file.parent() else { continue };
            if dir.file_name().is_some_and(|n| n == "bin") {
                if let Some(prefix) = dir.parent() {
                    out.push(prefix.to_path_buf());
                    continue;
                }
            }
            out.push(dir.to_path_buf());
        }
    }
    out.sort();
    out.dedup();
    out
}

impl MountPlan {
    /// Applies the plan in the calling (forked, single-threaded) process:
    /// new mount and IPC namespaces first. Returns a descriptor of the
    /// host's /proc opened before the plan's own /proc (or `AT_FDCWD`).
    ///
    /// # Safety
    /// Between fork and exec only: system calls on the plan's strings.
    pub unsafe fn apply(&self) -> io::Result<RawFd> {
        unsafe {
            check(libc::unshare(UNSHARE))?;
            self.apply_unshared()
        }
    }

    /// `apply` in namespaces unshared already (by a pid namespace's init,
    /// which so holds them: the program's exit does not wait for their
    /// teardown).
    ///
    /// # Safety
    /// As `apply`.
    pub unsafe fn apply_unshared(&self) -> io::Result<RawFd> {
        unsafe {
            check(libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ))?;
            let mut slots = [-1 as RawFd; MAX_SLOTS];
            let mut host_proc = libc::AT_FDCWD;
            for op in &self.ops {
                self.step(op, &mut slots, &mut host_proc)?;
            }
            for &fd in slots.iter().take(self.slots) {
                if fd >= 0 {
                    libc::close(fd);
                }
            }
            Ok(host_proc)
        }
    }

    /// # Safety
    /// As `apply`.
    unsafe fn step(
        &self,
        op: &Op,
        slots: &mut [RawFd; MAX_SLOTS],
        host_proc: &mut RawFd,
    ) -> io::Result<()> {
        unsafe {
            match op {
                Op::Keep { path, slot, file } => {
                    let kind = if *file { 0 } else { libc::O_DIRECTORY };
                    let flags = libc::O_PATH | kind | libc::O_CLOEXEC;
                    slots[*slot] = libc::open(path.as_ptr(), flags);
                    check(slots[*slot])
                }
                Op::ReadOnly => set_attr(
                    c"/",
                    libc::AT_RECURSIVE as u32,
                    ATTR_RDONLY | ATTR_NOSUID,
                    0,
                ),
                Op::Tmpfs { target, options } => check(libc::mount(
                    c"tmpfs".as_ptr(),
                    target.as_ptr(),
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    options.as_ptr().cast(),
                )),
                Op::MakeHidden => {
                    let flags = libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_CLOEXEC;
                    let fd = libc::open(c"/tmp/.grade-hidden".as_ptr(), flags, 0);
                    check(fd)?;
                    libc::close(fd);
                    Ok(())
                }
                Op::HideFile { target } => {
                    absent_is_fine(bind(c"/tmp/.grade-hidden", target, libc::MS_RDONLY))
                }
                Op::HideDir { target } => absent_is_fine(check(libc::mount(
                    c"tmpfs".as_ptr(),
                    target.as_ptr(),
                    c"tmpfs".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_RDONLY,
                    c"size=4k,nr_inodes=16,mode=755".as_ptr().cast(),
                ))),
                Op::Bind {
                    slot,
                    target,
                    writable,
                    file,
                } => bind_back(slots[*slot], target, *writable, *file),
                Op::SealReadOnly { target } => set_attr(target, 0, ATTR_RDONLY, 0),
                Op::Proc => {
                    let flags = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
                    *host_proc = libc::open(c"/proc".as_ptr(), flags);
                    check(*host_proc)?;
                    check(libc::mount(
                        c"proc".as_ptr(),
                        c"/proc".as_ptr(),
                        c"proc".as_ptr(),
                        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                        std::ptr::null(),
                    ))
                }
            }
        }
    }
}

const ATTR_RDONLY: u64 = 0x1;
const ATTR_NOSUID: u64 = 0x2;

/// `struct mount_attr`.
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// `mount_setattr(2)` on `path`. Async-signal-safe.
unsafe fn set_attr(path: &std::ffi::CStr, flags: u32, set: u64, clear: u64) -> io::Result<()> {
    let attr = MountAttr {
        attr_set: set,
        attr_clr: clear,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: a valid attribute of the size given, a NUL-terminated path.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    check(r as i32)
}

/// A bind mount of `src` at `target`. Async-signal-safe.
unsafe fn bind(
    src: &std::ffi::CStr,
    target: &std::ffi::CStr,
    extra: libc::c_ulong,
) -> io::Result<()> {
    // SAFETY: NUL-terminated paths.
    check(unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND | extra,
            std::ptr::null(),
        )
    })
}

/// Makes every folder of `path` that is missing (in a private tmpfs),
/// mode 755: its last component too if `last` (else only its parents).
/// Async-signal-safe: the path is copied to the stack.
unsafe fn make_dirs(path: &std::ffi::CStr, last: bool) -> io::Result<()> {
    let bytes = path.to_bytes();
    let mut buf = [0u8; 4096];
    if bytes.len() >= buf.len() {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    }
    buf[..bytes.len()].copy_from_slice(bytes);
    for i in 1..=bytes.len() {
        if (i < bytes.len() && buf[i] != b'/') || (i == bytes.len() && !last) {
            continue;
        }
        let saved = buf[i];
        buf[i] = 0;
        // SAFETY: a NUL-terminated prefix of the path, in our buffer.
        let r = unsafe { libc::mkdir(buf.as_ptr().cast(), 0o755) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EEXIST) {
                return Err(e);
            }
        }
        buf[i] = saved;
    }
    Ok(())
}

/// Binds the folder (or file) open as `fd` back at `target`, made first
/// in its tmpfs; writable if `writable`. Async-signal-safe.
unsafe fn bind_back(
    fd: RawFd,
    target: &std::ffi::CStr,
    writable: bool,
    file: bool,
) -> io::Result<()> {
    // SAFETY: system calls on our strings and buffers.
    unsafe {
        make_dirs(target, !file)?;
        if file {
            let flags = libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC;
            let made = libc::open(target.as_ptr(), flags, 0o644);
            check(made)?;
            libc::close(made);
        }
        let mut src = [0u8; 32];
        fd_path(fd, &mut src);
        bind(
            std::ffi::CStr::from_bytes_until_nul(&src).unwrap_or(c"/"),
            target,
            0,
        )?;
        if writable {
            set_attr(target, 0, 0, ATTR_RDONLY)?;
        }
        Ok(())
    }
}

/// Writes `/proc/self/fd/N` (NUL-terminated) into `out`. No allocation.
fn fd_path(fd: RawFd, out: &mut [u8; 32]) {
    let prefix = b"/proc/self/fd/";
    out[..prefix.len()].copy_from_slice(prefix);
    let mut digits = [0u8; 10];
    let mut n = fd.max(0) as u32;
    let mut k = 0;
    loop {
        digits[k] = b'0' + (n % 10) as u8;
        k += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut at = prefix.len();
    for d in digits[..k].iter().rev() {
        out[at] = *d;
        at += 1;
    }
    out[at] = 0;
}

/// A path to hide that is not there (under a private tmpfs) is hidden.
fn absent_is_fine(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        r => r,
    }
}

fn check(r: i32) -> io::Result<()> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_class_folder_covers_every_student_but_the_one_graded() {
        // Beside the crate (removed at the end): outside /tmp, unless the
        // checkout is there.
        let class = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
        let alice = class.path().join("alice");
        std::fs::create_dir(&alice).unwrap();
        std::fs::write(alice.join("serveur.py"), "").unwrap();
        let policy = Policy {
            hide: vec![class.path().to_path_buf()],
            visible: vec![],
            own_proc: false,
        };
        let argv = [
            "/usr/bin/python3".to_string(),
            alice.join("serveur.py").display().to_string(),
        ];
        let plan = policy.plan(&argv, Path::new("/tmp/grade-x")).unwrap();
        let class_c = CString::new(class.path().as_os_str().as_bytes()).unwrap();
        let alice_c = CString::new(alice.as_os_str().as_bytes()).unwrap();
        let at = |want: &dyn Fn(&Op) -> bool| plan.ops.iter().position(want);
        let bound =
            at(&|o| matches!(o, Op::Bind { target, writable: false, .. } if *target == alice_c))
                .expect("alice bound back");
        let covered = at(&|o| matches!(o, Op::Tmpfs { target, .. } if *target == class_c));
        if class.path().starts_with("/tmp") {
            // A checkout under /tmp (CI's): the private /tmp hides the
            // class already, and alice is bound back into it.
            assert_eq!(covered, None, "{plan:?}");
        } else {
            let covered = covered.expect("the class covered");
            let sealed = at(&|o| matches!(o, Op::SealReadOnly { target } if *target == class_c))
                .expect("sealed");
            assert!(covered < bound && bound < sealed, "{plan:?}");
        }
        assert_eq!(policy.bound_back(&argv), vec![alice.clone()]);
    }

    #[test]
    fn descriptor_paths_are_written_without_allocating() {
        let mut b = [0u8; 32];
        fd_path(7, &mut b);
        assert_eq!(
            std::ffi::CStr::from_bytes_until_nul(&b).unwrap(),
            c"/proc/self/fd/7"
        );
        fd_path(1234, &mut b);
        assert_eq!(
            std::ffi::CStr::from_bytes_until_nul(&b).unwrap(),
            c"/proc/self/fd/1234"
        );
    }

    #[test]
    fn an_interpreter_in_bin_shows_its_prefix_and_a_script_its_folder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("py/bin")).unwrap();
        std::fs::write(d.path().join("py/bin/python3"), "").unwrap();
        std::fs::write(d.path().join("serveur.py"), "").unwrap();
        let argv = [
            d.path().join("py/bin/python3").display().to_string(),
            d.path().join("serveur.py").display().to_string(),
            "--port".to_string(),
        ];
        let got = visible_folders(&argv);
        assert_eq!(got, vec![d.path().to_path_buf(), d.path().join("py")]);
    }

    #[test]
    fn a_script_right_in_tmp_comes_back_alone_not_the_hosts_tmp() {
        let script = tempfile::Builder::new()
            .prefix("grade-direct-")
            .suffix(".py")
            .tempfile_in("/tmp")
            .unwrap();
        let argv = [
            "/usr/bin/python3".to_string(),
            script.path().display().to_string(),
        ];
        let plan = Policy::default()
            .plan(&argv, Path::new("/tmp/grade-x"))
            .unwrap();
        let binds: Vec<(String, bool)> = plan
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Bind { target, file, .. } => {
                    Some((target.to_string_lossy().into_owned(), *file))
                }
                _ => None,
            })
            .collect();
        assert!(
            binds.contains(&(script.path().display().to_string(), true)),
            "{binds:?}"
        );
        assert!(
            !binds.iter().any(|(t, _)| t == "/tmp"),
            "the host's /tmp bound over the private one: {binds:?}"
        );
    }

    #[test]
    fn the_working_directory_is_bound_back_writable_and_a_folder_under_tmp_read_only() {
        let cwd = Path::new("/tmp/grade-x");
        let d = tempfile::tempdir().unwrap();
        let prog = d.path().join("serveur.py");
        std::fs::write(&prog, "").unwrap();
        let plan = Policy::default()
            .plan(
                &["/usr/bin/python3".into(), prog.display().to_string()],
                cwd,
            )
            .unwrap();
        let binds: Vec<(String, bool)> = plan
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Bind {
                    target, writable, ..
                } => Some((target.to_string_lossy().into_owned(), *writable)),
                _ => None,
            })
            .collect();
        assert_eq!(binds[0], ("/tmp/grade-x".to_string(), true));
        if d.path().starts_with("/tmp") {
            assert!(
                binds.contains(&(d.path().display().to_string(), false)),
                "{binds:?}"
            );
        }
        assert!(
            !binds.iter().any(|(t, _)| t == "/usr"),
            "/usr is visible already"
        );
    }
}

//! The sandbox's layers: what this machine allows (probed once per run),
//! what the report says of them, and whether a program's files are within
//! reach of the unprivileged user it would run as. `spawn` starts programs
//! inside them.

use super::mounts::Policy;
use super::spawn::vfork_wait;
use std::path::{Path, PathBuf};

/// The layers every program of a run gets (decided once: see `Layers::probe`).
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// A pid namespace of its own, under the harness's init.
    pub pid_namespace: bool,
    /// A view of the filesystem of its own.
    pub filesystem: Option<Policy>,
    /// The uid and gid it runs as (root grading: `nobody`).
    pub identity: Option<(u32, u32)>,
}

/// Whether this process may make pid namespaces (probed once, in a child
/// that exits at once).
pub fn pid_namespaces_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if super::netns::refused_by_caller() {
            return false;
        }
        // SAFETY: a child that exits at once.
        unsafe { vfork_wait(true, &mut || 0) == Some(0) }
    })
}

/// The uid and gid programs run as when grade is root: `nobody`.
pub const NOBODY: (u32, u32) = (65534, 65534);

impl Layers {
    /// Every layer this machine allows, for a run that hides `hide` too.
    pub fn probe(hide: Vec<PathBuf>, visible: Vec<PathBuf>) -> Layers {
        let pid_namespace = pid_namespaces_available();
        let policy = Policy {
            hide,
            visible,
            own_proc: pid_namespace,
        };
        let filesystem = mounts_available(&policy).then_some(policy);
        // Real root only: as an ordinary user grade is root in a user
        // namespace of its own, whose only other uid is none.
        let root = nix::unistd::geteuid().is_root() && !in_own_user_namespace();
        Layers {
            pid_namespace,
            filesystem,
            identity: root.then_some(NOBODY),
        }
    }

    /// What the report says of these layers.
    pub fn report(&self) -> grade_core::report::Sandbox {
        grade_core::report::Sandbox {
            descriptors: true,
            no_privileges: true,
            signal_scope: super::landlock::abi() >= 6,
            write_scope: super::landlock::writes_scoped(),
            filesystem: self.filesystem.is_some(),
            pid_namespace: self.pid_namespace,
            unprivileged_user: self.identity.is_some(),
        }
    }
}

/// Whether grade runs in the user namespace it made (`netns::enter_user_namespace`):
/// its uid map is not the identity of the whole range.
fn in_own_user_namespace() -> bool {
    std::fs::read_to_string("/proc/self/uid_map")
        .map(|m| !m.split_whitespace().eq(["0", "0", "4294967295"]))
        .unwrap_or(false)
}

/// Whether a program's filesystem view can be set up here: the whole plan
/// applied once, in a child that exits at once.
fn mounts_available(policy: &Policy) -> bool {
    if super::netns::refused_by_caller() {
        return false;
    }
    let Ok(dir) = tempfile::tempdir() else {
        return false;
    };
    let Ok(plan) = policy.plan(&[], dir.path()) else {
        return false;
    };
    // As a program's init would: in a pid namespace of its own when /proc
    // is to be the namespace's (mounting it needs one).
    // SAFETY: a child that only applies the plan (system calls on its
    // strings, and its own slots) and exits.
    let applied = unsafe {
        vfork_wait(policy.own_proc, &mut || match plan.apply() {
            Ok(_) => 0,
            Err(_) => 1,
        })
    };
    applied == Some(0)
}

/// The first file of `argv` (the program, its script, its interpreter)
/// that `(uid, gid)` could not use in the sandbox: a folder on its way it
/// cannot enter, or the file itself it cannot read. Folders bound back
/// from a hidden place are entered from their own mode down.
pub fn unreachable_by(
    ids: (u32, u32),
    argv: &[String],
    policy: Option<&Policy>,
) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let allows = |m: &std::fs::Metadata, bit: u32| {
        let mode = m.mode();
        if m.uid() == ids.0 {
            mode & (bit << 6) != 0
        } else if m.gid() == ids.1 {
            mode & (bit << 3) != 0
        } else {
            mode & bit != 0
        }
    };
    let roots = policy.map(|p| p.bound_back(argv)).unwrap_or_default();
    for file in super::mounts::program_files(argv) {
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let executed = Path::new(&argv[0]) == file;
        if !(allows(&meta, 0o4) || executed && allows(&meta, 0o1)) {
            return Some(file);
        }
        let from = roots.iter().find(|r| file.starts_with(r)).cloned();
        let mut dir = file.parent();
        while let Some(d) = dir {
            if std::fs::metadata(d).is_ok_and(|m| !allows(&m, 0o1)) {
                return Some(d.to_path_buf());
            }
            if from.as_deref() == Some(d) {
                break;
            }
            dir = d.parent();
        }
    }
    None
}

impl Layers {
    /// The layers this machine refused, as the message ids that name them
    /// (`sandbox-layer-…`).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.pid_namespace {
            out.push("sandbox-layer-pid-namespace");
        }
        if self.filesystem.is_none() {
            out.push("sandbox-layer-filesystem");
        }
        if super::landlock::abi() < 6 {
            out.push("sandbox-layer-signal-scope");
        }
        out
    }
}

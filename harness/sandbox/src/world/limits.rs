//! Limits on every program under test — processes, memory, CPU time, file
//! size, captured output — enforced with what the machine offers, and which
//! one a program hit (the runner records it, the verdict names it).
//!
//! What enforces what, in order of preference (measured on the CI machine
//! kind, as root):
//! - processes: `pids.max` of the program's v2 cgroup when the pids
//!   controller is enabled there, else of a v1 `pids` cgroup of its own,
//!   joined between fork and exec like the v2 one. A fork then fails with
//!   EAGAIN at the limit; `pids.events` counts the refusals. (`RLIMIT_NPROC`
//!   does not bind root and counts per user: useless for parallel scenarios.)
//! - memory: the v2 `memory.max`, else a v1 `memory` cgroup; past it the
//!   kernel's OOM killer ends the program (counted as `oom_kill`). Without
//!   either, `RLIMIT_AS` (Python then raises MemoryError: a crash, not
//!   recognised as a limit).
//! - CPU time: `RLIMIT_CPU`, soft below hard: SIGXCPU first, SIGKILL a
//!   second later for a program that ignores it.
//! - file size: `RLIMIT_FSIZE` (SIGXFSZ, or EFBIG where it is ignored, as
//!   Python does); seen as that signal or a file of the limit's size in the
//!   program's working directory.
//! - core dumps: none (`RLIMIT_CORE` 0).
//! - output: `OutputCap` keeps the head and the tail of what a program
//!   prints and counts the rest; far past it the program is stopped.

use super::cgroup::{Cgroup, Hierarchy};
use super::reaper::Exit;
use crate::transcript::Data;
use nix::sys::resource::{setrlimit, Resource};
use std::collections::VecDeque;
use std::fs;
use std::io;
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The limits of one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Processes and threads at once.
    pub processes: u64,
    /// Bytes of memory.
    pub memory: u64,
    /// Seconds of CPU time, per process.
    pub cpu_secs: u64,
    /// Bytes: the largest file a program may write.
    pub file_size: u64,
}

impl Limits {
    /// A chat program needs a few processes, a few MiB and little CPU; the
    /// CPU limit stays above what a busy loop burns over a scenario's
    /// deadlines, so that it is diagnosed as a busy loop.
    pub const DEFAULT: Limits = Limits {
        processes: 64,
        memory: 512 << 20,
        cpu_secs: 10,
        file_size: 16 << 20,
    };

    /// The defaults, with CPU time stretched like the deadlines.
    pub fn scaled(timeout_scale: f64) -> Limits {
        Limits {
            cpu_secs: (Limits::DEFAULT.cpu_secs as f64 * timeout_scale.max(1.0)).ceil() as u64,
            ..Limits::DEFAULT
        }
    }
}

/// The limits, as the transcript and the `limit` diagnosis give them.
pub use crate::transcript::Limit;

/// A limit a program hit, and its value (a count, bytes, or seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub limit: Limit,
    pub max: u64,
}

/// The limits of one program as this machine enforces them: its own v1
/// cgroups (when the v2 one has no controllers), the rlimits it sets on
/// itself before exec, and where to read what it hit.
#[derive(Debug)]
pub struct Jail {
    limits: Limits,
    /// v1 cgroups of its own (`pids`, `memory`); removed on drop.
    groups: Vec<Cgroup>,
    /// A `pids.events` file ("max N": forks refused at the limit).
    pids_events: Option<PathBuf>,
    /// A file with "oom_kill N" (v2 `memory.events`, v1 `memory.oom_control`).
    oom_events: Option<PathBuf>,
    /// The v1 `pids` cgroup's index in `groups`: the program's processes
    /// where there is no v2 cgroup.
    pids_group: Option<usize>,
    rlimits: Vec<(Resource, u64, u64)>,
    reported: Vec<Limit>,
}

impl Jail {
    /// Prepares the limits of a program about to start; `v2` is its cgroup
    /// in the unified hierarchy, if it has one.
    pub fn new(limits: Limits, v2: Option<&Cgroup>) -> Jail {
        let mut j = Jail {
            limits,
            groups: Vec::new(),
            pids_events: None,
            oom_events: None,
            pids_group: None,
            rlimits: vec![
                (Resource::RLIMIT_CPU, limits.cpu_secs, limits.cpu_secs + 1),
                (Resource::RLIMIT_FSIZE, limits.file_size, limits.file_size),
                (Resource::RLIMIT_CORE, 0, 0),
            ],
            reported: Vec::new(),
        };
        // Processes.
        let n = limits.processes.to_string();
        if let Some(cg) = v2.filter(|cg| cg.has("pids.max") && cg.set("pids.max", &n).is_ok()) {
            j.pids_events = Some(cg.dir().join("pids.events"));
        } else if let Some(cg) = own(Hierarchy::V1("pids"), &[("pids.max", &n)]) {
            j.pids_events = Some(cg.dir().join("pids.events"));
            j.pids_group = Some(j.groups.len());
            j.groups.push(cg);
        }
        // Memory (no swap: it would only slow the program down).
        let m = limits.memory.to_string();
        if let Some(cg) = v2.filter(|cg| {
            cg.has("memory.max")
                && cg.set("memory.max", &m).is_ok()
                && (!cg.has("memory.swap.max") || cg.set("memory.swap.max", "0").is_ok())
        }) {
            j.oom_events = Some(cg.dir().join("memory.events"));
        } else if let Some(cg) = own(Hierarchy::V1("memory"), &[("memory.limit_in_bytes", &m)]) {
            if cg.has("memory.memsw.limit_in_bytes") {
                let _ = cg.set("memory.memsw.limit_in_bytes", &m);
            }
            j.oom_events = Some(cg.dir().join("memory.oom_control"));
            j.groups.push(cg);
        } else {
            // Address space, not memory: leave room for what is mapped
            // but never touched (thread stacks, allocator arenas).
            j.rlimits
                .push((Resource::RLIMIT_AS, 2 * limits.memory, 2 * limits.memory));
        }
        j
    }

    /// What the child does between fork and exec, after joining its v2
    /// cgroup: join the v1 cgroups, set the rlimits. Only async-signal-safe
    /// calls.
    pub fn before_exec(&self) -> impl FnMut() -> io::Result<()> + Send + Sync {
        let fds: Vec<RawFd> = self.groups.iter().map(Cgroup::join_fd).collect();
        let rlimits = self.rlimits.clone();
        move || {
            for &fd in &fds {
                super::cgroup::join(fd)?;
            }
            for &(r, soft, hard) in &rlimits {
                setrlimit(r, soft, hard).map_err(io::Error::from)?;
            }
            Ok(())
        }
    }

    /// The program's live processes from its v1 `pids` cgroup, if it has
    /// one (where it has no v2 cgroup, this beats a /proc scan: it also
    /// holds those that left the session and lost their parent).
    pub fn pids(&self) -> Option<Vec<i32>> {
        self.pids_group.map(|k| self.groups[k].pids())
    }

    /// Limits hit since the last call: from the cgroups' counters, how the
    /// program's first process ended (`root`), and what is in its working
    /// directory. Each limit is reported once.
    pub fn hits(&mut self, root: Option<Exit>, workdir: &Path) -> Vec<Hit> {
        let l = self.limits;
        let signal = root.and_then(Exit::signal);
        let mut now = Vec::new();
        if self
            .pids_events
            .as_deref()
            .is_some_and(|f| counter(f, "max") > 0)
        {
            now.push(Hit {
                limit: Limit::Processes,
                max: l.processes,
            });
        }
        if self
            .oom_events
            .as_deref()
            .is_some_and(|f| counter(f, "oom_kill") > 0)
        {
            now.push(Hit {
                limit: Limit::Memory,
                max: l.memory,
            });
        }
        if signal == Some(libc::SIGXCPU) {
            now.push(Hit {
                limit: Limit::CpuTime,
                max: l.cpu_secs,
            });
        }
        if signal == Some(libc::SIGXFSZ) || largest_file(workdir, 3) >= l.file_size {
            now.push(Hit {
                limit: Limit::FileSize,
                max: l.file_size,
            });
        }
        now.retain(|h| !self.reported.contains(&h.limit));
        self.reported.extend(now.iter().map(|h| h.limit));
        now
    }
}

/// A v1 cgroup of the program's own with these control files set.
fn own(h: Hierarchy, settings: &[(&str, &str)]) -> Option<Cgroup> {
    let cg = Cgroup::create_in(h).ok()?;
    settings
        .iter()
        .all(|(file, value)| cg.set(file, value).is_ok())
        .then_some(cg)
}

/// The number after `key` in a flat-keyed cgroup file ("key N" lines).
fn counter(file: &Path, key: &str) -> u64 {
    fs::read_to_string(file)
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                let (k, v) = l.split_once(' ')?;
                (k == key).then(|| v.trim().parse().ok())?
            })
        })
        .unwrap_or(0)
}

/// Size of the largest regular file under `dir`, `depth` levels deep.
fn largest_file(dir: &Path, depth: usize) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut max = 0;
    for e in entries.flatten() {
        let Ok(t) = e.file_type() else { continue };
        if t.is_file() {
            max = max.max(e.metadata().map(|m| m.len()).unwrap_or(0));
        } else if t.is_dir() && depth > 1 {
            max = max.max(largest_file(&e.path(), depth - 1));
        }
    }
    max
}

/// Captured output kept as it comes, per stream (a program's terminal,
/// what the peer receives from it, what it sends through the relay).
pub const OUTPUT_HEAD: usize = 192 * 1024;
/// Captured output kept from the end, per stream.
pub const OUTPUT_TAIL: usize = 64 * 1024;
/// Events kept as they come, per stream: what bounds the memory of a flood
/// of empty lines or one-byte segments (an event costs ~70 bytes besides
/// its data). A per-byte printer of the 10,000-character long line fits.
pub const OUTPUT_HEAD_EVENTS: usize = 16 * 1024;
/// Events kept from the end, per stream.
pub const OUTPUT_TAIL_EVENTS: usize = 4 * 1024;
/// Output past the head beyond which the program is stopped: it would only
/// keep the harness reading until the deadline. Each event counts
/// `EVENT_COST` bytes more than its data.
pub const OUTPUT_RUNAWAY: u64 = 4 << 20;
const EVENT_COST: usize = 64;

/// One printed line (or received segment) held back for the tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub t: Duration,
    pub raw: Vec<u8>,
    pub newline: bool,
}

/// What to do with a printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Record it now.
    Keep(Vec<u8>),
    /// Held for the tail (or counted); `first` on the first line past the
    /// head, `runaway` on the line that crosses `OUTPUT_RUNAWAY`.
    Over { first: bool, runaway: bool },
}

/// What a stream's cap did not keep: counted, for the transcript's
/// `output-dropped` event.
pub use crate::transcript::Dropped;

/// The output of one stream: the first `OUTPUT_HEAD` bytes (at most
/// `OUTPUT_HEAD_EVENTS` events) as they come, the last `OUTPUT_TAIL` bytes
/// (at most `OUTPUT_TAIL_EVENTS` events) after those held until the end,
/// the rest only counted. Sizes count a line's bytes and its newline.
/// Constant work per event: a flood costs time linear in its size.
#[derive(Debug, Default)]
pub struct OutputCap {
    head: usize,
    head_events: usize,
    tail: VecDeque<Held>,
    tail_bytes: usize,
    /// Neither in the head nor in the tail.
    dropped: Dropped,
    /// Bytes past the head.
    over: u64,
    stream: Stream,
}

/// What a capped stream is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Stream {
    /// Printed lines, each with its newline.
    #[default]
    Lines,
    /// A byte stream (segments): lines are its newlines, not its events.
    Segments,
}

impl Stream {
    /// The size a stream counts for `raw`: a printed line's newline too.
    fn size(self, raw: &[u8]) -> usize {
        raw.len() + usize::from(self == Stream::Lines)
    }
}

impl OutputCap {
    /// The cap of a byte stream (received or relayed segments).
    pub fn segments() -> OutputCap {
        OutputCap {
            stream: Stream::Segments,
            ..OutputCap::default()
        }
    }

    pub fn offer(&mut self, t: Duration, raw: Vec<u8>, newline: bool) -> Offer {
        let size = self.stream.size(&raw);
        if self.over == 0
            && self.head + size <= OUTPUT_HEAD
            && self.head_events < OUTPUT_HEAD_EVENTS
        {
            self.head += size;
            self.head_events += 1;
            return Offer::Keep(raw);
        }
        let first = self.over == 0;
        let before = self.over;
        // Reading and counting an event costs the harness besides its
        // bytes: a flood of empty lines runs away too.
        self.over += (size + EVENT_COST) as u64;
        self.tail_bytes += size;
        self.tail.push_back(Held { t, raw, newline });
        while self.tail_bytes > OUTPUT_TAIL || self.tail.len() > OUTPUT_TAIL_EVENTS {
            let Some(old) = self.tail.pop_front() else {
                break;
            };
            let size = self.stream.size(&old.raw);
            self.tail_bytes -= size;
            let kind = match self.stream {
                Stream::Segments => Data::Received,
                Stream::Lines => Data::Printed,
            };
            self.dropped.add(kind, &old.raw);
            // A printed line's newline counts too.
            self.dropped.bytes += (size - old.raw.len()) as u64;
        }
        Offer::Over {
            first,
            runaway: before < OUTPUT_RUNAWAY && self.over >= OUTPUT_RUNAWAY,
        }
    }

    /// At the end: what was not kept, and the tail to record after it.
    pub fn finish(&mut self) -> (Dropped, Vec<Held>) {
        let dropped = std::mem::take(&mut self.dropped);
        self.tail_bytes = 0;
        (dropped, self.tail.drain(..).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::process::Command;
    use std::time::Instant;

    #[test]
    fn output_keeps_head_and_tail_and_counts_the_rest() {
        let mut cap = OutputCap::default();
        let line = vec![b'x'; 1023];
        let t = Duration::ZERO;
        let mut kept = 0;
        let mut firsts = 0;
        let mut runaways = 0;
        for _ in 0..(OUTPUT_RUNAWAY as usize / 1024 + 300) {
            match cap.offer(t, line.clone(), true) {
                Offer::Keep(_) => kept += 1,
                Offer::Over { first, runaway } => {
                    firsts += usize::from(first);
                    runaways += usize::from(runaway);
                }
            }
        }
        assert_eq!(kept, OUTPUT_HEAD / 1024);
        assert_eq!((firsts, runaways), (1, 1));
        let (dropped, tail) = cap.finish();
        assert_eq!(tail.len(), OUTPUT_TAIL / 1024);
        let lines = OUTPUT_RUNAWAY as usize / 1024 + 300;
        assert_eq!(
            dropped.bytes as usize,
            lines * 1024 - OUTPUT_HEAD - OUTPUT_TAIL
        );
        assert_eq!(dropped.lines, dropped.events);
        assert_eq!(
            dropped.events as usize,
            lines - (OUTPUT_HEAD + OUTPUT_TAIL) / 1024
        );
    }

    #[test]
    fn a_flood_of_empty_lines_is_bounded_in_events() {
        let mut cap = OutputCap::default();
        let n = 1_000_000;
        let kept = (0..n)
            .filter(|_| matches!(cap.offer(Duration::ZERO, Vec::new(), true), Offer::Keep(_)))
            .count();
        assert_eq!(kept, OUTPUT_HEAD_EVENTS);
        let (dropped, tail) = cap.finish();
        assert_eq!(tail.len(), OUTPUT_TAIL_EVENTS);
        assert_eq!(
            dropped.lines as usize,
            n - OUTPUT_HEAD_EVENTS - OUTPUT_TAIL_EVENTS
        );
    }

    #[test]
    fn segments_count_their_newlines_as_lines() {
        let mut cap = OutputCap::segments();
        // The resender's buffer: a line, then NULs.
        let mut seg = b"Bonjour\n".to_vec();
        seg.resize(1025, 0);
        let n = (OUTPUT_HEAD + OUTPUT_TAIL) / seg.len() + 1000;
        for _ in 0..n {
            cap.offer(Duration::ZERO, seg.clone(), false);
        }
        let (dropped, tail) = cap.finish();
        let tail_bytes: usize = tail.iter().map(|h| h.raw.len()).sum();
        assert!(tail_bytes <= OUTPUT_TAIL && tail_bytes + seg.len() > OUTPUT_TAIL);
        assert_eq!(dropped.lines, dropped.events);
        assert_eq!(dropped.bytes, dropped.events * seg.len() as u64);
    }

    #[test]
    fn small_output_is_all_kept() {
        let mut cap = OutputCap::default();
        assert_eq!(
            cap.offer(Duration::ZERO, b"hi".to_vec(), true),
            Offer::Keep(b"hi".to_vec())
        );
        assert_eq!(cap.finish(), (Dropped::default(), Vec::new()));
    }

    /// Runs `sh -c script` under `limits` (with a v2 cgroup where there is
    /// one), waits for it and everything it started, and returns the
    /// limits it hit.
    fn confined(limits: Limits, script: &str) -> Vec<Limit> {
        let dir = tempfile::tempdir().unwrap();
        let v2 = Cgroup::create().ok();
        let mut jail = Jail::new(limits, v2.as_ref());
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]).current_dir(dir.path());
        let v2_fd = v2.as_ref().map(Cgroup::join_fd);
        let mut hook = jail.before_exec();
        // SAFETY: the hook makes only async-signal-safe calls.
        unsafe {
            cmd.pre_exec(move || {
                if let Some(fd) = v2_fd {
                    crate::world::cgroup::join(fd)?;
                }
                hook()
            });
        }
        let mut child = cmd.spawn().unwrap();
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        let root = match status.code() {
            Some(c) => Exit::Code(c),
            None => Exit::Signal(status.signal().unwrap_or_default()),
        };
        let hits = jail.hits(Some(root), dir.path());
        // Whatever it left running goes with its cgroups.
        if let Some(cg) = &v2 {
            cg.kill();
        }
        for g in &jail.groups {
            g.kill();
        }
        hits.into_iter().map(|h| h.limit).collect()
    }

    fn tiny() -> Limits {
        Limits {
            processes: 8,
            memory: 64 << 20,
            cpu_secs: 1,
            file_size: 1 << 20,
        }
    }

    fn cgroups_here() -> bool {
        let ok = crate::world::cgroup::base(Hierarchy::Unified).is_some()
            || crate::world::cgroup::base(Hierarchy::V1("pids")).is_some();
        if !ok {
            eprintln!("no writable cgroup here: skipped");
        }
        ok
    }

    #[test]
    fn a_fork_bomb_stops_at_the_process_limit() {
        if !cgroups_here() {
            return;
        }
        // 20 sleepers asked, 8 tasks allowed: the shell's forks fail.
        let hits = confined(
            tiny(),
            "for i in $(seq 20); do sleep 5 & done 2>/dev/null; kill $(jobs -p) 2>/dev/null; true",
        );
        assert_eq!(hits, [Limit::Processes]);
    }

    #[test]
    fn a_memory_hog_is_stopped() {
        if crate::world::cgroup::base(Hierarchy::V1("memory")).is_none() {
            eprintln!("no writable memory cgroup here: skipped");
            return;
        }
        let hits = confined(tiny(), "x=$(head -c 200000000 /dev/zero | tr '\\0' a)");
        assert_eq!(hits, [Limit::Memory]);
    }

    #[test]
    fn cpu_time_ends_with_sigxcpu() {
        let t = Instant::now();
        let hits = confined(tiny(), "while :; do :; done");
        assert_eq!(hits, [Limit::CpuTime]);
        assert!(t.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn a_large_file_is_refused() {
        let hits = confined(tiny(), "head -c 2000000 /dev/zero > big");
        assert_eq!(hits, [Limit::FileSize]);
    }

    #[test]
    fn within_limits_nothing_is_hit() {
        assert!(confined(tiny(), "echo hello > small; sleep 0 & wait").is_empty());
    }
}

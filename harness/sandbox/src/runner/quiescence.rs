//! Waits and quiescence: a wait ends when its condition holds, the
//! programs are gone, the world is quiescent (nothing will happen without
//! the harness, from /proc) or at its safety-net deadline.

use super::{End, OnQuiet, World, SAMPLE};
use crate::transcript::{Actor, Event, ProcView};
use crate::world::procfs::ProcState;
use crate::world::{procfs, pty, waits};
use std::time::{Duration, Instant};

/// What held the programs up, at one moment (see `World::held_up`).
struct HeldUp {
    /// Per live process: ns waited for a CPU.
    queued: Vec<(i32, u64)>,
    /// Per cgroup: µs of CPU or disk stall.
    stalled: Vec<(std::path::PathBuf, u64)>,
}

impl World<'_> {
    /// Waits until `cond` holds, every program is gone, the world is
    /// quiescent (with `OnQuiet::End`), or the deadline passes.
    pub(super) fn wait(
        &mut self,
        within: Duration,
        on_quiet: OnQuiet,
        cond: impl Fn(&Self) -> bool,
    ) -> End {
        let started = Instant::now();
        let mut deadline = started + within;
        let held0 = self.held_up();
        self.last_sample = None;
        loop {
            if self.pump(Duration::ZERO) {
                // Bytes moved since the last look: quiescence starts over.
                self.last_sample = None;
            }
            if cond(self) {
                return End::Met;
            }
            // Terminals closed and first processes reaped is not yet the
            // end: a process closes its files before it finishes exiting
            // (a q4 child still exiting was taken for an orphan).
            if self.all_gone()
                && self
                    .world_procs()
                    .iter()
                    .all(|p| p.state == ProcState::Zombie)
            {
                // What they sent before exiting (a FIN, last bytes) is in
                // the harness's sockets by now: read it before concluding.
                self.pump(Duration::ZERO);
                if cond(self) {
                    return End::Met;
                }
                return End::Gone;
            }
            let now = Instant::now();
            if now >= deadline {
                // Time a program spent waiting for a CPU or the disk is not
                // its own to lose: on a loaded machine (a CI runner, a class
                // batch) the deadline moves by it, up to the step's deadline
                // again.
                let later = started + within + self.starved_since(&held0).min(within);
                if later > now {
                    deadline = later;
                    continue;
                }
                self.push(Actor::Harness, Event::Deadline);
                return End::Deadline;
            }
            let active = self.pump(SAMPLE.min(deadline - now));
            if cond(self) {
                return End::Met;
            }
            if active {
                // Something happened: quiescence starts over.
                self.last_sample = None;
            } else if on_quiet == OnQuiet::End && self.quiescent() {
                // What a program left on its terminal without a newline is
                // on the screen all the same ("\nUser > trois" redraws).
                if self.flush_visible() && cond(self) {
                    return End::Met;
                }
                self.push(Actor::Harness, Event::Quiescent);
                if self.cfg.trace_states {
                    self.snapshot();
                }
                return End::Quiescent;
            }
        }
    }

    /// For a demo (`trace_states`), before the keyboard is used: waits
    /// until the world is quiescent and records what every process waits
    /// in, so that the lecture sees who waits for whom before each turn.
    /// At most `within`; unlike `wait`, reaching it records nothing (no
    /// step depends on this wait, and nothing is judged on it).
    pub(super) fn settle_for_demo(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        self.last_sample = None;
        loop {
            if self.pump(Duration::ZERO) {
                self.last_sample = None;
            }
            let now = Instant::now();
            if self.all_gone() || now >= deadline {
                return;
            }
            if self.pump(SAMPLE.min(deadline - now)) {
                self.last_sample = None;
            } else if self.quiescent() {
                self.push(Actor::Harness, Event::Quiescent);
                self.snapshot();
                return;
            }
        }
    }

    /// How long the programs have been held up by the machine so far:
    /// each live process's wait for a CPU, and each cgroup's stall time
    /// (which counts short-lived processes too: an interpreter's launcher
    /// scripts, a compiler).
    fn held_up(&self) -> HeldUp {
        HeldUp {
            queued: self
                .live_pids()
                .into_iter()
                .map(|pid| (pid, procfs::cpu_ns(&[pid]).queued))
                .collect(),
            stalled: self
                .progs
                .iter()
                .filter_map(|p| p.cg.as_ref())
                .map(|cg| (cg.dir().to_path_buf(), cg.stalled_us()))
                .collect(),
        }
    }

    /// The longest a live process or a cgroup of the programs was held up
    /// since `earlier` (one that started since: all of it).
    fn starved_since(&self, earlier: &HeldUp) -> Duration {
        let now = self.held_up();
        let queued = now
            .queued
            .iter()
            .map(|(pid, q)| {
                let before = earlier
                    .queued
                    .iter()
                    .find(|(p, _)| p == pid)
                    .map_or(0, |e| e.1);
                q.saturating_sub(before)
            })
            .max()
            .unwrap_or(0);
        let stalled = now
            .stalled
            .iter()
            .map(|(dir, us)| {
                let before = earlier
                    .stalled
                    .iter()
                    .find(|(d, _)| d == dir)
                    .map_or(0, |e| e.1);
                us.saturating_sub(before)
            })
            .max()
            .unwrap_or(0);
        Duration::from_nanos(queued).max(Duration::from_micros(stalled))
    }

    /// `wait`, ending at quiescence, recording the CPU the programs burnt.
    pub(super) fn wait_cpu(&mut self, within: Duration, cond: impl Fn(&Self) -> bool) -> End {
        let pids: Vec<i32> = self.live_pids();
        let cpu0 = procfs::cpu_ns(&pids);
        let by_program0 = self.cpu_by_program();
        let t0 = Instant::now();
        let end = self.wait(within, OnQuiet::End, cond);
        if end != End::Met {
            let used = procfs::cpu_ns(&self.live_pids()).since(cpu0);
            let window = t0.elapsed();
            // With two programs, the sample is told as the one that was
            // runnable longest: a busy loop belongs to the program that
            // owns it (a server's forked child is the server's).
            let owner = if by_program0.len() > 1 {
                self.cpu_by_program()
                    .into_iter()
                    .map(|(a, now)| {
                        let before = by_program0.iter().find(|(b, _)| *b == a).map(|e| e.1);
                        (a, before.map_or(now, |b| now.since(b)))
                    })
                    .max_by_key(|(_, c)| c.run + c.queued)
                    .map_or(Actor::Harness, |(a, _)| a)
            } else {
                Actor::Harness
            };
            self.push(
                owner,
                Event::Cpu {
                    used_ms: used.run as f64 / 1e6,
                    runnable_ms: (used.run + used.queued) as f64 / 1e6,
                    window_ms: window.as_secs_f64() * 1e3,
                },
            );
        }
        end
    }

    /// The CPU of each program's live processes so far.
    fn cpu_by_program(&self) -> Vec<(Actor, procfs::CpuNs)> {
        let mut out: Vec<(Actor, procfs::CpuNs)> = Vec::new();
        for p in &self.progs {
            let pids: Vec<i32> = p.procs().iter().map(|q| q.pid).collect();
            let c = procfs::cpu_ns(&pids);
            match out.iter_mut().find(|(a, _)| *a == p.actor) {
                Some((_, t)) => {
                    t.run += c.run;
                    t.queued += c.queued;
                }
                None => out.push((p.actor, c)),
            }
        }
        out
    }

    /// Nothing will happen without the harness: every process sleeps in a
    /// waiting call (none in a timed sleep not yet due), no CPU time moved
    /// since the last sample, nothing queued on the namespace's sockets.
    /// Needs two samples in a row.
    pub(super) fn quiescent(&mut self) -> bool {
        let procs = self.world_procs();
        if procs.is_empty() {
            self.last_sample = None;
            return false;
        }
        let waiting = procfs::all_waiting(&procs, &mut self.sleeps) && !self.input_undelivered();
        let pids: Vec<i32> = procs.iter().map(|p| p.pid).collect();
        let cpu = procfs::cpu_ns(&pids);
        // The table only when it can matter: reading it is most of a
        // sample's cost (0.5 ms), and a program that runs or sleeps on a
        // timer is sampled until its deadline.
        let queues_empty = !self.tr.isolated
            || (waiting
                && procfs::tcp_sockets().iter().all(procfs::TcpSocket::idle)
                && self.client_namespace_idle());
        let sample = (pids, cpu);
        let same = self.last_sample.as_ref() == Some(&sample);
        self.last_sample = waiting.then_some(sample);
        waiting && queues_empty && same
    }

    /// Whether a task that sleeps reading its terminal has not run since the
    /// harness last typed: the typed bytes are still on their way to it.
    fn input_undelivered(&self) -> bool {
        self.typed_at.iter().any(|&(pid, tid, slices)| {
            procfs::reads_terminal(pid, tid) && procfs::task_timeslices(pid, tid) == Some(slices)
        }) || self.line_waits_for_reader()
    }

    /// A typed line is ready on a program's terminal while one of its
    /// tasks sleeps reading that terminal: the reader is about to wake (on a
    /// loaded machine the kernel worker that hands typed bytes over can run
    /// late).
    fn line_waits_for_reader(&self) -> bool {
        self.progs.iter().any(|p| {
            let Some(m) = &p.master else { return false };
            let readers = p.procs().iter().any(|q| {
                procfs::tasks(q.pid)
                    .into_iter()
                    .any(|tid| procfs::reads_terminal(q.pid, tid))
            });
            readers && pty::line_ready(m)
        })
    }

    /// Nothing queued on the sockets of the client's own namespace.
    fn client_namespace_idle(&self) -> bool {
        if self.relay.is_none() {
            return true;
        }
        let Some(pid) = self
            .progs
            .iter()
            .rev()
            .find(|p| p.actor == Actor::Client && p.root_status.is_none())
            .map(|p| p.pid)
        else {
            return true;
        };
        procfs::tcp_sockets_at(&format!("/proc/{pid}"))
            .iter()
            .all(procfs::TcpSocket::idle)
    }

    /// Records what every process of the programs waits in, zombies
    /// included (a full /proc scan: only when a scenario stalls or checks
    /// the process tree).
    pub(super) fn snapshot(&mut self) {
        if matches!(self.tr.entries.last(), Some(e) if matches!(e.event, Event::Snapshot(_))) {
            return;
        }
        if let Some(views) = self.views() {
            self.push(Actor::Harness, Event::Snapshot(views));
        }
    }

    /// What every process of every program waits on now (`None`: no
    /// program has a process left).
    pub(super) fn views(&self) -> Option<Vec<ProcView>> {
        let mut programs: Vec<(Actor, Vec<procfs::Proc>)> = Vec::new();
        for p in &self.progs {
            let mut roots: Vec<i32> = p.procs().iter().map(|q| q.pid).collect();
            roots.push(p.pid);
            let procs = procfs::tree(&roots);
            if !procs.is_empty() {
                programs.push((p.actor, procs));
            }
        }
        if programs.is_empty() {
            return None;
        }
        let pair = self.pair;
        Some(waits::snapshot(&programs, |a| match a.other_program() {
            Some(other) if pair => other,
            _ => Actor::Peer,
        }))
    }
}

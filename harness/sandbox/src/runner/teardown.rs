//! Teardown: end of input, then SIGTERM, a short grace, SIGKILL; the
//! peer's connections closed so that nothing lingers on the port.

use super::{Prog, Steps, World, LISTEN_BACKOFF, SAMPLE};
use crate::expect;
use crate::scenario::{Scenario, Side};
use crate::transcript::{Actor, Event};
use crate::world::reaper;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::time::{Duration, Instant};

impl World<'_> {
    /// Ends the scenario: end of input for a program still running (what it
    /// sends or prints then is recorded), then SIGTERM, a short grace, SIGKILL.
    pub(super) fn teardown(&mut self, s: &Scenario, steps: Steps) {
        self.push(Actor::Harness, Event::Teardown);
        let actor = expect::side_actor(s);
        // After a failure, what the program does at end of input explains
        // it (lines sent only then: `sent-late`).
        if steps == Steps::Failed
            && !self.prog_gone(actor)
            && self
                .progs
                .iter()
                .any(|p| p.actor == actor && p.master.is_some())
        {
            self.type_bytes(actor, b"\x04", Event::TypedEof);
            let grace = Duration::from_millis(300).mul_f64(self.cfg.timeout_scale.max(0.1));
            self.grace_wait(grace);
        }
        if !self.tr.isolated {
            self.peer.arm_resets();
            if self.pair {
                // The programs talk directly on the host's port: the
                // client ends first, so the closing side that lingers
                // (TIME_WAIT) is its own, not the server's on the port.
                self.kill(Some(Actor::Client));
            }
        }
        self.kill_all();
        self.end_inits();
        // A status the init reported as it ended is recorded now.
        self.pump(Duration::ZERO);
        self.reaped = true;
        self.note_limits();
        self.peer.clear();
        self.relay = None;
    }

    /// After a fault of the grader: every process of the programs killed at
    /// once (the run is void: no grace) and reaped, with nothing of the
    /// event loop, the cgroups first (a process forking in a loop cannot
    /// outrun them).
    pub(super) fn kill_hard(&mut self) {
        self.reaped = true;
        let deadline = Instant::now() + Duration::from_secs(5);
        let live = self.live_pids();
        if !live.is_empty() {
            // Recorded without the event callback: it is part of the loop.
            let t = self.now();
            self.tr
                .push(t, Actor::Harness, Event::Killed { pids: live.clone() });
        }
        loop {
            for p in &self.progs {
                if let Some(cg) = &p.cg {
                    cg.kill();
                }
            }
            let left = self.live_pids();
            for &pid in &left {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
            reaper::reap();
            if left.is_empty() || Instant::now() >= deadline {
                break;
            }
            // The /proc sampling period, as in every wait of the runner.
            std::thread::park_timeout(SAMPLE);
        }
        self.end_inits();
        for p in &mut self.progs {
            p.master = None;
            if p.root_status.is_none() {
                p.root_status = reaper::take(p.pid);
            }
        }
    }

    /// Ends the init of each program's pid namespace (whatever is left in
    /// it dies with it) and reaps it, its program's status recorded first.
    fn end_inits(&mut self) {
        for p in &mut self.progs {
            p.collect_reported();
            if let Some(init) = p.init.take() {
                crate::world::spawn::end(init);
            }
        }
    }

    /// The teardown's wait after end of input: until every program is gone,
    /// the world is quiescent, or `within` passed, as `wait` would, but
    /// sampled with the listener wait's backoff (any output or exit starts
    /// it over): a program that runs on, or sleeps on a timer, is looked at
    /// about 15 times in 300 ms instead of 300.
    fn grace_wait(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        self.last_sample = None;
        let mut pause = SAMPLE;
        loop {
            self.pump(Duration::ZERO);
            if self.all_gone() {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                self.push(Actor::Harness, Event::Deadline);
                return;
            }
            if self.pump(pause.min(deadline - now)) {
                self.last_sample = None;
                pause = SAMPLE;
            } else if self.quiescent() {
                self.push(Actor::Harness, Event::Quiescent);
                if self.cfg.trace_states {
                    self.snapshot();
                }
                return;
            } else {
                pause = (pause * 2).min(LISTEN_BACKOFF);
            }
        }
    }

    /// The program at the other end of the peer's connection closed it
    /// (or it broke): see `Peer::program_closed`.
    pub(super) fn end_stream(&mut self) {
        let server = self.progs.last().is_none_or(|p| p.actor == Actor::Server);
        let program = if server { Side::Server } else { Side::Client };
        self.peer.program_closed(program);
    }

    /// Every process of every program: SIGTERM, a short grace, SIGKILL, reaped.
    pub(super) fn kill_all(&mut self) {
        self.kill(None);
    }

    /// `kill_all`, or only the processes of `only`'s program.
    pub(super) fn kill(&mut self, only: Option<Actor>) {
        let mine = |p: &Prog| only.is_none_or(|a| p.actor == a);
        let pids = |w: &Self| -> Vec<i32> {
            match only {
                None => w.live_pids(),
                Some(_) => w
                    .progs
                    .iter()
                    .filter(|p| mine(p))
                    .flat_map(Prog::procs)
                    .map(|q| q.pid)
                    .collect(),
            }
        };
        let live = pids(self);
        if live.is_empty() {
            self.pump(Duration::ZERO);
            return;
        }
        self.push(Actor::Harness, Event::Killed { pids: live.clone() });
        for &pid in &live {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            let _ = kill(Pid::from_raw(pid), Signal::SIGCONT);
        }
        let grace = Instant::now() + Duration::from_millis(100);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            self.pump(Duration::from_millis(1));
            let left: Vec<i32> = pids(self);
            if left.is_empty() {
                break;
            }
            // Again while any is left: without a cgroup.kill, a process
            // may fork between the listing and the kill.
            if Instant::now() >= grace {
                // A cgroup is killed as a whole: a process forking in a
                // loop cannot outrun it.
                for p in self.progs.iter().filter(|p| mine(p)) {
                    if let Some(cg) = &p.cg {
                        cg.kill();
                    }
                }
                for &pid in &left {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        for p in self.progs.iter_mut().filter(|p| mine(p)) {
            p.master = None;
        }
    }
}

//! The runner: drives a world through a scenario's steps and records every
//! event in a transcript. It waits on events (terminal output, socket bytes,
//! exits, quiescence from /proc); deadlines are safety nets only. It never
//! prints and never judges beyond "can I stop waiting".
//!
//! In stages: `step` interprets each action, `connect` makes the peer's and
//! the relay's connections, `poll` is the loop that reads what arrives,
//! `output` records it within its caps, `quiescence` decides when a wait
//! ends, `teardown` ends the programs. The world itself (programs, peer,
//! relay, /proc) is `crate::world`.

use crate::fault;
use crate::scenario::{Action, Scenario};
use crate::transcript::{Actor, Entry, Event, Exit, Transcript};
use crate::world::cgroup::Cgroup;
use crate::world::limits::{Jail, OutputCap};
use crate::world::peer::{Net, Peer};
use crate::world::procfs::ProcState;
use crate::world::program::Prepared;
use crate::world::relay::Relay;
use crate::world::sleeps::Sleeps;
use crate::world::{interrupt, netns, procfs, sockdiag};
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

mod connect;
mod output;
mod poll;
mod quiescence;
mod step;
mod teardown;

/// What a run needs beyond the scenario.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub server: Option<Prepared>,
    pub client: Option<Prepared>,
    pub port: u16,
    pub timeout_scale: f64,
    /// Each scenario in its own network namespace (see `world::netns`).
    pub isolated: bool,
    /// Record what every process waits in at each quiescence (demos).
    pub trace_states: bool,
    /// The sandbox every program starts in (see `world::spawn`).
    pub sandbox: crate::world::layers::Layers,
}

/// Pause between two /proc samples while waiting.
const SAMPLE: Duration = Duration::from_millis(1);
/// While waiting for a listener, the pause between two looks at the TCP
/// table doubles from `SAMPLE` up to this while nothing happens (any output
/// or exit starts it over): nothing signals "now listening", and a server
/// that never listens must not cost the machine a core.
const LISTEN_BACKOFF: Duration = Duration::from_millis(32);
/// At most this many `connect()` calls in one scenario: the peer connects
/// only once the table shows a listener (each refused call costs the kernel
/// a socket, a SYN and a reset).
pub const CONNECT_CALLS: u32 = 100;

struct Prog {
    actor: Actor,
    pid: i32,
    master: Option<OwnedFd>,
    partial: Vec<u8>,
    output: OutputCap,
    root_status: Option<Exit>,
    /// Its own cgroup, where the machine allows: all its processes, however
    /// they detach. Without one, its processes are found by /proc scans.
    cg: Option<Cgroup>,
    /// Its limits (see `world::limits`).
    jail: Jail,
    /// Its pid namespace's init, which reaps it and reports its end.
    init: Option<crate::world::spawn::Init>,
}

impl Prog {
    /// How the program ended, if its init reported it, into the reaper's
    /// book (where `record_exits` finds every program's).
    fn collect_reported(&self) {
        if let Some(st) = self
            .init
            .as_ref()
            .and_then(crate::world::spawn::program_status)
        {
            crate::world::reaper::record(self.pid, st);
        }
    }

    fn gone(&self) -> bool {
        self.master.is_none() && self.root_status.is_some()
    }

    /// Every live process of the program (zombies included where seen).
    fn procs(&self) -> Vec<procfs::Proc> {
        match &self.cg {
            Some(cg) => cg.pids().into_iter().filter_map(procfs::stat).collect(),
            None => match self.jail.pids() {
                Some(pids) => pids.into_iter().filter_map(procfs::stat).collect(),
                None => procfs::tree(&[self.pid]),
            },
        }
    }
}

struct World<'a> {
    cfg: &'a RunConfig,
    t0: Instant,
    tr: Transcript,
    progs: Vec<Prog>,
    /// The harness's own TCP end.
    peer: Peer,
    dir: tempfile::TempDir,
    last_sample: Option<(Vec<i32>, procfs::CpuNs)>,
    /// Sees every TCP SYN in the namespace: where a client tries to connect.
    sniff: Option<OwnedFd>,
    seen_syn: Vec<u16>,
    /// `connect()` calls the peer made so far (at most `CONNECT_CALLS`).
    connect_calls: u32,
    /// Times each task of the programs had run when input was last typed:
    /// a task asleep reading its terminal that has not run since has not
    /// been handed that input yet (the pty delivers it from a kernel worker).
    typed_at: Vec<(i32, i32, u64)>,
    /// When each timed sleep of the programs was first seen: it may end by
    /// itself, so the world is not quiescent before it is due.
    sleeps: Sleeps,
    /// Pair scenarios: both programs are graded, each other's peer.
    pair: bool,
    relay: Option<Relay>,
    /// Caps on what the programs send: to the harness's peer, and through
    /// the relay from the client and from the server (see `OutputCap`).
    received: OutputCap,
    relayed: [OutputCap; 2],
    on_event: &'a (dyn Fn(&Entry) + Sync),
    /// The grader's own fault that stopped the steps (the run is `Err`).
    fault: Option<RunError>,
    /// Every process of the programs was killed and reaped.
    reaped: bool,
}

/// Whether step `i` is the first of a run of keyboard steps (typed lines,
/// Ctrl-D): where a demo shows what each process waits in first. Lines
/// typed together (both sides of a duplex chat) stay together.
fn starts_typing(s: &Scenario, i: usize) -> bool {
    let typing = |k: usize| matches!(s.steps[k].action, Action::Type(_) | Action::Eof);
    typing(i) && (i == 0 || !typing(i - 1))
}

/// Whether quiescence ends a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnQuiet {
    End,
    /// Wait on (for a condition only the deadline may cut short).
    Wait,
}

/// How the steps ended, for the teardown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Steps {
    Completed,
    /// One failed: an expectation was not met or the step could not be done.
    Failed,
    /// A fault of the grader stopped them (see `World::fault`).
    Faulted,
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Met,
    Quiescent,
    Gone,
    Deadline,
}

/// The grader's own faults in one scenario's run, never the student's: the
/// scenario ends as `error` and the others still run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot create a network namespace: {0}")]
    Namespace(#[source] std::io::Error),
    #[error("cannot create a working directory: {0}")]
    ScratchDir(#[source] std::io::Error),
    #[error("the peer cannot listen on port {port}: {source}")]
    PeerListen {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the client's network namespace: {0}")]
    ClientNamespace(#[source] std::io::Error),
    /// Without namespaces: another process on the host's port.
    #[error(transparent)]
    PortBusy(#[from] sockdiag::PortBusy),
    #[error("the runner panicked: {0}")]
    Panicked(#[from] fault::Panic),
}

impl RunError {
    /// The diagnosis code of the `error` it ends in: the machine grade runs
    /// on, or a bug of grade itself.
    pub fn code(&self) -> grade_core::diagnosis::Code {
        match self {
            RunError::Panicked(_) => grade_core::diagnosis::Code::InternalError,
            _ => grade_core::diagnosis::Code::Environment,
        }
    }
}

/// A run the grader could not complete: why, and what was recorded until
/// then. Its programs were killed and reaped all the same.
#[derive(Debug)]
pub struct Aborted {
    pub error: RunError,
    pub transcript: Transcript,
}

/// Runs one scenario to its end and returns what happened. Call it on a
/// thread of its own: with isolation, the thread moves into a new network
/// namespace for good. A fault of the grader (see `RunError`), a panic
/// included, is an `Err`; whatever the programs did is in the transcript.
pub fn run(
    s: &Scenario,
    cfg: &RunConfig,
    on_event: &(dyn Fn(&Entry) + Sync),
) -> Result<Transcript, Aborted> {
    let mut tr = Transcript {
        isolated: cfg.isolated,
        port: Some(cfg.port),
        ..Transcript::default()
    };
    let abort = |error, transcript| Aborted { error, transcript };
    let (dir, _tracked) = match set_up(s, cfg, &mut tr) {
        Ok(place) => place,
        Err(error) => return Err(abort(error, tr)),
    };
    let mut w = World::new(s, cfg, tr, dir, on_event);
    if let Err(panic) = fault::catch(|| w.run_steps(s)) {
        // The world may be half-updated: its programs are killed without
        // the event loop, which may be what failed.
        w.kill_hard();
        return Err(abort(RunError::Panicked(panic), std::mem::take(&mut w.tr)));
    }
    let tr = std::mem::take(&mut w.tr);
    match w.fault.take() {
        Some(error) => Err(abort(error, tr)),
        None => Ok(tr),
    }
}

/// Where a run takes place: with isolation, a network namespace of its
/// own (entered for good); a fresh working directory, removed if `grade`
/// is interrupted; without isolation, the host's port free.
fn set_up(
    s: &Scenario,
    cfg: &RunConfig,
    tr: &mut Transcript,
) -> Result<(tempfile::TempDir, interrupt::Tracked), RunError> {
    if cfg.isolated {
        if let Err(e) = netns::enter_new() {
            tr.isolated = false;
            return Err(RunError::Namespace(e));
        }
    }
    let dir = if fault::injected(fault::Stage::Scratch, &s.id) {
        Err(std::io::Error::other(fault::INJECTED))
    } else {
        tempfile::Builder::new()
            .prefix(&interrupt::scratch_prefix("grade"))
            .tempdir()
    };
    let dir = dir.map_err(RunError::ScratchDir)?;
    let tracked = interrupt::track_dir(dir.path());
    if let Some((uid, gid)) = cfg.sandbox.identity {
        // Its working directory is the program's to write, as `nobody`.
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).map_err(RunError::ScratchDir)?;
    }
    if !cfg.isolated {
        // The host's port: another program on it would be graded instead
        // of the student's (or make its bind fail).
        sockdiag::port_free(cfg.port)?;
    }
    Ok((dir, tracked))
}

/// Whatever ends a run (a panic unwinding past it included), no process
/// of its programs outlives it.
impl Drop for World<'_> {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill_hard();
        }
    }
}
impl<'a> World<'a> {
    fn new(
        s: &Scenario,
        cfg: &'a RunConfig,
        tr: Transcript,
        dir: tempfile::TempDir,
        on_event: &'a (dyn Fn(&Entry) + Sync),
    ) -> World<'a> {
        let net = if cfg.isolated {
            Net::Isolated
        } else {
            Net::Host
        };
        World {
            cfg,
            t0: Instant::now(),
            tr,
            progs: Vec::new(),
            peer: Peer::new(cfg.port, net),
            dir,
            last_sample: None,
            sniff: if cfg.isolated {
                netns::syn_sniffer().ok()
            } else {
                None
            },
            seen_syn: Vec::new(),
            connect_calls: 0,
            typed_at: Vec::new(),
            sleeps: Sleeps::default(),
            pair: s.role == crate::scenario::Role::Pair,
            relay: None,
            received: OutputCap::segments(),
            relayed: [OutputCap::segments(), OutputCap::segments()],
            on_event,
            fault: None,
            reaped: false,
        }
    }
}

impl World<'_> {
    /// The steps in order until one fails, then the teardown.
    fn run_steps(&mut self, s: &Scenario) {
        let mut steps = Steps::Completed;
        for (i, step) in s.steps.iter().enumerate() {
            self.push(Actor::Harness, Event::Step(i));
            let within = step.within.mul_f64(self.cfg.timeout_scale.max(0.1));
            if self.cfg.trace_states && starts_typing(s, i) {
                self.settle_for_demo(within);
            }
            if !self.step(s, i, &step.action, within) {
                steps = Steps::Failed;
                // What every process waits in explains a stalled scenario.
                self.snapshot();
                break;
            }
        }
        fault::inject(fault::Stage::Runner, &s.id);
        // After a fault, what the program does at end of input explains nothing.
        if self.fault.is_some() {
            steps = Steps::Faulted;
        }
        self.teardown(s, steps);
    }

    fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    /// Records an event; the caller's `on_event` sees it as it happens
    /// (progress, `grade demo`) and may block (a paused demo).
    fn push(&mut self, actor: Actor, event: Event) {
        let t = self.now();
        self.tr.push(t, actor, event);
        if let Some(e) = self.tr.entries.last() {
            (self.on_event)(e);
        }
    }

    fn prog_mut(&mut self, actor: Actor) -> Option<&mut Prog> {
        self.progs.iter_mut().rev().find(|p| p.actor == actor)
    }

    fn prog_gone(&self, actor: Actor) -> bool {
        self.progs
            .iter()
            .rev()
            .find(|p| p.actor == actor)
            .is_none_or(|p| p.gone() && p.procs().iter().all(|q| q.state == ProcState::Zombie))
    }

    fn all_gone(&self) -> bool {
        self.progs.iter().all(Prog::gone)
    }

    /// Every live process of every program.
    fn world_procs(&self) -> Vec<procfs::Proc> {
        let mut all: Vec<procfs::Proc> = self.progs.iter().flat_map(Prog::procs).collect();
        // Without a cgroup, what left its session and lost its parent is
        // still in the scenario's network namespace.
        if self.tr.isolated && self.progs.iter().any(|p| p.cg.is_none()) {
            let inits: Vec<i32> = self
                .progs
                .iter()
                .filter_map(|p| p.init.as_ref().map(|i| i.pid))
                .collect();
            all.extend(
                netns::processes_here()
                    .into_iter()
                    .filter(|pid| !inits.contains(pid))
                    .filter_map(procfs::stat),
            );
        }
        all.sort_by_key(|p| p.pid);
        all.dedup_by_key(|p| p.pid);
        all
    }

    fn live_pids(&self) -> Vec<i32> {
        self.world_procs().into_iter().map(|p| p.pid).collect()
    }

    /// The grader's own environment failed (the run ends `Err`, judged
    /// `error`, never the student's fault); the step cannot go on.
    fn environment_failed(&mut self, error: RunError) -> bool {
        self.fault.get_or_insert(error);
        false
    }
}

//! The runner: drives a world through a scenario's steps and records every
//! event in a transcript. It waits on events (terminal output, socket bytes,
//! exits, quiescence from /proc); deadlines are safety nets only. It never
//! prints and never judges beyond "can I stop waiting".

use crate::expect;
use crate::fault;
use crate::scenario::{Action, ExitKind, Pace, Scenario, Side};
use crate::transcript::{Actor, Data, Entry, Event, Transcript};
use crate::world::cgroup::Cgroup;
use crate::world::limits::{self, Jail, Limits, Offer, OutputCap};
use crate::world::program::{environment, Prepared};
use crate::world::sleeps::Sleeps;
use crate::world::{interrupt, netns, procfs, pty, reaper, sockdiag, waits};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

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
}

/// A line that never ends is cut here (captured output: `OutputCap`), in
/// pieces small enough that the head of the output keeps its beginning.
const OUTPUT_CAP: usize = 64 * 1024;
/// Bytes read from one socket in one go: a program that sends as fast as
/// the harness reads must not keep it from its deadlines.
const SOCKET_READ_BUDGET: usize = 1 << 20;
/// Pause between two /proc samples while waiting.
const SAMPLE: Duration = Duration::from_millis(1);
/// Poll owners of the relay's two connections.
const RELAY_DOWN: usize = usize::MAX - 1;
const RELAY_UP: usize = usize::MAX - 2;
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
    root_status: Option<reaper::Status>,
    /// Its own cgroup, where the machine allows: all its processes, however
    /// they detach. Without one, its processes are found by /proc scans.
    cg: Option<Cgroup>,
    /// Its limits (see `world::limits`).
    jail: Jail,
}

impl Prog {
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
    listener: Option<TcpListener>,
    stream: Option<TcpStream>,
    /// Connections of a program that was restarted, kept open on the
    /// peer's side until the scenario ends (see `Action::Restart`).
    held: Vec<TcpStream>,
    /// The connection the program closed (or half-closed): no longer read,
    /// still open on the peer's side until a `close` step or the teardown.
    half: Option<TcpStream>,
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

/// The harness on the wire of a pair scenario: the client lives in a
/// namespace of its own where the harness listens on the port, and every
/// byte goes through the harness to the server (and back), recorded.
struct Relay {
    /// The client's namespace (joined before exec).
    ns: OwnedFd,
    listener: TcpListener,
    /// The client's connection, in its namespace.
    down: Option<TcpStream>,
    /// The harness's connection to the server.
    up: Option<TcpStream>,
    /// Directions that ended: client → server, server → client.
    down_eof: bool,
    up_eof: bool,
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
    if cfg.isolated {
        if let Err(e) = netns::enter_new() {
            tr.isolated = false;
            return Err(abort(RunError::Namespace(e), tr));
        }
    }
    let dir = if fault::injected(fault::Stage::Scratch, &s.id) {
        Err(std::io::Error::other(fault::INJECTED))
    } else {
        tempfile::Builder::new()
            .prefix(&interrupt::scratch_prefix("grade"))
            .tempdir()
    };
    let dir = match dir {
        Ok(d) => d,
        Err(e) => return Err(abort(RunError::ScratchDir(e), tr)),
    };
    let _tracked = interrupt::track_dir(dir.path());
    if !cfg.isolated {
        // The host's port: another program on it would be graded instead
        // of the student's (or make its bind fail).
        if let Err(e) = sockdiag::port_free(cfg.port) {
            return Err(abort(RunError::PortBusy(e), tr));
        }
    }
    let mut w = World {
        cfg,
        t0: Instant::now(),
        tr,
        progs: Vec::new(),
        listener: None,
        stream: None,
        held: Vec::new(),
        half: None,
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
    };
    let body = fault::catch(|| {
        let mut failed = false;
        for (i, step) in s.steps.iter().enumerate() {
            w.push(Actor::Harness, Event::Step(i));
            let within = step.within.mul_f64(cfg.timeout_scale.max(0.1));
            if !w.step(s, i, &step.action, within) {
                failed = true;
                // What every process waits in explains a stalled scenario.
                w.snapshot();
                break;
            }
        }
        fault::inject(fault::Stage::Runner, &s.id);
        // After a fault, what the program does at end of input explains nothing.
        let failed = failed && w.fault.is_none();
        w.teardown(s, failed);
    });
    if let Err(panic) = body {
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

/// Whatever ends a run (a panic unwinding past it included), no process
/// of its programs outlives it.
impl Drop for World<'_> {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill_hard();
        }
    }
}

impl World<'_> {
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

    /// Runs one step; `false` stops the scenario (an expectation failed or
    /// the step could not be done).
    fn step(&mut self, s: &Scenario, i: usize, action: &Action, within: Duration) -> bool {
        let actor = expect::actor_of(s.step_side(i));
        match action {
            Action::Start(side) => self.start(*side),
            Action::Restart(side) => {
                let a = expect::actor_of(*side);
                // The peer stays connected while the server restarts, as
                // a user's socat would until it notices. Closing at once
                // would free its port number, and the peer's next connection
                // attempts, while the new server starts, could take it: a
                // SYN on the 4-tuple of the connection the old server left
                // in TIME_WAIT ends that TIME_WAIT, and a server without
                // SO_REUSEADDR then binds again (quick-restart passing
                // `no-reuseaddr` about once in 50 runs under load).
                if let Some(st) = self.stream.take() {
                    self.held.push(st);
                }
                self.type_bytes(a, b"\x03", Event::Interrupted);
                self.wait(within, false, |w| w.prog_gone(a));
                self.kill_all();
                self.start(*side)
            }
            Action::Listen => match TcpListener::bind(("127.0.0.1", self.cfg.port)) {
                Ok(l) => {
                    let _ = l.set_nonblocking(true);
                    self.listener = Some(l);
                    true
                }
                Err(source) => self.environment_failed(RunError::PeerListen {
                    port: self.cfg.port,
                    source,
                }),
            },
            Action::Connect => self.connect(within),
            Action::Accept if self.relay.is_some() => self.relay_accept(within),
            Action::Accept if self.pair => self.pair_connected(within),
            Action::Accept => self.accept(within),
            Action::Relay => self.open_relay(within),
            Action::Send(segments, pace) => self.send(segments, *pace, actor, within),
            Action::Type(lines) => {
                for l in lines {
                    let mut b = l.clone().into_bytes();
                    b.push(b'\n');
                    self.type_bytes(actor, &b, Event::Typed(l.clone()));
                }
                true
            }
            Action::Settle => {
                self.wait(within, true, |w| w.consumed() && w.all_gone());
                true
            }
            Action::Eof => {
                self.type_bytes(actor, b"\x04", Event::TypedEof);
                true
            }
            Action::Interrupt => {
                self.type_bytes(actor, b"\x03", Event::Interrupted);
                true
            }
            Action::Close => {
                if let Some(st) = self.stream.take() {
                    self.close_stream(st);
                    self.push(Actor::Peer, Event::PeerClosed);
                } else if let Some(st) = self.half.take() {
                    // A server's connection it half-closed, on the host's
                    // port: reset, or the server's side of it would stay
                    // in TIME_WAIT on the port (see `end_stream`).
                    let reset = nix::sys::socket::sockopt::Linger;
                    let zero = libc::linger {
                        l_onoff: 1,
                        l_linger: 0,
                    };
                    let _ = nix::sys::socket::setsockopt(&st, reset, &zero);
                    drop(st);
                    self.push(Actor::Peer, Event::PeerClosed);
                }
                true
            }
            Action::ExpectPrinted(_) | Action::ExpectReceived(_) => {
                let end = self.wait_cpu(within, |w| expect::met(s, &w.tr, i, w.tr.entries.len()));
                end == End::Met
            }
            Action::ExpectExit(ExitKind::All) => {
                // With the CPU burnt: a process left spinning is a busy loop.
                self.wait_cpu(within, |w| w.prog_gone(actor));
                let gone = self.prog_gone(actor);
                if gone {
                    self.push(actor, Event::AllEnded);
                }
                gone
            }
            Action::ExpectExit(_) => {
                let end = self.wait_cpu(within, |w| w.prog_gone(actor));
                end == End::Met
            }
            Action::ExpectCalm(_) => {
                self.wait_cpu(within, |w| w.prog_gone(actor));
                true
            }
            Action::ExpectSilent => {
                // Ends when something is sent (a failure) or at quiescence.
                self.wait(within, true, |w| {
                    expect::sent_in(s, &w.tr, i, w.tr.entries.len())
                });
                !expect::sent_in(s, &self.tr, i, self.tr.entries.len())
            }
            Action::ExpectDeadlock => {
                let end = self.wait(within, true, |_| false);
                self.snapshot();
                end == End::Quiescent
            }
            Action::ExpectFork => {
                self.wait(within, true, |w| w.live_count(actor) >= 2);
                self.snapshot();
                self.live_count(actor) >= 2
            }
            Action::ExpectClosed => {
                let end = self.wait(within, true, |w| {
                    expect::met(s, &w.tr, i, w.tr.entries.len())
                });
                end == End::Met
            }
        }
    }

    fn start(&mut self, side: Side) -> bool {
        let actor = expect::actor_of(side);
        let prepared = match side {
            Side::Server => self.cfg.server.clone(),
            Side::Client => self.cfg.client.clone(),
        };
        let Some(prepared) = prepared else {
            self.push(
                Actor::Harness,
                Event::StartFailed {
                    code: "bad-program",
                    detail: format!("no {} program given", side.name()),
                },
            );
            return false;
        };
        match prepared {
            Prepared::Ready { argv, display } => {
                let env = environment(self.dir.path());
                let cg = Cgroup::create().ok();
                let join = pty::Join {
                    cgroup: cg.as_ref().map(Cgroup::join_fd),
                    netns: match (&self.relay, side) {
                        (Some(r), Side::Client) => Some(r.ns.as_raw_fd()),
                        _ => None,
                    },
                };
                let jail = Jail::new(Limits::scaled(self.cfg.timeout_scale), cg.as_ref());
                match pty::spawn(&argv, &env, self.dir.path(), join, jail.before_exec()) {
                    Ok(child) => {
                        self.push(
                            actor,
                            Event::Started {
                                pid: child.pid,
                                command: display,
                            },
                        );
                        self.last_sample = None;
                        self.progs.push(Prog {
                            actor,
                            pid: child.pid,
                            master: Some(child.master),
                            partial: Vec::new(),
                            output: OutputCap::default(),
                            root_status: None,
                            cg,
                            jail,
                        });
                        true
                    }
                    Err(e) => {
                        self.push(
                            actor,
                            Event::StartFailed {
                                code: "bad-program",
                                detail: format!("cannot start {display}: {e}"),
                            },
                        );
                        false
                    }
                }
            }
        }
    }

    fn prog_gone(&self, actor: Actor) -> bool {
        self.progs
            .iter()
            .rev()
            .find(|p| p.actor == actor)
            .is_none_or(|p| p.gone() && p.procs().iter().all(|q| q.state == 'Z'))
    }

    fn all_gone(&self) -> bool {
        self.progs.iter().all(Prog::gone)
    }

    fn type_bytes(&mut self, actor: Actor, bytes: &[u8], ev: Event) {
        let Some(p) = self.prog_mut(actor) else {
            return;
        };
        if p.master.is_none() {
            return;
        }
        // Only the program typed into receives the input.
        let target: Vec<procfs::Proc> = self
            .progs
            .iter()
            .filter(|p| p.actor == actor)
            .flat_map(Prog::procs)
            .collect();
        self.typed_at = procfs::timeslices(&target);
        let Some(p) = self.prog_mut(actor) else {
            return;
        };
        let Some(m) = p.master.as_ref() else { return };
        let r = pty::write_all(m, bytes);
        if r.is_ok() {
            // In the line discipline now, not whenever a kernel worker runs:
            // a reader that fell asleep just before is woken before the
            // harness next looks for quiescence.
            pty::deliver_typed(m);
            self.push(actor, ev);
        }
    }

    /// Waits until `cond` holds, every program is gone, the world is
    /// quiescent (when `quiet_ends`), or the deadline passes.
    fn wait(&mut self, within: Duration, quiet_ends: bool, cond: impl Fn(&Self) -> bool) -> End {
        let started = Instant::now();
        let mut deadline = started + within;
        let queued0 = self.queued_per_process();
        self.last_sample = None;
        loop {
            self.pump(Duration::ZERO);
            if cond(self) {
                return End::Met;
            }
            // Terminals closed and first processes reaped is not yet the
            // end: a process closes its files before it finishes exiting
            // (a q4 child still exiting was taken for an orphan).
            if self.all_gone() && self.world_procs().iter().all(|p| p.state == 'Z') {
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
                // Time a program spent waiting for a CPU is not its own to
                // lose: on a loaded machine (a CI runner, a class batch) the
                // deadline moves by it, up to the step's deadline again.
                let later = started + within + self.starved_since(&queued0).min(within);
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
            } else if quiet_ends && self.quiescent() {
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

    /// How long each live process of the programs has waited for a CPU
    /// (runnable, not running), in ns.
    fn queued_per_process(&self) -> Vec<(i32, u64)> {
        self.live_pids()
            .into_iter()
            .map(|pid| (pid, procfs::cpu_ns(&[pid]).queued))
            .collect()
    }

    /// The longest a live process waited for a CPU since `earlier` (one
    /// that started since: all its waiting).
    fn starved_since(&self, earlier: &[(i32, u64)]) -> Duration {
        let most = self
            .queued_per_process()
            .into_iter()
            .map(|(pid, q)| {
                let before = earlier.iter().find(|(p, _)| *p == pid).map_or(0, |e| e.1);
                q.saturating_sub(before)
            })
            .max()
            .unwrap_or(0);
        Duration::from_nanos(most)
    }

    /// `wait`, ending at quiescence, recording the CPU the programs burnt.
    fn wait_cpu(&mut self, within: Duration, cond: impl Fn(&Self) -> bool) -> End {
        let pids: Vec<i32> = self.live_pids();
        let cpu0 = procfs::cpu_ns(&pids);
        let t0 = Instant::now();
        let end = self.wait(within, true, cond);
        if end != End::Met {
            let used = procfs::cpu_ns(&self.live_pids()).since(cpu0);
            let window = t0.elapsed();
            self.push(
                Actor::Harness,
                Event::Cpu {
                    used_ms: used.run as f64 / 1e6,
                    runnable_ms: (used.run + used.queued) as f64 / 1e6,
                    window_ms: window.as_secs_f64() * 1e3,
                },
            );
        }
        end
    }

    /// Every live process of every program.
    fn world_procs(&self) -> Vec<procfs::Proc> {
        let mut all: Vec<procfs::Proc> = self.progs.iter().flat_map(Prog::procs).collect();
        // Without a cgroup, what left its session and lost its parent is
        // still in the scenario's network namespace.
        if self.tr.isolated && self.progs.iter().any(|p| p.cg.is_none()) {
            all.extend(netns::processes_here().into_iter().filter_map(procfs::stat));
        }
        all.sort_by_key(|p| p.pid);
        all.dedup_by_key(|p| p.pid);
        all
    }

    fn live_pids(&self) -> Vec<i32> {
        self.world_procs().into_iter().map(|p| p.pid).collect()
    }

    /// Nothing will happen without the harness: every process sleeps in a
    /// waiting call (none in a timed sleep not yet due), no CPU time moved
    /// since the last sample, nothing queued on the namespace's sockets.
    /// Needs two samples in a row.
    fn quiescent(&mut self) -> bool {
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

    /// Polls every terminal and socket of the world for up to `max`, and
    /// records what arrived; reaps exited processes. Whether anything
    /// happened (then the world was not quiescent).
    fn pump(&mut self, max: Duration) -> bool {
        let mut ready_masters = Vec::new();
        let mut stream_ready = false;
        {
            let mut fds: Vec<PollFd> = Vec::new();
            let mut owners: Vec<Option<usize>> = Vec::new();
            for (k, p) in self.progs.iter().enumerate() {
                if let Some(m) = &p.master {
                    fds.push(PollFd::new(m.as_fd(), PollFlags::POLLIN));
                    owners.push(Some(k));
                }
            }
            if let Some(st) = &self.stream {
                fds.push(PollFd::new(st.as_fd(), PollFlags::POLLIN));
                owners.push(None);
            }
            if let Some(sn) = &self.sniff {
                fds.push(PollFd::new(sn.as_fd(), PollFlags::POLLIN));
                owners.push(Some(usize::MAX));
            }
            if let Some(r) = &self.relay {
                if let (Some(d), false) = (&r.down, r.down_eof) {
                    fds.push(PollFd::new(d.as_fd(), PollFlags::POLLIN));
                    owners.push(Some(RELAY_DOWN));
                }
                if let (Some(u), false) = (&r.up, r.up_eof) {
                    fds.push(PollFd::new(u.as_fd(), PollFlags::POLLIN));
                    owners.push(Some(RELAY_UP));
                }
            }
            let timeout = PollTimeout::try_from(max.as_micros().div_ceil(1000).min(10_000) as u32)
                .unwrap_or(PollTimeout::MAX);
            let n = if fds.is_empty() {
                if !max.is_zero() {
                    // Nothing to watch (no terminal open, no socket): the
                    // pause is the /proc sampling period.
                    std::thread::park_timeout(max);
                }
                0
            } else {
                poll(&mut fds, timeout).unwrap_or(0)
            };
            if n > 0 {
                for (fd, owner) in fds.iter().zip(&owners) {
                    if fd.revents().is_some_and(|r| !r.is_empty()) {
                        match owner {
                            Some(k) => ready_masters.push(*k),
                            None => stream_ready = true,
                        }
                    }
                }
            }
        }
        let mut active = stream_ready || !ready_masters.is_empty();
        for k in ready_masters {
            if k == usize::MAX {
                self.read_sniffer();
            } else if k == RELAY_DOWN || k == RELAY_UP {
                self.relay_read(k == RELAY_DOWN);
            } else {
                self.read_terminal(k);
            }
        }
        if stream_ready {
            self.read_stream();
        }
        reaper::reap();
        for k in 0..self.progs.len() {
            if self.progs[k].root_status.is_none() {
                if let Some(st) = reaper::take(self.progs[k].pid) {
                    self.progs[k].root_status = Some(st);
                    active = true;
                    // Whatever it printed last is on the terminal by now.
                    self.read_terminal(k);
                    let (pid, actor) = (self.progs[k].pid, self.progs[k].actor);
                    self.push(
                        actor,
                        Event::Exited {
                            pid,
                            code: st.code,
                            signal: st.signal,
                        },
                    );
                }
            }
        }
        active
    }

    fn read_terminal(&mut self, k: usize) {
        let Some(m) = self.progs[k].master.as_ref() else {
            return;
        };
        let mut buf = Vec::new();
        let r = pty::read_available(m, &mut buf);
        self.take_output(k, &buf);
        if !matches!(r, Ok(Some(_))) {
            // The program side of the terminal is closed.
            self.progs[k].master = None;
            self.flush_partial(k);
        }
    }

    fn take_output(&mut self, k: usize, bytes: &[u8]) {
        // Only the new bytes are searched, and the partial line is moved
        // once per read: linear in what the program prints.
        let mut start = 0;
        for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'\n') {
            let mut line = std::mem::take(&mut self.progs[k].partial);
            line.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.printed(k, line, true);
        }
        self.progs[k].partial.extend_from_slice(&bytes[start..]);
        // A line that never ends must not grow without bound.
        if self.progs[k].partial.len() > OUTPUT_CAP {
            let line = std::mem::take(&mut self.progs[k].partial);
            self.printed(k, line, false);
        }
    }

    fn printed(&mut self, k: usize, raw: Vec<u8>, newline: bool) {
        let t = self.now();
        let p = &mut self.progs[k];
        let actor = p.actor;
        match p.output.offer(t, raw, newline) {
            Offer::Keep(raw) => self.push(actor, Event::Printed { raw, newline }),
            Offer::Over { first, runaway } => self.over_cap(actor, limits::OUTPUT, first, runaway),
        }
    }

    /// A stream of `actor`'s went past its cap: the limit is recorded once,
    /// and far past it the program is stopped rather than read on until
    /// the deadline.
    fn over_cap(&mut self, actor: Actor, limit: &'static str, first: bool, runaway: bool) {
        if runaway {
            for p in self.progs.iter().filter(|p| p.actor == actor) {
                if let Some(cg) = &p.cg {
                    cg.kill();
                }
                let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            }
        }
        if first {
            let max = (limits::OUTPUT_HEAD + limits::OUTPUT_TAIL) as u64;
            self.push(actor, Event::LimitHit { limit, max });
        }
    }

    /// After the programs ended: the limits they hit, and the tail of
    /// output that went past the cap (after a count of what was not kept).
    fn note_limits(&mut self) {
        for k in 0..self.progs.len() {
            let p = &mut self.progs[k];
            let actor = p.actor;
            let hits = p.jail.hits(p.root_status, self.dir.path());
            let (dropped, tail) = p.output.finish();
            for h in hits {
                let (limit, max) = (h.limit, h.max);
                self.push(actor, Event::LimitHit { limit, max });
            }
            self.record_tail(actor, Data::Printed, dropped, tail);
        }
        let (dropped, tail) = self.received.finish();
        self.record_tail(Actor::Peer, Data::Received, dropped, tail);
        for (k, actor) in [(0, Actor::Client), (1, Actor::Server)] {
            let (dropped, tail) = self.relayed[k].finish();
            self.record_tail(actor, Data::Relayed, dropped, tail);
        }
    }

    /// The end of a stream that went past its cap: the count of what was
    /// not kept, then the tail, with the times it came at.
    fn record_tail(
        &mut self,
        actor: Actor,
        of: Data,
        count: crate::transcript::Dropped,
        tail: Vec<limits::Held>,
    ) {
        if count.events > 0 {
            self.push(actor, Event::OutputDropped { of, count });
        }
        for l in tail {
            let ev = match of {
                Data::Printed => Event::Printed {
                    raw: l.raw,
                    newline: l.newline,
                },
                Data::Relayed => Event::Relayed(l.raw),
                _ => Event::Received(l.raw),
            };
            self.tr.push(l.t, actor, ev);
            if let Some(e) = self.tr.entries.last() {
                (self.on_event)(e);
            }
        }
    }

    /// Records what a program sent (to the peer: `Received`, through the
    /// relay: `Relayed`) within its stream's cap; past the cap, a `sent`
    /// limit, and far past it the program is stopped.
    fn sent_data(&mut self, from: Actor, ev: Event) {
        let t = self.now();
        let (cap, raw, relayed) = match ev {
            Event::Relayed(b) => (
                &mut self.relayed[usize::from(from == Actor::Server)],
                b,
                true,
            ),
            Event::Received(b) => (&mut self.received, b, false),
            other => return self.push(from, other),
        };
        match cap.offer(t, raw, false) {
            Offer::Keep(raw) if relayed => self.push(from, Event::Relayed(raw)),
            Offer::Keep(raw) => self.push(Actor::Peer, Event::Received(raw)),
            Offer::Over { first, runaway } => self.over_cap(from, limits::SENT, first, runaway),
        }
    }

    /// Records every unfinished line as printed (`newline: false`); what
    /// follows on the same line is joined to it when lines are read
    /// (`expect::printed_lines`). Whether anything was recorded.
    fn flush_visible(&mut self) -> bool {
        let mut any = false;
        for k in 0..self.progs.len() {
            any |= !self.progs[k].partial.is_empty();
            self.flush_partial(k);
        }
        any
    }

    fn flush_partial(&mut self, k: usize) {
        let line = std::mem::take(&mut self.progs[k].partial);
        if !line.is_empty() {
            self.printed(k, line, false);
        }
    }

    /// Records connection attempts to ports other than the scenario's.
    fn read_sniffer(&mut self) {
        let Some(sn) = &self.sniff else { return };
        let mut ports = Vec::new();
        let mut buf = [0u8; 128];
        while let Ok(n) = nix::unistd::read(sn.as_raw_fd(), &mut buf) {
            if let Some(port) = netns::syn_port(&buf[..n]) {
                ports.push(port);
            }
        }
        for port in ports {
            if port != self.cfg.port && !self.seen_syn.contains(&port) {
                self.seen_syn.push(port);
                self.push(Actor::Harness, Event::ConnectAttempt { port });
            }
        }
    }

    fn read_stream(&mut self) {
        let mut buf = [0u8; 65536];
        // The program at the other end (one side in these scenarios).
        let from = self.progs.last().map_or(Actor::Server, |p| p.actor);
        let mut budget = SOCKET_READ_BUDGET;
        loop {
            let Some(st) = self.stream.as_mut() else {
                return;
            };
            match st.read(&mut buf) {
                Ok(0) => {
                    self.end_stream();
                    self.push(Actor::Peer, Event::PeerSawClose);
                    return;
                }
                Ok(n) => {
                    let data = buf[..n].to_vec();
                    self.sent_data(from, Event::Received(data));
                    budget = budget.saturating_sub(n);
                    if budget == 0 {
                        // The poll loop comes back for the rest.
                        return;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.end_stream();
                    self.push(Actor::Peer, Event::PeerSawClose);
                    return;
                }
            }
        }
    }

    /// The peer connects to the server under test once it listens; gives
    /// up when the server is gone or quiescent without listening, and then
    /// says where it listens instead, if anywhere.
    fn connect(&mut self, within: Duration) -> bool {
        let port = self.cfg.port;
        let deadline = Instant::now() + within;
        let Ok(st) = self.dial(deadline, true) else {
            if self.tr.isolated {
                let mut ports: Vec<u16> = procfs::tcp_sockets()
                    .into_iter()
                    .filter(|s| s.state == procfs::TCP_LISTEN && s.local_port != port)
                    .map(|s| s.local_port)
                    .collect();
                ports.sort_unstable();
                ports.dedup();
                for p in ports {
                    self.push(Actor::Harness, Event::Listening { port: p });
                }
            }
            self.push(Actor::Peer, Event::ConnectRefused { port });
            return false;
        };
        self.adopt(st);
        self.push(Actor::Peer, Event::Connected { port });
        true
    }

    /// Connects to the port once something listens there: the TCP table
    /// (`listener_seen`) is looked at with a backoff, and
    /// `connect()` is called only when it shows a listener (or when no table
    /// can be read), at most `CONNECT_CALLS` times in the scenario. Gives
    /// up when every program or the server is gone, at the deadline, or at
    /// quiescence when `quiet_ends`; then records how many calls this wait
    /// made.
    fn dial(&mut self, deadline: Instant, quiet_ends: bool) -> Result<TcpStream, End> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.cfg.port));
        self.last_sample = None;
        let mut calls = 0;
        let mut pause = SAMPLE;
        let end = loop {
            if self.connect_calls < CONNECT_CALLS && self.listener_seen() != Some(false) {
                calls += 1;
                self.connect_calls += 1;
                // A listener whose queue is full leaves the SYN unanswered.
                let left = deadline.saturating_duration_since(Instant::now());
                if let Ok(st) = TcpStream::connect_timeout(&addr, left.max(SAMPLE)) {
                    return Ok(st);
                }
            }
            // A server that has ended will never listen.
            if self.all_gone() || self.prog_gone(Actor::Server) {
                break End::Gone;
            }
            let now = Instant::now();
            if now >= deadline {
                self.push(Actor::Harness, Event::Deadline);
                break End::Deadline;
            }
            if self.pump(pause.min(deadline - now)) {
                // Output, an exit: the server may be listening now.
                self.last_sample = None;
                pause = SAMPLE;
            } else if quiet_ends && self.quiescent() {
                self.push(Actor::Harness, Event::Quiescent);
                break End::Quiescent;
            } else {
                pause = (pause * 2).min(LISTEN_BACKOFF);
            }
        };
        let port = self.cfg.port;
        self.push(Actor::Peer, Event::ConnectCalls { port, calls });
        Err(end)
    }

    /// Waits, as `dial` does but without connecting, until the port's table
    /// shows a listener, the server is gone or quiescent, or the deadline;
    /// whatever the outcome, the steps after it tell.
    fn await_listener(&mut self, deadline: Instant) {
        self.last_sample = None;
        let mut pause = SAMPLE;
        while self.listener_seen() == Some(false)
            && !self.all_gone()
            && !self.prog_gone(Actor::Server)
        {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            if self.pump(pause.min(deadline - now)) {
                self.last_sample = None;
                pause = SAMPLE;
            } else if self.quiescent() {
                return;
            } else {
                pause = (pause * 2).min(LISTEN_BACKOFF);
            }
        }
    }

    /// Whether the TCP table of the runner's namespace (its own, or the
    /// host's) shows a listener on the port, asked through sock_diag (30 µs,
    /// against 0.35 ms for a namespace's /proc table: the listeners' hash
    /// table is the machine's), else from /proc; `None`: neither answers.
    fn listener_seen(&self) -> Option<bool> {
        let port = self.cfg.port;
        sockdiag::listening(port).or_else(|| procfs::listening(port))
    }

    fn accept(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        self.last_sample = None;
        loop {
            if let Some(l) = &self.listener {
                match l.accept() {
                    Ok((st, addr)) => {
                        self.adopt(st);
                        let _ = addr;
                        let port = self.cfg.port;
                        self.push(Actor::Peer, Event::Connected { port });
                        return true;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => {}
                }
            } else {
                return false;
            }
            if self.all_gone() {
                self.note_connect_attempts();
                return false;
            }
            if Instant::now() >= deadline {
                self.note_connect_attempts();
                self.push(Actor::Harness, Event::Deadline);
                return false;
            }
            // Wake as soon as the connection arrives (or output does).
            if self.pump_with_listener(SAMPLE) {
                self.last_sample = None;
            } else if self.quiescent() {
                if let Some(l) = &self.listener {
                    if let Ok((st, _)) = l.accept() {
                        self.adopt(st);
                        let port = self.cfg.port;
                        self.push(Actor::Peer, Event::Connected { port });
                        return true;
                    }
                }
                self.note_connect_attempts();
                self.push(Actor::Harness, Event::Quiescent);
                return false;
            }
        }
    }

    fn pump_with_listener(&mut self, max: Duration) -> bool {
        if let Some(l) = &self.listener {
            let mut fds = [PollFd::new(l.as_fd(), PollFlags::POLLIN)];
            let _ = poll(&mut fds, PollTimeout::ZERO);
            if fds[0].revents().is_some_and(|r| !r.is_empty()) {
                return true;
            }
        }
        self.pump(max)
    }

    /// Ports the program tried to reach (sockets stuck connecting, seen in
    /// the namespace's table).
    fn note_connect_attempts(&mut self) {
        if !self.tr.isolated {
            return;
        }
        let mut ports: Vec<u16> = procfs::tcp_sockets()
            .into_iter()
            .filter(|s| s.state == procfs::TCP_SYN_SENT && s.remote_port != self.cfg.port)
            .map(|s| s.remote_port)
            .collect();
        ports.dedup();
        for port in ports {
            self.push(Actor::Harness, Event::ConnectAttempt { port });
        }
    }

    fn adopt(&mut self, st: TcpStream) {
        let _ = st.set_nodelay(true);
        let _ = st.set_nonblocking(true);
        self.stream = Some(st);
    }

    fn send(&mut self, segments: &[Vec<u8>], pace: Pace, actor: Actor, within: Duration) -> bool {
        for (k, seg) in segments.iter().enumerate() {
            let mark = self.tr.entries.len();
            let Some(st) = self.stream.as_mut() else {
                return false;
            };
            let _ = st.set_nonblocking(false);
            let _ = st.set_write_timeout(Some(within));
            let r = st.write_all(seg);
            let _ = st.set_nonblocking(true);
            match r {
                Ok(()) => self.push(Actor::Peer, Event::Sent(seg.clone())),
                Err(_) => {
                    self.end_stream();
                    self.push(Actor::Peer, Event::PeerSawClose);
                    return true;
                }
            }
            if k + 1 < segments.len() {
                match pace {
                    // The next segment goes only once the program has read
                    // this one: then its `recv` cannot return both at once.
                    Pace::Consumed => {
                        self.wait(within, true, |w| w.consumed());
                    }
                    // Or once it printed this one (or settled without
                    // printing it): a program that went back to its keyboard
                    // has not read the next one, however segments coalesce.
                    Pace::Printed => {
                        let line = String::from_utf8_lossy(seg).trim_end().to_string();
                        self.wait(within, true, |w| {
                            let printed =
                                expect::printed_lines(&w.tr, actor, mark, w.tr.entries.len());
                            printed.iter().any(|l| expect::line_matches(l, &line))
                        });
                    }
                }
            }
        }
        true
    }

    /// Whether every byte the peer sent was read by the program.
    fn consumed(&self) -> bool {
        let Some(st) = &self.stream else { return true };
        let Ok(local) = st.local_addr() else {
            return true;
        };
        let mut outq: libc::c_int = 0;
        // SAFETY: SIOCOUTQ writes one int.
        unsafe {
            libc::ioctl(st.as_raw_fd(), libc::TIOCOUTQ as _, &mut outq);
        }
        outq == 0
            && procfs::tcp_sockets()
                .iter()
                .filter(|s| s.remote_port == local.port() && s.local_port == self.cfg.port)
                .all(|s| s.rx_queue == 0)
    }

    /// The grader's own environment failed (the run ends `Err`, judged
    /// `error`, never the student's fault); the step cannot go on.
    fn environment_failed(&mut self, error: RunError) -> bool {
        self.fault.get_or_insert(error);
        false
    }

    /// Puts the harness on the wire: the client will live in a namespace of
    /// its own where the harness listens. Without namespaces the programs
    /// talk directly, and the transcript says the wire was not observed.
    fn open_relay(&mut self, within: Duration) -> bool {
        if !self.tr.isolated {
            self.push(Actor::Harness, Event::WireUnobserved);
            // The client will connect to the server itself, once: not
            // before the server listens (a Python server takes 100 ms to
            // get there, the client as little as 10 ms to try).
            self.await_listener(Instant::now() + within);
            return true;
        }
        match netns::side_namespace(self.cfg.port) {
            Ok((ns, listener)) => {
                let _ = listener.set_nonblocking(true);
                self.relay = Some(Relay {
                    ns,
                    listener,
                    down: None,
                    up: None,
                    down_eof: false,
                    up_eof: false,
                });
                true
            }
            Err(e) => self.environment_failed(RunError::ClientNamespace(e)),
        }
    }

    /// Pair scenario with a relay: the client's connection reaches the
    /// harness, which then connects to the server.
    fn relay_accept(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        self.last_sample = None;
        let port = self.cfg.port;
        // The client connects to the harness's end…
        loop {
            let got = self.relay.as_ref().and_then(|r| r.listener.accept().ok());
            if let Some((st, _)) = got {
                let _ = st.set_nodelay(true);
                let _ = st.set_nonblocking(true);
                if let Some(r) = self.relay.as_mut() {
                    r.down = Some(st);
                }
                self.push(Actor::Client, Event::Connected { port });
                break;
            }
            if self.all_gone() || Instant::now() >= deadline {
                self.push(Actor::Harness, Event::Deadline);
                return false;
            }
            let fd = self.relay.as_ref().map(|r| r.listener.as_raw_fd());
            let ready = fd.is_some_and(|fd| {
                // SAFETY: the listener outlives this poll.
                let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
                let mut p = [PollFd::new(bfd, PollFlags::POLLIN)];
                poll(&mut p, PollTimeout::ZERO).unwrap_or(0) > 0
            });
            if ready {
                continue;
            }
            if self.pump(SAMPLE) {
                self.last_sample = None;
            } else if self.quiescent() {
                self.push(Actor::Harness, Event::Quiescent);
                self.note_connect_attempts();
                return false;
            }
        }
        // … and the harness connects to the server.
        // (A server that has ended will never listen: no deadline to wait.)
        let Ok(st) = self.dial(deadline, false) else {
            self.push(Actor::Peer, Event::ConnectRefused { port });
            return false;
        };
        let _ = st.set_nodelay(true);
        let _ = st.set_nonblocking(true);
        if let Some(r) = self.relay.as_mut() {
            r.up = Some(st);
        }
        self.push(Actor::Server, Event::Connected { port });
        true
    }

    /// Pair scenario without a relay: the programs connect to each other.
    fn pair_connected(&mut self, within: Duration) -> bool {
        let port = self.cfg.port;
        let established = |w: &Self| {
            let _ = w;
            procfs::tcp_sockets()
                .iter()
                .any(|s| s.state == procfs::TCP_ESTABLISHED && s.local_port == port)
        };
        let end = self.wait(within, true, established);
        if end == End::Met {
            self.push(Actor::Client, Event::Connected { port });
        }
        end == End::Met
    }

    /// Forwards what one program sent to the other, recorded.
    fn relay_read(&mut self, from_client: bool) {
        let actor = if from_client {
            Actor::Client
        } else {
            Actor::Server
        };
        let mut buf = [0u8; 65536];
        let mut budget = SOCKET_READ_BUDGET;
        loop {
            if budget == 0 {
                // The poll loop comes back for the rest.
                return;
            }
            let Some(r) = self.relay.as_mut() else { return };
            let (src, dst) = if from_client {
                (r.down.as_mut(), r.up.as_ref())
            } else {
                (r.up.as_mut(), r.down.as_ref())
            };
            let Some(src) = src else { return };
            let n = match src.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => 0,
            };
            if n == 0 {
                if let Some(d) = dst {
                    let _ = d.shutdown(Shutdown::Write);
                }
                if from_client {
                    r.down_eof = true;
                } else {
                    r.up_eof = true;
                }
                self.push(actor, Event::RelayClosed);
                return;
            }
            if let Some(mut d) = dst {
                let _ = d.set_nonblocking(false);
                let _ = d.set_write_timeout(Some(Duration::from_secs(2)));
                let _ = d.write_all(&buf[..n]);
                let _ = d.set_nonblocking(true);
            }
            budget = budget.saturating_sub(n);
            let data = buf[..n].to_vec();
            self.sent_data(actor, Event::Relayed(data));
        }
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

    /// Live (not zombie) processes of a program.
    fn live_count(&self, actor: Actor) -> usize {
        self.progs
            .iter()
            .filter(|p| p.actor == actor)
            .flat_map(Prog::procs)
            .filter(|p| p.state != 'Z')
            .count()
    }

    /// Records what every process of the programs waits in, zombies
    /// included (a full /proc scan: only when a scenario stalls or checks
    /// the process tree).
    fn snapshot(&mut self) {
        if matches!(self.tr.entries.last(), Some(e) if matches!(e.event, Event::Snapshot(_))) {
            return;
        }
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
            return;
        }
        let pair = self.pair;
        let views = waits::snapshot(&programs, |a| match a.other_program() {
            Some(other) if pair => other,
            _ => Actor::Peer,
        });
        self.push(Actor::Harness, Event::Snapshot(views));
    }

    /// Ends the scenario: end of input for a program still running (what it
    /// sends or prints then is recorded), then SIGTERM, a short grace, SIGKILL.
    fn teardown(&mut self, s: &Scenario, failed: bool) {
        self.push(Actor::Harness, Event::Teardown);
        let actor = expect::side_actor(s);
        // After a failure, what the program does at end of input explains
        // it (lines sent only then: `sent-late`).
        if failed
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
            self.arm_resets();
            if self.pair {
                // The programs talk directly on the host's port: the
                // client ends first, so the closing side that lingers
                // (TIME_WAIT) is its own, not the server's on the port.
                self.kill(Some(Actor::Client));
            }
        }
        self.kill_all();
        self.reaped = true;
        self.note_limits();
        self.stream = None;
        self.half = None;
        self.held.clear();
        self.listener = None;
        self.relay = None;
    }

    /// After a fault of the grader: every process of the programs killed at
    /// once (the run is void: no grace) and reaped, with nothing of the
    /// event loop, the cgroups first (a process forking in a loop cannot
    /// outrun them).
    fn kill_hard(&mut self) {
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
        for p in &mut self.progs {
            p.master = None;
            if p.root_status.is_none() {
                p.root_status = reaper::take(p.pid);
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

    /// On the host's port, every connection of the harness ends with a
    /// reset (SO_LINGER 0) when it is closed: neither side of it lingers
    /// on the port (the server's in FIN_WAIT2 or TIME_WAIT) for the next
    /// scenario's server to find when it binds without SO_REUSEADDR. Armed
    /// before the programs are ended and sent once they are gone (when the
    /// sockets close), so that no program sees a reset it did not cause.
    fn arm_resets(&self) {
        let reset = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        for st in self.stream.iter().chain(&self.held).chain(&self.half) {
            let _ = nix::sys::socket::setsockopt(st, nix::sys::socket::sockopt::Linger, &reset);
        }
    }

    /// The program closed the connection (or it broke): the peer closes its
    /// side too, as the lab's programs do (a client that half-closes and
    /// waits for the server's close ends then). On the host's port, a
    /// server's connection is kept half-open instead, until the `close`
    /// step or the teardown resets it: closed with a FIN, it would leave
    /// the server's side in TIME_WAIT on the port, and the next scenario's
    /// server without SO_REUSEADDR could not bind.
    fn end_stream(&mut self) {
        let Some(st) = self.stream.take() else { return };
        let server = self.progs.last().is_none_or(|p| p.actor == Actor::Server);
        if self.tr.isolated || !server {
            self.close_stream(st);
        } else if let Some(old) = self.half.replace(st) {
            self.held.push(old);
        }
    }

    /// Closes the peer's connection now. `shutdown`, not only a drop:
    /// close() takes effect once no process holds the socket any more, and
    /// a program another scenario is starting holds a copy of every
    /// descriptor of the harness from its fork to its exec — on a loaded
    /// machine long enough for quiescence to be concluded while the FIN
    /// was not sent (a q4 child left waiting in recv(), judged
    /// `still-running` once in 500 gallery runs). On the host's port the
    /// descriptor is kept for the teardown's reset.
    fn close_stream(&mut self, st: TcpStream) {
        let _ = st.shutdown(Shutdown::Both);
        if !self.tr.isolated {
            self.held.push(st);
        }
    }

    /// Every process of every program: SIGTERM, a short grace, SIGKILL, reaped.
    fn kill_all(&mut self) {
        self.kill(None);
    }

    /// `kill_all`, or only the processes of `only`'s program.
    fn kill(&mut self, only: Option<Actor>) {
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

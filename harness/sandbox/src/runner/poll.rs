//! The poll loop: one `poll` over every terminal and socket of the world,
//! what arrived read and recorded, exited processes reaped.

use super::World;
use crate::expect;
use crate::scenario::Side;
use crate::transcript::{Actor, Event};
use crate::world::peer::Incoming;
use crate::world::{netns, pty, reaper};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

/// Bytes read from one socket in one go: a program that sends as fast as
/// the harness reads must not keep it from its deadlines.
const SOCKET_READ_BUDGET: usize = 1 << 20;

/// What a descriptor of the poll set belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The terminal of the program `progs[k]`.
    Terminal(usize),
    /// The SYN sniffer (see `netns::syn_sniffer`).
    Sniffer,
    /// The relay's connection with the program of that side.
    Relay(Side),
    /// The peer's connection.
    Peer,
    /// The report pipe of `progs[k]`'s init: its program ended.
    Init(usize),
}

impl World<'_> {
    /// Polls every terminal and socket of the world for up to `max`, and
    /// records what arrived; reaps exited processes. Whether anything
    /// happened (then the world was not quiescent).
    pub(super) fn pump(&mut self, max: Duration) -> bool {
        let ready = self.poll(max);
        let active = !ready.is_empty();
        // In the order of `watched`: terminals first, the peer's connection last.
        for source in ready {
            match source {
                Source::Terminal(k) => self.read_terminal(k),
                Source::Sniffer => self.read_sniffer(),
                Source::Relay(from) => self.relay_read(from),
                Source::Peer => self.read_stream(),
                // Read below, with every init's.
                Source::Init(_) => {}
            }
        }
        for p in &self.progs {
            p.collect_reported();
        }
        reaper::reap();
        self.record_exits() || active
    }

    /// Every descriptor of the world to watch, and what it belongs to.
    fn watched(&self) -> Vec<(BorrowedFd<'_>, Source)> {
        let mut out = Vec::new();
        for (k, p) in self.progs.iter().enumerate() {
            if let Some(m) = &p.master {
                out.push((m.as_fd(), Source::Terminal(k)));
            }
        }
        if let Some(sn) = &self.sniff {
            out.push((sn.as_fd(), Source::Sniffer));
        }
        if let Some(r) = &self.relay {
            for side in [Side::Client, Side::Server] {
                if let Some(fd) = r.fd(side) {
                    out.push((fd, Source::Relay(side)));
                }
            }
        }
        if let Some(st) = self.peer.fd() {
            out.push((st, Source::Peer));
        }
        // A program's end wakes the wait at once: its init reports it.
        for (k, p) in self.progs.iter().enumerate() {
            if let (Some(init), None) = (&p.init, p.root_status) {
                out.push((init.reports.as_fd(), Source::Init(k)));
            }
        }
        out
    }

    /// Waits up to `max` (at most 10 ms) for a descriptor of the world to
    /// be ready; which are, in the order of `watched`.
    fn poll(&self, max: Duration) -> Vec<Source> {
        let (mut fds, sources): (Vec<PollFd>, Vec<Source>) = self
            .watched()
            .into_iter()
            .map(|(fd, source)| (PollFd::new(fd, PollFlags::POLLIN), source))
            .unzip();
        if fds.is_empty() {
            if !max.is_zero() {
                // Nothing to watch (no terminal open, no socket): the
                // pause is the /proc sampling period.
                std::thread::park_timeout(max);
            }
            return Vec::new();
        }
        let timeout = PollTimeout::try_from(max.as_micros().div_ceil(1000).min(10_000) as u32)
            .unwrap_or(PollTimeout::MAX);
        if poll(&mut fds, timeout).unwrap_or(0) <= 0 {
            return Vec::new();
        }
        fds.iter()
            .zip(sources)
            .filter(|(fd, _)| fd.revents().is_some_and(|r| !r.is_empty()))
            .map(|(_, source)| source)
            .collect()
    }

    /// Records the exit of each program whose first process was reaped;
    /// whether any.
    fn record_exits(&mut self) -> bool {
        let mut any = false;
        for k in 0..self.progs.len() {
            if self.progs[k].root_status.is_some() {
                continue;
            }
            let Some(st) = reaper::take(self.progs[k].pid) else {
                continue;
            };
            self.progs[k].root_status = Some(st);
            any = true;
            // Whatever it printed last is on the terminal by now.
            self.read_terminal(k);
            let (pid, actor) = (self.progs[k].pid, self.progs[k].actor);
            self.push(actor, Event::Exited { pid, exit: st });
        }
        any
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

    /// Records what the program sent to the peer.
    fn read_stream(&mut self) {
        let mut buf = [0u8; 65536];
        // The program at the other end (one side in these scenarios).
        let from = self.progs.last().map_or(Actor::Server, |p| p.actor);
        let mut budget = SOCKET_READ_BUDGET;
        while budget > 0 {
            match self.peer.read(&mut buf) {
                Incoming::Nothing => return,
                Incoming::Closed => {
                    self.end_stream();
                    self.push(Actor::Peer, Event::PeerSawClose);
                    return;
                }
                Incoming::Bytes(n) => {
                    self.sent_data(from, Event::Received(buf[..n].to_vec()));
                    budget = budget.saturating_sub(n);
                }
            }
        }
        // The poll loop comes back for the rest.
    }

    /// Forwards what the program of `from` sent to the other, recorded.
    fn relay_read(&mut self, from: Side) {
        let actor = expect::actor_of(from);
        let mut buf = [0u8; 65536];
        let mut budget = SOCKET_READ_BUDGET;
        while budget > 0 {
            let Some(r) = self.relay.as_mut() else { return };
            match r.forward(from, &mut buf) {
                Incoming::Nothing => return,
                Incoming::Closed => {
                    self.push(actor, Event::RelayClosed);
                    return;
                }
                Incoming::Bytes(n) => {
                    budget = budget.saturating_sub(n);
                    self.sent_data(actor, Event::Relayed(buf[..n].to_vec()));
                }
            }
        }
        // The poll loop comes back for the rest.
    }
}

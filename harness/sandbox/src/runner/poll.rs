//! The poll loop: one `poll` over every terminal and socket of the world,
//! what arrived read and recorded, exited processes reaped.

use super::{World, RELAY_DOWN, RELAY_UP};
use crate::expect;
use crate::scenario::Side;
use crate::transcript::{Actor, Event};
use crate::world::peer::Incoming;
use crate::world::{netns, pty, reaper};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

/// Bytes read from one socket in one go: a program that sends as fast as
/// the harness reads must not keep it from its deadlines.
const SOCKET_READ_BUDGET: usize = 1 << 20;

impl World<'_> {
    /// Polls every terminal and socket of the world for up to `max`, and
    /// records what arrived; reaps exited processes. Whether anything
    /// happened (then the world was not quiescent).
    pub(super) fn pump(&mut self, max: Duration) -> bool {
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
            if let Some(st) = self.peer.fd() {
                fds.push(PollFd::new(st, PollFlags::POLLIN));
                owners.push(None);
            }
            if let Some(sn) = &self.sniff {
                fds.push(PollFd::new(sn.as_fd(), PollFlags::POLLIN));
                owners.push(Some(usize::MAX));
            }
            if let Some(r) = &self.relay {
                if let Some(d) = r.fd(Side::Client) {
                    fds.push(PollFd::new(d, PollFlags::POLLIN));
                    owners.push(Some(RELAY_DOWN));
                }
                if let Some(u) = r.fd(Side::Server) {
                    fds.push(PollFd::new(u, PollFlags::POLLIN));
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
                self.relay_read(if k == RELAY_DOWN {
                    Side::Client
                } else {
                    Side::Server
                });
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

    pub(super) fn read_terminal(&mut self, k: usize) {
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
    pub(super) fn read_sniffer(&mut self) {
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
    pub(super) fn read_stream(&mut self) {
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
    pub(super) fn relay_read(&mut self, from: Side) {
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

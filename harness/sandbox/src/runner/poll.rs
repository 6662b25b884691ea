//! The poll loop: one `poll` over every terminal and socket of the world,
//! what arrived read and recorded, exited processes reaped.

use super::{World, RELAY_DOWN, RELAY_UP};
use crate::transcript::{Actor, Event};
use crate::world::{netns, pty, reaper};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
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

    pub(super) fn read_stream(&mut self) {
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

    /// Forwards what one program sent to the other, recorded.
    pub(super) fn relay_read(&mut self, from_client: bool) {
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
}

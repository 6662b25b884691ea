//! Connections: the peer dials the server under test or accepts the
//! client's connection, the relay puts the harness on a pair's wire; each
//! waits in the poll loop until it is made, the program is gone or quiet.

use super::{End, OnQuiet, RunError, World, CONNECT_CALLS, LISTEN_BACKOFF, SAMPLE};
use crate::transcript::{Actor, Event};
use crate::world::relay::Relay;
use crate::world::{peer, procfs, sockdiag};
use std::net::TcpStream;
use std::time::{Duration, Instant};

impl World<'_> {
    /// The peer connects to the server under test once it listens; gives
    /// up when the server is gone or quiescent without listening, and then
    /// says where it listens instead, if anywhere.
    pub(super) fn connect(&mut self, within: Duration) -> bool {
        let port = self.cfg.port;
        let deadline = Instant::now() + within;
        let Ok(st) = self.dial(deadline, OnQuiet::End) else {
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
        self.peer.adopt(st);
        self.push(Actor::Peer, Event::Connected { port });
        true
    }

    /// Connects to the port once something listens there: the TCP table
    /// (`listener_seen`) is looked at with a backoff, and
    /// `connect()` is called only when it shows a listener (or when no table
    /// can be read), at most `CONNECT_CALLS` times in the scenario. Gives
    /// up when every program or the server is gone, at the deadline, or at
    /// quiescence with `OnQuiet::End`; then records how many calls this wait
    /// made.
    fn dial(&mut self, deadline: Instant, on_quiet: OnQuiet) -> Result<TcpStream, End> {
        self.last_sample = None;
        let mut calls = 0;
        let mut pause = SAMPLE;
        let end = loop {
            if self.connect_calls < CONNECT_CALLS && self.listener_seen() != Some(false) {
                calls += 1;
                self.connect_calls += 1;
                let left = deadline.saturating_duration_since(Instant::now());
                if let Ok(st) = peer::connect(self.cfg.port, left.max(SAMPLE)) {
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
            } else if on_quiet == OnQuiet::End && self.quiescent() {
                // An unfinished line (a prompt) is on the screen all the same.
                self.flush_visible();
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

    /// The peer takes the client's connection once it comes; gives up
    /// when the programs are gone or quiescent without connecting, and then
    /// says where the client tried to connect instead, if anywhere.
    pub(super) fn accept(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        self.last_sample = None;
        if !self.peer.listening() {
            return false;
        }
        let port = self.cfg.port;
        loop {
            if self.peer.accept() {
                self.push(Actor::Peer, Event::Connected { port });
                return true;
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
            if self.peer.connection_waits() || self.pump(SAMPLE) {
                self.last_sample = None;
            } else if self.quiescent() {
                if self.peer.accept() {
                    self.push(Actor::Peer, Event::Connected { port });
                    return true;
                }
                self.note_connect_attempts();
                // An unfinished line (a prompt) is on the screen all the same.
                self.flush_visible();
                self.push(Actor::Harness, Event::Quiescent);
                return false;
            }
        }
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

    /// Puts the harness on the wire: the client will live in a namespace of
    /// its own where the harness listens. Without namespaces the programs
    /// talk directly, and the transcript says the wire was not observed.
    pub(super) fn open_relay(&mut self, within: Duration) -> bool {
        if !self.tr.isolated {
            self.push(Actor::Harness, Event::WireUnobserved);
            // The client will connect to the server itself, once: not
            // before the server listens (a Python server takes 100 ms to
            // get there, the client as little as 10 ms to try).
            self.await_listener(Instant::now() + within);
            return true;
        }
        match Relay::open(self.cfg.port) {
            Ok(relay) => {
                self.relay = Some(relay);
                true
            }
            Err(e) => self.environment_failed(RunError::ClientNamespace(e)),
        }
    }

    /// Pair scenario with a relay: the client's connection reaches the
    /// harness, which then connects to the server.
    pub(super) fn relay_accept(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        self.last_sample = None;
        let port = self.cfg.port;
        // The client connects to the harness's end…
        loop {
            if self.relay.as_mut().is_some_and(Relay::accept_client) {
                self.push(Actor::Client, Event::Connected { port });
                break;
            }
            if self.all_gone() || Instant::now() >= deadline {
                self.push(Actor::Harness, Event::Deadline);
                return false;
            }
            if self.relay.as_ref().is_some_and(Relay::client_waits) {
                continue;
            }
            if self.pump(SAMPLE) {
                self.last_sample = None;
            } else if self.quiescent() {
                // An unfinished line (a prompt) is on the screen all the same.
                self.flush_visible();
                self.push(Actor::Harness, Event::Quiescent);
                self.note_connect_attempts();
                return false;
            }
        }
        // … and the harness connects to the server.
        // (A server that has ended will never listen: no deadline to wait.)
        let Ok(st) = self.dial(deadline, OnQuiet::Wait) else {
            self.push(Actor::Peer, Event::ConnectRefused { port });
            return false;
        };
        if let Some(r) = self.relay.as_mut() {
            r.connect_server(st);
        }
        self.push(Actor::Server, Event::Connected { port });
        true
    }

    /// Pair scenario without a relay: the programs connect to each other.
    pub(super) fn pair_connected(&mut self, within: Duration) -> bool {
        let port = self.cfg.port;
        let established = |w: &Self| {
            let _ = w;
            procfs::tcp_sockets()
                .iter()
                .any(|s| s.state == procfs::TCP_ESTABLISHED && s.local_port == port)
        };
        let end = self.wait(within, OnQuiet::End, established);
        if end == End::Met {
            self.push(Actor::Client, Event::Connected { port });
        }
        end == End::Met
    }
}

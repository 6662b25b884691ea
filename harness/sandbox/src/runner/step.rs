//! The step interpreter: what each action of a scenario does to the world
//! (start a program, type, send, close) and which wait it ends with.

use super::{End, OnQuiet, Prog, RunError, World};
use crate::scenario::{Action, ExitKind, Pace, Scenario, Side};
use crate::transcript::{Actor, Event, StartFailure};
use crate::world::cgroup::Cgroup;
use crate::world::limits::{Jail, Limits, OutputCap};
use crate::world::program::{environment, Prepared};
use crate::world::{procfs, pty};
use crate::{expect, stall};
use std::time::Duration;

impl World<'_> {
    /// Runs one step; `false` stops the scenario (an expectation failed or
    /// the step could not be done).
    pub(super) fn step(
        &mut self,
        s: &Scenario,
        i: usize,
        action: &Action,
        within: Duration,
    ) -> bool {
        let actor = expect::actor_of(s.step_side(i));
        match action {
            Action::Start(side) => self.start(*side),
            Action::Restart(side) => self.restart(*side, within),
            Action::Listen => self.listen(),
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
                self.wait(within, OnQuiet::End, |w| w.peer.consumed() && w.all_gone());
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
                if self.peer.close() {
                    self.push(Actor::Peer, Event::PeerClosed);
                }
                true
            }
            Action::ExpectPrinted(_) | Action::ExpectReceived(_) => {
                self.wait_cpu(within, |w| w.met(s, i)) == End::Met
            }
            Action::ExpectClosed => self.wait(within, OnQuiet::End, |w| w.met(s, i)) == End::Met,
            Action::ExpectExit(kind) => self.expect_exit(*kind, actor, within),
            Action::ExpectCalm(_) => {
                self.wait_cpu(within, |w| w.prog_gone(actor));
                true
            }
            Action::ExpectSilent => {
                // Ends when something is sent (a failure) or at quiescence.
                let sent = |w: &Self| expect::sent_in(s, &w.tr, i, w.tr.entries.len());
                self.wait(within, OnQuiet::End, sent);
                !sent(self)
            }
            Action::ExpectDeadlock => {
                let end = self.wait(within, OnQuiet::End, |_| false);
                self.snapshot();
                end == End::Quiescent
            }
            Action::ExpectFork => self.expect_fork(actor, within),
        }
    }

    /// One process per direction, judged on what each process waits on: as
    /// soon as one waits on the socket while another waits on the keyboard,
    /// else at quiescence (a fork just made has not reached its read yet)
    /// or the deadline; the snapshot recorded says which.
    fn expect_fork(&mut self, actor: Actor, within: Duration) -> bool {
        let duplex = |w: &Self| {
            w.live_count(actor) >= 2
                && w.views()
                    .is_some_and(|v| stall::one_per_direction(&v, actor))
        };
        self.wait(within, OnQuiet::End, duplex);
        self.snapshot();
        let n = self.tr.entries.len();
        stall::snapshot(&self.tr, 0, n).is_some_and(|v| stall::one_per_direction(v, actor))
    }

    /// Live (not zombie) processes of a program.
    fn live_count(&self, actor: Actor) -> usize {
        self.progs
            .iter()
            .filter(|p| p.actor == actor)
            .flat_map(Prog::procs)
            .filter(|p| p.state != crate::world::procfs::ProcState::Zombie)
            .count()
    }

    /// Whether step `i`'s expectation is met by what was recorded so far.
    fn met(&self, s: &Scenario, i: usize) -> bool {
        expect::met(s, &self.tr, i, self.tr.entries.len())
    }

    /// Ctrl-C; once the program is gone (or at the deadline) whatever is
    /// left of it killed, and it starts again. The peer stays connected
    /// meanwhile (see `Peer::hold`).
    fn restart(&mut self, side: Side, within: Duration) -> bool {
        let a = expect::actor_of(side);
        self.peer.hold();
        self.type_bytes(a, b"\x03", Event::Interrupted);
        self.wait(within, OnQuiet::Wait, |w| w.prog_gone(a));
        self.kill_all();
        self.start(side)
    }

    /// The peer listens for the client (a fault of the grader if it cannot).
    fn listen(&mut self) -> bool {
        match self.peer.listen() {
            Ok(()) => true,
            Err(source) => self.environment_failed(RunError::PeerListen {
                port: self.cfg.port,
                source,
            }),
        }
    }

    /// Until the program is gone, with the CPU burnt recorded (a process
    /// left spinning is a busy loop). `ExitKind::All`: every process of it,
    /// which is then recorded.
    fn expect_exit(&mut self, kind: ExitKind, actor: Actor, within: Duration) -> bool {
        let end = self.wait_cpu(within, |w| w.prog_gone(actor));
        if kind != ExitKind::All {
            return end == End::Met;
        }
        let gone = self.prog_gone(actor);
        if gone {
            self.push(actor, Event::AllEnded);
        }
        gone
    }

    /// Starts the program of `side` in a terminal of its own, in its
    /// cgroup and jail (and, a pair's client, in the relay's namespace).
    fn start(&mut self, side: Side) -> bool {
        let actor = expect::actor_of(side);
        let prepared = match side {
            Side::Server => self.cfg.server.clone(),
            Side::Client => self.cfg.client.clone(),
        };
        let Some(Prepared::Ready { argv, display }) = prepared else {
            let detail = format!("no {} program given", side.name());
            return self.start_failed(Actor::Harness, detail);
        };
        let env = environment(self.dir.path());
        let cg = Cgroup::create().ok();
        let join = pty::Join {
            cgroup: cg.as_ref().map(Cgroup::join_fd),
            netns: match (&self.relay, side) {
                (Some(r), Side::Client) => Some(r.namespace()),
                _ => None,
            },
        };
        let jail = Jail::new(Limits::scaled(self.cfg.timeout_scale), cg.as_ref());
        let child = match pty::spawn(
            &argv,
            &env,
            self.dir.path(),
            join,
            jail.before_exec(),
            &self.cfg.sandbox,
        ) {
            Ok(child) => child,
            Err(e) => return self.start_failed(actor, format!("cannot start {display}: {e}")),
        };
        let pid = child.pid;
        self.push(
            actor,
            Event::Started {
                pid,
                command: display,
            },
        );
        self.last_sample = None;
        self.progs.push(Prog {
            actor,
            pid,
            master: Some(child.master),
            partial: Vec::new(),
            output: OutputCap::default(),
            root_status: None,
            cg,
            jail,
            init: child.init,
        });
        true
    }

    fn start_failed(&mut self, actor: Actor, detail: String) -> bool {
        let failure = StartFailure::BadProgram;
        self.push(actor, Event::StartFailed { failure, detail });
        false
    }

    pub(super) fn type_bytes(&mut self, actor: Actor, bytes: &[u8], ev: Event) {
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

    fn send(&mut self, segments: &[Vec<u8>], pace: Pace, actor: Actor, within: Duration) -> bool {
        for (k, seg) in segments.iter().enumerate() {
            let mark = self.tr.entries.len();
            if !self.peer.connected() {
                return false;
            }
            match self.peer.write(seg, within) {
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
                        self.wait(within, OnQuiet::End, |w| w.peer.consumed());
                    }
                    // Or once it printed this one (or settled without
                    // printing it): a program that went back to its keyboard
                    // has not read the next one, however segments coalesce.
                    Pace::Printed => {
                        let line = String::from_utf8_lossy(seg).trim_end().to_string();
                        self.wait(within, OnQuiet::End, |w| {
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
}

//! Rules of the steps that read the whole world: `expect_silent` (nothing
//! sent out of turn), `expect_deadlock`, `expect_fork` and `expect_closed`.

use super::ctx::{self, Ctx};
use super::exit;
use super::rules::{crashed, Rule};
use crate::diagnosis::{short, Code, Diagnosis};
use crate::msg::Msg;
use crate::stall;

pub(super) const SILENT: &[Rule] = &[sent_out_of_turn];
pub(super) const DEADLOCK: &[Rule] = &[no_deadlock];
pub(super) const FORK: &[Rule] = &[crashed, no_fork];
pub(super) const CLOSED: &[Rule] = &[exit::traceback, crashed, eof_unread, still_open];

/// It sent before its turn: quote what it sent.
fn sent_out_of_turn(c: &Ctx) -> Option<Diagnosis> {
    let sent = ctx::sent_text(c.tr, c.actor, c.from, c.to);
    Some(Diagnosis::new(
        Code::OutOfTurn,
        Msg::new("diag-out-of-turn-sent").arg("text", short(sent.trim_end())),
        Msg::new("hint-out-of-turn-sent"),
    ))
}

/// No wait-for cycle: say what each process was doing instead.
fn no_deadlock(c: &Ctx) -> Option<Diagnosis> {
    doing(c, Code::NoDeadlock, "diag-no-deadlock", "hint-no-deadlock")
}

/// One process only: threads, select, or neither.
fn no_fork(c: &Ctx) -> Option<Diagnosis> {
    Some(stall::no_fork(c.views().unwrap_or_default(), c.actor))
}

/// q4: its only process waits in recv(), the end of input unread.
fn eof_unread(c: &Ctx) -> Option<Diagnosis> {
    c.views().and_then(|v| stall::eof_unread(c.s, v, c.actor))
}

/// After end of input the connection stays open: say what each process
/// was doing.
fn still_open(c: &Ctx) -> Option<Diagnosis> {
    doing(c, Code::StillRunning, "diag-still-open", "hint-still-open")
}

/// `code`, its message `diag` saying what each process of the snapshot was
/// doing, its hint `hint`.
fn doing(c: &Ctx, code: Code, diag: &'static str, hint: &'static str) -> Option<Diagnosis> {
    let procs = stall::processes(c.views().unwrap_or_default());
    Some(Diagnosis::new(
        code,
        Msg::new(diag).arg("procs", procs),
        Msg::new(hint),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::scenario::Action;
    use crate::transcript::{Actor, Event, WaitsOn};

    /// The snapshot of server pid 40 asleep in recv() for the peer.
    fn server_in_recv() -> Vec<(Actor, Event)> {
        let recv = proc_view(
            Actor::Server,
            40,
            Some("recv"),
            WaitsOn::Socket(Some(Actor::Peer)),
        );
        vec![snapshot(vec![recv])]
    }

    fn deadlock(a: &Action) -> bool {
        *a == Action::ExpectDeadlock
    }

    fn closed(a: &Action) -> bool {
        *a == Action::ExpectClosed
    }

    #[test]
    fn rule_sent_out_of_turn() {
        let silent = |a: &Action| *a == Action::ExpectSilent;
        let salut = vec![(Actor::Peer, Event::Received(b"Salut\n".to_vec()))];
        assert_eq!(
            said(sent_out_of_turn, at("q3.server.waits-first", silent, salut)),
            "the program sent `Salut` out of turn: it must wait for the other side's line first"
        );
    }

    #[test]
    fn rule_no_deadlock() {
        assert_eq!(
            said(
                no_deadlock,
                at("q3.demo.deadlock", deadlock, server_in_recv())
            ),
            "no deadlock could be proven: server (pid 40) waits in recv() for peer"
        );
        assert_eq!(
            said(no_deadlock, at("q3.demo.deadlock", deadlock, vec![])),
            "no deadlock could be proven: "
        );
    }

    #[test]
    fn rule_no_fork() {
        let fork = |a: &Action| *a == Action::ExpectFork;
        let case = at("q4.server.uses-fork", fork, server_in_recv());
        assert_eq!(coded(no_fork, case), Some(Code::NoFork));
    }

    #[test]
    fn rule_eof_unread() {
        let case = at("q4.server.keyboard-eof", closed, server_in_recv());
        assert_eq!(coded(eof_unread, case), Some(Code::HalfDuplex));
        assert!(silent(
            eof_unread,
            at("q4.server.keyboard-eof", closed, vec![])
        ));
    }

    #[test]
    fn rule_still_open() {
        let (s, t, i) = at("q4.server.keyboard-eof", closed, vec![]);
        let d = still_open(&ctx(&s, &t, i)).unwrap();
        assert_eq!(d.code, Code::StillRunning);
        assert_eq!(
            en(&d.message),
            "after end of input the connection stays open: "
        );
    }
}

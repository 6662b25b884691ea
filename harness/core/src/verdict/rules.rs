//! Why a step failed: per kind of expectation, an ordered table of small
//! rules (`fn(&Ctx) -> Option<Diagnosis>`), first match wins, after the
//! rules every step shares (`PRELUDE`). A new diagnosis is a new rule in
//! a table. Here: the tables, the shared rules, and the pair scenarios'
//! blame.

use super::ctx::{self, Ctx, Ended};
use super::{connect, exit, printed, received, world};
use crate::diagnosis::{Code, Diagnosis};
use crate::msg::Msg;
use crate::scenario::{Action, ExitKind, Role};
use crate::stall::actor_msg;
use crate::transcript::Actor;

/// One way a step can have failed: a diagnosis when it recognises the
/// transcript, else `None` (the next rule of the table is tried).
pub(crate) type Rule = fn(&Ctx) -> Option<Diagnosis>;

/// Rules for every step: what keeps a program from doing anything
/// (Python 2 code first, whenever it is the cause).
const PRELUDE: &[Rule] = &[exit::python2, syntax_error, no_reuseaddr];

/// The rules of one kind of expectation, in order.
fn table(a: &Action) -> &'static [Rule] {
    match a {
        Action::Connect => connect::CONNECT,
        Action::Accept => connect::ACCEPT,
        Action::ExpectPrinted(_) => printed::RULES,
        Action::ExpectReceived(_) => received::RULES,
        Action::ExpectExit(ExitKind::All) => exit::ALL_END,
        Action::ExpectSilent => world::SILENT,
        Action::ExpectDeadlock => world::DEADLOCK,
        Action::ExpectFork => world::FORK,
        Action::ExpectClosed => world::CLOSED,
        Action::ExpectExit(_) => exit::EXIT,
        Action::ExpectCalm(_) => exit::CALM,
        _ => &[],
    }
}

/// Explains why the step of `c` failed.
pub(crate) fn diagnose(c: &Ctx) -> Diagnosis {
    PRELUDE
        .iter()
        .chain(pair_wire(c))
        .chain(table(&c.s.steps[c.i].action))
        .find_map(|rule| rule(c))
        .unwrap_or_else(timeout)
}

/// Pair scenarios, a line expected printed: the rules that read what the
/// sender put on the wire, when the harness observed it.
fn pair_wire(c: &Ctx) -> &'static [Rule] {
    let printed = matches!(c.s.steps[c.i].action, Action::ExpectPrinted(_));
    if c.s.role == Role::Pair && c.tr.isolated && printed {
        received::PAIR_WIRE
    } else {
        &[]
    }
}

/// Python could not even read the file.
fn syntax_error(c: &Ctx) -> Option<Diagnosis> {
    let l = c
        .all
        .iter()
        .find(|l| l.contains("SyntaxError") || l.contains("IndentationError"))?;
    let hint = if crate::submission::python2(&c.all.join("\n")) {
        "hint-python2"
    } else {
        "hint-syntax-error"
    };
    Some(Diagnosis::new(
        Code::SyntaxError,
        Msg::new("diag-syntax-error").arg("line", l),
        Msg::new(hint),
    ))
}

/// Restarted at once, the server cannot bind its port.
fn no_reuseaddr(c: &Ctx) -> Option<Diagnosis> {
    let l = c
        .all
        .iter()
        .find(|l| l.contains("Address already in use"))?;
    Some(Diagnosis::new(
        Code::NoReuseaddr,
        Msg::new("diag-no-reuseaddr").arg("line", l),
        Msg::new("hint-no-reuseaddr"),
    ))
}

/// The program died before doing what was asked.
pub(crate) fn crashed(c: &Ctx) -> Option<Diagnosis> {
    crash(&c.all, c.exited)
}

/// A process of the program (a forked child, a thread) died on a traceback
/// while the program went on: the first traceback is the cause, whatever
/// came after it.
pub(crate) fn process_died(c: &Ctx) -> Option<Diagnosis> {
    let last = ctx::traceback_last_line(&c.printed_until_end())?;
    Some(Diagnosis::new(
        Code::Crashed,
        Msg::new("diag-process-died").arg("last", last),
        Msg::new("hint-crashed-traceback"),
    ))
}

/// The program died (exited, or died on a signal): `all` is what it printed.
pub(crate) fn crash(all: &[String], exited: Option<Ended>) -> Option<Diagnosis> {
    let (code, signal) = exited?;
    if let Some(last) = ctx::traceback_last_line(all) {
        return Some(Diagnosis::new(
            Code::Crashed,
            Msg::new("diag-crashed-traceback").arg("last", last),
            Msg::new("hint-crashed-traceback"),
        ));
    }
    let tail = ctx::quote(all, 2);
    let status = status_msg(code, signal);
    let message = if tail.is_empty() {
        Msg::new("diag-ended-early").arg("status", status)
    } else {
        Msg::new("diag-ended-early-output")
            .arg("status", status)
            .arg("output", tail)
    };
    Some(Diagnosis::new(
        Code::Crashed,
        message,
        Msg::new("hint-ended-early"),
    ))
}

/// The program loops on the CPU while it should wait.
pub(crate) fn busy(c: &Ctx) -> Option<Diagnosis> {
    c.busy().then(busy_loop)
}

pub(crate) fn busy_loop() -> Diagnosis {
    Diagnosis::new(
        Code::BusyLoop,
        Msg::new("diag-busy-loop"),
        Msg::new("hint-busy-loop"),
    )
}

pub(crate) fn timeout() -> Diagnosis {
    Diagnosis::new(
        Code::Timeout,
        Msg::new("diag-timeout"),
        Msg::new("hint-timeout"),
    )
}

/// `status 3`, `signal 9`.
pub(crate) fn status_msg(code: Option<i32>, signal: Option<i32>) -> Msg {
    match (code, signal) {
        (Some(c), _) => Msg::new("status-code").arg("code", c.to_string()),
        (_, Some(s)) => Msg::new("status-signal").arg("signal", s.to_string()),
        _ => Msg::new("status-unknown"),
    }
}

/// `server: …`: `d` blamed on one program of a pair.
pub(crate) fn blamed_on(d: Diagnosis, culprit: Actor) -> Diagnosis {
    let side = if culprit == Actor::Server {
        Actor::Server
    } else {
        Actor::Client
    };
    d.wrapped(
        Msg::new("diag-blame").arg("side", actor_msg(side)),
        "message",
    )
}

/// Pair scenarios: which program failed, named at the head of the message
/// (`client: …`). A line typed on one side and not printed on the other is
/// the sender's fault when it never crossed the wire, else the printer's.
pub(crate) fn blame(c: &Ctx, d: Diagnosis) -> Diagnosis {
    if c.s.role != Role::Pair {
        return d;
    }
    // A deadlock before any line crossed: both started by receiving, both
    // at fault. After some turns, the side that did not send is named.
    if d.code == Code::Deadlock && !c.midway {
        return d;
    }
    let (tr, i, side) = (c.tr, c.i, c.actor);
    let to = tr.step_start(i + 1).unwrap_or(tr.entries.len());
    // A busy loop is the program's that burnt the CPU (the runner tells the
    // sample as that program's), whichever side the step was about.
    if d.code == Code::BusyLoop {
        if let Some(owner) = ctx::cpu_owner(tr, c.from, to) {
            return blamed_on(d, owner);
        }
    }
    let culprit = match &c.s.steps[i].action {
        Action::ExpectPrinted(expected) if tr.isolated => {
            let other = side.other_program().unwrap_or(Actor::Peer);
            let crossed = ctx::sent_text(tr, other, c.from, to);
            // What the sender put on the wire explains it: the sender's.
            let wire = pair_wire(c).iter().any(|rule| rule(c).is_some());
            if !wire && expected.iter().all(|e| crossed.contains(e.as_str())) {
                side
            } else {
                other
            }
        }
        Action::ExpectPrinted(_) => return d,
        Action::Accept => ctx::accept_culprit(tr, to),
        _ => side,
    };
    blamed_on(as_culprit(c, d, culprit, to), culprit)
}

/// `d`, told of `culprit`: an end quoted of the other program (its status,
/// its traceback) is replaced by the culprit's own, when it ended too.
fn as_culprit(c: &Ctx, d: Diagnosis, culprit: Actor, to: usize) -> Diagnosis {
    if culprit == c.actor || d.code != Code::Crashed {
        return d;
    }
    let all = ctx::printed_all(c.tr, culprit);
    crash(&all, ctx::exit_of(c.tr, culprit, 0, to)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::transcript::Event;

    #[test]
    fn rule_syntax_error() {
        let s = server("q1", "");
        let t = tr(vec![
            (Actor::Harness, Event::Step(0)),
            printed(Actor::Server, "    print data"),
            printed(
                Actor::Server,
                "SyntaxError: Missing parentheses in call to 'print'",
            ),
        ]);
        let d = syntax_error(&ctx(&s, &t, 1)).unwrap();
        assert_eq!(d.code, Code::SyntaxError);
        assert!(en(d.hint.as_ref().unwrap()).contains("Python 2"));
        let t = tr(vec![printed(
            Actor::Server,
            "IndentationError: unexpected indent",
        )]);
        let d = syntax_error(&ctx(&s, &t, 1)).unwrap();
        assert_eq!(
            en(&d.message),
            "Python refuses the file: IndentationError: unexpected indent"
        );
        assert!(en(d.hint.as_ref().unwrap()).contains("py_compile"));
        assert!(syntax_error(&ctx(&s, &tr(vec![printed(Actor::Server, "ok")]), 1)).is_none());
    }

    #[test]
    fn rule_no_reuseaddr() {
        let s = server("q1", "");
        let t = tr(vec![printed(
            Actor::Server,
            "OSError: [Errno 98] Address already in use",
        )]);
        assert_eq!(code(no_reuseaddr(&ctx(&s, &t, 1))), Some(Code::NoReuseaddr));
        assert!(no_reuseaddr(&ctx(&s, &tr(vec![]), 1)).is_none());
    }

    #[test]
    fn rule_crashed() {
        let s = server("q1", "");
        let died = |lines: &[&str], code| {
            let mut ev: Vec<_> = lines.iter().map(|l| printed(Actor::Server, l)).collect();
            ev.push(exited(Actor::Server, 40, code, None));
            tr(ev)
        };
        let t = died(
            &[
                "Traceback (most recent call last):",
                "  File \"x\"",
                "ValueError: x",
            ],
            Some(1),
        );
        assert_eq!(
            en(&crashed(&ctx(&s, &t, 1)).unwrap().message),
            "the program crashed: ValueError: x"
        );
        let t = died(&["a", "b", "c"], Some(3));
        assert_eq!(
            en(&crashed(&ctx(&s, &t, 1)).unwrap().message),
            "the program ended early with status 3 (last output: b / c)"
        );
        let t = tr(vec![exited(Actor::Server, 40, None, Some(9))]);
        assert_eq!(
            en(&crashed(&ctx(&s, &t, 1)).unwrap().message),
            "the program ended early with signal 9"
        );
        assert!(crashed(&ctx(&s, &tr(vec![]), 1)).is_none());
    }

    #[test]
    fn rule_busy() {
        let s = server("q1", "");
        let t = tr(at_step(1, vec![cpu(1900.0, 2000.0)]));
        assert_eq!(code(busy(&ctx(&s, &t, 1))), Some(Code::BusyLoop));
        // A wait that ended quiescent spent its CPU starting up.
        let t = tr(at_step(
            1,
            vec![(Actor::Harness, Event::Quiescent), cpu(1900.0, 2000.0)],
        ));
        assert!(busy(&ctx(&s, &t, 1)).is_none());
    }

    #[test]
    fn a_pair_blames_the_sender_for_its_wire() {
        use crate::scenario::Action;
        let printed = |a: &Action| matches!(a, Action::ExpectPrinted(_));
        // The server is to print `du client 1`; the client sent it bare.
        let (s, mut t, i) = at(
            "q4.pair.full-duplex",
            printed,
            vec![(Actor::Client, Event::Relayed(b"du client 1".to_vec()))],
        );
        t.isolated = true;
        let c = ctx(&s, &t, i);
        let d = blame(&c, diagnose(&c));
        assert_eq!(d.code, Code::NoNewline);
        assert!(en(&d.message).starts_with("client: "), "{}", en(&d.message));
        // Sent whole, never printed: the printer's.
        let (s, mut t, i) = at(
            "q4.pair.full-duplex",
            printed,
            vec![(Actor::Client, Event::Relayed(b"du client 1\n".to_vec()))],
        );
        t.isolated = true;
        let c = ctx(&s, &t, i);
        let d = blame(&c, diagnose(&c));
        assert!(en(&d.message).starts_with("server: "), "{}", en(&d.message));
    }

    /// q3.pair.chat at the client's first line to print (`Bonjour client`),
    /// with `ev` before it, the wire observed.
    fn at_client_line(
        ev: Vec<(Actor, Event)>,
    ) -> (
        crate::scenario::Scenario,
        crate::transcript::Transcript,
        usize,
    ) {
        use crate::scenario::{Action, Side};
        let s = catalogue("q3.pair.chat");
        let i = s
            .steps
            .iter()
            .position(|st| {
                st.side == Some(Side::Client) && matches!(st.action, Action::ExpectPrinted(_))
            })
            .unwrap();
        let mut t = tr(at_step(i, ev));
        t.isolated = true;
        (s, t, i)
    }

    #[test]
    fn rule_process_died() {
        use crate::scenario::Action;
        let printed_step = |a: &Action| matches!(a, Action::ExpectPrinted(_));
        // The child's traceback; the program itself goes on (no exit).
        let (s, t, i) = at(
            "q4.client.burst-in",
            printed_step,
            vec![
                printed(Actor::Client, "Traceback (most recent call last):"),
                printed(Actor::Client, "  File \"c.py\", line 14, in <module>"),
                printed(Actor::Client, "NameError: name 'ligen' is not defined"),
            ],
        );
        let c = ctx(&s, &t, i);
        assert_eq!(
            en(&diagnose(&c).message),
            "a process of the program crashed while the program went on: NameError: name 'ligen' is not defined"
        );
        assert!(process_died(&ctx(&s, &tr(vec![]), i)).is_none());
    }

    #[test]
    fn a_pair_blames_a_greeting_on_the_server() {
        // The client's line and the server's greeting race on the relay:
        // the server sent before it printed the client's line, either way.
        for client_first in [false, true] {
            let hello = (Actor::Server, Event::Relayed(b"Bienvenue\n".to_vec()));
            let line = (Actor::Client, Event::Relayed(b"Bonjour serveur\n".to_vec()));
            let mut ev = if client_first {
                vec![line, hello]
            } else {
                vec![hello, line]
            };
            ev.push(super::super::testkit::printed(
                Actor::Server,
                "Bonjour serveur",
            ));
            let (s, t, i) = at_client_line(ev);
            let c = ctx(&s, &t, i);
            let d = blame(&c, diagnose(&c));
            assert_eq!(d.code, Code::OutOfTurn);
            assert!(
                en(&d.message).starts_with("server: the server sent `Bienvenue` without waiting"),
                "{}",
                en(&d.message)
            );
        }
    }

    #[test]
    fn a_pair_blames_a_busy_loop_on_the_program_that_burnt_the_cpu() {
        let mut sample = cpu(1900.0, 2000.0);
        sample.0 = Actor::Server;
        // What the client was to print did cross the wire: without the
        // sample's owner, the client (which did not print it) is blamed.
        let turn = vec![
            (Actor::Client, Event::Relayed(b"Bonjour serveur\n".to_vec())),
            super::super::testkit::printed(Actor::Server, "Bonjour serveur"),
            (Actor::Server, Event::Relayed(b"Bonjour client\n".to_vec())),
        ];
        let (s, t, i) = at_client_line(turn.clone());
        let c = ctx(&s, &t, i);
        let d = blame(&c, busy_loop());
        assert!(en(&d.message).starts_with("client: "), "{}", en(&d.message));
        let mut ev = turn;
        ev.push(sample);
        let (s, t, i) = at_client_line(ev);
        let c = ctx(&s, &t, i);
        let d = blame(&c, busy_loop());
        assert!(en(&d.message).starts_with("server: "), "{}", en(&d.message));
    }

    #[test]
    fn a_pair_quotes_the_end_of_the_program_blamed() {
        use crate::scenario::Action;
        let is_printed = |a: &Action| matches!(a, Action::ExpectPrinted(_));
        // The client died before sending; the server, left alone, ended 0.
        let (s, mut t, i) = at(
            "q3.pair.chat",
            is_printed,
            vec![
                printed(Actor::Client, "Traceback (most recent call last):"),
                printed(Actor::Client, "NameError: name 'x' is not defined"),
                exited(Actor::Client, 41, Some(1), None),
                exited(Actor::Server, 40, Some(0), None),
            ],
        );
        t.isolated = true;
        let c = ctx(&s, &t, i);
        let d = blame(&c, diagnose(&c));
        assert_eq!(
            en(&d.message),
            "client: the program crashed: NameError: name 'x' is not defined"
        );
    }

    #[test]
    fn a_pair_names_the_program_at_fault() {
        let s = catalogue("q3.pair.chat");
        let d = blame(&ctx(&s, &tr(vec![]), 3), timeout());
        says(
            &d.message,
            "client: nothing happened before the deadline",
            "client\u{a0}: rien ne s'est passé avant l'échéance",
        );
        // Not in other scenarios.
        let s = server("q1", "");
        let d = blame(&ctx(&s, &tr(vec![]), 1), timeout());
        assert_eq!(en(&d.message), "nothing happened before the deadline");
    }
}

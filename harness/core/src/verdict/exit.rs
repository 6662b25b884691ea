//! Rules of the steps about ending: `expect_exit` (how the program exits;
//! `all`: every process of it ends) and `expect_calm` (after the peer
//! left: no busy loop, no flood, a clean end if any).

use super::ctx::{self, Ctx};
use super::rules::{busy, busy_loop, status_msg, timeout, Rule};
use crate::diagnosis::{short, Code, Diagnosis};
use crate::expect;
use crate::msg::Msg;
use crate::scenario::{Action, ExitKind};
use crate::stall;
use crate::submission;
use crate::transcript::{Actor, Event, ProcState, Transcript};

/// `expect_exit = "all"`.
pub(super) const ALL_END: &[Rule] = &[spinning, left_behind, always_timeout];

/// `expect_exit`, any other kind.
pub(super) const EXIT: &[Rule] = &[traceback, wrong_exit, busy, keeps_waiting, always_timeout];

/// `expect_calm`.
pub(super) const CALM: &[Rule] = &[
    flood,
    busy,
    traceback_on_leave,
    status_on_leave,
    always_timeout,
];

/// Python 2 code, whenever it is the cause: the first error (a
/// SyntaxError, or the first traceback) quotes a source line that holds a
/// Python 2 idiom (`print x`, `except E, e:`, `raw_input`, …). Meant for
/// the prelude every step shares (rules.rs).
pub(super) fn python2(c: &Ctx) -> Option<Diagnosis> {
    let is_syntax = |l: &String| {
        ["SyntaxError", "IndentationError", "TabError"]
            .iter()
            .any(|e| l.starts_with(e))
    };
    let syntax = c.all.iter().position(is_syntax);
    let block = match (ctx::first_traceback(&c.all), syntax) {
        (Some(tb), _) => tb,
        (None, Some(k)) => &c.all[..=k],
        (None, None) => return None,
    };
    let (kind, line) = submission::python2_idiom(&block.join("\n"))?;
    let last = block.last()?;
    let message = if is_syntax(last) {
        (
            Code::SyntaxError,
            Msg::new("diag-syntax-error").arg("line", last),
        )
    } else {
        (
            Code::Crashed,
            Msg::new("diag-crashed-traceback").arg("last", last),
        )
    };
    Some(Diagnosis::new(message.0, message.1, kind.hint(&line)))
}

fn always_timeout(_: &Ctx) -> Option<Diagnosis> {
    Some(timeout())
}

/// A busy loop, naming the process that spins (q4: often the receiving one).
fn spinning(c: &Ctx) -> Option<Diagnosis> {
    if !c.busy() {
        return None;
    }
    let spinning: Vec<_> = c
        .views()
        .unwrap_or_default()
        .iter()
        .filter(|v| v.actor == c.actor && v.state != ProcState::Zombie && v.call.is_none())
        .collect();
    if spinning.is_empty() {
        return Some(busy_loop());
    }
    Some(Diagnosis::new(
        Code::BusyLoop,
        Msg::new("diag-busy-loop-procs").arg("procs", stall::processes(spinning)),
        Msg::new("hint-busy-loop"),
    ))
}

/// Which processes are left, and why. A lone process still running (not
/// an orphan: its parent is the harness) may be one that cannot see the
/// peer leave.
fn left_behind(c: &Ctx) -> Option<Diagnosis> {
    let v = c.views()?;
    let until = c.tr.window(0, c.to);
    let root = until.iter().rev().find_map(|e| match e.event {
        Event::Started { pid, .. } if e.actor == c.actor => Some(pid),
        _ => None,
    });
    let root_alive = root.filter(|&r| {
        !until
            .iter()
            .any(|e| matches!(e.event, Event::Exited { pid, .. } if pid == r))
    });
    Some(match stall::left_behind(v, c.actor, root_alive) {
        d if d.code == Code::StillRunning => stall::peer_left_unseen(c.s, v, c.actor).unwrap_or(d),
        d => d,
    })
}

/// The program died on a traceback: at end of input (`eof-traceback`),
/// or anywhere (`crashed`). The first traceback once Ctrl-D was typed,
/// else the first of all (an earlier one, of a thread, did not end it).
pub(super) fn traceback(c: &Ctx) -> Option<Diagnosis> {
    let eof_at =
        c.tr.window(0, c.to)
            .iter()
            .position(|e| e.event == Event::TypedEof);
    let since_eof = eof_at
        .and_then(|k| ctx::traceback_last_line(&expect::printed_lines(c.tr, c.actor, k, c.to)));
    let last = since_eof.or_else(|| ctx::traceback_last_line(&c.printed_until_end()))?;
    let eof = eof_at.is_some();
    let clean = c.s.steps[c.i].action == Action::ExpectExit(ExitKind::Clean);
    let (code, message, hint) =
        if eof && (last.contains("EOFError") || last.contains("KeyboardInterrupt") || clean) {
            (
                Code::EofTraceback,
                "diag-eof-traceback",
                "hint-eof-traceback",
            )
        } else {
            (Code::Crashed, "diag-uncaught", "hint-uncaught")
        };
    Some(Diagnosis::new(
        code,
        Msg::new(message).arg("last", last),
        Msg::new(hint),
    ))
}

/// It exited: without a word where a message was asked, else with a
/// status that is not 0.
fn wrong_exit(c: &Ctx) -> Option<Diagnosis> {
    let (code, signal) = c.exit_in_window()?;
    let d = if c.s.steps[c.i].action == Action::ExpectExit(ExitKind::Message) {
        Diagnosis::new(
            Code::Crashed,
            Msg::new("diag-exit-silent"),
            Msg::new("hint-exit-silent"),
        )
    } else {
        Diagnosis::new(
            Code::Crashed,
            Msg::new("diag-exit-status").arg("status", status_msg(code, signal)),
            Msg::new("hint-exit-status"),
        )
    };
    Some(d)
}

/// It does not exit: it waits (quiescent), or ran to the deadline.
fn keeps_waiting(c: &Ctx) -> Option<Diagnosis> {
    (c.quiescent || c.seen(&Event::Deadline)).then(|| {
        Diagnosis::new(
            Code::StillRunning,
            Msg::new("diag-no-exit"),
            Msg::new("hint-no-exit"),
        )
    })
}

/// After the peer left it prints without end: quoting what floods (the
/// window's last line, not a start-up banner).
fn flood(c: &Ctx) -> Option<Diagnosis> {
    if !ctx::flooded(c.tr, c.actor, c.from, c.to) {
        return None;
    }
    let blank_tail = blank_flood(c.tr, c.actor, c.from, c.to);
    let message = match c.window_lines.last() {
        Some(l) if !blank_tail => Msg::new("diag-flood-after-peer").arg("sample", short(l)),
        _ => Msg::new("diag-flood-empty-lines"),
    };
    Some(Diagnosis::new(
        Code::OutputFlood,
        message,
        Msg::new("hint-flood-after-peer"),
    ))
}

/// Whether the last lines `actor` printed in entries `from..to` are empty
/// (empty lines are no lines to `printed_lines`: the events are read).
pub(super) fn blank_flood(tr: &Transcript, actor: Actor, from: usize, to: usize) -> bool {
    let tail: Vec<_> = tr
        .window(from, to)
        .iter()
        .rev()
        .filter_map(|e| match &e.event {
            Event::Printed { raw, .. } if e.actor == actor => Some(raw),
            _ => None,
        })
        .take(3)
        .collect();
    !tail.is_empty() && tail.iter().all(|r| r.iter().all(u8::is_ascii_whitespace))
}

/// When the peer leaves, it dies on a traceback.
fn traceback_on_leave(c: &Ctx) -> Option<Diagnosis> {
    let last = ctx::traceback_last_line(&c.printed_until_end())?;
    Some(Diagnosis::new(
        Code::Crashed,
        Msg::new("diag-peer-left-traceback").arg("last", last),
        Msg::new("hint-peer-left-traceback"),
    ))
}

/// When the peer leaves, it exits with a status that is not 0.
fn status_on_leave(c: &Ctx) -> Option<Diagnosis> {
    let (code, signal) = c.exit_in_window()?;
    Some(Diagnosis::new(
        Code::Crashed,
        Msg::new("diag-peer-left-status").arg("status", status_msg(code, signal)),
        Msg::new("hint-peer-left-status"),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::scenario::Scenario;
    use crate::transcript::{Actor, ProcView, Transcript, WaitsOn};

    /// A q2 client scenario ending with Ctrl-D then `expect_exit = KIND`
    /// (step 3), with `ev` in that step.
    fn exit_step(kind: &str, ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let s = client(
            "q2",
            &format!(
                "[[step]]\nlisten = true\n[[step]]\nstart = \"client\"\n[[step]]\neof = true\n\
                 [[step]]\nexpect_exit = \"{kind}\"\n"
            ),
        );
        let mut all = vec![
            (Actor::Harness, Event::Step(0)),
            (Actor::Harness, Event::Step(1)),
            started(Actor::Client, 41),
            (Actor::Harness, Event::Step(2)),
            (Actor::Client, Event::TypedEof),
            (Actor::Harness, Event::Step(3)),
        ];
        all.extend(ev);
        (s, tr(all), 3)
    }

    /// Like `exit_step("clean", …)`, with `ev` before the step's Ctrl-D
    /// (`ev` holds its own).
    fn client_eof_after(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let (s, t, i) = exit_step("clean", vec![]);
        let mut all: Vec<_> = t
            .entries
            .iter()
            .filter(|e| e.event != Event::TypedEof)
            .map(|e| (e.actor, e.event.clone()))
            .collect();
        all.extend(ev);
        (s, tr(all), i)
    }

    fn view(pid: i32, ppid: i32, call: Option<&str>, on: WaitsOn) -> ProcView {
        ProcView {
            ppid,
            state: if call.is_some() {
                ProcState::Sleeping
            } else {
                ProcState::Running
            },
            ..proc_view(Actor::Client, pid, call, on)
        }
    }

    #[test]
    fn rule_spinning() {
        let snap = vec![
            view(41, 1, Some("read"), WaitsOn::Keyboard),
            view(42, 41, None, WaitsOn::Nothing),
        ];
        let (s, t, i) = exit_step("all", vec![cpu(1990.0, 2000.0), snapshot(snap)]);
        let d = spinning(&ctx(&s, &t, i)).unwrap();
        assert_eq!(
            en(&d.message),
            "the program burns CPU in a loop while it has nothing to do: client (pid 42) is running"
        );
        assert_eq!(d.named_pids(), [42]);
        assert_eq!(
            said(spinning, exit_step("all", vec![cpu(1990.0, 2000.0)])),
            "the program burns CPU in a loop while it has nothing to do"
        );
        assert!(silent(spinning, exit_step("all", vec![])));
    }

    #[test]
    fn rule_left_behind() {
        let snap = |v| vec![snapshot(v)];
        // Its own process still there, waiting: still running.
        let waiting = snap(vec![view(41, 1, Some("read"), WaitsOn::Keyboard)]);
        let case = exit_step("all", waiting);
        assert_eq!(coded(left_behind, case), Some(Code::StillRunning));
        // Its child, once it exited: an orphan.
        let mut ev = vec![exited(Actor::Client, 41, Some(0), None)];
        ev.extend(snap(vec![view(42, 1, Some("read"), WaitsOn::Keyboard)]));
        assert_eq!(coded(left_behind, exit_step("all", ev)), Some(Code::Orphan));
        assert!(silent(left_behind, exit_step("all", vec![])));
    }

    #[test]
    fn rule_traceback() {
        let tb = |last: &str| {
            vec![
                printed(Actor::Client, "Traceback (most recent call last):"),
                printed(Actor::Client, last),
            ]
        };
        assert_eq!(
            said(
                traceback,
                exit_step("clean", tb("EOFError: EOF when reading a line"))
            ),
            "at end of input the program dies with a traceback: EOFError: EOF when reading a line"
        );
        assert_eq!(
            said(traceback, exit_step("message", tb("ValueError: x"))),
            "the program dies with an uncaught exception: ValueError: x"
        );
        assert!(silent(traceback, exit_step("clean", vec![])));
    }

    /// `input("> ")` then Ctrl-D: the traceback begins after the prompt.
    #[test]
    fn rule_traceback_after_a_prompt() {
        let ev = vec![
            printed(Actor::Client, "> > Traceback (most recent call last):"),
            printed(Actor::Client, "  File \"client.py\", line 9, in <module>"),
            printed(Actor::Client, "    ligne = input(\"> \")"),
            printed(Actor::Client, "EOFError: EOF when reading a line"),
            exited(Actor::Client, 41, Some(1), None),
        ];
        let case = exit_step("clean", ev);
        assert_eq!(coded(traceback, case.clone()), Some(Code::EofTraceback));
        assert_eq!(
            said(traceback, case),
            "at end of input the program dies with a traceback: EOFError: EOF when reading a line"
        );
        // A prompt alone, then a clean exit: nothing to say.
        let clean = vec![
            printed(Actor::Client, "> > "),
            exited(Actor::Client, 41, Some(0), None),
        ];
        assert!(silent(traceback, exit_step("clean", clean)));
    }

    /// The first fatal error is the cause; what comes once the harness
    /// ends the run (its own Ctrl-D) is not the program's doing.
    #[test]
    fn the_first_error_before_teardown_is_the_cause() {
        let tb = |last: &str| {
            vec![
                printed(Actor::Client, "Traceback (most recent call last):"),
                printed(Actor::Client, "  File \"c.py\", line 3, in <module>"),
                printed(Actor::Client, "    x()"),
                printed(Actor::Client, last),
            ]
        };
        let mut ev = tb("NameError: name 'envoyer' is not defined");
        ev.push(exited(Actor::Client, 41, Some(1), None));
        ev.push((Actor::Harness, Event::Teardown));
        ev.extend(tb("EOFError: EOF when reading a line"));
        let (s, t, i) = exit_step("clean", ev);
        let c = ctx(&s, &t, i);
        assert!(!c.all.iter().any(|l| l.contains("EOFError")));
        let d = super::super::rules::crashed(&c).unwrap();
        assert_eq!(
            en(&d.message),
            "the program crashed: NameError: name 'envoyer' is not defined"
        );
        // A thread's traceback, then Ctrl-D kills the program: the EOFError.
        let mut thread = tb("NameError: name 'envoyer' is not defined");
        thread.push((Actor::Client, Event::TypedEof));
        thread.extend(tb("EOFError: EOF when reading a line"));
        let (s, t, i) = client_eof_after(thread);
        assert_eq!(
            en(&traceback(&ctx(&s, &t, i)).unwrap().message),
            "at end of input the program dies with a traceback: EOFError: EOF when reading a line"
        );
        // Two tracebacks before teardown: the first one.
        let mut both = tb("NameError: name 'envoyer' is not defined");
        both.extend(tb("EOFError: EOF when reading a line"));
        assert_eq!(
            said(traceback, exit_step("message", both)),
            "the program dies with an uncaught exception: NameError: name 'envoyer' is not defined"
        );
    }

    /// Python 2 named from the quoted source line, at run time or when
    /// Python refuses the file.
    #[test]
    fn rule_python2() {
        let tb = |src: &str, last: &str| {
            let mut ev = vec![
                printed(Actor::Client, "Traceback (most recent call last):"),
                printed(Actor::Client, "  File \"c.py\", line 7, in <module>"),
                printed(Actor::Client, src),
                printed(Actor::Client, last),
            ];
            ev.push(exited(Actor::Client, 41, Some(1), None));
            exit_step("clean", ev)
        };
        let case = tb(
            "    ligne = raw_input()",
            "NameError: name 'raw_input' is not defined",
        );
        let (s, t, i) = case.clone();
        let d = python2(&ctx(&s, &t, i)).unwrap();
        assert_eq!(d.code, Code::Crashed);
        says(
            d.hint.as_ref().unwrap(),
            "this is Python 2: `ligne = raw_input()`: raw_input() is called input() in Python 3",
            "c'est du Python 2\u{a0}: `ligne = raw_input()`\u{a0}: raw_input() s'appelle input() en Python 3",
        );
        let syntax = exit_step(
            "clean",
            vec![
                printed(Actor::Client, "  File \"c.py\", line 12"),
                printed(Actor::Client, "    except socket.error, e:"),
                printed(Actor::Client, "           ^^^^^^^^^^^^^^^"),
                printed(
                    Actor::Client,
                    "SyntaxError: multiple exception types must be parenthesized",
                ),
            ],
        );
        assert_eq!(coded(python2, syntax.clone()), Some(Code::SyntaxError));
        let (s, t, i) = syntax;
        assert!(en(python2(&ctx(&s, &t, i)).unwrap().hint.as_ref().unwrap())
            .contains("except socket.error as e:"));
        // Python 3 code that crashes: not Python 2's fault.
        let py3 = tb("    ligne = input()", "EOFError: EOF when reading a line");
        assert!(silent(python2, py3));
        assert!(silent(
            python2,
            tb("    print(x)", "NameError: name 'x' is not defined")
        ));
    }

    #[test]
    fn rule_wrong_exit() {
        let status = |n| vec![exited(Actor::Client, 41, Some(n), None)];
        assert_eq!(
            said(wrong_exit, exit_step("clean", status(2))),
            "the program exits with status 2"
        );
        assert_eq!(
            said(wrong_exit, exit_step("message", status(0))),
            "the program exited without a word"
        );
        assert!(silent(wrong_exit, exit_step("clean", vec![])));
    }

    #[test]
    fn rule_keeps_waiting() {
        for e in [Event::Quiescent, Event::Deadline] {
            let case = exit_step("clean", vec![(Actor::Harness, e)]);
            assert_eq!(coded(keeps_waiting, case), Some(Code::StillRunning));
        }
        assert!(silent(keeps_waiting, exit_step("clean", vec![])));
    }

    /// q1's client-leaves scenario, at its `expect_calm` step, with `ev`.
    fn calm_step(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let calm = |a: &Action| matches!(a, Action::ExpectCalm(_));
        at("q1.server.client-leaves", calm, ev)
    }

    #[test]
    fn rule_flood() {
        let lines = (0..201).map(|_| printed(Actor::Server, "encore")).collect();
        assert_eq!(
            said(flood, calm_step(lines)),
            "after the peer left, the program prints without end (`encore` …)"
        );
        assert!(silent(
            flood,
            calm_step(vec![printed(Actor::Server, "bye")])
        ));
        // What floods is quoted, not the start-up banner.
        let mut banner = vec![printed(Actor::Server, "Serveur prêt")];
        banner.extend((0..201).map(|_| printed(Actor::Server, "")));
        let (s, t, i) = calm_step(banner);
        says(
            &flood(&ctx(&s, &t, i)).unwrap().message,
            "after the peer left, the program prints empty lines without end",
            "après le départ du pair, le programme affiche sans fin des lignes vides",
        );
    }

    /// A flood that starts once teardown began is not the program's
    /// failure at this step.
    #[test]
    fn a_flood_after_teardown_is_not_a_flood() {
        let mut ev = vec![
            printed(Actor::Server, "bye"),
            (Actor::Harness, Event::Teardown),
        ];
        ev.extend((0..300).map(|_| printed(Actor::Server, "")));
        ev.push((
            Actor::Server,
            Event::OutputDropped {
                of: crate::transcript::Data::Printed,
                count: crate::transcript::Dropped::default(),
            },
        ));
        assert!(silent(flood, calm_step(ev)));
    }

    #[test]
    fn rule_traceback_on_leave() {
        let tb = vec![
            printed(Actor::Server, "Traceback (most recent call last):"),
            printed(Actor::Server, "BrokenPipeError: [Errno 32] Broken pipe"),
        ];
        assert_eq!(
            said(traceback_on_leave, calm_step(tb)),
            "when the peer leaves, the program dies with a traceback: BrokenPipeError: [Errno 32] Broken pipe"
        );
        assert!(silent(traceback_on_leave, calm_step(vec![])));
    }

    #[test]
    fn rule_status_on_leave() {
        let (s, t, i) = calm_step(vec![exited(Actor::Server, 40, None, Some(11))]);
        says(
            &status_on_leave(&ctx(&s, &t, i)).unwrap().message,
            "when the peer leaves, the program exits with signal 11",
            "quand le pair part, le programme se termine avec le signal 11",
        );
        assert!(silent(status_on_leave, calm_step(vec![])));
    }
}

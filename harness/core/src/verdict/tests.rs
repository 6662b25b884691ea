//! `judge` on hand-built transcripts: whole verdicts (the rules have
//! their own tests beside them), and on any transcript.

use super::testkit::{
    self, cpu, en, exited, fr, opening, opening_started, proc_view, server, snapshot, tr,
};
use super::*;
use crate::transcript::{Actor, Limit, ProcState, ProcView, WaitsOn};

fn scenario() -> Scenario {
    server(
        "q1",
        "[[step]]\nsend = [\"Bonj\", \"our\\n\"]\n[[step]]\nexpect_printed = [\"Bonjour\"]\n",
    )
}

fn printed(line: &str) -> (Actor, Event) {
    testkit::printed(Actor::Server, line)
}

fn run(lines: &[&str]) -> Verdict {
    let mut ev = opening(1);
    ev.extend([
        (Actor::Harness, Event::Step(2)),
        (Actor::Peer, Event::Sent(b"Bonj".to_vec())),
        (Actor::Peer, Event::Sent(b"our\n".to_vec())),
        (Actor::Harness, Event::Step(3)),
    ]);
    ev.extend(lines.iter().map(|l| printed(l)));
    ev.push((Actor::Harness, Event::Quiescent));
    ev.push((Actor::Harness, Event::Teardown));
    judge(&scenario(), &tr(ev))
}

#[test]
fn whole_line_passes_even_decorated() {
    assert_eq!(run(&["Reçu : Bonjour"]).status, Status::Pass);
    assert_eq!(run(&["Bonjour"]).score, 1.0);
}

#[test]
fn split_line_is_diagnosed() {
    let v = run(&["Bonj", "our", ""]);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.diagnosis.unwrap().code, Code::SplitLine);
    assert_eq!(
        run(&["Reçu : Bonj", "Reçu : our"]).diagnosis.unwrap().code,
        Code::SplitLine
    );
}

#[test]
fn bytes_repr_is_diagnosed() {
    assert_eq!(
        run(&["b'Bonj'", "b'our\\n'"]).diagnosis.unwrap().code,
        Code::BytesRepr
    );
}

#[test]
fn nothing_printed_is_a_missing_line() {
    let v = run(&[]);
    assert_eq!(v.diagnosis.unwrap().code, Code::MissingLine);
    assert_eq!(v.failed_step, Some(3));
}

fn peer_leaves(last: Vec<(Actor, Event)>) -> Verdict {
    let s = server(
        "q4",
        "[[step]]\nclose = true\n[[step]]\nexpect_exit = \"all\"\n",
    );
    let mut ev = opening(40);
    ev.extend([
        (Actor::Harness, Event::Step(2)),
        (Actor::Peer, Event::PeerClosed),
        (Actor::Harness, Event::Step(3)),
    ]);
    ev.extend(last);
    ev.push((Actor::Harness, Event::Teardown));
    judge(&s, &tr(ev))
}

fn view(pid: i32, ppid: i32, state: ProcState, on: WaitsOn) -> ProcView {
    ProcView {
        ppid,
        state,
        ..proc_view(
            Actor::Server,
            pid,
            (state == ProcState::Sleeping).then_some("read"),
            on,
        )
    }
}

#[test]
fn a_process_spinning_after_the_peer_left_is_a_busy_loop() {
    let v = peer_leaves(vec![
        (Actor::Harness, Event::Deadline),
        (
            Actor::Harness,
            Event::Cpu {
                used_ms: 1900.0,
                runnable_ms: 1990.0,
                window_ms: 2000.0,
            },
        ),
        snapshot(vec![
            view(40, 1, ProcState::Sleeping, WaitsOn::Keyboard),
            view(41, 40, ProcState::Running, WaitsOn::Nothing),
        ]),
    ]);
    assert_eq!(v.evidence.at_fault, [41]);
    let d = v.diagnosis.unwrap();
    assert_eq!(d.code, Code::BusyLoop);
    assert!(
        en(&d.message).ends_with("server (pid 41) is running"),
        "{}",
        en(&d.message)
    );
}

#[test]
fn a_lone_process_on_the_keyboard_is_an_orphan_when_its_parent_ended() {
    let quiet = |views| {
        vec![
            (Actor::Harness, Event::Quiescent),
            cpu(0.0, 5.0),
            snapshot(views),
        ]
    };
    // The program's own process, alone on the keyboard: it alternates.
    let v = peer_leaves(quiet(vec![view(
        40,
        1,
        ProcState::Sleeping,
        WaitsOn::Keyboard,
    )]));
    assert_eq!(v.diagnosis.unwrap().code, Code::HalfDuplex);
    // Its child, left alone once the program's process exited: an orphan.
    let mut ev = vec![exited(Actor::Server, 40, Some(0), None)];
    ev.extend(quiet(vec![view(
        41,
        1,
        ProcState::Sleeping,
        WaitsOn::Keyboard,
    )]));
    assert_eq!(peer_leaves(ev).diagnosis.unwrap().code, Code::Orphan);
}

#[test]
fn a_limit_hit_fails_whatever_else_happened() {
    let mut ev = vec![
        (Actor::Harness, Event::Step(0)),
        printed("Bonjour"),
        (Actor::Harness, Event::Step(3)),
        printed("\u{1b}[2J\u{7}Bon\u{8}jour\u{9b}"),
        (
            Actor::Server,
            Event::LimitHit {
                limit: Limit::Processes,
                max: 64,
            },
        ),
    ];
    ev.push((Actor::Harness, Event::Teardown));
    let v = judge(&scenario(), &tr(ev.clone()));
    assert_eq!(v.status, Status::Fail);
    assert_eq!(v.failed_step, Some(3));
    let d = v.diagnosis.unwrap();
    assert_eq!(d.code, Code::Limit);
    assert!(en(&d.message).contains("processes") && fr(&d.message).contains("processus"));
    ev[4].1 = Event::LimitHit {
        limit: Limit::Output,
        max: 256 << 10,
    };
    let d = judge(&scenario(), &tr(ev)).diagnosis.unwrap();
    assert_eq!(d.code, Code::OutputFlood);
    assert!(en(&d.message).contains("256 KiB"), "{}", en(&d.message));
    // What the program printed is quoted without its control bytes.
    assert!(
        en(&d.message).contains("(`Bonjour` …)"),
        "{}",
        en(&d.message)
    );
}

#[test]
fn a_syntax_error_names_python_2() {
    let ev = vec![
        (Actor::Harness, Event::Step(0)),
        printed("    print data"),
        printed("SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?"),
        exited(Actor::Server, 1, Some(1), None),
        (Actor::Harness, Event::Step(1)),
        (Actor::Peer, Event::ConnectRefused { port: 8080 }),
        (Actor::Harness, Event::Teardown),
    ];
    let d = judge(&scenario(), &tr(ev)).diagnosis.unwrap();
    assert_eq!(d.code, Code::SyntaxError);
    assert!(en(d.hint.as_ref().unwrap()).contains("Python 2"));
}

/// The pair scenarios' relay: the client connected to the harness, the
/// server had already exited with status 3 (a syntax error is enough).
fn pair_server_gone(with_client_exit: bool) -> Verdict {
    let s = testkit::catalogue("q3.pair.chat");
    let mut ev = vec![
        (Actor::Harness, Event::Step(0)),
        (
            Actor::Server,
            Event::Started {
                pid: 40,
                command: "python3 it.py".into(),
            },
        ),
        (Actor::Harness, Event::Step(1)),
        (Actor::Harness, Event::Step(2)),
        (
            Actor::Client,
            Event::Started {
                pid: 41,
                command: "python3 client.py".into(),
            },
        ),
        (Actor::Harness, Event::Step(3)),
    ];
    if !with_client_exit {
        ev.push((Actor::Client, Event::Connected { port: 8080 }));
    }
    ev.push(exited(Actor::Server, 40, Some(3), None));
    if with_client_exit {
        ev.push(exited(Actor::Client, 41, Some(3), None));
    } else {
        ev.push((Actor::Peer, Event::ConnectRefused { port: 8080 }));
    }
    ev.push((Actor::Harness, Event::Teardown));
    let mut t = tr(ev);
    t.isolated = true;
    judge(&s, &t)
}

#[test]
fn a_pair_whose_server_exited_at_once_fails_the_server() {
    for client_exits in [false, true] {
        let v = pair_server_gone(client_exits);
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.failed_step, Some(3));
        let d = v.diagnosis.unwrap();
        assert_eq!(d.code, Code::Crashed);
        assert!(
            en(&d.message).starts_with("server: ") && en(&d.message).contains("status 3"),
            "{}",
            en(&d.message)
        );
    }
}

mod total {
    use super::super::testkit::{scenario_and_transcript, whole_catalogue};
    use super::super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Whatever the transcript, `judge` returns a verdict that is
        /// consistent: a pass without diagnosis and with the points, a
        /// failure with one, a step that exists; never `error` (the
        /// grader's faults are judged at the scenario's boundary).
        #[test]
        fn judge_returns_a_consistent_verdict_on_any_transcript(
            (k, tr) in scenario_and_transcript()
        ) {
            let s = &whole_catalogue()[k];
            let v = judge(s, &tr);
            prop_assert!(v.failed_step.is_none_or(|i| i < s.steps.len()));
            match v.status {
                Status::Pass => {
                    prop_assert!(v.diagnosis.is_none());
                    prop_assert_eq!(v.score, s.points);
                }
                Status::Fail => {
                    prop_assert!(v.diagnosis.is_some());
                    prop_assert_eq!(v.score, 0.0);
                }
                Status::Error | Status::Skip => {
                    prop_assert!(false, "judge neither errs nor skips: {:?}", v)
                }
            }
        }
    }
}

/// q3's deadlock demo, run to its last step: both programs in recv().
fn demo_deadlock(views: Vec<ProcView>) -> (Scenario, Transcript) {
    let s = super::testkit::catalogue("q3.demo.deadlock");
    let last = s.steps.len() - 1;
    let mut ev: Vec<(Actor, Event)> = Vec::new();
    for i in 0..last {
        ev.push((Actor::Harness, Event::Step(i)));
        if matches!(s.steps[i].action, Action::Accept) {
            ev.push((Actor::Client, Event::Connected { port: 8080 }));
            ev.push((Actor::Server, Event::Connected { port: 8080 }));
        }
    }
    ev.push((Actor::Harness, Event::Step(last)));
    ev.push((Actor::Harness, Event::Quiescent));
    ev.push(snapshot(views));
    ev.push((Actor::Harness, Event::Teardown));
    let mut t = tr(ev);
    t.isolated = true;
    (s, t)
}

fn recv(actor: Actor, pid: i32) -> ProcView {
    proc_view(
        actor,
        pid,
        Some("recv"),
        WaitsOn::Socket(actor.other_program()),
    )
}

#[test]
fn a_proven_deadlock_is_the_evidence_of_a_pass() {
    let (s, t) = demo_deadlock(vec![recv(Actor::Server, 40), recv(Actor::Client, 41)]);
    let v = judge(&s, &t);
    assert_eq!(v.status, Status::Pass, "{v:?}");
    let cycle = v.evidence.cycle.as_ref().unwrap();
    assert_eq!((cycle.client.pid, cycle.server.pid), (41, 40));
    let snap = v.evidence.snapshot.as_ref().unwrap();
    let at = t
        .entries
        .iter()
        .find(|e| matches!(e.event, Event::Snapshot(_)))
        .unwrap();
    assert_eq!(snap.t, at.t);
    // No cycle: a failure, with the snapshot it read and no cycle.
    let (s, t) = demo_deadlock(vec![recv(Actor::Server, 40)]);
    let v = judge(&s, &t);
    assert_eq!(v.diagnosis.as_ref().unwrap().code, Code::NoDeadlock);
    assert!(v.evidence.cycle.is_none() && v.evidence.snapshot.is_some());
    assert_eq!(v.evidence.at_fault, [40]);
}

#[test]
fn hints_name_the_port_graded_on() {
    let s = server("q1", "");
    let mut ev = opening_started(40);
    ev.extend([
        (Actor::Harness, Event::Step(1)),
        (Actor::Harness, Event::Teardown),
    ]);
    let mut t = tr(ev);
    t.port = Some(9000);
    let v = judge(&s, &t);
    let d = v.diagnosis.unwrap();
    assert_eq!(d.code, Code::NotListening);
    testkit::explains(
        &d,
        "nothing listens on port 9000",
        "call bind(('', 9000)) then listen() before accept()",
    );
    assert_eq!(
        en(v.expected.as_ref().unwrap()),
        "the server listens and accepts the connection"
    );
}

#[test]
fn expected_lines_are_quoted_and_a_long_one_cut() {
    let long = "x".repeat(70);
    let m = expected(&Action::ExpectPrinted(vec!["un".into(), long])).unwrap();
    assert_eq!(
        en(&m),
        format!(
            "printed, each on its own line: `un`, `{}…` (70 characters)",
            "x".repeat(60)
        )
    );
    assert!(fr(&m).starts_with("affiché, chacune sur sa ligne\u{a0}: `un`, `x"));
    assert!(fr(&m).ends_with("…` (70 caractères)"));
    assert_eq!(expected(&Action::ExpectExit(ExitKind::Any)), None);
}

#[test]
fn a_grader_fault_says_whose_fault_it_is() {
    let v = grader_fault(Code::Environment, "no pty");
    assert_eq!(v.status, Status::Error);
    assert_eq!(
        v.message(&Lang::builtin("en")).unwrap(),
        "a fault of the grader, not of the program graded: no pty"
    );
}

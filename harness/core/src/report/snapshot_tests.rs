//! Every format, byte for byte, on hand-built reports (no process, so no
//! time varies: durations are fixed), in English and in French. A change of
//! output shows as a snapshot diff to review (`cargo insta review`).

use super::tests::{diagnosis, outcome, report, with_problem};
use super::*;
use crate::transcript::{
    Actor, Data, Dropped, Event, Exit, Limit, ProcState, ProcView, StartFailure, WaitsOn,
};
use crate::verdict::testkit::proc_view as view;

fn ms(n: u64) -> Duration {
    Duration::from_micros(n * 100)
}

/// A transcript written 0.7 ms an event.
#[derive(Default)]
struct Run {
    tr: Transcript,
    t: u64,
}

impl Run {
    fn push(&mut self, actor: Actor, event: Event) {
        self.t += 7;
        self.tr.push(ms(self.t), actor, event);
    }
}

/// One of every kind of event, in the order a run could write them.
fn every_event() -> Transcript {
    let mut run = Run::default();
    programs_talk(&mut run);
    stalls_and_ends(&mut run);
    run.tr
}

/// Starts, connections, data.
fn programs_talk(run: &mut Run) {
    let mut push = |actor, event| run.push(actor, event);
    push(Actor::Harness, Event::Step(0));
    push(
        Actor::Server,
        Event::Started {
            pid: 40,
            command: "python3 serveur.py".into(),
        },
    );
    push(Actor::Server, Event::Listening { port: 8080 });
    push(
        Actor::Peer,
        Event::ConnectCalls {
            port: 8080,
            calls: 1,
        },
    );
    push(Actor::Peer, Event::Connected { port: 8080 });
    push(Actor::Peer, Event::Sent(b"Bonj".to_vec()));
    push(Actor::Peer, Event::Sent(b"our\n<&>\"'\0\xff".to_vec()));
    push(Actor::Peer, Event::Received(b"ok\r\n".to_vec()));
    push(
        Actor::Server,
        Event::Printed {
            raw: "Ça marche, très bien ! € 100% #1".into(),
            newline: true,
        },
    );
    push(
        Actor::Server,
        Event::Printed {
            raw: b"no newline".to_vec(),
            newline: false,
        },
    );
    push(
        Actor::Server,
        Event::Printed {
            raw: "x".repeat(130).into(),
            newline: true,
        },
    );
    push(Actor::Harness, Event::Step(1));
    push(Actor::Client, Event::Typed("Bonjour ?".into()));
    push(Actor::Client, Event::TypedEof);
    push(Actor::Client, Event::Interrupted);
    push(Actor::Client, Event::ConnectAttempt { port: 9090 });
    push(Actor::Peer, Event::ConnectRefused { port: 8080 });
    push(Actor::Client, Event::Relayed(b"salut\n".to_vec()));
    push(Actor::Client, Event::RelayClosed);
    push(Actor::Harness, Event::WireUnobserved);
}

/// Quiescence, process states, limits, ends.
fn stalls_and_ends(run: &mut Run) {
    let mut push = |actor, event| run.push(actor, event);
    push(Actor::Harness, Event::Quiescent);
    push(
        Actor::Harness,
        Event::Cpu {
            used_ms: 812.4,
            runnable_ms: 990.0,
            window_ms: 1000.2,
        },
    );
    push(
        Actor::Harness,
        Event::Snapshot(vec![
            view(Actor::Server, 40, Some("read"), WaitsOn::Keyboard),
            view(Actor::Server, 41, Some("wait4"), WaitsOn::Children),
            view(Actor::Client, 42, Some("recv"), WaitsOn::Socket(None)),
            view(Actor::Client, 43, Some("accept"), WaitsOn::Listener),
            view(Actor::Client, 44, None, WaitsOn::Nothing),
            ProcView {
                state: ProcState::Zombie,
                ..view(Actor::Client, 45, None, WaitsOn::Nothing)
            },
            view(Actor::Client, 46, Some("poll"), WaitsOn::Other),
        ]),
    );
    push(Actor::Harness, Event::Deadline);
    push(
        Actor::Server,
        Event::OutputDropped {
            of: Data::Printed,
            count: Dropped {
                events: 185_000,
                bytes: 190_000_000,
                lines: 1,
            },
        },
    );
    push(
        Actor::Server,
        Event::LimitHit {
            limit: Limit::Memory,
            max: 268_435_456,
        },
    );
    push(
        Actor::Client,
        Event::StartFailed {
            failure: StartFailure::CompileError,
            detail: "c.c:1:5: error: expected ';'".into(),
        },
    );
    push(Actor::Peer, Event::PeerSawClose);
    push(Actor::Peer, Event::PeerClosed);
    push(Actor::Harness, Event::Teardown);
    push(
        Actor::Server,
        Event::Exited {
            pid: 40,
            exit: Exit::Code(1),
        },
    );
    push(
        Actor::Client,
        Event::Exited {
            pid: 42,
            exit: Exit::Signal(9),
        },
    );
    push(Actor::Harness, Event::Killed { pids: vec![44, 46] });
    push(Actor::Client, Event::AllEnded);
}

/// Both programs asleep in `recv()`, each waiting for the other.
fn deadlock() -> Transcript {
    let mut tr = Transcript::default();
    tr.push(ms(3), Actor::Harness, Event::Step(0));
    tr.push(ms(9), Actor::Harness, Event::Quiescent);
    tr.push(
        ms(9),
        Actor::Harness,
        Event::Snapshot(vec![
            view(
                Actor::Server,
                40,
                Some("recv"),
                WaitsOn::Socket(Some(Actor::Client)),
            ),
            view(
                Actor::Client,
                41,
                Some("recv"),
                WaitsOn::Socket(Some(Actor::Server)),
            ),
        ]),
    );
    tr
}

/// More events than a failure's excerpt shows.
fn long_run() -> Transcript {
    let mut tr = Transcript::default();
    for k in 0..30u64 {
        tr.push(
            Duration::from_millis(1000 * k + 5),
            Actor::Client,
            Event::Printed {
                raw: format!("line {k}").into(),
                newline: true,
            },
        );
    }
    tr
}

/// The shared fixture, with a transcript of every event, a deadlock, a
/// long run, and the run's surroundings (isolation note, client, wall).
pub(crate) fn rich(lang: &Lang) -> Report {
    let mut r = report(lang);
    r.outcomes[1].transcript = every_event();
    r.outcomes[1].verdict.failed_step = Some(1);
    r.outcomes[2].transcript = deadlock();
    let mut q3 = outcome(
        "q3.server.alternation",
        1.5,
        "Five rounds",
        Status::Fail,
        Some("missing-line"),
    );
    q3.transcript = long_run();
    q3.verdict.diagnosis = Some(diagnosis(
        "missing-line",
        ("line 5 never arrived", "la ligne 5 n'est jamais arrivée"),
        ("", ""),
    ));
    q3.duration = Duration::from_millis(30_123);
    r.outcomes.push(q3);
    // A pass with a note: advice that costs no points, in every format.
    let pass = r
        .outcomes
        .iter_mut()
        .find(|o| o.verdict.status == Status::Pass)
        .expect("the fixture has a pass");
    pass.verdict.notes.push(
        Msg::new("note-network-traceback")
            .arg("line", "BrokenPipeError: [Errno 32] Broken pipe")
            .arg("error", "BrokenPipeError"),
    );
    r.client = Some("python3 client.py".into());
    r.isolation_note =
        Some("scenarios ran one at a time on the host's port 8080 (no network namespace)".into());
    r.wall = Duration::from_millis(2_849);
    r.date = Some(std::time::UNIX_EPOCH + Duration::from_secs(1_796_281_257));
    r.verbose = true;
    r
}

fn render(r: &dyn Reporter, rep: &Report) -> String {
    let mut out = Vec::new();
    r.write(rep, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every format of `rep`, each a snapshot named `{name}-{format}-{lang}`.
fn snapshot_every_format(name: &str, rep: impl Fn(&Lang) -> Report) {
    for lang in ["en", "fr"] {
        let r = rep(&super::tests::test_lang(lang));
        for format in FORMATS {
            let mut text = render(&*by_name(format).unwrap(), &r);
            if *format == "classroom" {
                // One line of base64: the snapshot is what it decodes to.
                let doc = classroom::decode(&text).expect("base64 of a runner result");
                text = serde_json::to_string_pretty(&doc).unwrap();
            }
            insta::assert_snapshot!(format!("{name}-{format}-{lang}"), text);
        }
    }
}

#[test]
fn every_format_of_a_rich_report() {
    snapshot_every_format("rich", rich);
}

#[test]
fn every_format_of_a_submission_problem() {
    snapshot_every_format("problem", with_problem);
}

#[test]
fn the_human_report_in_colour() {
    let r = Report {
        color: true,
        verbose: false,
        ..rich(&super::tests::test_lang("en"))
    };
    insta::assert_snapshot!("rich-human-colour-en", render(&human::Human, &r));
}

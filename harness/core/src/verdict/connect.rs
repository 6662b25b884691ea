//! Rules of the connection steps: `connect` (the peer connects to the
//! server under test) and `accept` (the client under test connects).

use super::ctx::{self, Ctx};
use super::rules::{crash, crashed, Rule};
use crate::diagnosis::{Code, Diagnosis};
use crate::msg::Msg;
use crate::scenario::{Action, Role};
use crate::transcript::{Actor, Event};

/// `connect`: the server does not take the peer's connection.
pub(super) const CONNECT: &[Rule] = &[
    elsewhere_after_restart,
    listens_elsewhere,
    crashed,
    super::waits::keyboard_before_listen,
    not_listening,
];

/// `accept`: the client does not connect.
pub(super) const ACCEPT: &[Rule] = &[
    pair_server_at_fault,
    connects_elsewhere,
    refused,
    client_crashed,
    super::waits::keyboard_before_connect,
    never_connected,
];

/// Restarted at once, the server listens on another port although it had
/// taken the connection on the right one before: bind failed (no
/// SO_REUSEADDR), its result ignored, and listen picked an ephemeral port.
fn elsewhere_after_restart(c: &Ctx) -> Option<Diagnosis> {
    let restart = (0..c.i)
        .filter(|&j| matches!(c.s.steps[j].action, Action::Restart(_)))
        .find_map(|j| c.tr.step_start(j))?;
    let (before, after) = c.tr.entries.split_at(restart.min(c.tr.entries.len()));
    let right_before = before
        .iter()
        .any(|e| e.event == Event::Connected { port: c.port });
    let p = after.iter().find_map(|e| match e.event {
        Event::Listening { port } if port != c.port => Some(port),
        _ => None,
    })?;
    right_before.then(|| {
        Diagnosis::new(
            Code::NoReuseaddr,
            Msg::new("diag-no-reuseaddr-elsewhere")
                .arg("listens", p.to_string())
                .arg("port", c.port.to_string()),
            Msg::new("hint-no-reuseaddr-unchecked"),
        )
    })
}

/// The server listens, on another port.
fn listens_elsewhere(c: &Ctx) -> Option<Diagnosis> {
    let p = c.tr.entries.iter().find_map(|e| match e.event {
        Event::Listening { port } => Some(port),
        _ => None,
    })?;
    Some(Diagnosis::new(
        Code::WrongPort,
        Msg::new("diag-wrong-port-server")
            .arg("listens", p.to_string())
            .arg("port", c.port.to_string()),
        Msg::new("hint-wrong-port-server")
            .arg("listens", p.to_string())
            .arg("port", c.port.to_string()),
    ))
}

/// Nothing listens (said so when the program waits for something else).
fn not_listening(c: &Ctx) -> Option<Diagnosis> {
    let message = if c.quiescent {
        "diag-not-listening-waits"
    } else {
        "diag-not-listening"
    };
    Some(Diagnosis::new(
        Code::NotListening,
        Msg::new(message).arg("port", c.port.to_string()),
        Msg::new("hint-not-listening").arg("port", c.port.to_string()),
    ))
}

/// Pair scenarios: the connection, relayed by the harness, failed on the
/// server's side: the server ended, or listens nowhere.
fn pair_server_at_fault(c: &Ctx) -> Option<Diagnosis> {
    if c.s.role != Role::Pair || ctx::accept_culprit(c.tr, c.to) != Actor::Server {
        return None;
    }
    let all = ctx::printed_all(c.tr, Actor::Server);
    let exited = ctx::exit_of(c.tr, Actor::Server, 0, c.to);
    Some(crash(&all, exited).unwrap_or_else(|| {
        Diagnosis::new(
            Code::NotListening,
            Msg::new("diag-server-unreached").arg("port", c.port.to_string()),
            Msg::new("hint-not-listening").arg("port", c.port.to_string()),
        )
    }))
}

/// The client tried another port.
fn connects_elsewhere(c: &Ctx) -> Option<Diagnosis> {
    let p = c.tr.entries.iter().find_map(|e| match e.event {
        Event::ConnectAttempt { port } => Some(port),
        _ => None,
    })?;
    Some(Diagnosis::new(
        Code::WrongPort,
        Msg::new("diag-wrong-port-client")
            .arg("tried", p.to_string())
            .arg("port", c.port.to_string()),
        Msg::new("hint-connect").arg("port", c.port.to_string()),
    ))
}

/// What the connecting program printed, and how it ended: in pair
/// scenarios the client's (the server's faults are found before).
fn connector(c: &Ctx) -> (Vec<String>, Option<ctx::Ended>) {
    if c.s.role == Role::Pair {
        let who = Actor::Client;
        (
            ctx::printed_all(c.tr, who),
            ctx::exit_of(c.tr, who, 0, c.to),
        )
    } else {
        (c.all.clone(), c.exited)
    }
}

/// The client says its connection was refused: it aims elsewhere.
fn refused(c: &Ctx) -> Option<Diagnosis> {
    let (all, _) = connector(c);
    let said = all.iter().any(|l| {
        l.contains("Connection refused")
            || l.contains("ConnectionRefusedError")
            || l.contains("Errno 111")
    });
    said.then(|| {
        Diagnosis::new(
            Code::NoConnect,
            Msg::new("diag-connect-refused").arg("port", c.port.to_string()),
            Msg::new("hint-connect").arg("port", c.port.to_string()),
        )
    })
}

/// The client died first.
fn client_crashed(c: &Ctx) -> Option<Diagnosis> {
    let (all, exited) = connector(c);
    crash(&all, exited)
}

fn never_connected(c: &Ctx) -> Option<Diagnosis> {
    Some(Diagnosis::new(
        Code::NoConnect,
        Msg::new("diag-never-connected"),
        Msg::new("hint-never-connected").arg("port", c.port.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::scenario::Scenario;
    use crate::transcript::Transcript;

    /// Step 1 of a server scenario (connect), with `ev` in it.
    fn connect_step(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let mut all = opening_started(40);
        all.push((Actor::Harness, Event::Step(1)));
        all.extend(ev);
        (server("q1", ""), tr(all), 1)
    }

    #[test]
    fn rule_listens_elsewhere() {
        let (s, mut t, i) = connect_step(vec![(Actor::Harness, Event::Listening { port: 9090 })]);
        t.port = Some(9000);
        explains(
            &listens_elsewhere(&ctx(&s, &t, i)).unwrap(),
            "the server listens on port 9090, not on 9000",
            "bind to port 9000 as the sheet asks (or grade with --port 9090)",
        );
        assert!(silent(listens_elsewhere, connect_step(vec![])));
    }

    /// Quick restart: connected on `before`, then after the restart `ev`.
    fn after_restart(before: u16, ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let s = catalogue("q1.server.quick-restart");
        let r = s
            .steps
            .iter()
            .position(|st| matches!(st.action, Action::Restart(_)))
            .unwrap();
        let mut all = opening_started(40);
        all.push((Actor::Harness, Event::Step(1)));
        all.push((Actor::Peer, Event::Connected { port: before }));
        all.extend((2..=r + 1).map(|k| (Actor::Harness, Event::Step(k))));
        all.extend(ev);
        let mut t = tr(all);
        t.port = Some(8080);
        (s, t, r + 1)
    }

    #[test]
    fn rule_elsewhere_after_restart() {
        let elsewhere = vec![(Actor::Harness, Event::Listening { port: 39567 })];
        let (s, t, i) = after_restart(8080, elsewhere.clone());
        let d = elsewhere_after_restart(&ctx(&s, &t, i)).unwrap();
        assert_eq!(d.code, Code::NoReuseaddr);
        says(
            &d.message,
            "restarted at once, the server listens on port 39567, not on 8080 as before: bind failed and its result was not checked",
            "relancé aussitôt, le serveur écoute sur le port 39567, et non plus sur le 8080\u{a0}: bind a échoué sans que son résultat soit vérifié",
        );
        assert!(en(d.hint.as_ref().unwrap()).starts_with("set SO_REUSEADDR before bind"));
        // Never on the right port: a hard-coded other port, not a restart.
        assert!(silent(
            elsewhere_after_restart,
            after_restart(9090, elsewhere)
        ));
        assert!(silent(elsewhere_after_restart, after_restart(8080, vec![])));
        let (s, t, i) = connect_step(vec![(Actor::Harness, Event::Listening { port: 9090 })]);
        assert!(elsewhere_after_restart(&ctx(&s, &t, i)).is_none());
    }

    #[test]
    fn rule_not_listening() {
        let (s, mut t, i) = connect_step(vec![(Actor::Harness, Event::Quiescent)]);
        let d = not_listening(&ctx(&s, &t, i)).unwrap();
        assert_eq!(
            en(&d.message),
            "nothing listens on port 8080 (it waits without listening)"
        );
        t.port = Some(9000);
        let d = not_listening(&ctx(&s, &t, i)).unwrap();
        assert_eq!(
            en(d.hint.as_ref().unwrap()),
            "call bind(('', 9000)) then listen() before accept()"
        );
        let refused = vec![(Actor::Peer, Event::ConnectRefused { port: 9000 })];
        assert_eq!(
            said(not_listening, connect_step(refused)),
            "nothing listens on port 9000"
        );
    }

    fn pair(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        (catalogue("q3.pair.chat"), tr(at_step(3, ev)), 3)
    }

    #[test]
    fn rule_pair_server_at_fault() {
        let connected = vec![(Actor::Client, Event::Connected { port: 8080 })];
        assert_eq!(
            said(pair_server_at_fault, pair(connected)),
            "the client connected, but nothing listens on port 8080 on the server's side"
        );
        let crashed = vec![exited(Actor::Server, 40, Some(3), None)];
        assert_eq!(
            coded(pair_server_at_fault, pair(crashed)),
            Some(Code::Crashed)
        );
        // The client never came: not the server's fault.
        assert!(silent(pair_server_at_fault, pair(vec![])));
    }

    #[test]
    fn rule_connects_elsewhere() {
        let (s, t, i) = accept_step(vec![(Actor::Harness, Event::ConnectAttempt { port: 9999 })]);
        explains(
            &connects_elsewhere(&ctx(&s, &t, i)).unwrap(),
            "the client connects to port 9999, not to 8080",
            "connect to ('127.0.0.1', 8080)",
        );
        assert!(silent(connects_elsewhere, accept_step(vec![])));
    }

    #[test]
    fn rule_refused() {
        let (s, t, i) = accept_step(vec![printed(
            Actor::Client,
            "ConnectionRefusedError: [Errno 111] Connection refused",
        )]);
        let d = refused(&ctx(&s, &t, i)).unwrap();
        assert_eq!(d.code, Code::NoConnect);
        assert!(en(&d.message).contains("listens on 127.0.0.1:8080: it connects"));
        let hello = vec![printed(Actor::Client, "hello")];
        assert!(silent(refused, accept_step(hello)));
    }

    #[test]
    fn rule_client_crashed() {
        let crashed = vec![exited(Actor::Client, 41, Some(1), None)];
        assert_eq!(
            coded(client_crashed, accept_step(crashed)),
            Some(Code::Crashed)
        );
        assert!(silent(client_crashed, accept_step(vec![])));
    }

    #[test]
    fn rule_never_connected() {
        let (s, t, i) = accept_step(vec![]);
        explains(
            &never_connected(&ctx(&s, &t, i)).unwrap(),
            "the client never connected",
            "call connect(('127.0.0.1', 8080)) when the program starts",
        );
    }
}

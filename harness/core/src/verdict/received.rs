//! Rules of `expect_received`: the peer did not receive the expected lines.

use super::ctx::{self, Ctx};
use super::rules::{busy, crashed, Rule};
use crate::diagnosis::{short, Code, Diagnosis};
use crate::expect;
use crate::msg::Msg;
use crate::stall;
use crate::transcript::Event;

pub(super) const RULES: &[Rule] = &[
    bytes_repr,
    no_newline,
    sent_late,
    crashed,
    busy,
    stalled,
    changed_or_missing,
];

/// Everything the peer received in the window, as text.
fn joined(c: &Ctx) -> String {
    let mut b: Vec<u8> = Vec::new();
    for e in c.tr.window(c.from, c.to) {
        if let Event::Received(r) = &e.event {
            b.extend_from_slice(r);
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// It sends `str(line.encode())`: `b'Bonjour'`.
fn bytes_repr(c: &Ctx) -> Option<Diagnosis> {
    let (lines, _) = expect::received_lines(c.tr, c.from, c.to);
    let (expected, joined) = (c.expected(), joined(c));
    let repr = lines
        .iter()
        .any(|l| expected.iter().any(|e| expect::is_bytes_repr(l, e)))
        || expected.iter().any(|e| expect::is_bytes_repr(&joined, e));
    repr.then(|| {
        Diagnosis::new(
            Code::BytesRepr,
            Msg::new("diag-bytes-repr-sent").arg("text", short(joined.trim_end())),
            Msg::new("hint-bytes-repr-sent"),
        )
    })
}

/// The text came, without its newline.
fn no_newline(c: &Ctx) -> Option<Diagnosis> {
    let (_, rest) = expect::received_lines(c.tr, c.from, c.to);
    let joined = joined(c);
    if rest.is_empty() || !c.expected().iter().any(|e| joined.contains(e.as_str())) {
        return None;
    }
    Some(Diagnosis::new(
        Code::NoNewline,
        Msg::new("diag-no-newline").arg("text", short(&String::from_utf8_lossy(&rest))),
        Msg::new("hint-no-newline"),
    ))
}

/// Nothing came while typing; the lines came at end of input.
fn sent_late(c: &Ctx) -> Option<Diagnosis> {
    if !joined(c).is_empty() {
        return None;
    }
    let later = String::from_utf8_lossy(&c.tr.received_since(c.to)).into_owned();
    c.expected()
        .iter()
        .any(|e| later.contains(e.as_str()))
        .then(|| {
            Diagnosis::new(
                Code::SentLate,
                Msg::new("diag-sent-late"),
                Msg::new("hint-sent-late"),
            )
        })
}

/// What the program waits in says why it did not send.
fn stalled(c: &Ctx) -> Option<Diagnosis> {
    c.views()
        .and_then(|v| stall::stalled(c.s, v, c.actor, true, c.midway))
}

/// Another line came (`wrong-text`), or none (`missing-line`).
fn changed_or_missing(c: &Ctx) -> Option<Diagnosis> {
    let (lines, _) = expect::received_lines(c.tr, c.from, c.to);
    let missing = ctx::first_missing(&lines, c.expected());
    Some(match lines.first() {
        Some(l) => Diagnosis::new(
            Code::WrongText,
            Msg::new("diag-wrong-text-received")
                .arg("expected", short(&missing))
                .arg("line", short(l)),
            Msg::new("hint-wrong-text-received"),
        ),
        None => Diagnosis::new(
            Code::MissingLine,
            Msg::new("diag-missing-received").arg("line", short(&missing)),
            Msg::new("hint-missing-received"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::scenario::{Action, Scenario};
    use crate::transcript::{Actor, Transcript};

    /// A q2 client scenario: `Bonjour` typed, expected received (step 4),
    /// with `ev` in that step and `after` past it.
    fn received_step(
        ev: Vec<(Actor, Event)>,
        after: Vec<(Actor, Event)>,
    ) -> (Scenario, Transcript, usize) {
        let s = client(
            "q2",
            "[[step]]\nlisten = true\n[[step]]\nstart = \"client\"\n[[step]]\naccept = true\n\
             [[step]]\ntype = [\"Bonjour\"]\n[[step]]\nexpect_received = [\"Bonjour\"]\n\
             [[step]]\neof = true\n",
        );
        let mut all = at_step(4, ev);
        all.push((Actor::Harness, Event::Step(5)));
        all.extend(after);
        (s, tr(all), 4)
    }

    fn got(b: &str) -> (Actor, Event) {
        (Actor::Peer, Event::Received(b.as_bytes().to_vec()))
    }

    #[test]
    fn rule_bytes_repr() {
        assert_eq!(
            said(bytes_repr, received_step(vec![got("b'Bonjour'\n")], vec![])),
            "the client sends the repr of a bytes object: `b'Bonjour'`"
        );
        assert!(silent(
            bytes_repr,
            received_step(vec![got("Bonjour\n")], vec![])
        ));
    }

    #[test]
    fn rule_no_newline() {
        assert_eq!(
            said(no_newline, received_step(vec![got("Bonjour")], vec![])),
            "the text arrived without a newline: `Bonjour`"
        );
        assert!(silent(
            no_newline,
            received_step(vec![got("Salut")], vec![])
        ));
    }

    #[test]
    fn rule_sent_late() {
        let late = received_step(vec![], vec![got("Bonjour\n")]);
        assert_eq!(coded(sent_late, late), Some(Code::SentLate));
        assert!(silent(sent_late, received_step(vec![], vec![])));
    }

    #[test]
    fn rule_stalled() {
        let received = |a: &Action| matches!(a, Action::ExpectReceived(_));
        let recv = proc_view(
            Actor::Client,
            41,
            Some("recv"),
            crate::transcript::WaitsOn::Socket(Some(Actor::Peer)),
        );
        let case = at(
            "q3.client.sends-first",
            received,
            vec![snapshot(vec![recv])],
        );
        assert_eq!(coded(stalled, case), Some(Code::ReceivesFirst));
    }

    #[test]
    fn rule_changed_or_missing() {
        assert_eq!(
            said(
                changed_or_missing,
                received_step(vec![got("Bonsoir\n")], vec![])
            ),
            "expected `Bonjour`, received `Bonsoir`"
        );
        assert_eq!(
            said(changed_or_missing, received_step(vec![], vec![])),
            "`Bonjour` never arrived"
        );
    }
}

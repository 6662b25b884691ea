//! Rules of `expect_printed`: the program did not print the expected lines.

use super::ctx::{self, Ctx};
use super::rules::{busy, crashed, process_died, Rule};
use crate::diagnosis::{short, Code, Diagnosis};
use crate::expect;
use crate::msg::Msg;
use crate::scenario::{Action, Role};
use crate::stall;
use crate::transcript::{Actor, Event, Transcript, WaitsOn};

pub(super) const RULES: &[Rule] = &[
    bytes_repr,
    split_line,
    changed_text,
    crashed,
    process_died,
    busy,
    pair_sender_failed,
    stdio_buffered,
    wrong_order,
    stalled,
    changed_or_missing,
];

/// It prints the bytes object: `b'Bonjour\n'`.
fn bytes_repr(c: &Ctx) -> Option<Diagnosis> {
    let expected = c.expected();
    let l = c.window_lines.iter().find(|l| {
        expected
            .iter()
            .any(|e| expect::is_bytes_repr(l, e) || expect::is_bytes_repr_piece(l, e))
    })?;
    Some(Diagnosis::new(
        Code::BytesRepr,
        Msg::new("diag-bytes-repr-printed").arg("line", l),
        Msg::new("hint-bytes-repr-printed"),
    ))
}

/// One print per recv(): a line shows in pieces.
///
/// The count of pieces is quoted only when it is the count of segments the
/// harness sent the line in: otherwise it is how the kernel happened to
/// chunk the bytes, and would change between runs of the same program.
fn split_line(c: &Ctx) -> Option<Diagnosis> {
    let (whole, pieces) = ctx::split_line(&c.window_lines, c.expected())?;
    let message = if chosen_segments(c) == Some(pieces) {
        Msg::new("diag-split-line")
            .arg("line", short(whole))
            .arg("pieces", pieces)
    } else {
        Msg::new("diag-split-line-pieces").arg("line", short(whole))
    };
    Some(Diagnosis::new(
        Code::SplitLine,
        message,
        Msg::new("hint-split-line"),
    ))
}

/// The segments of the last `send` before the failed step, when it sent
/// more than one: the only segmentation the harness chose.
fn chosen_segments(c: &Ctx) -> Option<usize> {
    c.s.steps[..c.i.min(c.s.steps.len())]
        .iter()
        .rev()
        .find_map(|st| match &st.action {
            Action::Send(segs, _) => Some(segs.len()),
            _ => None,
        })
        .filter(|&n| n > 1)
}

/// Pair scenarios: a line typed on one side was not printed on the other.
/// When the relay never saw it cross, the sender is at fault, not the
/// printer: say so, with what the sender waits in.
fn pair_sender_failed(c: &Ctx) -> Option<Diagnosis> {
    if c.s.role != Role::Pair || !c.tr.isolated {
        return None;
    }
    let sender = c.actor.other_program().unwrap_or(Actor::Peer);
    let crossed = ctx::sent_text(c.tr, sender, c.from, c.to);
    let missing = ctx::first_missing(&[], c.expected());
    if crossed.contains(missing.as_str()) {
        return None;
    }
    if let Some(d) = c
        .views()
        .and_then(|v| stall::stalled(c.s, v, sender, true, c.midway))
    {
        return Some(d);
    }
    let name = if sender == Actor::Server {
        Actor::Server
    } else {
        Actor::Client
    };
    Some(Diagnosis::new(
        Code::MissingLine,
        Msg::new("diag-never-sent").arg("line", short(&missing)),
        Msg::new("hint-never-sent").arg("sender", stall::actor_msg(name)),
    ))
}

/// A C program that printed nothing, though it read what was sent (it
/// waits on the socket again, or the text shows once it exits): its output
/// waits in the stdio buffer, printed without '\n' and never flushed.
fn stdio_buffered(c: &Ctx) -> Option<Diagnosis> {
    if !c.window_lines.is_empty() || !compiled_from_c(c.tr, c.actor) {
        return None;
    }
    let waits_on_socket = c.views().is_some_and(|v| {
        v.iter()
            .any(|p| p.actor == c.actor && matches!(p.on, WaitsOn::Socket(_)))
    });
    let missing = missing(c);
    let shown_at_exit = expect::printed_lines(c.tr, c.actor, c.to, usize::MAX)
        .iter()
        .any(|l| l.contains(missing.as_str()));
    (waits_on_socket || shown_at_exit).then(|| {
        Diagnosis::new(
            Code::MissingLine,
            Msg::new("diag-stdio-buffered").arg("line", short(&missing)),
            Msg::new("hint-stdio-buffered"),
        )
    })
}

/// Whether `actor`'s program was compiled from a C file (the command it
/// was started as names the `.c` file given).
fn compiled_from_c(t: &Transcript, actor: Actor) -> bool {
    t.entries.iter().any(|e| match &e.event {
        Event::Started { command, .. } if e.actor == actor => command
            .split_whitespace()
            .next()
            .is_some_and(|w| w.ends_with(".c")),
        _ => false,
    })
}

/// What the program waits in says why it did not print.
fn stalled(c: &Ctx) -> Option<Diagnosis> {
    c.views()
        .and_then(|v| stall::stalled(c.s, v, c.actor, false, c.midway))
}

/// The first expected line the program did not print, in order.
fn missing(c: &Ctx) -> String {
    let (lines, expected) = (&c.window_lines, c.expected());
    let term = expect::Terminal::of(c.s, c.tr, c.actor, c.to);
    let mut it = lines.iter();
    expected
        .iter()
        .find(|e| !it.any(|l| term.matches(l, e)))
        .cloned()
        .unwrap_or_else(|| ctx::first_missing(lines, expected))
}

/// Every expected line was printed, not in the order they came (two
/// processes printing what each received): name the first pair swapped.
fn wrong_order(c: &Ctx) -> Option<Diagnosis> {
    let (lines, expected) = (&c.window_lines, c.expected());
    let term = expect::Terminal::of(c.s, c.tr, c.actor, c.to);
    let at: Vec<usize> = expected
        .iter()
        .map(|e| lines.iter().position(|l| term.matches(l, e)))
        .collect::<Option<_>>()?;
    let k = (1..at.len()).find(|&k| at[k] < at[k - 1])?;
    Some(Diagnosis::new(
        Code::WrongOrder,
        Msg::new("diag-wrong-order")
            .arg("first", short(&expected[k - 1]))
            .arg("then", short(&expected[k])),
        Msg::new("hint-wrong-order"),
    ))
}

/// The expected line printed changed in a way that names its cause: case,
/// spaces, its repr, Latin-1 mojibake, stale bytes glued after it.
fn changed_text(c: &Ctx) -> Option<Diagnosis> {
    let missing = missing(c);
    let peer = expect::peer_lines(c.tr, c.actor, c.to);
    // A traceback's lines are not the program's text changed.
    let traceback = ctx::first_traceback(&c.window_lines).unwrap_or_default();
    let (l, change) = c
        .window_lines
        .iter()
        .filter(|l| !traceback.contains(l))
        .find_map(|l| expect::changed(l, &missing, &peer).map(|ch| (l, ch)))?;
    let hint = match change {
        expect::Change::Mojibake => "hint-changed-mojibake",
        expect::Change::Repr => "hint-changed-repr",
        expect::Change::Spaces => "hint-changed-spaces",
        expect::Change::Case => "hint-changed-case",
        expect::Change::Trailing => "hint-changed-trailing",
    };
    Some(Diagnosis::new(
        Code::WrongText,
        Msg::new("diag-wrong-text-printed")
            .arg("expected", short(&missing))
            .arg("line", short(l)),
        Msg::new(hint),
    ))
}

/// The first expected line that is not printed, and the printed line that
/// shows it changed (glued to other text, else the first one that looks
/// like it): `wrong-text`; none: `missing-line`.
fn changed_or_missing(c: &Ctx) -> Option<Diagnosis> {
    let lines = &c.window_lines;
    let missing = missing(c);
    let near = lines
        .iter()
        .find(|l| l.contains(missing.as_str()))
        .or_else(|| {
            lines.iter().find(|l| {
                missing
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| l.contains(w))
                    || ctx::similar(l, &missing)
            })
        });
    Some(match near {
        Some(l) => Diagnosis::new(
            Code::WrongText,
            Msg::new("diag-wrong-text-printed")
                .arg("expected", short(&missing))
                .arg("line", short(l)),
            Msg::new("hint-wrong-text-printed"),
        ),
        None => missing_line(&missing, lines),
    })
}

fn missing_line(missing: &str, lines: &[String]) -> Diagnosis {
    let message = if lines.is_empty() {
        Msg::new("diag-missing-printed").arg("line", short(missing))
    } else {
        Msg::new("diag-missing-printed-other")
            .arg("line", short(missing))
            .arg("printed", ctx::quote(lines, 3))
    };
    Diagnosis::new(Code::MissingLine, message, Msg::new("hint-missing-printed"))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::scenario::{Action, Scenario};
    use crate::transcript::{Event, Transcript, WaitsOn};

    /// q1's split-line scenario, its step 3 (`expect_printed = ["Bonjour"]`)
    /// with `ev` in it.
    fn printed_step(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let s = server(
            "q1",
            "[[step]]\nsend = [\"Bonj\", \"our\\n\"]\n[[step]]\nexpect_printed = [\"Bonjour\"]\n",
        );
        let mut all = opening(40);
        all.push((Actor::Harness, Event::Step(2)));
        all.push((Actor::Peer, Event::Sent(b"Bonjour\n".to_vec())));
        all.push((Actor::Harness, Event::Step(3)));
        all.extend(ev);
        (s, tr(all), 3)
    }

    fn lines(ls: &[&str]) -> Vec<(Actor, Event)> {
        ls.iter().map(|l| printed(Actor::Server, l)).collect()
    }

    #[test]
    fn rule_bytes_repr() {
        assert_eq!(
            said(bytes_repr, printed_step(lines(&["b'Bonjour\\n'"]))),
            "the program prints the bytes object itself: `b'Bonjour\\n'`"
        );
        assert_eq!(
            coded(bytes_repr, printed_step(lines(&["b'Bonj'", "b'our\\n'"]))),
            Some(Code::BytesRepr)
        );
        assert!(silent(bytes_repr, printed_step(lines(&["Bonjour"]))));
    }

    #[test]
    fn rule_split_line() {
        assert_eq!(
            said(
                split_line,
                printed_step(lines(&["Reçu : Bonj", "Reçu : our"]))
            ),
            "`Bonjour` was printed in 2 pieces: one print per recv(), not per line"
        );
        // Pieces the harness did not choose (3 for 2 segments: how the
        // kernel chunked the bytes): no count, which would vary.
        assert_eq!(
            said(
                split_line,
                printed_step(lines(&["Reçu : Bo", "Reçu : nj", "Reçu : our"]))
            ),
            "`Bonjour` was printed in several pieces: one print per recv(), not per line"
        );
        assert!(silent(split_line, printed_step(lines(&["Bonjou"]))));
    }

    #[test]
    fn rule_wrong_order() {
        let s = server(
            "q1",
            "[[step]]\nsend = [\"un\\ndeux\\ntrois\\n\"]\n[[step]]\nexpect_printed = [\"un\", \"deux\", \"trois\"]\n",
        );
        let at = |ls: &[&str]| {
            let mut all = opening(40);
            all.push((Actor::Harness, Event::Step(2)));
            all.push((Actor::Peer, Event::Sent(b"un\ndeux\ntrois\n".to_vec())));
            all.push((Actor::Harness, Event::Step(3)));
            all.extend(lines(ls));
            (s.clone(), tr(all), 3)
        };
        assert_eq!(
            said(wrong_order, at(&["un", "trois", "deux"])),
            "every line was printed, but not in the order it came: `trois` before `deux`"
        );
        assert!(silent(wrong_order, at(&["un", "deux"])));
        assert!(silent(wrong_order, at(&["un", "deux", "trois"])));
    }

    #[test]
    fn rule_changed_text() {
        let hint = |ls: &[&str]| {
            let (s, t, i) = printed_step(lines(ls));
            let d = changed_text(&ctx(&s, &t, i)).unwrap();
            assert_eq!(d.code, Code::WrongText);
            d.hint.unwrap().id
        };
        assert_eq!(hint(&["BONJOUR"]), "hint-changed-case");
        assert_eq!(hint(&["Reçu : bonjour"]), "hint-changed-case");
        assert_eq!(hint(&["'Bonjour\\n'"]), "hint-changed-repr");
        // Stale bytes of the longer line sent before, or garbage.
        assert_eq!(hint(&["Bonjour\u{1}x\u{fffd}"]), "hint-changed-trailing");
        assert_eq!(
            said(changed_text, printed_step(lines(&["BONJOUR"]))),
            "expected `Bonjour`, the program printed `BONJOUR`"
        );
        // Not a change: matches, other text, a word after it, the bytes repr.
        for ok in [
            "Bonjour",
            "Reçu : Bonjour !",
            "Bonjour toi",
            "Salut",
            "b'Bonjour\\n'",
        ] {
            assert!(silent(changed_text, printed_step(lines(&[ok]))), "{ok}");
        }
    }

    #[test]
    fn changed_text_names_mojibake_and_stale_bytes() {
        let peer = ["Bonjour".to_string()];
        assert_eq!(
            expect::changed("Ã§a va ?", "ça va ?", &peer),
            Some(expect::Change::Mojibake)
        );
        assert_eq!(
            expect::changed("Salutur", "Salut", &peer),
            Some(expect::Change::Trailing)
        );
        assert_eq!(
            expect::changed("Bonjour  le  monde", "Bonjour le monde", &peer),
            Some(expect::Change::Spaces)
        );
        assert_eq!(expect::changed("Salutations", "Salut", &peer), None);
        assert_eq!(expect::changed("ça va ?", "ça va ?", &peer), None);
    }

    #[test]
    fn rule_stdio_buffered() {
        let c_started = |mut ev: Vec<(Actor, Event)>| {
            let (s, mut t, i) = printed_step(std::mem::take(&mut ev));
            for e in &mut t.entries {
                if let Event::Started { command, .. } = &mut e.event {
                    *command = "serveur.c".into();
                }
            }
            t.entries.extend(
                ev.into_iter()
                    .map(|(actor, event)| crate::transcript::Entry {
                        t: std::time::Duration::ZERO,
                        actor,
                        event,
                    }),
            );
            (s, t, i)
        };
        let in_recv = || {
            vec![snapshot(vec![proc_view(
                Actor::Server,
                40,
                Some("recv"),
                WaitsOn::Socket(Some(Actor::Peer)),
            )])]
        };
        let (s, t, i) = c_started(vec![]);
        let mut t2 = t.clone();
        t2.entries.extend(tr(in_recv()).entries);
        assert_eq!(
            said(stdio_buffered, (s.clone(), t2, i)),
            "nothing shows on the terminal: `Bonjour` waits in the stdio buffer (printed without '\\n', never flushed)"
        );
        // Shown once the program exits.
        let mut t3 = t.clone();
        t3.entries.push(crate::transcript::Entry {
            t: std::time::Duration::ZERO,
            actor: Actor::Harness,
            event: Event::Teardown,
        });
        t3.entries
            .extend(tr(vec![printed(Actor::Server, "Bonjour")]).entries);
        assert_eq!(
            coded(stdio_buffered, (s.clone(), t3, i)),
            Some(Code::MissingLine)
        );
        // Not without evidence it read, not in Python, not once it printed.
        assert!(silent(stdio_buffered, (s, t, i)));
        assert!(silent(stdio_buffered, printed_step(in_recv())));
        let mut ev = in_recv();
        ev.push(printed(Actor::Server, "Salut"));
        assert!(silent(stdio_buffered, c_started(ev)));
    }

    /// The q3 pair scenario's first printed line (`Bonjour serveur`, typed
    /// on the client, printed by the server), with `ev` in its window.
    fn pair_printed(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let printed = |a: &Action| matches!(a, Action::ExpectPrinted(_));
        let (s, mut t, i) = at("q3.pair.chat", printed, ev);
        t.isolated = true;
        (s, t, i)
    }

    #[test]
    fn rule_pair_sender_failed() {
        let (s, t, i) = pair_printed(vec![]);
        let d = pair_sender_failed(&ctx(&s, &t, i)).unwrap();
        assert_eq!(d.code, Code::MissingLine);
        assert!(en(&d.message).starts_with("never sent `"));
        assert_eq!(
            en(d.hint.as_ref().unwrap()),
            "the client must send each typed line, newline-terminated"
        );
        // The sender waits to receive (q3): it receives first.
        let recv = proc_view(
            Actor::Client,
            41,
            Some("recv"),
            WaitsOn::Socket(Some(Actor::Server)),
        );
        let (s, t, i) = pair_printed(vec![snapshot(vec![recv])]);
        assert_eq!(
            code(pair_sender_failed(&ctx(&s, &t, i))),
            Some(Code::ReceivesFirst)
        );
        // Not in other scenarios.
        assert!(silent(pair_sender_failed, printed_step(vec![])));
    }

    #[test]
    fn rule_stalled() {
        let printed = |a: &Action| matches!(a, Action::ExpectPrinted(_));
        let on_keyboard = proc_view(Actor::Server, 40, Some("read"), WaitsOn::Keyboard);
        let (s, t, i) = at(
            "q4.server.burst-in",
            printed,
            vec![snapshot(vec![on_keyboard])],
        );
        assert_eq!(code(stalled(&ctx(&s, &t, i))), Some(Code::HalfDuplex));
        let (s, t, i) = at("q4.server.burst-in", printed, vec![]);
        assert!(stalled(&ctx(&s, &t, i)).is_none());
    }

    #[test]
    fn rule_changed_or_missing() {
        assert_eq!(
            said(changed_or_missing, printed_step(lines(&["Bonjour toi"]))),
            "expected `Bonjour`, the program printed `Bonjour toi`"
        );
        assert_eq!(
            coded(changed_or_missing, printed_step(lines(&["Bonjourno"]))),
            Some(Code::WrongText)
        );
        assert_eq!(
            said(
                changed_or_missing,
                printed_step(lines(&["un", "deux", "trois", "quatre"]))
            ),
            "`Bonjour` was never printed (printed: deux / trois / quatre)"
        );
        let (s, t, i) = printed_step(vec![]);
        let d = changed_or_missing(&ctx(&s, &t, i)).unwrap();
        says(
            &d.message,
            "`Bonjour` was never printed",
            "`Bonjour` n'a jamais été affichée",
        );
    }
}

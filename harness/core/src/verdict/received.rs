//! Rules of `expect_received`: the peer did not receive the expected lines.

use super::ctx::{self, Ctx};
use super::rules::{busy, crashed, process_died, Rule};
use crate::diagnosis::{short, Code, Diagnosis};
use crate::expect;
use crate::msg::Msg;
use crate::scenario::{Action, Question, Scenario};
use crate::stall;
use crate::transcript::{Actor, Event, ProcState, ProcView, Transcript, WaitsOn};

pub(super) const RULES: &[Rule] = &[
    extra_bytes,
    bytes_repr,
    delimiter,
    no_newline,
    sent_late,
    crashed,
    process_died,
    busy,
    stalled,
    waits_greeting,
    changed_or_missing,
];

/// Pair scenarios, a line expected printed: what the sender put on the
/// wire explains it (the sender's fault, see `rules::blame`).
pub(super) const PAIR_WIRE: &[Rule] = &[server_greeted, relayed_extra_bytes, relayed_no_newline];

/// q3 pairs, a line the client should print: the server spoke first (a
/// greeting before it printed the client's first line), which the sheet's
/// server never does; the alternation is off by one from then on. The
/// server's fault. Judged on what the server did, not on whose bytes the
/// relay carried first (a greeting and the client's first line race).
fn server_greeted(c: &Ctx) -> Option<Diagnosis> {
    if c.s.question != Question::Q3 || c.actor != Actor::Client {
        return None;
    }
    let entries = c.tr.window(0, c.to);
    let spoke = entries.iter().position(|e| {
        e.actor == Actor::Server && matches!(&e.event, Event::Relayed(b) if !b.is_empty())
    })?;
    let client_spoke = entries.iter().position(|e| {
        e.actor == Actor::Client && matches!(&e.event, Event::Relayed(b) if !b.is_empty())
    });
    // The first line it printed once the client had spoken.
    let heard = client_spoke.and_then(|k| {
        entries[k..]
            .iter()
            .position(|e| e.actor == Actor::Server && matches!(e.event, Event::Printed { .. }))
            .map(|p| k + p)
    });
    if heard.is_some_and(|h| h < spoke) {
        return None;
    }
    let until = heard.unwrap_or(c.to).max(spoke + 1);
    let said = expect::sent_bytes(c.tr, Actor::Server, 0, until);
    let said = String::from_utf8_lossy(&said);
    let line = said.lines().next().unwrap_or_default();
    Some(Diagnosis::new(
        Code::OutOfTurn,
        Msg::new("diag-out-of-turn-greeting").arg("text", short(line)),
        Msg::new("hint-out-of-turn-sent"),
    ))
}

/// Everything the peer received in the window.
fn received(c: &Ctx) -> Vec<u8> {
    let mut b: Vec<u8> = Vec::new();
    for e in c.tr.window(c.from, c.to) {
        if let Event::Received(r) = &e.event {
            b.extend_from_slice(r);
        }
    }
    b
}

/// Everything the peer received in the window, as text.
fn joined(c: &Ctx) -> String {
    String::from_utf8_lossy(&received(c)).into_owned()
}

/// Pair scenarios: what the other program sent through the relay in the
/// window of `c` (a step about what `c.actor` prints).
fn relayed(c: &Ctx) -> Vec<u8> {
    let sender = c.actor.other_program().unwrap_or(Actor::Peer);
    expect::sent_bytes(c.tr, sender, c.from, c.to)
}

/// Bytes after a line that no line explains: a NUL or another control
/// character (a tab, and a CR before the LF, are text) once a `\n` was
/// sent. A C program that sends `sizeof(buf)` or `strlen + 1` bytes.
pub(crate) struct Extra {
    /// The line the first extra bytes came after.
    pub after: String,
    /// Those bytes, up to the last extra byte before the next `\n`.
    pub run: Vec<u8>,
    /// How many extra bytes the stream holds in all.
    pub total: usize,
}

fn bad(bytes: &[u8], k: usize) -> bool {
    match bytes[k] {
        b'\t' | b'\n' => false,
        b'\r' => bytes.get(k + 1) != Some(&b'\n'),
        b => b < 0x20 || b == 0x7f,
    }
}

/// The extra bytes of `bytes`, if any (see `Extra`).
pub(crate) fn extra(bytes: &[u8]) -> Option<Extra> {
    let first_nl = bytes.iter().position(|&b| b == b'\n')?;
    let is_bad = |k: &usize| bad(bytes, *k);
    let start = (first_nl + 1..bytes.len()).find(is_bad)?;
    let line_start = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    // The line before the bytes: the one ended by the `\n` before them.
    let after = if line_start > 0 {
        let prev = bytes[..line_start - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        String::from_utf8_lossy(&bytes[prev..line_start - 1])
            .trim_end_matches('\r')
            .to_string()
    } else {
        String::new()
    };
    let seg_end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| start + p);
    let last = (start..seg_end).rev().find(is_bad).unwrap_or(start);
    Some(Extra {
        after,
        run: bytes[start..=last].to_vec(),
        total: (first_nl + 1..bytes.len()).filter(is_bad).count(),
    })
}

/// `bytes` as the student can read them: text as is, other bytes as
/// `\x00`, runs of one byte counted (`` `\x00` ×1000 ``), cut after a few
/// pieces.
pub(crate) fn quote_bytes(bytes: &[u8]) -> String {
    let mut tokens: Vec<String> = Vec::new();
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            tokens.push(match ch {
                '\r' => "\\r".into(),
                '\n' => "\\n".into(),
                '\t' => "\\t".into(),
                c if c.is_control() => format!("\\x{:02x}", u32::from(c)),
                c => c.to_string(),
            });
        }
        tokens.extend(chunk.invalid().iter().map(|b| format!("\\x{b:02x}")));
    }
    let mut pieces: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut k = 0;
    while k < tokens.len() && pieces.len() < 6 {
        let n = tokens[k..].iter().take_while(|t| **t == tokens[k]).count();
        if n >= 4 {
            if !text.is_empty() {
                pieces.push(format!("`{}`", std::mem::take(&mut text)));
            }
            pieces.push(format!("`{}` ×{n}", tokens[k]));
            k += n;
        } else {
            text.push_str(&tokens[k]);
            k += 1;
            if text.chars().count() >= 40 {
                pieces.push(format!("`{}`", std::mem::take(&mut text)));
            }
        }
    }
    if !text.is_empty() {
        pieces.push(format!("`{text}`"));
    }
    if k < tokens.len() {
        pieces.push("…".into());
    }
    pieces.join(" ")
}

fn extra_diagnosis(x: &Extra) -> Diagnosis {
    Diagnosis::new(
        Code::ExtraBytes,
        Msg::new("diag-extra-bytes")
            .arg("line", short(&x.after))
            .arg("bytes", quote_bytes(&x.run))
            .arg("n", x.total),
        Msg::new("hint-extra-bytes"),
    )
}

/// Bytes came after a line: NUL, buffer garbage.
fn extra_bytes(c: &Ctx) -> Option<Diagnosis> {
    extra(&received(c)).map(|x| extra_diagnosis(&x))
}

/// Pair scenarios: the sender put extra bytes after a line.
fn relayed_extra_bytes(c: &Ctx) -> Option<Diagnosis> {
    extra(&relayed(c)).map(|x| extra_diagnosis(&x))
}

/// Pair scenarios: the sender sent the expected text without its newline.
fn relayed_no_newline(c: &Ctx) -> Option<Diagnosis> {
    let bytes = relayed(c);
    let tail = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(&bytes[..], |p| &bytes[p + 1..]);
    let rest = String::from_utf8_lossy(tail);
    c.expected()
        .iter()
        .any(|e| rest.contains(e.as_str()))
        .then(|| {
            Diagnosis::new(
                Code::NoNewline,
                Msg::new("diag-no-newline").arg("text", short(&rest)),
                Msg::new("hint-no-newline"),
            )
        })
}

/// Whether the wire of step `i` (what the peer received, or in pair
/// scenarios what the other program sent to the printer) carries no extra
/// bytes; `to`: the step's end.
pub(crate) fn wire_clean(s: &Scenario, tr: &Transcript, i: usize, to: usize) -> bool {
    let from = expect::window_start(s, tr, i);
    let bytes = match &s.steps[i].action {
        // What the harness's own peer received. Not what the relay saw in a
        // pair scenario: a step's window can end inside a segment there,
        // and the check would then depend on timing.
        Action::ExpectReceived(_) => expect::sent_bytes(tr, Actor::Peer, from, to),
        _ => return true,
    };
    extra(&bytes).is_none()
}

/// Each message ends with a delimiter of the program's own instead of a
/// newline (`;`, `\0`, `>\r\n<`): `no-newline` when no newline was sent,
/// else `wrong-text`.
fn delimiter(c: &Ctx) -> Option<Diagnosis> {
    let bytes = received(c);
    let text = String::from_utf8_lossy(&bytes);
    let expected = c.expected();
    let first = expected.first()?;
    let at = text.find(first.as_str())? + first.len();
    let after = &text[at..];
    let end = expected
        .get(1)
        .and_then(|next| after.find(next.as_str()))
        .unwrap_or(after.len());
    let d = &after[..end];
    let own = !d.is_empty()
        && d.len() <= 8
        && !d.starts_with('\n')
        && !d.starts_with("\r\n")
        && !d.chars().all(|ch| ch == ' ')
        && !d.chars().any(char::is_alphanumeric);
    if !own {
        return None;
    }
    let code = if bytes.contains(&b'\n') {
        Code::WrongText
    } else {
        Code::NoNewline
    };
    Some(Diagnosis::new(
        code,
        Msg::new("diag-own-delimiter")
            .arg("delimiter", quote_bytes(d.as_bytes()))
            .arg("text", quote_bytes(&bytes[..bytes.len().min(60)])),
        Msg::new("hint-own-delimiter"),
    ))
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

/// q2: nothing came, and the client waits in a receive on the peer: it
/// waits for the server to speak first (a greeting), which the sheet's
/// server never does. (q3 says `receives-first` in `stall`.)
fn waits_greeting(c: &Ctx) -> Option<Diagnosis> {
    if c.s.question != Question::Q2 || c.actor != Actor::Client || !received(c).is_empty() {
        return None;
    }
    let views = c.views()?;
    let live: Vec<_> = views
        .iter()
        .filter(|v| v.actor == Actor::Client && v.state != ProcState::Zombie)
        .collect();
    let on_socket = |v: &ProcView| v.call.is_some() && matches!(v.on, WaitsOn::Socket(_));
    let shown = live.iter().find(|v| on_socket(v))?;
    live.iter().all(|v| on_socket(v)).then(|| {
        Diagnosis::new(
            Code::ReceivesFirst,
            Msg::new("diag-waits-greeting").arg("proc", stall::process(shown)),
            Msg::new("hint-waits-greeting"),
        )
    })
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

    fn got_bytes(b: &[u8]) -> (Actor, Event) {
        (Actor::Peer, Event::Received(b.to_vec()))
    }

    #[test]
    fn rule_extra_bytes() {
        // sizeof(buf): the line, its newline, then the rest of the buffer.
        let mut buf = b"Bonjour\n".to_vec();
        buf.extend([0u8; 1000]);
        buf.extend(b"\x7f\xe3ab\x00\x01");
        let case = received_step(vec![got_bytes(&buf)], vec![]);
        let d = extra_bytes(&ctx(&case.0, &case.1, case.2)).unwrap();
        assert_eq!(d.code, Code::ExtraBytes);
        says(
            &d.message,
            "extra bytes were sent after the line `Bonjour` and its newline: \
             `\\x00` ×1000 `\\x7f\\xe3ab\\x00\\x01` (1003 such bytes in all)",
            "des octets en trop ont été envoyés après la ligne `Bonjour` et son saut de \
             ligne\u{a0}: `\\x00` ×1000 `\\x7f\\xe3ab\\x00\\x01` (1003 octets de ce genre en tout)",
        );
        assert!(en(d.hint.as_ref().unwrap()).contains("strlen(buf)"));
        // strlen + 1: a NUL after each line.
        let nul = received_step(vec![got_bytes(b"Bonjour\n\0")], vec![]);
        assert!(said(extra_bytes, nul).contains("`\\x00` (1 such"));
        // The boundary: CRLF, tabs, UTF-8, a NUL with no newline before it.
        for ok in [
            &b"Bonjour\r\n"[..],
            b"Bon\tjour\n",
            "Été\n".as_bytes(),
            b"Bonjour\0",
        ] {
            assert!(silent(
                extra_bytes,
                received_step(vec![got_bytes(ok)], vec![])
            ));
        }
    }

    #[test]
    fn the_wire_must_be_clean() {
        let step = |b: &[u8]| {
            let (s, t, i) = received_step(vec![got_bytes(b)], vec![]);
            let to = t.step_start(i + 1).unwrap();
            wire_clean(&s, &t, i, to)
        };
        assert!(step(b"Bonjour\r\n"));
        assert!(!step(b"Bonjour\n\0"));
    }

    #[test]
    fn rule_delimiter() {
        let d = |b: &[u8]| {
            let case = received_step(vec![got_bytes(b)], vec![]);
            delimiter(&ctx(&case.0, &case.1, case.2))
        };
        let semi = d(b"Bonjour;").unwrap();
        assert_eq!(semi.code, Code::NoNewline);
        says(
            &semi.message,
            "each message ends with `;` instead of a newline: received `Bonjour;`",
            "chaque message se termine par `;` au lieu d'un saut de ligne\u{a0}: reçu `Bonjour;`",
        );
        let crlf = d(b"Bonjour>\r\n<").unwrap();
        assert_eq!(crlf.code, Code::WrongText);
        assert!(en(&crlf.message).contains("ends with `>\\r\\n<`"));
        assert!(en(&d(b"Bonjour\0").unwrap().message).contains("`\\x00`"));
        // A line and its newline, or another text: not a delimiter.
        for other in [
            &b"Bonjour"[..],
            b"Bonjour\r\n",
            b"Bonjour serveur\n",
            b"Salut;",
        ] {
            assert!(d(other).is_none());
        }
    }

    fn pair_printed(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
        let printed = |a: &Action| matches!(a, Action::ExpectPrinted(_));
        let (s, mut t, i) = at("q4.pair.full-duplex", printed, ev);
        t.isolated = true;
        (s, t, i)
    }

    fn relayed_by(actor: Actor, b: &[u8]) -> (Actor, Event) {
        (actor, Event::Relayed(b.to_vec()))
    }

    #[test]
    fn rule_relayed() {
        let nul = pair_printed(vec![relayed_by(Actor::Client, b"du client 1\n\0")]);
        assert_eq!(coded(relayed_extra_bytes, nul), Some(Code::ExtraBytes));
        let bare = pair_printed(vec![relayed_by(Actor::Client, b"du client 1")]);
        assert_eq!(coded(relayed_no_newline, bare), Some(Code::NoNewline));
        // What the printer itself sent is not what it was to print.
        let own = pair_printed(vec![relayed_by(Actor::Server, b"du client 1")]);
        assert!(silent(relayed_no_newline, own));
        let fine = pair_printed(vec![relayed_by(Actor::Client, b"du client 1\r\n")]);
        assert!(silent(relayed_extra_bytes, fine.clone()));
        assert!(silent(relayed_no_newline, fine));
    }

    #[test]
    fn quoted_bytes() {
        assert_eq!(quote_bytes(b"ab\r\n"), "`ab\\r\\n`");
        assert_eq!(quote_bytes(&[0; 5]), "`\\x00` ×5");
        assert_eq!(quote_bytes("é\u{1}".as_bytes()), "`é\\x01`");
        let long = quote_bytes(&[b'a', 0].repeat(200));
        assert!(long.ends_with('…'));
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
    fn rule_waits_greeting() {
        let recv = |on| snapshot(vec![proc_view(Actor::Client, 41, Some("recv"), on)]);
        let greeting = received_step(vec![recv(WaitsOn::Socket(Some(Actor::Peer)))], vec![]);
        let d = waits_greeting(&ctx(&greeting.0, &greeting.1, greeting.2)).unwrap();
        assert_eq!(d.code, Code::ReceivesFirst);
        says(
            &d.message,
            "client (pid 41) waits in recv() for peer: it waits for the server to speak \
             first, which the sheet's server never does",
            "client (pid 41) attend le pair dans recv()\u{a0}: il attend que le serveur parle \
             le premier, ce que le serveur de l'énoncé ne fait jamais",
        );
        // On the keyboard, or something came: not this rule.
        let typing = received_step(vec![recv(WaitsOn::Keyboard)], vec![]);
        assert!(silent(waits_greeting, typing));
        let came = received_step(
            vec![got("Salut\n"), recv(WaitsOn::Socket(Some(Actor::Peer)))],
            vec![],
        );
        assert!(silent(waits_greeting, came));
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

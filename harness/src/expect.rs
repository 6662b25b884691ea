//! How expectations are met: line matching that tolerates decorations but not
//! lost, merged, split or reordered lines. Shared by the runner (to stop
//! waiting as soon as an expectation holds) and the verdict (to judge); pure.

use crate::scenario::{Action, Role, Scenario};
use crate::transcript::{Actor, Event, Transcript};

/// A printed line as a person reads it: ANSI sequences, `\r`, NULs and
/// trailing blanks removed; invalid UTF-8 replaced.
pub fn normalize(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters up to a final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: up to BEL or ESC \
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' | '\0' => {}
            c => out.push(c),
        }
    }
    out.trim_end().to_string()
}

/// How Python shows `expected.encode()` inside `b'…'` (the start of it).
pub fn python_bytes_repr(expected: &str) -> String {
    let mut s = String::new();
    for &b in expected.as_bytes() {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\\' => s.push_str("\\\\"),
            b'\'' => s.push_str("\\'"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// Whether a printed line shows the bytes repr of `expected` (`b'Bonjour\n'`).
pub fn is_bytes_repr(line: &str, expected: &str) -> bool {
    let repr = python_bytes_repr(expected);
    let head: String = repr.chars().take(12).collect();
    line.contains(&format!("b'{head}")) || line.contains(&format!("b\"{head}"))
}

/// Whether a printed line shows a bytes repr holding a piece of `expected`
/// (`b'Bonj'` then `b'our\n'` when the line came in two segments).
pub fn is_bytes_repr_piece(line: &str, expected: &str) -> bool {
    let repr = python_bytes_repr(expected) + "\\n";
    for q in ["b'", "b\""] {
        if let Some(at) = line.find(q) {
            let inner = &line[at + 2..];
            let inner = inner.strip_suffix(&q[1..]).unwrap_or(inner);
            if !inner.is_empty() && repr.contains(inner) {
                return true;
            }
        }
    }
    false
}

/// Whether `line` (normalized) shows `expected` with at most decorations
/// around it: a prefix that ends at a word boundary (`Reçu : `, `> `), and
/// nothing but punctuation after it.
pub fn line_matches(line: &str, expected: &str) -> bool {
    if expected.is_empty() {
        return line.is_empty();
    }
    if is_bytes_repr(line, expected) {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = line[from..].find(expected) {
        let at = from + pos;
        let prefix = &line[..at];
        let suffix = &line[at + expected.len()..];
        let prefix_ok = prefix.chars().last().is_none_or(|c| !c.is_alphanumeric());
        let suffix_ok = suffix.chars().all(|c| !c.is_alphanumeric() && c != '\\');
        if prefix_ok && suffix_ok {
            return true;
        }
        from = at + expected.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Printed lines of `actor` from entry `from`, normalized, blank ones dropped.
pub fn printed_lines(t: &Transcript, actor: Actor, from: usize, to: usize) -> Vec<String> {
    t.window(from, to)
        .iter()
        .filter(|e| e.actor == actor)
        .filter_map(|e| match &e.event {
            Event::Printed { raw, .. } => Some(normalize(raw)),
            _ => None,
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether every expected line appears, in order, among `lines`.
pub fn in_order(
    lines: &[String],
    expected: &[String],
    matches: impl Fn(&str, &str) -> bool,
) -> bool {
    let mut it = lines.iter();
    expected.iter().all(|e| it.any(|l| matches(l, e)))
}

/// Lines the peer received from entry `from` up to `to`: complete lines
/// (without `\n`, `\r` trimmed) and what is left without a newline.
pub fn received_lines(t: &Transcript, from: usize, to: usize) -> (Vec<String>, Vec<u8>) {
    let mut bytes = Vec::new();
    for e in t.window(from, to) {
        if let Event::Received(b) = &e.event {
            bytes.extend_from_slice(b);
        }
    }
    let mut lines = Vec::new();
    let mut rest: &[u8] = &bytes;
    while let Some(i) = rest.iter().position(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(&rest[..i])
            .trim_end_matches('\r')
            .to_string();
        lines.push(line);
        rest = &rest[i + 1..];
    }
    (lines, rest.to_vec())
}

/// A received line matches when equal, modulo trailing blanks.
pub fn received_matches(line: &str, expected: &str) -> bool {
    line.trim_end() == expected
}

/// What an expectation looks at: one program's terminal, what one program
/// sends, or the whole world (connections, exits, process checks).
#[derive(PartialEq)]
enum Stream {
    Printed(crate::scenario::Side),
    Sent(crate::scenario::Side),
    World,
}

fn stream(s: &Scenario, j: usize) -> Stream {
    match s.steps[j].action {
        Action::ExpectPrinted(_) => Stream::Printed(s.step_side(j)),
        Action::ExpectReceived(_) | Action::ExpectSilent => Stream::Sent(s.step_side(j)),
        _ => Stream::World,
    }
}

/// Where the window of step `i` opens: right after the previous expectation
/// on the same stream, or on the whole world (so the sends and typing that
/// lead to this check are inside it, and so are lines that arrived while
/// an expectation on another stream was waited for).
pub fn window_start(s: &Scenario, t: &Transcript, i: usize) -> usize {
    let mine = stream(s, i);
    let mut j = i;
    while j > 0 {
        let prev = j - 1;
        if s.steps[prev].action.is_expectation() {
            let other = stream(s, prev);
            if other == Stream::World || other == mine || mine == Stream::World {
                break;
            }
        }
        j -= 1;
    }
    t.step_start(j).unwrap_or(t.entries.len())
}

/// Whether the expectation of step `i` is met by the transcript up to `to`
/// (entries index). Steps that are not checks are always met.
pub fn met(s: &Scenario, t: &Transcript, i: usize, to: usize) -> bool {
    let from = window_start(s, t, i);
    let actor = actor_of(s.step_side(i));
    match &s.steps[i].action {
        Action::ExpectPrinted(lines) => {
            in_order(&printed_lines(t, actor, from, to), lines, line_matches)
        }
        Action::ExpectReceived(lines) => {
            in_order(&received_lines(t, from, to).0, lines, received_matches)
        }
        // Pair scenarios on an observed wire: the client reaching the
        // harness's relay is half of it; the relay must reach the server.
        Action::Accept if s.role == Role::Pair && t.isolated => t
            .window(from, to)
            .iter()
            .any(|e| e.actor == Actor::Server && matches!(e.event, Event::Connected { .. })),
        Action::Connect | Action::Accept => t
            .window(from, to)
            .iter()
            .any(|e| matches!(e.event, Event::Connected { .. })),
        Action::ExpectClosed => t.window(from, to).iter().any(|e| {
            e.event == Event::PeerSawClose || (e.actor == actor && e.event == Event::RelayClosed)
        }),
        _ => true,
    }
}

/// Whether the program of step `i` sent anything in the step's window (to
/// the harness's peer, or through the relay to the other program).
pub fn sent_in(s: &Scenario, t: &Transcript, i: usize, to: usize) -> bool {
    !sent_bytes(t, actor_of(s.step_side(i)), window_start(s, t, i), to).is_empty()
}

/// What `actor` sent in entries `from..to`: to the harness's peer, or
/// through the relay to the other program.
pub fn sent_bytes(t: &Transcript, actor: Actor, from: usize, to: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for e in t.window(from, to) {
        match &e.event {
            Event::Received(b) => out.extend_from_slice(b),
            Event::Relayed(b) if e.actor == actor => out.extend_from_slice(b),
            _ => {}
        }
    }
    out
}

/// The transcript actor of the program a scenario drives.
pub fn side_actor(s: &Scenario) -> Actor {
    actor_of(s.side())
}

/// The transcript actor of one of the lab's two programs.
pub fn actor_of(side: crate::scenario::Side) -> Actor {
    match side {
        crate::scenario::Side::Server => Actor::Server,
        crate::scenario::Side::Client => Actor::Client,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorations_are_tolerated() {
        for l in [
            "Bonjour",
            "Reçu : Bonjour",
            "> Bonjour",
            "[client] Bonjour !",
            "\u{1b}[32mBonjour\u{1b}[0m",
        ] {
            assert!(line_matches(&normalize(l.as_bytes()), "Bonjour"), "{l}");
        }
    }

    #[test]
    fn repr_split_and_merged_lines_do_not_match() {
        for l in [
            "b'Bonjour\\n'",
            "b\"Bonjour\"",
            "Bonj",
            "our",
            "Bonjourça va ?",
            "xBonjour",
            "'Bonjour\\n'",
        ] {
            assert!(!line_matches(&normalize(l.as_bytes()), "Bonjour"), "{l}");
        }
        assert!(!line_matches("un deux trois", "un"));
        assert!(is_bytes_repr("b'\\xc3\\x87a marche'", "Ça marche"));
        assert!(is_bytes_repr_piece("b'our\\n'", "Bonjour"));
        assert!(is_bytes_repr_piece("b'Bonj'", "Bonjour"));
        assert!(!is_bytes_repr_piece("b''", "Bonjour"));
    }

    #[test]
    fn normalize_strips_terminal_noise() {
        assert_eq!(normalize(b"\x1b]0;title\x07hi\r\0  "), "hi");
    }

    #[test]
    fn lines_in_order() {
        let lines: Vec<String> = ["> ", "un", "x", "deux"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let exp = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(in_order(&lines, &exp(&["un", "deux"]), line_matches));
        assert!(!in_order(&lines, &exp(&["deux", "un"]), line_matches));
    }

    mod total {
        use super::super::*;
        use crate::transcript::arbitrary;
        use proptest::prelude::*;
        use std::sync::LazyLock;

        static CATALOGUE: LazyLock<Vec<Scenario>> =
            LazyLock::new(|| crate::scenario::load_catalogue(None).unwrap());

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Every check of every step, on any transcript and any window
            /// (reversed, past the end), returns; windows open inside it.
            #[test]
            fn expectations_return_on_any_transcript_and_window(
                (k, t) in (0..CATALOGUE.len()).prop_flat_map(|k| {
                    (Just(k), arbitrary::transcript(CATALOGUE[k].steps.len()))
                }),
                from in 0..64usize,
                to in prop_oneof![0..64usize, Just(usize::MAX)],
                actor in arbitrary::actor(),
            ) {
                let s = &CATALOGUE[k];
                for i in 0..s.steps.len() {
                    prop_assert!(window_start(s, &t, i) <= t.entries.len());
                    let _ = met(s, &t, i, to);
                    let _ = sent_in(s, &t, i, to);
                }
                let lines = printed_lines(&t, actor, from, to);
                prop_assert!(lines.len() <= t.window(from, to).len());
                let (lines, _) = received_lines(&t, from, to);
                let _ = in_order(&lines, &lines, received_matches);
                let _ = sent_bytes(&t, actor, from, to);
            }

            /// Matching and normalizing any text returns (byte offsets on
            /// character boundaries, escapes cut short).
            #[test]
            fn line_matching_returns_on_any_text(
                raw in prop::collection::vec(any::<u8>(), 0..40),
                expected in "\\PC{0,8}",
            ) {
                let line = normalize(&raw);
                let _ = line_matches(&line, &expected);
                let _ = is_bytes_repr_piece(&line, &expected);
            }
        }
    }
}

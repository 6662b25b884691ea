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

/// Line matching for one program's terminal, knowing its own recurring
/// texts: when several processes print on one terminal, a prompt or banner
/// of the program can land glued after a line it received (`User > reçu
/// 2Vous > `, `User > reçu 1Tapez vos messages.`). Such a suffix is
/// accepted only when made of the program's own texts: what it also prints
/// elsewhere (on a line of its own, or before or after a received line), or
/// what it printed beside the first line it received (start-up text racing
/// that line). A suffix holding a line of the peer is never accepted (lines
/// merged), nor anything else (changed text: `wrong-text`).
#[derive(Debug, Default)]
pub struct Terminal {
    /// Texts the program printed around (or instead of) the peer's lines,
    /// one entry per line they stand on.
    own: Vec<String>,
    /// Texts it printed beside the first received line it showed.
    startup: Vec<String>,
    /// Every line the peer sent this program, and every expected line.
    peer: Vec<String>,
}

impl Terminal {
    /// What `actor` printed in entries `..to`, read against the lines it
    /// was sent and the lines the scenario expects of it.
    pub fn of(s: &Scenario, t: &Transcript, actor: Actor, to: usize) -> Terminal {
        let to = to.min(t.entries.len());
        let mut peer: Vec<String> = s
            .steps
            .iter()
            .filter_map(|st| match &st.action {
                Action::ExpectPrinted(lines) => Some(lines.iter().cloned()),
                _ => None,
            })
            .flatten()
            .collect();
        peer.extend(peer_lines(t, actor, to));
        peer.retain(|l| !l.is_empty());
        peer.sort_by_key(|l| std::cmp::Reverse(l.len()));
        peer.dedup();
        let mut term = Terminal {
            peer,
            ..Terminal::default()
        };
        let mut seen_peer = false;
        for line in printed_lines(t, actor, 0, to) {
            let pieces = term.pieces(&line);
            if !seen_peer && pieces.len() > 1 {
                seen_peer = true;
                term.startup
                    .extend(pieces.iter().filter(|p| own_text(p)).cloned());
            }
            term.own.extend(pieces.into_iter().filter(|p| own_text(p)));
        }
        term
    }

    /// The line cut around every peer line it shows (longest first): the
    /// program's texts, trimmed. One piece: no peer line on it.
    fn pieces(&self, line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = line;
        let mut cut = false;
        while let Some((at, len)) = self
            .peer
            .iter()
            .filter_map(|p| rest.find(p.as_str()).map(|at| (at, p.len())))
            .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)))
        {
            out.push(rest[..at].trim().to_string());
            rest = &rest[at + len..];
            cut = true;
        }
        out.push(rest.trim().to_string());
        if !cut {
            out.truncate(1);
        }
        out
    }

    /// Whether `text` is made of the program's own texts: each piece printed
    /// twice at least (this time included: a prompt repeated, `Vous > Vous
    /// > `), or start-up text. Longer than any prompt: not one.
    fn is_own(&self, text: &str) -> bool {
        let text = text.trim();
        if text.is_empty() {
            return true;
        }
        if text.len() > 200 || self.peer.iter().any(|p| text.contains(p.as_str())) {
            return false;
        }
        let known = |q: &str| {
            own_text(q)
                && (self.startup.iter().any(|p| p.contains(q))
                    || self.own.iter().map(|p| p.matches(q).count()).sum::<usize>() >= 2)
        };
        // Split into a sequence of known texts, longest first.
        let mut reach = vec![false; text.len() + 1];
        reach[0] = true;
        for i in 0..text.len() {
            if !reach[i] || !text.is_char_boundary(i) {
                continue;
            }
            let from = i + (text.len() - i - text[i..].trim_start().len());
            if from == text.len() {
                reach[from] = true;
            }
            for j in (from + 1..=text.len()).filter(|&j| text.is_char_boundary(j)) {
                if known(text[from..j].trim_end()) {
                    reach[j] = true;
                }
            }
        }
        reach[text.len()]
    }

    /// `line_matches`, also accepting the program's own texts glued after
    /// the expected line.
    pub fn matches(&self, line: &str, expected: &str) -> bool {
        if line_matches(line, expected) {
            return true;
        }
        if expected.is_empty() || is_bytes_repr(line, expected) {
            return false;
        }
        let mut from = 0;
        while let Some(pos) = line[from..].find(expected) {
            let at = from + pos;
            let prefix_ok = line[..at]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric());
            if prefix_ok && self.is_own(&line[at + expected.len()..]) {
                return true;
            }
            from = at + expected.chars().next().map_or(1, char::len_utf8);
        }
        false
    }
}

/// Every line the peer sent `actor` in entries `..to` (through the relay,
/// in pair scenarios), trimmed.
pub fn peer_lines(t: &Transcript, actor: Actor, to: usize) -> Vec<String> {
    let mut out = Vec::new();
    for e in t.window(0, to) {
        let data = match &e.event {
            Event::Sent(b) => b,
            Event::Relayed(b) if e.actor != actor => b,
            _ => continue,
        };
        out.extend(
            String::from_utf8_lossy(data)
                .split('\n')
                .map(|l| l.trim().to_string()),
        );
    }
    out
}

/// How a printed line shows the expected one changed, when it is the same
/// text once the change is undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// UTF-8 bytes decoded as Latin-1: `Ã§a` for `ça`.
    Mojibake,
    /// The repr of the string: `'Bonjour\n'`.
    Repr,
    /// Spaces added, doubled or dropped between words.
    Spaces,
    /// Upper or lower case: `BONJOUR`.
    Case,
    /// Bytes glued after the line: stale buffer bytes, a missing NUL.
    Trailing,
}

/// How `line` (normalized) shows `expected` changed, if it does. `peer`:
/// the lines the program was sent (a glued tail of a longer one is stale
/// buffer bytes). A line that matches is not changed.
pub fn changed(line: &str, expected: &str, peer: &[String]) -> Option<Change> {
    if expected.is_empty() || line_matches(line, expected) || is_bytes_repr(line, expected) {
        return None;
    }
    let latin1: Option<Vec<u8>> = line
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    if let Some(s) = latin1.and_then(|b| String::from_utf8(b).ok()) {
        if s != line && line_matches(&s, expected) {
            return Some(Change::Mojibake);
        }
    }
    let unescaped = line
        .replace("\\r", "")
        .replace("\\n", "")
        .replace("\\t", " ")
        .replace("\\'", "'")
        .replace("\\\"", "\"");
    if unescaped != line && line_matches(&unescaped, expected) {
        return Some(Change::Repr);
    }
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (l, e) = (squeeze(line), squeeze(expected));
    if (l != line || e != expected) && line_matches(&l, &e) {
        return Some(Change::Spaces);
    }
    let (ll, el) = (line.to_lowercase(), expected.to_lowercase());
    if (ll != line || el != expected) && line_matches(&ll, &el) {
        return Some(Change::Case);
    }
    trailing(line, expected, peer).then_some(Change::Trailing)
}

/// Whether `expected` stands in `line` after a decoration, glued to bytes
/// that are not text the program chose: control characters, undecodable
/// bytes, or the tail of a longer line it was sent before (a buffer
/// reused without its NUL terminator).
fn trailing(line: &str, expected: &str, peer: &[String]) -> bool {
    line.match_indices(expected).any(|(at, _)| {
        let prefix_ok = line[..at]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric());
        let tail = &line[at + expected.len()..];
        let garbage = tail
            .chars()
            .any(|c| c == char::REPLACEMENT_CHARACTER || (c.is_control() && c != '\t'));
        let stale = peer
            .iter()
            .any(|p| p.len() >= expected.len() + tail.len() && p.ends_with(tail));
        prefix_ok && tail.chars().next().is_some_and(|c| !c.is_whitespace()) && (garbage || stale)
    })
}

/// A text worth remembering as the program's own: something to read, not
/// a stray character.
fn own_text(p: &str) -> bool {
    p.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// Printed lines of `actor` from entry `from`, normalized, blank ones
/// dropped. A piece recorded without its newline (what stood on the screen
/// when the world was quiescent) is joined to what followed it on the same
/// terminal line.
pub fn printed_lines(t: &Transcript, actor: Actor, from: usize, to: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut open: Option<Vec<u8>> = None;
    for e in t.window(from, to) {
        let Event::Printed { raw, newline } = &e.event else {
            continue;
        };
        if e.actor != actor {
            continue;
        }
        let mut line = open.take().unwrap_or_default();
        line.extend_from_slice(raw);
        if *newline {
            lines.push(normalize(&line));
        } else {
            open = Some(line);
        }
    }
    if let Some(line) = open {
        lines.push(normalize(&line));
    }
    lines.retain(|l| !l.is_empty());
    lines
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
            let printed = printed_lines(t, actor, from, to);
            in_order(&printed, lines, line_matches) || {
                let term = Terminal::of(s, t, actor, to);
                in_order(&printed, lines, |l, e| term.matches(l, e))
            }
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

    /// A q4 client scenario that sends `un`, `deux`, `trois` and expects
    /// them printed, and the transcript of a client that printed `lines`.
    fn glued(lines: &[&str]) -> (Scenario, Transcript) {
        let s = crate::scenario::parse_scenario(
            "t.toml",
            "id = \"q4.client.t\"\nquestion = \"q4\"\nrole = \"client\"\npoints = 1\n\
             title = { en = \"t\", fr = \"t\" }\npasses = { en = \"t\", fr = \"t\" }\n\
             [[step]]\nlisten = true\n[[step]]\nstart = \"client\"\n[[step]]\naccept = true\n\
             [[step]]\nsend = [\"un\\n\", \"deux\\n\", \"trois\\n\"]\n\
             [[step]]\nexpect_printed = [\"un\", \"deux\", \"trois\"]\n",
        )
        .unwrap();
        let mut t = Transcript::default();
        let ms = std::time::Duration::from_millis;
        t.push(ms(0), Actor::Harness, Event::Step(0));
        t.push(
            ms(1),
            Actor::Peer,
            Event::Sent(b"un\ndeux\ntrois\n".to_vec()),
        );
        for (k, l) in lines.iter().enumerate() {
            let raw = l.as_bytes().to_vec();
            t.push(
                ms(2 + k as u64),
                Actor::Client,
                Event::Printed { raw, newline: true },
            );
        }
        (s, t)
    }

    fn all_match(lines: &[&str]) -> bool {
        let (s, t) = glued(lines);
        let term = Terminal::of(&s, &t, Actor::Client, t.entries.len());
        let printed = printed_lines(&t, Actor::Client, 0, t.entries.len());
        let exp: Vec<String> = ["un", "deux", "trois"].map(String::from).to_vec();
        in_order(&printed, &exp, |l, e| term.matches(l, e))
    }

    #[test]
    fn a_prompt_printed_elsewhere_may_be_glued_after_a_line() {
        assert!(all_match(&[
            "Vous > ",
            "User > unVous > ",
            "User > deux",
            "User > troisVous > Vous > "
        ]));
        assert!(all_match(&[
            "User > unVous >",
            "User > deuxVous >",
            "User > trois"
        ]));
    }

    #[test]
    fn start_up_text_may_be_glued_after_the_first_line() {
        assert!(all_match(&[
            "User > unTapez vos messages.",
            "User > deux",
            "User > trois"
        ]));
        // Only after the first received line: later, it is changed text.
        assert!(!all_match(&[
            "User > un",
            "User > deuxTapez vos messages.",
            "User > trois"
        ]));
    }

    #[test]
    fn other_suffixes_are_changed_text() {
        // Merged lines: a peer line is never a prompt.
        assert!(!all_match(&["undeux", "trois"]));
        assert!(!all_match(&["un", "deuxtrois"]));
        // Stale bytes of a buffer, different every time.
        assert!(!all_match(&["un", "deuxxx", "troisyz"]));
        assert!(!all_match(&[
            "un",
            "deux",
            &format!("trois{}", "ab".repeat(200))
        ]));
        // One stray character is nobody's prompt.
        assert!(!all_match(&["un", "deux", "trois0", "0"]));
        // Upper case is not the line.
        assert!(!all_match(&["UN", "DEUX", "TROIS"]));
    }

    #[test]
    fn a_piece_left_without_newline_joins_what_follows() {
        let mut t = Transcript::default();
        let ms = std::time::Duration::from_millis;
        for (k, (raw, newline)) in [("Bonj", false), ("our", true), ("> ", false)]
            .iter()
            .enumerate()
        {
            let raw = raw.as_bytes().to_vec();
            t.push(
                ms(k as u64),
                Actor::Server,
                Event::Printed {
                    raw,
                    newline: *newline,
                },
            );
        }
        assert_eq!(printed_lines(&t, Actor::Server, 0, 3), ["Bonjour", ">"]);
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
        use crate::verdict::testkit::{scenario_and_transcript, whole_catalogue};
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Every check of every step, on any transcript and any window
            /// (reversed, past the end), returns; windows open inside it.
            #[test]
            fn expectations_return_on_any_transcript_and_window(
                (k, t) in scenario_and_transcript(),
                from in 0..64usize,
                to in prop_oneof![0..64usize, Just(usize::MAX)],
                actor in arbitrary::actor(),
            ) {
                let s = &whole_catalogue()[k];
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

//! Transcript: the timestamped record of everything a scenario saw. The runner
//! writes it, the verdict and the reporters read it; it imports nothing of the crate.

use serde::Serialize;
use std::time::Duration;

/// Who did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    /// The server program under test.
    Server,
    /// The client program under test.
    Client,
    /// The harness's own TCP end.
    Peer,
    /// The harness itself (keyboard, signals, observations).
    Harness,
}

impl Actor {
    /// The other program of the lab (the peer and the harness have none).
    pub fn other_program(self) -> Option<Actor> {
        match self {
            Actor::Server => Some(Actor::Client),
            Actor::Client => Some(Actor::Server),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Actor::Server => "server",
            Actor::Client => "client",
            Actor::Peer => "peer",
            Actor::Harness => "harness",
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A scenario step began (index into the scenario's steps).
    Step(usize),
    /// A program was started (`pid`); `command` is what ran.
    Started { pid: i32, command: String },
    /// A line typed into the program's terminal (without the newline).
    Typed(String),
    /// End of input (Ctrl-D) typed.
    TypedEof,
    /// Ctrl-C: SIGINT sent to the program's foreground process group.
    Interrupted,
    /// One line the program printed on its terminal (raw bytes, no `\r\n`),
    /// `newline` false for a last line printed without one.
    Printed { raw: Vec<u8>, newline: bool },
    /// Bytes the peer sent, one segment.
    Sent(Vec<u8>),
    /// Bytes the peer received, one read.
    Received(Vec<u8>),
    /// A TCP connection between the peer and the program was established.
    Connected { port: u16 },
    /// The program's side closed the connection (the peer read end of stream).
    PeerSawClose,
    /// The peer closed its end.
    PeerClosed,
    /// Nothing listened where the peer connected, up to the deadline.
    ConnectRefused { port: u16 },
    /// How many times the peer called `connect()` on `port` before it gave
    /// up (it calls only once the port's table shows a listener).
    ConnectCalls { port: u16, calls: u32 },
    /// The program listens on a port (seen in the namespace's socket table).
    Listening { port: u16 },
    /// The program tried to connect to a port where nobody listened.
    ConnectAttempt { port: u16 },
    /// A program's first process ended.
    Exited { pid: i32, exit: Exit },
    /// Every process of the world sleeps in a read, accept or connect, with
    /// nothing queued: nothing more will happen without the harness.
    Quiescent,
    /// CPU time the program burnt over a window of wall time (busy-loop check).
    /// CPU the programs used during a wait, and how long they were
    /// runnable (on a CPU or queued for one).
    Cpu {
        used_ms: f64,
        runnable_ms: f64,
        window_ms: f64,
    },
    /// A wait reached its safety-net deadline.
    Deadline,
    /// Data beyond a cap (capture, or the memory bound of a judged
    /// transcript) was counted, not kept: the middle of one stream, `of`
    /// that kind, from this actor.
    OutputDropped { of: Data, count: Dropped },
    /// The program hit one of its limits, whose value is `max` (a count,
    /// bytes or seconds).
    LimitHit { limit: Limit, max: u64 },
    /// The program could not be started at all (compile error, missing file).
    StartFailed {
        failure: StartFailure,
        detail: String,
    },
    /// Cleanup: processes still running at the end were killed.
    Killed { pids: Vec<i32> },
    /// The steps are over (or one failed): what follows is the harness
    /// ending the scenario (end of input, then killing what is left).
    Teardown,
    /// Pair scenarios: bytes the entry's program sent to the other one,
    /// seen on the wire by the harness's relay (one segment).
    Relayed(Vec<u8>),
    /// Pair scenarios: the entry's program closed its side of the wire.
    RelayClosed,
    /// Pair scenarios without network namespaces: the programs talk
    /// directly; what crossed the wire was not observed.
    WireUnobserved,
    /// What every process of the programs was doing at that moment.
    Snapshot(Vec<ProcView>),
    /// Every process of the entry's program has ended.
    AllEnded,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status.
    Code(i32),
    /// This signal killed it.
    Signal(i32),
}

impl Exit {
    /// Its exit status, if it exited.
    pub fn code(self) -> Option<i32> {
        match self {
            Exit::Code(c) => Some(c),
            Exit::Signal(_) => None,
        }
    }

    /// The signal that killed it, if one did.
    pub fn signal(self) -> Option<i32> {
        match self {
            Exit::Code(_) => None,
            Exit::Signal(s) => Some(s),
        }
    }
}

/// Why a program could not be started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFailure {
    /// No program given for its side, or it could not be executed.
    BadProgram,
    /// Its source does not compile.
    CompileError,
}

impl StartFailure {
    /// Its code in transcripts.
    pub fn code(self) -> &'static str {
        match self {
            StartFailure::BadProgram => "bad-program",
            StartFailure::CompileError => "compile-error",
        }
    }
}

/// A limit of a program under test (`world::limits` in the sandbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    Processes,
    Memory,
    CpuTime,
    FileSize,
    /// Captured output: judged `output-flood`, not `limit`.
    Output,
    /// What a program sent (to the peer, through the relay) past the same
    /// cap as its output: judged `output-flood` too.
    Sent,
}

impl Limit {
    /// The limit's name in transcripts (stable, like diagnosis codes).
    pub fn name(self) -> &'static str {
        match self {
            Limit::Processes => "processes",
            Limit::Memory => "memory",
            Limit::CpuTime => "cpu-time",
            Limit::FileSize => "file-size",
            Limit::Output => "output",
            Limit::Sent => "sent",
        }
    }
}

/// The kinds of data event: the only events a cap or a report budget may
/// drop (as the middle of a stream, counted). Every other event is control
/// (steps, exits, snapshots, quiescence…), never dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Data {
    Printed,
    Received,
    Relayed,
    Sent,
    Typed,
}

impl Data {
    /// The kind's event name (`printed`, `received`, …).
    pub fn name(self) -> &'static str {
        match self {
            Data::Printed => "printed",
            Data::Received => "received",
            Data::Relayed => "relayed",
            Data::Sent => "sent",
            Data::Typed => "typed",
        }
    }
}

/// What was dropped of a stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub events: u64,
    pub bytes: u64,
    /// Printed lines, or newlines in the bytes of a byte stream.
    pub lines: u64,
}

impl Dropped {
    /// Counts one dropped event of `kind` holding `bytes`.
    pub fn add(&mut self, kind: Data, bytes: &[u8]) {
        self.events += 1;
        self.bytes += bytes.len() as u64;
        self.lines += match kind {
            Data::Printed | Data::Typed => 1,
            _ => bytes.iter().filter(|&&b| b == b'\n').count() as u64,
        };
    }
}

/// One process of a program, as /proc showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcView {
    pub actor: Actor,
    pub pid: i32,
    pub ppid: i32,
    pub comm: String,
    pub state: ProcState,
    pub threads: usize,
    /// The call it sleeps in (`recv`, `read`, `accept`, `poll`, …), if any.
    pub call: Option<String>,
    /// What that call waits on.
    pub on: WaitsOn,
}

/// A process's state, as /proc gives it (`R`, `S`, `Z`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcState {
    /// `R`: running, or runnable.
    Running,
    /// `S`: asleep in a call that a signal interrupts (a waiting call).
    Sleeping,
    /// `D`: asleep uninterruptibly (disk, some kernel waits).
    DiskSleep,
    /// `T`: stopped by a signal.
    Stopped,
    /// `Z`: exited, not yet reaped.
    Zombie,
    /// `X`: dead, being removed.
    Dead,
    /// Any other letter (`t` traced, `I` idle, …).
    Other(char),
}

impl ProcState {
    pub fn from_letter(c: char) -> ProcState {
        match c {
            'R' => ProcState::Running,
            'S' => ProcState::Sleeping,
            'D' => ProcState::DiskSleep,
            'T' => ProcState::Stopped,
            'Z' => ProcState::Zombie,
            'X' => ProcState::Dead,
            c => ProcState::Other(c),
        }
    }

    pub fn letter(self) -> char {
        match self {
            ProcState::Running => 'R',
            ProcState::Sleeping => 'S',
            ProcState::DiskSleep => 'D',
            ProcState::Stopped => 'T',
            ProcState::Zombie => 'Z',
            ProcState::Dead => 'X',
            ProcState::Other(c) => c,
        }
    }
}

/// Serialized as its letter, as when the state was a `char`.
impl Serialize for ProcState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_char(self.letter())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitsOn {
    Nothing,
    /// Its terminal: the user's keyboard.
    Keyboard,
    /// A connected socket, and who is at its other end (a program, the
    /// harness's peer), when known.
    Socket(Option<Actor>),
    /// A listening socket (accept).
    Listener,
    /// Its children (wait).
    Children,
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub t: Duration,
    pub actor: Actor,
    pub event: Event,
}

/// Per data stream, what a judged transcript keeps of its beginning and of
/// its end (`Transcript::bound`).
pub const KEEP_BYTES: usize = 64 * 1024;
pub const KEEP_EVENTS: usize = 1024;

/// Everything one scenario run saw, in order.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub entries: Vec<Entry>,
    /// Whether the harness could observe the wire (own network namespace).
    pub isolated: bool,
    /// The port the scenario ran on (`--port`), when the runner says it.
    pub port: Option<u16>,
}

impl Transcript {
    pub fn push(&mut self, t: Duration, actor: Actor, event: Event) {
        self.entries.push(Entry { t, actor, event });
    }

    /// Entries `from..to`, empty when the range is empty or past the end:
    /// the judging stages read windows between step markers, and a
    /// transcript cut short or out of order must not make them panic.
    pub fn window(&self, from: usize, to: usize) -> &[Entry] {
        let to = to.min(self.entries.len());
        self.entries.get(from..to).unwrap_or_default()
    }

    /// Index of the first entry of step `i`, if it began.
    pub fn step_start(&self, i: usize) -> Option<usize> {
        self.entries.iter().position(|e| e.event == Event::Step(i))
    }

    /// Lines printed by `actor` from entry index `from` on, with their index.
    pub fn printed_since(
        &self,
        actor: Actor,
        from: usize,
    ) -> impl Iterator<Item = (usize, &[u8], bool)> {
        self.entries[from.min(self.entries.len())..]
            .iter()
            .enumerate()
            .filter_map(move |(k, e)| match &e.event {
                Event::Printed { raw, newline } if e.actor == actor => {
                    Some((from + k, raw.as_slice(), *newline))
                }
                _ => None,
            })
    }

    /// All bytes the peer received from entry `from` on, concatenated.
    pub fn received_since(&self, from: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for e in &self.entries[from.min(self.entries.len())..] {
            if let Event::Received(b) = &e.event {
                out.extend_from_slice(b);
            }
        }
        out
    }

    /// Whether an event matching `f` occurs from entry `from` on.
    pub fn any_since(&self, from: usize, f: impl Fn(&Entry) -> bool) -> bool {
        self.entries[from.min(self.entries.len())..].iter().any(f)
    }

    /// Bounds the memory a judged transcript keeps until the report is
    /// written: of each data stream (actor and kind) the first and the last
    /// `KEEP_BYTES` bytes (at most `KEEP_EVENTS` events each), the middle
    /// replaced by one `OutputDropped` where it began. Control events all
    /// stay, in order. Linear: two passes.
    pub fn bound(&mut self) {
        use std::collections::HashMap;
        type Key = (Actor, Data);
        let mut totals: HashMap<Key, (usize, usize)> = HashMap::new();
        for e in &self.entries {
            if let Some((kind, b)) = e.event.data() {
                let t = totals.entry((e.actor, kind)).or_default();
                t.0 += b.len();
                t.1 += 1;
            }
        }
        if totals
            .values()
            .all(|&(bytes, n)| bytes <= 2 * KEEP_BYTES && n <= 2 * KEEP_EVENTS)
        {
            return;
        }
        // Per stream: bytes and events seen so far, and the index of its
        // drop marker in the new list.
        let mut seen: HashMap<Key, (usize, usize, Option<usize>)> = HashMap::new();
        let mut kept = Vec::with_capacity(self.entries.len().min(1 << 16));
        for e in std::mem::take(&mut self.entries) {
            let Some((kind, b)) = e.event.data() else {
                kept.push(e);
                continue;
            };
            let key = (e.actor, kind);
            let (total_bytes, total_n) = totals[&key];
            let s = seen.entry(key).or_default();
            let (before, k) = (s.0, s.1);
            s.0 += b.len();
            s.1 += 1;
            let in_head = before < KEEP_BYTES && k < KEEP_EVENTS;
            let in_tail = total_bytes - before <= KEEP_BYTES && total_n - k <= KEEP_EVENTS;
            if in_head || in_tail {
                kept.push(e);
                continue;
            }
            match s.2 {
                Some(at) => {
                    if let Event::OutputDropped { count, .. } = &mut kept[at].event {
                        count.add(kind, b);
                    }
                }
                None => {
                    let mut count = Dropped::default();
                    count.add(kind, b);
                    s.2 = Some(kept.len());
                    kept.push(Entry {
                        t: e.t,
                        actor: e.actor,
                        event: Event::OutputDropped { of: kind, count },
                    });
                }
            }
        }
        self.entries = kept;
    }

    pub fn last_time(&self) -> Duration {
        self.entries.last().map(|e| e.t).unwrap_or_default()
    }
}

/// Renders bytes for humans and JSON: UTF-8 as is, other bytes as `\xNN`.
pub fn render_bytes(b: &[u8]) -> String {
    render_bytes_cut(b, usize::MAX).0
}

/// `render_bytes`, stopped after `max` characters; with the number of
/// characters the whole rendering has when it was cut. Linear, and only
/// the kept part is built (the rest is counted).
pub fn render_bytes_cut(b: &[u8], max: usize) -> (String, Option<usize>) {
    let mut out = String::new();
    let mut n = 0usize;
    let base = b.as_ptr() as usize;
    for chunk in b.utf8_chunks() {
        let start = chunk.valid().as_ptr() as usize - base;
        for (off, c) in chunk.valid().char_indices() {
            let w = char_width(c);
            if n + w > max {
                return (out, Some(n + rendered_len(&b[start + off..])));
            }
            n += w;
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if c != '\t' && c.is_control() => push_hex(&mut out, c as u32),
                c => out.push(c),
            }
        }
        let invalid = start + chunk.valid().len();
        for (k, &byte) in chunk.invalid().iter().enumerate() {
            if n + 4 > max {
                return (out, Some(n + rendered_len(&b[invalid + k..])));
            }
            n += 4;
            push_hex(&mut out, u32::from(byte));
        }
    }
    (out, None)
}

/// Characters `render_bytes` gives a character.
fn char_width(c: char) -> usize {
    match c {
        '\n' | '\r' => 2,
        '\t' => 1,
        c if c.is_control() => 4,
        _ => 1,
    }
}

fn push_hex(out: &mut String, v: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('\\');
    out.push('x');
    out.push(HEX[(v >> 4) as usize & 15] as char);
    out.push(HEX[v as usize & 15] as char);
}

/// Characters `render_bytes` gives each ASCII byte.
const ASCII_WIDTH: [u8; 128] = {
    let mut w = [1u8; 128];
    let mut b = 0;
    while b < 128 {
        w[b] = match b as u8 {
            b'\n' | b'\r' => 2,
            b'\t' => 1,
            0..=0x1f | 0x7f => 4,
            _ => 1,
        };
        b += 1;
    }
    w
};

/// Characters of `render_bytes(b)`, without building it (a table for the
/// ASCII prefix, characters for the rest).
pub fn rendered_len(b: &[u8]) -> usize {
    let ascii = b.iter().position(|&c| c >= 0x80).unwrap_or(b.len());
    let n: usize = b[..ascii]
        .iter()
        .map(|&c| usize::from(ASCII_WIDTH[usize::from(c)]))
        .sum();
    n + b[ascii..]
        .utf8_chunks()
        .map(|ch| ch.valid().chars().map(char_width).sum::<usize>() + 4 * ch.invalid().len())
        .sum::<usize>()
}

impl Event {
    /// Short machine name of the event kind (JSON `event`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Step(_) => "step",
            Event::Started { .. } => "started",
            Event::Typed(_) => "typed",
            Event::TypedEof => "typed-eof",
            Event::Interrupted => "interrupted",
            Event::Printed { .. } => "printed",
            Event::Sent(_) => "sent",
            Event::Received(_) => "received",
            Event::Connected { .. } => "connected",
            Event::PeerSawClose => "closed-by-program",
            Event::PeerClosed => "closed-by-peer",
            Event::ConnectRefused { .. } => "connect-refused",
            Event::ConnectCalls { .. } => "connect-calls",
            Event::Listening { .. } => "listening",
            Event::ConnectAttempt { .. } => "connect-attempt",
            Event::Exited { .. } => "exited",
            Event::Quiescent => "quiescent",
            Event::Cpu { .. } => "cpu",
            Event::Deadline => "deadline",
            Event::OutputDropped { .. } => "output-dropped",
            Event::LimitHit { .. } => "limit",
            Event::StartFailed { .. } => "start-failed",
            Event::Killed { .. } => "killed",
            Event::Teardown => "teardown",
            Event::Relayed(_) => "relayed",
            Event::RelayClosed => "relay-closed",
            Event::WireUnobserved => "wire-unobserved",
            Event::Snapshot(_) => "snapshot",
            Event::AllEnded => "all-ended",
        }
    }

    /// The stream a data event belongs to, and its bytes; `None` for
    /// control events.
    pub fn data(&self) -> Option<(Data, &[u8])> {
        match self {
            Event::Printed { raw, .. } => Some((Data::Printed, raw)),
            Event::Received(b) => Some((Data::Received, b)),
            Event::Relayed(b) => Some((Data::Relayed, b)),
            Event::Sent(b) => Some((Data::Sent, b)),
            Event::Typed(s) => Some((Data::Typed, s.as_bytes())),
            _ => None,
        }
    }

    /// The event's text cut at `max` characters, and the length of the
    /// whole text when it was cut. Data events render only what is kept.
    pub fn text_cut(&self, max: usize) -> (String, Option<usize>) {
        match self {
            Event::Sent(b) | Event::Received(b) | Event::Relayed(b) => render_bytes_cut(b, max),
            Event::Printed { raw, newline } => {
                let (mut s, n) = render_bytes_cut(raw, max);
                if !newline && n.is_none() {
                    s.push_str(" ⏎̸");
                }
                (s, n)
            }
            other => {
                let text = other.text();
                match text.char_indices().nth(max) {
                    None => (text, None),
                    Some((at, _)) => (text[..at].to_string(), Some(text.chars().count())),
                }
            }
        }
    }

    /// The event's text when it needs no words: what was typed, printed,
    /// sent or received, `^D`, `^C`. Events told in words are rendered by
    /// the reporters from the message catalogues (`report::events`); they
    /// have no text here.
    pub fn text(&self) -> String {
        match self {
            Event::Typed(s) => s.clone(),
            Event::TypedEof => "^D".into(),
            Event::Interrupted => "^C".into(),
            Event::Printed { raw, newline } => {
                let mut s = render_bytes(raw);
                if !newline {
                    s.push_str(" ⏎̸");
                }
                s
            }
            Event::Sent(b) | Event::Received(b) | Event::Relayed(b) => render_bytes(b),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flood(n: usize) -> Transcript {
        let mut tr = Transcript::default();
        tr.push(Duration::ZERO, Actor::Harness, Event::Step(0));
        tr.push(
            Duration::ZERO,
            Actor::Peer,
            Event::Received(b"Bonjour\n".to_vec()),
        );
        for k in 0..n {
            tr.push(Duration::ZERO, Actor::Peer, Event::Received(vec![0; 1025]));
            if k == n / 2 {
                tr.push(Duration::ZERO, Actor::Harness, Event::Step(1));
            }
            tr.push(
                Duration::ZERO,
                Actor::Server,
                Event::Printed {
                    raw: Vec::new(),
                    newline: true,
                },
            );
        }
        tr.push(
            Duration::ZERO,
            Actor::Peer,
            Event::Received(b"last\n".to_vec()),
        );
        tr.push(Duration::ZERO, Actor::Harness, Event::Teardown);
        tr
    }

    #[test]
    fn bound_keeps_control_events_head_and_tail_and_counts_the_rest() {
        let n = 100_000;
        let mut tr = flood(n);
        tr.bound();
        let kinds: Vec<&str> = tr.entries.iter().map(|e| e.event.kind()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "step").count(), 2);
        assert_eq!(kinds.last(), Some(&"teardown"));
        assert_eq!(tr.entries[1].event, Event::Received(b"Bonjour\n".to_vec()));
        assert_eq!(
            tr.entries[tr.entries.len() - 2].event,
            Event::Received(b"last\n".to_vec())
        );
        let dropped: Vec<(Actor, Data, Dropped)> = tr
            .entries
            .iter()
            .filter_map(|e| match e.event {
                Event::OutputDropped { of, count } => Some((e.actor, of, count)),
                _ => None,
            })
            .collect();
        assert_eq!(dropped.len(), 2);
        let received = tr
            .entries
            .iter()
            .filter(|e| matches!(e.event, Event::Received(_)))
            .count() as u64;
        assert_eq!(received + dropped[0].2.events, n as u64 + 2);
        assert_eq!(dropped[1].2.lines, dropped[1].2.events);
        let printed = tr
            .entries
            .iter()
            .filter(|e| matches!(e.event, Event::Printed { .. }))
            .count();
        assert_eq!(printed, 2 * KEEP_EVENTS);
        assert!(tr.entries.len() < 4 * KEEP_EVENTS + 10);
    }

    #[test]
    fn bound_leaves_a_small_transcript_as_it_is() {
        let mut tr = flood(100);
        let before = tr.entries.clone();
        tr.bound();
        assert_eq!(tr.entries, before);
    }

    #[test]
    fn a_process_state_is_its_letter() {
        for c in ['R', 'S', 'D', 'T', 'Z', 'X', 't', 'I'] {
            let state = ProcState::from_letter(c);
            assert_eq!(state.letter(), c);
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                serde_json::to_string(&c).unwrap()
            );
        }
        assert_eq!(ProcState::from_letter('Z'), ProcState::Zombie);
    }

    #[test]
    fn renders_invalid_utf8_and_controls() {
        assert_eq!(render_bytes(b"a\xffb\n"), "a\\xffb\\n");
        assert_eq!(render_bytes("é\u{1b}".as_bytes()), "é\\x1b");
        assert_eq!(render_bytes(b"\0\t"), "\\x00\t");
        for b in [&b"a\xffb\n\0"[..], "é\u{1b}\u{85}x".as_bytes(), b"\xc3"] {
            assert_eq!(rendered_len(b), render_bytes(b).chars().count(), "{b:?}");
            for k in 0..b.len() {
                assert_eq!(rendered_len(&b[k..]), render_bytes(&b[k..]).chars().count());
            }
        }
    }

    #[test]
    fn a_cut_rendering_counts_the_whole() {
        assert_eq!(render_bytes_cut(b"abc", 3), ("abc".into(), None));
        assert_eq!(render_bytes_cut(b"ab\0c", 3), ("ab".into(), Some(7)));
        let ev = Event::Printed {
            raw: b"x".repeat(10),
            newline: true,
        };
        assert_eq!(ev.text_cut(4), ("xxxx".into(), Some(10)));
        let typed = Event::Typed("Bonjour".into());
        assert_eq!(typed.text_cut(3), ("Bon".into(), Some(7)));
    }

    #[test]
    fn a_window_past_the_end_or_reversed_is_empty() {
        let mut t = Transcript::default();
        for k in 0..3 {
            t.push(Duration::ZERO, Actor::Harness, Event::Step(k));
        }
        assert_eq!(t.window(1, 2).len(), 1);
        assert_eq!(t.window(1, usize::MAX).len(), 2);
        assert!(t.window(2, 1).is_empty());
        assert!(t.window(7, 9).is_empty());
        assert!(Transcript::default().window(0, 5).is_empty());
    }
}

/// Transcripts for property tests of the judging stages (expect, stall,
/// verdict): every kind of event, in the order a run writes them, then cut
/// short, shuffled, thinned out or emptied — what those stages must survive.
#[cfg(test)]
pub(crate) mod arbitrary {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::{select, subsequence};

    pub fn actor() -> impl Strategy<Value = Actor> {
        select(vec![
            Actor::Server,
            Actor::Client,
            Actor::Peer,
            Actor::Harness,
        ])
    }

    /// Bytes a program or the peer might send or print: lines the
    /// scenarios expect, the text diagnoses look for, and anything.
    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let known = select(vec![
            "Bonjour",
            "Bonj",
            "our\n",
            "Bonjour serveur\n",
            "Reçu : Bonjour client",
            "b'Bonjour\\n'",
            "Traceback (most recent call last)",
            "EOFError",
            "  File \"x.py\", line 3",
            "SyntaxError: Missing parentheses in call to 'print'",
            "    print data",
            "OSError: [Errno 98] Address already in use",
            "ConnectionRefusedError: [Errno 111] Connection refused",
            "un\ndeux\ntrois\n",
            "Ça marche, très bien ! €",
            "",
        ])
        .prop_map(|s| s.as_bytes().to_vec());
        prop_oneof![known, prop::collection::vec(any::<u8>(), 0..24)]
    }

    fn proc_view() -> impl Strategy<Value = ProcView> {
        let on = prop_oneof![
            Just(WaitsOn::Nothing),
            Just(WaitsOn::Keyboard),
            prop::option::of(actor()).prop_map(WaitsOn::Socket),
            Just(WaitsOn::Listener),
            Just(WaitsOn::Children),
            Just(WaitsOn::Other),
        ];
        let call = prop::option::of(select(vec![
            "recv", "read", "accept", "poll", "select", "wait4", "connect",
        ]));
        (
            actor(),
            0..6i32,
            0..6i32,
            select(vec!['R', 'S', 'D', 'Z', 'T']).prop_map(ProcState::from_letter),
            0..4usize,
            call,
            on,
        )
            .prop_map(|(actor, pid, ppid, state, threads, call, on)| ProcView {
                actor,
                pid: 40 + pid,
                ppid: if ppid == 0 { 1 } else { 40 + ppid },
                comm: "python3".into(),
                state,
                threads,
                call: call.map(String::from),
                on,
            })
    }

    pub fn views() -> impl Strategy<Value = Vec<ProcView>> {
        prop::collection::vec(proc_view(), 0..5)
    }

    /// Any event; step markers up to `steps + 2` (and one far past the end).
    pub fn event(steps: usize) -> impl Strategy<Value = Event> {
        let port = select(vec![8080u16, 9090]);
        let pid = 40..46i32;
        prop_oneof![
            prop_oneof![(0..steps + 3), Just(usize::MAX)].prop_map(Event::Step),
            pid.clone().prop_map(|pid| Event::Started {
                pid,
                command: "python3 x.py".into()
            }),
            bytes().prop_map(|b| Event::Typed(String::from_utf8_lossy(&b).into_owned())),
            Just(Event::TypedEof),
            Just(Event::Interrupted),
            (bytes(), any::<bool>()).prop_map(|(raw, newline)| Event::Printed { raw, newline }),
            bytes().prop_map(Event::Sent),
            bytes().prop_map(Event::Received),
            port.clone().prop_map(|port| Event::Connected { port }),
            Just(Event::PeerSawClose),
            Just(Event::PeerClosed),
            port.clone().prop_map(|port| Event::ConnectRefused { port }),
            port.clone().prop_map(|port| Event::Listening { port }),
            port.prop_map(|port| Event::ConnectAttempt { port }),
            (
                pid,
                prop_oneof![
                    (0..4i32).prop_map(Exit::Code),
                    select(vec![9, 15]).prop_map(Exit::Signal)
                ]
            )
                .prop_map(|(pid, exit)| Event::Exited { pid, exit }),
            Just(Event::Quiescent),
            (0.0..3000.0f64, 0.0..3000.0f64, 0.0..3000.0f64).prop_map(|(u, r, w)| Event::Cpu {
                used_ms: u,
                runnable_ms: r,
                window_ms: w,
            }),
            Just(Event::Deadline),
            (
                select(vec![Data::Printed, Data::Received, Data::Relayed]),
                0..1u64 << 20
            )
                .prop_map(|(of, n)| Event::OutputDropped {
                    of,
                    count: Dropped {
                        events: n,
                        bytes: n,
                        lines: n
                    }
                }),
            (
                select(vec![
                    Limit::Processes,
                    Limit::Memory,
                    Limit::CpuTime,
                    Limit::FileSize,
                    Limit::Output,
                    Limit::Sent,
                ]),
                0..1u64 << 30
            )
                .prop_map(|(limit, max)| Event::LimitHit { limit, max }),
            select(vec![StartFailure::CompileError, StartFailure::BadProgram]).prop_map(
                |failure| Event::StartFailed {
                    failure,
                    detail: "x".into(),
                }
            ),
            prop::collection::vec(40..46i32, 0..3).prop_map(|pids| Event::Killed { pids }),
            Just(Event::Teardown),
            bytes().prop_map(Event::Relayed),
            Just(Event::RelayClosed),
            Just(Event::WireUnobserved),
            views().prop_map(Event::Snapshot),
            Just(Event::AllEnded),
        ]
    }

    fn entries(events: Vec<(Actor, Event)>, isolated: bool) -> Transcript {
        let mut t = Transcript {
            isolated,
            ..Transcript::default()
        };
        for (k, (a, e)) in events.into_iter().enumerate() {
            t.push(Duration::from_millis(k as u64), a, e);
        }
        t
    }

    /// A run of a scenario of `steps` steps as the runner writes it (each
    /// step's marker, then what happened in it, then teardown), possibly
    /// stopped at any step.
    fn in_order(steps: usize) -> impl Strategy<Value = Vec<(Actor, Event)>> {
        let step = || prop::collection::vec((actor(), event(steps)), 0..5);
        (prop::collection::vec(step(), 0..=steps), step()).prop_map(|(body, after)| {
            let mut out = Vec::new();
            for (i, evs) in body.into_iter().enumerate() {
                out.push((Actor::Harness, Event::Step(i)));
                out.extend(evs);
            }
            out.push((Actor::Harness, Event::Teardown));
            out.extend(after);
            out
        })
    }

    /// What the judging stages must survive, for a scenario of `steps`
    /// steps: a run in order, cut short (its head or its tail), shuffled,
    /// thinned out, empty, or any events at all.
    pub fn transcript(steps: usize) -> impl Strategy<Value = Transcript> {
        let mangled = in_order(steps).prop_flat_map(|v| {
            let n = v.len();
            prop_oneof![
                Just(v.clone()),
                (0..=n).prop_map({
                    let v = v.clone();
                    move |k| v[..k].to_vec()
                }),
                (0..=n).prop_map({
                    let v = v.clone();
                    move |k| v[k..].to_vec()
                }),
                Just(v.clone()).prop_shuffle(),
                subsequence(v, 0..=n),
            ]
        });
        let anything = prop::collection::vec((actor(), event(steps)), 0..40);
        (
            prop_oneof![
                4 => mangled,
                1 => anything,
                1 => Just(Vec::new()),
            ],
            any::<bool>(),
        )
            .prop_map(|(events, isolated)| entries(events, isolated))
    }
}

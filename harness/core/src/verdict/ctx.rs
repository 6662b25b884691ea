//! What a failed step's rules read, computed once per failed step (`Ctx`),
//! and the readings of a transcript that checks and rules share: exits,
//! tracebacks, CPU use, floods, what crossed the wire.

use super::{Evidence, Snapshot};
use crate::diagnosis::Diagnosis;
use crate::expect::{self, line_matches};
use crate::scenario::{Action, ExitKind, Scenario};
use crate::stall;
use crate::transcript::{Actor, Event, Exit, ProcView, Transcript};
use std::time::Duration;

/// How a process ended: its status or the signal that killed it.
pub(crate) type Ended = (Option<i32>, Option<i32>);

/// The port a scenario runs on when nothing says otherwise (the sheet's).
pub const DEFAULT_PORT: u16 = 8080;

/// One failed step, as its rules see it.
pub(crate) struct Ctx<'a> {
    pub s: &'a Scenario,
    pub tr: &'a Transcript,
    /// The failed step.
    pub i: usize,
    /// The program the step is about.
    pub actor: Actor,
    /// The step's window: entries `from..to`.
    pub from: usize,
    pub to: usize,
    /// The last process snapshot from the window's start to teardown, and
    /// when it was taken.
    pub snapshot: Option<(Duration, &'a [ProcView])>,
    /// Whether some line had crossed the wire between the programs.
    pub midway: bool,
    /// Every line the program printed before teardown (what it prints
    /// once the harness ends the scenario is not its doing), and those of
    /// the window.
    pub all: Vec<String>,
    pub window_lines: Vec<String>,
    /// How the program's first process to end ended, up to the window's end.
    pub exited: Option<Ended>,
    /// Whether the world was quiescent in the window.
    pub quiescent: bool,
    /// The port graded on.
    pub port: u16,
}

impl<'a> Ctx<'a> {
    /// Step `i`'s context; `teardown`: where the harness began ending the
    /// scenario (entries after it are not the program's doing).
    pub fn new(s: &'a Scenario, tr: &'a Transcript, i: usize, teardown: usize) -> Ctx<'a> {
        let actor = expect::actor_of(s.step_side(i));
        let from = expect::window_start(s, tr, i);
        let to = tr.step_start(i + 1).unwrap_or(teardown);
        Ctx {
            s,
            tr,
            i,
            actor,
            from,
            to,
            snapshot: stall::last_snapshot(tr, from, teardown),
            midway: midway(tr),
            all: expect::printed_lines(tr, actor, 0, teardown),
            window_lines: expect::printed_lines(tr, actor, from, to),
            exited: exit_of(tr, actor, 0, to),
            quiescent: tr
                .window(from, to)
                .iter()
                .any(|e| e.event == Event::Quiescent),
            port: port_of(tr),
        }
    }

    /// The processes of the snapshot.
    pub fn views(&self) -> Option<&'a [ProcView]> {
        self.snapshot.map(|(_, v)| v)
    }

    /// The lines the failed step expects printed or received.
    pub fn expected(&self) -> &'a [String] {
        match &self.s.steps[self.i].action {
            Action::ExpectPrinted(v) | Action::ExpectReceived(v) => v,
            _ => &[],
        }
    }

    /// How the program ended within the window.
    pub fn exit_in_window(&self) -> Option<Ended> {
        exit_of(self.tr, self.actor, self.from, self.to)
    }

    /// Whether the program looped on the CPU in the window.
    pub fn busy(&self) -> bool {
        busy(self.tr, self.from, self.to)
    }

    /// Whether some entry of the window is `event`.
    pub fn seen(&self, event: &Event) -> bool {
        self.tr
            .window(self.from, self.to)
            .iter()
            .any(|e| e.event == *event)
    }

    /// The program's printed lines up to the window's end.
    pub fn printed_until_end(&self) -> Vec<String> {
        expect::printed_lines(self.tr, self.actor, 0, self.to)
    }

    /// What the verdict read to conclude `d`.
    pub fn evidence(&self, d: &Diagnosis) -> Evidence {
        Evidence {
            snapshot: self.snapshot.map(|(t, v)| Snapshot {
                t,
                views: v.to_vec(),
            }),
            cycle: self.views().and_then(stall::deadlock_cycle),
            at_fault: d.named_pids(),
        }
    }
}

/// The port the scenario ran on: as the runner says, else as the
/// connections show, else the sheet's.
fn port_of(tr: &Transcript) -> u16 {
    tr.port
        .or_else(|| {
            tr.entries.iter().find_map(|e| match e.event {
                Event::ConnectRefused { port } | Event::Connected { port } => Some(port),
                _ => None,
            })
        })
        .unwrap_or(DEFAULT_PORT)
}

pub(crate) fn printed_all(tr: &Transcript, actor: Actor) -> Vec<String> {
    expect::printed_lines(tr, actor, 0, tr.entries.len())
}

pub(crate) fn exit_of(tr: &Transcript, actor: Actor, from: usize, to: usize) -> Option<Ended> {
    tr.window(from, to).iter().find_map(|e| match e.event {
        Event::Exited { exit, .. } if e.actor == actor => Some(match exit {
            Exit::Code(c) => (Some(c), None),
            Exit::Signal(s) => (None, Some(s)),
        }),
        _ => None,
    })
}

/// How a traceback begins. Anywhere in a line: after the program's own
/// prompt, `input("> ")` then Ctrl-D prints `> > Traceback …`.
const TRACEBACK: &str = "Traceback (most recent call last)";

/// The exception line of the first traceback in `lines` (the first fatal
/// error is the cause: a later one may come of it, or of the harness
/// ending the run).
pub(crate) fn traceback_last_line(lines: &[String]) -> Option<String> {
    first_traceback(lines)?.last().cloned()
}

/// The first traceback in `lines`: from its first line to its exception
/// line (to its first line alone when no exception line follows).
pub(crate) fn first_traceback(lines: &[String]) -> Option<&[String]> {
    let at = lines.iter().position(|l| l.contains(TRACEBACK))?;
    let end = lines[at + 1..]
        .iter()
        .position(|l| !l.starts_with(' ') && !l.is_empty() && !l.contains(TRACEBACK))
        .map_or(at, |k| at + 1 + k);
    Some(&lines[at..=end])
}

pub(crate) fn exit_ok(
    s: &Scenario,
    tr: &Transcript,
    from: usize,
    to: usize,
    kind: ExitKind,
) -> bool {
    let actor = expect::side_actor(s);
    let Some((code, _)) = exit_of(tr, actor, from, to) else {
        return false;
    };
    let lines = expect::printed_lines(tr, actor, 0, to);
    let tb = traceback_last_line(&lines).is_some();
    match kind {
        ExitKind::Clean => code == Some(0) && !tb,
        // A traceback of the network's own exception is a message: the
        // sheet asks for no error handling (a note advises one).
        ExitKind::Message => {
            (!tb || super::notes::network_traceback(&lines).is_some())
                && !expect::printed_lines(tr, actor, from, to).is_empty()
        }
        ExitKind::Any | ExitKind::All => true,
    }
}

/// Share of a window spent runnable (on a CPU or queued for one) above
/// which a waiting program is busy-looping. Runnable rather than on-CPU
/// time, so that a loaded machine does not hide a loop.
const BUSY_SHARE: f64 = 0.5;
/// Printed lines after the peer left above which output is a flood.
const FLOOD_LINES: usize = 200;

pub(crate) fn flooded(tr: &Transcript, actor: Actor, from: usize, to: usize) -> bool {
    let n = tr
        .window(from, to)
        .iter()
        .filter(|e| e.actor == actor && matches!(e.event, Event::Printed { .. }))
        .count();
    n > FLOOD_LINES
        || tr
            .window(from, to)
            .iter()
            .any(|e| matches!(e.event, Event::OutputDropped { .. }))
}

/// Shortest window over which a CPU share says anything (a program that
/// just started burns CPU loading itself).
const BUSY_MIN_WINDOW_MS: f64 = 200.0;

/// Pair scenarios: the program a window's last CPU sample is told as (the
/// one that was runnable longest), when it names one.
pub(crate) fn cpu_owner(tr: &Transcript, from: usize, to: usize) -> Option<Actor> {
    tr.window(from, to)
        .iter()
        .rev()
        .find(|e| matches!(e.event, Event::Cpu { .. }))
        .map(|e| e.actor)
        .filter(|a| a.other_program().is_some())
}

pub(crate) fn busy(tr: &Transcript, from: usize, to: usize) -> bool {
    let range = tr.window(from, to);
    // The CPU sample closes a wait; the wait ended quiescent if the event
    // just before it says so (then the CPU went to starting up, not looping).
    let Some(k) = range
        .iter()
        .rposition(|e| matches!(e.event, Event::Cpu { .. }))
    else {
        return false;
    };
    let quiet = k > 0 && range[k - 1].event == Event::Quiescent;
    let Event::Cpu {
        runnable_ms,
        window_ms,
        ..
    } = range[k].event
    else {
        return false;
    };
    !quiet && window_ms >= BUSY_MIN_WINDOW_MS && runnable_ms / window_ms > BUSY_SHARE
}

pub(crate) fn calm_ok(
    s: &Scenario,
    tr: &Transcript,
    from: usize,
    to: usize,
    kind: ExitKind,
) -> bool {
    let actor = expect::side_actor(s);
    if flooded(tr, actor, from, to) || busy(tr, from, to) {
        return false;
    }
    match exit_of(tr, actor, from, to) {
        // Ending is fine when it is clean, or explained in a message.
        Some(_) if kind == ExitKind::Any => true,
        Some((_, Some(_))) => false,
        Some(_) => {
            exit_ok(s, tr, from, to, ExitKind::Clean) || exit_ok(s, tr, from, to, ExitKind::Message)
        }
        None => tr
            .window(from, to)
            .iter()
            .any(|e| e.event == Event::Quiescent),
    }
}

/// The last `n` lines, joined: `a / b`.
pub(crate) fn quote(lines: &[String], n: usize) -> String {
    let start = lines.len().saturating_sub(n);
    lines[start..].join(" / ")
}

/// Whether some line already crossed the wire between the programs.
pub(crate) fn midway(tr: &Transcript) -> bool {
    tr.entries
        .iter()
        .any(|e| matches!(e.event, Event::Relayed(_)))
}

/// What `actor` sent in entries `from..to`, as text.
pub(crate) fn sent_text(tr: &Transcript, actor: Actor, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&expect::sent_bytes(tr, actor, from, to)).into_owned()
}

/// Pair scenarios: whose fault a connection that did not reach the server
/// (entries up to `to`) is. The server's when it has ended, or when the
/// client did connect (to the harness's relay) and the server did not take
/// the relayed connection; else the client's, which never connected.
pub(crate) fn accept_culprit(tr: &Transcript, to: usize) -> Actor {
    let server_ended = exit_of(tr, Actor::Server, 0, to).is_some();
    let client_came = tr
        .window(0, to)
        .iter()
        .any(|e| e.actor == Actor::Client && matches!(e.event, Event::Connected { .. }));
    if server_ended || client_came {
        Actor::Server
    } else {
        Actor::Client
    }
}

/// The first expected line that is not (yet) seen, in order.
pub(crate) fn first_missing(lines: &[String], expected: &[String]) -> String {
    let mut it = lines.iter();
    for e in expected {
        if !it.any(|l| line_matches(l, e) || l.trim_end() == e) {
            return e.clone();
        }
    }
    expected.last().cloned().unwrap_or_default()
}

/// Whether consecutive printed lines, joined, give an expected line that no
/// single line shows: returns that line and the number of pieces.
pub(crate) fn split_line<'e>(lines: &[String], expected: &'e [String]) -> Option<(&'e str, usize)> {
    // Pieces may carry the program's decoration (`Reçu : Bonj`, `Reçu : our`):
    // try with the prefix all lines share removed, too.
    let common = common_prefix(lines);
    let bare: Vec<String> = lines
        .iter()
        .map(|l| l[common.len()..].to_string())
        .collect();
    for e in expected {
        if lines.iter().any(|l| line_matches(l, e)) {
            continue;
        }
        for candidates in [lines, bare.as_slice()] {
            if let Some(n) = pieces(candidates, e) {
                return Some((e, n));
            }
        }
    }
    None
}

/// How many consecutive lines, from some line on, make `e` when joined
/// (two at least).
fn pieces(candidates: &[String], e: &str) -> Option<usize> {
    for start in 0..candidates.len() {
        let mut acc = String::new();
        for (n, l) in candidates[start..].iter().enumerate() {
            acc.push_str(l);
            if n > 0 && line_matches(&acc, e) {
                return Some(n + 1);
            }
            if acc.len() > e.len() + 200 {
                break;
            }
        }
    }
    None
}

/// The longest prefix, on a character boundary, shared by every line (when
/// there are at least two).
fn common_prefix(lines: &[String]) -> String {
    let Some(first) = lines.first() else {
        return String::new();
    };
    if lines.len() < 2 {
        return String::new();
    }
    let mut n = first.len();
    for l in &lines[1..] {
        n = n.min(
            first
                .bytes()
                .zip(l.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    while !first.is_char_boundary(n) {
        n -= 1;
    }
    first[..n].to_string()
}

pub(crate) fn similar(a: &str, b: &str) -> bool {
    let a: String = a.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let b: String = b.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

//! `grade demo deadlock|alternation|duplex`: a scenario of the catalogue run
//! for a lecture. Both terminals side by side as events happen (typed,
//! printed, what crossed the wire), each program's state under them at every
//! quiescence, and at the end the explanation — for the deadlock, the
//! wait-for cycle drawn. Plain text without colour when not on a terminal,
//! so it reads the same in a CI log. It loads and prepares as `grade` does
//! (`prepare`), then subscribes to the runner's events.

use crate::msg::{Arg, Msg};
use crate::prepare::{self, Isolation, Workbench};
use crate::runner::{self, RunConfig};
use crate::scenario::{self, Lang, Scenario, Side};
use crate::stall;
use crate::transcript::{
    render_bytes, Actor, Entry, Event, Exit, ProcState, ProcView, Transcript, WaitsOn,
};
use crate::verdict::{self, Status};
use crate::world::program::Refused;
use crate::{exit, Error, Missing};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Demo {
    /// q3, both sides start by receiving: the deadlock, proven.
    Deadlock,
    /// q3: the alternating chat, turn by turn.
    Alternation,
    /// q4: both sides type at once; lines flow both ways.
    Duplex,
}

impl Demo {
    fn scenario_id(self) -> &'static str {
        match self {
            Demo::Deadlock => "q3.demo.deadlock",
            Demo::Alternation => "q3.pair.chat",
            Demo::Duplex => "q4.pair.full-duplex",
        }
    }
}

/// Whether the demo waits for Enter before each step (`--interactive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Continuous,
    StepByStep,
}

/// How the screen is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Each program's column in its colour (a terminal).
    Color,
    Plain,
}

impl Style {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    pub fn of_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if std::io::stdout().is_terminal() && !no_color {
            Style::Color
        } else {
            Style::Plain
        }
    }
}

/// What `grade demo` was asked.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub demo: Demo,
    pub server: Option<String>,
    pub client: Option<String>,
    pub pace: Pace,
    pub lang: Lang,
    pub port: u16,
    pub timeout_scale: f64,
    pub style: Style,
}

const COL: usize = 42;

/// Cuts or pads `s` to `w` characters.
fn cell(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n > w {
        let mut c: String = s.chars().take(w.saturating_sub(1)).collect();
        c.push('…');
        c
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// An actor's name as a message argument (a selector in the catalogues).
fn actor(a: Actor) -> Arg {
    Arg::Str(a.name().to_string())
}

struct Screen {
    lang: Lang,
    style: Style,
    pace: Pace,
    scenario: Scenario,
}

impl Screen {
    fn paint(&self, s: &str, code: &str) -> String {
        match self.style {
            Style::Color => format!("\x1b[{code}m{s}\x1b[0m"),
            Style::Plain => s.to_string(),
        }
    }

    fn text(&self, m: Msg) -> String {
        self.lang.msg(&m)
    }

    /// One row: the server's column, the wire, the client's column.
    fn row(&self, server: &str, wire: &str, client: &str) -> String {
        format!(
            "{} {} {}",
            self.paint(&cell(server, COL), "36"),
            cell(wire, 3),
            self.paint(&cell(client, COL), "33")
        )
    }

    fn side_row(&self, actor: Actor, text: &str) -> Vec<String> {
        match actor {
            Actor::Server => vec![self.row(text, "│", "")],
            Actor::Client => vec![self.row("", "│", text)],
            _ => Vec::new(),
        }
    }

    /// The title, the programs shown, a rule.
    fn header(&self, server: &str, client: &str) -> Vec<String> {
        let s = &self.scenario;
        let title = Msg::new("demo-title")
            .arg("id", &s.id)
            .arg("title", s.title.get(&self.lang));
        vec![
            self.text(title),
            self.row(
                &self.text(Msg::new("demo-server").arg("program", server)),
                "│",
                &self.text(Msg::new("demo-client").arg("program", client)),
            ),
            "─".repeat(2 * COL + 5),
        ]
    }

    /// What a process is doing, under its program's column.
    fn state(&self, v: &ProcView) -> String {
        let what = match (&v.call, &v.on) {
            _ if v.state == ProcState::Zombie => Msg::new("demo-zombie"),
            (None, _) => Msg::new("demo-running"),
            (Some(_), WaitsOn::Keyboard) => Msg::new("demo-waits-keyboard"),
            (Some(c), WaitsOn::Socket(Some(a))) => Msg::new("demo-waits-for")
                .arg("call", c)
                .arg("other", actor(*a)),
            (Some(c), _) => Msg::new("demo-waits-in").arg("call", c),
        };
        self.text(
            Msg::new("demo-state")
                .arg("pid", v.pid.to_string())
                .arg("what", what),
        )
    }

    /// The rows an event shows (none for most of what the runner sees).
    fn show(&self, e: &Entry) -> Vec<String> {
        match &e.event {
            Event::Step(i) if self.pace == Pace::StepByStep => {
                let action = format!("{:?}", self.scenario.steps[*i].action);
                vec![self.text(Msg::new("demo-next-step").arg("action", action))]
            }
            Event::Started { pid, .. } => {
                let m = Msg::new("demo-started").arg("pid", pid.to_string());
                self.side_row(e.actor, &self.text(m))
            }
            Event::Typed(line) => self.side_row(e.actor, &format!("⌨ {line}")),
            Event::TypedEof => self.side_row(e.actor, "⌨ ^D"),
            Event::Printed { raw, .. } => {
                self.side_row(e.actor, &format!("  {}", crate::expect::normalize(raw)))
            }
            Event::Connected { .. } if e.actor == Actor::Server => {
                let connected = self.text(Msg::new("demo-connected"));
                vec![self.row(&connected, "═", &connected)]
            }
            Event::Relayed(b) => {
                let (text, sent) = (render_bytes(b), self.text(Msg::new("demo-sent")));
                match e.actor {
                    Actor::Client => {
                        vec![self.row(&format!("◀═ {text}"), "◀═", &format!("═ {sent}"))]
                    }
                    _ => vec![self.row(&format!("{sent} ═"), "═▶", &format!("═▶ {text}"))],
                }
            }
            Event::RelayClosed => self.side_row(e.actor, &self.text(Msg::new("demo-closed"))),
            Event::WireUnobserved => vec![self.text(Msg::new("demo-wire-unobserved"))],
            Event::Quiescent => {
                let quiet = format!(" {} ", self.text(Msg::new("demo-quiet")));
                vec![self.paint(&format!("{quiet:─^w$}", w = 2 * COL + 5), "2")]
            }
            Event::Snapshot(views) => self.states(views),
            Event::Exited { exit, .. } => {
                let how = Arg::from(match exit {
                    Exit::Code(c) => Msg::new("demo-exit-status").arg("code", c.to_string()),
                    Exit::Signal(s) => Msg::new("demo-exit-signal").arg("signal", s.to_string()),
                });
                self.side_row(e.actor, &self.text(Msg::new("demo-exited").arg("how", how)))
            }
            Event::Teardown => vec![self.text(Msg::new("demo-teardown"))],
            _ => Vec::new(),
        }
    }

    /// Every process's state, each under its program.
    fn states(&self, views: &[ProcView]) -> Vec<String> {
        let of = |a: Actor| -> Vec<String> {
            views
                .iter()
                .filter(|v| v.actor == a)
                .map(|v| self.state(v))
                .collect()
        };
        let (s, c) = (of(Actor::Server), of(Actor::Client));
        (0..s.len().max(c.len()))
            .map(|k| self.row(s.get(k).map_or("", |x| x), "│", c.get(k).map_or("", |x| x)))
            .collect()
    }
}

/// The process of `a` that waits on a socket: its side of a cycle.
fn receiver(views: &[ProcView], a: Actor) -> Option<&ProcView> {
    views.iter().find(|v| {
        v.actor == a && v.state != ProcState::Zombie && matches!(v.on, WaitsOn::Socket(_))
    })
}

/// The explanation printed at the end, from the transcript.
fn explain(demo: Demo, t: &Transcript, lang: &Lang, status: Status) -> Vec<String> {
    match demo {
        Demo::Deadlock => explain_deadlock(t, lang),
        Demo::Alternation | Demo::Duplex => explain_traffic(demo, t, lang, status),
    }
}

/// The wait-for cycle, drawn then said, when the two programs block each other.
fn explain_deadlock(t: &Transcript, lang: &Lang) -> Vec<String> {
    let (c, s) = (Actor::Client, Actor::Server);
    let views = stall::snapshot(t, 0, t.entries.len()).unwrap_or_default();
    let cycle = stall::waits_for(views, c) == Some(s) && stall::waits_for(views, s) == Some(c);
    let (Some(cr), Some(sr), true) = (receiver(views, c), receiver(views, s), cycle) else {
        return vec![lang.get("demo-no-deadlock")];
    };
    let waits = |v: &ProcView, other: Actor| {
        Msg::new("demo-cycle-wait")
            .arg("side", actor(v.actor))
            .arg("pid", v.pid.to_string())
            .arg("call", v.call.clone().unwrap_or_default())
            .arg("other", actor(other))
    };
    let program = |v: &ProcView| {
        lang.msg(
            &Msg::new("demo-cycle-program")
                .arg("side", actor(v.actor))
                .arg("pid", v.pid.to_string()),
        )
    };
    let said = Msg::new("demo-cycle")
        .arg("first", waits(cr, s))
        .arg("second", waits(sr, c));
    let (left, right) = (program(sr), program(cr));
    let label = lang.get("demo-cycle-label");
    // Corners and arrows in the same two columns: 4 and 4 + INNER + 1.
    const INNER: usize = 41;
    let bar = |open: char, close: char| {
        let text = format!(" {label} ");
        let n = text.chars().count();
        let l = (INNER.saturating_sub(n)) / 2;
        let r = INNER.saturating_sub(n + l);
        format!("    {open}{}{text}{}{close}", "─".repeat(l), "─".repeat(r))
    };
    let gap = (INNER + 3).saturating_sub(left.chars().count());
    vec![
        String::new(),
        bar('┌', '┐'),
        format!("    │{}▼", " ".repeat(INNER)),
        format!("  {left}{}{right}", " ".repeat(gap)),
        format!("    ▲{}│", " ".repeat(INNER)),
        bar('└', '┘'),
        String::new(),
        lang.msg(&said),
        lang.get("demo-deadlock-why"),
    ]
}

/// How many lines crossed the wire each way, and what that shows.
fn explain_traffic(demo: Demo, t: &Transcript, lang: &Lang, status: Status) -> Vec<String> {
    let count = |a: Actor| {
        t.entries
            .iter()
            .filter(|e| e.actor == a)
            .filter_map(|e| match &e.event {
                Event::Relayed(b) => Some(b.iter().filter(|&&c| c == b'\n').count()),
                _ => None,
            })
            .sum::<usize>()
    };
    let id = match demo {
        Demo::Alternation => "demo-alternation",
        _ => "demo-duplex",
    };
    let m = Msg::new(id)
        .arg("from-client", count(Actor::Client))
        .arg("from-server", count(Actor::Server));
    let mut out = vec![String::new(), lang.msg(&m)];
    if status != Status::Pass {
        out.push(lang.get("demo-not-as-expected"));
    }
    out
}

/// The demo's scenario, and the server and client it shows (the
/// reference programs unless given).
fn scenario_and_programs(cfg: &DemoConfig) -> Result<(Scenario, String, String), Error> {
    let id = cfg.demo.scenario_id();
    let mut s = prepare::load(None, None, cfg.port)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Error::Usage(format!("no scenario {id}")))?;
    let program = |given: &Option<String>, side| {
        given
            .clone()
            .unwrap_or_else(|| prepare::fixed_or_reference(&s, side))
    };
    let (server, client) = (
        program(&cfg.server, Side::Server),
        program(&cfg.client, Side::Client),
    );
    s.programs = scenario::Programs::default();
    Ok((s, server, client))
}

/// Runs a demo; exit status 0 when it went as the lecture expects.
pub fn run(cfg: &DemoConfig) -> Result<u8, Error> {
    let bench = Workbench::new(cfg.port)?;
    let (s, server, client) = scenario_and_programs(cfg)?;
    // A demo shows programs that run: what cannot is said in one line.
    let prep = |spec: &str, side| {
        bench
            .prepare(spec, side, Missing::UsageError)
            .map_err(|e| match e {
                Refused::Environment(m) => Error::Environment(m),
                e => Error::Usage(e.to_string()),
            })
    };
    let rc = RunConfig {
        server: Some(prep(&server, Side::Server)?),
        client: Some(prep(&client, Side::Client)?),
        port: cfg.port,
        timeout_scale: cfg.timeout_scale,
        isolated: bench.isolation == Isolation::Namespaces,
        trace_states: true,
    };
    let screen = Screen {
        lang: cfg.lang.clone(),
        style: cfg.style,
        pace: cfg.pace,
        scenario: s,
    };
    let out = Mutex::new(std::io::stdout());
    for l in screen.header(&server, &client) {
        writeln!(out.lock().unwrap_or_else(|e| e.into_inner()), "{l}")?;
    }
    let transcript = show_run(&screen, &rc, &out)?;
    let v = verdict::judge(&screen.scenario, &transcript);
    let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
    for l in explain(cfg.demo, &transcript, &cfg.lang, v.status) {
        writeln!(o, "{l}")?;
    }
    if let Some(d) = &v.diagnosis {
        let m = Msg::new("demo-diagnosis")
            .arg("code", d.code.as_str())
            .arg("message", d.message.clone());
        writeln!(o, "{}", cfg.lang.msg(&m))?;
    }
    Ok(if v.status == Status::Pass {
        exit::PASS
    } else {
        exit::FAIL
    })
}

/// Runs the scenario, each event on the screen as it happens (waiting for
/// Enter before each step when asked and on a terminal).
fn show_run(
    screen: &Screen,
    rc: &RunConfig,
    out: &Mutex<std::io::Stdout>,
) -> Result<Transcript, Error> {
    let stdin_is_tty = std::io::stdin().is_terminal();
    let on_event = |e: &Entry| {
        let lines = screen.show(e);
        let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
        for l in &lines {
            let _ = writeln!(o, "{l}");
        }
        let _ = o.flush();
        if screen.pace == Pace::StepByStep && stdin_is_tty && matches!(e.event, Event::Step(_)) {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
        }
    };
    let s = &screen.scenario;
    let ran = std::thread::scope(|sc| sc.spawn(|| runner::run(s, rc, &on_event)).join());
    match ran {
        Ok(Ok(tr)) => Ok(tr),
        Ok(Err(aborted)) => Err(Error::Environment(aborted.error.to_string())),
        Err(_) => Err(Error::Environment("the runner's thread panicked".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn relayed(actor: Actor, lines: usize) -> Entry {
        Entry {
            t: Duration::ZERO,
            actor,
            event: Event::Relayed(b"x\n".repeat(lines)),
        }
    }

    /// Counts follow each language's plural rules ("1 line", "0 ligne").
    #[test]
    fn line_counts_are_plurals() {
        let mut t = Transcript::default();
        t.entries.push(relayed(Actor::Client, 1));
        t.entries.push(relayed(Actor::Server, 2));
        let en = explain(Demo::Alternation, &t, &Lang::builtin("en"), Status::Pass);
        assert_eq!(
            en[1],
            "Alternation: 1 line client → server and 2 server → client, each only in its turn: the client speaks, the server answers."
        );
        let fr = explain(Demo::Duplex, &t, &Lang::builtin("fr"), Status::Fail);
        assert!(
            fr[1].starts_with("Bidirectionnel\u{a0}: 1 ligne client → serveur et 2 serveur → client, tapées en même temps\u{202f}; un processus"),
            "{}",
            fr[1]
        );
        assert!(
            fr[2].starts_with("L'exécution ne s'est pas déroulée"),
            "{}",
            fr[2]
        );
        t.entries.clear();
        let fr = explain(Demo::Alternation, &t, &Lang::builtin("fr"), Status::Pass);
        assert!(fr[1].starts_with("Alternance\u{a0}: 0 ligne client → serveur et 0 serveur"));
    }
}

//! `grade demo deadlock|alternation|duplex`: a scenario of the catalogue run
//! for a lecture. Both terminals side by side as events happen (typed,
//! printed, what crossed the wire), each program's state under them at every
//! quiescence (the runner, tracing states, lets the world settle before each
//! turn of typing), and at the end the explanation — for the deadlock, the
//! wait-for cycle drawn — or, when the run did not go as planned, what
//! happened instead. The screen fits the terminal's width (`Layout`): side
//! by side down to 60 columns, one pane below the other below that.
//! `--interactive` says each step in the catalogue's words first. Plain
//! text without colour when not on a terminal, so it reads the same in a
//! CI log. It loads and prepares as `grade` does (`prepare`), then
//! subscribes to the runner's events.

use crate::msg::{Arg, Msg};
use crate::prepare::{self, Isolation, Workbench};
use crate::runner::{self, RunConfig};
use crate::scenario::{self, Action, Lang, Scenario, Side};
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

/// How wide the screen is, and so how the two programs' panes share it:
/// side by side down to `SIDE_BY_SIDE_MIN` columns, one below the other
/// below that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    width: usize,
}

impl Layout {
    /// When the width is not known (not a terminal, no `COLUMNS`).
    pub const DEFAULT_WIDTH: usize = 80;
    /// The narrowest screen that shows the panes side by side.
    pub const SIDE_BY_SIDE_MIN: usize = 60;
    /// Wider lines read badly from the back of a lecture hall.
    const MAX_WIDTH: usize = 120;
    const MIN_WIDTH: usize = 20;
    /// Between the panes: a space, the wire (2 columns), a space.
    const GUTTER: usize = 4;

    pub fn new(width: usize) -> Layout {
        Layout {
            width: width.clamp(Self::MIN_WIDTH, Self::MAX_WIDTH),
        }
    }

    /// The terminal's width (standard output's window size), else
    /// `COLUMNS`, else `DEFAULT_WIDTH` (a CI log, a pipe).
    pub fn of_terminal() -> Layout {
        let columns = || std::env::var("COLUMNS").ok()?.trim().parse().ok();
        Layout::new(
            window_columns()
                .or_else(columns)
                .filter(|&w| w > 0)
                .unwrap_or(Self::DEFAULT_WIDTH),
        )
    }

    fn side_by_side(self) -> bool {
        self.width >= Self::SIDE_BY_SIDE_MIN
    }

    /// Characters of one pane, side by side.
    fn col(self) -> usize {
        (self.width - Self::GUTTER) / 2
    }

    /// Characters the screen's lines take.
    fn used(self) -> usize {
        if self.side_by_side() {
            2 * self.col() + Self::GUTTER
        } else {
            self.width
        }
    }
}

/// Columns of the terminal on standard output, when it is one.
fn window_columns() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the buffer given.
    let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_col > 0).then_some(ws.ws_col as usize)
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
    pub layout: Layout,
}

/// Pads `s` to `w` characters (it has at most `w`: see `wrap`).
fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

/// `text` in lines of at most `w` characters: cut between words, a word
/// longer than a line cut where the line ends; its own line breaks kept,
/// and the spaces a line starts with (an indented printed line).
fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let (mut cur, mut n) = (String::new(), 0);
        for (k, word) in line.split(' ').enumerate() {
            let mut rest: Vec<char> = word.chars().collect();
            if k > 0 {
                if n + 1 + rest.len() <= w {
                    cur.push(' ');
                    n += 1;
                } else if n > 0 {
                    lines.push(std::mem::take(&mut cur));
                    n = 0;
                }
            }
            while n + rest.len() > w {
                let fits = w - n;
                cur.extend(&rest[..fits]);
                lines.push(std::mem::take(&mut cur));
                n = 0;
                rest.drain(..fits);
            }
            n += rest.len();
            cur.extend(rest);
        }
        lines.push(cur);
    }
    lines
}

/// An actor's name as a message argument (a selector in the catalogues).
fn actor(a: Actor) -> Arg {
    Arg::Str(a.name().to_string())
}

/// One row of the screen: what each program's pane shows, and the wire
/// between them (side by side).
struct Row {
    server: String,
    wire: &'static str,
    client: String,
}

struct Screen {
    lang: Lang,
    style: Style,
    pace: Pace,
    layout: Layout,
    scenario: Scenario,
    /// The states last shown, while nothing else was: the same states
    /// again (a failed step's snapshot after the wait's) are not repeated.
    states_shown: Mutex<Option<Vec<ProcView>>>,
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

    /// A text across the screen, in as many lines as it takes.
    fn across(&self, text: &str) -> Vec<String> {
        wrap(text, self.layout.used())
    }

    /// One row, side by side or one pane below the other: each pane's
    /// text in as many lines as it takes, nothing wider than the screen.
    fn row(&self, server: &str, wire: &'static str, client: &str) -> Vec<String> {
        let row = Row {
            server: server.to_string(),
            wire,
            client: client.to_string(),
        };
        if self.layout.side_by_side() {
            self.side_by_side(&row)
        } else {
            self.stacked(&row)
        }
    }

    fn side_by_side(&self, row: &Row) -> Vec<String> {
        let col = self.layout.col();
        let (s, c) = (wrap(&row.server, col), wrap(&row.client, col));
        (0..s.len().max(c.len()))
            .map(|k| {
                let server = self.paint(&pad(s.get(k).map_or("", |x| x), col), "36");
                // The wire's mark on the row's first line; the line between
                // the panes on the others.
                let wire = pad(if k == 0 { row.wire } else { "│" }, 2);
                let client = c.get(k).map_or(String::new(), |x| self.paint(x, "33"));
                format!("{server} {wire} {client}").trim_end().to_string()
            })
            .collect()
    }

    /// Below `SIDE_BY_SIDE_MIN` columns: each pane's text on lines of its
    /// own, after its program's name (`server │ …`).
    fn stacked(&self, row: &Row) -> Vec<String> {
        let label = |a: Actor| self.text(Msg::new("demo-pane").arg("side", actor(a)));
        let (ls, lc) = (label(Actor::Server), label(Actor::Client));
        let lw = ls.chars().count().max(lc.chars().count());
        let w = self.layout.width.saturating_sub(lw + 3);
        let mut out = Vec::new();
        for (name, text, code) in [(ls, &row.server, "36"), (lc, &row.client, "33")] {
            if text.is_empty() {
                continue;
            }
            for (k, line) in wrap(text, w).iter().enumerate() {
                let who = if k == 0 { name.as_str() } else { "" };
                let l = format!("{} │ {line}", pad(who, lw));
                out.push(self.paint(l.trim_end(), code));
            }
        }
        out
    }

    fn side_row(&self, actor: Actor, text: &str) -> Vec<String> {
        match actor {
            Actor::Server => self.row(text, "│", ""),
            Actor::Client => self.row("", "│", text),
            _ => Vec::new(),
        }
    }

    /// The title, the programs shown, a rule.
    fn header(&self, server: &str, client: &str) -> Vec<String> {
        let s = &self.scenario;
        let title = Msg::new("demo-title")
            .arg("id", &s.id)
            .arg("title", s.title.get(&self.lang));
        let mut out = self.across(&self.text(title));
        out.extend(self.row(
            &self.text(Msg::new("demo-server").arg("program", server)),
            "│",
            &self.text(Msg::new("demo-client").arg("program", client)),
        ));
        out.push("─".repeat(self.layout.used()));
        out
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

    /// Step `i` in words, for `--interactive`: `type "Bonjour ?" on the
    /// client's keyboard`.
    fn step_words(&self, i: usize) -> Msg {
        let side = Arg::Str(self.scenario.step_side(i).name().to_string());
        let quoted = |lines: &[String]| {
            lines
                .iter()
                .map(|l| self.text(Msg::new("demo-quoted").arg("text", l.as_str())))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let on_side = |id: &'static str| Msg::new(id).arg("side", side.clone());
        match &self.scenario.steps[i].action {
            Action::Start(sd) => Msg::new("demo-step-start").arg("side", sd.name()),
            Action::Restart(sd) => Msg::new("demo-step-restart").arg("side", sd.name()),
            Action::Listen => Msg::new("demo-step-listen"),
            Action::Connect => Msg::new("demo-step-connect"),
            Action::Accept => Msg::new("demo-step-accept"),
            Action::Relay => Msg::new("demo-step-relay"),
            Action::Send(segments, _) => {
                let text: Vec<String> = segments.iter().map(|b| render_bytes(b)).collect();
                Msg::new("demo-step-send").arg("text", quoted(&text))
            }
            Action::Type(lines) => on_side("demo-step-type").arg("lines", quoted(lines)),
            Action::Settle => Msg::new("demo-step-settle"),
            Action::Eof => on_side("demo-step-eof"),
            Action::Interrupt => on_side("demo-step-interrupt"),
            Action::Close => Msg::new("demo-step-close"),
            Action::ExpectPrinted(lines) => {
                on_side("demo-step-expect-printed").arg("lines", quoted(lines))
            }
            Action::ExpectReceived(lines) => {
                Msg::new("demo-step-expect-received").arg("lines", quoted(lines))
            }
            Action::ExpectExit(_) => on_side("demo-step-expect-exit"),
            Action::ExpectCalm(_) => on_side("demo-step-expect-calm"),
            Action::ExpectSilent => on_side("demo-step-expect-silent"),
            Action::ExpectDeadlock => Msg::new("demo-step-expect-deadlock"),
            Action::ExpectFork => on_side("demo-step-expect-fork"),
            Action::ExpectClosed => on_side("demo-step-expect-closed"),
        }
    }

    /// The rows an event shows (none for most of what the runner sees).
    fn show(&self, e: &Entry) -> Vec<String> {
        let mut shown = self.states_shown.lock().unwrap_or_else(|e| e.into_inner());
        if let Event::Snapshot(views) = &e.event {
            if shown.as_ref() == Some(views) {
                return Vec::new();
            }
            *shown = Some(views.clone());
            return self.states(views);
        }
        let rows = self.rows_of(e);
        if !rows.is_empty() && e.event != Event::Quiescent {
            *shown = None;
        }
        rows
    }

    fn rows_of(&self, e: &Entry) -> Vec<String> {
        match &e.event {
            Event::Step(i) if self.pace == Pace::StepByStep => {
                let m = Msg::new("demo-next-step").arg("action", self.step_words(*i));
                self.across(&self.text(m))
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
                self.row(&connected, "═", &connected)
            }
            Event::Relayed(b) => self.relayed(e.actor, &render_bytes(b)),
            Event::RelayClosed => self.side_row(e.actor, &self.text(Msg::new("demo-closed"))),
            Event::WireUnobserved => self.across(&self.text(Msg::new("demo-wire-unobserved"))),
            Event::Quiescent => {
                let quiet = format!(" {} ", self.text(Msg::new("demo-quiet")));
                let w = self.layout.used();
                if quiet.chars().count() + 2 > w {
                    return self.across(quiet.trim());
                }
                vec![self.paint(&format!("{quiet:─^w$}"), "2")]
            }
            Event::Exited { exit, .. } => {
                let how = Arg::from(match exit {
                    Exit::Code(c) => Msg::new("demo-exit-status").arg("code", c.to_string()),
                    Exit::Signal(s) => Msg::new("demo-exit-signal").arg("signal", s.to_string()),
                });
                self.side_row(e.actor, &self.text(Msg::new("demo-exited").arg("how", how)))
            }
            Event::Teardown => self.across(&self.text(Msg::new("demo-teardown"))),
            _ => Vec::new(),
        }
    }

    /// A line that crossed the wire, from `from`: side by side, the text
    /// arrives in the other pane, the sender's says it sent; one below the
    /// other, one line in the sender's pane.
    fn relayed(&self, from: Actor, text: &str) -> Vec<String> {
        let sent = self.text(Msg::new("demo-sent"));
        if !self.layout.side_by_side() {
            return self.side_row(from, &format!("{sent} ═▶ {text}"));
        }
        match from {
            Actor::Client => self.row(&format!("◀═ {text}"), "◀═", &format!("═ {sent}")),
            _ => self.row(&format!("{sent} ═"), "═▶", &format!("═▶ {text}")),
        }
    }

    /// Every process's state, each under its program (side by side, the
    /// server's and the client's processes on the same rows).
    fn states(&self, views: &[ProcView]) -> Vec<String> {
        let of = |a: Actor| -> Vec<String> {
            views
                .iter()
                .filter(|v| v.actor == a)
                .map(|v| self.state(v))
                .collect()
        };
        let (s, c) = (of(Actor::Server), of(Actor::Client));
        if !self.layout.side_by_side() {
            return (s.iter().flat_map(|x| self.side_row(Actor::Server, x)))
                .chain(c.iter().flat_map(|x| self.side_row(Actor::Client, x)))
                .collect();
        }
        (0..s.len().max(c.len()))
            .flat_map(|k| self.row(s.get(k).map_or("", |x| x), "│", c.get(k).map_or("", |x| x)))
            .collect()
    }
}

/// The process of `a` that waits on a socket: its side of a cycle.
fn receiver(views: &[ProcView], a: Actor) -> Option<&ProcView> {
    views.iter().find(|v| {
        v.actor == a && v.state != ProcState::Zombie && matches!(v.on, WaitsOn::Socket(_))
    })
}

/// How the run went, for the explanation at the end.
struct Run<'a> {
    demo: Demo,
    scenario: &'a Scenario,
    transcript: &'a Transcript,
    status: Status,
}

/// The explanation printed at the end, from the transcript: what the
/// demo shows when it went as planned, else what went otherwise.
fn explain(run: &Run, lang: &Lang, layout: Layout) -> Vec<String> {
    let lines = match run.demo {
        Demo::Deadlock => explain_deadlock(run, lang, layout),
        Demo::Alternation | Demo::Duplex => explain_traffic(run, lang),
    };
    let mut out = vec![String::new()];
    for l in lines {
        out.extend(wrap(&l, layout.used()));
    }
    out
}

/// The wait-for cycle, drawn then said, when the two programs block each
/// other; else that they did not.
fn explain_deadlock(run: &Run, lang: &Lang, layout: Layout) -> Vec<String> {
    let t = run.transcript;
    let (c, s) = (Actor::Client, Actor::Server);
    let views = stall::snapshot(t, 0, t.entries.len()).unwrap_or_default();
    let cycle = stall::waits_for(views, c) == Some(s) && stall::waits_for(views, s) == Some(c);
    let (Some(cr), Some(sr), true, Status::Pass) =
        (receiver(views, c), receiver(views, s), cycle, run.status)
    else {
        return vec![
            lang.get("demo-no-deadlock"),
            lang.get("demo-not-as-expected"),
        ];
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
    let mut out = cycle_drawing(
        &program(sr),
        &program(cr),
        &lang.get("demo-cycle-label"),
        layout,
    );
    out.push(lang.msg(&said));
    out.push(lang.get("demo-deadlock-why"));
    out
}

/// The cycle between `left` and `right`, arrows labelled `label`, as wide
/// as the screen allows (none where it does not fit).
fn cycle_drawing(left: &str, right: &str, label: &str, layout: Layout) -> Vec<String> {
    let n = |s: &str| s.chars().count();
    // Corners and arrows in the same two columns: 4 and 4 + inner + 1; the
    // middle line is `inner + 5 + right` wide.
    let inner = 41.min(layout.used().saturating_sub(5 + n(right)));
    let text = format!(" {label} ");
    if inner < n(&text) + 2 || inner + 3 < n(left) + 1 {
        return Vec::new();
    }
    let bar = |open: char, close: char| {
        let l = (inner - n(&text)) / 2;
        let r = inner - n(&text) - l;
        format!("    {open}{}{text}{}{close}", "─".repeat(l), "─".repeat(r))
    };
    let gap = inner + 3 - n(left);
    vec![
        bar('┌', '┐'),
        format!("    │{}▼", " ".repeat(inner)),
        format!("  {left}{}{right}", " ".repeat(gap)),
        format!("    ▲{}│", " ".repeat(inner)),
        bar('└', '┘'),
        String::new(),
    ]
}

/// How many lines crossed the wire each way, and what that shows; or, when
/// the run did not go as planned, how many were expected.
fn explain_traffic(run: &Run, lang: &Lang) -> Vec<String> {
    let count = |a: Actor| {
        run.transcript
            .entries
            .iter()
            .filter(|e| e.actor == a)
            .filter_map(|e| match &e.event {
                Event::Relayed(b) => Some(b.iter().filter(|&&c| c == b'\n').count()),
                _ => None,
            })
            .sum::<usize>()
    };
    let typed = |side: Side| {
        let s = run.scenario;
        (0..s.steps.len())
            .filter(|&i| s.step_side(i) == side)
            .map(|i| match &s.steps[i].action {
                Action::Type(lines) => lines.len(),
                _ => 0,
            })
            .sum::<usize>()
    };
    let passed = run.status == Status::Pass;
    let id = match (run.demo, passed) {
        (Demo::Alternation, true) => "demo-alternation",
        (Demo::Alternation, false) => "demo-alternation-failed",
        (_, true) => "demo-duplex",
        (_, false) => "demo-duplex-failed",
    };
    let m = Msg::new(id)
        .arg("from-client", count(Actor::Client))
        .arg("from-server", count(Actor::Server))
        .arg("typed-client", typed(Side::Client))
        .arg("typed-server", typed(Side::Server));
    let mut out = vec![lang.msg(&m)];
    if !passed {
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
    let bench = Workbench::new(
        cfg.port,
        &prepare::SandboxOptions {
            lang: cfg.lang.clone(),
            ..prepare::SandboxOptions::default()
        },
    )?;
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
        sandbox: bench.layers.clone(),
    };
    let screen = Screen {
        lang: cfg.lang.clone(),
        style: cfg.style,
        pace: cfg.pace,
        layout: cfg.layout,
        scenario: s,
        states_shown: Mutex::new(None),
    };
    let out = Mutex::new(std::io::stdout());
    for l in screen.header(&server, &client) {
        writeln!(out.lock().unwrap_or_else(|e| e.into_inner()), "{l}")?;
    }
    let transcript = show_run(&screen, &rc, &out)?;
    let v = verdict::judge(&screen.scenario, &transcript);
    let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
    let run = Run {
        demo: cfg.demo,
        scenario: &screen.scenario,
        transcript: &transcript,
        status: v.status,
    };
    let mut lines = explain(&run, &cfg.lang, cfg.layout);
    if let Some(d) = &v.diagnosis {
        let m = Msg::new("demo-diagnosis")
            .arg("code", d.code.as_str())
            .arg("message", d.message.clone());
        lines.extend(screen.across(&cfg.lang.msg(&m)));
    }
    for l in lines {
        writeln!(o, "{l}")?;
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
    use crate::transcript::ProcView;
    use std::time::Duration;

    fn entry(actor: Actor, event: Event) -> Entry {
        Entry {
            t: Duration::ZERO,
            actor,
            event,
        }
    }

    fn relayed(actor: Actor, lines: usize) -> Entry {
        entry(actor, Event::Relayed(b"x\n".repeat(lines)))
    }

    fn scenario(id: &str) -> Scenario {
        prepare::load(None, None, 8080)
            .unwrap()
            .into_iter()
            .find(|s| s.id == id)
            .unwrap()
    }

    fn screen(demo: Demo, lang: &str, width: usize, pace: Pace) -> Screen {
        Screen {
            lang: Lang::builtin(lang),
            style: Style::Plain,
            pace,
            layout: Layout::new(width),
            scenario: scenario(demo.scenario_id()),
            states_shown: Mutex::new(None),
        }
    }

    /// A snapshot of the deadlock: server `server` and client `client`
    /// each asleep in recv() for the other.
    fn both_in_recv(server: i32, client: i32) -> Event {
        Event::Snapshot(vec![
            view(
                Actor::Server,
                server,
                "recv",
                WaitsOn::Socket(Some(Actor::Client)),
            ),
            view(
                Actor::Client,
                client,
                "recv",
                WaitsOn::Socket(Some(Actor::Server)),
            ),
        ])
    }

    fn view(actor: Actor, pid: i32, call: &str, on: WaitsOn) -> ProcView {
        ProcView {
            pid,
            ppid: 1,
            actor,
            comm: "python3".into(),
            threads: 1,
            state: ProcState::Sleeping,
            call: Some(call.to_string()),
            on,
        }
    }

    /// Everything a demo shows of a run, one event of each kind it draws.
    fn every_row(sc: &Screen) -> Vec<String> {
        let long = "une ligne assez longue pour ne tenir dans aucune colonne étroite, même à 80";
        let events = [
            (Actor::Harness, Event::Step(4)),
            (
                Actor::Server,
                Event::Started {
                    pid: 24793,
                    command: "x".into(),
                },
            ),
            (Actor::Server, Event::Connected { port: 8080 }),
            (Actor::Client, Event::Typed("Bonjour serveur".into())),
            (
                Actor::Client,
                Event::Relayed(format!("{long}\n").into_bytes()),
            ),
            (Actor::Server, Event::Relayed(b"Bonjour client\n".to_vec())),
            (
                Actor::Server,
                Event::Printed {
                    raw: long.into(),
                    newline: true,
                },
            ),
            (Actor::Harness, Event::WireUnobserved),
            (Actor::Harness, Event::Quiescent),
            (
                Actor::Harness,
                Event::Snapshot(vec![
                    view(Actor::Server, 24793, "read", WaitsOn::Keyboard),
                    view(
                        Actor::Server,
                        24794,
                        "recv",
                        WaitsOn::Socket(Some(Actor::Client)),
                    ),
                    view(
                        Actor::Client,
                        24795,
                        "recv",
                        WaitsOn::Socket(Some(Actor::Server)),
                    ),
                ]),
            ),
            (Actor::Harness, Event::Teardown),
            (
                Actor::Client,
                Event::Exited {
                    pid: 24795,
                    exit: Exit::Signal(15),
                },
            ),
        ];
        let mut out = sc.header(
            "ref:q3-server --start receive",
            "ref:q3-client --start receive",
        );
        for (a, e) in events {
            out.extend(sc.show(&entry(a, e)));
        }
        out
    }

    fn widest(lines: &[String]) -> usize {
        lines.iter().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn wrapping_cuts_between_words_and_inside_long_ones() {
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap("  indented", 20), ["  indented"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        assert_eq!(wrap("", 10), [""]);
        for w in 1..30 {
            let text = "Deadlock — both started by receiving: each waits for a line";
            assert!(wrap(text, w).iter().all(|l| l.chars().count() <= w), "{w}");
        }
    }

    /// Side by side from 60 columns: every line within the screen, the
    /// panes' texts wrapped, not cut; the states on the server's and the
    /// client's sides of the same rows.
    #[test]
    fn side_by_side_panes_fit_the_width() {
        for width in [60, 72, 80, 100] {
            let sc = screen(Demo::Alternation, "en", width, Pace::StepByStep);
            let rows = every_row(&sc);
            assert!(widest(&rows) <= width, "{width}: {rows:#?}");
            let text = rows.join("\n");
            assert!(
                text.contains("pid 24795: waits in recv() for") || width < 80,
                "{text}"
            );
            assert!(!text.contains('…'), "nothing is cut: {text}");
            // The long printed line is all there, in pieces.
            assert!(text.contains("étroite,"), "{text}");
        }
        let rows = every_row(&screen(Demo::Alternation, "en", 80, Pace::Continuous));
        let state = rows.iter().find(|r| r.contains("pid 24793: ")).unwrap();
        assert!(
            state.contains("│  pid 24795: waits in recv() for server"),
            "{state}"
        );
    }

    /// The same states twice with nothing between them (a failed step's
    /// snapshot after its wait's) are shown once; after other rows, again.
    #[test]
    fn states_are_not_repeated_while_nothing_else_happened() {
        let sc = screen(Demo::Alternation, "en", 80, Pace::Continuous);
        let views = vec![view(
            Actor::Server,
            40,
            "recv",
            WaitsOn::Socket(Some(Actor::Client)),
        )];
        let snap = || entry(Actor::Harness, Event::Snapshot(views.clone()));
        assert_eq!(sc.show(&snap()).len(), 1);
        assert_eq!(sc.show(&entry(Actor::Harness, Event::Quiescent)).len(), 1);
        assert!(sc.show(&snap()).is_empty());
        assert!(!sc.show(&entry(Actor::Client, Event::TypedEof)).is_empty());
        assert_eq!(sc.show(&snap()).len(), 1);
    }

    /// Below 60 columns the panes are one below the other: each line says
    /// whose it is, and nothing is wider than the screen.
    #[test]
    fn narrow_screens_stack_the_panes() {
        for (lang, server) in [("en", "server │ "), ("fr", "serveur │ ")] {
            for width in [20, 40, 59] {
                let sc = screen(Demo::Alternation, lang, width, Pace::StepByStep);
                let rows = every_row(&sc);
                assert!(widest(&rows) <= width, "{width}: {rows:#?}");
                assert!(
                    rows.iter().any(|r| r.starts_with(server)),
                    "{lang} {width}: {rows:#?}"
                );
                // No row holds both programs.
                let client = format!("{:<w$} │ ", "client", w = server.chars().count() - 3);
                assert!(
                    rows.iter()
                        .all(|r| !(r.contains("pid 24793") && r.contains("pid 24795"))),
                    "{rows:#?}"
                );
                assert!(rows.iter().any(|r| r.starts_with(&client)), "{rows:#?}");
            }
            let rows = every_row(&screen(Demo::Alternation, lang, 40, Pace::Continuous));
            let sent = rows
                .iter()
                .find(|r| r.contains("═▶ Bonjour client"))
                .unwrap();
            assert!(sent.starts_with(server), "the sender's pane: {sent}");
        }
        // 60 columns is the narrowest side by side.
        let rows = every_row(&screen(Demo::Alternation, "en", 60, Pace::Continuous));
        assert!(rows
            .iter()
            .any(|r| r.contains("pid 24793") && r.contains("pid 24795")));
    }

    /// `--interactive` says each step in words of the catalogue, never the
    /// step's Rust name.
    #[test]
    fn steps_are_described_in_words() {
        for demo in [Demo::Deadlock, Demo::Alternation, Demo::Duplex] {
            for lang in ["en", "fr"] {
                let sc = screen(demo, lang, 80, Pace::StepByStep);
                for i in 0..sc.scenario.steps.len() {
                    let said = sc.lang.msg(&sc.step_words(i));
                    assert!(!said.is_empty() && !said.contains('{'), "{said}");
                    assert!(
                        !said.contains('(') || said.contains("(fin") || said.contains("(end"),
                        "{said}"
                    );
                    assert!(!said.contains('[') && !said.contains("Type"), "{said}");
                }
            }
        }
        let sc = screen(Demo::Alternation, "en", 80, Pace::StepByStep);
        let typed = sc
            .scenario
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::Type(_)))
            .unwrap();
        let row = sc.show(&entry(Actor::Harness, Event::Step(typed)));
        assert_eq!(
            row,
            ["next step: type \"Bonjour serveur\" on the client's keyboard — press Enter"]
        );
        let sc = screen(Demo::Alternation, "fr", 80, Pace::StepByStep);
        assert_eq!(
            sc.lang.msg(&sc.step_words(typed)),
            "taper «\u{a0}Bonjour serveur\u{a0}» au clavier du client"
        );
    }

    fn run<'a>(demo: Demo, s: &'a Scenario, t: &'a Transcript, status: Status) -> Run<'a> {
        Run {
            demo,
            scenario: s,
            transcript: t,
            status,
        }
    }

    /// The explanation's text, as one line (on a screen it is wrapped).
    fn said(r: &Run, lang: &str) -> String {
        let lines = explain(r, &Lang::builtin(lang), Layout::new(120));
        assert_eq!(lines[0], "", "a blank line first");
        lines[1..].join(" ")
    }

    /// Counts follow each language's plural rules ("1 line", "0 ligne").
    #[test]
    fn line_counts_are_plurals() {
        let mut t = Transcript::default();
        t.entries.push(relayed(Actor::Client, 1));
        t.entries.push(relayed(Actor::Server, 2));
        let (alt, duplex) = (scenario("q3.pair.chat"), scenario("q4.pair.full-duplex"));
        assert_eq!(
            said(&run(Demo::Alternation, &alt, &t, Status::Pass), "en"),
            "Alternation: 1 line client → server and 2 server → client, each only in its turn: the client speaks, the server answers."
        );
        let fr = said(&run(Demo::Duplex, &duplex, &t, Status::Pass), "fr");
        assert!(
            fr.starts_with("Bidirectionnel\u{a0}: 1 ligne client → serveur et 2 serveur → client, tapées en même temps\u{202f}; un processus"),
            "{fr}"
        );
        t.entries.clear();
        let fr = said(&run(Demo::Alternation, &alt, &t, Status::Pass), "fr");
        assert!(fr.starts_with("Alternance\u{a0}: 0 ligne client → serveur et 0 serveur"));
    }

    /// A demo that did not go as planned says so instead of explaining
    /// what it was meant to show.
    #[test]
    fn a_failed_demo_explains_the_failure_not_the_success() {
        let mut t = Transcript::default();
        t.entries.push(relayed(Actor::Client, 1));
        let wide = Layout::new(120);
        for (demo, id, success, failure) in [
            (
                Demo::Alternation,
                "q3.pair.chat",
                "Alternation: ",
                "The alternation did not go as planned: 1 line client → server and 0 server → client, of 5 and 5 typed.",
            ),
            (
                Demo::Duplex,
                "q4.pair.full-duplex",
                "Full duplex: ",
                "Full duplex did not go as planned: 1 line client → server and 0 server → client, of 10 and 10 typed at the same time.",
            ),
        ] {
            let s = scenario(id);
            let en = said(&run(demo, &s, &t, Status::Fail), "en");
            assert!(en.starts_with(failure), "{en}");
            assert!(en.ends_with("The run did not go as the lecture expects: see the states above."), "{en}");
            assert!(!en.contains(success), "{en}");
            let fr = said(&run(demo, &s, &t, Status::Fail), "fr");
            assert!(fr.contains("ne s'est pas déroulé"), "{fr}");
        }
        // A cycle in the snapshot, but the scenario failed: no drawing.
        t.entries.push(entry(Actor::Harness, both_in_recv(40, 41)));
        let s = scenario("q3.demo.deadlock");
        let en = Lang::builtin("en");
        let failed = explain(&run(Demo::Deadlock, &s, &t, Status::Fail), &en, wide);
        assert_eq!(failed[1], en.get("demo-no-deadlock"));
        assert!(!failed.iter().any(|l| l.contains('┌')), "{failed:#?}");
        let proven = explain(&run(Demo::Deadlock, &s, &t, Status::Pass), &en, wide);
        assert!(proven.iter().any(|l| l.contains('┌')), "{proven:#?}");
        assert!(
            proven.iter().any(|l| l.starts_with("Deadlock — ")),
            "{proven:#?}"
        );
    }

    /// The drawn cycle and its sentences fit the screen, down to the
    /// narrowest: drawn where it fits, else only said.
    #[test]
    fn the_deadlock_explanation_fits_the_width() {
        let mut t = Transcript::default();
        t.entries
            .push(entry(Actor::Harness, both_in_recv(24793, 24795)));
        let s = scenario("q3.demo.deadlock");
        for lang in ["en", "fr"] {
            for width in [20, 40, 59, 60, 80] {
                let l = Lang::builtin(lang);
                let said = explain(
                    &run(Demo::Deadlock, &s, &t, Status::Pass),
                    &l,
                    Layout::new(width),
                );
                assert!(widest(&said) <= width, "{lang} {width}: {said:#?}");
                let drawn = said.iter().any(|l| l.contains('┌'));
                if width == 20 || width >= 60 {
                    assert_eq!(drawn, width >= 60, "{lang} {width}: {said:#?}");
                }
                let said = said.join(" ");
                assert!(said.contains("(pid 24795)"), "{said}");
            }
        }
    }
}

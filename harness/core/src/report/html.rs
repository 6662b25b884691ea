//! `--format html`: one self-contained page (no script, no external file).
//! Each scenario shows its verdict and diagnosis, and its transcript drawn
//! as a sequence diagram: the programs and the harness's peer as lifelines,
//! typed / sent / relayed / printed as arrows and notes, the process states
//! of a stalled world, and a deadlock's wait-for cycle in red. A stream
//! that floods shows a head and a tail and a note counting the rest, within
//! the report's size budget (`budget`).

use super::budget::{self, Encoding, Row};
use super::events::{self, actor_name};
use super::text::{self, display_name, status_name};
use super::{Outcome, Report, Reporter};
use crate::msg::Msg;
use crate::points::points_text;
use crate::scenario::Lang;
use crate::stall;
use crate::transcript::{render_bytes, Actor, Entry, Event, ProcView};
use crate::verdict::Status;
use std::io::{self, Write};
use std::time::Duration;

pub struct Html;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Characters of a label of the diagram.
const LABEL_MAX: usize = 48;

/// A label of the diagram: past `LABEL_MAX` characters, cut with an
/// ellipsis (no count: the text is in the page's `<pre>` and JSON).
fn short(s: &str) -> String {
    match events::cut_point(s, LABEL_MAX) {
        None => s.to_string(),
        Some(_) => {
            let (at, _) = events::cut_point(s, LABEL_MAX - 1).unwrap_or((s.len(), 0));
            format!("{}…", &s[..at])
        }
    }
}

const W: usize = 760;
const ROW: usize = 22;

fn x_of(a: Actor) -> usize {
    match a {
        Actor::Server => 140,
        Actor::Peer | Actor::Harness => 380,
        Actor::Client => 620,
    }
}

/// A row of the diagram: its SVG elements (a snapshot's take two notes or
/// arrows) besides its text, cut at 48 characters.
const ENCODING: Encoding = Encoding {
    row: 1000,
    char_cost: budget::xml_char,
    text_max: LABEL_MAX,
};

/// The sequence diagram of one scenario's transcript, drawn row by row.
struct Diagram<'a> {
    lang: &'a Lang,
    /// The program the peer talks to.
    side: Actor,
    failed: bool,
    /// Where the next row is drawn.
    y: usize,
    rows: Vec<String>,
}

impl<'a> Diagram<'a> {
    fn new(o: &Outcome, lang: &'a Lang) -> Diagram<'a> {
        Diagram {
            lang,
            side: crate::expect::side_actor(&o.scenario),
            failed: o.verdict.status != Status::Pass,
            y: 50,
            rows: Vec::new(),
        }
    }

    /// A note on `a`'s lifeline.
    fn note(&self, a: Actor, text: &str, class: &str) -> String {
        let (x, y) = (x_of(a), self.y);
        format!(
            r#"<text x="{x}" y="{y}" class="{class}" text-anchor="middle">{}</text>"#,
            esc(&short(text))
        )
    }

    /// An arrow from one lifeline to another, labelled.
    fn arrow(&self, from: Actor, to: Actor, text: &str, class: &str) -> String {
        let (from, to, y) = (x_of(from), x_of(to), self.y);
        let mid = (from + to) / 2;
        format!(
            r#"<line x1="{from}" y1="{y}" x2="{to}" y2="{y}" class="{class}" marker-end="url(#head)"/><text x="{mid}" y="{}" class="label" text-anchor="middle">{}</text>"#,
            y - 4,
            esc(&short(text))
        )
    }

    /// Ends a row drawn at `t`: its time in the margin.
    fn push(&mut self, t: Duration, svg: String) {
        self.rows.push(format!(
            r#"<text x="4" y="{}" class="t">{:.1}</text>{svg}"#,
            self.y,
            t.as_secs_f64() * 1e3
        ));
        self.y += ROW;
    }

    fn row(&mut self, row: &Row) {
        match row {
            Row::Event(e) => {
                if let Some(svg) = self.event(e) {
                    self.push(e.t, svg);
                }
            }
            Row::Dropped { actor, .. } => {
                let svg = self.note(*actor, &row.text(usize::MAX, self.lang), "state");
                self.push(row.entry().t, svg);
            }
        }
    }

    /// What an event draws, if anything.
    fn event(&mut self, e: &Entry) -> Option<String> {
        let (a, l) = (e.actor, self.lang);
        Some(match &e.event {
            Event::Started { pid, .. } => {
                let started = Msg::new("html-started").arg("pid", pid.to_string());
                self.note(a, &l.msg(&started), "note")
            }
            Event::Typed(line) => self.note(a, &format!("⌨ {line}"), "typed"),
            Event::TypedEof => self.note(a, "⌨ ^D", "typed"),
            Event::Interrupted => self.note(a, "⌨ ^C", "typed"),
            Event::Printed { raw, .. } => {
                let line = crate::expect::normalize(raw);
                self.note(a, &format!("🖵 {line}"), "printed")
            }
            Event::Sent(b) => self.arrow(Actor::Peer, self.side, &render_bytes(b), "wire"),
            Event::Received(b) => self.arrow(self.side, Actor::Peer, &render_bytes(b), "wire"),
            Event::Relayed(b) => {
                let to = a.other_program().unwrap_or(Actor::Peer);
                self.arrow(a, to, &render_bytes(b), "wire")
            }
            Event::Connected { port } => self.note(a, &format!("⇄ {port}"), "note"),
            Event::PeerSawClose | Event::RelayClosed => {
                let who = if a == Actor::Peer { self.side } else { a };
                self.note(who, &l.get("html-closes"), "note")
            }
            Event::PeerClosed => self.note(Actor::Peer, "✕", "note"),
            Event::Exited { exit, .. } => {
                let text = format!("■ {}", l.msg(&events::exit_status(exit)));
                self.note(a, &text, "note")
            }
            Event::Quiescent => format!(
                r#"<line x1="20" y1="{y}" x2="{}" y2="{y}" class="quiet"/><text x="24" y="{}" class="label">{}</text>"#,
                W - 20,
                self.y - 4,
                l.get("html-quiescent"),
                y = self.y,
            ),
            Event::Snapshot(views) => self.snapshot(views),
            Event::Cpu { .. } | Event::Deadline if self.failed => {
                self.note(Actor::Harness, &events::text(&e.event, l), "state")
            }
            _ => return None,
        })
    }

    /// A deadlock's cycle as two red arrows; else what each program's
    /// processes were doing.
    fn snapshot(&mut self, views: &[ProcView]) -> String {
        let mut parts = Vec::new();
        if stall::deadlock_cycle(views).is_some() {
            let (s, c) = (Actor::Server, Actor::Client);
            let label = self.lang.get("html-waits-for");
            parts.push(self.arrow(s, c, &label, "cycle"));
            self.y += ROW;
            parts.push(self.arrow(c, s, &label, "cycle"));
        } else {
            for a in [Actor::Server, Actor::Client] {
                let mut of_a = views.iter().filter(|v| v.actor == a).peekable();
                if of_a.peek().is_some() {
                    let text = events::procs(of_a, self.lang);
                    parts.push(self.note(a, &text, "state"));
                }
            }
        }
        parts.concat()
    }

    /// The lifelines, then the rows.
    fn svg(self) -> String {
        let h = self.y + 10;
        let mut svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}"><defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="context-stroke"/></marker></defs>"##
        );
        let l = self.lang;
        for (a, name) in [
            (Actor::Server, l.msg(&actor_name(Actor::Server))),
            (Actor::Peer, l.get("html-peer")),
            (Actor::Client, l.msg(&actor_name(Actor::Client))),
        ] {
            let x = x_of(a);
            svg.push_str(&format!(
                r#"<text x="{x}" y="20" class="head" text-anchor="middle">{name}</text><line x1="{x}" y1="28" x2="{x}" y2="{}" class="life"/>"#,
                h - 4
            ));
        }
        svg.push_str(&self.rows.concat());
        svg.push_str("</svg>");
        svg
    }
}

/// The sequence diagram of one scenario's transcript (the rows the budget
/// left).
fn diagram(o: &Outcome, rows: &[Row], lang: &Lang) -> String {
    let mut d = Diagram::new(o, lang);
    for row in rows {
        d.row(row);
    }
    d.svg()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}\
.pass{color:#1a7f37}.fail,.error{color:#cf222e}details{margin:.4em 0}\
summary{cursor:pointer}pre{white-space:pre-wrap;background:#f6f8fa;padding:.6em}\
svg text{font-family:ui-monospace,monospace;font-size:11px}\
.head{font-weight:bold;font-size:13px}.life{stroke:#999;stroke-dasharray:4 3}\
.wire{stroke:#0969da;stroke-width:1.5}.cycle{stroke:#cf222e;stroke-width:2}\
.quiet{stroke:#bbb;stroke-dasharray:2 2}.typed{fill:#8250df}.printed{fill:#1a7f37}\
.state{fill:#9a6700}.note{fill:#555}.t{fill:#999;font-size:9px}.label{fill:#0969da}";

impl Reporter for Html {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let l = &r.lang;
        writeln!(
            out,
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>grade</title><style>{STYLE}</style></head><body>",
            l.code()
        )?;
        let score = Msg::new("html-score")
            .arg("score", crate::points::points_arg(r.score()))
            .arg("max", crate::points::points_arg(r.max_score()));
        writeln!(out, "<h1>{}</h1>", esc(&l.msg(&score)))?;
        for (label, p) in [("report-server", &r.server), ("report-client", &r.client)] {
            if let Some(p) = p {
                writeln!(out, "<p>{} <code>{}</code></p>", esc(&l.get(label)), esc(p))?;
            }
        }
        if let Some(n) = &r.isolation_note {
            writeln!(out, "<p><em>{}</em></p>", esc(n))?;
        }
        // A submission problem once, in place of the scenarios it stopped.
        for p in &r.problems {
            writeln!(
                out,
                "<details open><summary class=\"fail\">✗ {} — 0/{}</summary><pre>{}</pre></details>",
                esc(&text::problem_headline(p, l)),
                points_text(r.problem_points(p), l),
                esc(&text::problem_feedback(r, p))
            )?;
        }
        let mut rows = budget::rows(r, &ENCODING, |_, _| true)
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>();
        for q in r.questions() {
            writeln!(out, "<h2>{}</h2>", q.name())?;
            for (k, o) in r.outcomes.iter().enumerate() {
                if o.scenario.question != q || r.problem_of(o).is_some() {
                    continue;
                }
                let shown = rows[k].take().unwrap_or_default();
                scenario(out, o, &shown, l)?;
            }
        }
        writeln!(out, "</body></html>")
    }
}

/// A scenario: its verdict, what it says, its diagram (open unless passed).
fn scenario(out: &mut dyn Write, o: &Outcome, rows: &[Row], l: &Lang) -> io::Result<()> {
    let passed = o.verdict.status == Status::Pass;
    let (mark, open) = if passed {
        ("✓", "")
    } else {
        ("✗", " open")
    };
    let ms = Msg::new("duration-ms").arg("ms", o.duration.as_millis() as f64);
    writeln!(
        out,
        "<details{open}><summary class=\"{}\">{mark} {} — {}/{} ({})</summary>",
        status_name(o.verdict.status),
        esc(&display_name(o, l)),
        points_text(o.verdict.score, l),
        points_text(o.scenario.points, l),
        l.msg(&ms)
    )?;
    let fb = text::feedback(o, l);
    if !fb.is_empty() {
        writeln!(out, "<pre>{}</pre>", esc(&fb))?;
    }
    writeln!(out, "{}</details>", diagram(o, rows, l))
}

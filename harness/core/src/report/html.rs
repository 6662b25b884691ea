//! `--format html`: one self-contained page (no script, no external file).
//! Its title names the programs and the date; a legend says what the
//! drawings mean. Each scenario shows its verdict and diagnosis, and its
//! transcript drawn as a sequence diagram: a lifeline for each program the
//! scenario runs and for the harness's peer, typed / sent / relayed /
//! printed as arrows and notes, the process states of a stalled world, and
//! a deadlock's wait-for cycle in red with what it means beside it. A
//! failure and a deadlock are open; passes are folded. A stream that
//! floods shows a head and a tail and a note counting the rest, within the
//! report's size budget (`budget`).
//!
//! Written for browsers as they are: every SVG carries its own markers
//! (ids unique in the page: a marker inside a closed `<details>` draws
//! nothing), every text is placed from its width so that it stays inside
//! its drawing, long tokens wrap, and the symbols are ones DejaVu and
//! Liberation have (`GLYPHS`). Checked in headless Chromium by the
//! integration tests (`tests/integration/html.rs`).

use super::budget::{self, Encoding, Row};
use super::events::{self, actor_name};
use super::text::{self, display_name, status_name};
use super::{Outcome, Report, Reporter};
use crate::msg::Msg;
use crate::points::points_text;
use crate::scenario::{Lang, Role};
use crate::stall;
use crate::transcript::{render_bytes, Actor, Entry, Event, ProcView};
use crate::verdict::Status;
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

pub struct Html;

/// Text made safe inside HTML (elements and quoted attributes).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The symbols the page writes as text. Each is in DejaVu Sans and DejaVu
/// Sans Mono (`fc-list ':charset=2328'`), which browsers fall back to where
/// Liberation lacks one: no emoji, which most systems draw as an empty box.
pub const GLYPHS: &str = "✓✗⌨▭▶■✕⇄…—";
const PASS: &str = "✓";
const FAIL: &str = "✗";
const TYPED: &str = "⌨";
const PRINTED: &str = "▭";
const EXITED: &str = "■";
const CONNECTED: &str = "⇄";
const CLOSED: &str = "✕";

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

/// Width of a diagram (its viewBox: the page scales it down to fit).
const W: usize = 760;
/// Where notes and arrows may start: the times are right-aligned before.
const LEFT: usize = 64;
/// Where notes and arrows end.
const RIGHT: usize = W - 8;
const ROW: usize = 22;
/// A line of the deadlock's explanation under the cycle.
const LINE: usize = 15;
/// Characters of one line of that explanation.
const EXPLAIN_MAX: usize = 90;
/// One character cell of the diagram's 11 px monospace text, in tenths of
/// a pixel, rounded up: DejaVu Sans Mono, Liberation Mono, Menlo and
/// Courier are 0.6 em (6.6 px).
const CELL_TENTHS: usize = 68;

/// Cells a character takes in a monospace font: two for the wide (East
/// Asian) scripts and the pictographs, one for the rest.
fn cells(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// How wide `s` is drawn, in pixels (an upper bound).
fn text_width(s: &str) -> usize {
    (s.chars().map(cells).sum::<usize>() * CELL_TENTHS).div_ceil(10)
}

/// Where a text `w` pixels wide starts to be centred on `x` and still lie
/// between `LEFT` and `RIGHT`.
fn start_x(x: usize, w: usize) -> usize {
    x.saturating_sub(w / 2)
        .min(RIGHT.saturating_sub(w))
        .max(LEFT)
}

/// `text` cut into lines of at most `max` characters, at spaces (never
/// at the no-break spaces French writes before `:`).
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A row of the diagram: its SVG elements (a snapshot's take two notes or
/// arrows, a deadlock's its explanation too) besides its text, cut at 48
/// characters.
const ENCODING: Encoding = Encoding {
    row: 1500,
    char_cost: budget::xml_char,
    text_max: LABEL_MAX,
};

/// The lifeline an actor's events are drawn on: the harness acts through
/// its peer.
fn lane_of(a: Actor) -> Actor {
    match a {
        Actor::Harness => Actor::Peer,
        a => a,
    }
}

/// The lifelines of a scenario, left to right: the programs its role runs,
/// the peer, and any other actor its rows show (a server-only scenario
/// draws no client).
fn lanes(o: &Outcome, rows: &[Row]) -> Vec<Actor> {
    const ORDER: [Actor; 3] = [Actor::Server, Actor::Peer, Actor::Client];
    let mut drawn = [false, true, false];
    let mut draw = |a: Actor| {
        if let Some(k) = ORDER.iter().position(|&l| l == lane_of(a)) {
            drawn[k] = true;
        }
    };
    match o.scenario.role {
        Role::Server => draw(Actor::Server),
        Role::Client => draw(Actor::Client),
        Role::Pair => [Actor::Server, Actor::Client]
            .into_iter()
            .for_each(&mut draw),
    }
    for row in rows {
        draw(row.actor());
        if let Event::Snapshot(views) = &row.entry().event {
            views.iter().for_each(|v| draw(v.actor));
        }
    }
    ORDER
        .into_iter()
        .zip(drawn)
        .filter(|(_, d)| *d)
        .map(|(a, _)| a)
        .collect()
}

/// Whether the transcript holds a deadlock's wait-for cycle.
fn has_deadlock(o: &Outcome) -> bool {
    o.transcript.entries.iter().any(|e| match &e.event {
        Event::Snapshot(views) => stall::deadlock_cycle(views).is_some(),
        _ => false,
    })
}

/// The sequence diagram of one scenario's transcript, drawn row by row.
struct Diagram<'a> {
    lang: &'a Lang,
    /// Makes the ids of this diagram's markers unique in the page.
    id: usize,
    lanes: Vec<Actor>,
    /// The program the peer talks to.
    side: Actor,
    failed: bool,
    /// Where the next row is drawn.
    y: usize,
    rows: Vec<String>,
}

impl<'a> Diagram<'a> {
    fn new(id: usize, o: &Outcome, rows: &[Row], lang: &'a Lang) -> Diagram<'a> {
        Diagram {
            lang,
            id,
            lanes: lanes(o, rows),
            side: crate::expect::side_actor(&o.scenario),
            failed: o.verdict.status != Status::Pass,
            y: 50,
            rows: Vec::new(),
        }
    }

    /// The x of `a`'s lifeline: the lifelines share the width evenly.
    fn x_of(&self, a: Actor) -> usize {
        let n = self.lanes.len();
        let k = self.lanes.iter().position(|&l| l == lane_of(a));
        // Every actor drawn has its lane (`lanes`); the middle otherwise.
        let k = k.unwrap_or(n / 2);
        LEFT + (RIGHT - LEFT) * (2 * k + 1) / (2 * n)
    }

    /// `text` centred on `x` as far as it fits, at the current row.
    fn text_at(&self, x: usize, y: usize, text: &str, class: &str) -> String {
        let x = start_x(x, text_width(text));
        format!(
            r#"<text x="{x}" y="{y}" class="{class}">{}</text>"#,
            esc(text)
        )
    }

    /// A note on `a`'s lifeline.
    fn note(&self, a: Actor, text: &str, class: &str) -> String {
        self.text_at(self.x_of(a), self.y, &short(text), class)
    }

    /// An arrow from one lifeline to another, labelled.
    fn arrow(&self, from: Actor, to: Actor, text: &str, class: &str) -> String {
        let (from, to, y, id) = (self.x_of(from), self.x_of(to), self.y, self.id);
        let label = self.text_at(
            (from + to) / 2,
            y - 4,
            &short(text),
            &format!("{class}-label"),
        );
        format!(
            r#"<line x1="{from}" y1="{y}" x2="{to}" y2="{y}" class="{class}" marker-end="url(#d{id}-{class})"/>{label}"#
        )
    }

    /// Draws one row: what it shows, its time in the margin at its top.
    fn row(&mut self, row: &Row) {
        let top = self.y;
        let svg = match row {
            Row::Event(e) => match self.event(e) {
                Some(svg) => svg,
                None => return,
            },
            Row::Dropped { actor, .. } => {
                self.note(*actor, &row.text(usize::MAX, self.lang), "state")
            }
        };
        self.rows.push(format!(
            r#"<text x="{}" y="{top}" class="t" text-anchor="end">{}</text>{svg}"#,
            LEFT - 8,
            self.lang.number(row.entry().t.as_secs_f64() * 1e3, 1)
        ));
        self.y += ROW;
    }

    /// What an event draws, if anything.
    fn event(&mut self, e: &Entry) -> Option<String> {
        let (a, l) = (e.actor, self.lang);
        Some(match &e.event {
            Event::Started { pid, .. } => {
                let started = Msg::new("html-started").arg("pid", pid.to_string());
                self.note(a, &l.msg(&started), "note")
            }
            Event::Typed(line) => self.note(a, &format!("{TYPED} {line}"), "typed"),
            Event::TypedEof => self.note(a, &format!("{TYPED} ^D"), "typed"),
            Event::Interrupted => self.note(a, &format!("{TYPED} ^C"), "typed"),
            Event::Printed { raw, .. } => {
                let line = crate::expect::normalize(raw);
                self.note(a, &format!("{PRINTED} {line}"), "printed")
            }
            Event::Sent(b) => self.arrow(Actor::Peer, self.side, &render_bytes(b), "wire"),
            Event::Received(b) => self.arrow(self.side, Actor::Peer, &render_bytes(b), "wire"),
            Event::Relayed(b) => {
                let to = a.other_program().unwrap_or(Actor::Peer);
                self.arrow(a, to, &render_bytes(b), "wire")
            }
            Event::Connected { port } => self.note(a, &format!("{CONNECTED} {port}"), "note"),
            Event::PeerSawClose | Event::RelayClosed => {
                let who = if a == Actor::Peer { self.side } else { a };
                self.note(who, &l.get("html-closes"), "note")
            }
            Event::PeerClosed => self.note(Actor::Peer, CLOSED, "note"),
            Event::Exited { exit, .. } => {
                let text = format!("{EXITED} {}", l.msg(&events::exit_status(exit)));
                self.note(a, &text, "note")
            }
            Event::Quiescent => format!(
                r#"<line x1="{LEFT}" y1="{y}" x2="{RIGHT}" y2="{y}" class="quiet"/><text x="{RIGHT}" y="{}" class="quiet-label" text-anchor="end">{}</text>"#,
                self.y - 4,
                esc(&l.get("html-quiescent")),
                y = self.y,
            ),
            Event::Snapshot(views) => self.snapshot(views),
            Event::Cpu { .. } | Event::Deadline if self.failed => {
                self.note(Actor::Harness, &what(&e.event, l), "state")
            }
            Event::OutputDropped { .. } | Event::LimitHit { .. } | Event::StartFailed { .. } => {
                self.note(a, &what(&e.event, l), "state")
            }
            _ => return None,
        })
    }

    /// A deadlock's cycle as two red arrows, what it means under them;
    /// else what each program's processes were doing.
    fn snapshot(&mut self, views: &[ProcView]) -> String {
        let mut parts = Vec::new();
        if stall::deadlock_cycle(views).is_some() {
            let (s, c) = (Actor::Server, Actor::Client);
            let label = self.lang.get("html-waits-for");
            parts.push(self.arrow(s, c, &label, "cycle"));
            self.y += ROW;
            parts.push(self.arrow(c, s, &label, "cycle"));
            let middle = (self.x_of(s) + self.x_of(c)) / 2;
            for line in wrap(&self.lang.get("html-deadlock"), EXPLAIN_MAX) {
                self.y += LINE;
                parts.push(self.text_at(middle, self.y, &line, "why"));
            }
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
        let id = self.id;
        let mut svg = format!(
            r##"<svg class="seq" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}"><defs>{}{}</defs>"##,
            marker(&format!("d{id}-wire"), WIRE),
            marker(&format!("d{id}-cycle"), RED),
        );
        let l = self.lang;
        for &a in &self.lanes {
            let name = match a {
                Actor::Peer => l.get("html-peer"),
                a => l.msg(&actor_name(a)),
            };
            let x = self.x_of(a);
            svg.push_str(&format!(
                r#"<text x="{x}" y="20" class="head" text-anchor="middle">{}</text><line x1="{x}" y1="28" x2="{x}" y2="{}" class="life"/>"#,
                esc(&name),
                h - 4
            ));
        }
        svg.push_str(&self.rows.concat());
        svg.push_str("</svg>");
        svg
    }
}

/// An event's text, else its name (a deadline has no text).
fn what(e: &Event, l: &Lang) -> String {
    let text = events::text(e, l);
    if text.is_empty() {
        l.msg(&events::event_name(e.kind()))
    } else {
        text
    }
}

const WIRE: &str = "#0969da";
const RED: &str = "#cf222e";

/// An arrowhead of one colour, its tip at the line's end.
fn marker(id: &str, colour: &str) -> String {
    format!(
        r#"<marker id="{id}" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="8" refX="10" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="{colour}"/></marker>"#
    )
}

/// The sequence diagram of one scenario's transcript (the rows the budget
/// left), `id` making its ids unique; none when no row is drawn.
fn diagram(id: usize, o: &Outcome, rows: &[Row], lang: &Lang) -> Option<String> {
    let mut d = Diagram::new(id, o, rows, lang);
    for row in rows {
        d.row(row);
    }
    (!d.rows.is_empty()).then(|| d.svg())
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1em auto;padding:0 1em;\
max-width:60em;overflow-wrap:anywhere}h1{font-size:1.5em}\
.pass{color:#1a7f37}.fail,.error{color:#cf222e}.skip{color:#9a6700}details{margin:.4em 0}\
summary{cursor:pointer}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.6em}\
.legend ul{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:.2em 1.4em;font-size:.9em}\
.legend svg{vertical-align:middle}\
svg.seq{display:block;max-width:100%;height:auto}\
svg text{font-family:ui-monospace,'DejaVu Sans Mono','Liberation Mono',monospace;font-size:11px;white-space:pre}\
.head{font-weight:bold;font-size:13px}.life{stroke:#999;stroke-dasharray:4 3}\
.wire{stroke:#0969da;stroke-width:1.5}.cycle{stroke:#cf222e;stroke-width:2}.why{fill:#cf222e}\
.quiet{stroke:#bbb;stroke-dasharray:2 2}.quiet-label{fill:#888}.typed{fill:#8250df;color:#8250df}\
.printed{fill:#1a7f37;color:#1a7f37}.state{fill:#9a6700;color:#9a6700}.note{fill:#555;color:#555}\
.t{fill:#999;font-size:9px}.wire-label{fill:#0969da}.cycle-label{fill:#cf222e}\
svg.seq text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}";

/// `2026-12-03 07:15 UTC`.
fn utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `ref:*-server`: the reference program of each scenario (`--reference`).
fn every_reference(spec: &str) -> bool {
    spec.starts_with("ref:*")
}

/// A program as the page names it: `ref:q3-server --start receive` is the
/// reference q3-server.
/// `server: …` and `client: …`, one paragraph each, for those given.
fn programs(
    out: &mut dyn Write,
    l: &Lang,
    server: Option<String>,
    client: Option<String>,
) -> io::Result<()> {
    for (label, p) in [("report-server", server), ("report-client", client)] {
        if let Some(p) = p {
            writeln!(
                out,
                "<p>{} <code>{}</code></p>",
                esc(&l.get(label)),
                esc(&program(&p, l))
            )?;
        }
    }
    Ok(())
}

fn program(spec: &str, l: &Lang) -> String {
    match spec.strip_prefix("ref:") {
        Some(name) => l.msg(&Msg::new("html-reference-program").arg("name", name)),
        None => spec.to_string(),
    }
}

/// `grade: serveur.py and client.py, 2026-12-03 07:15 UTC`.
fn title(r: &Report) -> String {
    let l = &r.lang;
    let given: Vec<&String> = [&r.server, &r.client].into_iter().flatten().collect();
    let programs = match given[..] {
        _ if !given.is_empty() && given.iter().all(|p| every_reference(p)) => {
            l.get("html-reference")
        }
        [one] => program(one, l),
        [server, client] => l.msg(
            &Msg::new("html-programs-both")
                .arg("server", program(server, l))
                .arg("client", program(client, l)),
        ),
        _ => l.get("report-submission"),
    };
    match r.date {
        Some(date) => l.msg(
            &Msg::new("html-title")
                .arg("programs", programs)
                .arg("date", utc(date)),
        ),
        None => l.msg(&Msg::new("html-title-undated").arg("programs", programs)),
    }
}

/// `Score: 7/9 (5 passed, 2 failed)`; only the counts when no scenario is
/// worth points (the lecture's demo).
fn score_line(r: &Report) -> String {
    if r.max_score() > 0.0 {
        r.summary()
    } else {
        r.lang.msg(&r.counts())
    }
}

/// What the symbols, lines and colours of the diagrams mean.
fn legend(out: &mut dyn Write, l: &Lang) -> io::Result<()> {
    let line = |id: &str, class: &str, colour: &str, head: bool| {
        let (defs, end) = if head {
            (
                format!("<defs>{}</defs>", marker(id, colour)),
                format!(r#" marker-end="url(#{id})""#),
            )
        } else {
            (String::new(), String::new())
        };
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="36" height="10" viewBox="0 0 36 10">{defs}<line x1="1" y1="5" x2="35" y2="5" class="{class}"{end}/></svg>"#
        )
    };
    let glyph = |g: &str, class: &str| format!(r#"<b class="{class}">{g}</b>"#);
    let items = [
        (line("key-wire", "wire", WIRE, true), "html-key-wire"),
        (line("key-cycle", "cycle", RED, true), "html-key-cycle"),
        (line("", "quiet", "", false), "html-key-quiet"),
        (glyph(TYPED, "typed"), "html-key-typed"),
        (glyph(PRINTED, "printed"), "html-key-printed"),
        (glyph("▶", "note"), "html-key-started"),
        (glyph(EXITED, "note"), "html-key-exited"),
        (glyph(CLOSED, "note"), "html-key-closed"),
        (glyph("pid", "state"), "html-key-state"),
        (glyph(&l.number(0.0, 1), "note"), "html-key-time"),
    ];
    write!(
        out,
        "<details class=\"legend\" open><summary>{}</summary><ul>",
        esc(&l.get("html-legend"))
    )?;
    for (shape, id) in items {
        write!(out, "<li>{shape} {}</li>", esc(&l.get(id)))?;
    }
    writeln!(out, "</ul></details>")
}

impl Reporter for Html {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let l = &r.lang;
        let title = esc(&title(r));
        writeln!(
            out,
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}</style></head><body>",
            l.code()
        )?;
        writeln!(out, "<h1>{title}</h1>")?;
        writeln!(out, "<p class=\"score\">{}</p>", esc(&score_line(r)))?;
        let graded = |p: &Option<String>| p.clone().filter(|p| !every_reference(p));
        programs(out, l, graded(&r.server), graded(&r.client))?;
        if let Some(n) = &r.isolation_note {
            writeln!(out, "<p><em>{}</em></p>", esc(n))?;
        }
        legend(out, l)?;
        // A submission problem once, in place of the scenarios it stopped.
        for p in &r.problems {
            writeln!(
                out,
                "<details open><summary class=\"fail\">{FAIL} {} — 0/{}</summary><pre>{}</pre></details>",
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
                scenario(out, k, o, &shown, l)?;
            }
        }
        writeln!(out, "</body></html>")
    }
}

/// A scenario: its verdict, what it says, its diagram; open when it did
/// not pass or when it shows a deadlock.
fn scenario(out: &mut dyn Write, k: usize, o: &Outcome, rows: &[Row], l: &Lang) -> io::Result<()> {
    let passed = o.verdict.status == Status::Pass;
    let mark = if passed { PASS } else { FAIL };
    let open = if !passed || has_deadlock(o) {
        " open"
    } else {
        ""
    };
    let ms = Msg::new("duration-ms").arg("ms", o.duration.as_millis() as f64);
    // A scenario worth no points (the lecture's demo) shows none.
    let points = if o.scenario.points > 0.0 {
        let (score, max) = (o.verdict.score, o.scenario.points);
        format!(" — {}/{}", points_text(score, l), points_text(max, l))
    } else {
        String::new()
    };
    writeln!(
        out,
        "<details{open}><summary class=\"{}\">{mark} {}{points} ({})</summary>",
        status_name(o.verdict.status),
        esc(&display_name(o, l)),
        l.msg(&ms)
    )?;
    let fixed = &o.scenario.programs;
    programs(out, l, fixed.server.clone(), fixed.client.clone())?;
    if passed {
        writeln!(out, "<p>{}</p>", esc(o.scenario.passes.get(l)))?;
    }
    let fb = text::feedback(o, l);
    if !fb.is_empty() {
        writeln!(out, "<pre>{}</pre>", esc(&fb))?;
    }
    if let Some(svg) = diagram(k, o, rows, l) {
        writeln!(out, "{svg}")?;
    }
    writeln!(out, "</details>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_written_in_utc() {
        let at = |secs| utc(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01 00:00 UTC");
        assert_eq!(at(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(at(1_796_281_257), "2026-12-03 07:00 UTC");
        assert_eq!(at(4_107_542_399), "2100-02-28 23:59 UTC");
    }

    #[test]
    fn a_text_stays_inside_the_drawing() {
        // Centred on its lifeline when it fits, else pushed inside.
        assert_eq!(start_x(400, 100), 350);
        assert_eq!(start_x(100, 200), LEFT);
        assert_eq!(start_x(700, 200), RIGHT - 200);
        let widest = text_width(&"W".repeat(LABEL_MAX));
        assert!(LEFT + widest <= RIGHT, "a label fits the drawing");
        assert!(text_width("漢") == 2 * text_width("a"));
    }

    #[test]
    fn the_explanation_wraps_at_spaces() {
        let lines = wrap("aa bb cc dd", 5);
        assert_eq!(lines, ["aa bb", "cc dd"]);
        let lines = wrap(&"x".repeat(12), 5);
        assert_eq!(
            lines,
            ["x".repeat(12)],
            "a word longer than a line stays whole"
        );
        let explain = text_width(&"x".repeat(EXPLAIN_MAX));
        assert!(explain <= RIGHT - LEFT);
    }

    use crate::report::snapshot_tests::rich;
    use crate::report::tests::test_lang;

    fn page(r: &Report) -> String {
        let mut out = Vec::new();
        Html.write(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The values of `attr="…"` in `s`, with where each starts.
    fn values<'a>(s: &'a str, attr: &str) -> Vec<(usize, &'a str)> {
        let open = format!("{attr}=\"");
        s.match_indices(&open)
            .map(|(at, _)| {
                let v = &s[at + open.len()..];
                (at, &v[..v.find('"').unwrap()])
            })
            .collect()
    }

    /// The `<svg>…</svg>` span holding byte `at`, if any.
    fn svg_around(s: &str, at: usize) -> Option<(usize, usize)> {
        let start = s[..at].rfind("<svg")?;
        let end = start + s[start..].find("</svg>")?;
        (at < end).then_some((start, end))
    }

    /// Every `url(#…)` and `href="#…"` names an id of the page, found in
    /// the same `<svg>` as the reference (a marker inside another scenario's
    /// closed `<details>` would draw nothing); ids are unique.
    #[track_caller]
    fn references_resolve(page: &str) {
        let ids = values(page, "id");
        for (k, (_, id)) in ids.iter().enumerate() {
            assert!(
                ids[k + 1..].iter().all(|(_, other)| other != id),
                "id {id} twice"
            );
        }
        let mut refs: Vec<(usize, &str)> = page
            .match_indices("url(#")
            .map(|(at, _)| {
                let v = &page[at + 5..];
                (at, &v[..v.find(')').unwrap()])
            })
            .collect();
        refs.extend(
            values(page, "href")
                .into_iter()
                .filter_map(|(at, v)| Some((at, v.strip_prefix('#')?))),
        );
        assert!(!refs.is_empty(), "the page draws arrowheads");
        for (at, name) in refs {
            let (_, target) = *ids
                .iter()
                .find(|(_, id)| *id == name)
                .unwrap_or_else(|| panic!("#{name} resolves to no id"));
            let target_at = ids.iter().find(|(_, id)| *id == target).unwrap().0;
            let here = svg_around(page, at);
            assert!(here.is_some(), "#{name} is used outside an <svg>");
            assert_eq!(
                here,
                svg_around(page, target_at),
                "#{name} is in another <svg>"
            );
        }
    }

    #[test]
    fn every_reference_resolves_in_its_own_drawing() {
        for lang in ["en", "fr"] {
            let r = rich(&test_lang(lang));
            let page = page(&r);
            references_resolve(&page);
            // One arrowhead per colour and drawing, the legend's two included.
            let drawn = page.matches("class=\"seq\"").count();
            assert_eq!(page.matches("<marker").count(), 2 * drawn + 2);
        }
    }

    /// Every symbol is one of `GLYPHS` (or in the programs' own text): no
    /// emoji, which DejaVu and Liberation lack.
    #[test]
    fn the_page_uses_only_common_glyphs() {
        // The fixture's own data: `€`; French typography: no-break spaces.
        let data = "€\u{a0}\u{202f}";
        for lang in ["en", "fr"] {
            let page = page(&rich(&test_lang(lang)));
            let odd: String = page
                .chars()
                .filter(|&c| c as u32 > 0xff && !GLYPHS.contains(c) && !data.contains(c))
                .collect();
            assert_eq!(odd, "", "{lang}: symbols outside GLYPHS");
        }
    }

    /// A deadlock is open even when proving it was the point (the
    /// lecture's demo, which passes), with its explanation beside the cycle.
    #[test]
    fn a_deadlock_is_open_and_explained() {
        let lang = test_lang("en");
        let mut r = rich(&lang);
        let deadlock = std::mem::take(&mut r.outcomes[2].transcript);
        let k = r
            .outcomes
            .iter()
            .position(|o| o.verdict.status == Status::Pass)
            .unwrap();
        r.outcomes.truncate(k + 1);
        r.outcomes.drain(..k);
        r.outcomes[0].transcript = deadlock;
        r.outcomes[0].scenario.points = 0.0;
        r.outcomes[0].verdict.score = 0.0;
        let page = page(&r);
        assert!(
            page.contains("<details open><summary class=\"pass\">"),
            "{page}"
        );
        assert!(page.contains("class=\"why\">Deadlock:"), "{page}");
        assert!(
            !page.contains("0/0"),
            "no score of a scenario worth nothing: {page}"
        );
        assert!(
            page.contains("<p class=\"score\">1 passed, 0 failed</p>"),
            "{page}"
        );
    }

    /// A server-only scenario draws the server and the peer, no client.
    #[test]
    fn only_the_programs_that_ran_have_a_lifeline() {
        let lang = test_lang("en");
        let mut r = rich(&lang);
        r.outcomes.truncate(1);
        let page = page(&r);
        let heads = page.matches("class=\"head\"").count();
        assert_eq!(heads, 2, "{page}");
        assert!(!page.contains(">client</text>"), "{page}");
    }

    #[test]
    fn the_title_names_the_programs_and_the_date() {
        let lang = test_lang("en");
        let r = rich(&lang);
        assert_eq!(
            title(&r),
            "grade: serveur.py and python3 client.py, 2026-12-03 07:00 UTC"
        );
        let reference = Report {
            server: Some("ref:*-server".into()),
            client: Some("ref:*-client".into()),
            date: None,
            ..r
        };
        assert_eq!(title(&reference), "grade: the reference programs");
        assert_eq!(
            program("ref:q3-server --start receive", &lang),
            "reference q3-server --start receive"
        );
    }
}

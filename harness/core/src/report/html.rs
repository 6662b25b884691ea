//! `--format html`: one self-contained page (no script, no external file).
//! Each scenario shows its verdict and diagnosis, and its transcript drawn
//! as a sequence diagram: the programs and the harness's peer as lifelines,
//! typed / sent / relayed / printed as arrows and notes, the process states
//! of a stalled world, and a deadlock's wait-for cycle in red. A stream
//! that floods shows a head and a tail and a note counting the rest, within
//! the report's size budget (`budget`).

use super::budget::{self, Encoding, Row};
use super::{display_name, points_text, tr, Outcome, Report, Reporter};
use crate::scenario::Lang;
use crate::transcript::{render_bytes, Actor, Event};
use crate::verdict::Status;
use std::io::{self, Write};

pub struct Html;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(s: &str) -> String {
    let n = s.chars().count();
    if n > 48 {
        format!("{}…", s.chars().take(47).collect::<String>())
    } else {
        s.to_string()
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
    text_max: 48,
};

/// The sequence diagram of one scenario's transcript (the rows the budget
/// left).
fn diagram(o: &Outcome, rows: &[Row], lang: &Lang) -> String {
    let side = crate::expect::side_actor(&o.scenario);
    let failed = o.verdict.status != Status::Pass;
    let mut rows_svg: Vec<String> = Vec::new();
    let mut y = 50;
    let note = |x: usize, y: usize, text: &str, class: &str| {
        format!(
            r#"<text x="{x}" y="{y}" class="{class}" text-anchor="middle">{}</text>"#,
            esc(&short(text))
        )
    };
    let arrow = |from: usize, to: usize, y: usize, text: &str, class: &str| {
        let mid = (from + to) / 2;
        format!(
            r#"<line x1="{from}" y1="{y}" x2="{to}" y2="{y}" class="{class}" marker-end="url(#head)"/><text x="{mid}" y="{}" class="label" text-anchor="middle">{}</text>"#,
            y - 4,
            esc(&short(text))
        )
    };
    for row in rows {
        let e = match row {
            Row::Event(e) => *e,
            Row::Dropped { actor, .. } => {
                let text = row.text(usize::MAX);
                rows_svg.push(format!(
                    r#"<text x="4" y="{y}" class="t">{:.1}</text>{}"#,
                    row.entry().t.as_secs_f64() * 1e3,
                    note(x_of(*actor), y, &text, "state")
                ));
                y += ROW;
                continue;
            }
        };
        let r = match &e.event {
            Event::Started { pid, .. } => {
                Some(note(x_of(e.actor), y, &format!("▶ pid {pid}"), "note"))
            }
            Event::Typed(l) => Some(note(x_of(e.actor), y, &format!("⌨ {l}"), "typed")),
            Event::TypedEof => Some(note(x_of(e.actor), y, "⌨ ^D", "typed")),
            Event::Interrupted => Some(note(x_of(e.actor), y, "⌨ ^C", "typed")),
            Event::Printed { raw, .. } => Some(note(
                x_of(e.actor),
                y,
                &format!("🖵 {}", crate::expect::normalize(raw)),
                "printed",
            )),
            Event::Sent(b) => Some(arrow(
                x_of(Actor::Peer),
                x_of(side),
                y,
                &render_bytes(b),
                "wire",
            )),
            Event::Received(b) => Some(arrow(
                x_of(side),
                x_of(Actor::Peer),
                y,
                &render_bytes(b),
                "wire",
            )),
            Event::Relayed(b) => {
                let to = e.actor.other_program().unwrap_or(Actor::Peer);
                Some(arrow(x_of(e.actor), x_of(to), y, &render_bytes(b), "wire"))
            }
            Event::Connected { port } => Some(note(x_of(e.actor), y, &format!("⇄ {port}"), "note")),
            Event::PeerSawClose | Event::RelayClosed => Some(note(
                x_of(if e.actor == Actor::Peer {
                    side
                } else {
                    e.actor
                }),
                y,
                tr(lang, "✕ closes", "✕ ferme"),
                "note",
            )),
            Event::PeerClosed => Some(note(x_of(Actor::Peer), y, "✕", "note")),
            Event::Exited { code, signal, .. } => Some(note(
                x_of(e.actor),
                y,
                &match (code, signal) {
                    (Some(c), _) => format!("■ status {c}"),
                    (_, Some(s)) => format!("■ signal {s}"),
                    _ => "■".into(),
                },
                "note",
            )),
            Event::Quiescent => Some(format!(
                r#"<line x1="20" y1="{y}" x2="{}" y2="{y}" class="quiet"/><text x="24" y="{}" class="label">{}</text>"#,
                W - 20,
                y - 4,
                tr(lang, "quiescent", "calme")
            )),
            Event::Snapshot(views) => {
                let mut parts = Vec::new();
                // The snapshot the verdict read, when it shows a cycle.
                let evidence = &o.verdict.evidence;
                let read = evidence.snapshot.as_ref().is_some_and(|s| s.t == e.t);
                if read && evidence.cycle.is_some() {
                    let (s, c) = (x_of(Actor::Server), x_of(Actor::Client));
                    let label = tr(lang, "waits in recv() for", "attend dans recv()");
                    parts.push(arrow(s, c, y, label, "cycle"));
                    y += ROW;
                    parts.push(arrow(c, s, y, label, "cycle"));
                } else {
                    for a in [Actor::Server, Actor::Client] {
                        let text: Vec<String> = views
                            .iter()
                            .filter(|v| v.actor == a)
                            .map(|v| lang.msg(&crate::stall::process(v)))
                            .collect();
                        if !text.is_empty() {
                            parts.push(note(x_of(a), y, &text.join("; "), "state"));
                        }
                    }
                }
                Some(parts.join(""))
            }
            Event::Cpu { .. } | Event::Deadline if failed => {
                Some(note(x_of(Actor::Harness), y, &e.event.text(), "state"))
            }
            _ => None,
        };
        if let Some(r) = r {
            rows_svg.push(format!(
                r#"<text x="4" y="{y}" class="t">{:.1}</text>{r}"#,
                e.t.as_secs_f64() * 1e3
            ));
            y += ROW;
        }
    }
    let h = y + 10;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}"><defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="context-stroke"/></marker></defs>"##
    );
    for (a, name) in [
        (Actor::Server, "server"),
        (Actor::Peer, tr(lang, "harness (peer)", "harnais (pair)")),
        (Actor::Client, "client"),
    ] {
        let x = x_of(a);
        svg.push_str(&format!(
            r#"<text x="{x}" y="20" class="head" text-anchor="middle">{name}</text><line x1="{x}" y1="28" x2="{x}" y2="{}" class="life"/>"#,
            h - 4
        ));
    }
    svg.push_str(&rows_svg.concat());
    svg.push_str("</svg>");
    svg
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
            super::lang_code(l)
        )?;
        writeln!(
            out,
            "<h1>{} {}/{}</h1>",
            tr(l, "Score", "Note"),
            points_text(r.score()),
            points_text(r.max_score())
        )?;
        for (label, p) in [("server", &r.server), ("client", &r.client)] {
            if let Some(p) = p {
                writeln!(out, "<p>{label}: <code>{}</code></p>", esc(p))?;
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
                esc(&super::problem_headline(p, l)),
                points_text(r.problem_points(p)),
                esc(&super::problem_feedback(r, p))
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
                let status = match o.verdict.status {
                    Status::Pass => "pass",
                    Status::Fail => "fail",
                    Status::Skip => "skip",
                    Status::Error => "error",
                };
                let mark = if o.verdict.status == Status::Pass {
                    "✓"
                } else {
                    "✗"
                };
                let open = if o.verdict.status == Status::Pass {
                    ""
                } else {
                    " open"
                };
                writeln!(
                    out,
                    "<details{open}><summary class=\"{status}\">{mark} {} — {}/{} ({} ms)</summary>",
                    esc(&display_name(o, l)),
                    points_text(o.verdict.score),
                    points_text(o.scenario.points),
                    o.duration.as_millis()
                )?;
                let fb = super::feedback(o, l);
                if !fb.is_empty() {
                    writeln!(out, "<pre>{}</pre>", esc(&fb))?;
                }
                writeln!(out, "{}</details>", diagram(o, &shown, l))?;
            }
        }
        writeln!(out, "</body></html>")
    }
}

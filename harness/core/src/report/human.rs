//! Human report: by question, ✓/✗ with points and time; each failure with
//! what was expected, the diagnosis, the fix and the transcript around it.

use super::{Outcome, Report, Reporter};
use crate::scenario::{Lang, Question};
use crate::transcript::{Actor, Event};
use crate::verdict::Status;
use std::io::{self, Write};

pub struct Human;

struct Paint(bool);

impl Paint {
    fn c(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// A diagnosis: `[code]` and its message after `head`, the message's
/// other lines indented by `rest`, the hint on a `fix:` line after `fix`.
fn diagnosis(
    out: &mut dyn Write,
    p: &Paint,
    l: &Lang,
    d: &crate::verdict::Diagnosis,
    head: &str,
    rest: &str,
    fix: &str,
) -> io::Result<()> {
    let message = l.msg(&d.message);
    let mut lines = message.lines();
    let code = p.c("31", &format!("[{}]", d.code));
    writeln!(out, "{head}{code} {}", lines.next().unwrap_or(""))?;
    for line in lines {
        writeln!(out, "{rest}{line}")?;
    }
    if let Some(hint) = &d.hint {
        let label = p.c("36", tr(l, "fix:", "correction :"));
        writeln!(out, "{fix}{label} {}", l.msg(hint))?;
    }
    Ok(())
}

fn tr(lang: &Lang, en: &'static str, fr: &'static str) -> &'static str {
    lang.pick(en, fr)
}

impl Reporter for Human {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let p = Paint(r.color);
        let l = &r.lang;
        if let Some(s) = &r.server {
            writeln!(out, "{} {}", tr(l, "server:", "serveur :"), s)?;
        }
        if let Some(c) = &r.client {
            writeln!(out, "{} {}", tr(l, "client:", "client :"), c)?;
        }
        if let Some(n) = &r.isolation_note {
            writeln!(out, "{} {n}", p.c("33", "note:"))?;
        }
        for problem in &r.problems {
            writeln!(out)?;
            let head = format!("{} ", p.c("31", "✗"));
            diagnosis(out, &p, l, &problem.diagnosis(), &head, "    ", "  ")?;
        }
        for q in Question::ALL {
            let of_q: Vec<&Outcome> = r
                .outcomes
                .iter()
                .filter(|o| o.scenario.question == q)
                .collect();
            if of_q.is_empty() {
                continue;
            }
            let score: f64 = of_q.iter().map(|o| o.verdict.score).sum();
            let max: f64 = of_q.iter().map(|o| o.scenario.points).sum();
            writeln!(out)?;
            writeln!(
                out,
                "{}  {}/{}",
                p.c("1", q.name()),
                fmt_points(score),
                fmt_points(max)
            )?;
            let width = of_q.iter().map(|o| o.scenario.id.len()).max().unwrap_or(0);
            // The scenarios a submission problem kept from running: one line.
            for problem in &r.problems {
                let n = of_q
                    .iter()
                    .filter(|o| problem.scenarios.contains(&o.scenario.id))
                    .count();
                if n > 0 {
                    writeln!(
                        out,
                        "  {} {n} {} ({}: [{}])",
                        p.c("31", "✗"),
                        tr(l, "scenarios not run", "scénarios non lancés"),
                        match problem.side {
                            crate::scenario::Side::Server => tr(l, "server", "serveur"),
                            crate::scenario::Side::Client => "client",
                        },
                        problem.code()
                    )?;
                }
            }
            for o in of_q.into_iter().filter(|o| r.problem_of(o).is_none()) {
                let mark = match o.verdict.status {
                    Status::Pass => p.c("32", "✓"),
                    Status::Fail => p.c("31", "✗"),
                    Status::Error => p.c("35", "!"),
                    Status::Skip => p.c("2", "-"),
                };
                writeln!(
                    out,
                    "  {mark} {:width$}  {:>5}  {:>6}  {}",
                    o.scenario.id,
                    format!(
                        "{}/{}",
                        fmt_points(o.verdict.score),
                        fmt_points(o.scenario.points)
                    ),
                    format!("{} ms", o.duration.as_millis()),
                    o.scenario.title.get(l),
                )?;
                if o.verdict.status != Status::Pass {
                    failure(out, o, l, &p)?;
                } else if r.verbose {
                    transcript(out, o, l, None)?;
                }
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "{} {}/{}  ({}) {} {:.1} s",
            p.c("1", tr(l, "Score:", "Note :")),
            fmt_points(r.score()),
            fmt_points(r.max_score()),
            r.counts(),
            tr(l, "in", "en"),
            r.wall.as_secs_f64()
        )
    }
}

fn fmt_points(x: f64) -> String {
    let r = super::round2(x);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

fn failure(out: &mut dyn Write, o: &Outcome, l: &Lang, p: &Paint) -> io::Result<()> {
    if let Some(e) = &o.verdict.expected {
        writeln!(
            out,
            "      {} {}",
            tr(l, "expected:", "attendu :"),
            l.msg(e)
        )?;
    }
    if let Some(d) = &o.verdict.diagnosis {
        diagnosis(out, p, l, d, "      ", "        ", "      ")?;
    }
    transcript(out, o, l, o.verdict.failed_step)
}

/// The transcript; around the failed step when there is one.
fn transcript(out: &mut dyn Write, o: &Outcome, l: &Lang, around: Option<usize>) -> io::Result<()> {
    writeln!(out, "      {}", tr(l, "transcript:", "transcription :"))?;
    let entries = &o.transcript.entries;
    let shown: Vec<_> = entries
        .iter()
        .filter(|e| !matches!(e.event, Event::Step(_) | Event::Teardown))
        .filter(|e| {
            e.actor != Actor::Harness || !matches!(e.event, Event::Cpu { .. }) || around.is_some()
        })
        .collect();
    const MAX: usize = 24;
    let skip = shown.len().saturating_sub(MAX);
    if skip > 0 {
        writeln!(
            out,
            "        … {skip} {}",
            tr(l, "earlier events", "événements plus tôt")
        )?;
    }
    for e in &shown[skip..] {
        let text = match e.event.text_cut(100) {
            (head, Some(n)) => format!("{head}… ({n} chars)"),
            (text, None) => text,
        };
        writeln!(
            out,
            "        {:>8.1} ms  {:<7} {:<16} {}",
            e.t.as_secs_f64() * 1e3,
            e.actor.name(),
            e.event.kind(),
            text
        )?;
    }
    Ok(())
}

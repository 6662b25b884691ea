//! Human report: by question, ✓/✗ with points and time; each failure with
//! what was expected, the diagnosis, the fix and the end of the transcript.

use super::text::{self, TextTranscript, EXCERPT};
use super::{Outcome, Report, Reporter};
use crate::msg::{Arg, Msg};
use crate::points::{points_arg, points_text};
use crate::scenario::{Lang, Question};
use crate::verdict::{Diagnosis, Status};
use std::io::{self, Write};

pub struct Human;

/// Colour, when the report has it.
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

/// Where a diagnosis is written: before its first line, before its other
/// lines, before its fix.
struct Indent {
    head: String,
    rest: &'static str,
    fix: &'static str,
}

/// One report being written.
struct Writer<'a> {
    r: &'a Report,
    l: &'a Lang,
    p: Paint,
}

impl Reporter for Human {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let w = Writer {
            r,
            l: &r.lang,
            p: Paint(r.color),
        };
        w.header(out)?;
        for problem in &r.problems {
            writeln!(out)?;
            let indent = Indent {
                head: format!("{} ", w.p.c("31", "✗")),
                rest: "    ",
                fix: "  ",
            };
            w.diagnosis(out, &problem.diagnosis(), &indent)?;
        }
        for q in r.questions() {
            w.question(out, q)?;
        }
        writeln!(out)?;
        let total = Msg::new("human-total")
            .arg("score", points_arg(r.score()))
            .arg("max", points_arg(r.max_score()))
            .arg("counts", r.counts())
            .arg(
                "wall",
                Msg::new("duration-seconds").arg("secs", Arg::secs(r.wall)),
            );
        let label = w.p.c("1", &w.l.get("report-score"));
        writeln!(out, "{label} {}", w.l.msg(&total))
    }
}

impl Writer<'_> {
    /// The programs, and the note on isolation.
    fn header(&self, out: &mut dyn Write) -> io::Result<()> {
        let l = self.l;
        if let Some(s) = &self.r.server {
            writeln!(out, "{}", text::labelled(l, "report-server", s))?;
        }
        if let Some(c) = &self.r.client {
            writeln!(out, "{}", text::labelled(l, "report-client", c))?;
        }
        if let Some(n) = &self.r.isolation_note {
            writeln!(out, "{} {n}", self.p.c("33", &l.get("report-note")))?;
        }
        Ok(())
    }

    /// A diagnosis: `[code]` and its message after `head`, the message's
    /// other lines indented by `rest`, the hint on a `fix:` line after `fix`.
    fn diagnosis(&self, out: &mut dyn Write, d: &Diagnosis, at: &Indent) -> io::Result<()> {
        let message = text::message(d, self.l);
        let mut lines = message.lines();
        let code = self.p.c("31", &format!("[{}]", text::code(d)));
        writeln!(out, "{}{code} {}", at.head, lines.next().unwrap_or(""))?;
        for line in lines {
            writeln!(out, "{}{line}", at.rest)?;
        }
        let hint = text::hint(d, self.l);
        if !hint.is_empty() {
            let label = self.p.c("36", &self.l.get("report-fix"));
            writeln!(out, "{}{label} {hint}", at.fix)?;
        }
        Ok(())
    }

    /// A question: its score, the submission problems that kept its
    /// scenarios from running, and the scenarios that ran.
    fn question(&self, out: &mut dyn Write, q: Question) -> io::Result<()> {
        let (r, l) = (self.r, self.l);
        let (score, max) = r.question_score(q);
        writeln!(out)?;
        writeln!(
            out,
            "{}  {}/{}",
            self.p.c("1", q.name()),
            points_text(score, l),
            points_text(max, l)
        )?;
        let of_q: Vec<&Outcome> = r.of_question(q).collect();
        // The scenarios a submission problem kept from running: one line.
        for problem in &r.problems {
            let n = of_q
                .iter()
                .filter(|o| problem.scenarios.contains(&o.scenario.id))
                .count();
            if n > 0 {
                let not_run = Msg::new("human-not-run")
                    .arg("n", n)
                    .arg("side", text::side_name(problem))
                    .arg("code", problem.code().as_str());
                writeln!(out, "  {} {}", self.p.c("31", "✗"), l.msg(&not_run))?;
            }
        }
        let width = of_q.iter().map(|o| o.scenario.id.len()).max().unwrap_or(0);
        for o in of_q.into_iter().filter(|o| r.problem_of(o).is_none()) {
            self.scenario(out, o, width)?;
        }
        Ok(())
    }

    /// One scenario's line; under a failure (or with `-v`), what it says.
    fn scenario(&self, out: &mut dyn Write, o: &Outcome, width: usize) -> io::Result<()> {
        let (p, l) = (&self.p, self.l);
        let mark = match o.verdict.status {
            Status::Pass => p.c("32", "✓"),
            Status::Fail => p.c("31", "✗"),
            Status::Error => p.c("35", "!"),
            Status::Skip => p.c("2", "-"),
        };
        let points = format!(
            "{}/{}",
            points_text(o.verdict.score, l),
            points_text(o.scenario.points, l)
        );
        let ms = Msg::new("duration-ms").arg("ms", o.duration.as_millis() as f64);
        writeln!(
            out,
            "  {mark} {:width$}  {points:>5}  {:>6}  {}",
            o.scenario.id,
            l.msg(&ms),
            o.scenario.title.get(l),
        )?;
        for note in text::notes(o, l) {
            writeln!(out, "      {}", text::labelled(l, "report-note", &note))?;
        }
        if o.verdict.status != Status::Pass {
            self.failure(out, o)?;
        } else if self.r.verbose {
            self.transcript(out, o)?;
        }
        Ok(())
    }

    fn failure(&self, out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
        if let Some(e) = text::expected(o, self.l) {
            writeln!(
                out,
                "      {}",
                text::labelled(self.l, "report-expected", &e)
            )?;
        }
        if let Some(d) = &o.verdict.diagnosis {
            let indent = Indent {
                head: "      ".into(),
                rest: "        ",
                fix: "      ",
            };
            self.diagnosis(out, d, &indent)?;
        }
        self.transcript(out, o)
    }

    /// The end of the transcript.
    fn transcript(&self, out: &mut dyn Write, o: &Outcome) -> io::Result<()> {
        writeln!(out, "      {}", self.l.get("report-transcript"))?;
        let t = TextTranscript::of(o, self.l, Some(EXCERPT));
        if let Some(earlier) = &t.earlier {
            writeln!(out, "        {earlier}")?;
        }
        for row in &t.rows {
            writeln!(out, "       {row}")?;
        }
        Ok(())
    }
}

//! `grade batch --format html`: the class report an instructor shows at
//! the next lecture — how the totals are spread, how often each scenario
//! passed, the most common diagnoses with the students who got each, and a
//! link to each student's own report. One self-contained page, no script;
//! every identity escaped; `--anonymous` leaves names out (a projector).
//! Built from the rows and from each student's JSON report as they come
//! (`Stats::add`), so that it needs no report kept in memory.

use super::gradebook::{Row, Summary};
use crate::msg::Msg;
use crate::report::html::esc;
use crate::scenario::Lang;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// How often one scenario passed.
#[derive(Debug, Default, Clone, PartialEq)]
struct Rate {
    passed: usize,
    ran: usize,
}

/// What the class report counts, student after student.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stats {
    scenarios: BTreeMap<String, Rate>,
    /// Each diagnosis code, with the students who got it (once each).
    codes: BTreeMap<String, Vec<String>>,
}

impl Stats {
    /// Counts the scenarios and diagnoses of `student`'s JSON report (the
    /// single-run schema).
    pub fn add(&mut self, student: &str, report: &serde_json::Value) {
        let mut codes = Vec::new();
        for p in report["submission_problems"]
            .as_array()
            .into_iter()
            .flatten()
        {
            codes.extend(p["code"].as_str().map(String::from));
        }
        for s in report["scenarios"].as_array().into_iter().flatten() {
            let Some(id) = s["id"].as_str() else { continue };
            let rate = self.scenarios.entry(id.to_string()).or_default();
            rate.ran += 1;
            if s["status"] == "pass" {
                rate.passed += 1;
            } else if let Some(c) = s["diagnosis"]["code"].as_str() {
                codes.push(c.to_string());
            }
        }
        codes.sort();
        codes.dedup();
        for c in codes {
            self.codes.entry(c).or_default().push(student.to_string());
        }
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1em auto;padding:0 1em;\
max-width:60em;overflow-wrap:anywhere}h1{font-size:1.5em}table{border-collapse:collapse;width:100%;\
table-layout:fixed}td,th{padding:.2em .4em;text-align:left;vertical-align:top;border-bottom:1px solid #ddd}\
.bar{background:#0969da;height:.9em;min-width:1px}.num{width:7em}";

/// Writes the class report of `rows` (sorted) with `stats`.
pub fn write(
    rows: &[Row],
    stats: &Stats,
    summary: &Summary,
    lang: &Lang,
    anonymous: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let m = |id: &'static str| esc(&lang.msg(&Msg::new(id)));
    let title = m("class-title");
    writeln!(
        out,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}</style></head><body>",
        esc(lang.code())
    )?;
    writeln!(out, "<h1>{title}</h1>\n<p>{}</p>", esc(&summary.line(lang)))?;
    distribution(rows, summary, lang, out)?;
    scenarios(stats, lang, out)?;
    diagnoses(stats, summary, lang, anonymous, out)?;
    if !anonymous {
        students(rows, lang, out)?;
    }
    writeln!(out, "</body></html>")
}

/// A bar `share` (0 to 1) of its cell wide.
fn bar(share: f64) -> String {
    format!(
        "<div class=\"bar\" style=\"width:{:.1}%\"></div>",
        (share * 100.0).clamp(0.0, 100.0)
    )
}

/// How the totals are spread: ten bands of the maximum.
fn distribution(
    rows: &[Row],
    summary: &Summary,
    lang: &Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let m = |id: &'static str| esc(&lang.msg(&Msg::new(id)));
    writeln!(out, "<h2>{}</h2><table>", m("class-distribution"))?;
    let mut bands = [0usize; 10];
    for t in rows.iter().filter_map(|r| r.total) {
        let share = if summary.max > 0.0 {
            t / summary.max
        } else {
            0.0
        };
        bands[((share * 10.0) as usize).min(9)] += 1;
    }
    let most = bands.iter().copied().max().unwrap_or(0).max(1);
    for (k, n) in bands.iter().enumerate() {
        let band = lang.msg(
            &Msg::new("class-band")
                .arg("from", k * 10)
                .arg("to", (k + 1) * 10),
        );
        writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{n}</td><td>{}</td></tr>",
            esc(&band),
            bar(*n as f64 / most as f64)
        )?;
    }
    writeln!(out, "</table>")
}

/// How often each scenario passed, in id order.
fn scenarios(stats: &Stats, lang: &Lang, out: &mut dyn Write) -> io::Result<()> {
    let m = |id: &'static str| esc(&lang.msg(&Msg::new(id)));
    writeln!(out, "<h2>{}</h2><table>", m("class-scenarios"))?;
    for (id, r) in &stats.scenarios {
        let share = r.passed as f64 / r.ran.max(1) as f64;
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}/{}</td><td>{}</td></tr>",
            esc(id),
            r.passed,
            r.ran,
            bar(share)
        )?;
    }
    writeln!(out, "</table>")
}

/// The diagnoses, most common first, with the share of the class and the
/// students who got each (unless anonymous).
fn diagnoses(
    stats: &Stats,
    summary: &Summary,
    lang: &Lang,
    anonymous: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let m = |id: &'static str| esc(&lang.msg(&Msg::new(id)));
    writeln!(out, "<h2>{}</h2><table>", m("class-diagnoses"))?;
    let mut codes: Vec<(&String, &Vec<String>)> = stats.codes.iter().collect();
    codes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (code, who) in codes {
        let share = who.len() as f64 / summary.students.max(1) as f64;
        let pct = lang.msg(
            &Msg::new("class-share")
                .arg("n", who.len())
                .arg("percent", (share * 100.0).round() as i64),
        );
        let names = if anonymous {
            String::new()
        } else {
            esc(&who.join(", "))
        };
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{names}</td></tr>",
            esc(code),
            esc(&pct)
        )?;
    }
    writeln!(out, "</table>")
}

/// Every student: total, status, and a link to their own report.
fn students(rows: &[Row], lang: &Lang, out: &mut dyn Write) -> io::Result<()> {
    let m = |id: &'static str| esc(&lang.msg(&Msg::new(id)));
    writeln!(out, "<h2>{}</h2><table>", m("class-students"))?;
    for r in rows {
        let total = r.total.map_or(String::new(), |t| format!("{t}/{}", r.max));
        let name = esc(&r.student.name);
        let who = match &r.html {
            Some(href) => format!("<a href=\"{}\">{name}</a>", esc(href)),
            None => name,
        };
        writeln!(
            out,
            "<tr><td>{who}</td><td class=\"num\">{total}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            r.status.name(),
            esc(&r.note)
        )?;
    }
    writeln!(out, "</table>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::gradebook::RowStatus;
    use crate::batch::students::Identity;

    #[test]
    fn identities_are_escaped_and_anonymous_leaves_them_out() {
        let who = Identity {
            id: "1".into(),
            name: "<script>alert(1)</script>".into(),
            ..Identity::default()
        };
        let cols = [(crate::scenario::Question::Q1, 9.0)];
        let mut row = Row::not_graded(who, &cols, RowStatus::Refused, "x".into());
        row.total = Some(4.5);
        let mut stats = Stats::default();
        let report = serde_json::json!({"scenarios": [
            {"id": "q1.server.split-line", "status": "fail", "diagnosis": {"code": "split-line"}},
            {"id": "q1.server.listens", "status": "pass", "diagnosis": null}]});
        stats.add(&row.student.name, &report);
        let summary = Summary::of(std::slice::from_ref(&row), &cols, "f");
        let lang = Lang::builtin("en");
        let page = |anonymous| {
            let mut out = Vec::new();
            write(
                std::slice::from_ref(&row),
                &stats,
                &summary,
                &lang,
                anonymous,
                &mut out,
            )
            .unwrap();
            String::from_utf8(out).unwrap()
        };
        let named = page(false);
        assert!(!named.contains("<script>"), "{named}");
        assert!(named.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(named.contains("split-line"));
        assert!(named.contains("1 student (100%)"), "{named}");
        let anonymous = page(true);
        assert!(!anonymous.contains("alert"), "{anonymous}");
        assert!(anonymous.contains("q1.server.listens"));
    }
}

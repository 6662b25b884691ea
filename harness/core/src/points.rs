//! `--points FILE`: points per scenario id or glob, overriding the scenario
//! files before anything runs, so that verdicts and every report carry the
//! same numbers.
//!
//! ```toml
//! "q1.server.split-line" = 2     # an id (quoted: ids contain dots)
//! "q1.*" = 0.5                   # a glob over ids (`*`, `?`)
//! "q4.*.uses-fork" = 0           # graded, worth nothing
//! ```
//! An exact id wins over globs; among globs, the most specific (most
//! characters that are not wildcards) wins, and two equally specific globs
//! that give one scenario different points are an error. Every entry must
//! match some scenario of the catalogue (typos do not pass silently). Points
//! have at most two decimals: every format shows them to two decimals, and
//! sums of such numbers agree everywhere.

use crate::msg::{Arg, Lang};
use crate::scenario::load::position;
use crate::scenario::Scenario;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// A points file fails like a scenario file: unreadable, or
/// `file:line:column: what is wrong`.
pub type PointsError = crate::scenario::LoadError;

#[derive(Debug, Clone)]
struct Entry {
    pattern: String,
    points: f64,
    /// Where the value is written (1-based line and column).
    at: (usize, usize),
}

/// A validated `--points` file.
#[derive(Debug, Clone)]
pub struct Points {
    file: String,
    entries: Vec<Entry>,
}

pub fn load(path: &Path) -> Result<Points, PointsError> {
    let text = std::fs::read_to_string(path).map_err(|e| PointsError::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    parse(&path.display().to_string(), &text)
}

pub fn parse(file: &str, text: &str) -> Result<Points, PointsError> {
    let err = |offset: usize, message: String| {
        let (line, column) = position(text, offset);
        PointsError::Invalid {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let syntax = |e: toml::de::Error| err(e.span().map_or(0, |s| s.start), e.message().to_string());
    // Unquoted ids are dotted keys, that is tables: say so before spans are
    // read (a span cannot wrap a table made of dotted keys).
    let plain: toml::Table = toml::from_str(text).map_err(syntax)?;
    if let Some((key, _)) = plain.iter().find(|(_, v)| v.is_table()) {
        let dotted = format!("{key}.");
        let at = text
            .split_inclusive('\n')
            .scan(0, |offset, line| {
                let start = *offset;
                *offset += line.len();
                Some((start, line))
            })
            .find(|(_, line)| line.trim_start().starts_with(&dotted))
            .map_or(0, |(start, line)| {
                start + line.len() - line.trim_start().len()
            });
        return Err(err(
            at,
            format!("`{key}` is a table: quote scenario ids, as in \"q1.server.listens\" = 2"),
        ));
    }
    let raw: BTreeMap<String, Spanned<toml::Value>> = toml::from_str(text).map_err(syntax)?;
    let mut entries = Vec::new();
    for (pattern, value) in raw {
        let offset = value.span().start;
        let points = match value.get_ref() {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => {
                return Err(err(
                    offset,
                    format!(
                        "points of `{pattern}` must be a number, not a {}",
                        other.type_str()
                    ),
                ))
            }
        };
        if !(points.is_finite() && points >= 0.0) {
            return Err(err(
                offset,
                format!("points of `{pattern}` must be 0 or more"),
            ));
        }
        if ((points * 100.0).round() - points * 100.0).abs() > 1e-6 {
            return Err(err(
                offset,
                format!("points of `{pattern}` have more than two decimals"),
            ));
        }
        entries.push(Entry {
            pattern,
            points: round2(points),
            at: position(text, offset),
        });
    }
    entries.sort_by_key(|e| e.at);
    Ok(Points {
        file: file.to_string(),
        entries,
    })
}

/// Scores are shown to two decimals everywhere; round once, here.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The fraction digits points are written with, two at most: `1`, `0.5`,
/// `2.25`.
pub fn decimals(x: f64) -> usize {
    let r = round2(x);
    (0..2)
        .find(|&d| {
            let scaled = r * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-9
        })
        .unwrap_or(2)
}

/// Points as people write them (`1`, `0.5`, `2.25`), in `lang` (`0,5` in
/// French).
pub fn points_text(x: f64, lang: &Lang) -> String {
    lang.number(round2(x), decimals(x))
}

/// Points as a message argument, written as `points_text` writes them.
pub fn points_arg(x: f64) -> Arg {
    Arg::Num(round2(x), Some(decimals(x)))
}

impl Points {
    fn error(&self, e: &Entry, message: String) -> PointsError {
        PointsError::Invalid {
            file: self.file.clone(),
            line: e.at.0,
            column: e.at.1,
            message,
        }
    }

    /// The entry that decides the points of `id`, if any.
    fn decide(&self, id: &str) -> Result<Option<&Entry>, PointsError> {
        if let Some(e) = self.entries.iter().find(|e| e.pattern == id) {
            return Ok(Some(e));
        }
        let specificity = |e: &Entry| e.pattern.chars().filter(|c| !"*?".contains(*c)).count();
        let mut best: Option<&Entry> = None;
        for e in self.entries.iter().filter(|e| crate::glob(&e.pattern, id)) {
            match best {
                Some(b) if specificity(b) > specificity(e) => {}
                Some(b) if specificity(b) == specificity(e) && b.points != e.points => {
                    return Err(self.error(
                        e,
                        format!(
                            "`{id}` matches both `{}` and `{}`, with different points: give it its own line",
                            b.pattern, e.pattern
                        ),
                    ))
                }
                Some(b) if specificity(b) == specificity(e) => {}
                _ => best = Some(e),
            }
        }
        Ok(best)
    }

    /// Sets the points of every scenario of `catalogue` an entry matches.
    pub fn apply(&self, catalogue: &mut [Scenario]) -> Result<(), PointsError> {
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| !catalogue.iter().any(|s| crate::glob(&e.pattern, &s.id)))
        {
            return Err(self.error(e, format!("`{}` matches no scenario", e.pattern)));
        }
        for s in catalogue.iter_mut() {
            if let Some(e) = self.decide(&s.id)? {
                s.points = e.points;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_with_two_decimals_at_most() {
        let (en, fr) = (Lang::builtin("en"), Lang::builtin("fr"));
        for (x, text) in [
            (1.0, "1"),
            (0.5, "0.5"),
            (2.25, "2.25"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.33"),
            (0.0, "0"),
            (12.999, "13"),
        ] {
            assert_eq!(points_text(x, &en), text);
            assert_eq!(points_text(x, &en), format!("{}", round2(x)));
            assert_eq!(points_text(x, &fr), text.replace('.', ","));
        }
    }

    fn catalogue() -> Vec<Scenario> {
        crate::scenario::load_catalogue(None).unwrap()
    }

    fn points_of(all: &[Scenario], id: &str) -> f64 {
        all.iter().find(|s| s.id == id).unwrap().points
    }

    #[test]
    fn ids_beat_globs_and_specific_globs_beat_broad_ones() {
        let p = parse(
            "p.toml",
            "\"q1.*\" = 0.5\n\"q1.server.split-line\" = 2\n\"q1.server.*-line\" = 1.25\n",
        )
        .unwrap();
        let mut all = catalogue();
        let before = points_of(&all, "q2.client.eof");
        p.apply(&mut all).unwrap();
        assert_eq!(points_of(&all, "q1.server.split-line"), 2.0);
        assert_eq!(points_of(&all, "q1.server.long-line"), 1.25);
        assert_eq!(points_of(&all, "q1.server.listens"), 0.5);
        assert_eq!(points_of(&all, "q2.client.eof"), before);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = |text: &str| {
            let r = parse("p.toml", text).and_then(|p| p.apply(&mut catalogue()));
            r.unwrap_err().to_string()
        };
        assert_eq!(
            e("\"q1.*\" = 1\n\"q9.*\" = 2\n"),
            "p.toml:2:10: `q9.*` matches no scenario"
        );
        assert_eq!(
            e("\"q1.*\" = -1\n"),
            "p.toml:1:10: points of `q1.*` must be 0 or more"
        );
        assert_eq!(
            e("\"q1.*\" = 0.125\n"),
            "p.toml:1:10: points of `q1.*` have more than two decimals"
        );
        assert!(e("\"q1.*\" = \"two\"\n").contains("must be a number, not a string"));
        assert_eq!(
            e("\"q1.*\" = 1\n  q1.server.listens = 2\n"),
            "p.toml:2:3: `q1` is a table: quote scenario ids, as in \"q1.server.listens\" = 2"
        );
        assert!(e("\"q1.*\" = \n").starts_with("p.toml:1:"));
        assert_eq!(
            e("\"q2.*\" = 1\n\"*eof\" = 2\n"),
            "p.toml:2:10: `q2.client.eof` matches both `q2.*` and `*eof`, with different points: give it its own line"
        );
    }
}

//! Loads the embedded catalogue and `--scenarios DIR`, turning raw files into
//! validated scenarios; every error names file, line and column.

use super::model::*;
use super::raw::{RawScenario, RawStep, RawText};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("failed to read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Default deadline of a step (safety net only: waits end on events).
const DEFAULT_WITHIN: Duration = Duration::from_millis(2000);

/// The embedded catalogue, then every `*.toml` of `extra` (same id replaces).
pub fn load_catalogue(extra: Option<&Path>) -> Result<Vec<Scenario>, LoadError> {
    let mut all: Vec<Scenario> = Vec::new();
    for (name, text) in embedded::EMBEDDED {
        all.push(parse_scenario(&format!("embedded:{name}"), text)?);
    }
    if let Some(dir) = extra {
        let read = |e| LoadError::Read {
            path: dir.to_path_buf(),
            source: e,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| LoadError::Read {
                path: path.clone(),
                source: e,
            })?;
            let s = parse_scenario(&path.display().to_string(), &text)?;
            match all.iter_mut().find(|o| o.id == s.id) {
                Some(old) => *old = s,
                None => all.push(s),
            }
        }
    }
    all.sort_by_key(|s| (s.question, order_key(&s.id)));
    Ok(all)
}

/// What titles and `passes` texts say for the port in force.
pub const PORT_PLACEHOLDER: &str = "{{port}}";

/// Titles and `passes` texts with [`PORT_PLACEHOLDER`] the port in force.
pub fn set_port(all: &mut [Scenario], port: u16) {
    let port = port.to_string();
    for s in all {
        for text in [&mut s.title, &mut s.passes] {
            for t in text.0.values_mut() {
                *t = t.replace(PORT_PLACEHOLDER, &port);
            }
        }
    }
}

/// The order of DESIGN.md's table; scenarios it does not name come after, by id.
const ORDER: &[&str] = &[
    "q1.server.listens",
    "q1.server.prints-lines",
    "q1.server.utf8",
    "q1.server.coalesced-lines",
    "q1.server.split-line",
    "q1.server.long-line",
    "q1.server.client-leaves",
    "q1.server.quick-restart",
    "q2.client.connects",
    "q2.client.sends-lines",
    "q2.client.utf8",
    "q2.client.eof",
    "q2.client.no-server",
    "q2.client.server-leaves",
    "q3.server.alternation",
    "q3.server.waits-first",
    "q3.server.in-turn",
    "q3.client.alternation",
    "q3.client.sends-first",
    "q3.client.in-turn",
    "q3.pair.chat",
    "q3.demo.deadlock",
    "q4.server.burst-in",
    "q4.server.burst-out",
    "q4.server.simultaneous",
    "q4.server.uses-fork",
    "q4.server.peer-leaves",
    "q4.server.keyboard-eof",
    "q4.client.burst-in",
    "q4.client.burst-out",
    "q4.client.simultaneous",
    "q4.client.uses-fork",
    "q4.client.peer-leaves",
    "q4.client.keyboard-eof",
    "q4.pair.full-duplex",
];

fn order_key(id: &str) -> (usize, String) {
    (
        ORDER.iter().position(|o| *o == id).unwrap_or(usize::MAX),
        id.to_string(),
    )
}

/// A text of a scenario file: English is required (every other language
/// falls back to it), other keys must be language tags.
fn lang_text(raw: RawText) -> Result<Text, (std::ops::Range<usize>, String)> {
    let span = raw.span();
    let map = raw.into_inner();
    if !map.contains_key("en") {
        return Err((
            span,
            "a text needs its English version (`en = \"…\"`)".into(),
        ));
    }
    if let Some(bad) = map
        .keys()
        .find(|k| k.parse::<unic_langid::LanguageIdentifier>().is_err())
    {
        return Err((span, format!("`{bad}` is not a language tag")));
    }
    Ok(Text(map))
}

/// Parses and validates one scenario file.
pub fn parse_scenario(file: &str, text: &str) -> Result<Scenario, LoadError> {
    let err = |span: Option<std::ops::Range<usize>>, message: String| {
        let (line, column) = position(text, span.map(|s| s.start).unwrap_or(0));
        LoadError::Invalid {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| err(e.span(), e.message().to_string()))?;
    let id = raw.id.get_ref().clone();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(err(Some(raw.id.span()), format!("invalid id `{id}`")));
    }
    let question = Question::parse(raw.question.get_ref()).ok_or_else(|| {
        err(
            Some(raw.question.span()),
            "question must be q1, q2, q3 or q4".into(),
        )
    })?;
    let role = match raw.role.get_ref().as_str() {
        "server" => Role::Server,
        "client" => Role::Client,
        "pair" => Role::Pair,
        _ => {
            return Err(err(
                Some(raw.role.span()),
                "role must be server, client or pair".into(),
            ))
        }
    };
    let points = *raw.points.get_ref();
    if !(points.is_finite() && points >= 0.0) {
        return Err(err(
            Some(raw.points.span()),
            "points must be a number ≥ 0".into(),
        ));
    }
    if raw.step.is_empty() {
        return Err(err(None, "a scenario needs at least one [[step]]".into()));
    }
    let mut steps = Vec::new();
    for s in raw.step {
        let span = s.span();
        let line = position(text, span.start).0;
        steps.push(step(s).map_err(|m| err(Some(span), m))?.with_line(line));
    }
    Ok(Scenario {
        id,
        question,
        role,
        points,
        title: lang_text(raw.title).map_err(|(span, m)| err(Some(span), m))?,
        passes: lang_text(raw.passes).map_err(|(span, m)| err(Some(span), m))?,
        steps,
        programs: raw
            .programs
            .map(|p| Programs {
                server: p.server,
                client: p.client,
            })
            .unwrap_or_default(),
        source: file.to_string(),
    })
}

impl Step {
    fn with_line(mut self, line: usize) -> Step {
        self.line = line;
        self
    }
}

fn side(s: &str) -> Result<Side, String> {
    match s {
        "server" => Ok(Side::Server),
        "client" => Ok(Side::Client),
        _ => Err(format!("expected \"server\" or \"client\", found \"{s}\"")),
    }
}

fn texts(v: Vec<String>) -> Result<Vec<String>, String> {
    v.iter().map(|t| expand(t)).collect()
}

fn step(s: Spanned<RawStep>) -> Result<Step, String> {
    let r = s.into_inner();
    let within = r
        .within_ms
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_WITHIN);
    let step_side = r.side.as_deref().map(side).transpose()?;
    let mut actions = control_actions(&r)?;
    actions.extend(data_actions(&r)?);
    actions.extend(exit_actions(&r)?);
    match actions.len() {
        1 => Ok(Step {
            action: actions.pop().unwrap(),
            side: step_side,
            within,
            line: 0,
        }),
        0 => Err("a step needs one action (start, connect, send, type, expect_printed, …)".into()),
        _ => Err("a step has more than one action: split it into several [[step]]".into()),
    }
}

/// The actions of a step that carry no data: start, listen, eof…
fn control_actions(r: &RawStep) -> Result<Vec<Action>, String> {
    let mut actions: Vec<Action> = Vec::new();
    if let Some(p) = &r.start {
        actions.push(Action::Start(side(p)?));
    }
    if let Some(p) = &r.restart {
        actions.push(Action::Restart(side(p)?));
    }
    let flags = [
        (r.listen, Action::Listen),
        (r.connect, Action::Connect),
        (r.accept, Action::Accept),
        (r.settle, Action::Settle),
        (r.eof, Action::Eof),
        (r.interrupt, Action::Interrupt),
        (r.close, Action::Close),
        (r.relay, Action::Relay),
        (r.expect_silent, Action::ExpectSilent),
        (r.expect_deadlock, Action::ExpectDeadlock),
        (r.expect_fork, Action::ExpectFork),
        (r.expect_closed, Action::ExpectClosed),
    ];
    actions.extend(
        flags
            .into_iter()
            .filter(|(b, _)| *b == Some(true))
            .map(|(_, a)| a),
    );
    Ok(actions)
}

/// The actions of a step that carry lines or segments: send, type, and
/// the expectations of what is printed or received.
fn data_actions(r: &RawStep) -> Result<Vec<Action>, String> {
    let mut actions = Vec::new();
    if let Some(segs) = &r.send {
        if segs.is_empty() {
            return Err("send needs at least one segment".into());
        }
        let pace = match r.pace.as_deref() {
            None | Some("consumed") => Pace::Consumed,
            Some("printed") => Pace::Printed,
            Some(p) => {
                return Err(format!(
                    "pace must be \"consumed\" or \"printed\", found \"{p}\""
                ))
            }
        };
        actions.push(Action::Send(
            texts(segs.clone())?
                .into_iter()
                .map(String::into_bytes)
                .collect(),
            pace,
        ));
    } else if r.pace.is_some() {
        return Err("pace goes with send".into());
    }
    if let Some(lines) = &r.type_ {
        if lines.iter().any(|l| l.contains('\n')) {
            return Err("a typed line cannot contain a newline: give one string per line".into());
        }
        actions.push(Action::Type(texts(lines.clone())?));
    }
    if let Some(lines) = &r.expect_printed {
        actions.push(Action::ExpectPrinted(texts(lines.clone())?));
    }
    if let Some(lines) = &r.expect_received {
        actions.push(Action::ExpectReceived(texts(lines.clone())?));
    }
    Ok(actions)
}

/// `expect_calm` and `expect_exit`, with their kinds.
fn exit_actions(r: &RawStep) -> Result<Vec<Action>, String> {
    let mut actions = Vec::new();
    if let Some(k) = &r.expect_calm {
        actions.push(Action::ExpectCalm(match k.as_str() {
            "clean" => ExitKind::Clean,
            "any" => ExitKind::Any,
            _ => {
                return Err(format!(
                    "expect_calm must be \"clean\" or \"any\", found \"{k}\""
                ))
            }
        }));
    }
    if let Some(k) = &r.expect_exit {
        actions.push(Action::ExpectExit(match k.as_str() {
            "clean" => ExitKind::Clean,
            "message" => ExitKind::Message,
            "all" => ExitKind::All,
            _ => {
                return Err(format!(
                    "expect_exit must be \"clean\", \"message\" or \"all\", found \"{k}\""
                ))
            }
        }));
    }
    Ok(actions)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
id = "x.server.y"
question = "q1"
role = "server"
points = 1
title = { en = "T", fr = "T" }
passes = { en = "P", fr = "P" }
[[step]]
start = "server"
[[step]]
send = ["Bonj", "our\n"]
"#;

    #[test]
    fn parses_a_valid_file() {
        let s = parse_scenario("f.toml", OK).unwrap();
        assert_eq!(s.steps.len(), 2);
        assert_eq!(
            s.steps[1].action,
            Action::Send(vec![b"Bonj".to_vec(), b"our\n".to_vec()], Pace::Consumed)
        );
        assert_eq!(s.steps[1].line, 10);
    }

    #[test]
    fn the_port_placeholder_says_the_port_in_force() {
        let text = OK.replace(
            "en = \"T\", fr = \"T\"",
            "en = \"On {{port}}\", fr = \"Sur {{port}}\"",
        );
        let mut all = vec![parse_scenario("f.toml", &text).unwrap()];
        set_port(&mut all, 9000);
        assert_eq!(all[0].title.en(), "On 9000");
        assert_eq!(all[0].title.in_lang("fr"), "Sur 9000");
        let catalogue = load_catalogue(None).unwrap();
        let listens = catalogue
            .iter()
            .find(|s| s.id == "q1.server.listens")
            .unwrap();
        assert!(listens.title.en().contains(PORT_PLACEHOLDER));
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let bad = OK.replace("send = ", "sned = ");
        let e = parse_scenario("f.toml", &bad).unwrap_err().to_string();
        assert!(e.starts_with("f.toml:11:1: unknown field `sned`"), "{e}");
    }

    #[test]
    fn two_actions_in_one_step_is_an_error() {
        let bad = OK.replace("start = \"server\"", "start = \"server\"\neof = true");
        let e = parse_scenario("f.toml", &bad).unwrap_err().to_string();
        assert!(
            e.contains("f.toml:8:1: a step has more than one action"),
            "{e}"
        );
    }

    #[test]
    fn bad_role_points_at_the_value() {
        let bad = OK.replace("role = \"server\"", "role = \"serveur\"");
        let e = parse_scenario("f.toml", &bad).unwrap_err().to_string();
        assert_eq!(e, "f.toml:4:8: role must be server, client or pair");
    }

    #[test]
    fn the_embedded_catalogue_is_valid() {
        let all = load_catalogue(None).unwrap();
        let mut ids: Vec<_> = all.iter().map(|s| s.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "duplicate ids");
        for s in &all {
            assert_eq!(
                format!("embedded:{}.toml", s.id),
                s.source,
                "file named after its id"
            );
        }
    }
}

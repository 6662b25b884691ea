//! Validated scenarios: what the runner executes and the verdict judges.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Question {
    Q1,
    Q2,
    Q3,
    Q4,
}

impl Question {
    pub const ALL: [Question; 4] = [Question::Q1, Question::Q2, Question::Q3, Question::Q4];
    pub fn name(self) -> &'static str {
        match self {
            Question::Q1 => "q1",
            Question::Q2 => "q2",
            Question::Q3 => "q3",
            Question::Q4 => "q4",
        }
    }
    pub fn parse(s: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.name() == s)
    }
}

/// Which program(s) a scenario grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Server,
    Client,
    Pair,
}

/// One of the two programs of the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Server,
    Client,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
        }
    }
}

pub use crate::msg::Lang;

/// A text of a scenario file in each language it is written in (English
/// always): `title = { en = "…", fr = "…", de = "…" }`. A language it
/// lacks gets the English text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub std::collections::BTreeMap<String, String>);

impl Text {
    pub fn get(&self, lang: &Lang) -> &str {
        self.in_lang(lang.code())
    }

    pub fn in_lang(&self, code: &str) -> &str {
        (self
            .0
            .get(code)
            .or_else(|| self.0.get(crate::msg::FALLBACK)))
        .map_or("", String::as_str)
    }

    pub fn en(&self) -> &str {
        self.in_lang(crate::msg::FALLBACK)
    }

    /// Bytes of every language's text.
    pub fn total_len(&self) -> usize {
        self.0.values().map(String::len).sum()
    }

    /// Every language's text through `f`.
    pub fn map(self, mut f: impl FnMut(String) -> String) -> Text {
        Text(self.0.into_iter().map(|(k, v)| (k, f(v))).collect())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// Status 0, no traceback.
    Clean,
    /// Any status, with a message that is not a traceback.
    Message,
    /// However it ends.
    Any,
    /// Every process of the program ends (no orphan left, no zombie).
    All,
}

/// When the peer sends the next segment of a `send` step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pace {
    /// Once the program has read the previous one (its receive queue is
    /// empty), so one `recv` cannot return both.
    #[default]
    Consumed,
    /// Once the program has printed the previous one as a line, or the
    /// world is quiescent: a program that stops reading the socket (q3's
    /// alternation) fails every time, whatever the segments' coalescing.
    Printed,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Start(Side),
    Restart(Side),
    Listen,
    Connect,
    Accept,
    Send(Vec<Vec<u8>>, Pace),
    Type(Vec<String>),
    Settle,
    Eof,
    Interrupt,
    Close,
    ExpectPrinted(Vec<String>),
    ExpectReceived(Vec<String>),
    ExpectExit(ExitKind),
    ExpectCalm(ExitKind),
    Relay,
    ExpectSilent,
    ExpectDeadlock,
    ExpectFork,
    ExpectClosed,
}

impl Action {
    /// Whether the step checks something (and so can fail).
    pub fn is_expectation(&self) -> bool {
        matches!(
            self,
            Action::Connect
                | Action::Accept
                | Action::ExpectPrinted(_)
                | Action::ExpectReceived(_)
                | Action::ExpectExit(_)
                | Action::ExpectCalm(_)
                | Action::ExpectSilent
                | Action::ExpectDeadlock
                | Action::ExpectFork
                | Action::ExpectClosed
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub action: Action,
    /// The program the step types into or reads from, when the scenario's
    /// role does not say it (pair scenarios).
    pub side: Option<Side>,
    /// Safety-net deadline, before `--timeout-scale`.
    pub within: Duration,
    /// Where the step is written (for messages).
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub id: String,
    pub question: Question,
    pub role: Role,
    pub points: f64,
    pub title: Text,
    pub passes: Text,
    pub steps: Vec<Step>,
    /// Programs this scenario always runs (`ref:…` demos), if any.
    pub programs: Programs,
    /// File it came from (`embedded:NAME` for the built-in catalogue).
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Programs {
    pub server: Option<String>,
    pub client: Option<String>,
}

impl Programs {
    pub fn is_fixed(&self) -> bool {
        self.server.is_some() || self.client.is_some()
    }
}

impl Scenario {
    /// The program the scenario's steps drive (the side under test).
    pub fn side(&self) -> Side {
        match self.role {
            Role::Client => Side::Client,
            _ => Side::Server,
        }
    }

    /// The program step `i` is about.
    pub fn step_side(&self, i: usize) -> Side {
        self.steps
            .get(i)
            .and_then(|s| s.side)
            .unwrap_or_else(|| self.side())
    }
}

/// Expands `{{long:N}}` into N characters of a fixed, readable pattern, so a
/// scenario can send and expect a long line without spelling it out.
pub fn expand(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or("unclosed `{{` in text")?;
        let inner = &after[..end];
        let n: usize = inner
            .strip_prefix("long:")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                format!("unknown template `{{{{{inner}}}}}` (expected {{{{long:N}}}})")
            })?;
        out.extend(long_pattern().take(n));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn long_pattern() -> impl Iterator<Item = char> {
    // Digits mark the position every 10 characters, so a split or truncated
    // line shows where it broke.
    (0..).map(|i: usize| {
        if i % 10 == 0 {
            char::from(b'0' + ((i / 10) % 10) as u8)
        } else {
            char::from(b'a' + (i % 10) as u8)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_long_lines() {
        let s = expand("{{long:25}}\n").unwrap();
        assert_eq!(s, "0bcdefghij1bcdefghij2bcde\n");
        assert_eq!(expand("x{{long:10000}}").unwrap().len(), 10001);
        assert!(expand("{{nope}}").is_err());
        assert!(expand("{{long:3").is_err());
    }
}

//! Diagnoses as data: a stable code (the contract of every output format,
//! DESIGN.md) and messages as ids with arguments (`Msg`), never text: the
//! verdict, the stall reading and the submission checks build them, a
//! reporter renders them in the report's language. A leaf: imports nothing
//! of the crate but `msg`.

use crate::msg::{Arg, Msg};

/// A diagnosis code. Stable: used in every output, and by course staff's
/// scripts; add codes as needed, never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    BytesRepr,
    SplitLine,
    NoReuseaddr,
    BusyLoop,
    OutputFlood,
    NoNewline,
    SentLate,
    EofTraceback,
    OutOfTurn,
    ReceivesFirst,
    Deadlock,
    WrongPort,
    NotListening,
    NoConnect,
    Crashed,
    CompileError,
    SyntaxError,
    Orphan,
    Zombie,
    NoFork,
    StillRunning,
    Timeout,
    MissingLine,
    WrongText,
    /// Every expected line printed, not in the order they came.
    WrongOrder,
    ExtraBytes,
    HalfDuplex,
    NoDeadlock,
    /// A limit of the sandbox (processes, memory, CPU time, file size).
    Limit,
    /// Submission problems: the program is not there, is empty, or is
    /// one of several candidates.
    MissingProgram,
    EmptyProgram,
    AmbiguousProgram,
    /// The grader's own faults (status `error`): the machine it runs on,
    /// or a bug of grade.
    Environment,
    InternalError,
}

impl Code {
    /// Every code, in the order of DESIGN.md's list, then the additions.
    pub const ALL: [Code; 34] = [
        Code::BytesRepr,
        Code::SplitLine,
        Code::NoReuseaddr,
        Code::BusyLoop,
        Code::OutputFlood,
        Code::NoNewline,
        Code::SentLate,
        Code::EofTraceback,
        Code::OutOfTurn,
        Code::ReceivesFirst,
        Code::Deadlock,
        Code::WrongPort,
        Code::NotListening,
        Code::NoConnect,
        Code::Crashed,
        Code::CompileError,
        Code::SyntaxError,
        Code::Orphan,
        Code::Zombie,
        Code::NoFork,
        Code::StillRunning,
        Code::Timeout,
        Code::MissingLine,
        Code::WrongText,
        Code::WrongOrder,
        Code::ExtraBytes,
        Code::HalfDuplex,
        Code::NoDeadlock,
        Code::Limit,
        Code::MissingProgram,
        Code::EmptyProgram,
        Code::AmbiguousProgram,
        Code::Environment,
        Code::InternalError,
    ];

    /// The code as every output writes it: `split-line`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BytesRepr => "bytes-repr",
            Code::SplitLine => "split-line",
            Code::NoReuseaddr => "no-reuseaddr",
            Code::BusyLoop => "busy-loop",
            Code::OutputFlood => "output-flood",
            Code::NoNewline => "no-newline",
            Code::SentLate => "sent-late",
            Code::EofTraceback => "eof-traceback",
            Code::OutOfTurn => "out-of-turn",
            Code::ReceivesFirst => "receives-first",
            Code::Deadlock => "deadlock",
            Code::WrongPort => "wrong-port",
            Code::NotListening => "not-listening",
            Code::NoConnect => "no-connect",
            Code::Crashed => "crashed",
            Code::CompileError => "compile-error",
            Code::SyntaxError => "syntax-error",
            Code::Orphan => "orphan",
            Code::Zombie => "zombie",
            Code::NoFork => "no-fork",
            Code::StillRunning => "still-running",
            Code::Timeout => "timeout",
            Code::MissingLine => "missing-line",
            Code::WrongText => "wrong-text",
            Code::WrongOrder => "wrong-order",
            Code::ExtraBytes => "extra-bytes",
            Code::HalfDuplex => "half-duplex",
            Code::NoDeadlock => "no-deadlock",
            Code::Limit => "limit",
            Code::MissingProgram => "missing-program",
            Code::EmptyProgram => "empty-program",
            Code::AmbiguousProgram => "ambiguous-program",
            Code::Environment => "environment",
            Code::InternalError => "internal-error",
        }
    }

    /// The code written `name` (`split-line`), if there is one.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a scenario failed, in the student's terms: what was observed
/// (`message`) and, when the mistake is recognised, the fix (`hint`).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub code: Code,
    pub message: Msg,
    pub hint: Option<Msg>,
}

impl Diagnosis {
    /// A diagnosis whose arguments are made safe to show: messages quote
    /// what programs printed (a 256 KiB line, a compiler's errors), so
    /// every text argument loses its control characters (a report shown on
    /// a terminal cannot be driven by a student's bytes) and is cut at
    /// `QUOTE_MAX` characters (every report format repeats it within one
    /// size budget).
    pub fn new(code: Code, message: Msg, hint: Msg) -> Diagnosis {
        Diagnosis {
            code,
            message: printable(message),
            hint: Some(printable(hint)),
        }
    }

    /// A diagnosis without a fix to suggest.
    pub fn without_hint(code: Code, message: Msg) -> Diagnosis {
        Diagnosis {
            code,
            message: printable(message),
            hint: None,
        }
    }

    /// The same diagnosis, its message inside `wrap` as argument `name`
    /// (`server: …`).
    pub fn wrapped(self, wrap: Msg, name: &'static str) -> Diagnosis {
        Diagnosis {
            message: wrap.arg(name, self.message),
            ..self
        }
    }

    /// The pids of the processes the message names (its `proc-*`
    /// arguments): the processes at fault.
    pub fn named_pids(&self) -> Vec<i32> {
        let mut out = Vec::new();
        pids(&self.message, &mut out);
        out
    }
}

fn pids(m: &Msg, out: &mut Vec<i32>) {
    if m.id.starts_with("proc-") {
        if let Some(pid) = m.str_arg("pid").and_then(|p| p.parse().ok()) {
            if !out.contains(&pid) {
                out.push(pid);
            }
        }
    }
    for (_, a) in &m.args {
        if let Arg::Msg(inner) = a {
            pids(inner, out);
        }
    }
}

/// Characters of one quoted text at most (a line a program printed, a
/// compiler's errors).
pub const QUOTE_MAX: usize = 4000;

/// `m` with every text argument, at any depth, cleaned and bounded.
fn printable(mut m: Msg) -> Msg {
    clean_args(&mut m);
    m
}

fn clean_args(m: &mut Msg) {
    for (_, a) in &mut m.args {
        match a {
            Arg::Str(s) => *s = clean(s),
            Arg::Msg(inner) => clean_args(inner),
            Arg::Num(..) => {}
        }
    }
}

/// Without control characters (but newlines and tabs), cut at
/// `QUOTE_MAX` characters with their count.
fn clean(s: &str) -> String {
    let mut out = String::new();
    let kept = s
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t');
    for (n, c) in kept.enumerate() {
        if n == QUOTE_MAX {
            out.push_str(&format!("… ({} characters)", s.chars().count()));
            break;
        }
        out.push(c);
    }
    out
}

/// How many characters of a text a message quotes.
pub const QUOTED: usize = 120;

/// A text quoted in a message, shortened past `QUOTED` characters:
/// `Bonjour…… 9,880 more characters` (message `quote-more`).
pub fn short(s: &str) -> Arg {
    let head: String = s.chars().take(QUOTED).collect();
    if head.len() < s.len() {
        let more = s.chars().count() - QUOTED;
        Msg::new("quote-more")
            .arg("head", head)
            .arg("more", more)
            .arg("count", grouped(more))
            .into()
    } else {
        head.into()
    }
}

/// A count with its digits grouped by thousands, as the language writes
/// them (message `number-grouped`: `9,880`, `9 880`).
pub fn grouped(n: usize) -> Arg {
    if n < 1000 {
        return n.to_string().into();
    }
    Msg::new("number-grouped")
        .arg("high", grouped(n / 1000))
        .arg("low", format!("{:03}", n % 1000))
        .into()
}

/// `items` as one argument, joined by `pair` (a message of `head` and
/// `tail`: `a; b`), `list-empty` when there are none.
pub fn list(items: Vec<Arg>, pair: &'static str) -> Arg {
    let mut it = items.into_iter().rev();
    let Some(last) = it.next() else {
        return Msg::new("list-empty").into();
    };
    it.fold(last, |tail, head| {
        Msg::new(pair).arg("head", head).arg("tail", tail).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Lang;
    use std::collections::BTreeSet;

    /// DESIGN.md, "Diagnoses": the stable codes of the contract.
    const DESIGN: &str = "`bytes-repr`, `split-line`, `no-reuseaddr`, `busy-loop`, `output-flood`,
`no-newline`, `sent-late`, `eof-traceback`, `out-of-turn`,
`receives-first`, `deadlock`, `wrong-port`, `not-listening`,
`no-connect`, `crashed`, `compile-error`, `syntax-error` (with a Python 2 hint when that is
the cause), `orphan`, `zombie`, `no-fork`, `still-running`, `timeout`,
`missing-line`, `wrong-text`, `extra-bytes` (NUL or buffer garbage sent
after a line), `half-duplex`, `no-deadlock`.";

    /// The codes grade added since ("add codes as needed").
    const ADDED: [&str; 7] = [
        "wrong-order",
        "limit",
        "missing-program",
        "empty-program",
        "ambiguous-program",
        "environment",
        "internal-error",
    ];

    #[test]
    fn the_codes_are_the_design_list_and_the_additions() {
        let mut want: BTreeSet<&str> = DESIGN
            .split('`')
            .skip(1)
            .step_by(2)
            .collect::<BTreeSet<_>>();
        assert_eq!(want.len(), 27);
        want.extend(ADDED);
        let have: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(have, want);
        for c in Code::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{c}\""), "serde and as_str agree");
            assert_eq!(Code::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn quoted_text_loses_control_characters_and_is_bounded() {
        let long = "x".repeat(QUOTE_MAX + 10);
        let d = Diagnosis::new(
            Code::Crashed,
            Msg::new("diag-crashed-traceback").arg("last", "\u{1b}[2JBon\u{8}jour\u{9b}"),
            Msg::new("hint-no-newline").arg("x", Msg::new("m").arg("y", long.as_str())),
        );
        let en = Lang::builtin("en");
        assert_eq!(en.msg(&d.message), "the program crashed: [2JBonjour");
        let Arg::Msg(inner) = &d.hint.unwrap().args[0].1 else {
            panic!("a message argument")
        };
        let Arg::Str(s) = &inner.args[0].1 else {
            panic!("a text argument")
        };
        assert!(s.ends_with(&format!("… ({} characters)", QUOTE_MAX + 10)));
        assert_eq!(
            s.chars().count(),
            QUOTE_MAX + "… (4010 characters)".chars().count()
        );
    }

    #[test]
    fn short_quotes_and_lists() {
        let en = Lang::builtin("en");
        let fr = Lang::builtin("fr");
        let m = |a: Arg| Msg::new("diag-no-newline").arg("text", a);
        assert_eq!(
            en.msg(&m(short("Bonjour"))),
            "the text arrived without a newline: `Bonjour`"
        );
        let cut = m(short(&"é".repeat(10_000)));
        assert!(en
            .msg(&cut)
            .ends_with(&format!("`{}… 9,880 more characters`", "é".repeat(120))));
        assert!(fr
            .msg(&cut)
            .ends_with("é… 9\u{202f}880 caractères de plus`"));
        let one = m(short(&"x".repeat(121)));
        assert!(en.msg(&one).ends_with("x… 1 more character`"));
        assert!(fr.msg(&one).ends_with("x… 1 caractère de plus`"));
        assert!(en
            .msg(&m(short(&"x".repeat(1_234_567 + 120))))
            .ends_with("x… 1,234,567 more characters`"));
        assert!(en
            .msg(&m(short(&"x".repeat(120))))
            .ends_with(&format!("`{}`", "x".repeat(120))));
        let procs = |n: usize| {
            list(
                (0..n)
                    .map(|k| Msg::new("status-code").arg("code", k.to_string()).into())
                    .collect(),
                "list-semicolon",
            )
        };
        let m = |a: Arg| Msg::new("diag-still-running").arg("procs", a);
        assert_eq!(en.msg(&m(procs(0))), "the program does not end: ");
        assert_eq!(
            en.msg(&m(procs(3))),
            "the program does not end: status 0; status 1; status 2"
        );
        assert!(fr
            .msg(&m(procs(2)))
            .ends_with("le code 0\u{202f}; le code 1"));
        let files = list(vec!["a.py".into(), "b.py".into()], "list-comma");
        assert_eq!(
            en.msg(&Msg::new("diag-still-running").arg("procs", files)),
            "the program does not end: a.py, b.py"
        );
    }

    #[test]
    fn the_processes_a_message_names_are_its_pids() {
        let p = |pid: &str| Msg::new("proc-running").arg("pid", pid);
        let d = Diagnosis::without_hint(
            Code::StillRunning,
            Msg::new("diag-still-running").arg(
                "procs",
                list(vec![p("41").into(), p("42").into()], "list-semicolon"),
            ),
        );
        assert_eq!(d.named_pids(), [41, 42]);
    }
}

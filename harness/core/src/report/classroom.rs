//! GitHub Classroom (`--format classroom`): one runner result of the
//! grading reporter (`classroom-resources/autograding-grading-reporter`),
//! the JSON document its runner actions (`autograding-io-grader`,
//! `autograding-command-grader`) pass it, base64-encoded, on one line:
//!
//! ```text
//! {"version": 1,
//!  "status": "pass" | "fail" | "error",   // "fail" if a test failed, else "error" if one errored
//!  "max_score": 8.0,                      // the runner is counted only if > 0
//!  "tests": [{"name": "q1.server.split-line — A line in two segments",
//!             "status": "pass" | "fail" | "error",
//!             "message": "expected: … [split-line] … fix: …" | null,
//!             "test_code": "grade --server serveur.py -s q1.server.split-line" | "",
//!             "filename": "serveur.py", "line_no": 0,
//!             "execution_time": "0.412s",
//!             "score": 0.0}]}
//! ```
//! What the reporter does with it: it decodes `<STEP ID>_RESULTS` (base64,
//! then `JSON.parse`), prints ✅/❌ and the name of each test (and `- line
//! N` unless `line_no` is 0), the message of an `error` test only, the
//! `test_code` when not empty; posts `Points X/Y` (X the sum of the tests'
//! `score`, Y the sum of the runners' `max_score`) as the notice GitHub
//! Classroom reads; and fails its step when a runner's `status` is `fail`
//! or `error`. Its console table computes each runner's score from the
//! share of tests passed, not from `score`: with scenarios of unequal
//! points it may differ from the points posted.
//!
//! A skipped scenario is a `fail` (it scored nothing); a submission problem
//! one `fail` test worth the points of the scenarios it kept from running.
//! `test_code` is the command that reruns a failed test alone. No
//! transcript: the reporter passes each result through one environment
//! variable, which Linux caps at 128 KiB (`MAX_ARG_STRLEN`; above it the
//! reporter's step fails with E2BIG), so the encoded result fits in
//! `ENCODED_MAX` bytes, messages shortened as needed. The full report is
//! the grading step's own log (and its step summary).

use super::budget;
use super::text::{self, display_name, problem_feedback, problem_headline};
use super::{Outcome, Report, Reporter};
use crate::msg::Msg;
use crate::points::round2;
use crate::scenario::{Role, Side};
use crate::sh_quote;
use crate::submission::SubmissionProblem;
use crate::verdict::Status;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

pub struct Classroom;

/// Bytes of the base64 result at most: half of Linux's 128 KiB per
/// environment string, so that the reporter's environment stays far from
/// `MAX_ARG_STRLEN` (and its total, with one result per question, from
/// `ARG_MAX`).
pub const ENCODED_MAX: usize = 64 * 1024;

/// A runner result, the reporter's schema (fields in its order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerResult {
    pub version: u32,
    pub status: String,
    pub max_score: f64,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Test {
    pub name: String,
    pub status: String,
    pub message: Option<String>,
    pub test_code: String,
    pub filename: String,
    pub line_no: u32,
    /// `0.412s`, as the io grader writes it.
    pub execution_time: String,
    pub score: f64,
}

/// The reporter's word for a status.
fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail | Status::Skip => "fail",
        Status::Error => "error",
    }
}

/// `grade --server serveur.py -s q1.server.split-line`: the command that
/// reruns one scenario on the programs graded.
fn rerun(r: &Report, o: &Outcome) -> String {
    let mut words = vec!["grade".to_string()];
    let q = o.scenario.question;
    for (flag, side) in [("--server", Side::Server), ("--client", Side::Client)] {
        if let Some(p) = r.program(q, side) {
            words.push(flag.to_string());
            words.push(sh_quote(p));
        }
    }
    words.push("-s".to_string());
    words.push(sh_quote(&o.scenario.id));
    if r.lang.code() != crate::msg::FALLBACK {
        words.push("--lang".to_string());
        words.push(r.lang.code().to_string());
    }
    words.join(" ")
}

/// The file of the program a scenario grades (none for a pair: both are):
/// of a command line (`python3 serveur.py --verbose`: not itself a `.py`
/// or `.c` path), its first word naming one.
fn filename(r: &Report, o: &Outcome) -> String {
    let side = match o.scenario.role {
        Role::Server => Side::Server,
        Role::Client => Side::Client,
        Role::Pair => return String::new(),
    };
    let Some(p) = r.program(o.scenario.question, side) else {
        return String::new();
    };
    let is_file = |w: &str| w.ends_with(".py") || w.ends_with(".c");
    if !p.contains(char::is_whitespace) || is_file(p) {
        return p.clone();
    }
    p.split_whitespace()
        .map(|w| w.trim_matches(|c| c == '\'' || c == '"'))
        .find(|w| is_file(w))
        .unwrap_or(p)
        .to_string()
}

fn problem(r: &Report, p: &SubmissionProblem) -> Test {
    Test {
        name: problem_headline(p, &r.lang),
        status: "fail".into(),
        message: Some(problem_feedback(r, p).trim_end().to_string()),
        test_code: String::new(),
        filename: p.file.clone(),
        line_no: 0,
        execution_time: "0s".into(),
        score: 0.0,
    }
}

fn scenario(r: &Report, o: &Outcome) -> Test {
    let l = &r.lang;
    let passed = o.verdict.status == Status::Pass;
    let message = if passed {
        text::notes_text(o, l)
    } else {
        text::feedback(o, l)
    };
    let message = message.trim_end();
    Test {
        name: display_name(o, l),
        status: status_word(o.verdict.status).into(),
        message: (!message.is_empty()).then(|| message.to_string()),
        test_code: if passed { String::new() } else { rerun(r, o) },
        filename: filename(r, o),
        line_no: 0,
        execution_time: format!("{}s", o.duration.as_millis() as f64 / 1000.0),
        score: round2(o.verdict.score),
    }
}

/// The runner result of a report, whole (before any shortening).
pub fn result(r: &Report) -> RunnerResult {
    let tests: Vec<Test> = r
        .problems
        .iter()
        .map(|p| problem(r, p))
        .chain(r.ran().map(|o| scenario(r, o)))
        .collect();
    let any = |w: &str| tests.iter().any(|t| t.status == w);
    let status = if any("fail") {
        "fail"
    } else if any("error") {
        "error"
    } else {
        "pass"
    };
    RunnerResult {
        version: 1,
        status: status.into(),
        max_score: r.max_score(),
        tests,
    }
}

/// `text` within `share` bytes of JSON, cut with the catalogue's word
/// saying so; nothing when even that word does not fit.
fn shorten(text: &str, share: usize, note: &str) -> Option<String> {
    let cost = |t: &str| budget::cost_of(t, &JSON);
    if cost(text) <= share {
        return Some(text.to_string());
    }
    let room = share.checked_sub(cost(note) + MESSAGE_MIN)?;
    let (mut used, mut cut) = (0, String::new());
    for c in text.chars() {
        used += budget::json_char(c);
        if used > room {
            break;
        }
        cut.push(c);
    }
    Some(format!("{}{note}", cut.trim_end()))
}

/// JSON string escaping, to measure messages.
const JSON: budget::Encoding = budget::Encoding {
    row: 0,
    char_cost: budget::json_char,
    text_max: usize::MAX,
};

/// Bytes of a shortened message's own text, at least (else it goes).
const MESSAGE_MIN: usize = 16;

fn to_base64(doc: &RunnerResult) -> String {
    base64(&serde_json::to_vec(doc).expect("a runner result is JSON"))
}

/// The result as the reporter reads it: JSON, base64, within
/// `ENCODED_MAX` bytes. When the whole result does not fit, the room left
/// by everything but the messages is shared among them, each cut to its
/// share (halved until it fits); the last resort drops the messages, then
/// the commands and file names (names and scores, which the points depend
/// on, stay: the catalogue's names are short).
pub fn encode(r: &Report) -> String {
    let whole = result(r);
    let b64 = to_base64(&whole);
    if b64.len() <= ENCODED_MAX {
        return b64;
    }
    let mut bare = whole.clone();
    for t in &mut bare.tests {
        t.message = None;
    }
    let bare_len = serde_json::to_vec(&bare).map_or(0, |v| v.len());
    let with_message = whole.tests.iter().filter(|t| t.message.is_some()).count();
    // A message costs its quotes instead of `null`: 2 bytes less.
    let mut share = (ENCODED_MAX / 4 * 3).saturating_sub(bare_len) / with_message.max(1);
    let note = r.lang.msg(&Msg::new("classroom-shortened"));
    while share > 0 {
        let mut doc = whole.clone();
        for t in &mut doc.tests {
            t.message = t.message.as_deref().and_then(|m| shorten(m, share, &note));
        }
        let b64 = to_base64(&doc);
        if b64.len() <= ENCODED_MAX {
            return b64;
        }
        share /= 2;
    }
    let b64 = to_base64(&bare);
    if b64.len() <= ENCODED_MAX {
        return b64;
    }
    for t in &mut bare.tests {
        t.test_code.clear();
        t.filename.clear();
    }
    to_base64(&bare)
}

impl Reporter for Classroom {
    fn write(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", encode(r))
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, on one line: what Node's
/// `Buffer.toString('base64')` writes and `Buffer.from(s, 'base64')` reads.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional), as the reporter does; `None`
/// on a character outside the alphabet. For tests and for reading a result
/// back.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end().trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A result read back as the reporter reads it: base64, then JSON.
pub fn decode(line: &str) -> Option<RunnerResult> {
    serde_json::from_slice(&decode_base64(line)?).ok()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{outcome, test_lang, with_problem};
    use super::*;
    use crate::scenario::Lang;

    fn of(lang: &Lang, outcomes: Vec<Outcome>) -> Report {
        Report {
            outcomes,
            server: Some("serveur.py".into()),
            lang: lang.clone(),
            ..Report::default()
        }
    }

    #[test]
    fn base64_is_node_s() {
        // RFC 4648's test vectors.
        for (plain, b64) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), b64);
            assert_eq!(decode_base64(b64).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_base64(&base64(&all)).unwrap(), all);
        assert!(decode_base64("Zm9v!").is_none());
    }

    #[test]
    fn statuses_scores_and_the_rerun_command() {
        let lang = test_lang("en");
        let mut r = of(
            &lang,
            vec![
                outcome("q1.a", 2.0, "A", Status::Pass, None),
                outcome("q1.b", 1.5, "B", Status::Fail, Some("split-line")),
                outcome("q1.c", 1.0, "C", Status::Skip, None),
            ],
        );
        r.server = Some("mon serveur.py".into());
        let line = {
            let mut out = Vec::new();
            Classroom.write(&r, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        let doc = decode(&line).unwrap();
        assert_eq!((doc.version, doc.status.as_str()), (1, "fail"));
        assert_eq!(doc.max_score, 4.5);
        let statuses: Vec<&str> = doc.tests.iter().map(|t| t.status.as_str()).collect();
        assert_eq!(statuses, ["pass", "fail", "fail"]);
        let sum: f64 = doc.tests.iter().map(|t| t.score).sum();
        assert_eq!(sum, r.score());
        let b = &doc.tests[1];
        assert!(b.name.starts_with("q1.b — B"), "{}", b.name);
        assert!(b.message.as_deref().unwrap().contains("[split-line]"));
        assert_eq!(b.test_code, "grade --server 'mon serveur.py' -s q1.b");
        assert_eq!((b.filename.as_str(), b.line_no), ("mon serveur.py", 0));
        r.server = Some("python3 serveur.py --verbose".into());
        assert_eq!(decode(&encode(&r)).unwrap().tests[1].filename, "serveur.py");
        assert!(b.execution_time.ends_with('s'));
        // A pass says nothing more and has no command to rerun.
        assert_eq!(doc.tests[0].message, None);
        assert_eq!(doc.tests[0].test_code, "");
    }

    /// `--submission`: each question's failures name its own program.
    #[test]
    fn each_question_reruns_its_own_program() {
        let lang = test_lang("en");
        let mut r = of(
            &lang,
            vec![
                outcome("q1.server.b", 1.0, "B", Status::Fail, Some("split-line")),
                outcome("q3.server.c", 1.0, "C", Status::Fail, Some("split-line")),
            ],
        );
        r.server = Some("./q1/serveur.py, ./q3/serveur.py".into());
        r.by_question = ["q1", "q3"]
            .map(|q| super::super::QuestionPrograms {
                question: crate::scenario::Question::parse(q).unwrap(),
                server: Some(format!("./{q}/serveur.py")),
                client: None,
            })
            .to_vec();
        let doc = decode(&encode(&r)).unwrap();
        for (t, q) in doc.tests.iter().zip(["q1", "q3"]) {
            assert_eq!(t.filename, format!("./{q}/serveur.py"));
            assert!(
                t.test_code
                    .starts_with(&format!("grade --server ./{q}/serveur.py -s {q}.")),
                "{}",
                t.test_code
            );
        }
    }

    #[test]
    fn error_without_failure_is_an_error() {
        let lang = test_lang("fr");
        let r = of(
            &lang,
            vec![
                outcome("q2.a", 1.0, "A", Status::Pass, None),
                outcome("q2.b", 1.0, "B", Status::Error, None),
            ],
        );
        let doc = decode(&encode(&r)).unwrap();
        assert_eq!(doc.status, "error");
        assert_eq!(doc.tests[1].status, "error");
        assert!(doc.tests[1].test_code.ends_with("-s q2.b --lang fr"));
        let all_pass = of(&lang, vec![outcome("q2.a", 1.0, "A", Status::Pass, None)]);
        assert_eq!(decode(&encode(&all_pass)).unwrap().status, "pass");
    }

    #[test]
    fn a_submission_problem_is_one_failed_test_worth_its_scenarios() {
        let r = with_problem(&test_lang("en"));
        let doc = decode(&encode(&r)).unwrap();
        let first = &doc.tests[0];
        assert_eq!(first.status, "fail");
        assert_eq!(first.score, 0.0);
        assert!(first.message.is_some());
        assert_eq!(doc.tests.len(), r.ran().count() + r.problems.len());
        assert_eq!(doc.max_score, r.max_score());
        assert!(doc.max_score > 0.0);
    }

    #[test]
    fn long_messages_are_shortened_to_fit_the_environment() {
        let lang = test_lang("fr");
        // 60 failures whose messages are 2,000 characters each (4 kB in
        // UTF-8): 240 kB of messages, five times the cap once in base64.
        let outcomes = (0..60)
            .map(|k| {
                let mut o = outcome(&format!("q1.t{k}"), 1.0, "T", Status::Fail, None);
                o.verdict.notes = vec![super::super::tests::text(
                    &"é".repeat(2000),
                    &"é".repeat(2000),
                )];
                o
            })
            .collect();
        let r = of(&lang, outcomes);
        assert!(base64(&serde_json::to_vec(&result(&r)).unwrap()).len() > ENCODED_MAX);
        let b64 = encode(&r);
        assert!(b64.len() <= ENCODED_MAX, "{}", b64.len());
        let doc = decode(&b64).unwrap();
        assert_eq!(doc.tests.len(), 60);
        assert_eq!(doc.max_score, 60.0);
        // Every message keeps its beginning, and its share of the room
        // (about 600 bytes each here), not just the note that it was cut.
        for t in &doc.tests {
            let m = t.message.as_deref().unwrap();
            assert!(m.starts_with("note\u{a0}: éééé"), "{m}");
            assert!(m.len() > 400, "{m}");
        }
        let m = doc.tests[0].message.as_deref().unwrap();
        assert!(m.ends_with("(raccourci pour GitHub Classroom\u{a0}: le rapport complet est dans le journal de l'étape de notation)"), "{m}");
    }
}

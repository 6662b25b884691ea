//! Languages: `--lang fr` reports carry no English message text, follow
//! French conventions (no-break space before `:`, decimal comma, CLDR
//! plurals), and a language dropped into `--messages DIR` works.

use crate::refutil::fixtures_dir;
use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::Path;

fn grade() -> Command {
    let mut c = Command::cargo_bin("grade").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// Runs `grade` and returns its standard output (any exit status but 2+).
fn output(args: &[&str]) -> String {
    let out = grade().args(args).output().expect("grade runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "grade {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

/// Phrases of the English catalogue: each text piece of a message between
/// its placeables, kept when it is long enough to be a phrase of its own
/// (two words, eight letters) rather than a word both languages share.
fn english_phrases() -> BTreeSet<String> {
    use fluent_syntax::ast;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/messages/en");
    let mut phrases = BTreeSet::new();
    for f in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap();
        let res =
            fluent_syntax::parser::parse(text.as_str()).expect("the English catalogue parses");
        let mut pieces = Vec::new();
        fn walk<'a>(p: &ast::Pattern<&'a str>, out: &mut Vec<&'a str>) {
            for e in &p.elements {
                match e {
                    ast::PatternElement::TextElement { value } => out.push(value),
                    ast::PatternElement::Placeable {
                        expression: ast::Expression::Select { variants, .. },
                    } => {
                        for v in variants {
                            walk(&v.value, out);
                        }
                    }
                    ast::PatternElement::Placeable { .. } => {}
                }
            }
        }
        for entry in &res.body {
            if let ast::Entry::Message(m) = entry {
                if let Some(p) = &m.value {
                    walk(p, &mut pieces);
                }
            }
        }
        for piece in pieces {
            let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
            let letters = piece.chars().filter(|c| c.is_alphabetic()).count();
            if piece.split_whitespace().count() >= 2 && letters >= 8 {
                phrases.insert(piece.to_string());
            }
        }
    }
    phrases
}

/// Phrases that are the same in French (commands, names of calls).
const SAME_IN_BOTH: &[&str] = &[];

/// The English phrases found in `text`.
fn english_in(text: &str, phrases: &BTreeSet<String>) -> Vec<String> {
    phrases
        .iter()
        .filter(|p| !SAME_IN_BOTH.contains(&p.as_str()) && text.contains(p.as_str()))
        .cloned()
        .collect()
}

/// Every string value of a JSON report, but those that are contract
/// (ids, codes, statuses, event kinds) or what programs printed.
fn json_texts(v: &serde_json::Value, key: &str, out: &mut Vec<String>) {
    const CONTRACT: &[&str] = &[
        "id",
        "code",
        "status",
        "event",
        "actor",
        "lang",
        "text",
        "file",
        "server",
        "client",
        "visibility",
        "output_format",
    ];
    match v {
        serde_json::Value::String(s) if !CONTRACT.contains(&key) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_texts(x, key, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| json_texts(x, k, out)),
        _ => {}
    }
}

/// A failing run of every question, in French, in every report format a
/// person reads: no English message text anywhere.
#[test]
fn french_reports_of_failing_runs_carry_no_english_message_text() {
    let phrases = english_phrases();
    assert!(phrases.len() > 20, "the English catalogue has phrases");
    let runs = [
        ("--server", "q1/output_flood.py", "q1"),
        ("--client", "q2/no_newline.py", "q2"),
        ("--client", "q3/client_receives_first.py", "q3"),
        ("--server", "q4/q3_server.py", "q4"),
    ];
    for (role, file, q) in runs {
        let path = fixtures_dir().join(file);
        let path = path.to_str().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("r.json");
        let html = dir.path().join("r.html");
        let human = output(&[
            role,
            path,
            "-q",
            q,
            "--lang",
            "fr",
            "--report",
            &format!("json={}", json.display()),
            "--report",
            &format!("html={}", html.display()),
        ]);
        let found = english_in(&human, &phrases);
        assert!(
            found.is_empty(),
            "{file}, human report: English {found:?}\n{human}"
        );
        let html = std::fs::read_to_string(&html).unwrap();
        let found = english_in(&html, &phrases);
        assert!(found.is_empty(), "{file}, HTML report: English {found:?}");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let mut texts = Vec::new();
        json_texts(&v, "", &mut texts);
        let found = english_in(&texts.join("\n"), &phrases);
        assert!(found.is_empty(), "{file}, JSON report: English {found:?}");
        french_conventions(file, &human);
    }
    for demo in ["deadlock", "alternation", "duplex"] {
        let out = output(&["demo", demo, "--lang", "fr"]);
        let found = english_in(&out, &phrases);
        assert!(found.is_empty(), "demo {demo}: English {found:?}\n{out}");
    }
}

/// A French report writes `Note :` with a no-break space (U+00A0), decimals with a
/// comma, and the singular for 0 and 1.
fn french_conventions(file: &str, human: &str) {
    let score = human
        .lines()
        .find(|l| l.starts_with("Note"))
        .unwrap_or_else(|| panic!("{file}: no score line\n{human}"));
    assert!(score.starts_with("Note\u{a0}:"), "{file}: {score:?}");
    assert!(
        !score.contains("(0 réussis") && !score.contains("(1 réussis"),
        "{file}: {score:?}"
    );
    let decimal_point = regex_like_decimal_point(human);
    assert!(
        decimal_point.is_empty(),
        "{file}: decimal points in {decimal_point:?}"
    );
}

/// Report lines with a number written with a decimal point before a unit
/// (`2.8 s`, `0.5/1`), outside what programs printed (transcript lines).
fn regex_like_decimal_point(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .filter(|l| {
            let b = l.as_bytes();
            (1..b.len().saturating_sub(1)).any(|i| {
                b[i] == b'.'
                    && b[i - 1].is_ascii_digit()
                    && b[i + 1].is_ascii_digit()
                    && l[i + 1..]
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .starts_with([' ', '/', ')'])
            })
        })
        .map(str::to_string)
        .collect()
}

/// The fixture language (`fixtures/messages/de`) gives only some messages:
/// they are used, and every other falls back to English.
#[test]
fn a_language_dropped_into_messages_dir_is_used() {
    let messages = fixtures_dir().join("messages");
    let path = fixtures_dir().join("q1/split_line.py");
    let out = output(&[
        "--server",
        path.to_str().unwrap(),
        "-q",
        "q1",
        "--messages",
        messages.to_str().unwrap(),
        "--lang",
        "de",
    ]);
    assert!(out.contains("6 bestanden, 2 fehlgeschlagen"), "{out}");
}

#[test]
fn an_unknown_language_lists_those_with_a_catalogue() {
    let messages = fixtures_dir().join("messages");
    let out = grade()
        .args(["--reference", "--lang", "xx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`xx`") && err.contains("en, fr"), "{err}");
    let out = grade()
        .args(["--reference", "--lang", "xx", "--messages"])
        .arg(&messages)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("de, en, fr"), "{err}");
}

#[test]
fn a_catalogue_that_does_not_parse_is_a_usage_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("es")).unwrap();
    std::fs::write(
        dir.path().join("es/x.ftl"),
        "count-passed = { $n } ok\nbroken = {\n",
    )
    .unwrap();
    let out = grade()
        .args(["--reference", "--lang", "es", "--messages"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("es/x.ftl:3:1"), "{err}");
}

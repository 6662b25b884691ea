//! Every reporter on hand-built outcomes, no process: escaping, statuses the
//! fixtures never produce (error, skip), and points that are not integers.

use super::*;
use crate::diagnosis::Code;
use crate::msg::{Catalog, Msg};
use crate::scenario::parse_scenario;
use crate::transcript::{Actor, Event};
use crate::verdict::{Diagnosis, Evidence, Verdict};
use std::sync::{Arc, OnceLock};

/// A text of these tests in both languages: the test catalogue's
/// `test-text` shows `$en` in English and `$fr` in French.
pub(crate) fn text(en: &str, fr: &str) -> Msg {
    Msg::new("test-text").arg("en", en).arg("fr", fr)
}

/// `code`'s messages, with the test catalogue's `test-text`.
pub(crate) fn test_lang(code: &str) -> Lang {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    let c = CATALOG.get_or_init(|| {
        Catalog::with_resources(&[
            ("en", "test-text = { $en }\n"),
            ("fr", "test-text = { $fr }\n"),
        ])
        .expect("the test catalogue")
    });
    c.lang(code).expect("a shipped language")
}

fn scenario(id: &str, points: f64, title: &str) -> Scenario {
    let toml = format!(
        "id = \"{id}\"\nquestion = \"{}\"\nrole = \"server\"\npoints = {points}\ntitle = {{ en = \"{title}\", fr = \"{title} (fr)\" }}\npasses = {{ en = \"p\", fr = \"p\" }}\n[[step]]\nstart = \"server\"\n",
        &id[..2]
    );
    parse_scenario("test.toml", &toml).unwrap()
}

pub(crate) fn outcome(
    id: &str,
    points: f64,
    title: &str,
    status: Status,
    code: Option<&'static str>,
) -> Outcome {
    let mut transcript = Transcript::default();
    transcript.push(
        Duration::from_micros(400),
        Actor::Peer,
        Event::Sent(b"50% done, #1\n".to_vec()),
    );
    Outcome {
        scenario: scenario(id, points, title),
        verdict: Verdict {
            status,
            score: if status == Status::Pass { points } else { 0.0 },
            diagnosis: code.map(|code| {
                diagnosis(
                    code,
                    (
                        "100% wrong: a, b\nsecond line",
                        "100 % faux : a, b\nseconde ligne",
                    ),
                    ("fix it", "corrigez"),
                )
            }),
            expected: code.map(|_| text("`x`", "`x` (fr)")),
            failed_step: None,
            evidence: Evidence::default(),
            notes: Vec::new(),
        },
        transcript,
        started: Duration::ZERO,
        duration: Duration::from_millis(12),
    }
}

/// A failed outcome holding `transcript` (budget tests).
pub(crate) fn outcome_with(transcript: Transcript) -> Outcome {
    Outcome {
        transcript,
        ..outcome(
            "q1.server.a",
            1.0,
            "Flood",
            Status::Fail,
            Some("output-flood"),
        )
    }
}

/// A diagnosis from its code, message and hint (English, French).
pub(crate) fn diagnosis(
    code: &'static str,
    message: (&str, &str),
    hint: (&str, &str),
) -> Diagnosis {
    Diagnosis {
        code: Code::parse(code).expect("a diagnosis code"),
        message: text(message.0, message.1),
        hint: (!hint.0.is_empty()).then(|| text(hint.0, hint.1)),
    }
}

pub(crate) fn report(lang: &Lang) -> Report {
    Report {
        outcomes: vec![
            outcome("q1.server.a", 0.1, "Tenth #1", Status::Pass, None),
            outcome(
                "q1.server.b",
                0.2,
                "Two, with: colon",
                Status::Fail,
                Some("split-line"),
            ),
            outcome(
                "q2.client.c",
                1.25,
                "Harness error",
                Status::Error,
                Some("timeout"),
            ),
            outcome("q2.client.d", 0.7, "Skipped", Status::Skip, None),
        ],
        server: Some("serveur.py".into()),
        lang: lang.clone(),
        hidden: vec!["q2.*".into()],
        ..Report::default()
    }
}

fn render(r: &dyn Reporter, rep: &Report) -> String {
    let mut out = Vec::new();
    r.write(rep, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn totals_are_rounded_once_and_agree() {
    let r = report(&test_lang("en"));
    // 0.1 + 0.2 is not 0.3 in binary; every format shows 0.3.
    assert_eq!(r.score(), 0.1);
    assert_eq!(r.max_score(), 2.25);
    assert_eq!(r.question_score(Question::Q1), (0.1, 0.3));
    let g: serde_json::Value = serde_json::from_str(&render(&gradescope::Gradescope, &r)).unwrap();
    assert_eq!(g["score"], 0.1);
    assert_eq!(g["extra_data"]["max_score"], 2.25);
    let a = render(&autolab::Autolab, &r);
    assert_eq!(
        a.lines().last().unwrap(),
        r#"{"scores":{"q1":0.1,"q2":0.0}}"#
    );
    let p: serde_json::Value =
        serde_json::from_str(&render(&prairielearn::PrairieLearn, &r)).unwrap();
    assert_eq!(p["score"], 0.1 / 2.25);
}

#[test]
fn junit_has_failures_errors_and_skips() {
    let xml = render(&junit::Junit, &report(&test_lang("en")));
    let back = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((back.tests, back.failures, back.errors), (4, 1, 1));
    let q2 = &back.test_suites[1];
    assert_eq!(q2.disabled, 1);
    assert!(
        xml.contains(r#"<failure message="[split-line] 100% wrong: a, b" type="split-line">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<error message="[timeout] 100% wrong: a, b" type="timeout">"#),
        "{xml}"
    );
}

/// A suite's time is its question's wall time: scenarios run side by
/// side, so not the sum of theirs; the whole run's is on `<testsuites>`.
#[test]
fn junit_suite_time_is_the_span_of_its_scenarios() {
    let mut r = report(&test_lang("en"));
    r.wall = Duration::from_millis(2600);
    // q1: 0–12 ms and 5–17 ms (side by side): 17 ms, not 24.
    r.outcomes[1].started = Duration::from_millis(5);
    // q2: 100–112 ms and 300–312 ms.
    r.outcomes[2].started = Duration::from_millis(100);
    r.outcomes[3].started = Duration::from_millis(300);
    assert_eq!(span(r.of_question(Question::Q1)), Duration::from_millis(17));
    assert_eq!(span(std::iter::empty()), Duration::ZERO);
    let back = quick_junit::Report::deserialize_from_str(&render(&junit::Junit, &r)).unwrap();
    assert_eq!(back.time, Some(Duration::from_millis(2600)));
    let times: Vec<_> = back.test_suites.iter().map(|s| s.time).collect();
    assert_eq!(
        times,
        [
            Some(Duration::from_millis(17)),
            Some(Duration::from_millis(212))
        ]
    );
}

/// The server's and the client's tests of q3 and q4 share titles: the
/// test's name has the id.
#[test]
fn junit_names_tell_server_and_client_apart() {
    let r = Report {
        outcomes: vec![
            outcome("q3.server.in-turn", 1.0, "In turn", Status::Pass, None),
            outcome("q3.client.in-turn", 1.0, "In turn", Status::Pass, None),
        ],
        lang: test_lang("en"),
        ..Report::default()
    };
    let back = quick_junit::Report::deserialize_from_str(&render(&junit::Junit, &r)).unwrap();
    let names: Vec<&str> = back.test_suites[0]
        .test_cases
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["q3.server.in-turn — In turn", "q3.client.in-turn — In turn"]
    );
}

/// GitLab shows a failure's text only: it has the diagnosis and fix first,
/// then the end of the transcript, as many events as the human report
/// shows, however long the transcript.
#[test]
fn junit_failure_text_ends_with_the_transcript_excerpt() {
    let mut tr = Transcript::default();
    for k in 0..500u64 {
        tr.push(
            Duration::from_millis(k),
            Actor::Server,
            Event::Printed {
                raw: format!("line {k}").into_bytes(),
                newline: true,
            },
        );
    }
    let r = Report {
        outcomes: vec![outcome_with(tr)],
        lang: test_lang("en"),
        ..Report::default()
    };
    let back = quick_junit::Report::deserialize_from_str(&render(&junit::Junit, &r)).unwrap();
    let case = &back.test_suites[0].test_cases[0];
    let quick_junit::TestCaseStatus::NonSuccess { description, .. } = &case.status else {
        panic!("{:?}", case.status);
    };
    let body = description.as_ref().unwrap().as_str();
    let fix = body.find("fix: fix it").expect("the fix");
    let excerpt = body.find("transcript:").expect("the excerpt");
    assert!(fix < excerpt, "{body}");
    assert!(body.contains("… 476 earlier events\n"), "{body}");
    assert!(body.trim_end().ends_with("line 499"), "{body}");
    let rows = body.lines().filter(|l| l.contains(" printed ")).count();
    assert_eq!(rows, text::EXCERPT, "{body}");
    // The whole transcript is still in <system-out>.
    let out = case.system_out.as_ref().unwrap().as_str();
    assert!(out.contains("line 0\n"), "{out}");
}

#[test]
fn tap_escapes_directives_and_marks_skips() {
    let tap = render(&tap::Tap, &report(&test_lang("en")));
    assert!(tap.contains("ok 1 - q1.server.a — Tenth \\#1\n"), "{tap}");
    assert!(
        tap.contains("not ok 2 - q1.server.b — Two, with: colon\n"),
        "{tap}"
    );
    assert!(
        tap.contains("not ok 3 - q2.client.c — Harness error\n"),
        "{tap}"
    );
    assert!(
        tap.contains("ok 4 - q2.client.d — Skipped # SKIP\n"),
        "{tap}"
    );
    assert!(
        tap.contains("  message: \"100% wrong: a, b\\nsecond line\"\n"),
        "{tap}"
    );
    assert!(tap.ends_with("# score 0.1 max_score 2.25\n"), "{tap}");
}

#[test]
fn github_commands_are_escaped() {
    let ann = render(&github::Annotations, &report(&test_lang("en")));
    let lines: Vec<&str> = ann.lines().collect();
    assert_eq!(lines.len(), 4, "{ann}");
    assert_eq!(
        lines[0],
        "::error title=q1.server.b — Two%2C with%3A colon::expected: `x`%0A[split-line] 100%25 wrong: a, b%0Asecond line%0Afix: fix it"
    );
    assert!(lines[2].starts_with("::error title=q2.client.d — Skipped::"));
    assert_eq!(
        lines[3],
        "::notice title=grade::Score: 0.1/2.25 (1 passed, 2 failed, 1 grader error)"
    );
    let md = render(&github::Summary, &report(&test_lang("en")));
    assert!(
        md.contains(
            "| ❌ | `q1.server.b` Two, with: colon | 0/0.2 | `split-line` 100% wrong: a, b |"
        ),
        "{md}"
    );
}

#[test]
fn gradescope_numbers_hidden_tests_and_speaks_french() {
    let g: serde_json::Value =
        serde_json::from_str(&render(&gradescope::Gradescope, &report(&test_lang("fr")))).unwrap();
    let t = &g["tests"];
    assert_eq!(t[0]["number"], "1.1");
    assert_eq!(t[2]["number"], "2.1");
    assert_eq!(t[0]["visibility"], "visible");
    assert_eq!(t[2]["visibility"], "after_due_date");
    assert_eq!(t[1]["name"], "q1.server.b — Two, with: colon (fr)");
    let out = t[1]["output"].as_str().unwrap();
    assert!(
        out.starts_with("attendu\u{a0}: `x` (fr)\n[split-line] 100 % faux"),
        "{out}"
    );
    assert!(
        out.contains("correction\u{a0}: corrigez") && out.contains("transcription\u{a0}:"),
        "{out}"
    );
    // The top-level text counts the visible tests only (q2.* is hidden):
    // nothing of how the hidden ones went.
    assert_eq!(
        g["output"],
        "Tests visibles\u{a0}: 0,1/0,3 (1 réussi, 1 échoué)\n2 autres tests sont montrés après la date limite"
    );
    // Nothing hidden: the whole score line.
    let mut r = report(&test_lang("fr"));
    r.hidden.clear();
    r.isolation_note = Some("ran on the host".into());
    let g: serde_json::Value = serde_json::from_str(&render(&gradescope::Gradescope, &r)).unwrap();
    assert_eq!(
        g["output"],
        "Note\u{a0}: 0,1/2,25 (1 réussi, 2 échoués, 1 erreur du correcteur)"
    );
    // The isolation note is the instructor's: never in what students see.
    assert_eq!(g["extra_data"]["isolation_note"], "ran on the host");
    assert!(g["tests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| !t["output"].as_str().unwrap().contains("ran on the host")));
}

#[test]
fn prairielearn_names_a_common_cause_once() {
    let mut r = report(&test_lang("en"));
    for o in &mut r.outcomes {
        *o = outcome(
            &o.scenario.id,
            o.scenario.points,
            "t",
            Status::Fail,
            Some("syntax-error"),
        );
    }
    let p: serde_json::Value =
        serde_json::from_str(&render(&prairielearn::PrairieLearn, &r)).unwrap();
    assert_eq!(p["gradable"], true);
    assert_eq!(
        p["message"],
        "Score: 0/2.25 (0 passed, 4 failed)\n[syntax-error] 100% wrong: a, b\nsecond line"
    );
}

/// q2's two scenarios kept from running by a client that does not compile.
pub(crate) fn with_problem(lang: &Lang) -> Report {
    use crate::submission::{ProblemKind, SubmissionProblem};
    let mut r = report(lang);
    for o in r
        .outcomes
        .iter_mut()
        .filter(|o| o.scenario.id.starts_with("q2"))
    {
        o.verdict = Verdict::not_run(diagnosis(
            "compile-error",
            (
                "not run: c.c does not compile:",
                "non lancé : c.c ne compile pas :",
            ),
            ("", ""),
        ));
        o.transcript = Transcript::default();
    }
    r.problems = vec![SubmissionProblem {
        kind: ProblemKind::DoesNotCompile,
        side: crate::scenario::Side::Client,
        program: "c.c".into(),
        file: "c.c".into(),
        detail: "c.c:1:5: error: expected ';' #1".into(),
        found: vec!["c.c".into()],
        found_more: 0,
        scenarios: vec!["q2.client.c".into(), "q2.client.d".into()],
    }];
    r
}

#[test]
fn a_submission_problem_is_shown_once_in_place_of_its_scenarios() {
    let r = with_problem(&test_lang("en"));
    assert_eq!(r.problem_points(&r.problems[0]), 1.95);
    assert_eq!(r.ran().count(), 2);
    let human = render(&human::Human, &r);
    assert_eq!(human.matches("c.c does not compile").count(), 1, "{human}");
    assert!(
        human.contains("  ✗ 2 scenarios not run (client: [compile-error])"),
        "{human}"
    );
    assert!(!human.contains("q2.client.c"), "{human}");
    let fr = render(&human::Human, &with_problem(&test_lang("fr")));
    assert!(
        fr.contains("2 scénarios non lancés (client\u{a0}: [compile-error])"),
        "{fr}"
    );
    let j: serde_json::Value = serde_json::from_str(&render(&json::Json, &r)).unwrap();
    assert_eq!(j["submission_problems"][0]["kind"], "does-not-compile");
    assert_eq!(j["submission_problems"][0]["max_score"], 1.95);
    assert_eq!(j["scenarios"].as_array().unwrap().len(), 4);
    let g: serde_json::Value = serde_json::from_str(&render(&gradescope::Gradescope, &r)).unwrap();
    let names: Vec<&str> = g["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "c.c does not compile");
    assert_eq!(names.len(), 3);
    let tap = render(&tap::Tap, &r);
    assert!(
        tap.starts_with("TAP version 13\n1..3\nnot ok 1 - c.c does not compile\n"),
        "{tap}"
    );
    let junit = render(&junit::Junit, &r);
    assert_eq!(junit.matches("<testcase").count(), 3, "{junit}");
    assert!(!junit.contains("name=\"q2\""), "no empty q2 suite: {junit}");
    let html = render(&html::Html, &r);
    assert_eq!(
        html.matches("c.c does not compile").count(),
        2,
        "headline and text: {html}"
    );
    assert_eq!(
        html.matches("class=\"seq\"").count(),
        2,
        "no diagram for what did not run"
    );
}

/// French typography in the reports' catalogue: a no-break space before
/// `:`, a narrow one before `;`, `!` and `?` (never a plain space, which
/// lets the sign start a line).
#[test]
fn french_punctuation_has_its_no_break_spaces() {
    let fr = test_lang("fr");
    let (_, _, text) = crate::msg::MESSAGES
        .iter()
        .find(|(lang, file, _)| *lang == "fr" && *file == "report.ftl")
        .expect("messages/fr/report.ftl");
    let res = fluent_syntax::parser::parse(*text).expect("report.ftl parses");
    for entry in res.body {
        let fluent_syntax::ast::Entry::Message(m) = entry else {
            continue;
        };
        // Variables missing render as `{$name}`: no punctuation of theirs.
        let shown = fr.get(m.id.name);
        let chars: Vec<char> = shown.chars().collect();
        for (k, c) in chars.iter().enumerate() {
            let before = if k > 0 { chars[k - 1] } else { ' ' };
            let ok = match c {
                ':' => ['\u{a0}', '\u{202f}'].contains(&before),
                ';' | '!' | '?' => before == '\u{202f}',
                _ => true,
            };
            assert!(ok, "{}: {c:?} after {before:?} in {shown:?}", m.id.name);
        }
    }
}

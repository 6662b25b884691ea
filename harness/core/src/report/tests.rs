//! Every reporter on hand-built outcomes, no process: escaping, statuses the
//! fixtures never produce (error, skip), and points that are not integers.

use super::*;
use crate::msg::Msg;
use crate::scenario::parse_scenario;

use crate::verdict::{Code, Diagnosis, Verdict};

/// A message the catalogue lacks: every language shows its id, `en`.
fn text(en: &'static str, _fr: &str) -> Msg {
    Msg::new(en)
}

fn scenario(id: &str, points: f64, title: &str) -> Scenario {
    let toml = format!(
        "id = \"{id}\"\nquestion = \"{}\"\nrole = \"server\"\npoints = {points}\ntitle = {{ en = \"{title}\", fr = \"{title} (fr)\" }}\npasses = {{ en = \"p\", fr = \"p\" }}\n[[step]]\nstart = \"server\"\n",
        &id[..2]
    );
    parse_scenario("test.toml", &toml).unwrap()
}

fn outcome(
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
            diagnosis: code.map(|code| Diagnosis {
                code: Code::parse(code).unwrap(),
                message: text(
                    "100% wrong: a, b\nsecond line",
                    "100 % faux : a, b\nseconde ligne",
                ),
                hint: Some(text("fix it", "corrigez")),
            }),
            expected: code.map(|_| text("`x`", "`x` (fr)")),
            failed_step: None,
            evidence: Default::default(),
        },
        transcript,
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

fn report(lang: &Lang) -> Report {
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
    let r = report(&Lang::builtin("en"));
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
    let xml = render(&junit::Junit, &report(&Lang::builtin("en")));
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

#[test]
fn tap_escapes_directives_and_marks_skips() {
    let tap = render(&tap::Tap, &report(&Lang::builtin("en")));
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
    let ann = render(&github::Annotations, &report(&Lang::builtin("en")));
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
    let md = render(&github::Summary, &report(&Lang::builtin("en")));
    assert!(
        md.contains(
            "| ❌ | `q1.server.b` Two, with: colon | 0/0.2 | `split-line` 100% wrong: a, b |"
        ),
        "{md}"
    );
}

#[test]
fn gradescope_numbers_hidden_tests_and_speaks_french() {
    let g: serde_json::Value = serde_json::from_str(&render(
        &gradescope::Gradescope,
        &report(&Lang::builtin("fr")),
    ))
    .unwrap();
    let t = &g["tests"];
    assert_eq!(t[0]["number"], "1.1");
    assert_eq!(t[2]["number"], "2.1");
    assert_eq!(t[0]["visibility"], "visible");
    assert_eq!(t[2]["visibility"], "after_due_date");
    assert_eq!(t[1]["name"], "q1.server.b — Two, with: colon (fr)");
    let out = t[1]["output"].as_str().unwrap();
    assert!(
        out.starts_with("attendu : `x`\n[split-line] 100% wrong"),
        "{out}"
    );
    assert!(
        out.contains("correction : fix it") && out.contains("transcription :"),
        "{out}"
    );
    assert_eq!(
        g["output"],
        "Note : 0.1/2.25 (1 réussi, 2 échoués, 1 erreur du correcteur)"
    );
}

#[test]
fn prairielearn_names_a_common_cause_once() {
    let mut r = report(&Lang::builtin("en"));
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
fn with_problem(lang: &Lang) -> Report {
    use crate::submission::{ProblemKind, SubmissionProblem};
    let mut r = report(lang);
    for o in r
        .outcomes
        .iter_mut()
        .filter(|o| o.scenario.id.starts_with("q2"))
    {
        o.verdict = Verdict::not_run(Diagnosis {
            code: Code::CompileError,
            message: text(
                "not run: c.c does not compile:",
                "non lancé : c.c ne compile pas :",
            ),
            hint: None,
        });
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
    let r = with_problem(&Lang::builtin("en"));
    assert_eq!(r.problem_points(&r.problems[0]), 1.95);
    assert_eq!(r.ran().count(), 2);
    let human = render(&human::Human, &r);
    assert_eq!(human.matches("c.c does not compile").count(), 1, "{human}");
    assert!(
        human.contains("  ✗ 2 scenarios not run (client: [compile-error])"),
        "{human}"
    );
    assert!(!human.contains("q2.client.c"), "{human}");
    let fr = render(&human::Human, &with_problem(&Lang::builtin("fr")));
    assert!(
        fr.contains("2 scénarios non lancés (client: [compile-error])"),
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
        html.matches("<svg").count(),
        2,
        "no diagram for what did not run"
    );
}

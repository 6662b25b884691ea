//! Hand-built scenarios and transcripts for the rules' tests.

use super::ctx::Ctx;
use super::rules::Rule;
use crate::diagnosis::{Code, Diagnosis};
pub(crate) use crate::msg::Lang;
use crate::msg::Msg;
use crate::scenario::{parse_scenario, Action, Scenario};
use crate::transcript::{arbitrary, Actor, Event, ProcView, Transcript, WaitsOn};
pub(crate) use crate::transcript::{Exit, ProcState};
use proptest::prelude::*;
use std::sync::LazyLock;
use std::time::Duration;

/// A scenario file's head: its id, question, role, points and texts.
fn head(q: &str, role: &str) -> String {
    let texts = "title = { en = \"T\", fr = \"T\" }\npasses = { en = \"P\", fr = \"P\" }\n";
    format!("id = \"{q}.{role}.t\"\nquestion = \"{q}\"\nrole = \"{role}\"\npoints = 1\n{texts}")
}

/// A server scenario of question `q`: start, connect, then `rest` (TOML steps).
pub(crate) fn server(q: &str, rest: &str) -> Scenario {
    let steps = "[[step]]\nstart = \"server\"\n[[step]]\nconnect = true\n";
    let text = format!("{}{steps}{rest}", head(q, "server"));
    parse_scenario("t.toml", &text).unwrap()
}

/// A client scenario of question `q` made of the TOML steps `steps`.
pub(crate) fn client(q: &str, steps: &str) -> Scenario {
    let text = format!("{}{steps}", head(q, "client"));
    parse_scenario("t.toml", &text).unwrap()
}

/// The built-in catalogue, read once for all the tests.
pub(crate) fn whole_catalogue() -> &'static [Scenario] {
    static CATALOGUE: LazyLock<Vec<Scenario>> =
        LazyLock::new(|| crate::scenario::load_catalogue(None).unwrap());
    &CATALOGUE
}

/// The catalogue's scenario `id`.
pub(crate) fn catalogue(id: &str) -> Scenario {
    whole_catalogue()
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// Any catalogue scenario (its index in `whole_catalogue()`) and any
/// transcript of as many steps.
pub(crate) fn scenario_and_transcript() -> impl Strategy<Value = (usize, Transcript)> {
    (0..whole_catalogue().len()).prop_flat_map(|k| {
        (
            Just(k),
            arbitrary::transcript(whole_catalogue()[k].steps.len()),
        )
    })
}

/// The transcript of `events`, one millisecond apart.
pub(crate) fn tr(events: Vec<(Actor, Event)>) -> Transcript {
    let mut t = Transcript::default();
    for (k, (a, e)) in events.into_iter().enumerate() {
        t.push(Duration::from_millis(k as u64), a, e);
    }
    t
}

/// The markers of steps `0..=i` (their events left out), then `ev`: what
/// happened in step `i`.
pub(crate) fn at_step(i: usize, ev: Vec<(Actor, Event)>) -> Vec<(Actor, Event)> {
    let mut all: Vec<_> = (0..=i).map(|k| (Actor::Harness, Event::Step(k))).collect();
    all.extend(ev);
    all
}

/// Catalogue scenario `id` at its first step `is`, with `ev` in it.
pub(crate) fn at(
    id: &str,
    is: fn(&Action) -> bool,
    ev: Vec<(Actor, Event)>,
) -> (Scenario, Transcript, usize) {
    let s = catalogue(id);
    let i = s.steps.iter().position(|st| is(&st.action)).unwrap();
    (s, tr(at_step(i, ev)), i)
}

/// The harness's reading of the world's processes.
pub(crate) fn snapshot(views: Vec<ProcView>) -> (Actor, Event) {
    (Actor::Harness, Event::Snapshot(views))
}

/// `actor`'s program started as `pid`.
pub(crate) fn started(actor: Actor, pid: i32) -> (Actor, Event) {
    let command = "x".into();
    (actor, Event::Started { pid, command })
}

/// Step 0 of a server scenario: the server started (`pid`).
pub(crate) fn opening_started(pid: i32) -> Vec<(Actor, Event)> {
    vec![
        (Actor::Harness, Event::Step(0)),
        started(Actor::Server, pid),
    ]
}

/// Steps 0 and 1 of a server scenario: started, the peer connected.
pub(crate) fn opening(pid: i32) -> Vec<(Actor, Event)> {
    let mut ev = opening_started(pid);
    ev.push((Actor::Harness, Event::Step(1)));
    ev.push((Actor::Peer, Event::Connected { port: 8080 }));
    ev
}

/// Step `i`'s context (teardown where the transcript says, else at its end).
pub(crate) fn ctx<'a>(s: &'a Scenario, tr: &'a Transcript, i: usize) -> Ctx<'a> {
    let teardown = tr
        .entries
        .iter()
        .position(|e| e.event == Event::Teardown)
        .unwrap_or(tr.entries.len());
    Ctx::new(s, tr, i, teardown)
}

pub(crate) fn printed(actor: Actor, line: &str) -> (Actor, Event) {
    (
        actor,
        Event::Printed {
            raw: line.as_bytes().to_vec(),
            newline: true,
        },
    )
}

pub(crate) fn exited(
    actor: Actor,
    pid: i32,
    code: Option<i32>,
    signal: Option<i32>,
) -> (Actor, Event) {
    let exit = match (code, signal) {
        (_, Some(s)) => Exit::Signal(s),
        (c, None) => Exit::Code(c.unwrap_or(0)),
    };
    (actor, Event::Exited { pid, exit })
}

/// A CPU sample: runnable `runnable` ms of a `window` ms wait.
pub(crate) fn cpu(runnable: f64, window: f64) -> (Actor, Event) {
    (
        Actor::Harness,
        Event::Cpu {
            used_ms: runnable,
            runnable_ms: runnable,
            window_ms: window,
        },
    )
}

/// `actor`'s process `pid` (`python3`, child of pid 1, one thread), asleep
/// in `call` waiting on `on`.
pub(crate) fn proc_view(actor: Actor, pid: i32, call: Option<&str>, on: WaitsOn) -> ProcView {
    ProcView {
        actor,
        pid,
        ppid: 1,
        comm: "python3".into(),
        state: ProcState::Sleeping,
        threads: 1,
        call: call.map(String::from),
        on,
    }
}

pub(crate) fn en(m: &Msg) -> String {
    Lang::builtin("en").msg(m)
}

pub(crate) fn fr(m: &Msg) -> String {
    Lang::builtin("fr").msg(m)
}

/// What `rule` says (its message, in English) at step `i` of `s` and `t`;
/// it must say something.
#[track_caller]
pub(crate) fn said(rule: Rule, (s, t, i): (Scenario, Transcript, usize)) -> String {
    let d = rule(&ctx(&s, &t, i)).expect("the rule says nothing");
    en(&d.message)
}

/// The code of what `rule` says at step `i` of `s` and `t`, if anything.
pub(crate) fn coded(rule: Rule, (s, t, i): (Scenario, Transcript, usize)) -> Option<Code> {
    code(rule(&ctx(&s, &t, i)))
}

/// Whether `rule` says nothing at step `i` of `s` and `t`.
pub(crate) fn silent(rule: Rule, (s, t, i): (Scenario, Transcript, usize)) -> bool {
    rule(&ctx(&s, &t, i)).is_none()
}

/// `d` says `message` with the hint `hint`, in English.
#[track_caller]
pub(crate) fn explains(d: &Diagnosis, message: &str, hint: &str) {
    assert_eq!(en(&d.message), message);
    assert_eq!(d.hint.as_ref().map(en).as_deref(), Some(hint));
}

/// `m` reads `in_en` in English and `in_fr` in French.
#[track_caller]
pub(crate) fn says(m: &Msg, in_en: &str, in_fr: &str) {
    assert_eq!(en(m), in_en);
    assert_eq!(fr(m), in_fr);
}

pub(crate) fn code(d: Option<Diagnosis>) -> Option<Code> {
    d.map(|d| d.code)
}

/// Step 2 (accept) of a q2 client scenario, with `ev` in it.
pub(crate) fn accept_step(ev: Vec<(Actor, Event)>) -> (Scenario, Transcript, usize) {
    let s = client(
        "q2",
        "[[step]]\nlisten = true\n[[step]]\nstart = \"client\"\n[[step]]\naccept = true\n",
    );
    (s, tr(at_step(2, ev)), 2)
}
